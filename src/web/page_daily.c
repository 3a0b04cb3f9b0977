/* page_daily.c - the listing pages: a day ("/" is the latest day with
 * papers), an ISO week, a month (with its chart), and trending. */
#include "pages.h"

#include "chart.h"
#include "html.h"
#include "layout.h"
#include "params.h"

#include "../core/arxiv.h"

#include <stdio.h>
#include <string.h>

#define PER_PAGE 50
#define TRENDING_DAYS 30

/* What one listing page shows. */
struct listing {
	const char *from, *to; /* days, inclusive */
	enum store_sort sort;
	const char *eyebrow;	/* small line above the heading */
	const char *heading;	/* plain text */
	const char *sort_label; /* "most upvoted first" */
	enum web_nav nav;
	const char *prev_href, *prev_label, *next_href, *next_label; /* may be NULL */
	const char *links_raw; /* extra line under the heading, escaped */
	int chart;	       /* draw the per-day chart */
	const char *empty_raw; /* what to say when there is nothing, escaped */
};

/* Reads and checks the optional "cat" parameter. */
static enum web_status category_arg(struct web_request *r, const char **cat)
{
	const char *c = web_arg(r, "cat");
	*cat = NULL;
	if (!c || !*c)
		return WEB_OK;
	if (!arxiv_is_category(c, strlen(c)))
		return web_fail(r, WEB_BAD_REQUEST,
				"\"%.60s\" is not an arXiv category (such as cs.LG or hep-th)", c);
	*cat = c;
	return WEB_OK;
}

/* Sidebar block: the period's categories with counts, linking to filters. */
static void category_block(struct web_request *r, struct buf *side, const struct listing *l,
			   const char *current)
{
	struct store_day_count *rows = NULL;
	struct pb_err err = PB_ERR_INIT;
	struct {
		const char *name;
		long count;
	} cats[16];
	size_t n = 0, i, k, ncats = 0;

	if (store_day_counts(r->store, l->from, l->to, 12, r->arena, &rows, &n, &err) || !n)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].category, "other") == 0)
			continue;
		for (k = 0; k < ncats && strcmp(cats[k].name, rows[i].category) != 0; k++)
			;
		if (k == ncats) {
			if (ncats == sizeof(cats) / sizeof(cats[0]))
				continue;
			cats[k].name = rows[i].category;
			cats[k].count = 0;
			ncats++;
		}
		cats[k].count += rows[i].count;
	}
	for (i = 1; i < ncats; i++) /* most papers first */
		for (k = i; k > 0 && cats[k].count > cats[k - 1].count; k--) {
			const char *tn = cats[k].name;
			long tc = cats[k].count;
			cats[k] = cats[k - 1];
			cats[k - 1].name = tn;
			cats[k - 1].count = tc;
		}
	html_raw(side, "<section class=\"side-block\" aria-labelledby=\"cats-h\">\n"
		       "<h2 id=\"cats-h\">Top categories</h2>\n<ul class=\"cat-list\">\n");
	if (current) {
		html_raw(side, "<li><a href=\"");
		html_url_path(side, r->path);
		html_raw(side, "\">All categories</a></li>\n");
	}
	for (i = 0; i < ncats; i++) {
		int here = current && strcmp(current, cats[i].name) == 0;
		html_raw(side, "<li><a href=\"");
		html_url_path(side, r->path);
		html_raw(side, "?cat=");
		html_url_arg(side, cats[i].name);
		html_raw(side, here ? "\" aria-current=\"page\"><strong>" : "\">");
		html_text(side, cats[i].name);
		html_raw(side, here ? "</strong></a>" : "</a>");
		html_rawf(side, "<span class=\"count\">%ld</span></li>\n", cats[i].count);
	}
	html_raw(side, "</ul>\n<p class=\"hint\">Primary categories.</p>\n</section>\n");
}

static enum web_status render_listing(struct web_request *r, const struct listing *l)
{
	struct buf *b = &r->body, side;
	struct web_papers list = {.a = r->arena};
	struct store_filter f;
	struct pb_err err = PB_ERR_INIT;
	struct web_page pg = {.nav = l->nav};
	const char *cat;
	long page, total = 0, pages;
	enum web_status st;
	size_t i;

