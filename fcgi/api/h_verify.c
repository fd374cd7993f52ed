/* h_verify.c: real-name face verification: a verification for a name and resident ID, the
 * platform's return (the service asks queryverifyinfo itself), and its status. A passed
 * verification belongs to its account, is good for 30 minutes and for one application. */
#include "clock.h"
#include "cclass.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "face.h"
#include "fields.h"
#include "isotime.h"
#include "keys.h"
#include "log.h"
#include "persons.h"
#include "pf_errcode.h"
#include "platform.h"
#include "resp.h"
#include "routes.h"
#include "store_verifications.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define VERIFY_TTL_S          3600 /* the platform's verify_id lives this long */
#define VERIFY_PASSED_TTL_S   1800 /* a passed verification is good for this long */
#define VERIFY_PER_DAY        100  /* face checks an account may start in 24 hours */
#define VERIFY_FAILED_PER_DAY 10   /* of which failed (someone trying identities not its own) */

enum verif_status { V_PENDING = 0, V_PASSED = 1, V_FAILED = 2, V_USED = 3, V_ASKING = 4 };

static int seal(const struct keys *k, const char *field, const char *pid, const char *pt, uint8_t *out, size_t max)
{
	char aad[64];
	snprintf(aad, sizeof aad, "%s|%s", field, pid);
	return crypto_seal(k->data, aad, strlen(aad), pt, strlen(pt), out, max);
}

static int open_field(const struct keys *k, const char *field, const char *pid, const uint8_t *ct, size_t n, char *out,
		      size_t max)
{
	char aad[64];
	snprintf(aad, sizeof aad, "%s|%s", field, pid);
	int r = crypto_open(k->data, aad, strlen(aad), ct, n, (uint8_t *)out, max - 1);
	if (r < 0)
		return -1;
	out[r] = '\0';
	return 0;
}

static enum err pf_err(enum pf_rc rc, long errcode)
{
	if (rc == PF_DB)
		return ERR_UNAVAILABLE;
	if (rc == PF_ERRCODE && errcode != PFE_SYSTEM_BUSY) {
		log_warn("the platform refused a face check: errcode %ld", errcode);
		return ERR_PLATFORM_ERROR;
	}
	return ERR_PLATFORM_UNAVAILABLE;
}

enum err h_verification_create(struct call *c)
{
	/* verify_fields and verify_check: the router validated the body before this runs. */
	const struct fval *f = c->f;
	int64_t now = clock_now();
	char name[VID_NAME_BUF], number[VID_DOC_BUF];
	snprintf(name, sizeof name, "%s", f[VERIFY_NAME].s);
	snprintf(number, sizeof number, "%s", f[VERIFY_ID_NUMBER].s);
	const char *next = f[VERIFY_NEXT].present ? f[VERIFY_NEXT].s : "/";

