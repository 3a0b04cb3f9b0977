/* page_search.c - /search?q=&cat=&au=&from=&to=&sort=&p= : the search form
 * and its results, found through the search engine interface. */
#include "pages.h"

#include "html.h"
#include "layout.h"
#include "params.h"

#include "../core/arxiv.h"
#include "../search/search.h"

#include <stdio.h>
#include <string.h>

#define PER_PAGE 20
#define QUERY_MAX 2000

static const char *const common_categories[] = {
    "cs.AI",	       "cs.CL",		 "cs.CV",	"cs.LG",       "cs.RO",
    "cs.CR",	       "cs.DS",		 "cs.IR",	"stat.ML",     "math.CO",
    "math.PR",	       "math.AG",	 "math-ph",	"quant-ph",    "hep-th",
    "hep-ph",	       "gr-qc",		 "astro-ph.GA", "astro-ph.CO", "cond-mat.mtrl-sci",
    "cond-mat.str-el", "physics.optics", "q-bio.NC",	"q-fin.ST",    "eess.SP",
    "econ.EM"};

/* The search parameters, checked. */
struct search_args {
	const char *q, *cat, *au, *from, *to, *sort_name;
	char from_day[11], to_day[11];
	enum store_sort sort;
	long page;
};

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static enum web_status read_args(struct web_request *r, struct search_args *a)
{
	enum web_status st;
	memset(a, 0, sizeof(*a));
	a->q = web_arg(r, "q");
	a->cat = nonempty(web_arg(r, "cat"));
	a->au = nonempty(web_arg(r, "au"));
	a->from = nonempty(web_arg(r, "from"));
	a->to = nonempty(web_arg(r, "to"));
	a->sort_name = nonempty(web_arg(r, "sort"));
	if (!a->q)
		a->q = "";
	if (strlen(a->q) > QUERY_MAX)
		return web_fail(r, WEB_BAD_REQUEST, "search text is limited to %d bytes",
				QUERY_MAX);
	if (a->au && strlen(a->au) > 200)
		return web_fail(r, WEB_BAD_REQUEST, "an author name is limited to 200 bytes");
	if (a->cat && !arxiv_is_category(a->cat, strlen(a->cat)))
		return web_fail(r, WEB_BAD_REQUEST,
				"\"%.60s\" is not an arXiv category (such as cs.LG or hep-th)",
				a->cat);
	if (a->from && web_parse_day(a->from, a->from_day))
		return web_fail(r, WEB_BAD_REQUEST,
				"from: \"%.40s\" is not a day on the calendar (use YYYY-MM-DD)",
				a->from);
	if (a->to && web_parse_day(a->to, a->to_day))
		return web_fail(r, WEB_BAD_REQUEST,
				"to: \"%.40s\" is not a day on the calendar (use YYYY-MM-DD)",
				a->to);
	if (a->from && a->to && strcmp(a->from_day, a->to_day) > 0)
		return web_fail(r, WEB_BAD_REQUEST, "the date range ends before it starts");
	if (!a->sort_name || strcmp(a->sort_name, "relevance") == 0)
		a->sort = STORE_SORT_RELEVANCE;
	else if (strcmp(a->sort_name, "date") == 0)
		a->sort = STORE_SORT_DAY;
	else if (strcmp(a->sort_name, "votes") == 0)
		a->sort = STORE_SORT_VOTES;
	else
		return web_fail(r, WEB_BAD_REQUEST,
				"sort must be relevance, date or votes, not \"%.40s\"",
				a->sort_name);
	if ((st = web_arg_long(r, "p", 1, 1, 10000, &a->page)) != WEB_OK)
		return st;
	return WEB_OK;
}

static void input(struct buf *b, const char *label, const char *cls, const char *type,
		  const char *name, const char *value, const char *extra)
{
	html_rawf(b, "<label%s%s%s>%s<input type=\"%s\" name=\"%s\"", cls ? " class=\"" : "",
		  cls ? cls : "", cls ? "\"" : "", label, type, name);
	if (value) {
		html_raw(b, " value=\"");
		html_attr(b, value);
		html_raw(b, "\"");
	}
	html_raw(b, extra);
	html_raw(b, "></label>\n");
}

static void search_form(struct buf *b, const struct search_args *a)
{
	static const struct {
		const char *value, *label;
	} sorts[] = {{"relevance", "Best match"}, {"date", "Newest"}, {"votes", "Most upvoted"}};
	size_t i;

	html_raw(b,
		 "<form class=\"search-form\" role=\"search\" action=\"/search\" method=\"get\">\n"
		 "<div class=\"row\">\n");
	input(b, "Words, an arXiv id, or a pasted abstract", "q", "search", "q", a->q,
	      " autocomplete=\"off\"");
	html_raw(b, "<button type=\"submit\">Search</button>\n</div>\n<div class=\"row\">\n");
	input(b, "Category", NULL, "text", "cat", a->cat,
	      " list=\"categories\" size=\"12\" placeholder=\"e.g. cs.LG\" autocomplete=\"off\"");
	html_raw(b, "<datalist id=\"categories\">");
	for (i = 0; i < sizeof(common_categories) / sizeof(common_categories[0]); i++)
		html_rawf(b, "<option value=\"%s\"></option>", common_categories[i]);
	html_raw(b, "</datalist>\n");
	input(b, "Author", NULL, "text", "au", a->au, " size=\"16\" autocomplete=\"off\"");
	input(b, "Announced from", NULL, "date", "from", a->from, "");
	input(b, "to", NULL, "date", "to", a->to, "");
	html_raw(b, "<label>Sort by<select name=\"sort\">");
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		int sel = a->sort_name ? strcmp(a->sort_name, sorts[i].value) == 0 : i == 0;
		html_rawf(b, "<option value=\"%s\"%s>%s</option>", sorts[i].value,
			  sel ? " selected" : "", sorts[i].label);
	}
	html_raw(b, "</select></label>\n</div>\n</form>\n");
}

