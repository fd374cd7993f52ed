/* fuzz_photo.c: libFuzzer target for the photo sniffer and the UTF-8 text validators of valid_id.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "photo.h"
#include "valid_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run with a crash the fuzzer records. */
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* A validator's output must be accepted again unchanged (idempotence). */
static void text_checks(const char *s, size_t n)
{
	char a[VID_ADDRESS_BUF], b[VID_ADDRESS_BUF], m[VID_NAME_BUF];
	char doc[VID_DOC_BUF], ph[VID_PHONE_BUF];
	enum vid_err e;
	unsigned mask;
	int t;

	e = vid_name(s, n, a, VID_NAME_BUF);
	CHECK((unsigned)e < VID__MAX);
	if (e == VID_OK) {
		size_t l = strlen(a);
		CHECK(l > 0 && l < VID_NAME_BUF);
		CHECK(vid_name(a, l, b, VID_NAME_BUF) == VID_OK);
		CHECK(strcmp(a, b) == 0);
		CHECK(vid_mask_name(a, l, m, sizeof m) > 0);
	} else {
		CHECK(a[0] == '\0');
	}
	(void)vid_mask_name(s, n, m, sizeof m);

	e = vid_address(s, n, a, sizeof a);
	if (e == VID_OK) {
		CHECK(vid_address(a, strlen(a), b, sizeof b) == VID_OK);
		CHECK(strcmp(a, b) == 0);
	}
	e = vid_document("resident_id", s, n, 2025, 1, 1, doc, sizeof doc);
	if (e == VID_OK)
		CHECK(strlen(doc) == 18 && vid_resident_id(doc, 18, 2025, 1, 1, doc) == VID_OK);
	(void)vid_document("passport", s, n, 2025, 1, 1, doc, sizeof doc);
	(void)vid_document("foreign_permanent_id", s, n, 2025, 1, 1, doc, sizeof doc);
	if (vid_phone(s, n, ph) == VID_OK)
		CHECK(strlen(ph) == 11 && ph[0] == '1');
	if (vid_temperature(s, n, &t) == VID_OK)
		CHECK(t >= VID_TEMP_MIN_TENTHS && t <= VID_TEMP_MAX_TENTHS);
	if (vid_symptoms(s, n, &mask) == VID_OK)
		CHECK(mask != 0 && (mask == VID_SYM_NONE || (mask & VID_SYM_NONE) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int w = -1, h = -1, png = -1;
	enum vid_err e;

	e = vid_photo(data, size, VID_PHOTO_MAX_BYTES_DEFAULT, 1, 10000, &w, &h, &png);
	CHECK(e == VID_OK || e == VID_PHOTO_TYPE || e == VID_PHOTO_SIZE || e == VID_PHOTO_CORRUPT ||
	      e == VID_PHOTO_DIMENSIONS);
	if (e == VID_OK)
		CHECK(w >= 1 && w <= 10000 && h >= 1 && h <= 10000 && (png == 0 || png == 1));
	text_checks((const char *)data, size);
	return 0;
}
