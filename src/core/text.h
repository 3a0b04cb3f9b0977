/* text.h - small text helpers: UTF-8 checking and repair, whitespace. */
#ifndef PB_TEXT_H
#define PB_TEXT_H

#include <stddef.h>

#include "arena.h"

/* Returns the byte offset of the first invalid UTF-8 sequence in s[0..n),
 * or n when all of it is valid (overlongs and surrogates are invalid). */
size_t text_utf8_invalid_at(const char *s, size_t n);

/* Copies s[0..n) into the arena with runs of whitespace (including line
 * breaks) collapsed to one space and the ends trimmed; invalid UTF-8 bytes
 * become U+FFFD and control characters are dropped. NULL when out of memory. */
char *text_clean(struct arena *a, const char *s, size_t n);

/* Like text_clean but keeps paragraph breaks: line breaks followed by
 * indentation or a blank line become "\n"; other breaks become spaces. */
char *text_clean_para(struct arena *a, const char *s, size_t n);

/* 1 if a and b are equal ignoring ASCII case. */
int text_ieq(const char *a, const char *b);

/* 1 if s starts with prefix. */
int text_starts(const char *s, const char *prefix);

/* Parses a decimal integer in s[0..n) into *out with range checks;
 * returns PB_OK or PB_EINVAL. Leading/trailing spaces are not allowed. */
int text_parse_long(const char *s, size_t n, long min, long max, long *out);

#endif
