/* test_store.c - the paper model, and the store suite that every backend
 * must pass: each STORE_TEST runs on SQLite (store_sqlite_NAME) and, when
 * PB_TEST_PG holds a PostgreSQL URL, on PostgreSQL (store_pg_NAME), there in
 * a database of its own created for the test and dropped after it. Without
 * PB_TEST_PG the PostgreSQL variants are not registered (tests/run starts a
 * throwaway server whenever PostgreSQL is installed). */
#include "t.h"

#include "../../src/store/pg_schema.h"
#include "../../src/store/pg_store.h"
#include "../../src/store/schema.h"
#include "../../src/store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void sample(struct paper *p, struct arena *a, const char *id, int version,
		   const char *updated)
{
	paper_init(p);
	snprintf(p->arxiv_id, sizeof(p->arxiv_id), "%s", id);
	p->version = version;
	p->title = arena_strdup(a, "A title");
	p->abstract = arena_strdup(a, "An abstract about $\\alpha$ & <b>things</b>.");
	p->authors =
	    arena_strdup(a, "Ada Lovelace (Analytical Engines Ltd), Alan Turing and Grace Hopper");
	p->updated = arena_strdup(a, updated);
	p->published = arena_strdup(a, "2020-01-01");
	paper_set_categories(p, a, "cs.LG stat.ML");
	paper_split_authors(p, a);
}

/* ---- the paper model ---- */

TEST(store_paper_split_authors)
{
	struct arena a = ARENA_INIT;
	struct paper p;
	paper_init(&p);
	p.authors = arena_strdup(&a, "A. One (MIT, CSAIL), B. Two, and C. Three; D. Four");
	CHECK_INT(paper_split_authors(&p, &a), 0);
	CHECK_INT(p.n_authors, 4);
	CHECK_STR(p.author_list[0].name, "A. One");
	CHECK_STR(p.author_list[0].affiliation, "MIT, CSAIL");
	CHECK_STR(p.author_list[1].name, "B. Two");
	CHECK_STR(p.author_list[2].name, "C. Three");
	CHECK_STR(p.author_list[3].name, "D. Four");
	paper_init(&p);
	p.authors = arena_strdup(&a, "Sandra and Randall Anderson");
	paper_split_authors(&p, &a);
	CHECK_INT(p.n_authors, 2);
	paper_init(&p);
	p.authors = arena_strdup(&a, " , ,, (");
	paper_split_authors(&p, &a);
	CHECK_INT(p.n_authors, 0);
	arena_release(&a);
}

TEST(store_paper_categories_and_links)
{
	struct arena a = ARENA_INIT;
	struct paper p;
	paper_init(&p);
	paper_set_categories(&p, &a, "cs.CV cs.AI 68T45 I.2.10 cs.CV, math-ph");
	CHECK_INT(p.n_categories, 3);
	CHECK_STR(p.categories[0], "cs.CV");
	CHECK_STR(p.categories[2], "math-ph");
	paper_set_categories(&p, &a,
			     "q-bio.NC cs.CV hep-th astro-ph.GA gr-qc nlin.SI"); /* appends */
	CHECK_INT(p.n_categories, 8);
	CHECK_STR(p.categories[7], "nlin.SI");
	p.comments =
	    arena_strdup(&a, "ECCV 2026, Project Page: https://kartik-3004.github.io/FaceMoE/");
	p.abstract =
	    arena_strdup(&a, "Code: https://github.com/Kartik-3004/FaceMoE.git/tree/main.");
	paper_find_links(&p, &a);
	CHECK_STR(p.code_url, "https://github.com/Kartik-3004/FaceMoE");
	CHECK_STR(p.project_url, "https://kartik-3004.github.io/FaceMoE/");
	paper_init(&p);
	p.abstract = arena_strdup(&a, "see github.com/ only and https://github.com/owner");
	paper_find_links(&p, &a);
	CHECK(p.code_url == NULL);
	arena_release(&a);
}

TEST(store_paper_validate_names_the_field)
{
	struct arena a = ARENA_INIT;
	struct paper p;
	char why[256];
	sample(&p, &a, "2101.00001", 1, "2021-01-05");
	CHECK_INT(paper_validate(&p, why, sizeof(why)), 0);
	p.title = arena_strdup(&a, "  ");
	CHECK(paper_validate(&p, why, sizeof(why)) != 0);
	CHECK(strstr(why, "title") != NULL);
	sample(&p, &a, "2101.00001", 1, "2021-02-30");
	CHECK(paper_validate(&p, why, sizeof(why)) != 0);
	CHECK(strstr(why, "updated") != NULL);
	sample(&p, &a, "2101.00001", 1, "2021-01-05");
	p.comments = arena_strdup(&a, "bad \xff byte");
	CHECK(paper_validate(&p, why, sizeof(why)) != 0);
	CHECK(strstr(why, "comments") != NULL);
	sample(&p, &a, "not-an-id", 1, "2021-01-05");
	CHECK(paper_validate(&p, why, sizeof(why)) != 0);
	arena_release(&a);
}

/* ---- running one test body on each backend ---- */

enum backend { SQLITE, PG };

/* Where a test's store lives: what store_open takes. */
struct target {
	enum backend backend;
	char url[1024];
	char db[64]; /* PostgreSQL: the test's database */
};

static const char *pg_base(void)
{
	const char *u = getenv("PB_TEST_PG");
	return u && u[0] ? u : NULL;
}

/* The URL (or key=value string) base with its database replaced by db. */
static void pg_url_with_db(const char *base, const char *db, char *out, size_t len)
{
	const char *scheme = strstr(base, "://"), *auth, *rest;
	if (!scheme) {
		snprintf(out, len, "%s dbname=%s", base, db);
		return;
	}
	auth = scheme + 3;
	rest = auth + strcspn(auth, "/?");
	if (*rest == '/')
		rest += 1 + strcspn(rest + 1, "?");
	snprintf(out, len, "%.*s/%s%s", (int)(auth - base) + (int)strcspn(auth, "/?"), base, db,
		 rest);
}

