/* arena.h - a bump allocator for objects that die together (a record, a
 * request). Nothing is freed one by one: arena_reset() drops everything and
 * keeps the first block; arena_release() frees all memory.
 */
#ifndef PB_ARENA_H
#define PB_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used;   /* bytes used in head */
	size_t total;  /* bytes handed out since the last reset */
	size_t max;    /* cap on total; 0 = unlimited */
};

#define ARENA_INIT {NULL, 0, 0, 0}

/* Returns zeroed memory aligned for any type, or NULL when out of memory or
 * past the arena's cap. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes of s and NUL-terminates. NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Makes room for one more element in an arena array of n elements of size
 * elem whose capacity is *cap: returns arr itself when there is room, else a
 * copy with twice the capacity (*cap updated). NULL when out of memory. */
void *arena_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t elem);
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

#endif
