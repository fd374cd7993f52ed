/* test_db_rerun.c: db.c against a model of libmariadb's prepared statements (this file defines the
 * client functions db.c calls, so the test binary uses them instead of the library's). The case:
 * a SELECT's result fails after its columns came (a deadlock or a Galera certification conflict
 * in place of the result's end). libmariadb's mysql_stmt_store_result then leaves the handle
 * waiting for rows, mysql_stmt_free_result leaves it so, and the handle's next execute first
 * reads the rest of a result the server never sends: the connection's read timeout, then 2006.
 * Only mysql_stmt_reset (or a new handle) puts it back to prepared. Seen on the cluster as a 503
 * after 10 s for the second run of a conflicting application; the model keeps the rule and
 * answers at once, counting the executes that would have waited. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"

/* The model: one connection, each handle's state as libmariadb keeps it. */
struct fake_stmt {
	int used;
	MYSQL_STMT *st;
	int fields;
	int params;
	int waiting_rows; /* a result failed after its columns: the handle still waits for rows */
	int fetched;
	unsigned err;
	MYSQL_BIND *cols;
};

static struct fake_stmt fakes[512];
static MYSQL fake_mysql;
static int fail_next_rows;   /* the next stored result fails with this error after its columns */
static int stalled_executes; /* executes that would have waited for the read timeout */
static int resets;

static struct fake_stmt *fake_of(MYSQL_STMT *st)
{
	for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++)
		if (fakes[i].used && fakes[i].st == st)
			return &fakes[i];
	fail_msg("unknown statement handle");
	return NULL;
}

int mysql_server_init(int argc, char **argv, char **groups)
{
	(void)argc, (void)argv, (void)groups;
	return 0;
}
my_bool mysql_thread_init(void)
{
	return 0;
}
void mysql_thread_end(void)
{
}
MYSQL *mysql_init(MYSQL *m)
{
	(void)m;
	return &fake_mysql;
}
int mysql_optionsv(MYSQL *m, enum mysql_option o, ...)
{
	(void)m, (void)o;
	return 0;
}
int mysql_options(MYSQL *m, enum mysql_option o, const void *arg)
{
	(void)m, (void)o, (void)arg;
	return 0;
}
MYSQL *mysql_real_connect(MYSQL *m, const char *host, const char *user, const char *passwd, const char *db,
			  unsigned int port, const char *unix_socket, unsigned long flags)
{
	(void)host, (void)user, (void)passwd, (void)db, (void)port, (void)unix_socket, (void)flags;
	return m;
}
void mysql_close(MYSQL *m)
{
	(void)m;
}
unsigned int mysql_errno(MYSQL *m)
{
	(void)m;
	return 0;
}
const char *mysql_error(MYSQL *m)
{
	(void)m;
	return "";
}
my_bool mysql_commit(MYSQL *m)
{
	(void)m;
	return 0;
}
my_bool mysql_rollback(MYSQL *m)
{
	(void)m;
	return 0;
}
my_bool mariadb_get_infov(MYSQL *m, enum mariadb_value v, void *arg, ...)
{
	(void)m, (void)v;
	*(unsigned int *)arg = 0;
	return 0;
}

MYSQL_STMT *mysql_stmt_init(MYSQL *m)
{
	(void)m;
	for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++)
		if (!fakes[i].used) {
			memset(&fakes[i], 0, sizeof fakes[i]);
			fakes[i].used = 1;
			fakes[i].st = calloc(1, sizeof(MYSQL_STMT));
			return fakes[i].st;
		}
	return NULL;
}
/* The columns of a SELECT: its commas before FROM, plus one (the statements used here have no
 * function with two arguments before FROM). */
int mysql_stmt_prepare(MYSQL_STMT *st, const char *q, unsigned long len)
{
	struct fake_stmt *f = fake_of(st);
	(void)len;
	f->params = 0;
	for (const char *p = q; *p != '\0'; p++)
		f->params += *p == '?';
	f->fields = 0;
	if (strncmp(q, "SELECT ", 7) == 0) {
		const char *from = strstr(q, " FROM ");
		f->fields = 1;
		for (const char *p = q; from != NULL && p < from; p++)
			f->fields += *p == ',';
	}
	return 0;
}
my_bool mysql_stmt_close(MYSQL_STMT *st)
{
	struct fake_stmt *f = fake_of(st);
	free(f->st);
	f->used = 0;
	return 0;
}
unsigned long mysql_stmt_param_count(MYSQL_STMT *st)
{
	return (unsigned long)fake_of(st)->params;
}
unsigned int mysql_stmt_field_count(MYSQL_STMT *st)
{
	return (unsigned int)fake_of(st)->fields;
}
my_bool mysql_stmt_bind_param(MYSQL_STMT *st, MYSQL_BIND *b)
{
	(void)st, (void)b;
	return 0;
}
my_bool mysql_stmt_bind_result(MYSQL_STMT *st, MYSQL_BIND *b)
{
	fake_of(st)->cols = b;
	return 0;
}
/* libmariadb: a handle still waiting for rows first reads them; the server sends none, so the
 * read ends at the read timeout, the connection is closed and the execute answers 2006. */
