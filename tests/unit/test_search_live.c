/* test_search_live.c - a server's search engine (src/search/live.c) over
 * the bundled sample: no index (searches at once with the simple matcher,
 * then ranked), an index without vectors, a damaged index, an index that
 * is there (opened without building), a stop in the middle of a build;
 * and the engine's part: engine_open with no_build, engine_add_vectors. */
#include "t.h"

#include "../../src/ingest/import.h"
#include "../../src/search/live.h"
#include "../../src/search/swap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READY_SECONDS 300 /* generous: sanitizer builds train vectors slowly */


/* The log of the engines: one file for the whole run. */
static FILE *live_log(void)
{
	static FILE *f;
	if (!f)
		f = tmpfile();
	return f;
}

static void close_live_log(void) __attribute__((destructor));
static void close_live_log(void)
{
	if (live_log())
		fclose(live_log());
}

static void live_opts(struct engine_opts *o, const char *dir)
{
	engine_opts_default(o);
	o->dims = 64;
	o->log = live_log();
	o->dir = dir;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until nothing is being built (or READY_SECONDS pass). */
static void wait_ready(struct search_engine *se, struct search_status *s)
{
	double t0 = now();
	for (;;) {
		search_status(se, s);
		if ((s->index != SEARCH_INDEX_BUILDING && s->vectors != SEARCH_INDEX_BUILDING) ||
		    now() - t0 > READY_SECONDS)
			return;
		usleep(20000);
	}
}

static int count_cb(void *ctx, const struct paper *p)
{
	(void)p;
	++*(long *)ctx;
	return PB_OK;
}

/* Matches of query through se; -1 on error. */
static long total_of(struct search_engine *se, struct store *st, const char *query)
{
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	long total = 0, seen = 0;
	int rc;
	memset(&f, 0, sizeof(f));
	f.sort = STORE_SORT_RELEVANCE;
	f.limit = 10;
	rc = search_query(se, st, query, &f, &total, &a, count_cb, &seen, &err);
	arena_release(&a);
	return rc ? -1 : total;
}

static int file_exists(const char *dir, const char *name)
{
	char path[1200];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

TEST(search_live_builds_in_the_background)
{
	char db[512], dir[600];
	struct store *st = t_sample_db("live_build", db, sizeof(db));
	struct engine_opts o;
	struct search_live *l;
	struct search_engine *se;
	struct search_status s;
	unsigned long g;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(dir, sizeof(dir), "%s.idx", db);
	live_opts(&o, dir);
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (!l) {
		store_close(st);
		return;
	}
	/* before the build starts: searches answer with the simple matcher,
	 * and the status says what will be built */
	se = search_live_engine(l);
	search_status(se, &s);
	CHECK_INT(s.index, SEARCH_INDEX_BUILDING);
	CHECK_INT(s.vectors, SEARCH_INDEX_BUILDING);
	g = s.generation;
	CHECK(total_of(se, st, "segmentation") > 0);
	CHECK(!file_exists(dir, "lex"));
	search_live_start(l);
	wait_ready(se, &s);
	CHECK_INT(s.index, SEARCH_INDEX_READY);
	CHECK_INT(s.vectors, SEARCH_INDEX_READY);
	CHECK(s.generation != g);
	CHECK(file_exists(dir, "lex") && file_exists(dir, "vec.model") &&
	      file_exists(dir, "vec.docs"));
	/* ranked now: stemming finds the other forms */
	CHECK(total_of(se, st, "segmentations") > 0);
	CHECK_INT(total_of(se, st, "segmentations"), total_of(se, st, "segmentation"));
	CHECK_INT(search_live_close(l, 30), 0);

	/* the next start opens it as it is: nothing to build */
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (l)
		search_live_start(l);
	if (l) {
		search_status(search_live_engine(l), &s);
		CHECK_INT(s.index, SEARCH_INDEX_READY);
		CHECK_INT(s.vectors, SEARCH_INDEX_READY);
		CHECK(total_of(search_live_engine(l), st, "segmentations") > 0);
		CHECK_INT(search_live_close(l, 30), 0);
	}
	store_close(st);
}

TEST(search_live_adds_missing_vectors)
{
	char db[512], dir[600], path[700];
	struct store *st = t_sample_db("live_vectors", db, sizeof(db));
	struct engine_opts o;
	struct engine *e = NULL;
	struct engine_stats es;
	struct pb_err err = PB_ERR_INIT;
	struct search_live *l;
	struct search_status s;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(dir, sizeof(dir), "%s.idx", db);
	/* a lexical index alone, as an import leaves it */
	live_opts(&o, dir);
	o.vectors = 0;
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	engine_close(e);
	CHECK(!file_exists(dir, "vec.model"));

	/* no_build opens it without vectors, and engine_add_vectors adds them */
	live_opts(&o, dir);
	o.no_build = 1;
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	if (e) {
		engine_stats(e, &es);
		CHECK_INT(es.dims, 0);
		CHECK(es.docs > 4000);
		CHECK_INT(engine_add_vectors(e, st, &err), PB_OK);
		engine_stats(e, &es);
		CHECK_INT(es.dims, 64);
		engine_close(e);
	}
	snprintf(path, sizeof(path), "%s/vec.model", dir);
	CHECK_INT(unlink(path), 0);

	/* a server: ranked at once, similar papers later */
	live_opts(&o, dir);
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (l)
		search_live_start(l);
	if (l) {
		search_status(search_live_engine(l), &s);
		CHECK_INT(s.index, SEARCH_INDEX_READY);
		CHECK(s.vectors != SEARCH_INDEX_NONE);
		CHECK(total_of(search_live_engine(l), st, "segmentations") > 0);
		wait_ready(search_live_engine(l), &s);
		CHECK_INT(s.vectors, SEARCH_INDEX_READY);
		CHECK_INT(search_live_close(l, 30), 0);
	}
	store_close(st);
}

TEST(search_live_rebuilds_a_damaged_index)
{
	char db[512], dir[600], path[700];
	struct store *st = t_sample_db("live_damaged", db, sizeof(db));
	struct engine_opts o;
	struct engine *e = NULL;
	struct pb_err err = PB_ERR_INIT;
	struct search_live *l;
	struct search_status s;
	FILE *f;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(dir, sizeof(dir), "%s.idx", db);
	live_opts(&o, dir);
	o.vectors = 0;
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	engine_close(e);
	/* a damaged header */
	snprintf(path, sizeof(path), "%s/lex", dir);
	f = fopen(path, "r+b");
	CHECK(f != NULL);
	if (f) {
		fseek(f, 24, SEEK_SET);
		fputs("damage", f);
		fclose(f);
	}
	live_opts(&o, dir);
	o.no_build = 1;
	e = NULL;
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_ENOTFOUND);
	CHECK(e == NULL);

	live_opts(&o, dir);
	o.vectors = 0;
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (l)
		search_live_start(l);
	if (l) {
		CHECK(total_of(search_live_engine(l), st, "segmentation") > 0);
		wait_ready(search_live_engine(l), &s);
		CHECK_INT(s.index, SEARCH_INDEX_READY);
		CHECK_INT(s.vectors, SEARCH_INDEX_NONE); /* none asked for */
		CHECK_INT(total_of(search_live_engine(l), st, "segmentations"),
			  total_of(search_live_engine(l), st, "segmentation"));
		CHECK_INT(search_live_close(l, 30), 0);
	}
	/* the rebuilt file is sound */
	live_opts(&o, dir);
	o.vectors = 0;
	o.no_build = 1;
	e = NULL;
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	engine_close(e);
	store_close(st);
}

TEST(search_live_stops_in_the_middle_of_a_build)
{
	char db[512], dir[600];
	struct store *st = t_sample_db("live_stop", db, sizeof(db));
	struct engine_opts o;
	struct search_live *l;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(dir, sizeof(dir), "%s.idx", db);
	live_opts(&o, dir);
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (l)
		search_live_start(l);
	/* stopped at once: the step under way finishes (a fraction of a
	 * second here), the rest is not started, all is freed */
	if (l)
		CHECK_INT(search_live_close(l, 120), 0);
	/* a later start finds what was made sound, and builds the rest */
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	if (l)
		search_live_start(l);
	if (l) {
		struct search_status s;
		wait_ready(search_live_engine(l), &s);
		CHECK_INT(s.index, SEARCH_INDEX_READY);
		CHECK_INT(s.vectors, SEARCH_INDEX_READY);
		CHECK(total_of(search_live_engine(l), st, "segmentations") > 0);
		CHECK_INT(search_live_close(l, 30), 0);
	}
	store_close(st);
}

TEST(search_live_builds_nothing_unless_started)
{
	char db[512], dir[600];
	struct store *st = t_sample_db("live_unstarted", db, sizeof(db));
	struct engine_opts o;
	struct search_live *l;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(dir, sizeof(dir), "%s.idx", db);
	live_opts(&o, dir);
	/* a server that could not start closes it at once */
	l = search_live_open(db, st, &o);
	CHECK(l != NULL);
	CHECK_INT(search_live_close(l, 0), 0);
	CHECK(!file_exists(dir, "lex"));
	store_close(st);
}

TEST(search_live_without_an_index_folder)
{
	char db[512];
	struct store *st = t_sample_db("live_simple", db, sizeof(db));
	struct search_live *l;
	struct search_status s;
	CHECK(st != NULL);
	if (!st)
		return;
	/* no options: the simple matcher for good */
	l = search_live_open(db, st, NULL);
	CHECK(l != NULL);
	if (l) {
		search_status(search_live_engine(l), &s);
		CHECK_INT(s.index, SEARCH_INDEX_NONE);
		CHECK_INT(s.vectors, SEARCH_INDEX_NONE);
		CHECK(total_of(search_live_engine(l), st, "segmentation") > 0);
		CHECK_INT(search_live_close(l, 30), 0);
	}
	store_close(st);
}
