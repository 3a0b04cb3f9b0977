/* test_oai.c - the OAI-PMH importer: real arXiv recordings, an inline arXivRaw
 * page, the protocol envelope, and hostile documents. */
#include "t.h"

#include "../../src/core/stream.h"
#include "../../src/ingest/oai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOT_MAX 8

/* What the sink saw of one paper, copied (the paper is only borrowed). */
struct got {
	char id[64], title[256], abstract[4096], authors[512], categories[128];
	char key0[64], fore0[64], aff0[128], name0[64];
	char published[16], updated[16], comments[128], journal_ref[128], doi[64];
	char report_no[64], license[128], submitter[64], msc[64], acm[64], source[32];
	char v_created[3][24], v_size[3][16];
	int version, deleted;
	long n_authors, n_categories, n_versions, line, record;
};

struct capture {
	struct got g[GOT_MAX];
	int n;	       /* papers delivered */
	int bad;       /* records reported bad */
	char why[512]; /* last reason */
	int stop_at;   /* the sink refuses the stop_at-th paper (0: never) */
};

static void cp(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static int on_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct capture *c = ctx;
	struct got *g;
	size_t i;

	c->n++;
	if (c->stop_at && c->n == c->stop_at)
		return PB_EINVAL;
	if (c->n > GOT_MAX)
		return PB_OK;
	g = &c->g[c->n - 1];
	cp(g->id, sizeof(g->id), p->arxiv_id);
	cp(g->title, sizeof(g->title), p->title);
	cp(g->abstract, sizeof(g->abstract), p->abstract);
	cp(g->authors, sizeof(g->authors), p->authors);
	for (i = 0; i < p->n_categories; i++) {
		size_t l = strlen(g->categories);
		snprintf(g->categories + l, sizeof(g->categories) - l, "%s%s", i ? " " : "",
			 p->categories[i]);
	}
	if (p->n_authors) {
		cp(g->key0, sizeof(g->key0), p->author_list[0].keyname);
		cp(g->fore0, sizeof(g->fore0), p->author_list[0].forenames);
		cp(g->aff0, sizeof(g->aff0), p->author_list[0].affiliation);
		cp(g->name0, sizeof(g->name0), p->author_list[0].name);
	}
	cp(g->published, sizeof(g->published), p->published);
	cp(g->updated, sizeof(g->updated), p->updated);
	cp(g->comments, sizeof(g->comments), p->comments);
	cp(g->journal_ref, sizeof(g->journal_ref), p->journal_ref);
	cp(g->doi, sizeof(g->doi), p->doi);
	cp(g->report_no, sizeof(g->report_no), p->report_no);
	cp(g->license, sizeof(g->license), p->license);
	cp(g->submitter, sizeof(g->submitter), p->submitter);
	cp(g->msc, sizeof(g->msc), p->msc_class);
	cp(g->acm, sizeof(g->acm), p->acm_class);
	cp(g->source, sizeof(g->source), p->source);
	for (i = 0; i < p->n_versions && i < 3; i++) {
		cp(g->v_created[i], sizeof(g->v_created[i]), p->versions[i].created);
		cp(g->v_size[i], sizeof(g->v_size[i]), p->versions[i].size);
	}
	g->version = p->version;
	g->deleted = p->deleted;
	g->n_authors = (long)p->n_authors;
	g->n_categories = (long)p->n_categories;
	g->n_versions = (long)p->n_versions;
	g->line = pos->line;
	g->record = pos->record;
	return PB_OK;
}

static void on_bad(void *ctx, const struct ingest_pos *pos, const char *why)
{
	struct capture *c = ctx;
	(void)pos;
	c->bad++;
	cp(c->why, sizeof(c->why), why);
}

/* Parses data as one page (ingest_oai when whole != 0). */
static int run(const void *data, size_t n, struct capture *c, struct oai_page *page,
	       struct pb_err *err, int whole)
{
	struct ingest_sink sink = {on_paper, on_bad, c};
	struct stream *s = stream_open_mem(data, n, err);
	int rc;

	if (!s)
		return -1;
	rc = whole ? ingest_oai(s, "test.xml", &sink, err)
		   : oai_parse_page(s, "test.xml", &sink, page, err);
	stream_close(s);
	return rc;
}

