/* h_ops.c: operations endpoints: liveness, readiness, Prometheus metrics. */
#include "clock.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "resp.h"
#include "routes.h"
#include "store_ops.h"

#include <cjson/cJSON.h>

enum err h_healthz(struct call *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	resp_json(c, 200, o);
	return ERR_OK;
}

/* How long a thread's readiness check trusts that its connection prepared every statement, the
 * lazily prepared ones included (DB_STMT_LAZY), before it prepares them again. */
#define READYZ_FULL_CHECK_S 60

/* Whether this readiness check also prepares the lazily prepared statements (and closes them
 * again): on a thread's first check, on a connection the ping had to make anew, after a check
 * where some statement failed, and every READYZ_FULL_CHECK_S (a connection remade by another
 * request). In between, the statements prepared at connect are judged as they stand, as every
 * check judges them, so that a readiness probe does not prepare a hundred statements each time. */
static _Thread_local struct {
	const struct db *db;
	int64_t passed_at; /* when every statement last prepared on this thread's connection; 0 never */
} full_check;

static int readyz_full(const struct db *db, int64_t now)
{
	return full_check.db != db || full_check.passed_at == 0 || db_reran(db) ||
	       now - full_check.passed_at >= READYZ_FULL_CHECK_S || now < full_check.passed_at;
}

enum err h_readyz(struct call *c)
{
	if (ops_ping(c->db) != DB_OK)
		return ERR_UNAVAILABLE;
	/* A statement the schema refuses (a migration not run) is not ready either, one prepared
	 * lazily (a verification's, a delegation's) as much as one prepared at connect. */
	int64_t now = clock_now();
	int full = readyz_full(c->db, now);
	int first = -1, bad = db_unprepared(c->db, full, &first);
	if (bad != 0) {
		full_check.passed_at = 0;
		if (bad > 0)
			log_error("readyz: %d statements do not prepare (the first: %d); are migrations applied?", bad,
				  first);
		return ERR_UNAVAILABLE;
	}
	if (full) {
		full_check.db = c->db;
		full_check.passed_at = now;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ready");
	cJSON_AddStringToObject(o, "database", "ok");
	resp_json(c, 200, o);
	return ERR_OK;
}

enum err h_metrics(struct call *c)
{
	size_t len = 0;
	char *text = metrics_render(c->arena, &len);
	if (text == NULL)
		return ERR_INTERNAL;
	resp_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return ERR_OK;
}
