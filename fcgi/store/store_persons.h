/* store_persons.h: persons, their holders and delegations, an account's limits and idempotent
 * answers in the store: typed functions over their statements of db_stmts.c. The caller validates,
 * seals and decides; these bind and read the columns, in the caller's transaction when it has one. */
#ifndef HQR_STORE_PERSONS_H
#define HQR_STORE_PERSONS_H
#include <stddef.h>
#include <stdint.h>

#include "codes.h"
#include "db.h"
#include "person.h"

struct arena;

/* A person as one of its holders sees it (STMT_PERSON_OF_HOLDER). */
struct person_row {
	uint64_t id;
	int32_t id_type, role, relationship, photo_type;
	uint32_t paper_serial;
	uint64_t code_ref;
	uint64_t submitted_by; /* the account whose details (photo, phone) the person shows */
	uint64_t owner;        /* the verified owner's account, 0 when none */
	char name_m[128], id_m[48], phone_m[16], since[32], photo_file[64];
};
/* The person with public id pid if account holds it; DB_NOROW otherwise. */
enum db_rc persons_of_holder(struct db *db, const char *pid, uint64_t account, struct person_row *r);

/* A shown code's one read: the session by its hash, the person pid its account holds, the code. */
struct holder_code {
	int session_found; /* a live session: account, kind and last_seen are set */
	uint64_t account;
	int32_t session_kind;
	int64_t session_last; /* unix seconds the session was last used */
	int held;             /* the session's account holds pid, which has a code */
	uint64_t person, code_ref;
	struct code_state code;
};
/* The session whose token hashes to session_hash (unexpired at now, used after idle_after), the
 * person pid and its code in one statement. DB_OK also when the session holds no such person
 * (held 0); DB_NOROW when there is no live session. */
enum db_rc persons_holder_code(struct db *db, const char *pid, const uint8_t session_hash[32], int64_t now,
			       int64_t idle_after, struct holder_code *out);

/* A person's details as stored: its public id, blind index and code reference, the masked
 * details shown and the sealed ones (each sealed under its field and the public id). */
struct person_details {
	char pid[PUBLIC_ID_LEN + 1];
	uint8_t id_index[32];
	char name_m[128], id_m[48], phone_m[16];
	uint8_t name_e[256], id_e[128], phone_e[64], addr_e[1024];
	int name_n, id_n, phone_n, addr_n;
	uint64_t code_ref;
};
/* Makes a person of id_type with d, its photo file (photo_type 1 PNG, 2 JPEG), owned by owner (0:
 * none) and submitted by account; *id its id. DB_DUP: the public id or the blind index exists. */
enum db_rc persons_insert(struct db *db, const struct person_details *d, int32_t id_type, const char *photo_file,
			  int32_t photo_type, uint64_t owner, uint64_t account, int64_t now, uint64_t *id);
/* The verified account takes over person: owner and submitter, d's details and the photo
 * replace the stored ones. DB_DUP: the account owns another person; DB_NOROW: no row changed. */
enum db_rc persons_takeover(struct db *db, uint64_t person, uint64_t account, const struct person_details *d,
			    const char *photo_file, int32_t photo_type);

/* A new paper serial for person (every earlier paper code stops working); *serial the new one. */
enum db_rc persons_paper_reissue(struct db *db, uint64_t person, uint64_t *serial);

/* The person with blind index idx, locked for the caller's transaction. */
struct person_found {
	uint64_t id, owner; /* owner 0: none */
	char pid[PUBLIC_ID_LEN + 8], photo_file[64];
	uint8_t name_e[256];
	size_t name_n; /* the sealed name's length */
};
enum db_rc persons_by_index(struct db *db, const uint8_t idx[32], struct person_found *out);

/* Locks the account's row for the caller's transaction. */
enum db_rc persons_account_lock(struct db *db, uint64_t account);
/* The person the account holds as self. */
enum db_rc persons_self_of_account(struct db *db, uint64_t account, uint64_t *person);
/* The account that holds person as self. */
enum db_rc persons_self_of_person(struct db *db, uint64_t person, uint64_t *account);
/* The verified person account owns and its masked name (name_m of 128 bytes). */
enum db_rc persons_owned(struct db *db, uint64_t account, uint64_t *person, char name_m[128]);
/* The role account holds person in; DB_NOROW when it does not. */
enum db_rc persons_holder_role(struct db *db, uint64_t account, uint64_t person, int32_t *role);
/* How many accounts hold person. */
enum db_rc persons_holder_count(struct db *db, uint64_t person, int32_t *n);
/* A delegate's persons: those it holds (role 2) and those it waits for. */
enum db_rc persons_delegate_count(struct db *db, uint64_t account, int32_t *n);

/* account holds person as role (1 self, 2 a relative with relationship, through its verified
 * delegate_person, 0: none). DB_DUP: it does already (or another account is its self). */
enum db_rc persons_holder_insert(struct db *db, uint64_t account, uint64_t person, int32_t role, int32_t relationship,
				 uint64_t delegate_person, int64_t now);
/* A takeover: the former self holder of person (not account) becomes a relative holder. */
enum db_rc persons_self_demote(struct db *db, uint64_t person, uint64_t account);
/* A takeover: account's holder row of person becomes its self; *made 0 when it had none. */
enum db_rc persons_holder_make_self(struct db *db, uint64_t account, uint64_t person, int *made);

