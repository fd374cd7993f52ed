/* h_scans.c: a checkpoint's scan: the verdict of DESIGN §6, durably recorded before the answer;
 * integrators' offline batches, idempotent per client id. */
#include "auth.h"
#include "clock.h"
#include "conf.h"
#include "codes.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "resp.h"
#include "routes.h"
#include "scanin.h"
#include "scanq.h"
#include "store_scans.h"
#include "token.h"
#include "verdict.h"
#include "isotime.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a code says of itself, before the store is asked. */
struct code_check {
	enum verdict_token token; /* VERDICT_TOKEN_OK: it parsed and is sealed under a live key */
	struct hqr_token tok;
	enum token_fresh fresh;
};

struct scan_out {
	struct scan_row row;
	struct verdict_out v;
	int color; /* current color, 0 when the code was not valid */
	char name_m[128], id_m[48];
	uint8_t visitor_enc[2100];
};

/* An integrator's checkpoint must be one of its own: DB_OK with its kind and type, DB_NOROW when it
 * is not, or the statement's failure. */
static enum db_rc integrator_checkpoint(struct call *c, uint64_t checkpoint, int *kind, int *type)
{
	int32_t k = 0, t = 0;
	enum db_rc rc = scans_integrator_checkpoint(c->db, c->integrator_id, checkpoint, &k, &t);
	*kind = k;
	*type = t;
	return rc;
}

/* Parses a code and checks its seal and key at time at_ms: pure work, no store. */
static void check_code(const struct call *c, const char *qr, int64_t at_ms, struct code_check *cc)
{
	memset(cc, 0, sizeof *cc);
	if (token_parse(qr, strlen(qr), &cc->tok) != TOKEN_OK) {
		cc->token = VERDICT_TOKEN_UNPARSABLE;
	} else if (token_check_mac(&cc->tok, c->keys->mac, sizeof c->keys->mac) != 1 ||
		   (cc->tok.kind != TOKEN_KIND_PAPER && keys_verifier(c->keys, cc->tok.kid, at_ms / 1000) == NULL)) {
		/* A forged code, or a phone code sealed under a retired key. A paper code is valid until
		 * it is reissued, whatever keys were rotated since it was printed: its mac (under the
		 * service's own secret) and its serial say whether it still counts. */
		cc->token = VERDICT_TOKEN_BAD_MAC;
	} else {
		cc->token = VERDICT_TOKEN_OK;
		cc->fresh = cc->tok.kind == TOKEN_KIND_PHONE
				? token_phone_fresh(cc->tok.t, at_ms / 1000, c->conf->dynamic_ttl_s, TOKEN_FUTURE_S)
				: TOKEN_FRESH;
	}
}

/* Decides one scan made at time at_ms (now for a live scan, the device's time for a batch). With
 * lk (a device's scan, looked up by the committer) it does not touch the store; without, it looks
 * the code's person up itself, and a failed lookup is ERR_UNAVAILABLE with the statement's
 * failure in *dbrc (a batch's transaction must then start again, not go on). */
