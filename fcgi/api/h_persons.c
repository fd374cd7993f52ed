/* h_persons.c: applying for a code (self or a relative), reading a person, its photo, its code,
 * new declarations, and the persons an account holds. Only a holder sees a person: others get 404. */
#include "auth.h"
#include "cclass.h"
#include "clock.h"
#include "codes.h"
#include "session.h"
#include "conf.h"
#include "crypto.h"
#include "daycolor.h"
#include "db.h"
#include "decl.h"
#include "form.h"
#include "persons.h"
#include "keys.h"
#include "log.h"
#include "resp.h"
#include "routes.h"
#include "photo.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


enum err persons_db_err(enum db_rc rc)
{
	return rc == DB_DOWN ? ERR_UNAVAILABLE : rc == DB_NOROW ? ERR_NOT_FOUND : rc == DB_RETRY ? ERR_CONFLICT : ERR_INTERNAL;
}

#define db_err persons_db_err

/* A new random public id (22 base64url characters). */
static int new_public_id(char out[PUBLIC_ID_LEN + 1])
{
	uint8_t raw[16];
	if (crypto_random(raw, sizeof raw) != 0)
		return -1;
	return crypto_b64url(raw, sizeof raw, out, PUBLIC_ID_LEN + 1) == PUBLIC_ID_LEN ? 0 : -1;
}

/* Seals text under the data key, bound to its field and person; returns its length or -1. */
static int seal_field(const struct keys *k, const char *field, const char *pid, const void *pt, size_t n,
		      uint8_t *out, size_t max)
{
	char aad[64];
	snprintf(aad, sizeof aad, "%s|%s", field, pid);
	return crypto_seal(k->data, aad, strlen(aad), pt, n, out, max);
}

static void photo_path(const struct conf *c, const char *file, char *out, size_t max)
{
	snprintf(out, max, "%s/photos/%s", c->data_dir, file);
}

/* Writes the photo encrypted, fsynced, before the rows commit. Returns ERR_OK, ERR_PHOTO_STORE_FULL
 * when the store has no room (nothing of it is left behind), or ERR_UNAVAILABLE. */
static enum err write_photo(struct call *c, const char *pid, const struct application *a, char *file, size_t filemax)
{
	uint8_t rnd[12];
	char hex[25], dir[600], path[700], tmp[720];
	if (crypto_random(rnd, sizeof rnd) != 0)
		return ERR_UNAVAILABLE;
	crypto_hex(rnd, sizeof rnd, hex);
	snprintf(file, filemax, "%s.enc", hex);
	snprintf(dir, sizeof dir, "%s/photos", c->conf->data_dir);
	mkdir(dir, 0700);
	photo_path(c->conf, file, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	size_t max = a->photo_len + 64;
	uint8_t *enc = malloc(max);
	if (enc == NULL)
		return ERR_UNAVAILABLE;
	int n = seal_field(c->keys, "photo", pid, a->photo, a->photo_len, enc, max);
	int fd = n > 0 ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
	int err = fd >= 0 || n <= 0 ? 0 : errno;
	if (fd >= 0) {
		ssize_t w = write(fd, enc, (size_t)n);
		if (w < 0)
			err = errno;
		else if (w != n)
			err = ENOSPC; /* a short write to a regular file: the store is full */
		else if (fsync(fd) != 0)
			err = errno;
		close(fd);
	}
	free(enc);
	if (n > 0 && fd >= 0 && err == 0) {
		if (rename(tmp, path) == 0) {
			int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
			return ERR_OK;
		}
		err = errno;
	}
	log_error("cannot write a photo file: %s", n <= 0 ? "sealing failed" : strerror(err));
	unlink(tmp);
	return err == ENOSPC || err == EDQUOT ? ERR_PHOTO_STORE_FULL : ERR_UNAVAILABLE;
}

static void remove_photo(struct call *c, const char *file)
{
	char path[700];
	photo_path(c->conf, file, path, sizeof path);
	unlink(path);
}

/* Loads the high-risk area list into the arena. */
static enum db_rc risk_areas(struct call *c, const char ***out, size_t *n)
{
	char city[260];
	struct db_col cols[] = { DBC_TEXT(city, sizeof city), DBC_END };
	const char **list = arena_alloc(c->arena, RISK_AREAS_MAX * sizeof *list);
	*n = 0;
	if (list == NULL)
		return DB_ERR;
	enum db_rc rc = db_query(c->db, STMT_RISK_AREAS_LIST, NULL, cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(c->db)) == DB_OK)
		if (*n < RISK_AREAS_MAX)
			list[(*n)++] = arena_strdup(c->arena, city);
	*out = list;
	return rc == DB_NOROW ? DB_OK : rc;
}

static cJSON *person_json(const char *pid, int id_type, const char *name_m, const char *id_m, const char *phone_m,
			  int role, int relationship, const char *since)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", pid);
	cJSON_AddStringToObject(o, "name_masked", name_m);
	cJSON_AddStringToObject(o, "id_type", vid_doc_word((enum vid_doc)id_type));
	cJSON_AddStringToObject(o, "id_masked", id_m);
	cJSON_AddStringToObject(o, "phone_masked", phone_m);
	cJSON_AddStringToObject(o, "relationship",
				role == 1 ? "self" : (relationship > 0 && relationship < 8 ? app_relationships[relationship] : "other"));
	if (since != NULL)
		cJSON_AddStringToObject(o, "since", since);
	return o;
}

/* Decides the declaration's color and applies it to a code (never lowering a red one). */
static int decide(struct call *c, const struct decl *d, const char **areas, size_t nareas, int64_t now,
		  const struct code_state *cur, struct code_state *next, struct rules_decl_result *res)
{
	struct rules_conf rc;
	codes_rules(c->conf, &rc);
	struct rules_decl rd = { clock_local_day(now), d->symptoms, d->has_temperature != 0, d->temperature_tenths,
				 d->contact != 0, d->ntravel > 0 ? d->travel : NULL, d->ntravel };
	if (rules_declaration(&rc, &rd, nareas > 0 ? areas : NULL, nareas, res) != 0)
		return -1;
	struct rules_obs obs = { cur->obs_start, cur->obs_until, NULL, 0 };
	struct rules_apply ap;
	if (rules_apply_declaration(&rc, (enum rules_color)cur->color, cur->has_obs ? &obs : NULL, res, &ap) != 0)
		return -1;
	*next = *cur;
	next->color = ap.color;
	if ((int)ap.color != cur->color || ap.start_observation) {
		snprintf(next->reason, sizeof next->reason, "%s", rules_reason_word(res->reason));
		next->since = (int)ap.color != cur->color || cur->color == RULES_COLOR_NONE ? now : cur->since;
	}
	if (ap.start_observation) {
		next->has_obs = 1;
		next->obs_start = ap.start_day;
		next->obs_until = ap.until_day;
	}
	return 0;
}

