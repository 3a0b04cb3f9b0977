/* test_search_swap.c - the swap (src/search/swap.c) with fake engines:
 * calls go to the current engine, a replaced engine lives until its last
 * call returns and is destroyed once, status and generation, similar
 * papers while building, and replacements racing with searches. */
#include "t.h"

#include "../../src/search/swap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define FAKE_ALIVE 0x5eed

/* A fake engine: counts its calls and its destruction. */
struct fake {
	struct search_engine iface;
	int id;
	int alive; /* FAKE_ALIVE until destroyed */
	atomic_int *destroyed;
	atomic_long calls;
	/* during a query: replaced in sw by next (the call then checks it
	 * is still alive) */
	struct search_engine *sw, *next;
	int similar_rc; /* what similar answers */
};

static int fake_query(struct search_engine *e, struct store *st, const char *query,
		      const struct store_filter *f, long *total, struct arena *a, store_paper_cb cb,
		      void *ctx, struct pb_err *err)
{
	struct fake *x = (struct fake *)e;
	(void)st, (void)query, (void)f, (void)a, (void)cb, (void)ctx, (void)err;
	if (x->alive != FAKE_ALIVE)
		return PB_ECORRUPT;
	atomic_fetch_add(&x->calls, 1);
	if (x->sw && x->next) {
		struct search_engine *next = x->next;
		x->next = NULL;
		if (search_swap_replace(x->sw, next) != PB_OK)
			return PB_ENOMEM;
		/* replaced, but this call still holds it */
		if (x->alive != FAKE_ALIVE || atomic_load(x->destroyed))
			return PB_ECORRUPT;
	}
	*total = x->id;
	return PB_OK;
}

static int fake_terms(struct search_engine *e, const char *query, struct arena *a,
		      const char ***terms, size_t *n)
{
	(void)e, (void)query, (void)a;
	*terms = NULL;
	*n = 0;
	return PB_OK;
}

static int fake_similar(struct search_engine *e, struct store *st, const char *arxiv_id, long limit,
			struct arena *a, store_paper_cb cb, void *ctx, struct pb_err *err)
{
	struct fake *x = (struct fake *)e;
	(void)st, (void)arxiv_id, (void)limit, (void)a, (void)cb, (void)ctx;
	return x->similar_rc ? pb_err_set(err, x->similar_rc, "fake") : PB_OK;
}

static void fake_status(struct search_engine *e, struct search_status *out)
{
	(void)e;
	out->index = SEARCH_INDEX_READY;
	out->vectors = SEARCH_INDEX_NONE;
}

static void fake_destroy(struct search_engine *e)
{
	struct fake *x = (struct fake *)e;
	atomic_fetch_add(x->destroyed, 1);
	x->alive = 0;
	free(x);
}

static const struct search_ops fake_ops = {
    .name = "fake", .query = fake_query, .terms = fake_terms, .destroy = fake_destroy};

static const struct search_ops fake_ranked_ops = {.name = "fake-ranked",
						  .query = fake_query,
						  .terms = fake_terms,
						  .destroy = fake_destroy,
						  .similar = fake_similar,
						  .status = fake_status};

static struct fake *fake_new(int id, atomic_int *destroyed, const struct search_ops *ops)
{
	struct fake *x = calloc(1, sizeof(*x));
	if (!x)
		abort();
	x->iface.ops = ops;
	x->id = id;
	x->alive = FAKE_ALIVE;
	x->destroyed = destroyed;
	return x;
}

/* The id of the engine a query reaches (its total), or -1. */
static long which(struct search_engine *sw)
{
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	long total = -1;
	memset(&f, 0, sizeof(f));
	if (search_query(sw, NULL, "x", &f, &total, NULL, NULL, NULL, &err) != PB_OK)
		return -1;
	return total;
}

TEST(search_swap_forwards_to_the_current_engine)
{
	atomic_int d1 = 0, d2 = 0;
	struct fake *a = fake_new(1, &d1, &fake_ops), *b = fake_new(2, &d2, &fake_ops);
	struct search_engine *sw = search_swap_new(&a->iface);
	CHECK(sw != NULL);
	if (!sw)
		return;
	CHECK_INT(which(sw), 1);
	CHECK_INT(atomic_load(&a->calls), 1);
	CHECK_INT(search_swap_replace(sw, &b->iface), PB_OK);
	/* no call held the old engine: it went at once, and only it */
	CHECK_INT(atomic_load(&d1), 1);
	CHECK_INT(atomic_load(&d2), 0);
	CHECK_INT(which(sw), 2);
	CHECK_INT(which(sw), 2);
	search_destroy(sw);
	CHECK_INT(atomic_load(&d1), 1);
	CHECK_INT(atomic_load(&d2), 1);
}

