/* sim_reply.c: answering as the platform does: errcode bodies with rid suffixes, escaped slashes, call counting and fault injection. */
#include "sim.h"
#include "pf_errcode.h"

#include "crypto.h"
#include "resp.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PLATFORM_TYPE "application/json; encoding=utf-8"
#define CTL_TYPE      "application/json; charset=utf-8"

struct errtext {
	int code;
	const char *msg;
};

static const struct errtext errtexts[] = {
	{ PFE_SYSTEM_BUSY, "system error" },
	{ PFE_INVALID_CREDENTIAL, "invalid credential, access_token is invalid or not latest" },
	{ 40002, "invalid grant_type" },
	{ PFE_INVALID_OPENID, "invalid openid" },
	{ 40013, "invalid appid" },
	{ PFE_INVALID_ACCESS_TOKEN, "invalid access_token" },
	{ 40016, "invalid button size" },
	{ 40017, "invalid button type" },
	{ 40018, "invalid button name size" },
	{ 40019, "invalid button key size" },
	{ 40020, "invalid button url size" },
	{ 40021, "invalid menu version" },
	{ 40022, "invalid sub_menu level" },
	{ 40023, "invalid sub button size" },
	{ 40024, "invalid sub button type" },
	{ 40025, "invalid sub button name size" },
	{ 40026, "invalid sub button key size" },
	{ 40027, "invalid sub button url size" },
	{ PFE_INVALID_CODE, "invalid code" },
	{ 40030, "invalid refresh_token" },
	{ 40037, "invalid template_id" },
	{ 40125, "invalid appsecret, view more at http://t.cn/RAEkdVq" },
	{ PFE_CODE_USED, "code been used" },
	{ PFE_IP_NOT_WHITELISTED, "invalid ip, not in whitelist" },
	{ PFE_HIGH_RISK_USER, "invalid user, high risk user" },
	{ PFE_ACCESS_TOKEN_MISSING, "access_token missing" },
	{ 41002, "appid missing" },
	{ 41003, "refresh_token missing" },
	{ 41004, "appsecret missing" },
	{ 41008, "missing code" },
	{ 41009, "missing openid" },
	{ PFE_ACCESS_TOKEN_EXPIRED, "access_token expired" },
	{ 42002, "refresh_token expired" },
	{ PFE_REQUIRE_SUBSCRIBE, "require subscribe" },
	{ PFE_USER_REFUSED, "user refuse to accept the msg" },
	{ PFE_EMPTY_POST, "empty post data" },
	{ PFE_DAILY_QUOTA, "reach max api daily quota limit" },
	{ PFE_MINUTE_QUOTA, "api minute-quota reach limit  mustslower  retry next minute" },
	{ PFE_DATA_FORMAT, "data format error" },
	{ 47003, "argument invalid!" },
	{ 48001, "api unauthorized" },
};

const char *sim_errmsg(int errcode)
{
	for (size_t i = 0; i < sizeof errtexts / sizeof errtexts[0]; i++)
		if (errtexts[i].code == errcode)
			return errtexts[i].msg;
	return "";
}

