/* store_pg.c - the PostgreSQL backend of the paper store, for several serve
 * nodes sharing one database. Same rules and orders as the SQLite backend
 * (store_sqlite.c); schema and the upsert function in pg_schema.c, the
 * connection in pg_conn.c, service state in pg_jobs.c. */
#include "pg_int.h"
#include "pg_schema.h"
#include "pg_store.h"

#include "../core/buf.h"
#include "../core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* type OIDs of the parameters listings declare */
#define OID_INT8 20
#define OID_TEXT 25
#define OID_TEXT_ARRAY 1009

static struct pg_store *S(struct store *st)
{
	return (struct pg_store *)st;
}

static void now_moment(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- transactions ---- */

static int pq_begin(struct store *st, struct pb_err *err)
{
	struct pg_store *s = S(st);
	int rc;
	if (s->in_tx)
		return pb_err_set(err, PB_EDB, "%s: a transaction is already open", s->base.path);
	rc = pg_exec_plain(s, "BEGIN", err, "starting a transaction");
	if (!rc)
		s->in_tx = 1;
	return rc;
}

static int pq_commit(struct store *st, struct pb_err *err)
{
	struct pg_store *s = S(st);
	PGresult *res;
	int rc = PB_OK;

	if (!s->in_tx)
		return pb_err_set(err, PB_EDB, "%s: no transaction to commit", s->base.path);
	if (s->streaming)
		return pb_err_set(err, PB_EBUSY, "%s: this store handle is busy streaming a scan",
				  s->base.path);
	if (PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
		/* PostgreSQL would answer COMMIT with a silent ROLLBACK */
		PQclear(PQexec(s->conn, "ROLLBACK"));
		s->in_tx = 0;
		return pb_err_set(
		    err, PB_EDB,
		    "%s: a statement of this transaction failed, so nothing written since"
		    " it began was stored",
		    s->base.path);
	}
	res = PQexec(s->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s, res, err, "committing");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		rc = pb_err_set(err, PB_EDB, "%s: the transaction was rolled back", s->base.path);
	PQclear(res);
	s->in_tx = 0; /* a failed COMMIT ends the transaction too */
	return rc;
}

static void pq_rollback(struct store *st)
{
	struct pg_store *s = S(st);
	if (s->in_tx && !s->streaming && PQstatus(s->conn) == CONNECTION_OK)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	s->in_tx = 0;
}

/* ---- upsert ---- */

/* Appends v to an SQL array literal under construction ("{" already in
 * b): quoted, with " and \ escaped; NULL for a missing value. Sticky: does
 * nothing once *rc is set. */
static void arr_add(struct buf *b, const char *v, int *rc)
{
	int r = 0;
	if (*rc)
		return;
	if (b->len > 1)
		r = buf_addc(b, ',');
	if (!v) {
		r = r ? r : buf_adds(b, "NULL");
	} else {
		r = r ? r : buf_addc(b, '"');
		while (*v && !r) {
			size_t n = strcspn(v, "\"\\");
			r = buf_add(b, v, n);
			v += n;
			if (*v && !r) {
				r = buf_addc(b, '\\');
				r = r ? r : buf_addc(b, *v++);
			}
		}
		r = r ? r : buf_addc(b, '"');
	}
	if (r)
		*rc = r;
}

static void arr_open(struct buf *b, int *rc)
{
	int r;
	buf_reset(b);
	r = buf_addc(b, '{');
	if (r && !*rc)
		*rc = r;
}

static void arr_close(struct buf *b, int *rc)
{
	int r = *rc ? 0 : buf_addc(b, '}');
	if (r)
		*rc = r;
}

/* 1 if the source gave more than a list of names (parsed names or
 * affiliations); only then are author rows stored. */
static int paper_authors_structured(const struct paper *p)
{
	size_t i;
	for (i = 0; i < p->n_authors; i++)
		if (p->author_list[i].keyname || p->author_list[i].affiliation)
			return 1;
	return 0;
}

static int bad_text(const struct paper *p, const char *field, const char *v, struct pb_err *err)
{
	size_t n;
	if (!v)
		return PB_OK;
	n = strlen(v);
	if (text_utf8_invalid_at(v, n) == n)
		return PB_OK;
	return pb_err_set(err, PB_EINVAL,
			  "%s: %s is not valid UTF-8 (PostgreSQL stores only UTF-8)", p->arxiv_id,
			  field);
}

static int bad_day(const struct paper *p, const char *field, const char *v, struct pb_err *err)
{
	int y, m, d;
	if (!v || !date_parse_day(v, strlen(v), &y, &m, &d))
		return PB_OK;
	return pb_err_set(err, PB_EINVAL, "%s: %s \"%.40s\" is not a date (YYYY-MM-DD)",
			  p->arxiv_id, field, v);
}

/* Refuses, before the database sees it, what PostgreSQL would reject in
 * the middle of a transaction (and so abort it): text that is not UTF-8,
 * days that are not dates. Records that pass paper_validate() pass this. */
static int check_paper(const struct paper *p, struct pb_err *err)
{
	const struct {
		const char *name, *v;
	} f[] = {
	    {"id", p->arxiv_id},
	    {"title", p->title},
	    {"abstract", p->abstract},
	    {"authors", p->authors},
	    {"comments", p->comments},
	    {"journal_ref", p->journal_ref},
	    {"doi", p->doi},
	    {"report_no", p->report_no},
	    {"msc_class", p->msc_class},
	    {"acm_class", p->acm_class},
	    {"license", p->license},
	    {"submitter", p->submitter},
	    {"code_url", p->code_url},
	    {"project_url", p->project_url},
	    {"submitted_by", p->submitted_by},
	    {"submitted_at", p->submitted_at},
	    {"source", p->source},
	};
	size_t i;
	int rc;

	if (p->deleted)
		return bad_text(p, "id", p->arxiv_id, err);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((rc = bad_text(p, f[i].name, f[i].v, err)))
			return rc;
	for (i = 0; i < p->n_categories; i++)
		if ((rc = bad_text(p, "category", p->categories[i], err)))
			return rc;
	for (i = 0; i < p->n_authors; i++) {
		const struct paper_author *au = &p->author_list[i];
		if ((rc = bad_text(p, "author name", au->name, err)) ||
		    (rc = bad_text(p, "author keyname", au->keyname, err)) ||
		    (rc = bad_text(p, "author forenames", au->forenames, err)) ||
		    (rc = bad_text(p, "author suffix", au->suffix, err)) ||
		    (rc = bad_text(p, "affiliation", au->affiliation, err)))
			return rc;
	}
	for (i = 0; i < p->n_versions; i++)
		if ((rc = bad_text(p, "version date", p->versions[i].created, err)) ||
		    (rc = bad_text(p, "version size", p->versions[i].size, err)))
			return rc;
	if ((rc = bad_day(p, "published", p->published, err)) ||
	    (rc = bad_day(p, "updated", p->updated, err)) ||
	    (rc = bad_day(p, "announced", p->announced, err)))
		return rc;
	return PB_OK;
}

static const char UPSERT_SQL[] =
    "SELECT pb_paper_upsert($1::text, $2::integer, $3::text, $4::text, $5::text,"
    " $6::integer, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text,"
    " $13::text, $14::text, $15::text, $16::text, $17::text, $18::text, $19::text,"
    " $20::integer, $21::text, $22::text, $23::integer, $24::integer, $25::text,"
    " $26::text, $27::text, $28::bigint, $29::text, $30::boolean, $31::text[],"
    " $32::text[], $33::text[], $34::text[], $35::text[], $36::integer[], $37::text[],"
    " $38::text[])";

static void param_count(struct pg_params *par, int v)
{
	if (v >= 0)
		pg_param_long(par, v);
	else
		pg_param_text(par, NULL);
}

static int pq_upsert(struct store *st, const struct paper *p, enum store_upsert *result,
		     struct pb_err *err)
{
	static const enum store_upsert results[] = {STORE_NEW, STORE_UPDATED, STORE_UNCHANGED,
						    STORE_OLDER};
	struct pg_store *s = S(st);
	struct buf *cats = &s->bufs[0], *au = &s->bufs[1], *ver = &s->bufs[6];
	long long hash = (long long)(p->hash ? p->hash : paper_hash(p));
	struct pg_params par = {.n = 0};
	int structured = paper_authors_structured(p), rc = PB_OK, k;
	char now[21];
	PGresult *res;
	size_t i;

	if ((rc = check_paper(p, err)))
		return rc;
	now_moment(now);
	buf_reset(cats);
	for (i = 0; i < p->n_categories && !rc; i++) {
		if (i)
			rc = buf_addc(cats, ' ');
		if (!rc)
			rc = buf_adds(cats, p->categories[i]);
	}
	if (structured) {
		for (k = 0; k < 5; k++)
			arr_open(&au[k], &rc);
		for (i = 0; i < p->n_authors; i++) {
			const struct paper_author *a = &p->author_list[i];
			arr_add(&au[0], a->name, &rc);
			arr_add(&au[1], a->keyname, &rc);
			arr_add(&au[2], a->forenames, &rc);
			arr_add(&au[3], a->suffix, &rc);
			arr_add(&au[4], a->affiliation, &rc);
		}
		for (k = 0; k < 5; k++)
			arr_close(&au[k], &rc);
	}
	if (p->n_versions) {
		for (k = 0; k < 3; k++)
			arr_open(&ver[k], &rc);
		for (i = 0; i < p->n_versions; i++) {
			char num[16];
			size_t j;
			/* a version listed twice: the last mention wins, as in SQLite */
			for (j = i + 1; j < p->n_versions; j++)
				if (p->versions[j].version == p->versions[i].version)
					break;
			if (j < p->n_versions)
				continue;
			snprintf(num, sizeof(num), "%d", p->versions[i].version);
			arr_add(&ver[0], num, &rc);
			arr_add(&ver[1], p->versions[i].created, &rc);
			arr_add(&ver[2], p->versions[i].size, &rc);
		}
		for (k = 0; k < 3; k++)
			arr_close(&ver[k], &rc);
	}
	if (rc)
		return pb_err_set(err, rc, "%s: %s", p->arxiv_id,
				  rc == PB_ENOMEM ? "out of memory" : "record too large to store");

	pg_param_text(&par, p->arxiv_id);
	pg_param_long(&par, p->version);
	pg_param_text(&par, p->title);
	pg_param_text(&par, p->abstract);
	pg_param_text(&par, p->authors ? p->authors : "");
	pg_param_long(&par, (long long)p->n_authors);
	pg_param_text(&par, cats->data);
	pg_param_text(&par, p->n_categories ? p->categories[0] : NULL);
	pg_param_text(&par, p->comments);
	pg_param_text(&par, p->journal_ref);
	pg_param_text(&par, p->doi);
	pg_param_text(&par, p->report_no);
	pg_param_text(&par, p->msc_class);
	pg_param_text(&par, p->acm_class);
	pg_param_text(&par, p->license);
	pg_param_text(&par, p->submitter);
	pg_param_text(&par, p->published);
	pg_param_text(&par, p->updated);
	pg_param_text(&par, p->announced ? p->announced : p->published ? p->published : p->updated);
	pg_param_long(&par, (long long)p->announce_type);
	pg_param_text(&par, p->code_url);
	pg_param_text(&par, p->project_url);
	param_count(&par, p->upvotes);
	param_count(&par, p->num_comments);
	pg_param_text(&par, p->submitted_by);
	pg_param_text(&par, p->submitted_at);
	pg_param_text(&par, p->source);
	pg_param_long(&par, hash);
	pg_param_text(&par, now);
	pg_param_text(&par, p->deleted ? "true" : "false");
	for (k = 0; k < 5; k++)
		pg_param_text(&par, structured ? au[k].data : NULL);
	for (k = 0; k < 3; k++)
		pg_param_text(&par, p->n_versions ? ver[k].data : NULL);

	res = pg_run(s, PGQ_UPSERT, UPSERT_SQL, &par, 0, err, "storing a paper");
	if (!res) {
		pb_err_prefix(err, "%s", p->arxiv_id);
		return err->rc;
	}
	k = (int)pg_cell_long(res, 0, 0);
	PQclear(res);
	if (k == 4)
		return pb_err_set(err, PB_EINVAL, "%s: no title or abstract", p->arxiv_id);
	if (k < 0 || k > 3)
		return pb_err_set(err, PB_EDB, "%s: the upsert function answered %d", s->base.path,
				  k);
	*result = results[k];
	return PB_OK;
}

/* ---- reading ---- */

/* 1 if s is absent or UTF-8 (stored text always is). */
static int utf8_ok(const char *s)
{
	return !s || text_utf8_invalid_at(s, strlen(s)) == strlen(s);
}

#define PAPER_COLUMNS                                                                              \
	"id, arxiv_id, version, title, abstract, authors, comments, journal_ref, doi,"             \
	" report_no, msc_class, acm_class, license, submitter, published, updated,"                \
	" announced, announce_type, code_url, project_url, ext_upvotes, ext_comments,"             \
	" submitted_by, submitted_at, source, deleted, categories"

static char *cell_dup(struct arena *a, const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return arena_strndup(a, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
}

static int cell_count(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? -1 : (int)pg_cell_long(res, row, col);
}

/* Fills p from a row shaped like PAPER_COLUMNS; children not read. */
static int row_to_paper(const PGresult *res, int row, struct arena *a, struct paper *p)
{
	paper_init(p);
	pg_cell(res, row, 1, p->arxiv_id, sizeof(p->arxiv_id));
	p->version = (int)pg_cell_long(res, row, 2);
	p->title = cell_dup(a, res, row, 3);
	p->abstract = cell_dup(a, res, row, 4);
	p->authors = cell_dup(a, res, row, 5);
	p->comments = cell_dup(a, res, row, 6);
	p->journal_ref = cell_dup(a, res, row, 7);
	p->doi = cell_dup(a, res, row, 8);
	p->report_no = cell_dup(a, res, row, 9);
	p->msc_class = cell_dup(a, res, row, 10);
	p->acm_class = cell_dup(a, res, row, 11);
	p->license = cell_dup(a, res, row, 12);
	p->submitter = cell_dup(a, res, row, 13);
	p->published = cell_dup(a, res, row, 14);
	p->updated = cell_dup(a, res, row, 15);
	p->announced = cell_dup(a, res, row, 16);
	p->announce_type = (enum paper_announce)pg_cell_long(res, row, 17);
	p->code_url = cell_dup(a, res, row, 18);
	p->project_url = cell_dup(a, res, row, 19);
	p->upvotes = cell_count(res, row, 20);
	p->num_comments = cell_count(res, row, 21);
	p->submitted_by = cell_dup(a, res, row, 22);
	p->submitted_at = cell_dup(a, res, row, 23);
	p->source = NULL;
	p->deleted = (int)pg_cell_long(res, row, 25);
	if (!p->title || !p->abstract)
		return PB_ENOMEM;
	return paper_set_categories(p, a, cell_dup(a, res, row, 26));
}

static int pq_get(struct store *st, const char *arxiv_id, struct arena *a, struct paper *out,
		  struct pb_err *err)
{
	struct pg_store *s = S(st);
	struct pg_params par = {.n = 0};
	PGresult *res = NULL;
	int rc = PB_OK, i, n;
	size_t cap = 0;
	char row[24];

	if (!utf8_ok(arxiv_id))
		return pb_err_set(err, PB_ENOTFOUND, "no paper with id %.40s", arxiv_id);
	pg_param_text(&par, arxiv_id);
	res = pg_run(s, PGQ_GET, "SELECT " PAPER_COLUMNS " FROM papers WHERE arxiv_id = $1::text",
		     &par, 1, err, "reading a paper");
	if (!res)
		return err->rc;
	if (PQntuples(res) == 0) {
		rc = pb_err_set(err, PB_ENOTFOUND, "no paper with id %s", arxiv_id);
		goto out;
	}
	if ((rc = row_to_paper(res, 0, a, out))) {
		rc = pb_err_set(err, rc, "out of memory");
		goto out;
	}
	/* children by the row id just read */
	pg_cell(res, 0, 0, row, sizeof(row));
	par.n = 0;
	pg_param_text(&par, row);
	PQclear(res);
	res = pg_run(s, PGQ_GET_AUTHORS,
		     "SELECT name, keyname, forenames, suffix, affiliation FROM paper_authors"
		     " WHERE paper_id = $1::bigint ORDER BY pos",
		     &par, 1, err, "reading a paper's authors");
	if (!res)
		return err->rc;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		struct paper_author *au;
		out->author_list =
		    arena_grow(a, out->author_list, out->n_authors, &cap, sizeof(*au));
		if (!out->author_list) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		au = &out->author_list[out->n_authors++];
		au->name = cell_dup(a, res, i, 0);
		au->keyname = cell_dup(a, res, i, 1);
		au->forenames = cell_dup(a, res, i, 2);
		au->suffix = cell_dup(a, res, i, 3);
		au->affiliation = cell_dup(a, res, i, 4);
	}
	PQclear(res);
	res = pg_run(s, PGQ_GET_VERSIONS,
		     "SELECT version, created, size FROM paper_versions WHERE paper_id = $1::bigint"
		     " ORDER BY version",
		     &par, 1, err, "reading a paper's versions");
	if (!res)
		return err->rc;
	n = PQntuples(res);
	cap = 0;
	for (i = 0; i < n; i++) {
		struct paper_version *v;
		out->versions = arena_grow(a, out->versions, out->n_versions, &cap, sizeof(*v));
		if (!out->versions) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		v = &out->versions[out->n_versions++];
		v->version = (int)pg_cell_long(res, i, 0);
		v->created = cell_dup(a, res, i, 1);
		v->size = cell_dup(a, res, i, 2);
	}
	if (paper_split_authors(out, a))
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
out:
	PQclear(res);
	return rc;
}

/* ---- statistics ---- */

static int count_list(struct pg_store *s, int q, const char *sql, struct arena *a,
		      struct store_count **out, size_t *n, struct pb_err *err)
{
	PGresult *res = pg_run(s, q, sql, NULL, 1, err, "reading statistics");
	size_t cap = 0;
	int i, rows, rc = PB_OK;

	*out = NULL;
	*n = 0;
	if (!res)
		return err->rc;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++) {
		*out = arena_grow(a, *out, *n, &cap, sizeof(**out));
		if (!*out) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			break;
		}
		snprintf((*out)[*n].key, sizeof((*out)[*n].key), "%s",
			 PQgetisnull(res, i, 0) ? "?" : PQgetvalue(res, i, 0));
		(*out)[*n].count = (long)pg_cell_long(res, i, 1);
		(*n)++;
	}
	PQclear(res);
	return rc;
}

