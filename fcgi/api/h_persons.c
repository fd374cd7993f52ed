/* h_persons.c: applying for a code (self or a relative), reading a person, its photo, its code,
 * new declarations, and the persons an account holds. Only a holder sees a person: others get 404. */
#include "auth.h"
#include "cclass.h"
#include "clock.h"
#include "codes.h"
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
#include "store_verifications.h"
#include "valid_id.h"
#include "isotime.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
static int seal_field(const struct keys *k, const char *field, const char *pid, const void *pt, size_t n, uint8_t *out,
		      size_t max)
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

static cJSON *person_json(const char *pid, int id_type, const char *name_m, const char *id_m, const char *phone_m,
			  int role, int relationship, const char *since)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", pid);
	cJSON_AddStringToObject(o, "name_masked", name_m);
	cJSON_AddStringToObject(o, "id_type", vid_doc_word((enum vid_doc)id_type));
	cJSON_AddStringToObject(o, "id_masked", id_m);
	cJSON_AddStringToObject(o, "phone_masked", phone_m);
	cJSON_AddStringToObject(o, "relationship", person_relationship_word(role, relationship));
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
	struct rules_decl rd = { clock_local_day(now),
				 d->symptoms,
				 d->has_temperature != 0,
				 d->temperature_tenths,
				 d->contact != 0,
				 d->ntravel > 0 ? d->travel : NULL,
				 d->ntravel };
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
	struct declaration_row row = { .person = person,
				       .account = c->account_id,
				       .travel_e = enc,
				       .travel_n = (size_t)n,
				       .symptoms = d->symptoms,
				       .has_temperature = d->has_temperature,
				       .temperature_tenths = d->temperature_tenths,
				       .contact = d->contact,
				       .color = (int32_t)res->color,
				       .reason = rules_reason_word(res->reason) };
	return persons_declaration_insert(c->db, &row, now);
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
	size_t len = 0;
	static _Thread_local char body[16384];
	if (persons_idem_get(c->db, c->account_id, key, &status, body, sizeof body, &len) != DB_OK)
		return 0;
	char *copy = arena_strndup(c->arena, body, len);
	if (copy == NULL)
		return 0;
	resp_raw(c, status, "application/json; charset=utf-8", copy, len);
	resp_header(c, "Idempotent-Replayed", "true");
	return 1;
}

/* Seals the personal data under the person pid (a new one, or the existing person's). */
static int seal_pii(struct call *c, const struct application *a, struct person_details *p)
{
	size_t idn = strlen(a->id_number);
	p->name_n = seal_field(c->keys, "name", p->pid, a->name, strlen(a->name), p->name_e, sizeof p->name_e);
	p->id_n = seal_field(c->keys, "id_number", p->pid, a->id_number, idn, p->id_e, sizeof p->id_e);
	p->phone_n = seal_field(c->keys, "phone", p->pid, a->phone, strlen(a->phone), p->phone_e, sizeof p->phone_e);
	p->addr_n = seal_field(c->keys, "address", p->pid, a->address, strlen(a->address), p->addr_e, sizeof p->addr_e);
	return p->name_n > 0 && p->id_n > 0 && p->phone_n > 0 && p->addr_n > 0 ? 0 : -1;
}

static int prepare_pii(struct call *c, const struct application *a, struct person_details *p)
{
	size_t idn = strlen(a->id_number);
	persons_id_index(c->keys, (int)a->id_type, a->id_number, p->id_index);
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
	char kept_photo[64];  /* a photo file the committed rows name ("" when none of ours) */
	char extra_photo[64]; /* a copy written during the run (sealed under an existing person) */
	char old_photo[64];   /* the photo a takeover replaced: removed after the commit */
	int refusal;          /* 1: count it; 2: count and audit it (a name that does not match) */
	char refused_pid[PUBLIC_ID_LEN + 1];
	int notify; /* 1: the owner of a pending delegation; 2: the holders already there */
	uint64_t notify_person;
	char person_name_m[128], delegate_name_m[128];
	char cmid[64];
};

/* One application as its transaction runs it: what the caller prepared, what a run finds, and
 * what it leaves (out). */
