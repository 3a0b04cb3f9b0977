/* cmd_import.c - `paperboy import FILE...`: the papers, then the search
 * index (built while importing when there is none, else brought up to
 * date through the engine). */
#include "cli.h"

#include "../core/progress.h"
#include "../ingest/import.h"
#include "../search/bulk.h"
#include "../search/engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: paperboy import [--format F] [--batch N] [--no-index] FILE...\n"
		"\n"
		"Imports papers into the database. The format of each file is detected:\n"
		"  JSON-lines snapshot (arxiv-metadata-oai-snapshot.json; plain, .gz or .zst),\n"
		"  arXiv API Atom responses, arXiv listing feeds (Atom/RSS), OAI-PMH\n"
		"  ListRecords/GetRecord (arXiv, arXivRaw, oai_dc), daily-papers JSON and\n"
		"  arXiv .abs files. '-' reads standard input.\n"
		"Importing the same file again changes nothing; a newer version of a paper\n"
		"updates it; bad records are reported with file and line, and skipped.\n"
		"\n"
		"options:\n"
		"  --format F   kaggle | arxiv-api | listing | oai | daily-json | abs\n"
		"  --batch N    records per transaction (default 5000)\n"
		"  --quiet      no progress bar\n"
		"  --dry-run    read and check the files, write nothing (counts show as new)\n"
		"  --no-index   leave the search index alone (it is brought up to date\n"
		"               by the next search, 'paperboy index' or serve)\n"
		"\n"
		"The lexical search index is brought up to date at the end (built while\n"
		"importing when there is none); semantic vectors are trained by\n"
		"'paperboy index' or by serve.\n"
		"\n"
		"exit status: 0 all imported; 3 done but some records were skipped;\n"
		"             1 a file could not be read, or the search index could not be\n"
		"             brought up to date (the papers are imported); 2 bad usage\n");
}

static int parse_format(const char *s, enum ingest_format *f)
{
	static const struct {
		const char *name;
		enum ingest_format f;
	} names[] = {
	    {"kaggle", INGEST_KAGGLE},	       {"jsonl", INGEST_KAGGLE},
	    {"arxiv-api", INGEST_ARXIV_API},   {"listing", INGEST_LISTING},
	    {"rss", INGEST_LISTING},	       {"oai", INGEST_OAI},
	    {"daily-json", INGEST_DAILY_JSON}, {"abs", INGEST_ABS},
	};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*f = names[i].f;
			return 0;
		}
	return -1;
}

static void on_committed(void *ctx)
{
	bulk_index_committed(ctx);
}

/* The index phase, shown on a terminal as the progress bar is. */
static void phase_show(const struct progress *pr, const char *what)
{
	if (pr->enabled) {
		fprintf(stderr, "\r%-78s", what);
		fflush(stderr);
	}
}

static void phase_clear(const struct progress *pr)
{
	if (pr->enabled) {
		fprintf(stderr, "\r%78s\r", "");
		fflush(stderr);
	}
}

/* The database's checkpoint, on a thread of its own while the index is
 * finished: disk writes beside the index's work on the processors. */
struct checkpoint {
	struct store *st;
	pthread_t thread;
	int on;
};

static void *checkpoint_main(void *arg)
{
	struct checkpoint *ck = arg;
	struct pb_err err = PB_ERR_INIT;
	store_checkpoint(ck->st, &err); /* only sooner: closing does it anyway */
	return NULL;
}

/* Brings the search index of st up to date after an import: the bulk
 * build bi when it ran (and its papers did not change under it), else
 * the engine's own way (a build when there is no index, else the fresh
 * segment, or a rebuild when too much changed). Prints one line. */
static int index_phase(struct cli *c, struct store *st, const char *dir, struct bulk_index *bi,
		       struct pb_err *err)
{
	struct progress pr;
	struct engine_opts o;
	struct engine *e = NULL;
	struct engine_stats es;
	char edir[1024];
	double t0 = progress_now();
	int had = engine_index_exists(dir), rc;
	FILE *log = NULL;
	char *logbuf = NULL;
	size_t loglen = 0;

