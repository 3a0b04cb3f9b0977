/* query.c - parses search queries (the language is described in query.h)
 * into lexical clauses and filters. Every input is accepted: the parser
 * only moves forward, bounds every list, and copies what it keeps into the
 * caller's arena. */
#include "query.h"

#include "../core/arxiv.h"
#include "../core/text.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

enum field { F_NONE, F_TITLE, F_AUTHORS, F_ABSTRACT, F_CAT, F_AFTER, F_BEFORE };

static const struct {
	const char *name;
	enum field f;
} fields[] = {
    {"ti", F_TITLE},	    {"title", F_TITLE},	 {"au", F_AUTHORS},	   {"author", F_AUTHORS},
    {"authors", F_AUTHORS}, {"abs", F_ABSTRACT}, {"abstract", F_ABSTRACT}, {"cat", F_CAT},
    {"category", F_CAT},    {"after", F_AFTER},	 {"since", F_AFTER},	   {"before", F_BEFORE},
    {"until", F_BEFORE},
};

/* A field prefix "name:" at s[i]: the field and the length with the colon. */
static enum field field_at(const char *s, size_t n, size_t i, size_t *len)
{
	size_t j = i, k;
	while (j < n && j - i < 12 &&
	       ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
		j++;
	if (j == i || j >= n || s[j] != ':')
		return F_NONE;
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (strlen(fields[k].name) == j - i &&
		    strncasecmp(fields[k].name, s + i, j - i) == 0) {
			*len = j - i + 1;
			return fields[k].f;
		}
	return F_NONE;
}

static void note(struct query *q, const char *what)
{
	size_t l = strlen(q->note);
	if (strstr(q->note, what))
		return;
	snprintf(q->note + l, sizeof(q->note) - l, "%s%s", l ? "; " : "", what);
}

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" as the first (or, when last, the last)
 * day it covers. */
static int parse_day(const char *s, size_t n, int last, int *y, int *m, int *d)
{
	long v;
	if (n != 4 && n != 7 && n != 10)
		return PB_EINVAL;
	if (text_parse_long(s, 4, 1000, 9999, &v))
		return PB_EINVAL;
	*y = (int)v;
	*m = last ? 12 : 1;
	*d = last ? 31 : 1;
	if (n >= 7) {
		if (s[4] != '-' || text_parse_long(s + 5, 2, 1, 12, &v))
			return PB_EINVAL;
		*m = (int)v;
		if (last)
			while (*d > 28 && !date_valid(*y, *m, *d))
				(*d)--;
	}
	if (n == 10) {
		if (s[7] != '-' || text_parse_long(s + 8, 2, 1, 31, &v))
			return PB_EINVAL;
		*d = (int)v;
	}
	return date_valid(*y, *m, *d) ? PB_OK : PB_EINVAL;
}

static int add_word(struct query *q, struct arena *a, const char *term, size_t *cap)
{
	size_t k;
	for (k = 0; k < q->n_words; k++)
		if (strcmp(q->words[k].term, term) == 0) {
			q->words[k].count++;
			return PB_OK;
		}
	if (q->n_words == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct query_word *nw = arena_alloc(a, ncap * sizeof(*nw));
		if (!nw)
			return PB_ENOMEM;
		if (q->n_words)
			memcpy(nw, q->words, q->n_words * sizeof(*nw));
		q->words = nw;
		*cap = ncap;
	}
	q->words[q->n_words].term = term;
	q->words[q->n_words].count = 1;
	q->n_words++;
	return PB_OK;
}

/* Adds the words of s[0..n) as one clause (a phrase when several). */
static int add_text(struct query *q, struct arena *a, struct lex_stemmer *st, const char *s,
		    size_t n, unsigned mask, int negated, size_t *words_cap)
{
	struct lex_clause spare, *cl = &spare;
	struct lex_scan sc;
	struct lex_word w;
	unsigned first = 0;
	int rc, full = q->lex.n_clauses >= LEX_QTERMS_MAX;

	/* past the last clause the words still count for query_reduce */
	if (full)
		note(q, "only the first 64 words were used");
	else
		cl = &q->lex.clause[q->lex.n_clauses];
	memset(cl, 0, sizeof(*cl));
	lex_scan_init(&sc, s, n);
	while (lex_scan_next(&sc, &w)) {
		char term[LEX_TERM_MAX + 1];
		char *t;
		size_t tn;
		if (cl->n_terms == LEX_PHRASE_MAX) {
			note(q, "long phrases were cut to 16 words");
			break;
		}
		tn = lex_term_of(st, &w, term);
		t = arena_strndup(a, term, tn);
		if (!t)
			return PB_ENOMEM;
		if (!cl->n_terms)
			first = w.pos;
		if (w.pos - first > 255)
			break;
		cl->terms[cl->n_terms] = t;
		cl->gaps[cl->n_terms] = (uint8_t)(w.pos - first);
		cl->n_terms++;
		if (!negated && (rc = add_word(q, a, t, words_cap)))
			return rc;
	}
	if (!cl->n_terms || full)
		return PB_OK;
	cl->fields = mask;
	cl->occur = negated ? LEX_NOT : LEX_MUST;
	cl->boost = 1.0f;
	q->lex.n_clauses++;
	return PB_OK;
}

static int add_cat(struct query *q, struct arena *a, const char *s, size_t n)
{
	char *c;
	while (n && (s[n - 1] == '"' || s[n - 1] == ','))
		n--;
	if (!n || n > 40)
		return PB_OK;
	if (q->n_cats == QUERY_CATS_MAX) {
		note(q, "too many categories");
		return PB_OK;
	}
	c = arena_strndup(a, s, n);
	if (!c)
		return PB_ENOMEM;
	q->cats[q->n_cats++] = c;
	q->lex.cats = q->cats;
	q->lex.n_cats = q->n_cats;
	return PB_OK;
}

static void add_day(struct query *q, enum field f, const char *s, size_t n)
{
	int y, m, d;
	if (parse_day(s, n, f == F_BEFORE, &y, &m, &d)) {
		note(q, f == F_AFTER ? "after: wants a date like 2024-01-31"
				     : "before: wants a date like 2024-01-31");
		return;
	}
	if (f == F_AFTER) {
		int32_t v = (int32_t)date_to_days(y, m, d);
		if (v > q->lex.day_from) {
			q->lex.day_from = v;
			date_format_day(y, m, d, q->day_from);
		}
	} else {
		int32_t v = (int32_t)date_to_days(y, m, d);
		if (v < q->lex.day_to) {
			q->lex.day_to = v;
			date_format_day(y, m, d, q->day_to);
		}
	}
}

/* Words too common to require: in an AND query they only rank. */
static const char *const stopwords[] = {
    "a",    "an",    "and",  "are",   "as",   "at",    "be",  "by",  "for",  "from", "has",
    "have", "in",    "into", "is",    "it",   "its",   "of",  "on",  "or",   "our",  "that",
    "the",  "their", "them", "these", "this", "those", "to",  "was", "we",   "were", "which",
    "with", "can",   "how",  "what",  "when", "where", "why", "do",  "does", "not",  "than",
    "then", "there", "they", "us",    "via",  "but",   NULL};

static int is_stopword(struct lex_stemmer *st, const char *term)
{
	size_t k;
	for (k = 0; stopwords[k]; k++) {
		struct lex_word w;
		char stem[LEX_TERM_MAX + 1];
		memset(&w, 0, sizeof(w));
		w.len = strlen(stopwords[k]);
		memcpy(w.text, stopwords[k], w.len + 1);
		w.kind = LEX_WORD_TEXT;
		lex_term_of(st, &w, stem);
		if (strcmp(stem, term) == 0)
			return 1;
	}
	return 0;
}

/* In an AND query, single stop words in any field rank but need not
 * match, as long as some other word is required. */
static void relax_stopwords(struct query *q, struct lex_stemmer *st)
{
	unsigned k, required = 0;
	unsigned char stop[LEX_QTERMS_MAX];
	for (k = 0; k < q->lex.n_clauses; k++) {
		const struct lex_clause *c = &q->lex.clause[k];
		stop[k] = c->occur == LEX_MUST && c->n_terms == 1 && c->fields == LEX_FIELD_ALL &&
			  is_stopword(st, c->terms[0]);
		if (c->occur == LEX_MUST && !stop[k])
			required++;
	}
	if (!required)
		return;
	for (k = 0; k < q->lex.n_clauses; k++)
		if (stop[k])
			q->lex.clause[k].occur = LEX_SHOULD;
}

int query_parse(const char *text, struct arena *a, struct query *q)
{
	struct lex_stemmer *st;
	const char *s = text ? text : "";
	size_t n = strlen(s), i = 0, words_cap = 0;
	int rc = PB_OK;

	memset(q, 0, sizeof(*q));
	q->lex.day_from = INT32_MIN;
	q->lex.day_to = INT32_MAX;
	if (n > QUERY_TEXT_MAX) {
		n = QUERY_TEXT_MAX;
		note(q, "the query was cut to 8192 bytes");
	}
	/* the whole query an arXiv id? */
	{
		size_t b = 0, e = n;
		int version;
		while (b < e && is_space((unsigned char)s[b]))
			b++;
		while (e > b && is_space((unsigned char)s[e - 1]))
			e--;
		if (e > b && e - b < 200 && !memchr(s + b, ' ', e - b) &&
		    arxiv_id_parse(s + b, e - b, q->arxiv_id, &version) != PB_OK)
			q->arxiv_id[0] = '\0';
	}
	st = lex_stemmer_new();
	if (!st)
		return PB_ENOMEM;
	while (i < n && !rc) {
		size_t j, flen = 0;
		int negated = 0, quoted = 0;
		enum field f;
		const char *v;
		size_t vn;
		unsigned mask = LEX_FIELD_ALL;

		while (i < n && is_space((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		if ((s[i] == '-' || s[i] == '+') && i + 1 < n &&
		    !is_space((unsigned char)s[i + 1])) {
			negated = s[i] == '-';
			i++;
		}
		f = field_at(s, n, i, &flen);
		if (f != F_NONE) {
			if (i + flen >= n || is_space((unsigned char)s[i + flen])) {
				i += flen; /* an empty field: ignored */
				continue;
			}
			i += flen;
		}
		if (s[i] == '"') {
			quoted = 1;
			j = i + 1;
			while (j < n && s[j] != '"')
				j++;
			v = s + i + 1;
			vn = j - i - 1;
			i = j < n ? j + 1 : n;
		} else {
			j = i;
			while (j < n && !is_space((unsigned char)s[j]))
				j++;
			v = s + i;
			vn = j - i;
			i = j;
		}
		switch (f) {
		case F_CAT:
			q->has_operators = 1;
			if (negated)
				note(q, "-cat: is not supported");
			else
				rc = add_cat(q, a, v, vn);
			continue;
		case F_AFTER:
		case F_BEFORE:
			q->has_operators = 1;
			add_day(q, f, v, vn);
			continue;
		case F_TITLE:
			mask = 1u << LEX_TITLE;
			break;
		case F_AUTHORS:
			mask = 1u << LEX_AUTHORS;
			break;
		case F_ABSTRACT:
			mask = 1u << LEX_ABSTRACT;
			break;
		case F_NONE:
			break;
		}
		if (!quoted && !negated && f == F_NONE && vn == 2 && memcmp(v, "OR", 2) == 0) {
			q->or_mode = 1;
			q->has_operators = 1;
			continue;
		}
		if (!quoted && !negated && f == F_NONE && vn == 3 && memcmp(v, "AND", 3) == 0)
			continue;
		if (negated || quoted || f != F_NONE)
			q->has_operators = 1;
		rc = add_text(q, a, st, v, vn, mask, negated, &words_cap);
	}
	if (!rc && !q->or_mode)
		relax_stopwords(q, st);
	lex_stemmer_free(st);
	if (!rc && q->or_mode)
		query_set_or(q);
	return rc;
}

void query_set_or(struct query *q)
{
	unsigned k;
	q->or_mode = 1;
	for (k = 0; k < q->lex.n_clauses; k++)
		if (q->lex.clause[k].n_terms == 1 && q->lex.clause[k].occur == LEX_MUST)
			q->lex.clause[k].occur = LEX_SHOULD;
}

void query_reduce(struct query *q, float (*idf)(void *ctx, const char *term), void *ctx)
{
	float weight[LEX_QTERMS_MAX];
	size_t pick[LEX_QTERMS_MAX], n_pick = 0, k, j;
	if (q->has_operators || q->n_words <= QUERY_LONG_WORDS)
		return;
	for (k = 0; k < q->n_words; k++) {
		float w = idf(ctx, q->words[k].term) * (1.0f + logf((float)q->words[k].count));
		if (n_pick < QUERY_LONG_KEEP) {
			j = n_pick++;
		} else if (w > weight[n_pick - 1]) {
			j = n_pick - 1;
		} else {
			continue;
		}
		while (j > 0 && weight[j - 1] < w) {
			weight[j] = weight[j - 1];
			pick[j] = pick[j - 1];
			j--;
		}
		weight[j] = w;
		pick[j] = k;
	}
	q->lex.n_clauses = 0;
	for (k = 0; k < n_pick; k++) {
		struct lex_clause *cl = &q->lex.clause[q->lex.n_clauses++];
		const struct query_word *w = &q->words[pick[k]];
		memset(cl, 0, sizeof(*cl));
		cl->terms[0] = w->term;
		cl->n_terms = 1;
		cl->fields = LEX_FIELD_ALL;
		cl->occur = LEX_SHOULD;
		cl->boost = 1.0f + logf((float)w->count);
	}
	q->or_mode = 1;
}

int query_has_text(const struct query *q)
{
	unsigned k;
	for (k = 0; k < q->lex.n_clauses; k++)
		if (q->lex.clause[k].occur != LEX_NOT)
			return 1;
	return 0;
}
