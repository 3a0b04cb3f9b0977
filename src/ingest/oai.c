/* oai.c - OAI-PMH responses from arXiv (export.arxiv.org/oai2), read with
 * libxml2's xmlTextReader fed from a stream, one record in memory at a time.
 *
 * The format, as far as this file reads it:
 *   <OAI-PMH> <responseDate/> <request verb= metadataPrefix=/> <error code=/>*
 *     <ListRecords|GetRecord> <record> <header status=?> <identifier/> </header>
 *         <metadata> FORMAT </metadata> </record>* <resumptionToken cursor=
 *         completeListSize=/>? </...>
 *     <ListIdentifiers> <header/>* <resumptionToken/>? </ListIdentifiers>
 *   FORMAT is one of
 *     <arXiv>    id created updated authors/author/{keyname forenames suffix
 *                affiliation*} title categories comments report-no journal-ref
 *                doi license abstract msc-class acm-class proxy
 *     <arXivRaw> id submitter version[@version]/{date size source_type}* title
 *                authors (one string) categories comments ... abstract
 *     <oai_dc:dc> dc:title dc:creator* ("Last, First") dc:subject* dc:description*
 *                ("Comment: ..." is the comments) dc:date* dc:identifier*
 * Elements are recognised by their local name under the expected parent;
 * anything else is skipped.
 */
#include "oai.h"

#include "../core/arena.h"
#include "../core/arxiv.h"
#include "../core/buf.h"
#include "../core/text.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Never XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE: entities stay
 * unexpanded, nothing external is loaded, libxml2's size limits hold. */
#define OAI_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

/* Bytes handed to libxml2 per read. The reader parses no further ahead than
 * one read, so a record that ends this far before damaged XML is still
 * delivered; smaller reads cost more calls (128 runs as fast as 4096). */
#define OAI_READ_MAX 128

/* Deepest element whose kind is remembered; deeper ones are "other". */
#define OAI_DEPTH_MAX 32

/* What each element start costs against INGEST_RECORD_MAX, so that a record
 * of many empty elements is bounded too. */
#define OAI_ELEMENT_COST 16

#if LIBXML_VERSION >= 21200
typedef const xmlError oai_xml_error;
#else
typedef xmlError oai_xml_error;
#endif

enum kind {
	K_OTHER = 0,
	K_ROOT,
	K_REQUEST,
	K_VERB_RECORDS, /* ListRecords, GetRecord */
	K_VERB_IDS,	/* ListIdentifiers */
	K_RECORD,
	K_HEADER,
	K_METADATA,
	K_FMT_ARXIV,
	K_FMT_RAW,
	K_FMT_DC,
	K_FMT_OTHER,
	K_AUTHORS, /* arXiv: holds <author>s */
	K_AUTHOR,
	K_VERSION,
	/* Leaves: their text is captured. */
	K_FIRST_LEAF,
	K_RESPONSE_DATE = K_FIRST_LEAF,
	K_ERROR,
	K_TOKEN,
	K_IDENTIFIER,
	K_ID,
	K_CREATED,
	K_UPDATED,
	K_TITLE,
	K_ABSTRACT,
	K_CATEGORIES,
	K_COMMENTS,
	K_REPORT_NO,
	K_JOURNAL_REF,
	K_DOI,
	K_LICENSE,
	K_MSC_CLASS,
	K_ACM_CLASS,
	K_SUBMITTER,
	K_AUTHORS_TEXT, /* arXivRaw: one string */
	K_KEYNAME,
	K_FORENAMES,
	K_SUFFIX,
	K_AFFILIATION,
	K_V_DATE,
	K_V_SIZE,
	K_DC_TITLE,
	K_DC_CREATOR,
	K_DC_SUBJECT,
	K_DC_DESCRIPTION,
	K_DC_DATE,
	K_DC_IDENTIFIER,
};

struct rule {
	const char *name;
	unsigned char kind;
};

static const struct rule root_rules[] = {
    {"responseDate", K_RESPONSE_DATE},
    {"request", K_REQUEST},
    {"error", K_ERROR},
    {"ListRecords", K_VERB_RECORDS},
    {"GetRecord", K_VERB_RECORDS},
    {"ListIdentifiers", K_VERB_IDS},
    {NULL, 0},
};
static const struct rule records_rules[] = {
    {"record", K_RECORD}, {"resumptionToken", K_TOKEN}, {NULL, 0}};
static const struct rule ids_rules[] = {
    {"header", K_HEADER}, {"resumptionToken", K_TOKEN}, {NULL, 0}};
static const struct rule record_rules[] = {
    {"header", K_HEADER}, {"metadata", K_METADATA}, {NULL, 0}};
static const struct rule header_rules[] = {{"identifier", K_IDENTIFIER}, {NULL, 0}};
static const struct rule metadata_rules[] = {
    {"arXiv", K_FMT_ARXIV}, {"arXivRaw", K_FMT_RAW}, {"dc", K_FMT_DC}, {NULL, 0}};
