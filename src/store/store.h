/* store.h - the paper store: one interface, several backends.
 *
 * Callers hold a `struct store *` and use the store_* wrappers below; each
 * backend (SQLite today, PostgreSQL later) fills a `struct store_ops` table.
 * All functions return PB_OK or an error code with a message in err.
 *
 * Upsert rules (every backend): records are keyed by bare arXiv id. A record
 * identical to the last one applied for that id changes nothing. A record
 * older than the stored one (lower version, or same version with an earlier
 * update day) leaves the metadata alone but still brings community fields
 * (upvotes, comment count, submitter on a curated list, code/project links
 * the store lacks). Otherwise fields the record carries replace the stored
 * ones and fields it lacks are kept. The announcement day is set by a "new"
 * announcement, or when none is stored yet.
 */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/err.h"
#include "paper.h"

#include <stdint.h>

enum store_upsert {
	STORE_NEW,
	STORE_UPDATED,
	STORE_UNCHANGED,
	STORE_OLDER, /* a newer version is stored; metadata kept */
};

struct store_count {
	char key[64];
	long count;
};

struct store_stats {
	long papers;
	long deleted;
	long authors;
	long versions;
	int64_t db_bytes;
	char first_announced[11], last_announced[11];
	struct store_count *by_year; /* by year of first publication (or announcement) */
	size_t n_by_year;
	struct store_count *by_category; /* primary category, most papers first */
	size_t n_by_category;
};

/* Orders for listings. */
enum store_sort {
	STORE_SORT_DAY,      /* newest announcement day first, then most upvotes */
	STORE_SORT_VOTES,    /* most upvotes first */
	STORE_SORT_TRENDING, /* upvotes with time decay, see docs/ranking.md */
	STORE_SORT_RELEVANCE /* search only: best match first */
};

/* Filters shared by listings and simple searches; NULL/0 = no filter. */
struct store_filter {
	const char *from, *to;   /* announcement days, inclusive */
	const char *category;    /* any of the paper's categories */
	const char *author;      /* substring of the author list */
	enum store_sort sort;
	long offset, limit;
};

/* One cell of the activity chart: papers announced on day in category. */
struct store_day_count {
	char day[11];
	char category[32];
	long count;
};

/* One run of a scheduled job (harvest, digest...). */
struct store_job_run {
	long id;
	char job[32];
	char started[21], finished[21];
	char status[16]; /* running | ok | failed */
	long new_papers, updated, errors;
	char message[512];
};

struct store;

/* Called for each paper a listing returns; the paper lives until the
 * callback returns. Return PB_OK to go on. */
