/* test_fields.c: unit tests of fields.c: the form tables through fields_validate. */
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
		cmocka_unit_test_teardown(test_login_form, reset),
		cmocka_unit_test_teardown(test_mplogin_form, reset),
		cmocka_unit_test_teardown(test_codepng_form, reset),
		cmocka_unit_test_teardown(test_tables_shape, reset),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