static enum err decide(struct call *c, const struct scan_in *in, const struct code_check *cc, uint64_t checkpoint,
		       int cp_kind, int cp_type, int64_t at_ms, const struct scan_lookup *lk, struct scan_out *out,
		       enum db_rc *dbrc)
{
	memset(out, 0, sizeof *out);
	struct verdict_in vi = { 0 };
	vi.direction = in->dir;
	vi.has_temperature = in->has_temp;
	vi.temperature_tenths = in->temp;
	vi.cp_kind = (enum verdict_cp_kind)cp_kind;
	vi.cp_type = (enum verdict_cp_type)cp_type;
	vi.has_visitor_registration = in->has_visitor;
	uint64_t person = 0;
	if (cc->token != VERDICT_TOKEN_OK) {
		vi.token = cc->token;
	} else {
		const struct hqr_token *tok = &cc->tok;
		vi.kind = (enum verdict_kind)tok->kind;
		uint32_t serial = 0;
		int32_t color = 0, resident = 0;
		enum db_rc rc;
		struct scan_lookup own;
		if (lk == NULL) {
			rc = scans_person(c->db, checkpoint, tok->code_ref, &own);
			if (rc != DB_OK && rc != DB_NOROW) {
				if (dbrc != NULL)
					*dbrc = rc;
				return ERR_UNAVAILABLE;
			}
			lk = &own;
		}
		rc = lk->person_found ? DB_OK : DB_NOROW;
		person = lk->person;
		serial = lk->serial;
		color = lk->color;
		resident = lk->resident;
		memcpy(out->name_m, lk->name_m, sizeof out->name_m);
		memcpy(out->id_m, lk->id_m, sizeof out->id_m);
		if (rc == DB_NOROW) {
			vi.token = VERDICT_TOKEN_UNKNOWN_PERSON;
			person = 0;
		} else if (cc->fresh == TOKEN_STALE) {
			vi.token = VERDICT_TOKEN_STALE;
		} else if (cc->fresh == TOKEN_FUTURE) {
			vi.token = VERDICT_TOKEN_FUTURE;
		} else if (tok->kind == TOKEN_KIND_PAPER && tok->t != serial) {
			vi.token = VERDICT_TOKEN_SUPERSEDED_SERIAL;
		} else {
			vi.token = VERDICT_TOKEN_OK;
			vi.color = (enum rules_color)color;
			vi.is_resident = resident != 0;
			out->color = color;
		}
		out->row.kind = tok->kind;
	}
	verdict_decide(&vi, c->conf->fever_tenths, &out->v);
	if (out->v.verdict == VERDICT_NEED_TEMPERATURE) {
		call_field_error(c, "temperature", "REQUIRED");
		return ERR_VALIDATION;
	}
	struct scan_row *r = &out->row;
	uint64_t id;
	if (crypto_random(&id, sizeof id) != 0)
		return ERR_INTERNAL;
	r->id = (id & 0x7fffffffffffffffULL) | 1;
	r->at_ms = at_ms;
	r->local_day = clock_local_day(at_ms / 1000);
	r->checkpoint = checkpoint;
	r->device = c->device_id;
	r->integrator = c->integrator_id;
	r->person = vi.token == VERDICT_TOKEN_OK || vi.token == VERDICT_TOKEN_STALE ||
			    vi.token == VERDICT_TOKEN_FUTURE || vi.token == VERDICT_TOKEN_SUPERSEDED_SERIAL
			? person
			: 0;
	r->direction = verdict_direction(cp_type, (int)in->dir);
	r->has_temperature = in->has_temp;
	r->temperature_tenths = in->temp;
	r->verdict = out->v.verdict;
	r->reasons = out->v.reasons;
	if (out->v.visitor_registered) {
		char aad[40];
		snprintf(aad, sizeof aad, "visitor|%llu", (unsigned long long)r->id);
		int n = crypto_seal(c->keys->data, aad, strlen(aad), in->visitor_json, strlen(in->visitor_json),
				    out->visitor_enc, sizeof out->visitor_enc);
		if (n < 0)
			return ERR_INTERNAL;
		r->visitor = out->visitor_enc;
		r->visitor_len = (size_t)n;
	}
	return ERR_OK;
}

/* The answer of one scan: only what the staff need. */
static cJSON *answer(const struct scan_out *o, int64_t now)
{
	cJSON *a = cJSON_CreateObject();
	char id[24], t[32];
	snprintf(id, sizeof id, "%llu", (unsigned long long)o->row.id);
	cJSON_AddStringToObject(a, "scan_id", id);
	cJSON_AddStringToObject(a, "verdict", verdict_word(o->v.verdict));
	cJSON *reasons = cJSON_AddArrayToObject(a, "reasons");
	for (int r = 0; r < VERDICT_REASON__MAX; r++)
		if (o->v.reasons & VERDICT_REASON_BIT(r))
			cJSON_AddItemToArray(reasons, cJSON_CreateString(verdict_reason_word((enum verdict_reason)r)));
	if (o->color != 0)
		cJSON_AddStringToObject(a, "color", rules_color_word((enum rules_color)o->color));
	else
		cJSON_AddNullToObject(a, "color");
	if (o->color != 0) {
		cJSON *p = cJSON_AddObjectToObject(a, "person");
		cJSON_AddStringToObject(p, "name_masked", o->name_m);
		cJSON_AddStringToObject(p, "id_masked", o->id_m);
	} else {
		cJSON_AddNullToObject(a, "person");
	}
	cJSON *checks = cJSON_AddArrayToObject(a, "checks");
	for (int k = 0; k < VERDICT_CHECK__MAX; k++)
		if (o->v.checks & VERDICT_CHECK_BIT(k))
			cJSON_AddItemToArray(checks, cJSON_CreateString(verdict_check_word((enum verdict_check)k)));
	isotime_format(now, t);
	cJSON_AddStringToObject(a, "server_time", t);
	return a;
}