static int run_str(const char *xml, struct capture *c, struct oai_page *page, struct pb_err *err)
{
	return run(xml, strlen(xml), c, page, err, 0);
}

static int run_fixture(const char *rel, struct capture *c, struct oai_page *page,
		       struct pb_err *err, int whole)
{
	size_t n = 0;
	char *data = t_slurp(t_fixture(rel), &n);
	int rc;

	if (!data) {
		t_fail(__FILE__, __LINE__, "cannot read fixture %s", rel);
		return -1;
	}
	rc = run(data, n, c, page, err, whole);
	free(data);
	return rc;
}

#define PH "oai_pmh/paperhive__oai-pmh/"

TEST(oai_getrecord_arxiv)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;
	struct got *g = &c.g[0];

	CHECK_INT(run_fixture(
		      PH "nock-fixtures/oaipmh-getrecord---should-get-a-record.resp0.status200.xml",
		      &c, &pg, &err, 0),
		  PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.bad, 0);
	CHECK_STR(g->id, "1412.8544");
	CHECK_STR(g->title, "A Kochen-Specker system has at least 22 vectors (extended abstract)");
	CHECK_STR(g->key0, "Uijlen");
	CHECK_STR(g->fore0, "Sander");
	CHECK_STR(g->aff0, "Radboud Universiteit");
	CHECK_STR(g->name0, "Sander Uijlen");
	CHECK_INT(g->n_authors, 2);
	CHECK_STR(g->authors, "Sander Uijlen, Bas Westerbaan");
	CHECK_STR(g->categories, "cs.DM");
	CHECK_STR(g->published, "2014-12-29");
	CHECK(strncmp(g->abstract, "At the heart of the Conway-Kochen Free Will theorem", 51) == 0);
	CHECK(strstr(g->abstract, "vectors, by reducing the problem") != NULL);
	CHECK(strstr(g->abstract, "embeddability.\nContinuing their effort") != NULL);
	CHECK_STR(g->comments, "In Proceedings QPL 2014, arXiv:1412.8102");
	CHECK_STR(g->journal_ref, "EPTCS 172, 2014, pp. 154-164");
	CHECK_STR(g->doi, "10.4204/EPTCS.172.11");
	CHECK_STR(g->license, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/");
	CHECK_STR(g->source, "oai-arXiv");
	CHECK_INT(g->deleted, 0);
	CHECK_INT(g->line, 6);
	CHECK_INT(g->record, 1);
	CHECK_STR(pg.response_date, "2018-06-21T14:30:12Z");
	CHECK_STR(pg.token, "");
	CHECK_INT(pg.cursor, -1);
	CHECK_INT(pg.complete_list_size, -1);
	CHECK_INT(pg.records, 1);
	CHECK_INT(pg.deleted, 0);
	CHECK_STR(pg.error_code, "");
}

TEST(oai_listrecords_arxiv)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;
	struct got *g = &c.g[1];

	CHECK_INT(run_fixture(
		      PH
		      "nockFixtures/"
		      "oaipmh-listrecords---should-list-identifiers-from-arxiv.resp1.status200.xml",
		      &c, &pg, &err, 0),
		  PB_OK);
	CHECK_INT(c.n, 2);
	CHECK_INT(pg.records, 2);
	CHECK_STR(c.g[0].id, "1412.8544");
	CHECK_STR(g->id, "hep-th/9504118");
	CHECK_STR(g->title, "Discrete Mathematics and Physics on the Planck-Scale");
	CHECK_STR(g->authors, "M. Requardt");
	CHECK_STR(g->key0, "Requardt");
	CHECK_STR(g->fore0, "M.");
	CHECK_STR(g->aff0, "");
	CHECK_STR(g->categories, "hep-th");
	CHECK_STR(g->published, "1995-04-24");
	CHECK_STR(g->comments, "21 pages, Latex");
	CHECK_STR(g->report_no, "GOET-TP 101/95");
	CHECK(strstr(g->abstract, "the \"strength\" of the bonds") != NULL);
	CHECK_INT(g->record, 2);
	CHECK_INT(g->line, 31);
	CHECK_STR(pg.token, "");
}

