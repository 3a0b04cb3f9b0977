/* atom.c - imports arXiv feeds: API query answers (export.arxiv.org/api/query, the 2016 and
 * the 2026 Atom formats) and announcement listings (rss.arxiv.org, Atom and RSS 2.0), read
 * with libxml2's xmlTextReader in constant memory.
 *
 * The flavour is told by the root element (Atom <feed> or RSS <rss>) and, per entry, by
 * the listing-only elements (arxiv:announce_type, dc:creator) or an "oai:" id. Input that
 * claims or defaults to UTF-8 is repaired on the way in (invalid bytes and characters XML
 * forbids become U+FFFD, control characters spaces), so one bad byte does not end the
 * import. A document type
 * declaration is refused: feeds have none, and refusing it keeps entity tricks out.
 */
#include "ingest.h"

#include "../core/text.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ARXIV "http://arxiv.org/schemas/atom"
#define NS_DC "http://purl.org/dc/elements/1.1/"

/* What an element inside an entry costs besides its text (names, list nodes), so that a
 * record of many tiny elements is held to INGEST_RECORD_MAX as well. */
#define ELEMENT_COST 64

#define FEED_CHUNK 16384
#define FEED_TAIL 1024

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

enum flavour { FLAVOUR_NONE, FLAVOUR_ATOM, FLAVOUR_RSS };

/* Text fields of an entry, captured from the element's text content. */
enum field {
	F_NONE,
	F_ID,	/* Atom <id>, RSS <guid> */
	F_LINK, /* RSS <link>, a fallback id */
	F_TITLE,
	F_SUMMARY, /* Atom <summary>, RSS <description> */
	F_PUBLISHED,
	F_UPDATED,
	F_PUBDATE,
	F_COMMENT,
	F_JOURNAL_REF,
	F_DOI,
	F_ANNOUNCE_TYPE,
	F_CREATOR,
	F_RIGHTS,
	F_AUTHOR_NAME,
	F_AFFILIATION,
	F_CATEGORY, /* RSS <category>text</category> */
	F_COUNT
};

struct str_node {
	struct str_node *next;
	const char *s;
};

struct author_node {
	struct author_node *next;
	const char *name;
	struct str_node *affs, **affs_tail;
};

/* One entry being read; everything it points to lives in the parser's arena. */
struct entry {
	const char *f[F_COUNT]; /* cleaned text, first occurrence */
	struct author_node *authors, **authors_tail, *cur_author;
	int author_depth;
	struct str_node *cats, **cats_tail;
	const char *primary;
	size_t bytes; /* text and elements seen so far */
	int too_big;
	long line, record;
};

/* Feeds libxml2 from the stream, repairing UTF-8 when asked. */
struct feeder {
	struct stream *s;
	struct pb_err err; /* the stream's error, when failed */
	int failed, eof, repair;
	unsigned char in[FEED_CHUNK];
	size_t in_len; /* an incomplete sequence carried over from the last read */
	unsigned char out[3 * FEED_CHUNK];
	size_t out_pos, out_len;
	int nonblank;		       /* something other than white space was read */
	unsigned char tail[FEED_TAIL]; /* the last bytes handed to the parser */
	size_t tail_len;
};

struct atom {
	const char *name;
	const struct ingest_sink *sink;
	struct pb_err *err;
	xmlTextReaderPtr r;
	struct feeder feed;

	/* the first error libxml2 reported (a fatal one wins over others) */
	char xml_msg[400];
	int xml_line, xml_code, xml_fatal;

	enum flavour flavour;
	const char *core_ns; /* namespace of the feed's own elements; NULL for none */
	char root_end[80];   /* "</feed" as the document spells it */

	int in_entry, entry_depth;
	long n_entries;
	enum field cap_field; /* field whose text is being collected */
	int cap_depth;
	struct buf text;    /* that text */
	struct buf scratch; /* joins at the end of an entry */
	struct entry e;
	struct arena arena;
};

/* ---- input ---------------------------------------------------------------------- */

