/* fields_admin.c: the staff API's field tables (queries and JSON bodies) and their checks. */
#include "fields.h"
#include "cclass.h"
#include "isotime.h"
#include "label.h"
#include "person.h"
#include "rules.h"
#include "verdict.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* ---- validators ---- */

static const char *valid_time(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	int64_t t = 0;
	if (!isotime_parse(v, len, &t))
		return "NOT_A_TIME";
	out->i = t;
	out->s = v;
	out->len = len;
	return NULL;
}

static const char *valid_public_id(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	if (!public_id_ok(v, len))
		return "NOT_A_PERSON_ID";
	out->s = v;
	out->len = len;
	return NULL;
}

static const char *valid_cp_kind(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	enum verdict_cp_kind k = verdict_cp_kind_from_word(v, len);
	if (k == VERDICT_CP__MAX)
		return "NOT_ALLOWED";
	out->i = k;
	return NULL;
}

static const char *valid_cp_type(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	enum verdict_cp_type t = verdict_cp_type_from_word(v, len);
	if (t == VERDICT_CPT__MAX)
		return "NOT_ALLOWED";
	out->i = t;
	return NULL;
}

/* A checkpoint's name or district (label_trim): trimmed into the arena. */
static const char *valid_label(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	char *buf = arena_alloc(a, LABEL_BUF);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	const char *code = label_trim(v, len, buf);
	if (code != NULL)
		return code;
	out->s = buf;
	out->len = strlen(buf);
	return NULL;
}

/* An order's reason (reason_trim): trimmed into the arena. */
static const char *valid_reason(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	char *buf = arena_alloc(a, REASON_BUF);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	const char *code = reason_trim(v, len, buf);
	if (code != NULL)
		return code;
	out->s = buf;
	out->len = strlen(buf);
	return NULL;
}

/* ---- queries ---- */

static const struct range list_limit = { 1, ADMIN_LIST_MAX };
static const struct range list_offset = { 0, ADMIN_OFFSET_MAX };
static const struct range audit_before = { 1, INT64_MAX };
static const struct range trace_window = { 1, TRACE_WINDOW_MAX };

const struct field cplist_fields[CPLIST__MAX] = {
	[CPLIST_LIMIT] = { "limit", 0, 8, valid_int, &list_limit },
	[CPLIST_OFFSET] = { "offset", 0, 12, valid_int, &list_offset },
};

const struct field audit_fields[AUDIT__MAX] = {
	[AUDIT_BEFORE] = { "before_id", 0, 20, valid_int, &audit_before },
	[AUDIT_LIMIT] = { "limit", 0, 8, valid_int, &list_limit },
};

/* The ID number is judged against its type and today, with the index, by the handler. */
const struct field find_fields[FIND__MAX] = {
	[FIND_ID_TYPE] = { "id_type", F_REQ, 32, valid_doc_type, "ID_TYPE" },
	[FIND_ID_NUMBER] = { "id_number", F_REQ, 40, valid_text, NULL },
};

const struct field trace_fields[TRACE__MAX] = {
	[TRACE_PERSON] = { "person", F_REQ, PUBLIC_ID_LEN, valid_public_id, NULL },
	[TRACE_FROM] = { "from", F_REQ, 40, valid_time, NULL },
	[TRACE_TO] = { "to", F_REQ, 40, valid_time, NULL },
	[TRACE_WINDOW] = { "window_minutes", 0, 8, valid_int, &trace_window },
};

