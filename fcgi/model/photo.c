/* photo.c: an ID photo judged by its bytes (PNG and JPEG structure, dimensions); pure. */
#include "photo.h"
#include "cclass.h"

#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* CRC-32 (ISO-HDLC, as in PNG), four bits at a time. */
static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
		0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
	};
	uint32_t c = 0xFFFFFFFFu;
	size_t i;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return c ^ 0xFFFFFFFFu;
}

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };

static int png_depth_ok(unsigned ct, unsigned bd)
{
	switch (ct) {
	case 0: return bd == 1 || bd == 2 || bd == 4 || bd == 8 || bd == 16;
	case 3: return bd == 1 || bd == 2 || bd == 4 || bd == 8;
	case 2:
	case 4:
	case 6: return bd == 8 || bd == 16;
	default: return 0;
	}
}

static enum vid_err photo_png(const uint8_t *d, size_t n, uint32_t *w, uint32_t *h)
{
	size_t pos = 8;
	int seen_ihdr = 0, seen_plte = 0, seen_idat = 0, idat_done = 0;
	unsigned ct = 0;

	for (;;) {
		uint32_t len;
		const uint8_t *type, *data;

		if (n - pos < 12)
			return VID_PHOTO_CORRUPT; /* truncated, or no IEND */
		len = be32(d + pos);
		if (len > 0x7FFFFFFFu || len > n - pos - 12)
			return VID_PHOTO_CORRUPT;
		type = d + pos + 4;
		data = d + pos + 8;
		if (!cc_all((const char *)type, 4, cc_alpha))
			return VID_PHOTO_CORRUPT;
		if (crc32_png(type, (size_t)len + 4) != be32(data + len))
			return VID_PHOTO_CORRUPT;
		if (!seen_ihdr && memcmp(type, "IHDR", 4) != 0)
			return VID_PHOTO_CORRUPT; /* IHDR must come first */
		if (seen_idat && memcmp(type, "IDAT", 4) != 0)
			idat_done = 1;
		if (memcmp(type, "IHDR", 4) == 0) {
			if (seen_ihdr || len != 13)
				return VID_PHOTO_CORRUPT;
			*w = be32(data);
			*h = be32(data + 4);
			ct = data[9];
			if (*w == 0 || *h == 0 || *w > 0x7FFFFFFFu || *h > 0x7FFFFFFFu || !png_depth_ok(ct, data[8]) ||
			    data[10] != 0 || data[11] != 0 || data[12] > 1)
				return VID_PHOTO_CORRUPT;
			seen_ihdr = 1;
		} else if (memcmp(type, "PLTE", 4) == 0) {
			if (seen_idat || seen_plte || len == 0 || len % 3 != 0 || len > 768 || ct == 0 || ct == 4)
				return VID_PHOTO_CORRUPT;
			seen_plte = 1;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			if (idat_done || (ct == 3 && !seen_plte))
				return VID_PHOTO_CORRUPT;
			seen_idat = 1;
		} else if (memcmp(type, "IEND", 4) == 0) {
			if (len != 0 || !seen_idat)
				return VID_PHOTO_CORRUPT;
			/* Nothing may follow IEND: no polyglots, no hidden payloads. */
			return pos + 12 == n ? VID_OK : VID_PHOTO_CORRUPT;
		} else if (memcmp(type, "acTL", 4) == 0) {
			return VID_PHOTO_TYPE; /* animated PNG: not a photo */
		} else if (cc_upper(type[0])) {
			return VID_PHOTO_CORRUPT; /* unknown critical chunk */
		}
		pos += (size_t)len + 12;
	}
}

/* Markers a browser's libjpeg reads and skips before and between scans. */
static int jpeg_skippable(unsigned m)
{
	return (m >= 0xE0 && m <= 0xEF) ||                         /* APPn */
	       m == 0xFE ||                                        /* COM */
	       m == 0xDB || m == 0xC4 || m == 0xDD || m == 0xCC || /* DQT DHT DRI DAC */
	       m == 0xDC;                                          /* DNL */
}

static enum vid_err photo_jpeg(const uint8_t *d, size_t n, uint32_t *w, uint32_t *h)
{
	size_t pos = 2;
	int seen_sof = 0, seen_sos = 0;

