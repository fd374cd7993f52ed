/* test_qrpng.c: unit tests of qrpng.c: the PNG read back with libpng (format, chunks, palette, size, quiet zone, every module against libqrencode), bounds and threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "qrpng.h"

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
static const uint8_t png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

#define HQR_LEN 151 /* "HQR1:" + Base45 of 97 bytes (DESIGN §5) */

/* Fills t[0..HQR_LEN) with an HQR1-like text ("HQR1:" + 146 Base45 characters, every one of the
 * alphabet used, varied by seed) and a NUL. */
static void hqr_text(char t[HQR_LEN + 1], unsigned seed)
{
	size_t i;

	memcpy(t, "HQR1:", 5);
	for (i = 5; i < HQR_LEN; i++)
		t[i] = b45_alphabet[(i * 7 + seed) % 45];
	t[HQR_LEN] = '\0';
}

/* A PNG decoded with libpng: IHDR, palette and one palette index per pixel. */
struct img {
	const uint8_t *src; /* the PNG being read, and the read offset */
	size_t srclen, off;
	png_uint_32 w, h;
	int depth, ctype, interlace, npal;
	png_color pal[256];
	uint8_t *row; /* scratch row; px holds w * h indices; both freed by img_free */
	uint8_t *px;
};

static void img_read_fn(png_structp png, png_bytep out, size_t n)
{
	struct img *im = png_get_io_ptr(png);

	if (n > im->srclen - im->off)
		png_error(png, "read past the end");
	memcpy(out, im->src + im->off, n);
	im->off += n;
}

static void img_error_fn(png_structp png, png_const_charp msg)
{
	fprintf(stderr, "libpng read: %s\n", msg);
	png_longjmp(png, 1);
}

static void img_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	fprintf(stderr, "libpng read warning: %s\n", msg);
}

/* Reads the whole image; nothing modified after setjmp is read after a longjmp. */
static int img_read(png_structp png, png_infop info, struct img *im)
{
	png_colorp pal;
	size_t rowbytes;
	png_uint_32 x, y;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_read_fn(png, im, img_read_fn);
	png_read_info(png, info);
	png_get_IHDR(png, info, &im->w, &im->h, &im->depth, &im->ctype, &im->interlace, NULL, NULL);
	if (png_get_PLTE(png, info, &pal, &im->npal) != PNG_INFO_PLTE)
		im->npal = 0;
	else
		memcpy(im->pal, pal, (size_t)im->npal * sizeof *pal);
	if (im->depth != 1 || im->interlace != PNG_INTERLACE_NONE || im->w == 0 || im->h == 0 || im->w > 8192 ||
	    im->h > 8192)
		return -1;
	rowbytes = png_get_rowbytes(png, info);
	if (rowbytes != (im->w + 7) / 8)
		return -1;
	im->row = malloc(rowbytes);
	im->px = malloc((size_t)im->w * im->h);
	if (im->row == NULL || im->px == NULL)
		return -1;
	for (y = 0; y < im->h; y++) {
		png_read_row(png, im->row, NULL);
		for (x = 0; x < im->w; x++)
			im->px[(size_t)y * im->w + x] = (uint8_t)(im->row[x >> 3] >> (7 - (x & 7)) & 1);
	}
	png_read_end(png, NULL);
	return 0;
}

/* Decodes buf[0..len) into *im (1-bit, non-interlaced only); 0 or -1. Free with img_free. */
static int img_decode(const uint8_t *buf, size_t len, struct img *im)
{
	png_structp png;
	png_infop info;
	int rc;

	memset(im, 0, sizeof *im);
	im->src = buf;
	im->srclen = len;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, img_error_fn, img_warning_fn);
	assert_non_null(png);
	info = png_create_info_struct(png);
	assert_non_null(info);
	rc = img_read(png, info, im);
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

static void img_free(struct img *im)
{
	free(im->row);
	free(im->px);
	im->row = im->px = NULL;
}

static int img_at(const struct img *im, size_t x, size_t y)
{
	return im->px[y * im->w + x];
}

