/* store_admin.h: what staff and `hqrctl` make and revoke in the store: checkpoints, devices (their
 * bearer tokens stored as SHA-256), staff tokens and residents. The API's operator routes and the
 * command line call these, so each write exists once; the caller validates, makes the token and,
 * on the API, its audit row shares the transaction (the router's). */
#ifndef HQR_STORE_ADMIN_H
#define HQR_STORE_ADMIN_H
#include <stdint.h>

#include "db.h"
#include "label.h"

/* A checkpoint as STMT_CHECKPOINT_GET reads it. */
struct checkpoint_row {
	int32_t kind, type;          /* enum verdict_cp_kind, verdict_cp_type */
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

/* Makes a staff token (enum admin_role role) for name with its SHA-256. */
enum db_rc staff_create(struct db *db, int32_t role, const char *name, const uint8_t hash[32], int64_t now);
/* Revokes every active token of name; *n how many. DB_NOROW: none was active. */
enum db_rc staff_revoke(struct db *db, const char *name, int64_t now, uint64_t *n);

/* The internal id of the person with public id pid; DB_NOROW when there is none. */
enum db_rc person_id_by_public(struct db *db, const char *pid, uint64_t *id);
/* Makes person a resident of checkpoint cp; *added 0 when it was already. */
enum db_rc resident_add(struct db *db, uint64_t cp, uint64_t person, int64_t now, int *added);

#endif
