/* scanin.c: a scan's JSON body (a live scan, or one item of an integrator's batch) as field tables:
 * each field's own check, then the rules across them; pure. */
#include "scanin.h"

#include "cclass.h"
#include "conf.h"
#include "token.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* A member's text: NULL when it is not a string. */
static const char *string_of(const cJSON *j)
{
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static const char *text_item(const cJSON *o, const char *name)
{
	return string_of(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* A visitor's registration as stored into out: NULL, or the word of what is wrong with it. */
static const char *visitor_word(const cJSON *vis, char *out, size_t outlen)
{
	const char *purpose = text_item(vis, "purpose"), *host = text_item(vis, "host");
	const char *addr = text_item(vis, "address");
	long pl = purpose != NULL ? utf8_check_text(purpose, strlen(purpose)) : -1;
	long hl = host != NULL ? utf8_check_text(host, strlen(host)) : -1;
	long al = addr != NULL ? utf8_check_text(addr, strlen(addr)) : -1;
	if (!cJSON_IsObject(vis) || pl < 1 || pl > 60 || (hl < 1 && al < 1) || hl > 60 || al > 120)
		return "VISITOR_REGISTRATION_INVALID";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "purpose", purpose);
	if (hl >= 1)
		cJSON_AddStringToObject(o, "host", host);
	if (al >= 1)
		cJSON_AddStringToObject(o, "address", addr);
	int ok = cJSON_PrintPreallocated(o, out, (int)outlen, 0);
	cJSON_Delete(o);
	return ok ? NULL : "TOO_LONG";
}

int scan_visitor_parse(struct call *c, const void *v, char *out, size_t outlen)
{
	const char *word = visitor_word(v, out, outlen);
	if (word != NULL)
		call_field_error(c, "visitor", word);
	return word == NULL || strcmp(word, "TOO_LONG") == 0;
}

static bool client_id_char(int ch)
{
	return cc_alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':';
}

int scan_client_id_ok(const char *cid)
{
	return cid != NULL && strlen(cid) <= SCAN_CLIENT_ID_MAX && cc_all(cid, strlen(cid), client_id_char);
}

/* ---- the fields' own checks: each gets its member of the body (F_JSON) ---- */

/* What a keyboard-style scanner ends a code's text with: a line break (CR, LF) and spaces. */
static bool scanner_end(int c)
{
	return c == '\r' || c == '\n' || c == ' ';
}

/* The code's text: a string, trimmed of the line break and spaces a keyboard-style scanner ends
 * it with; REQUIRED when it is not a string or nothing is left, TOO_LONG past SCAN_QR_MAX. */
static const char *valid_scan_qr(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const char *q = string_of(item);
	size_t n = q != NULL ? strlen(q) : 0;
	(void)f;
	while (n > 0 && scanner_end((unsigned char)q[n - 1]))
		n--;
	if (n == 0)
		return "REQUIRED";
	if (n > SCAN_QR_MAX || (out->s = arena_strndup(a, q, n)) == NULL)
		return "TOO_LONG";
	out->len = n;
	return NULL;
}

/* "in" or "out" (verdict.h): out->i its enum verdict_direction; REQUIRED when not a string. */
static const char *valid_scan_direction(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const char *w = string_of(item);
	(void)f;
	(void)a;
	if (w == NULL)
		return "REQUIRED";
	out->i = verdict_direction_from_word(w, strlen(w));
	return out->i == VERDICT_DIR__MAX ? "NOT_ALLOWED" : NULL;
}

/* A temperature in °C, a number or its text: out->i in tenths (TEMPERATURE_FORMAT, ...). */
static const char *valid_scan_temperature(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	enum vid_err e = VID_TEMPERATURE_FORMAT;
	int tenths = 0;
	(void)f;
	(void)a;
	if (cJSON_IsNumber(j))
		e = vid_temperature_value(j->valuedouble, &tenths);
	else if (cJSON_IsString(j))
		e = vid_temperature(j->valuestring, strlen(j->valuestring), &tenths);
	out->i = tenths;
	return e != VID_OK ? vid_err_word(e) : NULL;
}

/* A visitor's registration (visitor_word): out->s as stored, in the arena. */
static const char *valid_scan_visitor(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	char *buf = arena_alloc(a, SCAN_VISITOR_JSON);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	const char *code = visitor_word(item, buf, SCAN_VISITOR_JSON);
	out->s = buf;
	out->len = code == NULL ? strlen(buf) : 0;
	return code;
}

/* A checkpoint's id: a whole number from 1 (a fraction is not cut to one) below 2^53, or its
 * 1..19 decimal digits ("0" is not one); out->i the id. NOT_AN_INTEGER otherwise. */
static const char *valid_checkpoint_ref(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	const char *digits = string_of(j);
	uint64_t id = 0;
	(void)f;
	(void)a;
	if (cJSON_IsNumber(j) && j->valuedouble >= 1 && j->valuedouble < 9007199254740992.0 &&
	    j->valuedouble == (double)(uint64_t)j->valuedouble)
		id = (uint64_t)j->valuedouble;
	else if (digits != NULL && strlen(digits) <= 19 && cc_all(digits, strlen(digits), cc_digit))
		id = strtoull(digits, NULL, 10);
	if (id == 0)
		return "NOT_AN_INTEGER";
	out->i = (long long)id;
	return NULL;
}

/* A batch item's client id (scan_client_id_ok): CLIENT_ID_INVALID otherwise, also when left out. */
static const char *valid_client_id(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const char *cid = string_of(item);
	(void)f;
	if (!scan_client_id_ok(cid))
		return "CLIENT_ID_INVALID";
	if ((out->s = arena_strdup(a, cid)) == NULL)
		return "TOO_LONG";
	out->len = strlen(out->s);
	return NULL;
}

/* When a batch item's scan was made: unix seconds, a number from 1 (its range against now is the
 * item's rule); SCANNED_AT_OUT_OF_RANGE otherwise, also when left out. */
static const char *valid_scanned_at(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	double t = cJSON_IsNumber(j) ? j->valuedouble : 0;
	(void)f;
	(void)a;
	if (!(t >= 1 && t < 1e15))
		return "SCANNED_AT_OUT_OF_RANGE";
	out->i = (long long)t;
	return NULL;
}

const char *valid_item_list(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const struct json_check *jc = f->arg;
	const struct item_table *t = jc->arg;
	const cJSON *list = item;
	int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	(void)a;
	if (n == 0)
		return "REQUIRED";
	if ((size_t)n > t->max)
		return "TOO_MANY";
	out->i = n;
	return NULL;
}

/* ---- the tables ---- */

/* The members' values are bounded by their body's limit; the checks bound what they keep. */
const struct field scan_fields[SCAN__MAX] = {
	[SCAN_QR] = JSON_FIELD("qr", F_REQ, valid_scan_qr, NULL),
	[SCAN_DIRECTION] = JSON_FIELD("direction", F_REQ, valid_scan_direction, NULL),
	[SCAN_TEMPERATURE] = JSON_FIELD("temperature", 0, valid_scan_temperature, NULL),
	[SCAN_VISITOR] = JSON_FIELD("visitor", 0, valid_scan_visitor, NULL),
	[SCAN_CHECKPOINT] = JSON_FIELD("checkpoint_id", 0, valid_checkpoint_ref, NULL),
};

const struct field item_fields[ITEM__MAX] = {
	[ITEM_CLIENT_ID] = JSON_FIELD("client_id", F_REQ | F_ABSENT, valid_client_id, NULL),
	[ITEM_SCAN + SCAN_QR] = JSON_FIELD("qr", F_REQ, valid_scan_qr, NULL),
	[ITEM_SCAN + SCAN_DIRECTION] = JSON_FIELD("direction", F_REQ, valid_scan_direction, NULL),
	[ITEM_SCAN + SCAN_TEMPERATURE] = JSON_FIELD("temperature", 0, valid_scan_temperature, NULL),
	[ITEM_SCAN + SCAN_VISITOR] = JSON_FIELD("visitor", 0, valid_scan_visitor, NULL),
	[ITEM_SCAN + SCAN_CHECKPOINT] = JSON_FIELD("checkpoint_id", F_REQ, valid_checkpoint_ref, NULL),
	[ITEM_SCANNED_AT] = JSON_FIELD("scanned_at", F_REQ | F_ABSENT, valid_scanned_at, NULL),
};

const struct item_table batch_items = { item_fields, ITEM__MAX, SCAN_BATCH_MAX };

const struct field batch_fields[BATCH__MAX] = {
	[BATCH_SCANS] = JSON_FIELD("scans", F_REQ, valid_item_list, &batch_items),
};

/* ---- the rules across fields ---- */

/* The scan's validated fields v[SCAN__MAX] (checkpoint: whether its checkpoint is read) into in. */
static void scan_in_fill(const struct fval *v, int checkpoint, struct scan_in *in)
{
	memset(in, 0, sizeof *in);
	in->qr = v[SCAN_QR].s;
	in->dir = v[SCAN_DIRECTION].present ? (enum verdict_direction)v[SCAN_DIRECTION].i : VERDICT_DIR__MAX;
	in->has_temp = v[SCAN_TEMPERATURE].present;
	in->temp = (int)v[SCAN_TEMPERATURE].i;
	in->has_visitor = v[SCAN_VISITOR].present;
	if (in->has_visitor && v[SCAN_VISITOR].len < sizeof in->visitor_json)
		memcpy(in->visitor_json, v[SCAN_VISITOR].s, v[SCAN_VISITOR].len + 1);
	if (checkpoint && v[SCAN_CHECKPOINT].present)
		in->checkpoint = (uint64_t)v[SCAN_CHECKPOINT].i;
}

enum err scan_check(struct call *c, struct fval *v)
{
	struct scan_in *in = arena_alloc(c->arena, sizeof *in);
	if (in == NULL)
		return ERR_INTERNAL;
	int integ = c->integrator_id != 0;
	if (!integ)
		call_field_forget(c, "checkpoint_id"); /* a device scans for its own checkpoint */
	else if (!v[SCAN_CHECKPOINT].present && !call_field_failed(c, "checkpoint_id"))
		call_field_error(c, "checkpoint_id", "REQUIRED");
	scan_in_fill(v, integ, in);
	c->form = in;
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

const char *scan_item_parse(struct call *c, const void *item, int64_t now, struct scan_in *in, int64_t *at_s,
			    const char **cid)
{
	struct fval v[ITEM__MAX];
	size_t before = c->nferr;
	const char *word = NULL;
	memset(v, 0, sizeof v);
	enum err e = fields_validate_json(c, item_fields, ITEM__MAX, item, v);
	if (e == ERR_DUPLICATE_FIELD) {
		/* A member given twice: the item is refused under its client id, if that one is
		 * not the repeated member. */
		word = c->ferr[before].code;
		fields_validate_json(c, &item_fields[ITEM_CLIENT_ID], 1, item, &v[ITEM_CLIENT_ID]);
	} else if (e != ERR_OK && e != ERR_VALIDATION) {
		word = "CLIENT_ID_INVALID"; /* not an object: it has no client id */
	} else if (e == ERR_OK) {
		int64_t at = v[ITEM_SCANNED_AT].i;
		if (at > now + TOKEN_FUTURE_S || at < now - (int64_t)c->conf->retention_days * 86400)
			call_field_error(c, "scanned_at", "SCANNED_AT_OUT_OF_RANGE");
	}
	if (word == NULL && c->nferr > before)
		word = c->ferr[before].code;
	*cid = v[ITEM_CLIENT_ID].present ? v[ITEM_CLIENT_ID].s : NULL;
	*at_s = v[ITEM_SCANNED_AT].i;
	scan_in_fill(&v[ITEM_SCAN], 1, in);
	c->nferr = before;
	return word;
}