/* Runs sql (no values: names made here) on the server; 1 on success. */
static int pg_admin(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	int ok = 0;
	if (PQstatus(c) == CONNECTION_OK) {
		PQclear(PQexec(c, "SET client_min_messages = warning"));
		r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok)
			printf("#   %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	} else {
		printf("#   cannot connect to %s: %s", url, PQerrorMessage(c));
	}
	PQfinish(c);
	return ok;
}

/* One value from the test's PostgreSQL database ("" on failure). */
static void pg_value(const struct target *T, const char *sql, char *out, size_t len)
{
	PGconn *c = PQconnectdb(T->url);
	PGresult *r = PQexec(c, sql);
	snprintf(out, len, "%s",
		 PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0)
									  : "");
	PQclear(r);
	PQfinish(c);
}

static void run_on(enum backend b, const char *name, void (*body)(const struct target *))
{
	struct target T;
	char sql[200];

	memset(&T, 0, sizeof(T));
	T.backend = b;
	if (b == SQLITE) {
		snprintf(T.url, sizeof(T.url), "%s/%s.db", t_tmpdir(), name);
		body(&T);
		return;
	}
	snprintf(T.db, sizeof(T.db), "pbt%ld_%.48s", (long)getpid(), name);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", T.db);
	pg_admin(pg_base(), sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", T.db);
	if (!pg_admin(pg_base(), sql)) {
		t_fail(__FILE__, __LINE__, "cannot create the test database %s", T.db);
		return;
	}
	pg_url_with_db(pg_base(), T.db, T.url, sizeof(T.url));
	body(&T);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", T.db);
	pg_admin(pg_base(), sql);
}

/* STORE_TEST(name) { ... T->url ... } registers store_sqlite_name, and
 * store_pg_name when PB_TEST_PG is set. */
#define STORE_TEST(name)                                                                           \
	static void name(const struct target *T);                                                  \
	static void name##_sqlite(void)                                                            \
	{                                                                                          \
		run_on(SQLITE, #name, name);                                                       \
	}                                                                                          \
	static void name##_pg(void)                                                                \
	{                                                                                          \
		run_on(PG, #name, name);                                                           \
	}                                                                                          \
	static struct t_case name##_sqlite_case = {"store_sqlite_" #name, name##_sqlite, NULL};    \
	static struct t_case name##_pg_case = {"store_pg_" #name, name##_pg, NULL};                \
	__attribute__((constructor)) static void name##_register(void)                             \
	{                                                                                          \
		t_register(&name##_sqlite_case);                                                   \
		if (pg_base())                                                                     \
			t_register(&name##_pg_case);                                               \
	}                                                                                          \
	static void name(const struct target *T)

/* A test that needs a PostgreSQL server: registered only with PB_TEST_PG. */
#define PG_TEST(name)                                                                              \
	static void name(void);                                                                    \
	static struct t_case name##_case = {#name, name, NULL};                                    \
	__attribute__((constructor)) static void name##_register(void)                             \
	{                                                                                          \
		if (pg_base())                                                                     \
			t_register(&name##_case);                                                  \
	}                                                                                          \
	static void name(void)

__attribute__((constructor)) static void note_pg(void)
{
	if (!pg_base())
		printf("# PB_TEST_PG is not set: the PostgreSQL store tests (store_pg_*) do not "
		       "run\n");
}

/* ---- the suite ---- */

STORE_TEST(upsert_new_unchanged_updated_older)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct paper p, got;
	enum store_upsert res;

	CHECK(st != NULL);
	if (!st) {
		printf("#   %s\n", err.msg);
		return;
	}
	sample(&p, &a, "2101.00001", 2, "2021-01-05");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_NEW);
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UNCHANGED);

	/* an older version never overwrites a newer one */
	sample(&p, &a, "2101.00001", 1, "2021-01-01");
	p.title = arena_strdup(&a, "Old title");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_OLDER);
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), 0);
	CHECK_STR(got.title, "A title");
	CHECK_INT(got.version, 2);

	/* a newer version updates; fields it lacks are kept */
	sample(&p, &a, "2101.00001", 3, "2021-03-01");
	p.title = arena_strdup(&a, "New title");
	p.doi = arena_strdup(&a, "10.1000/xyz");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UPDATED);
	sample(&p, &a, "2101.00001", 3, "2021-03-01");
	p.title = arena_strdup(&a, "New title");
	p.n_categories = 0; /* a source without categories */
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), 0);
	CHECK_STR(got.title, "New title");
	CHECK_STR(got.doi, "10.1000/xyz");
	CHECK_INT(got.version, 3);
	CHECK_INT(got.n_categories, 2);
	CHECK_STR(got.categories[0], "cs.LG");
	CHECK_INT(got.n_authors, 3);
	CHECK_STR(got.author_list[0].name, "Ada Lovelace");
	CHECK_STR(got.author_list[0].affiliation, "Analytical Engines Ltd");
	CHECK_STR(got.abstract, "An abstract about $\\alpha$ & <b>things</b>.");

	/* community fields arrive even from an older record */
	sample(&p, &a, "2101.00001", 1, "2021-01-01");
	p.upvotes = 42;
	p.code_url = arena_strdup(&a, "https://github.com/a/b");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UPDATED);
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), 0);
	CHECK_INT(got.upvotes, 42);
	CHECK_STR(got.code_url, "https://github.com/a/b");
	CHECK_STR(got.title, "New title");

	/* deletion marks, and a missing paper is a clear not-found */
	paper_init(&p);
	snprintf(p.arxiv_id, sizeof(p.arxiv_id), "2101.00001");
	p.deleted = 1;
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UPDATED);
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UNCHANGED);
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), 0);
	CHECK_INT(got.deleted, 1);
	CHECK_INT(store_paper_get(st, "1111.11111", &a, &got, &err), PB_ENOTFOUND);
	snprintf(p.arxiv_id, sizeof(p.arxiv_id), "1111.11111");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UNCHANGED);
	store_close(st);
	arena_release(&a);
}

