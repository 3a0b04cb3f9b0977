/* lex_eval.c - query evaluation over segments: document-at-a-time cursors
 * over blocked postings, block-max AND for conjunctions, MaxScore with
 * block maxima for disjunctions, phrases by positions, exclusions and
 * filters, top-k by score (or by day/votes over every match), counts and
 * category facets. */
#include "lex.h"

#include "../core/arena.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define END UINT32_MAX
/* Bounds are sums of floats taken in another order than scores: prune
 * only when a bound is below the threshold by more than rounding. */
#define SLACK 1e-5f

struct cursor {
	const struct lex_seg *seg;
	const struct lex_skip *skips;
	uint32_t n_blocks, df;
	const uint8_t *post, *post_end, *pos, *pos_end;
	const uint8_t *imp; /* the term's impacts */
	uint32_t sblock; /* shallow block: first block whose last doc >= the last target */
	uint32_t sb_end; /* its last doc and score bound, when sb_valid */
	float sb_score;
	int sb_valid;
	int pending;	 /* doc is only a lower bound in block sblock, not decoded yet */
	uint32_t dblock; /* decoded block */
	uint32_t i, doc;
	/* positions of the decoded block: *pp is where posting pi's start */
	const uint8_t *pp;
	uint32_t pi;
	float idf, weight, ub, block_scale; /* block_scale: weight * bm25 of a tf~ */
	float m[LEX_NFIELDS];		    /* 1 for the clause's fields, else 0 */
	unsigned fields;
	unsigned ord; /* clause order: scores are summed in this order */
	int err;
	struct lex_block blk;
};

static int cur_load(struct cursor *c, uint32_t b)
{
	const struct lex_skip *sk = &c->skips[b];
	const uint8_t *p = c->post + sk->post_rel;
	uint32_t base = b ? c->skips[b - 1].last_doc : 0;
	uint32_t want = c->df - b * LEX_BLOCK;
	if (want > LEX_BLOCK)
		want = LEX_BLOCK;
	if (sk->post_rel > (size_t)(c->post_end - c->post) ||
	    sk->pos_rel > (size_t)(c->pos_end - c->pos) ||
	    lex_block_decode(&p, c->post_end, base, b == 0, want, &c->blk) || c->blk.n != want ||
	    c->blk.doc[want - 1] != sk->last_doc || sk->last_doc >= c->seg->n_docs) {
		c->err = 1;
		c->doc = END;
		return PB_ECORRUPT;
	}
	c->dblock = b;
	if (c->sblock < b) {
		c->sblock = b;
		c->sb_valid = 0;
	}
	c->i = 0;
	c->doc = c->blk.doc[0];
	c->pp = c->pos + sk->pos_rel;
	c->pi = 0;
	return PB_OK;
}

static void cur_init(struct cursor *c, const struct lex_seg *s, uint32_t t, float idf, float weight,
		     unsigned fields)
{
	const struct lex_terminfo *ti = &s->info[t];
	uint32_t f;
	memset(c, 0, offsetof(struct cursor, blk));
	c->seg = s;
	c->df = ti->df;
	c->n_blocks = (ti->df + LEX_BLOCK - 1) / LEX_BLOCK;
	c->skips = s->skips + ti->first_skip;
	lex_seg_term_data(s, t, &c->post, &c->post_end, &c->pos, &c->pos_end);
	c->imp = s->impact + ti->imp_off;
	c->idf = idf;
	c->weight = weight;
	c->ub = weight * lex_bm25(idf, ti->max_tf);
	c->fields = fields;
	for (f = 0; f < LEX_NFIELDS; f++)
		c->m[f] = (fields >> f) & 1 ? 1.0f : 0.0f;
	cur_load(c, 0);
}

static void cur_materialize(struct cursor *c);

static void cur_next(struct cursor *c)
{
	if (c->pending) {
		cur_materialize(c);
		return;
	}
	if (c->doc == END)
		return;
	if (++c->i < c->blk.n) {
		c->doc = c->blk.doc[c->i];
		return;
	}
	if (c->dblock + 1 < c->n_blocks)
		cur_load(c, c->dblock + 1);
	else
		c->doc = END;
}