/* Length of the UTF-8 sequence a lead byte announces, 0 for a byte that cannot lead. */
static size_t utf8_len(unsigned c)
{
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

/* Reads the next chunk into f->out. PB_OK (maybe with nothing new: call again) or -1. */
static int feeder_fill(struct feeder *f)
{
	long got = stream_read(f->s, f->in + f->in_len, sizeof(f->in) - f->in_len, &f->err);
	size_t n, i = 0, o = 0;

	if (got < 0) {
		f->failed = 1;
		return -1;
	}
	if (got == 0)
		f->eof = 1;
	n = f->in_len + (size_t)got;
	if (!f->repair) {
		memcpy(f->out, f->in, n);
		f->in_len = 0;
		f->out_pos = 0;
		f->out_len = n;
		return PB_OK;
	}
	while (i < n) {
		unsigned c = f->in[i];
		size_t k;
		if (c < 0x80) {
			f->out[o++] = (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
					  ? ' '
					  : (unsigned char)c;
			i++;
			continue;
		}
		k = utf8_len(c);
		if (k && i + k > n && !f->eof)
			break; /* finish it with the next read */
		if (k && i + k <= n && text_utf8_invalid_at((const char *)f->in + i, k) == k) {
			/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters */
			if (c == 0xEF && f->in[i + 1] == 0xBF && f->in[i + 2] >= 0xBE)
				memcpy(f->out + o, "\xEF\xBF\xBD", 3);
			else
				memcpy(f->out + o, f->in + i, k);
			o += k;
			i += k;
			continue;
		}
		memcpy(f->out + o, "\xEF\xBF\xBD", 3);
		o += 3;
		i++;
	}
	memmove(f->in, f->in + i, n - i);
	f->in_len = n - i;
	f->out_pos = 0;
	f->out_len = o;
	return PB_OK;
}

/* Keeps the last FEED_TAIL bytes read, and notes the first one that is not white space. */
static void remember(struct feeder *f, const unsigned char *p, size_t n)
{
	size_t i, keep;

	for (i = 0; i < n && !f->nonblank; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			f->nonblank = 1;
	if (n >= FEED_TAIL) {
		memcpy(f->tail, p + n - FEED_TAIL, FEED_TAIL);
		f->tail_len = FEED_TAIL;
		return;
	}
	keep = f->tail_len + n > FEED_TAIL ? FEED_TAIL - n : f->tail_len;
	memmove(f->tail, f->tail + f->tail_len - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->tail_len = keep + n;
}

static int feeder_read(void *ctx, char *dst, int len)
{
	struct feeder *f = ctx;
	size_t n;

	if (len <= 0)
		return 0;
	while (f->out_pos == f->out_len) {
		if (f->eof)
			return 0;
		if (feeder_fill(f))
			return -1;
	}
	n = f->out_len - f->out_pos;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(dst, f->out + f->out_pos, n);
	f->out_pos += n;
	remember(f, (const unsigned char *)dst, n);
	return (int)n;
}

/* 1 when the document is UTF-8 (no BOM of another encoding, no other encoding declared),
 * 0 when it is not, -1 on a read error. */
static int is_utf8_doc(struct stream *s, struct pb_err *err)
{
	const unsigned char *p;
	long n = stream_peek(s, 512, &p, err);
	const char *decl, *end, *enc;
	char name[32];
	size_t k = 0;

	if (n < 0)
		return -1;
	if (n >= 2 && (p[0] == 0 || p[1] == 0 || (p[0] == 0xFE && p[1] == 0xFF) ||
		       (p[0] == 0xFF && p[1] == 0xFE)))
		return 0;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		p += 3;
		n -= 3;
	}
	if (n < 5 || memcmp(p, "<?xml", 5) != 0)
		return 1;
	decl = (const char *)p;
	end = memchr(decl, '>', (size_t)n);
	if (!end)
		return 1;
	enc = memmem(decl, (size_t)(end - decl), "encoding", 8);
	if (!enc)
		return 1;
	enc += 8;
	while (enc < end && (*enc == ' ' || *enc == '=' || *enc == '\t' || *enc == '\r' ||
			     *enc == '\n' || *enc == '"' || *enc == '\''))
		enc++;
	while (enc < end && k + 1 < sizeof(name) &&
	       (isalnum((unsigned char)*enc) || *enc == '-' || *enc == '_' || *enc == '.'))
		name[k++] = *enc++;
	name[k] = '\0';
	return text_ieq(name, "utf-8") || text_ieq(name, "utf8") || text_ieq(name, "us-ascii") ||
	       text_ieq(name, "ascii");
}

/* ---- errors --------------------------------------------------------------------- */

static void on_xml_error(void *ctx, xml_error_arg e)
{
	struct atom *at = ctx;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR)
		return;
	if (at->xml_msg[0] && (at->xml_fatal || e->level != XML_ERR_FATAL))
		return;
	snprintf(at->xml_msg, sizeof(at->xml_msg), "%s", e->message ? e->message : "XML error");
	n = strlen(at->xml_msg);
	while (n && isspace((unsigned char)at->xml_msg[n - 1]))
		at->xml_msg[--n] = '\0';
	at->xml_line = e->line;
	at->xml_code = e->code;
	at->xml_fatal = e->level == XML_ERR_FATAL;
}

static long reader_line(struct atom *at)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(at->r);
	long line = node ? xmlGetLineNo(node) : 0;
	/* node lines stop at 65535 */
	if (line <= 0 || line >= 65535)
		line = xmlTextReaderGetParserLineNumber(at->r);
	return line;
}

static int no_memory(struct atom *at)
{
	return pb_err_set(at->err, PB_ENOMEM, "%s: out of memory reading entry %ld", at->name,
			  at->e.record);
}

/* 1 when the input ended inside the document element: the parser's complaint came at the
 * end of the input and the closing tag of the root is not among the last bytes read. */
static int input_cut_short(const struct atom *at)
{
	return at->feed.eof &&
	       (at->xml_code == XML_ERR_DOCUMENT_END || at->xml_code == XML_ERR_TAG_NOT_FINISHED ||
		at->xml_code == XML_ERR_LTSLASH_REQUIRED) &&
	       (!at->root_end[0] ||
		!memmem(at->feed.tail, at->feed.tail_len, at->root_end, strlen(at->root_end)));
}

/* The reader gave up: says why, and where. Entries the parser had read ahead of the reader
 * (within the last chunk pushed to it) are not delivered. */
static int parse_failed(struct atom *at)
{
	const char *msg = at->xml_msg[0] ? at->xml_msg : "the XML parser gave up";
	long line = at->xml_line ? at->xml_line : xmlTextReaderGetParserLineNumber(at->r);

	if (at->feed.failed)
		return pb_err_set(at->err, at->feed.err.rc ? at->feed.err.rc : PB_EIO, "%s: %s",
				  at->name, at->feed.err.msg);
	if (!at->feed.nonblank)
		return pb_err_set(at->err, PB_EFORMAT, "%s: the input is empty, not an XML feed",
				  at->name);
	if (input_cut_short(at)) {
		if (at->in_entry)
			return pb_err_set(at->err, PB_EFORMAT,
					  "%s: line %ld: the input ends inside entry %ld (begun on "
					  "line %ld), which is dropped",
					  at->name, line, at->e.record, at->e.line);
		return pb_err_set(
		    at->err, PB_EFORMAT,
		    "%s: line %ld: the input ends before the feed is closed (after %ld "
		    "entries)",
		    at->name, line, at->n_entries);
	}
	if (at->xml_code == XML_ERR_DOCUMENT_END && at->flavour != FLAVOUR_NONE)
		return pb_err_set(at->err, PB_EFORMAT,
				  "%s: line %ld: something follows the end of the feed: %s",
				  at->name, line, msg);
	if (at->in_entry)
		return pb_err_set(at->err, PB_EFORMAT,
				  "%s: line %ld: %s (in entry %ld, begun on line %ld)", at->name,
				  line, msg, at->e.record, at->e.line);
	return pb_err_set(at->err, PB_EFORMAT, "%s: line %ld: not a well-formed XML feed: %s",
			  at->name, line, msg);
}

/* ---- one entry ------------------------------------------------------------------ */

/* Counts n more bytes against the record's cap; 1 when the record is now too big. */
static int charge(struct atom *at, size_t n)
{
	if (at->e.too_big)
		return 1;
	at->e.bytes += n;
	if (at->e.bytes > INGEST_RECORD_MAX)
		at->e.too_big = 1;
	return at->e.too_big;
}

static void entry_clear(struct atom *at)
{
	memset(&at->e, 0, sizeof(at->e));
	at->e.authors_tail = &at->e.authors;
	at->e.cats_tail = &at->e.cats;
	at->cap_field = F_NONE;
	arena_reset(&at->arena);
}

static int add_str(struct atom *at, struct str_node ***tail, const char *s)
{
	struct str_node *n;
	if (!s || !*s)
		return PB_OK;
	n = arena_alloc(&at->arena, sizeof(*n));
	if (!n)
		return no_memory(at);
	n->s = s;
	**tail = n;
	*tail = &n->next;
	return PB_OK;
}

/* Copies the attribute into the arena (cleaned), or NULL when absent. *rc set on failure. */
static const char *attribute(struct atom *at, const char *attr, int *rc)
{
	xmlChar *v = xmlTextReaderGetAttribute(at->r, (const xmlChar *)attr);
	const char *s = NULL;
	size_t n;

	*rc = PB_OK;
	if (!v)
		goto out;
	n = strlen((const char *)v);
	if (charge(at, n))
		goto out;
	s = text_clean(&at->arena, (const char *)v, n);
	if (!s)
		*rc = no_memory(at);
out:
	if (v)
		xmlFree(v);
	return s;
}

static int finish_field(struct atom *at)
{
	enum field f = at->cap_field;
	const char *s;

	at->cap_field = F_NONE;
	if (at->e.too_big)
		return PB_OK;
	s = text_clean(&at->arena, at->text.data, at->text.len);
	if (!s)
		return no_memory(at);
	switch (f) {
	case F_AUTHOR_NAME:
		if (at->e.cur_author && !at->e.cur_author->name)
			at->e.cur_author->name = s;
		return PB_OK;
	case F_AFFILIATION:
		if (at->e.cur_author)
			return add_str(at, &at->e.cur_author->affs_tail, s);
		return PB_OK;
	case F_CATEGORY:
		return add_str(at, &at->e.cats_tail, s);
	case F_NONE:
	case F_COUNT:
		return PB_OK;
	default:
		if (!at->e.f[f])
			at->e.f[f] = s;
		return PB_OK;
	}
}

/* "arXiv:2508.13167v1 Announce Type: new Abstract: text" -> "text"; *type gets "new". */
static const char *strip_listing_prefix(const char *s, const char **type, size_t *type_len)
{
	size_t n = strnlen(s, 256);
	const char *abs, *t;

	*type = NULL;
	*type_len = 0;
	if (!text_starts(s, "arXiv:"))
		return s;
	abs = memmem(s, n, "Abstract:", 9);
	if (!abs)
		return s;
	t = memmem(s, (size_t)(abs - s), "Announce Type:", 14);
	if (t) {
		t += 14;
		while (*t == ' ')
			t++;
		*type = t;
		while (t < abs && *t != ' ')
			t++;
		*type_len = (size_t)(t - *type);
	}
	abs += 9;
	while (*abs == ' ')
		abs++;
	return abs;
}

static enum paper_announce announce_type(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum paper_announce type;
	} types[] = {
	    {"new", PAPER_ANNOUNCE_NEW},
	    {"cross", PAPER_ANNOUNCE_CROSS},
	    {"replace", PAPER_ANNOUNCE_REPLACE},
	    {"replace-cross", PAPER_ANNOUNCE_REPLACE_CROSS},
	};
	size_t i;
	for (i = 0; s && i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == n && strncasecmp(types[i].name, s, n) == 0)
			return types[i].type;
	return PAPER_ANNOUNCE_UNKNOWN;
}