int mysql_stmt_execute(MYSQL_STMT *st)
{
	struct fake_stmt *f = fake_of(st);
	f->fetched = 0;
	if (f->waiting_rows) {
		stalled_executes++;
		f->waiting_rows = 0;
		f->err = CR_SERVER_GONE_ERROR;
		return 1;
	}
	f->err = 0;
	return 0;
}
int mysql_stmt_store_result(MYSQL_STMT *st)
{
	struct fake_stmt *f = fake_of(st);
	if (fail_next_rows != 0) {
		f->err = (unsigned)fail_next_rows;
		f->waiting_rows = 1;
		fail_next_rows = 0;
		return 1;
	}
	return 0;
}
my_bool mysql_stmt_free_result(MYSQL_STMT *st)
{
	(void)fake_of(st); /* frees a stored result; a handle waiting for rows still waits */
	return 0;
}
my_bool mysql_stmt_reset(MYSQL_STMT *st)
{
	struct fake_stmt *f = fake_of(st);
	f->waiting_rows = 0;
	resets++;
	return 0;
}
/* One row: each integer column 7. */
int mysql_stmt_fetch(MYSQL_STMT *st)
{
	struct fake_stmt *f = fake_of(st);
	if (f->fetched++ > 0)
		return MYSQL_NO_DATA;
	for (int i = 0; i < f->fields && f->cols != NULL; i++) {
		if (f->cols[i].buffer_type == MYSQL_TYPE_LONG)
			*(int32_t *)f->cols[i].buffer = 7;
		if (f->cols[i].length != NULL)
			*f->cols[i].length = 4;
	}
	return 0;
}
unsigned int mysql_stmt_errno(MYSQL_STMT *st)
{
	return fake_of(st)->err;
}
const char *mysql_stmt_error(MYSQL_STMT *st)
{
	return fake_of(st)->err != 0 ? "error" : "";
}
my_ulonglong mysql_stmt_affected_rows(MYSQL_STMT *st)
{
	(void)st;
	return 1;
}
my_ulonglong mysql_stmt_insert_id(MYSQL_STMT *st)
{
	(void)st;
	return 0;
}

static struct conf conf;

/* A holder's role, read in a transaction whose first run a conflict rolls back after the SELECT's
 * columns came: the second run reads it at once, on the same connection. */
static void test_second_run_after_a_conflict_in_the_rows_reads_at_once(void **state)
{
	(void)state;
	struct db *db = db_open(&conf);
	assert_non_null(db);
	int64_t account = 5, person = 9;
	int32_t role = 0;
	struct db_param p[] = { DBP_I64(&account), DBP_I64(&person), DBP_END };
	struct db_col c[] = { DBC_I32(&role), DBC_END };

	assert_int_equal(db_begin(db), DB_OK);
	fail_next_rows = ER_LOCK_DEADLOCK;
	assert_int_equal(db_exec(db, STMT_HOLDER_GET, p, c), DB_RETRY);
	db_rollback(db);

	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, STMT_HOLDER_GET, p, c), DB_OK);
	assert_int_equal(role, 7);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(stalled_executes, 0);
	assert_true(resets >= 1);
	db_close(db);
}

/* Outside a transaction the statement runs again by itself after the conflict (run_retry). */
static void test_a_lone_statement_whose_rows_failed_runs_again_at_once(void **state)
{
	(void)state;
	struct db *db = db_open(&conf);
	int64_t account = 5, person = 9;
	int32_t role = 0;
	struct db_param p[] = { DBP_I64(&account), DBP_I64(&person), DBP_END };
	struct db_col c[] = { DBC_I32(&role), DBC_END };
	stalled_executes = 0;
	fail_next_rows = ER_LOCK_DEADLOCK;
	assert_int_equal(db_exec(db, STMT_HOLDER_GET, p, c), DB_OK);
	assert_int_equal(role, 7);
	assert_int_equal(stalled_executes, 0);
	db_close(db);
}

int main(void)
{
	strcpy(conf.db_host, "127.0.0.1");
	conf.db_port = 3306;
	strcpy(conf.db_user, "hqr");
	strcpy(conf.db_name, "hqr");
	conf.db_timeout_s = 2;
	conf.db_read_timeout_s = 10;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_run_after_a_conflict_in_the_rows_reads_at_once),
		cmocka_unit_test(test_a_lone_statement_whose_rows_failed_runs_again_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
