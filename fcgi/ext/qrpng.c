/* qrpng.c: text → libqrencode matrix → 1-bit palette PNG written by libpng into a growable memory buffer. */
#include "qrpng.h"

#include "base45.h"
#include "cclass.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>
#include <qrencode.h>

/* Palette index 1 (the dark modules) per style; index 0 is always white. */
static const png_color qrpng_ink[QRPNG__MAX] = {
	[QRPNG_GREEN] = { 0x0A, 0x8A, 0x3A },
	[QRPNG_RED] = { 0xC8, 0x10, 0x2E },
	[QRPNG_BLACK] = { 0x00, 0x00, 0x00 },
};

static const png_color qrpng_white = { 0xFF, 0xFF, 0xFF };

/*
 * zlib level and strategy for the IDAT. Measured (callgrind, a 151-character HQR1 text, phone
 * code: M, scale 6, 294 px; libqrencode's share 1.13 M instructions of every render):
 *   level 4, Z_FILTERED:        682 bytes, 2.13 M instructions per render
 *   level 3, default strategy:  769 bytes, 1.70 M
 *   level 2, default strategy:  791 bytes, 1.66 M
 *   level 1, default strategy:  864 bytes, 1.68 M
 * (earlier: level 9 664 bytes 4.3 M; level 6 668 bytes 2.3 M). The Up filter did not help (1048
 * bytes at level 4, 1074 at level 1: the repeated rows are already one match each); Z_RLE
 * cannot reach the row above (1400 bytes). Level 2 keeps deflate's fast path (a row repeated
 * for the scale is one match) at a fifth less work for a render than level 4, for 109 bytes.
 */
#define QRPNG_ZLEVEL    2
#define QRPNG_ZSTRATEGY Z_DEFAULT_STRATEGY

/* The PNG being written; the caller of qrpng_write owns p and frees it on failure. */
struct qrpng_buf {
	uint8_t *p;
	size_t len, cap;
};

