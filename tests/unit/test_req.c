/* test_req.c: unit tests of req.c: urlencoded pairs, cookies, kv lookups, percent-coding and the call's accessors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

#include "unit_arena.h"

struct fx {
	struct kvlist l;
};

/* Each test starts from an empty arena (the group's, unit_arena.h) and a zeroed fixture. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	arena_reset(&arena);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static enum kv_err parse_q(struct fx *f, const char *s)
{
	return kv_parse_urlencoded(&arena, s, strlen(s), &f->l);
}

static enum kv_err parse_c(struct fx *f, const char *s)
{
	return kv_parse_cookies(&arena, s, strlen(s), &f->l);
}

static void assert_pair(const struct kvlist *l, size_t i, const char *k, const char *v)
{
	assert_true(i < l->n);
	assert_string_equal(l->items[i].key, k);
	assert_string_equal(l->items[i].val, v);
	assert_int_equal(l->items[i].len, strlen(v));
}

/* A string of n copies of unit. Freed by the caller. */
static char *repeat(const char *prefix, const char *unit, size_t n)
{
	size_t pl = strlen(prefix), ul = strlen(unit);
	char *s = malloc(pl + ul * n + 1);
	assert_non_null(s);
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + pl + i * ul, unit, ul);
	s[pl + ul * n] = '\0';
	return s;
}

/* ---- kv_parse_urlencoded ---- */

static void test_query_plain(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "page=2&size=20&sort=created_at"), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "page", "2");
	assert_pair(&f->l, 1, "size", "20");
	assert_pair(&f->l, 2, "sort", "created_at");
}

static void test_query_plus_is_space(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "q=Zhang+San&note=a+b+c"), KV_OK);
	assert_pair(&f->l, 0, "q", "Zhang San");
	assert_pair(&f->l, 1, "note", "a b c");
}

static void test_query_percent_escapes(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "redirect=%2Fapi%2Fv1%2Fpersons%3Fx%3D1%26y%3D2&a%2Bb=c%2b&pct=100%25"), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "redirect", "/api/v1/persons?x=1&y=2");
	assert_pair(&f->l, 1, "a+b", "c+");
	assert_pair(&f->l, 2, "pct", "100%");
}

static void test_query_utf8_percent_encoded(void **state)
{
	struct fx *f = *state;
	/* 王小明 and 上海市 as a browser sends them, plus an emoji. */
	assert_int_equal(parse_q(f, "name=%E7%8E%8B%E5%B0%8F%E6%98%8E&city=%E4%B8%8A%E6%B5%B7%E5%B8%82&m=%F0%9F%98%B7"),
			 KV_OK);
	assert_pair(&f->l, 0, "name", "王小明");
	assert_pair(&f->l, 1, "city", "上海市");
	assert_pair(&f->l, 2, "m", "😷");
	assert_int_equal(f->l.items[0].len, 9);
}

static void test_query_bad_escapes(void **state)
{
	static const char *const bad[] = {
		"a=%zz", "a=%4", "a=%", "a=1&b=%G1", "%zz=1", "a=%%41", "a=x%2", "k%=v",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_q(f, bad[i]) != KV_MALFORMED)
			fail_msg("\"%s\" was not KV_MALFORMED", bad[i]);
	}
}

static void test_query_decoded_nul(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "id=abc%00def"), KV_MALFORMED);
	assert_int_equal(parse_q(f, "a%00b=1"), KV_MALFORMED);
	assert_int_equal(parse_q(f, "a=%00"), KV_MALFORMED);
	/* A raw NUL inside the given length is refused as well. */
	assert_int_equal(kv_parse_urlencoded(&arena, "a=b\0c", 5, &f->l), KV_MALFORMED);
}

static void test_query_empty_pairs_skipped(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "&a=1&&b=2&&&"), KV_OK);
	assert_int_equal(f->l.n, 2);
	assert_pair(&f->l, 0, "a", "1");
	assert_pair(&f->l, 1, "b", "2");
	assert_int_equal(parse_q(f, ""), KV_OK);
	assert_int_equal(f->l.n, 0);
	assert_int_equal(parse_q(f, "&&&"), KV_OK);
	assert_int_equal(f->l.n, 0);
}

