/* test_daycolor.c: unit tests of daycolor.c: one colour a day for everyone, another the next day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daycolor.h"

static const uint8_t KEY[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t OTHER[32] = "fedcba9876543210fedcba9876543210";

static int hue_distance(int a, int b)
{
	int d = a > b ? a - b : b - a;
	return d > 180 ? 360 - d : d;
}

/* The same key and day give the same colour; it is a CSS hex colour. */
static void test_same_day_same_colour(void **state)
{
	(void)state;
	char a[DAYCOLOR_BUF], b[DAYCOLOR_BUF];
	daycolor(KEY, sizeof KEY, 20429, a);
	daycolor(KEY, sizeof KEY, 20429, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 7);
	assert_int_equal(a[0], '#');
	assert_int_equal(strspn(a + 1, "0123456789abcdef"), 6);
}

/* Over ten years, each day's hue is at least 60 degrees from the day before's, and never a hue
 * of the codes' own red (345-20) or green (90-150). */
static void test_next_day_is_far_and_never_red_or_green(void **state)
{
	(void)state;
	int prev = daycolor_hue(KEY, sizeof KEY, 19999);
	for (int32_t d = 20000; d < 20000 + 3650; d++) {
		int h = daycolor_hue(KEY, sizeof KEY, d);
		if (hue_distance(h, prev) < 60)
			fail_msg("day %d: hue %d after %d", d, h, prev);
		if (h < 20 || h >= 345 || (h >= 90 && h < 150))
			fail_msg("day %d: hue %d is red or green", d, h);
		prev = h;
	}
	char a[DAYCOLOR_BUF], b[DAYCOLOR_BUF];
	daycolor(KEY, sizeof KEY, 20429, a);
	daycolor(KEY, sizeof KEY, 20430, b);
	assert_string_not_equal(a, b);
}

/* The colours follow the service's key: another key gives another sequence. */
static void test_colour_depends_on_the_key(void **state)
{
	(void)state;
	int same = 0;
	for (int32_t d = 20000; d < 20100; d++)
		same += daycolor_hue(KEY, sizeof KEY, d) == daycolor_hue(OTHER, sizeof OTHER, d);
	assert_true(same < 20);
}

/* A few hues as RGB: the conversion lands in the right sextant. */
static void test_hex_of_known_hues(void **state)
{
	(void)state;
	/* Find days whose hue is in the blue and in the orange range and check the channels. */
	int seen_blue = 0, seen_orange = 0;
	for (int32_t d = 20000; d < 20400 && !(seen_blue && seen_orange); d++) {
		int h = daycolor_hue(KEY, sizeof KEY, d);
		char c[DAYCOLOR_BUF];
		unsigned r, g, b;
		daycolor(KEY, sizeof KEY, d, c);
		assert_int_equal(sscanf(c, "#%2x%2x%2x", &r, &g, &b), 3);
		if (h >= 210 && h < 250) {
			assert_true(b > r && b > g);
			seen_blue = 1;
		}
		if (h >= 20 && h < 45) {
			assert_true(r > g && g > b);
			seen_orange = 1;
		}
	}
	assert_true(seen_blue && seen_orange);
}

/* Vectors from an independent implementation (Python's hmac over the same message
 * "day-color|base|0" and "day-color|day|D", the same steps and HSL 85 %/40 %): the colours a
 * city sees are exactly these for these keys, whatever else changes in the service. */
static void test_vectors(void **state)
{
	(void)state;
	static const struct {
		int key; /* 0: KEY, 1: bytes 0..31 */
		int32_t day;
		int hue;
		const char *hex;
	} v[] = {
		{ 0, 0, 333, "#bc0f5d" },     { 0, 20429, 330, "#bc0f66" }, { 0, 20430, 166, "#0fbc94" },
		{ 0, 20431, 286, "#940fbc" }, { 0, 20795, 311, "#bc0f9c" }, { 0, -1, 233, "#0f23bc" },
		{ 1, 0, 71, "#9cbc0f" },      { 1, 20429, 89, "#68bc0f" },  { 1, 20430, 243, "#170fbc" },
		{ 1, 20431, 23, "#bc510f" },  { 1, 20795, 73, "#96bc0f" },  { 1, -1, 308, "#bc0fa5" },
	};
	uint8_t seq[32];
	for (int i = 0; i < 32; i++)
		seq[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const uint8_t *k = v[i].key == 0 ? KEY : seq;
		char hex[DAYCOLOR_BUF];
		daycolor(k, 32, v[i].day, hex);
		if (daycolor_hue(k, 32, v[i].day) != v[i].hue || strcmp(hex, v[i].hex) != 0)
			fail_msg("key %d day %ld: hue %d %s, expected %d %s", v[i].key, (long)v[i].day,
				 daycolor_hue(k, 32, v[i].day), hex, v[i].hue, v[i].hex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_day_same_colour),
		cmocka_unit_test(test_next_day_is_far_and_never_red_or_green),
		cmocka_unit_test(test_colour_depends_on_the_key),
		cmocka_unit_test(test_hex_of_known_hues),
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
