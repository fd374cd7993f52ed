/* test_valid.c: unit tests of valid.c: integers, enumerations, booleans, strict UTF-8 text, field tables
 * (a query, a JSON object's members), the login's local "next" path and the platform's login code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "req.h"
#include "person.h"
#include "valid.h"

#include "unit_arena.h"

/* Runs a validator on a C string; returns its code (NULL when valid). */
static const char *run(const struct field *f, const char *v, struct fval *out)
{
	memset(out, 0, sizeof *out);
	return f->valid(f, &arena, v, strlen(v), out);
}

static void expect_code(const struct field *f, const char *v, const char *code)
{
	struct fval out;
	const char *got = run(f, v, &out);
	if (code == NULL && got != NULL)
		fail_msg("field %s: \"%s\" rejected with %s", f->name, v, got);
	if (code != NULL && (got == NULL || strcmp(got, code) != 0))
		fail_msg("field %s: \"%s\" gave %s, expected %s", f->name, v, got != NULL ? got : "(valid)", code);
}

static long long int_of(const struct field *f, const char *v)
{
	struct fval out;
	assert_null(run(f, v, &out));
	return out.i;
}

/* ---- valid_int ---- */

static const struct range age_range = { 0, 150 };
static const struct range lat_range = { -90, 90 };
static const struct range full_range = { LLONG_MIN, LLONG_MAX };
static const struct field f_age = { "age", F_REQ, 3, valid_int, &age_range };
static const struct field f_lat = { "lat", 0, 3, valid_int, &lat_range };
static const struct field f_any = { "n", 0, 20, valid_int, &full_range };
static const struct field f_unbounded = { "n", 0, 20, valid_int, NULL };

static void test_int_range_edges(void **state)
{
	(void)state;
	assert_int_equal(int_of(&f_age, "0"), 0);
	assert_int_equal(int_of(&f_age, "150"), 150);
	assert_int_equal(int_of(&f_age, "34"), 34);
	expect_code(&f_age, "151", "OUT_OF_RANGE");
	expect_code(&f_age, "-1", "OUT_OF_RANGE");
	expect_code(&f_age, "1000", "OUT_OF_RANGE");
	assert_true(int_of(&f_lat, "-90") == -90);
	assert_int_equal(int_of(&f_lat, "90"), 90);
	expect_code(&f_lat, "-91", "OUT_OF_RANGE");
	expect_code(&f_lat, "91", "OUT_OF_RANGE");
	assert_true(int_of(&f_unbounded, "-42") == -42);
}

static void test_int_signs(void **state)
{
	(void)state;
	/* "-0" is zero; a '+' sign is not accepted. */
	assert_int_equal(int_of(&f_age, "-0"), 0);
	expect_code(&f_age, "+1", "NOT_AN_INTEGER");
	expect_code(&f_lat, "+0", "NOT_AN_INTEGER");
	expect_code(&f_age, "-", "NOT_AN_INTEGER");
	expect_code(&f_age, "--1", "NOT_AN_INTEGER");
	expect_code(&f_age, "1-", "NOT_AN_INTEGER");
}

