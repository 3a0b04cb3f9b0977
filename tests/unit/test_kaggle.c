/* test_kaggle.c - the JSON-lines snapshot importer and the import driver. */
#include "t.h"

#include "../../src/ingest/import.h"
#include "../../src/ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>

struct got {
	int n, bad;
	char ids[64][ARXIV_ID_MAX];
	char first_title[512], first_abstract[512], first_authors[512], first_cats[128];
	char first_published[16], first_updated[16], first_announced[16], first_v1[32];
	char first_a0[128], first_a0_key[128];
	int first_version, first_n_authors, first_n_versions;
	char reasons[1024];
};

static int got_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct got *g = ctx;
	size_t i;
	if (g->n < 64)
		snprintf(g->ids[g->n], ARXIV_ID_MAX, "%s", p->arxiv_id);
	if (g->n == 0) {
		snprintf(g->first_title, sizeof(g->first_title), "%s", p->title);
		snprintf(g->first_abstract, sizeof(g->first_abstract), "%s", p->abstract);
		snprintf(g->first_authors, sizeof(g->first_authors), "%s", p->authors ? p->authors : "");
		for (i = 0; i < p->n_categories; i++) {
			size_t l = strlen(g->first_cats);
			snprintf(g->first_cats + l, sizeof(g->first_cats) - l, "%s%s", i ? " " : "",
				 p->categories[i]);
		}
		snprintf(g->first_published, 16, "%s", p->published ? p->published : "");
		snprintf(g->first_updated, 16, "%s", p->updated ? p->updated : "");
		snprintf(g->first_announced, 16, "%s", p->announced ? p->announced : "");
		g->first_version = p->version;
		g->first_n_authors = (int)p->n_authors;
		g->first_n_versions = (int)p->n_versions;
		if (p->n_versions)
			snprintf(g->first_v1, 32, "%s", p->versions[0].created);
		if (p->n_authors) {
			snprintf(g->first_a0, 128, "%s", p->author_list[0].name);
			snprintf(g->first_a0_key, 128, "%s",
				 p->author_list[0].keyname ? p->author_list[0].keyname : "");
		}
	}
	g->n++;
	(void)pos;
	return 0;
}

static void got_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct got *g = ctx;
	size_t l = strlen(g->reasons);
	g->bad++;
	snprintf(g->reasons + l, sizeof(g->reasons) - l, "[%ld:%s]", pos->line, reason);
}

static int parse_text(const char *text, size_t n, struct got *g, struct pb_err *err)
{
	struct ingest_sink sink = {got_paper, got_bad, g};
	struct stream *s = stream_open_mem(text, n, err);
	int rc;
	memset(g, 0, sizeof(*g));
	if (!s)
		return err->rc;
	rc = ingest_kaggle(s, "test.jsonl", &sink, err);
	stream_close(s);
	return rc;
}

static const char kaggle_line[] =
	"{\"id\":\"0704.0001\",\"submitter\":\"Pavel Nadolsky\",\"authors\":\"C. Bal\\u00e1zs, E. L. "
	"Berger, P. M. Nadolsky, C.-P. Yuan\",\"title\":\"Calculation of prompt diphoton production "
	"cross sections at Tevatron and\\n  LHC energies\",\"comments\":\"37 pages, 15 figures; "
	"published version\",\"journal-ref\":\"Phys.Rev.D76:013009,2007\",\"doi\":\"10.1103/"
	"PhysRevD.76.013009\",\"report-no\":\"ANL-HEP-PR-07-12\",\"categories\":\"hep-ph\",\"license\":"
	"null,\"abstract\":\"  A fully differential calculation in perturbative quantum "
	"chromodynamics is\\npresented for the production of massive photon pairs.\\n\","
	"\"versions\":[{\"version\":\"v1\",\"created\":\"Mon, 2 Apr 2007 19:18:42 GMT\"},{\"version\":"
	"\"v2\",\"created\":\"Tue, 24 Jul 2007 20:10:27 GMT\"}],\"update_date\":\"2008-11-13\","
	"\"authors_parsed\":[[\"Bal\\u00e1zs\",\"C.\",\"\"],[\"Berger\",\"E. L.\",\"\"],[\"Nadolsky\","
	"\"P. M.\",\"\"],[\"Yuan\",\"C. -P.\",\"\"]]}\n";

