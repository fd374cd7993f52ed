/* test_auth.c: unit tests of the pure parts of auth.c: the integrator's canonical text and the staff role words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "router.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" /* FIPS 180-2 */

/* A scan posted by an integrator, and the SHA-256 of exactly these bytes (sha256sum). */
#define SCAN_BODY   "{\"code_id\":\"9f1c2e\",\"checkpoint\":\"CP-0001\",\"scanned_at\":1764201600}"
#define SHA256_SCAN "a7f946abe28edb3daf7e5287ba4cfa87f12fb2600c72af328f133c92fe15c790"

static void test_canonical_empty_body(void **state)
{
	char out[512];
	const char *want = "POST\n/api/v1/scans?x=1\n1764201600\nnonce123\n" SHA256_EMPTY;
	(void)state;
	int n = auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", "", 0, out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(n, (int)strlen(want));
	/* No body at all is the empty body. */
	memset(out, 'x', sizeof out);
	n = auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(n, (int)strlen(want));
	/* NULL with a length is still no body. */
	n = auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 99, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_canonical_with_body(void **state)
{
	char out[512];
	(void)state;
	int n = auth_canonical("POST", "/api/v1/scans", "1764201600", "0b3c4d5e6f7a8b9c", SCAN_BODY, strlen(SCAN_BODY),
			       out, sizeof out);
	assert_string_equal(out, "POST\n/api/v1/scans\n1764201600\n0b3c4d5e6f7a8b9c\n" SHA256_SCAN);
	assert_int_equal(n, (int)strlen(out));
	/* Only len bytes of the body are hashed. */
	auth_canonical("GET", "/api/v1/codes/17?fields=color", "1764201601", "nonce-abc.1", "abcdef", 3, out,
		       sizeof out);
	assert_string_equal(out, "GET\n/api/v1/codes/17?fields=color\n1764201601\nnonce-abc.1\n" SHA256_ABC);
	/* A body with a NUL byte is hashed whole. */
	auth_canonical("PUT", "/x", "1", "n", "a\0b", 3, out, sizeof out);
	assert_string_equal(out, "PUT\n/x\n1\nn\n59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
}

static void test_canonical_each_part_matters(void **state)
{
	char base[512], other[512];
	(void)state;
	auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", "{}", 2, base, sizeof base);
	auth_canonical("post", "/api/v1/scans?x=1", "1764201600", "nonce123", "{}", 2, other, sizeof other);
	assert_string_not_equal(base, other);
	auth_canonical("POST", "/api/v1/scans?x=2", "1764201600", "nonce123", "{}", 2, other, sizeof other);
	assert_string_not_equal(base, other);
	auth_canonical("POST", "/api/v1/scans?x=1", "1764201601", "nonce123", "{}", 2, other, sizeof other);
	assert_string_not_equal(base, other);
	auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce124", "{}", 2, other, sizeof other);
	assert_string_not_equal(base, other);
	auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", "{ }", 3, other, sizeof other);
	assert_string_not_equal(base, other);
	/* The hash is lower-case hex, 64 digits, at the end. */
	const char *hex = strrchr(base, '\n') + 1;
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
}

static void test_canonical_buffer_too_small(void **state)
{
	const char *want = "POST\n/api/v1/scans?x=1\n1764201600\nnonce123\n" SHA256_EMPTY;
	size_t need = strlen(want) + 1;
	char out[512];
	(void)state;
	/* Exactly enough room (text and NUL) works. */
	assert_int_equal(auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, out, need),
			 (int)need - 1);
	assert_string_equal(out, want);
	/* One byte short, much too short, or none at all: -1. */
	assert_int_equal(auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, out, need - 1),
			 -1);
	assert_int_equal(auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, out, 16), -1);
	assert_int_equal(auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, out, 0), -1);
	/* A short buffer is never written past its end. */
	char guard[64];
	memset(guard, '#', sizeof guard);
	assert_int_equal(auth_canonical("POST", "/api/v1/scans?x=1", "1764201600", "nonce123", NULL, 0, guard, 32), -1);
	for (size_t i = 32; i < sizeof guard; i++)
		assert_int_equal(guard[i], '#');
}

static void test_role_words(void **state)
{
	(void)state;
	assert_string_equal(auth_role_word(ROLE_OFFICER), "officer");
	assert_string_equal(auth_role_word(ROLE_INVESTIGATOR), "investigator");
	assert_string_equal(auth_role_word(ROLE_OPERATOR), "operator");
	/* Not staff, or out of range. */
	assert_string_equal(auth_role_word(0), "none");
	assert_string_equal(auth_role_word(4), "none");
	assert_string_equal(auth_role_word(-1), "none");
	assert_string_equal(auth_role_word(1000), "none");
}

static void test_role_round_trip(void **state)
{
	(void)state;
	for (int r = ROLE_OFFICER; r <= ROLE_OPERATOR; r++)
		assert_int_equal(auth_role_from_word(auth_role_word(r)), r);
	assert_int_equal(auth_role_from_word("officer"), ROLE_OFFICER);
	assert_int_equal(auth_role_from_word("investigator"), ROLE_INVESTIGATOR);
	assert_int_equal(auth_role_from_word("operator"), ROLE_OPERATOR);
}

static void test_role_unknown_words(void **state)
{
	static const char *const bad[] = {
		"",         "none",     "admin",    "root",   "Officer",        "OPERATOR",
		" officer", "officer ", "officers", "office", "investigator\n", "警官",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (auth_role_from_word(bad[i]) != 0)
			fail_msg("\"%s\" is read as role %d", bad[i], auth_role_from_word(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_empty_body),
		cmocka_unit_test(test_canonical_with_body),
		cmocka_unit_test(test_canonical_each_part_matters),
		cmocka_unit_test(test_canonical_buffer_too_small),
		cmocka_unit_test(test_role_words),
		cmocka_unit_test(test_role_round_trip),
		cmocka_unit_test(test_role_unknown_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
