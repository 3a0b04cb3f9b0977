/* pg_jobs.c - service state in PostgreSQL: settings, leases that let one
 * node of a cluster run a scheduled job, the log of job runs, and the
 * check of the database. */
#include "pg_int.h"
#include "pg_schema.h"

#include "../core/text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void moment_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static struct pg_store *S(struct store *st)
{
	return (struct pg_store *)st;
}

/* PB_EINVAL unless every string is UTF-8 (PostgreSQL stores only that). */
static int utf8_args(struct pb_err *err, const char *what, const char *a, const char *b)
{
	if ((a && text_utf8_invalid_at(a, strlen(a)) != strlen(a)) ||
	    (b && text_utf8_invalid_at(b, strlen(b)) != strlen(b)))
		return pb_err_set(err, PB_EINVAL, "%s: not valid UTF-8", what);
	return PB_OK;
}

int pg_setting_get(struct store *st, const char *key, char *out, size_t out_len, struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	int rc = PB_OK;

	if (utf8_args(err, "setting name", key, NULL))
		return pb_err_set(err, PB_ENOTFOUND, "no setting %.60s", key);
	pg_param_text(&par, key);
	res = pg_run(S(st), PGQ_SETTING_GET, "SELECT value FROM settings WHERE key = $1::text",
		     &par, 1, err, "reading a setting");
	if (!res)
		return err->rc;
	if (PQntuples(res) == 1)
		pg_cell(res, 0, 0, out, out_len);
	else
		rc = pb_err_set(err, PB_ENOTFOUND, "no setting %s", key);
	PQclear(res);
	return rc;
}

int pg_setting_set(struct store *st, const char *key, const char *value, struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	int rc;

	if ((rc = utf8_args(err, key, key, value)))
		return rc;
	pg_param_text(&par, key);
	pg_param_text(&par, value);
	res = pg_run(S(st), PGQ_SETTING_SET,
		     "INSERT INTO settings (key, value) VALUES ($1::text, $2::text)"
		     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		     &par, 0, err, "writing a setting");
	if (!res)
		return err->rc;
	PQclear(res);
	return PB_OK;
}

int pg_lease_acquire(struct store *st, const char *name, const char *owner, long ttl,
		     struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	int taken, rc;

	if ((rc = utf8_args(err, "lease", name, owner)))
		return rc;
	pg_param_text(&par, name);
	pg_param_text(&par, owner);
	pg_param_long(&par, ttl);
	/* one statement, by the database's clock (the same for every node):
	 * takes the lease only if free, expired or ours. statement_timestamp()
	 * rather than now(), which stands still in a long transaction. */
	res = pg_run(
	    S(st), PGQ_LEASE_TAKE,
	    "INSERT INTO leases (name, owner, expires)"
	    " VALUES ($1::text, $2::text, statement_timestamp() + $3::bigint * interval '1 second')"
	    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires"
	    " WHERE leases.expires < statement_timestamp() OR leases.owner = excluded.owner"
	    " RETURNING owner",
	    &par, 0, err, "taking a lease");
	if (!res)
		return err->rc;
	taken = PQntuples(res) == 1;
	PQclear(res);
	if (taken)
		return PB_OK;
	par.n = 1;
	res =
	    pg_run(S(st), PGQ_LEASE_HOLDER,
		   "SELECT owner, ceil(extract(epoch FROM expires - statement_timestamp()))::bigint"
		   " FROM leases WHERE name = $1::text",
		   &par, 1, err, "reading a lease");
	if (!res)
		return err->rc;
	if (PQntuples(res) == 1)
		rc = pb_err_set(err, PB_EBUSY,
				"%s is already running (held by %s for %lld more seconds)", name,
				PQgetvalue(res, 0, 0), pg_cell_long(res, 0, 1));
	else
		rc = pb_err_set(err, PB_EBUSY, "%s is already running", name);
	PQclear(res);
	return rc;
}

int pg_lease_release(struct store *st, const char *name, const char *owner, struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;

	if (utf8_args(err, "lease", name, owner))
		return PB_OK; /* such a lease cannot exist */
	pg_param_text(&par, name);
	pg_param_text(&par, owner);
	res = pg_run(S(st), PGQ_LEASE_RELEASE,
		     "DELETE FROM leases WHERE name = $1::text AND owner = $2::text", &par, 0, err,
		     "releasing a lease");
	if (!res)
		return err->rc;
	PQclear(res);
	return PB_OK;
}

