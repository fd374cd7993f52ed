/* test_err.c: unit tests of err.c and resp.c: the error table, reason phrases, the error body, and the response head. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "err.h"
#include "req.h"
#include "resp.h"

#include "unit_arena.h"

static int reset(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

static struct call *new_call(void)
{
	struct call *c = arena_alloc(&arena, sizeof *c);
	assert_non_null(c);
	c->arena = &arena;
	c->request_id = "7d3c2b1a00f94e58";
	c->content_length = -1;
	return c;
}

/* ---- the error table ---- */

static int is_code_word(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
			return 0;
	return 1;
}

static void test_every_error_has_an_entry(void **state)
{
	(void)state;
	const struct err_info *internal = err_info(ERR_INTERNAL);
	assert_int_equal(internal->status, 500);
	for (int e = 0; e < ERR__MAX; e++) {
		const struct err_info *ei = err_info((enum err)e);
		assert_non_null(ei);
		/* A missing row falls back to INTERNAL: only ERR_INTERNAL may get that row. */
		if (e != ERR_INTERNAL && ei == internal)
			fail_msg("enum err %d has no row in the table", e);
		if (!is_code_word(ei->code))
			fail_msg("enum err %d: code \"%s\" is not a word of [A-Z_]", e,
				 ei->code != NULL ? ei->code : "(null)");
		if (ei->message == NULL || ei->message[0] == '\0')
			fail_msg("enum err %d (%s) has no message", e, ei->code);
		if (ei->reason == NULL || ei->reason[0] == '\0')
			fail_msg("enum err %d (%s) has no reason phrase", e, ei->code);
		if (e == ERR_OK) {
			assert_int_equal(ei->status, 200);
		} else if (ei->status < 400 || ei->status > 599) {
			fail_msg("enum err %d (%s): status %d is not an error status", e, ei->code, ei->status);
		}
		/* The status line says the same as the table. */
		assert_string_equal(err_reason(ei->status), ei->reason);
	}
}

