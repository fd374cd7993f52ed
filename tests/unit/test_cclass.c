/* test_cclass.c: the ASCII character classes of cclass.h, each against its alphabet spelled out
 * (RFC 4648, RFC 3986, RFC 7230), over all 256 byte values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cclass.h"

#define DIGITS "0123456789"
#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER  "abcdefghijklmnopqrstuvwxyz"

static void same_as(bool (*cls)(int), const char *alphabet, const char *name)
{
	for (int c = 0; c < 256; c++) {
		bool want = c != 0 && strchr(alphabet, c) != NULL;
		if (cls(c) != want)
			fail_msg("%s(%d) is %d", name, c, cls(c));
	}
}

static void test_classes(void **state)
{
	(void)state;
	same_as(cc_digit, DIGITS, "cc_digit");
	same_as(cc_upper, UPPER, "cc_upper");
	same_as(cc_lower, LOWER, "cc_lower");
	same_as(cc_alpha, UPPER LOWER, "cc_alpha");
	same_as(cc_alnum, DIGITS UPPER LOWER, "cc_alnum");
	same_as(cc_b64url, DIGITS UPPER LOWER "-_", "cc_b64url");
	same_as(cc_unreserved, DIGITS UPPER LOWER "-._~", "cc_unreserved");
	same_as(cc_tchar, DIGITS UPPER LOWER "!#$%&'*+-.^_`|~", "cc_tchar");
}

static void test_tolower(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		const char *u = c != 0 ? strchr(UPPER, c) : NULL;
		int want = u != NULL ? LOWER[u - UPPER] : c;
		assert_int_equal(cc_tolower(c), want);
	}
}

static void test_all(void **state)
{
	(void)state;
	assert_false(cc_all("", 0, cc_digit));
	assert_false(cc_all(NULL, 3, cc_digit));
	assert_true(cc_all("0123", 4, cc_digit));
	assert_false(cc_all("01a3", 4, cc_digit));
	assert_true(cc_all("01a3", 2, cc_digit));   /* only the n bytes asked */
	assert_false(cc_all("1\xb2", 2, cc_digit)); /* a byte past ASCII is no digit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_tolower),
		cmocka_unit_test(test_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
