/* test_atom.c - the arXiv API / listing feed importer (ingest/atom.c). */
#include "t.h"

#include "../../src/core/buf.h"
#include "../../src/ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the sink keeps of one delivered paper (the paper itself is only borrowed). */
struct rec {
	char id[ARXIV_ID_MAX];
	int version;
	char *title, *abstract, *authors, *first_author, *first_aff, *last_author, *cats;
	char *published, *updated, *announced, *comments, *journal_ref, *doi, *license, *source;
	char *v1_created;
	size_t n_authors, n_versions;
	int announce;
	long line, record;
};

struct cap {
	struct rec *r;
	size_t n, size;
	size_t n_bad;
	char bad[512]; /* the first bad-record reason */
	long bad_record;
	int stop_after; /* the sink refuses the paper after this many (0: never) */
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int cap_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct cap *c = ctx;
	struct rec *r;
	struct buf b;
	size_t i;

	if (c->stop_after && c->n >= (size_t)c->stop_after)
		return PB_EINVAL;
	if (c->n == c->size) {
		size_t size = c->size ? c->size * 2 : 16;
		struct rec *nr = realloc(c->r, size * sizeof(*nr));
		if (!nr)
			return PB_ENOMEM;
		c->r = nr;
		c->size = size;
	}
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", p->arxiv_id);
	r->version = p->version;
	r->title = dup_or_null(p->title);
	r->abstract = dup_or_null(p->abstract);
	r->authors = dup_or_null(p->authors);
	r->n_authors = p->n_authors;
	if (p->n_authors) {
		r->first_author = dup_or_null(p->author_list[0].name);
		r->first_aff = dup_or_null(p->author_list[0].affiliation);
		r->last_author = dup_or_null(p->author_list[p->n_authors - 1].name);
	}
	buf_init(&b, 0);
	for (i = 0; i < p->n_categories; i++)
		buf_addf(&b, "%s%s", i ? " " : "", p->categories[i]);
	r->cats = dup_or_null(b.data);
	buf_release(&b);
	r->published = dup_or_null(p->published);
	r->updated = dup_or_null(p->updated);
	r->announced = dup_or_null(p->announced);
	r->comments = dup_or_null(p->comments);
	r->journal_ref = dup_or_null(p->journal_ref);
	r->doi = dup_or_null(p->doi);
	r->license = dup_or_null(p->license);
	r->source = dup_or_null(p->source);
	r->n_versions = p->n_versions;
	if (p->n_versions && p->versions[0].version == 1)
		r->v1_created = dup_or_null(p->versions[0].created);
	r->announce = p->announce_type;
	r->line = pos->line;
	r->record = pos->record;
	return PB_OK;
}

static void cap_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct cap *c = ctx;
	if (!c->n_bad++) {
		snprintf(c->bad, sizeof(c->bad), "%s", reason);
		c->bad_record = pos->record;
	}
}

static void cap_free(struct cap *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) {
		struct rec *r = &c->r[i];
		free(r->title);
		free(r->abstract);
		free(r->authors);
		free(r->first_author);
		free(r->first_aff);
		free(r->last_author);
		free(r->cats);
		free(r->published);
		free(r->updated);
		free(r->announced);
		free(r->comments);
		free(r->journal_ref);
		free(r->doi);
		free(r->license);
		free(r->source);
		free(r->v1_created);
	}
	free(c->r);
	memset(c, 0, sizeof(*c));
}

static int starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int run_stream(struct stream *s, struct cap *c, struct pb_err *err)
{
	struct ingest_sink sink = {cap_paper, cap_bad, c};
	int rc;
	if (!s)
		return -1;
	rc = ingest_atom(s, "test.xml", &sink, err);
	stream_close(s);
	return rc;
}

static int run_mem(const char *data, size_t n, struct cap *c, struct pb_err *err)
{
	return run_stream(stream_open_mem(data, n, err), c, err);
}

static int run_str(const char *data, struct cap *c, struct pb_err *err)
{
	return run_mem(data, strlen(data), c, err);
}

