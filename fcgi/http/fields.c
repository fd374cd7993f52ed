/* fields.c: the field tables of the forms: name, required, raw size bound, validator, argument. */
#include "fields.h"
#include "clock.h"
#include "conf.h"
#include "form.h"
#include "person.h"
#include "photo.h"

#include <stdio.h>
#include <string.h>

const struct field login_fields[LOGIN__MAX] = {
	[LOGIN_NEXT] = { "next", 0, VALID_NEXT_MAX, valid_next, NULL },
};

const struct field mplogin_fields[MPLOGIN__MAX] = {
	[MPLOGIN_CODE] = { "code", F_REQ, 128, valid_login_code, NULL },
};

static const struct range scale_range = { 1, 32 };
const struct field codepng_fields[CODEPNG__MAX] = {
	[CODEPNG_SCALE] = { "scale", 0, 2, valid_int, &scale_range },
};

/* ---- an application for a code ---- */

static const char *const app_for_words[] = { "self", "relative", NULL };

const char *valid_doc_type(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)a;
	if (strlen(v) != len || !vid_id_type_known(v))
		return f->arg != NULL ? (const char *)f->arg : "NOT_ALLOWED";
	out->i = (long long)vid_doc_from_word(v);
	out->s = v;
	out->len = len;
	return NULL;
}

static const char *valid_person_name(const struct field *f, struct arena *a, const char *v, size_t len,
				     struct fval *out)
{
	char *buf = arena_alloc(a, VID_NAME_BUF);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	enum vid_err e = vid_name(v, len, buf, VID_NAME_BUF);
	if (e != VID_OK)
		return vid_err_word(e);
	out->s = buf;
	out->len = strlen(buf);
	return NULL;
}

static const char *valid_phone(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	char *buf = arena_alloc(a, VID_PHONE_BUF);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	enum vid_err e = vid_phone(v, len, buf);
	if (e != VID_OK)
		return vid_err_word(e);
	out->s = buf;
	out->len = strlen(buf);
	return NULL;
}

static const char *valid_address(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	char *buf = arena_alloc(a, VID_ADDRESS_BUF);
	(void)f;
	if (buf == NULL)
		return "TOO_LONG";
	enum vid_err e = vid_address(v, len, buf, VID_ADDRESS_BUF);
	if (e != VID_OK)
		return vid_err_word(e);
	out->s = buf;
	out->len = strlen(buf);
	return NULL;
}

/* A face verification's public id (h_verify.c); INVALID otherwise. */
static const char *valid_verification_id(const struct field *f, struct arena *a, const char *v, size_t len,
					 struct fval *out)
{
	(void)f;
	(void)a;
	if (!public_id_ok(v, len))
		return "INVALID";
	out->s = v;
	out->len = len;
	return NULL;
}

/* Each text part is at most FORM_TEXT_MAX bytes (form.h); the photo at most the body. */
const struct field app_fields[APP__MAX] = {
	[APP_FOR] = { "for", F_REQ, FORM_TEXT_MAX, valid_enum, app_for_words },
	/* a relative's: the words after "self" (index + 1 is struct application's relationship) */
	[APP_RELATIONSHIP] = { "relationship", F_BLANK, FORM_TEXT_MAX, valid_enum, &person_relationships[1] },
	[APP_NAME] = { "name", F_REQ, FORM_TEXT_MAX, valid_person_name, NULL },
	[APP_ID_TYPE] = { "id_type", F_REQ, FORM_TEXT_MAX, valid_doc_type, NULL },
	[APP_ID_NUMBER] = { "id_number", F_REQ, FORM_TEXT_MAX, valid_raw, NULL },
	[APP_PHONE] = { "phone", F_REQ, FORM_TEXT_MAX, valid_phone, NULL },
	[APP_ADDRESS] = { "address", F_REQ, FORM_TEXT_MAX, valid_address, NULL },
	[APP_PHOTO] = { "photo", F_REQ | F_FILE, 3 * 1024 * 1024, valid_raw, "PHOTO_SIZE" },
	[APP_VERIFICATION_ID] = { "verification_id", F_BLANK, FORM_TEXT_MAX, valid_verification_id, NULL },
	DECL_FIELD_ROWS(APP_DECL, FORM_TEXT_MAX),
};

