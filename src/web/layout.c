/* layout.c - page shell, paper cards, pager and dates for people. */
#include "layout.h"

#include "assets.h"
#include "html.h"

#include "../core/arxiv.h"
#include "../core/err.h"

#include <stdio.h>
#include <string.h>

static const char *const month_names[] = {"January",   "February", "March",    "April",
					  "May",       "June",	   "July",     "August",
					  "September", "October",  "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
					"Friday", "Saturday", "Sunday"};

void web_day_long(const char *day, char *out, size_t n)
{
	int y, m, d;
	long w;
	if (!day || date_parse_day(day, strlen(day) < 10 ? strlen(day) : 10, &y, &m, &d)) {
		snprintf(out, n, "%s", day ? day : "");
		return;
	}
	w = (date_to_days(y, m, d) + 3) % 7;
	if (w < 0)
		w += 7;
	snprintf(out, n, "%s, %d %s %d", day_names[w], d, month_names[m - 1], y);
}

void web_day_short(const char *day, char *out, size_t n)
{
	int y, m, d;
	if (!day || date_parse_day(day, strlen(day) < 10 ? strlen(day) : 10, &y, &m, &d)) {
		snprintf(out, n, "%s", day ? day : "");
		return;
	}
	snprintf(out, n, "%d %.3s %d", d, month_names[m - 1], y);
}

void web_month_name(const char *day, char *out, size_t n)
{
	int m;
	if (!day || strlen(day) < 7 || day[4] != '-') {
		snprintf(out, n, "%s", day ? day : "");
		return;
	}
	m = (day[5] - '0') * 10 + (day[6] - '0');
	if (m < 1 || m > 12) {
		snprintf(out, n, "%s", day);
		return;
	}
	snprintf(out, n, "%s %.4s", month_names[m - 1], day);
}

static const struct {
	enum web_nav nav;
	const char *href, *label;
} nav_items[] = {
    {WEB_NAV_TODAY, "/", "Today"},
    {WEB_NAV_WEEK, "/papers/week", "Week"},
    {WEB_NAV_MONTH, "/papers/month", "Month"},
    {WEB_NAV_TRENDING, "/trending", "Trending"},
    {WEB_NAV_SEARCH, "/search", "Search"},
    {WEB_NAV_ABOUT, "/about", "About"},
};

