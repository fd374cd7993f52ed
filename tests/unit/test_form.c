/* test_form.c: unit tests of form.c: boundaries, browser and curl bodies, every bound, strict framing, truncation and linear time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "form.h"
#include "req.h"

#define MiB       (1024u * 1024u)
#define PHOTO_MAX (2u * MiB)

#define UNIT_ARENA_SIZE (4u * MiB)
#include "unit_arena.h"

/* A string literal and its length, NUL bytes included. */
#define LIT(s) (s), (sizeof(s) - 1)

static const char *const file_fields[] = { "photo", NULL };

struct fx {
	struct kvlist l;
	struct form_file files[4];
	size_t nfiles;
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

/* A growable byte buffer for building bodies that hold NUL bytes. */
struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putrep(struct buf *b, const char *unit, size_t times)
{
	for (size_t i = 0; i < times; i++)
		puts_(b, unit);
}

/* A copy of b[0..n) in a block of exactly n bytes, so that ASan sees any read past the end. */
static char *exact(const char *b, size_t n)
{
	char *p = malloc(n ? n : 1);
	assert_non_null(p);
	if (n)
		memcpy(p, b, n);
	return p;
}

/* Parses body under boundary with the photo field list; the field list starts empty. */
static enum form_err parse_n(struct fx *f, const char *boundary, const char *body, size_t len, size_t max_files,
			     size_t max_bytes)
{
	arena_reset(&arena);
	f->l.n = 0;
	char *copy = exact(body, len);
	enum form_err e =
	    form_parse(&arena, boundary, copy, len, file_fields, max_files, max_bytes, &f->l, f->files, &f->nfiles);
	/* The file data points into the body: keep the copy alive only for the check below. */
	for (size_t i = 0; i < f->nfiles; i++) {
		assert_true((const char *)f->files[i].data >= copy);
		assert_true((const char *)f->files[i].data + f->files[i].len <= copy + len);
		f->files[i].data = (const uint8_t *)body + ((const char *)f->files[i].data - copy);
	}
	free(copy);
	return e;
}

static enum form_err parse(struct fx *f, const char *boundary, const char *body)
{
	return parse_n(f, boundary, body, strlen(body), 1, PHOTO_MAX);
}

static void assert_field(const struct kvlist *l, size_t i, const char *k, const char *v)
{
	assert_true(i < l->n);
	assert_string_equal(l->items[i].key, k);
	assert_string_equal(l->items[i].val, v);
	assert_int_equal(l->items[i].len, strlen(v));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- bodies as clients send them ---- */

#define CHROME_CT "multipart/form-data; boundary=----WebKitFormBoundaryq7NcE3bGxR2vKd9T"
#define CHROME_B  "----WebKitFormBoundaryq7NcE3bGxR2vKd9T"

/* A JPEG-like photo: SOI, APP0, NUL bytes, CR LF, "--" runs, and near-misses of the delimiter. */
static const char jpeg[] = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
			   "\r\n--\r\n\r\n----\x00--\r\n-"
			   "\r\n------WebKitFormBoundaryq7NcE3bGxR2vKd9"   /* the delimiter minus its last byte */
			   "\r\n------WebKitFormBoundaryq7NcE3bGxR2vKd9t"  /* wrong case in its last byte */
			   "\n------WebKitFormBoundaryq7NcE3bGxR2vKd9T"    /* LF without CR: not a delimiter */
			   "\r------WebKitFormBoundaryq7NcE3bGxR2vKd9T"    /* CR without LF */
			   "\r\r\n-----WebKitFormBoundaryq7NcE3bGxR2vKd9T" /* one dash short */
			   "\xFF\xDB\x00\x43\x00\r\n\x00\xFF\xD9";

/* The body Chromium sends for the application form (field order as in the page). */
static void chrome_body(struct buf *b)
{
	puts_(b, "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"for\"\r\n\r\n"
		 "self\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"name\"\r\n\r\n"
		 "张三\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"id_number\"\r\n\r\n"
		 "11010519491231002X\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"address\"\r\n\r\n"
		 "北京市朝阳区建国路88号\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"photo\"; filename=\"证件照 %22a%22.jpg\"\r\n"
		 "Content-Type: image/jpeg\r\n\r\n");
	put(b, LIT(jpeg));
	puts_(b, "\r\n------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"travel\"\r\n\r\n"
		 "[{\"city\":\"上海\",\"from\":\"2022-03-01\",\"to\":\"2022-03-05\"}]\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"symptoms\"\r\n\r\n"
		 "\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T\r\n"
		 "Content-Disposition: form-data; name=\"declaration\"\r\n\r\n"
		 "on\r\n"
		 "------WebKitFormBoundaryq7NcE3bGxR2vKd9T--\r\n");
}

static void check_chrome(const struct fx *f)
{
	assert_int_equal(f->l.n, 7);
	assert_field(&f->l, 0, "for", "self");
	assert_field(&f->l, 1, "name", "张三");
	assert_int_equal(f->l.items[1].len, 6);
	assert_field(&f->l, 2, "id_number", "11010519491231002X");
	assert_field(&f->l, 3, "address", "北京市朝阳区建国路88号");
	assert_field(&f->l, 4, "travel", "[{\"city\":\"上海\",\"from\":\"2022-03-01\",\"to\":\"2022-03-05\"}]");
	assert_field(&f->l, 5, "symptoms", "");
	assert_field(&f->l, 6, "declaration", "on");
	assert_int_equal(f->nfiles, 1);
	assert_string_equal(f->files[0].field, "photo");
	assert_string_equal(f->files[0].filename, "证件照 %22a%22.jpg");
	assert_string_equal(f->files[0].content_type, "image/jpeg");
	assert_int_equal(f->files[0].len, sizeof jpeg - 1);
	assert_memory_equal(f->files[0].data, jpeg, sizeof jpeg - 1);
}

static void test_chromium_body(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	char bnd[FORM_BOUNDARY_MAX + 1];
	assert_int_equal(form_boundary(CHROME_CT, bnd, sizeof bnd), FORM_OK);
	assert_string_equal(bnd, CHROME_B);
	chrome_body(&b);
	assert_int_equal(parse_n(f, bnd, b.p, b.n, 1, PHOTO_MAX), FORM_OK);
	check_chrome(f);
	/* The data points into the body: no copy. */
	f->l.n = 0;
	assert_int_equal(form_parse(&arena, bnd, b.p, b.n, file_fields, 1, PHOTO_MAX, &f->l, f->files, &f->nfiles),
			 FORM_OK);
	const char *at = memmem(b.p, b.n, "\xFF\xD8\xFF\xE0", 4);
	assert_ptr_equal(f->files[0].data, (const uint8_t *)at);
	free(b.p);
}

static void test_curl_body(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	char bnd[FORM_BOUNDARY_MAX + 1];
	/* curl -F name=Li -F photo=@a.jpg http://... */
	assert_int_equal(
	    form_boundary("multipart/form-data; boundary=------------------------d74496d66958873e", bnd, sizeof bnd),
	    FORM_OK);
	assert_string_equal(bnd, "------------------------d74496d66958873e");
	puts_(&b, "--------------------------d74496d66958873e\r\n"
		  "Content-Disposition: form-data; name=\"name\"\r\n\r\n"
		  "Li\r\n"
		  "--------------------------d74496d66958873e\r\n"
		  "Content-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
		  "Content-Type: image/jpeg\r\n\r\n");
	put(&b, LIT("\xFF\xD8\xFF\x00\r\n--\xFF\xD9"));
	puts_(&b, "\r\n--------------------------d74496d66958873e--\r\n");
	assert_int_equal(parse_n(f, bnd, b.p, b.n, 1, PHOTO_MAX), FORM_OK);
	assert_int_equal(f->l.n, 1);
	assert_field(&f->l, 0, "name", "Li");
	assert_int_equal(f->nfiles, 1);
	assert_string_equal(f->files[0].filename, "a.jpg");
	assert_int_equal(f->files[0].len, 10);
	assert_memory_equal(f->files[0].data, "\xFF\xD8\xFF\x00\r\n--\xFF\xD9", 10);
	free(b.p);
}

/* ---- form_boundary ---- */

static void test_boundary_quoted_and_params(void **state)
{
	char b[FORM_BOUNDARY_MAX + 1];
	(void)state;
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"simple boundary\"", b, sizeof b), FORM_OK);
	assert_string_equal(b, "simple boundary");
	assert_int_equal(form_boundary("multipart/form-data; charset=utf-8; boundary=abc", b, sizeof b), FORM_OK);
	assert_string_equal(b, "abc");
	assert_int_equal(form_boundary("Multipart/Form-Data ;  Charset=\"UTF-8\";BOUNDARY=x-1_2.3", b, sizeof b),
			 FORM_OK);
	assert_string_equal(b, "x-1_2.3");
	/* bchars outside tchar, let in unquoted; quoted with an escape. */
	assert_int_equal(form_boundary("multipart/form-data; boundary=a:b/c=d?", b, sizeof b), FORM_OK);
	assert_string_equal(b, "a:b/c=d?");
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"(a),\\b\"; x=y;", b, sizeof b), FORM_OK);
	assert_string_equal(b, "(a),b");
	/* The mini-program's own spelling. */
	assert_int_equal(form_boundary("multipart/form-data; boundary=----WxFormBoundary7MA4YWxk", b, sizeof b),
			 FORM_OK);
	assert_string_equal(b, "----WxFormBoundary7MA4YWxk");
}

