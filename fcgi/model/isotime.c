/* isotime.c: a point in time as staff queries give it (unix seconds or ISO 8601) and as answers write
 * it (UTC), pure. */
#include "isotime.h"

#include "cclass.h"
#include "day.h"

#include <time.h>

/* Reads exactly n decimal digits at s into *v. */
static int digits(const char *s, size_t n, int *v)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cc_digit((unsigned char)s[i]))
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 1;
}

int isotime_parse(const char *s, size_t n, int64_t *out)
{
	if (s == NULL)
		return 0;
	if (n > 0 && n <= 12 && cc_all(s, n, cc_digit)) {
		int64_t t = 0;
		for (size_t i = 0; i < n; i++)
			t = t * 10 + (s[i] - '0');
		if (t > ISOTIME_MAX_S)
			return 0;
		*out = t;
		return 1;
	}
	int y, mo, d, h, mi, sec = 0;
	if (n < 17 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi))
		return 0;
	size_t i = 16;
	if (i < n && s[i] == ':') {
		if (i + 3 > n || !digits(s + i + 1, 2, &sec))
			return 0;
		i += 3;
		if (i < n && s[i] == '.') {
			size_t f = ++i;
			while (i < n && cc_digit((unsigned char)s[i]))
				i++;
			if (i == f || i - f > 9)
				return 0;
		}
	}
	if (!day_ymd_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
		return 0;
	int32_t day = day_from_ymd(y, mo, d);
	int64_t off = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-' || s[i] == ' ') && s[i + 3] == ':') {
		int oh, om;
		if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) || oh > 14 || om > 59)
			return 0;
		off = (int64_t)oh * 3600 + om * 60;
		if (s[i] == '-')
			off = -off;
	} else {
		return 0;
	}
	int64_t t = (int64_t)day * 86400 + h * 3600 + mi * 60 + sec - off;
	if (t < 0 || t > ISOTIME_MAX_S)
		return 0;
	*out = t;
	return 1;
}

void isotime_format(int64_t t, char out[ISOTIME_BUF])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, ISOTIME_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}
