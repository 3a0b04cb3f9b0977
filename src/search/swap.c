/* swap.c - a search engine that forwards to a replaceable one, each call
 * holding a reference to the engine it started with; and one letting a
 * query at a time through (see swap.h). */
#include "swap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* An engine and its references: one while current, one per call. */
struct held {
	struct search_engine *e;
	long refs;
};

struct swap {
	struct search_engine iface;
	pthread_mutex_t mu; /* guards everything below and every refs */
	struct held *cur;
	int building_index, building_vectors;
	long papers;
	time_t since;
	unsigned long generation;
};

static struct swap *S(struct search_engine *se)
{
	return (struct swap *)se;
}

static struct held *hold(struct swap *s)
{
	struct held *h;
	pthread_mutex_lock(&s->mu);
	h = s->cur;
	h->refs++;
	pthread_mutex_unlock(&s->mu);
	return h;
}

static void drop(struct swap *s, struct held *h)
{
	int last;
	pthread_mutex_lock(&s->mu);
	last = --h->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (last) {
		search_destroy(h->e);
		free(h);
	}
}

static int swap_query(struct search_engine *se, struct store *st, const char *query,
		      const struct store_filter *f, long *total, struct arena *a, store_paper_cb cb,
		      void *ctx, struct pb_err *err)
{
	struct held *h = hold(S(se));
	int rc = search_query(h->e, st, query, f, total, a, cb, ctx, err);
	drop(S(se), h);
	return rc;
}

static int swap_terms(struct search_engine *se, const char *query, struct arena *a,
		      const char ***terms, size_t *n)
{
	struct held *h = hold(S(se));
	int rc = search_terms(h->e, query, a, terms, n);
	drop(S(se), h);
	return rc;
}

static int swap_snippet(struct search_engine *se, const char *query, const char *text,
			size_t max_bytes, struct arena *a, struct snippet *out)
{
	struct held *h = hold(S(se));
	int rc = search_snippet(h->e, query, text, max_bytes, a, out);
	drop(S(se), h);
	return rc;
}

static int swap_facets(struct search_engine *se, struct store *st, const char *query,
		       const struct store_filter *f, struct arena *a, struct search_facet **out,
		       size_t *n, struct pb_err *err)
{
	struct held *h = hold(S(se));
	int rc = search_facets(h->e, st, query, f, a, out, n, err);
	drop(S(se), h);
	return rc;
}

static int swap_similar(struct search_engine *se, struct store *st, const char *arxiv_id,
			long limit, struct arena *a, store_paper_cb cb, void *ctx,
			struct pb_err *err)
{
	struct swap *s = S(se);
	struct held *h = hold(s);
	int rc, building;
	if (h->e->ops->similar)
		rc = h->e->ops->similar(h->e, st, arxiv_id, limit, a, cb, ctx, err);
	else
		rc = pb_err_set(err, PB_EINVAL, "this search engine has no similar papers");
	drop(s, h);
	if (rc == PB_EINVAL) {
		pthread_mutex_lock(&s->mu);
		building = s->building_index || s->building_vectors;
		pthread_mutex_unlock(&s->mu);
		if (building)
			rc = pb_err_set(err, PB_EBUSY,
					"similar papers are not available yet: the search index "
					"is being built");
	}
	return rc;
}

static void swap_status(struct search_engine *se, struct search_status *out)
{
	struct swap *s = S(se);
	struct held *h = hold(s);
	search_status(h->e, out);
	drop(s, h);
	pthread_mutex_lock(&s->mu);
	if (s->building_index)
		out->index = SEARCH_INDEX_BUILDING;
	if (s->building_vectors)
		out->vectors = SEARCH_INDEX_BUILDING;
	if (s->building_index || s->building_vectors) {
		out->papers = s->papers;
		out->since = s->since;
	}
	out->generation = s->generation;
	pthread_mutex_unlock(&s->mu);
}

