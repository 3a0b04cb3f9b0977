/* test_search_engine.c - the search engine over the bundled sample: index
 * files damaged and rebuilt, the fresh segment after imports, semantic
 * vectors, hybrid fusion, the search interface. */
#include "t.h"

#include "../../src/ingest/import.h"
#include "../../src/search/engine.h"
#include "../../src/search/snippet.h"
#include "../../src/search/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>


/* The engines' log: one file for the whole run (engines keep writing to
 * it after opening). */
static FILE *test_log(void)
{
	static FILE *f;
	if (!f)
		f = tmpfile();
	return f;
}

static void close_log(void) __attribute__((destructor));
static void close_log(void)
{
	fclose(test_log());
}

/* Opens an engine; the log lines it wrote while opening go to logbuf. */
static struct engine *open_engine(const char *db, struct store *st, int vectors, char *logbuf,
				  size_t logn)
{
	struct engine_opts o;
	struct engine *e = NULL;
	struct pb_err err = PB_ERR_INIT;
	FILE *log = test_log();
	long start;
	size_t got;
	fseek(log, 0, SEEK_END);
	start = ftell(log);
	engine_opts_default(&o);
	o.vectors = vectors;
	o.dims = 64;
	o.log = log;
	if (engine_open(db, st, &o, &e, &err))
		printf("#   engine_open: %s\n", err.msg);
	fflush(log);
	fseek(log, start, SEEK_SET);
	got = fread(logbuf, 1, logn - 1, log);
	logbuf[got] = '\0';
	return e;
}

static long hits_for(struct engine *e, const char *query, enum engine_mode mode, char *first,
		     size_t fn)
{
	struct engine_request r;
	struct engine_result res;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	long n = -1;
	memset(&r, 0, sizeof(r));
	r.query = query;
	r.mode = mode;
	r.limit = 10;
	r.count = 1;
	if (first)
		first[0] = '\0';
	if (engine_search(e, &r, &a, &res, &err) == PB_OK) {
		n = res.total;
		if (first && res.n_hits)
			snprintf(first, fn, "%s", res.hits[0].arxiv_id);
	}
	arena_release(&a);
	return n;
}

static void damage(const char *path, long at, int truncate_file)
{
	FILE *f = fopen(path, "r+b");
	if (!f)
		return;
	if (truncate_file) {
		fseek(f, 0, SEEK_END);
		CHECK(ftruncate(fileno(f), ftell(f) / 2) == 0);
	} else {
		int c;
		fseek(f, at, SEEK_SET);
		c = fgetc(f);
		fseek(f, at, SEEK_SET);
		fputc(c ^ 0x5A, f);
	}
	fclose(f);
}

TEST(search_engine_damaged_index_is_rebuilt)
{
	char db[512], lex[600], model[600], log[4096], first[64];
	struct store *st = t_sample_db("damage", db, sizeof(db));
	struct engine *e;
	long want;
	struct stat sb;
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(lex, sizeof(lex), "%s.idx/lex", db);
	snprintf(model, sizeof(model), "%s.idx/vec.model", db);

	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(e != NULL);
	CHECK(strstr(log, "rebuilding") || strstr(log, "building"));
	want = hits_for(e, "quantum", ENGINE_LEXICAL, first, sizeof(first));
	CHECK(want > 10);
	engine_close(e);

	/* opened as it is: no log line */
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK_STR(log, "");
	engine_close(e);

	/* a flipped byte in the postings, a truncated file, a foreign file */
	CHECK(stat(lex, &sb) == 0);
	damage(lex, (long)sb.st_size - 100, 0);
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(strstr(log, "checksum") != NULL);
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), want);
	engine_close(e);

	damage(lex, 0, 1);
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(strstr(log, "damaged") != NULL);
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), want);
	engine_close(e);

	{
		FILE *f = fopen(lex, "wb");
		fputs("not an index at all, but long enough to have a header. ", f);
		fclose(f);
	}
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(strstr(log, "damaged") != NULL);
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), want);
	engine_close(e);

	/* the header of another format version */
	damage(lex, 8, 0);
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(strstr(log, "format") != NULL);
	engine_close(e);

	/* the semantic model damaged: retrained */
	damage(model, 1000, 0);
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(strstr(log, "semantic model is damaged") != NULL);
	CHECK(hits_for(e, "quantum", ENGINE_SEMANTIC, NULL, 0) > 0);
	engine_close(e);

	/* missing files */
	unlink(lex);
	unlink(model);
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(e != NULL);
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), want);
	engine_close(e);
	store_close(st);
}

