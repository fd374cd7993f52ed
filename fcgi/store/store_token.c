/* store_token.c: the platform's access token in the store: typed functions over their statements
 * of db_stmts.c. */
#include "store_token.h"

#include <string.h>

enum db_rc token_get(struct db *db, char *tok, size_t max, int64_t *expires)
{
	uint64_t version = 0;
	struct db_col cols[] = { DBC_TEXT(tok, max), DBC_I64(expires), DBC_U64(&version), DBC_END };
	return db_exec(db, STMT_TOKEN_GET, NULL, cols);
}

enum db_rc token_ensure(struct db *db)
{
	return db_exec(db, STMT_TOKEN_ENSURE, NULL, NULL);
}

enum db_rc token_set(struct db *db, const char *tok, int64_t expires)
{
	struct db_param p[] = { DBP_TEXT(tok), DBP_I64(&expires), DBP_END };
	return db_exec(db, STMT_TOKEN_SET, p, NULL);
}

enum db_rc token_claim(struct db *db, int64_t lease, int64_t now, int *won)
{
	struct db_param p[] = { DBP_I64(&lease), DBP_I64(&now), DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_TOKEN_CLAIM, p, NULL);
	*won = rc == DB_OK && db_affected(db) == 1;
	return rc;
}

enum db_rc token_release(struct db *db)
{
	return db_exec(db, STMT_TOKEN_RELEASE, NULL, NULL);
}

enum db_rc token_expire_if(struct db *db, const char *tok)
{
	struct db_param p[] = { DBP_TEXT(tok), DBP_END };
	return db_exec(db, STMT_TOKEN_EXPIRE_IF, p, NULL);
}
