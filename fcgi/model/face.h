/* face.h: the platform's real-name face check, its pure parts: the identity's cert_hash and the
 * meaning of a verify_ret. */
#ifndef HQR_FACE_H
#define HQR_FACE_H
#include <stddef.h>

#define FACE_VERIFY_ID_MAX 256
#define FACE_PASSED        10000

/* Lowercase hex SHA-256 (64 characters and a NUL into out) of
 * "cert_type=IDENTITY_CARD&cert_name=<name>&cert_no=<id_number>" with the ID's check character
 * upper-case. -1 when the text does not fit. */
int face_cert_hash(const char *name, const char *id_number, char out[65]);
/* A stable word for a verify_ret: PASSED, PARAMETER_ERROR, NO_FACE, ID_NOT_THIS_PERSON,
 * FACE_MISMATCH, CANCELLED, TIMED_OUT, FAILED. */
const char *face_ret_word(int verify_ret);

#endif