static enum db_rc insert_declaration(struct call *c, uint64_t person, const char *pid, const struct decl *d,
				     const struct rules_decl_result *res, int64_t now)
{
	size_t tlen = strlen(d->travel_json), max = tlen + 64;
	uint8_t *enc = arena_alloc(c->arena, max);
	int n = enc != NULL ? seal_field(c->keys, "travel", pid, d->travel_json, tlen, enc, max) : -1;
	if (n < 0)
		return DB_ERR;
	int32_t sym = (int32_t)d->symptoms, temp = d->temperature_tenths, contact = d->contact, color = res->color;
	struct db_param p[] = { DBP_U64(&person), DBP_U64(&c->account_id), DBP_BLOB(enc, (size_t)n), DBP_I32(&sym),
				d->has_temperature ? (struct db_param)DBP_I32(&temp) : (struct db_param)DBP_NULL(DBT_I32),
				DBP_I32(&contact), DBP_I32(&color), DBP_TEXT(rules_reason_word(res->reason)),
				DBP_I64(&now), DBP_END };
	return db_exec(c->db, STMT_DECLARATION_INSERT, p, NULL);
}

/* An Idempotency-Key: 1..64 characters of [A-Za-z0-9_-]. */
static const char *idempotency_key(struct call *c, int *bad)
{
	const char *k = call_param(c, "HTTP_IDEMPOTENCY_KEY");
	*bad = 0;
	if (k == NULL)
		return NULL;
	size_t n = strlen(k);
	if (n == 0 || n > 64 || !cc_all(k, n, cc_b64url))
		*bad = 1;
	return k;
}

/* Answers with the stored first answer of an idempotent request, if there is one. */
static int replay(struct call *c, const char *key)
{
	int32_t status = 0;
	static _Thread_local char body[16384];
	struct db_param p[] = { DBP_U64(&c->account_id), DBP_TEXT(key), DBP_END };
	struct db_col cols[] = { DBC_I32(&status), DBC_BLOB(body, sizeof body), DBC_END };
	if (db_exec(c->db, STMT_IDEM_GET, p, cols) != DB_OK)
		return 0;
	char *copy = arena_strndup(c->arena, body, cols[1].len);
	if (copy == NULL)
		return 0;
	resp_raw(c, status, "application/json; charset=utf-8", copy, cols[1].len);
	resp_header(c, "Idempotent-Replayed", "true");
	return 1;
}

struct pii {
	char pid[PUBLIC_ID_LEN + 1];
	uint8_t id_index[32];
	char name_m[128], id_m[48], phone_m[16];
	uint8_t name_e[256], id_e[128], phone_e[64], addr_e[1024];
	int name_n, id_n, phone_n, addr_n;
	uint64_t code_ref;
};

static void id_index_of(const struct keys *k, int id_type, const char *number, uint8_t out[32])
{
	person_id_index(k->index, (enum vid_doc)id_type, number, out);
}

void persons_id_index(const struct keys *k, int id_type, const char *number, uint8_t out[32])
{
	id_index_of(k, id_type, number, out);
}

const char *persons_relationship_word(int role, int relationship)
{
	return role == 1 ? "self" : (relationship > 0 && relationship < 8 ? app_relationships[relationship] : "other");
}

/* Seals the personal data under the person pid (a new one, or the existing person's). */
static int seal_pii(struct call *c, const struct application *a, struct pii *p)
{
	size_t idn = strlen(a->id_number);
	p->name_n = seal_field(c->keys, "name", p->pid, a->name, strlen(a->name), p->name_e, sizeof p->name_e);
	p->id_n = seal_field(c->keys, "id_number", p->pid, a->id_number, idn, p->id_e, sizeof p->id_e);
	p->phone_n = seal_field(c->keys, "phone", p->pid, a->phone, strlen(a->phone), p->phone_e, sizeof p->phone_e);
	p->addr_n = seal_field(c->keys, "address", p->pid, a->address, strlen(a->address), p->addr_e, sizeof p->addr_e);
	return p->name_n > 0 && p->id_n > 0 && p->phone_n > 0 && p->addr_n > 0 ? 0 : -1;
}

static int prepare_pii(struct call *c, const struct application *a, struct pii *p)
{
	size_t idn = strlen(a->id_number);
	id_index_of(c->keys, (int)a->id_type, a->id_number, p->id_index);
	if (new_public_id(p->pid) != 0 || crypto_random(&p->code_ref, sizeof p->code_ref) != 0)
		return -1;
	p->code_ref |= 1; /* never 0 */
	if (vid_mask_name(a->name, strlen(a->name), p->name_m, sizeof p->name_m) == 0 ||
	    vid_mask_id(a->id_type, a->id_number, idn, p->id_m, sizeof p->id_m) == 0 ||
	    vid_mask_phone(a->phone, strlen(a->phone), p->phone_m, sizeof p->phone_m) == 0)
		return -1;
	return seal_pii(c, a, p);
}

/* What one run of an application's transaction leaves for after it: photo files to keep or
 * delete, a refusal to count and audit, whom to tell. */
struct apply_out {
	int new_person;
	char kept_photo[64];     /* a photo file the committed rows name ("" when none of ours) */
	char extra_photo[64];    /* a copy written during the run (sealed under an existing person) */
	char old_photo[64];      /* the photo a takeover replaced: removed after the commit */
	int refusal;             /* 1: count it; 2: count and audit it (a name that does not match) */
	char refused_pid[PUBLIC_ID_LEN + 1];
	int notify;              /* 1: the owner of a pending delegation; 2: the holders already there */
	uint64_t notify_person;
	char person_name_m[128], delegate_name_m[128];
	char cmid[64];
};

/* A self application for a resident ID carries a passed verification of this account for the
 * same name and number, which it uses up. ERR_OK, or VERIFICATION_REQUIRED with the reason. */
