/* fuzz/lexseg.c - libFuzzer harness for the search index reader: a valid
 * index of 600 papers damaged by the input, its checksums made right
 * again so the damage reaches the structural checks, then opened and
 * searched; and the input itself as one block of postings. The input is
 * a list of damages, 5 bytes each: a 32-bit offset into the image (taken
 * modulo its size) and the byte to put there. */
#include "../src/core/arena.h"
#include "small_index.h"

#include <stdint.h>

static char *image;
static size_t image_len;

static void search(const struct lex_seg *s, const char *const *words, unsigned n, int phrase)
{
	struct lex_view v = {s, NULL};
	struct lex_query q;
	struct lex_request req;
	struct lex_result res;
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	unsigned k;
	memset(&q, 0, sizeof(q));
	q.day_from = INT32_MIN;
	q.day_to = INT32_MAX;
	if (phrase) {
		q.n_clauses = 1;
		q.clause[0].n_terms = n;
		for (k = 0; k < n; k++) {
			q.clause[0].terms[k] = words[k];
			q.clause[0].gaps[k] = (uint8_t)k;
		}
		q.clause[0].fields = LEX_FIELD_ALL;
		q.clause[0].occur = LEX_MUST;
		q.clause[0].boost = 1;
	} else {
		q.n_clauses = n;
		for (k = 0; k < n; k++) {
			q.clause[k].terms[0] = words[k];
			q.clause[k].n_terms = 1;
			q.clause[k].fields = LEX_FIELD_ALL;
			q.clause[k].occur = phrase < 0 ? LEX_SHOULD : LEX_MUST;
			q.clause[k].boost = 1;
		}
	}
	memset(&req, 0, sizeof(req));
	req.k = 10;
	lex_search(&v, 1, &q, &req, &a, &res, &err);
	req.count = 1;
	lex_search(&v, 1, &q, &req, &a, &res, &err);
	arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = {"neural", "network", "random", "matrix", "studi"};
	struct pb_err err = PB_ERR_INIT;
	struct lex_seg *s = NULL;
	struct lex_block blk;
	const uint8_t *p = data;
	uint8_t *img;
	size_t k;

	/* the input as one block */
	if (size)
		lex_block_decode(&p, data + size, 0, 1, data[0] % LEX_BLOCK + 1, &blk);

	if (!image)
		small_index_image(200, &image, &image_len);
	if (!image || !(img = malloc(image_len)))
		return 0;
	memcpy(img, image, image_len);
	for (k = 0; k + 5 <= size; k += 5) {
		uint32_t off;
		memcpy(&off, data + k, sizeof(off));
		img[off % image_len] = data[k + 4];
	}
	lex_image_seal(img, image_len);
	if (lex_seg_open_mem(img, image_len, &s, &err) == PB_OK) {
		search(s, words, 2, 0);
		search(s, words + 2, 2, 1);
		search(s, words, 5, -1);
		lex_seg_close(s);
	}
	return 0;
}
