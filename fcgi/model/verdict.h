/* verdict.h: a scan's verdict at a checkpoint (DESIGN §6) as one pure function, and its words. */
#ifndef HQR_VERDICT_H
#define HQR_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h" /* enum rules_color: the one color vocabulary */

/* The answer. Words ("allow", "deny", "register") are stable. VERDICT_NEED_TEMPERATURE is
 * not an answer: the request lacked a temperature for an entry and the caller replies 422. */
enum verdict { VERDICT_ALLOW = 0, VERDICT_DENY, VERDICT_REGISTER, VERDICT_NEED_TEMPERATURE, VERDICT__MAX };

/* What the caller found out about the scanned text (token_parse, token_check_mac, the
 * store and token_phone_fresh / the paper serial), before the verdict. */
enum verdict_token {
	VERDICT_TOKEN_OK = 0,     /* parsed, mac right, person known, fresh / current */
	VERDICT_TOKEN_UNPARSABLE, /* token_parse failed */
	VERDICT_TOKEN_BAD_MAC,
	VERDICT_TOKEN_UNKNOWN_PERSON,    /* no person with that code_ref */
	VERDICT_TOKEN_STALE,             /* phone token older than dynamic_ttl_s */
	VERDICT_TOKEN_FUTURE,            /* phone token more than 30 s in the future */
	VERDICT_TOKEN_SUPERSEDED_SERIAL, /* paper serial older than the person's current one */
	VERDICT_TOKEN__MAX
};

/* The token's kind, with the values of its kind byte; NONE when it did not parse. */
enum verdict_kind { VERDICT_KIND_NONE = 0, VERDICT_KIND_PHONE = 1, VERDICT_KIND_PAPER = 2 };

enum verdict_direction { VERDICT_DIR_IN = 0, VERDICT_DIR_OUT, VERDICT_DIR__MAX };

enum verdict_cp_kind {
	VERDICT_CP_COMMUNITY = 0, /* "community": a residential community */
	VERDICT_CP_PUBLIC_PLACE,  /* "public_place" */
	VERDICT_CP_TRANSPORT,     /* "transport" */
	VERDICT_CP__MAX
};

/* Checkpoint types of DESIGN §1; words are stable (the checkpoints table stores them). */
enum verdict_cp_type {
	VERDICT_CPT_COMMUNITY = 0, /* community */
	VERDICT_CPT_SCHOOL,        /* public places */
	VERDICT_CPT_HOSPITAL,
	VERDICT_CPT_AIRPORT,
	VERDICT_CPT_STATION,
	VERDICT_CPT_MALL,
	VERDICT_CPT_SUPERMARKET,
	VERDICT_CPT_MARKET,
	VERDICT_CPT_ATTRACTION,
	VERDICT_CPT_HOTEL,
	VERDICT_CPT_BANK,
	VERDICT_CPT_BUS, /* transport */
	VERDICT_CPT_SUBWAY,
	VERDICT_CPT_TOURIST_LINE,
	VERDICT_CPT_COACH,
	VERDICT_CPT_TAXI,
	VERDICT_CPT_RIDE_HAILING,
	VERDICT_CPT__MAX
};

/* Reasons, listed in the answer in this order. Words are stable (verdict_reason_word). */
enum verdict_reason {
	VERDICT_REASON_NO_VALID_CODE = 0,
	VERDICT_REASON_EXPIRED_CODE,
	VERDICT_REASON_RED_CODE,
	VERDICT_REASON_FEVER,
	VERDICT_REASON_VISITOR_REGISTRATION,
	VERDICT_REASON__MAX
};
#define VERDICT_REASON_BIT(r) (1u << (unsigned)(r))

/* What staff must check by hand. */
enum verdict_check {
	VERDICT_CHECK_ID_DOCUMENT = 0, /* compare the masked name and ID with the ID card */
	VERDICT_CHECK_TEMPERATURE,     /* measure the temperature at the door: a place code's
	                                 * check-in carries none (DESIGN §11) */
	VERDICT_CHECK__MAX
};
#define VERDICT_CHECK_BIT(c) (1u << (unsigned)(c))

struct verdict_in {
	enum verdict_token token;
	enum verdict_kind kind; /* read only when token is OK or STALE */
	enum rules_color color; /* the person's CURRENT color from the store (after any
	                                  * conversion), not the token's byte: a paper token has
	                                  * none and a phone image may predate a change; read only
	                                  * when token is OK */
	enum verdict_direction direction;
	bool has_temperature;
	int temperature_tenths; /* read only when has_temperature */
	enum verdict_cp_kind cp_kind;
	enum verdict_cp_type cp_type;
	bool is_resident;              /* the person is a registered resident of this community */
	bool has_visitor_registration; /* the request carried a valid visitor registration */
	bool temperature_at_door;      /* a resident's check-in with a place code: the door's staff
	                                  * measure the temperature, so an entry without one is not a
	                                  * 422 (row 3) and its answer carries the check TEMPERATURE */
};

