/* bulk.h - the lexical search index of a store built while an import fills
 * it: threads with a connection of their own read the papers of each batch
 * the import commits (at a lower priority than the import), so the index
 * file is written soon after the last commit instead of after a second
 * pass over the store. When it is done it
 * checks that no paper it read has changed since (another writer, a record
 * that came twice); if one has, it writes nothing and the caller builds the
 * index from the store as usual. The file is the one a build from the store
 * would write (lex_build.c), in the index folder the engine uses
 * (engine.h); semantic vectors are not part of it. */
#ifndef PB_BULK_H
#define PB_BULK_H

#include "../core/err.h"

struct bulk_index;

/* Starts following the store at db_path (a SQLite path or a PostgreSQL
 * target) for the lexical index file of the folder dir (made with its
 * parents when missing). PB_OK, or an error from the store, the folder or
 * memory. */
int bulk_index_start(const char *db_path, const char *dir, struct bulk_index **out,
		     struct pb_err *err);

/* Says that the importer committed papers: the thread reads them soon.
 * Safe from any thread. Cannot fail. */
void bulk_index_committed(struct bulk_index *bi);

struct bulk_result {
	long docs; /* papers in the index written */
	int stale; /* 1: papers changed after they were read; nothing written */
};

/* Reads the papers committed since the last time, checks the papers read,
 * and writes the index file (synced, then renamed over DIR/lex); frees bi
 * in any case. PB_OK (see res->stale), or an error from the store, the disk
 * or memory (nothing written then). */
int bulk_index_finish(struct bulk_index *bi, struct bulk_result *res, struct pb_err *err);

/* Stops following and frees bi, writing nothing. NULL is fine. */
void bulk_index_abort(struct bulk_index *bi);

#endif
