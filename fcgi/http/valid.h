/* valid.h: field tables and the pure validators they name. */
#ifndef HQR_VALID_H
#define HQR_VALID_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "label.h" /* utf8_check_text */
#include "req.h"

#define F_REQ   0x1u /* the field must be present (and, unless F_EMPTY, not empty): REQUIRED */
#define F_STR   0x2u /* in a JSON body the member must be a string: NOT_A_STRING otherwise */
#define F_BLANK 0x4u /* an empty value counts as absent (an input a form left untouched) */
#define F_EMPTY 0x8u /* an empty value goes to the validator, which names its own error */
#define F_ABSENT \
	0x20u /* left out, it is judged by the validator as an empty value (which names
			* the error: DECLARATION_REQUIRED) instead of REQUIRED */
#define F_FILE \
	0x10u /* a multipart file part (its bytes are the value); arg is the word for
		       * one over the upload cap (conf photo_max_bytes) */
#define F_LIST \
	0x80u /* a JSON list (JSON_LIST): null is not absent but NOT_A_LIST, and each item is judged
		       * on its own, its failures recorded as "name[i]" */
#define F_JSON \
	0x40u /* a JSON-typed field (JSON_FIELD): its check gets the member itself, so that it
		       * tells "1" from 1 (null is still absent); its arg is a struct json_check */

struct field;
/* A validator checks v[0..len) and fills out (normalised text in the arena, integer value).
 * Returns NULL when valid, else a stable code word for the 422 body. No I/O. */
typedef const char *(*validator_fn)(const struct field *f, struct arena *a, const char *v, size_t len,
				    struct fval *out);
/* The check of an F_JSON field: item is its member of the body's object (a const cJSON *, not a
 * JSON null; NULL when left out, for an F_ABSENT field), judged as it was parsed, never printed
 * back. Returns and fills out as a validator_fn does. */
typedef const char *(*json_validator_fn)(const struct field *f, struct arena *a, const void *item, struct fval *out);
/* What an F_JSON field's arg points to: its check, and the check's own argument. */
struct json_check {
	json_validator_fn valid;
	const void *arg;
};

/* What a JSON list field (JSON_LIST) takes: each item's check (its own argument in item.arg), how
 * many items it holds (min..max), and the word for an item equal to an earlier valid one (NULL:
 * repeats are allowed). */
struct json_list {
	struct json_check item;
	size_t min, max;
	const char *duplicate;
};

struct range {
	long long min, max;
};

struct field {
	const char *name;
	unsigned flags;
	size_t maxlen;      /* bytes of the raw value (0: none of its own, as an F_JSON field's: its body's) */
	validator_fn valid; /* NULL for an F_JSON field */
	const void *arg;    /* validator-specific: struct range *, const char *const * (NULL-ended) */
};

/* A row of a JSON body's table whose check (a json_validator_fn) gets the member itself, with arg
 * its own argument: the only way to make an F_JSON field, so that its flag and check go together.
 * Kept on one row, as the tables write it. */
/* clang-format off */
#define JSON_FIELD(name, flags, check, arg) \
	{ (name), (flags) | F_JSON, 0, NULL, &(const struct json_check){ (check), (arg) } }
/* A JSON list: a row whose member must be a list of list->min..list->max items (NOT_A_LIST for
 * another value, null included, or too few; TOO_MANY past max; out->i the count), each judged by
 * list->item, whose word is recorded for "name[i]" (as is list->duplicate). */
#define JSON_LIST(name, flags, list) \
	{ (name), (flags) | F_JSON | F_LIST, 0, NULL, &(const struct json_check){ valid_json_list, (list) } }
/* clang-format on */

/* Integers in [arg->min, arg->max], decimal, optional '-', no spaces. */
const char *valid_int(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* One of the words in arg (a NULL-terminated array); out->i is its index. */
const char *valid_enum(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* Strictly valid UTF-8, no control or invisible characters, 1..maxlen bytes after trimming. */
const char *valid_text(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* Any value, kept as given (out->s, out->len): the form's check (router.h) judges it. */
const char *valid_raw(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* The check of a JSON_LIST row (a json_validator_fn whose arg is a struct json_list): the list
 * itself, its count; fields_validate then judges its items. */
const char *valid_json_list(const struct field *f, struct arena *a, const void *item, struct fval *out);
/* true/false (also 1/0, yes/no); out->i is 1 or 0. */
const char *valid_bool(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);

/* Where to go after logging in: a local path only, "/" then no second "/" or "\\", printable
 * ASCII without backslash or spaces, 1..VALID_NEXT_MAX bytes (NOT_A_LOCAL_PATH). */
#define VALID_NEXT_MAX 512
const char *valid_next(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
/* The same test on a C string: 1 when next is such a path. */
int login_next_ok(const char *next);
/* The platform's login code: 0..128 characters of base64url (INVALID). */
const char *valid_login_code(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);

/* A database id from a path segment or a query value: 1..2^63-1 in decimal, digits only, no
 * leading zero. Returns 0 when s is not one. */
uint64_t path_id_parse(const char *s);
/* Whether s[0..n) is a person's public id: PUBLIC_ID_LEN characters of base64url. */
int public_id_ok(const char *s, size_t n);

/* Validates the inputs of a call against a field table: each declared field is looked up in
 * `in` (an F_FILE field in c->files, an F_STR field's type and an F_JSON field's member in
 * c->json), a field given twice is an error, unknown keys are ignored. Fills out[nfields] and
 * records every failing field on the call; out is cleared first, so a field given twice leaves
 * every value absent. A declared member of the call's JSON body (c->json, read from c->body) that
 * holds a NUL, raw or escaped "\u0000", in its key or in any string of its value is refused as
 * INVALID_CHARACTERS before its own check (which would read the string cut short), but after
 * NOT_A_STRING; an undeclared one is ignored, and so is a list of items judged on their own
 * (valid_item_list: each item's own table refuses its NUL). Returns ERR_OK, ERR_DUPLICATE_FIELD or
 * ERR_VALIDATION. */
enum err fields_validate(struct call *c, const struct field *fields, size_t nfields, const struct kvlist *in,
			 struct fval *out);
/* The same for a JSON object obj (a cJSON *: a body, or one item of a list in it): its members
 * as json_members makes them, F_STR fields judged by their members' types, F_JSON fields by
 * their members, and a NUL in them as above when obj is inside c->json. Also json_members'
 * errors (obj not an object). */
enum err fields_validate_json(struct call *c, const struct field *fields, size_t nfields, const void *obj,
			      struct fval *out);
/* The members of a JSON object (obj, a cJSON *) that a field table reads as text, as name/value
 * pairs: those of its declared fields but the F_JSON ones (whose checks get the member itself).
 * A string is its text, true and false those words, any other value its JSON text; null members
 * are left out (absent); a string that held a NUL is its text up to it (fields_validate refuses
 * it). The pairs point into obj and the arena. ERR_BAD_JSON when obj is not an
 * object or has more than REQ_PAIRS_MAX members that are not null, ERR_TOO_LARGE when the arena
 * is full. */
enum err json_members(struct arena *a, const void *obj, const struct field *fields, size_t nfields, struct kvlist *in);

/* Whether a failure of field name is already recorded on the call (a form check adds a rule's
 * error only where the field's own check passed or the field was left out). */
int call_field_failed(const struct call *c, const char *name);
/* Drops the errors recorded for a field that a rule across fields says is not asked (a form check
 * deciding after the per-field checks). */
void call_field_forget(struct call *c, const char *name);

#endif