	if ((st = web_arg_long(r, "p", 1, 1, 100000, &page)) != WEB_OK ||
	    (st = category_arg(r, &cat)) != WEB_OK)
		return st;
	memset(&f, 0, sizeof(f));
	f.from = l->from;
	f.to = l->to;
	f.category = cat;
	f.sort = l->sort;
	f.offset = (page - 1) * PER_PAGE;
	f.limit = PER_PAGE;
	if (store_papers_list(r->store, &f, &total, r->arena, web_papers_add, &list, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "listing papers failed: %s", err.msg);
	pages = (total + PER_PAGE - 1) / PER_PAGE;
	if (page > 1 && page > pages)
		return web_fail(r, WEB_NOT_FOUND, "there is no page %ld here (there %s %ld)", page,
				pages == 1 ? "is" : "are", pages);

	pg.title = l->heading;
	pg.description = "Research papers, one card each, with links to abstracts, PDFs and code.";
	if (cat) {
		char *feed = arena_alloc(r->arena, 64);
		if (feed) {
			snprintf(feed, 64, "/feeds/category/%s.atom", cat);
			pg.feed_path = feed;
		}
	}
	web_page_begin(r, &pg);
	html_raw(b, "<div class=\"page-head\">\n<p class=\"sub\">");
	html_text(b, l->eyebrow);
	html_raw(b, "</p>\n<h1>");
	html_text(b, l->heading);
	if (cat) {
		html_raw(b, " <span class=\"chip chip-primary\">");
		html_text(b, cat);
		html_raw(b, "</span>");
	}
	html_raw(b, "</h1>\n<p class=\"sub\">");
	html_rawf(b, "%ld paper%s", total, total == 1 ? "" : "s");
	html_raw(b, l->links_raw);
	html_raw(b, "</p>\n");
	if (l->prev_href || l->next_href) {
		html_raw(b, "<ul class=\"day-nav\">\n");
		if (l->prev_href) {
			html_raw(b, "<li><a rel=\"prev\" data-key=\"prev\" href=\"");
			html_attr(b, l->prev_href);
			html_raw(b, "\">\xe2\x86\x90 ");
			html_text(b, l->prev_label);
			html_raw(b, "</a></li>\n");
		}
		if (l->next_href) {
			html_raw(b, "<li><a rel=\"next\" data-key=\"next\" href=\"");
			html_attr(b, l->next_href);
			html_raw(b, "\">");
			html_text(b, l->next_label);
			html_raw(b, " \xe2\x86\x92</a></li>\n");
		}
		html_raw(b, "</ul>\n");
	}
	html_raw(b, "</div>\n");
	if (l->chart) {
		struct store_day_count *rows = NULL;
		size_t n = 0;
		char title[160];
		if (store_day_counts(r->store, l->from, l->to, 6, r->arena, &rows, &n, &err))
			return web_fail(r, WEB_INTERNAL_ERROR, "counting papers failed: %s",
					err.msg);
		snprintf(title, sizeof(title), "Papers per day by primary category, %s",
			 l->heading);
		web_chart_days(b, rows, n, l->from, l->to, title, "period");
	}
	if (!total) {
		html_raw(b, "<div class=\"notice\">\n");
		if (cat) {
			html_raw(b, "<p>No papers in ");
			html_text(b, cat);
			html_raw(b, " here. <a href=\"");
			html_url_path(b, r->path);
			html_raw(b, "\">Show all categories</a>.</p>\n");
		} else {
			html_raw(b, l->empty_raw);
		}
		html_raw(b, "</div>\n");
	} else {
		long first = f.offset + 1, last = f.offset + (long)list.n;
		html_rawf(b, "<div class=\"toolbar\"><span>Showing %ld\xe2\x80\x93%ld of %ld, ",
			  first, last, total);
		html_text(b, l->sort_label);
		html_raw(b, "</span></div>\n<div class=\"cards\" data-cards>\n");
		for (i = 0; i < list.n; i++)
			web_card(r, &list.items[i], NULL, 0);
		html_raw(b, "</div>\n");
		web_pager(r, page, pages);
	}
	buf_init(&side, 1 << 20);
	category_block(r, &side, l, cat);
	web_page_end(r, side.data);
	buf_release(&side);
	return WEB_OK;
}

static char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(struct arena *a, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return arena_strdup(a, tmp);
}

/* The latest day with papers, or a page saying there is none yet. */
static enum web_status latest_day(struct web_request *r, char day[11], int *empty)
{
	struct pb_err err = PB_ERR_INIT;
	*empty = 0;
	if (store_latest_day(r->store, day, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "finding the latest day failed: %s",
				err.msg);
	if (!day[0]) {
		struct web_page pg = {.title = "No papers yet", .nav = WEB_NAV_TODAY};
		*empty = 1;
		web_page_begin(r, &pg);
		html_raw(&r->body,
			 "<div class=\"prose\">\n<h1>No papers yet</h1>\n<p>This site has "
			 "no papers to show yet. Import some with <code>paperboy import "
			 "FILE</code>, or start <code>paperboy serve</code> on an empty "
			 "database to load the bundled sample.</p>\n</div>\n");
		web_page_end(r, NULL);
	}
	return WEB_OK;
}

static enum web_status day_page(struct web_request *r, const char *day)
{
	struct listing l;
	struct pb_err err = PB_ERR_INIT;
	char prev[11], next[11], heading[64], prev_label[32], next_label[32], week[9];
	char month_label[32];
	struct buf empty;
	enum web_status st;