static int pq_stats(struct store *st, struct arena *a, struct store_stats *out, struct pb_err *err)
{
	struct pg_store *s = S(st);
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	res = pg_run(s, PGQ_STATS,
		     "SELECT (SELECT count(*) FROM papers WHERE deleted = 0),"
		     " (SELECT count(*) FROM papers WHERE deleted = 1),"
		     " (SELECT count(*) FROM paper_authors), (SELECT count(*) FROM paper_versions),"
		     " (SELECT min(announced) FROM papers WHERE deleted = 0),"
		     " (SELECT max(announced) FROM papers WHERE deleted = 0),"
		     " pg_database_size(current_database())",
		     NULL, 1, err, "counting papers");
	if (!res)
		return err->rc;
	out->papers = (long)pg_cell_long(res, 0, 0);
	out->deleted = (long)pg_cell_long(res, 0, 1);
	out->authors = (long)pg_cell_long(res, 0, 2);
	out->versions = (long)pg_cell_long(res, 0, 3);
	pg_cell(res, 0, 4, out->first_announced, sizeof(out->first_announced));
	pg_cell(res, 0, 5, out->last_announced, sizeof(out->last_announced));
	out->db_bytes = (int64_t)pg_cell_long(res, 0, 6);
	PQclear(res);
	rc =
	    count_list(s, PGQ_BY_YEAR,
		       "SELECT substr(coalesce(published, announced, updated), 1, 4) AS y, count(*)"
		       " FROM papers WHERE deleted = 0 GROUP BY y ORDER BY y NULLS FIRST",
		       a, &out->by_year, &out->n_by_year, err);
	if (rc)
		return rc;
	return count_list(
	    s, PGQ_BY_CATEGORY,
	    "SELECT coalesce(primary_category, '(none)') AS c, count(*) AS n FROM papers"
	    " WHERE deleted = 0 GROUP BY c ORDER BY n DESC, c",
	    a, &out->by_category, &out->n_by_category, err);
}

