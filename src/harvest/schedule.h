/* schedule.h - when the harvest runs: local times of day on chosen
 * weekdays in a time zone ("20:30" on "Sun-Thu" in America/New_York).
 * Pure computation: no clock is read here, callers pass "now". */
#ifndef PB_SCHEDULE_H
#define PB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "tz.h"

#define SCHEDULE_TIMES_MAX 24

struct schedule {
	int minutes[SCHEDULE_TIMES_MAX]; /* local times, minutes after midnight, ascending */
	size_t n_times;			 /* 0: the schedule is off */
	unsigned days;			 /* bit d set: weekday d runs (0 = Sunday) */
};

/* Parses local times "HH:MM", separated by spaces or commas ("20:30",
 * "06:00, 20:30"); duplicates are merged. "" or "off" leaves no times
 * (the schedule is off). Returns PB_OK or PB_EINVAL naming the bad time. */
int schedule_parse_times(const char *s, struct schedule *sc, struct pb_err *err);

/* Parses weekdays: names (Sun, Mon, ... or full names, any case), ranges
 * that may wrap ("Sun-Thu", "Fri-Mon"), separated by spaces or commas;
 * "daily" or "*" is every day. Returns PB_OK or PB_EINVAL. */
int schedule_parse_days(const char *s, struct schedule *sc, struct pb_err *err);

/* The first scheduled moment strictly after now (UTC seconds), or -1
 * when the schedule has no times or no days. Cannot fail. */
int64_t schedule_next(const struct schedule *sc, const struct tz *z, int64_t now);

/* The last scheduled moment at or before now, or -1 when there is none in
 * the past eight days. Cannot fail. */
int64_t schedule_prev(const struct schedule *sc, const struct tz *z, int64_t now);

/* Writes "2026-03-09 20:30 EDT" (local time, zone abbreviation) for t into
 * out. Cannot fail. */
void schedule_format_local(const struct tz *z, int64_t t, char *out, size_t len);

#endif
