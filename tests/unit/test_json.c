/* test_json.c - the arena JSON reader. */
#include "t.h"

#include "../../src/core/buf.h"
#include "../../src/core/json.h"

static const struct json_val *parse(struct arena *a, const char *s, char *why)
{
	return json_parse(a, s, strlen(s), why, 160);
}

TEST(json_values_and_escapes)
{
	struct arena a = ARENA_INIT;
	char why[160];
	const struct json_val *v =
		parse(&a, " {\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"n\":-1.5e2,\"t\":true,"
			  "\"f\":false,\"z\":null,\"arr\":[1,[2,{}],\"x\"],\"e\":\"\"} ",
		      why);
	CHECK(v != NULL);
	if (!v)
		return;
	CHECK_INT(v->type, JSON_OBJV);
	CHECK_INT(v->n, 7);
	CHECK_STR(json_get(v, "s")->str, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
	CHECK(json_get(v, "n")->num == -150.0);
	CHECK_INT(json_get(v, "t")->type, JSON_TRUEV);
	CHECK_INT(json_get(v, "z")->type, JSON_NULLV);
	CHECK_INT(json_get(v, "arr")->n, 3);
	CHECK_INT(json_get(v, "arr")->items[1].items[1].type, JSON_OBJV);
	CHECK_STR(json_get(v, "e")->str, "");
	CHECK(json_get(v, "missing") == NULL);
	CHECK(json_duplicate_key(v) == NULL);
	v = parse(&a, "{\"a\":1,\"b\":2,\"a\":3}", why);
	CHECK_STR(json_duplicate_key(v), "a");
	/* lone surrogates and \u0000 become U+FFFD, never a NUL */
	v = parse(&a, "\"\\udc00x\\u0000\"", why);
	CHECK_STR(v->str, "\xef\xbf\xbdx\xef\xbf\xbd");
	arena_release(&a);
}

TEST(json_rejects_bad_syntax_with_a_column)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "\"abc", "01", "1.", "-", "tru",
		"[1 2]", "{\"a\":1,}", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "1 2", "nul",
		"{\"a\":1}}", "[\"\\ud800\\", "1e", "+1",
	};
	struct arena a = ARENA_INIT;
	char why[160];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (json_parse(&a, bad[i], strlen(bad[i]), why, sizeof(why)) != NULL)
			t_fail(__FILE__, __LINE__, "accepted bad JSON [%s]", bad[i]);
		else if (strncmp(why, "column ", 7) != 0)
			t_fail(__FILE__, __LINE__, "no column for [%s]: %s", bad[i], why);
	}
	arena_release(&a);
}

TEST(json_depth_and_size_limits)
{
	struct arena a = ARENA_INIT;
	struct buf b;
	char why[160];
	int i;
	buf_init(&b, 0);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	CHECK(json_parse(&a, b.data, b.len, why, sizeof(why)) == NULL);
	CHECK(strstr(why, "nested too deeply") != NULL);
	buf_reset(&b);
	for (i = 0; i < JSON_DEPTH_MAX - 1; i++)
		buf_addc(&b, '[');
	for (i = 0; i < JSON_DEPTH_MAX - 1; i++)
		buf_addc(&b, ']');
	CHECK(json_parse(&a, b.data, b.len, why, sizeof(why)) != NULL);
	/* a long array of members grows past its first block */
	buf_reset(&b);
	buf_addc(&b, '[');
	for (i = 0; i < 5000; i++)
		buf_addf(&b, "%s{\"k%d\":\"v\"}", i ? "," : "", i);
	buf_addc(&b, ']');
	{
		const struct json_val *v = json_parse(&a, b.data, b.len, why, sizeof(why));
		CHECK(v && v->n == 5000);
		CHECK(v && strcmp(v->items[4999].keys[0], "k4999") == 0);
	}
	/* an arena cap turns into a clean error */
	arena_release(&a);
	a.max = 1000;
	CHECK(json_parse(&a, b.data, b.len, why, sizeof(why)) == NULL);
	CHECK(strstr(why, "out of memory") != NULL);
	buf_release(&b);
	arena_release(&a);
}
