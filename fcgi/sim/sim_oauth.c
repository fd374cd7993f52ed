/* sim_oauth.c: the platform's login endpoints: the authorize page, web OAuth code exchange and user tokens, mini-program jscode2session. */
#include "sim.h"
#include "pf_errcode.h"

#include "cclass.h"
#include "crypto.h"
#include "resp.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STATE_MAX 128

int sim_openid_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SIM_ID_MAX)
		return 0;
	return cc_all(s, n, cc_b64url);
}

/* Writes s HTML-escaped; control characters are left out. */
void sim_html_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (!cc_cntrl(*p))
				fputc(*p, f);
		}
	}
}

/* Writes every pair of the query as a hidden input, so that a form sends the query on. */
void sim_html_hidden_query(FILE *f, const struct kvlist *q)
{
	for (size_t i = 0; i < q->n; i++) {
		fputs("<input type=\"hidden\" name=\"", f);
		sim_html_text(f, q->items[i].key);
		fputs("\" value=\"", f);
		sim_html_text(f, q->items[i].val);
		fputs("\">", f);
	}
}

/* Moves a memstream's text into the arena and sets it as an HTML answer. */
void sim_html_answer(struct call *c, int status, char *buf, size_t len)
{
	char *copy = buf != NULL ? arena_strndup(c->arena, buf, len) : NULL;
	free(buf);
	if (copy == NULL) {
		resp_error(c, ERR_INTERNAL, NULL);
		return;
	}
	resp_raw(c, status, "text/html; charset=utf-8", copy, len);
	/* No form-action: the consent form's answer redirects to the service's callback, another
	 * origin, and browsers apply form-action to that redirect too. */
	resp_header(c, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
}

/*
 * The platform's error page ("Oops! Something went wrong"): HTTP 200 like the real one, with the
 * code in the page and, for scripts, in an X-Sim-Errcode header.
 */
enum err sim_error_page(struct call *c, int code, const char *why)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return ERR_INTERNAL;
	fprintf(f,
		"<!doctype html><html><head><meta charset=\"utf-8\"><title>Error</title></head><body>"
		"<h1>Oops! Something went wrong:(</h1><p class=\"errcode\">%d</p><p class=\"why\">",
		code);
	sim_html_text(f, why);
	fputs("</p></body></html>\n", f);
	fclose(f);
	sim_html_answer(c, 200, buf, len);
	char num[16];
	snprintf(num, sizeof num, "%d", code);
	resp_header(c, "X-Sim-Errcode", num);
	return ERR_OK;
}

