/* lex_index.c - lexical segments from the store: the main segment of every
 * paper (a file next to the database) and the fresh segment of the papers
 * changed since (in memory). */
#include "lex.h"

#include "../core/arena.h"
#include "../store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The moment LEX_WATERMARK_SLACK seconds ago, "YYYY-MM-DDTHH:MM:SSZ". */
static void watermark_now(char out[24])
{
	time_t t = time(NULL) - LEX_WATERMARK_SLACK;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct main_ctx {
	struct lex_builder *b;
	int64_t max_row;
	long n;
	void (*progress)(void *ctx, long n);
	void *pctx;
	struct pb_err *err;
};

static int main_add(void *ctx, long long row, const struct paper *p)
{
	struct main_ctx *m = ctx;
	if (row > m->max_row)
		m->max_row = row;
	if (++m->n % 10000 == 0 && m->progress)
		m->progress(m->pctx, m->n);
	return lex_builder_add(m->b, row, p, m->err);
}

int lex_build_main(struct store *st, const char *path, void (*progress)(void *ctx, long n),
		   void *ctx, struct lex_seg **out, struct pb_err *err)
{
	struct main_ctx m;
	struct arena a = ARENA_INIT;
	char tmp[1100], built[24];
	FILE *f = NULL;
	int rc;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	m.progress = progress;
	m.pctx = ctx;
	m.err = err;
	m.b = lex_builder_new(NULL);
	if (!m.b)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	watermark_now(built);
	rc = store_papers_scan(st, 0, NULL, &a, main_add, &m, err);
	if (rc)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = lex_builder_write(m.b, f, m.max_row, built, err);
	lex_builder_free(m.b);
	m.b = NULL;
	if (!rc && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	if (fclose(f) != 0 && !rc)
		rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	f = NULL;
	if (!rc && rename(tmp, path) != 0)
		rc = pb_err_set(err, PB_EIO, "%s: %s", path, strerror(errno));
	if (rc) {
		unlink(tmp);
		goto out;
	}
	rc = lex_seg_open_file(path, out, err);
out:
	lex_builder_free(m.b);
	arena_release(&a);
	return rc;
}

struct fresh_ctx {
	const struct lex_seg *main;
	struct lex_builder *b;
	uint64_t *dead;
	int64_t max_row;
	long max_docs;
	struct pb_err *err;
};

static int fresh_add(void *ctx, long long row, const struct paper *p)
{
	struct fresh_ctx *fc = ctx;
	const struct lex_seg *m = fc->main;
	long d = m->n_docs ? lex_seg_doc_of_row(m, row) : -1;
	if (d >= 0) {
		if (!p->deleted && m->chash[d] == lex_paper_hash(p))
			return PB_OK; /* indexed as it is */
		if (!fc->dead) {
			fc->dead = calloc(((size_t)m->n_docs + 63) / 64, sizeof(uint64_t));
			if (!fc->dead)
				return pb_err_set(fc->err, PB_ENOMEM, "out of memory");
		}
		fc->dead[d / 64] |= 1ULL << (d % 64);
	}
	if (p->deleted)
		return PB_OK;
	if ((long)lex_builder_docs(fc->b) >= fc->max_docs)
		return pb_err_set(fc->err, PB_ETOOBIG,
				  "more than %ld papers changed since the index "
				  "was built",
				  fc->max_docs);
	if (row > fc->max_row)
		fc->max_row = row;
	return lex_builder_add(fc->b, row, p, fc->err);
}

int lex_build_fresh(struct store *st, const struct lex_seg *main, long max_docs,
		    struct lex_seg **fresh, uint64_t **dead, struct pb_err *err)
{
	struct fresh_ctx fc;
	struct arena a = ARENA_INIT;
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*fresh = NULL;
	*dead = NULL;
	memset(&fc, 0, sizeof(fc));
	fc.main = main;
	fc.max_docs = max_docs;
	fc.err = err;
	fc.max_row = main->max_row;
	fc.b = lex_builder_new(&main->stats);
	if (!fc.b)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	rc = store_papers_scan(st, main->max_row, main->built[0] ? main->built : "0", &a, fresh_add,
			       &fc, err);
	if (rc || lex_builder_docs(fc.b) == 0)
		goto out;
	f = open_memstream(&buf, &len);
	if (!f) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	rc = lex_builder_write(fc.b, f, fc.max_row, main->built, err);
	if (fclose(f) != 0 && !rc)
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
	if (rc) {
		free(buf);
		goto out;
	}
	rc = lex_seg_open_mem(buf, len, fresh, err);
out:
	if (rc) {
		free(fc.dead);
		fc.dead = NULL;
	}
	*dead = fc.dead;
	lex_builder_free(fc.b);
	arena_release(&a);
	return rc;
}