int pg_job_start(struct store *st, const char *job, long *run_id, struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	char now[21];
	int rc;

	if ((rc = utf8_args(err, "job name", job, NULL)))
		return rc;
	moment_now(now);
	pg_param_text(&par, job);
	pg_param_text(&par, now);
	res = pg_run(
	    S(st), PGQ_JOB_START,
	    "INSERT INTO job_runs (job, started, status) VALUES ($1::text, $2::text, 'running')"
	    " RETURNING id",
	    &par, 0, err, "logging a job");
	if (!res)
		return err->rc;
	*run_id = (long)pg_cell_long(res, 0, 0);
	PQclear(res);
	return PB_OK;
}

int pg_job_finish(struct store *st, long run_id, const char *status, long new_papers, long updated,
		  long errors, const char *message, struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	char now[21];
	int rc;

	if ((rc = utf8_args(err, "job outcome", status, message)))
		return rc;
	moment_now(now);
	pg_param_long(&par, run_id);
	pg_param_text(&par, now);
	pg_param_text(&par, status);
	pg_param_long(&par, new_papers);
	pg_param_long(&par, updated);
	pg_param_long(&par, errors);
	pg_param_text(&par, message);
	res = pg_run(S(st), PGQ_JOB_FINISH,
		     "UPDATE job_runs SET finished = $2::text, status = $3::text,"
		     " new_papers = $4::bigint, updated = $5::bigint, errors = $6::bigint,"
		     " message = $7::text WHERE id = $1::bigint",
		     &par, 0, err, "logging a job");
	if (!res)
		return err->rc;
	PQclear(res);
	return PB_OK;
}

int pg_job_runs(struct store *st, const char *job, struct store_job_run *out, size_t max, size_t *n,
		struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	int i, rows;

	*n = 0;
	if (utf8_args(err, "job name", job, NULL))
		return PB_OK;
	pg_param_text(&par, job);
	pg_param_long(&par, (long long)max);
	res =
	    pg_run(S(st), PGQ_JOB_RUNS,
		   "SELECT id, job, started, finished, status, new_papers, updated, errors, message"
		   " FROM job_runs WHERE job = $1::text ORDER BY id DESC LIMIT $2::bigint",
		   &par, 1, err, "reading the job log");
	if (!res)
		return err->rc;
	rows = PQntuples(res);
	for (i = 0; i < rows && *n < max; i++) {
		struct store_job_run *j = &out[(*n)++];
		j->id = (long)pg_cell_long(res, i, 0);
		pg_cell(res, i, 1, j->job, sizeof(j->job));
		pg_cell(res, i, 2, j->started, sizeof(j->started));
		pg_cell(res, i, 3, j->finished, sizeof(j->finished));
		pg_cell(res, i, 4, j->status, sizeof(j->status));
		j->new_papers = (long)pg_cell_long(res, i, 5);
		j->updated = (long)pg_cell_long(res, i, 6);
		j->errors = (long)pg_cell_long(res, i, 7);
		pg_cell(res, i, 8, j->message, sizeof(j->message));
	}
	PQclear(res);
	return PB_OK;
}

/* ---- check ---- */

#define TABLES                                                                                     \
	"'schema_version', 'papers', 'paper_authors', 'paper_categories', 'paper_versions',"       \
	" 'settings', 'data_version', 'leases', 'job_runs'"

/* What the catalog says: tables, functions, triggers, foreign keys and
 * indexes that are missing, invalid or disabled. Works on any database. */