static void test_query_key_without_equals(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "debug&x=1&flag"), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "debug", "");
	assert_pair(&f->l, 1, "x", "1");
	assert_pair(&f->l, 2, "flag", "");
	/* An explicit empty value, and '=' inside a value. */
	assert_int_equal(parse_q(f, "a=&token=YWJj==&b"), KV_OK);
	assert_pair(&f->l, 0, "a", "");
	assert_pair(&f->l, 1, "token", "YWJj==");
	assert_pair(&f->l, 2, "b", "");
	/* A pair with an empty name cannot name a field. */
	assert_int_equal(parse_q(f, "=1"), KV_MALFORMED);
}

static void test_query_too_many_pairs(void **state)
{
	struct fx *f = *state;
	char *s = repeat("", "k=v&", REQ_PAIRS_MAX);
	assert_int_equal(parse_q(f, s), KV_OK);
	assert_int_equal(f->l.n, REQ_PAIRS_MAX);
	free(s);
	s = repeat("", "k=v&", REQ_PAIRS_MAX + 1);
	assert_int_equal(parse_q(f, s), KV_TOO_MANY);
	free(s);
	/* Empty pairs do not count towards the bound. */
	s = repeat("&&&&&&&&&&&&&&&&&&&&", "k=v&", REQ_PAIRS_MAX);
	assert_int_equal(parse_q(f, s), KV_OK);
	free(s);
}

static void test_query_overlong_key(void **state)
{
	struct fx *f = *state;
	char *k = repeat("", "k", REQ_KEY_MAX);
	char buf[256];
	snprintf(buf, sizeof buf, "%s=1", k);
	assert_int_equal(parse_q(f, buf), KV_OK);
	assert_int_equal(strlen(f->l.items[0].key), REQ_KEY_MAX);
	snprintf(buf, sizeof buf, "%sk=1", k);
	assert_int_equal(parse_q(f, buf), KV_TOO_LONG);
	free(k);
	/* The bound is on the decoded key: 64 escaped bytes fit, 65 do not. */
	char *ek = repeat("", "%41", REQ_KEY_MAX);
	snprintf(buf, sizeof buf, "%s=1", ek);
	assert_int_equal(parse_q(f, buf), KV_OK);
	free(ek);
	ek = repeat("", "%41", REQ_KEY_MAX + 1);
	char *q = repeat(ek, "=1", 1);
	assert_int_equal(parse_q(f, q), KV_TOO_LONG);
	free(q);
	free(ek);
}

static void test_query_overlong_value(void **state)
{
	struct fx *f = *state;
	char *s = repeat("v=", "x", REQ_VALUE_MAX);
	assert_int_equal(parse_q(f, s), KV_OK);
	assert_int_equal(f->l.items[0].len, REQ_VALUE_MAX);
	free(s);
	s = repeat("v=", "x", REQ_VALUE_MAX + 1);
	assert_int_equal(parse_q(f, s), KV_TOO_LONG);
	free(s);
	/* 2048 CJK characters percent-encoded decode to 6144 bytes: over the bound. */
	s = repeat("v=", "%E4%B8%AD", REQ_VALUE_MAX);
	assert_int_equal(parse_q(f, s), KV_TOO_LONG);
	free(s);
	/* 682 of them (2046 bytes) fit. */
	s = repeat("v=", "%E4%B8%AD", REQ_VALUE_MAX / 3);
	assert_int_equal(parse_q(f, s), KV_OK);
	assert_int_equal(f->l.items[0].len, REQ_VALUE_MAX / 3 * 3);
	free(s);
	/* A huge value is refused before anything is decoded. */
	s = repeat("v=", "x", 100000);
	assert_int_equal(parse_q(f, s), KV_TOO_LONG);
	free(s);
}