static int run_fixture(const char *rel, struct cap *c, struct pb_err *err)
{
	return run_stream(stream_open_file(t_fixture(rel), err), c, err);
}

#define API "arxiv_api/lukasschwab__arxiv.py/"
#define LISTING "rss/zss02__zotero-arxiv-daily/arxiv_rss_example.ccdc780"

#define FEED_HEAD                                                                                  \
	"<?xml version='1.0' encoding='UTF-8'?>\n"                                                 \
	"<feed xmlns:arxiv=\"http://arxiv.org/schemas/atom\" "                                     \
	"xmlns=\"http://www.w3.org/2005/Atom\">\n"

#define ENTRY(id, title)                                                                           \
	"<entry><id>http://arxiv.org/abs/" id "</id><title>" title "</title>"                      \
	"<summary>An abstract.</summary><published>2024-01-02T03:04:05Z</published>"               \
	"<author><name>A. Author</name></author></entry>\n"

/* ---- arXiv API ------------------------------------------------------------------- */

TEST(atom_api_single_entry)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct rec *r;

	CHECK_INT(run_fixture(API "id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml", &c, &err),
		  PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.n_bad, 0);
	if (c.n == 1) {
		r = &c.r[0];
		CHECK_STR(r->id, "2104.12255");
		CHECK_INT(r->version, 1);
		CHECK_STR(r->title, "0");
		CHECK_STR(r->cats, "cs.CR");
		CHECK_STR(r->authors, "Quan Thoi Minh Nguyen");
		CHECK_INT(r->n_authors, 1);
		CHECK_STR(r->first_author, "Quan Thoi Minh Nguyen");
		CHECK_STR(r->published, "2021-04-20");
		CHECK_STR(r->updated, "2021-04-20");
		CHECK_INT(r->n_versions, 1);
		CHECK_STR(r->v1_created, "2021-04-20T16:07:14Z");
		CHECK_STR(r->source, "arxiv-api");
		CHECK(r->abstract &&
		      starts(r->abstract, "What is the funniest number in cryptography? 0."));
		CHECK(r->abstract &&
		      strstr(r->abstract, "$35,000 in total for the reported bugs.") != NULL);
		CHECK(r->comments == NULL);
		CHECK_INT(r->line, 10);
		CHECK_INT(r->record, 1);
		CHECK_INT(r->announce, PAPER_ANNOUNCE_UNKNOWN);
	}
	cap_free(&c);
}

TEST(atom_api_old_style_id)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct rec *r;

	CHECK_INT(run_fixture(API "id_astro-ph_0601001_s0_m100_3150dca9dc76.body.xml", &c, &err),
		  PB_OK);
	CHECK_INT(c.n, 1);
	if (c.n == 1) {
		r = &c.r[0];
		CHECK_STR(r->id, "astro-ph/0601001");
		CHECK_INT(r->version, 1);
		CHECK_STR(r->title,
			  "Frequency of Hot Jupiters and Very Hot Jupiters from the "
			  "OGLE-III Transit Surveys Toward the Galactic Bulge and Carina");
		CHECK_STR(r->authors,
			  "Andrew Gould, Susan Dorsher, B. Scott Gaudi, Andrzej Udalski");
		CHECK_INT(r->n_authors, 4);
		CHECK_STR(r->first_author, "Andrew Gould");
		CHECK_STR(r->first_aff, "Ohio State");
		CHECK_STR(r->last_author, "Andrzej Udalski");
		CHECK_STR(r->cats, "astro-ph");
		CHECK_STR(r->journal_ref, "ActaAstron.56:1-50,2006");
		CHECK(starts(r->comments, "62 pages including 16 figures and 9 tables."));
		CHECK(starts(r->abstract, "We derive the frequencies of hot Jupiters (HJs)"));
		/* &amp; and &lt; in the source */
		CHECK(r->abstract && strstr(r->abstract, "Gould & Morgan (2003)") != NULL);
		CHECK(r->abstract && strstr(r->abstract, "V_max<17.5") != NULL);
		CHECK_STR(r->published, "2006-01-02");
		CHECK(r->doi == NULL);
	}
	cap_free(&c);
}