static struct paper make_paper(struct arena *a, const char *id, const char *title,
			       const char *abstract, const char *day)
{
	struct paper p;
	paper_init(&p);
	snprintf(p.arxiv_id, sizeof(p.arxiv_id), "%s", id);
	p.title = arena_strdup(a, title);
	p.abstract = arena_strdup(a, abstract);
	p.authors = arena_strdup(a, "Ada Zyxwvut, B. Example");
	p.announced = arena_strdup(a, day);
	p.updated = arena_strdup(a, day);
	p.version = 1;
	paper_set_categories(&p, a, "cs.LG");
	paper_split_authors(&p, a);
	return p;
}

TEST(search_engine_fresh_segment_after_import)
{
	char db[512], log[4096], first[64];
	struct store *st = t_sample_db("fresh", db, sizeof(db)), *other;
	struct engine *e;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	enum store_upsert up;
	struct paper p;
	long before;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(e != NULL);
	if (!e)
		return;
	before = hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0);
	CHECK_INT(hits_for(e, "flibbertigibbet", ENGINE_LEXICAL, NULL, 0), 0);

	/* another connection imports a new paper and changes an old one */
	other = store_open(db, &err);
	CHECK(other != NULL);
	p = make_paper(&a, "2699.00001", "Flibbertigibbet quantum lattices",
		       "We study flibbertigibbet models of quantum lattices.", "2026-07-02");
	CHECK_INT(store_paper_upsert(other, &p, &up, &err), PB_OK);
	CHECK_INT(up, STORE_NEW);
	CHECK_INT(store_paper_get(other, "hep-th/9108002", &a, &p, &err), PB_OK);
	p.title = arena_strdup(&a, "Hamiltonian construction of snarkwobble actions");
	p.version = 2;
	p.updated = arena_strdup(&a, "2026-07-02");
	CHECK_INT(store_paper_upsert(other, &p, &up, &err), PB_OK);
	CHECK_INT(up, STORE_UPDATED);
	store_close(other);

	/* not seen until refreshed; then seen, without a rebuild */
	CHECK_INT(hits_for(e, "flibbertigibbet", ENGINE_LEXICAL, NULL, 0), 0);
	CHECK_INT(engine_refresh(e, st, &err), PB_OK);
	if (err.rc)
		printf("#   %s\n", err.msg);
	CHECK_INT(hits_for(e, "flibbertigibbet", ENGINE_LEXICAL, first, sizeof(first)), 1);
	CHECK_STR(first, "2699.00001");
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), before + 1);
	CHECK_INT(hits_for(e, "snarkwobble", ENGINE_LEXICAL, first, sizeof(first)), 1);
	CHECK_STR(first, "hep-th/9108002");
	/* the old title no longer finds it; the id still does */
	CHECK_INT(hits_for(e, "\"W-gravity actions\" ti:gravity", ENGINE_LEXICAL, NULL, 0), 0);
	hits_for(e, "hep-th/9108002", ENGINE_LEXICAL, first, sizeof(first));
	CHECK_STR(first, "hep-th/9108002");
	/* semantic search sees the new paper too */
	CHECK(hits_for(e, "flibbertigibbet quantum lattices", ENGINE_SEMANTIC, NULL, 0) > 0);
	{
		struct engine_stats s;
		engine_stats(e, &s);
		CHECK_INT(s.fresh_docs, 2);
		CHECK_INT(s.superseded, 1);
	}
	/* a rebuild folds the fresh segment in */
	CHECK_INT(engine_rebuild(e, st, &err), PB_OK);
	{
		struct engine_stats s;
		engine_stats(e, &s);
		CHECK_INT(s.fresh_docs, 0);
	}
	CHECK_INT(hits_for(e, "flibbertigibbet", ENGINE_LEXICAL, NULL, 0), 1);
	engine_close(e);

	/* a new process sees the change at open */
	e = open_engine(db, st, 0, log, sizeof(log));
	CHECK_INT(hits_for(e, "snarkwobble", ENGINE_LEXICAL, NULL, 0), 1);
	engine_close(e);
	store_close(st);
	arena_release(&a);
}