static void test_boundary_errors(void **state)
{
	char b[FORM_BOUNDARY_MAX + 1], ct[256];
	(void)state;
	memset(b, 0, sizeof b);
	assert_int_equal(form_boundary(NULL, b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("text/plain; boundary=abc", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("multipart/mixed; boundary=abc", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-dataX; boundary=abc", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; charset=utf-8", b, sizeof b), FORM_NO_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; xboundary=abc", b, sizeof b), FORM_NO_BOUNDARY);
	/* 70 characters pass, 71 do not. */
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%070d", 7);
	assert_int_equal(form_boundary(ct, b, sizeof b), FORM_OK);
	assert_int_equal(strlen(b), 70);
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%071d", 7);
	assert_int_equal(form_boundary(ct, b, sizeof b), FORM_BAD_BOUNDARY);
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%071d\"", 7);
	assert_int_equal(form_boundary(ct, b, sizeof b), FORM_BAD_BOUNDARY);
	/* Illegal characters. */
	assert_int_equal(form_boundary("multipart/form-data; boundary=abc@def", b, sizeof b), FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=ab*c", b, sizeof b), FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"a\\\"b\"", b, sizeof b), FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"a\xe4\xb8\xad\"", b, sizeof b),
			 FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"abc \"", b, sizeof b), FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"\"", b, sizeof b), FORM_BAD_BOUNDARY);
	assert_int_equal(form_boundary("multipart/form-data; boundary=a; boundary=a", b, sizeof b), FORM_BAD_BOUNDARY);
	/* Broken syntax. */
	assert_int_equal(form_boundary("multipart/form-data; boundary=", b, sizeof b), FORM_MALFORMED);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"abc", b, sizeof b), FORM_MALFORMED);
	assert_int_equal(form_boundary("multipart/form-data; boundary=\"abc\"x", b, sizeof b), FORM_MALFORMED);
	assert_int_equal(form_boundary("multipart/form-data; boundary=a\rb", b, sizeof b), FORM_MALFORMED);
	assert_int_equal(form_boundary("multipart/form-data boundary=abc", b, sizeof b), FORM_MALFORMED);
	assert_int_equal(form_boundary("multipart/form-data; =abc", b, sizeof b), FORM_MALFORMED);
	/* The caller's buffer. */
	assert_int_equal(form_boundary("multipart/form-data; boundary=abcd", b, 4), FORM_NOMEM);
	assert_int_equal(form_boundary("multipart/form-data; boundary=abcd", b, 5), FORM_OK);
}

