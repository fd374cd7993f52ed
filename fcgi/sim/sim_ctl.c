/* sim_ctl.c: the test-only control surface under /sim/ (loopback only): users, codes, messages, faults, clock, quotas, pushes. */
#include "sim.h"
#include "cclass.h"

#include "resp.h"
#include "sim_push.h"
#include "utf8.h"
#include "valid.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* ---- validators (pure) ---- */

/* [A-Za-z0-9_-]{1,64}: openids, unionids, template ids. */
static const char *valid_ident(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	if (len == 0 || len > SIM_ID_MAX)
		return "LENGTH";
	if (!cc_all(v, len, cc_b64url))
		return "INVALID_CHARACTERS";
	out->s = arena_strndup(a, v, len);
	out->len = len;
	return out->s != NULL ? NULL : "TOO_LONG";
}

/* Like valid_ident, but "" is allowed (a user without unionid). */
static const char *valid_ident_or_empty(const struct field *f, struct arena *a, const char *v, size_t len,
					struct fval *out)
{
	if (len == 0) {
		out->s = "";
		out->len = 0;
		return NULL;
	}
	return valid_ident(f, a, v, len, out);
}

/*
 * Any well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) but NUL:
 * nicknames deliberately carry control bytes, emoji and private-use characters.
 */
static const char *valid_any_utf8(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	const unsigned char *p = (const unsigned char *)v;
	if (len == 0 || len > f->maxlen)
		return "LENGTH";
	uint32_t cp;
	for (size_t i = 0; i < len;)
		if (utf8_next(p, len, &i, &cp) != 0 || cp == 0)
			return "INVALID_UTF8";
	out->s = arena_strndup(a, v, len);
	out->len = len;
	return out->s != NULL ? NULL : "TOO_LONG";
}

/* 1..20 decimal digits (a MsgId, kept as text). */
static const char *valid_digits(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	if (len > 20 || !cc_all(v, len, cc_digit))
		return "NOT_DIGITS";
	out->s = arena_strndup(a, v, len);
	out->len = len;
	return out->s != NULL ? NULL : "TOO_LONG";
}

/* A resident ID's shape: 17 digits and a digit or X (kept upper-case); its checksum is the
 * service's business, the simulator stores the person's number as given. */
static const char *valid_cert_no(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	if (len != SIM_CERT_NO_LEN || !cc_all(v, SIM_CERT_NO_LEN - 1, cc_digit) ||
	    !(cc_digit(v[SIM_CERT_NO_LEN - 1]) || v[SIM_CERT_NO_LEN - 1] == 'X' || v[SIM_CERT_NO_LEN - 1] == 'x'))
		return "NOT_A_RESIDENT_ID";
	char *s = arena_strndup(a, v, len);
	if (s == NULL)
		return "TOO_LONG";
	if (s[len - 1] == 'x')
		s[len - 1] = 'X';
	out->s = s;
	out->len = len;
	return NULL;
}

static const struct range r_errcode = { -1, 99999 };
static const struct range r_delay = { 0, 600000 };
static const struct range r_count = { 1, 1000000 };
static const struct range r_advance = { 0, 10LL * 366 * 86400 };
static const struct range r_limit = { -1, 1000000000 };
static const struct range r_time = { 1, 4102444800LL };

const struct field sim_users_fields[SU__MAX] = {
	[SU_OPENID] = { "openid", F_REQ, SIM_ID_MAX, valid_ident, NULL },
	[SU_UNIONID] = { "unionid", 0, SIM_ID_MAX, valid_ident_or_empty, NULL },
	[SU_NICKNAME] = { "nickname", 0, SIM_NICK_MAX, valid_any_utf8, NULL },
	[SU_SNAPSHOT] = { "snapshot", 0, 5, valid_bool, NULL },
	[SU_SUBSCRIBED] = { "subscribed", 0, 5, valid_bool, NULL },
	[SU_HIGH_RISK] = { "high_risk", 0, 5, valid_bool, NULL },
	[SU_REFUSED] = { "refused", 0, 5, valid_bool, NULL },
	[SU_REAL_NAME] = { "real_name", 0, SIM_REAL_NAME_MAX, valid_any_utf8, NULL },
	[SU_ID_NUMBER] = { "id_number", 0, SIM_CERT_NO_LEN, valid_cert_no, NULL },
};
const struct field sim_jscode_fields[SJ__MAX] = {
	[SJ_OPENID] = { "openid", F_REQ, SIM_ID_MAX, valid_ident, NULL },
};

const struct field sim_template_fields[ST__MAX] = {
	[ST_TEMPLATE_ID] = { "template_id", F_REQ, SIM_ID_MAX, valid_ident, NULL },
};