/* libqrencode's own matrix for text in one mode, to compare with; free with QRcode_free. */
static QRcode *ref_encode(const char *text, size_t len, QRecLevel level, QRencodeMode mode)
{
	QRinput *in = QRinput_new2(0, level);
	QRcode *qr;

	assert_non_null(in);
	assert_int_equal(QRinput_append(in, mode, (int)len, (const unsigned char *)text), 0);
	qr = QRcode_encodeInput(in);
	QRinput_free(in);
	assert_non_null(qr);
	return qr;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The signature, then exactly IHDR, PLTE, one or more IDAT, IEND, ending at len. */
static void check_chunks(const uint8_t *p, size_t len)
{
	size_t off = 8, n, k = 0;

	assert_true(len > 8);
	assert_memory_equal(p, png_signature, 8);
	while (off < len) {
		char type[5];

		assert_true(len - off >= 12);
		n = be32(p + off);
		assert_true(n <= len - off - 12);
		memcpy(type, p + off + 4, 4);
		type[4] = '\0';
		if (k == 0)
			assert_string_equal(type, "IHDR");
		else if (k == 1)
			assert_string_equal(type, "PLTE");
		else if (strcmp(type, "IDAT") != 0) {
			assert_string_equal(type, "IEND");
			assert_true(k >= 3);                 /* at least one IDAT before it */
			assert_int_equal(off + 12 + n, len); /* and nothing after it */
		}
		off += 12 + n;
		k++;
	}
	assert_int_equal(off, len);
	assert_memory_equal(p + len - 8, "IEND", 4);
}

/* Every pixel against qr: a scale × scale block per module, a quiet zone of 4 modules
 * (QRPNG_QUIET) of index 0 on every side. */
static void check_matrix(const struct img *im, const QRcode *qr, size_t scale)
{
	size_t n = (size_t)qr->width, side = (n + 2 * QRPNG_QUIET) * scale, x, y, bad = 0;

	assert_int_equal(im->w, side);
	assert_int_equal(im->h, side);
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			size_t mx = x / scale, my = y / scale;
			int want = 0;

			if (mx >= QRPNG_QUIET && mx < QRPNG_QUIET + n && my >= QRPNG_QUIET && my < QRPNG_QUIET + n)
				want = qr->data[(my - QRPNG_QUIET) * n + mx - QRPNG_QUIET] & 1;
			if (img_at(im, x, y) != want && bad++ == 0)
				fprintf(stderr, "first mismatch at pixel (%zu, %zu)\n", x, y);
		}
	assert_int_equal(bad, 0);
}

/* The first and last QRPNG_QUIET * scale rows and columns are all background (index 0). */
static void check_quiet_zone(const struct img *im, size_t scale)
{
	size_t q = QRPNG_QUIET * scale, x, y, dark = 0;

	assert_true(im->w > 2 * q && im->h > 2 * q);
	for (y = 0; y < im->h; y++)
		for (x = 0; x < im->w; x++)
			if ((y < q || y >= im->h - q || x < q || x >= im->w - q) && img_at(im, x, y))
				dark++;
	assert_int_equal(dark, 0);
}

/* The module at (mx, my), read at the centre of its block. */
static int module_at(const struct img *im, size_t scale, size_t mx, size_t my)
{
	return img_at(im, (QRPNG_QUIET + mx) * scale + scale / 2, (QRPNG_QUIET + my) * scale + scale / 2);
}

/* The three finder patterns and their separators, checked without libqrencode. */
static void check_finders(const struct img *im, size_t scale)
{
	size_t n = im->w / scale - 2 * QRPNG_QUIET, c, dx, dy;
	const size_t corner[3][2] = { { 0, 0 }, { n - 7, 0 }, { 0, n - 7 } };

	assert_int_equal(im->w % scale, 0);
	assert_int_equal((n - 17) % 4, 0); /* 21, 25, ..., 177 modules */
	for (c = 0; c < 3; c++) {
		for (dy = 0; dy < 7; dy++)
			for (dx = 0; dx < 7; dx++) {
				size_t ax = dx > 3 ? dx - 3 : 3 - dx, ay = dy > 3 ? dy - 3 : 3 - dy;
				int want = (ax > ay ? ax : ay) != 2;

				assert_int_equal(module_at(im, scale, corner[c][0] + dx, corner[c][1] + dy), want);
			}
	}
	/* The separators: the light row and column around each finder pattern. */
	for (dx = 0; dx < 8; dx++) {
		assert_int_equal(module_at(im, scale, dx, 7), 0);
		assert_int_equal(module_at(im, scale, 7, dx), 0);
		assert_int_equal(module_at(im, scale, n - 1 - dx, 7), 0);
		assert_int_equal(module_at(im, scale, n - 8, dx), 0);
		assert_int_equal(module_at(im, scale, dx, n - 8), 0);
		assert_int_equal(module_at(im, scale, 7, n - 1 - dx), 0);
	}
}

