/* test_store.c - the paper model and the SQLite store's upsert rules. */
#include "t.h"

#include "../../src/store/store.h"

#include <sqlite3.h>
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
	p->authors = arena_strdup(a, "Ada Lovelace (Analytical Engines Ltd), Alan Turing and Grace Hopper");
	p->updated = arena_strdup(a, updated);
	p->published = arena_strdup(a, "2020-01-01");
	paper_set_categories(p, a, "cs.LG stat.ML");
	paper_split_authors(p, a);
}

static const char *db_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", t_tmpdir(), name);
	return path;
}

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
	paper_set_categories(&p, &a, "q-bio.NC cs.CV hep-th astro-ph.GA gr-qc nlin.SI"); /* appends */
	CHECK_INT(p.n_categories, 8);
	CHECK_STR(p.categories[7], "nlin.SI");
	p.comments = arena_strdup(&a, "ECCV 2026, Project Page: https://kartik-3004.github.io/FaceMoE/");
	p.abstract = arena_strdup(&a, "Code: https://github.com/Kartik-3004/FaceMoE.git/tree/main.");
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

TEST(store_upsert_new_unchanged_updated_older)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(db_path("upsert.db"), &err);
	struct paper p, got;
	enum store_upsert res;

	CHECK(st != NULL);
	if (!st)
		return;
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
	CHECK_INT(store_paper_get(st, "2101.00001", &a, &got, &err), 0);
	CHECK_INT(got.deleted, 1);
	CHECK_INT(store_paper_get(st, "1111.11111", &a, &got, &err), PB_ENOTFOUND);
	store_close(st);
	arena_release(&a);
}

TEST(store_announcement_day_rules)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(db_path("announce.db"), &err);
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

TEST(store_listing_and_stats)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(db_path("list.db"), &err);
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
	CHECK_INT(store_papers_announced(st, "2021-01-05", "2021-01-05", 0, 10, &total, &a, count_cb,
					 &n, &err),
		  0);
	CHECK_INT(n, 10);
	CHECK_INT(total, 20);
	n = 0;
	CHECK_INT(store_papers_announced(st, "2021-01-01", "2021-01-31", 25, 10, &total, &a, count_cb,
					 &n, &err),
		  0);
	CHECK_INT(n, 5);
	CHECK_INT(total, 30);
	CHECK_INT(store_stats(st, &a, &s, &err), 0);
	CHECK_INT(s.papers, 30);
	CHECK_INT(s.n_by_category, 1);
	CHECK_STR(s.by_category[0].key, "cs.LG");
	CHECK_STR(s.first_announced, "2021-01-05");
	CHECK(s.db_bytes > 0);
	store_close(st);
	arena_release(&a);
}

TEST(store_refuses_newer_schema_and_non_databases)
{
	struct pb_err err = PB_ERR_INIT;
	const char *path = db_path("future.db");
	sqlite3 *db;
	struct store *st;
	FILE *f;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, &err);
	CHECK(st == NULL);
	CHECK_INT(err.rc, PB_EVERSION);
	CHECK(strstr(err.msg, "newer paperboy") != NULL);
	store_close(st);

	path = db_path("text.db");
	f = fopen(path, "w");
	fputs("this is not a database, just some text that is long enough to have a header\n", f);
	fclose(f);
	st = store_open(path, &err);
	CHECK(st == NULL);
	CHECK(strstr(err.msg, "not a paperboy database") != NULL);
	store_close(st);
}

TEST(store_upgrades_an_old_database)
{
	struct pb_err err = PB_ERR_INIT;
	const char *path = db_path("old.db");
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *q;
	int v = -1;

	/* a database at version 0 (empty) is brought to the current version */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE unrelated(x)", NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, &err);
	CHECK(st != NULL);
	store_close(st);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	CHECK(v >= 1);
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

TEST(store_filters_match_and_days)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = store_open(db_path("filters.db"), &err);
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
	sample(&p, &a, "2101.00001", 1, "2021-01-04");
	p.announced = p.updated;
	p.title = arena_strdup(&a, "Random matrix theory for 100% of graphs");
	p.upvotes = 5;
	store_paper_upsert(st, &p, &res, &err);
	sample(&p, &a, "2101.00002", 1, "2021-01-06");
	p.announced = p.updated;
	p.upvotes = 50;
	paper_init(&p);
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
	f.category = "math.PR";
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(total, 1);
	CHECK_STR(x.id[0], "2101.00002");
	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_VOTES;
	f.author = "Turing";
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_INT(x.n, 2);
	CHECK_STR(x.id[0], "2101.00002");
	memset(&x, 0, sizeof(x));
	f.sort = STORE_SORT_TRENDING;
	f.author = NULL;
	CHECK_INT(store_papers_list(st, &f, &total, &a, ids_cb, &x, &err), 0);
	CHECK_STR(x.id[0], "2101.00002");

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

TEST(store_settings_leases_and_job_log)
{
	struct pb_err err = PB_ERR_INIT;
	const char *path = db_path("jobs.db");
	struct store *a = store_open(path, &err), *b = store_open(path, &err);
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
	CHECK_INT(store_lease_acquire(a, "harvest", "node-a", 60, &err), 0);
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
	CHECK_STR(runs[1].status, "ok");
	CHECK_INT(runs[1].new_papers, 12);
	CHECK_STR(runs[1].message, "2 pages");
	store_close(a);
	store_close(b);
}
