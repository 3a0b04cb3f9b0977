/* json.h - a small JSON reader into an arena, for the bulk import path.
 *
 * jansson stays the JSON library for everything else; this reader exists
 * because the snapshot import parses millions of small objects and jansson
 * allocates (and hashes) every node. Here a whole document lives in one
 * arena and dies with it. Strict RFC 8259 syntax; strings are decoded
 * (escapes, surrogate pairs) but raw bytes are passed through unchecked, so
 * callers repair or reject invalid UTF-8. Nesting is limited to JSON_DEPTH_MAX.
 */
#ifndef PB_JSON_H
#define PB_JSON_H

#include <stddef.h>

#include "arena.h"

enum json_type { JSON_NULLV, JSON_FALSEV, JSON_TRUEV, JSON_NUMV, JSON_STRV, JSON_ARRV, JSON_OBJV };

struct json_val {
	enum json_type type;
	size_t n;                  /* string length, or number of items/members */
	const char *str;           /* JSON_STRV: decoded, NUL-terminated */
	double num;                /* JSON_NUMV */
	struct json_val *items;    /* JSON_ARRV: n items; JSON_OBJV: n member values */
	const char **keys;         /* JSON_OBJV: n member names */
};

#define JSON_DEPTH_MAX 64

/* Parses s[0..n) as one JSON value (surrounding white space allowed).
 * Returns the value (in a), or NULL with why set to "column N: reason". */
struct json_val *json_parse(struct arena *a, const char *s, size_t n, char *why, size_t why_len);

/* Member of an object by name (the first one), or NULL. */
const struct json_val *json_get(const struct json_val *obj, const char *key);

/* Name of a member that occurs twice in obj, or NULL. */
const char *json_duplicate_key(const struct json_val *obj);

/* "string", "number", ... for messages. */
const char *json_type_name(enum json_type t);

#endif
