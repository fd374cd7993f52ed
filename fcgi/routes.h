/* routes.h: the one table of endpoints. */
#ifndef HQR_ROUTES_H
#define HQR_ROUTES_H
#include "router.h"

enum route_id {
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE__MAX
};

extern const struct route routes[ROUTE__MAX];

/* Handlers, one file per resource. */
enum err h_healthz(struct call *c);
enum err h_readyz(struct call *c);
enum err h_metrics(struct call *c);

#endif
