/* test_fields.c: unit tests of fields.c and the login validators of h_login.c: the local "next" path, the platform's login code, the form tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fields.h"
#include "req.h"
#include "valid.h"

#include "unit_arena.h"

static int reset(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

/* A path of n bytes: "/" then 'a'..'z' repeated, in the arena. */
static char *path_of(size_t n)
{
	char *s = arena_alloc(&arena, n + 1);
	assert_non_null(s);
	s[0] = '/';
	for (size_t i = 1; i < n; i++)
		s[i] = (char)('a' + (i % 26));
	s[n] = '\0';
	return s;
}

static void expect_next(const char *next, int ok)
{
	if (login_next_ok(next) != ok)
		fail_msg("login_next_ok(\"%s\") is %d, expected %d", next, !ok, ok);
}

/* ---- login_next_ok ---- */

static void test_next_local_paths(void **state)
{
	static const char *const good[] = {
		"/",
		"/persons",
		"/persons?x=1",
		"/persons/17/code?scale=8&lang=zh-CN",
		"/me#top",
		"/reports/new?date=2025-11-27",
		"/a/b/c/",
		"/%E6%AD%A6%E6%B1%89",
		"/~user",
		"/persons?next=//x",
	};
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		expect_next(good[i], 1);
	/* 512 bytes is the longest. */
	expect_next(path_of(512), 1);
	expect_next(path_of(2), 1);
}

