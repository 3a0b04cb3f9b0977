/* common.c - what all importers share: delivering records, format detection. */
#include "ingest.h"

#include "../core/text.h"

#include <stdio.h>
#include <string.h>

void ingest_bad(const struct ingest_sink *sink, const struct ingest_pos *pos, const char *fmt,
		...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (sink->bad)
		sink->bad(sink->ctx, pos, why);
}

int ingest_deliver(const struct ingest_sink *sink, struct paper *p, struct arena *a,
		   const struct ingest_pos *pos)
{
	char why[512];
	int rc;

	if (!p->deleted) {
		rc = paper_split_authors(p, a);
		if (!rc)
			rc = paper_find_links(p, a);
		if (rc) {
			ingest_bad(sink, pos, "out of memory while reading this record");
			return PB_OK;
		}
		if (!p->updated && p->n_versions && p->versions[p->n_versions - 1].created) {
			p->updated = arena_strndup(a, p->versions[p->n_versions - 1].created, 10);
		}
		if (!p->published && p->n_versions && p->versions[0].version == 1 &&
		    p->versions[0].created)
			p->published = arena_strndup(a, p->versions[0].created, 10);
		if (!p->version && p->n_versions)
			p->version = p->versions[p->n_versions - 1].version;
	}
	if (paper_validate(p, why, sizeof(why))) {
		ingest_bad(sink, pos, "%s", why);
		return PB_OK;
	}
	return sink->paper(sink->ctx, p, pos);
}

const char *ingest_format_name(enum ingest_format f)
{
	switch (f) {
	case INGEST_KAGGLE: return "JSON-lines snapshot";
	case INGEST_ARXIV_API: return "arXiv API Atom";
	case INGEST_LISTING: return "arXiv listing feed";
	case INGEST_OAI: return "OAI-PMH";
	case INGEST_DAILY_JSON: return "daily-papers JSON";
	case INGEST_ABS: return "arXiv .abs";
	case INGEST_UNKNOWN: break;
	}
	return "unknown";
}

static int has(const unsigned char *p, long n, const char *needle)
{
	return memmem(p, (size_t)n, needle, strlen(needle)) != NULL;
}

enum ingest_format ingest_detect(struct stream *s, struct pb_err *err)
{
	const unsigned char *p;
	long n = stream_peek(s, 8192, &p, err), i = 0;

	if (n < 0)
		return INGEST_UNKNOWN;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	if (i >= n)
		return INGEST_UNKNOWN;
	if (p[i] == '{')
		return INGEST_KAGGLE;
	if (p[i] == '[')
		return INGEST_DAILY_JSON;
	if (p[i] == '<') {
		if (has(p, n, "<OAI-PMH"))
			return INGEST_OAI;
		if (has(p, n, "announce_type") || has(p, n, "rss.arxiv.org") || has(p, n, "<rss"))
			return INGEST_LISTING;
		if (has(p, n, "<feed"))
			return INGEST_ARXIV_API;
		return INGEST_UNKNOWN;
	}
	if (p[i] == '-' || p[i] == '\\' || has(p, n < 200 ? n : 200, "\narXiv:") ||
	    has(p, n < 200 ? n : 200, "\nPaper:") || text_starts((const char *)p + i, "arXiv:") ||
	    text_starts((const char *)p + i, "Paper:"))
		return INGEST_ABS;
	return INGEST_UNKNOWN;
}

int ingest_stream(struct stream *s, enum ingest_format f, const char *name,
		  const struct ingest_sink *sink, struct pb_err *err)
{
	if (f == INGEST_UNKNOWN) {
		struct pb_err e = PB_ERR_INIT;
		f = ingest_detect(s, &e);
		if (e.rc)
			return pb_err_set(err, e.rc, "%s", e.msg);
	}
	switch (f) {
	case INGEST_KAGGLE: return ingest_kaggle(s, name, sink, err);
	case INGEST_ARXIV_API:
	case INGEST_LISTING: return ingest_atom(s, name, sink, err);
	case INGEST_OAI: return ingest_oai(s, name, sink, err);
	case INGEST_DAILY_JSON: return ingest_daily_json(s, name, sink, err);
	case INGEST_ABS: return ingest_abs(s, name, sink, err);
	case INGEST_UNKNOWN: break;
	}
	return pb_err_set(err, PB_EFORMAT,
			  "%s: unknown format (expected a JSON-lines snapshot, arXiv API or "
			  "listing feed XML, OAI-PMH XML, daily-papers JSON or an arXiv .abs file)",
			  name);
}