static void test_int_not_numbers(void **state)
{
	static const char *const bad[] = {
		"",    " 1",   "1 ",  "  34", "\t5",   "1.0",
		"1e3", "0x10", "12a", "abc",  "1,000", "３４", /* full-width digits */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_code(&f_any, bad[i], "NOT_AN_INTEGER");
	/* A NUL inside the given length is not a digit. */
	struct fval out;
	assert_string_equal(valid_int(&f_any, &arena, "12\0003", 4, &out), "NOT_AN_INTEGER");
}

static void test_int_overflow(void **state)
{
	(void)state;
	expect_code(&f_any, "99999999999999999999", "OUT_OF_RANGE");
	expect_code(&f_unbounded, "99999999999999999999", "OUT_OF_RANGE");
	expect_code(&f_any, "9223372036854775808", "OUT_OF_RANGE");
	expect_code(&f_any, "-9223372036854775809", "OUT_OF_RANGE");
	assert_true(int_of(&f_any, "9223372036854775807") == LLONG_MAX);
	assert_true(int_of(&f_any, "-9223372036854775808") == LLONG_MIN);
	/* Leading zeros are decimal, not octal. */
	assert_int_equal(int_of(&f_any, "010"), 10);
	/* Far too long to be any int64: refused without reading past the value. */
	char big[200];
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct fval out;
	assert_non_null(run(&f_any, big, &out));
}

static void test_int_fills_value(void **state)
{
	struct fval out;
	(void)state;
	assert_null(run(&f_age, "42", &out));
	assert_int_equal(out.i, 42);
	assert_int_equal(out.len, 2);
	assert_memory_equal(out.s, "42", 2);
}

/* ---- valid_enum ---- */

static const char *const colors[] = { "green", "yellow", "red", NULL };
static const struct field f_color = { "color", F_REQ, 8, valid_enum, colors };

static void test_enum(void **state)
{
	struct fval out;
	(void)state;
	assert_null(run(&f_color, "green", &out));
	assert_int_equal(out.i, 0);
	assert_null(run(&f_color, "yellow", &out));
	assert_int_equal(out.i, 1);
	assert_string_equal(out.s, "yellow");
	assert_int_equal(out.len, 6);
	assert_null(run(&f_color, "red", &out));
	assert_int_equal(out.i, 2);
	static const char *const bad[] = { "Yellow", "RED", "", "yell", "yellowx", " red", "red ", "blue" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_code(&f_color, bad[i], "NOT_ALLOWED");
	/* The length is what counts, not a NUL inside it. */
	assert_string_equal(valid_enum(&f_color, &arena, "red\0", 4, &out), "NOT_ALLOWED");
}

/* ---- valid_bool ---- */

static const struct field f_consent = { "consent", F_REQ, 5, valid_bool, NULL };

static void test_bool(void **state)
{
	static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };
	struct fval out;
	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_null(run(&f_consent, yes[i], &out));
		assert_int_equal(out.i, 1);
		assert_string_equal(out.s, "true");
		assert_null(run(&f_consent, no[i], &out));
		assert_int_equal(out.i, 0);
		assert_string_equal(out.s, "false");
	}
	static const char *const bad[] = { "TRUE", "True", "on", "off", "", "2", "-1", "truee", "y", "n", " true" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_code(&f_consent, bad[i], "NOT_A_BOOLEAN");
}

/* ---- utf8_check_text ---- */

static long check(const char *s)
{
	return utf8_check_text(s, strlen(s));
}

static void test_utf8_accepts_real_text(void **state)
{
	(void)state;
	assert_int_equal(check("Zhang San"), 9);
	assert_int_equal(check("王小明"), 3);
	assert_int_equal(check("上海市浦东新区张江路 100 号"), 16);
	assert_int_equal(check("Müller-Lüdenscheidt"), 19);
	assert_int_equal(check("Ελλάδα"), 6);
	assert_int_equal(check("😷"), 1);
	assert_int_equal(check("ok 👍🏽"), 5);              /* emoji with a skin-tone modifier */
	assert_int_equal(check("\xe2\x9d\xa4\xef\xb8\x8f"), 2); /* ❤ + variation selector 16 */
	assert_int_equal(check("\xf0\xa0\x80\x80"), 1);         /* U+20000, CJK extension B (rare names) */
	assert_int_equal(check("\xf0\x90\x80\x80"), 1);         /* U+10000, the first 4-byte code point */
	assert_int_equal(check("\xc2\xa0"), 1);                 /* U+00A0, first code point past C1 */
	assert_int_equal(check("\xe0\xa0\x80"), 1);             /* U+0800, the smallest 3-byte form */
	assert_int_equal(check("\xed\x9f\xbf"), 1);             /* U+D7FF, just below the surrogates */
	assert_int_equal(check("\xee\x80\x80"), 1);             /* U+E000, just above them */
	assert_int_equal(check("~"), 1);
	assert_int_equal(check(""), 0);
}

static void expect_rejected(const char *what, const char *s, size_t len)
{
	if (utf8_check_text(s, len) != -1)
		fail_msg("%s was accepted", what);
}

#define REJECT(what, lit) expect_rejected(what, lit, sizeof(lit) - 1)

static void test_utf8_rejects_malformed(void **state)
{
	(void)state;
	REJECT("overlong '/' (C0 AF)", "\xc0\xaf");
	REJECT("overlong NUL (C0 80)", "\xc0\x80");
	REJECT("overlong C1 BF", "\xc1\xbf");
	REJECT("overlong 3-byte '/'", "\xe0\x80\xaf");
	REJECT("overlong 3-byte U+07FF", "\xe0\x9f\xbf");
	REJECT("overlong 4-byte '/'", "\xf0\x80\x80\xaf");
	REJECT("overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf");
	REJECT("high surrogate U+D800", "\xed\xa0\x80");
	REJECT("low surrogate U+DFFF", "\xed\xbf\xbf");
	REJECT("CESU-8 pair for U+1F637", "\xed\xa0\xbd\xed\xb8\xb7");
	REJECT("U+110000", "\xf4\x90\x80\x80");
	REJECT("F5 lead byte", "\xf5\x80\x80\x80");
	REJECT("F8 lead byte (5-byte form)", "\xf8\x88\x80\x80\x80");
	REJECT("FE", "\xfe");
	REJECT("FF", "\xff");
	REJECT("lone continuation", "\x80");
	REJECT("continuation after ASCII", "a\xbf");
	REJECT("truncated 2-byte", "\xc3");
	REJECT("truncated 3-byte", "\xe4\xb8");
	REJECT("truncated 4-byte", "\xf0\x9f\x98");
	REJECT("truncated at the end of text", "王小\xe6\x98");
	REJECT("ASCII inside a sequence", "\xe4"
					  "a"
					  "\xad");
	REJECT("Latin-1 instead of UTF-8", "M\xfcller");
	REJECT("GBK instead of UTF-8", "\xcd\xf5\xd0\xa1\xc3\xf7"); /* 王小明 in GBK */
}

static void test_utf8_rejects_controls_and_invisibles(void **state)
{
	(void)state;
	expect_rejected("NUL", "a\0b", 3);
	REJECT("SOH", "\x01");
	REJECT("TAB", "a\tb");
	REJECT("LF", "line\nbreak");
	REJECT("CR", "a\rb");
	REJECT("ESC (terminal escape)", "\x1b[31mred");
	REJECT("US", "\x1f");
	REJECT("DEL", "a\x7f");
	REJECT("C1 U+0080", "\xc2\x80");
	REJECT("C1 NEL U+0085", "\xc2\x85");
	REJECT("C1 U+009F", "\xc2\x9f");
	REJECT("soft hyphen U+00AD", "ab\xc2\xad"
				     "cd");
	REJECT("zero-width space U+200B", "王\xe2\x80\x8b小明");
	REJECT("zero-width non-joiner U+200C", "\xe2\x80\x8c");
	REJECT("zero-width joiner U+200D", "\xe2\x80\x8d");
	REJECT("LRM U+200E", "\xe2\x80\x8e");
	REJECT("RLM U+200F", "\xe2\x80\x8f");
	REJECT("LRE U+202A", "\xe2\x80\xaa");
	REJECT("RLO U+202E", "invoice\xe2\x80\xaegpj.exe");
	REJECT("word joiner U+2060", "\xe2\x81\xa0");
	REJECT("LRI U+2066", "\xe2\x81\xa6");
	REJECT("PDI U+2069", "\xe2\x81\xa9");
	REJECT("BOM U+FEFF at the start", "\xef\xbb\xbf"
					  "Zhang");
	REJECT("BOM U+FEFF inside", "Zh\xef\xbb\xbf"
				    "ang");
	REJECT("Mongolian vowel separator U+180E", "\xe1\xa0\x8e");
	REJECT("interlinear annotation U+FFF9", "\xef\xbf\xb9");
}

/* ---- valid_text ---- */

static const struct field f_name = { "name", F_REQ, 32, valid_text, NULL };
static const struct field f_six = { "short", 0, 6, valid_text, NULL };

static void test_text_trims_and_copies(void **state)
{
	struct fval out;
	(void)state;
	const char *raw = "  王小明 \t";
	assert_null(run(&f_name, raw, &out));
	assert_string_equal(out.s, "王小明");
	assert_int_equal(out.len, 9);
	/* The value is an arena copy, NUL-terminated, not a pointer into the input. */
	assert_true(out.s < raw || out.s >= raw + strlen(raw));
	assert_null(run(&f_name, "Zhang  San", &out));
	assert_string_equal(out.s, "Zhang  San"); /* inner spaces kept */
}

static void test_text_rejections(void **state)
{
	(void)state;
	expect_code(&f_name, "", "EMPTY");
	expect_code(&f_name, "    ", "EMPTY");
	expect_code(&f_name, " \t \t", "EMPTY");
	expect_code(&f_name, "Zhang\tSan", "INVALID_CHARACTERS");
	expect_code(&f_name, "Zhang\nSan", "INVALID_CHARACTERS");
	expect_code(&f_name, "\xc0\xaf", "INVALID_CHARACTERS");
	expect_code(&f_name, "王\xe2\x80\x8b小明", "INVALID_CHARACTERS");
	expect_code(&f_name, "abc\xe2\x80\xae", "INVALID_CHARACTERS");
	expect_code(&f_name,
		    "\xef\xbb\xbf"
		    "abc",
		    "INVALID_CHARACTERS");
	expect_code(&f_name, "x\x7f", "INVALID_CHARACTERS");
}

static void test_text_maxlen_in_bytes(void **state)
{
	struct fval out;
	(void)state;
	assert_null(run(&f_six, "王小", &out));    /* 6 bytes */
	expect_code(&f_six, "王小明", "TOO_LONG"); /* 3 characters, 9 bytes */
	assert_null(run(&f_six, "abcdef", &out));
	expect_code(&f_six, "abcdefg", "TOO_LONG");
	/* The bound applies after trimming. */
	assert_null(run(&f_six, "   abcdef   ", &out));
	assert_string_equal(out.s, "abcdef");
}

/* ---- fields_validate ---- */

enum { F_NAME, F_AGE, F_COLOR, F_CONSENT, F_NOTE, F__MAX };
static const struct field form[F__MAX] = {
	[F_NAME] = { "name", F_REQ, 32, valid_text, NULL }, [F_AGE] = { "age", F_REQ, 3, valid_int, &age_range },
	[F_COLOR] = { "color", 0, 8, valid_enum, colors },  [F_CONSENT] = { "consent", F_REQ, 5, valid_bool, NULL },
	[F_NOTE] = { "note", 0, 64, valid_text, NULL },
};

struct vcase {
	struct call c;
	struct kvlist in;
	struct fval out[F__MAX];
};

/* Parses q like a query string and validates it against form. */
static enum err validate(struct vcase *v, const char *q)
{
	memset(v, 0, sizeof *v);
	v->c.arena = &arena;
	v->c.content_length = -1;
	assert_int_equal(kv_parse_urlencoded(&arena, q, strlen(q), &v->in), KV_OK);
	return fields_validate(&v->c, form, F__MAX, &v->in, v->out);
}

static void assert_ferr(const struct call *c, size_t i, const char *field, const char *code)
{
	assert_true(i < c->nferr);
	assert_string_equal(c->ferr[i].field, field);
	assert_string_equal(c->ferr[i].code, code);
}

static void test_fields_all_valid(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, "name=+%E7%8E%8B%E5%B0%8F%E6%98%8E+&age=34&color=yellow&consent=yes"
				     "&utm_source=wechat&_=1700000000"),
			 ERR_OK);
	assert_int_equal(v->c.nferr, 0);
	assert_true(v->out[F_NAME].present);
	assert_string_equal(v->out[F_NAME].s, "王小明");
	assert_true(v->out[F_AGE].present);
	assert_int_equal(v->out[F_AGE].i, 34);
	assert_int_equal(v->out[F_COLOR].i, 1);
	assert_int_equal(v->out[F_CONSENT].i, 1);
	/* An optional field that was not sent is absent, not an error. */
	assert_false(v->out[F_NOTE].present);
	free(v);
}

