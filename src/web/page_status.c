/* page_status.c - /status: what the operator watches, for people: the
 * harvester's recent runs, whether one is running now, and the store's size. */
#include "html.h"
#include "layout.h"
#include "pages.h"

#include "../harvest/harvest.h"
#include "../search/search.h"

#include <string.h>
#include <time.h>

/* "2026-11-28T01:30:44Z" -> "2026-11-28 01:30"; other text as it is. */
static void moment(struct buf *b, const char *m)
{
	if (strlen(m) >= 16 && m[10] == 'T') {
		html_textn(b, m, 10);
		html_raw(b, " ");
		html_textn(b, m + 11, 5);
	} else {
		html_text(b, m[0] ? m : "\xe2\x80\x94");
	}
}

static void run_row(struct buf *b, const struct store_job_run *j)
{
	html_raw(b, "<tr><td class=\"when\">");
	moment(b, j->started);
	html_raw(b, "</td><td class=\"when\">");
	moment(b, j->finished);
	html_rawf(b, "</td><td class=\"status-%s\">",
		  strcmp(j->status, "ok") == 0	      ? "ok"
		  : strcmp(j->status, "running") == 0 ? "running"
						      : "failed");
	html_text(b, j->status);
	html_rawf(b,
		  "</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td><td "
		  "class=\"num\">%ld</td><td>",
		  j->new_papers, j->updated, j->errors);
	html_text(b, j->message);
	html_raw(b, "</td></tr>\n");
}

/* The search index: ready, being built (since when), or none. */
static void search_part(struct buf *b, struct search_engine *se)
{
	struct search_status ss;
	char since[24] = "";
	struct tm tm;

	search_status(se, &ss);
	if (ss.since && gmtime_r(&ss.since, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	html_raw(b, "<h2>Search</h2>\n<p>");
	switch (ss.index) {
	case SEARCH_INDEX_READY:
		html_raw(b, "The search index is ready: searches are ranked.");
		break;
	case SEARCH_INDEX_BUILDING:
		html_rawf(b, "The search index is being built (%ld papers, started ", ss.papers);
		moment(b, since);
		html_raw(b, " UTC); until it is ready, searches are not ranked.");
		break;
	case SEARCH_INDEX_NONE:
		html_raw(b, "There is no search index: searches are not ranked (the server's log "
			    "says why).");
		break;
	}
	if (ss.vectors == SEARCH_INDEX_READY)
		html_raw(b, " Similar papers are shown.");
	else if (ss.vectors == SEARCH_INDEX_BUILDING)
		html_raw(b, " Similar papers are being computed; they appear when ready.");
	html_raw(b, "</p>\n");
}

enum web_status web_page_status(struct web_request *r)
{
	struct buf *b = &r->body;
	struct web_page pg = {.title = "Status", .nav = WEB_NAV_NONE};
	struct harvest_status hs;
	struct pb_err err = PB_ERR_INIT;
	long papers = 0;
	size_t i;

	if (store_count(r->store, &papers, &err) || harvest_status_read(r->store, &hs, &err))
		return web_fail(r, WEB_UNAVAILABLE, "the database does not answer: %s", err.msg);
	pg.description = "Harvester runs and the size of the paper store.";
	web_page_begin(r, &pg);
	html_raw(b, "<div class=\"prose\">\n<h1>Status</h1>\n");
	html_rawf(b, "<p>The store holds <strong>%ld</strong> papers.</p>\n", papers);
	html_raw(b, "<h2>Harvester</h2>\n<p>");
	if (hs.lease_held) {
		html_raw(b, "A harvest is running now (");
		html_text(b, hs.lease_owner);
		html_rawf(b, ", lease for %ld more seconds).", hs.lease_seconds_left);
	} else {
		html_raw(b, "No harvest is running.");
	}
	if (hs.have_ok) {
		html_raw(b, " The last successful run finished ");
		moment(b, hs.last_ok.finished);
		html_raw(b, " UTC");
		html_rawf(b, " with %ld new and %ld updated papers.", hs.last_ok.new_papers,
			  hs.last_ok.updated);
	}
	html_raw(b, "</p>\n");
	if (hs.n_runs == 0) {
		html_raw(b, "<p>No harvest has run yet. Sources are configured with the "
			    "<code>harvest_sets</code> and <code>harvest_categories</code> "
			    "settings.</p>\n");
	} else {
		html_raw(b, "<table class=\"runs\">\n<caption>Recent harvests, newest first "
			    "(times in UTC)</caption>\n<thead><tr><th scope=\"col\">Started</th>"
			    "<th scope=\"col\">Finished</th><th scope=\"col\">Status</th>"
			    "<th scope=\"col\">New</th><th scope=\"col\">Updated</th>"
			    "<th scope=\"col\">Errors</th><th "
			    "scope=\"col\">Note</th></tr></thead>\n<tbody>\n");
		for (i = 0; i < hs.n_runs; i++)
			run_row(b, &hs.runs[i]);
		html_raw(b, "</tbody>\n</table>\n");
	}
	search_part(b, r->site->search);
	html_raw(b, "<p>Machine-readable: <a href=\"/metrics\">/metrics</a> (Prometheus) and "
		    "<a href=\"/healthz\">/healthz</a>.</p>\n</div>\n");
	web_page_end(r, NULL);
	return WEB_OK;
}
