/* metrics.c: request, latency, database and worker counters in shared memory; Prometheus text. */
#include "metrics.h"
#include "shm.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const int statuses[] = { 200, 201, 204, 302, 304, 400, 401, 403, 404, 405,
				409, 411, 413, 415, 422, 429, 500, 502, 503, 0 /* other */ };
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
#define NBUCKET (sizeof buckets / sizeof buckets[0])
#define NROUTE  (METRICS_ROUTES_MAX + 1) /* the last slot counts unmatched paths */

struct shared {
	_Atomic uint64_t requests[NROUTE][NSTATUS];
	_Atomic uint64_t latency[NROUTE][NBUCKET + 1];
	_Atomic uint64_t latency_us_sum[NROUTE];
	_Atomic uint64_t db_errors;
	_Atomic uint64_t worker_restarts;
};

static struct shared local_fallback;
static struct shared *shm = &local_fallback;
static const char *const *route_names;
static size_t nroutes;

int metrics_init(const char *const *names, size_t n)
{
	if (n > METRICS_ROUTES_MAX)
		return -1;
	route_names = names;
	nroutes = n;
	struct shared *p = shm_zeroed(sizeof *p);
	if (p != NULL)
		shm = p;
	return p != NULL ? 0 : -1;
}

/* The counters' slot of the i-th route shown; i == nroutes is the unmatched paths' slot. */
static size_t slot(size_t i)
{
	return i < nroutes ? i : METRICS_ROUTES_MAX;
}

void metrics_request(int route, int status, double seconds)
{
	size_t r = route >= 0 && (size_t)route < nroutes ? (size_t)route : METRICS_ROUTES_MAX;
	size_t s = NSTATUS - 1;
	for (size_t i = 0; i + 1 < NSTATUS; i++)
		if (statuses[i] == status)
			s = i;
	atomic_fetch_add_explicit(&shm->requests[r][s], 1, memory_order_relaxed);
	size_t b = NBUCKET;
	for (size_t i = 0; i < NBUCKET; i++) {
		if (seconds <= buckets[i]) {
			b = i;
			break;
		}
	}
	atomic_fetch_add_explicit(&shm->latency[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&shm->latency_us_sum[r], (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_db_error(void)
{
	atomic_fetch_add_explicit(&shm->db_errors, 1, memory_order_relaxed);
}

void metrics_worker_restart(void)
{
	atomic_fetch_add_explicit(&shm->worker_restarts, 1, memory_order_relaxed);
}

struct buf {
	char *p;
	size_t len, cap;
	int overflow;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->overflow = 1;
	else
		b->len += (size_t)n;
}

char *metrics_render(struct arena *a, size_t *len)
{
	struct buf b = { NULL, 0, 256 * 1024, 0 };
	b.p = arena_alloc(a, b.cap);
	if (b.p == NULL)
		return NULL;
	put(&b, "# HELP hqr_requests_total Requests answered, by route and status.\n"
		"# TYPE hqr_requests_total counter\n");
	for (size_t k = 0; k <= nroutes; k++) {
		size_t r = slot(k);
		const char *name = k < nroutes ? route_names[k] : "unmatched";
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(&shm->requests[r][s], memory_order_relaxed);
			if (v == 0)
				continue;
			if (statuses[s] != 0)
				put(&b, "hqr_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name, statuses[s],
				    (unsigned long long)v);
			else
				put(&b, "hqr_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
				    (unsigned long long)v);
		}
	}
	put(&b, "# HELP hqr_request_duration_seconds Time from accept to the last byte written.\n"
		"# TYPE hqr_request_duration_seconds histogram\n");
	for (size_t k = 0; k <= nroutes; k++) {
		size_t r = slot(k);
		const char *name = k < nroutes ? route_names[k] : "unmatched";
		uint64_t cum = 0;
		for (size_t i = 0; i <= NBUCKET; i++) {
			cum += atomic_load_explicit(&shm->latency[r][i], memory_order_relaxed);
			if (i < NBUCKET)
				put(&b, "hqr_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", name,
				    buckets[i], (unsigned long long)cum);
			else
				put(&b, "hqr_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name,
				    (unsigned long long)cum);
		}
		put(&b, "hqr_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
		    (double)atomic_load_explicit(&shm->latency_us_sum[r], memory_order_relaxed) / 1e6);
		put(&b, "hqr_request_duration_seconds_count{route=\"%s\"} %llu\n", name, (unsigned long long)cum);
	}
	put(&b,
	    "# HELP hqr_db_errors_total Database errors (failed connects and statements).\n"
	    "# TYPE hqr_db_errors_total counter\nhqr_db_errors_total %llu\n",
	    (unsigned long long)atomic_load_explicit(&shm->db_errors, memory_order_relaxed));
	put(&b,
	    "# HELP hqr_worker_restarts_total Worker processes restarted by the master after dying.\n"
	    "# TYPE hqr_worker_restarts_total counter\nhqr_worker_restarts_total %llu\n",
	    (unsigned long long)atomic_load_explicit(&shm->worker_restarts, memory_order_relaxed));
	if (b.overflow)
		return NULL;
	*len = b.len;
	return b.p;
}
