/* fuzz_place.c: libFuzzer target for place_parse (the token of /p/{token}): never crash, and
 * whatever parses is the canonical text of its bytes (a poster's re-encodes to itself; a screen's,
 * sealed again with the same fields and key, is accepted exactly when its mac was). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "place.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = { 7 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct place_token t;
	const char *text = (const char *)data;
	enum place_kind k = place_parse(text, size, &t);
	char again[PLACE_TOKEN_SIZE];
	if (k == PLACE_TOKEN_POSTER) {
		if (size != PLACE_POSTER_LEN)
			abort();
		crypto_b64url(t.poster, sizeof t.poster, again, sizeof again);
		if (memcmp(again, text, size) != 0)
			abort();
	} else if (k == PLACE_TOKEN_DISPLAY) {
		if (size != PLACE_DISPLAY_LEN || t.display_id == 0)
			abort();
		place_display_token(key, sizeof key, t.display_id, t.shown_at, again);
		int same = memcmp(again, text, size) == 0;
		if (same != place_display_mac_ok(key, sizeof key, &t))
			abort();
		(void)place_display_fresh(t.shown_at, (int64_t)t.shown_at + 60);
	} else if (k != PLACE_TOKEN_INVALID) {
		abort();
	}
	return 0;
}