/* libpng write callback: appends n bytes, doubling the buffer; longjmps on overflow or ENOMEM. */
static void qrpng_write_fn(png_structp png, png_bytep data, size_t n)
{
	struct qrpng_buf *b = png_get_io_ptr(png);

	if (n > b->cap - b->len) {
		size_t cap = b->cap != 0 ? b->cap : 1024;
		uint8_t *p;

		while (n > cap - b->len) {
			if (cap > SIZE_MAX / 2)
				png_error(png, "qrpng: size overflow");
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL)
			png_error(png, "qrpng: out of memory");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* libpng flush callback: nothing to flush in memory. */
static void qrpng_flush_fn(png_structp png)
{
	(void)png;
}

/* libpng error callback: nothing is printed (stderr may be the service log); unwinds to qrpng_write. */
static void qrpng_error_fn(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

/* libpng warning callback: silent. */
static void qrpng_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Sets bits [a, a + n) of a 1-bit row, most significant bit first; n > 0. */
static void qrpng_set_run(uint8_t *row, size_t a, size_t n)
{
	size_t e = a + n - 1, i = a >> 3, j = e >> 3;
	uint8_t head = (uint8_t)(0xFFu >> (a & 7));
	uint8_t tail = (uint8_t)(0xFFu << (7 - (e & 7)));

	if (i == j) {
		row[i] |= head & tail;
		return;
	}
	row[i] |= head;
	if (j > i + 1)
		memset(row + i + 1, 0xFF, j - i - 1);
	row[j] |= tail;
}

/*
 * Encodes text[0..len) at level, in alphanumeric mode if every byte allows it, else 8-bit,
 * at the smallest version that holds it. Returns a QRcode the caller frees with
 * QRcode_free, or NULL (too long for any version, or out of memory).
 */
static QRcode *qrpng_encode(const char *text, size_t len, QRecLevel level)
{
	/* Base45's alphabet is exactly the QR alphanumeric set. */
	QRencodeMode mode = len == 0 || cc_all(text, len, b45_char) ? QR_MODE_AN : QR_MODE_8;
	QRinput *in;
	QRcode *qr;

	if ((in = QRinput_new2(0, level)) == NULL)
		return NULL;
	/* QRinput_append copies the data. */
	if (QRinput_append(in, mode, (int)len, (const unsigned char *)text) != 0) {
		QRinput_free(in);
		return NULL;
	}
	qr = QRcode_encodeInput(in);
	QRinput_free(in);
	return qr;
}

/*
 * Writes qr as a PNG through png (whose write function fills a qrpng_buf): px = (modules +
 * 2 * QRPNG_QUIET) * scale square, row a zeroed scratch row of rowbytes bytes. Returns 0, or
 * -1 if libpng failed (the caller destroys png and frees the buffer and row either way).
 * Nothing that this function modifies after setjmp is read after a longjmp.
 */
static int qrpng_write(png_structp png, png_infop info, const QRcode *qr, int scale, png_color ink, uint8_t *row,
		       size_t rowbytes)
{
	size_t w, s, px, quiet_rows, x, y, k, run;
	png_color pal[2];

	if (setjmp(png_jmpbuf(png)))
		return -1;
	w = (size_t)qr->width;
	s = (size_t)scale;
	px = (w + 2 * QRPNG_QUIET) * s;
	quiet_rows = (size_t)QRPNG_QUIET * s;
	pal[0] = qrpng_white;
	pal[1] = ink;
	png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 1, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_PLTE(png, info, pal, 2);
	/* Filters do not help 1-bit data (libpng's default for palette images too). */
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_compression_level(png, QRPNG_ZLEVEL);
	png_set_compression_strategy(png, QRPNG_ZSTRATEGY);
	/* A few kilobytes of 1-bit rows: a small window and hash keep deflate's state under 20 KB,
	 * so that each image does not map and unmap a quarter megabyte (measured: the image route's
	 * time went to page faults and TLB shootdowns). */
	png_set_compression_window_bits(png, 12);
	png_set_compression_mem_level(png, 3);
	png_write_info(png, info);

	for (k = 0; k < quiet_rows; k++)
		png_write_row(png, row);
	for (y = 0; y < w; y++) {
		const unsigned char *m = qr->data + y * w;

		memset(row, 0, rowbytes);
		/* One run of set bits per horizontal run of dark modules. */
		for (x = 0; x < w; x += run) {
			run = 1;
			if (!(m[x] & 1))
				continue;
			while (x + run < w && (m[x + run] & 1))
				run++;
			qrpng_set_run(row, (QRPNG_QUIET + x) * s, run * s);
		}
		for (k = 0; k < s; k++)
			png_write_row(png, row);
	}
	memset(row, 0, rowbytes);
	for (k = 0; k < quiet_rows; k++)
		png_write_row(png, row);
	png_write_end(png, NULL);
	return 0;
}

/* The libqrencode level for 'L', 'M', 'Q' or 'H'; -1 for anything else. */
static int qrpng_level(int ec, QRecLevel *level)
{
	switch (ec) {
	case 'L': *level = QR_ECLEVEL_L; return 0;
	case 'M': *level = QR_ECLEVEL_M; return 0;
	case 'Q': *level = QR_ECLEVEL_Q; return 0;
	case 'H': *level = QR_ECLEVEL_H; return 0;
	default: return -1;
	}
}

int qrpng_render(const char *text, size_t len, const struct qrpng_opts *o, uint8_t **png, size_t *len_out,
		 int *width_px)
{
	struct qrpng_buf buf = { NULL, 0, 0 };
	QRecLevel level;
	QRcode *qr;
	png_structp ps;
	png_infop info;
	uint8_t *row;
	size_t total, rowbytes;
	int scale, rc;

	if (text == NULL || len == 0 || len > QRPNG_TEXT_MAX || o == NULL || png == NULL || len_out == NULL)
		return -1;
	if ((unsigned)o->style >= QRPNG__MAX || qrpng_level(o->ec, &level) != 0 || o->scale < QRPNG_SCALE_MIN ||
	    o->scale > QRPNG_SCALE_MAX || o->min_width_px < 0 || o->min_width_px > QRPNG_MIN_WIDTH_MAX)
		return -1;

	if ((qr = qrpng_encode(text, len, level)) == NULL)
		return -1;
	total = (size_t)qr->width + 2 * QRPNG_QUIET;
	scale = o->scale;
	if (total * (size_t)scale < (size_t)o->min_width_px)
		scale = (int)(((size_t)o->min_width_px + total - 1) / total);
	if (scale > QRPNG_SCALE_MAX) { /* unreachable: QRPNG_MIN_WIDTH_MAX fits version 1 */
		QRcode_free(qr);
		return -1;
	}
	rowbytes = (total * (size_t)scale + 7) / 8;
	if ((row = calloc(1, rowbytes)) == NULL) {
		QRcode_free(qr);
		return -1;
	}
	ps = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, qrpng_error_fn, qrpng_warning_fn);
	info = ps != NULL ? png_create_info_struct(ps) : NULL;
	if (info == NULL) {
		png_destroy_write_struct(&ps, NULL);
		free(row);
		QRcode_free(qr);
		return -1;
	}
	png_set_write_fn(ps, &buf, qrpng_write_fn, qrpng_flush_fn);
	rc = qrpng_write(ps, info, qr, scale, qrpng_ink[o->style], row, rowbytes);
	png_destroy_write_struct(&ps, &info);
	free(row);
	QRcode_free(qr);
	if (rc != 0) {
		free(buf.p);
		return -1;
	}
	*png = buf.p;
	*len_out = buf.len;
	if (width_px != NULL)
		*width_px = (int)(total * (size_t)scale);
	return 0;
}

int qrpng_parse_scale(const char *s, int *scale)
{
	int v;

	if (s == NULL || scale == NULL || !cc_digit((unsigned char)s[0]) || s[0] == '0')
		return -1;
	v = s[0] - '0';
	if (s[1] != '\0') {
		if (!cc_digit((unsigned char)s[1]) || s[2] != '\0')
			return -1;
		v = v * 10 + (s[1] - '0');
	}
	if (v < QRPNG_SCALE_MIN || v > QRPNG_SCALE_MAX)
		return -1;
	*scale = v;
	return 0;
}
