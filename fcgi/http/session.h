/* session.h: who is calling: citizen sessions by cookie or bearer token; creation and end. */
#ifndef HQR_SESSION_H
#define HQR_SESSION_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "req.h"

struct conf;

#define SESSION_COOKIE_NAME      "hqr_session"
/* Where the service is served over TLS (its public URL is https), its cookies carry the __Host-
 * prefix: Secure, Path=/ and no Domain, so that no sibling host's cookie can stand in for them. */
#define SESSION_COOKIE_HOST_NAME "__Host-hqr_session"
#define SESSION_TOKEN_LEN        43 /* base64url of 32 random bytes */

enum session_kind { SESSION_COOKIE = 1, SESSION_BEARER = 2 };

/* Creates a session (random 256 bits; only its SHA-256 is stored) for account and writes the
 * token into token (SESSION_TOKEN_LEN + 1 bytes) and its absolute expiry into *expires_at. */
enum db_rc session_create(struct db *db, const struct conf *conf, uint64_t account, enum session_kind kind, char *token,
			  int64_t *expires_at);
/* Authenticates the call from "Authorization: Bearer" or the session cookie; a cookie-borne
 * write (not GET/HEAD) must carry X-Requested-With: hqr. Sets c->account_id, c->session_kind. */
enum err session_authenticate(struct call *c);
/* The first half of session_authenticate, without the store (AUTH_HOLDER routes): the request's
 * token must be well-formed; sets c->session_hash, c->session_token and c->session_deferred. */
enum err session_defer(struct call *c);
/* The second half: the stored session's account, kind and last use, read by the handler with
 * what it needed (DB_NOROW: no live session). Sets c->account_id, c->session_kind. */
enum err session_accept(struct call *c, enum db_rc rc, uint64_t account, int32_t stored_kind, int64_t last,
			int64_t now);
/* Ends the caller's session. */
enum db_rc session_end(struct call *c);
/* 1 when the public URL is https: cookies are then __Host- prefixed and always Secure. */
int session_tls(const struct conf *conf);
/* The session cookie's name for this configuration (the only name read as a session). */
const char *session_cookie_name(const struct conf *conf);
/* The attributes after a cookie's value: "; Path=/; Max-Age=N; HttpOnly; SameSite=Lax" and
 * "; Secure" unless local_http over plain http; path is ignored (/) over TLS. Into out (max). */
void session_cookie_attrs(const struct conf *conf, const char *path, int64_t max_age, char *out, size_t max);
/* Adds the Set-Cookie header for token (max_age seconds; 0 clears the cookie). */
void session_set_cookie(struct call *c, const char *token, int64_t max_age);

#endif
