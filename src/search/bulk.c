/* bulk.c - builds the main lexical segment while an import writes the
 * store (bulk.h). Three stages: a reader thread copies the papers of each
 * commit out of the store at once (so its reads stay short and the
 * store's write-ahead log can start over between commits); a worker
 * thread, at a lower priority so the import goes first, makes their words
 * and adds them to the builder; at the end, what the worker has not done
 * (and the papers the reader has not read) is done on two threads at full
 * priority while a check reads again the papers changed since the first
 * read, then the file is written. */
#include "bulk.h"
#include "engine.h"

#include "lex.h"

#include "../core/arena.h"
#include "../store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BULK_DOCS 256 /* papers per batch */
#define BULK_NICE 10  /* the worker's nice value: the import first */
#define BULK_QUEUE 64 /* batches waiting for the worker before the reader waits */

/* Batches of papers read, waiting for the worker, oldest first. */
struct queue {
	struct lex_batch **item;
	size_t head, n, cap;
};

struct bulk_index {
	char path[1200], db[1024];
	struct store *st; /* the reader's connection */
	struct lex_builder *b;
	struct arena a;
	char first[24];	  /* watermark of the first read */
	int64_t last_row; /* largest row id read */
	struct lex_batch *cur;
	int last_read; /* the reader's read after the import: all the rest */
	int paused;    /* the reader stopped a read: the worker is behind */
	size_t queued; /* batches waiting after the reader's last hand-over */

	pthread_mutex_t mu;
	pthread_cond_t wake_reader, wake_worker;
	pthread_t reader, worker;
	int reader_on, worker_on;
	struct queue q;				 /* guarded by mu */
	int pending, finishing, stop, read_done; /* guarded by mu */
	atomic_int hurry;			 /* the import is done: the worker stops */
	int read_rc, work_rc;
	struct pb_err read_err, work_err;
};

static int queue_push(struct queue *q, struct lex_batch *bt)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64, k;
		struct lex_batch **item = malloc(cap * sizeof(*item));
		if (!item)
			return PB_ENOMEM;
		for (k = 0; k < q->n; k++)
			item[k] = q->item[(q->head + k) % q->cap];
		free(q->item);
		q->item = item;
		q->cap = cap;
		q->head = 0;
	}
	q->item[(q->head + q->n) % q->cap] = bt;
	q->n++;
	return PB_OK;
}