struct apply {
	const struct application *a;
	struct person_details *p; /* the new person's details, sealed again under one found */
	const char *photo_file;   /* the photo written for a new person */
	const char **areas;
	size_t nareas;
	const char *idem; /* the Idempotency-Key, or NULL */
	int64_t now;
	/* found by a run */
	uint64_t delegate_person; /* a relative application: the delegate's own verified person */
	char delegate_name_m[128];
	struct person_found found; /* the person the ID's blind index names, when exists */
	int exists, name_matches;
	struct code_state next; /* the code the answer shows */
	struct apply_out out;
};

/* Whether a name sealed under field and id (as seal_field did) is name; -1 when it does not open. */
static int sealed_name_is(const struct keys *k, const char *field, const char *id, const uint8_t *enc, size_t n,
			  const char *name)
{
	char aad[64], plain[VID_NAME_BUF];
	snprintf(aad, sizeof aad, "%s|%s", field, id);
	int len = crypto_open(k->data, aad, strlen(aad), enc, n, (uint8_t *)plain, sizeof plain - 1);
	if (len < 0)
		return -1;
	plain[len] = '\0';
	return strcmp(plain, name) == 0;
}

/* A self application for a resident ID carries a passed verification of this account for the
 * same name and number, which it uses up. ERR_OK, or VERIFICATION_REQUIRED with the reason. */
static enum err use_verification(struct call *c, const struct application *a, const uint8_t id_index[32], int64_t now)
{
	const char *vid = a->verification_id[0] != '\0' ? a->verification_id : NULL;
	if (vid == NULL) {
		call_field_error(c, "verification_id", "REQUIRED");
		return ERR_VERIFICATION_REQUIRED;
	}
	struct verif_for_app v;
	enum db_rc rc = verifs_for_app(c->db, vid, c->account_id, &v);
	if (rc == DB_NOROW) {
		call_field_error(c, "verification_id", "UNKNOWN");
		return ERR_VERIFICATION_REQUIRED;
	}
	if (rc != DB_OK)
		return db_err(rc);
	const char *why = v.status == 3 ? "USED" : v.status != 1 ? "NOT_PASSED" : v.expires <= now ? "EXPIRED" : NULL;
	if (why == NULL && (v.idx_n != 32 || !crypto_ct_equal(v.idx, id_index, 32)))
		why = "OTHER_IDENTITY";
	if (why == NULL) {
		int same = sealed_name_is(c->keys, "vname", vid, v.name_e, v.name_n, a->name);
		if (same < 0)
			return ERR_INTERNAL;
		if (!same)
			why = "OTHER_IDENTITY";
	}
	if (why != NULL) {
		call_field_error(c, "verification_id", why);
		return ERR_VERIFICATION_REQUIRED;
	}
	rc = verifs_use(c->db, v.id, now);
	return rc == DB_OK ? ERR_OK : rc == DB_NOROW ? ERR_CONFLICT : db_err(rc);
}

/* The answer of an application that made or joined a person: 201 with the masked details the
 * caller may see (a holder that joined sees no details someone else submitted). */