/* The calendar day as written in s, whatever its zone: "2025-08-20T00:00:00-04:00" and
 * "Wed, 20 Aug 2025 00:00:00 -0400" both give "2025-08-20". */
static int local_day(const char *s, char day[11])
{
	size_t n = strlen(s);
	const char *colon;
	char moment[21];
	int y, m, d;

	if (n >= 10 && isdigit((unsigned char)s[0]) && s[4] == '-') {
		if (date_parse_day(s, 10, &y, &m, &d))
			return PB_EINVAL;
		date_format_day(y, m, d, day);
		return PB_OK;
	}
	colon = strchr(s, ':');
	if (colon) {
		n = (size_t)(colon - s);
		while (n && isdigit((unsigned char)s[n - 1]))
			n--;
	}
	if (date_parse_any(s, n, moment))
		return PB_EINVAL;
	memcpy(day, moment, 10);
	day[10] = '\0';
	return PB_OK;
}

/* Joins the author nodes into p->author_list (with "; "-joined affiliations) and
 * p->authors ("A, B"). */
static int set_authors(struct atom *at, struct paper *p)
{
	struct author_node *a;
	size_t n = 0, len = 0, i = 0, o = 0;
	char *joined;

	for (a = at->e.authors; a && n < PAPER_AUTHORS_MAX; a = a->next)
		if (a->name && *a->name) {
			n++;
			len += strlen(a->name) + 2;
		}
	if (!n)
		return PB_OK;
	p->author_list = arena_alloc(&at->arena, n * sizeof(*p->author_list));
	joined = arena_alloc(&at->arena, len + 1);
	if (!p->author_list || !joined)
		return no_memory(at);
	for (a = at->e.authors; a && i < n; a = a->next) {
		struct str_node *s;
		size_t k;
		if (!a->name || !*a->name)
			continue;
		p->author_list[i].name = (char *)a->name;
		if (a->affs) {
			buf_reset(&at->scratch);
			for (s = a->affs; s; s = s->next)
				if (buf_adds(&at->scratch, s->s) ||
				    (s->next && buf_adds(&at->scratch, "; ")))
					return no_memory(at);
			p->author_list[i].affiliation =
			    arena_strndup(&at->arena, at->scratch.data, at->scratch.len);
			if (!p->author_list[i].affiliation)
				return no_memory(at);
		}
		if (i) {
			memcpy(joined + o, ", ", 2);
			o += 2;
		}
		k = strlen(a->name);
		memcpy(joined + o, a->name, k);
		o += k;
		i++;
	}
	joined[o] = '\0';
	p->n_authors = n;
	p->authors = joined;
	return PB_OK;
}

