/* main.c: the hqr-fcgi master: config, socket, privilege drop, fork and respawn workers, signals,
 * reload, log reopening. */
#include "conf.h"
#include "clock.h"
#include "db.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "tally.h"
#include "platform.h"
#include "priv.h"
#include "routes.h"
#include "shm.h"
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64

struct slot {
	pid_t pid;
	double started;    /* monotonic seconds */
	double restart_at; /* when a dead worker is due to be replaced (0: not due) */
	double backoff;    /* seconds to wait before the next restart of a quickly dying worker */
};

static struct conf conf;
static struct keys keys;
static struct slot slots[MAX_WORKERS];
static int nslots;
static int listen_fd = -1;
/* One word per slot shared with the workers (MAP_SHARED): the pid of the slot's worker once it
 * accepts. A reload drains the old workers only when every new one does. */
static _Atomic int *accepting;
static int spawning; /* the slot spawn() starts */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: hqr-fcgi [-c CONFIG] [-t]\n"
			"  -c CONFIG  configuration file (default var/hqr.conf)\n"
			"  -t         check the configuration and exit\n");
}

static pid_t spawn(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		/* SIGUSR1 stays blocked: the worker waits for it (log reopening); until then the
		 * signal's default action would kill it. */
		sigset_t usr1;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_SETMASK, &usr1, NULL);
		signal(SIGCHLD, SIG_DFL);
		worker_accepting = accepting != NULL ? &accepting[spawning] : NULL;
		_exit(worker_run(&conf, &keys, listen_fd, &app_service));
	}
	if (pid < 0)
		log_error("fork failed: %s", strerror(errno));
	return pid;
}

static void start_slot(int i)
{
	if (accepting != NULL)
		atomic_store(&accepting[i], 0);
	spawning = i;
	slots[i].pid = spawn();
	slots[i].started = mono();
	slots[i].restart_at = 0;
	if (slots[i].pid > 0)
		log_info("worker %d started (pid %ld)", i, (long)slots[i].pid);
}

/* Old workers from before a reload, draining: reaped, never replaced. */
static pid_t retired[MAX_WORKERS * 4];
static int nretired;
/* Old workers still accepting until the new ones do (at most RETIRE_WAIT_S): a worker's threads
 * connect to the database before it accepts, and stopping the old ones at once would leave no
 * one accepting for that long (requests wait in the socket's backlog; behind nginx with two
 * hosts, the other host serves what came later first). */
#define RETIRE_WAIT_S 10.0
static pid_t to_retire[MAX_WORKERS * 4];
static int nto_retire;
static double retire_by;

/* Whether every slot's worker is alive and accepts. */
static int all_accepting(void)
{
	for (int i = 0; i < nslots; i++)
		if (slots[i].pid <= 0 || accepting == NULL || atomic_load(&accepting[i]) != (int)slots[i].pid)
			return 0;
	return 1;
}

/* SIGTERM to the old workers of a reload once the new ones accept, or when waited too long. */
static void retire_old(void)
{
	if (nto_retire == 0)
		return;
	int ready = all_accepting();
	if (!ready && mono() < retire_by)
		return;
	if (ready)
		log_info("the new workers accept: draining %d old ones", nto_retire);
	else
		log_warn("the new workers do not all accept after %.0f s: draining %d old ones anyway", RETIRE_WAIT_S,
			 nto_retire);
	for (int i = 0; i < nto_retire; i++)
		kill(to_retire[i], SIGTERM);
	nto_retire = 0;
}

static void reap(int stopping)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int found = 0;
		for (int i = 0; i < nretired; i++) {
			if (retired[i] == pid) {
				retired[i] = retired[--nretired];
				found = 1;
				break;
			}
		}
		for (int i = 0; i < nto_retire; i++) {
			if (to_retire[i] == pid) { /* gone before its turn: its pid is no longer its own */
				to_retire[i] = to_retire[--nto_retire];
				break;
			}
		}
		if (found)
			continue;
		for (int i = 0; i < nslots; i++) {
			if (slots[i].pid != pid)
				continue;
			slots[i].pid = 0;
			if (stopping)
				break;
			double now = mono(), lived = now - slots[i].started;
			if (WIFSIGNALED(status))
				log_warn("worker %d (pid %ld) died of signal %d", i, (long)pid, WTERMSIG(status));
			else
				log_warn("worker %d (pid %ld) exited with %d", i, (long)pid, WEXITSTATUS(status));
			/* A worker that dies soon after starting waits longer each time (up to 10 s). */
			if (lived < 2.0)
				slots[i].backoff = slots[i].backoff < 0.1
						       ? 0.1
						       : (slots[i].backoff * 2 > 10 ? 10 : slots[i].backoff * 2);
			else
				slots[i].backoff = 0;
			slots[i].restart_at = now + slots[i].backoff;
			metrics_worker_restart();
			break;
		}
	}
}

