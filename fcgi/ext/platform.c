/* platform.c: libcurl client of the chat platform; the shared access token; bounded waits. */
#include "platform.h"
#include "pf_errcode.h"
#include "cclass.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "store_platform.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int waiting;              /* threads of this process holding a platform slot */
static _Thread_local int slot_depth;    /* this thread's nested takes of its one slot */
static _Thread_local CURL *thread_curl; /* one handle per thread, reused for keep-alive */

int platform_slot_take(const struct conf *c)
{
	if (slot_depth > 0) {
		slot_depth++;
		return 0;
	}
	if (atomic_fetch_add(&waiting, 1) >= c->platform_max_waits) {
		atomic_fetch_sub(&waiting, 1);
		return -1;
	}
	slot_depth = 1;
	return 0;
}

void platform_slot_give(void)
{
	if (slot_depth > 0 && --slot_depth == 0)
		atomic_fetch_sub(&waiting, 1);
}

void platform_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void platform_thread_end(void)
{
	if (thread_curl != NULL)
		curl_easy_cleanup(thread_curl);
	thread_curl = NULL;
}

void pf_resp_free(struct pf_resp *r)
{
	cJSON_Delete(r->json);
	free(r->raw);
	memset(r, 0, sizeof *r);
}

const char *pf_rc_word(enum pf_rc rc)
{
	static const char *w[] = { "OK", "ERRCODE", "TIMEOUT", "NETWORK", "BAD_BODY", "BUSY", "DATABASE" };
	return (unsigned)rc < sizeof w / sizeof w[0] ? w[rc] : "UNKNOWN";
}

struct sink {
	char *p;
	size_t len;
	int over;
};

static size_t on_data(char *d, size_t size, size_t n, void *user)
{
	struct sink *s = user;
	size_t add = size * n;
	if (s->len + add > PF_BODY_MAX) {
		s->over = 1;
		return 0; /* aborts the transfer */
	}
	char *np = realloc(s->p, s->len + add + 1);
	if (np == NULL)
		return 0;
	s->p = np;
	memcpy(s->p + s->len, d, add);
	s->len += add;
	s->p[s->len] = '\0';
	return add;
}

enum pf_rc platform_request(const struct conf *c, const char *url, const char *body, struct pf_resp *out)
{
	memset(out, 0, sizeof *out);
	if (platform_slot_take(c) != 0)
		return PF_BUSY;
	enum pf_rc rc = PF_OK;
	struct sink s = { NULL, 0, 0 };
	struct curl_slist *hdr = NULL;
	if (thread_curl == NULL)
		thread_curl = curl_easy_init();
	CURL *h = thread_curl;
	if (h == NULL) {
		rc = PF_NET;
		goto done;
	}
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->platform_timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->platform_connect_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)PF_BODY_MAX);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		rc = PF_TIMEOUT;
	} else if (s.over || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = PF_BAD_BODY;
	} else if (cc != CURLE_OK || status != 200) {
		log_warn("platform call failed: curl %d, HTTP %ld", (int)cc, status);
		rc = PF_NET;
	} else {
		out->raw = s.p != NULL ? s.p : strdup("");
		s.p = NULL;
		out->json = out->raw != NULL ? cJSON_Parse(out->raw) : NULL;
		if (!cJSON_IsObject(out->json)) {
			rc = PF_BAD_BODY;
		} else {
			/* A missing errcode means 0 (token and OAuth success bodies carry none). */
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(out->json, "errcode");
			out->errcode = cJSON_IsNumber(e) ? (long)e->valuedouble : 0;
			rc = out->errcode == 0 ? PF_OK : PF_ERRCODE;
		}
	}
done:
	free(s.p);
	curl_slist_free_all(hdr);
	platform_slot_give();
	return rc;
}

/* Retries a genuine -1 (system busy) twice with backoff; nothing else is retried here. */
static enum pf_rc request_retry(const struct conf *c, const char *url, const char *body, struct pf_resp *out)
{
	static const useconds_t backoff[] = { 100000, 400000 };
	enum pf_rc rc = platform_request(c, url, body, out);
	for (size_t i = 0; i < 2 && rc == PF_ERRCODE && out->errcode == PFE_SYSTEM_BUSY; i++) {
		pf_resp_free(out);
		usleep(backoff[i]);
		rc = platform_request(c, url, body, out);
	}
	return rc;
}

static int copy_str(const cJSON *o, const char *name, char *out, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	out[0] = '\0';
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= max)
		return -1;
	snprintf(out, max, "%s", v->valuestring);
	return 0;
}

/* openid and unionid are ASCII ids; anything else is a bad body. */
static int id_ok(const char *s)
{
	return cc_all(s, strlen(s), cc_b64url);
}

