/* test_utf8.c: unit tests of utf8.c: the strict decoder, at every edge of Unicode's table of
 * well-formed byte sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "utf8.h"

/* s decodes to exactly one code point, want, taking all its bytes. */
static void one(const char *s, uint32_t want)
{
	size_t n = strlen(s), i = 0;
	uint32_t cp = 0;
	if (utf8_next((const unsigned char *)s, n, &i, &cp) != 0)
		fail_msg("refused U+%04X", (unsigned)want);
	assert_int_equal(cp, want);
	assert_int_equal(i, n);
}

/* s[0..n) is refused at its start, and *i stays where it was. */
static void refused(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp = 0xABCD;
	if (utf8_next((const unsigned char *)s, n, &i, &cp) != -1)
		fail_msg("accepted %zu bytes starting 0x%02X", n, (unsigned char)s[0]);
	assert_int_equal(i, 0);
	assert_int_equal(cp, 0xABCD);
}

/* The first and last code point of every length, and the edges around the surrogates. */
static void test_edges_decoded(void **state)
{
	(void)state;
	one("\x01", 0x01);
	one("\x7F", 0x7F);
	one("\xC2\x80", 0x80);
	one("\xDF\xBF", 0x7FF);
	one("\xE0\xA0\x80", 0x800);
	one("\xED\x9F\xBF", 0xD7FF);
	one("\xEE\x80\x80", 0xE000);
	one("\xEF\xBF\xBF", 0xFFFF);
	one("\xF0\x90\x80\x80", 0x10000);
	one("\xF4\x8F\xBF\xBF", 0x10FFFF);
	one("\xE4\xB8\xAD", 0x4E2D); /* a CJK ideograph */
	size_t i = 0;
	uint32_t cp;
	assert_int_equal(utf8_next((const unsigned char *)"\0", 1, &i, &cp), 0); /* NUL is a code point */
	assert_int_equal(cp, 0);
}

/* Overlong forms, surrogates, past U+10FFFF, stray continuation bytes, bytes never used. */
static void test_ill_formed_refused(void **state)
{
	(void)state;
	refused("\xC0\x80", 2);         /* overlong NUL */
	refused("\xC1\xBF", 2);         /* overlong 0x7F */
	refused("\xE0\x9F\xBF", 3);     /* overlong 0x7FF */
	refused("\xF0\x8F\xBF\xBF", 4); /* overlong 0xFFFF */
	refused("\xED\xA0\x80", 3);     /* U+D800 */
	refused("\xED\xBF\xBF", 3);     /* U+DFFF */
	refused("\xF4\x90\x80\x80", 4); /* U+110000 */
	refused("\xF5\x80\x80\x80", 4);
	refused("\xFF", 1);
	refused("\x80", 1);
	refused("\xBF", 1);
	refused("\xC2\x41", 2);     /* a continuation that is not one */
	refused("\xE4\xB8\xC0", 3); /* the third byte out of range */
}

/* A sequence cut short by the end of the text, even where more bytes follow in memory. */
static void test_truncated_refused(void **state)
{
	(void)state;
	refused("\xC2\x80", 1);
	refused("\xE4\xB8\xAD", 2);
	refused("\xF0\x90\x80\x80", 3);
	size_t i = 1;
	uint32_t cp;
	assert_int_equal(utf8_next((const unsigned char *)"a", 1, &i, &cp), -1); /* at the end */
	assert_int_equal(i, 1);
}

/* Walking a mixed text visits each code point once and ends at its length. */
static void test_walk(void **state)
{
	static const char s[] = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80z";
	static const uint32_t want[] = { 'a', 0xE9, 0x4E2D, 0x1F600, 'z' };
	size_t i = 0, k = 0;
	uint32_t cp;
	(void)state;
	while (i < sizeof s - 1) {
		assert_int_equal(utf8_next((const unsigned char *)s, sizeof s - 1, &i, &cp), 0);
		assert_true(k < sizeof want / sizeof want[0]);
		assert_int_equal(cp, want[k++]);
	}
	assert_int_equal(k, sizeof want / sizeof want[0]);
	assert_int_equal(i, sizeof s - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges_decoded),
		cmocka_unit_test(test_ill_formed_refused),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
