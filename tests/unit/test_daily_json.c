/* test_daily_json.c - the daily-papers JSON importer (ingest/daily_json.c) on a
 * recorded /api/daily_papers response and on hostile input. */
#include "t.h"

#include "../../src/ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAILY_FIXTURE "hf_daily_papers/deep-diver__paper-reviewer/daily_papers.first4.json"
#define DAILY_KEEP 4
#define DAILY_BAD_KEEP 12

/* What the tests look at in one delivered record, copied (records are borrowed). */
struct daily_got {
	char id[ARXIV_ID_MAX];
	int version;
	char title[256], authors[512], first_author[128], last_author[128];
	size_t n_authors, n_cats;
	char abstract_head[128], published[16], announced[16], submitted_at[24];
	char submitted_by[64], code_url[128], project_url[128], source[32];
	int upvotes, num_comments;
	long line, record;
};

struct daily_cap {
	long good, bad;
	struct daily_got got[DAILY_KEEP];
	char why[DAILY_BAD_KEEP][512];
	long bad_record[DAILY_BAD_KEEP];
	int stop_rc;
};

static void dcp(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static int dcap_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct daily_cap *c = ctx;
	struct daily_got *g;

	if (c->good < DAILY_KEEP) {
		g = &c->got[c->good];
		memset(g, 0, sizeof(*g));
		dcp(g->id, sizeof(g->id), p->arxiv_id);
		g->version = p->version;
		dcp(g->title, sizeof(g->title), p->title);
		dcp(g->authors, sizeof(g->authors), p->authors);
		g->n_authors = p->n_authors;
		if (p->n_authors) {
			dcp(g->first_author, sizeof(g->first_author), p->author_list[0].name);
			dcp(g->last_author, sizeof(g->last_author),
			    p->author_list[p->n_authors - 1].name);
		}
		g->n_cats = p->n_categories;
		dcp(g->abstract_head, sizeof(g->abstract_head), p->abstract);
		dcp(g->published, sizeof(g->published), p->published);
		dcp(g->announced, sizeof(g->announced), p->announced);
		dcp(g->submitted_at, sizeof(g->submitted_at), p->submitted_at);
		dcp(g->submitted_by, sizeof(g->submitted_by), p->submitted_by);
		dcp(g->code_url, sizeof(g->code_url), p->code_url);
		dcp(g->project_url, sizeof(g->project_url), p->project_url);
		dcp(g->source, sizeof(g->source), p->source);
		g->upvotes = p->upvotes;
		g->num_comments = p->num_comments;
		g->line = pos->line;
		g->record = pos->record;
	}
	c->good++;
	return c->stop_rc;
}

static void dcap_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct daily_cap *c = ctx;
	if (c->bad < DAILY_BAD_KEEP) {
		dcp(c->why[c->bad], sizeof(c->why[0]), reason);
		c->bad_record[c->bad] = pos->record;
	}
	c->bad++;
}

static int drun_mem(const void *data, size_t n, struct daily_cap *c, struct pb_err *err)
{
	struct ingest_sink sink = {dcap_paper, dcap_bad, c};
	struct stream *s = stream_open_mem(data, n, err);
	int rc;
	if (!s)
		return -1;
	rc = ingest_daily_json(s, "daily.json", &sink, err);
	stream_close(s);
	return rc;
}

static int drun(const char *text, struct daily_cap *c, struct pb_err *err)
{
	return drun_mem(text, strlen(text), c, err);
}

