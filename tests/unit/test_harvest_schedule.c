/* test_harvest_schedule.c - time zones (TZif files and POSIX rules) and
 * the next/previous run of the harvest schedule across DST changes and
 * weekends. Needs the TZ database (Debian package tzdata) for the
 * America/New_York cases; the POSIX-rule cases need nothing. */
#include "t.h"

#include "../../src/core/arxiv.h"
#include "../../src/harvest/schedule.h"

#include <stdio.h>

/* UTC seconds of y-m-d h:mi. */
static long long utc(int y, int m, int d, int h, int mi)
{
	return (long long)date_to_days(y, m, d) * 86400 + h * 3600 + mi * 60;
}

static struct tz *zone(const char *name)
{
	struct pb_err err = PB_ERR_INIT;
	struct tz *z = tz_load(name, &err);
	if (!z)
		t_fail(__FILE__, __LINE__, "tz_load(%s): %s", name, err.msg);
	return z;
}

static void check_new_york(struct tz *z)
{
	char abbr[16];
	int dst = -1;
	/* 2026: DST from Sunday 8 March 07:00 UTC to Sunday 1 November 06:00 UTC */
	CHECK_INT(tz_offset(z, utc(2026, 3, 8, 6, 59), &dst, abbr), -5 * 3600);
	CHECK_INT(dst, 0);
	CHECK_STR(abbr, "EST");
	CHECK_INT(tz_offset(z, utc(2026, 3, 8, 7, 0), &dst, abbr), -4 * 3600);
	CHECK_INT(dst, 1);
	CHECK_STR(abbr, "EDT");
	CHECK_INT(tz_offset(z, utc(2026, 11, 1, 5, 59), NULL, NULL), -4 * 3600);
	CHECK_INT(tz_offset(z, utc(2026, 11, 1, 6, 0), NULL, NULL), -5 * 3600);
	/* far past the file's transitions: the footer rule */
	CHECK_INT(tz_offset(z, utc(2091, 7, 1, 12, 0), NULL, NULL), -4 * 3600);
	CHECK_INT(tz_offset(z, utc(2091, 12, 1, 12, 0), NULL, NULL), -5 * 3600);
	/* 2091: second Sunday of March is the 11th */
	CHECK_INT(tz_offset(z, utc(2091, 3, 11, 6, 59), NULL, NULL), -5 * 3600);
	CHECK_INT(tz_offset(z, utc(2091, 3, 11, 7, 0), NULL, NULL), -4 * 3600);
}

TEST(harvest_tz_new_york_from_the_tz_database)
{
	struct tz *z = zone("America/New_York");
	if (!z)
		return;
	check_new_york(z);
	/* before 2007 the US rules were different: first Sunday of April */
	CHECK_INT(tz_offset(z, utc(2005, 4, 3, 6, 59), NULL, NULL), -5 * 3600);
	CHECK_INT(tz_offset(z, utc(2005, 4, 3, 7, 0), NULL, NULL), -4 * 3600);
	tz_free(z);
}

TEST(harvest_tz_posix_rules)
{
	struct tz *z = zone("EST5EDT,M3.2.0,M11.1.0");
	struct tz *syd = zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
	struct tz *utc0 = zone("UTC");
	char abbr[16];
	if (z)
		check_new_york(z);
	if (syd) {
		/* southern hemisphere: DST over the new year */
		CHECK_INT(tz_offset(syd, utc(2026, 1, 15, 0, 0), NULL, abbr), 11 * 3600);
		CHECK_STR(abbr, "AEDT");
		CHECK_INT(tz_offset(syd, utc(2026, 7, 15, 0, 0), NULL, abbr), 10 * 3600);
		CHECK_STR(abbr, "AEST");
		/* ends Sunday 5 April 2026 03:00 AEDT = 4 April 16:00 UTC */
		CHECK_INT(tz_offset(syd, utc(2026, 4, 4, 15, 59), NULL, NULL), 11 * 3600);
		CHECK_INT(tz_offset(syd, utc(2026, 4, 4, 16, 0), NULL, NULL), 10 * 3600);
	}
	if (utc0)
		CHECK_INT(tz_offset(utc0, utc(2026, 7, 1, 0, 0), NULL, NULL), 0);
	tz_free(z);
	tz_free(syd);
	tz_free(utc0);
}

TEST(harvest_tz_refuses_unknown_and_unsafe_names)
{
	struct pb_err err = PB_ERR_INIT;
	CHECK(tz_load("Mars/Olympus_Mons", &err) == NULL);
	CHECK(strstr(err.msg, "unknown time zone \"Mars/Olympus_Mons\"") != NULL);
	CHECK(tz_load("../../etc/passwd", &err) == NULL);
	CHECK(tz_load("/etc/localtime", &err) == NULL);
	CHECK(tz_load("", &err) == NULL);
}

