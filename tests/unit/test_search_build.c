/* test_search_build.c - building lexical segments on the bundled sample:
 * every way of adding papers (one by one, in batches, analysed later,
 * continued from a row) gives the same image as lex_build_main, and the
 * image is sound term by term (dictionary order, postings, skip entries,
 * block maxima, positions). */
#include "t.h"

#include "../../src/core/arena.h"
#include "../../src/ingest/import.h"
#include "../../src/search/lex.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>

static struct store *shared_st;

static struct store *build_store(void)
{
	char path[512];
	if (!shared_st)
		shared_st = t_sample_db("build-sample", path, sizeof(path));
	return shared_st;
}

static void close_build_store(void) __attribute__((destructor));
static void close_build_store(void)
{
	store_close(shared_st); /* only when a test made it */
}

/* How a test feeds papers to a builder. */
enum feed { ONE_BY_ONE, BATCHES, RAW_BATCHES };

struct feeder {
	struct lex_builder *b;
	struct lex_batch *bt;
	enum feed how;
	int64_t max_row, stop_after; /* rows above stop_after are left out */
	size_t batch;		     /* papers per batch, varied */
	int rc;
	struct pb_err err;
};

static int feed_flush(struct feeder *f)
{
	if (f->how == RAW_BATCHES && lex_batch_analyse(f->bt))
		return PB_ENOMEM;
	if (lex_builder_add_batch(f->b, f->bt, &f->err))
		return f->err.rc;
	lex_batch_reset(f->bt);
	f->batch = f->batch * 3 % 97 + 1;
	return PB_OK;
}

static int feed_one(void *ctx, long long row, const struct paper *p)
{
	struct feeder *f = ctx;
	int rc;
	if (row > f->stop_after)
		return PB_OK;
	if (row > f->max_row)
		f->max_row = row;
	if (f->how == ONE_BY_ONE)
		return lex_builder_add(f->b, row, p, &f->err);
	rc = f->how == BATCHES ? lex_batch_add(f->bt, row, p) : lex_batch_add_raw(f->bt, row, p);
	if (rc)
		return rc;
	return lex_batch_docs(f->bt) >= f->batch ? feed_flush(f) : PB_OK;
}

/* The image of the sample's segment fed the way how, up to stop_after and
 * then (when fill) the rest by lex_builder_fill; malloc'd, *n bytes. */
static char *image_of(enum feed how, int64_t stop_after, int fill, size_t *n)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct feeder f;
	char *buf = NULL;
	FILE *mem;
	memset(&f, 0, sizeof(f));
	f.b = lex_builder_new(NULL);
	f.bt = lex_batch_new();
	f.how = how;
	f.stop_after = stop_after;
	f.batch = 7;
	CHECK(f.b && f.bt);
	CHECK_INT(store_papers_scan(build_store(), 0, NULL, &a, feed_one, &f, &err), PB_OK);
	if (how != ONE_BY_ONE)
		CHECK_INT(feed_flush(&f), PB_OK);
	if (fill) {
		int64_t max_row;
		CHECK_INT(
		    lex_builder_fill(build_store(), f.max_row, f.b, NULL, NULL, &max_row, &err),
		    PB_OK);
		f.max_row = max_row;
	}
	mem = open_memstream(&buf, n);
	CHECK(mem != NULL);
	CHECK_INT(lex_builder_write(f.b, mem, f.max_row, "2026-01-01T00:00:00Z", &err), PB_OK);
	fclose(mem);
	lex_builder_free(f.b);
	lex_batch_free(f.bt);
	arena_release(&a);
	return buf;
}

/* Equal images but for the build id and the header's checksum. */
static int same_image(const char *x, size_t nx, const char *y, size_t ny)
{
	struct lex_header hx, hy;
	if (nx != ny || nx < LEX_HEADER_SIZE)
		return 0;
	memcpy(&hx, x, sizeof(hx));
	memcpy(&hy, y, sizeof(hy));
	hx.build_id = hy.build_id = 0;
	hx.header_hash = hy.header_hash = 0;
	return memcmp(&hx, &hy, sizeof(hx)) == 0 &&
	       memcmp(x + LEX_HEADER_SIZE, y + LEX_HEADER_SIZE, nx - LEX_HEADER_SIZE) == 0;
}

