/* ingest.h - what every importer shares: where a record came from, and the
 * sink that receives parsed papers and bad-record reports.
 *
 * A parser reads a stream, fills one struct paper at a time (strings in an
 * arena it owns and resets per record) and hands it to sink->paper. A record
 * that cannot be used is reported to sink->bad with its position and a
 * reason, and skipped; the parser goes on with the next record. A parser
 * returns an error only when it cannot go on at all (the file is not of its
 * format, the input ends mid-record, the sink refused); records already
 * handed over stay imported.
 */
#ifndef PB_INGEST_H
#define PB_INGEST_H

#include "../core/err.h"
#include "../core/stream.h"
#include "../store/paper.h"

struct ingest_pos {
	const char *file; /* name shown to people */
	long line;        /* 1-based line of the record's start, 0 if unknown */
	long record;      /* 1-based record number in the file */
};

struct ingest_sink {
	/* Takes a valid record. Returns PB_OK to go on, anything else to stop
	 * (the parser returns that code). The record is only borrowed. */
	int (*paper)(void *ctx, const struct paper *p, const struct ingest_pos *pos);
	/* Told about a skipped record. */
	void (*bad)(void *ctx, const struct ingest_pos *pos, const char *reason);
	void *ctx;
};

enum ingest_format {
	INGEST_UNKNOWN = 0,
	INGEST_KAGGLE,      /* JSON lines, arxiv-metadata-oai-snapshot.json */
	INGEST_ARXIV_API,   /* Atom from export.arxiv.org/api/query */
	INGEST_LISTING,     /* Atom/RSS announcement feeds, rss.arxiv.org */
	INGEST_OAI,         /* OAI-PMH ListRecords/GetRecord (arXiv, arXivRaw, oai_dc) */
	INGEST_DAILY_JSON,  /* daily-papers JSON array (/api/daily_papers) */
	INGEST_ABS,         /* arXiv .abs metadata file */
};

/* Each parser: reads s to its end, delivering records to sink. name is
 * used in messages. Returns PB_OK or the error that stopped it (err says
 * where: file, line or record, and why). */
int ingest_kaggle(struct stream *s, const char *name, const struct ingest_sink *sink,
		  struct pb_err *err);
int ingest_atom(struct stream *s, const char *name, const struct ingest_sink *sink,
		struct pb_err *err);
int ingest_oai(struct stream *s, const char *name, const struct ingest_sink *sink,
	       struct pb_err *err);
int ingest_daily_json(struct stream *s, const char *name, const struct ingest_sink *sink,
		      struct pb_err *err);
int ingest_abs(struct stream *s, const char *name, const struct ingest_sink *sink,
	       struct pb_err *err);

/* Guesses the format from the first bytes of s (not consumed). */
enum ingest_format ingest_detect(struct stream *s, struct pb_err *err);
const char *ingest_format_name(enum ingest_format f);

/* Parses s in format f (INGEST_UNKNOWN: detect) to sink. */
int ingest_stream(struct stream *s, enum ingest_format f, const char *name,
		  const struct ingest_sink *sink, struct pb_err *err);

/* Helpers for parsers (ingest/common.c). */

/* Validates p (paper_validate), fills derived fields (author list from the
 * display string, code/project links) and hands it to the sink, or reports
 * it as bad. Returns the sink's code (PB_OK for a reported bad record). */
int ingest_deliver(const struct ingest_sink *sink, struct paper *p, struct arena *a,
		   const struct ingest_pos *pos);

/* Reports a bad record. */
void ingest_bad(const struct ingest_sink *sink, const struct ingest_pos *pos,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Upper bound on one record's size in bytes (a JSON line, an XML entry). */
#define INGEST_RECORD_MAX (4u << 20)

#endif
