/* crypto.c: OpenSSL 3 EVP wrappers (random, SHA-256, HMAC, Ed25519, AES-256-GCM) and hex/base64url codecs. */
#include "crypto.h"
#include "cclass.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/*
 * Algorithm objects are fetched once per process and then only read: OpenSSL 3
 * documents fetched EVP_MD/EVP_MAC/EVP_CIPHER objects as safe to share between
 * threads. Contexts (the mutable part) are created per call. The objects live
 * until exit (they stay reachable, so leak checkers do not report them).
 */
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MD *alg_sha256;
static EVP_MAC *alg_hmac;
static EVP_CIPHER *alg_gcm;

static void algs_fetch(void)
{
	alg_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	alg_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	alg_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

/* 1 when every algorithm object is available. */
static int algs_ready(void)
{
	if (pthread_once(&algs_once, algs_fetch) != 0)
		return 0;
	return alg_sha256 != NULL && alg_hmac != NULL && alg_gcm != NULL;
}

int crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (n == 0)
		return 0;
	if (buf == NULL)
		return -1;
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(p, chunk) != 1)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

void crypto_sha256(const void *d, size_t n, uint8_t out[32])
{
	static const unsigned char none = 0;
	unsigned int len = 0;

	if (d == NULL && n > 0)
		abort();
	if (d == NULL)
		d = &none;
	if (!algs_ready() || EVP_Digest(d, n, out, &len, alg_sha256, NULL) != 1 || len != 32)
		abort();
}

int crypto_sha256_fd(int fd, uint8_t out[32], uint64_t *size)
{
	enum { CHUNK = 1 << 16 };
	unsigned int len = 0;
	int rc = -1;

	*size = 0;
	if (!algs_ready())
		return -1;
	unsigned char *buf = malloc(CHUNK);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL || EVP_DigestInit_ex(ctx, alg_sha256, NULL) != 1)
		goto done;
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto done;
		*size += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == 32)
		rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