/* ---- listings ---- */

/* Listing statements are assembled from these fixed fragments, one per
 * sort, filter combination and count/rows, each prepared once. The
 * parameters are always $1 limit, $2 offset, $3 from, $4 to, $5 category,
 * $6 author pattern, $7 word patterns (text[]), NULL when unused. */
enum { F_FROM = 1, F_TO = 2, F_CATEGORY = 4, F_AUTHOR = 8, F_WORDS = 16 };

static const char *const sort_sql[3] = {
    " ORDER BY announced DESC NULLS LAST, coalesce(ext_upvotes, 0) DESC, arxiv_id",
    " ORDER BY coalesce(ext_upvotes, 0) DESC, announced DESC NULLS LAST, arxiv_id",
    /* (upvotes + 1) / (age_hours + 2)^1.5, age from midnight UTC of the
     * announcement day; see docs/ranking.md */
    " ORDER BY (coalesce(ext_upvotes, 0) + 1)::float8 / power(greatest(extract(epoch FROM"
    " statement_timestamp() - ((announced::date)::timestamp AT TIME ZONE 'UTC'))::float8"
    " / 3600, 0) + 2, 1.5) DESC, arxiv_id",
};

static int listing_sql(struct buf *sql, int sort, int mask, int count)
{
	buf_reset(sql);
	buf_adds(sql, count ? "SELECT count(*) FROM papers WHERE deleted = 0"
			    : "SELECT " PAPER_COLUMNS " FROM papers WHERE deleted = 0");
	if (mask & F_FROM)
		buf_adds(sql, " AND announced >= $3");
	if (mask & F_TO)
		buf_adds(sql, " AND announced <= $4");
	if (mask & F_CATEGORY)
		buf_adds(sql, " AND EXISTS (SELECT 1 FROM paper_categories c"
			      " WHERE c.paper_id = papers.id AND c.category = $5)");
	if (mask & F_AUTHOR)
		buf_adds(sql, " AND authors ILIKE $6");
	if (mask & F_WORDS)
		buf_adds(sql,
			 " AND NOT EXISTS (SELECT 1 FROM unnest($7::text[]) AS w (pat) WHERE NOT"
			 " (title ILIKE w.pat OR abstract ILIKE w.pat OR authors ILIKE w.pat))");
	if (!count) {
		buf_adds(sql, sort_sql[sort]);
		buf_adds(sql, " LIMIT $1 OFFSET $2");
	}
	return PB_OK;
}