STORE_TEST(structured_authors_and_versions)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct paper_version v[3] = {{1, "2021-01-01T10:00:00Z", "10kb"},
				     {2, "2021-02-01T10:00:00Z", NULL},
				     {2, "2021-02-02T10:00:00Z", "12kb"}};
	struct paper_author au[2];
	struct paper p, got;
	enum store_upsert res;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	memset(au, 0, sizeof(au));
	au[0].name = "Émile \"Quoted\" Borel";
	au[0].keyname = "Borel";
	au[0].forenames = "Émile";
	au[0].affiliation = "Paris, {ENS} \\ back";
	au[1].name = "B. Two";
	au[1].keyname = "Two";
	au[1].suffix = "Jr";
	sample(&p, &a, "hep-th/9108002", 2, "2021-02-02");
	p.author_list = au;
	p.n_authors = 2;
	p.versions = v;
	p.n_versions = 3; /* version 2 twice: the last mention wins */
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(res, STORE_NEW);
	CHECK_INT(store_paper_get(st, "hep-th/9108002", &a, &got, &err), 0);
	CHECK_INT(got.n_authors, 2);
	CHECK_STR(got.author_list[0].name, "Émile \"Quoted\" Borel");
	CHECK_STR(got.author_list[0].forenames, "Émile");
	CHECK_STR(got.author_list[0].affiliation, "Paris, {ENS} \\ back");
	CHECK(got.author_list[0].suffix == NULL);
	CHECK_STR(got.author_list[1].suffix, "Jr");
	CHECK_INT(got.n_versions, 2);
	if (got.n_versions == 2) {
		CHECK_STR(got.versions[1].created, "2021-02-02T10:00:00Z");
		CHECK_STR(got.versions[1].size, "12kb");
	}
	/* versions accumulate */
	v[0].version = 3;
	v[0].created = "2021-03-01T10:00:00Z";
	p.n_versions = 1;
	p.version = 3;
	p.updated = "2021-03-01";
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(store_paper_get(st, "hep-th/9108002", &a, &got, &err), 0);
	CHECK_INT(got.n_versions, 3);
	CHECK_INT(got.n_authors, 2);
	store_close(st);
	arena_release(&a);
}

STORE_TEST(announcement_day_rules)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct paper p, got;
	enum store_upsert res;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	/* a guess from the snapshot first ... */
	sample(&p, &a, "2508.13167", 1, "2025-08-18");
	p.published = arena_strdup(&a, "2025-08-18");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(store_paper_get(st, "2508.13167", &a, &got, &err), 0);
	CHECK_STR(got.announced, "2025-08-18");
	/* ... a listing's "new" announcement wins ... */
	sample(&p, &a, "2508.13167", 1, "2025-08-18");
	p.announced = arena_strdup(&a, "2025-08-20");
	p.announce_type = PAPER_ANNOUNCE_NEW;
	p.title = arena_strdup(&a, "Listing title");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(store_paper_get(st, "2508.13167", &a, &got, &err), 0);
	CHECK_STR(got.announced, "2025-08-20");
	/* ... and a later replacement does not move it */
	sample(&p, &a, "2508.13167", 2, "2025-09-01");
	p.announced = arena_strdup(&a, "2025-09-02");
	p.announce_type = PAPER_ANNOUNCE_REPLACE;
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	CHECK_INT(store_paper_get(st, "2508.13167", &a, &got, &err), 0);
	CHECK_STR(got.announced, "2025-08-20");
	CHECK_INT(got.version, 2);
	store_close(st);
	arena_release(&a);
}

static int count_cb(void *ctx, const struct paper *p)
{
	(*(long *)ctx)++;
	return p->title ? 0 : 1;
}

STORE_TEST(listing_and_stats)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct store_stats s;
	struct paper p;
	enum store_upsert res;
	long n = 0, total = 0;
	int i;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	store_begin(st, &err);
	for (i = 0; i < 30; i++) {
		char id[20];
		snprintf(id, sizeof(id), "2101.%05d", i + 1);
		sample(&p, &a, id, 1, i < 20 ? "2021-01-05" : "2021-01-06");
		p.announced = p.updated;
		CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
	}
	CHECK_INT(store_commit(st, &err), 0);
	CHECK_INT(store_papers_announced(st, "2021-01-05", "2021-01-05", 0, 10, &total, &a,
					 count_cb, &n, &err),
		  0);
	CHECK_INT(n, 10);
	CHECK_INT(total, 20);
	n = 0;
	CHECK_INT(store_papers_announced(st, "2021-01-01", "2021-01-31", 25, 10, &total, &a,
					 count_cb, &n, &err),
		  0);
	CHECK_INT(n, 5);
	CHECK_INT(total, 30);
	CHECK_INT(store_stats(st, &a, &s, &err), 0);
	CHECK_INT(s.papers, 30);
	CHECK_INT(s.n_by_category, 1);
	CHECK_STR(s.by_category[0].key, "cs.LG");
	CHECK_STR(s.first_announced, "2021-01-05");
	CHECK_STR(s.last_announced, "2021-01-06");
	CHECK_INT(s.n_by_year, 1);
	CHECK_STR(s.by_year[0].key, "2020");
	CHECK(s.db_bytes > 0);
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 30);
	store_close(st);
	arena_release(&a);
}

