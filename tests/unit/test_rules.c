/* test_rules.c: unit tests of rules.c: day numbers, declarations, observation and conversion (DESIGN §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"
#include "valid_id.h" /* only its constants: the symptom bits must agree */

_Static_assert(RULES_SYM_FEVER == VID_SYM_FEVER, "symptom bits agree with valid_id.h");
_Static_assert(RULES_SYM_COUGH == VID_SYM_COUGH, "symptom bits agree with valid_id.h");
_Static_assert(RULES_SYM_SORE_THROAT == VID_SYM_SORE_THROAT, "symptom bits agree");
_Static_assert(RULES_SYM_FATIGUE == VID_SYM_FATIGUE, "symptom bits agree");
_Static_assert(RULES_SYM_SHORTNESS_OF_BREATH == VID_SYM_SHORTNESS_OF_BREATH, "symptom bits agree");
_Static_assert(RULES_SYM_DIARRHEA == VID_SYM_DIARRHEA, "symptom bits agree");
_Static_assert(RULES_SYM_LOSS_OF_TASTE_OR_SMELL == VID_SYM_LOSS_OF_TASTE_OR_SMELL, "symptom bits agree");
_Static_assert(RULES_SYM_ALL == VID_SYM_ANY, "symptom bits agree");

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Table rows name themselves on failure. */
#define CHECK(name, got, want)                                                           \
	do {                                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want);                 \
		if (g_ != w_) {                                                          \
			print_error("%s: %s = %lld, want %lld\n", (name), #got, g_, w_); \
			fail();                                                          \
		}                                                                        \
	} while (0)

static const struct rules_conf CONF = { 373, 14 };

/* 2024-03-10, a Sunday: the red day D of the simulated weeks. */
#define D 19792

/* ---- day numbers -------------------------------------------------------- */

static void test_day_known(void **state)
{
	static const struct {
		int y, m, d;
		int32_t day;
	} t[] = {
		{ 1970, 1, 1, 0 },       { 1969, 12, 31, -1 },
		{ 2000, 2, 29, 11016 },  { 2000, 3, 1, 11017 }, /* 400-year leap */
		{ 2024, 2, 29, 19782 },  { 2024, 3, 10, D },
		{ 2038, 1, 19, 24855 },  { 2038, 1, 20, 24856 }, /* 2^31 s falls on 01-19 */
		{ 2100, 2, 28, 47540 },  { 2100, 3, 1, 47541 },  /* 2100 is not leap */
		{ 1900, 2, 28, -25509 }, { 1900, 3, 1, -25508 }, /* nor 1900 */
		{ 2400, 2, 29, 157113 }, { 1600, 2, 29, -135081 },
		{ 1, 1, 1, DAY_MIN },    { 9999, 12, 31, DAY_MAX },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		char name[32];
		int y, m, d;

		snprintf(name, sizeof name, "%04d-%02d-%02d", t[i].y, t[i].m, t[i].d);
		CHECK(name, day_ymd_valid(t[i].y, t[i].m, t[i].d), 1);
		CHECK(name, day_from_ymd(t[i].y, t[i].m, t[i].d), t[i].day);
		day_to_ymd(t[i].day, &y, &m, &d);
		CHECK(name, y, t[i].y);
		CHECK(name, m, t[i].m);
		CHECK(name, d, t[i].d);
	}
}

