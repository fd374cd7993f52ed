/* metrics.h: counters shared by all worker processes (one anonymous shared mapping made by the
 * master before it forks), rendered as Prometheus text. */
#ifndef HQR_METRICS_H
#define HQR_METRICS_H
#include <stddef.h>

#include "arena.h"

#define METRICS_ROUTES_MAX 128

/* Maps the shared counters; call once in the master before forking, with the route table's
 * names (n <= METRICS_ROUTES_MAX; names must outlive the process). 0 ok, -1 fail. */
int metrics_init(const char *const *names, size_t n);
/* route: index into the route table, or -1 for unmatched paths. */
void metrics_request(int route, int status, double seconds);
void metrics_db_error(void);
void metrics_worker_restart(void);
/* Renders every counter as Prometheus text into the arena; NULL on overflow. */
char *metrics_render(struct arena *a, size_t *len);

#endif
