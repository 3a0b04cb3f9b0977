/* store_sqlite_jobs.c - service state in SQLite: settings, leases that let
 * one node of a cluster run a scheduled job, and the log of job runs. */
#include "sqlite_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int fail(struct store *st, struct pb_err *err, const char *what)
{
	return pb_err_set(err, PB_EDB, "%s: %s: %s", st->path, what,
			  sqlite3_errmsg(store_sqlite_db(st)));
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **q, struct pb_err *err)
{
	if (sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, q, NULL) != SQLITE_OK)
		return fail(st, err, "preparing a statement");
	return PB_OK;
}

static void moment_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int sqlite_setting_get(struct store *st, const char *key, char *out, size_t out_len,
		       struct pb_err *err)
{
	sqlite3_stmt *q;
	int r, rc;
	if ((rc = prepare(st, "SELECT value FROM settings WHERE key = ?1", &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		snprintf(out, out_len, "%s", (const char *)sqlite3_column_text(q, 0));
		rc = PB_OK;
	} else if (r == SQLITE_DONE) {
		rc = pb_err_set(err, PB_ENOTFOUND, "no setting %s", key);
	} else {
		rc = fail(st, err, "reading a setting");
	}
	sqlite3_finalize(q);
	return rc;
}

int sqlite_setting_set(struct store *st, const char *key, const char *value, struct pb_err *err)
{
	sqlite3_stmt *q;
	int rc;
	if ((rc = prepare(st, "INSERT INTO settings (key, value) VALUES (?1, ?2)"
			      " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			  &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, err, "writing a setting");
	sqlite3_finalize(q);
	return rc;
}

int sqlite_lease_acquire(struct store *st, const char *name, const char *owner, long ttl,
			 struct pb_err *err)
{
	sqlite3_stmt *q;
	long now = (long)time(NULL);
	int rc;

	/* one statement: takes the lease only if free, expired or ours */
	if ((rc = prepare(st,
			  "INSERT INTO leases (name, owner, expires) VALUES (?1, ?2, ?3)"
			  " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
			  " expires = excluded.expires WHERE leases.expires < ?4 OR leases.owner = ?2",
			  &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now + ttl);
	sqlite3_bind_int64(q, 4, now);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = fail(st, err, "taking a lease");
		sqlite3_finalize(q);
		return rc;
	}
	sqlite3_finalize(q);
	if (sqlite3_changes(store_sqlite_db(st)) == 1)
		return PB_OK;
	if ((rc = prepare(st, "SELECT owner, expires FROM leases WHERE name = ?1", &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		rc = pb_err_set(err, PB_EBUSY, "%s is already running (held by %s for %ld more seconds)",
				name, (const char *)sqlite3_column_text(q, 0),
				(long)sqlite3_column_int64(q, 1) - now);
	else
		rc = pb_err_set(err, PB_EBUSY, "%s is already running", name);
	sqlite3_finalize(q);
	return rc;
}

int sqlite_lease_release(struct store *st, const char *name, const char *owner,
			 struct pb_err *err)
{
	sqlite3_stmt *q;
	int rc;
	if ((rc = prepare(st, "DELETE FROM leases WHERE name = ?1 AND owner = ?2", &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, err, "releasing a lease");
	sqlite3_finalize(q);
	return rc;
}

int sqlite_job_start(struct store *st, const char *job, long *run_id, struct pb_err *err)
{
	sqlite3_stmt *q;
	char now[21];
	int rc;
	moment_now(now);
	if ((rc = prepare(st, "INSERT INTO job_runs (job, started, status) VALUES (?1, ?2, 'running')",
			  &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, err, "logging a job");
	else
		*run_id = (long)sqlite3_last_insert_rowid(store_sqlite_db(st));
	sqlite3_finalize(q);
	return rc;
}

int sqlite_job_finish(struct store *st, long run_id, const char *status, long new_papers,
		      long updated, long errors, const char *message, struct pb_err *err)
{
	sqlite3_stmt *q;
	char now[21];
	int rc;
	moment_now(now);
	if ((rc = prepare(st,
			  "UPDATE job_runs SET finished = ?2, status = ?3, new_papers = ?4,"
			  " updated = ?5, errors = ?6, message = ?7 WHERE id = ?1",
			  &q, err)))
		return rc;
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, new_papers);
	sqlite3_bind_int64(q, 5, updated);
	sqlite3_bind_int64(q, 6, errors);
	if (message)
		sqlite3_bind_text(q, 7, message, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, err, "logging a job");
	sqlite3_finalize(q);
	return rc;
}

static void col(sqlite3_stmt *q, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

int sqlite_job_runs(struct store *st, const char *job, struct store_job_run *out, size_t max,
		    size_t *n, struct pb_err *err)
{
	sqlite3_stmt *q;
	int r, rc;
	*n = 0;
	if ((rc = prepare(st,
			  "SELECT id, job, started, finished, status, new_papers, updated, errors,"
			  " message FROM job_runs WHERE job = ?1 ORDER BY id DESC LIMIT ?2",
			  &q, err)))
		return rc;
	sqlite3_bind_text(q, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
	while ((r = sqlite3_step(q)) == SQLITE_ROW && *n < max) {
		struct store_job_run *j = &out[(*n)++];
		j->id = (long)sqlite3_column_int64(q, 0);
		col(q, 1, j->job, sizeof(j->job));
		col(q, 2, j->started, sizeof(j->started));
		col(q, 3, j->finished, sizeof(j->finished));
		col(q, 4, j->status, sizeof(j->status));
		j->new_papers = (long)sqlite3_column_int64(q, 5);
		j->updated = (long)sqlite3_column_int64(q, 6);
		j->errors = (long)sqlite3_column_int64(q, 7);
		col(q, 8, j->message, sizeof(j->message));
	}
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		rc = fail(st, err, "reading the job log");
	sqlite3_finalize(q);
	return rc;
}

/* Runs a pragma that returns rows of findings; "ok" alone means none. */
static int pragma_findings(struct store *st, const char *sql, const char *what,
			   struct buf *report, long *bad, struct pb_err *err)
{
	sqlite3_stmt *q;
	int r, rc, cols, i;
	if ((rc = prepare(st, sql, &q, err)))
		return rc;
	cols = sqlite3_column_count(q);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *first = sqlite3_column_text(q, 0);
		if (cols == 1 && first && strcmp((const char *)first, "ok") == 0)
			continue;
		(*bad)++;
		buf_addf(report, "%s:", what);
		for (i = 0; i < cols; i++) {
			const unsigned char *t = sqlite3_column_text(q, i);
			buf_addf(report, " %s", t ? (const char *)t : "-");
		}
		buf_addc(report, '\n');
	}
	if (r != SQLITE_DONE)
		rc = fail(st, err, what);
	sqlite3_finalize(q);
	return rc;
}

int sqlite_check(struct store *st, struct buf *report, struct pb_err *err)
{
	long bad = 0;
	int rc;
	if ((rc = pragma_findings(st, "PRAGMA integrity_check", "integrity", report, &bad, err)) ||
	    (rc = pragma_findings(st, "PRAGMA foreign_key_check", "foreign key", report, &bad, err)) ||
	    (rc = pragma_findings(st,
				  "SELECT 'paper ' || arxiv_id || ' has no title or abstract'"
				  " FROM papers WHERE deleted = 0 AND (title = '' OR abstract = '')",
				  "content", report, &bad, err)))
		return rc;
	if (bad)
		return pb_err_set(err, PB_ECORRUPT, "%s: %ld problem%s found", st->path, bad,
				  bad == 1 ? "" : "s");
	return PB_OK;
}
