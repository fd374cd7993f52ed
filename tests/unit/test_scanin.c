/* test_scanin.c: unit tests of scanin.c through its field tables, as the router runs them
 * (fields_validate_json, then scan_check): a scan's body (qr, direction, temperature, visitor,
 * checkpoint_id); a batch's list and each item (client id, scanned_at) as the handler judges it. */
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
#include "conf.h"
#include "req.h"
#include "scanin.h"
#include "valid.h"

#include "unit_arena.h"

static struct call call;
static struct scan_in in;

/* Judges body (JSON text) as the router judges a scan's: scan_fields, then scan_check, for an
 * integrator (need_checkpoint) or a device. 0 when it is taken (in is what the handler gets). */
static int run(const char *body, int need_checkpoint)
{
	struct fval v[SCAN__MAX];
	arena_reset(&arena);
	memset(&call, 0, sizeof call);
	memset(&in, 0, sizeof in);
	call.arena = &arena;
	call.integrator_id = need_checkpoint ? 7 : 0;
	cJSON *o = cJSON_Parse(body);
	assert_non_null(o);
	enum err e = fields_validate_json(&call, scan_fields, SCAN__MAX, o, v);
	if (e != ERR_DUPLICATE_FIELD) {
		assert_int_not_equal(scan_check(&call, v), ERR_INTERNAL);
		in = *(const struct scan_in *)call.form;
	}
	cJSON_Delete(o);
	return call.nferr > 0 ? -1 : 0;
}

/* Exactly one failing field, with this code. */
static void expect_one(const char *body, int need_checkpoint, const char *field, const char *code)
{
	assert_int_equal(run(body, need_checkpoint), -1);
	if (call.nferr != 1)
		fail_msg("%s: %zu errors, expected 1 (%s %s)", body, call.nferr, field, code);
	assert_string_equal(call.ferr[0].field, field);
	assert_string_equal(call.ferr[0].code, code);
}

static void test_minimal_scan(void **state)
{
	(void)state;
	assert_int_equal(run("{\"qr\":\"HQR1:abc\",\"direction\":\"in\"}", 0), 0);
	assert_string_equal(in.qr, "HQR1:abc");
	assert_int_equal(in.dir, VERDICT_DIR_IN);
	assert_false(in.has_temp);
	assert_false(in.has_visitor);
	assert_int_equal(in.checkpoint, 0);
}

/* Keyboard-style scanners end the text with a line break. */
static void test_qr_trailing_break_trimmed(void **state)
{
	(void)state;
	assert_int_equal(run("{\"qr\":\"HQR1:abc \\r\\n\",\"direction\":\"out\"}", 0), 0);
	assert_string_equal(in.qr, "HQR1:abc");
	assert_int_equal(in.dir, VERDICT_DIR_OUT);
	assert_int_equal(run("{\"qr\":\"HQR1:abc\\n\\n  \",\"direction\":\"in\"}", 0), 0);
	assert_string_equal(in.qr, "HQR1:abc");
	/* Only the end: a space inside or before the text is the text's. */
	assert_int_equal(run("{\"qr\":\" HQR1:a bc\\r\",\"direction\":\"in\"}", 0), 0);
	assert_string_equal(in.qr, " HQR1:a bc");
	/* Nothing but a line break is no code. */
	expect_one("{\"qr\":\"\\r\\n \",\"direction\":\"in\"}", 0, "qr", "REQUIRED");
}

static void test_qr_required(void **state)
{
	(void)state;
	expect_one("{\"direction\":\"in\"}", 0, "qr", "REQUIRED");
	expect_one("{\"qr\":\"\\n\",\"direction\":\"in\"}", 0, "qr", "REQUIRED");
	expect_one("{\"qr\":12,\"direction\":\"in\"}", 0, "qr", "REQUIRED");
}