static void check_palette(const struct img *im, png_byte r, png_byte g, png_byte b)
{
	assert_int_equal(im->npal, 2);
	assert_int_equal(im->pal[0].red, 0xFF);
	assert_int_equal(im->pal[0].green, 0xFF);
	assert_int_equal(im->pal[0].blue, 0xFF);
	assert_int_equal(im->pal[1].red, r);
	assert_int_equal(im->pal[1].green, g);
	assert_int_equal(im->pal[1].blue, b);
}

/* Phone code: green, 'M', scale 6: the whole format checked, every module compared. */
static void test_phone_green(void **state)
{
	struct qrpng_opts o = { QRPNG_GREEN, 'M', 6, 0 };
	char t[HQR_LEN + 1];
	uint8_t *png = NULL;
	size_t len = 0;
	int width = 0;
	struct img im;
	QRcode *an, *b8;

	(void)state;
	hqr_text(t, 0);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, &width), 0);
	assert_non_null(png);
	check_chunks(png, len);
	assert_true(len < 2048);
	assert_int_equal(img_decode(png, len, &im), 0);
	assert_int_equal(im.ctype, PNG_COLOR_TYPE_PALETTE);
	assert_int_equal(im.depth, 1);
	assert_int_equal(im.interlace, PNG_INTERLACE_NONE);
	check_palette(&im, 0x0A, 0x8A, 0x3A);

	an = ref_encode(t, HQR_LEN, QR_ECLEVEL_M, QR_MODE_AN);
	b8 = ref_encode(t, HQR_LEN, QR_ECLEVEL_M, QR_MODE_8);
	assert_true(an->width < b8->width); /* alphanumeric mode does make a smaller code */
	assert_int_equal(width, (an->width + 8) * 6);
	assert_int_equal(im.w, (png_uint_32)width);
	check_quiet_zone(&im, 6);
	check_finders(&im, 6);
	check_matrix(&im, an, 6);
	QRcode_free(an);
	QRcode_free(b8);
	img_free(&im);
	free(png);
}

/* The default scale keeps a phone code under 2 KB. */
static void test_default_scale_under_2k(void **state)
{
	struct qrpng_opts o = { QRPNG_RED, 'M', QRPNG_SCALE_DEFAULT, 0 };
	char t[HQR_LEN + 1];
	uint8_t *png;
	size_t len;
	unsigned seed;

	(void)state;
	for (seed = 0; seed < 45; seed += 4) {
		hqr_text(t, seed);
		assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, NULL), 0);
		assert_true(len < 2048);
		free(png);
	}
}

/* Red style: the red palette, the same modules. */
static void test_phone_red(void **state)
{
	struct qrpng_opts o = { QRPNG_RED, 'M', 4, 0 };
	char t[HQR_LEN + 1];
	uint8_t *png;
	size_t len;
	int width;
	struct img im;
	QRcode *qr;

	(void)state;
	hqr_text(t, 3);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, &width), 0);
	check_chunks(png, len);
	assert_int_equal(img_decode(png, len, &im), 0);
	assert_int_equal(im.ctype, PNG_COLOR_TYPE_PALETTE);
	check_palette(&im, 0xC8, 0x10, 0x2E);
	qr = ref_encode(t, HQR_LEN, QR_ECLEVEL_M, QR_MODE_AN);
	check_matrix(&im, qr, 4);
	QRcode_free(qr);
	img_free(&im);
	free(png);
}

