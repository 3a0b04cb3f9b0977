/* bench/fts5.c - the SQLite FTS5 peer of the search benchmark.
 *
 *   fts5 build DB OUT.fts    index the papers of paperboy database DB into a
 *                            new SQLite file: fts5(title, abstract, authors),
 *                            porter stemming over unicode61 (diacritics
 *                            removed), BM25 with paperboy's field weights
 *   fts5 query OUT.fts [--repeat N]
 *                            reads "ID<TAB>QUERY" lines (FTS5 syntax), runs
 *                            each as a top-10 BM25 query, prints
 *                            "ID<TAB>MS<TAB>HITS<TAB>ROWIDS" (the last of N runs)
 * Both print "rss_kb N" and "anon_kb N" (resident memory at the end) on standard error.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resident memory now (the index still open), as the other drivers. */
static void rss(void)
{
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

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "fts5: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
	return 1;
}

static int build(const char *src, const char *out)
{
	sqlite3 *db;
	char sql[2048];
	double t0 = now();
	remove(out);
	if (sqlite3_open(out, &db) != SQLITE_OK)
		return fail(db, out);
	snprintf(sql, sizeof(sql),
		 "PRAGMA page_size = 8192; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
		 "ATTACH '%s' AS src;"
		 "CREATE VIRTUAL TABLE ft USING fts5(title, abstract, authors,"
		 " tokenize = 'porter unicode61 remove_diacritics 2');"
		 "INSERT INTO ft(ft, rank) VALUES('rank', 'bm25(2.5, 1.0, 0.75)');"
		 "BEGIN;"
		 "INSERT INTO ft(rowid, title, abstract, authors)"
		 " SELECT id, title, abstract, authors FROM src.papers WHERE deleted = 0;"
		 "COMMIT;"
		 "INSERT INTO ft(ft) VALUES('optimize');"
		 "DETACH src;",
		 src);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "building");
	sqlite3_close(db);
	printf("build_s %.2f\n", now() - t0);
	rss();
	return 0;
}

static int query(const char *path, int repeat)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	char line[65536];
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return fail(db, path);
	sqlite3_exec(db, "PRAGMA cache_size = -262144; PRAGMA mmap_size = 4294967296;", NULL, NULL,
		     NULL);
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM ft WHERE ft MATCH ?1 ORDER BY rank LIMIT 10",
			       -1, &q, NULL) != SQLITE_OK)
		return fail(db, "preparing");
	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(line, '\t'), ids[512];
		double t0 = 0, t1 = 0;
		int r, n = 0, rep;
		line[strcspn(line, "\r\n")] = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		for (rep = 0; rep < repeat; rep++) {
			size_t len = 0;
			n = 0;
			ids[0] = '\0';
			t0 = now();
			sqlite3_bind_text(q, 1, tab + 1, -1, SQLITE_STATIC);
			while ((r = sqlite3_step(q)) == SQLITE_ROW) {
				if (len < sizeof(ids) - 24)
					len += (size_t)snprintf(
					    ids + len, sizeof(ids) - len, "%s%lld", n ? " " : "",
					    (long long)sqlite3_column_int64(q, 0));
				n++;
			}
			sqlite3_reset(q);
			t1 = now();
			if (r != SQLITE_DONE)
				fprintf(stderr, "fts5: %s: %s\n", tab + 1, sqlite3_errmsg(db));
		}
		printf("%s\t%.4f\t%d\t%s\n", line, (t1 - t0) * 1000, n, ids);
	}
	rss();
	sqlite3_finalize(q);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "build") == 0)
		return build(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "query") == 0)
		return query(argv[2], argc >= 5 && strcmp(argv[3], "--repeat") == 0
					  ? (int)strtol(argv[4], NULL, 10)
					  : 1);
	fprintf(stderr, "usage: fts5 build DB OUT.fts | fts5 query OUT.fts [--repeat N]\n");
	return 2;
}
