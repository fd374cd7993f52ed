/* test_fields_lists.c: unit tests of the JSON list fields (valid.c's JSON_LIST) through the tables
 * that hold them: a check-in's persons (fields_places.c), the risk areas (fields_admin.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fields.h"
#include "person.h"
#include "req.h"
#include "valid.h"
#include "verdict.h"

#include "unit_arena.h"

static int reset(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

/* The body last judged: the values point into it. */
static cJSON *held;

/* Judges the JSON text by a table as the router does (the text as the call's body). */
static enum err judge(struct call *c, const struct field *t, size_t n, const char *text, struct fval *out)
{
	memset(c, 0, sizeof *c);
	c->arena = &arena;
	cJSON_Delete(held);
	held = cJSON_Parse(text);
	assert_non_null(held);
	c->json = held;
	c->body = arena_strdup(&arena, text);
	c->body_len = strlen(text);
	return fields_validate_json(c, t, n, held, out);
}

/* The call's failures as "field=CODE field=CODE", in the order recorded. */
static const char *failures(const struct call *c)
{
	static char buf[512];
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->nferr; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s=%s", i > 0 ? " " : "", c->ferr[i].field,
				      c->ferr[i].code);
	return buf;
}

/* A person's public id: PUBLIC_ID_LEN characters of base64url, told apart by its last one. */
static const char *pid(char last)
{
	static char ids[4][PUBLIC_ID_LEN + 1];
	static int next;
	char *p = ids[next++ % 4];
	memset(p, 'A', PUBLIC_ID_LEN);
	p[PUBLIC_ID_LEN - 1] = last;
	p[PUBLIC_ID_LEN] = '\0';
	return p;
}

