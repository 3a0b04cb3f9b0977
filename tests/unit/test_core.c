/* test_core.c - buffers, arenas, text, ids, dates and streams. */
#include "t.h"

#include "../../src/core/arena.h"
#include "../../src/core/arxiv.h"
#include "../../src/core/buf.h"
#include "../../src/core/stream.h"
#include "../../src/core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

TEST(core_buf_grows_and_caps)
{
	struct buf b;
	int i;
	buf_init(&b, 10);
	CHECK_STR(b.data, "");
	CHECK_INT(buf_adds(&b, "hello"), 0);
	CHECK_INT(buf_addf(&b, "%d", 1234), 0);
	CHECK_STR(b.data, "hello1234");
	CHECK_INT(buf_adds(&b, "xy"), PB_ETOOBIG);
	CHECK_STR(b.data, "hello1234"); /* unchanged on failure */
	buf_truncate(&b, 2);
	CHECK_STR(b.data, "he");
	buf_release(&b);
	CHECK_STR(b.data, "");
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++)
		buf_addc(&b, 'a');
	CHECK_INT(b.len, 10000);
	{
		size_t n;
		char *s = buf_detach(&b, &n);
		CHECK_INT(n, 10000);
		CHECK_INT(s[9999], 'a');
		CHECK_INT(s[10000], 0);
		free(s);
	}
	CHECK_INT(b.len, 0);
}

TEST(core_arena_allocates_and_resets)
{
	struct arena a = ARENA_INIT;
	char *s = arena_strdup(&a, "abc");
	void *big;
	CHECK_STR(s, "abc");
	big = arena_alloc(&a, 100000);
	CHECK(big != NULL);
	CHECK_INT(((unsigned char *)big)[99999], 0);
	arena_reset(&a);
	s = arena_strndup(&a, "hello world", 5);
	CHECK_STR(s, "hello");
	a.max = 1000;
	arena_reset(&a);
	CHECK(arena_alloc(&a, 2000) == NULL);
	arena_release(&a);
}

