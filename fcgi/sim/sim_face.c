/* sim_face.c: the platform's real-name face check: getverifyid, the H5 face page, queryverifyinfo. */
#include "sim.h"
#include "pf_errcode.h"

#include "cclass.h"
#include "resp.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_of(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* 1..max of [A-Za-z0-9_-]. */
static int ident_ok(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;
	return n >= 1 && n <= max && cc_all(s, n, cc_b64url);
}

/* A resident ID's shape: 17 digits and a digit or X. */
static int cert_no_ok(const char *s)
{
	return s != NULL && strlen(s) == SIM_CERT_NO_LEN && cc_all(s, SIM_CERT_NO_LEN - 1, cc_digit) &&
	       (cc_digit((unsigned char)s[SIM_CERT_NO_LEN - 1]) || s[SIM_CERT_NO_LEN - 1] == 'X' ||
		s[SIM_CERT_NO_LEN - 1] == 'x');
}

/* A name: 1..SIM_REAL_NAME_MAX bytes without control characters. */
static int name_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > SIM_REAL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (cc_cntrl((unsigned char)s[i]))
			return 0;
	return 1;
}

static void upper_x(char *no)
{
	if (no[SIM_CERT_NO_LEN - 1] == 'x')
		no[SIM_CERT_NO_LEN - 1] = 'X';
}

/* What both face calls start with: the endpoint's switches, the access token, the JSON body.
 * NULL when the call has been answered already. */
static cJSON *face_enter(struct call *c, enum sim_ep ep)
{
	if (sim_enter(c, ep))
		return NULL;
	int e = sim_token_check(sim_q(c, "access_token"));
	if (e != 0) {
		sim_fail(c, e, NULL);
		return NULL;
	}
	return sim_body_json(c);
}

enum err sim_h_face_getid(struct call *c)
{
	cJSON *b = face_enter(c, SIM_EP_FACE_GETID);
	if (b == NULL)
		return ERR_OK;
	int e;
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(b, "cert_info");
	const char *seq = str_of(b, "out_seq_no"), *openid = str_of(b, "openid");
	const char *type = str_of(ci, "cert_type"), *name = str_of(ci, "cert_name"), *no = str_of(ci, "cert_no");
	if (!ident_ok(seq, SIM_SEQ_MAX) || !cJSON_IsObject(ci) || type == NULL || strcmp(type, "IDENTITY_CARD") != 0 ||
	    !name_ok(name) || !cert_no_ok(no)) {
		sim_fail(c, PFE_DATA_FORMAT, NULL);
		return ERR_OK;
	}
	if (openid == NULL || !sim_openid_ok(openid)) {
		sim_fail(c, PFE_INVALID_OPENID, NULL);
		return ERR_OK;
	}
	char cert_no[SIM_CERT_NO_LEN + 1], verify_id[SIM_VERIFY_ID_LEN + 1];
	memcpy(cert_no, no, sizeof cert_no);
	upper_x(cert_no);
	if ((e = sim_face_issue(openid, seq, name, cert_no, verify_id)) != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errcode", 0);
	cJSON_AddStringToObject(o, "errmsg", "ok");
	cJSON_AddStringToObject(o, "verify_id", verify_id);
	cJSON_AddNumberToObject(o, "expires_in", SIM_FACE_TTL);
	sim_json(c, o);
	return ERR_OK;
}

enum err sim_h_face_query(struct call *c)
{
	cJSON *b = face_enter(c, SIM_EP_FACE_QUERY);
	if (b == NULL)
		return ERR_OK;
	const char *vid = str_of(b, "verify_id"), *seq = str_of(b, "out_seq_no"), *hash = str_of(b, "cert_hash"),
		   *openid = str_of(b, "openid");
	if (vid == NULL || seq == NULL || hash == NULL || openid == NULL) {
		sim_fail(c, PFE_DATA_FORMAT, NULL);
		return ERR_OK;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errcode", 0);
	cJSON_AddStringToObject(o, "errmsg", "ok");
	cJSON_AddNumberToObject(o, "verify_ret", sim_face_query(vid, seq, openid, hash));
	sim_json(c, o);
	return ERR_OK;
}

/* The page before the check: whom it is for, the typed identity of a user without one, and the
 * buttons (links) for the outcomes. */
static enum err face_page(struct call *c, const struct sim_face *f, int has_identity)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (fp == NULL)
		return ERR_INTERNAL;
	fputs(
	    "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width\"><title>Face check (simulator)</title></head><body>"
	    "<h1>Real-name face check (simulator)</h1><p>The service asks to confirm that you are <b class=\"cert-name\">",
	    fp);
	sim_html_text(fp, f->cert_name);
	fprintf(fp, "</b>, ID %.3s***********%.4s.</p>", f->cert_no, f->cert_no + SIM_CERT_NO_LEN - 4);
	if (!has_identity) {
		/* A test user without a real identity: the person at the keyboard types it once. */
		fputs("<form method=\"get\" action=\"/cityservice/face/verify\" class=\"identity\">", fp);
		sim_html_hidden_query(fp, &c->query);
		fputs("<input type=\"hidden\" name=\"sim_face\" value=\"pass\">"
		      "<p>Who is really at this phone? (asked once per test user)</p>"
		      "<label>Real name <input name=\"real_name\" required></label> "
		      "<label>Resident ID <input name=\"id_number\" pattern=\"[0-9]{17}[0-9Xx]\" required></label> "
		      "<button class=\"start\">Start the face check</button></form>",
		      fp);
	}
	fputs("<ul class=\"outcomes\">", fp);
	for (int o = 0; sim_face_outcome_name[o] != NULL; o++) {
		if (o == SIM_FACE_RUN && !has_identity)
			continue;
		fprintf(fp, "<li><a class=\"%s\" href=\"/cityservice/face/verify?", sim_face_outcome_name[o]);
		sim_html_text(fp, c->query_raw != NULL ? c->query_raw : "");
		fprintf(fp, "&amp;sim_face=%s\">", sim_face_outcome_name[o]);
		fputs(o == SIM_FACE_RUN       ? "Start the face check"
		      : o == SIM_FACE_CANCEL  ? "Cancel"
		      : o == SIM_FACE_TIMEOUT ? "Let it time out"
					      : "Show another face",
		      fp);
		fputs("</a></li>", fp);
	}
	fputs("</ul></body></html>\n", fp);
	fclose(fp);
	sim_html_answer(c, 200, buf, len);
	return ERR_OK;
}

enum err sim_h_face_page(struct call *c)
{
	if (sim_enter(c, SIM_EP_FACE_PAGE))
		return ERR_OK;
	const char *vid = sim_q(c, "verify_id"), *redirect = sim_q(c, "redirect_uri");
	if (vid == NULL || redirect == NULL)
		return sim_error_page(c, PFP_PARAMETER, "verify_id and redirect_uri are required");
	size_t ri = 0, rawlen = 0;
	while (ri < c->query.n && strcmp(c->query.items[ri].key, "redirect_uri") != 0)
		ri++;
	const char *raw = sim_raw_value(c->query_raw, ri, &rawlen);
	if (raw == NULL || memchr(raw, ':', rawlen) != NULL || memchr(raw, '/', rawlen) != NULL)
		return sim_error_page(c, PFP_REDIRECT_URI, "redirect_uri must be URL-encoded once");
	if (!sim_redirect_ok(redirect))
		return sim_error_page(c, PFP_REDIRECT_URI, "redirect_uri's domain is not the authorization domain");
	struct sim_face f;
	if (!sim_face_get(vid, &f))
		return sim_error_page(c, PFP_PARAMETER, "this verify_id is unknown or expired");
	if (f.finished)
		return sim_error_page(c, PFP_PARAMETER, "this face check is over");
	struct sim_user u;
	if (!sim_user_get(f.openid, &u))
		return sim_error_page(c, PFP_PARAMETER, "the user of this check is unknown");

