/* layout.h - the parts every HTML page shares: the page shell (head,
 * header with the site name and navigation, sidebar, footer), the paper
 * card, the pager, and date formatting for people. All output goes through
 * html.h; errors are sticky in r->body (see html.h). */
#ifndef PB_LAYOUT_H
#define PB_LAYOUT_H

#include "../store/paper.h"
#include "server.h"

/* Navigation items; WEB_NAV_NONE marks nothing as current. */
enum web_nav {
	WEB_NAV_NONE,
	WEB_NAV_TODAY,
	WEB_NAV_WEEK,
	WEB_NAV_MONTH,
	WEB_NAV_TRENDING,
	WEB_NAV_SEARCH,
	WEB_NAV_ABOUT,
};

struct web_page {
	const char *title;	 /* plain text; the site name is appended */
	const char *description; /* plain text for <meta name=description>, may be NULL */
	enum web_nav nav;
	const char *head_raw;  /* extra <head> markup, already escaped (html.h) */
	const char *feed_path; /* Atom alternate for this page, NULL: the daily feed */
	const char *query;     /* search words to show in the header box, may be NULL */
};

/* Writes everything up to and including the opening <main>. */
void web_page_begin(struct web_request *r, const struct web_page *pg);

/* Closes <main>, writes the sidebar (sidebar_raw first, already escaped,
 * may be NULL; then the digest slot and the feeds), footer and scripts. */
void web_page_end(struct web_request *r, const char *sidebar_raw);

/* One paper as a card: title linking to its page, first authors, day,
 * categories, upvotes, comments, links, and the abstract behind an
 * expander. terms (n of them) are highlighted with <mark>. */
void web_card(struct web_request *r, const struct paper *p, const char *const *terms, size_t n);

/* "Page X of Y" with previous/next links that keep the request's other
 * query parameters (parameter "p" is the 1-based page). Nothing when
 * pages <= 1. */
void web_pager(struct web_request *r, long page, long pages);

/* Writes "?k=v&..." (escaped for an attribute) with the request's query
 * parameters, parameter name set to value (NULL: dropped). */
void web_self_query(struct web_request *r, struct buf *b, const char *name, const char *value);

/* A list of papers copied out of a listing into an arena, for pages that
 * need the count before the cards. Zero-initialise, set a, then pass
 * web_papers_add as the store callback with the list as ctx. */
struct web_papers {
	struct arena *a;
	struct paper *items;
	size_t n, cap;
};
int web_papers_add(void *ctx, const struct paper *p);

/* Formats a day "YYYY-MM-DD" for people: long "Wednesday, 1 July 2026",
 * short "1 Jul 2026". Copies the input when it is not a day. */
void web_day_long(const char *day, char *out, size_t n);
void web_day_short(const char *day, char *out, size_t n);
/* "July 2026" for a month "YYYY-MM" or a day. */
void web_month_name(const char *day, char *out, size_t n);

/* Authors for a card: "A, B, C and N more" or "N authors" when there is
 * no list. Escaped. */
void web_authors_short(struct buf *b, const struct paper *p, size_t show);

#endif