TEST(oai_listidentifiers_token)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(
	    run_fixture(
		PH
		"nockFixtures/"
		"oaipmh-listidentifiers---should-list-identifiers-from-arxiv.resp0.status200.xml",
		&c, &pg, &err, 0),
	    PB_OK);
	CHECK_INT(c.n, 0);
	CHECK_INT(c.bad, 0);
	CHECK_INT(pg.records, 3);
	CHECK_STR(pg.token, "1083072|10001");
	CHECK_INT(pg.cursor, 0);
	CHECK_INT(pg.complete_list_size, 5);
	CHECK_STR(pg.response_date, "2016-02-08T10:40:15Z");

	memset(&c, 0, sizeof(c));
	CHECK_INT(
	    run_fixture(
		PH
		"nockFixtures/"
		"oaipmh-listidentifiers---should-list-identifiers-from-arxiv.resp2.status200.xml",
		&c, &pg, &err, 0),
	    PB_OK);
	CHECK_INT(pg.records, 2);
	CHECK_STR(pg.token, "");
	CHECK_INT(pg.cursor, 3);
	CHECK_INT(pg.complete_list_size, 5);
}

TEST(oai_dc_records)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;
	struct got *g = &c.g[0];

	CHECK_INT(run_fixture("oai_pmh/AtomikLabs__aws-iac/test_arxiv_data.xml", &c, &pg, &err, 0),
		  PB_OK);
	CHECK_INT(c.n, 5);
	CHECK_INT(c.bad, 0);
	CHECK_STR(g->id, "1303.2033");
	CHECK_STR(g->title, "Extended Fourier analysis of signals");
	CHECK_STR(g->authors, "Vilnis Liepins");
	CHECK_STR(g->key0, "Liepins");
	CHECK_STR(g->fore0, "Vilnis");
	CHECK_INT(g->n_categories, 0); /* subject names, not codes */
	CHECK_STR(g->comments, "32 pages, 9 figures");
	CHECK_STR(g->published, "2013-03-08");
	CHECK_STR(g->updated, "2024-01-23");
	CHECK_STR(g->source, "oai-dc");
	CHECK(strncmp(g->abstract, "This summary of the doctoral thesis", 35) == 0);
	CHECK_INT(c.g[1].n_authors, 6);
	CHECK_STR(c.g[1].authors,
		  "Chuankun Li, Shuai Li, Yanbo Gao, Ping Chen, Jian Li, Wanqing Li");
	CHECK_STR(c.g[1].id, "2401.14034");
	CHECK_STR(c.g[4].id, "2401.14040");
	CHECK_STR(c.g[4].comments, "Accepted to the Findings of EACL 2024");
	CHECK_STR(pg.token, "6960524|1001");
	CHECK_INT(pg.cursor, 0);
	CHECK_INT(pg.complete_list_size, 1162);
	CHECK_INT(pg.records, 5);

	memset(&c, 0, sizeof(c)); /* the same page with CRLF line ends */
	CHECK_INT(run_fixture("oai_pmh/AtomikLabs__aws-iac/test_arxiv_data.a9c904f.xml", &c, &pg,
			      &err, 0),
		  PB_OK);
	CHECK_INT(c.n, 5);
	CHECK_STR(c.g[0].title, "Extended Fourier analysis of signals");
	CHECK_STR(pg.token, "6960524|1001");
}

static const char dc_codes[] =
    "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">"
    "<responseDate>2024-01-27T17:53:42Z</responseDate>"
    "<request verb=\"GetRecord\" metadataPrefix=\"oai_dc\">http://export.arxiv.org/oai2</request>"
    "<GetRecord><record><header><identifier>oai:arXiv.org:2401.00001</identifier>"
    "<datestamp>2024-01-02</datestamp></header><metadata>"
    "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
    "<dc:title>A\n  title</dc:title><dc:creator>Doe, "
    "Jane</dc:creator><dc:creator>Plato</dc:creator>"
    "<dc:subject>Computer Science - Machine Learning</dc:subject><dc:subject>cs.LG</dc:subject>"
    "<dc:subject>stat.ML</dc:subject><dc:description>Abstract text.</dc:description>"
    "<dc:date>2024-01-01</dc:date><dc:identifier>doi:10.1/x</dc:identifier>"
    "<dc:identifier>http://arxiv.org/abs/2401.00001v2</dc:identifier>"
    "</oai_dc:dc></metadata></record></GetRecord></OAI-PMH>";

