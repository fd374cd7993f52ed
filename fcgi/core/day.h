/* day.h: the one calendar: day numbers (days since 1970-01-01 in the configured zone), proleptic
 * Gregorian dates and "YYYY-MM-DD" text; pure (no clock, no zone: callers pass them in). */
#ifndef HQR_DAY_H
#define HQR_DAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAY_INVALID INT32_MIN
#define DAY_MIN     (-719162) /* 0001-01-01 */
#define DAY_MAX     2932896   /* 9999-12-31 */
#define DAY_STRLEN  10        /* "YYYY-MM-DD" */
#define DAY_BUF     11        /* the text and its NUL */

/* True when day lies in DAY_MIN..DAY_MAX. */
bool day_ok(int64_t day);
/* True when y-m-d is a real proleptic Gregorian date with 1 <= y <= 9999. */
bool day_ymd_valid(int y, int m, int d);
/* Day number of y-m-d, or DAY_INVALID when !day_ymd_valid(y, m, d). */
int32_t day_from_ymd(int y, int m, int d);
/* The date of a day number; defined for every int32_t (years outside 1..9999 for
 * days outside DAY_MIN..DAY_MAX). y, m, d must not be NULL. */
void day_to_ymd(int32_t day, int *y, int *m, int *d);
/* Parses exactly "YYYY-MM-DD" from s[0..len) (need not be NUL-terminated) into *day.
 * Returns false, leaving *day untouched, on any other shape or an unreal date. */
bool day_parse(const char *s, size_t len, int32_t *day);
/* Writes "YYYY-MM-DD" and a NUL into buf. Returns false (buf = "") outside
 * DAY_MIN..DAY_MAX. */
bool day_format(int32_t day, char buf[DAY_BUF]);
/* The local day of a unix time (seconds) at a fixed UTC offset (seconds east of UTC,
 * e.g. 28800 for Asia/Shanghai); the caller gets the offset from its zone. Floors, so
 * times before 1970 land on the right day. */
int32_t day_from_unix(int64_t unix_s, int32_t utc_offset_s);

#endif
