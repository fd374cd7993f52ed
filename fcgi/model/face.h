/* face.h: the platform's real-name face check, its pure parts: the identity's cert_hash and the
 * meaning of a verify_ret. */
#ifndef HQR_FACE_H
#define HQR_FACE_H
#include <stddef.h>

#define FACE_VERIFY_ID_MAX 256

/* The platform's verify_ret numbers (PLATFORM.md), named once for the service and the simulator. */
enum face_ret {
	FACE_PASSED = 10000,             /* the only success */
	FACE_PARAMETER_ERROR = 10001,    /* unknown or expired verify_id, another openid, asked already */
	FACE_NO_FACE = 10002,            /* face features not found (the check is not finished) */
	FACE_ID_NOT_THIS_PERSON = 10003, /* the ID number does not match */
	FACE_MISMATCH = 10004,           /* the face does not match the ID's record */
	FACE_CANCELLED_FIRST = 90002,    /* 90002 to 90006: the person cancelled */
	FACE_CANCELLED_LAST = 90006,
	FACE_TIMED_OUT = 90017,
};

/* Lowercase hex SHA-256 (64 characters and a NUL into out) of
 * "cert_type=IDENTITY_CARD&cert_name=<name>&cert_no=<id_number>" with the ID's check character
 * upper-case. -1 when the text does not fit. */
int face_cert_hash(const char *name, const char *id_number, char out[65]);
/* A stable word for a verify_ret: PASSED, PARAMETER_ERROR, NO_FACE, ID_NOT_THIS_PERSON,
 * FACE_MISMATCH, CANCELLED, TIMED_OUT, FAILED. */
const char *face_ret_word(int verify_ret);

#endif
