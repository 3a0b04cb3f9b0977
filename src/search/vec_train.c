/* vec_train.c - trains the LSA model: picks the vocabulary, builds the
 * weighted term-document matrix of (a sample of) the main segment and
 * takes its leading singular vectors by randomized SVD (Halko, Martinsson
 * and Tropp 2011: range finder with power iterations, then the small SVD
 * through the eigenvectors of B B^T), with OpenBLAS and LAPACKE. This
 * file owns the model format:
 *
 *   A 256-byte header (struct model_header below) followed by sections
 *   on 8-byte boundaries, little-endian:
 *     TERMOFF uint32[n_terms + 1]   vocabulary: TERMS[off[t]..off[t+1])
 *     TERMS   char[]                sorted bytewise
 *     IDF     float[n_terms]        ln(N / df) at training
 *     PROJ    float[n_terms][dims]  term vectors (left singular vectors)
 *     SV      float[dims]           singular values, largest first
 *   The header holds the format version, the sizes, a random build id,
 *   and checksums of itself and of everything after it.
 */
#include "vec.h"
#include "vec_int.h"

#include <cblas.h>
#include <errno.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* 1 for a term made of letters only (no digits, ids, dots). */
static int wordlike(const char *t, size_t n)
{
	size_t k;
	if (n < 2)
		return 0;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)t[k];
		if (!((c >= 'a' && c <= 'z') || c >= 0x80 || c == '\''))
			return 0;
	}
	return 1;
}

struct vocab_ent {
	uint32_t term; /* in the segment */
	uint32_t df;
};

static int by_df_desc(const void *x, const void *y)
{
	const struct vocab_ent *a = x, *b = y;
	if (a->df != b->df)
		return a->df > b->df ? -1 : 1;
	return a->term < b->term ? -1 : a->term > b->term;
}

static int by_term(const void *x, const void *y)
{
	const struct vocab_ent *a = x, *b = y;
	return a->term < b->term ? -1 : a->term > b->term;
}

/* xorshift64*: deterministic training. */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Orthonormalises the columns of the rows x cols row-major matrix m. */
static int orthonormalise(float *m, int rows, int cols, float *tau)
{
	if (LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, rows, cols, m, cols, tau) != 0)
		return PB_EINVAL;
	if (LAPACKE_sorgqr(LAPACK_ROW_MAJOR, rows, cols, cols, m, cols, tau) != 0)
		return PB_EINVAL;
	return PB_OK;
}

/* The sparse matrix, one row per sampled document: (term, weight). */
struct csr {
	size_t n_rows;
	size_t *row_off; /* [n_rows + 1] */
	uint32_t *col;
	float *val;
};

/* y[V][l] = A x  with x[n][l]: y[t] += w x[d] over the entries. */
static void mul_a(const struct csr *a, const float *x, float *y, size_t n_terms, int l)
{
	size_t d, k;
	memset(y, 0, n_terms * (size_t)l * sizeof(float));
	for (d = 0; d < a->n_rows; d++)
		for (k = a->row_off[d]; k < a->row_off[d + 1]; k++)
			cblas_saxpy(l, a->val[k], x + d * (size_t)l, 1, y + (size_t)a->col[k] * l,
				    1);
}

/* z[n][l] = A^T y  with y[V][l]: z[d] = sum w y[t]. */
static void mul_at(const struct csr *a, const float *y, float *z, int l)
{
	size_t d, k;
	memset(z, 0, a->n_rows * (size_t)l * sizeof(float));
	for (d = 0; d < a->n_rows; d++)
		for (k = a->row_off[d]; k < a->row_off[d + 1]; k++)
			cblas_saxpy(l, a->val[k], y + (size_t)a->col[k] * l, 1, z + d * (size_t)l,
				    1);
}

static void say(FILE *lg, const char *fmt, double t0, const char *what)
{
	if (lg) {
		fprintf(lg, fmt, what, vec_now() - t0);
		fflush(lg);
	}
}

