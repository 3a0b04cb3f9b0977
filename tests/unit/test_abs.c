/* test_abs.c - the arXiv .abs importer (ingest/abs.c) on real files from
 * arXiv's own test data and on hostile input. */
#include "t.h"

#include "../../src/ingest/ingest.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ABS_DIR "abs/arXiv__arxiv-browse/tests/data/abs_files/ftp"
#define ABS_KEEP 4

/* What the tests look at in one delivered record, copied (records are borrowed). */
struct abs_got {
	char id[ARXIV_ID_MAX];
	int version;
	char title[512], authors[512], first_author[128], last_author[128];
	size_t n_authors;
	char cats[128];
	size_t n_cats;
	char comments[256], report_no[128], msc[128], acm[128], jref[256], doi[128];
	char license[128], submitter[128], published[16], updated[16], source[32];
	char abstract_head[128], abstract_tail[128];
	size_t abstract_len;
	int has_break; /* abstract holds a paragraph break */
	size_t n_versions;
	int vnum[8];
	char vdate[8][24], vsize[8][24];
	long line, record;
};

struct abs_cap {
	long good, bad;
	struct abs_got got[ABS_KEEP];
	char why[512]; /* last bad reason */
	long bad_record;
	int stop_rc; /* returned by the sink when set */
};

static void cp(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

/* 1 if s ends with tail. */
static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static int cap_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct abs_cap *c = ctx;
	struct abs_got *g;
	size_t i, n;

	if (c->good < ABS_KEEP) {
		g = &c->got[c->good];
		memset(g, 0, sizeof(*g));
		cp(g->id, sizeof(g->id), p->arxiv_id);
		g->version = p->version;
		cp(g->title, sizeof(g->title), p->title);
		cp(g->authors, sizeof(g->authors), p->authors);
		g->n_authors = p->n_authors;
		if (p->n_authors) {
			cp(g->first_author, sizeof(g->first_author), p->author_list[0].name);
			cp(g->last_author, sizeof(g->last_author),
			   p->author_list[p->n_authors - 1].name);
		}
		for (i = 0; i < p->n_categories; i++) {
			n = strlen(g->cats);
			snprintf(g->cats + n, sizeof(g->cats) - n, "%s%s", i ? " " : "",
				 p->categories[i]);
		}
		g->n_cats = p->n_categories;
		cp(g->comments, sizeof(g->comments), p->comments);
		cp(g->report_no, sizeof(g->report_no), p->report_no);
		cp(g->msc, sizeof(g->msc), p->msc_class);
		cp(g->acm, sizeof(g->acm), p->acm_class);
		cp(g->jref, sizeof(g->jref), p->journal_ref);
		cp(g->doi, sizeof(g->doi), p->doi);
		cp(g->license, sizeof(g->license), p->license);
		cp(g->submitter, sizeof(g->submitter), p->submitter);
		cp(g->published, sizeof(g->published), p->published);
		cp(g->updated, sizeof(g->updated), p->updated);
		cp(g->source, sizeof(g->source), p->source);
		if (p->abstract) {
			n = strlen(p->abstract);
			g->abstract_len = n;
			cp(g->abstract_head, sizeof(g->abstract_head), p->abstract);
			cp(g->abstract_tail, sizeof(g->abstract_tail),
			   p->abstract + (n > 80 ? n - 80 : 0));
			g->has_break = strchr(p->abstract, '\n') != NULL;
		}
		g->n_versions = p->n_versions;
		for (i = 0; i < p->n_versions && i < 8; i++) {
			g->vnum[i] = p->versions[i].version;
			cp(g->vdate[i], sizeof(g->vdate[i]), p->versions[i].created);
			cp(g->vsize[i], sizeof(g->vsize[i]), p->versions[i].size);
		}
		g->line = pos->line;
		g->record = pos->record;
	}
	c->good++;
	return c->stop_rc;
}

static void cap_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct abs_cap *c = ctx;
	c->bad++;
	c->bad_record = pos->record;
	cp(c->why, sizeof(c->why), reason);
}

