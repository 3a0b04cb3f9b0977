/* import.c - the import driver: a parser thread reads and checks records
 * while the calling thread writes them to the store, in batched
 * transactions. Records travel between the two in batches that own copies
 * of them (at most IMPORT_QUEUE batches in flight, so memory stays flat). */
#include "import.h"

#include "../core/progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_PAPERS 256
#define IMPORT_QUEUE 64

struct batch {
	struct arena arena;
	struct paper papers[BATCH_PAPERS];
	long record[BATCH_PAPERS];
	size_t n;
	struct batch *next;
};

struct import_run {
	const struct import_opts *opts;
	struct stream *s;
	const char *name;

	pthread_mutex_t mu;
	pthread_cond_t can_take, can_put;
	struct batch *head, *tail, *spare;
	size_t queued;
	int parse_done; /* producer finished */
	int stop;	/* consumer failed: producer should give up */

	/* producer side */
	struct batch *cur;
	long bad, reports;
	int parse_rc;
	struct pb_err parse_err;
	_Atomic uint64_t raw_pos;
};

static struct batch *batch_get(struct import_run *r)
{
	struct batch *b;
	pthread_mutex_lock(&r->mu);
	b = r->spare;
	if (b)
		r->spare = b->next;
	pthread_mutex_unlock(&r->mu);
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
	}
	b->n = 0;
	b->next = NULL;
	arena_reset(&b->arena);
	return b;
}

/* Hands the producer's current batch to the consumer; waits while the
 * queue is full. Returns PB_EDB when the consumer has stopped. */
static int batch_put(struct import_run *r)
{
	int stop;
	pthread_mutex_lock(&r->mu);
	while (r->queued >= IMPORT_QUEUE && !r->stop)
		pthread_cond_wait(&r->can_put, &r->mu);
	stop = r->stop;
	if (!stop && r->cur) {
		if (r->tail)
			r->tail->next = r->cur;
		else
			r->head = r->cur;
		r->tail = r->cur;
		r->queued++;
		r->cur = NULL;
		pthread_cond_signal(&r->can_take);
	}
	pthread_mutex_unlock(&r->mu);
	return stop ? PB_EDB : PB_OK;
}

static void on_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	struct import_run *r = ctx;
	FILE *out = r->opts->report ? r->opts->report : stderr;
	long max = r->opts->max_reports ? r->opts->max_reports : 20;
	r->bad++;
	if (++r->reports <= max) {
		if (pos->line > 0)
			fprintf(out, "%s:%ld: record %ld skipped: %s\n", pos->file, pos->line,
				pos->record, reason);
		else
			fprintf(out, "%s: record %ld skipped: %s\n", pos->file, pos->record,
				reason);
	}
}

static int on_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	struct import_run *r = ctx;
	int rc;

	if (!r->cur && !(r->cur = batch_get(r)))
		return PB_ENOMEM;
	if (paper_copy(&r->cur->papers[r->cur->n], p, &r->cur->arena))
		return PB_ENOMEM;
	r->cur->papers[r->cur->n].hash = paper_hash(p); /* on the reader's thread */
	r->cur->record[r->cur->n] = pos->record;
	if (++r->cur->n == BATCH_PAPERS) {
		atomic_store(&r->raw_pos, stream_pos_raw(r->s));
		rc = batch_put(r);
		if (rc)
			return rc;
	}
	return PB_OK;
}

