/* store_ops.c: the readiness ping, applied migrations and benchmark rows in the store: typed
 * functions over their statements of db_stmts.c. */
#include "store_ops.h"

#include <string.h>

/* The first row's one BIGINT (a count or an id) of s, without parameters. */
static enum db_rc i64_of(struct db *db, enum stmt s, int64_t *v)
{
	struct db_col cols[] = { DBC_I64(v), DBC_END };
	return db_exec(db, s, NULL, cols);
}

/* s with the one parameter now. */
static enum db_rc at_now(struct db *db, enum stmt s, int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_END };
	return db_exec(db, s, p, NULL);
}

enum db_rc ops_ping(struct db *db)
{
	int32_t one = 0;
	struct db_col cols[] = { DBC_I32(&one), DBC_END };
	enum db_rc rc = db_exec(db, STMT_PING, NULL, cols);
	return rc == DB_OK && one != 1 ? DB_ERR : rc;
}

enum db_rc ops_apply_sql(struct db *db, const char *sql, char *err, size_t errlen)
{
	return db_exec_text(db, sql, err, errlen);
}

enum db_rc migrations_create(struct db *db)
{
	return db_exec(db, STMT_MIGRATIONS_CREATE, NULL, NULL);
}

DB_ROW_CALL(migration_row)

enum db_rc migrations_each(struct db *db, void (*fn)(const struct migration_row *m, void *arg), void *arg)
{
	struct migration_row m = { 0 };
	struct db_col cols[] = { DBC_I32(&m.version), DBC_TEXT(m.name, sizeof m.name), DBC_TEXT(m.at, sizeof m.at),
				 DBC_END };
	return migration_row_rows(db, STMT_MIGRATIONS_LIST, NULL, cols, &m, fn, arg);
}

enum db_rc migrations_record(struct db *db, int32_t version, const char *name)
{
	struct db_param p[] = { DBP_I32(&version), DBP_TEXT(name), DBP_END };
	return db_exec(db, STMT_MIGRATION_RECORD, p, NULL);
}

enum db_rc bench_counts(struct db *db, int64_t *persons, int64_t *checkpoints)
{
	enum db_rc rc = i64_of(db, STMT_BENCH_PERSON_COUNT, persons);
	return rc == DB_OK ? i64_of(db, STMT_BENCH_CHECKPOINT_COUNT, checkpoints) : rc;
}

enum db_rc bench_seed_persons(struct db *db, int64_t now)
{
	enum db_rc rc = at_now(db, STMT_BENCH_PERSONS, now);
	return rc == DB_OK ? at_now(db, STMT_BENCH_CODES, now) : rc;
}

enum db_rc bench_seed_checkpoints(struct db *db, int64_t now)
{
	return at_now(db, STMT_BENCH_CHECKPOINTS, now);
}

enum db_rc bench_first(struct db *db, int64_t *person, int64_t *checkpoint)
{
	enum db_rc rc = i64_of(db, STMT_BENCH_FIRST_PERSON, person);
	return rc == DB_OK ? i64_of(db, STMT_BENCH_FIRST_CHECKPOINT, checkpoint) : rc;
}

enum db_rc bench_seed_scans(struct db *db, int64_t start, int64_t tz_offset, int64_t first_cp, int64_t first_person,
			    int64_t offset, int64_t n)
{
	struct db_param p[] = { DBP_I64(&start),        DBP_I64(&tz_offset), DBP_I64(&start), DBP_I64(&first_cp),
				DBP_I64(&first_person), DBP_I64(&offset),    DBP_I64(&n),     DBP_END };
	return db_exec(db, STMT_BENCH_SCANS, p, NULL);
}
