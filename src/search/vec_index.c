/* vec_index.c - document vectors: folding a segment's documents into the
 * LSA space, their file, query folding and the exact top-k scan. This file
 * owns the document vector format:
 *
 *   A 128-byte header (struct docs_header below), then on 8-byte
 *   boundaries, little-endian:
 *     Q      int8[n_docs][dims]  quantised unit vectors: v = q * scale / 127
 *     SCALE  float[n_docs]       largest |component| of each unit vector
 *                                (0 for a document with no vocabulary word)
 *   and, for segments of VEC_IVF_MIN_DOCS documents or more, the inverted
 *   file index (vec_ivf.c; n_lists 0 and empty sections otherwise). Then Q
 *   and SCALE are stored in list order, so a list is one contiguous run:
 *     CENT    float[n_lists][dims] unit centroids
 *     LISTOFF uint32[n_lists + 1]  list k holds the vectors at off[k]..off[k+1]
 *     LISTDOC uint32[n_docs]       the docid of the vector at each place
 *     POS     uint32[n_docs]       the place of each docid's vector
 *   The header names the model (its build id) and the lexical segment
 *   (its build id) the vectors were made from, so a rebuilt index is
 *   noticed, and carries checksums of itself and of the rest.
 */
#include "vec.h"
#include "vec_int.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOCS_MAGIC "PBVECDOC"
#define DOCS_VERSION 4u
#define DOCS_HEADER 256u

struct docs_header {
	char magic[8];
	uint32_t version, header_size, byte_order, dims;
	uint32_t n_docs, reserved;
	uint64_t model_id, seg_id, file_size, data_hash, header_hash;
	uint64_t q_off, q_size, scale_off, scale_size;
	uint32_t n_lists, reserved2;
	uint64_t cent_off, cent_size, listoff_off, listoff_size, listdoc_off, listdoc_size;
	uint64_t pos_off, pos_size;
};

/* ---- postings, block by block ---- */

void vec_postings_init(struct vec_postings *pi, const struct lex_seg *s, uint32_t t, uint32_t from)
{
	const struct lex_terminfo *ti = &s->info[t];
	const struct lex_skip *sk = s->skips + ti->first_skip;
	uint32_t n_blocks = (ti->df + LEX_BLOCK - 1) / LEX_BLOCK, b = 0;
	const uint8_t *pos, *pos_end;
	memset(pi, 0, sizeof(*pi));
	lex_seg_term_data(s, t, &pi->p, &pi->end, &pos, &pos_end);
	while (b < n_blocks && sk[b].last_doc < from)
		b++;
	pi->left = ti->df - (b < n_blocks ? b * LEX_BLOCK : ti->df);
	pi->first = b == 0;
	pi->base = b ? sk[b - 1].last_doc : 0;
	if (b < n_blocks) {
		if (sk[b].post_rel > (size_t)(pi->end - pi->p)) {
			pi->err = 1;
			pi->left = 0;
		} else {
			pi->p += sk[b].post_rel;
		}
	}
}

uint32_t vec_postings_next(struct vec_postings *pi, struct lex_block *blk)
{
	uint32_t want = pi->left < LEX_BLOCK ? pi->left : LEX_BLOCK;
	if (!want)
		return 0;
	if (lex_block_decode(&pi->p, pi->end, pi->base, pi->first, want, blk) || blk->n != want) {
		pi->err = 1;
		pi->left = 0;
		return 0;
	}
	pi->first = 0;
	pi->base = blk->doc[blk->n - 1];
	pi->left -= blk->n;
	return blk->n;
}

/* ---- files ---- */

