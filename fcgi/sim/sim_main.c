/* sim_main.c: hqr-platform-sim's command line (serve, push), its route table and its FastCGI worker. */
#include "sim.h"

#include "cclass.h"
#include "conf.h"
#include "log.h"
#include "push.h"
#include "router.h"
#include "sim_push.h"
#include "worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTL_BODY_MAX (16 * 1024)
#define FIELDS(t)    t, sizeof t / sizeof t[0]
#define NO_FIELDS    NULL, 0
/* A row by member name, so that members the router grows later stay zero. */
#define ROW(n, m, p, a, b, max, f, nf, h)                                                                 \
	{                                                                                                 \
		.name = n, .method = m, .pattern = p, .auth = a, .body = b, .body_max = max, .fields = f, \
		.nfields = nf, .handler = h                                                               \
	}
/* A platform endpoint: any caller, any body (read by the handler), no field table. */
#define PLATFORM(n, m, p, h)   ROW(n, m, p, AUTH_ANY, BODY_NONE, 0, NULL, 0, h)
/* Control routes: loopback only; without a body, or with a JSON body and its field table. */
#define CTL_NOBODY(n, m, p, h) ROW(n, m, p, AUTH_LOOPBACK, BODY_NONE, 0, NULL, 0, h)
#define CTL_JSON(n, p, t, h)   ROW(n, "POST", p, AUTH_LOOPBACK, BODY_JSON, CTL_BODY_MAX, t, h)

struct sim_config sim_cfg;

enum sim_route {
	R_AUTHORIZE,
	R_SNS_TOKEN,
	R_SNS_REFRESH,
	R_USERINFO,
	R_SNS_AUTH,
	R_JSCODE,
	R_TOKEN,
	R_STABLE,
	R_MENU,
	R_TEMPLATE,
	R_BIZSEND,
	R_FACE_GETID,
	R_FACE_PAGE,
	R_FACE_QUERY,
	R_USERS_POST,
	R_USERS_GET,
	R_JSCODE_POST,
	R_TEMPLATES_POST,
	R_TEMPLATES_GET,
	R_MESSAGES,
	R_MENUS,
	R_CALLS,
	R_RESET,
	R_FAULTS_POST,
	R_FAULTS_GET,
	R_FAULTS_DELETE,
	R_CLOCK_POST,
	R_CLOCK_GET,
	R_WHITELIST_POST,
	R_WHITELIST_GET,
	R_QUOTA_POST,
	R_QUOTA_GET,
	R_PUSH,
	R_FACES,
	R__MAX
};

/*
 * The platform's endpoints take any content type and answer in the platform's own error shape,
 * so they read their query and body themselves (BODY_NONE, no field table). The control routes
 * are loopback only and get the project's common checks and field tables.
 */
