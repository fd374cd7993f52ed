/* store_admin.c: checkpoints, devices, staff tokens and residents in the store: typed functions
 * over their statements of db_stmts.c (each insert and revoke once, for the API and hqrctl). */
#include "store_admin.h"

#include <string.h>

enum db_rc checkpoint_create(struct db *db, int32_t kind, int32_t type, const char *name, const char *district,
			     int64_t now, uint64_t *id)
{
	struct db_param p[] = { DBP_I32(&kind), DBP_I32(&type), DBP_TEXT(name), DBP_TEXT(district), DBP_I64(&now),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_CHECKPOINT_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc checkpoint_get(struct db *db, uint64_t id, struct checkpoint_row *r)
{
	struct db_param p[] = { DBP_U64(&id), DBP_END };
	struct db_col cols[] = { DBC_I32(&r->kind), DBC_I32(&r->type), DBC_TEXT(r->name, sizeof r->name),
				 DBC_TEXT(r->district, sizeof r->district), DBC_TEXT(r->created, sizeof r->created),
				 DBC_END };
	return db_exec(db, STMT_CHECKPOINT_GET, p, cols);
}

enum db_rc device_create(struct db *db, uint64_t cp, const uint8_t hash[32], int64_t now, uint64_t *id)
{
	struct db_param p[] = { DBP_U64(&cp), DBP_BLOB(hash, 32), DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_DEVICE_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc device_revoke(struct db *db, uint64_t id, int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_DEVICE_REVOKE, p, NULL);
	if (rc == DB_OK && db_affected(db) == 0)
		return DB_NOROW;
	return rc;
}

enum db_rc staff_create(struct db *db, int32_t role, const char *name, const uint8_t hash[32], int64_t now)
{
	struct db_param p[] = { DBP_TEXT(name), DBP_I32(&role), DBP_BLOB(hash, 32), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_ADMIN_INSERT, p, NULL);
}

enum db_rc staff_revoke(struct db *db, const char *name, int64_t now, uint64_t *n)
{
	struct db_param p[] = { DBP_I64(&now), DBP_TEXT(name), DBP_END };
	enum db_rc rc = db_exec(db, STMT_ADMIN_REVOKE, p, NULL);
	*n = rc == DB_OK ? db_affected(db) : 0;
	if (rc == DB_OK && *n == 0)
		return DB_NOROW;
	return rc;
}

enum db_rc person_id_by_public(struct db *db, const char *pid, uint64_t *id)
{
	struct db_param p[] = { DBP_TEXT(pid), DBP_END };
	struct db_col cols[] = { DBC_U64(id), DBC_END };
	return db_exec(db, STMT_PERSON_ID_BY_PUBLIC, p, cols);
}

enum db_rc resident_add(struct db *db, uint64_t cp, uint64_t person, int64_t now, int *added)
{
	struct db_param p[] = { DBP_U64(&cp), DBP_U64(&person), DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_RESIDENT_INSERT, p, NULL);
	*added = rc == DB_OK && db_affected(db) > 0;
	return rc;
}
