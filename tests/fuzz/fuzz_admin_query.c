/* fuzz_admin_query.c: libFuzzer target for the staff queries' parsers: isotime_parse (the from and
 * to of a trace) and the label and reason checks (checkpoint names, place-code labels, orders).
 * Never crash or read past the input (it has no NUL); an accepted time is in range and agrees
 * with the C library's calendar; what a label check accepts is clean text and stays accepted. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "isotime.h"
#include "label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* t as "YYYY-MM-DDTHH:MM:SSZ" by gmtime_r, an independent calendar. */
static void canonical(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL)
		abort();
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

static void check_time(const char *s, size_t n)
{
	int64_t t = -1;
	if (!isotime_parse(s, n, &t)) {
		if (t != -1) /* a refusal leaves *out alone */
			abort();
		return;
	}
	if (t < 0 || t > ISOTIME_MAX_S)
		abort();
	char c[32];
	canonical(t, c);
	int64_t again = -1;
	if (!isotime_parse(c, strlen(c), &again) || again != t)
		abort();
	/* A whole UTC time with seconds and no fraction is its own canonical text. */
	if (n == 20 && (s[19] == 'Z' || s[19] == 'z') && strncasecmp(s, c, 20) != 0)
		abort();
	/* Digits alone are the seconds they spell. */
	int all_digits = n <= 12;
	int64_t v = 0;
	for (size_t i = 0; all_digits && i < n; i++) {
		all_digits = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (s[i] - '0');
	}
	if (all_digits && v != t)
		abort();
}

/* Clean text: no ASCII control byte (NUL included), no space at either end, at most max bytes. */
static void clean(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || s[0] == ' ' || s[n - 1] == ' ')
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F)
			abort();
}

static void check_labels(const char *s, size_t n)
{
	const char *w = label_check(s, n);
	if (w == NULL) {
		clean(s, n, LABEL_MAX_BYTES);
		if (utf8_check_text(s, n) < 1 || utf8_check_text(s, n) > LABEL_MAX_CP)
			abort();
	} else if (strcmp(w, "EMPTY") != 0 && strcmp(w, "TOO_LONG") != 0 && strcmp(w, "INVALID_CHARACTERS") != 0) {
		abort();
	}
	char out[LABEL_BUF];
	w = label_trim(s, n, out);
	if (w == NULL) {
		size_t k = strlen(out);
		clean(out, k, LABEL_MAX_BYTES);
		if (memmem(s, n, out, k) == NULL || label_check(out, k) != NULL)
			abort();
		char again[LABEL_BUF];
		if (label_trim(out, k, again) != NULL || strcmp(again, out) != 0)
			abort();
	} else if (label_check(s, n) == NULL) {
		abort(); /* a label valid as given is valid trimmed */
	}
	char r[REASON_BUF];
	if (reason_trim(s, n, r) == NULL) {
		size_t k = strlen(r);
		clean(r, k, REASON_MAX);
		for (size_t i = 0; i < k; i++)
			if ((unsigned char)r[i] > 0x7E)
				abort();
		if (memmem(s, n, r, k) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_time(s, size);
	check_labels(s, size);
	return 0;
}
