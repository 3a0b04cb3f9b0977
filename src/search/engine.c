/* engine.c - the search engine: opens (or builds) the index files of a
 * database, keeps a snapshot of main segment + fresh segment + vectors,
 * refreshes it as the store changes, answers lexical, semantic and hybrid
 * searches and similar-paper requests, and serves them through the search
 * interface. Files in the index folder (DB.idx/ next to a SQLite file, or
 * the folder the caller names): lex (lexical segment, lex_build.c),
 * vec.model and vec.docs (semantic vectors, vec_train.c and vec_index.c). */
#include "engine.h"

#include "snippet.h"
#include "vec.h"
#include "vec_int.h"

#include "../core/arxiv.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FRESH_MIN                                                                                  \
	20000 /* the fresh segment may hold this many papers, or a tenth of the main one */

/* What changes only with a rebuild: shared by snapshots, counted. */
struct base {
	int refs;
	struct lex_seg *main;
	struct vec_model *model;
	struct vec_docs *vmain;
	/* arXiv id -> main docid, built on first use */
	uint32_t *id_slot; /* docid + 1, 0 empty */
	uint32_t id_mask;
	struct stat lex_stat; /* of the lex file when opened */
	int unverified;	      /* opened without the data checksums (the watcher checks) */
};

/* What a search sees. */
struct snap {
	int refs;
	struct base *base;
	struct lex_seg *fresh;
	uint64_t *dead;
	struct vec_docs *vfresh;
	struct lex_view views[2];
	const struct vec_docs *vd[2];
	unsigned nv;
};

struct engine {
	struct search_engine iface;
	struct engine_opts opts;
	char db[1024], dir[1100], lex_path[1200], model_path[1200], docs_path[1200];
	pthread_mutex_t mu;	    /* guards cur, refcounts, id tables */
	pthread_mutex_t refresh_mu; /* one refresh or rebuild at a time */
	struct snap *cur;
	/* the watcher */
	pthread_t thread;
	int watching, stop;
	pthread_cond_t cv;
};

