/* test_decl.c: unit tests of decl.c through its field table, as the router runs it (fields_validate on
 * decl_fields, then decl_check): travel list, symptoms (JSON array or comma list), temperature,
 * contact, declaration, duplicates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "decl.h"
#include "req.h"
#include "rules.h"
#include "valid.h"

/* "Today" is pinned: 2026-11-27, so the travel window is 2026-11-13 .. 2026-11-27. */
#define TY 2026
#define TM 11
#define TD 27

#define WUHAN_TRIP "[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]"

#include "unit_arena.h"

static int reset(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

/* A call built by hand, the form's fields, and what the table and decl_check made of them. */
struct dcase {
	struct call c;
	struct kvlist in;
	struct decl d;
	int rc;
};

static struct dcase *dcase_new(void)
{
	struct dcase *v = calloc(1, sizeof *v);
	assert_non_null(v);
	v->c.arena = &arena;
	v->c.content_length = -1;
	return v;
}

/* Adds key=val (a string literal or one that outlives the case). */
static void add(struct dcase *v, const char *key, const char *val)
{
	assert_true(v->in.n < REQ_PAIRS_MAX);
	v->in.items[v->in.n++] = (struct kv){ key, val, strlen(val) };
}

/* A form that is valid but for the fields the test then overrides (added after, so the
 * test's value is the one a later kv_get finds only when the default is skipped). */
static void add_valid_except(struct dcase *v, const char *skip)
{
	static const char *const keys[] = { "travel", "symptoms", "temperature", "contact", "declaration" };
	static const char *const vals[] = { WUHAN_TRIP, "[\"none\"]", "36.5", "no", "true" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (skip == NULL || strstr(skip, keys[i]) == NULL)
			add(v, keys[i], vals[i]);
}

/* The router's steps for a declaration's body (router.c, decl_form_check) on the pinned day:
 * the table's checks of each field, then the rules across them unless a field came twice. */
static int run(struct dcase *v)
{
	struct fval f[DECL__MAX];
	size_t before = v->c.nferr; /* the failures of a form's other fields */
	enum err e = fields_validate(&v->c, decl_fields, DECL__MAX, &v->in, f);
	if (e != ERR_DUPLICATE_FIELD)
		decl_check(&v->c, f, TY, TM, TD, &v->d);
	v->rc = v->c.nferr > before ? -1 : 0;
	return v->rc;
}

/* Whether the table refuses the inputs as a field given twice. */
static int duplicated(struct dcase *v)
{
	struct fval f[DECL__MAX];
	return fields_validate(&v->c, decl_fields, DECL__MAX, &v->in, f) == ERR_DUPLICATE_FIELD;
}

static void assert_ferr(const struct call *c, size_t i, const char *field, const char *code)
{
	if (i >= c->nferr)
		fail_msg("expected error %zu (%s %s), only %zu recorded", i, field, code, c->nferr);
	if (strcmp(c->ferr[i].field, field) != 0 || strcmp(c->ferr[i].code, code) != 0)
		fail_msg("error %zu is %s %s, expected %s %s", i, c->ferr[i].field, c->ferr[i].code, field, code);
}

/* Validates the valid form with one field replaced by val (NULL: left out) and expects exactly
 * one error, on that field, with code (NULL: expects no error). */
static struct dcase *one_field(const char *field, const char *val, const char *code)
{
	struct dcase *v = dcase_new();
	add_valid_except(v, field);
	if (val != NULL)
		add(v, field, val);
	run(v);
	if (code == NULL) {
		if (v->rc != 0 || v->c.nferr != 0)
			fail_msg("%s=%s: rejected (%zu errors, first %s %s)", field, val != NULL ? val : "(absent)",
				 v->c.nferr, v->c.nferr ? v->c.ferr[0].field : "-",
				 v->c.nferr ? v->c.ferr[0].code : "-");
	} else {
		if (v->rc != -1 || v->c.nferr != 1)
			fail_msg("%s=%s: rc %d with %zu errors, expected one %s", field, val != NULL ? val : "(absent)",
				 v->rc, v->c.nferr, code);
		assert_ferr(&v->c, 0, field, code);
	}
	return v;
}

static void expect_field(const char *field, const char *val, const char *code)
{
	free(one_field(field, val, code));
}

/* ---- a whole valid declaration ---- */

static void test_valid_declaration(void **state)
{
	struct dcase *v = dcase_new();
	(void)state;
	add_valid_except(v, NULL);
	assert_int_equal(run(v), 0);
	assert_int_equal(v->c.nferr, 0);
	assert_int_equal(v->d.ntravel, 1);
	assert_string_equal(v->d.vt[0].city, "武汉");
	assert_int_equal(v->d.vt[0].from.y, 2026);
	assert_int_equal(v->d.vt[0].from.m, 11);
	assert_int_equal(v->d.vt[0].from.d, 20);
	assert_int_equal(v->d.vt[0].to.d, 22);
	assert_string_equal(v->d.travel[0].city, "武汉");
	assert_int_equal(v->d.travel[0].from_day, day_from_ymd(2026, 11, 20));
	assert_int_equal(v->d.travel[0].to_day, day_from_ymd(2026, 11, 22));
	assert_int_equal(v->d.travel[0].to_day - v->d.travel[0].from_day, 2);
	assert_non_null(v->d.travel_json);
	assert_string_equal(v->d.travel_json, WUHAN_TRIP);
	/* ["none"] is a declared none: no symptom bit, and no "none" bit either. */
	assert_int_equal(v->d.symptoms, 0);
	assert_int_equal(v->d.has_temperature, 1);
	assert_int_equal(v->d.temperature_tenths, 365);
	assert_int_equal(v->d.contact, 0);
	free(v);
}

static void test_travel_json_normalised(void **state)
{
	struct dcase *v = dcase_new();
	(void)state;
	add_valid_except(v, "travel");
	/* Pretty-printed, keys in another order, an extra key, the city padded with spaces. */
	add(v, "travel",
	    "[\n  {\"to\": \"2026-11-22\", \"note\": \"visiting family\", \"from\": \"2026-11-20\", \"city\": \"  武汉 \"},\n"
	    "  {\"city\": \"Shanghai\", \"from\": \"2026-11-10\", \"to\": \"2026-11-14\"}\n]");
	assert_int_equal(run(v), 0);
	assert_int_equal(v->d.ntravel, 2);
	assert_string_equal(v->d.travel[0].city, "武汉");
	assert_string_equal(v->d.travel[1].city, "Shanghai");
	/* A trip that began before the window and ended inside it is kept with its own days. */
	assert_int_equal(v->d.travel[1].from_day, day_from_ymd(2026, 11, 10));
	assert_int_equal(v->d.travel[1].to_day, day_from_ymd(2026, 11, 14));
	assert_string_equal(v->d.travel_json, "[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"},"
					      "{\"city\":\"Shanghai\",\"from\":\"2026-11-10\",\"to\":\"2026-11-14\"}]");
	/* The normalised list lives in the arena (or is static), not in the input. */
	assert_ptr_not_equal(v->d.travel_json, v->in.items[v->in.n - 1].val);
	free(v);
}

static void test_urlencoded_form(void **state)
{
	/* The fields as a browser posts them. */
	static const char body[] = "travel=%5B%7B%22city%22%3A%22%E6%AD%A6%E6%B1%89%22%2C%22from%22%3A%222026-11-20%22"
				   "%2C%22to%22%3A%222026-11-22%22%7D%5D&symptoms=cough%2C+fever&temperature=37.8"
				   "&contact=yes&declaration=true";
	struct dcase *v = dcase_new();
	(void)state;
	assert_int_equal(kv_parse_urlencoded(&arena, body, strlen(body), &v->in), KV_OK);
	assert_int_equal(run(v), 0);
	assert_int_equal(v->d.ntravel, 1);
	assert_string_equal(v->d.travel_json, WUHAN_TRIP);
	assert_int_equal(v->d.symptoms, RULES_SYM_COUGH | RULES_SYM_FEVER);
	assert_int_equal(v->d.temperature_tenths, 378);
	assert_int_equal(v->d.contact, 1);
	free(v);
}

/* ---- travel ---- */

static void test_travel_empty_or_absent(void **state)
{
	struct dcase *v;
	(void)state;
	v = one_field("travel", "[]", NULL);
	assert_int_equal(v->d.ntravel, 0);
	assert_string_equal(v->d.travel_json, "[]");
	free(v);
	v = one_field("travel", NULL, NULL);
	assert_int_equal(v->d.ntravel, 0);
	assert_string_equal(v->d.travel_json, "[]");
	free(v);
	v = one_field("travel", "", NULL);
	assert_int_equal(v->d.ntravel, 0);
	assert_string_equal(v->d.travel_json, "[]");
	free(v);
}

static void test_travel_format(void **state)
{
	static const char *const bad[] = {
		"{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}", /* an object, not a list */
		"武汉",
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\"", /* truncated JSON */
		"\"[]\"",
		"null",
		"[\"武汉\"]",
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\"}]",     /* no to */
		"[{\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]", /* no city */
		"[{\"city\":\"武汉\",\"to\":\"2026-11-22\"}]",       /* no from */
		"[{\"city\":42,\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]",
		"[{\"city\":\"武汉\",\"from\":20261120,\"to\":\"2026-11-22\"}]",
		"[{\"City\":\"武汉\",\"From\":\"2026-11-20\",\"To\":\"2026-11-22\"}]", /* keys are case-sensitive */
		"[{\"city\":\"\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]",
		"[{\"city\":\"   \",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]",
		"[{\"city\":\"武汉\",\"from\":\"2026/11/20\",\"to\":\"2026-11-22\"}]",
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"22 Nov 2026\"}]",
		"[{\"city\":\"武汉\",\"from\":\"2026-11-2\",\"to\":\"2026-11-22\"}]",
		"[{\"city\":\"Wu\\nhan\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]", /* a control character */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"},42]",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_field("travel", bad[i], "TRAVEL_FORMAT");
	/* A city name of 41 characters is too long; 40 are fine. */
	char city[64], json[256];
	memset(city, 'a', 41);
	city[41] = '\0';
	snprintf(json, sizeof json, "[{\"city\":\"%s\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]", city);
	expect_field("travel", json, "TRAVEL_FORMAT");
	city[40] = '\0';
	snprintf(json, sizeof json, "[{\"city\":\"%s\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}]", city);
	expect_field("travel", json, NULL);
}

static void test_travel_dates(void **state)
{
	static const char *const bad[] = {
		"[{\"city\":\"武汉\",\"from\":\"2026-11-22\",\"to\":\"2026-11-20\"}]", /* reversed */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-01\",\"to\":\"2026-11-05\"}]", /* before the window */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-01\",\"to\":\"2026-11-12\"}]", /* ended the day before it */
		"[{\"city\":\"武汉\",\"from\":\"2025-11-20\",\"to\":\"2025-11-22\"}]", /* a year ago */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-26\",\"to\":\"2026-11-28\"}]", /* ends tomorrow */
		"[{\"city\":\"武汉\",\"from\":\"2026-12-01\",\"to\":\"2026-12-03\"}]", /* in the future */
		"[{\"city\":\"武汉\",\"from\":\"2026-02-30\",\"to\":\"2026-11-22\"}]", /* not a real date */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-31\"}]",
		("[{\"city\":\"Shanghai\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"},"
		 "{\"city\":\"武汉\",\"from\":\"2026-11-22\",\"to\":\"2026-11-20\"}]"), /* the second entry */
	};
	static const char *const good[] = {
		"[{\"city\":\"武汉\",\"from\":\"2026-11-13\",\"to\":\"2026-11-13\"}]", /* the window's first day */
		"[{\"city\":\"武汉\",\"from\":\"2026-10-01\",\"to\":\"2026-11-13\"}]", /* began earlier */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-27\",\"to\":\"2026-11-27\"}]", /* today */
		"[{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-20\"}]", /* one day */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_field("travel", bad[i], "TRAVEL_DATES");
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		expect_field("travel", good[i], NULL);
}

/* A list of n copies of the Wuhan trip, in the arena. */
static const char *trips(size_t n)
{
	static const char one[] = "{\"city\":\"武汉\",\"from\":\"2026-11-20\",\"to\":\"2026-11-22\"}";
	size_t len = 2 + n * (sizeof one - 1 + 1);
	char *s = arena_alloc(&arena, len + 1);
	assert_non_null(s);
	char *p = s;
	*p++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, one, sizeof one - 1);
		p += sizeof one - 1;
	}
	*p++ = ']';
	*p = '\0';
	return s;
}