static enum err use_verification(struct call *c, const struct application *a, const uint8_t id_index[32],
				 int64_t now)
{
	const char *vid = a->verification_id[0] != '\0' ? a->verification_id : NULL;
	if (vid == NULL) {
		call_field_error(c, "verification_id", "REQUIRED");
		return ERR_VERIFICATION_REQUIRED;
	}
	uint64_t id = 0;
	int32_t status = 0;
	int64_t expires = 0;
	uint8_t idx[32], name_enc[256];
	struct db_param p[] = { DBP_TEXT(vid), DBP_U64(&c->account_id), DBP_END };
	struct db_col cols[] = { DBC_U64(&id), DBC_I32(&status), DBC_BLOB(idx, sizeof idx),
				 DBC_BLOB(name_enc, sizeof name_enc), DBC_I64(&expires), DBC_END };
	enum db_rc rc = db_exec(c->db, STMT_VERIF_FOR_APP, p, cols);
	if (rc == DB_NOROW) {
		call_field_error(c, "verification_id", "UNKNOWN");
		return ERR_VERIFICATION_REQUIRED;
	}
	if (rc != DB_OK)
		return db_err(rc);
	const char *why = status == 3 ? "USED" : status != 1 ? "NOT_PASSED" : expires <= now ? "EXPIRED" : NULL;
	if (why == NULL && (cols[2].len != 32 || !crypto_ct_equal(idx, id_index, 32)))
		why = "OTHER_IDENTITY";
	if (why == NULL) {
		char aad[64], name[VID_NAME_BUF];
		snprintf(aad, sizeof aad, "vname|%s", vid);
		int n = crypto_open(c->keys->data, aad, strlen(aad), name_enc, cols[3].len, (uint8_t *)name, sizeof name - 1);
		if (n < 0)
			return ERR_INTERNAL;
		name[n] = '\0';
		if (strcmp(name, a->name) != 0)
			why = "OTHER_IDENTITY";
	}
	if (why != NULL) {
		call_field_error(c, "verification_id", why);
		return ERR_VERIFICATION_REQUIRED;
	}
	struct db_param up[] = { DBP_I64(&now), DBP_U64(&id), DBP_END };
	if ((rc = db_exec(c->db, STMT_VERIF_USE, up, NULL)) != DB_OK)
		return db_err(rc);
	return db_affected(c->db) == 1 ? ERR_OK : ERR_CONFLICT;
}

/* The answer of an application that made or joined a person: 201 with the masked details the
 * caller may see (a holder that joined sees no details someone else submitted). */
static enum err answer_person(struct call *c, const struct pii *p, const struct application *a, int exists,
			      int details, int hrole, int rel, int owner, const struct code_state *next, int64_t now,
			      const char *idem)
{
	cJSON *o = cJSON_CreateObject();
	char since[32];
	codes_iso(now, since);
	cJSON *po = person_json(p->pid, (int)a->id_type, p->name_m, p->id_m, details ? p->phone_m : "", hrole, rel, since);
	if (!details)
		cJSON_DeleteItemFromObjectCaseSensitive(po, "phone_masked");
	if (exists && !details) {
		/* A person already registered keeps the details it was registered with. */
		cJSON_DeleteItemFromObjectCaseSensitive(po, "name_masked");
		cJSON_DeleteItemFromObjectCaseSensitive(po, "id_type");
		cJSON_DeleteItemFromObjectCaseSensitive(po, "id_masked");
	}
	if (exists)
		cJSON_AddBoolToObject(po, "already_registered", 1);
	cJSON_AddBoolToObject(po, "owner", owner);
	cJSON_AddItemToObject(o, "person", po);
	struct code_status st;
	memset(&st, 0, sizeof st);
	cJSON *code = codes_json(next, &st, now);
	if (next->has_obs) {
		char until[DAY_BUF];
		if (day_format(next->obs_until, until))
			cJSON_ReplaceItemInObjectCaseSensitive(code, "observation_until", cJSON_CreateString(until));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(code, "report");
	cJSON_AddItemToObject(o, "code", code);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return ERR_INTERNAL;
	char *body = arena_strdup(c->arena, text);
	cJSON_free(text);
	if (body == NULL)
		return ERR_INTERNAL;
	if (idem != NULL) {
		int32_t status = 201;
		struct db_param qp[] = { DBP_U64(&c->account_id), DBP_TEXT(idem), DBP_I32(&status),
					 DBP_BLOB(body, strlen(body)), DBP_I64(&now), DBP_END };
		enum db_rc rc = db_exec(c->db, STMT_IDEM_INSERT, qp, NULL);
		if (rc != DB_OK)
			return rc == DB_DUP ? ERR_CONFLICT : db_err(rc);
	}
	resp_raw(c, 201, "application/json; charset=utf-8", body, strlen(body));
	return ERR_OK;
}

/* 202: the person has an owner, who decides. Nothing of the application is kept but the wish. */
static enum err answer_pending(struct call *c, uint64_t delegation)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(o, "delegation");
	cJSON_AddNumberToObject(d, "id", (double)delegation);
	cJSON_AddStringToObject(d, "status", "pending");
	cJSON_AddStringToObject(o, "message", "the person's owner is asked to approve; until then you hold nothing");
	resp_json(c, 202, o);
	return ERR_OK;
}

/* Applies the declaration to an existing person's code and records it. */
static enum err declare_existing(struct call *c, uint64_t person, const char *pid, const struct application *a,
				 const char **areas, size_t nareas, int64_t now, struct code_state *next)
{
	struct code_state cur;
	struct rules_decl_result res;
	enum db_rc rc = codes_load(c->db, person, 1, &cur);
	if (rc != DB_OK)
		return db_err(rc);
	if (decide(c, &a->decl, areas, nareas, now, &cur, next, &res) != 0)
		return ERR_INTERNAL;
	if ((rc = codes_change(c->db, person, &cur, next, "declaration", "application", now)) != DB_OK)
		return rc == DB_NOROW ? ERR_CONFLICT : db_err(rc);
	if ((rc = insert_declaration(c, person, pid, &a->decl, &res, now)) != DB_OK)
		return db_err(rc);
	return ERR_OK;
}

static enum err insert_holder(struct call *c, uint64_t person, int role, int rel, uint64_t delegate_person,
			      int64_t now)
{
	int32_t hrole = role, r = rel;
	struct db_param hp[] = { DBP_U64(&c->account_id), DBP_U64(&person), DBP_I32(&hrole),
				 role == 1 ? (struct db_param)DBP_NULL(DBT_I32) : (struct db_param)DBP_I32(&r),
				 DBP_I64(&now),
				 delegate_person != 0 ? (struct db_param)DBP_U64(&delegate_person)
						      : (struct db_param)DBP_NULL(DBT_U64),
				 DBP_END };
	enum db_rc rc = db_exec(c->db, STMT_HOLDER_INSERT, hp, NULL);
	if (rc != DB_OK)
		return rc == DB_DUP ? (role == 1 ? ERR_ID_HAS_SELF : ERR_ALREADY_HOLDER) : db_err(rc);
	return ERR_OK;
}