/* Primary category first, then the others in order (paper_set_categories drops
 * duplicates and what is not an arXiv category, such as MSC or ACM codes). */
static int set_categories(struct atom *at, struct paper *p)
{
	struct str_node *c;

	buf_reset(&at->scratch);
	if (at->e.primary && (buf_adds(&at->scratch, at->e.primary) || buf_addc(&at->scratch, ' ')))
		return no_memory(at);
	for (c = at->e.cats; c; c = c->next)
		if (buf_adds(&at->scratch, c->s) || buf_addc(&at->scratch, ' '))
			return no_memory(at);
	if (paper_set_categories(p, &at->arena, at->scratch.data))
		return no_memory(at);
	return PB_OK;
}

/* Dates of an API entry: published (v1) and updated moments. */
static int set_api_dates(struct atom *at, struct paper *p, const struct ingest_pos *pos, int *bad)
{
	const char *pub = at->e.f[F_PUBLISHED], *upd = at->e.f[F_UPDATED];
	char moment[21];

	if (pub) {
		if (date_parse_any(pub, strlen(pub), moment)) {
			ingest_bad(at->sink, pos, "%s: <published> \"%.40s\" is not a date",
				   p->arxiv_id, pub);
			*bad = 1;
			return PB_OK;
		}
		p->published = arena_strndup(&at->arena, moment, 10);
		if (!p->published)
			return no_memory(at);
		if (p->version == 1) {
			p->versions = arena_alloc(&at->arena, sizeof(*p->versions));
			if (!p->versions)
				return no_memory(at);
			p->versions[0].version = 1;
			p->versions[0].created = arena_strdup(&at->arena, moment);
			if (!p->versions[0].created)
				return no_memory(at);
			p->n_versions = 1;
		}
	}
	if (upd) {
		if (date_parse_any(upd, strlen(upd), moment)) {
			ingest_bad(at->sink, pos, "%s: <updated> \"%.40s\" is not a date",
				   p->arxiv_id, upd);
			*bad = 1;
			return PB_OK;
		}
		p->updated = arena_strndup(&at->arena, moment, 10);
		if (!p->updated)
			return no_memory(at);
	}
	return PB_OK;
}

