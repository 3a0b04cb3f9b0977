/* test_search_lex.c - the lexical index on the bundled sample: BM25F top-10
 * with pruning against an exhaustive scorer written from the texts,
 * phrases, fields, exclusions, damaged files, the fresh segment. */
#include "t.h"

#include "../../src/core/arena.h"
#include "../../src/ingest/import.h"
#include "../../src/search/lex.h"
#include "../../src/store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* One store with the bundled sample, shared by the tests of this file. */
static struct store *shared_st;

static struct store *sample_store(void)
{
	char path[512];
	if (!shared_st)
		shared_st = t_sample_db("lex-sample", path, sizeof(path));
	return shared_st;
}

static void close_sample(void) __attribute__((destructor));
static void close_sample(void)
{
	store_close(shared_st); /* only when a test made it */
}

static struct lex_seg *shared_seg;

static struct lex_seg *sample_seg(void)
{
	struct pb_err err = PB_ERR_INIT;
	char path[512];
	struct store *st = shared_seg ? NULL : sample_store();
	if (shared_seg || !st)
		return shared_seg;
	snprintf(path, sizeof(path), "%s/lex-sample.lex", t_tmpdir());
	if (lex_build_main(st, path, NULL, NULL, &shared_seg, &err))
		fprintf(stdout, "# build: %s\n", err.msg);
	return shared_seg;
}

static void close_seg(void) __attribute__((destructor));
static void close_seg(void)
{
	lex_seg_close(shared_seg); /* only when a test made it */
}

/* ---- queries ---- */

struct qbuild {
	struct lex_query q;
	char terms[LEX_QTERMS_MAX][LEX_PHRASE_MAX][LEX_TERM_MAX + 1];
};

/* Adds a clause from text (several words: a phrase). */
static void add_clause(struct qbuild *b, const char *text, enum lex_occur occur, unsigned fields)
{
	struct lex_clause *cl = &b->q.clause[b->q.n_clauses];
	struct lex_stemmer *st = lex_stemmer_new();
	struct lex_scan sc;
	struct lex_word w;
	unsigned first = 0, n = 0;
	lex_scan_init(&sc, text, strlen(text));
	while (lex_scan_next(&sc, &w) && n < LEX_PHRASE_MAX) {
		lex_term_of(st, &w, b->terms[b->q.n_clauses][n]);
		cl->terms[n] = b->terms[b->q.n_clauses][n];
		if (!n)
			first = w.pos;
		cl->gaps[n] = (uint8_t)(w.pos - first);
		n++;
	}
	cl->n_terms = n;
	cl->fields = fields;
	cl->occur = occur;
	cl->boost = 1;
	b->q.n_clauses++;
	lex_stemmer_free(st);
}

static void query_init(struct qbuild *b)
{
	memset(b, 0, sizeof(*b));
	b->q.day_from = INT32_MIN;
	b->q.day_to = INT32_MAX;
}