TEST(kaggle_parses_every_field)
{
	struct got g;
	struct pb_err err = PB_ERR_INIT;
	CHECK_INT(parse_text(kaggle_line, sizeof(kaggle_line) - 1, &g, &err), 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.bad, 0);
	CHECK_STR(g.ids[0], "0704.0001");
	CHECK_STR(g.first_title,
		  "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies");
	CHECK(strncmp(g.first_abstract, "A fully differential calculation in perturbative quantum "
					"chromodynamics is presented", 84) == 0);
	CHECK_STR(g.first_cats, "hep-ph");
	CHECK_INT(g.first_version, 2);
	CHECK_INT(g.first_n_versions, 2);
	CHECK_STR(g.first_v1, "2007-04-02T19:18:42Z");
	CHECK_STR(g.first_published, "2007-04-02");
	CHECK_STR(g.first_updated, "2008-11-13");
	CHECK_STR(g.first_announced, "2007-04-02");
	CHECK_INT(g.first_n_authors, 4);
	CHECK_STR(g.first_a0, "C. Bal\xc3\xa1zs");
	CHECK_STR(g.first_a0_key, "Bal\xc3\xa1zs");
}

TEST(kaggle_bad_lines_are_reported_and_skipped)
{
	static const char text[] =
		"{\"id\":\"2101.00001\",\"title\":\"Good one\",\"abstract\":\"Fine.\",\"categories\":\"cs.LG\",\"update_date\":\"2021-01-05\"}\n"
		"{\"id\":\"2101.00002\",\"title\":\"Trunc\n"
		"{\"id\":42,\"title\":\"x\",\"abstract\":\"y\"}\n"
		"{\"id\":\"2101.00003\",\"title\":[\"not\",\"a string\"],\"abstract\":\"y\"}\n"
		"{\"id\":\"2101.00004\",\"title\":\"No abstract\"}\n"
		"{\"id\":\"not an id\",\"title\":\"x\",\"abstract\":\"y\"}\n"
		"[1,2,3]\n"
		"\n"
		"{\"id\":\"2101.00005\",\"title\":\"Bad date\",\"abstract\":\"y\",\"update_date\":\"2021-02-30\"}\n"
		"{\"id\":\"2101.00006\",\"title\":\"Bad versions\",\"abstract\":\"y\",\"versions\":\"v1\"}\n"
		"{\"id\":\"2101.00007\",\"title\":\"Dup\",\"title\":\"keys\",\"abstract\":\"y\"}\n"
		"\x89PNG\r\n\x1a\n\x00\x00garbage\n"
		"{\"id\":\"2101.00008\",\"title\":\"Bad \xff utf8 repaired\",\"abstract\":\"Good.\"}\n";
	struct got g;
	struct pb_err err = PB_ERR_INIT;
	CHECK_INT(parse_text(text, sizeof(text) - 1, &g, &err), 0);
	CHECK_INT(g.n, 2);
	CHECK_STR(g.ids[0], "2101.00001");
	CHECK_STR(g.ids[1], "2101.00008"); /* invalid UTF-8 is repaired, not fatal */
	CHECK_INT(g.bad, 12);             /* lines 2-7 and 9-14; 12-14 hold binary garbage */
	CHECK(strstr(g.reasons, "[11:field \"title\" appears twice") != NULL);
	CHECK(strstr(g.reasons, "[12:invalid JSON at column 1") != NULL);
	CHECK(strstr(g.reasons, "[2:invalid JSON") != NULL);
	CHECK(strstr(g.reasons, "[3:field \"id\" should be a string, not a number") != NULL);
	CHECK(strstr(g.reasons, "[4:field \"title\" should be a string") != NULL);
	CHECK(strstr(g.reasons, "[5:2101.00004: no abstract") != NULL);
	CHECK(strstr(g.reasons, "[6:\"not an id\" is not an arXiv id") != NULL);
	CHECK(strstr(g.reasons, "[7:line is not a JSON object") != NULL);
	CHECK(strstr(g.reasons, "[9:updated \"2021-02-30\" is not a date") != NULL);
	CHECK(strstr(g.reasons, "[10:field \"versions\" should be an array") != NULL);
}

