/* scanq.c: group commit of scans: one committer thread per worker, one transaction per group. */
#include "scanq.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_MAX 512      /* rows in one transaction */
#define ROW_PARAMS 13

struct ticket {
	const struct scan_row *rows;
	size_t n;
	int done;
	enum db_rc rc;
	struct ticket *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static struct ticket *head, *tail;
static int running, stopping;
static pthread_t committer;
static struct db *cdb;

/* Binds one row's 13 parameters at p[0..13). */
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
	p[9] = r->has_temperature ? (struct db_param)DBP_I32(&r->temperature_tenths) : (struct db_param)DBP_NULL(DBT_I32);
	p[10] = (struct db_param)DBP_I32(&r->verdict);
	p[11] = (struct db_param)DBP_I32((const int32_t *)&r->reasons);
	p[12] = r->visitor != NULL ? (struct db_param)DBP_BLOB(r->visitor, r->visitor_len) : (struct db_param)DBP_NULL(DBT_BLOB);
}

enum db_rc scanq_insert(struct db *db, const struct scan_row *rows, size_t n)
{
	struct db_param p[16 * ROW_PARAMS + 1];
	size_t i = 0;
	while (i < n) {
		size_t k = n - i >= 16 ? 16 : 1;
		for (size_t j = 0; j < k; j++)
			bind_row(&p[j * ROW_PARAMS], &rows[i + j]);
		p[k * ROW_PARAMS] = (struct db_param)DBP_END;
		enum db_rc rc = db_exec(db, k == 16 ? STMT_SCAN_INSERT_16 : STMT_SCAN_INSERT_1, p, NULL);
		if (rc != DB_OK)
			return rc;
		i += k;
	}
	return DB_OK;
}

static enum db_rc commit_group(const struct scan_row *rows, size_t n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		enum db_rc rc = db_begin(cdb);
		if (rc == DB_OK)
			rc = scanq_insert(cdb, rows, n);
		if (rc == DB_OK)
			rc = db_commit(cdb);
		else
			db_rollback(cdb);
		/* A lost connection rolled the group back: reconnect and write it once more. */
		if (rc != DB_DOWN)
			return rc;
	}
	return DB_DOWN;
}

static void *committer_main(void *arg)
{
	(void)arg;
	db_thread_init();
	static struct scan_row rows[GROUP_MAX]; /* one committer per process */
	pthread_mutex_lock(&lock);
	for (;;) {
		while (head == NULL && !stopping)
			pthread_cond_wait(&work, &lock);
		if (head == NULL && stopping)
			break;
		/* Take every ticket that fits in one group. */
		struct ticket *first = head, *last = NULL;
		size_t n = 0;
		for (struct ticket *t = head; t != NULL && n + t->n <= GROUP_MAX; t = t->next) {
			memcpy(rows + n, t->rows, t->n * sizeof *rows);
			n += t->n;
			last = t;
		}
		if (last == NULL) { /* a ticket larger than a group: write it alone */
			last = head;
		}
		head = last->next;
		if (head == NULL)
			tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&lock);
		enum db_rc rc = n > 0 ? commit_group(rows, n) : commit_group(first->rows, first->n);
		pthread_mutex_lock(&lock);
		for (struct ticket *t = first; t != NULL; t = t->next) {
			t->rc = rc;
			t->done = 1;
		}
		pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&lock);
	db_close(cdb);
	cdb = NULL;
	db_thread_end();
	return NULL;
}

int scanq_start(const struct conf *c)
{
	cdb = db_open(c);
	if (cdb == NULL)
		return -1;
	stopping = 0;
	if (pthread_create(&committer, NULL, committer_main, NULL) != 0) {
		db_close(cdb);
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

enum db_rc scanq_write(const struct scan_row *rows, size_t n)
{
	struct ticket t = { rows, n, 0, DB_ERR, NULL };
	pthread_mutex_lock(&lock);
	if (!running || stopping) {
		pthread_mutex_unlock(&lock);
		return DB_DOWN;
	}
	if (tail != NULL)
		tail->next = &t;
	else
		head = &t;
	tail = &t;
	pthread_cond_signal(&work);
	while (!t.done)
		pthread_cond_wait(&done, &lock);
	pthread_mutex_unlock(&lock);
	return t.rc;
}