TEST(core_text_clean_repairs_and_collapses)
{
	struct arena a = ARENA_INIT;
	const char bad[] = "  caf\xc3\xa9 \xff\xfe bad\n\n  next\x01 ";
	CHECK_STR(text_clean(&a, bad, sizeof(bad) - 1), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd bad next");
	CHECK_STR(text_clean_para(&a, "  One line\nwraps here.\n  New para.", 34),
		  "One line wraps here.\nNew para.");
	CHECK_INT(text_utf8_invalid_at("ok\xed\xa0\x80", 5), 2); /* surrogate */
	CHECK_INT(text_utf8_invalid_at("\xc0\xaf", 2), 0);        /* overlong */
	CHECK_INT(text_utf8_invalid_at("\xf0\x9f\x98\x80", 4), 4);
	arena_release(&a);
}

TEST(core_text_parse_long_rejects_junk)
{
	long v;
	CHECK_INT(text_parse_long("123", 3, 0, 1000, &v), 0);
	CHECK_INT(v, 123);
	CHECK_INT(text_parse_long("-5", 2, -10, 10, &v), 0);
	CHECK_INT(v, -5);
	CHECK(text_parse_long("12a", 3, 0, 1000, &v) != 0);
	CHECK(text_parse_long("", 0, 0, 1000, &v) != 0);
	CHECK(text_parse_long("1001", 4, 0, 1000, &v) != 0);
	CHECK(text_parse_long("99999999999999999999999", 23, 0, 1000, &v) != 0);
}

static void check_id(const char *in, const char *want, int want_v)
{
	char out[ARXIV_ID_MAX];
	int v = -1;
	int rc = arxiv_id_parse(in, strlen(in), out, &v);
	if (!want) {
		if (rc == 0)
			t_fail(__FILE__, __LINE__, "\"%s\" accepted as %s", in, out);
		return;
	}
	if (rc != 0 || strcmp(out, want) != 0 || v != want_v)
		t_fail(__FILE__, __LINE__, "\"%s\" -> rc %d \"%s\" v%d, expected \"%s\" v%d", in, rc,
		       rc ? "" : out, v, want, want_v);
}

TEST(core_arxiv_ids_normalise)
{
	check_id("2101.11408", "2101.11408", 0);
	check_id("2101.11408v3", "2101.11408", 3);
	check_id("arXiv:2101.11408v12", "2101.11408", 12);
	check_id("oai:arXiv.org:2508.13167", "2508.13167", 0);
	check_id("http://arxiv.org/abs/2104.12255v1", "2104.12255", 1);
	check_id("https://arxiv.org/pdf/0704.0001v2.pdf", "0704.0001", 2);
	check_id("hep-th/9108002", "hep-th/9108002", 0);
	check_id("hep-th/9108002v1", "hep-th/9108002", 1);
	check_id("math.GT/0309136", "math/0309136", 0);
	check_id("  astro-ph/0601001 ", "astro-ph/0601001", 0);
	check_id("", NULL, 0);
	check_id("abc", NULL, 0);
	check_id("2113.00001", NULL, 0); /* month 13 */
	check_id("2101.123", NULL, 0);
	check_id("2101.11408vx", NULL, 0);
	check_id("hep-th/91080", NULL, 0);
	check_id("../../etc/passwd", NULL, 0);
	check_id("0000.0000", NULL, 0);
}

TEST(core_categories_recognised)
{
	CHECK(arxiv_is_category("cs.LG", 5));
	CHECK(arxiv_is_category("hep-th", 6));
	CHECK(arxiv_is_category("cond-mat.stat-mech", 18));
	CHECK(!arxiv_is_category("68T45", 5));
	CHECK(!arxiv_is_category("I.2.10", 6));
	CHECK(!arxiv_is_category("cs.", 3));
	CHECK(!arxiv_is_category("<script>", 8));
}

TEST(core_dates_parse_and_check)
{
	char m[21];
	int y, mo, d;
	CHECK_INT(date_parse_day("2024-02-29", 10, &y, &mo, &d), 0);
	CHECK(date_parse_day("2025-02-29", 10, &y, &mo, &d) != 0);
	CHECK(date_parse_day("2025-02-30", 10, &y, &mo, &d) != 0);
	CHECK(date_parse_day("2025-13-01", 10, &y, &mo, &d) != 0);
	CHECK(date_parse_day("2025-1-01", 9, &y, &mo, &d) != 0);
	CHECK_INT(date_parse_any("Mon, 2 Apr 2007 19:18:42 GMT", 28, m), 0);
	CHECK_STR(m, "2007-04-02T19:18:42Z");
	CHECK_INT(date_parse_any("Thu, 15 Aug 1991 16:35:28 GMT   (10kb)", 38, m), 0);
	CHECK_STR(m, "1991-08-15T16:35:28Z");
	CHECK_INT(date_parse_any("2021-04-20T16:07:14Z", 20, m), 0);
	CHECK_STR(m, "2021-04-20T16:07:14Z");
	CHECK_INT(date_parse_any("2025-08-20T00:00:00-04:00", 25, m), 0);
	CHECK_STR(m, "2025-08-20T04:00:00Z");
	CHECK_INT(date_parse_any("2025-08-20T04:00:19.910019+00:00", 32, m), 0);
	CHECK_STR(m, "2025-08-20T04:00:19Z");
	CHECK_INT(date_parse_any("2019-12-31", 10, m), 0);
	CHECK_STR(m, "2019-12-31T00:00:00Z");
	CHECK(date_parse_any("yesterday", 9, m) != 0);
	CHECK(date_parse_any("31 Feb 2020", 11, m) != 0);
	CHECK_INT(date_to_days(1970, 1, 1), 0);
	date_from_days(date_to_days(2024, 2, 29) + 1, &y, &mo, &d);
	CHECK_INT(y * 10000 + mo * 100 + d, 20240301);
}

static char *read_all(struct stream *s, size_t *n, struct pb_err *err)
{
	struct buf b;
	char tmp[1000];
	long k;
	buf_init(&b, 0);
	while ((k = stream_read(s, tmp, sizeof(tmp), err)) > 0)
		buf_add(&b, tmp, (size_t)k);
	if (k < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, n);
}

TEST(core_stream_reads_gzip_zstd_plain)
{
	static char text[300000];
	unsigned char *gz, *zs;
	size_t i, gzn, zsn, n;
	uLongf gzcap;
	struct pb_err err = PB_ERR_INIT;
	struct stream *s;
	char *back;
	z_stream z;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + (i * 7 + i / 13) % 26);
	/* gzip */
	gzcap = compressBound(sizeof(text)) + 64;
	gz = malloc(gzcap);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)text;
	z.avail_in = sizeof(text);
	z.next_out = gz;
	z.avail_out = (uInt)gzcap;
	deflate(&z, Z_FINISH);
	gzn = z.total_out;
	deflateEnd(&z);
	s = stream_open_mem(gz, gzn, &err);
	CHECK(s && stream_codec(s) == STREAM_GZIP);
	back = read_all(s, &n, &err);
	CHECK(back && n == sizeof(text) && memcmp(back, text, n) == 0);
	free(back);
	stream_close(s);
	/* truncated gzip is an error, not silent success */
	s = stream_open_mem(gz, gzn / 2, &err);
	back = read_all(s, &n, &err);
	CHECK(back == NULL);
	CHECK_INT(err.rc, PB_EFORMAT);
	free(back);
	stream_close(s);
	free(gz);

	/* zstd */
	zs = malloc(ZSTD_compressBound(sizeof(text)));
	zsn = ZSTD_compress(zs, ZSTD_compressBound(sizeof(text)), text, sizeof(text), 3);
	s = stream_open_mem(zs, zsn, &err);
	CHECK(s && stream_codec(s) == STREAM_ZSTD);
	back = read_all(s, &n, &err);
	CHECK(back && n == sizeof(text) && memcmp(back, text, n) == 0);
	free(back);
	stream_close(s);
	err.rc = 0;
	s = stream_open_mem(zs, zsn - 5, &err);
	back = read_all(s, &n, &err);
	CHECK(back == NULL);
	CHECK_INT(err.rc, PB_EFORMAT);
	CHECK(strstr(err.msg, "zstd") != NULL);
	free(back);
	stream_close(s);
	/* garbage after the zstd magic */
	memset(zs + 4, 0xAB, 32);
	err.rc = 0;
	s = stream_open_mem(zs, 36, &err);
	back = read_all(s, &n, &err);
	CHECK(back == NULL);
	free(back);
	stream_close(s);
	free(zs);
}

