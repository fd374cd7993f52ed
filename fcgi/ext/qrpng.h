/* qrpng.h: a QR code rendered to a small 1-bit palette PNG in memory (libqrencode matrix → libpng). */
#ifndef HQR_QRPNG_H
#define HQR_QRPNG_H
#include <stddef.h>
#include <stdint.h>

#define QRPNG_SCALE_MIN      1 /* pixels per module */
#define QRPNG_SCALE_MAX      32
#define QRPNG_SCALE_DEFAULT  6 /* a phone code: a 151-character HQR1 text is 294 px, ~790 bytes */
#define QRPNG_QUIET          4 /* quiet zone, in modules, on every side */
/* Paper code width: 40 mm at 300 dpi (40 / 25.4 * 300 = 472.4, rounded up). */
#define QRPNG_PAPER_WIDTH_PX 473
/* The largest min_width_px accepted: a version-1 code (21 modules + the quiet zone) at
 * QRPNG_SCALE_MAX, so that every accepted width is reachable within the scale bound. */
#define QRPNG_MIN_WIDTH_MAX  ((21 + 2 * QRPNG_QUIET) * QRPNG_SCALE_MAX)
/* The longest text any QR code holds (version 40-L, alphanumeric mode); longer is refused
 * before encoding. Whether a shorter text fits depends on its mode and the error correction. */
#define QRPNG_TEXT_MAX       4296

/* Colour of the dark modules; the background is always white. */
enum qrpng_style {
	QRPNG_GREEN, /* #0A8A3A: a phone code, green */
	QRPNG_RED,   /* #C8102E: a phone code, red */
	QRPNG_BLACK, /* #000000: a paper code */
	QRPNG__MAX
};

struct qrpng_opts {
	enum qrpng_style style;
	int ec;           /* error correction level: 'L', 'M', 'Q' or 'H' */
	int scale;        /* pixels per module, QRPNG_SCALE_MIN..QRPNG_SCALE_MAX */
	int min_width_px; /* 0, or raise scale until the image is at least this wide
	                   * (0..QRPNG_MIN_WIDTH_MAX; QRPNG_PAPER_WIDTH_PX for paper) */
};

/*
 * Renders text[0..len) (need not be NUL-terminated) as a QR code: alphanumeric mode when
 * every byte is in the QR alphanumeric set (which is Base45's alphabet, so an HQR1 token
 * always is), else 8-bit mode. The PNG is colour type palette, bit depth 1, two entries
 * (0 white, 1 the style's colour), chunks IHDR, PLTE, IDAT, IEND only, a quiet zone of
 * QRPNG_QUIET modules, square, (modules + 2 * QRPNG_QUIET) * scale pixels wide, where scale
 * is o->scale raised if needed to reach o->min_width_px.
 * On success returns 0, sets *png to a malloc'd buffer that the caller frees with free(),
 * *len_out to its size and, if width_px is not NULL, *width_px to the image width (= height).
 * Returns -1 and leaves the outputs untouched on bad arguments (NULL pointers, len 0,
 * unknown style or ec, scale or min_width_px out of bounds), a text too long for a QR code
 * at that level, or a libqrencode/libpng/allocation failure; nothing is printed.
 * Thread-safe: no static state; libqrencode encodes per call and libpng per struct.
 */
int qrpng_render(const char *text, size_t len, const struct qrpng_opts *o, uint8_t **png, size_t *len_out,
		 int *width_px);

/*
 * Parses a "scale" query value: one or two decimal digits without a leading zero, in
 * QRPNG_SCALE_MIN..QRPNG_SCALE_MAX ("1".."32"). Returns 0 and sets *scale, or -1 (s NULL,
 * empty, a sign, a space, another character, out of range) leaving *scale untouched.
 */
int qrpng_parse_scale(const char *s, int *scale);

#endif