typedef int (*store_paper_cb)(void *ctx, const struct paper *p);
/* Called for each paper of a scan with its internal row id. */
typedef int (*store_scan_cb)(void *ctx, long long row, const struct paper *p);

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	int (*begin)(struct store *st, struct pb_err *err);
	int (*commit)(struct store *st, struct pb_err *err);
	void (*rollback)(struct store *st);
	int (*paper_upsert)(struct store *st, const struct paper *p, enum store_upsert *result,
			    struct pb_err *err);
	int (*paper_get)(struct store *st, const char *arxiv_id, struct arena *a,
			 struct paper *out, struct pb_err *err);
	int (*stats)(struct store *st, struct arena *a, struct store_stats *out,
		     struct pb_err *err);
	/* Papers announced on days from..to inclusive ("YYYY-MM-DD"), newest
	 * first then by id, offset/limit paging; *total gets the full count. */
	int (*papers_announced)(struct store *st, const char *from, const char *to, long offset,
				long limit, long *total, struct arena *a, store_paper_cb cb,
				void *ctx, struct pb_err *err);
	/* Papers matching filter f, in f->sort order; *total gets the count. */
	int (*papers_list)(struct store *st, const struct store_filter *f, long *total,
			   struct arena *a, store_paper_cb cb, void *ctx, struct pb_err *err);
	/* Papers whose title, abstract or authors contain every word of words
	 * (case-insensitive substring match), filtered and sorted by f. A
	 * simple matcher for small stores; the search engine replaces it. */
	int (*papers_match)(struct store *st, const char *words, const struct store_filter *f,
			    long *total, struct arena *a, store_paper_cb cb, void *ctx,
			    struct pb_err *err);
	/* Newest announcement day ("" when the store is empty). */
	int (*latest_day)(struct store *st, char out[11], struct pb_err *err);
	/* Nearest days with papers before and after day ("" when none). */
	int (*day_neighbours)(struct store *st, const char *day, char prev[11], char next[11],
			      struct pb_err *err);
	/* Papers per day and primary category for days from..to; categories
	 * outside the top_n of the period are summed under "other". */
	int (*day_counts)(struct store *st, const char *from, const char *to, int top_n,
			  struct arena *a, struct store_day_count **out, size_t *n,
			  struct pb_err *err);
	/* Number of papers (not deleted). Cheap. */
	int (*count)(struct store *st, long *papers, struct pb_err *err);
	/* A number that changes whenever the stored data changes, through this
	 * handle or any other connection or process. Cheap (no table scan):
	 * for cache validation. Compare only values read through one handle. */
	int (*data_version)(struct store *st, unsigned long long *version, struct pb_err *err);
	/* Moves what recent commits wrote into the database's main file, so
	 * closing it later has little left to do (SQLite's write-ahead log;
	 * nothing for PostgreSQL). Runs beside readers and other work; only
	 * this call may use the handle while it runs. */
	int (*checkpoint)(struct store *st, struct pb_err *err);
	/* Service state as key/value text. get: PB_ENOTFOUND when absent. */
	int (*setting_get)(struct store *st, const char *key, char *out, size_t out_len,
			   struct pb_err *err);
	int (*setting_set)(struct store *st, const char *key, const char *value,
			   struct pb_err *err);
	/* Takes the named lease for owner until now + ttl seconds if it is
	 * free, expired or already owner's (renewal): PB_OK, or PB_EBUSY with
	 * the holder named in err. Works across processes and nodes. */
	int (*lease_acquire)(struct store *st, const char *name, const char *owner, long ttl,
			     struct pb_err *err);
	int (*lease_release)(struct store *st, const char *name, const char *owner,
			     struct pb_err *err);
	/* Job log: start returns the run id; finish records the outcome. */
	int (*job_start)(struct store *st, const char *job, long *run_id, struct pb_err *err);
	int (*job_finish)(struct store *st, long run_id, const char *status, long new_papers,
			  long updated, long errors, const char *message, struct pb_err *err);
	/* The newest runs of job, newest first, at most max. */
	int (*job_runs)(struct store *st, const char *job, struct store_job_run *out, size_t max,
			size_t *n, struct pb_err *err);
	/* Checks the database (structure, foreign keys, schema version); writes
	 * one line per finding to report. PB_OK when sound, PB_ECORRUPT if not. */
	int (*check)(struct store *st, struct buf *report, struct pb_err *err);
	/* Streams papers in row id order with their internal row id: those
	 * with row id > after_row or, when changed_since is set (a moment),
	 * those changed at or after it whatever their row id. Deleted papers
	 * come too (p->deleted). Only id, title, abstract, authors (display
	 * string), categories, dates and upvotes are filled; strings live in
	 * a, which is reset before each paper. For search indexes. */
	int (*papers_scan)(struct store *st, long long after_row, const char *changed_since,
			   struct arena *a, store_scan_cb cb, void *ctx, struct pb_err *err);
};

struct store {
	const struct store_ops *ops;
	char path[1024];
};

/* Opens (creating if needed) the store at target: a file path for SQLite.
 * Applies pending migrations; refuses a database written by a newer
 * paperboy with PB_EVERSION. Returns NULL with err filled on failure. */
struct store *store_open(const char *target, struct pb_err *err);

/* Opens a SQLite store (store_sqlite.c). */
struct store *store_sqlite_open(const char *path, struct pb_err *err);

