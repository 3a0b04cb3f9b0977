/* cache.c - a chained hash table of responses under a read-write lock. */
#include "cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_BUCKETS 4096

struct entry {
	struct entry *next;
	uint64_t hash;
	unsigned long long gen;
	time_t expires;
	void *value;
	size_t bytes;
	char key[];
};

struct web_cache {
	pthread_rwlock_t lock;
	struct entry *buckets[CACHE_BUCKETS];
	size_t entries, bytes, max_bytes, max_entries;
	web_cache_destroy_fn destroy;
};

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct web_cache *web_cache_new(size_t max_bytes, size_t max_entries, web_cache_destroy_fn destroy)
{
	struct web_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (pthread_rwlock_init(&c->lock, NULL)) {
		free(c);
		return NULL;
	}
	c->max_bytes = max_bytes;
	c->max_entries = max_entries;
	c->destroy = destroy;
	return c;
}

static void drop(struct web_cache *c, struct entry **link)
{
	struct entry *e = *link;
	*link = e->next;
	c->entries--;
	c->bytes -= e->bytes;
	c->destroy(e->value);
	free(e);
}

/* Drops entries of a generation other than keep and expired ones, or every
 * entry when all is set. Caller holds the write lock. */
static void purge(struct web_cache *c, int all, unsigned long long keep, time_t now)
{
	size_t i;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct entry **link = &c->buckets[i];
		while (*link) {
			struct entry *e = *link;
			if (all || e->gen != keep || (e->expires && e->expires <= now))
				drop(c, link);
			else
				link = &e->next;
		}
	}
}

void web_cache_free(struct web_cache *c)
{
	if (!c)
		return;
	purge(c, 1, 0, 0);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

int web_cache_get(struct web_cache *c, const char *key, unsigned long long gen, time_t now,
		  web_cache_visit_fn visit, void *ctx)
{
	uint64_t h = hash_key(key);
	struct entry *e;
	int found = 0;

	pthread_rwlock_rdlock(&c->lock);
	for (e = c->buckets[h % CACHE_BUCKETS]; e; e = e->next) {
		if (e->hash == h && strcmp(e->key, key) == 0) {
			if (e->gen == gen && (!e->expires || e->expires > now)) {
				visit(ctx, e->value);
				found = 1;
			}
			break;
		}
	}
	pthread_rwlock_unlock(&c->lock);
	return found;
}

int web_cache_put(struct web_cache *c, const char *key, unsigned long long gen, time_t expires,
		  void *value, size_t bytes)
{
	uint64_t h = hash_key(key);
	size_t klen = strlen(key);
	struct entry *e, **link;

	if (bytes + klen > c->max_bytes)
		return -1;
	e = malloc(sizeof(*e) + klen + 1);
	if (!e)
		return -1;
	e->hash = h;
	e->gen = gen;
	e->expires = expires;
	e->value = value;
	e->bytes = bytes + klen + sizeof(*e);
	memcpy(e->key, key, klen + 1);

	pthread_rwlock_wrlock(&c->lock);
	for (link = &c->buckets[h % CACHE_BUCKETS]; *link; link = &(*link)->next) {
		if ((*link)->hash == h && strcmp((*link)->key, key) == 0) {
			drop(c, link);
			break;
		}
	}
	if (c->bytes + e->bytes > c->max_bytes || c->entries + 1 > c->max_entries) {
		purge(c, 0, gen, time(NULL));
		if (c->bytes + e->bytes > c->max_bytes || c->entries + 1 > c->max_entries)
			purge(c, 1, 0, 0);
	}
	link = &c->buckets[h % CACHE_BUCKETS];
	e->next = *link;
	*link = e;
	c->entries++;
	c->bytes += e->bytes;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

void web_cache_usage(struct web_cache *c, size_t *entries, size_t *bytes)
{
	pthread_rwlock_rdlock(&c->lock);
	*entries = c->entries;
	*bytes = c->bytes;
	pthread_rwlock_unlock(&c->lock);
}