TEST(search_build_every_way_gives_one_image)
{
	size_t n0, n1, n2, n3;
	char *one = image_of(ONE_BY_ONE, INT64_MAX, 0, &n0);
	char *batches = image_of(BATCHES, INT64_MAX, 0, &n1);
	char *raw = image_of(RAW_BATCHES, INT64_MAX, 0, &n2);
	char *filled = image_of(RAW_BATCHES, 2500, 1, &n3);
	struct lex_header h;
	CHECK(n0 > LEX_HEADER_SIZE);
	memcpy(&h, one, sizeof(h));
	CHECK_INT(h.n_docs, 4818);
	CHECK(same_image(one, n0, batches, n1));
	CHECK(same_image(one, n0, raw, n2));
	CHECK(same_image(one, n0, filled, n3));
	free(one);
	free(batches);
	free(raw);
	free(filled);
}

TEST(search_build_main_matches_the_builder)
{
	struct pb_err err = PB_ERR_INIT;
	struct lex_seg *seg = NULL;
	char path[512], *file, *img;
	size_t nf, ni;
	struct lex_header hf, hi;
	snprintf(path, sizeof(path), "%s/build.lex", t_tmpdir());
	CHECK_INT(lex_build_main(build_store(), path, NULL, NULL, &seg, &err), PB_OK);
	lex_seg_close(seg);
	file = t_slurp(path, &nf);
	img = image_of(ONE_BY_ONE, INT64_MAX, 0, &ni);
	CHECK(file && img && nf == ni && nf > LEX_HEADER_SIZE);
	if (file && img && nf == ni && nf > LEX_HEADER_SIZE) {
		memcpy(&hf, file, sizeof(hf));
		memcpy(&hi, img, sizeof(hi));
		CHECK(hf.max_row == hi.max_row);
		CHECK(hf.data_hash == hi.data_hash);
		CHECK(memcmp(file + LEX_HEADER_SIZE, img + LEX_HEADER_SIZE, nf - LEX_HEADER_SIZE) ==
		      0);
	}
	free(file);
	free(img);
}