static int run_mem(const void *data, size_t n, struct abs_cap *c, struct pb_err *err)
{
	struct ingest_sink sink = {cap_paper, cap_bad, c};
	struct stream *s = stream_open_mem(data, n, err);
	int rc;
	if (!s)
		return -1;
	rc = ingest_abs(s, "test.abs", &sink, err);
	stream_close(s);
	return rc;
}

static int run_fixture(const char *rel, struct abs_cap *c, struct pb_err *err)
{
	char path[512];
	struct ingest_sink sink = {cap_paper, cap_bad, c};
	struct stream *s;
	int rc;
	snprintf(path, sizeof(path), "%s/%s", ABS_DIR, rel);
	s = stream_open_file(t_fixture(path), err);
	if (!s)
		return -1;
	rc = ingest_abs(s, rel, &sink, err);
	stream_close(s);
	return rc;
}

static int run_str(const char *text, struct abs_cap *c, struct pb_err *err)
{
	return run_mem(text, strlen(text), c, err);
}

#define ABS_HEAD                                                                                   \
	"------------------------------------------------------------------------------\n"         \
	"\\\\\n"                                                                                   \
	"arXiv:2101.11408\n"                                                                       \
	"From: A. Person <a@example.org>\n"                                                        \
	"Date: Tue, 26 Jan 2021 18:00:00 GMT   (12kb)\n"                                           \
	"\n"

#define ABS_TAIL                                                                                   \
	"Authors: A. Person, B. Other\n"                                                           \
	"Categories: cs.LG stat.ML\n"                                                              \
	"\\\\\n"                                                                                   \
	"  An abstract.\n"                                                                         \
	"\\\\\n"

