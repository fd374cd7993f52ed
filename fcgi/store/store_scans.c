/* store_scans.c: a scan's reads and integrators' batch client ids in the store: typed functions
 * over their statements of db_stmts.c. */
#include "store_scans.h"

#include <string.h>

enum db_rc scans_integrator_checkpoint(struct db *db, uint64_t integrator, uint64_t checkpoint, int32_t *kind,
				       int32_t *type)
{
	*kind = *type = 0;
	struct db_param p[] = { DBP_U64(&integrator), DBP_U64(&checkpoint), DBP_END };
	struct db_col cols[] = { DBC_I32(kind), DBC_I32(type), DBC_END };
	return db_exec(db, STMT_INTEGRATOR_CHECKPOINT, p, cols);
}

enum db_rc scans_person(struct db *db, uint64_t checkpoint, uint64_t code_ref, struct scan_lookup *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_U64(&checkpoint), DBP_U64(&code_ref), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->person),
				 DBC_I32((int32_t *)&out->serial),
				 DBC_TEXT(out->name_m, sizeof out->name_m),
				 DBC_TEXT(out->id_m, sizeof out->id_m),
				 DBC_I32(&out->id_type),
				 DBC_I32(&out->color),
				 DBC_I32(&out->resident),
				 DBC_END };
	enum db_rc rc = db_exec(db, STMT_SCAN_PERSON, p, cols);
	out->person_found = rc == DB_OK;
	return rc;
}

enum db_rc scans_client_get(struct db *db, uint64_t integrator, const char *cid, char *text, size_t cap)
{
	text[0] = '\0';
	struct db_param p[] = { DBP_U64(&integrator), DBP_TEXT(cid), DBP_END };
	struct db_col cols[] = { DBC_BLOB(text, cap - 1), DBC_END };
	enum db_rc rc = db_exec(db, STMT_SCAN_CLIENT_GET, p, cols);
	if (rc == DB_OK)
		text[cols[0].len] = '\0';
	return rc;
}

enum db_rc scans_client_insert(struct db *db, uint64_t integrator, const char *cid, uint64_t scan, const char *text,
			       int64_t now)
{
	struct db_param p[] = { DBP_U64(&integrator),         DBP_TEXT(cid), DBP_U64(&scan),
				DBP_BLOB(text, strlen(text)), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_SCAN_CLIENT_INSERT, p, NULL);
}