TEST(search_build_segment_is_sound)
{
	struct pb_err err = PB_ERR_INIT;
	struct lex_seg *s = NULL;
	struct lex_block *blk = malloc(sizeof(*blk));
	size_t n;
	char *img = image_of(BATCHES, INT64_MAX, 0, &n);
	uint32_t t, bad = 0, bad_impacts = 0;
	uint64_t postings = 0;
	CHECK(blk != NULL);
	CHECK_INT(lex_seg_open_mem(img, n, &s, &err), PB_OK);
	if (!s || !blk) {
		free(blk);
		return;
	}
	for (t = 0; t < s->n_terms; t++) {
		const uint8_t *p, *pe, *q, *qe;
		const struct lex_terminfo *ti = &s->info[t];
		uint32_t seen = 0, base = 0, k = 0, j;
		float tmax = 0;
		size_t la = s->term_off[t + 1] - s->term_off[t];
		if (t > 0) {
			size_t lb = s->term_off[t] - s->term_off[t - 1];
			int c = memcmp(s->terms + s->term_off[t - 1], s->terms + s->term_off[t],
				       la < lb ? la : lb);
			if (c > 0 || (c == 0 && lb >= la))
				bad++; /* not strictly ascending */
		}
		lex_seg_term_data(s, t, &p, &pe, &q, &qe);
		while (seen < ti->df) {
			const struct lex_skip *sk = &s->skips[ti->first_skip + k];
			float bmax = 0;
			if (sk->post_rel != (uint32_t)(p - (s->post + ti->post_off)) ||
			    sk->pos_rel != (uint32_t)(q - (s->pos + ti->pos_off)) ||
			    lex_block_decode(&p, pe, base, seen == 0,
					     ti->df - seen < LEX_BLOCK ? ti->df - seen : LEX_BLOCK,
					     blk)) {
				bad++;
				break;
			}
			for (j = 0; j < blk->n; j++) {
				const float *nd = s->norm + (size_t)blk->doc[j] * LEX_NFIELDS;
				uint32_t ft[LEX_NFIELDS], pos[64], cnt;
				float tf, g;
				lex_block_tf(blk, j, ft);
				tf = lex_tf_tilde(ft, nd[0], nd[1], nd[2]);
				cnt = ft[0] + ft[1] + ft[2];
				g = lex_bm25(1.0f, tf);
				uint8_t imp = s->impact[ti->imp_off + seen + j];
				if (tf > bmax)
					bmax = tf;
				/* the impact bounds the score, and tightly */
				if (!((float)imp * LEX_IMPACT_STEP >= g) ||
				    (float)(imp - 1) * LEX_IMPACT_STEP > g * 1.01f)
					bad_impacts++;
				if (cnt <= 64 ? lex_pos_read(&q, qe, cnt, pos)
					      : lex_pos_skip(&q, qe, cnt))
					bad++;
			}
			if (sk->last_doc != blk->doc[blk->n - 1] || sk->max_tf != bmax)
				bad++;
			if (bmax > tmax)
				tmax = bmax;
			base = blk->doc[blk->n - 1];
			seen += blk->n;
			k++;
		}
		if (seen != ti->df || p != pe || q != qe || ti->max_tf != tmax)
			bad++;
		postings += seen;
	}
	printf("#   %u terms, %llu postings checked\n", s->n_terms, (unsigned long long)postings);
	CHECK_INT(bad, 0);
	CHECK_INT(bad_impacts, 0);
	CHECK(s->n_terms > 10000);
	lex_seg_close(s);
	free(blk);
}

/* Searches s for two words as AND, OR and a phrase; counts the results by
 * return code. */
static void search_damaged(const struct lex_seg *s, long *ok, long *corrupt, long *other)
{
	static const char *const words[][2] = {{"model", "quantum"}, {"neural", "network"}};
	struct lex_view v = {s, NULL};
	unsigned w, mode;
	for (w = 0; w < 2; w++)
		for (mode = 0; mode < 3; mode++) {
			struct lex_query q;
			struct lex_request req;
			struct lex_result res;
			struct pb_err err = PB_ERR_INIT;
			struct arena a = ARENA_INIT;
			unsigned k;
			int rc;
			memset(&q, 0, sizeof(q));
			memset(&req, 0, sizeof(req));
			q.day_from = INT32_MIN;
			q.day_to = INT32_MAX;
			q.n_clauses = mode == 2 ? 1 : 2;
			for (k = 0; k < 2; k++) {
				struct lex_clause *c = &q.clause[mode == 2 ? 0 : k];
				c->terms[mode == 2 ? k : 0] = words[w][k];
				c->gaps[mode == 2 ? k : 0] = (uint8_t)k;
				c->n_terms = mode == 2 ? 2 : 1;
				c->fields = LEX_FIELD_ALL;
				c->occur = mode == 1 ? LEX_SHOULD : LEX_MUST;
				c->boost = 1;
			}
			req.k = 10;
			req.count = w;
			rc = lex_search(&v, 1, &q, &req, &a, &res, &err);
			*ok += rc == PB_OK;
			*corrupt += rc == PB_ECORRUPT;
			*other += rc != PB_OK && rc != PB_ECORRUPT;
			arena_release(&a);
		}
}