/* Paper code: black, 'Q', at least 473 px wide with the smallest scale that reaches it. */
static void test_paper_black(void **state)
{
	struct qrpng_opts o = { QRPNG_BLACK, 'Q', 1, QRPNG_PAPER_WIDTH_PX };
	char t[HQR_LEN + 1];
	uint8_t *png;
	size_t len, total, scale;
	int width;
	struct img im;
	QRcode *qr;

	(void)state;
	hqr_text(t, 7);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, &width), 0);
	check_chunks(png, len);
	assert_int_equal(img_decode(png, len, &im), 0);
	assert_int_equal(im.ctype, PNG_COLOR_TYPE_PALETTE);
	assert_int_equal(im.depth, 1);
	check_palette(&im, 0, 0, 0);
	assert_true(width >= 473);
	assert_int_equal(im.w, (png_uint_32)width);

	qr = ref_encode(t, HQR_LEN, QR_ECLEVEL_Q, QR_MODE_AN);
	total = (size_t)qr->width + 8;
	scale = (473 + total - 1) / total;
	assert_int_equal((size_t)width, total * scale);
	assert_true(total * (scale - 1) < 473); /* no larger than needed */
	check_quiet_zone(&im, scale);
	check_finders(&im, scale);
	check_matrix(&im, qr, scale);
	QRcode_free(qr);
	img_free(&im);
	free(png);
}

/* min_width_px never shrinks: a scale already wide enough is kept. */
static void test_min_width_keeps_larger_scale(void **state)
{
	struct qrpng_opts o = { QRPNG_BLACK, 'Q', 12, QRPNG_PAPER_WIDTH_PX };
	char t[HQR_LEN + 1];
	uint8_t *png;
	size_t len;
	int width;
	QRcode *qr;

	(void)state;
	hqr_text(t, 1);
	qr = ref_encode(t, HQR_LEN, QR_ECLEVEL_Q, QR_MODE_AN);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, &width), 0);
	assert_int_equal(width, (qr->width + 8) * 12);
	free(png);
	QRcode_free(qr);
}

/* The largest accepted min_width_px is reachable for the smallest code within the scale bound. */
static void test_min_width_max(void **state)
{
	struct qrpng_opts o = { QRPNG_GREEN, 'L', 1, QRPNG_MIN_WIDTH_MAX };
	uint8_t *png;
	size_t len;
	int width;
	struct img im;
	QRcode *qr;

	(void)state;
	assert_int_equal(qrpng_render("A", 1, &o, &png, &len, &width), 0);
	assert_int_equal(width, QRPNG_MIN_WIDTH_MAX);
	assert_int_equal(img_decode(png, len, &im), 0);
	qr = ref_encode("A", 1, QR_ECLEVEL_L, QR_MODE_AN);
	assert_int_equal(qr->width, 21);
	check_matrix(&im, qr, QRPNG_SCALE_MAX);
	QRcode_free(qr);
	img_free(&im);
	free(png);
}

/* A text outside the alphanumeric set (lower case, a NUL, not NUL-terminated) goes 8-bit. */
static void test_8bit_text(void **state)
{
	static const char t[] = { 'h', 'q', 'r', '1', ':', 'a', 'b', '\0', 'c', 0x7F, '\xFF', 'Z' };
	struct qrpng_opts o = { QRPNG_BLACK, 'H', 3, 0 };
	uint8_t *png;
	size_t len;
	struct img im;
	QRcode *qr;

	(void)state;
	assert_int_equal(qrpng_render(t, sizeof t, &o, &png, &len, NULL), 0);
	check_chunks(png, len);
	assert_int_equal(img_decode(png, len, &im), 0);
	qr = ref_encode(t, sizeof t, QR_ECLEVEL_H, QR_MODE_8);
	check_matrix(&im, qr, 3);
	check_finders(&im, 3);
	QRcode_free(qr);
	img_free(&im);
	free(png);
}

