/* test_token.c: unit tests of token.c: every vector of vectors/hqr1-tokens.json, structural errors, length bound, freshness. */
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
#include "token.h"

#define MAX_KEYS 8

struct signing_key {
	uint16_t kid;
	uint8_t seed[32];
	uint8_t pub[32];     /* derived from the seed */
	const char *pub_b64; /* as published in the file; owned by the cJSON tree */
};

/* The group state: the parsed file and the keys it holds. Freed by teardown. */
struct fixture {
	cJSON *json;
	uint8_t mac_key[64];
	size_t mac_key_len;
	struct signing_key keys[MAX_KEYS];
	size_t nkeys;
};

static double json_num(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(item))
		fail_msg("vector without number \"%s\"", key);
	return cJSON_GetNumberValue(item);
}

static int json_bool(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsBool(item))
		fail_msg("vector without boolean \"%s\"", key);
	return cJSON_IsTrue(item);
}

static void unhex_exact(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(crypto_unhex(hex, out, n), (int)n);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	const cJSON *k;
	int n;

	assert_non_null(fx);
	fx->json = vectors_load("hqr1-tokens.json");
	n = crypto_unhex(json_str(fx->json, "mac_key_hex"), fx->mac_key, sizeof fx->mac_key);
	assert_true(n > 0);
	fx->mac_key_len = (size_t)n;
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(fx->json, "signing_keys")) {
		struct signing_key *sk = &fx->keys[fx->nkeys++];

		assert_true(fx->nkeys <= MAX_KEYS);
		sk->kid = (uint16_t)json_num(k, "kid");
		unhex_exact(json_str(k, "seed_hex"), sk->seed, 32);
		assert_int_equal(crypto_ed25519_public(sk->seed, sk->pub), 0);
		sk->pub_b64 = json_str(k, "public_key");
	}
	assert_true(fx->nkeys >= 2);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	cJSON_Delete(fx->json);
	free(fx);
	return 0;
}

/* The key with this kid, or NULL (an unknown kid). */
static const struct signing_key *key_of(const struct fixture *fx, uint16_t kid)
{
	for (size_t i = 0; i < fx->nkeys; i++)
		if (fx->keys[i].kid == kid)
			return &fx->keys[i];
	return NULL;
}

/* The token fields a valid vector states (mac and sig zero). */
static struct hqr_token vector_fields(const cJSON *v)
{
	struct hqr_token tok;
	uint8_t ref[8];

	memset(&tok, 0, sizeof tok);
	tok.version = (uint8_t)json_num(v, "version");
	tok.kind = (uint8_t)json_num(v, "kind");
	tok.color = (uint8_t)json_num(v, "color");
	tok.kid = (uint16_t)json_num(v, "kid");
	unhex_exact(json_str(v, "code_ref_hex"), ref, sizeof ref);
	for (int i = 0; i < 8; i++)
		tok.code_ref = tok.code_ref << 8 | ref[i];
	tok.t = (uint32_t)json_num(v, "t");
	return tok;
}

static enum token_err parse_str(const char *text, struct hqr_token *tok)
{
	return token_parse(text, strlen(text), tok);
}

static void test_public_keys_match_seeds(void **state)
{
	const struct fixture *fx = *state;

	for (size_t i = 0; i < fx->nkeys; i++) {
		char b64[64];

		assert_int_equal(crypto_b64url(fx->keys[i].pub, 32, b64, sizeof b64), 43);
		assert_string_equal(b64, fx->keys[i].pub_b64);
	}
}

static void test_seal_reproduces_vectors(void **state)
{
	const struct fixture *fx = *state;
	const cJSON *v;
	int count = 0;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fx->json, "valid")) {
		struct hqr_token tok = vector_fields(v);
		const struct signing_key *sk = key_of(fx, tok.kid);
		uint8_t bytes[TOKEN_BYTES], want[TOKEN_BYTES];
		char text[TOKEN_TEXT_SIZE];

		assert_non_null(sk);
		assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, sk->seed, text, sizeof text),
				 TOKEN_TEXT_LEN);
		assert_string_equal(text, json_str(v, "text"));
		token_pack(&tok, bytes);
		unhex_exact(json_str(v, "bytes_hex"), want, sizeof want);
		assert_memory_equal(bytes, want, TOKEN_BYTES);
		count++;
	}
	assert_true(count >= 4);
}

