/* test_routes.c: guards on the real route table (routes.c) and on the router's promise that a
 * route which leaves its caller's check to the handler cannot answer without finishing it. */
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
#include "conf.h"
#include "err.h"
#include "fields.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "routes.h"
#include "scanin.h"
#include "worker.h"

#include "unit_arena.h"

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH", NULL };

static int method_known(const char *m)
{
	for (size_t i = 0; methods[i] != NULL; i++)
		if (strcmp(methods[i], m) == 0)
			return 1;
	return 0;
}

/* Every field of a table is filled in, and so is every table reached through one: a JSON list's
 * item check (JSON_LIST), a list of objects' own table (valid_item_list: a batch's items). */
static int nested_tables; /* how many tables fields_complete reached through a field */

static void fields_complete(const char *route, const struct field *fields, size_t n, int depth)
{
	if (depth > 4)
		fail_msg("route %s: field tables nested too deep", route);
	for (size_t j = 0; j < n; j++) {
		const struct field *f = &fields[j];
		const struct json_check *jc = f->arg;
		/* A JSON-typed field (JSON_FIELD) has its check in its arg, and its body's bound. */
		int checked = f->flags & F_JSON ? jc != NULL && jc->valid != NULL && f->valid == NULL
						: f->valid != NULL && f->maxlen > 0;
		if (f->name == NULL || !checked)
			fail_msg("route %s: field %zu is incomplete", route, j);
		if ((f->flags & F_LIST) != 0 && jc->valid != valid_json_list)
			fail_msg("route %s: list field %s is not judged as a list", route, f->name);
		if ((f->flags & F_JSON) && jc->valid == valid_json_list) {
			const struct json_list *l = jc->arg;
			if (!(f->flags & F_LIST) || l == NULL || l->item.valid == NULL || l->max == 0 ||
			    l->min > l->max)
				fail_msg("route %s: list field %s is incomplete", route, f->name);
		}
		if ((f->flags & F_JSON) && jc->valid == valid_item_list) {
			const struct item_table *t = jc->arg;
			if (t == NULL || t->fields == NULL || t->nfields == 0 || t->max == 0)
				fail_msg("route %s: the items of %s have no table", route, f->name);
			nested_tables++;
			fields_complete(route, t->fields, t->nfields, depth + 1);
		}
	}
}

/* Every row is filled in: a row missing from the table is zero-filled and would crash the matcher. */
static void test_no_empty_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		if (r->name == NULL || r->method == NULL || r->pattern == NULL || r->handler == NULL)
			fail_msg("route %zu is empty or half filled", i);
		if (!method_known(r->method))
			fail_msg("route %s: unknown method %s", r->name, r->method);
		if (r->pattern[0] != '/')
			fail_msg("route %s: pattern %s does not start with /", r->name, r->pattern);
		if ((r->fields == NULL || r->fields == no_members) != (r->nfields == 0))
			fail_msg("route %s: fields and nfields disagree", r->name);
		fields_complete(r->name, r->fields, r->nfields, 0);
	}
	assert_true(nested_tables > 0); /* a batch's items (item_fields) were reached */
}

/* A route without a body takes 0 bytes; one with a body has a bound. */
static void test_body_limit_fits_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		if (r->body == BODY_NONE && r->body_max != 0)
			fail_msg("route %s takes no body but allows %zu bytes", r->name, r->body_max);
		if (r->body != BODY_NONE && (r->body_max == 0 || r->body_max > 8u * 1024 * 1024))
			fail_msg("route %s: body bound %zu outside 1..8 MiB", r->name, r->body_max);
		if (strcmp(r->method, "GET") == 0 && r->body != BODY_NONE)
			fail_msg("route %s: a GET that takes a body", r->name);
	}
}

/* Every admin route names the roles that may call it; no other route carries roles. */
static void test_admin_routes_have_roles(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		if (r->auth == AUTH_ADMIN && r->roles == 0)
			fail_msg("admin route %s allows no role", r->name);
		if (r->auth != AUTH_ADMIN && r->roles != 0)
			fail_msg("route %s is not an admin route but lists roles", r->name);
		if (strncmp(r->pattern, "/api/v1/admin/", 14) == 0 && r->auth != AUTH_ADMIN)
			fail_msg("route %s under /api/v1/admin/ is not AUTH_ADMIN", r->name);
	}
}

