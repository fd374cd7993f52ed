/* session.c: citizen sessions: random tokens, hashed at rest, idle and absolute expiry, CSRF rule. */
#include "session.h"
#include "cclass.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "resp.h"
#include "store_sessions.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum db_rc session_create(struct db *db, const struct conf *conf, uint64_t account, enum session_kind kind, char *token,
			  int64_t *expires_at)
{
	uint8_t raw[32], hash[32];
	if (crypto_random(raw, sizeof raw) != 0)
		return DB_ERR;
	crypto_b64url(raw, sizeof raw, token, SESSION_TOKEN_LEN + 1);
	crypto_sha256(token, SESSION_TOKEN_LEN, hash);
	int64_t now = clock_now(), exp = now + conf->session_absolute_s;
	*expires_at = exp;
	return sessions_insert(db, hash, account, (int32_t)kind, now, exp);
}

/* A token is exactly SESSION_TOKEN_LEN base64url characters. */
static int token_ok(const char *t)
{
	return t != NULL && strlen(t) == SESSION_TOKEN_LEN && cc_all(t, SESSION_TOKEN_LEN, cc_b64url);
}

enum err session_defer(struct call *c)
{
	const char *auth = call_param(c, "HTTP_AUTHORIZATION");
	const char *token = NULL;
	int kind;
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
		kind = SESSION_BEARER;
	} else {
		token = call_cookie(c, session_cookie_name(c->conf));
		kind = SESSION_COOKIE;
	}
	if (!token_ok(token))
		return ERR_UNAUTHENTICATED;
	crypto_sha256(token, SESSION_TOKEN_LEN, c->session_hash);
	c->session_token = token;
	c->session_kind = kind; /* the kind the request claims, until session_accept */
	c->session_deferred = 1;
	return ERR_OK;
}

enum err session_accept(struct call *c, enum db_rc rc, uint64_t account, int32_t stored_kind, int64_t last, int64_t now)
{
	int kind = c->session_kind;
	c->session_kind = 0;
	if (rc == DB_NOROW)
		return ERR_UNAUTHENTICATED;
	if (rc != DB_OK)
		return ERR_UNAVAILABLE;
	/* A cookie session is not a bearer token and the other way round. */
	if (stored_kind != kind)
		return ERR_UNAUTHENTICATED;
	if (kind == SESSION_COOKIE && strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0) {
		const char *xrw = call_param(c, "HTTP_X_REQUESTED_WITH");
		if (xrw == NULL || strcmp(xrw, "hqr") != 0)
			return ERR_CSRF;
	}
	/* Idle expiry moves at most once a minute, not on every request. */
	if (now - last >= 60)
		sessions_touch(c->db, c->session_hash, now);
	c->account_id = account;
	c->session_kind = kind;
	c->session_deferred = 0; /* the caller's check is finished */
	return ERR_OK;
}

enum err session_authenticate(struct call *c)
{
	enum err e = session_defer(c);
	if (e != ERR_OK)
		return e;
	c->session_deferred = 0;
	int64_t now = clock_now();
	struct session_row s;
	enum db_rc rc = sessions_get(c->db, c->session_hash, now, now - c->conf->session_idle_s, &s);
	return session_accept(c, rc, s.account, s.kind, s.last, now);
}

enum db_rc session_end(struct call *c)
{
	uint8_t hash[32];
	if (c->session_token == NULL)
		return DB_NOROW;
	crypto_sha256(c->session_token, SESSION_TOKEN_LEN, hash);
	return sessions_delete(c->db, hash);
}

int session_tls(const struct conf *conf)
{
	return strncasecmp(conf->public_url, "https://", 8) == 0;
}

const char *session_cookie_name(const struct conf *conf)
{
	return session_tls(conf) ? SESSION_COOKIE_HOST_NAME : SESSION_COOKIE_NAME;
}

void session_cookie_attrs(const struct conf *conf, const char *path, int64_t max_age, char *out, size_t max)
{
	int tls = session_tls(conf);
	snprintf(out, max, "; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Lax%s", tls ? "/" : path, (long long)max_age,
		 tls || !conf->local_http ? "; Secure" : "");
}

void session_set_cookie(struct call *c, const char *token, int64_t max_age)
{
	char attrs[96], v[256];
	session_cookie_attrs(c->conf, "/", max_age, attrs, sizeof attrs);
	snprintf(v, sizeof v, "%s=%s%s", session_cookie_name(c->conf), token, attrs);
	resp_header(c, "Set-Cookie", v);
}
