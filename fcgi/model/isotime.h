/* isotime.h: a point in time as staff queries give it (unix seconds or ISO 8601) and as answers write
 * it (UTC), pure. */
#ifndef HQR_ISOTIME_H
#define HQR_ISOTIME_H
#include <stddef.h>
#include <stdint.h>

#define ISOTIME_MAX_S 253402300799LL /* 9999-12-31T23:59:59Z */
#define ISOTIME_BUF   32             /* room for what isotime_format writes, with its NUL */

/* Parses s[0..n) (need not be NUL-terminated): unix seconds (1..12 digits), or ISO 8601
 * "YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]" ('T' or 't') followed by "Z"/"z" or an offset "+HH:MM",
 * "-HH:MM" (hours 0..14). A query decodes '+' to a space, so a space is read as '+' where the
 * offset's sign belongs. Fractions of a second are dropped. The time must lie in
 * 0..ISOTIME_MAX_S. Returns 1 and sets *out, or 0 (leaving *out untouched) when not a time. */
int isotime_parse(const char *s, size_t n, int64_t *out);

/* Unix seconds t as UTC text, "2026-11-27T03:00:00Z" (the form every answer and file carries),
 * NUL-terminated in out. */
void isotime_format(int64_t t, char out[ISOTIME_BUF]);

#endif