/* Makes T a database of a newer paperboy (schema version 999). */
static void make_future_database(const struct target *T)
{
	if (T->backend == SQLITE) {
		sqlite3 *db;
		CHECK(sqlite3_open(T->url, &db) == SQLITE_OK);
		sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
		sqlite3_close(db);
	} else {
		CHECK(pg_admin(T->url, "CREATE TABLE schema_version (version integer PRIMARY KEY,"
				       " applied timestamptz NOT NULL DEFAULT now());"
				       " INSERT INTO schema_version (version) VALUES (999)"));
	}
}

/* The schema version T's database records (-1 when unreadable). */
static int stored_version(const struct target *T)
{
	int v = -1;
	if (T->backend == SQLITE) {
		sqlite3 *db;
		sqlite3_stmt *q;
		CHECK(sqlite3_open(T->url, &db) == SQLITE_OK);
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
			if (sqlite3_step(q) == SQLITE_ROW)
				v = sqlite3_column_int(q, 0);
			sqlite3_finalize(q);
		}
		sqlite3_close(db);
	} else {
		char s[32];
		pg_value(T, "SELECT max(version) FROM schema_version", s, sizeof(s));
		if (s[0])
			v = (int)strtol(s, NULL, 10);
	}
	return v;
}

STORE_TEST(refuses_newer_schema)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st;

	make_future_database(T);
	st = store_open(T->url, &err);
	CHECK(st == NULL);
	CHECK_INT(err.rc, PB_EVERSION);
	CHECK(strstr(err.msg, "newer paperboy") != NULL);
	CHECK(strstr(err.msg, "999") != NULL);
	store_close(st);
	CHECK_INT(stored_version(T), 999);
}

STORE_TEST(upgrades_an_old_database)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st;

	/* a database at version 0 (not paperboy's yet) is brought up to date */
	if (T->backend == SQLITE) {
		sqlite3 *db;
		CHECK(sqlite3_open(T->url, &db) == SQLITE_OK);
		sqlite3_exec(db, "CREATE TABLE unrelated(x)", NULL, NULL, NULL);
		sqlite3_close(db);
	} else {
		CHECK(pg_admin(T->url, "CREATE TABLE unrelated (x integer)"));
	}
	st = store_open(T->url, &err);
	CHECK(st != NULL);
	store_close(st);
	CHECK_INT(stored_version(T),
		  T->backend == SQLITE ? STORE_SCHEMA_VERSION : STORE_PG_SCHEMA_VERSION);
	/* opening again changes nothing */
	st = store_open(T->url, &err);
	CHECK(st != NULL);
	store_close(st);
}

struct ids {
	int n;
	char id[16][ARXIV_ID_MAX];
};

static int ids_cb(void *ctx, const struct paper *p)
{
	struct ids *x = ctx;
	if (x->n < 16)
		snprintf(x->id[x->n], ARXIV_ID_MAX, "%s", p->arxiv_id);
	x->n++;
	return 0;
}

STORE_TEST(filters_match_and_days)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct store_filter f;
	struct store_day_count *dc;
	struct paper p;
	struct ids x;
	enum store_upsert res;
	char prev[11], next[11], latest[11];
	size_t n;
	long total;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	CHECK_INT(store_latest_day(st, latest, &err), 0);
	CHECK_STR(latest, "");
	sample(&p, &a, "2101.00001", 1, "2021-01-04");
	p.announced = p.updated;
	p.title = arena_strdup(&a, "Random matrix theory for 100% of graphs");
	p.upvotes = 5;
	store_paper_upsert(st, &p, &res, &err);
	sample(&p, &a, "2101.00002", 1, "2021-01-06");
	p.announced = p.updated;
	p.upvotes = 50;
	p.categories = NULL;
	p.n_categories = 0;
	paper_set_categories(&p, &a, "math.PR");
	store_paper_upsert(st, &p, &res, &err);

	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "random MATRIX", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 1);
	CHECK_STR(x.id[0], "2101.00001");
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "100%", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 1);
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "_%\\' OR 1=1 --", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 0);
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "  ", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 2); /* no words: everything */
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "lovelace \"{x}\"", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 0);
	CHECK_INT(store_papers_match(st, "\xff\xfe", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 0);
	memset(&x, 0, sizeof(x));
	f.category = "math.PR";
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 1);
	CHECK_STR(x.id[0], "2101.00002");
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_match(st, "LOVELACE things", &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 1);
	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_VOTES;
	f.author = "Turing";
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(x.n, 2);
	CHECK_STR(x.id[0], "2101.00002");
	memset(&x, 0, sizeof(x));
	f.author = "turing_";
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(x.n, 0);
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_TRENDING;
	f.author = NULL;
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_STR(x.id[0], "2101.00002");
	memset(&x, 0, sizeof(x));
	f.from = "2021-01-05";
	f.sort = STORE_SORT_DAY;
	CHECK_INT(store_papers_list(st, &f, NULL, &a, ids_cb, &x, &err), 0);
	CHECK_INT(x.n, 1);

	CHECK_INT(store_latest_day(st, latest, &err), 0);
	CHECK_STR(latest, "2021-01-06");
	CHECK_INT(store_day_neighbours(st, "2021-01-05", prev, next, &err), 0);
	CHECK_STR(prev, "2021-01-04");
	CHECK_STR(next, "2021-01-06");
	CHECK_INT(store_day_neighbours(st, "2021-01-06", prev, next, &err), 0);
	CHECK_STR(next, "");
	CHECK_INT(store_day_counts(st, "2021-01-01", "2021-01-31", 1, &a, &dc, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(dc[0].day, "2021-01-04");
	store_close(st);
	arena_release(&a);
}

/* Adds paper id announced on day with categories cats and votes upvotes. */
static void add(struct store *st, struct arena *a, const char *id, const char *day,
		const char *cats, int votes)
{
	struct pb_err err = PB_ERR_INIT;
	enum store_upsert res;
	struct paper p;
	sample(&p, a, id, 1, day);
	p.announced = p.updated;
	p.categories = NULL;
	p.n_categories = 0;
	paper_set_categories(&p, a, cats);
	p.upvotes = votes;
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);
}