TEST(abs_0704_0001_fields)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];

	CHECK_INT(run_fixture("arxiv/papers/0704/0704.0001.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_INT(c.bad, 0);
	CHECK_STR(g->id, "0704.0001");
	CHECK_INT(g->version, 2);
	CHECK_STR(g->source, "abs");
	CHECK_STR(g->title, "Calculation of prompt diphoton production cross sections at "
			    "Tevatron and LHC energies");
	CHECK_STR(g->authors, "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan");
	CHECK_INT(g->n_authors, 4);
	CHECK_STR(g->first_author, "C. Bal\\'azs");
	CHECK_STR(g->last_author, "C.-P. Yuan");
	CHECK_STR(g->cats, "hep-ph");
	CHECK_INT(g->n_cats, 1);
	CHECK_STR(g->comments, "37 pages, 15 figures; published version");
	CHECK_STR(g->report_no, "ANL-HEP-PR-07-12");
	CHECK_STR(g->jref, "Phys.Rev.D76:013009,2007");
	CHECK_STR(g->doi, "10.1103/PhysRevD.76.013009");
	CHECK_STR(g->msc, "");
	CHECK_STR(g->license, "");
	CHECK_STR(g->submitter, "Pavel Nadolsky");
	CHECK_INT(g->n_versions, 2);
	CHECK_INT(g->vnum[0], 1);
	CHECK_STR(g->vdate[0], "2007-04-02T19:18:42Z");
	CHECK_STR(g->vsize[0], "443kb");
	CHECK_INT(g->vnum[1], 2);
	CHECK_STR(g->vdate[1], "2007-07-24T20:10:27Z");
	CHECK_STR(g->vsize[1], "370kb");
	CHECK_STR(g->published, "2007-04-02");
	CHECK_STR(g->updated, "2007-07-24");
	CHECK(strncmp(g->abstract_head, "A fully differential calculation in perturbative", 48) ==
	      0);
	CHECK(ends_with(g->abstract_tail, "with judicious selection of events."));
	CHECK(!g->has_break);
	CHECK_INT(g->line, 1);
	CHECK_INT(g->record, 1);
}

TEST(abs_old_style_id)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];

	CHECK_INT(run_fixture("hep-th/papers/9108/9108002.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(g->id, "hep-th/9108002");
	CHECK_INT(g->version, 1);
	CHECK_STR(g->title, "Hamiltonian construction of W-gravity actions");
	CHECK_STR(g->authors, "A. Mikovic");
	CHECK_STR(g->cats, "hep-th");
	CHECK_STR(g->comments, "9 pages");
	CHECK_STR(g->jref, "Phys.Lett.B278:51-55,1992");
	CHECK_STR(g->doi, "10.1016/0370-2693(92)90710-L");
	CHECK_STR(g->submitter, "Yosuke Imamura");
	CHECK_INT(g->n_versions, 1);
	CHECK_STR(g->vdate[0], "1991-08-15T16:35:28Z");
	CHECK_STR(g->vsize[0], "13kb");
	CHECK_STR(g->published, "1991-08-15");
	CHECK_STR(g->updated, "1991-08-15");
	CHECK(ends_with(g->abstract_tail, "for arbitrary conformally extended algebras."));
}

TEST(abs_revisions_and_continuations)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];

	CHECK_INT(run_fixture("math/papers/0202/0202001.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(g->id, "math/0202001");
	CHECK_INT(g->version, 4);
	CHECK_STR(g->title, "From fractal groups to fractal sets");
	CHECK_STR(g->authors,
		  "Laurent Bartholdi, Rostislav I. Grigorchuk and Volodymyr V. Nekrashevych");
	CHECK_INT(g->n_authors, 3);
	CHECK_STR(g->last_author, "Volodymyr V. Nekrashevych");
	CHECK_STR(g->cats, "math.GR math.DS");
	CHECK_STR(g->msc, "20E08; 37B10; 28A80");
	CHECK_STR(g->jref, "Fractals in Graz 2001, 25--118, Trends Math., Birkhauser, Basel, 2003");
	CHECK_INT(g->n_versions, 4);
	CHECK_INT(g->vnum[3], 4);
	CHECK_STR(g->vdate[1], "2002-02-03T21:43:30Z");
	CHECK_STR(g->vsize[1], "439kb");
	CHECK_STR(g->vdate[3], "2002-09-13T18:26:29Z");
	CHECK_STR(g->vsize[3], "442kb");
	CHECK_STR(g->published, "2002-02-01");
	CHECK_STR(g->updated, "2002-09-13");
	CHECK(g->has_break); /* three indented paragraphs */
}

TEST(abs_size_flags_license_acm)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];

	CHECK_INT(run_fixture("arxiv/papers/1607/1607.08199.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_INT(g->n_versions, 5);
	CHECK_STR(g->vsize[0], "39kb");
	CHECK_STR(g->vsize[4], "122kb");
	CHECK_INT(g->version, 5);
	CHECK_STR(g->license, "http://creativecommons.org/licenses/by-sa/4.0/");
	CHECK_STR(g->msc, "14F05 (Primary), 14J30, 18E30 (Secondary)");
	/* the file has Latin-1 bytes: they become U+FFFD */
	CHECK(strstr(g->jref, "\xEF\xBF\xBD") != NULL);
	CHECK(strstr(g->jref, "epiga:3255") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_fixture("cs/papers/0011/0011004.abs", &c, &err), PB_OK);
	CHECK_STR(g->id, "cs/0011004");
	CHECK_STR(g->acm, "C.2.0");
	CHECK_STR(g->cats, "cs.CR");
	CHECK_STR(g->comments, "6 pages, some things clearified, especially that a broadcast "
			       "channel is not necessary");
	CHECK_STR(g->submitter, "Mueller-Quade");
}

TEST(abs_backslashes_inside_abstract)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];

	CHECK_INT(run_fixture("arxiv/papers/2004/2004.02153.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(g->title, "When do Keller-Segel systems with heterogeneous logistic sources "
			    "admit generalized solutions?");
	CHECK(ends_with(g->abstract_tail, "into a persistent Dirac distribution."));
	CHECK_STR(g->license, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/");

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_fixture("arxiv/papers/2103/2103.11058.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK(g->n_authors > 900);
	CHECK_STR(g->first_author, "LHCb collaboration: R. Aaij");
	CHECK_STR(g->last_author, "G. Zunica");
	CHECK_STR(g->report_no, "LHCb-PAPER-2021-001, CERN-EP-2021-036");
	CHECK(ends_with(g->abstract_tail, "$\\mathcal{A}_{CP}$ in these decay modes to date."));
}

TEST(abs_empty_fixture_is_bad)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_fixture("math-ph/papers/0509/0509037.abs", &c, &err), PB_OK);
	CHECK_INT(c.good, 0);
	CHECK_INT(c.bad, 1);
	CHECK_INT(c.bad_record, 1);
	CHECK(strstr(c.why, "Title") != NULL);
	CHECK(strstr(c.why, "empty") != NULL);
}

