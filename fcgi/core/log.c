/* log.c: JSON-line logging on stderr, tagged with the current request id. */
#include "log.h"
#include "cclass.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *log_role = "hqr";
static _Thread_local const char *cur_rid = "";
static char log_path[512];

void log_setup(enum log_level min, const char *role)
{
	min_level = min;
	log_role = role;
}

void log_set_request_id(const char *rid)
{
	cur_rid = rid != NULL ? rid : "";
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int log_open(const char *path)
{
	if (strlen(path) >= sizeof log_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	/* dup2 is atomic: a thread writing a line meanwhile writes it to the old or the new file. */
	if (dup2(fd, STDERR_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	if (path != log_path)
		memcpy(log_path, path, strlen(path) + 1);
	return 0;
}

int log_reopen(void)
{
	if (log_path[0] == '\0')
		return 0;
	return log_open(log_path);
}

/* Escapes s into out as JSON string content; truncates to fit. */
static size_t json_escape(char *out, size_t max, const char *s)
{
	size_t o = 0;
	for (; *s != '\0' && o + 7 < max; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (cc_cntrl(c)) {
			o += (size_t)snprintf(out + o, max - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

void log_msg(enum log_level lvl, const char *fields, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	if (lvl < min_level)
		return;
	char msg[1024], emsg[2048], line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_escape(emsg, sizeof emsg, msg);
	char erid[160];
	json_escape(erid, sizeof erid, cur_rid);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char tbuf[40];
	strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);

	int n = snprintf(
	    line, sizeof line,
	    "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"role\":\"%s\",\"pid\":%ld,\"rid\":\"%s\",\"msg\":\"%s\"%s%s}\n",
	    tbuf, ts.tv_nsec / 1000000, names[lvl], log_role, (long)getpid(), erid, emsg, fields != NULL ? "," : "",
	    fields != NULL ? fields : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	/* One write per line so that lines of concurrent threads never interleave. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}