int vec_train(const struct lex_seg *seg, unsigned dims, FILE *lg, const char *path,
	      struct vec_model **out, struct pb_err *err)
{
	struct vocab_ent *voc = NULL;
	size_t n_voc = 0, k, d;
	int64_t *col_of = NULL; /* docid -> sample row, or -1 */
	struct csr a = {0};
	float *idf = NULL, *y = NULL, *z = NULL, *tau = NULL, *bbt = NULL, *eig = NULL, *u = NULL;
	float *proj = NULL, *sv = NULL;
	size_t n_sample = 0;
	int l, rc = PB_OK, it;
	uint64_t seed = 0x5EED1234ABCDULL;
	double t0 = vec_now();
	struct lex_block *blk = malloc(sizeof(*blk));

	*out = NULL;
	if (!blk)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	if (dims < 2 || dims > VEC_DIMS_MAX)
		dims = VEC_DIMS_DEFAULT;
	l = (int)dims + VEC_OVERSAMPLE;

	/* vocabulary: frequent words, not the commonest */
	voc = malloc((seg->n_terms ? seg->n_terms : 1) * sizeof(*voc));
	if (!voc) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < seg->n_terms; k++) {
		uint32_t df = seg->info[k].df;
		if (df < 3 || df > seg->n_docs / 5 ||
		    !wordlike(seg->terms + seg->term_off[k],
			      seg->term_off[k + 1] - seg->term_off[k]))
			continue;
		voc[n_voc].term = (uint32_t)k;
		voc[n_voc].df = df;
		n_voc++;
	}
	qsort(voc, n_voc, sizeof(*voc), by_df_desc);
	if (n_voc > VEC_VOCAB_MAX)
		n_voc = VEC_VOCAB_MAX;
	qsort(voc, n_voc, sizeof(*voc), by_term);
	if (n_voc < (size_t)l || seg->n_docs < (uint32_t)l * 2) {
		rc =
		    pb_err_set(err, PB_EINVAL,
			       "semantic vectors: %u papers and %zu distinct words are too few for "
			       "%u dimensions",
			       seg->n_docs, n_voc, dims);
		goto out;
	}
	idf = malloc(n_voc * sizeof(float));
	col_of = malloc((size_t)seg->n_docs * sizeof(*col_of));
	if (!idf || !col_of) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < n_voc; k++)
		idf[k] = (float)log((double)seg->n_docs / voc[k].df);

	/* the sample of documents: every document up to VEC_TRAIN_DOCS, else
	 * an even spread */
	for (d = 0; d < seg->n_docs; d++) {
		int take = seg->n_docs <= VEC_TRAIN_DOCS ||
			   (d * (uint64_t)VEC_TRAIN_DOCS) / seg->n_docs !=
			       ((d + 1) * (uint64_t)VEC_TRAIN_DOCS) / seg->n_docs;
		col_of[d] = take ? (int64_t)n_sample++ : -1;
	}

	/* the matrix, one row per sampled document: count, then fill */
	a.n_rows = n_sample;
	a.row_off = calloc(n_sample + 1, sizeof(size_t));
	if (!a.row_off) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (it = 0; it < 2 && !rc; it++) {
		for (k = 0; k < n_voc && !rc; k++) {
			struct vec_postings pi;
			vec_postings_init(&pi, seg, voc[k].term, 0);
			while (!rc && vec_postings_next(&pi, blk) > 0) {
				uint32_t j;
				for (j = 0; j < blk->n; j++) {
					uint32_t ft[LEX_NFIELDS], tf;
					int64_t r = col_of[blk->doc[j]];
					lex_block_tf(blk, j, ft);
					tf = 2 * ft[LEX_TITLE] + ft[LEX_ABSTRACT];
					if (!tf || r < 0)
						continue;
					if (it == 0) {
						a.row_off[r + 1]++;
					} else {
						size_t at = a.row_off[r]++;
						a.col[at] = (uint32_t)k;
						a.val[at] = (1.0f + logf((float)tf)) * idf[k];
					}
				}
			}
			if (pi.err)
				rc = pb_err_set(err, PB_ECORRUPT,
						"search index is damaged (postings)");
		}
		if (it == 0) {
			for (d = 0; d < n_sample; d++)
				a.row_off[d + 1] += a.row_off[d];
			a.col = malloc((a.row_off[n_sample] + 1) * sizeof(uint32_t));
			a.val = malloc((a.row_off[n_sample] + 1) * sizeof(float));
			if (!a.col || !a.val) {
				rc = pb_err_set(err, PB_ENOMEM, "out of memory");
				goto out;
			}
		} else {
			/* the fill moved each row start to the next row's: shift back */
			for (d = n_sample; d > 0; d--)
				a.row_off[d] = a.row_off[d - 1];
			a.row_off[0] = 0;
		}
	}
	if (rc)
		goto out;
	if (lg)
		fprintf(lg,
			"semantic vectors: %zu words x %zu papers, %zu entries, %u dimensions\n",
			n_voc, n_sample, a.row_off[n_sample], dims);

	/* randomized range finder */
	y = malloc(n_voc * (size_t)l * sizeof(float));
	z = malloc(n_sample * (size_t)l * sizeof(float));
	tau = malloc((size_t)l * sizeof(float));
	if (!y || !z || !tau) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < n_sample * (size_t)l; k++)
		z[k] = (float)((double)(rnd_next(&seed) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
	mul_a(&a, z, y, n_voc, l);
	if ((rc = orthonormalise(y, (int)n_voc, l, tau)))
		goto lapack;
	for (it = 0; it < VEC_POWER_ITERS; it++) {
		mul_at(&a, y, z, l);
		if ((rc = orthonormalise(z, (int)n_sample, l, tau)))
			goto lapack;
		mul_a(&a, z, y, n_voc, l);
		if ((rc = orthonormalise(y, (int)n_voc, l, tau)))
			goto lapack;
		say(lg, "semantic vectors: %s %.1f s\n", t0, "power iteration");
	}
	/* B^T = A^T Q (n x l); B B^T = (B^T)^T B^T (l x l); its eigenvectors W
	 * give U = Q W and the singular values sqrt(eig) */
	mul_at(&a, y, z, l);
	bbt = malloc((size_t)l * l * sizeof(float));
	eig = malloc((size_t)l * sizeof(float));
	u = malloc(n_voc * (size_t)l * sizeof(float));
	if (!bbt || !eig || !u) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l, l, (int)n_sample, 1.0f, z, l, z, l,
		    0.0f, bbt, l);
	if (LAPACKE_ssyevd(LAPACK_ROW_MAJOR, 'V', 'U', l, bbt, l, eig) != 0) {
		rc = PB_EINVAL;
		goto lapack;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n_voc, l, l, 1.0f, y, l, bbt, l,
		    0.0f, u, l);
	/* eigenvalues come ascending: keep the last dims columns, reversed */
	proj = malloc(n_voc * (size_t)dims * sizeof(float));
	sv = malloc(dims * sizeof(float));
	if (!proj || !sv) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < dims; k++) {
		size_t c = (size_t)l - 1 - k, t;
		sv[k] = eig[c] > 0 ? sqrtf(eig[c]) : 0;
		for (t = 0; t < n_voc; t++)
			proj[t * dims + k] = u[t * (size_t)l + c];
	}
	say(lg, "semantic vectors: %s %.1f s\n", t0, "trained in");
	{
		uint32_t *ids = malloc(n_voc * sizeof(uint32_t));
		if (!ids) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		for (k = 0; k < n_voc; k++)
			ids[k] = voc[k].term;
		rc = vec_model_write(seg, ids, n_voc, idf, proj, sv, dims, path, err);
		free(ids);
	}
	if (!rc)
		rc = vec_model_open(path, out, err);
	goto out;