TEST(oai_dc_category_codes)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(dc_codes, &c, &pg, &err), PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.g[0].id, "2401.00001");
	CHECK_INT(c.g[0].version, 2);
	CHECK_STR(c.g[0].title, "A title");
	CHECK_STR(c.g[0].categories, "cs.LG stat.ML");
	CHECK_STR(c.g[0].authors, "Jane Doe, Plato");
	CHECK_STR(c.g[0].published, "2024-01-01");
	CHECK_STR(c.g[0].updated, "2024-01-01");
}

/* arXivRaw as documented (http://arxiv.org/OAI/arXivRaw.xsd); the record is
 * 0704.0001 with a third version added. */
static const char raw_page[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
    "<responseDate>2024-02-01T10:00:00Z</responseDate>\n"
    "<request verb=\"ListRecords\" metadataPrefix=\"arXivRaw\" from=\"2007-07-24\">"
    "http://export.arxiv.org/oai2</request>\n"
    "<ListRecords>\n"
    "<record>\n"
    "<header>\n <identifier>oai:arXiv.org:0704.0001</identifier>\n"
    " <datestamp>2008-11-13</datestamp>\n <setSpec>physics:hep-ph</setSpec>\n</header>\n"
    "<metadata>\n"
    " <arXivRaw xmlns=\"http://arxiv.org/OAI/arXivRaw/\" "
    "xsi:schemaLocation=\"http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd\">\n"
    " <id>0704.0001</id><submitter>Pavel Nadolsky</submitter>"
    "<version version=\"v1\"><date>Mon, 2 Apr 2007 19:18:42 GMT</date><size>37kb</size>"
    "<source_type>D</source_type></version>"
    "<version version=\"v2\"><date>Tue, 24 Jul 2007 20:10:27 GMT</date><size>37kb</size>"
    "<source_type>D</source_type></version>"
    "<version version=\"v3\"><date>Thu, 13 Nov 2008 09:01:02 GMT</date><size>38kb</size>"
    "<source_type>D</source_type></version>"
    "<title>Calculation of prompt diphoton production cross sections at Tevatron and\n"
    "  LHC energies</title>"
    "<authors>C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan</authors>"
    "<categories>hep-ph</categories>"
    "<comments>37 pages, 15 figures; published version</comments>"
    "<report-no>ANL-HEP-PR-07-12</report-no>"
    "<msc-class>81V05</msc-class><acm-class>J.2</acm-class>"
    "<journal-ref>Phys.Rev.D76:013009,2007</journal-ref>"
    "<doi>10.1103/PhysRevD.76.013009</doi>"
    "<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>"
    "<abstract>  A fully differential calculation in perturbative quantum chromodynamics is\n"
    "presented for the production of massive photon pairs at hadron colliders.\n"
    "</abstract></arXivRaw>\n"
    "</metadata>\n"
    "</record>\n"
    "<resumptionToken cursor=\"0\" completeListSize=\"2\">4711|1</resumptionToken>\n"
    "</ListRecords>\n"
    "</OAI-PMH>\n";

TEST(oai_arxivraw_versions)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;
	struct got *g = &c.g[0];

	CHECK_INT(run_str(raw_page, &c, &pg, &err), PB_OK);
	CHECK_INT(c.n, 1);
	CHECK_STR(g->id, "0704.0001");
	CHECK_INT(g->version, 3);
	CHECK_INT(g->n_versions, 3);
	CHECK_STR(g->v_created[0], "2007-04-02T19:18:42Z");
	CHECK_STR(g->v_created[1], "2007-07-24T20:10:27Z");
	CHECK_STR(g->v_created[2], "2008-11-13T09:01:02Z");
	CHECK_STR(g->v_size[0], "37kb");
	CHECK_STR(g->v_size[2], "38kb");
	CHECK_STR(g->published, "2007-04-02");
	CHECK_STR(g->updated, "2008-11-13");
	CHECK_STR(g->title,
		  "Calculation of prompt diphoton production cross sections at Tevatron and LHC "
		  "energies");
	CHECK_STR(g->authors, "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan");
	CHECK_INT(g->n_authors, 4);
	CHECK_STR(g->submitter, "Pavel Nadolsky");
	CHECK_STR(g->categories, "hep-ph");
	CHECK_STR(g->comments, "37 pages, 15 figures; published version");
	CHECK_STR(g->report_no, "ANL-HEP-PR-07-12");
	CHECK_STR(g->msc, "81V05");
	CHECK_STR(g->acm, "J.2");
	CHECK_STR(g->journal_ref, "Phys.Rev.D76:013009,2007");
	CHECK_STR(g->doi, "10.1103/PhysRevD.76.013009");
	CHECK_STR(g->source, "oai-arXivRaw");
	CHECK(strncmp(g->abstract, "A fully differential calculation", 32) == 0);
	CHECK_INT(g->line, 6);
	CHECK_STR(pg.token, "4711|1");
	CHECK_INT(pg.complete_list_size, 2);
}

