/* store_persons.c: persons, holders, delegations, an account's limits and idempotent answers in
 * the store: typed functions over their statements of db_stmts.c. */
#include "store_persons.h"
#include "arena.h"
#include "store_admin.h"

#include <string.h>

#define PERSON_NCOLS 14

DB_ROW_CALL(account_person)
DB_ROW_CALL(person_holder)
DB_ROW_CALL(report_row)

enum db_rc persons_of_holder(struct db *db, const char *pid, uint64_t account, struct person_row *r)
{
	memset(r, 0, sizeof *r);
	struct db_param p[] = { DBP_TEXT(pid), DBP_U64(&account), DBP_END };
	struct db_col cols[] = {
		DBC_U64(&r->id),
		DBC_I32(&r->id_type),
		DBC_TEXT(r->name_m, sizeof r->name_m),
		DBC_TEXT(r->id_m, sizeof r->id_m),
		DBC_TEXT(r->phone_m, sizeof r->phone_m),
		DBC_I32(&r->role),
		DBC_I32(&r->relationship),
		DBC_TEXT(r->since, sizeof r->since),
		DBC_TEXT(r->photo_file, sizeof r->photo_file),
		DBC_I32(&r->photo_type),
		DBC_I32((int32_t *)&r->paper_serial),
		DBC_U64(&r->code_ref),
		DBC_U64(&r->submitted_by),
		DBC_U64(&r->owner),
		DBC_END,
	};
	_Static_assert(sizeof cols / sizeof cols[0] == PERSON_NCOLS + 1, "STMT_PERSON_OF_HOLDER's columns");
	return db_exec(db, STMT_PERSON_OF_HOLDER, p, cols);
}

enum db_rc persons_holder_code(struct db *db, const char *pid, const uint8_t session_hash[32], int64_t now,
			       int64_t idle_after, struct holder_code *out)
{
	enum { S = 3, P = 2 }; /* the session's columns, then the person's (id, code_ref), then the code's */
	memset(out, 0, sizeof *out);
	struct db_col cols[S + P + CODES_NCOLS + 1];
	cols[0] = (struct db_col)DBC_U64(&out->account);
	cols[1] = (struct db_col)DBC_I32(&out->session_kind);
	cols[2] = (struct db_col)DBC_I64(&out->session_last);
	cols[S] = (struct db_col)DBC_U64(&out->person);
	cols[S + 1] = (struct db_col)DBC_U64(&out->code_ref);
	struct code_cols_buf b;
	codes_cols(&b, &out->code, cols + S + P);
	cols[S + P + CODES_NCOLS] = (struct db_col)DBC_END;
	struct db_param p[] = { DBP_TEXT(pid), DBP_BLOB(session_hash, 32), DBP_I64(&now), DBP_I64(&idle_after),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_SESSION_PERSON_CODE, p, cols);
	if (rc != DB_OK)
		return rc;
	out->session_found = 1;
	if (cols[S].null || cols[S + P].null) { /* not a person this account holds */
		out->person = out->code_ref = 0;
		memset(&out->code, 0, sizeof out->code);
		return DB_OK;
	}
	out->held = 1;
	codes_cols_done(&b, cols + S + P, &out->code);
	return DB_OK;
}

/* Binds a person's masked and sealed details (7 parameters) at p[0..7). */
static void bind_details(struct db_param *p, const struct person_details *d)
{
	p[0] = (struct db_param)DBP_TEXT(d->name_m);
	p[1] = (struct db_param)DBP_TEXT(d->id_m);
	p[2] = (struct db_param)DBP_TEXT(d->phone_m);
	p[3] = (struct db_param)DBP_BLOB(d->name_e, (size_t)d->name_n);
	p[4] = (struct db_param)DBP_BLOB(d->id_e, (size_t)d->id_n);
	p[5] = (struct db_param)DBP_BLOB(d->phone_e, (size_t)d->phone_n);
	p[6] = (struct db_param)DBP_BLOB(d->addr_e, (size_t)d->addr_n);
}

