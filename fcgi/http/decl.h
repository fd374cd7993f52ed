/* decl.h: the declaration part of a form (travel, symptoms, temperature, contact, truthfulness),
 * validated field by field with every failure recorded on the call. */
#ifndef HQR_DECL_H
#define HQR_DECL_H
#include <stddef.h>

#include "req.h"
#include "rules.h"
#include "valid.h"
#include "valid_id.h"

#define DECL_TRAVEL_MAX 16

struct decl {
	struct vid_travel vt[DECL_TRAVEL_MAX];
	struct rules_travel travel[DECL_TRAVEL_MAX];
	size_t ntravel;
	unsigned symptoms; /* RULES_SYM_* bits (VID_SYM_NONE dropped) */
	int has_temperature;
	int temperature_tenths;
	int contact;
	const char *travel_json; /* the normalised travel list, arena-owned or static, for storage */
};

/* The declaration's fields, in a form's table at the rows a form names (the application embeds
 * them; a declaration's body is only them). bound: the raw bytes of one value (the body's bound:
 * each validator names its own error for a value too long). */
enum decl_field { DECL_TRAVEL, DECL_SYMPTOMS, DECL_TEMPERATURE, DECL_CONTACT, DECL_DECLARATION, DECL__MAX };
/* clang-format off */
#define DECL_FIELD_ROWS(base, bound)                                                                    \
	[(base) + DECL_TRAVEL] = { "travel", F_BLANK, (bound), valid_raw, NULL },                        \
	[(base) + DECL_SYMPTOMS] = { "symptoms", F_REQ, (bound), decl_valid_symptoms, NULL },            \
	[(base) + DECL_TEMPERATURE] = { "temperature", F_BLANK, (bound), decl_valid_temperature, NULL }, \
	[(base) + DECL_CONTACT] = { "contact", F_REQ, (bound), decl_valid_yes_no, NULL },                \
	[(base) + DECL_DECLARATION] = { "declaration", F_REQ | F_ABSENT, (bound), decl_valid_truthful, NULL }
/* clang-format on */

extern const struct field decl_fields[DECL__MAX];

/* A JSON array of symptom words or a comma-separated list; out->i gets the RULES_SYM_* bits. */
const char *decl_valid_symptoms(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* A body temperature in °C ("36.6"); out->i gets tenths of a degree. */
const char *decl_valid_temperature(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* yes/no or true/false (NOT_A_BOOLEAN); out->i is 1 or 0. */
const char *decl_valid_yes_no(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* yes or true: the holder declares the answers truthful (DECLARATION_REQUIRED otherwise). */
const char *decl_valid_truthful(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* The declaration's rules on its validated fields v[DECL__MAX] (fields_validate on decl_fields,
 * or a form's rows from DECL_FIELD_ROWS) for the local date y/m/d: the travel list (its dates
 * against today). Fills out and records each failure on the call; returns 0 when there is none. */
int decl_check(struct call *c, const struct fval *v, int y, int m, int d, struct decl *out);

#endif
