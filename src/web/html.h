/* html.h - all HTML (and XML) output escaping of the web layer.
 *
 * Every byte of a page that comes from data or from a request goes through
 * one of the escaping functions below; functions that copy text unescaped say
 * `raw` in their name and take only markup the caller wrote itself.
 *
 * Errors are sticky: when an append fails (out of memory, or past the
 * buffer's cap) the buffer is frozen -- its max is lowered to its length so
 * every later append fails too -- and html_failed() reports it. Page code
 * therefore need not check each call; the server checks html_failed() once
 * per response. All functions return PB_OK or the error of the failed append.
 */
#ifndef PB_HTML_H
#define PB_HTML_H

#include <stddef.h>

#include "../core/buf.h"

/* Text content: escapes & < > " ' and drops control characters that XML
 * forbids (all of C0 but tab, line feed and carriage return, and DEL), so
 * the output is also valid XML character data. s may be NULL (writes
 * nothing). */
int html_text(struct buf *b, const char *s);
int html_textn(struct buf *b, const char *s, size_t n);

/* An attribute value inside double quotes; same escaping as html_text. */
int html_attr(struct buf *b, const char *s);

/* A query-string value or path segment: percent-encodes every byte except
 * A-Z a-z 0-9 - . _ ~ ; the result needs no further escaping in an
 * attribute. */
int html_url_arg(struct buf *b, const char *s);

/* A URL path: like html_url_arg but keeps '/' (old-style arXiv ids such as
 * "hep-th/9108002" stay readable). */
int html_url_path(struct buf *b, const char *s);

/* 1 if url is an absolute http:// or https:// URL with a host and without
 * spaces or control characters: the only links to other sites the pages
 * render (a "javascript:" or "data:" URL never becomes a link). */
int html_url_ok(const char *url);

/* Text with every case-insensitive occurrence of any of the n terms wrapped
 * in <mark>...</mark>; all text escaped as by html_text. Empty terms are
 * ignored; the longest term wins at a position. */
int html_text_marked(struct buf *b, const char *s, const char *const *terms, size_t n);

/* Markup the caller wrote: copied as is. */
int html_raw(struct buf *b, const char *s);
int html_rawf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if an append to b has failed (see the top of this file). */
int html_failed(const struct buf *b);

#endif