static void test_travel_too_many(void **state)
{
	struct dcase *v;
	(void)state;
	v = one_field("travel", trips(DECL_TRAVEL_MAX), NULL);
	assert_int_equal(v->d.ntravel, DECL_TRAVEL_MAX);
	assert_string_equal(v->d.travel[DECL_TRAVEL_MAX - 1].city, "武汉");
	free(v);
	expect_field("travel", trips(DECL_TRAVEL_MAX + 1), "TRAVEL_TOO_MANY");
	expect_field("travel", trips(40), "TRAVEL_TOO_MANY");
}

/* ---- symptoms ---- */

static unsigned symptoms_of(const char *val)
{
	struct dcase *v = one_field("symptoms", val, NULL);
	unsigned s = v->d.symptoms;
	free(v);
	return s;
}

static void test_symptoms_list_and_array_agree(void **state)
{
	(void)state;
	const unsigned cf = RULES_SYM_COUGH | RULES_SYM_FEVER;
	assert_int_equal(symptoms_of("cough,fever"), cf);
	assert_int_equal(symptoms_of("[\"cough\",\"fever\"]"), cf);
	assert_int_equal(symptoms_of("fever, cough"), cf);
	assert_int_equal(symptoms_of("[ \"fever\" , \"cough\" ]"), cf);
	/* A repeated word is one symptom. */
	assert_int_equal(symptoms_of("[\"cough\",\"cough\",\"fever\"]"), cf);
	assert_int_equal(symptoms_of("cough,cough,fever"), cf);
	assert_int_equal(symptoms_of("loss_of_taste_or_smell"), RULES_SYM_LOSS_OF_TASTE_OR_SMELL);
	assert_int_equal(symptoms_of("[\"fever\",\"cough\",\"sore_throat\",\"fatigue\",\"shortness_of_breath\","
				     "\"diarrhea\",\"loss_of_taste_or_smell\"]"),
			 RULES_SYM_ALL);
	assert_int_equal(symptoms_of("fever,cough,sore_throat,fatigue,shortness_of_breath,diarrhea,"
				     "loss_of_taste_or_smell"),
			 RULES_SYM_ALL);
	/* A declared none is no bit at all, in both forms. */
	assert_int_equal(symptoms_of("none"), 0);
	assert_int_equal(symptoms_of("[\"none\"]"), 0);
}

