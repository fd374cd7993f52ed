/* face.c: the platform's real-name face check, its pure parts: cert_hash and verify_ret words. */
#include "face.h"

#include "crypto.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int face_cert_hash(const char *name, const char *id_number, char out[65])
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "cert_type=IDENTITY_CARD&cert_name=%s&cert_no=%s", name, id_number);
	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	if (n > 0 && buf[n - 1] == 'x')
		buf[n - 1] = 'X';
	uint8_t h[32];
	crypto_sha256(buf, (size_t)n, h);
	crypto_hex(h, sizeof h, out);
	return 0;
}

const char *face_ret_word(int r)
{
	if (r == FACE_PASSED)
		return "PASSED";
	if (r == FACE_PARAMETER_ERROR)
		return "PARAMETER_ERROR";
	if (r == FACE_NO_FACE)
		return "NO_FACE";
	if (r == FACE_ID_NOT_THIS_PERSON)
		return "ID_NOT_THIS_PERSON";
	if (r == FACE_MISMATCH)
		return "FACE_MISMATCH";
	if (r >= FACE_CANCELLED_FIRST && r <= FACE_CANCELLED_LAST)
		return "CANCELLED";
	if (r == FACE_TIMED_OUT)
		return "TIMED_OUT";
	return "FAILED";
}
