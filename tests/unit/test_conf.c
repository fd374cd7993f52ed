/* test_conf.c: unit tests of conf.c: defaults, every key type, errors naming the key or line, env:/file: secrets, the shipped example. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

#define EXAMPLE "conf/hqr.conf.example"

static struct conf conf;
static char err[1024];

static int load(const char *ini)
{
	memset(err, 0, sizeof err);
	return conf_load_string(ini, &conf, err, sizeof err);
}

/* Loading ini fails with a message that contains every one of the given words. */
static void expect_error(const char *ini, const char *w1, const char *w2)
{
	if (load(ini) != -1)
		fail_msg("accepted:\n%s", ini);
	if (strstr(err, w1) == NULL || (w2 != NULL && strstr(err, w2) == NULL))
		fail_msg("error \"%s\" does not name \"%s\"%s%s", err, w1, w2 != NULL ? " / " : "",
			 w2 != NULL ? w2 : "");
}

static void expect_ok(const char *ini)
{
	if (load(ini) != 0)
		fail_msg("rejected (%s):\n%s", err, ini);
}

/* A temporary file holding text; its path is written into path. */
static void temp_file(char *path, size_t n, const char *text)
{
	snprintf(path, n, "/tmp/hqr-test-conf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
	struct conf d;
	(void)state;
	expect_ok("");
	conf_defaults(&d);
	assert_memory_equal(&conf, &d, sizeof d);
	assert_string_equal(conf.socket, "var/run/hqr.sock");
	assert_int_equal(conf.socket_mode, 0660);
	assert_int_equal(conf.workers, 2);
	assert_int_equal(conf.threads, 16);
	assert_int_equal(conf.drain_timeout_s, 30);
	assert_string_equal(conf.db_host, "127.0.0.1");
	assert_int_equal(conf.db_port, 3306);
	assert_string_equal(conf.db_socket, "");
	assert_string_equal(conf.db_user, "hqr");
	assert_string_equal(conf.db_name, "hqr");
	assert_string_equal(conf.data_dir, "var/data");
	assert_string_equal(conf.keys_dir, "var/keys");
	assert_string_equal(conf.migrations_dir, "sql");
	assert_string_equal(conf.timezone, "Asia/Shanghai");
	assert_int_equal(conf.local_http, 0);
	assert_int_equal(conf.log_level, LOG_INFO);
	/* Comments and blank lines alone change nothing. */
	expect_ok("; a comment\n\n# another\n[server]\n; nothing set\n");
	assert_memory_equal(&conf, &d, sizeof d);
}

static void test_defaults_not_carried_over(void **state)
{
	(void)state;
	/* Every load starts from the defaults, not from what the struct held before. */
	expect_ok("[server]\nworkers = 8\n");
	assert_int_equal(conf.workers, 8);
	expect_ok("[server]\nthreads = 4\n");
	assert_int_equal(conf.workers, 2);
	assert_int_equal(conf.threads, 4);
}

/* ---- every key type ---- */

static void test_all_core_keys(void **state)
{
	(void)state;
	expect_ok("[server]\n"
		  "socket = /run/hqr/hqr.sock\n"
		  "socket_mode = 0660\n"
		  "workers = 4\n"
		  "threads = 32\n"
		  "drain_timeout_s = 45\n"
		  "[database]\n"
		  "host = db.internal\n"
		  "port = 3307\n"
		  "socket = /run/mysqld/mysqld.sock\n"
		  "user = hqr_app\n"
		  "password = literal-secret\n"
		  "name = hqr_prod\n"
		  "timeout_s = 5\n"
		  "[app]\n"
		  "data_dir = /var/lib/hqr/data\n"
		  "keys_dir = /etc/hqr/keys\n"
		  "migrations_dir = /usr/share/hqr/sql\n"
		  "timezone = Asia/Urumqi\n"
		  "local_http = true\n"
		  "public_url = https://hqr.gov.example.cn\n"
		  "[log]\n"
		  "level = warn\n");
	assert_string_equal(conf.socket, "/run/hqr/hqr.sock");
	assert_int_equal(conf.socket_mode, 0660);
	assert_int_equal(conf.workers, 4);
	assert_int_equal(conf.threads, 32);
	assert_int_equal(conf.drain_timeout_s, 45);
	assert_string_equal(conf.db_host, "db.internal");
	assert_int_equal(conf.db_port, 3307);
	assert_string_equal(conf.db_socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(conf.db_user, "hqr_app");
	assert_string_equal(conf.db_password, "literal-secret");
	assert_string_equal(conf.db_name, "hqr_prod");
	assert_int_equal(conf.db_timeout_s, 5);
	assert_string_equal(conf.data_dir, "/var/lib/hqr/data");
	assert_string_equal(conf.keys_dir, "/etc/hqr/keys");
	assert_string_equal(conf.migrations_dir, "/usr/share/hqr/sql");
	assert_string_equal(conf.timezone, "Asia/Urumqi");
	assert_int_equal(conf.local_http, 1);
	assert_string_equal(conf.public_url, "https://hqr.gov.example.cn");
	assert_int_equal(conf.log_level, LOG_WARN);
}

static void test_integer_bounds(void **state)
{
	(void)state;
	expect_ok("[server]\nworkers = 1\n");
	assert_int_equal(conf.workers, 1);
	expect_ok("[server]\nworkers = 64\n");
	assert_int_equal(conf.workers, 64);
	expect_ok("[server]\nthreads = 256\n");
	expect_ok("[database]\nport = 65535\n");
	assert_int_equal(conf.db_port, 65535);
	expect_ok("[server]\nworkers=7\n"); /* no spaces around '=' */
	assert_int_equal(conf.workers, 7);
	expect_ok("[server]\nworkers   =   9  \n");
	assert_int_equal(conf.workers, 9);
}

static void test_octal_mode(void **state)
{
	(void)state;
	expect_ok("[server]\nsocket_mode = 0600\n");
	assert_int_equal(conf.socket_mode, 0600);
	expect_ok("[server]\nsocket_mode = 0777\n");
	assert_int_equal(conf.socket_mode, 0777);
	expect_ok("[server]\nsocket_mode = 660\n"); /* octal with or without the leading 0 */
	assert_int_equal(conf.socket_mode, 0660);
	expect_error("[server]\nsocket_mode = 0999\n", "[server] socket_mode", NULL);
	expect_error("[server]\nsocket_mode = 01777\n", "[server] socket_mode", NULL);
	expect_error("[server]\nsocket_mode = rw-rw-rw-\n", "[server] socket_mode", NULL);
	expect_error("[server]\nsocket_mode = 0x1b6\n", "[server] socket_mode", NULL);
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };
	char ini[128];
	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(ini, sizeof ini, "[app]\nlocal_http = %s\n", yes[i]);
		expect_ok(ini);
		assert_int_equal(conf.local_http, 1);
		snprintf(ini, sizeof ini, "[app]\nlocal_http = %s\n", no[i]);
		expect_ok(ini);
		assert_int_equal(conf.local_http, 0);
	}
}

