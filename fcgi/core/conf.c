/* conf.c: INI (inih) → struct conf, every key validated, secrets from env: or file:. */
#include "conf.h"
#include "cclass.h"
#include "log.h"
#include "trim.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ctype { C_STR, C_INT, C_BOOL, C_OCT, C_SECRET, C_LEVEL };

struct conf_key {
	const char *section, *name;
	enum ctype type;
	size_t off;
	long min, max;    /* integers: inclusive bounds; strings: minimum length in min */
	size_t size;      /* strings: buffer size */
	long def;         /* integers: the default */
	const char *sdef; /* strings: the default */
};

/* Each key with its bounds and its default (secrets have none). */
/* clang-format off */
#define FIELD(field) offsetof(struct conf, field)
#define S(sec, key, field, minlen, def) { sec, key, C_STR, FIELD(field), minlen, 0, sizeof(((struct conf *)0)->field), 0, def }
#define N(sec, key, type, field, lo, hi, def) { sec, key, type, FIELD(field), lo, hi, 0, def, NULL }
#define I(sec, key, field, lo, hi, def) N(sec, key, C_INT, field, lo, hi, def)
#define SECRET(sec, key, field, size) { sec, key, C_SECRET, FIELD(field), 0, 0, size, 0, NULL }

static const struct conf_key keys[] = {
	S("server",   "socket",              socket,              1, "var/run/hqr.sock"),
	N("server",   "socket_mode",         C_OCT, socket_mode,  0, 0777, 0660),
	I("server",   "workers",             workers,             1, 64, 2),
	I("server",   "threads",             threads,             1, 256, 16),
	I("server",   "queue",               queue,               1, 4096, 64),
	I("server",   "queue_ms",            queue_ms,            1, 60000, 500),
	I("server",   "drain_timeout_s",     drain_timeout_s,     1, 600, 30),
	S("database", "host",                db_host,             0, "127.0.0.1"),
	I("database", "port",                db_port,             1, 65535, 3306),
	S("database", "socket",              db_socket,           0, ""),
	S("database", "fallback",            db_fallback,         0, ""),
	S("database", "user",                db_user,             1, "hqr"),
	SECRET("database", "password",       db_password,         CONF_STR),
	S("database", "name",                db_name,             1, "hqr"),
	I("database", "timeout_s",           db_timeout_s,        1, 60, 2),
	I("database", "read_timeout_s",      db_read_timeout_s,   1, 86400, 10),
	S("app",      "data_dir",            data_dir,            1, "var/data"),
	S("app",      "keys_dir",            keys_dir,            1, "var/keys"),
	S("app",      "migrations_dir",      migrations_dir,      1, "sql"),
	S("app",      "timezone",            timezone,            1, "Asia/Shanghai"),
	I("app",      "keys_overlap_s",      keys_overlap_s,      0, 366 * 86400, 7 * 86400),
	N("app",      "local_http",          C_BOOL, local_http,  0, 1, 0),
	S("app",      "public_url",          public_url,          1, "http://127.0.0.1:8080"),
	S("app",      "user",                user,                0, ""),
	I("rules",    "fever_tenths",        fever_tenths,        350, 420, 373),
	I("rules",    "observation_days",    observation_days,    1, 365, 14),
	I("rules",    "delegation_limit",    delegation_limit,    0, 50, 5),
	I("rules",    "retention_days",      retention_days,      1, 3650, 28),
	I("rules",    "refresh_after_s",     refresh_after_s,     5, 600, 30),
	I("rules",    "dynamic_ttl_s",       dynamic_ttl_s,       30, 3600, 180),
	I("rules",    "photo_max_bytes",     photo_max_bytes,     1024, 2 * 1024 * 1024, 2 * 1024 * 1024),
	I("rules",    "photo_min_px",        photo_min_px,        16, 4096, 100),
	I("rules",    "photo_max_px",        photo_max_px,        64, 16384, 8000),
	I("session",  "idle_s",              session_idle_s,      60, 31 * 86400, 7 * 86400),
	I("session",  "absolute_s",          session_absolute_s,  300, 366 * 86400, 30 * 86400),
	I("session",  "login_states_max",    login_states_max,    10, 10000000, 100000),
	S("platform", "authorize_base",      authorize_base,      8, ""),
	S("platform", "api_base",            api_base,            8, ""),
	S("platform", "appid",               appid,               1, ""),
	SECRET("platform", "secret",         app_secret,          CONF_STR),
	SECRET("platform", "push_token",     push_token,          CONF_STR),
	SECRET("platform", "aes_key",        aes_key,             64),
	S("platform", "oauth_scope",         oauth_scope,         1, "snsapi_base"),
	I("platform", "timeout_ms",          platform_timeout_ms, 100, 60000, 3000),
	I("platform", "connect_ms",          platform_connect_ms, 50, 30000, 1000),
	I("platform", "max_waits",           platform_max_waits,  1, 256, 4),
	S("platform", "menu_name",           menu_name,           1, "Health Code"),
	S("platform", "menu_key",            menu_key,            1, "HEALTH_CODE"),
	S("platform", "template_reminder",   template_reminder,   1, "tmpl_reminder"),
	S("platform", "template_delegation", template_delegation, 1, "tmpl_delegation"),
	I("platform", "reminder_hour",       reminder_hour,       0, 23, 20),
	S("backup",   "mariadb_cnf",         mariadb_cnf,         0, ""),
	N("log",      "level",               C_LEVEL, log_level,  0, 3, LOG_INFO),
	S("log",      "file",                log_file,            0, ""),
};
/* clang-format on */

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct conf_key *k = &keys[i];
		char *field = (char *)c + k->off;
		if (k->type == C_STR)
			snprintf(field, k->size, "%s", k->sdef);
		else if (k->type != C_SECRET)
			*(int *)(void *)field = (int)k->def;
	}
}