static void test_parse_rejects_bad_boundary(void **state)
{
	struct fx *f = *state;
	char big[80];
	memset(big, 'a', 71);
	big[71] = '\0';
	assert_int_equal(parse(f, big, "--x--"), FORM_BAD_BOUNDARY);
	assert_int_equal(parse(f, "", "----"), FORM_BAD_BOUNDARY);
	assert_int_equal(parse(f, "a\r\nb", "--a\r\nb--"), FORM_BAD_BOUNDARY);
	assert_int_equal(parse(f, "ab ", "--ab --"), FORM_BAD_BOUNDARY);
	assert_int_equal(parse(f, NULL, "--x--"), FORM_NO_BOUNDARY);
}

static void test_err_words(void **state)
{
	(void)state;
	assert_string_equal(form_err_word(FORM_OK), "OK");
	assert_string_equal(form_err_word(FORM_NO_BOUNDARY), "NO_BOUNDARY");
	assert_string_equal(form_err_word(FORM_BAD_BOUNDARY), "BAD_BOUNDARY");
	assert_string_equal(form_err_word(FORM_MALFORMED), "MALFORMED");
	assert_string_equal(form_err_word(FORM_TOO_MANY_PARTS), "TOO_MANY_PARTS");
	assert_string_equal(form_err_word(FORM_HEADER_TOO_LONG), "HEADER_TOO_LONG");
	assert_string_equal(form_err_word(FORM_PART_TOO_LARGE), "PART_TOO_LARGE");
	assert_string_equal(form_err_word(FORM_FILE_TOO_LARGE), "FILE_TOO_LARGE");
	assert_string_equal(form_err_word(FORM_TOO_MANY_FILES), "TOO_MANY_FILES");
	assert_string_equal(form_err_word(FORM_NOMEM), "NOMEM");
	assert_string_equal(form_err_word((enum form_err)99), "UNKNOWN");
}

