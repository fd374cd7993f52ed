/* sim_msg.c: the platform's action endpoints: menu/create, message/template/send, message/subscribe/bizsend. */
#include "sim.h"
#include "pf_errcode.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MENU_TOP_MAX  3
#define MENU_SUB_MAX  5
#define MENU_TOP_NAME 16
#define MENU_SUB_NAME 60
#define MENU_KEY_MAX  128
#define MENU_URL_MAX  1024
#define THING_MAX     20
#define URL_MAX       1024

/* The checked access_token of the query, or the errcode already answered. */
static int api_token(struct call *c)
{
	int e = sim_token_check(sim_q(c, "access_token"));
	if (e != 0)
		sim_fail(c, e, NULL);
	return e;
}

static const char *str_of(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* 1 when o[name] is a string of 1..max bytes. */
static int str_len_ok(const cJSON *o, const char *name, size_t max)
{
	const char *s = str_of(o, name);
	size_t n = s != NULL ? strlen(s) : 0;
	return n >= 1 && n <= max;
}

static int word_in(const char *w, const char *const *list)
{
	for (; w != NULL && *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/*
 * A leaf button (one that opens no sub-menu): its type and what that type needs. Top-level
 * errors are 40017 type, 40019 key, 40020 url; a sub button's are 7 higher (40024, 40026, 40027).
 */
static int leaf_check(const cJSON *b, int sub)
{
	static const char *const key_types[] = { "click",
						 "scancode_push",
						 "scancode_waitmsg",
						 "pic_sysphoto",
						 "pic_photo_or_album",
						 "pic_weixin",
						 "location_select",
						 NULL };
	static const char *const media_types[] = { "media_id", "view_limited", NULL };
	static const char *const article_types[] = { "article_id", "article_view_limited", NULL };
	int d = sub ? 7 : 0;
	const char *type = str_of(b, "type");
	if (word_in(type, key_types))
		return str_len_ok(b, "key", MENU_KEY_MAX) ? 0 : 40019 + d;
	if (type != NULL && strcmp(type, "view") == 0)
		return str_len_ok(b, "url", MENU_URL_MAX) ? 0 : 40020 + d;
	if (type != NULL && strcmp(type, "miniprogram") == 0) {
		if (!str_len_ok(b, "url", MENU_URL_MAX))
			return 40020 + d;
		return str_len_ok(b, "appid", 64) && str_len_ok(b, "pagepath", MENU_URL_MAX) ? 0 : 40017 + d;
	}
	if (word_in(type, media_types))
		return str_len_ok(b, "media_id", 256) ? 0 : 40017 + d;
	if (word_in(type, article_types))
		return str_len_ok(b, "article_id", 256) ? 0 : 40017 + d;
	return 40017 + d;
}

/* The platform's menu rules: 0 or the errcode (40016–40027). Pure. */
static int menu_check(const cJSON *root)
{
	const cJSON *buttons = cJSON_GetObjectItemCaseSensitive(root, "button");
	int n = cJSON_IsArray(buttons) ? cJSON_GetArraySize(buttons) : 0;
	if (n < 1 || n > MENU_TOP_MAX)
		return 40016;
	const cJSON *top;
	cJSON_ArrayForEach(top, buttons) {
		if (!cJSON_IsObject(top))
			return 40016;
		if (!str_len_ok(top, "name", MENU_TOP_NAME))
			return 40018;
		const cJSON *subs = cJSON_GetObjectItemCaseSensitive(top, "sub_button");
		if (subs != NULL && !cJSON_IsArray(subs) && !cJSON_IsNull(subs))
			return 40023;
		int ns = cJSON_IsArray(subs) ? cJSON_GetArraySize(subs) : 0;
		if (ns == 0) {
			/* No sub-menu: the top button is itself a leaf. */
			int e = leaf_check(top, 0);
			if (e != 0)
				return e;
			continue;
		}
		if (ns > MENU_SUB_MAX)
			return 40023;
		const cJSON *sb;
		cJSON_ArrayForEach(sb, subs) {
			if (!cJSON_IsObject(sb))
				return 40023;
			if (!str_len_ok(sb, "name", MENU_SUB_NAME))
				return 40025;
			const cJSON *deeper = cJSON_GetObjectItemCaseSensitive(sb, "sub_button");
			if (cJSON_IsArray(deeper) && cJSON_GetArraySize(deeper) > 0)
				return 40022;
			int e = leaf_check(sb, 1);
			if (e != 0)
				return e;
		}
	}
	return 0;
}

enum err sim_h_menu(struct call *c)
{
	if (sim_enter(c, SIM_EP_MENU) || api_token(c) != 0)
		return ERR_OK;
	cJSON *b = sim_body_json(c);
	if (b == NULL)
		return ERR_OK;
	int e = menu_check(b);
	if (e == 0 && !sim_quota_take(SIM_EP_MENU))
		e = PFE_DAILY_QUOTA;
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	char *text = cJSON_PrintUnformatted(b);
	if (text == NULL) {
		sim_fail(c, -1, NULL);
		return ERR_OK;
	}
	sim_menu_record(text);
	cJSON_free(text);
	sim_ok(c);
	return ERR_OK;
}

/* Code points of a UTF-8 string (continuation bytes are not counted). Pure. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* data: {"key":{"value":"text"[,"color":"#..."]},...}; bizsend also bounds thing.* values. */
static int data_ok(const cJSON *data, int thing_rule)
{
	if (!cJSON_IsObject(data) || data->child == NULL)
		return 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, data) {
		const char *v = str_of(it, "value");
		if (!cJSON_IsObject(it) || v == NULL || it->string == NULL || strlen(it->string) > SIM_ID_MAX)
			return 0;
		if (thing_rule && strncmp(it->string, "thing", 5) == 0 && utf8_chars(v) > THING_MAX)
			return 0;
	}
	return 1;
}

/* An optional string member of at most max bytes. */
static int opt_str_ok(const cJSON *o, const char *name, size_t max)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
	return it == NULL || cJSON_IsNull(it) || (cJSON_IsString(it) && strlen(it->valuestring) <= max);
}

static void sent(struct call *c, uint64_t msgid)
{
	char num[24];
	snprintf(num, sizeof num, "%" PRIu64, msgid);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errcode", 0);
	cJSON_AddStringToObject(o, "errmsg", "ok");
	cJSON_AddRawToObject(o, "msgid", num); /* beyond 2^53: printed as text, never as a double */
	sim_json(c, o);
}

/* Checks and records a template or bizsend message. */
static enum err send_common(struct call *c, enum sim_ep ep, enum sim_msg_kind kind)
{
	if (sim_enter(c, ep) || api_token(c) != 0)
		return ERR_OK;
	cJSON *b = sim_body_json(c);
	if (b == NULL)
		return ERR_OK;
	const char *touser = str_of(b, "touser"), *tid = str_of(b, "template_id");
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(b, "client_msg_id");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(b, "data");
	struct sim_user u;
	int e = 0;
	if (touser == NULL || !sim_user_get(touser, &u))
		e = PFE_INVALID_OPENID;
	else if (tid == NULL || !sim_template_known(tid))
		e = 40037;
	else if (kind == SIM_MSG_TEMPLATE && !u.subscribed)
		e = PFE_REQUIRE_SUBSCRIBE;
	else if (kind == SIM_MSG_BIZSEND && u.refused)
		e = PFE_USER_REFUSED;
	else if (!data_ok(data, kind == SIM_MSG_BIZSEND) || !opt_str_ok(b, "url", URL_MAX) ||
		 !opt_str_ok(b, "page", URL_MAX) || !opt_str_ok(b, "client_msg_id", SIM_ID_MAX) ||
		 (cJSON_GetObjectItemCaseSensitive(b, "miniprogram") != NULL &&
		  !str_len_ok(cJSON_GetObjectItemCaseSensitive(b, "miniprogram"), "appid", SIM_ID_MAX)))
		e = 47003;
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	char *dj = cJSON_PrintUnformatted(data), *bj = cJSON_PrintUnformatted(b);
	uint64_t msgid = 0;
	int dup = 0;
	if (dj == NULL || bj == NULL)
		e = -1;
	else
		e = sim_msg_send(kind, ep, touser, tid, cJSON_GetStringValue(cm), dj, bj, &msgid, &dup);
	cJSON_free(dj);
	cJSON_free(bj);
	if (e != 0)
		sim_fail(c, e, NULL);
	else
		sent(c, msgid);
	return ERR_OK;
}

enum err sim_h_template(struct call *c)
{
	return send_common(c, SIM_EP_TEMPLATE, SIM_MSG_TEMPLATE);
}

enum err sim_h_bizsend(struct call *c)
{
	return send_common(c, SIM_EP_BIZSEND, SIM_MSG_BIZSEND);
}
