/* h_delegations.c: accountable delegates: the owner approves or refuses a pending delegation,
 * removes holders (the messages that tell owners and holders who asked or joined: persons.c). */
#include "auth.h"
#include "clock.h"
#include "conf.h"
#include "persons.h"
#include "resp.h"
#include "routes.h"
#include "valid.h"

#include <cjson/cJSON.h>
#include <string.h>

/* Approves (approve != 0) or refuses the delegation {id} of a person the caller owns. */
static enum err decide(struct call *c, int approve)
{
	uint64_t id = path_id_parse(c->params[0]);
	if (id == 0)
		return ERR_NOT_FOUND;
	int64_t now = clock_now();
	int32_t count = 0;
	struct delegation_row d;
	enum db_rc rc = db_begin(c->db);
	if (rc != DB_OK)
		return persons_db_err(rc);
	rc = persons_delegation_for_owner(c->db, id, c->account_id, &d);
	enum err e = ERR_OK;
	if (rc != DB_OK) {
		e = persons_db_err(rc); /* not a delegation of a person the caller owns: 404 */
	} else if (d.status != 0) {
		e = ERR_CONFLICT;
	} else if (approve) {
		/* The delegate's limit still holds (its pending delegation is one of its persons). */
		rc = persons_delegate_count(c->db, d.account, &count);
		if (rc != DB_OK)
			e = persons_db_err(rc);
		else if (count > c->conf->delegation_limit)
			e = ERR_DELEGATION_LIMIT;
		if (e == ERR_OK) {
			rc = persons_holder_insert(c->db, d.account, d.person, 2, d.relationship, d.delegate_person,
						   now);
			if (rc != DB_OK && rc != DB_DUP)
				e = persons_db_err(rc);
		}
	}
	if (e == ERR_OK) {
		rc = persons_delegation_decide(c->db, id, approve ? 1 : 2, now);
		if (rc != DB_OK)
			e = rc == DB_NOROW ? ERR_CONFLICT : persons_db_err(rc);
	}
	/* A refused delegation counts against the delegate's day like a refused application: asking
	 * an owner again and again ends with the day's limit. */
	if (e == ERR_OK && !approve && (rc = persons_refusal_add(c->db, d.account, clock_local_day(now))) != DB_OK)
		e = persons_db_err(rc);
	/* The audit row commits with the decision, or the decision does not happen. */
	if (e == ERR_OK && auth_audit_citizen(c, approve ? "delegation_approve" : "delegation_refuse", d.pid) != DB_OK)
		e = ERR_UNAVAILABLE;
	if ((e = persons_txn_end(c->db, e)) != ERR_OK)
		return e;
	cJSON *o = cJSON_CreateObject();
	cJSON *dj = cJSON_AddObjectToObject(o, "delegation");
	cJSON_AddNumberToObject(dj, "id", (double)id);
	cJSON_AddStringToObject(dj, "status", approve ? "approved" : "refused");
	cJSON_AddStringToObject(dj, "person_id", d.pid);
	cJSON_AddStringToObject(dj, "name_masked", d.delegate_name_m);
	cJSON_AddStringToObject(dj, "relationship", person_relationship_word(2, d.relationship));
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
	struct holder_removal h;
	enum db_rc rc = db_begin(c->db);
	if (rc != DB_OK)
		return persons_db_err(rc);
	rc = persons_holder_for_removal(c->db, hid, pid, &h);
	enum err e = ERR_OK;
	if (rc != DB_OK)
		e = persons_db_err(rc);
	else if (h.owner != c->account_id && h.account != c->account_id)
		e = ERR_NOT_FOUND; /* neither the owner nor the holder itself: nothing to see */
	else if (h.account == h.owner)
		e = ERR_CONFLICT; /* the owner stays the owner */
	if (e == ERR_OK && (rc = persons_holder_delete(c->db, hid)) != DB_OK)
		e = persons_db_err(rc);
	if (e == ERR_OK &&
	    auth_audit_citizen(c, h.account == c->account_id ? "holder_leave" : "holder_remove", pid) != DB_OK)
		e = ERR_UNAVAILABLE;
	if ((e = persons_txn_end(c->db, e)) != ERR_OK)
		return e;
	resp_raw(c, 204, "application/json; charset=utf-8", "", 0);
	return ERR_OK;
}