struct parse_ctx {
	struct conf *c;
	char *err;
	size_t errlen;
	int failed;
	unsigned char seen[sizeof keys / sizeof keys[0]];
};

/* Resolves "env:NAME" and "file:PATH" into out; anything else is taken literally. */
static int resolve_secret(const char *v, char *out, size_t outlen, char *why, size_t whylen)
{
	if (strncmp(v, "env:", 4) == 0) {
		const char *e = getenv(v + 4);
		if (e == NULL) {
			snprintf(why, whylen, "environment variable %s is not set", v + 4);
			return -1;
		}
		v = e;
	} else if (strncmp(v, "file:", 5) == 0) {
		FILE *f = fopen(v + 5, "r");
		if (f == NULL) {
			snprintf(why, whylen, "cannot read %s: %s", v + 5, strerror(errno));
			return -1;
		}
		size_t n = fread(out, 1, outlen - 1, f);
		int big = fgetc(f) != EOF;
		fclose(f);
		if (big) {
			snprintf(why, whylen, "the file is longer than %zu bytes", outlen - 1);
			return -1;
		}
		out[trim_end(out, n, cc_eol) /* a line's end goes, blanks are the secret's */] = '\0';
		return 0;
	}
	if (strlen(v) >= outlen) {
		snprintf(why, whylen, "too long");
		return -1;
	}
	snprintf(out, outlen, "%s", v);
	return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *p = user;
	if (p->failed)
		return 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct conf_key *k = &keys[i];
		if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
			continue;
		char *field = (char *)p->c + k->off;
		char why[256] = "";
		/* inih joins an indented line to the key before it: a key met twice is an error. */
		if (p->seen[i]++) {
			snprintf(p->err, p->errlen, "config key [%s] %s: given twice (or an indented line follows it)",
				 section, name);
			p->failed = 1;
			return 0;
		}
		switch (k->type) {
		case C_STR:
			if (strlen(value) >= k->size || strlen(value) < (size_t)k->min) {
				snprintf(why, sizeof why, "must be %ld to %zu bytes", k->min, k->size - 1);
				break;
			}
			memcpy(field, value, strlen(value) + 1);
			break;
		case C_SECRET:
			resolve_secret(value, field, k->size, why, sizeof why);
			if (field == (char *)p->c->db_password && strncmp(value, "file:", 5) == 0)
				snprintf(p->c->db_password_file, sizeof p->c->db_password_file, "%s", value + 5);
			break;
		case C_INT:
		case C_OCT: {
			char *end;
			errno = 0;
			long v = strtol(value, &end, k->type == C_OCT ? 8 : 10);
			if (errno != 0 || end == value || *end != '\0' || v < k->min || v > k->max) {
				snprintf(why, sizeof why, "must be an integer from %ld to %ld", k->min, k->max);
				break;
			}
			*(int *)(void *)field = (int)v;
			break;
		}
		case C_BOOL:
			if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
				*(int *)(void *)field = 1;
			else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "no") == 0)
				*(int *)(void *)field = 0;
			else
				snprintf(why, sizeof why, "must be true or false");
			break;
		case C_LEVEL: {
			enum log_level l;
			if (log_level_parse(value, &l) != 0)
				snprintf(why, sizeof why, "must be debug, info, warn or error");
			else
				*(int *)(void *)field = (int)l;
			break;
		}
		}
		if (why[0] != '\0') {
			snprintf(p->err, p->errlen, "config key [%s] %s: %s", section, name, why);
			p->failed = 1;
			return 0;
		}
		return 1;
	}
	snprintf(p->err, p->errlen, "config key [%s] %s: unknown key", section, name);
	p->failed = 1;
	return 0;
}

