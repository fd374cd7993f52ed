/* fuzz_push_sig.c: libFuzzer target for push signature checks, safe-mode decrypt and the encrypt/decrypt round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: up to six '\n'-separated parts
 *   token \n timestamp \n nonce \n signature \n Encrypt \n rest
 * (a missing part is ""; bytes are arbitrary, NULs included).  Encrypt is
 * decrypted with the platform vector's key and appid; `rest` is encrypted
 * under a key taken from the first 32 input bytes and must decrypt back.
 */

#define NPARTS 6
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* This file's buffers, reused by every run. */
static char copy[PUSH_XML_BODY_MAX + 1];
static char out[PUSH_CIPHER_MAX + 1];
static char b64[PUSH_CIPHER_B64_MAX + 1];

static const char *const KEY = "G8ZnzFxjlnVN6Tt7rCvx6rtRY9DDkx1bV3EIFDRpO9I";
static const char *const APPID = "wx0123456789abcdef";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[NPARTS];
	size_t plen[NPARTS];
	char sig[PUSH_SIG_HEX];
	struct push_aes aes, raw;
	size_t i, n, k = 0, start = 0;
	int rc;

	if (size > PUSH_XML_BODY_MAX)
		return 0;
	/* Our NUL-terminated copy, cut into parts at the first five newlines. */
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i < NPARTS; i++) {
		part[i] = "";
		plen[i] = 0;
	}
	for (i = 0; i <= size && k < NPARTS; i++) {
		if (i == size || (copy[i] == '\n' && k < NPARTS - 1)) {
			copy[i] = '\0';
			part[k] = copy + start;
			plen[k] = i - start;
			k++;
			start = i + 1;
		}
	}

	/* Signatures: the computed one checks, and a check passes only for it. */
	CHECK(push_signature(part[0], part[1], part[2], sig) == PUSH_OK);
	CHECK(strlen(sig) == 40);
	CHECK(push_check_signature(part[0], part[1], part[2], sig) == 1);
	CHECK(push_check_signature(part[0], part[1], part[2], part[3]) == (strcmp(sig, part[3]) == 0));
	CHECK(push_msg_signature(part[0], part[1], part[2], part[4], sig) == PUSH_OK);
	CHECK(push_check_msg_signature(part[0], part[1], part[2], part[4], sig) == 1);
	CHECK(push_check_msg_signature(part[0], part[1], part[2], part[4], part[3]) == (strcmp(sig, part[3]) == 0));

	/* Decrypt whatever Encrypt holds (raw length: it may hold NULs). */
	CHECK(push_aes_init(&aes, KEY) == PUSH_OK);
	rc = push_decrypt(&aes, part[4], plen[4], APPID, out, sizeof out, &n);
	if (rc == PUSH_OK)
		CHECK(n < sizeof out && out[n] == '\0');
	rc = push_decrypt(&aes, part[4], plen[4], APPID, out, 8, &n);
	CHECK(rc != PUSH_OK || n < 8);
	/* The token part as an EncodingAESKey (a C string: it ends at the first NUL). */
	if (push_aes_init(&raw, part[0]) == PUSH_OK)
		CHECK(strlen(part[0]) == PUSH_AES_KEY_CHARS);

	/* Round trip of `rest` under a key and random bytes from the input. */
	memset(raw.key, 0x5a, sizeof raw.key);
	memcpy(raw.key, data, size < sizeof raw.key ? size : sizeof raw.key);
	rc = push_encrypt(&raw, part[5], plen[5], APPID, (const uint8_t *)KEY, b64, sizeof b64);
	CHECK(rc == PUSH_OK);
	CHECK(strlen(b64) + 1 == PUSH_ENCRYPT_B64_SIZE(plen[5], strlen(APPID)));
	CHECK(push_decrypt(&raw, b64, strlen(b64), APPID, out, sizeof out, &n) == PUSH_OK);
	CHECK(n == plen[5] && memcmp(out, part[5], n) == 0);
	CHECK(push_decrypt(&raw, b64, strlen(b64), "wx0123456789abcdeg", out, sizeof out, &n) == PUSH_E_APPID);
	return 0;
}
