/* test_routes.c: guards on the real route table (routes.c) and on the router's promise that a
 * route which leaves its caller's check to the handler cannot answer without finishing it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "conf.h"
#include "err.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "routes.h"
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
		if ((r->fields == NULL) != (r->nfields == 0))
			fail_msg("route %s: fields and nfields disagree", r->name);
		for (size_t j = 0; j < r->nfields; j++)
			if (r->fields[j].name == NULL || r->fields[j].valid == NULL || r->fields[j].maxlen == 0)
				fail_msg("route %s: field %zu is incomplete", r->name, j);
	}
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

/* ---- a deferred check that a handler forgets --------------------------------------------- */

static int forgetful_ran;

static enum err forgetful(struct call *c)
{
	forgetful_ran = 1;
	resp_raw(c, 200, "application/json", "{\"color\":\"green\"}", 17);
	return ERR_OK;
}

static const struct route holder_routes[] = {
	{ "holder", "GET", "/x/{id}", AUTH_HOLDER, BODY_NONE, 0, NULL, 0, forgetful, 0, PRIO_NORMAL },
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
		cmocka_unit_test(test_unfinished_check_is_500),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