TEST(search_engine_watcher_follows_the_store)
{
	char db[512], log[4096];
	struct store *st = t_sample_db("watch", db, sizeof(db)), *other;
	struct engine_opts o;
	struct engine *e = NULL;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	enum store_upsert up;
	struct paper p;
	int i;
	(void)log;
	CHECK(st != NULL);
	if (!st)
		return;
	engine_opts_default(&o);
	o.vectors = 0;
	o.watch = 1;
	o.log = fopen("/dev/null", "w");
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	other = store_open(db, &err);
	p = make_paper(&a, "2699.00002", "Quuxwidget theory", "Quuxwidgets everywhere.",
		       "2026-07-03");
	CHECK_INT(store_paper_upsert(other, &p, &up, &err), PB_OK);
	store_close(other);
	for (i = 0; i < 100 && hits_for(e, "quuxwidget", ENGINE_LEXICAL, NULL, 0) != 1; i++)
		usleep(100000);
	CHECK_INT(hits_for(e, "quuxwidget", ENGINE_LEXICAL, NULL, 0), 1);
	engine_close(e);
	fclose(o.log);
	store_close(st);
	arena_release(&a);
}

TEST(search_engine_lsa_neighbours_share_categories)
{
	char db[512], log[4096];
	struct store *st = t_sample_db("lsa", db, sizeof(db));
	struct engine *e;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	long same = 0, tried = 0, k;
	double chance = 0;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 1, log, sizeof(log));
	CHECK(e != NULL);
	/* every 25th paper: does its nearest neighbour share its primary
	 * category? Chance: two papers drawn at random share it with
	 * probability sum over categories of share^2. */
	{
		struct engine_request r;
		struct engine_result all;
		char(*prim)[32];
		long n_prim = 0, i, j;
		memset(&r, 0, sizeof(r));
		r.query = "the OR of OR a OR and";
		r.mode = ENGINE_LEXICAL;
		r.limit = 5000;
		CHECK_INT(engine_search(e, &r, &a, &all, &err), PB_OK);
		prim = calloc(all.n_hits + 1, sizeof(*prim));
		for (k = 0; k < (long)all.n_hits; k += 25) {
			struct engine_result nn;
			struct paper p, q;
			if (engine_similar(e, all.hits[k].arxiv_id, 1, &a, &nn, &err) || !nn.n_hits)
				continue;
			if (store_paper_get(st, all.hits[k].arxiv_id, &a, &p, &err) ||
			    store_paper_get(st, nn.hits[0].arxiv_id, &a, &q, &err) ||
			    !p.n_categories)
				continue;
			CHECK(strcmp(nn.hits[0].arxiv_id, all.hits[k].arxiv_id) != 0);
			tried++;
			snprintf(prim[n_prim++], 32, "%s", p.categories[0]);
			if (q.n_categories && strcmp(p.categories[0], q.categories[0]) == 0)
				same++;
		}
		for (i = 0; i < n_prim; i++) {
			long c = 0;
			for (j = 0; j < n_prim; j++)
				c += strcmp(prim[i], prim[j]) == 0;
			chance += (double)c / n_prim / n_prim;
		}
		free(prim);
	}
	printf("#   nearest neighbour shares the primary category: %ld of %ld (chance %.3f)\n",
	       same, tried, chance);
	CHECK(tried > 100);
	CHECK((double)same / (double)tried > 1.5 * chance);
	{
		struct engine_result none;
		CHECK_INT(engine_similar(e, "9999.99999", 5, &a, &none, &err), PB_ENOTFOUND);
	}
	engine_close(e);
	store_close(st);
	arena_release(&a);
}

