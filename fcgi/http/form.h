/* form.h: a bounded, pure multipart/form-data parser (RFC 7578): text fields and file parts. */
#ifndef HQR_FORM_H
#define HQR_FORM_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "req.h"

#define FORM_PARTS_MAX        32   /* parts in one body, text and file together */
#define FORM_PART_HEADERS_MAX 8    /* header lines in one part */
#define FORM_HEADER_MAX       1024 /* bytes of one part header line, CRLF excluded */
#define FORM_NAME_MAX         64   /* bytes of a field name (printable ASCII) */
#define FORM_TEXT_MAX         8192 /* bytes of a non-file part */
#define FORM_BOUNDARY_MAX     70   /* RFC 2046 */

struct form_file {
	const char *field;   /* the part's name=, arena-owned */
	const uint8_t *data; /* points INTO the body passed to form_parse: no copy */
	size_t len;
	const char *filename;     /* the declared filename=, arena-owned; may be NULL; never trusted */
	const char *content_type; /* the declared Content-Type, arena-owned; may be NULL; never trusted */
};

/* Words are stable (see form_err_word); values are added at the end, never reused. */
enum form_err {
	FORM_OK = 0,
	FORM_NO_BOUNDARY,     /* not multipart/form-data, or no boundary= parameter */
	FORM_BAD_BOUNDARY,    /* empty, over 70 chars, outside the bchars set, ends in a space, twice */
	FORM_MALFORMED,       /* framing, headers, Content-Disposition, names, bare LF, truncation */
	FORM_TOO_MANY_PARTS,  /* over FORM_PARTS_MAX parts, or the field list is full */
	FORM_HEADER_TOO_LONG, /* a part header line over FORM_HEADER_MAX */
	FORM_PART_TOO_LARGE,  /* a text part over FORM_TEXT_MAX */
	FORM_TOO_MANY_FILES,  /* more file parts than max_files */
	FORM_NOMEM,           /* the arena is full, or the caller's boundary buffer too small */
	FORM_FILE_TOO_LARGE,  /* a file part over max_file_bytes */
	FORM__MAX             /* the count of the above, not an answer */
};

/* The stable code word of e ("MALFORMED", "PART_TOO_LARGE", ...); "UNKNOWN" for other values. */
const char *form_err_word(enum form_err e);

/* Extracts the boundary from a Content-Type header value
 * ("multipart/form-data; charset=utf-8; boundary=...", the type and parameter names matched
 * case-insensitively; the value a token or a quoted-string). The boundary is 1-70 characters of
 * the RFC 2046 bchars set, not ending in a space. Writes it NUL-terminated into out (outmax >=
 * FORM_BOUNDARY_MAX + 1 always suffices). Pure; out is unspecified on error. */
enum form_err form_boundary(const char *content_type, char *out, size_t outmax);

/* Parses body[0..len) (which need not be NUL-terminated and may hold NUL bytes) as a
 * multipart/form-data body delimited by `boundary` (as returned by form_boundary).
 * - Text parts are appended to `fields` in body order: key is the Content-Disposition name=,
 *   val a NUL-terminated copy; both arena-owned. Duplicated names are kept (the caller reports
 *   DUPLICATE_FIELD). A text part holding a NUL byte is FORM_MALFORMED.
 * - A part with a filename= parameter, or whose name is in `file_fields` (NULL-terminated; may
 *   be NULL), is a file: written to files[*nfiles] with data pointing INTO body, at most
 *   max_files of them (files has room for max_files), each at most max_file_bytes.
 * - Strict framing: CRLF only; "--boundary" followed by CRLF or, for the last, "--"; a preamble
 *   before the first delimiter and an epilogue after CRLF past the last are ignored; no
 *   transport padding; "\r\n--boundary" followed by anything else is FORM_MALFORMED (RFC 2046
 *   forbids the delimiter inside a part). Every part needs exactly one
 *   "Content-Disposition: form-data; name=..." (the name 1-FORM_NAME_MAX bytes of printable
 *   ASCII); quoted-strings undo backslash escapes; filename* is ignored; a
 *   Content-Transfer-Encoding other than 7bit, 8bit or binary is FORM_MALFORMED.
 * a, fields and nfiles must not be NULL; files may be NULL when max_files is 0.
 * Never reads outside body[0..len); time linear in len. On error, fields->n is restored and
 * *nfiles is 0 (arena copies made so far stay until the arena's reset). */
enum form_err form_parse(struct arena *a, const char *boundary, const char *body, size_t len,
			 const char *const *file_fields, size_t max_files, size_t max_file_bytes, struct kvlist *fields,
			 struct form_file *files, size_t *nfiles);

#endif
