/* store_sqlite.c - the embedded SQLite backend of the paper store.
 * One database file in WAL mode with foreign keys; schema in schema.c. */
#include "schema.h"
#include "sqlite_int.h"
#include "store.h"

#include "../core/buf.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum {
	Q_FIND,
	Q_INSERT,
	Q_UPDATE,
	Q_UPDATE_EXTERNAL,
	Q_DELETE_MARK,
	Q_AUTHORS_DEL,
	Q_AUTHOR_ADD,
	Q_CATS_DEL,
	Q_CAT_ADD,
	Q_VERSIONS_DEL,
	Q_VERSION_ADD,
	Q_GET,
	Q_GET_AUTHORS,
	Q_GET_CATS,
	Q_GET_VERSIONS,
	Q_COUNT
};

/* The papers not deleted: all of them (SQLite counts an index) minus the
 * deleted ones (a partial index), instead of a pass over the table. */
#define LIVE_PAPERS                                                                                \
	"SELECT (SELECT count(*) FROM papers) - (SELECT count(*) FROM papers WHERE deleted = 1)"

static const char *const queries[Q_COUNT] = {
	[Q_FIND] = "SELECT id, version, updated, hash, deleted FROM papers WHERE arxiv_id = ?1",
	[Q_INSERT] =
		"INSERT INTO papers (arxiv_id, version, title, abstract, authors, n_authors,"
		" categories, primary_category, comments, journal_ref, doi, report_no, msc_class,"
		" acm_class, license, submitter, published, updated, announced, announce_type,"
		" code_url, project_url, ext_upvotes, ext_comments, submitted_by, submitted_at,"
		" source, deleted, hash, first_seen, last_changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		" ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
		" ?23, ?24, ?25, ?26, ?27, 0, ?28, ?29, ?29)",
	[Q_UPDATE] =
		"UPDATE papers SET version = max(version, ?2), title = ?3, abstract = ?4,"
		" authors = CASE WHEN ?6 > 0 THEN ?5 ELSE authors END,"
		" n_authors = CASE WHEN ?6 > 0 THEN ?6 ELSE n_authors END,"
		" categories = CASE WHEN ?7 <> '' THEN ?7 ELSE categories END,"
		" primary_category = coalesce(?8, primary_category),"
		" comments = coalesce(?9, comments), journal_ref = coalesce(?10, journal_ref),"
		" doi = coalesce(?11, doi), report_no = coalesce(?12, report_no),"
		" msc_class = coalesce(?13, msc_class), acm_class = coalesce(?14, acm_class),"
		" license = coalesce(?15, license), submitter = coalesce(?16, submitter),"
		" published = coalesce(published, ?17), updated = coalesce(?18, updated),"
		" announced = CASE WHEN ?20 = 1 AND ?19 IS NOT NULL THEN ?19"
		"   ELSE coalesce(announced, ?19) END,"
		" announce_type = CASE WHEN ?20 = 1 OR announced IS NULL THEN ?20 ELSE announce_type END,"
		" code_url = coalesce(?21, code_url), project_url = coalesce(?22, project_url),"
		" ext_upvotes = coalesce(?23, ext_upvotes), ext_comments = coalesce(?24, ext_comments),"
		" submitted_by = coalesce(?25, submitted_by), submitted_at = coalesce(?26, submitted_at),"
		" source = ?27, deleted = 0, hash = ?28, last_changed = ?29"
		" WHERE arxiv_id = ?1",
	[Q_UPDATE_EXTERNAL] =
		"UPDATE papers SET"
		" code_url = coalesce(code_url, ?21), project_url = coalesce(project_url, ?22),"
		" ext_upvotes = coalesce(?23, ext_upvotes), ext_comments = coalesce(?24, ext_comments),"
		" submitted_by = coalesce(?25, submitted_by), submitted_at = coalesce(?26, submitted_at),"
		" announced = coalesce(announced, ?19)"
		" WHERE arxiv_id = ?1 AND (coalesce(code_url, '') <> coalesce(code_url, ?21, '')"
		"  OR coalesce(project_url, '') <> coalesce(project_url, ?22, '')"
		"  OR coalesce(ext_upvotes, -1) <> coalesce(?23, ext_upvotes, -1)"
		"  OR coalesce(ext_comments, -1) <> coalesce(?24, ext_comments, -1)"
		"  OR coalesce(submitted_by, '') <> coalesce(?25, submitted_by, '')"
		"  OR coalesce(submitted_at, '') <> coalesce(?26, submitted_at, '')"
		"  OR coalesce(announced, '') <> coalesce(announced, ?19, ''))",
	[Q_DELETE_MARK] = "UPDATE papers SET deleted = 1, last_changed = ?2 WHERE id = ?1",
	[Q_AUTHORS_DEL] = "DELETE FROM paper_authors WHERE paper_id = ?1",
	[Q_AUTHOR_ADD] = "INSERT INTO paper_authors (paper_id, pos, name, keyname, forenames,"
			 " suffix, affiliation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_CATS_DEL] = "DELETE FROM paper_categories WHERE paper_id = ?1",
	[Q_CAT_ADD] = "INSERT INTO paper_categories (paper_id, pos, category) VALUES (?1, ?2, ?3)",
	[Q_VERSIONS_DEL] = "DELETE FROM paper_versions WHERE paper_id = ?1",
	[Q_VERSION_ADD] = "INSERT OR REPLACE INTO paper_versions (paper_id, version, created, size)"
			  " VALUES (?1, ?2, ?3, ?4)",
	[Q_GET] = "SELECT id, arxiv_id, version, title, abstract, authors, comments, journal_ref,"
		  " doi, report_no, msc_class, acm_class, license, submitter, published, updated,"
		  " announced, announce_type, code_url, project_url, ext_upvotes, ext_comments,"
		  " submitted_by, submitted_at, source, deleted, categories"
		  " FROM papers WHERE arxiv_id = ?1",
	[Q_GET_AUTHORS] = "SELECT name, keyname, forenames, suffix, affiliation FROM paper_authors"
			  " WHERE paper_id = ?1 ORDER BY pos",
	[Q_GET_CATS] = "SELECT category FROM paper_categories WHERE paper_id = ?1 ORDER BY pos",
	[Q_GET_VERSIONS] = "SELECT version, created, size FROM paper_versions WHERE paper_id = ?1"
			   " ORDER BY version",
};

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	int in_tx;
};

