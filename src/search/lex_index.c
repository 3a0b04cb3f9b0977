/* lex_index.c - lexical segments from the store: the main segment of every
 * paper (a file next to the database) and the fresh segment of the papers
 * changed since (in memory). A main build reads the store on one thread
 * (scan and words) and builds on another. */
#include "lex.h"

#include "../core/arena.h"
#include "../store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void lex_watermark_now(char out[24])
{
	time_t t = time(NULL) - LEX_WATERMARK_SLACK;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Removes the temporary files (NAME.tmp.PID) that builds of path by
 * processes no longer running left behind (killed while writing). */
static void remove_stale_tmp(const char *path)
{
	char dir[1100], name[256], full[1400];
	const char *slash = strrchr(path, '/');
	size_t nlen;
	DIR *d;
	struct dirent *de;
	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		snprintf(name, sizeof(name), "%s.tmp.", slash + 1);
	} else {
		snprintf(dir, sizeof(dir), ".");
		snprintf(name, sizeof(name), "%s.tmp.", path);
	}
	nlen = strlen(name);
	if (!(d = opendir(dir[0] ? dir : "/")))
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;
		if (strncmp(de->d_name, name, nlen) != 0)
			continue;
		pid = strtol(de->d_name + nlen, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its build may still be running */
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		unlink(full);
	}
	closedir(d);
}