struct verdict_out {
	enum verdict verdict;
	unsigned reasons;        /* VERDICT_REASON_BIT(...) of every reason */
	unsigned checks;         /* VERDICT_CHECK_BIT(...) of every check */
	bool needs_temperature;  /* verdict == VERDICT_NEED_TEMPERATURE: answer 422 */
	bool visitor_registered; /* allowed on the visitor registration: store it with the scan */
	int row;                 /* the row of DESIGN §6 that decided, 1..7; 0 for inputs outside
	                            * their enums (a caller's bug, denied) */
};

/*
 * The verdict of DESIGN §6, rows in order, the first that decides wins:
 *  1. token not OK -> DENY, NO_VALID_CODE; a STALE phone token -> DENY, EXPIRED_CODE
 *     instead, not both (the holder refreshes and shows again; a token marked STALE with
 *     kind PAPER cannot be refreshed and gets NO_VALID_CODE). Comes before the direction:
 *     an invalid code is denied even when leaving, and before the temperature: an invalid
 *     code without a temperature is a DENY, not a 422.
 *  2. direction OUT -> ALLOW, no reason (a red code may leave). Taxis and ride-hailing
 *     scan before the car moves: their scans are always entries, whatever the direction.
 *  3. entering without a temperature -> VERDICT_NEED_TEMPERATURE (not a verdict: 422);
 *     with temperature_at_door instead the check TEMPERATURE on every entry's answer, and
 *     no fever reason (nothing was measured).
 *  4. RED -> DENY, RED_CODE; temperature >= fever_tenths -> DENY, FEVER; both -> DENY with
 *     both reasons (staff see the whole picture: a red holder with a fever is a health
 *     matter, not only a travel one).
 *  5. community and not a resident: with a visitor registration -> ALLOW and
 *     visitor_registered; without -> REGISTER, VISITOR_REGISTRATION.
 *  6. a paper code -> ALLOW with the check ID_DOCUMENT (also added to row 5's answers for
 *     a paper code: a paper code is only valid with the ID card).
 *  7. ALLOW.
 * Inputs outside their enums (token, direction, checkpoint kind or type; kind or color of
 * an OK token) or a fever_tenths outside RULES_FEVER_TENTHS_MIN..MAX (350..420) fail
 * closed: DENY, NO_VALID_CODE, row 0.
 * Temperature plausibility (34.0..43.0) is the validator's job; here it is only compared.
 * Fills *out and returns out->verdict; with in or out NULL returns VERDICT_DENY (and
 * fills out as row 0 when out is not NULL).
 */
enum verdict verdict_decide(const struct verdict_in *in, int fever_tenths, struct verdict_out *out);

/* "allow", "deny", "register"; NULL for VERDICT_NEED_TEMPERATURE (never in an answer) and
 * outside the enum. Static strings. */
const char *verdict_word(enum verdict v);
/* "NO_VALID_CODE", "EXPIRED_CODE", "RED_CODE", "FEVER", "VISITOR_REGISTRATION"; NULL outside. */
const char *verdict_reason_word(enum verdict_reason r);
/* "ID_DOCUMENT", "TEMPERATURE"; NULL outside the enum. */
const char *verdict_check_word(enum verdict_check c);
/* "OK", "UNPARSABLE", "BAD_MAC", "UNKNOWN_PERSON", "STALE", "FUTURE", "SUPERSEDED_SERIAL"
 * (for logs and metrics); NULL outside the enum. */
const char *verdict_token_word(enum verdict_token t);

/* Words of the request and of the checkpoints table, and back. A *_from_word takes
 * w[0..len) (need not be NUL-terminated; exact, lower case) and returns the enum's
 * __MAX value for an unknown word or a NULL w. */
const char *verdict_direction_word(enum verdict_direction d); /* "in", "out" */
enum verdict_direction verdict_direction_from_word(const char *w, size_t len);
const char *verdict_cp_kind_word(enum verdict_cp_kind k); /* "community", ... */
enum verdict_cp_kind verdict_cp_kind_from_word(const char *w, size_t len);
/* The direction a scan is recorded and judged with: the one given, except at a taxi or a
 * ride-hailing car, where every scan is an entry (passengers scan before the car moves). */
int verdict_direction(int cp_type, int direction);
const char *verdict_cp_type_word(enum verdict_cp_type t); /* "school", "taxi", ... */
enum verdict_cp_type verdict_cp_type_from_word(const char *w, size_t len);
/* The kind a checkpoint type belongs to; VERDICT_CP__MAX outside the enum. */
enum verdict_cp_kind verdict_cp_type_kind(enum verdict_cp_type t);

#endif