static struct sqlite_store *S(struct store *st)
{
	return (struct sqlite_store *)st;
}

static int db_error(struct sqlite_store *s, struct pb_err *err, const char *what)
{
	int code = sqlite3_errcode(s->db);
	int rc = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? PB_EBUSY
		 : (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? PB_ECORRUPT
								      : PB_EDB;
	return pb_err_set(err, rc, "%s: %s: %s", s->base.path, what, sqlite3_errmsg(s->db));
}

static int exec(struct sqlite_store *s, const char *sql, struct pb_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = db_error(s, err, msg ? msg : "statement failed");
		sqlite3_free(msg);
		return rc;
	}
	return PB_OK;
}

static void now_moment(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- transactions ---- */

static int sq_begin(struct store *st, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	int rc = exec(s, "BEGIN IMMEDIATE", err);
	if (!rc)
		s->in_tx = 1;
	return rc;
}

static int sq_commit(struct store *st, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	int rc = exec(s, "COMMIT", err);
	if (!rc)
		s->in_tx = 0;
	return rc;
}

static void sq_rollback(struct store *st)
{
	struct sqlite_store *s = S(st);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

/* ---- upsert ---- */

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

static void bind_int_or_null(sqlite3_stmt *q, int i, int v)
{
	if (v >= 0)
		sqlite3_bind_int(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static int step_done(struct sqlite_store *s, sqlite3_stmt *q, struct pb_err *err,
		     const char *what)
{
	int r = sqlite3_step(q);
	sqlite3_reset(q);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_error(s, err, what);
	return PB_OK;
}

/* Binds the shared parameter list ?1..?29 of Q_INSERT/Q_UPDATE. */
static void bind_paper(sqlite3_stmt *q, const struct paper *p, struct buf *cats,
		       long long hash, const char *now)
{
	size_t i;
	buf_reset(cats);
	for (i = 0; i < p->n_categories; i++) {
		if (i)
			buf_addc(cats, ' ');
		buf_adds(cats, p->categories[i]);
	}
	sqlite3_bind_text(q, 1, p->arxiv_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, p->version);
	bind_text(q, 3, p->title);
	bind_text(q, 4, p->abstract);
	bind_text(q, 5, p->authors ? p->authors : "");
	sqlite3_bind_int64(q, 6, (sqlite3_int64)p->n_authors);
	sqlite3_bind_text(q, 7, cats->data, (int)cats->len, SQLITE_STATIC);
	bind_text(q, 8, p->n_categories ? p->categories[0] : NULL);
	bind_text(q, 9, p->comments);
	bind_text(q, 10, p->journal_ref);
	bind_text(q, 11, p->doi);
	bind_text(q, 12, p->report_no);
	bind_text(q, 13, p->msc_class);
	bind_text(q, 14, p->acm_class);
	bind_text(q, 15, p->license);
	bind_text(q, 16, p->submitter);
	bind_text(q, 17, p->published);
	bind_text(q, 18, p->updated);
	bind_text(q, 19, p->announced ? p->announced : p->published ? p->published : p->updated);
	sqlite3_bind_int(q, 20, (int)p->announce_type);
	bind_text(q, 21, p->code_url);
	bind_text(q, 22, p->project_url);
	bind_int_or_null(q, 23, p->upvotes);
	bind_int_or_null(q, 24, p->num_comments);
	bind_text(q, 25, p->submitted_by);
	bind_text(q, 26, p->submitted_at);
	bind_text(q, 27, p->source);
	sqlite3_bind_int64(q, 28, hash);
	sqlite3_bind_text(q, 29, now, -1, SQLITE_TRANSIENT);
}

/* 1 if the source gave more than a list of names (parsed names or
 * affiliations); only then are author rows stored, the display string
 * holding the rest. */
static int paper_authors_structured(const struct paper *p)
{
	size_t i;
	for (i = 0; i < p->n_authors; i++)
		if (p->author_list[i].keyname || p->author_list[i].affiliation)
			return 1;
	return 0;
}

static int write_children(struct sqlite_store *s, sqlite3_int64 id, const struct paper *p,
			  int replace, struct pb_err *err)
{
	sqlite3_stmt *q;
	size_t i;
	int rc;

	if (paper_authors_structured(p)) {
		if (replace) {
			q = s->q[Q_AUTHORS_DEL];
			sqlite3_bind_int64(q, 1, id);
			if ((rc = step_done(s, q, err, "removing old authors")))
				return rc;
		}
		q = s->q[Q_AUTHOR_ADD];
		for (i = 0; i < p->n_authors; i++) {
			const struct paper_author *au = &p->author_list[i];
			sqlite3_bind_int64(q, 1, id);
			sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
			bind_text(q, 3, au->name ? au->name : "");
			bind_text(q, 4, au->keyname);
			bind_text(q, 5, au->forenames);
			bind_text(q, 6, au->suffix);
			bind_text(q, 7, au->affiliation);
			if ((rc = step_done(s, q, err, "storing an author")))
				return rc;
		}
	}
	if (p->n_categories) {
		if (replace) {
			q = s->q[Q_CATS_DEL];
			sqlite3_bind_int64(q, 1, id);
			if ((rc = step_done(s, q, err, "removing old categories")))
				return rc;
		}
		q = s->q[Q_CAT_ADD];
		for (i = 0; i < p->n_categories; i++) {
			sqlite3_bind_int64(q, 1, id);
			sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
			bind_text(q, 3, p->categories[i]);
			if ((rc = step_done(s, q, err, "storing a category")))
				return rc;
		}
	}
	if (p->n_versions) {
		/* versions accumulate: a source may list only some of them */
		q = s->q[Q_VERSION_ADD];
		for (i = 0; i < p->n_versions; i++) {
			sqlite3_bind_int64(q, 1, id);
			sqlite3_bind_int(q, 2, p->versions[i].version);
			bind_text(q, 3, p->versions[i].created);
			bind_text(q, 4, p->versions[i].size);
			if ((rc = step_done(s, q, err, "storing a version")))
				return rc;
		}
	}
	return PB_OK;
}

/* 1 if the incoming record describes an older state than the stored one. */
static int is_older(const struct paper *p, int stored_version, const char *stored_updated)
{
	if (p->version > 0 && stored_version > 0 && p->version != stored_version)
		return p->version < stored_version;
	if (p->updated && stored_updated)
		return strcmp(p->updated, stored_updated) < 0;
	return 0;
}

static int sq_upsert(struct store *st, const struct paper *p, enum store_upsert *result,
		     struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	sqlite3_stmt *q = s->q[Q_FIND];
	sqlite3_int64 id = 0;
	int found = 0, stored_version = 0, stored_deleted = 0, r, rc = PB_OK;
	long long stored_hash = 0, hash = (long long)(p->hash ? p->hash : paper_hash(p));
	char stored_updated[32] = "";
	char now[21];
	struct buf cats;

	buf_init(&cats, 4096);
	now_moment(now);
	sqlite3_bind_text(q, 1, p->arxiv_id, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		const unsigned char *u;
		found = 1;
		id = sqlite3_column_int64(q, 0);
		stored_version = sqlite3_column_int(q, 1);
		u = sqlite3_column_text(q, 2);
		if (u)
			snprintf(stored_updated, sizeof(stored_updated), "%s", (const char *)u);
		stored_hash = sqlite3_column_int64(q, 3);
		stored_deleted = sqlite3_column_int(q, 4);
	}
	sqlite3_reset(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		rc = db_error(s, err, "looking up a paper");
		goto out;
	}

	if (p->deleted) {
		*result = STORE_UNCHANGED;
		if (found && !stored_deleted) {
			q = s->q[Q_DELETE_MARK];
			sqlite3_bind_int64(q, 1, id);
			sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
			rc = step_done(s, q, err, "marking a paper deleted");
			*result = STORE_UPDATED;
		}
		goto out;
	}
	if (found && stored_hash == hash && !stored_deleted) {
		*result = STORE_UNCHANGED;
		goto out;
	}
	if (found && is_older(p, stored_version, stored_updated[0] ? stored_updated : NULL)) {
		q = s->q[Q_UPDATE_EXTERNAL];
		bind_paper(q, p, &cats, hash, now);
		if ((rc = step_done(s, q, err, "updating a paper")))
			goto out;
		*result = sqlite3_changes(s->db) ? STORE_UPDATED : STORE_OLDER;
		goto out;
	}
	q = s->q[found ? Q_UPDATE : Q_INSERT];
	bind_paper(q, p, &cats, hash, now);
	if ((rc = step_done(s, q, err, found ? "updating a paper" : "storing a paper")))
		goto out;
	if (!found)
		id = sqlite3_last_insert_rowid(s->db);
	rc = write_children(s, id, p, found, err);
	*result = found ? STORE_UPDATED : STORE_NEW;
out:
	buf_release(&cats);
	return rc;
}

/* ---- reading ---- */

static char *col_dup(struct arena *a, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	if (!t)
		return NULL;
	return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(q, i));
}

/* Fills p from a row shaped like Q_GET (columns 1..26); children not read. */
static int row_to_paper(sqlite3_stmt *q, struct arena *a, struct paper *p)
{
	const unsigned char *id = sqlite3_column_text(q, 1);
	char *cats;
	paper_init(p);
	snprintf(p->arxiv_id, sizeof(p->arxiv_id), "%s", id ? (const char *)id : "");
	p->version = sqlite3_column_int(q, 2);
	p->title = col_dup(a, q, 3);
	p->abstract = col_dup(a, q, 4);
	p->authors = col_dup(a, q, 5);
	p->comments = col_dup(a, q, 6);
	p->journal_ref = col_dup(a, q, 7);
	p->doi = col_dup(a, q, 8);
	p->report_no = col_dup(a, q, 9);
	p->msc_class = col_dup(a, q, 10);
	p->acm_class = col_dup(a, q, 11);
	p->license = col_dup(a, q, 12);
	p->submitter = col_dup(a, q, 13);
	p->published = col_dup(a, q, 14);
	p->updated = col_dup(a, q, 15);
	p->announced = col_dup(a, q, 16);
	p->announce_type = (enum paper_announce)sqlite3_column_int(q, 17);
	p->code_url = col_dup(a, q, 18);
	p->project_url = col_dup(a, q, 19);
	p->upvotes = sqlite3_column_type(q, 20) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 20);
	p->num_comments = sqlite3_column_type(q, 21) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 21);
	p->submitted_by = col_dup(a, q, 22);
	p->submitted_at = col_dup(a, q, 23);
	p->source = NULL;
	p->deleted = sqlite3_column_int(q, 25);
	cats = col_dup(a, q, 26);
	if (!p->title || !p->abstract)
		return PB_ENOMEM;
	return paper_set_categories(p, a, cats);
}

static int sq_get(struct store *st, const char *arxiv_id, struct arena *a, struct paper *out,
		  struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	sqlite3_stmt *q = s->q[Q_GET];
	sqlite3_int64 id;
	size_t cap;
	int r, rc = PB_OK;

	sqlite3_bind_text(q, 1, arxiv_id, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r != SQLITE_ROW) {
		sqlite3_reset(q);
		if (r == SQLITE_DONE)
			return pb_err_set(err, PB_ENOTFOUND, "no paper with id %s", arxiv_id);
		return db_error(s, err, "reading a paper");
	}
	id = sqlite3_column_int64(q, 0);
	rc = row_to_paper(q, a, out);
	sqlite3_reset(q);
	if (rc)
		return pb_err_set(err, rc, "out of memory");

	q = s->q[Q_GET_AUTHORS];
	sqlite3_bind_int64(q, 1, id);
	cap = 0;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct paper_author *au;
		out->author_list = arena_grow(a, out->author_list, out->n_authors, &cap, sizeof(*au));
		if (!out->author_list) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			break;
		}
		au = &out->author_list[out->n_authors++];
		au->name = col_dup(a, q, 0);
		au->keyname = col_dup(a, q, 1);
		au->forenames = col_dup(a, q, 2);
		au->suffix = col_dup(a, q, 3);
		au->affiliation = col_dup(a, q, 4);
	}
	sqlite3_reset(q);
	if (rc)
		return rc;

	q = s->q[Q_GET_VERSIONS];
	sqlite3_bind_int64(q, 1, id);
	cap = 0;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct paper_version *v;
		out->versions = arena_grow(a, out->versions, out->n_versions, &cap, sizeof(*v));
		if (!out->versions) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			break;
		}
		v = &out->versions[out->n_versions++];
		v->version = sqlite3_column_int(q, 0);
		v->created = col_dup(a, q, 1);
		v->size = col_dup(a, q, 2);
	}
	sqlite3_reset(q);
	if (!rc && paper_split_authors(out, a))
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
	return rc;
}

