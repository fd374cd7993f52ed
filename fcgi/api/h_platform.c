/* h_platform.c: the server URL the platform calls: verification, signed pushes (plain and safe
 * mode), a greeting on subscribe, the health-code link on the menu's CLICK, retries answered once,
 * a replay window (timestamps within 300 s, each nonce once). */
#include "clock.h"
#include "cclass.h"
#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "push.h"
#include "resp.h"
#include "routes.h"
#include "store_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *q(struct call *c, const char *name)
{
	const struct kv *kv = kv_get(&c->query, name);
	return kv != NULL ? kv->val : NULL;
}

/* The replay window: a push's timestamp within this many seconds of the server's clock, and each
 * nonce once while its timestamp is in the window (DESIGN §10). */
#define PUSH_WINDOW_S 300

/* The signature of the query, then its timestamp's window: ERR_OK, ERR_SIGNATURE or
 * ERR_SIGNATURE_EXPIRED. *ts_out receives the timestamp. */
static enum err signed_ok(struct call *c, int64_t *ts_out)
{
	const char *sig = q(c, "signature"), *ts = q(c, "timestamp"), *nonce = q(c, "nonce");
	/* The nonce is kept in an ASCII column: the platform's are digits; 1..64 of these. */
	size_t nlen = nonce != NULL ? strlen(nonce) : 0;
	if (sig == NULL || ts == NULL || nlen == 0 || strlen(ts) > 20 || nlen > 64 || !cc_all(nonce, nlen, cc_nonce))
		return ERR_SIGNATURE;
	if (push_check_signature(c->conf->push_token, ts, nonce, sig) != 1)
		return ERR_SIGNATURE;
	size_t n = strlen(ts);
	if (n == 0 || n > 12 || !cc_all(ts, n, cc_digit))
		return ERR_SIGNATURE_EXPIRED;
	int64_t t = strtoll(ts, NULL, 10), now = clock_now();
	if (t < now - PUSH_WINDOW_S || t > now + PUSH_WINDOW_S)
		return ERR_SIGNATURE_EXPIRED;
	if (ts_out != NULL)
		*ts_out = t;
	return ERR_OK;
}

/* Claims the push's nonce: ERR_OK for a nonce not seen in the window; *retry = 1 (and ERR_OK) when
 * it was seen with this very body (the platform's retry of a push whose answer it did not get: it
 * is acknowledged and not handled again); ERR_NONCE_REUSED when it came with another body. */
static enum err claim_nonce(struct call *c, int64_t ts, int *retry)
{
	const char *nonce = q(c, "nonce");
	uint8_t h[32], seen[32];
	crypto_sha256(c->body != NULL ? c->body : "", c->body != NULL ? c->body_len : 0, h);
	int64_t now = clock_now(), expires = ts + PUSH_WINDOW_S;
	*retry = 0;
	int claimed = 0;
	enum db_rc rc = pushes_nonce_claim(c->db, nonce, h, expires, now, &claimed);
	if (rc != DB_OK)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	if (claimed)
		return ERR_OK;
	size_t seen_n = 0;
	rc = pushes_nonce_body(c->db, nonce, seen, &seen_n);
	if (rc == DB_OK && seen_n == 32 && crypto_ct_equal(seen, h, 32)) {
		*retry = 1;
		return ERR_OK;
	}
	if (rc != DB_OK && rc != DB_NOROW)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	return ERR_NONCE_REUSED;
}

enum err h_platform_verify(struct call *c)
{
	const char *echostr = q(c, "echostr");
	enum err e = signed_ok(c, NULL);
	if (e != ERR_OK)
		return e;
	if (echostr == NULL)
		return ERR_SIGNATURE;
	char *body = arena_strdup(c->arena, echostr);
	if (body == NULL)
		return ERR_INTERNAL;
	resp_raw(c, 200, "text/plain; charset=utf-8", body, strlen(body));
	return ERR_OK;
}

static void answer_success(struct call *c)
{
	resp_raw(c, 200, "text/plain; charset=utf-8", "success", 7);
}

/* The reply to a push, or NULL for a plain acknowledgement. */
static char *reply_for(struct call *c, const struct push_msg *m)
{
	const char *type = push_msg_get(m, "MsgType"), *event = push_msg_get(m, "Event");
	const char *key = push_msg_get(m, "EventKey");
	if (type == NULL || strcmp(type, "event") != 0 || event == NULL)
		return NULL;
	const char *text = NULL;
	if (strcmp(event, "subscribe") == 0)
		text = "Welcome to the city's health code. Apply for your code or show it here: ";
	else if (strcmp(event, "CLICK") == 0 && key != NULL && strcmp(key, c->conf->menu_key) == 0)
		text = "Your health code: ";
	if (text == NULL)
		return NULL;
	char content[1024];
	snprintf(content, sizeof content, "%s%s/api/v1/login?next=/", text, c->conf->public_url);
	size_t max = 4096;
	char *out = arena_alloc(c->arena, max);
	const char *to = push_msg_get(m, "FromUserName"), *from = push_msg_get(m, "ToUserName");
	if (out == NULL || to == NULL || from == NULL ||
	    push_reply_text(to, from, clock_now(), content, out, max) != PUSH_OK)
		return NULL;
	return out;
}

/* Events carry no MsgId: two different events of one user in one second (a subscribe and a
 * CLICK) must not collapse, so the event and a digest of its key join FromUserName+CreateTime. */
