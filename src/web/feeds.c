/* feeds.c - Atom feeds (RFC 4287): the latest day, a category, a search.
 * Every text node goes through html.h, which also keeps it valid XML. */
#include "pages.h"

#include "html.h"
#include "layout.h"

#include "../core/arxiv.h"
#include "../search/search.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define FEED_DAILY_MAX 100
#define FEED_MAX 50

/* "YYYY-MM-DDTHH:MM:SSZ" from a day or a moment into out[21]. */
static int atom_time(const char *s, char out[21])
{
	if (!s || strlen(s) < 10)
		return 0;
	if (strlen(s) >= 19 && s[10] == 'T')
		snprintf(out, 21, "%.19sZ", s);
	else
		snprintf(out, 21, "%.10sT00:00:00Z", s);
	return 1;
}

static void entry_times(const struct paper *p, char updated[21], char published[21])
{
	const char *first = NULL, *last = NULL;
	if (p->n_versions) {
		first = p->versions[0].created;
		last = p->versions[p->n_versions - 1].created;
	}
	if (!atom_time(last, updated) && !atom_time(p->updated, updated) &&
	    !atom_time(p->announced, updated) && !atom_time(p->published, updated))
		snprintf(updated, 21, "1970-01-01T00:00:00Z");
	if (!atom_time(first, published) && !atom_time(p->published, published))
		snprintf(published, 21, "%s", updated);
}

struct feed {
	const char *self;      /* path and query, unescaped */
	const char *alternate; /* path of the HTML page */
	const char *title;     /* plain text */
};

