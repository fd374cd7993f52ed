/* store_verifications.h: identity verifications (a face check through the platform) in the store:
 * started by an account, finished by the platform's callback, used up by a self application. The
 * name and number are sealed by the caller; the platform's verify_id is found by its SHA-256. */
#ifndef HQR_STORE_VERIFICATIONS_H
#define HQR_STORE_VERIFICATIONS_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "face.h"
#include "person.h"

#define VERIFS_NEXT_MAX 512 /* the page to return to */

/* The verifications account started since (unix seconds), and how many of them failed. */
enum db_rc verifs_count_since(struct db *db, uint64_t account, int64_t since, int32_t *count, int32_t *failed);
/* The account's openid (the platform's name for it); openid of 72 bytes. */
enum db_rc verifs_account_openid(struct db *db, uint64_t account, char openid[72]);

/* A verification as it is started: pending until expires. */
struct verif_new {
	const char *pid; /* its public id (the platform's out_seq_no) */
	uint64_t account;
	const uint8_t *id_index;      /* 32 bytes */
	const uint8_t *name_e, *id_e; /* sealed name and number */
	size_t name_n, id_n;
	const char *name_m;
	const uint8_t *verify_hash; /* SHA-256 of verify_id, 32 bytes */
	const char *verify_id, *next;
	int64_t now, expires;
};
enum db_rc verifs_insert(struct db *db, const struct verif_new *v);

/* A verification as the platform's callback finds it (by its verify_id's hash). */
struct verif_row {
	uint64_t id;
	int32_t status; /* 0 pending, 1 passed, 2 failed, 3 used, 4 being asked */
	int64_t expires;
	char pid[PUBLIC_ID_LEN + 8], verify_id[FACE_VERIFY_ID_MAX + 1], next[VERIFS_NEXT_MAX + 1], openid[72];
	uint8_t name_e[256], id_e[128];
	size_t name_n, id_n;
};
enum db_rc verifs_by_hash(struct db *db, const uint8_t verify_hash[32], struct verif_row *out);
/* Claims the pending verification id for one callback to ask the platform; DB_NOROW when another
 * claimed it (or it is pending no more). */
enum db_rc verifs_claim(struct db *db, uint64_t id);
/* Ends the claim: status (0 pending again: ret is not stored), the platform's ret, until expires. */
enum db_rc verifs_done(struct db *db, uint64_t id, int32_t status, int32_t ret, int64_t expires);

/* A verification as its account sees it. */
struct verif_state {
	int32_t status, ret;
	int has_ret; /* the platform answered */
	int64_t expires;
	char name_m[128];
};
/* The verification pid of account; DB_NOROW when there is none (or another account's). */
enum db_rc verifs_get(struct db *db, const char *pid, uint64_t account, struct verif_state *out);

/* A verification as an application uses it, locked. */
struct verif_for_app {
	uint64_t id;
	int32_t status; /* 1 passed, 3 used, else not passed */
	int64_t expires;
	uint8_t idx[32];
	size_t idx_n;
	uint8_t name_e[256];
	size_t name_n;
};
/* The verification vid of account; DB_NOROW when there is none. */
enum db_rc verifs_for_app(struct db *db, const char *vid, uint64_t account, struct verif_for_app *out);
/* Uses the verification id up; DB_NOROW when it was not passed and unused any more. */
enum db_rc verifs_use(struct db *db, uint64_t id, int64_t now);

#endif
