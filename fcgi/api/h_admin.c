/* h_admin.c: the staff API: checkpoints, devices and residents (operator), persons, history and
 * orders (officer, investigator), contact tracing (investigator), the audit log (operator).
 * The router checks the role and writes the audit row of every call; handlers never do. */
#include "auth.h"
#include "clock.h"
#include "codes.h"
#include "crypto.h"
#include "db.h"
#include "isotime.h"
#include "keys.h"
#include "label.h"
#include "persons.h"
#include "resp.h"
#include "routes.h"
#include "rules.h"
#include "store_admin.h"
#include "valid.h"
#include "valid_id.h"
#include "verdict.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ADMIN_LIST_DEFAULT 50
#define TRACE_WINDOW_DEFAULT 30
#define TRACE_ROWS_MAX 1000             /* contacts in one answer (STMT_TRACE_AT LIMIT) */

#define db_err persons_db_err

/* ---- small pure helpers ------------------------------------------------ */
/* The field tables of every route here are in fields_admin.c: the router validates before a
 * handler runs, and the handler reads c->f (and c->form where the form's check built one). */

/* The value of a query field, or dflt when it was not given. */
static long long qint(const struct fval *f, long long dflt)
{
	return f->present ? f->i : dflt;
}

/* ---- lookups -------------------------------------------------------------- */

/* Validates id_type and id_number (already known to be present text) and computes the index.
 * Records field errors on the call; returns 0 when both are valid. */
static int index_of(struct call *c, const char *type, const char *number, uint8_t out[32])
{
	int y, m, d;
	clock_local_ymd(clock_now(), &y, &m, &d);
	if (!vid_id_type_known(type)) {
		call_field_error(c, "id_type", vid_err_word(VID_ID_TYPE));
		return -1;
	}
	char norm[VID_DOC_BUF];
	enum vid_err e = vid_document(type, number, strlen(number), y, m, d, norm, sizeof norm);
	if (e != VID_OK) {
		call_field_error(c, "id_number", vid_err_word(e));
		return -1;
	}
	person_id_index(c->keys->index, vid_doc_from_word(type), norm, out);
	return 0;
}

struct person_admin {
	uint64_t id;
	int32_t id_type, color;
	char pid[PUBLIC_ID_LEN + 2], name_m[128], id_m[48], phone_m[16], reason[48], since[32];
};

/* STMT_PERSON_ADMIN or STMT_PERSON_BY_INDEX_ADMIN: the same columns. */
static enum db_rc person_admin_get(struct db *db, enum stmt s, const struct db_param *p, struct person_admin *r)
{
	struct db_col cols[] = { DBC_U64(&r->id), DBC_TEXT(r->pid, sizeof r->pid), DBC_I32(&r->id_type),
				 DBC_TEXT(r->name_m, sizeof r->name_m), DBC_TEXT(r->id_m, sizeof r->id_m),
				 DBC_TEXT(r->phone_m, sizeof r->phone_m), DBC_I32(&r->color),
				 DBC_TEXT(r->reason, sizeof r->reason), DBC_TEXT(r->since, sizeof r->since), DBC_END };
	return db_exec(db, s, p, cols);
}

/* The masked person with its current code (converted on read, as every read does). */
static cJSON *person_admin_json(struct call *c, struct person_admin *r)
{
	struct code_state code;
	struct code_status st;
	int64_t now = clock_now();
	if (codes_read(c->db, c->conf, r->id, now, &code, &st) == DB_OK) {
		r->color = code.color;
		snprintf(r->reason, sizeof r->reason, "%s", code.reason);
		codes_iso(code.since, r->since);
	}
	cJSON *o = cJSON_CreateObject();
	const char *type = vid_doc_word((enum vid_doc)r->id_type);
	const char *color = rules_color_word((enum rules_color)r->color);
	cJSON_AddStringToObject(o, "id", r->pid);
	cJSON_AddStringToObject(o, "id_type", type != NULL ? type : "unknown");
	cJSON_AddStringToObject(o, "name_masked", r->name_m);
	cJSON_AddStringToObject(o, "id_masked", r->id_m);
	cJSON_AddStringToObject(o, "phone_masked", r->phone_m);
	cJSON_AddStringToObject(o, "color", color != NULL ? color : "none");
	cJSON_AddStringToObject(o, "reason", r->reason);
	cJSON_AddStringToObject(o, "since", r->since);
	return o;
}