/* [database] fallback: empty, or "host:port,host:port" (at most CONF_DB_FALLBACK_MAX). */
static int fallback_valid(const char *f)
{
	int n = 0;
	while (*f != '\0') {
		size_t len = strcspn(f, ",");
		const char *colon = memchr(f, ':', len);
		if (colon == NULL || colon == f || colon - f > 63 || ++n > CONF_DB_FALLBACK_MAX)
			return 0;
		size_t plen = len - (size_t)(colon - f) - 1;
		if (plen < 1 || plen > 5 || cc_span(colon + 1, cc_digit) < plen)
			return 0;
		long port = strtol(colon + 1, NULL, 10);
		if (port < 1 || port > 65535)
			return 0;
		f += len;
		if (*f == ',' && *++f == '\0')
			return 0;
	}
	return 1;
}

static int finish(struct parse_ctx *p, int rc)
{
	if (p->failed)
		return -1;
	if (rc > 0) {
		snprintf(p->err, p->errlen, "config line %d: not a valid INI line", rc);
		return -1;
	}
	if (rc < 0) {
		snprintf(p->err, p->errlen, "config file cannot be read");
		return -1;
	}
	if (p->c->aes_key[0] != '\0' && strlen(p->c->aes_key) != 43) {
		snprintf(p->err, p->errlen, "config key [platform] aes_key: must be 43 characters");
		return -1;
	}
	if (strcmp(p->c->oauth_scope, "snsapi_base") != 0 && strcmp(p->c->oauth_scope, "snsapi_userinfo") != 0) {
		snprintf(p->err, p->errlen,
			 "config key [platform] oauth_scope: must be snsapi_base or snsapi_userinfo");
		return -1;
	}
	if (p->c->db_socket[0] == '\0' && p->c->db_host[0] == '\0') {
		snprintf(p->err, p->errlen, "config key [database] host: host or socket is required");
		return -1;
	}
	if (!fallback_valid(p->c->db_fallback)) {
		snprintf(p->err, p->errlen,
			 "config key [database] fallback: a comma-separated list of at most %d "
			 "host:port (a host of 1-63 characters, a port of 1-65535)",
			 CONF_DB_FALLBACK_MAX);
		return -1;
	}
	return 0;
}

int conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	/* c is only stored here; conf_defaults fills it before any read. */
	/* cppcheck-suppress ctuuninitvar */
	struct parse_ctx p = { c, err, errlen, 0, { 0 } };
	conf_defaults(c);
	int rc = ini_parse(path, on_key, &p);
	if (rc == -1 && !p.failed) {
		snprintf(err, errlen, "config file %s cannot be opened: %s", path, strerror(errno));
		return -1;
	}
	return finish(&p, rc);
}

int conf_load_string(const char *ini, struct conf *c, char *err, size_t errlen)
{
	struct parse_ctx p = { c, err, errlen, 0, { 0 } };
	conf_defaults(c);
	return finish(&p, ini_parse_string(ini, on_key, &p));
}
