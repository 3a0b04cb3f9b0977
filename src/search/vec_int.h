/* vec_int.h - what the vec_*.c files share: a reader of a term's postings
 * block by block, the model writer, a clock. */
#ifndef PB_VEC_INT_H
#define PB_VEC_INT_H

#include "lex.h"

#include <stdint.h>

/* Reads the postings of one term of a segment, a block at a time. */
struct vec_postings {
	const uint8_t *p, *end;
	uint32_t base, left;
	int first, err;
};

/* Starts at the block holding the first document >= from. */
void vec_postings_init(struct vec_postings *pi, const struct lex_seg *s, uint32_t t, uint32_t from);
/* Decodes the next block into blk: its size, 0 at the end or on damage
 * (pi->err set). */
uint32_t vec_postings_next(struct vec_postings *pi, struct lex_block *blk);

/* Writes a model (format in vec_train.c) for the vocabulary seg_terms
 * (term ids of seg, sorted by term). */
int vec_model_write(const struct lex_seg *seg, const uint32_t *seg_terms, size_t n_terms,
		    const float *idf, const float *proj, const float *sv, unsigned dims,
		    const char *path, struct pb_err *err);

/* An inverted file index under construction (malloc'd arrays). */
struct vec_ivf {
	uint32_t n_lists;
	float *cent;
	uint32_t *list_off, *list_doc;
};

/* Clusters the n quantised vectors (vec_docs layout) into about sqrt(n)
 * lists. n_lists stays 0 when n is too small to be worth it. PB_OK or
 * PB_ENOMEM. */
struct pb_err;
int vec_ivf_build(const int8_t *q, const float *scale, size_t n, unsigned dims, struct vec_ivf *out,
		  struct pb_err *err);
void vec_ivf_free(struct vec_ivf *ivf);
/* The lists to scan for unit query qv, nearest first, into lists: the
 * usual share of them, or max when larger (lists has room for max, at
 * least the usual share). Returns how many. */
struct vec_docs;
unsigned vec_ivf_probe(const struct vec_docs *v, const float *qv, uint32_t *lists, unsigned max);

/* Monotonic seconds. */
double vec_now(void);

/* Maps a whole file read-only: PB_ENOTFOUND when missing. */
int vec_map_file(const char *path, const void **base, size_t *size, struct pb_err *err);
void vec_unmap(const void *base, size_t size);
/* 1 when bytes off..off+len of the file at path hash to want. */
int vec_file_hash_ok(const char *path, uint64_t off, uint64_t len, uint64_t want);

#endif