static void test_parse_valid_vectors(void **state)
{
	const struct fixture *fx = *state;
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fx->json, "valid")) {
		struct hqr_token want = vector_fields(v), got;
		const char *text = json_str(v, "text");
		uint8_t bytes[TOKEN_BYTES], b[TOKEN_BYTES];

		assert_int_equal(parse_str(text, &got), TOKEN_OK);
		assert_int_equal(got.version, want.version);
		assert_int_equal(got.kind, want.kind);
		assert_int_equal(got.color, want.color);
		assert_int_equal(got.kid, want.kid);
		assert_true(got.code_ref == want.code_ref);
		assert_int_equal(got.t, want.t);
		token_pack(&got, bytes);
		unhex_exact(json_str(v, "bytes_hex"), b, sizeof b);
		assert_memory_equal(bytes, b, TOKEN_BYTES);
		assert_int_equal(token_check_mac(&got, fx->mac_key, fx->mac_key_len), 1);
		for (size_t i = 0; i < fx->nkeys; i++)
			assert_int_equal(token_check_sig(&got, fx->keys[i].pub), fx->keys[i].kid == got.kid);
	}
}

/* The reason token_parse gives for an invalid vector, by its "why"; TOKEN_OK for those that parse. */
static enum token_err expected_reason(const char *why)
{
	static const struct {
		const char *why;
		enum token_err e;
	} table[] = {
		{ "wrong prefix", TOKEN_BAD_PREFIX },
		{ "lower case", TOKEN_BAD_PREFIX },
		{ "truncated", TOKEN_BAD_LENGTH },
		{ "one byte too long", TOKEN_BAD_LENGTH },
		{ "version 2", TOKEN_BAD_VERSION },
		{ "unknown kind", TOKEN_BAD_KIND },
		{ "non-canonical Base45", TOKEN_BAD_BASE45 },
	};

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strncmp(why, table[i].why, strlen(table[i].why)) == 0)
			return table[i].e;
	return TOKEN_OK;
}

/*
 * The service accepts a token when it parses and its mac holds; an offline
 * reader when it parses and its signature holds under the published key of
 * its kid. Each invalid vector says which of the two must reject it.
 */
static void test_invalid_vectors(void **state)
{
	const struct fixture *fx = *state;
	const cJSON *v;
	int count = 0, parsed = 0;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fx->json, "invalid")) {
		const char *text = json_str(v, "text"), *why = json_str(v, "why");
		int service_rejects = json_bool(v, "service_rejects");
		int offline_rejects = json_bool(v, "offline_rejects");
		struct hqr_token tok;
		enum token_err e = parse_str(text, &tok);
		int service_ok = 0, offline_ok = 0;

		if (e == TOKEN_OK) {
			const struct signing_key *sk = key_of(fx, tok.kid);

			parsed++;
			service_ok = token_check_mac(&tok, fx->mac_key, fx->mac_key_len);
			offline_ok = sk != NULL && token_check_sig(&tok, sk->pub);
		}
		if (service_ok == service_rejects || offline_ok == offline_rejects)
			fail_msg("\"%s\": parse %s, service %s, offline %s", why, token_err_word(e),
				 service_ok ? "accepts" : "rejects", offline_ok ? "accepts" : "rejects");
		if (expected_reason(why) != e)
			fail_msg("\"%s\": parse says %s, want %s", why, token_err_word(e),
				 token_err_word(expected_reason(why)));
		count++;
	}
	assert_true(count >= 12);
	assert_true(parsed >= 4); /* the mac/signature cases reach the checks */
}