static const struct route sim_routes[R__MAX] = {
	[R_AUTHORIZE] = PLATFORM("sim_authorize", "GET", "/connect/oauth2/authorize", sim_h_authorize),
	[R_SNS_TOKEN] = PLATFORM("sim_sns_token", "GET", "/sns/oauth2/access_token", sim_h_sns_token),
	[R_SNS_REFRESH] = PLATFORM("sim_sns_refresh", "GET", "/sns/oauth2/refresh_token", sim_h_sns_refresh),
	[R_USERINFO] = PLATFORM("sim_userinfo", "GET", "/sns/userinfo", sim_h_userinfo),
	[R_SNS_AUTH] = PLATFORM("sim_sns_auth", "GET", "/sns/auth", sim_h_sns_auth),
	[R_JSCODE] = PLATFORM("sim_jscode2session", "GET", "/sns/jscode2session", sim_h_jscode),
	[R_TOKEN] = PLATFORM("sim_token", "GET", "/cgi-bin/token", sim_h_token),
	[R_STABLE] = PLATFORM("sim_stable_token", "POST", "/cgi-bin/stable_token", sim_h_stable),
	[R_MENU] = PLATFORM("sim_menu_create", "POST", "/cgi-bin/menu/create", sim_h_menu),
	[R_TEMPLATE] = PLATFORM("sim_template_send", "POST", "/cgi-bin/message/template/send", sim_h_template),
	[R_BIZSEND] = PLATFORM("sim_bizsend", "POST", "/cgi-bin/message/subscribe/bizsend", sim_h_bizsend),
	[R_FACE_GETID] = PLATFORM("sim_face_getid", "POST", "/cityservice/face/identify/getverifyid", sim_h_face_getid),
	[R_FACE_PAGE] = PLATFORM("sim_face_page", "GET", "/cityservice/face/verify", sim_h_face_page),
	[R_FACE_QUERY] =
	    PLATFORM("sim_face_query", "POST", "/cityservice/face/identify/queryverifyinfo", sim_h_face_query),

	[R_USERS_POST] = CTL_JSON("sim_users_post", "/sim/users", FIELDS(sim_users_fields), sim_h_users_post),
	[R_USERS_GET] = CTL_NOBODY("sim_users_get", "GET", "/sim/users", sim_h_users_get),
	[R_JSCODE_POST] = CTL_JSON("sim_jscode_post", "/sim/jscode", FIELDS(sim_jscode_fields), sim_h_jscode_post),
	[R_TEMPLATES_POST] =
	    CTL_JSON("sim_templates_post", "/sim/templates", FIELDS(sim_template_fields), sim_h_templates_post),
	[R_TEMPLATES_GET] = CTL_NOBODY("sim_templates_get", "GET", "/sim/templates", sim_h_templates_get),
	[R_MESSAGES] = CTL_NOBODY("sim_messages", "GET", "/sim/messages", sim_h_messages),
	[R_MENUS] = CTL_NOBODY("sim_menus", "GET", "/sim/menus", sim_h_menus),
	[R_CALLS] = CTL_NOBODY("sim_calls", "GET", "/sim/calls", sim_h_calls),
	[R_RESET] = CTL_NOBODY("sim_reset", "POST", "/sim/reset", sim_h_reset),
	[R_FAULTS_POST] = CTL_JSON("sim_faults_post", "/sim/faults", FIELDS(sim_fault_fields), sim_h_faults_post),
	[R_FAULTS_GET] = CTL_NOBODY("sim_faults_get", "GET", "/sim/faults", sim_h_faults_get),
	[R_FAULTS_DELETE] = CTL_NOBODY("sim_faults_delete", "DELETE", "/sim/faults", sim_h_faults_delete),
	[R_CLOCK_POST] = CTL_JSON("sim_clock_post", "/sim/clock", FIELDS(sim_clock_fields), sim_h_clock_post),
	[R_CLOCK_GET] = CTL_NOBODY("sim_clock_get", "GET", "/sim/clock", sim_h_clock_get),
	[R_WHITELIST_POST] = CTL_JSON("sim_whitelist_post", "/sim/whitelist", NO_FIELDS, sim_h_whitelist_post),
	[R_WHITELIST_GET] = CTL_NOBODY("sim_whitelist_get", "GET", "/sim/whitelist", sim_h_whitelist_get),
	[R_QUOTA_POST] = CTL_JSON("sim_quota_post", "/sim/quota", FIELDS(sim_quota_fields), sim_h_quota_post),
	[R_QUOTA_GET] = CTL_NOBODY("sim_quota_get", "GET", "/sim/quota", sim_h_quota_get),
	[R_PUSH] = CTL_JSON("sim_push", "/sim/push", FIELDS(sim_push_fields), sim_h_push),
	[R_FACES] = CTL_NOBODY("sim_faces", "GET", "/sim/faces", sim_h_faces),
};
/* Designated: members the worker grows later stay zero (no hooks). */
static const struct app app_sim = {
	.role = "sim",
	.routes = sim_routes,
	.nroutes = R__MAX,
	.use_db = 0,
	.use_metrics = 0,
};

static void usage(void)
{
	fputs("usage:\n"
	      "  hqr-platform-sim serve -s SOCKET -a APPID -k SECRET -t PUSH_TOKEN -e ENCODING_AES_KEY\n"
	      "                         -d AUTH_DOMAIN -u SERVICE_CALLBACK_URL [-n THREADS]\n"
	      "  hqr-platform-sim push -u SERVICE_CALLBACK_URL -t PUSH_TOKEN -a APPID [-e ENCODING_AES_KEY]\n"
	      "                        --type subscribe|unsubscribe|click|text --openid OPENID [--key EVENTKEY]\n"
	      "                        [--content TEXT] [--msgid N] [--create-time TS]\n",
	      stderr);
}

/* Whether key is an EncodingAESKey the push code accepts. */
static int aes_key_ok(const char *key)
{
	struct push_aes aes;
	int ok = push_aes_init(&aes, key) == PUSH_OK;
	memset(&aes, 0, sizeof aes);
	return ok;
}

