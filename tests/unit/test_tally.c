/* test_tally.c: unit tests of tally.c: the check-ins' counts per account and minute, shared by the
 * worker processes of a host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tally.h"

/* One key counts 1, 2, 3 ... in its minute, and starts again at 1 in the next. */
static void test_counts_and_next_minute(void **state)
{
	(void)state;
	for (uint32_t i = 1; i <= 25; i++)
		assert_int_equal(tally_add(42, 1000), i);
	assert_int_equal(tally_add(42, 1001), 1);
	assert_int_equal(tally_add(42, 1001), 2);
}

/* A counter a moment ahead (another process's clock) is counted on, never started again: a count
 * is never below the truth. */
static void test_earlier_minute_counts_on(void **state)
{
	(void)state;
	assert_int_equal(tally_add(7, 2001), 1);
	assert_int_equal(tally_add(7, 2000), 2);
	assert_int_equal(tally_add(7, 2001), 3);
}

/* Many keys in one minute: each key's count is at least its own number of adds, and with 20000
 * other keys counted once each, a key counted 5 times reads 5 (no row of its counters is shared
 * with enough of them to reach the bound of 20). */
static void test_many_keys_never_below(void **state)
{
	(void)state;
	const int32_t minute = 3000;
	for (uint64_t k = 1000000; k < 1020000; k++)
		assert_true(tally_add(k, minute) >= 1);
	uint32_t n = 0;
	for (int i = 0; i < 5; i++)
		n = tally_add(999, minute);
	assert_true(n >= 5);
	assert_true(n < 20);
}

/* After tally_init, processes forked from the caller count in the same counters. */
static void test_shared_across_processes(void **state)
{
	(void)state;
	assert_int_equal(tally_init(), 0);
	const int procs = 4, each = 250;
	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < each; i++)
				(void)tally_add(5, 4000);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++) {
		int st = 0;
		assert_true(wait(&st) > 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(tally_add(5, 4000), (uint32_t)(procs * each + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_next_minute),
		cmocka_unit_test(test_earlier_minute_counts_on),
		cmocka_unit_test(test_many_keys_never_below),
		cmocka_unit_test(test_shared_across_processes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
