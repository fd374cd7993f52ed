/* worker.c: a worker's threads: an acceptor that queues or sheds, threads with their context
 * (database, arena), one response writer. */
#include "conf.h"
#include "cclass.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "resp.h"
#include "router.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define ARENA_CAP (8u * 1024 * 1024)

static atomic_int stopping;
static const struct keys *worker_keys;
static atomic_int threads_alive;
static atomic_int threads_ready; /* threads past their database connection's first attempt */

/* Admission (DESIGN §13). One acceptor thread per worker takes each connection, reads its
 * FastCGI parameters, finds its route's priority and either queues it for the threads or, with no
 * room left, answers 503 BUSY with Retry-After itself within a millisecond: past capacity the
 * worker refuses instead of queueing. Counted over the requests admitted and not yet answered:
 * high priority is admitted while the threads and the whole queue have room; normal while the
 * threads and half the queue have; low while the threads and a quarter of it have, and low
 * requests (queued or in service) never hold more than half of the threads. A request that
 * waited longer than [server] queue_ms for a thread is refused the same way, by the acceptor
 * (which looks at least every queue_ms / 2) or by the thread that takes it. */
struct pending {
	FCGX_Request fr;
	enum prio prio;
	double queued_at;     /* monotonic seconds */
	struct pending *next; /* toward the newest (in a queue), or the next free one */
	struct pending *prev; /* toward the oldest */
};

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_ready = PTHREAD_COND_INITIALIZER; /* a request was queued, or stopping */
static pthread_cond_t q_room = PTHREAD_COND_INITIALIZER;  /* a request left the queue (no shedding) */
static struct pending *q_head[PRIO__MAX], *q_tail[PRIO__MAX];
static struct pending *q_free;
static int q_len;         /* requests queued, waiting for a thread */
static int outstanding;   /* requests admitted and not yet answered: queued or in service */
static int q_max;         /* the bound on q_len ([server] queue; the threads when not shedding) */
static int low_active;    /* low-priority requests queued or in service */
static int low_max;       /* at most half of the threads, at least one */
static int acceptor_done; /* the acceptor queues nothing more: threads may stop once it is empty */

struct thread_ctx {
	const struct app *app;
	const struct conf *conf;
	pthread_t tid;
};

static long fcgi_read(void *io, char *buf, size_t n)
{
	FCGX_Request *r = io;
	int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
	return FCGX_GetStr(buf, chunk, r->in);
}

/* A request id from nginx if it is well-formed (8 to 64 of base64url and '.', the nonce's
 * alphabet), else a fresh random one. */
static const char *request_id(struct call *c)
{
	const char *rid = call_param(c, "REQUEST_ID");
	if (rid != NULL) {
		size_t n = strlen(rid);
		if (n >= 8 && n <= 64 && cc_all(rid, n, cc_nonce))
			return rid;
	}
	uint8_t raw[16];
	char *hex = arena_alloc(c->arena, 33);
	if (hex == NULL || crypto_random(raw, sizeof raw) != 0)
		return "none";
	crypto_hex(raw, sizeof raw, hex);
	return hex;
}