int vec_map_file(const char *path, const void **base, size_t *size, struct pb_err *err)
{
	struct stat sb;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return pb_err_set(err, PB_ENOTFOUND, "%s: missing", path);
		return pb_err_set(err, PB_EIO, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0 || sb.st_size <= 0) {
		close(fd);
		return pb_err_set(err, PB_ECORRUPT, "%s: empty", path);
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return pb_err_set(err, PB_EIO, "%s: cannot map: %s", path, strerror(errno));
	*base = m;
	*size = (size_t)sb.st_size;
	return PB_OK;
}

int vec_file_hash_ok(const char *path, uint64_t off, uint64_t len, uint64_t want)
{
	uint64_t h;
	return lex_hash_file(path, off, len, &h) == PB_OK && h == want;
}

void vec_unmap(const void *base, size_t size)
{
	if (base)
		munmap((void *)base, size);
}

/* ---- folding documents ---- */

/* The weight of each dimension: singular value ^ -VEC_SV_POWER. */
static void sv_weights(const struct vec_model *m, float *w)
{
	unsigned i;
	for (i = 0; i < m->dims; i++)
		w[i] = m->sv[i] > 0 ? powf(m->sv[i], -VEC_SV_POWER) : 0;
}

static void quantise(const float *v, unsigned dims, int8_t *q, float *scale)
{
	double norm = 0;
	float mx = 0;
	unsigned i;
	for (i = 0; i < dims; i++)
		norm += (double)v[i] * v[i];
	norm = sqrt(norm);
	if (norm <= 0) {
		memset(q, 0, dims);
		*scale = 0;
		return;
	}
	for (i = 0; i < dims; i++) {
		float x = fabsf(v[i]) / (float)norm;
		if (x > mx)
			mx = x;
	}
	*scale = mx;
	for (i = 0; i < dims; i++)
		q[i] = (int8_t)lrintf((v[i] / (float)norm) / mx * 127.0f);
}

struct dwriter {
	FILE *f;
	struct lex_hasher h;
	uint64_t off;
	int failed;
};

static void dput(struct dwriter *o, const void *p, size_t n)
{
	if (!n || o->failed)
		return;
	if (fwrite(p, 1, n, o->f) != n)
		o->failed = 1;
	lex_hasher_add(&o->h, p, n);
	o->off += n;
}

int vec_docs_build(const struct vec_model *m, const struct lex_seg *seg, const char *path,
		   struct vec_docs **out, struct pb_err *err)
{
	unsigned dims = m->dims, j2;
	float sv_scale[VEC_DIMS_MAX];
	size_t n = seg->n_docs, chunk, d0, k;
	long *seg_term = NULL;
	float *acc = NULL, *scale = NULL;
	int8_t *qall = NULL;
	uint32_t *pos = NULL;
	struct vec_ivf ivf = {0};
	struct lex_block *blk = malloc(sizeof(*blk));
	struct vec_docs *v = NULL;
	struct dwriter o;
	struct docs_header hd;
	char tmp[1100];
	uint8_t head[DOCS_HEADER];
	int rc = PB_OK;

	*out = NULL;
	memset(&o, 0, sizeof(o));
	memset(&hd, 0, sizeof(hd));
	chunk = ((size_t)256 << 20) / ((size_t)dims * sizeof(float));
	if (chunk > n)
		chunk = n ? n : 1;
	seg_term = malloc(m->n_terms * sizeof(long));
	acc = malloc(chunk * dims * sizeof(float));
	scale = malloc((n ? n : 1) * sizeof(float));
	qall = malloc((n ? n : 1) * dims);
	if (!blk || !seg_term || !acc || !scale || !qall) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < m->n_terms; k++)
		seg_term[k] = lex_seg_find(seg, m->terms + m->term_off[k],
					   m->term_off[k + 1] - m->term_off[k]);
	sv_weights(m, sv_scale);
	if (path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
		o.f = fopen(tmp, "wb");
		if (!o.f) {
			rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		memset(head, 0, sizeof(head));
		if (fwrite(head, 1, DOCS_HEADER, o.f) != DOCS_HEADER)
			o.failed = 1;
		o.off = DOCS_HEADER;
		lex_hasher_init(&o.h, 0);
		hd.q_off = o.off;
	}
	for (d0 = 0; d0 < n; d0 += chunk) {
		size_t d1 = d0 + chunk < n ? d0 + chunk : n, d;
		int8_t *q = qall + d0 * dims;
		memset(acc, 0, (d1 - d0) * dims * sizeof(float));
		for (k = 0; k < m->n_terms; k++) {
			struct vec_postings pi;
			const float *row = m->proj + k * dims;
			float idf = m->idf[k];
			int done = 0;
			if (seg_term[k] < 0)
				continue;
			vec_postings_init(&pi, seg, (uint32_t)seg_term[k], (uint32_t)d0);
			while (!done && vec_postings_next(&pi, blk)) {
				uint32_t j;
				for (j = 0; j < blk->n; j++) {
					uint32_t dd = blk->doc[j], tf, ft[LEX_NFIELDS];
					if (dd < d0)
						continue;
					if (dd >= d1) {
						done = 1;
						break;
					}
					lex_block_tf(blk, j, ft);
					tf = 2 * ft[LEX_TITLE] + ft[LEX_ABSTRACT];
					if (tf)
						cblas_saxpy((int)dims,
							    (1.0f + logf((float)tf)) * idf, row, 1,
							    acc + (dd - d0) * dims, 1);
				}
			}
			if (pi.err) {
				rc = pb_err_set(err, PB_ECORRUPT,
						"search index is damaged (postings)");
				goto out;
			}
		}
		for (d = d0; d < d1; d++)
			for (j2 = 0; j2 < dims; j2++)
				acc[(d - d0) * dims + j2] *= sv_scale[j2];
		for (d = d0; d < d1; d++)
			quantise(acc + (d - d0) * dims, dims, q + (d - d0) * dims, &scale[d]);
	}
	if (!path) {
		/* in memory: one block laid out like the file's sections */
		v = calloc(1, sizeof(*v));
		if (!v) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		v->dims = dims;
		v->n_docs = (uint32_t)n;
		v->model_id = m->build_id;
		v->seg_id = seg->build_id;
		v->q = qall;
		v->scale = scale;
		v->mapped = 0;
		qall = NULL;
		scale = NULL;
		*out = v;
		goto out;
	}
	if (n >= VEC_IVF_MIN_DOCS && (rc = vec_ivf_build(qall, scale, n, dims, &ivf, err)))
		goto out;
	if (ivf.n_lists) {
		/* the vectors in list order; pos maps a docid to its place */
		int8_t *q2 = malloc(n * dims);
		float *s2 = malloc(n * sizeof(float));
		size_t j;
		pos = malloc(n * sizeof(uint32_t));
		if (!q2 || !s2 || !pos) {
			free(q2);
			free(s2);
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		for (j = 0; j < n; j++) {
			uint32_t d = ivf.list_doc[j];
			memcpy(q2 + j * dims, qall + (size_t)d * dims, dims);
			s2[j] = scale[d];
			pos[d] = (uint32_t)j;
		}
		free(qall);
		free(scale);
		qall = q2;
		scale = s2;
	}
	{
		static const uint8_t zero[8];
		dput(&o, qall, n * dims);
		hd.q_size = o.off - hd.q_off;
#define SECTION(offf, sizef, ptr, bytes)                                                           \
	do {                                                                                       \
		dput(&o, zero, (size_t)((8 - o.off % 8) % 8));                                     \
		hd.offf = o.off;                                                                   \
		dput(&o, ptr, bytes);                                                              \
		hd.sizef = bytes;                                                                  \
	} while (0)
		SECTION(scale_off, scale_size, scale, n * sizeof(float));
		hd.n_lists = ivf.n_lists;
		SECTION(cent_off, cent_size, ivf.cent, (size_t)ivf.n_lists * dims * sizeof(float));
		SECTION(listoff_off, listoff_size, ivf.list_off,
			ivf.n_lists ? ((size_t)ivf.n_lists + 1) * sizeof(uint32_t) : 0);
		SECTION(listdoc_off, listdoc_size, ivf.list_doc,
			ivf.n_lists ? n * sizeof(uint32_t) : 0);
		SECTION(pos_off, pos_size, pos, ivf.n_lists ? n * sizeof(uint32_t) : 0);
#undef SECTION
	}
	memcpy(hd.magic, DOCS_MAGIC, 8);
	hd.version = DOCS_VERSION;
	hd.header_size = DOCS_HEADER;
	hd.byte_order = LEX_BYTE_ORDER;
	hd.dims = dims;
	hd.n_docs = (uint32_t)n;
	hd.model_id = m->build_id;
	hd.seg_id = seg->build_id;
	hd.file_size = o.off;
	hd.data_hash = lex_hasher_end(&o.h);
	memset(head, 0, sizeof(head));
	memcpy(head, &hd, sizeof(hd));
	hd.header_hash = lex_hash64(head, DOCS_HEADER, 0);
	memcpy(head, &hd, sizeof(hd));
	if (!o.failed &&
	    (fseek(o.f, 0, SEEK_SET) != 0 || fwrite(head, 1, DOCS_HEADER, o.f) != DOCS_HEADER ||
	     fflush(o.f) != 0 || fsync(fileno(o.f)) != 0))
		o.failed = 1;
	if (fclose(o.f) != 0)
		o.failed = 1;
	o.f = NULL;
	if (o.failed || rename(tmp, path) != 0) {
		rc = pb_err_set(err, PB_EIO, "%s: writing failed: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = vec_docs_open(path, m, seg, out, err);
out:
	if (o.f) {
		fclose(o.f);
		unlink(tmp);
	}
	free(seg_term);
	free(acc);
	free(scale);
	free(qall);
	free(pos);
	free(blk);
	vec_ivf_free(&ivf);
	return rc;
}

static int docs_open(const char *path, int checksum, const struct vec_model *m,
		     const struct lex_seg *seg, struct vec_docs **out, struct pb_err *err)
{
	struct docs_header hd;
	uint8_t head[DOCS_HEADER];
	struct vec_docs *v;
	const uint8_t *base;
	size_t size;
	int rc;

	*out = NULL;
	rc = vec_map_file(path, (const void **)&base, &size, err);
	if (rc)
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v) {
		vec_unmap(base, size);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	v->base = base;
	v->size = size;
	v->mapped = 1;
	if (size < DOCS_HEADER)
		goto bad;
	memcpy(head, base, DOCS_HEADER);
	memcpy(&hd, head, sizeof(hd));
	if (memcmp(hd.magic, DOCS_MAGIC, 8) != 0)
		goto bad;
	if (hd.version != DOCS_VERSION || hd.header_size != DOCS_HEADER ||
	    hd.byte_order != LEX_BYTE_ORDER) {
		vec_docs_close(v);
		return pb_err_set(err, PB_EVERSION, "%s: document vectors of another format", path);
	}
	memset(head + offsetof(struct docs_header, header_hash), 0, sizeof(hd.header_hash));
	if (lex_hash64(head, DOCS_HEADER, 0) != hd.header_hash || hd.file_size != size ||
	    (checksum && !vec_file_hash_ok(path, DOCS_HEADER, size - DOCS_HEADER, hd.data_hash)))
		goto bad;
	v->data_hash = hd.data_hash;
	if (hd.model_id != m->build_id || hd.seg_id != seg->build_id || hd.dims != m->dims ||
	    hd.n_docs != seg->n_docs) {
		vec_docs_close(v);
		return pb_err_set(err, PB_EVERSION, "%s: document vectors of another index", path);
	}
	if (hd.q_off < DOCS_HEADER || hd.q_off > size || hd.q_size > size - hd.q_off ||
	    hd.q_size != (uint64_t)hd.n_docs * hd.dims || hd.scale_off % 8 || hd.scale_off > size ||
	    hd.scale_size > size - hd.scale_off || hd.scale_size != (uint64_t)hd.n_docs * 4)
		goto bad;
	v->dims = hd.dims;
	v->n_docs = hd.n_docs;
	v->model_id = hd.model_id;
	v->seg_id = hd.seg_id;
	v->q = (const int8_t *)(base + hd.q_off);
	v->scale = (const float *)(base + hd.scale_off);
	if (hd.n_lists) {
		uint32_t k;
		uint64_t c = hd.n_lists;
		if (c > hd.n_docs || hd.cent_off % 8 || hd.cent_off > size ||
		    hd.cent_size != c * hd.dims * 4 || hd.cent_size > size - hd.cent_off ||
		    hd.listoff_off % 8 || hd.listoff_off > size || hd.listoff_size != (c + 1) * 4 ||
		    hd.listoff_size > size - hd.listoff_off || hd.listdoc_off % 8 ||
		    hd.listdoc_off > size || hd.listdoc_size != (uint64_t)hd.n_docs * 4 ||
		    hd.listdoc_size > size - hd.listdoc_off || hd.pos_off % 8 ||
		    hd.pos_off > size || hd.pos_size != (uint64_t)hd.n_docs * 4 ||
		    hd.pos_size > size - hd.pos_off)
			goto bad;
		v->n_lists = hd.n_lists;
		v->cent = (const float *)(base + hd.cent_off);
		v->list_off = (const uint32_t *)(base + hd.listoff_off);
		v->list_doc = (const uint32_t *)(base + hd.listdoc_off);
		v->pos = (const uint32_t *)(base + hd.pos_off);
		if (v->list_off[0] != 0 || v->list_off[c] != hd.n_docs)
			goto bad;
		for (k = 0; k < c; k++)
			if (v->list_off[k + 1] < v->list_off[k])
				goto bad;
		for (k = 0; k < hd.n_docs; k++)
			if (v->list_doc[k] >= hd.n_docs || v->pos[k] >= hd.n_docs ||
			    v->list_doc[v->pos[k]] != k)
				goto bad;
	}
	*out = v;
	return PB_OK;
bad:
	vec_docs_close(v);
	return pb_err_set(err, PB_ECORRUPT, "%s: document vectors are damaged", path);
}

int vec_docs_open(const char *path, const struct vec_model *m, const struct lex_seg *seg,
		  struct vec_docs **out, struct pb_err *err)
{
	return docs_open(path, 1, m, seg, out, err);
}

int vec_docs_open_fast(const char *path, const struct vec_model *m, const struct lex_seg *seg,
		       struct vec_docs **out, struct pb_err *err)
{
	return docs_open(path, 0, m, seg, out, err);
}

int vec_docs_verify(const struct vec_docs *v, const char *path, struct pb_err *err)
{
	if (!vec_file_hash_ok(path, DOCS_HEADER, v->size - DOCS_HEADER, v->data_hash))
		return pb_err_set(err, PB_ECORRUPT, "%s: document vectors are damaged", path);
	return PB_OK;
}

void vec_docs_close(struct vec_docs *v)
{
	if (!v)
		return;
	if (v->mapped) {
		vec_unmap(v->base, v->size);
	} else {
		free((void *)v->q);
		free((void *)v->scale);
		free((void *)v->cent);
		free((void *)v->list_off);
		free((void *)v->list_doc);
		free((void *)v->pos);
	}
	free(v);
}

int vec_docs_add_ivf(struct vec_docs *v, struct pb_err *err)
{
	struct vec_ivf ivf;
	int8_t *q2;
	float *s2;
	uint32_t *pos;
	size_t j, n = v->n_docs, dims = v->dims;
	int rc;
	if (v->mapped || v->n_lists)
		return pb_err_set(err, PB_EINVAL, "document vectors already indexed");
	rc = vec_ivf_build(v->q, v->scale, n, v->dims, &ivf, err);
	if (rc || !ivf.n_lists)
		return rc;
	q2 = malloc(n * dims);
	s2 = malloc(n * sizeof(float));
	pos = malloc(n * sizeof(uint32_t));
	if (!q2 || !s2 || !pos) {
		free(q2);
		free(s2);
		free(pos);
		vec_ivf_free(&ivf);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	for (j = 0; j < n; j++) {
		uint32_t d = ivf.list_doc[j];
		memcpy(q2 + j * dims, v->q + (size_t)d * dims, dims);
		s2[j] = v->scale[d];
		pos[d] = (uint32_t)j;
	}
	free((void *)v->q);
	free((void *)v->scale);
	v->q = q2;
	v->scale = s2;
	v->pos = pos;
	v->n_lists = ivf.n_lists;
	v->cent = ivf.cent;
	v->list_off = ivf.list_off;
	v->list_doc = ivf.list_doc;
	return PB_OK;
}

/* ---- queries ---- */

int vec_fold_query(const struct vec_model *m, const struct query_word *words, size_t n, float *out)
{
	size_t k;
	unsigned i, dims = m->dims;
	float sv_scale[VEC_DIMS_MAX];
	double norm = 0;
	int any = 0;
	memset(out, 0, dims * sizeof(float));
	for (k = 0; k < n; k++) {
		long t = vec_model_find(m, words[k].term);
		float w;
		if (t < 0)
			continue;
		w = (1.0f + logf((float)words[k].count)) * m->idf[t];
		cblas_saxpy((int)dims, w, m->proj + (size_t)t * dims, 1, out, 1);
		any = 1;
	}
	if (!any)
		return 0;
	sv_weights(m, sv_scale);
	for (i = 0; i < dims; i++)
		out[i] *= sv_scale[i];
	for (i = 0; i < dims; i++)
		norm += (double)out[i] * out[i];
	if (norm <= 0)
		return 0;
	norm = sqrt(norm);
	for (i = 0; i < dims; i++)
		out[i] = (float)(out[i] / norm);
	return 1;
}

void vec_doc_vector(const struct vec_docs *v, uint32_t d, float *out)
{
	uint32_t j = v->pos ? v->pos[d] : d;
	const int8_t *q = v->q + (size_t)j * v->dims;
	float s = v->scale[j] / 127.0f;
	unsigned i;
	for (i = 0; i < v->dims; i++)
		out[i] = q[i] * s;
}

/* Scores of the n vectors at vecs (stride int8 apart) against the query
 * q8 over their first dims components: out[i] = q8 . vecs[i] * scale[i]. */
static void scan_plain(const int8_t *q8, const int8_t *vecs, const float *scale, size_t n,
		       unsigned stride, unsigned dims, float *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		const int8_t *b = vecs + i * stride;
		int32_t s = 0;
		unsigned j;
		for (j = 0; j < dims; j++)
			s += (int32_t)q8[j] * b[j];
		out[i] = (float)s * scale[i];
	}
}

/* The same, 32 components a step: the query's signs move onto the
 * document's bytes (vpsignb) so that the unsigned-by-signed multiply-add
 * (vpmaddubsw) takes |q|; pairs of products fit 16 bits (2 * 127 * 127).
 * dims must be a multiple of 32, no component -128 (quantisation keeps
 * them in -127..127). */
__attribute__((target("avx2"))) static void scan_avx2(const int8_t *q8, const int8_t *vecs,
						      const float *scale, size_t n, unsigned stride,
						      unsigned dims, float *out)
{
	__m256i qs[VEC_DIMS_MAX / 32], qa[VEC_DIMS_MAX / 32];
	const __m256i ones = _mm256_set1_epi16(1);
	unsigned c, nc = dims / 32;
	size_t i;
	for (c = 0; c < nc; c++) {
		qs[c] = _mm256_loadu_si256((const __m256i *)(q8 + 32 * c));
		qa[c] = _mm256_abs_epi8(qs[c]);
	}
	for (i = 0; i < n; i++) {
		const int8_t *b = vecs + i * stride;
		__m256i acc = _mm256_setzero_si256();
		__m128i lo;
		for (c = 0; c < nc; c++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(b + 32 * c));
			__m256i p = _mm256_maddubs_epi16(qa[c], _mm256_sign_epi8(v, qs[c]));
			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
		}
		lo = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
		lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0x4E));
		lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0xB1));
		out[i] = (float)_mm_cvtsi128_si32(lo) * scale[i];
	}
}

