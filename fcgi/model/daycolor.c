/* daycolor.c: the colour of the day: the moving border around a phone code (pure). */
#include "daycolor.h"

#include "crypto.h"

#include <stdio.h>

/* Hues are drawn from 265 degrees: 20-89 (orange, yellow) and 150-344 (teal, blue, purple,
 * magenta), leaving out the reds and greens of the codes themselves. A day moves on from the
 * one before by 110 steps plus a keyed jitter below 45, so two days in a row are at least 66
 * steps apart, and a step is never shorter in hue than in this scale. */
#define SPAN   265
#define STEP   110
#define JITTER 45

static uint32_t keyed(const uint8_t *key, size_t klen, const char *what, int32_t day)
{
	char msg[48];
	int n = snprintf(msg, sizeof msg, "day-color|%s|%ld", what, (long)day);
	uint8_t mac[32];
	crypto_hmac_sha256(key, klen, msg, (size_t)n, mac);
	return (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 | (uint32_t)mac[2] << 8 | mac[3];
}

int daycolor_hue(const uint8_t *key, size_t klen, int32_t day)
{
	uint32_t base = keyed(key, klen, "base", 0) % SPAN;
	int64_t d = (int64_t)day + 1000000; /* keeps the sum positive for any day of this era */
	uint32_t h = (uint32_t)((base + (uint64_t)d * STEP + keyed(key, klen, "day", day) % JITTER) % SPAN);
	return h < 70 ? 20 + (int)h : 150 + (int)(h - 70);
}

/* HSL (saturation 85 %, lightness 40 %) to RGB, in integer thousandths. */
void daycolor(const uint8_t *key, size_t klen, int32_t day, char out[DAYCOLOR_BUF])
{
	int hue = daycolor_hue(key, klen, day);
	const int s = 850, l = 400;
	int c = (1000 - (2 * l - 1000 < 0 ? 1000 - 2 * l : 2 * l - 1000)) * s / 1000;
	int hp = hue % 120; /* position within a pair of sextants, in degrees */
	int x = c * (60 - (hp > 60 ? hp - 60 : 60 - hp)) / 60;
	int m = l - c / 2;
	int r = 0, g = 0, b = 0;
	switch (hue / 60) {
	case 0:
		r = c;
		g = x;
		break;
	case 1:
		r = x;
		g = c;
		break;
	case 2:
		g = c;
		b = x;
		break;
	case 3:
		g = x;
		b = c;
		break;
	case 4:
		r = x;
		b = c;
		break;
	default:
		r = c;
		b = x;
		break;
	}
	snprintf(out, DAYCOLOR_BUF, "#%02x%02x%02x", (r + m) * 255 / 1000, (g + m) * 255 / 1000, (b + m) * 255 / 1000);
}