TEST(atom_api_two_id_lookup)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct rec *r;

	CHECK_INT(
	    run_fixture(API "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.body.xml", &c, &err),
	    PB_OK);
	CHECK_INT(c.n, 1); /* 0808.05394 does not exist */
	CHECK_INT(c.n_bad, 0);
	if (c.n == 1) {
		r = &c.r[0];
		CHECK_STR(r->id, "1707.08567");
		CHECK_INT(r->version, 1);
		CHECK_STR(r->title, "Proceedings of Workshop AEW10: Concepts in Information Theory "
				    "and Communications");
		CHECK_INT(r->n_authors, 34);
		CHECK_STR(r->first_author, "Kees A. Schouhamer Immink");
		CHECK_STR(r->last_author, "Hirosuke Yamamoto");
		CHECK(starts(r->authors,
			     "Kees A. Schouhamer Immink, Stan Baggen, Ferdaous Chaabane"));
		CHECK_STR(r->cats, "cs.IT");
		CHECK_STR(
		    r->comments,
		    "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck");
		CHECK_STR(r->published, "2017-07-27");
	}
	cap_free(&c);
}

TEST(atom_api_2016_format)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct rec *r;

	CHECK_INT(run_fixture(API "id_list=1111.2011v2.xml", &c, &err), PB_OK);
	CHECK_INT(c.n, 1);
	if (c.n == 1) {
		r = &c.r[0];
		CHECK_STR(r->id, "1111.2011");
		CHECK_INT(r->version, 2);
		/* the line break inside the title is collapsed */
		CHECK_STR(r->title, "Quantum Criticality for Extended Nodes on a Bethe Lattice in "
				    "the Large Connectivity Limit");
		CHECK(starts(r->abstract, "Theoretical description of anisotropic systems, such "
					  "as layered superconductors and coupled spin chains,"));
		CHECK(r->abstract && !strchr(r->abstract, '\n'));
		CHECK_STR(r->authors, "James M. Murray, Adrian Del Maestro, Zlatko Tesanovic");
		CHECK_INT(r->n_authors, 3);
		CHECK_STR(r->cats, "cond-mat.str-el cond-mat.stat-mech");
		CHECK_STR(r->doi, "10.1103/PhysRevB.85.115117");
		CHECK_STR(r->journal_ref, "Phys. Rev. B 85, 115117 (2012)");
		CHECK_STR(r->comments, "8 pages, 3 figures. Published version");
		CHECK_STR(r->published, "2011-11-08");
		CHECK_STR(r->updated, "2012-04-02");
		CHECK_INT(r->n_versions, 0); /* v2: the v1 date is the only one known */
		CHECK_STR(r->source, "arxiv-api");
	}
	cap_free(&c);
}

TEST(atom_api_2016_search)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_fixture(API "search_query=au_del_maestro.xml", &c, &err), PB_OK);
	CHECK_INT(c.n, 10);
	CHECK_INT(c.n_bad, 0);
	if (c.n == 10) {
		CHECK_STR(c.r[0].id, "1201.4869");
		CHECK_STR(c.r[0].title, "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores");
		CHECK_STR(c.r[0].cats, "cond-mat.mes-hall cond-mat.other");
		CHECK_STR(c.r[0].doi, "10.1142/S021797921244002X");
		CHECK_STR(c.r[0].v1_created, "2012-01-23T21:15:02Z");
		CHECK_STR(c.r[1].id, "cond-mat/0412498");
		CHECK_STR(c.r[1].authors, "Adrian Del Maestro, Subir Sachdev");
		CHECK(c.r[1].abstract && strstr(c.r[1].abstract, "(p >= 3, integer)") != NULL);
		CHECK_INT(c.r[1].record, 2);
		CHECK(c.r[1].line > c.r[0].line);
	}
	cap_free(&c);
}

