/* arena.c: a per-request bump allocator with a size cap and cleanup hooks. */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, off;
	max_align_t data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *p;
};

void arena_init(struct arena *a, size_t cap)
{
	memset(a, 0, sizeof *a);
	a->cap = cap;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	size_t need = (n + align - 1) / align * align;
	struct arena_chunk *c = a->head;

	if (need < n || a->used + need > a->cap || a->used + need < a->used)
		return NULL;
	if (c == NULL || c->size - c->off < need) {
		size_t sz = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		c = malloc(sizeof *c + sz);
		if (c == NULL)
			return NULL;
		c->size = sz;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->off;
	c->off += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	if ((size_t)n < sizeof small) {
		memcpy(p, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return p;
}

int arena_on_reset(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof *c);
	if (c == NULL)
		return -1;
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

static void run_cleanups(struct arena *a)
{
	while (a->cleanups != NULL) {
		struct arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->p);
	}
}

void arena_reset(struct arena *a)
{
	run_cleanups(a);
	struct arena_chunk *keep = NULL;
	while (a->head != NULL) {
		struct arena_chunk *c = a->head;
		a->head = c->next;
		if (a->head == NULL && c->size == ARENA_CHUNK) {
			keep = c;
		} else {
			free(c);
		}
	}
	if (keep != NULL) {
		keep->off = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used = 0;
}

void arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