TEST(search_build_damaged_segments_fail_cleanly)
{
	size_t n, trial;
	char *img = image_of(ONE_BY_ONE, 3000, 0, &n);
	long opened = 0, rejected = 0, odd = 0, ok = 0, corrupt = 0, other = 0;
	unsigned seed = 4242;
	/* byte ranges of the searched words' postings, skips and impacts */
	size_t lo[4][3], len[4][3];
	struct lex_seg *orig = NULL;
	struct pb_err oerr = PB_ERR_INIT;
	char *ocopy = img ? malloc(n) : NULL;
	static const char *const searched[] = {"model", "quantum", "neural", "network"};
	CHECK(img != NULL && n > LEX_HEADER_SIZE && ocopy != NULL);
	if (!img || !ocopy)
		return;
	memcpy(ocopy, img, n);
	CHECK_INT(lex_seg_open_mem(ocopy, n, &orig, &oerr), PB_OK);
	for (trial = 0; orig && trial < 4; trial++) {
		long t = lex_seg_find(orig, searched[trial], strlen(searched[trial]));
		const struct lex_terminfo *ti;
		const uint8_t *p, *pe, *q, *qe;
		CHECK(t >= 0);
		if (t < 0)
			t = 0;
		ti = &orig->info[t];
		lex_seg_term_data(orig, (uint32_t)t, &p, &pe, &q, &qe);
		lo[trial][0] = (size_t)(p - orig->base);
		len[trial][0] = (size_t)(pe - p);
		lo[trial][1] = (size_t)((const uint8_t *)(orig->skips + ti->first_skip) - orig->base);
		len[trial][1] = (ti->df + LEX_BLOCK - 1) / LEX_BLOCK * sizeof(struct lex_skip);
		lo[trial][2] = (size_t)(orig->impact + ti->imp_off - orig->base);
		len[trial][2] = ti->df;
	}
	lex_seg_close(orig);
	for (trial = 0; trial < 300; trial++) {
		struct lex_header hd;
		struct pb_err err = PB_ERR_INIT;
		struct lex_seg *s = NULL;
		char *copy = malloc(n);
		unsigned k, hits;
		int rc;
		CHECK(copy != NULL);
		if (!copy)
			break;
		memcpy(copy, img, n);
		memcpy(&hd, img, sizeof(hd));
		seed = seed * 1103515245u + 12345u;
		hits = 1 + (seed >> 16) % 4;
		for (k = 0; k < hits; k++) {
			/* at the searched words' postings, skips or impacts, or at the
			 * term table, the positions, anywhere */
			static const enum lex_section aim[] = {LS_INFO, LS_POS, LS_COUNT};
			unsigned pick;
			size_t at;
			seed = seed * 1103515245u + 12345u;
			pick = (seed >> 16) % 6;
			seed = seed * 1103515245u + 12345u;
			if (pick < 3) {
				unsigned w = (seed >> 8) % 4;
				at = lo[w][pick] + (seed >> 4) % (len[w][pick] ? len[w][pick] : 1);
			} else if (aim[pick - 3] != LS_COUNT && hd.sec[aim[pick - 3]].size) {
				at = hd.sec[aim[pick - 3]].off + (seed >> 4) % hd.sec[aim[pick - 3]].size;
			} else {
				at = (seed >> 4) % n;
			}
			seed = seed * 1103515245u + 12345u;
			copy[at] = (char)(seed >> 16);
		}
		/* checksums made right again: the damage reaches the reader */
		lex_image_seal((uint8_t *)copy, n);
		rc = lex_seg_open_mem(copy, n, &s, &err); /* takes copy */
		if (rc == PB_OK) {
			opened++;
			search_damaged(s, &ok, &corrupt, &other);
			lex_seg_close(s);
		} else if (rc == PB_ECORRUPT || rc == PB_EVERSION) {
			CHECK(strstr(err.msg, "fresh search segment") != NULL);
			rejected++;
		} else {
			odd++;
		}
	}
	printf("#   300 damaged images: %ld rejected when opened, %ld opened; their searches: %ld "
	       "answered, %ld found damage\n",
	       rejected, opened, ok, corrupt);
	CHECK_INT(odd, 0);
	CHECK_INT(other, 0);
	CHECK(rejected > 0);
	CHECK(opened > 0);
	CHECK(corrupt > 0);
	free(img);
}
