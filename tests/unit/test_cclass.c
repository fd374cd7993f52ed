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
	same_as(cc_nonce, DIGITS UPPER LOWER "-_.", "cc_nonce");
	same_as(cc_ows, " \t", "cc_ows");
	same_as(cc_space, " \t\r\n", "cc_space");
	same_as(cc_sp, " ", "cc_sp");
	same_as(cc_eol, "\r\n", "cc_eol");
	for (int c = 0; c < 256; c++) /* C0 and DEL: NUL too, which same_as cannot spell */
		if (cc_cntrl(c) != (c < 32 || c == 127))
			fail_msg("cc_cntrl(%d) is %d", c, cc_cntrl(c));
	/* The visible ASCII bytes, spelled out. */
	same_as(cc_graph, DIGITS UPPER LOWER "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "cc_graph");
	same_as(cc_print, DIGITS UPPER LOWER " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "cc_print");
}

/* A digit function against its alphabet: the index there, -1 for every other byte. */
static void values_as(int (*val)(int), const char *alphabet, const char *name)
{
	for (int c = 0; c < 256; c++) {
		const char *at = c != 0 ? strchr(alphabet, c) : NULL;
		int want = at != NULL ? (int)(at - alphabet) : -1;
		if (val(c) != want)
			fail_msg("%s(%d) is %d, not %d", name, c, val(c), want);
	}
}

static void test_values(void **state)
{
	(void)state;
	values_as(cc_b64val, UPPER LOWER DIGITS "+/", "cc_b64val");
	values_as(cc_b64urlval, UPPER LOWER DIGITS "-_", "cc_b64urlval");
	for (int c = 0; c < 256; c++) { /* hex: either case */
		const char *lo = c != 0 ? strchr("0123456789abcdef", c) : NULL;
		const char *up = c != 0 ? strchr("ABCDEF", c) : NULL;
		int want = lo != NULL ? (int)(lo - "0123456789abcdef") : up != NULL ? (int)(up - "ABCDEF") + 10 : -1;
		if (cc_hexval(c) != want)
			fail_msg("cc_hexval(%d) is %d, not %d", c, cc_hexval(c), want);
	}
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

static void test_span(void **state)
{
	(void)state;
	assert_int_equal(cc_span("", cc_digit), 0);
	assert_int_equal(cc_span("123", cc_digit), 3);
	assert_int_equal(cc_span("12a3", cc_digit), 2);
	assert_int_equal(cc_span("a123", cc_digit), 0);
	assert_int_equal(cc_span("1\xb2"
				 "3",
				 cc_digit),
			 1);
	assert_int_equal(cc_span("ab-_.x~", cc_nonce), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes), cmocka_unit_test(test_tolower), cmocka_unit_test(test_all),
		cmocka_unit_test(test_values),  cmocka_unit_test(test_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