static void test_qr_length_bound(void **state)
{
	(void)state;
	char body[SCAN_QR_MAX + 64];
	char qr[SCAN_QR_MAX + 2];
	memset(qr, 'A', SCAN_QR_MAX);
	qr[SCAN_QR_MAX] = '\0';
	snprintf(body, sizeof body, "{\"qr\":\"%s\",\"direction\":\"in\"}", qr);
	assert_int_equal(run(body, 0), 0);
	qr[SCAN_QR_MAX] = 'A';
	qr[SCAN_QR_MAX + 1] = '\0';
	snprintf(body, sizeof body, "{\"qr\":\"%s\",\"direction\":\"in\"}", qr);
	expect_one(body, 0, "qr", "TOO_LONG");
}

static void test_direction(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\"}", 0, "direction", "REQUIRED");
	expect_one("{\"qr\":\"x\",\"direction\":\"IN\"}", 0, "direction", "NOT_ALLOWED");
	expect_one("{\"qr\":\"x\",\"direction\":1}", 0, "direction", "REQUIRED");
}

static void test_temperature_number_or_text(void **state)
{
	(void)state;
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":36.6}", 0), 0);
	assert_true(in.has_temp);
	assert_int_equal(in.temp, 366);
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":\"37.3\"}", 0), 0);
	assert_int_equal(in.temp, 373);
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":null}", 0), 0);
	assert_false(in.has_temp);
}

static void test_temperature_invalid(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":true}", 0, "temperature", "TEMPERATURE_FORMAT");
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":99}", 0), -1);
	assert_string_equal(call.ferr[0].field, "temperature");
}

static void test_visitor_stored_as_json(void **state)
{
	(void)state;
	assert_int_equal(
	    run("{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":{\"purpose\":\"送货\",\"host\":\"3-201\"}}", 0), 0);
	assert_true(in.has_visitor);
	cJSON *v = cJSON_Parse(in.visitor_json);
	assert_non_null(v);
	assert_string_equal(cJSON_GetObjectItem(v, "purpose")->valuestring, "送货");
	assert_string_equal(cJSON_GetObjectItem(v, "host")->valuestring, "3-201");
	assert_null(cJSON_GetObjectItem(v, "address"));
	cJSON_Delete(v);
}

static void test_visitor_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		"{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":{\"host\":\"3-201\"}}",    /* no purpose */
		"{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":{\"purpose\":\"visit\"}}", /* nobody */
		"{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":{\"purpose\":\"a\\u0001\",\"host\":\"h\"}}", /* control */
		"{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":\"me\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_one(bad[i], 0, "visitor", "VISITOR_REGISTRATION_INVALID");
}

/* The longest visitor (60 + 60 + 120 code points of 4 bytes) fits its buffer. */
static void test_visitor_longest_fits(void **state)
{
	(void)state;
	static char body[4096];
	char p[60 * 4 + 1], a[120 * 4 + 1];
	for (int i = 0; i < 60; i++)
		memcpy(p + i * 4, "😀", 4);
	p[240] = '\0';
	for (int i = 0; i < 120; i++)
		memcpy(a + i * 4, "😀", 4);
	a[480] = '\0';
	snprintf(
	    body, sizeof body,
	    "{\"qr\":\"x\",\"direction\":\"in\",\"visitor\":{\"purpose\":\"%s\",\"host\":\"%s\",\"address\":\"%s\"}}",
	    p, p, a);
	assert_int_equal(run(body, 0), 0);
	assert_true(in.has_visitor);
	assert_true(strlen(in.visitor_json) < SCAN_VISITOR_JSON);
}

static void test_checkpoint_number_or_digits(void **state)
{
	(void)state;
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":42}", 1), 0);
	assert_int_equal(in.checkpoint, 42);
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"9223372036854775807\"}", 1), 0);
	assert_int_equal(in.checkpoint, 9223372036854775807ULL);
	/* A device's scan does not read it. */
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"no\"}", 0), 0);
	assert_int_equal(in.checkpoint, 0);
}

static void test_checkpoint_invalid(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\",\"direction\":\"in\"}", 1, "checkpoint_id", "REQUIRED");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":0}", 1, "checkpoint_id", "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1.5e300}", 1, "checkpoint_id",
		   "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"12a\"}", 1, "checkpoint_id",
		   "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"12345678901234567890\"}", 1, "checkpoint_id",
		   "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"\"}", 1, "checkpoint_id", "NOT_AN_INTEGER");
}