/* Refused relative applications of account on a local day (DB_NOROW: none); one more. */
enum db_rc persons_refusals(struct db *db, uint64_t account, int32_t day, int32_t *n);
enum db_rc persons_refusal_add(struct db *db, uint64_t account, int32_t day);

/* The pending delegation of account for person; DB_NOROW when there is none. */
enum db_rc persons_delegation_pending(struct db *db, uint64_t person, uint64_t account, uint64_t *id);
/* Makes a pending delegation of account (through its verified delegate_person) for person. */
enum db_rc persons_delegation_insert(struct db *db, uint64_t person, uint64_t account, uint64_t delegate_person,
				     int32_t relationship, int64_t now, uint64_t *id);
/* A delegation as the owner of its person decides it (STMT_DELEGATION_FOR_OWNER). */
struct delegation_row {
	uint64_t person, account, delegate_person;
	int32_t relationship, status; /* status 0 pending, 1 approved, 2 refused */
	char pid[PUBLIC_ID_LEN + 8], delegate_name_m[128];
};
/* The delegation id of a person owner owns, locked; DB_NOROW when there is none. */
enum db_rc persons_delegation_for_owner(struct db *db, uint64_t id, uint64_t owner, struct delegation_row *out);
/* Decides the pending delegation id (status 1 or 2); DB_NOROW when it is pending no more. */
enum db_rc persons_delegation_decide(struct db *db, uint64_t id, int32_t status, int64_t now);

/* A holder row hid of the person pid, as its removal checks it. */
struct holder_removal {
	uint64_t account, person, owner; /* owner 0: none */
	int32_t role;
};
enum db_rc persons_holder_for_removal(struct db *db, uint64_t hid, const char *pid, struct holder_removal *out);
enum db_rc persons_holder_delete(struct db *db, uint64_t hid);

/* A declaration's row: its travel sealed, what it said and what it called for. */
struct declaration_row {
	uint64_t person, account;
	const uint8_t *travel_e;
	size_t travel_n;
	uint32_t symptoms;
	int has_temperature;
	int32_t temperature_tenths, contact, color;
	const char *reason;
};
enum db_rc persons_declaration_insert(struct db *db, const struct declaration_row *d, int64_t now);

/* A health report of person for a local day (filed by account); DB_DUP: the day has one. */
enum db_rc persons_report_insert(struct db *db, uint64_t person, int32_t day, uint64_t account, uint32_t symptoms,
				 int32_t temperature_tenths, int64_t now);
/* A person's reports, newest day first (at most 60), each passed to fn (which must not use db). */
struct report_row {
	int32_t day, temperature_tenths;
	uint32_t symptoms;
	char at[32]; /* when it was filed */
};
enum db_rc persons_reports(struct db *db, uint64_t person, void (*fn)(const struct report_row *r, void *arg),
			   void *arg);

/* The first answer of account's request with Idempotency-Key key: its status and body (at most
 * cap bytes, *len of them). DB_NOROW when there is none. */
enum db_rc persons_idem_get(struct db *db, uint64_t account, const char *key, int32_t *status, char *body, size_t cap,
			    size_t *len);
/* Keeps the answer; DB_DUP when the key has one already. */
enum db_rc persons_idem_put(struct db *db, uint64_t account, const char *key, int32_t status, const char *body,
			    size_t len, int64_t now);

/* The high-risk area list (at most RISK_AREAS_MAX cities), copied into the arena. */
enum db_rc persons_risk_areas(struct db *db, struct arena *a, const char ***out, size_t *n);

/* An account: when it was made ("...Z") and whether a unionid is bound. */
enum db_rc persons_account(struct db *db, uint64_t account, char since[32], int32_t *has_union);

/* One person of an account's list (STMT_PERSONS_OF_ACCOUNT). */
struct account_person {
	char pid[PUBLIC_ID_LEN + 8], name_m[128];
	int32_t role, relationship, color, owner;
	uint64_t id;
};
/* The persons account holds (at most 64), each passed to fn (which must not use db). */
enum db_rc persons_of_account(struct db *db, uint64_t account, void (*fn)(const struct account_person *p, void *arg),
			      void *arg);

/* A holder of a person, or a delegation waiting for its owner, as the owner sees them. */
struct person_holder {
	uint64_t id; /* the holder's, or the delegation's */
	int32_t role, relationship, mine;
	char name_m[128], since[32];
};
/* The holders of person (mine: the row of account), each passed to fn (which must not use db). */
enum db_rc persons_holders(struct db *db, uint64_t account, uint64_t person,
			   void (*fn)(const struct person_holder *h, void *arg), void *arg);
/* The pending delegations of person (role 2), each passed to fn (which must not use db). */
enum db_rc persons_pending(struct db *db, uint64_t person, void (*fn)(const struct person_holder *h, void *arg),
			   void *arg);

/* Whom to tell about person: its owner (owner_only), or its holders but the account except; at
 * most max openids into out, *n of them. */
#define PERSONS_OPENID_BUF 72
enum db_rc persons_openids(struct db *db, uint64_t person, uint64_t except, int owner_only,
			   char (*out)[PERSONS_OPENID_BUF], int max, int *n);

#endif
