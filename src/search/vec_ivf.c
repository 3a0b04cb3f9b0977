/* vec_ivf.c - an inverted file index over document vectors, so a semantic
 * query on a large corpus scans a few percent of the vectors: spherical
 * k-means puts the documents in sqrt(N) lists around unit centroids; a
 * query scans the lists of its nearest centroids (VEC_IVF_PROBE_SHARE). Stored
 * with the document vectors (vec_index.c). */
#include "vec.h"
#include "vec_int.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KMEANS_ITERS 6
#define TRAIN_PER_LIST 48 /* training sample: this many documents per list */
#define ASSIGN_CHUNK 4096

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void dequantise(const int8_t *q, float scale, unsigned dims, float *out)
{
	unsigned i;
	float s = scale / 127.0f;
	for (i = 0; i < dims; i++)
		out[i] = q[i] * s;
}

static void normalise(float *v, unsigned dims)
{
	double n = 0;
	unsigned i;
	for (i = 0; i < dims; i++)
		n += (double)v[i] * v[i];
	if (n <= 0)
		return;
	n = sqrt(n);
	for (i = 0; i < dims; i++)
		v[i] = (float)(v[i] / n);
}

/* Index of the largest of n scores. */
static uint32_t argmax(const float *s, uint32_t n)
{
	uint32_t k, best = 0;
	for (k = 1; k < n; k++)
		if (s[k] > s[best])
			best = k;
	return best;
}

int vec_ivf_build(const int8_t *q, const float *scale, size_t n, unsigned dims, struct vec_ivf *out,
		  struct pb_err *err)
{
	uint32_t c = (uint32_t)sqrt((double)n), k, it;
	size_t s_n, i, d;
	float *train = NULL, *scores = NULL, *sum = NULL, *block = NULL;
	uint32_t *count = NULL, *assign = NULL;
	uint64_t seed = 0xC0FFEE1234ULL;
	int rc = PB_OK;

	memset(out, 0, sizeof(*out));
	if (c < 16)
		c = 16;
	if (c > 4096)
		c = 4096;
	if (n < (size_t)c * 4)
		return PB_OK; /* too few documents: exact scans */
	s_n = (size_t)c * TRAIN_PER_LIST < n ? (size_t)c * TRAIN_PER_LIST : n;
	train = malloc(s_n * dims * sizeof(float));
	scores = malloc((size_t)ASSIGN_CHUNK * c * sizeof(float));
	sum = malloc((size_t)c * dims * sizeof(float));
	count = malloc((size_t)c * sizeof(uint32_t));
	assign = malloc(n * sizeof(uint32_t));
	block = malloc((size_t)ASSIGN_CHUNK * dims * sizeof(float));
	out->cent = malloc((size_t)c * dims * sizeof(float));
	out->list_off = calloc((size_t)c + 1, sizeof(uint32_t));
	out->list_doc = malloc(n * sizeof(uint32_t));
	if (!train || !scores || !sum || !count || !assign || !block || !out->cent ||
	    !out->list_off || !out->list_doc) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	/* an even spread of documents to train on, and c of them to start from */
	for (i = 0; i < s_n; i++) {
		size_t src = i * n / s_n;
		dequantise(q + src * dims, scale[src], dims, train + i * dims);
	}
	for (k = 0; k < c; k++)
		memcpy(out->cent + (size_t)k * dims, train + (rnd(&seed) % s_n) * dims,
		       dims * sizeof(float));
	for (it = 0; it < KMEANS_ITERS; it++) {
		memset(sum, 0, (size_t)c * dims * sizeof(float));
		memset(count, 0, (size_t)c * sizeof(uint32_t));
		for (i = 0; i < s_n; i += ASSIGN_CHUNK) {
			size_t m = s_n - i < ASSIGN_CHUNK ? s_n - i : ASSIGN_CHUNK, j;
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)c,
				    (int)dims, 1.0f, train + i * dims, (int)dims, out->cent,
				    (int)dims, 0.0f, scores, (int)c);
			for (j = 0; j < m; j++) {
				uint32_t b = argmax(scores + j * c, c);
				cblas_saxpy((int)dims, 1.0f, train + (i + j) * dims, 1,
					    sum + (size_t)b * dims, 1);
				count[b]++;
			}
		}
		for (k = 0; k < c; k++) {
			float *ck = out->cent + (size_t)k * dims;
			if (count[k]) {
				memcpy(ck, sum + (size_t)k * dims, dims * sizeof(float));
			} else {
				/* an empty list starts again from a random document */
				memcpy(ck, train + (rnd(&seed) % s_n) * dims, dims * sizeof(float));
			}
			normalise(ck, dims);
		}
	}
	/* every document to its nearest centroid, then grouped by list */
	for (i = 0; i < n; i += ASSIGN_CHUNK) {
		size_t m = n - i < ASSIGN_CHUNK ? n - i : ASSIGN_CHUNK, j;
		for (j = 0; j < m; j++)
			dequantise(q + (i + j) * dims, scale[i + j], dims, block + j * dims);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)c, (int)dims,
			    1.0f, block, (int)dims, out->cent, (int)dims, 0.0f, scores, (int)c);
		for (j = 0; j < m; j++)
			assign[i + j] = argmax(scores + j * c, c);
	}
	for (d = 0; d < n; d++)
		out->list_off[assign[d] + 1]++;
	for (k = 0; k < c; k++)
		out->list_off[k + 1] += out->list_off[k];
	memcpy(count, out->list_off, (size_t)c * sizeof(uint32_t));
	for (d = 0; d < n; d++)
		out->list_doc[count[assign[d]]++] = (uint32_t)d;
	out->n_lists = c;
out:
	if (rc) {
		free(out->cent);
		free(out->list_off);
		free(out->list_doc);
		memset(out, 0, sizeof(*out));
	}
	free(train);
	free(scores);
	free(sum);
	free(count);
	free(assign);
	free(block);
	return rc;
}

void vec_ivf_free(struct vec_ivf *ivf)
{
	free(ivf->cent);
	free(ivf->list_off);
	free(ivf->list_doc);
	memset(ivf, 0, sizeof(*ivf));
}

unsigned vec_ivf_probe(const struct vec_docs *v, const float *qv, uint32_t *lists, unsigned max)
{
	unsigned want = v->n_lists / VEC_IVF_PROBE_SHARE, n = 0, i;
	float best[4096];
	uint32_t k;
	if (want < 1)
		want = 1;
	if (max > want)
		want = max; /* asked for more than the usual share */
	if (want > v->n_lists)
		want = v->n_lists;
	if (want > 4096)
		want = 4096;
	for (k = 0; k < v->n_lists; k++) {
		float s = cblas_sdot((int)v->dims, qv, 1, v->cent + (size_t)k * v->dims, 1);
		if (n == want && s <= best[n - 1])
			continue;
		i = n < want ? n++ : n - 1;
		while (i > 0 && best[i - 1] < s) {
			best[i] = best[i - 1];
			lists[i] = lists[i - 1];
			i--;
		}
		best[i] = s;
		lists[i] = k;
	}
	return n;
}
