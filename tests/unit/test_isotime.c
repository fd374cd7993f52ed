/* test_isotime.c: unit tests of isotime.c: unix seconds, ISO 8601 with a zone, fractions, the
 * query's '+' read as a space, real dates only, the 0..9999-12-31 range, bounded reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "isotime.h"

#define T_2026_12_07_NOON 1796644800LL /* 2026-12-07T12:00:00Z */

/* The time s gives, or -1 when it is refused (then *out must be left as it was). */
static int64_t parse(const char *s)
{
	int64_t t = -12345;
	if (!isotime_parse(s, strlen(s), &t)) {
		assert_int_equal(t, -12345);
		return -1;
	}
	return t;
}

static void test_unix_seconds(void **state)
{
	(void)state;
	assert_int_equal(parse("0"), 0);
	assert_int_equal(parse("1796644800"), T_2026_12_07_NOON);
	assert_int_equal(parse("000000000042"), 42);
}

static void test_unix_seconds_bounds(void **state)
{
	(void)state;
	assert_int_equal(parse("253402300799"), ISOTIME_MAX_S);
	assert_int_equal(parse("253402300800"), -1);
	assert_int_equal(parse("999999999999"), -1);
	assert_int_equal(parse("0000000000001"), -1); /* 13 digits: not seconds, not ISO */
	assert_int_equal(parse(""), -1);
	assert_int_equal(parse("-1"), -1);
	assert_int_equal(parse("12a"), -1);
}

static void test_iso_utc(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07T12:00:00Z"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T12:00Z"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07t12:00:00z"), T_2026_12_07_NOON);
	assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
}

static void test_iso_fraction_dropped(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07T12:00:00.5Z"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T12:00:00.999999999Z"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T12:00:00.9999999999Z"), -1); /* ten digits */
	assert_int_equal(parse("2026-12-07T12:00:00.Z"), -1);
	assert_int_equal(parse("2026-12-07T12:00.5Z"), -1); /* a fraction needs seconds */
}

static void test_iso_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07T20:00:00+08:00"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T06:30:00-05:30"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-08T02:00:00+14:00"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T12:00:00+00:00"), T_2026_12_07_NOON);
}

/* A query decodes '+' to a space: "…T20:00+08:00" arrives as "…T20:00 08:00". */
static void test_iso_space_is_plus(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07T20:00:00 08:00"), T_2026_12_07_NOON);
	assert_int_equal(parse("2026-12-07T20:00 08:00"), T_2026_12_07_NOON);
}

static void test_iso_bad_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07T12:00:00+15:00"), -1);
	assert_int_equal(parse("2026-12-07T12:00:00+08:60"), -1);
	assert_int_equal(parse("2026-12-07T12:00:00+0800"), -1);
	assert_int_equal(parse("2026-12-07T12:00:00+08"), -1);
	assert_int_equal(parse("2026-12-07T12:00:00"), -1); /* no zone */
	assert_int_equal(parse("2026-12-07T12:00:00ZZ"), -1);
	assert_int_equal(parse("2026-12-07T12:00:00*08:00"), -1);
}

static void test_iso_real_dates_only(void **state)
{
	(void)state;
	assert_int_equal(parse("2024-02-29T00:00Z"), 1709164800LL);
	assert_int_equal(parse("2026-02-29T00:00Z"), -1);
	assert_int_equal(parse("2026-13-01T00:00Z"), -1);
	assert_int_equal(parse("2026-00-10T00:00Z"), -1);
	assert_int_equal(parse("2026-04-31T00:00Z"), -1);
	assert_int_equal(parse("2026-12-07T24:00Z"), -1);
	assert_int_equal(parse("2026-12-07T23:60Z"), -1);
	assert_int_equal(parse("2026-12-07T23:59:60Z"), -1);
}

static void test_iso_shape(void **state)
{
	(void)state;
	assert_int_equal(parse("2026-12-07 12:00:00Z"), -1);
	assert_int_equal(parse("2026/12/07T12:00:00Z"), -1);
	assert_int_equal(parse("2026-12-7T12:00:00Z"), -1);
	assert_int_equal(parse("+026-12-07T12:00:00Z"), -1);
	assert_int_equal(parse("2026-12-07T12:0a:00Z"), -1);
	assert_int_equal(parse("2026-12-07T12:00:0Z"), -1);
}

static void test_range(void **state)
{
	(void)state;
	assert_int_equal(parse("9999-12-31T23:59:59Z"), ISOTIME_MAX_S);
	assert_int_equal(parse("9999-12-31T23:59:59-00:01"), -1);
	assert_int_equal(parse("1970-01-01T00:00:00+00:01"), -1);
	assert_int_equal(parse("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(parse("0001-01-01T00:00Z"), -1);
}

/* Only s[0..n) is read: what follows (no NUL, or more text) does not matter. */
static void test_reads_only_n_bytes(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_true(isotime_parse("123456", 3, &t));
	assert_int_equal(t, 123);
	assert_true(isotime_parse("2026-12-07T12:00:00Zjunk", 20, &t));
	assert_int_equal(t, T_2026_12_07_NOON);
	char raw[20];
	memcpy(raw, "2026-12-07T12:00:00Z", 20); /* no NUL */
	assert_true(isotime_parse(raw, sizeof raw, &t));
	assert_int_equal(t, T_2026_12_07_NOON);
	assert_false(isotime_parse(raw, 19, &t));
	assert_false(isotime_parse(NULL, 0, &t));
}

/* Formatting: UTC text of unix seconds, and what it writes parses back to the same second. */
static void test_format(void **state)
{
	static const struct {
		int64_t t;
		const char *text;
	} v[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1795748400, "2026-11-27T03:00:00Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ ISOTIME_MAX_S, "9999-12-31T23:59:59Z" },
	};
	char out[ISOTIME_BUF];
	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		int64_t back = -1;
		isotime_format(v[i].t, out);
		assert_string_equal(out, v[i].text);
		assert_true(isotime_parse(out, strlen(out), &back));
		assert_int_equal(back, v[i].t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_seconds),
		cmocka_unit_test(test_unix_seconds_bounds),
		cmocka_unit_test(test_iso_utc),
		cmocka_unit_test(test_iso_fraction_dropped),
		cmocka_unit_test(test_iso_offsets),
		cmocka_unit_test(test_iso_space_is_plus),
		cmocka_unit_test(test_iso_bad_offsets),
		cmocka_unit_test(test_iso_real_dates_only),
		cmocka_unit_test(test_iso_shape),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_reads_only_n_bytes),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