/* Vectors scored per batch of a scan. */
#define SCAN_RUN 256u

struct cand {
	float score;
	uint32_t seg, doc, place; /* place: of the vector in the view's arrays */
};

/* Min-heap on score: the root is the weakest candidate. */
static void cand_push(struct cand *h, unsigned *n, unsigned cap, const struct cand *c)
{
	unsigned i;
	if (*n == cap) {
		if (c->score <= h[0].score)
			return;
		i = 0;
		for (;;) {
			unsigned l = 2 * i + 1, r = l + 1, m = l;
			if (l >= *n)
				break;
			if (r < *n && h[r].score < h[l].score)
				m = r;
			if (h[m].score >= c->score)
				break;
			h[i] = h[m];
			i = m;
		}
		h[i] = *c;
		return;
	}
	i = (*n)++;
	while (i > 0 && h[(i - 1) / 2].score > c->score) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = *c;
}

static int by_score_desc(const void *x, const void *y)
{
	const struct vec_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	return a->doc < b->doc ? -1 : a->doc > b->doc;
}

int vec_search(const struct vec_docs *const *docs, const struct lex_view *views, unsigned nv,
	       const float *qv, const struct lex_query *filters, uint32_t skip_seg,
	       uint32_t skip_doc, unsigned k, int exact, struct arena *a, struct vec_hit **out,
	       unsigned *n, struct pb_err *err)
{
	int8_t q8[VEC_DIMS_MAX];
	unsigned dims = 0, vi, i, cap, nc = 0;
	struct cand *heap;
	float qmax = 0;
	void (*scan)(const int8_t *, const int8_t *, const float *, size_t, unsigned, unsigned,
		     float *);
	float *sc;

	*out = NULL;
	*n = 0;
	for (vi = 0; vi < nv; vi++)
		if (docs[vi]) {
			dims = docs[vi]->dims;
			break;
		}
	if (!dims || !k)
		return PB_OK;
	cap = k * 4 < 64 ? 64 : k * 4;
	scan = dims % 32 == 0 && __builtin_cpu_supports("avx2") ? scan_avx2 : scan_plain;
	heap = arena_alloc(a, cap * sizeof(*heap));
	sc = arena_alloc(a, SCAN_RUN * sizeof(float));
	if (!heap || !sc)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	for (i = 0; i < dims; i++)
		if (fabsf(qv[i]) > qmax)
			qmax = fabsf(qv[i]);
	if (qmax <= 0)
		return PB_OK;
	for (i = 0; i < dims; i++)
		q8[i] = (int8_t)lrintf(qv[i] / qmax * 127.0f);

	for (vi = 0; vi < nv; vi++) {
		const struct vec_docs *v = docs[vi];
		const struct lex_seg *s = views[vi].seg;
		struct lex_filter f;
		int plain;
		uint32_t d, j;
		if (!v || v->dims != dims || v->n_docs != s->n_docs)
			continue;
		lex_filter_init(&f, s, filters);
		if (f.by_cat && !f.n_ids)
			continue;
		plain = !f.by_cat && f.day_from == INT32_MIN && f.day_to == INT32_MAX;
		if (v->n_lists && plain && !exact) {
			/* the nearest lists, enough of them to hold 4k documents */
			uint32_t *lists = arena_alloc(a, v->n_lists * sizeof(uint32_t)), l,
				 covered = 0;
			unsigned nl;
			if (!lists)
				return pb_err_set(err, PB_ENOMEM, "out of memory");
			nl = vec_ivf_probe(v, qv, lists, 0);
			while (1) {
				for (l = 0; l < nl; l++)
					covered +=
					    v->list_off[lists[l] + 1] - v->list_off[lists[l]];
				if (covered >= 4 * k || nl >= v->n_lists)
					break;
				nl = vec_ivf_probe(v, qv, lists, nl * 2);
				covered = 0;
			}
			/* each list is a contiguous run of vectors: scored in
			 * batches, then only the few beating the heap checked */
			for (l = 0; l < nl; l++) {
				uint32_t j0 = v->list_off[lists[l]], j1 = v->list_off[lists[l] + 1];
				for (; j0 < j1; j0 += SCAN_RUN) {
					uint32_t run = j1 - j0 < SCAN_RUN ? j1 - j0 : SCAN_RUN, r;
					scan(q8, v->q + (size_t)j0 * dims, v->scale + j0, run, dims,
					     dims, sc);
					for (r = 0; r < run; r++) {
						struct cand c;
						if (nc == cap && sc[r] <= heap[0].score)
							continue;
						j = j0 + r;
						d = v->list_doc[j];
						if ((views[vi].dead &&
						     (views[vi].dead[d / 64] >> (d % 64)) & 1) ||
						    (vi == skip_seg && d == skip_doc))
							continue;
						c.score = sc[r];
						c.seg = vi;
						c.doc = d;
						c.place = j;
						cand_push(heap, &nc, cap, &c);
					}
				}
			}
			continue;
		}
		if (!plain) {
			/* filtered: the filter first, it rejects most */
			for (j = 0; j < v->n_docs; j++) {
				struct cand c;
				d = v->list_doc ? v->list_doc[j] : j;
				if (!lex_filter_pass(&f, &views[vi], d) ||
				    (vi == skip_seg && d == skip_doc))
					continue;
				scan(q8, v->q + (size_t)j * dims, v->scale + j, 1, dims, dims,
				     &c.score);
				if (nc == cap && c.score <= heap[0].score)
					continue;
				c.seg = vi;
				c.doc = d;
				c.place = j;
				cand_push(heap, &nc, cap, &c);
			}
			continue;
		}
		for (j = 0; j < v->n_docs; j += SCAN_RUN) {
			uint32_t run = v->n_docs - j < SCAN_RUN ? v->n_docs - j : SCAN_RUN, r;
			scan(q8, v->q + (size_t)j * dims, v->scale + j, run, dims, dims, sc);
			for (r = 0; r < run; r++) {
				struct cand c;
				if (nc == cap && sc[r] <= heap[0].score)
					continue;
				d = v->list_doc ? v->list_doc[j + r] : j + r;
				if ((views[vi].dead && (views[vi].dead[d / 64] >> (d % 64)) & 1) ||
				    (vi == skip_seg && d == skip_doc))
					continue;
				c.score = sc[r];
				c.seg = vi;
				c.doc = d;
				c.place = j + r;
				cand_push(heap, &nc, cap, &c);
			}
		}
	}
	/* re-score the candidates with the float query */
	*out = arena_alloc(a, (nc ? nc : 1) * sizeof(**out));
	if (!*out)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	for (i = 0; i < nc; i++) {
		const struct vec_docs *v = docs[heap[i].seg];
		const int8_t *q = v->q + (size_t)heap[i].place * dims;
		float s = 0;
		unsigned j2;
		for (j2 = 0; j2 < dims; j2++)
			s += qv[j2] * (float)q[j2];
		(*out)[i].score = s * v->scale[heap[i].place] / 127.0f;
		(*out)[i].seg = heap[i].seg;
		(*out)[i].doc = heap[i].doc;
	}
	qsort(*out, nc, sizeof(**out), by_score_desc);
	*n = nc < k ? nc : k;
	return PB_OK;
}
