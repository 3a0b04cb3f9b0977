/* snippet.c - picks the passage of a text that best shows a query's words
 * and finds the byte ranges of the matches. */
#include "snippet.h"

#include "lex.h"

#include <stdlib.h>
#include <string.h>

struct sword {
	size_t start, end;
	int term; /* index into terms, or -1 */
};

#define SNIPPET_TERMS_MAX 64

int snippet_make(const char *text, const char *const *terms, size_t n_terms, size_t max_bytes,
		 struct arena *a, struct snippet *out)
{
	struct lex_stemmer *st = NULL;
	struct sword *w = NULL;
	size_t n = 0, cap = 0, len = text ? strlen(text) : 0, i, j, k;
	unsigned counts[SNIPPET_TERMS_MAX];
	size_t best_i = 0, best_j = 0, distinct = 0, matches = 0;
	long best = -1;
	int rc = PB_OK;
	struct lex_scan sc;
	struct lex_word lw;

	memset(out, 0, sizeof(*out));
	if (!text)
		return PB_OK;
	if (n_terms > SNIPPET_TERMS_MAX)
		n_terms = SNIPPET_TERMS_MAX;
	if (max_bytes == 0 || max_bytes > len)
		max_bytes = len;
	st = lex_stemmer_new();
	if (!st)
		return PB_ENOMEM;

	/* the words and their terms */
	lex_scan_init(&sc, text, len);
	while (lex_scan_next(&sc, &lw)) {
		char term[LEX_TERM_MAX + 1];
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct sword *nw = realloc(w, ncap * sizeof(*nw));
			if (!nw) {
				rc = PB_ENOMEM;
				goto out;
			}
			w = nw;
			cap = ncap;
		}
		lex_term_of(st, &lw, term);
		w[n].start = lw.start;
		w[n].end = lw.end;
		w[n].term = -1;
		for (k = 0; k < n_terms; k++)
			if (terms[k] && strcmp(terms[k], term) == 0) {
				w[n].term = (int)k;
				break;
			}
		n++;
	}

	/* the window of words [i, j) within max_bytes with the best score */
	memset(counts, 0, sizeof(counts));
	for (i = 0, j = 0; i < n; i++) {
		long score;
		if (j < i)
			j = i;
		while (j < n && w[j].end - w[i].start <= max_bytes) {
			if (w[j].term >= 0) {
				if (!counts[w[j].term]++)
					distinct++;
				matches++;
			}
			j++;
		}
		if (j == i)
			continue; /* word i alone is longer than the passage */
		score = (long)(distinct * 1000 + matches);
		if (score > best && matches) {
			best = score;
			best_i = i;
			best_j = j;
		}
		if (w[i].term >= 0) {
			if (!--counts[w[i].term])
				distinct--;
			matches--;
		}
	}
	if (best < 0) {
		out->start = 0;
		out->end = max_bytes;
	} else {
		/* widen around the matches: a third of the room before, the rest after */
		size_t s = w[best_i].start, e = best_j ? w[best_j - 1].end : s;
		size_t room = max_bytes > e - s ? max_bytes - (e - s) : 0;
		size_t before = room / 3 < s ? room / 3 : s;
		s -= before;
		e = s + max_bytes < len ? s + max_bytes : len;
		if (e - s < max_bytes && s > 0)
			s = e > max_bytes ? e - max_bytes : 0;
		out->start = s;
		out->end = e;
	}
	/* snap to word boundaries: never cut a word (or a UTF-8 sequence) */
	for (k = 0; k < n; k++) {
		if (w[k].start < out->start && w[k].end > out->start)
			out->start = w[k].end;
		if (w[k].start < out->end && w[k].end > out->end)
			out->end = w[k].start;
	}
	while (out->start < out->end && ((unsigned char)text[out->start] & 0xC0) == 0x80)
		out->start++;
	while (out->end < len && out->end > out->start &&
	       ((unsigned char)text[out->end] & 0xC0) == 0x80)
		out->end--;
	if (out->end < out->start)
		out->end = out->start;
	out->cut_start = out->start > 0;
	out->cut_end = out->end < len;

	for (k = 0; k < n; k++)
		if (w[k].term >= 0 && w[k].start >= out->start && w[k].end <= out->end)
			out->n_hl++;
	if (out->n_hl) {
		out->hl = arena_alloc(a, out->n_hl * sizeof(*out->hl));
		if (!out->hl) {
			rc = PB_ENOMEM;
			goto out;
		}
		for (k = 0, i = 0; k < n; k++)
			if (w[k].term >= 0 && w[k].start >= out->start && w[k].end <= out->end) {
				out->hl[i].start = w[k].start;
				out->hl[i].len = w[k].end - w[k].start;
				i++;
			}
	}
out:
	free(w);
	lex_stemmer_free(st);
	return rc;
}