/* The priority column (DESIGN §13): showing a code and taking scans are high; every admin list
 * (a GET under /api/v1/admin/) and the report list are low, shed first past capacity; no write
 * is low (a shed write is lost work the caller must redo). */
static void test_priorities(void **state)
{
	(void)state;
	static const int high[] = { ROUTE_PERSON_CODE, ROUTE_CODE_PNG, ROUTE_SCANS, ROUTE_PLACE_CHECKINS };
	for (size_t i = 0; i < sizeof high / sizeof high[0]; i++)
		assert_int_equal(routes[high[i]].prio, PRIO_HIGH);
	assert_int_equal(routes[ROUTE_REPORTS].prio, PRIO_LOW);
	assert_int_equal(routes[ROUTE_ADMIN_HISTORY].prio, PRIO_LOW);
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		assert_true(r->prio < PRIO__MAX);
		int admin_list = strncmp(r->pattern, "/api/v1/admin/", 14) == 0 && strcmp(r->method, "GET") == 0;
		if (admin_list && r->prio != PRIO_LOW)
			fail_msg("admin list %s is not low priority", r->name);
		if (strcmp(r->method, "GET") != 0 && r->prio == PRIO_LOW)
			fail_msg("write %s is low priority", r->name);
	}
}

/* No two rows answer the same method and path, and no two share a metrics name. */
static void test_no_duplicates(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTE__MAX; i++)
		for (size_t j = i + 1; j < ROUTE__MAX; j++) {
			if (strcmp(routes[i].method, routes[j].method) == 0 &&
			    strcmp(routes[i].pattern, routes[j].pattern) == 0)
				fail_msg("routes %s and %s: both %s %s", routes[i].name, routes[j].name,
					 routes[i].method, routes[i].pattern);
			if (strcmp(routes[i].name, routes[j].name) == 0)
				fail_msg("two routes are named %s", routes[i].name);
		}
}

/* ---- every route's inputs in its row ---------------------------------------------------- */

/* Routes with a body that have no field table yet: their handlers still read the body
 * themselves. The list is exact: a new body route needs a table (or NOMEMBERS, an optional JSON
 * object read for nothing), and a route given one leaves. */
static const int untabled[] = {
	ROUTE_PLATFORM_PUSH, /* h_platform.c: signed XML */
};

/* Routes whose query inputs their handlers read themselves, invisible in their rows: their
 * refusals are not the router's 422 but the route's own answer, which a field table cannot give
 * yet (the router answers a refused table with 422, or 400 for a repeated key, before any
 * handler; and a raw body's route is judged on its body's pairs, not its query). The list is
 * exact: a route given a field table leaves it. */
static const int handler_query[] = {
	ROUTE_LOGIN_CALLBACK,        /* h_login.c: code, state; a redirect to /?login_error=WORD */
	ROUTE_VERIFICATION_CALLBACK, /* h_verify.c: verify_id; a redirect to /?verify_error=WORD */
	ROUTE_PLATFORM_VERIFY,       /* h_platform.c: signature, timestamp, nonce, echostr; 403/401 */
	ROUTE_PLATFORM_PUSH,         /* h_platform.c: the same, encrypt_type, msg_signature */
};

static void test_handler_query_routes_listed(void **state)
{
	(void)state;
	for (size_t j = 0; j < sizeof handler_query / sizeof handler_query[0]; j++) {
		const struct route *r = &routes[handler_query[j]];
		if (r->nfields > 0 || r->check != NULL)
			fail_msg("route %s is listed as reading its query itself but has a field table: take it "
				 "off the list",
				 r->name);
		if (r->auth != AUTH_ANY)
			fail_msg("route %s is listed as reading its query itself but is not called by the "
				 "platform or a browser on its way back (AUTH_ANY)",
				 r->name);
	}
}

