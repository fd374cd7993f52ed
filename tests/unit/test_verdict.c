/* test_verdict.c: unit tests of verdict.c: every row of DESIGN §6 and the words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

/* The table below lists the inputs of a scan at a checkpoint positionally; the place code's
 * temperature_at_door after them stays false there (test_at_door sets it). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(name, got, want)                                                           \
	do {                                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want);                 \
		if (g_ != w_) {                                                          \
			print_error("%s: %s = %lld, want %lld\n", (name), #got, g_, w_); \
			fail();                                                          \
		}                                                                        \
	} while (0)

#define FEVER 373

/* Short names for the table. */
#define OK        VERDICT_TOKEN_OK
#define PHONE     VERDICT_KIND_PHONE
#define PAPER     VERDICT_KIND_PAPER
#define GREEN     RULES_COLOR_GREEN
#define RED       RULES_COLOR_RED
#define IN        VERDICT_DIR_IN
#define OUT       VERDICT_DIR_OUT
#define COMMUNITY VERDICT_CP_COMMUNITY, VERDICT_CPT_COMMUNITY
#define MALL      VERDICT_CP_PUBLIC_PLACE, VERDICT_CPT_MALL
#define HOSPITAL  VERDICT_CP_PUBLIC_PLACE, VERDICT_CPT_HOSPITAL
#define BUS       VERDICT_CP_TRANSPORT, VERDICT_CPT_BUS
#define SUBWAY    VERDICT_CP_TRANSPORT, VERDICT_CPT_SUBWAY
#define TAXI      VERDICT_CP_TRANSPORT, VERDICT_CPT_TAXI
#define RIDE      VERDICT_CP_TRANSPORT, VERDICT_CPT_RIDE_HAILING
#define NOTEMP    0, 0
#define T(x)      1, (x)

#define R_NO_VALID VERDICT_REASON_BIT(VERDICT_REASON_NO_VALID_CODE)
#define R_EXPIRED  VERDICT_REASON_BIT(VERDICT_REASON_EXPIRED_CODE)
#define R_RED      VERDICT_REASON_BIT(VERDICT_REASON_RED_CODE)
#define R_FEVER    VERDICT_REASON_BIT(VERDICT_REASON_FEVER)
#define R_VISITOR  VERDICT_REASON_BIT(VERDICT_REASON_VISITOR_REGISTRATION)
#define C_ID       VERDICT_CHECK_BIT(VERDICT_CHECK_ID_DOCUMENT)
#define C_TEMP     VERDICT_CHECK_BIT(VERDICT_CHECK_TEMPERATURE)

struct row {
	const char *name;
	struct verdict_in in;
	enum verdict verdict;
	unsigned reasons, checks;
	int visitor_registered;
	int row;
};

/* in: token, kind, color, direction, has_temperature, temperature, cp_kind, cp_type,
 *     is_resident, has_visitor_registration */
