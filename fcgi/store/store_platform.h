/* store_platform.h: what the service keeps of the chat platform: its access token (one row, shared
 * by every process, refreshed by one of them under a lease), the pushes' nonces of the replay
 * window, and the keys of the pushes already answered. */
#ifndef HQR_STORE_PLATFORM_H
#define HQR_STORE_PLATFORM_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The stored token (text of cap bytes) and when it expires (unix seconds); DB_NOROW when the row
 * was never made (pftoken_ensure). */
enum db_rc pftoken_get(struct db *db, char *tok, size_t cap, int64_t *expires);
/* Makes the token's row (empty, expired) if there is none. */
enum db_rc pftoken_ensure(struct db *db);
/* Stores a fresh token until expires and ends the refresh lease. */
enum db_rc pftoken_set(struct db *db, const char *tok, int64_t expires);
/* Takes the refresh lease until lease when nobody holds it at now and the token expires within
 * 300 s of now: *claimed 1 when this call took it. */
enum db_rc pftoken_claim(struct db *db, int64_t lease, int64_t now, int *claimed);
/* Ends the refresh lease (a failed refresh). */
enum db_rc pftoken_release(struct db *db);
/* Expires the stored token if it is still tok (the platform refused it). */
enum db_rc pftoken_expire_if(struct db *db, const char *tok);

/* Drops a few nonces past their window at now, then claims nonce with the body's hash until
 * expires: *claimed 1 when it was new (or its earlier use left the window), 0 when a live use
 * holds it. */
enum db_rc pushes_nonce_claim(struct db *db, const char *nonce, const uint8_t hash[32], int64_t expires, int64_t now,
			      int *claimed);
/* The body hash a nonce was claimed with (*n bytes, 32 for a whole one); DB_NOROW when none. */
enum db_rc pushes_nonce_body(struct db *db, const char *nonce, uint8_t hash[32], size_t *n);
/* Remembers a push's key at now: *fresh 1 when it was new, 0 when the push was answered before. */
enum db_rc pushes_dedup(struct db *db, const char *key, int64_t now, int *fresh);

#endif
