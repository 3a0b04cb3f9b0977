/* html.c - HTML/XML escaping and URL encoding for the web layer. */
#include "html.h"

#include "../core/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

/* Freezes b after a failed append so html_failed() sees it. */
static int fail(struct buf *b, int rc)
{
	b->max = b->len;
	return rc;
}

static int add(struct buf *b, const char *s, size_t n)
{
	int rc;
	if (html_failed(b))
		return PB_ETOOBIG;
	rc = buf_add(b, s, n);
	return rc ? fail(b, rc) : PB_OK;
}

int html_failed(const struct buf *b)
{
	return b->len >= b->max;
}

int html_textn(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int rc;

	if (!s)
		return PB_OK;
	if (html_failed(b))
		return PB_ETOOBIG;
	/* Reserve roughly what the text needs; entities grow it further. */
	rc = buf_grow(b, n);
	if (rc)
		return fail(b, rc);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *ent = NULL;
		switch (c) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				ent = "";
			break;
		}
		if (!ent)
			continue;
		if (i > run && (rc = add(b, s + run, i - run)))
			return rc;
		if (*ent && (rc = add(b, ent, strlen(ent))))
			return rc;
		run = i + 1;
	}
	if (n > run)
		return add(b, s + run, n - run);
	return PB_OK;
}

int html_text(struct buf *b, const char *s)
{
	return s ? html_textn(b, s, strlen(s)) : PB_OK;
}

int html_attr(struct buf *b, const char *s)
{
	return html_text(b, s);
}

static int url_encode(struct buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[3];
	int rc;

	if (!s)
		return PB_OK;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (keep_slash && c == '/')) {
			rc = add(b, (const char *)&c, 1);
		} else {
			tmp[0] = '%';
			tmp[1] = hex[c >> 4];
			tmp[2] = hex[c & 15];
			rc = add(b, tmp, 3);
		}
		if (rc)
			return rc;
	}
	return PB_OK;
}

int html_url_arg(struct buf *b, const char *s)
{
	return url_encode(b, s, 0);
}

int html_url_path(struct buf *b, const char *s)
{
	return url_encode(b, s, 1);
}

int html_url_ok(const char *url)
{
	const char *p;
	if (!url)
		return 0;
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	if (!*p || *p == '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\')
			return 0;
	return 1;
}

/* Length of the longest term matching s at its start, 0 if none. */
static size_t match_at(const char *s, const char *const *terms, size_t n)
{
	size_t i, best = 0;
	for (i = 0; i < n; i++) {
		size_t len = terms[i] ? strlen(terms[i]) : 0;
		if (len > best && strncasecmp(s, terms[i], len) == 0)
			best = len;
	}
	return best;
}

int html_text_marked(struct buf *b, const char *s, const char *const *terms, size_t n)
{
	size_t run = 0, i = 0, len;
	int rc;

	if (!s)
		return PB_OK;
	len = strlen(s);
	if (!n)
		return html_textn(b, s, len);
	while (i < len) {
		size_t m = match_at(s + i, terms, n);
		if (!m) {
			i++;
			continue;
		}
		if ((rc = html_textn(b, s + run, i - run)) || (rc = add(b, "<mark>", 6)) ||
		    (rc = html_textn(b, s + i, m)) || (rc = add(b, "</mark>", 7)))
			return rc;
		i += m;
		run = i;
	}
	return html_textn(b, s + run, len - run);
}

int html_raw(struct buf *b, const char *s)
{
	return s ? add(b, s, strlen(s)) : PB_OK;
}

int html_rawf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	if (html_failed(b))
		return PB_ETOOBIG;
	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc ? fail(b, rc) : PB_OK;
}
