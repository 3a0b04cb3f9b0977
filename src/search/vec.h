/* vec.h - semantic vectors learned from the corpus itself: latent semantic
 * analysis (LSA) by randomized SVD of the weighted term-document matrix,
 * documents folded into the reduced space, int8-quantised, searched by an
 * exact scan. Two files next to the database: the model (vocabulary and
 * term vectors, trained once) and the document vectors (one per document
 * of the lexical main segment, rebuilt with it). Formats: vec_train.c
 * (model) and vec_index.c (documents).
 *
 * Weights (see docs/search.md): a term's weight in a document is
 *   (1 + ln(2 tf_title + tf_abstract)) * ln(N / df)
 * over the vocabulary (the VEC_VOCAB_MAX most frequent words of titles and
 * abstracts, without numbers and without words in more than a fifth of the
 * papers); a document's vector is the sum of its weighted term vectors,
 * each dimension scaled by its singular value to the power -VEC_SV_POWER
 * (between LSA's U S and V coordinates: the leading topics weigh less),
 * L2-normalised; a query is folded in the same way; similarity is the dot
 * product (cosine).
 */
#ifndef PB_VEC_H
#define PB_VEC_H

#include "../core/arena.h"
#include "../core/err.h"
#include "lex.h"
#include "query.h"

#include <stdint.h>
#include <stdio.h>

#define VEC_DIMS_DEFAULT 256
#define VEC_DIMS_MAX 1024
#define VEC_VOCAB_MAX 40000
#define VEC_TRAIN_DOCS 200000 /* documents sampled for training */
#define VEC_OVERSAMPLE 16
#define VEC_POWER_ITERS 2
#define VEC_SV_POWER 0.5f
/* Segments with this many documents get an inverted file index: a query
 * scans the lists of the 1/VEC_IVF_PROBE_SHARE nearest centroids (about
 * that share of the documents) instead of every vector. */
#define VEC_IVF_MIN_DOCS 100000
#define VEC_IVF_PROBE_SHARE 16

/* The trained model: memory-mapped, read-only, shareable between threads. */
struct vec_model {
	const uint8_t *base;
	size_t size;
	uint32_t dims, n_terms;
	uint64_t build_id, data_hash;
	const uint32_t *term_off; /* [n_terms + 1] */
	const char *terms;	  /* sorted bytewise */
	const float *idf;	  /* [n_terms] */
	const float *proj;	  /* [n_terms][dims] term vectors */
	const float *sv;	  /* [dims] singular values */
};

/* Document vectors of one segment (file-mapped, or in memory for the
 * fresh segment). */
struct vec_docs {
	const uint8_t *base;
	size_t size;
	int mapped;
	uint32_t dims, n_docs;
	uint64_t model_id, seg_id; /* the model and segment they were made from */
	uint64_t data_hash;
	const int8_t *q;    /* [n_docs][dims] quantised, vector = q * scale / 127 */
	const float *scale; /* [n_docs] largest |component| of the normalised vector */
	/* inverted file index (segments of VEC_IVF_MIN_DOCS or more), else 0;
	 * with one, q and scale are in list order: place j holds list_doc[j] */
	uint32_t n_lists;
	const float *cent;        /* [n_lists][dims] unit centroids */
	const uint32_t *list_off; /* [n_lists + 1] places of each list */
	const uint32_t *list_doc; /* [n_docs] docid at each place */
	const uint32_t *pos;      /* [n_docs] place of each docid; NULL: place = docid */
};

/* Trains a model of dims dimensions from the main segment's postings and
 * writes it to path (via path.tmp, renamed); progress lines go to lg when
 * not NULL. Opens and returns it. PB_EINVAL when the corpus is too small
 * (fewer documents or terms than dimensions). */
int vec_train(const struct lex_seg *seg, unsigned dims, FILE *lg, const char *path,
	      struct vec_model **out, struct pb_err *err);
/* Opens a model file, checking its checksum. PB_ENOTFOUND when missing,
 * PB_ECORRUPT / PB_EVERSION when damaged or foreign. */
int vec_model_open(const char *path, struct vec_model **out, struct pb_err *err);
/* The same without the data checksum, and the check alone (as for lexical
 * segments: a fast start, checked later). */
int vec_model_open_fast(const char *path, struct vec_model **out, struct pb_err *err);
int vec_model_verify(const struct vec_model *m, const char *path, struct pb_err *err);
void vec_model_close(struct vec_model *m);
/* Index of a term in the vocabulary, or -1. */
long vec_model_find(const struct vec_model *m, const char *term);

/* Folds every document of seg into the model's space: written to path
 * (and mapped) or, with path NULL, kept in memory. */
int vec_docs_build(const struct vec_model *m, const struct lex_seg *seg, const char *path,
		   struct vec_docs **out, struct pb_err *err);
/* Opens document vectors made from model m and segment seg; PB_EVERSION
 * when they were made from another model or segment (rebuild them). */
int vec_docs_open(const char *path, const struct vec_model *m, const struct lex_seg *seg,
		  struct vec_docs **out, struct pb_err *err);
int vec_docs_open_fast(const char *path, const struct vec_model *m, const struct lex_seg *seg,
		       struct vec_docs **out, struct pb_err *err);
int vec_docs_verify(const struct vec_docs *d, const char *path, struct pb_err *err);
void vec_docs_close(struct vec_docs *d);
/* Gives in-memory vectors (vec_docs_build without a path) an inverted file
 * index, as files of VEC_IVF_MIN_DOCS documents or more have. */
int vec_docs_add_ivf(struct vec_docs *d, struct pb_err *err);

/* The normalised query vector of words into out[m->dims]: 1, or 0 when no
 * word is in the vocabulary. Cannot fail. */
int vec_fold_query(const struct vec_model *m, const struct query_word *words, size_t n, float *out);
/* Document d's vector (dequantised) into out[dims]. Cannot fail. */
void vec_doc_vector(const struct vec_docs *v, uint32_t d, float *out);

struct vec_hit {
	float score;
	uint32_t seg, doc;
};

/* The k documents nearest to qv over the views (docs[i] are the vectors of
 * views[i]; NULL skips the view), keeping those passing the query's day and
 * category filters and not dead; skip (seg, doc) is left out too (the
 * paper itself, for similar papers; seg UINT32_MAX for none). An integer
 * scan of the int8 vectors keeps the best candidates, then they are
 * re-scored with the float query. The scan covers every vector when exact
 * or the view has no inverted file index, else the probed lists (and every
 * vector when those hold fewer than k passing the filters). Hits in a,
 * best first. PB_OK or PB_ENOMEM. */
int vec_search(const struct vec_docs *const *docs, const struct lex_view *views, unsigned nv,
	       const float *qv, const struct lex_query *filters, uint32_t skip_seg,
	       uint32_t skip_doc, unsigned k, int exact, struct arena *a, struct vec_hit **out,
	       unsigned *n, struct pb_err *err);

#endif
