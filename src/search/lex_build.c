/* lex_build.c - builds a lexical index segment from papers and writes its
 * image. This file owns the segment format:
 *
 *   A segment is one file (or buffer), little-endian, made of a 512-byte
 *   header (struct lex_header in lex.h) followed by sections, each starting
 *   on an 8-byte boundary, located by the header's section table:
 *
 *   ROW        int64[n_docs]    store row id of each docid, ascending
 *   HASH       uint64[n_docs]   lex_paper_hash of the paper as indexed
 *   DAY        int32[n_docs]    announcement day (days since 1970-01-01),
 *                               INT32_MIN when unknown
 *   VOTES      int32[n_docs]    upvotes when built
 *   NORM       float[n_docs][3] per doc and field: w_f / (1 - b_f + b_f len_f / avglen_f)
 *   LEN        uint16[3][n_docs] words per field, saturated at 65535
 *   CATOFF     uint32[n_docs+1] each doc's categories are CATS[CATOFF[d]..CATOFF[d+1])
 *   CATS       uint16[]         category ids, primary first
 *   CATNAMEOFF uint32[n_cats+1] category names are CATNAMES[off[c]..off[c+1])
 *   CATNAMES   char[]
 *   IDOFF      uint32[n_docs+1] arXiv ids, IDS[IDOFF[d]..IDOFF[d+1])
 *   IDS        char[]
 *   TERMOFF    uint32[n_terms+1] the dictionary: TERMS[off[t]..off[t+1]),
 *   TERMS      char[]           sorted bytewise, no duplicates
 *   INFO       struct lex_terminfo[n_terms]
 *   SKIPS      struct lex_skip[n_skips]  one per block of LEX_BLOCK postings
 *   POST       postings of every term, term after term (format in lex.h)
 *   POS        positions of every term, term after term
 *
 *   A term's postings run from INFO[t].post_off to INFO[t+1].post_off (the
 *   section's end for the last term); its blocks are
 *   SKIPS[first_skip .. first_skip + ceil(df / LEX_BLOCK)). The header
 *   records the format version, the ranking parameters the norms were
 *   computed with, the collection statistics, the store watermark (largest
 *   row id, moment the scan started) and two checksums: one of the header,
 *   one of everything after it.
 */
#include "lex.h"

#include "../core/arxiv.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Room of each field in the shared position space. */
static const uint32_t field_base[LEX_NFIELDS] = {LEX_BASE_TITLE, LEX_BASE_ABSTRACT,
						 LEX_BASE_AUTHORS};
static const uint32_t field_room[LEX_NFIELDS] = {
    LEX_BASE_ABSTRACT - LEX_BASE_TITLE - 1, LEX_BASE_AUTHORS - LEX_BASE_ABSTRACT - 1, (1u << 20)};

#define CATS_MAX 65535u

/* Reallocates p to hold need elements (capacity doubling from *cap):
 * the new pointer, or NULL (p untouched) when out of memory. */
static void *grow_to(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;
	if (need <= *cap)
		return p;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	np = realloc(p, ncap * elem);
	if (np)
		*cap = ncap;
	return np;
}

/* Reallocates array ptr to cap elements; evaluates to 0, or PB_ENOMEM
 * (ptr untouched). */
#define RESIZE(ptr, cap) resize_to((void *)&(ptr), (cap), sizeof(*(ptr)))
static int resize_to(void *pp, size_t cap, size_t elem)
{
	void *old, *np;
	memcpy(&old, pp, sizeof(old));
	np = realloc(old, cap * elem);
	if (!np)
		return PB_ENOMEM;
	memcpy(pp, &np, sizeof(np));
	return PB_OK;
}

/* A growable byte string (postings of one term). */
struct bytes {
	uint8_t *p;
	uint32_t len, cap;
};

static int bytes_room(struct bytes *b, size_t extra)
{
	size_t need = (size_t)b->len + extra, cap = b->cap;
	uint8_t *np;
	if (need <= b->cap)
		return PB_OK;
	if (need > UINT32_MAX / 2)
		return PB_ETOOBIG;
	np = grow_to(b->p, &cap, need, 1);
	if (!np)
		return PB_ENOMEM;
	b->p = np;
	b->cap = (uint32_t)cap;
	return PB_OK;
}

struct bterm {
	uint32_t str_off;
	uint32_t str_len;
	uint32_t hash;
	uint32_t df;
	uint32_t last_doc;
	struct bytes post, pos;
};

/* A surface word already seen, and its term. */
struct surface {
	uint32_t str_off, str_len, hash, term;
};

/* A direct-mapped cache in front of the surface table: frequent words are
 * found without leaving the CPU caches. */
#define FRONT_SIZE 8192
#define FRONT_TEXT 23
struct front {
	uint32_t hash, term;
	uint8_t len;
	char text[FRONT_TEXT];
};

