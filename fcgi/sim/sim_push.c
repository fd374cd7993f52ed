/* sim_push.c: pushes to the service's server URL as the platform does: XML, signature, safe-mode AES, 5 s timeout, 3 tries. */
#include "sim_push.h"

#include "cclass.h"
#include "crypto.h"
#include "push.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const sim_push_type_name[5] = { "subscribe", "unsubscribe", "click", "text", NULL };

/* Writes s as CDATA; a "]]>" inside is split so that it round-trips. */
static void cdata(FILE *f, const char *tag, const char *s)
{
	fprintf(f, "<%s><![CDATA[", tag);
	for (const char *p = s; *p != '\0'; p++) {
		if (strncmp(p, "]]>", 3) == 0) {
			fputs("]]]]><![CDATA[>", f);
			p += 2;
			continue;
		}
		fputc(*p, f);
	}
	fprintf(f, "]]></%s>", tag);
}

/* The message XML in a malloc'd buffer (NULL on failure). */
static char *build_xml(const struct sim_push *p, const char *msgid, int64_t create_time, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (f == NULL)
		return NULL;
	fputs("<xml>", f);
	cdata(f, "ToUserName", SIM_PUSH_ACCOUNT);
	cdata(f, "FromUserName", p->openid);
	fprintf(f, "<CreateTime>%" PRId64 "</CreateTime>", create_time);
	const char *key = p->key != NULL ? p->key : "";
	switch (p->type) {
	case SIM_PUSH_SUBSCRIBE:
		cdata(f, "MsgType", "event");
		cdata(f, "Event", "subscribe");
		if (key[0] != '\0') {
			/* Through a parametric QR code: the scene and a ticket. */
			char *scene = NULL;
			size_t n = 0;
			FILE *g = open_memstream(&scene, &n);
			if (g != NULL) {
				fprintf(g, "qrscene_%s", key);
				fclose(g);
			}
			cdata(f, "EventKey", scene != NULL ? scene : "");
			free(scene);
			cdata(f, "Ticket",
			      "gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2tZU2ltAAIEdjQ2WQMEAAAAAA==");
		} else {
			cdata(f, "EventKey", "");
		}
		break;
	case SIM_PUSH_UNSUBSCRIBE:
		cdata(f, "MsgType", "event");
		cdata(f, "Event", "unsubscribe");
		cdata(f, "EventKey", "");
		break;
	case SIM_PUSH_CLICK:
		cdata(f, "MsgType", "event");
		cdata(f, "Event", "CLICK");
		cdata(f, "EventKey", key);
		break;
	case SIM_PUSH_TEXT:
		cdata(f, "MsgType", "text");
		cdata(f, "Content", p->content != NULL ? p->content : "");
		fprintf(f, "<MsgId>%s</MsgId>", msgid);
		break;
	}
	fputs("</xml>", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct sink {
	char *buf;
	size_t len;
};

static size_t on_data(char *d, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;
	if (s->len + add > SIM_PUSH_REPLY_MAX)
		return 0; /* too large: the transfer fails */
	char *nb = realloc(s->buf, s->len + add + 1);
	if (nb == NULL)
		return 0;
	memcpy(nb + s->len, d, add);
	s->buf = nb;
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

/* In safe mode: checks and decrypts the service's <Encrypt> reply in place. */
static void open_reply(const struct sim_push *p, const struct push_aes *aes, struct sim_push_result *r)
{
	size_t start = cc_span(r->reply, cc_space);
	if (r->reply[start] == '\0' || strcmp(r->reply + start, "success") == 0)
		return;
	struct push_field *fields = calloc(PUSH_XML_FIELDS_MAX, sizeof *fields);
	char *vals = malloc(PUSH_XML_BUF_SIZE);
	char *plain = malloc(PUSH_CIPHER_MAX + 1);
	struct push_msg m;
	size_t n = 0;
	if (fields == NULL || vals == NULL || plain == NULL) {
		snprintf(r->error, sizeof r->error, "out of memory");
		goto out;
	}
	push_msg_init(&m, fields, PUSH_XML_FIELDS_MAX, vals, PUSH_XML_BUF_SIZE);
	if (push_xml_parse(&m, r->reply, r->reply_len) != PUSH_OK) {
		snprintf(r->error, sizeof r->error, "the reply is not the platform's XML");
		goto out;
	}
	const char *enc = push_msg_get(&m, "Encrypt"), *sig = push_msg_get(&m, "MsgSignature");
	const char *ts = push_msg_get(&m, "TimeStamp"), *nonce = push_msg_get(&m, "Nonce");
	if (enc == NULL || !push_check_msg_signature(p->token, ts, nonce, enc, sig)) {
		snprintf(r->error, sizeof r->error, "the reply's MsgSignature is wrong");
		goto out;
	}
	int rc = push_decrypt(aes, enc, strlen(enc), p->appid, plain, PUSH_CIPHER_MAX + 1, &n);
	if (rc != PUSH_OK) {
		snprintf(r->error, sizeof r->error, "the reply does not decrypt: %s", push_strerror(rc));
		goto out;
	}
	free(r->reply);
	r->reply = plain;
	r->reply_len = n;
	plain = NULL;
out:
	free(fields);
	free(vals);
	free(plain);
}

int sim_push_send(const struct sim_push *p, struct sim_push_result *r)
{
	memset(r, 0, sizeof *r);
	int ret = -1;
	struct push_aes aes;
	memset(&aes, 0, sizeof aes);
	char msgid[24], ts[24], nonce[16], sig[PUSH_SIG_HEX], msig[PUSH_SIG_HEX];
	int64_t create_time = p->create_time > 0 ? p->create_time : (int64_t)time(NULL);
	uint64_t rnd = 0;
	uint8_t iv[16];
	if (crypto_random(&rnd, sizeof rnd) != 0 || crypto_random(iv, sizeof iv) != 0) {
		snprintf(r->error, sizeof r->error, "no randomness");
		return -1;
	}
	/* A MsgId the size of the platform's: between 2^62 and 2^63. */
	snprintf(msgid, sizeof msgid, "%s", p->msgid != NULL ? p->msgid : "");
	if (msgid[0] == '\0')
		snprintf(msgid, sizeof msgid, "%" PRIu64,
			 (uint64_t)((rnd & ((UINT64_C(1) << 62) - 1)) | (UINT64_C(1) << 62)));
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	snprintf(nonce, sizeof nonce, "%u", (unsigned)(rnd >> 32) % 900000000u + 100000000u);

	size_t xlen = 0;
	char *xml = build_xml(p, msgid, create_time, &xlen), *body = NULL, *b64 = NULL, *url = NULL;
	char *openid_q = NULL;
	size_t blen = 0;
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL;
	struct sink sink = { NULL, 0 };
	if (xml == NULL || push_signature(p->token, ts, nonce, sig) != PUSH_OK) {
		snprintf(r->error, sizeof r->error, "cannot build the message");
		goto out;
	}
	if (p->aes_key != NULL) {
		size_t cap = PUSH_ENCRYPT_B64_SIZE(xlen, strlen(p->appid));
		b64 = malloc(cap);
		int rc = push_aes_init(&aes, p->aes_key);
		if (rc == PUSH_OK && b64 != NULL)
			rc = push_encrypt(&aes, xml, xlen, p->appid, iv, b64, cap);
		if (rc == PUSH_OK)
			rc = push_msg_signature(p->token, ts, nonce, b64, msig);
		if (rc != PUSH_OK || b64 == NULL) {
			snprintf(r->error, sizeof r->error, "cannot encrypt: %s", push_strerror(rc));
			goto out;
		}
		FILE *f = open_memstream(&body, &blen);
		if (f == NULL)
			goto out;
		fputs("<xml>", f);
		cdata(f, "ToUserName", SIM_PUSH_ACCOUNT);
		cdata(f, "Encrypt", b64);
		fputs("</xml>", f);
		fclose(f);
	} else {
		body = xml;
		blen = xlen;
		xml = NULL;
	}

	h = curl_easy_init();
	if (h == NULL || body == NULL)
		goto out;
	openid_q = curl_easy_escape(h, p->openid, 0);
	{
		size_t ulen = strlen(p->url) + 400;
		url = malloc(ulen);
		if (url == NULL || openid_q == NULL)
			goto out;
		int w = snprintf(url, ulen, "%s%ssignature=%s&timestamp=%s&nonce=%s&openid=%s", p->url,
				 strchr(p->url, '?') != NULL ? "&" : "?", sig, ts, nonce, openid_q);
		if (p->aes_key != NULL && w > 0 && (size_t)w < ulen)
			snprintf(url + w, ulen - (size_t)w, "&encrypt_type=aes&msg_signature=%s", msig);
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: text/xml");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)blen);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)SIM_PUSH_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)SIM_PUSH_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Mozilla/4.0 (hqr-platform-sim)");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	/* The same message, MsgId and CreateTime on every try: the service must deduplicate. */
	for (r->tries = 1; r->tries <= SIM_PUSH_TRIES; r->tries++) {
		free(sink.buf);
		sink.buf = NULL;
		sink.len = 0;
		CURLcode rc = curl_easy_perform(h);
		if (rc == CURLE_OK) {
			long code = 0;
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
			r->status = (int)code;
			r->error[0] = '\0';
			ret = 0;
			break;
		}
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
	}
	if (r->tries > SIM_PUSH_TRIES)
		r->tries = SIM_PUSH_TRIES;
	r->reply = sink.buf != NULL ? sink.buf : strdup("");
	r->reply_len = sink.buf != NULL ? sink.len : 0;
	sink.buf = NULL;
	if (ret == 0 && r->reply != NULL && p->aes_key != NULL)
		open_reply(p, &aes, r);
out:
	OPENSSL_cleanse(&aes, sizeof aes);
	curl_slist_free_all(hdrs);
	curl_free(openid_q);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(sink.buf);
	free(url);
	free(xml);
	free(b64);
	free(body);
	return ret;
}
