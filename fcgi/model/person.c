/* person.c: what identifies a person without revealing them (the blind index of a document), and
 * the words of a holder's relationship to it. */
#include "person.h"
#include "crypto.h"

#include <string.h>

void person_id_index(const uint8_t key[32], enum vid_doc type, const char *number, uint8_t out[32])
{
	uint8_t in[1 + VID_DOC_BUF];
	size_t n = strnlen(number, VID_DOC_MAX);
	in[0] = (uint8_t)type;
	memcpy(in + 1, number, n);
	crypto_hmac_sha256(key, 32, in, n + 1, out);
}

const char *const person_relationships[] = { "self",   "parent",  "grandparent", "child", "grandchild",
					     "spouse", "sibling", "other",       NULL };
_Static_assert(sizeof person_relationships / sizeof person_relationships[0] == PERSON_RELATIONSHIPS + 1,
	       "one word per relationship");

int person_relationship_of(const char *word)
{
	for (int i = 1; i < PERSON_RELATIONSHIPS; i++)
		if (strcmp(word, person_relationships[i]) == 0)
			return i;
	return -1;
}

const char *person_relationship_word(int role, int relationship)
{
	return role == 1 ? "self"
			 : (relationship > 0 && relationship < PERSON_RELATIONSHIPS ? person_relationships[relationship]
										    : "other");
}