/* ---- values and names ---- */

static void test_utf8_and_empty_values(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    parse(f, "B",
		  "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n欧阳娜娜\r\n"
		  "--B\r\nContent-Disposition: form-data; name=\"relationship\"\r\n\r\n\r\n"
		  "--B\r\nContent-Disposition: form-data; name=\"symptoms\"\r\n\r\n发热, 咳嗽\r\n第二行\r\n"
		  "--B--\r\n"),
	    FORM_OK);
	assert_int_equal(f->l.n, 3);
	assert_field(&f->l, 0, "name", "欧阳娜娜");
	assert_field(&f->l, 1, "relationship", "");
	assert_field(&f->l, 2, "symptoms", "发热, 咳嗽\r\n第二行");
	assert_int_equal(f->nfiles, 0);
}

static void test_duplicates_kept(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "B",
			       "--B\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n1\r\n"
			       "--B\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n2\r\n--B--"),
			 FORM_OK);
	assert_int_equal(f->l.n, 2);
	assert_field(&f->l, 0, "phone", "1");
	assert_field(&f->l, 1, "phone", "2");
	assert_int_equal(kv_count(&f->l, "phone"), 2);
}

static void test_disposition_syntax(void **state)
{
	struct fx *f = *state;
	/* Case-insensitive names, unquoted token, OWS around '=', escapes, unknown and filename* ignored. */
	assert_int_equal(parse(f, "B",
			       "--B\r\ncontent-disposition:FORM-DATA;NAME=plain\r\n\r\nv\r\n"
			       "--B\r\nContent-Disposition: form-data; name = \"a\\\"b\\\\c\" ; x-y=\"z\";\r\n\r\nw\r\n"
			       "--B\r\nX-Other: whatever\r\nContent-Disposition: form-data; name=\"photo\"; "
			       "filename=\"C:\\\\x\\\"y.jpg\"; filename*=UTF-8''%E7%85%A7.jpg\r\n"
			       "Content-Transfer-Encoding: binary\r\n\r\nJPG\r\n"
			       "--B--\r\n"),
			 FORM_OK);
	assert_int_equal(f->l.n, 2);
	assert_field(&f->l, 0, "plain", "v");
	assert_field(&f->l, 1, "a\"b\\c", "w");
	assert_int_equal(f->nfiles, 1);
	assert_string_equal(f->files[0].filename, "C:\\x\"y.jpg");
	assert_null(f->files[0].content_type);
	assert_int_equal(f->files[0].len, 3);
}

