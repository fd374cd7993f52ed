/* scanq.c: group commit of scans: one committer thread per worker; a group of devices' scans is
 * looked up in one statement and written in one more (atomic by itself, durable at return); a
 * group's check-ins at place codes are looked up in one more, counted in shared memory, and
 * written with their claims in one transaction on a second connection without autocommit (the
 * claims open it: claims, scans, commit). */
#include "scanq.h"
#include "clock.h"
#include "conf.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GROUP_MAX    512 /* scans in one group */
#define ROW_PARAMS   14
#define INSERT_MAX   32 /* rows in one statement (STMT_SCAN_INSERT_1..32) */
/* Under load (the previous group had several tickets), the committer waits up to GATHER_US for
 * every request thread of the worker to queue a scan before it starts a group: fewer, larger
 * groups cost the database less per scan (measured: about 100 us of database time per scan in
 * groups of 5, 60-75 in groups of 13). A lone scan at a quiet hour is never held. */
#define GATHER_US    1500
#define LOOKUP_MAX   32 /* triples in one lookup statement */
#define CLAIM_MAX    32 /* check-ins claimed in one statement (STMT_PLACE_CLAIM_1..32) */
#define CLAIM_PARAMS 7
#define ROWS_MAX     (GROUP_MAX * SCANQ_ROWS_MAX)

_Static_assert(PLACES_ASK_MAX == SCANQ_ROWS_MAX, "a check-in's persons are its rows");

