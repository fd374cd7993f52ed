/* label.c: short texts staff give (checkpoint names and districts, place-code labels, officers'
 * reasons) and the strict UTF-8 text check under every text field; pure. */
#include "label.h"
#include "cclass.h"
#include "trim.h"
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Controls, and invisible or direction-changing format characters that must not hide inside a value. */
bool text_cp_hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) ||
	       cp == 0xFEFF || cp == 0x00AD || cp == 0x061C || cp == 0x3164 || cp == 0x115F || cp == 0x1160 ||
	       cp == 0x180E || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

long utf8_check_text(const char *s, size_t len)
{
	long count = 0;
	size_t i = 0;
	uint32_t cp;
	while (i < len) {
		if (utf8_next((const unsigned char *)s, len, &i, &cp) != 0 || text_cp_hidden(cp))
			return -1;
		count++;
	}
	return count;
}

const char *label_check(const char *s, size_t n)
{
	if (n == 0)
		return "EMPTY";
	if (n > LABEL_MAX_BYTES)
		return "TOO_LONG";
	long cp = utf8_check_text(s, n);
	if (cp < 0 || s[0] == ' ' || s[n - 1] == ' ')
		return "INVALID_CHARACTERS";
	if (cp > LABEL_MAX_CP)
		return "TOO_LONG";
	return NULL;
}

const char *label_trim(const char *s, size_t n, char out[LABEL_BUF])
{
	s = trim(s, &n, cc_sp);
	const char *code = label_check(s, n);
	if (code != NULL)
		return code;
	memcpy(out, s, n);
	out[n] = '\0';
	return NULL;
}

const char *reason_trim(const char *s, size_t n, char out[REASON_BUF])
{
	s = trim(s, &n, cc_sp);
	if (n == 0)
		return "EMPTY";
	if (!cc_all(s, n, cc_print))
		return "INVALID_CHARACTERS";
	if (n > REASON_MAX)
		return "TOO_LONG";
	memcpy(out, s, n);
	out[n] = '\0';
	return NULL;
}
