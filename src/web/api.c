/* api.c - the JSON API, shaped like the public daily-papers API so its
 * clients port easily: /api/daily_papers, /api/papers/ID,
 * /api/papers/ID/similar, /api/papers/search, and the OpenAPI document that
 * describes them (docs/openapi.json, built into the binary). Errors are
 * {"error": "..."}. */
#include "pages.h"

#include "html.h"
#include "layout.h"
#include "params.h"
#include "similar.h"

#include "../core/arxiv.h"
#include "../search/search.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* docs/openapi.json, embedded at build time (the build runs from the
 * repository root, where the assembler finds the file). */
__asm__(".section .rodata\n"
	".balign 16\n"
	"web_openapi_start:\n"
	".incbin \"docs/openapi.json\"\n"
	"web_openapi_end:\n"
	".byte 0\n"
	".previous\n");
extern const char web_openapi_start[] __attribute__((visibility("hidden")));
extern const char web_openapi_end[] __attribute__((visibility("hidden")));

#define API_LIMIT_MAX 100

/* "YYYY-MM-DDTHH:MM:SS.000Z" from a day or a moment; null when absent. */
static json_t *moment_json(const char *s)
{
	char out[32];
	if (!s || strlen(s) < 10)
		return json_null();
	if (strlen(s) >= 19 && s[10] == 'T')
		snprintf(out, sizeof(out), "%.19s.000Z", s);
	else
		snprintf(out, sizeof(out), "%.10sT00:00:00.000Z", s);
	return json_string(out);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *link_or_null(const char *url)
{
	return html_url_ok(url) ? json_string(url) : json_null();
}

/* The moment of the first version, or the publication day. */
static const char *published_moment(const struct paper *p)
{
	if (p->n_versions && p->versions[0].version == 1 && p->versions[0].created)
		return p->versions[0].created;
	return p->published ? p->published : p->announced;
}

static json_t *paper_json(const struct paper *p, int full)
{
	json_t *o = json_object(), *authors = json_array(), *cats = json_array();
	size_t i;

	if (!o || !authors || !cats) {
		json_decref(o);
		json_decref(authors);
		json_decref(cats);
		return NULL;
	}
	for (i = 0; i < p->n_authors; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "name", json_string(p->author_list[i].name));
		if (full && p->author_list[i].affiliation)
			json_object_set_new(a, "affiliation",
					    json_string(p->author_list[i].affiliation));
		json_array_append_new(authors, a);
	}
	for (i = 0; i < p->n_categories; i++)
		json_array_append_new(cats, json_string(p->categories[i]));
	json_object_set_new(o, "id", json_string(p->arxiv_id));
	json_object_set_new(o, "title", json_string(p->title ? p->title : ""));
	json_object_set_new(o, "summary", json_string(p->abstract ? p->abstract : ""));
	json_object_set_new(o, "authors", authors);
	json_object_set_new(o, "publishedAt", moment_json(published_moment(p)));
	json_object_set_new(o, "upvotes", json_integer(p->upvotes > 0 ? p->upvotes : 0));
	json_object_set_new(o, "githubRepo", link_or_null(p->code_url));
	json_object_set_new(o, "projectPage", link_or_null(p->project_url));
	json_object_set_new(o, "categories", cats);
	if (full) {
		json_t *versions = json_array();
		for (i = 0; i < p->n_versions; i++) {
			json_t *v = json_object();
			json_object_set_new(v, "version", json_integer(p->versions[i].version));
			json_object_set_new(v, "created", moment_json(p->versions[i].created));
			json_object_set_new(v, "size", string_or_null(p->versions[i].size));
			json_array_append_new(versions, v);
		}
		json_object_set_new(o, "version", json_integer(p->version));
		json_object_set_new(o, "versions", versions);
		json_object_set_new(o, "announcedAt", moment_json(p->announced));
		json_object_set_new(o, "updatedAt", moment_json(p->updated));
		json_object_set_new(o, "comments", string_or_null(p->comments));
		json_object_set_new(o, "journalRef", string_or_null(p->journal_ref));
		json_object_set_new(o, "doi", string_or_null(p->doi));
		json_object_set_new(o, "license", string_or_null(p->license));
		json_object_set_new(o, "numComments",
				    json_integer(p->num_comments > 0 ? p->num_comments : 0));
		json_object_set_new(o, "submittedBy",
				    p->submitted_by ? json_pack("{s:s}", "name", p->submitted_by)
						    : json_null());
		{
			char url[128];
			snprintf(url, sizeof(url), "https://arxiv.org/abs/%s", p->arxiv_id);
			json_object_set_new(o, "arxivUrl", json_string(url));
			snprintf(url, sizeof(url), "https://arxiv.org/pdf/%s", p->arxiv_id);
			json_object_set_new(o, "pdfUrl", json_string(url));
		}
	}
	return o;
}

