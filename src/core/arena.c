/* arena.c - bump allocator in a chain of blocks. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size;
	_Alignas(16) unsigned char mem[];
};

#define ARENA_BLOCK 16384

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (n == 0)
		need = 16;
	if (a->max && a->total + need > a->max)
		return NULL;
	if (!a->head || a->used + need > a->head->size) {
		size_t sz = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		struct arena_block *blk = malloc(sizeof(*blk) + sz);
		if (!blk)
			return NULL;
		blk->size = sz;
		blk->next = a->head;
		a->head = blk;
		a->used = 0;
	}
	p = a->head->mem + a->used;
	a->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void *arena_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *nl;
	if (arr && n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap <= n)
		ncap = n + 8;
	nl = arena_alloc(a, ncap * elem);
	if (!nl)
		return NULL;
	if (n && arr)
		memcpy(nl, arr, n * elem);
	*cap = ncap;
	return nl;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b;

	if (!a->head)
		return;
	/* Keep the newest block only if it is a standard one. */
	b = a->head->next;
	while (b) {
		struct arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head->next = NULL;
	if (a->head->size > ARENA_BLOCK) {
		free(a->head);
		a->head = NULL;
	}
	a->used = 0;
	a->total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}