STORE_TEST(orders_paging_and_day_counts)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct store_day_count *dc = NULL;
	struct store_filter f;
	struct ids x;
	long total;
	size_t n = 0, i;
	long other = 0;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 10);
	add(st, &a, "2101.00002", "2021-01-04", "cs.LG", -1);
	add(st, &a, "2101.00003", "2021-01-04", "math.PR", 3);
	add(st, &a, "2101.00004", "2021-01-05", "hep-th", 3);
	add(st, &a, "2101.00005", "2021-01-05", "cs.LG", 200);
	add(st, &a, "hep-th/9108002", "1991-08-15", "hep-th", 1000);

	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_DAY;
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 6);
	CHECK_STR(x.id[0], "2101.00005");
	CHECK_STR(x.id[1], "2101.00004");
	CHECK_STR(x.id[2], "2101.00001");
	CHECK_STR(x.id[3], "2101.00003");
	CHECK_STR(x.id[4], "2101.00002"); /* no votes counts as 0 */
	CHECK_STR(x.id[5], "hep-th/9108002");
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_VOTES;
	f.offset = 1;
	f.limit = 2;
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 6);
	CHECK_INT(x.n, 2);
	CHECK_STR(x.id[0], "2101.00005");
	CHECK_STR(x.id[1], "2101.00001");
	/* trending: 1000 votes thirty years ago weigh less than 200 a few
	 * years ago, but more than 10 */
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_TRENDING;
	f.offset = 0;
	f.limit = 0;
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_STR(x.id[0], "2101.00005");
	CHECK_STR(x.id[1], "hep-th/9108002");
	CHECK_STR(x.id[2], "2101.00001");
	CHECK_STR(x.id[3], "2101.00004"); /* same votes, newer */
	CHECK_STR(x.id[5], "2101.00002");

	/* two top categories of the period, the rest under "other" */
	CHECK_INT(store_day_counts(st, "2021-01-01", "2021-01-31", 1, &a, &dc, &n, &err), 0);
	CHECK_INT(n, 4);
	for (i = 0; i < n; i++) {
		CHECK(strcmp(dc[i].category, "cs.LG") == 0 || strcmp(dc[i].category, "other") == 0);
		if (strcmp(dc[i].category, "other") == 0)
			other += dc[i].count;
	}
	CHECK_INT(other, 2);
	if (n == 4) {
		CHECK_STR(dc[0].day, "2021-01-04");
		CHECK_STR(dc[0].category, "cs.LG");
		CHECK_INT(dc[0].count, 2);
		CHECK_STR(dc[3].day, "2021-01-05");
		CHECK_STR(dc[3].category, "other");
	}
	CHECK_INT(store_day_counts(st, "2021-01-01", "2021-01-31", -1, &a, &dc, &n, &err), 0);
	CHECK_INT(n, 4);
	CHECK_INT(store_day_counts(st, "2021-01-01", "2021-01-31", 0, &a, &dc, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_day_counts(st, "2030-01-01", "2030-01-31", 5, &a, &dc, &n, &err), 0);
	CHECK_INT(n, 0);
	store_close(st);
	arena_release(&a);
}

STORE_TEST(transactions_commit_and_roll_back)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err), *other = store_open(T->url, &err);
	struct paper got;
	long n = -1;

	if (!st || !other) {
		CHECK(st && other);
		store_close(st);
		store_close(other);
		return;
	}
	CHECK_INT(store_begin(st, &err), 0);
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_count(other, &n, &err), 0);
	CHECK_INT(n, 0); /* not visible before the commit */
	store_rollback(st);
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), PB_ENOTFOUND);
	CHECK_INT(store_begin(st, &err), 0);
	add(st, &a, "2101.00002", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_commit(st, &err), 0);
	CHECK_INT(store_count(other, &n, &err), 0);
	CHECK_INT(n, 1);
	store_rollback(st); /* nothing open: does nothing */
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 1);
	store_close(st);
	store_close(other);
	arena_release(&a);
}

