/* push.c: the platform's server URL, pure part: signatures, safe-mode AES, replies out (XML in: push_xml.c). */
#include "push.h"
#include "cclass.h"
#include "crypto.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

_Static_assert(PUSH_CIPHER_MAX < INT_MAX / 2, "a ciphertext length fits EVP's int");

const char *push_strerror(int rc)
{
	switch (rc) {
	case PUSH_OK: return "OK";
	case PUSH_E_ARG: return "ARG";
	case PUSH_E_SPACE: return "SPACE";
	case PUSH_E_CRYPTO: return "CRYPTO";
	case PUSH_E_KEY: return "AES_KEY";
	case PUSH_E_BASE64: return "BASE64";
	case PUSH_E_CIPHER: return "CIPHER_LENGTH";
	case PUSH_E_PADDING: return "PADDING";
	case PUSH_E_LENGTH: return "MSG_LENGTH";
	case PUSH_E_APPID: return "APPID";
	case PUSH_E_XML: return "XML_MALFORMED";
	case PUSH_E_XML_FORBIDDEN: return "XML_FORBIDDEN";
	case PUSH_E_XML_DEPTH: return "XML_DEPTH";
	case PUSH_E_XML_BODY: return "XML_BODY";
	case PUSH_E_XML_NAME: return "XML_NAME";
	case PUSH_E_XML_VALUE: return "XML_VALUE";
	case PUSH_E_XML_FIELDS: return "XML_FIELDS";
	case PUSH_E_XML_DUP: return "XML_DUPLICATE";
	case PUSH_E_FIELD: return "FIELD_MISSING";
	default: return "UNKNOWN";
	}
}

/* ---- signatures ------------------------------------------------------- */

/* strcmp compares as unsigned char, which is the platform's bytewise order. */
static int cmp_str(const void *a, const void *b)
{
	const char *const *x = a;
	const char *const *y = b;

	return strcmp(*x, *y);
}