static void test_next_other_sites(void **state)
{
	static const char *const bad[] = {
		"",
		"//evil.example",
		"//evil.example/persons",
		"/\\evil",
		"/\\/evil.example",
		"\\\\evil.example",
		"https://evil.example",
		"http://evil.example/",
		"javascript:alert(1)",
		"data:text/html,<script>",
		"evil.example",
		"persons",
		"./persons",
		"?x=1",
		"#top",
		"/persons/\\..\\x", /* a backslash anywhere */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_next(bad[i], 0);
}

static void test_next_bad_bytes(void **state)
{
	static const char *const bad[] = {
		"/persons list",
		"/ persons",
		"/persons ",
		"/persons\tlist",
		"/\t/evil.example",
		"/persons\r\nSet-Cookie: a=b",
		"/persons\n",
		"/persons\r",
		"/\x7f",
		"/\x01",
		"/武汉",
		"/caf\xc3\xa9",
		"/\xff",
		"/\x80",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_next(bad[i], 0);
	/* 513 bytes is one too many, and far longer too. */
	expect_next(path_of(513), 0);
	expect_next(path_of(4096), 0);
}

/* ---- valid_next ---- */

static void test_valid_next(void **state)
{
	struct fval out;
	const char *p = "/persons?x=1";
	(void)state;
	memset(&out, 0, sizeof out);
	assert_null(valid_next(&login_fields[LOGIN_NEXT], &arena, p, strlen(p), &out));
	assert_string_equal(out.s, "/persons?x=1");
	assert_int_equal(out.len, strlen(p));
	assert_string_equal(valid_next(&login_fields[LOGIN_NEXT], &arena, "//evil.example", 14, &out),
			    "NOT_A_LOCAL_PATH");
	assert_string_equal(valid_next(&login_fields[LOGIN_NEXT], &arena, "", 0, &out), "NOT_A_LOCAL_PATH");
	/* A NUL inside the value (a decoded %00 that slipped through) is not a path. */
	assert_string_equal(valid_next(&login_fields[LOGIN_NEXT], &arena, "/ok\0//evil.example", 18, &out),
			    "NOT_A_LOCAL_PATH");
}

/* ---- valid_login_code ---- */

static const char *code_check(const char *v, size_t len)
{
	struct fval out;
	memset(&out, 0, sizeof out);
	const char *r = valid_login_code(&mplogin_fields[MPLOGIN_CODE], &arena, v, len, &out);
	if (r == NULL) {
		assert_ptr_equal(out.s, v);
		assert_int_equal(out.len, len);
	}
	return r;
}

static void test_login_code_accepted(void **state)
{
	static const char *const good[] = {
		"0a1b2c3d4e5f6A7B8C9D0e1f2a3b4c5d", /* 32 alphanumerics, as the platform sends */
		"061Xk3Ga1dY8hB0qVmLr2oS5Pz7Wn4Tc", "a", "Z", "7", "abc-DEF_123",
	};
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (code_check(good[i], strlen(good[i])) != NULL)
			fail_msg("code \"%s\" refused", good[i]);
	char *c128 = arena_alloc(&arena, 129);
	assert_non_null(c128);
	memset(c128, 'q', 128);
	c128[128] = '\0';
	assert_null(code_check(c128, 128));
}

static void test_login_code_refused(void **state)
{
	static const char *const bad[] = {
		"a b",  "a/b",  "a+b", "a=b",         "a%20b",    "a.b", "a:b",  "abc ",     " abc",
		"a\tb", "a\nb", "码",  "caf\xc3\xa9", "a&code=b", "a'b", "a\"b", "<script>",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (code_check(bad[i], strlen(bad[i])) == NULL)
			fail_msg("code \"%s\" accepted", bad[i]);
	assert_string_equal(code_check("", 0), "INVALID");
	assert_string_equal(code_check("a b", 3), "INVALID");
	assert_string_equal(code_check("a/b", 3), "INVALID");
	assert_string_equal(code_check("ab\0cd", 5), "INVALID");
	char *c129 = arena_alloc(&arena, 130);
	assert_non_null(c129);
	memset(c129, 'q', 129);
	c129[129] = '\0';
	assert_string_equal(code_check(c129, 129), "INVALID");
}

/* ---- the field tables through fields_validate ---- */

struct fcase {
	struct call c;
	struct kvlist in;
	struct fval out[4];
};

static enum err validate(struct fcase *v, const struct field *table, size_t n, const char *query)
{
	memset(v, 0, sizeof *v);
	v->c.arena = &arena;
	v->c.content_length = -1;
	assert_int_equal(kv_parse_urlencoded(&arena, query, strlen(query), &v->in), KV_OK);
	return fields_validate(&v->c, table, n, &v->in, v->out);
}

static void expect_one_error(const struct fcase *v, const char *field, const char *code)
{
	assert_int_equal(v->c.nferr, 1);
	assert_string_equal(v->c.ferr[0].field, field);
	assert_string_equal(v->c.ferr[0].code, code);
}

static void test_login_form(void **state)
{
	struct fcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	/* next is optional. */
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, ""), ERR_OK);
	assert_false(v->out[LOGIN_NEXT].present);
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=%2Fpersons%3Fx%3D1"), ERR_OK);
	assert_true(v->out[LOGIN_NEXT].present);
	assert_string_equal(v->out[LOGIN_NEXT].s, "/persons?x=1");
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=%2F%2Fevil.example"), ERR_VALIDATION);
	expect_one_error(v, "next", "NOT_A_LOCAL_PATH");
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=https%3A%2F%2Fevil.example"), ERR_VALIDATION);
	expect_one_error(v, "next", "NOT_A_LOCAL_PATH");
	/* '+' decodes to a space, which a path may not hold. */
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=%2Fa+b"), ERR_VALIDATION);
	expect_one_error(v, "next", "NOT_A_LOCAL_PATH");
	/* A decoded CR LF cannot reach a Location header. */
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=%2Fa%0D%0ASet-Cookie%3A+x%3Dy"), ERR_VALIDATION);
	expect_one_error(v, "next", "NOT_A_LOCAL_PATH");
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, "next=%2Fa&next=%2Fb"), ERR_DUPLICATE_FIELD);
	expect_one_error(v, "next", "DUPLICATE_FIELD");
	/* Over the 512-byte bound. */
	char *q = arena_printf(&arena, "next=%s", path_of(513));
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, q), ERR_VALIDATION);
	expect_one_error(v, "next", "TOO_LONG");
	q = arena_printf(&arena, "next=%s", path_of(512));
	assert_int_equal(validate(v, login_fields, LOGIN__MAX, q), ERR_OK);
	assert_int_equal(v->out[LOGIN_NEXT].len, 512);
	free(v);
}

