/* store_places.h: place codes in the store (DESIGN §11): made, read, listed and revoked by
 * operators; looked up by a poster's token or a door screen; the persons an account brings to a
 * check-in, and check-ins looked up and counted in groups (scanq.c). */
#ifndef HQR_STORE_PLACES_H
#define HQR_STORE_PLACES_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "place.h"

#define PLACES_LABEL_BUF   401 /* 100 code points of UTF-8 and a NUL */
#define PLACES_PERSONS_MAX 64  /* persons one account may bring (STMT_PLACE_PERSONS LIMIT) */

/* A place code as a check-in sees it. */
struct place {
	uint64_t id, checkpoint;
	uint64_t display_id;      /* the door screen it was reached through; 0: the poster */
	int32_t revoked;          /* the place code (or the screen) was revoked */
	int32_t cp_kind, cp_type; /* enum verdict_cp_kind, verdict_cp_type */
	char label[PLACES_LABEL_BUF], name[PLACES_LABEL_BUF];
};

/* A place code as an operator sees it, with its token opened (empty when it cannot be). */
struct place_code {
	uint64_t id, checkpoint;
	int32_t revoked, cp_kind, cp_type;
	char label[PLACES_LABEL_BUF], name[PLACES_LABEL_BUF], district[PLACES_LABEL_BUF];
	char created[32];
	char token[PLACE_TOKEN_SIZE];
};

/* Makes a place code for checkpoint with label (validated by the caller): a fresh poster token,
 * stored as its SHA-256 and sealed under data_key. Fills out (token included). The caller
 * checks first that the checkpoint exists. */
enum db_rc places_create(struct db *db, const uint8_t data_key[32], uint64_t checkpoint, const char *label, int64_t now,
			 struct place_code *out);
/* The place code id, its token opened. */
enum db_rc places_get(struct db *db, const uint8_t data_key[32], uint64_t id, struct place_code *out);
/* Place codes of checkpoint (0: all) with ids above after, at most limit (1..200), in id order:
 * each is passed to fn (which must not use db). */
enum db_rc places_list(struct db *db, const uint8_t data_key[32], uint64_t checkpoint, uint64_t after, int32_t limit,
		       void (*fn)(const struct place_code *pc, void *arg), void *arg);
/* Revokes the place code id (its screens with it). DB_NOROW: unknown or revoked already. */
enum db_rc places_revoke(struct db *db, uint64_t id, int64_t now);
/* A door screen for place code id: a fresh bearer token (AUTH_TOKEN_LEN + 1 bytes, stored hashed)
 * and its id. The caller checks first that the place code exists. */
enum db_rc places_display_create(struct db *db, uint64_t place_code, int64_t now, char *token, uint64_t *id);

/* The place of a parsed /p/{token}: a poster's by its token's hash, a screen's by its id (the
 * caller checks the screen token's mac and freshness). DB_NOROW: no such place code. */
enum db_rc places_by_token(struct db *db, const char *text, const struct place_token *t, struct place *out);
/* The place of a door screen's bearer token (its SHA-256). */
enum db_rc places_by_display_token(struct db *db, const uint8_t hash[32], struct place *out);

/* One person an account holds, with its code, its residency at the place's checkpoint, and its
 * latest check-in there (when asked). */
struct place_person {
	uint64_t id;
	char public_id[24], name_m[128], id_m[48];
	int32_t role, relationship, color, resident;
	int has_prev; /* a check-in through the place code in the direction since since_ms */
	uint64_t prev_scan;
	int32_t prev_verdict;
	uint32_t prev_reasons;
};
/* The persons account holds (its own first), at most PLACES_PERSONS_MAX, with their latest
 * check-in through place_code (0: none asked) in direction at or after since_ms; returns how many
 * were written into out, or -1 with *rc set on a database error. */
int places_persons(struct db *db, uint64_t account, uint64_t checkpoint, uint64_t place_code, int32_t direction,
		   int64_t since_ms, int64_t now, struct place_person *out, enum db_rc *rc);

/* ---- check-ins, looked up in groups by the scans' committer (scanq.c) ---- */

#define PLACES_REPEAT_MS (5 * 60 * 1000) /* the same person, place and direction: the earlier answer */
#define PLACES_ASK_MAX   16              /* persons in one check-in (SCANQ_ROWS_MAX) */

/* One person a check-in asks for (public_id, given), and what the lookup found. */
struct place_ask {
	char public_id[24];
	int held; /* the session's account holds the person, who has a code */
	uint64_t person;
	char name_m[128], id_m[48];
	int32_t color, resident;
};

/* A resident's check-in as the committer looks it up: the session (by its hash and the kind the
 * request claims), the place (a poster's token hash, or a door screen's id) and the persons asked
 * (none: the session and place only). The lookup fills the rest. */
struct place_checkin {
	uint8_t session_hash[32];
	int32_t session_kind;
	int poster; /* token_hash names the place code; else display_id does */
	uint8_t token_hash[32];
	uint64_t display_id;
	int64_t now, idle_after; /* unix seconds: the session must not have expired, nor idled since */
	int count;               /* counts against the account's minute (once the session and place hold) */
	int nask;
	struct place_ask ask[PLACES_ASK_MAX];
	/* filled by places_checkin_lookup */
	int session_found; /* an unexpired, not idle session of the claimed kind */
	uint64_t account;
	int64_t session_last; /* unix seconds the session was last used */
	struct place place;   /* place.id 0: no such place code */
	/* set by places_checkin_count, for a counted check-in */
	int32_t minute_count; /* this check-in's number in its account's minute (this host's) */
};

/* Looks up n check-ins at once on db, in statements of up to 32 persons asked. */
enum db_rc places_checkin_lookup(struct db *db, struct place_checkin *const *cs, size_t n);
/* Counts a looked-up check-in that asks to be counted, whose session and live place were found,
 * against its account's minute of now, setting its minute_count: counts shared by this host's
 * workers (tally.h), no database. */
void places_checkin_count(struct place_checkin *pc, int64_t now);

#endif
