/* h_codes.c: the QR code images (phone and paper), paper reissue, and the published keys. */
#include "clock.h"
#include "codes.h"
#include "conf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "persons.h"
#include "qrpng.h"
#include "resp.h"
#include "routes.h"
#include "token.h"
#include "isotime.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_png(void *p)
{
	free(p);
}

/* Seals a token for the person and renders it; the PNG is freed with the arena. */
static enum err render(struct call *c, const struct person_row *r, int kind, int color, uint32_t t,
		       const struct qrpng_opts *o)
{
	const struct signkey *sk = keys_signer(c->keys, clock_now());
	if (sk == NULL) {
		log_error("no signing key is valid now");
		return ERR_UNAVAILABLE;
	}
	struct hqr_token tok = { .version = TOKEN_VERSION,
				 .kind = (uint8_t)kind,
				 .color = (uint8_t)color,
				 .kid = sk->kid,
				 .code_ref = r->code_ref,
				 .t = t };
	char text[TOKEN_TEXT_SIZE];
	if (token_seal(&tok, c->keys->mac, sizeof c->keys->mac, sk->seed, text, sizeof text) != TOKEN_TEXT_LEN)
		return ERR_INTERNAL;
	uint8_t *png = NULL;
	size_t len = 0;
	if (qrpng_render(text, TOKEN_TEXT_LEN, o, &png, &len, NULL) != 0)
		return ERR_INTERNAL;
	if (arena_on_reset(c->arena, free_png, png) != 0) {
		free(png);
		return ERR_INTERNAL;
	}
	resp_header(c, "Cache-Control", "no-store");
	resp_raw(c, 200, "image/png", png, len);
	return ERR_OK;
}

enum err h_code_png(struct call *c)
{
	struct shown_code v;
	enum err e = persons_load_code(c, &v);
	if (e != ERR_OK)
		return e;
	int red = v.code.color == RULES_COLOR_RED;
	struct qrpng_opts o = { red ? QRPNG_RED : QRPNG_GREEN, 'M',
				c->f[CODEPNG_SCALE].present ? (int)c->f[CODEPNG_SCALE].i : QRPNG_SCALE_DEFAULT, 0 };
	return render(c, &v.r, TOKEN_KIND_PHONE, red ? TOKEN_COLOR_RED : TOKEN_COLOR_GREEN, (uint32_t)v.now, &o);
}

enum err h_paper_png(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	struct qrpng_opts o = { QRPNG_BLACK, 'Q', QRPNG_SCALE_DEFAULT, QRPNG_PAPER_WIDTH_PX };
	return render(c, &r, TOKEN_KIND_PAPER, TOKEN_COLOR_NONE, r.paper_serial, &o);
}

enum err h_paper_reissue(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	uint64_t serial = 0;
	enum db_rc rc = persons_paper_reissue(c->db, r.id, &serial);
	if (rc != DB_OK)
		return persons_db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "paper_serial", (double)serial);
	cJSON_AddStringToObject(o, "message", "every earlier paper code of this person no longer works");
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_keys(struct call *c)
{
	int64_t now = clock_now();
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "keys");
	for (int i = 0; i < c->keys->nsign; i++) {
		const struct signkey *s = &c->keys->sign[i];
		if (s->not_after != 0 && s->not_after <= now)
			continue; /* retired */
		char pub[64], nb[32], na[32];
		crypto_b64url(s->pub, 32, pub, sizeof pub);
		cJSON *k = cJSON_CreateObject();
		cJSON_AddNumberToObject(k, "kid", s->kid);
		cJSON_AddStringToObject(k, "alg", "Ed25519");
		cJSON_AddStringToObject(k, "public_key", pub);
		isotime_format(s->not_before, nb);
		cJSON_AddStringToObject(k, "not_before", nb);
		if (s->not_after != 0) {
			isotime_format(s->not_after, na);
			cJSON_AddStringToObject(k, "not_after", na);
		} else {
			cJSON_AddNullToObject(k, "not_after");
		}
		cJSON_AddItemToArray(arr, k);
	}
	resp_header(c, "Cache-Control", "public, max-age=300");
	resp_json(c, 200, o);
	return ERR_OK;
}
