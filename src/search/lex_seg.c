/* lex_seg.c - opens lexical index segments (format: lex_build.c) and
 * checks them before use: a damaged or foreign file is reported, never
 * trusted. */
#include "lex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad(struct pb_err *err, const char *name, const char *what)
{
	return pb_err_set(err, PB_ECORRUPT, "%s: search index is damaged (%s)", name, what);
}

/* Checks a section: in bounds, aligned, of size count * elem (or at least
 * that when at_least). Sets *p. */
static int section(struct lex_seg *s, const struct lex_header *hd, enum lex_section sec,
		   uint64_t count, size_t elem, int at_least, const void **p)
{
	uint64_t off = hd->sec[sec].off, size = hd->sec[sec].size;
	if (off < LEX_HEADER_SIZE || off > s->size || size > s->size - off || off % 8)
		return -1;
	if (elem && count > UINT64_MAX / elem)
		return -1;
	if (elem && (at_least ? size < count * elem : size != count * elem))
		return -1;
	*p = s->base + off;
	return 0;
}

static int check_offsets(const uint32_t *off, uint32_t n, uint64_t limit)
{
	uint32_t k;
	if (off[0] != 0)
		return -1;
	for (k = 0; k < n; k++)
		if (off[k + 1] < off[k])
			return -1;
	return off[n] > limit ? -1 : 0;
}

uint64_t lex_header_hash(const uint8_t head[LEX_HEADER_SIZE])
{
	uint8_t h[LEX_HEADER_SIZE];
	memcpy(h, head, LEX_HEADER_SIZE);
	memset(h + offsetof(struct lex_header, header_hash), 0, sizeof(uint64_t));
	return lex_hash64(h, LEX_HEADER_SIZE, 0);
}

void lex_image_seal(uint8_t *img, size_t n)
{
	struct lex_header hd;
	memcpy(&hd, img, sizeof(hd));
	hd.data_hash = lex_hash64(img + LEX_HEADER_SIZE, n - LEX_HEADER_SIZE, 0);
	memcpy(img, &hd, sizeof(hd));
	hd.header_hash = lex_header_hash(img);
	memcpy(img, &hd, sizeof(hd));
}

static int validate(struct lex_seg *s, const char *name, const char *path, int checksum,
		    struct pb_err *err)
{
	struct lex_header hd;
	uint8_t head[LEX_HEADER_SIZE];
	const void *p;
	uint32_t k, f;
	uint64_t h;

	if (s->size < LEX_HEADER_SIZE)
		return bad(err, name, "too short");
	memcpy(head, s->base, LEX_HEADER_SIZE);
	memcpy(&hd, head, sizeof(hd));
	if (memcmp(hd.magic, LEX_MAGIC, 8) != 0)
		return bad(err, name, "not a paperboy search index");
	if (hd.byte_order != LEX_BYTE_ORDER)
		return pb_err_set(err, PB_EVERSION,
				  "%s: search index from a machine of another byte order", name);
	if (hd.version != LEX_FORMAT_VERSION || hd.header_size != LEX_HEADER_SIZE)
		return pb_err_set(err, PB_EVERSION,
				  "%s: search index format %u, this paperboy reads %u", name,
				  hd.version, LEX_FORMAT_VERSION);
	if (lex_header_hash(head) != hd.header_hash)
		return bad(err, name, "header checksum mismatch");
	if (hd.file_size != s->size)
		return bad(err, name, "truncated or extended");
	s->data_hash = hd.data_hash;
	if (!checksum) {
		h = hd.data_hash;
	} else if (path) {
		if (lex_hash_file(path, LEX_HEADER_SIZE, s->size - LEX_HEADER_SIZE, &h))
			return pb_err_set(err, PB_EIO, "%s: cannot read it", path);
	} else {
		h = lex_hash64(s->base + LEX_HEADER_SIZE, s->size - LEX_HEADER_SIZE, 0);
	}
	if (h != hd.data_hash)
		return bad(err, name, "checksum mismatch");
	if (hd.k1 != LEX_K1)
		return pb_err_set(err, PB_EVERSION,
				  "%s: search index built with other ranking parameters", name);
	for (f = 0; f < LEX_NFIELDS; f++)
		if (hd.weight[f] != lex_field_weight[f] || hd.b[f] != lex_field_b[f])
			return pb_err_set(err, PB_EVERSION,
					  "%s: search index built with other ranking parameters",
					  name);

