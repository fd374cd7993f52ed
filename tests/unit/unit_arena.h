/* unit_arena.h: the arena a unit test program's calls allocate from, made by its group's setup and
 * freed by its teardown: cmocka_run_group_tests(tests, arena_setup, arena_teardown); and values
 * the tests make in it. Included after <cmocka.h>; a program whose calls need more than 1 MiB
 * defines UNIT_ARENA_SIZE (bytes) before including it. */
#ifndef HQR_UNIT_ARENA_H
#define HQR_UNIT_ARENA_H
#include "arena.h"

#ifndef UNIT_ARENA_SIZE
#define UNIT_ARENA_SIZE (1024u * 1024u)
#endif

static struct arena arena;

static int arena_setup(void **state)
{
	(void)state;
	arena_init(&arena, UNIT_ARENA_SIZE);
	return 0;
}

static int arena_teardown(void **state)
{
	(void)state;
	arena_free(&arena);
	return 0;
}

/* A per-test setup for a program whose tests each start from an empty arena:
 * cmocka_unit_test_setup(test, arena_fresh). */
__attribute__((unused)) static int arena_fresh(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

/* A local path of n bytes: "/" then 'a'..'z' repeated, in the arena (for a program that asks). */
__attribute__((unused)) static char *path_of(size_t n)
{
	char *s = arena_alloc(&arena, n + 1);
	assert_non_null(s);
	s[0] = '/';
	for (size_t i = 1; i < n; i++)
		s[i] = (char)('a' + (i % 26));
	s[n] = '\0';
	return s;
}

#endif