static int count_list(struct sqlite_store *s, const char *sql, struct arena *a,
		      struct store_count **out, size_t *n, struct pb_err *err)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, err, "preparing statistics");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(q, 0);
		*out = arena_grow(a, *out, *n, &cap, sizeof(**out));
		if (!*out) {
			sqlite3_finalize(q);
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		}
		snprintf((*out)[*n].key, sizeof((*out)[*n].key), "%s", k ? (const char *)k : "?");
		(*out)[*n].count = sqlite3_column_int64(q, 1);
		(*n)++;
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return db_error(s, err, "reading statistics");
	return PB_OK;
}

static long scalar(struct sqlite_store *s, const char *sql, char *text, size_t text_len)
{
	sqlite3_stmt *q;
	long v = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW) {
		v = (long)sqlite3_column_int64(q, 0);
		if (text) {
			const unsigned char *t = sqlite3_column_text(q, 0);
			snprintf(text, text_len, "%s", t ? (const char *)t : "");
		}
	}
	sqlite3_finalize(q);
	return v;
}

static int sq_stats(struct store *st, struct arena *a, struct store_stats *out,
		    struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	struct stat sb;
	char path[1100];
	int rc;

	memset(out, 0, sizeof(*out));
	out->papers = scalar(s, LIVE_PAPERS, NULL, 0);
	out->deleted = scalar(s, "SELECT count(*) FROM papers WHERE deleted = 1", NULL, 0);
	out->authors = scalar(s, "SELECT count(*) FROM paper_authors", NULL, 0);
	out->versions = scalar(s, "SELECT count(*) FROM paper_versions", NULL, 0);
	scalar(s, "SELECT min(announced) FROM papers WHERE deleted = 0", out->first_announced,
	       sizeof(out->first_announced));
	scalar(s, "SELECT max(announced) FROM papers WHERE deleted = 0", out->last_announced,
	       sizeof(out->last_announced));
	if (out->papers < 0)
		return db_error(s, err, "counting papers");
	if (stat(s->base.path, &sb) == 0)
		out->db_bytes = sb.st_size;
	snprintf(path, sizeof(path), "%s-wal", s->base.path);
	if (stat(path, &sb) == 0)
		out->db_bytes += sb.st_size;
	rc = count_list(s,
			"SELECT substr(coalesce(published, announced, updated), 1, 4) AS y, count(*)"
			" FROM papers WHERE deleted = 0 GROUP BY y ORDER BY y",
			a, &out->by_year, &out->n_by_year, err);
	if (rc)
		return rc;
	return count_list(s,
			  "SELECT coalesce(primary_category, '(none)') AS c, count(*) AS n FROM papers"
			  " WHERE deleted = 0 GROUP BY c ORDER BY n DESC, c",
			  a, &out->by_category, &out->n_by_category, err);
}



