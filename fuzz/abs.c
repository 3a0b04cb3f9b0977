/* abs.c - libFuzzer harness for the arXiv .abs importer (ingest/abs.c). */
#include "../src/ingest/ingest.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_count {
	long good, bad;
	size_t bytes;
};

/* Reads every string the record carries, so sanitizers see bad pointers. */
static int count_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct fuzz_count *c = ctx;
	size_t i;
	c->good++;
	c->bytes += strlen(p->arxiv_id) + strlen(p->title) + strlen(p->abstract);
	if (p->authors)
		c->bytes += strlen(p->authors);
	for (i = 0; i < p->n_authors; i++)
		c->bytes += strlen(p->author_list[i].name);
	for (i = 0; i < p->n_categories; i++)
		c->bytes += strlen(p->categories[i]);
	for (i = 0; i < p->n_versions; i++)
		c->bytes += strlen(p->versions[i].created) +
			    (p->versions[i].size ? strlen(p->versions[i].size) : 0);
	if (p->submitter)
		c->bytes += strlen(p->submitter);
	if (p->published)
		c->bytes += strlen(p->published);
	if (p->updated)
		c->bytes += strlen(p->updated);
	return PB_OK;
}

static void count_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct fuzz_count *c = ctx;
	c->bad++;
	c->bytes += strlen(reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_count c = {0, 0, 0};
	struct ingest_sink sink = {count_paper, count_bad, &c};
	struct pb_err err = PB_ERR_INIT;
	struct stream *s = stream_open_mem(data, size, &err);
	if (!s)
		return 0;
	ingest_abs(s, "fuzz.abs", &sink, &err);
	stream_close(s);
	return 0;
}
