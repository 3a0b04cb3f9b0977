/* page_paper.c - one paper: /papers/ID (full metadata, versions, abstract,
 * citation tags, BibTeX, similar papers) and /papers/ID.bib. Old-style ids
 * contain a slash: /papers/hep-th/9108002. */
#include "pages.h"

#include "html.h"
#include "layout.h"
#include "similar.h"

#include "../core/arxiv.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The day a paper counts as published: its first version, else the day it
 * was announced or updated; NULL when none is a day. */
static const char *paper_day(const struct paper *p)
{
	const char *d = p->published ? p->published : p->announced ? p->announced : p->updated;
	if (!d || strlen(d) < 10 || !isdigit((unsigned char)d[0]))
		return NULL;
	return d;
}

/* ---- BibTeX ---- */

static int braces_balance(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '{')
			depth++;
		else if (*s == '}' && --depth < 0)
			return 0;
	}
	return depth == 0;
}

/* A value for {...}: LaTeX kept, braces only when they balance, bare
 * % & # escaped so LaTeX reads them as text, line breaks as spaces. */
static void bib_value(struct buf *b, const char *s)
{
	int keep_braces = braces_balance(s);
	const char *p;
	for (p = s; *p; p++) {
		char c = *p;
		if ((c == '{' || c == '}') && !keep_braces)
			continue;
		if (c == '\\' && p[1]) {
			html_rawf(b, "%c%c", c, p[1]);
			p++;
			continue;
		}
		if (c == '%' || c == '&' || c == '#')
			html_rawf(b, "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			html_raw(b, " ");
		else if ((unsigned char)c >= 0x20 && c != 0x7f)
			html_rawf(b, "%c", c);
	}
}

/* Lower-case ASCII letters of s[0..n); Latin-1 letters lose their accents
 * ("Müller" -> "muller"), other characters are dropped. */
static void ascii_word(const char *s, size_t n, char *out, size_t outn)
{
	/* U+00C0..U+00FF without accents; '-' where there is no letter. */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo-ouuuuyts"
				     "aaaaaaaceeeeiiiidnooooo-ouuuuyty";
	size_t i, j = 0;
	for (i = 0; i < n && j + 1 < outn; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (isalpha(c))
				out[j++] = (char)tolower(c);
		} else if (c == 0xc3 && i + 1 < n && ((unsigned char)s[i + 1] & 0xc0) == 0x80) {
			char t = latin1[((unsigned char)s[i + 1] & 0x3f)];
			if (t != '-')
				out[j++] = t;
			i++;
		}
	}
	out[j] = '\0';
}

static int stop_word(const char *w)
{
	static const char *const stop[] = {"a",	  "an",	  "the",  "on",	  "of",	     "in",
					   "for", "to",	  "and",  "with", "towards", "toward",
					   "via", "from", "at",	  "by",	  "is",	     "are",
					   "how", "what", "when", "why",  "do",	     "does"};
	size_t i;
	for (i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strcmp(w, stop[i]) == 0)
			return 1;
	return 0;
}

void web_bibtex_key(const struct paper *p, char *out, size_t n)
{
	char surname[32] = "", word[32] = "", year[5] = "";
	const char *t;

	if (p->n_authors) {
		const struct paper_author *a = &p->author_list[0];
		const char *sn = a->keyname;
		if (!sn && a->name) {
			sn = strrchr(a->name, ' ');
			sn = sn ? sn + 1 : a->name;
		}
		if (sn)
			ascii_word(sn, strlen(sn), surname, sizeof(surname));
	}
	if (paper_day(p))
		snprintf(year, sizeof(year), "%.4s", paper_day(p));
	for (t = p->title ? p->title : ""; *t;) {
		size_t len;
		while (*t && !isalnum((unsigned char)*t))
			t++;
		len = strcspn(t, " \t\n-:,.;");
		ascii_word(t, len, word, sizeof(word));
		if (word[0] && !stop_word(word))
			break;
		word[0] = '\0';
		t += len;
	}
	if (!surname[0] || !year[0]) {
		char id[ARXIV_ID_MAX];
		size_t i, j = 0;
		for (i = 0; p->arxiv_id[i] && j + 1 < sizeof(id); i++)
			if (isalnum((unsigned char)p->arxiv_id[i]))
				id[j++] = p->arxiv_id[i];
		id[j] = '\0';
		snprintf(out, n, "arxiv%s", id);
		return;
	}
	snprintf(out, n, "%s%s%s", surname, year, word);
}