/* Copies the printed JSON into the arena with every '/' as "\/" ('/' occurs only in strings). */
static char *escape_slashes(struct arena *a, const char *s, size_t *len)
{
	size_t n = strlen(s), extra = 0;
	for (size_t i = 0; i < n; i++)
		extra += s[i] == '/';
	char *out = arena_alloc(a, n + extra + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/')
			out[o++] = '\\';
		out[o++] = s[i];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

void sim_json(struct call *c, cJSON *body)
{
	char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	size_t len = 0;
	char *out = text != NULL ? escape_slashes(c->arena, text, &len) : NULL;
	cJSON_free(text);
	if (out == NULL) {
		static const char busy[] = "{\"errcode\":-1,\"errmsg\":\"system error\"}";
		resp_raw(c, 200, PLATFORM_TYPE, busy, sizeof busy - 1);
		return;
	}
	resp_raw(c, 200, PLATFORM_TYPE, out, len);
}

void sim_fail(struct call *c, int errcode, const char *msg)
{
	uint32_t r[3];
	if (crypto_random(r, sizeof r) != 0)
		memset(r, 0, sizeof r);
	char text[512];
	snprintf(text, sizeof text, "%s, rid: %08x-%08x-%08x", msg != NULL ? msg : sim_errmsg(errcode), r[0], r[1],
		 r[2]);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errcode", errcode);
	cJSON_AddStringToObject(o, "errmsg", text);
	sim_json(c, o);
}

void sim_ok(struct call *c)
{
	static const char ok[] = "{\"errcode\":0,\"errmsg\":\"ok\"}";
	resp_raw(c, 200, PLATFORM_TYPE, ok, sizeof ok - 1);
}

void sim_ctl_json(struct call *c, int status, cJSON *body)
{
	char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	char *copy = text != NULL ? arena_strdup(c->arena, text) : NULL;
	cJSON_free(text);
	if (copy == NULL) {
		resp_error(c, ERR_INTERNAL, NULL);
		return;
	}
	resp_raw(c, status, CTL_TYPE, copy, strlen(copy));
}

const char *sim_q(const struct call *c, const char *key)
{
	const struct kv *kv = kv_get(&c->query, key);
	return kv != NULL ? kv->val : NULL;
}

int sim_app_check(const char *appid, const char *secret, int want_secret)
{
	if (appid == NULL || appid[0] == '\0')
		return 41002;
	if (strcmp(appid, sim_cfg.appid) != 0)
		return 40013;
	if (!want_secret)
		return 0;
	if (secret == NULL || secret[0] == '\0')
		return 41004;
	size_t n = strlen(secret);
	if (n != strlen(sim_cfg.secret) || !crypto_ct_equal(secret, sim_cfg.secret, n))
		return 40125;
	return 0;
}

const char *sim_remote(const struct call *c)
{
	return c->remote_addr != NULL ? c->remote_addr : "";
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * A cut connection: a head announcing more body than follows, then the end of the stream.
 * The worker's own head and body written afterwards go nowhere (the stream is closed).
 */
static void drop(struct call *c)
{
	static const char head[] = "Status: 200 OK\r\nContent-Type: " PLATFORM_TYPE "\r\n"
				   "Content-Length: 4096\r\n\r\n{\"access_token\":\"";
	FCGX_Request *fr = c->io;
	if (fr != NULL && c->read_body != NULL) {
		FCGX_PutStr(head, (int)(sizeof head - 1), fr->out);
		FCGX_FClose(fr->out);
	}
	/* Without a FastCGI stream (pure tests) the nearest thing: a truncated body. */
	resp_raw(c, 200, PLATFORM_TYPE, "{\"access_token\":\"", 17);
}

int sim_enter(struct call *c, enum sim_ep ep)
{
	sim_count(ep);
	struct sim_fault f;
	if (!sim_fault_take(ep, &f))
		return 0;
	switch (f.kind) {
	case SIM_FAULT_ERRCODE: sim_fail(c, f.errcode, f.errcode == -1 ? "system error" : NULL); return 1;
	case SIM_FAULT_DELAY: sleep_ms(f.delay_ms); return 0;
	case SIM_FAULT_DROP: drop(c); return 1;
	case SIM_FAULT_WRONG_BODY: {
		static const char html[] = "<html><head><title>502 Bad Gateway</title></head>"
					   "<body><center><h1>502 Bad Gateway</h1></center></body></html>\n";
		resp_raw(c, 200, "text/html", html, sizeof html - 1);
		return 1;
	}
	}
	return 0;
}

const char *sim_body(struct call *c, size_t *len)
{
	if (c->content_length <= 0) {
		sim_fail(c, PFE_EMPTY_POST, NULL);
		return NULL;
	}
	if (c->content_length > SIM_BODY_MAX) {
		sim_fail(c, PFE_DATA_FORMAT, NULL);
		return NULL;
	}
	size_t want = (size_t)c->content_length, got = 0;
	char *buf = arena_alloc(c->arena, want + 1);
	if (buf == NULL) {
		sim_fail(c, -1, NULL);
		return NULL;
	}
	while (got < want && c->read_body != NULL) {
		long r = c->read_body(c->io, buf + got, want - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != want) {
		sim_fail(c, PFE_DATA_FORMAT, NULL);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

static void json_free(void *p)
{
	cJSON_Delete(p);
}

cJSON *sim_body_json(struct call *c)
{
	size_t len = 0;
	const char *b = sim_body(c, &len);
	if (b == NULL)
		return NULL;
	cJSON *root = cJSON_ParseWithLength(b, len);
	if (root == NULL || !cJSON_IsObject(root) || arena_on_reset(c->arena, json_free, root) != 0) {
		cJSON_Delete(root);
		sim_fail(c, PFE_DATA_FORMAT, NULL);
		return NULL;
	}
	return root;
}