enum err app_check(struct call *c, struct fval *v)
{
	struct application *a = arena_alloc(c->arena, sizeof *a);
	if (a == NULL)
		return ERR_INTERNAL;
	memset(a, 0, sizeof *a);
	int y, m, d;
	clock_local_ymd(clock_now(), &y, &m, &d);
	a->for_self = v[APP_FOR].present && v[APP_FOR].i == 0;
	if (a->for_self) {
		/* Not asked of oneself: whatever a client sends in it is ignored, as it always was. */
		call_field_forget(c, "relationship");
	} else {
		const struct fval *r = &v[APP_RELATIONSHIP];
		a->relationship = r->present ? (int)r->i + 1 : -1;
		if (!r->present && !call_field_failed(c, "relationship"))
			call_field_error(c, "relationship", "REQUIRED");
	}
	if (v[APP_NAME].present)
		snprintf(a->name, sizeof a->name, "%s", v[APP_NAME].s);
	if (v[APP_ID_TYPE].present)
		a->id_type = (enum vid_doc)v[APP_ID_TYPE].i;
	if (v[APP_ID_NUMBER].present && v[APP_ID_TYPE].present) {
		enum vid_err e = vid_document(v[APP_ID_TYPE].s, v[APP_ID_NUMBER].s, v[APP_ID_NUMBER].len, y, m, d,
					      a->id_number, sizeof a->id_number);
		if (e != VID_OK)
			call_field_error(c, "id_number", vid_err_word(e));
	}
	if (v[APP_PHONE].present)
		snprintf(a->phone, sizeof a->phone, "%s", v[APP_PHONE].s);
	if (v[APP_ADDRESS].present)
		snprintf(a->address, sizeof a->address, "%s", v[APP_ADDRESS].s);
	if (v[APP_PHOTO].present) {
		int w, h;
		a->photo = (const uint8_t *)v[APP_PHOTO].s;
		a->photo_len = v[APP_PHOTO].len;
		enum vid_err e = vid_photo(a->photo, a->photo_len, (size_t)c->conf->photo_max_bytes,
					   c->conf->photo_min_px, c->conf->photo_max_px, &w, &h, &a->photo_png);
		if (e != VID_OK)
			call_field_error(c, "photo", vid_err_word(e));
	}
	if (v[APP_VERIFICATION_ID].present)
		memcpy(a->verification_id, v[APP_VERIFICATION_ID].s, PUBLIC_ID_LEN + 1);
	decl_check(c, &v[APP_DECL], y, m, d, &a->decl);
	c->form = a;
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* ---- a declaration (decl_fields, decl.c) and a daily report ---- */

enum err decl_form_check(struct call *c, struct fval *v)
{
	struct decl *dl = arena_alloc(c->arena, sizeof *dl);
	if (dl == NULL)
		return ERR_INTERNAL;
	int y, m, d;
	clock_local_ymd(clock_now(), &y, &m, &d);
	decl_check(c, v, y, m, d, dl);
	c->form = dl;
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

const struct field report_fields[REPORT__MAX] = {
	[REPORT_TEMPERATURE] = { "temperature", F_REQ, 4096, decl_valid_temperature, NULL },
	[REPORT_SYMPTOMS] = { "symptoms", F_REQ, 4096, decl_valid_symptoms, NULL },
};

/* ---- a face verification (JSON, 4 KiB) ---- */

/* Only a resident ID has a face record: another known type is NOT_VERIFIABLE. */
static const char *valid_verify_type(const struct field *f, struct arena *a, const char *v, size_t len,
				     struct fval *out)
{
	const char *code = valid_doc_type(f, a, v, len, out);
	if (code == NULL && out->i != (long long)VID_DOC_RESIDENT_ID)
		return "NOT_VERIFIABLE";
	return code;
}

const struct field verify_fields[VERIFY__MAX] = {
	[VERIFY_NAME] = { "name", F_REQ, 4096, valid_person_name, NULL },
	[VERIFY_ID_TYPE] = { "id_type", F_REQ, 4096, valid_verify_type, NULL },
	[VERIFY_ID_NUMBER] = { "id_number", F_REQ, 4096, valid_raw, NULL },
	[VERIFY_NEXT] = { "next", F_BLANK, VALID_NEXT_MAX, valid_next, NULL },
};

enum err verify_check(struct call *c, struct fval *v)
{
	/* The number is judged against its type and today, for any known type (also one that
	 * cannot be verified, so that both mistakes are named at once). */
	const struct kv *type = kv_get(c->inputs, "id_type");
	if (v[VERIFY_ID_NUMBER].present && type != NULL && strlen(type->val) == type->len &&
	    vid_id_type_known(type->val)) {
		char *number = arena_alloc(c->arena, VID_DOC_BUF);
		int y, m, d;
		if (number == NULL)
			return ERR_INTERNAL;
		clock_local_ymd(clock_now(), &y, &m, &d);
		enum vid_err e = vid_document(type->val, v[VERIFY_ID_NUMBER].s, v[VERIFY_ID_NUMBER].len, y, m, d,
					      number, VID_DOC_BUF);
		if (e != VID_OK) {
			call_field_error(c, "id_number", vid_err_word(e));
			v[VERIFY_ID_NUMBER].present = 0;
		} else {
			v[VERIFY_ID_NUMBER].s = number;
			v[VERIFY_ID_NUMBER].len = strlen(number);
		}
	}
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}
