/* scanq.h: durable scans in groups: request threads hand their rows to one committer thread per
 * worker, which writes everything queued in one transaction; no caller returns before its rows
 * are committed, and one fsync covers many scans. */
#ifndef HQR_SCANQ_H
#define HQR_SCANQ_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct conf;

struct scan_row {
	uint64_t id;
	int32_t local_day;
	int64_t at_ms;              /* unix milliseconds */
	uint64_t checkpoint;
	uint64_t device;            /* 0: none */
	uint64_t integrator;        /* 0: none */
	uint64_t person;            /* 0: none (the code was not valid) */
	int32_t kind;               /* token kind, 0 when it did not parse */
	int32_t direction;
	int has_temperature;
	int32_t temperature_tenths;
	int32_t verdict;
	uint32_t reasons;
	const uint8_t *visitor;     /* sealed visitor registration, or NULL */
	size_t visitor_len;
};

/* Starts the committer thread (with its own database connection); 0 or -1. */
int scanq_start(const struct conf *c);
/* Commits what is queued, then stops the committer. */
void scanq_stop(void);
/* Queues rows and waits until they are committed: DB_OK, or the error that lost them (nothing
 * was acknowledged then). */
enum db_rc scanq_write(const struct scan_row *rows, size_t n);
/* Writes rows in the caller's own transaction (batches, tools). */
enum db_rc scanq_insert(struct db *db, const struct scan_row *rows, size_t n);

#endif