/* Open addressing; slots hold entry index + 1 (0 = empty). */
struct htab {
	uint32_t *slot;
	uint32_t mask;
};

struct pool {
	char *p;
	size_t len, cap;
};

struct slot {
	uint32_t term;
	uint32_t tf[LEX_NFIELDS];
	uint32_t count, at;
};

/* A posting waiting in the batch: postings are appended to their terms
 * a batch at a time in term order, which keeps memory access local. */
#define REC_POS 3
struct rec {
	uint32_t term, doc;
	uint32_t tf[LEX_NFIELDS];
	uint32_t npos;
	uint32_t pos[REC_POS]; /* the first positions; the rest from bpos[pos_at] */
	uint32_t pos_at;
};

#define BATCH_RECS (1u << 20)

struct lex_builder {
	int have_stats;
	struct lex_stats stats;
	struct lex_stemmer *stem;

	struct bterm *terms;
	size_t n_terms, cap_terms;
	struct htab term_tab;
	struct pool term_pool;

	struct surface *surf;
	size_t n_surf, cap_surf;
	struct front *front; /* [FRONT_SIZE] */
	struct htab surf_tab;
	struct pool surf_pool;

	/* documents */
	uint32_t n_docs;
	size_t cap_docs;
	int64_t *row;
	uint64_t *chash;
	int32_t *day, *votes;
	uint32_t *len[LEX_NFIELDS];
	uint32_t *cat_off;
	uint16_t *cats;
	size_t n_cats_used, cap_cats;
	uint32_t *id_off;
	struct pool ids;
	double total_len[LEX_NFIELDS];

	/* category names */
	struct pool catnames;
	uint32_t *catname_off; /* [n_catnames + 1] */
	size_t n_catnames, cap_catnames;

	/* per-document scratch */
	uint32_t *tok_term, *tok_pos;
	size_t n_tok, cap_tok;
	uint32_t *stamp, *slot_of; /* per term */
	size_t cap_stamp;
	struct slot *slots;
	size_t n_slots, cap_slots;
	uint32_t *placed; /* [cap_tok] */

	/* the batch */
	struct rec *recs, *recs_tmp;
	size_t n_recs, cap_recs;
	uint32_t *bpos;
	size_t n_bpos, cap_bpos;
};

/* ---- hash tables over a pool ---- */

static uint32_t hash_str(const char *s, size_t n)
{
	return (uint32_t)lex_hash64(s, n, 0x9E3779B97F4A7C15ULL);
}

static int htab_init(struct htab *t, uint32_t size)
{
	t->slot = calloc(size, sizeof(*t->slot));
	t->mask = size - 1;
	return t->slot ? PB_OK : PB_ENOMEM;
}