static void logf_(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void engine_vlog(FILE *log, const char *fmt, va_list ap)
{
	FILE *f = log ? log : stderr;
	fputs("paperboy: search index: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

static void logf_(struct engine *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	engine_vlog(e->opts.log, fmt, ap);
	va_end(ap);
}

void engine_opts_default(struct engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = ENGINE_HYBRID;
	o->vectors = 1;
}

/* The files of the index in folder dir. */
static const char *const index_files[] = {"lex", "vec.model", "vec.docs"};

int engine_index_exists(const char *dir)
{
	char lex[1200];
	struct stat sb;
	snprintf(lex, sizeof(lex), "%s/lex", dir);
	return stat(lex, &sb) == 0 && S_ISREG(sb.st_mode);
}

long long engine_index_bytes(const char *dir)
{
	long long total = 0;
	size_t i;
	for (i = 0; i < sizeof(index_files) / sizeof(index_files[0]); i++) {
		char path[1200];
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s", dir, index_files[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			total += (long long)sb.st_size;
	}
	return total;
}

int engine_make_dirs(const char *dir, struct pb_err *err)
{
	char path[1100];
	struct stat sb;
	size_t i, n = strlen(dir);
	if (n == 0 || n >= sizeof(path))
		return pb_err_set(err, PB_EINVAL, "bad search index folder \"%s\"", dir);
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return pb_err_set(err, PB_EIO,
					  "cannot create the search index folder %s: %s", path,
					  strerror(errno));
		path[i] = dir[i];
	}
	if (stat(dir, &sb) != 0)
		return pb_err_set(err, PB_EIO, "cannot create the search index folder %s: %s", dir,
				  strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return pb_err_set(err, PB_EIO,
				  "cannot create the search index folder %s: a file of that name "
				  "is in the way",
				  dir);
	return PB_OK;
}

/* Removes the temporary files (NAME.tmp.PID) that builds of processes no
 * longer running (killed, or ended while building) left in the folder
 * dir: they were never renamed into place, so never trusted, but they
 * take room. */
static void remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t i;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		for (i = 0; i < sizeof(index_files) / sizeof(index_files[0]); i++) {
			size_t n = strlen(index_files[i]);
			char *end, path[1400];
			long pid;
			if (strncmp(de->d_name, index_files[i], n) != 0 ||
			    strncmp(de->d_name + n, ".tmp.", 5) != 0)
				continue;
			pid = strtol(de->d_name + n + 5, &end, 10);
			if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
			    errno != ESRCH)
				continue; /* its build may still be running */
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

/* ---- snapshots ---- */

static void base_free(struct base *b)
{
	if (!b)
		return;
	vec_docs_close(b->vmain);
	vec_model_close(b->model);
	lex_seg_close(b->main);
	free(b->id_slot);
	free(b);
}

static void snap_free(struct engine *e, struct snap *s)
{
	int last;
	if (!s)
		return;
	pthread_mutex_lock(&e->mu);
	last = s->base && --s->base->refs == 0;
	pthread_mutex_unlock(&e->mu);
	if (last)
		base_free(s->base);
	vec_docs_close(s->vfresh);
	lex_seg_close(s->fresh);
	free(s->dead);
	free(s);
}

static struct snap *acquire(struct engine *e)
{
	struct snap *s;
	pthread_mutex_lock(&e->mu);
	s = e->cur;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&e->mu);
	return s;
}

static void release(struct engine *e, struct snap *s)
{
	int last;
	if (!s)
		return;
	pthread_mutex_lock(&e->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&e->mu);
	if (last)
		snap_free(e, s);
}

/* Makes s (holding one reference, for the engine) the current snapshot. */
static void install(struct engine *e, struct snap *s)
{
	struct snap *old;
	s->nv = 0;
	s->views[s->nv].seg = s->base->main;
	s->views[s->nv].dead = s->dead;
	s->vd[s->nv++] = s->base->vmain;
	if (s->fresh) {
		s->views[s->nv].seg = s->fresh;
		s->views[s->nv].dead = NULL;
		s->vd[s->nv++] = s->vfresh;
	}
	pthread_mutex_lock(&e->mu);
	old = e->cur;
	e->cur = s;
	pthread_mutex_unlock(&e->mu);
	release(e, old);
}

/* ---- building ---- */

static void build_progress(void *ctx, long n)
{
	struct engine *e = ctx;
	if (n % 500000 == 0)
		logf_(e, "%ld papers read", n);
}

/* Opens the main segment, building it when missing, damaged or asked. */
static int open_main(struct engine *e, struct store *st, int rebuild, struct lex_seg **out,
		     struct pb_err *err)
{
	double t0 = (double)clock();
	int rc;
	if (!rebuild) {
		rc = e->opts.watch ? lex_seg_open_file_fast(e->lex_path, out, err)
				   : lex_seg_open_file(e->lex_path, out, err);
		if (rc == PB_OK || rc == PB_ENOMEM)
			return rc;
		if (e->opts.no_build) {
			char why[sizeof(err->msg)];
			if (rc == PB_ENOTFOUND)
				return pb_err_set(err, rc, "there is no index in %s yet", e->dir);
			snprintf(why, sizeof(why), "%s", err->msg);
			return pb_err_set(err, PB_ENOTFOUND, "%s", why);
		}
		if (rc == PB_ENOTFOUND)
			logf_(e, "building the index in %s from %s", e->dir, st->path);
		else
			logf_(e, "%s; rebuilding it in %s from the store", err->msg, e->dir);
		err->rc = PB_OK;
	} else {
		logf_(e, "rebuilding the index in %s from %s", e->dir, st->path);
	}
	rc = lex_build_main(st, e->lex_path, build_progress, e, out, err);
	if (!rc)
		logf_(e, "indexed %u papers, %u words in %.1f s (cpu)", (*out)->n_docs,
		      (*out)->n_terms, ((double)clock() - t0) / CLOCKS_PER_SEC);
	return rc;
}

/* Opens (or trains, or folds) the vectors of main into b. Errors other
 * than memory only turn vectors off, with a log line. */
static int open_vectors(struct engine *e, struct base *b, int retrain, struct pb_err *err)
{
	int rc;
	if (!e->opts.vectors)
		return PB_OK;
	if (e->opts.no_build) {
		/* what is there, or no vectors (engine_add_vectors makes them) */
		rc = vec_model_open_fast(e->model_path, &b->model, err);
		if (!rc)
			rc = vec_docs_open_fast(e->docs_path, b->model, b->main, &b->vmain, err);
		if (rc == PB_ENOMEM)
			return rc;
		if (rc) {
			vec_model_close(b->model);
			b->model = NULL;
			err->rc = PB_OK;
		}
		return PB_OK;
	}
	if (!retrain) {
		rc = e->opts.watch ? vec_model_open_fast(e->model_path, &b->model, err)
				   : vec_model_open(e->model_path, &b->model, err);
		if (rc == PB_ENOMEM)
			return rc;
		if (rc) {
			logf_(e, "%s; training semantic vectors from the corpus", err->msg);
			err->rc = PB_OK;
		}
	}
	if (!b->model) {
		rc = vec_train(b->main, e->opts.dims ? e->opts.dims : VEC_DIMS_DEFAULT,
			       e->opts.log ? e->opts.log : stderr, e->model_path, &b->model, err);
		if (rc == PB_ENOMEM)
			return rc;
		if (rc) {
			logf_(e, "no semantic vectors: %s", err->msg);
			err->rc = PB_OK;
			return PB_OK;
		}
	}
	rc = e->opts.watch ? vec_docs_open_fast(e->docs_path, b->model, b->main, &b->vmain, err)
			   : vec_docs_open(e->docs_path, b->model, b->main, &b->vmain, err);
	if (rc == PB_ENOMEM)
		return rc;
	if (rc) {
		if (rc != PB_ENOTFOUND || b->main->n_docs)
			logf_(e, "%s; folding the papers into the semantic space", err->msg);
		err->rc = PB_OK;
		rc = vec_docs_build(b->model, b->main, e->docs_path, &b->vmain, err);
		if (rc == PB_ENOMEM)
			return rc;
		if (rc) {
			logf_(e, "no semantic vectors: %s", err->msg);
			err->rc = PB_OK;
		}
	}
	return PB_OK;
}

static int new_base(struct engine *e, struct store *st, int rebuild, int retrain, struct base **out,
		    struct pb_err *err)
{
	struct base *b = calloc(1, sizeof(*b));
	int rc;
	*out = NULL;
	if (!b)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	b->refs = 1;
	rc = open_main(e, st, rebuild, &b->main, err);
	if (!rc)
		rc = open_vectors(e, b, retrain, err);
	if (rc) {
		base_free(b);
		return rc;
	}
	stat(e->lex_path, &b->lex_stat);
	b->unverified = e->opts.watch && !rebuild;
	*out = b;
	return PB_OK;
}

/* Builds a snapshot of base b (one reference taken) with the fresh
 * segment of st. PB_ETOOBIG when a rebuild is due. */
static int new_snap(struct engine *e, struct store *st, struct base *b, struct snap **out,
		    struct pb_err *err)
{
	struct snap *s = calloc(1, sizeof(*s));
	long limit = (long)b->main->n_docs / 10;
	int rc = PB_OK;
	*out = NULL;
	if (!s)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	s->refs = 1;
	/* st NULL: the main segment alone (the watcher adds the fresh one) */
	if (st)
		rc = lex_build_fresh(st, b->main, limit > FRESH_MIN ? limit : FRESH_MIN, &s->fresh,
				     &s->dead, err);
	if (!rc && s->fresh && b->model)
		rc = vec_docs_build(b->model, s->fresh, NULL, &s->vfresh, err);
	if (rc) {
		vec_docs_close(s->vfresh);
		lex_seg_close(s->fresh);
		free(s->dead);
		free(s);
		return rc;
	}
	pthread_mutex_lock(&e->mu);
	b->refs++;
	pthread_mutex_unlock(&e->mu);
	s->base = b;
	*out = s;
	return PB_OK;
}

/* A new base from st (rebuilt) and its snapshot; the caller holds
 * refresh_mu. */
static int rebuild_locked(struct engine *e, struct store *st, int retrain, struct pb_err *err)
{
	struct base *b;
	struct snap *s;
	int rc = new_base(e, st, 1, retrain, &b, err);
	if (rc)
		return rc;
	rc = new_snap(e, st, b, &s, err);
	pthread_mutex_lock(&e->mu);
	b->refs--; /* the snapshot holds it now (or nobody) */
	pthread_mutex_unlock(&e->mu);
	if (rc) {
		if (!b->refs)
			base_free(b);
		return rc;
	}
	install(e, s);
	return PB_OK;
}

int engine_rebuild(struct engine *e, struct store *st, struct pb_err *err)
{
	int rc;
	pthread_mutex_lock(&e->refresh_mu);
	rc = rebuild_locked(e, st, 0, err);
	pthread_mutex_unlock(&e->refresh_mu);
	return rc;
}

int engine_add_vectors(struct engine *e, struct store *st, struct pb_err *err)
{
	struct base *b;
	struct snap *s;
	int rc;

	pthread_mutex_lock(&e->refresh_mu);
	e->opts.vectors = 1; /* rebuilds from now on keep them */
	pthread_mutex_unlock(&e->refresh_mu);
	/* the main segment opened again with its vectors, trained when
	 * missing: refreshes go on meanwhile */
	rc = new_base(e, st, 0, 0, &b, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->refresh_mu);
	rc = new_snap(e, st, b, &s, err);
	pthread_mutex_lock(&e->mu);
	b->refs--; /* the snapshot holds it now (or nobody) */
	pthread_mutex_unlock(&e->mu);
	if (!rc) {
		install(e, s);
	} else {
		if (!b->refs)
			base_free(b);
		if (rc == PB_ETOOBIG) {
			logf_(e, "%s: rebuilding", err->msg);
			err->rc = PB_OK;
			rc = rebuild_locked(e, st, 0, err);
		}
	}
	pthread_mutex_unlock(&e->refresh_mu);
	return rc;
}

static int refresh_locked(struct engine *e, struct store *st, struct pb_err *err)
{
	struct snap *cur = acquire(e), *s;
	int rc = new_snap(e, st, cur->base, &s, err);
	release(e, cur);
	if (rc == PB_ETOOBIG) {
		logf_(e, "%s: rebuilding", err->msg);
		err->rc = PB_OK;
		return rebuild_locked(e, st, 0, err);
	}
	if (rc)
		return rc;
	install(e, s);
	return PB_OK;
}

int engine_refresh(struct engine *e, struct store *st, struct pb_err *err)
{
	int rc;
	pthread_mutex_lock(&e->refresh_mu);
	rc = refresh_locked(e, st, err);
	pthread_mutex_unlock(&e->refresh_mu);
	return rc;
}

/* ---- the watcher ---- */

/* 1 when the lex file is no longer the one the snapshot was opened from
 * (another process rebuilt it). */
static int lex_file_changed(struct engine *e)
{
	struct snap *s = acquire(e);
	struct stat sb;
	int changed =
	    stat(e->lex_path, &sb) == 0 &&
	    (sb.st_ino != s->base->lex_stat.st_ino || sb.st_size != s->base->lex_stat.st_size ||
	     sb.st_mtim.tv_sec != s->base->lex_stat.st_mtim.tv_sec ||
	     sb.st_mtim.tv_nsec != s->base->lex_stat.st_mtim.tv_nsec);
	release(e, s);
	return changed;
}

/* The checksums a fast open skipped: on damage, a rebuild. */
static void verify_base(struct engine *e, struct store *st)
{
	struct pb_err err = PB_ERR_INIT;
	struct snap *s = acquire(e);
	struct base *b = s->base;
	int bad_lex = 0, bad_model = 0, bad_docs = 0;
	if (!b->unverified) {
		release(e, s);
		return;
	}
	bad_lex = lex_seg_verify(b->main, e->lex_path, &err) != PB_OK;
	if (!bad_lex && b->model)
		bad_model = vec_model_verify(b->model, e->model_path, &err) != PB_OK;
	if (!bad_lex && !bad_model && b->vmain)
		bad_docs = vec_docs_verify(b->vmain, e->docs_path, &err) != PB_OK;
	pthread_mutex_lock(&e->mu);
	b->unverified = 0;
	pthread_mutex_unlock(&e->mu);
	release(e, s);
	if (bad_lex || bad_model || bad_docs) {
		logf_(e, "%s; rebuilding", err.msg);
		err.rc = PB_OK;
		pthread_mutex_lock(&e->refresh_mu);
		if (rebuild_locked(e, st, bad_model, &err))
			logf_(e, "rebuilding: %s", err.msg);
		pthread_mutex_unlock(&e->refresh_mu);
	}
}

/* The watcher's own store, opened again after a failure (a database
 * server down or unreachable) every WATCH_REOPEN seconds. */
#define WATCH_REOPEN 5

/* Opens the watcher's store when due; NULL while it cannot be opened (said
 * once in the log until it can). */
static struct store *watch_store(struct engine *e, double *next_open, int *failing)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st;
	if (vec_now() < *next_open)
		return NULL;
	st = store_open(e->db, &err);
	if (!st) {
		if (!*failing)
			logf_(e, "cannot follow the store: %s; trying again every %d s", err.msg,
			      WATCH_REOPEN);
		*failing = 1;
		*next_open = vec_now() + WATCH_REOPEN;
		return NULL;
	}
	if (*failing)
		logf_(e, "following the store again");
	*failing = 0;
	verify_base(e, st);
	return st;
}

static void *watch_main(void *arg)
{
	struct engine *e = arg;
	struct pb_err err = PB_ERR_INIT;
	/* the first tick refreshes: the store may have changed between the
	 * engine's snapshot and this connection */
	unsigned long long last = ~0ULL, v;
	double next_refresh = 0, next_open = 0;
	int failing = 0;
	struct store *st = watch_store(e, &next_open, &failing);
	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&e->cv, &e->mu, &ts);
		if (e->stop)
			break;
		pthread_mutex_unlock(&e->mu);
		err.rc = PB_OK;
		if (!st && !(st = watch_store(e, &next_open, &failing))) {
			/* nothing to follow yet */
		} else if (lex_file_changed(e)) {
			struct base *b;
			struct snap *s;
			pthread_mutex_lock(&e->refresh_mu);
			if (new_base(e, st, 0, 0, &b, &err) == PB_OK) {
				if (new_snap(e, st, b, &s, &err) == PB_OK)
					install(e, s);
				pthread_mutex_lock(&e->mu);
				if (--b->refs == 0) {
					pthread_mutex_unlock(&e->mu);
					base_free(b);
				} else {
					pthread_mutex_unlock(&e->mu);
				}
			}
			pthread_mutex_unlock(&e->refresh_mu);
			if (err.rc)
				logf_(e, "reloading: %s", err.msg);
		} else if (vec_now() >= next_refresh && store_data_version(st, &v, &err) == PB_OK &&
			   v != last) {
			double t0 = vec_now();
			if (engine_refresh(e, st, &err) == PB_OK) {
				last = v;
				/* a refresh scans the store: on a large one, not back to back */
				next_refresh = vec_now() + 3 * (vec_now() - t0);
			} else {
				/* tried again later (a lost connection comes back by itself) */
				logf_(e, "refreshing: %s", err.msg);
				next_refresh = vec_now() + WATCH_REOPEN;
			}
		}
		pthread_mutex_lock(&e->mu);
	}
	pthread_mutex_unlock(&e->mu);
	store_close(st);
	return NULL;
}

