/* fuzz/query.c - libFuzzer harness for the search query parser, and for
 * evaluating whatever it parses against a small in-memory index. */
#include "../src/search/lex.h"
#include "../src/search/query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct lex_seg *seg;

static void build_index(void)
{
	static const char *const texts[][4] = {
	    {"2101.11408", "Neural networks for $\\alpha$-decay",
	     "We study deep neural networks "
	     "and the state-of-the-art in nuclear physics.",
	     "A. Author, B. Wang"},
	    {"hep-th/9108002", "Hamiltonian construction of W-gravity actions",
	     "We show that all W-gravity actions can be constructed.", "A. Mikovic"},
	    {"2606.00001", "Random matrix theory",
	     "Spectral statistics of random matrices and "
	     "the eigenvalue spacing; see 2101.11408.",
	     "C. Balázs, D. Gr\\\"onbech"},
	};
	static const char *cats[] = {"cs.LG", "hep-th"};
	struct lex_builder *b = lex_builder_new(NULL);
	struct pb_err err = PB_ERR_INIT;
	char *buf = NULL;
	size_t len = 0, k;
	FILE *f;
	for (k = 0; k < 3; k++) {
		struct paper p;
		char *cp[1];
		paper_init(&p);
		snprintf(p.arxiv_id, sizeof(p.arxiv_id), "%s", texts[k][0]);
		p.title = (char *)texts[k][1];
		p.abstract = (char *)texts[k][2];
		p.authors = (char *)texts[k][3];
		p.announced = (char *)"2024-05-01";
		cp[0] = (char *)cats[k % 2];
		p.categories = cp;
		p.n_categories = 1;
		lex_builder_add(b, (int64_t)k + 1, &p, &err);
	}
	f = open_memstream(&buf, &len);
	if (f && lex_builder_write(b, f, 3, "2024-05-01T00:00:00Z", &err) == PB_OK) {
		fclose(f);
		lex_seg_open_mem(buf, len, &seg, &err);
	} else if (f) {
		fclose(f);
		free(buf);
	}
	lex_builder_free(b);
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
