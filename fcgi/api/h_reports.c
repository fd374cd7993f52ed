/* h_reports.c: a red holder's daily health report (one per person per local day) and the list. */
#include "clock.h"
#include "codes.h"
#include "conf.h"
#include "decl.h"
#include "persons.h"
#include "resp.h"
#include "routes.h"
#include "valid_id.h"

#include <cjson/cJSON.h>
#include <string.h>

static cJSON *symptom_words(unsigned mask)
{
	cJSON *a = cJSON_CreateArray();
	for (unsigned i = 0; i < RULES_SYM_COUNT; i++)
		if (mask & (1u << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(rules_symptom_word(1u << i)));
	if (cJSON_GetArraySize(a) == 0)
		cJSON_AddItemToArray(a, cJSON_CreateString("none"));
	return a;
}

static cJSON *report_json(int32_t day, unsigned symptoms, int temp)
{
	char d[DAY_BUF];
	cJSON *o = cJSON_CreateObject();
	if (!day_format(day, d))
		d[0] = '\0';
	cJSON_AddStringToObject(o, "date", d);
	cJSON_AddNumberToObject(o, "temperature", temp / 10.0);
	cJSON_AddItemToObject(o, "symptoms", symptom_words(symptoms));
	return o;
}

enum err h_report_create(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	/* The router validated the body against report_fields. */
	int temp = (int)c->f[REPORT_TEMPERATURE].i;
	unsigned symptoms = (unsigned)c->f[REPORT_SYMPTOMS].i;

	int64_t now = clock_now();
	int32_t today = clock_local_day(now);
	struct code_state code;
	struct code_status st;
	enum db_rc rc = codes_read(c->db, c->conf, r.id, now, &code, &st);
	if (rc != DB_OK)
		return persons_db_err(rc);
	if (!st.has_obs)
		return ERR_REPORT_NOT_REQUIRED;
	rc = persons_report_insert(c->db, r.id, today, c->account_id, symptoms, temp, now);
	if (rc == DB_DUP)
		return ERR_REPORT_EXISTS;
	if (rc != DB_OK)
		return persons_db_err(rc);
	/* A report with symptoms or fever restarts the observation: stored on this read. */
	rc = codes_read(c->db, c->conf, r.id, now, &code, &st);
	if (rc != DB_OK)
		return persons_db_err(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "report", report_json(today, symptoms, temp));
	cJSON_AddItemToObject(o, "code", codes_json(&code, &st, now));
	resp_json(c, 201, o);
	return ERR_OK;
}

static void add_report(const struct report_row *r, void *arg)
{
	cJSON *it = report_json(r->day, r->symptoms, r->temperature_tenths);
	cJSON_AddStringToObject(it, "filed_at", r->at);
	cJSON_AddItemToArray((cJSON *)arg, it);
}

enum err h_reports_list(struct call *c)
{
	struct person_row r;
	enum err e = persons_load(c, &r);
	if (e != ERR_OK)
		return e;
	cJSON *o = cJSON_CreateObject();
	enum db_rc rc = persons_reports(c->db, r.id, add_report, cJSON_AddArrayToObject(o, "reports"));
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return persons_db_err(rc);
	}
	resp_json(c, 200, o);
	return ERR_OK;
}