static void test_fields_all_failures_at_once(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	/* name hides an RLO, age is out of range, color is unknown, consent is missing,
	 * note is too long for its raw bound. */
	assert_int_equal(validate(v, "name=abc%E2%80%AE&age=200&color=blue"
				     "&note=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
			 ERR_VALIDATION);
	assert_int_equal(v->c.nferr, 5);
	assert_ferr(&v->c, 0, "name", "INVALID_CHARACTERS");
	assert_ferr(&v->c, 1, "age", "OUT_OF_RANGE");
	assert_ferr(&v->c, 2, "color", "NOT_ALLOWED");
	assert_ferr(&v->c, 3, "consent", "REQUIRED");
	assert_ferr(&v->c, 4, "note", "TOO_LONG");
	for (int i = 0; i < F__MAX; i++)
		assert_false(v->out[i].present);
	free(v);
}

static void test_fields_some_failures(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, "name=Li+Lei&age=abc&consent=true"), ERR_VALIDATION);
	assert_int_equal(v->c.nferr, 1);
	assert_ferr(&v->c, 0, "age", "NOT_AN_INTEGER");
	/* The valid fields are still filled. */
	assert_true(v->out[F_NAME].present);
	assert_string_equal(v->out[F_NAME].s, "Li Lei");
	assert_true(v->out[F_CONSENT].present);
	assert_false(v->out[F_AGE].present);
	free(v);
}

