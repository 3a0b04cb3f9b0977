/* chart.h - server-side SVG charts (no JavaScript): papers per day as
 * stacked bars by category, with axes, a legend and an accessible title,
 * plus the same numbers as a table behind an expander. */
#ifndef PB_CHART_H
#define PB_CHART_H

#include <stddef.h>

#include "../core/buf.h"
#include "../store/store.h"

#define CHART_DAYS_MAX 62

/* Writes a <figure> with the chart of counts (store_day_counts rows, any
 * order) for the days from..to inclusive (at most CHART_DAYS_MAX days; later
 * days are left out). title is plain text; id makes the element ids unique
 * on the page ("month"). Categories are stacked largest first, "other"
 * last, each with its own colour. Writes a short note instead when there
 * are no counts. Returns PB_OK, PB_EINVAL for a bad from, or the buffer's
 * error (sticky in b, see html.h). */
int web_chart_days(struct buf *b, const struct store_day_count *counts, size_t n, const char *from,
		   const char *to, const char *title, const char *id);

#endif