TEST(atom_api_error_feed)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_fixture(API "id_abc_s0_m100_b79c8dcf6bc3.body.xml", &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 0);
	CHECK(strstr(err.msg, "incorrect id format for abc") != NULL);
	CHECK(strstr(err.msg, "test.xml") != NULL);
	cap_free(&c);
}

TEST(atom_api_empty_result)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_fixture(API "id_0000.0000_s0_m100_8b51d9633a68.body.xml", &c, &err), PB_OK);
	CHECK_INT(c.n, 0);
	CHECK_INT(c.n_bad, 0);
	cap_free(&c);
}

TEST(atom_api_page_of_100)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	size_t i, with_comment = 0;

	CHECK_INT(run_fixture(API "q_testing_s0_m100_cfe7536492ca.body.xml", &c, &err), PB_OK);
	CHECK_INT(c.n, 100);
	CHECK_INT(c.n_bad, 0);
	for (i = 0; i < c.n; i++) {
		CHECK_INT(c.r[i].record, (long)i + 1);
		if (c.r[i].comments)
			with_comment++;
	}
	CHECK_INT(with_comment, 97);
	if (c.n == 100) {
		CHECK_STR(c.r[0].id, "2202.12139");
		CHECK_STR(c.r[0].cats, "cs.SE cs.LG");
		CHECK_STR(c.r[0].doi, "10.1109/ICSTW55395.2022.00035");
		CHECK_STR(c.r[0].authors, "Mohit Kumar Ahuja, Arnaud Gotlieb, Helge Spieker");
		CHECK_STR(c.r[1].id, "2405.13786");
	}
	cap_free(&c);
}

TEST(atom_api_categories_filtered)
{
	static const char doc[] = FEED_HEAD
	    "<entry><id>http://arxiv.org/abs/2301.00001v3</id><title>T</title>"
	    "<summary>S</summary>"
	    "<category term=\"cs.CV\"/><category term=\"68T45\"/><category term=\"cs.LG\"/>"
	    "<category term=\"I.2.10; I.4.8\"/><category term=\"cs.CV\"/>"
	    "<arxiv:primary_category term=\"cs.LG\"/>"
	    "<author><name>X</name><arxiv:affiliation>U1</arxiv:affiliation>"
	    "<arxiv:affiliation>U2</arxiv:affiliation></author>"
	    "<author><name>  Y \n Z </name></author>"
	    "<published>2023-01-01T00:00:00Z</published><updated>2023-03-01T10:00:00Z</updated>"
	    "</entry></feed>";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_OK);
	CHECK_INT(c.n, 1);
	if (c.n == 1) {
		CHECK_STR(c.r[0].cats, "cs.LG cs.CV");
		CHECK_INT(c.r[0].version, 3);
		CHECK_STR(c.r[0].first_aff, "U1; U2");
		CHECK_STR(c.r[0].authors, "X, Y Z");
		CHECK_STR(c.r[0].published, "2023-01-01");
		CHECK_STR(c.r[0].updated, "2023-03-01");
		CHECK_INT(c.r[0].n_versions, 0);
	}
	cap_free(&c);
}

TEST(atom_bad_entries_skipped)
{
	static const char doc[] = FEED_HEAD
	    "<entry><title>No id</title><summary>S</summary></entry>\n"
	    "<entry><id>http://example.org/not-arxiv</id><title>T</title><summary>S</summary></"
	    "entry>\n"
	    "<entry><id>http://arxiv.org/abs/2301.00002v1</id><summary>S</summary></entry>\n" ENTRY(
		"2301.00003v1", "Good") "</feed>";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.n_bad, 3);
	CHECK(strstr(c.bad, "no id") != NULL);
	CHECK_INT(c.bad_record, 1);
	if (c.n == 1) {
		CHECK_STR(c.r[0].id, "2301.00003");
		CHECK_INT(c.r[0].record, 4);
		CHECK_INT(c.r[0].line, 6);
	}
	cap_free(&c);
}

