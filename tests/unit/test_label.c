/* test_label.c: unit tests of label.c: a label as given (hqrctl, place codes), a label trimmed
 * (checkpoint names and districts), an officer's reason; their code words and bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "label.h"

/* label_check's word for a C string ("" for valid, so assert_string_equal can compare). */
static const char *check(const char *s)
{
	const char *w = label_check(s, strlen(s));
	return w != NULL ? w : "";
}

/* n copies of the UTF-8 character ch, NUL-terminated, into buf. */
static char *repeat(char *buf, const char *ch, size_t n)
{
	size_t l = strlen(ch);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * l, ch, l);
	buf[n * l] = '\0';
	return buf;
}

static void test_check_accepts_text(void **state)
{
	(void)state;
	assert_string_equal(check("Gate 3"), "");
	assert_string_equal(check("望京 SOHO 东门"), "");
	assert_string_equal(check("a"), "");
	assert_string_equal(check("inner  spaces kept"), "");
}

static void test_check_code_point_bound(void **state)
{
	(void)state;
	char buf[4 * 110 + 1];
	assert_string_equal(check(repeat(buf, "x", 100)), "");
	assert_string_equal(check(repeat(buf, "x", 101)), "TOO_LONG");
	assert_string_equal(check(repeat(buf, "门", 100)), ""); /* 300 bytes */
	assert_string_equal(check(repeat(buf, "门", 101)), "TOO_LONG");
	assert_string_equal(check(repeat(buf, "😀", 100)), ""); /* 400 bytes: the byte bound */
}

static void test_check_byte_bound(void **state)
{
	(void)state;
	char buf[LABEL_MAX_BYTES + 8];
	repeat(buf, "😀", 100);
	strcat(buf, "x"); /* 401 bytes */
	assert_string_equal(check(buf), "TOO_LONG");
	/* Past the byte bound the text is not even read: an invalid byte there is still TOO_LONG. */
	memset(buf, 'x', LABEL_MAX_BYTES + 1);
	buf[LABEL_MAX_BYTES] = '\x01';
	buf[LABEL_MAX_BYTES + 1] = '\0';
	assert_string_equal(check(buf), "TOO_LONG");
}

static void test_check_empty(void **state)
{
	(void)state;
	assert_string_equal(check(""), "EMPTY");
}

static void test_check_padded(void **state)
{
	(void)state;
	assert_string_equal(check(" Gate"), "INVALID_CHARACTERS");
	assert_string_equal(check("Gate "), "INVALID_CHARACTERS");
	assert_string_equal(check(" "), "INVALID_CHARACTERS");
}

static void test_check_bad_characters(void **state)
{
	(void)state;
	assert_string_equal(check("Gate\t3"), "INVALID_CHARACTERS");
	assert_string_equal(check("Gate\n3"), "INVALID_CHARACTERS");
	assert_string_equal(check("Gate\x7f"), "INVALID_CHARACTERS");
	assert_string_equal(check("Ga\u200bte"), "INVALID_CHARACTERS");       /* zero-width space */
	assert_string_equal(check("\xef\xbb\xbfGate"), "INVALID_CHARACTERS"); /* BOM */
	assert_string_equal(check("Gate\xc3"), "INVALID_CHARACTERS");         /* cut short */
	assert_string_equal(check("\xc0\xafGate"), "INVALID_CHARACTERS");     /* overlong */
	assert_string_equal(check("\xed\xa0\x80"), "INVALID_CHARACTERS");     /* surrogate */
}

/* An embedded NUL within n is a control character, not the end of the text. */
static void test_check_reads_n_bytes(void **state)
{
	(void)state;
	assert_string_equal(label_check("Gate\0 3", 7), "INVALID_CHARACTERS");
	assert_null(label_check("Gate 3 and more", 6));
}

static void test_trim_strips_spaces_and_copies(void **state)
{
	(void)state;
	char out[LABEL_BUF];
	const char *s = "   东门 2  ";
	assert_null(label_trim(s, strlen(s), out));
	assert_string_equal(out, "东门 2");
}