/* ---- open / close ---- */

int engine_open(const char *db_path, struct store *st, const struct engine_opts *o,
		struct engine **out, struct pb_err *err)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct base *b = NULL;
	struct snap *s = NULL;
	int rc;

	*out = NULL;
	if (!e)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	if (o)
		e->opts = *o;
	else
		engine_opts_default(&e->opts);
	snprintf(e->db, sizeof(e->db), "%s", db_path);
	pthread_mutex_init(&e->mu, NULL);
	pthread_mutex_init(&e->refresh_mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	e->opts.dir = NULL; /* the caller's string may go; e->dir keeps it */
	if (o && o->dir && o->dir[0]) {
		snprintf(e->dir, sizeof(e->dir), "%s", o->dir);
	} else if (strcmp(st->ops->name, "sqlite") == 0) {
		snprintf(e->dir, sizeof(e->dir), "%s.idx", db_path);
	} else {
		rc = pb_err_set(err, PB_EINVAL,
				"%s: a %s database needs a folder for its search index "
				"(engine_opts.dir)",
				st->path, st->ops->name);
		goto fail;
	}
	if (strlen(e->dir) + 16 >= sizeof(e->dir) || strlen(db_path) >= sizeof(e->db)) {
		rc = pb_err_set(err, PB_EINVAL, "search index folder or database name too long");
		goto fail;
	}
	snprintf(e->lex_path, sizeof(e->lex_path), "%s/lex", e->dir);
	snprintf(e->model_path, sizeof(e->model_path), "%s/vec.model", e->dir);
	snprintf(e->docs_path, sizeof(e->docs_path), "%s/vec.docs", e->dir);
	rc = engine_make_dirs(e->dir, err);
	if (rc)
		goto fail;
	remove_stale_tmp(e->dir);
	rc = new_base(e, st, e->opts.rebuild, e->opts.rebuild, &b, err);
	if (rc)
		goto fail;
	/* with a watcher, searches start at once on the main segment; the
	 * watcher's first round adds the papers changed since it was built */
	rc = new_snap(e, e->opts.watch ? NULL : st, b, &s, err);
	if (rc == PB_ETOOBIG && !e->opts.no_build) {
		logf_(e, "%s: rebuilding", err->msg);
		err->rc = PB_OK;
		base_free(b);
		b = NULL;
		rc = new_base(e, st, 1, 0, &b, err);
		if (!rc)
			rc = new_snap(e, st, b, &s, err);
	}
	if (rc)
		goto fail;
	b->refs--; /* held by the snapshot */
	b = NULL;
	install(e, s);
	e->opts.no_build = 0; /* from now on, what is missing is built */
	if (e->opts.watch) {
		if (pthread_create(&e->thread, NULL, watch_main, e) == 0)
			e->watching = 1;
		else
			logf_(e,
			      "cannot start the watcher thread; new papers appear after a restart");
	}
	*out = e;
	return PB_OK;
fail:
	base_free(b);
	engine_close(e);
	return rc;
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	if (e->watching) {
		pthread_mutex_lock(&e->mu);
		e->stop = 1;
		pthread_cond_signal(&e->cv);
		pthread_mutex_unlock(&e->mu);
		pthread_join(e->thread, NULL);
	}
	release(e, e->cur);
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->refresh_mu);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