/* One element of a daily list: the paper plus its place on the list. */
static json_t *daily_item_json(const struct paper *p)
{
	json_t *o = json_object(), *paper = paper_json(p, 0);
	if (!o || !paper) {
		json_decref(o);
		json_decref(paper);
		return NULL;
	}
	json_object_set_new(o, "paper", paper);
	json_object_set_new(o, "title", json_string(p->title ? p->title : ""));
	json_object_set_new(o, "summary", json_string(p->abstract ? p->abstract : ""));
	json_object_set_new(o, "publishedAt",
			    moment_json(p->submitted_at ? p->submitted_at : p->announced));
	json_object_set_new(o, "submittedOnDailyAt",
			    moment_json(p->submitted_at ? p->submitted_at : p->announced));
	json_object_set_new(o, "submittedBy",
			    p->submitted_by ? json_pack("{s:s}", "name", p->submitted_by)
					    : json_null());
	json_object_set_new(o, "numComments",
			    json_integer(p->num_comments > 0 ? p->num_comments : 0));
	return o;
}

static int append_item(void *ctx, const struct paper *p)
{
	json_t *item = daily_item_json(p);
	if (!item)
		return PB_ENOMEM;
	return json_array_append_new(ctx, item) ? PB_ENOMEM : PB_OK;
}

/* Writes v (taking it) as the body. */
static enum web_status send_json(struct web_request *r, json_t *v)
{
	char *s;
	if (!v)
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(v);
	if (!s)
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	html_raw(&r->body, s);
	html_raw(&r->body, "\n");
	free(s);
	r->content_type = "application/json";
	return WEB_OK;
}

void web_api_error(struct web_request *r, int status)
{
	json_t *o =
	    json_pack("{s:s}", "error", r->message[0] ? r->message : web_status_text(status));
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	html_raw(&r->body, s ? s : "{\"error\":\"out of memory\"}");
	html_raw(&r->body, "\n");
	free(s);
	json_decref(o);
}

enum web_status web_api_daily(struct web_request *r)
{
	const char *date = web_arg(r, "date"), *week = web_arg(r, "week"),
		   *month = web_arg(r, "month"), *sort = web_arg(r, "sort");
	char from[11], to[11];
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	json_t *list;
	long page, limit, total;
	enum web_status st;

	if ((date != NULL) + (week != NULL) + (month != NULL) > 1)
		return web_fail(r, WEB_BAD_REQUEST, "give only one of date, week and month");
	if ((st = web_arg_long(r, "p", 0, 0, 100000, &page)) != WEB_OK ||
	    (st = web_arg_long(r, "limit", 50, 1, API_LIMIT_MAX, &limit)) != WEB_OK)
		return st;
	memset(&f, 0, sizeof(f));
	if (!sort || !*sort || strcmp(sort, "publishedAt") == 0)
		f.sort = STORE_SORT_DAY;
	else if (strcmp(sort, "trending") == 0)
		f.sort = STORE_SORT_TRENDING;
	else
		return web_fail(r, WEB_BAD_REQUEST,
				"sort must be publishedAt or trending, not \"%.40s\"", sort);
	if (date) {
		if (web_parse_day(date, from))
			return web_fail(
			    r, WEB_BAD_REQUEST,
			    "date: \"%.40s\" is not a day on the calendar (use YYYY-MM-DD)", date);
		memcpy(to, from, sizeof(to));
	} else if (week) {
		if (web_parse_week(week, from, to))
			return web_fail(r, WEB_BAD_REQUEST,
					"week: \"%.40s\" is not an ISO week (use YYYY-Www)", week);
	} else if (month) {
		if (web_parse_month(month, from, to))
			return web_fail(r, WEB_BAD_REQUEST,
					"month: \"%.40s\" is not a month (use YYYY-MM)", month);
	} else {
		if (store_latest_day(r->store, from, &err))
			return web_fail(r, WEB_INTERNAL_ERROR, "finding the latest day failed: %s",
					err.msg);
		if (!from[0])
			return send_json(r, json_array());
		memcpy(to, from, sizeof(to));
	}
	f.from = from;
	f.to = to;
	f.offset = page * limit;
	f.limit = limit;
	list = json_array();
	if (!list)
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	if (store_papers_list(r->store, &f, &total, r->arena, append_item, list, &err)) {
		json_decref(list);
		return web_fail(r, WEB_INTERNAL_ERROR, "listing papers failed: %s", err.msg);
	}
	if (f.sort == STORE_SORT_TRENDING)
		r->cache_seconds = 300;
	return send_json(r, list);
}