static void test_part_without_name(void **state)
{
	static const char *const bad[] = {
		"--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; filename=\"a.jpg\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--",
		"--B\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: name=\"a\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"x\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"; filename=x; filename=y\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: a\r\nContent-Type: b\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"名字\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\tb\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition : form-data; name=\"a\"\r\n\r\nv\r\n--B--",
		"--B\r\n Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: base64\r\n\r\ndg==\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nX: \x01\r\n\r\nv\r\n--B--",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum form_err e = parse(f, "B", bad[i]);
		if (e != FORM_MALFORMED)
			fail_msg("case %zu gave %s", i, form_err_word(e));
		assert_int_equal(f->l.n, 0);
		assert_int_equal(f->nfiles, 0);
	}
}

static void test_name_length(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	char name[FORM_NAME_MAX + 2];
	memset(name, 'n', sizeof name - 1);
	name[FORM_NAME_MAX] = '\0';
	puts_(&b, "--B\r\nContent-Disposition: form-data; name=\"");
	puts_(&b, name);
	puts_(&b, "\"\r\n\r\nv\r\n--B--");
	put(&b, "", 1);
	assert_int_equal(parse(f, "B", b.p), FORM_OK);
	assert_string_equal(f->l.items[0].key, name);
	b.n = 0;
	name[FORM_NAME_MAX] = 'n';
	name[FORM_NAME_MAX + 1] = '\0';
	puts_(&b, "--B\r\nContent-Disposition: form-data; name=\"");
	puts_(&b, name);
	puts_(&b, "\"\r\n\r\nv\r\n--B--");
	put(&b, "", 1);
	assert_int_equal(parse(f, "B", b.p), FORM_MALFORMED);
	free(b.p);
}

static void test_nul_in_text_refused(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    parse_n(f, "B", LIT("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\0y\r\n--B--"), 1, 10),
	    FORM_MALFORMED);
	assert_int_equal(
	    parse_n(f, "B", LIT("--B\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nx\0y\r\n--B--"), 1, 10),
	    FORM_OK);
	assert_int_equal(f->files[0].len, 3);
	assert_null(f->files[0].filename);
}

/* ---- framing ---- */

static void test_missing_closing_boundary(void **state)
{
	static const char *const bad[] = {
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B-",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--x",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--\r",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--BX\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B \r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n--B\r\n\r\n\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"a\"",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r",
		"--BX\r\n",
		"no delimiter at all",
		"",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum form_err e = parse(f, "B", bad[i]);
		if (e != FORM_MALFORMED)
			fail_msg("case %zu gave %s", i, form_err_word(e));
	}
}

static void test_preamble_epilogue(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    parse(f, "B",
		  "This is the preamble. --B is not at a line start.\r\n"
		  "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
		  "--B--\r\nThis is the epilogue.\r\n--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"),
	    FORM_OK);
	assert_int_equal(f->l.n, 1);
	assert_field(&f->l, 0, "a", "1");
	/* An RFC 2046 closing delimiter without the CRLF ends the body too; no parts is no fields. */
	assert_int_equal(parse(f, "B", "\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--"),
			 FORM_OK);
	assert_int_equal(f->l.n, 1);
	assert_int_equal(parse(f, "B", "--B--\r\n"), FORM_OK);
	assert_int_equal(f->l.n, 0);
	assert_int_equal(parse(f, "B", "preamble\r\n--B--"), FORM_OK);
	assert_int_equal(f->l.n, 0);
}

