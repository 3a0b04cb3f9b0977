/* pg_conn.c - the PostgreSQL connection of a store: connecting with a
 * message a newcomer understands, statements prepared once per connection,
 * errors mapped to paperboy's codes, reconnection, and migrations. */
#include "pg_int.h"
#include "pg_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_param_text(struct pg_params *p, const char *s)
{
	p->v[p->n++] = s;
}

void pg_param_long(struct pg_params *p, long long v)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", v);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

void pg_cell(const PGresult *res, int row, int col, char *out, size_t len)
{
	snprintf(out, len, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

long long pg_cell_long(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Copies a libpq message into out on one line, without the trailing
 * newline and the "ERROR:  " prefix. */
static void one_line(const char *msg, char *out, size_t len)
{
	size_t i, j = 0;
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	for (i = 0; msg[i] && j + 3 < len; i++) {
		if (msg[i] == '\n') {
			while (msg[i + 1] == '\t' || msg[i + 1] == ' ')
				i++;
			if (msg[i + 1]) {
				out[j++] = ';';
				out[j++] = ' ';
			}
			continue;
		}
		out[j++] = msg[i];
	}
	out[j] = '\0';
}

int pg_fail(struct pg_store *s, const PGresult *res, struct pb_err *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char msg[512];
	int rc = PB_EDB;

	if (detail && strncmp(detail, "Failing row contains", 20) == 0)
		detail = NULL; /* the whole row, abstract and all */

	if (primary)
		snprintf(msg, sizeof(msg), "%s%s%s%s", primary, detail ? " (" : "",
			 detail ? detail : "", detail ? ")" : "");
	else
		one_line(PQerrorMessage(s->conn), msg, sizeof(msg));
	if (!msg[0])
		snprintf(msg, sizeof(msg), "%s", "the database gave no reason");
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		      strcmp(state, "55P03") == 0))
		rc = PB_EBUSY;
	else if (state && (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0))
		rc = PB_ECORRUPT;
	return pb_err_set(err, rc, "%s: %s: %s", s->base.path, what, msg);
}

/* Re-establishes a lost connection; statements must be prepared again. */
static int reconnect(struct pg_store *s, struct pb_err *err)
{
	char msg[512];
	if (s->in_tx)
		return pb_err_set(err, PB_EDB,
				  "%s: the connection to the database was lost in a transaction",
				  s->base.path);
	PQreset(s->conn);
	memset(s->prepared, 0, sizeof(s->prepared));
	if (PQstatus(s->conn) == CONNECTION_OK)
		return PB_OK;
	one_line(PQerrorMessage(s->conn), msg, sizeof(msg));
	return pb_err_set(err, PB_EDB, "%s: the connection to the database was lost: %s",
			  s->base.path, msg);
}

int pg_prepare(struct pg_store *s, int q, const char *sql, int ntypes, const Oid *types,
	       struct pb_err *err)
{
	char name[16];
	PGresult *res;
	int rc = PB_OK;

	if (s->streaming)
		return pb_err_set(
		    err, PB_EBUSY,
		    "%s: this store handle is busy streaming a scan; use another handle"
		    " inside the scan's callback",
		    s->base.path);
	if (PQstatus(s->conn) != CONNECTION_OK && (rc = reconnect(s, err)))
		return rc;
	if (s->prepared[q])
		return PB_OK;
	snprintf(name, sizeof(name), "pb%d", q);
	res = PQprepare(s->conn, name, sql, ntypes, types);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		s->prepared[q] = 1;
	else
		rc = pg_fail(s, res, err, "preparing a statement");
	PQclear(res);
	return rc;
}

PGresult *pg_run_typed(struct pg_store *s, int q, const char *sql, const struct pg_params *params,
		       const Oid *types, int retry, struct pb_err *err, const char *what)
{
	static const struct pg_params none;
	char name[16];
	int attempt;

	if (!params)
		params = &none;
	for (attempt = 0;; attempt++) {
		PGresult *res;
		const char *state;
		ExecStatusType st;

		if (pg_prepare(s, q, sql, types ? params->n : 0, types, err)) {
			if (retry && attempt == 0 && !s->in_tx &&
			    PQstatus(s->conn) == CONNECTION_BAD)
				continue;
			return NULL;
		}
		snprintf(name, sizeof(name), "pb%d", q);
		res = PQexecPrepared(s->conn, name, params->n, params->v, NULL, NULL, 0);
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			return res;
		state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (attempt == 0 && state && strcmp(state, "26000") == 0 && !s->in_tx) {
			/* the server forgot the statement (a pooler's DISCARD ALL) */
			memset(s->prepared, 0, sizeof(s->prepared));
			PQclear(res);
			continue;
		}
		if (attempt == 0 && retry && !s->in_tx && PQstatus(s->conn) == CONNECTION_BAD) {
			PQclear(res);
			continue;
		}
		pg_fail(s, res, err, what);
		PQclear(res);
		return NULL;
	}
}

PGresult *pg_run(struct pg_store *s, int q, const char *sql, const struct pg_params *params,
		 int retry, struct pb_err *err, const char *what)
{
	return pg_run_typed(s, q, sql, params, NULL, retry, err, what);
}

int pg_exec_plain(struct pg_store *s, const char *sql, struct pb_err *err, const char *what)
{
	PGresult *res;
	int rc = PB_OK;

	if (s->streaming)
		return pb_err_set(err, PB_EBUSY, "%s: this store handle is busy streaming a scan",
				  s->base.path);
	if (PQstatus(s->conn) != CONNECTION_OK && (rc = reconnect(s, err)))
		return rc;
	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_fail(s, res, err, what);
	PQclear(res);
	return rc;
}

/* ---- connecting ---- */

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Copies target into out with any password replaced by "***". */
static void mask_password(const char *target, char *out, size_t len)
{
	const char *scheme = strstr(target, "://"), *at, *colon;
	size_t j = 0;

	if (len == 0)
		return;
	while (*target && j + 1 < len) {
		if (scheme && target == scheme + 3) {
			/* user:password@ of a URL */
			at = target + strcspn(target, "@/?");
			colon = memchr(target, ':', (size_t)(at - target));
			if (*at == '@' && colon) {
				j += (size_t)snprintf(out + j, len - j, "%.*s:***",
						      (int)(colon - target), target);
				target = at;
				continue;
			}
		}
		if (strncmp(target, "password=", 9) == 0) {
			j += (size_t)snprintf(out + j, len - j, "password=***");
			target += 9 + strcspn(target + 9, " &");
			continue;
		}
		out[j++] = *target++;
	}
	out[j < len ? j : len - 1] = '\0';
}

/* Names the database in messages, without a password:
 * postgresql://USER@HOST:PORT/DB, or ...@/DB?host=DIR for a socket;
 * the target itself (masked) when libpq could not read it. */
static void describe(struct pg_store *s, const char *target)
{
	const char *user = PQuser(s->conn), *host = PQhost(s->conn), *port = PQport(s->conn),
		   *db = PQdb(s->conn);
	int has_port = port && port[0] && strcmp(port, "5432") != 0;

	if (!db || !db[0]) {
		mask_password(target, s->base.path, sizeof(s->base.path));
		return;
	}
	if (host && host[0] == '/')
		snprintf(s->base.path, sizeof(s->base.path), "postgresql://%s%s/%s?host=%s%s%s",
			 user ? user : "", user && user[0] ? "@" : "", db, host,
			 has_port ? "&port=" : "", has_port ? port : "");
	else
		snprintf(s->base.path, sizeof(s->base.path), "postgresql://%s%s%s%s%s/%s",
			 user ? user : "", user && user[0] ? "@" : "",
			 host && host[0] ? host : "localhost", has_port ? ":" : "",
			 has_port ? port : "", db);
}

int pg_connect(struct pg_store *s, const char *target, struct pb_err *err)
{
	/* keywords after dbname override the target's; those before it are
	 * defaults the target may change */
	const char *const keys[] = {"connect_timeout", "dbname", "client_encoding",
				    "fallback_application_name", NULL};
	const char *const vals[] = {"10", target, "UTF8", "paperboy", NULL};
	const char *enc;
	char msg[600];

	mask_password(target, s->base.path, sizeof(s->base.path));
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	describe(s, target);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		const char *quoted;
		one_line(PQerrorMessage(s->conn), msg, sizeof(msg));
		quoted = target[0] ? strstr(msg, target) : NULL;
		if (quoted) {
			/* libpq quotes a target it cannot read, password and all */
			char masked[600], fixed[600];
			mask_password(target, masked, sizeof(masked));
			snprintf(fixed, sizeof(fixed), "%.*s%s%s", (int)(quoted - msg), msg, masked,
				 quoted + strlen(target));
			snprintf(msg, sizeof(msg), "%s", fixed);
		}
		return pb_err_set(err, PB_EDB, "%s: cannot connect to PostgreSQL: %s%s",
				  s->base.path, msg,
				  strstr(msg, "does not exist")
				      ? " (create the database first, e.g. with createdb)"
				      : "");
	}
	PQsetNoticeProcessor(s->conn, quiet_notices, NULL);
	if (PQserverVersion(s->conn) < 110000)
		return pb_err_set(err, PB_EVERSION,
				  "%s: this server runs PostgreSQL %d; paperboy needs 11 or newer",
				  s->base.path, PQserverVersion(s->conn) / 10000);
	enc = PQparameterStatus(s->conn, "server_encoding");
	if (enc && strcmp(enc, "UTF8") != 0 && strcmp(enc, "SQL_ASCII") != 0)
		return pb_err_set(err, PB_EINVAL,
				  "%s: the database's encoding is %s; paperboy stores UTF-8 text"
				  " (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)",
				  s->base.path, enc);
	return PB_OK;
}

