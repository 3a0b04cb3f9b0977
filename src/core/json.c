/* json.c - arena JSON reader (RFC 8259). */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s, *end, *p;
	struct arena *a;
	char *why;
	size_t why_len;
	int failed;
};

static void fail(struct jp *j, const char *reason)
{
	if (!j->failed)
		snprintf(j->why, j->why_len, "column %ld: %s", (long)(j->p - j->s) + 1, reason);
	j->failed = 1;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Parses a string at j->p (on the opening quote). */
static const char *parse_string(struct jp *j, size_t *len)
{
	const char *start = ++j->p, *q;
	char *out, *o;

	/* fast path: find the closing quote, note whether escapes occur */
	q = start;
	while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < j->end && *q == '"') {
		out = arena_strndup(j->a, start, (size_t)(q - start));
		if (!out) {
			fail(j, "out of memory");
			return NULL;
		}
		*len = (size_t)(q - start);
		j->p = q + 1;
		return out;
	}
	/* slow path: decoded output is never longer than the input */
	q = start;
	while (q < j->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= j->end) {
		j->p = j->end;
		fail(j, "unterminated string");
		return NULL;
	}
	out = o = arena_alloc(j->a, (size_t)(q - start) + 1);
	if (!out) {
		fail(j, "out of memory");
		return NULL;
	}
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20) {
			fail(j, "control character in string");
			return NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			j->p++;
			continue;
		}
		j->p++;
		if (j->p >= j->end)
			break;
		switch (*j->p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (j->end - j->p < 5 || hex4(j->p + 1, &cp)) {
				fail(j, "bad \\u escape");
				return NULL;
			}
			j->p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && j->end - j->p >= 7 && j->p[1] == '\\' &&
			    j->p[2] == 'u' && !hex4(j->p + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				j->p += 6;
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* lone surrogate */
			}
			if (cp == 0)
				cp = 0xFFFD; /* no NUL inside C strings */
			o += put_utf8(o, cp);
			break;
		}
		default:
			fail(j, "bad escape in string");
			return NULL;
		}
		j->p++;
	}
	if (j->p >= j->end) {
		fail(j, "unterminated string");
		return NULL;
	}
	j->p++;
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

static int parse_value(struct jp *j, struct json_val *v, int depth);

static int parse_number(struct jp *j, struct json_val *v)
{
	const char *q = j->p;
	char tmp[64];
	size_t n;
	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return fail(j, "unexpected character"), -1;
	if (*q == '0')
		q++;
	else
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	if (q < j->end && *q == '.') {
		q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return fail(j, "bad number"), -1;
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return fail(j, "bad number"), -1;
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	n = (size_t)(q - j->p);
	if (n >= sizeof(tmp))
		return fail(j, "number too long"), -1;
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	v->type = JSON_NUMV;
	v->num = strtod(tmp, NULL);
	j->p = q;
	return 0;
}

/* Collects items in a growing arena array. */
static int parse_container(struct jp *j, struct json_val *v, int depth, int object)
{
	size_t cap = 8, n = 0;
	struct json_val *items;
	const char **keys = NULL;
	char close = object ? '}' : ']';

	if (depth >= JSON_DEPTH_MAX)
		return fail(j, "nested too deeply"), -1;
	j->p++;
	items = arena_alloc(j->a, cap * sizeof(*items));
	if (object)
		keys = arena_alloc(j->a, cap * sizeof(*keys));
	if (!items || (object && !keys))
		return fail(j, "out of memory"), -1;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		goto done;
	}
	for (;;) {
		if (n == cap) {
			struct json_val *ni = arena_alloc(j->a, cap * 2 * sizeof(*ni));
			const char **nk = object ? arena_alloc(j->a, cap * 2 * sizeof(*nk)) : NULL;
			if (!ni || (object && !nk))
				return fail(j, "out of memory"), -1;
			memcpy(ni, items, n * sizeof(*ni));
			if (object)
				memcpy(nk, keys, n * sizeof(*nk));
			items = ni;
			keys = nk;
			cap *= 2;
		}
		skip_ws(j);
		if (object) {
			size_t klen;
			if (j->p >= j->end || *j->p != '"')
				return fail(j, j->p >= j->end ? "unexpected end" : "expected a member name"), -1;
			keys[n] = parse_string(j, &klen);
			if (!keys[n])
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return fail(j, "expected ':'"), -1;
			j->p++;
		}
		if (parse_value(j, &items[n], depth + 1))
			return -1;
		n++;
		skip_ws(j);
		if (j->p >= j->end)
			return fail(j, "unexpected end"), -1;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			break;
		}
		return fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'"), -1;
	}
done:
	v->type = object ? JSON_OBJV : JSON_ARRV;
	v->n = n;
	v->items = items;
	v->keys = keys;
	return 0;
}

static int literal(struct jp *j, const char *word, enum json_type t, struct json_val *v)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, "unexpected character"), -1;
	j->p += n;
	v->type = t;
	return 0;
}

static int parse_value(struct jp *j, struct json_val *v, int depth)
{
	memset(v, 0, sizeof(*v));
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end"), -1;
	switch (*j->p) {
	case '{': return parse_container(j, v, depth, 1);
	case '[': return parse_container(j, v, depth, 0);
	case '"':
		v->type = JSON_STRV;
		v->str = parse_string(j, &v->n);
		return v->str ? 0 : -1;
	case 't': return literal(j, "true", JSON_TRUEV, v);
	case 'f': return literal(j, "false", JSON_FALSEV, v);
	case 'n': return literal(j, "null", JSON_NULLV, v);
	default: return parse_number(j, v);
	}
}

struct json_val *json_parse(struct arena *a, const char *s, size_t n, char *why, size_t why_len)
{
	struct jp j = {s, s + n, s, a, why, why_len, 0};
	struct json_val *v = arena_alloc(a, sizeof(*v));
	if (!v) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	if (parse_value(&j, v, 0))
		return NULL;
	skip_ws(&j);
	if (j.p != j.end) {
		fail(&j, "text after the value");
		return NULL;
	}
	return v;
}

const struct json_val *json_get(const struct json_val *obj, const char *key)
{
	size_t i;
	if (!obj || obj->type != JSON_OBJV)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *json_duplicate_key(const struct json_val *obj)
{
	size_t i, k;
	if (!obj || obj->type != JSON_OBJV)
		return NULL;
	for (i = 1; i < obj->n; i++)
		for (k = 0; k < i; k++)
			if (strcmp(obj->keys[i], obj->keys[k]) == 0)
				return obj->keys[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULLV: return "null";
	case JSON_FALSEV:
	case JSON_TRUEV: return "a boolean";
	case JSON_NUMV: return "a number";
	case JSON_STRV: return "a string";
	case JSON_ARRV: return "an array";
	case JSON_OBJV: return "an object";
	}
	return "?";
}
