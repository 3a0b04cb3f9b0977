/* test_web_html.c - HTML escaping, URL encoding and link checks. */
#include "t.h"

#include "../../src/core/err.h"
#include "../../src/web/html.h"

#include <stdlib.h>

TEST(web_html_text_escapes_markup)
{
	struct buf b;
	buf_init(&b, 0);
	html_text(&b, "<script>alert(\"x\") & 'y'</script>");
	CHECK_STR(b.data, "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
	buf_reset(&b);
	html_text(&b, NULL);
	CHECK_STR(b.data, "");
	html_text(&b, "$\\alpha < \\beta$ caf\xc3\xa9");
	CHECK_STR(b.data, "$\\alpha &lt; \\beta$ caf\xc3\xa9"); /* LaTeX and UTF-8 untouched */
	buf_release(&b);
}

TEST(web_html_drops_xml_invalid_controls)
{
	struct buf b;
	buf_init(&b, 0);
	html_text(&b, "a\x01\x02"
		      "b\tc\nd\x7f"
		      "e\x1b");
	CHECK_STR(b.data, "ab\tc\nde");
	buf_release(&b);
}

TEST(web_html_attr_quotes)
{
	struct buf b;
	buf_init(&b, 0);
	html_raw(&b, "<a title=\"");
	html_attr(&b, "\" onmouseover=\"alert(1)");
	html_raw(&b, "\">");
	CHECK_STR(b.data, "<a title=\"&quot; onmouseover=&quot;alert(1)\">");
	buf_release(&b);
}

TEST(web_html_url_arg_encodes)
{
	struct buf b;
	buf_init(&b, 0);
	html_url_arg(&b, "a b&c=d/\xc3\xa9\"<");
	CHECK_STR(b.data, "a%20b%26c%3Dd%2F%C3%A9%22%3C");
	buf_reset(&b);
	html_url_path(&b, "hep-th/9108002");
	CHECK_STR(b.data, "hep-th/9108002");
	buf_reset(&b);
	html_url_arg(&b, "cs.LG-x_y~z");
	CHECK_STR(b.data, "cs.LG-x_y~z");
	buf_release(&b);
}

TEST(web_html_only_web_links)
{
	CHECK(html_url_ok("https://github.com/a/b"));
	CHECK(html_url_ok("HTTP://example.org/x?y=1"));
	CHECK(!html_url_ok("javascript:alert(1)"));
	CHECK(!html_url_ok(" javascript:alert(1)"));
	CHECK(!html_url_ok("JaVaScRiPt:alert(1)"));
	CHECK(!html_url_ok("data:text/html,<script>"));
	CHECK(!html_url_ok("//evil.example/"));
	CHECK(!html_url_ok("https://"));
	CHECK(!html_url_ok("https:///path"));
	CHECK(!html_url_ok("https://a b"));
	CHECK(!html_url_ok("https://x\"onclick=\"y"));
	CHECK(!html_url_ok(NULL));
}

TEST(web_html_marks_terms)
{
	struct buf b;
	const char *terms[] = {"graph", "Neural", "graph neural"};
	buf_init(&b, 0);
	html_text_marked(&b, "Graph neural <nets> for graphs", terms, 3);
	CHECK_STR(b.data, "<mark>Graph neural</mark> &lt;nets&gt; for <mark>graph</mark>s");
	buf_reset(&b);
	{
		const char *evil[] = {"<b>"};
		html_text_marked(&b, "x<b>y", evil, 1);
		CHECK_STR(b.data, "x<mark>&lt;b&gt;</mark>y");
	}
	buf_reset(&b);
	html_text_marked(&b, "plain", NULL, 0);
	CHECK_STR(b.data, "plain");
	buf_release(&b);
}

TEST(web_html_errors_are_sticky)
{
	struct buf b;
	buf_init(&b, 8);
	CHECK_INT(html_raw(&b, "abc"), PB_OK);
	CHECK(!html_failed(&b));
	CHECK(html_text(&b, "<<<<") != PB_OK); /* grows past the cap */
	CHECK(html_failed(&b));
	CHECK(html_raw(&b, "x") != PB_OK); /* frozen: later small appends fail too */
	CHECK(html_failed(&b));
	buf_release(&b);
}
