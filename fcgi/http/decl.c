/* decl.c: the declaration part of a form, validated field by field (pure). */
#include "decl.h"

#include <cjson/cJSON.h>
#include <string.h>

static const char *const decl_names[] = { "travel", "symptoms", "temperature", "contact", "declaration", NULL };

int decl_duplicates(struct call *c, const struct kvlist *in)
{
	for (int i = 0; decl_names[i] != NULL; i++) {
		if (kv_count(in, decl_names[i]) > 1) {
			call_field_error(c, decl_names[i], "DUPLICATE_FIELD");
			return 1;
		}
	}
	return 0;
}

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

static void travel(struct call *c, const struct kv *kv, int y, int m, int d, struct decl *out)
{
	cJSON *arr = cJSON_ParseWithLength(kv->val, kv->len);
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
			enum vid_err e = vid_travel_entry(city->valuestring, strlen(city->valuestring), from->valuestring,
							  strlen(from->valuestring), to->valuestring,
							  strlen(to->valuestring), y, m, d, 14, vt);
			if (e != VID_OK) {
				code = vid_err_word(e);
				break;
			}
			out->travel[out->ntravel] = (struct rules_travel){ vt->city, (int32_t)vt->from_day, (int32_t)vt->to_day };
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

void decl_symptoms(struct call *c, const struct kv *kv, unsigned *out)
{
	unsigned mask = 0;
	enum vid_err e = VID_OK;
	if (kv->len > 0 && kv->val[0] == '[') {
		cJSON *arr = cJSON_ParseWithLength(kv->val, kv->len);
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
		e = vid_symptoms(kv->val, kv->len, &mask);
	}
	if (e != VID_OK)
		call_field_error(c, "symptoms", vid_err_word(e));
	*out = mask & RULES_SYM_ALL;
}

int decl_validate(struct call *c, const struct kvlist *in, int y, int m, int d, struct decl *out)
{
	size_t before = c->nferr;
	memset(out, 0, sizeof *out);
	const struct kv *kv;
	if ((kv = kv_get(in, "travel")) != NULL && kv->len > 0)
		travel(c, kv, y, m, d, out);
	else
		out->travel_json = "[]"; /* no travel in the last 14 days */
	if ((kv = kv_get(in, "symptoms")) == NULL || kv->len == 0)
		call_field_error(c, "symptoms", "REQUIRED");
	else
		decl_symptoms(c, kv, &out->symptoms);
	if ((kv = kv_get(in, "temperature")) != NULL && kv->len > 0) {
		enum vid_err e = vid_temperature(kv->val, kv->len, &out->temperature_tenths);
		if (e != VID_OK)
			call_field_error(c, "temperature", vid_err_word(e));
		out->has_temperature = 1;
	}
	if ((kv = kv_get(in, "contact")) == NULL || kv->len == 0)
		call_field_error(c, "contact", "REQUIRED");
	else if (yes_no(kv->val, &out->contact) != 0)
		call_field_error(c, "contact", "NOT_A_BOOLEAN");
	int truthful = 0;
	if ((kv = kv_get(in, "declaration")) == NULL || yes_no(kv->val, &truthful) != 0 || !truthful)
		call_field_error(c, "declaration", "DECLARATION_REQUIRED");
	return c->nferr > before ? -1 : 0;
}
