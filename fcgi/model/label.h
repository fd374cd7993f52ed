/* label.h: short texts staff give (checkpoint names and districts, place-code labels, officers'
 * reasons) and the strict UTF-8 text check under every text field; pure. */
#ifndef HQR_LABEL_H
#define HQR_LABEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABEL_MAX_CP    100                /* a label, in code points */
#define LABEL_MAX_BYTES (LABEL_MAX_CP * 4) /* the most bytes LABEL_MAX_CP code points take */
#define LABEL_BUF       (LABEL_MAX_BYTES + 1)
#define REASON_MAX      40 /* codes.reason is VARCHAR(40) ASCII */
#define REASON_BUF      (REASON_MAX + 1)

/* Checks s[0..len) is strictly valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) without C0/C1 controls, DEL or invisible format characters (zero-width, bidi
 * controls, BOM). Returns the number of code points, or -1. */
long utf8_check_text(const char *s, size_t len);
/* Whether code point cp is one utf8_check_text refuses: a C0 or C1 control, DEL, or an invisible
 * or direction-changing format character. Free text (valid_id.c) refuses these and more. */
bool text_cp_hidden(uint32_t cp);

/* A label as given, s[0..n): NULL when it is 1..LABEL_MAX_CP code points of text (above), not
 * padded with spaces; else the failing code word: "EMPTY" (n == 0), "TOO_LONG" (more than
 * LABEL_MAX_BYTES bytes or LABEL_MAX_CP code points), "INVALID_CHARACTERS" (not such text, or a
 * space first or last). */
const char *label_check(const char *s, size_t n);

/* A label trimmed of ASCII spaces on both ends, then checked as label_check does; when valid
 * it is copied, NUL-terminated, into out. Returns NULL or the failing code word. */
const char *label_trim(const char *s, size_t n, char out[LABEL_BUF]);

/* An officer's reason, s[0..n): trimmed of ASCII spaces, 1..REASON_MAX bytes of printable ASCII
 * (it is shown to the holder with the code, beside rule reasons such as "SYMPTOMS"). Copied
 * into out when valid. Returns NULL, "EMPTY", "INVALID_CHARACTERS" or "TOO_LONG". */
const char *reason_trim(const char *s, size_t n, char out[REASON_BUF]);

#endif
