/* query.h - the search query language.
 *
 *   words            every word must match (AND), in any field; common
 *                    words ("the", "of", "with"...) only rank, unless the
 *                    query has nothing else
 *   OR               (the word, in capitals, anywhere) any word may match,
 *                    more matches rank higher
 *   "a phrase"       the words in this order (after stemming); an
 *                    unclosed quote runs to the end
 *   -word -"phrase"  must not match
 *   ti: au: abs:     the next word or phrase in the title / authors /
 *                    abstract only (also title: author: abstract:)
 *   cat:cs.LG        papers in that category; cat:cs any cs.* category;
 *                    several cat: keep papers in any of them
 *   after:YYYY[-MM[-DD]] before:...  announced on or after / on or before
 *   2101.11408       a query that is an arXiv id finds that paper first
 *
 * A word that splits into several ("state-of-the-art", "W-gravity") is a
 * phrase. A long query without operators (a pasted abstract) becomes an
 * OR query over its most informative words (query_reduce). Any input is
 * accepted: what is not understood is searched as text or ignored.
 */
#ifndef PB_QUERY_H
#define PB_QUERY_H

#include "../core/arena.h"
#include "../core/arxiv.h"
#include "lex.h"

#include <stddef.h>

#define QUERY_TEXT_MAX 8192 /* longer queries are cut */
#define QUERY_CATS_MAX 16
#define QUERY_LONG_WORDS 12 /* more distinct words than this: a pasted text */
#define QUERY_LONG_KEEP 32  /* terms kept of a pasted text */

/* One word of the query's text, for highlighting and semantic search. */
struct query_word {
	const char *term; /* index term (stemmed) */
	unsigned count;	  /* occurrences in the query */
};

struct query {
	struct lex_query lex;	       /* clauses and filters, ready for lex_search */
	int or_mode;		       /* the query said OR, or it is a pasted text */
	int has_operators;	       /* quotes, -, fields or filters were used */
	char arxiv_id[ARXIV_ID_MAX];   /* the whole query is this id; "" otherwise */
	char day_from[11], day_to[11]; /* filters as days, "" when open */
	const char *cats[QUERY_CATS_MAX];
	unsigned n_cats;
	struct query_word *words; /* distinct positive terms, in query order */
	size_t n_words;
	char note[160]; /* what was ignored, for the user; "" if nothing */
};

/* Parses text (any bytes; NULL is empty) into q; strings live in a.
 * PB_OK, or PB_ENOMEM. */
int query_parse(const char *text, struct arena *a, struct query *q);

/* Turns every single-word AND clause into an OR clause. Cannot fail. */
void query_set_or(struct query *q);

/* For a long query without operators: keeps the QUERY_LONG_KEEP words of
 * highest weight (idf(ctx, term) times 1 + ln(count)) as OR clauses
 * boosted by 1 + ln(count). Does nothing to other queries. Cannot fail. */
void query_reduce(struct query *q, float (*idf)(void *ctx, const char *term), void *ctx);

/* 1 when the query has something to match words against. */
int query_has_text(const struct query *q);

#endif