static cJSON *checkpoint_json(uint64_t id, int kind, int type, const char *name, const char *district)
{
	cJSON *o = cJSON_CreateObject();
	const char *kw = verdict_cp_kind_word((enum verdict_cp_kind)kind);
	const char *tw = verdict_cp_type_word((enum verdict_cp_type)type);
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "kind", kw != NULL ? kw : "unknown");
	cJSON_AddStringToObject(o, "type", tw != NULL ? tw : "unknown");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "district", district);
	return o;
}

/* ---- checkpoints, devices, residents (operator) -------------------------- */

enum err h_admin_checkpoint_create(struct call *c)
{
	const struct fval *f = c->f; /* checkpoint_fields, checkpoint_check */
	enum verdict_cp_kind kind = (enum verdict_cp_kind)f[CHECKPOINT_KIND].i;
	enum verdict_cp_type type = (enum verdict_cp_type)f[CHECKPOINT_TYPE].i;
	const char *name = f[CHECKPOINT_NAME].s, *district = f[CHECKPOINT_DISTRICT].s;

	uint64_t id = 0;
	enum db_rc rc = checkpoint_create(c->db, (int32_t)kind, (int32_t)type, name, district, clock_now(), &id);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	resp_json(c, 201, checkpoint_json(id, kind, type, name, district));
	return ERR_OK;
}

enum err h_admin_checkpoints(struct call *c)
{
	const struct fval *f = c->f; /* cplist_fields */
	int32_t limit = (int32_t)qint(&f[CPLIST_LIMIT], ADMIN_LIST_DEFAULT);
	int32_t offset = (int32_t)qint(&f[CPLIST_OFFSET], 0);
	uint64_t id = 0;
	int32_t kind = 0, type = 0;
	char name[LABEL_BUF], district[LABEL_BUF];
	struct db_param p[] = { DBP_I32(&limit), DBP_I32(&offset), DBP_END };
	struct db_col cols[] = { DBC_U64(&id), DBC_I32(&kind), DBC_I32(&type), DBC_TEXT(name, sizeof name),
				 DBC_TEXT(district, sizeof district), DBC_END };
	enum db_rc rc = db_query(c->db, STMT_CHECKPOINTS_LIST, p, cols);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "checkpoints");
	int n = 0;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON_AddItemToArray(list, checkpoint_json(id, kind, type, name, district));
		n++;
	}
	if (rc != DB_NOROW) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	if (n == limit)
		cJSON_AddNumberToObject(o, "next_offset", (double)offset + n);
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_admin_device_create(struct call *c)
{
	uint64_t cp = path_id_parse(c->params[0]);
	if (cp == 0)
		return ERR_NOT_FOUND;
	struct checkpoint_row r;
	enum db_rc rc = checkpoint_get(c->db, cp, &r);
	if (rc != DB_OK)
		return db_err(rc);
	char token[AUTH_TOKEN_LEN + 1];
	uint8_t hash[32];
	if (auth_new_token(token, hash) != 0)
		return ERR_INTERNAL;
	uint64_t id = 0;
	rc = device_create(c->db, cp, hash, clock_now(), &id);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "device_id", (double)id);
	cJSON_AddNumberToObject(o, "checkpoint_id", (double)cp);
	cJSON_AddStringToObject(o, "token", token);
	memset(token, 0, sizeof token);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 201, o);
	return ERR_OK;
}

