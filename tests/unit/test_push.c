/* test_push.c: unit tests of push.c (server-URL signatures, safe mode, XML parser, replies, dedup). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <openssl/evp.h>

#include "push.h"
#include "unit_vectors.h"

/* The parsed vectors file; owned by the group setup, freed by its teardown. */
static cJSON *vectors;

/* Scratch shared by the tests (static: too large for a test's stack); each test re-initialises it. */
static struct push_field g_fields[PUSH_XML_FIELDS_MAX + 8];
static char g_buf[PUSH_XML_BUF_SIZE];
static struct push_msg g_msg;
static char g_out[PUSH_CIPHER_B64_MAX + 1];
static char g_big[PUSH_XML_BODY_MAX + 4096];

static const char *const KEY = "G8ZnzFxjlnVN6Tt7rCvx6rtRY9DDkx1bV3EIFDRpO9I";
static const char *const APPID = "wx0123456789abcdef";

static int load_vectors(void **state)
{
	(void)state;
	vectors = vectors_read("platform.json");
	return vectors == NULL ? -1 : 0;
}

static int free_vectors(void **state)
{
	(void)state;
	cJSON_Delete(vectors);
	vectors = NULL;
	return 0;
}

/* A string member of obj; fails the test when missing.  Points into `vectors`. */
static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

static int parse(const char *body, size_t len)
{
	push_msg_init(&g_msg, g_fields, PUSH_XML_FIELDS_MAX, g_buf, sizeof g_buf);
	return push_xml_parse(&g_msg, body, len);
}

static int parse_s(const char *body)
{
	return parse(body, strlen(body));
}

static void init_key(struct push_aes *aes)
{
	assert_int_equal(push_aes_init(aes, KEY), PUSH_OK);
}

/* Independent AES-256-CBC + base64 (OpenSSL's) of a caller-chosen plaintext, n % 16 == 0. */
static void raw_encrypt(const struct push_aes *aes, const uint8_t *pt, size_t n, char *out_b64)
{
	uint8_t ct[1024];
	int l1 = 0, l2 = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	assert_non_null(ctx);
	assert_true(n <= sizeof ct - 32 && n % 16 == 0);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes->key, aes->key), 1);
	assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, ct, &l1, pt, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, ct + l1, &l2), 1);
	EVP_CIPHER_CTX_free(ctx);
	EVP_EncodeBlock((unsigned char *)out_b64, ct, l1 + l2);
}

/* random16 | be32(n) | msg | appid, then `pad` bytes of value `padval`; returns the length. */
static size_t build_plain(uint8_t *pt, uint32_t n, const char *msg, const char *appid, size_t pad, uint8_t padval)
{
	size_t len = strlen(msg), al = strlen(appid), o = 0;

	memcpy(pt, "RRRRRRRRRRRRRRRR", 16);
	o = 16;
	pt[o++] = (uint8_t)(n >> 24);
	pt[o++] = (uint8_t)(n >> 16);
	pt[o++] = (uint8_t)(n >> 8);
	pt[o++] = (uint8_t)n;
	memcpy(pt + o, msg, len);
	o += len;
	memcpy(pt + o, appid, al);
	o += al;
	memset(pt + o, padval, pad);
	return o + pad;
}

static int decrypt_s(const struct push_aes *aes, const char *b64, const char *appid)
{
	size_t n = 0;

	return push_decrypt(aes, b64, strlen(b64), appid, g_out, sizeof g_out, &n);
}

/* ---- vectors ------------------------------------------------------------ */

static void test_vectors_url_signature(void **state)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(vectors, "url_signature");
	const cJSON *v;
	char hex[PUSH_SIG_HEX];
	int count = 0;

	(void)state;
	assert_true(cJSON_IsArray(list));
	cJSON_ArrayForEach(v, list) {
		assert_int_equal(push_signature(jstr(v, "token"), jstr(v, "timestamp"), jstr(v, "nonce"), hex),
				 PUSH_OK);
		assert_string_equal(hex, jstr(v, "signature"));
		assert_int_equal(push_check_signature(jstr(v, "token"), jstr(v, "timestamp"), jstr(v, "nonce"),
						      jstr(v, "signature")),
				 1);
		count++;
	}
	assert_true(count >= 1);
}

