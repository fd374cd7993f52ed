/* fields.c: the field tables of the forms: name, required, raw size bound, validator, argument. */
#include "fields.h"

const struct field login_fields[LOGIN__MAX] = {
	[LOGIN_NEXT] = { "next", 0, 512, valid_next, NULL },
};
_Static_assert(sizeof login_fields / sizeof login_fields[0] == LOGIN__MAX, "login fields");

const struct field mplogin_fields[MPLOGIN__MAX] = {
	[MPLOGIN_CODE] = { "code", F_REQ, 128, valid_login_code, NULL },
};
_Static_assert(sizeof mplogin_fields / sizeof mplogin_fields[0] == MPLOGIN__MAX, "mini-program login fields");

static const struct range scale_range = { 1, 32 };
const struct field codepng_fields[CODEPNG__MAX] = {
	[CODEPNG_SCALE] = { "scale", 0, 2, valid_int, &scale_range },
};
_Static_assert(sizeof codepng_fields / sizeof codepng_fields[0] == CODEPNG__MAX, "code image fields");