/* ---- listings ---- */

#define PAPER_COLUMNS                                                                   \
	"id, arxiv_id, version, title, abstract, authors, comments, journal_ref, doi,"   \
	" report_no, msc_class, acm_class, license, submitter, published, updated,"      \
	" announced, announce_type, code_url, project_url, ext_upvotes, ext_comments,"   \
	" submitted_by, submitted_at, source, deleted, categories"

/* pb_trend(upvotes, day): upvotes with time decay, see docs/ranking.md. */
static void trend_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double votes = sqlite3_value_type(argv[0]) == SQLITE_NULL ? 0 : sqlite3_value_double(argv[0]);
	const unsigned char *day = sqlite3_value_text(argv[1]);
	int y, m, d;
	double age_hours = 0;
	(void)argc;
	if (day && !date_parse_day((const char *)day, strlen((const char *)day), &y, &m, &d)) {
		double then = (double)date_to_days(y, m, d) * 86400.0;
		age_hours = ((double)time(NULL) - then) / 3600.0;
		if (age_hours < 0)
			age_hours = 0;
	}
	sqlite3_result_double(ctx, (votes + 1.0) / pow(age_hours + 2.0, 1.5));
}

static const char *order_by(enum store_sort sort)
{
	switch (sort) {
	case STORE_SORT_VOTES:
		return " ORDER BY coalesce(ext_upvotes, 0) DESC, announced DESC, arxiv_id";
	case STORE_SORT_TRENDING:
		return " ORDER BY pb_trend(ext_upvotes, announced) DESC, arxiv_id";
	case STORE_SORT_DAY:
	case STORE_SORT_RELEVANCE:
		break;
	}
	return " ORDER BY announced DESC, coalesce(ext_upvotes, 0) DESC, arxiv_id";
}