/* ---- migrations ---- */

/* The applied schema version (0 for a database paperboy never used),
 * or -1 with err set. */
static int schema_version(struct pg_store *s, struct pb_err *err)
{
	PGresult *res = PQexec(s->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
	const char *state;
	int v = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		v = (int)pg_cell_long(res, 0, 0);
	} else {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "42P01") == 0 &&
		    PQtransactionStatus(s->conn) == PQTRANS_IDLE)
			v = 0; /* no version table yet */
		else
			pg_fail(s, res, err, "reading the schema version");
	}
	PQclear(res);
	return v;
}

static int too_new(struct pg_store *s, int version, struct pb_err *err)
{
	return pb_err_set(err, PB_EVERSION,
			  "%s: this database has schema version %d, but this paperboy knows "
			  "only up to version %d; use a newer paperboy",
			  s->base.path, version, STORE_PG_SCHEMA_VERSION);
}

int pg_migrate(struct pg_store *s, struct pb_err *err)
{
	struct pg_params p = {.n = 0};
	PGresult *res;
	int version, rc, i;

	/* the common case, an up-to-date database, takes one round trip */
	version = schema_version(s, err);
	if (version < 0)
		return err->rc;
	if (version == STORE_PG_SCHEMA_VERSION)
		return PB_OK;
	if (version > STORE_PG_SCHEMA_VERSION)
		return too_new(s, version, err);

	/* one node at a time; the others wait here and then find it done */
	if ((rc = pg_exec_plain(s, "BEGIN", err, "starting the migrations")))
		return rc;
	if ((rc = pg_exec_plain(s, "SELECT pg_advisory_xact_lock(x'7061706572626f79'::bigint)", err,
				"waiting for another node's migrations")) ||
	    (rc = pg_exec_plain(s, STORE_PG_VERSION_TABLE, err, "creating the version table")))
		goto out;
	version = schema_version(s, err);
	if (version < 0) {
		rc = err->rc;
		goto out;
	}
	if (version > STORE_PG_SCHEMA_VERSION) {
		rc = too_new(s, version, err);
		goto out;
	}
	for (i = version; i < STORE_PG_SCHEMA_VERSION; i++) {
		if ((rc = pg_exec_plain(s, store_pg_migrations[i], err, "applying a migration"))) {
			pb_err_prefix(err, "migration %d", i + 1);
			goto out;
		}
		p.n = 0;
		pg_param_long(&p, i + 1);
		res = pg_run(s, PGQ_MIGRATED,
			     "INSERT INTO schema_version (version) VALUES ($1::integer)", &p, 0,
			     err, "recording a migration");
		if (!res) {
			rc = err->rc;
			goto out;
		}
		PQclear(res);
	}
	rc = pg_exec_plain(s, "COMMIT", err, "committing the migrations");
out:
	if (rc && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	return rc;
}