const struct field sim_fault_fields[SF__MAX] = {
	[SF_ENDPOINT] = { "endpoint", F_REQ, 64, valid_enum, sim_ep_path },
	[SF_KIND] = { "kind", F_REQ, 16, valid_enum, sim_fault_kind_name },
	[SF_ERRCODE] = { "errcode", 0, 8, valid_int, &r_errcode },
	[SF_DELAY_MS] = { "delay_ms", 0, 8, valid_int, &r_delay },
	[SF_COUNT] = { "count", 0, 8, valid_int, &r_count },
};
const struct field sim_clock_fields[SC__MAX] = {
	[SC_ADVANCE_S] = { "advance_s", F_REQ, 12, valid_int, &r_advance },
};

const struct field sim_quota_fields[SQ__MAX] = {
	[SQ_ENDPOINT] = { "endpoint", F_REQ, 64, valid_enum, sim_ep_path },
	[SQ_LIMIT] = { "limit", F_REQ, 12, valid_int, &r_limit },
};

const struct field sim_push_fields[SP__MAX] = {
	[SP_TYPE] = { "type", F_REQ, 16, valid_enum, sim_push_type_name },
	[SP_OPENID] = { "openid", F_REQ, SIM_ID_MAX, valid_ident, NULL },
	[SP_KEY] = { "key", 0, 128, valid_text, NULL },
	[SP_CONTENT] = { "content", 0, 2048, valid_text, NULL },
	[SP_SAFE_MODE] = { "safe_mode", 0, 5, valid_bool, NULL },
	[SP_MSGID] = { "msgid", 0, 20, valid_digits, NULL },
	[SP_CREATE_TIME] = { "create_time", 0, 12, valid_int, &r_time },
};
/* ---- handlers ---- */

enum err sim_h_users_post(struct call *c)
{
	const struct fval *f = c->f;
	struct sim_user u;
	if (!sim_user_get(f[SU_OPENID].s, &u))
		sim_user_defaults(&u, f[SU_OPENID].s, 0);
	if (f[SU_UNIONID].present)
		memcpy(u.unionid, f[SU_UNIONID].s, f[SU_UNIONID].len + 1);
	if (f[SU_NICKNAME].present)
		memcpy(u.nickname, f[SU_NICKNAME].s, f[SU_NICKNAME].len + 1);
	if (f[SU_SNAPSHOT].present)
		u.snapshot = (int)f[SU_SNAPSHOT].i;
	if (f[SU_SUBSCRIBED].present)
		u.subscribed = (int)f[SU_SUBSCRIBED].i;
	if (f[SU_HIGH_RISK].present)
		u.high_risk = (int)f[SU_HIGH_RISK].i;
	if (f[SU_REFUSED].present)
		u.refused = (int)f[SU_REFUSED].i;
	if (f[SU_REAL_NAME].present != f[SU_ID_NUMBER].present) {
		call_field_error(c, f[SU_REAL_NAME].present ? "id_number" : "real_name", "REQUIRED");
		return ERR_VALIDATION;
	}
	if (f[SU_REAL_NAME].present) {
		memcpy(u.real_name, f[SU_REAL_NAME].s, f[SU_REAL_NAME].len + 1);
		memcpy(u.id_number, f[SU_ID_NUMBER].s, f[SU_ID_NUMBER].len + 1);
	}
	int created = 0;
	if (sim_user_put(&u, &created) != 0)
		return ERR_CONFLICT;
	sim_ctl_json(c, created ? 201 : 200, sim_json_user(&u));
	return ERR_OK;
}

enum err sim_h_faces(struct call *c)
{
	sim_ctl_json(c, 200, sim_faces_json());
	return ERR_OK;
}

enum err sim_h_users_get(struct call *c)
{
	sim_ctl_json(c, 200, sim_users_json());
	return ERR_OK;
}

enum err sim_h_jscode_post(struct call *c)
{
	char code[SIM_CODE_LEN + 1];
	const char *openid = c->f[SJ_OPENID].s;
	if (sim_user_ensure(openid, NULL) != 0 || sim_code_issue(SIM_CODE_JS, openid, SIM_SCOPE_BASE, code) != 0)
		return ERR_CONFLICT;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "openid", openid);
	sim_ctl_json(c, 201, o);
	return ERR_OK;
}

enum err sim_h_templates_post(struct call *c)
{
	if (sim_template_add(c->f[ST_TEMPLATE_ID].s) != 0)
		return ERR_CONFLICT;
	sim_ctl_json(c, 201, sim_templates_json());
	return ERR_OK;
}

enum err sim_h_templates_get(struct call *c)
{
	sim_ctl_json(c, 200, sim_templates_json());
	return ERR_OK;
}

enum err sim_h_messages(struct call *c)
{
	sim_ctl_json(c, 200, sim_messages_json());
	return ERR_OK;
}

enum err sim_h_menus(struct call *c)
{
	sim_ctl_json(c, 200, sim_menus_json());
	return ERR_OK;
}