int web_bibtex(struct buf *b, const struct paper *p)
{
	char key[96];
	size_t i;

	web_bibtex_key(p, key, sizeof(key));
	html_rawf(b, "@misc{%s,\n      title={", key);
	bib_value(b, p->title ? p->title : "");
	html_raw(b, "},\n      author={");
	if (p->n_authors) {
		for (i = 0; i < p->n_authors; i++) {
			const struct paper_author *a = &p->author_list[i];
			if (i)
				html_raw(b, " and ");
			if (a->keyname && a->forenames) {
				bib_value(b, a->keyname);
				if (a->suffix) {
					html_raw(b, ", ");
					bib_value(b, a->suffix);
				}
				html_raw(b, ", ");
				bib_value(b, a->forenames);
			} else {
				bib_value(b, a->name ? a->name : "");
			}
		}
	} else {
		bib_value(b, p->authors ? p->authors : "");
	}
	html_raw(b, "},\n");
	if (paper_day(p))
		html_rawf(b, "      year={%.4s},\n", paper_day(p));
	html_raw(b, "      eprint={");
	bib_value(b, p->arxiv_id);
	html_raw(b, "},\n      archivePrefix={arXiv},\n");
	if (p->n_categories) {
		html_raw(b, "      primaryClass={");
		bib_value(b, p->categories[0]);
		html_raw(b, "},\n");
	}
	if (p->doi) {
		html_raw(b, "      doi={");
		bib_value(b, p->doi);
		html_raw(b, "},\n");
	}
	html_rawf(b, "      url={https://arxiv.org/abs/%s},\n}\n", p->arxiv_id);
	return html_failed(b) ? PB_ETOOBIG : PB_OK;
}

/* ---- the page ---- */

/* "YYYY/MM/DD" for citation tags. */
static void slash_date(const char *day, char out[11])
{
	if (day && strlen(day) >= 10)
		snprintf(out, 11, "%.4s/%.2s/%.2s", day, day + 5, day + 8);
	else
		out[0] = '\0';
}

static void meta_tag(struct buf *h, const char *name, const char *content)
{
	if (!content || !*content)
		return;
	html_rawf(h, "<meta name=\"%s\" content=\"", name);
	html_attr(h, content);
	html_raw(h, "\">\n");
}

static void citation_tags(struct web_request *r, struct buf *h, const struct paper *p)
{
	char date[11];
	size_t i;

	meta_tag(h, "citation_title", p->title);
	for (i = 0; i < p->n_authors; i++) {
		const struct paper_author *a = &p->author_list[i];
		if (a->keyname && a->forenames) {
			html_raw(h, "<meta name=\"citation_author\" content=\"");
			html_attr(h, a->keyname);
			html_raw(h, ", ");
			html_attr(h, a->forenames);
			html_raw(h, "\">\n");
		} else {
			meta_tag(h, "citation_author", a->name);
		}
	}
	slash_date(paper_day(p), date);
	meta_tag(h, "citation_date", date);
	meta_tag(h, "citation_publication_date", date);
	slash_date(p->announced, date);
	meta_tag(h, "citation_online_date", date);
	html_raw(h, "<meta name=\"citation_pdf_url\" content=\"https://arxiv.org/pdf/");
	html_url_path(h, p->arxiv_id);
	html_raw(h,
		 "\">\n<meta name=\"citation_abstract_html_url\" content=\"https://arxiv.org/abs/");
	html_url_path(h, p->arxiv_id);
	html_raw(h, "\">\n");
	meta_tag(h, "citation_arxiv_id", p->arxiv_id);
	meta_tag(h, "citation_doi", p->doi);
	meta_tag(h, "citation_journal_title", p->journal_ref);
	html_raw(h, "<link rel=\"canonical\" href=\"");
	html_attr(h, r->site->base_url);
	html_raw(h, "/papers/");
	html_url_path(h, p->arxiv_id);
	html_raw(h, "\">\n");
}

static void dl_row(struct buf *b, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	html_rawf(b, "<dt>%s</dt><dd>", label);
	html_text(b, value);
	html_raw(b, "</dd>\n");
}