STORE_TEST(data_version_follows_writes)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *r = store_open(T->url, &err), *w = store_open(T->url, &err);
	struct store_filter f;
	struct ids x;
	unsigned long long v0 = 0, v1 = 0, v2 = 0, v3 = 0;
	enum store_upsert res;
	struct paper p;
	long total;

	if (!r || !w) {
		CHECK(r && w);
		store_close(r);
		store_close(w);
		return;
	}
	CHECK_INT(store_data_version(r, &v0, &err), 0);
	/* reading changes nothing */
	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	CHECK_INT(store_papers_list(w, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(store_data_version(r, &v1, &err), 0);
	CHECK(v1 == v0);
	/* another connection's commit shows */
	add(w, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_data_version(r, &v1, &err), 0);
	CHECK(v1 != v0);
	/* not before it commits */
	CHECK_INT(store_begin(w, &err), 0);
	add(w, &a, "2101.00002", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_data_version(r, &v2, &err), 0);
	CHECK(v2 == v1);
	CHECK_INT(store_commit(w, &err), 0);
	CHECK_INT(store_data_version(r, &v2, &err), 0);
	CHECK(v2 != v1);
	/* a record identical to the stored one writes nothing */
	sample(&p, &a, "2101.00002", 1, "2021-01-04");
	p.announced = p.updated;
	p.categories = NULL;
	p.n_categories = 0;
	paper_set_categories(&p, &a, "cs.LG");
	p.upvotes = 1;
	CHECK_INT(store_paper_upsert(w, &p, &res, &err), 0);
	CHECK_INT(res, STORE_UNCHANGED);
	CHECK_INT(store_data_version(r, &v3, &err), 0);
	CHECK(v3 == v2);
	/* settings count as data; the writer sees its own writes */
	CHECK_INT(store_setting_set(w, "k", "v", &err), 0);
	CHECK_INT(store_data_version(r, &v3, &err), 0);
	CHECK(v3 != v2);
	CHECK_INT(store_data_version(w, &v0, &err), 0);
	CHECK_INT(store_setting_set(w, "k", "w", &err), 0);
	CHECK_INT(store_data_version(w, &v1, &err), 0);
	CHECK(v1 != v0);
	store_close(r);
	store_close(w);
	arena_release(&a);
}

struct scan {
	int n, stop_after;
	long long rows[16];
	char ids[16][ARXIV_ID_MAX];
	int deleted[16];
	struct store *st; /* when set, the callback tries to use it */
	int inner_rc;
};

static int scan_cb(void *ctx, long long row, const struct paper *p)
{
	struct scan *s = ctx;
	if (s->n < 16) {
		s->rows[s->n] = row;
		snprintf(s->ids[s->n], ARXIV_ID_MAX, "%s", p->arxiv_id);
		s->deleted[s->n] = p->deleted;
	}
	if (s->st) {
		struct pb_err err = PB_ERR_INIT;
		long n;
		s->inner_rc = store_count(s->st, &n, &err);
	}
	s->n++;
	if (!p->title || !p->abstract || p->n_categories == 0)
		return PB_EINVAL;
	return s->stop_after && s->n >= s->stop_after ? 42 : 0;
}

STORE_TEST(scan_in_row_order)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT, sa = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	enum store_upsert res;
	struct paper p;
	struct scan s;
	long n;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	add(st, &a, "2101.00003", "2021-01-04", "cs.LG", 1);
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	add(st, &a, "hep-th/9108002", "1991-08-15", "hep-th", 1);
	add(st, &a, "2101.00002", "2021-01-05", "math.PR", -1);
	paper_init(&p);
	snprintf(p.arxiv_id, sizeof(p.arxiv_id), "2101.00001");
	p.deleted = 1;
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), 0);

	memset(&s, 0, sizeof(s));
	CHECK_INT(store_papers_scan(st, 0, NULL, &sa, scan_cb, &s, &err), 0);
	CHECK_INT(s.n, 4);
	CHECK_STR(s.ids[0], "2101.00003");
	CHECK_STR(s.ids[2], "hep-th/9108002");
	CHECK(s.rows[0] < s.rows[1] && s.rows[1] < s.rows[2] && s.rows[2] < s.rows[3]);
	CHECK_INT(s.deleted[1], 1);
	/* after a row */
	{
		long long after = s.rows[1];
		memset(&s, 0, sizeof(s));
		CHECK_INT(store_papers_scan(st, after, NULL, &sa, scan_cb, &s, &err), 0);
		CHECK_INT(s.n, 2);
		CHECK_STR(s.ids[0], "hep-th/9108002");
		/* ... or changed since a moment */
		memset(&s, 0, sizeof(s));
		CHECK_INT(store_papers_scan(st, after, "0", &sa, scan_cb, &s, &err), 0);
		CHECK_INT(s.n, 4);
		memset(&s, 0, sizeof(s));
		CHECK_INT(store_papers_scan(st, after, "9999", &sa, scan_cb, &s, &err), 0);
		CHECK_INT(s.n, 2);
	}
	/* the callback's code stops the scan and comes back; the store goes on */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	CHECK_INT(store_papers_scan(st, 0, NULL, &sa, scan_cb, &s, &err), 42);
	CHECK_INT(s.n, 2);
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 3);
	store_close(st);
	arena_release(&a);
	arena_release(&sa);
}

STORE_TEST(check_passes_on_a_sound_store)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct buf report;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	buf_init(&report, 0);
	CHECK_INT(store_check(st, &report, &err), 0);
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_check(st, &report, &err), 0);
	CHECK_STR(report.data, "");
	buf_release(&report);
	store_close(st);
	arena_release(&a);
}