TEST(search_swap_keeps_an_engine_until_its_calls_return)
{
	atomic_int d1 = 0, d2 = 0;
	struct fake *a = fake_new(1, &d1, &fake_ops), *b = fake_new(2, &d2, &fake_ops);
	struct search_engine *sw = search_swap_new(&a->iface);
	CHECK(sw != NULL);
	if (!sw)
		return;
	/* a's query replaces a by b while it runs: it still answers as a */
	a->sw = sw;
	a->next = &b->iface;
	CHECK_INT(which(sw), 1);
	/* returned: a is gone now, b answers */
	CHECK_INT(atomic_load(&d1), 1);
	CHECK_INT(atomic_load(&d2), 0);
	CHECK_INT(which(sw), 2);
	search_destroy(sw);
	CHECK_INT(atomic_load(&d2), 1);
}

TEST(search_swap_status_and_generation)
{
	atomic_int d1 = 0, d2 = 0;
	struct fake *a = fake_new(1, &d1, &fake_ops), *b = fake_new(2, &d2, &fake_ranked_ops);
	struct search_engine *sw = search_swap_new(&a->iface);
	struct search_status s;
	unsigned long g;
	time_t t0 = time(NULL);
	CHECK(sw != NULL);
	if (!sw)
		return;
	/* an engine without status: no index */
	search_status(sw, &s);
	CHECK_INT(s.index, SEARCH_INDEX_NONE);
	CHECK_INT(s.vectors, SEARCH_INDEX_NONE);
	g = s.generation;
	CHECK(g != 0);

	search_swap_building(sw, 1, 1, 4818);
	search_status(sw, &s);
	CHECK_INT(s.index, SEARCH_INDEX_BUILDING);
	CHECK_INT(s.vectors, SEARCH_INDEX_BUILDING);
	CHECK_INT(s.papers, 4818);
	CHECK(s.since >= t0 && s.since <= time(NULL));
	CHECK(s.generation != g);
	g = s.generation;

	/* the ranked engine arrives; its vectors are still being made */
	CHECK_INT(search_swap_replace(sw, &b->iface), PB_OK);
	search_status(sw, &s);
	CHECK(s.generation != g);
	g = s.generation;
	search_swap_building(sw, 0, 1, 4818);
	search_status(sw, &s);
	CHECK_INT(s.index, SEARCH_INDEX_READY);
	CHECK_INT(s.vectors, SEARCH_INDEX_BUILDING);
	CHECK(s.generation != g);
	g = s.generation;

	search_swap_building(sw, 0, 0, 0);
	search_status(sw, &s);
	CHECK_INT(s.index, SEARCH_INDEX_READY);
	CHECK_INT(s.vectors, SEARCH_INDEX_NONE); /* what the engine says */
	CHECK_INT(s.papers, 0);
	CHECK(s.generation != g);
	g = s.generation;
	search_status(sw, &s);
	CHECK(s.generation == g); /* nothing changed */
	search_destroy(sw);
	CHECK_INT(atomic_load(&d1), 1);
	CHECK_INT(atomic_load(&d2), 1);
}

static int similar_rc(struct search_engine *sw)
{
	struct pb_err err = PB_ERR_INIT;
	return search_similar(sw, NULL, "2101.11408", 5, NULL, NULL, NULL, &err);
}

TEST(search_swap_similar_papers_while_building)
{
	atomic_int d1 = 0, d2 = 0;
	struct fake *a = fake_new(1, &d1, &fake_ops), *b = fake_new(2, &d2, &fake_ranked_ops);
	struct search_engine *sw = search_swap_new(&a->iface);
	CHECK(sw != NULL);
	if (!sw)
		return;
	/* the simple matcher: none, or not yet while the index is built */
	CHECK_INT(similar_rc(sw), PB_EINVAL);
	search_swap_building(sw, 1, 1, 10);
	CHECK_INT(similar_rc(sw), PB_EBUSY);
	/* a ranked engine without vectors while they are made: not yet */
	b->similar_rc = PB_EINVAL;
	CHECK_INT(search_swap_replace(sw, &b->iface), PB_OK);
	search_swap_building(sw, 0, 1, 10);
	CHECK_INT(similar_rc(sw), PB_EBUSY);
	/* an unknown paper stays unknown */
	b->similar_rc = PB_ENOTFOUND;
	CHECK_INT(similar_rc(sw), PB_ENOTFOUND);
	b->similar_rc = PB_OK;
	CHECK_INT(similar_rc(sw), PB_OK);
	/* built, and still no vectors: none */
	b->similar_rc = PB_EINVAL;
	search_swap_building(sw, 0, 0, 0);
	CHECK_INT(similar_rc(sw), PB_EINVAL);
	search_destroy(sw);
}