static enum pf_rc user_call(const struct conf *c, const char *path, const char *codeparam, const char *code,
			    struct pf_user *u, long *errcode)
{
	char url[2048];
	memset(u, 0, sizeof *u);
	*errcode = 0;
	if (code[0] != '\0' && !cc_all(code, strlen(code), cc_b64url))
		return PF_BAD_BODY;
	int n = snprintf(url, sizeof url, "%s%s?appid=%s&secret=%s&%s=%s&grant_type=authorization_code", c->api_base,
			 path, c->appid, c->app_secret, codeparam, code);
	if (n < 0 || (size_t)n >= sizeof url)
		return PF_NET;
	struct pf_resp r;
	enum pf_rc rc = request_retry(c, url, NULL, &r);
	if (rc == PF_ERRCODE)
		*errcode = r.errcode;
	if (rc == PF_OK) {
		copy_str(r.json, "openid", u->openid, sizeof u->openid);
		copy_str(r.json, "unionid", u->unionid, sizeof u->unionid);
		const cJSON *snap = cJSON_GetObjectItemCaseSensitive(r.json, "is_snapshotuser");
		u->snapshot = cJSON_IsNumber(snap) && snap->valuedouble == 1;
		if (!id_ok(u->openid) || (u->unionid[0] != '\0' && !id_ok(u->unionid)))
			rc = PF_BAD_BODY;
	}
	pf_resp_free(&r);
	return rc;
}

enum pf_rc platform_oauth_exchange(const struct conf *c, const char *code, struct pf_user *u, long *errcode)
{
	return user_call(c, "/sns/oauth2/access_token", "code", code, u, errcode);
}

enum pf_rc platform_jscode2session(const struct conf *c, const char *code, struct pf_user *u, long *errcode)
{
	return user_call(c, "/sns/jscode2session", "js_code", code, u, errcode);
}

#define TOKEN_MAX     600
#define TOKEN_EARLY_S 300

/* Calls /cgi-bin/token and stores the new token (the caller holds the refresh lease). */
static enum pf_rc refresh(const struct conf *c, struct db *db, char *token, size_t max)
{
	char url[2048], tok[TOKEN_MAX];
	int un = snprintf(url, sizeof url, "%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s",
			  c->api_base, c->appid, c->app_secret);
	if (un < 0 || (size_t)un >= sizeof url)
		return PF_NET;
	struct pf_resp r;
	enum pf_rc rc = request_retry(c, url, NULL, &r);
	if (rc == PF_OK) {
		const cJSON *ei = cJSON_GetObjectItemCaseSensitive(r.json, "expires_in");
		if (copy_str(r.json, "access_token", tok, sizeof tok) != 0 || tok[0] == '\0' || !cJSON_IsNumber(ei) ||
		    strlen(tok) >= max) {
			rc = PF_BAD_BODY;
		} else {
			int64_t nexp = clock_now() + (int64_t)ei->valuedouble;
			if (pftoken_set(db, tok, nexp) != DB_OK)
				rc = PF_DB;
			else
				snprintf(token, max, "%s", tok);
		}
	} else if (rc == PF_ERRCODE) {
		log_warn("platform token refresh refused: errcode %ld", r.errcode);
	}
	pf_resp_free(&r);
	return rc;
}

enum pf_rc platform_token(const struct conf *c, struct db *db, char *token, size_t max)
{
	char tok[TOKEN_MAX];
	int64_t exp = 0;
	int64_t deadline = clock_now() + (c->platform_timeout_ms * 3) / 1000 + 2;
	for (;;) {
		int64_t now = clock_now();
		enum db_rc dr = pftoken_get(db, tok, sizeof tok, &exp);
		if (dr == DB_NOROW) {
			if (pftoken_ensure(db) != DB_OK)
				return PF_DB;
			continue;
		}
		if (dr != DB_OK)
			return PF_DB;
		if (tok[0] != '\0' && exp - now > TOKEN_EARLY_S && strlen(tok) < max) {
			snprintf(token, max, "%s", tok);
			return PF_OK;
		}
		/* One process refreshes, under a lease as long as the call may take; the others re-read
		 * the row until the fresh token appears (no lock is held across the network). */
		int64_t lease = now + (c->platform_timeout_ms * 3) / 1000 + 2;
		int claimed = 0;
		if (pftoken_claim(db, lease, now, &claimed) != DB_OK)
			return PF_DB;
		if (claimed) {
			enum pf_rc rc = refresh(c, db, token, max);
			if (rc != PF_OK)
				pftoken_release(db);
			return rc;
		}
		if (now > deadline)
			return PF_TIMEOUT;
		usleep(50000);
	}
}

/* The whole call holds one slot: the wait for another process's token refresh and the backoff
 * between retries are platform waits too. */
static enum pf_rc api_post(const struct conf *c, struct db *db, const char *path, const char *body, int idempotent,
			   struct pf_resp *out);

enum pf_rc platform_api_post(const struct conf *c, struct db *db, const char *path, const char *body, int idempotent,
			     struct pf_resp *out)
{
	memset(out, 0, sizeof *out);
	if (platform_slot_take(c) != 0)
		return PF_BUSY;
	enum pf_rc rc = api_post(c, db, path, body, idempotent, out);
	platform_slot_give();
	return rc;
}

