/* person.h: the bounds of what is said about a person and its blind index, shared by the
 * service and hqrctl. */
#ifndef HQR_PERSON_H
#define HQR_PERSON_H

#include <stdint.h>

#include "valid_id.h"

/* A person's public id: 22 characters of URL-safe base64 (128 random bits). */
#define PUBLIC_ID_LEN    22
/* The high-risk area list: at most this many cities, each 1..RISK_AREA_MAX_CP code points. */
#define RISK_AREAS_MAX   1000
#define RISK_AREA_MAX_CP 40

/* The blind index of a normalised document number: HMAC-SHA256 under the index key of the
 * document type's byte and the number (at most VID_DOC_MAX bytes). Applications store it and
 * officers look people up by it: there is one computation, or officers stop finding people. */
void person_id_index(const uint8_t key[32], enum vid_doc type, const char *number, uint8_t out[32]);

/* A holder's relationship to a person: 1 parent ... 7 other (0 is self, a holder's role 1). */
#define PERSON_RELATIONSHIPS 8
/* Their words by number, "self" first, NULL-terminated (a valid_enum word list from index 1). */
extern const char *const person_relationships[];
/* The relationship a word names (1..7), or -1 ("self" is no relationship a relative has). */
int person_relationship_of(const char *word);
/* "self", "parent", ... for a holder's role (1 self) and relationship; "other" when unknown. */
const char *person_relationship_word(int role, int relationship);

#endif
