/* photo.h: an ID photo judged by its bytes (PNG and JPEG structure, dimensions); pure. */
#ifndef HQR_PHOTO_H
#define HQR_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include "valid_id.h"

#define VID_PHOTO_MAX_BYTES_DEFAULT ((size_t)2 * 1024 * 1024)

/*
 * An ID photo judged by its bytes only (the declared content type and file
 * name are ignored). Accepts PNG (signature, IHDR, every chunk's bounds and
 * CRC, IDAT present, IEND last with nothing after it, not animated) and JPEG
 * as browsers decode it (SOI, segments walked with bounds, exactly one
 * 8-bit SOF0/SOF1/SOF2 frame header, a scan, EOI; bytes after EOI are allowed:
 * phones append MPF secondary images). Never reads past d[n-1].
 * Errors: PHOTO_SIZE (n == 0 or n > max_bytes), PHOTO_TYPE, PHOTO_CORRUPT,
 * PHOTO_DIMENSIONS (width or height outside min_dim..max_dim).
 * w, h, is_png may be NULL; they are set on VID_OK and on PHOTO_DIMENSIONS.
 */
enum vid_err vid_photo(const uint8_t *d, size_t n, size_t max_bytes, int min_dim, int max_dim, int *w, int *h,
		       int *is_png);

#endif
