/* kaggle.c - importer for the JSON-lines arXiv snapshot
 * (arxiv-metadata-oai-snapshot.json): one JSON object per line with keys
 * id, submitter, authors, title, comments, journal-ref, doi, report-no,
 * categories, license, abstract, versions[{version, created}], update_date,
 * authors_parsed[[keyname, forenames, suffix, ...]] and optionally
 * _published (day of v1). Reads line by line: memory does not grow with the
 * file. */
#include "ingest.h"

#include "../core/json.h"
#include "../core/text.h"

#include <stdio.h>
#include <string.h>

struct kaggle_ctx {
	const struct ingest_sink *sink;
	struct ingest_pos pos;
	struct arena arena;
	char why[512];
};

/* Gets an optional string field; sets why and returns -1 on a wrong type. */
static int get_str(struct kaggle_ctx *k, const struct json_val *o, const char *key,
		   const char **out, size_t *len)
{
	const struct json_val *v = json_get(o, key);
	*out = NULL;
	if (len)
		*len = 0;
	if (!v || v->type == JSON_NULLV)
		return 0;
	if (v->type != JSON_STRV) {
		snprintf(k->why, sizeof(k->why), "field \"%s\" should be a string, not %s", key,
			 json_type_name(v->type));
		return -1;
	}
	*out = v->str;
	if (len)
		*len = v->n;
	return 0;
}

static char *clean_field(struct kaggle_ctx *k, const struct json_val *o, const char *key, int para, int *bad)
{
	const char *s;
	size_t n;
	char *r;
	if (get_str(k, o, key, &s, &n)) {
		*bad = 1;
		return NULL;
	}
	if (!s)
		return NULL;
	r = para ? text_clean_para(&k->arena, s, n) : text_clean(&k->arena, s, n);
	if (r && !r[0])
		return NULL;
	return r;
}

static int parse_versions(struct kaggle_ctx *k, const struct json_val *o, struct paper *p)
{
	const struct json_val *vs = json_get(o, "versions");
	size_t i, n;
	if (!vs || vs->type == JSON_NULLV)
		return 0;
	if (vs->type != JSON_ARRV) {
		snprintf(k->why, sizeof(k->why), "field \"versions\" should be an array");
		return -1;
	}
	n = vs->n;
	if (n == 0)
		return 0;
	if (n > 9999) {
		snprintf(k->why, sizeof(k->why), "%zu versions is too many", n);
		return -1;
	}
	p->versions = arena_alloc(&k->arena, n * sizeof(*p->versions));
	if (!p->versions)
		return -1;
	for (i = 0; i < n; i++) {
		const struct json_val *v = &vs->items[i];
		const struct json_val *ver = json_get(v, "version"), *cr = json_get(v, "created");
		struct paper_version *pv = &p->versions[p->n_versions];
		const char *vt;
		long num;
		char moment[21];
		if (v->type != JSON_OBJV || !ver || ver->type != JSON_STRV) {
			snprintf(k->why, sizeof(k->why), "versions[%zu] should have a \"version\" string", i);
			return -1;
		}
		vt = ver->str;
		if ((vt[0] != 'v' && vt[0] != 'V') ||
		    text_parse_long(vt + 1, strlen(vt + 1), 1, 9999, &num)) {
			snprintf(k->why, sizeof(k->why), "versions[%zu].version \"%.20s\" is not like \"v2\"",
				 i, vt);
			return -1;
		}
		pv->version = (int)num;
		if (cr && cr->type == JSON_STRV) {
			const char *c = cr->str;
			if (date_parse_any(c, strlen(c), moment)) {
				snprintf(k->why, sizeof(k->why), "versions[%zu].created \"%.40s\" is not a date",
					 i, c);
				return -1;
			}
			pv->created = arena_strdup(&k->arena, moment);
		}
		p->n_versions++;
	}
	return 0;
}

static int parse_authors_parsed(struct kaggle_ctx *k, const struct json_val *o, struct paper *p)
{
	const struct json_val *ap = json_get(o, "authors_parsed");
	size_t i, n;
	if (!ap || ap->type == JSON_NULLV)
		return 0;
	if (ap->type != JSON_ARRV) {
		snprintf(k->why, sizeof(k->why), "field \"authors_parsed\" should be an array");
		return -1;
	}
	n = ap->n;
	if (n == 0)
		return 0;
	if (n > PAPER_AUTHORS_MAX) {
		snprintf(k->why, sizeof(k->why), "%zu authors, more than the limit of %d", n,
			 PAPER_AUTHORS_MAX);
		return -1;
	}
	p->author_list = arena_alloc(&k->arena, n * sizeof(*p->author_list));
	if (!p->author_list)
		return -1;
	for (i = 0; i < n; i++) {
		const struct json_val *a = &ap->items[i];
		struct paper_author *au = &p->author_list[p->n_authors];
		const char *parts[4] = {NULL, NULL, NULL, NULL};
		size_t j, m;
		struct buf name;
		if (a->type != JSON_ARRV) {
			snprintf(k->why, sizeof(k->why), "authors_parsed[%zu] should be an array", i);
			return -1;
		}
		m = a->n;
		for (j = 0; j < m && j < 4; j++) {
			const struct json_val *x = &a->items[j];
			if (x->type != JSON_STRV) {
				snprintf(k->why, sizeof(k->why), "authors_parsed[%zu][%zu] should be a string",
					 i, j);
				return -1;
			}
			parts[j] = x->str;
		}
		if (!parts[0] || !parts[0][0])
			continue;
		au->keyname = text_clean(&k->arena, parts[0], strlen(parts[0]));
		au->forenames = parts[1] && parts[1][0] ? text_clean(&k->arena, parts[1], strlen(parts[1])) : NULL;
		au->suffix = parts[2] && parts[2][0] ? text_clean(&k->arena, parts[2], strlen(parts[2])) : NULL;
		au->affiliation = parts[3] && parts[3][0] ? text_clean(&k->arena, parts[3], strlen(parts[3])) : NULL;
		buf_init(&name, 4096);
		if (au->forenames)
			buf_addf(&name, "%s ", au->forenames);
		buf_adds(&name, au->keyname ? au->keyname : "");
		if (au->suffix)
			buf_addf(&name, " %s", au->suffix);
		au->name = arena_strndup(&k->arena, name.data, name.len);
		buf_release(&name);
		if (!au->name)
			return -1;
		p->n_authors++;
	}
	return 0;
}