enum err trace_check(struct call *c, struct fval *v)
{
	if (v[TRACE_FROM].present && v[TRACE_TO].present) {
		if (v[TRACE_TO].i <= v[TRACE_FROM].i)
			call_field_error(c, "to", "NOT_AFTER_FROM");
		else if (v[TRACE_TO].i - v[TRACE_FROM].i > TRACE_RANGE_MAX_S)
			call_field_error(c, "to", "RANGE_TOO_LONG");
	}
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* ---- JSON bodies (at most 4 KiB: each value is bounded by its body) ---- */

const struct field checkpoint_fields[CHECKPOINT__MAX] = {
	[CHECKPOINT_KIND] = { "kind", F_REQ | F_STR | F_EMPTY, 4096, valid_cp_kind, NULL },
	[CHECKPOINT_TYPE] = { "type", F_REQ | F_STR | F_EMPTY, 4096, valid_cp_type, NULL },
	[CHECKPOINT_NAME] = { "name", F_REQ | F_STR | F_EMPTY, 4096, valid_label, NULL },
	[CHECKPOINT_DISTRICT] = { "district", F_REQ | F_STR | F_EMPTY, 4096, valid_label, NULL },
};

enum err checkpoint_check(struct call *c, struct fval *v)
{
	/* A type belongs to one kind (a taxi is a vehicle). */
	if (v[CHECKPOINT_KIND].present && v[CHECKPOINT_TYPE].present &&
	    verdict_cp_type_kind((enum verdict_cp_type)v[CHECKPOINT_TYPE].i) !=
		(enum verdict_cp_kind)v[CHECKPOINT_KIND].i)
		call_field_error(c, "type", "NOT_OF_KIND");
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* Either person_id, or id_type with id_number (judged with the index by the handler). */
const struct field resident_fields[RESIDENT__MAX] = {
	[RESIDENT_PERSON_ID] = { "person_id", F_STR | F_EMPTY, 4096, valid_public_id, NULL },
	[RESIDENT_ID_TYPE] = { "id_type", F_STR | F_EMPTY, 4096, valid_doc_type, "ID_TYPE" },
	[RESIDENT_ID_NUMBER] = { "id_number", F_STR | F_EMPTY, 4096, valid_raw, NULL },
};

/* Whether the body names the field (null counts as absent). */
static int given(const struct call *c, const struct fval *v, size_t i, const char *name)
{
	return v[i].present || call_field_failed(c, name);
}

enum err resident_check(struct call *c, struct fval *v)
{
	if (given(c, v, RESIDENT_PERSON_ID, "person_id")) {
		/* By public id: the ID number's fields are not this form's (their own errors stay). */
		if (given(c, v, RESIDENT_ID_TYPE, "id_type") || given(c, v, RESIDENT_ID_NUMBER, "id_number"))
			call_field_error(c, "person_id", "EXCLUSIVE_WITH_ID_NUMBER");
	} else {
		if (!given(c, v, RESIDENT_ID_TYPE, "id_type"))
			call_field_error(c, "id_type", "REQUIRED");
		if (!given(c, v, RESIDENT_ID_NUMBER, "id_number"))
			call_field_error(c, "id_number", "REQUIRED");
	}
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* A red order says why and for how many days; a green one clears (no days). */
static const char *const order_colors[] = { "red", "green", NULL };
static const struct range order_days = { RULES_OBSERVATION_DAYS_MIN, RULES_OBSERVATION_DAYS_MAX };
const struct field order_fields[ORDER__MAX] = {
	[ORDER_COLOR] = { "color", F_REQ | F_STR | F_EMPTY, 4096, valid_enum, order_colors },
	[ORDER_REASON] = { "reason", F_STR | F_EMPTY, 4096, valid_reason, NULL },
	/* a JSON number in the range, judged by order_check (its color decides whether it is wanted) */
	[ORDER_DAYS] = { "observation_days", F_EMPTY, 4096, valid_raw, &order_days },
};

enum err order_check(struct call *c, struct fval *v)
{
	struct order *o = arena_alloc(c->arena, sizeof *o);
	if (o == NULL)
		return ERR_INTERNAL;
	memset(o, 0, sizeof *o);
	if (v[ORDER_COLOR].present)
		o->color = v[ORDER_COLOR].i == 0 ? RULES_COLOR_RED : RULES_COLOR_GREEN;
	if (v[ORDER_REASON].present)
		snprintf(o->reason, sizeof o->reason, "%s", v[ORDER_REASON].s);
	else if (!call_field_failed(c, "reason") && o->color == RULES_COLOR_RED)
		call_field_error(c, "reason", "REQUIRED");
	else if (!call_field_failed(c, "reason"))
		snprintf(o->reason, sizeof o->reason, "OFFICER_CLEARED");
	const cJSON *d =
	    c->json != NULL ? cJSON_GetObjectItemCaseSensitive((const cJSON *)c->json, "observation_days") : NULL;
	const struct range *r = order_fields[ORDER_DAYS].arg;
	int has_days = d != NULL && !cJSON_IsNull(d);
	if (o->color == RULES_COLOR_GREEN && has_days) {
		call_field_error(c, "observation_days", "NOT_ALLOWED");
	} else if (o->color == RULES_COLOR_RED) {
		if (!has_days)
			call_field_error(c, "observation_days", "REQUIRED");
		else if (!cJSON_IsNumber(d))
			call_field_error(c, "observation_days", "NOT_AN_INTEGER");
		else if (!(d->valuedouble >= (double)r->min && d->valuedouble <= (double)r->max))
			call_field_error(c, "observation_days", "OUT_OF_RANGE");
		else if (d->valuedouble != (double)(int)d->valuedouble)
			call_field_error(c, "observation_days", "NOT_AN_INTEGER");
		else
			o->days = (int)d->valuedouble;
	}
	c->form = o;
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* A risk area's name as the client's city picker writes it: 1..RISK_AREA_MAX_CP code points of
 * clean text (utf8_check_text) without blanks around. */
static const char *valid_area(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	(void)f;
	(void)a;
	(void)out;
	if (!cJSON_IsString(j))
		return "NOT_A_STRING";
	const char *v = j->valuestring;
	size_t n = strlen(v);
	long cp = utf8_check_text(v, n);
	if (cp > 0 && (cc_ows(v[0]) || cc_ows(v[n - 1])))
		cp = -1;
	return cp == 0 ? "REQUIRED" : cp < 0 ? "INVALID" : cp > RISK_AREA_MAX_CP ? "TOO_LONG" : NULL;
}

static const struct json_list risk_areas_list = { { valid_area, NULL }, 0, RISK_AREAS_MAX, NULL };

/* PUT risk-areas: {"areas": [city...]} (64 KiB): at most RISK_AREAS_MAX names, each failing one
 * named "areas[i]"; repeats are kept once by the handler. */
const struct field risk_areas_fields[RISK_AREAS__MAX] = {
	[RISK_AREAS_AREAS] = JSON_LIST("areas", F_REQ, &risk_areas_list),
};