/* First block at or after from whose last doc >= target, or n_blocks. */
static uint32_t find_block(const struct cursor *c, uint32_t from, uint32_t target)
{
	uint32_t lo = from, hi, step = 1;
	if (lo >= c->n_blocks || c->skips[lo].last_doc >= target)
		return lo;
	/* gallop, then binary search */
	hi = lo + 1;
	while (hi < c->n_blocks && c->skips[hi].last_doc < target) {
		lo = hi;
		step *= 2;
		hi = lo + step;
	}
	if (hi > c->n_blocks)
		hi = c->n_blocks;
	lo++;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->skips[mid].last_doc < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Moves to the first doc >= target in the decoded block after the
 * current one (END past the block): a binary search without branches,
 * whose steps the processor cannot mispredict. */
static void seek_in_block(struct cursor *c, uint32_t target)
{
	const uint32_t *at = c->blk.doc + c->i + 1;
	uint32_t n = c->blk.n - c->i - 1;
	if (c->doc >= target)
		return;
	while (n > 1) {
		uint32_t half = n / 2;
		at = at[half - 1] < target ? at + half : at;
		n -= half;
	}
	at += n == 1 && at[0] < target;
	c->i = (uint32_t)(at - c->blk.doc);
	c->doc = c->i < c->blk.n ? c->blk.doc[c->i] : END;
}

/* Decodes the block a shallow skip left pending and moves to the first
 * doc at or after the lower bound. */
static void cur_materialize(struct cursor *c)
{
	uint32_t target = c->doc;
	c->pending = 0;
	if (cur_load(c, c->sblock))
		return;
	seek_in_block(c, target);
}

/* Moves to target or beyond; when that leaves the decoded block the next
 * block is only located, not decoded: doc becomes a lower bound (pending)
 * until cur_materialize, cur_seek or cur_next. */
static void cur_skip(struct cursor *c, uint32_t target)
{
	uint32_t b;
	if (c->doc >= target || c->doc == END)
		return;
	if (!c->pending && target <= c->skips[c->dblock].last_doc) {
		seek_in_block(c, target);
		return;
	}
	b = find_block(c, c->pending ? c->sblock : c->dblock + 1, target);
	if (b >= c->n_blocks) {
		c->doc = END;
		c->pending = 0;
		return;
	}
	if (c->sblock != b) {
		c->sblock = b;
		c->sb_valid = 0;
	}
	c->pending = 1;
	c->doc = target;
}

static void cur_seek(struct cursor *c, uint32_t target)
{
	if (c->pending) {
		cur_skip(c, target);
		if (c->pending)
			cur_materialize(c);
		return;
	}
	if (c->doc >= target)
		return;
	if (target > c->skips[c->dblock].last_doc) {
		uint32_t b = find_block(c, c->dblock + 1, target);
		if (b >= c->n_blocks) {
			c->doc = END;
			return;
		}
		if (cur_load(c, b))
			return;
	}
	seek_in_block(c, target);
}

/* Moves the shallow block to the one that may hold target: its maximum
 * score, and its last doc in *end (END past the list). */
static float cur_shallow(struct cursor *c, uint32_t target, uint32_t *end)
{
	if (c->sb_valid && target <= c->sb_end && c->sblock < c->n_blocks) {
		*end = c->sb_end;
		return c->sb_score;
	}
	c->sblock = find_block(c, c->sblock, target);
	if (c->sblock >= c->n_blocks) {
		*end = END;
		c->sb_valid = 0;
		return 0;
	}
	c->sb_end = *end = c->skips[c->sblock].last_doc;
	c->sb_score = c->weight * lex_bm25(c->idf, c->skips[c->sblock].max_tf);
	c->sb_valid = 1;
	return c->sb_score;
}

/* tf~ of the current posting within the clause's fields. */
static float cur_tft(const struct cursor *c)
{
	const float *nd = c->seg->norm + (size_t)c->doc * LEX_NFIELDS;
	uint32_t tf[LEX_NFIELDS];
	lex_block_tf(&c->blk, c->i, tf);
	return lex_tf_tilde(tf, c->m[0] * nd[0], c->m[1] * nd[1], c->m[2] * nd[2]);
}

static float cur_score(const struct cursor *c)
{
	return c->weight * lex_bm25(c->idf, cur_tft(c));
}

/* 1 when the current posting has the term in the clause's fields. */
static int cur_in_fields(const struct cursor *c)
{
	uint32_t tf[LEX_NFIELDS];
	if (c->fields == LEX_FIELD_ALL)
		return 1; /* a posting has the term in some field */
	lex_block_tf(&c->blk, c->i, tf);
	return (tf[0] && (c->fields & 1)) || (tf[1] && (c->fields & 2)) ||
	       (tf[2] && (c->fields & 4));
}

/* Reads the positions of the current posting into *buf (grown to *cap
 * as needed), their number into *count. */
static int cur_positions(struct cursor *c, uint32_t **buf, size_t *cap, uint32_t *count)
{
	uint32_t tf[LEX_NFIELDS], k, n;
	if (c->pi > c->i) {
		c->pp = c->pos + c->skips[c->dblock].pos_rel;
		c->pi = 0;
	}
	for (k = c->pi; k < c->i; k++) {
		lex_block_tf(&c->blk, k, tf);
		if (lex_pos_skip(&c->pp, c->pos_end, tf[0] + tf[1] + tf[2]))
			return PB_ECORRUPT;
	}
	c->pi = c->i;
	lex_block_tf(&c->blk, c->i, tf);
	n = tf[0] + tf[1] + tf[2];
	if (n > *cap) {
		uint32_t *nb = realloc(*buf, (size_t)n * sizeof(uint32_t));
		if (!nb)
			return PB_ENOMEM;
		*buf = nb;
		*cap = n;
	}
	*count = n;
	if (lex_pos_read(&c->pp, c->pos_end, n, *buf))
		return PB_ECORRUPT;
	c->pi = c->i + 1;
	return PB_OK;
}

/* ---- score sums ---- */

/* A document's score: term scores summed in clause order whatever order
 * the cursors were visited in, so equal documents get equal scores. */
struct acc {
	uint64_t set[(LEX_QTERMS_MAX * LEX_PHRASE_MAX + 63) / 64];
	float partial; /* running sum, for bounds */
	float s[LEX_QTERMS_MAX * LEX_PHRASE_MAX];
};

static void acc_clear(struct acc *a, unsigned n_cursors)
{
	unsigned w;
	for (w = 0; w < (n_cursors + 63) / 64; w++)
		a->set[w] = 0;
	a->partial = 0;
}

static void acc_add(struct acc *a, const struct cursor *c)
{
	float s = cur_score(c);
	a->partial += s;
	a->s[c->ord] = s;
	a->set[c->ord / 64] |= 1ULL << (c->ord % 64);
}

static float acc_total(const struct acc *a, unsigned n_cursors)
{
	float t = 0;
	unsigned w;
	for (w = 0; w < (n_cursors + 63) / 64; w++) {
		uint64_t bits = a->set[w];
		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			t += a->s[w * 64 + b];
			bits &= bits - 1;
		}
	}
	return t;
}

/* ---- evaluation state ---- */

struct phrase {
	struct cursor *c[LEX_PHRASE_MAX];
	uint8_t gaps[LEX_PHRASE_MAX];
	unsigned n, fields;
};

struct heap_ent {
	float score;
	int32_t key; /* day or votes for ordered listings */
	uint32_t seg, doc;
};

struct eval {
	const struct lex_query *q;
	const struct lex_request *req;
	struct arena *a;
	double n_total;
	/* current segment */
	const struct lex_view *v;
	uint32_t vi;
	struct cursor **must, **should, **not ;
	unsigned n_must, n_should, n_not, n_cursors;
	struct phrase *phr_must, *phr_not;
	unsigned n_phr_must, n_phr_not;
	struct lex_filter filter;
	/* positions scratch */
	uint32_t *pbuf[LEX_PHRASE_MAX];
	size_t pcap[LEX_PHRASE_MAX];
	uint32_t pcount[LEX_PHRASE_MAX];
	/* results */
	struct heap_ent *heap;
	unsigned n_heap, k;
	long total;
	long *facet; /* per category of the current segment */
	uint64_t scored;
	int rc;
	/* documents of the current segment already in the heap (seeding) */
	uint32_t *seeded;
	size_t n_seeded;
};

/* Heap order: the root is the worst entry. Better = higher score, then
 * lower (seg, doc); or, for ordered listings, higher key. */
static int better(const struct eval *e, const struct heap_ent *x, const struct heap_ent *y)
{
	if (e->req->order != LEX_BY_SCORE) {
		if (x->key != y->key)
			return x->key > y->key;
		if (x->seg != y->seg)
			return x->seg > y->seg;
		return x->doc > y->doc; /* newer rows first */
	}
	if (x->score != y->score)
		return x->score > y->score;
	if (x->seg != y->seg)
		return x->seg < y->seg;
	return x->doc < y->doc;
}

