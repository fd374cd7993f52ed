/* trim.h: a text's edges without the bytes of a character class (cclass.h): the one trim every
 * parser asks, in place of hand-written loops. Texts are bounded by a length, not by a NUL. */
#ifndef HQR_TRIM_H
#define HQR_TRIM_H

#include <stdbool.h>
#include <stddef.h>

/* The length of s[0..n) without its trailing bytes of the class (0 when all are). */
size_t trim_end(const char *s, size_t n, bool (*cls)(int));
/* s[0..*n) without its leading and trailing bytes of the class: returns the first byte kept and
 * sets *n to the bytes kept (0 when all were of the class). */
const char *trim(const char *s, size_t *n, bool (*cls)(int));

#endif