/* Escapes % _ and \ for ILIKE (whose escape character is \). */
static void like_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
}

/* Runs a listing for filter f and the word patterns words (an array
 * literal, NULL for none). */
static int run_listing(struct pg_store *s, const struct store_filter *f, const char *words,
		       long *total, struct arena *a, store_paper_cb cb, void *ctx,
		       struct pb_err *err)
{
	static const Oid types[7] = {OID_INT8, OID_INT8, OID_TEXT,	OID_TEXT,
				     OID_TEXT, OID_TEXT, OID_TEXT_ARRAY};
	int sort = f->sort == STORE_SORT_VOTES ? 1 : f->sort == STORE_SORT_TRENDING ? 2 : 0;
	struct pg_params par = {.n = 0};
	struct buf sql, au;
	PGresult *res = NULL;
	int mask = 0, pass, rc = PB_OK, i, n;

	buf_init(&sql, 65536);
	buf_init(&au, 4096);
	if (total)
		*total = 0;
	/* stored text is UTF-8: a filter that is not matches nothing */
	if (!utf8_ok(f->from) || !utf8_ok(f->to) || !utf8_ok(f->category) || !utf8_ok(f->author) ||
	    !utf8_ok(words))
		goto out;
	if (f->author) {
		buf_addc(&au, '%');
		like_escape(&au, f->author);
		buf_addc(&au, '%');
	}
	mask = (f->from ? F_FROM : 0) | (f->to ? F_TO : 0) | (f->category ? F_CATEGORY : 0) |
	       (f->author ? F_AUTHOR : 0) | (words ? F_WORDS : 0);
	pg_param_long(&par, f->limit > 0 ? f->limit : 30);
	pg_param_long(&par, f->offset > 0 ? f->offset : 0);
	pg_param_text(&par, f->from);
	pg_param_text(&par, f->to);
	pg_param_text(&par, f->category);
	pg_param_text(&par, f->author ? au.data : NULL);
	pg_param_text(&par, words);
	for (pass = total ? 0 : 1; pass < 2; pass++) {
		listing_sql(&sql, sort, mask, pass == 0);
		res = pg_run_typed(s, PGQ_LIST + (sort * 32 + mask) * 2 + (pass == 0), sql.data,
				   &par, types, 1, err,
				   pass == 0 ? "counting a listing" : "reading a listing");
		if (!res) {
			rc = err->rc;
			goto out;
		}
		if (pass == 0) {
			*total = (long)pg_cell_long(res, 0, 0);
			PQclear(res);
			res = NULL;
			continue;
		}
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			struct paper p;
			rc = row_to_paper(res, i, a, &p);
			if (!rc)
				rc = paper_split_authors(&p, a);
			if (rc) {
				rc = pb_err_set(err, rc, "out of memory");
				break;
			}
			if ((rc = cb(ctx, &p)))
				break;
		}
	}
