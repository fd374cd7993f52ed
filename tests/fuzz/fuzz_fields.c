/* fuzz_fields.c: libFuzzer target for the router's field checks on the real route table
 * (routes.c): fields_validate against a route's field table, then the route's form check.
 * Input: a first byte choosing the route (among those with a field table), then "name=value"
 * lines (a line without '=' is a name with an empty value); for a JSON route, the rest is also
 * tried as the JSON body (F_STR fields look at its members' types, F_JSON fields take its
 * members; a string holding a NUL, raw or escaped, is found from the text beside the tree). Never crash; the answer is consistent: ERR_OK exactly when no field failed, a present
 * value is in its bound, and every failure names a field and a code. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "conf.h"
#include "req.h"
#include "router.h"
#include "routes.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t tabled[ROUTE__MAX], nt = 0;
	for (size_t i = 0; i < ROUTE__MAX; i++)
		if (routes[i].nfields > 0)
			tabled[nt++] = i;
	if (size == 0 || nt == 0)
		return 0;
	const struct route *r = &routes[tabled[data[0] % nt]];
	static struct conf conf;
	static int conf_ready;
	if (!conf_ready) {
		conf_defaults(&conf);
		conf_ready = 1;
	}
	struct arena a;
	arena_init(&a, 1u << 20);
	struct call c;
	memset(&c, 0, sizeof c);
	c.arena = &a;
	c.conf = &conf;
	c.route = r;
	c.content_length = -1;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	cJSON *json = NULL;
	if (r->body == BODY_JSON || r->body == BODY_OPTIONAL_JSON) {
		json = cJSON_ParseWithLength(p, (size_t)(end - p));
		c.json = json;
		/* The text the NUL check reads beside the tree (valid.c), as the request holds it. */
		c.body_len = (size_t)(end - p);
		c.body = arena_alloc(&a, c.body_len + 1);
		if (c.body == NULL)
			abort();
		memcpy(c.body, p, c.body_len);
		c.body[c.body_len] = '\0';
	}
	struct kvlist in;
	in.n = 0;
	while (p < end && in.n < REQ_PAIRS_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		const char *ke = eq != NULL ? eq : e;
		const char *key = arena_strndup(&a, p, (size_t)(ke - p));
		const char *val =
		    eq != NULL ? arena_strndup(&a, eq + 1, (size_t)(e - eq - 1)) : arena_strndup(&a, "", 0);
		if (key == NULL || val == NULL)
			abort();
		in.items[in.n++] = (struct kv){ key, val, strlen(val) };
		p = e + 1;
	}
	c.inputs = &in;
	struct fval *f = arena_alloc(&a, r->nfields * sizeof *f);
	if (f == NULL)
		abort();
	enum err e = fields_validate(&c, r->fields, r->nfields, &in, f);
	if (e != ERR_OK && e != ERR_VALIDATION && e != ERR_DUPLICATE_FIELD)
		abort();
	if ((e == ERR_OK) != (c.nferr == 0))
		abort();
	/* The check-in's form check looks the session and the place up in the database before a
	 * refused body hears 422 (401, 404, 410 first): the integration suite covers it, not this
	 * fuzzer, which has no database. */
	if (e != ERR_DUPLICATE_FIELD && r->check != NULL && r != &routes[ROUTE_PLACE_CHECKINS]) {
		enum err ce = r->check(&c, f);
		if (ce != ERR_OK && ce != ERR_VALIDATION && ce != ERR_INTERNAL)
			abort();
		if (ce == ERR_OK && c.nferr != 0)
			abort();
	}
	for (size_t i = 0; i < r->nfields; i++)
		if (f[i].present && r->fields[i].maxlen > 0 && !(r->fields[i].flags & F_FILE) &&
		    f[i].len > r->fields[i].maxlen)
			abort();
	for (size_t i = 0; i < c.nferr; i++)
		if (c.ferr[i].field == NULL || c.ferr[i].code == NULL || c.ferr[i].code[0] == '\0')
			abort();
	cJSON_Delete(json);
	arena_free(&a);
	return 0;
}
