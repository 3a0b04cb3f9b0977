/* sqlite_int.h - internals shared by the files of the SQLite backend. */
#ifndef PB_SQLITE_INT_H
#define PB_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

/* The connection behind a SQLite store. Cannot fail. */
sqlite3 *store_sqlite_db(struct store *st);

/* store_sqlite_jobs.c: settings, leases and the job log. */
int sqlite_setting_get(struct store *st, const char *key, char *out, size_t out_len,
		       struct pb_err *err);
int sqlite_setting_set(struct store *st, const char *key, const char *value, struct pb_err *err);
int sqlite_lease_acquire(struct store *st, const char *name, const char *owner, long ttl,
			 struct pb_err *err);
int sqlite_lease_release(struct store *st, const char *name, const char *owner,
			 struct pb_err *err);
int sqlite_job_start(struct store *st, const char *job, long *run_id, struct pb_err *err);
int sqlite_job_finish(struct store *st, long run_id, const char *status, long new_papers,
		      long updated, long errors, const char *message, struct pb_err *err);
int sqlite_job_runs(struct store *st, const char *job, struct store_job_run *out, size_t max,
		    size_t *n, struct pb_err *err);

int sqlite_check(struct store *st, struct buf *report, struct pb_err *err);

#endif
