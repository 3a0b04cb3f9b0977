/* live.h - the search engine of a running server, searching from its
 * first request. An index that is there is opened as it is (headers
 * checked; the engine's watcher checks the rest in the background). One
 * that is missing or damaged is built on a thread of its own while the
 * simple matcher answers; searches move to the ranked engine when it is
 * ready. Missing semantic vectors are made after it the same way
 * (similar papers appear then). What is being built shows in
 * search_status of the engine (swap.h).
 */
#ifndef PB_LIVE_H
#define PB_LIVE_H

#include "engine.h"

struct search_live;

/* Opens the search engine of the database at db_path, reading papers
 * from st (opened from db_path; used during the call only) with options
 * o (o->dir the index folder, o->log the log, o->vectors and o->dims;
 * the engine watches the store). Returns at once, whatever has to be
 * built (search_live_start builds it); the log says which index is
 * opened, or why there is none. o NULL: the simple matcher only (st
 * unused). NULL when out of memory. */
struct search_live *search_live_open(const char *db_path, struct store *st,
				     const struct engine_opts *o);

/* Starts building what is missing, on a thread of its own (a server
 * calls it once it listens, so that a failed start builds nothing).
 * Without it, nothing is built. Cannot fail (without a thread, searches
 * go on with what there is, and the log says so). */
void search_live_start(struct search_live *l);

/* The engine to search with, owned by l. Cannot fail. */
struct search_engine *search_live_engine(struct search_live *l);

/* Stops building and closes the engine, waiting up to grace seconds,
 * with no search in flight. Returns 0 when all is closed and freed. A
 * build step under way (indexing, training vectors: they cannot be
 * interrupted) or a rebuild by the engine's watcher may take minutes:
 * then it returns 1 and leaves that thread to finish and free all by
 * itself; a process should then end with _exit, so that no library is
 * torn down under the thread. Either way nothing half-written is ever
 * trusted: index files are written under temporary names, synced, then
 * renamed, and are checked by their checksums. */
int search_live_close(struct search_live *l, double grace);

#endif