static void *producer(void *arg)
{
	struct import_run *r = arg;
	struct ingest_sink sink = {on_paper, on_bad, r};

	r->parse_rc = ingest_stream(r->s, r->opts->format, r->name, &sink, &r->parse_err);
	atomic_store(&r->raw_pos, stream_pos_raw(r->s));
	if (r->cur && r->cur->n)
		batch_put(r);
	pthread_mutex_lock(&r->mu);
	if (r->cur) {
		r->cur->next = r->spare;
		r->spare = r->cur;
		r->cur = NULL;
	}
	r->parse_done = 1;
	pthread_cond_signal(&r->can_take);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Takes the next batch, or NULL when the producer is done and the queue empty. */
static struct batch *batch_take(struct import_run *r)
{
	struct batch *b;
	pthread_mutex_lock(&r->mu);
	while (!r->head && !r->parse_done)
		pthread_cond_wait(&r->can_take, &r->mu);
	b = r->head;
	if (b) {
		r->head = b->next;
		if (!r->head)
			r->tail = NULL;
		r->queued--;
		pthread_cond_signal(&r->can_put);
	}
	pthread_mutex_unlock(&r->mu);
	return b;
}

static void batch_recycle(struct import_run *r, struct batch *b)
{
	pthread_mutex_lock(&r->mu);
	b->next = r->spare;
	r->spare = b;
	pthread_mutex_unlock(&r->mu);
}

static void stop_producer(struct import_run *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_broadcast(&r->can_put);
	pthread_mutex_unlock(&r->mu);
}

static int store_batch(struct store *st, struct import_run *r, struct batch *b,
		       struct import_counts *counts, long *in_tx, long per_tx, struct pb_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		const struct paper *p = &b->papers[i];
		enum store_upsert res;
		if (r->opts->dry_run) {
			counts->new_papers++;
			continue;
		}
		if (*in_tx == 0 && (rc = store_begin(st, err)))
			return rc;
		(*in_tx)++;
		rc = store_paper_upsert(st, p, &res, err);
		if (rc) {
			pb_err_prefix(err, "%s: record %ld (%s)", r->name, b->record[i],
				      p->arxiv_id);
			return rc;
		}
		switch (res) {
		case STORE_NEW:
			counts->new_papers++;
			break;
		case STORE_UPDATED:
			counts->updated++;
			break;
		case STORE_UNCHANGED:
			counts->unchanged++;
			break;
		case STORE_OLDER:
			counts->older++;
			break;
		}
		if (*in_tx >= per_tx) {
			if ((rc = store_commit(st, err)))
				return rc;
			*in_tx = 0;
			if (r->opts->committed)
				r->opts->committed(r->opts->committed_ctx);
		}
	}
	return PB_OK;
}

static int run(struct store *st, struct stream *s, const char *name, const struct import_opts *opts,
	       struct import_counts *counts, struct pb_err *err)
{
	struct import_run r;
	struct progress pr;
	pthread_t th;
	struct batch *b;
	double t0 = progress_now();
	long in_tx = 0, per_tx = opts->batch > 0 ? opts->batch : 5000;
	uint64_t done = 0;
	int rc = PB_OK;

	memset(&r, 0, sizeof(r));
	r.opts = opts;
	r.s = s;
	r.name = name;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.can_take, NULL);
	pthread_cond_init(&r.can_put, NULL);
	if (opts->progress) {
		const char *base = strrchr(name, '/');
		progress_start(&pr, base ? base + 1 : name, stream_size_raw(s));
	}
	if (pthread_create(&th, NULL, producer, &r) != 0) {
		rc = pb_err_set(err, PB_ENOMEM, "cannot start the reader thread");
		goto out;
	}
	while ((b = batch_take(&r)) != NULL) {
		if (!rc) {
			rc = store_batch(st, &r, b, counts, &in_tx, per_tx, err);
			if (rc)
				stop_producer(&r);
		}
		done += b->n;
		batch_recycle(&r, b);
		if (opts->progress)
			progress_update(&pr, atomic_load(&r.raw_pos), done);
	}
	pthread_join(th, NULL);
	/* keep what was read before a failure: commit the open transaction */
	if (in_tx) {
		struct pb_err cerr = PB_ERR_INIT;
		if (store_commit(st, rc ? &cerr : err)) {
			store_rollback(st);
			if (!rc)
				rc = err->rc;
		} else if (opts->committed) {
			opts->committed(opts->committed_ctx);
		}
	}
	if (!rc && r.parse_rc) {
		rc = r.parse_rc;
		pb_err_set(err, rc, "%s", r.parse_err.msg);
	}
	if (opts->progress)
		progress_finish(&pr);
	{
		long max = opts->max_reports ? opts->max_reports : 20;
		if (r.reports > max)
			fprintf(opts->report ? opts->report : stderr,
				"%s: %ld more bad records not shown\n", name, r.reports - max);
	}
out:
	counts->bad += r.bad;
	counts->bytes += stream_pos(s);
	counts->seconds += progress_now() - t0;
	while (r.spare) {
		b = r.spare;
		r.spare = b->next;
		arena_release(&b->arena);
		free(b);
	}
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.can_take);
	pthread_cond_destroy(&r.can_put);
	return rc;
}

int import_file(struct store *st, const char *path, const struct import_opts *opts,
		struct import_counts *counts, struct pb_err *err)
{
	struct stream *s = stream_open_file(path, err);
	int rc;
	if (!s) {
		counts->files_failed++;
		return err ? err->rc : PB_EIO;
	}
	rc = run(st, s, path, opts, counts, err);
	if (rc)
		counts->files_failed++;
	stream_close(s);
	return rc;
}

int import_mem(struct store *st, const void *data, size_t n, const char *name,
	       const struct import_opts *opts, struct import_counts *counts, struct pb_err *err)
{
	struct stream *s = stream_open_mem(data, n, err);
	int rc;
	if (!s)
		return err ? err->rc : PB_ENOMEM;
	rc = run(st, s, name, opts, counts, err);
	stream_close(s);
	return rc;
}