static enum err answer_person(struct call *c, const struct apply *x, int exists, int details, int hrole, int rel,
			      int owner)
{
	const struct person_details *p = x->p;
	const struct code_state *next = &x->next;
	int64_t now = x->now;
	cJSON *o = cJSON_CreateObject();
	char since[32];
	isotime_format(now, since);
	cJSON *po =
	    person_json(p->pid, (int)x->a->id_type, p->name_m, p->id_m, details ? p->phone_m : "", hrole, rel, since);
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
	if (x->idem != NULL) {
		enum db_rc rc = persons_idem_put(c->db, c->account_id, x->idem, 201, body, strlen(body), now);
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

/* Applies the declaration to the found person's code and records it. */
static enum err declare_existing(struct call *c, struct apply *x)
{
	struct code_state cur;
	struct rules_decl_result res;
	uint64_t person = x->found.id;
	enum db_rc rc = codes_load(c->db, person, 1, &cur);
	if (rc != DB_OK)
		return db_err(rc);
	if (decide(c, &x->a->decl, x->areas, x->nareas, x->now, &cur, &x->next, &res) != 0)
		return ERR_INTERNAL;
	if ((rc = codes_change(c->db, person, &cur, &x->next, "declaration", "application", x->now)) != DB_OK)
		return rc == DB_NOROW ? ERR_CONFLICT : db_err(rc);
	if ((rc = insert_declaration(c, person, x->p->pid, &x->a->decl, &res, x->now)) != DB_OK)
		return db_err(rc);
	return ERR_OK;
}

static enum err insert_holder(struct call *c, uint64_t person, int role, int rel, uint64_t delegate_person, int64_t now)
{
	enum db_rc rc = persons_holder_insert(c->db, c->account_id, person, role, rel, delegate_person, now);
	if (rc != DB_OK)
		return rc == DB_DUP ? (role == 1 ? ERR_ID_HAS_SELF : ERR_ALREADY_HOLDER) : db_err(rc);
	return ERR_OK;
}

/* ERR_ALREADY_HOLDER when the caller holds person already. */
static enum err not_holder(struct call *c, uint64_t person)
{
	int32_t role = 0;
	enum db_rc rc = persons_holder_role(c->db, c->account_id, person, &role);
	return rc == DB_OK ? ERR_ALREADY_HOLDER : rc == DB_NOROW ? ERR_OK : db_err(rc);
}

/* The account's checks, before anything about the ID number (no oracle): a self application's
 * person held as self already (*self_person, 0: none); a relative application's delegate (its own
 * verified person), its refusals of the day and its count of persons. */
static enum err apply_account(struct call *c, struct apply *x, uint64_t *self_person)
{
	enum db_rc rc;
	*self_person = 0;
	if (x->a->for_self) {
		rc = persons_self_of_account(c->db, c->account_id, self_person);
		return rc == DB_OK || rc == DB_NOROW ? ERR_OK : db_err(rc);
	}
	/* An accountable delegate: its account owns its own verified person. */
	rc = persons_owned(c->db, c->account_id, &x->delegate_person, x->delegate_name_m);
	if (rc == DB_NOROW)
		return ERR_DELEGATE_NOT_VERIFIED;
	if (rc != DB_OK)
		return db_err(rc);
	int32_t refused = 0, count = 0;
	rc = persons_refusals(c->db, c->account_id, clock_local_day(x->now), &refused);
	if (rc != DB_OK && rc != DB_NOROW)
		return db_err(rc);
	if (rc == DB_OK && refused >= PERSONS_REFUSALS_MAX)
		return ERR_TOO_MANY_ATTEMPTS;
	if ((rc = persons_delegate_count(c->db, c->account_id, &count)) != DB_OK)
		return db_err(rc);
	if (count >= c->conf->delegation_limit) {
		x->out.refusal = 1;
		return ERR_DELEGATION_LIMIT;
	}
	return ERR_OK;
}

/* A self application for a registered document the platform cannot check: held without an owner,
 * as before. */
static enum err apply_join_self(struct call *c, struct apply *x)
{
	uint64_t person = x->found.id, other = 0;
	enum err e = not_holder(c, person);
	if (e != ERR_OK)
		return e;
	enum db_rc rc = persons_self_of_person(c->db, person, &other);
	if (rc == DB_OK)
		return ERR_ID_HAS_SELF;
	if (rc != DB_NOROW)
		return db_err(rc);
	if (!x->name_matches) {
		call_field_error(c, "name", "NAME_MISMATCH");
		return ERR_PERSON_MISMATCH;
	}
	memcpy(x->p->pid, x->found.pid, PUBLIC_ID_LEN + 1);
	if ((e = insert_holder(c, person, 1, 0, 0, x->now)) != ERR_OK || (e = declare_existing(c, x)) != ERR_OK)
		return e;
	return answer_person(c, x, 1, 0, 1, 0, 0);
}

/* The verified person takes over the person a delegate (or an unverified self) registered: its
 * own details replace the others', sealed under the existing person. */
static enum err apply_takeover(struct call *c, struct apply *x)
{
	struct apply_out *out = &x->out;
	uint64_t person = x->found.id;
	memcpy(x->p->pid, x->found.pid, PUBLIC_ID_LEN + 1);
	if (seal_pii(c, x->a, x->p) != 0)
		return ERR_UNAVAILABLE;
	enum err e = write_photo(c, x->p->pid, x->a, out->extra_photo, sizeof out->extra_photo);
	if (e != ERR_OK)
		return e;
	enum db_rc rc = persons_takeover(c->db, person, c->account_id, x->p, out->extra_photo, x->a->photo_png ? 1 : 2);
	if (rc != DB_OK)
		return rc == DB_DUP ? ERR_SELF_EXISTS : rc == DB_NOROW ? ERR_CONFLICT : db_err(rc);
	if ((rc = persons_self_demote(c->db, person, c->account_id)) != DB_OK)
		return db_err(rc);
	int made = 0;
	if ((rc = persons_holder_make_self(c->db, c->account_id, person, &made)) != DB_OK)
		return rc == DB_DUP ? ERR_CONFLICT : db_err(rc);
	if (!made && (e = insert_holder(c, person, 1, 0, 0, x->now)) != ERR_OK)
		return e;
	if ((e = declare_existing(c, x)) != ERR_OK)
		return e;
	snprintf(out->kept_photo, sizeof out->kept_photo, "%s", out->extra_photo);
	out->extra_photo[0] = '\0';
	snprintf(out->old_photo, sizeof out->old_photo, "%s", x->found.photo_file);
	return answer_person(c, x, 1, 1, 1, 0, 1);
}

/* A relative application for a registered person: a pending delegation when it has an owner,
 * else held at once (the holders already there told), within the holders' limit. */
static enum err apply_relative(struct call *c, struct apply *x)
{
	struct apply_out *out = &x->out;
	const struct person_found *f = &x->found;
	enum err e = not_holder(c, f->id);
	if (e != ERR_OK)
		return e;
	memcpy(out->refused_pid, f->pid, PUBLIC_ID_LEN);
	out->refused_pid[PUBLIC_ID_LEN] = '\0';
	if (!x->name_matches) {
		/* Knowing an ID number is not enough: the refusal says no more than any other. */
		out->refusal = 2;
		return ERR_APPLICATION_REFUSED;
	}
	int32_t rel = x->a->relationship;
	enum db_rc rc;
	snprintf(out->delegate_name_m, sizeof out->delegate_name_m, "%s", x->delegate_name_m);
	if (f->owner != 0) {
		/* The owner decides: a pending delegation (202), the owner told, nothing held. */
		uint64_t did = 0;
		rc = persons_delegation_pending(c->db, f->id, c->account_id, &did);
		if (rc != DB_OK && rc != DB_NOROW)
			return db_err(rc);
		if (rc == DB_NOROW) {
			rc = persons_delegation_insert(c->db, f->id, c->account_id, x->delegate_person, rel, x->now,
						       &did);
			if (rc != DB_OK)
				return db_err(rc);
			out->notify = 1;
			out->notify_person = f->id;
			snprintf(out->cmid, sizeof out->cmid, "dlg-%llu", (unsigned long long)did);
		}
		return answer_pending(c, did);
	}
	int32_t count = 0;
	if ((rc = persons_holder_count(c->db, f->id, &count)) != DB_OK)
		return db_err(rc);
	if (count >= PERSONS_HOLDERS_MAX) {
		out->refusal = 1;
		return ERR_APPLICATION_REFUSED;
	}
	/* Without an owner: granted at once, the holders already there told who joined. */
	memcpy(x->p->pid, f->pid, PUBLIC_ID_LEN + 1);
	if ((e = insert_holder(c, f->id, 2, rel, x->delegate_person, x->now)) != ERR_OK ||
	    (e = declare_existing(c, x)) != ERR_OK)
		return e;
	out->notify = 2;
	out->notify_person = f->id;
	snprintf(out->cmid, sizeof out->cmid, "join-%s-%llu", f->pid, (unsigned long long)c->account_id);
	return answer_person(c, x, 1, 0, 2, rel, 0);
}

/* A new person: the verified owner's (self, resident ID), or without an owner. */
static enum err apply_new(struct call *c, struct apply *x)
{
	const struct application *a = x->a;
	struct code_state cur = { 0 };
	struct rules_decl_result res;
	int is_owner = a->for_self && a->id_type == VID_DOC_RESIDENT_ID;
	uint64_t person = 0;
	enum db_rc rc = persons_insert(c->db, x->p, (int32_t)a->id_type, x->photo_file, a->photo_png ? 1 : 2,
				       is_owner ? c->account_id : 0, c->account_id, x->now, &person);
	if (rc != DB_OK)
		return rc == DB_DUP ? ERR_CONFLICT : db_err(rc);
	x->out.new_person = 1;
	snprintf(x->out.kept_photo, sizeof x->out.kept_photo, "%s", x->photo_file);
	if (decide(c, &a->decl, x->areas, x->nareas, x->now, &cur, &x->next, &res) != 0)
		return ERR_INTERNAL;
	if ((rc = codes_create(c->db, person, &x->next, "declaration", "application", x->now)) != DB_OK)
		return db_err(rc);
	enum err e = insert_holder(c, person, a->for_self ? 1 : 2, a->relationship,
				   a->for_self ? 0 : x->delegate_person, x->now);
	if (e != ERR_OK)
		return e;
	if ((rc = insert_declaration(c, person, x->p->pid, &a->decl, &res, x->now)) != DB_OK)
		return db_err(rc);
	return answer_person(c, x, 0, 1, a->for_self ? 1 : 2, a->relationship, is_owner);
}

/* The transaction of an application: everything commits together or nothing does. */
static enum err apply_txn(struct call *c, struct apply *x)
{
	const struct application *a = x->a;
	memset(&x->out, 0, sizeof x->out);
	memset(&x->next, 0, sizeof x->next);
	x->delegate_person = 0;
	x->delegate_name_m[0] = '\0';
	enum db_rc rc = persons_account_lock(c->db, c->account_id);
	if (rc != DB_OK)
		return db_err(rc);
	if (x->idem != NULL && replay(c, x->idem))
		return ERR_OK;
	uint64_t self_person = 0;
	enum err e = apply_account(c, x, &self_person);
	if (e != ERR_OK)
		return e;
	rc = persons_by_index(c->db, x->p->id_index, &x->found);
	if (rc != DB_OK && rc != DB_NOROW)
		return db_err(rc);
	x->exists = rc == DB_OK;
	x->name_matches =
	    x->exists ? sealed_name_is(c->keys, "name", x->found.pid, x->found.name_e, x->found.name_n, a->name) : 1;
	if (x->name_matches < 0)
		return ERR_INTERNAL;
	if (a->for_self) {
		const struct person_found *f = &x->found;
		if (self_person != 0 && (!x->exists || self_person != f->id || f->owner == c->account_id))
			return ERR_SELF_EXISTS;
		if (x->exists && f->owner != 0)
			return f->owner == c->account_id ? ERR_ALREADY_HOLDER : ERR_ID_HAS_SELF;
		int verifiable = a->id_type == VID_DOC_RESIDENT_ID;
		if (verifiable && (e = use_verification(c, a, x->p->id_index, x->now)) != ERR_OK)
			return e;
		if (x->exists)
			return verifiable ? apply_takeover(c, x) : apply_join_self(c, x);
	} else if (x->exists) {
		return apply_relative(c, x);
	}
	return apply_new(c, x);
}

/* A refused relative application counts against the account's day; one whose name does not match
 * a registered person is audited. Both commit apart from the refused application; if they cannot,
 * the call fails closed. */
static enum err record_refusal(struct call *c, const struct apply_out *o, int64_t now)
{
	enum db_rc rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = persons_refusal_add(c->db, c->account_id, clock_local_day(now));
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
	enum db_rc rc = persons_risk_areas(c->db, c->arena, &areas, &nareas);
	if (rc != DB_OK)
		return db_err(rc);
	struct person_details *p = arena_alloc(c->arena, sizeof *p);
	if (p == NULL || prepare_pii(c, a, p) != 0)
		return ERR_INTERNAL;
	char photo_file[64];
	enum err we = write_photo(c, p->pid, a, photo_file, sizeof photo_file);
	if (we != ERR_OK)
		return we;
	struct apply *x = arena_alloc(c->arena, sizeof *x);
	if (x == NULL) {
		remove_photo(c, photo_file);
		return ERR_INTERNAL;
	}
	memset(x, 0, sizeof *x);
	x->a = a;
	x->p = p;
	x->photo_file = photo_file;
	x->areas = areas;
	x->nareas = nareas;
	x->idem = idem;
	x->now = now;
	struct apply_out *out = &x->out;
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
		e = apply_txn(c, x);
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
		persons_notify(c, out->notify_person, c->account_id, out->notify == 1, p->name_m, out->delegate_name_m,
			       person_relationship_word(2, a->relationship), out->cmid);
	return ERR_OK;
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
	struct shown_code v;
	enum err e = persons_load_code(c, &v);
	if (e != ERR_OK)
		return e;
	int64_t now = v.now;
	cJSON *o = codes_json(&v.code, &v.st, now);
	char t[32];
	isotime_format(now, t);
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
	enum db_rc rc = persons_risk_areas(c->db, c->arena, &areas, &nareas);
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

static void add_holder(const struct person_holder *h, void *arg)
{
	if (h->mine)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "holder_id", (double)h->id);
	cJSON_AddStringToObject(o, "relationship", person_relationship_word(h->role, h->relationship));
	cJSON_AddStringToObject(o, "name_masked", h->name_m);
	cJSON_AddBoolToObject(o, "verified", h->name_m[0] != '\0');
	cJSON_AddStringToObject(o, "since", h->since);
	cJSON_AddItemToArray((cJSON *)arg, o);
}

static void add_pending(const struct person_holder *h, void *arg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)h->id);
	cJSON_AddStringToObject(o, "relationship", person_relationship_word(2, h->relationship));
	cJSON_AddStringToObject(o, "name_masked", h->name_m);
	cJSON_AddStringToObject(o, "since", h->since);
	cJSON_AddItemToArray((cJSON *)arg, o);
}