void engine_stats(struct engine *e, struct engine_stats *out)
{
	struct snap *s = acquire(e);
	memset(out, 0, sizeof(*out));
	out->docs = (long)lex_views_docs(s->views, s->nv);
	out->fresh_docs = s->fresh ? s->fresh->n_docs : 0;
	out->superseded = (long)s->base->main->n_docs + out->fresh_docs - out->docs;
	out->lex_bytes = s->base->main->size;
	if (s->base->model) {
		out->dims = s->base->model->dims;
		out->vocabulary = s->base->model->n_terms;
		out->vec_bytes = s->base->model->size + (s->base->vmain ? s->base->vmain->size : 0);
	}
	snprintf(out->built, sizeof(out->built), "%s", s->base->main->built);
	release(e, s);
}

/* ---- arXiv ids ---- */

static uint32_t id_hash(const char *s, size_t n)
{
	return (uint32_t)lex_hash64(s, n, 7);
}

/* The view and docid of an arXiv id, or -1. */
static int find_id(struct engine *e, struct snap *s, const char *id, uint32_t *vi, uint32_t *doc)
{
	struct base *b = s->base;
	const struct lex_seg *m = b->main;
	size_t n = strlen(id), len;
	uint32_t i, d;
	/* the fresh segment first: it holds the newer version */
	if (s->fresh)
		for (d = 0; d < s->fresh->n_docs; d++) {
			const char *x = lex_seg_id(s->fresh, d, &len);
			if (len == n && memcmp(x, id, n) == 0) {
				*vi = 1;
				*doc = d;
				return 0;
			}
		}
	pthread_mutex_lock(&e->mu);
	if (!b->id_slot && m->n_docs) {
		uint32_t size = 16;
		while (size < m->n_docs * 2u)
			size *= 2;
		b->id_slot = calloc(size, sizeof(uint32_t));
		if (b->id_slot) {
			b->id_mask = size - 1;
			for (d = 0; d < m->n_docs; d++) {
				const char *x = lex_seg_id(m, d, &len);
				for (i = id_hash(x, len) & b->id_mask; b->id_slot[i];
				     i = (i + 1) & b->id_mask)
					;
				b->id_slot[i] = d + 1;
			}
		}
	}
	pthread_mutex_unlock(&e->mu);
	if (!b->id_slot)
		return -1;
	for (i = id_hash(id, n) & b->id_mask; b->id_slot[i]; i = (i + 1) & b->id_mask) {
		const char *x;
		d = b->id_slot[i] - 1;
		x = lex_seg_id(m, d, &len);
		if (len == n && memcmp(x, id, n) == 0) {
			if (s->dead && (s->dead[d / 64] >> (d % 64)) & 1)
				return -1;
			*vi = 0;
			*doc = d;
			return 0;
		}
	}
	return -1;
}

