/* base45.h: RFC 9285 Base45 encoding and strict, canonical-only decoding (pure). */
#ifndef HQR_BASE45_H
#define HQR_BASE45_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Negative results of b45_decode, checked in this order. */
enum b45_err {
	B45_ERR_CHAR = -1,     /* a character outside the alphabet (lower case included) */
	B45_ERR_LENGTH = -2,   /* a single trailing character (length % 3 == 1) */
	B45_ERR_OVERFLOW = -3, /* a triple above 65535 or a final pair above 255 (non-canonical) */
	B45_ERR_SPACE = -4     /* the output buffer is too small or the result exceeds INT_MAX */
};

/* Whether c is one of Base45's 45 characters, which are also exactly the QR code's alphanumeric
 * set (ISO/IEC 18004 §7.4.4): 0-9, A-Z, space and $%*+-./: (lower case is not). */
bool b45_char(int c);

/* Characters b45_encode writes for n bytes (without the NUL); SIZE_MAX if that overflows. */
size_t b45_encoded_len(size_t n);

/*
 * Encodes in[0..n) into out as b45_encoded_len(n) characters and a NUL.
 * Returns the text length, or -1 if out (outmax bytes, NUL included) is too
 * small or the length does not fit an int. The caller owns both buffers.
 */
int b45_encode(const uint8_t *in, size_t n, char *out, size_t outmax);

/*
 * Decodes s[0..len) (need not be NUL-terminated; a NUL is an invalid
 * character) into out. Accepts only the canonical encoding: every text that
 * decodes re-encodes to itself. Returns the bytes written (len / 3 * 2, plus
 * one for a final pair), or a negative enum b45_err; on error out may hold
 * partial output. s may be NULL when len is 0.
 */
int b45_decode(const char *s, size_t len, uint8_t *out, size_t outmax);

#endif
