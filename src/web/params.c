/* params.c - strict decoding of request paths and query strings, and the
 * day / ISO week / month values of the routes. */
#include "params.h"

#include "../core/arxiv.h"
#include "../core/err.h"
#include "../core/text.h"

#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into a; plus_space turns '+' into ' '. */
static int decode(struct arena *a, const char *s, size_t n, int plus_space, char **out,
		  const char *what, char *why, size_t why_len)
{
	char *d = arena_alloc(a, n + 1);
	size_t i, j = 0;

	if (!d)
		return PB_ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n) {
				snprintf(why, why_len, "%s has an incomplete %%-escape", what);
				return PB_EINVAL;
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0) {
				snprintf(why, why_len, "%s has a bad %%-escape \"%.3s\"", what,
					 s + i);
				return PB_EINVAL;
			}
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (plus_space && (c == '\t' || c == '\n' || c == '\r'))
			c = ' '; /* a pasted abstract keeps its words */
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, why_len, "%s contains a control character", what);
			return PB_EINVAL;
		}
		d[j++] = (char)c;
	}
	d[j] = '\0';
	if (text_utf8_invalid_at(d, j) != j) {
		snprintf(why, why_len, "%s is not valid UTF-8", what);
		return PB_EINVAL;
	}
	*out = d;
	return PB_OK;
}

int web_path_decode(struct arena *a, const char *raw, size_t n, char **out, char *why,
		    size_t why_len)
{
	char *d;
	const char *seg;
	int rc = decode(a, raw, n, 0, &d, "the path", why, why_len);

	if (rc)
		return rc;
	if (strchr(d, '\\')) {
		snprintf(why, why_len, "the path must not contain backslashes");
		return PB_EINVAL;
	}
	if (d[0] != '/') {
		snprintf(why, why_len, "the path must start with '/'");
		return PB_EINVAL;
	}
	for (seg = d; *seg;) {
		const char *end;
		size_t len;
		seg++; /* past '/' */
		end = strchr(seg, '/');
		len = end ? (size_t)(end - seg) : strlen(seg);
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
			snprintf(why, why_len,
				 "the path must not contain \".\" or \"..\" segments");
			return PB_EINVAL;
		}
		seg += len;
	}
	*out = d;
	return PB_OK;
}

int web_query_parse(struct arena *a, const char *raw, struct web_arg **args, size_t *n, char *why,
		    size_t why_len)
{
	struct web_arg *list;
	const char *p = raw;
	size_t count = 0;
	int rc;

	*args = NULL;
	*n = 0;
	list = arena_alloc(a, WEB_ARGS_MAX * sizeof(*list));
	if (!list)
		return PB_ENOMEM;
	while (*p) {
		const char *end = strchr(p, '&'), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *name, *value;

		if (len) {
			if (count == WEB_ARGS_MAX) {
				snprintf(why, why_len, "too many query parameters (at most %d)",
					 WEB_ARGS_MAX);
				return PB_EINVAL;
			}
			eq = memchr(p, '=', len);
			rc = decode(a, p, eq ? (size_t)(eq - p) : len, 1, &name,
				    "a query parameter name", why, why_len);
			if (rc)
				return rc;
			if (eq) {
				char what[64];
				snprintf(what, sizeof(what), "the value of \"%.40s\"", name);
				rc = decode(a, eq + 1, len - (size_t)(eq + 1 - p), 1, &value, what,
					    why, why_len);
			} else {
				value = arena_strdup(a, "");
				rc = value ? PB_OK : PB_ENOMEM;
			}
			if (rc)
				return rc;
			list[count].name = name;
			list[count].value = value;
			count++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	*args = list;
	*n = count;
	return PB_OK;
}

const char *web_args_get(const struct web_arg *args, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(args[i].name, name) == 0)
			return args[i].value;
	return NULL;
}

/* ---- calendar ---- */

static int digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int web_parse_day(const char *s, char out[11])
{
	int y, m, d;
	if (!s || strlen(s) != 10 || date_parse_day(s, 10, &y, &m, &d) || y < 1000)
		return PB_EINVAL;
	date_format_day(y, m, d, out);
	return PB_OK;
}

/* 1 = Monday .. 7 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_days(long days)
{
	long w = (days + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

int web_weekday(const char *day)
{
	int y, m, d;
	if (date_parse_day(day, 10, &y, &m, &d))
		return 0;
	return weekday_days(date_to_days(y, m, d));
}

/* Days-since-epoch of the Monday of ISO week 1 of year y. */
static long week1_monday(int y)
{
	long jan4 = date_to_days(y, 1, 4);
	return jan4 - (weekday_days(jan4) - 1);
}

int web_weeks_in_year(int y)
{
	return (int)((week1_monday(y + 1) - week1_monday(y)) / 7);
}

int web_parse_week(const char *s, char monday[11], char sunday[11])
{
	int y, w, yy, mm, dd;
	long mon;

	if (!s || strlen(s) != 8 || !digits(s, 4) || s[4] != '-' || s[5] != 'W' ||
	    !digits(s + 6, 2))
		return PB_EINVAL;
	y = num(s, 4);
	w = num(s + 6, 2);
	if (y < 1000 || w < 1 || w > web_weeks_in_year(y))
		return PB_EINVAL;
	mon = week1_monday(y) + (long)(w - 1) * 7;
	date_from_days(mon, &yy, &mm, &dd);
	date_format_day(yy, mm, dd, monday);
	date_from_days(mon + 6, &yy, &mm, &dd);
	date_format_day(yy, mm, dd, sunday);
	return PB_OK;
}

int web_parse_month(const char *s, char first[11], char last[11])
{
	int y, m, d;
	if (!s || strlen(s) != 7 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2))
		return PB_EINVAL;
	y = num(s, 4);
	m = num(s + 5, 2);
	if (y < 1000 || m < 1 || m > 12)
		return PB_EINVAL;
	date_format_day(y, m, 1, first);
	for (d = 31; !date_valid(y, m, d); d--)
		;
	date_format_day(y, m, d, last);
	return PB_OK;
}

void web_week_of(const char *day, char out[9])
{
	int y, m, d, wy;
	long days, mon;
	if (date_parse_day(day, 10, &y, &m, &d)) {
		snprintf(out, 9, "%s", "");
		return;
	}
	days = date_to_days(y, m, d);
	wy = y + 1;
	while ((mon = week1_monday(wy)) > days)
		wy--;
	snprintf(out, 9, "%04d-W%02d", wy % 10000, (int)((days - mon) / 7 + 1) % 100);
}

void web_day_add(const char *day, long n, char out[11])
{
	int y, m, d;
	if (date_parse_day(day, 10, &y, &m, &d)) {
		snprintf(out, 11, "%s", day);
		return;
	}
	date_from_days(date_to_days(y, m, d) + n, &y, &m, &d);
	date_format_day(y, m, d, out);
}
