/* ctl_verify.c: `hqrctl verify-token`: checks an HQR1 text exactly as an integrator's offline
 * device does: structure, then the Ed25519 signature against the published keys, then freshness. */
#include "cclass.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "ctl.h"
#include "platform.h"
#include "token.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_DOC_MAX (64 * 1024)

int ctl_verify_token(struct ctl *ctl, int argc, char **argv)
{
	const char *keys_file = NULL, *keys_url = NULL, *text = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--keys-file") == 0 && i + 1 < argc)
			keys_file = argv[++i];
		else if (strcmp(argv[i], "--keys-url") == 0 && i + 1 < argc)
			keys_url = argv[++i];
		else if (text == NULL)
			text = argv[i];
		else
			text = NULL, i = argc;
	}
	if (text == NULL || (keys_file == NULL) == (keys_url == NULL)) {
		fprintf(stderr, "usage: hqrctl verify-token (--keys-file FILE | --keys-url URL) 'HQR1:...'\n");
		return 2;
	}
	char *doc = NULL;
	if (keys_file != NULL) {
		doc = ctl_read_file(keys_file, KEYS_DOC_MAX, NULL);
	} else {
		platform_global_init();
		struct pf_resp r;
		if (platform_request(ctl->conf, keys_url, NULL, &r) == PF_OK)
			doc = r.raw, r.raw = NULL;
		pf_resp_free(&r);
		platform_thread_end();
	}
	cJSON *root = doc != NULL ? cJSON_Parse(doc) : NULL;
	free(doc);
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!cJSON_IsArray(keys)) {
		fprintf(stderr, "hqrctl: the published keys could not be read\n");
		cJSON_Delete(root);
		return 2;
	}
	struct hqr_token tok;
	enum token_err te = token_parse(text, strlen(text), &tok);
	const char *verdict = NULL;
	if (te != TOKEN_OK)
		verdict = token_err_word(te);
	uint8_t pub[32];
	int found = 0;
	const cJSON *k;
	cJSON_ArrayForEach(k, keys) {
		const cJSON *kid = cJSON_GetObjectItemCaseSensitive(k, "kid");
		const cJSON *alg = cJSON_GetObjectItemCaseSensitive(k, "alg");
		const cJSON *pk = cJSON_GetObjectItemCaseSensitive(k, "public_key");
		if (verdict == NULL && cJSON_IsNumber(kid) && (int)kid->valuedouble == tok.kid && cJSON_IsString(alg) &&
		    strcmp(alg->valuestring, "Ed25519") == 0 && cJSON_IsString(pk) &&
		    crypto_b64url_decode(pk->valuestring, strlen(pk->valuestring), pub, sizeof pub) == 0)
			found = 1;
	}
	cJSON_Delete(root);
	if (verdict == NULL && !found)
		verdict = "UNKNOWN_KEY";
	if (verdict == NULL && token_check_sig(&tok, pub) != 1)
		verdict = "BAD_SIGNATURE";
	if (verdict == NULL && tok.kind == TOKEN_KIND_PHONE) {
		enum token_fresh f = token_phone_fresh(tok.t, clock_now(), ctl->conf->dynamic_ttl_s, TOKEN_FUTURE_S);
		if (f == TOKEN_STALE)
			verdict = "EXPIRED";
		else if (f == TOKEN_FUTURE)
			verdict = "FROM_THE_FUTURE";
	}
	if (verdict != NULL) {
		printf("invalid: %s\n", verdict);
		return 1;
	}
	printf("valid: kind=%s color=%s kid=%u code_ref=%016llx t=%u\n",
	       tok.kind == TOKEN_KIND_PHONE ? "phone" : "paper",
	       tok.color == TOKEN_COLOR_GREEN ? "green"
	       : tok.color == TOKEN_COLOR_RED ? "red"
					      : "none",
	       tok.kid, (unsigned long long)tok.code_ref, tok.t);
	return 0;
}
