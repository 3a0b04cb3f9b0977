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
static struct store *sample_store(void)
{
	static struct store *st;
	struct pb_err err = PB_ERR_INIT;
	struct import_opts opts;
	struct import_counts c;
	char path[512];
	const char *root = getenv("PB_ROOT");
	FILE *devnull;
	if (st)
		return st;
	memset(&opts, 0, sizeof(opts));
	memset(&c, 0, sizeof(c));
	devnull = fopen("/dev/null", "w");
	opts.report = devnull;
	snprintf(path, sizeof(path), "%s/lex-sample.db", t_tmpdir());
	st = store_open(path, &err);
	if (st) {
		snprintf(path, sizeof(path), "%s/data/sample.jsonl.zst", root ? root : ".");
		if (import_file(st, path, &opts, &c, &err)) {
			fprintf(stdout, "# import: %s\n", err.msg);
			store_close(st);
			st = NULL;
		}
	}
	fclose(devnull);
	return st;
}

static void close_sample(void) __attribute__((destructor));
static void close_sample(void)
{
	store_close(sample_store());
}

static struct lex_seg *sample_seg(void)
{
	static struct lex_seg *seg;
	struct pb_err err = PB_ERR_INIT;
	char path[512];
	struct store *st = sample_store();
	if (seg || !st)
		return seg;
	snprintf(path, sizeof(path), "%s/lex-sample.lex", t_tmpdir());
	if (lex_build_main(st, path, NULL, NULL, &seg, &err))
		fprintf(stdout, "# build: %s\n", err.msg);
	return seg;
}

