/* pages.h - the request handlers of the site, one file per page family,
 * and the few helpers of theirs that tests call directly.
 *
 * Every handler follows server.h: it writes r->body and returns a status;
 * an error status means "render the error page with r->message".
 */
#ifndef PB_PAGES_H
#define PB_PAGES_H

#include "../core/buf.h"
#include "../store/paper.h"
#include "server.h"

/* page_daily.c: "/", /papers/date/DAY, /papers/week[/YYYY-Www],
 * /papers/month[/YYYY-MM], /trending */
enum web_status web_page_today(struct web_request *r);
enum web_status web_page_day(struct web_request *r);
enum web_status web_page_week(struct web_request *r);
enum web_status web_page_month(struct web_request *r);
enum web_status web_page_trending(struct web_request *r);

/* page_paper.c: /papers/ID and /papers/ID.bib */
enum web_status web_page_paper(struct web_request *r);

/* Writes p as one BibTeX @misc entry (key, title, author, year, eprint,
 * archivePrefix, primaryClass, doi, url); braces in values are balanced
 * (values whose braces do not balance lose them). PB_OK or the buffer's
 * error. */
int web_bibtex(struct buf *b, const struct paper *p);

/* The BibTeX key of p: first author's surname, year and first significant
 * title word, lower-case ASCII ("vaswani2017attention"); "arxiv" plus the
 * id when those are missing. Writes at most n - 1 characters. */
void web_bibtex_key(const struct paper *p, char *out, size_t n);

/* page_search.c: /search */
enum web_status web_page_search(struct web_request *r);

/* page_misc.c: /about, /healthz, /robots.txt, and the error pages */
enum web_status web_page_about(struct web_request *r);
enum web_status web_page_healthz(struct web_request *r);
/* /status: harvester runs and store size (page_status.c). */
enum web_status web_page_status(struct web_request *r);
enum web_status web_page_robots(struct web_request *r);
/* Renders the HTML error page for status with r->message into r->body. */
void web_page_error(struct web_request *r, int status);

/* api.c: /api/... (JSON) */
enum web_status web_api_daily(struct web_request *r);
enum web_status web_api_paper(struct web_request *r);
/* /api/papers/ID/similar?limit=N (the route leaves "ID/similar" in r->rest) */
enum web_status web_api_similar(struct web_request *r);
enum web_status web_api_search(struct web_request *r);
enum web_status web_api_openapi(struct web_request *r);
enum web_status web_api_unknown(struct web_request *r);
/* Renders {"error": r->message} into r->body. */
void web_api_error(struct web_request *r, int status);

/* feeds.c: /feeds/daily.atom, /feeds/category/CAT.atom, /feeds/search.atom */
enum web_status web_feed_daily(struct web_request *r);
enum web_status web_feed_category(struct web_request *r);
enum web_status web_feed_search(struct web_request *r);

/* assets.c: /static/NAME and /favicon.ico */
enum web_status web_page_asset(struct web_request *r);

#endif