/* Builds the paper from the entry just closed and delivers it. */
static int deliver_entry(struct atom *at)
{
	struct ingest_pos pos = {at->name, at->e.line, at->e.record};
	const char *const *f = at->e.f;
	const char *id_text = f[F_ID] && *f[F_ID] ? f[F_ID] : f[F_LINK];
	const char *type = NULL;
	size_t type_len = 0;
	struct paper p;
	int listing, bad = 0, rc;

	paper_init(&p);
	if (at->e.too_big) {
		ingest_bad(at->sink, &pos, "entry is larger than %u bytes", INGEST_RECORD_MAX);
		return PB_OK;
	}
	if (f[F_ID] && strstr(f[F_ID], "arxiv.org/api/errors"))
		return pb_err_set(at->err, PB_EFORMAT,
				  "%s: the arXiv API answered with an error: %.400s", at->name,
				  f[F_SUMMARY] && *f[F_SUMMARY] ? f[F_SUMMARY]
				  : f[F_TITLE]			? f[F_TITLE]
								: "(no message)");
	if (!id_text || !*id_text) {
		ingest_bad(at->sink, &pos, "entry has no id");
		return PB_OK;
	}
	if (arxiv_id_parse(id_text, strlen(id_text), p.arxiv_id, &p.version) &&
	    (!f[F_LINK] || arxiv_id_parse(f[F_LINK], strlen(f[F_LINK]), p.arxiv_id, &p.version))) {
		ingest_bad(at->sink, &pos, "entry id \"%.80s\" is not an arXiv identifier",
			   id_text);
		return PB_OK;
	}
	if (!f[F_TITLE] || !*f[F_TITLE]) {
		ingest_bad(at->sink, &pos, "%s: entry has no title", p.arxiv_id);
		return PB_OK;
	}
	listing = at->flavour == FLAVOUR_RSS || f[F_ANNOUNCE_TYPE] || f[F_CREATOR] ||
		  text_starts(id_text, "oai:");
	p.title = (char *)f[F_TITLE];
	p.abstract = (char *)f[F_SUMMARY];
	if (listing && p.abstract)
		p.abstract = (char *)strip_listing_prefix(p.abstract, &type, &type_len);
	p.comments = (char *)f[F_COMMENT];
	p.journal_ref = (char *)f[F_JOURNAL_REF];
	p.doi = (char *)f[F_DOI];
	p.license = (char *)f[F_RIGHTS];
	rc = set_authors(at, &p);
	if (!rc && !p.authors && f[F_CREATOR])
		p.authors = (char *)f[F_CREATOR];
	if (!rc)
		rc = set_categories(at, &p);
	if (rc)
		return rc;
	if (listing) {
		const char *when = f[F_PUBLISHED] ? f[F_PUBLISHED] : f[F_PUBDATE];
		char day[11];
		p.source = "arxiv-listing";
		if (f[F_ANNOUNCE_TYPE])
			p.announce_type =
			    announce_type(f[F_ANNOUNCE_TYPE], strlen(f[F_ANNOUNCE_TYPE]));
		else
			p.announce_type = announce_type(type, type_len);
		if (when) {
			if (local_day(when, day)) {
				ingest_bad(at->sink, &pos,
					   "%s: announcement date \"%.40s\" is not a date",
					   p.arxiv_id, when);
				return PB_OK;
			}
			p.announced = arena_strdup(&at->arena, day);
			if (!p.announced)
				return no_memory(at);
		}
	} else {
		p.source = "arxiv-api";
		rc = set_api_dates(at, &p, &pos, &bad);
		if (rc || bad)
			return rc;
	}
	rc = ingest_deliver(at->sink, &p, &at->arena, &pos);
	if (rc)
		return pb_err_set(at->err, rc, "%s: entry %ld (line %ld): import stopped: %s",
				  at->name, pos.record, pos.line, pb_rc_str(rc));
	return PB_OK;
}

