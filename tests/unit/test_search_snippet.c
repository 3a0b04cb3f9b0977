/* test_search_snippet.c - highlighted passages. */
#include "t.h"

#include "../../src/core/err.h"
#include "../../src/search/snippet.h"

#include <stdio.h>

/* The passage with matches in [brackets]. */
static const char *render(const char *text, const struct snippet *s)
{
	static char out[4096];
	size_t len = 0, p = s->start, k;
	if (s->cut_start)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "...");
	for (k = 0; k < s->n_hl; k++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%.*s[%.*s]",
					(int)(s->hl[k].start - p), text + p, (int)s->hl[k].len,
					text + s->hl[k].start);
		p = s->hl[k].start + s->hl[k].len;
	}
	len += (size_t)snprintf(out + len, sizeof(out) - len, "%.*s%s", (int)(s->end - p), text + p,
				s->cut_end ? "..." : "");
	return out;
}

TEST(search_snippet_highlights)
{
	struct arena a = ARENA_INIT;
	struct snippet s;
	const char *terms[] = {"network", "alpha"};
	const char *t1 = "Deep neural networks compute $\\alpha$ and the network is big.";
	CHECK_INT(snippet_make(t1, terms, 2, 0, &a, &s), PB_OK);
	CHECK_STR(render(t1, &s),
		  "Deep neural [networks] compute $[\\alpha]$ and the [network] is big.");
	/* a passage around the matches, cut on word boundaries */
	{
		const char *t2 = "One two three four five six seven eight nine ten eleven twelve "
				 "thirteen fourteen networks fifteen sixteen seventeen eighteen "
				 "nineteen twenty twenty-one twenty-two.";
		CHECK_INT(snippet_make(t2, terms, 2, 40, &a, &s), PB_OK);
		CHECK(s.end - s.start <= 40);
		CHECK(s.cut_start);
		CHECK(s.cut_end);
		CHECK_INT(s.n_hl, 1);
		CHECK(strstr(render(t2, &s), "[networks]") != NULL);
		CHECK(t2[s.start] != ' ' && t2[s.start - 1] == ' ');
	}
	/* no match: the beginning */
	{
		const char *t3 = "Nothing here matches at all in this sentence.";
		CHECK_INT(snippet_make(t3, terms, 2, 20, &a, &s), PB_OK);
		CHECK_INT(s.start, 0);
		CHECK(s.end <= 20);
		CHECK_INT(s.n_hl, 0);
		CHECK(s.cut_end);
	}
	/* UTF-8 is never cut; NULL and empty texts */
	{
		const char *t4 = "ééééééééééééééééééééééééééé network ééééééééééé";
		size_t k;
		for (k = 1; k < 60; k++) {
			CHECK_INT(snippet_make(t4, terms, 2, k, &a, &s), PB_OK);
			CHECK(s.start <= s.end);
			CHECK(((unsigned char)t4[s.start] & 0xC0) != 0x80);
			CHECK(((unsigned char)t4[s.end] & 0xC0) != 0x80);
		}
		CHECK_INT(snippet_make(NULL, terms, 2, 10, &a, &s), PB_OK);
		CHECK_INT(snippet_make("", terms, 2, 10, &a, &s), PB_OK);
		CHECK_INT(s.end, 0);
		CHECK_INT(snippet_make("x", NULL, 0, 10, &a, &s), PB_OK);
	}
	arena_release(&a);
}
