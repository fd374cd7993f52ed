/* test_place.c: unit tests of place.c: poster tokens, door screens' tokens (seal, parse, mac,
 * windows) and their two minutes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "place.h"

static const uint8_t key[32] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static void test_poster_tokens_are_random_and_parse(void **state)
{
	(void)state;
	char a[PLACE_TOKEN_SIZE], b[PLACE_TOKEN_SIZE];
	assert_int_equal(place_poster_new(a), 0);
	assert_int_equal(place_poster_new(b), 0);
	assert_int_equal(strlen(a), PLACE_POSTER_LEN);
	assert_string_not_equal(a, b);
	struct place_token t;
	assert_int_equal(place_parse(a, strlen(a), &t), PLACE_TOKEN_POSTER);
	/* The bytes read back are the bytes whose base64url the text is. */
	char again[PLACE_TOKEN_SIZE];
	crypto_b64url(t.poster, sizeof t.poster, again, sizeof again);
	assert_string_equal(again, a);
	/* A poster token never passes as a screen's, and is never mac-checked as one. */
	assert_int_equal(place_display_mac_ok(key, sizeof key, &t), 0);
}

static void test_display_tokens_round_trip_and_are_sealed(void **state)
{
	(void)state;
	char text[PLACE_TOKEN_SIZE];
	place_display_token(key, sizeof key, 4242, 1765000020, text);
	assert_int_equal(strlen(text), PLACE_DISPLAY_LEN);
	struct place_token t;
	assert_int_equal(place_parse(text, strlen(text), &t), PLACE_TOKEN_DISPLAY);
	assert_int_equal(t.display_id, 4242);
	assert_int_equal(t.shown_at, 1765000020);
	assert_int_equal(place_display_mac_ok(key, sizeof key, &t), 1);
	/* Another key, another window, another screen: another text, and a wrong mac. */
	uint8_t other[32];
	memcpy(other, key, sizeof other);
	other[0] ^= 1;
	assert_int_equal(place_display_mac_ok(other, sizeof other, &t), 0);
	char next[PLACE_TOKEN_SIZE];
	place_display_token(key, sizeof key, 4242, 1765000050, next);
	assert_string_not_equal(text, next);
	t.shown_at += PLACE_WINDOW_S; /* an old token moved forward by hand */
	assert_int_equal(place_display_mac_ok(key, sizeof key, &t), 0);
	/* Every single changed character is refused (or is not a token at all). */
	for (size_t i = 0; i < PLACE_DISPLAY_LEN; i++) {
		char bad[PLACE_TOKEN_SIZE];
		memcpy(bad, text, sizeof bad);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		struct place_token u;
		if (place_parse(bad, strlen(bad), &u) == PLACE_TOKEN_DISPLAY)
			assert_int_equal(place_display_mac_ok(key, sizeof key, &u), 0);
	}
}

static void test_malformed_tokens_are_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"A",
		"AAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAA=",
		"AAAAAAAAAAAAAAAAAAAAA+",
		"AAAAAAAAAAAAAAAAAAAAA/",
		"AAAAAAAAAAAAAAAAAAAAA.",
		"AAAAAAAAAAAAAAAAAAAAAB",                 /* unused low bits set: not the canonical text of 16 bytes */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* a screen id of 0 */
	};
	struct place_token t;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(place_parse(bad[i], strlen(bad[i]), &t), PLACE_TOKEN_INVALID);
	assert_int_equal(place_parse(NULL, 0, &t), PLACE_TOKEN_INVALID);
}

static void test_windows_and_freshness(void **state)
{
	(void)state;
	assert_int_equal(place_window(1765000000), 1765000000 - 1765000000 % 30);
	assert_int_equal(place_window(59), 30);
	assert_int_equal(place_window(-5), 0);
	uint32_t shown = 1765000020;
	assert_int_equal(place_display_fresh(shown, shown), PLACE_FRESH);
	assert_int_equal(place_display_fresh(shown, shown + 119), PLACE_FRESH);
	assert_int_equal(place_display_fresh(shown, shown + 120), PLACE_STALE);
	assert_int_equal(place_display_fresh(shown, shown + 86400), PLACE_STALE);
	assert_int_equal(place_display_fresh(shown, shown - 30), PLACE_FRESH);
	assert_int_equal(place_display_fresh(shown, shown - 31), PLACE_FUTURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poster_tokens_are_random_and_parse),
		cmocka_unit_test(test_display_tokens_round_trip_and_are_sealed),
		cmocka_unit_test(test_malformed_tokens_are_invalid),
		cmocka_unit_test(test_windows_and_freshness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
