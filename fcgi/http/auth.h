/* auth.h: staff and machines: checkpoint devices (bearer), integrators (HMAC signature over the
 * request), officers, investigators and operators (bearer, by role); the audit log. */
#ifndef HQR_AUTH_H
#define HQR_AUTH_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "req.h"

#define AUTH_SKEW_S    300 /* an integrator's timestamp may be this far off */
#define AUTH_TOKEN_LEN 43  /* base64url of 32 random bytes: device and staff tokens */

/* Staff roles; a route row lists the ones it allows as ROLE_BIT()s. */
enum admin_role { ROLE_OFFICER = 1, ROLE_INVESTIGATOR = 2, ROLE_OPERATOR = 3 };
#define ROLE_BIT(r) (1u << (unsigned)(r))

/* A fresh random token (AUTH_TOKEN_LEN + 1 bytes) and its SHA-256 for storage. */
int auth_new_token(char *token, uint8_t hash[32]);
/* Checks only the shape of a device's bearer token and keeps its hash, for a handler that looks
 * the device up together with what it needs (the scan: one round trip). */
enum err auth_device_deferred(struct call *c);
/* Finishes a deferred device check by itself (one lookup): ERR_OK with device_id and checkpoint_id
 * set, ERR_UNAUTHENTICATED for an unknown or revoked token, ERR_UNAVAILABLE when the store fails. */
enum err auth_device_finish(struct call *c);
/* An integrator's signature over method, path with query, timestamp, nonce and the body's
 * SHA-256 (the body must be read); each nonce once. Sets integrator_id. */
enum err auth_integrator(struct call *c);
/* Whether the request carries an integrator's key header. */
int auth_is_integrator(const struct call *c);
/* A staff bearer token whose role is in roles: sets admin_id, admin_name, admin_role; a refusal
 * for the role is audited under action (the route's name). */
enum err auth_admin(struct call *c, unsigned roles, const char *action);
/* Writes the audit row of a staff call (who, role, what, target, request id, time), inside the
 * transaction that is open, if any. DB_OK, or the failure (logged): the call must then fail. */
enum db_rc auth_audit(struct call *c, const char *action, const char *target);
/* The same for a citizen's account ("account:<id>", role "citizen"). */
enum db_rc auth_audit_citizen(struct call *c, const char *action, const char *target);
const char *auth_role_word(int role);
int auth_role_from_word(const char *w);
/* The canonical text an integrator signs (pure): METHOD \n PATH?QUERY \n TS \n NONCE \n hex(sha256(body)). */
int auth_canonical(const char *method, const char *uri, const char *ts, const char *nonce, const void *body, size_t len,
		   char *out, size_t max);
/* The signature of a request (pure): lowercase hex HMAC-SHA256 under the secret's bytes of its
 * canonical text, into hex[65]. The service checks with it and `hqrctl sign-request` signs with it.
 * Returns 0, or -1 when the path is too long to sign. */
int auth_signature(const void *secret, size_t slen, const char *method, const char *uri, const char *ts,
		   const char *nonce, const void *body, size_t len, char hex[65]);

#endif