/* Walks every .abs fixture: all import except the empty one. */
static long walk_good, walk_bad, walk_files, walk_errors, walk_id_mismatch;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct ingest_sink sink = {cap_paper, cap_bad, &c};
	struct stream *s;
	char want[ARXIV_ID_MAX];
	const char *papers, *base;
	size_t n = strlen(path);

	if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".abs") != 0)
		return 0;
	walk_files++;
	s = stream_open_file(path, &err);
	if (!s || ingest_abs(s, path, &sink, &err) != PB_OK) {
		printf("#   %s: %s\n", path, err.msg);
		walk_errors++;
	}
	stream_close(s);
	walk_good += c.good;
	walk_bad += c.bad;
	/* .../<archive>/papers/<yymm>/<number>.abs names the paper */
	papers = strstr(path, "/papers/");
	base = strrchr(path, '/') + 1;
	/* the fixture set keeps a copy of cs/0006008 under this name */
	if (strstr(path, "/cs/papers/0006/0006007.abs"))
		papers = NULL;
	if (c.good == 1 && papers) {
		const char *arch = papers;
		while (arch > path && arch[-1] != '/')
			arch--;
		if (strncmp(arch, "arxiv/", 6) == 0)
			snprintf(want, sizeof(want), "%.*s", (int)(strlen(base) - 4), base);
		else
			snprintf(want, sizeof(want), "%.*s/%.*s", (int)(papers - arch), arch,
				 (int)(strlen(base) - 4), base);
		if (strcmp(want, c.got[0].id) != 0 || !c.got[0].title[0] ||
		    !c.got[0].abstract_len || !c.got[0].n_versions || !c.got[0].published[0] ||
		    !c.got[0].n_cats || c.got[0].record != 1 || c.got[0].line != 1) {
			printf("#   %s: id %s, title \"%.30s\"\n", path, c.got[0].id,
			       c.got[0].title);
			walk_id_mismatch++;
		}
	}
	return 0;
}

TEST(abs_all_fixtures)
{
	walk_good = walk_bad = walk_files = walk_errors = walk_id_mismatch = 0;
	CHECK_INT(nftw(t_fixture(ABS_DIR), walk_one, 16, FTW_PHYS), 0);
	CHECK_INT(walk_files, 1132);
	CHECK_INT(walk_errors, 0);
	CHECK_INT(walk_good, 1131);
	CHECK_INT(walk_bad, 1);
	CHECK_INT(walk_id_mismatch, 0);
}