/* Appends the filter's conditions; binds are numbered from ?10 up. */
static void filter_sql(struct buf *sql, const struct store_filter *f)
{
	if (f->from)
		buf_adds(sql, " AND announced >= ?10");
	if (f->to)
		buf_adds(sql, " AND announced <= ?11");
	if (f->category)
		buf_adds(sql, " AND EXISTS (SELECT 1 FROM paper_categories c WHERE"
			      " c.paper_id = papers.id AND c.category = ?12)");
	if (f->author)
		buf_adds(sql, " AND authors LIKE '%' || ?13 || '%' ESCAPE '\\'");
}

static void filter_bind(sqlite3_stmt *q, const struct store_filter *f, const char *author_like)
{
	if (f->from)
		sqlite3_bind_text(q, 10, f->from, -1, SQLITE_STATIC);
	if (f->to)
		sqlite3_bind_text(q, 11, f->to, -1, SQLITE_STATIC);
	if (f->category)
		sqlite3_bind_text(q, 12, f->category, -1, SQLITE_STATIC);
	if (f->author)
		sqlite3_bind_text(q, 13, author_like, -1, SQLITE_STATIC);
}

/* Escapes % _ and \ for LIKE ... ESCAPE '\'. */
static void like_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
}

#define MATCH_WORDS_MAX 16

