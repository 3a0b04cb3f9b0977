/* fuzz/query.c - libFuzzer harness for the search query parser, and for
 * evaluating whatever it parses against a small in-memory index. */
#include "../src/search/lex.h"
#include "../src/search/query.h"
#include "small_index.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct lex_seg *seg;

static void build_index(void)
{
	struct pb_err err = PB_ERR_INIT;
	char *img;
	size_t len;
	small_index_image(1, &img, &len);
	if (img)
		lex_seg_open_mem(img, len, &seg, &err);
}

static float idf_of(void *ctx, const char *term)
{
	(void)ctx;
	return (float)(strlen(term) % 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct query q;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!seg)
		build_index();
	if (query_parse(text, &a, &q) == PB_OK) {
		struct lex_view v = {seg, NULL};
		struct lex_request req;
		struct lex_result res;
		struct pb_err err = PB_ERR_INIT;
		query_reduce(&q, idf_of, NULL);
		memset(&req, 0, sizeof(req));
		req.k = 10;
		req.count = size % 2;
		req.order = (enum lex_order)(size % 4);
		if (seg && query_has_text(&q))
			lex_search(&v, 1, &q.lex, &req, &a, &res, &err);
	}
	arena_release(&a);
	free(text);
	return 0;
}