static int event_key(const struct push_msg *m, char *key, size_t max)
{
	if (strncmp(key, "e:", 2) != 0)
		return 0;
	const char *event = push_msg_get(m, "Event"), *ek = push_msg_get(m, "EventKey");
	uint8_t h[32];
	char hex[65];
	crypto_sha256(ek != NULL ? ek : "", ek != NULL ? strlen(ek) : 0, h);
	crypto_hex(h, 8, hex);
	size_t n = strlen(key);
	int w = snprintf(key + n, max - n, ":%.32s:%s", event != NULL ? event : "", hex);
	return w < 0 || (size_t)w >= max - n ? -1 : 0;
}

enum err h_platform_push(struct call *c)
{
	/* The signature, its window and its nonce are checked before anything of the body is parsed. */
	int64_t sent_at = 0;
	enum err e = signed_ok(c, &sent_at);
	if (e != ERR_OK)
		return e;
	const char *enc_type = q(c, "encrypt_type");
	int safe = enc_type != NULL && strcmp(enc_type, "aes") == 0;
	if (c->body_len > PUSH_XML_BODY_MAX)
		return ERR_TOO_LARGE;
	int retry = 0;
	e = claim_nonce(c, sent_at, &retry);
	if (e != ERR_OK)
		return e;
	if (retry) {
		answer_success(c);
		return ERR_OK;
	}

	struct push_field outer_f[PUSH_XML_FIELDS_MAX], f[PUSH_XML_FIELDS_MAX];
	struct push_msg outer, m;
	char *buf = arena_alloc(c->arena, PUSH_XML_BUF_SIZE), *obuf = arena_alloc(c->arena, PUSH_XML_BUF_SIZE);
	if (buf == NULL || obuf == NULL)
		return ERR_INTERNAL;
	const char *xml = c->body;
	size_t xml_len = c->body_len;
	struct push_aes aes;
	if (safe) {
		const char *msig = q(c, "msg_signature"), *ts = q(c, "timestamp"), *nonce = q(c, "nonce");
		if (c->conf->aes_key[0] == '\0' || push_aes_init(&aes, c->conf->aes_key) != PUSH_OK || msig == NULL)
			return ERR_SIGNATURE;
		push_msg_init(&outer, outer_f, PUSH_XML_FIELDS_MAX, obuf, PUSH_XML_BUF_SIZE);
		if (push_xml_parse(&outer, c->body, c->body_len) != PUSH_OK)
			return ERR_BAD_REQUEST;
		const char *encrypted = push_msg_get(&outer, "Encrypt");
		if (encrypted == NULL || push_check_msg_signature(c->conf->push_token, ts, nonce, encrypted, msig) != 1)
			return ERR_SIGNATURE;
		size_t elen = strlen(encrypted), plen = 0;
		char *plain = arena_alloc(c->arena, elen + 1);
		if (plain == NULL ||
		    push_decrypt(&aes, encrypted, elen, c->conf->appid, plain, elen + 1, &plen) != PUSH_OK)
			return ERR_SIGNATURE; /* one answer for every failure: no padding oracle */
		xml = plain;
		xml_len = plen;
	}
	push_msg_init(&m, f, PUSH_XML_FIELDS_MAX, buf, PUSH_XML_BUF_SIZE);
	if (push_xml_parse(&m, xml, xml_len) != PUSH_OK)
		return ERR_BAD_REQUEST;

	/* The platform retries a push it saw no answer to: answer each message once. */
	char key[200];
	if (push_dedup_key(&m, key, sizeof key) == PUSH_OK && event_key(&m, key, sizeof key) == 0) {
		int64_t now = clock_now();
		int fresh = 0;
		enum db_rc rc = pushes_dedup(c->db, key, now, &fresh);
		if (rc != DB_OK)
			return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
		if (!fresh) {
			answer_success(c);
			return ERR_OK;
		}
	}
	char *reply = reply_for(c, &m);
	if (reply == NULL) {
		answer_success(c);
		return ERR_OK;
	}
	if (!safe) {
		resp_raw(c, 200, "application/xml; charset=utf-8", reply, strlen(reply));
		return ERR_OK;
	}
	uint8_t rnd[16], nrnd[8];
	size_t rlen = strlen(reply), emax = PUSH_ENCRYPT_B64_SIZE(rlen, strlen(c->conf->appid));
	char *enc = arena_alloc(c->arena, emax);
	if (enc == NULL || crypto_random(rnd, sizeof rnd) != 0 || crypto_random(nrnd, sizeof nrnd) != 0 ||
	    push_encrypt(&aes, reply, rlen, c->conf->appid, rnd, enc, emax) != PUSH_OK)
		return ERR_INTERNAL;
	char ts[24], nonce[17], sig[PUSH_SIG_HEX];
	snprintf(ts, sizeof ts, "%lld", (long long)clock_now());
	crypto_hex(nrnd, sizeof nrnd, nonce);
	if (push_msg_signature(c->conf->push_token, ts, nonce, enc, sig) != PUSH_OK)
		return ERR_INTERNAL;
	size_t omax = strlen(enc) + 512;
	char *out = arena_alloc(c->arena, omax);
	if (out == NULL || push_reply_encrypted(enc, sig, ts, nonce, out, omax) != PUSH_OK)
		return ERR_INTERNAL;
	resp_raw(c, 200, "application/xml; charset=utf-8", out, strlen(out));
	return ERR_OK;
}