static void test_bare_lf_rejected(void **state)
{
	static const char *const bad[] = {
		"--B\nContent-Disposition: form-data; name=\"a\"\n\nv\n--B--\n",
		"--B\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\n\r\nv\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\nv\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\rX: y\r\n\r\nv\r\n--B--\r\n",
		("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B\n"
		 "Content-Disposition: form-data; name=\"b\"\r\n\r\nw\r\n--B--\r\n"),
	};
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum form_err e = parse(f, "B", bad[i]);
		if (e != FORM_MALFORMED)
			fail_msg("case %zu gave %s", i, form_err_word(e));
	}
}

/* ---- bounds ---- */

static void parts_body(struct buf *b, size_t n)
{
	b->n = 0;
	for (size_t i = 0; i < n; i++) {
		char line[96];
		snprintf(line, sizeof line, "--B\r\nContent-Disposition: form-data; name=\"f%zu\"\r\n\r\n%zu\r\n", i,
			 i);
		puts_(b, line);
	}
	puts_(b, "--B--\r\n");
}

static void test_too_many_parts(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	parts_body(&b, FORM_PARTS_MAX);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_OK);
	assert_int_equal(f->l.n, FORM_PARTS_MAX);
	assert_field(&f->l, 31, "f31", "31");
	parts_body(&b, FORM_PARTS_MAX + 1);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_TOO_MANY_PARTS);
	assert_int_equal(f->l.n, 0);
	free(b.p);
}

static void test_full_field_list(void **state)
{
	struct fx *f = *state;
	const char *body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--";
	/* Fields are appended; a full list is TOO_MANY_PARTS and the list is left as it was. */
	f->l.n = REQ_PAIRS_MAX - 1;
	assert_int_equal(form_parse(&arena, "B", body, strlen(body), NULL, 0, 0, &f->l, NULL, &f->nfiles), FORM_OK);
	assert_int_equal(f->l.n, REQ_PAIRS_MAX);
	assert_string_equal(f->l.items[REQ_PAIRS_MAX - 1].key, "a");
	assert_int_equal(form_parse(&arena, "B", body, strlen(body), NULL, 0, 0, &f->l, NULL, &f->nfiles),
			 FORM_TOO_MANY_PARTS);
	assert_int_equal(f->l.n, REQ_PAIRS_MAX);
	f->l.n = 3;
	const char *bad = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B";
	assert_int_equal(form_parse(&arena, "B", bad, strlen(bad), NULL, 0, 0, &f->l, NULL, &f->nfiles),
			 FORM_MALFORMED);
	assert_int_equal(f->l.n, 3);
}

/* A part with one extra header line of exactly n bytes. */
static void header_body(struct buf *b, size_t n)
{
	b->n = 0;
	puts_(b, "--B\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ");
	putrep(b, "p", n - strlen("X-Pad: "));
	puts_(b, "\r\n\r\nv\r\n--B--\r\n");
}

static void test_header_too_long(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	header_body(&b, FORM_HEADER_MAX);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_OK);
	header_body(&b, FORM_HEADER_MAX + 1);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_HEADER_TOO_LONG);
	header_body(&b, 100000);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_HEADER_TOO_LONG);
	/* A long filename counts against the line. */
	b.n = 0;
	puts_(&b, "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"");
	putrep(&b, "x", FORM_HEADER_MAX);
	puts_(&b, ".jpg\"\r\n\r\nv\r\n--B--\r\n");
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10), FORM_HEADER_TOO_LONG);
	free(b.p);
}