static void link_button(struct buf *b, const char *cls, const char *url, const char *label)
{
	html_rawf(b, "<a class=\"%s\" href=\"", cls);
	html_attr(b, url);
	html_rawf(b, "\">%s</a>\n", label);
}

/* A paper page whose similar papers could not be looked up (the index has
 * not caught up with a new paper yet, or is being built) is kept in the
 * page cache this many seconds only, so the section appears once the
 * index has the paper. */
#define SIMILAR_RETRY_SECONDS 10

/* The "Similar papers" section: nothing when there are none. */
static void similar_section(struct buf *b, const struct web_papers *list)
{
	char day[32];
	size_t i;

	if (!list->n)
		return;
	html_raw(b, "<section class=\"section similar\" aria-labelledby=\"similar-h\">\n"
		    "<h2 id=\"similar-h\">Similar papers</h2>\n<ol class=\"similar-list\">\n");
	for (i = 0; i < list->n; i++) {
		const struct paper *q = &list->items[i];
		const char *d = q->published ? q->published : q->announced;
		html_raw(b, "<li>\n<h3 class=\"card-title\"><a href=\"/papers/");
		html_url_path(b, q->arxiv_id);
		html_raw(b, "\">");
		html_text(b, q->title && *q->title ? q->title : q->arxiv_id);
		html_raw(b, "</a></h3>\n<p class=\"card-authors\">");
		web_authors_short(b, q, 3);
		html_raw(b, "</p>\n<p class=\"card-meta\">");
		if (d) {
			web_day_short(d, day, sizeof(day));
			html_raw(b, "<time datetime=\"");
			html_attr(b, d);
			html_raw(b, "\">");
			html_text(b, day);
			html_raw(b, "</time>");
		}
		if (q->n_categories) {
			html_raw(b, "<a class=\"chip chip-primary\" href=\"/search?cat=");
			html_url_arg(b, q->categories[0]);
			html_raw(b, "\">");
			html_text(b, q->categories[0]);
			html_raw(b, "</a>");
		}
		html_raw(b, "</p>\n</li>\n");
	}
	html_raw(b, "</ol>\n</section>\n");
}