static void test_body_routes_have_field_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		int listed = 0;
		for (size_t j = 0; j < sizeof untabled / sizeof untabled[0]; j++)
			listed |= untabled[j] == (int)i;
		int ignored = r->fields == no_members;
		if (r->body != BODY_NONE && r->nfields == 0 && !ignored && !listed)
			fail_msg("route %s takes a body but declares no fields", r->name);
		if (listed && (r->body == BODY_NONE || r->nfields > 0 || ignored))
			fail_msg("route %s is listed as untabled but is not: take it off the list", r->name);
		/* Read for nothing: only a body that may be left out (a required one would be read). */
		if (ignored && r->body != BODY_OPTIONAL_JSON)
			fail_msg("route %s ignores a body it requires", r->name);
		if (r->check != NULL && r->nfields == 0)
			fail_msg("route %s has a form check without fields", r->name);
		for (size_t j = 0; j < r->nfields; j++) {
			const struct field *f = &r->fields[j];
			if ((f->flags & F_FILE) && r->body != BODY_MULTIPART)
				fail_msg("route %s: file field %s outside a multipart body", r->name, f->name);
			if ((f->flags & (F_STR | F_JSON)) && r->body != BODY_JSON && r->body != BODY_OPTIONAL_JSON)
				fail_msg("route %s: JSON typed field %s outside a JSON body", r->name, f->name);
			if (r->body != BODY_NONE && !(f->flags & F_FILE) && f->maxlen > r->body_max)
				fail_msg("route %s: field %s allows more than its body", r->name, f->name);
			for (size_t k = j + 1; k < r->nfields; k++)
				if (strcmp(f->name, r->fields[k].name) == 0)
					fail_msg("route %s: field %s declared twice", r->name, f->name);
		}
	}
}

static cJSON *openapi;

/* Follows "$ref": "#/a/b/c" within openapi.json. */
static const cJSON *deref(const cJSON *n)
{
	for (int hop = 0; n != NULL && hop < 8; hop++) {
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(n, "$ref");
		if (!cJSON_IsString(ref))
			return n;
		if (strncmp(ref->valuestring, "#/", 2) != 0)
			return NULL;
		const cJSON *cur = openapi;
		const char *p = ref->valuestring + 2;
		while (cur != NULL && *p != '\0') {
			char part[128];
			size_t len = strcspn(p, "/");
			if (len >= sizeof part)
				return NULL;
			memcpy(part, p, len);
			part[len] = '\0';
			cur = cJSON_GetObjectItemCaseSensitive(cur, part);
			p += len + (p[len] == '/');
		}
		n = cur;
	}
	return n;
}

/* Whether name is in the array arr of strings. */
static int in_list(const cJSON *arr, const char *name)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
			return 1;
	return 0;
}

/* The documented schema of input name of an operation, and whether it is required (in some
 * branch of a oneOf). NULL when it is not documented. */
static const cJSON *documented(const struct route *r, const cJSON *op, const char *name, int *required)
{
	*required = 0;
	if (r->body == BODY_NONE) {
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op, "parameters")) {
			const cJSON *q = deref(p);
			const cJSON *in = cJSON_GetObjectItemCaseSensitive(q, "in"),
				    *n = cJSON_GetObjectItemCaseSensitive(q, "name");
			if (!cJSON_IsString(in) || strcmp(in->valuestring, "query") != 0 || !cJSON_IsString(n) ||
			    strcmp(n->valuestring, name) != 0)
				continue;
			*required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "required"));
			return deref(cJSON_GetObjectItemCaseSensitive(q, "schema"));
		}
		return NULL;
	}
	const cJSON *content =
	    cJSON_GetObjectItemCaseSensitive(deref(cJSON_GetObjectItemCaseSensitive(op, "requestBody")), "content");
	const cJSON *schema = content != NULL && content->child != NULL
				  ? deref(cJSON_GetObjectItemCaseSensitive(content->child, "schema"))
				  : NULL;
	const cJSON *found = NULL;
	const cJSON *branches[16];
	size_t nb = 0;
	branches[nb++] = schema;
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(schema, "oneOf"))
		if (nb < 16)
			branches[nb++] = deref(b);
	for (size_t i = 0; i < nb; i++) {
		const cJSON *prop =
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(branches[i], "properties"), name);
		if (prop != NULL && found == NULL)
			found = deref(prop);
		if (prop != NULL && in_list(cJSON_GetObjectItemCaseSensitive(branches[i], "required"), name))
			*required = 1;
	}
	return found;
}

/* Each route's field table agrees with openapi.json: every declared field is documented, a
 * required field is documented as required, the documented words of an enumeration are
 * accepted, an integer's documented bounds are the table's, and no documented length is
 * refused as too long. */