static int64_t now_ms(void)
{
	return clock_now_ms();
}

/* A live scan (a device's or an integrator's): looked up, decided and written by the committer
 * with the others of its group. */
struct live_scan {
	struct scan_job job;
	struct call *c;
	const struct scan_in *in; /* the body, as the route's check built it */
	struct code_check cc;
	int64_t at_ms;
	enum err e;
	struct scan_out out;
};

/* On the committer thread, with the device (or the integrator's grant) and the person looked up. */
static const struct scan_row *live_decide(struct scan_job *job)
{
	struct live_scan *d = job->arg;
	if (!job->lk.device_found) {
		d->e = job->integrator != 0 ? ERR_SCAN_DENIED_SCOPE : ERR_UNAUTHENTICATED;
		return NULL;
	}
	d->c->device_id = job->lk.device;
	d->c->device_deferred = 0;
	d->c->checkpoint_id = job->lk.checkpoint;
	d->e = decide(d->c, d->in, &d->cc, job->lk.checkpoint, job->lk.cp_kind, job->lk.cp_type, d->at_ms, &job->lk,
		      &d->out, NULL);
	return d->e == ERR_OK ? &d->out.row : NULL;
}

enum err h_scan(struct call *c)
{
	struct live_scan *d = arena_alloc(c->arena, sizeof *d);
	if (d == NULL)
		return ERR_INTERNAL;
	memset(&d->job, 0, sizeof d->job);
	d->job.decide = live_decide;
	d->job.arg = d;
	d->c = c;
	d->e = ERR_INTERNAL;
	d->in = c->form; /* scan_fields, scan_check: a body that failed them never gets here */
	if (c->integrator_id != 0) {
		d->job.integrator = c->integrator_id;
		d->job.checkpoint = d->in->checkpoint;
	} else {
		memcpy(d->job.device_hash, c->device_hash, sizeof d->job.device_hash);
	}
	d->at_ms = now_ms();
	check_code(c, d->in->qr, d->at_ms, &d->cc);
	d->job.code_ref = d->cc.token == VERDICT_TOKEN_OK ? d->cc.tok.code_ref : 0;
	/* The scan is durable before the answer goes out, denials included. */
	if (scanq_submit(&d->job) != DB_OK)
		return ERR_UNAVAILABLE;
	if (d->e != ERR_OK)
		return d->e;
	resp_json(c, 200, answer(&d->out, d->at_ms / 1000));
	return ERR_OK;
}