enum err h_admin_device_revoke(struct call *c)
{
	uint64_t id = path_id_parse(c->params[0]);
	if (id == 0)
		return ERR_NOT_FOUND;
	enum db_rc rc = device_revoke(c->db, id, clock_now());
	if (rc == DB_NOROW)
		return ERR_NOT_FOUND; /* unknown, or revoked already */
	if (rc != DB_OK)
		return db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "device_id", (double)id);
	cJSON_AddBoolToObject(o, "revoked", 1);
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_admin_resident_add(struct call *c)
{
	const struct fval *f = c->f; /* resident_fields, resident_check */
	uint64_t cp = path_id_parse(c->params[0]);
	if (cp == 0)
		return ERR_NOT_FOUND;
	const char *pid = f[RESIDENT_PERSON_ID].s;
	uint8_t idx[32];
	int by_pid = f[RESIDENT_PERSON_ID].present;
	if (!by_pid && index_of(c, f[RESIDENT_ID_TYPE].s, f[RESIDENT_ID_NUMBER].s, idx) != 0)
		return ERR_VALIDATION;

	struct checkpoint_row r;
	enum db_rc rc = checkpoint_get(c->db, cp, &r);
	if (rc != DB_OK)
		return db_err(rc);
	if (r.kind != VERDICT_CP_COMMUNITY) {
		/* No dedicated error code may be added here: the field names the stable reason. */
		call_field_error(c, "checkpoint", "NOT_A_COMMUNITY");
		return ERR_CONFLICT;
	}
	struct person_admin pa;
	if (by_pid) {
		snprintf(pa.pid, sizeof pa.pid, "%s", pid);
		rc = person_id_by_public(c->db, pid, &pa.id);
	} else {
		struct db_param ip[] = { DBP_BLOB(idx, 32), DBP_END };
		rc = person_admin_get(c->db, STMT_PERSON_BY_INDEX_ADMIN, ip, &pa);
	}
	if (rc != DB_OK)
		return db_err(rc);
	c->audit_target = arena_strdup(c->arena, pa.pid);
	int added = 0;
	rc = resident_add(c->db, cp, pa.id, clock_now(), &added);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "checkpoint_id", (double)cp);
	cJSON_AddStringToObject(o, "person_id", pa.pid);
	cJSON_AddBoolToObject(o, "already_resident", !added);
	resp_json(c, 201, o);
	return ERR_OK;
}

/* ---- persons, history, orders (officer, investigator) --------------------- */

enum err h_admin_person_find(struct call *c)
{
	const struct fval *f = c->f; /* find_fields */
	uint8_t idx[32];
	if (index_of(c, f[FIND_ID_TYPE].s, f[FIND_ID_NUMBER].s, idx) != 0)
		return ERR_VALIDATION;
	struct person_admin pa;
	struct db_param p[] = { DBP_BLOB(idx, 32), DBP_END };
	enum db_rc rc = person_admin_get(c->db, STMT_PERSON_BY_INDEX_ADMIN, p, &pa);
	if (rc != DB_OK)
		return db_err(rc);
	c->audit_target = arena_strdup(c->arena, pa.pid); /* the lookup names whom it found */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "person", person_admin_json(c, &pa));
	resp_json(c, 200, o);
	return ERR_OK;
}

/* The person {id} of an admin route; ERR_NOT_FOUND when the id is malformed or unknown. */
static enum err person_of_path(struct call *c, struct person_admin *pa)
{
	const char *pid = c->params[0];
	if (pid == NULL || !public_id_ok(pid, strlen(pid)))
		return ERR_NOT_FOUND;
	struct db_param p[] = { DBP_TEXT(pid), DBP_END };
	enum db_rc rc = person_admin_get(c->db, STMT_PERSON_ADMIN, p, pa);
	return rc == DB_OK ? ERR_OK : db_err(rc);
}

static cJSON *reasons_json(uint32_t bits)
{
	cJSON *a = cJSON_CreateArray();
	for (int r = 0; r < VERDICT_REASON__MAX; r++) {
		const char *w = verdict_reason_word((enum verdict_reason)r);
		if ((bits & VERDICT_REASON_BIT(r)) != 0 && w != NULL)
			cJSON_AddItemToArray(a, cJSON_CreateString(w));
	}
	return a;
}

static const char *word_or(const char *w, const char *dflt)
{
	return w != NULL ? w : dflt;
}

static enum db_rc history_events(struct call *c, uint64_t person, cJSON *list)
{
	int32_t from = 0, to = 0;
	char reason[48], kind[24], actor[LABEL_BUF], at[32];
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_I32(&from), DBC_I32(&to), DBC_TEXT(reason, sizeof reason),
				 DBC_TEXT(kind, sizeof kind), DBC_TEXT(actor, sizeof actor), DBC_TEXT(at, sizeof at),
				 DBC_END };
	enum db_rc rc = db_query(c->db, STMT_EVENTS_OF_PERSON, p, cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "from", word_or(rules_color_word((enum rules_color)from), "none"));
		cJSON_AddStringToObject(e, "to", word_or(rules_color_word((enum rules_color)to), "none"));
		cJSON_AddStringToObject(e, "reason", reason);
		cJSON_AddStringToObject(e, "actor_kind", kind);
		cJSON_AddStringToObject(e, "actor", actor);
		cJSON_AddStringToObject(e, "at", at);
		cJSON_AddItemToArray(list, e);
	}
	return rc == DB_NOROW ? DB_OK : rc;
}