/* Encodes 97 raw bytes as a token text (no mac or signature computed). */
static void raw_text(const uint8_t b[TOKEN_BYTES], char text[TOKEN_TEXT_SIZE])
{
	memcpy(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
	assert_int_equal(b45_encode(b, TOKEN_BYTES, text + TOKEN_PREFIX_LEN, TOKEN_TEXT_SIZE - TOKEN_PREFIX_LEN),
			 TOKEN_TEXT_LEN - TOKEN_PREFIX_LEN);
}

static void test_header_errors(void **state)
{
	static const struct {
		uint8_t version, kind, color;
		enum token_err e;
	} cases[] = {
		{ 1, 1, 1, TOKEN_OK },          { 1, 1, 2, TOKEN_OK },          { 1, 2, 0, TOKEN_OK },
		{ 0, 1, 1, TOKEN_BAD_VERSION }, { 2, 1, 1, TOKEN_BAD_VERSION }, { 255, 9, 9, TOKEN_BAD_VERSION },
		{ 1, 0, 0, TOKEN_BAD_KIND },    { 1, 3, 1, TOKEN_BAD_KIND },    { 1, 255, 0, TOKEN_BAD_KIND },
		{ 1, 1, 0, TOKEN_BAD_COLOR },   { 1, 1, 3, TOKEN_BAD_COLOR },   { 1, 2, 1, TOKEN_BAD_COLOR },
		{ 1, 2, 2, TOKEN_BAD_COLOR },   { 1, 2, 255, TOKEN_BAD_COLOR },
	};
	uint8_t b[TOKEN_BYTES];
	char text[TOKEN_TEXT_SIZE];
	struct hqr_token tok;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(b, 0x5a, sizeof b);
		b[0] = cases[i].version;
		b[1] = cases[i].kind;
		b[2] = cases[i].color;
		raw_text(b, text);
		assert_int_equal(parse_str(text, &tok), cases[i].e);
		if (cases[i].e != TOKEN_OK) {
			/* A refused text leaves nothing usable behind. */
			assert_int_equal(tok.version, 0);
			assert_int_equal(tok.kind, 0);
		}
	}
}

static void test_length_bound(void **state)
{
	static const uint8_t b[TOKEN_BYTES] = { 1, 1, 1 };
	char text[TOKEN_TEXT_SIZE], big[TOKEN_TEXT_LEN + 16];
	struct hqr_token tok;
	char *huge;
	size_t hugelen = 1 << 20;

	(void)state;
	raw_text(b, text);
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN, &tok), TOKEN_OK);
	/* Texts beyond the exact length are refused whatever they hold. */
	memcpy(big, text, TOKEN_TEXT_LEN);
	memcpy(big + TOKEN_TEXT_LEN, "000", 3);
	assert_int_equal(token_parse(big, TOKEN_TEXT_LEN + 3, &tok), TOKEN_BAD_LENGTH);
	assert_int_equal(token_parse(big, TOKEN_TEXT_LEN + 2, &tok), TOKEN_BAD_LENGTH);
	memcpy(big + TOKEN_TEXT_LEN, "a", 1);
	assert_int_equal(token_parse(big, TOKEN_TEXT_LEN + 1, &tok), TOKEN_BAD_LENGTH);
	huge = malloc(hugelen);
	assert_non_null(huge);
	memset(huge, '0', hugelen);
	memcpy(huge, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
	assert_int_equal(token_parse(huge, hugelen, &tok), TOKEN_BAD_LENGTH);
	free(huge);
	/* Shorter texts, valid Base45 or not: the length is checked first. */
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN - 1, &tok), TOKEN_BAD_LENGTH);
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN - 2, &tok), TOKEN_BAD_LENGTH);
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN - 3, &tok), TOKEN_BAD_LENGTH);
	big[TOKEN_TEXT_LEN - 2] = 'a';
	assert_int_equal(token_parse(big, TOKEN_TEXT_LEN - 1, &tok), TOKEN_BAD_LENGTH);
	assert_int_equal(token_parse(text, TOKEN_PREFIX_LEN, &tok), TOKEN_BAD_LENGTH);
	assert_int_equal(token_parse(text, TOKEN_PREFIX_LEN - 1, &tok), TOKEN_BAD_PREFIX);
	assert_int_equal(token_parse("", 0, &tok), TOKEN_BAD_PREFIX);
	assert_int_equal(token_parse(NULL, 0, &tok), TOKEN_BAD_PREFIX);
	/* At the exact length, a lower-case letter or a NUL inside is not Base45. */
	text[40] = 'a';
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN, &tok), TOKEN_BAD_BASE45);
	text[40] = '\0';
	assert_int_equal(token_parse(text, TOKEN_TEXT_LEN, &tok), TOKEN_BAD_BASE45);
}