static const char deleted_page[] =
    "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\n"
    "<request verb=\"ListRecords\" "
    "metadataPrefix=\"arXiv\">http://export.arxiv.org/oai2</request>\n"
    "<ListRecords>\n"
    "<record><header status=\"deleted\"><identifier>oai:arXiv.org:0704.0002</identifier>"
    "<datestamp>2010-01-01</datestamp></header></record>\n"
    "<record><header><identifier>oai:arXiv.org:0704.0003</identifier></header><metadata>"
    "<arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0003</id><created>2007-03-31</created>"
    "<updated>2007-04-02</updated>"
    "<authors><author><keyname>Pan</keyname><forenames>Hongjun</forenames><suffix>Jr</suffix>"
    "<affiliation>A</affiliation><affiliation>B</affiliation></author></authors>"
    "<title>A new\ttitle</title><categories>physics.gen-ph math.GM</categories>"
    "<abstract>Text.</abstract></arXiv></metadata></record>\n"
    "<record><header><identifier>oai:arXiv.org:0704.0004</identifier></header><metadata>"
    "<arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0004</id><created>31 March</created>"
    "<title>T</title><abstract>A</abstract></arXiv></metadata></record>\n"
    "</ListRecords></OAI-PMH>\n";

TEST(oai_deleted_header)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(deleted_page, &c, &pg, &err), PB_OK);
	CHECK_INT(c.n, 2);
	CHECK_INT(pg.records, 3);
	CHECK_INT(pg.deleted, 1);
	CHECK_STR(c.g[0].id, "0704.0002");
	CHECK_INT(c.g[0].deleted, 1);
	CHECK_STR(c.g[0].title, "");
	CHECK_STR(c.g[0].source, "oai-arXiv");
	CHECK_INT(c.g[0].line, 4);
	CHECK_STR(c.g[1].id, "0704.0003");
	CHECK_INT(c.g[1].deleted, 0);
	CHECK_STR(c.g[1].name0, "Hongjun Pan Jr");
	CHECK_STR(c.g[1].aff0, "A; B");
	CHECK_STR(c.g[1].title, "A new title");
	CHECK_STR(c.g[1].categories, "physics.gen-ph math.GM");
	CHECK_STR(c.g[1].published, "2007-03-31");
	CHECK_STR(c.g[1].updated, "2007-04-02");
	CHECK_INT(c.bad, 1); /* 0704.0004: its created date is not a date */
	CHECK(strstr(c.why, "31 March") != NULL);
}

static const char no_match[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\n"
    "<responseDate>2024-01-27T17:53:42Z</responseDate>\n"
    "<request verb=\"ListRecords\" from=\"2030-01-01\" metadataPrefix=\"arXiv\">"
    "http://export.arxiv.org/oai2</request>\n"
    "<error code=\"noRecordsMatch\">The combination of the values of the from, until,\n"
    "  set and metadataPrefix arguments results in an empty list.</error>\n"
    "</OAI-PMH>\n";

TEST(oai_no_records_match)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(no_match, &c, &pg, &err), PB_OK);
	CHECK_STR(pg.error_code, "noRecordsMatch");
	CHECK_STR(pg.error_msg, "The combination of the values of the from, until, set and "
				"metadataPrefix arguments results in an empty list.");
	CHECK_INT(run(no_match, strlen(no_match), &c, &pg, &err, 1), PB_OK);
	CHECK_INT(c.n, 0);

	CHECK_INT(
	    run_fixture(
		PH
		"nock-fixtures/"
		"oaipmh-non-standards-should-accept-empty-result-listrecords.resp0.status200.xml",
		&c, &pg, &err, 1),
	    PB_OK);
	CHECK_INT(c.n, 0);
}