	if (store_day_neighbours(r->store, day, prev, next, &err))
		return web_fail(r, WEB_INTERNAL_ERROR, "finding neighbouring days failed: %s",
				err.msg);
	memset(&l, 0, sizeof(l));
	web_day_long(day, heading, sizeof(heading));
	web_week_of(day, week);
	web_month_name(day, month_label, sizeof(month_label));
	l.from = l.to = day;
	l.sort = STORE_SORT_DAY;
	l.eyebrow = "Daily papers";
	l.heading = heading;
	l.sort_label = "most upvoted first";
	l.nav = WEB_NAV_TODAY;
	if (prev[0]) {
		web_day_short(prev, prev_label, sizeof(prev_label));
		l.prev_href = arena_printf(r->arena, "/papers/date/%s", prev);
		l.prev_label = prev_label;
	}
	if (next[0]) {
		web_day_short(next, next_label, sizeof(next_label));
		l.next_href = arena_printf(r->arena, "/papers/date/%s", next);
		l.next_label = next_label;
	}
	l.links_raw = arena_printf(r->arena,
				   " \xc2\xb7 <a href=\"/papers/week/%s\">week %d</a>"
				   " \xc2\xb7 <a href=\"/papers/month/%.7s\">%s</a>",
				   week, (week[6] - '0') * 10 + (week[7] - '0'), day, month_label);
	buf_init(&empty, 4096);
	html_raw(&empty, "<p>No papers were announced on this day.</p>\n");
	if (prev[0] || next[0]) {
		html_raw(&empty, "<p>Nearest days with papers: ");
		if (prev[0]) {
			html_rawf(&empty, "<a href=\"/papers/date/%s\">", prev);
			html_text(&empty, prev_label);
			html_raw(&empty, "</a>");
		}
		if (prev[0] && next[0])
			html_raw(&empty, " and ");
		if (next[0]) {
			html_rawf(&empty, "<a href=\"/papers/date/%s\">", next);
			html_text(&empty, next_label);
			html_raw(&empty, "</a>");
		}
		html_raw(&empty, ".</p>\n");
	}
	l.empty_raw = arena_strdup(r->arena, empty.data);
	buf_release(&empty);
	st = render_listing(r, &l);
	return st;
}

enum web_status web_page_today(struct web_request *r)
{
	char day[11];
	int empty;
	enum web_status st = latest_day(r, day, &empty);
	if (st != WEB_OK || empty)
		return st;
	return day_page(r, day);
}

enum web_status web_page_day(struct web_request *r)
{
	char day[11];
	if (web_parse_day(r->rest, day))
		return web_fail(r, WEB_BAD_REQUEST,
				"\"%.40s\" is not a day on the calendar (use YYYY-MM-DD, such as "
				"2026-07-01)",
				r->rest);
	return day_page(r, day);
}

enum web_status web_page_week(struct web_request *r)
{
	struct listing l;
	char week[9], monday[11], sunday[11], pm[11], nm[11], pw[9], nw[9];
	char heading[96], a[32], z[32];
	int empty;
	enum web_status st;