/* ---- replacements racing with searches ---- */

#define RACE_THREADS 4
#define RACE_CALLS 3000
#define RACE_SWAPS 400

struct race {
	struct search_engine *sw;
	atomic_int failed;
};

static void *race_searcher(void *arg)
{
	struct race *r = arg;
	struct search_status s;
	int i;
	for (i = 0; i < RACE_CALLS; i++) {
		if (which(r->sw) < 0)
			atomic_fetch_add(&r->failed, 1);
		if (i % 16 == 0)
			search_status(r->sw, &s);
	}
	return NULL;
}

TEST(search_swap_replacements_race_with_searches)
{
	atomic_int destroyed = 0;
	struct race r;
	pthread_t th[RACE_THREADS];
	int i, started = 0;
	r.sw = search_swap_new(&fake_new(0, &destroyed, &fake_ops)->iface);
	atomic_init(&r.failed, 0);
	CHECK(r.sw != NULL);
	if (!r.sw)
		return;
	for (i = 0; i < RACE_THREADS; i++)
		started += pthread_create(&th[i], NULL, race_searcher, &r) == 0;
	CHECK_INT(started, RACE_THREADS);
	for (i = 1; i <= RACE_SWAPS; i++) {
		CHECK_INT(search_swap_replace(r.sw, &fake_new(i, &destroyed, &fake_ops)->iface),
			  PB_OK);
		if (i % 50 == 0)
			search_swap_building(r.sw, i % 100 == 0, 0, i);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	/* every call reached a live engine; every replaced engine went, once */
	CHECK_INT(atomic_load(&r.failed), 0);
	CHECK_INT(atomic_load(&destroyed), RACE_SWAPS);
	CHECK_INT(which(r.sw), RACE_SWAPS);
	search_destroy(r.sw);
	CHECK_INT(atomic_load(&destroyed), RACE_SWAPS + 1);
}

/* ---- one query at a time ---- */

/* A fake whose query waits, inside, until released. */
struct gate {
	struct search_engine iface;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inside, open;
	atomic_int *destroyed;
};

static int gate_query(struct search_engine *e, struct store *st, const char *query,
		      const struct store_filter *f, long *total, struct arena *a, store_paper_cb cb,
		      void *ctx, struct pb_err *err)
{
	struct gate *g = (struct gate *)e;
	(void)st, (void)query, (void)f, (void)a, (void)cb, (void)ctx, (void)err;
	pthread_mutex_lock(&g->mu);
	g->inside = 1;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	*total = 7;
	return PB_OK;
}

static void gate_destroy(struct search_engine *e)
{
	struct gate *g = (struct gate *)e;
	atomic_fetch_add(g->destroyed, 1);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

static const struct search_ops gate_ops = {
    .name = "gate", .query = gate_query, .terms = fake_terms, .destroy = gate_destroy};

static void *gate_searcher(void *arg)
{
	static long got;
	got = which(arg);
	return &got;
}

TEST(search_serial_lets_one_query_through)
{
	atomic_int destroyed = 0;
	struct gate *g = calloc(1, sizeof(*g));
	struct search_engine *se;
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	const char **terms;
	size_t n;
	long total = 0;
	pthread_t th;
	void *res = NULL;
	CHECK(g != NULL);
	if (!g)
		return;
	g->iface.ops = &gate_ops;
	g->destroyed = &destroyed;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	se = search_serial_new(&g->iface);
	CHECK(se != NULL);
	if (!se)
		return;
	CHECK_INT(pthread_create(&th, NULL, gate_searcher, se), 0);
	pthread_mutex_lock(&g->mu);
	while (!g->inside)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	/* one query is inside: another is turned away at once, saying why */
	memset(&f, 0, sizeof(f));
	CHECK_INT(search_query(se, NULL, "x", &f, &total, NULL, NULL, NULL, &err), PB_EBUSY);
	CHECK(strstr(err.msg, "the search index is being built") != NULL);
	/* other calls go through */
	CHECK_INT(search_terms(se, "x", NULL, &terms, &n), PB_OK);
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(th, &res);
	CHECK(res != NULL && *(long *)res == 7);
	/* free again */
	CHECK_INT(which(se), 7);
	search_destroy(se);
	CHECK_INT(atomic_load(&destroyed), 1);
}