static void test_fields_required_missing_or_empty(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, ""), ERR_VALIDATION);
	assert_int_equal(v->c.nferr, 3);
	assert_ferr(&v->c, 0, "name", "REQUIRED");
	assert_ferr(&v->c, 1, "age", "REQUIRED");
	assert_ferr(&v->c, 2, "consent", "REQUIRED");
	/* An empty value of a required field is missing too; a key without '=' is empty. */
	assert_int_equal(validate(v, "name=&age=1&consent"), ERR_VALIDATION);
	assert_int_equal(v->c.nferr, 2);
	assert_ferr(&v->c, 0, "name", "REQUIRED");
	assert_ferr(&v->c, 1, "consent", "REQUIRED");
	free(v);
}

static void test_fields_duplicate(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	assert_int_equal(validate(v, "name=A&age=3&age=4&consent=1"), ERR_DUPLICATE_FIELD);
	assert_true(v->c.nferr >= 1);
	assert_ferr(&v->c, 0, "age", "DUPLICATE_FIELD");
	/* Even when both copies agree. */
	assert_int_equal(validate(v, "name=A&age=3&consent=1&consent=1"), ERR_DUPLICATE_FIELD);
	assert_ferr(&v->c, 0, "consent", "DUPLICATE_FIELD");
	free(v);
}