static void test_log_levels(void **state)
{
	(void)state;
	expect_ok("[log]\nlevel = debug\n");
	assert_int_equal(conf.log_level, LOG_DEBUG);
	expect_ok("[log]\nlevel = info\n");
	assert_int_equal(conf.log_level, LOG_INFO);
	expect_ok("[log]\nlevel = WARN\n");
	assert_int_equal(conf.log_level, LOG_WARN);
	expect_ok("[log]\nlevel = error\n");
	assert_int_equal(conf.log_level, LOG_ERROR);
	expect_error("[log]\nlevel = verbose\n", "[log] level", NULL);
	expect_error("[log]\nlevel = 2\n", "[log] level", NULL);
}

static void test_strings(void **state)
{
	(void)state;
	/* The unix socket alone is enough to reach the database. */
	expect_ok("[database]\nhost =\nsocket = /run/mysqld/mysqld.sock\n");
	assert_string_equal(conf.db_host, "");
	assert_string_equal(conf.db_socket, "/run/mysqld/mysqld.sock");
	/* Neither is an error naming the key. */
	expect_error("[database]\nhost =\n", "[database] host", NULL);
	expect_error("[database]\nuser =\n", "[database] user", NULL);
	expect_error("[database]\nname =\n", "[database] name", NULL);
	expect_error("[app]\ntimezone =\n", "[app] timezone", NULL);
	/* Longer than its buffer. */
	char ini[1024];
	char big[CONF_STR + 10];
	memset(big, 'd', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(ini, sizeof ini, "[app]\ndata_dir = /%s\n", big);
	/* inih may cut a very long line before conf sees it; either way it must not load silently
	 * with a truncated path. */
	if (load(ini) == 0)
		assert_int_equal(strlen(conf.data_dir), strlen(big) + 1);
	snprintf(ini, sizeof ini, "[app]\ntimezone = %.100s\n", big);
	expect_error(ini, "[app] timezone", NULL);
}

/* ---- errors name the key or the line ---- */

static void test_error_out_of_range(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = 0\n", "[server] workers", "1 to 64");
	expect_error("[server]\nworkers = 65\n", "[server] workers", "1 to 64");
	expect_error("[server]\nworkers = -2\n", "[server] workers", NULL);
	expect_error("[server]\nthreads = 257\n", "[server] threads", NULL);
	expect_error("[server]\ndrain_timeout_s = 0\n", "[server] drain_timeout_s", NULL);
	expect_error("[database]\nport = 0\n", "[database] port", NULL);
	expect_error("[database]\nport = 65536\n", "[database] port", NULL);
	expect_error("[database]\ntimeout_s = 61\n", "[database] timeout_s", NULL);
}

static void test_error_not_an_integer(void **state)
{
	static const char *const bad[] = { "two", "2x", "2.5", "0x10", "", "1e2", "99999999999999999999", "4 workers" };
	char ini[128];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(ini, sizeof ini, "[server]\nworkers = %s\n", bad[i]);
		expect_error(ini, "[server] workers", "integer");
	}
}