static void swap_destroy(struct search_engine *se)
{
	struct swap *s = S(se);
	drop(s, s->cur);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static const struct search_ops swap_ops = {
    .name = "swap",
    .query = swap_query,
    .terms = swap_terms,
    .destroy = swap_destroy,
    .snippet = swap_snippet,
    .facets = swap_facets,
    .similar = swap_similar,
    .status = swap_status,
};

struct search_engine *search_swap_new(struct search_engine *first)
{
	struct swap *s = calloc(1, sizeof(*s));
	struct held *h = calloc(1, sizeof(*h));
	if (!s || !h) {
		free(s);
		free(h);
		search_destroy(first);
		return NULL;
	}
	h->e = first;
	h->refs = 1;
	s->iface.ops = &swap_ops;
	s->cur = h;
	s->generation = 1;
	pthread_mutex_init(&s->mu, NULL);
	return &s->iface;
}

int search_swap_replace(struct search_engine *sw, struct search_engine *next)
{
	struct swap *s = S(sw);
	struct held *h = calloc(1, sizeof(*h)), *old;
	if (!h) {
		search_destroy(next);
		return PB_ENOMEM;
	}
	h->e = next;
	h->refs = 1;
	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = h;
	s->generation++;
	pthread_mutex_unlock(&s->mu);
	drop(s, old);
	return PB_OK;
}

void search_swap_building(struct search_engine *sw, int index, int vectors, long papers)
{
	struct swap *s = S(sw);
	pthread_mutex_lock(&s->mu);
	if (!s->building_index && !s->building_vectors && (index || vectors))
		s->since = time(NULL);
	s->building_index = index;
	s->building_vectors = vectors;
	s->papers = papers;
	s->generation++;
	pthread_mutex_unlock(&s->mu);
}

/* ---- one query at a time ---- */

struct serial {
	struct search_engine iface;
	struct search_engine *inner;
	atomic_int busy;
};

static struct serial *SE(struct search_engine *se)
{
	return (struct serial *)se;
}

static int serial_query(struct search_engine *se, struct store *st, const char *query,
			const struct store_filter *f, long *total, struct arena *a,
			store_paper_cb cb, void *ctx, struct pb_err *err)
{
	struct serial *s = SE(se);
	int rc;
	if (atomic_exchange(&s->busy, 1))
		return pb_err_set(err, PB_EBUSY,
				  "the search index is being built and searches are slow until "
				  "it is ready: another one is running, try again in a moment");
	rc = search_query(s->inner, st, query, f, total, a, cb, ctx, err);
	atomic_store(&s->busy, 0);
	return rc;
}

static int serial_terms(struct search_engine *se, const char *query, struct arena *a,
			const char ***terms, size_t *n)
{
	return search_terms(SE(se)->inner, query, a, terms, n);
}

static int serial_snippet(struct search_engine *se, const char *query, const char *text,
			  size_t max_bytes, struct arena *a, struct snippet *out)
{
	return search_snippet(SE(se)->inner, query, text, max_bytes, a, out);
}

static int serial_facets(struct search_engine *se, struct store *st, const char *query,
			 const struct store_filter *f, struct arena *a, struct search_facet **out,
			 size_t *n, struct pb_err *err)
{
	return search_facets(SE(se)->inner, st, query, f, a, out, n, err);
}

static int serial_similar(struct search_engine *se, struct store *st, const char *arxiv_id,
			  long limit, struct arena *a, store_paper_cb cb, void *ctx,
			  struct pb_err *err)
{
	struct search_engine *in = SE(se)->inner;
	if (!in->ops->similar)
		return pb_err_set(err, PB_EINVAL, "this search engine has no similar papers");
	return in->ops->similar(in, st, arxiv_id, limit, a, cb, ctx, err);
}

static void serial_status(struct search_engine *se, struct search_status *out)
{
	search_status(SE(se)->inner, out);
}

static void serial_destroy(struct search_engine *se)
{
	search_destroy(SE(se)->inner);
	free(se);
}

static const struct search_ops serial_ops = {
    .name = "serial",
    .query = serial_query,
    .terms = serial_terms,
    .destroy = serial_destroy,
    .snippet = serial_snippet,
    .facets = serial_facets,
    .similar = serial_similar,
    .status = serial_status,
};

struct search_engine *search_serial_new(struct search_engine *inner)
{
	struct serial *s = calloc(1, sizeof(*s));
	if (!s) {
		search_destroy(inner);
		return NULL;
	}
	s->iface.ops = &serial_ops;
	s->inner = inner;
	atomic_init(&s->busy, 0);
	return &s->iface;
}