static void test_vectors_safe_mode(void **state)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vectors, "safe_mode");
	const char *msg, *enc;
	struct push_aes aes;
	char hex[PUSH_SIG_HEX];
	size_t n = 0;

	(void)state;
	assert_true(cJSON_IsObject(v));
	msg = jstr(v, "message");
	enc = jstr(v, "encrypt");
	assert_int_equal(strlen(jstr(v, "random_16")), 16);

	assert_int_equal(push_msg_signature(jstr(v, "token"), jstr(v, "timestamp"), jstr(v, "nonce"), enc, hex),
			 PUSH_OK);
	assert_string_equal(hex, jstr(v, "msg_signature"));
	assert_int_equal(push_check_msg_signature(jstr(v, "token"), jstr(v, "timestamp"), jstr(v, "nonce"), enc,
						  jstr(v, "msg_signature")),
			 1);

	assert_int_equal(push_aes_init(&aes, jstr(v, "encoding_aes_key")), PUSH_OK);
	assert_int_equal(push_decrypt(&aes, enc, strlen(enc), jstr(v, "appid"), g_out, sizeof g_out, &n), PUSH_OK);
	assert_int_equal(n, strlen(msg));
	assert_string_equal(g_out, msg);

	/* With the same 16 random bytes, encryption reproduces the vector exactly. */
	assert_int_equal(push_encrypt(&aes, msg, strlen(msg), jstr(v, "appid"), (const uint8_t *)jstr(v, "random_16"),
				      g_out, sizeof g_out),
			 PUSH_OK);
	assert_string_equal(g_out, enc);

	/* And the decrypted message parses. */
	assert_int_equal(parse_s(msg), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "ToUserName"), "gh_test");
	assert_string_equal(push_msg_get(&g_msg, "FromUserName"), "oTESTopenid0000000000000001");
	assert_string_equal(push_msg_get(&g_msg, "CreateTime"), "1764201600");
	assert_string_equal(push_msg_get(&g_msg, "MsgType"), "event");
	assert_string_equal(push_msg_get(&g_msg, "Event"), "subscribe");
	assert_string_equal(push_msg_get(&g_msg, "EventKey"), "");
	assert_null(push_msg_get(&g_msg, "MsgId"));
}

/* ---- signatures ---------------------------------------------------------- */

static void test_signature_sort_is_bytewise(void **state)
{
	char hex[PUSH_SIG_HEX];

	(void)state;
	/* sha1("abc"), whatever role each piece plays. */
	assert_int_equal(push_signature("b", "c", "a", hex), PUSH_OK);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(push_signature("c", "a", "b", hex), PUSH_OK);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	/* Upper case before lower case, bytes >= 0x80 last: "A" "z" "\xc3\xa9". */
	assert_int_equal(push_signature("z", "\xc3\xa9", "A", hex), PUSH_OK);
	assert_string_equal(hex, "ac5617f8435bc9aec0232beea70ffc2ec509ea5f");
	/* A prefix sorts first: "a" "a\x01" "ab". */
	assert_int_equal(push_signature("ab", "a\x01", "a", hex), PUSH_OK);
	assert_string_equal(hex, "720e99b7258e6e58e355a8d851261f0755a89157");
	/* Four-part form with a duplicate: sha1("aabc"). */
	assert_int_equal(push_msg_signature("c", "a", "b", "a", hex), PUSH_OK);
	assert_string_equal(hex, "84bb906a0633227fc09c15558cda30058d7fb41a");
	assert_int_equal(push_signature(NULL, "a", "b", hex), PUSH_E_ARG);
	assert_int_equal(push_msg_signature("a", "b", "c", NULL, hex), PUSH_E_ARG);
}

static void test_signature_forged(void **state)
{
	const char *tok = "hqrtoken", *ts = "1764201600", *nonce = "1389467232";
	const char *good = "65ae958e3e9df92a666ca633e04a968eac1ba223";
	char sig[64];
	size_t i;

	(void)state;
	assert_int_equal(push_check_signature(tok, ts, nonce, good), 1);
	for (i = 0; i < 40; i++) {
		strcpy(sig, good);
		sig[i] = sig[i] == '0' ? '1' : '0';
		assert_int_equal(push_check_signature(tok, ts, nonce, sig), 0);
	}
	strcpy(sig, "65AE958E3E9DF92A666CA633E04A968EAC1BA223");
	assert_int_equal(push_check_signature(tok, ts, nonce, sig), 0);
	memcpy(sig, good, 39);
	sig[39] = '\0';
	assert_int_equal(push_check_signature(tok, ts, nonce, sig), 0);
	snprintf(sig, sizeof sig, "%s0", good);
	assert_int_equal(push_check_signature(tok, ts, nonce, sig), 0);
	assert_int_equal(push_check_signature(tok, ts, nonce, ""), 0);
	assert_int_equal(push_check_signature(tok, ts, nonce, NULL), 0);
	assert_int_equal(push_check_signature(NULL, ts, nonce, good), 0);
	assert_int_equal(push_check_signature("hqrtokem", ts, nonce, good), 0);
	assert_int_equal(push_check_signature(tok, "1764201601", nonce, good), 0);
	assert_int_equal(push_check_signature(tok, ts, "1389467233", good), 0);
	/* Moving bytes from one part to another changes the sorted concatenation. */
	assert_int_equal(push_check_signature("hqrtoke", ts, "n1389467232", good), 0);

	/* msg_signature: the Encrypt text is covered. */
	assert_int_equal(push_check_msg_signature(tok, ts, nonce, "AAAA", "06ebb1436e8f1dd08d5ee8078035e3098953962b"),
			 0);
	assert_int_equal(push_check_msg_signature(tok, ts, nonce, "AAAA", NULL), 0);
}

/* ---- safe mode ------------------------------------------------------------ */

