/* sim_token.c: the global access token: cgi-bin/token (a new one each call, 5 minutes' grace for the old) and cgi-bin/stable_token. */
#include "sim.h"
#include "pf_errcode.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* 40164 with the caller's address in the text, as the platform words it. */
static void not_whitelisted(struct call *c)
{
	char msg[160];
	const char *ip = sim_remote(c);
	snprintf(msg, sizeof msg, "invalid ip %.45s ipv6 ::ffff:%.45s, not in whitelist", ip, ip);
	sim_fail(c, PFE_IP_NOT_WHITELISTED, msg);
}

static void token_body(struct call *c, const char *tok, long long expires_in)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", tok);
	cJSON_AddNumberToObject(o, "expires_in", (double)expires_in);
	sim_json(c, o);
}

enum err sim_h_token(struct call *c)
{
	if (sim_enter(c, SIM_EP_TOKEN))
		return ERR_OK;
	const char *gt = sim_q(c, "grant_type");
	int e = gt == NULL || strcmp(gt, "client_credential") != 0 ? 40002 : 0;
	if (e == 0)
		e = sim_app_check(sim_q(c, "appid"), sim_q(c, "secret"), 1);
	if (e == 0 && !sim_ip_allowed(sim_remote(c))) {
		not_whitelisted(c);
		return ERR_OK;
	}
	if (e == 0 && !sim_quota_take(SIM_EP_TOKEN))
		e = PFE_DAILY_QUOTA;
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	char tok[SIM_TOKEN_LEN + 1];
	sim_token_issue(tok);
	token_body(c, tok, SIM_TOKEN_TTL);
	return ERR_OK;
}

enum err sim_h_stable(struct call *c)
{
	if (sim_enter(c, SIM_EP_STABLE))
		return ERR_OK;
	cJSON *b = sim_body_json(c);
	if (b == NULL)
		return ERR_OK;
	const char *gt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "grant_type"));
	const char *appid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "appid"));
	const char *secret = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "secret"));
	const cJSON *force = cJSON_GetObjectItemCaseSensitive(b, "force_refresh");
	int e = gt == NULL || strcmp(gt, "client_credential") != 0 ? 40002 : 0;
	if (e == 0)
		e = sim_app_check(appid, secret, 1);
	if (e == 0 && force != NULL && !cJSON_IsBool(force) && !cJSON_IsNull(force))
		e = PFE_DATA_FORMAT;
	if (e == 0 && !sim_ip_allowed(sim_remote(c))) {
		not_whitelisted(c);
		return ERR_OK;
	}
	if (e == 0 && !sim_quota_take(SIM_EP_STABLE))
		e = PFE_DAILY_QUOTA;
	char tok[SIM_TOKEN_LEN + 1];
	int64_t expires_in = 0;
	if (e == 0)
		e = sim_stable_get(cJSON_IsTrue(force), tok, &expires_in);
	if (e != 0) {
		sim_fail(c, e, NULL);
		return ERR_OK;
	}
	token_body(c, tok, (long long)expires_in);
	return ERR_OK;
}