static void test_documented_statuses(void **state)
{
	(void)state;
	static const struct {
		enum err e;
		int status;
		const char *code;
	} want[] = {
		{ ERR_BAD_REQUEST, 400, "BAD_REQUEST" },
		{ ERR_UNAUTHENTICATED, 401, "UNAUTHENTICATED" },
		{ ERR_FORBIDDEN, 403, "FORBIDDEN" },
		{ ERR_NOT_FOUND, 404, "NOT_FOUND" },
		{ ERR_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED" },
		{ ERR_CONFLICT, 409, "CONFLICT" },
		{ ERR_LENGTH_REQUIRED, 411, "LENGTH_REQUIRED" },
		{ ERR_TOO_LARGE, 413, NULL },
		{ ERR_UNSUPPORTED_TYPE, 415, NULL },
		{ ERR_VALIDATION, 422, NULL },
		{ ERR_RATE_LIMITED, 429, "RATE_LIMITED" },
		{ ERR_INTERNAL, 500, "INTERNAL" },
		{ ERR_UNAVAILABLE, 503, "UNAVAILABLE" },
		{ ERR_BAD_JSON, 400, "BAD_JSON" },
		{ ERR_DUPLICATE_FIELD, 400, "DUPLICATE_FIELD" },
		{ ERR_CSRF, 403, "CSRF" },
		{ ERR_PLATFORM_UNAVAILABLE, 503, "PLATFORM_UNAVAILABLE" },
		{ ERR_PHOTO_STORE_FULL, 503, "PHOTO_STORE_FULL" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct err_info *ei = err_info(want[i].e);
		assert_int_equal(ei->status, want[i].status);
		if (want[i].code != NULL)
			assert_string_equal(ei->code, want[i].code);
	}
}

static void test_codes_unique(void **state)
{
	(void)state;
	/* Errors may share a status (400 BAD_REQUEST, BAD_JSON, DUPLICATE_FIELD), never a code word:
	 * a client tells them apart by the code alone. */
	for (int a = 0; a < ERR__MAX; a++)
		for (int b = a + 1; b < ERR__MAX; b++)
			if (strcmp(err_info((enum err)a)->code, err_info((enum err)b)->code) == 0)
				fail_msg("enum err %d and %d share the code %s", a, b, err_info((enum err)a)->code);
	/* The statuses that are shared are shared on purpose, with the same reason phrase. */
	assert_int_equal(err_info(ERR_BAD_JSON)->status, err_info(ERR_BAD_REQUEST)->status);
	assert_int_equal(err_info(ERR_DUPLICATE_FIELD)->status, err_info(ERR_BAD_REQUEST)->status);
	assert_int_equal(err_info(ERR_CSRF)->status, err_info(ERR_FORBIDDEN)->status);
	assert_int_equal(err_info(ERR_PLATFORM_UNAVAILABLE)->status, err_info(ERR_UNAVAILABLE)->status);
	for (int a = 0; a < ERR__MAX; a++)
		for (int b = a + 1; b < ERR__MAX; b++)
			if (err_info((enum err)a)->status == err_info((enum err)b)->status)
				assert_string_equal(err_info((enum err)a)->reason, err_info((enum err)b)->reason);
}

static void test_out_of_range_is_internal(void **state)
{
	(void)state;
	assert_ptr_equal(err_info(ERR__MAX), err_info(ERR_INTERNAL));
	assert_ptr_equal(err_info((enum err)(ERR__MAX + 100)), err_info(ERR_INTERNAL));
	assert_ptr_equal(err_info((enum err) - 1), err_info(ERR_INTERNAL));
}

static void test_5xx_messages_are_generic(void **state)
{
	(void)state;
	/* A 5xx never carries database or library text: the defaults say nothing about internals. */
	static const char *const leaks[] = { "mysql", "MariaDB", "SQL", "curl", "errno", "%", "/" };
	for (int e = 0; e < ERR__MAX; e++) {
		const struct err_info *ei = err_info((enum err)e);
		if (ei->status < 500)
			continue;
		for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++)
			if (strstr(ei->message, leaks[i]) != NULL)
				fail_msg("%s's message \"%s\" mentions %s", ei->code, ei->message, leaks[i]);
	}
}

static void test_reason_phrases(void **state)
{
	(void)state;
	static const struct {
		int status;
		const char *reason;
	} want[] = {
		{ 200, "OK" },
		{ 201, "Created" },
		{ 204, "No Content" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 409, "Conflict" },
		{ 411, "Length Required" },
		{ 413, "Payload Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Entity" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(err_reason(want[i].status), want[i].reason);
	assert_string_equal(err_reason(0), "Unknown");
	assert_string_equal(err_reason(299), "Unknown");
	assert_string_equal(err_reason(999), "Unknown");
	assert_string_equal(err_reason(-1), "Unknown");
}

/* ---- resp_error ---- */

static cJSON *parse_body(const struct call *c)
{
	assert_true(c->resp_set);
	assert_non_null(c->resp_type);
	assert_string_equal(c->resp_type, "application/json; charset=utf-8");
	assert_int_equal(strlen(c->resp_body), c->resp_len);
	cJSON *j = cJSON_ParseWithLength(c->resp_body, c->resp_len);
	if (j == NULL)
		fail_msg("not JSON: %.*s", (int)c->resp_len, (const char *)c->resp_body);
	return j;
}

static const char *str_at(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(it))
		fail_msg("\"%s\" is not a string member", key);
	return it->valuestring;
}

static void test_error_422_with_fields(void **state)
{
	(void)state;
	struct call *c = new_call();
	call_field_error(c, "id_number", "ID_CHECKSUM");
	call_field_error(c, "name", "INVALID_CHARACTERS");
	call_field_error(c, "phone", "REQUIRED");
	resp_error(c, ERR_VALIDATION, NULL);
	assert_int_equal(c->status, 422);
	cJSON *j = parse_body(c);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	assert_string_equal(str_at(j, "request_id"), "7d3c2b1a00f94e58");
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	assert_true(cJSON_IsObject(e));
	assert_string_equal(str_at(e, "code"), err_info(ERR_VALIDATION)->code);
	assert_string_equal(str_at(e, "message"), err_info(ERR_VALIDATION)->message);
	cJSON *fields = cJSON_GetObjectItemCaseSensitive(e, "fields");
	assert_true(cJSON_IsArray(fields));
	assert_int_equal(cJSON_GetArraySize(fields), 3);
	static const char *const want[][2] = {
		{ "id_number", "ID_CHECKSUM" },
		{ "name", "INVALID_CHARACTERS" },
		{ "phone", "REQUIRED" },
	};
	for (int i = 0; i < 3; i++) {
		cJSON *f = cJSON_GetArrayItem(fields, i);
		assert_true(cJSON_IsObject(f));
		assert_int_equal(cJSON_GetArraySize(f), 2);
		assert_string_equal(str_at(f, "field"), want[i][0]);
		assert_string_equal(str_at(f, "code"), want[i][1]);
	}
	cJSON_Delete(j);
	/* No Retry-After on a 4xx. */
	assert_true(c->resp_headers == NULL || strstr(c->resp_headers, "Retry-After") == NULL);
}

static void test_error_without_fields(void **state)
{
	(void)state;
	struct call *c = new_call();
	resp_error(c, ERR_NOT_FOUND, NULL);
	assert_int_equal(c->status, 404);
	cJSON *j = parse_body(c);
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	assert_string_equal(str_at(e, "code"), "NOT_FOUND");
	assert_true(strlen(str_at(e, "message")) > 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "fields"));
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "field"));
	cJSON_Delete(j);
}