static struct lex_batch *queue_pop(struct queue *q)
{
	struct lex_batch *bt;
	if (!q->n)
		return NULL;
	bt = q->item[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return bt;
}

/* ---- the reader ---- */

/* Hands the reader's batch to the worker. */
static int hand_over(struct bulk_index *bi)
{
	int rc;
	if (!bi->cur || !lex_batch_docs(bi->cur))
		return PB_OK;
	pthread_mutex_lock(&bi->mu);
	rc = queue_push(&bi->q, bi->cur);
	bi->queued = bi->q.n;
	pthread_cond_signal(&bi->wake_worker);
	pthread_mutex_unlock(&bi->mu);
	if (rc)
		return pb_err_set(&bi->read_err, rc, "out of memory");
	bi->cur = NULL;
	return PB_OK;
}

static int read_one(void *ctx, long long row, const struct paper *p)
{
	struct bulk_index *bi = ctx;
	int rc;
	if (row > bi->last_row)
		bi->last_row = row;
	if (!bi->cur && !(bi->cur = lex_batch_new()))
		return pb_err_set(&bi->read_err, PB_ENOMEM, "out of memory");
	if ((rc = lex_batch_add_raw(bi->cur, row, p)))
		return pb_err_set(&bi->read_err, rc, "out of memory");
	if (lex_batch_docs(bi->cur) < BULK_DOCS)
		return PB_OK;
	if ((rc = hand_over(bi)))
		return rc;
	/* the rest waits in the store until the worker has caught up */
	if (!bi->last_read && bi->queued >= BULK_QUEUE) {
		bi->paused = 1;
		return PB_EBUSY;
	}
	return PB_OK;
}

/* Copies the papers committed since the last read. */
static int read_new(struct bulk_index *bi)
{
	int rc;
	if (!bi->first[0])
		lex_watermark_now(bi->first);
	bi->paused = 0;
	rc = store_papers_scan(bi->st, bi->last_row, NULL, &bi->a, read_one, bi, &bi->read_err);
	if (rc == PB_EBUSY && bi->paused) {
		rc = PB_OK;
		pthread_mutex_lock(&bi->mu);
		bi->pending = 1; /* read on when the worker has caught up */
		pthread_mutex_unlock(&bi->mu);
	}
	if (!rc)
		rc = hand_over(bi);
	return rc;
}

static void *reader_main(void *arg)
{
	struct bulk_index *bi = arg;
	for (;;) {
		int last;
		pthread_mutex_lock(&bi->mu);
		/* papers not read yet wait in the store, not in memory */
		while ((!bi->pending || bi->q.n >= BULK_QUEUE) && !bi->finishing && !bi->stop)
			pthread_cond_wait(&bi->wake_reader, &bi->mu);
		last = bi->last_read = bi->finishing;
		bi->pending = 0;
		if (bi->stop) {
			pthread_mutex_unlock(&bi->mu);
			break;
		}
		pthread_mutex_unlock(&bi->mu);
		if ((bi->read_rc = read_new(bi)) != PB_OK || last)
			break;
	}
	pthread_mutex_lock(&bi->mu);
	bi->read_done = 1;
	pthread_cond_signal(&bi->wake_worker);
	pthread_mutex_unlock(&bi->mu);
	return NULL;
}

/* ---- the worker ---- */

/* Makes the words of bt and adds it. */
static int work_on(struct bulk_index *bi, struct lex_batch *bt, struct pb_err *err)
{
	int rc = lex_batch_analyse(bt);
	if (rc)
		return pb_err_set(err, rc, "out of memory");
	return lex_builder_add_batch(bi->b, bt, err);
}

static void *worker_main(void *arg)
{
	struct bulk_index *bi = arg;
	setpriority(PRIO_PROCESS, (id_t)gettid(), BULK_NICE);
	for (;;) {
		struct lex_batch *bt;
		pthread_mutex_lock(&bi->mu);
		while (!bi->q.n && !bi->read_done && !atomic_load(&bi->hurry))
			pthread_cond_wait(&bi->wake_worker, &bi->mu);
		bt = atomic_load(&bi->hurry) ? NULL : queue_pop(&bi->q);
		if (bt && bi->q.n < BULK_QUEUE / 2)
			pthread_cond_signal(&bi->wake_reader);
		pthread_mutex_unlock(&bi->mu);
		if (!bt)
			return NULL;
		bi->work_rc = work_on(bi, bt, &bi->work_err);
		lex_batch_free(bt);
		if (bi->work_rc)
			return NULL;
	}
}

/* ---- life cycle ---- */

static void free_bulk(struct bulk_index *bi)
{
	struct lex_batch *bt;
	while ((bt = queue_pop(&bi->q)) != NULL)
		lex_batch_free(bt);
	free(bi->q.item);
	lex_batch_free(bi->cur);
	lex_builder_free(bi->b);
	arena_release(&bi->a);
	store_close(bi->st);
	pthread_mutex_destroy(&bi->mu);
	pthread_cond_destroy(&bi->wake_reader);
	pthread_cond_destroy(&bi->wake_worker);
	free(bi);
}

int bulk_index_start(const char *db_path, const char *dir, struct bulk_index **out,
		     struct pb_err *err)
{
	struct bulk_index *bi;
	int rc;
	*out = NULL;
	if ((rc = engine_make_dirs(dir, err)))
		return rc;
	if (!(bi = calloc(1, sizeof(*bi))))
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	pthread_mutex_init(&bi->mu, NULL);
	pthread_cond_init(&bi->wake_reader, NULL);
	pthread_cond_init(&bi->wake_worker, NULL);
	snprintf(bi->path, sizeof(bi->path), "%s/lex", dir);
	snprintf(bi->db, sizeof(bi->db), "%s", db_path);
	if (!(bi->b = lex_builder_new(NULL))) {
		free_bulk(bi);
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	}
	if (!(bi->st = store_open(db_path, err))) {
		free_bulk(bi);
		return err->rc ? err->rc : PB_EDB;
	}
	if (pthread_create(&bi->reader, NULL, reader_main, bi) != 0) {
		free_bulk(bi);
		return pb_err_set(err, PB_ENOMEM, "cannot start the search index thread");
	}
	bi->reader_on = 1;
	/* without a worker, the batches wait for the end */
	bi->worker_on = pthread_create(&bi->worker, NULL, worker_main, bi) == 0;
	*out = bi;
	return PB_OK;
}

void bulk_index_committed(struct bulk_index *bi)
{
	if (!bi)
		return;
	pthread_mutex_lock(&bi->mu);
	bi->pending = 1;
	pthread_cond_signal(&bi->wake_reader);
	pthread_mutex_unlock(&bi->mu);
}

/* Ends the threads: the reader after one last read (finish) or at once,
 * the worker after its batch. */
static void end_threads(struct bulk_index *bi, int finish)
{
	pthread_mutex_lock(&bi->mu);
	if (finish)
		bi->finishing = 1;
	else
		bi->stop = 1;
	atomic_store(&bi->hurry, 1);
	pthread_cond_signal(&bi->wake_reader);
	pthread_cond_signal(&bi->wake_worker);
	pthread_mutex_unlock(&bi->mu);
	if (bi->worker_on)
		pthread_join(bi->worker, NULL);
	if (bi->reader_on)
		pthread_join(bi->reader, NULL);
	bi->worker_on = bi->reader_on = 0;
}

void bulk_index_abort(struct bulk_index *bi)
{
	if (!bi)
		return;
	end_threads(bi, 0);
	free_bulk(bi);
}

/* ---- the end: the rest on two threads ---- */

struct drain {
	struct bulk_index *bi;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct queue done; /* analysed, for the builder */
	int finished, rc;
	struct pb_err err;
};

static void *drain_analyse(void *arg)
{
	struct drain *dr = arg;
	struct lex_batch *bt;
	while ((bt = queue_pop(&dr->bi->q)) != NULL) {
		int rc = lex_batch_analyse(bt);
		pthread_mutex_lock(&dr->mu);
		if (!rc)
			rc = queue_push(&dr->done, bt);
		if (rc) {
			lex_batch_free(bt);
			dr->rc = pb_err_set(&dr->err, rc, "out of memory");
		}
		pthread_cond_signal(&dr->cv);
		pthread_mutex_unlock(&dr->mu);
		if (rc)
			break;
	}
	pthread_mutex_lock(&dr->mu);
	dr->finished = 1;
	pthread_cond_signal(&dr->cv);
	pthread_mutex_unlock(&dr->mu);
	return NULL;
}

/* Adds the batches the worker left: their words made on a second thread
 * while this one adds them. */
static int drain(struct bulk_index *bi, struct pb_err *err)
{
	struct drain dr;
	pthread_t th;
	int rc = PB_OK, threaded;
	memset(&dr, 0, sizeof(dr));
	dr.bi = bi;
	pthread_mutex_init(&dr.mu, NULL);
	pthread_cond_init(&dr.cv, NULL);
	threaded = pthread_create(&th, NULL, drain_analyse, &dr) == 0;
	if (!threaded)
		drain_analyse(&dr);
	for (;;) {
		struct lex_batch *bt;
		pthread_mutex_lock(&dr.mu);
		while (!dr.done.n && !dr.finished)
			pthread_cond_wait(&dr.cv, &dr.mu);
		bt = queue_pop(&dr.done);
		pthread_mutex_unlock(&dr.mu);
		if (!bt)
			break;
		if (!rc)
			rc = lex_builder_add_batch(bi->b, bt, err);
		lex_batch_free(bt);
	}
	if (threaded)
		pthread_join(th, NULL);
	if (!rc && dr.rc)
		rc = pb_err_set(err, dr.rc, "%s", dr.err.msg);
	free(dr.done.item);
	pthread_mutex_destroy(&dr.mu);
	pthread_cond_destroy(&dr.cv);
	return rc;
}

/* ---- the check: papers changed since the reader read them ---- */

/* A paper changed since the first read, as the store has it now. */
struct changed {
	int64_t row;
	uint64_t hash;
	int deleted;
};

struct check {
	struct bulk_index *bi;
	struct store *st; /* a connection of its own */
	int64_t last_row;
	struct arena a;
	struct changed *list;
	size_t n, cap;
	int rc;
	struct pb_err err;
	pthread_t thread;
};

static int check_one(void *ctx, long long row, const struct paper *p)
{
	struct check *c = ctx;
	if (row > c->last_row)
		return PB_OK; /* new since: the fresh segment's, by its row id */
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		struct changed *nl = realloc(c->list, cap * sizeof(*nl));
		if (!nl)
			return pb_err_set(&c->err, PB_ENOMEM, "out of memory");
		c->list = nl;
		c->cap = cap;
	}
	c->list[c->n].row = row;
	c->list[c->n].deleted = p->deleted;
	c->list[c->n++].hash = p->deleted ? 0 : lex_paper_hash(p);
	return PB_OK;
}