/* Shared by arXiv and arXivRaw; "authors" and "version" are told apart below. */
static const struct rule arxiv_rules[] = {
    {"id", K_ID},
    {"created", K_CREATED},
    {"updated", K_UPDATED},
    {"title", K_TITLE},
    {"abstract", K_ABSTRACT},
    {"categories", K_CATEGORIES},
    {"comments", K_COMMENTS},
    {"report-no", K_REPORT_NO},
    {"journal-ref", K_JOURNAL_REF},
    {"doi", K_DOI},
    {"license", K_LICENSE},
    {"msc-class", K_MSC_CLASS},
    {"acm-class", K_ACM_CLASS},
    {"submitter", K_SUBMITTER},
    {NULL, 0},
};
static const struct rule authors_rules[] = {{"author", K_AUTHOR}, {NULL, 0}};
static const struct rule author_rules[] = {
    {"keyname", K_KEYNAME},
    {"forenames", K_FORENAMES},
    {"suffix", K_SUFFIX},
    {"affiliation", K_AFFILIATION},
    {NULL, 0},
};
static const struct rule version_rules[] = {{"date", K_V_DATE}, {"size", K_V_SIZE}, {NULL, 0}};
static const struct rule dc_rules[] = {
    {"title", K_DC_TITLE},
    {"creator", K_DC_CREATOR},
    {"subject", K_DC_SUBJECT},
    {"description", K_DC_DESCRIPTION},
    {"date", K_DC_DATE},
    {"identifier", K_DC_IDENTIFIER},
    {NULL, 0},
};

static enum kind lookup(const struct rule *r, const char *name)
{
	for (; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return (enum kind)r->kind;
	return K_OTHER;
}

/* The kind of element `name` under an element of kind `parent`. */
static enum kind classify(enum kind parent, const char *name)
{
	switch (parent) {
	case K_ROOT:
		return lookup(root_rules, name);
	case K_VERB_RECORDS:
		return lookup(records_rules, name);
	case K_VERB_IDS:
		return lookup(ids_rules, name);
	case K_RECORD:
		return lookup(record_rules, name);
	case K_HEADER:
		return lookup(header_rules, name);
	case K_METADATA: {
		enum kind k = lookup(metadata_rules, name);
		return k == K_OTHER ? K_FMT_OTHER : k;
	}
	case K_FMT_ARXIV:
		if (strcmp(name, "authors") == 0)
			return K_AUTHORS;
		return lookup(arxiv_rules, name);
	case K_FMT_RAW:
		if (strcmp(name, "authors") == 0)
			return K_AUTHORS_TEXT;
		if (strcmp(name, "version") == 0)
			return K_VERSION;
		return lookup(arxiv_rules, name);
	case K_AUTHORS:
		return lookup(authors_rules, name);
	case K_AUTHOR:
		return lookup(author_rules, name);
	case K_VERSION:
		return lookup(version_rules, name);
	case K_FMT_DC:
		return lookup(dc_rules, name);
	default:
		return K_OTHER;
	}
}

/* The record being read; everything it points to lives in oai.arena. */
struct rec {
	int active;
	enum kind fmt; /* K_FMT_*, K_OTHER when no <metadata> was seen */
	char fmt_name[48];
	int deleted;
	long line;
	size_t bytes; /* text and elements so far, against INGEST_RECORD_MAX */
	int too_big;
	char why[256]; /* first problem found, "" if none */
	char *header_id, *meta_id, *dc_id;
	char *categories; /* arXiv/arXivRaw <categories> */
	int n_dc_dates;
	struct paper p;
};

struct oai {
	xmlTextReaderPtr reader;
	struct stream *s;
	const char *name;
	const struct ingest_sink *sink;
	struct oai_page *page;
	struct pb_err *err;

	unsigned char stack[OAI_DEPTH_MAX]; /* kind of the open element at each depth */
	int seen_root;
	const char *prefix_source; /* source named by <request metadataPrefix=> */
	int cap_depth;		   /* depth of the leaf being captured, -1 if none */
	enum kind cap_kind;
	struct buf text;    /* the leaf's text */
	struct buf scratch; /* names and lists being joined */
	struct buf dc_cats; /* oai_dc subjects that are category codes */

	int io_rc;
	struct pb_err io_err;
	size_t bytes_in; /* bytes handed to libxml2 */
	int xml_level;	 /* worst libxml2 error so far (xmlErrorLevel) */
	int xml_line;
	char xml_msg[400];

