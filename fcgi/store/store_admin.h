/* store_admin.h: what staff and `hqrctl` make, revoke and read in the store: checkpoints, devices
 * (their bearer tokens stored as SHA-256), staff tokens, residents, integrators, the high-risk
 * areas; persons as officers find them, their history, a case's contacts, the audit log. The API's
 * staff routes and the command line call these, so each statement is bound once; the caller
 * validates, makes the token and, on the API, its audit row shares the transaction (the router's). */
#ifndef HQR_STORE_ADMIN_H
#define HQR_STORE_ADMIN_H
#include <stdint.h>

#include "db.h"
#include "label.h"
#include "person.h"

/* A checkpoint as STMT_CHECKPOINT_GET reads it. */
struct checkpoint_row {
	int32_t kind, type; /* enum verdict_cp_kind, verdict_cp_type */
	char name[LABEL_BUF], district[LABEL_BUF], created[32];
};

/* Makes a checkpoint (kind, type, name and district validated by the caller); *id its id (0 on
 * failure). */
enum db_rc checkpoint_create(struct db *db, int32_t kind, int32_t type, const char *name, const char *district,
			     int64_t now, uint64_t *id);
/* The checkpoint id; DB_NOROW when there is none. */
enum db_rc checkpoint_get(struct db *db, uint64_t id, struct checkpoint_row *r);

/* Makes a device of checkpoint cp (which the caller found) with its token's SHA-256; *id its id
 * (0 on failure). */
enum db_rc device_create(struct db *db, uint64_t cp, const uint8_t hash[32], int64_t now, uint64_t *id);
/* Revokes the device id. DB_NOROW: unknown or revoked already. */
enum db_rc device_revoke(struct db *db, uint64_t id, int64_t now);
/* The unrevoked device whose token has SHA-256 hash: its id and checkpoint. DB_NOROW: none. */
enum db_rc device_by_token(struct db *db, const uint8_t hash[32], uint64_t *id, uint64_t *cp);

/* Makes a staff token (enum admin_role role) for name with its SHA-256. */
enum db_rc staff_create(struct db *db, int32_t role, const char *name, const uint8_t hash[32], int64_t now);
/* Revokes every active token of name; *n how many. DB_NOROW: none was active. */
enum db_rc staff_revoke(struct db *db, const char *name, int64_t now, uint64_t *n);

/* The internal id of the person with public id pid; DB_NOROW when there is none. */
enum db_rc person_id_by_public(struct db *db, const char *pid, uint64_t *id);
/* Makes person a resident of checkpoint cp; *added 0 when it was already. */
enum db_rc resident_add(struct db *db, uint64_t cp, uint64_t person, int64_t now, int *added);

/* The active staff token with SHA-256 hash: its id, name (name of cap bytes) and role. */
enum db_rc staff_by_token(struct db *db, const uint8_t hash[32], uint64_t *id, char *name, size_t cap, int32_t *role);
/* An audit row: who (actor, role) did action to target (NULL: none) in request request_id. */
enum db_rc audit_insert(struct db *db, const char *actor, const char *role, const char *action, const char *target,
			const char *request_id, int64_t now);
/* The active integrator with key_id: its id and sealed secret (enc of cap bytes, *n of them). */
enum db_rc integrator_by_key(struct db *db, const char *key_id, uint64_t *id, uint8_t *enc, size_t cap, size_t *n);
/* Spends an integrator's nonce; DB_DUP: it was used already. */
enum db_rc integrator_nonce(struct db *db, uint64_t integrator, const char *nonce, int64_t now);

/* The checkpoint named name; DB_NOROW when there is none (the demo's seeding). */
enum db_rc checkpoint_by_name(struct db *db, const char *name, uint64_t *id);