static void test_aes_key(void **state)
{
	struct push_aes a, b;
	char k[64];

	(void)state;
	init_key(&a);
	/* The spare low bits of the 43rd character are ignored ('I' = 8, 'J'..'L' = 9..11). */
	strcpy(k, KEY);
	k[42] = 'L';
	assert_int_equal(push_aes_init(&b, k), PUSH_OK);
	assert_memory_equal(a.key, b.key, 32);

	assert_int_equal(push_aes_init(&b, NULL), PUSH_E_ARG);
	assert_int_equal(push_aes_init(NULL, KEY), PUSH_E_ARG);
	memcpy(k, KEY, 42);
	k[42] = '\0';
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	snprintf(k, sizeof k, "%sA", KEY);
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	snprintf(k, sizeof k, "%s=", KEY);
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	assert_int_equal(push_aes_init(&b, ""), PUSH_E_KEY);
	strcpy(k, KEY);
	k[5] = '-';
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	k[5] = '_';
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	k[5] = '=';
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	k[5] = ' ';
	assert_int_equal(push_aes_init(&b, k), PUSH_E_KEY);
	/* '+' and '/' are base64. */
	k[5] = '+';
	assert_int_equal(push_aes_init(&b, k), PUSH_OK);
}

static void test_encrypt_decrypt_round_trip(void **state)
{
	static const uint8_t rnd[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct push_aes aes;
	char msg[200], back[256], hex[PUSH_SIG_HEX];
	size_t len, i, n;
	int saw_full_pad = 0;

	(void)state;
	init_key(&aes);
	for (i = 0; i < sizeof msg; i++)
		msg[i] = (char)(i * 7 + 1);
	msg[3] = '\0'; /* a NUL inside the message survives */
	for (len = 0; len <= 130; len++) {
		size_t need = PUSH_ENCRYPT_B64_SIZE(len, strlen(APPID));

		if ((20 + len + strlen(APPID)) % 32 == 0)
			saw_full_pad = 1;
		assert_int_equal(push_encrypt(&aes, msg, len, APPID, rnd, g_out, need), PUSH_OK);
		assert_int_equal(strlen(g_out) + 1, need);
		assert_int_equal(push_encrypt(&aes, msg, len, APPID, rnd, g_out, need - 1), PUSH_E_SPACE);
		assert_int_equal(push_encrypt(&aes, msg, len, APPID, rnd, g_out, need), PUSH_OK);
		n = 999;
		assert_int_equal(push_decrypt(&aes, g_out, strlen(g_out), APPID, back, sizeof back, &n), PUSH_OK);
		assert_int_equal(n, len);
		assert_memory_equal(back, msg, len);
		assert_int_equal(back[len], '\0');
		/* msg_signature over our own output checks. */
		assert_int_equal(push_msg_signature("tok", "1", "2", g_out, hex), PUSH_OK);
		assert_int_equal(push_check_msg_signature("tok", "1", "2", g_out, hex), 1);
	}
	assert_true(saw_full_pad);

	/* The output buffer must hold the message and a NUL. */
	assert_int_equal(push_encrypt(&aes, "hello", 5, APPID, rnd, g_out, sizeof g_out), PUSH_OK);
	assert_int_equal(push_decrypt(&aes, g_out, strlen(g_out), APPID, back, 5, &n), PUSH_E_SPACE);
	assert_int_equal(push_decrypt(&aes, g_out, strlen(g_out), APPID, back, 6, &n), PUSH_OK);
	assert_string_equal(back, "hello");

	assert_int_equal(push_encrypt(&aes, NULL, 1, APPID, rnd, g_out, sizeof g_out), PUSH_E_ARG);
	assert_int_equal(push_encrypt(&aes, NULL, 0, APPID, rnd, g_out, sizeof g_out), PUSH_OK);
	assert_int_equal(push_encrypt(&aes, "x", 1, "", rnd, g_out, sizeof g_out), PUSH_E_ARG);
	assert_int_equal(push_encrypt(&aes, "x", PUSH_CIPHER_MAX, APPID, rnd, g_out, sizeof g_out), PUSH_E_ARG);
}

static void test_decrypt_wrong_appid(void **state)
{
	static const uint8_t rnd[16] = { 0 };
	struct push_aes aes;
	char ct[128]; /* decrypt_s() writes into g_out, so the ciphertext lives here */

	(void)state;
	init_key(&aes);
	assert_int_equal(push_encrypt(&aes, "<xml/>", 6, APPID, rnd, ct, sizeof ct), PUSH_OK);
	assert_int_equal(decrypt_s(&aes, ct, APPID), PUSH_OK);
	assert_int_equal(decrypt_s(&aes, ct, "wx0123456789abcdee"), PUSH_E_APPID);
	assert_int_equal(decrypt_s(&aes, ct, "wx0123456789abcde"), PUSH_E_APPID);
	assert_int_equal(decrypt_s(&aes, ct, "wx0123456789abcdef0"), PUSH_E_APPID);
	assert_int_equal(decrypt_s(&aes, ct, "WX0123456789ABCDEF"), PUSH_E_APPID);
	assert_int_equal(decrypt_s(&aes, ct, ""), PUSH_E_ARG);

	/* A different key: garbage, rejected somewhere (padding, length or appid). */
	{
		struct push_aes other;
		char k[64];

		strcpy(k, KEY);
		k[0] = 'H';
		assert_int_equal(push_aes_init(&other, k), PUSH_OK);
		assert_int_not_equal(decrypt_s(&other, ct, APPID), PUSH_OK);
	}
}

static void test_decrypt_bad_padding(void **state)
{
	struct push_aes aes;
	uint8_t pt[256];
	char b64[512];
	size_t n;

	(void)state;
	init_key(&aes);
	/* 20 + 2 + 18 = 40 bytes: a correct padding is 24 bytes of 24. */
	n = build_plain(pt, 2, "hi", APPID, 24, 24);
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_OK);
	assert_string_equal(g_out, "hi");

	n = build_plain(pt, 2, "hi", APPID, 24, 0); /* pad value 0 */
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_PADDING);

	n = build_plain(pt, 2, "hi", APPID, 24, 24);
	pt[n - 5] = 23; /* one pad byte differs */
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_PADDING);

	n = build_plain(pt, 2, "hi", APPID, 24, 24);
	pt[n - 24] = 0; /* the first pad byte differs */
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_PADDING);

	/* 33 is out of range even with 33 (of 56) trailing bytes of 33: 40 + 56 = 96. */
	n = build_plain(pt, 2, "hi", APPID, 56, 33);
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_PADDING);

	/* PKCS#7 to 16 (AES's block) is not the platform's: 40 + 8 = 48, not a multiple of 32. */
	n = build_plain(pt, 2, "hi", APPID, 8, 8);
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_CIPHER);

	/* Length field beyond the plaintext, and a plaintext shorter than its header. */
	n = build_plain(pt, 0xffffffffu, "hi", APPID, 24, 24);
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_LENGTH);
	n = build_plain(pt, 3, "hi", APPID, 24, 24);
	raw_encrypt(&aes, pt, n, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_APPID);
	memset(pt, 32, 32);
	raw_encrypt(&aes, pt, 32, b64);
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_LENGTH);
}