static void heap_push(struct eval *e, const struct heap_ent *x)
{
	unsigned i;
	if (!e->k)
		return;
	if (e->n_heap == e->k) {
		if (!better(e, x, &e->heap[0]))
			return;
		/* replace the root (the worst) and sift down */
		i = 0;
		for (;;) {
			unsigned l = 2 * i + 1, r = l + 1, w;
			if (l >= e->n_heap)
				break;
			w = (r < e->n_heap && better(e, &e->heap[l], &e->heap[r])) ? r : l;
			if (!better(e, x, &e->heap[w]))
				break;
			e->heap[i] = e->heap[w];
			i = w;
		}
		e->heap[i] = *x;
		return;
	}
	i = e->n_heap++;
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (!better(e, &e->heap[parent], x))
			break;
		e->heap[i] = e->heap[parent];
		i = parent;
	}
	e->heap[i] = *x;
}

/* The score a hit must beat to enter the top k; -inf while not full. */
static float threshold(const struct eval *e)
{
	if (e->req->exhaustive || e->n_heap < e->k || e->req->order != LEX_BY_SCORE)
		return -INFINITY;
	return e->heap[0].score;
}

/* ---- document checks ---- */

void lex_filter_init(struct lex_filter *f, const struct lex_seg *s, const struct lex_query *q)
{
	unsigned k;
	f->day_from = q->day_from;
	f->day_to = q->day_to;
	f->by_day = q->day_from != INT32_MIN || q->day_to != INT32_MAX;
	f->by_cat = q->cats != NULL && q->n_cats > 0;
	f->n_ids = 0;
	for (k = 0; f->by_cat && k < q->n_cats; k++) {
		size_t qn = strlen(q->cats[k]);
		int archive = !memchr(q->cats[k], '.', qn);
		uint32_t c;
		for (c = 0; c < s->n_cats && f->n_ids < 64; c++) {
			size_t cn;
			const char *name = lex_seg_cat_name(s, c, &cn);
			if ((cn == qn && strncasecmp(name, q->cats[k], qn) == 0) ||
			    (archive && cn > qn && name[qn] == '.' &&
			     strncasecmp(name, q->cats[k], qn) == 0))
				f->ids[f->n_ids++] = (uint16_t)c;
		}
	}
}

int lex_filter_pass(const struct lex_filter *f, const struct lex_view *v, uint32_t d)
{
	const struct lex_seg *s = v->seg;
	uint32_t i;
	unsigned k;
	if (v->dead && (v->dead[d / 64] >> (d % 64)) & 1)
		return 0;
	if (f->by_day && (s->day[d] < f->day_from || s->day[d] > f->day_to))
		return 0;
	if (!f->by_cat)
		return 1;
	for (i = s->cat_off[d]; i < s->cat_off[d + 1]; i++)
		for (k = 0; k < f->n_ids; k++)
			if (s->cats[i] == f->ids[k])
				return 1;
	return 0;
}

static int phrase_match(struct eval *e, struct phrase *ph)
{
	unsigned t, f, possible = 0;
	uint32_t idx[LEX_PHRASE_MAX], k;
	/* a field can hold the phrase only if it has every word */
	for (f = 0; f < LEX_NFIELDS; f++) {
		if (!((ph->fields >> f) & 1))
			continue;
		for (t = 0; t < ph->n; t++) {
			uint32_t tf[LEX_NFIELDS];
			lex_block_tf(&ph->c[t]->blk, ph->c[t]->i, tf);
			if (!tf[f])
				break;
		}
		if (t == ph->n)
			possible = 1;
	}
	if (!possible)
		return 0;
	for (t = 0; t < ph->n; t++) {
		int rc = cur_positions(ph->c[t], &e->pbuf[t], &e->pcap[t], &e->pcount[t]);
		if (rc) {
			e->rc = rc;
			return 0;
		}
		idx[t] = 0;
	}
	for (k = 0; k < e->pcount[0]; k++) {
		uint32_t p0 = e->pbuf[0][k];
		unsigned pf = p0 >= LEX_BASE_AUTHORS ? 2 : p0 >= LEX_BASE_ABSTRACT ? 1 : 0;
		int ok = 1;
		if (!((ph->fields >> pf) & 1))
			continue;
		for (t = 1; t < ph->n && ok; t++) {
			uint32_t want = p0 + ph->gaps[t];
			while (idx[t] < e->pcount[t] && e->pbuf[t][idx[t]] < want)
				idx[t]++;
			if (idx[t] >= e->pcount[t])
				return 0;
			ok = e->pbuf[t][idx[t]] == want;
		}
		if (ok)
			return 1;
	}
	return 0;
}

/* Filters, exclusions and phrases for doc d (must-cursors are at d). */
static int accept(struct eval *e, uint32_t d)
{
	unsigned k, t;
	if (!lex_filter_pass(&e->filter, e->v, d))
		return 0;
	for (k = 0; k < e->n_not; k++) {
		cur_seek(e->not [k], d);
		if (e->not [k] -> doc == d && cur_in_fields(e->not [k]))
			return 0;
	}
	for (k = 0; k < e->n_phr_not; k++) {
		struct phrase *ph = &e->phr_not[k];
		int all = 1;
		for (t = 0; t < ph->n && all; t++) {
			cur_seek(ph->c[t], d);
			all = ph->c[t]->doc == d;
		}
		if (all && phrase_match(e, ph))
			return 0;
	}
	for (k = 0; k < e->n_phr_must; k++)
		if (!phrase_match(e, &e->phr_must[k]))
			return 0;
	return 1;
}

static int32_t order_key(const struct eval *e, uint32_t d)
{
	const struct lex_seg *s = e->v->seg;
	switch (e->req->order) {
	case LEX_BY_DAY:
		return s->day[d];
	case LEX_BY_VOTES:
		return s->votes[d];
	case LEX_BY_TRENDING: {
		double age_h = s->day[d] == INT32_MIN ? 1e6 : (e->req->now_days - s->day[d]) * 24.0;
		if (age_h < 0)
			age_h = 0;
		return (int32_t)(1e6 * (s->votes[d] + 1.0) / pow(age_h + 2.0, 1.5));
	}
	case LEX_BY_SCORE:
		break;
	}
	return 0;
}

