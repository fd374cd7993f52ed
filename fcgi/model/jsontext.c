/* jsontext.c: escaped NULs in a JSON text, per member of its root object (jsontext.h). A scan of
 * the text's strings and nesting, no allocation: the parser proper (cJSON) validates the rest. */
#include "jsontext.h"
#include "cclass.h"

#include <string.h>

#define KEY_MAX 64 /* longer keys are not the names asked about */

/* The code unit of "\uXXXX" at s (len bytes from the 'u' on), or -1. */
static long unit(const char *s, size_t len)
{
	if (len < 5)
		return -1;
	long v = 0;
	for (int i = 1; i <= 4; i++) {
		int h = cc_hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

int jsontext_nul_in(const char *text, size_t len, const char *name)
{
	size_t want = strlen(name);
	int depth = 0, root_obj = 0, expect_key = 0, in_str = 0, is_key = 0, key_ok = 0, key_cut = 0, in_member = 0;
	int nul = 0; /* a NUL in the current string */
	char key[KEY_MAX];
	size_t klen = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (in_str) {
			if (ch == '"') {
				in_str = 0;
				if (is_key) {
					in_member = key_ok && klen == want && memcmp(key, name, want) == 0;
					expect_key = 0;
				}
				if (nul && in_member)
					return 1;
				continue;
			}
			int c = (unsigned char)ch;
			if (ch == '\\' && i + 1 < len) {
				char e = text[++i];
				static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
				const char *p = e != '\0' ? strchr(from, e) : NULL;
				if (e == 'u') {
					long u = unit(text + i, len - i);
					if (u == 0)
						nul = 1;
					c = u >= 0 && u < 0x80 ? (int)u : -1;
					if (u >= 0)
						i += 4;
				} else {
					c = p != NULL ? to[p - from] : -1;
				}
			}
			if (is_key && !key_cut) {
				if (c == 0)
					key_cut = 1; /* the parser's key ends here */
				else if (c < 0 || klen == KEY_MAX)
					key_ok = 0;
				else
					key[klen++] = (char)c;
			}
			continue;
		}
		switch (ch) {
		case '"':
			in_str = 1;
			nul = 0;
			is_key = depth == 1 && root_obj && expect_key;
			if (is_key) {
				klen = 0;
				key_ok = 1;
				key_cut = 0;
			}
			break;
		case '{':
		case '[':
			if (depth == 0)
				root_obj = ch == '{';
			if (++depth == 1)
				expect_key = root_obj;
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			break;
		case ',':
			if (depth == 1 && root_obj) {
				expect_key = 1;
				in_member = 0;
			}
			break;
		default: break;
		}
	}
	return 0;
}
