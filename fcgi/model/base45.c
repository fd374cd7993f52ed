/* base45.c: RFC 9285 Base45: two bytes to three characters, one byte to two, strict decoding. */
#include "base45.h"

#include <limits.h>

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Value of each character plus one; 0 marks a character outside the alphabet. */
static const uint8_t b45_value[256] = {
	['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,  ['8'] = 9,
	['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18,
	['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24, ['O'] = 25, ['P'] = 26, ['Q'] = 27,
	['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31, ['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36,
	[' '] = 37, ['$'] = 38, ['%'] = 39, ['*'] = 40, ['+'] = 41, ['-'] = 42, ['.'] = 43, ['/'] = 44, [':'] = 45,
};

_Static_assert(sizeof b45_alphabet == 45 + 1, "Base45 has 45 characters");

bool b45_char(int c)
{
	return c >= 0 && c < 256 && b45_value[c] != 0;
}

size_t b45_encoded_len(size_t n)
{
	if (n / 2 > (SIZE_MAX - 2) / 3)
		return SIZE_MAX;
	return n / 2 * 3 + (n % 2) * 2;
}

int b45_encode(const uint8_t *in, size_t n, char *out, size_t outmax)
{
	size_t len = b45_encoded_len(n), i, o = 0;

	if (len == SIZE_MAX || len > INT_MAX || out == NULL || outmax < len + 1 || (in == NULL && n > 0))
		return -1;
	for (i = 0; i + 2 <= n; i += 2) {
		unsigned v = (unsigned)in[i] << 8 | in[i + 1];

		out[o++] = b45_alphabet[v % 45];
		out[o++] = b45_alphabet[v / 45 % 45];
		out[o++] = b45_alphabet[v / 2025];
	}
	if (i < n) {
		out[o++] = b45_alphabet[in[i] % 45];
		out[o++] = b45_alphabet[in[i] / 45];
	}
	out[o] = '\0';
	return (int)o;
}

/* Value of the character at s[i] (callers have checked the alphabet). */
static unsigned b45_at(const char *s, size_t i)
{
	return (unsigned)b45_value[(unsigned char)s[i]] - 1;
}

int b45_decode(const char *s, size_t len, uint8_t *out, size_t outmax)
{
	size_t i, o = 0, need;
	int space;

	if (len > 0 && s == NULL)
		return B45_ERR_CHAR;
	for (i = 0; i < len; i++)
		if (!b45_char((unsigned char)s[i]))
			return B45_ERR_CHAR;
	if (len % 3 == 1)
		return B45_ERR_LENGTH;
	need = len / 3 * 2 + (len % 3 == 2);
	/* Values are still checked when the output cannot hold them, so that a
	 * non-canonical text is reported as such whatever the buffer. */
	space = need <= outmax && need <= INT_MAX && (out != NULL || need == 0);
	for (i = 0; i + 3 <= len; i += 3) {
		unsigned v = b45_at(s, i) + b45_at(s, i + 1) * 45 + b45_at(s, i + 2) * 2025;

		if (v > 0xffff)
			return B45_ERR_OVERFLOW;
		if (space) {
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)(v & 0xff);
		}
	}
	if (i < len) {
		unsigned v = b45_at(s, i) + b45_at(s, i + 1) * 45;

		if (v > 0xff)
			return B45_ERR_OVERFLOW;
		if (space)
			out[o++] = (uint8_t)v;
	}
	if (!space)
		return B45_ERR_SPACE;
	return (int)o;
}