/* The transaction of an application: everything commits together or nothing does. */
static enum err apply_txn(struct call *c, const struct application *a, struct pii *p, const char *photo_file,
			  const char **areas, size_t nareas, const char *idem, int64_t now, struct apply_out *out)
{
	enum db_rc rc;
	uint64_t person = 0, other = 0, owner = 0, delegate_person = 0, self_person = 0;
	int32_t count = 0, role = 0;
	char existing_pid[PUBLIC_ID_LEN + 8], old_photo[64];
	char delegate_name_m[128] = "";
	memset(out, 0, sizeof *out);
	struct db_param acc[] = { DBP_U64(&c->account_id), DBP_END };
	struct db_col accc[] = { DBC_U64(&other), DBC_END };
	if ((rc = db_exec(c->db, STMT_ACCOUNT_LOCK, acc, accc)) != DB_OK)
		return db_err(rc);
	if (idem != NULL && replay(c, idem))
		return ERR_OK;
	int verifiable = a->id_type == VID_DOC_RESIDENT_ID;
	if (a->for_self) {
		struct db_col sc[] = { DBC_U64(&self_person), DBC_END };
		rc = db_exec(c->db, STMT_SELF_OF_ACCOUNT, acc, sc);
		if (rc != DB_OK && rc != DB_NOROW)
			return db_err(rc);
	} else {
		/* An accountable delegate: its account owns its own verified person. */
		struct db_col oc[] = { DBC_U64(&delegate_person), DBC_TEXT(delegate_name_m, sizeof delegate_name_m), DBC_END };
		rc = db_exec(c->db, STMT_OWNED_PERSON, acc, oc);
		if (rc == DB_NOROW)
			return ERR_DELEGATE_NOT_VERIFIED;
		if (rc != DB_OK)
			return db_err(rc);
		/* The account's limits come before anything about the ID number: no oracle. */
		int32_t day = clock_local_day(now), refused = 0;
		struct db_param rp[] = { DBP_U64(&c->account_id), DBP_I32(&day), DBP_END };
		struct db_col rcol[] = { DBC_I32(&refused), DBC_END };
		rc = db_exec(c->db, STMT_REFUSALS_GET, rp, rcol);
		if (rc != DB_OK && rc != DB_NOROW)
			return db_err(rc);
		if (rc == DB_OK && refused >= PERSONS_REFUSALS_MAX)
			return ERR_TOO_MANY_ATTEMPTS;
		struct db_param dp[] = { DBP_U64(&c->account_id), DBP_U64(&c->account_id), DBP_END };
		struct db_col dc[] = { DBC_I32(&count), DBC_END };
		if ((rc = db_exec(c->db, STMT_DELEGATE_COUNT, dp, dc)) != DB_OK)
			return db_err(rc);
		if (count >= c->conf->delegation_limit) {
			out->refusal = 1;
			return ERR_DELEGATION_LIMIT;
		}
	}
	struct db_param ip[] = { DBP_BLOB(p->id_index, 32), DBP_END };
	uint8_t name_enc[256];
	struct db_col ic[] = { DBC_U64(&person), DBC_TEXT(existing_pid, sizeof existing_pid),
			       DBC_BLOB(name_enc, sizeof name_enc), DBC_U64(&owner), DBC_TEXT(old_photo, sizeof old_photo),
			       DBC_END };
	rc = db_exec(c->db, STMT_PERSON_BY_INDEX, ip, ic);
	if (rc != DB_OK && rc != DB_NOROW)
		return db_err(rc);
	int exists = rc == DB_OK;
	int name_matches = 1;
	if (exists) {
		char aad[64], name[VID_NAME_BUF];
		snprintf(aad, sizeof aad, "name|%s", existing_pid);
		int n = crypto_open(c->keys->data, aad, strlen(aad), name_enc, ic[2].len, (uint8_t *)name, sizeof name - 1);
		if (n < 0)
			return ERR_INTERNAL;
		name[n] = '\0';
		name_matches = strcmp(name, a->name) == 0;
	}
	struct code_state next;
	memset(&next, 0, sizeof next);

	if (a->for_self) {
		if (self_person != 0 && (!exists || self_person != person || owner == c->account_id))
			return ERR_SELF_EXISTS;
		if (exists && owner != 0)
			return owner == c->account_id ? ERR_ALREADY_HOLDER : ERR_ID_HAS_SELF;
		enum err e;
		if (verifiable && (e = use_verification(c, a, p->id_index, now)) != ERR_OK)
			return e;
		if (exists && !verifiable) {
			/* A document the platform cannot check: registered without an owner, as before. */
			struct db_param hp[] = { DBP_U64(&c->account_id), DBP_U64(&person), DBP_END };
			struct db_col hc[] = { DBC_I32(&role), DBC_END };
			rc = db_exec(c->db, STMT_HOLDER_GET, hp, hc);
			if (rc == DB_OK)
				return ERR_ALREADY_HOLDER;
			if (rc != DB_NOROW)
				return db_err(rc);
			struct db_param pp[] = { DBP_U64(&person), DBP_END };
			struct db_col pc[] = { DBC_U64(&other), DBC_END };
			rc = db_exec(c->db, STMT_SELF_OF_PERSON, pp, pc);
			if (rc == DB_OK)
				return ERR_ID_HAS_SELF;
			if (rc != DB_NOROW)
				return db_err(rc);
			if (!name_matches) {
				call_field_error(c, "name", "NAME_MISMATCH");
				return ERR_PERSON_MISMATCH;
			}
			memcpy(p->pid, existing_pid, PUBLIC_ID_LEN + 1);
			if ((e = insert_holder(c, person, 1, 0, 0, now)) != ERR_OK ||
			    (e = declare_existing(c, person, p->pid, a, areas, nareas, now, &next)) != ERR_OK)
				return e;
			return answer_person(c, p, a, 1, 0, 1, 0, 0, &next, now, idem);
		}
		if (exists) {
			/* The verified person takes over the person a delegate (or an unverified self) registered:
			 * its own details replace the others', sealed under the existing person. */
			memcpy(p->pid, existing_pid, PUBLIC_ID_LEN + 1);
			if (seal_pii(c, a, p) != 0)
				return ERR_UNAVAILABLE;
			if ((e = write_photo(c, p->pid, a, out->extra_photo, sizeof out->extra_photo)) != ERR_OK)
				return e;
			int32_t ptype = a->photo_png ? 1 : 2;
			struct db_param tp[] = { DBP_U64(&c->account_id), DBP_U64(&c->account_id), DBP_TEXT(p->name_m),
						 DBP_TEXT(p->id_m), DBP_TEXT(p->phone_m), DBP_BLOB(p->name_e, (size_t)p->name_n),
						 DBP_BLOB(p->id_e, (size_t)p->id_n), DBP_BLOB(p->phone_e, (size_t)p->phone_n),
						 DBP_BLOB(p->addr_e, (size_t)p->addr_n), DBP_TEXT(out->extra_photo),
						 DBP_I32(&ptype), DBP_U64(&person), DBP_END };
			if ((rc = db_exec(c->db, STMT_PERSON_TAKEOVER, tp, NULL)) != DB_OK)
				return rc == DB_DUP ? ERR_SELF_EXISTS : db_err(rc);
			if (db_affected(c->db) != 1)
				return ERR_CONFLICT;
			struct db_param dm[] = { DBP_U64(&person), DBP_U64(&c->account_id), DBP_END };
			if ((rc = db_exec(c->db, STMT_SELF_DEMOTE, dm, NULL)) != DB_OK)
				return db_err(rc);
			struct db_param ms[] = { DBP_U64(&c->account_id), DBP_U64(&person), DBP_END };
			if ((rc = db_exec(c->db, STMT_HOLDER_MAKE_SELF, ms, NULL)) != DB_OK)
				return rc == DB_DUP ? ERR_CONFLICT : db_err(rc);
			if (db_affected(c->db) == 0 && (e = insert_holder(c, person, 1, 0, 0, now)) != ERR_OK)
				return e;
			if ((e = declare_existing(c, person, p->pid, a, areas, nareas, now, &next)) != ERR_OK)
				return e;
			snprintf(out->kept_photo, sizeof out->kept_photo, "%s", out->extra_photo);
			out->extra_photo[0] = '\0';
			snprintf(out->old_photo, sizeof out->old_photo, "%s", old_photo);
			return answer_person(c, p, a, 1, 1, 1, 0, 1, &next, now, idem);
		}
	} else if (exists) {
		struct db_param hp[] = { DBP_U64(&c->account_id), DBP_U64(&person), DBP_END };
		struct db_col hc[] = { DBC_I32(&role), DBC_END };
		rc = db_exec(c->db, STMT_HOLDER_GET, hp, hc);
		if (rc == DB_OK)
			return ERR_ALREADY_HOLDER;
		if (rc != DB_NOROW)
			return db_err(rc);
		memcpy(out->refused_pid, existing_pid, PUBLIC_ID_LEN);
		out->refused_pid[PUBLIC_ID_LEN] = '\0';
		if (!name_matches) {
			/* Knowing an ID number is not enough: the refusal says no more than any other. */
			out->refusal = 2;
			return ERR_APPLICATION_REFUSED;
		}
		int32_t rel = a->relationship;
		if (owner != 0) {
			/* The owner decides: a pending delegation (202), the owner told, nothing held. */
			uint64_t did = 0;
			struct db_param gp[] = { DBP_U64(&person), DBP_U64(&c->account_id), DBP_END };
			struct db_col gc[] = { DBC_U64(&did), DBC_END };
			rc = db_exec(c->db, STMT_DELEGATION_PENDING_GET, gp, gc);
			if (rc != DB_OK && rc != DB_NOROW)
				return db_err(rc);
			if (rc == DB_NOROW) {
				struct db_param dp[] = { DBP_U64(&person), DBP_U64(&c->account_id), DBP_U64(&delegate_person),
							 DBP_I32(&rel), DBP_I64(&now), DBP_END };
				if ((rc = db_exec(c->db, STMT_DELEGATION_INSERT, dp, NULL)) != DB_OK)
					return db_err(rc);
				did = db_insert_id(c->db);
				out->notify = 1;
				out->notify_person = person;
				snprintf(out->delegate_name_m, sizeof out->delegate_name_m, "%s", delegate_name_m);
				snprintf(out->cmid, sizeof out->cmid, "dlg-%llu", (unsigned long long)did);
			}
			return answer_pending(c, did);
		}
		struct db_param pc[] = { DBP_U64(&person), DBP_END };
		struct db_col cc[] = { DBC_I32(&count), DBC_END };
		if ((rc = db_exec(c->db, STMT_HOLDER_COUNT_PERSON, pc, cc)) != DB_OK)
			return db_err(rc);
		if (count >= PERSONS_HOLDERS_MAX) {
			out->refusal = 1;
			return ERR_APPLICATION_REFUSED;
		}
		/* Without an owner: granted at once, the holders already there told who joined. */
		memcpy(p->pid, existing_pid, PUBLIC_ID_LEN + 1);
		enum err e;
		if ((e = insert_holder(c, person, 2, rel, delegate_person, now)) != ERR_OK ||
		    (e = declare_existing(c, person, p->pid, a, areas, nareas, now, &next)) != ERR_OK)
			return e;
		out->notify = 2;
		out->notify_person = person;
		snprintf(out->delegate_name_m, sizeof out->delegate_name_m, "%s", delegate_name_m);
		snprintf(out->cmid, sizeof out->cmid, "join-%s-%llu", existing_pid, (unsigned long long)c->account_id);
		return answer_person(c, p, a, 1, 0, 2, rel, 0, &next, now, idem);
	}

	/* A new person: the verified owner's (self, resident ID), or without an owner. */
	struct code_state cur = { 0 };
	struct rules_decl_result res;
	int is_owner = a->for_self && verifiable;
	int32_t idt = (int32_t)a->id_type, ptype = a->photo_png ? 1 : 2;
	struct db_param pp[] = { DBP_TEXT(p->pid), DBP_U64(&p->code_ref), DBP_I32(&idt), DBP_BLOB(p->id_index, 32),
				 DBP_TEXT(p->name_m), DBP_TEXT(p->id_m), DBP_TEXT(p->phone_m),
				 DBP_BLOB(p->name_e, (size_t)p->name_n), DBP_BLOB(p->id_e, (size_t)p->id_n),
				 DBP_BLOB(p->phone_e, (size_t)p->phone_n), DBP_BLOB(p->addr_e, (size_t)p->addr_n),
				 DBP_TEXT(photo_file), DBP_I32(&ptype), DBP_I64(&now),
				 is_owner ? (struct db_param)DBP_U64(&c->account_id) : (struct db_param)DBP_NULL(DBT_U64),
				 DBP_U64(&c->account_id), DBP_END };
	if ((rc = db_exec(c->db, STMT_PERSON_INSERT, pp, NULL)) != DB_OK)
		return rc == DB_DUP ? ERR_CONFLICT : db_err(rc);
	person = db_insert_id(c->db);
	out->new_person = 1;
	snprintf(out->kept_photo, sizeof out->kept_photo, "%s", photo_file);
	if (decide(c, &a->decl, areas, nareas, now, &cur, &next, &res) != 0)
		return ERR_INTERNAL;
	int32_t color = next.color, s = next.obs_start, u = next.obs_until;
	struct db_param cp[] = { DBP_U64(&person), DBP_I32(&color), DBP_TEXT(next.reason), DBP_I64(&now),
				 next.has_obs ? (struct db_param)DBP_I32(&s) : (struct db_param)DBP_NULL(DBT_I32),
				 next.has_obs ? (struct db_param)DBP_I32(&u) : (struct db_param)DBP_NULL(DBT_I32),
				 DBP_END };
	if ((rc = db_exec(c->db, STMT_CODE_INSERT, cp, NULL)) != DB_OK)
		return db_err(rc);
	int32_t from = 0;
	struct db_param ep[] = { DBP_U64(&person), DBP_I32(&from), DBP_I32(&color), DBP_TEXT(next.reason),
				 DBP_TEXT("declaration"), DBP_TEXT("application"), DBP_I64(&now), DBP_END };
	if ((rc = db_exec(c->db, STMT_CODE_EVENT_INSERT, ep, NULL)) != DB_OK)
		return db_err(rc);
	enum err e = insert_holder(c, person, a->for_self ? 1 : 2, a->relationship, a->for_self ? 0 : delegate_person, now);
	if (e != ERR_OK)
		return e;
	if ((rc = insert_declaration(c, person, p->pid, &a->decl, &res, now)) != DB_OK)
		return db_err(rc);
	return answer_person(c, p, a, 0, 1, a->for_self ? 1 : 2, a->relationship, is_owner, &next, now, idem);
}

