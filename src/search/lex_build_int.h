/* lex_build_int.h - what the builder (lex_build.c) and the analysis of
 * papers for it (lex_batch.c) share: growable arrays, string pools, and
 * the layout of an analysed batch. Internal to those two files. */
#ifndef PB_LEX_BUILD_INT_H
#define PB_LEX_BUILD_INT_H

#include "lex.h"

#include <stdlib.h>
#include <string.h>

/* Reallocates p to hold need elements (capacity doubling from *cap):
 * the new pointer, or NULL (p untouched) when out of memory. */
static inline void *grow_to(void *p, size_t *cap, size_t need, size_t elem)
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
static inline int resize_to(void *pp, size_t cap, size_t elem)
{
	void *old, *np;
	memcpy(&old, pp, sizeof(old));
	np = realloc(old, cap * elem);
	if (!np)
		return PB_ENOMEM;
	memcpy(pp, &np, sizeof(np));
	return PB_OK;
}

struct pool {
	char *p;
	size_t len, cap;
};

static inline int pool_add(struct pool *p, const char *s, size_t n, uint32_t *off)
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

/* A paper as the builder takes it. Its words are in the batch's word
 * buffer, each as: length (1 byte), kind (1 byte), position (4 bytes,
 * field base included), hash (4 bytes, word_hash), text zero-padded to
 * word_room bytes. */
struct bdoc {
	int64_t row;
	uint64_t chash;
	int32_t day, votes;
	uint32_t id_off, id_len;    /* in strs */
	uint32_t cat_first, n_cats; /* into cat_off / cat_len */
	uint32_t len[LEX_NFIELDS];  /* words per field */
	size_t words_off, words_end;
	uint32_t n_words;
	/* a paper added raw: its texts in strs (off UINT32_MAX: none), its
	 * words still to make */
	int raw;
	uint32_t text_off[LEX_NFIELDS], text_len[LEX_NFIELDS];
};

#define WORD_HEAD 10
#define WORDS_SLACK 32

/* A word's key in the builder's table of words: a word of up to KEY_BYTES
 * bytes is its own key, zero-padded; a longer one hashes its bytes. */
#define KEY_WORDS 3
#define KEY_BYTES (KEY_WORDS * 8)

static inline uint32_t key_hash(const uint64_t k[KEY_WORDS])
{
	uint64_t h = k[0] * 0x9E3779B97F4A7C15ULL;
	h = (h ^ (h >> 29) ^ k[1]) * 0xBF58476D1CE4E5B9ULL;
	h = (h ^ (h >> 32) ^ k[2]) * 0x94D049BB133111EBULL;
	return (uint32_t)(h >> 32);
}

/* The hash of word text[0..len) in the builder's table of words, and its
 * key in k when it is short (len <= KEY_BYTES); text has KEY_BYTES
 * readable bytes (struct lex_word). */
static inline uint32_t word_hash(const char *text, size_t len, uint64_t k[KEY_WORDS])
{
	k[0] = k[1] = k[2] = 0;
	if (len > KEY_BYTES)
		return (uint32_t)lex_hash64(text, len, 0x5EED);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* whole words, the bytes past the end masked off */
		size_t i = len / 8, r = len % 8;
		memcpy(k, text, KEY_BYTES);
		if (i < KEY_WORDS) {
			k[i] = r ? k[i] & (~0ULL >> (64 - 8 * r)) : 0;
			for (i++; i < KEY_WORDS; i++)
				k[i] = 0;
		}
	}
#else
	memcpy(k, text, len);
#endif
	return key_hash(k);
}

/* Bytes a word of len bytes takes in a batch after its head: zero-padded
 * to a multiple of 8. */
static inline size_t word_room(size_t len)
{
	return (len + 7) & ~(size_t)7;
}

struct lex_batch {
	struct bdoc *docs;
	size_t n_docs, cap_docs;
	struct pool strs;
	uint32_t *cat_off, *cat_len;
	size_t n_cats, cap_cats;
	uint8_t *words;
	size_t words_len, words_cap;
};

#endif