/* The holders of an owned person and the delegations waiting for its owner, into the person's
 * entry of /me. */
static enum db_rc owner_view(struct call *c, uint64_t person, cJSON *it)
{
	cJSON *holders = cJSON_AddArrayToObject(it, "holders");
	cJSON *pending = cJSON_AddArrayToObject(it, "pending_delegations");
	enum db_rc rc = persons_holders(c->db, c->account_id, person, add_holder, holders);
	return rc == DB_OK ? persons_pending(c->db, person, add_pending, pending) : rc;
}

/* The persons of /me as they are read; the one the account owns is remembered. */
struct me_list {
	cJSON *persons, *owned_it;
	uint64_t owned;
};

static void add_person(const struct account_person *p, void *arg)
{
	struct me_list *l = arg;
	cJSON *it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "id", p->pid);
	cJSON_AddStringToObject(it, "name_masked", p->name_m);
	cJSON_AddStringToObject(it, "relationship", person_relationship_word(p->role, p->relationship));
	cJSON_AddStringToObject(it, "color", rules_color_word((enum rules_color)p->color));
	cJSON_AddBoolToObject(it, "owner", p->owner != 0);
	cJSON_AddItemToArray(l->persons, it);
	if (p->owner) {
		l->owned = p->id;
		l->owned_it = it;
	}
}

enum err h_me(struct call *c)
{
	char since[32];
	int32_t has_union = 0;
	enum db_rc rc = persons_account(c->db, c->account_id, since, &has_union);
	if (rc != DB_OK)
		return db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *acc = cJSON_AddObjectToObject(o, "account");
	cJSON_AddStringToObject(acc, "since", since);
	cJSON_AddStringToObject(acc, "login", c->session_kind == 2 ? "miniprogram" : "web");
	cJSON_AddBoolToObject(acc, "unionid_bound", has_union != 0);
	struct me_list l = { cJSON_AddArrayToObject(o, "persons"), NULL, 0 };
	if ((rc = persons_of_account(c->db, c->account_id, add_person, &l)) != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	/* The owner sees every holder of its person and the delegations it is asked to decide. */
	cJSON_AddBoolToObject(acc, "verified", l.owned != 0);
	if (l.owned != 0 && (rc = owner_view(c, l.owned, l.owned_it)) != DB_OK) {
		cJSON_Delete(o);
		return db_err(rc);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}