TEST(kaggle_hostile_inputs)
{
	struct got g;
	struct pb_err err = PB_ERR_INIT;
	struct buf big;
	size_t i;

	CHECK_INT(parse_text("", 0, &g, &err), 0);
	CHECK_INT(g.n + g.bad, 0);
	/* a 5 MB line is over the record cap: reported, the next line imports */
	buf_init(&big, 0);
	buf_adds(&big, "{\"id\":\"2101.00001\",\"title\":\"");
	for (i = 0; i < 5u << 20; i++)
		buf_addc(&big, 'x');
	buf_adds(&big, "\",\"abstract\":\"y\"}\n{\"id\":\"2101.00002\",\"title\":\"t\",\"abstract\":\"a\"}\n");
	CHECK_INT(parse_text(big.data, big.len, &g, &err), 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.bad, 1);
	CHECK(strstr(g.reasons, "longer than") != NULL);
	/* a 100 KB title fits in a line but not in a paper */
	buf_reset(&big);
	buf_adds(&big, "{\"id\":\"2101.00001\",\"abstract\":\"y\",\"title\":\"");
	for (i = 0; i < 100000; i++)
		buf_addc(&big, 'x');
	buf_adds(&big, "\"}\n");
	CHECK_INT(parse_text(big.data, big.len, &g, &err), 0);
	CHECK_INT(g.bad, 1);
	CHECK(strstr(g.reasons, "title is") != NULL);
	/* deep nesting does not blow the stack */
	buf_reset(&big);
	for (i = 0; i < 100000; i++)
		buf_addc(&big, '[');
	buf_addc(&big, '\n');
	CHECK_INT(parse_text(big.data, big.len, &g, &err), 0);
	CHECK_INT(g.bad, 1);
	/* no trailing newline, CRLF line ends */
	{
		const char *crlf = "{\"id\":\"2101.00001\",\"title\":\"t\",\"abstract\":\"a\"}\r\n"
				   "{\"id\":\"2101.00002\",\"title\":\"t\",\"abstract\":\"a\"}";
		CHECK_INT(parse_text(crlf, strlen(crlf), &g, &err), 0);
	}
	CHECK_INT(g.n, 2);
	buf_release(&big);
}

TEST(kaggle_bundled_sample_imports_twice_without_change)
{
	struct pb_err err = PB_ERR_INIT;
	struct import_opts opts;
	struct import_counts c1, c2;
	char path[512];
	const char *root = getenv("PB_ROOT");
	struct store *st;
	FILE *devnull = fopen("/dev/null", "w");

	memset(&opts, 0, sizeof(opts));
	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	opts.report = devnull;
	snprintf(path, sizeof(path), "%s/import.db", t_tmpdir());
	st = store_open(path, &err);
	CHECK(st != NULL);
	if (!st)
		return;
	snprintf(path, sizeof(path), "%s/data/sample.jsonl.zst", root ? root : ".");
	CHECK_INT(import_file(st, path, &opts, &c1, &err), 0);
	CHECK(c1.new_papers > 4000);
	CHECK_INT(c1.bad, 0);
	CHECK_INT(import_file(st, path, &opts, &c2, &err), 0);
	CHECK_INT(c2.new_papers, 0);
	CHECK_INT(c2.updated, 0);
	CHECK_INT(c2.unchanged, c1.new_papers);
	store_close(st);
	fclose(devnull);
}