void worker_handle(const struct app *app, struct call *c)
{
	enum err e = ERR_OK;
	if (c->query_raw != NULL && c->query_raw[0] != '\0' &&
	    kv_parse_urlencoded(c->arena, c->query_raw, strlen(c->query_raw), &c->query) != KV_OK) {
		e = ERR_BAD_REQUEST;
		resp_error(c, e, "the query string is malformed");
		return;
	}
	char allow[128];
	size_t idx = 0;
	c->route_index = -1;
	switch (router_match(app->routes, app->nroutes, c->method, c->path, c->arena, &idx, c->params, &c->nparams,
			     allow, sizeof allow)) {
	case MATCH_NOT_FOUND: resp_error(c, ERR_NOT_FOUND, NULL); return;
	case MATCH_METHOD:
		resp_error(c, ERR_METHOD_NOT_ALLOWED, NULL);
		resp_header(c, "Allow", allow);
		return;
	case MATCH_OK: break;
	}
	c->route = &app->routes[idx];
	c->route_index = (int)idx;
	e = router_dispatch(c);
	if (e != ERR_OK) {
		c->resp_hlen = 0;
		c->resp_headers = NULL;
		resp_error(c, e, NULL);
	} else if (!c->resp_set) {
		resp_error(c, ERR_INTERNAL, NULL);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_response(FCGX_Request *fr, struct call *c)
{
	char head[4096];
	size_t hn = resp_head(c, head, sizeof head);
	if (hn == 0) {
		c->resp_hlen = 0;
		resp_error(c, ERR_INTERNAL, NULL);
		hn = resp_head(c, head, sizeof head);
	}
	FCGX_PutStr(head, (int)hn, fr->out);
	if (c->resp_len > 0)
		FCGX_PutStr(c->resp_body, (int)c->resp_len, fr->out);
}

static void serve(const struct app *app, FCGX_Request *fr, struct call *c, struct arena *a, struct db *db,
		  const struct conf *conf)
{
	double t0 = now_s();
	memset(c, 0, sizeof *c);
	c->route_index = -1;
	c->arena = a;
	c->conf = conf;
	c->keys = worker_keys;
	c->db = db;
	c->env = fr->envp;
	c->io = fr;
	c->read_body = fcgi_read;
	c->request_id = request_id(c);
	log_set_request_id(c->request_id);
	c->method = call_param(c, "REQUEST_METHOD");
	const char *uri = call_param(c, "REQUEST_URI");
	if (c->method == NULL)
		c->method = "GET";
	if (uri == NULL)
		uri = "/";
	const char *q = strchr(uri, '?');
	c->path = q != NULL ? arena_strndup(a, uri, (size_t)(q - uri)) : uri;
	c->query_raw = call_param(c, "QUERY_STRING");
	c->remote_addr = call_param(c, "REMOTE_ADDR");
	c->content_type = call_param(c, "CONTENT_TYPE");
	const char *cl = call_param(c, "CONTENT_LENGTH");
	c->content_length = -1;
	int bad_length = 0;
	if (cl != NULL && cl[0] != '\0') {
		char *end;
		errno = 0;
		long long v = strtoll(cl, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0)
			bad_length = 1;
		else
			c->content_length = v;
	}
	if (c->path == NULL)
		resp_error(c, ERR_INTERNAL, NULL);
	else if (bad_length)
		resp_error(c, ERR_BAD_REQUEST, "Content-Length is malformed");
	else
		worker_handle(app, c);

	write_response(fr, c);
	double dt = now_s() - t0;
	if (app->use_metrics)
		metrics_request(c->route_index, c->status, dt);
	if (c->status >= 500 || dt > 1.0)
		log_msg(c->status >= 500 ? LOG_WARN : LOG_INFO, NULL, "%s %s -> %d in %.3fs", c->method,
			c->route != NULL ? c->route->name : "unmatched", c->status, dt);
	log_set_request_id(NULL);
}

/* The route's priority of an accepted request (normal when no route matches). */
static enum prio request_prio(const struct app *app, FCGX_Request *fr, struct arena *a)
{
	const char *method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	const char *uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	if (method == NULL || uri == NULL)
		return PRIO_NORMAL;
	const char *q = strchr(uri, '?');
	const char *path = q != NULL ? arena_strndup(a, uri, (size_t)(q - uri)) : uri;
	const char *params[REQ_PATH_PARAMS];
	size_t idx = 0, np = 0;
	char allow[128];
	if (path == NULL || router_match(app->routes, app->nroutes, method, path, a, &idx, params, &np, allow,
					 sizeof allow) != MATCH_OK)
		return PRIO_NORMAL;
	return app->routes[idx].prio;
}

/* Whether a request of priority p may wait (under q_lock): the threads plus the room its
 * priority may use, counted over what was admitted and not yet answered. */
static int admit(enum prio p, int threads)
{
	switch (p) {
	case PRIO_HIGH: return outstanding < threads + q_max;
	case PRIO_LOW: return outstanding < threads + (q_max + 3) / 4 && low_active < low_max;
	default: return outstanding < threads + (q_max + 1) / 2;
	}
}

/* Answers 503 BUSY with Retry-After from the acceptor: no database, no handler. */
static void shed(const struct app *app, FCGX_Request *fr, struct arena *a, const struct conf *conf)
{
	double t0 = now_s();
	struct call c;
	memset(&c, 0, sizeof c);
	c.route_index = -1;
	c.arena = a;
	c.conf = conf;
	c.env = fr->envp;
	c.io = fr;
	c.request_id = request_id(&c);
	const char *method = call_param(&c, "REQUEST_METHOD");
	const char *uri = call_param(&c, "REQUEST_URI");
	if (method != NULL && uri != NULL && app->use_metrics) {
		const char *q = strchr(uri, '?');
		const char *path = q != NULL ? arena_strndup(a, uri, (size_t)(q - uri)) : uri;
		size_t idx = 0;
		char allow[128];
		if (path != NULL && router_match(app->routes, app->nroutes, method, path, a, &idx, c.params, &c.nparams,
						 allow, sizeof allow) == MATCH_OK)
			c.route_index = (int)idx;
	}
	resp_error(&c, ERR_BUSY, NULL);
	write_response(fr, &c);
	/* The body nginx sends along is read (up to 64 KB) so that closing does not reset the
	 * connection under the answer. */
	char sink[4096];
	for (int n = 0; n < 16 && FCGX_GetStr(sink, sizeof sink, fr->in) > 0; n++)
		;
	if (app->use_metrics)
		metrics_request(c.route_index, c.status, now_s() - t0);
}

/* The newest request of the highest priority waiting (under q_lock). Newest first: under a
 * sustained overload an old request would be refused by queue_ms anyway, and serving requests
 * in arrival order would make every one of them old (goodput falls to nothing); the oldest
 * are the ones that expire. */
static struct pending *dequeue(void)
{
	static const enum prio order[] = { PRIO_HIGH, PRIO_NORMAL, PRIO_LOW };
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		struct pending *p = q_tail[order[i]];
		if (p != NULL) {
			q_tail[order[i]] = p->prev;
			if (q_tail[order[i]] == NULL)
				q_head[order[i]] = NULL;
			else
				q_tail[order[i]]->next = NULL;
			q_len--;
			return p;
		}
	}
	return NULL;
}

/* Returns p to the pool; admitted: it was queued (and is now answered). */
static void release(struct pending *p, int admitted)
{
	pthread_mutex_lock(&q_lock);
	if (admitted) {
		outstanding--;
		if (p->prio == PRIO_LOW)
			low_active--;
	}
	p->next = q_free;
	q_free = p;
	pthread_mutex_unlock(&q_lock);
}

/* Takes out the queued requests that waited past queue_ms (the oldest of each priority first:
 * each priority's queue is in arrival order). Under q_lock; returns a list linked by next. */
static struct pending *take_stale(double now, double limit_s)
{
	struct pending *out = NULL;
	for (int pr = 0; pr < PRIO__MAX; pr++) {
		while (q_head[pr] != NULL && now - q_head[pr]->queued_at > limit_s) {
			struct pending *p = q_head[pr];
			q_head[pr] = p->next;
			if (q_head[pr] == NULL)
				q_tail[pr] = NULL;
			else
				q_head[pr]->prev = NULL;
			q_len--;
			p->next = out;
			out = p;
		}
	}
	return out;
}

/* Refuses what waited too long for a thread, from the acceptor: all threads may be held by slow
 * requests, and a queued request must not wait for one of them to end. */
static void shed_stale(const struct app *app, const struct conf *conf, struct arena *a)
{
	pthread_mutex_lock(&q_lock);
	struct pending *p = take_stale(now_s(), conf->queue_ms / 1000.0);
	pthread_mutex_unlock(&q_lock);
	while (p != NULL) {
		struct pending *next = p->next;
		shed(app, &p->fr, a, conf);
		FCGX_Finish_r(&p->fr);
		arena_reset(a);
		release(p, 1);
		p = next;
	}
}

struct acceptor_ctx {
	const struct app *app;
	const struct conf *conf;
	int listen_fd;
	pthread_t tid;
};

_Atomic int *worker_accepting;

static void *acceptor_main(void *arg)
{
	struct acceptor_ctx *t = arg;
	const struct app *app = t->app;
	struct arena a;
	arena_init(&a, 1024 * 1024);
	/* A fresh worker accepts once its threads hold their database connections (at most 5 s):
	 * before that, requests would only wait in its queue, and expire there. */
	for (int i = 0; i < 500 && atomic_load(&threads_ready) < t->conf->threads && !atomic_load(&stopping); i++)
		usleep(10000);
	if (worker_accepting != NULL)
		atomic_store(worker_accepting, (int)getpid());
	while (!atomic_load(&stopping)) {
		/* Without shedding (the simulator), the queue's bound holds connections in the
		 * socket's backlog as before. */
		pthread_mutex_lock(&q_lock);
		while (!app->shed && q_len >= q_max && !atomic_load(&stopping)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&q_room, &q_lock, &ts);
		}
		pthread_mutex_unlock(&q_lock);
		if (app->shed)
			shed_stale(app, t->conf, &a);
		struct pollfd pfd = { t->listen_fd, POLLIN, 0 };
		int wait_ms = app->shed && t->conf->queue_ms < 400 ? (t->conf->queue_ms + 1) / 2 : 200;
		if (atomic_load(&stopping) || poll(&pfd, 1, wait_ms) <= 0)
			continue;
		int fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
				log_warn("accept failed: %s", strerror(errno));
				usleep(10000);
			}
			continue;
		}
		pthread_mutex_lock(&q_lock);
		struct pending *p = q_free;
		if (p != NULL)
			q_free = p->next;
		pthread_mutex_unlock(&q_lock);
		if (p == NULL) { /* cannot happen: the pool holds the threads, the queue and one more */
			close(fd);
			continue;
		}
		/* The acceptor reads each request's parameters before it queues or refuses it, and a
		 * refusal's body after: nginx sends both whole (it takes the client's body before it
		 * opens the exchange: fastcgi_request_buffering), but a peer that stalls holds the
		 * acceptor no longer than this (a thread reading the body, neither). */
		struct timeval rcv = { 5, 0 };
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv) != 0)
			log_warn("SO_RCVTIMEO: %s", strerror(errno));
		p->fr.ipcFd = fd;
		p->fr.keepConnection = 1; /* so that FCGX_Accept_r reads from fd instead of accepting */
		if (FCGX_Accept_r(&p->fr) < 0) {
			FCGX_Finish_r(&p->fr);
			if (p->fr.ipcFd >= 0)
				close(p->fr.ipcFd);
			p->fr.ipcFd = -1;
			release(p, 0);
			continue;
		}
		p->prio = app->shed ? request_prio(app, &p->fr, &a) : PRIO_NORMAL;
		p->queued_at = now_s();
		p->next = NULL;
		pthread_mutex_lock(&q_lock);
		int ok = !app->shed || admit(p->prio, t->conf->threads);
		if (ok) {
			p->prev = q_tail[p->prio];
			if (q_tail[p->prio] != NULL)
				q_tail[p->prio]->next = p;
			else
				q_head[p->prio] = p;
			q_tail[p->prio] = p;
			q_len++;
			outstanding++;
			if (p->prio == PRIO_LOW)
				low_active++;
			pthread_cond_signal(&q_ready);
		}
		pthread_mutex_unlock(&q_lock);
		if (!ok) {
			shed(app, &p->fr, &a, t->conf);
			FCGX_Finish_r(&p->fr);
			release(p, 0);
		}
		arena_reset(&a);
	}
	arena_free(&a);
	pthread_mutex_lock(&q_lock);
	acceptor_done = 1;
	pthread_cond_broadcast(&q_ready);
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *thread_main(void *arg)
{
	struct thread_ctx *t = arg;
	const struct app *app = t->app;
	db_thread_init();
	if (app->thread_init != NULL)
		app->thread_init();

	struct db *db = app->use_db ? db_open(t->conf) : NULL;
	struct arena a;
	arena_init(&a, ARENA_CAP);
	struct call c;
	if (db != NULL)
		db_connect(db); /* warm up; a failure is retried per request */
	atomic_fetch_add(&threads_ready, 1);

	for (;;) {
		/* Stopping lets the queue drain: what was accepted is answered. */
		pthread_mutex_lock(&q_lock);
		struct pending *p;
		while ((p = dequeue()) == NULL && !acceptor_done)
			pthread_cond_wait(&q_ready, &q_lock);
		pthread_cond_signal(&q_room);
		pthread_mutex_unlock(&q_lock);
		if (p == NULL)
			break;
		/* A request that waited past [server] queue_ms is refused rather than served late:
		 * its caller is better told to retry than kept waiting (and the served stay fast). */
		if (app->shed && now_s() - p->queued_at > t->conf->queue_ms / 1000.0)
			shed(app, &p->fr, &a, t->conf);
		else if (!app->use_db || db != NULL)
			serve(app, &p->fr, &c, &a, db, t->conf);
		FCGX_Finish_r(&p->fr);
		arena_reset(&a);
		release(p, 1);
	}
	arena_free(&a);
	db_close(db);
	if (app->thread_end != NULL)
		app->thread_end();
	db_thread_end();
	atomic_fetch_sub(&threads_alive, 1);
	return NULL;
}

