/* test_face.c: unit tests of the face check's pure parts (fcgi/model/face.c): cert_hash as
 * PLATFORM.md defines it (checked against an independent SHA-256), and the verify_ret words. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "face.h"

static void test_cert_hash_vectors(void **state)
{
	(void)state;
	char out[65];
	assert_int_equal(face_cert_hash("张三", "11010519491231002X", out), 0);
	assert_string_equal(out, "9ba91732489995e9322bb63ffbd50914bc696a0e3be2d2388f904e3a09210975");
	assert_int_equal(face_cert_hash("李四", "110101199003074477", out), 0);
	assert_string_equal(out, "749a0a134f077b00914325b0bc8adf2284a69e3a63f4f3daea3c2e92798352f1");
}

static void test_cert_hash_upper_cases_the_check_character(void **state)
{
	(void)state;
	char a[65], b[65];
	assert_int_equal(face_cert_hash("张三", "11010519491231002x", a), 0);
	assert_int_equal(face_cert_hash("张三", "11010519491231002X", b), 0);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
}

static void test_cert_hash_too_long_is_refused(void **state)
{
	(void)state;
	char name[600], out[65];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_int_equal(face_cert_hash(name, "110101199003074477", out), -1);
}

static void test_ret_words(void **state)
{
	(void)state;
	assert_string_equal(face_ret_word(10000), "PASSED");
	assert_string_equal(face_ret_word(10001), "PARAMETER_ERROR");
	assert_string_equal(face_ret_word(10002), "NO_FACE");
	assert_string_equal(face_ret_word(10003), "ID_NOT_THIS_PERSON");
	assert_string_equal(face_ret_word(10004), "FACE_MISMATCH");
	for (int r = 90002; r <= 90006; r++)
		assert_string_equal(face_ret_word(r), "CANCELLED");
	assert_string_equal(face_ret_word(90017), "TIMED_OUT");
	assert_string_equal(face_ret_word(12345), "FAILED");
	assert_string_equal(face_ret_word(-1), "FAILED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_hash_vectors),
		cmocka_unit_test(test_cert_hash_upper_cases_the_check_character),
		cmocka_unit_test(test_cert_hash_too_long_is_refused),
		cmocka_unit_test(test_ret_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
