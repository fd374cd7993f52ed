/* test_valid_id.c: unit tests of the pure application-form validators (fcgi/model/valid_id.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "photo.h"
#include "valid_id.h"
#include "unit_vectors.h"

/* (pointer, length) of a string literal; the literal may hold NUL bytes. */
#define S(lit) (lit), (sizeof(lit) - 1)

/*
 * The vectors pin no "today" of their own unless they carry a "today" field
 * ("YYYY-MM-DD"); otherwise this fixed date keeps the tests independent of
 * the clock.
 */
static int today_y = 2025, today_m = 1, today_d = 1;
static cJSON *ids_json;

/* ---- fixtures: real images --------------------------------------------- */

/*
 * tiny_png: 3x2 RGB, 8-bit, written with zlib and decoded by libpng.
 * base_jpg: 10x7 grayscale baseline, progressive prog_jpg: 12x9 RGB with
 * 10 scans; both written by libjpeg (quality 50, optimised Huffman tables)
 * and decoded by it without warnings. The same bytes seed the fuzzer.
 */
static const uint8_t tiny_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
	0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xf1, 0x4d, 0x00, 0x00, 0x00,
	0x1d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x60, 0x38, 0x11, 0xc0, 0x70, 0x62, 0x01, 0xc3, 0x09,
	0x06, 0x86, 0x8a, 0x13, 0x01, 0x15, 0x27, 0x16, 0x54, 0x9c, 0x00, 0x00, 0x42, 0x2c, 0x07, 0xf9, 0x40, 0xe3,
	0x0b, 0x5f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const uint8_t base_jpg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
	0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d,
	0x0e, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28,
	0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37,
	0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78,
	0x5c, 0x65, 0x67, 0x63, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x07, 0x00, 0x0a, 0x01, 0x01, 0x11, 0x00,
	0xff, 0xc4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0xff, 0xc4, 0x00, 0x22, 0x10, 0x00, 0x02, 0x01, 0x03, 0x02, 0x07,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x11, 0x12, 0x13, 0x04,
	0x21, 0x00, 0x14, 0x31, 0x51, 0x61, 0x71, 0x91, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f,
	0x00, 0x9d, 0x0c, 0x71, 0xe8, 0xa4, 0x65, 0x29, 0xc9, 0x80, 0x03, 0xb2, 0x03, 0x1c, 0x62, 0xa0, 0x28,
	0xd8, 0x02, 0xee, 0x09, 0x63, 0x50, 0x48, 0xf9, 0xd0, 0x5d, 0x46, 0x46, 0xc6, 0xf3, 0x59, 0x53, 0x6e,
	0x3d, 0x34, 0x36, 0xd3, 0xc5, 0xc6, 0xb4, 0xf7, 0xbf, 0x7e, 0x3f, 0xff, 0xd9,
};
static const uint8_t prog_jpg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e, 0x12,
	0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d,
	0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51,
	0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff,
	0xdb, 0x00, 0x43, 0x01, 0x11, 0x12, 0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42,
	0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
	0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
	0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc2, 0x00, 0x11,
	0x08, 0x00, 0x09, 0x00, 0x0c, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
	0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x10, 0x03, 0x10,
	0x00, 0x00, 0x01, 0x2c, 0xd4, 0x4f, 0xff, 0xc4, 0x00, 0x18, 0x10, 0x00, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x11, 0x31, 0x32, 0xff, 0xda, 0x00, 0x08,
	0x01, 0x01, 0x00, 0x01, 0x05, 0x02, 0x2c, 0x1b, 0xd2, 0xf3, 0xff, 0xc4, 0x00, 0x15, 0x11, 0x01, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0xff, 0xda, 0x00,
	0x08, 0x01, 0x03, 0x01, 0x01, 0x3f, 0x01, 0x8f, 0xff, 0xc4, 0x00, 0x16, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x22, 0xff, 0xda, 0x00, 0x08,
	0x01, 0x02, 0x01, 0x01, 0x3f, 0x01, 0x54, 0x7f, 0xff, 0xc4, 0x00, 0x1b, 0x10, 0x00, 0x01, 0x04, 0x03, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x11, 0x21, 0xf0, 0x41, 0x51,
	0x91, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x06, 0x3f, 0x02, 0x25, 0xfa, 0xc2, 0xdd, 0x8b, 0x70, 0x7f,
	0xff, 0xc4, 0x00, 0x1d, 0x10, 0x00, 0x01, 0x04, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x21, 0x41, 0x71, 0xb1, 0xa1, 0xf0, 0xf1, 0xff, 0xda, 0x00, 0x08, 0x01,
	0x01, 0x00, 0x01, 0x3f, 0x21, 0x02, 0x9a, 0x31, 0x1d, 0xf2, 0xca, 0x6d, 0x07, 0x98, 0x2d, 0x02, 0xe4, 0x15,
	0xd0, 0xd1, 0x7f, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x8f,
	0xff, 0xc4, 0x00, 0x18, 0x11, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0xf0, 0x21, 0xff, 0xda, 0x00, 0x08, 0x01, 0x03, 0x01, 0x01, 0x3f, 0x10,
	0x53, 0xa7, 0x6b, 0x9f, 0xff, 0xc4, 0x00, 0x18, 0x11, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x21, 0x41, 0xc1, 0xff, 0xda, 0x00, 0x08, 0x01, 0x02,
	0x01, 0x01, 0x3f, 0x10, 0x21, 0x07, 0x79, 0x53, 0xff, 0xc4, 0x00, 0x1b, 0x10, 0x00, 0x03, 0x01, 0x01, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x11, 0x21, 0x31, 0x00, 0x10, 0x91,
	0xa1, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x10, 0x01, 0xc0, 0x32, 0x84, 0x14, 0x4a, 0x13,
	0x30, 0x89, 0xb9, 0xa2, 0x70, 0x1a, 0x88, 0xd1, 0x86, 0xd5, 0x03, 0x5d, 0xf5, 0x17, 0x89, 0x7e, 0xce, 0x3f,
	0xff, 0xd9,
};

/* ---- helpers ------------------------------------------------------------ */

/* MOD 11-2 written differently from the module: weights 2^(17-i) mod 11. */
static char check_char(const char *s17)
{
	int i, sum = 0, wgt = 1;

	for (i = 16; i >= 0; i--) {
		wgt = (wgt * 2) % 11;
		sum += (s17[i] - '0') * wgt;
	}
	return "10X98765432"[sum % 11];
}

/* out = first17 + its check character. */
static const char *with_check(char out[19], const char *first17)
{
	memcpy(out, first17, 17);
	out[17] = check_char(first17);
	out[18] = '\0';
	return out;
}