static void write_feed(struct web_request *r, const struct feed *fd, const struct web_papers *l)
{
	struct buf *b = &r->body;
	char updated[21] = "", pub[21], up[21];
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		entry_times(&l->items[i], up, pub);
		if (strcmp(up, updated) > 0)
			memcpy(updated, up, sizeof(updated));
	}
	if (!updated[0]) {
		struct tm tm;
		time_t t = r->data_time;
		gmtime_r(&t, &tm);
		strftime(updated, sizeof(updated), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	html_raw(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<id>");
	html_text(b, r->site->base_url);
	html_text(b, fd->self);
	html_raw(b, "</id>\n<title>");
	html_text(b, r->site->name);
	html_raw(b, " \xe2\x80\x93 ");
	html_text(b, fd->title);
	html_rawf(b, "</title>\n<updated>%s</updated>\n", updated);
	html_raw(b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	html_attr(b, r->site->base_url);
	html_attr(b, fd->self);
	html_raw(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	html_attr(b, r->site->base_url);
	html_attr(b, fd->alternate);
	html_raw(b, "\"/>\n<author><name>");
	html_text(b, r->site->name);
	html_raw(b, "</name></author>\n<generator>paperboy</generator>\n");
	for (i = 0; i < l->n; i++) {
		const struct paper *p = &l->items[i];
		entry_times(p, up, pub);
		html_raw(b, "<entry>\n<id>https://arxiv.org/abs/");
		html_url_path(b, p->arxiv_id);
		html_raw(b, "</id>\n<title>");
		html_text(b, p->title);
		html_rawf(b, "</title>\n<updated>%s</updated>\n<published>%s</published>\n", up,
			  pub);
		html_raw(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
		html_attr(b, r->site->base_url);
		html_raw(b, "/papers/");
		html_url_path(b, p->arxiv_id);
		html_raw(b, "\"/>\n<link rel=\"related\" type=\"application/pdf\" "
			    "href=\"https://arxiv.org/pdf/");
		html_url_path(b, p->arxiv_id);
		html_raw(b, "\"/>\n");
		for (k = 0; k < p->n_authors; k++) {
			html_raw(b, "<author><name>");
			html_text(b, p->author_list[k].name);
			html_raw(b, "</name></author>\n");
		}
		for (k = 0; k < p->n_categories; k++) {
			html_raw(b, "<category term=\"");
			html_attr(b, p->categories[k]);
			html_raw(b, "\"/>\n");
		}
		html_raw(b, "<summary type=\"text\">");
		html_text(b, p->abstract);
		html_raw(b, "</summary>\n</entry>\n");
	}
	html_raw(b, "</feed>\n");
	r->content_type = "application/atom+xml; charset=utf-8";
}

enum web_status web_feed_daily(struct web_request *r)
{
	struct web_papers l = {.a = r->arena};
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	struct feed fd = {.self = "/feeds/daily.atom", .alternate = "/"};
	char day[11], label[64], title[96];
	long total;

	if (store_latest_day(r->store, day, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "finding the latest day failed: %s",
				err.msg);
	if (day[0]) {
		memset(&f, 0, sizeof(f));
		f.from = f.to = day;
		f.sort = STORE_SORT_DAY;
		f.limit = FEED_DAILY_MAX;
		if (store_papers_list(r->store, &f, &total, r->arena, web_papers_add, &l, &err))
			return web_fail(r, WEB_INTERNAL_ERROR, "listing papers failed: %s",
					err.msg);
		web_day_short(day, label, sizeof(label));
		snprintf(title, sizeof(title), "papers of %s", label);
		fd.title = title;
	} else {
		fd.title = "daily papers";
	}
	write_feed(r, &fd, &l);
	return WEB_OK;
}

enum web_status web_feed_category(struct web_request *r)
{
	struct web_papers l = {.a = r->arena};
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	struct feed fd;
	char cat[64], self[128], alt[128], title[96];
	size_t n = strlen(r->rest);
	long total;

	if (n <= 5 || n - 5 >= sizeof(cat) || strcmp(r->rest + n - 5, ".atom") != 0)
		return web_fail(r, WEB_NOT_FOUND,
				"category feeds are at /feeds/category/CATEGORY.atom");
	snprintf(cat, sizeof(cat), "%.*s", (int)(n - 5), r->rest);
	if (!arxiv_is_category(cat, strlen(cat)))
		return web_fail(r, WEB_NOT_FOUND, "\"%.60s\" is not an arXiv category", cat);
	memset(&f, 0, sizeof(f));
	f.category = cat;
	f.sort = STORE_SORT_DAY;
	f.limit = FEED_MAX;
	if (store_papers_list(r->store, &f, &total, r->arena, web_papers_add, &l, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "listing papers failed: %s", err.msg);
	snprintf(self, sizeof(self), "/feeds/category/%s.atom", cat);
	snprintf(alt, sizeof(alt), "/search?cat=%s", cat);
	snprintf(title, sizeof(title), "newest papers in %s", cat);
	fd.self = self;
	fd.alternate = alt;
	fd.title = title;
	write_feed(r, &fd, &l);
	return WEB_OK;
}

enum web_status web_feed_search(struct web_request *r)
{
	struct web_papers l = {.a = r->arena};
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	struct feed fd;
	struct buf self, alt, title;
	const char *q = web_arg(r, "q");
	long total;

	if (!q || !*q)
		return web_fail(r, WEB_BAD_REQUEST,
				"parameter \"q\" (the search words) is required");
	if (strlen(q) > 2000)
		return web_fail(r, WEB_BAD_REQUEST, "search text is limited to 2000 bytes");
	memset(&f, 0, sizeof(f));
	f.sort = STORE_SORT_DAY;
	f.limit = FEED_MAX;
	if (search_query(r->site->search, r->store, q, &f, &total, r->arena, web_papers_add, &l,
			 &err))
		return web_fail(r, err.rc == PB_EBUSY ? WEB_UNAVAILABLE : WEB_INTERNAL_ERROR,
				"the search failed: %s", err.msg);
	buf_init(&self, 16384);
	buf_init(&alt, 16384);
	buf_init(&title, 16384);
	html_raw(&self, "/feeds/search.atom?q=");
	html_url_arg(&self, q);
	html_raw(&alt, "/search?q=");
	html_url_arg(&alt, q);
	buf_addf(&title, "search for \xe2\x80\x9c%s\xe2\x80\x9d",
		 q); /* plain text: escaped when written */
	fd.self = self.data;
	fd.alternate = alt.data;
	fd.title = title.data;
	write_feed(r, &fd, &l);
	buf_release(&self);
	buf_release(&alt);
	buf_release(&title);
	r->cache_seconds = -1;
	return WEB_OK;
}