void web_page_begin(struct web_request *r, const struct web_page *pg)
{
	struct buf *b = &r->body;
	size_t i;

	html_raw(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	if (pg->title && *pg->title) {
		html_text(b, pg->title);
		html_raw(b, " \xc2\xb7 ");
	}
	html_text(b, r->site->name);
	html_raw(b, "</title>\n");
	if (pg->description) {
		html_raw(b, "<meta name=\"description\" content=\"");
		html_attr(b, pg->description);
		html_raw(b, "\">\n");
	}
	html_rawf(b, "<link rel=\"stylesheet\" href=\"%s\">\n", web_asset_url("style.css"));
	html_rawf(b, "<link rel=\"icon\" href=\"%s\" type=\"image/svg+xml\">\n",
		  web_asset_url("icon.svg"));
	html_raw(b, "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
	html_attr(b, r->site->name);
	html_raw(b, pg->feed_path ? "\" href=\"" : " \xe2\x80\x93 daily papers\" href=\"");
	html_attr(b, pg->feed_path ? pg->feed_path : "/feeds/daily.atom");
	html_raw(b, "\">\n");
	html_rawf(b, "<script src=\"%s\" defer></script>\n", web_asset_url("app.js"));
	html_raw(b, pg->head_raw);
	html_raw(
	    b,
	    "</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
	    "<header class=\"site-header\">\n<div class=\"header-inner\">\n"
	    "<a class=\"brand\" href=\"/\"><svg class=\"brand-mark\" viewBox=\"0 0 24 24\" "
	    "aria-hidden=\"true\" focusable=\"false\"><path d=\"M5 3h10l4 4v14H5z\" "
	    "fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\"/>"
	    "<path d=\"M8 11h8M8 15h8M8 7h5\" stroke=\"currentColor\" stroke-width=\"2\" "
	    "stroke-linecap=\"round\"/></svg><span>");
	html_text(b, r->site->name);
	html_raw(b, "</span></a>\n<nav class=\"site-nav\" aria-label=\"Main\"><ul>\n");
	for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
		html_rawf(b, "<li%s><a href=\"%s\"%s>%s</a></li>\n",
			  nav_items[i].nav == WEB_NAV_SEARCH ? " class=\"nav-search\"" : "",
			  nav_items[i].href,
			  nav_items[i].nav == pg->nav ? " aria-current=\"page\"" : "",
			  nav_items[i].label);
	}
	html_raw(b, "</ul></nav>\n");
	if (pg->nav != WEB_NAV_SEARCH) {
		html_raw(b,
			 "<form class=\"header-search\" role=\"search\" action=\"/search\" "
			 "method=\"get\">\n<label for=\"header-q\" class=\"visually-hidden\">"
			 "Search papers</label>\n<input id=\"header-q\" type=\"search\" name=\"q\" "
			 "placeholder=\"Search papers\" autocomplete=\"off\"");
		if (pg->query && *pg->query) {
			html_raw(b, " value=\"");
			html_attr(b, pg->query);
			html_raw(b, "\"");
		}
		html_raw(b, ">\n<button type=\"submit\">Search</button>\n</form>\n");
	}
	html_raw(b,
		 "</div>\n</header>\n<div class=\"page\">\n<main id=\"main\" tabindex=\"-1\">\n");
}

void web_page_end(struct web_request *r, const char *sidebar_raw)
{
	struct buf *b = &r->body;

	html_raw(b, "</main>\n<aside class=\"sidebar\" aria-label=\"More from this site\">\n");
	html_raw(b, sidebar_raw);
	/* The place the email digest form takes; until digests exist it
	 * points to the feeds, with no form that would do nothing. */
	html_raw(b, "<section class=\"side-block digest-slot\" aria-labelledby=\"digest-h\">\n"
		    "<h2 id=\"digest-h\">Daily digest</h2>\n"
		    "<p>Email digests of the day\xe2\x80\x99s papers are on their way. Until then, "
		    "follow along in any feed reader:</p>\n<ul class=\"feed-links\">\n"
		    "<li><a href=\"/feeds/daily.atom\">Daily papers (Atom)</a></li>\n"
		    "<li><a href=\"/api/openapi.json\">JSON API</a></li>\n</ul>\n</section>\n");
	html_raw(b, "</aside>\n</div>\n<footer class=\"site-footer\">\n<p>");
	html_text(b, r->site->name);
	html_raw(b,
		 " \xc2\xb7 paper metadata from <a href=\"https://arxiv.org/\">arXiv</a> "
		 "(CC0) \xc2\xb7 <a href=\"/about\">About</a> \xc2\xb7 "
		 "<a href=\"/api/openapi.json\">API</a> \xc2\xb7 "
		 "<a href=\"/feeds/daily.atom\">Atom feed</a> \xc2\xb7 "
		 "<a href=\"/status\">Status</a></p>\n</footer>\n</body>\n</html>\n");
}

void web_authors_short(struct buf *b, const struct paper *p, size_t show)
{
	size_t i, n = p->n_authors;
	if (!n) {
		html_text(b, p->authors && *p->authors ? p->authors : "Unknown authors");
		return;
	}
	for (i = 0; i < n && i < show; i++) {
		if (i)
			html_raw(b, i + 1 == n ? " and " : ", ");
		html_text(b, p->author_list[i].name);
	}
	if (n > show)
		html_rawf(b, " and %zu more", n - show);
}

/* Where to cut text for a lead of about max bytes: at a space. */
static size_t lead_len(const char *s, size_t max)
{
	size_t n = strlen(s), cut;
	if (n <= max)
		return n;
	for (cut = max; cut > max / 2 && s[cut] != ' '; cut--)
		;
	if (s[cut] != ' ') /* no space: back up to a character boundary */
		for (cut = max; cut && ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
			;
	return cut;
}

static void marked_n(struct buf *b, struct arena *a, const char *s, size_t n,
		     const char *const *terms, size_t nt)
{
	char *part = arena_strndup(a, s, n);
	if (part)
		html_text_marked(b, part, terms, nt);
	else
		html_textn(b, s, n);
}

#define LEAD_MAX 240

void web_card(struct web_request *r, const struct paper *p, const char *const *terms, size_t n)
{
	struct buf *b = &r->body;
	char day[32];
	size_t i, lead;
	int votes = p->upvotes > 0 ? p->upvotes : 0,
	    comments = p->num_comments > 0 ? p->num_comments : 0;
	const char *abs = p->abstract ? p->abstract : "";

	html_raw(b, "<article class=\"card\">\n<div class=\"card-main\">\n<h2 class=\"card-title\">"
		    "<a href=\"/papers/");
	html_url_path(b, p->arxiv_id);
	html_raw(b, "\">");
	html_text_marked(b, p->title ? p->title : p->arxiv_id, terms, n);
	html_raw(b, "</a></h2>\n<p class=\"card-authors\">");
	web_authors_short(b, p, 3);
	html_raw(b, "</p>\n<p class=\"card-meta\">");
	if (p->published || p->announced) {
		const char *d = p->published ? p->published : p->announced;
		web_day_short(d, day, sizeof(day));
		html_raw(b, "<time datetime=\"");
		html_attr(b, d);
		html_raw(b, "\">");
		html_text(b, day);
		html_raw(b, "</time>");
	}
	html_raw(b, "<span class=\"arxiv-id\">");
	html_text(b, p->arxiv_id);
	html_raw(b, "</span>");
	for (i = 0; i < p->n_categories; i++) {
		html_raw(b, i ? "<a class=\"chip\" href=\"/search?cat="
			      : "<a class=\"chip chip-primary\" href=\"/search?cat=");
		html_url_arg(b, p->categories[i]);
		html_raw(b, "\">");
		html_text(b, p->categories[i]);
		html_raw(b, "</a>");
	}
	html_raw(b, "</p>\n");
	lead = lead_len(abs, LEAD_MAX);
	if (lead == strlen(abs)) {
		html_raw(b, "<p class=\"card-abstract\">");
		html_text_marked(b, abs, terms, n);
		html_raw(b, "</p>\n");
	} else {
		html_raw(b, "<details class=\"card-abstract\"><summary><span class=\"lead\">");
		marked_n(b, r->arena, abs, lead, terms, n);
		html_raw(b, "\xe2\x80\xa6</span> <span class=\"more\">Show abstract</span>"
			    "<span class=\"less\">Hide abstract</span></summary>\n<p>");
		html_text_marked(b, abs, terms, n);
		html_raw(b, "</p></details>\n");
	}
	html_raw(b, "<ul class=\"card-links\">\n<li><a href=\"https://arxiv.org/abs/");
	html_url_path(b, p->arxiv_id);
	html_raw(b, "\">arXiv</a></li>\n<li><a href=\"https://arxiv.org/pdf/");
	html_url_path(b, p->arxiv_id);
	html_raw(b, "\">PDF</a></li>\n");
	if (html_url_ok(p->code_url)) {
		html_raw(b, "<li><a rel=\"nofollow noopener\" href=\"");
		html_attr(b, p->code_url);
		html_raw(b, "\">Code</a></li>\n");
	}
	if (html_url_ok(p->project_url)) {
		html_raw(b, "<li><a rel=\"nofollow noopener\" href=\"");
		html_attr(b, p->project_url);
		html_raw(b, "\">Project page</a></li>\n");
	}
	html_raw(b, "</ul>\n</div>\n<div class=\"card-stats\">\n");
	html_rawf(b,
		  "<span class=\"votes\" title=\"Upvotes\"><svg viewBox=\"0 0 12 12\" "
		  "aria-hidden=\"true\" focusable=\"false\"><path d=\"M6 2 11 9H1z\" "
		  "fill=\"currentColor\"/></svg><span class=\"n\">%d</span>"
		  "<span class=\"visually-hidden\"> upvote%s</span></span>\n",
		  votes, votes == 1 ? "" : "s");
	html_rawf(b,
		  "<span class=\"comments\" title=\"Comments\"><svg viewBox=\"0 0 12 12\" "
		  "aria-hidden=\"true\" focusable=\"false\"><path d=\"M1.5 2h9v6H5l-2.5 2V8h-1z\" "
		  "fill=\"none\" stroke=\"currentColor\"/></svg><span class=\"n\">%d</span>"
		  "<span class=\"visually-hidden\"> comment%s</span></span>\n",
		  comments, comments == 1 ? "" : "s");
	html_raw(b, "</div>\n</article>\n");
}

void web_self_query(struct web_request *r, struct buf *b, const char *name, const char *value)
{
	size_t i;
	int first = 1;
	for (i = 0; i < r->n_args; i++) {
		if (strcmp(r->args[i].name, name) == 0 || !*r->args[i].value)
			continue;
		html_raw(b, first ? "?" : "&amp;");
		html_url_arg(b, r->args[i].name);
		html_raw(b, "=");
		html_url_arg(b, r->args[i].value);
		first = 0;
	}
	if (value) {
		html_raw(b, first ? "?" : "&amp;");
		html_url_arg(b, name);
		html_raw(b, "=");
		html_url_arg(b, value);
	}
}

void web_pager(struct web_request *r, long page, long pages)
{
	struct buf *b = &r->body;
	char num[24];

	if (pages <= 1)
		return;
	html_raw(b, "<nav class=\"pager\" aria-label=\"Pages\">\n");
	if (page > 1) {
		html_raw(b, "<a rel=\"prev\" href=\"");
		html_url_path(b, r->path);
		if (page - 1 > 1) {
			snprintf(num, sizeof(num), "%ld", page - 1);
			web_self_query(r, b, "p", num);
		} else {
			web_self_query(r, b, "p", NULL);
		}
		html_raw(b, "\">\xe2\x86\x90 Previous</a>\n");
	} else {
		html_raw(b, "<span class=\"pager-gap\"></span>\n");
	}
	html_rawf(b, "<span class=\"pager-pos\">Page %ld of %ld</span>\n", page, pages);
	if (page < pages) {
		snprintf(num, sizeof(num), "%ld", page + 1);
		html_raw(b, "<a rel=\"next\" href=\"");
		html_url_path(b, r->path);
		web_self_query(r, b, "p", num);
		html_raw(b, "\">Next \xe2\x86\x92</a>\n");
	} else {
		html_raw(b, "<span class=\"pager-gap\"></span>\n");
	}
	html_raw(b, "</nav>\n");
}

int web_papers_add(void *ctx, const struct paper *p)
{
	struct web_papers *l = ctx;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		struct paper *items = arena_alloc(l->a, ncap * sizeof(*items));
		if (!items)
			return PB_ENOMEM;
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = ncap;
	}
	if (paper_copy(&l->items[l->n], p, l->a))
		return PB_ENOMEM;
	l->n++;
	return PB_OK;
}
