/* store_sessions.c: sessions, login states, exchanged OAuth codes and the login's account in the
 * store: typed functions over their statements of db_stmts.c. */
#include "store_sessions.h"

#include <string.h>

enum db_rc sessions_insert(struct db *db, const uint8_t hash[32], uint64_t account, int32_t kind, int64_t now,
			   int64_t expires)
{
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_U64(&account), DBP_I32(&kind), DBP_I64(&now),
				DBP_I64(&now),      DBP_I64(&expires), DBP_END };
	return db_exec(db, STMT_SESSION_INSERT, p, NULL);
}

enum db_rc sessions_get(struct db *db, const uint8_t hash[32], int64_t now, int64_t idle_after, struct session_row *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_I64(&now), DBP_I64(&idle_after), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->account), DBC_I32(&out->kind), DBC_I64(&out->last), DBC_END };
	return db_exec(db, STMT_SESSION_GET, p, cols);
}

enum db_rc sessions_touch(struct db *db, const uint8_t hash[32], int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_BLOB(hash, 32), DBP_END };
	return db_exec(db, STMT_SESSION_TOUCH, p, NULL);
}

enum db_rc sessions_delete(struct db *db, const uint8_t hash[32])
{
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_END };
	return db_exec(db, STMT_SESSION_DELETE, p, NULL);
}

enum db_rc sessions_account_upsert(struct db *db, const char *openid, const char *unionid, int64_t now,
				   uint64_t *account)
{
	struct db_param p[] = { DBP_TEXT(openid),
				unionid[0] != '\0' ? (struct db_param)DBP_TEXT(unionid)
						   : (struct db_param)DBP_NULL(DBT_TEXT),
				DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_ACCOUNT_UPSERT, p, NULL);
	*account = rc == DB_OK ? db_insert_id(db) : 0; /* LAST_INSERT_ID(id) names an existing one too */
	return rc;
}

enum db_rc sessions_state_insert(struct db *db, const char *state, const char *next, int64_t expires,
				 const uint8_t browser_hash[32], int64_t *seq)
{
	struct db_param p[] = { DBP_TEXT(state), DBP_TEXT(next), DBP_I64(&expires), DBP_BLOB(browser_hash, 32),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_STATE_INSERT, p, NULL);
	*seq = rc == DB_OK ? (int64_t)db_insert_id(db) : 0;
	return rc;
}

void sessions_states_trim(struct db *db, int64_t seq, int64_t max, int64_t now)
{
	int64_t oldest = seq - max;
	if (seq > 0 && oldest > 0) {
		struct db_param p[] = { DBP_I64(&oldest), DBP_END };
		db_exec(db, STMT_STATES_TRIM_OLDEST, p, NULL);
	}
	struct db_param e[] = { DBP_I64(&now), DBP_END };
	db_exec(db, STMT_STATES_TRIM_EXPIRED, e, NULL);
}

enum db_rc sessions_state_get(struct db *db, const char *state, int64_t now, char *next, size_t cap,
			      uint8_t browser_hash[32], size_t *bh_n)
{
	struct db_param p[] = { DBP_TEXT(state), DBP_I64(&now), DBP_END };
	struct db_col cols[] = { DBC_TEXT(next, cap), DBC_BLOB(browser_hash, 32), DBC_END };
	enum db_rc rc = db_exec(db, STMT_STATE_GET, p, cols);
	*bh_n = rc == DB_OK ? cols[1].len : 0;
	return rc;
}

enum db_rc sessions_state_delete(struct db *db, const char *state)
{
	struct db_param p[] = { DBP_TEXT(state), DBP_END };
	enum db_rc rc = db_exec(db, STMT_STATE_DELETE, p, NULL);
	if (rc == DB_OK && db_affected(db) != 1)
		return DB_NOROW;
	return rc;
}

enum db_rc sessions_code_insert(struct db *db, const uint8_t code_hash[32], const char *state, const char *next,
				int64_t until, const uint8_t browser_hash[32])
{
	struct db_param p[] = {
		DBP_BLOB(code_hash, 32),    DBP_TEXT(state), DBP_TEXT(next), DBP_BLOB("", 0), DBP_I64(&until),
		DBP_BLOB(browser_hash, 32), DBP_END
	};
	return db_exec(db, STMT_OAUTH_CODE_INSERT, p, NULL);
}

enum db_rc sessions_code_get(struct db *db, const uint8_t code_hash[32], int64_t now, struct oauth_code *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_BLOB(code_hash, 32), DBP_I64(&now), DBP_END };
	struct db_col cols[] = { DBC_TEXT(out->state, sizeof out->state), DBC_TEXT(out->next, sizeof out->next),
				 DBC_BLOB(out->sealed, sizeof out->sealed),
				 DBC_BLOB(out->browser_hash, sizeof out->browser_hash), DBC_END };
	enum db_rc rc = db_exec(db, STMT_OAUTH_CODE_GET, p, cols);
	if (rc == DB_OK) {
		out->sealed_n = cols[2].len;
		out->bh_n = cols[3].len;
	}
	return rc;
}

enum db_rc sessions_code_seal(struct db *db, const uint8_t code_hash[32], const uint8_t *sealed, size_t n)
{
	struct db_param p[] = { DBP_BLOB(sealed, n), DBP_BLOB(code_hash, 32), DBP_END };
	return db_exec(db, STMT_OAUTH_CODE_SEAL, p, NULL);
}

enum db_rc sessions_code_delete(struct db *db, const uint8_t code_hash[32])
{
	struct db_param p[] = { DBP_BLOB(code_hash, 32), DBP_END };
	return db_exec(db, STMT_OAUTH_CODE_DELETE, p, NULL);
}