TEST(search_engine_hybrid_fusion)
{
	char db[512], log[4096];
	struct store *st = t_sample_db("rrf", db, sizeof(db));
	struct engine *e;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	struct engine_request r;
	struct engine_result lex, rrf, fus;
	size_t i, j;
	double ratio = -1;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 1, log, sizeof(log));
	memset(&r, 0, sizeof(r));
	r.query = "neural network training";
	r.limit = 100;
	r.mode = ENGINE_LEXICAL;
	CHECK_INT(engine_search(e, &r, &a, &lex, &err), PB_OK);
	r.mode = ENGINE_HYBRID_RRF;
	CHECK_INT(engine_search(e, &r, &a, &rrf, &err), PB_OK);
	r.mode = ENGINE_HYBRID;
	CHECK_INT(engine_search(e, &r, &a, &fus, &err), PB_OK);
	CHECK(rrf.n_hits == 100 && fus.n_hits == 100);

	/* rank fusion: each score is the sum of 1 / (K + rank) of its lists */
	for (i = 0; i < rrf.n_hits; i++) {
		const struct engine_hit *h = &rrf.hits[i];
		double want = 0;
		if (h->lex_rank) {
			CHECK_STR(lex.hits[h->lex_rank - 1].arxiv_id, h->arxiv_id);
			want += 1.0 / (ENGINE_RRF_K + h->lex_rank);
		}
		if (h->sem_rank)
			want += 1.0 / (ENGINE_RRF_K + h->sem_rank);
		CHECK(h->lex_rank || h->sem_rank);
		CHECK(fabs(h->score - want) < 1e-6);
		if (i)
			CHECK(rrf.hits[i - 1].score >= h->score);
		/* semantic ranks follow the cosines */
		for (j = 0; j < i; j++)
			if (h->sem_rank && rrf.hits[j].sem_rank)
				CHECK((rrf.hits[j].sem_rank < h->sem_rank) ==
				      (rrf.hits[j].sem_score >= h->sem_score));
	}
	/* the best fused paper: nothing in either list beats it */
	for (i = 0; i < rrf.n_hits; i++)
		CHECK(rrf.hits[0].score >= rrf.hits[i].score);
	CHECK(rrf.hits[0].score >= 1.0 / (ENGINE_RRF_K + 1) - 1e-9);

	/* score fusion: (1 - L) bm25 / max bm25 + L cos / max cos */
	for (i = 0; i < fus.n_hits; i++) {
		const struct engine_hit *h = &fus.hits[i];
		double lexpart = (1 - ENGINE_FUSE_LAMBDA) * h->lex_score / lex.hits[0].score;
		if (i)
			CHECK(fus.hits[i - 1].score >= h->score - 1e-7);
		if (h->lex_rank)
			CHECK(fabs(h->lex_score - lex.hits[h->lex_rank - 1].score) < 1e-5);
		else
			CHECK(h->lex_score == 0);
		if (h->sem_score > 0.05) {
			double rt = (h->score - lexpart) / h->sem_score;
			if (ratio < 0)
				ratio = rt;
			CHECK(fabs(rt - ratio) < 1e-3 * ratio);
		}
	}
	CHECK(ratio > 0);
	/* the lexical winner keeps a high place */
	for (i = 0; i < 5 && strcmp(fus.hits[i].arxiv_id, lex.hits[0].arxiv_id) != 0; i++)
		;
	CHECK(i < 5);
	engine_close(e);
	store_close(st);
	arena_release(&a);
}

struct collect {
	int n;
	char ids[32][ARXIV_ID_MAX];
};

