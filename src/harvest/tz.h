/* tz.h - time zones read from the TZ database without touching the
 * process's TZ: TZif files (RFC 8536) under $TZDIR or /usr/share/zoneinfo,
 * and POSIX TZ rules ("EST5EDT,M3.2.0,M11.1.0") for times past the file's
 * last transition or given directly.
 *
 * A loaded zone is immutable: any number of threads may query it at once,
 * which localtime_r with a temporarily changed TZ would not allow.
 * Times are seconds since 1970-01-01 00:00:00 UTC (int64_t); a "local"
 * time is the wall clock read as if it were UTC (local = utc + offset).
 */
#ifndef PB_TZ_H
#define PB_TZ_H

#include <stdint.h>

#include "../core/err.h"

struct tz;

/* Loads the zone name: a TZ database name ("America/New_York", "UTC",
 * "Europe/Paris") or a POSIX TZ rule. Returns NULL with err filled when the
 * name is unknown, unsafe (".." or a leading '/') or the file is damaged.
 * Free with tz_free. */
struct tz *tz_load(const char *name, struct pb_err *err);
void tz_free(struct tz *z);

/* The zone's name as given to tz_load. Cannot fail. */
const char *tz_name(const struct tz *z);

/* Offset from UTC in seconds (east positive) at UTC time t; *is_dst and
 * abbr (the zone abbreviation, "EDT") are filled when not NULL. Cannot fail. */
long tz_offset(const struct tz *z, int64_t t, int *is_dst, char abbr[16]);

/* The UTC time at which the wall clock shows local. A local time that
 * falls in a gap (clocks jump forward) maps to the moment after the gap
 * (02:30 on the spring-forward day in New York is 03:30 EDT); one that
 * occurs twice (clocks go back) maps to its first occurrence. Cannot fail. */
int64_t tz_from_local(const struct tz *z, int64_t local);

#endif
