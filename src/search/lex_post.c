/* lex_post.c - the postings codec (varints, field frequencies, blocks,
 * positions; the format is described in lex.h), the ranking constants and
 * the 64-bit hash used for checksums. */
#include "lex.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const float lex_field_weight[LEX_NFIELDS] = {2.5f, 1.0f, 0.75f};
const float lex_field_b[LEX_NFIELDS] = {0.5f, 0.75f, 0.5f};

float lex_idf(double n, double df)
{
	if (df > n)
		df = n;
	return (float)log(1.0 + (n - df + 0.5) / (df + 0.5));
}

size_t lex_varint_put(uint8_t *p, uint32_t v)
{
	size_t k = 0;
	while (v >= 0x80) {
		p[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[k++] = (uint8_t)v;
	return k;
}

int lex_varint_get(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	const uint8_t *p = *pp;
	uint32_t r = 0;
	unsigned shift = 0;
	while (p < end) {
		uint8_t c = *p++;
		if (shift == 28 && (c & 0xF0))
			return PB_ECORRUPT;
		r |= (uint32_t)(c & 0x7F) << shift;
		if (!(c & 0x80)) {
			*v = r;
			*pp = p;
			return PB_OK;
		}
		shift += 7;
		if (shift > 28)
			return PB_ECORRUPT;
	}
	return PB_ECORRUPT;
}

uint8_t lex_tf_byte(const uint32_t tf[LEX_NFIELDS], uint8_t *p, size_t *n)
{
	uint32_t tt = tf[LEX_TITLE], ta = tf[LEX_AUTHORS], tb = tf[LEX_ABSTRACT];
	size_t k = 0;
	if (tt >= 3)
		k += lex_varint_put(p + k, tt - 3);
	if (ta >= 3)
		k += lex_varint_put(p + k, ta - 3);
	if (tb >= 15)
		k += lex_varint_put(p + k, tb - 15);
	*n = k;
	return (uint8_t)(((tt < 3 ? tt : 3) << 6) | ((ta < 3 ? ta : 3) << 4) | (tb < 15 ? tb : 15));
}

size_t lex_block_encode(uint8_t *p, const uint32_t *doc, const uint32_t (*tf)[LEX_NFIELDS],
			uint32_t n, uint32_t base, int first)
{
	uint32_t prev = first ? UINT32_MAX : base, i;
	unsigned w = 0;
	size_t packed, k;
	uint8_t *rest;
	for (i = 0; i < n; i++) {
		unsigned b = lex_bits(doc[i] - prev - 1);
		if (b > w)
			w = b;
		prev = doc[i];
	}
	packed = ((size_t)n * w + 7) / 8;
	p[0] = (uint8_t)w;
	memset(p + 1, 0, packed);
	prev = first ? UINT32_MAX : base;
	rest = p + 1 + packed + n;
	for (i = 0; i < n; i++) {
		uint64_t gap = doc[i] - prev - 1, bit = (uint64_t)i * w;
		for (k = 0; k < w; k++)
			if ((gap >> k) & 1)
				p[1 + (bit + k) / 8] |= (uint8_t)(1u << ((bit + k) % 8));
		prev = doc[i];
		p[1 + packed + i] = lex_tf_byte(tf[i], rest, &k);
		rest += k;
	}
	return (size_t)(rest - p);
}

/* The gaps of widths w in [start, end) of n postings: 8-byte loads while they
 * stay inside the buffer, bytes after that. */
static void unpack(const uint8_t *restrict g, size_t room, unsigned w, uint32_t n,
		   uint64_t doc, uint32_t *restrict out, uint64_t *last)
{
	uint64_t mask = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1, bit = 0;
	uint32_t i = 0, fast = n;
	if (room < ((uint64_t)n * w + 7) / 8 + 8)
		fast = room >= 8 ? (uint32_t)(((room - 8) * 8) / (w ? w : 1)) : 0;
	if (fast > n)
		fast = n;
	for (; i < fast; i++, bit += w) {
		uint64_t v;
		memcpy(&v, g + bit / 8, sizeof(v)); /* little-endian: checked on open */
		doc += (v >> (bit % 8)) & mask;
		out[i] = (uint32_t)doc++;
	}
	for (; i < n; i++, bit += w) {
		uint64_t v = 0;
		unsigned k;
		for (k = 0; k < 8 && bit / 8 + k < room; k++)
			v |= (uint64_t)g[bit / 8 + k] << (8 * k);
		doc += (v >> (bit % 8)) & mask;
		out[i] = (uint32_t)doc++;
	}
	*last = doc - 1;
}

int lex_block_decode(const uint8_t **pp, const uint8_t *end, uint32_t base, int first, uint32_t n,
		     struct lex_block *out)
{
	const uint8_t *p = *pp, *gaps, *freq, *rest;
	uint64_t last;
	uint32_t i, x;
	unsigned w, sat = 0;
	size_t packed;

	if (n == 0 || n > LEX_BLOCK || p >= end)
		return PB_ECORRUPT;
	w = p[0];
	if (w > 32)
		return PB_ECORRUPT;
	packed = ((size_t)n * w + 7) / 8;
	if ((size_t)(end - p) < 1 + packed + n)
		return PB_ECORRUPT;
	gaps = p + 1;
	freq = gaps + packed;
	rest = freq + n;
	unpack(gaps, (size_t)(end - gaps), w, n, first ? 0 : (uint64_t)base + 1, out->doc, &last);
	if (last > UINT32_MAX - 1)
		return PB_ECORRUPT; /* docids wrapped */
	memcpy(out->freq, freq, n);
	/* saturated fields, 8 bytes at a time: bits 7-6, 5-4 or 3-0 all set */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v, y;
		memcpy(&v, freq + i, sizeof(v));
		y = v & (v >> 1);
		sat |= (y & 0x5050505050505050u) || (y & (y >> 2) & 0x0101010101010101u);
	}
	for (; i < n; i++)
		sat |= (unsigned)lex_freq_saturated(freq[i]);
	for (i = 0; sat && i < n; i++) {
		uint8_t c = freq[i];
		uint32_t *tf = out->big[i];
		if (!lex_freq_saturated(c))
			continue;
		tf[LEX_TITLE] = c >> 6;
		tf[LEX_AUTHORS] = (c >> 4) & 3;
		tf[LEX_ABSTRACT] = c & 15;
		if ((c >> 6) == 3) {
			if (lex_varint_get(&rest, end, &x) || x > (1u << 24))
				return PB_ECORRUPT;
			tf[LEX_TITLE] += x;
		}
		if (((c >> 4) & 3) == 3) {
			if (lex_varint_get(&rest, end, &x) || x > (1u << 24))
				return PB_ECORRUPT;
			tf[LEX_AUTHORS] += x;
		}
		if ((c & 15) == 15) {
			if (lex_varint_get(&rest, end, &x) || x > (1u << 24))
				return PB_ECORRUPT;
			tf[LEX_ABSTRACT] += x;
		}
	}
	out->n = n;
	*pp = rest;
	return PB_OK;
}

int lex_pos_skip(const uint8_t **pp, const uint8_t *end, uint32_t count)
{
	const uint8_t *p = *pp;
	/* 8 bytes at a time while all their varints are to be skipped: a
	 * varint ends at each byte with the high bit clear */
	while (count >= 8 && end - p >= 8) {
		uint64_t v;
		unsigned ends;
		memcpy(&v, p, sizeof(v));
		ends = (unsigned)__builtin_popcountll(~v & 0x8080808080808080u);
		if (ends >= count)
			break; /* the last one ends inside: bytes after it stay */
		count -= ends;
		p += 8;
	}
	while (count) {
		if (p >= end)
			return PB_ECORRUPT;
		if (!(*p++ & 0x80))
			count--;
	}
	*pp = p;
	return PB_OK;
}

int lex_pos_read(const uint8_t **pp, const uint8_t *end, uint32_t count, uint32_t *out)
{
	uint32_t k, pos = 0, d;
	for (k = 0; k < count; k++) {
		if (lex_varint_get(pp, end, &d) || pos + d < pos)
			return PB_ECORRUPT;
		pos += d;
		out[k] = pos;
	}
	return PB_OK;
}

/* ---- hash: the XXH64 algorithm ---- */

#define P1 11400714785074694791ULL
#define P2 14029467366897019727ULL
#define P3 1609587929392839161ULL
#define P4 9650029242287828579ULL
#define P5 2870177450012600261ULL

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t xround(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static uint64_t xmerge(uint64_t acc, uint64_t v)
{
	acc ^= xround(0, v);
	return acc * P1 + P4;
}

uint64_t lex_hash64(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data, *end = p + n;
	uint64_t h;
	if (n >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
		const uint8_t *limit = end - 32;
		do {
			v1 = xround(v1, rd64(p));
			v2 = xround(v2, rd64(p + 8));
			v3 = xround(v3, rd64(p + 16));
			v4 = xround(v4, rd64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
		h = xmerge(h, v1);
		h = xmerge(h, v2);
		h = xmerge(h, v3);
		h = xmerge(h, v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)n;
	while (p + 8 <= end) {
		h ^= xround(0, rd64(p));
		h = rotl(h, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (*p++) * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

void lex_hasher_init(struct lex_hasher *h, uint64_t seed)
{
	memset(h, 0, sizeof(*h));
	h->seed = seed;
	h->v[0] = seed + P1 + P2;
	h->v[1] = seed + P2;
	h->v[2] = seed;
	h->v[3] = seed - P1;
}

static void hasher_stripe(struct lex_hasher *h, const uint8_t *p)
{
	h->v[0] = xround(h->v[0], rd64(p));
	h->v[1] = xround(h->v[1], rd64(p + 8));
	h->v[2] = xround(h->v[2], rd64(p + 16));
	h->v[3] = xround(h->v[3], rd64(p + 24));
}

void lex_hasher_add(struct lex_hasher *h, const void *data, size_t n)
{
	const uint8_t *p = data;
	h->total += n;
	if (h->buflen) {
		size_t take = 32 - h->buflen < n ? 32 - h->buflen : n;
		memcpy(h->buf + h->buflen, p, take);
		h->buflen += take;
		p += take;
		n -= take;
		if (h->buflen < 32)
			return;
		hasher_stripe(h, h->buf);
		h->buflen = 0;
	}
	while (n >= 32) {
		hasher_stripe(h, p);
		p += 32;
		n -= 32;
	}
	if (n) {
		memcpy(h->buf, p, n);
		h->buflen = n;
	}
}

uint64_t lex_hasher_end(const struct lex_hasher *h)
{
	const uint8_t *p = h->buf, *end = h->buf + h->buflen;
	uint64_t x;
	if (h->total >= 32) {
		x = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
		x = xmerge(x, h->v[0]);
		x = xmerge(x, h->v[1]);
		x = xmerge(x, h->v[2]);
		x = xmerge(x, h->v[3]);
	} else {
		x = h->seed + P5;
	}
	x += h->total;
	while (p + 8 <= end) {
		x ^= xround(0, rd64(p));
		x = rotl(x, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end) {
		x ^= (uint64_t)rd32(p) * P1;
		x = rotl(x, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		x ^= (*p++) * P5;
		x = rotl(x, 11) * P1;
	}
	x ^= x >> 33;
	x *= P2;
	x ^= x >> 29;
	x *= P3;
	x ^= x >> 32;
	return x;
}

int lex_hash_file(const char *path, uint64_t off, uint64_t len, uint64_t *out)
{
	struct lex_hasher h;
	size_t bufsize = 1 << 20;
	uint8_t *buf = malloc(bufsize);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = PB_OK;
	if (fd < 0 || !buf) {
		rc = fd < 0 ? PB_EIO : PB_ENOMEM;
		goto out;
	}
	lex_hasher_init(&h, 0);
	while (len) {
		size_t want = len < bufsize ? (size_t)len : bufsize;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got <= 0) {
			rc = PB_EIO;
			goto out;
		}
		lex_hasher_add(&h, buf, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	*out = lex_hasher_end(&h);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}