/* The raw (still percent-encoded) value of the index-th query pair, and its length. */
const char *sim_raw_value(const char *q, size_t index, size_t *len)
{
	for (size_t i = 0; q != NULL && *q != '\0';) {
		size_t n = strcspn(q, "&");
		if (n > 0) {
			if (i == index) {
				const char *eq = memchr(q, '=', n);
				*len = eq != NULL ? n - (size_t)(eq + 1 - q) : 0;
				return eq != NULL ? eq + 1 : q + n;
			}
			i++;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	*len = 0;
	return NULL;
}

/* 1 when url is http(s)://AUTHORITY... with AUTHORITY equal to the authorization domain and no
 * whitespace or control characters. Pure but for sim_cfg. */
int sim_redirect_ok(const char *url)
{
	const char *p;
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	for (const unsigned char *s = (const unsigned char *)url; *s != '\0'; s++)
		if (cc_cntrl(*s) || *s == ' ' || *s == '\\')
			return 0;
	size_t n = strcspn(p, "/?#");
	return n == strlen(sim_cfg.auth_domain) && memchr(p, '@', n) == NULL &&
	       strncasecmp(p, sim_cfg.auth_domain, n) == 0;
}

static int state_ok(const char *s)
{
	size_t n = strlen(s);
	return n <= STATE_MAX && cc_span(s, cc_alnum) == n;
}

/* The consent page: one link per test user and a field for a new one. */
static enum err consent_page(struct call *c, const char *scope)
{
	cJSON *users = sim_users_json();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL || users == NULL) {
		if (f != NULL)
			fclose(f);
		free(buf);
		cJSON_Delete(users);
		return ERR_INTERNAL;
	}
	fputs("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	      "content=\"width=device-width\"><title>Authorize (simulator)</title></head><body>"
	      "<h1>Log in with the platform (simulator)</h1><p>The service asks for <code>",
	      f);
	sim_html_text(f, scope);
	fputs(strcmp(scope, "snsapi_userinfo") == 0 ? "</code>: your nickname and avatar.</p>"
						    : "</code>: your openid only.</p>",
	      f);
	fputs("<ul class=\"users\">", f);
	const cJSON *u;
	cJSON_ArrayForEach(u, users) {
		const char *openid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "openid"));
		const char *nick = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "nickname"));
		if (openid == NULL)
			continue;
		fputs("<li><a class=\"consent\" href=\"/connect/oauth2/authorize?", f);
		sim_html_text(f, c->query_raw != NULL ? c->query_raw : "");
		fputs("&amp;sim_user=", f);
		sim_html_text(f, openid);
		fputs("\">Allow as ", f);
		sim_html_text(f, nick != NULL ? nick : "");
		fputs(" (", f);
		sim_html_text(f, openid);
		fputs(")</a></li>", f);
	}
	fputs("</ul><form method=\"get\" action=\"/connect/oauth2/authorize\">", f);
	sim_html_hidden_query(f, &c->query);
	fputs("<label>New test user (openid) <input name=\"sim_user\" pattern=\"[A-Za-z0-9_-]{1,64}\" "
	      "required></label> <button>Allow</button></form></body></html>\n",
	      f);
	fclose(f);
	cJSON_Delete(users);
	sim_html_answer(c, 200, buf, len);
	return ERR_OK;
}

enum err sim_h_authorize(struct call *c)
{
	static const char *const order[] = { "appid", "redirect_uri", "response_type", "scope", "state" };
	if (sim_enter(c, SIM_EP_AUTHORIZE))
		return ERR_OK;
	const struct kvlist *q = &c->query;
	size_t n = q->n;
	const char *sim_user = NULL;
	if (n > 0 && strcmp(q->items[n - 1].key, "sim_user") == 0)
		sim_user = q->items[--n].val;

	if (sim_q(c, "appid") == NULL)
		return sim_error_page(c, PFP_APPID_MISSING, "appid is missing");
	if (sim_q(c, "redirect_uri") == NULL)
		return sim_error_page(c, PFP_REDIRECT_MISSING, "redirect_uri is missing");
	if (sim_q(c, "scope") == NULL)
		return sim_error_page(c, PFP_SCOPE_MISSING, "scope is missing");
	/* Exactly appid, redirect_uri, response_type, scope[, state] in this order, nothing else. */
	if (n < 4 || n > 5)
		return sim_error_page(c, PFP_PARAMETER,
				      "parameters must be appid, redirect_uri, response_type, scope, state");
	for (size_t i = 0; i < n; i++)
		if (strcmp(q->items[i].key, order[i]) != 0)
			return sim_error_page(
			    c, PFP_PARAMETER,
			    "parameters must be appid, redirect_uri, response_type, scope, state, in this order");
	if (strcmp(q->items[0].val, sim_cfg.appid) != 0)
		return sim_error_page(c, PFP_APPID, "unknown appid");
	size_t rawlen = 0;
	const char *raw = sim_raw_value(c->query_raw, 1, &rawlen);
	if (raw == NULL || memchr(raw, ':', rawlen) != NULL || memchr(raw, '/', rawlen) != NULL)
		return sim_error_page(c, PFP_REDIRECT_URI, "redirect_uri must be URL-encoded once");
	const char *redirect = q->items[1].val;
	if (!sim_redirect_ok(redirect))
		return sim_error_page(c, PFP_REDIRECT_URI, "redirect_uri's domain is not the authorization domain");
	if (strcmp(q->items[2].val, "code") != 0)
		return sim_error_page(c, PFP_RESPONSE_TYPE, "response_type must be code");
	const char *scope = q->items[3].val;
	enum sim_scope sc;
	if (strcmp(scope, "snsapi_base") == 0)
		sc = SIM_SCOPE_BASE;
	else if (strcmp(scope, "snsapi_userinfo") == 0)
		sc = SIM_SCOPE_USERINFO;
	else
		return sim_error_page(c, PFP_SCOPE, "scope must be snsapi_base or snsapi_userinfo");
	const char *state = n == 5 ? q->items[4].val : "";
	if (!state_ok(state))
		return sim_error_page(c, PFP_STATE, "state must be at most 128 of [A-Za-z0-9]");