	struct arena arena;
	struct rec rec;
	struct paper_author *authors;
	size_t n_authors, cap_authors;
	struct paper_version *versions;
	size_t n_versions, cap_versions;
};

/* ---- libxml2 plumbing ---- */

static int io_read(void *ctx, char *dst, int len)
{
	struct oai *o = ctx;
	long n;

	if (o->io_rc || len <= 0)
		return o->io_rc ? -1 : 0;
	n = stream_read(o->s, dst, (size_t)len < OAI_READ_MAX ? (size_t)len : OAI_READ_MAX,
			&o->io_err);
	if (n < 0) {
		o->io_rc = o->io_err.rc ? o->io_err.rc : PB_EIO;
		return -1;
	}
	o->bytes_in += (size_t)n;
	return (int)n;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Keeps the first error of the worst level seen; warnings are dropped. */
static void on_xml_error(void *ctx, oai_xml_error *e)
{
	struct oai *o = ctx;
	size_t n;

	if (!o || !e || (int)e->level < XML_ERR_ERROR || (int)e->level <= o->xml_level)
		return;
	o->xml_level = (int)e->level;
	o->xml_line = e->line;
	snprintf(o->xml_msg, sizeof(o->xml_msg), "%s", e->message ? e->message : "unknown error");
	n = strlen(o->xml_msg);
	while (n && (o->xml_msg[n - 1] == '\n' || o->xml_msg[n - 1] == ' '))
		o->xml_msg[--n] = '\0';
}

#if LIBXML_VERSION < 21200
static void on_generic_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}
#endif

static long node_line(struct oai *o)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(o->reader);
	long line = n ? xmlGetLineNo(n) : -1;
	return line > 0 ? line : xmlTextReaderGetParserLineNumber(o->reader);
}

static int oom(struct oai *o)
{
	return pb_err_set(o->err, PB_ENOMEM, "%s:%ld: out of memory", o->name, node_line(o));
}

/* ---- small text helpers ---- */

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
		      (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* Copies s[0..n) into dst[cap] with whitespace runs collapsed, the ends
 * trimmed and control characters dropped; a cut never splits a UTF-8
 * sequence. Cannot fail. */
static void copy_squeezed(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0, i;
	int space = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = o > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space) {
			if (o + 2 >= cap)
				break;
			dst[o++] = ' ';
			space = 0;
		}
		dst[o++] = (char)c;
	}
	if (i < n)
		while (o && ((unsigned char)dst[o - 1] & 0xC0) == 0x80)
			o--;
	if (o && ((unsigned char)dst[o - 1] & 0xC0) == 0xC0 && i < n)
		o--;
	dst[o] = '\0';
}

/* ---- the record ---- */

static void rec_reset(struct oai *o)
{
	arena_reset(&o->arena);
	memset(&o->rec, 0, sizeof(o->rec));
	paper_init(&o->rec.p);
	o->rec.fmt = K_OTHER;
	o->n_authors = 0;
	o->n_versions = 0;
	buf_reset(&o->dc_cats);
}

static void rec_begin(struct oai *o)
{
	rec_reset(o);
	o->rec.active = 1;
	o->rec.line = node_line(o);
	o->page->records++;
}