static void test_mplogin_form(void **state)
{
	struct fcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, mplogin_fields, MPLOGIN__MAX, "code=061Xk3Ga1dY8hB0qVmLr2oS5Pz7Wn4Tc"), ERR_OK);
	assert_true(v->out[MPLOGIN_CODE].present);
	assert_string_equal(v->out[MPLOGIN_CODE].s, "061Xk3Ga1dY8hB0qVmLr2oS5Pz7Wn4Tc");
	/* The code is required. */
	assert_int_equal(validate(v, mplogin_fields, MPLOGIN__MAX, ""), ERR_VALIDATION);
	expect_one_error(v, "code", "REQUIRED");
	assert_int_equal(validate(v, mplogin_fields, MPLOGIN__MAX, "code="), ERR_VALIDATION);
	expect_one_error(v, "code", "REQUIRED");
	assert_int_equal(validate(v, mplogin_fields, MPLOGIN__MAX, "code=a%2Fb"), ERR_VALIDATION);
	expect_one_error(v, "code", "INVALID");
	char *big = arena_alloc(&arena, 140);
	assert_non_null(big);
	memcpy(big, "code=", 5);
	memset(big + 5, 'q', 129);
	big[134] = '\0';
	assert_int_equal(validate(v, mplogin_fields, MPLOGIN__MAX, big), ERR_VALIDATION);
	expect_one_error(v, "code", "TOO_LONG");
	free(v);
}

static void test_codepng_form(void **state)
{
	struct fcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, ""), ERR_OK);
	assert_false(v->out[CODEPNG_SCALE].present);
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=8"), ERR_OK);
	assert_int_equal(v->out[CODEPNG_SCALE].i, 8);
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=1"), ERR_OK);
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=32"), ERR_OK);
	assert_int_equal(v->out[CODEPNG_SCALE].i, 32);
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=0"), ERR_VALIDATION);
	expect_one_error(v, "scale", "OUT_OF_RANGE");
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=33"), ERR_VALIDATION);
	expect_one_error(v, "scale", "OUT_OF_RANGE");
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=100"), ERR_VALIDATION);
	expect_one_error(v, "scale", "TOO_LONG");
	assert_int_equal(validate(v, codepng_fields, CODEPNG__MAX, "scale=x"), ERR_VALIDATION);
	expect_one_error(v, "scale", "NOT_AN_INTEGER");
	free(v);
}

static void test_tables_shape(void **state)
{
	(void)state;
	assert_string_equal(login_fields[LOGIN_NEXT].name, "next");
	assert_int_equal(login_fields[LOGIN_NEXT].flags & F_REQ, 0);
	assert_int_equal(login_fields[LOGIN_NEXT].maxlen, 512);
	assert_ptr_equal(login_fields[LOGIN_NEXT].valid, valid_next);
	assert_string_equal(mplogin_fields[MPLOGIN_CODE].name, "code");
	assert_int_equal(mplogin_fields[MPLOGIN_CODE].flags & F_REQ, F_REQ);
	assert_int_equal(mplogin_fields[MPLOGIN_CODE].maxlen, 128);
	assert_ptr_equal(mplogin_fields[MPLOGIN_CODE].valid, valid_login_code);
	assert_string_equal(codepng_fields[CODEPNG_SCALE].name, "scale");
	assert_ptr_equal(codepng_fields[CODEPNG_SCALE].valid, valid_int);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_next_local_paths, reset),
		cmocka_unit_test_teardown(test_next_other_sites, reset),
		cmocka_unit_test_teardown(test_next_bad_bytes, reset),
		cmocka_unit_test_teardown(test_valid_next, reset),
		cmocka_unit_test_teardown(test_login_code_accepted, reset),
		cmocka_unit_test_teardown(test_login_code_refused, reset),
		cmocka_unit_test_teardown(test_login_form, reset),
		cmocka_unit_test_teardown(test_mplogin_form, reset),
		cmocka_unit_test_teardown(test_codepng_form, reset),
		cmocka_unit_test_teardown(test_tables_shape, reset),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