static void test_query_nomem(void **state)
{
	struct arena small;
	struct kvlist l;
	(void)state;
	arena_init(&small, 64);
	assert_int_equal(kv_parse_urlencoded(&small, "a=1&b=2&c=3&d=4&e=5", 19, &l), KV_NOMEM);
	arena_free(&small);
}

static void test_query_length_bounds_input(void **state)
{
	struct fx *f = *state;
	/* Only the first len bytes are parsed: the rest of the buffer is not the query. */
	const char *s = "a=1&b=2#fragment";
	assert_int_equal(kv_parse_urlencoded(&arena, s, 7, &f->l), KV_OK);
	assert_int_equal(f->l.n, 2);
	assert_pair(&f->l, 1, "b", "2");
}

/* ---- kv_parse_cookies ---- */

static void test_cookies_several(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_c(f, "hqr_session=3f9a0c1e8b7d; theme=dark; lang=zh-CN"), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "hqr_session", "3f9a0c1e8b7d");
	assert_pair(&f->l, 1, "theme", "dark");
	assert_pair(&f->l, 2, "lang", "zh-CN");
}

static void test_cookies_quoted_value(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_c(f, "pref=\"compact\"; e=\"\"; sid=abc"), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "pref", "compact");
	assert_pair(&f->l, 1, "e", "");
	assert_pair(&f->l, 2, "sid", "abc");
}

static void test_cookies_values_not_decoded(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_c(f, "tok=YWJjZA==; enc=%E4%B8%AD; empty="), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "tok", "YWJjZA==");
	assert_pair(&f->l, 1, "enc", "%E4%B8%AD");
	assert_pair(&f->l, 2, "empty", "");
}

static void test_cookies_invalid_skipped(void **state)
{
	struct fx *f = *state;
	/* Names with a space, '(' or '@', values with a space, comma, backslash, DQUOTE or raw
	 * UTF-8, a pair without '=' and one without a name: all dropped, the good ones kept. */
	const char *h = "bad name=1; sid=ok1; a(b=2; x@y=3; v=two words; w=a,b; z=a\\b; "
			"q=ab\"c; u=\xe4\xb8\xad; justtext; =anon; \"=4; theme=ok2";
	assert_int_equal(parse_c(f, h), KV_OK);
	assert_int_equal(f->l.n, 2);
	assert_pair(&f->l, 0, "sid", "ok1");
	assert_pair(&f->l, 1, "theme", "ok2");
}

static void test_cookies_overlong_name_skipped(void **state)
{
	struct fx *f = *state;
	char *name = repeat("", "n", REQ_KEY_MAX + 1);
	char buf[512];
	snprintf(buf, sizeof buf, "%s=1; sid=abc", name);
	assert_int_equal(parse_c(f, buf), KV_OK);
	assert_int_equal(f->l.n, 1);
	assert_pair(&f->l, 0, "sid", "abc");
	free(name);
}

static void test_cookies_overlong_header(void **state)
{
	struct fx *f = *state;
	char *h = repeat("sid=abc; big=", "x", REQ_COOKIE_MAX - 13);
	assert_int_equal(strlen(h), REQ_COOKIE_MAX);
	assert_int_equal(parse_c(f, h), KV_OK);
	assert_int_equal(f->l.n, 2);
	free(h);
	h = repeat("sid=abc; big=", "x", REQ_COOKIE_MAX - 12);
	assert_int_equal(parse_c(f, h), KV_TOO_LONG);
	assert_int_equal(f->l.n, 0);
	free(h);
}

static void test_cookies_spaces(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_c(f, "   sid=abc  ;\ttheme=dark\t;lang=en   ;  ;;  "), KV_OK);
	assert_int_equal(f->l.n, 3);
	assert_pair(&f->l, 0, "sid", "abc");
	assert_pair(&f->l, 1, "theme", "dark");
	assert_pair(&f->l, 2, "lang", "en");
	assert_int_equal(parse_c(f, ""), KV_OK);
	assert_int_equal(f->l.n, 0);
	assert_int_equal(parse_c(f, "    "), KV_OK);
	assert_int_equal(f->l.n, 0);
}

