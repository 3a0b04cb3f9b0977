/* abs.c - importer for arXiv .abs metadata files, one paper per file.
 *
 * The format, as arXiv keeps it next to each paper:
 *
 *   ------------------------------------------------------------------------------
 *   \\
 *   arXiv:0704.0001                       (older files: "Paper: hep-th/9108002")
 *   From: Pavel Nadolsky <e-mail>
 *   Date: Mon, 2 Apr 2007 19:18:42 GMT   (443kb)
 *   Date (revised v2): Tue, 24 Jul 2007 20:10:27 GMT   (370kb,D)
 *
 *   Title: Calculation of prompt diphoton production cross sections at Tevatron and
 *     LHC energies
 *   Authors: C. Bal\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan
 *   Categories: hep-ph                    (primary first)
 *   Comments:, Report-no:, MSC-class:, ACM-class:, Journal-ref:, DOI:, License:, Proxy:
 *   \\
 *     The abstract. A paragraph starts with an indented line; a line may be
 *   just "\\" (a LaTeX line break inside the abstract).
 *   \\
 *
 * A header value continues on the indented lines below it. The abstract runs
 * to the last "\\" line of the record. Files joined end to end are read as
 * several records: a dashed line right after the closing "\\" starts the next.
 */
#include "ingest.h"

#include "../core/arxiv.h"
#include "../core/buf.h"
#include "../core/text.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum abs_state {
	ABS_PRE,      /* before the "\\" that opens the header */
	ABS_HEADER,   /* header lines */
	ABS_ABSTRACT, /* after the "\\" that closes the header */
};

struct abs_record {
	struct paper p;
	enum abs_state state;
	int seen; /* a non-blank line of this record was read */
	int has_id, has_title;
	int closed;	     /* the last non-blank abstract line was "\\" */
	size_t abstract_end; /* abstract length before that closing "\\" */
	size_t versions_cap;
	char why[320]; /* first reason the record cannot be used; "" if none */
};

/* Header fields copied as cleaned text. */
static const struct {
	const char *key;
	size_t off;
} abs_text_fields[] = {
    {"Title", offsetof(struct paper, title)},
    {"Authors", offsetof(struct paper, authors)},
    {"Comments", offsetof(struct paper, comments)},
    {"Report-no", offsetof(struct paper, report_no)},
    {"MSC-class", offsetof(struct paper, msc_class)},
    {"ACM-class", offsetof(struct paper, acm_class)},
    {"Journal-ref", offsetof(struct paper, journal_ref)},
    {"DOI", offsetof(struct paper, doi)},
    {"License", offsetof(struct paper, license)},
};