static void test_fields_unknown_keys_ignored(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	/* Undeclared keys, even repeated or invalid, neither fail nor reach the values. */
	assert_int_equal(validate(v, "debug=1&debug=2&admin=true&name=A&age=3&consent=no&Name=%E2%80%8B"), ERR_OK);
	assert_int_equal(v->c.nferr, 0);
	assert_string_equal(v->out[F_NAME].s, "A");
	assert_int_equal(v->out[F_CONSENT].i, 0);
	free(v);
}

static void test_fields_raw_maxlen(void **state)
{
	struct vcase *v = malloc(sizeof *v);
	(void)state;
	assert_non_null(v);
	/* "0034" is in range but longer than the field's raw bound of 3 bytes. */
	assert_int_equal(validate(v, "name=A&age=0034&consent=1"), ERR_VALIDATION);
	assert_int_equal(v->c.nferr, 1);
	assert_ferr(&v->c, 0, "age", "TOO_LONG");
	free(v);
}

/* ---- a JSON object's members (json_members, fields_validate_json, F_STR, F_JSON) ---- */

/* The member the JSON field's check was last given. */
static const cJSON *seen;

/* A JSON field's check that keeps what it was given: out->i the member's cJSON type (0 when left
 * out), out->s a string's text. "NO" for a member that is false, so that a refusal shows. */
static const char *json_kept(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const cJSON *j = item;
	(void)f;
	(void)a;
	seen = j;
	out->i = j != NULL ? j->type : 0;
	out->s = cJSON_IsString(j) ? j->valuestring : NULL;
	return cJSON_IsFalse(j) ? "NO" : NULL;
}

static const struct field json_table[] = {
	JSON_FIELD("n", 0, json_kept, NULL),
	{ "s", F_STR, 64, valid_raw, NULL },
	{ "b", 0, 8, valid_bool, NULL },
	JSON_FIELD("r", F_REQ, json_kept, NULL),
	JSON_FIELD("a", F_ABSENT, json_kept, NULL),
};
enum { JN, JS, JB, JR, JA, J__MAX };

/* The object last validated: a string's value points into it, as into a body for its call. */
static cJSON *held;

/* Validates the object text against json_table; out gets the values. */
static enum err json_validate(struct call *c, const char *text, struct fval *out)
{
	memset(c, 0, sizeof *c);
	c->arena = &arena;
	cJSON_Delete(held);
	held = cJSON_Parse(text);
	assert_non_null(held);
	return fields_validate_json(c, json_table, J__MAX, held, out);
}

