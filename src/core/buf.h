/* buf.h - a growable byte buffer with a size cap (the only string builder).
 *
 * Invariants: `data` is never NULL and always NUL-terminated at data[len];
 * len < cap unless cap == 0 (then data points to a static empty string).
 * `max` caps len; appending past it fails with PB_ETOOBIG and leaves the
 * buffer unchanged. Life cycle: buf_init (cannot fail) -> appends ->
 * buf_reset (keep memory) -> buf_release (free) or buf_detach (caller owns).
 */
#ifndef PB_BUF_H
#define PB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_MAX_DEFAULT ((size_t)1 << 30)

/* Initialises an empty buffer that may grow to max bytes (0: default). */
void buf_init(struct buf *b, size_t max);
/* Empties the buffer, keeping its memory. Cannot fail. */
void buf_reset(struct buf *b);
/* Frees the memory; the buffer is empty and usable again. Cannot fail. */
void buf_release(struct buf *b);
/* Hands the string to the caller (free() it); the buffer becomes empty.
 * Returns NULL only on allocation failure of an empty buffer. */
char *buf_detach(struct buf *b, size_t *len);

int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Drops bytes from the end so len == n (n <= len). Cannot fail. */
void buf_truncate(struct buf *b, size_t n);

#endif
