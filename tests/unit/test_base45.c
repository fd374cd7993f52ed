/* test_base45.c: unit tests of base45.c: every vector of vectors/base45.json, the RFC 9285 examples, canonicity and bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base45.h"
#include "crypto.h"
#include "unit_vectors.h"

static int setup(void **state)
{
	*state = vectors_load("base45.json");
	return 0;
}

static int teardown(void **state)
{
	cJSON_Delete(*state);
	return 0;
}

/* Encodes bytes, compares with text, decodes text, compares with bytes. */
static void check_pair(const uint8_t *bytes, size_t n, const char *text)
{
	char enc[256];
	uint8_t dec[256];
	size_t tlen = strlen(text);

	assert_int_equal(b45_encoded_len(n), tlen);
	assert_int_equal(b45_encode(bytes, n, enc, sizeof enc), (int)tlen);
	assert_string_equal(enc, text);
	assert_int_equal(b45_decode(text, tlen, dec, sizeof dec), (int)n);
	if (n > 0)
		assert_memory_equal(dec, bytes, n);
}

static void test_vectors_valid(void **state)
{
	const cJSON *v, *valid = cJSON_GetObjectItemCaseSensitive(*state, "valid");
	int count = 0;

	assert_true(cJSON_IsArray(valid));
	cJSON_ArrayForEach(v, valid) {
		uint8_t bytes[128];
		int n = crypto_unhex(json_str(v, "bytes_hex"), bytes, sizeof bytes);

		assert_true(n >= 0);
		check_pair(bytes, (size_t)n, json_str(v, "text"));
		count++;
	}
	assert_true(count >= 8);
}

/* The decoder's reason for each invalid vector, by its "why". */
static int expected_error(const char *why)
{
	if (strstr(why, "triple above") != NULL || strstr(why, "pair above") != NULL)
		return B45_ERR_OVERFLOW;
	if (strstr(why, "single trailing") != NULL)
		return B45_ERR_LENGTH;
	if (strstr(why, "lower-case") != NULL || strstr(why, "outside the alphabet") != NULL)
		return B45_ERR_CHAR;
	return 0;
}

static void test_vectors_invalid(void **state)
{
	const cJSON *v, *invalid = cJSON_GetObjectItemCaseSensitive(*state, "invalid");
	int count = 0;

	assert_true(cJSON_IsArray(invalid));
	cJSON_ArrayForEach(v, invalid) {
		const char *text = json_str(v, "text"), *why = json_str(v, "why");
		uint8_t out[128];
		int r = b45_decode(text, strlen(text), out, sizeof out), want = expected_error(why);

		if (r >= 0)
			fail_msg("accepted invalid \"%s\" (%s)", text, why);
		if (want != 0 && r != want)
			fail_msg("\"%s\" (%s): got %d, want %d", text, why, r, want);
		/* The reason does not depend on the room for the output. */
		assert_int_equal(b45_decode(text, strlen(text), NULL, 0), r);
		count++;
	}
	assert_true(count >= 5);
}

static void test_rfc9285_examples(void **state)
{
	(void)state;
	/* RFC 9285 §4.3 and §4.4. */
	check_pair((const uint8_t *)"AB", 2, "BB8");
	check_pair((const uint8_t *)"Hello!!", 7, "%69 VD92EX0");
	check_pair((const uint8_t *)"base-45", 7, "UJCLQE7W581");
	check_pair((const uint8_t *)"ietf!", 5, "QED8WEX0");
}

static void test_every_pair_and_byte(void **state)
{
	char enc[8];
	uint8_t in[2], out[2];

	(void)state;
	for (unsigned v = 0; v <= 0xffff; v++) {
		in[0] = (uint8_t)(v >> 8);
		in[1] = (uint8_t)v;
		assert_int_equal(b45_encode(in, 2, enc, sizeof enc), 3);
		assert_int_equal(b45_decode(enc, 3, out, sizeof out), 2);
		assert_memory_equal(in, out, 2);
	}
	for (unsigned v = 0; v <= 0xff; v++) {
		in[0] = (uint8_t)v;
		assert_int_equal(b45_encode(in, 1, enc, sizeof enc), 2);
		assert_int_equal(b45_decode(enc, 2, out, sizeof out), 1);
		assert_int_equal(out[0], v);
	}
}

