/* scanin.c: a scan's JSON body (a live scan, or one item of an integrator's batch), validated
 * field by field with every failure recorded on the call; pure. */
#include "scanin.h"

#include "cclass.h"
#include "valid.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *text_item(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int scan_visitor_parse(struct call *c, const void *v, char *out, size_t outlen)
{
	const cJSON *vis = v;
	const char *purpose = text_item(vis, "purpose"), *host = text_item(vis, "host");
	const char *addr = text_item(vis, "address");
	long pl = purpose != NULL ? utf8_check_text(purpose, strlen(purpose)) : -1;
	long hl = host != NULL ? utf8_check_text(host, strlen(host)) : -1;
	long al = addr != NULL ? utf8_check_text(addr, strlen(addr)) : -1;
	if (!cJSON_IsObject(vis) || pl < 1 || pl > 60 || (hl < 1 && al < 1) || hl > 60 || al > 120) {
		call_field_error(c, "visitor", "VISITOR_REGISTRATION_INVALID");
		return 0;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "purpose", purpose);
	if (hl >= 1)
		cJSON_AddStringToObject(o, "host", host);
	if (al >= 1)
		cJSON_AddStringToObject(o, "address", addr);
	int ok = cJSON_PrintPreallocated(o, out, (int)outlen, 0);
	cJSON_Delete(o);
	if (!ok)
		call_field_error(c, "visitor", "TOO_LONG");
	return 1;
}

int scan_in_parse(struct call *c, const void *body, struct scan_in *in, int need_checkpoint)
{
	const cJSON *o = body;
	size_t before = c->nferr;
	memset(in, 0, sizeof *in);
	in->qr = text_item(o, "qr");
	if (in->qr != NULL) {
		/* Keyboard-style scanners end the text with a line break. */
		size_t n = strlen(in->qr);
		while (n > 0 && (in->qr[n - 1] == '\n' || in->qr[n - 1] == '\r' || in->qr[n - 1] == ' '))
			n--;
		in->qr = arena_strndup(c->arena, in->qr, n);
	}
	if (in->qr == NULL || in->qr[0] == '\0')
		call_field_error(c, "qr", "REQUIRED");
	else if (strlen(in->qr) > SCAN_QR_MAX)
		call_field_error(c, "qr", "TOO_LONG");
	const char *dir = text_item(o, "direction");
	in->dir = dir != NULL ? verdict_direction_from_word(dir, strlen(dir)) : VERDICT_DIR__MAX;
	if (in->dir == VERDICT_DIR__MAX)
		call_field_error(c, "direction", dir == NULL ? "REQUIRED" : "NOT_ALLOWED");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "temperature");
	if (t != NULL && !cJSON_IsNull(t)) {
		enum vid_err e = VID_TEMPERATURE_FORMAT;
		if (cJSON_IsNumber(t))
			e = vid_temperature_value(t->valuedouble, &in->temp);
		else if (cJSON_IsString(t))
			e = vid_temperature(t->valuestring, strlen(t->valuestring), &in->temp);
		if (e != VID_OK)
			call_field_error(c, "temperature", vid_err_word(e));
		in->has_temp = 1;
	}
	const cJSON *vis = cJSON_GetObjectItemCaseSensitive(o, "visitor");
	if (vis != NULL && !cJSON_IsNull(vis))
		in->has_visitor = scan_visitor_parse(c, vis, in->visitor_json, sizeof in->visitor_json);
	if (need_checkpoint) {
		const cJSON *cp = cJSON_GetObjectItemCaseSensitive(o, "checkpoint_id");
		/* An id is a whole number from 1 (a fraction is not cut to one, "0" is not one). */
		if (cJSON_IsNumber(cp) && cp->valuedouble >= 1 && cp->valuedouble < 9007199254740992.0 &&
		    cp->valuedouble == (double)(uint64_t)cp->valuedouble)
			in->checkpoint = (uint64_t)cp->valuedouble;
		else if (cJSON_IsString(cp) && strlen(cp->valuestring) <= 19 &&
			 cc_all(cp->valuestring, strlen(cp->valuestring), cc_digit) &&
			 strtoull(cp->valuestring, NULL, 10) >= 1)
			in->checkpoint = strtoull(cp->valuestring, NULL, 10);
		else
			call_field_error(c, "checkpoint_id", cp == NULL ? "REQUIRED" : "NOT_AN_INTEGER");
	}
	return c->nferr > before ? -1 : 0;
}

static bool client_id_char(int ch)
{
	return cc_alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':';
}

int scan_client_id_ok(const char *cid)
{
	return cid != NULL && strlen(cid) <= SCAN_CLIENT_ID_MAX && cc_all(cid, strlen(cid), client_id_char);
}