static void test_decrypt_truncated_and_bad_base64(void **state)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vectors, "safe_mode");
	const char *enc = jstr(v, "encrypt");
	unsigned char ct[512];
	char b64[1024];
	struct push_aes aes;
	size_t len = strlen(enc), n = 0;
	int clen;

	(void)state;
	init_key(&aes);
	assert_int_equal(push_decrypt(&aes, enc, len, APPID, g_out, sizeof g_out, &n), PUSH_OK);
	assert_int_equal(push_decrypt(&aes, enc, len - 4, APPID, g_out, sizeof g_out, &n), PUSH_E_CIPHER);
	assert_int_equal(push_decrypt(&aes, enc, len - 1, APPID, g_out, sizeof g_out, &n), PUSH_E_BASE64);
	assert_int_equal(push_decrypt(&aes, enc, 0, APPID, g_out, sizeof g_out, &n), PUSH_E_CIPHER);
	assert_int_equal(push_decrypt(&aes, enc, 4, APPID, g_out, sizeof g_out, &n), PUSH_E_CIPHER);

	/* Cut at a 32-byte boundary: decrypts, but the tail is no longer valid. */
	clen = EVP_DecodeBlock(ct, (const unsigned char *)enc, (int)len);
	assert_true(clen >= 320);
	for (int cut = 32; cut < 320; cut += 32) {
		EVP_EncodeBlock((unsigned char *)b64, ct, cut);
		assert_int_not_equal(decrypt_s(&aes, b64, APPID), PUSH_OK);
	}
	/* A flipped ciphertext byte in the last block garbles the padding/appid. */
	ct[319 - 16] ^= 0x01;
	EVP_EncodeBlock((unsigned char *)b64, ct, 320);
	assert_int_not_equal(decrypt_s(&aes, b64, APPID), PUSH_OK);

	/* Not base64: whitespace, URL-safe alphabet, '=' inside. */
	strcpy(b64, enc);
	b64[10] = '\n';
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_BASE64);
	b64[10] = '-';
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_BASE64);
	b64[10] = '=';
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_BASE64);
	strcpy(b64, enc);
	b64[len - 2] = '=';
	b64[len - 1] = 'A';
	assert_int_equal(decrypt_s(&aes, b64, APPID), PUSH_E_BASE64);
	assert_int_equal(decrypt_s(&aes, "====", APPID), PUSH_E_BASE64);
	assert_int_equal(push_decrypt(&aes, enc, len, APPID, g_out, sizeof g_out, NULL), PUSH_E_ARG);
	assert_int_equal(push_decrypt(&aes, enc, PUSH_CIPHER_B64_MAX + 4, APPID, g_out, sizeof g_out, &n),
			 PUSH_E_CIPHER);
}

/* ---- XML ------------------------------------------------------------------ */

