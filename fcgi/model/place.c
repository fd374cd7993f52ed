/* place.c: the tokens of place codes (DESIGN §11), pure: poster tokens, door screens' rotating
 * tokens and their freshness. */
#include "place.h"
#include "cclass.h"
#include "crypto.h"

#include <string.h>

#define DISPLAY_DOMAIN "hqr-place-display-v1"

int place_poster_new(char *text)
{
	uint8_t raw[PLACE_POSTER_BYTES];
	if (crypto_random(raw, sizeof raw) != 0)
		return -1;
	crypto_b64url(raw, sizeof raw, text, PLACE_TOKEN_SIZE);
	return 0;
}

uint32_t place_window(int64_t now)
{
	if (now < 0)
		now = 0;
	return (uint32_t)(now - now % PLACE_WINDOW_S);
}

/* The display tokens' own key: HMAC(mac_key, domain), so that no other seal of the service
 * (the codes' macs) can be replayed as a door screen's. */
static void display_key(const uint8_t *mac_key, size_t klen, uint8_t key[32])
{
	crypto_hmac_sha256(mac_key, klen, DISPLAY_DOMAIN, strlen(DISPLAY_DOMAIN), key);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The mac of the first 12 bytes (display id and window start). */
static void display_mac(const uint8_t *mac_key, size_t klen, const uint8_t head[12], uint8_t mac[PLACE_MAC_LEN])
{
	uint8_t key[32], full[32];
	display_key(mac_key, klen, key);
	crypto_hmac_sha256(key, sizeof key, head, 12, full);
	memcpy(mac, full, PLACE_MAC_LEN);
	memset(key, 0, sizeof key);
}

void place_display_token(const uint8_t *mac_key, size_t klen, uint64_t display_id, uint32_t shown_at, char *text)
{
	uint8_t raw[PLACE_DISPLAY_BYTES];
	put_u64(raw, display_id);
	put_u32(raw + 8, shown_at);
	display_mac(mac_key, klen, raw, raw + 12);
	crypto_b64url(raw, sizeof raw, text, PLACE_TOKEN_SIZE);
}

enum place_kind place_parse(const char *text, size_t len, struct place_token *out)
{
	memset(out, 0, sizeof *out);
	if (text == NULL)
		return PLACE_TOKEN_INVALID;
	if (len == PLACE_POSTER_LEN && crypto_b64url_decode(text, len, out->poster, PLACE_POSTER_BYTES) == 0) {
		out->kind = PLACE_TOKEN_POSTER;
		return out->kind;
	}
	uint8_t raw[PLACE_DISPLAY_BYTES];
	if (len == PLACE_DISPLAY_LEN && crypto_b64url_decode(text, len, raw, sizeof raw) == 0) {
		uint64_t id = 0;
		uint32_t t = 0;
		for (int i = 0; i < 8; i++)
			id = (id << 8) | raw[i];
		for (int i = 8; i < 12; i++)
			t = (t << 8) | raw[i];
		if (id == 0 || id > (uint64_t)INT64_MAX)
			return PLACE_TOKEN_INVALID;
		out->kind = PLACE_TOKEN_DISPLAY;
		out->display_id = id;
		out->shown_at = t;
		memcpy(out->mac, raw + 12, PLACE_MAC_LEN);
		return out->kind;
	}
	return PLACE_TOKEN_INVALID;
}

int place_display_mac_ok(const uint8_t *mac_key, size_t klen, const struct place_token *t)
{
	if (t == NULL || t->kind != PLACE_TOKEN_DISPLAY)
		return 0;
	uint8_t head[12], mac[PLACE_MAC_LEN];
	put_u64(head, t->display_id);
	put_u32(head + 8, t->shown_at);
	display_mac(mac_key, klen, head, mac);
	return crypto_ct_equal(mac, t->mac, PLACE_MAC_LEN);
}

enum place_fresh place_display_fresh(uint32_t shown_at, int64_t now)
{
	if ((int64_t)shown_at > now + PLACE_DISPLAY_FUTURE_S)
		return PLACE_FUTURE;
	if (now - (int64_t)shown_at >= PLACE_DISPLAY_TTL_S)
		return PLACE_STALE;
	return PLACE_FRESH;
}