TEST(oai_error_codes)
{
	static const char *const codes[] = {"badResumptionToken", "badArgument",
					    "cannotDisseminateFormat", "idDoesNotExist", "badVerb"};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char xml[512], want[128];
		struct capture c = {0};
		struct oai_page pg;
		struct pb_err err = PB_ERR_INIT;

		snprintf(xml, sizeof(xml),
			 "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><responseDate>"
			 "2024-01-01T00:00:00Z</responseDate><request>x</request>"
			 "<error code=\"%s\">Bad thing.</error></OAI-PMH>",
			 codes[i]);
		CHECK_INT(run_str(xml, &c, &pg, &err), PB_OK);
		CHECK_STR(pg.error_code, codes[i]);
		CHECK_INT(run(xml, strlen(xml), &c, &pg, &err, 1), PB_EFORMAT);
		snprintf(want, sizeof(want), "OAI-PMH error %s: Bad thing.", codes[i]);
		CHECK(strstr(err.msg, want) != NULL);
	}
}

TEST(oai_not_oai)
{
	static const char *const files[] = {
	    PH "nock-fixtures/oaipmh-errors-should-reject-malformed-xml-arxiv.resp0.status200.xml",
	    PH "nock-fixtures/"
	       "oaipmh-listrecords---should-list-identifiers-from-arxiv.resp0.status503.xml",
	    PH "nockFixtures/"
	       "oaipmh-listidentifiers---should-list-identifiers-from-arxiv.resp1.status503.xml",
	    PH "nock-fixtures/oaipmh-errors-should-reject-404-error.resp0.status404.xml",
	};
	size_t i;
	struct capture c = {0};
	struct oai_page pg;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct pb_err err = PB_ERR_INIT;
		CHECK_INT(run_fixture(files[i], &c, &pg, &err, 1), PB_EFORMAT);
		CHECK(strstr(err.msg, "not an OAI-PMH response") != NULL);
	}
	{
		struct pb_err err = PB_ERR_INIT;
		run_fixture(files[0], &c, &pg, &err, 1);
		CHECK(
		    strstr(
			err.msg,
			"test.xml:2: not an OAI-PMH response (root element is <error>, error code "
			"idDoesNotExist)") != NULL);
		run_fixture(files[1], &c, &pg, &err, 1);
		CHECK(strstr(err.msg, "(root element is <html>)") != NULL);
	}
	{
		struct pb_err err = PB_ERR_INIT;
		const char *text = "Retry after 10 seconds\n";
		CHECK_INT(run(text, strlen(text), &c, &pg, &err, 1), PB_EFORMAT);
		CHECK(strstr(err.msg, "test.xml:1: malformed XML: ") != NULL);
	}
	{
		struct pb_err err = PB_ERR_INIT;
		const char *feed =
		    "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
		    "<entry/></feed>";
		CHECK_INT(run(feed, strlen(feed), &c, &pg, &err, 1), PB_EFORMAT);
		CHECK(strstr(err.msg, "root element is <feed>") != NULL);
	}
	CHECK_INT(c.n, 0);
}

TEST(oai_verbs_without_records)
{
	static const char *const files[] = {
	    PH "nockFixtures/oaipmh-identify---should-identify-arxiv.resp0.status200.xml",
	    PH "nockFixtures/oaipmh-listsets---should-list-arxiv-sets.resp0.status200.xml",
	    PH "nock-fixtures/"
	       "oaipmh-listsets---should-list-arxiv-sets-single-result.resp0.status200.xml",
	    PH "nockFixtures/"
	       "oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv.resp0."
	       "status200.xml",
	    PH "nock-fixtures/"
	       "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-"
	       "exlibris.resp0.status200.xml",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct capture c = {0};
		struct oai_page pg;
		struct pb_err err = PB_ERR_INIT;
		CHECK_INT(run_fixture(files[i], &c, &pg, &err, 1), PB_OK);
		CHECK_INT(c.n, 0);
		CHECK_INT(c.bad, 0);
	}
}

