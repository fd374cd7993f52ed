/* db_stmts.c: every SQL statement of the service, in one table indexed by enum stmt. */
#include "db_stmts.h"

const char *const db_stmt_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT 1",
	[STMT_BEGIN] = "START TRANSACTION",
	[STMT_MIGRATIONS_CREATE] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version INT NOT NULL PRIMARY KEY,"
		" name VARCHAR(200) NOT NULL,"
		" applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	[STMT_MIGRATIONS_LIST] = "SELECT version, name, DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%sZ') "
		"FROM schema_migrations ORDER BY version",
	[STMT_MIGRATION_RECORD] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
	[STMT_ACCOUNT_UPSERT] =
		"INSERT INTO accounts (openid, unionid, created_at) VALUES (?, ?, FROM_UNIXTIME(?)) "
		"ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid), id = LAST_INSERT_ID(id)",
	[STMT_SESSION_INSERT] =
		"INSERT INTO sessions (id_hash, account_id, kind, created_at, last_seen, expires_at) "
		"VALUES (?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), FROM_UNIXTIME(?))",
	[STMT_SESSION_GET] =
		"SELECT account_id, kind, UNIX_TIMESTAMP(last_seen) FROM sessions "
		"WHERE id_hash = ? AND expires_at > FROM_UNIXTIME(?) AND last_seen > FROM_UNIXTIME(?)",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = FROM_UNIXTIME(?) WHERE id_hash = ?",
	[STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = ?",
	[STMT_STATE_INSERT] = "INSERT INTO oauth_states (state, next_path, expires_at) VALUES (?, ?, FROM_UNIXTIME(?))",
	[STMT_STATE_GET] = "SELECT next_path FROM oauth_states WHERE state = ? AND expires_at > FROM_UNIXTIME(?)",
	[STMT_STATE_DELETE] = "DELETE FROM oauth_states WHERE state = ?",
	[STMT_CODE_INSERT] =
		"INSERT INTO oauth_codes (code_hash, state, next_path, sealed_token, expires_at) "
		"VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_CODE_GET] =
		"SELECT state, next_path, sealed_token FROM oauth_codes "
		"WHERE code_hash = ? AND expires_at > FROM_UNIXTIME(?)",
	[STMT_TOKEN_ENSURE] =
		"INSERT IGNORE INTO platform_tokens (id, token, expires_at, version) VALUES (1, '', FROM_UNIXTIME(1), 0)",
	[STMT_TOKEN_GET] = "SELECT token, UNIX_TIMESTAMP(expires_at), version FROM platform_tokens WHERE id = 1",
	[STMT_TOKEN_GET_LOCKED] =
		"SELECT token, UNIX_TIMESTAMP(expires_at), version FROM platform_tokens WHERE id = 1 FOR UPDATE",
	[STMT_TOKEN_SET] =
		"UPDATE platform_tokens SET token = ?, expires_at = FROM_UNIXTIME(?), version = version + 1 WHERE id = 1",
	[STMT_TOKEN_EXPIRE_IF] =
		"UPDATE platform_tokens SET expires_at = FROM_UNIXTIME(1) WHERE id = 1 AND token = ?",
	[STMT_PUSH_DEDUP] = "INSERT IGNORE INTO push_dedup (dedup_key, created_at) VALUES (?, FROM_UNIXTIME(?))",
	[STMT_ACCOUNT_GET] =
		"SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), unionid IS NOT NULL FROM accounts WHERE id = ?",
};