out:
	PQclear(res);
	buf_release(&sql);
	buf_release(&au);
	return rc;
}

static int pq_list(struct store *st, const struct store_filter *f, long *total, struct arena *a,
		   store_paper_cb cb, void *ctx, struct pb_err *err)
{
	return run_listing(S(st), f, NULL, total, a, cb, ctx, err);
}

static int pq_announced(struct store *st, const char *from, const char *to, long offset, long limit,
			long *total, struct arena *a, store_paper_cb cb, void *ctx,
			struct pb_err *err)
{
	struct store_filter f;
	memset(&f, 0, sizeof(f));
	f.from = from;
	f.to = to;
	f.offset = offset;
	f.limit = limit;
	f.sort = STORE_SORT_DAY;
	return run_listing(S(st), &f, NULL, total, a, cb, ctx, err);
}

#define MATCH_WORDS_MAX 16
#define MATCH_WORD_BYTES 199

static int pq_match(struct store *st, const char *words, const struct store_filter *f, long *total,
		    struct arena *a, store_paper_cb cb, void *ctx, struct pb_err *err)
{
	struct buf arr, w;
	const char *p = words;
	int n = 0, rc = PB_OK;

	buf_init(&arr, 16384);
	buf_init(&w, 1024);
	arr_open(&arr, &rc);
	while (*p && n < MATCH_WORDS_MAX) {
		const char *start;
		size_t len;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (p == start)
			break;
		len = (size_t)(p - start);
		if (len > MATCH_WORD_BYTES) {
			len = MATCH_WORD_BYTES;
			while (len && ((unsigned char)start[len] & 0xc0) == 0x80)
				len--; /* not in the middle of a character */
		}
		buf_reset(&w);
		buf_addc(&w, '%');
		{
			char tmp[MATCH_WORD_BYTES + 1];
			memcpy(tmp, start, len);
			tmp[len] = '\0';
			like_escape(&w, tmp);
		}
		buf_addc(&w, '%');
		arr_add(&arr, w.data, &rc);
		n++;
	}
	arr_close(&arr, &rc);
	if (!rc)
		rc = run_listing(S(st), f, n ? arr.data : NULL, total, a, cb, ctx, err);
	else
		rc = pb_err_set(err, rc, "out of memory");
	buf_release(&arr);
	buf_release(&w);
	return rc;
}