STORE_TEST(settings_leases_and_job_log)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *a = store_open(T->url, &err), *b = store_open(T->url, &err);
	struct store_job_run runs[4];
	char v[64];
	long id = 0;
	size_t n;

	if (!a || !b) {
		CHECK(a && b);
		store_close(a);
		store_close(b);
		return;
	}
	CHECK_INT(store_setting_get(a, "oai.cursor", v, sizeof(v), &err), PB_ENOTFOUND);
	CHECK_INT(store_setting_set(a, "oai.cursor", "2025-01-01", &err), 0);
	CHECK_INT(store_setting_set(a, "oai.cursor", "2025-01-02", &err), 0);
	CHECK_INT(store_setting_get(b, "oai.cursor", v, sizeof(v), &err), 0);
	CHECK_STR(v, "2025-01-02");
	/* one holder at a time, across connections; renewal and release */
	CHECK_INT(store_lease_acquire(a, "harvest", "node-a", 60, &err), 0);
	CHECK_INT(store_lease_acquire(b, "harvest", "node-b", 60, &err), PB_EBUSY);
	CHECK(strstr(err.msg, "node-a") != NULL);
	CHECK(strstr(err.msg, "for 60 more seconds") || strstr(err.msg, "for 59 more seconds"));
	CHECK_INT(store_lease_acquire(a, "harvest", "node-a", 60, &err), 0);
	CHECK_INT(store_lease_release(b, "harvest", "node-b", &err), 0); /* not b's: kept */
	CHECK_INT(store_lease_acquire(b, "harvest", "node-b", 60, &err), PB_EBUSY);
	CHECK_INT(store_lease_release(a, "harvest", "node-a", &err), 0);
	CHECK_INT(store_lease_acquire(b, "harvest", "node-b", 60, &err), 0);
	/* an expired lease can be taken over */
	CHECK_INT(store_lease_acquire(b, "digest", "node-b", -5, &err), 0);
	CHECK_INT(store_lease_acquire(a, "digest", "node-a", 60, &err), 0);
	/* job log */
	CHECK_INT(store_job_start(a, "harvest", &id, &err), 0);
	CHECK(id > 0);
	CHECK_INT(store_job_finish(a, id, "ok", 12, 3, 1, "2 pages", &err), 0);
	CHECK_INT(store_job_start(a, "harvest", &id, &err), 0);
	CHECK_INT(store_job_runs(b, "harvest", runs, 4, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(runs[0].status, "running");
	CHECK_STR(runs[0].finished, "");
	CHECK_STR(runs[1].status, "ok");
	CHECK_INT(runs[1].new_papers, 12);
	CHECK_INT(runs[1].updated, 3);
	CHECK_INT(runs[1].errors, 1);
	CHECK_STR(runs[1].message, "2 pages");
	CHECK_INT(strlen(runs[1].started), 20);
	CHECK_INT(store_job_runs(b, "harvest", runs, 1, &n, &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_job_runs(b, "digest", runs, 4, &n, &err), 0);
	CHECK_INT(n, 0);
	store_close(a);
	store_close(b);
}

/* Several threads each taking the lease once: exactly one wins. */
struct race {
	const char *url;
	int id, won;
	pthread_barrier_t *go;
};

static void *race_main(void *arg)
{
	struct race *r = arg;
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(r->url, &err);
	char owner[32];
	snprintf(owner, sizeof(owner), "node-%d", r->id);
	pthread_barrier_wait(r->go);
	if (st)
		r->won = store_lease_acquire(st, "harvest", owner, 60, &err) == PB_OK;
	store_close(st);
	return NULL;
}

STORE_TEST(lease_race_has_one_winner)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(T->url, &err); /* migrated before the race */
	pthread_barrier_t go;
	pthread_t th[6];
	struct race r[6];
	int i, winners = 0;

	CHECK(st != NULL);
	store_close(st);
	pthread_barrier_init(&go, NULL, 6);
	for (i = 0; i < 6; i++) {
		r[i].url = T->url;
		r[i].id = i;
		r[i].won = 0;
		r[i].go = &go;
		pthread_create(&th[i], NULL, race_main, &r[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		winners += r[i].won;
	}
	pthread_barrier_destroy(&go);
	CHECK_INT(winners, 1);
}

/* ---- SQLite only ---- */

TEST(store_sqlite_refuses_non_databases)
{
	struct pb_err err = PB_ERR_INIT;
	char path[512];
	struct store *st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/text.db", t_tmpdir());
	f = fopen(path, "w");
	fputs("this is not a database, just some text that is long enough to have a header\n", f);
	fclose(f);
	st = store_open(path, &err);
	CHECK(st == NULL);
	CHECK(strstr(err.msg, "not a paperboy database") != NULL);
	store_close(st);
}

/* ---- PostgreSQL only ---- */

TEST(store_pg_targets_and_migration_numbers)
{
	CHECK(store_pg_target("postgres://u@h/db"));
	CHECK(store_pg_target("postgresql:///db?host=/tmp"));
	CHECK(store_pg_target("host=/tmp dbname=x"));
	CHECK(store_pg_target("dbname=x"));
	CHECK(!store_pg_target("paperboy.db"));
	CHECK(!store_pg_target("./host=x.db"));
	CHECK(!store_pg_target("/var/lib/postgres://x"));
	/* migration i brings the same tables to both backends */
	CHECK_INT(STORE_PG_SCHEMA_VERSION, STORE_SCHEMA_VERSION);
}

PG_TEST(store_pg_connection_errors_say_what_failed)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st;

	st = store_open("postgresql://nobody:secret@127.0.0.1:1/paperboy", &err);
	CHECK(st == NULL);
	CHECK_INT(err.rc, PB_EDB);
	CHECK(strstr(err.msg, "cannot connect to PostgreSQL") != NULL);
	CHECK(strstr(err.msg, "127.0.0.1") != NULL);
	CHECK(strstr(err.msg, "refused") != NULL);
	CHECK(strstr(err.msg, "secret") == NULL); /* no password in messages */
	store_close(st);

	{
		char url[1024];
		pg_url_with_db(pg_base(), "no_such_database_here", url, sizeof(url));
		st = store_open(url, &err);
		CHECK(st == NULL);
		CHECK(strstr(err.msg, "no_such_database_here") != NULL);
		CHECK(strstr(err.msg, "does not exist") != NULL);
		CHECK(strstr(err.msg, "createdb") != NULL);
		store_close(st);
	}
	st = store_open("postgresql://bob:hunter2@[::1", &err);
	CHECK(st == NULL);
	CHECK(strstr(err.msg, "IPv6") != NULL);
	CHECK(strstr(err.msg, "hunter2") == NULL);
	store_close(st);
	st = store_open("postgres://localhost/db?no_such_option=1", &err);
	CHECK(st == NULL);
	CHECK(strstr(err.msg, "no_such_option") != NULL);
	store_close(st);
}

struct opener {
	const char *url;
	int ok;
	char msg[768];
	pthread_barrier_t *go;
};

static void *open_main(void *arg)
{
	struct opener *o = arg;
	struct pb_err err = PB_ERR_INIT;
	struct store *st;
	pthread_barrier_wait(o->go);
	st = store_open(o->url, &err);
	o->ok = st != NULL;
	snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
	store_close(st);
	return NULL;
}

static void first_open_race(const struct target *T)
{
	pthread_barrier_t go;
	pthread_t th[6];
	struct opener o[6];
	char v[32];
	int i;

	pthread_barrier_init(&go, NULL, 6);
	for (i = 0; i < 6; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].url = T->url;
		o[i].go = &go;
		pthread_create(&th[i], NULL, open_main, &o[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		CHECK(o[i].ok);
		if (!o[i].ok)
			printf("#   %s\n", o[i].msg);
	}
	pthread_barrier_destroy(&go);
	pg_value(T, "SELECT count(*) || '/' || max(version) FROM schema_version", v, sizeof(v));
	snprintf(o[0].msg, sizeof(o[0].msg), "%d/%d", STORE_PG_SCHEMA_VERSION,
		 STORE_PG_SCHEMA_VERSION);
	CHECK_STR(v, o[0].msg);
}

PG_TEST(store_pg_nodes_starting_together_migrate_once)
{
	run_on(PG, "first_open_race", first_open_race);
}

static void damage(const struct target *T)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct buf report;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	buf_init(&report, 0);
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	CHECK(pg_admin(T->url, "ALTER TABLE paper_categories DISABLE TRIGGER ALL;"
			       " INSERT INTO paper_categories VALUES (12345, 0, 'cs.AI');"
			       " ALTER TABLE paper_categories ENABLE TRIGGER ALL;"
			       " DROP TRIGGER settings_touch ON settings;"
			       " DELETE FROM data_version"));
	CHECK_INT(store_check(st, &report, &err), PB_ECORRUPT);
	CHECK(strstr(report.data, "1 category rows belong to no paper") != NULL);
	CHECK(strstr(report.data, "trigger settings_touch") != NULL);
	CHECK(strstr(report.data, "data_version has 0 rows") != NULL);
	CHECK(strstr(err.msg, "3 problems") != NULL);
	CHECK(pg_admin(T->url, "DROP TABLE job_runs"));
	buf_reset(&report);
	CHECK_INT(store_check(st, &report, &err), PB_ECORRUPT);
	CHECK(strstr(report.data, "table job_runs is missing") != NULL);
	buf_release(&report);
	store_close(st);
	arena_release(&a);
}

PG_TEST(store_pg_check_finds_damage)
{
	run_on(PG, "check_damage", damage);
}

static void failures(const struct target *T)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	enum store_upsert res;
	struct paper p;
	struct scan s;
	char sql[160];
	long n = -1;

	if (!st) {
		CHECK(st != NULL);
		return;
	}
	/* a statement that fails makes the commit fail, as nothing was kept */
	CHECK(
	    pg_admin(T->url, "ALTER TABLE papers ADD CONSTRAINT no_boom CHECK (title <> 'boom')"));
	CHECK_INT(store_begin(st, &err), 0);
	add(st, &a, "2101.00001", "2021-01-04", "cs.LG", 1);
	sample(&p, &a, "2101.00002", 1, "2021-01-04");
	p.title = arena_strdup(&a, "boom");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), PB_EDB);
	CHECK(strstr(err.msg, "2101.00002") != NULL);
	CHECK(strstr(err.msg, "no_boom") != NULL);
	CHECK(store_commit(st, &err) != 0);
	CHECK(strstr(err.msg, "nothing written") != NULL);
	store_rollback(st);
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 0);
	/* text PostgreSQL cannot store is refused before it gets there */
	CHECK_INT(store_begin(st, &err), 0);
	sample(&p, &a, "2101.00003", 1, "2021-01-04");
	p.comments = arena_strdup(&a, "bad \xff byte");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "comments") != NULL);
	sample(&p, &a, "2101.00004", 1, "2021-02-30");
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "updated") != NULL);
	sample(&p, &a, "2101.00004", 1, "2021-02-03");
	p.abstract = NULL;
	CHECK_INT(store_paper_upsert(st, &p, &res, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "no title or abstract") != NULL);
	add(st, &a, "2101.00005", "2021-01-04", "cs.LG", 1);
	CHECK_INT(store_commit(st, &err), 0);
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 1);

	/* the handle cannot be used inside its own scan, and recovers after */
	memset(&s, 0, sizeof(s));
	s.st = st;
	CHECK_INT(store_papers_scan(st, 0, NULL, &a, scan_cb, &s, &err), 0);
	CHECK_INT(s.inner_rc, PB_EBUSY);
	CHECK_INT(store_count(st, &n, &err), 0);

	/* a connection the server dropped is made again for the next read */
	{
		struct store_stats stats;
		CHECK_INT(store_stats(st, &a, &stats, &err), 0);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
		 " WHERE datname = '%s' AND pid <> pg_backend_pid()",
		 T->db);
	CHECK(pg_admin(T->url, sql));
	usleep(100 * 1000);
	n = -1;
	CHECK_INT(store_count(st, &n, &err), 0);
	CHECK_INT(n, 1);
	store_close(st);
	arena_release(&a);
}

