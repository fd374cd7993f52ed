/* token.c: HQR1 token layout, sealing (mac + Ed25519), structural parsing and the phone freshness rule. */
#include "token.h"

#include <string.h>

#include "base45.h"
#include "crypto.h"

#define TOKEN_B45_LEN (TOKEN_TEXT_LEN - TOKEN_PREFIX_LEN)

_Static_assert(TOKEN_HEADER_LEN + TOKEN_MAC_LEN == TOKEN_SIGNED_LEN, "mac follows the header");
_Static_assert(TOKEN_SIGNED_LEN + TOKEN_SIG_LEN == TOKEN_BYTES, "signature ends the token");
_Static_assert(TOKEN_B45_LEN == TOKEN_BYTES / 2 * 3 + TOKEN_BYTES % 2 * 2, "Base45 length of 97 bytes");
_Static_assert(TOKEN_TEXT_SIZE == TOKEN_TEXT_LEN + 1, "text buffer holds the NUL");

static const char *const token_err_words[TOKEN_ERR__MAX] = {
	[TOKEN_OK] = "OK",
	[TOKEN_BAD_PREFIX] = "BAD_PREFIX",
	[TOKEN_BAD_BASE45] = "BAD_BASE45",
	[TOKEN_BAD_LENGTH] = "BAD_LENGTH",
	[TOKEN_BAD_VERSION] = "BAD_VERSION",
	[TOKEN_BAD_KIND] = "BAD_KIND",
	[TOKEN_BAD_COLOR] = "BAD_COLOR",
};
const char *token_err_word(enum token_err e)
{
	if ((unsigned)e >= TOKEN_ERR__MAX || token_err_words[e] == NULL)
		return "UNKNOWN";
	return token_err_words[e];
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void token_pack(const struct hqr_token *tok, uint8_t out[TOKEN_BYTES])
{
	out[0] = tok->version;
	out[1] = tok->kind;
	out[2] = tok->color;
	put_be(out + 3, tok->kid, 2);
	put_be(out + 5, tok->code_ref, 8);
	put_be(out + 13, tok->t, 4);
	memcpy(out + TOKEN_HEADER_LEN, tok->mac, TOKEN_MAC_LEN);
	memcpy(out + TOKEN_SIGNED_LEN, tok->sig, TOKEN_SIG_LEN);
}

/* The header checks shared by seal and parse. */
static enum token_err token_check_header(uint8_t version, uint8_t kind, uint8_t color)
{
	if (version != TOKEN_VERSION)
		return TOKEN_BAD_VERSION;
	if (kind == TOKEN_KIND_PHONE)
		return color == TOKEN_COLOR_GREEN || color == TOKEN_COLOR_RED ? TOKEN_OK : TOKEN_BAD_COLOR;
	if (kind == TOKEN_KIND_PAPER)
		return color == TOKEN_COLOR_NONE ? TOKEN_OK : TOKEN_BAD_COLOR;
	return TOKEN_BAD_KIND;
}

/* The 16-byte mac of the header bytes b[0..17). */
static void token_mac(const uint8_t b[TOKEN_BYTES], const uint8_t *key, size_t klen, uint8_t mac[TOKEN_MAC_LEN])
{
	uint8_t full[32];

	crypto_hmac_sha256(key, klen, b, TOKEN_HEADER_LEN, full);
	memcpy(mac, full, TOKEN_MAC_LEN);
}

/* msg = "HQR1" || b[0..33), the text the signature covers. */
static void token_signed_message(const uint8_t b[TOKEN_BYTES], uint8_t msg[4 + TOKEN_SIGNED_LEN])
{
	memcpy(msg, "HQR1", 4);
	memcpy(msg + 4, b, TOKEN_SIGNED_LEN);
}

int token_seal(struct hqr_token *tok, const uint8_t *mac_key, size_t mac_key_len, const uint8_t seed[32], char *out,
	       size_t outmax)
{
	uint8_t b[TOKEN_BYTES], msg[4 + TOKEN_SIGNED_LEN];

	if (out != NULL && outmax > 0)
		out[0] = '\0';
	if (tok == NULL || mac_key == NULL || mac_key_len == 0 || seed == NULL || out == NULL ||
	    outmax < TOKEN_TEXT_SIZE)
		return -1;
	if (token_check_header(tok->version, tok->kind, tok->color) != TOKEN_OK)
		return -1;
	memset(tok->mac, 0, sizeof tok->mac);
	memset(tok->sig, 0, sizeof tok->sig);
	token_pack(tok, b);
	token_mac(b, mac_key, mac_key_len, tok->mac);
	memcpy(b + TOKEN_HEADER_LEN, tok->mac, TOKEN_MAC_LEN);
	token_signed_message(b, msg);
	if (crypto_ed25519_sign(seed, msg, sizeof msg, tok->sig) != 0)
		return -1;
	memcpy(b + TOKEN_SIGNED_LEN, tok->sig, TOKEN_SIG_LEN);
	memcpy(out, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
	if (b45_encode(b, sizeof b, out + TOKEN_PREFIX_LEN, outmax - TOKEN_PREFIX_LEN) != TOKEN_B45_LEN) {
		out[0] = '\0';
		return -1;
	}
	return TOKEN_TEXT_LEN;
}

enum token_err token_parse(const char *text, size_t len, struct hqr_token *out)
{
	uint8_t b[TOKEN_BYTES];
	enum token_err e;
	int n;

	memset(out, 0, sizeof *out);
	if (text == NULL || len < TOKEN_PREFIX_LEN || memcmp(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
		return TOKEN_BAD_PREFIX;
	/* A token has exactly one text length: check it before decoding anything, so
	 * that the work is bounded and a truncated scan reads as BAD_LENGTH. */
	if (len - TOKEN_PREFIX_LEN != TOKEN_B45_LEN)
		return TOKEN_BAD_LENGTH;
	n = b45_decode(text + TOKEN_PREFIX_LEN, len - TOKEN_PREFIX_LEN, b, sizeof b);
	if (n < 0)
		return TOKEN_BAD_BASE45;
	if (n != TOKEN_BYTES) /* cannot happen for 146 valid characters; kept as a guard */
		return TOKEN_BAD_LENGTH;
	e = token_check_header(b[0], b[1], b[2]);
	if (e != TOKEN_OK)
		return e;
	out->version = b[0];
	out->kind = b[1];
	out->color = b[2];
	out->kid = (uint16_t)get_be(b + 3, 2);
	out->code_ref = get_be(b + 5, 8);
	out->t = (uint32_t)get_be(b + 13, 4);
	memcpy(out->mac, b + TOKEN_HEADER_LEN, TOKEN_MAC_LEN);
	memcpy(out->sig, b + TOKEN_SIGNED_LEN, TOKEN_SIG_LEN);
	return TOKEN_OK;
}

int token_check_mac(const struct hqr_token *tok, const uint8_t *mac_key, size_t len)
{
	uint8_t b[TOKEN_BYTES], mac[TOKEN_MAC_LEN];

	if (tok == NULL || mac_key == NULL || len == 0)
		return 0;
	token_pack(tok, b);
	token_mac(b, mac_key, len, mac);
	return crypto_ct_equal(mac, tok->mac, TOKEN_MAC_LEN);
}

int token_check_sig(const struct hqr_token *tok, const uint8_t pub[32])
{
	uint8_t b[TOKEN_BYTES], msg[4 + TOKEN_SIGNED_LEN];

	if (tok == NULL || pub == NULL)
		return 0;
	token_pack(tok, b);
	token_signed_message(b, msg);
	return crypto_ed25519_verify(pub, msg, sizeof msg, tok->sig);
}

enum token_fresh token_phone_fresh(uint32_t t, int64_t now, int ttl_s, int future_s)
{
	/* t and both bounds are small, so t - future_s and t + ttl_s cannot overflow. */
	int64_t ti = (int64_t)t;

	if (ttl_s < 0)
		ttl_s = 0;
	if (future_s < 0)
		future_s = 0;
	if (now < ti - future_s)
		return TOKEN_FUTURE;
	if (now > ti + ttl_s)
		return TOKEN_STALE;
	return TOKEN_FRESH;
}