/* ---- days ---- */

static int pq_latest_day(struct store *st, char out[11], struct pb_err *err)
{
	PGresult *res =
	    pg_run(S(st), PGQ_LATEST_DAY, "SELECT max(announced) FROM papers WHERE deleted = 0",
		   NULL, 1, err, "finding the latest day");
	out[0] = '\0';
	if (!res)
		return err->rc;
	pg_cell(res, 0, 0, out, 11);
	PQclear(res);
	return PB_OK;
}

static int pq_neighbours(struct store *st, const char *day, char prev[11], char next[11],
			 struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;

	prev[0] = next[0] = '\0';
	if (!utf8_ok(day))
		return PB_OK;
	pg_param_text(&par, day);
	res = pg_run(S(st), PGQ_NEIGHBOURS,
		     "SELECT (SELECT max(announced) FROM papers WHERE announced < $1::text"
		     " AND deleted = 0), (SELECT min(announced) FROM papers"
		     " WHERE announced > $1::text AND deleted = 0)",
		     &par, 1, err, "finding a day");
	if (!res)
		return err->rc;
	pg_cell(res, 0, 0, prev, 11);
	pg_cell(res, 0, 1, next, 11);
	PQclear(res);
	return PB_OK;
}

static int pq_day_counts(struct store *st, const char *from, const char *to, int top_n,
			 struct arena *a, struct store_day_count **out, size_t *n,
			 struct pb_err *err)
{
	struct pg_params par = {.n = 0};
	PGresult *res;
	size_t cap = 0;
	int i, rows, rc = PB_OK;

