/* stream.c - plain/gzip/zstd byte streams with line reading. */
#include "stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CAP (128 * 1024)
#define OUT_CAP (256 * 1024)

struct stream {
	FILE *fp;            /* NULL for memory streams */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	enum stream_codec codec;
	unsigned char raw[RAW_CAP];
	size_t raw_len, raw_pos;
	int raw_eof;
	unsigned char *out; /* decoded window */
	size_t out_len, out_pos;
	int out_eof;
	z_stream z;
	int z_live;
	ZSTD_DCtx *zd;
	int zstd_pending; /* last call said the frame is not finished */
	uint64_t raw_total, raw_size, out_total;
	char name[256];
};

static int fill_raw(struct stream *s, struct pb_err *err)
{
	size_t n;
	if (s->raw_pos < s->raw_len || s->raw_eof)
		return PB_OK;
	if (s->fp) {
		n = fread(s->raw, 1, RAW_CAP, s->fp);
		if (n == 0 && ferror(s->fp))
			return pb_err_set(err, PB_EIO, "%s: read error: %s", s->name, strerror(errno));
	} else {
		n = s->mem_len - s->mem_pos;
		if (n > RAW_CAP)
			n = RAW_CAP;
		memcpy(s->raw, s->mem + s->mem_pos, n);
		s->mem_pos += n;
	}
	s->raw_len = n;
	s->raw_pos = 0;
	s->raw_total += n;
	if (n == 0)
		s->raw_eof = 1;
	return PB_OK;
}

static struct stream *stream_new(void)
{
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->out = malloc(OUT_CAP);
	if (!s->out) {
		free(s);
		return NULL;
	}
	return s;
}

static int detect(struct stream *s, struct pb_err *err)
{
	int rc;
	/* read until we have 4 bytes or EOF */
	rc = fill_raw(s, err);
	if (rc)
		return rc;
	if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
		s->codec = STREAM_GZIP;
		if (inflateInit2(&s->z, 15 + 32) != Z_OK)
			return pb_err_set(err, PB_ENOMEM, "%s: cannot start gzip decoder", s->name);
		s->z_live = 1;
	} else if (s->raw_len >= 4 && s->raw[0] == 0x28 && s->raw[1] == 0xb5 &&
		   s->raw[2] == 0x2f && s->raw[3] == 0xfd) {
		s->codec = STREAM_ZSTD;
		s->zd = ZSTD_createDCtx();
		if (!s->zd)
			return pb_err_set(err, PB_ENOMEM, "%s: cannot start zstd decoder", s->name);
		ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax, 27);
	} else {
		s->codec = STREAM_PLAIN;
	}
	return PB_OK;
}

struct stream *stream_open_file(const char *path, struct pb_err *err)
{
	struct stream *s = stream_new();
	struct stat st;
	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", path);
	if (strcmp(path, "-") == 0) {
		s->fp = stdin;
	} else {
		s->fp = fopen(path, "rb");
		if (!s->fp) {
			pb_err_set(err, PB_EIO, "%s: cannot open: %s", path, strerror(errno));
			free(s->out);
			free(s);
			return NULL;
		}
		if (fstat(fileno(s->fp), &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				pb_err_set(err, PB_EIO, "%s: is a directory", path);
				stream_close(s);
				return NULL;
			}
			if (S_ISREG(st.st_mode))
				s->raw_size = (uint64_t)st.st_size;
		}
	}
	if (detect(s, err)) {
		stream_close(s);
		return NULL;
	}
	return s;
}

struct stream *stream_open_mem(const void *data, size_t n, struct pb_err *err)
{
	struct stream *s = stream_new();
	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "(memory)");
	s->mem = data;
	s->mem_len = n;
	s->raw_size = n;
	if (detect(s, err)) {
		stream_close(s);
		return NULL;
	}
	return s;
}

void stream_close(struct stream *s)
{
	if (!s)
		return;
	if (s->fp && s->fp != stdin)
		fclose(s->fp);
	if (s->z_live)
		inflateEnd(&s->z);
	if (s->zd)
		ZSTD_freeDCtx(s->zd);
	free(s->out);
	free(s);
}

