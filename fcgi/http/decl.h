/* decl.h: the declaration part of a form (travel, symptoms, temperature, contact, truthfulness),
 * validated field by field with every failure recorded on the call. */
#ifndef HQR_DECL_H
#define HQR_DECL_H
#include <stddef.h>

#include "req.h"
#include "rules.h"
#include "valid_id.h"

#define DECL_TRAVEL_MAX 16

struct decl {
	struct vid_travel vt[DECL_TRAVEL_MAX];
	struct rules_travel travel[DECL_TRAVEL_MAX];
	size_t ntravel;
	unsigned symptoms;       /* RULES_SYM_* bits (VID_SYM_NONE dropped) */
	int has_temperature;
	int temperature_tenths;
	int contact;
	const char *travel_json; /* the normalised travel list, arena-owned or static, for storage */
};

/* Validates in (a multipart form's fields or a flattened JSON body) for the local date y/m/d;
 * records each failing field with call_field_error. Returns 0 when every field is valid. */
int decl_validate(struct call *c, const struct kvlist *in, int y, int m, int d, struct decl *out);
/* Parses symptoms given as a JSON array of words or a comma-separated list; records a failure
 * on the field "symptoms". *out gets the RULES_SYM_* bits. */
void decl_symptoms(struct call *c, const struct kv *kv, unsigned *out);
/* 1 when a name occurs more than once among the declaration's fields (recorded on the call). */
int decl_duplicates(struct call *c, const struct kvlist *in);

#endif
