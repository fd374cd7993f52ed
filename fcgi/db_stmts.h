/* db_stmts.h: the names of every SQL statement of the service; the texts live in db_stmts.c. */
#ifndef HQR_DB_STMTS_H
#define HQR_DB_STMTS_H

enum stmt {
	STMT_PING,
	STMT_BEGIN,
	STMT_MIGRATIONS_CREATE,
	STMT_MIGRATIONS_LIST,
	STMT_MIGRATION_RECORD,
	STMT__MAX
};

extern const char *const db_stmt_sql[STMT__MAX];

#endif