/* Checkpoints in id order, at most limit from offset, each passed to fn (which must not use db). */
struct checkpoint_item {
	uint64_t id;
	int32_t kind, type;
	char name[LABEL_BUF], district[LABEL_BUF];
};
enum db_rc checkpoints_list(struct db *db, int32_t limit, int32_t offset,
			    void (*fn)(const struct checkpoint_item *cp, void *arg), void *arg);

/* Makes an integrator (its secret sealed, enc of n bytes) allowed at the ncp checkpoints cps, in one
 * transaction (run again after a deadlock). DB_DUP: the name or key id exists. */
enum db_rc integrator_create(struct db *db, const char *name, const char *key_id, const uint8_t *enc, size_t n,
			     const uint64_t *cps, int ncp, int64_t now);
/* Revokes the integrator key key_id. DB_NOROW: no active key. */
enum db_rc integrator_revoke(struct db *db, const char *key_id, int64_t now);

/* The high-risk areas in name order, each passed to fn (which must not use db). */
enum db_rc risk_areas_each(struct db *db, void (*fn)(const char *city, void *arg), void *arg);
/* Replaces the list with the n cities (validated by the caller; a repeated one kept once) in one
 * transaction, run again after a deadlock. */
enum db_rc risk_areas_replace(struct db *db, const char *const *cities, size_t n, int64_t now);

/* A person as an officer finds it: its masked details and its code as stored. */
struct person_admin {
	uint64_t id;
	int32_t id_type, color;
	char pid[PUBLIC_ID_LEN + 2], name_m[128], id_m[48], phone_m[16], reason[48], since[32];
};
/* The person with blind index idx, or with public id pid; DB_NOROW when there is none. */
enum db_rc admin_person_by_index(struct db *db, const uint8_t idx[32], struct person_admin *out);
enum db_rc admin_person_by_public(struct db *db, const char *pid, struct person_admin *out);

/* A change of a person's code, newest first (at most 500). */
struct code_event_row {
	int32_t from, to; /* enum rules_color */
	char reason[48], actor_kind[24], actor[LABEL_BUF], at[32];
};
enum db_rc admin_person_events(struct db *db, uint64_t person, void (*fn)(const struct code_event_row *e, void *arg),
			       void *arg);
/* A scan of a person, newest first (at most 500). */
struct person_scan_row {
	uint64_t id, checkpoint;
	int32_t direction, verdict;
	uint32_t reasons;
	char at[40], checkpoint_name[LABEL_BUF], source[16]; /* source: device, integrator, place */
};
enum db_rc admin_person_scans(struct db *db, uint64_t person, void (*fn)(const struct person_scan_row *s, void *arg),
			      void *arg);

/* A case's entry: a scan in of the person in [from, to) (local days lo..hi), at most 500. */
struct trace_entry {
	uint64_t checkpoint;
	char name[LABEL_BUF], t[40], at[32]; /* t: the scan's time as the contacts' query takes it */
};
enum db_rc admin_trace_case(struct db *db, uint64_t person, int64_t from, int64_t to, int32_t lo, int32_t hi,
			    void (*fn)(const struct trace_entry *e, void *arg), void *arg);
/* Another person's scan in at e's checkpoint within window minutes of it (local days lo..hi),
 * at most 1000. */
struct trace_contact {
	uint64_t person;
	char pid[PUBLIC_ID_LEN + 2], name_m[128], id_m[48], at[32];
};
enum db_rc admin_trace_at(struct db *db, const struct trace_entry *e, int32_t window, int32_t lo, int32_t hi,
			  uint64_t person, void (*fn)(const struct trace_contact *x, void *arg), void *arg);

/* Audit rows with ids below before, newest first, at most limit. */
struct audit_row {
	uint64_t id;
	char actor[LABEL_BUF], role[24], action[64], target[LABEL_BUF], request_id[72], at[32]; /* target "": none */
};
enum db_rc admin_audit_list(struct db *db, uint64_t before, int32_t limit,
			    void (*fn)(const struct audit_row *r, void *arg), void *arg);

#endif