TEST(atom_sink_stops_import)
{
	static const char doc[] = FEED_HEAD ENTRY("2301.00001v1", "One")
	    ENTRY("2301.00002v1", "Two") ENTRY("2301.00003v1", "Three") "</feed>";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	c.stop_after = 1;
	CHECK_INT(run_str(doc, &c, &err), PB_EINVAL);
	CHECK_INT(c.n, 1);
	CHECK(strstr(err.msg, "entry 2") != NULL);
	cap_free(&c);
}

/* ---- listing feeds ---------------------------------------------------------------- */

TEST(atom_listing_feed)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	size_t i, n_new = 0, n_cross = 0, n_other = 0;

	CHECK_INT(run_fixture(LISTING ".repaired.xml", &c, &err), PB_OK);
	CHECK_INT(c.n, 86);
	CHECK_INT(c.n_bad, 0);
	for (i = 0; i < c.n; i++) {
		if (c.r[i].announce == PAPER_ANNOUNCE_NEW)
			n_new++;
		else if (c.r[i].announce == PAPER_ANNOUNCE_CROSS)
			n_cross++;
		else
			n_other++;
		CHECK_STR(c.r[i].announced, "2025-08-20");
		CHECK_STR(c.r[i].source, "arxiv-listing");
		CHECK(c.r[i].abstract && !starts(c.r[i].abstract, "arXiv:"));
	}
	CHECK_INT(n_new, 41);
	CHECK_INT(n_cross, 45);
	CHECK_INT(n_other, 0);
	if (c.n == 86) {
		struct rec *r = &c.r[0];
		CHECK_STR(r->id, "2508.13167");
		CHECK_INT(r->version, 1);
		CHECK_STR(r->title, "Chain-of-Agents: End-to-End Agent Foundation Models via "
				    "Multi-Agent Distillation and Agentic RL");
		CHECK(starts(r->abstract, "Recent advances in large language models (LLMs) and "
					  "multi-agent systems"));
		CHECK(starts(r->authors, "Weizhen Li, Jianbo Lin, Zhuosong Jiang,"));
		CHECK_INT(r->n_authors, 30);
		CHECK_STR(r->first_author, "Weizhen Li");
		CHECK_STR(r->last_author, "Wangchunshu Zhou");
		CHECK_STR(r->license, "http://creativecommons.org/licenses/by-nc-sa/4.0/");
		CHECK_STR(r->cats, "cs.AI cs.CL");
		CHECK(r->published == NULL);
		CHECK_INT(r->line, 8);
		CHECK_STR(c.r[85].id, "2508.13434");
		CHECK_INT(c.r[85].announce, PAPER_ANNOUNCE_CROSS);
		CHECK_STR(c.r[85].cats, "cs.LG cs.AI");
	}
	cap_free(&c);
}

TEST(atom_listing_truncated)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_fixture(LISTING ".xml", &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 86);
	CHECK_INT(c.n_bad, 0);
	CHECK(strstr(err.msg, "ends inside entry 87") != NULL);
	CHECK(strstr(err.msg, "line ") != NULL);
	if (c.n == 86)
		CHECK_STR(c.r[85].id, "2508.13434");
	cap_free(&c);
}

