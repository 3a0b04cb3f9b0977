/* fuzz/json.c - libFuzzer harness for the arena JSON reader and the
 * JSON-lines snapshot importer. */
#include "../src/core/json.h"
#include "../src/ingest/ingest.h"

#include <stddef.h>
#include <stdint.h>

static int on_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	(void)pos;
	(*(long *)ctx) += p->title != NULL;
	return 0;
}

static void on_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	(void)ctx;
	(void)pos;
	(void)reason;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	char why[160];
	long n = 0;
	struct ingest_sink sink = {on_paper, on_bad, &n};
	struct pb_err err = PB_ERR_INIT;
	struct stream *s;

	json_parse(&a, (const char *)data, size, why, sizeof(why));
	arena_release(&a);
	s = stream_open_mem(data, size, &err);
	if (s) {
		ingest_kaggle(s, "fuzz", &sink, &err);
		stream_close(s);
	}
	return 0;
}
