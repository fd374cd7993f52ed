/* auth.c: checkpoint devices, integrators and staff: tokens hashed at rest, signatures, audit. */
#include "auth.h"
#include "cclass.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "keys.h"
#include "log.h"
#include "store_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int auth_new_token(char *token, uint8_t hash[32])
{
	uint8_t raw[32];
	if (crypto_random(raw, sizeof raw) != 0)
		return -1;
	crypto_b64url(raw, sizeof raw, token, AUTH_TOKEN_LEN + 1);
	crypto_sha256(token, AUTH_TOKEN_LEN, hash);
	return 0;
}

/* The bearer token of the request if it has the right shape; NULL otherwise. */
static const char *bearer(const struct call *c)
{
	const char *h = call_param(c, "HTTP_AUTHORIZATION");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	if (strlen(h) != AUTH_TOKEN_LEN || !cc_all(h, AUTH_TOKEN_LEN, cc_b64url))
		return NULL;
	return h;
}

enum err auth_device_deferred(struct call *c)
{
	const char *t = bearer(c);
	if (t == NULL)
		return ERR_UNAUTHENTICATED;
	crypto_sha256(t, AUTH_TOKEN_LEN, c->device_hash);
	c->device_deferred = 1;
	return ERR_OK;
}

enum err auth_device_finish(struct call *c)
{
	uint64_t id = 0, cp = 0;
	enum db_rc rc = device_by_token(c->db, c->device_hash, &id, &cp);
	if (rc == DB_NOROW)
		return ERR_UNAUTHENTICATED;
	if (rc != DB_OK)
		return ERR_UNAVAILABLE;
	c->device_id = id;
	c->checkpoint_id = cp;
	c->device_deferred = 0;
	return ERR_OK;
}

int auth_is_integrator(const struct call *c)
{
	return call_param(c, "HTTP_X_HQR_KEY") != NULL;
}

int auth_canonical(const char *method, const char *uri, const char *ts, const char *nonce, const void *body, size_t len,
		   char *out, size_t max)
{
	uint8_t h[32];
	char hex[65];
	crypto_sha256(body != NULL ? body : "", body != NULL ? len : 0, h);
	crypto_hex(h, 32, hex);
	int n = snprintf(out, max, "%s\n%s\n%s\n%s\n%s", method, uri, ts, nonce, hex);
	return n < 0 || (size_t)n >= max ? -1 : n;
}

int auth_signature(const void *secret, size_t slen, const char *method, const char *uri, const char *ts,
		   const char *nonce, const void *body, size_t len, char hex[65])
{
	char canon[4096];
	uint8_t mac[32];
	if (auth_canonical(method, uri, ts, nonce, body, len, canon, sizeof canon) < 0)
		return -1;
	crypto_hmac_sha256(secret, slen, canon, strlen(canon), mac);
	crypto_hex(mac, 32, hex);
	return 0;
}

static int token_chars(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return 0;
	return cc_all(s, n, cc_nonce);
}

