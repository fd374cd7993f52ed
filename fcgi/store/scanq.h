/* scanq.h: durable scans in groups: request threads hand their scans to one committer thread per
 * worker, which looks up every queued device's scan (and every resident's check-in) in one
 * statement per kind and writes the group in one more; no caller returns before its rows are
 * committed, and one fsync covers many scans. */
#ifndef HQR_SCANQ_H
#define HQR_SCANQ_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "store_places.h"

struct conf;

/* The most rows one decided job (or check-in) may carry. */
#define SCANQ_ROWS_MAX 16

struct scan_row {
	uint64_t id;
	int32_t local_day;
	int64_t at_ms; /* unix milliseconds */
	uint64_t checkpoint;
	uint64_t device;     /* 0: none */
	uint64_t integrator; /* 0: none */
	uint64_t person;     /* 0: none (the code was not valid) */
	int32_t kind;        /* token kind, 0 when it did not parse */
	int32_t direction;
	int has_temperature;
	int32_t temperature_tenths;
	int32_t verdict;
	uint32_t reasons;
	const uint8_t *visitor; /* sealed visitor registration, or NULL */
	size_t visitor_len;
	uint64_t place_code; /* a resident's check-in through this place code; 0: none */
};

/* What the store says of a device's token and the code it scanned. */
struct scan_lookup {
	int device_found; /* an unrevoked device with this token, or a granted checkpoint */
	uint64_t device, checkpoint;
	int32_t cp_kind, cp_type;
	int person_found; /* a person with this code_ref, and a code */
	uint64_t person;
	uint32_t serial;
	int32_t color, id_type, resident;
	char name_m[128], id_m[48];
};

/* A scan whose lookup, verdict and write the committer does for a whole group at once: a
 * device's (by its token's hash), an integrator's (by its grant of the checkpoint), or a
 * resident's check-in at a place code (place, below). */
struct scan_job {
	uint8_t device_hash[32];
	uint64_t integrator; /* non-zero: an integrator's scan at checkpoint (device_hash unused) */
	uint64_t checkpoint;
	uint64_t code_ref;     /* 0 when the code did not parse */
	struct scan_lookup lk; /* filled by the lookup */
	/* Runs on the committer thread once lk is filled: the row to write, or NULL for none (an
	 * unknown device, a refused request). Must not touch the database. NULL for a job whose
	 * rows were decided already: it is not looked up, and its rows are written with the group. */
	const struct scan_row *(*decide)(struct scan_job *job);
	void *arg;
	const struct scan_row *rows; /* decide == NULL: 1..SCANQ_ROWS_MAX rows to write */
	size_t nrows;
	/* A resident's check-in at a place code: looked up with the group's other check-ins (the
	 * session, the place, each person asked; then counted against its account's minute), and
	 * decided by decide, which sets rows and nrows (0..SCANQ_ROWS_MAX) and returns NULL. Each of
	 * its rows claims the person's latest check-in at the place code in the transaction that
	 * writes it: a row that an equal check-in within the window (a concurrent one, a double tap)
	 * answers instead is not written, and repeat_of names that check-in's scan. */
	struct place_checkin *place;
	uint64_t repeat_of[SCANQ_ROWS_MAX];
};

/* Starts the committer thread (with its own database connection); 0 or -1. */
int scanq_start(const struct conf *c);
/* Commits what is queued, then stops the committer. */
void scanq_stop(void);
/* Queues a scan: the committer looks up the device (or grant) and code of every queued job in
 * one statement per kind, calls each job's decide, and commits the rows with the group's; waits
 * until they are committed. DB_OK (also when decide wrote nothing), or the error that lost the group
 * (nothing was acknowledged then). */
enum db_rc scanq_submit(struct scan_job *job);
/* Fills the lookups of n jobs now, on db (used where a request must not wait for a group);
 * check-ins are looked up, not counted. */
enum db_rc scanq_lookup(struct db *db, struct scan_job *const *jobs, size_t n);
/* Writes rows in the caller's own transaction (batches, tools). */
enum db_rc scanq_insert(struct db *db, const struct scan_row *rows, size_t n);

#endif
