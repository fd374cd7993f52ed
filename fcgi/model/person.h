/* person.h: the bounds of what is said about a person and its blind index, shared by the
 * service and hqrctl. */
#ifndef HQR_PERSON_H
#define HQR_PERSON_H

#include <stdint.h>

#include "valid_id.h"

/* A person's public id: 22 characters of URL-safe base64 (128 random bits). */
#define PUBLIC_ID_LEN 22
/* The high-risk area list: at most this many cities, each 1..RISK_AREA_MAX_CP code points. */
#define RISK_AREAS_MAX 1000
#define RISK_AREA_MAX_CP 40

/* The blind index of a normalised document number: HMAC-SHA256 under the index key of the
 * document type's byte and the number (at most VID_DOC_MAX bytes). Applications store it and
 * officers look people up by it: there is one computation, or officers stop finding people. */
void person_id_index(const uint8_t key[32], enum vid_doc type, const char *number, uint8_t out[32]);

#endif