/* Seen while writing fuzz_scan's checks: "0" (a string) and 1.5 were taken as checkpoints 0 and 1. */
static void test_checkpoint_zero_or_fraction(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"0\"}", 1, "checkpoint_id", "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"000\"}", 1, "checkpoint_id",
		   "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1.5}", 1, "checkpoint_id", "NOT_AN_INTEGER");
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":\"007\"}", 1), 0);
	assert_int_equal(in.checkpoint, 7);
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":7.0}", 1), 0);
	assert_int_equal(in.checkpoint, 7);
}

/* Every failing field is recorded, not only the first. */
static void test_all_failures_recorded(void **state)
{
	(void)state;
	assert_int_equal(run("{\"temperature\":\"hot\",\"visitor\":{}}", 1), -1);
	assert_int_equal(call.nferr, 5);
}

/* A member given twice is refused (the router's DUPLICATE_FIELD), not read from its first copy. */
static void test_member_twice(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"qr\":\"y\"}", 0, "qr", "DUPLICATE_FIELD");
}

/* Each check reads its member as parsed: values whose text would read otherwise keep their
 * words (1e400 is infinite, and cJSON would print it as null; escapes are undone once). */
static void test_members_as_parsed(void **state)
{
	(void)state;
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":1e400}", 0, "temperature", "TEMPERATURE_FORMAT");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"temperature\":-1e400}", 0, "temperature",
		   "TEMPERATURE_FORMAT");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1e400}", 1, "checkpoint_id", "NOT_AN_INTEGER");
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":null}", 1, "checkpoint_id", "REQUIRED");
	/* A number is read as the body wrote it, not as a printed double would read: 2^53 - 1 is that
	 * id, 2^53 (past a double's exact integers) is refused, as openapi.json says. */
	assert_int_equal(run("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":9007199254740991}", 1), 0);
	assert_int_equal(in.checkpoint, 9007199254740991ULL);
	expect_one("{\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":9007199254740992}", 1, "checkpoint_id",
		   "NOT_AN_INTEGER");
	assert_int_equal(run("{\"qr\":\"\\\"HQR1:\\u0041\\\"\",\"direction\":\"\\u0069n\"}", 0), 0);
	assert_string_equal(in.qr, "\"HQR1:A\"");
	assert_int_equal(in.dir, VERDICT_DIR_IN);
}

/* ---- a batch: its list, then each item as h_scans.c judges it ---- */

static const char *list_code(const char *body)
{
	struct fval v[BATCH__MAX];
	arena_reset(&arena);
	memset(&call, 0, sizeof call);
	call.arena = &arena;
	cJSON *o = cJSON_Parse(body);
	assert_non_null(o);
	enum err e = fields_validate_json(&call, batch_fields, BATCH__MAX, o, v);
	cJSON_Delete(o);
	if (e == ERR_OK)
		return NULL;
	assert_int_equal(call.nferr, 1);
	assert_string_equal(call.ferr[0].field, "scans");
	return call.ferr[0].code;
}

static void test_batch_list(void **state)
{
	(void)state;
	assert_null(list_code("{\"scans\":[{}]}"));
	assert_string_equal(list_code("{}"), "REQUIRED");
	assert_string_equal(list_code("{\"scans\":[]}"), "REQUIRED");
	assert_string_equal(list_code("{\"scans\":null}"), "REQUIRED");
	assert_string_equal(list_code("{\"scans\":\"[{}]\"}"), "REQUIRED");
	assert_string_equal(list_code("{\"scans\":{\"a\":1}}"), "REQUIRED");
	static char body[8 * (SCAN_BATCH_MAX + 2) + 16];
	size_t n = (size_t)snprintf(body, sizeof body, "{\"scans\":[{}");
	for (int i = 1; i < SCAN_BATCH_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof body - n, ",{}");
	snprintf(body + n, sizeof body - n, "]}");
	assert_null(list_code(body));
	snprintf(body + n, sizeof body - n, ",{}]}");
	assert_string_equal(list_code(body), "TOO_MANY");
	const struct json_check *list = batch_fields[BATCH_SCANS].arg;
	assert_ptr_equal(list->arg, &batch_items);
	assert_ptr_equal(batch_items.fields, item_fields);
}

