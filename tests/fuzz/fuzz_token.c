/* fuzz_token.c: libFuzzer target for token_parse and b45_decode: never crash, and whatever decodes re-encodes to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base45.h"
#include "crypto.h"
#include "token.h"

/* The test keys of vectors/hqr1-tokens.json (never used outside tests), so
 * that the seed corpus reaches the accepting paths of both checks. */
static const uint8_t fuzz_mac_key[32] = {
	0xc0, 0x45, 0x0a, 0xda, 0xaa, 0x2b, 0x5b, 0x74, 0xdf, 0xe7, 0x5b, 0xb4, 0x1f, 0xdb, 0xfe, 0xa6,
	0x55, 0xdb, 0xca, 0x0f, 0x84, 0xec, 0x43, 0x2f, 0xca, 0xba, 0x07, 0xd5, 0x94, 0xe3, 0x4a, 0xde,
};
static const uint8_t fuzz_pub[2][32] = {
	{ 0xcf, 0x04, 0x48, 0xdf, 0x23, 0x85, 0x9f, 0xe7, 0x00, 0x34, 0x1a, 0xb6, 0xd1, 0x75, 0x2f, 0x8d,
	  0x12, 0x59, 0xb0, 0x31, 0xd9, 0xbd, 0xcd, 0xc5, 0x2a, 0x04, 0x5b, 0x03, 0x17, 0x24, 0x0a, 0xec },
	{ 0xb3, 0x1d, 0x07, 0x81, 0x89, 0xa7, 0x7f, 0x56, 0xcd, 0xea, 0x49, 0x27, 0x1b, 0x1e, 0x90, 0xec,
	  0xc1, 0x08, 0x30, 0x66, 0xc4, 0x53, 0x7d, 0x13, 0xa2, 0xa6, 0x29, 0xba, 0xff, 0x9e, 0x60, 0x2e },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parsed token is exactly the text it came from, and its fields are in range. */
static void fuzz_token(const char *text, size_t size)
{
	struct hqr_token tok;
	uint8_t b[TOKEN_BYTES];
	char again[TOKEN_TEXT_SIZE];
	enum token_err e = token_parse(text, size, &tok);

	if (e >= TOKEN_ERR__MAX || strcmp(token_err_word(e), "UNKNOWN") == 0)
		abort();
	if (e != TOKEN_OK)
		return;
	if (size != TOKEN_TEXT_LEN || tok.version != TOKEN_VERSION ||
	    (tok.kind == TOKEN_KIND_PHONE && tok.color != TOKEN_COLOR_GREEN && tok.color != TOKEN_COLOR_RED) ||
	    (tok.kind == TOKEN_KIND_PAPER && tok.color != TOKEN_COLOR_NONE) ||
	    (tok.kind != TOKEN_KIND_PHONE && tok.kind != TOKEN_KIND_PAPER))
		abort();
	token_pack(&tok, b);
	memcpy(again, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
	if (b45_encode(b, sizeof b, again + TOKEN_PREFIX_LEN, sizeof again - TOKEN_PREFIX_LEN) !=
		TOKEN_TEXT_LEN - TOKEN_PREFIX_LEN ||
	    memcmp(again, text, TOKEN_TEXT_LEN) != 0)
		abort();
	(void)token_check_mac(&tok, fuzz_mac_key, sizeof fuzz_mac_key);
	if (tok.kid == 1 || tok.kid == 2)
		(void)token_check_sig(&tok, fuzz_pub[tok.kid - 1]);
	(void)token_phone_fresh(tok.t, (int64_t)tok.code_ref, (int)(tok.kid) - 100, (int)tok.kid);
}

/* Canonical decoding: a decoded text re-encodes to itself; the reason for a
 * refusal does not depend on the room given; a small buffer gets SPACE. */
static void fuzz_base45(const char *text, size_t size)
{
	size_t room = size / 3 * 2 + 1;
	uint8_t *out = malloc(room), small[8];
	char *again;
	int n, m;

	if (out == NULL)
		return;
	n = b45_decode(text, size, out, room);
	m = b45_decode(text, size, small, sizeof small);
	if (n < 0 ? m != n
		  : (n <= (int)sizeof small ? m != n || memcmp(small, out, (size_t)n) != 0 : m != B45_ERR_SPACE))
		abort();
	if (n >= 0) {
		if (size % 3 == 1 || (size_t)n != size / 3 * 2 + (size % 3 == 2) || b45_encoded_len((size_t)n) != size)
			abort();
		again = malloc(size + 1);
		if (again == NULL) {
			free(out);
			return;
		}
		if (b45_encode(out, (size_t)n, again, size + 1) != (int)size || memcmp(again, text, size) != 0)
			abort();
		free(again);
	} else if (n != B45_ERR_CHAR && n != B45_ERR_LENGTH && n != B45_ERR_OVERFLOW) {
		abort();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	fuzz_token(text, size);
	fuzz_base45(text, size);
	/* The payload alone, as a decoder behind a scanner that stripped the prefix would see it. */
	if (size > TOKEN_PREFIX_LEN && memcmp(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN) == 0)
		fuzz_base45(text + TOKEN_PREFIX_LEN, size - TOKEN_PREFIX_LEN);
	return 0;
}
