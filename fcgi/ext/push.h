/* push.h: the platform's server URL, pure part: signatures, safe-mode AES, flat XML in, replies out. */
#ifndef HQR_PUSH_H
#define HQR_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "push_xml.h"

/*
 * Nothing here does I/O or touches the database.  Every function writes only
 * into buffers its caller owns and passes in; none keeps a pointer after it
 * returns, except push_xml_parse(), whose struct push_msg points into the
 * caller's field array and value buffer (see below).  push_decrypt() and
 * push_encrypt() allocate scratch memory internally and wipe and free it
 * before returning.
 *
 * Return convention: 0 (PUSH_OK) on success, a negative enum push_err on
 * failure; push_check_signature() and push_check_msg_signature() return 1
 * for a valid signature and 0 otherwise.  Output strings are always
 * NUL-terminated on success; on failure an output buffer's content is
 * unspecified.
 */

enum push_err {
	PUSH_OK = 0,
	PUSH_E_ARG = -1,            /* NULL or out-of-range argument */
	PUSH_E_SPACE = -2,          /* the caller's output buffer is too small */
	PUSH_E_CRYPTO = -3,         /* OpenSSL failed */
	PUSH_E_KEY = -4,            /* EncodingAESKey is not 43 base64 characters */
	PUSH_E_BASE64 = -5,         /* Encrypt is not base64 (alphabet, length, '=' placement) */
	PUSH_E_CIPHER = -6,         /* ciphertext empty, too long or not a multiple of 32 bytes */
	PUSH_E_PADDING = -7,        /* PKCS#7 (block 32) padding is wrong */
	PUSH_E_LENGTH = -8,         /* the plaintext's length field is out of bounds */
	PUSH_E_APPID = -9,          /* the trailing appid is not the expected one */
	PUSH_E_XML = -10,           /* malformed XML (unterminated, mismatched, attributes, stray text) */
	PUSH_E_XML_FORBIDDEN = -11, /* DOCTYPE, ENTITY, comment, processing instruction, unknown &...; */
	PUSH_E_XML_DEPTH = -12,     /* elements nested deeper than PUSH_XML_DEPTH_MAX */
	PUSH_E_XML_BODY = -13,      /* body longer than PUSH_XML_BODY_MAX, or holds a NUL byte */
	PUSH_E_XML_NAME = -14,      /* tag name longer than PUSH_XML_NAME_MAX or with bad characters */
	PUSH_E_XML_VALUE = -15,     /* a value longer than PUSH_XML_VALUE_MAX */
	PUSH_E_XML_FIELDS = -16,    /* more than PUSH_XML_FIELDS_MAX fields (or the caller's array) */
	PUSH_E_XML_DUP = -17,       /* a top-level field appears twice */
	PUSH_E_FIELD = -18          /* a field the operation needs is missing */
};

/* A stable word for a push_err code, for logs; never NULL. */
const char *push_strerror(int rc);

/* ---- signatures ------------------------------------------------------- */

#define PUSH_SIG_HEX 41 /* 40 lowercase hex digits and a NUL */

/*
 * signature = hex(sha1(concat(sort_bytewise([token, timestamp, nonce])))).
 * All inputs are NUL-terminated strings owned by the caller; out_hex is the
 * caller's and receives 40 lowercase hex digits and a NUL.
 */
int push_signature(const char *token, const char *timestamp, const char *nonce, char out_hex[PUSH_SIG_HEX]);

/* msg_signature = hex(sha1(concat(sort_bytewise([token, timestamp, nonce, encrypt])))). */
int push_msg_signature(const char *token, const char *timestamp, const char *nonce, const char *encrypt,
		       char out_hex[PUSH_SIG_HEX]);

/*
 * 1 if `signature` (from the query string) is the 40 lowercase hex digits of
 * push_signature(), compared in constant time; 0 otherwise, including for
 * any NULL argument.
 */
int push_check_signature(const char *token, const char *timestamp, const char *nonce, const char *signature);

/* Same for msg_signature in safe mode; call it before push_decrypt(). */
int push_check_msg_signature(const char *token, const char *timestamp, const char *nonce, const char *encrypt,
			     const char *msg_signature);

/* ---- safe mode (AES-256-CBC, IV = key[0:16], PKCS#7 with block 32) ----- */