static int end_entry(struct atom *at)
{
	int rc = deliver_entry(at);
	at->in_entry = 0;
	entry_clear(at);
	return rc;
}

/* ---- nodes ---------------------------------------------------------------------- */

static int is_ns(const char *ns, const char *want)
{
	if (!want)
		return ns == NULL;
	return ns && strcmp(ns, want) == 0;
}

/* Which field an element directly under the entry holds; F_NONE for others. */
static enum field entry_field(const struct atom *at, const char *ns, const char *local)
{
	int atom = at->flavour == FLAVOUR_ATOM;

	if (is_ns(ns, at->core_ns)) {
		if (strcmp(local, atom ? "id" : "guid") == 0)
			return F_ID;
		if (strcmp(local, "title") == 0)
			return F_TITLE;
		if (strcmp(local, atom ? "summary" : "description") == 0)
			return F_SUMMARY;
		if (atom && strcmp(local, "published") == 0)
			return F_PUBLISHED;
		if (atom && strcmp(local, "updated") == 0)
			return F_UPDATED;
		if (!atom && strcmp(local, "pubDate") == 0)
			return F_PUBDATE;
		if (!atom && strcmp(local, "link") == 0)
			return F_LINK;
		if (!atom && strcmp(local, "category") == 0)
			return F_CATEGORY;
		return F_NONE;
	}
	if (is_ns(ns, NS_ARXIV)) {
		if (strcmp(local, "comment") == 0)
			return F_COMMENT;
		if (strcmp(local, "journal_ref") == 0)
			return F_JOURNAL_REF;
		if (strcmp(local, "doi") == 0)
			return F_DOI;
		if (strcmp(local, "announce_type") == 0)
			return F_ANNOUNCE_TYPE;
		return F_NONE;
	}
	if (is_ns(ns, NS_DC)) {
		if (strcmp(local, "creator") == 0)
			return F_CREATOR;
		if (strcmp(local, "rights") == 0)
			return F_RIGHTS;
	}
	return F_NONE;
}

