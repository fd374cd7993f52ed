/* routes.c: the one table of endpoints: method, path, who, body, limit, fields, handler. */
#include "routes.h"

const struct route routes[ROUTE__MAX] = {
	[ROUTE_HEALTHZ] = { "healthz", "GET", "/healthz", AUTH_ANY, BODY_NONE, 0, NULL, 0, h_healthz },
	[ROUTE_READYZ] = { "readyz", "GET", "/readyz", AUTH_ANY, BODY_NONE, 0, NULL, 0, h_readyz },
	[ROUTE_METRICS] = { "metrics", "GET", "/metrics", AUTH_LOOPBACK, BODY_NONE, 0, NULL, 0, h_metrics },
};