/* A refused relative application counts against the account's day; one whose name does not match
 * a registered person is audited. Both commit apart from the refused application; if they cannot,
 * the call fails closed. */
static enum err record_refusal(struct call *c, const struct apply_out *o, int64_t now)
{
	enum db_rc rc = db_begin(c->db);
	int32_t day = clock_local_day(now);
	struct db_param p[] = { DBP_U64(&c->account_id), DBP_I32(&day), DBP_END };
	if (rc == DB_OK)
		rc = db_exec(c->db, STMT_REFUSAL_ADD, p, NULL);
	if (rc == DB_OK && o->refusal == 2)
		rc = auth_audit_citizen(c, "relative_refused_name", o->refused_pid);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	else
		db_rollback(c->db);
	return rc == DB_OK ? ERR_OK : ERR_UNAVAILABLE;
}

enum err h_application(struct call *c)
{
	/* The router validated the form against app_fields and app_check built the application. */
	const struct application *a = c->form;
	int bad_key = 0;
	const char *idem = idempotency_key(c, &bad_key);
	if (bad_key) {
		call_field_error(c, "Idempotency-Key", "INVALID");
		return ERR_VALIDATION;
	}
	int64_t now = clock_now();
	if (a == NULL)
		return ERR_INTERNAL;
	if (idem != NULL && replay(c, idem))
		return ERR_OK;