static void rec_problem(struct oai *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_problem(struct oai *o, const char *fmt, ...)
{
	va_list ap;
	if (o->rec.why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(o->rec.why, sizeof(o->rec.why), fmt, ap);
	va_end(ap);
}

static void report_bad(struct oai *o, const struct ingest_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_bad(struct oai *o, const struct ingest_pos *pos, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	if (!o->sink)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ingest_bad(o->sink, pos, "%s", why);
}

/* Sets *dst to the cleaned text (NULL when it is blank). */
static int set_clean(struct oai *o, char **dst, const char *s, size_t n, int para)
{
	char *c = para ? text_clean_para(&o->arena, s, n) : text_clean(&o->arena, s, n);
	if (!c)
		return oom(o);
	*dst = *c ? c : NULL;
	return PB_OK;
}

/* Sets *dst to the day of a date ("2014-12-29", or any form date_parse_any
 * knows); a blank one is absent, an unreadable one makes the record bad. */
static int set_day(struct oai *o, char **dst, const char *field, const char *s, size_t n)
{
	char moment[21];
	int y, m, d;

	trim(&s, &n);
	if (!n)
		return PB_OK;
	if (date_parse_day(s, n, &y, &m, &d) == PB_OK)
		*dst = arena_strndup(&o->arena, s, n);
	else if (date_parse_any(s, n, moment) == PB_OK)
		*dst = arena_strndup(&o->arena, moment, 10);
	else {
		rec_problem(o, "<%s> \"%.*s\" is not a date", field, n > 40 ? 40 : (int)n, s);
		return PB_OK;
	}
	return *dst ? PB_OK : oom(o);
}

/* Appends an empty author to the record; *out is NULL when the record
 * already has too many (it is then reported bad). */
static int push_author(struct oai *o, struct paper_author **out)
{
	*out = NULL;
	if (o->n_authors >= PAPER_AUTHORS_MAX) {
		rec_problem(o, "more than %d authors", PAPER_AUTHORS_MAX);
		return PB_OK;
	}
	if (o->n_authors == o->cap_authors) {
		size_t cap = o->cap_authors ? o->cap_authors * 2 : 16;
		struct paper_author *na = realloc(o->authors, cap * sizeof(*na));
		if (!na)
			return oom(o);
		o->authors = na;
		o->cap_authors = cap;
	}
	*out = &o->authors[o->n_authors++];
	memset(*out, 0, sizeof(**out));
	return PB_OK;
}

static int push_version(struct oai *o)
{
	xmlChar *attr;
	struct paper_version *v;
	long num = 0;

	if (o->n_versions >= 9999) {
		rec_problem(o, "more than 9999 versions");
		return PB_OK;
	}
	if (o->n_versions == o->cap_versions) {
		size_t cap = o->cap_versions ? o->cap_versions * 2 : 8;
		struct paper_version *nv = realloc(o->versions, cap * sizeof(*nv));
		if (!nv)
			return oom(o);
		o->versions = nv;
		o->cap_versions = cap;
	}
	v = &o->versions[o->n_versions++];
	memset(v, 0, sizeof(*v));
	attr = xmlTextReaderGetAttribute(o->reader, BAD_CAST "version");
	if (attr) {
		const char *a = (const char *)attr;
		if ((a[0] != 'v' && a[0] != 'V') ||
		    text_parse_long(a + 1, strlen(a + 1), 1, 9999, &num))
			num = 0; /* numbered by position in fill_versions */
		xmlFree(attr);
	}
	v->version = (int)num;
	return PB_OK;
}

/* "Keyname, Forenames" -> an author with display name "Forenames Keyname". */
static int dc_creator(struct oai *o, const char *s, size_t n)
{
	struct paper_author *au;
	const char *comma;

	trim(&s, &n);
	if (!n)
		return PB_OK;
	if (push_author(o, &au))
		return PB_ENOMEM;
	if (!au)
		return PB_OK;
	comma = memchr(s, ',', n);
	if (!comma)
		return set_clean(o, &au->name, s, n, 0);
	if (set_clean(o, &au->keyname, s, (size_t)(comma - s), 0) ||
	    set_clean(o, &au->forenames, comma + 1, n - (size_t)(comma - s) - 1, 0))
		return PB_ENOMEM;
	return PB_OK;
}

static int dc_subject(struct oai *o, const char *s, size_t n)
{
	trim(&s, &n);
	if (!n || !arxiv_is_category(s, n))
		return PB_OK;
	if (o->dc_cats.len + n + 1 > PAPER_FIELD_MAX)
		return PB_OK; /* enough categories */
	if ((o->dc_cats.len && buf_addc(&o->dc_cats, ' ')) || buf_add(&o->dc_cats, s, n))
		return oom(o);
	return PB_OK;
}

static int dc_description(struct oai *o, const char *s, size_t n)
{
	struct paper *p = &o->rec.p;
	char *c = NULL;

	if (set_clean(o, &c, s, n, 1))
		return PB_ENOMEM;
	if (!c)
		return PB_OK;
	if (text_starts(c, "Comment:"))
		return set_clean(o, &p->comments, c + 8, strlen(c + 8), 0);
	if (!p->abstract)
		p->abstract = c;
	return PB_OK;
}

static int dc_date(struct oai *o, const char *s, size_t n)
{
	struct paper *p = &o->rec.p;
	char *day = NULL;
	int rc = set_day(o, &day, "dc:date", s, n);

	if (rc || !day)
		return rc;
	if (!o->rec.n_dc_dates++)
		p->published = day;
	p->updated = day;
	return PB_OK;
}

static int add_affiliation(struct oai *o, const char *s, size_t n)
{
	struct paper_author *au = &o->authors[o->n_authors - 1];
	char *c = NULL, *joined;
	size_t a, b;

	if (set_clean(o, &c, s, n, 0))
		return PB_ENOMEM;
	if (!c)
		return PB_OK;
	if (!au->affiliation) {
		au->affiliation = c;
		return PB_OK;
	}
	a = strlen(au->affiliation);
	b = strlen(c);
	joined = arena_alloc(&o->arena, a + b + 3);
	if (!joined)
		return oom(o);
	memcpy(joined, au->affiliation, a);
	memcpy(joined + a, "; ", 2);
	memcpy(joined + a + 2, c, b + 1);
	au->affiliation = joined;
	return PB_OK;
}

/* Handles the text of a leaf element in a record. */
static int record_leaf(struct oai *o, enum kind kind, const char *t, size_t n)
{
	struct rec *r = &o->rec;
	struct paper *p = &r->p;
	struct paper_author *au = o->n_authors ? &o->authors[o->n_authors - 1] : NULL;
	struct paper_version *v = o->n_versions ? &o->versions[o->n_versions - 1] : NULL;
	char moment[21];

	switch (kind) {
	case K_IDENTIFIER:
		return set_clean(o, &r->header_id, t, n, 0);
	case K_ID:
		return set_clean(o, &r->meta_id, t, n, 0);
	case K_CREATED:
		return set_day(o, &p->published, "created", t, n);
	case K_UPDATED:
		return set_day(o, &p->updated, "updated", t, n);
	case K_TITLE:
	case K_DC_TITLE:
		return set_clean(o, &p->title, t, n, 0);
	case K_ABSTRACT:
		return set_clean(o, &p->abstract, t, n, 1);
	case K_CATEGORIES:
		return set_clean(o, &r->categories, t, n, 0);
	case K_COMMENTS:
		return set_clean(o, &p->comments, t, n, 0);
	case K_REPORT_NO:
		return set_clean(o, &p->report_no, t, n, 0);
	case K_JOURNAL_REF:
		return set_clean(o, &p->journal_ref, t, n, 0);
	case K_DOI:
		return set_clean(o, &p->doi, t, n, 0);
	case K_LICENSE:
		return set_clean(o, &p->license, t, n, 0);
	case K_MSC_CLASS:
		return set_clean(o, &p->msc_class, t, n, 0);
	case K_ACM_CLASS:
		return set_clean(o, &p->acm_class, t, n, 0);
	case K_SUBMITTER:
		return set_clean(o, &p->submitter, t, n, 0);
	case K_AUTHORS_TEXT:
		return set_clean(o, &p->authors, t, n, 0);
	case K_KEYNAME:
		return au ? set_clean(o, &au->keyname, t, n, 0) : PB_OK;
	case K_FORENAMES:
		return au ? set_clean(o, &au->forenames, t, n, 0) : PB_OK;
	case K_SUFFIX:
		return au ? set_clean(o, &au->suffix, t, n, 0) : PB_OK;
	case K_AFFILIATION:
		return au ? add_affiliation(o, t, n) : PB_OK;
	case K_V_SIZE:
		return v ? set_clean(o, &v->size, t, n, 0) : PB_OK;
	case K_V_DATE:
		if (!v)
			return PB_OK;
		trim(&t, &n);
		if (date_parse_any(t, n, moment)) {
			rec_problem(o, "version date \"%.*s\" is not a date", n > 40 ? 40 : (int)n,
				    t);
			return PB_OK;
		}
		v->created = arena_strdup(&o->arena, moment);
		return v->created ? PB_OK : oom(o);
	case K_DC_CREATOR:
		return dc_creator(o, t, n);
	case K_DC_SUBJECT:
		return dc_subject(o, t, n);
	case K_DC_DESCRIPTION:
		return dc_description(o, t, n);
	case K_DC_DATE:
		return dc_date(o, t, n);
	case K_DC_IDENTIFIER:
		if (!r->dc_id) {
			char id[ARXIV_ID_MAX];
			int ver;
			trim(&t, &n);
			if (arxiv_id_parse(t, n, id, &ver) == PB_OK)
				return set_clean(o, &r->dc_id, t, n, 0);
		}
		return PB_OK;
	default:
		return PB_OK;
	}
}

/* p->author_list and the display string "Forenames Keyname Suffix, ..." from
 * the collected authors. */
static int fill_authors(struct oai *o)
{
	struct paper *p = &o->rec.p;
	struct buf *b = &o->scratch;
	size_t i, n = 0;

	if (!o->n_authors)
		return PB_OK;
	p->author_list = arena_alloc(&o->arena, o->n_authors * sizeof(*p->author_list));
	if (!p->author_list)
		return oom(o);
	buf_reset(b);
	for (i = 0; i < o->n_authors; i++) {
		struct paper_author *au = &o->authors[i];
		const char *parts[3] = {au->forenames, au->keyname, au->suffix};
		size_t start, k;

		if (!au->keyname && !au->forenames && !au->name)
			continue;
		if (b->len && buf_adds(b, ", "))
			return oom(o);
		start = b->len;
		if (au->keyname || au->forenames) {
			for (k = 0; k < 3; k++) {
				if (!parts[k])
					continue;
				if ((b->len > start && buf_addc(b, ' ')) || buf_adds(b, parts[k]))
					return oom(o);
			}
		} else if (buf_adds(b, au->name)) {
			return oom(o);
		}
		p->author_list[n] = *au;
		p->author_list[n].name = arena_strndup(&o->arena, b->data + start, b->len - start);
		if (!p->author_list[n].name)
			return oom(o);
		n++;
	}
	p->n_authors = n;
	if (!n) {
		p->author_list = NULL;
		return PB_OK;
	}
	p->authors = arena_strndup(&o->arena, b->data, b->len);
	return p->authors ? PB_OK : oom(o);
}

/* p->versions ascending, p->version the newest, and the dates of the first
 * and newest versions. */
static int fill_versions(struct oai *o)
{
	struct paper *p = &o->rec.p;
	size_t i, j;

	if (!o->n_versions)
		return PB_OK;
	for (i = 0; i < o->n_versions; i++)
		if (o->versions[i].version <= 0)
			o->versions[i].version = (int)i + 1;
	for (i = 1; i < o->n_versions; i++) {
		struct paper_version v = o->versions[i];
		for (j = i; j > 0 && o->versions[j - 1].version > v.version; j--)
			o->versions[j] = o->versions[j - 1];
		o->versions[j] = v;
	}
	p->versions = arena_alloc(&o->arena, o->n_versions * sizeof(*p->versions));
	if (!p->versions)
		return oom(o);
	memcpy(p->versions, o->versions, o->n_versions * sizeof(*p->versions));
	p->n_versions = o->n_versions;
	p->version = p->versions[p->n_versions - 1].version;
	if (p->versions[0].created && !p->published) {
		p->published = arena_strndup(&o->arena, p->versions[0].created, 10);
		if (!p->published)
			return oom(o);
	}
	if (p->versions[p->n_versions - 1].created) {
		p->updated = arena_strndup(&o->arena, p->versions[p->n_versions - 1].created, 10);
		if (!p->updated)
			return oom(o);
	}
	return PB_OK;
}

static const char *source_of(enum kind fmt)
{
	switch (fmt) {
	case K_FMT_ARXIV:
		return "oai-arXiv";
	case K_FMT_RAW:
		return "oai-arXivRaw";
	case K_FMT_DC:
		return "oai-dc";
	default:
		return NULL;
	}
}

static int deliver(struct oai *o, struct paper *p, const struct ingest_pos *pos)
{
	int rc;
	if (!o->sink)
		return PB_OK;
	rc = ingest_deliver(o->sink, p, &o->arena, pos);
	if (rc)
		pb_err_set(o->err, rc, "%s:%ld: record %ld (%s): the import was stopped (%s)",
			   o->name, pos->line, pos->record, p->arxiv_id, pb_rc_str(rc));
	return rc;
}

/* </record>: checks what was collected and hands the paper on. */
static int rec_end(struct oai *o)
{
	struct rec *r = &o->rec;
	struct paper *p = &r->p;
	struct ingest_pos pos = {o->name, r->line, o->page->records};
	const char *id;
	int rc = PB_OK, ver = 0;

	if (r->too_big) {
		report_bad(o, &pos, "record is larger than %u bytes", INGEST_RECORD_MAX);
		goto out;
	}
	if (r->why[0]) {
		report_bad(o, &pos, "%s", r->why);
		goto out;
	}
	if (r->deleted)
		id = r->header_id ? r->header_id : r->meta_id;
	else
		id = r->meta_id ? r->meta_id : r->dc_id ? r->dc_id : r->header_id;
	if (!id) {
		report_bad(o, &pos, "record has no identifier");
		goto out;
	}
	if (arxiv_id_parse(id, strlen(id), p->arxiv_id, &ver)) {
		report_bad(o, &pos, "\"%.80s\" is not an arXiv identifier", id);
		goto out;
	}
	if (r->deleted) {
		struct paper gone;
		paper_init(&gone);
		memcpy(gone.arxiv_id, p->arxiv_id, sizeof(gone.arxiv_id));
		gone.deleted = 1;
		gone.source = source_of(r->fmt) ? source_of(r->fmt) : o->prefix_source;
		rc = deliver(o, &gone, &pos);
		goto out;
	}
	if (r->fmt == K_OTHER) {
		report_bad(o, &pos, "%s: record has no metadata", p->arxiv_id);
		goto out;
	}
	if (r->fmt == K_FMT_OTHER) {
		report_bad(o, &pos, "%s: metadata format <%s> is not arXiv, arXivRaw or oai_dc",
			   p->arxiv_id, r->fmt_name);
		goto out;
	}
	p->source = source_of(r->fmt);
	p->version = ver;
	rc = fill_authors(o);
	if (!rc)
		rc = fill_versions(o);
	if (!rc && (r->categories || o->dc_cats.len)) {
		rc = paper_set_categories(p, &o->arena,
					  r->categories ? r->categories : o->dc_cats.data);
		if (rc)
			rc = oom(o);
	}
	if (!rc)
		rc = deliver(o, p, &pos);
out:
	rec_reset(o);
	return rc;
}

/* ---- the envelope ---- */

static long attr_long(struct oai *o, const char *name)
{
	xmlChar *a = xmlTextReaderGetAttribute(o->reader, BAD_CAST name);
	long v = -1;
	if (a) {
		const char *s = (const char *)a;
		size_t n = strlen(s);
		trim(&s, &n);
		if (text_parse_long(s, n, 0, 2000000000L, &v))
			v = -1;
		xmlFree(a);
	}
	return v;
}

static int begin_element(struct oai *o, enum kind kind, const char *name)
{
	xmlChar *a;

	switch (kind) {
	case K_REQUEST:
		a = xmlTextReaderGetAttribute(o->reader, BAD_CAST "metadataPrefix");
		if (a) {
			const char *s = (const char *)a;
			o->prefix_source = strcmp(s, "arXiv") == 0	? "oai-arXiv"
					   : strcmp(s, "arXivRaw") == 0 ? "oai-arXivRaw"
					   : strcmp(s, "oai_dc") == 0	? "oai-dc"
									: "oai";
			xmlFree(a);
		}
		break;
	case K_ERROR:
		if (!o->page->error_code[0]) {
			a = xmlTextReaderGetAttribute(o->reader, BAD_CAST "code");
			copy_squeezed(o->page->error_code, sizeof(o->page->error_code),
				      a ? (const char *)a : "unknown",
				      strlen(a ? (const char *)a : "unknown"));
			if (!o->page->error_code[0])
				snprintf(o->page->error_code, sizeof(o->page->error_code),
					 "unknown");
			xmlFree(a);
		}
		break;
	case K_TOKEN:
		o->page->cursor = attr_long(o, "cursor");
		o->page->complete_list_size = attr_long(o, "completeListSize");
		break;
	case K_RECORD:
		rec_begin(o);
		break;
	case K_HEADER:
		if (!o->rec.active)
			rec_begin(o);
		a = xmlTextReaderGetAttribute(o->reader, BAD_CAST "status");
		if (a && strcmp((const char *)a, "deleted") == 0 && !o->rec.deleted) {
			o->rec.deleted = 1;
			o->page->deleted++;
		}
		xmlFree(a);
		break;
	case K_FMT_ARXIV:
	case K_FMT_RAW:
	case K_FMT_DC:
		o->rec.fmt = kind;
		break;
	case K_FMT_OTHER:
		o->rec.fmt = kind;
		copy_squeezed(o->rec.fmt_name, sizeof(o->rec.fmt_name), name, strlen(name));
		break;
	case K_AUTHOR: {
		struct paper_author *au;
		return o->rec.active ? push_author(o, &au) : PB_OK;
	}
	case K_VERSION:
		return o->rec.active ? push_version(o) : PB_OK;
	default:
		break;
	}
	return PB_OK;
}

/* The end of a leaf: its text is in o->text. */
static int end_leaf(struct oai *o, enum kind kind)
{
	struct oai_page *pg = o->page;
	const char *t = o->text.data;
	size_t n = o->text.len;

	switch (kind) {
	case K_RESPONSE_DATE:
		copy_squeezed(pg->response_date, sizeof(pg->response_date), t, n);
		return PB_OK;
	case K_ERROR:
		if (!pg->error_msg[0])
			copy_squeezed(pg->error_msg, sizeof(pg->error_msg), t, n);
		return PB_OK;
	case K_TOKEN:
		trim(&t, &n);
		if (n >= sizeof(pg->token))
			return pb_err_set(o->err, PB_EFORMAT,
					  "%s:%ld: resumptionToken is %zu bytes, more than %zu",
					  o->name, node_line(o), n, sizeof(pg->token) - 1);
		memcpy(pg->token, t, n);
		pg->token[n] = '\0';
		return PB_OK;
	default:
		break;
	}
	if (!o->rec.active || o->rec.too_big)
		return PB_OK;
	return record_leaf(o, kind, t, n);
}

static int end_element(struct oai *o, enum kind kind, int depth)
{
	int rc = PB_OK;

	if (o->cap_depth == depth) {
		rc = end_leaf(o, o->cap_kind);
		o->cap_depth = -1;
		o->cap_kind = K_OTHER;
		if (rc)
			return rc;
	}
	if (kind == K_RECORD && o->rec.active)
		return rec_end(o);
	if (kind == K_HEADER && depth > 0 && o->stack[depth - 1] == K_VERB_IDS)
		rec_reset(o); /* ListIdentifiers: counted, not delivered */
	return PB_OK;
}

/* A document whose root is not <OAI-PMH>; a bare <error code=...> (what
 * arXiv sends for some bad requests) names its code. */
static int wrong_root(struct oai *o, const char *name)
{
	xmlChar *code = NULL;
	char what[128];
	int rc;

	if (strcmp(name, "error") == 0)
		code = xmlTextReaderGetAttribute(o->reader, BAD_CAST "code");
	if (code)
		copy_squeezed(what, sizeof(what), (const char *)code, strlen((const char *)code));
	rc = pb_err_set(o->err, PB_EFORMAT,
			"%s:%ld: not an OAI-PMH response (root element is <%.64s>%s%s)", o->name,
			node_line(o), name, code ? ", error code " : "", code ? what : "");
	xmlFree(code);
	return rc;
}

static int on_start(struct oai *o, int depth)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(o->reader);
	int empty = xmlTextReaderIsEmptyElement(o->reader);
	enum kind kind;
	int rc;

	if (!name)
		return oom(o);
	if (depth == 0) {
		if (strcmp(name, "OAI-PMH") != 0)
			return wrong_root(o, name);
		o->seen_root = 1;
		kind = K_ROOT;
	} else {
		kind = depth - 1 < OAI_DEPTH_MAX ? classify((enum kind)o->stack[depth - 1], name)
						 : K_OTHER;
	}
	if (depth < OAI_DEPTH_MAX)
		o->stack[depth] = (unsigned char)kind;
	if (o->rec.active) {
		o->rec.bytes += OAI_ELEMENT_COST;
		if (o->rec.bytes > INGEST_RECORD_MAX)
			o->rec.too_big = 1;
	}
	if (kind >= K_FIRST_LEAF && o->cap_depth < 0) {
		o->cap_depth = depth;
		o->cap_kind = kind;
		buf_reset(&o->text);
	}
	if (o->rec.too_big && kind != K_RECORD && kind != K_HEADER)
		rc = PB_OK;
	else
		rc = begin_element(o, kind, name);
	if (!rc && empty)
		rc = end_element(o, kind, depth);
	return rc;
}

static int on_text(struct oai *o)
{
	const xmlChar *v;
	size_t n;
	int rc;

	if (o->cap_depth < 0)
		return PB_OK;
	v = xmlTextReaderConstValue(o->reader);
	if (!v)
		return PB_OK;
	n = strlen((const char *)v);
	if (o->rec.active) {
		if (o->rec.too_big)
			return PB_OK;
		o->rec.bytes += n;
		if (o->rec.bytes > INGEST_RECORD_MAX) {
			o->rec.too_big = 1;
			return PB_OK;
		}
	}
	rc = buf_add(&o->text, v, n);
	return rc == PB_ENOMEM ? oom(o) : PB_OK; /* envelope text is cut at the buffer's cap */
}

static int on_node(struct oai *o)
{
	int depth = xmlTextReaderDepth(o->reader);

	if (depth < 0)
		return PB_OK;
	switch (xmlTextReaderNodeType(o->reader)) {
	case XML_READER_TYPE_ELEMENT:
		return on_start(o, depth);
	case XML_READER_TYPE_END_ELEMENT:
		return end_element(o, depth < OAI_DEPTH_MAX ? (enum kind)o->stack[depth] : K_OTHER,
				   depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return on_text(o);
	case XML_READER_TYPE_DOCUMENT_TYPE: {
		const char *dt = (const char *)xmlTextReaderConstName(o->reader);
		if (dt && strcmp(dt, "OAI-PMH") != 0)
			return pb_err_set(
			    o->err, PB_EFORMAT,
			    "%s:%ld: not an OAI-PMH response (root element is <%.64s>)", o->name,
			    node_line(o), dt);
		return pb_err_set(o->err, PB_EFORMAT,
				  "%s:%ld: OAI-PMH responses carry no DTD; refusing one with "
				  "<!DOCTYPE>",
				  o->name, node_line(o));
	}
	default:
		return PB_OK;
	}
}

/* Why reading stopped with an error: the stream's, else libxml2's. */
static int read_failure(struct oai *o)
{
	long line = o->xml_line > 0 ? o->xml_line
				    : (o->reader ? xmlTextReaderGetParserLineNumber(o->reader) : 0);

	if (o->io_rc) {
		if (text_starts(o->io_err.msg, o->name))
			return pb_err_set(o->err, o->io_rc, "%s", o->io_err.msg);
		return pb_err_set(o->err, o->io_rc, "%s: %s", o->name, o->io_err.msg);
	}
	if (!o->bytes_in)
		return pb_err_set(o->err, PB_EFORMAT, "%s: empty input, not an OAI-PMH response",
				  o->name);
	if (o->xml_msg[0])
		return pb_err_set(o->err, PB_EFORMAT, "%s:%ld: malformed XML: %s", o->name, line,
				  o->xml_msg);
	return pb_err_set(o->err, PB_EFORMAT, "%s:%ld: malformed XML", o->name, line);
}

int oai_parse_page(struct stream *s, const char *name, const struct ingest_sink *sink,
		   struct oai_page *page, struct pb_err *err)
{
	struct oai *o;
	int rc = PB_OK, r;
#if LIBXML_VERSION < 21200
	xmlStructuredErrorFunc old_serror = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_gerror = xmlGenericError;
	void *old_gctx = xmlGenericErrorContext;
#endif

	memset(page, 0, sizeof(*page));
	page->cursor = -1;
	page->complete_list_size = -1;
	o = calloc(1, sizeof(*o));
	if (!o)
		return pb_err_set(err, PB_ENOMEM, "%s: out of memory", name);
	o->s = s;
	o->name = name;
	o->sink = sink;
	o->page = page;
	o->err = err;
	o->cap_depth = -1;
	o->prefix_source = "oai";
	o->arena.max = 8 * (size_t)INGEST_RECORD_MAX;
	buf_init(&o->text, INGEST_RECORD_MAX);
	buf_init(&o->scratch, 0);
	buf_init(&o->dc_cats, PAPER_FIELD_MAX);
	rec_reset(o);

#if LIBXML_VERSION < 21200
	/* Errors raised outside the parser context (encoding conversion) go to
	 * these thread-local handlers; they are silenced while the page is read. */
	xmlSetStructuredErrorFunc(o, on_xml_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
#endif
	o->reader = xmlReaderForIO(io_read, io_close, o, NULL, NULL, OAI_XML_OPTIONS);
	if (!o->reader) {
		rc = o->io_rc ? read_failure(o)
			      : pb_err_set(err, PB_ENOMEM, "%s: cannot start the XML reader", name);
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(o->reader, on_xml_error, o);
	while ((r = xmlTextReaderRead(o->reader)) == 1) {
		rc = on_node(o);
		if (rc)
			goto out;
	}
	if (r < 0 || o->io_rc || o->xml_level >= XML_ERR_FATAL) {
		rc = read_failure(o);
		goto out;
	}
	if (!o->seen_root)
		rc = pb_err_set(err, PB_EFORMAT, "%s: not an OAI-PMH response (no root element)",
				name);
out:
	if (o->reader)
		xmlFreeTextReader(o->reader);
#if LIBXML_VERSION < 21200
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_gerror);
#endif
	arena_release(&o->arena);
	buf_release(&o->text);
	buf_release(&o->scratch);
	buf_release(&o->dc_cats);
	free(o->authors);
	free(o->versions);
	free(o);
	return rc;
}

int ingest_oai(struct stream *s, const char *name, const struct ingest_sink *sink,
	       struct pb_err *err)
{
	struct oai_page page;
	int rc = oai_parse_page(s, name, sink, &page, err);

	if (rc)
		return rc;
	if (page.error_code[0] && strcmp(page.error_code, "noRecordsMatch") != 0)
		return pb_err_set(err, PB_EFORMAT, "%s: OAI-PMH error %s: %s", name,
				  page.error_code, page.error_msg);
	return PB_OK;
}