static enum web_status paper_html(struct web_request *r, const struct paper *p,
				  const struct web_papers *similar)
{
	struct buf *b = &r->body, head, side;
	struct web_page pg = {.nav = WEB_NAV_NONE};
	char day[40], url[160];
	size_t i;
	int votes = p->upvotes > 0 ? p->upvotes : 0,
	    comments = p->num_comments > 0 ? p->num_comments : 0;

	buf_init(&head, 1 << 20);
	buf_init(&side, 1 << 20);
	citation_tags(r, &head, p);
	pg.title = p->title;
	pg.head_raw = head.data;
	if (p->abstract) {
		size_t n = strlen(p->abstract);
		char *d = arena_strndup(r->arena, p->abstract, n > 300 ? 300 : n);
		if (d && n > 300) { /* cut at a character boundary */
			size_t k = 300;
			while (k && ((unsigned char)d[k] & 0xc0) == 0x80)
				k--;
			d[k] = '\0';
		}
		pg.description = d;
	}
	web_page_begin(r, &pg);
	html_raw(b, "<article class=\"paper\" aria-labelledby=\"paper-title\">\n"
		    "<div class=\"paper-head\">\n<p class=\"card-meta\">");
	if (p->announced) {
		web_day_short(p->announced, day, sizeof(day));
		html_raw(b, "<a href=\"/papers/date/");
		html_url_arg(b, p->announced);
		html_raw(b, "\">Announced ");
		html_text(b, day);
		html_raw(b, "</a>");
	}
	html_raw(b, "<span class=\"arxiv-id\">arXiv:");
	html_text(b, p->arxiv_id);
	if (p->version > 0)
		html_rawf(b, "v%d", p->version);
	html_raw(b, "</span>");
	for (i = 0; i < p->n_categories; i++) {
		html_raw(b, i ? "<a class=\"chip\" href=\"/search?cat="
			      : "<a class=\"chip chip-primary\" href=\"/search?cat=");
		html_url_arg(b, p->categories[i]);
		html_raw(b, "\">");
		html_text(b, p->categories[i]);
		html_raw(b, "</a>");
	}
	html_raw(b, "</p>\n<h1 id=\"paper-title\">");
	html_text(b, p->title);
	html_raw(b, "</h1>\n<p class=\"paper-authors\">");
	if (p->n_authors) {
		for (i = 0; i < p->n_authors; i++) {
			const struct paper_author *a = &p->author_list[i];
			if (i)
				html_raw(b, ", ");
			html_raw(b, "<a href=\"/search?au=");
			html_url_arg(b, a->name);
			html_raw(b, "\">");
			html_text(b, a->name);
			html_raw(b, "</a>");
			if (a->affiliation) {
				html_raw(b, " <span class=\"hint\">(");
				html_text(b, a->affiliation);
				html_raw(b, ")</span>");
			}
		}
	} else {
		html_text(b, p->authors);
	}
	html_raw(b, "</p>\n<div class=\"paper-actions\">\n");
	snprintf(url, sizeof(url), "https://arxiv.org/abs/%s", p->arxiv_id);
	link_button(b, "button", url, "arXiv page");
	snprintf(url, sizeof(url), "https://arxiv.org/pdf/%s", p->arxiv_id);
	link_button(b, "button secondary", url, "PDF");
	if (html_url_ok(p->code_url))
		link_button(b, "button secondary", p->code_url, "Code");
	if (html_url_ok(p->project_url))
		link_button(b, "button secondary", p->project_url, "Project page");
	html_rawf(b, "<span class=\"stat\" title=\"Upvotes\">\xe2\x96\xb2 %d upvote%s</span>\n",
		  votes, votes == 1 ? "" : "s");
	html_rawf(b, "<span class=\"stat\">%d comment%s</span>\n", comments,
		  comments == 1 ? "" : "s");
	html_raw(b, "</div>\n</div>\n");

	/* Abstract: LaTeX stays as written, only escaped. */
	html_raw(b, "<section class=\"section abstract\" aria-labelledby=\"abs-h\">\n"
		    "<h2 id=\"abs-h\">Abstract</h2>\n");
	if (p->abstract) {
		const char *s = p->abstract;
		while (*s) {
			size_t len = strcspn(s, "\n");
			if (len) {
				html_raw(b, "<p>");
				html_textn(b, s, len);
				html_raw(b, "</p>\n");
			}
			s += len;
			if (*s)
				s++;
		}
	}
	html_raw(b, "</section>\n");

	html_raw(b, "<section class=\"section\" aria-labelledby=\"details-h\">\n"
		    "<h2 id=\"details-h\">Details</h2>\n<dl class=\"meta\">\n");
	dl_row(b, "Comments", p->comments);
	dl_row(b, "Journal reference", p->journal_ref);
	if (p->doi) {
		html_raw(b, "<dt>DOI</dt><dd><a href=\"https://doi.org/");
		html_url_path(b, p->doi);
		html_raw(b, "\">");
		html_text(b, p->doi);
		html_raw(b, "</a></dd>\n");
	}
	dl_row(b, "Report number", p->report_no);
	dl_row(b, "MSC classes", p->msc_class);
	dl_row(b, "ACM classes", p->acm_class);
	if (p->published) {
		web_day_long(p->published, day, sizeof(day));
		dl_row(b, "Published", day);
	}
	if (p->announced) {
		web_day_long(p->announced, day, sizeof(day));
		dl_row(b, "Announced", day);
	}
	if (p->updated && (!p->published || strcmp(p->updated, p->published) != 0) &&
	    (!p->announced || strcmp(p->updated, p->announced) != 0)) {
		web_day_long(p->updated, day, sizeof(day));
		dl_row(b, "Updated", day);
	}
	if (p->n_versions) {
		html_raw(b, "<dt>Versions</dt><dd><ol class=\"versions\">\n");
		for (i = 0; i < p->n_versions; i++) {
			const struct paper_version *v = &p->versions[i];
			html_rawf(b, "<li value=\"%d\">v%d", v->version, v->version);
			if (v->created) {
				web_day_long(v->created, day, sizeof(day));
				html_raw(b, " \xc2\xb7 <time datetime=\"");
				html_attr(b, v->created);
				html_raw(b, "\">");
				html_text(b, day);
				html_raw(b, "</time>");
			}
			if (v->size) {
				html_raw(b, " \xc2\xb7 ");
				html_text(b, v->size);
			}
			html_raw(b, "</li>\n");
		}
		html_raw(b, "</ol></dd>\n");
	}
	dl_row(b, "Submitted by", p->submitter);
	if (p->submitted_by)
		dl_row(b, "On the daily list thanks to", p->submitted_by);
	if (p->license) {
		html_raw(b, "<dt>License</dt><dd>");
		if (html_url_ok(p->license)) {
			html_raw(b, "<a rel=\"license\" href=\"");
			html_attr(b, p->license);
			html_raw(b, "\">");
			html_text(b, p->license);
			html_raw(b, "</a>");
		} else {
			html_text(b, p->license);
		}
		html_raw(b, "</dd>\n");
	}
	html_raw(b, "</dl>\n</section>\n");

	html_raw(b, "<section class=\"section\" aria-labelledby=\"cite-h\">\n"
		    "<h2 id=\"cite-h\">Cite</h2>\n<pre class=\"bibtex\"><code>");
	{
		struct buf bib;
		buf_init(&bib, 1 << 20);
		web_bibtex(&bib, p);
		html_text(b, bib.data);
		buf_release(&bib);
	}
	html_raw(
	    b, "</code></pre>\n<p class=\"paper-actions\" data-bibtex-actions><a href=\"/papers/");
	html_url_path(b, p->arxiv_id);
	html_raw(b, ".bib\" download>Download BibTeX</a></p>\n</section>\n</article>\n");
	similar_section(b, similar);

	if (p->n_categories) {
		html_raw(&side, "<section class=\"side-block\" aria-labelledby=\"more-h\">\n"
				"<h2 id=\"more-h\">More like this</h2>\n<ul>\n");
		if (p->announced) {
			web_day_short(p->announced, day, sizeof(day));
			html_raw(&side, "<li><a href=\"/papers/date/");
			html_url_arg(&side, p->announced);
			html_raw(&side, "\">All papers of ");
			html_text(&side, day);
			html_raw(&side, "</a></li>\n");
		}
		html_raw(&side, "<li><a href=\"/search?cat=");
		html_url_arg(&side, p->categories[0]);
		html_raw(&side, "\">Newest in ");
		html_text(&side, p->categories[0]);
		html_raw(&side, "</a></li>\n<li><a href=\"/feeds/category/");
		html_url_arg(&side, p->categories[0]);
		html_raw(&side, ".atom\">");
		html_text(&side, p->categories[0]);
		html_raw(&side, " feed (Atom)</a></li>\n</ul>\n</section>\n");
	}
	web_page_end(r, side.data);
	buf_release(&head);
	buf_release(&side);
	return WEB_OK;
}