static void test_fields_json_members(void **state)
{
	struct call c;
	struct fval out[J__MAX];
	(void)state;
	/* F_JSON: the check gets the member itself, so that "1" is not 1. */
	assert_int_equal(json_validate(&c, "{\"n\":\"1\",\"s\":\"x\",\"b\":true,\"r\":1,\"a\":2}", out), ERR_OK);
	assert_int_equal(out[JN].i, cJSON_String);
	assert_string_equal(out[JN].s, "1");
	assert_string_equal(out[JS].s, "x");
	assert_int_equal(out[JB].i, 1);
	assert_ptr_equal(seen, cJSON_GetObjectItem(held, "a")); /* the body's own member, not a copy */
	assert_int_equal(out[JA].i, cJSON_Number);
	assert_int_equal(json_validate(&c, "{\"n\":1,\"r\":{\"a\":[1,\"\\n\"]}}", out), ERR_OK);
	assert_int_equal(out[JN].i, cJSON_Number);
	assert_int_equal(out[JR].i, cJSON_Object);
	assert_ptr_equal(seen, NULL); /* "a" left out: F_ABSENT, judged as such */
	assert_true(out[JA].present);
	assert_int_equal(out[JA].i, 0);
	/* null is absent, for F_JSON too: a required one is REQUIRED, its check not asked. */
	assert_int_equal(json_validate(&c, "{\"n\":null,\"s\":null,\"r\":null,\"a\":null}", out), ERR_VALIDATION);
	assert_false(out[JN].present);
	assert_false(out[JS].present);
	assert_int_equal(c.nferr, 1);
	assert_ferr(&c, 0, "r", "REQUIRED");
	/* The check's word names the field. */
	assert_int_equal(json_validate(&c, "{\"r\":false}", out), ERR_VALIDATION);
	assert_ferr(&c, 0, "r", "NO");
	assert_false(out[JR].present);
	/* F_STR: a member of another type is refused by its type. */
	assert_int_equal(json_validate(&c, "{\"s\":1,\"r\":1}", out), ERR_VALIDATION);
	assert_ferr(&c, 0, "s", "NOT_A_STRING");
	/* A member given twice, even once as null, is a duplicate. */
	assert_int_equal(json_validate(&c, "{\"n\":null,\"n\":2,\"r\":1}", out), ERR_DUPLICATE_FIELD);
	assert_ferr(&c, 0, "n", "DUPLICATE_FIELD");
	assert_false(out[JN].present);
	/* Not an object, or more members than a request may have (undeclared ones count). */
	assert_int_equal(json_validate(&c, "[1]", out), ERR_BAD_JSON);
	char many[REQ_PAIRS_MAX * 12 + 16];
	size_t n = (size_t)snprintf(many, sizeof many, "{\"r\":1");
	for (int i = 1; i <= REQ_PAIRS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, ",\"k%d\":1", i);
	snprintf(many + n, sizeof many - n, "}");
	assert_int_equal(json_validate(&c, many, out), ERR_BAD_JSON);
	/* REQ_PAIRS_MAX members are not too many, nor are nulls past them. */
	n = (size_t)snprintf(many, sizeof many, "{\"r\":1");
	for (int i = 1; i < REQ_PAIRS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, ",\"k%d\":1", i);
	snprintf(many + n, sizeof many - n, ",\"z\":null}");
	assert_int_equal(json_validate(&c, many, out), ERR_OK);
	cJSON_Delete(held);
	held = NULL;
}

/* Validates a body text as the router does: parsed into c->json from c->body (len bytes, which
 * may hold a raw NUL), judged by json_table. */
static enum err body_validate(struct call *c, const char *text, size_t len, struct fval *out)
{
	memset(c, 0, sizeof *c);
	c->arena = &arena;
	cJSON_Delete(held);
	held = cJSON_ParseWithLength(text, len);
	assert_non_null(held);
	c->json = held;
	c->body = arena_alloc(&arena, len + 1);
	assert_non_null(c->body);
	memcpy(c->body, text, len + 1);
	c->body_len = len;
	return fields_validate_json(c, json_table, J__MAX, held, out);
}

/* A NUL in a declared member's key or in any string of its value (raw or "\u0000") is
 * INVALID_CHARACTERS, not a string read cut short; in an undeclared member it is nobody's
 * business; NOT_A_STRING comes first. */