TEST(core_stream_getline_handles_crlf_and_long_lines)
{
	const char data[] = "one\r\ntwo\n\nthree-is-too-long-for-the-cap\nfour";
	struct pb_err err = PB_ERR_INIT;
	struct stream *s = stream_open_mem(data, sizeof(data) - 1, &err);
	struct buf line;
	buf_init(&line, 10);
	CHECK_INT(stream_getline(s, &line, &err), 1);
	CHECK_STR(line.data, "one");
	CHECK_INT(stream_getline(s, &line, &err), 1);
	CHECK_STR(line.data, "two");
	CHECK_INT(stream_getline(s, &line, &err), 1);
	CHECK_STR(line.data, "");
	CHECK_INT(stream_getline(s, &line, &err), -1);
	CHECK_INT(err.rc, PB_ETOOBIG);
	CHECK_INT(stream_getline(s, &line, &err), 1);
	CHECK_STR(line.data, "four");
	CHECK_INT(stream_getline(s, &line, &err), 0);
	buf_release(&line);
	stream_close(s);
}

TEST(core_stream_file_errors_are_clear)
{
	struct pb_err err = PB_ERR_INIT;
	CHECK(stream_open_file("/nonexistent/file.jsonl", &err) == NULL);
	CHECK(strstr(err.msg, "/nonexistent/file.jsonl") != NULL);
	CHECK(strstr(err.msg, "No such file") != NULL);
	CHECK(stream_open_file("/tmp", &err) == NULL);
	CHECK(strstr(err.msg, "directory") != NULL);
}
