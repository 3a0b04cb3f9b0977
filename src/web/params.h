/* params.h - request parameters: strict percent-decoding of paths and query
 * strings, and the calendar values the routes take (days, ISO weeks,
 * months). Everything a request carries is checked here before a page sees
 * it; a failure is a 400 with the message these functions write.
 */
#ifndef PB_PARAMS_H
#define PB_PARAMS_H

#include <stddef.h>

#include "../core/arena.h"

struct web_arg {
	const char *name;
	const char *value;
};

#define WEB_ARGS_MAX 32

/* Decodes a URL path (the part before '?'): %XX escapes must be complete
 * hex pairs; the result must be valid UTF-8 without NUL or other control
 * characters and must not contain a "." or ".." segment (so "..%2f" cannot
 * climb). '+' stays '+'. On success *out is the decoded path in a.
 * Returns PB_OK, PB_ENOMEM, or PB_EINVAL with why filled for people. */
int web_path_decode(struct arena *a, const char *raw, size_t n, char **out, char *why,
		    size_t why_len);

/* Parses a query string ("a=1&b=x+y", without the '?') into name/value
 * pairs in a: '+' is a space, %XX escapes as in web_path_decode, names and
 * values must be valid UTF-8 without control characters (tabs and
 * line breaks in values become spaces); at most
 * WEB_ARGS_MAX pairs. Empty pieces ("a=1&&b") are skipped; "a" alone has
 * the value "". Returns PB_OK, PB_ENOMEM, or PB_EINVAL with why filled. */
int web_query_parse(struct arena *a, const char *raw, struct web_arg **args, size_t *n, char *why,
		    size_t why_len);

/* The first value of name among args, NULL when absent. Cannot fail. */
const char *web_args_get(const struct web_arg *args, size_t n, const char *name);

/* Calendar values. Days are "YYYY-MM-DD" (out[11]); years 1000..9999. */

/* "YYYY-MM-DD" that exists on the calendar. Returns PB_OK or PB_EINVAL. */
int web_parse_day(const char *s, char out[11]);

/* ISO 8601 week "YYYY-Www" (W01..W52 or W53 in years that have one):
 * writes its Monday and Sunday. Returns PB_OK or PB_EINVAL. */
int web_parse_week(const char *s, char monday[11], char sunday[11]);

/* "YYYY-MM": writes the first and last day of the month. */
int web_parse_month(const char *s, char first[11], char last[11]);

/* ISO week of a valid day: writes "YYYY-Www" into out[9]. Cannot fail. */
void web_week_of(const char *day, char out[9]);

/* Number of ISO weeks (52 or 53) in ISO year y. Cannot fail. */
int web_weeks_in_year(int y);

/* Day of the week of a valid day, 1 = Monday .. 7 = Sunday. */
int web_weekday(const char *day);

/* Adds n days to a valid day (n may be negative). Cannot fail. */
void web_day_add(const char *day, long n, char out[11]);

#endif
