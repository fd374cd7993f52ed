/* fields_places.c: the place codes' field tables (DESIGN §11): a resident's check-in, an
 * operator's new place code and the list of place codes. */
#include "fields.h"
#include "label.h"
#include "scanin.h"
#include "store_places.h"

#include <cjson/cJSON.h>
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

/* A check-in's person: a person's public id (public_id_ok), NOT_A_PERSON_ID otherwise. */
static const char *valid_person_ref(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	(void)f;
	(void)a;
	(void)out;
	return cJSON_IsString(j) && public_id_ok(j->valuestring, strlen(j->valuestring)) ? NULL : "NOT_A_PERSON_ID";
}

/* A check-in's direction and visitor are judged as a scan's (scanin.c): the direction "in" or
 * "out" (REQUIRED when not a string), the visitor's registration as stored into out->s. */
static const char *valid_checkin_direction(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const struct json_check *scan = scan_fields[SCAN_DIRECTION].arg;
	return scan->valid(f, a, item, out);
}

static const char *valid_checkin_visitor(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const struct json_check *scan = scan_fields[SCAN_VISITOR].arg;
	return scan->valid(f, a, item, out);
}

/* 1..PLACES_ASK_MAX persons, each once. */
static const struct json_list checkin_persons = { { valid_person_ref, NULL }, 1, PLACES_ASK_MAX, "DUPLICATE_PERSON" };

/* POST /api/v1/places/{token}/checkins {"persons":[id...],"direction","visitor"?}: each judged on
 * its member (never printed to text for it), bounded by the body's size. */
const struct field checkin_fields[CHECKIN__MAX] = {
	[CHECKIN_PERSONS] = JSON_LIST("persons", F_REQ, &checkin_persons),
	[CHECKIN_DIRECTION] = JSON_FIELD("direction", F_REQ, valid_checkin_direction, NULL),
	[CHECKIN_VISITOR] = JSON_FIELD("visitor", 0, valid_checkin_visitor, NULL),
};

/* POST /api/v1/admin/checkpoints/{id}/place-codes {"label"?} (bounded by its body, 2048 bytes). */
const struct field place_code_fields[PLACE_CODE__MAX] = {
	[PLACE_CODE_LABEL] = { "label", F_STR | F_EMPTY, 2048, valid_place_label, NULL },
};

static const struct range page_size = { 1, ADMIN_LIST_MAX };
static const char zero_allowed[] = "0";

/* GET /api/v1/admin/place-codes?checkpoint_id=&after=&limit= (each judged by its validator up to
 * 32 bytes, TOO_LONG past them). */
const struct field place_codes_fields[PLACE_CODES__MAX] = {
	[PLACE_CODES_CHECKPOINT] = { "checkpoint_id", 0, 32, valid_row_id, NULL },
	[PLACE_CODES_AFTER] = { "after", 0, 32, valid_row_id, zero_allowed },
	[PLACE_CODES_LIMIT] = { "limit", 0, 32, valid_page_size, &page_size },
};
