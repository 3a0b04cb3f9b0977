/* import.h - imports files of any supported format into a store: batching
 * into transactions, counting outcomes, reporting bad records, progress. */
#ifndef PB_IMPORT_H
#define PB_IMPORT_H

#include <stdio.h>

#include "../store/store.h"
#include "ingest.h"

struct import_counts {
	long new_papers, updated, unchanged, older, bad, files_failed;
	uint64_t bytes; /* decompressed bytes read */
	double seconds;
};

struct import_opts {
	enum ingest_format format; /* INGEST_UNKNOWN: detect per file */
	long batch;		   /* records per transaction; 0 = 5000 */
	FILE *report;		   /* bad-record reports (NULL: stderr) */
	long max_reports;	   /* reports printed per file before summarising; 0 = 20 */
	int progress;		   /* draw a progress bar when stderr is a terminal */
	int dry_run;		   /* parse and check only; nothing is written */
	/* called after each commit (on the writing thread), when not NULL */
	void (*committed)(void *ctx);
	void *committed_ctx;
};

/* Imports one file (path, "-" for stdin) into st. Bad records are reported
 * and counted; the file's good records are kept even when the file ends
 * badly. Returns PB_OK, or the error that stopped the file (err says where).
 * counts accumulate over calls. */
int import_file(struct store *st, const char *path, const struct import_opts *opts,
		struct import_counts *counts, struct pb_err *err);

/* Imports an in-memory document (used by fetchers). */
int import_mem(struct store *st, const void *data, size_t n, const char *name,
	       const struct import_opts *opts, struct import_counts *counts, struct pb_err *err);

#endif
