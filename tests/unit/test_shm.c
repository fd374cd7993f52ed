/* test_shm.c: unit tests of shm.c: zeroed memory that processes forked after it write and read
 * alike. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm.h"

/* Every byte of a fresh mapping reads zero, over more than one page. */
static void test_zeroed(void **state)
{
	(void)state;
	size_t n = 3 * 4096 + 17;
	unsigned char *p = shm_zeroed(n);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("byte %zu is %u", i, p[i]);
}

/* What a forked child writes, the parent reads; and what the parent wrote before the fork, the
 * child reads (a private copy would show neither). */
static void test_shared_with_children(void **state)
{
	(void)state;
	uint32_t *m = shm_zeroed(2 * sizeof *m);
	assert_non_null(m);
	volatile uint32_t *p = m; /* written by another process */
	p[0] = 41;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		p[1] = p[0] + 1;
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(p[1], 42);
}

/* Two mappings are distinct: writing one leaves the other zero. */
static void test_mappings_apart(void **state)
{
	(void)state;
	unsigned char *a = shm_zeroed(64), *b = shm_zeroed(64);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	a[0] = 1;
	assert_int_equal(b[0], 0);
}

/* Nothing to map: NULL, not a mapping of no bytes. */
static void test_empty_is_null(void **state)
{
	(void)state;
	assert_null(shm_zeroed(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeroed),
		cmocka_unit_test(test_shared_with_children),
		cmocka_unit_test(test_mappings_apart),
		cmocka_unit_test(test_empty_is_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
