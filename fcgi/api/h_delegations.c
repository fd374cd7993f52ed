/* h_delegations.c: accountable delegates: the owner approves or refuses a pending delegation,
 * removes holders; the template messages that tell owners and holders who asked or joined. */
#include "auth.h"
#include "clock.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "persons.h"
#include "platform.h"
#include "resp.h"
#include "routes.h"
#include "valid.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_MAX 16

static void send_one(struct call *c, const char *openid, const char *title, const char *person_name_m,
		     const char *who, const char *cmid)
{
	char url[600];
	snprintf(url, sizeof url, "%s/", c->conf->public_url);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "touser", openid);
	cJSON_AddStringToObject(o, "template_id", c->conf->template_delegation);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "client_msg_id", cmid);
	cJSON *data = cJSON_AddObjectToObject(o, "data");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "first"), "value", title);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "keyword1"), "value", person_name_m);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "keyword2"), "value", who);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "remark"), "value",
				"Open the Health Code page to see every holder; remove anyone you do not know");
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (body == NULL)
		return;
	struct pf_resp r;
	enum pf_rc rc = platform_api_post(c->conf, c->db, "/cgi-bin/message/template/send", body, 1, &r);
	cJSON_free(body);
	if (rc != PF_OK)
		log_warn("a delegation notice was not sent: %s %ld", pf_rc_word(rc), rc == PF_ERRCODE ? r.errcode : 0L);
	pf_resp_free(&r);
}

void persons_notify(struct call *c, uint64_t person, uint64_t except, int pending, const char *person_name_m,
		    const char *delegate_name_m, const char *relationship, const char *cmid)
{
	/* Recipients are read first, then messaged: a cursor must not stay open across calls. */
	char openids[NOTIFY_MAX][72], cur[72];
	int n = 0;
	struct db_col cols[] = { DBC_TEXT(cur, sizeof cur), DBC_END };
	if (pending) {
		struct db_param p[] = { DBP_U64(&person), DBP_END };
		if (db_exec(c->db, STMT_OWNER_OPENID, p, cols) == DB_OK)
			memcpy(openids[n++], cur, sizeof cur);
	} else {
		struct db_param p[] = { DBP_U64(&person), DBP_U64(&except), DBP_END };
		if (db_query(c->db, STMT_HOLDER_OPENIDS, p, cols) == DB_OK)
			while (db_fetch(c->db) == DB_OK)
				if (n < NOTIFY_MAX)
					memcpy(openids[n++], cur, sizeof cur);
	}
	char who[200];
	snprintf(who, sizeof who, "%s (%s)", delegate_name_m, relationship);
	for (int i = 0; i < n; i++)
		send_one(c, openids[i], pending ? "Someone asks to hold your health code" : "A new holder joined",
			 person_name_m, who, cmid);
}