	const char **areas = NULL;
	size_t nareas = 0;
	enum db_rc rc = risk_areas(c, &areas, &nareas);
	if (rc != DB_OK)
		return db_err(rc);
	struct pii *p = arena_alloc(c->arena, sizeof *p);
	if (p == NULL || prepare_pii(c, a, p) != 0)
		return ERR_INTERNAL;
	char photo_file[64];
	enum err we = write_photo(c, p->pid, a, photo_file, sizeof photo_file);
	if (we != ERR_OK)
		return we;
	struct apply_out *out = arena_alloc(c->arena, sizeof *out);
	if (out == NULL) {
		remove_photo(c, photo_file);
		return ERR_INTERNAL;
	}
	char pid0[PUBLIC_ID_LEN + 1];
	memcpy(pid0, p->pid, sizeof pid0);
	enum err e = ERR_CONFLICT;
	/* The server went away during the commit: the rows may be committed (durable before the answer
	 * was lost), so the photo they would name stays; an unnamed file costs less than a person
	 * without a photo. */
	int commit_unknown = 0;
	/* Two applications for one new person may deadlock or collide: the loser runs again and then
	 * finds the person (a holder is added) or a conflict (409). */
	for (int attempt = 0; attempt < 8 && e == ERR_CONFLICT; attempt++) {
		if (attempt > 0) {
			/* Jitter, so that the colliding transactions do not meet again in lockstep. */
			uint8_t r = 0;
			crypto_random(&r, 1);
			usleep((useconds_t)(1000 + (r % 64) * 100 * attempt));
			/* The run before may have sealed the details under an existing person. */
			memcpy(p->pid, pid0, sizeof pid0);
			if (seal_pii(c, a, p) != 0) {
				e = ERR_INTERNAL;
				break;
			}
		}
		c->resp_set = 0;
		c->status = 0;
		c->nferr = 0;
		if ((rc = db_begin(c->db)) != DB_OK) {
			e = db_err(rc);
			break;
		}
		e = apply_txn(c, a, p, photo_file, areas, nareas, idem, now, out);
		if (e == ERR_OK && (c->status == 201 || c->status == 202)) {
			rc = db_commit(c->db);
			e = rc == DB_OK ? ERR_OK : rc == DB_RETRY ? ERR_CONFLICT : ERR_UNAVAILABLE;
			commit_unknown = rc == DB_DOWN || rc == DB_ERR;
		} else {
			db_rollback(c->db);
		}
		if (e != ERR_OK && out->extra_photo[0] != '\0' && !commit_unknown)
			remove_photo(c, out->extra_photo);
		if (e == ERR_CONFLICT && attempt < 7)
			continue;
		break;
	}
	/* The photo stays only with the person it belongs to: nothing is half-written. */
	if (commit_unknown && e != ERR_OK)
		log_error("an application's commit has no answer from the database: its photo file is kept");
	if ((e != ERR_OK || c->status < 200 || c->status > 202 || strcmp(out->kept_photo, photo_file) != 0) &&
	    !(commit_unknown && strcmp(out->kept_photo, photo_file) == 0))
		remove_photo(c, photo_file);
	if (e == ERR_OK && out->old_photo[0] != '\0' && strcmp(out->old_photo, out->kept_photo) != 0)
		remove_photo(c, out->old_photo);
	if (e != ERR_OK) {
		c->resp_set = 0;
		c->status = 0;
		if (out->refusal != 0 && record_refusal(c, out, now) != ERR_OK) {
			c->nferr = 0;
			return ERR_UNAVAILABLE;
		}
		return e;
	}
	if (out->notify != 0)
		persons_notify(c, out->notify_person, c->account_id, out->notify == 1, p->name_m,
			       out->delegate_name_m, persons_relationship_word(2, a->relationship), out->cmid);
	return ERR_OK;
}

#define PERSON_NCOLS 14

