/* fields.h: the field table of every form, indexed by an enum per form. */
#ifndef HQR_FIELDS_H
#define HQR_FIELDS_H
#include "decl.h"
#include "label.h"
#include "person.h"
#include "valid.h"
#include "valid_id.h"

enum login_field { LOGIN_NEXT, LOGIN__MAX };
enum mplogin_field { MPLOGIN_CODE, MPLOGIN__MAX };
enum codepng_field { CODEPNG_SCALE, CODEPNG__MAX };

/* An application for a code (multipart/form-data): who it is for, the person, the ID photo, an
 * optional face verification, and the declaration's fields. */
enum app_field {
	APP_FOR,
	APP_RELATIONSHIP,
	APP_NAME,
	APP_ID_TYPE,
	APP_ID_NUMBER,
	APP_PHONE,
	APP_ADDRESS,
	APP_PHOTO,
	APP_VERIFICATION_ID,
	APP_DECL, /* DECL__MAX rows from here (decl.h) */
	APP__MAX = APP_DECL + DECL__MAX
};
/* A face verification of the caller's identity (JSON): the ID number normalised by its check. */
enum verify_field { VERIFY_NAME, VERIFY_ID_TYPE, VERIFY_ID_NUMBER, VERIFY_NEXT, VERIFY__MAX };
/* A holder's daily health report (JSON). */
enum report_field { REPORT_TEMPERATURE, REPORT_SYMPTOMS, REPORT__MAX };

extern const struct field login_fields[LOGIN__MAX];
extern const struct field mplogin_fields[MPLOGIN__MAX];
extern const struct field codepng_fields[CODEPNG__MAX];
extern const struct field app_fields[APP__MAX];
extern const struct field report_fields[REPORT__MAX];
extern const struct field verify_fields[VERIFY__MAX];

/* Who a relative is to the holder: the word of struct application's relationship (0 is "self"). */

/* What the application's check (app_check) builds from its fields: c->form. */
struct application {
	int for_self;
	int relationship; /* index into person_relationships (person.h); 0 = self */
	char name[VID_NAME_BUF];
	enum vid_doc id_type;
	char id_number[VID_DOC_BUF];
	char phone[VID_PHONE_BUF];
	char address[VID_ADDRESS_BUF];
	char verification_id[PUBLIC_ID_LEN + 1]; /* "" when none */
	const uint8_t *photo;
	size_t photo_len;
	int photo_png;
	struct decl decl;
};

/* The forms' checks across fields (router.h form_check_fn): the application's (relationship for a
 * relative, the ID number against its type and today, the photo against the configuration, the
 * declaration) into a struct application; a declaration's into a struct decl. */
enum err app_check(struct call *c, struct fval *v);
enum err decl_form_check(struct call *c, struct fval *v);
/* The verification's ID number against its type and today (normalised into its value). */
enum err verify_check(struct call *c, struct fval *v);

/* A document type word (vid_doc_word): out->i its enum vid_doc; arg is the error word
 * (NOT_ALLOWED when NULL). */
const char *valid_doc_type(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out);

/* ---- the staff API (fields_admin.c) ---- */
#define ADMIN_LIST_MAX    200
#define ADMIN_OFFSET_MAX  10000000
#define TRACE_WINDOW_MAX  1440 /* minutes: one day */
#define TRACE_RANGE_MAX_S (31 * 86400)

enum cplist_field { CPLIST_LIMIT, CPLIST_OFFSET, CPLIST__MAX };
enum audit_field { AUDIT_BEFORE, AUDIT_LIMIT, AUDIT__MAX };
enum find_field { FIND_ID_TYPE, FIND_ID_NUMBER, FIND__MAX };
enum trace_field { TRACE_PERSON, TRACE_FROM, TRACE_TO, TRACE_WINDOW, TRACE__MAX };
enum checkpoint_field { CHECKPOINT_KIND, CHECKPOINT_TYPE, CHECKPOINT_NAME, CHECKPOINT_DISTRICT, CHECKPOINT__MAX };
enum resident_field { RESIDENT_PERSON_ID, RESIDENT_ID_TYPE, RESIDENT_ID_NUMBER, RESIDENT__MAX };
enum order_field { ORDER_COLOR, ORDER_REASON, ORDER_DAYS, ORDER__MAX };
enum risk_areas_field { RISK_AREAS_AREAS, RISK_AREAS__MAX };

extern const struct field cplist_fields[CPLIST__MAX];
extern const struct field audit_fields[AUDIT__MAX];
extern const struct field find_fields[FIND__MAX];
extern const struct field trace_fields[TRACE__MAX];
extern const struct field checkpoint_fields[CHECKPOINT__MAX];
extern const struct field resident_fields[RESIDENT__MAX];
extern const struct field order_fields[ORDER__MAX];
extern const struct field risk_areas_fields[RISK_AREAS__MAX];

/* What order_check builds: c->form. */
struct order {
	int color; /* RULES_COLOR_RED or RULES_COLOR_GREEN */
	char reason[REASON_BUF];
	int days; /* red only */
};

/* to after from, at most TRACE_RANGE_MAX_S apart. */
enum err trace_check(struct call *c, struct fval *v);
/* A checkpoint's type belongs to its kind (NOT_OF_KIND). */
enum err checkpoint_check(struct call *c, struct fval *v);
/* A resident is named by person_id or by id_type and id_number, not both. */
enum err resident_check(struct call *c, struct fval *v);
/* A red order needs a reason and observation_days (a JSON integer in range); a green one no days. */
enum err order_check(struct call *c, struct fval *v);

/* ---- place codes (fields_places.c; the check-in's form check is in h_places.c) ---- */
#define CHECKIN_BODY_MAX 4096 /* a check-in's body (routes.c) */
enum checkin_field { CHECKIN_PERSONS, CHECKIN_DIRECTION, CHECKIN_VISITOR, CHECKIN__MAX };
enum place_code_field { PLACE_CODE_LABEL, PLACE_CODE__MAX };
enum place_codes_field { PLACE_CODES_CHECKPOINT, PLACE_CODES_AFTER, PLACE_CODES_LIMIT, PLACE_CODES__MAX };

extern const struct field checkin_fields[CHECKIN__MAX];
extern const struct field place_code_fields[PLACE_CODE__MAX];
extern const struct field place_codes_fields[PLACE_CODES__MAX];

#endif