enum db_rc persons_insert(struct db *db, const struct person_details *d, int32_t id_type, const char *photo_file,
			  int32_t photo_type, uint64_t owner, uint64_t account, int64_t now, uint64_t *id)
{
	struct db_param p[] = { DBP_TEXT(d->pid),
				DBP_U64(&d->code_ref),
				DBP_I32(&id_type),
				DBP_BLOB(d->id_index, 32),
				[11] = DBP_TEXT(photo_file),
				DBP_I32(&photo_type),
				DBP_I64(&now),
				owner != 0 ? (struct db_param)DBP_U64(&owner) : (struct db_param)DBP_NULL(DBT_U64),
				DBP_U64(&account),
				DBP_END };
	bind_details(&p[4], d);
	enum db_rc rc = db_exec(db, STMT_PERSON_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc persons_takeover(struct db *db, uint64_t person, uint64_t account, const struct person_details *d,
			    const char *photo_file, int32_t photo_type)
{
	struct db_param p[] = { DBP_U64(&account),    DBP_U64(&account), [9] = DBP_TEXT(photo_file),
				DBP_I32(&photo_type), DBP_U64(&person),  DBP_END };
	bind_details(&p[2], d);
	enum db_rc rc = db_exec(db, STMT_PERSON_TAKEOVER, p, NULL);
	if (rc == DB_OK && db_affected(db) != 1)
		return DB_NOROW;
	return rc;
}

enum db_rc persons_paper_reissue(struct db *db, uint64_t person, uint64_t *serial)
{
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	enum db_rc rc = db_exec(db, STMT_PAPER_REISSUE, p, NULL);
	/* The new serial comes back through LAST_INSERT_ID: the one this statement set. */
	*serial = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc persons_by_index(struct db *db, const uint8_t idx[32], struct person_found *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_BLOB(idx, 32), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->id),
				 DBC_TEXT(out->pid, sizeof out->pid),
				 DBC_BLOB(out->name_e, sizeof out->name_e),
				 DBC_U64(&out->owner),
				 DBC_TEXT(out->photo_file, sizeof out->photo_file),
				 DBC_END };
	enum db_rc rc = db_exec(db, STMT_PERSON_BY_INDEX, p, cols);
	out->name_n = rc == DB_OK ? cols[2].len : 0;
	return rc;
}

/* A statement of one u64 parameter and one u64 result. */
static enum db_rc u64_of(struct db *db, enum stmt s, uint64_t key, uint64_t *v)
{
	struct db_param p[] = { DBP_U64(&key), DBP_END };
	struct db_col cols[] = { DBC_U64(v), DBC_END };
	return db_exec(db, s, p, cols);
}

/* A statement of two u64 parameters, with result columns cols (NULL: none). */
static enum db_rc of_two(struct db *db, enum stmt s, uint64_t a, uint64_t b, struct db_col *cols)
{
	struct db_param p[] = { DBP_U64(&a), DBP_U64(&b), DBP_END };
	return db_exec(db, s, p, cols);
}

/* A statement of an account and a local day, with result columns cols (NULL: none). */
static enum db_rc of_account_day(struct db *db, enum stmt s, uint64_t account, int32_t day, struct db_col *cols)
{
	struct db_param p[] = { DBP_U64(&account), DBP_I32(&day), DBP_END };
	return db_exec(db, s, p, cols);
}

enum db_rc persons_account_lock(struct db *db, uint64_t account)
{
	uint64_t id = 0;
	return u64_of(db, STMT_ACCOUNT_LOCK, account, &id);
}

enum db_rc persons_self_of_account(struct db *db, uint64_t account, uint64_t *person)
{
	return u64_of(db, STMT_SELF_OF_ACCOUNT, account, person);
}

enum db_rc persons_self_of_person(struct db *db, uint64_t person, uint64_t *account)
{
	return u64_of(db, STMT_SELF_OF_PERSON, person, account);
}

enum db_rc persons_owned(struct db *db, uint64_t account, uint64_t *person, char name_m[128])
{
	struct db_param p[] = { DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_U64(person), DBC_TEXT(name_m, 128), DBC_END };
	return db_exec(db, STMT_OWNED_PERSON, p, cols);
}

enum db_rc persons_holder_role(struct db *db, uint64_t account, uint64_t person, int32_t *role)
{
	struct db_col cols[] = { DBC_I32(role), DBC_END };
	return of_two(db, STMT_HOLDER_GET, account, person, cols);
}

enum db_rc persons_holder_count(struct db *db, uint64_t person, int32_t *n)
{
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_I32(n), DBC_END };
	return db_exec(db, STMT_HOLDER_COUNT_PERSON, p, cols);
}