/* STMT_PERSON_OF_HOLDER's columns into r. */
static void person_cols(struct person_row *r, struct db_col cols[PERSON_NCOLS])
{
	const struct db_col c[PERSON_NCOLS] = {
		DBC_U64(&r->id), DBC_I32(&r->id_type), DBC_TEXT(r->name_m, sizeof r->name_m),
		DBC_TEXT(r->id_m, sizeof r->id_m), DBC_TEXT(r->phone_m, sizeof r->phone_m), DBC_I32(&r->role),
		DBC_I32(&r->relationship), DBC_TEXT(r->since, sizeof r->since),
		DBC_TEXT(r->photo_file, sizeof r->photo_file), DBC_I32(&r->photo_type),
		DBC_I32((int32_t *)&r->paper_serial), DBC_U64(&r->code_ref), DBC_U64(&r->submitted_by),
		DBC_U64(&r->owner),
	};
	memcpy(cols, c, sizeof c);
}

/* The person {id} if the caller holds it; ERR_NOT_FOUND otherwise (ids reveal nothing). */
enum err persons_load(struct call *c, struct person_row *r)
{
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN)
		return ERR_NOT_FOUND;
	struct db_param p[] = { DBP_TEXT(pid), DBP_U64(&c->account_id), DBP_END };
	struct db_col cols[PERSON_NCOLS + 1];
	person_cols(r, cols);
	cols[PERSON_NCOLS] = (struct db_col)DBC_END;
	enum db_rc rc = db_exec(c->db, STMT_PERSON_OF_HOLDER, p, cols);
	return rc == DB_OK ? ERR_OK : persons_db_err(rc);
}

enum err persons_load_code(struct call *c, struct person_row *r, int64_t now, struct code_state *code,
			   struct code_status *st)
{
	/* The session, the holder's person and its code in one round trip (an AUTH_HOLDER route, whose
	 * token the router only parsed): a shown code asks every refresh_after_s. */
	if (!c->session_deferred)
		return ERR_INTERNAL;
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN) {
		enum err e = session_authenticate(c); /* 401 before 404 */
		return e != ERR_OK ? e : ERR_NOT_FOUND;
	}
	enum { S = 3, P = 2 }; /* the session's columns, then the person's (id, code_ref), then the code's */
	uint64_t account = 0;
	int32_t stored_kind = 0;
	int64_t last = 0, idle_after = now - c->conf->session_idle_s;
	struct db_col cols[S + P + CODES_NCOLS + 1];
	cols[0] = (struct db_col)DBC_U64(&account);
	cols[1] = (struct db_col)DBC_I32(&stored_kind);
	cols[2] = (struct db_col)DBC_I64(&last);
	memset(r, 0, sizeof *r); /* a shown code needs only the person's id and code_ref */
	cols[S] = (struct db_col)DBC_U64(&r->id);
	cols[S + 1] = (struct db_col)DBC_U64(&r->code_ref);
	struct code_cols_buf b;
	codes_cols(&b, code, cols + S + P);
	cols[S + P + CODES_NCOLS] = (struct db_col)DBC_END;
	struct db_param p[] = { DBP_TEXT(pid), DBP_BLOB(c->session_hash, 32), DBP_I64(&now), DBP_I64(&idle_after),
				DBP_END };
	enum db_rc rc = db_exec(c->db, STMT_SESSION_PERSON_CODE, p, cols);
	enum err e = session_accept(c, rc, account, stored_kind, last, now);
	if (e != ERR_OK)
		return e;
	if (cols[S].null || cols[S + P].null) { /* not a person this account holds */
		memset(r, 0, sizeof *r);
		return ERR_NOT_FOUND;
	}
	codes_cols_done(&b, cols + S + P, code);
	rc = codes_read_loaded(c->db, c->conf, r->id, now, code, st);
	return rc == DB_OK ? ERR_OK : persons_db_err(rc);
}

