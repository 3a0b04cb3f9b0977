/* schedule.c - next and previous run times of a weekly schedule in a time
 * zone (see schedule.h). */
#include "schedule.h"

#include "../core/arxiv.h"
#include "../core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const day_names[7] = {"sunday",   "monday", "tuesday", "wednesday",
					 "thursday", "friday", "saturday"};

static int is_sep(char c)
{
	return c == ' ' || c == ',' || c == '\t';
}

int schedule_parse_times(const char *s, struct schedule *sc, struct pb_err *err)
{
	sc->n_times = 0;
	if (strcmp(s, "off") == 0)
		return PB_OK;
	while (*s) {
		const char *w;
		size_t n, i, j;
		long h, m;
		int minutes;
		while (is_sep(*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && !is_sep(*s))
			s++;
		n = (size_t)(s - w);
		if (n < 4 || n > 5 || w[n - 3] != ':' || !isdigit((unsigned char)w[0]) ||
		    text_parse_long(w, n - 3, 0, 23, &h) || !isdigit((unsigned char)w[n - 2]) ||
		    text_parse_long(w + n - 2, 2, 0, 59, &m))
			return pb_err_set(err, PB_EINVAL,
					  "\"%.*s\" is not a time of day (HH:MM, 00:00 to 23:59)",
					  (int)(n > 40 ? 40 : n), w);
		minutes = (int)(h * 60 + m);
		for (i = 0; i < sc->n_times && sc->minutes[i] < minutes; i++)
			;
		if (i < sc->n_times && sc->minutes[i] == minutes)
			continue;
		if (sc->n_times == SCHEDULE_TIMES_MAX)
			return pb_err_set(err, PB_EINVAL, "at most %d harvest times",
					  SCHEDULE_TIMES_MAX);
		for (j = sc->n_times; j > i; j--)
			sc->minutes[j] = sc->minutes[j - 1];
		sc->minutes[i] = minutes;
		sc->n_times++;
	}
	return PB_OK;
}

/* Weekday number of the name w[0..n) (three letters or the full name). */
static int day_number(const char *w, size_t n)
{
	int d;
	size_t i;
	for (d = 0; d < 7; d++) {
		size_t full = strlen(day_names[d]);
		if (n != 3 && n != full)
			continue;
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)w[i]) != day_names[d][i])
				break;
		if (i == n)
			return d;
	}
	return -1;
}

int schedule_parse_days(const char *s, struct schedule *sc, struct pb_err *err)
{
	sc->days = 0;
	while (*s) {
		const char *w, *dash;
		size_t n;
		int a, b;
		while (is_sep(*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && !is_sep(*s))
			s++;
		n = (size_t)(s - w);
		if ((n == 1 && *w == '*') || (n == 5 && strncmp(w, "daily", 5) == 0)) {
			sc->days = 0x7f;
			continue;
		}
		dash = memchr(w, '-', n);
		a = day_number(w, dash ? (size_t)(dash - w) : n);
		b = dash ? day_number(dash + 1, (size_t)(s - dash - 1)) : a;
		if (a < 0 || b < 0)
			return pb_err_set(err, PB_EINVAL,
					  "\"%.*s\" is not a weekday or a range of weekdays "
					  "(Sun, Mon, ..., Sun-Thu, daily)",
					  (int)(n > 40 ? 40 : n), w);
		for (;;) {
			sc->days |= 1u << a;
			if (a == b)
				break;
			a = (a + 1) % 7;
		}
	}
	return PB_OK;
}

static int weekday(long days)
{
	return (int)(((days + 4) % 7 + 7) % 7);
}

static long floor_div(int64_t a, long b)
{
	return (long)(a / b - (a % b < 0));
}

/* Scans local days forward from yesterday (or backward from tomorrow) for
 * the first scheduled moment after now (or at or before now). */
static int64_t scan(const struct schedule *sc, const struct tz *z, int64_t now, int forward)
{
	long today = floor_div(now + tz_offset(z, now, NULL, NULL), 86400);
	long d;
	size_t i;
	int64_t best = -1;

	if (!sc->n_times || !(sc->days & 0x7f))
		return -1;
	/* a day either side of the local date absorbs offset changes */
	for (d = forward ? today - 1 : today + 1; forward ? d <= today + 8 : d >= today - 8;
	     d += forward ? 1 : -1) {
		if (!(sc->days & (1u << weekday(d))))
			continue;
		for (i = 0; i < sc->n_times; i++) {
			int64_t t = tz_from_local(z, (int64_t)d * 86400 + sc->minutes[i] * 60);
			if (forward ? (t > now && (best < 0 || t < best))
				    : (t <= now && (best < 0 || t > best)))
				best = t;
		}
		/* no offset change moves a clock by a day: a later (earlier)
		 * day cannot beat this one */
		if (best >= 0)
			break;
	}
	return best;
}

int64_t schedule_next(const struct schedule *sc, const struct tz *z, int64_t now)
{
	return scan(sc, z, now, 1);
}

int64_t schedule_prev(const struct schedule *sc, const struct tz *z, int64_t now)
{
	return scan(sc, z, now, 0);
}

void schedule_format_local(const struct tz *z, int64_t t, char *out, size_t len)
{
	char abbr[16];
	long off = tz_offset(z, t, NULL, abbr);
	int64_t local = t + off;
	long days = floor_div(local, 86400);
	long secs = (long)(local - (int64_t)days * 86400);
	int y, m, d;
	date_from_days(days, &y, &m, &d);
	snprintf(out, len, "%04d-%02d-%02d %02ld:%02ld %s", y, m, d, secs / 3600, secs / 60 % 60,
		 abbr);
}
