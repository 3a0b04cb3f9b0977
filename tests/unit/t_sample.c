/* t_sample.c - a store holding the bundled sample, for the tests that
 * search or index real papers. */
#include "t.h"

#include "../../src/ingest/import.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store *t_sample_db(const char *name, char *path, size_t n)
{
	struct pb_err err = PB_ERR_INIT;
	struct import_opts opts;
	struct import_counts c;
	char src[512];
	const char *root = getenv("PB_ROOT");
	FILE *devnull = fopen("/dev/null", "w");
	struct store *st;
	memset(&opts, 0, sizeof(opts));
	memset(&c, 0, sizeof(c));
	opts.report = devnull;
	snprintf(path, n, "%s/%s.db", t_tmpdir(), name);
	st = store_open(path, &err);
	snprintf(src, sizeof(src), "%s/data/sample.jsonl.zst", root ? root : ".");
	if (!st) {
		printf("# %s: %s\n", path, err.msg);
	} else if (import_file(st, src, &opts, &c, &err)) {
		printf("# import of %s: %s\n", src, err.msg);
		store_close(st);
		st = NULL;
	}
	if (devnull)
		fclose(devnull);
	return st;
}
