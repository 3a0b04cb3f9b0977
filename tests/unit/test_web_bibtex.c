/* test_web_bibtex.c - BibTeX entries and keys of the paper page. */
#include "t.h"

#include "../../src/core/err.h"
#include "../../src/store/paper.h"
#include "../../src/web/pages.h"

#include <stdio.h>
#include <string.h>

static void sample_paper(struct paper *p, struct paper_author *au, char **cats)
{
	paper_init(p);
	snprintf(p->arxiv_id, sizeof(p->arxiv_id), "1706.03762");
	p->title = "Attention Is All You Need";
	au[0].name = "Ashish Vaswani";
	au[0].keyname = "Vaswani";
	au[0].forenames = "Ashish";
	au[1].name = "Noam Shazeer";
	p->author_list = au;
	p->n_authors = 2;
	cats[0] = "cs.CL";
	cats[1] = "cs.LG";
	p->categories = cats;
	p->n_categories = 2;
	p->published = "2017-06-12";
	p->doi = "10.48550/arXiv.1706.03762";
}

/* 1 when braces nest properly and close at the end. */
static int balanced(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '{')
			depth++;
		if (*s == '}' && --depth < 0)
			return 0;
	}
	return depth == 0;
}

TEST(web_bibtex_entry)
{
	struct paper p;
	struct paper_author au[2];
	char *cats[2];
	struct buf b;
	memset(au, 0, sizeof(au));
	sample_paper(&p, au, cats);
	buf_init(&b, 0);
	CHECK_INT(web_bibtex(&b, &p), PB_OK);
	CHECK(strncmp(b.data, "@misc{vaswani2017attention,\n", 28) == 0);
	CHECK(strstr(b.data, "title={Attention Is All You Need}") != NULL);
	CHECK(strstr(b.data, "author={Vaswani, Ashish and Noam Shazeer}") != NULL);
	CHECK(strstr(b.data, "year={2017}") != NULL);
	CHECK(strstr(b.data, "eprint={1706.03762}") != NULL);
	CHECK(strstr(b.data, "archivePrefix={arXiv}") != NULL);
	CHECK(strstr(b.data, "primaryClass={cs.CL}") != NULL);
	CHECK(strstr(b.data, "doi={10.48550/arXiv.1706.03762}") != NULL);
	CHECK(strstr(b.data, "url={https://arxiv.org/abs/1706.03762}") != NULL);
	CHECK(balanced(b.data));
	CHECK(b.data[b.len - 2] == '}');
	buf_release(&b);
}

TEST(web_bibtex_keeps_latex_and_balances)
{
	struct paper p;
	struct paper_author au[2];
	char *cats[2], key[96];
	struct buf b;
	memset(au, 0, sizeof(au));
	sample_paper(&p, au, cats);
	p.title = "The $\\{x\\}$ of {RNA} & 50% of #1";
	buf_init(&b, 0);
	web_bibtex(&b, &p);
	CHECK(strstr(b.data, "title={The $\\{x\\}$ of {RNA} \\& 50\\% of \\#1}") != NULL);
	CHECK(balanced(b.data));
	buf_reset(&b);
	p.title = "Evil}, note={injected";
	web_bibtex(&b, &p);
	CHECK(strstr(b.data, "title={Evil, note=injected}") != NULL);
	CHECK(strstr(b.data, "note={") == NULL);
	CHECK(balanced(b.data));
	buf_reset(&b);
	/* old-style id, no authors, no date: key from the id */
	paper_init(&p);
	snprintf(p.arxiv_id, sizeof(p.arxiv_id), "hep-th/9108002");
	p.title = "On the theory";
	web_bibtex_key(&p, key, sizeof(key));
	CHECK_STR(key, "arxivhepth9108002");
	web_bibtex(&b, &p);
	CHECK(strstr(b.data, "eprint={hep-th/9108002}") != NULL);
	CHECK(balanced(b.data));
	buf_release(&b);
}

TEST(web_bibtex_key_skips_stop_words)
{
	struct paper p;
	struct paper_author au[2];
	char *cats[2], key[96];
	memset(au, 0, sizeof(au));
	sample_paper(&p, au, cats);
	p.title = "On the Müller-Effect: a study";
	au[0].keyname = "Müller";
	web_bibtex_key(&p, key, sizeof(key));
	CHECK_STR(key, "muller2017muller");
	p.title = "";
	web_bibtex_key(&p, key, sizeof(key));
	CHECK_STR(key, "muller2017");
}