/* Runs a listing: where is the condition after "deleted = 0", words (may
 * be empty) the LIKE patterns bound to ?20... */
static int run_listing(struct sqlite_store *s, const char *where, char words[][256], int nwords,
		       const struct store_filter *f, long *total, struct arena *a,
		       store_paper_cb cb, void *ctx, struct pb_err *err)
{
	struct buf sql, au;
	sqlite3_stmt *q = NULL;
	int r, rc = PB_OK, i, pass;

	buf_init(&sql, 65536);
	buf_init(&au, 1024);
	if (f->author)
		like_escape(&au, f->author);
	for (pass = total ? 0 : 1; pass < 2; pass++) {
		buf_reset(&sql);
		buf_adds(&sql, pass == 0 ? "SELECT count(*) FROM papers WHERE deleted = 0"
					 : "SELECT " PAPER_COLUMNS " FROM papers WHERE deleted = 0");
		buf_adds(&sql, where);
		filter_sql(&sql, f);
		if (pass == 1) {
			buf_adds(&sql, order_by(f->sort));
			buf_adds(&sql, " LIMIT ?1 OFFSET ?2");
		}
		if (sqlite3_prepare_v2(s->db, sql.data, -1, &q, NULL) != SQLITE_OK) {
			rc = db_error(s, err, "preparing a listing");
			goto out;
		}
		if (pass == 1) {
			sqlite3_bind_int64(q, 1, f->limit > 0 ? f->limit : 30);
			sqlite3_bind_int64(q, 2, f->offset > 0 ? f->offset : 0);
		}
		filter_bind(q, f, au.data);
		for (i = 0; i < nwords; i++)
			sqlite3_bind_text(q, 20 + i, words[i], -1, SQLITE_STATIC);
		if (pass == 0) {
			r = sqlite3_step(q);
			*total = r == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
			sqlite3_finalize(q);
			q = NULL;
			if (r != SQLITE_ROW) {
				rc = db_error(s, err, "counting a listing");
				goto out;
			}
			continue;
		}
		while ((r = sqlite3_step(q)) == SQLITE_ROW) {
			struct paper p;
			rc = row_to_paper(q, a, &p);
			if (!rc)
				rc = paper_split_authors(&p, a);
			if (rc) {
				rc = pb_err_set(err, rc, "out of memory");
				break;
			}
			rc = cb(ctx, &p);
			if (rc)
				break;
		}
		if (!rc && r != SQLITE_DONE)
			rc = db_error(s, err, "reading a listing");
	}
out:
	sqlite3_finalize(q);
	buf_release(&sql);
	buf_release(&au);
	return rc;
}

static int sq_list(struct store *st, const struct store_filter *f, long *total, struct arena *a,
		   store_paper_cb cb, void *ctx, struct pb_err *err)
{
	return run_listing(S(st), "", NULL, 0, f, total, a, cb, ctx, err);
}

static int sq_announced(struct store *st, const char *from, const char *to, long offset,
			long limit, long *total, struct arena *a, store_paper_cb cb, void *ctx,
			struct pb_err *err)
{
	struct store_filter f;
	memset(&f, 0, sizeof(f));
	f.from = from;
	f.to = to;
	f.offset = offset;
	f.limit = limit;
	f.sort = STORE_SORT_DAY;
	return run_listing(S(st), "", NULL, 0, &f, total, a, cb, ctx, err);
}