static int begin_capture(struct atom *at, enum field f, int depth, int empty)
{
	at->cap_field = f;
	at->cap_depth = depth;
	buf_reset(&at->text);
	return empty ? finish_field(at) : PB_OK;
}

static int on_root(struct atom *at, const char *ns, const char *local)
{
	const char *qname = (const char *)xmlTextReaderConstName(at->r);

	snprintf(at->root_end, sizeof(at->root_end), "</%s", qname ? qname : local);
	if (strcmp(local, "feed") == 0 && (!ns || strcmp(ns, NS_ATOM) == 0)) {
		at->flavour = FLAVOUR_ATOM;
		at->core_ns = ns ? NS_ATOM : NULL;
		return PB_OK;
	}
	if (strcmp(local, "rss") == 0 && !ns) {
		at->flavour = FLAVOUR_RSS;
		at->core_ns = NULL;
		return PB_OK;
	}
	return pb_err_set(at->err, PB_EFORMAT,
			  "%s: line %ld: the root element is <%.60s>%s%.80s%s, not an Atom <feed> "
			  "or an RSS <rss>",
			  at->name, reader_line(at), local, ns ? " (namespace " : "", ns ? ns : "",
			  ns ? ")" : "");
}

static int on_element(struct atom *at, int depth)
{
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(at->r);
	const char *local = (const char *)xmlTextReaderConstLocalName(at->r);
	int empty = xmlTextReaderIsEmptyElement(at->r) == 1;
	int rel, rc = PB_OK;
	enum field f;

	if (!local)
		return no_memory(at);
	if (at->flavour == FLAVOUR_NONE)
		return on_root(at, ns, local);
	if (!at->in_entry) {
		int entry_depth = at->flavour == FLAVOUR_ATOM ? 1 : 2;
		if (depth != entry_depth || !is_ns(ns, at->core_ns) ||
		    strcmp(local, at->flavour == FLAVOUR_ATOM ? "entry" : "item") != 0)
			return PB_OK;
		entry_clear(at);
		at->in_entry = 1;
		at->entry_depth = depth;
		at->e.record = ++at->n_entries;
		at->e.line = reader_line(at);
		return empty ? end_entry(at) : PB_OK;
	}
	if (charge(at, ELEMENT_COST) || at->cap_field != F_NONE)
		return PB_OK; /* markup inside a field adds its text to the field */
	rel = depth - at->entry_depth;
	if (rel == 1) {
		if (at->flavour == FLAVOUR_ATOM && is_ns(ns, at->core_ns) &&
		    strcmp(local, "author") == 0) {
			struct author_node *a;
			if (empty)
				return PB_OK;
			a = arena_alloc(&at->arena, sizeof(*a));
			if (!a)
				return no_memory(at);
			a->affs_tail = &a->affs;
			*at->e.authors_tail = a;
			at->e.authors_tail = &a->next;
			at->e.cur_author = a;
			at->e.author_depth = depth;
			return PB_OK;
		}
		if (at->flavour == FLAVOUR_ATOM && is_ns(ns, at->core_ns) &&
		    strcmp(local, "category") == 0) {
			const char *term = attribute(at, "term", &rc);
			return rc ? rc : add_str(at, &at->e.cats_tail, term);
		}
		if (is_ns(ns, NS_ARXIV) && strcmp(local, "primary_category") == 0) {
			const char *term = attribute(at, "term", &rc);
			if (!rc && term && !at->e.primary)
				at->e.primary = term;
			return rc;
		}
		f = entry_field(at, ns, local);
		return f == F_NONE ? PB_OK : begin_capture(at, f, depth, empty);
	}
	if (rel == 2 && at->e.cur_author) {
		if (is_ns(ns, at->core_ns) && strcmp(local, "name") == 0)
			return begin_capture(at, F_AUTHOR_NAME, depth, empty);
		if (is_ns(ns, NS_ARXIV) && strcmp(local, "affiliation") == 0)
			return begin_capture(at, F_AFFILIATION, depth, empty);
	}
	return PB_OK;
}

