/* worker.h: one worker process: a pool of threads accepting FastCGI requests on a shared socket. */
#ifndef HQR_WORKER_H
#define HQR_WORKER_H

struct conf;
struct call;

/* Serves requests on listen_fd with conf->threads threads until SIGTERM or SIGINT, then stops
 * accepting, finishes what is in flight (at most conf->drain_timeout_s) and returns the exit code. */
int worker_run(const struct conf *conf, int listen_fd);

/* Handles one request whose inputs are already in c (pure of FastCGI; used by the worker and by
 * tests): parse the query, route, run the checks and the handler, and set the response. */
void worker_handle(struct call *c);

#endif