static void test_error_custom_message_escaped(void **state)
{
	(void)state;
	struct call *c = new_call();
	const char *msg = "the \"query\" string\\is malformed\n<script>王</script>";
	resp_error(c, ERR_BAD_REQUEST, msg);
	assert_int_equal(c->status, 400);
	/* The body is one line of JSON: the newline is escaped, not raw. */
	assert_null(memchr(c->resp_body, '\n', c->resp_len));
	cJSON *j = parse_body(c);
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	assert_string_equal(str_at(e, "message"), msg);
	assert_string_equal(str_at(e, "code"), "BAD_REQUEST");
	cJSON_Delete(j);
}

static void test_error_without_request_id(void **state)
{
	(void)state;
	struct call *c = new_call();
	c->request_id = NULL;
	resp_error(c, ERR_INTERNAL, NULL);
	assert_int_equal(c->status, 500);
	cJSON *j = parse_body(c);
	assert_string_equal(str_at(j, "request_id"), "");
	cJSON_Delete(j);
}

static void test_error_503_retry_after(void **state)
{
	(void)state;
	static const enum err unavailable[] = { ERR_UNAVAILABLE, ERR_PLATFORM_UNAVAILABLE, ERR_PHOTO_STORE_FULL };
	for (size_t i = 0; i < sizeof unavailable / sizeof unavailable[0]; i++) {
		struct call *c = new_call();
		resp_error(c, unavailable[i], NULL);
		assert_int_equal(c->status, 503);
		assert_non_null(c->resp_headers);
		assert_non_null(strstr(c->resp_headers, "Retry-After: "));
		const char *v = strstr(c->resp_headers, "Retry-After: ") + 13;
		assert_true(*v >= '0' && *v <= '9');
		cJSON *j = parse_body(c);
		cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		assert_string_equal(str_at(e, "code"), err_info(unavailable[i])->code);
		cJSON_Delete(j);
		char head[2048];
		assert_true(resp_head(c, head, sizeof head) > 0);
		assert_non_null(strstr(head, "Status: 503 Service Unavailable\r\n"));
		assert_non_null(strstr(head, "\r\nRetry-After: "));
	}
	/* Other 5xx do not promise a retry. */
	struct call *c = new_call();
	resp_error(c, ERR_INTERNAL, NULL);
	assert_true(c->resp_headers == NULL || strstr(c->resp_headers, "Retry-After") == NULL);
}

static void test_error_at_arena_cap(void **state)
{
	struct arena tiny;
	(void)state;
	arena_init(&tiny, sizeof(struct call) + 64);
	struct call *c = arena_alloc(&tiny, sizeof *c);
	assert_non_null(c);
	c->arena = &tiny;
	c->request_id = "r";
	resp_error(c, ERR_UNAVAILABLE, NULL);
	/* Still an answer with the right status and a JSON error body. */
	assert_int_equal(c->status, 503);
	cJSON *j = cJSON_ParseWithLength(c->resp_body, c->resp_len);
	assert_non_null(j);
	assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "error")));
	cJSON_Delete(j);
	arena_free(&tiny);
}