static int sq_match(struct store *st, const char *words, const struct store_filter *f,
		    long *total, struct arena *a, store_paper_cb cb, void *ctx, struct pb_err *err)
{
	char pats[MATCH_WORDS_MAX][256];
	struct buf where, w;
	int n = 0, rc;
	const char *p = words;

	buf_init(&where, 8192);
	buf_init(&w, 250);
	while (*p && n < MATCH_WORDS_MAX) {
		const char *start;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (p == start)
			break;
		buf_reset(&w);
		buf_addc(&w, '%');
		{
			char tmp[200];
			size_t len = (size_t)(p - start) < sizeof(tmp) - 1 ? (size_t)(p - start) : sizeof(tmp) - 1;
			memcpy(tmp, start, len);
			tmp[len] = '\0';
			like_escape(&w, tmp);
		}
		buf_addc(&w, '%');
		snprintf(pats[n], sizeof(pats[n]), "%s", w.data);
		buf_addf(&where,
			 " AND (title LIKE ?%d ESCAPE '\\' OR abstract LIKE ?%d ESCAPE '\\'"
			 " OR authors LIKE ?%d ESCAPE '\\')",
			 20 + n, 20 + n, 20 + n);
		n++;
	}
	rc = run_listing(S(st), where.data, pats, n, f, total, a, cb, ctx, err);
	buf_release(&where);
	buf_release(&w);
	return rc;
}

static int sq_latest_day(struct store *st, char out[11], struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	out[0] = '\0';
	if (scalar(s, "SELECT max(announced) FROM papers WHERE deleted = 0", out, 11) < 0)
		return db_error(s, err, "finding the latest day");
	return PB_OK;
}

static int one_day(struct sqlite_store *s, const char *sql, const char *day, char out[11],
		   struct pb_err *err)
{
	sqlite3_stmt *q;
	int r;
	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, err, "finding a day");
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(out, 11, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_error(s, err, "finding a day");
	return PB_OK;
}

static int sq_neighbours(struct store *st, const char *day, char prev[11], char next[11],
			 struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	int rc = one_day(s, "SELECT max(announced) FROM papers WHERE announced < ?1 AND deleted = 0",
			 day, prev, err);
	if (rc)
		return rc;
	return one_day(s, "SELECT min(announced) FROM papers WHERE announced > ?1 AND deleted = 0",
		       day, next, err);
}

static int sq_day_counts(struct store *st, const char *from, const char *to, int top_n,
			 struct arena *a, struct store_day_count **out, size_t *n,
			 struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	sqlite3_stmt *q;
	size_t cap = 0;
	int r;
	const char *sql =
		"WITH top AS (SELECT primary_category AS c FROM papers WHERE deleted = 0 AND"
		"  announced BETWEEN ?1 AND ?2 GROUP BY c ORDER BY count(*) DESC, c LIMIT ?3)"
		" SELECT announced, CASE WHEN primary_category IN (SELECT c FROM top)"
		"  THEN primary_category ELSE 'other' END AS cat, count(*)"
		" FROM papers WHERE deleted = 0 AND announced BETWEEN ?1 AND ?2"
		" GROUP BY announced, cat ORDER BY announced, cat";

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, err, "preparing day counts");
	sqlite3_bind_text(q, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, top_n);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_day_count *c;
		const unsigned char *day = sqlite3_column_text(q, 0), *cat = sqlite3_column_text(q, 1);
		*out = arena_grow(a, *out, *n, &cap, sizeof(**out));
		if (!*out) {
			sqlite3_finalize(q);
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		}
		c = &(*out)[(*n)++];
		snprintf(c->day, sizeof(c->day), "%s", day ? (const char *)day : "");
		snprintf(c->category, sizeof(c->category), "%s", cat ? (const char *)cat : "other");
		c->count = (long)sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return db_error(s, err, "reading day counts");
	return PB_OK;
}

static int sq_count(struct store *st, long *papers, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	*papers = scalar(s, LIVE_PAPERS, NULL, 0);
	if (*papers < 0)
		return db_error(s, err, "counting papers");
	return PB_OK;
}

/* PRAGMA data_version moves when other connections commit; this
 * connection's own writes show in its total change count. Both only grow,
 * so their sum changes whenever either does. */
static int sq_data_version(struct store *st, unsigned long long *version, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	long v = scalar(s, "PRAGMA data_version", NULL, 0);
	if (v < 0)
		return db_error(s, err, "reading the data version");
	*version = (unsigned long long)v + (unsigned long long)sqlite3_total_changes64(s->db);
	return PB_OK;
}

/* A passive checkpoint: copies the log's frames into the database file
 * as far as readers allow and syncs it, blocking nobody. */
static int sq_checkpoint(struct store *st, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return db_error(s, err, "moving the write-ahead log into the database");
	return PB_OK;
}

/* ---- scan for search indexes ---- */