lapack:
	rc = pb_err_set(err, PB_EINVAL, "semantic vectors: the linear algebra failed");
out:
	free(voc);
	free(col_of);
	free(a.row_off);
	free(a.col);
	free(a.val);
	free(idf);
	free(y);
	free(z);
	free(tau);
	free(bbt);
	free(eig);
	free(u);
	free(proj);
	free(sv);
	free(blk);
	return rc;
}

/* ---- the model file ---- */

#define MODEL_MAGIC "PBVECMOD"
#define MODEL_VERSION 1u
#define MODEL_HEADER 256u

enum { MS_TERMOFF, MS_TERMS, MS_IDF, MS_PROJ, MS_SV, MS_COUNT };

struct model_header {
	char magic[8];
	uint32_t version, header_size, byte_order, dims;
	uint32_t n_terms, reserved;
	uint64_t build_id, file_size, data_hash, header_hash;
	struct {
		uint64_t off, size;
	} sec[MS_COUNT];
};

double vec_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct wout {
	FILE *f;
	struct lex_hasher h;
	uint64_t off;
	int failed;
};

static void wput(struct wout *o, const void *p, size_t n)
{
	if (!n || o->failed)
		return;
	if (fwrite(p, 1, n, o->f) != n)
		o->failed = 1;
	lex_hasher_add(&o->h, p, n);
	o->off += n;
}