/* ---- searching ---- */

struct idf_ctx {
	const struct lex_view *v;
	unsigned nv;
	double n;
};

static float idf_of(void *ctx, const char *term)
{
	struct idf_ctx *c = ctx;
	double df = 0;
	unsigned k;
	for (k = 0; k < c->nv; k++) {
		long t = lex_seg_find(c->v[k].seg, term, strlen(term));
		if (t >= 0)
			df += c->v[k].seg->info[t].df;
	}
	return lex_idf(c->n, df);
}

/* Adds the filter's category, author and days to q. */
static int apply_filter(struct query *q, const struct store_filter *f, struct arena *a)
{
	if (!f)
		return PB_OK;
	if (f->category && q->n_cats < QUERY_CATS_MAX) {
		q->cats[q->n_cats++] = f->category;
		q->lex.cats = q->cats;
		q->lex.n_cats = q->n_cats;
	}
	if (f->from) {
		int y, m, d;
		if (date_parse_day(f->from, strlen(f->from), &y, &m, &d) == PB_OK &&
		    date_to_days(y, m, d) > q->lex.day_from)
			q->lex.day_from = (int32_t)date_to_days(y, m, d);
	}
	if (f->to) {
		int y, m, d;
		if (date_parse_day(f->to, strlen(f->to), &y, &m, &d) == PB_OK &&
		    date_to_days(y, m, d) < q->lex.day_to)
			q->lex.day_to = (int32_t)date_to_days(y, m, d);
	}
	if (f->author && q->lex.n_clauses < LEX_QTERMS_MAX) {
		/* the author's words, as a phrase in the author list */
		struct query aq;
		int rc = query_parse(f->author, a, &aq);
		unsigned k;
		if (rc)
			return rc;
		for (k = 0; k < aq.lex.n_clauses && q->lex.n_clauses < LEX_QTERMS_MAX; k++) {
			struct lex_clause *cl = &q->lex.clause[q->lex.n_clauses++];
			*cl = aq.lex.clause[k];
			cl->fields = 1u << LEX_AUTHORS;
			cl->occur = LEX_MUST;
		}
	}
	return PB_OK;
}

static enum lex_order order_of(const struct store_filter *f)
{
	if (!f)
		return LEX_BY_SCORE;
	switch (f->sort) {
	case STORE_SORT_DAY:
		return LEX_BY_DAY;
	case STORE_SORT_VOTES:
		return LEX_BY_VOTES;
	case STORE_SORT_TRENDING:
		return LEX_BY_TRENDING;
	case STORE_SORT_RELEVANCE:
		break;
	}
	return LEX_BY_SCORE;
}

/* One entry of a ranked list before fusion. */
struct ranked {
	uint32_t seg, doc;
	float score;
	int lex_rank, sem_rank;
	float fused;
	float lex_score, sem_score; /* BM25F; cosine (NAN: not known yet) */
};

static int by_key(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	return a->doc < b->doc ? -1 : a->doc > b->doc;
}

static int by_fused(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	int ra, rb;
	if (a->fused != b->fused)
		return a->fused > b->fused ? -1 : 1;
	ra = a->lex_rank ? a->lex_rank : INT32_MAX;
	rb = b->lex_rank ? b->lex_rank : INT32_MAX;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return by_key(x, y);
}

/* Pseudo-relevance feedback: adds the mean vector of the best lexical
 * hits to the query vector qv (normalised again). */
static void seed_query(const struct snap *s, const struct lex_result *lr, float *qv)
{
	float acc[VEC_DIMS_MAX], dv[VEC_DIMS_MAX];
	unsigned dims = s->base->model->dims, used = 0, j, d;
	double norm = 0;
	memset(acc, 0, dims * sizeof(float));
	for (j = 0; j < ENGINE_PRF_DOCS && j < lr->n_hits; j++) {
		const struct vec_docs *v = s->vd[lr->hits[j].seg];
		if (!v)
			continue;
		vec_doc_vector(v, lr->hits[j].doc, dv);
		for (d = 0; d < dims; d++)
			acc[d] += dv[d];
		used++;
	}
	if (!used)
		return;
	for (d = 0; d < dims; d++) {
		qv[d] += acc[d] / (float)used;
		norm += (double)qv[d] * qv[d];
	}
	norm = sqrt(norm);
	for (d = 0; d < dims && norm > 0; d++)
		qv[d] = (float)(qv[d] / norm);
}

/* Fused scores of merged entries (see engine.h). Entries only the lexical
 * list had get their cosine with qv; entries only the semantic list had
 * count BM25F 0. */
static void fuse(const struct snap *s, struct ranked *list, size_t n, enum engine_mode mode,
		 const float *qv)
{
	float mx_l = 0, mx_s = 0;
	size_t i;
	if (mode == ENGINE_HYBRID_RRF) {
		for (i = 0; i < n; i++)
			list[i].fused =
			    (list[i].lex_rank ? 1.0f / (ENGINE_RRF_K + list[i].lex_rank) : 0) +
			    (list[i].sem_rank ? 1.0f / (ENGINE_RRF_K + list[i].sem_rank) : 0);
		return;
	}
	for (i = 0; i < n; i++) {
		struct ranked *x = &list[i];
		if (isnan(x->sem_score)) {
			const struct vec_docs *v = s->vd[x->seg];
			float dv[VEC_DIMS_MAX], c = 0;
			unsigned j;
			if (qv && v) {
				vec_doc_vector(v, x->doc, dv);
				for (j = 0; j < v->dims; j++)
					c += dv[j] * qv[j];
			}
			x->sem_score = c;
		}
		if (x->lex_score > mx_l)
			mx_l = x->lex_score;
		if (x->sem_score > mx_s)
			mx_s = x->sem_score;
	}
	for (i = 0; i < n; i++)
		list[i].fused =
		    (1 - ENGINE_FUSE_LAMBDA) * (mx_l > 0 ? list[i].lex_score / mx_l : 0) +
		    ENGINE_FUSE_LAMBDA * (mx_s > 0 ? list[i].sem_score / mx_s : 0);
}