static void close_seg(void) __attribute__((destructor));
static void close_seg(void)
{
	lex_seg_close(sample_seg());
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

struct ref_doc {
	char id[ARXIV_ID_MAX];
	double score;
	int match;
};

struct ref_ctx {
	const struct lex_query *q;
	struct lex_stemmer *stem;
	struct ref_doc *docs;
	size_t n, cap;
	/* per doc scratch: field lengths and, per clause term, tf per field */
	double total_len[LEX_NFIELDS];
	double (*tf)[LEX_PHRASE_MAX][LEX_NFIELDS]; /* [n][clause*PHRASE+term][field] flattened */
	unsigned *len;
	unsigned char *phrase_ok; /* [n][clause] */
};

#define RMAX 6000
#define RQ 8 /* clauses the reference handles */

static int ref_add(void *ctx, long long row, const struct paper *p)
{
	struct ref_ctx *r = ctx;
	const char *fields[LEX_NFIELDS] = {p->title, p->abstract, p->authors};
	static const unsigned room[LEX_NFIELDS] = {LEX_BASE_ABSTRACT - 1,
						   LEX_BASE_AUTHORS - LEX_BASE_ABSTRACT - 1, 1u << 20};
	size_t d = r->n;
	unsigned f, c, t;
	(void)row;
	if (p->deleted || d >= RMAX)
		return 0;
	r->n++;
	snprintf(r->docs[d].id, sizeof(r->docs[d].id), "%s", p->arxiv_id);
	for (f = 0; f < LEX_NFIELDS; f++) {
		struct lex_scan sc;
		struct lex_word w;
		char term[LEX_TERM_MAX + 1];
		/* the words of the field, as terms, for phrase checks */
		static char words[70000][LEX_TERM_MAX + 1];
		unsigned nw = 0, k;
		lex_scan_init(&sc, fields[f] ? fields[f] : "", fields[f] ? strlen(fields[f]) : 0);
		while (lex_scan_next(&sc, &w) && w.pos < room[f]) {
			lex_term_of(r->stem, &w, term);
			if (nw < 70000)
				memcpy(words[nw], term, sizeof(term));
			nw++;
			for (c = 0; c < r->q->n_clauses; c++)
				for (t = 0; t < r->q->clause[c].n_terms; t++)
					if (strcmp(term, r->q->clause[c].terms[t]) == 0)
						r->tf[d * RQ + c][t][f] += 1;
		}
		r->len[d * LEX_NFIELDS + f] = nw;
		r->total_len[f] += nw;
		for (c = 0; c < r->q->n_clauses; c++) {
			const struct lex_clause *cl = &r->q->clause[c];
			if (cl->n_terms < 2 || !((cl->fields >> f) & 1))
				continue;
			for (k = 0; k + cl->gaps[cl->n_terms - 1] < nw && k < 70000; k++) {
				for (t = 0; t < cl->n_terms; t++)
					if (strcmp(words[k + cl->gaps[t]], cl->terms[t]) != 0)
						break;
				if (t == cl->n_terms)
					r->phrase_ok[d * RQ + c] = 1;
			}
		}
	}
	return 0;
}

static int cmp_ref(const void *x, const void *y)
{
	const struct ref_doc *a = x, *b = y;
	if (a->match != b->match)
		return b->match - a->match;
	return a->score > b->score ? -1 : a->score < b->score;
}

/* Scores every document of the store for q; sorted best first into r. */
static void reference(const struct lex_query *q, struct ref_ctx *r)
{
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	double avg[LEX_NFIELDS], df[LEX_QTERMS_MAX][LEX_PHRASE_MAX];
	size_t d;
	unsigned c, t, f;
	memset(r, 0, sizeof(*r));
	r->q = q;
	r->stem = lex_stemmer_new();
	r->docs = calloc(RMAX, sizeof(*r->docs));
	r->tf = calloc((size_t)RMAX * RQ, sizeof(*r->tf));
	r->len = calloc((size_t)RMAX * LEX_NFIELDS, sizeof(unsigned));
	r->phrase_ok = calloc((size_t)RMAX * RQ, 1);
	store_papers_scan(sample_store(), 0, NULL, &a, ref_add, r, &err);
	arena_release(&a);
	for (f = 0; f < LEX_NFIELDS; f++)
		avg[f] = r->total_len[f] / (double)r->n;
	memset(df, 0, sizeof(df));
	for (d = 0; d < r->n; d++)
		for (c = 0; c < q->n_clauses; c++)
			for (t = 0; t < q->clause[c].n_terms; t++) {
				double *tf = r->tf[d * RQ + c][t];
				if (tf[0] + tf[1] + tf[2] > 0)
					df[c][t] += 1;
			}
	for (d = 0; d < r->n; d++) {
		int ok = 1, any = 0;
		double score = 0;
		for (c = 0; c < q->n_clauses && ok; c++) {
			const struct lex_clause *cl = &q->clause[c];
			int present = 1;
			double s = 0;
			for (t = 0; t < cl->n_terms; t++) {
				double *tf = r->tf[d * RQ + c][t], tft = 0, idf;
				for (f = 0; f < LEX_NFIELDS; f++)
					if ((cl->fields >> f) & 1)
						tft += lex_field_weight[f] * tf[f] /
						       (1 - lex_field_b[f] +
							lex_field_b[f] * r->len[d * LEX_NFIELDS + f] / avg[f]);
				if (tft == 0)
					present = 0;
				idf = log(1 + (r->n - df[c][t] + 0.5) / (df[c][t] + 0.5));
				s += idf * tft * (LEX_K1 + 1) / (LEX_K1 + tft);
			}
			if (cl->n_terms > 1)
				present = present && r->phrase_ok[d * RQ + c];
			if (cl->occur == LEX_NOT) {
				if (present)
					ok = 0;
				continue;
			}
			if (cl->occur == LEX_MUST && !present)
				ok = 0;
			if (present)
				any = 1;
			score += s;
		}
		r->docs[d].match = ok && any;
		r->docs[d].score = score;
	}
	qsort(r->docs, r->n, sizeof(*r->docs), cmp_ref);
	free(r->tf);
	free(r->len);
	free(r->phrase_ok);
	lex_stemmer_free(r->stem);
}

static long ref_matches(const struct ref_ctx *r)
{
	long n = 0;
	size_t d;
	for (d = 0; d < r->n; d++)
		n += r->docs[d].match;
	return n;
}

/* Runs q pruned and exhaustive and checks both against the reference. */
static void check_query(const char *name, const struct lex_query *q, unsigned k)
{
	struct lex_seg *seg = sample_seg();
	struct lex_view v = {seg, NULL};
	struct lex_request req;
	struct lex_result res, ex;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	struct ref_ctx r;
	unsigned i;
	int failed = 0;

	if (!seg) {
		CHECK(seg != NULL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.k = k;
	req.count = 1;
	CHECK_INT(lex_search(&v, 1, q, &req, &a, &res, &err), PB_OK);
	req.exhaustive = 1;
	CHECK_INT(lex_search(&v, 1, q, &req, &a, &ex, &err), PB_OK);
	reference(q, &r);
	CHECK_INT(res.total, ref_matches(&r));
	CHECK_INT(res.n_hits, ex.n_hits);
	CHECK_INT(res.n_hits, (long)k < ref_matches(&r) ? (long)k : ref_matches(&r));
	for (i = 0; i < res.n_hits && i < ex.n_hits; i++) {
		size_t n;
		const char *id = lex_seg_id(seg, res.hits[i].doc, &n);
		double want = r.docs[i].score;
		/* pruning never changes the list */
		if (res.hits[i].doc != ex.hits[i].doc || res.hits[i].score != ex.hits[i].score)
			failed = 1;
		/* scores agree with the texts (ties may swap documents) */
		if (fabs(res.hits[i].score - want) > 1e-3 * (1 + want))
			failed = 1;
		if (i < 3 && fabs(r.docs[i].score - (i + 1 < r.n ? r.docs[i + 1].score : 0)) > 1e-3 &&
		    (n != strlen(r.docs[i].id) || memcmp(id, r.docs[i].id, n) != 0))
			failed = 1;
		if (failed) {
			printf("#   %s: hit %u: %.*s %.5f (exhaustive %u %.5f), reference %s %.5f\n", name,
			       i, (int)n, id, res.hits[i].score, ex.hits[i].doc, ex.hits[i].score,
			       r.docs[i].id, want);
			break;
		}
	}
	CHECK(!failed);
	if (res.n_hits >= 10 && ex.postings_scored)
		printf("#   %s: %llu postings scored, %llu exhaustive\n", name,
		       (unsigned long long)res.postings_scored, (unsigned long long)ex.postings_scored);
	free(r.docs);
	arena_release(&a);
}

TEST(search_bm25_matches_reference_and_pruning)
{
	static const char *const and_queries[] = {
		"quantum", "neural network", "the of", "black hole", "graph", "model learning data",
		"lattice gauge theory", "we show that", "alpha", "2606.32039",
	};
	static const char *const or_queries[] = {
		"the", "neural network", "of the and", "quantum gravity string", "deep learning image",
		"we a the is of model", "spin glass", "language model reasoning",
	};
	size_t k;
	for (k = 0; k < sizeof(and_queries) / sizeof(and_queries[0]); k++) {
		struct qbuild b;
		query_init(&b);
		add_words(&b, and_queries[k], LEX_MUST);
		check_query(and_queries[k], &b.q, 10);
	}
	for (k = 0; k < sizeof(or_queries) / sizeof(or_queries[0]); k++) {
		struct qbuild b;
		query_init(&b);
		add_words(&b, or_queries[k], LEX_SHOULD);
		check_query(or_queries[k], &b.q, 10);
		check_query(or_queries[k], &b.q, 1);
		check_query(or_queries[k], &b.q, 100);
	}
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