/* Every two- and three-character text either overflows or re-encodes to itself. */
static void test_canonical_only(void **state)
{
	static const char alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	char text[4], enc[8];
	uint8_t out[2];
	unsigned ok = 0, over = 0;

	(void)state;
	for (int a = 0; a < 45; a++) {
		for (int b = 0; b < 45; b++) {
			int r;

			text[0] = alpha[a];
			text[1] = alpha[b];
			r = b45_decode(text, 2, out, sizeof out);
			if (a + 45 * b > 255) {
				assert_int_equal(r, B45_ERR_OVERFLOW);
				continue;
			}
			assert_int_equal(r, 1);
			assert_int_equal(b45_encode(out, 1, enc, sizeof enc), 2);
			assert_memory_equal(enc, text, 2);
		}
	}
	for (int a = 0; a < 45; a++)
		for (int b = 0; b < 45; b++)
			for (int c = 0; c < 45; c++) {
				int r;

				text[0] = alpha[a];
				text[1] = alpha[b];
				text[2] = alpha[c];
				r = b45_decode(text, 3, out, sizeof out);
				if (a + 45 * b + 2025 * c > 65535) {
					assert_int_equal(r, B45_ERR_OVERFLOW);
					over++;
					continue;
				}
				assert_int_equal(r, 2);
				assert_int_equal(b45_encode(out, 2, enc, sizeof enc), 3);
				assert_memory_equal(enc, text, 3);
				ok++;
			}
	assert_int_equal(ok, 65536);
	assert_int_equal(over, 45 * 45 * 45 - 65536);
}

static void test_invalid_characters(void **state)
{
	uint8_t out[4];
	char text[3] = "00";

	(void)state;
	/* Every byte outside the 45 characters is refused, NUL and 0x80..0xff included, and
	 * b45_char says the same. */
	for (int ch = 0; ch < 256; ch++) {
		int in_alpha = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
			       (ch != 0 && strchr(" $%*+-./:", ch) != NULL);

		assert_int_equal(b45_char(ch), in_alpha);
		text[0] = (char)ch; /* "c0": the value stays below 45 */
		assert_int_equal(b45_decode(text, 2, out, sizeof out) >= 0, in_alpha);
		if (!in_alpha)
			assert_int_equal(b45_decode(text, 2, out, sizeof out), B45_ERR_CHAR);
	}
	assert_false(b45_char(-1));
	assert_false(b45_char(256));
	/* A bad character is reported before a bad length. */
	assert_int_equal(b45_decode("BB8a", 4, out, sizeof out), B45_ERR_CHAR);
	assert_int_equal(b45_decode("BB8A", 4, out, sizeof out), B45_ERR_LENGTH);
	assert_int_equal(b45_decode("BB8BB8B", 7, out, sizeof out), B45_ERR_LENGTH);
}

static void test_bounds(void **state)
{
	char enc[4];
	uint8_t out[2];

	(void)state;
	/* Encoding needs room for the NUL. */
	assert_int_equal(b45_encode((const uint8_t *)"AB", 2, enc, 3), -1);
	assert_int_equal(b45_encode((const uint8_t *)"AB", 2, enc, 4), 3);
	assert_int_equal(b45_encode(NULL, 0, enc, 1), 0);
	assert_string_equal(enc, "");
	assert_int_equal(b45_encode(NULL, 0, enc, 0), -1);
	/* Decoding into too little room. */
	assert_int_equal(b45_decode("BB8", 3, out, 1), B45_ERR_SPACE);
	assert_int_equal(b45_decode("BB8U5", 5, out, 2), B45_ERR_SPACE);
	assert_int_equal(b45_decode("BB8ZZ", 5, out, 2), B45_ERR_OVERFLOW);
	assert_int_equal(b45_decode("", 0, NULL, 0), 0);
	assert_int_equal(b45_decode(NULL, 0, NULL, 0), 0);
	assert_int_equal(b45_decode(NULL, 3, out, sizeof out), B45_ERR_CHAR);
	/* Lengths. */
	assert_int_equal(b45_encoded_len(0), 0);
	assert_int_equal(b45_encoded_len(1), 2);
	assert_int_equal(b45_encoded_len(2), 3);
	assert_int_equal(b45_encoded_len(97), 146);
	assert_int_equal(b45_encoded_len(SIZE_MAX), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_valid),    cmocka_unit_test(test_vectors_invalid),
		cmocka_unit_test(test_rfc9285_examples), cmocka_unit_test(test_every_pair_and_byte),
		cmocka_unit_test(test_canonical_only),   cmocka_unit_test(test_invalid_characters),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