enum err h_scans_batch(struct call *c)
{
	/* A list of 1..SCAN_BATCH_MAX items (batch_fields); each item is judged on its own. */
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(c->json, "scans");
	int64_t now = clock_now();
	/* Each item is judged once, before the transaction: a batch that runs again (a racing
	 * client id, a deadlock, a certification conflict) judges nothing twice, and the call's
	 * arena holds one judgement of each item, not one per attempt. */
	struct batch_item {
		struct scan_in in;
		int64_t at_s;
		const char *cid;
		const char *err;
	};
	int n = cJSON_GetArraySize(items);
	struct batch_item *items_in = arena_alloc(c->arena, (size_t)(n > 0 ? n : 1) * sizeof *items_in);
	if (items_in == NULL)
		return ERR_UNAVAILABLE;
	const cJSON *it;
	int k = 0;
	cJSON_ArrayForEach(it, items) {
		struct batch_item *b = &items_in[k++];
		b->err = scan_item_parse(c, it, now, &b->in, &b->at_s, &b->cid);
	}
	for (int attempt = 0; attempt < DB_TXN_ATTEMPTS; attempt++) {
		cJSON *results = cJSON_CreateArray();
		enum db_rc rc = db_begin(c->db);
		int idx = 0;
		for (k = 0; k < n; k++) {
			cJSON *res = cJSON_CreateObject();
			cJSON_AddItemToArray(results, res);
			const struct scan_in *inp = &items_in[k].in;
			int64_t at_s = items_in[k].at_s;
			const char *cid = items_in[k].cid;
			const char *err = items_in[k].err;
			size_t nferr = c->nferr;
			if (cid == NULL) {
				cJSON_AddNumberToObject(res, "index", idx++);
				cJSON_AddStringToObject(res, "status", "invalid");
				cJSON_AddStringToObject(res, "error", "CLIENT_ID_INVALID");
				continue;
			}
			cJSON_AddStringToObject(res, "client_id", cid);
			idx++;
			if (rc != DB_OK)
				break;
			/* A client id seen before answers with its first result. */
			static _Thread_local char stored[1100];
			enum db_rc src = scans_client_get(c->db, c->integrator_id, cid, stored, sizeof stored);
			if (src == DB_OK) {
				cJSON *prev = cJSON_Parse(stored);
				cJSON_AddStringToObject(res, "status", "duplicate");
				if (prev != NULL)
					cJSON_AddItemToObject(res, "result", prev);
				continue;
			}
			if (src != DB_NOROW) {
				rc = src;
				break;
			}
			int kind = 0, type = 0;
			if (err == NULL && (rc = integrator_checkpoint(c, inp->checkpoint, &kind, &type)) == DB_NOROW)
				err = "CHECKPOINT_NOT_ALLOWED";
			/* A statement that failed inside the transaction (a deadlock, a certification
			 * conflict, a lost connection) ended it: the whole batch starts again, never goes
			 * on with the items after it outside any transaction. */
			if (err == NULL && rc != DB_OK)
				break;
			rc = DB_OK;
			struct scan_out out;
			if (err == NULL) {
				struct code_check cc;
				check_code(c, inp->qr, at_s * 1000, &cc);
				enum err e =
				    decide(c, inp, &cc, inp->checkpoint, kind, type, at_s * 1000, NULL, &out, &rc);
				if (e == ERR_VALIDATION)
					err = "TEMPERATURE_REQUIRED";
				else if (e != ERR_OK && rc == DB_OK)
					err = "UNAVAILABLE";
				if (rc != DB_OK)
					break;
			}
			c->nferr = nferr;
			if (err != NULL) {
				cJSON_AddStringToObject(res, "status", "invalid");
				cJSON_AddStringToObject(res, "error", err);
				continue;
			}
			cJSON *a = answer(&out, now);
			char *text = cJSON_PrintUnformatted(a);
			rc = text != NULL ? scanq_insert(c->db, &out.row, 1) : DB_ERR;
			if (rc == DB_OK)
				rc = scans_client_insert(c->db, c->integrator_id, cid, out.row.id, text, now);
			cJSON_free(text);
			cJSON_AddStringToObject(res, "status", "recorded");
			cJSON_AddItemToObject(res, "result", a);
			if (rc != DB_OK)
				break;
		}
		if (rc == DB_OK)
			rc = db_commit(c->db);
		else
			db_rollback(c->db);
		if (rc == DB_OK) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "results", results);
			resp_json(c, 200, o);
			return ERR_OK;
		}
		cJSON_Delete(results);
		/* Two batches raced on a client id: the second pass finds it recorded. On Galera the
		 * race between two nodes ends as a certification conflict (DB_RETRY) at commit. */
		if (rc != DB_DUP && !db_txn_again(c->db, rc, attempt))
			return rc == DB_DOWN ? ERR_UNAVAILABLE : rc == DB_RETRY ? ERR_CONFLICT : ERR_INTERNAL;
	}
	return ERR_CONFLICT;
}
