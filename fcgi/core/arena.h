/* arena.h: a per-request bump allocator with a size cap and cleanup hooks. */
#ifndef HQR_ARENA_H
#define HQR_ARENA_H
#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	struct arena_cleanup *cleanups;
	size_t used; /* bytes handed out since the last reset */
	size_t cap;  /* hard limit; allocations past it fail */
};

/* Prepares an empty arena that refuses to hand out more than cap bytes. */
void arena_init(struct arena *a, size_t cap);
/* Returns zeroed memory owned by the arena (freed at reset), or NULL past the cap. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes and a NUL terminator into the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena; NULL on overflow of the cap. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Registers fn(p) to run at the next reset (last registered runs first). */
int arena_on_reset(struct arena *a, void (*fn)(void *), void *p);
/* Runs the cleanups and frees all chunks but the first, keeping it for reuse. */
void arena_reset(struct arena *a);
/* Resets and frees everything. */
void arena_free(struct arena *a);

#endif
