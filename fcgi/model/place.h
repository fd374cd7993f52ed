/* place.h: the tokens of place codes (DESIGN §11), pure: a poster's random token and a door
 * screen's token that changes every PLACE_WINDOW_S seconds, sealed with a mac. */
#ifndef HQR_PLACE_H
#define HQR_PLACE_H
#include <stddef.h>
#include <stdint.h>

#define PLACE_POSTER_BYTES     16  /* a poster's token: 128 random bits */
#define PLACE_POSTER_LEN       22  /* its base64url text */
#define PLACE_DISPLAY_BYTES    28  /* display id(8) | window start(4) | mac(16) */
#define PLACE_DISPLAY_LEN      38  /* its base64url text */
#define PLACE_TOKEN_SIZE       40  /* a buffer for either text and its NUL */
#define PLACE_WINDOW_S         30  /* a door screen shows a new token this often */
#define PLACE_DISPLAY_TTL_S    120 /* and refuses each one this long after it was first shown */
#define PLACE_DISPLAY_FUTURE_S 30  /* a token from a screen whose clock runs ahead */
#define PLACE_MAC_LEN          16

enum place_kind { PLACE_TOKEN_INVALID = 0, PLACE_TOKEN_POSTER, PLACE_TOKEN_DISPLAY };

/* A parsed token of the path /p/{token}. */
struct place_token {
	enum place_kind kind;
	uint8_t poster[PLACE_POSTER_BYTES]; /* POSTER: the random bytes (stored as SHA-256 of the text) */
	uint64_t display_id;                /* DISPLAY: which screen */
	uint32_t shown_at;                  /* DISPLAY: unix seconds its window began */
	uint8_t mac[PLACE_MAC_LEN];
};

enum place_fresh { PLACE_FRESH = 0, PLACE_STALE, PLACE_FUTURE };

/* A fresh poster token: PLACE_POSTER_LEN characters of base64url and a NUL into text
 * (PLACE_TOKEN_SIZE bytes). 0, or -1 when the random source fails. */
int place_poster_new(char *text);

/* The start of the window holding unix time now (a multiple of PLACE_WINDOW_S). */
uint32_t place_window(int64_t now);

/* The door screen's token of display id for the window starting at shown_at, sealed with
 * HMAC-SHA256 under a key derived from mac_key (the service's mac key, for this use alone);
 * text gets PLACE_DISPLAY_LEN characters and a NUL (PLACE_TOKEN_SIZE bytes). */
void place_display_token(const uint8_t *mac_key, size_t klen, uint64_t display_id, uint32_t shown_at, char *text);

/* Reads text[0..len) (base64url, no padding): a poster's token by its length, or a display's
 * (its mac is not checked here). Returns the kind; PLACE_TOKEN_INVALID for anything else. */
enum place_kind place_parse(const char *text, size_t len, struct place_token *out);

/* 1 when a parsed display token's mac is right under mac_key, else 0. */
int place_display_mac_ok(const uint8_t *mac_key, size_t klen, const struct place_token *t);

/* Whether a display token shown at shown_at is still taken at now: STALE once
 * PLACE_DISPLAY_TTL_S have passed since it was first shown, FUTURE when its window starts more
 * than PLACE_DISPLAY_FUTURE_S after now. */
enum place_fresh place_display_fresh(uint32_t shown_at, int64_t now);

#endif
