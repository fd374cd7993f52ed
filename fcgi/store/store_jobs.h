/* store_jobs.h: what `hqrctl jobs daily` asks the store: its lease across hosts, the red codes to
 * look at, report reminders (claimed before they are sent), and retention's purges. */
#ifndef HQR_STORE_JOBS_H
#define HQR_STORE_JOBS_H
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Takes job's lease for holder until `until` when it ran out by now: *claimed 1 when taken. */
enum db_rc jobs_lease_claim(struct db *db, const char *job, const char *holder, int64_t until, int64_t now,
			    int *claimed);
/* Who holds job's lease (holder of cap bytes), and until when; DB_NOROW when job has no row. */
enum db_rc jobs_lease_holder(struct db *db, const char *job, char *holder, size_t cap, int64_t *until);
/* Takes job's lease from other (a run that died) for holder until `until`: *taken 1 when taken. */
enum db_rc jobs_lease_takeover(struct db *db, const char *job, const char *holder, const char *other, int64_t until,
			       int *taken);
/* Keeps holder's lease of job until `until`: *kept 1 when holder still held it. */
enum db_rc jobs_lease_renew(struct db *db, const char *job, const char *holder, int64_t until, int *kept);
/* Ends holder's lease of job. */
enum db_rc jobs_lease_release(struct db *db, const char *job, const char *holder);

/* The persons with a red code after the person id after, ascending: ids (*n of them, at most
 * JOBS_RED_MAX). */
#define JOBS_RED_MAX 500
enum db_rc jobs_red_codes_after(struct db *db, uint64_t after, uint64_t ids[JOBS_RED_MAX], int *n);

/* An account that holds a person, to remind of the person's report. */
struct reminder_target {
	uint64_t account;
	char openid[72], pid[32], name[128]; /* name: masked */
};
/* fn(target, arg) for every holder of person; fn must not use the connection. */
enum db_rc jobs_reminder_targets(struct db *db, uint64_t person, void (*fn)(const struct reminder_target *t, void *arg),
				 void *arg);
/* Claims the reminder of person's report of day to account (pending) unless it is there already. */
enum db_rc jobs_reminder_claim(struct db *db, uint64_t person, int32_t day, uint64_t account, int64_t now);
/* The reminder's status ("pending", "sent", "failed", ...; status of 24 bytes). */
enum db_rc jobs_reminder_status(struct db *db, uint64_t person, int32_t day, uint64_t account, char status[24]);
/* Ends the reminder with status and the platform's errcode (0 for none). */
enum db_rc jobs_reminder_done(struct db *db, uint64_t person, int32_t day, uint64_t account, const char *status,
			      int32_t errcode);

/* What retention deletes, and what `before` counts in for each. */
enum jobs_purge {
	JOBS_PURGE_SCANS,        /* local day */
	JOBS_PURGE_REPORTS,      /* local day */
	JOBS_PURGE_REMINDERS,    /* local day */
	JOBS_PURGE_REFUSALS,     /* local day */
	JOBS_PURGE_SESSIONS,     /* unix seconds */
	JOBS_PURGE_STATES,       /* unix seconds */
	JOBS_PURGE_OAUTH_CODES,  /* unix seconds */
	JOBS_PURGE_PUSH_DEDUP,   /* unix seconds */
	JOBS_PURGE_PUSH_NONCES,  /* unix seconds */
	JOBS_PURGE_IDEMPOTENCY,  /* unix seconds */
	JOBS_PURGE_NONCES,       /* unix seconds */
	JOBS_PURGE_VERIFS,       /* unix seconds */
	JOBS_PURGE_SCAN_CLIENTS, /* unix seconds */
	JOBS_PURGE_PLACE_LAST,   /* unix milliseconds */
	JOBS_PURGE__MAX
};
/* Deletes the rows of what older than before, 10000 a statement, until a statement deletes fewer
 * (1000 statements at the most); adds the rows deleted to *count (may be NULL). */
enum db_rc jobs_purge(struct db *db, enum jobs_purge what, int64_t before, long *count);

#endif
