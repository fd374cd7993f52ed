/* test_clock.c: unit tests of clock.c: the configured zone, local days around midnight, and the two clocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "rules.h"

/* 2025-11-27 is day 20419: 1764201600 / 86400, worked out by hand. */
#define DAY_2025_11_27 20419

static void use_zone(const char *zone)
{
	if (clock_set_zone(zone) != 0)
		fail_msg("clock_set_zone(\"%s\") refused", zone);
}

static void expect_ymd(int64_t t, int y, int m, int d)
{
	int gy = 0, gm = 0, gd = 0;
	clock_local_ymd(t, &gy, &gm, &gd);
	if (gy != y || gm != m || gd != d)
		fail_msg("%lld: %04d-%02d-%02d, expected %04d-%02d-%02d", (long long)t, gy, gm, gd, y, m, d);
	if (clock_local_day(t) != day_from_ymd(y, m, d))
		fail_msg("%lld: day %d, expected %d", (long long)t, clock_local_day(t), day_from_ymd(y, m, d));
}

static void test_shanghai_midnight(void **state)
{
	(void)state;
	use_zone("Asia/Shanghai");
	assert_int_equal(day_from_ymd(2025, 11, 27), DAY_2025_11_27);
	/* 2025-11-27T00:00:00Z is 08:00 in Shanghai. */
	assert_int_equal(clock_local_day(1764201600), DAY_2025_11_27);
	expect_ymd(1764201600, 2025, 11, 27);
	/* 2025-11-26T16:00:00Z is midnight in Shanghai: already the 27th there. */
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27);
	expect_ymd(1764172800, 2025, 11, 27);
	/* One second before is still the 26th. */
	assert_int_equal(clock_local_day(1764172799), DAY_2025_11_27 - 1);
	expect_ymd(1764172799, 2025, 11, 26);
	/* The last second of the local 27th. */
	expect_ymd(1764172800 + 86399, 2025, 11, 27);
	expect_ymd(1764172800 + 86400, 2025, 11, 28);
	/* A year end: 2025-12-31T16:00:00Z is New Year's Day in Shanghai. */
	expect_ymd(1767196800, 2026, 1, 1);
	expect_ymd(1767196799, 2025, 12, 31);
}

static void test_ymd_agrees_with_day(void **state)
{
	(void)state;
	use_zone("Asia/Shanghai");
	/* Every hour of two months, across a month end. */
	for (int64_t t = 1761955200; t < 1761955200 + 61 * 86400; t += 3600) {
		int y, m, d, ry, rm, rd;
		clock_local_ymd(t, &y, &m, &d);
		day_to_ymd(clock_local_day(t), &ry, &rm, &rd);
		if (y != ry || m != rm || d != rd)
			fail_msg("%lld: ymd %04d-%02d-%02d, day gives %04d-%02d-%02d", (long long)t, y, m, d, ry, rm,
				 rd);
		/* The fixed-offset rule agrees where the zone has no summer time. */
		assert_int_equal(clock_local_day(t), day_from_unix(t, 8 * 3600));
	}
}

static void test_other_zones(void **state)
{
	(void)state;
	use_zone("UTC");
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27 - 1);
	assert_int_equal(clock_local_day(1764201600), DAY_2025_11_27);
	assert_int_equal(clock_local_day(0), 0);
	/* Before 1970 the day still floors. */
	assert_int_equal(clock_local_day(-1), -1);
	assert_int_equal(clock_local_day(-86400), -1);
	assert_int_equal(clock_local_day(-86401), -2);
	/* Past 2038. */
	expect_ymd(2147483648LL, 2038, 1, 19);
	/* Summer time: 2025-07-01T04:00:00Z is midnight in New York (EDT, UTC-4). */
	use_zone("America/New_York");
	expect_ymd(1751342400, 2025, 7, 1);
	expect_ymd(1751342399, 2025, 6, 30);
	/* And in winter (EST, UTC-5): 2025-11-27T05:00:00Z. */
	expect_ymd(1764219600, 2025, 11, 27);
	expect_ymd(1764219599, 2025, 11, 26);
	use_zone("Asia/Shanghai");
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27);
}

static void test_unknown_zones(void **state)
{
	static const char *const bad[] = {
		"Nowhere/City",
		"",
		"../etc/passwd",
		"/etc/localtime",
		"/usr/share/zoneinfo/Asia/Shanghai",
		"asia/shanghai",
		"Asia/Shanghai ",
		"Asia/Beijing",
		"CST+8",
	};
	(void)state;
	use_zone("Asia/Shanghai");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (clock_set_zone(bad[i]) != -1)
			fail_msg("clock_set_zone(\"%s\") accepted", bad[i]);
	/* A refused zone leaves the one in effect. */
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27);
}

/* A zone name must not reach a file outside the zone database, whatever it points at. */
static void test_zone_path_traversal(void **state)
{
	static const char *const bad[] = {
		"../../../etc/passwd",
		"Asia/../../../../etc/passwd",
		"../../../../../../../../etc/hostname",
	};
	(void)state;
	use_zone("Asia/Shanghai");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (clock_set_zone(bad[i]) != -1) {
			use_zone("Asia/Shanghai");
			fail_msg("clock_set_zone(\"%s\") accepted", bad[i]);
		}
	}
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27);
}

/* A directory of the zone database is not a zone: taking it would silently run on UTC. */
static void test_zone_directory(void **state)
{
	static const char *const bad[] = { "Asia", "America", "Asia/" };
	(void)state;
	use_zone("Asia/Shanghai");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (clock_set_zone(bad[i]) != -1) {
			use_zone("Asia/Shanghai");
			fail_msg("clock_set_zone(\"%s\") accepted", bad[i]);
		}
	}
	assert_int_equal(clock_local_day(1764172800), DAY_2025_11_27);
}

static void test_now(void **state)
{
	(void)state;
	int64_t before = (int64_t)time(NULL);
	int64_t now = clock_now();
	int64_t after = (int64_t)time(NULL);
	assert_true(now >= before && now <= after);
	/* Some time after 2025-11-27. */
	assert_true(now > 1764201600 - 366 * 86400);
	int64_t ms = clock_now_ms();
	int64_t s = clock_now();
	assert_true(ms / 1000 >= now);
	assert_true(ms / 1000 - s <= 1 && s - ms / 1000 <= 1);
	assert_true(clock_now_ms() >= ms - 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shanghai_midnight),
		cmocka_unit_test(test_ymd_agrees_with_day),
		cmocka_unit_test(test_other_zones),
		cmocka_unit_test(test_unknown_zones),
		cmocka_unit_test(test_zone_path_traversal),
		cmocka_unit_test(test_zone_directory),
		cmocka_unit_test(test_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
