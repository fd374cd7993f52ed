/* fuzz_jsontext.c: libFuzzer target for jsontext_nul_in (escaped NULs in a request's JSON): never
 * reads past the text (an exact-size copy under ASan), and finds no NUL in a text without the
 * escape "\u0000" written in it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size > 0 ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	static const char *const names[] = { "label", "persons", "direction", "visitor", "" };
	int escaped = 0;
	for (size_t i = 0; i + 6 <= size && !escaped; i++)
		escaped = memcmp(text + i, "\\u0000", 6) == 0;
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		int r = jsontext_nul_in(text, size, names[k]);
		if (r != 0 && r != 1)
			abort();
		if (r == 1 && !escaped)
			abort();
	}
	free(text);
	return 0;
}