static void test_seal_refuses_bad_fields(void **state)
{
	const struct fixture *fx = *state;
	struct hqr_token ok = { .version = 1,
				.kind = TOKEN_KIND_PHONE,
				.color = TOKEN_COLOR_GREEN,
				.kid = 1,
				.code_ref = 42,
				.t = 1764201600 };
	struct hqr_token tok;
	char text[TOKEN_TEXT_SIZE];

	tok = ok;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text),
			 TOKEN_TEXT_LEN);
	tok = ok;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text - 1), -1);
	assert_string_equal(text, "");
	tok = ok;
	tok.version = 2;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text), -1);
	tok = ok;
	tok.kind = 3;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text), -1);
	tok = ok;
	tok.color = TOKEN_COLOR_NONE;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text), -1);
	tok = ok;
	tok.kind = TOKEN_KIND_PAPER;
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, fx->keys[0].seed, text, sizeof text), -1);
	tok = ok;
	assert_int_equal(token_seal(&tok, fx->mac_key, 0, fx->keys[0].seed, text, sizeof text), -1);
	assert_int_equal(token_seal(&tok, NULL, 32, fx->keys[0].seed, text, sizeof text), -1);
	assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, NULL, text, sizeof text), -1);
}

/* Random tokens survive seal → parse; any changed field breaks the mac, any changed mac the signature. */
static void test_round_trip_and_binding(void **state)
{
	const struct fixture *fx = *state;

	for (int i = 0; i < 50; i++) {
		struct hqr_token tok, got, bad;
		uint8_t rnd[16];
		char text[TOKEN_TEXT_SIZE];
		const struct signing_key *sk = &fx->keys[(size_t)i % fx->nkeys];

		assert_int_equal(crypto_random(rnd, sizeof rnd), 0);
		memset(&tok, 0, sizeof tok);
		tok.version = TOKEN_VERSION;
		tok.kind = (rnd[0] & 1) ? TOKEN_KIND_PHONE : TOKEN_KIND_PAPER;
		tok.color = tok.kind == TOKEN_KIND_PAPER ? TOKEN_COLOR_NONE
			    : (rnd[1] & 1)               ? TOKEN_COLOR_GREEN
							 : TOKEN_COLOR_RED;
		tok.kid = sk->kid;
		memcpy(&tok.code_ref, rnd + 2, 8);
		memcpy(&tok.t, rnd + 10, 4);
		assert_int_equal(token_seal(&tok, fx->mac_key, fx->mac_key_len, sk->seed, text, sizeof text),
				 TOKEN_TEXT_LEN);
		assert_int_equal(strlen(text), TOKEN_TEXT_LEN);
		assert_int_equal(parse_str(text, &got), TOKEN_OK);
		assert_memory_equal(&got.mac, &tok.mac, sizeof tok.mac);
		assert_memory_equal(&got.sig, &tok.sig, sizeof tok.sig);
		assert_true(got.code_ref == tok.code_ref && got.t == tok.t && got.kid == tok.kid);
		assert_int_equal(token_check_mac(&got, fx->mac_key, fx->mac_key_len), 1);
		assert_int_equal(token_check_sig(&got, sk->pub), 1);
		assert_int_equal(token_check_mac(&got, fx->mac_key, fx->mac_key_len - 1), 0);
		assert_int_equal(token_check_mac(&got, fx->mac_key, 0), 0);

		bad = got;
		bad.code_ref ^= 1;
		assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 0);
		assert_int_equal(token_check_sig(&bad, sk->pub), 0);
		bad = got;
		bad.t += 1;
		assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 0);
		bad = got;
		bad.kid ^= 0x100;
		assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 0);
		bad = got;
		bad.color = got.kind == TOKEN_KIND_PAPER ? 0 : (uint8_t)(3 - got.color);
		if (got.kind == TOKEN_KIND_PHONE)
			assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 0);
		bad = got;
		bad.mac[15] ^= 0x80;
		assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 0);
		assert_int_equal(token_check_sig(&bad, sk->pub), 0);
		bad = got;
		bad.sig[0] ^= 1;
		assert_int_equal(token_check_mac(&bad, fx->mac_key, fx->mac_key_len), 1);
		assert_int_equal(token_check_sig(&bad, sk->pub), 0);
	}
}