static void test_xml_text_message_msgid(void **state)
{
	static const char body[] = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>\n"
				   "<FromUserName><![CDATA[oTESTopenid0000000000000001]]></FromUserName>\n"
				   "<CreateTime>1764201600</CreateTime>\n"
				   "<MsgType><![CDATA[text]]></MsgType>\n"
				   "<Content><![CDATA[\xe4\xbd\xa0\xe5\xa5\xbd <b> & \xf0\x9f\x98\x80]]></Content>\n"
				   "<MsgId>3717005636572528642</MsgId>\n"
				   "</xml>\n";
	char key[128];

	(void)state;
	assert_int_equal(parse_s(body), PUSH_OK);
	assert_int_equal(g_msg.nfields, 6);
	assert_string_equal(g_msg.fields[0].name, "ToUserName");
	assert_string_equal(g_msg.fields[5].name, "MsgId");
	assert_string_equal(push_msg_get(&g_msg, "MsgId"), "3717005636572528642");
	assert_int_equal(g_msg.fields[5].value_len, 19);
	assert_string_equal(push_msg_get(&g_msg, "Content"), "\xe4\xbd\xa0\xe5\xa5\xbd <b> & \xf0\x9f\x98\x80");
	assert_string_equal(push_msg_get(&g_msg, "MsgType"), "text");
	assert_null(push_msg_get(&g_msg, "msgid")); /* names are case-sensitive */
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_OK);
	assert_string_equal(key, "m:3717005636572528642");

	/* With an XML declaration and CRLFs. */
	assert_int_equal(parse_s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<xml>\r\n"
				 "<MsgId>3717005636572528642</MsgId>\r\n</xml>"),
			 PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "MsgId"), "3717005636572528642");
}

static void test_xml_cdata_and_entities(void **state)
{
	(void)state;
	assert_int_equal(parse_s("<xml><Content>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</Content></xml>"),
			 PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "Content"), "a <b> & \"c\" 'd'");

	/* CDATA is raw: entities inside stay as written. */
	assert_int_equal(parse_s("<xml><A><![CDATA[&lt;&amp;<x>]]></A></xml>"), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "A"), "&lt;&amp;<x>");

	/* Text, CDATA and entities concatenate; "]]>" split over two sections reassembles. */
	assert_int_equal(parse_s("<xml><A>x<![CDATA[<y>]]>&amp;<![CDATA[]]]]><![CDATA[>]]></A></xml>"), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "A"), "x<y>&]]>");

	/* Empty forms. */
	assert_int_equal(parse_s("<xml><A></A><B/><C><![CDATA[]]></C><D >v</D ></xml>"), PUSH_OK);
	assert_int_equal(g_msg.nfields, 4);
	assert_string_equal(push_msg_get(&g_msg, "A"), "");
	assert_string_equal(push_msg_get(&g_msg, "B"), "");
	assert_string_equal(push_msg_get(&g_msg, "C"), "");
	assert_string_equal(push_msg_get(&g_msg, "D"), "v");
	assert_int_equal(parse_s("<xml></xml>"), PUSH_OK);
	assert_int_equal(g_msg.nfields, 0);

	/* Whitespace inside a leaf is its value. */
	assert_int_equal(parse_s("<xml><A> a b </A></xml>"), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "A"), " a b ");
	assert_int_equal(parse_s("<xml><A>a>b</A></xml>"), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "A"), "a>b");
}

static void test_xml_forbidden(void **state)
{
	(void)state;
	assert_int_equal(parse_s("<!DOCTYPE xml [<!ENTITY a \"aaaa\">]><xml><A>&a;</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<?xml version=\"1.0\"?><!DOCTYPE xml SYSTEM \"file:///etc/passwd\">"
				 "<xml/>"),
			 PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><!DOCTYPE x><A>1</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><!ENTITY x \"y\"><A>1</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>&xxe;</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>&nbsp;</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>&#65;</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>&#x41;</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>a & b</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><A>&amp</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><!-- c --><A>1</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml><?php x?><A>1</A></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<?xml-stylesheet href=\"a\"?><xml/>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<?xml version=\"1.0\"?><?xml version=\"1.0\"?><xml></xml>"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(parse_s("<xml></xml><!-- after -->"), PUSH_E_XML_FORBIDDEN);
	assert_int_equal(g_msg.nfields, 0);
}

static void test_xml_nesting(void **state)
{
	static const char popup[] =
	    "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
	    "<FromUserName><![CDATA[oUSER]]></FromUserName><CreateTime>1764201600</CreateTime>"
	    "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event>"
	    "<SubscribeMsgPopupEvent>\n  <List>\n    <TemplateId><![CDATA[T1]]></TemplateId>\n"
	    "    <SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>\n"
	    "    <PopupScene>2</PopupScene>\n  </List>\n"
	    "  <List><TemplateId><![CDATA[T2]]></TemplateId>"
	    "<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>"
	    "<PopupScene>2</PopupScene></List>\n</SubscribeMsgPopupEvent></xml>";
	char deep[4096];
	size_t i, o = 0;

	(void)state;
	assert_int_equal(parse_s(popup), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "Event"), "subscribe_msg_popup_event");
	assert_string_equal(push_msg_get(&g_msg, "SubscribeMsgPopupEvent/List/TemplateId"), "T1");
	assert_string_equal(push_msg_get(&g_msg, "SubscribeMsgPopupEvent/List/SubscribeStatusString"), "accept");
	assert_null(push_msg_get(&g_msg, "SubscribeMsgPopupEvent"));
	assert_int_equal(g_msg.nfields, 11);
	assert_string_equal(g_msg.fields[8].name, "SubscribeMsgPopupEvent/List/TemplateId");
	assert_string_equal(g_msg.fields[8].value, "T2");

	/* Four levels below <xml> are accepted, five are not. */
	assert_int_equal(parse_s("<xml><a><b><c><d>x</d></c></b></a></xml>"), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "a/b/c/d"), "x");
	assert_int_equal(parse_s("<xml><a><b><c><d><e>x</e></d></c></b></a></xml>"), PUSH_E_XML_DEPTH);
	assert_int_equal(parse_s("<xml><a><b><c><d><e/></d></c></b></a></xml>"), PUSH_E_XML_DEPTH);
	assert_int_equal(g_msg.nfields, 0);

	/* Thousands of levels: rejected at the bound, no recursion. */
	o += (size_t)snprintf(deep + o, sizeof deep - o, "<xml>");
	for (i = 0; i < 500; i++)
		o += (size_t)snprintf(deep + o, sizeof deep - o, "<a>");
	assert_int_equal(parse(deep, o), PUSH_E_XML_DEPTH);

	/* Text beside child elements (mixed content) is not a flat message. */
	assert_int_equal(parse_s("<xml><a>t<b>x</b></a></xml>"), PUSH_E_XML);
	assert_int_equal(parse_s("<xml><a><b>x</b>t</a></xml>"), PUSH_E_XML);
	assert_int_equal(parse_s("<xml><a><![CDATA[]]><b>x</b></a></xml>"), PUSH_E_XML);
	assert_int_equal(parse_s("<xml>t<a>x</a></xml>"), PUSH_E_XML);
}