TEST(daily_fixture_fields)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct ingest_sink sink = {dcap_paper, dcap_bad, &c};
	struct stream *s = stream_open_file(t_fixture(DAILY_FIXTURE), &err);
	struct daily_got *g = &c.got[0];

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(ingest_daily_json(s, "daily.json", &sink, &err), PB_OK);
	stream_close(s);
	CHECK_INT(c.good, 4);
	CHECK_INT(c.bad, 0);
	CHECK_STR(g->id, "2410.17243");
	CHECK_INT(g->version, 0);
	CHECK_STR(g->source, "daily-papers");
	CHECK_STR(g->title, "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for "
			    "Contrastive Loss");
	CHECK_INT(g->n_authors, 9);
	CHECK_STR(g->first_author, "Zesen Cheng");
	CHECK_STR(g->last_author, "Lidong Bing");
	CHECK(strncmp(g->authors, "Zesen Cheng, Hang Zhang, Kehan Li, Sicong Leng", 46) == 0);
	CHECK_INT(g->n_cats, 0);
	CHECK(strncmp(g->abstract_head,
		      "Contrastive loss is a powerful approach for "
		      "representation learning, where larger batch sizes",
		      93) == 0);
	CHECK_STR(g->published, "2024-10-22");
	CHECK_INT(g->upvotes, 64);
	CHECK_INT(g->num_comments, 3);
	CHECK_STR(g->submitted_by, "ClownRat");
	CHECK_STR(g->submitted_at, "2024-10-25T00:57:09Z");
	CHECK_STR(g->announced, "2024-10-25");
	CHECK_INT(g->record, 1);
	CHECK_INT(g->line, 0);

	CHECK_STR(c.got[1].id, "2410.16251");
	CHECK_STR(c.got[1].title, "Can Knowledge Editing Really Correct Hallucinations?");
	CHECK_INT(c.got[1].upvotes, 41);
	CHECK_STR(c.got[1].submitted_by, "canyuchen");
	CHECK_INT(c.got[1].record, 2);
	CHECK_STR(c.got[3].id, "2410.18693");
	CHECK_INT(c.got[3].upvotes, 35);
	CHECK_STR(c.got[3].announced, "2024-10-25");
	CHECK_INT(c.got[3].record, 4);
}

#define GOOD_PAPER                                                                                 \
	"{\"id\": \"2501.00001\", \"title\": \"T\", \"summary\": \"S\", \"authors\": "             \
	"[{\"name\": \"A B\"}]}"

