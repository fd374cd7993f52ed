/* scanin.h: a scan's JSON body (a live scan, or one item of an integrator's batch) as field tables:
 * each field's own check, then the rules across them; every failure recorded on the call; pure. */
#ifndef HQR_SCANIN_H
#define HQR_SCANIN_H
#include <stddef.h>
#include <stdint.h>

#include "req.h"
#include "valid.h"
#include "verdict.h"

#define SCAN_QR_MAX        512
#define SCAN_CLIENT_ID_MAX 64
#define SCAN_VISITOR_JSON  2048 /* worst case: every character a 4-byte one or escaped */
#define SCAN_BATCH_MAX     500  /* items in one batch */

struct scan_in {
	const char *qr; /* trimmed of the line break a keyboard-style scanner adds; arena-owned */
	enum verdict_direction dir;
	int has_temp;
	int temp; /* tenths of a degree */
	int has_visitor;
	char visitor_json[SCAN_VISITOR_JSON]; /* {"purpose","host"?,"address"?} as stored */
	uint64_t checkpoint;                  /* integrators name the checkpoint; devices have theirs */
};

/* A live scan (POST /api/v1/scans): {"qr","direction","temperature"?,"visitor"?} and, from an
 * integrator, "checkpoint_id". Each field's check gets its member (F_JSON): a temperature may be
 * a number or its text, a checkpoint a number or its digits. */
enum scan_field { SCAN_QR, SCAN_DIRECTION, SCAN_TEMPERATURE, SCAN_VISITOR, SCAN_CHECKPOINT, SCAN__MAX };
extern const struct field scan_fields[SCAN__MAX];
/* The live scan's rules (router.h form_check_fn): an integrator names its checkpoint (REQUIRED), a
 * device's scan does not read one. Builds a struct scan_in: c->form. */
enum err scan_check(struct call *c, struct fval *v);

/* An integrator's batch (POST /api/v1/scans/batch): "scans", a list of 1..SCAN_BATCH_MAX items
 * (REQUIRED when empty or not a list, TOO_MANY), each judged on its own by batch_items. */
enum batch_field { BATCH_SCANS, BATCH__MAX };
extern const struct field batch_fields[BATCH__MAX];

/* One item of a batch: its client id, the scan's fields (a checkpoint required), its time. */
enum item_field { ITEM_CLIENT_ID, ITEM_SCAN, ITEM_SCANNED_AT = ITEM_SCAN + SCAN__MAX, ITEM__MAX };
extern const struct field item_fields[ITEM__MAX];

/* The field table each item of a JSON list takes (the arg of valid_item_list's JSON_FIELD), and
 * how many items the list may hold. */
struct item_table {
	const struct field *fields;
	size_t nfields;
	size_t max;
};
extern const struct item_table batch_items;

/* A JSON list (item) of 1..max items (the struct item_table of its JSON_FIELD): REQUIRED when empty
 * or not a list, TOO_MANY past max; out->i the count. */
const char *valid_item_list(const struct field *f, struct arena *a, const void *item, struct fval *out);

/* Judges one item of a batch (a cJSON *) by item_fields and its rules at time now (scanned_at
 * within the retention and at most TOKEN_FUTURE_S ahead): fills in and *at_s, and *cid with its
 * client id (NULL when it has none usable). Returns the first failure's word (CLIENT_ID_INVALID
 * for an item that is not an object), NULL when the item is valid; the call's recorded failures
 * are left as they were. */
const char *scan_item_parse(struct call *c, const void *item, int64_t now, struct scan_in *in, int64_t *at_s,
			    const char **cid);

/* Validates a visitor's registration v (a cJSON *, not null): {"purpose" 1..60 characters, "host"
 * 1..60 and/or "address" 1..120}, as the scanner page and a place's page send it, and writes it
 * as stored into out (outlen bytes, SCAN_VISITOR_JSON is enough). Records failures with
 * call_field_error. Returns 1 when a registration was given (valid or not), 0 when refused whole. */
int scan_visitor_parse(struct call *c, const void *v, char *out, size_t outlen);

/* Whether cid is a batch item's client id: 1..SCAN_CLIENT_ID_MAX characters of
 * [A-Za-z0-9-_.:]. */
int scan_client_id_ok(const char *cid);

#endif
