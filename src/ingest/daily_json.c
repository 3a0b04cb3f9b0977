/* daily_json.c - importer for curated daily-papers lists: the JSON array that
 * /api/daily_papers returns, one element per paper on the day's page.
 *
 *   [{"paper": {"id": "2410.17243", "title": "...", "summary": "...",
 *               "authors": [{"name": "Zesen Cheng", ...}, ...],
 *               "publishedAt": "2024-10-22T17:59:30.000Z", "upvotes": 64,
 *               "githubRepo": "https://github.com/...", "projectPage": "https://...",
 *               "submittedOnDailyAt": "2024-10-25T00:57:09.392Z",
 *               "submittedOnDailyBy": {"name": "ClownRat", "fullname": "Zesen Cheng"}},
 *     "title": "...", "summary": "...", "publishedAt": "2024-10-25T00:57:09.392Z",
 *     "numComments": 3, "submittedBy": {"name": "ClownRat", "fullname": "Zesen Cheng"}},
 *    ...]
 *
 * Responses without submittedOnDailyAt give the moment the paper was put on
 * the list as the element's own publishedAt. An element without "paper" is
 * read as the paper object itself (the /api/papers/{id} shape). Unknown keys
 * are ignored; null counts as absent.
 */
#include "ingest.h"

#include "../core/arxiv.h"
#include "../core/text.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A day's list is a few hundred kilobytes; the whole document is parsed in
 * memory, so its size is capped to keep a hostile or wrong input from taking
 * all of it. */
#define DAILY_JSON_MAX ((size_t)256 << 20)

struct daily_reader {
	struct stream *s;
	size_t total;
	int too_big;
	struct pb_err err; /* read error from the stream */
};

/* json_load_callback callback: hands jansson the next bytes of the stream, stopping
 * (size_t)-1 past the size cap or on a read error. */