static int count_words(const struct query *q)
{
	unsigned k;
	int n = 0;
	for (k = 0; k < q->lex.n_clauses; k++)
		if (q->lex.clause[k].occur == LEX_MUST && q->lex.clause[k].n_terms == 1)
			n++;
	return n;
}

int engine_search(struct engine *e, const struct engine_request *r, struct arena *a,
		  struct engine_result *out, struct pb_err *err)
{
	struct snap *s = acquire(e);
	struct query *q = &out->q;
	struct lex_result lr;
	struct vec_hit *sh = NULL;
	unsigned n_sh = 0, k, i;
	struct ranked *list = NULL;
	size_t n_list = 0;
	long offset, limit, want;
	enum lex_order order = order_of(r->filter);
	enum engine_mode mode = r->mode;
	struct idf_ctx ic;
	int rc, have_qv = 0;
	uint32_t id_view = UINT32_MAX, id_doc = 0;
	float qv[VEC_DIMS_MAX];

	memset(out, 0, sizeof(*out));
	memset(&lr, 0, sizeof(lr));
	offset = r->filter ? r->filter->offset : r->offset;
	limit = r->filter ? r->filter->limit : r->limit;
	if (offset < 0)
		offset = 0;
	if (limit <= 0)
		limit = 10;
	if (offset > 100000)
		offset = 100000;
	if (limit > 10000)
		limit = 10000;
	want = offset + limit;

	rc = query_parse(r->query, a, q);
	if (!rc)
		rc = apply_filter(q, r->filter, a);
	if (rc) {
		rc = pb_err_set(err, rc, "out of memory");
		goto out;
	}
	ic.v = s->views;
	ic.nv = s->nv;
	ic.n = lex_views_docs(s->views, s->nv);
	query_reduce(q, idf_of, &ic);
	if (q->arxiv_id[0])
		find_id(e, s, q->arxiv_id, &id_view, &id_doc);
	if (!query_has_text(q) && id_view == UINT32_MAX)
		goto out;
	if (order != LEX_BY_SCORE || !s->base->model)
		mode = ENGINE_LEXICAL;

	/* the lexical list */
	if (mode != ENGINE_SEMANTIC && query_has_text(q)) {
		struct lex_request req;
		memset(&req, 0, sizeof(req));
		req.k =
		    (unsigned)(mode >= ENGINE_HYBRID && want < ENGINE_FUSE_DEPTH ? ENGINE_FUSE_DEPTH
										 : want);
		req.order = order;
		req.count = r->count || order != LEX_BY_SCORE;
		req.now_days = (long)(time(NULL) / 86400);
		rc = lex_search(s->views, s->nv, &q->lex, &req, a, &lr, err);
		if (!rc && lr.n_hits == 0 && !q->or_mode && count_words(q) >= 2) {
			query_set_or(q);
			out->relaxed = 1;
			rc = lex_search(s->views, s->nv, &q->lex, &req, a, &lr, err);
		}
		if (rc)
			goto out;
		out->work = lr.postings_scored;
	}

	/* the semantic list */
	if (mode != ENGINE_LEXICAL) {
		unsigned depth = (unsigned)(want < ENGINE_FUSE_DEPTH ? ENGINE_FUSE_DEPTH : want);
		if (vec_fold_query(s->base->model, q->words, q->n_words, qv)) {
			struct vec_hit *raw;
			unsigned n_raw;
			have_qv = 1;
			if (mode != ENGINE_SEMANTIC)
				seed_query(s, &lr, qv);
			rc = vec_search(s->vd, s->views, s->nv, qv, &q->lex, UINT32_MAX, 0,
					depth * 2, r->exact_vectors, a, &raw, &n_raw, err);
			if (rc)
				goto out;
			/* operators hold for semantic hits too */
			for (k = 0; k < n_raw && n_sh < depth; k++) {
				int m =
				    lex_doc_match(&s->views[raw[k].seg], &q->lex, raw[k].doc, a);
				if (m < 0) {
					rc =
					    pb_err_set(err, PB_ECORRUPT, "search index is damaged");
					goto out;
				}
				if (m)
					raw[n_sh++] = raw[k];
			}
			sh = raw;
		}
	}