static int sq_scan(struct store *st, long long after_row, const char *changed_since,
		   struct arena *a, store_scan_cb cb, void *ctx, struct pb_err *err)
{
	struct sqlite_store *s = S(st);
	sqlite3_stmt *q = NULL;
	int r, rc = PB_OK;
	const char *sql =
		changed_since
			? "SELECT id, arxiv_id, title, abstract, authors, categories, published,"
			  " updated, announced, ext_upvotes, deleted FROM papers"
			  " WHERE id > ?1 OR last_changed >= ?2 ORDER BY id"
			: "SELECT id, arxiv_id, title, abstract, authors, categories, published,"
			  " updated, announced, ext_upvotes, deleted FROM papers"
			  " WHERE id > ?1 ORDER BY id";

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, err, "preparing a scan");
	sqlite3_bind_int64(q, 1, after_row);
	if (changed_since)
		sqlite3_bind_text(q, 2, changed_since, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct paper p;
		const unsigned char *id = sqlite3_column_text(q, 1);
		arena_reset(a);
		paper_init(&p);
		snprintf(p.arxiv_id, sizeof(p.arxiv_id), "%s", id ? (const char *)id : "");
		p.title = col_dup(a, q, 2);
		p.abstract = col_dup(a, q, 3);
		p.authors = col_dup(a, q, 4);
		p.published = col_dup(a, q, 6);
		p.updated = col_dup(a, q, 7);
		p.announced = col_dup(a, q, 8);
		p.upvotes = sqlite3_column_type(q, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 9);
		p.deleted = sqlite3_column_int(q, 10);
		if (!p.title || !p.abstract || paper_set_categories(&p, a, col_dup(a, q, 5))) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			break;
		}
		rc = cb(ctx, (long long)sqlite3_column_int64(q, 0), &p);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = db_error(s, err, "scanning papers");
	sqlite3_finalize(q);
	return rc;
}

/* ---- open/close ---- */

static void sq_close(struct store *st)
{
	struct sqlite_store *s = S(st);
	int i;
	if (!s)
		return;
	sq_rollback(st);
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.paper_upsert = sq_upsert,
	.paper_get = sq_get,
	.stats = sq_stats,
	.papers_announced = sq_announced,
	.papers_list = sq_list,
	.papers_match = sq_match,
	.latest_day = sq_latest_day,
	.day_neighbours = sq_neighbours,
	.day_counts = sq_day_counts,
	.count = sq_count,
	.setting_get = sqlite_setting_get,
	.setting_set = sqlite_setting_set,
	.lease_acquire = sqlite_lease_acquire,
	.lease_release = sqlite_lease_release,
	.job_start = sqlite_job_start,
	.job_finish = sqlite_job_finish,
	.job_runs = sqlite_job_runs,
	.check = sqlite_check,
	.data_version = sq_data_version,
	.checkpoint = sq_checkpoint,
	.papers_scan = sq_scan,
};

sqlite3 *store_sqlite_db(struct store *st)
{
	return S(st)->db;
}

static int migrate(struct sqlite_store *s, struct pb_err *err)
{
	int version, rc, i;
	char sql[64];

	/* the common case, an up-to-date database, writes nothing */
	if ((int)scalar(s, "PRAGMA user_version", NULL, 0) == STORE_SCHEMA_VERSION)
		return PB_OK;
	rc = exec(s, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	version = (int)scalar(s, "PRAGMA user_version", NULL, 0);
	if (version > STORE_SCHEMA_VERSION) {
		rc = pb_err_set(err, PB_EVERSION,
				"%s: this database has schema version %d, but this paperboy knows "
				"only up to version %d; use a newer paperboy",
				s->base.path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (i = version; i < STORE_SCHEMA_VERSION; i++) {
		rc = exec(s, store_sqlite_migrations[i], err);
		if (rc) {
			pb_err_prefix(err, "migration %d", i + 1);
			goto fail;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	rc = exec(s, sql, err);
	if (rc)
		goto fail;
	return exec(s, "COMMIT", err);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

struct store *store_sqlite_open(const char *path, struct pb_err *err)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	int i, rc;

	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &sqlite_ops;
	snprintf(s->base.path, sizeof(s->base.path), "%s", path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
						  SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		pb_err_set(err, PB_EDB, "%s: cannot open database: %s", path,
			   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 0);
	rc = exec(s,
		  "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		  " PRAGMA wal_autocheckpoint = 8192; PRAGMA mmap_size = 268435456;"
		  " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
		  " PRAGMA cache_size = -65536;",
		  err);
	if (rc) {
		if (rc == PB_ECORRUPT || strstr(err->msg, "not a database"))
			pb_err_set(err, PB_ECORRUPT,
				   "%s: this file is not a paperboy database (or it is damaged)", path);
		goto fail;
	}
	rc = migrate(s, err);
	if (rc)
		goto fail;
	sqlite3_create_function(s->db, "pb_trend", 2, SQLITE_UTF8, NULL,
				trend_fn, NULL, NULL);
	for (i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK) {
			db_error(s, err, "preparing statements");
			goto fail;
		}
	}
	return &s->base;
fail:
	sq_close(&s->base);
	return NULL;
}