static void test_symptoms_none_mixed(void **state)
{
	(void)state;
	expect_field("symptoms", "none,cough", "SYMPTOMS_NONE_MIXED");
	expect_field("symptoms", "cough,none", "SYMPTOMS_NONE_MIXED");
	expect_field("symptoms", "[\"none\",\"cough\"]", "SYMPTOMS_NONE_MIXED");
	expect_field("symptoms", "[\"cough\",\"none\"]", "SYMPTOMS_NONE_MIXED");
	expect_field("symptoms", "[\"fever\",\"diarrhea\",\"none\"]", "SYMPTOMS_NONE_MIXED");
}

static void test_symptoms_unknown(void **state)
{
	static const char *const bad[] = {
		"sneezing",
		"[\"sneezing\"]",
		"cough,sneezing",
		"[\"cough\",\"sneezing\"]",
		"Cough", /* exact, lower case */
		"[\"FEVER\"]",
		"咳嗽",
		"cough;fever",
		"cough,,fever",
		"cough,",
		",cough",
		"[\"cough\",3]",
		"[[\"cough\"]]",
		"[\"cough\"",
		"[null]",
		"[\"\"]",
		("[\"fever\",\"cough\",\"sore_throat\",\"fatigue\",\"shortness_of_breath\",\"diarrhea\","
		 "\"loss_of_taste_or_smell\",\"cough\",\"fever\"]"), /* nine items */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_field("symptoms", bad[i], "SYMPTOMS_UNKNOWN");
}

static void test_symptoms_required(void **state)
{
	struct dcase *v;
	(void)state;
	expect_field("symptoms", NULL, "REQUIRED");
	expect_field("symptoms", "", "REQUIRED");
	expect_field("symptoms", "   ", "SYMPTOMS_EMPTY");
	/* An empty array declares nothing either: it is refused (the code word is SYMPTOMS_UNKNOWN
	 * today; the comma form says SYMPTOMS_EMPTY). */
	v = dcase_new();
	add_valid_except(v, "symptoms");
	add(v, "symptoms", "[]");
	assert_int_equal(run(v), -1);
	assert_int_equal(v->c.nferr, 1);
	assert_string_equal(v->c.ferr[0].field, "symptoms");
	assert_int_equal(v->d.symptoms, 0);
	free(v);
}

/* The table's symptoms validator on a value of a given length. */
static const char *symptoms_valid(const char *val, size_t len, unsigned *mask)
{
	const struct field *f = &decl_fields[DECL_SYMPTOMS];
	struct fval out;
	memset(&out, 0, sizeof out);
	const char *code = f->valid(f, &arena, val, len, &out);
	*mask = (unsigned)out.i;
	return code;
}

static void test_symptoms_validator_direct(void **state)
{
	unsigned mask = 0xFFu;
	const char *v = "[\"fatigue\",\"diarrhea\"]";
	(void)state;
	assert_null(symptoms_valid(v, strlen(v), &mask));
	assert_int_equal(mask, RULES_SYM_FATIGUE | RULES_SYM_DIARRHEA);
	v = "fatigue , diarrhea";
	mask = 0;
	assert_null(symptoms_valid(v, strlen(v), &mask));
	assert_int_equal(mask, RULES_SYM_FATIGUE | RULES_SYM_DIARRHEA);
	/* Only the given length is read. */
	assert_null(symptoms_valid("cough,sneezing", 5, &mask));
	assert_int_equal(mask, RULES_SYM_COUGH);
	assert_string_equal(symptoms_valid("sneezing", 8, &mask), "SYMPTOMS_UNKNOWN");
}

/* ---- temperature, contact, declaration ---- */

static void test_temperature(void **state)
{
	struct dcase *v;
	(void)state;
	expect_field("temperature", "43.1", "TEMPERATURE_RANGE");
	expect_field("temperature", "33.9", "TEMPERATURE_RANGE");
	expect_field("temperature", "98.6", "TEMPERATURE_RANGE"); /* Fahrenheit */
	expect_field("temperature", "abc", "TEMPERATURE_FORMAT");
	expect_field("temperature", "36,5", "TEMPERATURE_FORMAT");
	expect_field("temperature", "36.5C", "TEMPERATURE_FORMAT");
	expect_field("temperature", "-36.5", "TEMPERATURE_FORMAT");
	expect_field("temperature", " 36.5", "TEMPERATURE_FORMAT");
	expect_field("temperature", "36.", "TEMPERATURE_FORMAT");
	v = one_field("temperature", "34.0", NULL);
	assert_int_equal(v->d.temperature_tenths, 340);
	free(v);
	v = one_field("temperature", "43.0", NULL);
	assert_int_equal(v->d.temperature_tenths, 430);
	free(v);
	v = one_field("temperature", "37", NULL);
	assert_int_equal(v->d.has_temperature, 1);
	assert_int_equal(v->d.temperature_tenths, 370);
	free(v);
	v = one_field("temperature", "37.25", NULL);
	assert_int_equal(v->d.temperature_tenths, 373);
	free(v);
	/* The temperature is optional. */
	v = one_field("temperature", NULL, NULL);
	assert_int_equal(v->d.has_temperature, 0);
	free(v);
	v = one_field("temperature", "", NULL);
	assert_int_equal(v->d.has_temperature, 0);
	free(v);
}

static void test_contact(void **state)
{
	struct dcase *v;
	(void)state;
	expect_field("contact", "maybe", "NOT_A_BOOLEAN");
	expect_field("contact", "YES", "NOT_A_BOOLEAN");
	expect_field("contact", "no ", "NOT_A_BOOLEAN");
	expect_field("contact", "是", "NOT_A_BOOLEAN");
	expect_field("contact", NULL, "REQUIRED");
	expect_field("contact", "", "REQUIRED");
	v = one_field("contact", "yes", NULL);
	assert_int_equal(v->d.contact, 1);
	free(v);
	v = one_field("contact", "true", NULL);
	assert_int_equal(v->d.contact, 1);
	free(v);
	v = one_field("contact", "false", NULL);
	assert_int_equal(v->d.contact, 0);
	free(v);
}

static void test_declaration(void **state)
{
	(void)state;
	expect_field("declaration", "false", "DECLARATION_REQUIRED");
	expect_field("declaration", "no", "DECLARATION_REQUIRED");
	expect_field("declaration", NULL, "DECLARATION_REQUIRED");
	expect_field("declaration", "", "DECLARATION_REQUIRED");
	expect_field("declaration", "on", "DECLARATION_REQUIRED");
	expect_field("declaration", "TRUE", "DECLARATION_REQUIRED");
	expect_field("declaration", "yes", NULL);
	expect_field("declaration", "true", NULL);
}

/* ---- everything at once ---- */

static void test_every_failure_listed(void **state)
{
	struct dcase *v = dcase_new();
	(void)state;
	add(v, "travel", "{\"city\":\"武汉\"}");
	add(v, "symptoms", "sneezing");
	add(v, "temperature", "abc");
	add(v, "contact", "maybe");
	add(v, "declaration", "false");
	assert_int_equal(run(v), -1);
	assert_int_equal(v->c.nferr, 5);
	/* Each field's own check in table order, then the rule against today's date (travel). */
	assert_ferr(&v->c, 0, "symptoms", "SYMPTOMS_UNKNOWN");
	assert_ferr(&v->c, 1, "temperature", "TEMPERATURE_FORMAT");
	assert_ferr(&v->c, 2, "contact", "NOT_A_BOOLEAN");
	assert_ferr(&v->c, 3, "declaration", "DECLARATION_REQUIRED");
	assert_ferr(&v->c, 4, "travel", "TRAVEL_FORMAT");
	free(v);

	/* Nothing sent: the three required fields, in form order. */
	v = dcase_new();
	assert_int_equal(run(v), -1);
	assert_int_equal(v->c.nferr, 3);
	assert_ferr(&v->c, 0, "symptoms", "REQUIRED");
	assert_ferr(&v->c, 1, "contact", "REQUIRED");
	assert_ferr(&v->c, 2, "declaration", "DECLARATION_REQUIRED");
	assert_string_equal(v->d.travel_json, "[]");
	free(v);
}

static void test_errors_from_other_fields_kept(void **state)
{
	struct dcase *v = dcase_new();
	(void)state;
	/* The rest of the form failed already: a valid declaration adds nothing and returns 0. */
	call_field_error(&v->c, "name", "NAME_CHARS");
	add_valid_except(v, NULL);
	assert_int_equal(run(v), 0);
	assert_int_equal(v->c.nferr, 1);
	assert_ferr(&v->c, 0, "name", "NAME_CHARS");
	free(v);
	/* And an invalid one is appended after them. */
	v = dcase_new();
	call_field_error(&v->c, "name", "NAME_CHARS");
	add_valid_except(v, "contact");
	assert_int_equal(run(v), -1);
	assert_int_equal(v->c.nferr, 2);
	assert_ferr(&v->c, 0, "name", "NAME_CHARS");
	assert_ferr(&v->c, 1, "contact", "REQUIRED");
	free(v);
}

/* ---- duplicates ---- */

static void test_duplicates(void **state)
{
	static const char *const names[] = { "travel", "symptoms", "temperature", "contact", "declaration" };
	struct dcase *v;
	(void)state;
	v = dcase_new();
	add_valid_except(v, NULL);
	add(v, "name", "王小明");
	add(v, "name", "王小明"); /* not a declaration field: not the table's business */
	assert_int_equal(duplicated(v), 0);
	assert_int_equal(v->c.nferr, 0);
	free(v);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		v = dcase_new();
		add_valid_except(v, NULL);
		add(v, names[i], "no");
		if (!duplicated(v))
			fail_msg("%s given twice is not reported", names[i]);
		assert_int_equal(v->c.nferr, 1);
		assert_ferr(&v->c, 0, names[i], "DUPLICATE_FIELD");
		free(v);
	}
	/* A repeated declaration with the same value is still a duplicate. */
	v = dcase_new();
	add(v, "declaration", "true");
	add(v, "declaration", "true");
	assert_int_equal(duplicated(v), 1);
	assert_ferr(&v->c, 0, "declaration", "DUPLICATE_FIELD");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_valid_declaration, reset),
		cmocka_unit_test_teardown(test_travel_json_normalised, reset),
		cmocka_unit_test_teardown(test_urlencoded_form, reset),
		cmocka_unit_test_teardown(test_travel_empty_or_absent, reset),
		cmocka_unit_test_teardown(test_travel_format, reset),
		cmocka_unit_test_teardown(test_travel_dates, reset),
		cmocka_unit_test_teardown(test_travel_too_many, reset),
		cmocka_unit_test_teardown(test_symptoms_list_and_array_agree, reset),
		cmocka_unit_test_teardown(test_symptoms_none_mixed, reset),
		cmocka_unit_test_teardown(test_symptoms_unknown, reset),
		cmocka_unit_test_teardown(test_symptoms_required, reset),
		cmocka_unit_test_teardown(test_symptoms_validator_direct, reset),
		cmocka_unit_test_teardown(test_temperature, reset),
		cmocka_unit_test_teardown(test_contact, reset),
		cmocka_unit_test_teardown(test_declaration, reset),
		cmocka_unit_test_teardown(test_every_failure_listed, reset),
		cmocka_unit_test_teardown(test_errors_from_other_fields_kept, reset),
		cmocka_unit_test_teardown(test_duplicates, reset),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
