/* swap.h - a search engine standing for another that can be replaced
 * while searches run: a server searches with the simple matcher while its
 * index is built (live.h), then with the indexed engine. Also a guard
 * letting one query at a time through (search_serial_new).
 *
 * Each call goes to the engine that is current when the call starts, and
 * that engine lives until the call returns: a replaced engine is
 * destroyed by the last call still using it, or at once when none is.
 * Every function here is safe to call concurrently with searches;
 * search_destroy (no call in flight) destroys the current engine too.
 *
 * The swap also says how far the index has come (search_status): what
 * the current engine says, except for the parts its owner marks as being
 * built (search_swap_building). Similar papers asked for while they are
 * being built are PB_EBUSY.
 */
#ifndef PB_SWAP_H
#define PB_SWAP_H

#include "search.h"

/* A swap searching with first, which it owns from now on. NULL when out
 * of memory (first is destroyed then). */
struct search_engine *search_swap_new(struct search_engine *first);

/* Makes next (owned from now on) the engine of calls starting from now;
 * the one it replaces goes when its last call returns. PB_OK, or
 * PB_ENOMEM (next is destroyed, the current engine stays). */
int search_swap_replace(struct search_engine *sw, struct search_engine *next);

/* Marks the lexical index and the vectors as being built (1) or not (0),
 * papers the number being indexed; each change moves the generation
 * search_status reports, and so does search_swap_replace. Cannot fail. */
void search_swap_building(struct search_engine *sw, int index, int vectors, long papers);

/* An engine letting one query at a time through to inner (owned from now
 * on); a query arriving while another runs is PB_EBUSY at once, saying
 * why. For the simple matcher while the index is built: it reads the
 * whole papers table per query (seconds on a large store), and a server's
 * threads must stay free for its other pages. Other calls go through as
 * they are. NULL when out of memory (inner is destroyed then). */
struct search_engine *search_serial_new(struct search_engine *inner);

#endif
