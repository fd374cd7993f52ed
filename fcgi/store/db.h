/* db.h: a thread's MariaDB connection: prepared statements by name, typed parameters and results,
 * transactions, reconnect-and-retry-once. Nothing above this file sees MYSQL_* types. */
#ifndef HQR_DB_H
#define HQR_DB_H
#include <stddef.h>
#include <stdint.h>

#include "db_stmts.h"

struct conf;
struct db;

enum db_type { DBT_END = 0, DBT_I32, DBT_I64, DBT_U64, DBT_TEXT, DBT_BLOB, DBT_DOUBLE };

/* A parameter: p points to int32_t, int64_t, uint64_t, double, or bytes of length len. */
struct db_param {
	enum db_type t;
	const void *p;
	size_t len;
	int null;
};
/* clang-format off */
#define DBP_I32(x)    { DBT_I32, (x), 0, 0 }
#define DBP_I64(x)    { DBT_I64, (x), 0, 0 }
#define DBP_U64(x)    { DBT_U64, (x), 0, 0 }
#define DBP_DOUBLE(x) { DBT_DOUBLE, (x), 0, 0 }
#define DBP_TEXT(s)   { DBT_TEXT, (s), strlen(s), 0 }
#define DBP_BLOB(p, n) { DBT_BLOB, (p), (n), 0 }
#define DBP_NULL(t)   { (t), NULL, 0, 1 }
#define DBP_END       { DBT_END, NULL, 0, 0 }
/* clang-format on */

/* A result column: p is caller storage of cap bytes (text gets a NUL; cap includes it). */
struct db_col {
	enum db_type t;
	void *p;
	size_t cap;
	unsigned long len; /* bytes fetched (text: without NUL) */
	char null;
	char truncated;
};
/* clang-format off */
#define DBC_I32(x)    { DBT_I32, (x), sizeof(int32_t), 0, 0, 0 }
#define DBC_I64(x)    { DBT_I64, (x), sizeof(int64_t), 0, 0, 0 }
#define DBC_U64(x)    { DBT_U64, (x), sizeof(uint64_t), 0, 0, 0 }
#define DBC_DOUBLE(x) { DBT_DOUBLE, (x), sizeof(double), 0, 0, 0 }
#define DBC_TEXT(buf, n) { DBT_TEXT, (buf), (n), 0, 0, 0 }
#define DBC_BLOB(buf, n) { DBT_BLOB, (buf), (n), 0, 0, 0 }
#define DBC_END       { DBT_END, NULL, 0, 0, 0, 0 }
/* clang-format on */

enum db_rc {
	DB_OK = 0, /* done; with result columns: the first row was fetched */
	DB_NOROW,  /* a query found no row */
	DB_DUP,    /* a unique key refused the write */
	DB_ERR,    /* any other error (logged, never shown to a client) */
	DB_DOWN,   /* the server cannot be reached */
	DB_RETRY,  /* a deadlock or lock wait timeout rolled the transaction back: run it again */
};

/* Creates a connection holder; connects (and prepares every statement) on first use.
 * Owned by the caller; free with db_close. */
struct db *db_open(const struct conf *c);
void db_close(struct db *db);

/* Executes statement s with params (DBT_END-terminated, or NULL). With cols (DBT_END-terminated),
 * fetches the first row into them and discards the rest. If the server went away outside a
 * transaction, reconnects, prepares again and retries once. */
enum db_rc db_exec(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols);
/* Executes s and binds cols for db_fetch; the caller must call db_fetch until it stops
 * returning DB_OK, or db_end. */
enum db_rc db_query(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols);
/* DB_OK with a row in the bound cols, DB_NOROW at the end. */
enum db_rc db_fetch(struct db *db);
void db_end(struct db *db);
/* db_query, then each(ctx) for every row db_fetch brings into cols; DB_OK when all were read. */
enum db_rc db_each(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols,
		   void (*each)(void *ctx), void *ctx);
/* For db_each over rows of a typed struct T: defines T_rows(db, s, params, cols, row, fn, arg),
 * which runs statement s and passes each row that cols (bound to the caller's *row) bring to fn
 * (a caller's function that must not use the connection); DB_OK when all were read. */
