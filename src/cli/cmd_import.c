/* cmd_import.c - `paperboy import FILE...`. */
#include "cli.h"

#include "../ingest/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: paperboy import [--format F] [--batch N] FILE...\n"
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
		"\n"
		"exit status: 0 all imported; 3 done but some records were skipped;\n"
		"             1 a file could not be read; 2 bad usage\n");
}

static int parse_format(const char *s, enum ingest_format *f)
{
	static const struct {
		const char *name;
		enum ingest_format f;
	} names[] = {
		{"kaggle", INGEST_KAGGLE}, {"jsonl", INGEST_KAGGLE},      {"arxiv-api", INGEST_ARXIV_API},
		{"listing", INGEST_LISTING}, {"rss", INGEST_LISTING},     {"oai", INGEST_OAI},
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

int cmd_import(struct cli *c, int argc, char **argv)
{
	struct import_opts opts;
	struct import_counts counts;
	struct pb_err err = PB_ERR_INIT;
	struct store *st;
	int i, nfiles = 0, status;

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
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--batch") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "--dry-run") == 0)
			continue;
		err.rc = PB_OK;
		if (import_file(st, argv[i], &opts, &counts, &err))
			cli_error("%s", err.msg);
	}
	store_close(st);
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
	}
	status = counts.files_failed ? EXIT_FAIL : counts.bad ? EXIT_PARTIAL : EXIT_OK;
	return status;
}