static int was_seeded(const struct eval *e, uint32_t d)
{
	size_t lo = 0, hi = e->n_seeded;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->seeded[mid] == d)
			return 1;
		if (e->seeded[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void emit(struct eval *e, uint32_t d, float score)
{
	struct heap_ent h;
	if (e->n_seeded && was_seeded(e, d))
		return;
	h.score = score;
	h.seg = e->vi;
	h.doc = d;
	h.key = e->req->order == LEX_BY_SCORE ? 0 : order_key(e, d);
	heap_push(e, &h);
}

/* ---- threshold seeding ---- */

#define SEED_BLOCKS 4 /* best blocks of each term */
#define SEED_MIN_POSTINGS 65536

static int by_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* Before a long evaluation: scores exactly the documents of each term's
 * SEED_BLOCKS blocks with the largest maxima and puts them in the heap, so
 * the threshold starts high and pruning works from the first document.
 * The cursors are saved and put back: the evaluation then starts as if
 * nothing happened, and skips the documents seeded here. */
static void seed_threshold(struct eval *e)
{
	struct cursor **all, *saved;
	unsigned n_all = e->n_must + e->n_should + e->n_not, k, t;
	uint64_t postings = 0;
	uint32_t *cand;
	size_t n_cand = 0, i;

	if (e->req->exhaustive || e->req->order != LEX_BY_SCORE || !e->k)
		return;
	for (k = 0; k < e->n_must; k++)
		postings += e->must[k]->df;
	for (k = 0; k < e->n_should; k++)
		postings += e->should[k]->df;
	if (postings < SEED_MIN_POSTINGS && !e->req->seed_always)
		return;
	for (k = 0; k < e->n_phr_not; k++)
		n_all += e->phr_not[k].n;
	all = arena_alloc(e->a, (n_all + 1) * sizeof(*all));
	saved = arena_alloc(e->a, (n_all + 1) * sizeof(*saved));
	cand = arena_alloc(
	    e->a, (size_t)(e->n_must + e->n_should) * SEED_BLOCKS * LEX_BLOCK * sizeof(*cand) + 1);
	if (!all || !saved || !cand)
		return; /* seeding is an optimisation only */
	n_all = 0;
	for (k = 0; k < e->n_must; k++)
		all[n_all++] = e->must[k];
	for (k = 0; k < e->n_should; k++)
		all[n_all++] = e->should[k];
	for (k = 0; k < e->n_not; k++)
		all[n_all++] = e->not [k];
	for (k = 0; k < e->n_phr_not; k++)
		for (t = 0; t < e->phr_not[k].n; t++)
			all[n_all++] = e->phr_not[k].c[t];
	for (k = 0; k < n_all; k++)
		saved[k] = *all[k];

	/* candidates: the documents of the best blocks of the scoring terms */
	for (k = 0; k < e->n_must + e->n_should; k++) {
		struct cursor *c = k < e->n_must ? e->must[k] : e->should[k - e->n_must];
		uint32_t best[SEED_BLOCKS], nb = 0, b, j;
		for (b = 0; b < c->n_blocks; b++) {
			float m = c->skips[b].max_tf;
			if (nb == SEED_BLOCKS && m <= c->skips[best[nb - 1]].max_tf)
				continue;
			j = nb < SEED_BLOCKS ? nb++ : nb - 1;
			while (j > 0 && c->skips[best[j - 1]].max_tf < m) {
				best[j] = best[j - 1];
				j--;
			}
			best[j] = b;
		}
		for (j = 0; j < nb; j++) {
			uint32_t x;
			if (cur_load(c, best[j]))
				break;
			for (x = 0; x < c->blk.n; x++)
				cand[n_cand++] = c->blk.doc[x];
		}
	}
	qsort(cand, n_cand, sizeof(*cand), by_u32);
	for (i = 0, k = 0; i < n_cand; i++)
		if (!i || cand[i] != cand[i - 1])
			cand[k++] = cand[i];
	n_cand = k;

	/* exact scores of the candidates, from fresh cursors */
	for (k = 0; k < n_all; k++)
		cur_load(all[k], 0);
	for (i = 0; i < n_cand && !e->rc; i++) {
		uint32_t d = cand[i];
		struct acc sc;
		int ok = 1, matched = 0;
		acc_clear(&sc, e->n_cursors);
		for (k = 0; k < e->n_must && ok; k++) {
			cur_seek(e->must[k], d);
			ok = e->must[k]->doc == d && cur_in_fields(e->must[k]);
			if (ok) {
				acc_add(&sc, e->must[k]);
				matched = 1;
			}
		}
		if (!ok)
			continue;
		for (k = 0; k < e->n_should; k++) {
			cur_seek(e->should[k], d);
			if (e->should[k]->doc == d && cur_in_fields(e->should[k])) {
				acc_add(&sc, e->should[k]);
				matched = 1;
			}
		}
		e->scored += e->n_must + e->n_should;
		if (matched && accept(e, d))
			emit(e, d, acc_total(&sc, e->n_cursors));
		else
			cand[i] = END; /* not in the heap: the evaluation looks at it again */
	}
	for (k = 0; k < n_all; k++)
		*all[k] = saved[k];
	/* the seeded documents the evaluation must not count twice */
	for (i = 0, k = 0; i < n_cand; i++)
		if (cand[i] != END)
			cand[k++] = cand[i];
	e->seeded = cand;
	e->n_seeded = k;
}

/* ---- scoring: conjunctions (block-max AND) ---- */

/* The largest block bound of c over documents start..end. */
static float cur_max_over(struct cursor *c, uint32_t start, uint32_t end)
{
	uint32_t last, b;
	float m = cur_shallow(c, start, &last);
	for (b = c->sblock; last != END && last < end && ++b < c->n_blocks;) {
		float v = c->weight * lex_bm25(c->idf, c->skips[b].max_tf);
		if (v > m)
			m = v;
		last = c->skips[b].last_doc;
	}
	return m;
}

/* Postings ahead whose document lengths are fetched early. */
#define PREFETCH_AHEAD 16

/* The bound of the current posting's score from its impact. */
static float cur_impact_bound(const struct cursor *c)
{
	return c->weight * c->idf * LEX_IMPACT_STEP *
	       (float)c->imp[(size_t)c->dblock * LEX_BLOCK + c->i];
}

/* The postings among first..n-1 of x's decoded block whose impact shows
 * they may reach theta with rest more from the other terms: their indexes
 * in at[j], their bounds in ub[j]; returns how many. */
static uint32_t block_bounds(const struct cursor *x, uint32_t first, uint32_t n, float rest,
			     float theta, uint32_t *at, float *ub)
{
	const uint8_t *imp = x->imp + (size_t)x->dblock * LEX_BLOCK;
	float scale = x->weight * x->idf * LEX_IMPACT_STEP;
	uint32_t m = 0, i;
	for (i = first; i < n; i++) {
		float b = scale * (float)imp[i];
		at[m] = i;
		ub[m] = b;
		m += !((b + rest) * (1 + SLACK) < theta);
	}
	return m;
}

/* Asks for the lengths of the document of candidate j + PREFETCH_AHEAD: a
 * random memory access each, wanted by the candidates that survive the
 * bounds. */
static void prefetch_norm(const struct cursor *x, const uint32_t *at, uint32_t j, uint32_t nc)
{
	if (j + PREFETCH_AHEAD < nc)
		__builtin_prefetch(x->seg->norm +
				   (size_t)x->blk.doc[at[j + PREFETCH_AHEAD]] * LEX_NFIELDS);
}

/* Block-max AND: the rest of the lead's decoded block at once. The lead's
 * impacts are tested in a tight loop; for the documents that pass, the
 * other terms are looked up and their impacts added; only documents whose
 * bound still beats the threshold are scored exactly (their lengths were
 * asked for ahead). Leaves the lead past the block. */
static void and_block(struct eval *e, struct cursor **m, unsigned n, float opt_ub)
{
	struct cursor *x = m[0];
	uint32_t first = x->i, cnt = x->blk.n, last_doc = x->blk.doc[cnt - 1], i, j, nc;
	uint32_t at[LEX_BLOCK];
	float ub[LEX_BLOCK], rest = 0, rest_should = 0;
	unsigned k;

	for (k = 0; k < e->n_should; k++)
		rest_should += cur_max_over(e->should[k], x->doc, last_doc);
	rest = rest_should;
	for (k = 1; k < n; k++)
		rest += cur_max_over(m[k], x->doc, last_doc);
	if ((x->weight * lex_bm25(x->idf, x->skips[x->dblock].max_tf) + rest) * (1 + SLACK) <
	    threshold(e))
		first = cnt; /* nothing in this block can make it */
	nc = block_bounds(x, first, cnt, rest, threshold(e), at, ub);
	e->scored += cnt - first;
	for (j = 0; j < PREFETCH_AHEAD && j < nc; j++)
		__builtin_prefetch(x->seg->norm + (size_t)x->blk.doc[at[j]] * LEX_NFIELDS);
	for (j = 0; j < nc && !e->rc; j++) {
		float theta = threshold(e), rem, bound;
		struct acc sc;
		uint32_t d;
		prefetch_norm(x, at, j, nc);
		i = at[j];
		d = x->blk.doc[i];
		if ((ub[j] + rest) * (1 + SLACK) < theta)
			continue;
		x->i = i;
		x->doc = d;
		for (k = 1; k < n; k++) {
			cur_seek(m[k], d);
			if (m[k]->doc != d)
				break;
		}
		if (k < n)
			continue;
		bound = ub[j] + rest_should;
		for (k = 0; k < n; k++) {
			if (!cur_in_fields(m[k]))
				break;
			if (k)
				bound += cur_impact_bound(m[k]);
		}
		if (k < n || bound * (1 + SLACK) < theta)
			continue;
		acc_clear(&sc, e->n_cursors);
		for (k = 0; k < n; k++)
			acc_add(&sc, m[k]);
		e->scored += n - 1;
		rem = opt_ub;
		for (k = e->n_should; k-- > 0;) {
			struct cursor *c = e->should[k];
			if ((sc.partial + rem) * (1 + SLACK) < theta)
				break;
			rem -= c->ub;
			cur_seek(c, d);
			if (c->doc == d && cur_in_fields(c)) {
				acc_add(&sc, c);
				e->scored++;
			}
		}
		/* filters and phrases last: most candidates fail on score */
		if (!(sc.partial * (1 + SLACK) < theta) && accept(e, d))
			emit(e, d, acc_total(&sc, e->n_cursors));
	}
	x->i = cnt - 1;
	x->doc = last_doc;
	cur_skip(x, last_doc + 1);
}

static int by_df(const void *x, const void *y)
{
	const struct cursor *a = *(struct cursor *const *)x, *b = *(struct cursor *const *)y;
	return a->df < b->df ? -1 : a->df > b->df;
}

static int by_ub(const void *x, const void *y)
{
	const struct cursor *a = *(struct cursor *const *)x, *b = *(struct cursor *const *)y;
	return a->ub < b->ub ? -1 : a->ub > b->ub;
}

static void run_and(struct eval *e)
{
	struct cursor **m = e->must, *lead;
	unsigned n = e->n_must, k;
	uint32_t d;
	float opt_ub = 0;

	qsort(m, n, sizeof(*m), by_df);
	qsort(e->should, e->n_should, sizeof(*e->should), by_ub);
	for (k = 0; k < e->n_should; k++)
		opt_ub += e->should[k]->ub;
	lead = m[0];
	d = lead->doc;
	while (d != END && !e->rc) {
		float theta = threshold(e), rem;
		struct acc sc;
		int aligned = 1;
		if (theta > -INFINITY) {
			uint32_t region = END, end;
			float ub = 0;
			for (k = 0; k < n; k++) {
				ub += cur_shallow(m[k], d, &end);
				if (end < region)
					region = end;
			}
			for (k = 0; k < e->n_should; k++) {
				ub += cur_shallow(e->should[k], d, &end);
				if (end < region)
					region = end;
			}
			if (ub * (1 + SLACK) < theta) {
				if (region == END)
					break;
				cur_skip(lead, region + 1);
				d = lead->doc;
				continue;
			}
		}
		if (lead->pending) {
			cur_materialize(lead);
			if (lead->doc != d) {
				d = lead->doc;
				continue;
			}
		}
		if (theta > -INFINITY && lead->doc != END) {
			and_block(e, m, n, opt_ub);
			d = lead->doc;
			continue;
		}
		for (k = 1; k < n; k++) {
			cur_seek(m[k], d);
			if (m[k]->doc != d) {
				d = m[k]->doc;
				aligned = 0;
				if (d != END) {
					cur_seek(lead, d);
					d = lead->doc;
				}
				break;
			}
		}
		if (!aligned)
			continue;
		for (k = 0; k < n; k++)
			if (!cur_in_fields(m[k]))
				break;
		if (k == n) {
			acc_clear(&sc, e->n_cursors);
			for (k = 0; k < n; k++)
				acc_add(&sc, m[k]);
			e->scored += n;
			rem = opt_ub;
			for (k = e->n_should; k-- > 0;) {
				struct cursor *c = e->should[k];
				if (theta > -INFINITY && (sc.partial + rem) * (1 + SLACK) < theta)
					break;
				rem -= c->ub;
				cur_seek(c, d);
				if (c->doc == d && cur_in_fields(c)) {
					acc_add(&sc, c);
					e->scored++;
				}
			}
			if (!(theta > -INFINITY && sc.partial * (1 + SLACK) < theta) &&
			    accept(e, d))
				emit(e, d, acc_total(&sc, e->n_cursors));
		}
		cur_next(lead);
		d = lead->doc;
	}
}

/* ---- scoring: disjunctions (MaxScore with block maxima) ---- */

/* MaxScore with one essential list x = c[ess] left: the rest of its
 * decoded block at once. Its impacts are tested in a tight loop; for the
 * documents that pass, the other terms are looked up, best bound first,
 * while the impacts found and the bounds left can still beat the
 * threshold; only documents that get through are scored exactly. Leaves
 * x past the block. */
static void or_block(struct eval *e, struct cursor **c, unsigned ess)
{
	struct cursor *x = c[ess];
	uint32_t first = x->i, n = x->blk.n, last_doc = x->blk.doc[n - 1], i, j, nc;
	uint32_t at[LEX_BLOCK];
	float ub[LEX_BLOCK], restk[LEX_QTERMS_MAX], rest = 0;
	unsigned k;

	for (k = 0; k < ess; k++) {
		restk[k] = cur_max_over(c[k], x->doc, last_doc);
		rest += restk[k];
	}
	if ((x->weight * lex_bm25(x->idf, x->skips[x->dblock].max_tf) + rest) * (1 + SLACK) <
	    threshold(e))
		first = n; /* nothing in this block can make it */
	nc = block_bounds(x, first, n, rest, threshold(e), at, ub);
	e->scored += n - first;
	for (j = 0; j < PREFETCH_AHEAD && j < nc; j++)
		__builtin_prefetch(x->seg->norm + (size_t)x->blk.doc[at[j]] * LEX_NFIELDS);
	for (j = 0; j < nc && !e->rc; j++) {
		float theta = threshold(e), rem = rest, bound;
		struct acc sc;
		uint32_t d;
		prefetch_norm(x, at, j, nc);
		i = at[j];
		d = x->blk.doc[i];
		if ((ub[j] + rest) * (1 + SLACK) < theta)
			continue;
		x->i = i;
		x->doc = d;
		if (!cur_in_fields(x))
			continue;
		bound = ub[j];
		for (k = ess; k-- > 0;) {
			if ((bound + rem) * (1 + SLACK) < theta)
				break;
			rem -= restk[k];
			cur_seek(c[k], d);
			if (c[k]->doc == d && cur_in_fields(c[k]))
				bound += cur_impact_bound(c[k]);
		}
		if ((bound + rem) * (1 + SLACK) < theta)
			continue; /* rem: the terms not looked up */
		acc_clear(&sc, e->n_cursors);
		acc_add(&sc, x);
		for (k = 0; k < ess; k++)
			if (c[k]->doc == d && cur_in_fields(c[k])) {
				acc_add(&sc, c[k]);
				e->scored++;
			}
		if (!(sc.partial * (1 + SLACK) < theta) && accept(e, d))
			emit(e, d, acc_total(&sc, e->n_cursors));
	}
	x->i = n - 1;
	x->doc = last_doc;
	cur_skip(x, last_doc + 1);
}

static void run_or(struct eval *e)
{
	struct cursor **c = e->should;
	unsigned n = e->n_should, k, ess = 0;
	float prefix[LEX_QTERMS_MAX * LEX_PHRASE_MAX];

	qsort(c, n, sizeof(*c), by_ub);
	for (k = 0; k < n; k++)
		prefix[k] = (k ? prefix[k - 1] : 0) + c[k]->ub;
	while (!e->rc) {
		float theta = threshold(e), rem = 0, bm[LEX_QTERMS_MAX * LEX_PHRASE_MAX];
		struct acc sc;
		uint32_t d = END, region = END, end;
		int matched = 0;
		if (theta > -INFINITY)
			while (ess < n && prefix[ess] * (1 + SLACK) < theta)
				ess++;
		if (ess >= n)
			break;
		for (k = ess; k < n; k++)
			if (c[k]->doc < d)
				d = c[k]->doc;
		if (d == END)
			break;
		if (theta > -INFINITY) {
			/* a bound over the blocks around d, valid up to region */
			float ub = 0;
			for (k = 0; k < n; k++) {
				bm[k] = cur_shallow(c[k], d, &end);
				ub += bm[k];
				if (end < region)
					region = end;
			}
			if (ub * (1 + SLACK) < theta) {
				if (region == END)
					break;
				for (k = ess; k < n; k++)
					cur_skip(c[k], region + 1);
				continue;
			}
			for (k = 0; k < ess; k++)
				rem += bm[k];
		}
		{
			int moved = 0;
			for (k = ess; k < n; k++)
				if (c[k]->pending && c[k]->doc == d) {
					cur_materialize(c[k]);
					moved |= c[k]->doc != d;
				}
			if (moved)
				continue;
		}
		if (theta > -INFINITY && ess == n - 1 && ess <= LEX_QTERMS_MAX) {
			or_block(e, c, ess);
			continue;
		}
		acc_clear(&sc, e->n_cursors);
		for (k = ess; k < n; k++)
			if (c[k]->doc == d && cur_in_fields(c[k])) {
				acc_add(&sc, c[k]);
				matched = 1;
				e->scored++;
			}
		for (k = ess; k-- > 0;) {
			if (theta > -INFINITY && (sc.partial + rem) * (1 + SLACK) < theta)
				break;
			rem -= theta > -INFINITY ? bm[k] : 0;
			cur_seek(c[k], d);
			if (c[k]->doc == d && cur_in_fields(c[k])) {
				acc_add(&sc, c[k]);
				matched = 1;
				e->scored++;
			}
		}
		if (matched && !(theta > -INFINITY && sc.partial * (1 + SLACK) < theta) &&
		    accept(e, d))
			emit(e, d, acc_total(&sc, e->n_cursors));
		for (k = ess; k < n; k++)
			if (c[k]->doc == d)
				cur_next(c[k]);
	}
}

/* ---- enumeration of every match (counts, facets, ordered listings) ---- */

static void count_doc(struct eval *e, uint32_t d, float score)
{
	const struct lex_seg *s = e->v->seg;
	uint32_t i;
	e->total++;
	if (e->facet)
		for (i = s->cat_off[d]; i < s->cat_off[d + 1]; i++)
			e->facet[s->cats[i]]++;
	if (e->req->order != LEX_BY_SCORE)
		emit(e, d, score);
}

static void run_all(struct eval *e)
{
	unsigned k;
	if (e->n_must) {
		struct cursor **m = e->must, *lead;
		uint32_t d;
		qsort(m, e->n_must, sizeof(*m), by_df);
		lead = m[0];
		d = lead->doc;
		while (d != END && !e->rc) {
			int aligned = 1;
			for (k = 1; k < e->n_must; k++) {
				cur_seek(m[k], d);
				if (m[k]->doc != d) {
					d = m[k]->doc;
					if (d != END) {
						cur_seek(lead, d);
						d = lead->doc;
					}
					aligned = 0;
					break;
				}
			}
			if (!aligned)
				continue;
			for (k = 0; k < e->n_must; k++)
				if (!cur_in_fields(m[k]))
					break;
			if (k == e->n_must && accept(e, d))
				count_doc(e, d, 0);
			cur_next(lead);
			d = lead->doc;
		}
		return;
	}
	for (;;) {
		uint32_t d = END;
		int matched = 0;
		if (e->rc)
			return;
		for (k = 0; k < e->n_should; k++)
			if (e->should[k]->doc < d)
				d = e->should[k]->doc;
		if (d == END)
			return;
		for (k = 0; k < e->n_should; k++)
			if (e->should[k]->doc == d) {
				matched |= cur_in_fields(e->should[k]);
				cur_next(e->should[k]);
			}
		/* should-cursors moved on: accept() needs none of them */
		if (matched && accept(e, d))
			count_doc(e, d, 0);
	}
}

/* ---- setup ---- */

static double global_df(const struct lex_view *v, unsigned nv, const char *t, size_t n)
{
	double df = 0;
	unsigned k;
	for (k = 0; k < nv; k++) {
		long id = lex_seg_find(v[k].seg, t, n);
		if (id >= 0)
			df += v[k].seg->info[id].df;
	}
	return df;
}

double lex_views_docs(const struct lex_view *v, unsigned nv)
{
	double n = 0;
	unsigned k;
	for (k = 0; k < nv; k++) {
		uint32_t w, words = (v[k].seg->n_docs + 63) / 64;
		n += v[k].seg->n_docs;
		if (v[k].dead)
			for (w = 0; w < words; w++)
				n -= __builtin_popcountll(v[k].dead[w]);
	}
	return n;
}

/* Makes the cursor of clause term t in segment s: NULL when absent. */
static struct cursor *make_cursor(struct eval *e, const struct lex_seg *s, const char *term,
				  float idf, float boost, unsigned fields)
{
	long id = lex_seg_find(s, term, strlen(term));
	struct cursor *c;
	if (id < 0)
		return NULL;
	c = arena_alloc(e->a, sizeof(*c));
	if (!c) {
		e->rc = PB_ENOMEM;
		return NULL;
	}
	cur_init(c, s, (uint32_t)id, idf, boost, fields);
	c->ord = e->n_cursors++;
	if (c->err)
		e->rc = PB_ECORRUPT;
	return c;
}

/* Builds the cursors of segment view vi. Returns 0 when the segment
 * cannot match (a required term is absent). */
static int setup_segment(struct eval *e, const struct lex_view *views, unsigned nv, unsigned vi,
			 const float *idf)
{
	const struct lex_query *q = e->q;
	const struct lex_seg *s = views[vi].seg;
	unsigned k, t, ti = 0;
	size_t cap = (size_t)q->n_clauses * LEX_PHRASE_MAX + 1;
	(void)nv;

	e->v = &views[vi];
	e->vi = vi;
	e->n_must = e->n_should = e->n_not = e->n_phr_must = e->n_phr_not = e->n_cursors = 0;
	e->must = arena_alloc(e->a, cap * sizeof(*e->must));
	e->should = arena_alloc(e->a, cap * sizeof(*e->should));
	e->not = arena_alloc(e->a, cap * sizeof(*e->not ));
	e->phr_must = arena_alloc(e->a, (q->n_clauses + 1) * sizeof(*e->phr_must));
	e->phr_not = arena_alloc(e->a, (q->n_clauses + 1) * sizeof(*e->phr_not));
	if (!e->must || !e->should || !e->not || !e->phr_must || !e->phr_not) {
		e->rc = PB_ENOMEM;
		return 0;
	}
	lex_filter_init(&e->filter, s, q);
	if (e->filter.by_cat && !e->filter.n_ids)
		return 0;

	for (k = 0; k < q->n_clauses; k++) {
		const struct lex_clause *cl = &q->clause[k];
		if (cl->n_terms == 1) {
			struct cursor *c =
			    make_cursor(e, s, cl->terms[0], cl->occur == LEX_NOT ? 0 : idf[ti],
					cl->boost, cl->fields);
			ti++;
			if (e->rc)
				return 0;
			if (!c) {
				if (cl->occur == LEX_MUST)
					return 0;
				continue;
			}
			if (cl->occur == LEX_MUST)
				e->must[e->n_must++] = c;
			else if (cl->occur == LEX_SHOULD)
				e->should[e->n_should++] = c;
			else
				e->not [e->n_not++] = c;
			continue;
		}
		{
			struct phrase *ph = cl->occur == LEX_NOT ? &e->phr_not[e->n_phr_not]
								 : &e->phr_must[e->n_phr_must];
			int missing = 0;
			ph->n = cl->n_terms;
			ph->fields = cl->fields;
			for (t = 0; t < cl->n_terms; t++) {
				struct cursor *c = make_cursor(e, s, cl->terms[t],
							       cl->occur == LEX_NOT ? 0 : idf[ti],
							       cl->boost, cl->fields);
				ti++;
				if (e->rc)
					return 0;
				if (!c) {
					missing = 1;
					continue;
				}
				ph->c[t] = c;
				ph->gaps[t] = cl->gaps[t];
				if (cl->occur != LEX_NOT)
					e->must[e->n_must++] = c;
			}
			if (missing) {
				if (cl->occur != LEX_NOT)
					return 0;
				continue;
			}
			if (cl->occur == LEX_NOT)
				e->n_phr_not++;
			else
				e->n_phr_must++;
		}
	}
	return e->n_must + e->n_should > 0;
}

static int cmp_hits(const void *x, const void *y, void *ctx)
{
	const struct heap_ent *a = x, *b = y;
	const struct eval *e = ctx;
	if (better(e, a, b))
		return -1;
	if (better(e, b, a))
		return 1;
	return 0;
}

static int cmp_facets(const void *x, const void *y)
{
	const struct lex_facet *a = x, *b = y;
	size_t n;
	int c;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	n = a->cat_len < b->cat_len ? a->cat_len : b->cat_len;
	c = memcmp(a->cat, b->cat, n);
	return c ? c : (a->cat_len < b->cat_len ? -1 : a->cat_len > b->cat_len);
}

static int add_facets(struct eval *e, struct lex_result *out, unsigned *cap)
{
	const struct lex_seg *s = e->v->seg;
	uint32_t c;
	unsigned k;
	for (c = 0; c < s->n_cats; c++) {
		size_t n;
		const char *name;
		if (!e->facet[c])
			continue;
		name = lex_seg_cat_name(s, c, &n);
		for (k = 0; k < out->n_facets; k++)
			if (out->facets[k].cat_len == n && memcmp(out->facets[k].cat, name, n) == 0)
				break;
		if (k == out->n_facets) {
			if (out->n_facets == *cap) {
				unsigned ncap = *cap ? *cap * 2 : 64;
				struct lex_facet *nf = arena_alloc(e->a, ncap * sizeof(*nf));
				if (!nf)
					return PB_ENOMEM;
				if (out->n_facets)
					memcpy(nf, out->facets, out->n_facets * sizeof(*nf));
				out->facets = nf;
				*cap = ncap;
			}
			out->facets[k].cat = name;
			out->facets[k].cat_len = n;
			out->facets[k].count = 0;
			out->n_facets++;
		}
		out->facets[k].count += e->facet[c];
	}
	return PB_OK;
}

int lex_search(const struct lex_view *v, unsigned nv, const struct lex_query *q,
	       const struct lex_request *req, struct arena *a, struct lex_result *out,
	       struct pb_err *err)
{
	struct eval e;
	float idf[LEX_QTERMS_MAX * LEX_PHRASE_MAX];
	unsigned k, t, ti = 0, vi, facet_cap = 0;
	int positive = 0, pass;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	e.q = q;
	e.req = req;
	e.a = a;
	e.k = req->k;
	if (q->n_clauses > LEX_QTERMS_MAX)
		return pb_err_set(err, PB_EINVAL, "too many query clauses");
	e.n_total = lex_views_docs(v, nv);
	for (k = 0; k < q->n_clauses; k++) {
		const struct lex_clause *cl = &q->clause[k];
		if (cl->n_terms == 0 || cl->n_terms > LEX_PHRASE_MAX)
			return pb_err_set(err, PB_EINVAL, "bad query clause");
		if (cl->occur != LEX_NOT)
			positive = 1;
		for (t = 0; t < cl->n_terms; t++)
			idf[ti++] = lex_idf(e.n_total,
					    global_df(v, nv, cl->terms[t], strlen(cl->terms[t])));
	}
	if (!positive)
		return pb_err_set(err, PB_EINVAL, "the query has no word to look for");
	e.heap = arena_alloc(a, (e.k ? e.k : 1) * sizeof(*e.heap));
	if (!e.heap)
		return pb_err_set(err, PB_ENOMEM, "out of memory");

	/* pass 0: top k by score; pass 1: every match (counts, facets, orders) */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 && req->order != LEX_BY_SCORE)
			continue;
		if (pass == 1 && !req->count && req->order == LEX_BY_SCORE)
			continue;
		for (vi = 0; vi < nv && !e.rc; vi++) {
			if (!v[vi].seg->n_docs || !setup_segment(&e, v, nv, vi, idf))
				continue;
			if (pass == 0) {
				e.n_seeded = 0;
				seed_threshold(&e);
				if (e.n_must)
					run_and(&e);
				else
					run_or(&e);
				e.n_seeded = 0;
			} else {
				e.facet =
				    req->count
					? arena_alloc(a, (v[vi].seg->n_cats + 1) * sizeof(long))
					: NULL;
				if (req->count && !e.facet) {
					e.rc = PB_ENOMEM;
					break;
				}
				run_all(&e);
				if (e.facet && !e.rc && add_facets(&e, out, &facet_cap))
					e.rc = PB_ENOMEM;
			}
			for (k = 0; k < e.n_must + e.n_should + e.n_not; k++) {
				struct cursor *c = k < e.n_must ? e.must[k]
						   : k < e.n_must + e.n_should
						       ? e.should[k - e.n_must]
						       : e.not [k - e.n_must - e.n_should];
				if (c->err)
					e.rc = PB_ECORRUPT;
			}
		}
	}
	for (t = 0; t < LEX_PHRASE_MAX; t++)
		free(e.pbuf[t]);
	if (e.rc == PB_ENOMEM)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	if (e.rc)
		return pb_err_set(err, PB_ECORRUPT,
				  "search index is damaged (postings do not decode)");

	qsort_r(e.heap, e.n_heap, sizeof(*e.heap), cmp_hits, &e);
	out->hits = arena_alloc(a, (e.n_heap ? e.n_heap : 1) * sizeof(*out->hits));
	if (!out->hits)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	for (k = 0; k < e.n_heap; k++) {
		out->hits[k].score = e.heap[k].score;
		out->hits[k].seg = e.heap[k].seg;
		out->hits[k].doc = e.heap[k].doc;
	}
	out->n_hits = e.n_heap;
	out->total = req->count ? e.total : e.n_heap;
	out->total_exact = req->count;
	if (out->n_facets)
		qsort(out->facets, out->n_facets, sizeof(*out->facets), cmp_facets);
	out->postings_scored = e.scored;
	return PB_OK;
}