/* HMAC-SHA256 with a result code; the public wrapper aborts on failure. */
static int hmac_sha256(const uint8_t *key, size_t klen, const void *d, size_t n, uint8_t out[32])
{
	static const unsigned char none = 0;
	char digest[] = "SHA2-256";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t len = 0;
	int ok;

	if (!algs_ready() || (key == NULL && klen > 0) || (d == NULL && n > 0))
		return -1;
	/* A NULL key to EVP_MAC_init means "keep the previous key": always pass one. */
	if (klen == 0)
		key = &none;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_MAC_CTX_new(alg_hmac);
	if (ctx == NULL)
		return -1;
	ok = EVP_MAC_init(ctx, key, klen, params) == 1 && (n == 0 || EVP_MAC_update(ctx, d, n) == 1) &&
	     EVP_MAC_final(ctx, out, &len, 32) == 1 && len == 32;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

void crypto_hmac_sha256(const uint8_t *key, size_t klen, const void *d, size_t n, uint8_t out[32])
{
	if (hmac_sha256(key, klen, d, n, out) != 0)
		abort();
}

int crypto_ct_equal(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int crypto_unhex(const char *hex, uint8_t *out, size_t outmax)
{
	size_t len, i;

	if (hex == NULL)
		return -1;
	len = strlen(hex);
	if (len % 2 != 0 || len / 2 > outmax || len / 2 > INT_MAX)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = cc_hexval((unsigned char)hex[2 * i]);
		int lo = cc_hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

int crypto_b64url_decode(const char *text, size_t len, uint8_t *out, size_t n)
{
	if (len != (n * 8 + 5) / 6)
		return -1;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int v = cc_b64urlval((unsigned char)text[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o == n && acc == 0 ? 0 : -1;
}

size_t crypto_b64(const uint8_t *in, size_t n, char *out, size_t outmax)
{
	if (out == NULL || outmax == 0 || n > (size_t)INT_MAX / 4 * 3)
		return 0;
	if (outmax < (n + 2) / 3 * 4 + 1) {
		out[0] = '\0';
		return 0;
	}
	/* OpenSSL's encoder: whole quanta, '=' padding, no line breaks, a NUL after. */
	int w = n > 0 ? EVP_EncodeBlock((unsigned char *)out, in, (int)n) : 0;
	out[w > 0 ? w : 0] = '\0';
	return w > 0 ? (size_t)w : 0;
}

size_t crypto_b64url(const uint8_t *in, size_t n, char *out, size_t outmax)
{
	if (n > (size_t)INT_MAX / 4 * 3)
		return 0;
	size_t whole = n / 3 * 4, tail = n % 3 == 0 ? 0 : n % 3 + 1, len = whole + tail;
	if (out == NULL || outmax < len + 1)
		return 0;
	/* The whole quanta straight into out; the last (padded) one through a quantum of room. */
	crypto_b64(in, n / 3 * 3, out, whole + 1);
	if (tail > 0) {
		char last[5];
		crypto_b64(in + n / 3 * 3, n % 3, last, sizeof last);
		memcpy(out + whole, last, tail);
	}
	for (size_t i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[len] = '\0';
	return len;
}

/* A new Ed25519 private key from its seed; the caller frees it with EVP_PKEY_free (which cleanses it). */
static EVP_PKEY *ed25519_key(const uint8_t seed[32])
{
	if (seed == NULL)
		return NULL;
	return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
}

int crypto_ed25519_public(const uint8_t seed[32], uint8_t pub[32])
{
	EVP_PKEY *pk = ed25519_key(seed);
	size_t len = 32;
	int ok;

	if (pk == NULL) {
		ERR_clear_error();
		return -1;
	}
	ok = EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == 32;
	EVP_PKEY_free(pk);
	if (!ok)
		ERR_clear_error();
	return ok ? 0 : -1;
}

/*
 * Signing keys made from their seeds, kept per thread: making one derives its public key, a
 * scalar multiplication that cost as much as the signature itself (callgrind: about 600 k
 * instructions of the 1.2 M a signature took). A thread keeps the keys of the last
 * SIGNER_SLOTS seeds it signed with (the signer and, during a rotation, the one before); the
 * slots are cleansed and the keys freed when the thread ends.
 */
#define SIGNER_SLOTS 2

struct signer_slot {
	uint8_t seed[32];
	EVP_PKEY *pk;
};

static pthread_once_t signer_once = PTHREAD_ONCE_INIT;
static pthread_key_t signer_tls;
static int signer_tls_ok;

static void signer_slots_free(void *p)
{
	struct signer_slot *s = p;
	int i;

	for (i = 0; i < SIGNER_SLOTS; i++)
		EVP_PKEY_free(s[i].pk);
	OPENSSL_cleanse(s, sizeof(struct signer_slot) * SIGNER_SLOTS);
	free(s);
}

static void signer_tls_init(void)
{
	signer_tls_ok = pthread_key_create(&signer_tls, signer_slots_free) == 0;
}

/* This thread's key for seed (not to be freed by the caller), or NULL if none can be kept. */
static EVP_PKEY *signer_cached(const uint8_t seed[32])
{
	struct signer_slot *s, *victim;
	int i;

	if (pthread_once(&signer_once, signer_tls_init) != 0 || !signer_tls_ok)
		return NULL;
	if ((s = pthread_getspecific(signer_tls)) == NULL) {
		if ((s = calloc(SIGNER_SLOTS, sizeof *s)) == NULL)
			return NULL;
		if (pthread_setspecific(signer_tls, s) != 0) {
			free(s);
			return NULL;
		}
	}
	for (i = 0; i < SIGNER_SLOTS; i++)
		if (s[i].pk != NULL && CRYPTO_memcmp(s[i].seed, seed, 32) == 0)
			return s[i].pk;
	/* A new seed: into an empty slot, else in place of the first (the older ones move up). */
	victim = &s[SIGNER_SLOTS - 1];
	if (victim->pk != NULL) {
		EVP_PKEY_free(s[0].pk);
		memmove(&s[0], &s[1], sizeof *s * (SIGNER_SLOTS - 1));
		victim->pk = NULL;
	} else {
		for (victim = s; victim->pk != NULL; victim++)
			;
	}
	if ((victim->pk = ed25519_key(seed)) == NULL) {
		OPENSSL_cleanse(victim->seed, 32);
		return NULL;
	}
	memcpy(victim->seed, seed, 32);
	return victim->pk;
}

int crypto_ed25519_sign(const uint8_t seed[32], const void *msg, size_t n, uint8_t sig[64])
{
	static const unsigned char none = 0;
	EVP_PKEY *pk, *owned = NULL;
	EVP_MD_CTX *md;
	size_t len = 64;
	int ok;

	if (seed == NULL || sig == NULL || (msg == NULL && n > 0))
		return -1;
	if (msg == NULL)
		msg = &none;
	if ((pk = signer_cached(seed)) == NULL)
		pk = owned = ed25519_key(seed);
	md = EVP_MD_CTX_new();
	ok = pk != NULL && md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, pk) == 1 &&
	     EVP_DigestSign(md, sig, &len, msg, n) == 1 && len == 64;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(owned);
	if (!ok)
		ERR_clear_error();
	return ok ? 0 : -1;
}

int crypto_ed25519_verify(const uint8_t pub[32], const void *msg, size_t n, const uint8_t sig[64])
{
	static const unsigned char none = 0;
	EVP_PKEY *pk;
	EVP_MD_CTX *md;
	int ok;

	if (pub == NULL || sig == NULL || (msg == NULL && n > 0))
		return 0;
	if (msg == NULL)
		msg = &none;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	md = EVP_MD_CTX_new();
	ok = pk != NULL && md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1 &&
	     EVP_DigestVerify(md, sig, 64, msg, n) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	if (!ok)
		ERR_clear_error();
	return ok;
}

int crypto_seal(const uint8_t key[32], const void *aad, size_t aadlen, const void *pt, size_t n, uint8_t *out,
		size_t outmax)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t *ct;
	int len = 0, fin = 0, ok;

	if (key == NULL || out == NULL || (aad == NULL && aadlen > 0) || (pt == NULL && n > 0))
		return -1;
	if (aadlen > INT_MAX || n > (size_t)INT_MAX - CRYPTO_AEAD_OVERHEAD || outmax < n + CRYPTO_AEAD_OVERHEAD)
		return -1;
	if (!algs_ready() || crypto_random(out, CRYPTO_AEAD_NONCE_LEN) != 0)
		return -1;
	ct = out + CRYPTO_AEAD_NONCE_LEN;
	ctx = EVP_CIPHER_CTX_new();
	/* GCM's default IV length is 12 bytes, the nonce written above. */
	ok = ctx != NULL && EVP_EncryptInit_ex2(ctx, alg_gcm, key, out, NULL) == 1 &&
	     (aadlen == 0 || EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) == 1) &&
	     (n == 0 || (EVP_EncryptUpdate(ctx, ct, &len, pt, (int)n) == 1 && (size_t)len == n)) &&
	     EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 && fin == 0 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_TAG_LEN, ct + n) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		OPENSSL_cleanse(out, n + CRYPTO_AEAD_OVERHEAD);
		return -1;
	}
	return (int)(n + CRYPTO_AEAD_OVERHEAD);
}

int crypto_open(const uint8_t key[32], const void *aad, size_t aadlen, const uint8_t *in, size_t n, uint8_t *out,
		size_t outmax)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t tag[CRYPTO_AEAD_TAG_LEN];
	size_t m;
	int len = 0, fin = 0, ok;

	if (key == NULL || in == NULL || (aad == NULL && aadlen > 0))
		return -1;
	if (n < CRYPTO_AEAD_OVERHEAD || aadlen > INT_MAX || n - CRYPTO_AEAD_OVERHEAD > INT_MAX)
		return -1;
	m = n - CRYPTO_AEAD_OVERHEAD;
	if (outmax < m || (out == NULL && m > 0))
		return -1;
	if (!algs_ready())
		return -1;
	/* The tag is copied so that the ctrl call, which takes a non-const pointer, cannot touch in. */
	memcpy(tag, in + CRYPTO_AEAD_NONCE_LEN + m, sizeof tag);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL && EVP_DecryptInit_ex2(ctx, alg_gcm, key, in, NULL) == 1 &&
	     (aadlen == 0 || EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) == 1) &&
	     (m == 0 ||
	      (EVP_DecryptUpdate(ctx, out, &len, in + CRYPTO_AEAD_NONCE_LEN, (int)m) == 1 && (size_t)len == m)) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CRYPTO_AEAD_TAG_LEN, tag) == 1 &&
	     EVP_DecryptFinal_ex(ctx, out != NULL ? out + m : tag, &fin) == 1 && fin == 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		if (m > 0)
			OPENSSL_cleanse(out, m);
		return -1;
	}
	return (int)m;
}