TEST(oai_malformed_xml)
{
	static const char bad[] =
	    "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords>\n"
	    "<record><header><identifier>oai:arXiv.org:0704.0003</identifier></header><metadata>"
	    "<arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0003</id>"
	    "<title>T</title><abstract>A</abstract></arXiv></metadata></record>\n"
	    "<record><header><identifier>oai:arXiv.org:0704.0004</identifier></header><metadata>\n"
	    "<arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0004</id>\n"
	    "<title>T</abstract></arXiv></metadata></record>\n"
	    "</ListRecords></OAI-PMH>\n";
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run(bad, strlen(bad), &c, &pg, &err, 1), PB_EFORMAT);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.g[0].id, "0704.0003");
	CHECK(strstr(err.msg, "test.xml:5: malformed XML: ") != NULL);
	CHECK(strstr(err.msg, "mismatch") != NULL);
}

TEST(oai_sink_stops)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	c.stop_at = 2;
	CHECK_INT(run_fixture("oai_pmh/AtomikLabs__aws-iac/test_arxiv_data.xml", &c, &pg, &err, 1),
		  PB_EINVAL);
	CHECK_INT(c.n, 2);
	CHECK(strstr(err.msg, "2401.14034") != NULL);
}

TEST(oai_token_too_long)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;
	char *xml = malloc(4096);
	char tok[1100];

	memset(tok, 'x', sizeof(tok) - 1);
	tok[sizeof(tok) - 1] = '\0';
	snprintf(xml, 4096,
		 "<OAI-PMH><ListIdentifiers><header><identifier>oai:arXiv.org:0704.0001"
		 "</identifier></header><resumptionToken>%s</resumptionToken>"
		 "</ListIdentifiers></OAI-PMH>",
		 tok);
	CHECK_INT(run_str(xml, &c, &pg, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "resumptionToken") != NULL);
	free(xml);
}

/* ---- hostile input ---- */

TEST(oai_hostile_empty)
{
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run("", 0, &c, &pg, &err, 1), PB_EFORMAT);
	CHECK(err.msg[0] != '\0');
	CHECK_INT(run("   \n", 4, &c, &pg, &err, 1), PB_EFORMAT);
	CHECK_INT(c.n, 0);
}

TEST(oai_hostile_truncated)
{
	size_t n = 0, cut;
	char *data = t_slurp(
	    t_fixture(
		PH "nockFixtures/"
		   "oaipmh-listrecords---should-list-identifiers-from-arxiv.resp1.status200.xml"),
	    &n);
	size_t end1, end2;

	CHECK(data != NULL);
	if (!data)
		return;
	end1 = (size_t)(strstr(data, "</record>") - data) + 9;
	end2 = (size_t)(strstr(data + end1, "</record>") - data) + 9;
	/* every cut: an error, no paper that ends past the cut, and the first
	 * one once the cut is well past it */
	for (cut = 0; cut < n; cut += 31) {
		struct capture c = {0};
		struct oai_page pg;
		struct pb_err err = PB_ERR_INIT;

		CHECK_INT(run(data, cut, &c, &pg, &err, 1), PB_EFORMAT);
		CHECK(err.msg[0] != '\0');
		if (cut < end1)
			CHECK_INT(c.n, 0);
		else if (cut < end2)
			CHECK(c.n <= 1);
		if (cut > end1 + 1000)
			CHECK(c.n >= 1);
		if (c.n)
			CHECK_STR(c.g[0].id, "1412.8544");
	}
	free(data);
}

TEST(oai_hostile_invalid_utf8)
{
	char xml[sizeof(dc_codes)];
	char *t;
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	memcpy(xml, dc_codes, sizeof(xml));
	t = strstr(xml, "A\n  title");
	t[1] = '\xff';
	t[2] = '\xc3';
	CHECK_INT(run(xml, strlen(xml), &c, &pg, &err, 1), PB_EFORMAT);
	CHECK(strstr(err.msg, "UTF-8") != NULL);
	CHECK_INT(c.n, 0);
}

