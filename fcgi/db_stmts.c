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
};