enum err h_person_get(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	cJSON *o = person_json(c->params[0], r.id_type, r.name_m, r.id_m, r.phone_m, r.role, r.relationship, r.since);
	cJSON_AddNumberToObject(o, "paper_serial", r.paper_serial); /* printed on the paper code's card */
	/* A holder that joined sees the masked name and ID, never details someone else submitted. */
	if (r.submitted_by != c->account_id)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "phone_masked");
	cJSON_AddBoolToObject(o, "owner", r.owner == c->account_id);
	cJSON_AddBoolToObject(o, "has_owner", r.owner != 0);
	cJSON_AddBoolToObject(o, "photo", r.submitted_by == c->account_id);
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_person_photo(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	if (r.submitted_by != c->account_id)
		return ERR_FORBIDDEN; /* the photo is its submitter's, not every holder's */
	char path[700];
	photo_path(c->conf, r.photo_file, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 28 || st.st_size > (off_t)c->conf->photo_max_bytes + 64) {
		if (fd >= 0)
			close(fd);
		log_error("a person's photo file is missing or malformed");
		return ERR_INTERNAL;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *enc = arena_alloc(c->arena, n), *plain = arena_alloc(c->arena, n);
	ssize_t got = enc != NULL && plain != NULL ? read(fd, enc, n) : -1;
	close(fd);
	char aad[64];
	snprintf(aad, sizeof aad, "photo|%s", c->params[0]);
	int pn = got == (ssize_t)n ? crypto_open(c->keys->data, aad, strlen(aad), enc, n, plain, n) : -1;
	if (pn <= 0) {
		log_error("a person's photo does not decrypt");
		return ERR_INTERNAL;
	}
	resp_header(c, "Cache-Control", "no-store, private");
	resp_raw(c, 200, r.photo_type == 1 ? "image/png" : "image/jpeg", plain, (size_t)pn);
	return ERR_OK;
}

/* The day's colour (two HMACs keyed on the day key) for this thread, computed again when the day or
 * the key changes (a worker's keys are loaded once; a reload starts new workers). */
static const char *day_color(const struct keys *k, int32_t day)
{
	static _Thread_local struct {
		const uint8_t *key;
		int32_t day;
		char color[DAYCOLOR_BUF];
	} cache;
	if (cache.key != k->day || cache.day != day) {
		daycolor(k->day, sizeof k->day, day, cache.color);
		cache.key = k->day;
		cache.day = day;
	}
	return cache.color;
}

enum err h_person_code(struct call *c)
{
	struct person_row r;
	int64_t now = clock_now();
	struct code_state code;
	struct code_status st;
	enum err e = persons_load_code(c, &r, now, &code, &st);
	if (e != ERR_OK)
		return e;
	cJSON *o = codes_json(&code, &st, now);
	char t[32];
	codes_iso(now, t);
	cJSON_AddNumberToObject(o, "refresh_after_s", c->conf->refresh_after_s);
	cJSON_AddStringToObject(o, "server_time", t);
	/* The page shows the time in the city's zone and a border in the day's colour (DESIGN §12). */
	cJSON_AddStringToObject(o, "day_color", day_color(c->keys, clock_local_day(now)));
	cJSON_AddStringToObject(o, "time_zone", c->conf->timezone);
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_declaration(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	int64_t now = clock_now();
	/* The router validated the body against decl_fields and decl_form_check built it. */
	const struct decl *dl = c->form;
	if (dl == NULL)
		return ERR_INTERNAL;
	const char **areas = NULL;
	size_t nareas = 0;
	enum db_rc rc = risk_areas(c, &areas, &nareas);
	if (rc != DB_OK)
		return db_err(rc);
	struct code_state cur, next;
	struct rules_decl_result res;
	int attempt = 0;
	do {
		if ((rc = db_begin(c->db)) != DB_OK)
			return db_err(rc);
		rc = codes_load(c->db, r.id, 1, &cur);
		if (rc == DB_OK && decide(c, dl, areas, nareas, now, &cur, &next, &res) != 0)
			rc = DB_ERR;
		if (rc == DB_OK)
			rc = codes_change(c->db, r.id, &cur, &next, "declaration", "holder", now);
		if (rc == DB_OK)
			rc = insert_declaration(c, r.id, c->params[0], dl, &res, now);
		if (rc == DB_OK)
			rc = db_commit(c->db);
		else
			db_rollback(c->db);
	} while (db_txn_again(c->db, rc, attempt++));
	if (rc != DB_OK)
		return rc == DB_NOROW ? ERR_CONFLICT : db_err(rc);
	struct code_status st;
	codes_read(c->db, c->conf, r.id, now, &next, &st);
	cJSON *o = cJSON_CreateObject();
	cJSON *dj = cJSON_AddObjectToObject(o, "declaration");
	cJSON_AddStringToObject(dj, "color_called_for", rules_color_word(res.color));
	cJSON_AddStringToObject(dj, "reason", rules_reason_word(res.reason));
	cJSON_AddItemToObject(o, "code", codes_json(&next, &st, now));
	resp_json(c, 201, o);
	return ERR_OK;
}

/* The holders of an owned person and the delegations waiting for its owner, into the person's
 * entry of /me. */
static enum db_rc owner_view(struct call *c, uint64_t person, cJSON *it)
{
	cJSON *holders = cJSON_AddArrayToObject(it, "holders");
	cJSON *pending = cJSON_AddArrayToObject(it, "pending_delegations");
	uint64_t hid = 0;
	int32_t role = 0, rel = 0, mine = 0;
	char name[128], since[32];
	struct db_param p[] = { DBP_U64(&c->account_id), DBP_U64(&person), DBP_END };
	struct db_col hc[] = { DBC_U64(&hid), DBC_I32(&role), DBC_I32(&rel), DBC_TEXT(name, sizeof name),
			       DBC_TEXT(since, sizeof since), DBC_I32(&mine), DBC_END };
	enum db_rc rc = db_query(c->db, STMT_HOLDERS_OF_PERSON, p, hc);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		if (mine)
			continue;
		cJSON *h = cJSON_CreateObject();
		cJSON_AddNumberToObject(h, "holder_id", (double)hid);
		cJSON_AddStringToObject(h, "relationship", persons_relationship_word(role, rel));
		cJSON_AddStringToObject(h, "name_masked", name);
		cJSON_AddBoolToObject(h, "verified", name[0] != '\0');
		cJSON_AddStringToObject(h, "since", since);
		cJSON_AddItemToArray(holders, h);
	}
	if (rc != DB_NOROW)
		return rc;
	struct db_param pp[] = { DBP_U64(&person), DBP_END };
	struct db_col pc[] = { DBC_U64(&hid), DBC_I32(&rel), DBC_TEXT(name, sizeof name), DBC_TEXT(since, sizeof since),
			       DBC_END };
	if ((rc = db_query(c->db, STMT_PENDING_OF_PERSON, pp, pc)) != DB_OK)
		return rc;
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "id", (double)hid);
		cJSON_AddStringToObject(d, "relationship", persons_relationship_word(2, rel));
		cJSON_AddStringToObject(d, "name_masked", name);
		cJSON_AddStringToObject(d, "since", since);
		cJSON_AddItemToArray(pending, d);
	}
	return rc == DB_NOROW ? DB_OK : rc;
}

enum err h_me(struct call *c)
{
	char since[32];
	int32_t has_union = 0;
	struct db_param p[] = { DBP_U64(&c->account_id), DBP_END };
	struct db_col cols[] = { DBC_TEXT(since, sizeof since), DBC_I32(&has_union), DBC_END };
	enum db_rc rc = db_exec(c->db, STMT_ACCOUNT_GET, p, cols);
	if (rc != DB_OK)
		return db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *acc = cJSON_AddObjectToObject(o, "account");
	cJSON_AddStringToObject(acc, "since", since);
	cJSON_AddStringToObject(acc, "login", c->session_kind == 2 ? "miniprogram" : "web");
	cJSON_AddBoolToObject(acc, "unionid_bound", has_union != 0);
	cJSON *persons = cJSON_AddArrayToObject(o, "persons");
	char pid[PUBLIC_ID_LEN + 8], name[128];
	int32_t role = 0, rel = 0, color = 0, owner = 0;
	uint64_t id = 0, owned = 0;
	cJSON *owned_it = NULL;
	struct db_col pc[] = { DBC_TEXT(pid, sizeof pid), DBC_TEXT(name, sizeof name), DBC_I32(&role), DBC_I32(&rel),
			       DBC_I32(&color), DBC_U64(&id), DBC_I32(&owner), DBC_END };
	if ((rc = db_query(c->db, STMT_PERSONS_OF_ACCOUNT, p, pc)) != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	while ((rc = db_fetch(c->db)) == DB_OK) {
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "id", pid);
		cJSON_AddStringToObject(it, "name_masked", name);
		cJSON_AddStringToObject(it, "relationship", persons_relationship_word(role, rel));
		cJSON_AddStringToObject(it, "color", rules_color_word((enum rules_color)color));
		cJSON_AddBoolToObject(it, "owner", owner != 0);
		cJSON_AddItemToArray(persons, it);
		if (owner) {
			owned = id;
			owned_it = it;
		}
	}
	if (rc != DB_NOROW) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	/* The owner sees every holder of its person and the delegations it is asked to decide. */
	cJSON_AddBoolToObject(acc, "verified", owned != 0);
	if (owned != 0 && (rc = owner_view(c, owned, owned_it)) != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}
