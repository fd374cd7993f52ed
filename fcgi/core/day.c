/* day.c: the one calendar: day numbers (days since 1970-01-01), dates and their text; pure. */
#include "day.h"
#include "cclass.h"

/*
 * The days-from-civil algorithm and its inverse, civil-from-days (proleptic Gregorian,
 * years counted from March so that the leap day is the last day of a year), computed in
 * int64_t so that no int32_t input can overflow.
 */

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool day_ymd_valid(int y, int m, int d)
{
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days_in_month(y, m);
}

int32_t day_from_ymd(int y, int m, int d)
{
	int64_t yy, era, yoe, doy, doe;

	if (!day_ymd_valid(y, m, d))
		return DAY_INVALID;
	yy = (int64_t)y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;                                  /* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
	return (int32_t)(era * 146097 + doe - 719468);
}

void day_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                      /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                                    /* 0..11 */
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

bool day_ok(int64_t day)
{
	return day >= DAY_MIN && day <= DAY_MAX;
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!cc_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool day_parse(const char *s, size_t len, int32_t *day)
{
	int y, m, d;

	if (s == NULL || day == NULL || len != DAY_STRLEN || s[4] != '-' || s[7] != '-')
		return false;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !day_ymd_valid(y, m, d))
		return false;
	*day = day_from_ymd(y, m, d);
	return true;
}

static void put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

bool day_format(int32_t day, char buf[DAY_BUF])
{
	int y, m, d;

	buf[0] = '\0';
	if (!day_ok(day))
		return false;
	day_to_ymd(day, &y, &m, &d);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return true;
}

int32_t day_from_unix(int64_t unix_s, int32_t utc_offset_s)
{
	/* Split first so that no addition can overflow, then floor. */
	int64_t q = unix_s / 86400, r = unix_s % 86400 + utc_offset_s;
	int64_t day = q + r / 86400 - (r % 86400 < 0 ? 1 : 0);

	return day_ok(day) ? (int32_t)day : DAY_INVALID;
}