/* While the ranked index is being built, searches are answered by the
 * simple matcher: say so above the results. */
static void index_notice(struct web_request *r)
{
	struct search_status ss;
	search_status(r->site->search, &ss);
	if (ss.index != SEARCH_INDEX_BUILDING)
		return;
	html_raw(&r->body,
		 "<div class=\"notice notice-index\" role=\"status\">\n<p>The search index is "
		 "being built; results are not ranked yet. Until it is ready, they are the "
		 "papers with every word, newest first.</p>\n</div>\n");
}

enum web_status web_page_search(struct web_request *r)
{
	struct buf *b = &r->body, side;
	struct search_args a;
	struct web_page pg = {.nav = WEB_NAV_SEARCH};
	struct web_papers list = {.a = r->arena};
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	const char **terms = NULL;
	size_t nterms = 0, i;
	long total = 0, pages;
	enum web_status st;
	int asked;
	char *title;

	if ((st = read_args(r, &a)) != WEB_OK)
		return st;
	asked = a.q[0] || a.cat || a.au || a.from || a.to;
	memset(&f, 0, sizeof(f));
	f.from = a.from ? a.from_day : NULL;
	f.to = a.to ? a.to_day : NULL;
	f.category = a.cat;
	f.author = a.au;
	f.sort = a.sort;
	f.offset = (a.page - 1) * PER_PAGE;
	f.limit = PER_PAGE;
	if (asked) {
		if (search_query(r->site->search, r->store, a.q, &f, &total, r->arena,
				 web_papers_add, &list, &err))
			return web_fail(r,
					err.rc == PB_EBUSY ? WEB_UNAVAILABLE : WEB_INTERNAL_ERROR,
					"the search failed: %s", err.msg);
		if (search_terms(r->site->search, a.q, r->arena, &terms, &nterms))
			return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	}
	pages = (total + PER_PAGE - 1) / PER_PAGE;
	if (a.page > 1 && a.page > pages)
		return web_fail(r, WEB_NOT_FOUND, "there is no page %ld of these results", a.page);

	title = arena_alloc(r->arena, 120 + strlen(a.q));
	if (title && a.q[0])
		snprintf(title, 120 + strlen(a.q), "Search: %s", a.q);
	pg.title = title && a.q[0] ? title : "Search";
	pg.description = "Search papers by words, authors, categories and dates.";
	pg.query = a.q;
	if (a.q[0]) {
		struct buf feed;
		buf_init(&feed, 8192);
		html_raw(&feed, "/feeds/search.atom?q=");
		html_url_arg(&feed, a.q);
		pg.feed_path = arena_strdup(r->arena, feed.data);
		buf_release(&feed);
	}
	web_page_begin(r, &pg);
	html_raw(b, "<div class=\"page-head\">\n<h1>Search papers</h1>\n</div>\n");
	search_form(b, &a);
	index_notice(r);
	if (!asked) {
		html_raw(b,
			 "<div class=\"notice\">\n<p>Type a few words, an author, an arXiv id "
			 "such as <code>2606.12345</code>, or paste an abstract. Every word must "
			 "appear in the title, the abstract or the author list. Use the filters to "
			 "browse a category or a date range.</p>\n</div>\n");
	} else if (!total) {
		html_raw(b, "<div class=\"notice\">\n<p>No papers match");
		if (a.q[0]) {
			html_raw(b, " \xe2\x80\x9c");
			html_text(b, a.q);
			html_raw(b, "\xe2\x80\x9d");
		}
		html_raw(b, ". Try fewer or shorter words, or drop a filter.</p>\n</div>\n");
	} else {
		html_rawf(b, "<div class=\"toolbar\"><span>%ld result%s", total,
			  total == 1 ? "" : "s");
		if (a.q[0]) {
			html_raw(b, " for \xe2\x80\x9c");
			html_text(b, a.q);
			html_raw(b, "\xe2\x80\x9d");
		}
		html_rawf(b, " \xc2\xb7 showing %ld\xe2\x80\x93%ld</span></div>\n", f.offset + 1,
			  f.offset + (long)list.n);
		html_raw(b, "<div class=\"cards\" data-cards>\n");
		for (i = 0; i < list.n; i++)
			web_card(r, &list.items[i], terms, nterms);
		html_raw(b, "</div>\n");
		web_pager(r, a.page, pages);
	}
	buf_init(&side, 1 << 16);
	if (a.q[0]) {
		html_raw(&side, "<section class=\"side-block\" aria-labelledby=\"follow-h\">\n"
				"<h2 id=\"follow-h\">Follow this search</h2>\n<p><a href=\"");
		html_attr(&side, pg.feed_path);
		html_raw(&side, "\">Atom feed of these results</a></p>\n</section>\n");
	}
	web_page_end(r, side.data);
	buf_release(&side);
	r->cache_seconds = -1;
	return WEB_OK;
}