static void test_xml_limits(void **state)
{
	char name[64];
	size_t o, i;

	(void)state;
	/* A value of exactly PUSH_XML_VALUE_MAX bytes, and one more. */
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><A>");
	memset(g_big + o, 'v', PUSH_XML_VALUE_MAX);
	o += PUSH_XML_VALUE_MAX;
	o += (size_t)snprintf(g_big + o, sizeof g_big - o, "</A></xml>");
	assert_int_equal(parse(g_big, o), PUSH_OK);
	assert_int_equal(g_msg.fields[0].value_len, PUSH_XML_VALUE_MAX);
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><A><![CDATA[");
	memset(g_big + o, 'v', PUSH_XML_VALUE_MAX + 1);
	o += PUSH_XML_VALUE_MAX + 1;
	o += (size_t)snprintf(g_big + o, sizeof g_big - o, "]]></A></xml>");
	assert_int_equal(parse(g_big, o), PUSH_E_XML_VALUE);
	/* Over the bound through several sections and entities. */
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><A>");
	for (i = 0; i < PUSH_XML_VALUE_MAX / 4 + 1; i++)
		o += (size_t)snprintf(g_big + o, sizeof g_big - o, "&lt;");
	for (i = 0; i < 3 * PUSH_XML_VALUE_MAX / 4; i++)
		g_big[o++] = 'x';
	o += (size_t)snprintf(g_big + o, sizeof g_big - o, "</A></xml>");
	assert_int_equal(parse(g_big, o), PUSH_E_XML_VALUE);

	/* Tag names of 32 and 33 bytes. */
	memset(name, 'N', 33);
	name[32] = '\0';
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><%s>1</%s></xml>", name, name);
	assert_int_equal(parse(g_big, o), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, name), "1");
	name[32] = 'N';
	name[33] = '\0';
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><%s>1</%s></xml>", name, name);
	assert_int_equal(parse(g_big, o), PUSH_E_XML_NAME);

	/* 32 fields, then 33. */
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml>");
	for (i = 0; i < PUSH_XML_FIELDS_MAX; i++)
		o += (size_t)snprintf(g_big + o, sizeof g_big - o, "<F%zu>%zu</F%zu>", i, i, i);
	o += (size_t)snprintf(g_big + o, sizeof g_big - o, "</xml>");
	assert_int_equal(parse(g_big, o), PUSH_OK);
	assert_int_equal(g_msg.nfields, PUSH_XML_FIELDS_MAX);
	assert_string_equal(push_msg_get(&g_msg, "F31"), "31");
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml>");
	for (i = 0; i <= PUSH_XML_FIELDS_MAX; i++)
		o += (size_t)snprintf(g_big + o, sizeof g_big - o, "<F%zu/>", i);
	o += (size_t)snprintf(g_big + o, sizeof g_big - o, "</xml>");
	assert_int_equal(parse(g_big, o), PUSH_E_XML_FIELDS);
	/* The caller's array may be smaller than the bound. */
	push_msg_init(&g_msg, g_fields, 2, g_buf, sizeof g_buf);
	assert_int_equal(push_xml_parse(&g_msg, "<xml><A/><B/><C/></xml>", 23), PUSH_E_XML_FIELDS);
	/* So may the value buffer. */
	push_msg_init(&g_msg, g_fields, 4, g_buf, 8);
	assert_int_equal(push_xml_parse(&g_msg, "<xml><Abc>12345</Abc></xml>", 27), PUSH_E_SPACE);
	assert_int_equal(g_msg.nfields, 0);
	push_msg_init(&g_msg, g_fields, 4, g_buf, 10);
	assert_int_equal(push_xml_parse(&g_msg, "<xml><Abc>12345</Abc></xml>", 27), PUSH_OK);

	/* Body of exactly 64 KiB (blank padding) and one byte more. */
	o = (size_t)snprintf(g_big, sizeof g_big, "<xml><A>1</A>");
	memset(g_big + o, ' ', PUSH_XML_BODY_MAX - o - 6);
	o = PUSH_XML_BODY_MAX - 6;
	memcpy(g_big + o, "</xml>", 6);
	assert_int_equal(parse(g_big, PUSH_XML_BODY_MAX), PUSH_OK);
	g_big[PUSH_XML_BODY_MAX] = ' ';
	assert_int_equal(parse(g_big, PUSH_XML_BODY_MAX + 1), PUSH_E_XML_BODY);
}

static void test_xml_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"<xml>",
		"<xml><A>1</A>",
		"<xml><A>1</B></xml>",
		"<xml><A>1</xml>",
		"<xml></xml>junk",
		"<xml></xml><xml></xml>",
		"<root></root>",
		"<XML></XML>",
		"<xml><A x=\"1\">1</A></xml>",
		"<xml a=\"b\"></xml>",
		"<xml><A>]]></A></xml>",
		"<xml><A><![CDATA[x</A></xml>",
		"<xml>< A>1</A></xml>",
		"<xml><1A>1</1A></xml>",
		"<xml><a:b>1</a:b></xml>",
		"text",
		"<xml><A>1</A ",
		"<xml/>",
		"<xml><A>1</A></xml",
		"<?xml version=\"1.0\"",
		"<xml></ xml>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse_s(bad[i]);

		if (rc != PUSH_E_XML)
			fail_msg("\"%s\" gave %d, want PUSH_E_XML", bad[i], rc);
		assert_int_equal(g_msg.nfields, 0);
	}
	assert_int_equal(parse_s("<xml><A>1</A><A>2</A></xml>"), PUSH_E_XML_DUP);
	assert_int_equal(parse_s("<xml><FromUserName>a</FromUserName><FromUserName/></xml>"), PUSH_E_XML_DUP);
	assert_int_equal(parse("<xml><A>1\0</A></xml>", 20), PUSH_E_XML_BODY);
	assert_int_equal(push_xml_parse(NULL, "<xml/>", 6), PUSH_E_ARG);
}