	const char *outcome = sim_q(c, "sim_face");
	const char *real_name = sim_q(c, "real_name"), *id_number = sim_q(c, "id_number");
	if (outcome == NULL ||
	    (u.real_name[0] == '\0' && (real_name == NULL || id_number == NULL) && strcmp(outcome, "pass") == 0))
		return face_page(c, &f, u.real_name[0] != '\0');
	int o = 0;
	while (sim_face_outcome_name[o] != NULL && strcmp(sim_face_outcome_name[o], outcome) != 0)
		o++;
	if (sim_face_outcome_name[o] == NULL)
		return sim_error_page(c, PFP_PARAMETER, "sim_face must be pass, cancel, timeout or fail");
	if (real_name != NULL && id_number != NULL) {
		if (!name_ok(real_name) || !cert_no_ok(id_number))
			return sim_error_page(c, PFP_PARAMETER, "a real name and an 18-character resident ID, please");
		char no[SIM_CERT_NO_LEN + 1];
		memcpy(no, id_number, sizeof no);
		upper_x(no);
		sim_user_identity_once(f.openid, real_name, no);
	}
	int ret = 0;
	if (sim_face_finish(vid, (enum sim_face_outcome)o, &ret) != 0)
		return sim_error_page(c, PFP_PARAMETER, "this face check is over");
	/* verify_id=V&verify_ret=N appended with '?' or '&', before any #fragment. */
	size_t blen = strcspn(redirect, "#");
	const char *qm = memchr(redirect, '?', blen);
	const char *sep = qm == NULL ? "?" : (redirect[blen - 1] == '?' || redirect[blen - 1] == '&') ? "" : "&";
	char *loc = arena_printf(c->arena, "%.*s%sverify_id=%s&verify_ret=%d%s", (int)blen, redirect, sep, vid, ret,
				 redirect + blen);
	if (loc == NULL)
		return ERR_INTERNAL;
	resp_redirect(c, loc);
	return ERR_OK;
}
