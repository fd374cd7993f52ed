/* ctl_jobs.c: `hqrctl jobs daily [--date YYYY-MM-DD]`: conversions to green, report reminders,
 * retention. Safe to run twice or to resume after a crash: every step is idempotent. Runs once
 * across hosts: a run holds the job's lease (job_leases) and another host's run leaves at once. */
#include "clock.h"
#include "codes.h"
#include "conf.h"
#include "ctl.h"
#include "partitions.h"
#include "pf_errcode.h"
#include "platform.h"
#include "rules.h"
#include "store_jobs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TARGETS_MAX 1024 /* holders of one person reminded */
#define JOB_LEASE_S 120  /* a run renews its lease as it goes; one that died frees it after this */
#define JOB_RENEW_S 30

static char ctl_job_holder[96]; /* this run's "host:pid" while it holds the daily lease */

struct totals {
	long reds, converted, reminders_sent, reminders_skipped, reminders_refused, reminders_failed;
	long partitions_added, partitions_dropped, reports_deleted;
};

/* Unix time of local midnight starting day. */
static int64_t local_midnight(int32_t day)
{
	int y, m, d;
	day_to_ymd(day, &y, &m, &d);
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Sends one reminder (claimed first, so that a rerun after a crash sends it again only through
 * the same client_msg_id, which the platform deduplicates). */
static void remind(struct ctl *ctl, uint64_t person, int32_t day, uint64_t account, const char *openid, const char *pid,
		   const char *name, int64_t now, struct totals *t)
{
	if (jobs_reminder_claim(ctl->db, person, day, account, now) != DB_OK) {
		t->reminders_failed++;
		return;
	}
	char status[24];
	if (jobs_reminder_status(ctl->db, person, day, account, status) != DB_OK ||
	    (strcmp(status, "pending") != 0 && strcmp(status, "failed") != 0)) {
		t->reminders_skipped++;
		return;
	}
	char date[DAY_BUF], cmid[128];
	day_format(day, date);
	snprintf(cmid, sizeof cmid, "rem-%s-%d-%llu", pid, day, (unsigned long long)account);
	const struct pf_template tm = {
		.touser = openid,
		.template_id = ctl->conf->template_reminder,
		.client_msg_id = cmid,
		.first = "Your daily health report is due",
		.keyword1 = name,
		.keyword2 = date,
		.remark = "File it in the Health Code page",
	};
	struct pf_resp r;
	enum pf_rc rc = platform_template_send(ctl->conf, ctl->db, &tm, &r);
	const char *done = "sent";
	int32_t errcode = 0;
	if (rc == PF_OK) {
		t->reminders_sent++;
	} else if (rc == PF_ERRCODE && (r.errcode == PFE_REQUIRE_SUBSCRIBE || r.errcode == PFE_USER_REFUSED)) {
		done = r.errcode == PFE_REQUIRE_SUBSCRIBE ? "unsubscribed" : "refused";
		errcode = (int32_t)r.errcode;
		t->reminders_refused++;
	} else {
		done = "failed";
		errcode = rc == PF_ERRCODE ? (int32_t)r.errcode : -1;
		t->reminders_failed++;
	}
	pf_resp_free(&r);
	jobs_reminder_done(ctl->db, person, day, account, done, errcode);
}

struct targets {
	struct reminder_target t[TARGETS_MAX];
	int n;
};

static void add_target(const struct reminder_target *t, void *arg)
{
	struct targets *k = arg;
	if (k->n < TARGETS_MAX)
		k->t[k->n++] = *t;
}

static void remind_holders(struct ctl *ctl, uint64_t person, int32_t day, int64_t now, struct totals *t)
{
	/* Targets are read first, then messaged: a cursor must not stay open across other statements. */
	static struct targets k;
	k.n = 0;
	if (jobs_reminder_targets(ctl->db, person, add_target, &k) != DB_OK)
		return;
	for (int i = 0; i < k.n; i++)
		remind(ctl, person, day, k.t[i].account, k.t[i].openid, k.t[i].pid, k.t[i].name, now, t);
}

/* 1 when holder ("host:pid") names a process of this host that no longer runs. */
static int holder_dead_here(const char *holder)
{
	char host[64] = "";
	const char *colon = strrchr(holder, ':');
	if (colon == NULL || gethostname(host, sizeof host - 1) != 0 || (size_t)(colon - holder) != strlen(host) ||
	    strncmp(holder, host, strlen(host)) != 0)
		return 0;
	char *end;
	long pid = strtol(colon + 1, &end, 10);
	if (*end != '\0' || pid <= 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Claims the job's lease for holder ("host:pid"): 1 when this run holds it, 0 when another run
 * does (named on standard output), -1 when the database cannot say. A lease held by a process of
 * this host that died (killed mid-run) is taken over at once; another host's runs out by itself. */
static int lease_claim(struct ctl *ctl, const char *job, const char *holder)
{
	int64_t now = clock_now(), until = now + JOB_LEASE_S;
	int claimed = 0;
	if (jobs_lease_claim(ctl->db, job, holder, until, now, &claimed) != DB_OK)
		return -1;
	if (claimed)
		return 1;
	char other[100] = "";
	int64_t other_until = 0;
	enum db_rc rc = jobs_lease_holder(ctl->db, job, other, sizeof other, &other_until);
	if (rc == DB_NOROW) {
		fprintf(stderr, "hqrctl: no lease row for the %s job: run hqrctl migrate\n", job);
		return -1;
	}
	if (rc != DB_OK)
		return -1;
	if (holder_dead_here(other)) {
		int taken = 0;
		if (jobs_lease_takeover(ctl->db, job, holder, other, until, &taken) != DB_OK)
			return -1;
		if (taken) {
			printf("the %s job's last run (%s) died: taking over\n", job, other);
			return 1;
		}
	}
	printf("the %s job is running elsewhere (%s, its lease for %lld s more): nothing done here\n", job, other,
	       (long long)(other_until - now));
	return 0;
}

/* Keeps the lease while the job runs (at most every JOB_RENEW_S). */
static void lease_renew(struct ctl *ctl)
{
	static int64_t last;
	int64_t now = clock_now();
	if (ctl_job_holder[0] == '\0' || now - last < JOB_RENEW_S)
		return;
	last = now;
	int64_t until = now + JOB_LEASE_S;
	int kept = 0;
	if (jobs_lease_renew(ctl->db, "daily", ctl_job_holder, until, &kept) != DB_OK || !kept)
		fprintf(stderr, "hqrctl: the daily job's lease could not be renewed\n");
}

static void lease_release(struct ctl *ctl, const char *job, const char *holder)
{
	if (jobs_lease_release(ctl->db, job, holder) != DB_OK)
		fprintf(stderr, "hqrctl: the %s job's lease was not released (it runs out by itself)\n", job);
}

static int run_daily(struct ctl *ctl, int32_t day, int64_t now, int reminders_due);

int ctl_jobs(struct ctl *ctl, int argc, char **argv)
{
	int32_t day;
	int64_t now = clock_now();
	int reminders_due;
	if (argc == 1 && strcmp(argv[0], "daily") == 0) {
		day = clock_local_day(now);
		time_t tt = (time_t)now;
		struct tm tm;
		localtime_r(&tt, &tm);
		reminders_due = tm.tm_hour >= ctl->conf->reminder_hour;
	} else if (argc == 3 && strcmp(argv[0], "daily") == 0 && strcmp(argv[1], "--date") == 0 &&
		   day_parse(argv[2], strlen(argv[2]), &day)) {
		/* As of the end of that local day: its reminders are due. */
		now = local_midnight(day + 1) - 60;
		reminders_due = 1;
	} else {
		fprintf(stderr, "usage: hqrctl jobs daily [--date YYYY-MM-DD]\n");
		return 2;
	}
	char host[64] = "", holder[96];
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "unknown");
	snprintf(holder, sizeof holder, "%s:%ld", host, (long)getpid());
	int claimed = lease_claim(ctl, "daily", holder);
	if (claimed < 0) {
		fprintf(stderr, "hqrctl: cannot claim the daily job's lease\n");
		return 1;
	}
	if (claimed == 0)
		return 0;
	snprintf(ctl_job_holder, sizeof ctl_job_holder, "%s", holder);
	int rc = run_daily(ctl, day, now, reminders_due);
	lease_release(ctl, "daily", holder);
	return rc;
}

static int run_daily(struct ctl *ctl, int32_t day, int64_t now, int reminders_due)
{
	char date[DAY_BUF], err[512];
	day_format(day, date);
	struct totals t = { 0 };
	platform_global_init();
	printf("daily job for %s\n", date);

	int n = partitions_ensure(ctl->db, day, 7, err, sizeof err);
	if (n < 0)
		fprintf(stderr, "hqrctl: partitions: %s\n", err);
	else
		t.partitions_added = n;
	printf("partitions: %ld added\n", t.partitions_added);

	/* Conversions and reminders, red code by red code (each its own transaction). */
	uint64_t after = 0;
	for (;;) {
		uint64_t ids[JOBS_RED_MAX];
		int k = 0;
		if (jobs_red_codes_after(ctl->db, after, ids, &k) != DB_OK) {
			fprintf(stderr, "hqrctl: cannot list red codes\n");
			return 1;
		}
		if (k == 0)
			break;
		for (int i = 0; i < k; i++) {
			struct code_state code;
			struct code_status st;
			lease_renew(ctl);
			t.reds++;
			if (codes_read(ctl->db, ctl->conf, ids[i], now, &code, &st) != DB_OK)
				continue;
			if (code.color == RULES_COLOR_GREEN) {
				t.converted++;
				continue;
			}
			if (reminders_due && st.has_obs && st.obs.report_due)
				remind_holders(ctl, ids[i], day, now, &t);
		}
		after = ids[k - 1];
		printf("codes: %ld red seen, %ld turned green\n", t.reds, t.converted);
		fflush(stdout);
	}
	printf("reminders: %ld sent, %ld already sent, %ld refused by the user, %ld failed%s\n", t.reminders_sent,
	       t.reminders_skipped, t.reminders_refused, t.reminders_failed,
	       reminders_due ? "" : " (not due before the reminder hour)");

	lease_renew(ctl);
	/* Retention: whole days of scans, and reports, older than retention_days. */
	int32_t keep_from = day - ctl->conf->retention_days;
	n = partitions_drop_before(ctl->db, keep_from, err, sizeof err);
	if (n < 0)
		fprintf(stderr, "hqrctl: partitions: %s\n", err);
	else
		t.partitions_dropped = n;
	long stray = 0;
	jobs_purge(ctl->db, JOBS_PURGE_SCANS, keep_from, &stray);
	jobs_purge(ctl->db, JOBS_PURGE_REPORTS, keep_from, &t.reports_deleted);
	jobs_purge(ctl->db, JOBS_PURGE_REMINDERS, keep_from, NULL);
	int64_t real_now = clock_now(), day_ago = real_now - 86400;
	jobs_purge(ctl->db, JOBS_PURGE_SESSIONS, real_now, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_STATES, real_now, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_OAUTH_CODES, real_now, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_PUSH_DEDUP, day_ago, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_PUSH_NONCES, real_now, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_IDEMPOTENCY, day_ago, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_NONCES, day_ago, NULL);
	/* Face verifications (an identity, sealed) a day after they expired; yesterday's refusals. */
	jobs_purge(ctl->db, JOBS_PURGE_VERIFS, day_ago, NULL);
	jobs_purge(ctl->db, JOBS_PURGE_REFUSALS, day - 1, NULL);
	int64_t batch_keep = real_now - (int64_t)ctl->conf->retention_days * 86400;
	jobs_purge(ctl->db, JOBS_PURGE_SCAN_CLIENTS, batch_keep, NULL);
	/* Check-ins' latest rows past their 5 minutes answer nothing any more. */
	jobs_purge(ctl->db, JOBS_PURGE_PLACE_LAST, (real_now - 600) * 1000, NULL);
	printf("retention: kept from %d days back: %ld scan partitions dropped (%ld older scans deleted), "
	       "%ld reports deleted\n",
	       ctl->conf->retention_days, t.partitions_dropped, stray, t.reports_deleted);
	printf("done: %ld turned green, %ld reminders sent\n", t.converted, t.reminders_sent);
	platform_thread_end();
	return 0;
}