static void reload(const char *path)
{
	struct conf next;
	char err[512];
	if (conf_load(path, &next, err, sizeof err) != 0) {
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	struct keys nkeys;
	if (keys_ensure_day(next.keys_dir, err, sizeof err) < 0 ||
	    keys_load(next.keys_dir, &nkeys, err, sizeof err) != 0) {
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	keys = nkeys;
	if (strcmp(next.socket, conf.socket) != 0)
		log_warn("a new socket path takes effect only after a restart");
	snprintf(next.socket, sizeof next.socket, "%s", conf.socket);
	if (strcmp(next.log_file, conf.log_file) != 0 || strcmp(next.user, conf.user) != 0)
		log_warn("a new [log] file or [app] user takes effect only after a restart");
	snprintf(next.log_file, sizeof next.log_file, "%s", conf.log_file);
	snprintf(next.user, sizeof next.user, "%s", conf.user);
	for (int i = 0; i < nslots; i++) {
		if (slots[i].pid > 0 && nretired < (int)(sizeof retired / sizeof retired[0])) {
			retired[nretired++] = slots[i].pid;
		}
	}
	pid_t old[MAX_WORKERS];
	int nold = 0;
	for (int i = 0; i < nslots; i++)
		if (slots[i].pid > 0)
			old[nold++] = slots[i].pid;
	conf = next;
	log_setup((enum log_level)conf.log_level, "master");
	nslots = conf.workers;
	memset(slots, 0, sizeof slots);
	/* New workers accept on the same socket before the old ones stop (retire_old): nothing is
	 * dropped, and no moment passes with no one accepting. */
	for (int i = 0; i < nslots; i++)
		start_slot(i);
	for (int i = 0; i < nold && nto_retire < (int)(sizeof to_retire / sizeof to_retire[0]); i++)
		to_retire[nto_retire++] = old[i];
	retire_by = mono() + RETIRE_WAIT_S;
	log_info("reloaded: %d workers x %d threads", conf.workers, conf.threads);
}

/* SIGUSR1 (logrotate has moved the file away): the master reopens [log] file, then each worker
 * does the same in its own process. */
static void reopen_logs(void)
{
	if (conf.log_file[0] == '\0') {
		log_info("SIGUSR1: logging to standard error, nothing to reopen");
		return;
	}
	if (log_reopen() != 0) {
		log_error("cannot reopen %s: %s (still writing to the old file)", conf.log_file, strerror(errno));
		return;
	}
	log_info("log file reopened");
	for (int i = 0; i < nslots; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGUSR1);
	for (int i = 0; i < nretired; i++)
		kill(retired[i], SIGUSR1);
}

static int alive(void)
{
	int n = nretired;
	for (int i = 0; i < nslots; i++)
		if (slots[i].pid > 0)
			n++;
	return n;
}

int main(int argc, char **argv)
{
	const char *path = "var/hqr.conf";
	int check_only = 0, opt;
	while ((opt = getopt(argc, argv, "c:th")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 't': check_only = 1; break;
		default: usage(); return 2;
		}
	}
	log_setup(LOG_INFO, "master");
	char err[512];
	if (conf_load(path, &conf, err, sizeof err) != 0) {
		fprintf(stderr, "hqr-fcgi: %s\n", err);
		return 1;
	}
	if (clock_set_zone(conf.timezone) != 0) {
		fprintf(stderr, "hqr-fcgi: config key [app] timezone: unknown zone %s\n", conf.timezone);
		return 1;
	}
	/* Started as root (not by a service manager that already made it the user), the master
	 * binds its socket, then becomes [app] user for good before any worker exists. */
	struct priv_user drop_to;
	int dropping = 0;
	if (geteuid() == 0 && conf.user[0] != '\0') {
		if (priv_lookup(conf.user, &drop_to, err, sizeof err) != 0) {
			fprintf(stderr, "hqr-fcgi: %s\n", err);
			return 1;
		}
		dropping = 1;
	}
	/* The day colour's key came after the others: a keys directory made before it gets one on
	 * the first start (owned by the user the master becomes, who reads it on a reload). */
	int made_day = keys_ensure_day(conf.keys_dir, err, sizeof err);
	if (made_day < 0) {
		fprintf(stderr, "hqr-fcgi: %s\n", err);
		return 1;
	}
	if (made_day == 1) {
		char day_path[sizeof conf.keys_dir + 16];
		snprintf(day_path, sizeof day_path, "%s/day.key", conf.keys_dir);
		if (dropping && chown(day_path, drop_to.uid, drop_to.gid) != 0) {
			fprintf(stderr, "hqr-fcgi: cannot give %s to %s: %s\n", day_path, drop_to.name,
				strerror(errno));
			return 1;
		}
		fprintf(stderr, "hqr-fcgi: created the day colour's key %s\n", day_path);
	}
	/* The service refuses to start without its keys. */
	if (keys_load(conf.keys_dir, &keys, err, sizeof err) != 0) {
		fprintf(stderr, "hqr-fcgi: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("configuration %s is valid\n", path);
		return 0;
	}
	log_setup((enum log_level)conf.log_level, "master");
	if (conf.log_file[0] != '\0') {
		if (log_open(conf.log_file) != 0) {
			fprintf(stderr, "hqr-fcgi: config key [log] file: cannot open %s: %s\n", conf.log_file,
				strerror(errno));
			return 1;
		}
		/* The user reopens it after a rotation. */
		if (dropping && chown(conf.log_file, drop_to.uid, drop_to.gid) != 0) {
			log_error("cannot give %s to %s: %s", conf.log_file, drop_to.name, strerror(errno));
			return 1;
		}
	}
	_Static_assert(ROUTE__MAX <= METRICS_ROUTES_MAX, "the metrics have a slot for every route");
	static const char *route_names[ROUTE__MAX];
	for (size_t i = 0; i < ROUTE__MAX; i++)
		route_names[i] = routes[i].name;
	if (metrics_init(route_names, ROUTE__MAX) != 0) {
		log_error("cannot map shared metrics");
		return 1;
	}
	/* The check-ins' counts per account and minute, shared by the workers (store_places.c). */
	if (tally_init() != 0) {
		log_error("cannot map shared counts");
		return 1;
	}
	db_global_init();
	platform_global_init();

	unlink(conf.socket);
	mode_t old = umask(0);
	listen_fd = FCGX_OpenSocket(conf.socket, 1024);
	umask(old);
	if (listen_fd < 0) {
		fprintf(stderr, "hqr-fcgi: cannot listen on %s: %s\n", conf.socket, strerror(errno));
		return 1;
	}
	chmod(conf.socket, (mode_t)conf.socket_mode);
	if (dropping) {
		/* The socket belongs to the user and its group (nginx joins that group). */
		if (chown(conf.socket, drop_to.uid, drop_to.gid) != 0) {
			log_error("cannot give %s to %s: %s", conf.socket, drop_to.name, strerror(errno));
			return 1;
		}
		if (priv_drop(&drop_to, err, sizeof err) != 0) {
			log_error("dropping root failed: %s", err);
			return 1;
		}
		log_info("running as user %s (uid %ld, gid %ld)", drop_to.name, (long)drop_to.uid, (long)drop_to.gid);
		/* Fail now rather than at the first photo or the next reload. */
		if (access(conf.data_dir, W_OK | X_OK) != 0 || access(conf.keys_dir, R_OK | X_OK) != 0) {
			log_error("as user %s, [app] data_dir %s must be writable and keys_dir %s readable",
				  drop_to.name, conf.data_dir, conf.keys_dir);
			return 1;
		}
	} else if (geteuid() == 0) {
		log_warn("running as root: set [app] user to drop to an unprivileged user");
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	accepting = shm_zeroed(MAX_WORKERS * sizeof *accepting);
	if (accepting == NULL)
		log_warn("no shared page for the workers' readiness: a reload stops old workers at once");
	nslots = conf.workers;
	for (int i = 0; i < nslots; i++)
		start_slot(i);
	log_info("listening on %s with %d workers x %d threads", conf.socket, conf.workers, conf.threads);

	int stopping = 0;
	double stop_deadline = 0;
	for (;;) {
		struct timespec tmo = { 0, 100 * 1000 * 1000 };
		int sig = sigtimedwait(&set, NULL, &tmo);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("stopping: draining workers");
				stopping = 1;
				stop_deadline = mono() + conf.drain_timeout_s + 1;
				for (int i = 0; i < nslots; i++)
					if (slots[i].pid > 0)
						kill(slots[i].pid, SIGTERM);
				for (int i = 0; i < nretired; i++)
					kill(retired[i], SIGTERM);
				nto_retire = 0;
			}
		} else if (sig == SIGHUP && !stopping) {
			reload(path);
		} else if (sig == SIGUSR1) {
			reopen_logs();
		}
		reap(stopping);
		if (!stopping)
			retire_old();
		if (stopping) {
			if (alive() == 0)
				break;
			if (mono() > stop_deadline) {
				log_warn("workers did not stop in time: killing them");
				for (int i = 0; i < nslots; i++)
					if (slots[i].pid > 0)
						kill(slots[i].pid, SIGKILL);
				for (int i = 0; i < nretired; i++)
					kill(retired[i], SIGKILL);
				stop_deadline = mono() + 5;
			}
			continue;
		}
		double now = mono();
		for (int i = 0; i < nslots; i++)
			if (slots[i].pid == 0 && slots[i].restart_at > 0 && now >= slots[i].restart_at)
				start_slot(i);
	}
	close(listen_fd);
	unlink(conf.socket);
	log_info("stopped");
	return 0;
}