static enum db_rc history_scans(struct call *c, uint64_t person, cJSON *list)
{
	uint64_t id = 0, cp = 0;
	int32_t dir = 0, verdict = 0;
	uint32_t reasons = 0;
	char at[40], cpname[LABEL_BUF], idtext[24], source[16];
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_U64(&id), DBC_TEXT(at, sizeof at), DBC_U64(&cp),
				 DBC_TEXT(cpname, sizeof cpname), DBC_I32(&dir), DBC_I32(&verdict),
				 DBC_I32((int32_t *)&reasons), DBC_TEXT(source, sizeof source), DBC_END };
	enum db_rc rc = db_query(c->db, STMT_SCANS_OF_PERSON, p, cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON *s = cJSON_CreateObject();
		snprintf(idtext, sizeof idtext, "%llu", (unsigned long long)id);
		cJSON_AddStringToObject(s, "scan_id", idtext);
		cJSON_AddStringToObject(s, "at", at);
		cJSON_AddNumberToObject(s, "checkpoint_id", (double)cp);
		cJSON_AddStringToObject(s, "checkpoint", cpname);
		cJSON_AddStringToObject(s, "direction", word_or(verdict_direction_word((enum verdict_direction)dir), "unknown"));
		cJSON_AddStringToObject(s, "verdict", word_or(verdict_word((enum verdict)verdict), "unknown"));
		cJSON_AddItemToObject(s, "reasons", reasons_json(reasons));
		cJSON_AddStringToObject(s, "source", source); /* device, integrator, place (a check-in) */
		cJSON_AddItemToArray(list, s);
	}
	return rc == DB_NOROW ? DB_OK : rc;
}

enum err h_admin_history(struct call *c)
{
	struct person_admin pa;
	enum err e = person_of_path(c, &pa);
	if (e != ERR_OK)
		return e;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "person", person_admin_json(c, &pa));
	cJSON *events = cJSON_AddArrayToObject(o, "events");
	cJSON *scans = cJSON_AddArrayToObject(o, "scans");
	enum db_rc rc = history_events(c, pa.id, events);
	if (rc == DB_OK)
		rc = history_scans(c, pa.id, scans);
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}

/* Applies the order under the code's row lock; the event names the officer. */
static enum err order_apply(struct call *c, uint64_t person, const struct order *o, int64_t now)
{
	enum db_rc rc;
	struct code_state cur, next;
	int attempt = 0;
	do {
		cur.version = 0;
		rc = db_begin(c->db);
		if (rc != DB_OK)
			return db_err(rc == DB_NOROW ? DB_ERR : rc);
		rc = codes_load(c->db, person, 1, &cur);
		if (rc == DB_OK) {
			next = cur;
			next.color = o->color;
			snprintf(next.reason, sizeof next.reason, "%s", o->reason);
			if (cur.color != o->color)
				next.since = now;
			if (o->color == RULES_COLOR_RED) {
				next.has_obs = 1;
				next.obs_start = clock_local_day(now);
				next.obs_until = next.obs_start + o->days;
			} else {
				next.has_obs = 0;
				next.obs_start = next.obs_until = 0;
			}
			rc = codes_change(c->db, person, &cur, &next, "officer", c->admin_name, now);
		}
		if (rc == DB_OK)
			rc = db_commit(c->db);
		else
			db_rollback(c->db);
	} while (db_txn_again(c->db, rc, attempt++));
	if (rc == DB_NOROW)
		return cur.version != 0 ? ERR_CONFLICT : ERR_NOT_FOUND;
	return rc == DB_OK ? ERR_OK : db_err(rc);
}

