/* fuzz/oai.c - libFuzzer harness for the OAI-PMH page parser (oai_parse_page):
 * any input must end in PB_OK or an error, never a crash, leak or hang. */
#include "../src/core/stream.h"
#include "../src/ingest/oai.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct counts {
	long papers, bad;
	size_t bytes;
};

static size_t len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Reads every string of the borrowed paper so the sanitizers see them. */
static int count_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct counts *c = ctx;
	size_t i, n = len(p->arxiv_id) + len(p->title) + len(p->abstract) + len(p->authors) +
		      len(p->comments) + len(p->journal_ref) + len(p->doi) + len(p->report_no) +
		      len(p->msc_class) + len(p->acm_class) + len(p->license) +
		      len(p->submitter) + len(p->published) + len(p->updated) + len(p->source);

	for (i = 0; i < p->n_authors; i++)
		n += len(p->author_list[i].name) + len(p->author_list[i].keyname) +
		     len(p->author_list[i].forenames) + len(p->author_list[i].suffix) +
		     len(p->author_list[i].affiliation);
	for (i = 0; i < p->n_categories; i++)
		n += len(p->categories[i]);
	for (i = 0; i < p->n_versions; i++)
		n += len(p->versions[i].created) + len(p->versions[i].size);
	c->papers++;
	c->bytes += n + (size_t)(pos->line > 0);
	return PB_OK;
}

static void count_bad(void *ctx, const struct ingest_pos *pos, const char *why)
{
	struct counts *c = ctx;
	c->bad++;
	c->bytes += strlen(why) + (size_t)(pos->record > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counts c = {0, 0, 0};
	struct ingest_sink sink = {count_paper, count_bad, &c};
	struct pb_err err = PB_ERR_INIT;
	struct oai_page page;
	struct stream *s = stream_open_mem(data, size, &err);

	if (!s)
		return 0;
	if (oai_parse_page(s, "fuzz", &sink, &page, &err) != PB_OK && !err.msg[0])
		__builtin_trap(); /* every error carries a message */
	stream_close(s);
	return 0;
}
