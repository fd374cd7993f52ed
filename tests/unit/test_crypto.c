/* test_crypto.c: unit tests of crypto.c against RFC vectors (SHA-256, RFC 4231, RFC 8032, RFC 4648) and AES-GCM properties. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "crypto.h"

/* Decodes a hex literal of the test into buf; fails the test if it does not fit. */
static size_t unhex(const char *hex, uint8_t *buf, size_t max)
{
	int n = crypto_unhex(hex, buf, max);

	assert_true(n >= 0);
	return (size_t)n;
}

static void assert_hex_equal(const uint8_t *got, size_t n, const char *want)
{
	char hex[2 * 128 + 1];

	assert_true(n <= 128);
	crypto_hex(got, n, hex);
	assert_string_equal(hex, want);
}

static void test_sha256(void **state)
{
	uint8_t d[32];

	(void)state;
	crypto_sha256("abc", 3, d);
	assert_hex_equal(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256(NULL, 0, d);
	assert_hex_equal(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_rfc4231(void **state)
{
	static const char data2[] = "what do ya want for nothing?";
	uint8_t key1[20], data1[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' }, mac[32];

	(void)state;
	/* RFC 4231 test case 2. */
	crypto_hmac_sha256((const uint8_t *)"Jefe", 4, data2, strlen(data2), mac);
	assert_hex_equal(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 4231 test case 1. */
	memset(key1, 0x0b, sizeof key1);
	crypto_hmac_sha256(key1, sizeof key1, data1, sizeof data1, mac);
	assert_hex_equal(mac, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* Empty key and message. */
	crypto_hmac_sha256(NULL, 0, NULL, 0, mac);
	assert_hex_equal(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_ed25519_rfc8032(void **state)
{
	uint8_t seed[32], pub[32], want_pub[32], sig[64], bad[64];
	static const char want_sig[] =
	    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

	(void)state;
	/* RFC 8032 §7.1, TEST 1: the empty message. */
	unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, sizeof seed);
	unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", want_pub, sizeof want_pub);
	assert_int_equal(crypto_ed25519_public(seed, pub), 0);
	assert_memory_equal(pub, want_pub, 32);
	assert_int_equal(crypto_ed25519_sign(seed, NULL, 0, sig), 0);
	assert_hex_equal(sig, 64, want_sig);
	assert_int_equal(crypto_ed25519_verify(pub, "", 0, sig), 1);

	/* Any flipped bit of the signature, another message, another key: rejected. */
	for (size_t i = 0; i < 64 * 8; i += 7) {
		memcpy(bad, sig, 64);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(crypto_ed25519_verify(pub, "", 0, bad), 0);
	}
	assert_int_equal(crypto_ed25519_verify(pub, "x", 1, sig), 0);
	pub[0] ^= 1;
	assert_int_equal(crypto_ed25519_verify(pub, "", 0, sig), 0);
	/* A public key that is not a curve point is an error, reported as "not valid". */
	memset(pub, 0xff, sizeof pub);
	assert_int_equal(crypto_ed25519_verify(pub, "", 0, sig), 0);
}

static void test_ed25519_round_trip(void **state)
{
	uint8_t seed[32], pub[32], sig[64], sig2[64];
	static const char msg[] = "HQR1 signed message";

	(void)state;
	assert_int_equal(crypto_random(seed, sizeof seed), 0);
	assert_int_equal(crypto_ed25519_public(seed, pub), 0);
	assert_int_equal(crypto_ed25519_sign(seed, msg, sizeof msg - 1, sig), 0);
	assert_int_equal(crypto_ed25519_sign(seed, msg, sizeof msg - 1, sig2), 0);
	assert_memory_equal(sig, sig2, 64); /* deterministic */
	assert_int_equal(crypto_ed25519_verify(pub, msg, sizeof msg - 1, sig), 1);
	assert_int_equal(crypto_ed25519_verify(pub, msg, sizeof msg - 2, sig), 0);
	assert_int_equal(crypto_ed25519_sign(seed, NULL, 5, sig), -1);
	assert_int_equal(crypto_ed25519_verify(pub, NULL, 5, sig), 0);
}

/* A thread keeps the keys it signed with: signing in turn with more seeds than it keeps, and
 * with a seed changed in place, every signature is the one of the seed given (the RFC 8032
 * vector among them), never one of a kept key. */
static void test_ed25519_kept_keys(void **state)
{
	static const char msg[] = "HQR1 signed message";
	static const char want_sig[] =
	    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
	uint8_t seeds[4][32], pubs[4][32], sig[64], first[4][64], seed[32];

	(void)state;
	unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seeds[0], 32);
	for (int k = 1; k < 4; k++)
		assert_int_equal(crypto_random(seeds[k], 32), 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(crypto_ed25519_public(seeds[k], pubs[k]), 0);
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < 4; k++) {
			int j = round == 1 ? 3 - k : k; /* forwards, backwards, forwards */
			assert_int_equal(crypto_ed25519_sign(seeds[j], msg, sizeof msg - 1, sig), 0);
			for (int o = 0; o < 4; o++)
				assert_int_equal(crypto_ed25519_verify(pubs[o], msg, sizeof msg - 1, sig), o == j);
			if (round == 0)
				memcpy(first[j], sig, 64);
			else
				assert_memory_equal(sig, first[j], 64);
			assert_int_equal(crypto_ed25519_sign(seeds[j], NULL, 0, sig), 0);
			if (j == 0)
				assert_hex_equal(sig, 64, want_sig);
		}
	}
	/* The same buffer holding another seed signs as that seed. */
	memcpy(seed, seeds[1], 32);
	assert_int_equal(crypto_ed25519_sign(seed, msg, sizeof msg - 1, sig), 0);
	assert_memory_equal(sig, first[1], 64);
	memcpy(seed, seeds[2], 32);
	assert_int_equal(crypto_ed25519_sign(seed, msg, sizeof msg - 1, sig), 0);
	assert_memory_equal(sig, first[2], 64);
	assert_int_equal(crypto_ed25519_verify(pubs[1], msg, sizeof msg - 1, sig), 0);
}

static void test_seal_open_round_trip(void **state)
{
	uint8_t key[32], pt[300], ct[300 + CRYPTO_AEAD_OVERHEAD], back[300];
	static const char aad[] = "persons.name:42";

	(void)state;
	assert_int_equal(crypto_random(key, sizeof key), 0);
	for (size_t i = 0; i < sizeof pt; i++)
		pt[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof pt; n += (n < 40 ? 1 : 37)) {
		int c = crypto_seal(key, aad, sizeof aad - 1, pt, n, ct, sizeof ct);

		assert_int_equal(c, (int)(n + CRYPTO_AEAD_OVERHEAD));
		memset(back, 0xaa, sizeof back);
		assert_int_equal(crypto_open(key, aad, sizeof aad - 1, ct, (size_t)c, back, sizeof back), (int)n);
		if (n > 0)
			assert_memory_equal(back, pt, n);
	}
	/* Without aad, NULL and empty are the same thing. */
	assert_int_equal(crypto_seal(key, NULL, 0, pt, 10, ct, sizeof ct), 38);
	assert_int_equal(crypto_open(key, "", 0, ct, 38, back, sizeof back), 10);
	assert_memory_equal(back, pt, 10);
	/* An empty plaintext into an empty output. */
	assert_int_equal(crypto_seal(key, NULL, 0, NULL, 0, ct, sizeof ct), CRYPTO_AEAD_OVERHEAD);
	assert_int_equal(crypto_open(key, NULL, 0, ct, CRYPTO_AEAD_OVERHEAD, NULL, 0), 0);
}

static void test_seal_fresh_nonce(void **state)
{
	uint8_t key[32] = { 1 }, a[16 + CRYPTO_AEAD_OVERHEAD], b[16 + CRYPTO_AEAD_OVERHEAD];

	(void)state;
	assert_int_equal(crypto_seal(key, NULL, 0, "same plaintext!!", 16, a, sizeof a), (int)sizeof a);
	assert_int_equal(crypto_seal(key, NULL, 0, "same plaintext!!", 16, b, sizeof b), (int)sizeof b);
	assert_memory_not_equal(a, b, CRYPTO_AEAD_NONCE_LEN);
	assert_memory_not_equal(a + CRYPTO_AEAD_NONCE_LEN, b + CRYPTO_AEAD_NONCE_LEN, 16);
}

static void test_open_tamper(void **state)
{
	uint8_t key[32], ct[20 + CRYPTO_AEAD_OVERHEAD], bad[sizeof ct], out[64];
	static const char pt[] = "440301199001011234x";

	(void)state;
	assert_int_equal(crypto_random(key, sizeof key), 0);
	assert_int_equal(crypto_seal(key, "aad", 3, pt, 20, ct, sizeof ct), (int)sizeof ct);
	/* Every flipped bit of nonce, ciphertext and tag is detected, and no plaintext is left. */
	for (size_t i = 0; i < sizeof ct * 8; i++) {
		memcpy(bad, ct, sizeof ct);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		memset(out, 0x55, sizeof out);
		assert_int_equal(crypto_open(key, "aad", 3, bad, sizeof bad, out, sizeof out), -1);
		for (size_t j = 0; j < 20; j++)
			assert_true(out[j] == 0 || out[j] == 0x55);
	}
	/* Truncated or extended. */
	assert_int_equal(crypto_open(key, "aad", 3, ct, sizeof ct - 1, out, sizeof out), -1);
	assert_int_equal(crypto_open(key, "aad", 3, ct, CRYPTO_AEAD_OVERHEAD - 1, out, sizeof out), -1);
	/* Wrong key. */
	key[31] ^= 0x80;
	assert_int_equal(crypto_open(key, "aad", 3, ct, sizeof ct, out, sizeof out), -1);
	key[31] ^= 0x80;
	assert_int_equal(crypto_open(key, "aad", 3, ct, sizeof ct, out, sizeof out), 20);
	assert_memory_equal(out, pt, 20);
}

static void test_open_wrong_aad(void **state)
{
	uint8_t key[32], ct[5 + CRYPTO_AEAD_OVERHEAD], out[5];

	(void)state;
	assert_int_equal(crypto_random(key, sizeof key), 0);
	assert_int_equal(crypto_seal(key, "persons:1", 9, "hello", 5, ct, sizeof ct), (int)sizeof ct);
	assert_int_equal(crypto_open(key, "persons:2", 9, ct, sizeof ct, out, sizeof out), -1);
	assert_int_equal(crypto_open(key, "persons:1", 8, ct, sizeof ct, out, sizeof out), -1);
	assert_int_equal(crypto_open(key, NULL, 0, ct, sizeof ct, out, sizeof out), -1);
	assert_int_equal(crypto_open(key, "persons:1", 9, ct, sizeof ct, out, sizeof out), 5);
	assert_memory_equal(out, "hello", 5);
}

static void test_seal_open_bounds(void **state)
{
	uint8_t key[32] = { 0 }, ct[10 + CRYPTO_AEAD_OVERHEAD], out[10];

	(void)state;
	assert_int_equal(crypto_seal(key, NULL, 0, "0123456789", 10, ct, sizeof ct - 1), -1);
	assert_int_equal(crypto_seal(key, NULL, 3, "0123456789", 10, ct, sizeof ct), -1);
	assert_int_equal(crypto_seal(key, NULL, 0, NULL, 10, ct, sizeof ct), -1);
	assert_int_equal(crypto_seal(key, NULL, 0, "0123456789", 10, ct, sizeof ct), (int)sizeof ct);
	assert_int_equal(crypto_open(key, NULL, 0, ct, sizeof ct, out, sizeof out - 1), -1);
	assert_int_equal(crypto_open(key, NULL, 0, ct, sizeof ct, out, sizeof out), 10);
}

static void test_ct_equal(void **state)
{
	(void)state;
	assert_int_equal(crypto_ct_equal("abcd", "abcd", 4), 1);
	assert_int_equal(crypto_ct_equal("abcd", "abce", 4), 0);
	assert_int_equal(crypto_ct_equal("xbcd", "abcd", 4), 0);
	assert_int_equal(crypto_ct_equal("abcd", "abce", 3), 1);
	assert_int_equal(crypto_ct_equal(NULL, NULL, 0), 1);
}

static void test_hex(void **state)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	uint8_t out[8];
	char hex[2 * sizeof in + 1];

	(void)state;
	crypto_hex(in, sizeof in, hex);
	assert_string_equal(hex, "00017f80abff");
	crypto_hex(in, 0, hex);
	assert_string_equal(hex, "");
	assert_int_equal(crypto_unhex("00017f80abff", out, sizeof out), 6);
	assert_memory_equal(out, in, 6);
	assert_int_equal(crypto_unhex("00017F80ABFF", out, sizeof out), 6);
	assert_memory_equal(out, in, 6);
	assert_int_equal(crypto_unhex("", out, sizeof out), 0);
	assert_int_equal(crypto_unhex("abc", out, sizeof out), -1); /* odd length */
	assert_int_equal(crypto_unhex("0g", out, sizeof out), -1);  /* not hex */
	assert_int_equal(crypto_unhex(" 0", out, sizeof out), -1);
	assert_int_equal(crypto_unhex("-1", out, sizeof out), -1);
	assert_int_equal(crypto_unhex("00112233445566778899", out, sizeof out), -1); /* too long */
	assert_int_equal(crypto_unhex("0011223344556677", out, sizeof out), 8);
	assert_int_equal(crypto_unhex(NULL, out, sizeof out), -1);
}

/* Decoding: the RFC 4648 texts back to their bytes; one text per byte string (wrong length, a
 * character outside the URL alphabet, padding, or set unused low bits are refused). */
static void test_b64url_decode(void **state)
{
	static const struct {
		const char *text, *bytes;
	} rfc4648[] = {
		{ "Zg", "f" },        { "Zm8", "fo" },        { "Zm9v", "foo" },
		{ "Zm9vYg", "foob" }, { "Zm9vYmE", "fooba" }, { "Zm9vYmFy", "foobar" },
	};
	uint8_t out[32], raw[32];
	char text[64];

	(void)state;
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		size_t n = strlen(rfc4648[i].bytes);
		memset(out, 0, sizeof out);
		assert_int_equal(crypto_b64url_decode(rfc4648[i].text, strlen(rfc4648[i].text), out, n), 0);
		assert_memory_equal(out, rfc4648[i].bytes, n);
		/* The same text is not n - 1 or n + 1 bytes. */
		assert_int_equal(crypto_b64url_decode(rfc4648[i].text, strlen(rfc4648[i].text), out, n + 1), -1);
		if (n > 1)
			assert_int_equal(crypto_b64url_decode(rfc4648[i].text, strlen(rfc4648[i].text), out, n - 1),
					 -1);
	}
	assert_int_equal(crypto_b64url_decode("-_-_", 4, out, 3), 0);
	assert_memory_equal(out, "\xfb\xff\xbf", 3);
	assert_int_equal(crypto_b64url_decode("+/+/", 4, out, 3), -1); /* the standard alphabet */
	assert_int_equal(crypto_b64url_decode("Zg==", 4, out, 1), -1); /* padding */
	assert_int_equal(crypto_b64url_decode("Zh", 2, out, 1), -1);   /* unused bits set */
	/* 32 random bytes (a public key, a place token) round-trip through 43 characters. */
	crypto_random(raw, sizeof raw);
	assert_int_equal(crypto_b64url(raw, sizeof raw, text, sizeof text), 43);
	assert_int_equal(crypto_b64url_decode(text, 43, out, sizeof out), 0);
	assert_memory_equal(out, raw, sizeof raw);
}

static void test_b64url(void **state)
{
	static const struct {
		const char *in, *out;
	} rfc4648[] = {
		{ "", "" },           { "f", "Zg" },          { "fo", "Zm8" },          { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	static const uint8_t url[] = { 0xfb, 0xff, 0xbf };
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		size_t n = strlen(rfc4648[i].in), want = strlen(rfc4648[i].out);

		memset(out, 'x', sizeof out);
		assert_int_equal(crypto_b64url((const uint8_t *)rfc4648[i].in, n, out, sizeof out), want);
		assert_string_equal(out, rfc4648[i].out);
		/* Exactly enough room, then one byte short. */
		assert_int_equal(crypto_b64url((const uint8_t *)rfc4648[i].in, n, out, want + 1), want);
		if (want > 0)
			assert_int_equal(crypto_b64url((const uint8_t *)rfc4648[i].in, n, out, want), 0);
	}
	/* The URL alphabet: '-' and '_' instead of '+' and '/'. */
	assert_int_equal(crypto_b64url(url, 3, out, sizeof out), 4);
	assert_string_equal(out, "-_-_");
	assert_int_equal(crypto_b64url(url, 2, out, sizeof out), 3);
	assert_string_equal(out, "-_8");
}

/* Standard base64: the RFC 4648 §10 vectors with their padding, the '+' and '/' alphabet, and
 * the room it needs (exactly enough, then one byte short: "" and 0). */
static void test_b64(void **state)
{
	static const struct {
		const char *in, *out;
	} rfc4648[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const uint8_t std[] = { 0xfb, 0xff, 0xbf };
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		size_t n = strlen(rfc4648[i].in), want = strlen(rfc4648[i].out);

		memset(out, 'x', sizeof out);
		assert_int_equal(crypto_b64((const uint8_t *)rfc4648[i].in, n, out, sizeof out), want);
		assert_string_equal(out, rfc4648[i].out);
		assert_int_equal(crypto_b64((const uint8_t *)rfc4648[i].in, n, out, want + 1), want);
		assert_string_equal(out, rfc4648[i].out);
		if (want > 0) {
			assert_int_equal(crypto_b64((const uint8_t *)rfc4648[i].in, n, out, want), 0);
			assert_string_equal(out, "");
		}
	}
	assert_int_equal(crypto_b64(std, 3, out, sizeof out), 4);
	assert_string_equal(out, "+/+/");
	assert_int_equal(crypto_b64(std, 1, out, 0), 0);
	assert_int_equal(crypto_b64(std, 1, NULL, 8), 0);
}

/* Both encoders agree but for the alphabet and the padding, at every length around the quanta. */
static void test_b64_and_url_agree(void **state)
{
	uint8_t raw[64];
	char std[96], url[96];

	(void)state;
	crypto_random(raw, sizeof raw);
	for (size_t n = 0; n <= sizeof raw; n++) {
		size_t ls = crypto_b64(raw, n, std, sizeof std), lu = crypto_b64url(raw, n, url, sizeof url);
		assert_int_equal(ls, (n + 2) / 3 * 4);
		assert_int_equal(lu, n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1));
		for (size_t i = 0; i < ls; i++) {
			char want = std[i] == '+' ? '-' : std[i] == '/' ? '_' : std[i];
			if (i < lu)
				assert_int_equal(url[i], want);
			else
				assert_int_equal(std[i], '=');
		}
		uint8_t back[64];
		assert_int_equal(crypto_b64url_decode(url, lu, back, n), 0);
		assert_memory_equal(back, raw, n);
	}
}

static void test_random(void **state)
{
	uint8_t a[32], b[32], big[70000];

	(void)state;
	assert_int_equal(crypto_random(a, sizeof a), 0);
	assert_int_equal(crypto_random(b, sizeof b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(crypto_random(NULL, 0), 0);
	assert_int_equal(crypto_random(big, sizeof big), 0);
}

/* One thread's share of test_threads: known answers and round trips, counting failures. */
static void *thread_work(void *arg)
{
	static const char data2[] = "what do ya want for nothing?";
	static const uint8_t want_mac[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	int *failures = arg;
	uint8_t key[32], seed[32], pub[32], sig[64], mac[32], ct[64 + CRYPTO_AEAD_OVERHEAD], pt[64];

	for (int i = 0; i < 200; i++) {
		crypto_hmac_sha256((const uint8_t *)"Jefe", 4, data2, sizeof data2 - 1, mac);
		if (memcmp(mac, want_mac, 32) != 0)
			(*failures)++;
		if (crypto_random(key, sizeof key) != 0 ||
		    crypto_seal(key, "t", 1, data2, 28, ct, sizeof ct) != 28 + CRYPTO_AEAD_OVERHEAD ||
		    crypto_open(key, "t", 1, ct, 28 + CRYPTO_AEAD_OVERHEAD, pt, sizeof pt) != 28 ||
		    memcmp(pt, data2, 28) != 0)
			(*failures)++;
		if (i % 20 == 0 &&
		    (crypto_random(seed, sizeof seed) != 0 || crypto_ed25519_public(seed, pub) != 0 ||
		     crypto_ed25519_sign(seed, data2, 28, sig) != 0 || crypto_ed25519_verify(pub, data2, 28, sig) != 1))
			(*failures)++;
	}
	return NULL;
}

/* The wrappers share nothing mutable: concurrent callers all get right answers. */
static void test_threads(void **state)
{
	pthread_t th[4];
	int failures[4] = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_work, &failures[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(failures[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_ed25519_round_trip),
		cmocka_unit_test(test_ed25519_kept_keys),
		cmocka_unit_test(test_seal_open_round_trip),
		cmocka_unit_test(test_seal_fresh_nonce),
		cmocka_unit_test(test_open_tamper),
		cmocka_unit_test(test_open_wrong_aad),
		cmocka_unit_test(test_seal_open_bounds),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_b64_and_url_agree),
		cmocka_unit_test(test_b64url_decode),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
