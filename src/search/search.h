/* search.h - the search engine interface: pages, feeds and the API find
 * papers only through a `struct search_engine`, so engines can be swapped
 * (the simple word matcher, the ranked index of engine.h) without touching
 * them.
 *
 * An engine is created once and shared by all server threads: its query
 * and terms functions must be safe to call concurrently; per-call state
 * lives in the caller's arena and store handle. A server holds a swap
 * (swap.h), which starts with the simple matcher when the index has to be
 * built first and moves to the indexed engine when it is ready.
 */
#ifndef PB_SEARCH_H
#define PB_SEARCH_H

#include "../core/arena.h"
#include "../core/err.h"
#include "../store/store.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

struct search_engine;
struct snippet;

/* How far an engine's index has come (search_status). */
enum search_index_state {
	SEARCH_INDEX_NONE,     /* none: the simple matcher, or no vectors */
	SEARCH_INDEX_BUILDING, /* being built; meanwhile as NONE */
	SEARCH_INDEX_READY,
};

struct search_status {
	enum search_index_state index;	 /* the lexical index: ranked searches */
	enum search_index_state vectors; /* semantic vectors: similar papers */
	long papers;			 /* papers being indexed, while building */
	time_t since;			 /* when the build started, while building */
	/* Moves whenever what searches can find changes (an index or its
	 * vectors became ready): what was made from searches before is
	 * stale. */
	unsigned long generation;
};

/* Papers per category in a result set. */
struct search_facet {
	const char *category;
	long count;
};

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

	/* Optional (NULL in engines without them; the wrappers below then
	 * answer PB_ENOTFOUND). */
	/* The passage of text (an abstract) best showing query's words, with
	 * the byte ranges of the matches to highlight (snippet.h); max_bytes
	 * 0 keeps the whole text (titles). PB_ENOMEM only. */
	int (*snippet)(struct search_engine *e, const char *query, const char *text,
		       size_t max_bytes, struct arena *a, struct snippet *out);
	/* Counts by category of all papers matching query and f, most first
	 * (names in a). */
	int (*facets)(struct search_engine *e, struct store *st, const char *query,
		      const struct store_filter *f, struct arena *a, struct search_facet **out,
		      size_t *n, struct pb_err *err);
	/* Calls cb for up to limit papers most similar to arxiv_id, best
	 * first. PB_ENOTFOUND when the paper is unknown to the engine,
	 * PB_EINVAL when the engine has no similar papers, PB_EBUSY when
	 * not yet (its index is being built). */
	int (*similar)(struct search_engine *e, struct store *st, const char *arxiv_id, long limit,
		       struct arena *a, store_paper_cb cb, void *ctx, struct pb_err *err);
	/* The state of the engine's index (without it: no index, no
	 * vectors). Cannot fail. */
	void (*status)(struct search_engine *e, struct search_status *out);
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

static inline int search_snippet(struct search_engine *e, const char *query, const char *text,
				 size_t max_bytes, struct arena *a, struct snippet *out)
{
	return e->ops->snippet ? e->ops->snippet(e, query, text, max_bytes, a, out) : PB_ENOTFOUND;
}

static inline int search_facets(struct search_engine *e, struct store *st, const char *query,
				const struct store_filter *f, struct arena *a,
				struct search_facet **out, size_t *n, struct pb_err *err)
{
	if (!e->ops->facets) {
		*out = NULL;
		*n = 0;
		return PB_ENOTFOUND;
	}
	return e->ops->facets(e, st, query, f, a, out, n, err);
}

static inline int search_similar(struct search_engine *e, struct store *st, const char *arxiv_id,
				 long limit, struct arena *a, store_paper_cb cb, void *ctx,
				 struct pb_err *err)
{
	if (!e->ops->similar)
		return pb_err_set(err, PB_ENOTFOUND, "this search engine has no similar papers");
	return e->ops->similar(e, st, arxiv_id, limit, a, cb, ctx, err);
}

static inline void search_status(struct search_engine *e, struct search_status *out)
{
	memset(out, 0, sizeof(*out));
	if (e && e->ops->status)
		e->ops->status(e, out);
}

static inline void search_destroy(struct search_engine *e)
{
	if (e)
		e->ops->destroy(e);
}

#endif