static void test_field_tables_agree_with_openapi(void **state)
{
	(void)state;
	FILE *fp = fopen("openapi.json", "rb");
	assert_non_null(fp);
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	openapi = cJSON_Parse(text);
	assert_non_null(openapi);
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(openapi, "paths");
	for (size_t i = 0; i < ROUTE__MAX; i++) {
		const struct route *r = &routes[i];
		if (r->nfields == 0)
			continue;
		char method[8];
		size_t k;
		for (k = 0; r->method[k] != '\0' && k + 1 < sizeof method; k++)
			method[k] = (char)(r->method[k] - 'A' + 'a');
		method[k] = '\0';
		const cJSON *op =
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(paths, r->pattern), method);
		if (op == NULL)
			fail_msg("route %s: %s %s is not in openapi.json", r->name, r->method, r->pattern);
		for (size_t j = 0; j < r->nfields; j++) {
			const struct field *f = &r->fields[j];
			int required;
			const cJSON *s = documented(r, op, f->name, &required);
			if (s == NULL)
				fail_msg("route %s: field %s is not documented", r->name, f->name);
			if ((f->flags & F_REQ) && !required)
				fail_msg("route %s: field %s is required but documented as optional", r->name, f->name);
			const cJSON *words = cJSON_GetObjectItemCaseSensitive(s, "enum"), *w;
			if (f->valid == valid_enum)
				cJSON_ArrayForEach(w, words) {
					int ok = 0;
					for (const char *const *t = f->arg; cJSON_IsString(w) && *t != NULL; t++)
						ok |= strcmp(*t, w->valuestring) == 0;
					if (!ok)
						fail_msg("route %s: field %s refuses a documented word", r->name,
							 f->name);
				}
			const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
			const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
			const struct range *rg = f->valid == valid_int ? f->arg : NULL;
			if (rg != NULL && cJSON_IsNumber(mn) && (double)rg->min != mn->valuedouble)
				fail_msg("route %s: field %s minimum %lld, documented %g", r->name, f->name, rg->min,
					 mn->valuedouble);
			if (rg != NULL && cJSON_IsNumber(mx) && (double)rg->max != mx->valuedouble)
				fail_msg("route %s: field %s maximum %lld, documented %g", r->name, f->name, rg->max,
					 mx->valuedouble);
			const cJSON *ml = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
			if (cJSON_IsNumber(ml) && f->maxlen > 0 && (double)f->maxlen < ml->valuedouble)
				fail_msg("route %s: field %s refuses %zu bytes, documented up to %g", r->name, f->name,
					 f->maxlen, ml->valuedouble);
		}
	}
	cJSON_Delete(openapi);
	openapi = NULL;
}

/* ---- a deferred check that a handler forgets --------------------------------------------- */

static int forgetful_ran;

static enum err forgetful(struct call *c)
{
	forgetful_ran = 1;
	resp_raw(c, 200, "application/json", "{\"color\":\"green\"}", 17);
	return ERR_OK;
}

static const struct route holder_routes[] = {
	{ "holder", "GET", "/x/{id}", AUTH_HOLDER, BODY_NONE, 0, NULL, 0, forgetful, 0, PRIO_NORMAL, NULL },
};
static const struct app holder_app = { "test", holder_routes, 1, 0, 0, NULL, NULL, NULL, NULL, 0 };

static void test_unfinished_check_is_500(void **state)
{
	(void)state;
	static char cookie[] = "HTTP_COOKIE=hqr_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char *env[] = { cookie, NULL };
	struct call *c = arena_alloc(&arena, sizeof *c);
	assert_non_null(c);
	memset(c, 0, sizeof *c);
	static struct conf conf; /* the defaults: a plain http public URL, the cookie hqr_session */
	conf_defaults(&conf);
	c->arena = &arena;
	c->conf = &conf;
	c->env = env;
	c->method = "GET";
	c->path = "/x/1";
	c->remote_addr = "203.0.113.7";
	c->request_id = "3f2a9c0d7e8b4a61";
	c->content_length = -1;
	forgetful_ran = 0;
	worker_handle(&holder_app, c);
	assert_true(forgetful_ran);
	/* The handler's green answer is not what goes out. */
	assert_int_equal(c->status, 500);
	assert_null(strstr((const char *)c->resp_body, "green"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_empty_row),
		cmocka_unit_test(test_body_limit_fits_kind),
		cmocka_unit_test(test_admin_routes_have_roles),
		cmocka_unit_test(test_no_duplicates),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_body_routes_have_field_tables),
		cmocka_unit_test(test_handler_query_routes_listed),
		cmocka_unit_test(test_field_tables_agree_with_openapi),
		cmocka_unit_test(test_unfinished_check_is_500),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
