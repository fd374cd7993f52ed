/* persons.h: what the handlers of persons and their codes share: the holder check, the error a
 * store result maps to, the messages that tell owners and holders about delegations. */
#ifndef HQR_PERSONS_H
#define HQR_PERSONS_H
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "person.h"
#include "req.h"
#include "store_persons.h"

/* The person c->params[0] if the caller holds it; ERR_NOT_FOUND otherwise (ids reveal nothing). */
enum err persons_load(struct call *c, struct person_row *r);
struct code_state;
struct code_status;
/* On an AUTH_HOLDER route: the session, the person {id} it holds and its code as of now
 * (converted to green if it is due), in one statement; 401, 404 as persons_load. Of r, only id
 * and code_ref are filled (the rest is zero). */
struct shown_code {
	struct person_row r;
	int64_t now; /* the clock the code was read at */
	struct code_state code;
	struct code_status st;
};
enum err persons_load_code(struct call *c, struct shown_code *v);
/* Holders of a person without an owner, and of a delegate's persons (held or waited for). */
#define PERSONS_HOLDERS_MAX  3
/* Refused relative applications an account may make in a local day. */
#define PERSONS_REFUSALS_MAX 10

struct keys;
/* The blind index of an ID (HMAC under the index key of its type byte and number). */
void persons_id_index(const struct keys *k, int id_type, const char *number, uint8_t out[32]);
/* Tells accounts by template message about a delegation (after its commit; failures are only
 * logged): to the owner of person (pending != 0), or to the holders of person but `except`. */
void persons_notify(struct call *c, uint64_t person, uint64_t except, int pending, const char *person_name_m,
		    const char *delegate_name_m, const char *relationship, const char *cmid);

/* The error a database result maps to (NOROW: 404, DOWN: 503, RETRY: 409, else 500). */
enum err persons_db_err(enum db_rc rc);
/* Ends a transaction a handler began: commits when e is ERR_OK (a failed commit is 409 on a
 * conflict, 503 otherwise), rolls back when it is not; returns the outcome. */
enum err persons_txn_end(struct db *db, enum err e);

#endif
