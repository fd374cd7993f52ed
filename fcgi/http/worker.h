/* worker.h: one worker process: a pool of threads accepting FastCGI requests on a shared socket. */
#ifndef HQR_WORKER_H
#define HQR_WORKER_H

#include <stddef.h>

struct conf;
struct call;
struct route;
struct keys;

/* What a worker serves: the service (hqr-fcgi) or the platform simulator share this loop. */
struct app {
	const char *role;           /* log role of the worker */
	const struct route *routes; /* the route table */
	size_t nroutes;
	int use_db;                /* each thread owns a database connection */
	int use_metrics;           /* count requests in the shared metrics (route = table index) */
	void (*thread_init)(void); /* per-thread set-up (may be NULL) */
	void (*thread_end)(void);
	int (*process_init)(const struct conf *c); /* per-worker set-up after fork (may be NULL) */
	void (*process_end)(void);                 /* after the last thread stopped (may be NULL) */
	int shed; /* past [server] queue waiting requests, answer 503 BUSY by route priority */
};

/* The service's app: the route table of routes.c with a database and metrics. */
extern const struct app app_service;

/* Where this worker tells the process that started it that it accepts (its threads hold their
 * database connections): its pid is stored there once. NULL (the default): told to no one. A
 * master draining old workers on a reload waits for this from the new ones. */
extern _Atomic int *worker_accepting;

/* Serves requests on listen_fd with conf->threads threads until SIGTERM or SIGINT, then stops
 * accepting, finishes what is in flight (at most conf->drain_timeout_s) and returns the exit code. */
int worker_run(const struct conf *conf, const struct keys *keys, int listen_fd, const struct app *app);

/* Handles one request whose inputs are already in c (pure of FastCGI; used by the worker and by
 * tests): parse the query, route, run the checks and the handler, and set the response. */
void worker_handle(const struct app *app, struct call *c);

#endif
