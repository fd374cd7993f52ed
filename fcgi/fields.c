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