/* ---- replies and dedup ---------------------------------------------------- */

static void test_reply_text(void **state)
{
	static const char want[] =
	    "<xml><ToUserName><![CDATA[OPENID]]></ToUserName><FromUserName><![CDATA[gh_x]]>"
	    "</FromUserName><CreateTime>1764201600</CreateTime><MsgType><![CDATA[text]]></MsgType>"
	    "<Content><![CDATA[\xe4\xbd\xa0\xe5\xa5\xbd <ok>]]></Content></xml>";
	static const char tricky[] = "a]]>b]]>]]]>c<![CDATA[";
	char out[1024];

	(void)state;
	assert_int_equal(
	    push_reply_text("OPENID", "gh_x", 1764201600, "\xe4\xbd\xa0\xe5\xa5\xbd <ok>", out, sizeof out), PUSH_OK);
	assert_string_equal(out, want);
	/* Exactly enough room, and one byte short. */
	assert_int_equal(
	    push_reply_text("OPENID", "gh_x", 1764201600, "\xe4\xbd\xa0\xe5\xa5\xbd <ok>", out, sizeof want), PUSH_OK);
	assert_int_equal(
	    push_reply_text("OPENID", "gh_x", 1764201600, "\xe4\xbd\xa0\xe5\xa5\xbd <ok>", out, sizeof want - 1),
	    PUSH_E_SPACE);

	/* "]]>" inside the content is split and survives a parse. */
	assert_int_equal(push_reply_text("O", "g", 0, tricky, out, sizeof out), PUSH_OK);
	assert_string_equal(out, "<xml><ToUserName><![CDATA[O]]></ToUserName><FromUserName><![CDATA[g]]></FromUserName>"
				 "<CreateTime>0</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
				 "a]]]]><![CDATA[>b]]]]><![CDATA[>]]]]]><![CDATA[>c<![CDATA[]]></Content></xml>");
	assert_int_equal(parse_s(out), PUSH_OK);
	assert_string_equal(push_msg_get(&g_msg, "Content"), tricky);
	assert_string_equal(push_msg_get(&g_msg, "ToUserName"), "O");
	assert_string_equal(push_msg_get(&g_msg, "CreateTime"), "0");

	assert_int_equal(push_reply_text("O", "g", -1, "x", out, sizeof out), PUSH_E_ARG);
	assert_int_equal(push_reply_text(NULL, "g", 1, "x", out, sizeof out), PUSH_E_ARG);
	assert_int_equal(push_reply_text("O", "g", 1, "x", out, 0), PUSH_E_ARG);
}

