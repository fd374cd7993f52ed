/* utf8.c: the strict UTF-8 decoder (utf8.h). */
#include "utf8.h"

int utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	size_t p = *i;
	unsigned char b0, lo = 0x80, hi = 0xBF;
	uint32_t c;
	size_t need, k;

	if (p >= n)
		return -1;
	b0 = s[p];
	if (b0 < 0x80) {
		*cp = b0;
		*i = p + 1;
		return 0;
	}
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 1;
		c = b0 & 0x1Fu;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 2;
		c = b0 & 0x0Fu;
		if (b0 == 0xE0)
			lo = 0xA0; /* overlong */
		else if (b0 == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 3;
		c = b0 & 0x07u;
		if (b0 == 0xF0)
			lo = 0x90; /* overlong */
		else if (b0 == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else
		return -1;
	if (n - p - 1 < need)
		return -1;
	for (k = 1; k <= need; k++) {
		unsigned char b = s[p + k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return -1;
		c = (c << 6) | (b & 0x3Fu);
	}
	*cp = c;
	*i = p + 1 + need;
	return 0;
}