	s->n_docs = hd.n_docs;
	s->n_terms = hd.n_terms;
	s->n_cats = hd.n_cats;
	s->n_skips = hd.n_skips;
	s->stats.n_docs = hd.stats_docs;
	memcpy(s->stats.avg_len, hd.avg_len, sizeof(hd.avg_len));
	s->max_row = hd.max_row;
	s->build_id = hd.build_id;
	memcpy(s->built, hd.built, sizeof(s->built));
	s->built[sizeof(s->built) - 1] = '\0';
	if (hd.n_cats > 65536)
		return bad(err, name, "category count");

#define SEC(id, count, elem, field)                                                                \
	do {                                                                                       \
		if (section(s, &hd, id, count, elem, 0, &p))                                       \
			return bad(err, name, "section " #id);                                     \
		s->field = p;                                                                      \
	} while (0)
	SEC(LS_ROW, hd.n_docs, sizeof(int64_t), row);
	SEC(LS_HASH, hd.n_docs, sizeof(uint64_t), chash);
	SEC(LS_DAY, hd.n_docs, sizeof(int32_t), day);
	SEC(LS_VOTES, hd.n_docs, sizeof(int32_t), votes);
	SEC(LS_NORM, (uint64_t)hd.n_docs * LEX_NFIELDS, sizeof(float), norm);
	SEC(LS_LEN, (uint64_t)hd.n_docs * LEX_NFIELDS, sizeof(uint16_t), len);
	SEC(LS_CATOFF, (uint64_t)hd.n_docs + 1, sizeof(uint32_t), cat_off);
	SEC(LS_CATS, 0, 0, cats);
	SEC(LS_CATNAMEOFF, (uint64_t)hd.n_cats + 1, sizeof(uint32_t), catname_off);
	SEC(LS_CATNAMES, 0, 0, catnames);
	SEC(LS_IDOFF, (uint64_t)hd.n_docs + 1, sizeof(uint32_t), id_off);
	SEC(LS_IDS, 0, 0, ids);
	SEC(LS_TERMOFF, (uint64_t)hd.n_terms + 1, sizeof(uint32_t), term_off);
	SEC(LS_TERMS, 0, 0, terms);
	SEC(LS_INFO, hd.n_terms, sizeof(struct lex_terminfo), info);
	SEC(LS_SKIPS, hd.n_skips, sizeof(struct lex_skip), skips);
	SEC(LS_IMPACT, 0, 0, impact);
	SEC(LS_POST, 0, 0, post);
	SEC(LS_POS, 0, 0, pos);
#undef SEC
	s->post_size = hd.sec[LS_POST].size;
	s->impact_size = hd.sec[LS_IMPACT].size;
	s->pos_size = hd.sec[LS_POS].size;

	for (k = 1; k < hd.n_docs; k++)
		if (s->row[k] <= s->row[k - 1])
			return bad(err, name, "row ids out of order");
	if (check_offsets(s->cat_off, hd.n_docs, hd.sec[LS_CATS].size / sizeof(uint16_t)))
		return bad(err, name, "category lists");
	for (k = 0; k < s->cat_off[hd.n_docs]; k++)
		if (s->cats[k] >= hd.n_cats)
			return bad(err, name, "category id");
	if (check_offsets(s->catname_off, hd.n_cats, hd.sec[LS_CATNAMES].size))
		return bad(err, name, "category names");
	if (check_offsets(s->id_off, hd.n_docs, hd.sec[LS_IDS].size))
		return bad(err, name, "arXiv ids");
	if (check_offsets(s->term_off, hd.n_terms, hd.sec[LS_TERMS].size))
		return bad(err, name, "dictionary");
	for (k = 0; k < hd.n_terms; k++) {
		const struct lex_terminfo *t = &s->info[k];
		uint64_t blocks = ((uint64_t)t->df + LEX_BLOCK - 1) / LEX_BLOCK;
		if (t->df == 0 || t->df > hd.n_docs ||
		    (uint64_t)t->first_skip + blocks > hd.n_skips || t->post_off > s->post_size ||
		    t->pos_off > s->pos_size || t->imp_off > s->impact_size ||
		    s->impact_size - t->imp_off < t->df)
			return bad(err, name, "term table");
		if (k &&
		    (t->post_off < s->info[k - 1].post_off || t->pos_off < s->info[k - 1].pos_off))
			return bad(err, name, "term table order");
		if (k) {
			const char *a = s->terms + s->term_off[k - 1],
				   *b = s->terms + s->term_off[k];
			size_t na = s->term_off[k] - s->term_off[k - 1],
			       nb = s->term_off[k + 1] - s->term_off[k];
			int c = memcmp(a, b, na < nb ? na : nb);
			if (c > 0 || (c == 0 && na >= nb))
				return bad(err, name, "dictionary order");
		}
	}
	return PB_OK;
}

static int open_image(struct lex_seg *s, const char *name, const char *path, int checksum,
		      struct lex_seg **out, struct pb_err *err)
{
	int rc = validate(s, name, path, checksum, err);
	if (rc) {
		lex_seg_close(s);
		return rc;
	}
	*out = s;
	return PB_OK;
}

static int open_file(const char *path, int checksum, struct lex_seg **out, struct pb_err *err)
{
	struct lex_seg *s;
	struct stat sb;
	void *m;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return pb_err_set(err, PB_ENOTFOUND, "%s: no search index", path);
		return pb_err_set(err, PB_EIO, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0) {
		int e = errno;
		close(fd);
		return pb_err_set(err, PB_EIO, "%s: %s", path, strerror(e));
	}
	if (sb.st_size < (off_t)LEX_HEADER_SIZE) {
		close(fd);
		return bad(err, path, "too short");
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return pb_err_set(err, PB_EIO, "%s: cannot map: %s", path, strerror(errno));
	s = calloc(1, sizeof(*s));
	if (!s) {
		munmap(m, (size_t)sb.st_size);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	s->base = m;
	s->size = (size_t)sb.st_size;
	s->mapped = 1;
	return open_image(s, path, path, checksum, out, err);
}

int lex_seg_open_file(const char *path, struct lex_seg **out, struct pb_err *err)
{
	return open_file(path, 1, out, err);
}

int lex_seg_open_file_fast(const char *path, struct lex_seg **out, struct pb_err *err)
{
	return open_file(path, 0, out, err);
}

int lex_seg_verify(const struct lex_seg *s, const char *path, struct pb_err *err)
{
	uint64_t h;
	if (lex_hash_file(path, LEX_HEADER_SIZE, s->size - LEX_HEADER_SIZE, &h))
		return pb_err_set(err, PB_EIO, "%s: cannot read it", path);
	if (h != s->data_hash)
		return bad(err, path, "checksum mismatch");
	return PB_OK;
}

int lex_seg_open_mem(void *data, size_t size, struct lex_seg **out, struct pb_err *err)
{
	struct lex_seg *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s) {
		free(data);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	s->base = data;
	s->size = size;
	s->mapped = 0;
	if ((uintptr_t)data % 8) {
		lex_seg_close(s);
		return pb_err_set(err, PB_EINVAL, "search segment buffer not aligned");
	}
	return open_image(s, "fresh search segment", NULL, 1, out, err);
}

void lex_seg_close(struct lex_seg *s)
{
	if (!s)
		return;
	if (s->mapped)
		munmap((void *)s->base, s->size);
	else
		free((void *)s->base);
	free(s);
}

long lex_seg_find(const struct lex_seg *s, const char *term, size_t n)
{
	uint32_t lo = 0, hi = s->n_terms;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *t = s->terms + s->term_off[mid];
		size_t tn = s->term_off[mid + 1] - s->term_off[mid];
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

void lex_seg_term_data(const struct lex_seg *s, uint32_t t, const uint8_t **post,
		       const uint8_t **post_end, const uint8_t **pos, const uint8_t **pos_end)
{
	uint64_t pe = t + 1 < s->n_terms ? s->info[t + 1].post_off : s->post_size;
	uint64_t qe = t + 1 < s->n_terms ? s->info[t + 1].pos_off : s->pos_size;
	*post = s->post + s->info[t].post_off;
	*post_end = s->post + pe;
	*pos = s->pos + s->info[t].pos_off;
	*pos_end = s->pos + qe;
}

const char *lex_seg_id(const struct lex_seg *s, uint32_t d, size_t *n)
{
	*n = s->id_off[d + 1] - s->id_off[d];
	return s->ids + s->id_off[d];
}

long lex_seg_doc_of_row(const struct lex_seg *s, int64_t row)
{
	uint32_t lo = 0, hi = s->n_docs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->row[mid] == row)
			return (long)mid;
		if (s->row[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int lex_seg_cat_find(const struct lex_seg *s, const char *name)
{
	size_t n = strlen(name);
	uint32_t c;
	for (c = 0; c < s->n_cats; c++)
		if (s->catname_off[c + 1] - s->catname_off[c] == n &&
		    memcmp(s->catnames + s->catname_off[c], name, n) == 0)
			return (int)c;
	return -1;
}

const char *lex_seg_cat_name(const struct lex_seg *s, uint32_t c, size_t *n)
{
	*n = s->catname_off[c + 1] - s->catname_off[c];
	return s->catnames + s->catname_off[c];
}