#define DB_ROW_CALL(T)                                                                                             \
	struct T##_call {                                                                                          \
		const struct T *row;                                                                               \
		void (*fn)(const struct T *r, void *arg);                                                          \
		void *arg;                                                                                         \
	};                                                                                                         \
	static void T##_each(void *ctx)                                                                            \
	{                                                                                                          \
		struct T##_call *k = ctx;                                                                          \
		k->fn(k->row, k->arg);                                                                             \
	}                                                                                                          \
	static enum db_rc T##_rows(struct db *db, enum stmt s, const struct db_param *params, struct db_col *cols, \
				   const struct T *row, void (*fn)(const struct T *r, void *arg), void *arg)       \
	{                                                                                                          \
		struct T##_call k = { row, fn, arg };                                                              \
		return db_each(db, s, params, cols, T##_each, &k);                                                 \
	}
/* Rows changed by the last write, and its AUTO_INCREMENT id. */
uint64_t db_affected(const struct db *db);
uint64_t db_insert_id(const struct db *db);

/* A transaction (begin, statements, commit) that ended in rc runs again while this answers 1:
 * rc is DB_RETRY (a deadlock, or a Galera certification conflict at commit) and attempt (from 0)
 * is below DB_TXN_ATTEMPTS - 1; it pauses first, 0.5 ms plus a random part that doubles with each
 * attempt (up to 128 ms). The transaction must be safe to run again
 * from its start (it was rolled back whole). */
#define DB_TXN_ATTEMPTS 8
int db_txn_again(struct db *db, enum db_rc rc, int attempt);
/* Runs fn(db, arg) in a transaction (begin, fn, commit; a rollback when fn fails), again from the
 * start while db_txn_again says so; fn must be safe to run again. The last run's result. */
enum db_rc db_txn(struct db *db, enum db_rc (*fn)(struct db *db, void *arg), void *arg);
/* db_txn for writes of rows with random unique ids: a lost connection (the rollback, or the
 * commit, went with it) runs it once more on a new one, where a DB_DUP means the first run
 * committed: DB_OK. */
enum db_rc db_txn_rerun(struct db *db, enum db_rc (*fn)(struct db *db, void *arg), void *arg);
/* 1 when the last db_exec or db_query lost its connection and ran once more on a new one: a
 * DB_DUP then may be the first run's own row, committed before the connection went. */
int db_reran(const struct db *db);

/* The servers a connection tries, from the one that worked last: the configured host (or
 * socket), then each "host:port" of [database] fallback. Fills out (at most max); the count, or
 * -1 when fallback is malformed. */
#define DB_SERVERS_MAX 8
struct db_server {
	const char *host, *socket;
	int port;
	char host_buf[64];
};
int db_servers(const struct conf *c, struct db_server *out, int max);

enum db_rc db_begin(struct db *db);
enum db_rc db_commit(struct db *db);
/* Makes db a connection without autocommit (before its first use): its first statement after
 * db_begin opens the transaction, so db_begin costs no round trip. Every statement on it must
 * then be inside db_begin .. db_commit or db_rollback. */
void db_no_autocommit(struct db *db);
void db_rollback(struct db *db);
/* A transaction pinned by the caller (the router's audited staff call): inside it db_begin and
 * db_commit nest (a handler's commit commits nothing), db_rollback rolls it all back (a later
 * db_begin starts it again); db_pin_commit commits whatever is open, db_pin_rollback drops it. */
enum db_rc db_pin_begin(struct db *db);
enum db_rc db_pin_commit(struct db *db);
void db_pin_rollback(struct db *db);
/* Whether the connection is inside a transaction (the server's own word, so an explicit one that a
 * caller left open counts); one left open is rolled back. For the end of a request or a group: a
 * transaction left open there would hold its writes uncommitted and read an old snapshot. */
int db_txn_left_open(struct db *db);

/* Prepares, executes and closes one statement given as text (migrations only). */
enum db_rc db_exec_text(struct db *db, const char *sql, char *err, size_t errlen);
/* Connects now if not connected; DB_OK or DB_DOWN. */
enum db_rc db_connect(struct db *db);
/* Prepares every statement that is not (all: also the lazily prepared ones, closed again) and
 * returns how many fail against the schema, -1 when the database is down; *first (may be NULL)
 * is the first failing statement or -1. /readyz and `hqrctl check-statements` ask it. */
int db_unprepared(struct db *db, int all, int *first);
/* Process-wide set-up before threads start, and a counter of errors for /metrics. */
void db_global_init(void);
void db_thread_init(void);
void db_thread_end(void);
/* Called on every error (for metrics); may be NULL. */
extern void (*db_error_hook)(void);

#endif