static void test_day_invalid(void **state)
{
	static const struct {
		int y, m, d;
	} t[] = {
		{ 2100, 2, 29 }, { 1900, 2, 29 }, { 2023, 2, 29 }, { 2024, 2, 30 }, { 2024, 4, 31 },
		{ 2024, 13, 1 }, { 2024, 0, 1 },  { 2024, 1, 0 },  { 2024, 1, 32 }, { 0, 12, 31 },
		{ 10000, 1, 1 }, { -1, 1, 1 },    { 2024, -3, 1 }, { 2024, 1, -1 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		char name[48];

		snprintf(name, sizeof name, "%d-%d-%d", t[i].y, t[i].m, t[i].d);
		CHECK(name, day_ymd_valid(t[i].y, t[i].m, t[i].d), 0);
		CHECK(name, day_from_ymd(t[i].y, t[i].m, t[i].d), DAY_INVALID);
	}
}

/* Every day of years 1..9999: round trip, and each day is the next date of the one before. */
static void test_day_round_trip_all(void **state)
{
	int py, pm, pd;

	(void)state;
	day_to_ymd(DAY_MIN, &py, &pm, &pd);
	assert_true(py == 1 && pm == 1 && pd == 1);
	for (int32_t day = DAY_MIN + 1; day <= DAY_MAX; day++) {
		int y, m, d;

		day_to_ymd(day, &y, &m, &d);
		if (day_from_ymd(y, m, d) != day)
			fail_msg("day %d -> %d-%d-%d does not come back", (int)day, y, m, d);
		if (!((y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1) ||
		      (y == py + 1 && m == 1 && d == 1 && pm == 12)))
			fail_msg("day %d: %d-%d-%d does not follow %d-%d-%d", (int)day, y, m, d, py, pm, pd);
		if (d == 1 && day != DAY_MIN + 1 && !(pd >= 28))
			fail_msg("day %d: month of %d days", (int)day, pd);
		py = y, pm = m, pd = d;
	}
	assert_true(py == 9999 && pm == 12 && pd == 31);
}

/* Days outside 1..9999 still give a date (no overflow under UBSan), but do not format. */
static void test_day_extremes(void **state)
{
	static const int32_t t[] = { INT32_MIN, INT32_MIN + 1, DAY_MIN - 1, DAY_MAX + 1, INT32_MAX };
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		char buf[DAY_BUF] = "x";
		int y, m, d;

		day_to_ymd(t[i], &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_true(y < 1 || y > 9999);
		assert_false(day_format(t[i], buf));
		assert_string_equal(buf, "");
	}
	/* 2^31 - 1 days after 1970 is in the year 5 881 580. */
	{
		int y, m, d;

		day_to_ymd(INT32_MAX, &y, &m, &d);
		assert_int_equal(y, 5881580);
	}
}

static void test_day_parse_format(void **state)
{
	static const struct {
		const char *s;
		int ok;
		int32_t day;
	} t[] = {
		{ "2024-02-29", 1, 19782 },
		{ "1970-01-01", 1, 0 },
		{ "0001-01-01", 1, DAY_MIN },
		{ "9999-12-31", 1, DAY_MAX },
		{ "2038-01-19", 1, 24855 },
		{ "2100-03-01", 1, 47541 },
		{ "2023-02-29", 0, 0 },
		{ "2100-02-29", 0, 0 },
		{ "0000-01-01", 0, 0 },
		{ "2024-2-29", 0, 0 },
		{ "2024-02-9", 0, 0 },
		{ "2024-02-29x", 0, 0 },
		{ "2024/02/29", 0, 0 },
		{ "+024-02-29", 0, 0 },
		{ "2024-02-2 ", 0, 0 },
		{ "20240229", 0, 0 },
		{ "", 0, 0 },
		{ "2024-13-01", 0, 0 },
		{ "2024-00-10", 0, 0 },
		{ "2024-01-00", 0, 0 },
		{ "abcd-ef-gh", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		int32_t day = 12345;
		bool ok = day_parse(t[i].s, strlen(t[i].s), &day);

		CHECK(t[i].s, ok, t[i].ok);
		CHECK(t[i].s, day, t[i].ok ? t[i].day : 12345);
		if (ok) {
			char buf[DAY_BUF];

			assert_true(day_format(day, buf));
			assert_string_equal(buf, t[i].s);
		}
	}
	/* Not NUL-terminated: only len bytes are read. */
	{
		int32_t day = 0;

		assert_true(day_parse("2024-03-10T08:00:00Z", 10, &day));
		assert_int_equal(day, D);
	}
	assert_false(day_parse(NULL, 10, &(int32_t){ 0 }));
	assert_false(day_parse("2024-03-10", 10, NULL));
}

static void test_day_from_unix(void **state)
{
	static const struct {
		int64_t t;
		int32_t off;
		int32_t day;
	} t[] = {
		{ 0, 0, 0 },
		{ -1, 0, -1 },
		{ 86399, 0, 0 },
		{ 86400, 0, 1 },
		{ 57599, 28800, 0 },  /* 1970-01-01 23:59:59 in Shanghai */
		{ 57600, 28800, 1 },  /* midnight in Shanghai, 16:00 UTC */
		{ -28800, 28800, 0 }, /* 1970-01-01 00:00 in Shanghai */
		{ -28801, 28800, -1 },
		{ 1710000000, 28800, D }, /* 2024-03-10 00:00:00 +08 is 1710000000 */
		{ 1710000000 - 1, 28800, D - 1 },
		{ 2147483647, 28800, 24855 }, /* 2038-01-19 11:14:07 +08 */
		{ 4294967295LL, 28800, 49710 },
		{ 0, -36000, -1 }, /* Honolulu: still 1969-12-31 */
		{ INT64_MAX, 28800, DAY_INVALID },
		{ INT64_MIN, 28800, DAY_INVALID },
		{ INT64_MIN, INT32_MIN, DAY_INVALID },
		{ INT64_MAX, INT32_MAX, DAY_INVALID },
		{ 253402300799LL, 0, DAY_MAX }, /* 9999-12-31 23:59:59 UTC */
		{ 253402300800LL, 0, DAY_INVALID },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		char name[64];

		snprintf(name, sizeof name, "t=%lld off=%d", (long long)t[i].t, (int)t[i].off);
		CHECK(name, day_from_unix(t[i].t, t[i].off), t[i].day);
	}
}

/* ---- vocabulary and configuration --------------------------------------- */

static void test_words(void **state)
{
	static const char *const sym[] = {
		"fever", "cough", "sore_throat", "fatigue", "shortness_of_breath", "diarrhea", "loss_of_taste_or_smell"
	};
	static const unsigned bits[] = { RULES_SYM_FEVER,
					 RULES_SYM_COUGH,
					 RULES_SYM_SORE_THROAT,
					 RULES_SYM_FATIGUE,
					 RULES_SYM_SHORTNESS_OF_BREATH,
					 RULES_SYM_DIARRHEA,
					 RULES_SYM_LOSS_OF_TASTE_OR_SMELL };
	static const char *const bad[] = { "Fever", "fever ", "", "nonee", "loss_of_taste", "sore throat", "NONE" };
	unsigned bit;

	(void)state;
	assert_string_equal(rules_color_word(RULES_COLOR_GREEN), "green");
	assert_string_equal(rules_color_word(RULES_COLOR_RED), "red");
	assert_string_equal(rules_color_word(RULES_COLOR_NONE), "none");
	assert_null(rules_color_word((enum rules_color)3));
	assert_null(rules_color_word((enum rules_color) - 1));
	assert_string_equal(rules_reason_word(RULES_REASON_NONE), "NONE");
	assert_string_equal(rules_reason_word(RULES_REASON_SYMPTOMS), "SYMPTOMS");
	assert_string_equal(rules_reason_word(RULES_REASON_FEVER), "FEVER");
	assert_string_equal(rules_reason_word(RULES_REASON_CLOSE_CONTACT), "CLOSE_CONTACT");
	assert_string_equal(rules_reason_word(RULES_REASON_HIGH_RISK_TRAVEL), "HIGH_RISK_TRAVEL");
	assert_null(rules_reason_word(RULES_REASON__MAX));
	assert_null(rules_reason_word((enum rules_reason) - 1));

	for (size_t i = 0; i < N(sym); i++) {
		assert_string_equal(rules_symptom_word(bits[i]), sym[i]);
		assert_true(rules_symptom_from_word(sym[i], strlen(sym[i]), &bit));
		CHECK(sym[i], bit, bits[i]);
	}
	assert_null(rules_symptom_word(0));
	assert_null(rules_symptom_word(RULES_SYM_FEVER | RULES_SYM_COUGH));
	assert_null(rules_symptom_word(1u << 7));
	bit = 99;
	assert_true(rules_symptom_from_word("none", 4, &bit));
	assert_int_equal(bit, 0);
	for (size_t i = 0; i < N(bad); i++) {
		bit = 99;
		assert_false(rules_symptom_from_word(bad[i], strlen(bad[i]), &bit));
		CHECK(bad[i], bit, 99);
	}
	assert_true(rules_symptom_from_word("coughing", 5, &bit)); /* only len bytes */
	assert_int_equal(bit, RULES_SYM_COUGH);
	assert_false(rules_symptom_from_word(NULL, 0, &bit));
	assert_false(rules_symptom_from_word("cough", 5, NULL));
}

static void test_conf_valid(void **state)
{
	static const struct {
		int fever, days, ok;
	} t[] = {
		{ 373, 14, 1 }, { 350, 1, 1 },   { 420, 365, 1 }, { 349, 14, 0 },  { 421, 14, 0 },
		{ 373, 0, 0 },  { 373, 366, 0 }, { 0, 0, 0 },     { -373, 14, 0 }, { 373, -14, 0 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_conf c = { t[i].fever, t[i].days };
		char name[32];

		snprintf(name, sizeof name, "%d/%d", t[i].fever, t[i].days);
		CHECK(name, rules_conf_valid(&c), t[i].ok);
	}
	assert_false(rules_conf_valid(NULL));
}

/* ---- declarations ------------------------------------------------------- */

static const char *const AREAS[] = { "Wuhan", "上海市", NULL, "  Xi'an\t", "" };

#define RB(r)    RULES_REASON_BIT(RULES_REASON_##r)
#define NOTRAVEL 0, 0, 0

static void test_declaration_table(void **state)
{
	static const struct {
		const char *name;
		int days; /* observation_days; 0 -> 14 */
		unsigned symptoms;
		int has_temp, temp, contact;
		const char *city;     /* NULL and travel 0: no travel */
		int travel, from, to; /* offsets from D */
		enum rules_color color;
		enum rules_reason reason;
		unsigned reasons;
	} t[] = {
		{ "nothing", 0, 0, 0, 0, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN, RULES_REASON_NONE, 0 },
		{ "healthy with temperature", 0, 0, 1, 365, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN, RULES_REASON_NONE,
		  0 },
		{ "cough", 0, RULES_SYM_COUGH, 1, 365, 0, NULL, NOTRAVEL, RULES_COLOR_RED, RULES_REASON_SYMPTOMS,
		  RB(SYMPTOMS) },
		{ "loss of taste", 0, RULES_SYM_LOSS_OF_TASTE_OR_SMELL, 0, 0, 0, NULL, NOTRAVEL, RULES_COLOR_RED,
		  RULES_REASON_SYMPTOMS, RB(SYMPTOMS) },
		{ "declared none bit only", 0, VID_SYM_NONE, 1, 365, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN,
		  RULES_REASON_NONE, 0 },
		{ "unknown high bits only", 0, 0xFFFFFF80u, 0, 0, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN,
		  RULES_REASON_NONE, 0 },
		{ "37.2", 0, 0, 1, 372, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN, RULES_REASON_NONE, 0 },
		{ "37.3 is fever", 0, 0, 1, 373, 0, NULL, NOTRAVEL, RULES_COLOR_RED, RULES_REASON_FEVER, RB(FEVER) },
		{ "39.0", 0, 0, 1, 390, 0, NULL, NOTRAVEL, RULES_COLOR_RED, RULES_REASON_FEVER, RB(FEVER) },
		{ "no temperature flag ignores the value", 0, 0, 0, 400, 0, NULL, NOTRAVEL, RULES_COLOR_GREEN,
		  RULES_REASON_NONE, 0 },
		{ "contact", 0, 0, 1, 365, 1, NULL, NOTRAVEL, RULES_COLOR_RED, RULES_REASON_CLOSE_CONTACT,
		  RB(CLOSE_CONTACT) },
		{ "travel Wuhan last days", 0, 0, 0, 0, 0, "Wuhan", 1, -3, -1, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "travel case-insensitive and 市", 0, 0, 0, 0, 0, " wuHAN市", 1, -3, -1, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "list has 上海市, city 上海", 0, 0, 0, 0, 0, "上海", 1, -3, -1, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "padded 上海市", 0, 0, 0, 0, 0, "\t上海市 ", 1, -3, -1, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "list entry padded", 0, 0, 0, 0, 0, "xi'an", 1, -3, -1, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "not listed", 0, 0, 0, 0, 0, "武汉", 1, -3, -1, RULES_COLOR_GREEN, RULES_REASON_NONE, 0 },
		{ "prefix is not a match", 0, 0, 0, 0, 0, "Wuhanx", 1, -3, -1, RULES_COLOR_GREEN, RULES_REASON_NONE,
		  0 },
		{ "district is not its city", 0, 0, 0, 0, 0, "上海市浦东新区", 1, -3, -1, RULES_COLOR_GREEN,
		  RULES_REASON_NONE, 0 },
		{ "市 alone is no city", 0, 0, 0, 0, 0, "市", 1, -3, -1, RULES_COLOR_GREEN, RULES_REASON_NONE, 0 },
		{ "empty city never matches the empty entry", 0, 0, 0, 0, 0, "  ", 1, -3, -1, RULES_COLOR_GREEN,
		  RULES_REASON_NONE, 0 },
		{ "stay ended D-13: inside 14 days", 0, 0, 0, 0, 0, "Wuhan", 1, -20, -13, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "stay ended D-14: outside", 0, 0, 0, 0, 0, "Wuhan", 1, -20, -14, RULES_COLOR_GREEN, RULES_REASON_NONE,
		  0 },
		{ "long stay across the window start", 0, 0, 0, 0, 0, "Wuhan", 1, -60, -10, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "stay starting today", 0, 0, 0, 0, 0, "Wuhan", 1, 0, 3, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "planned stay from tomorrow", 0, 0, 0, 0, 0, "Wuhan", 1, 1, 5, RULES_COLOR_GREEN, RULES_REASON_NONE,
		  0 },
		{ "from > to is read swapped", 0, 0, 0, 0, 0, "Wuhan", 1, -1, -20, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "7-day window: D-6 inside", 7, 0, 0, 0, 0, "Wuhan", 1, -9, -6, RULES_COLOR_RED,
		  RULES_REASON_HIGH_RISK_TRAVEL, RB(HIGH_RISK_TRAVEL) },
		{ "7-day window: D-7 outside", 7, 0, 0, 0, 0, "Wuhan", 1, -9, -7, RULES_COLOR_GREEN, RULES_REASON_NONE,
		  0 },
		{ "fever and contact: FEVER first", 0, 0, 1, 380, 1, NULL, NOTRAVEL, RULES_COLOR_RED,
		  RULES_REASON_FEVER, RB(FEVER) | RB(CLOSE_CONTACT) },
		{ "contact and travel", 0, 0, 0, 0, 1, "Wuhan", 1, -2, -2, RULES_COLOR_RED, RULES_REASON_CLOSE_CONTACT,
		  RB(CLOSE_CONTACT) | RB(HIGH_RISK_TRAVEL) },
		{ "everything: SYMPTOMS first", 0, RULES_SYM_FEVER | RULES_SYM_COUGH, 1, 385, 1, "Wuhan", 1, -2, 0,
		  RULES_COLOR_RED, RULES_REASON_SYMPTOMS,
		  RB(SYMPTOMS) | RB(FEVER) | RB(CLOSE_CONTACT) | RB(HIGH_RISK_TRAVEL) },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_conf conf = { 373, t[i].days ? t[i].days : 14 };
		struct rules_travel tr = { t[i].city, D + t[i].from, D + t[i].to };
		struct rules_decl d = {
			.day = D,
			.symptoms = t[i].symptoms,
			.has_temperature = t[i].has_temp,
			.temperature_tenths = t[i].temp,
			.contact = t[i].contact,
			.travel = t[i].travel ? &tr : NULL,
			.n_travel = (size_t)t[i].travel,
		};
		struct rules_decl_result r;

		CHECK(t[i].name, rules_declaration(&conf, &d, AREAS, N(AREAS), &r), 0);
		CHECK(t[i].name, r.color, t[i].color);
		CHECK(t[i].name, r.reason, t[i].reason);
		CHECK(t[i].name, r.reasons, t[i].reasons);
		CHECK(t[i].name, r.day, D);
	}
}

static void test_declaration_travel_lists(void **state)
{
	struct rules_travel tr[] = {
		{ "Beijing", D - 10, D - 8 },
		{ NULL, D - 5, D - 4 },      /* no city: skipped */
		{ "Wuhan", D - 40, D - 30 }, /* listed, but long ago */
		{ "Xi'an", D - 2, D - 1 },   /* listed and recent */
	};
	struct rules_decl d = { .day = D, .travel = tr, .n_travel = N(tr) };
	struct rules_decl_result r;

	(void)state;
	assert_int_equal(rules_declaration(&CONF, &d, AREAS, N(AREAS), &r), 0);
	assert_int_equal(r.color, RULES_COLOR_RED);
	assert_int_equal(r.reason, RULES_REASON_HIGH_RISK_TRAVEL);
	d.n_travel = 3; /* without the last stay */
	assert_int_equal(rules_declaration(&CONF, &d, AREAS, N(AREAS), &r), 0);
	assert_int_equal(r.color, RULES_COLOR_GREEN);
	/* no risk areas at all */
	d.n_travel = N(tr);
	assert_int_equal(rules_declaration(&CONF, &d, NULL, 0, &r), 0);
	assert_int_equal(r.color, RULES_COLOR_GREEN);
}

static void test_declaration_invalid(void **state)
{
	struct rules_conf bad = { 373, 0 };
	struct rules_decl d = { .day = D };
	struct rules_decl_result r;

	(void)state;
	assert_int_equal(rules_declaration(NULL, &d, NULL, 0, &r), -1);
	assert_int_equal(r.color, RULES_COLOR_NONE);
	assert_int_equal(rules_declaration(&bad, &d, NULL, 0, &r), -1);
	assert_int_equal(rules_declaration(&CONF, NULL, NULL, 0, &r), -1);
	assert_int_equal(rules_declaration(&CONF, &d, NULL, 0, NULL), -1);
	assert_int_equal(rules_declaration(&CONF, &d, NULL, 1, &r), -1);
	d.n_travel = 1;
	assert_int_equal(rules_declaration(&CONF, &d, AREAS, N(AREAS), &r), -1);
	d.n_travel = 0;
	d.day = DAY_MAX + 1;
	assert_int_equal(rules_declaration(&CONF, &d, AREAS, N(AREAS), &r), -1);
	d.day = DAY_INVALID;
	assert_int_equal(rules_declaration(&CONF, &d, AREAS, N(AREAS), &r), -1);
}

static void test_apply_declaration(void **state)
{
	static const struct {
		const char *name;
		enum rules_color current;
		enum rules_color decl;
		int has_cur, cur_start, cur_until; /* offsets from D */
		enum rules_color color;
		int starts, start, until; /* offsets from D */
	} t[] = {
		{ "green stays green", RULES_COLOR_GREEN, RULES_COLOR_GREEN, 0, 0, 0, RULES_COLOR_GREEN, 0, 0, 0 },
		{ "first declaration green", RULES_COLOR_NONE, RULES_COLOR_GREEN, 0, 0, 0, RULES_COLOR_GREEN, 0, 0, 0 },
		{ "green never lowers red", RULES_COLOR_RED, RULES_COLOR_GREEN, 1, -3, 11, RULES_COLOR_RED, 0, 0, 0 },
		{ "red on green starts", RULES_COLOR_GREEN, RULES_COLOR_RED, 0, 0, 0, RULES_COLOR_RED, 1, 0, 14 },
		{ "first declaration red", RULES_COLOR_NONE, RULES_COLOR_RED, 0, 0, 0, RULES_COLOR_RED, 1, 0, 14 },
		{ "red on red restarts", RULES_COLOR_RED, RULES_COLOR_RED, 1, -3, 11, RULES_COLOR_RED, 1, 0, 14 },
		{ "officer's 21 days kept", RULES_COLOR_RED, RULES_COLOR_RED, 1, -3, 18, RULES_COLOR_RED, 1, 0, 21 },
		{ "officer's 7 days: 14 now", RULES_COLOR_RED, RULES_COLOR_RED, 1, -3, 4, RULES_COLOR_RED, 1, 0, 14 },
		{ "red without stored observation", RULES_COLOR_RED, RULES_COLOR_RED, 0, 0, 0, RULES_COLOR_RED, 1, 0,
		  14 },
		{ "stored observation backwards", RULES_COLOR_RED, RULES_COLOR_RED, 1, 5, -30, RULES_COLOR_RED, 1, 0,
		  14 },
		{ "green's observation not read", RULES_COLOR_GREEN, RULES_COLOR_RED, 1, -3, 40, RULES_COLOR_RED, 1, 0,
		  14 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_obs cur = { D + t[i].cur_start, D + t[i].cur_until, NULL, 0 };
		struct rules_decl_result r = { t[i].decl, RULES_REASON_NONE, 0, D };
		struct rules_apply a;

		CHECK(t[i].name, rules_apply_declaration(&CONF, t[i].current, t[i].has_cur ? &cur : NULL, &r, &a), 0);
		CHECK(t[i].name, a.color, t[i].color);
		CHECK(t[i].name, a.start_observation, t[i].starts);
		if (t[i].starts) {
			CHECK(t[i].name, a.start_day, D + t[i].start);
			CHECK(t[i].name, a.until_day, D + t[i].until);
		} else {
			CHECK(t[i].name, a.start_day, DAY_INVALID);
			CHECK(t[i].name, a.until_day, DAY_INVALID);
		}
	}
}

static void test_apply_declaration_invalid(void **state)
{
	struct rules_decl_result r = { RULES_COLOR_RED, RULES_REASON_FEVER, RB(FEVER), D };
	struct rules_conf bad = { 500, 14 };
	struct rules_apply a;

	(void)state;
	assert_int_equal(rules_apply_declaration(NULL, RULES_COLOR_GREEN, NULL, &r, &a), -1);
	assert_int_equal(rules_apply_declaration(&bad, RULES_COLOR_GREEN, NULL, &r, &a), -1);
	assert_int_equal(rules_apply_declaration(&CONF, RULES_COLOR_GREEN, NULL, NULL, &a), -1);
	assert_int_equal(rules_apply_declaration(&CONF, RULES_COLOR_GREEN, NULL, &r, NULL), -1);
	assert_int_equal(rules_apply_declaration(&CONF, (enum rules_color)3, NULL, &r, &a), -1);
	assert_int_equal(a.color, RULES_COLOR_NONE);
	r.color = RULES_COLOR_NONE;
	assert_int_equal(rules_apply_declaration(&CONF, RULES_COLOR_GREEN, NULL, &r, &a), -1);
	r.color = RULES_COLOR_RED;
	r.day = DAY_MIN - 1;
	assert_int_equal(rules_apply_declaration(&CONF, RULES_COLOR_GREEN, NULL, &r, &a), -1);
}

static void test_observation_until(void **state)
{
	struct rules_conf seven = { 373, 7 }, bad = { 373, 400 };

	(void)state;
	assert_int_equal(rules_observation_until(&CONF, D), D + 14);
	assert_int_equal(rules_observation_until(&seven, D), D + 7);
	assert_int_equal(rules_observation_until(&CONF, DAY_MAX), DAY_MAX + 14);
	assert_int_equal(rules_observation_until(&bad, D), DAY_INVALID);
	assert_int_equal(rules_observation_until(NULL, D), DAY_INVALID);
	assert_int_equal(rules_observation_until(&CONF, DAY_INVALID), DAY_INVALID);
}

static void test_report_restarts(void **state)
{
	static const struct {
		const char *name;
		unsigned sym;
		int temp, restarts;
	} t[] = {
		{ "clean", 0, 365, 0 },
		{ "37.2", 0, 372, 0 },
		{ "37.3", 0, 373, 1 },
		{ "cough", RULES_SYM_COUGH, 365, 1 },
		{ "diarrhea", RULES_SYM_DIARRHEA, 360, 1 },
		{ "declared none", VID_SYM_NONE, 365, 0 },
		{ "symptom and fever", RULES_SYM_FEVER, 390, 1 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_report r = { D, t[i].sym, t[i].temp };

		CHECK(t[i].name, rules_report_restarts(&CONF, &r), t[i].restarts);
	}
	assert_false(rules_report_restarts(NULL, &(struct rules_report){ D, 1, 400 }));
	assert_false(rules_report_restarts(&CONF, NULL));
}

/* ---- conversion: simulated weeks ----------------------------------------- */

/*
 * A plan is one character per day from D: '.' a clean report (36.5), '-' no report,
 * 'F' a fever report (38.0), 'S' a cough at 36.5, 'h' 37.2 (under the threshold),
 * 'H' 37.3 (at the threshold). Days after the plan follow `tail`.
 */
static char plan_at(const char *plan, char tail, int off)
{
	return off >= 0 && (size_t)off < strlen(plan) ? plan[off] : tail;
}

#define MAXREP 128

/* The reports of the plan filed on days D+from .. D+upto (offsets). */
static size_t plan_reports(const char *plan, char tail, int from, int upto, struct rules_report *rep)
{
	size_t n = 0;

	for (int off = from; off <= upto && n < MAXREP; off++) {
		char c = plan_at(plan, tail, off);

		if (c == '-')
			continue;
		rep[n].day = D + off;
		rep[n].symptoms = c == 'S' ? RULES_SYM_COUGH : 0;
		rep[n].temperature_tenths = c == 'F' ? 380 : c == 'h' ? 372 : c == 'H' ? 373 : 365;
		n++;
	}
	return n;
}

/*
 * The first day (offset from D) the code turns green, checking each day either at its
 * start (reports up to yesterday) or at its end (today's report filed as planned).
 * -1 when not within the horizon.
 */
static int first_green(const struct rules_conf *conf, const char *plan, char tail, int len, bool end_of_day,
		       int horizon)
{
	struct rules_report rep[MAXREP];

	for (int t = 0; t <= horizon; t++) {
		struct rules_obs o = { D, D + len, rep, 0 };
		struct rules_obs_out out;

		o.n_reports = plan_reports(plan, tail, 0, end_of_day ? t : t - 1, rep);
		if (rules_conversion(conf, &o, D + t, &out) != 0)
			fail_msg("rules_conversion failed at D+%d", t);
		if (out.converts)
			return t;
	}
	return -1;
}

static void test_conversion_weeks(void **state)
{
	static const struct {
		const char *name;
		const char *plan;
		char tail;
		int days;      /* conf observation_days */
		int len;       /* stored until - start */
		int green;     /* first green day, checked at the start of each day */
		int green_eod; /* ... and after each day's report */
	} t[] = {
		{ "every day on time", "", '.', 14, 14, 14, 14 },
		{ "stops after the 14th report", "..............", '-', 14, 14, 14, 14 },
		{ "one missed day", "...-", '.', 14, 14, 15, 15 },
		{ "start day missed", "-", '.', 14, 14, 15, 15 },
		{ "last day missed", ".............-", '.', 14, 14, 15, 15 },
		{ "two missed days", ".-.-", '.', 14, 14, 16, 16 },
		{ "a missed week", "..-------", '.', 14, 14, 21, 21 },
		{ "fever on D+5", ".....F", '.', 14, 14, 19, 19 },
		{ "symptoms only on D+5", ".....S", '.', 14, 14, 19, 19 },
		{ "37.2 is no fever", ".....h", '.', 14, 14, 14, 14 },
		{ "37.3 is fever", ".....H", '.', 14, 14, 19, 19 },
		{ "fever on D+5, missed D+8", ".....F..-", '.', 14, 14, 20, 20 },
		{ "missed D+2, fever on D+5", "..-..F", '.', 14, 14, 19, 19 },
		{ "two fevers", "..F.....F", '.', 14, 14, 22, 22 },
		{ "fever on the start day", "F", '.', 14, 14, 14, 14 },
		{ "fever on the last day", ".............F", '.', 14, 14, 27, 27 },
		{ "clean report on the until day", "...............", '.', 14, 14, 14, 14 },
		{ "fever on the until day", "..............F", '.', 14, 14, 14, 28 },
		{ "missed day after the until day", "..............-", '.', 14, 14, 14, 14 },
		{ "never reports", "", '-', 14, 14, -1, -1 },
		{ "officer's 21 days", "", '.', 14, 21, 21, 21 },
		{ "officer's 21 days, fever on D+5", ".....F", '.', 14, 21, 26, 26 },
		{ "officer's 7 days", "", '.', 14, 7, 7, 7 },
		{ "officer's 7 days, fever on D+3", "...F", '.', 14, 7, 17, 17 },
		{ "officer's 0 days", "", '-', 14, 0, 0, 0 },
		{ "7-day conf", "", '.', 7, 7, 7, 7 },
		{ "1-day conf, fever, then clean", "F.", '.', 1, 1, 2, 1 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_conf conf = { 373, t[i].days };

		CHECK(t[i].name, first_green(&conf, t[i].plan, t[i].tail, t[i].len, false, 60), t[i].green);
		CHECK(t[i].name, first_green(&conf, t[i].plan, t[i].tail, t[i].len, true, 60), t[i].green_eod);
	}
}

/*
 * The first day from `from` (offset from D) on which a read turns the code green, each
 * day read at its start (reports up to yesterday) and at its end (its report filed as
 * planned); the start of day `from` is skipped when skip_start. -1 past the horizon.
 */
static int first_green_from(const struct rules_conf *conf, const char *plan, char tail, int len, int from,
			    bool skip_start, int horizon)
{
	struct rules_report rep[MAXREP];

	for (int t = from; t <= horizon; t++) {
		for (int eod = skip_start && t == from; eod <= 1; eod++) {
			struct rules_obs o = { D, D + len, rep, 0 };
			struct rules_obs_out out;

			o.n_reports = plan_reports(plan, tail, 0, eod ? t : t - 1, rep);
			if (rules_conversion(conf, &o, D + t, &out) != 0)
				fail_msg("rules_conversion failed at D+%d", t);
			if (out.converts)
				return t;
		}
	}
	return -1;
}

/*
 * earliest_green is a promise: on any day, before or after its report, if every report
 * from then on is filed on its day and clean, the code turns green exactly on
 * earliest_green. Checked for every day of several histories and lengths.
 */
static void test_conversion_earliest_is_kept(void **state)
{
	static const char *const plans[] = { "",
					     "-",
					     "...-",
					     ".-.-.-",
					     ".....F",
					     "..F--S-",
					     "-------",
					     "..............",
					     ".............F",
					     "F",
					     "..............F",
					     "-..............",
					     "........." };
	static const int lens[] = { 14, 21, 7, 0 };

	(void)state;
	for (size_t p = 0; p < N(plans); p++) {
		for (size_t l = 0; l < N(lens); l++) {
			int n = (int)strlen(plans[p]);

			for (int t = 0; t <= n + 2; t++) {
				for (int eod = 0; eod <= 1; eod++) {
					struct rules_report rep[MAXREP];
					struct rules_obs o = { D, D + lens[l], rep, 0 };
					struct rules_obs_out out;
					char future[64];
					int k, got;

					/* the history up to day t (its report too when eod), then
					 * clean reports on time; today is never missed yet, so a
					 * '-' today still becomes a report */
					for (k = 0; k < t + eod; k++)
						future[k] = plan_at(plans[p], '-', k);
					if (eod && future[t] == '-')
						future[t] = '.';
					for (; k < (int)sizeof future - 1; k++)
						future[k] = '.';
					future[k] = '\0';
					o.n_reports = plan_reports(future, '.', 0, eod ? t : t - 1, rep);
					assert_int_equal(rules_conversion(&CONF, &o, D + t, &out), 0);
					got = first_green_from(&CONF, future, '.', lens[l], t, eod, 90);
					if (got < 0 || out.earliest_green != D + got)
						fail_msg("plan \"%s\" len %d day D+%d eod %d: earliest "
							 "D+%d, green on D+%d",
							 plans[p], lens[l], t, eod, (int)(out.earliest_green - D), got);
				}
			}
		}
	}
}

/* The outputs on chosen days. */
static void test_conversion_details(void **state)
{
	static const struct {
		const char *name;
		const char *plan;
		int len, today; /* reports filed: plan days up to `filed` (offset) */
		int filed;
		int start, base, until, missed, restarted, done, due, converts, earliest;
	} t[] = {
		{ "first day, not filed", "", 14, 0, -1, 0, 14, 14, 0, 0, 0, 1, 0, 14 },
		{ "first day, filed", ".", 14, 0, 0, 0, 14, 14, 0, 0, 1, 0, 0, 14 },
		{ "D+10, missed D+3, not filed", "...-......", 14, 10, 9, 0, 14, 15, 1, 0, 0, 1, 0, 15 },
		{ "D+10, missed D+3, filed", "...-.......", 14, 10, 10, 0, 14, 15, 1, 0, 1, 0, 0, 15 },
		{ "D+12, missed D+10 and D+11", "..........--", 14, 12, 11, 0, 14, 16, 2, 0, 0, 1, 0, 16 },
		{ "fever today", ".....F", 14, 5, 5, 5, 19, 19, 0, 1, 1, 0, 0, 19 },
		{ "after a fever on D+5", ".....F...", 14, 8, 7, 5, 19, 19, 0, 1, 0, 1, 0, 19 },
		{ "until day", "..............", 14, 14, 13, 0, 14, 14, 0, 0, 0, 0, 1, 14 },
		{ "after the until day, no more reports", "..............", 14, 20, 19, 0, 14, 14, 0, 0, 0, 0, 1, 20 },
		{ "missed start day, 14th report on D+14", "-..............", 14, 15, 14, 0, 14, 15, 1, 0, 0, 0, 1,
		  15 },
		{ "missed start day, D+14 not filed", "-.............", 14, 15, 14, 0, 14, 16, 2, 0, 0, 1, 0, 16 },
		{ "no report for 5 days", "", 14, 5, 4, 0, 14, 19, 5, 0, 0, 1, 0, 19 },
	};
	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_report rep[MAXREP];
		struct rules_obs o = { D, D + t[i].len, rep, 0 };
		struct rules_obs_out out;

		o.n_reports = plan_reports(t[i].plan, '-', 0, t[i].filed, rep);
		CHECK(t[i].name, rules_conversion(&CONF, &o, D + t[i].today, &out), 0);
		CHECK(t[i].name, out.start_day, D + t[i].start);
		CHECK(t[i].name, out.base_until, D + t[i].base);
		CHECK(t[i].name, out.until_day, D + t[i].until);
		CHECK(t[i].name, out.missed_days, t[i].missed);
		CHECK(t[i].name, out.restarted, t[i].restarted);
		CHECK(t[i].name, out.today_done, t[i].done);
		CHECK(t[i].name, out.report_due, t[i].due);
		CHECK(t[i].name, out.converts, t[i].converts);
		CHECK(t[i].name, out.earliest_green, D + t[i].earliest);
	}
}

/* Storing a restart and asking again gives the same answer, now without `restarted`. */
static void test_conversion_idempotent(void **state)
{
	struct rules_report rep[MAXREP];
	struct rules_obs o = { D, D + 14, rep, 0 };
	struct rules_obs_out a, b;

	(void)state;
	o.n_reports = plan_reports(".....F.-..", '-', 0, 9, rep);
	assert_int_equal(rules_conversion(&CONF, &o, D + 10, &a), 0);
	assert_true(a.restarted);
	assert_int_equal(a.start_day, D + 5);
	assert_int_equal(a.base_until, D + 19);
	assert_int_equal(a.missed_days, 1);
	assert_int_equal(a.until_day, D + 20);
	o.start_day = a.start_day;
	o.until_day = a.base_until;
	assert_int_equal(rules_conversion(&CONF, &o, D + 10, &b), 0);
	assert_false(b.restarted);
	a.restarted = false;
	assert_memory_equal(&a, &b, sizeof a);
	/* the same call twice */
	assert_int_equal(rules_conversion(&CONF, &o, D + 10, &a), 0);
	assert_memory_equal(&a, &b, sizeof a);
}

static void test_conversion_edges(void **state)
{
	struct rules_report rep[8];
	struct rules_obs o = { D, D + 14, rep, 0 };
	struct rules_obs_out out;

	(void)state;
	/* today before the start (a clock behind): nothing missed, nothing due */
	assert_int_equal(rules_conversion(&CONF, &o, D - 2, &out), 0);
	assert_false(out.converts);
	assert_false(out.report_due);
	assert_int_equal(out.missed_days, 0);
	assert_int_equal(out.until_day, D + 14);
	assert_int_equal(out.earliest_green, D + 14);
	/* an officer's 0 days before its start */
	o.until_day = D;
	assert_int_equal(rules_conversion(&CONF, &o, D - 1, &out), 0);
	assert_false(out.converts);
	assert_int_equal(out.earliest_green, D);
	assert_int_equal(rules_conversion(&CONF, &o, D, &out), 0);
	assert_true(out.converts);
	o.until_day = D + 14;

	/* a fever report of an earlier observation (before start) is ignored */
	rep[0] = (struct rules_report){ D - 1, RULES_SYM_COUGH, 390 };
	o.n_reports = 1;
	assert_int_equal(rules_conversion(&CONF, &o, D + 1, &out), 0);
	assert_false(out.restarted);
	assert_int_equal(out.start_day, D);
	assert_int_equal(out.missed_days, 1);

	/* a report dated after today is ignored, fever or not */
	rep[0] = (struct rules_report){ D, 0, 365 };
	rep[1] = (struct rules_report){ D + 3, 0, 390 };
	o.n_reports = 2;
	assert_int_equal(rules_conversion(&CONF, &o, D + 1, &out), 0);
	assert_false(out.restarted);
	assert_false(out.today_done);
	assert_int_equal(out.missed_days, 0);

	/* two reports on one day count once; either one with fever restarts */
	rep[0] = (struct rules_report){ D, 0, 365 };
	rep[1] = (struct rules_report){ D + 1, 0, 365 };
	rep[2] = (struct rules_report){ D + 1, 0, 366 };
	rep[3] = (struct rules_report){ D + 2, 0, 365 };
	o.n_reports = 4;
	assert_int_equal(rules_conversion(&CONF, &o, D + 4, &out), 0);
	assert_int_equal(out.missed_days, 1);
	assert_int_equal(out.until_day, D + 15);
	rep[1].temperature_tenths = 380;
	assert_int_equal(rules_conversion(&CONF, &o, D + 4, &out), 0);
	assert_true(out.restarted);
	assert_int_equal(out.start_day, D + 1);

	/* the latest-report guard: 1-day observation, fever on its only day */
	{
		struct rules_conf one = { 373, 1 };

		rep[0] = (struct rules_report){ D, 0, 380 };
		o.until_day = D + 1;
		o.n_reports = 1;
		assert_int_equal(rules_conversion(&one, &o, D + 1, &out), 0);
		assert_int_equal(out.until_day, D + 1);
		assert_false(out.converts);
		assert_true(out.report_due);
		assert_int_equal(out.earliest_green, D + 1);
		rep[1] = (struct rules_report){ D + 1, 0, 365 };
		o.n_reports = 2;
		assert_int_equal(rules_conversion(&one, &o, D + 1, &out), 0);
		assert_true(out.converts);
	}
}

static void test_conversion_invalid(void **state)
{
	struct rules_report rep[2] = { { D + 1, 0, 365 }, { D, 0, 365 } };
	struct rules_obs o = { D, D + 14, rep, 2 };
	struct rules_conf bad = { 373, 0 };
	struct rules_obs_out out;

	(void)state;
	/* unsorted reports */
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), -1);
	assert_false(out.converts);
	o.n_reports = 0;
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), 0);
	assert_int_equal(rules_conversion(NULL, &o, D + 3, &out), -1);
	assert_int_equal(rules_conversion(&bad, &o, D + 3, &out), -1);
	assert_int_equal(rules_conversion(&CONF, NULL, D + 3, &out), -1);
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, NULL), -1);
	assert_int_equal(rules_conversion(&CONF, &o, DAY_MAX + 1, &out), -1);
	assert_int_equal(rules_conversion(&CONF, &o, DAY_INVALID, &out), -1);
	o.until_day = D - 1; /* ends before it starts */
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), -1);
	o.until_day = D + 14;
	o.start_day = DAY_MIN - 1;
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), -1);
	o.start_day = D;
	o.until_day = INT32_MAX;
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), -1);
	o.until_day = D + 14;
	o.reports = NULL;
	o.n_reports = 1;
	assert_int_equal(rules_conversion(&CONF, &o, D + 3, &out), -1);
}