static int cmd_serve(int argc, char **argv)
{
	const char *sock = NULL;
	int threads = 64, opt;
	sim_cfg.aes_key = NULL;
	while ((opt = getopt(argc, argv, "s:a:k:t:e:d:u:n:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'a': sim_cfg.appid = optarg; break;
		case 'k': sim_cfg.secret = optarg; break;
		case 't': sim_cfg.push_token = optarg; break;
		case 'e': sim_cfg.aes_key = optarg; break;
		case 'd': sim_cfg.auth_domain = optarg; break;
		case 'u': sim_cfg.callback_url = optarg; break;
		case 'n': threads = atoi(optarg); break;
		default: usage(); return 2;
		}
	}
	if (sock == NULL || sim_cfg.appid == NULL || sim_cfg.secret == NULL || sim_cfg.push_token == NULL ||
	    sim_cfg.aes_key == NULL || sim_cfg.auth_domain == NULL || sim_cfg.callback_url == NULL || optind != argc) {
		usage();
		return 2;
	}
	if (threads < 1 || threads > 256) {
		fprintf(stderr, "hqr-platform-sim: -n must be 1..256\n");
		return 2;
	}
	if (strlen(sim_cfg.appid) == 0 || strlen(sim_cfg.appid) > PUSH_APPID_MAX || !aes_key_ok(sim_cfg.aes_key)) {
		fprintf(stderr, "hqr-platform-sim: bad -a APPID or -e ENCODING_AES_KEY (43 base64 characters)\n");
		return 2;
	}
	sim_cfg.threads = threads;

	struct conf conf;
	conf_defaults(&conf);
	conf.threads = threads;
	conf.drain_timeout_s = 2;
	snprintf(conf.socket, sizeof conf.socket, "%s", sock);

	unlink(sock);
	mode_t old = umask(0);
	int fd = FCGX_OpenSocket(sock, 1024);
	umask(old);
	if (fd < 0) {
		fprintf(stderr, "hqr-platform-sim: cannot listen on %s: %s\n", sock, strerror(errno));
		return 1;
	}
	chmod(sock, 0666);
	log_setup(LOG_INFO, "sim");

	/* worker_run ties its process to its parent's life (PR_SET_PDEATHSIG); a launcher that exits
	 * after starting us (scripts/stack.sh start) must not take the simulator with it. So this
	 * process only supervises, and one child holds the state and serves with its threads. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "hqr-platform-sim: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			log_error("curl_global_init failed");
			_exit(1);
		}
		sim_state_init();
		log_info("platform simulator for %s on %s, authorization domain %s, %d threads", sim_cfg.appid, sock,
			 sim_cfg.auth_domain, threads);
		int rc = worker_run(&conf, NULL, fd, &app_sim);
		curl_global_cleanup();
		_exit(rc);
	}
	close(fd);
	int status = 0;
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			kill(child, SIGTERM);
		else if (sig == SIGCHLD && waitpid(child, &status, WNOHANG) == child)
			break;
	}
	unlink(sock);
	if (WIFSIGNALED(status)) {
		log_error("the simulator died of signal %d", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static int cmd_push(int argc, char **argv)
{
	enum { O_TYPE = 1000, O_OPENID, O_KEY, O_CONTENT, O_MSGID, O_CTIME };
	static const struct option longs[] = {
		{ "type", required_argument, NULL, O_TYPE },
		{ "openid", required_argument, NULL, O_OPENID },
		{ "key", required_argument, NULL, O_KEY },
		{ "content", required_argument, NULL, O_CONTENT },
		{ "msgid", required_argument, NULL, O_MSGID },
		{ "create-time", required_argument, NULL, O_CTIME },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_push p;
	memset(&p, 0, sizeof p);
	const char *type = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "u:t:a:e:", longs, NULL)) != -1) {
		switch (opt) {
		case 'u': p.url = optarg; break;
		case 't': p.token = optarg; break;
		case 'a': p.appid = optarg; break;
		case 'e': p.aes_key = optarg; break;
		case O_TYPE: type = optarg; break;
		case O_OPENID: p.openid = optarg; break;
		case O_KEY: p.key = optarg; break;
		case O_CONTENT: p.content = optarg; break;
		case O_MSGID: p.msgid = optarg; break;
		case O_CTIME: p.create_time = strtoll(optarg, NULL, 10); break;
		default: usage(); return 2;
		}
	}
	int t = -1;
	for (int i = 0; type != NULL && sim_push_type_name[i] != NULL; i++)
		if (strcmp(type, sim_push_type_name[i]) == 0)
			t = i;
	if (p.url == NULL || p.token == NULL || p.appid == NULL || p.openid == NULL || t < 0 || optind != argc ||
	    (p.msgid != NULL &&
	     (p.msgid[0] == '\0' || !cc_all(p.msgid, strlen(p.msgid), cc_digit) || strlen(p.msgid) > 20))) {
		usage();
		return 2;
	}
	if (p.aes_key != NULL && !aes_key_ok(p.aes_key)) {
		fprintf(stderr, "hqr-platform-sim: -e must be 43 base64 characters\n");
		return 2;
	}
	p.type = (enum sim_push_type)t;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	struct sim_push_result r;
	sim_push_send(&p, &r);
	if (r.reply != NULL)
		fwrite(r.reply, 1, r.reply_len, stdout);
	if (r.error[0] != '\0')
		fprintf(stderr, "hqr-platform-sim: %s (HTTP %d after %d tries)\n", r.error, r.status, r.tries);
	free(r.reply);
	curl_global_cleanup();
	return r.status == 200 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "push") == 0)
		return cmd_push(argc - 1, argv + 1);
	usage();
	return 2;
}
