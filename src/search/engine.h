/* engine.h - paperboy's search engine: the lexical index (BM25F over
 * title, abstract and authors), corpus-trained semantic vectors (LSA),
 * hybrid ranking by reciprocal rank fusion, similar papers. The store
 * (SQLite or PostgreSQL) stays the source of truth: the index is a cache
 * of it in a folder of files (DB.idx/ next to a SQLite file by default;
 * any folder the caller names, one per process host for a shared
 * PostgreSQL database), rebuilt from the store when missing or damaged,
 * and papers changed since it was built are searched in a small fresh
 * segment, refreshed within seconds by a watcher thread (or at open).
 *
 * An engine is opened once per process and shared by all threads: every
 * function here is safe to call concurrently. Searches work on a snapshot
 * (main segment, fresh segment, vectors) that refreshes and rebuilds
 * replace without waiting for running searches.
 */
#ifndef PB_ENGINE_H
#define PB_ENGINE_H

#include "../core/arena.h"
#include "../core/err.h"
#include "../store/store.h"
#include "lex.h"
#include "query.h"
#include "search.h"

#include <stdarg.h>
#include <stdio.h>

enum engine_mode { ENGINE_LEXICAL, ENGINE_SEMANTIC, ENGINE_HYBRID, ENGINE_HYBRID_RRF };

/* Hybrid ranking (docs/search.md). Two lists, each cut at
 * ENGINE_FUSE_DEPTH (or at the page's end when deeper): the lexical one
 * (BM25F) and the semantic one (cosine), whose query vector is seeded
 * with the mean vector of the ENGINE_PRF_DOCS best lexical hits
 * (pseudo-relevance feedback). ENGINE_HYBRID scores each paper of the
 * union by
 *   (1 - ENGINE_FUSE_LAMBDA) * bm25 / max bm25 + ENGINE_FUSE_LAMBDA * cos / max cos
 * (a paper only the lexical list has gets its cosine computed; one only
 * the semantic list has counts bm25 0). ENGINE_HYBRID_RRF fuses the same
 * lists by reciprocal rank fusion instead:
 *   sum over lists of 1 / (ENGINE_RRF_K + rank)   (ranks from 1) */
#define ENGINE_FUSE_DEPTH 30
#define ENGINE_FUSE_LAMBDA 0.2f
#define ENGINE_PRF_DOCS 3
#define ENGINE_RRF_K 60

struct engine_opts {
	enum engine_mode mode; /* of search_query through the interface */
	int vectors;	       /* 1: semantic vectors (trained from the corpus when missing) */
	unsigned dims;	       /* of newly trained vectors; 0: VEC_DIMS_DEFAULT */
	int watch;	       /* 1: a thread follows the store's changes (and
				* catches up with them just after opening) */
	int rebuild;	       /* 1: rebuild the index (and retrain the vectors) now */
	int no_build;	       /* 1: open what is there, build nothing: a lexical
				* index that is missing or damaged is PB_ENOTFOUND,
				* vectors that are are left out (engine_add_vectors) */
	FILE *log;	       /* one line per build or repair; NULL: stderr */
	const char *dir;       /* the folder of the index files, made (with its
				* parents) when missing; NULL: DB.idx next to the
				* SQLite file db_path. Required for other stores. */
};

/* Defaults: hybrid, vectors, no watcher, no rebuild, log to stderr. */
void engine_opts_default(struct engine_opts *o);

struct engine;

/* Opens the engine of the database at db_path (the target st was opened
 * from: a SQLite path or a PostgreSQL URL), reading papers from st (used
 * during the call only; a watcher opens its own store from db_path).
 * Builds what is missing or damaged, with a log line saying why and
 * where (with o->no_build: PB_ENOTFOUND, err saying why, when the lexical
 * index would have to be built). PB_OK; PB_EINVAL when st is not SQLite
 * and o->dir is not set; PB_EIO naming the folder when it cannot be made
 * or written; or an error from the store or memory. */
int engine_open(const char *db_path, struct store *st, const struct engine_opts *o,
		struct engine **out, struct pb_err *err);
void engine_close(struct engine *e);