enum err sim_h_calls(struct call *c)
{
	sim_ctl_json(c, 200, sim_calls_json());
	return ERR_OK;
}

enum err sim_h_reset(struct call *c)
{
	sim_state_reset();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	sim_ctl_json(c, 200, o);
	return ERR_OK;
}

enum err sim_h_faults_post(struct call *c)
{
	const struct fval *f = c->f;
	struct sim_fault fault = {
		.ep = (enum sim_ep)f[SF_ENDPOINT].i,
		.kind = (enum sim_fault_kind)f[SF_KIND].i,
		.errcode = f[SF_ERRCODE].present ? (int)f[SF_ERRCODE].i : -1,
		.delay_ms = f[SF_DELAY_MS].present ? (int)f[SF_DELAY_MS].i : 10000,
		.count = f[SF_COUNT].present ? (int)f[SF_COUNT].i : 1,
	};
	if (sim_fault_add(&fault) != 0)
		return ERR_CONFLICT;
	sim_ctl_json(c, 201, sim_faults_json());
	return ERR_OK;
}

enum err sim_h_faults_get(struct call *c)
{
	sim_ctl_json(c, 200, sim_faults_json());
	return ERR_OK;
}

enum err sim_h_faults_delete(struct call *c)
{
	sim_faults_clear();
	sim_ctl_json(c, 200, sim_faults_json());
	return ERR_OK;
}

static void clock_answer(struct call *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "now", (double)sim_now());
	cJSON_AddNumberToObject(o, "offset", (double)sim_clock_offset());
	sim_ctl_json(c, 200, o);
}

enum err sim_h_clock_post(struct call *c)
{
	sim_clock_advance(c->f[SC_ADVANCE_S].i);
	clock_answer(c);
	return ERR_OK;
}

enum err sim_h_clock_get(struct call *c)
{
	clock_answer(c);
	return ERR_OK;
}

enum err sim_h_whitelist_post(struct call *c)
{
	const cJSON *ips = cJSON_GetObjectItemCaseSensitive(c->json, "ips");
	const char *list[SIM_WHITELIST_MAX];
	size_t n = 0;
	if (!cJSON_IsArray(ips) || cJSON_GetArraySize(ips) > SIM_WHITELIST_MAX) {
		call_field_error(c, "ips", "NOT_A_LIST");
		return ERR_VALIDATION;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, ips) {
		const char *s = cJSON_GetStringValue(it);
		if (s == NULL || s[0] == '\0' || strlen(s) > SIM_IP_MAX) {
			call_field_error(c, "ips", "NOT_AN_ADDRESS");
			return ERR_VALIDATION;
		}
		list[n++] = s;
	}
	sim_whitelist_set(list, n);
	sim_ctl_json(c, 200, sim_whitelist_json());
	return ERR_OK;
}

enum err sim_h_whitelist_get(struct call *c)
{
	sim_ctl_json(c, 200, sim_whitelist_json());
	return ERR_OK;
}

enum err sim_h_quota_post(struct call *c)
{
	sim_quota_set((enum sim_ep)c->f[SQ_ENDPOINT].i, c->f[SQ_LIMIT].i);
	sim_ctl_json(c, 200, sim_quota_json());
	return ERR_OK;
}

enum err sim_h_quota_get(struct call *c)
{
	sim_ctl_json(c, 200, sim_quota_json());
	return ERR_OK;
}

enum err sim_h_push(struct call *c)
{
	const struct fval *f = c->f;
	int safe = f[SP_SAFE_MODE].present && f[SP_SAFE_MODE].i;
	if (safe && sim_cfg.aes_key == NULL) {
		resp_error(c, ERR_CONFLICT, "safe mode needs -e ENCODING_AES_KEY");
		return ERR_OK;
	}
	struct sim_push p = {
		.url = sim_cfg.callback_url,
		.token = sim_cfg.push_token,
		.appid = sim_cfg.appid,
		.aes_key = safe ? sim_cfg.aes_key : NULL,
		.type = (enum sim_push_type)f[SP_TYPE].i,
		.openid = f[SP_OPENID].s,
		.key = f[SP_KEY].present ? f[SP_KEY].s : NULL,
		.content = f[SP_CONTENT].present ? f[SP_CONTENT].s : NULL,
		.msgid = f[SP_MSGID].present ? f[SP_MSGID].s : NULL,
		.create_time = f[SP_CREATE_TIME].present ? f[SP_CREATE_TIME].i : 0,
	};
	struct sim_push_result r;
	sim_push_send(&p, &r);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "status", r.status);
	cJSON_AddNumberToObject(o, "tries", r.tries);
	cJSON_AddStringToObject(o, "reply", r.reply != NULL ? r.reply : "");
	if (r.error[0] != '\0')
		cJSON_AddStringToObject(o, "error", r.error);
	free(r.reply);
	sim_ctl_json(c, 200, o);
	return ERR_OK;
}