static void test_reply_encrypted(void **state)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vectors, "safe_mode");
	static const uint8_t rnd[16] = "ABCDEFGHIJKLMNOP";
	char reply[512], sig[PUSH_SIG_HEX], out[4096];
	struct push_aes aes;
	const char *enc;
	size_t n = 0;

	(void)state;
	assert_int_equal(push_reply_encrypted("QUJD", "0123456789abcdef0123456789abcdef01234567", "1764201600",
					      "1389467232", out, sizeof out),
			 PUSH_OK);
	assert_string_equal(out, "<xml><Encrypt><![CDATA[QUJD]]></Encrypt><MsgSignature><![CDATA["
				 "0123456789abcdef0123456789abcdef01234567]]></MsgSignature><TimeStamp>1764201600"
				 "</TimeStamp><Nonce><![CDATA[1389467232]]></Nonce></xml>");
	assert_int_equal(push_reply_encrypted("QUJD", "s", "17a", "n", out, sizeof out), PUSH_E_ARG);
	assert_int_equal(push_reply_encrypted("QUJD", "s", "", "n", out, sizeof out), PUSH_E_ARG);
	assert_int_equal(push_reply_encrypted("QUJD", "s", "1</TimeStamp>", "n", out, sizeof out), PUSH_E_ARG);
	assert_int_equal(push_reply_encrypted("QUJD", "s", "1", "n", out, 10), PUSH_E_SPACE);

	/* The whole safe-mode answer: encrypt a text reply, sign, wrap; then undo each step. */
	assert_int_equal(push_aes_init(&aes, jstr(v, "encoding_aes_key")), PUSH_OK);
	assert_int_equal(push_reply_text("oUSER", "gh_test", 1764201600, "hi", reply, sizeof reply), PUSH_OK);
	assert_int_equal(push_encrypt(&aes, reply, strlen(reply), jstr(v, "appid"), rnd, g_out, sizeof g_out), PUSH_OK);
	assert_int_equal(push_msg_signature(jstr(v, "token"), "1764201601", "42", g_out, sig), PUSH_OK);
	assert_int_equal(push_reply_encrypted(g_out, sig, "1764201601", "42", out, sizeof out), PUSH_OK);
	assert_int_equal(parse_s(out), PUSH_OK);
	enc = push_msg_get(&g_msg, "Encrypt");
	assert_non_null(enc);
	assert_int_equal(push_check_msg_signature(jstr(v, "token"), push_msg_get(&g_msg, "TimeStamp"),
						  push_msg_get(&g_msg, "Nonce"), enc,
						  push_msg_get(&g_msg, "MsgSignature")),
			 1);
	assert_int_equal(push_decrypt(&aes, enc, strlen(enc), jstr(v, "appid"), out, sizeof out, &n), PUSH_OK);
	assert_string_equal(out, reply);
}

static void test_dedup_key(void **state)
{
	char key[64];

	(void)state;
	assert_int_equal(parse_s("<xml><FromUserName><![CDATA[oUSER]]></FromUserName>"
				 "<CreateTime>1764201600</CreateTime><MsgType><![CDATA[event]]></MsgType>"
				 "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[MY_CODE]]></EventKey></xml>"),
			 PUSH_OK);
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_OK);
	assert_string_equal(key, "e:oUSER:1764201600");
	assert_int_equal(push_dedup_key(&g_msg, key, 18), PUSH_E_SPACE);
	assert_int_equal(push_dedup_key(&g_msg, key, 19), PUSH_OK);

	assert_int_equal(parse_s("<xml><FromUserName>oUSER</FromUserName><CreateTime>1</CreateTime>"
				 "<MsgId></MsgId></xml>"),
			 PUSH_OK);
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_OK);
	assert_string_equal(key, "e:oUSER:1");

	assert_int_equal(parse_s("<xml><MsgId>18446744073709551615</MsgId></xml>"), PUSH_OK);
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_OK);
	assert_string_equal(key, "m:18446744073709551615");

	assert_int_equal(parse_s("<xml><FromUserName>oUSER</FromUserName></xml>"), PUSH_OK);
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_E_FIELD);
	assert_int_equal(parse_s("<xml><CreateTime>1</CreateTime><FromUserName/></xml>"), PUSH_OK);
	assert_int_equal(push_dedup_key(&g_msg, key, sizeof key), PUSH_E_FIELD);
	assert_int_equal(push_dedup_key(NULL, key, sizeof key), PUSH_E_ARG);
}

static void test_strerror(void **state)
{
	int rc;

	(void)state;
	for (rc = PUSH_OK; rc >= PUSH_E_FIELD; rc--)
		assert_string_not_equal(push_strerror(rc), "UNKNOWN");
	assert_string_equal(push_strerror(1), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_url_signature),
		cmocka_unit_test(test_vectors_safe_mode),
		cmocka_unit_test(test_signature_sort_is_bytewise),
		cmocka_unit_test(test_signature_forged),
		cmocka_unit_test(test_aes_key),
		cmocka_unit_test(test_encrypt_decrypt_round_trip),
		cmocka_unit_test(test_decrypt_wrong_appid),
		cmocka_unit_test(test_decrypt_bad_padding),
		cmocka_unit_test(test_decrypt_truncated_and_bad_base64),
		cmocka_unit_test(test_xml_text_message_msgid),
		cmocka_unit_test(test_xml_cdata_and_entities),
		cmocka_unit_test(test_xml_forbidden),
		cmocka_unit_test(test_xml_nesting),
		cmocka_unit_test(test_xml_limits),
		cmocka_unit_test(test_xml_malformed),
		cmocka_unit_test(test_reply_text),
		cmocka_unit_test(test_reply_encrypted),
		cmocka_unit_test(test_dedup_key),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("push", tests, load_vectors, free_vectors);
}
