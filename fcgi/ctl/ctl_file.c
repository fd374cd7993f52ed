/* ctl_file.c: what several hqrctl verbs share about files and arguments. */
#include "ctl.h"
#include "cclass.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ctl_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (buf == NULL || bad || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

uint64_t ctl_id_arg(const char *what, const char *s)
{
	uint64_t v = 0;
	size_t n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > 19 || s[0] == '0' || !cc_all(s, n, cc_digit)) {
		fprintf(stderr, "hqrctl: %s must be a positive decimal id\n", what);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > (uint64_t)INT64_MAX) {
		fprintf(stderr, "hqrctl: %s must be a positive decimal id\n", what);
		return 0;
	}
	return v;
}