enum err auth_integrator(struct call *c)
{
	const char *key = call_param(c, "HTTP_X_HQR_KEY"), *ts = call_param(c, "HTTP_X_HQR_TIMESTAMP");
	const char *nonce = call_param(c, "HTTP_X_HQR_NONCE"), *sig = call_param(c, "HTTP_X_HQR_SIGNATURE");
	const char *uri = call_param(c, "REQUEST_URI");
	if (key == NULL || ts == NULL || nonce == NULL || sig == NULL || uri == NULL || !token_chars(key, 8, 40) ||
	    !token_chars(nonce, 8, 64) || strlen(sig) != 64 || strlen(ts) > 12 || cc_span(ts, cc_digit) != strlen(ts))
		return ERR_UNAUTHENTICATED;
	int64_t now = clock_now(), t = strtoll(ts, NULL, 10);
	if (t < now - AUTH_SKEW_S || t > now + AUTH_SKEW_S)
		return ERR_SIGNATURE_EXPIRED;
	uint8_t enc[128], secret[64];
	size_t enc_n = 0;
	enum db_rc rc = integrator_by_key(c->db, key, &c->integrator_id, enc, sizeof enc, &enc_n);
	if (rc == DB_NOROW)
		return ERR_UNAUTHENTICATED;
	if (rc != DB_OK)
		return ERR_UNAVAILABLE;
	char aad[64];
	snprintf(aad, sizeof aad, "integrator|%s", key);
	int sn = crypto_open(c->keys->data, aad, strlen(aad), enc, enc_n, secret, sizeof secret);
	if (sn <= 0) {
		log_error("an integrator secret does not decrypt");
		return ERR_INTERNAL;
	}
	char want[65];
	int bad = auth_signature(secret, (size_t)sn, c->method, uri, ts, nonce, c->body, c->body_len, want);
	memset(secret, 0, sizeof secret);
	if (bad)
		return ERR_UNAUTHENTICATED;
	char given[65];
	for (int i = 0; i < 64; i++)
		given[i] = (char)cc_tolower((unsigned char)sig[i]);
	given[64] = '\0';
	if (!crypto_ct_equal(want, given, 64))
		return ERR_SIGNATURE;
	rc = integrator_nonce(c->db, c->integrator_id, nonce, now);
	if (rc == DB_DUP)
		return ERR_NONCE_REUSED;
	if (rc != DB_OK)
		return ERR_UNAVAILABLE;
	return ERR_OK;
}

static const char *const role_words[] = {
	[ROLE_OFFICER] = "officer", [ROLE_INVESTIGATOR] = "investigator", [ROLE_OPERATOR] = "operator"
};

const char *auth_role_word(int role)
{
	return role >= ROLE_OFFICER && role <= ROLE_OPERATOR ? role_words[role] : "none";
}

int auth_role_from_word(const char *w)
{
	for (int r = ROLE_OFFICER; r <= ROLE_OPERATOR; r++)
		if (strcmp(w, role_words[r]) == 0)
			return r;
	return 0;
}

enum err auth_admin(struct call *c, unsigned roles, const char *action)
{
	const char *t = bearer(c);
	if (t == NULL)
		return ERR_UNAUTHENTICATED;
	uint8_t hash[32];
	crypto_sha256(t, AUTH_TOKEN_LEN, hash);
	int32_t role = 0;
	enum db_rc rc = staff_by_token(c->db, hash, &c->admin_id, c->admin_name, sizeof c->admin_name, &role);
	if (rc == DB_NOROW)
		return ERR_UNAUTHENTICATED;
	if (rc != DB_OK)
		return ERR_UNAVAILABLE;
	c->admin_role = role;
	if ((roles & ROLE_BIT(role)) == 0) {
		c->audited = 1;
		if (auth_audit(c, action != NULL ? action : "admin", "FORBIDDEN") != DB_OK)
			return ERR_UNAVAILABLE; /* an unaudited call fails, refused or not */
		return ERR_FORBIDDEN;
	}
	return ERR_OK;
}

static enum db_rc audit_row(struct call *c, const char *actor, const char *role, const char *action, const char *target)
{
	enum db_rc rc =
	    audit_insert(c->db, actor, role, action, target, c->request_id != NULL ? c->request_id : "", clock_now());
	if (rc != DB_OK)
		log_error("an audit row could not be written (%s)", action);
	return rc;
}

enum db_rc auth_audit(struct call *c, const char *action, const char *target)
{
	return audit_row(c, c->admin_name, auth_role_word(c->admin_role), action, target);
}

enum db_rc auth_audit_citizen(struct call *c, const char *action, const char *target)
{
	char actor[40];
	snprintf(actor, sizeof actor, "account:%llu", (unsigned long long)c->account_id);
	return audit_row(c, actor, "citizen", action, target);
}