	/* Each face check costs the platform a call and the person a minute: bounded per account. */
	int64_t since = now - 86400;
	int32_t count = 0, failed = 0;
	enum db_rc rc = verifs_count_since(c->db, c->account_id, since, &count, &failed);
	if (rc != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
	if (count >= VERIFY_PER_DAY || failed >= VERIFY_FAILED_PER_DAY)
		return ERR_TOO_MANY_ATTEMPTS;
	char openid[72];
	if ((rc = verifs_account_openid(c->db, c->account_id, openid)) != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);

	uint8_t raw[16], idx[32], vhash[32], name_e[256], id_e[128];
	char pid[PUBLIC_ID_LEN + 1], name_m[128], verify_id[FACE_VERIFY_ID_MAX + 1];
	if (crypto_random(raw, sizeof raw) != 0 || crypto_b64url(raw, sizeof raw, pid, sizeof pid) != PUBLIC_ID_LEN ||
	    vid_mask_name(name, strlen(name), name_m, sizeof name_m) == 0)
		return ERR_INTERNAL;
	long errcode = 0;
	/* Our verification's public id is the platform's out_seq_no. */
	enum pf_rc pr =
	    platform_face_verify_id(c->conf, c->db, openid, pid, name, number, verify_id, sizeof verify_id, &errcode);
	if (pr != PF_OK)
		return pf_err(pr, errcode);
	persons_id_index(c->keys, VID_DOC_RESIDENT_ID, number, idx);
	crypto_sha256(verify_id, strlen(verify_id), vhash);
	int nn = seal(c->keys, "vname", pid, name, name_e, sizeof name_e);
	int in = seal(c->keys, "vid", pid, number, id_e, sizeof id_e);
	if (nn <= 0 || in <= 0)
		return ERR_INTERNAL;
	struct verif_new row = { .pid = pid,
				 .account = c->account_id,
				 .id_index = idx,
				 .name_e = name_e,
				 .id_e = id_e,
				 .name_n = (size_t)nn,
				 .id_n = (size_t)in,
				 .name_m = name_m,
				 .verify_hash = vhash,
				 .verify_id = verify_id,
				 .next = next,
				 .now = now,
				 .expires = now + VERIFY_TTL_S };
	if ((rc = verifs_insert(c->db, &row)) != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);

	char *back = arena_printf(c->arena, "%s/api/v1/verifications/callback", c->conf->public_url);
	char *back_enc = back != NULL ? pct_encode(c->arena, back) : NULL;
	char *vid_enc = pct_encode(c->arena, verify_id);
	char *url = back_enc != NULL && vid_enc != NULL
			? arena_printf(c->arena, "%s/cityservice/face/verify?verify_id=%s&redirect_uri=%s",
				       c->conf->authorize_base, vid_enc, back_enc)
			: NULL;
	if (url == NULL)
		return ERR_INTERNAL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verification_id", pid);
	cJSON_AddStringToObject(o, "status", "pending");
	cJSON_AddStringToObject(o, "name_masked", name_m);
	cJSON_AddStringToObject(o, "face_url", url);
	resp_json(c, 201, o);
	return ERR_OK;
}

/* A redirect to the page's next path with the verification's id (and an error word), before any
 * fragment. */
static enum err back_to(struct call *c, const char *next, const char *pid, const char *error)
{
	size_t blen = strcspn(next, "#");
	const char *sep = memchr(next, '?', blen) != NULL ? "&" : "?";
	char *loc = arena_printf(c->arena, "%.*s%sverification=%s%s%s%s", (int)blen, next, sep, pid,
				 error != NULL ? "&verify_error=" : "", error != NULL ? error : "", next + blen);
	resp_redirect(c, loc != NULL ? loc : "/");
	return ERR_OK;
}

static enum err callback_fail(struct call *c, const char *word)
{
	log_warn("verification callback failed: %s", word);
	char *url = arena_printf(c->arena, "/?verify_error=%s", word);
	resp_redirect(c, url != NULL ? url : "/");
	return ERR_OK;
}

/* GET /api/v1/verifications/callback?verify_id=V&verify_ret=N: the platform's return. The
 * verify_ret of the redirect is never trusted: the service asks queryverifyinfo itself, once. */
enum err h_verification_callback(struct call *c)
{
	const struct kv *kv = kv_get(&c->query, "verify_id");
	if (kv == NULL || kv->len == 0 || kv->len > FACE_VERIFY_ID_MAX || !cc_all(kv->val, kv->len, cc_unreserved))
		return callback_fail(c, "MISSING_PARAMS");
	uint8_t vhash[32];
	crypto_sha256(kv->val, kv->len, vhash);
	struct verif_row v;
	enum db_rc rc = verifs_by_hash(c->db, vhash, &v);
	const char *pid = v.pid, *next = v.next;
	if (rc == DB_NOROW || (rc == DB_OK && strcmp(v.verify_id, kv->val) != 0))
		return callback_fail(c, "UNKNOWN_VERIFICATION");
	if (rc != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	int64_t now = clock_now();
	if (v.status != V_PENDING)
		return back_to(c, next, pid, NULL); /* asked already (a reload): the status says how it went */
	if (v.expires <= now)
		return back_to(c, next, pid, "EXPIRED");
	rc = verifs_claim(c->db, v.id);
	if (rc == DB_NOROW)
		return back_to(c, next, pid, NULL);
	if (rc != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	char name[VID_NAME_BUF], number[VID_DOC_BUF], hash[65];
	int32_t st = V_PENDING, ret = 0;
	int64_t exp = v.expires;
	const char *error = NULL;
	if (open_field(c->keys, "vname", pid, v.name_e, v.name_n, name, sizeof name) != 0 ||
	    open_field(c->keys, "vid", pid, v.id_e, v.id_n, number, sizeof number) != 0 ||
	    face_cert_hash(name, number, hash) != 0) {
		log_error("a verification's identity does not decrypt");
		error = "INTERNAL";
	} else {
		long errcode = 0;
		int vr = 0;
		enum pf_rc pr = platform_face_query(c->conf, c->db, v.verify_id, pid, hash, v.openid, &vr, &errcode);
		if (pr == PF_OK) {
			ret = vr;
			st = vr == FACE_PASSED ? V_PASSED : V_FAILED;
			if (st == V_PASSED)
				exp = now + VERIFY_PASSED_TTL_S;
			else
				error = face_ret_word(vr);
		} else {
			error =
			    pr == PF_ERRCODE && errcode != PFE_SYSTEM_BUSY ? "PLATFORM_ERROR" : "PLATFORM_UNAVAILABLE";
		}
	}
	/* Not asked (the platform was away): pending again, so that a reload asks again. */
	if (verifs_done(c->db, v.id, st, ret, exp) != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	return back_to(c, next, pid, error);
}

enum err h_verification_get(struct call *c)
{
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN)
		return ERR_NOT_FOUND;
	struct verif_state v;
	enum db_rc rc = verifs_get(c->db, pid, c->account_id, &v);
	int32_t status = v.status, ret = v.ret;
	int64_t expires = v.expires;
	if (rc != DB_OK)
		return persons_db_err(rc); /* another account's verification is not found either */
	int64_t now = clock_now();
	const char *word = status == V_PASSED   ? (expires > now ? "passed" : "expired")
			   : status == V_FAILED ? "failed"
			   : status == V_USED   ? "used"
						: "pending";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verification_id", pid);
	cJSON_AddStringToObject(o, "status", word);
	if (!v.has_ret) {
		cJSON_AddNullToObject(o, "verify_ret");
		cJSON_AddNullToObject(o, "result");
	} else {
		cJSON_AddNumberToObject(o, "verify_ret", ret);
		cJSON_AddStringToObject(o, "result", face_ret_word(ret));
	}
	cJSON_AddStringToObject(o, "name_masked", v.name_m);
	if (status == V_PASSED && expires > now) {
		char t[ISOTIME_BUF];
		isotime_format(expires, t);
		cJSON_AddStringToObject(o, "expires_at", t);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}
