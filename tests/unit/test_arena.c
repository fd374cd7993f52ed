/* test_arena.c: unit tests of arena.c: zeroed allocation, alignment, the size cap, cleanups in reverse order, strndup and printf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define MiB (1024u * 1024u)

/* Records the order in which cleanups run. */
struct trace {
	char seen[16];
	size_t n;
};

struct mark {
	struct trace *t;
	char id;
};

static void record(void *p)
{
	struct mark *m = p;
	if (m->t->n < sizeof m->t->seen - 1)
		m->t->seen[m->t->n++] = m->id;
}

static int is_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void test_alloc_zeroed_and_distinct(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	unsigned char *p = arena_alloc(&a, 100);
	assert_non_null(p);
	assert_true(is_zero(p, 100));
	memset(p, 0xAB, 100);
	unsigned char *q = arena_alloc(&a, 100);
	assert_non_null(q);
	assert_true(is_zero(q, 100));
	/* The two blocks do not overlap: writing one leaves the other intact. */
	assert_true(q >= p + 100 || q + 100 <= p);
	memset(q, 0xCD, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(p[i], 0xAB);
	assert_true(a.used >= 200);
	arena_free(&a);
}

static void test_alloc_alignment(void **state)
{
	static const size_t sizes[] = { 1, 3, 7, 8, 13, 16, 17, 31, 100, 1, 5000, 2 };
	const uintptr_t align = _Alignof(max_align_t);
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		void *p = arena_alloc(&a, sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		/* A long double or a pointer can be stored there. */
		if (sizes[i] >= sizeof(long double))
			*(long double *)p = 1.5L;
	}
	arena_free(&a);
}

static void test_alloc_larger_than_a_chunk(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, 8 * MiB);
	char *small = arena_alloc(&a, 10);
	assert_non_null(small);
	size_t big_n = 200000; /* more than one 16 KiB chunk */
	unsigned char *big = arena_alloc(&a, big_n);
	assert_non_null(big);
	assert_true(is_zero(big, big_n));
	memset(big, 0x5A, big_n);
	assert_int_equal(big[0], 0x5A);
	assert_int_equal(big[big_n - 1], 0x5A);
	/* Allocation continues after the big block. */
	char *after = arena_alloc(&a, 10);
	assert_non_null(after);
	arena_free(&a);
}

static void test_cap_refuses(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, 1024);
	assert_non_null(arena_alloc(&a, 512));
	assert_non_null(arena_alloc(&a, 256));
	/* What is left is under 300 bytes. */
	assert_null(arena_alloc(&a, 300));
	/* A refusal changes nothing: a small allocation still fits. */
	assert_non_null(arena_alloc(&a, 64));
	assert_true(a.used <= a.cap);
	/* A request for more than the cap is refused outright, also when the size would overflow. */
	assert_null(arena_alloc(&a, 4096));
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX - 3));
	arena_free(&a);
}

static void test_cap_exact_fit(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, 4096);
	assert_non_null(arena_alloc(&a, 4096));
	assert_int_equal(a.used, 4096);
	assert_null(arena_alloc(&a, 1));
	arena_free(&a);
}

static void test_reset_frees_budget(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, 64 * 1024);
	for (int round = 0; round < 5; round++) {
		/* A request's worth of allocations, then a reset: the cap applies per request. */
		size_t got = 0;
		while (arena_alloc(&a, 1000) != NULL)
			got++;
		assert_true(got >= 60);
		arena_reset(&a);
		assert_int_equal(a.used, 0);
		char *p = arena_alloc(&a, 32);
		assert_non_null(p);
		assert_true(is_zero((unsigned char *)p, 32));
		arena_reset(&a);
	}
	arena_free(&a);
}

static void test_cleanups_reverse_order(void **state)
{
	struct arena a;
	struct trace t = { "", 0 };
	struct mark m[4] = { { &t, 'A' }, { &t, 'B' }, { &t, 'C' }, { &t, 'D' } };
	(void)state;
	arena_init(&a, MiB);
	for (int i = 0; i < 4; i++) {
		/* Interleave ordinary allocations, as a request does. */
		assert_non_null(arena_alloc(&a, 40000));
		assert_int_equal(arena_on_reset(&a, record, &m[i]), 0);
	}
	assert_int_equal(t.n, 0); /* nothing runs before the reset */
	arena_reset(&a);
	assert_string_equal(t.seen, "DCBA");
	/* Each cleanup runs once: a second reset runs nothing. */
	arena_reset(&a);
	assert_string_equal(t.seen, "DCBA");
	arena_free(&a);
}

