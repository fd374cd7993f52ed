/* store_verifications.c: identity verifications in the store: typed functions over their
 * statements of db_stmts.c. */
#include "store_verifications.h"

#include <string.h>

enum db_rc verifs_count_since(struct db *db, uint64_t account, int64_t since, int32_t *count, int32_t *failed)
{
	struct db_param p[] = { DBP_U64(&account), DBP_I64(&since), DBP_END };
	struct db_col cols[] = { DBC_I32(count), DBC_I32(failed), DBC_END };
	return db_exec(db, STMT_VERIF_COUNT_SINCE, p, cols);
}

enum db_rc verifs_account_openid(struct db *db, uint64_t account, char openid[72])
{
	struct db_param p[] = { DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_TEXT(openid, 72), DBC_END };
	return db_exec(db, STMT_ACCOUNT_OPENID, p, cols);
}

enum db_rc verifs_insert(struct db *db, const struct verif_new *v)
{
	struct db_param p[] = { DBP_TEXT(v->pid),
				DBP_U64(&v->account),
				DBP_BLOB(v->id_index, 32),
				DBP_BLOB(v->name_e, v->name_n),
				DBP_BLOB(v->id_e, v->id_n),
				DBP_TEXT(v->name_m),
				DBP_BLOB(v->verify_hash, 32),
				DBP_TEXT(v->verify_id),
				DBP_TEXT(v->next),
				DBP_I64(&v->now),
				DBP_I64(&v->expires),
				DBP_END };
	return db_exec(db, STMT_VERIF_INSERT, p, NULL);
}

enum db_rc verifs_by_hash(struct db *db, const uint8_t verify_hash[32], struct verif_row *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_BLOB(verify_hash, 32), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->id),
				 DBC_TEXT(out->pid, sizeof out->pid),
				 DBC_I32(&out->status),
				 DBC_BLOB(out->name_e, sizeof out->name_e),
				 DBC_BLOB(out->id_e, sizeof out->id_e),
				 DBC_TEXT(out->verify_id, sizeof out->verify_id),
				 DBC_TEXT(out->next, sizeof out->next),
				 DBC_TEXT(out->openid, sizeof out->openid),
				 DBC_I64(&out->expires),
				 DBC_END };
	enum db_rc rc = db_exec(db, STMT_VERIF_BY_HASH, p, cols);
	if (rc == DB_OK) {
		out->name_n = cols[3].len;
		out->id_n = cols[4].len;
	}
	return rc;
}

enum db_rc verifs_claim(struct db *db, uint64_t id)
{
	struct db_param p[] = { DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_VERIF_CLAIM, p, NULL);
	if (rc == DB_OK && db_affected(db) != 1)
		return DB_NOROW;
	return rc;
}

enum db_rc verifs_done(struct db *db, uint64_t id, int32_t status, int32_t ret, int64_t expires)
{
	struct db_param p[] = { DBP_I32(&status),
				status == 0 ? (struct db_param)DBP_NULL(DBT_I32) : (struct db_param)DBP_I32(&ret),
				DBP_I64(&expires), DBP_U64(&id), DBP_END };
	return db_exec(db, STMT_VERIF_DONE, p, NULL);
}

enum db_rc verifs_get(struct db *db, const char *pid, uint64_t account, struct verif_state *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_TEXT(pid), DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_I32(&out->status), DBC_I32(&out->ret), DBC_TEXT(out->name_m, sizeof out->name_m),
				 DBC_I64(&out->expires), DBC_END };
	enum db_rc rc = db_exec(db, STMT_VERIF_GET, p, cols);
	out->has_ret = rc == DB_OK && !cols[1].null;
	return rc;
}

enum db_rc verifs_for_app(struct db *db, const char *vid, uint64_t account, struct verif_for_app *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_TEXT(vid), DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->id),
				 DBC_I32(&out->status),
				 DBC_BLOB(out->idx, sizeof out->idx),
				 DBC_BLOB(out->name_e, sizeof out->name_e),
				 DBC_I64(&out->expires),
				 DBC_END };
	enum db_rc rc = db_exec(db, STMT_VERIF_FOR_APP, p, cols);
	if (rc == DB_OK) {
		out->idx_n = cols[2].len;
		out->name_n = cols[3].len;
	}
	return rc;
}

enum db_rc verifs_use(struct db *db, uint64_t id, int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_VERIF_USE, p, NULL);
	if (rc == DB_OK && db_affected(db) != 1)
		return DB_NOROW;
	return rc;
}