	progress_start(&pr, "search index", 0);
	if (bi) {
		struct bulk_result res;
		struct checkpoint ck = {st, 0, 0};
		ck.on = pthread_create(&ck.thread, NULL, checkpoint_main, &ck) == 0;
		phase_show(&pr, "search index: writing the index built while importing...");
		rc = bulk_index_finish(bi, &res, err);
		if (ck.on)
			pthread_join(ck.thread, NULL);
		phase_clear(&pr);
		if (rc)
			return rc;
		if (!res.stale) {
			printf(
			    "search index: %ld papers, built while importing (ready %.2f s after "
			    "the import)\n",
			    res.docs, progress_now() - t0);
			return PB_OK;
		}
		/* papers read by the bulk build changed since: build from the store */
		had = 0;
	}
	engine_opts_default(&o);
	o.vectors = 0; /* trained by `paperboy index` or serve */
	/* the engine's log lines: shown after the phase on a terminal, else
	 * kept out of the output */
	log = open_memstream(&logbuf, &loglen);
	o.log = log ? log : stderr;
	phase_show(&pr, had ? "search index: bringing it up to date..."
			    : "search index: building it...");
	rc = cli_engine_open(c, st, &o, edir, sizeof(edir), &e, err);
	phase_clear(&pr);
	if (log) {
		fclose(log);
		if (pr.enabled && loglen)
			fputs(logbuf, stderr);
	}
	free(logbuf);
	if (rc)
		return rc;
	engine_stats(e, &es);
	if (had)
		printf("search index: %ld papers (%ld new or changed since it was built), up to "
		       "date in %.2f s\n",
		       es.docs, es.fresh_docs, progress_now() - t0);
	else
		printf("search index: %ld papers, built in %.2f s\n", es.docs, progress_now() - t0);
	engine_close(e);
	return PB_OK;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	struct import_opts opts;
	struct import_counts counts;
	struct pb_err err = PB_ERR_INIT;
	struct store *st;
	struct bulk_index *bi = NULL;
	char dir[1024];
	int i, nfiles = 0, status, no_index = 0, index_failed = 0;

	memset(&opts, 0, sizeof(opts));
	memset(&counts, 0, sizeof(counts));
	opts.progress = 1;
	if (cli_wants_help(argc, argv)) {
		import_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (parse_format(argv[++i], &opts.format)) {
				cli_error("unknown format \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			char *end;
			opts.batch = strtol(argv[++i], &end, 10);
			if (*end || opts.batch < 1) {
				cli_error("--batch needs a positive number, not \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--quiet") == 0) {
			opts.progress = 0;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			opts.dry_run = 1;
		} else if (strcmp(argv[i], "--no-index") == 0) {
			no_index = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("unknown option \"%s\" for import", argv[i]);
			return EXIT_USAGE;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		import_usage(stderr);
		return EXIT_USAGE;
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (opts.dry_run)
		no_index = 1;
	if (!no_index && cli_index_dir(c, st, dir, sizeof(dir), &err)) {
		cli_error("%s", err.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	/* no index yet: build it while importing */
	if (!no_index && !engine_index_exists(dir)) {
		if (bulk_index_start(c->cfg.db, dir, &bi, &err) == PB_OK) {
			opts.committed = on_committed;
			opts.committed_ctx = bi;
		} else {
			err.rc = PB_OK; /* built after the import instead */
		}
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--batch") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "--dry-run") == 0 ||
		    strcmp(argv[i], "--no-index") == 0)
			continue;
		err.rc = PB_OK;
		if (import_file(st, argv[i], &opts, &counts, &err))
			cli_error("%s", err.msg);
	}
	{
		long total = counts.new_papers + counts.updated + counts.unchanged + counts.older;
		double rate = counts.seconds > 0 ? (double)total / counts.seconds : 0;
		printf("imported %ld papers: %ld new, %ld updated, %ld unchanged, %ld older "
		       "(kept newer), %ld skipped as bad",
		       total, counts.new_papers, counts.updated, counts.unchanged, counts.older,
		       counts.bad);
		if (counts.files_failed)
			printf(", %ld file%s failed", counts.files_failed,
			       counts.files_failed == 1 ? "" : "s");
		printf("\n%.2f s, %.0f papers/s, %.1f MB/s\n", counts.seconds, rate,
		       counts.seconds > 0 ? (double)counts.bytes / 1e6 / counts.seconds : 0);
		fflush(stdout);
		/* nothing read: nothing to index */
		if (!no_index && total == 0) {
			bulk_index_abort(bi);
			bi = NULL;
			no_index = 1;
		}
	}
	if (!no_index) {
		err.rc = PB_OK;
		if (index_phase(c, st, dir, bi, &err)) {
			cli_error("search index: %s (the papers are imported; 'paperboy index' "
				  "builds it)",
				  err.msg);
			index_failed = 1;
		}
	}
	store_close(st);
	status = counts.files_failed || index_failed ? EXIT_FAIL
		 : counts.bad			     ? EXIT_PARTIAL
						     : EXIT_OK;
	return status;
}
