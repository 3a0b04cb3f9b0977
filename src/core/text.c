/* text.c - UTF-8 validation and whitespace normalisation. */
#include "text.h"

#include "err.h"

#include <ctype.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

size_t text_utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

static char *clean(struct arena *a, const char *s, size_t n, int para)
{
	const unsigned char *p = (const unsigned char *)s;
	/* worst case: every byte becomes U+FFFD (3 bytes) */
	char *out = arena_alloc(a, n * 3 + 1);
	size_t o = 0, i = 0;
	int pending_space = 0, pending_break = 0;

	if (!out)
		return NULL;
	while (i < n) {
		unsigned c = p[i];
		if (c == '\n' && para) {
			/* a break followed by indentation or a blank line is a paragraph */
			size_t j = i + 1;
			if (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n') && o > 0) {
				while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r'))
					j++;
				pending_break = 1;
				i = j;
				continue;
			}
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			pending_space = 1;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			i++;
			continue;
		}
		if (o > 0) {
			if (pending_break)
				out[o++] = '\n';
			else if (pending_space)
				out[o++] = ' ';
		}
		pending_space = pending_break = 0;
		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else {
			size_t k = utf8_seq(p + i, n - i);
			if (k) {
				memcpy(out + o, p + i, k);
				o += k;
				i += k;
			} else {
				memcpy(out + o, "\xEF\xBF\xBD", 3);
				o += 3;
				i++;
			}
		}
	}
	out[o] = '\0';
	return out;
}

char *text_clean(struct arena *a, const char *s, size_t n)
{
	return clean(a, s, n, 0);
}

char *text_clean_para(struct arena *a, const char *s, size_t n)
{
	return clean(a, s, n, 1);
}

int text_ieq(const char *a, const char *b)
{
	while (*a && *b) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

int text_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int text_parse_long(const char *s, size_t n, long min, long max, long *out)
{
	long v = 0;
	size_t i = 0;
	int neg = 0;

	if (n && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i >= n)
		return PB_EINVAL;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PB_EINVAL;
		if (v > (max + 9L) / 10 + 1)
			return PB_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return PB_EINVAL;
	*out = v;
	return PB_OK;
}
