/* store_sessions.h: citizen sessions, login states and exchanged OAuth codes in the store, and the
 * account a login lands in: typed functions over their statements of db_stmts.c. Tokens, states'
 * browser secrets and codes are stored as SHA-256; the caller makes and checks them. */
#ifndef HQR_STORE_SESSIONS_H
#define HQR_STORE_SESSIONS_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A live session as the request's check reads it. */
struct session_row {
	uint64_t account;
	int32_t kind; /* enum session_kind */
	int64_t last; /* unix seconds it was last used */
};
/* Makes a session of account (kind) with its token's hash, used now and ending at expires. */
enum db_rc sessions_insert(struct db *db, const uint8_t hash[32], uint64_t account, int32_t kind, int64_t now,
			   int64_t expires);
/* The session with hash, unexpired at now and used after idle_after; DB_NOROW when none. */
enum db_rc sessions_get(struct db *db, const uint8_t hash[32], int64_t now, int64_t idle_after,
			struct session_row *out);
/* The session with hash was used now. */
enum db_rc sessions_touch(struct db *db, const uint8_t hash[32], int64_t now);
/* Ends the session with hash. */
enum db_rc sessions_delete(struct db *db, const uint8_t hash[32]);

/* The account of openid (made now when new; unionid, "" for none, kept once given); *account. */
enum db_rc sessions_account_upsert(struct db *db, const char *openid, const char *unionid, int64_t now,
				   uint64_t *account);

/* A login's state: the path to land on and the hash of the browser's secret, until expires;
 * *seq its number for sessions_states_trim. */
enum db_rc sessions_state_insert(struct db *db, const char *state, const char *next, int64_t expires,
				 const uint8_t browser_hash[32], int64_t *seq);
/* Removes the states older than seq - max (some of them) and some expired at now; failures only
 * delay the trimming. */
void sessions_states_trim(struct db *db, int64_t seq, int64_t max, int64_t now);
/* The unexpired state: its path (next of cap bytes) and browser hash (*bh_n bytes, 32 or 0). */
enum db_rc sessions_state_get(struct db *db, const char *state, int64_t now, char *next, size_t cap,
			      uint8_t browser_hash[32], size_t *bh_n);
/* Spends the state; DB_NOROW when another request spent it first. */
enum db_rc sessions_state_delete(struct db *db, const char *state);

/* An exchanged code as a reload of the callback finds it. */
struct oauth_code {
	char state[130], next[520];
	uint8_t sealed[128]; /* the session's token sealed under the code; sealed_n 0: still pending */
	size_t sealed_n;
	uint8_t browser_hash[32];
	size_t bh_n;
};
/* Remembers code_hash (with its state, path and browser hash) until until, its token pending. */
enum db_rc sessions_code_insert(struct db *db, const uint8_t code_hash[32], const char *state, const char *next,
				int64_t until, const uint8_t browser_hash[32]);
/* The code unexpired at now; DB_NOROW when none. */
enum db_rc sessions_code_get(struct db *db, const uint8_t code_hash[32], int64_t now, struct oauth_code *out);
/* Keeps the session's token sealed (n bytes) with the code. */
enum db_rc sessions_code_seal(struct db *db, const uint8_t code_hash[32], const uint8_t *sealed, size_t n);
/* Forgets the code. */
enum db_rc sessions_code_delete(struct db *db, const uint8_t code_hash[32]);

#endif
