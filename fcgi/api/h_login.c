/* h_login.c: logging in through the platform's OAuth (web and mini-program), logout, /me. */
#include "cclass.h"
#include "clock.h"
#include "pf_errcode.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "isotime.h"
#include "log.h"
#include "platform.h"
#include "resp.h"
#include "routes.h"
#include "session.h"
#include "store_sessions.h"
#include "fields.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define STATE_LEN            32
#define STATE_TTL_S          600
#define CODE_REUSE_S         60
#define CODE_PENDING_POLL_MS 100
/* The login's state is bound to the browser that asked for it (RFC 6749 §10.12): a short-lived
 * cookie holds a secret whose hash is stored with the state and with the exchanged code. */
#define BROWSER_COOKIE       "hqr_login"
#define BROWSER_LEN          32

static int random_alnum(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t raw[128];
	if (n > sizeof raw || crypto_random(raw, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = set[raw[i] % 62]; /* 256 % 62 bias is irrelevant at 32 characters */
	out[n] = '\0';
	return 0;
}

/* Over TLS the cookie is __Host- prefixed, which needs Path=/ (see session.h). */
static const char *browser_cookie_name(const struct call *c)
{
	return session_tls(c->conf) ? "__Host-" BROWSER_COOKIE : BROWSER_COOKIE;
}

static void browser_cookie(struct call *c, const char *value, int max_age)
{
	char attrs[96], v[200];
	session_cookie_attrs(c->conf, "/api/v1/login", max_age, attrs, sizeof attrs);
	snprintf(v, sizeof v, "%s=%s%s", browser_cookie_name(c), value, attrs);
	resp_header(c, "Set-Cookie", v);
}

/* The hash of this browser's login cookie: 0, or -1 when it has none (or a malformed one). */
static int browser_hash(struct call *c, uint8_t out[32])
{
	const char *v = call_cookie(c, browser_cookie_name(c));
	if (v == NULL || strlen(v) != BROWSER_LEN || !cc_all(v, BROWSER_LEN, cc_alnum))
		return -1;
	crypto_sha256(v, BROWSER_LEN, out);
	return 0;
}

/* Whether this browser's cookie is the one stored (stored_len 32) with a state or code. */
static int same_browser(struct call *c, const uint8_t *stored, unsigned long stored_len)
{
	uint8_t mine[32];
	return stored_len == 32 && browser_hash(c, mine) == 0 && crypto_ct_equal(mine, stored, 32);
}

/* Anonymous login starts cannot grow the states without bound: past [session] login_states_max
 * the oldest go (a login that old fails with STATE_INVALID and starts again), and each start
 * removes a few expired ones. A failure here only delays the trimming to the next start. */
static void trim_states(struct call *c, int64_t seq)
{
	sessions_states_trim(c->db, seq, c->conf->login_states_max, clock_now());
}

enum err h_login(struct call *c)
{
	const char *next = c->f[LOGIN_NEXT].present ? c->f[LOGIN_NEXT].s : "/";
	char state[STATE_LEN + 1], secret[BROWSER_LEN + 1];
	uint8_t bhash[32];
	if (random_alnum(state, STATE_LEN) != 0 || random_alnum(secret, BROWSER_LEN) != 0)
		return ERR_INTERNAL;
	crypto_sha256(secret, BROWSER_LEN, bhash);
	int64_t exp = clock_now() + STATE_TTL_S;
	int64_t seq = 0;
	enum db_rc rc = sessions_state_insert(c->db, state, next, exp, bhash, &seq);
	if (rc != DB_OK)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	trim_states(c, seq);
	browser_cookie(c, secret, STATE_TTL_S);
	char *redirect = arena_printf(c->arena, "%s/api/v1/login/callback", c->conf->public_url);
	char *enc = redirect != NULL ? pct_encode(c->arena, redirect) : NULL;
	/* The platform's exact parameter order; redirect_uri encoded once. */
	char *url =
	    enc != NULL
		? arena_printf(
		      c->arena,
		      "%s/connect/oauth2/authorize?appid=%s&redirect_uri=%s&response_type=code&scope=%s&state=%s#wechat_redirect",
		      c->conf->authorize_base, c->conf->appid, enc, c->conf->oauth_scope, state)
		: NULL;
	if (url == NULL)
		return ERR_INTERNAL;
	resp_redirect(c, url);
	return ERR_OK;
}

/* Every callback failure lands on the client page with a stable word, and is logged. */
static enum err fail(struct call *c, const char *word)
{
	log_warn("login callback failed: %s", word);
	char *url = arena_printf(c->arena, "/?login_error=%s", word);
	resp_redirect(c, url != NULL ? url : "/?login_error=INTERNAL");
	return ERR_OK;
}

static void reuse_key(const char *code, uint8_t key[32])
{
	char buf[200];
	snprintf(buf, sizeof buf, "hqr-code-reuse:%s", code);
	crypto_sha256(buf, strlen(buf), key);
}

/* A reload of the callback with a code exchanged in the last minute lands in its session. A code
 * whose first load is still waiting on the platform is remembered with an empty token: the
 * reload waits for it (at most the platform's timeout and a little, holding a platform slot or
 * failing at once with PLATFORM_UNAVAILABLE), then lands in the same session. 1: answered (landed, or failed while waiting); 0: not a known code, go on. */
static int try_reuse(struct call *c, const char *code, const char *state, const uint8_t code_hash[32])
{
	struct oauth_code oc;
	uint8_t key[32], token[SESSION_TOKEN_LEN + 1];
	int64_t wait_ms = c->conf->platform_timeout_ms + 2000;
	int slot = 0; /* the wait is a platform wait: it holds one of the bounded slots */
	for (;;) {
		enum db_rc rc = sessions_code_get(c->db, code_hash, clock_now(), &oc);
		if (rc != DB_OK || strcmp(oc.state, state) != 0)
			goto unknown;
		/* Only the browser that started the login lands in its session: a callback URL sent
		 * to someone else opens nothing. */
		if (!same_browser(c, oc.browser_hash, oc.bh_n)) {
			fail(c, "LOGIN_OTHER_BROWSER");
			goto answered;
		}
		if (oc.sealed_n > 0)
			break;
		if (wait_ms <= 0) {
			fail(c, "LOGIN_PENDING");
			goto answered;
		}
		if (!slot) {
			if (platform_slot_take(c->conf) != 0) {
				fail(c, "PLATFORM_UNAVAILABLE");
				return 1;
			}
			slot = 1;
		}
		struct timespec ts = { 0, CODE_PENDING_POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
		wait_ms -= CODE_PENDING_POLL_MS;
	}
	if (slot)
		platform_slot_give();
	reuse_key(code, key);
	int n = crypto_open(key, NULL, 0, oc.sealed, oc.sealed_n, token, sizeof token - 1);
	if (n != SESSION_TOKEN_LEN)
		return 0;
	token[n] = '\0';
	session_set_cookie(c, (const char *)token, c->conf->session_absolute_s);
	resp_redirect(c, arena_strdup(c->arena, oc.next));
	log_info("login callback: a reused code landed in its session");
	return 1;
answered:
	if (slot)
		platform_slot_give();
	return 1;
unknown:
	if (slot)
		platform_slot_give();
	return 0;
}

/* The first load failed after remembering its code: a reload must not wait for it. */
static void forget_code(struct call *c, const uint8_t code_hash[32])
{
	sessions_code_delete(c->db, code_hash);
}

static enum err fail_code(struct call *c, const uint8_t code_hash[32], const char *word)
{
	forget_code(c, code_hash);
	return fail(c, word);
}

enum err h_login_callback(struct call *c)
{
	const struct kv *kc = kv_get(&c->query, "code"), *ks = kv_get(&c->query, "state");
	if (kc == NULL || ks == NULL || kc->len == 0 || ks->len == 0)
		return fail(c, "MISSING_PARAMS");
	struct fval fv;
	if (valid_login_code(NULL, c->arena, kc->val, kc->len, &fv) != NULL)
		return fail(c, "CODE_INVALID");
	if (ks->len > 128 || !cc_all(ks->val, ks->len, cc_alnum))
		return fail(c, "STATE_INVALID");
	const char *code = kc->val, *state = ks->val;
	uint8_t code_hash[32];
	crypto_sha256(code, strlen(code), code_hash);
	if (try_reuse(c, code, state, code_hash))
		return ERR_OK;

	/* The state is single use: read it, then delete it; only the deleter goes on. */
	char next[VALID_NEXT_MAX + 1];
	uint8_t bh[32];
	int64_t now = clock_now();
	size_t bh_n = 0;
	enum db_rc rc = sessions_state_get(c->db, state, now, next, sizeof next, bh, &bh_n);
	if (rc == DB_NOROW)
		return fail(c, "STATE_INVALID");
	if (rc != DB_OK)
		return fail(c, "UNAVAILABLE");
	/* A login started in another browser (login CSRF): the state stays for its own browser. */
	if (!same_browser(c, bh, bh_n))
		return fail(c, "LOGIN_OTHER_BROWSER");
	/* Remembered before the state is spent, with no token yet: a reload from here on waits for
	 * this load instead of finding the state gone. */
	int64_t reuse_until = now + CODE_REUSE_S;
	rc = sessions_code_insert(c->db, code_hash, state, next, reuse_until, bh);
	if (rc == DB_DUP) /* another load of this code is on its way: land where it lands */
		return try_reuse(c, code, state, code_hash) ? ERR_OK : fail(c, "CODE_USED");
	if (rc != DB_OK)
		return fail(c, "UNAVAILABLE");
	if ((rc = sessions_state_delete(c->db, state)) != DB_OK)
		return fail_code(c, code_hash, rc == DB_NOROW ? "STATE_INVALID" : "UNAVAILABLE");

	struct pf_user u;
	long errcode = 0;
	enum pf_rc pr = platform_oauth_exchange(c->conf, code, &u, &errcode);
	if (pr == PF_ERRCODE)
		return fail_code(c, code_hash,
				 errcode == PFE_INVALID_CODE  ? "CODE_INVALID"
				 : errcode == PFE_CODE_USED   ? "CODE_USED"
				 : errcode == PFE_SYSTEM_BUSY ? "PLATFORM_UNAVAILABLE"
							      : "PLATFORM_ERROR");
	if (pr != PF_OK)
		return fail_code(c, code_hash, "PLATFORM_UNAVAILABLE");
	if (u.snapshot)
		return fail_code(c, code_hash, "SNAPSHOT_USER");

	uint64_t account = 0;
	if (sessions_account_upsert(c->db, u.openid, u.unionid, clock_now(), &account) != DB_OK)
		return fail_code(c, code_hash, "UNAVAILABLE");
	char token[SESSION_TOKEN_LEN + 1];
	int64_t exp;
	if (account == 0 || session_create(c->db, c->conf, account, SESSION_COOKIE, token, &exp) != DB_OK)
		return fail_code(c, code_hash, "UNAVAILABLE");

	uint8_t key[32], sealed[128];
	reuse_key(code, key);
	int sn = crypto_seal(key, NULL, 0, token, SESSION_TOKEN_LEN, sealed, sizeof sealed);
	if (sn <= 0 || sessions_code_seal(c->db, code_hash, sealed, (size_t)sn) != DB_OK)
		forget_code(c, code_hash); /* only reloads need it: they start over */
	/* The login cookie stays until it expires: a reload of this callback lands here again. */
	session_set_cookie(c, token, c->conf->session_absolute_s);
	resp_redirect(c, arena_strdup(c->arena, next));
	return ERR_OK;
}

enum err h_login_miniprogram(struct call *c)
{
	struct pf_user u;
	long errcode = 0;
	enum pf_rc pr = platform_jscode2session(c->conf, c->f[MPLOGIN_CODE].s, &u, &errcode);
	if (pr == PF_ERRCODE) {
		switch (errcode) {
		case PFE_INVALID_CODE: return ERR_LOGIN_CODE_INVALID;
		case PFE_CODE_USED: return ERR_LOGIN_CODE_USED;
		case PFE_MINUTE_QUOTA: return ERR_LOGIN_RATE_LIMITED;
		case PFE_HIGH_RISK_USER: return ERR_LOGIN_BLOCKED;
		case PFE_SYSTEM_BUSY: return ERR_PLATFORM_UNAVAILABLE;
		default:
			log_warn("mini-program login refused by the platform: errcode %ld", errcode);
			return ERR_PLATFORM_ERROR;
		}
	}
	if (pr == PF_DB)
		return ERR_UNAVAILABLE;
	if (pr != PF_OK)
		return ERR_PLATFORM_UNAVAILABLE;
	uint64_t account = 0;
	enum db_rc rc = sessions_account_upsert(c->db, u.openid, u.unionid, clock_now(), &account);
	if (rc != DB_OK)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	char token[SESSION_TOKEN_LEN + 1];
	int64_t exp;
	rc = session_create(c->db, c->conf, account, SESSION_BEARER, token, &exp);
	if (rc != DB_OK)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	char when[ISOTIME_BUF];
	isotime_format(exp, when);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "expires_at", when);
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_logout(struct call *c)
{
	enum db_rc rc = session_end(c);
	if (rc != DB_OK)
		return rc == DB_DOWN ? ERR_UNAVAILABLE : ERR_INTERNAL;
	if (c->session_kind == SESSION_COOKIE)
		session_set_cookie(c, "", 0);
	resp_raw(c, 204, "application/json; charset=utf-8", "", 0);
	return ERR_OK;
}
