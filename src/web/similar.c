/* similar.c - similar papers through the search interface, shared by the
 * paper page and /api/papers/ID/similar. */
#include "similar.h"

#include "../search/search.h"

#include <string.h>

/* Asked of the engine beyond the limit, so that hits the store has lost
 * since the index was built (or a repeat) still leave limit papers. */
#define SIMILAR_SPARE 4

struct collect {
	struct web_papers *out;
	const char *self;
	size_t limit;
};

static int collect_one(void *ctx, const struct paper *p)
{
	struct collect *c = ctx;
	size_t i;

	if (c->out->n >= c->limit || p->deleted || strcmp(p->arxiv_id, c->self) == 0)
		return PB_OK;
	for (i = 0; i < c->out->n; i++)
		if (strcmp(c->out->items[i].arxiv_id, p->arxiv_id) == 0)
			return PB_OK;
	return web_papers_add(c->out, p);
}

enum web_similar_result web_similar(struct web_request *r, const char *arxiv_id, long limit,
				    struct web_papers *out, struct pb_err *err)
{
	struct search_engine *se = r->site->search;
	struct collect c = {out, arxiv_id, limit > 0 ? (size_t)limit : 0};
	int rc;

	if (!se || !se->ops->similar) {
		pb_err_set(err, PB_ENOTFOUND, "this server's search engine has no similar papers");
		return WEB_SIMILAR_UNAVAILABLE;
	}
	if (!c.limit)
		return WEB_SIMILAR_OK;
	rc = search_similar(se, r->store, arxiv_id, limit + SIMILAR_SPARE, r->arena, collect_one,
			    &c, err);
	switch (rc) {
	case PB_OK:
		return WEB_SIMILAR_OK;
	case PB_ENOTFOUND:
		return WEB_SIMILAR_NOT_INDEXED;
	case PB_EBUSY:
		return WEB_SIMILAR_NOT_YET;
	case PB_EINVAL: /* an index without semantic vectors (engine.h) */
		return WEB_SIMILAR_UNAVAILABLE;
	default:
		return WEB_SIMILAR_FAILED;
	}
}
