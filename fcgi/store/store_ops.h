/* store_ops.h: what operations ask the store: a readiness ping, the applied migrations
 * (schema_migrations), and the trace benchmark's synthetic rows (never personal data). */
#ifndef HQR_STORE_OPS_H
#define HQR_STORE_OPS_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* DB_OK when the server answers a trivial query as it should; its failure, or DB_ERR. */
enum db_rc ops_ping(struct db *db);

/* An applied migration. */
struct migration_row {
	int32_t version;
	char name[200];
	char at[32]; /* when it was applied, ISO 8601 UTC */
};
/* Makes schema_migrations if there is none. */
enum db_rc migrations_create(struct db *db);
/* fn(m, arg) for every applied migration, by version; fn must not use the connection. */
enum db_rc migrations_each(struct db *db, void (*fn)(const struct migration_row *m, void *arg), void *arg);
/* Runs one statement of a migration file (schema text, never a request's bytes): DB_OK, or the
 * server's failure with its message in err. */
enum db_rc ops_apply_sql(struct db *db, const char *sql, char *err, size_t errlen);
/* Records migration version (file name) as applied now. */
enum db_rc migrations_record(struct db *db, int32_t version, const char *name);

/* How many benchmark persons and checkpoints there are. */
enum db_rc bench_counts(struct db *db, int64_t *persons, int64_t *checkpoints);
/* Adds the benchmark persons (with their codes), made now. */
enum db_rc bench_seed_persons(struct db *db, int64_t now);
/* Adds the benchmark checkpoints, made now. */
enum db_rc bench_seed_checkpoints(struct db *db, int64_t now);
/* The first benchmark person's and checkpoint's ids. */
enum db_rc bench_first(struct db *db, int64_t *person, int64_t *checkpoint);
/* Adds n synthetic scans from start (unix seconds; tz_offset: the local zone's seconds east of
 * UTC) over the benchmark persons from first_person and checkpoints from first_cp, their ids from
 * offset. */
enum db_rc bench_seed_scans(struct db *db, int64_t start, int64_t tz_offset, int64_t first_cp, int64_t first_person,
			    int64_t offset, int64_t n);

#endif