static inline void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}
static inline int store_begin(struct store *st, struct pb_err *err)
{
	return st->ops->begin(st, err);
}
static inline int store_commit(struct store *st, struct pb_err *err)
{
	return st->ops->commit(st, err);
}
static inline void store_rollback(struct store *st)
{
	st->ops->rollback(st);
}
static inline int store_paper_upsert(struct store *st, const struct paper *p,
				     enum store_upsert *result, struct pb_err *err)
{
	return st->ops->paper_upsert(st, p, result, err);
}
/* Fills out with the stored paper (strings in a); PB_ENOTFOUND if absent. */
static inline int store_paper_get(struct store *st, const char *arxiv_id, struct arena *a,
				  struct paper *out, struct pb_err *err)
{
	return st->ops->paper_get(st, arxiv_id, a, out, err);
}
static inline int store_stats(struct store *st, struct arena *a, struct store_stats *out,
			      struct pb_err *err)
{
	return st->ops->stats(st, a, out, err);
}
static inline int store_papers_announced(struct store *st, const char *from, const char *to,
					 long offset, long limit, long *total, struct arena *a,
					 store_paper_cb cb, void *ctx, struct pb_err *err)
{
	return st->ops->papers_announced(st, from, to, offset, limit, total, a, cb, ctx, err);
}

static inline int store_papers_list(struct store *st, const struct store_filter *f, long *total,
				    struct arena *a, store_paper_cb cb, void *ctx,
				    struct pb_err *err)
{
	return st->ops->papers_list(st, f, total, a, cb, ctx, err);
}
static inline int store_papers_match(struct store *st, const char *words,
				     const struct store_filter *f, long *total, struct arena *a,
				     store_paper_cb cb, void *ctx, struct pb_err *err)
{
	return st->ops->papers_match(st, words, f, total, a, cb, ctx, err);
}
static inline int store_latest_day(struct store *st, char out[11], struct pb_err *err)
{
	return st->ops->latest_day(st, out, err);
}
static inline int store_day_neighbours(struct store *st, const char *day, char prev[11],
				       char next[11], struct pb_err *err)
{
	return st->ops->day_neighbours(st, day, prev, next, err);
}
static inline int store_day_counts(struct store *st, const char *from, const char *to,
				   int top_n, struct arena *a, struct store_day_count **out,
				   size_t *n, struct pb_err *err)
{
	return st->ops->day_counts(st, from, to, top_n, a, out, n, err);
}
static inline int store_count(struct store *st, long *papers, struct pb_err *err)
{
	return st->ops->count(st, papers, err);
}
static inline int store_data_version(struct store *st, unsigned long long *version,
				     struct pb_err *err)
{
	return st->ops->data_version(st, version, err);
}
static inline int store_checkpoint(struct store *st, struct pb_err *err)
{
	return st->ops->checkpoint(st, err);
}
static inline int store_setting_get(struct store *st, const char *key, char *out,
				    size_t out_len, struct pb_err *err)
{
	return st->ops->setting_get(st, key, out, out_len, err);
}
static inline int store_setting_set(struct store *st, const char *key, const char *value,
				    struct pb_err *err)
{
	return st->ops->setting_set(st, key, value, err);
}
static inline int store_lease_acquire(struct store *st, const char *name, const char *owner,
				      long ttl, struct pb_err *err)
{
	return st->ops->lease_acquire(st, name, owner, ttl, err);
}
static inline int store_lease_release(struct store *st, const char *name, const char *owner,
				      struct pb_err *err)
{
	return st->ops->lease_release(st, name, owner, err);
}
static inline int store_job_start(struct store *st, const char *job, long *run_id,
				  struct pb_err *err)
{
	return st->ops->job_start(st, job, run_id, err);
}
static inline int store_job_finish(struct store *st, long run_id, const char *status,
				   long new_papers, long updated, long errors, const char *message,
				   struct pb_err *err)
{
	return st->ops->job_finish(st, run_id, status, new_papers, updated, errors, message, err);
}
static inline int store_check(struct store *st, struct buf *report, struct pb_err *err)
{
	return st->ops->check(st, report, err);
}
static inline int store_job_runs(struct store *st, const char *job, struct store_job_run *out,
				 size_t max, size_t *n, struct pb_err *err)
{
	return st->ops->job_runs(st, job, out, max, n, err);
}
static inline int store_papers_scan(struct store *st, long long after_row,
				    const char *changed_since, struct arena *a, store_scan_cb cb,
				    void *ctx, struct pb_err *err)
{
	return st->ops->papers_scan(st, after_row, changed_since, a, cb, ctx, err);
}

#endif
