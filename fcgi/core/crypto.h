/* crypto.h: thin, thread-safe wrappers over OpenSSL 3 EVP: random, SHA-256, HMAC, Ed25519, AES-256-GCM, hex, base64url. */
#ifndef HQR_CRYPTO_H
#define HQR_CRYPTO_H
#include <stddef.h>
#include <stdint.h>

/*
 * Pure functions: no file or network I/O, no shared mutable state beyond the
 * algorithm objects fetched once from OpenSSL (pthread_once); every call owns
 * its own EVP contexts, so any thread may call any function at any time.
 * No function allocates memory that the caller must free: outputs go into
 * caller-owned buffers of the stated sizes. Buffers never overlap unless a
 * function says so. Secret intermediates are cleansed before returning.
 */

#define CRYPTO_SHA256_LEN       32
#define CRYPTO_ED25519_SEED_LEN 32
#define CRYPTO_ED25519_PUB_LEN  32
#define CRYPTO_ED25519_SIG_LEN  64
#define CRYPTO_AEAD_KEY_LEN     32
#define CRYPTO_AEAD_NONCE_LEN   12
#define CRYPTO_AEAD_TAG_LEN     16
/* Bytes crypto_seal adds to a plaintext: nonce before it, tag after it. */
#define CRYPTO_AEAD_OVERHEAD    (CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN)

/* Fills buf with n bytes from the CSPRNG (RAND_bytes). 0 ok, -1 fail (buf is then unusable). */
int crypto_random(void *buf, size_t n);

/* out = SHA-256(d[0..n)). Aborts the process if OpenSSL fails (out of memory):
 * a wrong digest would be worse than a dead worker, which the master respawns. */
void crypto_sha256(const void *d, size_t n, uint8_t out[32]);
/* out = SHA-256 of everything read from fd until its end; *size = the bytes read.
 * 0 ok, -1 on a read error (errno set) or an OpenSSL failure. */
int crypto_sha256_fd(int fd, uint8_t out[32], uint64_t *size);

/* out = HMAC-SHA256(key, d[0..n)) through EVP_MAC. Any key length, including 0.
 * Aborts the process if OpenSSL fails, for the same reason as crypto_sha256. */
void crypto_hmac_sha256(const uint8_t *key, size_t klen, const void *d, size_t n, uint8_t out[32]);

/* 1 if a and b hold the same n bytes, else 0; time depends only on n. */
int crypto_ct_equal(const void *a, const void *b, size_t n);

/* Writes 2n lower-case hex digits and a NUL into out (2n+1 bytes). */
void crypto_hex(const uint8_t *in, size_t n, char *out);

/* Decodes the NUL-terminated hex string (either case, even length) into out.
 * Returns the bytes written, or -1 on an odd length, a non-hex character, or
 * more than outmax bytes. */
int crypto_unhex(const char *hex, uint8_t *out, size_t outmax);

/* base64 (RFC 4648 §4, OpenSSL's encoder) of in, padded with '=', without line breaks,
 * NUL-terminated in out. Returns the text length, 4 * ceil(n / 3), or 0 (and "" when outmax >= 1)
 * if it with its NUL does not fit in outmax (or n is past INT_MAX / 4 * 3); an empty input also
 * returns 0 and writes "". */
size_t crypto_b64(const uint8_t *in, size_t n, char *out, size_t outmax);
/* base64url (RFC 4648 §5) of in, without padding, NUL-terminated in out.
 * Returns the text length, or 0 if it (with its NUL) does not fit in outmax
 * (an empty input also returns 0 and writes "" when outmax >= 1). */
size_t crypto_b64url(const uint8_t *in, size_t n, char *out, size_t outmax);
/* Decodes exactly n bytes from the unpadded base64url text[0..len); the unused low bits of the
 * last character must be zero (one text per byte string). 0, or -1 for any other text. */
int crypto_b64url_decode(const char *text, size_t len, uint8_t *out, size_t n);

/* Derives the Ed25519 public key of a 32-byte seed (RFC 8032 private key). 0 ok, -1 fail. */
int crypto_ed25519_public(const uint8_t seed[32], uint8_t pub[32]);

/* sig = Ed25519 signature of msg[0..n) under seed (deterministic). 0 ok, -1 fail. */
int crypto_ed25519_sign(const uint8_t seed[32], const void *msg, size_t n, uint8_t sig[64]);

/* 1 if sig is a valid Ed25519 signature of msg[0..n) under pub, else 0 (errors included). */
int crypto_ed25519_verify(const uint8_t pub[32], const void *msg, size_t n, const uint8_t sig[64]);

/*
 * AES-256-GCM with a fresh random 96-bit nonce per call.
 * out = nonce(12) || ciphertext(n) || tag(16); aad may be NULL when aadlen is 0.
 * Returns n + CRYPTO_AEAD_OVERHEAD, or -1 if out is too small, n is too large
 * for an int result, or OpenSSL fails. One key must not seal more than 2^32
 * messages (random-nonce bound).
 */
int crypto_seal(const uint8_t key[32], const void *aad, size_t aadlen, const void *pt, size_t n, uint8_t *out,
		size_t outmax);

/*
 * Opens what crypto_seal wrote (in, n bytes) with the same key and aad.
 * Returns the plaintext length (n - CRYPTO_AEAD_OVERHEAD), or -1 if n is too
 * short, out is too small, or authentication fails; on -1 nothing of the
 * unauthenticated plaintext is left in out.
 */
int crypto_open(const uint8_t key[32], const void *aad, size_t aadlen, const uint8_t *in, size_t n, uint8_t *out,
		size_t outmax);

#endif
