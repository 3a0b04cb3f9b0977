/* cache.h - the response cache: values keyed by request target, each
 * tagged with the data generation it was made from and an optional expiry.
 *
 * Thread-safe (a read-write lock): lookups run in parallel, inserts are
 * exclusive. The cache owns inserted values and destroys them (through the
 * destroy callback given at creation) when they are replaced, stale or
 * evicted. A lookup hands the value to a visitor while the entry is locked,
 * so the visitor may take its own reference (for example queue a shared
 * response) before the entry can go away.
 *
 * Eviction is deliberately simple: an insert that would pass the byte or
 * entry budget first drops entries of older generations, then, if still
 * over, everything.
 */
#ifndef PB_CACHE_H
#define PB_CACHE_H

#include <stddef.h>
#include <time.h>

struct web_cache;

typedef void (*web_cache_destroy_fn)(void *value);
typedef void (*web_cache_visit_fn)(void *ctx, void *value);

/* NULL when out of memory. */
struct web_cache *web_cache_new(size_t max_bytes, size_t max_entries, web_cache_destroy_fn destroy);
/* Destroys every value and the cache. */
void web_cache_free(struct web_cache *c);

/* Looks key up; when an entry of generation gen exists and has not expired
 * at now, calls visit(ctx, value) with the entry locked and returns 1.
 * Returns 0 otherwise. */
int web_cache_get(struct web_cache *c, const char *key, unsigned long long gen, time_t now,
		  web_cache_visit_fn visit, void *ctx);

/* Stores value (bytes: its size, for the budget) under key for generation
 * gen, expiring at expires (0: never), replacing an older entry. On success
 * the cache owns value and returns 0; when the value is larger than the
 * whole budget or memory runs out it returns -1 and the caller keeps value. */
int web_cache_put(struct web_cache *c, const char *key, unsigned long long gen, time_t expires,
		  void *value, size_t bytes);

/* Entries and bytes held, for /metrics. */
void web_cache_usage(struct web_cache *c, size_t *entries, size_t *bytes);

#endif