/* Parses one JSON object into p. Returns 0, or -1 with k->why set. */
static int parse_record(struct kaggle_ctx *k, const struct json_val *o, struct paper *p)
{
	const char *id, *cats, *day, *dup;
	size_t idn;
	int bad = 0;

	if (o->type != JSON_OBJV) {
		snprintf(k->why, sizeof(k->why), "line is not a JSON object");
		return -1;
	}
	if ((dup = json_duplicate_key(o)) != NULL) {
		snprintf(k->why, sizeof(k->why), "field \"%.40s\" appears twice", dup);
		return -1;
	}
	if (get_str(k, o, "id", &id, &idn))
		return -1;
	if (!id) {
		snprintf(k->why, sizeof(k->why), "no \"id\"");
		return -1;
	}
	if (arxiv_id_parse(id, idn, p->arxiv_id, &p->version)) {
		snprintf(k->why, sizeof(k->why), "\"%.60s\" is not an arXiv id", id);
		return -1;
	}
	p->title = clean_field(k, o, "title", 0, &bad);
	p->abstract = clean_field(k, o, "abstract", 1, &bad);
	p->authors = clean_field(k, o, "authors", 0, &bad);
	p->comments = clean_field(k, o, "comments", 0, &bad);
	p->journal_ref = clean_field(k, o, "journal-ref", 0, &bad);
	p->doi = clean_field(k, o, "doi", 0, &bad);
	p->report_no = clean_field(k, o, "report-no", 0, &bad);
	p->license = clean_field(k, o, "license", 0, &bad);
	p->submitter = clean_field(k, o, "submitter", 0, &bad);
	p->msc_class = clean_field(k, o, "msc-class", 0, &bad);
	p->acm_class = clean_field(k, o, "acm-class", 0, &bad);
	if (bad)
		return -1;
	if (get_str(k, o, "categories", &cats, NULL))
		return -1;
	if (paper_set_categories(p, &k->arena, cats))
		return -1;
	if (parse_versions(k, o, p) || parse_authors_parsed(k, o, p))
		return -1;
	if (get_str(k, o, "update_date", &day, NULL))
		return -1;
	if (day)
		p->updated = arena_strdup(&k->arena, day);
	if (get_str(k, o, "_published", &day, NULL))
		return -1;
	if (day)
		p->published = arena_strdup(&k->arena, day);
	/* No announcement list in this format: a paper appears on the day of
	 * its first version when known, else its update day. */
	if (p->n_versions && p->versions[0].version == 1 && p->versions[0].created && !p->published)
		p->published = arena_strndup(&k->arena, p->versions[0].created, 10);
	p->announced = p->published ? p->published : p->updated;
	if (p->n_versions)
		p->version = p->versions[p->n_versions - 1].version;
	p->source = "kaggle";
	return 0;
}

int ingest_kaggle(struct stream *s, const char *name, const struct ingest_sink *sink,
		  struct pb_err *err)
{
	struct kaggle_ctx k;
	struct buf line;
	struct pb_err lerr = PB_ERR_INIT;
	int rc = PB_OK, r;

	memset(&k, 0, sizeof(k));
	k.sink = sink;
	k.pos.file = name;
	buf_init(&line, INGEST_RECORD_MAX);
	for (;;) {
		const struct json_val *o;
		char jwhy[160];
		struct paper p;
		size_t i;

		r = stream_getline(s, &line, &lerr);
		k.pos.line++;
		if (r == 0)
			break;
		if (r < 0) {
			if (lerr.rc == PB_ETOOBIG) {
				k.pos.record++;
				ingest_bad(sink, &k.pos, "record is longer than %u bytes", INGEST_RECORD_MAX);
				lerr.rc = PB_OK;
				continue;
			}
			rc = pb_err_set(err, lerr.rc, "%s: line %ld: %s", name, k.pos.line, lerr.msg);
			goto out;
		}
		for (i = 0; i < line.len && (line.data[i] == ' ' || line.data[i] == '\t'); i++)
			;
		if (i == line.len)
			continue; /* blank line */
		k.pos.record++;
		o = json_parse(&k.arena, line.data, line.len, jwhy, sizeof(jwhy));
		if (!o) {
			ingest_bad(sink, &k.pos, "invalid JSON at %s", jwhy);
			arena_reset(&k.arena);
			continue;
		}
		paper_init(&p);
		k.why[0] = '\0';
		if (parse_record(&k, o, &p)) {
			ingest_bad(sink, &k.pos, "%s", k.why[0] ? k.why : "out of memory");
			rc = PB_OK;
		} else {
			rc = ingest_deliver(sink, &p, &k.arena, &k.pos);
		}
		arena_reset(&k.arena);
		if (rc) {
			pb_err_set(err, rc, "%s: line %ld: import stopped", name, k.pos.line);
			goto out;
		}
	}
out:
	buf_release(&line);
	arena_release(&k.arena);
	return rc;
}