static void test_fields_json_nul(void **state)
{
	struct call c;
	struct fval out[J__MAX];
	(void)state;
	static const char *const bad[] = {
		"{\"s\":\"ab\\u0000cd\",\"r\":1}",
		"{\"s\0x\":\"ab\",\"r\":1}",
		"{\"s\\u0000x\":\"ab\",\"r\":1}",
		"{\"s\":\"\\u0000\",\"r\":1}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = strlen(bad[i]);
		if (i == 1)
			len = sizeof "{\"s\0x\":\"ab\",\"r\":1}" - 1; /* the raw NUL is part of the body */
		char text[64];
		memcpy(text, bad[i], len + 1);
		assert_int_equal(body_validate(&c, text, len, out), ERR_VALIDATION);
		assert_int_equal(c.nferr, 1);
		assert_ferr(&c, 0, "s", "INVALID_CHARACTERS");
		assert_false(out[JS].present);
	}
	/* A "\u" without four hexadecimal digits is read by the parser as a NUL too. */
	const char *zz = "{\"s\":\"ab\\uZZZZcd\",\"r\":1}";
	assert_int_equal(body_validate(&c, zz, strlen(zz), out), ERR_VALIDATION);
	assert_ferr(&c, 0, "s", "INVALID_CHARACTERS");
	/* A null member is absent, whatever its name held. */
	zz = "{\"n\\u0000x\":null,\"r\":1}";
	assert_int_equal(body_validate(&c, zz, strlen(zz), out), ERR_OK);
	assert_false(out[JN].present);
	/* F_JSON members: anywhere inside, a key or a string of a list or object. */
	const char *t = "{\"r\":{\"k\":[1,\"x\\u0000\"]},\"n\":{\"a\\u0000\":2},\"a\":\"ok\"}";
	assert_int_equal(body_validate(&c, t, strlen(t), out), ERR_VALIDATION);
	assert_int_equal(c.nferr, 2);
	assert_ferr(&c, 0, "n", "INVALID_CHARACTERS");
	assert_ferr(&c, 1, "r", "INVALID_CHARACTERS");
	assert_true(out[JA].present);
	/* Escaped backslashes before "u0000", a NUL in an undeclared member, or a member of another
	 * type: not the field's NUL. */
	t = "{\"s\":\"a\\\\u0000\",\"x\":\"\\u0000\",\"r\":1}";
	assert_int_equal(body_validate(&c, t, strlen(t), out), ERR_OK);
	assert_string_equal(out[JS].s, "a\\u0000");
	t = "{\"s\":[\"\\u0000\"],\"r\":1}";
	assert_int_equal(body_validate(&c, t, strlen(t), out), ERR_VALIDATION);
	assert_ferr(&c, 0, "s", "NOT_A_STRING");
	/* An item of a list judged on its own (a batch's scan) is judged by its own strings. */
	t = "{\"r\":1,\"items\":[{\"s\":\"ok\",\"r\":2},{\"s\":\"b\\u0000\",\"r\":3}]}";
	assert_int_equal(body_validate(&c, t, strlen(t), out), ERR_OK);
	const cJSON *items = cJSON_GetObjectItem(held, "items");
	assert_int_equal(fields_validate_json(&c, json_table, J__MAX, cJSON_GetArrayItem(items, 0), out), ERR_OK);
	assert_int_equal(fields_validate_json(&c, json_table, J__MAX, cJSON_GetArrayItem(items, 1), out),
			 ERR_VALIDATION);
	assert_ferr(&c, 0, "s", "INVALID_CHARACTERS");
	cJSON_Delete(held);
	held = NULL;
}

/* json_members lists what the table reads as text: its declared fields' members but the F_JSON
 * ones; a string as it is, a boolean as its word, any other value as its JSON. */
static void test_json_members_text(void **state)
{
	struct kvlist in;
	(void)state;
	cJSON *o = cJSON_Parse("{\"n\":{\"k\":1},\"s\":[1, 2],\"b\":false,\"x\":\"undeclared\",\"r\":null}");
	assert_non_null(o);
	assert_int_equal(json_members(&arena, o, json_table, J__MAX, &in), ERR_OK);
	assert_int_equal(in.n, 2);
	assert_string_equal(in.items[0].key, "s");
	assert_string_equal(in.items[0].val, "[1,2]");
	assert_string_equal(in.items[1].key, "b");
	assert_string_equal(in.items[1].val, "false");
	assert_int_equal(in.items[1].len, 5);
	cJSON_Delete(o);
	o = cJSON_Parse("\"text\"");
	assert_int_equal(json_members(&arena, o, json_table, J__MAX, &in), ERR_BAD_JSON);
	cJSON_Delete(o);
}

