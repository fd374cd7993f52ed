/* store_scans.h: what a scan asks the store beside the group commit of scanq.c: an integrator's
 * grant of a checkpoint, a code's person as a checkpoint sees it, and integrators' batch client ids
 * with the answer each first had. */
#ifndef HQR_STORE_SCANS_H
#define HQR_STORE_SCANS_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "scanq.h"

/* The checkpoint if integrator was granted it: its kind and type; DB_NOROW when it was not. */
enum db_rc scans_integrator_checkpoint(struct db *db, uint64_t integrator, uint64_t checkpoint, int32_t *kind,
				       int32_t *type);

/* The person with code_ref as checkpoint sees it (masked name and number) in out's person part
 * (person_found, person, serial, color, id_type, resident, name_m, id_m; the rest zero); DB_NOROW
 * when there is none. */
enum db_rc scans_person(struct db *db, uint64_t checkpoint, uint64_t code_ref, struct scan_lookup *out);

/* The answer recorded for integrator's client id cid: text of cap bytes with a NUL (cap - 1 at the
 * most); DB_NOROW when the id is new. */
enum db_rc scans_client_get(struct db *db, uint64_t integrator, const char *cid, char *text, size_t cap);
/* Records cid's scan and its answer (JSON text), now. */
enum db_rc scans_client_insert(struct db *db, uint64_t integrator, const char *cid, uint64_t scan, const char *text,
			       int64_t now);

#endif
