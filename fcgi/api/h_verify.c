/* h_verify.c: real-name face verification: a verification for a name and resident ID, the
 * platform's return (the service asks queryverifyinfo itself), and its status. A passed
 * verification belongs to its account, is good for 30 minutes and for one application. */
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "face.h"
#include "fields.h"
#include "keys.h"
#include "log.h"
#include "persons.h"
#include "platform.h"
#include "resp.h"
#include "routes.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define VERIFY_TTL_S 3600        /* the platform's verify_id lives this long */
#define VERIFY_PASSED_TTL_S 1800 /* a passed verification is good for this long */
#define VERIFY_PER_DAY 100       /* face checks an account may start in 24 hours */
#define VERIFY_FAILED_PER_DAY 10 /* of which failed (someone trying identities not its own) */
#define NEXT_PATH_MAX 512

enum verif_status { V_PENDING = 0, V_PASSED = 1, V_FAILED = 2, V_USED = 3, V_ASKING = 4 };

static int seal(const struct keys *k, const char *field, const char *pid, const char *pt, uint8_t *out, size_t max)
{
	char aad[64];
	snprintf(aad, sizeof aad, "%s|%s", field, pid);
	return crypto_seal(k->data, aad, strlen(aad), pt, strlen(pt), out, max);
}

static int open_field(const struct keys *k, const char *field, const char *pid, const uint8_t *ct, size_t n,
		      char *out, size_t max)
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
	if (rc == PF_ERRCODE && errcode != -1) {
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
	struct db_param cp[] = { DBP_U64(&c->account_id), DBP_I64(&since), DBP_END };
	struct db_col cc[] = { DBC_I32(&count), DBC_I32(&failed), DBC_END };
	enum db_rc rc = db_exec(c->db, STMT_VERIF_COUNT_SINCE, cp, cc);
	if (rc != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
	if (count >= VERIFY_PER_DAY || failed >= VERIFY_FAILED_PER_DAY)
		return ERR_TOO_MANY_ATTEMPTS;
	char openid[72];
	struct db_param ap[] = { DBP_U64(&c->account_id), DBP_END };
	struct db_col ac[] = { DBC_TEXT(openid, sizeof openid), DBC_END };
	if ((rc = db_exec(c->db, STMT_ACCOUNT_OPENID, ap, ac)) != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);

	uint8_t raw[16], idx[32], vhash[32], name_e[256], id_e[128];
	char pid[PUBLIC_ID_LEN + 1], name_m[128], verify_id[FACE_VERIFY_ID_MAX + 1];
	if (crypto_random(raw, sizeof raw) != 0 || crypto_b64url(raw, sizeof raw, pid, sizeof pid) != PUBLIC_ID_LEN ||
	    vid_mask_name(name, strlen(name), name_m, sizeof name_m) == 0)
		return ERR_INTERNAL;
	long errcode = 0;
	/* Our verification's public id is the platform's out_seq_no. */
	enum pf_rc pr = platform_face_verify_id(c->conf, c->db, openid, pid, name, number, verify_id, sizeof verify_id,
						&errcode);
	if (pr != PF_OK)
		return pf_err(pr, errcode);
	persons_id_index(c->keys, VID_DOC_RESIDENT_ID, number, idx);
	crypto_sha256(verify_id, strlen(verify_id), vhash);
	int nn = seal(c->keys, "vname", pid, name, name_e, sizeof name_e);
	int in = seal(c->keys, "vid", pid, number, id_e, sizeof id_e);
	if (nn <= 0 || in <= 0)
		return ERR_INTERNAL;
	const char *next_path = next;
	int64_t exp = now + VERIFY_TTL_S;
	struct db_param p[] = { DBP_TEXT(pid), DBP_U64(&c->account_id), DBP_BLOB(idx, 32), DBP_BLOB(name_e, (size_t)nn),
				DBP_BLOB(id_e, (size_t)in), DBP_TEXT(name_m), DBP_BLOB(vhash, 32), DBP_TEXT(verify_id),
				DBP_TEXT(next_path), DBP_I64(&now), DBP_I64(&exp), DBP_END };
	if ((rc = db_exec(c->db, STMT_VERIF_INSERT, p, NULL)) != DB_OK)
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
	if (kv == NULL || kv->len == 0 || kv->len > FACE_VERIFY_ID_MAX ||
	    strspn(kv->val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") != kv->len)
		return callback_fail(c, "MISSING_PARAMS");
	uint8_t vhash[32];
	crypto_sha256(kv->val, kv->len, vhash);
	uint64_t id = 0;
	int32_t status = 0;
	int64_t expires = 0;
	uint8_t name_e[256], id_e[128];
	char pid[PUBLIC_ID_LEN + 8], verify_id[FACE_VERIFY_ID_MAX + 1], next[NEXT_PATH_MAX + 1], openid[72];
	struct db_param p[] = { DBP_BLOB(vhash, 32), DBP_END };
	struct db_col cols[] = { DBC_U64(&id), DBC_TEXT(pid, sizeof pid), DBC_I32(&status),
				 DBC_BLOB(name_e, sizeof name_e), DBC_BLOB(id_e, sizeof id_e),
				 DBC_TEXT(verify_id, sizeof verify_id), DBC_TEXT(next, sizeof next),
				 DBC_TEXT(openid, sizeof openid), DBC_I64(&expires), DBC_END };
	enum db_rc rc = db_exec(c->db, STMT_VERIF_BY_HASH, p, cols);
	if (rc == DB_NOROW || (rc == DB_OK && strcmp(verify_id, kv->val) != 0))
		return callback_fail(c, "UNKNOWN_VERIFICATION");
	if (rc != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	int64_t now = clock_now();
	if (status != V_PENDING)
		return back_to(c, next, pid, NULL); /* asked already (a reload): the status says how it went */
	if (expires <= now)
		return back_to(c, next, pid, "EXPIRED");
	struct db_param claim[] = { DBP_U64(&id), DBP_END };
	if (db_exec(c->db, STMT_VERIF_CLAIM, claim, NULL) != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	if (db_affected(c->db) != 1)
		return back_to(c, next, pid, NULL);
	char name[VID_NAME_BUF], number[VID_DOC_BUF], hash[65];
	int32_t st = V_PENDING, ret = 0;
	int64_t exp = expires;
	const char *error = NULL;
	if (open_field(c->keys, "vname", pid, name_e, cols[3].len, name, sizeof name) != 0 ||
	    open_field(c->keys, "vid", pid, id_e, cols[4].len, number, sizeof number) != 0 ||
	    face_cert_hash(name, number, hash) != 0) {
		log_error("a verification's identity does not decrypt");
		error = "INTERNAL";
	} else {
		long errcode = 0;
		int vr = 0;
		enum pf_rc pr = platform_face_query(c->conf, c->db, verify_id, pid, hash, openid, &vr, &errcode);
		if (pr == PF_OK) {
			ret = vr;
			st = vr == FACE_PASSED ? V_PASSED : V_FAILED;
			if (st == V_PASSED)
				exp = now + VERIFY_PASSED_TTL_S;
			else
				error = face_ret_word(vr);
		} else {
			error = pr == PF_ERRCODE && errcode != -1 ? "PLATFORM_ERROR" : "PLATFORM_UNAVAILABLE";
		}
	}
	/* Not asked (the platform was away): pending again, so that a reload asks again. */
	struct db_param dp[] = { DBP_I32(&st),
				 st == V_PENDING ? (struct db_param)DBP_NULL(DBT_I32) : (struct db_param)DBP_I32(&ret),
				 DBP_I64(&exp), DBP_U64(&id), DBP_END };
	if (db_exec(c->db, STMT_VERIF_DONE, dp, NULL) != DB_OK)
		return callback_fail(c, "UNAVAILABLE");
	return back_to(c, next, pid, error);
}

enum err h_verification_get(struct call *c)
{
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN)
		return ERR_NOT_FOUND;
	int32_t status = 0, ret = 0;
	int64_t expires = 0;
	char name_m[128];
	struct db_param p[] = { DBP_TEXT(pid), DBP_U64(&c->account_id), DBP_END };
	struct db_col cols[] = { DBC_I32(&status), DBC_I32(&ret), DBC_TEXT(name_m, sizeof name_m), DBC_I64(&expires),
				 DBC_END };
	enum db_rc rc = db_exec(c->db, STMT_VERIF_GET, p, cols);
	if (rc != DB_OK)
		return persons_db_err(rc); /* another account's verification is not found either */
	int64_t now = clock_now();
	const char *word = status == V_PASSED ? (expires > now ? "passed" : "expired")
			   : status == V_FAILED ? "failed"
			   : status == V_USED	? "used"
						: "pending";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verification_id", pid);
	cJSON_AddStringToObject(o, "status", word);
	if (cols[1].null) {
		cJSON_AddNullToObject(o, "verify_ret");
		cJSON_AddNullToObject(o, "result");
	} else {
		cJSON_AddNumberToObject(o, "verify_ret", ret);
		cJSON_AddStringToObject(o, "result", face_ret_word(ret));
	}
	cJSON_AddStringToObject(o, "name_masked", name_m);
	if (status == V_PASSED && expires > now) {
		char t[32];
		time_t tt = (time_t)expires;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(o, "expires_at", t);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}