/* Reads every paper changed since the first read (a scan as the fresh
 * segment's), to compare with what was indexed once it is all added. */
static void *check_main(void *arg)
{
	struct check *c = arg;
	c->rc = store_papers_scan(c->st, c->last_row, c->bi->first, &c->a, check_one, c, &c->err);
	arena_release(&c->a);
	return NULL;
}

/* 1 when a paper the check read differs from its indexed version. */
static int check_stale(const struct check *c, const struct lex_builder *b)
{
	size_t k;
	for (k = 0; k < c->n; k++) {
		uint64_t h;
		int have = lex_builder_row_hash(b, c->list[k].row, &h);
		if (c->list[k].deleted ? have : !have || h != c->list[k].hash)
			return 1;
	}
	return 0;
}

int bulk_index_finish(struct bulk_index *bi, struct bulk_result *res, struct pb_err *err)
{
	struct check c;
	char built[24], tmp[1100];
	int rc, checking = 0;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	/* the papers not read yet are read below, at full speed */
	end_threads(bi, 0);
	if (bi->read_rc || bi->work_rc) {
		rc = bi->read_rc ? pb_err_set(err, bi->read_rc, "%s", bi->read_err.msg)
				 : pb_err_set(err, bi->work_rc, "%s", bi->work_err.msg);
		goto out;
	}
	if (!bi->first[0])
		lex_watermark_now(bi->first);
	/* papers changed from here on are the fresh segment's; the check reads
	 * those changed before while the rest is added */
	lex_watermark_now(built);
	c.bi = bi;
	c.last_row = bi->last_row;
	c.a = (struct arena)ARENA_INIT;
	if (!(c.st = store_open(bi->db, err))) {
		rc = err->rc ? err->rc : PB_EDB;
		goto out;
	}
	if (pthread_create(&c.thread, NULL, check_main, &c) == 0)
		checking = 1;
	else
		check_main(&c);
	rc = drain(bi, err);
	if (!rc) {
		int64_t max_row;
		rc = lex_builder_fill(bi->st, bi->last_row, bi->b, NULL, NULL, &max_row, err);
		if (!rc && max_row > bi->last_row)
			bi->last_row = max_row;
	}
	if (checking)
		pthread_join(c.thread, NULL);
	if (rc)
		goto out;
	if (c.rc) {
		rc = pb_err_set(err, c.rc, "%s", c.err.msg);
		goto out;
	}
	if (check_stale(&c, bi->b)) {
		res->stale = 1;
		goto out;
	}
	res->docs = lex_builder_docs(bi->b);
	if ((rc = lex_builder_save(bi->b, bi->path, bi->last_row, built, tmp, err)))
		goto out;
	if (rename(tmp, bi->path) != 0) {
		rc = pb_err_set(err, PB_EIO, "%s: %s", bi->path, strerror(errno));
		unlink(tmp);
		goto out;
	}
out:
	store_close(c.st);
	free(c.list);
	free_bulk(bi);
	return rc;
}