/* ---- kv_get / kv_count ---- */

static void test_kv_get_count(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse_q(f, "id=1&tag=a&id=2&tag=b&tag=c&name=x"), KV_OK);
	assert_int_equal(kv_count(&f->l, "id"), 2);
	assert_int_equal(kv_count(&f->l, "tag"), 3);
	assert_int_equal(kv_count(&f->l, "name"), 1);
	assert_int_equal(kv_count(&f->l, "missing"), 0);
	const struct kv *kv = kv_get(&f->l, "id");
	assert_non_null(kv);
	assert_string_equal(kv->val, "1"); /* the first one */
	assert_null(kv_get(&f->l, "missing"));
	/* Exact, case-sensitive names; no prefix matches. */
	assert_null(kv_get(&f->l, "ID"));
	assert_null(kv_get(&f->l, "i"));
	assert_null(kv_get(&f->l, "names"));
	struct kvlist empty = { .n = 0 };
	assert_null(kv_get(&empty, "id"));
	assert_int_equal(kv_count(&empty, "id"), 0);
}

/* ---- pct_decode / pct_encode ---- */

static void test_pct_decode(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(pct_decode("a+b%20c", 7, out, 1), 5);
	assert_string_equal(out, "a b c");
	assert_int_equal(pct_decode("a+b%20c", 7, out, 0), 5);
	assert_string_equal(out, "a+b c");
	assert_int_equal(pct_decode("%e4%B8%ad", 9, out, 0), 3);
	assert_string_equal(out, "中");
	assert_int_equal(pct_decode("", 0, out, 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(pct_decode("%41", 3, out, 0), 1);
	assert_string_equal(out, "A");
	assert_int_equal(pct_decode("ab%4", 4, out, 0), -1);
	assert_int_equal(pct_decode("%", 1, out, 0), -1);
	assert_int_equal(pct_decode("%zz", 3, out, 0), -1);
	assert_int_equal(pct_decode("%00", 3, out, 0), -1);
	assert_int_equal(pct_decode("%-1", 3, out, 0), -1);
	/* The length bounds the input: an escape cut by len is bad. */
	assert_int_equal(pct_decode("%41", 2, out, 0), -1);
}

static void test_pct_encode(void **state)
{
	(void)state;
	char *e = pct_encode(&arena, "a b&c=d/é+~._-");
	assert_non_null(e);
	assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9%2B~._-");
	e = pct_encode(&arena, "");
	assert_non_null(e);
	assert_string_equal(e, "");
	e = pct_encode(&arena, "AZaz09");
	assert_string_equal(e, "AZaz09");
}

static void test_pct_round_trip(void **state)
{
	struct fx *f = *state;
	static const char *const samples[] = {
		"王小明 <wang@example.cn>",
		"https://hqr.example.org/api/v1/persons?id=1&x=a+b#top",
		"100% 😷 \"quoted\" 'single' \\ back",
		"line1\r\nline2\ttab",
		"~unreserved-._",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char *e = pct_encode(&arena, samples[i]);
		assert_non_null(e);
		for (const char *p = e; *p != '\0'; p++)
			assert_non_null(
			    strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%", *p));
		for (int plus = 0; plus <= 1; plus++) {
			char *d = arena_alloc(&arena, strlen(e) + 1);
			assert_non_null(d);
			assert_int_equal(pct_decode(e, strlen(e), d, plus), (long)strlen(samples[i]));
			assert_string_equal(d, samples[i]);
		}
	}
	/* Every byte value but NUL survives the round trip. */
	char all[256];
	for (int b = 1; b < 256; b++)
		all[b - 1] = (char)b;
	all[255] = '\0';
	char *e = pct_encode(&arena, all);
	assert_non_null(e);
	char d[256];
	assert_int_equal(pct_decode(e, strlen(e), d, 1), 255);
	assert_memory_equal(d, all, 256);
	/* And through the form parser too. */
	char *q = arena_printf(&arena, "v=%s", e);
	assert_non_null(q);
	assert_int_equal(parse_q(f, q), KV_OK);
	assert_memory_equal(f->l.items[0].val, all, 256);
}

static void test_pct_encode_at_cap(void **state)
{
	struct arena small;
	(void)state;
	arena_init(&small, 32);
	assert_null(pct_encode(&small, "a string that needs far more than thirty-two bytes"));
	arena_free(&small);
}

/* ---- the call's accessors ---- */

static void test_call_field_error_bound(void **state)
{
	(void)state;
	struct call *c = arena_alloc(&arena, sizeof *c);
	assert_non_null(c);
	c->arena = &arena;
	call_field_error(c, "id_number", "ID_CHECKSUM");
	assert_int_equal(c->nferr, 1);
	assert_string_equal(c->ferr[0].field, "id_number");
	assert_string_equal(c->ferr[0].code, "ID_CHECKSUM");
	static char names[REQ_FIELD_ERRS + 10][16];
	for (int i = 1; i < REQ_FIELD_ERRS + 10; i++) {
		snprintf(names[i], sizeof names[i], "f%d", i);
		call_field_error(c, names[i], "REQUIRED");
	}
	/* Extra errors are dropped; the first ones are kept in order. */
	assert_int_equal(c->nferr, REQ_FIELD_ERRS);
	assert_string_equal(c->ferr[0].field, "id_number");
	assert_string_equal(c->ferr[1].field, "f1");
	assert_string_equal(c->ferr[REQ_FIELD_ERRS - 1].field, names[REQ_FIELD_ERRS - 1]);
}

static void test_call_param_and_cookie(void **state)
{
	(void)state;
	static char e1[] = "REQUEST_METHOD=GET";
	static char e2[] = "HTTP_COOKIE2=ignored=1";
	static char e3[] = "HTTP_COOKIE=lang=zh-CN; hqr_session=9c2f; lang=en";
	static char e4[] = "HTTP_X_REQUESTED_WITH=hqr";
	static char e5[] = "QUERY_STRING=";
	char *env[] = { e1, e2, e3, e4, e5, NULL };
	struct call *c = arena_alloc(&arena, sizeof *c);
	assert_non_null(c);
	c->arena = &arena;
	c->env = env;
	assert_string_equal(call_param(c, "REQUEST_METHOD"), "GET");
	assert_string_equal(call_param(c, "HTTP_X_REQUESTED_WITH"), "hqr");
	assert_string_equal(call_param(c, "QUERY_STRING"), "");
	assert_null(call_param(c, "REQUEST"));
	assert_null(call_param(c, "CONTENT_TYPE"));
	assert_string_equal(call_param(c, "HTTP_COOKIE"), "lang=zh-CN; hqr_session=9c2f; lang=en");
	assert_string_equal(call_cookie(c, "hqr_session"), "9c2f");
	assert_string_equal(call_cookie(c, "lang"), "zh-CN");
	assert_null(call_cookie(c, "ignored"));
	assert_null(call_cookie(c, "missing"));

	/* Without FastCGI params (a pure test) there are no headers and no cookies. */
	struct call *bare = arena_alloc(&arena, sizeof *bare);
	assert_non_null(bare);
	bare->arena = &arena;
	assert_null(call_param(bare, "HTTP_COOKIE"));
	assert_null(call_cookie(bare, "hqr_session"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_query_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_plus_is_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_percent_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_utf8_percent_encoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_bad_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_decoded_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_empty_pairs_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_key_without_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_too_many_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_overlong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_overlong_value, setup, teardown),
		cmocka_unit_test(test_query_nomem),
		cmocka_unit_test_setup_teardown(test_query_length_bounds_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_several, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_quoted_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_values_not_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_invalid_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_overlong_name_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_overlong_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_spaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kv_get_count, setup, teardown),
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test_setup_teardown(test_pct_encode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pct_round_trip, setup, teardown),
		cmocka_unit_test(test_pct_encode_at_cap),
		cmocka_unit_test_setup_teardown(test_call_field_error_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_param_and_cookie, setup, teardown),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