	for (;;) {
		unsigned m, seg_len;
		const uint8_t *seg;

		if (pos >= n || d[pos] != 0xFF)
			return VID_PHOTO_CORRUPT; /* truncated, or garbage */
		while (pos < n && d[pos] == 0xFF)
			pos++; /* fill bytes */
		if (pos >= n)
			return VID_PHOTO_CORRUPT;
		m = d[pos++];
		if (m == 0xD9) /* EOI */
			return seen_sos ? VID_OK : VID_PHOTO_CORRUPT;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* TEM, stray RSTn: no length */
		if (m == 0x00 || m == 0xD8)
			return VID_PHOTO_CORRUPT;
		if (n - pos < 2)
			return VID_PHOTO_CORRUPT;
		seg_len = be16(d + pos);
		if (seg_len < 2 || seg_len > n - pos)
			return VID_PHOTO_CORRUPT;
		seg = d + pos + 2;
		seg_len -= 2;
		if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
			unsigned nf, k;
			if (seen_sof || seg_len < 6)
				return VID_PHOTO_CORRUPT;
			if (seg[0] != 8)
				return VID_PHOTO_TYPE; /* 12-bit: browsers do not decode it */
			*h = be16(seg + 1);
			*w = be16(seg + 3);
			nf = seg[5];
			if (*h == 0 || *w == 0 || nf < 1 || nf > 4 || seg_len != 6 + 3 * nf)
				return VID_PHOTO_CORRUPT;
			for (k = 0; k < nf; k++) {
				unsigned hs = seg[6 + 3 * k + 1] >> 4, vs = seg[6 + 3 * k + 1] & 15;
				if (hs < 1 || hs > 4 || vs < 1 || vs > 4 || seg[6 + 3 * k + 2] > 3)
					return VID_PHOTO_CORRUPT;
			}
			seen_sof = 1;
		} else if (m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			/* Lossless, hierarchical and arithmetic-coded frames. */
			return seen_sof ? VID_PHOTO_CORRUPT : VID_PHOTO_TYPE;
		} else if (m == 0xDA) { /* SOS */
			unsigned ns;
			size_t p;
			if (!seen_sof || seg_len < 1)
				return VID_PHOTO_CORRUPT;
			ns = seg[0];
			if (ns < 1 || ns > 4 || seg_len != 1 + 2 * ns + 3)
				return VID_PHOTO_CORRUPT;
			/* Entropy-coded data up to the next marker that is not
			 * a stuffed 0xFF00 or a restart marker. */
			p = pos + 2 + seg_len;
			for (;;) {
				const uint8_t *ff = p < n ? memchr(d + p, 0xFF, n - p) : NULL;
				unsigned nb;
				if (ff == NULL)
					return VID_PHOTO_CORRUPT; /* truncated scan */
				p = (size_t)(ff - d);
				while (p < n && d[p] == 0xFF)
					p++;
				if (p >= n)
					return VID_PHOTO_CORRUPT;
				nb = d[p];
				if (nb == 0x00 || (nb >= 0xD0 && nb <= 0xD7)) {
					p++;
					continue;
				}
				break;
			}
			seen_sos = 1;
			if (d[p] == 0xD9)
				return VID_OK; /* EOI; bytes after it are allowed (MPF) */
			pos = p - 1;           /* at the 0xFF before the marker */
			continue;
		} else if (!jpeg_skippable(m)) {
			return VID_PHOTO_CORRUPT;
		}
		pos += 2 + seg_len;
	}
}

enum vid_err vid_photo(const uint8_t *d, size_t n, size_t max_bytes, int min_dim, int max_dim, int *w, int *h,
		       int *is_png)
{
	uint32_t pw = 0, ph = 0;
	enum vid_err e;
	int png;

	if (d == NULL || n == 0 || n > max_bytes)
		return VID_PHOTO_SIZE;
	if (n >= 8 && memcmp(d, png_sig, 8) == 0) {
		png = 1;
		e = photo_png(d, n, &pw, &ph);
	} else if (n < 8 && memcmp(d, png_sig, n) == 0) {
		return VID_PHOTO_CORRUPT; /* a cut PNG signature */
	} else if (n >= 2 && d[0] == 0xFF && d[1] == 0xD8) {
		png = 0;
		e = n >= 3 && d[2] == 0xFF ? photo_jpeg(d, n, &pw, &ph) : VID_PHOTO_CORRUPT;
	} else {
		return VID_PHOTO_TYPE;
	}
	if (e != VID_OK)
		return e;
	if (w != NULL)
		*w = (int)pw;
	if (h != NULL)
		*h = (int)ph;
	if (is_png != NULL)
		*is_png = png;
	if (min_dim < 0)
		min_dim = 0;
	if ((long long)pw < min_dim || (long long)ph < min_dim || (long long)pw > max_dim || (long long)ph > max_dim)
		return VID_PHOTO_DIMENSIONS;
	return VID_OK;
}