/* Every level renders and each matches libqrencode; scale 1 and the largest code. */
static void test_levels_and_extremes(void **state)
{
	static const struct {
		int ec;
		QRecLevel level;
	} lv[] = { { 'L', QR_ECLEVEL_L }, { 'M', QR_ECLEVEL_M }, { 'Q', QR_ECLEVEL_Q }, { 'H', QR_ECLEVEL_H } };
	char t[HQR_LEN + 1], *big;
	uint8_t *png;
	size_t len, i;
	struct img im;
	QRcode *qr;

	(void)state;
	hqr_text(t, 5);
	for (i = 0; i < sizeof lv / sizeof lv[0]; i++) {
		struct qrpng_opts o = { QRPNG_GREEN, lv[i].ec, 2, 0 };

		assert_int_equal(qrpng_render(t, HQR_LEN, &o, &png, &len, NULL), 0);
		assert_int_equal(img_decode(png, len, &im), 0);
		qr = ref_encode(t, HQR_LEN, lv[i].level, QR_MODE_AN);
		check_matrix(&im, qr, 2);
		QRcode_free(qr);
		img_free(&im);
		free(png);
	}

	/* QRPNG_TEXT_MAX alphanumeric characters: version 40-L, 177 modules, at scale 1. */
	big = malloc(QRPNG_TEXT_MAX);
	assert_non_null(big);
	for (i = 0; i < QRPNG_TEXT_MAX; i++)
		big[i] = b45_alphabet[i * 31 % 45];
	{
		struct qrpng_opts o = { QRPNG_BLACK, 'L', 1, 0 };
		int width;

		assert_int_equal(qrpng_render(big, QRPNG_TEXT_MAX, &o, &png, &len, &width), 0);
		assert_int_equal(width, 177 + 8);
		check_chunks(png, len);
		assert_int_equal(img_decode(png, len, &im), 0);
		qr = ref_encode(big, QRPNG_TEXT_MAX, QR_ECLEVEL_L, QR_MODE_AN);
		assert_int_equal(qr->width, 177);
		check_matrix(&im, qr, 1);
		check_finders(&im, 1);
		QRcode_free(qr);
		img_free(&im);
		free(png);
	}
	free(big);
}

/* The same input gives the same bytes (no state carried between calls). */
static void test_deterministic(void **state)
{
	struct qrpng_opts o = { QRPNG_GREEN, 'M', QRPNG_SCALE_DEFAULT, 0 };
	char t[HQR_LEN + 1];
	uint8_t *a, *b, *c;
	size_t la, lb, lc;

	(void)state;
	hqr_text(t, 9);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &a, &la, NULL), 0);
	o.style = QRPNG_BLACK;
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &c, &lc, NULL), 0);
	o.style = QRPNG_GREEN;
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &b, &lb, NULL), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(la, lc); /* only the palette differs */
	assert_memory_not_equal(a, c, la);
	free(a);
	free(b);
	free(c);
}