/* Approves (approve != 0) or refuses the delegation {id} of a person the caller owns. */
static enum err decide(struct call *c, int approve)
{
	uint64_t id = path_id_parse(c->params[0]);
	if (id == 0)
		return ERR_NOT_FOUND;
	int64_t now = clock_now();
	uint64_t person = 0, account = 0, delegate_person = 0;
	int32_t rel = 0, status = 0, count = 0;
	char pid[PUBLIC_ID_LEN + 8], dname[128];
	enum db_rc rc = db_begin(c->db);
	if (rc != DB_OK)
		return persons_db_err(rc);
	struct db_param p[] = { DBP_U64(&id), DBP_U64(&c->account_id), DBP_END };
	struct db_col cols[] = { DBC_U64(&person), DBC_U64(&account), DBC_U64(&delegate_person), DBC_I32(&rel),
				 DBC_I32(&status), DBC_TEXT(pid, sizeof pid), DBC_TEXT(dname, sizeof dname), DBC_END };
	rc = db_exec(c->db, STMT_DELEGATION_FOR_OWNER, p, cols);
	enum err e = ERR_OK;
	if (rc != DB_OK) {
		e = persons_db_err(rc); /* not a delegation of a person the caller owns: 404 */
	} else if (status != 0) {
		e = ERR_CONFLICT;
	} else if (approve) {
		/* The delegate's limit still holds (its pending delegation is one of its persons). */
		struct db_param dp[] = { DBP_U64(&account), DBP_U64(&account), DBP_END };
		struct db_col dc[] = { DBC_I32(&count), DBC_END };
		rc = db_exec(c->db, STMT_DELEGATE_COUNT, dp, dc);
		if (rc != DB_OK)
			e = persons_db_err(rc);
		else if (count > c->conf->delegation_limit)
			e = ERR_DELEGATION_LIMIT;
		if (e == ERR_OK) {
			int32_t role = 2;
			struct db_param hp[] = { DBP_U64(&account), DBP_U64(&person), DBP_I32(&role), DBP_I32(&rel),
						 DBP_I64(&now), DBP_U64(&delegate_person), DBP_END };
			rc = db_exec(c->db, STMT_HOLDER_INSERT, hp, NULL);
			if (rc != DB_OK && rc != DB_DUP)
				e = persons_db_err(rc);
		}
	}
	if (e == ERR_OK) {
		int32_t st = approve ? 1 : 2;
		struct db_param up[] = { DBP_I32(&st), DBP_I64(&now), DBP_U64(&id), DBP_END };
		rc = db_exec(c->db, STMT_DELEGATION_DECIDE, up, NULL);
		if (rc != DB_OK)
			e = persons_db_err(rc);
		else if (db_affected(c->db) != 1)
			e = ERR_CONFLICT;
	}
	/* A refused delegation counts against the delegate's day like a refused application: asking
	 * an owner again and again ends with the day's limit. */
	if (e == ERR_OK && !approve) {
		int32_t day = clock_local_day(now);
		struct db_param rp[] = { DBP_U64(&account), DBP_I32(&day), DBP_END };
		if ((rc = db_exec(c->db, STMT_REFUSAL_ADD, rp, NULL)) != DB_OK)
			e = persons_db_err(rc);
	}
	/* The audit row commits with the decision, or the decision does not happen. */
	if (e == ERR_OK && auth_audit_citizen(c, approve ? "delegation_approve" : "delegation_refuse", pid) != DB_OK)
		e = ERR_UNAVAILABLE;
	if (e == ERR_OK && (rc = db_commit(c->db)) != DB_OK)
		e = rc == DB_RETRY ? ERR_CONFLICT : ERR_UNAVAILABLE;
	if (e != ERR_OK) {
		db_rollback(c->db);
		return e;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(o, "delegation");
	cJSON_AddNumberToObject(d, "id", (double)id);
	cJSON_AddStringToObject(d, "status", approve ? "approved" : "refused");
	cJSON_AddStringToObject(d, "person_id", pid);
	cJSON_AddStringToObject(d, "name_masked", dname);
	cJSON_AddStringToObject(d, "relationship", persons_relationship_word(2, rel));
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_delegation_approve(struct call *c)
{
	return decide(c, 1);
}

enum err h_delegation_refuse(struct call *c)
{
	return decide(c, 0);
}

/* DELETE /api/v1/persons/{id}/holders/{holder_id}: the owner removes any other holder at any time
 * (a holder may also remove itself). */
enum err h_holder_remove(struct call *c)
{
	uint64_t hid = path_id_parse(c->params[1]);
	const char *pid = c->params[0];
	if (hid == 0 || pid == NULL || strlen(pid) != PUBLIC_ID_LEN)
		return ERR_NOT_FOUND;
	uint64_t account = 0, person = 0, owner = 0;
	int32_t role = 0;
	enum db_rc rc = db_begin(c->db);
	if (rc != DB_OK)
		return persons_db_err(rc);
	struct db_param p[] = { DBP_U64(&hid), DBP_TEXT(pid), DBP_END };
	struct db_col cols[] = { DBC_U64(&account), DBC_I32(&role), DBC_U64(&person), DBC_U64(&owner), DBC_END };
	rc = db_exec(c->db, STMT_HOLDER_FOR_REMOVAL, p, cols);
	enum err e = ERR_OK;
	if (rc != DB_OK)
		e = persons_db_err(rc);
	else if (owner != c->account_id && account != c->account_id)
		e = ERR_NOT_FOUND; /* neither the owner nor the holder itself: nothing to see */
	else if (account == owner)
		e = ERR_CONFLICT; /* the owner stays the owner */
	if (e == ERR_OK) {
		struct db_param dp[] = { DBP_U64(&hid), DBP_END };
		if ((rc = db_exec(c->db, STMT_HOLDER_DELETE, dp, NULL)) != DB_OK)
			e = persons_db_err(rc);
	}
	if (e == ERR_OK && auth_audit_citizen(c, account == c->account_id ? "holder_leave" : "holder_remove", pid) != DB_OK)
		e = ERR_UNAVAILABLE;
	if (e == ERR_OK && (rc = db_commit(c->db)) != DB_OK)
		e = rc == DB_RETRY ? ERR_CONFLICT : ERR_UNAVAILABLE;
	if (e != ERR_OK) {
		db_rollback(c->db);
		return e;
	}
	resp_raw(c, 204, "application/json; charset=utf-8", "", 0);
	return ERR_OK;
}
