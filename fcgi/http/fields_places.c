/* fields_places.c: the place codes' field tables (DESIGN §11): a resident's check-in, an
 * operator's new place code and the list of place codes. A check-in's persons and visitor are
 * judged across the body by its form check (h_places.c); the escaped NUL that the JSON parser
 * would read as a string's end is refused there too (jsontext.h). */
#include "fields.h"
#include "label.h"
#include "verdict.h"

#include <string.h>

/* A database id (path_id_parse): 1..2^63-1 in decimal without a leading zero; with a non-NULL
 * arg also "0". NOT_AN_INTEGER otherwise. */
static const char *valid_row_id(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	char buf[24];
	(void)a;
	if (len == 0 || len >= sizeof buf)
		return "NOT_AN_INTEGER";
	memcpy(buf, v, len);
	buf[len] = '\0';
	uint64_t id = path_id_parse(buf);
	if (id == 0 && !(f->arg != NULL && len == 1 && v[0] == '0'))
		return "NOT_AN_INTEGER";
	out->i = (long long)id;
	return NULL;
}

/* A page's size: an id (as above) within the range in arg; OUT_OF_RANGE otherwise, also for a
 * value that is no integer. */
static const char *valid_page_size(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	const struct range *r = f->arg;
	if (valid_row_id(f, a, v, len, out) != NULL || out->i < r->min || out->i > r->max)
		return "OUT_OF_RANGE";
	return NULL;
}

/* A check-in's direction word (verdict_direction_from_word): out->i its enum verdict_direction. */
static const char *valid_direction(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	enum verdict_direction d = verdict_direction_from_word(v, len);
	if (d == VERDICT_DIR__MAX)
		return "NOT_ALLOWED";
	out->i = d;
	return NULL;
}

/* A place code's label (an entrance, a plate number): clean text of at most LABEL_MAX_CP code
 * points (TOO_LONG past LABEL_MAX_BYTES bytes), not padded with spaces (label_check); empty is
 * none. */
static const char *valid_place_label(const struct field *f, struct arena *a, const char *v, size_t len,
				     struct fval *out)
{
	(void)f;
	(void)a;
	if (len > LABEL_MAX_BYTES)
		return "TOO_LONG";
	const char *bad = len == 0 ? NULL : label_check(v, len);
	if (bad != NULL)
		return bad;
	out->s = v;
	out->len = len;
	return NULL;
}

/* POST /api/v1/places/{token}/checkins {"persons":[id...],"direction","visitor"?}: the persons (a
 * list) and the visitor (an object) are judged on their members by the form check (never printed
 * to text for it); a direction that is no string is REQUIRED there, as the handler always
 * answered. Each is bounded by the body's size. */
const struct field checkin_fields[CHECKIN__MAX] = {
	[CHECKIN_PERSONS] = JSON_FIELD("persons", F_REQ | F_ABSENT, valid_json_any, NULL),
	[CHECKIN_DIRECTION] = { "direction", F_REQ | F_EMPTY, CHECKIN_BODY_MAX, valid_direction, NULL },
	[CHECKIN_VISITOR] = JSON_FIELD("visitor", 0, valid_json_any, NULL),
};
_Static_assert(sizeof checkin_fields / sizeof checkin_fields[0] == CHECKIN__MAX, "checkin_fields");

/* POST /api/v1/admin/checkpoints/{id}/place-codes {"label"?} (bounded by its body, 2048 bytes). */
const struct field place_code_fields[PLACE_CODE__MAX] = {
	[PLACE_CODE_LABEL] = { "label", F_STR | F_EMPTY, 2048, valid_place_label, NULL },
};
_Static_assert(sizeof place_code_fields / sizeof place_code_fields[0] == PLACE_CODE__MAX, "place_code_fields");

static const struct range page_size = { 1, ADMIN_LIST_MAX };
static const char zero_allowed[] = "0";

/* GET /api/v1/admin/place-codes?checkpoint_id=&after=&limit= (each judged by its validator up to
 * 32 bytes, TOO_LONG past them). */
const struct field place_codes_fields[PLACE_CODES__MAX] = {
	[PLACE_CODES_CHECKPOINT] = { "checkpoint_id", 0, 32, valid_row_id, NULL },
	[PLACE_CODES_AFTER] = { "after", 0, 32, valid_row_id, zero_allowed },
	[PLACE_CODES_LIMIT] = { "limit", 0, 32, valid_page_size, &page_size },
};
_Static_assert(sizeof place_codes_fields / sizeof place_codes_fields[0] == PLACE_CODES__MAX, "place_codes_fields");