static size_t daily_read(void *buffer, size_t buflen, void *data)
{
	struct daily_reader *r = data;
	long n;

	if (r->too_big || r->err.rc)
		return (size_t)-1;
	if (buflen > DAILY_JSON_MAX + 1 - r->total)
		buflen = DAILY_JSON_MAX + 1 - r->total;
	n = stream_read(r->s, buffer, buflen, &r->err);
	if (n < 0)
		return (size_t)-1;
	r->total += (size_t)n;
	if (r->total > DAILY_JSON_MAX) {
		r->too_big = 1;
		return (size_t)-1;
	}
	return (size_t)n;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence,
 * for quoting input in messages. */
static int clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* One element being read: the paper, its arena and the first problem found. */
struct daily_elem {
	struct paper *p;
	struct arena *a;
	char why[320]; /* "" while the element is usable */
};

static void elem_bad(struct daily_elem *el, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void elem_bad(struct daily_elem *el, const char *fmt, ...)
{
	va_list ap;
	if (el->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(el->why, sizeof(el->why), fmt, ap);
	va_end(ap);
}

/* obj[key] when it is present and not null, else NULL. */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return v && !json_is_null(v) ? v : NULL;
}

/* obj[key] as a string, NULL when absent; a value of another type is
 * reported as "<prefix><key> is ..., expected a string". */
static const char *get_string(struct daily_elem *el, const json_t *obj, const char *prefix,
			      const char *key)
{
	json_t *v = member(obj, key);
	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		elem_bad(el, "%s%s is %s, expected a string", prefix, key, type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* obj[key] as a cleaned string in the arena; NULL when absent or blank.
 * Sets *nomem on allocation failure. */
static char *get_text(struct daily_elem *el, const json_t *obj, const char *prefix, const char *key,
		      int para, int *nomem)
{
	const char *s = get_string(el, obj, prefix, key);
	char *t;
	if (!s)
		return NULL;
	t = para ? text_clean_para(el->a, s, strlen(s)) : text_clean(el->a, s, strlen(s));
	if (!t)
		*nomem = 1;
	return t && t[0] ? t : NULL;
}

static json_t *get_object(struct daily_elem *el, const json_t *obj, const char *prefix,
			  const char *key)
{
	json_t *v = member(obj, key);
	if (v && !json_is_object(v)) {
		elem_bad(el, "%s%s is %s, expected an object", prefix, key, type_name(v));
		return NULL;
	}
	return v;
}

/* obj[key] as a count (0 .. INT_MAX) into *out; *out is left alone when absent. */
static void get_count(struct daily_elem *el, const json_t *obj, const char *prefix, const char *key,
		      int *out)
{
	json_t *v = member(obj, key);
	double d;
	if (!v)
		return;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i >= 0 && i <= INT_MAX) {
			*out = (int)i;
			return;
		}
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0 && d <= INT_MAX && floor(d) == d) {
			*out = (int)d;
			return;
		}
	} else {
		elem_bad(el, "%s%s is %s, expected a number", prefix, key, type_name(v));
		return;
	}
	elem_bad(el, "%s%s is not a count (a whole number, 0 or more)", prefix, key);
}

/* obj[key] as a moment into out[21]; returns 1 when set. */
static int get_moment(struct daily_elem *el, const json_t *obj, const char *prefix, const char *key,
		      char out[21])
{
	const char *s = get_string(el, obj, prefix, key);
	if (!s)
		return 0;
	if (date_parse_any(s, strlen(s), out)) {
		elem_bad(el, "%s%s \"%.*s\" is not a date", prefix, key, clip(s, 40), s);
		return 0;
	}
	return 1;
}

/* Fills p->author_list and p->authors (names joined by ", ") from an array
 * of {"name": ...}. Returns PB_OK (problems go to el->why) or PB_ENOMEM. */
static int read_authors(struct daily_elem *el, const json_t *paper, const char *prefix)
{
	struct paper *p = el->p;
	json_t *list = member(paper, "authors"), *au;
	size_t i, n, total = 0, o = 0;
	char *joined;

	if (!list)
		return PB_OK;
	if (!json_is_array(list)) {
		elem_bad(el, "%sauthors is %s, expected an array", prefix, type_name(list));
		return PB_OK;
	}
	n = json_array_size(list);
	if (n > PAPER_AUTHORS_MAX) {
		elem_bad(el, "%sauthors has %zu entries, more than the limit of %d", prefix, n,
			 PAPER_AUTHORS_MAX);
		return PB_OK;
	}
	if (n == 0)
		return PB_OK;
	p->author_list = arena_alloc(el->a, n * sizeof(*p->author_list));
	if (!p->author_list)
		return PB_ENOMEM;
	json_array_foreach(list, i, au)
	{
		json_t *nv;
		const char *s;
		char *name;
		if (!json_is_object(au)) {
			elem_bad(el, "%sauthors[%zu] is %s, expected an object", prefix, i,
				 type_name(au));
			return PB_OK;
		}
		nv = member(au, "name");
		if (!nv)
			continue;
		if (!json_is_string(nv)) {
			elem_bad(el, "%sauthors[%zu].name is %s, expected a string", prefix, i,
				 type_name(nv));
			return PB_OK;
		}
		s = json_string_value(nv);
		name = text_clean(el->a, s, strlen(s));
		if (!name)
			return PB_ENOMEM;
		if (!name[0])
			continue;
		p->author_list[p->n_authors++].name = name;
		total += strlen(name) + 2;
	}
	if (p->n_authors == 0) {
		p->author_list = NULL;
		return PB_OK;
	}
	joined = arena_alloc(el->a, total + 1);
	if (!joined)
		return PB_ENOMEM;
	for (i = 0; i < p->n_authors; i++) {
		size_t k = strlen(p->author_list[i].name);
		if (i) {
			memcpy(joined + o, ", ", 2);
			o += 2;
		}
		memcpy(joined + o, p->author_list[i].name, k);
		o += k;
	}
	joined[o] = '\0';
	p->authors = joined;
	return PB_OK;
}

/* Reads one array element into el->p. Returns PB_OK (el->why says whether the
 * element is usable) or PB_ENOMEM. */
static int read_element(struct daily_elem *el, const json_t *elem)
{
	struct paper *p = el->p;
	const json_t *paper;
	const char *pp, *id;
	json_t *by;
	char moment[21];
	int nomem = 0, rc, ver = 0;

	if (!json_is_object(elem)) {
		elem_bad(el, "the element is %s, expected an object", type_name(elem));
		return PB_OK;
	}
	paper = get_object(el, elem, "", "paper");
	pp = "paper.";
	if (!paper && !el->why[0]) {
		paper = elem;
		pp = "";
	}
	if (el->why[0])
		return PB_OK;

	id = get_string(el, paper, pp, "id");
	if (!id && !el->why[0])
		elem_bad(el, "%sid is missing", pp);
	if (el->why[0])
		return PB_OK;
	if (arxiv_id_parse(id, strlen(id), p->arxiv_id, &ver)) {
		p->arxiv_id[0] = '\0';
		elem_bad(el, "%sid \"%.*s\" is not an arXiv id", pp, clip(id, 60), id);
		return PB_OK;
	}
	p->version = ver;

	p->title = get_text(el, paper, pp, "title", 0, &nomem);
	if (!p->title && paper != elem)
		p->title = get_text(el, elem, "", "title", 0, &nomem);
	p->abstract = get_text(el, paper, pp, "summary", 1, &nomem);
	if (!p->abstract && paper != elem)
		p->abstract = get_text(el, elem, "", "summary", 1, &nomem);
	p->code_url = get_text(el, paper, pp, "githubRepo", 0, &nomem);
	p->project_url = get_text(el, paper, pp, "projectPage", 0, &nomem);
	if (nomem)
		return PB_ENOMEM;

	rc = read_authors(el, paper, pp);
	if (rc)
		return rc;

	if (get_moment(el, paper, pp, "publishedAt", moment)) {
		p->published = arena_strndup(el->a, moment, 10);
		if (!p->published)
			return PB_ENOMEM;
	}
	get_count(el, paper, pp, "upvotes", &p->upvotes);
	get_count(el, elem, "", "numComments", &p->num_comments);

	if (get_moment(el, elem, "", "submittedOnDailyAt", moment) ||
	    (paper != elem && get_moment(el, paper, pp, "submittedOnDailyAt", moment)) ||
	    (paper != elem && get_moment(el, elem, "", "publishedAt", moment))) {
		p->submitted_at = arena_strdup(el->a, moment);
		p->announced = arena_strndup(el->a, moment, 10);
		if (!p->submitted_at || !p->announced)
			return PB_ENOMEM;
	}

	by = get_object(el, elem, "", "submittedBy");
	if (by) {
		p->submitted_by = get_text(el, by, "submittedBy.", "name", 0, &nomem);
		if (!p->submitted_by)
			p->submitted_by = get_text(el, by, "submittedBy.", "fullname", 0, &nomem);
	}
	by = paper != elem ? get_object(el, paper, pp, "submittedOnDailyBy") : NULL;
	if (by && !p->submitted_by) {
		p->submitted_by = get_text(el, by, "paper.submittedOnDailyBy.", "name", 0, &nomem);
		if (!p->submitted_by)
			p->submitted_by =
			    get_text(el, by, "paper.submittedOnDailyBy.", "fullname", 0, &nomem);
	}
	return nomem ? PB_ENOMEM : PB_OK;
}

int ingest_daily_json(struct stream *s, const char *name, const struct ingest_sink *sink,
		      struct pb_err *err)
{
	struct daily_reader rd;
	struct arena arena = ARENA_INIT;
	struct paper p;
	struct daily_elem el;
	json_error_t jerr;
	json_t *root = NULL, *elem;
	const unsigned char *head;
	long n;
	size_t i;
	int rc = PB_OK;

	memset(&rd, 0, sizeof(rd));
	rd.s = s;
	n = stream_peek(s, 3, &head, &rd.err);
	if (n < 0) {
		rc = pb_err_set(err, rd.err.rc, "%s", rd.err.msg);
		goto out;
	}
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
		unsigned char bom[3];
		if (stream_read(s, bom, 3, &rd.err) != 3) {
			rc = pb_err_set(err, rd.err.rc ? rd.err.rc : PB_EIO, "%s: %s", name,
					rd.err.msg);
			goto out;
		}
	}

	root = json_load_callback(daily_read, &rd, 0, &jerr);
	if (rd.err.rc) {
		rc = pb_err_set(err, rd.err.rc, "%s", rd.err.msg);
		goto out;
	}
	if (rd.too_big) {
		rc = pb_err_set(err, PB_ETOOBIG,
				"%s: larger than %zu MiB, the limit for a daily-papers list", name,
				DAILY_JSON_MAX >> 20);
		goto out;
	}
	if (!root) {
		rc = pb_err_set(err, PB_EFORMAT, "%s: line %d, column %d: not valid JSON: %s", name,
				jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_array(root)) {
		rc = pb_err_set(err, PB_EFORMAT,
				"%s: the document is %s, expected an array of papers "
				"(the /api/daily_papers response)",
				name, type_name(root));
		goto out;
	}

	json_array_foreach(root, i, elem)
	{
		struct ingest_pos pos = {name, 0, (long)i + 1};
		arena_reset(&arena);
		paper_init(&p);
		p.source = "daily-papers";
		memset(&el, 0, sizeof(el));
		el.p = &p;
		el.a = &arena;
		rc = read_element(&el, elem);
		if (rc) {
			rc = pb_err_set(err, rc, "%s: record %zu: out of memory", name, i + 1);
			goto out;
		}
		if (el.why[0]) {
			if (p.arxiv_id[0])
				ingest_bad(sink, &pos, "%s: %s", p.arxiv_id, el.why);
			else
				ingest_bad(sink, &pos, "%s", el.why);
			continue;
		}
		rc = ingest_deliver(sink, &p, &arena, &pos);
		if (rc) {
			rc = pb_err_set(err, rc, "%s: record %zu: import stopped (%s)", name, i + 1,
					pb_rc_str(rc));
			goto out;
		}
	}
out:
	json_decref(root);
	arena_release(&arena);
	return rc;
}
