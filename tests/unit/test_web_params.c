/* test_web_params.c - request decoding and the calendar values of routes. */
#include "t.h"

#include "../../src/core/err.h"
#include "../../src/web/params.h"

#include <stdio.h>

TEST(web_params_days)
{
	char d[11];
	CHECK_INT(web_parse_day("2026-07-01", d), PB_OK);
	CHECK_STR(d, "2026-07-01");
	CHECK_INT(web_parse_day("2024-02-29", d), PB_OK);
	CHECK(web_parse_day("2025-02-29", d) != PB_OK);
	CHECK(web_parse_day("2025-02-30", d) != PB_OK);
	CHECK(web_parse_day("2025-13-01", d) != PB_OK);
	CHECK(web_parse_day("2025-1-01", d) != PB_OK);
	CHECK(web_parse_day("2025-01-01x", d) != PB_OK);
	CHECK(web_parse_day("", d) != PB_OK);
	CHECK(web_parse_day(NULL, d) != PB_OK);
}

TEST(web_params_iso_weeks)
{
	char mon[11], sun[11], w[9];
	CHECK_INT(web_parse_week("2026-W27", mon, sun), PB_OK);
	CHECK_STR(mon, "2026-06-29");
	CHECK_STR(sun, "2026-07-05");
	CHECK_INT(web_parse_week("2026-W01", mon, sun), PB_OK);
	CHECK_STR(mon, "2025-12-29"); /* week 1 starts in the year before */
	CHECK_INT(web_parse_week("2020-W53", mon, sun), PB_OK);
	CHECK_STR(mon, "2020-12-28");
	CHECK_STR(sun, "2021-01-03");
	CHECK_INT(web_weeks_in_year(2020), 53);
	CHECK_INT(web_weeks_in_year(2025), 52);
	CHECK_INT(web_weeks_in_year(2026), 53);
	CHECK(web_parse_week("2025-W53", mon, sun) != PB_OK);
	CHECK(web_parse_week("2025-W54", mon, sun) != PB_OK);
	CHECK(web_parse_week("2025-W00", mon, sun) != PB_OK);
	CHECK(web_parse_week("2025-W5", mon, sun) != PB_OK);
	CHECK(web_parse_week("2025W05", mon, sun) != PB_OK);
	web_week_of("2026-07-01", w);
	CHECK_STR(w, "2026-W27");
	web_week_of("2021-01-03", w);
	CHECK_STR(w, "2020-W53");
	web_week_of("2024-12-30", w);
	CHECK_STR(w, "2025-W01");
	CHECK_INT(web_weekday("2026-07-01"), 3);
	CHECK_INT(web_weekday("2026-07-05"), 7);
}

TEST(web_params_months)
{
	char a[11], z[11], d[11];
	CHECK_INT(web_parse_month("2024-02", a, z), PB_OK);
	CHECK_STR(a, "2024-02-01");
	CHECK_STR(z, "2024-02-29");
	CHECK_INT(web_parse_month("2026-06", a, z), PB_OK);
	CHECK_STR(z, "2026-06-30");
	CHECK(web_parse_month("2026-13", a, z) != PB_OK);
	CHECK(web_parse_month("2026-00", a, z) != PB_OK);
	CHECK(web_parse_month("2026-6", a, z) != PB_OK);
	web_day_add("2026-02-28", 1, d);
	CHECK_STR(d, "2026-03-01");
	web_day_add("2026-01-01", -1, d);
	CHECK_STR(d, "2025-12-31");
}

TEST(web_params_path_decoding)
{
	struct arena a = ARENA_INIT;
	char why[128], *out;
	const char *p = "/papers/hep-th%2F9108002";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_OK);
	CHECK_STR(out, "/papers/hep-th/9108002");
	p = "/papers/..%2f..%2fetc/passwd";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/static/%2e%2e/x";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a/./b";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a%zz";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a%4";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a%00b";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a%ff";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a%5cb";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_EINVAL);
	p = "/a..b/c.d";
	CHECK_INT(web_path_decode(&a, p, strlen(p), &out, why, sizeof(why)), PB_OK);
	CHECK_STR(out, "/a..b/c.d");
	arena_release(&a);
}

TEST(web_params_query_parsing)
{
	struct arena a = ARENA_INIT;
	struct web_arg *args;
	size_t n;
	char why[128];
	CHECK_INT(web_query_parse(&a, "q=graph+neural%20nets&cat=cs.LG&&flag&q=second", &args, &n,
				  why, sizeof(why)),
		  PB_OK);
	CHECK_INT(n, 4);
	CHECK_STR(web_args_get(args, n, "q"), "graph neural nets");
	CHECK_STR(web_args_get(args, n, "cat"), "cs.LG");
	CHECK_STR(web_args_get(args, n, "flag"), "");
	CHECK(web_args_get(args, n, "missing") == NULL);
	CHECK_INT(web_query_parse(&a, "q=a%0Ab", &args, &n, why, sizeof(why)), PB_OK);
	CHECK_STR(web_args_get(args, n, "q"), "a b");
	CHECK_INT(web_query_parse(&a, "q=%E0%A4", &args, &n, why, sizeof(why)), PB_EINVAL);
	CHECK_INT(web_query_parse(&a, "q=%", &args, &n, why, sizeof(why)), PB_EINVAL);
	CHECK_INT(web_query_parse(&a, "q=%G1", &args, &n, why, sizeof(why)), PB_EINVAL);
	CHECK_INT(web_query_parse(&a, "q=%01", &args, &n, why, sizeof(why)), PB_EINVAL);
	CHECK_INT(web_query_parse(&a, "", &args, &n, why, sizeof(why)), PB_OK);
	CHECK_INT(n, 0);
	{
		char many[WEB_ARGS_MAX * 4 + 16];
		size_t i, k = 0;
		for (i = 0; i <= WEB_ARGS_MAX; i++)
			k += (size_t)snprintf(many + k, sizeof(many) - k, "a=%zu&", i % 10);
		CHECK_INT(web_query_parse(&a, many, &args, &n, why, sizeof(why)), PB_EINVAL);
	}
	arena_release(&a);
}