/* Sorts the caller's array of n string pointers in place and hashes their concatenation. */
static int sha1_sorted_hex(const char **parts, size_t n, char out_hex[PUSH_SIG_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t i;
	int ok;

	if (out_hex == NULL)
		return PUSH_E_ARG;
	for (i = 0; i < n; i++)
		if (parts[i] == NULL)
			return PUSH_E_ARG;
	qsort(parts, n, sizeof *parts, cmp_str);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return PUSH_E_CRYPTO;
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1;
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 20;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return PUSH_E_CRYPTO;
	crypto_hex(md, 20, out_hex);
	return PUSH_OK;
}

int push_signature(const char *token, const char *timestamp, const char *nonce, char out_hex[PUSH_SIG_HEX])
{
	const char *parts[3] = { token, timestamp, nonce };

	return sha1_sorted_hex(parts, 3, out_hex);
}

int push_msg_signature(const char *token, const char *timestamp, const char *nonce, const char *encrypt,
		       char out_hex[PUSH_SIG_HEX])
{
	const char *parts[4] = { token, timestamp, nonce, encrypt };

	return sha1_sorted_hex(parts, 4, out_hex);
}

/* 1 if `given` is exactly the 40 characters of `want`; the content compare is constant-time. */
static int sig_equal(const char want[PUSH_SIG_HEX], const char *given)
{
	if (given == NULL || strnlen(given, PUSH_SIG_HEX) != PUSH_SIG_HEX - 1)
		return 0;
	return CRYPTO_memcmp(want, given, PUSH_SIG_HEX - 1) == 0;
}

int push_check_signature(const char *token, const char *timestamp, const char *nonce, const char *signature)
{
	char want[PUSH_SIG_HEX];
	int ok;

	if (push_signature(token, timestamp, nonce, want) != PUSH_OK)
		return 0;
	ok = sig_equal(want, signature);
	OPENSSL_cleanse(want, sizeof want);
	return ok;
}

int push_check_msg_signature(const char *token, const char *timestamp, const char *nonce, const char *encrypt,
			     const char *msg_signature)
{
	char want[PUSH_SIG_HEX];
	int ok;

	if (push_msg_signature(token, timestamp, nonce, encrypt, want) != PUSH_OK)
		return 0;
	ok = sig_equal(want, msg_signature);
	OPENSSL_cleanse(want, sizeof want);
	return ok;
}

/* ---- base64 (standard alphabet, '=' padding) --------------------------- */

/*
 * Decodes the n characters at s into the caller's out, which has room for
 * n / 4 * 3 bytes.  n must be a non-zero multiple of 4 and '=' may only pad
 * the end; the spare low bits of the last character are ignored.
 */
static int b64_decode(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
	size_t i, k, o = 0, pad = 0;

	if (n == 0 || n % 4 != 0)
		return PUSH_E_BASE64;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		uint32_t w = 0;

		for (k = 0; k < 4; k++) {
			int v = 0;

			if (i + k < n - pad && (v = cc_b64val((unsigned char)s[i + k])) < 0)
				return PUSH_E_BASE64;
			w = (w << 6) | (uint32_t)v;
		}
		out[o++] = (uint8_t)(w >> 16);
		if (i + 4 < n || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (i + 4 < n || pad < 1)
			out[o++] = (uint8_t)w;
	}
	*outlen = o;
	return PUSH_OK;
}

/* ---- safe mode ---------------------------------------------------------- */

int push_aes_init(struct push_aes *aes, const char *encoding_aes_key)
{
	char full[PUSH_AES_KEY_CHARS + 1];
	uint8_t raw[33];
	size_t i, n = 0;
	int rc;

	if (aes == NULL || encoding_aes_key == NULL)
		return PUSH_E_ARG;
	if (strnlen(encoding_aes_key, PUSH_AES_KEY_CHARS + 1) != PUSH_AES_KEY_CHARS)
		return PUSH_E_KEY;
	for (i = 0; i < PUSH_AES_KEY_CHARS; i++)
		if (cc_b64val((unsigned char)encoding_aes_key[i]) < 0)
			return PUSH_E_KEY;
	memcpy(full, encoding_aes_key, PUSH_AES_KEY_CHARS);
	full[PUSH_AES_KEY_CHARS] = '=';
	rc = b64_decode(full, sizeof full, raw, &n);
	if (rc == PUSH_OK && n == sizeof aes->key)
		memcpy(aes->key, raw, sizeof aes->key);
	else
		rc = PUSH_E_KEY;
	OPENSSL_cleanse(full, sizeof full);
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}

/* AES-256-CBC, IV = key[0:16], no library padding; n is a multiple of 16; out has n + 32 bytes. */
static int aes_cbc(const struct push_aes *aes, int enc, const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	int l1 = 0, l2 = 0, ok;

	if (n > INT_MAX / 2)
		return PUSH_E_ARG;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return PUSH_E_CRYPTO;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes->key, aes->key, enc) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_CipherUpdate(ctx, out, &l1, in, (int)n) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + l1, &l2) == 1 && (size_t)l1 + (size_t)l2 == n;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? PUSH_OK : PUSH_E_CRYPTO;
}