static void test_cleanups_run_at_free(void **state)
{
	struct arena a;
	struct trace t = { "", 0 };
	struct mark m[2] = { { &t, 'x' }, { &t, 'y' } };
	(void)state;
	arena_init(&a, MiB);
	assert_int_equal(arena_on_reset(&a, record, &m[0]), 0);
	assert_int_equal(arena_on_reset(&a, record, &m[1]), 0);
	arena_free(&a);
	assert_string_equal(t.seen, "yx");
}

static void test_cleanup_heap_resource(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	/* A heap object registered for release: ASan/valgrind would report a leak otherwise. */
	char *heap = malloc(1000);
	assert_non_null(heap);
	assert_int_equal(arena_on_reset(&a, free, heap), 0);
	arena_free(&a);
}

static void test_cleanup_refused_at_cap(void **state)
{
	struct arena a;
	struct trace t = { "", 0 };
	struct mark m = { &t, 'z' };
	(void)state;
	arena_init(&a, 256);
	assert_non_null(arena_alloc(&a, 256));
	assert_int_equal(arena_on_reset(&a, record, &m), -1);
	arena_reset(&a);
	assert_int_equal(t.n, 0);
	arena_free(&a);
}

static void test_strndup_strdup(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	const char *src = "session=abc123; theme=dark";
	char *s = arena_strndup(&a, src, 7);
	assert_non_null(s);
	assert_string_equal(s, "session");
	assert_ptr_not_equal(s, src);
	char *e = arena_strndup(&a, src, 0);
	assert_non_null(e);
	assert_string_equal(e, "");
	char *d = arena_strdup(&a, "王小明");
	assert_non_null(d);
	assert_string_equal(d, "王小明");
	assert_int_equal(strlen(d), 9);
	arena_free(&a);
}

static void test_strdup_at_cap(void **state)
{
	struct arena a;
	char big[300];
	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	arena_init(&a, 256);
	assert_null(arena_strdup(&a, big));
	assert_non_null(arena_strdup(&a, "fits"));
	arena_free(&a);
}

static void test_printf(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	char *s = arena_printf(&a, "%s/%d/%05.1f", "persons", 42, 3.14159);
	assert_non_null(s);
	assert_string_equal(s, "persons/42/003.1");
	char *empty = arena_printf(&a, "%s", "");
	assert_non_null(empty);
	assert_string_equal(empty, "");
	arena_free(&a);
}

static void test_printf_long_output(void **state)
{
	/* Lengths around the 256-byte internal buffer and far past it. */
	static const size_t lens[] = { 254, 255, 256, 257, 1000, 20000 };
	struct arena a;
	(void)state;
	arena_init(&a, MiB);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char *src = malloc(lens[i] + 1);
		assert_non_null(src);
		for (size_t j = 0; j < lens[i]; j++)
			src[j] = (char)('a' + j % 26);
		src[lens[i]] = '\0';
		char *s = arena_printf(&a, "[%s]", src);
		assert_non_null(s);
		assert_int_equal(strlen(s), lens[i] + 2);
		assert_int_equal(s[0], '[');
		assert_memory_equal(s + 1, src, lens[i]);
		assert_int_equal(s[lens[i] + 1], ']');
		free(src);
	}
	arena_free(&a);
}

static void test_printf_at_cap(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a, 512);
	assert_null(arena_printf(&a, "%0600d", 7));
	char *s = arena_printf(&a, "id=%d", 7);
	assert_non_null(s);
	assert_string_equal(s, "id=7");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_and_distinct),
		cmocka_unit_test(test_alloc_alignment),
		cmocka_unit_test(test_alloc_larger_than_a_chunk),
		cmocka_unit_test(test_cap_refuses),
		cmocka_unit_test(test_cap_exact_fit),
		cmocka_unit_test(test_reset_frees_budget),
		cmocka_unit_test(test_cleanups_reverse_order),
		cmocka_unit_test(test_cleanups_run_at_free),
		cmocka_unit_test(test_cleanup_heap_resource),
		cmocka_unit_test(test_cleanup_refused_at_cap),
		cmocka_unit_test(test_strndup_strdup),
		cmocka_unit_test(test_strdup_at_cap),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_long_output),
		cmocka_unit_test(test_printf_at_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