enum db_rc persons_delegate_count(struct db *db, uint64_t account, int32_t *n)
{
	struct db_col cols[] = { DBC_I32(n), DBC_END };
	return of_two(db, STMT_DELEGATE_COUNT, account, account, cols);
}

enum db_rc persons_holder_insert(struct db *db, uint64_t account, uint64_t person, int32_t role, int32_t relationship,
				 uint64_t delegate_person, int64_t now)
{
	struct db_param p[] = {
		DBP_U64(&account),
		DBP_U64(&person),
		DBP_I32(&role),
		role == 1 ? (struct db_param)DBP_NULL(DBT_I32) : (struct db_param)DBP_I32(&relationship),
		DBP_I64(&now),
		delegate_person != 0 ? (struct db_param)DBP_U64(&delegate_person) : (struct db_param)DBP_NULL(DBT_U64),
		DBP_END
	};
	return db_exec(db, STMT_HOLDER_INSERT, p, NULL);
}

enum db_rc persons_self_demote(struct db *db, uint64_t person, uint64_t account)
{
	return of_two(db, STMT_SELF_DEMOTE, person, account, NULL);
}

enum db_rc persons_holder_make_self(struct db *db, uint64_t account, uint64_t person, int *made)
{
	enum db_rc rc = of_two(db, STMT_HOLDER_MAKE_SELF, account, person, NULL);
	*made = rc == DB_OK && db_affected(db) > 0;
	return rc;
}

enum db_rc persons_refusals(struct db *db, uint64_t account, int32_t day, int32_t *n)
{
	struct db_col cols[] = { DBC_I32(n), DBC_END };
	return of_account_day(db, STMT_REFUSALS_GET, account, day, cols);
}

enum db_rc persons_refusal_add(struct db *db, uint64_t account, int32_t day)
{
	return of_account_day(db, STMT_REFUSAL_ADD, account, day, NULL);
}

enum db_rc persons_delegation_pending(struct db *db, uint64_t person, uint64_t account, uint64_t *id)
{
	struct db_col cols[] = { DBC_U64(id), DBC_END };
	return of_two(db, STMT_DELEGATION_PENDING_GET, person, account, cols);
}