TEST(oai_hostile_huge_title)
{
	static const char head[] = "<OAI-PMH><ListRecords><record><header><identifier>"
				   "oai:arXiv.org:0704.0001</identifier></header><metadata>"
				   "<arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0001</id>"
				   "<title>";
	static const char tail[] =
	    "</title><abstract>A</abstract></arXiv></metadata></record>"
	    "<record><header><identifier>oai:arXiv.org:0704.0002</identifier></header>"
	    "<metadata><arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>0704.0002</id>"
	    "<title>Small</title><abstract>A</abstract></arXiv></metadata></record>"
	    "</ListRecords></OAI-PMH>";
	size_t big = 5u << 20, n = sizeof(head) - 1 + big + sizeof(tail) - 1;
	char *xml = malloc(n);
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	memcpy(xml, head, sizeof(head) - 1);
	memset(xml + sizeof(head) - 1, 'a', big);
	memcpy(xml + sizeof(head) - 1 + big, tail, sizeof(tail) - 1);
	CHECK_INT(run(xml, n, &c, &pg, &err, 1), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "larger than") != NULL);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.g[0].id, "0704.0002");
	free(xml);
}

TEST(oai_hostile_garbage)
{
	unsigned char buf[4096];
	unsigned x = 12345;
	int round;

	for (round = 0; round < 50; round++) {
		struct capture c = {0};
		struct oai_page pg;
		struct pb_err err = PB_ERR_INIT;
		size_t i;
		for (i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		if (round % 2)
			memcpy(buf, "<OAI-PMH><ListRecords><record>", 30);
		CHECK(run(buf, sizeof(buf), &c, &pg, &err, 1) != PB_OK);
		CHECK(err.msg[0] != '\0');
		CHECK_INT(c.n, 0);
	}
}

TEST(oai_hostile_billion_laughs)
{
	static const char lol[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE OAI-PMH [\n"
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
	    "<OAI-PMH><ListRecords><record><header><identifier>oai:arXiv.org:0704.0001"
	    "</identifier></header><metadata><arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\">"
	    "<id>0704.0001</id><title>&lol9;</title><abstract>&lol9;</abstract></arXiv>"
	    "</metadata></record></ListRecords></OAI-PMH>\n";
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run(lol, strlen(lol), &c, &pg, &err, 1), PB_EFORMAT);
	CHECK(strstr(err.msg, "DTD") != NULL);
	CHECK_INT(c.n, 0);
}

TEST(oai_hostile_external_entity)
{
	static const char xxe[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE OAI-PMH [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<OAI-PMH><ListRecords><record><header><identifier>oai:arXiv.org:0704.0001"
	    "</identifier></header><metadata><arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\">"
	    "<id>0704.0001</id><title>&xxe;</title><abstract>&xxe;</abstract></arXiv>"
	    "</metadata></record></ListRecords></OAI-PMH>\n";
	static const char ext_dtd[] = "<?xml version=\"1.0\"?>\n"
				      "<!DOCTYPE OAI-PMH SYSTEM \"file:///etc/passwd\">\n"
				      "<OAI-PMH><ListRecords/></OAI-PMH>\n";
	struct capture c = {0};
	struct oai_page pg;
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run(xxe, strlen(xxe), &c, &pg, &err, 1), PB_EFORMAT);
	CHECK_INT(c.n, 0);
	CHECK(strstr(err.msg, "root:") == NULL);
	CHECK_INT(run(ext_dtd, strlen(ext_dtd), &c, &pg, &err, 1), PB_EFORMAT);
	CHECK(strstr(err.msg, "root:") == NULL);
	CHECK_INT(c.n, 0);
}

TEST(oai_hostile_wrong_root)
{
	static const char *const docs[] = {
	    "<rss version=\"2.0\"><channel/></rss>",
	    "<oai:OAI-PMHX xmlns:oai=\"http://www.openarchives.org/OAI/2.0/\"/>",
	    "<?xml version=\"1.0\"?><!DOCTYPE html><html><body>503</body></html>",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct capture c = {0};
		struct oai_page pg;
		struct pb_err err = PB_ERR_INIT;
		CHECK_INT(run(docs[i], strlen(docs[i]), &c, &pg, &err, 1), PB_EFORMAT);
		CHECK(strstr(err.msg, "not an OAI-PMH response (root element is <") != NULL);
	}
}