static enum pf_rc api_post(const struct conf *c, struct db *db, const char *path, const char *body, int idempotent,
			   struct pf_resp *out)
{
	char tok[TOKEN_MAX], url[4096];
	for (int attempt = 0; attempt < 2; attempt++) {
		enum pf_rc rc = platform_token(c, db, tok, sizeof tok);
		if (rc != PF_OK)
			return rc;
		int un = snprintf(url, sizeof url, "%s%s?access_token=%s", c->api_base, path, tok);
		if (un < 0 || (size_t)un >= sizeof url)
			return PF_NET;
		rc = idempotent ? request_retry(c, url, body, out) : platform_request(c, url, body, out);
		if (rc == PF_ERRCODE && attempt == 0 &&
		    (out->errcode == PFE_INVALID_CREDENTIAL || out->errcode == PFE_INVALID_ACCESS_TOKEN ||
		     out->errcode == PFE_ACCESS_TOKEN_EXPIRED)) {
			/* Expire the cached token only if it is still the one that failed. */
			pftoken_expire_if(db, tok);
			pf_resp_free(out);
			continue;
		}
		return rc;
	}
	return PF_ERRCODE;
}

enum pf_rc platform_template_send(const struct conf *c, struct db *db, const struct pf_template *t, struct pf_resp *out)
{
	char url[600];
	snprintf(url, sizeof url, "%s/", c->public_url);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "touser", t->touser);
	cJSON_AddStringToObject(o, "template_id", t->template_id);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "client_msg_id", t->client_msg_id);
	cJSON *data = cJSON_AddObjectToObject(o, "data");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "first"), "value", t->first);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "keyword1"), "value", t->keyword1);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "keyword2"), "value", t->keyword2);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "remark"), "value", t->remark);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (body == NULL) {
		memset(out, 0, sizeof *out);
		return PF_BAD_BODY;
	}
	enum pf_rc rc = platform_api_post(c, db, "/cgi-bin/message/template/send", body, 1, out);
	cJSON_free(body);
	return rc;
}

int pf_int_text(const char *raw, const char *member, char *out, size_t max)
{
	char key[80];
	snprintf(key, sizeof key, "\"%s\"", member);
	const char *p = raw != NULL ? strstr(raw, key) : NULL;
	if (p == NULL)
		return -1;
	p += strlen(key);
	p += cc_span(p, cc_ows);
	if (*p == ':')
		p++;
	p += cc_span(p, cc_ows);
	size_t n = 0;
	if (*p == '-')
		out[n++] = *p++;
	while (cc_digit((unsigned char)*p) && n + 1 < max)
		out[n++] = *p++;
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* Posts a JSON object once (never retried: each face call's answer is single-use) and frees it.
 * *r is always set (empty when the object could not be printed): the caller frees it. */
static enum pf_rc face_post(const struct conf *c, struct db *db, const char *path, cJSON *o, struct pf_resp *r,
			    long *errcode)
{
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	memset(r, 0, sizeof *r);
	if (body == NULL)
		return PF_BAD_BODY;
	enum pf_rc rc = platform_api_post(c, db, path, body, 0, r);
	cJSON_free(body);
	*errcode = r->errcode;
	return rc;
}

enum pf_rc platform_face_verify_id(const struct conf *c, struct db *db, const char *openid, const char *out_seq_no,
				   const char *name, const char *id_number, char *verify_id, size_t max, long *errcode)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "out_seq_no", out_seq_no);
	cJSON *ci = cJSON_AddObjectToObject(o, "cert_info");
	cJSON_AddStringToObject(ci, "cert_type", "IDENTITY_CARD");
	cJSON_AddStringToObject(ci, "cert_name", name);
	cJSON_AddStringToObject(ci, "cert_no", id_number);
	cJSON_AddStringToObject(o, "openid", openid);
	struct pf_resp r;
	/* Each call issues a new verify_id: not idempotent, never retried. */
	enum pf_rc rc = face_post(c, db, "/cityservice/face/identify/getverifyid", o, &r, errcode);
	if (rc == PF_OK) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r.json, "verify_id"));
		size_t n = v != NULL ? strlen(v) : 0;
		if (n == 0 || n >= max || !cc_all(v, n, cc_unreserved))
			rc = PF_BAD_BODY;
		else
			memcpy(verify_id, v, n + 1);
	}
	pf_resp_free(&r);
	return rc;
}

enum pf_rc platform_face_query(const struct conf *c, struct db *db, const char *verify_id, const char *out_seq_no,
			       const char *cert_hash, const char *openid, int *verify_ret, long *errcode)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verify_id", verify_id);
	cJSON_AddStringToObject(o, "out_seq_no", out_seq_no);
	cJSON_AddStringToObject(o, "cert_hash", cert_hash);
	cJSON_AddStringToObject(o, "openid", openid);
	struct pf_resp r;
	/* A verify_id answers one query: never retried. */
	enum pf_rc rc = face_post(c, db, "/cityservice/face/identify/queryverifyinfo", o, &r, errcode);
	if (rc == PF_OK) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "verify_ret");
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 999999)
			rc = PF_BAD_BODY;
		else
			*verify_ret = v->valueint;
	}
	pf_resp_free(&r);
	return rc;
}