/* Splits words into one clause per word. */
static void add_words(struct qbuild *b, const char *words, enum lex_occur occur)
{
	char w[128];
	const char *p = words;
	while (*p) {
		size_t n = strcspn(p, " ");
		if (n && n < sizeof(w)) {
			memcpy(w, p, n);
			w[n] = '\0';
			add_clause(b, w, occur, LEX_FIELD_ALL);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

/* ---- the reference: BM25F from the texts, every document scored ---- */

/* The texts, tokenised once: every document's terms per field, as ids
 * into a list of distinct terms. */
struct corpus {
	size_t n;
	char (*id)[ARXIV_ID_MAX];
	uint32_t *words[LEX_NFIELDS]; /* per doc: offset into ids */
	uint32_t *len[LEX_NFIELDS];
	uint32_t *ids;
	size_t n_ids, cap_ids;
	char (*terms)[LEX_TERM_MAX + 1];
	size_t n_terms, cap_terms;
	struct lex_stemmer *stem;
};

static uint32_t term_index(struct corpus *c, const char *t)
{
	/* a small open-addressing table kept alongside */
	static uint32_t *slot;
	static size_t mask;
	size_t i, h = 5381;
	const char *p;
	if (!slot) {
		mask = (1u << 20) - 1;
		slot = calloc(mask + 1, sizeof(*slot));
	}
	for (p = t; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (i = h & mask; slot[i]; i = (i + 1) & mask)
		if (strcmp(c->terms[slot[i] - 1], t) == 0)
			return slot[i] - 1;
	if (c->n_terms == c->cap_terms) {
		c->cap_terms = c->cap_terms ? c->cap_terms * 2 : 4096;
		c->terms = realloc(c->terms, c->cap_terms * sizeof(*c->terms));
	}
	snprintf(c->terms[c->n_terms], LEX_TERM_MAX + 1, "%s", t);
	slot[i] = (uint32_t)++c->n_terms;
	return (uint32_t)(c->n_terms - 1);
}

#define RMAX 6000

static int corpus_add(void *ctx, long long row, const struct paper *p)
{
	struct corpus *c = ctx;
	const char *fields[LEX_NFIELDS] = {p->title, p->abstract, p->authors};
	static const unsigned room[LEX_NFIELDS] = {
	    LEX_BASE_ABSTRACT - 1, LEX_BASE_AUTHORS - LEX_BASE_ABSTRACT - 1, 1u << 20};
	size_t d = c->n;
	unsigned f;
	(void)row;
	if (p->deleted || d >= RMAX)
		return 0;
	c->n++;
	snprintf(c->id[d], ARXIV_ID_MAX, "%s", p->arxiv_id);
	for (f = 0; f < LEX_NFIELDS; f++) {
		struct lex_scan sc;
		struct lex_word w;
		char term[LEX_TERM_MAX + 1];
		c->words[f][d] = (uint32_t)c->n_ids;
		lex_scan_init(&sc, fields[f] ? fields[f] : "", fields[f] ? strlen(fields[f]) : 0);
		while (lex_scan_next(&sc, &w) && w.pos < room[f]) {
			lex_term_of(c->stem, &w, term);
			if (c->n_ids == c->cap_ids) {
				c->cap_ids = c->cap_ids ? c->cap_ids * 2 : 1 << 20;
				c->ids = realloc(c->ids, c->cap_ids * sizeof(*c->ids));
			}
			c->ids[c->n_ids++] = term_index(c, term);
		}
		c->len[f][d] = (uint32_t)(c->n_ids - c->words[f][d]);
	}
	return 0;
}

static int corpus_made;

static struct corpus *corpus(void)
{
	static struct corpus c;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	unsigned f;
	if (c.id || !sample_store())
		return &c;
	corpus_made = 1;
	c.id = calloc(RMAX, sizeof(*c.id));
	for (f = 0; f < LEX_NFIELDS; f++) {
		c.words[f] = calloc(RMAX, sizeof(uint32_t));
		c.len[f] = calloc(RMAX, sizeof(uint32_t));
	}
	c.stem = lex_stemmer_new();
	store_papers_scan(sample_store(), 0, NULL, &a, corpus_add, &c, &err);
	arena_release(&a);
	lex_stemmer_free(c.stem);
	return &c;
}

static void free_corpus(void) __attribute__((destructor));
static void free_corpus(void)
{
	struct corpus *c;
	unsigned f;
	if (!corpus_made)
		return;
	c = corpus();
	free(c->id);
	for (f = 0; f < LEX_NFIELDS; f++) {
		free(c->words[f]);
		free(c->len[f]);
	}
	free(c->ids);
	free(c->terms);
}

struct ref_doc {
	char id[ARXIV_ID_MAX];
	double score;
	int match;
};

struct ref_ctx {
	struct ref_doc *docs;
	size_t n;
};

#define RQ 8 /* clauses the reference handles */

/* Scores every document for q; sorted best first into r. */
static int cmp_ref(const void *x, const void *y)
{
	const struct ref_doc *a = x, *b = y;
	if (a->match != b->match)
		return b->match - a->match;
	return a->score > b->score ? -1 : a->score < b->score;
}

static void reference(const struct lex_query *q, struct ref_ctx *r)
{
	struct corpus *c = corpus();
	double avg[LEX_NFIELDS] = {0}, df[RQ][LEX_PHRASE_MAX];
	long qid[RQ][LEX_PHRASE_MAX];
	double(*tf)[RQ][LEX_PHRASE_MAX][LEX_NFIELDS] = calloc(c->n, sizeof(*tf));
	unsigned char(*phrase)[RQ] = calloc(c->n, sizeof(*phrase));
	size_t d, i, t2;
	unsigned cl, t, f;

	r->n = c->n;
	r->docs = calloc(c->n, sizeof(*r->docs));
	memset(df, 0, sizeof(df));
	for (cl = 0; cl < q->n_clauses && cl < RQ; cl++)
		for (t = 0; t < q->clause[cl].n_terms; t++) {
			qid[cl][t] = -1;
			for (t2 = 0; t2 < c->n_terms; t2++)
				if (strcmp(c->terms[t2], q->clause[cl].terms[t]) == 0)
					qid[cl][t] = (long)t2;
		}
	for (d = 0; d < c->n; d++)
		for (f = 0; f < LEX_NFIELDS; f++) {
			const uint32_t *w = c->ids + c->words[f][d];
			size_t n = c->len[f][d];
			avg[f] += (double)n;
			for (i = 0; i < n; i++)
				for (cl = 0; cl < q->n_clauses && cl < RQ; cl++)
					for (t = 0; t < q->clause[cl].n_terms; t++)
						if ((long)w[i] == qid[cl][t])
							tf[d][cl][t][f] += 1;
			for (cl = 0; cl < q->n_clauses && cl < RQ; cl++) {
				const struct lex_clause *k = &q->clause[cl];
				unsigned last = k->gaps[k->n_terms - 1];
				if (k->n_terms < 2 || !((k->fields >> f) & 1))
					continue;
				for (i = 0; i + last < n; i++) {
					for (t = 0; t < k->n_terms; t++)
						if ((long)w[i + k->gaps[t]] != qid[cl][t])
							break;
					if (t == k->n_terms)
						phrase[d][cl] = 1;
				}
			}
		}
	for (f = 0; f < LEX_NFIELDS; f++)
		avg[f] /= (double)c->n;
	for (d = 0; d < c->n; d++)
		for (cl = 0; cl < q->n_clauses && cl < RQ; cl++)
			for (t = 0; t < q->clause[cl].n_terms; t++)
				if (tf[d][cl][t][0] + tf[d][cl][t][1] + tf[d][cl][t][2] > 0)
					df[cl][t] += 1;
	for (d = 0; d < c->n; d++) {
		int ok = 1, any = 0;
		double score = 0;
		for (cl = 0; cl < q->n_clauses && cl < RQ && ok; cl++) {
			const struct lex_clause *k = &q->clause[cl];
			int present = 1;
			double sc = 0;
			for (t = 0; t < k->n_terms; t++) {
				double tft = 0, idf;
				for (f = 0; f < LEX_NFIELDS; f++)
					if ((k->fields >> f) & 1)
						tft += lex_field_weight[f] * tf[d][cl][t][f] /
						       (1 - lex_field_b[f] +
							lex_field_b[f] * c->len[f][d] / avg[f]);
				if (tft == 0)
					present = 0;
				idf = log(1 + ((double)c->n - df[cl][t] + 0.5) / (df[cl][t] + 0.5));
				sc += k->boost * idf * tft * (LEX_K1 + 1) / (LEX_K1 + tft);
			}
			if (k->n_terms > 1)
				present = present && phrase[d][cl];
			if (k->occur == LEX_NOT) {
				if (present)
					ok = 0;
				continue;
			}
			if (k->occur == LEX_MUST && !present)
				ok = 0;
			if (present)
				any = 1;
			score += sc;
		}
		snprintf(r->docs[d].id, ARXIV_ID_MAX, "%s", c->id[d]);
		r->docs[d].match = ok && any;
		r->docs[d].score = score;
	}
	qsort(r->docs, r->n, sizeof(*r->docs), cmp_ref);
	free(tf);
	free(phrase);
}

static long ref_matches(const struct ref_ctx *r)
{
	long n = 0;
	size_t d;
	for (d = 0; d < r->n; d++)
		n += r->docs[d].match;
	return n;
}

static unsigned long long pruned_work, full_work;

/* Runs q pruned and exhaustive for each k of ks and checks both against
 * the reference. */
static void check_query_k(const char *name, const struct lex_query *q, const unsigned *ks,
			  unsigned nk)
{
	struct lex_seg *seg = sample_seg();
	struct lex_view v = {seg, NULL};
	struct lex_request req;
	struct lex_result res, ex, seeded;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	struct ref_ctx r;
	unsigned i, ki;
	int failed = 0;

	if (!seg) {
		CHECK(seg != NULL);
		return;
	}
	reference(q, &r);
	for (ki = 0; ki < nk && !failed; ki++) {
		unsigned k = ks[ki];
		memset(&req, 0, sizeof(req));
		req.k = k;
		req.count = 1;
		CHECK_INT(lex_search(&v, 1, q, &req, &a, &res, &err), PB_OK);
		req.seed_always = 1; /* and with threshold seeding: the same list */
		CHECK_INT(lex_search(&v, 1, q, &req, &a, &seeded, &err), PB_OK);
		req.seed_always = 0;
		req.exhaustive = 1;
		CHECK_INT(lex_search(&v, 1, q, &req, &a, &ex, &err), PB_OK);
		CHECK_INT(seeded.n_hits, res.n_hits);
		for (i = 0; i < seeded.n_hits && i < res.n_hits; i++)
			if (seeded.hits[i].doc != res.hits[i].doc ||
			    seeded.hits[i].score != res.hits[i].score)
				failed = 1;
		CHECK_INT(res.total, ref_matches(&r));
		CHECK_INT(res.n_hits, ex.n_hits);
		CHECK_INT(res.n_hits, (long)k < ref_matches(&r) ? (long)k : ref_matches(&r));
		for (i = 0; i < res.n_hits && i < ex.n_hits; i++) {
			size_t n;
			const char *id = lex_seg_id(seg, res.hits[i].doc, &n);
			double want = r.docs[i].score;
			/* pruning never changes the list */
			if (res.hits[i].doc != ex.hits[i].doc ||
			    res.hits[i].score != ex.hits[i].score)
				failed = 1;
			/* scores agree with the texts (ties may swap documents) */
			if (fabs(res.hits[i].score - want) > 1e-3 * (1 + want))
				failed = 1;
			if (i < 3 &&
			    fabs(r.docs[i].score - (i + 1 < r.n ? r.docs[i + 1].score : 0)) >
				1e-3 &&
			    (n != strlen(r.docs[i].id) || memcmp(id, r.docs[i].id, n) != 0))
				failed = 1;
			if (failed) {
				printf("#   %s (k %u): hit %u: %.*s %.5f (exhaustive %u %.5f), "
				       "reference %s "
				       "%.5f\n",
				       name, k, i, (int)n, id, res.hits[i].score, ex.hits[i].doc,
				       ex.hits[i].score, r.docs[i].id, want);
				break;
			}
		}
		pruned_work += res.postings_scored;
		full_work += ex.postings_scored;
	}
	CHECK(!failed);
	free(r.docs);
	arena_release(&a);
}

static void check_query(const char *name, const struct lex_query *q, unsigned k)
{
	check_query_k(name, q, &k, 1);
}

TEST(search_bm25_matches_reference_and_pruning)
{
	static const char *const and_queries[] = {
	    "quantum",
	    "neural network",
	    "the of",
	    "black hole",
	    "graph",
	    "model learning data",
	    "lattice gauge theory",
	    "we show that",
	    "alpha",
	    "2606.32039",
	};
	static const char *const or_queries[] = {
	    "the",
	    "neural network",
	    "of the and",
	    "quantum gravity string",
	    "deep learning image",
	    "we a the is of model",
	    "spin glass",
	    "language model reasoning",
	};
	static const unsigned ks[] = {10, 1, 100};
	size_t k;
	for (k = 0; k < sizeof(and_queries) / sizeof(and_queries[0]); k++) {
		struct qbuild b;
		query_init(&b);
		add_words(&b, and_queries[k], LEX_MUST);
		check_query_k(and_queries[k], &b.q, ks, 3);
	}
	for (k = 0; k < sizeof(or_queries) / sizeof(or_queries[0]); k++) {
		struct qbuild b;
		query_init(&b);
		add_words(&b, or_queries[k], LEX_SHOULD);
		check_query_k(or_queries[k], &b.q, ks, 3);
	}
	printf("#   postings scored: %llu with pruning, %llu exhaustive\n", pruned_work, full_work);
	CHECK(pruned_work < full_work);
}

TEST(search_bm25_phrases_fields_exclusions)
{
	struct qbuild b;
	query_init(&b);
	add_clause(&b, "neural networks", LEX_MUST, LEX_FIELD_ALL);
	check_query("\"neural networks\"", &b.q, 10);

	query_init(&b);
	add_clause(&b, "of the", LEX_MUST, LEX_FIELD_ALL);
	add_clause(&b, "model", LEX_SHOULD, LEX_FIELD_ALL);
	check_query("\"of the\" model", &b.q, 10);

	query_init(&b);
	add_clause(&b, "quantum", LEX_MUST, 1u << LEX_TITLE);
	check_query("ti:quantum", &b.q, 10);

	query_init(&b);
	add_clause(&b, "wang", LEX_MUST, 1u << LEX_AUTHORS);
	add_clause(&b, "learning", LEX_MUST, LEX_FIELD_ALL);
	check_query("au:wang learning", &b.q, 10);

	query_init(&b);
	add_words(&b, "learning", LEX_MUST);
	add_clause(&b, "neural", LEX_NOT, LEX_FIELD_ALL);
	add_clause(&b, "deep learning", LEX_NOT, LEX_FIELD_ALL);
	check_query("learning -neural -\"deep learning\"", &b.q, 10);

	query_init(&b);
	add_words(&b, "quantum field theory", LEX_SHOULD);
	add_clause(&b, "string", LEX_NOT, LEX_FIELD_ALL);
	check_query("OR quantum field theory -string", &b.q, 10);

	query_init(&b);
	add_clause(&b, "in the", LEX_MUST, 1u << LEX_ABSTRACT);
	add_clause(&b, "a", LEX_NOT, 1u << LEX_TITLE);
	check_query("abs:\"in the\" -ti:a", &b.q, 20);
}