TEST(harvest_tz_local_times_in_gaps_and_folds)
{
	struct tz *z = zone("EST5EDT,M3.2.0,M11.1.0");
	if (!z)
		return;
	/* 02:30 does not exist on 8 March 2026: it becomes 03:30 EDT */
	CHECK_INT(tz_from_local(z, utc(2026, 3, 8, 2, 30)), utc(2026, 3, 8, 7, 30));
	/* 01:30 happens twice on 1 November 2026: the first one (EDT) */
	CHECK_INT(tz_from_local(z, utc(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 5, 30));
	/* ordinary times either side */
	CHECK_INT(tz_from_local(z, utc(2026, 3, 7, 20, 30)), utc(2026, 3, 8, 1, 30));
	CHECK_INT(tz_from_local(z, utc(2026, 3, 9, 20, 30)), utc(2026, 3, 10, 0, 30));
	tz_free(z);
}

static struct schedule sched(const char *times, const char *days)
{
	struct schedule sc;
	struct pb_err err = PB_ERR_INIT;
	memset(&sc, 0, sizeof(sc));
	CHECK_INT(schedule_parse_times(times, &sc, &err), 0);
	CHECK_INT(schedule_parse_days(days, &sc, &err), 0);
	return sc;
}

TEST(harvest_schedule_next_run_across_weekends_and_dst)
{
	struct tz *z = zone("America/New_York");
	struct schedule sc = sched("20:30", "Sun-Thu");
	char out[64];
	if (!z)
		return;
	/* Friday 6 March 2026 21:00 EST: nothing on Friday night or Saturday;
	 * Sunday 8 March is the first day of DST: 20:30 EDT = 00:30 UTC */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 3, 7, 2, 0)), utc(2026, 3, 9, 0, 30));
	schedule_format_local(z, utc(2026, 3, 9, 0, 30), out, sizeof(out));
	CHECK_STR(out, "2026-03-08 20:30 EDT");
	/* Thursday 5 March 20:29 EST: tonight at 20:30 EST = 01:30 UTC */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 3, 6, 1, 29)), utc(2026, 3, 6, 1, 30));
	/* exactly at the run time: the next one, Sunday */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 3, 6, 1, 30)), utc(2026, 3, 9, 0, 30));
	/* Saturday 31 October, DST ends on Sunday morning: 20:30 EST = 01:30 UTC */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 10, 31, 12, 0)), utc(2026, 11, 2, 1, 30));
	schedule_format_local(z, utc(2026, 11, 2, 1, 30), out, sizeof(out));
	CHECK_STR(out, "2026-11-01 20:30 EST");
	/* the previous run from Saturday noon is Thursday's */
	CHECK_INT(schedule_prev(&sc, z, utc(2026, 10, 31, 16, 0)), utc(2026, 10, 30, 0, 30));
	tz_free(z);
}

TEST(harvest_schedule_several_times_and_the_gap)
{
	struct tz *z = zone("EST5EDT,M3.2.0,M11.1.0");
	struct schedule sc = sched("20:30, 02:30 06:00 20:30", "daily");
	if (!z)
		return;
	CHECK_INT(sc.n_times, 3);
	CHECK_INT(sc.minutes[0], 150);
	CHECK_INT(sc.minutes[2], 20 * 60 + 30);
	/* 02:30 on the spring-forward day runs at 03:30 EDT (07:30 UTC) */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 3, 8, 5, 0)), utc(2026, 3, 8, 7, 30));
	CHECK_INT(schedule_next(&sc, z, utc(2026, 3, 8, 7, 30)), utc(2026, 3, 8, 10, 0));
	/* on the fall-back day 02:30 is unambiguous (EST) */
	CHECK_INT(schedule_next(&sc, z, utc(2026, 11, 1, 5, 0)), utc(2026, 11, 1, 7, 30));
	tz_free(z);
}

TEST(harvest_schedule_parsing)
{
	struct schedule sc;
	struct pb_err err = PB_ERR_INIT;
	struct tz *z = zone("UTC");

	memset(&sc, 0, sizeof(sc));
	CHECK_INT(schedule_parse_times("25:00", &sc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "\"25:00\" is not a time of day") != NULL);
	CHECK_INT(schedule_parse_times("7pm", &sc, &err), PB_EINVAL);
	CHECK_INT(schedule_parse_times("20:3", &sc, &err), PB_EINVAL);
	CHECK_INT(schedule_parse_times("-1:30", &sc, &err), PB_EINVAL);
	CHECK_INT(schedule_parse_times("9:05", &sc, &err), 0);
	CHECK_INT(sc.minutes[0], 9 * 60 + 5);
	CHECK_INT(schedule_parse_days("Funday", &sc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "\"Funday\" is not a weekday") != NULL);
	CHECK_INT(schedule_parse_days("Fri-Mon", &sc, &err), 0);
	CHECK_INT(sc.days, (1u << 5) | (1u << 6) | (1u << 0) | (1u << 1));
	CHECK_INT(schedule_parse_days("monday, WED friday", &sc, &err), 0);
	CHECK_INT(sc.days, (1u << 1) | (1u << 3) | (1u << 5));
	CHECK_INT(schedule_parse_days("*", &sc, &err), 0);
	CHECK_INT(sc.days, 0x7f);
	/* off: no times */
	CHECK_INT(schedule_parse_times("", &sc, &err), 0);
	if (z) {
		CHECK_INT(schedule_next(&sc, z, utc(2026, 1, 1, 0, 0)), -1);
		CHECK_INT(schedule_parse_times("off", &sc, &err), 0);
		CHECK_INT(schedule_next(&sc, z, utc(2026, 1, 1, 0, 0)), -1);
		/* Mon/Wed/Fri at 09:05 UTC; 1 January 2026 is a Thursday */
		CHECK_INT(schedule_parse_times("09:05", &sc, &err), 0);
		CHECK_INT(schedule_parse_days("Mon Wed Fri", &sc, &err), 0);
		CHECK_INT(schedule_next(&sc, z, utc(2026, 1, 1, 0, 0)), utc(2026, 1, 2, 9, 5));
		CHECK_INT(schedule_next(&sc, z, utc(2026, 1, 2, 9, 5)), utc(2026, 1, 5, 9, 5));
	}
	tz_free(z);
}