static void test_trim_only_spaces_is_empty(void **state)
{
	(void)state;
	char out[LABEL_BUF];
	assert_string_equal(label_trim("    ", 4, out), "EMPTY");
	assert_string_equal(label_trim("", 0, out), "EMPTY");
}

static void test_trim_tabs_are_not_spaces(void **state)
{
	(void)state;
	char out[LABEL_BUF];
	assert_string_equal(label_trim("\tGate", 5, out), "INVALID_CHARACTERS");
}

/* The bounds apply after trimming: 400 bytes padded to 404 fit. */
static void test_trim_bounds_after_trimming(void **state)
{
	(void)state;
	char buf[LABEL_MAX_BYTES + 8], out[LABEL_BUF];
	buf[0] = ' ';
	buf[1] = ' ';
	repeat(buf + 2, "😀", 100);
	strcat(buf, "  ");
	assert_null(label_trim(buf, strlen(buf), out));
	assert_int_equal(strlen(out), LABEL_MAX_BYTES);
	char big[4 * 110 + 1];
	assert_string_equal(label_trim(repeat(big, "门", 101), 303, out), "TOO_LONG");
}

static void test_reason_accepts_printable_ascii(void **state)
{
	(void)state;
	char out[REASON_BUF];
	const char *s = "  CONTACT_TRACED case 12/3  ";
	assert_null(reason_trim(s, strlen(s), out));
	assert_string_equal(out, "CONTACT_TRACED case 12/3");
}

static void test_reason_length_bound(void **state)
{
	(void)state;
	char buf[64], out[REASON_BUF];
	memset(buf, 'R', REASON_MAX);
	assert_null(reason_trim(buf, REASON_MAX, out));
	assert_int_equal(strlen(out), REASON_MAX);
	memset(buf, 'R', REASON_MAX + 1);
	assert_string_equal(reason_trim(buf, REASON_MAX + 1, out), "TOO_LONG");
}

static void test_reason_empty(void **state)
{
	(void)state;
	char out[REASON_BUF];
	assert_string_equal(reason_trim("", 0, out), "EMPTY");
	assert_string_equal(reason_trim("   ", 3, out), "EMPTY");
	/* Only spaces are trimmed: a tab at the edge stays, and is refused. */
	assert_string_equal(reason_trim("\t ", 2, out), "INVALID_CHARACTERS");
	assert_null(reason_trim("  ok  ", 6, out));
	assert_string_equal(out, "ok");
}

/* Non-ASCII or a control is refused, and that word wins over the length's. */
static void test_reason_bad_characters(void **state)
{
	(void)state;
	char out[REASON_BUF];
	const char *s = "密接";
	assert_string_equal(reason_trim(s, strlen(s), out), "INVALID_CHARACTERS");
	assert_string_equal(reason_trim("a\tb", 3, out), "INVALID_CHARACTERS");
	assert_string_equal(reason_trim("a\x7f", 2, out), "INVALID_CHARACTERS");
	char buf[64];
	memset(buf, 'R', 50);
	buf[49] = '\n';
	assert_string_equal(reason_trim(buf, 50, out), "INVALID_CHARACTERS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts_text),
		cmocka_unit_test(test_check_code_point_bound),
		cmocka_unit_test(test_check_byte_bound),
		cmocka_unit_test(test_check_empty),
		cmocka_unit_test(test_check_padded),
		cmocka_unit_test(test_check_bad_characters),
		cmocka_unit_test(test_check_reads_n_bytes),
		cmocka_unit_test(test_trim_strips_spaces_and_copies),
		cmocka_unit_test(test_trim_only_spaces_is_empty),
		cmocka_unit_test(test_trim_tabs_are_not_spaces),
		cmocka_unit_test(test_trim_bounds_after_trimming),
		cmocka_unit_test(test_reason_accepts_printable_ascii),
		cmocka_unit_test(test_reason_length_bound),
		cmocka_unit_test(test_reason_empty),
		cmocka_unit_test(test_reason_bad_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
