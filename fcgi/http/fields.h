/* fields.h: the field table of every form, indexed by an enum per form. */
#ifndef HQR_FIELDS_H
#define HQR_FIELDS_H
#include "valid.h"

enum login_field { LOGIN_NEXT, LOGIN__MAX };
enum mplogin_field { MPLOGIN_CODE, MPLOGIN__MAX };
enum codepng_field { CODEPNG_SCALE, CODEPNG__MAX };

extern const struct field login_fields[LOGIN__MAX];
extern const struct field mplogin_fields[MPLOGIN__MAX];
extern const struct field codepng_fields[CODEPNG__MAX];

/* Validators that belong to one form (pure). */
const char *valid_next(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
const char *valid_login_code(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);
int login_next_ok(const char *next);

#endif
