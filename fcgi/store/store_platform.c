/* store_platform.c: the platform's access token, pushes' nonces and answered pushes in the store:
 * typed functions over their statements of db_stmts.c. */
#include "store_platform.h"

#include <string.h>

enum db_rc pftoken_get(struct db *db, char *tok, size_t cap, int64_t *expires)
{
	uint64_t version = 0;
	struct db_col cols[] = { DBC_TEXT(tok, cap), DBC_I64(expires), DBC_U64(&version), DBC_END };
	return db_exec(db, STMT_TOKEN_GET, NULL, cols);
}

enum db_rc pftoken_ensure(struct db *db)
{
	return db_exec(db, STMT_TOKEN_ENSURE, NULL, NULL);
}

enum db_rc pftoken_set(struct db *db, const char *tok, int64_t expires)
{
	struct db_param p[] = { DBP_TEXT(tok), DBP_I64(&expires), DBP_END };
	return db_exec(db, STMT_TOKEN_SET, p, NULL);
}

/* Runs a write and says in *changed whether it changed a row. */
static enum db_rc changed_by(struct db *db, enum stmt s, const struct db_param *p, int *changed)
{
	enum db_rc rc = db_exec(db, s, p, NULL);
	*changed = rc == DB_OK && db_affected(db) != 0;
	return rc;
}

enum db_rc pftoken_claim(struct db *db, int64_t lease, int64_t now, int *claimed)
{
	struct db_param p[] = { DBP_I64(&lease), DBP_I64(&now), DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_TOKEN_CLAIM, p, NULL);
	*claimed = rc == DB_OK && db_affected(db) == 1;
	return rc;
}

enum db_rc pftoken_release(struct db *db)
{
	return db_exec(db, STMT_TOKEN_RELEASE, NULL, NULL);
}

enum db_rc pftoken_expire_if(struct db *db, const char *tok)
{
	struct db_param p[] = { DBP_TEXT(tok), DBP_END };
	return db_exec(db, STMT_TOKEN_EXPIRE_IF, p, NULL);
}

enum db_rc pushes_nonce_claim(struct db *db, const char *nonce, const uint8_t hash[32], int64_t expires, int64_t now,
			      int *claimed)
{
	*claimed = 0;
	struct db_param pp[] = { DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_PUSH_NONCES_EXPIRE, pp, NULL);
	if (rc != DB_OK)
		return rc;
	struct db_param p[] = { DBP_TEXT(nonce), DBP_BLOB(hash, 32), DBP_I64(&expires),
				DBP_I64(&now),   DBP_I64(&now),      DBP_END };
	return changed_by(db, STMT_PUSH_NONCE_CLAIM, p, claimed);
}

enum db_rc pushes_nonce_body(struct db *db, const char *nonce, uint8_t hash[32], size_t *n)
{
	*n = 0;
	struct db_param p[] = { DBP_TEXT(nonce), DBP_END };
	struct db_col cols[] = { DBC_BLOB(hash, 32), DBC_END };
	enum db_rc rc = db_exec(db, STMT_PUSH_NONCE_GET, p, cols);
	if (rc == DB_OK)
		*n = cols[0].len;
	return rc;
}

enum db_rc pushes_dedup(struct db *db, const char *key, int64_t now, int *fresh)
{
	struct db_param p[] = { DBP_TEXT(key), DBP_I64(&now), DBP_END };
	return changed_by(db, STMT_PUSH_DEDUP, p, fresh);
}
