/* pg_int.h - internals shared by the files of the PostgreSQL backend:
 * the connection, its cache of prepared statements and parameter lists. */
#ifndef PB_PG_INT_H
#define PB_PG_INT_H

#include <libpq-fe.h>

#include "store.h"

/* Every statement the backend runs, by cache slot. Listings are built
 * from fixed fragments by filter combination and use the slots from
 * PGQ_LIST on (see store_pg.c). */
enum pg_query {
	PGQ_UPSERT,
	PGQ_GET,
	PGQ_GET_AUTHORS,
	PGQ_GET_VERSIONS,
	PGQ_STATS,
	PGQ_BY_YEAR,
	PGQ_BY_CATEGORY,
	PGQ_LATEST_DAY,
	PGQ_NEIGHBOURS,
	PGQ_DAY_COUNTS,
	PGQ_COUNT,
	PGQ_DATA_VERSION,
	PGQ_SCAN,
	PGQ_SCAN_CHANGED,
	PGQ_SETTING_GET,
	PGQ_SETTING_SET,
	PGQ_LEASE_TAKE,
	PGQ_LEASE_HOLDER,
	PGQ_LEASE_RELEASE,
	PGQ_JOB_START,
	PGQ_JOB_FINISH,
	PGQ_JOB_RUNS,
	PGQ_CHECK_CATALOG,
	PGQ_CHECK_DATA,
	PGQ_MIGRATED,
	PGQ_LIST,
	PGQ_LIST_LAST = PGQ_LIST + 3 * 32 * 2 - 1, /* sort x filter mask x count/rows */
	PGQ_SLOTS
};

struct pg_store {
	struct store base;
	PGconn *conn;
	unsigned char prepared[PGQ_SLOTS]; /* 1 once prepared on this connection */
	int in_tx;
	int streaming;	     /* a scan is reading rows: the connection is busy */
	struct buf bufs[10]; /* parameter text of upserts, kept between calls */
};

/* Parameters of one statement, all sent as text; NULL is SQL NULL. */
#define PG_PARAMS_MAX 40
struct pg_params {
	const char *v[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
	int n;
};

/* Appends a parameter. Cannot fail (the caller stays under PG_PARAMS_MAX). */
void pg_param_text(struct pg_params *p, const char *s);
void pg_param_long(struct pg_params *p, long long v);

/* Runs statement slot q (sql on first use, prepared on this connection
 * under a name of its own) with params, expecting rows or a command
 * result. Returns the result (PQclear it) or NULL with err set, the
 * message naming the store and what was being done. A lost connection is
 * re-established outside transactions; read-only statements (retry = 1)
 * are then run again. */
PGresult *pg_run(struct pg_store *s, int q, const char *sql, const struct pg_params *params,
		 int retry, struct pb_err *err, const char *what);

/* pg_run with the parameters' types given (one per parameter), for
 * statements that do not use all of them. */
PGresult *pg_run_typed(struct pg_store *s, int q, const char *sql, const struct pg_params *params,
		       const Oid *types, int retry, struct pb_err *err, const char *what);

/* Makes sure the connection is up and statement slot q is prepared. */
int pg_prepare(struct pg_store *s, int q, const char *sql, int ntypes, const Oid *types,
	       struct pb_err *err);

/* Runs a statement without parameters (BEGIN, COMMIT, DDL). */
int pg_exec_plain(struct pg_store *s, const char *sql, struct pb_err *err, const char *what);

/* Connects s->conn to target and names it in s->base.path (without any
 * password). On failure the connection (if any) is left for the caller
 * to PQfinish; err says which server and what went wrong. */
int pg_connect(struct pg_store *s, const char *target, struct pb_err *err);

/* Brings the schema to STORE_PG_SCHEMA_VERSION in one transaction under
 * an advisory lock, so nodes starting together do not race; PB_EVERSION
 * for a newer schema. */
int pg_migrate(struct pg_store *s, struct pb_err *err);

/* Sets err from a failed result or connection. Returns the code. */
int pg_fail(struct pg_store *s, const PGresult *res, struct pb_err *err, const char *what);

/* Copies a result cell into out ("" when NULL). Cannot fail. */
void pg_cell(const PGresult *res, int row, int col, char *out, size_t len);
/* A result cell as an integer (0 when NULL or not a number). Cannot fail. */
long long pg_cell_long(const PGresult *res, int row, int col);

/* pg_jobs.c: settings, leases, the job log and the check. */
int pg_setting_get(struct store *st, const char *key, char *out, size_t out_len,
		   struct pb_err *err);
int pg_setting_set(struct store *st, const char *key, const char *value, struct pb_err *err);
int pg_lease_acquire(struct store *st, const char *name, const char *owner, long ttl,
		     struct pb_err *err);
int pg_lease_release(struct store *st, const char *name, const char *owner, struct pb_err *err);
int pg_job_start(struct store *st, const char *job, long *run_id, struct pb_err *err);
int pg_job_finish(struct store *st, long run_id, const char *status, long new_papers, long updated,
		  long errors, const char *message, struct pb_err *err);
int pg_job_runs(struct store *st, const char *job, struct store_job_run *out, size_t max, size_t *n,
		struct pb_err *err);
int pg_check(struct store *st, struct buf *report, struct pb_err *err);

#endif
