/* fuzz_decl.c: libFuzzer target for the declaration part of a form (decl.c, through its field
 * table as the router runs it): the travel list (JSON), symptoms (JSON array or comma list),
 * temperature, contact and the truthfulness box.
 * Input: up to five lines, the values of travel, symptoms, temperature, contact and declaration
 * in that order (a missing line: the field is absent); an optional first line "@YYYY-MM-DD" sets
 * "today" (else 2026-11-27). Never crash; a valid declaration is consistent with itself. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "day.h"
#include "decl.h"
#include "req.h"
#include "rules.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "travel", "symptoms", "temperature", "contact", "declaration" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 1u << 20);
	struct call c;
	memset(&c, 0, sizeof c);
	c.arena = &a;
	c.content_length = -1;
	const char *p = (const char *)data, *end = p + size;
	int y = 2026, m = 11, d = 27;
	int32_t day;
	const char *nl = memchr(p, '\n', size);
	if (size > 0 && p[0] == '@' && nl != NULL && day_parse(p + 1, (size_t)(nl - p - 1), &day)) {
		day_to_ymd(day, &y, &m, &d);
		p = nl + 1;
	}
	struct kvlist in;
	in.n = 0;
	/* The five lines, then what is left (if anything) as a repeat of the field its first byte
	 * names. */
	for (size_t i = 0; i <= sizeof names / sizeof names[0] && p <= end && in.n < REQ_PAIRS_MAX; i++) {
		const char *name = names[i % 5], *e = memchr(p, '\n', (size_t)(end - p));
		if (i == 5) {
			if (p == end)
				break;
			name = names[(unsigned char)*p++ % 5];
			e = end;
		}
		if (e == NULL)
			e = end;
		const char *val = arena_strndup(&a, p, (size_t)(e - p));
		if (val == NULL)
			abort();
		in.items[in.n++] = (struct kv){ name, val, strlen(val) };
		p = e + 1;
	}

	/* The router's steps: the table's checks of each field, then the rules across them unless a
	 * field came twice (then that is the one error). */
	struct fval v[DECL__MAX];
	struct decl out;
	memset(&out, 0, sizeof out);
	enum err e = fields_validate(&c, decl_fields, DECL__MAX, &in, v);
	if (e != ERR_OK && e != ERR_VALIDATION && e != ERR_DUPLICATE_FIELD)
		abort();
	if (e == ERR_DUPLICATE_FIELD && c.nferr != 1)
		abort();
	if (e != ERR_DUPLICATE_FIELD)
		decl_check(&c, v, y, m, d, &out);
	int rc = c.nferr > 0 ? -1 : 0;
	/* Without a travel list the rules add nothing to the fields' own checks. */
	if (e == ERR_OK && !v[DECL_TRAVEL].present && rc != 0)
		abort();
	for (size_t i = 0; i < c.nferr && i < REQ_FIELD_ERRS; i++)
		if (c.ferr[i].field == NULL || c.ferr[i].code == NULL || c.ferr[i].code[0] == '\0')
			abort();
	if (out.ntravel > DECL_TRAVEL_MAX || (out.symptoms & ~(unsigned)RULES_SYM_ALL) != 0)
		abort();
	if (rc == 0) {
		int32_t today = day_from_ymd(y, m, d);
		for (size_t i = 0; i < out.ntravel; i++)
			if (out.travel[i].from_day > out.travel[i].to_day || out.travel[i].to_day > today ||
			    out.travel[i].city == NULL || out.travel[i].city[0] == '\0')
				abort();
		/* The stored list is JSON with one entry per trip. */
		cJSON *t = out.travel_json != NULL ? cJSON_Parse(out.travel_json) : NULL;
		if (!cJSON_IsArray(t) || (size_t)cJSON_GetArraySize(t) != out.ntravel)
			abort();
		cJSON_Delete(t);
		if (out.contact != 0 && out.contact != 1)
			abort();
	}
	arena_free(&a);
	return 0;
}