static int on_end_element(struct atom *at, int depth)
{
	if (!at->in_entry)
		return PB_OK;
	if (at->cap_field != F_NONE && depth == at->cap_depth)
		return finish_field(at);
	if (at->e.cur_author && depth == at->e.author_depth) {
		at->e.cur_author = NULL;
		return PB_OK;
	}
	if (depth == at->entry_depth)
		return end_entry(at);
	return PB_OK;
}

static int on_text(struct atom *at)
{
	const char *v;
	size_t n;

	if (!at->in_entry)
		return PB_OK;
	v = (const char *)xmlTextReaderConstValue(at->r);
	if (!v)
		return PB_OK;
	n = strlen(v);
	if (charge(at, n) || at->cap_field == F_NONE)
		return PB_OK;
	if (buf_add(&at->text, v, n))
		at->e.too_big = 1;
	return PB_OK;
}

static int on_node(struct atom *at)
{
	int depth = xmlTextReaderDepth(at->r);

	switch (xmlTextReaderNodeType(at->r)) {
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return pb_err_set(at->err, PB_EFORMAT,
				  "%s: line %ld: a document type declaration (<!DOCTYPE ...>) is "
				  "not accepted in a feed",
				  at->name, reader_line(at));
	case XML_READER_TYPE_ELEMENT:
		return on_element(at, depth);
	case XML_READER_TYPE_END_ELEMENT:
		return on_end_element(at, depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return on_text(at);
	default:
		return PB_OK; /* entity references stay unexpanded; comments, PIs ignored */
	}
}

int ingest_atom(struct stream *s, const char *name, const struct ingest_sink *sink,
		struct pb_err *err)
{
	struct atom *at = calloc(1, sizeof(*at));
	xmlStructuredErrorFunc old_handler = NULL;
	void *old_ctx = NULL;
	int rc = PB_OK, ret, utf8, handler_set = 0;

	if (!at)
		return pb_err_set(err, PB_ENOMEM, "%s: out of memory", name);
	at->name = name;
	at->sink = sink;
	at->err = err;
	at->feed.s = s;
	buf_init(&at->text, INGEST_RECORD_MAX);
	buf_init(&at->scratch, 0);
	entry_clear(at);

	utf8 = is_utf8_doc(s, err);
	if (utf8 < 0) {
		rc = err ? err->rc : PB_EIO;
		goto out;
	}
	at->feed.repair = utf8;

	xmlInitParser();
	/* Errors libxml2 raises outside the reader's context (encoding conversion) go to the
	 * thread's structured handler: point it here while this parse runs. */
	old_handler = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(at, on_xml_error);
	handler_set = 1;

	at->r = xmlReaderForIO(feeder_read, NULL, &at->feed, NULL, NULL, XML_PARSE_NONET);
	if (!at->r) {
		if (at->feed.failed)
			rc = pb_err_set(err, at->feed.err.rc ? at->feed.err.rc : PB_EIO, "%s: %s",
					name, at->feed.err.msg);
		else
			rc = pb_err_set(err, PB_ENOMEM, "%s: cannot start the XML reader", name);
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(at->r, on_xml_error, at);

	while ((ret = xmlTextReaderRead(at->r)) == 1) {
		rc = on_node(at);
		if (rc)
			goto out;
	}
	if (ret < 0) {
		rc = parse_failed(at);
		goto out;
	}
	if (at->flavour == FLAVOUR_NONE)
		rc = pb_err_set(err, PB_EFORMAT, "%s: no XML root element: not a feed", name);
out:
	if (at->r)
		xmlFreeTextReader(at->r);
	if (handler_set)
		xmlSetStructuredErrorFunc(old_ctx, old_handler);
	arena_release(&at->arena);
	buf_release(&at->text);
	buf_release(&at->scratch);
	free(at);
	return rc;
}