static int collect_cb(void *ctx, const struct paper *p)
{
	struct collect *c = ctx;
	if (c->n < 32)
		snprintf(c->ids[c->n], ARXIV_ID_MAX, "%s", p->arxiv_id);
	c->n++;
	return 0;
}

TEST(search_engine_interface)
{
	char db[512], log[4096];
	struct store *st = t_sample_db("iface", db, sizeof(db));
	struct engine *e;
	struct search_engine *se;
	struct arena a = ARENA_INIT;
	struct pb_err err = PB_ERR_INIT;
	struct store_filter f;
	struct collect c;
	long total = 0;
	const char **terms;
	size_t n;
	struct search_facet *fc;
	struct snippet sn;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 1, log, sizeof(log));
	se = engine_search_iface(e);
	memset(&f, 0, sizeof(f));
	f.limit = 5;
	f.sort = STORE_SORT_RELEVANCE;
	memset(&c, 0, sizeof(c));
	CHECK_INT(search_query(se, st, "quantum gravity", &f, &total, &a, collect_cb, &c, &err),
		  PB_OK);
	CHECK(total >= 5);
	CHECK_INT(c.n, 5);
	/* filters: category and days, by date */
	memset(&c, 0, sizeof(c));
	f.category = "cs.LG";
	f.from = "2026-06-20";
	f.sort = STORE_SORT_DAY;
	CHECK_INT(search_query(se, st, "learning", &f, &total, &a, collect_cb, &c, &err), PB_OK);
	CHECK(c.n > 0);
	{
		struct paper p;
		CHECK_INT(store_paper_get(st, c.ids[0], &a, &p, &err), PB_OK);
		CHECK(strcmp(p.announced, "2026-06-20") >= 0);
	}
	/* no words: the filter alone lists */
	memset(&c, 0, sizeof(c));
	CHECK_INT(search_query(se, st, "cat:cs.LG", &f, &total, &a, collect_cb, &c, &err), PB_OK);
	CHECK(c.n > 0);
	/* an id finds its paper */
	memset(&f, 0, sizeof(f));
	f.limit = 3;
	memset(&c, 0, sizeof(c));
	CHECK_INT(
	    search_query(se, st, "arXiv:hep-th/9108002v1", &f, &total, &a, collect_cb, &c, &err),
	    PB_OK);
	CHECK_STR(c.ids[0], "hep-th/9108002");
	/* highlight words, snippets, facets, similar */
	CHECK_INT(
	    search_terms(se, "Neural -gan \"deep nets\" cat:cs.LG ti:Theory OR", &a, &terms, &n),
	    PB_OK);
	CHECK_INT(n, 4);
	CHECK_STR(terms[0], "neural");
	CHECK_STR(terms[3], "theory");
	CHECK_INT(search_snippet(se, "network", "Deep networks.", 0, &a, &sn), PB_OK);
	CHECK_INT(sn.n_hl, 1);
	CHECK_INT(search_facets(se, st, "learning", &f, &a, &fc, &n, &err), PB_OK);
	CHECK(n > 3);
	CHECK(fc[0].count >= fc[1].count);
	memset(&c, 0, sizeof(c));
	CHECK_INT(search_similar(se, st, "hep-th/9108002", 5, &a, collect_cb, &c, &err), PB_OK);
	CHECK_INT(c.n, 5);
	search_destroy(se);
	/* the simple engine has no snippets */
	se = search_simple_new();
	CHECK_INT(search_snippet(se, "x", "x", 0, &a, &sn), PB_ENOTFOUND);
	search_destroy(se);
	store_close(st);
	arena_release(&a);
}