enum db_rc persons_delegation_insert(struct db *db, uint64_t person, uint64_t account, uint64_t delegate_person,
				     int32_t relationship, int64_t now, uint64_t *id)
{
	struct db_param p[] = { DBP_U64(&person),       DBP_U64(&account), DBP_U64(&delegate_person),
				DBP_I32(&relationship), DBP_I64(&now),     DBP_END };
	enum db_rc rc = db_exec(db, STMT_DELEGATION_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

enum db_rc persons_declaration_insert(struct db *db, const struct declaration_row *d, int64_t now)
{
	int32_t sym = (int32_t)d->symptoms, temp = d->temperature_tenths, contact = d->contact, color = d->color;
	struct db_param p[] = { DBP_U64(&d->person),
				DBP_U64(&d->account),
				DBP_BLOB(d->travel_e, d->travel_n),
				DBP_I32(&sym),
				d->has_temperature ? (struct db_param)DBP_I32(&temp)
						   : (struct db_param)DBP_NULL(DBT_I32),
				DBP_I32(&contact),
				DBP_I32(&color),
				DBP_TEXT(d->reason),
				DBP_I64(&now),
				DBP_END };
	return db_exec(db, STMT_DECLARATION_INSERT, p, NULL);
}

enum db_rc persons_report_insert(struct db *db, uint64_t person, int32_t day, uint64_t account, uint32_t symptoms,
				 int32_t temperature_tenths, int64_t now)
{
	int32_t sym = (int32_t)symptoms;
	struct db_param p[] = {
		DBP_U64(&person), DBP_I32(&day), DBP_U64(&account), DBP_I32(&sym), DBP_I32(&temperature_tenths),
		DBP_I64(&now),    DBP_END
	};
	return db_exec(db, STMT_REPORT_INSERT, p, NULL);
}

enum db_rc persons_reports(struct db *db, uint64_t person, void (*fn)(const struct report_row *r, void *arg), void *arg)
{
	struct report_row r = { 0 };
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_I32(&r.day), DBC_I32((int32_t *)&r.symptoms), DBC_I32(&r.temperature_tenths),
				 DBC_TEXT(r.at, sizeof r.at), DBC_END };
	return report_row_rows(db, STMT_REPORTS_LIST, p, cols, &r, fn, arg);
}

enum db_rc persons_idem_get(struct db *db, uint64_t account, const char *key, int32_t *status, char *body, size_t cap,
			    size_t *len)
{
	struct db_param p[] = { DBP_U64(&account), DBP_TEXT(key), DBP_END };
	struct db_col cols[] = { DBC_I32(status), DBC_BLOB(body, cap), DBC_END };
	enum db_rc rc = db_exec(db, STMT_IDEM_GET, p, cols);
	*len = rc == DB_OK ? (cols[1].len < cap ? cols[1].len : cap) : 0;
	return rc;
}

enum db_rc persons_idem_put(struct db *db, uint64_t account, const char *key, int32_t status, const char *body,
			    size_t len, int64_t now)
{
	struct db_param p[] = { DBP_U64(&account),   DBP_TEXT(key), DBP_I32(&status),
				DBP_BLOB(body, len), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_IDEM_INSERT, p, NULL);
}

/* The risk areas as they are read, copied into an arena. */
struct areas_in {
	struct arena *a;
	const char **list;
	size_t n;
};

static void add_area(const char *city, void *arg)
{
	struct areas_in *in = arg;
	if (in->n < RISK_AREAS_MAX)
		in->list[in->n++] = arena_strdup(in->a, city);
}

enum db_rc persons_risk_areas(struct db *db, struct arena *a, const char ***out, size_t *n)
{
	struct areas_in in = { a, arena_alloc(a, RISK_AREAS_MAX * sizeof *in.list), 0 };
	*n = 0;
	if (in.list == NULL)
		return DB_ERR;
	enum db_rc rc = risk_areas_each(db, add_area, &in);
	if (rc != DB_OK)
		return rc;
	*out = in.list;
	*n = in.n;
	return DB_OK;
}

enum db_rc persons_account(struct db *db, uint64_t account, char since[32], int32_t *has_union)
{
	struct db_param p[] = { DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_TEXT(since, 32), DBC_I32(has_union), DBC_END };
	return db_exec(db, STMT_ACCOUNT_GET, p, cols);
}

enum db_rc persons_of_account(struct db *db, uint64_t account, void (*fn)(const struct account_person *p, void *arg),
			      void *arg)
{
	struct account_person r = { 0 };
	struct db_param p[] = { DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_TEXT(r.pid, sizeof r.pid),
				 DBC_TEXT(r.name_m, sizeof r.name_m),
				 DBC_I32(&r.role),
				 DBC_I32(&r.relationship),
				 DBC_I32(&r.color),
				 DBC_U64(&r.id),
				 DBC_I32(&r.owner),
				 DBC_END };
	return account_person_rows(db, STMT_PERSONS_OF_ACCOUNT, p, cols, &r, fn, arg);
}

enum db_rc persons_holders(struct db *db, uint64_t account, uint64_t person,
			   void (*fn)(const struct person_holder *h, void *arg), void *arg)
{
	struct person_holder h = { 0 };
	struct db_param p[] = { DBP_U64(&account), DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_U64(&h.id),
				 DBC_I32(&h.role),
				 DBC_I32(&h.relationship),
				 DBC_TEXT(h.name_m, sizeof h.name_m),
				 DBC_TEXT(h.since, sizeof h.since),
				 DBC_I32(&h.mine),
				 DBC_END };
	return person_holder_rows(db, STMT_HOLDERS_OF_PERSON, p, cols, &h, fn, arg);
}

enum db_rc persons_pending(struct db *db, uint64_t person, void (*fn)(const struct person_holder *h, void *arg),
			   void *arg)
{
	struct person_holder h = { .role = 2 };
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_U64(&h.id), DBC_I32(&h.relationship), DBC_TEXT(h.name_m, sizeof h.name_m),
				 DBC_TEXT(h.since, sizeof h.since), DBC_END };
	return person_holder_rows(db, STMT_PENDING_OF_PERSON, p, cols, &h, fn, arg);
}