/* Makes the index folder dir and its missing parents. PB_OK, or PB_EIO
 * naming the folder and what went wrong. */
int engine_make_dirs(const char *dir, struct pb_err *err);
/* Writes "paperboy: search index: " and the message, a line, to log
 * (stderr when NULL). */
void engine_vlog(FILE *log, const char *fmt, va_list ap);

/* 1 when the folder dir holds a lexical index file. Cannot fail. */
int engine_index_exists(const char *dir);
/* Bytes of the index files in the folder dir (0 when there are none).
 * Cannot fail. */
long long engine_index_bytes(const char *dir);

struct engine_hit {
	char arxiv_id[ARXIV_ID_MAX];
	int64_t row;		    /* store row id */
	float score;		    /* BM25F, cosine or fused score, by mode */
	float lex_score, sem_score; /* the parts (hybrid modes; 0 when absent) */
	int lex_rank;		    /* 1-based rank in the lexical list, 0 when absent */
	int sem_rank;		    /* same in the semantic list */
};

struct engine_request {
	const char *query;
	enum engine_mode mode;
	const struct store_filter *filter; /* category, author, days, sort, paging; may be NULL */
	long offset, limit;		   /* when filter is NULL */
	int count;			   /* 1: exact total and category facets */
	int exact_vectors;		   /* 1: scan every vector (no inverted file) */
	struct store *st;		   /* for an arXiv id query; may be NULL */
};

struct engine_result {
	struct engine_hit *hits;
	size_t n_hits;
	long total; /* matches; exact when counted */
	int total_exact;
	struct lex_facet *facets; /* when counted, most papers first */
	unsigned n_facets;
	struct query q;		 /* the query as understood (words for highlighting) */
	int relaxed;		 /* no paper had every word: papers with some of them */
	unsigned long long work; /* postings scored */
};

/* Runs a search; everything in out lives in a. PB_OK (no hits is not an
 * error), or an error from memory or a damaged index. */
int engine_search(struct engine *e, const struct engine_request *r, struct arena *a,
		  struct engine_result *out, struct pb_err *err);

/* The k papers nearest to arxiv_id in the semantic space, best first
 * (out->q is empty). PB_ENOTFOUND when the paper is not indexed, PB_EINVAL
 * when the engine has no vectors. */
int engine_similar(struct engine *e, const char *arxiv_id, unsigned k, struct arena *a,
		   struct engine_result *out, struct pb_err *err);

/* Makes the papers changed in st since the last refresh searchable now
 * (the watcher does this by itself). Rebuilds when too many changed. */
int engine_refresh(struct engine *e, struct store *st, struct pb_err *err);
/* Rebuilds the index from st (vectors are folded in again, not retrained). */
int engine_rebuild(struct engine *e, struct store *st, struct pb_err *err);
/* Gives an engine opened without vectors (o->vectors 0, or o->no_build
 * with vectors missing) its semantic vectors: opened from the folder,
 * else trained and folded (minutes on a large store), which searches do
 * not wait for; then searches use them, with the fresh segment of st.
 * Vectors are kept from then on (rebuilds fold them in). PB_OK also when
 * the corpus is too small for vectors (engine_stats: dims 0, a log line
 * says why); else an error from the store, the disk or memory. */
int engine_add_vectors(struct engine *e, struct store *st, struct pb_err *err);

struct engine_stats {
	long docs, fresh_docs, superseded;
	size_t lex_bytes, vec_bytes;
	unsigned dims, vocabulary;
	char built[24];
};
void engine_stats(struct engine *e, struct engine_stats *out);

/* The search interface (search.h) over an open engine, which it then
 * owns (search_destroy closes it). Papers are read from the caller's
 * store; a query without words lists by the filter alone. NULL when out
 * of memory (the engine is closed then). */
struct search_engine *engine_search_iface(struct engine *e);

/* The engine a server should use: the indexed one when the folder dir
 * (NULL: DB.idx next to the SQLite file db_path) has an index (opened
 * with a watcher, errors logged to log), else the simple one. NULL when
 * out of memory. */
struct search_engine *search_default_new(const char *db_path, const char *dir, struct store *st,
					 FILE *log);

#endif
