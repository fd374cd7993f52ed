/* test_jsontext.c: unit tests of jsontext.c: an escaped NUL is found in the member that holds it
 * (its key as decoded, its strings at any depth), and nowhere else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsontext.h"

static int nul_in(const char *text, const char *name)
{
	return jsontext_nul_in(text, strlen(text), name);
}

static void test_a_nul_is_found_in_its_member(void **state)
{
	(void)state;
	const char *t = "{\"label\":\"京B\\u0000·1\",\"other\":\"x\"}";
	assert_int_equal(nul_in(t, "label"), 1);
	assert_int_equal(nul_in(t, "other"), 0);
	/* In a list, in a nested object, after other members. */
	t = "{\"direction\":\"in\",\"persons\":[\"AAAAAAAAAAAAAAAAAAAAAA\",\"AAAAAAAAAAAAAAAAAAAAAA\\u0000x\"]}";
	assert_int_equal(nul_in(t, "persons"), 1);
	assert_int_equal(nul_in(t, "direction"), 0);
	t = "{\"visitor\":{\"purpose\":\"a\",\"host\":\"b\\u0000\"},\"direction\":\"in\"}";
	assert_int_equal(nul_in(t, "visitor"), 1);
	assert_int_equal(nul_in(t, "direction"), 0);
	assert_int_equal(nul_in(t, "host"), 0); /* not a member of the root */
	/* In the key itself: the parser reads the key up to the NUL. */
	assert_int_equal(nul_in("{\"label\\u0000\":\"x\"}", "label"), 1);
	assert_int_equal(nul_in("{\"label\":\"x\",\"label\\u0000x\":\"y\"}", "label"), 1);
	assert_int_equal(nul_in("{\"lab\\u0000el\":\"x\"}", "label"), 0);
}

static void test_keys_are_read_as_decoded(void **state)
{
	(void)state;
	assert_int_equal(nul_in("{\"\\u006cabel\":\"\\u0000\"}", "label"), 1);
	assert_int_equal(nul_in("{\"lab\\u0065l\" : \"a\\u0000\"}", "label"), 1);
	assert_int_equal(nul_in("{\"\\u00e9\":\"\\u0000\"}", "label"), 0);
}

static void test_what_is_not_a_nul_is_not_one(void **state)
{
	(void)state;
	/* An escaped backslash before u0000 is the text \u0000, not a NUL. */
	assert_int_equal(nul_in("{\"label\":\"\\\\u0000\"}", "label"), 0);
	assert_int_equal(nul_in("{\"label\":\"\\u0001\\u00000\"}", "label"), 1);
	assert_int_equal(nul_in("{\"label\":\"\\u0010\"}", "label"), 0);
	/* A quote inside a string does not end it; braces inside strings do not nest. */
	assert_int_equal(nul_in("{\"a\":\"\\\"}{,\\\"label\\\":\",\"label\":\"ok\"}", "label"), 0);
	assert_int_equal(nul_in("{\"a\":\"},{\",\"label\":\"\\u0000\"}", "label"), 1);
	/* Not an object; cut short; empty. */
	assert_int_equal(nul_in("[\"label\",\"\\u0000\"]", "label"), 0);
	assert_int_equal(nul_in("{\"label\":\"\\u00", "label"), 0);
	assert_int_equal(nul_in("", "label"), 0);
	assert_int_equal(jsontext_nul_in("{\"label\":\"\\u0000\"}", 12, "label"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_nul_is_found_in_its_member),
		cmocka_unit_test(test_keys_are_read_as_decoded),
		cmocka_unit_test(test_what_is_not_a_nul_is_not_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