	if (!*r->rest) {
		char day[11];
		if ((st = latest_day(r, day, &empty)) != WEB_OK || empty)
			return st;
		web_week_of(day, week);
	} else {
		snprintf(week, sizeof(week), "%.8s", r->rest);
	}
	if (strlen(r->rest) > 8 || web_parse_week(week, monday, sunday))
		return web_fail(r, WEB_BAD_REQUEST,
				"\"%.40s\" is not an ISO week (use YYYY-Www, such as 2026-W27)",
				r->rest);
	web_day_add(monday, -7, pm);
	web_day_add(monday, 7, nm);
	web_week_of(pm, pw);
	web_week_of(nm, nw);
	web_day_short(monday, a, sizeof(a));
	web_day_short(sunday, z, sizeof(z));
	snprintf(heading, sizeof(heading), "Week %d of %.4s",
		 (week[6] - '0') * 10 + (week[7] - '0'), week);
	memset(&l, 0, sizeof(l));
	l.from = monday;
	l.to = sunday;
	l.sort = STORE_SORT_VOTES;
	l.eyebrow = "Weekly papers";
	l.heading = heading;
	l.sort_label = "most upvoted first";
	l.nav = WEB_NAV_WEEK;
	l.prev_href = arena_printf(r->arena, "/papers/week/%s", pw);
	l.prev_label = pw;
	l.next_href = arena_printf(r->arena, "/papers/week/%s", nw);
	l.next_label = nw;
	l.links_raw = arena_printf(r->arena, " \xc2\xb7 %s \xe2\x80\x93 %s", a, z);
	l.chart = 1;
	l.empty_raw = "<p>No papers were announced in this week.</p>\n";
	return render_listing(r, &l);
}

enum web_status web_page_month(struct web_request *r)
{
	struct listing l;
	char month[8], first[11], last[11], pm[11], nm[11], heading[40], pl[40], nl[40];
	int empty;
	enum web_status st;

	if (!*r->rest) {
		char day[11];
		if ((st = latest_day(r, day, &empty)) != WEB_OK || empty)
			return st;
		snprintf(month, sizeof(month), "%.7s", day);
	} else {
		snprintf(month, sizeof(month), "%.7s", r->rest);
	}
	if (strlen(r->rest) > 7 || web_parse_month(month, first, last))
		return web_fail(r, WEB_BAD_REQUEST,
				"\"%.40s\" is not a month (use YYYY-MM, such as 2026-07)", r->rest);
	web_day_add(first, -1, pm);
	web_day_add(last, 1, nm);
	web_month_name(first, heading, sizeof(heading));
	web_month_name(pm, pl, sizeof(pl));
	web_month_name(nm, nl, sizeof(nl));
	memset(&l, 0, sizeof(l));
	l.from = first;
	l.to = last;
	l.sort = STORE_SORT_VOTES;
	l.eyebrow = "Monthly papers";
	l.heading = heading;
	l.sort_label = "most upvoted first";
	l.nav = WEB_NAV_MONTH;
	l.prev_href = arena_printf(r->arena, "/papers/month/%.7s", pm);
	l.prev_label = pl;
	l.next_href = arena_printf(r->arena, "/papers/month/%.7s", nm);
	l.next_label = nl;
	l.links_raw = "";
	l.chart = 1;
	l.empty_raw = "<p>No papers were announced in this month.</p>\n";
	return render_listing(r, &l);
}

enum web_status web_page_trending(struct web_request *r)
{
	struct listing l;
	char day[11], from[11], a[32];
	int empty;
	enum web_status st;

	if ((st = latest_day(r, day, &empty)) != WEB_OK || empty)
		return st;
	web_day_add(day, -(TRENDING_DAYS - 1), from);
	web_day_short(from, a, sizeof(a));
	memset(&l, 0, sizeof(l));
	l.from = from;
	l.to = day;
	l.sort = STORE_SORT_TRENDING;
	l.eyebrow = "Trending";
	l.heading = "Trending papers";
	l.sort_label = "upvotes weighed by age";
	l.nav = WEB_NAV_TRENDING;
	l.links_raw =
	    arena_printf(r->arena, " from the last %d days of papers, since %s", TRENDING_DAYS, a);
	l.empty_raw = "<p>Nothing is trending yet.</p>\n";
	st = render_listing(r, &l);
	r->cache_seconds = 300; /* the ranking moves with the clock */
	return st;
}