	/* one list: lexical, semantic, or both fused */
	list = arena_alloc(a, (lr.n_hits + n_sh + 1) * sizeof(*list));
	if (!list) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < lr.n_hits; k++) {
		struct ranked *x = &list[n_list++];
		memset(x, 0, sizeof(*x));
		x->seg = lr.hits[k].seg;
		x->doc = lr.hits[k].doc;
		x->score = x->lex_score = lr.hits[k].score;
		x->sem_score = NAN;
		x->lex_rank = (int)k + 1;
	}
	for (k = 0; k < n_sh; k++) {
		struct ranked *x = &list[n_list++];
		memset(x, 0, sizeof(*x));
		x->seg = sh[k].seg;
		x->doc = sh[k].doc;
		x->score = x->sem_score = sh[k].score;
		x->sem_rank = (int)k + 1;
	}
	if (mode >= ENGINE_HYBRID && n_sh) {
		size_t w = 0;
		qsort(list, n_list, sizeof(*list), by_key);
		for (i = 0; i < n_list; i++) {
			if (w && list[w - 1].seg == list[i].seg && list[w - 1].doc == list[i].doc) {
				struct ranked *p = &list[w - 1];
				if (list[i].lex_rank) {
					p->lex_rank = list[i].lex_rank;
					p->lex_score = list[i].lex_score;
				}
				if (list[i].sem_rank) {
					p->sem_rank = list[i].sem_rank;
					p->sem_score = list[i].sem_score;
				}
				continue;
			}
			list[w++] = list[i];
		}
		n_list = w;
		fuse(s, list, n_list, mode, have_qv ? qv : NULL);
		qsort(list, n_list, sizeof(*list), by_fused);
		for (i = 0; i < n_list; i++)
			list[i].score = list[i].fused;
	}
	if (mode == ENGINE_LEXICAL || !n_sh) {
		out->total = lr.total;
		out->total_exact = lr.total_exact;
	} else if (mode == ENGINE_SEMANTIC) {
		out->total = (long)n_list;
	} else {
		long sem_only = 0;
		for (i = 0; i < n_list; i++)
			sem_only += !list[i].lex_rank;
		out->total = (lr.total > (long)lr.n_hits ? lr.total : (long)lr.n_hits) + sem_only;
	}

	/* an arXiv id asked for: that paper first */
	if (id_view != UINT32_MAX) {
		size_t j, at = n_list;
		for (j = 0; j < n_list; j++)
			if (list[j].seg == id_view && list[j].doc == id_doc)
				at = j;
		if (at == n_list) {
			struct ranked *nl = arena_alloc(a, (n_list + 1) * sizeof(*nl));
			if (!nl) {
				rc = pb_err_set(err, PB_ENOMEM, "out of memory");
				goto out;
			}
			memcpy(nl + 1, list, n_list * sizeof(*nl));
			memset(nl, 0, sizeof(*nl));
			list = nl;
			n_list++;
			out->total++;
		} else {
			struct ranked x = list[at];
			memmove(list + 1, list, at * sizeof(*list));
			list[0] = x;
		}
		list[0].seg = id_view;
		list[0].doc = id_doc;
	}

	/* the page */
	if ((long)n_list > offset) {
		size_t n = (size_t)((long)n_list - offset < limit ? (long)n_list - offset : limit);
		out->hits = arena_alloc(a, n * sizeof(*out->hits));
		if (!out->hits) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++) {
			const struct ranked *x = &list[offset + (long)i];
			const struct lex_seg *sg = s->views[x->seg].seg;
			size_t len;
			const char *id = lex_seg_id(sg, x->doc, &len);
			struct engine_hit *h = &out->hits[i];
			if (len >= sizeof(h->arxiv_id))
				len = sizeof(h->arxiv_id) - 1;
			memcpy(h->arxiv_id, id, len);
			h->arxiv_id[len] = '\0';
			h->row = sg->row[x->doc];
			h->score = x->score;
			h->lex_rank = x->lex_rank;
			h->sem_rank = x->sem_rank;
			h->lex_score = x->lex_rank ? x->lex_score : 0;
			h->sem_score = isnan(x->sem_score) ? 0 : x->sem_score;
		}
		out->n_hits = n;
	}
	/* facets: names copied, the segments may go */
	if (lr.n_facets) {
		out->facets = arena_alloc(a, lr.n_facets * sizeof(*out->facets));
		if (!out->facets) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		for (k = 0; k < lr.n_facets; k++) {
			out->facets[k] = lr.facets[k];
			out->facets[k].cat =
			    arena_strndup(a, lr.facets[k].cat, lr.facets[k].cat_len);
			if (!out->facets[k].cat) {
				rc = pb_err_set(err, PB_ENOMEM, "out of memory");
				goto out;
			}
		}
		out->n_facets = lr.n_facets;
	}
out:
	release(e, s);
	return rc;
}

int engine_similar(struct engine *e, const char *arxiv_id, unsigned k, struct arena *a,
		   struct engine_result *out, struct pb_err *err)
{
	struct snap *s = acquire(e);
	char id[ARXIV_ID_MAX];
	int version, rc = PB_OK;
	uint32_t vi, doc;
	float qv[VEC_DIMS_MAX];
	struct vec_hit *h;
	unsigned n, i;
	struct lex_query none;

	memset(out, 0, sizeof(*out));
	memset(&none, 0, sizeof(none));
	none.day_from = INT32_MIN;
	none.day_to = INT32_MAX;
	if (!s->base->model || !s->vd[0]) {
		rc = pb_err_set(err, PB_EINVAL, "this index has no semantic vectors");
		goto out;
	}
	if (arxiv_id_parse(arxiv_id, strlen(arxiv_id), id, &version) != PB_OK)
		snprintf(id, sizeof(id), "%s", arxiv_id);
	if (find_id(e, s, id, &vi, &doc) || !s->vd[vi]) {
		rc = pb_err_set(err, PB_ENOTFOUND, "%s is not in the search index", id);
		goto out;
	}
	vec_doc_vector(s->vd[vi], doc, qv);
	rc = vec_search(s->vd, s->views, s->nv, qv, &none, vi, doc, k, 0, a, &h, &n, err);
	if (rc)
		goto out;
	out->hits = arena_alloc(a, (n ? n : 1) * sizeof(*out->hits));
	if (!out->hits) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct lex_seg *sg = s->views[h[i].seg].seg;
		size_t len;
		const char *x = lex_seg_id(sg, h[i].doc, &len);
		struct engine_hit *eh = &out->hits[i];
		if (len >= sizeof(eh->arxiv_id))
			len = sizeof(eh->arxiv_id) - 1;
		memcpy(eh->arxiv_id, x, len);
		eh->arxiv_id[len] = '\0';
		eh->row = sg->row[h[i].doc];
		eh->score = h[i].score;
		eh->sem_rank = (int)i + 1;
		eh->lex_rank = 0;
	}
	out->n_hits = n;
	out->total = n;
out:
	release(e, s);
	return rc;
}

/* ---- the search interface ---- */

static struct engine *E(struct search_engine *se)
{
	return (struct engine *)se;
}

struct fetch {
	struct store *st;
	struct arena *a;
	store_paper_cb cb;
	void *ctx;
	struct pb_err *err;
};

/* Reads each hit from the store and hands it on; hits the store lost are
 * skipped. */
static int fetch_hits(struct fetch *f, const struct engine_hit *hits, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		struct paper p;
		int rc = store_paper_get(f->st, hits[i].arxiv_id, f->a, &p, f->err);
		if (rc == PB_ENOTFOUND) {
			f->err->rc = PB_OK;
			continue;
		}
		if (rc)
			return rc;
		if (p.deleted)
			continue;
		rc = f->cb(f->ctx, &p);
		if (rc)
			return rc;
	}
	return PB_OK;
}

static int iface_query(struct search_engine *se, struct store *st, const char *query,
		       const struct store_filter *f, long *total, struct arena *a,
		       store_paper_cb cb, void *ctx, struct pb_err *err)
{
	struct engine *e = E(se);
	struct engine_request r;
	struct engine_result res;
	struct fetch fe = {st, a, cb, ctx, err};
	struct query q;
	int rc;

	rc = query_parse(query, a, &q);
	if (rc)
		return pb_err_set(err, rc, "out of memory");
	if (!query_has_text(&q) && !q.arxiv_id[0]) {
		/* filters only (and cat:/after:/before: from the query) */
		struct store_filter lf = *f;
		if (q.n_cats && !lf.category)
			lf.category = q.cats[0];
		if (q.day_from[0] && (!lf.from || strcmp(q.day_from, lf.from) > 0))
			lf.from = q.day_from;
		if (q.day_to[0] && (!lf.to || strcmp(q.day_to, lf.to) < 0))
			lf.to = q.day_to;
		return store_papers_list(st, &lf, total, a, cb, ctx, err);
	}
	memset(&r, 0, sizeof(r));
	r.query = query;
	r.mode = e->opts.mode;
	r.filter = f;
	r.count = 1;
	r.st = st;
	rc = engine_search(e, &r, a, &res, err);
	if (rc)
		return rc;
	*total = res.total;
	return fetch_hits(&fe, res.hits, res.n_hits);
}