/* Bad arguments and texts too long: -1, outputs untouched, nothing leaked (ASan, valgrind). */
static void test_invalid(void **state)
{
	const struct qrpng_opts good = { QRPNG_GREEN, 'M', 6, 0 };
	struct qrpng_opts bad[] = {
		{ QRPNG_GREEN, 'M', 0, 0 },  { QRPNG_GREEN, 'M', 33, 0 },
		{ QRPNG_GREEN, 'M', -1, 0 }, { QRPNG_GREEN, 'X', 6, 0 },
		{ QRPNG_GREEN, 'm', 6, 0 },  { QRPNG_GREEN, 0, 6, 0 },
		{ QRPNG__MAX, 'M', 6, 0 },   { (enum qrpng_style) - 1, 'M', 6, 0 },
		{ QRPNG_GREEN, 'M', 6, -1 }, { QRPNG_GREEN, 'M', 6, QRPNG_MIN_WIDTH_MAX + 1 },
	};
	char t[HQR_LEN + 1], *big;
	uint8_t dummy = 0, *png = &dummy;
	size_t len = 12345, i;
	int width = -7;

	(void)state;
	hqr_text(t, 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(qrpng_render(t, HQR_LEN, &bad[i], &png, &len, &width), -1);
	assert_int_equal(qrpng_render(NULL, HQR_LEN, &good, &png, &len, &width), -1);
	assert_int_equal(qrpng_render(t, 0, &good, &png, &len, &width), -1);
	assert_int_equal(qrpng_render(t, HQR_LEN, NULL, &png, &len, &width), -1);
	assert_int_equal(qrpng_render(t, HQR_LEN, &good, NULL, &len, &width), -1);
	assert_int_equal(qrpng_render(t, HQR_LEN, &good, &png, NULL, &width), -1);

	big = malloc(QRPNG_TEXT_MAX + 2);
	assert_non_null(big);
	for (i = 0; i < QRPNG_TEXT_MAX + 2; i++)
		big[i] = b45_alphabet[i % 45];
	/* Over any QR code's capacity: refused before encoding. */
	assert_int_equal(qrpng_render(big, QRPNG_TEXT_MAX + 1, &good, &png, &len, &width), -1);
	/* Within the overall maximum but over 'M' (3391 alphanumeric): libqrencode refuses. */
	assert_int_equal(qrpng_render(big, QRPNG_TEXT_MAX, &good, &png, &len, &width), -1);
	assert_int_equal(qrpng_render(big, 3392, &good, &png, &len, &width), -1);
	/* 8-bit: 2953 bytes fit version 40-L, 2954 do not. */
	for (i = 0; i < 2954; i++)
		big[i] = 'a';
	{
		struct qrpng_opts l = { QRPNG_BLACK, 'L', 1, 0 };
		uint8_t *ok;
		size_t oklen;

		assert_int_equal(qrpng_render(big, 2954, &l, &png, &len, &width), -1);
		assert_int_equal(qrpng_render(big, 2953, &l, &ok, &oklen, NULL), 0);
		free(ok);
	}
	free(big);

	assert_ptr_equal(png, &dummy);
	assert_int_equal(len, 12345);
	assert_int_equal(width, -7);
}

static void test_parse_scale(void **state)
{
	static const struct {
		const char *s;
		int v;
	} ok[] = { { "1", 1 }, { "6", 6 }, { "9", 9 }, { "10", 10 }, { "19", 19 }, { "32", 32 } };
	static const char *const bad[] = { "",   "0",  "00", "06", "33", "39", "99",  "100",  "+6", "-1",
					   " 6", "6 ", "3 ", "2/", "1:", "6a", "1e1", "0x10", "3\n" };
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		v = -1;
		assert_int_equal(qrpng_parse_scale(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = -1;
		assert_int_equal(qrpng_parse_scale(bad[i], &v), -1);
		assert_int_equal(v, -1);
	}
	assert_int_equal(qrpng_parse_scale(NULL, &v), -1);
	assert_int_equal(qrpng_parse_scale("6", NULL), -1);
}

/* Threads rendering at once get the bytes a lone call gets. */
struct job {
	const uint8_t *want;
	size_t wantlen;
	int mismatches;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct qrpng_opts o = { QRPNG_GREEN, 'M', QRPNG_SCALE_DEFAULT, 0 };
	char t[HQR_LEN + 1];
	uint8_t *png;
	size_t len;
	int i;

	hqr_text(t, 11);
	for (i = 0; i < 20; i++) {
		if (qrpng_render(t, HQR_LEN, &o, &png, &len, NULL) != 0) {
			j->mismatches++;
			continue;
		}
		if (len != j->wantlen || memcmp(png, j->want, len) != 0)
			j->mismatches++;
		free(png);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct qrpng_opts o = { QRPNG_GREEN, 'M', QRPNG_SCALE_DEFAULT, 0 };
	char t[HQR_LEN + 1];
	struct job jobs[4];
	pthread_t th[4];
	uint8_t *want;
	size_t wantlen, i;

	(void)state;
	hqr_text(t, 11);
	assert_int_equal(qrpng_render(t, HQR_LEN, &o, &want, &wantlen, NULL), 0);
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){ want, wantlen, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, job_run, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].mismatches, 0);
	}
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_green),
		cmocka_unit_test(test_default_scale_under_2k),
		cmocka_unit_test(test_phone_red),
		cmocka_unit_test(test_paper_black),
		cmocka_unit_test(test_min_width_keeps_larger_scale),
		cmocka_unit_test(test_min_width_max),
		cmocka_unit_test(test_8bit_text),
		cmocka_unit_test(test_levels_and_extremes),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_parse_scale),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
