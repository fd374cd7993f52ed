/* jsontext.h: what a parsed JSON tree does not tell: whether a member's strings held an escaped
 * NUL. cJSON decodes "\u0000" into a NUL byte and so cuts the string there: "京B\u0000…" would
 * read as "京B", accepted instead of refused. */
#ifndef HQR_JSONTEXT_H
#define HQR_JSONTEXT_H
#include <stddef.h>

/* 1 when the root object's member named name (its key as the parser reads it: "\u006cabel" and
 * "label\u0000x" are "label") holds "\u0000" in its key or in any string of its value; 0 otherwise, also for text that is not
 * an object or not JSON at all (the parser refuses that). Reads text[0..len) only. */
int jsontext_nul_in(const char *text, size_t len, const char *name);

#endif
