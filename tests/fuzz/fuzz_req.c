/* fuzz_req.c: libFuzzer target for the query-string and cookie parsers and percent-decoding. */
#include "arena.h"
#include "req.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist l;
	arena_init(&a, 1u << 20);
	const char *s = (const char *)data;
	if (kv_parse_urlencoded(&a, s, size, &l) == KV_OK) {
		for (size_t i = 0; i < l.n; i++) {
			if (strlen(l.items[i].val) != l.items[i].len)
				abort();
			if (kv_get(&l, l.items[i].key) == NULL)
				abort();
		}
	}
	if (kv_parse_cookies(&a, s, size, &l) == KV_OK) {
		for (size_t i = 0; i < l.n; i++)
			if (strlen(l.items[i].val) != l.items[i].len)
				abort();
	}
	char *out = malloc(size + 1);
	if (out != NULL) {
		long n = pct_decode(s, size, out, 1);
		if (n > (long)size)
			abort();
		free(out);
	}
	arena_free(&a);
	return 0;
}
