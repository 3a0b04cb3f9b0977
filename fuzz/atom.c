/* atom.c - libFuzzer harness for the arXiv API / listing feed importer (ingest_atom). */
#include "../src/ingest/ingest.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct counts {
	long papers, bad;
};

static int count_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct counts *c = ctx;
	/* touch what a real sink reads, so the sanitizers see every string */
	volatile size_t n = strlen(p->arxiv_id) + (p->title ? strlen(p->title) : 0) +
			    (p->abstract ? strlen(p->abstract) : 0) +
			    (p->authors ? strlen(p->authors) : 0) + (size_t)pos->line;
	(void)n;
	c->papers++;
	return PB_OK;
}

static void count_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct counts *c = ctx;
	(void)pos;
	(void)reason;
	c->bad++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counts c = {0, 0};
	struct ingest_sink sink = {count_paper, count_bad, &c};
	struct pb_err err = PB_ERR_INIT;
	struct stream *s = stream_open_mem(data, size, &err);

	if (!s)
		return 0;
	ingest_atom(s, "fuzz", &sink, &err);
	stream_close(s);
	return 0;
}
