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
 *   IMPACT     uint8[]          one per posting, term after term, from
 *                               INFO[t].imp_off: a bound of its score over idf
 *                               (lex_impact_of in lex.h)
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
#include "lex_build_int.h"

#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

/* How a build goes: a paper is first analysed into its words
 * (lex_batch.c; no shared state, so any thread may do it). The builder
 * gives each word its term through a table of the surface words seen (each
 * distinct word is stemmed once), groups the document's words by term and
 * appends one record per (document, term) to the log of the term's bucket:
 * the term, then its posting bytes (docid delta and frequencies) and
 * position bytes exactly as they will stand in the file, counting each
 * term's bytes. A bucket holds the terms of a range of leading bytes, so
 * its terms lie together in the dictionary. Writing sorts the dictionary,
 * gives every term its place in the postings and positions sections and
 * its skip entries, and moves each bucket's log there (two threads, each
 * half of the buckets), computing the block maxima on the way. The file
 * depends only on the papers and their order. */

#define CATS_MAX 65535u

/* Asks for huge pages for the big tables the build reads at random (a
 * miss in the TLB costs as much as one in the cache); before first use.
 * Only a hint: cannot fail. */
static void huge_pages(void *p, size_t n)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + n) & ~(huge - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
}

/* LEB128 as lex_varint_put writes it, inlined for the build's loops. */
static inline size_t put_varint(uint8_t *p, uint32_t v)
{
	size_t k = 0;
	while (v >= 0x80) {
		p[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[k++] = (uint8_t)v;
	return k;
}

/* Reads a varint the builder wrote itself (so well formed). */
static inline uint32_t get_varint(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	unsigned shift = 0;
	while (*p & 0x80) {
		v |= (uint32_t)(*p++ & 0x7F) << shift;
		shift += 7;
	}
	v |= (uint32_t)*p++ << shift;
	*pp = p;
	return v;
}

/* ==== the builder ==== */

/* A term (a stem, or a word kept as it is). */
struct bterm {
	uint32_t str_off, str_len, hash;
};

/* What a build keeps per term while adding documents. */
struct tstate {
	uint32_t last_doc, df;
	uint32_t pos_len;  /* bytes of its positions */
	uint32_t bucket;   /* its log */
	uint16_t blk_rest; /* its open block: rest bytes of saturated frequencies */
	uint8_t blk_w;	   /* ... and the width of its gaps */
};

/* A block that filled up while adding, for the postings' layout. */
struct bfull {
	uint32_t term;
	uint16_t rest;
	uint8_t w;
};

/* The terms of the document being added, by term id: a small open
 * addressing table that stays in the first-level cache; entries of
 * earlier documents have older stamps. */
struct dterm {
	uint32_t stamp; /* docid + 1 */
	uint32_t term, slot;
};

/* A surface word already seen, and its term: open addressing over slots
 * of 32 bytes. A word of up to 24 bytes is its key, zero-padded; a longer
 * one has key[0] = 0 (no word starts with a zero byte), key[1] its offset
 * in the pool of long words, key[2] its length. */
struct wslot {
	uint32_t hash;
	uint32_t term; /* term id + 1; 0: empty */
	uint64_t key[KEY_WORDS];
};

/* A word of the document being added, its key computed ahead. */
struct wkey {
	uint64_t key[KEY_WORDS];
	const uint8_t *text;
	uint32_t hash, len, pos, kind;
};

/* Open addressing over the terms; slots hold term id + 1 (0 = empty). */
struct htab {
	uint32_t *slot;
	uint32_t mask;
};

/* A document's term with its frequencies (its positions come later). */
struct slot {
	uint32_t term;
	uint32_t tf[LEX_NFIELDS];
	uint32_t count, at;
};

/* The logs of postings, one per bucket of terms: a record per (document,
 * term) in document order, as the varint term id, the posting bytes and
 * the position bytes, as they will stand in the file. A bucket holds the
 * terms of a range of leading bytes (term_bucket), so that its terms lie
 * together in the dictionary and writing moves each log into a small
 * region of the file. */
#define BUCKETS 256
struct chunk {
	struct chunk *next;
	size_t len, cap;
	uint8_t data[];
};
struct log {
	uint8_t *cur, *end; /* the free room of the last chunk */
	struct chunk *head, *tail;
	size_t next;	/* size of the next chunk */
	uint64_t bytes; /* in the chunks before the last */
};
#define CHUNK_MIN ((size_t)1 << 12)
#define CHUNK_MAX ((size_t)1 << 22)

struct lex_builder {
	int have_stats;
	struct lex_stats stats;
	struct lex_stemmer *stem;
	struct lex_batch *one; /* for lex_builder_add */

	struct bterm *terms;
	struct tstate *ts;
	size_t n_terms, cap_terms;
	struct htab term_tab;
	struct pool term_pool;

	struct wslot *words;
	uint32_t words_mask;
	size_t n_words;
	struct pool long_words;

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
	struct wkey *wk;
	uint32_t *tok_slot, *tok_pos, *placed;
	struct dterm *dt;
	size_t cap_dt;
	size_t cap_tok;
	struct slot *slots;
	size_t cap_slots;

	struct bfull *full; /* in the order they filled */
	size_t n_full, cap_full;

	/* the logs */
	struct log logs[BUCKETS];
};

/* ---- terms ---- */

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

/* The bucket of a term: a function of its first two bytes that never
 * decreases in byte order, about even on English text. */
static uint32_t term_bucket(const char *s, size_t n)
{
	unsigned c0 = (unsigned char)s[0], c1 = n > 1 ? (unsigned char)s[1] : 0, sub;
	if (c0 < '0')
		return 0;
	if (c0 <= '9')
		return c0 - '0';
	if (c0 < 'a')
		return 10;
	if (c0 <= 'z') {
		sub = c1 < 'a' ? 0 : c1 <= 'z' ? 1 + (c1 - 'a') * 8 / 26 : 8;
		return 16 + (c0 - 'a') * 9 + sub;
	}
	c0 = 250 + (c0 - '{') / 40;
	return c0 < BUCKETS ? c0 : BUCKETS - 1;
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
	if (b->n_terms + 1 > b->cap_terms) {
		size_t cap = b->cap_terms ? b->cap_terms * 2 : 1024;
		struct tstate *nts = malloc(cap * sizeof(*nts));
		if (!nts)
			return PB_ENOMEM;
		huge_pages(nts, cap * sizeof(*nts));
		if (b->n_terms)
			memcpy(nts, b->ts, b->n_terms * sizeof(*nts));
		free(b->ts);
		b->ts = nts;
		if (RESIZE(b->terms, cap))
			return PB_ENOMEM;
		b->cap_terms = cap;
	}
	t = &b->terms[b->n_terms];
	memset(t, 0, sizeof(*t));
	memset(&b->ts[b->n_terms], 0, sizeof(b->ts[0]));
	if (pool_add(&b->term_pool, s, n, &t->str_off))
		return PB_ENOMEM;
	t->str_len = (uint32_t)n;
	t->hash = h;
	b->ts[b->n_terms].bucket = term_bucket(s, n);
	b->term_tab.slot[i] = (uint32_t)++b->n_terms;
	*out = (uint32_t)(b->n_terms - 1);
	if (b->n_terms * 2 > (size_t)b->term_tab.mask + 1) {
		/* twice the slots */
		uint32_t size = (b->term_tab.mask + 1) * 2;
		uint32_t *ns = calloc(size, sizeof(*ns));
		size_t k;
		if (!ns)
			return PB_ENOMEM;
		for (k = 0; k < b->n_terms; k++) {
			for (i = b->terms[k].hash & (size - 1); ns[i]; i = (i + 1) & (size - 1))
				;
			ns[i] = (uint32_t)k + 1;
		}
		free(b->term_tab.slot);
		b->term_tab.slot = ns;
		b->term_tab.mask = size - 1;
	}
	return PB_OK;
}

/* ---- surface words ---- */

static int words_grow(struct lex_builder *b)
{
	uint32_t size = (b->words_mask + 1) * 2, i;
	struct wslot *ns = calloc(size, sizeof(*ns));
	size_t k;
	if (!ns)
		return PB_ENOMEM;
	huge_pages(ns, size * sizeof(*ns));
	for (k = 0; k <= b->words_mask; k++) {
		if (!b->words[k].term)
			continue;
		for (i = b->words[k].hash & (size - 1); ns[i].term; i = (i + 1) & (size - 1))
			;
		ns[i] = b->words[k];
	}
	free(b->words);
	b->words = ns;
	b->words_mask = size - 1;
	return PB_OK;
}

/* The term id of a new surface word: stemmed once, remembered. */
static int word_new(struct lex_builder *b, const uint8_t *text, size_t len, enum lex_kind kind,
		    struct wslot *s, uint32_t h, const uint64_t key[KEY_WORDS], uint32_t *out)
{
	struct lex_word w;
	char term[LEX_TERM_MAX + 1];
	size_t tn;
	int rc;
	memset(&w, 0, sizeof(w));
	memcpy(w.text, text, len);
	w.text[len] = '\0';
	w.len = len;
	w.kind = kind;
	tn = lex_term_of(b->stem, &w, term);
	if ((rc = term_id(b, term, tn, out)))
		return rc;
	s->hash = h;
	s->term = *out + 1;
	memcpy(s->key, key, sizeof(s->key));
	if (len > KEY_BYTES) {
		uint32_t off;
		if ((rc = pool_add(&b->long_words, (const char *)text, len, &off)))
			return rc;
		s->key[1] = off;
	}
	if (++b->n_words * 2 > (size_t)b->words_mask + 1)
		return words_grow(b);
	return PB_OK;
}

/* The term id of word x (its key computed). */
static inline int word_term(struct lex_builder *b, const struct wkey *x, uint32_t *out)
{
	uint32_t i;
	struct wslot *s;
	for (i = x->hash & b->words_mask;; i = (i + 1) & b->words_mask) {
		s = &b->words[i];
		if (!s->term)
			break;
		if (s->hash != x->hash || s->key[0] != x->key[0] || s->key[2] != x->key[2])
			continue;
		if (x->key[0] ? s->key[1] == x->key[1]
			      : memcmp(b->long_words.p + s->key[1], x->text, x->len) == 0) {
			*out = s->term - 1;
			return PB_OK;
		}
	}
	return word_new(b, x->text, x->len, (enum lex_kind)x->kind, s, x->hash, x->key, out);
}

static int cat_id(struct lex_builder *b, const char *name, size_t n, uint16_t *out)
{
	size_t k;
	uint32_t off;
	uint32_t *no;
	for (k = 0; k < b->n_catnames; k++)
		if (b->catname_off[k + 1] - b->catname_off[k] == n &&
		    memcmp(b->catnames.p + b->catname_off[k], name, n) == 0) {
			*out = (uint16_t)k;
			return PB_OK;
		}
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
	size_t k;
	if (!b)
		return NULL;
	if (stats) {
		b->have_stats = 1;
		b->stats = *stats;
	}
	b->stem = lex_stemmer_new();
	b->one = lex_batch_new();
	b->catname_off = calloc(16, sizeof(uint32_t));
	b->cap_catnames = 16;
	b->words = calloc((size_t)1 << 14, sizeof(*b->words));
	b->words_mask = (1u << 14) - 1;
	for (k = 0; k < BUCKETS; k++)
		b->logs[k].next = CHUNK_MIN;
	if (!b->stem || !b->one || !b->catname_off || !b->words ||
	    htab_init(&b->term_tab, 1 << 14)) {
		lex_builder_free(b);
		return NULL;
	}
	return b;
}

static void log_free(struct lex_builder *b)
{
	size_t k;
	for (k = 0; k < BUCKETS; k++) {
		while (b->logs[k].head) {
			struct chunk *c = b->logs[k].head;
			b->logs[k].head = c->next;
			free(c);
		}
		b->logs[k].tail = NULL;
	}
}

void lex_builder_free(struct lex_builder *b)
{
	size_t k;
	if (!b)
		return;
	lex_stemmer_free(b->stem);
	lex_batch_free(b->one);
	free(b->terms);
	free(b->ts);
	free(b->full);
	free(b->term_tab.slot);
	free(b->term_pool.p);
	free(b->words);
	free(b->long_words.p);
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
	free(b->wk);
	free(b->dt);
	free(b->tok_slot);
	free(b->tok_pos);
	free(b->placed);
	free(b->slots);
	log_free(b);
	free(b);
}

uint32_t lex_builder_docs(const struct lex_builder *b)
{
	return b->n_docs;
}

int lex_builder_row_hash(const struct lex_builder *b, int64_t row, uint64_t *hash)
{
	uint32_t lo = 0, hi = b->n_docs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (b->row[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == b->n_docs || b->row[lo] != row)
		return 0;
	*hash = b->chash[lo];
	return 1;
}

/* ---- adding documents ---- */

/* Ends the last chunk of log l where its writing stopped. */
static void log_close_chunk(struct log *l)
{
	if (l->tail) {
		l->tail->len = (size_t)(l->cur - l->tail->data);
		l->bytes += l->tail->len;
	}
}

/* A new chunk at the end of log l with room for need bytes: PB_OK or
 * PB_ENOMEM. */
static int log_grow(struct log *l, size_t need)
{
	size_t cap = l->next > need ? l->next : need;
	struct chunk *c = malloc(sizeof(*c) + cap);
	if (!c)
		return PB_ENOMEM;
	huge_pages(c, sizeof(*c) + cap);
	log_close_chunk(l);
	c->next = NULL;
	c->len = 0;
	c->cap = cap;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->cur = c->data;
	l->end = c->data + cap;
	if (l->next < CHUNK_MAX)
		l->next *= 2;
	return PB_OK;
}

/* Words whose slots are being fetched while one is looked up. */
#define WORDS_AHEAD 16

/* Adds one analysed document as docid b->n_docs. */
static int add_doc(struct lex_builder *b, const struct lex_batch *bt, const struct bdoc *d,
		   struct pb_err *err)
{
	uint32_t doc = b->n_docs, f, k, n_slots = 0, n_tok = 0, i;
	const uint8_t *w, *wend;
	int rc;

	if (doc && d->row <= b->row[doc - 1])
		return pb_err_set(err, PB_EINVAL, "search index: row %lld after row %lld",
				  (long long)d->row, (long long)b->row[doc - 1]);
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
	if (d->n_words > b->cap_tok) {
		size_t cap = b->cap_tok ? b->cap_tok : 1024;
		while (cap < d->n_words)
			cap *= 2;
		if (RESIZE(b->wk, cap) || RESIZE(b->tok_slot, cap) || RESIZE(b->tok_pos, cap) ||
		    RESIZE(b->placed, cap) || RESIZE(b->slots, cap))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cap_tok = cap;
	}
	b->row[doc] = d->row;
	b->chash[doc] = d->chash;
	b->day[doc] = d->day;
	b->votes[doc] = d->votes;
	if (doc == 0) {
		b->cat_off[0] = 0;
		b->id_off[0] = 0;
	}
	for (i = 0; i < d->n_cats; i++) {
		uint16_t c, *nc;
		if (cat_id(b, bt->strs.p + bt->cat_off[d->cat_first + i],
			   bt->cat_len[d->cat_first + i], &c))
			continue;
		nc = grow_to(b->cats, &b->cap_cats, b->n_cats_used + 1, sizeof(uint16_t));
		if (!nc)
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->cats = nc;
		b->cats[b->n_cats_used++] = c;
	}
	b->cat_off[doc + 1] = (uint32_t)b->n_cats_used;
	{
		uint32_t off;
		if (pool_add(&b->ids, bt->strs.p + d->id_off, d->id_len, &off))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		b->id_off[doc + 1] = (uint32_t)b->ids.len;
	}
	for (f = 0; f < LEX_NFIELDS; f++) {
		b->len[f][doc] = d->len[f];
		b->total_len[f] += d->len[f];
	}

	/* each word's key */
	w = bt->words + d->words_off;
	wend = bt->words + d->words_end;
	for (n_tok = 0; w < wend; n_tok++) {
		struct wkey *x = &b->wk[n_tok];
		x->len = w[0];
		x->kind = w[1];
		memcpy(&x->pos, w + 2, 4);
		memcpy(&x->hash, w + 6, 4);
		x->text = w + WORD_HEAD;
		if (x->len <= KEY_BYTES) {
			/* zero-padded to 8 bytes at a time by the batch */
			memcpy(&x->key[0], x->text, 8);
			x->key[1] = x->key[2] = 0;
			if (x->len > 8)
				memcpy(&x->key[1], x->text + 8, 8);
			if (x->len > 16)
				memcpy(&x->key[2], x->text + 16, 8);
		} else {
			x->key[0] = x->key[1] = 0;
			x->key[2] = x->len;
		}
		w += WORD_HEAD + word_room(x->len);
	}
	/* each word's term, the table's slots fetched a few words ahead */
	for (i = 0; i < n_tok && i < WORDS_AHEAD; i++)
		__builtin_prefetch(&b->words[b->wk[i].hash & b->words_mask]);
	for (i = 0; i < n_tok; i++) {
		uint32_t t;
		if (i + WORDS_AHEAD < n_tok)
			__builtin_prefetch(&b->words[b->wk[i + WORDS_AHEAD].hash & b->words_mask]);
		if ((rc = word_term(b, &b->wk[i], &t)))
			return pb_err_set(
			    err, rc, rc == PB_ENOMEM ? "out of memory" : "search index too large");
		b->tok_slot[i] = t;
	}
	/* grouped by term: a slot per distinct term of the document */
	{
		uint32_t bits = 6, mask;
		while ((1u << bits) < 2 * n_tok)
			bits++;
		mask = (1u << bits) - 1;
		if ((size_t)mask + 1 > b->cap_dt) {
			struct dterm *nd = calloc((size_t)mask + 1, sizeof(*nd));
			if (!nd)
				return pb_err_set(err, PB_ENOMEM, "out of memory");
			free(b->dt);
			b->dt = nd;
			b->cap_dt = (size_t)mask + 1;
		}
		for (i = 0; i < n_tok; i++) {
			uint32_t t = b->tok_slot[i], pos = b->wk[i].pos, h;
			struct dterm *e;
			struct slot *s;
			f = pos >= LEX_BASE_AUTHORS    ? LEX_AUTHORS
			    : pos >= LEX_BASE_ABSTRACT ? LEX_ABSTRACT
						       : LEX_TITLE;
			for (h = (t * 0x9E3779B1u) >> (32 - bits);; h = (h + 1) & mask) {
				e = &b->dt[h];
				if (e->stamp != doc + 1) {
					e->stamp = doc + 1;
					e->term = t;
					e->slot = n_slots;
					s = &b->slots[n_slots++];
					memset(s, 0, sizeof(*s));
					s->term = t;
					__builtin_prefetch(&b->ts[t]);
					break;
				}
				if (e->term == t) {
					s = &b->slots[e->slot];
					break;
				}
			}
			s->tf[f]++;
			s->count++;
			b->tok_slot[i] = e->slot;
			b->tok_pos[i] = pos;
		}
	}
	b->n_docs++;

	/* positions of each slot, contiguous, in word order */
	{
		uint32_t at = 0;
		for (k = 0; k < n_slots; k++) {
			b->slots[k].at = at;
			at += b->slots[k].count;
		}
		for (i = 0; i < n_tok; i++)
			b->placed[b->slots[b->tok_slot[i]].at++] = b->tok_pos[i];
	}

	/* a record per term in its bucket's log */
	for (k = 0; k < n_slots; k++) {
		const struct slot *s = &b->slots[k];
		struct tstate *ts = &b->ts[s->term];
		struct log *l = &b->logs[ts->bucket];
		const uint32_t *pp = b->placed + s->at - s->count;
		uint8_t *q, *start;
		uint32_t prev = 0, j, gap = ts->df ? doc - ts->last_doc - 1 : doc;
		size_t rest_n, pos_n;
		if ((size_t)(l->end - l->cur) < 5 + 5 + 16 + (size_t)s->count * 5 &&
		    log_grow(l, 5 + 5 + 16 + (size_t)s->count * 5))
			return pb_err_set(err, PB_ENOMEM, "out of memory");
		q = l->cur;
		q += put_varint(q, s->term);
		q += put_varint(q, ts->df ? doc - ts->last_doc : doc);
		q[0] = lex_tf_byte(s->tf, q + 1, &rest_n);
		q += 1 + rest_n;
		start = q;
		for (j = 0; j < s->count; j++) {
			q += put_varint(q, pp[j] - prev);
			prev = pp[j];
		}
		pos_n = (size_t)(q - start);
		if (ts->pos_len + pos_n > UINT32_MAX / 2)
			return pb_err_set(err, PB_ETOOBIG, "search index too large");
		ts->pos_len += (uint32_t)pos_n;
		if (lex_bits(gap) > ts->blk_w)
			ts->blk_w = (uint8_t)lex_bits(gap);
		ts->blk_rest = (uint16_t)(ts->blk_rest + rest_n);
		if (++ts->df % LEX_BLOCK == 0) {
			struct bfull *bf;
			if (b->n_full == b->cap_full) {
				size_t cap = b->cap_full ? 2 * b->cap_full : 4096;
				if (RESIZE(b->full, cap))
					return pb_err_set(err, PB_ENOMEM, "out of memory");
				b->cap_full = cap;
			}
			bf = &b->full[b->n_full++];
			bf->term = s->term;
			bf->rest = ts->blk_rest;
			bf->w = ts->blk_w;
			ts->blk_rest = 0;
			ts->blk_w = 0;
		}
		ts->last_doc = doc;
		l->cur = q;
	}
	return PB_OK;
}

int lex_builder_add_batch(struct lex_builder *b, const struct lex_batch *bt, struct pb_err *err)
{
	size_t i;
	int rc;
	for (i = 0; i < bt->n_docs; i++) {
		if (bt->docs[i].raw)
			return pb_err_set(err, PB_EINVAL, "search index: papers not analysed");
		if ((rc = add_doc(b, bt, &bt->docs[i], err)))
			return rc;
	}
	return PB_OK;
}

int lex_builder_add(struct lex_builder *b, int64_t row, const struct paper *p, struct pb_err *err)
{
	int rc;
	if (p->deleted)
		return PB_OK;
	lex_batch_reset(b->one);
	if ((rc = lex_batch_add(b->one, row, p)))
		return pb_err_set(err, rc, "out of memory");
	return lex_builder_add_batch(b, b->one, err);
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

/* Bytewise order of two terms. */
static int term_cmp(const struct lex_builder *b, uint32_t x, uint32_t y)
{
	const struct bterm *a = &b->terms[x], *c = &b->terms[y];
	size_t n = a->str_len < c->str_len ? a->str_len : c->str_len;
	int r = memcmp(b->term_pool.p + a->str_off, b->term_pool.p + c->str_off, n);
	if (r)
		return r;
	return a->str_len < c->str_len ? -1 : a->str_len > c->str_len;
}

/* The first bytes of a term as a number that sorts as the bytes do. */
static uint64_t term_prefix(const struct lex_builder *b, uint32_t t)
{
	const struct bterm *a = &b->terms[t];
	const uint8_t *p = (const uint8_t *)b->term_pool.p + a->str_off;
	uint64_t v = 0;
	uint32_t k;
	for (k = 0; k < 8; k++)
		v = (v << 8) | (k < a->str_len ? p[k] : 0);
	return v;
}

static int term_cmp_r(const void *x, const void *y, void *ctx)
{
	return term_cmp(ctx, *(const uint32_t *)x, *(const uint32_t *)y);
}

/* Sorts order[0..n) by term bytes: a radix sort by 8-byte prefixes, then
 * runs of equal prefixes by the whole bytes. */
static int sort_terms(struct lex_builder *b, uint32_t *order, size_t n)
{
	uint64_t *key = malloc((n ? n : 1) * sizeof(*key));
	uint64_t *key2 = malloc((n ? n : 1) * sizeof(*key2));
	uint32_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t *count = malloc(65537 * sizeof(*count));
	size_t i, j, shift;
	int rc = PB_ENOMEM;
	if (!key || !key2 || !tmp || !count)
		goto out;
	for (i = 0; i < n; i++)
		key[i] = term_prefix(b, order[i]);
	for (shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65537 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[((key[i] >> shift) & 0xFFFF) + 1]++;
		for (i = 1; i <= 65536; i++)
			count[i] += count[i - 1];
		for (i = 0; i < n; i++) {
			size_t at = count[(key[i] >> shift) & 0xFFFF]++;
			key2[at] = key[i];
			tmp[at] = order[i];
		}
		memcpy(key, key2, n * sizeof(*key));
		memcpy(order, tmp, n * sizeof(*order));
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && key[j] == key[i]; j++)
			;
		if (j - i > 1)
			qsort_r(order + i, j - i, sizeof(*order), term_cmp_r, b);
	}
	rc = PB_OK;
out:
	free(key);
	free(key2);
	free(tmp);
	free(count);
	return rc;
}

static uint64_t random_id(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&v;
	return v;
}

/* Where a term's bytes go while the log is scattered. */
struct place {
	uint64_t post_at, pos_at, imp_at; /* the term's start in the sections */
	uint32_t pos_rel;		  /* position bytes written so far */
	uint32_t rest_rel;		  /* rest bytes written in the current block */
	uint32_t n, df, skip;		  /* postings placed, of df; its first skip entry */
	uint32_t last_doc;
};

/* The end of the log record (term, posting, positions) at p; its term,
 * docid delta, frequencies, where its frequency byte (and the rests of
 * saturated fields after it) and its positions start. */
static inline const uint8_t *record_end(const uint8_t *p, uint32_t *t, uint32_t *delta,
					uint32_t tf[LEX_NFIELDS], const uint8_t **tf_at,
					const uint8_t **pos_at)
{
	uint32_t count;
	uint8_t h;
	*t = get_varint(&p);
	*delta = get_varint(&p);
	*tf_at = p;
	h = *p++;
	tf[LEX_TITLE] = h >> 6;
	tf[LEX_AUTHORS] = (h >> 4) & 3;
	tf[LEX_ABSTRACT] = h & 15;
	if (tf[LEX_TITLE] == 3)
		tf[LEX_TITLE] += get_varint(&p);
	if (tf[LEX_AUTHORS] == 3)
		tf[LEX_AUTHORS] += get_varint(&p);
	if (tf[LEX_ABSTRACT] == 15)
		tf[LEX_ABSTRACT] += get_varint(&p);
	*pos_at = p;
	count = tf[0] + tf[1] + tf[2];
	while (count)
		if (!(*p++ & 0x80))
			count--;
	return p;
}

/* Moves the records of the logs [from, to) into place: the blocks, the
 * positions, the skip entries (last docids, position offsets, largest
 * tf~) and the impacts. */
struct place_job {
	const struct lex_builder *b;
	struct place *pl;
	const float *norm;
	uint8_t *post, *pos, *imp;
	struct lex_skip *skips;
	const uint8_t *width; /* per block */
	unsigned from, to;
};

static void *place_logs(void *arg)
{
	const struct place_job *j = arg;
	unsigned bk;
	for (bk = j->from; bk < j->to; bk++) {
		const struct chunk *c;
		for (c = j->b->logs[bk].head; c; c = c->next) {
			const uint8_t *p = c->data, *end = c->data + c->len;
			while (p < end) {
				uint32_t t, delta, tf[LEX_NFIELDS], i, doc, n, gap, at, nb;
				const uint8_t *tf_at, *pos_at;
				const uint8_t *e = record_end(p, &t, &delta, tf, &tf_at, &pos_at);
				struct place *x = &j->pl[t];
				uint32_t blk = x->skip + x->n / LEX_BLOCK;
				struct lex_skip *sk = &j->skips[blk];
				const float *nd;
				unsigned w;
				uint64_t v;
				uint8_t *dst;
				float tft;
				doc = x->n ? x->last_doc + delta : delta;
				gap = x->n ? delta - 1 : delta;
				p = e;
				x->last_doc = doc;
				i = x->n % LEX_BLOCK;
				nb = x->df - (x->n - i);
				if (nb > LEX_BLOCK)
					nb = LEX_BLOCK;
				w = j->width[blk];
				dst = j->post + x->post_at + sk->post_rel;
				at = 1 + (uint32_t)(((uint64_t)nb * w + 7) / 8); /* the frequencies */
				if (i == 0) {
					dst[0] = (uint8_t)w;
					sk->pos_rel = x->pos_rel;
					sk->max_tf = 0;
					x->rest_rel = 0;
				}
				/* the gap's bits, OR-ed a byte at a time (the buffer is zeroed) */
				v = (uint64_t)gap << ((uint64_t)i * w % 8);
				for (n = 1 + (uint32_t)((uint64_t)i * w / 8); v; n++, v >>= 8)
					dst[n] |= (uint8_t)v;
				dst[at + i] = *tf_at;
				n = (uint32_t)(pos_at - tf_at - 1);
				memcpy(dst + at + nb + x->rest_rel, tf_at + 1, n);
				x->rest_rel += n;
				n = (uint32_t)(e - pos_at);
				dst = j->pos + x->pos_at + x->pos_rel;
				for (i = 0; i < n; i++)
					dst[i] = pos_at[i];
				x->pos_rel += n;
				nd = j->norm + (size_t)doc * LEX_NFIELDS;
				tft = lex_tf_tilde(tf, nd[0], nd[1], nd[2]);
				if (tft > sk->max_tf)
					sk->max_tf = tft;
				j->imp[x->imp_at + x->n] = lex_impact_of(tft);
				sk->last_doc = doc;
				x->n++;
			}
		}
	}
	return NULL;
}

/* Runs place_logs over the buckets in two halves of about equal bytes, on
 * two threads when there is much to move. */
static void scatter(struct lex_builder *b, struct place_job *job)
{
	struct place_job jobs[2];
	uint64_t total = 0, half = 0;
	unsigned bk, mid;
	pthread_t th;
	int threaded;
	for (bk = 0; bk < BUCKETS; bk++)
		total += b->logs[bk].bytes;
	for (mid = 0; mid < BUCKETS && half + b->logs[mid].bytes <= total / 2; mid++)
		half += b->logs[mid].bytes;
	jobs[0] = jobs[1] = *job;
	jobs[0].from = 0;
	jobs[0].to = jobs[1].from = mid;
	jobs[1].to = BUCKETS;
	threaded =
	    total > ((uint64_t)1 << 24) && pthread_create(&th, NULL, place_logs, &jobs[1]) == 0;
	place_logs(&jobs[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		place_logs(&jobs[1]);
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
	struct place *pl = NULL;
	struct place_job job;
	uint8_t *post = NULL, *pos = NULL, *imp = NULL, *width = NULL;
	uint32_t *rest_len = NULL;
	size_t n_skips = 0, k;
	uint32_t n = b->n_docs, f_, d;
	uint64_t post_off = 0, pos_off = 0, imp_off = 0;
	uint8_t zero_header[LEX_HEADER_SIZE];
	int rc = PB_OK;

	memset(&hd, 0, sizeof(hd));
	memset(&o, 0, sizeof(o));
	o.f = f;
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
	pl = malloc((b->n_terms ? b->n_terms : 1) * sizeof(*pl));
	if (!norm || !len16 || !order || !info || !pl) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
		goto out;
	}
	huge_pages(pl, b->n_terms * sizeof(*pl));
	for (f_ = 0; f_ < LEX_NFIELDS; f_++)
		for (d = 0; d < n; d++) {
			uint32_t l = b->len[f_][d];
			norm[(size_t)d * LEX_NFIELDS + f_] =
			    lex_field_weight[f_] /
			    (1.0f - lex_field_b[f_] + lex_field_b[f_] * (float)l / hd.avg_len[f_]);
			len16[(size_t)f_ * n + d] = (uint16_t)(l > 65535 ? 65535 : l);
		}

	/* dictionary order, each term's place, the skip table */
	for (k = 0; k < b->n_terms; k++)
		order[k] = (uint32_t)k;
	if (sort_terms(b, order, b->n_terms)) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
		goto out;
	}
	for (k = 0; k < b->n_terms; k++) {
		const struct tstate *t = &b->ts[order[k]];
		struct place *x = &pl[order[k]];
		info[k].df = t->df;
		info[k].first_skip = (uint32_t)n_skips;
		info[k].pos_off = pos_off;
		info[k].imp_off = imp_off;
		x->pos_at = pos_off;
		x->imp_at = imp_off;
		x->pos_rel = x->rest_rel = x->n = x->last_doc = 0;
		x->df = t->df;
		x->skip = (uint32_t)n_skips;
		n_skips += (t->df + LEX_BLOCK - 1) / LEX_BLOCK;
		if (n_skips > UINT32_MAX) {
			rc = pb_err_set(err, PB_ETOOBIG, "search index too large");
			goto out;
		}
		pos_off += t->pos_len;
		imp_off += t->df;
	}
	skips = malloc((n_skips ? n_skips : 1) * sizeof(*skips));
	width = calloc(n_skips ? n_skips : 1, 1);
	rest_len = calloc(n_skips ? n_skips : 1, sizeof(*rest_len));
	pos = malloc(pos_off ? pos_off : 1);
	imp = malloc(imp_off ? imp_off : 1);
	if (!skips || !width || !rest_len || !pos || !imp) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
		goto out;
	}
	huge_pages(skips, n_skips * sizeof(*skips));
	huge_pages(pos, pos_off);
	huge_pages(imp, imp_off);
	for (k = 0; k < BUCKETS; k++) {
		log_close_chunk(&b->logs[k]);
		b->logs[k].cur = b->logs[k].end = NULL;
	}
	memset(&job, 0, sizeof(job));
	job.b = b;
	job.pl = pl;
	job.norm = norm;
	job.pos = pos;
	job.imp = imp;
	job.skips = skips;
	job.width = width;
	/* each block's width and rest bytes, known from adding: the blocks that
	 * filled up in their order, then each term's open one */
	for (k = 0; k < b->n_full; k++) {
		struct place *x = &pl[b->full[k].term];
		width[x->skip + x->n] = b->full[k].w;
		rest_len[x->skip + x->n] = b->full[k].rest;
		x->n++;
	}
	for (k = 0; k < b->n_terms; k++)
		if (b->ts[k].df % LEX_BLOCK) {
			width[pl[k].skip + b->ts[k].df / LEX_BLOCK] = b->ts[k].blk_w;
			rest_len[pl[k].skip + b->ts[k].df / LEX_BLOCK] = b->ts[k].blk_rest;
		}
	/* then each term's blocks get their places */
	for (k = 0; k < b->n_terms; k++) {
		struct place *x = &pl[order[k]];
		uint32_t s, ns = (x->df + LEX_BLOCK - 1) / LEX_BLOCK;
		uint64_t rel = 0;
		info[k].post_off = post_off;
		x->post_at = post_off;
		for (s = 0; s < ns; s++) {
			uint32_t nb = x->df - s * LEX_BLOCK;
			skips[x->skip + s].post_rel = (uint32_t)rel;
			rel += lex_block_size(nb < LEX_BLOCK ? nb : LEX_BLOCK, width[x->skip + s],
					      rest_len[x->skip + s]);
		}
		if (rel > UINT32_MAX) {
			rc = pb_err_set(err, PB_ETOOBIG, "search index too large");
			goto out;
		}
		post_off += rel;
		x->n = x->last_doc = 0;
	}
	post = calloc(post_off ? post_off : 1, 1);
	if (!post) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
		goto out;
	}
	huge_pages(post, post_off);
	job.post = post;
	scatter(b, &job);
	log_free(b);
	for (k = 0; k < b->n_terms; k++) {
		uint32_t s, ns = (info[k].df + LEX_BLOCK - 1) / LEX_BLOCK;
		float tmax = 0;
		for (s = 0; s < ns; s++)
			if (skips[info[k].first_skip + s].max_tf > tmax)
				tmax = skips[info[k].first_skip + s].max_tf;
		info[k].max_tf = tmax;
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
		uint32_t off = 0, *offs = malloc((b->n_terms + 1) * sizeof(uint32_t));
		if (!offs) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory writing the search index");
			goto out;
		}
		for (k = 0; k < b->n_terms; k++) {
			offs[k] = off;
			off += b->terms[order[k]].str_len;
		}
		offs[b->n_terms] = off;
		out_begin(&o, &hd, LS_TERMOFF);
		out_put(&o, offs, (b->n_terms + 1) * sizeof(uint32_t));
		out_end(&o, &hd, LS_TERMOFF);
		free(offs);
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
	out_begin(&o, &hd, LS_IMPACT);
	out_put(&o, imp, imp_off);
	out_end(&o, &hd, LS_IMPACT);
	out_begin(&o, &hd, LS_POST);
	out_put(&o, post, post_off);
	out_end(&o, &hd, LS_POST);
	out_begin(&o, &hd, LS_POS);
	out_put(&o, pos, pos_off);
	out_end(&o, &hd, LS_POS);

	hd.file_size = o.off;
	hd.data_hash = lex_hasher_end(&o.h);
	memset(zero_header, 0, sizeof(zero_header));
	memcpy(zero_header, &hd, sizeof(hd));
	hd.header_hash = lex_header_hash(zero_header);
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
	free(pl);
	free(post);
	free(pos);
	free(imp);
	free(width);
	free(rest_len);
	return rc;
}
