/* snippet.h - highlighted passages of search results: which part of an
 * abstract to show, and which bytes of it matched the query. Only byte
 * ranges are returned: the caller escapes the text and marks the ranges
 * up (see web/html.h). Words match by their index term, so "networks" in
 * the text is marked for the query "network", "$\alpha$" for "α". */
#ifndef PB_SNIPPET_H
#define PB_SNIPPET_H

#include "../core/arena.h"

#include <stddef.h>

struct snippet_range {
	size_t start, len; /* bytes of the text */
};

struct snippet {
	size_t start, end;	  /* the passage: text[start..end), on word boundaries */
	int cut_start, cut_end;	  /* the text goes on before / after the passage */
	struct snippet_range *hl; /* matched words inside the passage, ascending */
	size_t n_hl;
};

/* Picks the passage of at most max_bytes of text holding the most
 * different query terms (then the most matches), widened around them to
 * max_bytes, and lists its matched words. terms are index terms (struct
 * query's words). With no match the passage is the text's beginning; with
 * max_bytes 0 it is the whole text. Ranges live in a. PB_OK or PB_ENOMEM. */
int snippet_make(const char *text, const char *const *terms, size_t n_terms, size_t max_bytes,
		 struct arena *a, struct snippet *out);

#endif