#define PUSH_AES_KEY_CHARS          43 /* EncodingAESKey length */
#define PUSH_AES_BLOCK              32 /* the platform's padding block, not AES's */
#define PUSH_APPID_MAX              64 /* longest appid accepted by push_encrypt/decrypt */
/* Longest ciphertext accepted: a full XML body plus header, appid and padding. */
#define PUSH_CIPHER_MAX             (16 + 4 + 65536 + PUSH_APPID_MAX + PUSH_AES_BLOCK)
/* Base64 length of PUSH_CIPHER_MAX bytes, without the NUL. */
#define PUSH_CIPHER_B64_MAX         (((PUSH_CIPHER_MAX + 2) / 3) * 4)
/* Bytes push_encrypt() needs in out_b64 for a message of n bytes and an appid of a bytes. */
#define PUSH_ENCRYPT_B64_SIZE(n, a) (((((20 + (n) + (a)) / PUSH_AES_BLOCK + 1) * PUSH_AES_BLOCK + 2) / 3) * 4 + 1)

struct push_aes {
	uint8_t key[32];
};

/*
 * Fills *aes from the 43-character EncodingAESKey: key = base64(key + "=").
 * Any other length, or a character outside [A-Za-z0-9+/], is PUSH_E_KEY.
 * The spare low 2 bits of the 43rd character are ignored, as every SDK's
 * decoder does (the platform draws the key from 62 alphanumerics, so they
 * are often non-zero).  *aes is the caller's; wipe it with OPENSSL_cleanse()
 * when done.
 */
int push_aes_init(struct push_aes *aes, const char *encoding_aes_key);

/*
 * Decrypts the `len` bytes of base64 at `b64` (the Encrypt value; need not be
 * NUL-terminated).  Checks: standard base64 (a multiple of 4 characters,
 * '=' only at the end, no whitespace), a non-zero multiple of 32 bytes of
 * ciphertext up to PUSH_CIPHER_MAX, PKCS#7 padding 1..32 with all pad
 * bytes equal, plain = random(16) | uint32_be(n) | msg(n) | appid with n in
 * bounds and the trailing appid byte-for-byte equal to `appid`.
 * On success copies msg into the caller's `out` (outmax bytes, needs n + 1),
 * NUL-terminates it and sets *outlen = n (msg may itself hold NUL bytes).
 * Verify msg_signature first, and never tell the sender which check failed:
 * CBC without a MAC would otherwise be a padding oracle.
 */
int push_decrypt(const struct push_aes *aes, const char *b64, size_t len, const char *appid, char *out, size_t outmax,
		 size_t *outlen);

/*
 * Encrypts the `len` bytes at `msg` for `appid` with the caller's 16 random
 * bytes (from RAND_bytes in production; fixed in tests) and writes the
 * NUL-terminated base64 into the caller's out_b64 (outmax bytes; at least
 * PUSH_ENCRYPT_B64_SIZE(len, strlen(appid))).
 */
int push_encrypt(const struct push_aes *aes, const char *msg, size_t len, const char *appid, const uint8_t random16[16],
		 char *out_b64, size_t outmax);

/* ---- replies and dedup -------------------------------------------------- */

/*
 * Writes into the caller's `out` (outmax bytes) the passive text reply
 *   <xml><ToUserName><![CDATA[to]]></ToUserName><FromUserName><![CDATA[from]]></FromUserName>
 *   <CreateTime>ts</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[content]]></Content></xml>
 * (one line).  `to` is the user's openid (the incoming FromUserName), `from`
 * the account (the incoming ToUserName).  A "]]>" inside any string is split
 * as "]]]]><![CDATA[>" so that it round-trips.  create_time must be >= 0.
 */
int push_reply_text(const char *to, const char *from, int64_t create_time, const char *content, char *out,
		    size_t outmax);

/*
 * Writes into the caller's `out` the safe-mode reply
 *   <xml><Encrypt><![CDATA[..]]></Encrypt><MsgSignature><![CDATA[..]]></MsgSignature>
 *   <TimeStamp>..</TimeStamp><Nonce><![CDATA[..]]></Nonce></xml>
 * (one line).  `timestamp` goes in bare, so it must be 1 to 20 digits.
 */
int push_reply_encrypted(const char *encrypt_b64, const char *signature, const char *timestamp, const char *nonce,
			 char *out, size_t outmax);

/*
 * Writes the retry-dedup key into the caller's `out`: "m:" MsgId when the
 * message has a non-empty MsgId, else "e:" FromUserName ":" CreateTime
 * (PUSH_E_FIELD if either is missing or empty).
 */
int push_dedup_key(const struct push_msg *msg, char *out, size_t outmax);

#endif /* HQR_PUSH_H */
