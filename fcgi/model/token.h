/* token.h: the HQR1 QR code token of DESIGN §5: seal, parse, mac and signature checks, freshness (pure). */
#ifndef HQR_TOKEN_H
#define HQR_TOKEN_H
#include <stddef.h>
#include <stdint.h>

/*
 * Text: "HQR1:" + Base45 of 97 big-endian bytes
 *   version(1)=1 | kind(1) | color(1) | kid(2) | code_ref(8) | t(4) | mac(16) | signature(64)
 * mac = HMAC-SHA256(service secret, bytes 0..16) truncated to 16 bytes;
 * signature = Ed25519(key kid) over "HQR1" followed by bytes 0..32 (the mac included).
 */
#define TOKEN_PREFIX     "HQR1:"
#define TOKEN_PREFIX_LEN 5
#define TOKEN_VERSION    1
#define TOKEN_HEADER_LEN 17 /* the bytes the mac covers */
#define TOKEN_SIGNED_LEN 33 /* the bytes the signature covers, after "HQR1" */
#define TOKEN_MAC_LEN    16
#define TOKEN_SIG_LEN    64
#define TOKEN_BYTES      97
#define TOKEN_TEXT_LEN   151 /* prefix + Base45 of 97 bytes (146 characters) */
#define TOKEN_TEXT_SIZE  152 /* a buffer for the text and its NUL */

/* DESIGN defaults for token_phone_fresh; the running values come from the config. */
#define TOKEN_DYNAMIC_TTL_S 180
#define TOKEN_FUTURE_S      30

enum token_kind { TOKEN_KIND_PHONE = 1, TOKEN_KIND_PAPER = 2 };
enum token_color { TOKEN_COLOR_NONE = 0, TOKEN_COLOR_GREEN = 1, TOKEN_COLOR_RED = 2 };

struct hqr_token {
	uint8_t version;   /* TOKEN_VERSION */
	uint8_t kind;      /* enum token_kind */
	uint8_t color;     /* phone: GREEN or RED; paper: NONE */
	uint16_t kid;      /* which signing key */
	uint64_t code_ref; /* the person's random reference */
	uint32_t t;        /* phone: issue time (unix seconds); paper: the paper serial */
	uint8_t mac[16];
	uint8_t sig[64];
};

/* Results of token_parse; words are stable (token_err_word), added at the end, never reused. */
enum token_err {
	TOKEN_OK = 0,
	TOKEN_BAD_PREFIX,  /* not starting with "HQR1:" (case-sensitive) */
	TOKEN_BAD_BASE45,  /* invalid or non-canonical Base45 */
	TOKEN_BAD_LENGTH,  /* not exactly 97 bytes */
	TOKEN_BAD_VERSION, /* version other than 1 */
	TOKEN_BAD_KIND,    /* kind other than phone or paper */
	TOKEN_BAD_COLOR,   /* color not allowed for the kind */
	TOKEN_ERR__MAX
};

enum token_fresh { TOKEN_FRESH = 0, TOKEN_STALE, TOKEN_FUTURE };

/*
 * Computes tok's mac (HMAC under mac_key) and signature (Ed25519 under seed, the
 * private key of tok->kid), stores both in tok, and writes the text and a NUL
 * into out (TOKEN_TEXT_SIZE bytes suffice). The other fields must already form
 * a token that token_parse accepts (version 1, kind, color for the kind) and
 * mac_key must not be empty. Returns TOKEN_TEXT_LEN, or -1 (out then holds an
 * empty string when outmax > 0). The caller owns every buffer.
 */
int token_seal(struct hqr_token *tok, const uint8_t *mac_key, size_t mac_key_len, const uint8_t seed[32], char *out,
	       size_t outmax);

/*
 * Checks the structure of text[0..len) (need not be NUL-terminated), in this
 * order: prefix; exactly TOKEN_TEXT_LEN characters (checked before any
 * decoding, so the work is bounded whatever len is); canonical Base45 of 97
 * bytes; version; kind; color for the kind. Fills out on TOKEN_OK
 * (zeroes it otherwise). Checks neither mac nor signature nor freshness.
 */
enum token_err token_parse(const char *text, size_t len, struct hqr_token *out);

/* 1 if tok->mac is the mac of its header under mac_key (constant time), else 0. */
int token_check_mac(const struct hqr_token *tok, const uint8_t *mac_key, size_t len);

/* 1 if tok->sig is a valid signature under pub (the public key of tok->kid), else 0. */
int token_check_sig(const struct hqr_token *tok, const uint8_t pub[32]);

/* The 97 bytes of tok, as sealed (mac and sig as stored in tok). */
void token_pack(const struct hqr_token *tok, uint8_t out[TOKEN_BYTES]);

/* "OK", "BAD_PREFIX", "BAD_BASE45", ...; "UNKNOWN" outside the enum. Static strings. */
const char *token_err_word(enum token_err e);

/*
 * Freshness of a phone token issued at t, seen at now (unix seconds):
 * TOKEN_STALE when older than ttl_s seconds (now - t > ttl_s), TOKEN_FUTURE when
 * more than future_s seconds ahead (t - now > future_s), else TOKEN_FRESH.
 * Negative ttl_s or future_s count as 0. Defined for every now.
 */
enum token_fresh token_phone_fresh(uint32_t t, int64_t now, int ttl_s, int future_s);

#endif