static void wsec(struct wout *o, struct model_header *hd, int s, const void *p, size_t n)
{
	static const uint8_t zero[8];
	wput(o, zero, (size_t)((8 - o->off % 8) % 8));
	hd->sec[s].off = o->off;
	wput(o, p, n);
	hd->sec[s].size = n;
}

int vec_model_write(const struct lex_seg *seg, const uint32_t *seg_terms, size_t n_terms,
		    const float *idf, const float *proj, const float *sv, unsigned dims,
		    const char *path, struct pb_err *err)
{
	struct model_header hd;
	struct wout o;
	uint8_t head[MODEL_HEADER];
	uint32_t *off = malloc((n_terms + 1) * sizeof(uint32_t));
	char tmp[1100];
	size_t k, total = 0;
	int rc = PB_OK;

	if (!off)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	memset(&hd, 0, sizeof(hd));
	memset(&o, 0, sizeof(o));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	o.f = fopen(tmp, "wb");
	if (!o.f) {
		free(off);
		return pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	}
	memset(head, 0, sizeof(head));
	if (fwrite(head, 1, MODEL_HEADER, o.f) != MODEL_HEADER)
		o.failed = 1;
	o.off = MODEL_HEADER;
	lex_hasher_init(&o.h, 0);
	for (k = 0; k < n_terms; k++) {
		off[k] = (uint32_t)total;
		total += seg->term_off[seg_terms[k] + 1] - seg->term_off[seg_terms[k]];
	}
	off[n_terms] = (uint32_t)total;
	wsec(&o, &hd, MS_TERMOFF, off, (n_terms + 1) * sizeof(uint32_t));
	{
		static const uint8_t zero[8];
		wput(&o, zero, (size_t)((8 - o.off % 8) % 8));
		hd.sec[MS_TERMS].off = o.off;
		for (k = 0; k < n_terms; k++)
			wput(&o, seg->terms + seg->term_off[seg_terms[k]],
			     seg->term_off[seg_terms[k] + 1] - seg->term_off[seg_terms[k]]);
		hd.sec[MS_TERMS].size = total;
	}
	wsec(&o, &hd, MS_IDF, idf, n_terms * sizeof(float));
	wsec(&o, &hd, MS_PROJ, proj, n_terms * (size_t)dims * sizeof(float));
	wsec(&o, &hd, MS_SV, sv, dims * sizeof(float));
	memcpy(hd.magic, MODEL_MAGIC, 8);
	hd.version = MODEL_VERSION;
	hd.header_size = MODEL_HEADER;
	hd.byte_order = LEX_BYTE_ORDER;
	hd.dims = dims;
	hd.n_terms = (uint32_t)n_terms;
	if (getrandom(&hd.build_id, sizeof(hd.build_id), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(hd.build_id))
		hd.build_id = (uint64_t)time(NULL) ^ 0x9E3779B97F4A7C15ULL;
	hd.file_size = o.off;
	hd.data_hash = lex_hasher_end(&o.h);
	memcpy(head, &hd, sizeof(hd));
	hd.header_hash = lex_hash64(head, MODEL_HEADER, 0);
	memcpy(head, &hd, sizeof(hd));
	if (!o.failed &&
	    (fseek(o.f, 0, SEEK_SET) != 0 || fwrite(head, 1, MODEL_HEADER, o.f) != MODEL_HEADER ||
	     fflush(o.f) != 0 || fsync(fileno(o.f)) != 0))
		o.failed = 1;
	if (fclose(o.f) != 0)
		o.failed = 1;
	if (o.failed || rename(tmp, path) != 0) {
		rc = pb_err_set(err, PB_EIO, "%s: writing failed: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(off);
	return rc;
}

static int model_open(const char *path, int checksum, struct vec_model **out, struct pb_err *err)
{
	struct model_header hd;
	uint8_t head[MODEL_HEADER];
	struct vec_model *m;
	const uint8_t *base;
	size_t size, k;
	int rc;

	*out = NULL;
	rc = vec_map_file(path, (const void **)&base, &size, err);
	if (rc)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m) {
		vec_unmap(base, size);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	m->base = base;
	m->size = size;
	if (size < MODEL_HEADER)
		goto bad;
	memcpy(head, base, MODEL_HEADER);
	memcpy(&hd, head, sizeof(hd));
	if (memcmp(hd.magic, MODEL_MAGIC, 8) != 0)
		goto bad;
	if (hd.version != MODEL_VERSION || hd.header_size != MODEL_HEADER ||
	    hd.byte_order != LEX_BYTE_ORDER) {
		vec_model_close(m);
		return pb_err_set(err, PB_EVERSION, "%s: semantic model of another format", path);
	}
	memset(head + offsetof(struct model_header, header_hash), 0, sizeof(hd.header_hash));
	if (lex_hash64(head, MODEL_HEADER, 0) != hd.header_hash || hd.file_size != size ||
	    (checksum && !vec_file_hash_ok(path, MODEL_HEADER, size - MODEL_HEADER, hd.data_hash)))
		goto bad;
	m->data_hash = hd.data_hash;
	if (hd.dims < 2 || hd.dims > VEC_DIMS_MAX || !hd.n_terms)
		goto bad;
	for (k = 0; k < MS_COUNT; k++)
		if (hd.sec[k].off < MODEL_HEADER || hd.sec[k].off % 8 || hd.sec[k].off > size ||
		    hd.sec[k].size > size - hd.sec[k].off)
			goto bad;
	if (hd.sec[MS_TERMOFF].size != ((size_t)hd.n_terms + 1) * 4 ||
	    hd.sec[MS_IDF].size != (size_t)hd.n_terms * 4 ||
	    hd.sec[MS_PROJ].size != (size_t)hd.n_terms * hd.dims * 4 ||
	    hd.sec[MS_SV].size != (size_t)hd.dims * 4)
		goto bad;
	m->dims = hd.dims;
	m->n_terms = hd.n_terms;
	m->build_id = hd.build_id;
	m->term_off = (const uint32_t *)(base + hd.sec[MS_TERMOFF].off);
	m->terms = (const char *)(base + hd.sec[MS_TERMS].off);
	m->idf = (const float *)(base + hd.sec[MS_IDF].off);
	m->proj = (const float *)(base + hd.sec[MS_PROJ].off);
	m->sv = (const float *)(base + hd.sec[MS_SV].off);
	if (m->term_off[0] != 0 || m->term_off[m->n_terms] != hd.sec[MS_TERMS].size)
		goto bad;
	for (k = 0; k < m->n_terms; k++) {
		if (m->term_off[k + 1] < m->term_off[k])
			goto bad;
		if (k) {
			size_t na = m->term_off[k] - m->term_off[k - 1],
			       nb = m->term_off[k + 1] - m->term_off[k];
			int c = memcmp(m->terms + m->term_off[k - 1], m->terms + m->term_off[k],
				       na < nb ? na : nb);
			if (c > 0 || (c == 0 && na >= nb))
				goto bad;
		}
	}
	*out = m;
	return PB_OK;
bad:
	vec_model_close(m);
	return pb_err_set(err, PB_ECORRUPT, "%s: semantic model is damaged", path);
}

int vec_model_open(const char *path, struct vec_model **out, struct pb_err *err)
{
	return model_open(path, 1, out, err);
}

int vec_model_open_fast(const char *path, struct vec_model **out, struct pb_err *err)
{
	return model_open(path, 0, out, err);
}

int vec_model_verify(const struct vec_model *m, const char *path, struct pb_err *err)
{
	if (!vec_file_hash_ok(path, MODEL_HEADER, m->size - MODEL_HEADER, m->data_hash))
		return pb_err_set(err, PB_ECORRUPT, "%s: semantic model is damaged", path);
	return PB_OK;
}

void vec_model_close(struct vec_model *m)
{
	if (!m)
		return;
	vec_unmap(m->base, m->size);
	free(m);
}

long vec_model_find(const struct vec_model *m, const char *term)
{
	uint32_t lo = 0, hi = m->n_terms;
	size_t n = strlen(term);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *t = m->terms + m->term_off[mid];
		size_t tn = m->term_off[mid + 1] - m->term_off[mid];
		int c = memcmp(t, term, tn < n ? tn : n);
		if (c == 0)
			c = tn < n ? -1 : tn > n;
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