TEST(search_vectors_ivf_recall)
{
	char db[512], path[600], log[4096];
	struct store *st = t_sample_db("ivf", db, sizeof(db));
	struct engine *e;
	struct lex_seg *seg = NULL;
	struct vec_model *m = NULL;
	struct vec_docs *v = NULL, *withivf = NULL;
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	unsigned qi, found = 0, total = 0;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 1, log, sizeof(log));
	engine_close(e);
	snprintf(path, sizeof(path), "%s.idx/lex", db);
	CHECK_INT(lex_seg_open_file(path, &seg, &err), PB_OK);
	snprintf(path, sizeof(path), "%s.idx/vec.model", db);
	CHECK_INT(vec_model_open(path, &m, &err), PB_OK);
	if (!seg || !m)
		goto out;
	CHECK_INT(vec_docs_build(m, seg, NULL, &v, &err), PB_OK);
	CHECK_INT(vec_docs_build(m, seg, NULL, &withivf, &err), PB_OK);
	CHECK_INT(vec_docs_add_ivf(withivf, &err), PB_OK);
	CHECK(withivf->n_lists >= 16);
	CHECK_INT(withivf->list_off[withivf->n_lists], v->n_docs);
	/* papers as queries: the inverted file finds most of the exact top 10 */
	for (qi = 0; qi < v->n_docs; qi += 97) {
		struct lex_view view = {seg, NULL};
		struct lex_query none;
		const struct vec_docs *d1[1] = {v}, *d2[1] = {withivf};
		struct vec_hit *ex, *ap;
		unsigned nex, nap, i, j;
		float qv[VEC_DIMS_MAX];
		memset(&none, 0, sizeof(none));
		none.day_from = INT32_MIN;
		none.day_to = INT32_MAX;
		vec_doc_vector(v, qi, qv);
		CHECK_INT(
		    vec_search(d1, &view, 1, qv, &none, UINT32_MAX, 0, 10, 0, &a, &ex, &nex, &err),
		    PB_OK);
		CHECK_INT(
		    vec_search(d2, &view, 1, qv, &none, UINT32_MAX, 0, 10, 0, &a, &ap, &nap, &err),
		    PB_OK);
		CHECK_INT(nap, 10);
		for (i = 0; i < nex; i++)
			for (j = 0; j < nap; j++)
				found += ex[i].doc == ap[j].doc;
		total += nex;
		/* the paper itself comes first both ways */
		CHECK_INT(ex[0].doc, qi);
		CHECK_INT(ap[0].doc, qi);
	}
	printf("#   inverted file: %u of %u exact top-10 neighbours found (%u lists)\n", found,
	       total, withivf->n_lists);
	CHECK(found * 2 > total);
out:
	vec_docs_close(withivf);
	vec_docs_close(v);
	vec_model_close(m);
	lex_seg_close(seg);
	store_close(st);
	arena_release(&a);
}

TEST(search_engine_fast_start_checks_later)
{
	char db[512], lex[600], log[4096];
	struct store *st = t_sample_db("faststart", db, sizeof(db));
	struct engine_opts o;
	struct engine *e = NULL;
	struct pb_err err = PB_ERR_INIT;
	struct stat sb;
	long want;
	int i;
	CHECK(st != NULL);
	if (!st)
		return;
	e = open_engine(db, st, 0, log, sizeof(log));
	want = hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0);
	engine_close(e);
	snprintf(lex, sizeof(lex), "%s.idx/lex", db);
	CHECK(stat(lex, &sb) == 0);
	damage(lex, (long)sb.st_size - 100, 0);
	/* a server opens at once, without reading the whole index... */
	engine_opts_default(&o);
	o.vectors = 0;
	o.watch = 1;
	o.log = test_log();
	CHECK_INT(engine_open(db, st, &o, &e, &err), PB_OK);
	/* ...and its watcher finds the damage and rebuilds */
	for (i = 0; i < 100; i++) {
		struct stat now;
		if (stat(lex, &now) == 0 && now.st_ino != sb.st_ino)
			break;
		usleep(100000);
	}
	CHECK(i < 100);
	for (i = 0; i < 50 && hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0) != want; i++)
		usleep(100000);
	CHECK_INT(hits_for(e, "quantum", ENGINE_LEXICAL, NULL, 0), want);
	engine_close(e);
	store_close(st);
}
