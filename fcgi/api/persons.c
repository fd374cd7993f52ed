/* persons.c: what the handlers of persons share: the holder check of a request (over the store's
 * typed reads), the error a store result maps to, the delegation messages. */
#include "persons.h"
#include "clock.h"
#include "codes.h"
#include "conf.h"
#include "keys.h"
#include "log.h"
#include "platform.h"
#include "session.h"

#include <stdio.h>
#include <string.h>

#define NOTIFY_MAX 16

enum err persons_db_err(enum db_rc rc)
{
	return rc == DB_DOWN    ? ERR_UNAVAILABLE
	       : rc == DB_NOROW ? ERR_NOT_FOUND
	       : rc == DB_RETRY ? ERR_CONFLICT
				: ERR_INTERNAL;
}

enum err persons_txn_end(struct db *db, enum err e)
{
	enum db_rc rc;
	if (e == ERR_OK && (rc = db_commit(db)) != DB_OK)
		e = rc == DB_RETRY ? ERR_CONFLICT : ERR_UNAVAILABLE;
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

void persons_id_index(const struct keys *k, int id_type, const char *number, uint8_t out[32])
{
	person_id_index(k->index, (enum vid_doc)id_type, number, out);
}

enum err persons_load(struct call *c, struct person_row *r)
{
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN)
		return ERR_NOT_FOUND;
	enum db_rc rc = persons_of_holder(c->db, pid, c->account_id, r);
	return rc == DB_OK ? ERR_OK : persons_db_err(rc);
}

enum err persons_load_code(struct call *c, struct shown_code *v)
{
	struct person_row *r = &v->r;
	int64_t now = v->now = clock_now();
	/* The session, the holder's person and its code in one round trip (an AUTH_HOLDER route, whose
	 * token the router only parsed): a shown code asks every refresh_after_s. */
	if (!c->session_deferred)
		return ERR_INTERNAL;
	const char *pid = c->params[0];
	if (pid == NULL || strlen(pid) != PUBLIC_ID_LEN) {
		enum err e = session_authenticate(c); /* 401 before 404 */
		return e != ERR_OK ? e : ERR_NOT_FOUND;
	}
	struct holder_code hc;
	enum db_rc rc = persons_holder_code(c->db, pid, c->session_hash, now, now - c->conf->session_idle_s, &hc);
	enum err e = session_accept(c, rc, hc.account, hc.session_kind, hc.session_last, now);
	memset(r, 0, sizeof *r); /* a shown code needs only the person's id and code_ref */
	if (e != ERR_OK)
		return e;
	if (!hc.held)
		return ERR_NOT_FOUND;
	r->id = hc.person;
	r->code_ref = hc.code_ref;
	v->code = hc.code;
	rc = codes_read_loaded(c->db, c->conf, r->id, now, &v->code, &v->st);
	return rc == DB_OK ? ERR_OK : persons_db_err(rc);
}

static void send_one(struct call *c, const char *openid, const char *title, const char *person_name_m, const char *who,
		     const char *cmid)
{
	const struct pf_template t = {
		.touser = openid,
		.template_id = c->conf->template_delegation,
		.client_msg_id = cmid,
		.first = title,
		.keyword1 = person_name_m,
		.keyword2 = who,
		.remark = "Open the Health Code page to see every holder; remove anyone you do not know",
	};
	struct pf_resp r;
	enum pf_rc rc = platform_template_send(c->conf, c->db, &t, &r);
	if (rc != PF_OK)
		log_warn("a delegation notice was not sent: %s %ld", pf_rc_word(rc), rc == PF_ERRCODE ? r.errcode : 0L);
	pf_resp_free(&r);
}

void persons_notify(struct call *c, uint64_t person, uint64_t except, int pending, const char *person_name_m,
		    const char *delegate_name_m, const char *relationship, const char *cmid)
{
	/* Recipients are read first, then messaged: a cursor must not stay open across calls. */
	char openids[NOTIFY_MAX][PERSONS_OPENID_BUF];
	int n = 0;
	persons_openids(c->db, person, except, pending, openids, NOTIFY_MAX, &n);
	char who[200];
	snprintf(who, sizeof who, "%s (%s)", delegate_name_m, relationship);
	for (int i = 0; i < n; i++)
		send_one(c, openids[i], pending ? "Someone asks to hold your health code" : "A new holder joined",
			 person_name_m, who, cmid);
}
