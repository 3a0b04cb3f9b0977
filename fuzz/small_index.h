/* fuzz/small_index.h - a search index of three papers, in memory, for the
 * harnesses that evaluate queries or damage an index (included, not
 * built on its own). */
#ifndef PB_FUZZ_SMALL_INDEX_H
#define PB_FUZZ_SMALL_INDEX_H

#include "../src/search/lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The image of the index of the three papers, each copies times (so
 * with copies > 43 words have postings over more than one block),
 * malloc'd, in *img, *len; NULL when out of memory. */
static void small_index_image(size_t copies, char **img, size_t *len)
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
	size_t k;
	FILE *f;
	*img = NULL;
	*len = 0;
	for (k = 0; k < 3 * copies; k++) {
		struct paper p;
		char *cp[1];
		paper_init(&p);
		snprintf(p.arxiv_id, sizeof(p.arxiv_id), "%s", texts[k % 3][0]);
		p.title = (char *)texts[k % 3][1];
		p.abstract = (char *)texts[k % 3][2];
		p.authors = (char *)texts[k % 3][3];
		p.announced = (char *)"2024-05-01";
		cp[0] = (char *)cats[k % 2];
		p.categories = cp;
		p.n_categories = 1;
		lex_builder_add(b, (int64_t)k + 1, &p, &err);
	}
	f = open_memstream(img, len);
	if (f && lex_builder_write(b, f, (int64_t)(3 * copies), "2024-05-01T00:00:00Z", &err) ==
		     PB_OK) {
		fclose(f);
	} else if (f) {
		fclose(f);
		free(*img);
		*img = NULL;
	}
	lex_builder_free(b);
}

#endif