enum web_status web_api_paper(struct web_request *r)
{
	struct paper p;
	struct pb_err err = PB_ERR_INIT;
	char id[ARXIV_ID_MAX];
	int version, rc;

	if (!*r->rest || arxiv_id_parse(r->rest, strlen(r->rest), id, &version))
		return web_fail(r, WEB_NOT_FOUND, "\"%.60s\" is not an arXiv identifier", r->rest);
	rc = store_paper_get(r->store, id, r->arena, &p, &err);
	if (rc == PB_ENOTFOUND || (rc == PB_OK && p.deleted))
		return web_fail(r, WEB_NOT_FOUND, "there is no paper %s here", id);
	if (rc)
		return web_fail(r, WEB_INTERNAL_ERROR, "reading the paper failed: %s", err.msg);
	if (paper_split_authors(&p, r->arena))
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	return send_json(r, paper_json(&p, 1));
}

enum web_status web_api_similar(struct web_request *r)
{
	static const char suffix[] = "/similar";
	struct web_papers list = {.a = r->arena};
	struct paper p;
	struct pb_err err = PB_ERR_INIT;
	char id[ARXIV_ID_MAX];
	size_t n = strlen(r->rest), i;
	long limit;
	int version, rc;
	enum web_status st;
	json_t *arr;

	/* The route guarantees the suffix and something before it. */
	n -= sizeof(suffix) - 1;
	if (arxiv_id_parse(r->rest, n, id, &version))
		return web_fail(r, WEB_NOT_FOUND, "\"%.*s\" is not an arXiv identifier",
				(int)(n > 60 ? 60 : n), r->rest);
	if ((st = web_arg_long(r, "limit", WEB_SIMILAR_API_DEFAULT, 1, WEB_SIMILAR_API_MAX,
			       &limit)) != WEB_OK)
		return st;
	rc = store_paper_get(r->store, id, r->arena, &p, &err);
	if (rc == PB_ENOTFOUND || (rc == PB_OK && p.deleted))
		return web_fail(r, WEB_NOT_FOUND, "there is no paper %s here", id);
	if (rc)
		return web_fail(r, WEB_INTERNAL_ERROR, "reading the paper failed: %s", err.msg);
	switch (web_similar(r, id, limit, &list, &err)) {
	case WEB_SIMILAR_OK:
		break;
	case WEB_SIMILAR_UNAVAILABLE:
		return web_fail(r, WEB_NOT_IMPLEMENTED,
				"similar papers are not available on this server (%s)", err.msg);
	case WEB_SIMILAR_NOT_YET:
		return web_fail(r, WEB_UNAVAILABLE,
				"similar papers are not available yet: the search index is being "
				"built; try again in a few minutes");
	case WEB_SIMILAR_NOT_INDEXED:
		return web_fail(r, WEB_NOT_FOUND,
				"paper %s is not in the search index yet; new papers are added "
				"within seconds",
				id);
	case WEB_SIMILAR_FAILED:
		return web_fail(r, WEB_INTERNAL_ERROR, "finding similar papers failed: %s",
				err.msg);
	}
	arr = json_array();
	if (!arr)
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	for (i = 0; i < list.n; i++)
		if (append_item(arr, &list.items[i])) {
			json_decref(arr);
			return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
		}
	return send_json(r, arr);
}

enum web_status web_api_search(struct web_request *r)
{
	const char *q = web_arg(r, "q");
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	json_t *list;
	long limit, total;
	enum web_status st;

	if (!q || !*q)
		return web_fail(r, WEB_BAD_REQUEST,
				"parameter \"q\" (the search words) is required");
	if (strlen(q) > 2000)
		return web_fail(r, WEB_BAD_REQUEST, "search text is limited to 2000 bytes");
	if ((st = web_arg_long(r, "limit", 20, 1, API_LIMIT_MAX, &limit)) != WEB_OK)
		return st;
	memset(&f, 0, sizeof(f));
	f.sort = STORE_SORT_RELEVANCE;
	f.limit = limit;
	list = json_array();
	if (!list)
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	if (search_query(r->site->search, r->store, q, &f, &total, r->arena, append_item, list,
			 &err)) {
		json_decref(list);
		return web_fail(r, err.rc == PB_EBUSY ? WEB_UNAVAILABLE : WEB_INTERNAL_ERROR,
				"the search failed: %s", err.msg);
	}
	r->cache_seconds = -1;
	return send_json(r, list);
}

enum web_status web_api_openapi(struct web_request *r)
{
	if (buf_add(&r->body, web_openapi_start, (size_t)(web_openapi_end - web_openapi_start)))
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	r->content_type = "application/json";
	return WEB_OK;
}

enum web_status web_api_unknown(struct web_request *r)
{
	return web_fail(r, WEB_NOT_FOUND, "there is no API endpoint at %.100s", r->path);
}