	*out = NULL;
	*n = 0;
	if (!utf8_ok(from) || !utf8_ok(to))
		return PB_OK;
	pg_param_text(&par, from);
	pg_param_text(&par, to);
	if (top_n >= 0)
		pg_param_long(&par, top_n);
	else
		pg_param_text(&par, NULL); /* LIMIT NULL: all */
	res = pg_run(S(st), PGQ_DAY_COUNTS,
		     "WITH top AS (SELECT primary_category AS c FROM papers WHERE deleted = 0 AND"
		     "  announced BETWEEN $1::text AND $2::text GROUP BY c"
		     "  ORDER BY count(*) DESC, c LIMIT $3::bigint)"
		     " SELECT announced, CASE WHEN primary_category IN (SELECT c FROM top)"
		     "  THEN primary_category ELSE 'other' END AS cat, count(*)"
		     " FROM papers WHERE deleted = 0 AND announced BETWEEN $1::text AND $2::text"
		     " GROUP BY announced, cat ORDER BY announced, cat",
		     &par, 1, err, "reading day counts");
	if (!res)
		return err->rc;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++) {
		struct store_day_count *c;
		*out = arena_grow(a, *out, *n, &cap, sizeof(**out));
		if (!*out) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			break;
		}
		c = &(*out)[(*n)++];
		pg_cell(res, i, 0, c->day, sizeof(c->day));
		snprintf(c->category, sizeof(c->category), "%s",
			 PQgetisnull(res, i, 1) ? "other" : PQgetvalue(res, i, 1));
		c->count = (long)pg_cell_long(res, i, 2);
	}
	PQclear(res);
	return rc;
}

static int pq_count(struct store *st, long *papers, struct pb_err *err)
{
	PGresult *res = pg_run(S(st), PGQ_COUNT, "SELECT count(*) FROM papers WHERE deleted = 0",
			       NULL, 1, err, "counting papers");
	if (!res)
		return err->rc;
	*papers = (long)pg_cell_long(res, 0, 0);
	PQclear(res);
	return PB_OK;
}

/* The counter of data_version moves in every transaction that writes
 * papers, settings or the job log, visibly to others when it commits. */
/* PostgreSQL checkpoints on its own schedule. */
static int pq_checkpoint(struct store *st, struct pb_err *err)
{
	(void)st;
	(void)err;
	return PB_OK;
}

static int pq_data_version(struct store *st, unsigned long long *version, struct pb_err *err)
{
	PGresult *res = pg_run(S(st), PGQ_DATA_VERSION, "SELECT version FROM data_version", NULL, 1,
			       err, "reading the data version");
	if (!res)
		return err->rc;
	*version = (unsigned long long)pg_cell_long(res, 0, 0);
	PQclear(res);
	return PB_OK;
}

/* ---- scan for search indexes ---- */

static int pq_scan(struct store *st, long long after_row, const char *changed_since,
		   struct arena *a, store_scan_cb cb, void *ctx, struct pb_err *err)
{
	static const char *const sql[2] = {
	    "SELECT id, arxiv_id, title, abstract, authors, categories, published, updated,"
	    " announced, ext_upvotes, deleted FROM papers WHERE id > $1::bigint ORDER BY id",
	    "SELECT id, arxiv_id, title, abstract, authors, categories, published, updated,"
	    " announced, ext_upvotes, deleted FROM papers"
	    " WHERE id > $1::bigint OR last_changed >= $2::text ORDER BY id",
	};
	struct pg_store *s = S(st);
	int q = changed_since ? PGQ_SCAN_CHANGED : PGQ_SCAN, rc, cancelled = 0;
	struct pg_params par = {.n = 0};
	char name[16];
	PGresult *res;

