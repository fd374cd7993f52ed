/* scanin.h: a scan's JSON body (a live scan, or one item of an integrator's batch), validated
 * field by field with every failure recorded on the call; pure. */
#ifndef HQR_SCANIN_H
#define HQR_SCANIN_H
#include <stddef.h>
#include <stdint.h>

#include "req.h"
#include "verdict.h"

#define SCAN_QR_MAX        512
#define SCAN_CLIENT_ID_MAX 64
#define SCAN_VISITOR_JSON  2048 /* worst case: every character a 4-byte one or escaped */

struct scan_in {
	const char *qr; /* trimmed of the line break a keyboard-style scanner adds; arena-owned */
	enum verdict_direction dir;
	int has_temp;
	int temp; /* tenths of a degree */
	int has_visitor;
	char visitor_json[SCAN_VISITOR_JSON]; /* {"purpose","host"?,"address"?} as stored */
	uint64_t checkpoint;                  /* integrators name the checkpoint; devices have theirs */
};

/* Validates one scan object o (a cJSON *): {"qr","direction","temperature"?,"visitor"?} and,
 * with need_checkpoint, "checkpoint_id". Records each failing field with call_field_error (the
 * call's arena holds the trimmed qr). Returns 0 when every field is valid, else -1. */
int scan_in_parse(struct call *c, const void *o, struct scan_in *in, int need_checkpoint);

/* Validates a visitor's registration v (a cJSON *, not null): {"purpose" 1..60 characters, "host"
 * 1..60 and/or "address" 1..120}, as the scanner page and a place's page send it, and writes it
 * as stored into out (outlen bytes, SCAN_VISITOR_JSON is enough). Records failures with
 * call_field_error. Returns 1 when a registration was given (valid or not), 0 when refused whole. */
int scan_visitor_parse(struct call *c, const void *v, char *out, size_t outlen);

/* Whether cid is a batch item's client id: 1..SCAN_CLIENT_ID_MAX characters of
 * [A-Za-z0-9-_.:]. */
int scan_client_id_ok(const char *cid);

#endif
