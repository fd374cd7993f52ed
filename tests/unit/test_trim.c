/* test_trim.c: unit tests of trim.c: both edges, a text all of the class, an empty text, bytes
 * past ASCII and a NUL inside the length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cclass.h"
#include "trim.h"

/* trim(s, cls) as a string, for comparing. */
static const char *trimmed(const char *s, size_t n, bool (*cls)(int), char *out)
{
	const char *t = trim(s, &n, cls);
	memcpy(out, t, n);
	out[n] = '\0';
	return out;
}

static void test_edges(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(trimmed("  a b  ", 7, cc_ows, out), "a b");
	assert_string_equal(trimmed("\t a\t", 4, cc_ows, out), "a");
	assert_string_equal(trimmed("ab", 2, cc_ows, out), "ab");
	/* Only the class goes: a line end is not OWS. */
	assert_string_equal(trimmed(" a\r\n", 4, cc_ows, out), "a\r\n");
	assert_string_equal(trimmed("12ab34", 6, cc_digit, out), "ab");
}

static void test_all_or_nothing(void **state)
{
	(void)state;
	size_t n = 3;
	const char *s = "   ";
	const char *t = trim(s, &n, cc_ows);
	assert_int_equal(n, 0);
	assert_ptr_equal(t, s + 3);
	const char *empty = "";
	n = 0;
	assert_ptr_equal(trim(empty, &n, cc_ows), empty);
	assert_int_equal(n, 0);
	assert_int_equal(trim_end("", 0, cc_ows), 0);
	assert_int_equal(trim_end("  ", 2, cc_ows), 0);
}

static void test_bounded_by_length(void **state)
{
	(void)state;
	/* The length bounds the text: bytes past it are never read, a NUL inside it is a byte. */
	assert_int_equal(trim_end("a  b", 3, cc_ows), 1);
	assert_int_equal(trim_end("a\0 ", 3, cc_ows), 2);
	/* Bytes past ASCII are of no class and are not sign-extended into one. */
	assert_int_equal(trim_end("a\xa0\xa0", 3, cc_ows), 3);
	size_t n = 4;
	const char *s = "\xc2\xa0x ";
	assert_ptr_equal(trim(s, &n, cc_ows), s);
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_bounded_by_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