	if (sim_user == NULL)
		return consent_page(c, scope);
	if (!sim_openid_ok(sim_user))
		return sim_error_page(c, PFP_PARAMETER, "sim_user must be 1 to 64 of [A-Za-z0-9_-]");
	char code[SIM_CODE_LEN + 1];
	if (sim_user_ensure(sim_user, NULL) != 0 || sim_code_issue(SIM_CODE_OAUTH, sim_user, sc, code) != 0)
		return sim_error_page(c, PFP_TOO_MANY_USERS, "too many test users");

	/* code=CODE&state=STATE appended with '?' or '&', before any #fragment. */
	size_t blen = strcspn(redirect, "#");
	const char *qm = memchr(redirect, '?', blen);
	const char *sep = qm == NULL ? "?" : (redirect[blen - 1] == '?' || redirect[blen - 1] == '&') ? "" : "&";
	char *loc =
	    arena_printf(c->arena, "%.*s%scode=%s&state=%s%s", (int)blen, redirect, sep, code, state, redirect + blen);
	if (loc == NULL)
		return ERR_INTERNAL;
	resp_redirect(c, loc);
	return ERR_OK;
}

static void add_unionid(cJSON *o, const struct sim_user *u)
{
	if (u->unionid[0] != '\0')
		cJSON_AddStringToObject(o, "unionid", u->unionid);
}

/* A code exchange (web or mini program): the app's credentials, the code (a mini program's under
 * js_code), the grant type, then the code of that kind itself, spent. 0 with its user (and a web
 * code's scope in *sc), or the platform's error. */
static int code_grant(struct call *c, enum sim_code_kind kind, struct sim_user *u, enum sim_scope *sc)
{
	int e = sim_app_check(sim_q(c, "appid"), sim_q(c, "secret"), 1);
	const char *gt = sim_q(c, "grant_type");
	const char *code = sim_q(c, kind == SIM_CODE_JS ? "js_code" : "code");
	if (e == 0 && (code == NULL || code[0] == '\0'))
		e = 41008;
	if (e == 0 && (gt == NULL || strcmp(gt, "authorization_code") != 0))
		e = 40002;
	if (e == 0)
		e = kind == SIM_CODE_JS ? sim_code_js(code, u) : sim_code_oauth(code, u, sc);
	return e;
}

/* The answer that hands out a user's sns access token and its refresh token. */
static cJSON *sns_token_json(const char *at, const char *rt, const struct sim_user *u, enum sim_scope sc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", at);
	cJSON_AddNumberToObject(o, "expires_in", SIM_TOKEN_TTL);
	cJSON_AddStringToObject(o, "refresh_token", rt);
	cJSON_AddStringToObject(o, "openid", u->openid);
	cJSON_AddStringToObject(o, "scope", sim_scope_name[sc]);
	return o;
}

enum err sim_h_sns_token(struct call *c)
{
	if (sim_enter(c, SIM_EP_SNS_TOKEN))
		return ERR_OK;
	struct sim_user u;
	enum sim_scope sc = SIM_SCOPE_BASE;
	int e = code_grant(c, SIM_CODE_OAUTH, &u, &sc);
	if (e == 0 && !sim_quota_take(SIM_EP_SNS_TOKEN))
		e = PFE_DAILY_QUOTA;
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	char at[SIM_TOKEN_LEN + 1], rt[SIM_TOKEN_LEN + 1];
	sim_sns_issue(u.openid, sc, at, rt);
	cJSON *o = sns_token_json(at, rt, &u, sc);
	if (u.snapshot)
		cJSON_AddNumberToObject(o, "is_snapshotuser", 1);
	add_unionid(o, &u);
	sim_json(c, o);
	return ERR_OK;
}