static void test_error_unknown_key(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = 2\nthreads_per_core = 4\n", "[server] threads_per_core", "unknown key");
	expect_error("[database]\npasswd = x\n", "[database] passwd", "unknown key");
	expect_error("[cache]\nsize = 64\n", "[cache] size", "unknown key");
	/* A known key in the wrong section is unknown there. */
	expect_error("[app]\nworkers = 2\n", "[app] workers", "unknown key");
	/* Keys are case-sensitive. */
	expect_error("[server]\nWorkers = 2\n", "[server] Workers", "unknown key");
	/* A key before any section. */
	expect_error("workers = 2\n", "workers", "unknown key");
}

static void test_error_bad_boolean(void **state)
{
	static const char *const bad[] = { "maybe", "TRUE", "on", "off", "2", "" };
	char ini[128];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(ini, sizeof ini, "[app]\nlocal_http = %s\n", bad[i]);
		expect_error(ini, "[app] local_http", "true or false");
	}
}

static void test_error_bad_ini_line(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = 2\nthis line is wrong\n", "line 3", NULL);
	expect_error("; hqr\n\n[server]\nworkers = 2\nthreads 16\n", "line 5", NULL);
	expect_error("garbage\n", "line 1", NULL);
}

static void test_error_stops_at_first_key(void **state)
{
	(void)state;
	/* Two bad keys: the message names the first one. */
	expect_error("[server]\nworkers = 0\nthreads = 0\n", "[server] workers", NULL);
	assert_null(strstr(err, "threads"));
}

/* ---- secrets ---- */

static void test_secret_env(void **state)
{
	(void)state;
	assert_int_equal(setenv("HQR_TEST_DB_PW", "correct horse; battery = \"staple\"", 1), 0);
	expect_ok("[database]\npassword = env:HQR_TEST_DB_PW\n");
	assert_string_equal(conf.db_password, "correct horse; battery = \"staple\"");
	/* An empty variable is an empty secret, not an unset one. */
	assert_int_equal(setenv("HQR_TEST_DB_PW", "", 1), 0);
	expect_ok("[database]\npassword = env:HQR_TEST_DB_PW\n");
	assert_string_equal(conf.db_password, "");
	unsetenv("HQR_TEST_DB_PW");
}

static void test_secret_env_missing(void **state)
{
	(void)state;
	unsetenv("HQR_TEST_NO_SUCH_VARIABLE");
	expect_error("[database]\npassword = env:HQR_TEST_NO_SUCH_VARIABLE\n", "[database] password",
		     "HQR_TEST_NO_SUCH_VARIABLE");
	assert_non_null(strstr(err, "not set"));
}