TEST(daily_wrong_types)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	const char *text =
	    "[{\"paper\": " GOOD_PAPER "},\n"
	    " {\"paper\": {\"id\": 2501.00002, \"title\": \"T\", \"summary\": \"S\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00003\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"upvotes\": \"12\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00004\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"authors\": \"A, B\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00005\", \"title\": [\"T\"], \"summary\": \"S\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00006\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"authors\": [{\"name\": 7}]}},\n"
	    " {\"paper\": {\"id\": \"2501.00007\", \"title\": \"T\", \"summary\": \"S\"}, "
	    "\"submittedBy\": \"me\"},\n"
	    " \"just a string\",\n"
	    " {\"paper\": \"2501.00009\"},\n"
	    " {\"paper\": " GOOD_PAPER ", \"numComments\": -4}]";

	CHECK_INT(drun(text, &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_INT(c.bad, 9);
	CHECK_STR(c.why[0], "paper.id is a number, expected a string");
	CHECK_INT(c.bad_record[0], 2);
	CHECK_STR(c.why[1], "2501.00003: paper.upvotes is a string, expected a number");
	CHECK_INT(c.bad_record[1], 3);
	CHECK_STR(c.why[2], "2501.00004: paper.authors is a string, expected an array");
	CHECK_STR(c.why[3], "2501.00005: paper.title is an array, expected a string");
	CHECK_STR(c.why[4], "2501.00006: paper.authors[0].name is a number, expected a string");
	CHECK_STR(c.why[5], "2501.00007: submittedBy is a string, expected an object");
	CHECK_STR(c.why[6], "the element is a string, expected an object");
	CHECK_INT(c.bad_record[6], 8);
	CHECK_STR(c.why[7], "paper is a string, expected an object");
	CHECK_STR(c.why[8], "2501.00001: numComments is not a count (a whole number, 0 or more)");
	CHECK_INT(c.bad_record[8], 10);
}

TEST(daily_new_shape_and_flat_paper)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct daily_got *g = &c.got[0];
	const char *text =
	    "\xEF\xBB\xBF[{\"paper\": {\"id\": \"arXiv:2501.12948v2\", \"title\": \"  Deep\\n  "
	    "Seek \", \"summary\": \"Para one\\nwraps.\\n\\nPara two.\", \"authors\": "
	    "[{\"name\": \"A One\", \"hidden\": true}, {\"name\": null}, {\"name\": \"  \"}, "
	    "{\"_id\": \"x\"}, {\"name\": \"B, Two\"}], \"publishedAt\": "
	    "\"2025-01-22T15:19:35.000Z\", \"submittedOnDailyAt\": "
	    "\"2025-01-23T01:02:03.000+02:00\", \"upvotes\": 12.0, \"githubRepo\": "
	    "\"https://github.com/deepseek-ai/DeepSeek-R1\", \"projectPage\": "
	    "\"https://example.org/r1\", \"submittedOnDailyBy\": {\"fullname\": \"Full "
	    "Name\"}, \"ai_summary\": {\"nested\": [1, 2, 3]}}, \"numComments\": 0, "
	    "\"submittedBy\": null, \"title\": \"Ignored\"},\n"
	    " {\"id\": \"hep-th/9108002\", \"title\": \"Flat\", \"summary\": \"S\", "
	    "\"upvotes\": 3}]";

	CHECK_INT(drun(text, &c, &err), PB_OK);
	CHECK_INT(c.bad, 0);
	CHECK_INT(c.good, 2);
	CHECK_STR(g->id, "2501.12948");
	CHECK_INT(g->version, 2);
	CHECK_STR(g->title, "Deep Seek");
	CHECK_STR(g->abstract_head, "Para one wraps.\nPara two.");
	CHECK_STR(g->authors, "A One, B, Two");
	CHECK_INT(g->n_authors, 2);
	CHECK_STR(g->last_author, "B, Two");
	CHECK_STR(g->published, "2025-01-22");
	CHECK_STR(g->submitted_at, "2025-01-22T23:02:03Z");
	CHECK_STR(g->announced, "2025-01-22");
	CHECK_INT(g->upvotes, 12);
	CHECK_INT(g->num_comments, 0);
	CHECK_STR(g->code_url, "https://github.com/deepseek-ai/DeepSeek-R1");
	CHECK_STR(g->project_url, "https://example.org/r1");
	CHECK_STR(g->submitted_by, "Full Name");

	CHECK_STR(c.got[1].id, "hep-th/9108002");
	CHECK_STR(c.got[1].title, "Flat");
	CHECK_INT(c.got[1].upvotes, 3);
	CHECK_INT(c.got[1].num_comments, -1);
	CHECK_STR(c.got[1].announced, "");
	CHECK_INT(c.got[1].record, 2);
}

TEST(daily_missing_and_bad_values)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	const char *text =
	    "[{\"paper\": {\"title\": \"T\", \"summary\": \"S\"}},\n"
	    " {\"paper\": {\"id\": \"not an id\", \"title\": \"T\", \"summary\": \"S\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00003\", \"summary\": \"S\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00004\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"publishedAt\": \"yesterday\"}},\n"
	    " {\"paper\": {\"id\": \"2501.00005\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"upvotes\": 1e300}},\n"
	    " {\"paper\": {\"id\": \"2501.00006\", \"title\": \"T\", \"summary\": \"S\", "
	    "\"upvotes\": 99999999999}},\n"
	    " {\"paper\": {\"id\": \"2501.00007\", \"title\": \"T\"}, \"summary\": \"top\"}]";

	CHECK_INT(drun(text, &c, &err), PB_OK);
	CHECK_INT(c.bad, 6);
	CHECK_STR(c.why[0], "paper.id is missing");
	CHECK_STR(c.why[1], "paper.id \"not an id\" is not an arXiv id");
	CHECK(strstr(c.why[2], "no title") != NULL);
	CHECK_STR(c.why[3], "2501.00004: paper.publishedAt \"yesterday\" is not a date");
	CHECK(strstr(c.why[4], "paper.upvotes is not a count") != NULL);
	CHECK(strstr(c.why[5], "paper.upvotes is not a count") != NULL);
	CHECK_INT(c.good, 1);
	CHECK_STR(c.got[0].abstract_head, "top");
}