static const struct row rows[] = {
	/* 1. no valid code: denied, also when leaving and without a temperature */
	{ "unparsable",
	  { VERDICT_TOKEN_UNPARSABLE, VERDICT_KIND_NONE, RULES_COLOR_NONE, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "bad mac",
	  { VERDICT_TOKEN_BAD_MAC, PHONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "unknown person",
	  { VERDICT_TOKEN_UNKNOWN_PERSON, PHONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "stale phone code",
	  { VERDICT_TOKEN_STALE, PHONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_EXPIRED,
	  0,
	  0,
	  1 },
	{ "stale, kind unknown",
	  { VERDICT_TOKEN_STALE, VERDICT_KIND_NONE, RULES_COLOR_NONE, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_EXPIRED,
	  0,
	  0,
	  1 },
	{ "stale paper is no valid code",
	  { VERDICT_TOKEN_STALE, PAPER, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "future phone code",
	  { VERDICT_TOKEN_FUTURE, PHONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "superseded paper serial",
	  { VERDICT_TOKEN_SUPERSEDED_SERIAL, PAPER, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "out with an invalid code",
	  { VERDICT_TOKEN_BAD_MAC, PHONE, GREEN, OUT, NOTEMP, MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "out with a stale code",
	  { VERDICT_TOKEN_STALE, PHONE, RED, OUT, NOTEMP, MALL, 0, 0 },
	  VERDICT_DENY,
	  R_EXPIRED,
	  0,
	  0,
	  1 },
	{ "in, invalid code, no temperature",
	  { VERDICT_TOKEN_UNPARSABLE, VERDICT_KIND_NONE, RULES_COLOR_NONE, IN, NOTEMP, MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },
	{ "invalid code, resident",
	  { VERDICT_TOKEN_UNKNOWN_PERSON, PHONE, GREEN, IN, T(365), COMMUNITY, 1, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  1 },

	/* 2. leaving is always allowed */
	{ "out green", { OK, PHONE, GREEN, OUT, T(365), MALL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "out with red", { OK, PHONE, RED, OUT, T(365), MALL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "out with red and fever", { OK, PHONE, RED, OUT, T(392), HOSPITAL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "out without a temperature", { OK, PHONE, GREEN, OUT, NOTEMP, MALL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "out of a community, visitor unregistered",
	  { OK, PHONE, GREEN, OUT, NOTEMP, COMMUNITY, 0, 0 },
	  VERDICT_ALLOW,
	  0,
	  0,
	  0,
	  2 },
	{ "out with paper: no ID check", { OK, PAPER, GREEN, OUT, NOTEMP, MALL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "off the bus", { OK, PHONE, RED, OUT, NOTEMP, BUS, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },
	{ "out of the subway", { OK, PHONE, GREEN, OUT, NOTEMP, SUBWAY, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 2 },

	/* 3. entering needs a temperature */
	{ "in without a temperature",
	  { OK, PHONE, GREEN, IN, NOTEMP, MALL, 0, 0 },
	  VERDICT_NEED_TEMPERATURE,
	  0,
	  0,
	  0,
	  3 },
	{ "red without a temperature",
	  { OK, PHONE, RED, IN, NOTEMP, MALL, 0, 0 },
	  VERDICT_NEED_TEMPERATURE,
	  0,
	  0,
	  0,
	  3 },
	{ "community without a temperature",
	  { OK, PHONE, GREEN, IN, NOTEMP, COMMUNITY, 1, 0 },
	  VERDICT_NEED_TEMPERATURE,
	  0,
	  0,
	  0,
	  3 },
	{ "taxi 'out' is an entry: temperature",
	  { OK, PHONE, GREEN, OUT, NOTEMP, TAXI, 0, 0 },
	  VERDICT_NEED_TEMPERATURE,
	  0,
	  0,
	  0,
	  3 },

	/* 4. red code, fever */
	{ "red", { OK, PHONE, RED, IN, T(365), MALL, 0, 0 }, VERDICT_DENY, R_RED, 0, 0, 4 },
	{ "fever 37.3", { OK, PHONE, GREEN, IN, T(373), MALL, 0, 0 }, VERDICT_DENY, R_FEVER, 0, 0, 4 },
	{ "fever 39.5", { OK, PHONE, GREEN, IN, T(395), BUS, 0, 0 }, VERDICT_DENY, R_FEVER, 0, 0, 4 },
	{ "red and fever: both", { OK, PHONE, RED, IN, T(380), MALL, 0, 0 }, VERDICT_DENY, R_RED | R_FEVER, 0, 0, 4 },
	{ "red paper: no ID check on a denial",
	  { OK, PAPER, RED, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_RED,
	  0,
	  0,
	  4 },
	{ "red resident", { OK, PHONE, RED, IN, T(365), COMMUNITY, 1, 0 }, VERDICT_DENY, R_RED, 0, 0, 4 },
	{ "red visitor with registration",
	  { OK, PHONE, RED, IN, T(365), COMMUNITY, 0, 1 },
	  VERDICT_DENY,
	  R_RED,
	  0,
	  0,
	  4 },
	{ "feverish visitor", { OK, PHONE, GREEN, IN, T(375), COMMUNITY, 0, 0 }, VERDICT_DENY, R_FEVER, 0, 0, 4 },
	{ "taxi 'out' with red", { OK, PHONE, RED, OUT, T(365), TAXI, 0, 0 }, VERDICT_DENY, R_RED, 0, 0, 4 },
	{ "ride-hailing 'out' with fever",
	  { OK, PHONE, GREEN, OUT, T(380), RIDE, 0, 0 },
	  VERDICT_DENY,
	  R_FEVER,
	  0,
	  0,
	  4 },

	/* 5. communities */
	{ "community resident", { OK, PHONE, GREEN, IN, T(365), COMMUNITY, 1, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "resident who also registered",
	  { OK, PHONE, GREEN, IN, T(365), COMMUNITY, 1, 1 },
	  VERDICT_ALLOW,
	  0,
	  0,
	  0,
	  7 },
	{ "visitor with registration", { OK, PHONE, GREEN, IN, T(365), COMMUNITY, 0, 1 }, VERDICT_ALLOW, 0, 0, 1, 5 },
	{ "visitor without registration",
	  { OK, PHONE, GREEN, IN, T(365), COMMUNITY, 0, 0 },
	  VERDICT_REGISTER,
	  R_VISITOR,
	  0,
	  0,
	  5 },
	{ "paper visitor without registration",
	  { OK, PAPER, GREEN, IN, T(365), COMMUNITY, 0, 0 },
	  VERDICT_REGISTER,
	  R_VISITOR,
	  C_ID,
	  0,
	  5 },
	{ "paper visitor with registration",
	  { OK, PAPER, GREEN, IN, T(365), COMMUNITY, 0, 1 },
	  VERDICT_ALLOW,
	  0,
	  C_ID,
	  1,
	  5 },
	{ "paper resident", { OK, PAPER, GREEN, IN, T(365), COMMUNITY, 1, 0 }, VERDICT_ALLOW, 0, C_ID, 0, 6 },
	{ "37.2 visitor", { OK, PHONE, GREEN, IN, T(372), COMMUNITY, 0, 1 }, VERDICT_ALLOW, 0, 0, 1, 5 },

	/* 6. paper code: ID check */
	{ "paper code at a mall", { OK, PAPER, GREEN, IN, T(365), MALL, 0, 0 }, VERDICT_ALLOW, 0, C_ID, 0, 6 },
	{ "paper code on a bus", { OK, PAPER, GREEN, IN, T(365), BUS, 0, 0 }, VERDICT_ALLOW, 0, C_ID, 0, 6 },
	{ "paper code in a taxi", { OK, PAPER, GREEN, IN, T(365), TAXI, 0, 0 }, VERDICT_ALLOW, 0, C_ID, 0, 6 },

	/* 7. otherwise allowed */
	{ "phone green at a mall", { OK, PHONE, GREEN, IN, T(365), MALL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "37.2 at a hospital", { OK, PHONE, GREEN, IN, T(372), HOSPITAL, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "residency means nothing at a mall",
	  { OK, PHONE, GREEN, IN, T(365), MALL, 0, 1 },
	  VERDICT_ALLOW,
	  0,
	  0,
	  0,
	  7 },
	{ "taxi", { OK, PHONE, GREEN, IN, T(365), TAXI, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "taxi 'out' green", { OK, PHONE, GREEN, OUT, T(365), TAXI, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "ride-hailing", { OK, PHONE, GREEN, IN, T(360), RIDE, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "subway", { OK, PHONE, GREEN, IN, T(360), SUBWAY, 0, 0 }, VERDICT_ALLOW, 0, 0, 0, 7 },
	{ "low reading is the validator's business",
	  { OK, PHONE, GREEN, IN, T(-5), MALL, 0, 0 },
	  VERDICT_ALLOW,
	  0,
	  0,
	  0,
	  7 },

	/* 0. inputs outside their enums fail closed */
	{ "token state unknown",
	  { (enum verdict_token)99, PHONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "direction unknown",
	  { OK, PHONE, GREEN, (enum verdict_direction)2, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "checkpoint kind unknown",
	  { OK, PHONE, GREEN, IN, T(365), (enum verdict_cp_kind)3, VERDICT_CPT_MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "checkpoint type unknown",
	  { OK, PHONE, GREEN, IN, T(365), VERDICT_CP_PUBLIC_PLACE, (enum verdict_cp_type) - 1, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "OK token without a kind",
	  { OK, VERDICT_KIND_NONE, GREEN, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "OK token with the paper token's color byte",
	  { OK, PAPER, RULES_COLOR_NONE, IN, T(365), MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
	{ "OK token, color out of range",
	  { OK, PHONE, (enum rules_color)3, OUT, NOTEMP, MALL, 0, 0 },
	  VERDICT_DENY,
	  R_NO_VALID,
	  0,
	  0,
	  0 },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		struct verdict_out out;

		memset(&out, 0xA5, sizeof out);
		CHECK(r->name, verdict_decide(&r->in, FEVER, &out), r->verdict);
		CHECK(r->name, out.verdict, r->verdict);
		CHECK(r->name, out.reasons, r->reasons);
		CHECK(r->name, out.checks, r->checks);
		CHECK(r->name, out.visitor_registered, r->visitor_registered);
		CHECK(r->name, out.needs_temperature, r->verdict == VERDICT_NEED_TEMPERATURE);
		CHECK(r->name, out.row, r->row);
	}
}

/* A resident's check-in with a place code (DESIGN §11): no temperature, taken at the door. */
static void test_at_door(void **state)
{
	static const struct {
		const char *name;
		enum rules_color color;
		enum verdict_direction dir;
		enum verdict_cp_kind kind;
		enum verdict_cp_type type;
		bool resident, visitor;
		enum verdict verdict;
		unsigned reasons, checks;
		int row;
	} cases[] = {
		{ "green in", GREEN, IN, MALL, 0, 0, VERDICT_ALLOW, 0, C_TEMP, 7 },
		{ "green in a taxi, whatever the direction", GREEN, OUT, TAXI, 0, 0, VERDICT_ALLOW, 0, C_TEMP, 7 },
		{ "red in", RED, IN, BUS, 0, 0, VERDICT_DENY, R_RED, C_TEMP, 4 },
		{ "red out", RED, OUT, MALL, 0, 0, VERDICT_ALLOW, 0, 0, 2 },
		{ "visitor unregistered", GREEN, IN, COMMUNITY, 0, 0, VERDICT_REGISTER, R_VISITOR, C_TEMP, 5 },
		{ "visitor registered", GREEN, IN, COMMUNITY, 0, 1, VERDICT_ALLOW, 0, C_TEMP, 5 },
		{ "resident", GREEN, IN, COMMUNITY, 1, 0, VERDICT_ALLOW, 0, C_TEMP, 7 },
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct verdict_in in = { OK,  PHONE,         cases[i].color, cases[i].dir,      false,
					 0,   cases[i].kind, cases[i].type,  cases[i].resident, cases[i].visitor,
					 true };
		struct verdict_out out;
		CHECK(cases[i].name, verdict_decide(&in, FEVER, &out), cases[i].verdict);
		CHECK(cases[i].name, out.reasons, cases[i].reasons);
		CHECK(cases[i].name, out.checks, cases[i].checks);
		CHECK(cases[i].name, out.needs_temperature, 0);
		CHECK(cases[i].name, out.row, cases[i].row);
	}
	/* A temperature given anyway still counts (a fever is a fever). */
	struct verdict_in fever = { OK, PHONE, GREEN, IN, true, 385, MALL, false, false, true };
	struct verdict_out out;
	CHECK("fever at the door", verdict_decide(&fever, FEVER, &out), VERDICT_DENY);
	CHECK("fever at the door", out.reasons, R_FEVER);
	assert_string_equal(verdict_check_word(VERDICT_CHECK_TEMPERATURE), "TEMPERATURE");
}

/* Every row number 0..7 is reached by some row of the table. */
static void test_rows_cover_design(void **state)
{
	unsigned seen = 0;

	(void)state;
	for (size_t i = 0; i < N(rows); i++)
		seen |= 1u << rows[i].row;
	assert_int_equal(seen, 0xFFu);
}

/* The threshold comes from the configuration. */
static void test_threshold(void **state)
{
	struct verdict_in in = { OK, PHONE, GREEN, IN, T(375), MALL, 0, 0 };
	struct verdict_out out;

	(void)state;
	assert_int_equal(verdict_decide(&in, 373, &out), VERDICT_DENY);
	assert_int_equal(out.reasons, R_FEVER);
	assert_int_equal(verdict_decide(&in, 376, &out), VERDICT_ALLOW);
	assert_int_equal(verdict_decide(&in, 375, &out), VERDICT_DENY);
	/* a threshold outside 35.0..42.0 is a configuration error: fail closed */
	assert_int_equal(verdict_decide(&in, 0, &out), VERDICT_DENY);
	assert_int_equal(out.row, 0);
	assert_int_equal(out.reasons, R_NO_VALID);
	assert_int_equal(verdict_decide(&in, 421, &out), VERDICT_DENY);
	assert_int_equal(out.row, 0);
	assert_int_equal(verdict_decide(&in, 350, &out), VERDICT_DENY);
	assert_int_equal(out.row, 4);
	assert_int_equal(verdict_decide(&in, 420, &out), VERDICT_ALLOW);
}

static void test_null(void **state)
{
	struct verdict_in in = { OK, PHONE, GREEN, IN, T(365), MALL, 0, 0 };
	struct verdict_out out;

	(void)state;
	assert_int_equal(verdict_decide(NULL, FEVER, &out), VERDICT_DENY);
	assert_int_equal(out.row, 0);
	assert_int_equal(out.reasons, R_NO_VALID);
	assert_int_equal(verdict_decide(&in, FEVER, NULL), VERDICT_DENY);
}

/*
 * Every combination of the inputs: the rows' promises hold whatever else is set.
 * No valid code is never allowed; leaving (not by taxi or ride-hailing) with a valid code
 * is always allowed; an entry never passes red or a fever; REGISTER only at a community
 * for a non-resident; a paper entry that is not denied always carries the ID check.
 */
static void test_invariants(void **state)
{
	static const int temps[] = { -1, 300, 372, 373, 420 }; /* -1: none */

	(void)state;
	for (int tok = 0; tok < VERDICT_TOKEN__MAX; tok++)
		for (int kind = 0; kind <= VERDICT_KIND_PAPER; kind++)
			for (int color = 0; color <= RULES_COLOR_RED; color++)
				for (int dir = 0; dir < VERDICT_DIR__MAX; dir++)
					for (size_t t = 0; t < N(temps); t++)
						for (int cpt = 0; cpt < VERDICT_CPT__MAX; cpt++)
							for (int res = 0; res <= 1; res++)
								for (int vis = 0; vis <= 1; vis++) {
									struct verdict_in in = {
										(enum verdict_token)tok,
										(enum verdict_kind)kind,
										(enum rules_color)color,
										(enum verdict_direction)dir,
										temps[t] >= 0,
										temps[t],
										verdict_cp_type_kind(
										    (enum verdict_cp_type)cpt),
										(enum verdict_cp_type)cpt,
										res,
										vis,
									};
									struct verdict_out out;
									enum verdict v =
									    verdict_decide(&in, FEVER, &out);
									bool valid = tok == OK &&
										     kind != VERDICT_KIND_NONE &&
										     color != RULES_COLOR_NONE;
									bool car = cpt == VERDICT_CPT_TAXI ||
										   cpt == VERDICT_CPT_RIDE_HAILING;
									bool entering = dir == IN || car;

									assert_int_equal(v, out.verdict);
									assert_true(out.reasons != 0 ||
										    v != VERDICT_DENY);
									assert_true(out.row >= 0 && out.row <= 7);
									if (!valid)
										assert_int_equal(v, VERDICT_DENY);
									if (valid && !entering)
										assert_int_equal(v, VERDICT_ALLOW);
									if (valid && entering && temps[t] < 0)
										assert_int_equal(
										    v, VERDICT_NEED_TEMPERATURE);
									if (entering &&
									    (color == RED || temps[t] >= FEVER))
										assert_true(v != VERDICT_ALLOW);
									if (v == VERDICT_REGISTER)
										assert_true(in.cp_kind ==
												VERDICT_CP_COMMUNITY &&
											    !res && !vis);
									if (valid && entering && kind == PAPER &&
									    (v == VERDICT_ALLOW ||
									     v == VERDICT_REGISTER))
										assert_int_equal(out.checks, C_ID);
									else
										assert_int_equal(out.checks, 0);
									if (out.visitor_registered)
										assert_true(
										    v == VERDICT_ALLOW && vis && !res &&
										    in.cp_kind == VERDICT_CP_COMMUNITY);
									if (v == VERDICT_ALLOW)
										assert_int_equal(out.reasons, 0);
									assert_int_equal(out.needs_temperature,
											 v == VERDICT_NEED_TEMPERATURE);
								}
}

static void test_words(void **state)
{
	static const char *const reasons[] = { "NO_VALID_CODE", "EXPIRED_CODE", "RED_CODE", "FEVER",
					       "VISITOR_REGISTRATION" };
	static const char *const tokens[] = { "OK",    "UNPARSABLE", "BAD_MAC",          "UNKNOWN_PERSON",
					      "STALE", "FUTURE",     "SUPERSEDED_SERIAL" };

	(void)state;
	assert_string_equal(verdict_word(VERDICT_ALLOW), "allow");
	assert_string_equal(verdict_word(VERDICT_DENY), "deny");
	assert_string_equal(verdict_word(VERDICT_REGISTER), "register");
	assert_null(verdict_word(VERDICT_NEED_TEMPERATURE));
	assert_null(verdict_word(VERDICT__MAX));
	assert_null(verdict_word((enum verdict) - 1));
	assert_int_equal(N(reasons), VERDICT_REASON__MAX);
	for (int i = 0; i < VERDICT_REASON__MAX; i++)
		assert_string_equal(verdict_reason_word((enum verdict_reason)i), reasons[i]);
	assert_null(verdict_reason_word(VERDICT_REASON__MAX));
	assert_null(verdict_reason_word((enum verdict_reason) - 1));
	assert_string_equal(verdict_check_word(VERDICT_CHECK_ID_DOCUMENT), "ID_DOCUMENT");
	assert_null(verdict_check_word(VERDICT_CHECK__MAX));
	assert_int_equal(N(tokens), VERDICT_TOKEN__MAX);
	for (int i = 0; i < VERDICT_TOKEN__MAX; i++)
		assert_string_equal(verdict_token_word((enum verdict_token)i), tokens[i]);
	assert_null(verdict_token_word(VERDICT_TOKEN__MAX));
}

static void test_request_words(void **state)
{
	static const struct {
		const char *w;
		enum verdict_cp_kind kind;
	} types[] = {
		{ "community", VERDICT_CP_COMMUNITY },      { "school", VERDICT_CP_PUBLIC_PLACE },
		{ "hospital", VERDICT_CP_PUBLIC_PLACE },    { "airport", VERDICT_CP_PUBLIC_PLACE },
		{ "station", VERDICT_CP_PUBLIC_PLACE },     { "mall", VERDICT_CP_PUBLIC_PLACE },
		{ "supermarket", VERDICT_CP_PUBLIC_PLACE }, { "market", VERDICT_CP_PUBLIC_PLACE },
		{ "attraction", VERDICT_CP_PUBLIC_PLACE },  { "hotel", VERDICT_CP_PUBLIC_PLACE },
		{ "bank", VERDICT_CP_PUBLIC_PLACE },        { "bus", VERDICT_CP_TRANSPORT },
		{ "subway", VERDICT_CP_TRANSPORT },         { "tourist_line", VERDICT_CP_TRANSPORT },
		{ "coach", VERDICT_CP_TRANSPORT },          { "taxi", VERDICT_CP_TRANSPORT },
		{ "ride_hailing", VERDICT_CP_TRANSPORT },
	};
	static const char *const kinds[] = { "community", "public_place", "transport" };
	static const char *const bad[] = { "",     "IN",           "Taxi",      "taxi ", "ride-hailing",
					   "in\0", "public place", "transports" };

	(void)state;
	assert_string_equal(verdict_direction_word(VERDICT_DIR_IN), "in");
	assert_string_equal(verdict_direction_word(VERDICT_DIR_OUT), "out");
	assert_null(verdict_direction_word(VERDICT_DIR__MAX));
	assert_int_equal(verdict_direction_from_word("in", 2), VERDICT_DIR_IN);
	assert_int_equal(verdict_direction_from_word("out", 3), VERDICT_DIR_OUT);
	assert_int_equal(verdict_direction_from_word("inside", 2), VERDICT_DIR_IN); /* len bytes */
	assert_int_equal(verdict_direction_from_word("in\0", 3), VERDICT_DIR__MAX);
	assert_int_equal(verdict_direction_from_word(NULL, 2), VERDICT_DIR__MAX);

	assert_int_equal(N(kinds), VERDICT_CP__MAX);
	for (int i = 0; i < VERDICT_CP__MAX; i++) {
		assert_string_equal(verdict_cp_kind_word((enum verdict_cp_kind)i), kinds[i]);
		assert_int_equal(verdict_cp_kind_from_word(kinds[i], strlen(kinds[i])), i);
	}
	assert_null(verdict_cp_kind_word(VERDICT_CP__MAX));
	assert_int_equal(verdict_cp_kind_from_word(NULL, 0), VERDICT_CP__MAX);

	assert_int_equal(N(types), VERDICT_CPT__MAX);
	for (int i = 0; i < VERDICT_CPT__MAX; i++) {
		assert_string_equal(verdict_cp_type_word((enum verdict_cp_type)i), types[i].w);
		assert_int_equal(verdict_cp_type_from_word(types[i].w, strlen(types[i].w)), i);
		CHECK(types[i].w, verdict_cp_type_kind((enum verdict_cp_type)i), types[i].kind);
	}
	assert_null(verdict_cp_type_word(VERDICT_CPT__MAX));
	assert_int_equal(verdict_cp_type_kind(VERDICT_CPT__MAX), VERDICT_CP__MAX);
	assert_int_equal(verdict_cp_type_kind((enum verdict_cp_type) - 1), VERDICT_CP__MAX);
	assert_int_equal(verdict_cp_type_from_word(NULL, 4), VERDICT_CPT__MAX);

	for (size_t i = 0; i < N(bad); i++) {
		size_t len = strlen(bad[i]) + (i == 5); /* "in\0" with its NUL */

		CHECK(bad[i], verdict_direction_from_word(bad[i], len), VERDICT_DIR__MAX);
		CHECK(bad[i], verdict_cp_kind_from_word(bad[i], len), VERDICT_CP__MAX);
		CHECK(bad[i], verdict_cp_type_from_word(bad[i], len), VERDICT_CPT__MAX);
	}
}

/* The direction a scan is recorded with: as given, but always an entry in a taxi or a
 * ride-hailing car (a passenger scans before the car moves). */
static void test_direction(void **state)
{
	(void)state;
	for (int t = 0; t < VERDICT_CPT__MAX; t++) {
		int car = t == VERDICT_CPT_TAXI || t == VERDICT_CPT_RIDE_HAILING;

		assert_int_equal(verdict_direction(t, VERDICT_DIR_IN), VERDICT_DIR_IN);
		assert_int_equal(verdict_direction(t, VERDICT_DIR_OUT), car ? VERDICT_DIR_IN : VERDICT_DIR_OUT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),      cmocka_unit_test(test_rows_cover_design),
		cmocka_unit_test(test_at_door),   cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_null),      cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_words),     cmocka_unit_test(test_request_words),
		cmocka_unit_test(test_direction),
	};

	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