static void expect(const struct field *t, size_t n, const char *text, const char *want)
{
	struct call c;
	struct fval out[4];
	enum err e = judge(&c, t, n, text, out);
	if (strcmp(failures(&c), want) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", text, failures(&c), want);
	assert_int_equal(e, want[0] != '\0' ? ERR_VALIDATION : ERR_OK);
}

static void test_checkin(void **state)
{
	struct call c;
	struct fval out[CHECKIN__MAX];
	char text[512];
	(void)state;
	const char *a = pid('a'), *b = pid('b');
	snprintf(text, sizeof text,
		 "{\"persons\":[\"%s\",\"%s\"],\"direction\":\"out\","
		 "\"visitor\":{\"purpose\":\"探亲\",\"host\":\"王五\"}}",
		 a, b);
	assert_int_equal(judge(&c, checkin_fields, CHECKIN__MAX, text, out), ERR_OK);
	assert_int_equal(out[CHECKIN_PERSONS].i, 2);
	assert_int_equal(out[CHECKIN_DIRECTION].i, VERDICT_DIR_OUT);
	assert_true(out[CHECKIN_VISITOR].present);
	assert_non_null(strstr(out[CHECKIN_VISITOR].s, "\"purpose\":\"探亲\""));
	/* A visitor left out or null is none. */
	snprintf(text, sizeof text, "{\"persons\":[\"%s\"],\"direction\":\"in\",\"visitor\":null}", a);
	assert_int_equal(judge(&c, checkin_fields, CHECKIN__MAX, text, out), ERR_OK);
	assert_false(out[CHECKIN_VISITOR].present);

	const struct field *t = checkin_fields;
	expect(t, CHECKIN__MAX, "{}", "persons=REQUIRED direction=REQUIRED");
	expect(t, CHECKIN__MAX, "{\"persons\":[],\"direction\":\"sideways\"}",
	       "persons=NOT_A_LIST direction=NOT_ALLOWED");
	expect(t, CHECKIN__MAX, "{\"persons\":null,\"direction\":\"in\"}", "persons=NOT_A_LIST");
	expect(t, CHECKIN__MAX, "{\"persons\":\"x\",\"direction\":1}", "persons=NOT_A_LIST direction=REQUIRED");
	expect(t, CHECKIN__MAX, "{\"persons\":{},\"direction\":\"\"}", "persons=NOT_A_LIST direction=NOT_ALLOWED");
	snprintf(text, sizeof text, "{\"persons\":[\"%s\",7,\"../etc\",\"%s\",\"%s\",\"%s\"],\"direction\":\"in\"}", a,
		 b, a, b);
	expect(t, CHECKIN__MAX, text,
	       "persons[1]=NOT_A_PERSON_ID persons[2]=NOT_A_PERSON_ID persons[4]=DUPLICATE_PERSON "
	       "persons[5]=DUPLICATE_PERSON");
	/* A refused item is no earlier one to repeat. */
	expect(t, CHECKIN__MAX, "{\"persons\":[\"x\",\"x\"],\"direction\":\"in\"}",
	       "persons[0]=NOT_A_PERSON_ID persons[1]=NOT_A_PERSON_ID");
	size_t k = (size_t)snprintf(text, sizeof text, "{\"direction\":\"in\",\"persons\":[");
	for (int i = 0; i < 17; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "%s\"%s\"", i > 0 ? "," : "", pid((char)('a' + i)));
	snprintf(text + k, sizeof text - k, "]}");
	expect(t, CHECKIN__MAX, text, "persons=TOO_MANY");
	expect(t, CHECKIN__MAX, "{\"persons\":[\"x\"],\"direction\":\"in\",\"visitor\":\"yes\"}",
	       "persons[0]=NOT_A_PERSON_ID visitor=VISITOR_REGISTRATION_INVALID");
	/* A NUL anywhere in a member is its field's, before the list is judged. */
	snprintf(text, sizeof text, "{\"persons\":[\"%s\\u0000tail\",7],\"direction\":\"in\\u0000out\"}", a);
	expect(t, CHECKIN__MAX, text, "persons=INVALID_CHARACTERS direction=INVALID_CHARACTERS");
	cJSON_Delete(held);
	held = NULL;
}

static void test_risk_areas(void **state)
{
	(void)state;
	const struct field *t = risk_areas_fields;
	expect(t, RISK_AREAS__MAX, "{\"areas\":[]}", "");
	expect(t, RISK_AREAS__MAX, "{\"areas\":[\"武汉\",\"武汉\"]}", ""); /* repeats are the handler's to fold */
	expect(t, RISK_AREAS__MAX, "{}", "areas=REQUIRED");
	expect(t, RISK_AREAS__MAX, "{\"areas\":null}", "areas=NOT_A_LIST");
	expect(t, RISK_AREAS__MAX, "{\"areas\":\"武汉\"}", "areas=NOT_A_LIST");
	expect(t, RISK_AREAS__MAX, "{\"areas\":[\"武汉\",\"\",\" 武汉\",\"武汉\\t\",1,\"a\\u200bb\"]}",
	       "areas[1]=REQUIRED areas[2]=INVALID areas[3]=INVALID areas[4]=NOT_A_STRING areas[5]=INVALID");
	char text[128];
	snprintf(text, sizeof text, "{\"areas\":[\"%0*d\",\"%0*d\"]}", RISK_AREA_MAX_CP, 0, RISK_AREA_MAX_CP + 1, 0);
	expect(t, RISK_AREAS__MAX, text, "areas[1]=TOO_LONG");
	size_t n = (size_t)RISK_AREAS_MAX * 4 + 32, k;
	char *many = arena_alloc(&arena, n);
	assert_non_null(many);
	k = (size_t)snprintf(many, n, "{\"areas\":[");
	for (int i = 0; i <= RISK_AREAS_MAX; i++)
		k += (size_t)snprintf(many + k, n - k, "%s\"x\"", i > 0 ? "," : "");
	snprintf(many + k, n - k, "]}");
	expect(t, RISK_AREAS__MAX, many, "areas=TOO_MANY");
	cJSON_Delete(held);
	held = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_checkin, reset),
		cmocka_unit_test_teardown(test_risk_areas, reset),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