struct ticket {
	struct scan_job *job; /* a scan to look up, decide and write */
	int done;
	enum db_rc rc;
	pthread_cond_t cv; /* its writer waits here alone: a commit wakes only its group */
	struct ticket *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work; /* on CLOCK_MONOTONIC: set up by scanq_start */
static struct ticket *head, *tail;
static int running, stopping;
static size_t queued;     /* tickets in the queue */
static int gathering;     /* the committer waits for a fuller group: wake it when full */
static size_t last_group; /* tickets in the previous group */
static size_t gather_min; /* a full group: one ticket per request thread */
static pthread_t committer;
static struct db *cdb;
/* The committer's second connection, without autocommit, for groups with check-ins: their claims
 * and scans open its transaction themselves (no BEGIN of its own), then it commits. */
static struct db *tdb;

/* Binds one row's 14 parameters at p[0..14). */
static void bind_row(struct db_param *p, const struct scan_row *r)
{
	p[0] = (struct db_param)DBP_U64(&r->id);
	p[1] = (struct db_param)DBP_I32(&r->local_day);
	p[2] = (struct db_param)DBP_I64(&r->at_ms);
	p[3] = (struct db_param)DBP_U64(&r->checkpoint);
	p[4] = r->device ? (struct db_param)DBP_U64(&r->device) : (struct db_param)DBP_NULL(DBT_U64);
	p[5] = r->integrator ? (struct db_param)DBP_U64(&r->integrator) : (struct db_param)DBP_NULL(DBT_U64);
	p[6] = r->person ? (struct db_param)DBP_U64(&r->person) : (struct db_param)DBP_NULL(DBT_U64);
	p[7] = (struct db_param)DBP_I32(&r->kind);
	p[8] = (struct db_param)DBP_I32(&r->direction);
	p[9] =
	    r->has_temperature ? (struct db_param)DBP_I32(&r->temperature_tenths) : (struct db_param)DBP_NULL(DBT_I32);
	p[10] = (struct db_param)DBP_I32(&r->verdict);
	p[11] = (struct db_param)DBP_I32((const int32_t *)&r->reasons);
	p[12] = r->visitor != NULL ? (struct db_param)DBP_BLOB(r->visitor, r->visitor_len)
				   : (struct db_param)DBP_NULL(DBT_BLOB);
	p[13] = r->place_code ? (struct db_param)DBP_U64(&r->place_code) : (struct db_param)DBP_NULL(DBT_U64);
}

enum db_rc scanq_insert(struct db *db, const struct scan_row *rows, size_t n)
{
	static _Thread_local struct db_param p[INSERT_MAX * ROW_PARAMS + 1];
	for (size_t i = 0; i < n;) {
		size_t k = n - i < INSERT_MAX ? n - i : INSERT_MAX;
		for (size_t j = 0; j < k; j++)
			bind_row(&p[j * ROW_PARAMS], &rows[i + j]);
		p[k * ROW_PARAMS] = (struct db_param)DBP_END;
		enum db_rc rc = db_exec(db, (enum stmt)(STMT_SCAN_INSERT_1 + (k - 1)), p, NULL);
		if (rc != DB_OK)
			return rc;
		i += k;
	}
	return DB_OK;
}

struct rows_of {
	const struct scan_row *rows;
	size_t n;
};

static enum db_rc insert_rows(struct db *db, void *arg)
{
	const struct rows_of *rs = arg;
	return scanq_insert(db, rs->rows, rs->n);
}

static enum db_rc commit_group(const struct scan_row *rows, size_t n)
{
	/* One statement is atomic and durable by itself (autocommit): no transaction around it. A
	 * deadlock or a certification conflict runs it again (db.c). When the connection went while
	 * it committed and the second run on a new connection (another Galera node) finds its rows'
	 * random ids taken, the first run committed before the node went: the group is written. */
	if (n <= INSERT_MAX) {
		enum db_rc rc = scanq_insert(cdb, rows, n);
		return rc == DB_DUP && db_reran(cdb) ? DB_OK : rc;
	}
	struct rows_of rs = { rows, n };
	return db_txn_rerun(cdb, insert_rows, &rs);
}

/* Looks up n jobs of one kind (devices', or integrators' when integ) in statements of up to
 * LOOKUP_MAX rows. */
static enum db_rc lookup_kind(struct db *db, struct scan_job *const *jobs, size_t n, int integ)
{
	static const size_t sizes[] = { 1, 2, 4, 8, 16, LOOKUP_MAX };
	static const enum stmt dev_stmt[] = { STMT_SCAN_LOOKUP_1, STMT_SCAN_LOOKUP_2,  STMT_SCAN_LOOKUP_4,
					      STMT_SCAN_LOOKUP_8, STMT_SCAN_LOOKUP_16, STMT_SCAN_LOOKUP_32 };
	static const enum stmt int_stmt[] = { STMT_SCAN_ILOOKUP_1, STMT_SCAN_ILOOKUP_2,  STMT_SCAN_ILOOKUP_4,
					      STMT_SCAN_ILOOKUP_8, STMT_SCAN_ILOOKUP_16, STMT_SCAN_ILOOKUP_32 };
	static _Thread_local int32_t idx[LOOKUP_MAX];
	static _Thread_local struct db_param p[4 * LOOKUP_MAX + 1];
	const size_t w = integ ? 4 : 3; /* parameters per row */
	for (size_t base = 0; base < n; base += LOOKUP_MAX) {
		size_t m = n - base < LOOKUP_MAX ? n - base : LOOKUP_MAX, si = 0;
		while (sizes[si] < m)
			si++;
		/* Pads with the last row: its duplicate results carry the same index. */
		for (size_t j = 0; j < sizes[si]; j++) {
			size_t k = j < m ? j : m - 1;
			struct scan_job *jb = jobs[base + k];
			idx[j] = (int32_t)k;
			struct db_param *q = &p[w * j];
			q[0] = (struct db_param)DBP_I32(&idx[j]);
			if (integ) {
				q[1] = (struct db_param)DBP_U64(&jb->integrator);
				q[2] = (struct db_param)DBP_U64(&jb->checkpoint);
			} else {
				q[1] = (struct db_param)DBP_BLOB(jb->device_hash, sizeof jb->device_hash);
			}
			q[w - 1] = (struct db_param)DBP_U64(&jb->code_ref);
		}
		p[w * sizes[si]] = (struct db_param)DBP_END;
		int32_t i = 0;
		struct scan_lookup r;
		memset(&r, 0, sizeof r);
		struct db_col cols[] = { DBC_I32(&i),
					 DBC_U64(&r.device),
					 DBC_U64(&r.checkpoint),
					 DBC_I32(&r.cp_kind),
					 DBC_I32(&r.cp_type),
					 DBC_U64(&r.person),
					 DBC_I32((int32_t *)&r.serial),
					 DBC_TEXT(r.name_m, sizeof r.name_m),
					 DBC_TEXT(r.id_m, sizeof r.id_m),
					 DBC_I32(&r.id_type),
					 DBC_I32(&r.color),
					 DBC_I32(&r.resident),
					 DBC_END };
		enum db_rc rc = db_query(db, integ ? int_stmt[si] : dev_stmt[si], p, cols);
		if (rc != DB_OK)
			return rc;
		while ((rc = db_fetch(db)) == DB_OK) {
			if (i < 0 || (size_t)i >= m)
				continue;
			struct scan_job *jb = jobs[base + (size_t)i];
			jb->lk = r;
			jb->lk.device_found = 1;
			jb->lk.person_found = !cols[5].null && !cols[10].null && jb->code_ref != 0;
			if (!jb->lk.person_found) {
				jb->lk.person = 0;
				jb->lk.name_m[0] = jb->lk.id_m[0] = '\0';
			}
		}
		if (rc != DB_NOROW)
			return rc;
	}
	return DB_OK;
}

enum db_rc scanq_lookup(struct db *db, struct scan_job *const *jobs, size_t n)
{
	static _Thread_local struct scan_job *kind[2][GROUP_MAX];
	static _Thread_local struct place_checkin *places[GROUP_MAX];
	for (size_t base = 0; base < n; base += GROUP_MAX) {
		size_t nk[2] = { 0, 0 }, np = 0;
		for (size_t j = base; j < n && j < base + GROUP_MAX; j++) {
			memset(&jobs[j]->lk, 0, sizeof jobs[j]->lk);
			if (jobs[j]->place != NULL) {
				places[np++] = jobs[j]->place;
				continue;
			}
			if (jobs[j]->decide == NULL)
				continue; /* decided already: nothing to look up */
			int k = jobs[j]->integrator != 0;
			kind[k][nk[k]++] = jobs[j];
		}
		enum db_rc rc = nk[0] > 0 ? lookup_kind(db, kind[0], nk[0], 0) : DB_OK;
		if (rc == DB_OK && nk[1] > 0)
			rc = lookup_kind(db, kind[1], nk[1], 1);
		if (rc == DB_OK && np > 0)
			rc = places_checkin_lookup(db, places, np);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Counts a group's looked-up check-ins against their accounts' minutes (shared memory). */
static void count_places(struct scan_job *const *jobs, size_t n)
{
	int64_t now = clock_now();
	for (size_t j = 0; j < n; j++)
		if (jobs[j]->place != NULL)
			places_checkin_count(jobs[j]->place, now);
}

/* Claims, in the caller's transaction, the latest check-in of each row's person, place code and
 * direction (statements of up to CLAIM_MAX rows, padded with the last): stand[i] is the scan that
 * stands for rows[i] afterwards, its own id or an earlier equal check-in's. */
static enum db_rc claim_rows(struct db *db, const struct scan_row *const *rows, size_t n, uint64_t *stand)
{
	static const enum stmt st[] = { STMT_PLACE_CLAIM_1, STMT_PLACE_CLAIM_2,  STMT_PLACE_CLAIM_4,
					STMT_PLACE_CLAIM_8, STMT_PLACE_CLAIM_16, STMT_PLACE_CLAIM_32 };
	static const size_t sizes[] = { 1, 2, 4, 8, 16, CLAIM_MAX };
	static const int64_t window = PLACES_REPEAT_MS;
	static struct db_param p[CLAIM_PARAMS * CLAIM_MAX + 2];
	for (size_t base = 0; base < n; base += CLAIM_MAX) {
		size_t m = n - base < CLAIM_MAX ? n - base : CLAIM_MAX, si = 0;
		while (sizes[si] < m)
			si++;
		for (size_t j = 0; j < sizes[si]; j++) {
			const struct scan_row *r = rows[base + (j < m ? j : m - 1)];
			struct db_param *q = &p[CLAIM_PARAMS * j];
			q[0] = (struct db_param)DBP_U64(&r->person);
			q[1] = (struct db_param)DBP_U64(&r->place_code);
			q[2] = (struct db_param)DBP_I32(&r->direction);
			q[3] = (struct db_param)DBP_U64(&r->id);
			q[4] = (struct db_param)DBP_I64(&r->at_ms);
			q[5] = (struct db_param)DBP_I32(&r->verdict);
			q[6] = (struct db_param)DBP_I32((const int32_t *)&r->reasons);
		}
		p[CLAIM_PARAMS * sizes[si]] = (struct db_param)DBP_I64(&window);
		p[CLAIM_PARAMS * sizes[si] + 1] = (struct db_param)DBP_END;
		uint64_t scan = 0;
		struct db_col cols[] = { DBC_U64(&scan), DBC_END };
		enum db_rc rc = db_query(db, st[si], p, cols);
		if (rc != DB_OK)
			return rc;
		/* One row per row given, in the order given (the padding's last). */
		size_t j = 0;
		while ((rc = db_fetch(db)) == DB_OK)
			if (j < m)
				stand[base + j++] = scan;
		if (rc != DB_NOROW)
			return rc;
		if (j < m) {
			log_error("a check-in claim answered %zu rows for %zu", j, m);
			return DB_ERR;
		}
	}
	return DB_OK;
}

/* Where each row of a group came from: a check-in's job and its row there (NULL: not a check-in). */
static struct scan_job *row_job[ROWS_MAX];
static uint8_t row_k[ROWS_MAX];

/* Writes a group with check-ins in one transaction: their claims, then every row that stands
 * (the check-ins an equal earlier one answers are left out and named in their repeat_of). A
 * deadlock or a certification conflict runs it all again. */
static enum db_rc claim_and_insert(struct db *db, void *arg)
{
	static struct scan_row kept[ROWS_MAX];
	static const struct scan_row *claim[ROWS_MAX];
	static size_t claim_at[ROWS_MAX];
	static uint64_t stand[ROWS_MAX];
	const struct rows_of *rs = arg;
	const struct scan_row *rows = rs->rows;
	size_t nc = 0, nk = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (row_job[i] == NULL) {
			kept[nk++] = rows[i];
			continue;
		}
		claim[nc] = &rows[i];
		claim_at[nc++] = i;
	}
	enum db_rc rc = claim_rows(db, claim, nc, stand);
	if (rc != DB_OK)
		return rc;
	for (size_t c = 0; c < nc; c++) {
		size_t i = claim_at[c];
		row_job[i]->repeat_of[row_k[i]] = stand[c] == rows[i].id ? 0 : stand[c];
		if (stand[c] == rows[i].id)
			kept[nk++] = rows[i];
	}
	return nk > 0 ? scanq_insert(db, kept, nk) : DB_OK;
}

static enum db_rc commit_claims(const struct scan_row *rows, size_t n)
{
	struct rows_of rs = { rows, n };
	return db_txn_rerun(tdb, claim_and_insert, &rs);
}

/* One group: the jobs' lookups (one statement per kind), the check-ins' counts, their verdicts,
 * then every row in one insert (a transaction above INSERT_MAX rows, or with check-ins' claims).
 * Sets each ticket's rc. */
static void run_group(struct ticket *first, struct scan_row *rows, struct scan_job **jobs)
{
	size_t nj = 0, n = 0, nplace = 0;
	for (struct ticket *t = first; t != NULL; t = t->next)
		jobs[nj++] = t->job;
	enum db_rc rc = scanq_lookup(cdb, jobs, nj);
	if (rc == DB_OK) {
		count_places(jobs, nj);
		for (size_t j = 0; j < nj; j++) {
			struct scan_job *jb = jobs[j];
			if (jb->place != NULL) {
				jb->rows = NULL;
				jb->nrows = 0;
				memset(jb->repeat_of, 0, sizeof jb->repeat_of);
				(void)jb->decide(jb);
				for (size_t k = 0; k < jb->nrows && k < SCANQ_ROWS_MAX; k++) {
					row_job[n] = jb;
					row_k[n] = (uint8_t)k;
					rows[n++] = jb->rows[k];
					nplace++;
				}
				continue;
			}
			if (jb->decide == NULL) {
				for (size_t k = 0; k < jb->nrows && k < SCANQ_ROWS_MAX; k++) {
					row_job[n] = NULL;
					rows[n++] = jb->rows[k];
				}
				continue;
			}
			const struct scan_row *r = jb->decide(jb);
			if (r != NULL) {
				row_job[n] = NULL;
				rows[n++] = *r;
			}
		}
		if (n > 0)
			rc = nplace > 0 ? commit_claims(rows, n) : commit_group(rows, n);
	}
	/* Nothing here leaves a transaction open; if something did, its rows were not written. */
	if (db_txn_left_open(cdb) | db_txn_left_open(tdb)) {
		log_error("the scan committer left a transaction open: rolled back");
		rc = DB_ERR;
	}
	for (struct ticket *t = first; t != NULL; t = t->next)
		t->rc = rc;
}

static void *committer_main(void *arg)
{
	(void)arg;
	db_thread_init();
	static struct scan_row rows[ROWS_MAX]; /* one committer per process */
	static struct scan_job *jobs[GROUP_MAX];
	pthread_mutex_lock(&lock);
	for (;;) {
		while (head == NULL && !stopping)
			pthread_cond_wait(&work, &lock);
		if (head == NULL && stopping)
			break;
		if (last_group > 1 && queued < gather_min && !stopping) {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += GATHER_US * 1000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			gathering = 1;
			while (queued < gather_min && !stopping && pthread_cond_timedwait(&work, &lock, &until) == 0)
				;
			gathering = 0;
		}
		/* Take up to a group's worth of tickets. */
		struct ticket *first = head, *last = head;
		size_t nt = 1;
		while (last->next != NULL && nt < GROUP_MAX) {
			last = last->next;
			nt++;
		}
		queued -= nt;
		last_group = nt;
		head = last->next;
		if (head == NULL)
			tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&lock);
		run_group(first, rows, jobs);
		pthread_mutex_lock(&lock);
		for (struct ticket *t = first, *next; t != NULL; t = next) {
			next = t->next; /* t may be gone once its writer sees done */
			t->done = 1;
			pthread_cond_signal(&t->cv);
		}
	}
	pthread_mutex_unlock(&lock);
	db_close(cdb);
	db_close(tdb);
	cdb = tdb = NULL;
	db_thread_end();
	return NULL;
}

int scanq_start(const struct conf *c)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&work, &ca) != 0)
		return -1;
	pthread_condattr_destroy(&ca);
	gather_min = c->threads < GROUP_MAX ? (size_t)c->threads : GROUP_MAX;
	cdb = db_open(c);
	tdb = db_open(c);
	if (cdb == NULL || tdb == NULL) {
		db_close(cdb);
		db_close(tdb);
		return -1;
	}
	db_no_autocommit(tdb);
	stopping = 0;
	if (pthread_create(&committer, NULL, committer_main, NULL) != 0) {
		db_close(cdb);
		db_close(tdb);
		return -1;
	}
	running = 1;
	return 0;
}

void scanq_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&lock);
	pthread_join(committer, NULL);
	running = 0;
}

static enum db_rc enqueue(struct ticket *t)
{
	pthread_mutex_lock(&lock);
	if (!running || stopping) {
		pthread_mutex_unlock(&lock);
		return DB_DOWN;
	}
	if (tail != NULL)
		tail->next = t;
	else
		head = t;
	tail = t;
	queued++;
	if (!gathering || queued >= gather_min)
		pthread_cond_signal(&work);
	while (!t->done)
		pthread_cond_wait(&t->cv, &lock);
	pthread_mutex_unlock(&lock);
	pthread_cond_destroy(&t->cv);
	return t->rc;
}

enum db_rc scanq_submit(struct scan_job *job)
{
	struct ticket t = { job, 0, DB_ERR, PTHREAD_COND_INITIALIZER, NULL };
	/* The committer unlinks a ticket before it marks it done: nothing refers to t afterwards. */
	return enqueue(&t); // NOLINT(clang-analyzer-core.StackAddressEscape)
}