	pg_param_long(&par, after_row);
	if (changed_since)
		pg_param_text(&par, changed_since);
	if ((rc = pg_prepare(s, q, sql[changed_since != NULL], 0, NULL, err)))
		return rc;
	snprintf(name, sizeof(name), "pb%d", q);
	if (!PQsendQueryPrepared(s->conn, name, par.n, par.v, NULL, NULL, 0))
		return pg_fail(s, NULL, err, "scanning papers");
	/* rows arrive one by one, so a scan of millions needs no more memory
	 * than one paper */
	PQsetSingleRowMode(s->conn);
	s->streaming = 1;
	while ((res = PQgetResult(s->conn)) != NULL) {
		ExecStatusType status = PQresultStatus(res);
		if (status == PGRES_SINGLE_TUPLE && !rc) {
			struct paper p;
			arena_reset(a);
			paper_init(&p);
			pg_cell(res, 0, 1, p.arxiv_id, sizeof(p.arxiv_id));
			p.title = cell_dup(a, res, 0, 2);
			p.abstract = cell_dup(a, res, 0, 3);
			p.authors = cell_dup(a, res, 0, 4);
			p.published = cell_dup(a, res, 0, 6);
			p.updated = cell_dup(a, res, 0, 7);
			p.announced = cell_dup(a, res, 0, 8);
			p.upvotes = cell_count(res, 0, 9);
			p.deleted = (int)pg_cell_long(res, 0, 10);
			if (!p.title || !p.abstract ||
			    paper_set_categories(&p, a, cell_dup(a, res, 0, 5)))
				rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			else
				rc = cb(ctx, pg_cell_long(res, 0, 0), &p);
		} else if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK && !rc &&
			   !cancelled) {
			rc = pg_fail(s, res, err, "scanning papers");
		}
		if (rc && !cancelled) {
			/* stop the server sending the rest */
			PGcancel *c = PQgetCancel(s->conn);
			char why[64];
			if (c) {
				PQcancel(c, why, sizeof(why));
				PQfreeCancel(c);
			}
			cancelled = 1;
		}
		PQclear(res);
	}
	s->streaming = 0;
	if (!rc && PQstatus(s->conn) != CONNECTION_OK)
		rc = pg_fail(s, NULL, err, "scanning papers");
	return rc;
}

/* ---- open/close ---- */

static void pq_close(struct store *st)
{
	struct pg_store *s = S(st);
	size_t i;
	if (!s)
		return;
	if (s->conn)
		PQfinish(s->conn); /* the server rolls back an open transaction */
	for (i = 0; i < sizeof(s->bufs) / sizeof(s->bufs[0]); i++)
		buf_release(&s->bufs[i]);
	free(s);
}

static const struct store_ops pg_ops = {
    .name = "postgresql",
    .close = pq_close,
    .begin = pq_begin,
    .commit = pq_commit,
    .rollback = pq_rollback,
    .paper_upsert = pq_upsert,
    .paper_get = pq_get,
    .stats = pq_stats,
    .papers_announced = pq_announced,
    .papers_list = pq_list,
    .papers_match = pq_match,
    .latest_day = pq_latest_day,
    .day_neighbours = pq_neighbours,
    .day_counts = pq_day_counts,
    .count = pq_count,
    .data_version = pq_data_version,
    .checkpoint = pq_checkpoint,
    .setting_get = pg_setting_get,
    .setting_set = pg_setting_set,
    .lease_acquire = pg_lease_acquire,
    .lease_release = pg_lease_release,
    .job_start = pg_job_start,
    .job_finish = pg_job_finish,
    .job_runs = pg_job_runs,
    .check = pg_check,
    .papers_scan = pq_scan,
};

int store_pg_target(const char *target)
{
	static const char *const starts[] = {"postgres://", "postgresql://", "host=", "hostaddr=",
					     "port=",	    "dbname=",	     "user=", "service="};
	size_t i;
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (text_starts(target, starts[i]))
			return 1;
	return 0;
}

struct store *store_pg_open(const char *target, struct pb_err *err)
{
	struct pg_store *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &pg_ops;
	for (i = 0; i < sizeof(s->bufs) / sizeof(s->bufs[0]); i++)
		buf_init(&s->bufs[i], 0);
	if (pg_connect(s, target, err) || pg_migrate(s, err)) {
		pq_close(&s->base);
		return NULL;
	}
	return &s->base;
}