enum err h_admin_order(struct call *c)
{
	const struct order *o = c->form; /* order_fields, order_check */
	enum err e;
	if (o == NULL)
		return ERR_INTERNAL;
	struct person_admin pa;
	if ((e = person_of_path(c, &pa)) != ERR_OK)
		return e;
	int64_t now = clock_now();
	if ((e = order_apply(c, pa.id, o, now)) != ERR_OK)
		return e;
	struct code_state code;
	struct code_status st;
	enum db_rc rc = codes_read(c->db, c->conf, pa.id, now, &code, &st);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "person_id", pa.pid);
	cJSON_AddItemToObject(out, "code", codes_json(&code, &st, now));
	resp_json(c, 200, out);
	return ERR_OK;
}

/* ---- tracing (investigator) ------------------------------------------------ */

enum err h_admin_trace(struct call *c)
{
	const struct fval *f = c->f; /* trace_fields, trace_check */
	int64_t from = f[TRACE_FROM].i, to = f[TRACE_TO].i;
	int32_t window = (int32_t)qint(&f[TRACE_WINDOW], TRACE_WINDOW_DEFAULT);
	const char *pid = f[TRACE_PERSON].s;
	uint64_t person = 0;
	enum db_rc rc = person_id_by_public(c->db, pid, &person);
	if (rc != DB_OK)
		return db_err(rc);

	/* The person's scans lie in [from, to); the others' within the window of one of them, which
	 * is at most a day: one local day more on each side keeps the partitions pruned. */
	int32_t s_lo = clock_local_day(from), s_hi = clock_local_day(to);
	int32_t o_lo = s_lo - 1, o_hi = s_hi + 1;
	/* First the case's entries (bounded), then each one's window at its checkpoint: two index
	 * range scans per entry instead of a join the optimizer can only walk by checkpoint. */
	struct entry { uint64_t cp; char name[LABEL_BUF], t[40], at[32]; };
	static _Thread_local struct entry entries[500];
	int ne = 0;
	struct entry cur;
	struct db_param p[] = { DBP_U64(&person), DBP_I64(&from), DBP_I64(&to), DBP_I32(&s_lo), DBP_I32(&s_hi),
				DBP_END };
	struct db_col cols[] = { DBC_U64(&cur.cp), DBC_TEXT(cur.name, sizeof cur.name), DBC_TEXT(cur.t, sizeof cur.t),
				 DBC_TEXT(cur.at, sizeof cur.at), DBC_END };
	rc = db_query(c->db, STMT_TRACE_CASE, p, cols);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	while ((rc = db_fetch(c->db)) == DB_OK)
		if (ne < 500)
			entries[ne++] = cur;
	if (rc != DB_NOROW)
		return db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "person_id", pid);
	cJSON *list = cJSON_AddArrayToObject(o, "contacts");
	int n = 0;
	for (int i = 0; i < ne && n < TRACE_ROWS_MAX; i++) {
		uint64_t other = 0;
		char opid[PUBLIC_ID_LEN + 2], name_m[128], id_m[48], at[32];
		struct db_param q[] = { DBP_U64(&entries[i].cp), DBP_TEXT(entries[i].t), DBP_I32(&window),
					DBP_TEXT(entries[i].t), DBP_I32(&window), DBP_I32(&o_lo), DBP_I32(&o_hi),
					DBP_U64(&person), DBP_END };
		struct db_col qc[] = { DBC_U64(&other), DBC_TEXT(opid, sizeof opid), DBC_TEXT(name_m, sizeof name_m),
				       DBC_TEXT(id_m, sizeof id_m), DBC_TEXT(at, sizeof at), DBC_END };
		rc = db_query(c->db, STMT_TRACE_AT, q, qc);
		if (rc != DB_OK) {
			cJSON_Delete(o);
			return db_err(rc == DB_NOROW ? DB_ERR : rc);
		}
		while ((rc = db_fetch(c->db)) == DB_OK) {
			if (n >= TRACE_ROWS_MAX)
				continue;
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "person_id", opid);
			cJSON_AddStringToObject(x, "name_masked", name_m);
			cJSON_AddStringToObject(x, "id_masked", id_m);
			cJSON_AddNumberToObject(x, "checkpoint_id", (double)entries[i].cp);
			cJSON_AddStringToObject(x, "checkpoint", entries[i].name);
			cJSON_AddStringToObject(x, "at", at);
			cJSON_AddStringToObject(x, "case_at", entries[i].at);
			cJSON_AddItemToArray(list, x);
			n++;
		}
		if (rc != DB_NOROW) {
			cJSON_Delete(o);
			return db_err(rc);
		}
	}
	cJSON_AddNumberToObject(o, "window_minutes", window);
	cJSON_AddBoolToObject(o, "truncated", n >= TRACE_ROWS_MAX);
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- the audit log (operator) ---------------------------------------------- */