/* ---- resp_head ---- */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_head_json_200(void **state)
{
	(void)state;
	struct call *c = new_call();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	resp_json(c, 200, o);
	char head[2048];
	size_t n = resp_head(c, head, sizeof head);
	assert_true(n > 0);
	assert_int_equal(n, strlen(head));
	assert_memory_equal(head, "Status: 200 OK\r\n", 16);
	assert_non_null(strstr(head, "\r\nContent-Type: application/json; charset=utf-8\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Length: 15\r\n"));
	assert_non_null(strstr(head, "\r\nX-Request-Id: 7d3c2b1a00f94e58\r\n"));
	assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));
	assert_int_equal(count(head, "Cache-Control:"), 1);
	/* The head ends with the blank line and contains no other. */
	assert_true(n >= 4);
	assert_memory_equal(head + n - 4, "\r\n\r\n", 4);
	assert_int_equal(count(head, "\r\n\r\n"), 1);
	/* Every line ends in CRLF: no bare LF. */
	for (size_t i = 0; i < n; i++)
		if (head[i] == '\n')
			assert_int_equal(head[i - 1], '\r');
}

static void test_head_handler_cache_control(void **state)
{
	(void)state;
	struct call *c = new_call();
	resp_header(c, "Cache-Control", "public, max-age=300");
	resp_header(c, "ETag", "\"v1\"");
	resp_raw(c, 200, "image/png", "\x89PNG", 4);
	char head[2048];
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_int_equal(count(head, "Cache-Control:"), 1);
	assert_non_null(strstr(head, "\r\nCache-Control: public, max-age=300\r\n"));
	assert_null(strstr(head, "no-store"));
	assert_non_null(strstr(head, "\r\nETag: \"v1\"\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Type: image/png\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Length: 4\r\n"));
	assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(head, "\r\nX-Request-Id: 7d3c2b1a00f94e58\r\n"));
}

static void test_head_other_statuses(void **state)
{
	(void)state;
	struct call *c = new_call();
	resp_redirect(c, "https://hqr.example.org/app/");
	char head[2048];
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_non_null(strstr(head, "Status: 302 Found\r\n"));
	assert_non_null(strstr(head, "\r\nLocation: https://hqr.example.org/app/\r\n"));
	assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));

	c = new_call();
	resp_error(c, ERR_VALIDATION, NULL);
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_non_null(strstr(head, "Status: 422 Unprocessable Entity\r\n"));
	assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));
}

static void test_head_rejects_header_injection(void **state)
{
	(void)state;
	struct call *c = new_call();
	resp_header(c, "Location", "https://a.example/\r\nSet-Cookie: hqr_session=evil");
	resp_header(c, "X-Bad\nName", "v");
	resp_header(c, "X-Good", "fine");
	resp_raw(c, 204, "text/plain; charset=utf-8", "", 0);
	char head[2048];
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_null(strstr(head, "Set-Cookie"));
	assert_null(strstr(head, "X-Bad"));
	assert_null(strstr(head, "Location"));
	assert_non_null(strstr(head, "\r\nX-Good: fine\r\n"));
	assert_non_null(strstr(head, "Status: 204 No Content\r\n"));
}

static void test_head_too_small_buffer(void **state)
{
	(void)state;
	struct call *c = new_call();
	resp_error(c, ERR_NOT_FOUND, NULL);
	char head[2048];
	size_t full = resp_head(c, head, sizeof head);
	assert_true(full > 0);
	char small[64];
	assert_int_equal(resp_head(c, small, sizeof small), 0);
	/* Exactly the size it needs, with room for the NUL. */
	assert_int_equal(resp_head(c, head, full + 1), full);
	assert_int_equal(resp_head(c, head, full), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_error_has_an_entry),
		cmocka_unit_test(test_documented_statuses),
		cmocka_unit_test(test_codes_unique),
		cmocka_unit_test(test_out_of_range_is_internal),
		cmocka_unit_test(test_5xx_messages_are_generic),
		cmocka_unit_test(test_reason_phrases),
		cmocka_unit_test_setup(test_error_422_with_fields, reset),
		cmocka_unit_test_setup(test_error_without_fields, reset),
		cmocka_unit_test_setup(test_error_custom_message_escaped, reset),
		cmocka_unit_test_setup(test_error_without_request_id, reset),
		cmocka_unit_test_setup(test_error_503_retry_after, reset),
		cmocka_unit_test(test_error_at_arena_cap),
		cmocka_unit_test_setup(test_head_json_200, reset),
		cmocka_unit_test_setup(test_head_handler_cache_control, reset),
		cmocka_unit_test_setup(test_head_other_statuses, reset),
		cmocka_unit_test_setup(test_head_rejects_header_injection, reset),
		cmocka_unit_test_setup(test_head_too_small_buffer, reset),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