TEST(abs_paper_prefix_and_no_size)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	struct abs_got *g = &c.got[0];
	const char *text = "\\\\\n"
			   "Paper: hep-th/9108002\n"
			   "From: someone@example.org (Some One)\n"
			   "Date: 15 Aug 1991\n"
			   "Date (revised v2): Thu, 12 Sep 1991 10:00:00 GMT\n"
			   "Title: Old\n"
			   "Authors: X. Y\n"
			   "\\\\\n"
			   "Abstract.\n"
			   "\\\\\n";

	CHECK_INT(run_str(text, &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(g->id, "hep-th/9108002");
	CHECK_STR(g->submitter, "Some One");
	CHECK_INT(g->n_versions, 2);
	CHECK_STR(g->vdate[0], "1991-08-15T00:00:00Z");
	CHECK_STR(g->vsize[0], "");
	CHECK_STR(g->vsize[1], "");
	CHECK_STR(g->updated, "1991-09-12");
	CHECK_STR(g->abstract_head, "Abstract.");
}

TEST(abs_crlf_and_concatenated)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	const char *text = "-------------\r\n\\\\\r\narXiv:0704.0001\r\nDate: Mon, 2 Apr 2007 "
			   "19:18:42 GMT (1kb)\r\nTitle: One\r\nAuthors: A\r\n\\\\\r\n  Text "
			   "one.\r\n\\\\\r\n"
			   "-------------\n\\\\\narXiv:0704.0002\nTitle: Two\nAuthors: B\n\\\\\n"
			   "  Text two.\n\\\\\n\n";

	CHECK_INT(run_str(text, &c, &err), PB_OK);
	CHECK_INT(c.good, 2);
	CHECK_INT(c.bad, 0);
	CHECK_STR(c.got[0].id, "0704.0001");
	CHECK_STR(c.got[0].title, "One");
	CHECK_STR(c.got[0].abstract_head, "Text one.");
	CHECK_STR(c.got[0].vsize[0], "1kb");
	CHECK_STR(c.got[1].id, "0704.0002");
	CHECK_STR(c.got[1].abstract_head, "Text two.");
	CHECK_INT(c.got[1].record, 2);
	CHECK_INT(c.got[1].line, 10);
	CHECK_INT(c.got[1].n_versions, 0);
}

TEST(abs_hostile_empty_and_blank)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_mem("", 0, &c, &err), PB_OK);
	CHECK_INT(c.good, 0);
	CHECK_INT(c.bad, 1);
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\n\n   \n", &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("------------------\n", &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "header") != NULL);
}

TEST(abs_hostile_truncated)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	char *full;
	size_t n, cut;

	CHECK_INT(run_str(ABS_HEAD "Title: Cut\n", &c, &err), PB_OK);
	CHECK_INT(c.good, 0);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "2101.11408: the file ends inside the header") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str(ABS_HEAD "Title: Cut\nAuthors: A\n\\\\\n  Half an abs", &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "inside the abstract") != NULL);

	/* every prefix of a real file: never a crash, never more than one record */
	full = t_slurp(t_fixture(ABS_DIR "/arxiv/papers/0704/0704.0001.abs"), &n);
	CHECK(full != NULL);
	for (cut = 0; full && cut < n; cut += 7) {
		memset(&c, 0, sizeof(c));
		run_mem(full, cut, &c, &err);
		CHECK(c.good + c.bad <= 1);
	}
	free(full);
}

TEST(abs_hostile_missing_fields)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	CHECK_INT(run_str(ABS_HEAD ABS_TAIL, &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK_STR(c.why, "2101.11408: no Title: line");

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\nTitle: T\nAuthors: A\n\\\\\n  Abs.\n\\\\\n", &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "no arXiv:") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\narXiv:not-an-id\nTitle: T\n\\\\\n  Abs.\n\\\\\n", &c, &err),
		  PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "\"not-an-id\" is not an arXiv id") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(
	    run_str("\\\\\narXiv:0704.0001\nDate: Someday\nTitle: T\n\\\\\n  A.\n\\\\\n", &c, &err),
	    PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "Date: \"Someday\" is not a date") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\narXiv:0704.0001\nDate (revised v3): 2 Apr 2007\n"
			  "Date (revised v2): 3 Apr 2007\nTitle: T\n\\\\\n  A.\n\\\\\n",
			  &c, &err),
		  PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "Date (revised v2) comes after") != NULL);

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\narXiv:0704.0001\nDate (revised vX): 2 Apr 2007\nTitle: T\n"
			  "\\\\\n  A.\n\\\\\n",
			  &c, &err),
		  PB_OK);
	CHECK_INT(c.bad, 1);

	/* no abstract: paper_validate says so */
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\narXiv:0704.0001\nTitle: T\n\\\\\n\\\\\n", &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "abstract") != NULL);
}

