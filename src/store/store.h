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

struct store;

/* Called for each paper a listing returns; the paper lives until the
 * callback returns. Return PB_OK to go on. */
typedef int (*store_paper_cb)(void *ctx, const struct paper *p);

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

#endif