TEST(atom_listing_rss2)
{
	static const char doc[] =
	    "<?xml version='1.0' encoding='UTF-8'?>\n"
	    "<rss xmlns:arxiv=\"http://arxiv.org/schemas/atom\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" version=\"2.0\">\n"
	    "  <channel>\n"
	    "    <title>cs.CL updates on arXiv.org</title>\n"
	    "    <link>http://rss.arxiv.org/rss/cs.CL</link>\n"
	    "    <description>cs.CL updates on the arXiv.org e-print archive.</description>\n"
	    "    <atom:link href=\"http://rss.arxiv.org/rss/cs.CL\" rel=\"self\" "
	    "type=\"application/rss+xml\"/>\n"
	    "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
	    "    <language>en-us</language>\n"
	    "    <lastBuildDate>Wed, 20 Aug 2025 04:00:20 +0000</lastBuildDate>\n"
	    "    <managingEditor>rss-help@arxiv.org</managingEditor>\n"
	    "    <pubDate>Wed, 20 Aug 2025 00:00:00 -0400</pubDate>\n"
	    "    <skipDays><day>Saturday</day><day>Sunday</day></skipDays>\n"
	    "    <item>\n"
	    "      <title>Token-Level Tuning for Speech Translation</title>\n"
	    "      <link>https://arxiv.org/abs/2508.13200</link>\n"
	    "      <description>arXiv:2508.13200v1 Announce Type: new \n"
	    "Abstract: We study &lt;b&gt;token-level&lt;/b&gt; tuning.</description>\n"
	    "      <guid isPermaLink=\"false\">oai:arXiv.org:2508.13200v1</guid>\n"
	    "      <category>cs.CL</category>\n"
	    "      <category>cs.SD</category>\n"
	    "      <pubDate>Wed, 20 Aug 2025 00:00:00 -0400</pubDate>\n"
	    "      <arxiv:announce_type>new</arxiv:announce_type>\n"
	    "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
	    "      <dc:creator>Ana Lima, Bo Chen</dc:creator>\n"
	    "    </item>\n"
	    "    <item>\n"
	    "      <title>Cross-Listed Work</title>\n"
	    "      <link>https://arxiv.org/abs/2508.10001</link>\n"
	    "      <description>arXiv:2508.10001v1 Announce Type: cross \n"
	    "Abstract: <![CDATA[A & B.]]></description>\n"
	    "      <guid isPermaLink=\"false\">oai:arXiv.org:2508.10001v1</guid>\n"
	    "      <category>cs.LG</category>\n"
	    "      <category>cs.CL</category>\n"
	    "      <pubDate>Tue, 19 Aug 2025 23:30:00 -0400</pubDate>\n"
	    "      <arxiv:announce_type>cross</arxiv:announce_type>\n"
	    "      <dc:creator>Carl Doe</dc:creator>\n"
	    "    </item>\n"
	    "    <item>\n"
	    "      <title>Replaced Old Paper</title>\n"
	    "      <link>https://arxiv.org/abs/hep-th/9901001</link>\n"
	    "      <description>arXiv:hep-th/9901001v3 Announce Type: replace-cross \n"
	    "Abstract: Updated.</description>\n"
	    "      <guid isPermaLink=\"false\">oai:arXiv.org:hep-th/9901001v3</guid>\n"
	    "      <category>hep-th</category>\n"
	    "      <pubDate>Wed, 20 Aug 2025 00:00:00 -0400</pubDate>\n"
	    "      <dc:creator>Dee Eff</dc:creator>\n"
	    "    </item>\n"
	    "  </channel>\n"
	    "</rss>\n";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_OK);
	CHECK_INT(c.n, 3);
	CHECK_INT(c.n_bad, 0);
	if (c.n == 3) {
		CHECK_STR(c.r[0].id, "2508.13200");
		CHECK_INT(c.r[0].version, 1);
		CHECK_STR(c.r[0].title, "Token-Level Tuning for Speech Translation");
		CHECK_STR(c.r[0].abstract, "We study <b>token-level</b> tuning.");
		CHECK_STR(c.r[0].authors, "Ana Lima, Bo Chen");
		CHECK_INT(c.r[0].n_authors, 2);
		CHECK_STR(c.r[0].cats, "cs.CL cs.SD");
		CHECK_STR(c.r[0].announced, "2025-08-20");
		CHECK_INT(c.r[0].announce, PAPER_ANNOUNCE_NEW);
		CHECK_STR(c.r[0].license, "http://creativecommons.org/licenses/by/4.0/");
		CHECK_STR(c.r[0].source, "arxiv-listing");
		CHECK_INT(c.r[0].line, 14);
		CHECK_STR(c.r[1].abstract, "A & B.");
		CHECK_INT(c.r[1].announce, PAPER_ANNOUNCE_CROSS);
		/* the day as written, not shifted to UTC */
		CHECK_STR(c.r[1].announced, "2025-08-19");
		CHECK_STR(c.r[2].id, "hep-th/9901001");
		CHECK_INT(c.r[2].version, 3);
		/* no arxiv:announce_type: taken from the description */
		CHECK_INT(c.r[2].announce, PAPER_ANNOUNCE_REPLACE_CROSS);
		CHECK_STR(c.r[2].abstract, "Updated.");
	}
	cap_free(&c);
}