/* The batch's item table, reached only through batch_fields' list (no route row names it, so the
 * route table's walk never sees it): every row filled, no name twice, and the scan's own members
 * named and checked as a live scan's are. */
static void test_item_table_filled(void **state)
{
	(void)state;
	const struct json_check *list = batch_fields[BATCH_SCANS].arg;
	assert_ptr_equal(list->valid, valid_item_list);
	const struct item_table *t = list->arg;
	assert_int_equal(t->nfields, ITEM__MAX);
	assert_true(t->max > 0);
	for (size_t i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];
		const struct json_check *jc = f->arg;
		if (f->name == NULL || f->name[0] == '\0' || !(f->flags & F_JSON) || jc == NULL || jc->valid == NULL)
			fail_msg("batch item field %zu is empty or half filled", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->fields[j].name, f->name) == 0)
				fail_msg("batch item field %s twice", f->name);
	}
	for (size_t k = 0; k < SCAN__MAX; k++) {
		const struct field *item = &t->fields[ITEM_SCAN + k], *live = &scan_fields[k];
		const struct json_check *ic = item->arg, *lc = live->arg;
		assert_string_equal(item->name, live->name);
		assert_ptr_equal(ic->valid, lc->valid);
	}
}

#define NOW 1796000000LL
static const char *item_cid;
static int64_t item_at;

/* One item (JSON text) as the handler judges it at NOW: its first failure's word, or NULL. */
static const char *item_word(const char *text)
{
	static struct conf conf;
	conf_defaults(&conf);
	arena_reset(&arena);
	memset(&call, 0, sizeof call);
	call.arena = &arena;
	call.conf = &conf;
	cJSON *o = cJSON_Parse(text);
	assert_non_null(o);
	const char *w = scan_item_parse(&call, o, NOW, &in, &item_at, &item_cid);
	cJSON_Delete(o);
	assert_int_equal(call.nferr, 0); /* the call's own failures are left as they were */
	return w;
}

static void test_batch_item_valid(void **state)
{
	(void)state;
	assert_null(item_word("{\"client_id\":\"d-1:a\",\"scanned_at\":1795999000,\"qr\":\"HQR1:x\\n\","
			      "\"direction\":\"out\",\"checkpoint_id\":\"12\",\"temperature\":\"36.4\"}"));
	assert_string_equal(item_cid, "d-1:a");
	assert_int_equal(item_at, 1795999000);
	assert_string_equal(in.qr, "HQR1:x");
	assert_int_equal(in.dir, VERDICT_DIR_OUT);
	assert_int_equal(in.checkpoint, 12);
	assert_true(in.has_temp);
	assert_int_equal(in.temp, 364);
}