/* The widest legal observation: no overflow, and a long wait. */
static void test_conversion_range(void **state)
{
	struct rules_obs o = { DAY_MIN, DAY_MAX, NULL, 0 };
	struct rules_obs_out out;

	(void)state;
	assert_int_equal(rules_conversion(&CONF, &o, DAY_MAX, &out), 0);
	assert_false(out.converts);
	assert_int_equal(out.missed_days, DAY_MAX - DAY_MIN);
	assert_true(out.until_day > DAY_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_known),
		cmocka_unit_test(test_day_invalid),
		cmocka_unit_test(test_day_round_trip_all),
		cmocka_unit_test(test_day_extremes),
		cmocka_unit_test(test_day_parse_format),
		cmocka_unit_test(test_day_from_unix),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_conf_valid),
		cmocka_unit_test(test_declaration_table),
		cmocka_unit_test(test_declaration_travel_lists),
		cmocka_unit_test(test_declaration_invalid),
		cmocka_unit_test(test_apply_declaration),
		cmocka_unit_test(test_apply_declaration_invalid),
		cmocka_unit_test(test_observation_until),
		cmocka_unit_test(test_report_restarts),
		cmocka_unit_test(test_conversion_weeks),
		cmocka_unit_test(test_conversion_earliest_is_kept),
		cmocka_unit_test(test_conversion_details),
		cmocka_unit_test(test_conversion_idempotent),
		cmocka_unit_test(test_conversion_edges),
		cmocka_unit_test(test_conversion_invalid),
		cmocka_unit_test(test_conversion_range),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