/* CRC-32 as zlib computes it, bit by bit (independent of the module's). */
static uint32_t crc_bits(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes one PNG chunk at p; returns its size. */
static size_t png_chunk(uint8_t *p, const char type[4], const uint8_t *data, uint32_t len)
{
	put_be32(p, len);
	memcpy(p + 4, type, 4);
	if (len > 0)
		memcpy(p + 8, data, len);
	put_be32(p + 8 + len, crc_bits(p + 4, (size_t)len + 4));
	return (size_t)len + 12;
}

/* tiny_png with a chunk inserted after IHDR (8 + 25 bytes). */
static size_t png_with_chunk(uint8_t *buf, const char type[4], const uint8_t *data, uint32_t len)
{
	size_t o = 33;

	memcpy(buf, tiny_png, 33);
	o += png_chunk(buf + o, type, data, len);
	memcpy(buf + o, tiny_png + 33, sizeof tiny_png - 33);
	return o + sizeof tiny_png - 33;
}

/* Offset of the first JPEG marker m (the 0xFF) in base_jpg. */
static size_t jpeg_find(uint8_t m)
{
	size_t i;

	for (i = 2; i + 1 < sizeof base_jpg; i++)
		if (base_jpg[i] == 0xFF && base_jpg[i + 1] == m)
			return i;
	fail_msg("marker %02x not in base_jpg", m);
	return 0;
}

static enum vid_err photo(const uint8_t *d, size_t n, int *w, int *h, int *png)
{
	return vid_photo(d, n, VID_PHOTO_MAX_BYTES_DEFAULT, 1, 4096, w, h, png);
}

/* ---- vectors: resident-ids.json ----------------------------------------- */

static int load_vectors(void **state)
{
	const cJSON *today;

	(void)state;
	ids_json = vectors_read("resident-ids.json");
	if (ids_json == NULL)
		return -1;
	today = cJSON_GetObjectItemCaseSensitive(ids_json, "today");
	if (cJSON_IsString(today) && sscanf(today->valuestring, "%4d-%2d-%2d", &today_y, &today_m, &today_d) != 3)
		return -1;
	return 0;
}

static int free_vectors(void **state)
{
	(void)state;
	cJSON_Delete(ids_json);
	ids_json = NULL;
	return 0;
}

static const cJSON *vec_array(const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(ids_json, key);

	assert_true(cJSON_IsArray(a));
	assert_true(cJSON_GetArraySize(a) > 0);
	return a;
}

static void vectors_valid(void **state)
{
	const cJSON *v;
	char out[VID_DOC_BUF], doc[VID_DOC_BUF];

	(void)state;
	cJSON_ArrayForEach(v, vec_array("valid")) {
		const char *s = cJSON_GetStringValue(v);
		assert_non_null(s);
		assert_int_equal(vid_resident_id(s, strlen(s), today_y, today_m, today_d, out), VID_OK);
		assert_string_equal(out, s);
		assert_int_equal(vid_document("resident_id", s, strlen(s), today_y, today_m, today_d, doc, sizeof doc),
				 VID_OK);
		assert_string_equal(doc, s);
	}
}

static void vectors_normalising(void **state)
{
	const cJSON *v;
	char out[VID_DOC_BUF];

	(void)state;
	cJSON_ArrayForEach(v, vec_array("valid_after_normalising")) {
		const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "input"));
		const char *norm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "normalised"));
		assert_non_null(in);
		assert_non_null(norm);
		assert_int_equal(vid_resident_id(in, strlen(in), today_y, today_m, today_d, out), VID_OK);
		assert_string_equal(out, norm);
	}
}

/* The code each known invalid vector must give; new vectors need only fail. */
static const struct {
	const char *input;
	enum vid_err want;
} invalid_codes[] = {
	{ "320202198506072310", VID_ID_CHECKSUM },   { "320202198502302311", VID_ID_BIRTH_DATE },
	{ "320202190113132316", VID_ID_BIRTH_DATE }, { "320202219901012311", VID_ID_BIRTH_DATE },
	{ "320202180001012310", VID_ID_BIRTH_DATE }, { "000000198506072316", VID_ID_REGION },
	{ "3202021985060723", VID_ID_LENGTH },       { "320202198506072311", VID_ID_CHECKSUM },
	{ "32020219850607231Y", VID_ID_CHARS },      { "３２０２０２１９８５０６０７２３１X", VID_ID_CHARS },
	{ "320202850607231", VID_ID_LENGTH },
};

static void vectors_invalid(void **state)
{
	const cJSON *v;
	char out[VID_DOC_BUF];
	size_t k, matched = 0;

	(void)state;
	cJSON_ArrayForEach(v, vec_array("invalid")) {
		const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "input"));
		enum vid_err e;
		assert_non_null(in);
		e = vid_resident_id(in, strlen(in), today_y, today_m, today_d, out);
		if (e == VID_OK)
			fail_msg("accepted invalid vector %s", in);
		assert_string_equal(out, "");
		for (k = 0; k < sizeof invalid_codes / sizeof invalid_codes[0]; k++) {
			if (strcmp(in, invalid_codes[k].input) == 0) {
				if (e != invalid_codes[k].want)
					fail_msg("%s: got %s, want %s", in, vid_err_word(e),
						 vid_err_word(invalid_codes[k].want));
				matched++;
				break;
			}
		}
	}
	assert_true(matched >= 11);
}

/* ---- error words -------------------------------------------------------- */