static const char CHECK_CATALOG[] =
    "SELECT 'structure: table ' || t || ' is missing' FROM unnest(ARRAY[" TABLES "]) AS t"
    " WHERE to_regclass(t) IS NULL"
    " UNION ALL"
    " SELECT 'structure: function ' || f || ' is missing'"
    " FROM unnest(ARRAY['pb_paper_upsert', 'pb_touch', 'pb_touch_trigger']) AS f"
    " WHERE NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = f AND pg_function_is_visible(oid))"
    " UNION ALL"
    " SELECT 'structure: trigger ' || g.name || ' on ' || g.tab || ' is missing or disabled'"
    " FROM (VALUES ('papers_touch', 'papers'), ('paper_authors_touch', 'paper_authors'),"
    "  ('paper_categories_touch', 'paper_categories'),"
    "  ('paper_versions_touch', 'paper_versions'), ('settings_touch', 'settings'),"
    "  ('job_runs_touch', 'job_runs')) AS g (name, tab)"
    " WHERE to_regclass(g.tab) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_trigger"
    "  WHERE tgrelid = to_regclass(g.tab) AND tgname = g.name AND tgenabled <> 'D')"
    " UNION ALL"
    " SELECT 'foreign key: ' || t || ' has no valid reference to papers'"
    " FROM unnest(ARRAY['paper_authors', 'paper_categories', 'paper_versions']) AS t"
    " WHERE to_regclass(t) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_constraint"
    "  WHERE contype = 'f' AND conrelid = to_regclass(t)"
    "  AND confrelid = to_regclass('papers') AND convalidated)"
    " UNION ALL"
    " SELECT 'index: ' || i.indexrelid::regclass::text || ' is invalid (rebuild it with REINDEX)'"
    " FROM pg_index i WHERE NOT (i.indisvalid AND i.indisready)"
    "  AND i.indrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[" TABLES "]) AS t)";

/* What the rows say; run only when every table exists. */
static const char CHECK_DATA[] =
    "SELECT 'schema: version ' || v || ', this paperboy knows ' || $1::integer"
    " FROM (SELECT coalesce(max(version), 0) AS v FROM schema_version) AS s"
    " WHERE v <> $1::integer"
    " UNION ALL"
    " SELECT 'foreign key: ' || count(*) || ' author rows belong to no paper'"
    " FROM paper_authors a WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = a.paper_id)"
    " HAVING count(*) > 0"
    " UNION ALL"
    " SELECT 'foreign key: ' || count(*) || ' category rows belong to no paper'"
    " FROM paper_categories c WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = c.paper_id)"
    " HAVING count(*) > 0"
    " UNION ALL"
    " SELECT 'foreign key: ' || count(*) || ' version rows belong to no paper'"
    " FROM paper_versions v WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = v.paper_id)"
    " HAVING count(*) > 0"
    " UNION ALL"
    " SELECT 'structure: data_version has ' || count(*) || ' rows instead of 1'"
    " FROM data_version HAVING count(*) <> 1"
    " UNION ALL"
    " SELECT 'content: paper ' || arxiv_id || ' has no title or abstract'"
    " FROM papers WHERE deleted = 0 AND (title = '' OR abstract = '')";

/* Adds the rows of a check query to report; *missing_table is set when a
 * table is missing (the data check cannot run then). */
static int findings(struct pg_store *s, int q, const char *sql, const struct pg_params *par,
		    struct buf *report, long *bad, int *missing_table, struct pb_err *err)
{
	PGresult *res = pg_run(s, q, sql, par, 1, err, "checking the database");
	int i, rows;
	if (!res)
		return err->rc;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++) {
		(*bad)++;
		buf_addf(report, "%s\n", PQgetvalue(res, i, 0));
		if (text_starts(PQgetvalue(res, i, 0), "structure: table "))
			*missing_table = 1;
	}
	PQclear(res);
	return PB_OK;
}

int pg_check(struct store *st, struct buf *report, struct pb_err *err)
{
	struct pg_store *s = S(st);
	struct pg_params par = {.n = 0};
	long bad = 0;
	int rc, missing = 0;

	if ((rc = findings(s, PGQ_CHECK_CATALOG, CHECK_CATALOG, NULL, report, &bad, &missing, err)))
		return rc;
	pg_param_long(&par, STORE_PG_SCHEMA_VERSION);
	if (!missing &&
	    (rc = findings(s, PGQ_CHECK_DATA, CHECK_DATA, &par, report, &bad, &missing, err)))
		return rc;
	if (bad)
		return pb_err_set(err, PB_ECORRUPT, "%s: %ld problem%s found", st->path, bad,
				  bad == 1 ? "" : "s");
	return PB_OK;
}
