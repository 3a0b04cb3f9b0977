/* simple.c - the simple search engine: the store's word matcher behind the
 * search interface. */
#include "search.h"

#include "../core/arxiv.h"

#include <stdlib.h>
#include <string.h>

#define SIMPLE_TERMS_MAX 16

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 when the whole query (spaces trimmed) is an arXiv id; writes it. */
static int query_is_id(const char *q, char id[ARXIV_ID_MAX])
{
	size_t n;
	int version;
	while (is_space(*q))
		q++;
	n = strlen(q);
	while (n && is_space(q[n - 1]))
		n--;
	if (!n || memchr(q, ' ', n))
		return 0;
	return arxiv_id_parse(q, n, id, &version) == PB_OK;
}

static int simple_query(struct search_engine *e, struct store *st, const char *query,
			const struct store_filter *f, long *total, struct arena *a,
			store_paper_cb cb, void *ctx, struct pb_err *err)
{
	char id[ARXIV_ID_MAX];
	(void)e;
	if (query && query_is_id(query, id)) {
		struct paper p;
		int rc = store_paper_get(st, id, a, &p, err);
		if (rc == PB_ENOTFOUND || (rc == PB_OK && p.deleted)) {
			if (err)
				err->rc = PB_OK;
			/* Not stored: look for the text instead (it may be a word). */
		} else if (rc) {
			return rc;
		} else {
			*total = 1;
			if (f->offset > 0)
				return PB_OK;
			return cb(ctx, &p);
		}
	}
	if (!query || !*query)
		return store_papers_list(st, f, total, a, cb, ctx, err);
	return store_papers_match(st, query, f, total, a, cb, ctx, err);
}

static int simple_terms(struct search_engine *e, const char *query, struct arena *a,
			const char ***terms, size_t *n)
{
	const char **list = arena_alloc(a, SIMPLE_TERMS_MAX * sizeof(*list));
	const char *p = query ? query : "";
	size_t count = 0, i;
	(void)e;

	if (!list)
		return PB_ENOMEM;
	while (*p && count < SIMPLE_TERMS_MAX) {
		const char *start;
		char *w;
		int dup = 0;
		while (is_space(*p))
			p++;
		start = p;
		while (*p && !is_space(*p))
			p++;
		if (p == start)
			break;
		w = arena_strndup(a, start, (size_t)(p - start));
		if (!w)
			return PB_ENOMEM;
		for (i = 0; i < count; i++)
			if (strcasecmp(list[i], w) == 0)
				dup = 1;
		if (!dup)
			list[count++] = w;
	}
	*terms = list;
	*n = count;
	return PB_OK;
}

static void simple_destroy(struct search_engine *e)
{
	free(e);
}

static const struct search_ops simple_ops = {
    .name = "simple",
    .query = simple_query,
    .terms = simple_terms,
    .destroy = simple_destroy,
};

struct search_engine *search_simple_new(void)
{
	struct search_engine *e = malloc(sizeof(*e));
	if (e)
		e->ops = &simple_ops;
	return e;
}
