/* page_misc.c - the about page, /healthz, /robots.txt and the error pages. */
#include "pages.h"

#include "html.h"
#include "layout.h"

#include <stdio.h>
#include <string.h>

enum web_status web_page_about(struct web_request *r)
{
	struct buf *b = &r->body;
	struct web_page pg = {.title = "About", .nav = WEB_NAV_ABOUT};
	struct store_stats st;
	struct pb_err err = PB_ERR_INIT;
	char first[32], last[32];

	memset(&st, 0, sizeof(st));
	if (store_stats(r->store, r->arena, &st, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "reading statistics failed: %s", err.msg);
	pg.description = "What this site is, where its papers come from, and how to use its "
			 "feeds and API.";
	web_page_begin(r, &pg);
	html_raw(b, "<div class=\"prose\">\n<h1>About ");
	html_text(b, r->site->name);
	html_raw(b, "</h1>\n<p>");
	html_text(b, r->site->name);
	html_raw(b,
		 " shows the research papers announced each day, one card per paper, with "
		 "links to the abstract, the PDF and, when known, the code and the project page. "
		 "Browse by <a href=\"/\">day</a>, <a href=\"/papers/week\">week</a> or "
		 "<a href=\"/papers/month\">month</a>, see what is <a href=\"/trending\">"
		 "trending</a>, or <a href=\"/search\">search</a> titles, abstracts and "
		 "authors.</p>\n");
	web_day_short(st.first_announced, first, sizeof(first));
	web_day_short(st.last_announced, last, sizeof(last));
	html_rawf(b, "<p>It holds <strong>%ld</strong> papers", st.papers);
	if (st.first_announced[0]) {
		html_raw(b, " announced from ");
		html_text(b, first);
		html_raw(b, " to ");
		html_text(b, last);
	}
	html_raw(b,
		 ".</p>\n<h2>Where the papers come from</h2>\n<p>Paper metadata comes from "
		 "<a href=\"https://arxiv.org/\">arXiv</a> (titles, authors and abstracts are "
		 "released under CC0). Upvote and comment counts come from curated daily lists "
		 "where those exist. Links to code and project pages are taken from what the "
		 "authors wrote; only web (http and https) links are shown.</p>\n"
		 "<h2>Feeds and API</h2>\n<ul>\n"
		 "<li><a href=\"/feeds/daily.atom\">Atom feed of the latest day</a>; per category "
		 "at <code>/feeds/category/cs.LG.atom</code>; for a search at "
		 "<code>/feeds/search.atom?q=words</code>.</li>\n"
		 "<li>A JSON API shaped like the public daily-papers API: "
		 "<code>/api/daily_papers?date=YYYY-MM-DD</code>, <code>/api/papers/ID</code>, "
		 "<code>/api/papers/search?q=words</code>, described by "
		 "<a href=\"/api/openapi.json\">an OpenAPI document</a>.</li>\n"
		 "<li>Every paper has a BibTeX entry at <code>/papers/ID.bib</code>, and its page "
		 "carries citation tags that reference managers such as Zotero pick up.</li>\n"
		 "</ul>\n<h2>Keyboard</h2>\n<p>On day, week and month pages the left and right "
		 "arrow keys go to the previous and next period.</p>\n</div>\n");
	web_page_end(r, NULL);
	r->cache_seconds = 600;
	return WEB_OK;
}

enum web_status web_page_healthz(struct web_request *r)
{
	struct pb_err err = PB_ERR_INIT;
	unsigned long long v;
	r->cache_seconds = -1;
	r->cache_control = "no-store";
	/* a question the database answers at once whatever its size */
	if (store_data_version(r->store, &v, &err))
		return web_fail(r, WEB_UNAVAILABLE, "the database does not answer: %s", err.msg);
	html_raw(&r->body, "ok\n");
	return WEB_OK;
}

enum web_status web_page_robots(struct web_request *r)
{
	html_raw(&r->body, "User-agent: *\nDisallow: /search\nDisallow: /api/\n"
			   "Disallow: /feeds/search.atom\n");
	return WEB_OK;
}

void web_page_error(struct web_request *r, int status)
{
	struct buf *b = &r->body;
	struct web_page pg = {.nav = WEB_NAV_NONE};
	const char *title = status == 404   ? "Page not found"
			    : status == 400 ? "That request did not make sense"
			    : status >= 500 ? "Something went wrong on our side"
					    : web_status_text(status);

	pg.title = title;
	web_page_begin(r, &pg);
	html_rawf(b,
		  "<div class=\"prose\">\n<p class=\"error-code\">Error %d \xc2\xb7 %s</p>\n<h1>",
		  status, web_status_text(status));
	html_text(b, title);
	html_raw(b, "</h1>\n<p>");
	if (r->message[0] >= 'a' && r->message[0] <= 'z')
		r->message[0] = (char)(r->message[0] - 'a' + 'A'); /* a sentence here */
	html_text(b, r->message);
	html_raw(b, "</p>\n<p>");
	if (status >= 500)
		html_raw(b, "Please try again in a moment. ");
	html_raw(b, "You can go to <a href=\"/\">today\xe2\x80\x99s papers</a> or "
		    "<a href=\"/search\">search</a>.</p>\n</div>\n");
	web_page_end(r, NULL);
}