TEST(abs_hostile_invalid_utf8_and_controls)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	static const char text[] = "\\\\\narXiv:0704.0001\nTitle: Caf\xe9 \xff\xfe\x01 ok\n"
				   "Authors: N\0body\n\\\\\n  Ab\xc3\x28stract.\n\\\\\n";

	CHECK_INT(run_mem(text, sizeof(text) - 1, &c, &err), PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(c.got[0].title, "Caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD ok");
	CHECK_STR(c.got[0].authors, "Nbody");
	CHECK_STR(c.got[0].abstract_head, "Ab\xEF\xBF\xBD(stract.");
}

TEST(abs_hostile_huge_field)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	size_t big = 5u << 20, i, o;
	char *text = malloc(big + 256);

	CHECK(text != NULL);
	if (!text)
		return;
	/* one 5 MB line */
	o = (size_t)snprintf(text, 256, "\\\\\narXiv:0704.0001\nTitle: ");
	memset(text + o, 'x', big);
	o += big;
	o += (size_t)snprintf(text + o, 256, "\n\\\\\n  A.\n\\\\\n");
	CHECK_INT(run_mem(text, o, &c, &err), PB_ETOOBIG);
	CHECK(strstr(err.msg, "test.abs: line 3 is longer than") != NULL);
	CHECK_INT(c.good + c.bad, 0);

	/* 5 MB over many continuation lines */
	o = (size_t)snprintf(text, 256, "\\\\\narXiv:0704.0001\nTitle: x\n");
	for (i = 0; i + 80 < big; i += 80) {
		memset(text + o, ' ', 2);
		memset(text + o + 2, 'y', 77);
		text[o + 79] = '\n';
		o += 80;
	}
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_mem(text, o, &c, &err), PB_ETOOBIG);
	CHECK(strstr(err.msg, "larger than") != NULL);

	/* a 100 kB title fits the file limit but not the title limit */
	o = (size_t)snprintf(text, 256, "\\\\\narXiv:0704.0001\nTitle: ");
	memset(text + o, 'z', 100000);
	o += 100000;
	o += (size_t)snprintf(text + o, 256, "\n\\\\\n  A.\n\\\\\n");
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_mem(text, o, &c, &err), PB_OK);
	CHECK_INT(c.bad, 1);
	CHECK(strstr(c.why, "title") != NULL);
	free(text);
}

TEST(abs_hostile_binary_and_not_abs)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;
	unsigned char junk[4096];
	unsigned x = 12345;
	size_t i;
	char *deep;

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	junk[0] = 0x7f; /* not a gzip or zstd magic, not a dash */
	CHECK_INT(run_mem(junk, sizeof(junk), &c, &err), PB_EFORMAT);
	CHECK(strstr(err.msg, "not an arXiv .abs file") != NULL);
	CHECK_INT(c.good + c.bad, 0);

	deep = malloc(100000);
	CHECK(deep != NULL);
	if (deep) {
		memset(deep, '[', 100000);
		memset(&c, 0, sizeof(c));
		CHECK_INT(run_mem(deep, 100000, &c, &err), PB_EFORMAT);
		free(deep);
	}

	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("{\"id\": \"0704.0001\"}\n", &c, &err), PB_EFORMAT);

	/* garbage after the dashed line, inside the header and the abstract */
	memset(&c, 0, sizeof(c));
	CHECK_INT(run_str("\\\\\narXiv:0704.0001\n\x01\x02:\x03\n:::\n(((:\nTitle: T\n"
			  "   \xff stray continuation\n\\\\\n\\\\\n\\\\\n  A.\n\\\\\n\\\\\n",
			  &c, &err),
		  PB_OK);
	CHECK_INT(c.good, 1);
	CHECK_STR(c.got[0].title, "T \xEF\xBF\xBD stray continuation");
	CHECK(strstr(c.got[0].abstract_head, "A.") != NULL);
}

TEST(abs_sink_stops)
{
	struct abs_cap c = {0};
	struct pb_err err = PB_ERR_INIT;

	c.stop_rc = PB_EDB;
	CHECK_INT(run_fixture("arxiv/papers/0704/0704.0001.abs", &c, &err), PB_EDB);
	CHECK_INT(c.good, 1);
	CHECK(strstr(err.msg, "record 1") != NULL);
}
