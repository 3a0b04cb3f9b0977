/* stream.h - a byte source that reads plain, gzip or zstd input the same way.
 *
 * Opened from a file ("-" is standard input) or from memory; compression is
 * detected from the magic bytes, never from the file name. Memory use is
 * constant whatever the input size.
 */
#ifndef PB_STREAM_H
#define PB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct stream;

enum stream_codec { STREAM_PLAIN, STREAM_GZIP, STREAM_ZSTD };

/* Opens path for reading. On failure returns NULL and fills err. */
struct stream *stream_open_file(const char *path, struct pb_err *err);
/* Reads from data[0..n) (not copied: it must outlive the stream). */
struct stream *stream_open_mem(const void *data, size_t n, struct pb_err *err);
void stream_close(struct stream *s);

/* Reads up to n decompressed bytes into dst. Returns the count (0 at end) or
 * -1 on error (err filled: corrupt compressed data, read error). */
long stream_read(struct stream *s, void *dst, size_t n, struct pb_err *err);

/* Makes at least want bytes (fewer at end of input) available without
 * consuming them; *out points to them until the next read. Returns the count
 * available, or -1 on error. want is capped at 64 KiB. */
long stream_peek(struct stream *s, size_t want, const unsigned char **out, struct pb_err *err);

/* Reads one line (without its '\n' or '\r\n') into line, replacing its
 * contents. Returns 1 when a line was read, 0 at end of input, -1 on error
 * (PB_ETOOBIG when the line exceeds line->max; the rest of that line is
 * skipped so the next call starts on the next line). */
int stream_getline(struct stream *s, struct buf *line, struct pb_err *err);

/* Compressed bytes consumed so far and the total input size (0 if unknown),
 * for progress reports. */
uint64_t stream_pos_raw(const struct stream *s);
uint64_t stream_size_raw(const struct stream *s);
/* Decompressed bytes handed out so far. */
uint64_t stream_pos(const struct stream *s);
enum stream_codec stream_codec(const struct stream *s);

#endif