enum db_rc persons_openids(struct db *db, uint64_t person, uint64_t except, int owner_only,
			   char (*out)[PERSONS_OPENID_BUF], int max, int *n)
{
	char cur[PERSONS_OPENID_BUF];
	struct db_col cols[] = { DBC_TEXT(cur, sizeof cur), DBC_END };
	enum db_rc rc;
	*n = 0;
	if (owner_only) {
		struct db_param p[] = { DBP_U64(&person), DBP_END };
		rc = db_exec(db, STMT_OWNER_OPENID, p, cols);
		if (rc == DB_OK && max > 0)
			memcpy(out[(*n)++], cur, sizeof cur);
		return rc;
	}
	struct db_param p[] = { DBP_U64(&person), DBP_U64(&except), DBP_END };
	if ((rc = db_query(db, STMT_HOLDER_OPENIDS, p, cols)) != DB_OK)
		return rc;
	while ((rc = db_fetch(db)) == DB_OK)
		if (*n < max)
			memcpy(out[(*n)++], cur, sizeof cur);
	return rc == DB_NOROW ? DB_OK : rc;
}

enum db_rc persons_delegation_for_owner(struct db *db, uint64_t id, uint64_t owner, struct delegation_row *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_U64(&id), DBP_U64(&owner), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->person),
				 DBC_U64(&out->account),
				 DBC_U64(&out->delegate_person),
				 DBC_I32(&out->relationship),
				 DBC_I32(&out->status),
				 DBC_TEXT(out->pid, sizeof out->pid),
				 DBC_TEXT(out->delegate_name_m, sizeof out->delegate_name_m),
				 DBC_END };
	return db_exec(db, STMT_DELEGATION_FOR_OWNER, p, cols);
}

enum db_rc persons_delegation_decide(struct db *db, uint64_t id, int32_t status, int64_t now)
{
	struct db_param p[] = { DBP_I32(&status), DBP_I64(&now), DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_DELEGATION_DECIDE, p, NULL);
	if (rc == DB_OK && db_affected(db) != 1)
		return DB_NOROW;
	return rc;
}

enum db_rc persons_holder_for_removal(struct db *db, uint64_t hid, const char *pid, struct holder_removal *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_U64(&hid), DBP_TEXT(pid), DBP_END };
	struct db_col cols[] = { DBC_U64(&out->account), DBC_I32(&out->role), DBC_U64(&out->person),
				 DBC_U64(&out->owner), DBC_END };
	return db_exec(db, STMT_HOLDER_FOR_REMOVAL, p, cols);
}

enum db_rc persons_holder_delete(struct db *db, uint64_t hid)
{
	struct db_param p[] = { DBP_U64(&hid), DBP_END };
	return db_exec(db, STMT_HOLDER_DELETE, p, NULL);
}
