/* unit_arena.h: the arena a unit test program's calls allocate from, made by its group's setup and
 * freed by its teardown: cmocka_run_group_tests(tests, arena_setup, arena_teardown). */
#ifndef HQR_UNIT_ARENA_H
#define HQR_UNIT_ARENA_H
#include "arena.h"

static struct arena arena;

static int arena_setup(void **state)
{
	(void)state;
	arena_init(&arena, 1024 * 1024);
	return 0;
}

static int arena_teardown(void **state)
{
	(void)state;
	arena_free(&arena);
	return 0;
}

#endif