TEST(daily_not_an_array)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(drun("{\"paper\": {\"id\": \"2501.00001\"}}", &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "daily.json: the document is an object, expected an array") != NULL);
	CHECK_INT(drun("[]", &c, &err), PB_OK);
	CHECK_INT(c.good + c.bad, 0);
}

TEST(daily_invalid_json)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	char *full;
	size_t n, cut;

	CHECK_INT(drun("[{\"paper\": {\"id\": \"2410.17243\",\n  \"title\": }}]", &c, &err),
		  PB_EFORMAT);
	CHECK(strstr(err.msg, "daily.json: line 2, column") != NULL);
	CHECK_INT(c.good + c.bad, 0);

	CHECK_INT(drun("", &c, &err), PB_EFORMAT);
	CHECK_INT(drun("   \n", &c, &err), PB_EFORMAT);
	CHECK_INT(drun("[1, 2] trailing", &c, &err), PB_EFORMAT);
	CHECK_INT(drun("[\"\\u0000\"]", &c, &err), PB_EFORMAT);

	/* every prefix of the real file is refused whole */
	full = t_slurp(t_fixture(DAILY_FIXTURE), &n);
	CHECK(full != NULL);
	for (cut = 0; full && cut + 1 < n; cut += 97) {
		memset(&c, 0, sizeof(c));
		CHECK_INT(drun_mem(full, cut, &c, &err), PB_EFORMAT);
		CHECK_INT(c.good + c.bad, 0);
	}
	free(full);
}

TEST(daily_invalid_utf8)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(drun("[{\"paper\": {\"id\": \"2501.00001\", \"title\": \"Caf\xe9\", "
		       "\"summary\": \"S\"}}]",
		       &c, &err),
		  PB_EFORMAT);
	CHECK(strstr(err.msg, "line 1") != NULL);
	CHECK_INT(c.good, 0);
	/* escaped lone surrogate */
	CHECK_INT(drun("[{\"paper\": {\"id\": \"2501.00001\", \"title\": \"\\ud800\"}}]", &c, &err),
		  PB_EFORMAT);
}

TEST(daily_huge_field)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	size_t big = 5u << 20, o;
	char *text = malloc(big + 512);

	CHECK(text != NULL);
	if (!text)
		return;
	o = (size_t)snprintf(text, 512,
			     "[{\"paper\": " GOOD_PAPER "}, {\"paper\": {\"id\": \"2501.00002\", "
			     "\"summary\": \"S\", \"title\": \"");
	memset(text + o, 'x', big);
	o += big;
	o += (size_t)snprintf(text + o, 512, "\"}}]");
	CHECK_INT(drun_mem(text, o, &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why[0], "title is 5242880 bytes") != NULL);
	CHECK_INT(c.bad_record[0], 2);
	free(text);
}

TEST(daily_binary_and_deep_nesting)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	unsigned char junk[4096];
	unsigned x = 777;
	size_t i, n = 100000;
	char *deep = malloc(2 * n + 1);

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	junk[0] = '[';
	CHECK_INT(drun_mem(junk, sizeof(junk), &c, &err), PB_EFORMAT);
	CHECK_INT(c.good + c.bad, 0);

	CHECK(deep != NULL);
	if (!deep)
		return;
	memset(deep, '[', n);
	CHECK_INT(drun_mem(deep, n, &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "depth") != NULL);
	memset(deep + n, ']', n);
	CHECK_INT(drun_mem(deep, 2 * n, &c, &err), PB_EFORMAT);
	/* deep but inside the parser's limit: elements are reported, not crashed on */
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	CHECK_INT(drun_mem(deep, 2000, &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK_STR(c.why[0], "the element is an array, expected an object");
	free(deep);
}

TEST(daily_sink_stops)
{
	struct daily_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	c.stop_rc = PB_EDB;
	CHECK_INT(drun("[{\"paper\": " GOOD_PAPER "}, {\"paper\": " GOOD_PAPER "}]", &c, &err),
		  PB_EDB);
	CHECK_INT(c.good, 1);
	CHECK(strstr(err.msg, "record 1") != NULL);
}
