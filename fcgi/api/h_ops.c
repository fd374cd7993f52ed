/* h_ops.c: operations endpoints: liveness, readiness, Prometheus metrics. */
#include "clock.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "resp.h"
#include "routes.h"
#include "store_ops.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdint.h>

enum err h_healthz(struct call *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	resp_json(c, 200, o);
	return ERR_OK;
}

/* How long a worker's readiness checks trust that every statement prepares, the lazily prepared
 * ones included (DB_STMT_LAZY), before one of them prepares those again. */
#define READYZ_FULL_CHECK_S 60

/* When every statement last prepared in this worker (unix seconds; 0: not yet; READYZ_FAILED: a
 * check failed since, and every check prepares them all until one passes). The schema is the
 * same for every connection, so one check a worker every READYZ_FULL_CHECK_S is enough; a
 * connection the ping had to make anew (another server after a failover) is checked whole at
 * once. In between, the statements prepared at connect are judged as they stand, as every check
 * judges them: a readiness probe does not prepare a hundred statements on every thread. */
#define READYZ_FAILED (-1)
static _Atomic int64_t full_passed_at;

/* Whether this check prepares the lazily prepared statements too (and closes them again): it is
 * due, or the connection is new; the thread that finds it due claims it, so that the worker's
 * other threads do not make the same check at the same time. */
static int readyz_full(const struct db *db, int64_t now)
{
	int64_t at = full_passed_at;
	if (db_reran(db) || at == READYZ_FAILED)
		return 1;
	if (at != 0 && now - at < READYZ_FULL_CHECK_S && now >= at)
		return 0;
	return atomic_compare_exchange_strong(&full_passed_at, &at, now);
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
		full_passed_at = READYZ_FAILED;
		if (bad > 0)
			log_error("readyz: %d statements do not prepare (the first: %d); are migrations applied?", bad,
				  first);
		return ERR_UNAVAILABLE;
	}
	if (full)
		full_passed_at = now;
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