/* ---- hostile input ----------------------------------------------------------------- */

TEST(atom_hostile_empty_input)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_mem("", 0, &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "empty") != NULL);
	CHECK_INT(run_str("   \n", &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 0);
	cap_free(&c);
}

TEST(atom_hostile_binary_garbage)
{
	unsigned char junk[4096];
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	unsigned x = 12345;
	size_t i;

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	CHECK_INT(run_mem((const char *)junk, sizeof(junk), &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "test.xml") != NULL);
	CHECK_INT(c.n, 0);
	cap_free(&c);
}

TEST(atom_hostile_invalid_utf8)
{
	static const char doc[] = FEED_HEAD ENTRY("2301.00001v1", "Bad \xff\xfe bytes \xc3 here")
	    ENTRY("2301.00002v1", "Caf\xc3\xa9 \xe2\x82")
		ENTRY("2301.00003v1", "Ctrl\x01\x1f chars \xef\xbf\xbf \xed\xa0\x80.") "</feed>";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_OK);
	CHECK_INT(c.n, 3);
	if (c.n == 3) {
		CHECK_STR(c.r[0].title, "Bad \xEF\xBF\xBD\xEF\xBF\xBD bytes \xEF\xBF\xBD here");
		CHECK_STR(c.r[1].title, "Caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD");
		/* control characters, U+FFFF and a UTF-16 surrogate */
		CHECK_STR(c.r[2].title,
			  "Ctrl chars \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.");
	}
	cap_free(&c);
}

/* Multi-byte characters cut by the 16 KiB reads of the UTF-8 repair pass stay intact. */
TEST(atom_utf8_across_reads)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b,
		 FEED_HEAD "<entry><id>http://arxiv.org/abs/2301.00001v1</id><title>Euro</title>"
			   "<summary>");
	for (i = 0; i < 13000; i++)
		buf_adds(&b, "\xE2\x82\xAC");
	buf_adds(&b, "</summary></entry></feed>");
	CHECK_INT(run_mem(b.data, b.len, &c, &err), PB_OK);
	CHECK_INT(c.n, 1);
	if (c.n == 1) {
		CHECK_INT(strlen(c.r[0].abstract), 39000);
		CHECK(strstr(c.r[0].abstract, "\xEF\xBF\xBD") == NULL);
	}
	buf_release(&b);
	cap_free(&c);
}

TEST(atom_hostile_truncated)
{
	static const char doc[] = FEED_HEAD ENTRY(
	    "2301.00001v1", "One") "<entry><id>http://arxiv.org/abs/2301.00002v1</id><title>Tw";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 1);
	CHECK(strstr(err.msg, "ends inside entry 2") != NULL);
	cap_free(&c);
	/* cut between entries */
	CHECK_INT(run_str(FEED_HEAD ENTRY("2301.00001v1", "One"), &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 1);
	CHECK(strstr(err.msg, "ends before the feed is closed") != NULL);
	cap_free(&c);
}