int push_decrypt(const struct push_aes *aes, const char *b64, size_t len, const char *appid, char *out, size_t outmax,
		 size_t *outlen)
{
	uint8_t *ct = NULL, *pt = NULL;
	size_t clen = 0, applen, body, n, i;
	unsigned pad, bad;
	int rc;

	if (aes == NULL || b64 == NULL || appid == NULL || out == NULL || outlen == NULL)
		return PUSH_E_ARG;
	applen = strnlen(appid, PUSH_APPID_MAX + 1);
	if (applen == 0 || applen > PUSH_APPID_MAX)
		return PUSH_E_ARG;
	if (len == 0 || len > PUSH_CIPHER_B64_MAX)
		return PUSH_E_CIPHER;
	/* Both scratch buffers are ours: ct holds public bytes, pt is wiped. */
	ct = malloc(len / 4 * 3 + 3);
	pt = malloc(len / 4 * 3 + 2 * PUSH_AES_BLOCK);
	if (ct == NULL || pt == NULL) {
		rc = PUSH_E_CRYPTO;
		goto done;
	}
	if ((rc = b64_decode(b64, len, ct, &clen)) != PUSH_OK)
		goto done;
	if (clen == 0 || clen % PUSH_AES_BLOCK != 0 || clen > PUSH_CIPHER_MAX) {
		rc = PUSH_E_CIPHER;
		goto done;
	}
	if ((rc = aes_cbc(aes, 0, ct, clen, pt)) != PUSH_OK)
		goto done;
	/* PKCS#7 with block 32, checked without branching on the pad bytes. */
	pad = pt[clen - 1];
	bad = (unsigned)(pad == 0) | (unsigned)(pad > PUSH_AES_BLOCK);
	for (i = 0; i < PUSH_AES_BLOCK; i++)
		bad |= (unsigned)(i < pad) & (unsigned)(pt[clen - 1 - i] != pad);
	if (bad) {
		rc = PUSH_E_PADDING;
		goto done;
	}
	body = clen - pad;
	if (body < 20) {
		rc = PUSH_E_LENGTH;
		goto done;
	}
	n = (size_t)pt[16] << 24 | (size_t)pt[17] << 16 | (size_t)pt[18] << 8 | pt[19];
	if (n > body - 20) {
		rc = PUSH_E_LENGTH;
		goto done;
	}
	if (body - 20 - n != applen || memcmp(pt + 20 + n, appid, applen) != 0) {
		rc = PUSH_E_APPID;
		goto done;
	}
	if (n >= outmax) {
		rc = PUSH_E_SPACE;
		goto done;
	}
	memcpy(out, pt + 20, n);
	out[n] = '\0';
	*outlen = n;
	rc = PUSH_OK;
done:
	if (pt != NULL)
		OPENSSL_cleanse(pt, len / 4 * 3 + 2 * PUSH_AES_BLOCK);
	free(pt);
	free(ct);
	return rc;
}

int push_encrypt(const struct push_aes *aes, const char *msg, size_t len, const char *appid, const uint8_t random16[16],
		 char *out_b64, size_t outmax)
{
	uint8_t *pt = NULL, *ct = NULL;
	size_t applen, plen, padded, pad;
	int rc;

	if (aes == NULL || (msg == NULL && len > 0) || appid == NULL || random16 == NULL || out_b64 == NULL)
		return PUSH_E_ARG;
	applen = strnlen(appid, PUSH_APPID_MAX + 1);
	if (applen == 0 || applen > PUSH_APPID_MAX)
		return PUSH_E_ARG;
	if (len > PUSH_CIPHER_MAX - 20 - PUSH_AES_BLOCK - applen)
		return PUSH_E_ARG;
	plen = 20 + len + applen;
	pad = PUSH_AES_BLOCK - plen % PUSH_AES_BLOCK;
	padded = plen + pad;
	if (outmax < ((padded + 2) / 3) * 4 + 1)
		return PUSH_E_SPACE;
	/* Both scratch buffers are ours: pt is wiped, ct is public. */
	pt = malloc(padded);
	ct = malloc(padded + 2 * PUSH_AES_BLOCK);
	if (pt == NULL || ct == NULL) {
		rc = PUSH_E_CRYPTO;
		goto done;
	}
	memcpy(pt, random16, 16);
	pt[16] = (uint8_t)(len >> 24);
	pt[17] = (uint8_t)(len >> 16);
	pt[18] = (uint8_t)(len >> 8);
	pt[19] = (uint8_t)len;
	if (len > 0)
		memcpy(pt + 20, msg, len);
	memcpy(pt + 20 + len, appid, applen);
	memset(pt + plen, (int)pad, pad);
	if ((rc = aes_cbc(aes, 1, pt, padded, ct)) == PUSH_OK)
		crypto_b64(ct, padded, out_b64, outmax);
done:
	if (pt != NULL)
		OPENSSL_cleanse(pt, padded);
	free(pt);
	free(ct);
	return rc;
}

/* ---- replies and dedup -------------------------------------------------- */