static void test_too_many_headers(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	for (size_t extra = FORM_PART_HEADERS_MAX - 1; extra <= FORM_PART_HEADERS_MAX; extra++) {
		b.n = 0;
		puts_(&b, "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n");
		putrep(&b, "X-A: b\r\n", extra);
		puts_(&b, "\r\nv\r\n--B--\r\n");
		assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 10),
				 extra + 1 <= FORM_PART_HEADERS_MAX ? FORM_OK : FORM_MALFORMED);
	}
	free(b.p);
}

static void sized_part(struct buf *b, const char *name, size_t n)
{
	char line[128];
	b->n = 0;
	snprintf(line, sizeof line, "--B\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", name);
	puts_(b, line);
	putrep(b, "t", n);
	puts_(b, "\r\n--B--\r\n");
}

static void test_text_part_too_large(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	sized_part(&b, "address", FORM_TEXT_MAX);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, PHOTO_MAX), FORM_OK);
	assert_int_equal(f->l.items[0].len, FORM_TEXT_MAX);
	sized_part(&b, "address", FORM_TEXT_MAX + 1);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, PHOTO_MAX), FORM_PART_TOO_LARGE);
	/* Over the bound and never closed: still too large, found without reading it all. */
	sized_part(&b, "address", 3 * MiB);
	b.n -= strlen("\r\n--B--\r\n");
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, PHOTO_MAX), FORM_PART_TOO_LARGE);
	free(b.p);
}

static void test_file_too_large(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	sized_part(&b, "photo", 100);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 100), FORM_OK);
	assert_int_equal(f->files[0].len, 100);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 99), FORM_FILE_TOO_LARGE);
	assert_int_equal(f->nfiles, 0);
	/* A file may be larger than a text part. */
	sized_part(&b, "photo", FORM_TEXT_MAX * 4);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, PHOTO_MAX), FORM_OK);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, SIZE_MAX), FORM_OK);
	assert_int_equal(f->files[0].len, FORM_TEXT_MAX * 4);
	sized_part(&b, "photo", 0);
	assert_int_equal(parse_n(f, "B", b.p, b.n, 1, 0), FORM_OK);
	assert_int_equal(f->files[0].len, 0);
	free(b.p);
}

static void test_too_many_files(void **state)
{
	struct fx *f = *state;
	const char *two =
	    "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nA\r\n"
	    "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nB\r\n"
	    "--B--\r\n";
	assert_int_equal(parse_n(f, "B", two, strlen(two), 1, PHOTO_MAX), FORM_TOO_MANY_FILES);
	assert_int_equal(f->nfiles, 0);
	assert_int_equal(parse_n(f, "B", two, strlen(two), 2, PHOTO_MAX), FORM_OK);
	assert_int_equal(f->nfiles, 2);
	assert_string_equal(f->files[1].filename, "b.jpg");
	assert_memory_equal(f->files[1].data, "B", 1);
	/* A filename= on a text field makes it a file; none allowed. */
	const char *sneaky =
	    "--B\r\nContent-Disposition: form-data; name=\"name\"; filename=\"x\"\r\n\r\nA\r\n--B--\r\n";
	assert_int_equal(parse_n(f, "B", sneaky, strlen(sneaky), 0, PHOTO_MAX), FORM_TOO_MANY_FILES);
	assert_int_equal(parse_n(f, "B", sneaky, strlen(sneaky), 1, PHOTO_MAX), FORM_OK);
	assert_int_equal(f->l.n, 0);
	assert_string_equal(f->files[0].field, "name");
	/* An empty file input as browsers send it. */
	const char *none = "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\"\r\n"
			   "Content-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n";
	assert_int_equal(parse_n(f, "B", none, strlen(none), 1, PHOTO_MAX), FORM_OK);
	assert_string_equal(f->files[0].filename, "");
	assert_int_equal(f->files[0].len, 0);
	assert_string_equal(f->files[0].content_type, "application/octet-stream");
}

