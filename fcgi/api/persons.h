/* persons.h: what the handlers of persons and their codes share: the holder check. */
#ifndef HQR_PERSONS_H
#define HQR_PERSONS_H
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "person.h"
#include "req.h"


struct person_row {
	uint64_t id;
	int32_t id_type, role, relationship, photo_type;
	uint32_t paper_serial;
	uint64_t code_ref;
	char name_m[128], id_m[48], phone_m[16], since[32], photo_file[64];
};

/* The person c->params[0] if the caller holds it; ERR_NOT_FOUND otherwise (ids reveal nothing). */
enum err persons_load(struct call *c, struct person_row *r);
struct code_state;
struct code_status;
/* On an AUTH_HOLDER route: the session, the person {id} it holds and its code as of now
 * (converted to green if it is due), in one statement; 401, 404 as persons_load. */
enum err persons_load_code(struct call *c, struct person_row *r, int64_t now, struct code_state *code,
			   struct code_status *st);
/* The error a database result maps to (NOROW: 404, DOWN: 503, else 500). */
enum err persons_db_err(enum db_rc rc);

#endif
