/* decl.c: the declaration part of a form, validated field by field (pure). */
#include "decl.h"

#include <cjson/cJSON.h>
#include <string.h>

/* A declaration's JSON body is at most 16 KiB (its route's bound). */
const struct field decl_fields[DECL__MAX] = { DECL_FIELD_ROWS(0, 16 * 1024) };

static int yes_no(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static void travel(struct call *c, const struct fval *kv, int y, int m, int d, struct decl *out)
{
	cJSON *arr = cJSON_ParseWithLength(kv->s, kv->len);
	const char *code = NULL;
	if (!cJSON_IsArray(arr)) {
		code = "TRAVEL_FORMAT";
	} else if (cJSON_GetArraySize(arr) > DECL_TRAVEL_MAX) {
		code = "TRAVEL_TOO_MANY";
	} else {
		cJSON *norm = cJSON_CreateArray();
		const cJSON *it;
		cJSON_ArrayForEach(it, arr) {
			const cJSON *city = cJSON_GetObjectItemCaseSensitive(it, "city");
			const cJSON *from = cJSON_GetObjectItemCaseSensitive(it, "from");
			const cJSON *to = cJSON_GetObjectItemCaseSensitive(it, "to");
			if (!cJSON_IsString(city) || !cJSON_IsString(from) || !cJSON_IsString(to)) {
				code = "TRAVEL_FORMAT";
				break;
			}
			struct vid_travel *vt = &out->vt[out->ntravel];
			enum vid_err e = vid_travel_entry(city->valuestring, strlen(city->valuestring),
							  from->valuestring, strlen(from->valuestring), to->valuestring,
							  strlen(to->valuestring), y, m, d, 14, vt);
			if (e != VID_OK) {
				code = vid_err_word(e);
				break;
			}
			out->travel[out->ntravel] =
			    (struct rules_travel){ vt->city, (int32_t)vt->from_day, (int32_t)vt->to_day };
			out->ntravel++;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "city", vt->city);
			cJSON_AddStringToObject(o, "from", from->valuestring);
			cJSON_AddStringToObject(o, "to", to->valuestring);
			cJSON_AddItemToArray(norm, o);
		}
		if (code == NULL) {
			char *t = cJSON_PrintUnformatted(norm);
			out->travel_json = t != NULL ? arena_strdup(c->arena, t) : NULL;
			cJSON_free(t);
			if (out->travel_json == NULL)
				code = "TRAVEL_FORMAT";
		}
		cJSON_Delete(norm);
	}
	cJSON_Delete(arr);
	if (code != NULL)
		call_field_error(c, "travel", code);
}

const char *decl_valid_symptoms(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	unsigned mask = 0;
	enum vid_err e = VID_OK;
	(void)f;
	(void)a;
	if (len > 0 && v[0] == '[') {
		cJSON *arr = cJSON_ParseWithLength(v, len);
		const cJSON *it;
		if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0 || cJSON_GetArraySize(arr) > 8) {
			e = VID_SYMPTOMS_UNKNOWN;
		} else {
			cJSON_ArrayForEach(it, arr) {
				if (!cJSON_IsString(it)) {
					e = VID_SYMPTOMS_UNKNOWN;
					break;
				}
				if ((e = vid_symptom_add(&mask, it->valuestring, strlen(it->valuestring))) != VID_OK)
					break;
			}
			if (e == VID_OK && (mask & VID_SYM_NONE) && (mask & VID_SYM_ANY))
				e = VID_SYMPTOMS_NONE_MIXED;
		}
		cJSON_Delete(arr);
	} else {
		e = vid_symptoms(v, len, &mask);
	}
	out->i = mask & RULES_SYM_ALL;
	return e != VID_OK ? vid_err_word(e) : NULL;
}

const char *decl_valid_temperature(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	int tenths = 0;
	(void)f;
	(void)a;
	enum vid_err e = vid_temperature(v, len, &tenths);
	out->i = tenths;
	return e != VID_OK ? vid_err_word(e) : NULL;
}

const char *decl_valid_yes_no(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	int yes = 0;
	(void)f;
	(void)a;
	if (strlen(v) != len || yes_no(v, &yes) != 0)
		return "NOT_A_BOOLEAN";
	out->i = yes;
	return NULL;
}

const char *decl_valid_truthful(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	int yes = 0;
	(void)f;
	(void)a;
	if (strlen(v) != len || yes_no(v, &yes) != 0 || !yes)
		return "DECLARATION_REQUIRED";
	out->i = 1;
	return NULL;
}

int decl_check(struct call *c, const struct fval *v, int y, int m, int d, struct decl *out)
{
	size_t before = c->nferr;
	memset(out, 0, sizeof *out);
	if (v[DECL_TRAVEL].present)
		travel(c, &v[DECL_TRAVEL], y, m, d, out);
	else
		out->travel_json = "[]"; /* no travel in the last 14 days */
	out->symptoms = (unsigned)v[DECL_SYMPTOMS].i;
	out->has_temperature = v[DECL_TEMPERATURE].present;
	out->temperature_tenths = (int)v[DECL_TEMPERATURE].i;
	out->contact = (int)v[DECL_CONTACT].i;
	return c->nferr > before ? -1 : 0;
}
