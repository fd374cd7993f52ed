/* utf8.h: the one strict UTF-8 decoder every text check reads with; pure. */
#ifndef HQR_UTF8_H
#define HQR_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[*i..n): the well-formed sequences of Unicode's table 3-7 only (no
 * overlong form, no surrogate, nothing past U+10FFFF, no truncated sequence). Returns 0 with *cp
 * set and *i advanced past it, or -1 with *i unchanged (also at the end, *i >= n). */
int utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp);

#endif