/* Appends into the caller's buffer; remembers overflow instead of writing past it. */
struct sbuf {
	char *p;
	size_t n;
	size_t max;
	int full;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->full || n >= b->max - b->n) {
		b->full = 1;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* <![CDATA[s]]>, each "]]>" in s split as "]]]]><![CDATA[>". */
static void sb_cdata(struct sbuf *b, const char *s)
{
	const char *q;

	sb_str(b, "<![CDATA[");
	while ((q = strstr(s, "]]>")) != NULL) {
		sb_put(b, s, (size_t)(q - s) + 2);
		sb_str(b, "]]><![CDATA[");
		s = q + 2;
	}
	sb_str(b, s);
	sb_str(b, "]]>");
}

static int sb_init(struct sbuf *b, char *out, size_t outmax)
{
	if (out == NULL || outmax == 0)
		return PUSH_E_ARG;
	b->p = out;
	b->n = 0;
	b->max = outmax;
	b->full = 0;
	out[0] = '\0';
	return PUSH_OK;
}

int push_reply_text(const char *to, const char *from, int64_t create_time, const char *content, char *out,
		    size_t outmax)
{
	struct sbuf b;
	char ts[24];
	int rc;

	if (to == NULL || from == NULL || content == NULL || create_time < 0)
		return PUSH_E_ARG;
	if ((rc = sb_init(&b, out, outmax)) != PUSH_OK)
		return rc;
	snprintf(ts, sizeof ts, "%" PRId64, create_time);
	sb_str(&b, "<xml><ToUserName>");
	sb_cdata(&b, to);
	sb_str(&b, "</ToUserName><FromUserName>");
	sb_cdata(&b, from);
	sb_str(&b, "</FromUserName><CreateTime>");
	sb_str(&b, ts);
	sb_str(&b, "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>");
	sb_cdata(&b, content);
	sb_str(&b, "</Content></xml>");
	return b.full ? PUSH_E_SPACE : PUSH_OK;
}

int push_reply_encrypted(const char *encrypt_b64, const char *signature, const char *timestamp, const char *nonce,
			 char *out, size_t outmax)
{
	struct sbuf b;
	size_t n;
	int rc;

	if (encrypt_b64 == NULL || signature == NULL || timestamp == NULL || nonce == NULL)
		return PUSH_E_ARG;
	n = strnlen(timestamp, 21);
	if (n == 0 || n > 20)
		return PUSH_E_ARG;
	if (!cc_all(timestamp, n, cc_digit))
		return PUSH_E_ARG;
	if ((rc = sb_init(&b, out, outmax)) != PUSH_OK)
		return rc;
	sb_str(&b, "<xml><Encrypt>");
	sb_cdata(&b, encrypt_b64);
	sb_str(&b, "</Encrypt><MsgSignature>");
	sb_cdata(&b, signature);
	sb_str(&b, "</MsgSignature><TimeStamp>");
	sb_str(&b, timestamp);
	sb_str(&b, "</TimeStamp><Nonce>");
	sb_cdata(&b, nonce);
	sb_str(&b, "</Nonce></xml>");
	return b.full ? PUSH_E_SPACE : PUSH_OK;
}

int push_dedup_key(const struct push_msg *msg, char *out, size_t outmax)
{
	const char *id, *from, *ct;
	struct sbuf b;
	int rc;

	if (msg == NULL)
		return PUSH_E_ARG;
	if ((rc = sb_init(&b, out, outmax)) != PUSH_OK)
		return rc;
	if ((id = push_msg_get(msg, "MsgId")) != NULL && id[0] != '\0') {
		sb_str(&b, "m:");
		sb_str(&b, id);
	} else {
		from = push_msg_get(msg, "FromUserName");
		ct = push_msg_get(msg, "CreateTime");
		if (from == NULL || from[0] == '\0' || ct == NULL || ct[0] == '\0')
			return PUSH_E_FIELD;
		sb_str(&b, "e:");
		sb_str(&b, from);
		sb_str(&b, ":");
		sb_str(&b, ct);
	}
	return b.full ? PUSH_E_SPACE : PUSH_OK;
}