static void record_bad(struct abs_record *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void record_bad(struct abs_record *r, const char *fmt, ...)
{
	va_list ap;
	if (r->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
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

static void record_start(struct abs_record *r, struct arena *a)
{
	arena_reset(a);
	memset(r, 0, sizeof(*r));
	paper_init(&r->p);
	r->p.source = "abs";
}

static size_t rtrim(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static int is_blank(const struct buf *l)
{
	return rtrim(l->data, l->len) == 0;
}

/* A line that is just "\\": the separator between preamble, header and abstract. */
static int is_sep(const struct buf *l)
{
	return rtrim(l->data, l->len) == 2 && l->data[0] == '\\' && l->data[1] == '\\';
}

static int is_dashes(const struct buf *l)
{
	size_t i, n = rtrim(l->data, l->len);
	if (n < 10)
		return 0;
	for (i = 0; i < n; i++)
		if (l->data[i] != '-')
			return 0;
	return 1;
}

static int key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && strncasecmp(k, name, kn) == 0;
}

/* The submitter's name from "Name <e-mail>", "Name" or "e-mail (Name)";
 * NULL when only an e-mail address is given. v is cleaned text. */
static char *submitter_name(struct arena *a, char *v)
{
	char *lt = strchr(v, '<');
	if (lt) {
		size_t n = rtrim(v, (size_t)(lt - v));
		return n ? arena_strndup(a, v, n) : NULL;
	}
	if (strchr(v, '@')) {
		char *open = strchr(v, '('), *close = open ? strchr(open, ')') : NULL;
		if (open && close && close > open + 1)
			return text_clean(a, open + 1, (size_t)(close - open - 1));
		return NULL;
	}
	return v[0] ? v : NULL;
}

/* Adds version num from a date value "Mon, 2 Apr 2007 19:18:42 GMT (37kb,D)". */
static int add_version(struct abs_record *r, struct arena *a, int num, const char *label,
		       const char *v)
{
	struct paper *p = &r->p;
	struct paper_version *pv;
	const char *open = strrchr(v, '(');
	size_t dn = open ? (size_t)(open - v) : strlen(v);
	char moment[21];
	char *size = NULL;

	if (date_parse_any(v, dn, moment)) {
		record_bad(r, "%s: \"%.*s\" is not a date", label, clip(v, 60), v);
		return PB_OK;
	}
	if (p->n_versions && num <= p->versions[p->n_versions - 1].version) {
		record_bad(r, "%s comes after the date of version %d", label,
			   p->versions[p->n_versions - 1].version);
		return PB_OK;
	}
	if (open) {
		size_t k = strcspn(open + 1, ",)");
		size = text_clean(a, open + 1, k);
		if (!size)
			return PB_ENOMEM;
		if (!size[0])
			size = NULL;
	}
	if (p->n_versions == r->versions_cap) {
		size_t ncap = r->versions_cap ? r->versions_cap * 2 : 4;
		struct paper_version *nv = arena_alloc(a, ncap * sizeof(*nv));
		if (!nv)
			return PB_ENOMEM;
		if (p->n_versions)
			memcpy(nv, p->versions, p->n_versions * sizeof(*nv));
		p->versions = nv;
		r->versions_cap = ncap;
	}
	pv = &p->versions[p->n_versions];
	pv->version = num;
	pv->created = arena_strdup(a, moment);
	pv->size = size;
	if (!pv->created)
		return PB_ENOMEM;
	p->n_versions++;
	return PB_OK;
}

/* Applies one header ("Key: value" with its continuation lines) to the record.
 * Unknown keys and lines that are not "Key: value" are ignored. Returns PB_OK
 * (problems with the value go to r->why) or PB_ENOMEM. */
static int header_apply(struct abs_record *r, struct arena *a, const char *s, size_t n)
{
	static const char revised[] = "Date (revised v";
	const size_t rlen = sizeof(revised) - 1;
	struct paper *p = &r->p;
	const char *colon = memchr(s, ':', n < 40 ? n : 40);
	size_t kn, i;
	char *v;

	if (!colon)
		return PB_OK;
	kn = rtrim(s, (size_t)(colon - s));
	if (!kn)
		return PB_OK;
	for (i = 0; i < kn; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == ' ' || c == '(' || c == ')'))
			return PB_OK;
	}
	v = text_clean(a, colon + 1, n - (size_t)(colon + 1 - s));
	if (!v)
		return PB_ENOMEM;

	if (key_is(s, kn, "arXiv") || key_is(s, kn, "Paper")) {
		int ver = 0;
		if (arxiv_id_parse(v, strlen(v), p->arxiv_id, &ver)) {
			p->arxiv_id[0] = '\0';
			record_bad(r, "%.*s: \"%.*s\" is not an arXiv id", (int)kn, s, clip(v, 60),
				   v);
			return PB_OK;
		}
		if (ver > p->version)
			p->version = ver;
		r->has_id = 1;
		return PB_OK;
	}
	if (key_is(s, kn, "From")) {
		p->submitter = submitter_name(a, v);
		return PB_OK;
	}
	if (key_is(s, kn, "Date"))
		return add_version(r, a, 1, "Date", v);
	if (kn > rlen + 1 && strncasecmp(s, revised, rlen) == 0 && s[kn - 1] == ')') {
		char label[40];
		long num;
		snprintf(label, sizeof(label), "%.*s", (int)kn, s);
		if (text_parse_long(s + rlen, kn - rlen - 1, 1, 9999, &num)) {
			record_bad(r, "%s: not a version number", label);
			return PB_OK;
		}
		return add_version(r, a, (int)num, label, v);
	}
	if (key_is(s, kn, "Categories"))
		return paper_set_categories(p, a, v);
	for (i = 0; i < sizeof(abs_text_fields) / sizeof(abs_text_fields[0]); i++) {
		if (key_is(s, kn, abs_text_fields[i].key)) {
			*(char **)((char *)p + abs_text_fields[i].off) = v[0] ? v : NULL;
			if (i == 0)
				r->has_title = 1;
			return PB_OK;
		}
	}
	return PB_OK;
}

/* Ends the record: reports it as bad or fills the derived fields and hands it
 * over. Returns PB_OK, PB_ENOMEM or the sink's code. */
static int record_finish(struct abs_record *r, struct arena *a, const struct buf *abstract,
			 const struct ingest_sink *sink, const struct ingest_pos *pos)
{
	struct paper *p = &r->p;
	size_t last;

	if (!r->seen) {
		if (pos->record == 1)
			ingest_bad(sink, pos, "empty file: no header and no Title: line");
		return PB_OK;
	}
	if (r->state == ABS_PRE)
		record_bad(r, "no \\\\ line opening the header");
	else if (r->state == ABS_HEADER)
		record_bad(r, "the file ends inside the header (no \\\\ line before the abstract)");
	else if (!r->closed)
		record_bad(r, "the file ends inside the abstract (no \\\\ line after it)");
	if (!r->has_id)
		record_bad(r, "no arXiv: (or Paper:) line giving the id");
	if (!r->has_title)
		record_bad(r, "no Title: line");
	if (r->why[0]) {
		if (r->has_id)
			ingest_bad(sink, pos, "%s: %s", p->arxiv_id, r->why);
		else
			ingest_bad(sink, pos, "%s", r->why);
		return PB_OK;
	}

	p->abstract = text_clean_para(a, abstract->data, r->abstract_end);
	if (!p->abstract)
		return PB_ENOMEM;
	if (p->n_versions) {
		last = p->n_versions - 1;
		if (p->versions[0].version == 1)
			p->published = arena_strndup(a, p->versions[0].created, 10);
		p->updated = arena_strndup(a, p->versions[last].created, 10);
		if (!p->updated || (p->versions[0].version == 1 && !p->published))
			return PB_ENOMEM;
		if (p->versions[last].version > p->version)
			p->version = p->versions[last].version;
	}
	return ingest_deliver(sink, p, a, pos);
}

static int flush_header(struct abs_record *r, struct arena *a, struct buf *hdr)
{
	int rc = PB_OK;
	if (hdr->len)
		rc = header_apply(r, a, hdr->data, hdr->len);
	buf_reset(hdr);
	return rc;
}

static int add_line(struct buf *b, const struct buf *line)
{
	int rc = buf_add(b, line->data, line->len);
	if (!rc)
		rc = buf_addc(b, '\n');
	return rc;
}

/* Sets err for a code that stops the import of record `record`; returns rc. */
static int stopped(struct pb_err *err, int rc, const char *name, long record)
{
	if (rc == PB_ENOMEM)
		return pb_err_set(err, rc, "%s: record %ld: out of memory", name, record);
	if (rc == PB_ETOOBIG)
		return pb_err_set(err, rc, "%s: record %ld is larger than %u bytes", name, record,
				  INGEST_RECORD_MAX);
	return pb_err_set(err, rc, "%s: record %ld: import stopped (%s)", name, record,
			  pb_rc_str(rc));
}

int ingest_abs(struct stream *s, const char *name, const struct ingest_sink *sink,
	       struct pb_err *err)
{
	struct abs_record r;
	struct arena arena = ARENA_INIT;
	struct buf line, hdr, abstract;
	struct ingest_pos pos = {name, 1, 1};
	struct pb_err e = PB_ERR_INIT;
	uint64_t start = 0;
	long lineno = 0;
	int rc = PB_OK, got;

	buf_init(&line, INGEST_RECORD_MAX);
	buf_init(&hdr, INGEST_RECORD_MAX + 2);
	buf_init(&abstract, INGEST_RECORD_MAX + 2);
	record_start(&r, &arena);

	while ((got = stream_getline(s, &line, &e)) == 1) {
		lineno++;
		if (stream_pos(s) - start > INGEST_RECORD_MAX) {
			rc = pb_err_set(err, PB_ETOOBIG,
					"%s: record %ld (from line %ld) is larger than %u bytes, "
					"the limit for one .abs file",
					name, pos.record, pos.line, INGEST_RECORD_MAX);
			goto out;
		}
		switch (r.state) {
		case ABS_PRE:
			if (is_blank(&line))
				continue;
			if (!r.seen) {
				r.seen = 1;
				pos.line = lineno;
			}
			if (is_dashes(&line))
				continue;
			if (is_sep(&line)) {
				r.state = ABS_HEADER;
				continue;
			}
			if (!text_starts(line.data, "arXiv:") &&
			    !text_starts(line.data, "Paper:")) {
				const char *shown =
				    text_clean(&arena, line.data, line.len < 160 ? line.len : 160);
				if (!shown)
					shown = "";
				rc = pb_err_set(err, PB_EFORMAT,
						"%s: line %ld: not an arXiv .abs file (expected a "
						"dashed line, \\\\ or arXiv:, found \"%.*s\")",
						name, lineno, clip(shown, 40), shown);
				goto out;
			}
			/* the id line opens the header */
			r.state = ABS_HEADER;
			/* fall through */
		case ABS_HEADER:
			if (is_sep(&line)) {
				rc = flush_header(&r, &arena, &hdr);
				r.state = ABS_ABSTRACT;
			} else if (is_blank(&line)) {
				rc = flush_header(&r, &arena, &hdr);
			} else if (line.data[0] == ' ' || line.data[0] == '\t') {
				if (hdr.len)
					rc = buf_addc(&hdr, '\n');
				if (hdr.len && !rc)
					rc = buf_add(&hdr, line.data, line.len);
			} else {
				rc = flush_header(&r, &arena, &hdr);
				if (!rc)
					rc = buf_add(&hdr, line.data, line.len);
			}
			break;
		case ABS_ABSTRACT:
			if (is_sep(&line)) {
				if (!r.closed)
					r.abstract_end = abstract.len;
				r.closed = 1;
				rc = add_line(&abstract, &line);
			} else if (r.closed && is_dashes(&line)) {
				rc = record_finish(&r, &arena, &abstract, sink, &pos);
				if (rc)
					break;
				record_start(&r, &arena);
				buf_reset(&hdr);
				buf_reset(&abstract);
				start = stream_pos(s) - line.len - 1;
				r.seen = 1;
				pos.line = lineno;
				pos.record++;
			} else {
				if (!is_blank(&line))
					r.closed = 0;
				rc = add_line(&abstract, &line);
			}
			break;
		}
		if (rc) {
			rc = stopped(err, rc, name, pos.record);
			goto out;
		}
	}
	if (got < 0) {
		if (e.rc == PB_ETOOBIG)
			rc = pb_err_set(err, PB_ETOOBIG,
					"%s: line %ld is longer than %u bytes, the limit for one "
					".abs file",
					name, lineno + 1, INGEST_RECORD_MAX);
		else
			rc = pb_err_set(err, e.rc, "%s: %s", name, e.msg);
		goto out;
	}
	rc = flush_header(&r, &arena, &hdr);
	if (!rc)
		rc = record_finish(&r, &arena, &abstract, sink, &pos);
	if (rc)
		rc = stopped(err, rc, name, pos.record);
out:
	arena_release(&arena);
	buf_release(&line);
	buf_release(&hdr);
	buf_release(&abstract);
	return rc;
}