int worker_run(const struct conf *conf, const struct keys *keys, int listen_fd, const struct app *app)
{
	worker_keys = keys;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	log_setup((enum log_level)conf->log_level, app->role);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	db_error_hook = metrics_db_error;
	signal(SIGPIPE, SIG_IGN);
	int fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		log_error("cannot make the listening socket non-blocking");
		return 1;
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (app->process_init != NULL && app->process_init(conf) != 0) {
		log_error("worker set-up failed");
		return 1;
	}
	int n = conf->threads;
	q_max = app->shed ? conf->queue : n;
	low_max = n / 2 > 0 ? n / 2 : 1;
	size_t npool = (size_t)n + (size_t)q_max + 1;
	struct pending *pool = calloc(npool, sizeof *pool);
	struct thread_ctx *ts = calloc((size_t)n, sizeof *ts);
	if (ts == NULL || pool == NULL) {
		free(ts);
		free(pool);
		return 1;
	}
	for (size_t i = 0; i < npool; i++) {
		FCGX_InitRequest(&pool[i].fr, listen_fd, 0);
		pool[i].next = q_free;
		q_free = &pool[i];
	}
	atomic_store(&threads_alive, n);
	for (int i = 0; i < n; i++) {
		ts[i].app = app;
		ts[i].conf = conf;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 512 * 1024);
		if (pthread_create(&ts[i].tid, &attr, thread_main, &ts[i]) != 0) {
			log_error("cannot start thread %d", i);
			atomic_fetch_sub(&threads_alive, 1);
			ts[i].tid = 0;
		}
		pthread_attr_destroy(&attr);
	}
	struct acceptor_ctx acc = { app, conf, listen_fd, 0 };
	if (pthread_create(&acc.tid, NULL, acceptor_main, &acc) != 0) {
		log_error("cannot start the acceptor thread");
		_exit(1); /* the threads are running: the master starts another worker */
	}
	log_info("worker ready with %d threads, %d waiting at most", n, q_max);

	sigset_t wait;
	sigemptyset(&wait);
	sigaddset(&wait, SIGTERM);
	sigaddset(&wait, SIGINT);
	sigaddset(&wait, SIGUSR1);
	for (;;) {
		int sig = 0;
		if (sigwait(&wait, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		/* The master reopened [log] file after a rotation: so does this process. */
		if (log_reopen() != 0)
			log_error("cannot reopen the log file: %s", strerror(errno));
		else
			log_info("log file reopened");
	}
	atomic_store(&stopping, 1);
	pthread_mutex_lock(&q_lock);
	pthread_cond_broadcast(&q_room);
	pthread_mutex_unlock(&q_lock);
	log_info("worker draining");
	/* Threads see the flag within one poll timeout, after their request in flight. */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&threads_alive) > 0) {
		usleep(20000);
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > conf->drain_timeout_s) {
			log_warn("drain timeout: %d threads still busy", atomic_load(&threads_alive));
			_exit(1);
		}
	}
	pthread_join(acc.tid, NULL);
	for (int i = 0; i < n; i++)
		if (ts[i].tid != 0)
			pthread_join(ts[i].tid, NULL);
	free(ts);
	for (size_t i = 0; i < npool; i++)
		FCGX_Free(&pool[i].fr, 0);
	free(pool);
	if (app->process_end != NULL)
		app->process_end();
	log_info("worker stopped");
	return 0;
}
