/* db.c: MariaDB connection per thread; prepared statements by enum, typed binds, reconnect once. */
#include "db.h"
#include "conf.h"
#include "log.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_MAX_BINDS 448 /* parameters: 32 scan rows of 13 in one insert */
#define DB_MAX_COLS  224

struct db {
	const struct conf *conf;
	MYSQL *m;
	MYSQL_STMT *st[STMT__MAX];
	int in_txn;
	int pinned;      /* db_pin_begin: the caller's transaction; handlers' begin/commit nest in it */
	MYSQL_STMT *cur; /* statement of an open db_query cursor */
	struct db_col *cur_cols;
	uint64_t affected, insert_id;
	int server;          /* the server last connected to: 0 the configured host, 1.. fallback */
	unsigned last_errno; /* of the statement that failed last */
	int reran;           /* the last db_exec/db_query ran again after a lost connection */
	int no_autocommit;   /* db_no_autocommit: a transaction opens with its first statement */
};

void (*db_error_hook)(void);

void db_global_init(void)
{
	mysql_library_init(0, NULL, NULL);
}

void db_thread_init(void)
{
	mysql_thread_init();
}

void db_thread_end(void)
{
	mysql_thread_end();
}

static void count_error(void)
{
	if (db_error_hook != NULL)
		db_error_hook();
}

struct db *db_open(const struct conf *c)
{
	struct db *db = calloc(1, sizeof *db);
	if (db != NULL)
		db->conf = c;
	return db;
}

static void disconnect(struct db *db)
{
	for (int i = 0; i < STMT__MAX; i++) {
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
		db->st[i] = NULL;
	}
	if (db->m != NULL)
		mysql_close(db->m);
	db->m = NULL;
	db->in_txn = 0;
	db->cur = NULL;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db);
}

static int is_conn_error(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
	       e == CR_CONN_HOST_ERROR || e == CR_SERVER_LOST_EXTENDED || e == ER_CONNECTION_KILLED ||
	       e == ER_SERVER_SHUTDOWN || e == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */ ||
	       e == CR_COMMANDS_OUT_OF_SYNC || e == ER_UNKNOWN_COM_ERROR;
}

/* ER_UNKNOWN_COM_ERROR is a Galera node's "WSREP has not yet prepared node for application use":
 * it is up but out of the cluster (joining, or cut off from the majority). */
static int node_not_ready(unsigned e)
{
	return e == ER_UNKNOWN_COM_ERROR;
}