PG_TEST(store_pg_failures_leave_the_handle_usable)
{
	run_on(PG, "failures", failures);
}

/* A checkpoint moves committed pages into the database file (SQLite: its
 * main file grows while the log keeps them) and loses nothing; on
 * PostgreSQL it does nothing and succeeds. */
STORE_TEST(checkpoint_moves_the_log_and_keeps_everything)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(T->url, &err);
	struct stat before, after;
	long n = 0;
	int k;

	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_INT(store_begin(st, &err), PB_OK);
	for (k = 0; k < 300; k++) {
		char id[32];
		snprintf(id, sizeof(id), "2401.%05d", k);
		add(st, &a, id, "2024-01-02", "cs.LG", k % 7);
	}
	CHECK_INT(store_commit(st, &err), PB_OK);
	if (T->backend == SQLITE)
		CHECK_INT(stat(T->url, &before), 0);
	CHECK_INT(store_checkpoint(st, &err), PB_OK);
	if (T->backend == SQLITE) {
		CHECK_INT(stat(T->url, &after), 0);
		CHECK(after.st_size > before.st_size);
	}
	CHECK_INT(store_count(st, &n, &err), PB_OK);
	CHECK_INT(n, 300);
	store_close(st);
	st = store_open(T->url, &err);
	CHECK(st != NULL);
	n = 0;
	if (st)
		CHECK_INT(store_count(st, &n, &err), PB_OK);
	CHECK_INT(n, 300);
	store_close(st);
	arena_release(&a);
}