int lex_doc_match(const struct lex_view *v, const struct lex_query *q, uint32_t d, struct arena *a)
{
	struct eval e;
	struct lex_request req;
	struct lex_query strict;
	float idf[LEX_QTERMS_MAX * LEX_PHRASE_MAX];
	unsigned k, t, ti = 0;
	int ok = 1;

	/* only the clauses semantic hits must honour */
	memset(&req, 0, sizeof(req));
	memset(&e, 0, sizeof(e));
	strict = *q;
	strict.n_clauses = 0;
	for (k = 0; k < q->n_clauses; k++) {
		const struct lex_clause *cl = &q->clause[k];
		if (cl->occur == LEX_NOT || cl->n_terms > 1 || cl->fields != LEX_FIELD_ALL) {
			strict.clause[strict.n_clauses] = *cl;
			if (cl->occur == LEX_SHOULD)
				strict.clause[strict.n_clauses].occur = LEX_MUST;
			strict.n_clauses++;
		}
	}
	for (k = 0; k < strict.n_clauses; k++)
		for (t = 0; t < strict.clause[k].n_terms; t++)
			idf[ti++] = 1;
	e.q = &strict;
	e.req = &req;
	e.a = a;
	/* a required term absent from the segment: no match */
	for (k = 0; k < strict.n_clauses; k++)
		if (strict.clause[k].occur == LEX_MUST)
			for (t = 0; t < strict.clause[k].n_terms; t++)
				if (lex_seg_find(v->seg, strict.clause[k].terms[t],
						 strlen(strict.clause[k].terms[t])) < 0)
					return 0;
	setup_segment(&e, v, 1, 0, idf);
	if (e.rc)
		return -1;
	if (e.filter.by_cat && !e.filter.n_ids)
		return 0;
	for (k = 0; k < e.n_must && ok; k++) {
		cur_seek(e.must[k], d);
		ok = e.must[k]->doc == d && cur_in_fields(e.must[k]);
	}
	if (ok)
		ok = accept(&e, d);
	for (t = 0; t < LEX_PHRASE_MAX; t++)
		free(e.pbuf[t]);
	if (e.rc)
		return -1;
	return ok;
}