enum err h_admin_audit(struct call *c)
{
	const struct fval *f = c->f; /* audit_fields */
	uint64_t before = (uint64_t)qint(&f[AUDIT_BEFORE], INT64_MAX);
	int32_t limit = (int32_t)qint(&f[AUDIT_LIMIT], ADMIN_LIST_DEFAULT);
	uint64_t id = 0, last = 0;
	char actor[LABEL_BUF], role[24], action[64], target[LABEL_BUF], rid[72], at[32];
	struct db_param p[] = { DBP_U64(&before), DBP_I32(&limit), DBP_END };
	struct db_col cols[] = { DBC_U64(&id), DBC_TEXT(actor, sizeof actor), DBC_TEXT(role, sizeof role),
				 DBC_TEXT(action, sizeof action), DBC_TEXT(target, sizeof target),
				 DBC_TEXT(rid, sizeof rid), DBC_TEXT(at, sizeof at), DBC_END };
	enum db_rc rc = db_query(c->db, STMT_AUDIT_LIST, p, cols);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "entries");
	int n = 0;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "id", (double)id);
		cJSON_AddStringToObject(x, "actor", actor);
		cJSON_AddStringToObject(x, "role", role);
		cJSON_AddStringToObject(x, "action", action);
		if (target[0] != '\0')
			cJSON_AddStringToObject(x, "target", target);
		else
			cJSON_AddNullToObject(x, "target");
		cJSON_AddStringToObject(x, "request_id", rid);
		cJSON_AddStringToObject(x, "at", at);
		cJSON_AddItemToArray(list, x);
		last = id;
		n++;
	}
	if (rc != DB_NOROW) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	if (n == limit && last > 1)
		cJSON_AddNumberToObject(o, "next_before_id", (double)last);
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- high-risk areas ------------------------------------------------------ */

/* The list as the rules read it, as {"areas":[...]}. */
static enum err risk_areas_answer(struct call *c)
{
	char city[260];
	struct db_col cols[] = { DBC_TEXT(city, sizeof city), DBC_END };
	enum db_rc rc = db_query(c->db, STMT_RISK_AREAS_LIST, NULL, cols);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "areas");
	while ((rc = db_fetch(c->db)) == DB_OK)
		cJSON_AddItemToArray(list, cJSON_CreateString(city));
	if (rc != DB_NOROW) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_admin_risk_areas(struct call *c)
{
	return risk_areas_answer(c);
}

/* PUT {"areas":[city...]}: replaces the whole list (an empty array clears it); declarations made
 * from now on are judged against it. Repeated names are kept once. */
enum err h_admin_risk_areas_set(struct call *c)
{
	/* risk_areas_fields and risk_areas_check: a list of at most RISK_AREAS_MAX clean names. */
	const cJSON *areas = cJSON_GetObjectItemCaseSensitive((const cJSON *)c->json, "areas");
	const cJSON *it;
	int64_t now = clock_now();
	for (int attempt = 0; attempt < DB_TXN_ATTEMPTS; attempt++) {
		enum db_rc rc = db_begin(c->db);
		if (rc == DB_OK)
			rc = db_exec(c->db, STMT_RISK_AREAS_CLEAR, NULL, NULL);
		cJSON_ArrayForEach(it, areas) {
			if (rc != DB_OK)
				break;
			struct db_param p[] = { DBP_TEXT(it->valuestring), DBP_I64(&now), DBP_END };
			rc = db_exec(c->db, STMT_RISK_AREA_INSERT, p, NULL);
		}
		if (rc == DB_OK)
			rc = db_commit(c->db);
		else
			db_rollback(c->db);
		if (rc == DB_OK)
			return risk_areas_answer(c);
		if (!db_txn_again(c->db, rc, attempt))
			return rc == DB_RETRY ? ERR_CONFLICT : db_err(rc == DB_NOROW ? DB_ERR : rc);
	}
	return ERR_CONFLICT;
}