TEST(atom_hostile_huge_title)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct buf b;
	char kib[1024];
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b, FEED_HEAD "<entry><id>http://arxiv.org/abs/2301.00001v1</id><title>");
	memset(kib, 'A', sizeof(kib));
	for (i = 0; i < 5 * 1024 + 1; i++)
		buf_add(&b, kib, sizeof(kib));
	buf_adds(&b,
		 "</title><summary>S</summary></entry>\n" ENTRY("2301.00002v1", "Fine") "</feed>");
	CHECK(b.len > 5u * 1024 * 1024);
	CHECK_INT(run_mem(b.data, b.len, &c, &err), PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.n_bad, 1);
	CHECK(strstr(c.bad, "larger than") != NULL);
	CHECK_INT(c.bad_record, 1);
	if (c.n == 1)
		CHECK_STR(c.r[0].id, "2301.00002");
	buf_release(&b);
	cap_free(&c);
}

TEST(atom_hostile_billion_laughs)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feed [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<id>http://arxiv.org/abs/2301.00001v1</id><title>&lol9;</title>"
	    "<summary t=\"&lol9;\">&lol9;</summary></entry></feed>\n";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(doc, &c, &err), PB_EFORMAT);
	CHECK_INT(c.n, 0);
	CHECK(err.msg[0] != '\0');
	cap_free(&c);
}

TEST(atom_hostile_external_entity)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feed [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<id>http://arxiv.org/abs/2301.00001v1</id><title>X &xxe; Y</title>"
	    "<summary>&xxe;</summary></entry></feed>\n";
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	size_t i;

	CHECK_INT(run_str(doc, &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "DOCTYPE") != NULL);
	CHECK(strstr(err.msg, "root:") == NULL);
	for (i = 0; i < c.n; i++)
		CHECK(!c.r[i].title || !strstr(c.r[i].title, "root:"));
	cap_free(&c);
	/* an entity the document never declared */
	CHECK_INT(run_str(FEED_HEAD ENTRY("2301.00001v1", "&xxe;") "</feed>", &c, &err),
		  PB_EFORMAT);
	CHECK(strstr(err.msg, "xxe") != NULL);
	CHECK(strstr(err.msg, "line 3") != NULL);
	cap_free(&c);
}

TEST(atom_hostile_wrong_root)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str("<?xml version=\"1.0\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/"
			  "OAI/2.0/\"><entry/></OAI-PMH>",
			  &c, &err),
		  PB_EFORMAT);
	CHECK(strstr(err.msg, "<OAI-PMH>") != NULL);
	CHECK(strstr(err.msg, "line 2") != NULL);
	CHECK_INT(
	    run_str("<feed xmlns=\"urn:other\">" ENTRY("2301.00001v1", "T") "</feed>", &c, &err),
	    PB_EFORMAT);
	CHECK_INT(c.n, 0);
	cap_free(&c);
}

/* 30 good entries, then one whose tags do not match. */
static void many_entries(struct buf *b, int n)
{
	int i;
	buf_adds(b, FEED_HEAD);
	for (i = 1; i <= n; i++)
		buf_addf(b, ENTRY("2301.%05d", "Entry %d"), i, i);
}

TEST(atom_hostile_not_well_formed)
{
	struct cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct buf b;

	buf_init(&b, 0);
	many_entries(&b, 30);
	buf_adds(&b, "<entry><id>http://arxiv.org/abs/2301.00031v1</id><title>T</titel>"
		     "</entry></feed>");
	CHECK_INT(run_mem(b.data, b.len, &c, &err), PB_EFORMAT);
	/* entries the parser read ahead of the failure point (at most one chunk) are lost */
	CHECK(c.n >= 25 && c.n <= 30);
	if (c.n)
		CHECK_STR(c.r[0].id, "2301.00001");
	CHECK(strstr(err.msg, "line 33") != NULL);
	CHECK(strstr(err.msg, "mismatch") != NULL);
	cap_free(&c);

	/* something after the root element */
	buf_reset(&b);
	many_entries(&b, 30);
	buf_adds(&b, "</feed>\n<feed/>\n");
	CHECK_INT(run_mem(b.data, b.len, &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "follows the end of the feed") != NULL);
	CHECK(c.n >= 25 && c.n <= 30);
	buf_release(&b);
	cap_free(&c);
}