enum err sim_h_sns_refresh(struct call *c)
{
	if (sim_enter(c, SIM_EP_SNS_REFRESH))
		return ERR_OK;
	int e = sim_app_check(sim_q(c, "appid"), NULL, 0);
	const char *gt = sim_q(c, "grant_type"), *rt = sim_q(c, "refresh_token");
	if (e == 0 && (gt == NULL || strcmp(gt, "refresh_token") != 0))
		e = 40002;
	if (e == 0 && (rt == NULL || rt[0] == '\0'))
		e = 41003;
	char at[SIM_TOKEN_LEN + 1];
	struct sim_user u;
	enum sim_scope sc = SIM_SCOPE_BASE;
	if (e == 0)
		e = sim_sns_refresh(rt, at, &u, &sc);
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	sim_json(c, sns_token_json(at, rt, &u, sc));
	return ERR_OK;
}

/* The user of a sns access token that must belong to the openid of the query; 0 or an errcode. */
static int sns_user(const struct call *c, struct sim_user *u, enum sim_scope *sc)
{
	int e = sim_sns_check(sim_q(c, "access_token"), u, sc);
	const char *openid = sim_q(c, "openid");
	if (e == 0 && (openid == NULL || openid[0] == '\0'))
		e = 41009;
	if (e == 0 && strcmp(openid, u->openid) != 0)
		e = PFE_INVALID_OPENID;
	return e;
}

enum err sim_h_userinfo(struct call *c)
{
	if (sim_enter(c, SIM_EP_USERINFO))
		return ERR_OK;
	struct sim_user u;
	enum sim_scope sc = SIM_SCOPE_BASE;
	int e = sns_user(c, &u, &sc);
	if (e == 0 && sc != SIM_SCOPE_USERINFO)
		e = 48001;
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "openid", u.openid);
	cJSON_AddStringToObject(o, "nickname", u.nickname); /* control bytes come out as \u00XX */
	cJSON_AddNumberToObject(o, "sex", 0);
	cJSON_AddStringToObject(o, "language", "");
	cJSON_AddStringToObject(o, "city", "");
	cJSON_AddStringToObject(o, "province", "");
	cJSON_AddStringToObject(o, "country", "");
	char *avatar = arena_printf(c->arena, "https://thirdwx.qlogo.cn/mmopen/vi_32/sim%.8s/132", u.openid);
	cJSON_AddStringToObject(o, "headimgurl", avatar != NULL ? avatar : "");
	cJSON_AddArrayToObject(o, "privilege");
	add_unionid(o, &u);
	sim_json(c, o);
	return ERR_OK;
}

enum err sim_h_sns_auth(struct call *c)
{
	if (sim_enter(c, SIM_EP_SNS_AUTH))
		return ERR_OK;
	struct sim_user u;
	enum sim_scope sc;
	int e = sns_user(c, &u, &sc);
	if (e != 0)
		sim_fail(c, e, NULL);
	else
		sim_ok(c);
	return ERR_OK;
}

enum err sim_h_jscode(struct call *c)
{
	if (sim_enter(c, SIM_EP_JSCODE))
		return ERR_OK;
	struct sim_user u;
	int e = code_grant(c, SIM_CODE_JS, &u, NULL);
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	uint8_t key[16];
	char b64[32];
	if (crypto_random(key, sizeof key) != 0 || crypto_b64(key, sizeof key, b64, sizeof b64) != 24) {
		sim_fail(c, -1, NULL);
		return ERR_OK;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "session_key", b64);
	cJSON_AddStringToObject(o, "openid", u.openid);
	add_unionid(o, &u);
	sim_json(c, o);
	return ERR_OK;
}