static void test_arena_full(void **state)
{
	struct arena small;
	struct kvlist l;
	size_t n;
	const char *body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n0123456789abcdef0123\r\n--B--";
	(void)state;
	arena_init(&small, 32);
	l.n = 0;
	assert_int_equal(form_parse(&small, "B", body, strlen(body), NULL, 0, 0, &l, NULL, &n), FORM_NOMEM);
	assert_int_equal(l.n, 0);
	arena_free(&small);
}

/* ---- robustness ---- */

static void test_truncated_everywhere(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	chrome_body(&b);
	/* The body is complete once its closing "--" is in; the final CRLF is the optional epilogue. */
	size_t complete = b.n - 2;
	for (size_t i = 0; i < b.n; i++) {
		enum form_err e = parse_n(f, CHROME_B, b.p, i, 1, PHOTO_MAX);
		if (i < complete && e == FORM_OK)
			fail_msg("a body cut at %zu of %zu parsed", i, b.n);
		if (i < complete) {
			assert_int_equal(f->l.n, 0);
			assert_int_equal(f->nfiles, 0);
		}
		if (i == complete) {
			assert_int_equal(e, FORM_OK);
			check_chrome(f);
		}
		if (i == complete + 1)
			assert_int_equal(e, FORM_MALFORMED);
	}
	assert_int_equal(parse_n(f, CHROME_B, b.p, b.n, 1, PHOTO_MAX), FORM_OK);
	free(b.p);
}

static void test_linear_time(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	char bnd[FORM_BOUNDARY_MAX + 1];
	double t0;

	/* 3 MiB of "\r\n--" and nothing else, under short and long boundaries. */
	putrep(&b, "\r\n--", 3 * MiB / 4);
	t0 = now_s();
	assert_int_equal(parse_n(f, "--", b.p, b.n, 1, 4 * MiB), FORM_MALFORMED);
	assert_int_equal(parse_n(f, "-", b.p, b.n, 1, 4 * MiB), FORM_MALFORMED);
	memset(bnd, '-', 70);
	bnd[70] = '\0';
	assert_int_equal(parse_n(f, bnd, b.p, b.n, 1, 4 * MiB), FORM_MALFORMED);
	assert_true(now_s() - t0 < 2.0);

	/* The same inside a file part, which then parses. */
	b.n = 0;
	puts_(&b, "--xyz\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n\r\n");
	putrep(&b, "\r\n--", 3 * MiB / 4);
	puts_(&b, "\r\n--xyz--\r\n");
	t0 = now_s();
	assert_int_equal(parse_n(f, "xyz", b.p, b.n, 1, 4 * MiB), FORM_OK);
	assert_int_equal(f->files[0].len, 3 * MiB);
	assert_true(now_s() - t0 < 2.0);

	/* Near misses of a 70-byte boundary, each failing at its last byte. */
	memset(bnd, 'a', 70);
	bnd[70] = '\0';
	b.n = 0;
	puts_(&b, "--");
	puts_(&b, bnd);
	puts_(&b, "\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\n");
	while (b.n < 3 * MiB) {
		puts_(&b, "\r\n--");
		put(&b, bnd, 69);
		puts_(&b, "b");
	}
	t0 = now_s();
	assert_int_equal(parse_n(f, bnd, b.p, b.n, 1, 4 * MiB), FORM_MALFORMED);
	assert_int_equal(parse_n(f, bnd, b.p, b.n, 1, 1000), FORM_FILE_TOO_LARGE);
	assert_true(now_s() - t0 < 2.0);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chromium_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_curl_body, setup, teardown),
		cmocka_unit_test(test_boundary_quoted_and_params),
		cmocka_unit_test(test_boundary_errors),
		cmocka_unit_test_setup_teardown(test_parse_rejects_bad_boundary, setup, teardown),
		cmocka_unit_test(test_err_words),
		cmocka_unit_test_setup_teardown(test_utf8_and_empty_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disposition_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_without_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_in_text_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_closing_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preamble_epilogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_lf_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_field_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_part_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_files, setup, teardown),
		cmocka_unit_test(test_arena_full),
		cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linear_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