/* The words to highlight: the user's words of the positive clauses, as
 * the tokeniser folds them. */
static int iface_terms(struct search_engine *se, const char *query, struct arena *a,
		       const char ***terms, size_t *n)
{
	const char *s = query ? query : "";
	size_t cap = 32, len = strlen(s), i = 0;
	const char **list = arena_alloc(a, cap * sizeof(*list));
	(void)se;
	*terms = list;
	*n = 0;
	if (!list)
		return PB_ENOMEM;
	if (len > QUERY_TEXT_MAX)
		len = QUERY_TEXT_MAX;
	while (i < len) {
		size_t j, b;
		struct lex_scan sc;
		struct lex_word w;
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		j = i;
		if (j < len && s[j] == '"') {
			j++;
			while (j < len && s[j] != '"')
				j++;
			if (j < len)
				j++;
		} else {
			while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' &&
			       s[j] != '\r')
				j++;
		}
		b = i;
		i = j;
		if (b >= j || s[b] == '-' || strncasecmp(s + b, "cat:", 4) == 0 ||
		    strncasecmp(s + b, "after:", 6) == 0 || strncasecmp(s + b, "before:", 7) == 0 ||
		    (j - b == 2 && memcmp(s + b, "OR", 2) == 0))
			continue;
		{
			const char *colon = memchr(s + b, ':', j - b);
			if (colon && colon - (s + b) <= 8)
				b = (size_t)(colon - s) + 1;
		}
		lex_scan_init(&sc, s + b, j - b);
		while (lex_scan_next(&sc, &w) && *n < cap) {
			size_t k;
			int dup = 0;
			for (k = 0; k < *n; k++)
				dup |= strcmp(list[k], w.text) == 0;
			if (dup)
				continue;
			list[*n] = arena_strndup(a, w.text, w.len);
			if (!list[*n])
				return PB_ENOMEM;
			(*n)++;
		}
	}
	return PB_OK;
}

static int iface_snippet(struct search_engine *se, const char *query, const char *text,
			 size_t max_bytes, struct arena *a, struct snippet *out)
{
	struct query q;
	const char **terms;
	size_t k;
	int rc = query_parse(query, a, &q);
	(void)se;
	if (rc)
		return rc;
	terms = arena_alloc(a, (q.n_words ? q.n_words : 1) * sizeof(*terms));
	if (!terms)
		return PB_ENOMEM;
	for (k = 0; k < q.n_words; k++)
		terms[k] = q.words[k].term;
	return snippet_make(text, terms, q.n_words, max_bytes, a, out);
}

static int iface_facets(struct search_engine *se, struct store *st, const char *query,
			const struct store_filter *f, struct arena *a, struct search_facet **out,
			size_t *n, struct pb_err *err)
{
	struct engine_request r;
	struct engine_result res;
	struct store_filter lf;
	unsigned k;
	int rc;
	*out = NULL;
	*n = 0;
	memset(&r, 0, sizeof(r));
	lf = *f;
	lf.offset = 0;
	lf.limit = 1;
	lf.sort = STORE_SORT_RELEVANCE;
	r.query = query;
	r.mode = ENGINE_LEXICAL;
	r.filter = &lf;
	r.count = 1;
	r.st = st;
	rc = engine_search(E(se), &r, a, &res, err);
	if (rc || !res.n_facets)
		return rc;
	*out = arena_alloc(a, res.n_facets * sizeof(**out));
	if (!*out)
		return pb_err_set(err, PB_ENOMEM, "out of memory");
	for (k = 0; k < res.n_facets; k++) {
		(*out)[k].category = res.facets[k].cat;
		(*out)[k].count = res.facets[k].count;
	}
	*n = res.n_facets;
	return PB_OK;
}

static int iface_similar(struct search_engine *se, struct store *st, const char *arxiv_id,
			 long limit, struct arena *a, store_paper_cb cb, void *ctx,
			 struct pb_err *err)
{
	struct engine_result res;
	struct fetch fe = {st, a, cb, ctx, err};
	int rc = engine_similar(E(se), arxiv_id, (unsigned)(limit > 0 && limit < 1000 ? limit : 10),
				a, &res, err);
	if (rc)
		return rc;
	return fetch_hits(&fe, res.hits, res.n_hits);
}

static void iface_status(struct search_engine *se, struct search_status *out)
{
	struct engine *e = E(se);
	struct snap *s = acquire(e);
	out->index = SEARCH_INDEX_READY;
	out->vectors = s->base->model && s->vd[0] ? SEARCH_INDEX_READY : SEARCH_INDEX_NONE;
	release(e, s);
}

static void iface_destroy(struct search_engine *se)
{
	engine_close(E(se));
}

static const struct search_ops engine_ops = {
    .name = "indexed",
    .query = iface_query,
    .terms = iface_terms,
    .destroy = iface_destroy,
    .snippet = iface_snippet,
    .facets = iface_facets,
    .similar = iface_similar,
    .status = iface_status,
};

struct search_engine *engine_search_iface(struct engine *e)
{
	e->iface.ops = &engine_ops;
	return &e->iface;
}

struct search_engine *search_default_new(const char *db_path, const char *dir, struct store *st,
					 FILE *log)
{
	struct engine_opts o;
	struct engine *e;
	struct pb_err err = PB_ERR_INIT;
	char def[1100];
	if (!dir) {
		snprintf(def, sizeof(def), "%s.idx", db_path);
		dir = def;
	}
	if (!engine_index_exists(dir))
		return search_simple_new();
	engine_opts_default(&o);
	o.watch = 1;
	o.log = log;
	o.dir = dir;
	if (engine_open(db_path, st, &o, &e, &err)) {
		fprintf(log ? log : stderr, "paperboy: search index: %s; using the simple search\n",
			err.msg);
		return search_simple_new();
	}
	return engine_search_iface(e);
}
