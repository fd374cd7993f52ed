/* store_jobs.c: the daily job's lease, red codes, reminders and purges in the store: typed
 * functions over their statements of db_stmts.c. */
#include "store_jobs.h"

#include <string.h>

/* Runs a write and says in *changed whether it changed exactly one row. */
static enum db_rc one_changed(struct db *db, enum stmt s, const struct db_param *p, int *changed)
{
	enum db_rc rc = db_exec(db, s, p, NULL);
	*changed = rc == DB_OK && db_affected(db) == 1;
	return rc;
}

enum db_rc jobs_lease_claim(struct db *db, const char *job, const char *holder, int64_t until, int64_t now,
			    int *claimed)
{
	struct db_param p[] = { DBP_TEXT(holder), DBP_I64(&until), DBP_TEXT(job), DBP_I64(&now), DBP_END };
	return one_changed(db, STMT_JOB_CLAIM, p, claimed);
}

enum db_rc jobs_lease_holder(struct db *db, const char *job, char *holder, size_t cap, int64_t *until)
{
	holder[0] = '\0';
	*until = 0;
	struct db_param p[] = { DBP_TEXT(job), DBP_END };
	struct db_col cols[] = { DBC_TEXT(holder, cap), DBC_I64(until), DBC_END };
	return db_exec(db, STMT_JOB_HOLDER, p, cols);
}

enum db_rc jobs_lease_takeover(struct db *db, const char *job, const char *holder, const char *other, int64_t until,
			       int *taken)
{
	struct db_param p[] = { DBP_TEXT(holder), DBP_I64(&until), DBP_TEXT(job), DBP_TEXT(other), DBP_END };
	return one_changed(db, STMT_JOB_TAKEOVER, p, taken);
}

enum db_rc jobs_lease_renew(struct db *db, const char *job, const char *holder, int64_t until, int *kept)
{
	struct db_param p[] = { DBP_I64(&until), DBP_TEXT(job), DBP_TEXT(holder), DBP_END };
	return one_changed(db, STMT_JOB_RENEW, p, kept);
}

enum db_rc jobs_lease_release(struct db *db, const char *job, const char *holder)
{
	struct db_param p[] = { DBP_TEXT(job), DBP_TEXT(holder), DBP_END };
	return db_exec(db, STMT_JOB_RELEASE, p, NULL);
}

struct red_ids {
	uint64_t id, *ids;
	int n;
};

static void red_each(void *ctx)
{
	struct red_ids *k = ctx;
	if (k->n < JOBS_RED_MAX)
		k->ids[k->n++] = k->id;
}

enum db_rc jobs_red_codes_after(struct db *db, uint64_t after, uint64_t ids[JOBS_RED_MAX], int *n)
{
	struct red_ids k = { 0, ids, 0 };
	struct db_param p[] = { DBP_U64(&after), DBP_END };
	struct db_col cols[] = { DBC_U64(&k.id), DBC_END };
	enum db_rc rc = db_each(db, STMT_RED_CODES_AFTER, p, cols, red_each, &k);
	*n = k.n;
	return rc;
}

DB_ROW_CALL(reminder_target)

enum db_rc jobs_reminder_targets(struct db *db, uint64_t person, void (*fn)(const struct reminder_target *t, void *arg),
				 void *arg)
{
	struct reminder_target t = { 0 };
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	struct db_col cols[] = { DBC_U64(&t.account), DBC_TEXT(t.openid, sizeof t.openid),
				 DBC_TEXT(t.pid, sizeof t.pid), DBC_TEXT(t.name, sizeof t.name), DBC_END };
	return reminder_target_rows(db, STMT_REMINDER_TARGETS, p, cols, &t, fn, arg);
}

enum db_rc jobs_reminder_claim(struct db *db, uint64_t person, int32_t day, uint64_t account, int64_t now)
{
	struct db_param p[] = { DBP_U64(&person), DBP_I32(&day), DBP_U64(&account), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_REMINDER_CLAIM, p, NULL);
}

enum db_rc jobs_reminder_status(struct db *db, uint64_t person, int32_t day, uint64_t account, char status[24])
{
	status[0] = '\0';
	struct db_param p[] = { DBP_U64(&person), DBP_I32(&day), DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_TEXT(status, 24), DBC_END };
	return db_exec(db, STMT_REMINDER_STATUS, p, cols);
}

enum db_rc jobs_reminder_done(struct db *db, uint64_t person, int32_t day, uint64_t account, const char *status,
			      int32_t errcode)
{
	struct db_param p[] = { DBP_TEXT(status), DBP_I32(&errcode), DBP_U64(&person),
				DBP_I32(&day),    DBP_U64(&account), DBP_END };
	return db_exec(db, STMT_REMINDER_DONE, p, NULL);
}

static const struct {
	enum stmt s;
	int is_day; /* its parameter is a local day (INT), else a BIGINT */
} purges[JOBS_PURGE__MAX] = {
	[JOBS_PURGE_SCANS] = { STMT_SCANS_PURGE, 1 },
	[JOBS_PURGE_REPORTS] = { STMT_REPORTS_PURGE, 1 },
	[JOBS_PURGE_REMINDERS] = { STMT_REMINDERS_PURGE, 1 },
	[JOBS_PURGE_REFUSALS] = { STMT_REFUSALS_PURGE, 1 },
	[JOBS_PURGE_SESSIONS] = { STMT_SESSIONS_PURGE, 0 },
	[JOBS_PURGE_STATES] = { STMT_STATES_PURGE, 0 },
	[JOBS_PURGE_OAUTH_CODES] = { STMT_OAUTH_CODES_PURGE, 0 },
	[JOBS_PURGE_PUSH_DEDUP] = { STMT_PUSH_DEDUP_PURGE, 0 },
	[JOBS_PURGE_PUSH_NONCES] = { STMT_PUSH_NONCES_PURGE, 0 },
	[JOBS_PURGE_IDEMPOTENCY] = { STMT_IDEM_PURGE, 0 },
	[JOBS_PURGE_NONCES] = { STMT_NONCES_PURGE, 0 },
	[JOBS_PURGE_VERIFS] = { STMT_VERIFS_PURGE, 0 },
	[JOBS_PURGE_SCAN_CLIENTS] = { STMT_SCAN_CLIENTS_PURGE, 0 },
	[JOBS_PURGE_PLACE_LAST] = { STMT_PLACE_LAST_PURGE, 0 },
};

enum db_rc jobs_purge(struct db *db, enum jobs_purge what, int64_t before, long *count)
{
	if ((unsigned)what >= JOBS_PURGE__MAX)
		return DB_ERR;
	int32_t day = (int32_t)before;
	struct db_param p[] = { purges[what].is_day ? (struct db_param)DBP_I32(&day)
						    : (struct db_param)DBP_I64(&before),
				DBP_END };
	for (int i = 0; i < 1000; i++) {
		enum db_rc rc = db_exec(db, purges[what].s, p, NULL);
		if (rc != DB_OK)
			return rc;
		uint64_t n = db_affected(db);
		if (count != NULL)
			*count += (long)n;
		if (n < 10000)
			return DB_OK;
	}
	return DB_OK;
}