static void test_batch_item_refused(void **state)
{
	(void)state;
	/* Without a usable client id the item is answered by its index. */
	assert_string_equal(item_word("{\"scanned_at\":1795999000,\"qr\":\"x\",\"direction\":\"in\","
				      "\"checkpoint_id\":1}"),
			    "CLIENT_ID_INVALID");
	assert_null(item_cid);
	assert_string_equal(item_word("{\"client_id\":\"a b\",\"qr\":\"x\"}"), "CLIENT_ID_INVALID");
	assert_null(item_cid);
	assert_string_equal(item_word("{\"client_id\":7}"), "CLIENT_ID_INVALID");
	assert_null(item_cid);
	assert_string_equal(item_word("[1]"), "CLIENT_ID_INVALID");
	assert_null(item_cid);
	/* Otherwise under its client id, with the first failure in the table's order. */
	assert_string_equal(item_word("{\"client_id\":\"c\",\"direction\":\"in\"}"), "REQUIRED");
	assert_string_equal(item_cid, "c");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\"}"), "REQUIRED");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1}"),
			    "SCANNED_AT_OUT_OF_RANGE");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1,"
				      "\"scanned_at\":\"1795999000\"}"),
			    "SCANNED_AT_OUT_OF_RANGE");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1,"
				      "\"scanned_at\":1796000031}"),
			    "SCANNED_AT_OUT_OF_RANGE");
	assert_null(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1,"
			      "\"scanned_at\":1796000030}"));
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":1,"
				      "\"scanned_at\":1e300}"),
			    "SCANNED_AT_OUT_OF_RANGE");
	assert_string_equal(
	    item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"up\",\"temperature\":\"hot\"}"),
	    "NOT_ALLOWED");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\",\"checkpoint_id\":null,"
				      "\"scanned_at\":1796000000}"),
			    "REQUIRED");
	assert_string_equal(item_cid, "c");
	/* An item of more members than a request may have is no object to read a client id from. */
	char many[REQ_PAIRS_MAX * 16 + 128];
	size_t n = (size_t)snprintf(many, sizeof many,
				    "{\"client_id\":\"c\",\"qr\":\"x\",\"direction\":\"in\","
				    "\"checkpoint_id\":1,\"scanned_at\":1796000000");
	for (int i = 5; i < REQ_PAIRS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, ",\"k%d\":%d", i, i);
	snprintf(many + n, sizeof many - n, "}");
	assert_null(item_word(many));
	snprintf(many + n, sizeof many - n, ",\"one_more\":1}");
	assert_string_equal(item_word(many), "CLIENT_ID_INVALID");
	assert_null(item_cid);
	/* A member given twice: refused under the client id, unless the client id is the one. */
	assert_string_equal(item_word("{\"client_id\":\"c\",\"qr\":\"x\",\"qr\":\"y\"}"), "DUPLICATE_FIELD");
	assert_string_equal(item_cid, "c");
	assert_string_equal(item_word("{\"client_id\":\"c\",\"client_id\":\"d\"}"), "DUPLICATE_FIELD");
	assert_null(item_cid);
}

static void test_client_id(void **state)
{
	(void)state;
	assert_true(scan_client_id_ok("dev-7:2026-12-07.001_a"));
	char id[SCAN_CLIENT_ID_MAX + 2];
	memset(id, 'a', SCAN_CLIENT_ID_MAX);
	id[SCAN_CLIENT_ID_MAX] = '\0';
	assert_true(scan_client_id_ok(id));
	id[SCAN_CLIENT_ID_MAX] = 'a';
	id[SCAN_CLIENT_ID_MAX + 1] = '\0';
	assert_false(scan_client_id_ok(id));
	assert_false(scan_client_id_ok(""));
	assert_false(scan_client_id_ok(NULL));
	assert_false(scan_client_id_ok("a b"));
	assert_false(scan_client_id_ok("a/b"));
	assert_false(scan_client_id_ok("号"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_scan),
		cmocka_unit_test(test_qr_trailing_break_trimmed),
		cmocka_unit_test(test_qr_required),
		cmocka_unit_test(test_qr_length_bound),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_temperature_number_or_text),
		cmocka_unit_test(test_temperature_invalid),
		cmocka_unit_test(test_visitor_stored_as_json),
		cmocka_unit_test(test_visitor_invalid),
		cmocka_unit_test(test_visitor_longest_fits),
		cmocka_unit_test(test_checkpoint_number_or_digits),
		cmocka_unit_test(test_checkpoint_invalid),
		cmocka_unit_test(test_checkpoint_zero_or_fraction),
		cmocka_unit_test(test_all_failures_recorded),
		cmocka_unit_test(test_member_twice),
		cmocka_unit_test(test_members_as_parsed),
		cmocka_unit_test(test_batch_list),
		cmocka_unit_test(test_item_table_filled),
		cmocka_unit_test(test_batch_item_valid),
		cmocka_unit_test(test_batch_item_refused),
		cmocka_unit_test(test_client_id),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
