/* store_token.h: the platform's access token in the store: one row every process of every host
 * shares, with a refresh lease so that one process refreshes it at a time (platform.c). Typed
 * functions over their statements of db_stmts.c. */
#ifndef HQR_STORE_TOKEN_H
#define HQR_STORE_TOKEN_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The cached token (at most max - 1 bytes, "" before the first refresh) and its expiry (unix
 * seconds); DB_NOROW before the row exists (token_ensure makes it). */
enum db_rc token_get(struct db *db, char *tok, size_t max, int64_t *expires);
/* Makes the row, empty and expired, unless it exists. */
enum db_rc token_ensure(struct db *db);
/* Stores a fresh token expiring at expires and ends the refresh lease. */
enum db_rc token_set(struct db *db, const char *tok, int64_t expires);
/* Takes the refresh lease until lease if no one holds it at now and the token is due (within
 * 300 s of its expiry): *won is 1 when this caller took it. */
enum db_rc token_claim(struct db *db, int64_t lease, int64_t now, int *won);
/* Ends the refresh lease (a refresh that failed). */
enum db_rc token_release(struct db *db);
/* Marks the cached token expired if it is still tok (the platform refused tok). */
enum db_rc token_expire_if(struct db *db, const char *tok);

#endif
