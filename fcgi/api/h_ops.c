/* h_ops.c: operations endpoints: liveness, readiness, Prometheus metrics. */
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

enum err h_readyz(struct call *c)
{
	if (ops_ping(c->db) != DB_OK)
		return ERR_UNAVAILABLE;
	/* A statement the schema refuses (a migration not run) is not ready either. */
	int first = -1, bad = db_unprepared(c->db, 0, &first);
	if (bad != 0) {
		if (bad > 0)
			log_error("readyz: %d statements do not prepare (the first: %d); are migrations applied?", bad,
				  first);
		return ERR_UNAVAILABLE;
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