static void test_err_words(void **state)
{
	static const char *const want[TOKEN_ERR__MAX] = {
		"OK", "BAD_PREFIX", "BAD_BASE45", "BAD_LENGTH", "BAD_VERSION", "BAD_KIND", "BAD_COLOR",
	};

	(void)state;
	for (int i = 0; i < TOKEN_ERR__MAX; i++)
		assert_string_equal(token_err_word((enum token_err)i), want[i]);
	assert_string_equal(token_err_word(TOKEN_ERR__MAX), "UNKNOWN");
	assert_string_equal(token_err_word((enum token_err) - 1), "UNKNOWN");
}

static void test_phone_freshness(void **state)
{
	const uint32_t t = 1764201600;

	(void)state;
	assert_int_equal(TOKEN_DYNAMIC_TTL_S, 180);
	assert_int_equal(TOKEN_FUTURE_S, 30);
	/* Stale after dynamic_ttl_s: 180 s old is still fresh, 181 s is not. */
	assert_int_equal(token_phone_fresh(t, t, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, (int64_t)t + 179, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, (int64_t)t + 180, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, (int64_t)t + 181, 180, 30), TOKEN_STALE);
	assert_int_equal(token_phone_fresh(t, (int64_t)t + 86400, 180, 30), TOKEN_STALE);
	/* Refused when more than 30 s in the future. */
	assert_int_equal(token_phone_fresh(t, (int64_t)t - 30, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, (int64_t)t - 31, 180, 30), TOKEN_FUTURE);
	assert_int_equal(token_phone_fresh(t, 0, 180, 30), TOKEN_FUTURE);
	/* Extremes of both clocks, and negative settings counted as zero. */
	assert_int_equal(token_phone_fresh(0, INT64_MIN, 180, 30), TOKEN_FUTURE);
	assert_int_equal(token_phone_fresh(UINT32_MAX, INT64_MAX, 180, 30), TOKEN_STALE);
	assert_int_equal(token_phone_fresh(UINT32_MAX, (int64_t)UINT32_MAX - 30, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(0, 180, 180, 30), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, t, -5, -5), TOKEN_FRESH);
	assert_int_equal(token_phone_fresh(t, (int64_t)t + 1, -5, -5), TOKEN_STALE);
	assert_int_equal(token_phone_fresh(t, (int64_t)t - 1, -5, -5), TOKEN_FUTURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_keys_match_seeds),
		cmocka_unit_test(test_seal_reproduces_vectors),
		cmocka_unit_test(test_parse_valid_vectors),
		cmocka_unit_test(test_invalid_vectors),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_seal_refuses_bad_fields),
		cmocka_unit_test(test_round_trip_and_binding),
		cmocka_unit_test(test_err_words),
		cmocka_unit_test(test_phone_freshness),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