static void err_words_stable(void **state)
{
	int i, j;

	(void)state;
	assert_string_equal(vid_err_word(VID_OK), "OK");
	assert_string_equal(vid_err_word(VID_ID_CHECKSUM), "ID_CHECKSUM");
	assert_string_equal(vid_err_word(VID_SYMPTOMS_NONE_MIXED), "SYMPTOMS_NONE_MIXED");
	assert_string_equal(vid_err_word(VID_PHOTO_CORRUPT), "PHOTO_CORRUPT");
	assert_string_equal(vid_err_word(VID_TEMPERATURE_FORMAT), "TEMPERATURE_FORMAT");
	assert_string_equal(vid_err_word(VID_ID_TYPE), "ID_TYPE");
	assert_string_equal(vid_err_word(VID__MAX), "UNKNOWN");
	assert_string_equal(vid_err_word((enum vid_err) - 1), "UNKNOWN");
	for (i = 0; i < VID__MAX; i++) {
		assert_non_null(vid_err_word((enum vid_err)i));
		assert_non_null(vid_err_message((enum vid_err)i));
		assert_true(strlen(vid_err_message((enum vid_err)i)) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(vid_err_word((enum vid_err)i), vid_err_word((enum vid_err)j));
	}
	/* The first codes keep their numbers: stored and logged elsewhere. */
	assert_int_equal(VID_ID_LENGTH, 1);
	assert_int_equal(VID_SYMPTOMS_NONE_MIXED, 22);
}

/* ---- dates -------------------------------------------------------------- */

static void dates(void **state)
{
	(void)state;
	assert_true(day_ymd_valid(2000, 2, 29));
	assert_true(day_ymd_valid(2024, 2, 29));
	assert_false(day_ymd_valid(1900, 2, 29));
	assert_false(day_ymd_valid(2100, 2, 29));
	assert_false(day_ymd_valid(2023, 2, 29));
	assert_false(day_ymd_valid(2023, 4, 31));
	assert_false(day_ymd_valid(2023, 0, 1));
	assert_false(day_ymd_valid(2023, 13, 1));
	assert_false(day_ymd_valid(2023, 1, 0));
	assert_int_equal(day_from_ymd(1970, 1, 1), 0);
	assert_int_equal(day_from_ymd(1969, 12, 31), -1);
	assert_int_equal(day_from_ymd(2000, 3, 1), 11017);
	assert_int_equal(day_from_ymd(2024, 3, 1) - day_from_ymd(2024, 2, 28), 2);
	assert_int_equal(day_from_ymd(1900, 3, 1) - day_from_ymd(1900, 2, 28), 1);
}

/* ---- resident ID -------------------------------------------------------- */

static void resident_id_codes(void **state)
{
	char id[19], out[VID_DOC_BUF];

	(void)state;
	/* Spaces inside, as people copy them from a card. */
	assert_int_equal(vid_resident_id(S("320202 19850607 2314"), 2025, 1, 1, out), VID_OK);
	assert_string_equal(out, "320202198506072314");
	/* Leap days: 2000 is leap, 1900 is not. */
	assert_int_equal(vid_resident_id(with_check(id, "44030620000229123"), 18, 2025, 1, 1, out), VID_OK);
	assert_int_equal(vid_resident_id(with_check(id, "44030619000229123"), 18, 2025, 1, 1, out), VID_ID_BIRTH_DATE);
	assert_int_equal(vid_resident_id(with_check(id, "11010519000101123"), 18, 2025, 1, 1, out), VID_OK);
	assert_int_equal(vid_resident_id(with_check(id, "11010518991231123"), 18, 2025, 1, 1, out), VID_ID_BIRTH_DATE);
	/* Born today is fine, tomorrow is not. */
	assert_int_equal(vid_resident_id(with_check(id, "11010520240615123"), 18, 2024, 6, 15, out), VID_OK);
	assert_int_equal(vid_resident_id(with_check(id, "11010520240616123"), 18, 2024, 6, 15, out), VID_ID_BIRTH_DATE);
	assert_int_equal(vid_resident_id(with_check(id, "11010520240700123"), 18, 2025, 1, 1, out), VID_ID_BIRTH_DATE);
	/* Province codes. */
	assert_int_equal(vid_resident_id(with_check(id, "83000019900101123"), 18, 2025, 1, 1, out), VID_OK);
	assert_int_equal(vid_resident_id(with_check(id, "16010519900101123"), 18, 2025, 1, 1, out), VID_ID_REGION);
	assert_int_equal(vid_resident_id(with_check(id, "91010519900101123"), 18, 2025, 1, 1, out), VID_ID_REGION);
	assert_int_equal(vid_resident_id(with_check(id, "72010519900101123"), 18, 2025, 1, 1, out), VID_ID_REGION);
	/* Characters. */
	assert_int_equal(vid_resident_id(S("1101051949X231002X"), 2025, 1, 1, out), VID_ID_CHARS);
	assert_int_equal(vid_resident_id(S("11010519491231002X\0"), 2025, 1, 1, out), VID_ID_CHARS);
	assert_int_equal(vid_resident_id(S("110105-19491231-002X"), 2025, 1, 1, out), VID_ID_CHARS);
	assert_int_equal(vid_resident_id(S("11010519491231002X1"), 2025, 1, 1, out), VID_ID_CHARS);
	assert_int_equal(vid_resident_id(S("110105194912310021X"), 2025, 1, 1, out), VID_ID_LENGTH);
	assert_int_equal(vid_resident_id(S(""), 2025, 1, 1, out), VID_ID_LENGTH);
	assert_int_equal(vid_resident_id(NULL, 0, 2025, 1, 1, out), VID_ID_LENGTH);
	/* out may be NULL when only the verdict is wanted. */
	assert_int_equal(vid_resident_id(S("11010519491231002x"), 2025, 1, 1, NULL), VID_OK);
	/* out may be the input itself (found by fuzz_photo). */
	memcpy(id, "11010519491231002x", 19);
	assert_int_equal(vid_resident_id(id, 18, 2025, 1, 1, id), VID_OK);
	assert_string_equal(id, "11010519491231002X");
	assert_int_equal(vid_resident_id(id, 18, 2025, 1, 1, id), VID_OK);
	assert_string_equal(id, "11010519491231002X");
}

/* ---- other documents ---------------------------------------------------- */

static enum vid_err doc(const char *type, const char *in, char *out)
{
	return vid_document(type, in, strlen(in), 2025, 1, 1, out, VID_DOC_BUF);
}

static void document_types(void **state)
{
	char out[VID_DOC_BUF], big[32];

	(void)state;
	assert_true(vid_id_type_known("resident_id"));
	assert_true(vid_id_type_known("passport"));
	assert_true(vid_id_type_known("hk_macao_permit"));
	assert_true(vid_id_type_known("taiwan_permit"));
	assert_true(vid_id_type_known("foreign_permanent_id"));
	assert_false(vid_id_type_known("id_card"));
	assert_false(vid_id_type_known("Passport"));
	assert_false(vid_id_type_known(""));
	assert_false(vid_id_type_known(NULL));
	assert_int_equal(vid_doc_from_word("taiwan_permit"), VID_DOC_TAIWAN_PERMIT);
	assert_string_equal(vid_doc_word(VID_DOC_FOREIGN_PERMANENT_ID), "foreign_permanent_id");
	assert_null(vid_doc_word(VID_DOC__MAX));
	assert_int_equal(doc("driving_licence", "E12345678", out), VID_ID_TYPE);
	assert_string_equal(out, "");
	assert_int_equal(doc(NULL, "E12345678", out), VID_ID_TYPE);
	/* A valid number that does not fit the caller's buffer. */
	assert_int_equal(vid_document("passport", S("E12345678"), 2025, 1, 1, out, 9), VID_ID_LENGTH);
	assert_int_equal(vid_document("passport", S("E12345678"), 2025, 1, 1, out, 10), VID_OK);
	assert_int_equal(vid_document("resident_id", S("11010519491231002X"), 2025, 1, 1, out, 18), VID_ID_LENGTH);
	/* Normalised in place. */
	memcpy(out, "e 1234 5678", 12);
	assert_int_equal(vid_document("passport", out, 11, 2025, 1, 1, out, sizeof out), VID_OK);
	assert_string_equal(out, "E12345678");
	memcpy(big, " 11010519491231002x", 20);
	assert_int_equal(vid_document("resident_id", big, 19, 2025, 1, 1, big, sizeof big), VID_OK);
	assert_string_equal(big, "11010519491231002X");
}

static void document_passport(void **state)
{
	char out[VID_DOC_BUF];

	(void)state;
	assert_int_equal(doc("passport", "E12345678", out), VID_OK);
	assert_string_equal(out, "E12345678");
	assert_int_equal(doc("passport", "ea1234567", out), VID_OK); /* 2017 shape */
	assert_string_equal(out, "EA1234567");
	assert_int_equal(doc("passport", " G 1234 5678 ", out), VID_OK);
	assert_string_equal(out, "G12345678");
	assert_int_equal(doc("passport", "C01X00T47", out), VID_OK); /* a German shape */
	assert_int_equal(doc("passport", "123456789", out), VID_OK); /* a US shape */
	assert_int_equal(doc("passport", "1234", out), VID_ID_LENGTH);
	assert_int_equal(doc("passport", "A12345678901234567", out), VID_ID_LENGTH);
	assert_int_equal(doc("passport", "ABCDEFGH", out), VID_ID_FORMAT);
	assert_int_equal(doc("passport", "E1234567-8", out), VID_ID_CHARS);
	assert_int_equal(doc("passport", "E1234567\xC3\x98", out), VID_ID_CHARS);
	assert_string_equal(out, "");
}

static void document_permits(void **state)
{
	char out[VID_DOC_BUF];

	(void)state;
	assert_int_equal(doc("hk_macao_permit", "H12345678", out), VID_OK);
	assert_int_equal(doc("hk_macao_permit", "m1234567801", out), VID_OK);
	assert_string_equal(out, "M1234567801");
	assert_int_equal(doc("hk_macao_permit", "C12345678", out), VID_ID_FORMAT);
	assert_int_equal(doc("hk_macao_permit", "HA2345678", out), VID_ID_FORMAT);
	assert_int_equal(doc("hk_macao_permit", "H1234567", out), VID_ID_LENGTH);
	assert_int_equal(doc("hk_macao_permit", "H123456789", out), VID_ID_LENGTH);
	assert_int_equal(doc("taiwan_permit", "12345678", out), VID_OK);
	assert_int_equal(doc("taiwan_permit", "1234 5678 90", out), VID_OK);
	assert_string_equal(out, "1234567890");
	assert_int_equal(doc("taiwan_permit", "1234567", out), VID_ID_LENGTH);
	assert_int_equal(doc("taiwan_permit", "123456789", out), VID_ID_LENGTH);
	assert_int_equal(doc("taiwan_permit", "T2345678", out), VID_ID_FORMAT);
}

static void document_foreign(void **state)
{
	char out[VID_DOC_BUF], id[19];

	(void)state;
	assert_int_equal(doc("foreign_permanent_id", "USA310085011203", out), VID_OK);
	assert_int_equal(doc("foreign_permanent_id", "usa 3100 8501 1203", out), VID_OK);
	assert_string_equal(out, "USA310085011203");
	assert_int_equal(doc("foreign_permanent_id", "US1310085011203", out), VID_ID_FORMAT);
	assert_int_equal(doc("foreign_permanent_id", "USA31008501120A", out), VID_ID_FORMAT);
	/* 2023 card: 9, 16 digits, MOD 11-2. */
	assert_int_equal(doc("foreign_permanent_id", with_check(id, "93184019850607001"), out), VID_OK);
	assert_string_equal(out, id);
	id[17] = id[17] == '0' ? '1' : '0';
	assert_int_equal(doc("foreign_permanent_id", id, out), VID_ID_CHECKSUM);
	assert_int_equal(doc("foreign_permanent_id", with_check(id, "13184019850607001"), out), VID_ID_FORMAT);
	assert_int_equal(doc("foreign_permanent_id", "9318401985060700", out), VID_ID_LENGTH);
}

/* ---- names -------------------------------------------------------------- */

static enum vid_err name(const char *in, size_t len, char out[VID_NAME_BUF])
{
	return vid_name(in, len, out, VID_NAME_BUF);
}

static void name_accepts(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	assert_int_equal(name(S("张三"), out), VID_OK);
	assert_string_equal(out, "张三");
	assert_int_equal(name(S("欧阳娜娜"), out), VID_OK);
	assert_int_equal(name(S("阿沛"
				"\xC2\xB7"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("José María"), out), VID_OK);
	assert_string_equal(out, "José María");
	assert_int_equal(name(S("Nguyễn Thị Minh Khai"), out), VID_OK);
	assert_int_equal(name(S("Mary O'Neil"), out), VID_OK);
	assert_int_equal(name(S("Jean-Luc Picard"), out), VID_OK);
	assert_int_equal(name(S("买买提"
				"\xC2\xB7"
				"吐尔逊"),
			      out),
			 VID_OK);
	assert_int_equal(name(S("李〇"), out), VID_OK);
	/* A rare character of CJK Extension B (U+20BB7) and Extension G (U+30000). */
	assert_int_equal(name(S("\xF0\xA0\xAE\xB7"
				"大"),
			      out),
			 VID_OK);
	assert_int_equal(name(S("王"
				"\xF0\xB0\x80\x80"),
			      out),
			 VID_OK);
	assert_int_equal(name(S("张"), out), VID_OK);
}

static void name_normalises(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	/* Surrounding ASCII, no-break and ideographic spaces. */
	assert_int_equal(name(S("  \xC2\xA0张三\xE3\x80\x80 "), out), VID_OK);
	assert_string_equal(out, "张三");
	/* Runs of spaces between Latin words become one. */
	assert_int_equal(name(S(" José   María\xC2\xA0Pérez "), out), VID_OK);
	assert_string_equal(out, "José María Pérez");
	/* Middle-dot look-alikes: U+30FB, U+FF65, U+2022, U+2027, '.' and U+FF0E between ideographs. */
	assert_int_equal(name(S("阿沛"
				"\xE3\x83\xBB"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("阿沛"
				"\xEF\xBD\xA5"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("阿沛"
				"\xE2\x80\xA2"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("阿沛"
				"\xE2\x80\xA7"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("阿沛.阿旺晋美"), out), VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	assert_int_equal(name(S("阿沛"
				"\xEF\xBC\x8E"
				"阿旺晋美"),
			      out),
			 VID_OK);
	assert_string_equal(out, "阿沛"
				 "\xC2\xB7"
				 "阿旺晋美");
	/* Typographic apostrophe and hyphen. */
	assert_int_equal(name(S("O\xE2\x80\x99Neil"), out), VID_OK);
	assert_string_equal(out, "O'Neil");
	assert_int_equal(name(S("Jean\xE2\x80\x90Luc"), out), VID_OK);
	assert_string_equal(out, "Jean-Luc");
	/* Decomposed accents (as macOS sends them) are kept as typed. */
	assert_int_equal(name(S("Jose\xCC\x81"), out), VID_OK);
	assert_string_equal(out, "Jose\xCC\x81");
}

static void name_rejects_invisible(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	assert_int_equal(name(S("张"
				"\xE2\x80\x8D"
				"三"),
			      out),
			 VID_NAME_CHARS); /* ZWJ */
	assert_string_equal(out, "");
	assert_int_equal(name(S("张"
				"\xE2\x80\x8C"
				"三"),
			      out),
			 VID_NAME_CHARS); /* ZWNJ */
	assert_int_equal(name(S("张"
				"\xE2\x80\x8B"
				"三"),
			      out),
			 VID_NAME_CHARS); /* ZWSP */
	assert_int_equal(name(S("\xE2\x80\xAE"
				"三张"),
			      out),
			 VID_NAME_CHARS); /* RLO */
	assert_int_equal(name(S("张三"
				"\xE2\x81\xA6"),
			      out),
			 VID_NAME_CHARS); /* LRI */
	assert_int_equal(name(S("\xE2\x80\x8F"
				"张三"),
			      out),
			 VID_NAME_CHARS); /* RLM */
	assert_int_equal(name(S("\xEF\xBB\xBF"
				"张三"),
			      out),
			 VID_NAME_CHARS); /* BOM */
	assert_int_equal(name(S("张"
				"\xC2\xAD"
				"三"),
			      out),
			 VID_NAME_CHARS); /* soft hyphen */
	assert_int_equal(name(S("张\t三"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张三\n"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张\0三"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("\xC2\x85"
				"张三"),
			      out),
			 VID_NAME_CHARS); /* NEL */
}

static void name_rejects_bad_utf8(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	assert_int_equal(name(S("\xC0\xAF"), out), VID_NAME_CHARS);         /* overlong '/' */
	assert_int_equal(name(S("\xE0\x80\xAF"), out), VID_NAME_CHARS);     /* overlong */
	assert_int_equal(name(S("\xF0\x80\x80\xAF"), out), VID_NAME_CHARS); /* overlong */
	assert_int_equal(name(S("\xED\xA0\x80"), out), VID_NAME_CHARS);     /* surrogate */
	assert_int_equal(name(S("\xED\xBF\xBF"), out), VID_NAME_CHARS);     /* surrogate */
	assert_int_equal(name(S("\xF4\x90\x80\x80"), out), VID_NAME_CHARS); /* > U+10FFFF */
	assert_int_equal(name(S("\xF5\x80\x80\x80"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张"
				"\xE4\xB8"),
			      out),
			 VID_NAME_CHARS);                       /* truncated */
	assert_int_equal(name(S("\x80"), out), VID_NAME_CHARS); /* lone continuation */
	assert_int_equal(name(S("\xFF"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("  \xC3"), out), VID_NAME_CHARS);
}

static void name_rejects_shape(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	assert_int_equal(name(S("张 三"), out), VID_NAME_CHARS); /* space between ideographs */
	assert_int_equal(name(S("John 张"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张3"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("John2"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("\xC2\xB7"
				"阿沛"),
			      out),
			 VID_NAME_CHARS);
	assert_int_equal(name(S("阿沛"
				"\xC2\xB7"),
			      out),
			 VID_NAME_CHARS);
	assert_int_equal(name(S("阿沛"
				"\xC2\xB7\xC2\xB7"
				"阿旺"),
			      out),
			 VID_NAME_CHARS);
	assert_int_equal(name(S("阿沛 "
				"\xC2\xB7"
				"阿旺"),
			      out),
			 VID_NAME_CHARS);
	assert_int_equal(name(S("John."), out), VID_NAME_CHARS);
	assert_int_equal(name(S("J.R.R. Tolkien"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("-Luc"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("Jean- Luc"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张'三"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("\xCC\x81"
				"Jose"),
			      out),
			 VID_NAME_CHARS); /* leading accent */
	assert_int_equal(name(S("张"
				"\xCC\x81"),
			      out),
			 VID_NAME_CHARS); /* accent on ideograph */
	assert_int_equal(name(S("Иван"), out), VID_NAME_CHARS);
	assert_int_equal(name(S("张三"
				"\xF0\x9F\x98\x80"),
			      out),
			 VID_NAME_CHARS);                               /* emoji */
	assert_int_equal(name(S("\xEE\x80\x80"), out), VID_NAME_CHARS); /* private use */
	assert_int_equal(name(S("张<b>"), out), VID_NAME_CHARS);
}

static void name_length(void **state)
{
	char in[200], out[VID_NAME_BUF];
	size_t i, n = 0;

	(void)state;
	assert_int_equal(name(S(""), out), VID_NAME_EMPTY);
	assert_int_equal(name(S("   "), out), VID_NAME_EMPTY);
	assert_int_equal(name(S("\xE3\x80\x80"), out), VID_NAME_EMPTY);
	assert_int_equal(name(NULL, 0, out), VID_NAME_EMPTY);
	for (i = 0; i < 30; i++) {
		memcpy(in + n, "张", 3);
		n += 3;
	}
	assert_int_equal(name(in, n, out), VID_OK);
	assert_int_equal(strlen(out), 90);
	memcpy(in + n, "张", 3);
	assert_int_equal(name(in, n + 3, out), VID_NAME_LENGTH);
	assert_string_equal(out, "");
	/* 30 four-byte ideographs fill VID_NAME_BUF exactly. */
	for (n = 0, i = 0; i < 30; i++, n += 4)
		memcpy(in + n, "\xF0\xA0\xAE\xB7", 4);
	assert_int_equal(name(in, n, out), VID_OK);
	assert_int_equal(strlen(out), 120);
	/* A separator and a space count as characters. */
	assert_int_equal(name(S("Aaaaaaaaaaaaaa Bbbbbbbbbbbbbbb"), out), VID_OK);
	assert_int_equal(name(S("Aaaaaaaaaaaaaa Bbbbbbbbbbbbbbbb"), out), VID_NAME_LENGTH);
	/* A buffer too small for the name. */
	assert_int_equal(vid_name(S("张三"), out, 6), VID_NAME_LENGTH);
	assert_int_equal(vid_name(S("张三"), out, 7), VID_OK);
}

/* ---- phone -------------------------------------------------------------- */

static void phone(void **state)
{
	char out[VID_PHONE_BUF];

	(void)state;
	assert_int_equal(vid_phone(S("+86 138 0013 8000"), out), VID_OK);
	assert_string_equal(out, "13800138000");
	assert_int_equal(vid_phone(S("13800138000"), out), VID_OK);
	assert_int_equal(vid_phone(S("138-0013-8000"), out), VID_OK);
	assert_int_equal(vid_phone(S("0086 13800138000"), out), VID_OK);
	assert_string_equal(out, "13800138000");
	assert_int_equal(vid_phone(S("8613800138000"), out), VID_OK);
	assert_int_equal(vid_phone(S("+86-199-1234-5678"), out), VID_OK);
	assert_string_equal(out, "19912345678");
	assert_int_equal(vid_phone(S("12800138000"), out), VID_PHONE_FORMAT); /* 1[3-9] */
	assert_string_equal(out, "");
	assert_int_equal(vid_phone(S("23800138000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("1380013800"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("138001380001"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("+1 650 253 0000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("+8613800138000"), out), VID_OK);
	assert_int_equal(vid_phone(S("86+13800138000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("++8613800138000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("+13800138000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("010-12345678"), out), VID_PHONE_FORMAT); /* a landline */
	assert_int_equal(vid_phone(S("(138)00138000"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("\xEF\xBC\x91"
				     "3800138000"),
				   out),
			 VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("1380013800\0"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("12345678901234567890"), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S(""), out), VID_PHONE_FORMAT);
	assert_int_equal(vid_phone(S("+"), out), VID_PHONE_FORMAT);
	/* In place. */
	memcpy(out, "138-0013-80", 12);
	assert_int_equal(vid_phone(out, 11, out), VID_PHONE_FORMAT);
	assert_string_equal(out, "");
}

/* ---- address ------------------------------------------------------------ */

static void address(void **state)
{
	char out[VID_ADDRESS_BUF], in[600];
	size_t i;

	(void)state;
	assert_int_equal(vid_address(S("北京市东城区正义路2号"), out, sizeof out), VID_OK);
	assert_string_equal(out, "北京市东城区正义路2号");
	assert_int_equal(vid_address(S("  上海市浦东新区世纪大道100号 3幢  "), out, sizeof out), VID_OK);
	assert_string_equal(out, "上海市浦东新区世纪大道100号 3幢");
	assert_int_equal(vid_address(S("Flat 2, 10 Nathan Road, Kowloon"), out, sizeof out), VID_OK);
	assert_int_equal(vid_address(S("朝阳区"), out, sizeof out), VID_ADDRESS_LENGTH);
	assert_int_equal(vid_address(S("   "), out, sizeof out), VID_ADDRESS_LENGTH);
	assert_int_equal(vid_address(S("朝阳区A"), out, sizeof out), VID_OK);
	assert_int_equal(vid_address(S("北京市\n东城区"), out, sizeof out), VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市\t东城区"), out, sizeof out), VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市"
				       "\xE2\x80\x8B"
				       "东城区"),
				     out, sizeof out),
			 VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市"
				       "\xE2\x80\xAE"
				       "东城区"),
				     out, sizeof out),
			 VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市"
				       "\xEE\x80\x80"
				       "东城区"),
				     out, sizeof out),
			 VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市"
				       "\xEF\xBF\xBE"
				       "东城区"),
				     out, sizeof out),
			 VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市"
				       "\xED\xA0\x80"
				       "东城区"),
				     out, sizeof out),
			 VID_ADDRESS_CHARS);
	assert_int_equal(vid_address(S("北京市\0东城区"), out, sizeof out), VID_ADDRESS_CHARS);
	assert_string_equal(out, "");
	for (i = 0; i < 120; i++)
		memcpy(in + 3 * i, "路", 3);
	assert_int_equal(vid_address(in, 360, out, sizeof out), VID_OK);
	memcpy(in + 360, "路", 3);
	assert_int_equal(vid_address(in, 363, out, sizeof out), VID_ADDRESS_LENGTH);
	assert_int_equal(vid_address(S("北京市东城区"), out, 10), VID_ADDRESS_LENGTH);
}

/* ---- masking ------------------------------------------------------------ */

static void mask_name(void **state)
{
	char out[VID_NAME_BUF];

	(void)state;
	assert_int_equal(vid_mask_name(S("张三"), out, sizeof out), strlen("张*"));
	assert_string_equal(out, "张*");
	vid_mask_name(S("张三丰"), out, sizeof out);
	assert_string_equal(out, "张*丰");
	vid_mask_name(S("欧阳娜娜"), out, sizeof out);
	assert_string_equal(out, "欧**娜");
	vid_mask_name(S("阿沛"
			"\xC2\xB7"
			"阿旺晋美"),
		      out, sizeof out);
	assert_string_equal(out, "阿*****美");
	vid_mask_name(S("张"), out, sizeof out);
	assert_string_equal(out, "*");
	vid_mask_name(S("José María"), out, sizeof out);
	assert_string_equal(out, "J***");
	vid_mask_name(S("E\xCC\x81mile"), out, sizeof out);
	assert_string_equal(out, "E\xCC\x81***");
	vid_mask_name(S("Élodie"), out, sizeof out);
	assert_string_equal(out, "É***");
	vid_mask_name(S("\xF0\xA0\xAE\xB7"
			"大"),
		      out, sizeof out);
	assert_string_equal(out, "\xF0\xA0\xAE\xB7"
				 "*");
	assert_int_equal(vid_mask_name(S("张\xE4\xB8"), out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(vid_mask_name(S(""), out, sizeof out), 0);
	assert_int_equal(vid_mask_name(S("张三丰"), out, 7), 0); /* "张*丰" needs 8 */
	assert_int_equal(vid_mask_name(S("张三丰"), out, 8), 7);
}

static void mask_id_phone(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(vid_mask_id(VID_DOC_RESIDENT_ID, S("11010519491231002X"), out, sizeof out), 18);
	assert_string_equal(out, "110***********002X");
	vid_mask_id(VID_DOC_FOREIGN_PERMANENT_ID, S("931840198506070012"), out, sizeof out);
	assert_string_equal(out, "931***********0012");
	vid_mask_id(VID_DOC_FOREIGN_PERMANENT_ID, S("USA310085011203"), out, sizeof out);
	assert_string_equal(out, "U************03");
	vid_mask_id(VID_DOC_PASSPORT, S("E12345678"), out, sizeof out);
	assert_string_equal(out, "E******78");
	vid_mask_id(VID_DOC_HK_MACAO_PERMIT, S("H12345678"), out, sizeof out);
	assert_string_equal(out, "H******78");
	vid_mask_id(VID_DOC_TAIWAN_PERMIT, S("12345678"), out, sizeof out);
	assert_string_equal(out, "1*****78");
	vid_mask_id(VID_DOC_PASSPORT, S("ABC"), out, sizeof out);
	assert_string_equal(out, "***");
	assert_int_equal(vid_mask_id(VID_DOC_PASSPORT, S("E12345678"), out, 9), 0);
	assert_int_equal(vid_mask_id(VID_DOC_PASSPORT, S("E1234 678"), out, sizeof out), 0);
	assert_int_equal(vid_mask_phone(S("13800138000"), out, sizeof out), 11);
	assert_string_equal(out, "138****8000");
	vid_mask_phone(S("1380013"), out, sizeof out);
	assert_string_equal(out, "*******");
}

/* ---- photo -------------------------------------------------------------- */

static void photo_real_images(void **state)
{
	int w = 0, h = 0, png = -1;

	(void)state;
	assert_int_equal(photo(tiny_png, sizeof tiny_png, &w, &h, &png), VID_OK);
	assert_int_equal(w, 3);
	assert_int_equal(h, 2);
	assert_int_equal(png, 1);
	assert_int_equal(photo(base_jpg, sizeof base_jpg, &w, &h, &png), VID_OK);
	assert_int_equal(w, 10);
	assert_int_equal(h, 7);
	assert_int_equal(png, 0);
	assert_int_equal(photo(prog_jpg, sizeof prog_jpg, &w, &h, &png), VID_OK);
	assert_int_equal(w, 12);
	assert_int_equal(h, 9);
	assert_int_equal(png, 0);
	assert_int_equal(photo(base_jpg, sizeof base_jpg, NULL, NULL, NULL), VID_OK);
}

static void photo_size_and_dimensions(void **state)
{
	int w = 0, h = 0, png = -1;

	(void)state;
	assert_int_equal(vid_photo(base_jpg, sizeof base_jpg, sizeof base_jpg - 1, 1, 4096, &w, &h, &png),
			 VID_PHOTO_SIZE);
	assert_int_equal(vid_photo(base_jpg, sizeof base_jpg, sizeof base_jpg, 1, 4096, &w, &h, &png), VID_OK);
	assert_int_equal(photo(base_jpg, 0, &w, &h, &png), VID_PHOTO_SIZE);
	assert_int_equal(photo(NULL, 10, &w, &h, &png), VID_PHOTO_SIZE);
	w = h = 0;
	assert_int_equal(vid_photo(tiny_png, sizeof tiny_png, 4096, 3, 4096, &w, &h, &png), VID_PHOTO_DIMENSIONS);
	assert_int_equal(w, 3);
	assert_int_equal(h, 2);
	assert_int_equal(vid_photo(tiny_png, sizeof tiny_png, 4096, 2, 3, &w, &h, &png), VID_OK);
	assert_int_equal(vid_photo(tiny_png, sizeof tiny_png, 4096, 1, 2, &w, &h, &png), VID_PHOTO_DIMENSIONS);
	assert_int_equal(vid_photo(base_jpg, sizeof base_jpg, 4096, 8, 4096, &w, &h, &png), VID_PHOTO_DIMENSIONS);
}

static void photo_other_types(void **state)
{
	static const uint8_t gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!";
	static const uint8_t webp[] = "RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00";
	static const uint8_t heic[] = "\x00\x00\x00\x18"
				      "ftypheic\x00\x00\x00\x00mif1heic";
	static const uint8_t bmp[] = "BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00";
	static const uint8_t html[] = "<html><img src=x onerror=alert(1)></html>";

	(void)state;
	assert_int_equal(photo(gif, sizeof gif - 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	assert_int_equal(photo(webp, sizeof webp - 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	assert_int_equal(photo(heic, sizeof heic - 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	assert_int_equal(photo(bmp, sizeof bmp - 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	assert_int_equal(photo(html, sizeof html - 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	assert_int_equal(photo(tiny_png, 4, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
}

static void photo_truncated(void **state)
{
	size_t n;
	enum vid_err e;

	(void)state;
	/* Every prefix of each image is refused, and never read past (a lone
	 * 0xFF is not recognisable as a JPEG: PHOTO_TYPE). */
	assert_int_equal(photo(base_jpg, 1, NULL, NULL, NULL), VID_PHOTO_TYPE);
	for (n = 2; n < sizeof base_jpg; n++) {
		e = photo(base_jpg, n, NULL, NULL, NULL);
		if (e != VID_PHOTO_CORRUPT)
			fail_msg("base_jpg cut at %zu: %s", n, vid_err_word(e));
	}
	for (n = 2; n < sizeof prog_jpg; n++) {
		e = photo(prog_jpg, n, NULL, NULL, NULL);
		if (e != VID_PHOTO_CORRUPT)
			fail_msg("prog_jpg cut at %zu: %s", n, vid_err_word(e));
	}
	for (n = 1; n < sizeof tiny_png; n++) {
		e = photo(tiny_png, n, NULL, NULL, NULL);
		if (e != VID_PHOTO_CORRUPT)
			fail_msg("tiny_png cut at %zu: %s", n, vid_err_word(e));
	}
}

static void photo_png_structure(void **state)
{
	uint8_t buf[256];
	static const uint8_t actl[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t text[] = "Comment\0hello";
	size_t n;

	(void)state;
	/* A damaged byte inside IDAT: the CRC catches it. */
	memcpy(buf, tiny_png, sizeof tiny_png);
	buf[50] ^= 0x01;
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* Bytes after IEND (a polyglot, a hidden archive). */
	memcpy(buf, tiny_png, sizeof tiny_png);
	memcpy(buf + sizeof tiny_png, "PK\x03\x04", 4);
	assert_int_equal(photo(buf, sizeof tiny_png + 4, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* An ancillary chunk is fine, an animation control chunk is not a photo. */
	n = png_with_chunk(buf, "tEXt", text, sizeof text - 1);
	assert_int_equal(photo(buf, n, NULL, NULL, NULL), VID_OK);
	n = png_with_chunk(buf, "acTL", actl, sizeof actl);
	assert_int_equal(photo(buf, n, NULL, NULL, NULL), VID_PHOTO_TYPE);
	/* An unknown critical chunk, a second IHDR. */
	n = png_with_chunk(buf, "ZZZZ", actl, sizeof actl);
	assert_int_equal(photo(buf, n, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	n = png_with_chunk(buf, "IHDR", tiny_png + 16, 13);
	assert_int_equal(photo(buf, n, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* A chunk length past the end. */
	memcpy(buf, tiny_png, sizeof tiny_png);
	put_be32(buf + 33, 0x7FFFFFF0u);
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	put_be32(buf + 33, 0xFFFFFFFFu);
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* IHDR with width 0, or colour type 5, with correct CRCs. */
	memcpy(buf, tiny_png, sizeof tiny_png);
	put_be32(buf + 16, 0);
	put_be32(buf + 29, crc_bits(buf + 12, 17));
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	memcpy(buf, tiny_png, sizeof tiny_png);
	buf[25] = 5;
	put_be32(buf + 29, crc_bits(buf + 12, 17));
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* A huge declared size is a dimensions error, not an overflow. */
	memcpy(buf, tiny_png, sizeof tiny_png);
	put_be32(buf + 16, 0x7FFFFFFFu);
	put_be32(buf + 29, crc_bits(buf + 12, 17));
	assert_int_equal(photo(buf, sizeof tiny_png, NULL, NULL, NULL), VID_PHOTO_DIMENSIONS);
}

static void photo_jpeg_structure(void **state)
{
	uint8_t buf[1024];
	size_t sof = jpeg_find(0xC0), sos = jpeg_find(0xDA), n;

	(void)state;
	/* Trailing bytes after EOI are allowed (MPF secondary images). */
	memcpy(buf, base_jpg, sizeof base_jpg);
	memcpy(buf + sizeof base_jpg, "\xFF\xD8\xFF\xE1junk", 8);
	assert_int_equal(photo(buf, sizeof base_jpg + 8, NULL, NULL, NULL), VID_OK);
	/* 12-bit precision, lossless and arithmetic frames: not for browsers. */
	memcpy(buf, base_jpg, sizeof base_jpg);
	buf[sof + 4] = 12;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_TYPE);
	memcpy(buf, base_jpg, sizeof base_jpg);
	buf[sof + 1] = 0xC3;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_TYPE);
	buf[sof + 1] = 0xC9;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_TYPE);
	/* Height 0 (DNL), a frame length that disagrees with its components. */
	memcpy(buf, base_jpg, sizeof base_jpg);
	buf[sof + 5] = 0;
	buf[sof + 6] = 0;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	memcpy(buf, base_jpg, sizeof base_jpg);
	buf[sof + 9] = 3;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* A segment length running past the end. */
	memcpy(buf, base_jpg, sizeof base_jpg);
	buf[4] = 0xFF;
	buf[5] = 0xFF;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* A segment length of 0 or 1. */
	buf[4] = 0;
	buf[5] = 1;
	assert_int_equal(photo(buf, sizeof base_jpg, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* SOS before any frame header: drop the SOF segment. */
	n = 0;
	memcpy(buf, base_jpg, sof);
	n = sof;
	memcpy(buf + n, base_jpg + sof + 2 + 11, sizeof base_jpg - sof - 13);
	n += sizeof base_jpg - sof - 13;
	assert_int_equal(photo(buf, n, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* No scan at all: SOI, headers, EOI. */
	memcpy(buf, base_jpg, sos);
	buf[sos] = 0xFF;
	buf[sos + 1] = 0xD9;
	assert_int_equal(photo(buf, sos + 2, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* SOI alone, SOI and EOI, a second SOI. */
	assert_int_equal(photo((const uint8_t *)"\xFF\xD8", 2, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	assert_int_equal(photo((const uint8_t *)"\xFF\xD8\xFF\xD9", 4, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	assert_int_equal(photo((const uint8_t *)"\xFF\xD8\xFF\xD8\xFF\xD9", 6, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
	/* Garbage between segments. */
	memcpy(buf, base_jpg, 2);
	buf[2] = 0x00;
	memcpy(buf + 3, base_jpg + 2, sizeof base_jpg - 2);
	assert_int_equal(photo(buf, sizeof base_jpg + 1, NULL, NULL, NULL), VID_PHOTO_CORRUPT);
}

/* Every single-byte change of every image: no crash, no read past the end. */
static void photo_mutations(void **state)
{
	static const struct {
		const uint8_t *d;
		size_t n;
	} img[] = {
		{ tiny_png, sizeof tiny_png },
		{ base_jpg, sizeof base_jpg },
		{ prog_jpg, sizeof prog_jpg },
	};
	uint8_t buf[1024];
	size_t k, i;
	unsigned v;
	int w, h, png;

	(void)state;
	for (k = 0; k < sizeof img / sizeof img[0]; k++) {
		for (i = 0; i < img[k].n; i++) {
			for (v = 0; v < 256; v += 7) {
				enum vid_err e;
				memcpy(buf, img[k].d, img[k].n);
				buf[i] = (uint8_t)v;
				e = photo(buf, img[k].n, &w, &h, &png);
				assert_true(e == VID_OK || e == VID_PHOTO_TYPE || e == VID_PHOTO_CORRUPT ||
					    e == VID_PHOTO_DIMENSIONS);
				if (e == VID_OK)
					assert_true(w >= 1 && h >= 1 && w <= 4096 && h <= 4096);
			}
		}
	}
}

/* ---- temperature -------------------------------------------------------- */

static void temperature_text(void **state)
{
	int t = 0;

	(void)state;
	assert_int_equal(vid_temperature(S("37.3"), &t), VID_OK);
	assert_int_equal(t, 373);
	assert_int_equal(vid_temperature(S("36.5"), &t), VID_OK);
	assert_int_equal(t, 365);
	assert_int_equal(vid_temperature(S("36"), &t), VID_OK);
	assert_int_equal(t, 360);
	assert_int_equal(vid_temperature(S("36.55"), &t), VID_OK);
	assert_int_equal(t, 366);
	assert_int_equal(vid_temperature(S("37.25"), &t), VID_OK);
	assert_int_equal(t, 373);
	assert_int_equal(vid_temperature(S("37.24"), &t), VID_OK);
	assert_int_equal(t, 372);
	assert_int_equal(vid_temperature(S("036.5"), &t), VID_OK);
	assert_int_equal(t, 365);
	assert_int_equal(vid_temperature(S("34.0"), &t), VID_OK);
	assert_int_equal(t, 340);
	assert_int_equal(vid_temperature(S("43.0"), &t), VID_OK);
	assert_int_equal(t, 430);
	assert_int_equal(vid_temperature(S("43.04"), &t), VID_OK);
	assert_int_equal(t, 430);
	assert_int_equal(vid_temperature(S("43.1"), &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature(S("43.05"), &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature(S("33.9"), &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature(S("0"), &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature(S("100"), &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature(S("99999999999999999999999"), &t), VID_TEMPERATURE_RANGE);
}

static void temperature_rejects(void **state)
{
	static const char *const bad[] = {
		"abc",    "",       " 36.5",   "36.5 ",        "36 .5", "3.65e1", "365e-1", "0x24",
		"nan",    "NaN",    "inf",     "-36.5",        "+36.5", "36,5",   "36.",    ".5",
		"36.555", "36.5.1", "３６.５", "36.5\xC2\xB0", "36.5C", "1e2",
	};
	size_t k;
	int t = 12345;

	(void)state;
	for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		enum vid_err e = vid_temperature(bad[k], strlen(bad[k]), &t);
		if (e != VID_TEMPERATURE_FORMAT)
			fail_msg("\"%s\": %s", bad[k], vid_err_word(e));
	}
	assert_int_equal(vid_temperature(S("36.5\0"), &t), VID_TEMPERATURE_FORMAT);
	assert_int_equal(vid_temperature(NULL, 0, &t), VID_TEMPERATURE_FORMAT);
	assert_int_equal(t, 12345); /* untouched on error */
}

static void temperature_number(void **state)
{
	int t = 0;

	(void)state;
	assert_int_equal(vid_temperature_value(37.3, &t), VID_OK);
	assert_int_equal(t, 373);
	assert_int_equal(vid_temperature_value(36.55, &t), VID_OK);
	assert_int_equal(t, 366);
	assert_int_equal(vid_temperature_value(37.25, &t), VID_OK);
	assert_int_equal(t, 373);
	assert_int_equal(vid_temperature_value(43.0, &t), VID_OK);
	assert_int_equal(vid_temperature_value(43.1, &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature_value(-1.0, &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature_value(1e300, &t), VID_TEMPERATURE_RANGE);
	assert_int_equal(vid_temperature_value(NAN, &t), VID_TEMPERATURE_FORMAT);
	assert_int_equal(vid_temperature_value(INFINITY, &t), VID_TEMPERATURE_FORMAT);
}

/* ---- symptoms ----------------------------------------------------------- */

static void symptoms(void **state)
{
	unsigned m = 99;

	(void)state;
	assert_int_equal(vid_symptoms(S("none"), &m), VID_OK);
	assert_int_equal(m, VID_SYM_NONE);
	assert_int_equal(vid_symptoms(S("fever"), &m), VID_OK);
	assert_int_equal(m, VID_SYM_FEVER);
	assert_int_equal(vid_symptoms(S("cough, fatigue"), &m), VID_OK);
	assert_int_equal(m, VID_SYM_COUGH | VID_SYM_FATIGUE);
	assert_int_equal(vid_symptoms(S("cough,cough"), &m), VID_OK); /* a set */
	assert_int_equal(m, VID_SYM_COUGH);
	assert_int_equal(vid_symptoms(S("none,none"), &m), VID_OK);
	assert_int_equal(m, VID_SYM_NONE);
	assert_int_equal(vid_symptoms(S("fever,cough,sore_throat,fatigue,shortness_of_breath,"
					"diarrhea,loss_of_taste_or_smell"),
				      &m),
			 VID_OK);
	assert_int_equal(m, VID_SYM_ANY);
	assert_int_equal(vid_symptoms(S("none,fever"), &m), VID_SYMPTOMS_NONE_MIXED);
	assert_int_equal(m, 0);
	assert_int_equal(vid_symptoms(S("fever, none"), &m), VID_SYMPTOMS_NONE_MIXED);
	assert_int_equal(vid_symptoms(S("headache"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("Fever"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("fever,"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S(",fever"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("fever,,cough"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("fev\0er"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("fever;cough"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S(""), &m), VID_SYMPTOMS_EMPTY);
	assert_int_equal(vid_symptoms(S("   "), &m), VID_SYMPTOMS_EMPTY);
	/* Only spaces pad an item: a tab or a line end is part of it, and unknown. */
	assert_int_equal(vid_symptoms(S("  fever ,  cough  "), &m), VID_OK);
	assert_int_equal(vid_symptoms(S("fever,\tcough"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("fever\r\n"), &m), VID_SYMPTOMS_UNKNOWN);
	assert_int_equal(vid_symptoms(S("\t"), &m), VID_SYMPTOMS_UNKNOWN);
}

static void symptom_words(void **state)
{
	unsigned i, m = 0;

	(void)state;
	for (i = 0; i < VID_SYM_COUNT; i++) {
		const char *w = vid_symptom_word(i);
		unsigned one = 0;
		assert_non_null(w);
		assert_int_equal(vid_symptom_add(&one, w, strlen(w)), VID_OK);
		assert_int_equal(one, 1u << i);
	}
	assert_string_equal(vid_symptom_word(7), "none");
	assert_null(vid_symptom_word(VID_SYM_COUNT));
	/* As a JSON array is folded, word by word. */
	assert_int_equal(vid_symptom_add(&m, S("cough")), VID_OK);
	assert_int_equal(vid_symptom_add(&m, S("none")), VID_SYMPTOMS_NONE_MIXED);
	assert_int_equal(m, VID_SYM_COUGH);
	assert_int_equal(vid_symptom_add(&m, S("cough ")), VID_SYMPTOMS_UNKNOWN);
}

/* ---- travel ------------------------------------------------------------- */

static enum vid_err trip(const char *city, const char *from, const char *to, struct vid_travel *t)
{
	return vid_travel_entry(city, strlen(city), from, strlen(from), to, strlen(to), 2024, 6, 15,
				VID_TRAVEL_WINDOW_DAYS, t);
}

static void travel(void **state)
{
	struct vid_travel t;
	char city[200];
	size_t i;

	(void)state;
	assert_int_equal(trip(" 北京 ", "2024-06-01", "2024-06-10", &t), VID_OK);
	assert_string_equal(t.city, "北京");
	assert_int_equal(t.from.y, 2024);
	assert_int_equal(t.from.m, 6);
	assert_int_equal(t.from.d, 1);
	assert_int_equal(t.to_day - t.from_day, 9);
	assert_int_equal(trip("Hong Kong", "2024-06-15", "2024-06-15", &t), VID_OK);
	assert_int_equal(trip("上海", "2024-06-01", "2024-06-01", &t), VID_OK); /* today - 14 */
	assert_int_equal(trip("上海", "2024-05-31", "2024-05-31", &t), VID_TRAVEL_DATES);
	assert_int_equal(trip("上海", "2024-05-01", "2024-06-03", &t), VID_OK); /* overlaps */
	assert_int_equal(trip("上海", "2024-06-10", "2024-06-01", &t), VID_TRAVEL_DATES);
	assert_int_equal(trip("上海", "2024-06-10", "2024-06-16", &t), VID_TRAVEL_DATES);
	assert_int_equal(trip("上海", "2024-06-16", "2024-06-17", &t), VID_TRAVEL_DATES);
	assert_int_equal(trip("上海", "2024-06-31", "2024-06-31", &t), VID_TRAVEL_DATES);
	assert_int_equal(trip("上海", "2024-6-1", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("上海", "2024/06/01", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("上海", "2024-06-01T00:00", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("上海", "2024-06-01", "", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("", "2024-06-01", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("  ", "2024-06-01", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("上\n海", "2024-06-01", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	assert_int_equal(trip("上"
			      "\xE2\x80\x8B"
			      "海",
			      "2024-06-01", "2024-06-10", &t),
			 VID_TRAVEL_FORMAT);
	assert_string_equal(t.city, "");
	for (i = 0; i < 40; i++)
		memcpy(city + 3 * i, "城", 3);
	city[120] = '\0';
	assert_int_equal(trip(city, "2024-06-01", "2024-06-10", &t), VID_OK);
	memcpy(city + 120, "城", 4);
	assert_int_equal(trip(city, "2024-06-01", "2024-06-10", &t), VID_TRAVEL_FORMAT);
	/* Leap day, a window of 0 days (today only), out may be NULL. */
	assert_int_equal(vid_travel_entry(S("三亚"), S("2024-02-29"), S("2024-03-01"), 2024, 3, 10, 14, NULL), VID_OK);
	assert_int_equal(vid_travel_entry(S("三亚"), S("2023-02-29"), S("2023-03-01"), 2023, 3, 10, 14, NULL),
			 VID_TRAVEL_DATES);
	assert_int_equal(vid_travel_entry(S("三亚"), S("2024-06-15"), S("2024-06-15"), 2024, 6, 15, 0, NULL), VID_OK);
	assert_int_equal(vid_travel_entry(S("三亚"), S("2024-06-14"), S("2024-06-14"), 2024, 6, 15, 0, NULL),
			 VID_TRAVEL_DATES);
	/* Across a year end. */
	assert_int_equal(vid_travel_entry(S("哈尔滨"), S("2023-12-25"), S("2024-01-02"), 2024, 1, 5, 14, &t), VID_OK);
	assert_int_equal(t.to_day - t.from_day, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_valid),
		cmocka_unit_test(vectors_normalising),
		cmocka_unit_test(vectors_invalid),
		cmocka_unit_test(err_words_stable),
		cmocka_unit_test(dates),
		cmocka_unit_test(resident_id_codes),
		cmocka_unit_test(document_types),
		cmocka_unit_test(document_passport),
		cmocka_unit_test(document_permits),
		cmocka_unit_test(document_foreign),
		cmocka_unit_test(name_accepts),
		cmocka_unit_test(name_normalises),
		cmocka_unit_test(name_rejects_invisible),
		cmocka_unit_test(name_rejects_bad_utf8),
		cmocka_unit_test(name_rejects_shape),
		cmocka_unit_test(name_length),
		cmocka_unit_test(phone),
		cmocka_unit_test(address),
		cmocka_unit_test(mask_name),
		cmocka_unit_test(mask_id_phone),
		cmocka_unit_test(photo_real_images),
		cmocka_unit_test(photo_size_and_dimensions),
		cmocka_unit_test(photo_other_types),
		cmocka_unit_test(photo_truncated),
		cmocka_unit_test(photo_png_structure),
		cmocka_unit_test(photo_jpeg_structure),
		cmocka_unit_test(photo_mutations),
		cmocka_unit_test(temperature_text),
		cmocka_unit_test(temperature_rejects),
		cmocka_unit_test(temperature_number),
		cmocka_unit_test(symptoms),
		cmocka_unit_test(symptom_words),
		cmocka_unit_test(travel),
	};

	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
