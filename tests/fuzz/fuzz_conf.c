/* fuzz_conf.c: libFuzzer target for the configuration (conf.c over inih): the whole text parsed
 * and validated, from a string (conf_load_string) and, when it holds no NUL, from a file (a
 * memfd read by conf_load, the path the service takes). Never crash; both paths agree; a loaded
 * configuration is within every documented bound; a refusal says why. Standard input is
 * /dev/null, so a "file:/dev/stdin" secret reads nothing rather than waiting. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (freopen("/dev/null", "r", stdin) == NULL)
		abort();
	setenv("HQR_FUZZ_SECRET", "from-the-environment", 1);
	memfd = memfd_create("fuzz_conf", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
	return 0;
}

#define IN(v, lo, hi) ((v) >= (lo) && (v) <= (hi))
#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void check_loaded(const struct conf *c)
{
	if (!IN(c->workers, 1, 64) || !IN(c->threads, 1, 256) || !IN(c->socket_mode, 0, 0777) ||
	    !IN(c->db_port, 1, 65535) || !IN(c->fever_tenths, 350, 420) || !IN(c->reminder_hour, 0, 23) ||
	    !IN(c->platform_timeout_ms, 100, 60000) || !IN(c->platform_max_waits, 1, 256) ||
	    !IN(c->session_idle_s, 60, 31 * 86400) || !IN(c->log_level, 0, 3) || !IN(c->local_http, 0, 1))
		abort();
	if (!TERMINATED(c->socket) || !TERMINATED(c->db_host) || !TERMINATED(c->db_password) ||
	    !TERMINATED(c->db_fallback) || !TERMINATED(c->aes_key) || !TERMINATED(c->oauth_scope) ||
	    !TERMINATED(c->timezone) || !TERMINATED(c->log_file) || !TERMINATED(c->public_url))
		abort();
	if (c->socket[0] == '\0' || c->db_user[0] == '\0' || (c->db_host[0] == '\0' && c->db_socket[0] == '\0'))
		abort();
	if (c->aes_key[0] != '\0' && strlen(c->aes_key) != 43)
		abort();
	if (strcmp(c->oauth_scope, "snsapi_base") != 0 && strcmp(c->oauth_scope, "snsapi_userinfo") != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static struct conf c1, c2;
	char e1[512], e2[512];
	e1[0] = e2[0] = '\0';
	int r1 = conf_load_string(text, &c1, e1, sizeof e1);
	if (r1 == 0)
		check_loaded(&c1);
	else if (r1 != -1 || e1[0] == '\0' || memchr(e1, '\0', sizeof e1) == NULL)
		abort();
	if (memchr(data, '\0', size) == NULL) {
		if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
			abort();
		int r2 = conf_load(memfd_path, &c2, e2, sizeof e2);
		if (r2 != r1 || strcmp(e1, e2) != 0)
			abort();
		if (r1 == 0 && memcmp(&c1, &c2, sizeof c1) != 0)
			abort();
	}
	free(text);
	return 0;
}