static void test_secret_env_too_long(void **state)
{
	char big[CONF_STR + 100];
	(void)state;
	memset(big, 's', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(setenv("HQR_TEST_BIG_PW", big, 1), 0);
	expect_error("[database]\npassword = env:HQR_TEST_BIG_PW\n", "[database] password", NULL);
	unsetenv("HQR_TEST_BIG_PW");
}

static void test_secret_file(void **state)
{
	char path[64], ini[256];
	(void)state;
	temp_file(path, sizeof path, "s3cr3t-from-file\n");
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_ok(ini);
	assert_string_equal(conf.db_password, "s3cr3t-from-file");
	/* A backup carries the file the password came from. */
	assert_string_equal(conf.db_password_file, path);
	assert_int_equal(unlink(path), 0);

	/* CRLF written by an editor on another system; inner spaces are kept. */
	temp_file(path, sizeof path, "pass phrase\r\n");
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_ok(ini);
	assert_string_equal(conf.db_password, "pass phrase");
	assert_int_equal(unlink(path), 0);

	/* Only line ends go: a blank before them is the secret's. */
	temp_file(path, sizeof path, "ends in a blank \t\n\n");
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_ok(ini);
	assert_string_equal(conf.db_password, "ends in a blank \t");
	assert_int_equal(unlink(path), 0);

	/* No trailing newline. */
	temp_file(path, sizeof path, "x");
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_ok(ini);
	assert_string_equal(conf.db_password, "x");
	assert_int_equal(unlink(path), 0);
}

static void test_secret_file_errors(void **state)
{
	char path[64], ini[256];
	(void)state;
	/* A file that does not exist (any more): the error names the key and the path. */
	temp_file(path, sizeof path, "gone");
	assert_int_equal(unlink(path), 0);
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_error(ini, "[database] password", path);

	/* A file longer than the secret's buffer. */
	char big[CONF_STR * 2];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	temp_file(path, sizeof path, big);
	snprintf(ini, sizeof ini, "[database]\npassword = file:%s\n", path);
	expect_error(ini, "[database] password", NULL);
	assert_int_equal(unlink(path), 0);
}

/* ---- the shipped example ---- */

/* Sets every env:NAME the example refers to: HQR_DB_PASSWORD to db_pw, the others to a dummy. */
static void set_example_env(const char *db_pw)
{
	FILE *f = fopen(EXAMPLE, "r");
	char line[1024];
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		const char *p = strstr(line, "= env:");
		if (line[0] == ';' || p == NULL)
			continue;
		p += 6;
		size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		char name[128];
		assert_true(n > 0 && n < sizeof name);
		memcpy(name, p, n);
		name[n] = '\0';
		assert_int_equal(setenv(name, strcmp(name, "HQR_DB_PASSWORD") == 0 ? db_pw : "dummy-secret", 1), 0);
	}
	fclose(f);
}

static void test_example_file(void **state)
{
	(void)state;
	set_example_env("example-db-password");
	memset(err, 0, sizeof err);
	if (conf_load(EXAMPLE, &conf, err, sizeof err) != 0)
		fail_msg("%s does not load: %s", EXAMPLE, err);
	assert_string_equal(conf.db_password, "example-db-password");
	assert_string_equal(conf.socket, "var/run/hqr.sock");
	assert_int_equal(conf.socket_mode, 0660);
	assert_int_equal(conf.workers, 2);
	assert_int_equal(conf.threads, 16);
	assert_string_equal(conf.db_host, "127.0.0.1");
	assert_int_equal(conf.db_port, 3306);
	assert_string_equal(conf.db_socket, "");
	assert_int_equal(conf.db_timeout_s, 2);
	assert_int_equal(conf.db_read_timeout_s, 10);
	assert_string_equal(conf.timezone, "Asia/Shanghai");
	assert_int_equal(conf.local_http, 0);
	assert_string_equal(conf.public_url, "https://hqr.example.org");
	assert_int_equal(conf.log_level, LOG_INFO);
	assert_string_equal(conf.user, "hqr");
	assert_string_equal(conf.log_file, "");
	assert_string_equal(conf.mariadb_cnf, "");
	assert_string_equal(conf.db_password_file, "");
}

static void test_example_file_needs_its_secret(void **state)
{
	(void)state;
	set_example_env("x");
	unsetenv("HQR_DB_PASSWORD");
	assert_int_equal(conf_load(EXAMPLE, &conf, err, sizeof err), -1);
	assert_non_null(strstr(err, "HQR_DB_PASSWORD"));
	assert_non_null(strstr(err, "[database] password"));
}

static void test_missing_file(void **state)
{
	(void)state;
	memset(err, 0, sizeof err);
	assert_int_equal(conf_load("/nonexistent/hqr.conf", &conf, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/hqr.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_not_carried_over),
		cmocka_unit_test(test_all_core_keys),
		cmocka_unit_test(test_integer_bounds),
		cmocka_unit_test(test_octal_mode),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_error_out_of_range),
		cmocka_unit_test(test_error_not_an_integer),
		cmocka_unit_test(test_error_unknown_key),
		cmocka_unit_test(test_error_bad_boolean),
		cmocka_unit_test(test_error_bad_ini_line),
		cmocka_unit_test(test_error_stops_at_first_key),
		cmocka_unit_test(test_secret_env),
		cmocka_unit_test(test_secret_env_missing),
		cmocka_unit_test(test_secret_env_too_long),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_secret_file_errors),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_example_file_needs_its_secret),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
