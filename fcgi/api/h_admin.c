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

#define ADMIN_LIST_DEFAULT   50
#define TRACE_WINDOW_DEFAULT 30
#define TRACE_ROWS_MAX       1000 /* contacts in one answer (STMT_TRACE_AT LIMIT) */

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

/* The masked person with its current code (converted on read, as every read does). */
static cJSON *person_admin_json(struct call *c, struct person_admin *r)
{
	struct code_state code;
	struct code_status st;
	int64_t now = clock_now();
	if (codes_read(c->db, c->conf, r->id, now, &code, &st) == DB_OK) {
		r->color = code.color;
		snprintf(r->reason, sizeof r->reason, "%s", code.reason);
		isotime_format(code.since, r->since);
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

/* A list of an answer as its rows are read: how many, and the last id. */
struct list_of {
	cJSON *list;
	int n;
	uint64_t last;
};

static void add_checkpoint(const struct checkpoint_item *cp, void *arg)
{
	struct list_of *l = arg;
	cJSON_AddItemToArray(l->list, checkpoint_json(cp->id, cp->kind, cp->type, cp->name, cp->district));
	l->n++;
}

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
	cJSON *o = cJSON_CreateObject();
	struct list_of l = { cJSON_AddArrayToObject(o, "checkpoints"), 0, 0 };
	enum db_rc rc = checkpoints_list(c->db, limit, offset, add_checkpoint, &l);
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	}
	int n = l.n;
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
		rc = admin_person_by_index(c->db, idx, &pa);
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
	enum db_rc rc = admin_person_by_index(c->db, idx, &pa);
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
	enum db_rc rc = admin_person_by_public(c->db, pid, pa);
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

static void add_event(const struct code_event_row *r, void *arg)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "from", word_or(rules_color_word((enum rules_color)r->from), "none"));
	cJSON_AddStringToObject(e, "to", word_or(rules_color_word((enum rules_color)r->to), "none"));
	cJSON_AddStringToObject(e, "reason", r->reason);
	cJSON_AddStringToObject(e, "actor_kind", r->actor_kind);
	cJSON_AddStringToObject(e, "actor", r->actor);
	cJSON_AddStringToObject(e, "at", r->at);
	cJSON_AddItemToArray((cJSON *)arg, e);
}

static void add_scan(const struct person_scan_row *r, void *arg)
{
	char idtext[24];
	cJSON *s = cJSON_CreateObject();
	snprintf(idtext, sizeof idtext, "%llu", (unsigned long long)r->id);
	cJSON_AddStringToObject(s, "scan_id", idtext);
	cJSON_AddStringToObject(s, "at", r->at);
	cJSON_AddNumberToObject(s, "checkpoint_id", (double)r->checkpoint);
	cJSON_AddStringToObject(s, "checkpoint", r->checkpoint_name);
	cJSON_AddStringToObject(s, "direction",
				word_or(verdict_direction_word((enum verdict_direction)r->direction), "unknown"));
	cJSON_AddStringToObject(s, "verdict", word_or(verdict_word((enum verdict)r->verdict), "unknown"));
	cJSON_AddItemToObject(s, "reasons", reasons_json(r->reasons));
	cJSON_AddStringToObject(s, "source", r->source); /* device, integrator, place (a check-in) */
	cJSON_AddItemToArray((cJSON *)arg, s);
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
	enum db_rc rc = admin_person_events(c->db, pa.id, add_event, events);
	if (rc == DB_OK)
		rc = admin_person_scans(c->db, pa.id, add_scan, scans);
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

#define TRACE_ENTRIES_MAX 500 /* a case's entries (STMT_TRACE_CASE LIMIT) */

struct trace_entries {
	int n;
	struct trace_entry e[TRACE_ENTRIES_MAX];
};

static void add_entry(const struct trace_entry *e, void *arg)
{
	struct trace_entries *es = arg;
	if (es->n < TRACE_ENTRIES_MAX)
		es->e[es->n++] = *e;
}

/* The contacts of an answer, at most TRACE_ROWS_MAX, as each entry's are read. */
struct contacts {
	cJSON *list;
	const struct trace_entry *entry;
	int n;
};

static void add_contact(const struct trace_contact *r, void *arg)
{
	struct contacts *k = arg;
	if (k->n >= TRACE_ROWS_MAX)
		return;
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "person_id", r->pid);
	cJSON_AddStringToObject(x, "name_masked", r->name_m);
	cJSON_AddStringToObject(x, "id_masked", r->id_m);
	cJSON_AddNumberToObject(x, "checkpoint_id", (double)k->entry->checkpoint);
	cJSON_AddStringToObject(x, "checkpoint", k->entry->name);
	cJSON_AddStringToObject(x, "at", r->at);
	cJSON_AddStringToObject(x, "case_at", k->entry->at);
	cJSON_AddItemToArray(k->list, x);
	k->n++;
}

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
	static _Thread_local struct trace_entries es; /* about 240 KB: not on a worker thread's stack */
	es.n = 0;
	rc = admin_trace_case(c->db, person, from, to, s_lo, s_hi, add_entry, &es);
	if (rc != DB_OK)
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "person_id", pid);
	struct contacts k = { cJSON_AddArrayToObject(o, "contacts"), NULL, 0 };
	for (int i = 0; i < es.n && k.n < TRACE_ROWS_MAX; i++) {
		k.entry = &es.e[i];
		rc = admin_trace_at(c->db, k.entry, window, o_lo, o_hi, person, add_contact, &k);
		if (rc != DB_OK) {
			cJSON_Delete(o);
			return db_err(rc == DB_NOROW ? DB_ERR : rc);
		}
	}
	cJSON_AddNumberToObject(o, "window_minutes", window);
	cJSON_AddBoolToObject(o, "truncated", k.n >= TRACE_ROWS_MAX);
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- the audit log (operator) ---------------------------------------------- */

