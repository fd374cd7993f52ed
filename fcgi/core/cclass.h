/* cclass.h: the ASCII character classes every parser and validator asks, in one place (never
 * the locale's <ctype.h>: a request's bytes are judged the same everywhere). */
#ifndef HQR_CCLASS_H
#define HQR_CCLASS_H

#include <stdbool.h>
#include <stddef.h>

static inline bool cc_digit(int c)
{
	return c >= '0' && c <= '9';
}
static inline bool cc_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}
static inline bool cc_lower(int c)
{
	return c >= 'a' && c <= 'z';
}
static inline bool cc_alpha(int c)
{
	return cc_upper(c) || cc_lower(c);
}
static inline bool cc_alnum(int c)
{
	return cc_alpha(c) || cc_digit(c);
}
/* The base64url alphabet (RFC 4648 §5) without padding: tokens, ids, session cookies. */
static inline bool cc_b64url(int c)
{
	return cc_alnum(c) || c == '-' || c == '_';
}
/* An integrator's key id, a nonce (the service's and the platform's) and a request id: base64url
 * and '.'. */
static inline bool cc_nonce(int c)
{
	return cc_b64url(c) || c == '.';
}
/* RFC 7230 OWS and a trimmed field's edge: space or horizontal tab. */
static inline bool cc_ows(int c)
{
	return c == ' ' || c == '\t';
}
/* White space: space, tab, carriage return, line feed (XML 1.0's production S, and the blanks
 * a text file's last line may end with). */
static inline bool cc_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
/* The ASCII space alone: the edge a typed label, reason or list item loses (a tab stays, and
 * is refused). */
static inline bool cc_sp(int c)
{
	return c == ' ';
}
/* A line's end: carriage return or line feed. */
static inline bool cc_eol(int c)
{
	return c == '\r' || c == '\n';
}
/* C0 controls and DEL: the bytes a text shown or logged never carries. */
static inline bool cc_cntrl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}
/* Visible ASCII (0x21..0x7e): no space, no control, no byte past ASCII. */
static inline bool cc_graph(int c)
{
	return c > 0x20 && c < 0x7f;
}
/* Printable ASCII (0x20..0x7e): visible or space. */
static inline bool cc_print(int c)
{
	return c == ' ' || cc_graph(c);
}
/* The value of a base64url digit (RFC 4648 §5), or -1. */
static inline int cc_b64urlval(int c)
{
	if (cc_upper(c))
		return c - 'A';
	if (cc_lower(c))
		return c - 'a' + 26;
	if (cc_digit(c))
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}
/* The value of a base64 digit (RFC 4648 §4, '=' is no digit), or -1. */
static inline int cc_b64val(int c)
{
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return c == '-' || c == '_' ? -1 : cc_b64urlval(c);
}
/* The value of a hex digit (either case), or -1. */
static inline int cc_hexval(int c)
{
	if (cc_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 unreserved: percent-encoding leaves these as they are. */
static inline bool cc_unreserved(int c)
{
	return cc_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
/* RFC 7230 tchar: a token's characters (header and cookie names, media types, parameters). */
static inline bool cc_tchar(int c)
{
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~': return true;
	default: return cc_alnum(c);
	}
}
/* ASCII lower case of c; other bytes unchanged. */
static inline int cc_tolower(int c)
{
	return cc_upper(c) ? c + ('a' - 'A') : c;
}

/* Whether all n bytes of s are of the class (false for n == 0). */
static inline bool cc_all(const char *s, size_t n, bool (*cls)(int))
{
	if (s == NULL || n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]))
			return false;
	return true;
}

/* How many bytes at the start of the NUL-terminated s are of the class (strspn for a class). */
static inline size_t cc_span(const char *s, bool (*cls)(int))
{
	size_t n = 0;
	while (s[n] != '\0' && cls((unsigned char)s[n]))
		n++;
	return n;
}

#endif