/* Decodes more output into s->out[out_len..OUT_CAP). */
static int decode_more(struct stream *s, struct pb_err *err)
{
	int rc;
	while (!s->out_eof && s->out_len < OUT_CAP) {
		size_t before = s->out_len;
		rc = fill_raw(s, err);
		if (rc)
			return rc;
		if (s->codec == STREAM_PLAIN) {
			size_t n = s->raw_len - s->raw_pos;
			if (s->raw_eof) {
				s->out_eof = 1;
				break;
			}
			if (n > OUT_CAP - s->out_len)
				n = OUT_CAP - s->out_len;
			memcpy(s->out + s->out_len, s->raw + s->raw_pos, n);
			s->raw_pos += n;
			s->out_len += n;
		} else if (s->codec == STREAM_GZIP) {
			int zr;
			if (s->raw_eof) {
				return pb_err_set(err, PB_EFORMAT,
						  "%s: gzip data is truncated", s->name);
			}
			s->z.next_in = s->raw + s->raw_pos;
			s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
			s->z.next_out = s->out + s->out_len;
			s->z.avail_out = (uInt)(OUT_CAP - s->out_len);
			zr = inflate(&s->z, Z_NO_FLUSH);
			s->raw_pos = s->raw_len - s->z.avail_in;
			s->out_len = OUT_CAP - s->z.avail_out;
			if (zr == Z_STREAM_END) {
				/* concatenated gzip members: keep going if more input */
				if (s->raw_pos == s->raw_len) {
					s->raw_len = s->raw_pos = 0;
					rc = fill_raw(s, err);
					if (rc)
						return rc;
				}
				if (s->raw_eof) {
					s->out_eof = 1;
					break;
				}
				inflateReset(&s->z);
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				return pb_err_set(err, PB_EFORMAT, "%s: corrupt gzip data (%s)",
						  s->name, s->z.msg ? s->z.msg : "inflate failed");
			}
		} else {
			ZSTD_inBuffer in = {s->raw + s->raw_pos, s->raw_len - s->raw_pos, 0};
			ZSTD_outBuffer out = {s->out, OUT_CAP, s->out_len};
			size_t zr;
			if (s->raw_eof) {
				/* flush what the decoder still holds, then check the frame ended */
				zr = ZSTD_decompressStream(s->zd, &out, &in);
				if (ZSTD_isError(zr))
					return pb_err_set(err, PB_EFORMAT, "%s: corrupt zstd data (%s)",
							  s->name, ZSTD_getErrorName(zr));
				s->out_len = out.pos;
				if (out.pos == before) {
					if (s->zstd_pending)
						return pb_err_set(err, PB_EFORMAT,
								  "%s: zstd data is truncated", s->name);
					s->out_eof = 1;
				}
				break;
			}
			zr = ZSTD_decompressStream(s->zd, &out, &in);
			if (ZSTD_isError(zr))
				return pb_err_set(err, PB_EFORMAT, "%s: corrupt zstd data (%s)", s->name,
						  ZSTD_getErrorName(zr));
			s->raw_pos += in.pos;
			s->out_len = out.pos;
			s->zstd_pending = zr != 0;
		}
		if (s->out_len > before)
			break;
	}
	return PB_OK;
}

/* Ensures at least want bytes in the window, compacting it first. */
static int ensure(struct stream *s, size_t want, struct pb_err *err)
{
	int rc;
	if (want > OUT_CAP)
		want = OUT_CAP;
	while (s->out_len - s->out_pos < want && !s->out_eof) {
		if (s->out_pos > 0) {
			memmove(s->out, s->out + s->out_pos, s->out_len - s->out_pos);
			s->out_len -= s->out_pos;
			s->out_pos = 0;
		}
		rc = decode_more(s, err);
		if (rc)
			return rc;
	}
	return PB_OK;
}

long stream_read(struct stream *s, void *dst, size_t n, struct pb_err *err)
{
	size_t avail;
	if (ensure(s, 1, err))
		return -1;
	avail = s->out_len - s->out_pos;
	if (n > avail)
		n = avail;
	memcpy(dst, s->out + s->out_pos, n);
	s->out_pos += n;
	s->out_total += n;
	return (long)n;
}

long stream_peek(struct stream *s, size_t want, const unsigned char **out, struct pb_err *err)
{
	if (want > 65536)
		want = 65536;
	if (ensure(s, want, err))
		return -1;
	*out = s->out + s->out_pos;
	return (long)(s->out_len - s->out_pos);
}

int stream_getline(struct stream *s, struct buf *line, struct pb_err *err)
{
	int got = 0, too_big = 0;
	buf_reset(line);
	for (;;) {
		unsigned char *start, *nl;
		size_t avail, take;
		if (ensure(s, 1, err))
			return -1;
		avail = s->out_len - s->out_pos;
		if (avail == 0)
			break;
		got = 1;
		start = s->out + s->out_pos;
		nl = memchr(start, '\n', avail);
		take = nl ? (size_t)(nl - start) : avail;
		if (!too_big && buf_add(line, start, take)) {
			too_big = 1;
			buf_reset(line);
		}
		s->out_pos += take + (nl ? 1 : 0);
		s->out_total += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (too_big)
		return pb_err_set(err, PB_ETOOBIG, "line longer than %zu bytes", line->max), -1;
	if (!got)
		return 0;
	if (line->len && line->data[line->len - 1] == '\r')
		buf_truncate(line, line->len - 1);
	return 1;
}

uint64_t stream_pos_raw(const struct stream *s)
{
	return s->raw_total - (s->raw_len - s->raw_pos);
}

uint64_t stream_size_raw(const struct stream *s)
{
	return s->raw_size;
}

uint64_t stream_pos(const struct stream *s)
{
	return s->out_total;
}

enum stream_codec stream_codec(const struct stream *s)
{
	return s->codec;
}