static void add_audit(const struct audit_row *r, void *arg)
{
	struct list_of *l = arg;
	cJSON *x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "id", (double)r->id);
	cJSON_AddStringToObject(x, "actor", r->actor);
	cJSON_AddStringToObject(x, "role", r->role);
	cJSON_AddStringToObject(x, "action", r->action);
	if (r->target[0] != '\0')
		cJSON_AddStringToObject(x, "target", r->target);
	else
		cJSON_AddNullToObject(x, "target");
	cJSON_AddStringToObject(x, "request_id", r->request_id);
	cJSON_AddStringToObject(x, "at", r->at);
	cJSON_AddItemToArray(l->list, x);
	l->last = r->id;
	l->n++;
}

enum err h_admin_audit(struct call *c)
{
	const struct fval *f = c->f; /* audit_fields */
	uint64_t before = (uint64_t)qint(&f[AUDIT_BEFORE], INT64_MAX);
	int32_t limit = (int32_t)qint(&f[AUDIT_LIMIT], ADMIN_LIST_DEFAULT);
	cJSON *o = cJSON_CreateObject();
	struct list_of l = { cJSON_AddArrayToObject(o, "entries"), 0, 0 };
	enum db_rc rc = admin_audit_list(c->db, before, limit, add_audit, &l);
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
	}
	int n = l.n;
	uint64_t last = l.last;
	if (n == limit && last > 1)
		cJSON_AddNumberToObject(o, "next_before_id", (double)last);
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- high-risk areas ------------------------------------------------------ */

static void add_area(const char *city, void *arg)
{
	cJSON_AddItemToArray((cJSON *)arg, cJSON_CreateString(city));
}

/* The list as the rules read it, as {"areas":[...]}. */
static enum err risk_areas_answer(struct call *c)
{
	cJSON *o = cJSON_CreateObject();
	enum db_rc rc = risk_areas_each(c->db, add_area, cJSON_AddArrayToObject(o, "areas"));
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc == DB_NOROW ? DB_ERR : rc);
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
	/* As risk_areas_fields judged it: a list of at most RISK_AREAS_MAX clean names. */
	const cJSON *areas = cJSON_GetObjectItemCaseSensitive((const cJSON *)c->json, "areas");
	const cJSON *it;
	const char **cities = arena_alloc(c->arena, (size_t)(cJSON_GetArraySize(areas) + 1) * sizeof *cities);
	if (cities == NULL)
		return ERR_INTERNAL;
	size_t n = 0;
	cJSON_ArrayForEach(it, areas)
		cities[n++] = it->valuestring;
	enum db_rc rc = risk_areas_replace(c->db, cities, n, clock_now());
	if (rc == DB_OK)
		return risk_areas_answer(c);
	return rc == DB_RETRY ? ERR_CONFLICT : db_err(rc == DB_NOROW ? DB_ERR : rc);
}