int lex_builder_save(struct lex_builder *b, const char *path, int64_t max_row, const char *built,
		     char tmp[1100], struct pb_err *err)
{
	FILE *f;
	int rc;
	remove_stale_tmp(path);
	snprintf(tmp, 1100, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f)
		return pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	rc = lex_builder_write(b, f, max_row, built, err);
	if (!rc && fflush(f) != 0)
		rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	/* The index is a cache of the store: its writing out is started, not
	 * waited for (a file a crash leaves torn fails its checks and is
	 * rebuilt). */
	if (!rc)
		sync_file_range(fileno(f), 0, 0, SYNC_FILE_RANGE_WRITE);
	if (fclose(f) != 0 && !rc)
		rc = pb_err_set(err, PB_EIO, "%s: %s", tmp, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

/* ---- the main segment: a reader thread and the builder ---- */

#define PIPE_DOCS 256 /* papers per batch */
#define PIPE_DEPTH 8  /* batches in flight */

struct pipe {
	struct store *st;
	int64_t after_row;
	pthread_mutex_t mu;
	pthread_cond_t can_take, can_put;
	struct lex_batch *queue[PIPE_DEPTH];
	size_t head, n; /* the queue of full batches */
	struct lex_batch *spare[PIPE_DEPTH + 2];
	size_t n_spare;
	int done, stop;

	/* the reader's */
	struct lex_batch *cur;
	int64_t max_row;
	long n_read;
	void (*progress)(void *ctx, long n);
	void *pctx;
	int rc;
	struct pb_err err;
};

/* Hands the reader's full batch over and takes an empty one. PB_EBUSY
 * when the builder has stopped. */
static int pipe_put(struct pipe *pp)
{
	int rc = PB_OK;
	pthread_mutex_lock(&pp->mu);
	while (pp->n == PIPE_DEPTH && !pp->stop)
		pthread_cond_wait(&pp->can_put, &pp->mu);
	if (pp->stop) {
		rc = PB_EBUSY;
	} else {
		pp->queue[(pp->head + pp->n) % PIPE_DEPTH] = pp->cur;
		pp->n++;
		pp->cur = pp->n_spare ? pp->spare[--pp->n_spare] : NULL;
		pthread_cond_signal(&pp->can_take);
	}
	pthread_mutex_unlock(&pp->mu);
	if (!rc && !pp->cur && !(pp->cur = lex_batch_new()))
		rc = PB_ENOMEM;
	if (pp->cur)
		lex_batch_reset(pp->cur);
	return rc;
}

static int pipe_read_one(void *ctx, long long row, const struct paper *p)
{
	struct pipe *pp = ctx;
	int rc;
	if (row > pp->max_row)
		pp->max_row = row;
	if (++pp->n_read % 10000 == 0 && pp->progress)
		pp->progress(pp->pctx, pp->n_read);
	if ((rc = lex_batch_add(pp->cur, row, p)))
		return pb_err_set(&pp->err, rc, "out of memory");
	if (lex_batch_docs(pp->cur) >= PIPE_DOCS && (rc = pipe_put(pp)))
		return rc == PB_EBUSY ? rc : pb_err_set(&pp->err, rc, "out of memory");
	return PB_OK;
}

static void *pipe_reader(void *arg)
{
	struct pipe *pp = arg;
	struct arena a = ARENA_INIT;
	pp->rc = store_papers_scan(pp->st, pp->after_row, NULL, &a, pipe_read_one, pp, &pp->err);
	if (!pp->rc && lex_batch_docs(pp->cur))
		pp->rc = pipe_put(pp);
	arena_release(&a);
	pthread_mutex_lock(&pp->mu);
	pp->done = 1;
	pthread_cond_signal(&pp->can_take);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* The next full batch, or NULL at the end. */
static struct lex_batch *pipe_take(struct pipe *pp)
{
	struct lex_batch *bt = NULL;
	pthread_mutex_lock(&pp->mu);
	while (!pp->n && !pp->done)
		pthread_cond_wait(&pp->can_take, &pp->mu);
	if (pp->n) {
		bt = pp->queue[pp->head];
		pp->head = (pp->head + 1) % PIPE_DEPTH;
		pp->n--;
		pthread_cond_signal(&pp->can_put);
	}
	pthread_mutex_unlock(&pp->mu);
	return bt;
}

static void pipe_give_back(struct pipe *pp, struct lex_batch *bt)
{
	pthread_mutex_lock(&pp->mu);
	if (pp->n_spare < PIPE_DEPTH + 2)
		pp->spare[pp->n_spare++] = bt;
	else
		lex_batch_free(bt);
	pthread_mutex_unlock(&pp->mu);
}

int lex_builder_fill(struct store *st, int64_t after_row, struct lex_builder *b,
		     void (*progress)(void *ctx, long n), void *ctx, int64_t *max_row,
		     struct pb_err *err)
{
	struct pipe pp;
	struct lex_batch *bt;
	pthread_t th;
	int rc = PB_OK;
	size_t k;

	memset(&pp, 0, sizeof(pp));
	pp.st = st;
	pp.after_row = after_row;
	pp.max_row = after_row;
	pp.progress = progress;
	pp.pctx = ctx;
	if (!(pp.cur = lex_batch_new()))
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.can_take, NULL);
	pthread_cond_init(&pp.can_put, NULL);
	if (pthread_create(&th, NULL, pipe_reader, &pp) != 0) {
		rc = pb_err_set(err, PB_ENOMEM, "cannot start the search index reader");
		goto out;
	}
	while ((bt = pipe_take(&pp)) != NULL) {
		if (!rc && (rc = lex_builder_add_batch(b, bt, err))) {
			pthread_mutex_lock(&pp.mu);
			pp.stop = 1;
			pthread_cond_broadcast(&pp.can_put);
			pthread_mutex_unlock(&pp.mu);
		}
		pipe_give_back(&pp, bt);
	}
	pthread_join(th, NULL);
	if (!rc && pp.rc) {
		rc = pp.rc;
		pb_err_set(err, rc, "%s", pp.err.msg);
	}
	*max_row = pp.max_row;
out:
	lex_batch_free(pp.cur);
	for (k = 0; k < pp.n_spare; k++)
		lex_batch_free(pp.spare[k]);
	pthread_mutex_destroy(&pp.mu);
	pthread_cond_destroy(&pp.can_take);
	pthread_cond_destroy(&pp.can_put);
	return rc;
}

int lex_build_main(struct store *st, const char *path, void (*progress)(void *ctx, long n),
		   void *ctx, struct lex_seg **out, struct pb_err *err)
{
	struct lex_builder *b;
	char tmp[1100], built[24];
	int64_t max_row = 0;
	int rc;

	*out = NULL;
	b = lex_builder_new(NULL);
	if (!b)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	lex_watermark_now(built);
	rc = lex_builder_fill(st, 0, b, progress, ctx, &max_row, err);
	if (!rc)
		rc = lex_builder_save(b, path, max_row, built, tmp, err);
	lex_builder_free(b);
	if (rc)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = pb_err_set(err, PB_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	return lex_seg_open_file(path, out, err);
}

/* ---- the fresh segment ---- */

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
