/* test_web_chart.c - the SVG chart of papers per day. */
#include "t.h"

#include "../../src/core/err.h"
#include "../../src/web/chart.h"

#include <stdio.h>
#include <string.h>

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

TEST(web_chart_stacked_bars)
{
	struct store_day_count rows[] = {
	    {"2026-06-01", "cs.LG", 10}, {"2026-06-01", "other", 2}, {"2026-06-02", "cs.LG", 5},
	    {"2026-06-02", "cs.CV", 7},	 {"2026-06-30", "cs.CV", 1},
	};
	struct buf b;
	buf_init(&b, 0);
	CHECK_INT(web_chart_days(&b, rows, 5, "2026-06-01", "2026-06-30", "June <2026>", "m"),
		  PB_OK);
	CHECK(strstr(b.data, "<svg class=\"chart\"") != NULL);
	CHECK(strstr(b.data, "role=\"img\"") != NULL);
	CHECK(strstr(b.data, "aria-labelledby=\"m-title m-desc\"") != NULL);
	CHECK(strstr(b.data, "<title id=\"m-title\">June &lt;2026&gt;</title>") != NULL);
	CHECK(strstr(b.data, "June <2026>") == NULL); /* title escaped everywhere */
	CHECK_INT(count(b.data, "<rect x="), 5);      /* one segment per non-zero cell */
	CHECK(strstr(b.data, "<title>2026-06-02 · cs.CV: 7</title>") != NULL);
	CHECK(strstr(b.data, ">12</text>") != NULL || strstr(b.data, ">10</text>") != NULL);
	/* legend: largest category first, "other" last */
	{
		const char *lg = strstr(b.data, "chart-legend");
		CHECK(lg != NULL);
		if (lg) {
			const char *lg_lg = strstr(lg, "cs.LG"), *lg_cv = strstr(lg, "cs.CV"),
				   *lg_other = strstr(lg, "other");
			CHECK(lg_lg && lg_cv && lg_other);
			CHECK(lg_lg < lg_cv && lg_cv < lg_other);
		}
	}
	CHECK(strstr(b.data, "<td>12</td></tr>") != NULL); /* data table totals */
	CHECK(strstr(b.data, "style=") == NULL);	   /* CSP forbids inline styles */
	buf_release(&b);
}

TEST(web_chart_empty_and_bad_input)
{
	struct buf b;
	buf_init(&b, 0);
	CHECK_INT(web_chart_days(&b, NULL, 0, "2026-06-01", "2026-06-07", "Week", "w"), PB_OK);
	CHECK(strstr(b.data, "No papers in this period") != NULL);
	CHECK(strstr(b.data, "<svg") == NULL);
	buf_reset(&b);
	CHECK(web_chart_days(&b, NULL, 0, "2026-02-30", "2026-03-07", "x", "w") != PB_OK);
	buf_release(&b);
}

TEST(web_chart_many_categories_fold_into_other)
{
	struct store_day_count rows[12];
	struct buf b;
	int i;
	for (i = 0; i < 12; i++) {
		snprintf(rows[i].day, sizeof(rows[i].day), "2026-06-%02d", i + 1);
		snprintf(rows[i].category, sizeof(rows[i].category), "cat.X%d", i);
		rows[i].count = 100 - i;
	}
	buf_init(&b, 0);
	CHECK_INT(web_chart_days(&b, rows, 12, "2026-06-01", "2026-06-30", "Many", "c"), PB_OK);
	CHECK_INT(count(b.data, "<rect x="), 12);
	CHECK(count(strstr(b.data, "chart-legend"), "<li>") <= 8);
	buf_release(&b);
}
