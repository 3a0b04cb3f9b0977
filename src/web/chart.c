/* chart.c - stacked bar charts of papers per day as inline SVG. */
#include "chart.h"

#include "html.h"
#include "params.h"

#include "../core/arxiv.h"
#include "../core/err.h"

#include <stdio.h>
#include <string.h>

#define CHART_CATS_MAX 8
#define W 720
#define H 260
#define ML 44 /* margins: left, right, top, bottom */
#define MR 8
#define MT 10
#define MB 36

/* Okabe-Ito colours (distinguishable with colour blindness); grey for "other". */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
				      "#56b4e9", "#d55e00", "#8c6d31"};
#define OTHER_COLOUR "#9a9ca3"

struct cat {
	char name[32];
	long total;
	const char *colour;
};

static int find_cat(struct cat *cats, int n, const char *name)
{
	int i;
	for (i = 0; i < n; i++)
		if (strcmp(cats[i].name, name) == 0)
			return i;
	return -1;
}

static long nice_step(long max)
{
	long step = 1;
	while (max / step > 5) {
		if (max / (step * 2) <= 5)
			return step * 2;
		if (max / (step * 5) <= 5)
			return step * 5;
		step *= 10;
	}
	return step;
}

int web_chart_days(struct buf *b, const struct store_day_count *counts, size_t n, const char *from,
		   const char *to, const char *title, const char *id)
{
	struct cat cats[CHART_CATS_MAX];
	long cell[CHART_DAYS_MAX][CHART_CATS_MAX];
	long totals[CHART_DAYS_MAX], max = 0, all = 0, step, v;
	char days[CHART_DAYS_MAX][11];
	int ndays = 0, ncats = 0, i, j, other = -1, label_every;
	size_t k;
	double plot_w = W - ML - MR, plot_h = H - MT - MB, slot, bar;

	memset(cell, 0, sizeof(cell));
	/* Days of the period. */
	if (web_parse_day(from, days[0]) || strlen(to) != 10)
		return PB_EINVAL;
	for (ndays = 1; ndays < CHART_DAYS_MAX && strcmp(days[ndays - 1], to) < 0; ndays++)
		web_day_add(days[ndays - 1], 1, days[ndays]);
	/* Categories by total, "other" last. */
	for (k = 0; k < n; k++) {
		int c = find_cat(cats, ncats, counts[k].category);
		if (c < 0) {
			if (ncats == CHART_CATS_MAX)
				c = find_cat(cats, ncats, "other");
			if (c < 0 && ncats < CHART_CATS_MAX) {
				c = ncats++;
				snprintf(cats[c].name, sizeof(cats[c].name), "%s",
					 counts[k].category);
				cats[c].total = 0;
			}
			if (c < 0)
				c = ncats - 1;
		}
		cats[c].total += counts[k].count;
	}
	for (i = 1; i < ncats; i++) { /* insertion sort, largest first */
		struct cat t = cats[i];
		for (j = i - 1;
		     j >= 0 && (cats[j].total < t.total || (strcmp(cats[j].name, "other") == 0 &&
							    strcmp(t.name, "other") != 0));
		     j--)
			cats[j + 1] = cats[j];
		cats[j + 1] = t;
	}
	for (i = 0, j = 0; i < ncats; i++) {
		if (strcmp(cats[i].name, "other") == 0) {
			other = i;
			cats[i].colour = OTHER_COLOUR;
		} else {
			cats[i].colour = palette[j++ % (int)(sizeof(palette) / sizeof(palette[0]))];
		}
	}
	if (other >= 0 && other != ncats - 1) {
		struct cat t = cats[other];
		memmove(&cats[other], &cats[other + 1], (size_t)(ncats - other - 1) * sizeof(t));
		cats[ncats - 1] = t;
	}
	for (k = 0; k < n; k++) {
		int d, c = find_cat(cats, ncats, counts[k].category);
		if (c < 0)
			c = find_cat(cats, ncats, "other");
		if (c < 0)
			c = ncats - 1;
		for (d = 0; d < ndays && strcmp(days[d], counts[k].day) != 0; d++)
			;
		if (d < ndays && c >= 0)
			cell[d][c] += counts[k].count;
	}
	for (i = 0; i < ndays; i++) {
		totals[i] = 0;
		for (j = 0; j < ncats; j++)
			totals[i] += cell[i][j];
		if (totals[i] > max)
			max = totals[i];
		all += totals[i];
	}

	html_rawf(b, "<figure class=\"chart-box\" id=\"%s-chart\">\n", id);
	if (!all) {
		html_raw(b, "<figcaption>");
		html_text(b, title);
		html_raw(
		    b,
		    "</figcaption>\n<p class=\"hint\">No papers in this period.</p>\n</figure>\n");
		return html_failed(b) ? PB_ETOOBIG : PB_OK;
	}
	step = nice_step(max);
	max = (max + step - 1) / step * step;
	slot = plot_w / ndays;
	bar = slot * 0.72;
	html_rawf(b,
		  "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		  "aria-labelledby=\"%s-title %s-desc\">\n<title id=\"%s-title\">",
		  W, H, id, id, id);
	html_text(b, title);
	html_rawf(b, "</title>\n<desc id=\"%s-desc\">Stacked bars, one per day from ", id);
	html_text(b, from);
	html_raw(b, " to ");
	html_text(b, days[ndays - 1]);
	html_rawf(b, ": %ld papers in all, at most %ld on one day. Colours: ", all,
		  (long)(max > 0 ? max : 0));
	for (j = 0; j < ncats; j++) {
		html_raw(b, j ? ", " : "");
		html_text(b, cats[j].name);
	}
	html_raw(b, ".</desc>\n");
	/* y axis: grid lines and labels */
	for (v = 0; v <= max; v += step) {
		double y = MT + plot_h - plot_h * (double)v / (double)max;
		html_rawf(b,
			  "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
			  "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%ld</text>\n",
			  v ? "grid" : "axis", ML, W - MR, y, y, ML - 6, y + 4, v);
	}
	/* bars */
	label_every = (ndays + 15) / 16;
	for (i = 0; i < ndays; i++) {
		double x = ML + slot * i + (slot - bar) / 2, y = MT + plot_h;
		for (j = 0; j < ncats; j++) {
			double h;
			if (!cell[i][j])
				continue;
			h = plot_h * (double)cell[i][j] / (double)max;
			y -= h;
			html_rawf(b,
				  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				  "fill=\"%s\"><title>",
				  x, y, bar, h, cats[j].colour);
			html_text(b, days[i]);
			html_raw(b, " \xc2\xb7 ");
			html_text(b, cats[j].name);
			html_rawf(b, ": %ld</title></rect>\n", cell[i][j]);
		}
		if (i % label_every == 0) {
			int dd = (days[i][8] - '0') * 10 + (days[i][9] - '0');
			html_rawf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
				  ML + slot * i + slot / 2, H - MB + 16, dd);
		}
	}
	html_rawf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">day of month</text>\n", W - MR,
		  H - 2);
	html_raw(b, "</svg>\n<figcaption>\n<ul class=\"chart-legend\">\n");
	for (j = 0; j < ncats; j++) {
		html_rawf(b,
			  "<li><svg viewBox=\"0 0 12 12\" aria-hidden=\"true\" focusable=\"false\">"
			  "<rect width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/></svg>",
			  cats[j].colour);
		html_text(b, cats[j].name);
		html_rawf(b, " <span class=\"hint\">(%ld)</span></li>\n", cats[j].total);
	}
	html_raw(b, "</ul>\n<details class=\"chart-data\"><summary>The numbers"
		    "</summary>\n<table>\n<thead><tr><th scope=\"col\">Day</th>");
	for (j = 0; j < ncats; j++) {
		html_raw(b, "<th scope=\"col\">");
		html_text(b, cats[j].name);
		html_raw(b, "</th>");
	}
	html_raw(b, "<th scope=\"col\">All</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < ndays; i++) {
		if (!totals[i])
			continue;
		html_raw(b, "<tr><th scope=\"row\">");
		html_text(b, days[i]);
		html_raw(b, "</th>");
		for (j = 0; j < ncats; j++)
			html_rawf(b, "<td>%ld</td>", cell[i][j]);
		html_rawf(b, "<td>%ld</td></tr>\n", totals[i]);
	}
	html_raw(b, "</tbody>\n</table>\n</details>\n</figcaption>\n</figure>\n");
	return html_failed(b) ? PB_ETOOBIG : PB_OK;
}
