/* store_admin.c: what staff and hqrctl write and read in the store (checkpoints, devices, staff
 * tokens, residents, integrators, risk areas; persons, history, contacts, audit log): typed
 * functions over their statements of db_stmts.c, each bound once for the API and hqrctl. */
#include "store_admin.h"

#include <string.h>

enum db_rc checkpoint_create(struct db *db, int32_t kind, int32_t type, const char *name, const char *district,
			     int64_t now, uint64_t *id)
{
	struct db_param p[] = { DBP_I32(&kind),     DBP_I32(&type), DBP_TEXT(name),
				DBP_TEXT(district), DBP_I64(&now),  DBP_END };
	enum db_rc rc = db_exec(db, STMT_CHECKPOINT_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc checkpoint_get(struct db *db, uint64_t id, struct checkpoint_row *r)
{
	struct db_param p[] = { DBP_U64(&id), DBP_END };
	struct db_col cols[] = { DBC_I32(&r->kind),
				 DBC_I32(&r->type),
				 DBC_TEXT(r->name, sizeof r->name),
				 DBC_TEXT(r->district, sizeof r->district),
				 DBC_TEXT(r->created, sizeof r->created),
				 DBC_END };
	return db_exec(db, STMT_CHECKPOINT_GET, p, cols);
}

enum db_rc checkpoint_by_name(struct db *db, const char *name, uint64_t *id)
{
	struct db_param p[] = { DBP_TEXT(name), DBP_END };
	struct db_col cols[] = { DBC_U64(id), DBC_END };
	return db_exec(db, STMT_CHECKPOINT_BY_NAME, p, cols);
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

enum db_rc device_by_token(struct db *db, const uint8_t hash[32], uint64_t *id, uint64_t *cp)
{
	int32_t kind = 0, type = 0;
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_END };
	struct db_col cols[] = { DBC_U64(id), DBC_U64(cp), DBC_I32(&kind), DBC_I32(&type), DBC_END };
	return db_exec(db, STMT_DEVICE_BY_TOKEN, p, cols);
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

enum db_rc staff_by_token(struct db *db, const uint8_t hash[32], uint64_t *id, char *name, size_t cap, int32_t *role)
{
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_END };
	struct db_col cols[] = { DBC_U64(id), DBC_TEXT(name, cap), DBC_I32(role), DBC_END };
	return db_exec(db, STMT_ADMIN_BY_TOKEN, p, cols);
}

enum db_rc audit_insert(struct db *db, const char *actor, const char *role, const char *action, const char *target,
			const char *request_id, int64_t now)
{
	struct db_param p[] = { DBP_TEXT(actor),
				DBP_TEXT(role),
				DBP_TEXT(action),
				target != NULL ? (struct db_param)DBP_TEXT(target)
					       : (struct db_param)DBP_NULL(DBT_TEXT),
				DBP_TEXT(request_id),
				DBP_I64(&now),
				DBP_END };
	return db_exec(db, STMT_AUDIT_INSERT, p, NULL);
}

enum db_rc integrator_by_key(struct db *db, const char *key_id, uint64_t *id, uint8_t *enc, size_t cap, size_t *n)
{
	struct db_param p[] = { DBP_TEXT(key_id), DBP_END };
	struct db_col cols[] = { DBC_U64(id), DBC_BLOB(enc, cap), DBC_END };
	enum db_rc rc = db_exec(db, STMT_INTEGRATOR_BY_KEY, p, cols);
	*n = rc == DB_OK ? cols[1].len : 0;
	return rc;
}

enum db_rc integrator_nonce(struct db *db, uint64_t integrator, const char *nonce, int64_t now)
{
	struct db_param p[] = { DBP_U64(&integrator), DBP_TEXT(nonce), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_NONCE_INSERT, p, NULL);
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

DB_ROW_CALL(checkpoint_item)
DB_ROW_CALL(code_event_row)
DB_ROW_CALL(person_scan_row)
DB_ROW_CALL(trace_entry)
DB_ROW_CALL(trace_contact)
DB_ROW_CALL(audit_row)

enum db_rc checkpoints_list(struct db *db, int32_t limit, int32_t offset,
			    void (*fn)(const struct checkpoint_item *cp, void *arg), void *arg)
{
	struct checkpoint_item r = { 0 };
	struct db_param p[] = { DBP_I32(&limit), DBP_I32(&offset), DBP_END };
	struct db_col cols[] = { DBC_U64(&r.id),
				 DBC_I32(&r.kind),
				 DBC_I32(&r.type),
				 DBC_TEXT(r.name, sizeof r.name),
				 DBC_TEXT(r.district, sizeof r.district),
				 DBC_END };
	return checkpoint_item_rows(db, STMT_CHECKPOINTS_LIST, p, cols, &r, fn, arg);
}

struct integrator_new {
	const char *name, *key_id;
	const uint8_t *enc;
	size_t n;
	const uint64_t *cps;
	int ncp;
	int64_t now;
};

static enum db_rc integrator_insert(struct db *db, void *arg)
{
	const struct integrator_new *g = arg;
	struct db_param p[] = { DBP_TEXT(g->name), DBP_TEXT(g->key_id), DBP_BLOB(g->enc, g->n), DBP_I64(&g->now),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_INTEGRATOR_INSERT, p, NULL);
	uint64_t id = db_insert_id(db);
	for (int i = 0; rc == DB_OK && i < g->ncp; i++) {
		struct db_param cp[] = { DBP_U64(&id), DBP_U64(&g->cps[i]), DBP_END };
		rc = db_exec(db, STMT_INTEGRATOR_CHECKPOINT_INSERT, cp, NULL);
	}
	return rc;
}

enum db_rc integrator_create(struct db *db, const char *name, const char *key_id, const uint8_t *enc, size_t n,
			     const uint64_t *cps, int ncp, int64_t now)
{
	struct integrator_new g = { name, key_id, enc, n, cps, ncp, now };
	return db_txn(db, integrator_insert, &g);
}

enum db_rc integrator_revoke(struct db *db, const char *key_id, int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_TEXT(key_id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_INTEGRATOR_REVOKE, p, NULL);
	if (rc == DB_OK && db_affected(db) == 0)
		return DB_NOROW;
	return rc;
}

struct city_call {
	char city[260];
	void (*fn)(const char *city, void *arg);
	void *arg;
};

static void city_each(void *ctx)
{
	struct city_call *k = ctx;
	k->fn(k->city, k->arg);
}

enum db_rc risk_areas_each(struct db *db, void (*fn)(const char *city, void *arg), void *arg)
{
	struct city_call k = { .fn = fn, .arg = arg };
	struct db_col cols[] = { DBC_TEXT(k.city, sizeof k.city), DBC_END };
	return db_each(db, STMT_RISK_AREAS_LIST, NULL, cols, city_each, &k);
}

struct areas_new {
	const char *const *cities;
	size_t n;
	int64_t now;
};

static enum db_rc areas_write(struct db *db, void *arg)
{
	const struct areas_new *w = arg;
	enum db_rc rc = db_exec(db, STMT_RISK_AREAS_CLEAR, NULL, NULL);
	for (size_t i = 0; rc == DB_OK && i < w->n; i++) {
		struct db_param p[] = { DBP_TEXT(w->cities[i]), DBP_I64(&w->now), DBP_END };
		rc = db_exec(db, STMT_RISK_AREA_INSERT, p, NULL);
	}
	return rc;
}

enum db_rc risk_areas_replace(struct db *db, const char *const *cities, size_t n, int64_t now)
{
	struct areas_new w = { cities, n, now };
	return db_txn(db, areas_write, &w);
}

/* STMT_PERSON_ADMIN and STMT_PERSON_BY_INDEX_ADMIN: the same columns. */
static enum db_rc person_admin_get(struct db *db, enum stmt s, const struct db_param *p, struct person_admin *r)
{
	memset(r, 0, sizeof *r);
	struct db_col cols[] = { DBC_U64(&r->id),
				 DBC_TEXT(r->pid, sizeof r->pid),
				 DBC_I32(&r->id_type),
				 DBC_TEXT(r->name_m, sizeof r->name_m),
				 DBC_TEXT(r->id_m, sizeof r->id_m),
				 DBC_TEXT(r->phone_m, sizeof r->phone_m),
				 DBC_I32(&r->color),
				 DBC_TEXT(r->reason, sizeof r->reason),
				 DBC_TEXT(r->since, sizeof r->since),
				 DBC_END };
	return db_exec(db, s, p, cols);
}

enum db_rc admin_person_by_index(struct db *db, const uint8_t idx[32], struct person_admin *out)
{
	struct db_param p[] = { DBP_BLOB(idx, 32), DBP_END };
	return person_admin_get(db, STMT_PERSON_BY_INDEX_ADMIN, p, out);
}

enum db_rc admin_person_by_public(struct db *db, const char *pid, struct person_admin *out)
{
	struct db_param p[] = { DBP_TEXT(pid), DBP_END };
	return person_admin_get(db, STMT_PERSON_ADMIN, p, out);
}

enum db_rc admin_person_events(struct db *db, uint64_t person, void (*fn)(const struct code_event_row *e, void *arg),
			       void *arg)
{
	struct code_event_row r = { 0 };
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_I32(&r.from),
				 DBC_I32(&r.to),
				 DBC_TEXT(r.reason, sizeof r.reason),
				 DBC_TEXT(r.actor_kind, sizeof r.actor_kind),
				 DBC_TEXT(r.actor, sizeof r.actor),
				 DBC_TEXT(r.at, sizeof r.at),
				 DBC_END };
	return code_event_row_rows(db, STMT_EVENTS_OF_PERSON, p, cols, &r, fn, arg);
}

enum db_rc admin_person_scans(struct db *db, uint64_t person, void (*fn)(const struct person_scan_row *s, void *arg),
			      void *arg)
{
	struct person_scan_row r = { 0 };
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_U64(&r.id),
				 DBC_TEXT(r.at, sizeof r.at),
				 DBC_U64(&r.checkpoint),
				 DBC_TEXT(r.checkpoint_name, sizeof r.checkpoint_name),
				 DBC_I32(&r.direction),
				 DBC_I32(&r.verdict),
				 DBC_I32((int32_t *)&r.reasons),
				 DBC_TEXT(r.source, sizeof r.source),
				 DBC_END };
	return person_scan_row_rows(db, STMT_SCANS_OF_PERSON, p, cols, &r, fn, arg);
}

enum db_rc admin_trace_case(struct db *db, uint64_t person, int64_t from, int64_t to, int32_t lo, int32_t hi,
			    void (*fn)(const struct trace_entry *e, void *arg), void *arg)
{
	struct trace_entry r = { 0 };
	struct db_param p[] = { DBP_U64(&person), DBP_I64(&from), DBP_I64(&to), DBP_I32(&lo), DBP_I32(&hi), DBP_END };
	struct db_col cols[] = { DBC_U64(&r.checkpoint), DBC_TEXT(r.name, sizeof r.name), DBC_TEXT(r.t, sizeof r.t),
				 DBC_TEXT(r.at, sizeof r.at), DBC_END };
	return trace_entry_rows(db, STMT_TRACE_CASE, p, cols, &r, fn, arg);
}

enum db_rc admin_trace_at(struct db *db, const struct trace_entry *e, int32_t window, int32_t lo, int32_t hi,
			  uint64_t person, void (*fn)(const struct trace_contact *x, void *arg), void *arg)
{
	struct trace_contact r = { 0 };
	struct db_param p[] = { DBP_U64(&e->checkpoint),
				DBP_TEXT(e->t),
				DBP_I32(&window),
				DBP_TEXT(e->t),
				DBP_I32(&window),
				DBP_I32(&lo),
				DBP_I32(&hi),
				DBP_U64(&person),
				DBP_END };
	struct db_col cols[] = { DBC_U64(&r.person),
				 DBC_TEXT(r.pid, sizeof r.pid),
				 DBC_TEXT(r.name_m, sizeof r.name_m),
				 DBC_TEXT(r.id_m, sizeof r.id_m),
				 DBC_TEXT(r.at, sizeof r.at),
				 DBC_END };
	return trace_contact_rows(db, STMT_TRACE_AT, p, cols, &r, fn, arg);
}

enum db_rc admin_audit_list(struct db *db, uint64_t before, int32_t limit,
			    void (*fn)(const struct audit_row *r, void *arg), void *arg)
{
	struct audit_row r = { 0 };
	struct db_param p[] = { DBP_U64(&before), DBP_I32(&limit), DBP_END };
	struct db_col cols[] = { DBC_U64(&r.id),
				 DBC_TEXT(r.actor, sizeof r.actor),
				 DBC_TEXT(r.role, sizeof r.role),
				 DBC_TEXT(r.action, sizeof r.action),
				 DBC_TEXT(r.target, sizeof r.target),
				 DBC_TEXT(r.request_id, sizeof r.request_id),
				 DBC_TEXT(r.at, sizeof r.at),
				 DBC_END };
	return audit_row_rows(db, STMT_AUDIT_LIST, p, cols, &r, fn, arg);
}
