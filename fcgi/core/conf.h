/* conf.h: the service's configuration, read from INI with inih and validated at start-up. */
#ifndef HQR_CONF_H
#define HQR_CONF_H
#include <stddef.h>

#define CONF_STR             512
#define CONF_DB_FALLBACK_MAX 7 /* with the host: DB_SERVERS_MAX servers */

struct conf {
	/* [server] */
	char socket[CONF_STR]; /* unix socket path the application listens on */
	int socket_mode;       /* octal mode of the socket (nginx workers must reach it) */
	int workers;           /* worker processes */
	int threads;           /* threads per worker, each with its own database connection */
	int queue;             /* requests a worker lets wait for a thread; past it, 503 BUSY */
	int queue_ms;          /* the longest wait for a thread; a request waiting longer: 503 BUSY */
	int drain_timeout_s;   /* SIGTERM: longest wait for in-flight requests */
	/* [database] */
	char db_host[CONF_STR];
	int db_port;
	char db_socket[CONF_STR];
	char db_fallback[CONF_STR]; /* "host:port,..." tried in turn when host (or socket) fails */
	char db_user[CONF_STR];
	char db_password[CONF_STR];      /* secret: may be "env:NAME" or "file:PATH" */
	char db_password_file[CONF_STR]; /* the PATH of a "file:PATH" password, else "" (backups) */
	char db_name[CONF_STR];
	int db_timeout_s;      /* connect timeout */
	int db_read_timeout_s; /* read and write timeouts of a statement */
	/* [app] */
	char data_dir[CONF_STR];
	char keys_dir[CONF_STR];
	char migrations_dir[CONF_STR];
	char timezone[64];
	int keys_overlap_s; /* a rotated signing key keeps verifying this long */
	int local_http;     /* 1: cookies without Secure (local development over http) */
	char public_url[CONF_STR];
	char user[64]; /* a master started as root drops to this user ("": stays root) */
	/* [rules] */
	int fever_tenths;     /* fever threshold in tenths of a degree (373 = 37.3 °C) */
	int observation_days; /* a red code's observation */
	int delegation_limit; /* relatives one account may hold */
	int retention_days;   /* scans and reports are kept this long */
	int refresh_after_s;  /* the client refreshes the phone code this often */
	int dynamic_ttl_s;    /* a phone token is stale after this long */
	int photo_max_bytes;
	int photo_min_px, photo_max_px;
	/* [session] */
	int session_idle_s;     /* a session unused this long ends */
	int session_absolute_s; /* a session ends this long after login, used or not */
	int login_states_max;   /* web logins started and not yet finished that are kept */
	/* [platform] */
	char authorize_base[CONF_STR]; /* where browsers are sent to consent */
	char api_base[CONF_STR];       /* the platform's API */
	char appid[64];
	char app_secret[CONF_STR]; /* secret */
	char push_token[CONF_STR]; /* secret: signs the server URL's requests */
	char aes_key[64];          /* secret: EncodingAESKey (43 chars) for safe mode; empty = plain */
	char oauth_scope[32];
	int platform_timeout_ms; /* total time of one outbound call */
	int platform_connect_ms;
	int platform_max_waits;       /* threads per worker that may wait on the platform at once */
	char menu_name[64];           /* the menu button that opens the health code page */
	char menu_key[128];           /* CLICK key answered with the link */
	char template_reminder[64];   /* template id of the daily report reminder */
	char template_delegation[64]; /* template id of the notice to an owner or holders about a delegate */
	int reminder_hour;            /* local hour from which the daily job sends reminders */
	/* [backup] */
	char mariadb_cnf[CONF_STR]; /* defaults file of mariadb-backup ("": its own defaults) */
	/* [log] */
	int log_level;           /* enum log_level */
	char log_file[CONF_STR]; /* appended to and reopened on SIGUSR1 ("": standard error) */
};

/* Fills c with the defaults documented in conf/hqr.conf.example. */
void conf_defaults(struct conf *c);
/* Reads path over the defaults and validates; on failure writes a message naming
 * the key (or the line) into err and returns -1. Secrets given as env:/file: are resolved. */
int conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* The same from a string (for tests). */
int conf_load_string(const char *ini, struct conf *c, char *err, size_t errlen);

#endif
