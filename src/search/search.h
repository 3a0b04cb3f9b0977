/* search.h - the search engine interface: pages, feeds and the API find
 * papers only through a `struct search_engine`, so engines can be swapped
 * (the simple word matcher today, a ranked index later) without touching
 * them.
 *
 * An engine is created once and shared by all server threads: its query
 * and terms functions must be safe to call concurrently; per-call state
 * lives in the caller's arena and store handle.
 */
#ifndef PB_SEARCH_H
#define PB_SEARCH_H

#include "../core/arena.h"
#include "../core/err.h"
#include "../store/store.h"

#include <stddef.h>

struct search_engine;

struct search_ops {
	const char *name;
	/* Calls cb for each paper matching query (free text; may be empty, in
	 * which case the filter alone selects), filtered, sorted and paged by
	 * f; *total gets the number of matches. A query that is an arXiv id
	 * finds that paper. Errors as for the store. */
	int (*query)(struct search_engine *e, struct store *st, const char *query,
		     const struct store_filter *f, long *total, struct arena *a, store_paper_cb cb,
		     void *ctx, struct pb_err *err);
	/* The words of query to highlight in results (in a): *terms gets an
	 * array of *n strings. PB_ENOMEM only. */
	int (*terms)(struct search_engine *e, const char *query, struct arena *a,
		     const char ***terms, size_t *n);
	void (*destroy)(struct search_engine *e);
};

struct search_engine {
	const struct search_ops *ops;
};

/* The simple engine (simple.c): every word must occur in the title,
 * abstract or authors (store_papers_match); no ranking beyond the
 * filter's sort. NULL when out of memory. */
struct search_engine *search_simple_new(void);

static inline int search_query(struct search_engine *e, struct store *st, const char *query,
			       const struct store_filter *f, long *total, struct arena *a,
			       store_paper_cb cb, void *ctx, struct pb_err *err)
{
	return e->ops->query(e, st, query, f, total, a, cb, ctx, err);
}

static inline int search_terms(struct search_engine *e, const char *query, struct arena *a,
			       const char ***terms, size_t *n)
{
	return e->ops->terms(e, query, a, terms, n);
}

static inline void search_destroy(struct search_engine *e)
{
	if (e)
		e->ops->destroy(e);
}

#endif