/* Prepares statement i; NULL on failure (logged; retried on first use). */
static MYSQL_STMT *prepare(struct db *db, int i)
{
	MYSQL_STMT *st = mysql_stmt_init(db->m);
	if (st == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, db_stmt_sql[i], strlen(db_stmt_sql[i])) != 0) {
		db->last_errno = mysql_stmt_errno(st);
		log_msg(LOG_WARN, NULL, "prepare of statement %d failed: %u %s", i, mysql_stmt_errno(st),
			mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

int db_servers(const struct conf *c, struct db_server *out, int max)
{
	int n = 0;
	if (max <= 0)
		return 0;
	out[n].host = c->db_socket[0] != '\0' ? NULL : c->db_host;
	out[n].socket = c->db_socket[0] != '\0' ? c->db_socket : NULL;
	out[n].port = c->db_port;
	n++;
	const char *f = c->db_fallback;
	while (*f != '\0' && n < max) {
		size_t len = strcspn(f, ",");
		const char *colon = memchr(f, ':', len);
		if (colon == NULL || (size_t)(colon - f) >= sizeof out[n].host_buf || colon == f)
			return -1;
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (end != f + len || port < 1 || port > 65535)
			return -1;
		memcpy(out[n].host_buf, f, (size_t)(colon - f));
		out[n].host_buf[colon - f] = '\0';
		out[n].host = out[n].host_buf;
		out[n].socket = NULL;
		out[n].port = (int)port;
		n++;
		f += len;
		if (*f == ',')
			f++;
	}
	return *f == '\0' ? n : -1;
}

int db_unprepared(struct db *db, int all, int *first)
{
	int n = 0;
	if (first != NULL)
		*first = -1;
	if (db_connect(db) != DB_OK)
		return -1;
	for (int i = 0; i < STMT__MAX; i++) {
		int lazy = DB_STMT_LAZY(i);
		if (lazy && !all)
			continue;
		MYSQL_STMT *st = db->st[i];
		if (st == NULL && (st = prepare(db, i)) == NULL) {
			if (n++ == 0 && first != NULL)
				*first = i;
			continue;
		}
		if (lazy)
			mysql_stmt_close(st); /* only checked: lazily prepared ones stay lazy */
		else
			db->st[i] = st;
	}
	return n;
}

/* Connects to one server and prepares every eager statement; DB_DOWN when it cannot be reached
 * or is a Galera node not ready for use. */
static enum db_rc connect_one(struct db *db, const struct db_server *sv)
{
	const struct conf *c = db->conf;
	db->m = mysql_init(NULL);
	if (db->m == NULL)
		return DB_DOWN;
	unsigned timeout = (unsigned)c->db_timeout_s, rw = (unsigned)c->db_read_timeout_s;
	mysql_options(db->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(db->m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(db->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->m, MYSQL_INIT_COMMAND,
		      db->no_autocommit ? "SET time_zone = '+00:00', autocommit = 0" : "SET time_zone = '+00:00'");
	if (mysql_real_connect(db->m, sv->host, c->db_user, c->db_password, c->db_name, (unsigned)sv->port, sv->socket,
			       0) == NULL) {
		log_msg(LOG_WARN, NULL, "database connect failed: %u", mysql_errno(db->m));
		count_error();
		mysql_close(db->m);
		db->m = NULL;
		return DB_DOWN;
	}
	for (int i = 0; i < STMT__MAX; i++) {
		if (DB_STMT_LAZY(i)) {
			db->st[i] = NULL;
			continue;
		}
		db->last_errno = 0;
		db->st[i] = prepare(db, i);
		if (db->st[i] == NULL && node_not_ready(db->last_errno)) {
			log_msg(LOG_WARN, NULL, "database server %d is not ready (a Galera node out of the cluster)",
				db->server);
			count_error();
			disconnect(db);
			return DB_DOWN;
		}
	}
	return DB_OK;
}

enum db_rc db_connect(struct db *db)
{
	if (db->m != NULL)
		return DB_OK;
	struct db_server sv[DB_SERVERS_MAX];
	int n = db_servers(db->conf, sv, DB_SERVERS_MAX);
	if (n <= 0)
		n = 1;
	/* From the server that worked last, round the list once. */
	for (int k = 0; k < n; k++) {
		int i = (db->server + k) % n;
		int was = db->server;
		db->server = i;
		if (connect_one(db, &sv[i]) == DB_OK) {
			if (i != was)
				log_msg(LOG_INFO, NULL, "database: connected to server %d of %d", i, n);
			return DB_OK;
		}
	}
	return DB_DOWN;
}

static enum db_rc fail(struct db *db, MYSQL_STMT *st, enum stmt s)
{
	unsigned e = st != NULL ? mysql_stmt_errno(st) : mysql_errno(db->m);
	if (st == NULL && e == 0)
		e = db->last_errno; /* a prepare that failed (its statement is closed) */
	db->last_errno = e;
	count_error();
	if (e == ER_DUP_ENTRY)
		return DB_DUP;
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT) {
		log_msg(LOG_INFO, NULL, "statement %d: transaction rolled back by a lock conflict (%u)", (int)s, e);
		return DB_RETRY;
	}
	if (is_conn_error(e)) {
		log_msg(LOG_WARN, NULL, "database connection lost (statement %d, error %u)", (int)s, e);
		disconnect(db);
		if (node_not_ready(e))
			db->server++; /* the next connect starts with the next server */
		return DB_DOWN;
	}
	log_msg(LOG_ERROR, NULL, "statement %d failed: %u %s", (int)s, e,
		st != NULL ? mysql_stmt_error(st) : mysql_error(db->m));
	return DB_ERR;
}

/* The MySQL type of a parameter or column of type t (text and blob lengths are the caller's). */
static void bind_type(MYSQL_BIND *b, enum db_type t)
{
	switch (t) {
	case DBT_I32: b->buffer_type = MYSQL_TYPE_LONG; break;
	case DBT_I64: b->buffer_type = MYSQL_TYPE_LONGLONG; break;
	case DBT_U64:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->is_unsigned = 1;
		break;
	case DBT_DOUBLE: b->buffer_type = MYSQL_TYPE_DOUBLE; break;
	case DBT_TEXT: b->buffer_type = MYSQL_TYPE_STRING; break;
	case DBT_BLOB: b->buffer_type = MYSQL_TYPE_BLOB; break;
	case DBT_END: break;
	}
}

static int bind_params(MYSQL_BIND *b, const struct db_param *p, unsigned long *lens, char *nulls)
{
	int n = 0;
	static char yes = 1;
	for (; p != NULL && p->t != DBT_END; p++, n++) {
		if (n == DB_MAX_BINDS)
			return -1;
		memset(&b[n], 0, sizeof b[n]);
		nulls[n] = (char)(p->null != 0);
		b[n].is_null = p->null ? &yes : NULL;
		b[n].buffer = (void *)(uintptr_t)p->p;
		bind_type(&b[n], p->t);
		if (p->t == DBT_TEXT || p->t == DBT_BLOB) {
			lens[n] = (unsigned long)p->len;
			b[n].buffer_length = (unsigned long)p->len;
			b[n].length = &lens[n];
		}
	}
	return n;
}

static int bind_cols(MYSQL_BIND *b, struct db_col *c)
{
	int n = 0;
	for (; c != NULL && c->t != DBT_END; c++, n++) {
		if (n == DB_MAX_COLS)
			return -1;
		memset(&b[n], 0, sizeof b[n]);
		b[n].buffer = c->p;
		b[n].length = &c->len;
		b[n].is_null = (my_bool *)&c->null;
		b[n].error = (my_bool *)&c->truncated;
		c->null = 0;
		c->truncated = 0;
		bind_type(&b[n], c->t);
		if (c->t == DBT_TEXT) /* room for the NUL finish_cols adds */
			b[n].buffer_length = c->cap > 0 ? (unsigned long)c->cap - 1 : 0;
		else if (c->t == DBT_BLOB)
			b[n].buffer_length = (unsigned long)c->cap;
	}
	return n;
}

/* Terminates text columns after a fetch. */
static void finish_cols(struct db_col *c)
{
	for (; c != NULL && c->t != DBT_END; c++) {
		if (c->t == DBT_TEXT && c->cap > 0) {
			size_t n = c->len < c->cap - 1 ? c->len : c->cap - 1;
			((char *)c->p)[c->null ? 0 : n] = '\0';
		}
	}
}

/* One attempt: execute s (and bind cols). DB_DOWN means the connection was dropped. */
static enum db_rc run(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols)
{
	MYSQL_BIND pb[DB_MAX_BINDS], cb[DB_MAX_COLS];
	unsigned long lens[DB_MAX_BINDS];
	char nulls[DB_MAX_BINDS];

	if (db_connect(db) != DB_OK)
		return DB_DOWN;
	db->last_errno = 0;
	if (db->st[s] == NULL && (db->st[s] = prepare(db, s)) == NULL)
		return fail(db, NULL, s);
	MYSQL_STMT *st = db->st[s];
	int np = bind_params(pb, params, lens, nulls);
	if (np < 0 || (unsigned long)np != mysql_stmt_param_count(st)) {
		log_msg(LOG_ERROR, NULL, "statement %d: %d parameters given, %lu expected", (int)s, np,
			mysql_stmt_param_count(st));
		return DB_ERR;
	}
	if (np > 0 && mysql_stmt_bind_param(st, pb) != 0)
		return fail(db, st, s);
	if (mysql_stmt_execute(st) != 0)
		return fail(db, st, s);
	db->affected = (uint64_t)mysql_stmt_affected_rows(st);
	db->insert_id = (uint64_t)mysql_stmt_insert_id(st);
	if (cols != NULL) {
		int nc = bind_cols(cb, cols);
		if (nc < 0 || (unsigned)nc != mysql_stmt_field_count(st)) {
			log_msg(LOG_ERROR, NULL, "statement %d: %d columns bound, %u returned", (int)s, nc,
				mysql_stmt_field_count(st));
			mysql_stmt_free_result(st);
			return DB_ERR;
		}
		if (mysql_stmt_bind_result(st, cb) != 0 || mysql_stmt_store_result(st) != 0) {
			enum db_rc rc = fail(db, st, s);
			/* An error that came after the result's columns (a deadlock, a lock wait timeout, a
			 * Galera node's certification conflict while the rows were read) leaves the handle
			 * waiting for rows the server will never send: freeing the result keeps it so, and
			 * its next execute would wait for them until the read timeout, then fail (2006).
			 * A reset puts it back to prepared; a handle that cannot be reset is prepared anew. */
			if (db->st[s] != NULL && mysql_stmt_reset(st) != 0) {
				mysql_stmt_close(st);
				db->st[s] = NULL;
			}
			return rc;
		}
	}
	return DB_OK;
}

/* Outside a transaction a statement is its own transaction: one that a deadlock or a Galera
 * certification conflict rolled back had no effect and runs again (up to DB_TXN_ATTEMPTS times in
 * all, after a jittered pause that doubles: a hot row written through several nodes at once); one
 * whose connection was lost runs once more on a new connection. */
static enum db_rc run_retry(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols)
{
	int was_txn = db->in_txn;
	db->reran = 0;
	enum db_rc rc = run(db, s, params, cols);
	if (rc == DB_DOWN && !was_txn) {
		db->reran = 1;
		rc = run(db, s, params, cols);
	}
	for (int attempt = 0;
	     rc == DB_RETRY && !was_txn && db->last_errno == ER_LOCK_DEADLOCK && db_txn_again(db, rc, attempt);
	     attempt++)
		rc = run(db, s, params, cols);
	return rc;
}

int db_txn_again(struct db *db, enum db_rc rc, int attempt)
{
	(void)db;
	if (rc != DB_RETRY || attempt >= DB_TXN_ATTEMPTS - 1)
		return 0;
	/* Jitter, so that colliding writers do not meet again in lockstep. */
	static _Thread_local unsigned seed;
	if (seed == 0)
		seed = (unsigned)(uintptr_t)&seed ^ (unsigned)getpid();
	usleep((useconds_t)(500 + rand_r(&seed) % (1000u << (attempt < 7 ? attempt : 7))));
	return 1;
}

enum db_rc db_each(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols,
		   void (*each)(void *ctx), void *ctx)
{
	enum db_rc rc = db_query(db, s, params, cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db)) == DB_OK)
		each(ctx);
	return rc == DB_NOROW ? DB_OK : rc;
}

/* db_txn, and with rerun_lost db_txn_rerun. */
static enum db_rc txn_run(struct db *db, enum db_rc (*fn)(struct db *db, void *arg), void *arg, int rerun_lost)
{
	enum db_rc rc = DB_DOWN;
	for (int attempt = 0, lost = 0; attempt < DB_TXN_ATTEMPTS; attempt++) {
		rc = db_begin(db);
		if (rc == DB_OK)
			rc = fn(db, arg);
		if (rc == DB_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
		/* The connection went while the first run committed: the second finds its ids taken. */
		if (rerun_lost && rc == DB_DUP && lost)
			return DB_OK;
		if (rerun_lost && rc == DB_DOWN && !lost) {
			lost = 1;
			continue;
		}
		if (!db_txn_again(db, rc, attempt))
			break;
	}
	return rc;
}

enum db_rc db_txn(struct db *db, enum db_rc (*fn)(struct db *db, void *arg), void *arg)
{
	return txn_run(db, fn, arg, 0);
}

enum db_rc db_txn_rerun(struct db *db, enum db_rc (*fn)(struct db *db, void *arg), void *arg)
{
	return txn_run(db, fn, arg, 1);
}

int db_reran(const struct db *db)
{
	return db->reran;
}

static enum db_rc fetch_one(struct db *db, MYSQL_STMT *st, struct db_col *cols)
{
	int r = mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		return DB_NOROW;
	if (r == MYSQL_DATA_TRUNCATED) {
		log_msg(LOG_ERROR, NULL, "a result column did not fit its buffer");
		return DB_ERR;
	}
	if (r != 0)
		return fail(db, st, STMT__MAX);
	finish_cols(cols);
	return DB_OK;
}

enum db_rc db_exec(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols)
{
	enum db_rc rc = run_retry(db, s, params, cols);
	if (rc != DB_OK || cols == NULL)
		return rc;
	MYSQL_STMT *st = db->st[s];
	rc = fetch_one(db, st, cols);
	if (db->st[s] != NULL)
		mysql_stmt_free_result(st);
	return rc;
}

enum db_rc db_query(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols)
{
	enum db_rc rc = run_retry(db, s, params, cols);
	db->cur = rc == DB_OK ? db->st[s] : NULL;
	db->cur_cols = cols;
	return rc;
}

enum db_rc db_fetch(struct db *db)
{
	if (db->cur == NULL)
		return DB_NOROW;
	enum db_rc rc = fetch_one(db, db->cur, db->cur_cols);
	if (rc != DB_OK)
		db_end(db);
	return rc;
}

void db_end(struct db *db)
{
	if (db->cur != NULL && db->m != NULL)
		mysql_stmt_free_result(db->cur);
	db->cur = NULL;
}

uint64_t db_affected(const struct db *db)
{
	return db->affected;
}

uint64_t db_insert_id(const struct db *db)
{
	return db->insert_id;
}

void db_no_autocommit(struct db *db)
{
	db->no_autocommit = 1;
}

enum db_rc db_begin(struct db *db)
{
	if (db->pinned && db->in_txn)
		return DB_OK; /* nested in the pinned transaction */
	if (db->no_autocommit && !db->pinned) {
		db->in_txn = 1; /* opened by the next statement (no statement is run again after a lost connection) */
		return DB_OK;
	}
	enum db_rc rc = run_retry(db, STMT_BEGIN, NULL, NULL);
	if (rc == DB_OK)
		db->in_txn = 1;
	return rc;
}

enum db_rc db_commit(struct db *db)
{
	if (db->m == NULL)
		return DB_DOWN;
	if (db->pinned)
		return DB_OK; /* db_pin_commit commits */
	db->in_txn = 0;
	if (mysql_commit(db->m) != 0)
		return fail(db, NULL, STMT__MAX);
	return DB_OK;
}

void db_rollback(struct db *db)
{
	if (db->m != NULL && db->in_txn)
		mysql_rollback(db->m);
	db->in_txn = 0;
}

enum db_rc db_pin_begin(struct db *db)
{
	db->pinned = 0;
	enum db_rc rc = db_begin(db);
	if (rc == DB_OK)
		db->pinned = 1;
	return rc;
}

enum db_rc db_pin_commit(struct db *db)
{
	db->pinned = 0;
	if (!db->in_txn)
		return DB_OK;
	return db_commit(db);
}

void db_pin_rollback(struct db *db)
{
	db->pinned = 0;
	db_rollback(db);
}

int db_txn_left_open(struct db *db)
{
	unsigned int status = 0;
	if (db->m == NULL || mariadb_get_infov(db->m, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0 ||
	    !(status & SERVER_STATUS_IN_TRANS)) {
		db->in_txn = 0;
		db->pinned = 0;
		return 0;
	}
	mysql_rollback(db->m);
	db->in_txn = 0;
	db->pinned = 0;
	return 1;
}

enum db_rc db_exec_text(struct db *db, const char *sql, char *err, size_t errlen)
{
	if (db_connect(db) != DB_OK) {
		snprintf(err, errlen, "cannot connect to the database");
		return DB_DOWN;
	}
	MYSQL_STMT *st = mysql_stmt_init(db->m);
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return DB_ERR;
	}
	enum db_rc rc = DB_OK;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0 || mysql_stmt_execute(st) != 0) {
		snprintf(err, errlen, "%u %s", mysql_stmt_errno(st), mysql_stmt_error(st));
		rc = is_conn_error(mysql_stmt_errno(st)) ? DB_DOWN : DB_ERR;
	}
	mysql_stmt_close(st);
	return rc;
}