static void test_path_id(void **state)
{
	(void)state;
	assert_int_equal(path_id_parse("1"), 1);
	assert_int_equal(path_id_parse("42"), 42);
	assert_true(path_id_parse("9223372036854775807") == (uint64_t)INT64_MAX);
	assert_int_equal(path_id_parse("9223372036854775808"), 0);  /* 2^63 */
	assert_int_equal(path_id_parse("9999999999999999999"), 0);  /* 19 digits past 2^63 */
	assert_int_equal(path_id_parse("10000000000000000000"), 0); /* 20 digits */
	assert_int_equal(path_id_parse("0"), 0);
	assert_int_equal(path_id_parse("007"), 0); /* one id has one spelling */
	assert_int_equal(path_id_parse(""), 0);
	assert_int_equal(path_id_parse(NULL), 0);
	assert_int_equal(path_id_parse("-1"), 0);
	assert_int_equal(path_id_parse("+1"), 0);
	assert_int_equal(path_id_parse("1 "), 0);
	assert_int_equal(path_id_parse("1.0"), 0);
	assert_int_equal(path_id_parse("0x10"), 0);
}

static void test_public_id(void **state)
{
	(void)state;
	const char *ok = "AZaz09-_AZaz09-_AZaz09";
	assert_int_equal(strlen(ok), PUBLIC_ID_LEN);
	assert_true(public_id_ok(ok, strlen(ok)));
	assert_false(public_id_ok(ok, strlen(ok) - 1));
	assert_false(public_id_ok("AZaz09-_AZaz09-_AZaz09A", PUBLIC_ID_LEN + 1));
	assert_false(public_id_ok("AZaz09-_AZaz09-_AZaz0+", PUBLIC_ID_LEN)); /* base64, not base64url */
	assert_false(public_id_ok("AZaz09-_AZaz09-_AZaz0=", PUBLIC_ID_LEN));
	assert_false(public_id_ok("AZaz09-_AZaz09-_AZaz0\0", PUBLIC_ID_LEN));
	assert_false(public_id_ok(NULL, PUBLIC_ID_LEN));
}

/* ---- login_next_ok, valid_next, valid_login_code ---- */

static const struct field f_next = { "next", 0, VALID_NEXT_MAX, valid_next, NULL };
static const struct field f_login_code = { "code", F_REQ, 128, valid_login_code, NULL };

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
	assert_null(valid_next(&f_next, &arena, p, strlen(p), &out));
	assert_string_equal(out.s, "/persons?x=1");
	assert_int_equal(out.len, strlen(p));
	assert_string_equal(valid_next(&f_next, &arena, "//evil.example", 14, &out), "NOT_A_LOCAL_PATH");
	assert_string_equal(valid_next(&f_next, &arena, "", 0, &out), "NOT_A_LOCAL_PATH");
	/* A NUL inside the value (a decoded %00 that slipped through) is not a path. */
	assert_string_equal(valid_next(&f_next, &arena, "/ok\0//evil.example", 18, &out), "NOT_A_LOCAL_PATH");
}

/* ---- valid_login_code ---- */

static const char *code_check(const char *v, size_t len)
{
	struct fval out;
	memset(&out, 0, sizeof out);
	const char *r = valid_login_code(&f_login_code, &arena, v, len, &out);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_range_edges),
		cmocka_unit_test(test_int_signs),
		cmocka_unit_test(test_int_not_numbers),
		cmocka_unit_test(test_int_overflow),
		cmocka_unit_test(test_int_fills_value),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_utf8_accepts_real_text),
		cmocka_unit_test(test_utf8_rejects_malformed),
		cmocka_unit_test(test_utf8_rejects_controls_and_invisibles),
		cmocka_unit_test(test_text_trims_and_copies),
		cmocka_unit_test(test_text_rejections),
		cmocka_unit_test(test_text_maxlen_in_bytes),
		cmocka_unit_test(test_fields_all_valid),
		cmocka_unit_test(test_fields_all_failures_at_once),
		cmocka_unit_test(test_fields_some_failures),
		cmocka_unit_test(test_fields_required_missing_or_empty),
		cmocka_unit_test(test_fields_duplicate),
		cmocka_unit_test(test_fields_unknown_keys_ignored),
		cmocka_unit_test(test_fields_raw_maxlen),
		cmocka_unit_test(test_fields_json_members),
		cmocka_unit_test(test_json_members_text),
		cmocka_unit_test(test_fields_json_nul),
		cmocka_unit_test(test_path_id),
		cmocka_unit_test(test_public_id),
		cmocka_unit_test(test_next_local_paths),
		cmocka_unit_test(test_next_other_sites),
		cmocka_unit_test(test_next_bad_bytes),
		cmocka_unit_test(test_valid_next),
		cmocka_unit_test(test_login_code_accepted),
		cmocka_unit_test(test_login_code_refused),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
