/* trim.c: a text's edges without the bytes of a character class. */
#include "trim.h"

size_t trim_end(const char *s, size_t n, bool (*cls)(int))
{
	while (n > 0 && cls((unsigned char)s[n - 1]))
		n--;
	return n;
}

const char *trim(const char *s, size_t *n, bool (*cls)(int))
{
	size_t a = 0;
	while (a < *n && cls((unsigned char)s[a]))
		a++;
	*n = trim_end(s + a, *n - a, cls);
	return s + a;
}