enum web_status web_page_paper(struct web_request *r)
{
	struct paper p;
	struct web_papers similar = {.a = r->arena};
	struct pb_err err = PB_ERR_INIT;
	char id[ARXIV_ID_MAX];
	size_t n = strlen(r->rest);
	int version, bib = 0, rc;

	if (n > 4 && strcmp(r->rest + n - 4, ".bib") == 0) {
		bib = 1;
		n -= 4;
	}
	if (!n || arxiv_id_parse(r->rest, n, id, &version))
		return web_fail(r, WEB_NOT_FOUND, "\"%.60s\" is not an arXiv identifier", r->rest);
	rc = store_paper_get(r->store, id, r->arena, &p, &err);
	if (rc == PB_ENOTFOUND || (rc == PB_OK && p.deleted))
		return web_fail(r, WEB_NOT_FOUND, "there is no paper %s here", id);
	if (rc)
		return web_fail(r, WEB_INTERNAL_ERROR, "reading the paper failed: %s", err.msg);
	if (paper_split_authors(&p, r->arena))
		return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
	if (bib) {
		r->content_type = "text/plain; charset=utf-8";
		web_bibtex(&r->body, &p);
		return WEB_OK;
	}
	/* Similar papers are extra: without them the page is shown all the same. */
	switch (web_similar(r, p.arxiv_id, WEB_SIMILAR_PAGE, &similar, &err)) {
	case WEB_SIMILAR_OK:
	case WEB_SIMILAR_UNAVAILABLE:
		break;
	case WEB_SIMILAR_NOT_INDEXED:
	case WEB_SIMILAR_NOT_YET:
	case WEB_SIMILAR_FAILED:
		similar.n = 0;
		r->cache_seconds = SIMILAR_RETRY_SECONDS;
		break;
	}
	return paper_html(r, &p, &similar);
}