/* Rehashes into twice the slots; hashes come from get_hash(ctx, index). */
static int htab_double(struct htab *t, const uint32_t *hashes, size_t stride, size_t n)
{
	uint32_t size = (t->mask + 1) * 2, i;
	uint32_t *ns = calloc(size, sizeof(*ns));
	size_t k;
	if (!ns)
		return PB_ENOMEM;
	for (k = 0; k < n; k++) {
		uint32_t h = *(const uint32_t *)((const char *)hashes + k * stride);
		for (i = h & (size - 1); ns[i]; i = (i + 1) & (size - 1))
			;
		ns[i] = (uint32_t)k + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->mask = size - 1;
	return PB_OK;
}

static int pool_add(struct pool *p, const char *s, size_t n, uint32_t *off)
{
	char *np;
	if (p->len + n > UINT32_MAX)
		return PB_ETOOBIG;
	np = grow_to(p->p, &p->cap, p->len + n + 1, 1);
	if (!np)
		return PB_ENOMEM;
	p->p = np;
	memcpy(p->p + p->len, s, n);
	*off = (uint32_t)p->len;
	p->len += n;
	return PB_OK;
}

/* The term id of term[0..n), created when new. */
static int term_id(struct lex_builder *b, const char *s, size_t n, uint32_t *out)
{
	uint32_t h = hash_str(s, n), i, e;
	struct bterm *t;
	for (i = h & b->term_tab.mask; (e = b->term_tab.slot[i]) != 0;
	     i = (i + 1) & b->term_tab.mask) {
		t = &b->terms[e - 1];
		if (t->hash == h && t->str_len == n &&
		    memcmp(b->term_pool.p + t->str_off, s, n) == 0) {
			*out = e - 1;
			return PB_OK;
		}
	}
	if (b->n_terms >= UINT32_MAX - 1)
		return PB_ETOOBIG;
	t = grow_to(b->terms, &b->cap_terms, b->n_terms + 1, sizeof(*b->terms));
	if (!t)
		return PB_ENOMEM;
	b->terms = t;
	t = &b->terms[b->n_terms];
	memset(t, 0, sizeof(*t));
	if (pool_add(&b->term_pool, s, n, &t->str_off))
		return PB_ENOMEM;
	t->str_len = (uint32_t)n;
	t->hash = h;
	b->term_tab.slot[i] = (uint32_t)++b->n_terms;
	*out = (uint32_t)(b->n_terms - 1);
	if (b->n_terms * 2 > (size_t)b->term_tab.mask + 1)
		return htab_double(&b->term_tab, &b->terms[0].hash, sizeof(*b->terms), b->n_terms);
	return PB_OK;
}

/* The term id of a word, through the cache of surface forms. */
static int word_term(struct lex_builder *b, const struct lex_word *w, uint32_t *out)
{
	uint32_t h = hash_str(w->text, w->len), i, e;
	struct surface *sf;
	struct front *fr = &b->front[(h >> 7) & (FRONT_SIZE - 1)];
	char term[LEX_TERM_MAX + 1];
	size_t tn;
	int rc;
	if (fr->hash == h && fr->len == w->len && memcmp(fr->text, w->text, w->len) == 0) {
		*out = fr->term;
		return PB_OK;
	}
	for (i = h & b->surf_tab.mask; (e = b->surf_tab.slot[i]) != 0;
	     i = (i + 1) & b->surf_tab.mask) {
		sf = &b->surf[e - 1];
		if (sf->hash == h && sf->str_len == w->len &&
		    memcmp(b->surf_pool.p + sf->str_off, w->text, w->len) == 0) {
			*out = sf->term;
			goto remember;
		}
	}
	tn = lex_term_of(b->stem, w, term);
	if ((rc = term_id(b, term, tn, out)))
		return rc;
	sf = grow_to(b->surf, &b->cap_surf, b->n_surf + 1, sizeof(*b->surf));
	if (!sf)
		return PB_ENOMEM;
	b->surf = sf;
	sf = &b->surf[b->n_surf];
	if ((rc = pool_add(&b->surf_pool, w->text, w->len, &sf->str_off)))
		return rc;
	sf->str_len = (uint32_t)w->len;
	sf->hash = h;
	sf->term = *out;
	b->surf_tab.slot[i] = (uint32_t)++b->n_surf;
	if (b->n_surf * 2 > (size_t)b->surf_tab.mask + 1 &&
	    htab_double(&b->surf_tab, &b->surf[0].hash, sizeof(*b->surf), b->n_surf))
		return PB_ENOMEM;
remember:
	if (w->len <= FRONT_TEXT) {
		fr->hash = h;
		fr->term = *out;
		fr->len = (uint8_t)w->len;
		memcpy(fr->text, w->text, w->len);
	}
	return PB_OK;
}

static int cat_id(struct lex_builder *b, const char *name, uint16_t *out)
{
	size_t k, n = strlen(name);
	uint32_t off;
	for (k = 0; k < b->n_catnames; k++)
		if (b->catname_off[k + 1] - b->catname_off[k] == n &&
		    memcmp(b->catnames.p + b->catname_off[k], name, n) == 0) {
			*out = (uint16_t)k;
			return PB_OK;
		}
	uint32_t *no;
	if (b->n_catnames >= CATS_MAX)
		return PB_ETOOBIG;
	no = grow_to(b->catname_off, &b->cap_catnames, b->n_catnames + 2, sizeof(uint32_t));
	if (!no)
		return PB_ENOMEM;
	b->catname_off = no;
	if (pool_add(&b->catnames, name, n, &off))
		return PB_ENOMEM;
	b->catname_off[b->n_catnames] = off;
	b->catname_off[++b->n_catnames] = (uint32_t)b->catnames.len;
	*out = (uint16_t)(b->n_catnames - 1);
	return PB_OK;
}

/* ---- life cycle ---- */

struct lex_builder *lex_builder_new(const struct lex_stats *stats)
{
	struct lex_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (stats) {
		b->have_stats = 1;
		b->stats = *stats;
	}
	b->stem = lex_stemmer_new();
	b->catname_off = calloc(16, sizeof(uint32_t));
	b->cap_catnames = 16;
	b->front = calloc(FRONT_SIZE, sizeof(*b->front));
	if (!b->stem || !b->catname_off || !b->front || htab_init(&b->term_tab, 1 << 16) ||
	    htab_init(&b->surf_tab, 1 << 16)) {
		lex_builder_free(b);
		return NULL;
	}
	return b;
}

void lex_builder_free(struct lex_builder *b)
{
	size_t k;
	if (!b)
		return;
	lex_stemmer_free(b->stem);
	for (k = 0; k < b->n_terms; k++) {
		free(b->terms[k].post.p);
		free(b->terms[k].pos.p);
	}
	free(b->terms);
	free(b->term_tab.slot);
	free(b->term_pool.p);
	free(b->surf);
	free(b->front);
	free(b->surf_tab.slot);
	free(b->surf_pool.p);
	free(b->row);
	free(b->chash);
	free(b->day);
	free(b->votes);
	for (k = 0; k < LEX_NFIELDS; k++)
		free(b->len[k]);
	free(b->cat_off);
	free(b->cats);
	free(b->id_off);
	free(b->ids.p);
	free(b->catnames.p);
	free(b->catname_off);
	free(b->tok_term);
	free(b->tok_pos);
	free(b->stamp);
	free(b->slot_of);
	free(b->slots);
	free(b->placed);
	free(b->recs);
	free(b->recs_tmp);
	free(b->bpos);
	free(b);
}

uint32_t lex_builder_docs(const struct lex_builder *b)
{
	return b->n_docs;
}

/* ---- adding documents ---- */

uint64_t lex_paper_hash(const struct paper *p)
{
	const char *parts[4] = {p->title, p->abstract, p->authors, p->announced};
	uint64_t h = 0x5042u;
	size_t k;
	int32_t votes = p->upvotes > 0 ? p->upvotes : 0;
	for (k = 0; k < 4; k++)
		h = lex_hash64(parts[k] ? parts[k] : "", parts[k] ? strlen(parts[k]) + 1 : 0, h);
	for (k = 0; k < p->n_categories; k++)
		h = lex_hash64(p->categories[k], strlen(p->categories[k]) + 1, h);
	h = lex_hash64(p->arxiv_id, strlen(p->arxiv_id), h);
	return lex_hash64(&votes, sizeof(votes), h);
}

static int32_t day_of(const struct paper *p)
{
	const char *d = p->announced ? p->announced : p->published ? p->published : p->updated;
	int y, m, dd;
	if (d && strlen(d) >= 10 && date_parse_day(d, 10, &y, &m, &dd) == PB_OK)
		return (int32_t)date_to_days(y, m, dd);
	return INT32_MIN;
}

static int add_tokens(struct lex_builder *b, const char *text, enum lex_field f)
{
	struct lex_scan sc;
	struct lex_word w;
	uint32_t count = 0;
	int rc;
	if (!text)
		return PB_OK;
	lex_scan_init(&sc, text, strlen(text));
	while (lex_scan_next(&sc, &w)) {
		uint32_t t;
		if (w.pos >= field_room[f])
			break;
		if ((rc = word_term(b, &w, &t)))
			return rc;
		if (b->n_tok + 1 > b->cap_tok) {
			size_t cap = b->cap_tok ? b->cap_tok * 2 : 1024;
			if (RESIZE(b->tok_term, cap) || RESIZE(b->tok_pos, cap) ||
			    RESIZE(b->placed, cap))
				return PB_ENOMEM;
			b->cap_tok = cap;
		}
		b->tok_term[b->n_tok] = t;
		b->tok_pos[b->n_tok] = field_base[f] + w.pos;
		b->n_tok++;
		count++;
	}
	b->len[f][b->n_docs] = count;
	b->total_len[f] += count;
	return PB_OK;
}

/* Appends the batch to the terms' postings in term order (a stable radix
 * sort keeps each term's documents ascending). */
static int flush(struct lex_builder *b)
{
	size_t i, shift;
	uint8_t tmp[32];
	for (shift = 0; shift < 32 && (b->n_terms >> shift) > 0; shift += 12) {
		size_t count[4097] = {0};
		struct rec *t;
		for (i = 0; i < b->n_recs; i++)
			count[((b->recs[i].term >> shift) & 4095) + 1]++;
		for (i = 1; i <= 4096; i++)
			count[i] += count[i - 1];
		for (i = 0; i < b->n_recs; i++)
			b->recs_tmp[count[(b->recs[i].term >> shift) & 4095]++] = b->recs[i];
		t = b->recs;
		b->recs = b->recs_tmp;
		b->recs_tmp = t;
	}
	for (i = 0; i < b->n_recs; i++) {
		const struct rec *r = &b->recs[i];
		struct bterm *t = &b->terms[r->term];
		const uint32_t *pp = b->bpos + r->pos_at;
		uint32_t prev = 0, j, v;
		size_t n = lex_varint_put(tmp, t->df ? r->doc - t->last_doc : r->doc);
		n += lex_tf_put(tmp + n, r->tf);
		if (bytes_room(&t->post, n) || bytes_room(&t->pos, (size_t)r->npos * 5))
			return PB_ENOMEM;
		memcpy(t->post.p + t->post.len, tmp, n);
		t->post.len += (uint32_t)n;
		for (j = 0; j < r->npos; j++) {
			v = j < REC_POS ? r->pos[j] : pp[j];
			t->pos.len += (uint32_t)lex_varint_put(t->pos.p + t->pos.len, v - prev);
			prev = v;
		}
		t->df++;
		t->last_doc = r->doc;
	}
	b->n_recs = 0;
	b->n_bpos = 0;
	return PB_OK;
}

int lex_builder_add(struct lex_builder *b, int64_t row, const struct paper *p, struct pb_err *err)
{
	uint32_t doc = b->n_docs, f, k;
	size_t i;
	int rc;

	if (p->deleted)
		return PB_OK;
	if (doc && row <= b->row[doc - 1])
		return pb_err_set(err, PB_EINVAL, "search index: row %lld after row %lld",
				  (long long)row, (long long)b->row[doc - 1]);
	if (doc == UINT32_MAX - 1)
		return pb_err_set(err, PB_ETOOBIG, "search index: too many papers");
	if (doc + 2 > b->cap_docs) {
		size_t cap = b->cap_docs ? b->cap_docs * 2 : 1024;
		if (RESIZE(b->row, cap) || RESIZE(b->chash, cap) || RESIZE(b->day, cap) ||
		    RESIZE(b->votes, cap) || RESIZE(b->len[0], cap) || RESIZE(b->len[1], cap) ||
		    RESIZE(b->len[2], cap) || RESIZE(b->cat_off, cap) || RESIZE(b->id_off, cap))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cap_docs = cap;
	}
	b->row[doc] = row;
	b->chash[doc] = lex_paper_hash(p);
	b->day[doc] = day_of(p);
	b->votes[doc] = p->upvotes > 0 ? p->upvotes : 0;
	if (doc == 0) {
		b->cat_off[0] = 0;
		b->id_off[0] = 0;
	}
	for (i = 0; i < p->n_categories; i++) {
		uint16_t c;
		if (cat_id(b, p->categories[i], &c))
			continue;
		uint16_t *nc = grow_to(b->cats, &b->cap_cats, b->n_cats_used + 1, sizeof(uint16_t));
		if (!nc)
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cats = nc;
		b->cats[b->n_cats_used++] = c;
	}
	b->cat_off[doc + 1] = (uint32_t)b->n_cats_used;
	{
		uint32_t off;
		if (pool_add(&b->ids, p->arxiv_id, strlen(p->arxiv_id), &off))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->id_off[doc + 1] = (uint32_t)b->ids.len;
	}

	/* words of the three fields, in position order */
	b->n_tok = 0;
	if ((rc = add_tokens(b, p->title, LEX_TITLE)) ||
	    (rc = add_tokens(b, p->abstract, LEX_ABSTRACT)) ||
	    (rc = add_tokens(b, p->authors, LEX_AUTHORS)))
		return pb_err_set(err, rc,
				  rc == PB_ENOMEM ? "out of memory" : "search index too large");
	b->n_docs++;

	/* group by term: a slot per distinct term */
	if (b->n_terms > b->cap_stamp) {
		size_t cap = b->cap_stamp ? b->cap_stamp : 1024;
		while (cap < b->n_terms)
			cap *= 2;
		if (RESIZE(b->stamp, cap) || RESIZE(b->slot_of, cap))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		memset(b->stamp + b->cap_stamp, 0, (cap - b->cap_stamp) * sizeof(uint32_t));
		b->cap_stamp = cap;
	}
	b->n_slots = 0;
	for (i = 0; i < b->n_tok; i++) {
		uint32_t t = b->tok_term[i], pos = b->tok_pos[i];
		struct slot *s;
		f = pos >= LEX_BASE_AUTHORS    ? LEX_AUTHORS
		    : pos >= LEX_BASE_ABSTRACT ? LEX_ABSTRACT
					       : LEX_TITLE;
		if (b->stamp[t] != doc + 1) {
			s = grow_to(b->slots, &b->cap_slots, b->n_slots + 1, sizeof(*b->slots));
			if (!s)
				return pb_err_set(err, PB_ENOMEM, "out of memory");
			b->slots = s;
			b->stamp[t] = doc + 1;
			b->slot_of[t] = (uint32_t)b->n_slots;
			s = &b->slots[b->n_slots++];
			memset(s, 0, sizeof(*s));
			s->term = t;
		}
		s = &b->slots[b->slot_of[t]];
		s->tf[f]++;
		s->count++;
	}
	/* positions of each slot, contiguous, in token order */
	{
		uint32_t at = 0;
		for (k = 0; k < b->n_slots; k++) {
			b->slots[k].at = at;
			at += b->slots[k].count;
		}
		for (i = 0; i < b->n_tok; i++) {
			struct slot *s = &b->slots[b->slot_of[b->tok_term[i]]];
			b->placed[s->at++] = b->tok_pos[i];
		}
	}
	if (b->n_recs + b->n_slots > b->cap_recs) {
		size_t cap = b->cap_recs ? b->cap_recs : 4096;
		while (cap < b->n_recs + b->n_slots)
			cap *= 2;
		if (RESIZE(b->recs, cap) || RESIZE(b->recs_tmp, cap))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cap_recs = cap;
	}
	if (b->n_bpos + b->n_tok > b->cap_bpos) {
		size_t cap = b->cap_bpos ? b->cap_bpos : 4096;
		while (cap < b->n_bpos + b->n_tok)
			cap *= 2;
		if (RESIZE(b->bpos, cap))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cap_bpos = cap;
	}
	memcpy(b->bpos + b->n_bpos, b->placed, b->n_tok * sizeof(uint32_t));
	for (k = 0; k < b->n_slots; k++) {
		const struct slot *s = &b->slots[k];
		struct rec *r = &b->recs[b->n_recs++];
		r->term = s->term;
		r->doc = doc;
		memcpy(r->tf, s->tf, sizeof(r->tf));
		r->pos_at = (uint32_t)b->n_bpos + s->at - s->count;
		r->npos = s->count;
		memcpy(r->pos, b->placed + s->at - s->count,
		       (s->count < REC_POS ? s->count : REC_POS) * sizeof(uint32_t));
	}
	b->n_bpos += b->n_tok;
	if (b->n_recs >= BATCH_RECS && (rc = flush(b)))
		return pb_err_set(err, rc, "out of memory (search index)");
	return PB_OK;
}

/* ---- writing ---- */

struct out {
	FILE *f;
	struct lex_hasher h;
	uint64_t off;
	int failed;
};

static void out_put(struct out *o, const void *p, size_t n)
{
	if (!n || o->failed)
		return;
	if (fwrite(p, 1, n, o->f) != n) {
		o->failed = 1;
		return;
	}
	lex_hasher_add(&o->h, p, n);
	o->off += n;
}

static void out_begin(struct out *o, struct lex_header *hd, enum lex_section s)
{
	static const uint8_t zero[8];
	out_put(o, zero, (size_t)((8 - o->off % 8) % 8));
	hd->sec[s].off = o->off;
}

static void out_end(struct out *o, struct lex_header *hd, enum lex_section s)
{
	hd->sec[s].size = o->off - hd->sec[s].off;
}

static const struct lex_builder *sort_ctx;

static int cmp_terms(const void *x, const void *y)
{
	const struct bterm *a = &sort_ctx->terms[*(const uint32_t *)x];
	const struct bterm *b = &sort_ctx->terms[*(const uint32_t *)y];
	size_t n = a->str_len < b->str_len ? a->str_len : b->str_len;
	int c = memcmp(sort_ctx->term_pool.p + a->str_off, sort_ctx->term_pool.p + b->str_off, n);
	if (c)
		return c;
	return a->str_len < b->str_len ? -1 : a->str_len > b->str_len;
}

static uint64_t random_id(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&v;
	return v;
}

int lex_builder_write(struct lex_builder *b, FILE *f, int64_t max_row, const char *built,
		      struct pb_err *err)
{
	struct lex_header hd;
	struct out o;
	uint32_t *order = NULL;
	float *norm = NULL;
	uint16_t *len16 = NULL;
	struct lex_terminfo *info = NULL;
	struct lex_skip *skips = NULL;
	size_t n_skips = 0, cap_skips = 0, k;
	uint32_t n = b->n_docs, f_, d;
	uint64_t post_off = 0, pos_off = 0;
	struct lex_block *blk = NULL;
	uint8_t zero_header[LEX_HEADER_SIZE];
	int rc = PB_OK;

	memset(&hd, 0, sizeof(hd));
	memset(&o, 0, sizeof(o));
	o.f = f;
	if (flush(b))
		return pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
	_Static_assert(sizeof(struct lex_header) <= LEX_HEADER_SIZE, "header too large");

	/* statistics and per-document factors */
	if (b->have_stats) {
		memcpy(hd.avg_len, b->stats.avg_len, sizeof(hd.avg_len));
		hd.stats_docs = b->stats.n_docs;
	} else {
		for (f_ = 0; f_ < LEX_NFIELDS; f_++)
			hd.avg_len[f_] = n ? (float)(b->total_len[f_] / n) : 1.0f;
		hd.stats_docs = n;
	}
	for (f_ = 0; f_ < LEX_NFIELDS; f_++)
		if (!(hd.avg_len[f_] > 0.01f))
			hd.avg_len[f_] = 1.0f;
	norm = malloc((size_t)LEX_NFIELDS * (n ? n : 1) * sizeof(float));
	len16 = malloc((size_t)LEX_NFIELDS * (n ? n : 1) * sizeof(uint16_t));
	order = malloc((b->n_terms ? b->n_terms : 1) * sizeof(uint32_t));
	info = calloc(b->n_terms ? b->n_terms : 1, sizeof(*info));
	blk = malloc(sizeof(*blk));
	if (!norm || !len16 || !order || !info || !blk) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
		goto out;
	}
	for (f_ = 0; f_ < LEX_NFIELDS; f_++)
		for (d = 0; d < n; d++) {
			uint32_t l = b->len[f_][d];
			norm[(size_t)d * LEX_NFIELDS + f_] =
			    lex_field_weight[f_] /
			    (1.0f - lex_field_b[f_] + lex_field_b[f_] * (float)l / hd.avg_len[f_]);
			len16[(size_t)f_ * n + d] = (uint16_t)(l > 65535 ? 65535 : l);
		}

	/* dictionary order, term info and skip tables */
	for (k = 0; k < b->n_terms; k++)
		order[k] = (uint32_t)k;
	sort_ctx = b;
	qsort(order, b->n_terms, sizeof(*order), cmp_terms);
	sort_ctx = NULL;
	for (k = 0; k < b->n_terms; k++) {
		struct bterm *t = &b->terms[order[k]];
		const uint8_t *p = t->post.p, *end = t->post.p + t->post.len;
		const uint8_t *pp = t->pos.p, *pend = t->pos.p + t->pos.len;
		uint32_t base = 0, seen = 0, j;
		float tmax = 0;
		info[k].df = t->df;
		info[k].first_skip = (uint32_t)n_skips;
		info[k].post_off = post_off;
		info[k].pos_off = pos_off;
		while (seen < t->df) {
			struct lex_skip *sk;
			float bmax = 0;
			sk = grow_to(skips, &cap_skips, n_skips + 1, sizeof(*skips));
			if (!sk) {
				rc = pb_err_set(err, PB_ENOMEM,
						"out of memory writing the search index");
				goto out;
			}
			skips = sk;
			sk = &skips[n_skips++];
			sk->post_rel = (uint32_t)(p - t->post.p);
			sk->pos_rel = (uint32_t)(pp - t->pos.p);
			if (lex_block_decode(&p, end, base, seen == 0, LEX_BLOCK, blk) || !blk->n) {
				rc = pb_err_set(err, PB_ECORRUPT,
						"search index: postings do not decode");
				goto out;
			}
			for (j = 0; j < blk->n; j++) {
				uint32_t dd = blk->doc[j];
				const float *nd = norm + (size_t)dd * LEX_NFIELDS;
				float tf = lex_tf_tilde(blk->tf[j], nd[0], nd[1], nd[2]);
				if (tf > bmax)
					bmax = tf;
				if (lex_pos_skip(&pp, pend,
						 blk->tf[j][0] + blk->tf[j][1] + blk->tf[j][2])) {
					rc = pb_err_set(err, PB_ECORRUPT,
							"search index: positions do not decode");
					goto out;
				}
			}
			sk->last_doc = blk->doc[blk->n - 1];
			sk->max_tf = bmax;
			if (bmax > tmax)
				tmax = bmax;
			base = sk->last_doc;
			seen += blk->n;
		}
		info[k].max_tf = tmax;
		post_off += t->post.len;
		pos_off += t->pos.len;
	}
	if (n_skips > UINT32_MAX) {
		rc = pb_err_set(err, PB_ETOOBIG, "search index too large");
		goto out;
	}

	/* header fields */
	memcpy(hd.magic, LEX_MAGIC, 8);
	hd.version = LEX_FORMAT_VERSION;
	hd.header_size = LEX_HEADER_SIZE;
	hd.byte_order = LEX_BYTE_ORDER;
	hd.n_docs = n;
	hd.n_terms = (uint32_t)b->n_terms;
	hd.n_cats = (uint32_t)b->n_catnames;
	hd.n_skips = (uint32_t)n_skips;
	hd.build_id = random_id();
	hd.max_row = max_row;
	hd.k1 = LEX_K1;
	for (f_ = 0; f_ < LEX_NFIELDS; f_++) {
		hd.weight[f_] = lex_field_weight[f_];
		hd.b[f_] = lex_field_b[f_];
	}
	snprintf(hd.built, sizeof(hd.built), "%s", built ? built : "");

	/* sections */
	memset(zero_header, 0, sizeof(zero_header));
	if (fwrite(zero_header, 1, LEX_HEADER_SIZE, f) != LEX_HEADER_SIZE)
		o.failed = 1;
	o.off = LEX_HEADER_SIZE;
	lex_hasher_init(&o.h, 0);

	out_begin(&o, &hd, LS_ROW);
	out_put(&o, b->row, (size_t)n * sizeof(int64_t));
	out_end(&o, &hd, LS_ROW);
	out_begin(&o, &hd, LS_HASH);
	out_put(&o, b->chash, (size_t)n * sizeof(uint64_t));
	out_end(&o, &hd, LS_HASH);
	out_begin(&o, &hd, LS_DAY);
	out_put(&o, b->day, (size_t)n * sizeof(int32_t));
	out_end(&o, &hd, LS_DAY);
	out_begin(&o, &hd, LS_VOTES);
	out_put(&o, b->votes, (size_t)n * sizeof(int32_t));
	out_end(&o, &hd, LS_VOTES);
	out_begin(&o, &hd, LS_NORM);
	out_put(&o, norm, (size_t)LEX_NFIELDS * n * sizeof(float));
	out_end(&o, &hd, LS_NORM);
	out_begin(&o, &hd, LS_LEN);
	out_put(&o, len16, (size_t)LEX_NFIELDS * n * sizeof(uint16_t));
	out_end(&o, &hd, LS_LEN);
	{
		uint32_t zero32 = 0;
		out_begin(&o, &hd, LS_CATOFF);
		if (n)
			out_put(&o, b->cat_off, ((size_t)n + 1) * sizeof(uint32_t));
		else
			out_put(&o, &zero32, sizeof(zero32));
		out_end(&o, &hd, LS_CATOFF);
		out_begin(&o, &hd, LS_CATS);
		out_put(&o, b->cats, b->n_cats_used * sizeof(uint16_t));
		out_end(&o, &hd, LS_CATS);
		out_begin(&o, &hd, LS_CATNAMEOFF);
		out_put(&o, b->catname_off, (b->n_catnames + 1) * sizeof(uint32_t));
		out_end(&o, &hd, LS_CATNAMEOFF);
		out_begin(&o, &hd, LS_CATNAMES);
		out_put(&o, b->catnames.p, b->catnames.len);
		out_end(&o, &hd, LS_CATNAMES);
		out_begin(&o, &hd, LS_IDOFF);
		if (n)
			out_put(&o, b->id_off, ((size_t)n + 1) * sizeof(uint32_t));
		else
			out_put(&o, &zero32, sizeof(zero32));
		out_end(&o, &hd, LS_IDOFF);
	}
	out_begin(&o, &hd, LS_IDS);
	out_put(&o, b->ids.p, b->ids.len);
	out_end(&o, &hd, LS_IDS);
	{
		uint32_t off = 0;
		out_begin(&o, &hd, LS_TERMOFF);
		for (k = 0; k < b->n_terms; k++) {
			out_put(&o, &off, sizeof(off));
			off += b->terms[order[k]].str_len;
		}
		out_put(&o, &off, sizeof(off));
		out_end(&o, &hd, LS_TERMOFF);
		out_begin(&o, &hd, LS_TERMS);
		for (k = 0; k < b->n_terms; k++)
			out_put(&o, b->term_pool.p + b->terms[order[k]].str_off,
				b->terms[order[k]].str_len);
		out_end(&o, &hd, LS_TERMS);
	}
	out_begin(&o, &hd, LS_INFO);
	out_put(&o, info, b->n_terms * sizeof(*info));
	out_end(&o, &hd, LS_INFO);
	out_begin(&o, &hd, LS_SKIPS);
	out_put(&o, skips, n_skips * sizeof(*skips));
	out_end(&o, &hd, LS_SKIPS);
	out_begin(&o, &hd, LS_POST);
	for (k = 0; k < b->n_terms; k++)
		out_put(&o, b->terms[order[k]].post.p, b->terms[order[k]].post.len);
	out_end(&o, &hd, LS_POST);
	out_begin(&o, &hd, LS_POS);
	for (k = 0; k < b->n_terms; k++)
		out_put(&o, b->terms[order[k]].pos.p, b->terms[order[k]].pos.len);
	out_end(&o, &hd, LS_POS);

	hd.file_size = o.off;
	hd.data_hash = lex_hasher_end(&o.h);
	hd.header_hash = 0;
	memset(zero_header, 0, sizeof(zero_header));
	memcpy(zero_header, &hd, sizeof(hd));
	hd.header_hash = lex_hash64(zero_header, LEX_HEADER_SIZE, 0);
	memcpy(zero_header, &hd, sizeof(hd));
	if (!o.failed && (fseek(f, 0, SEEK_SET) != 0 ||
			  fwrite(zero_header, 1, LEX_HEADER_SIZE, f) != LEX_HEADER_SIZE ||
			  fseek(f, (long)hd.file_size, SEEK_SET) != 0 || fflush(f) != 0))
		o.failed = 1;
	if (o.failed)
		rc = pb_err_set(err, PB_EIO, "writing the search index failed");
out:
	free(order);
	free(norm);
	free(len16);
	free(info);
	free(skips);
	free(blk);
	return rc;
}
