/* bench/pbq.c - a query driver for the benchmarks: opens paperboy's search
 * engine once, reads queries (one per line, "ID<TAB>QUERY" or just QUERY)
 * from standard input and prints, per query, "ID<TAB>MILLISECONDS<TAB>
 * HITS<TAB>ARXIV_ID ARXIV_ID ..." (the top K), and "rss_kb N" and "anon_kb N" (resident
 * memory after the queries) on standard error at the end. Built by bench/search and
 * bench/relevance against build/libpaperboy.a.
 *
 *   pbq DB MODE K [--count] [--exact] [--repeat N]
 *     MODE: lexical, semantic, hybrid or hybrid-rrf; --count: exact totals and facets
 *     (the website's work); --exact: semantic scans of every vector (no inverted
 *     file); --repeat: run each query N times, report the last
 */
#include "../src/search/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct engine_opts o;
	struct engine *e;
	struct store *st;
	char line[65536];
	long k;
	int count = 0, exact = 0, repeat = 1, i;

	if (argc < 4) {
		fprintf(stderr, "usage: pbq DB lexical|semantic|hybrid K [--count] [--repeat N]\n");
		return 2;
	}
	engine_opts_default(&o);
	o.mode = strcmp(argv[2], "lexical") == 0      ? ENGINE_LEXICAL
		 : strcmp(argv[2], "semantic") == 0   ? ENGINE_SEMANTIC
		 : strcmp(argv[2], "hybrid-rrf") == 0 ? ENGINE_HYBRID_RRF
						      : ENGINE_HYBRID;
	k = strtol(argv[3], NULL, 10);
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0)
			count = 1;
		else if (strcmp(argv[i], "--exact") == 0)
			exact = 1;
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			repeat = (int)strtol(argv[++i], NULL, 10);
	}
	st = store_open(argv[1], &err);
	if (!st || engine_open(argv[1], st, &o, &e, &err)) {
		fprintf(stderr, "pbq: %s\n", err.msg);
		return 1;
	}
	/* searches need no store: its cache and mapping go */
	store_close(st);
	st = NULL;
	while (fgets(line, sizeof(line), stdin)) {
		char *q = line, *id = "";
		char *tab = strchr(line, '\t');
		struct engine_request r;
		struct engine_result res;
		struct arena a = ARENA_INIT;
		double t0 = 0, t1 = 0;
		size_t n;
		int rep;
		line[strcspn(line, "\r\n")] = '\0';
		if (tab) {
			*tab = '\0';
			id = line;
			q = tab + 1;
		}
		memset(&r, 0, sizeof(r));
		r.query = q;
		r.mode = o.mode;
		r.limit = k;
		r.count = count;
		r.exact_vectors = exact;
		for (rep = 0; rep < repeat; rep++) {
			arena_reset(&a);
			t0 = now();
			if (engine_search(e, &r, &a, &res, &err)) {
				fprintf(stderr, "pbq: %s: %s\n", q, err.msg);
				res.n_hits = 0;
				res.total = 0;
			}
			t1 = now();
		}
		printf("%s\t%.4f\t%zu\t", id, (t1 - t0) * 1000, res.n_hits);
		for (n = 0; n < res.n_hits; n++)
			printf("%s%s", n ? " " : "", res.hits[n].arxiv_id);
		printf("\n");
		arena_release(&a);
	}
	{
		/* resident now, after the queries (the engine is still open) */
		FILE *f = fopen("/proc/self/status", "r");
		char l[256];
		while (f && fgets(l, sizeof(l), f))
			if (strncmp(l, "VmRSS:", 6) == 0)
				fprintf(stderr, "rss_kb %ld\n", strtol(l + 6, NULL, 10));
			else if (strncmp(l, "RssAnon:", 8) == 0)
				fprintf(stderr, "anon_kb %ld\n", strtol(l + 8, NULL, 10));
		if (f)
			fclose(f);
	}
	engine_close(e);
	return 0;
}
