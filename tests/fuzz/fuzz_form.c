/* fuzz_form.c: libFuzzer target for the multipart/form-data parser: a Content-Type line, then the body. */
#include "arena.h"
#include "form.h"
#include "req.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CT_MAX   512
#define FILE_MAX 512 /* small, so that the fuzzer reaches FILE_TOO_LARGE */

static const char *const file_fields[] = { "photo", NULL };

/* Input: "<Content-Type value>\n<body>". When the first line gives no valid boundary (or there is
 * no newline in the first CT_MAX bytes) the whole input is the body under the boundary "B". */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ct[CT_MAX + 1], bnd[FORM_BOUNDARY_MAX + 1];
	const char *in = (const char *)data, *body = in;
	size_t len = size;
	const char *nl = memchr(in, '\n', size < CT_MAX ? size : CT_MAX);

	strcpy(bnd, "B");
	if (nl != NULL) {
		size_t n = (size_t)(nl - in);
		memcpy(ct, in, n);
		ct[n] = '\0';
		enum form_err e = form_boundary(ct, bnd, sizeof bnd);
		if (e == FORM_OK) {
			size_t bl = strlen(bnd);
			if (bl == 0 || bl > FORM_BOUNDARY_MAX || bnd[bl - 1] == ' ')
				abort();
			body = nl + 1;
			len = size - n - 1;
		} else {
			strcpy(bnd, "B");
		}
	}
	/* A short boundary buffer is refused, never overrun. */
	char tiny[4];
	if (nl != NULL && form_boundary(ct, tiny, sizeof tiny) == FORM_OK && strlen(tiny) > 3)
		abort();

	struct arena a;
	struct kvlist fields;
	struct form_file files[2];
	size_t nfiles = 12345;
	arena_init(&a, 1u << 20);
	fields.n = 0;
	enum form_err e = form_parse(&a, bnd, body, len, file_fields, 2, FILE_MAX, &fields, files, &nfiles);
	if (form_err_word(e) == NULL || strcmp(form_err_word(e), "UNKNOWN") == 0)
		abort();
	if (e != FORM_OK) {
		if (fields.n != 0 || nfiles != 0)
			abort();
	} else {
		if (fields.n > FORM_PARTS_MAX || nfiles > 2)
			abort();
		for (size_t i = 0; i < fields.n; i++) {
			const struct kv *kv = &fields.items[i];
			size_t kl = strlen(kv->key);
			if (kl == 0 || kl > FORM_NAME_MAX || strlen(kv->val) != kv->len || kv->len > FORM_TEXT_MAX)
				abort();
		}
		for (size_t i = 0; i < nfiles; i++) {
			const struct form_file *f = &files[i];
			const char *p = (const char *)f->data;
			if (f->field == NULL || f->len > FILE_MAX || p < body || p + f->len > body + len)
				abort();
			/* The data never holds the delimiter. */
			if (f->len > 0 && memchr(p, '\r', f->len) != NULL) {
				char d[4 + FORM_BOUNDARY_MAX];
				size_t bl = strlen(bnd);
				memcpy(d, "\r\n--", 4);
				memcpy(d + 4, bnd, bl);
				if (memmem(p, f->len, d, bl + 4) != NULL)
					abort();
			}
		}
	}
	arena_free(&a);
	return 0;
}
