/* live.c - a server's search engine: opened at once, what is missing
 * built on a thread of its own, searches moved to it through a swap
 * (swap.h) when ready. The thread also closes the engine at the end, so
 * that stopping never waits on a build for longer than asked. */
#include "live.h"

#include "swap.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct search_live {
	struct search_engine *sw; /* what searches use: owned, destroyed by the thread */
	struct engine *e;	  /* the indexed engine once open (the swap owns it) */
	struct engine_opts o;
	char db[1024], dir[1100];
	int build_index, build_vectors;
	long papers;
	char why[256]; /* why the index is built */

	pthread_t thread;
	int have_thread;
	pthread_mutex_t mu; /* guards stop, done, abandoned */
	pthread_cond_t cv;
	int stop, done, abandoned;
};

static void logf_(const struct search_live *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(const struct search_live *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	engine_vlog(l->o.log, fmt, ap);
	va_end(ap);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopping(struct search_live *l)
{
	int stop;
	pthread_mutex_lock(&l->mu);
	stop = l->stop;
	pthread_mutex_unlock(&l->mu);
	return stop;
}

static void live_free(struct search_live *l)
{
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* Searches go on with the simple matcher for good (a query at a time no
 * longer: nothing is being built). */
static void give_up(struct search_live *l)
{
	struct search_engine *simple = search_simple_new();
	l->build_vectors = 0;
	search_swap_building(l->sw, 0, 0, 0);
	if (simple)
		search_swap_replace(l->sw, simple);
}

/* Builds the lexical index from st (its own engine_open, which logs where)
 * and moves searches to it. */
static void build_index(struct search_live *l, struct store *st)
{
	struct pb_err err = PB_ERR_INIT;
	struct engine_opts o = l->o;
	struct engine *e;
	double t0 = now();

	o.vectors = 0; /* after the lexical index: searches need not wait for them */
	o.no_build = 0;
	if (engine_open(l->db, st, &o, &e, &err)) {
		logf_(l, "%s; searches use the simple matcher", err.msg);
		give_up(l);
		return;
	}
	if (search_swap_replace(l->sw, engine_search_iface(e))) {
		logf_(l, "out of memory; searches use the simple matcher");
		give_up(l);
		return;
	}
	l->e = e;
	search_swap_building(l->sw, 0, l->build_vectors, l->papers);
	logf_(l, "ready in %.1f s; searches are ranked", now() - t0);
}

/* Trains (or opens) the semantic vectors of the open engine. */
static void build_vectors(struct search_live *l, struct store *st)
{
	struct pb_err err = PB_ERR_INIT;
	struct engine_stats es;
	double t0 = now();
	int rc = engine_add_vectors(l->e, st, &err);

	search_swap_building(l->sw, 0, 0, 0);
	engine_stats(l->e, &es);
	if (rc)
		logf_(l, "semantic vectors: %s; no similar papers until the next start", err.msg);
	else if (es.dims)
		logf_(l, "semantic vectors ready in %.1f s; similar papers are shown", now() - t0);
}

static void *live_main(void *arg)
{
	struct search_live *l = arg;
	struct pb_err err = PB_ERR_INIT;
	struct store *st = NULL;
	int abandoned;

	if (l->build_index || l->build_vectors) {
		st = store_open(l->db, &err);
		if (!st) {
			logf_(l, "cannot build it: %s; searches go on as they are", err.msg);
			if (l->build_index)
				give_up(l);
			else
				search_swap_building(l->sw, 0, 0, 0);
		}
	}
	if (st && l->build_index) {
		/* counted here: on a large store that reads the whole table */
		if (store_count(st, &l->papers, &err))
			l->papers = 0;
		search_swap_building(l->sw, 1, l->build_vectors, l->papers);
		logf_(l,
		      "%s; building it in the background (%ld papers); searches use the simple "
		      "matcher until it is ready",
		      l->why, l->papers);
	}
	if (st && l->build_index && !stopping(l))
		build_index(l, st);
	if (st && l->build_vectors && l->e && !stopping(l))
		build_vectors(l, st);
	store_close(st);

	pthread_mutex_lock(&l->mu);
	while (!l->stop)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
	search_destroy(l->sw); /* the engine's watcher stops with it */
	pthread_mutex_lock(&l->mu);
	l->done = 1;
	abandoned = l->abandoned;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (abandoned)
		live_free(l);
	return NULL;
}

struct search_live *search_live_open(const char *db_path, struct store *st,
				     const struct engine_opts *o)
{
	struct search_live *l = calloc(1, sizeof(*l));
	struct pb_err err = PB_ERR_INIT;
	struct search_engine *first;
	struct engine_opts oo;
	struct engine *e = NULL;
	double t0 = now();
	int rc;

	if (!l)
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	snprintf(l->db, sizeof(l->db), "%s", db_path);
	if (!o) {
		first = search_simple_new();
		goto swap;
	}
	l->o = *o;
	l->o.watch = 1;
	l->o.rebuild = 0;
	if (o->dir) {
		snprintf(l->dir, sizeof(l->dir), "%s", o->dir);
		l->o.dir = l->dir;
	}

	oo = l->o;
	oo.no_build = 1;
	rc = engine_open(db_path, st, &oo, &e, &err);
	if (rc == PB_OK) {
		struct engine_stats es;
		engine_stats(e, &es);
		l->e = e;
		l->build_vectors = o->vectors && !es.dims;
		first = engine_search_iface(e);
	} else if (rc == PB_ENOTFOUND) {
		/* said by the thread, with the number of papers */
		l->build_index = 1;
		l->build_vectors = o->vectors;
		snprintf(l->why, sizeof(l->why), "%s", err.msg);
		first = search_simple_new();
		if (first)
			first = search_serial_new(first);
	} else {
		logf_(l, "%s; using the simple search", err.msg);
		first = search_simple_new();
	}
swap:
	/* (a swap that cannot be made destroys first, the engine included) */
	l->sw = first ? search_swap_new(first) : NULL;
	if (!l->sw) {
		live_free(l);
		return NULL;
	}
	if (l->e) {
		FILE *f = l->o.log ? l->o.log : stderr;
		fprintf(f, "paperboy: search index in %s (opened in %.3f s)\n",
			l->dir[0] ? l->dir : "the index folder", now() - t0);
		if (l->build_vectors)
			logf_(l, "semantic vectors: making them in the background (similar papers "
				 "appear when they are ready)");
		fflush(f);
	}
	if (l->build_index || l->build_vectors)
		search_swap_building(l->sw, l->build_index, l->build_vectors, l->papers);
	return l;
}

void search_live_start(struct search_live *l)
{
	if (l->have_thread)
		return;
	if (pthread_create(&l->thread, NULL, live_main, l) == 0) {
		l->have_thread = 1;
	} else if (l->build_index || l->build_vectors) {
		logf_(l, "%s%scannot start a thread to build what is missing; searching without it",
		      l->why, l->why[0] ? "; " : "");
		if (l->build_index)
			give_up(l);
		else
			search_swap_building(l->sw, 0, 0, 0);
	}
}

struct search_engine *search_live_engine(struct search_live *l)
{
	return l->sw;
}

int search_live_close(struct search_live *l, double grace)
{
	struct timespec until;
	pthread_t th;
	int left = 0;

	if (!l)
		return 0;
	if (!l->have_thread) {
		search_destroy(l->sw);
		live_free(l);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)grace;
	until.tv_nsec += (long)((grace - (double)(time_t)grace) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	th = l->thread; /* l is the thread's to free once abandoned */
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_broadcast(&l->cv);
	while (!l->done)
		if (pthread_cond_timedwait(&l->cv, &l->mu, &until) != 0 && !l->done) {
			l->abandoned = left = 1;
			break;
		}
	pthread_mutex_unlock(&l->mu);
	if (left) {
		pthread_detach(th);
		return 1;
	}
	pthread_join(th, NULL);
	live_free(l);
	return 0;
}
