/* test_router.c: unit tests of router.c (matching, content types, loopback) and of worker_handle end to end on the real route table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "err.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "routes.h"
#include "worker.h"

#define UNIT_ARENA_SIZE (8u * 1024 * 1024)
#include "unit_arena.h"

/* The test table is only matched, never dispatched: its handler fails the test if it runs. */
static enum err h_match_only(struct call *c)
{
	(void)c;
	fail_msg("router_match must not run a handler");
	return ERR_INTERNAL;
}

/* A small table shaped like the service's: collections, {id} items, nested resources, and two
 * rows whose patterns overlap (a fixed word before a parameter). */
enum {
	T_PERSONS_LIST,
	T_PERSONS_CREATE,
	T_PERSON_GET,
	T_PERSON_PUT,
	T_PERSON_DELETE,
	T_PERSON_CODE,
	T_REPORT_GET,
	T_CODE_LATEST,
	T_CODE_GET,
	T_CODE_DELETE,
	T_HEALTHZ,
	T__MAX
};
static const struct route table[T__MAX] = {
	[T_PERSONS_LIST] = { .name = "persons_list",
			     .method = "GET",
			     .pattern = "/api/v1/persons",
			     .handler = h_match_only },
	[T_PERSONS_CREATE] = { .name = "persons_create",
			       .method = "POST",
			       .pattern = "/api/v1/persons",
			       .handler = h_match_only },
	[T_PERSON_GET] = { .name = "person_get",
			   .method = "GET",
			   .pattern = "/api/v1/persons/{id}",
			   .handler = h_match_only },
	[T_PERSON_PUT] = { .name = "person_put",
			   .method = "PUT",
			   .pattern = "/api/v1/persons/{id}",
			   .handler = h_match_only },
	[T_PERSON_DELETE] = { .name = "person_delete",
			      .method = "DELETE",
			      .pattern = "/api/v1/persons/{id}",
			      .handler = h_match_only },
	[T_PERSON_CODE] = { .name = "person_code",
			    .method = "GET",
			    .pattern = "/api/v1/persons/{id}/code",
			    .handler = h_match_only },
	[T_REPORT_GET] = { .name = "report_get",
			   .method = "GET",
			   .pattern = "/api/v1/persons/{pid}/reports/{rid}",
			   .handler = h_match_only },
	[T_CODE_LATEST] = { .name = "code_latest",
			    .method = "GET",
			    .pattern = "/api/v1/codes/latest",
			    .handler = h_match_only },
	[T_CODE_GET] = { .name = "code_get",
			 .method = "GET",
			 .pattern = "/api/v1/codes/{id}",
			 .handler = h_match_only },
	[T_CODE_DELETE] = { .name = "code_delete",
			    .method = "DELETE",
			    .pattern = "/api/v1/codes/{id}",
			    .handler = h_match_only },
	[T_HEALTHZ] = { .name = "healthz", .method = "GET", .pattern = "/healthz", .handler = h_match_only },
};

struct m {
	enum match rc;
	size_t idx;
	const char *params[REQ_PATH_PARAMS];
	size_t np;
	char allow[128];
};

static struct m match(const char *method, const char *path)
{
	struct m r;
	memset(&r, 0, sizeof r);
	r.idx = (size_t)-1;
	r.rc = router_match(table, T__MAX, method, path, &arena, &r.idx, r.params, &r.np, r.allow, sizeof r.allow);
	return r;
}

static void expect_route(const char *method, const char *path, size_t idx)
{
	struct m r = match(method, path);
	if (r.rc != MATCH_OK)
		fail_msg("%s %s: rc %d, expected route %zu", method, path, (int)r.rc, idx);
	if (r.idx != idx)
		fail_msg("%s %s: route %zu, expected %zu", method, path, r.idx, idx);
}

static void expect_not_found(const char *method, const char *path)
{
	struct m r = match(method, path);
	if (r.rc != MATCH_NOT_FOUND)
		fail_msg("%s \"%s\": rc %d (route %zu), expected 404", method, path, (int)r.rc, r.idx);
}

/* ---- router_match ---- */

static void test_match_exact_paths(void **state)
{
	(void)state;
	expect_route("GET", "/api/v1/persons", T_PERSONS_LIST);
	expect_route("POST", "/api/v1/persons", T_PERSONS_CREATE);
	expect_route("GET", "/healthz", T_HEALTHZ);
	struct m r = match("GET", "/healthz");
	assert_int_equal(r.np, 0);
	/* A fixed segment wins over a parameter when its row comes first. */
	expect_route("GET", "/api/v1/codes/latest", T_CODE_LATEST);
	expect_route("GET", "/api/v1/codes/latest2", T_CODE_GET);
}

static void test_match_parameters(void **state)
{
	(void)state;
	const char *path = "/api/v1/persons/P-0042_a";
	struct m r = match("GET", path);
	assert_int_equal(r.rc, MATCH_OK);
	assert_int_equal(r.idx, T_PERSON_GET);
	assert_int_equal(r.np, 1);
	assert_string_equal(r.params[0], "P-0042_a");
	/* A NUL-terminated copy, not a pointer into the path. */
	assert_true(r.params[0] < path || r.params[0] > path + strlen(path));

	expect_route("PUT", "/api/v1/persons/17", T_PERSON_PUT);
	expect_route("DELETE", "/api/v1/persons/17", T_PERSON_DELETE);

	r = match("GET", "/api/v1/persons/9f1c2e/code");
	assert_int_equal(r.rc, MATCH_OK);
	assert_int_equal(r.idx, T_PERSON_CODE);
	assert_int_equal(r.np, 1);
	assert_string_equal(r.params[0], "9f1c2e");

	r = match("GET", "/api/v1/persons/7/reports/2024-05-01");
	assert_int_equal(r.rc, MATCH_OK);
	assert_int_equal(r.idx, T_REPORT_GET);
	assert_int_equal(r.np, 2);
	assert_string_equal(r.params[0], "7");
	assert_string_equal(r.params[1], "2024-05-01");

	/* 64 characters is the longest parameter. */
	char p64[128];
	snprintf(p64, sizeof p64, "/api/v1/persons/%064d", 7);
	r = match("GET", p64);
	assert_int_equal(r.rc, MATCH_OK);
	assert_int_equal(strlen(r.params[0]), 64);
}

static void test_match_invalid_parameters(void **state)
{
	static const char *const bad[] = {
		"/api/v1/persons/a.b",        "/api/v1/persons/..",         "/api/v1/persons/.",
		"/api/v1/persons/%2e%2e",     "/api/v1/persons/a%20b",      "/api/v1/persons/a b",
		"/api/v1/persons/a+b",        "/api/v1/persons/a;b",        "/api/v1/persons/a:b",
		"/api/v1/persons/a@b",        "/api/v1/persons/a\\b",       "/api/v1/persons/王",
		"/api/v1/persons/1'OR'1",     "/api/v1/persons/<x>",        "/api/v1/persons//code",
		"/api/v1/persons/7/reports/", "/api/v1/persons//reports/1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_not_found("GET", bad[i]);
	/* 65 characters is one too many. */
	char p65[128];
	snprintf(p65, sizeof p65, "/api/v1/persons/%065d", 7);
	expect_not_found("GET", p65);
}

static void test_match_trailing_slash_and_near_misses(void **state)
{
	static const char *const bad[] = {
		"/healthz/",
		"/api/v1/persons/",
		"/api/v1/persons/7/",
		"/api/v1/persons/7/code/",
		"//healthz",
		"/HEALTHZ",
		"/Healthz",
		"/healthzz",
		"/health",
		"healthz",
		"",
		"/",
		"/api/v1/persons/7/code/extra",
		"/api/v1",
		"/api/v2/persons",
		"/api/v1/persons?x=1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_not_found("GET", bad[i]);
}

static void test_match_path_too_long(void **state)
{
	(void)state;
	char *p = malloc(REQ_PATH_MAX + 32);
	assert_non_null(p);
	memcpy(p, "/api/v1/persons/", 16);
	memset(p + 16, 'a', REQ_PATH_MAX);
	p[16 + REQ_PATH_MAX] = '\0';
	expect_not_found("GET", p);
	free(p);
}

/* Splits "GET, PUT" and checks it names exactly the methods in want, each once. */
static void expect_allow(const char *allow, const char *const *want, size_t nwant)
{
	char buf[128];
	size_t seen = 0;
	snprintf(buf, sizeof buf, "%s", allow);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t k = 0;
		while (k < nwant && strcmp(want[k], tok) != 0)
			k++;
		if (k == nwant)
			fail_msg("Allow \"%s\" names %s", allow, tok);
		seen++;
	}
	if (seen != nwant)
		fail_msg("Allow \"%s\" has %zu methods, expected %zu", allow, seen, nwant);
	/* Each wanted method once: with no duplicates and the same count, all are present. */
	for (size_t k = 0; k < nwant; k++) {
		const char *first = strstr(allow, want[k]);
		assert_non_null(first);
		assert_null(strstr(first + strlen(want[k]), want[k]));
	}
}

static void test_match_method_not_allowed(void **state)
{
	(void)state;
	struct m r = match("PATCH", "/api/v1/persons/7");
	assert_int_equal(r.rc, MATCH_METHOD);
	static const char *const item[] = { "GET", "PUT", "DELETE" };
	expect_allow(r.allow, item, 3);
	assert_string_equal(r.allow, "GET, PUT, DELETE");

	r = match("DELETE", "/api/v1/persons");
	assert_int_equal(r.rc, MATCH_METHOD);
	static const char *const coll[] = { "GET", "POST" };
	expect_allow(r.allow, coll, 2);

	/* Two rows with GET match /api/v1/codes/latest: GET is named once. */
	r = match("POST", "/api/v1/codes/latest");
	assert_int_equal(r.rc, MATCH_METHOD);
	static const char *const codes[] = { "GET", "DELETE" };
	expect_allow(r.allow, codes, 2);

	static const char *const get[] = { "GET" };
	r = match("POST", "/healthz");
	assert_int_equal(r.rc, MATCH_METHOD);
	expect_allow(r.allow, get, 1);
	r = match("get", "/healthz"); /* methods are case-sensitive */
	assert_int_equal(r.rc, MATCH_METHOD);
	expect_allow(r.allow, get, 1);
}

static void test_match_not_found(void **state)
{
	(void)state;
	struct m r = match("GET", "/nope");
	assert_int_equal(r.rc, MATCH_NOT_FOUND);
	assert_string_equal(r.allow, "");
	r = match("DELETE", "/api/v1/things/1");
	assert_int_equal(r.rc, MATCH_NOT_FOUND);
	assert_string_equal(r.allow, "");
	/* An empty table matches nothing. */
	size_t idx = 0;
	char allow[16];
	assert_int_equal(router_match(table, 0, "GET", "/healthz", &arena, &idx, NULL, NULL, allow, sizeof allow),
			 MATCH_NOT_FOUND);
}

/* ---- router_type_ok ---- */

static void test_type_ok(void **state)
{
	(void)state;
	assert_true(router_type_ok(BODY_JSON, "application/json"));
	assert_true(router_type_ok(BODY_JSON, "application/json; charset=utf-8"));
	assert_true(router_type_ok(BODY_JSON, "application/json;charset=UTF-8"));
	assert_true(router_type_ok(BODY_JSON, "Application/JSON"));
	assert_true(router_type_ok(BODY_JSON, "  application/json"));
	assert_true(router_type_ok(BODY_JSON, "application/json ; charset=utf-8"));
	/* White space around the type is space or tab (RFC 7230 OWS), as form_boundary reads it. */
	assert_true(router_type_ok(BODY_JSON, "\tapplication/json"));
	assert_true(router_type_ok(BODY_JSON, " \t application/json\t; charset=utf-8"));
	assert_true(router_type_ok(BODY_MULTIPART, "\tmultipart/form-data\t;\tboundary=x"));
	assert_true(router_type_ok(BODY_FORM, "application/x-www-form-urlencoded"));
	assert_true(router_type_ok(BODY_FORM, "application/x-www-form-urlencoded; charset=UTF-8"));
	assert_true(
	    router_type_ok(BODY_MULTIPART, "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"));
	assert_true(router_type_ok(BODY_MULTIPART, "MULTIPART/FORM-DATA; boundary=x"));
	assert_true(router_type_ok(BODY_XML, "text/xml"));
	assert_true(router_type_ok(BODY_XML, "text/xml; charset=utf-8"));
	assert_true(router_type_ok(BODY_XML, "application/xml"));
}

static void test_type_wrong(void **state)
{
	(void)state;
	assert_false(router_type_ok(BODY_JSON, NULL));
	assert_false(router_type_ok(BODY_JSON, ""));
	assert_false(router_type_ok(BODY_JSON, "text/plain"));
	assert_false(router_type_ok(BODY_JSON, "text/json"));
	assert_false(router_type_ok(BODY_JSON, "application/jsonp"));
	assert_false(router_type_ok(BODY_JSON, "application/json-patch+json"));
	assert_false(router_type_ok(BODY_JSON, "application/x-www-form-urlencoded"));
	assert_false(router_type_ok(BODY_JSON, "application"));
	assert_false(router_type_ok(BODY_JSON, "application/json\r"));
	assert_false(router_type_ok(BODY_JSON, "\napplication/json"));
	assert_false(router_type_ok(BODY_JSON, "application /json"));
	assert_false(router_type_ok(BODY_FORM, "application/json"));
	assert_false(router_type_ok(BODY_FORM, "multipart/form-data; boundary=x"));
	assert_false(router_type_ok(BODY_MULTIPART, "multipart/mixed; boundary=x"));
	assert_false(router_type_ok(BODY_MULTIPART, "application/x-www-form-urlencoded"));
	assert_false(router_type_ok(BODY_XML, "application/xhtml+xml"));
	assert_false(router_type_ok(BODY_XML, "application/json"));
	assert_false(router_type_ok(BODY_XML, "text/html"));
	/* A route without a body accepts no content type. */
	assert_false(router_type_ok(BODY_NONE, "application/json"));
	assert_false(router_type_ok(BODY_NONE, NULL));
}

/* ---- router_is_loopback ---- */

static void test_loopback(void **state)
{
	static const char *const yes[] = { "127.0.0.1", "127.0.1.1",        "127.255.255.254",
					   "::1",       "::ffff:127.0.0.1", "unix:" };
	static const char *const no[] = { "10.0.0.1",
					  "192.168.1.20",
					  "203.0.113.7",
					  "172.16.0.1",
					  "0.0.0.0",
					  "1.127.0.0",
					  "128.0.0.1",
					  "::",
					  "::2",
					  "::10",
					  "fe80::1",
					  "2001:db8::1",
					  "::ffff:10.0.0.1",
					  "::ffff:203.0.113.7",
					  "",
					  "localhost",
					  "unix:/tmp/x" };
	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!router_is_loopback(yes[i]))
			fail_msg("%s is loopback", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (router_is_loopback(no[i]))
			fail_msg("%s is not loopback", no[i]);
	assert_false(router_is_loopback(NULL));
}

/* ---- worker_handle on the real route table ---- */

static struct call *new_call(const char *method, const char *path, const char *query, const char *remote)
{
	struct call *c = arena_alloc(&arena, sizeof *c);
	assert_non_null(c);
	c->arena = &arena;
	c->env = NULL;
	c->method = method;
	c->path = path;
	c->query_raw = query;
	c->remote_addr = remote;
	c->request_id = "3f2a9c0d7e8b4a61";
	c->content_length = -1;
	return c;
}

static cJSON *body_json(const struct call *c)
{
	assert_non_null(c->resp_body);
	assert_true(c->resp_len > 0);
	assert_non_null(c->resp_type);
	assert_non_null(strstr(c->resp_type, "application/json"));
	cJSON *j = cJSON_ParseWithLength(c->resp_body, c->resp_len);
	if (j == NULL)
		fail_msg("body is not JSON: %.*s", (int)c->resp_len, (const char *)c->resp_body);
	return j;
}

/* Checks {"error":{"code":code,"message":"..."},"request_id":rid} and nothing else. */
static void expect_error_body(const struct call *c, int status, const char *code)
{
	assert_int_equal(c->status, status);
	cJSON *j = body_json(c);
	assert_true(cJSON_IsObject(j));
	assert_int_equal(cJSON_GetArraySize(j), 2);
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	assert_true(cJSON_IsObject(e));
	cJSON *jc = cJSON_GetObjectItemCaseSensitive(e, "code");
	cJSON *jm = cJSON_GetObjectItemCaseSensitive(e, "message");
	assert_true(cJSON_IsString(jc));
	assert_string_equal(jc->valuestring, code);
	assert_true(cJSON_IsString(jm));
	assert_true(strlen(jm->valuestring) > 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "fields"));
	cJSON *rid = cJSON_GetObjectItemCaseSensitive(j, "request_id");
	assert_true(cJSON_IsString(rid));
	assert_string_equal(rid->valuestring, c->request_id);
	cJSON_Delete(j);
}

static int has_header(const struct call *c, const char *line)
{
	return c->resp_headers != NULL && c->resp_hlen > 0 && strstr(c->resp_headers, line) != NULL;
}

static void test_handle_healthz(void **state)
{
	(void)state;
	/* The service's app serves the one table of routes.c. */
	assert_ptr_equal(app_service.routes, routes);
	assert_int_equal(app_service.nroutes, ROUTE__MAX);
	struct call *c = new_call("GET", "/healthz", NULL, "203.0.113.7");
	worker_handle(&app_service, c);
	assert_int_equal(c->status, 200);
	assert_true(c->resp_set);
	assert_ptr_equal(c->route, &routes[ROUTE_HEALTHZ]);
	assert_int_equal(c->route_index, ROUTE_HEALTHZ);
	cJSON *j = body_json(c);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
	assert_true(cJSON_IsString(s));
	assert_string_equal(s->valuestring, "ok");
	cJSON_Delete(j);
	assert_int_equal(c->resp_len, strlen("{\"status\":\"ok\"}"));
	assert_memory_equal(c->resp_body, "{\"status\":\"ok\"}", c->resp_len);

	/* The head a client receives. */
	char head[2048];
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_non_null(strstr(head, "Status: 200 OK\r\n"));
	assert_non_null(strstr(head, "Content-Length: 15\r\n"));
}

static void test_handle_healthz_with_query(void **state)
{
	(void)state;
	/* Undeclared query keys do not change the answer; an empty query is no query. */
	struct call *c = new_call("GET", "/healthz", "utm_source=wechat&_=1700000000", "203.0.113.7");
	worker_handle(&app_service, c);
	assert_int_equal(c->status, 200);
	c = new_call("GET", "/healthz", "", "203.0.113.7");
	worker_handle(&app_service, c);
	assert_int_equal(c->status, 200);
}

static void test_handle_method_not_allowed(void **state)
{
	(void)state;
	struct call *c = new_call("POST", "/healthz", NULL, "203.0.113.7");
	worker_handle(&app_service, c);
	expect_error_body(c, 405, "METHOD_NOT_ALLOWED");
	assert_true(has_header(c, "Allow: GET\r\n"));
	char head[2048];
	assert_true(resp_head(c, head, sizeof head) > 0);
	assert_non_null(strstr(head, "Status: 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(head, "\r\nAllow: GET\r\n"));

	c = new_call("DELETE", "/metrics", NULL, "127.0.0.1");
	worker_handle(&app_service, c);
	expect_error_body(c, 405, "METHOD_NOT_ALLOWED");
	assert_true(has_header(c, "Allow: GET\r\n"));
}

static void test_handle_not_found(void **state)
{
	(void)state;
	static const char *const paths[] = { "/nope", "/healthz/", "/HEALTHZ", "/", "/api/v1/../healthz" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct call *c = new_call("GET", paths[i], NULL, "203.0.113.7");
		worker_handle(&app_service, c);
		expect_error_body(c, 404, "NOT_FOUND");
		assert_false(has_header(c, "Allow:"));
		assert_int_equal(c->route_index, -1);
	}
}

static void test_handle_malformed_query(void **state)
{
	(void)state;
	static const char *const bad[] = { "a=%zz", "id=%4", "x=%", "name=abc%00", "=1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct call *c = new_call("GET", "/healthz", bad[i], "203.0.113.7");
		worker_handle(&app_service, c);
		expect_error_body(c, 400, "BAD_REQUEST");
	}
	/* Too many pairs and an over-long value are malformed queries too. */
	char *q = malloc(REQ_PAIRS_MAX * 4 + 8);
	assert_non_null(q);
	q[0] = '\0';
	for (int i = 0; i <= REQ_PAIRS_MAX; i++)
		strcat(q, "k=v&");
	struct call *c = new_call("GET", "/healthz", q, "203.0.113.7");
	worker_handle(&app_service, c);
	expect_error_body(c, 400, "BAD_REQUEST");
	free(q);
	q = malloc(REQ_VALUE_MAX + 8);
	assert_non_null(q);
	memcpy(q, "v=", 2);
	memset(q + 2, 'x', REQ_VALUE_MAX + 1);
	q[REQ_VALUE_MAX + 3] = '\0';
	c = new_call("GET", "/healthz", q, "203.0.113.7");
	worker_handle(&app_service, c);
	expect_error_body(c, 400, "BAD_REQUEST");
	free(q);
}

static void test_handle_metrics_loopback_only(void **state)
{
	(void)state;
	static const char *const outside[] = { "203.0.113.7", "10.0.0.5", "192.168.1.1", "::ffff:10.0.0.1",
					       "2001:db8::1" };
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		struct call *c = new_call("GET", "/metrics", NULL, outside[i]);
		worker_handle(&app_service, c);
		/* Exactly what an unknown path answers: the endpoint's existence is not revealed. */
		expect_error_body(c, 404, "NOT_FOUND");
	}
	struct call *c = new_call("GET", "/metrics", NULL, NULL);
	worker_handle(&app_service, c);
	expect_error_body(c, 404, "NOT_FOUND");

	c = new_call("GET", "/metrics", NULL, "127.0.0.1");
	worker_handle(&app_service, c);
	assert_int_equal(c->status, 200);
	assert_non_null(c->resp_type);
	assert_non_null(strstr(c->resp_type, "text/plain"));
	assert_true(c->resp_len > 0);
	char *text = arena_strndup(&arena, c->resp_body, c->resp_len);
	assert_non_null(text);
	assert_non_null(strstr(text, "# TYPE hqr_requests_total counter"));
}

/* ---- the caller's check before its inputs (an AUTH_HOLDER route: code.png) ---- */

static struct conf conf;

/* A GET of a person's code image with query and the request's headers env (NULL-ended), on the
 * real table; db, when given, is one that cannot be reached. */
static struct call *holder_call(const char *query, char **env, struct db *db)
{
	struct call *c = new_call("GET", "/api/v1/persons/AAAAAAAAAAAAAAAAAAAAAA/code.png", query, "203.0.113.7");
	c->conf = &conf;
	c->env = env;
	c->db = db;
	return c;
}

static const char *const bad_queries[] = { "scale=abc", "scale=0", "scale=", "scale=2&scale=3" };

static void test_holder_route_a_stranger_hears_401_not_its_query(void **state)
{
	static char none[] = "HTTP_ACCEPT=image/png", short_bearer[] = "HTTP_AUTHORIZATION=Bearer short",
		    short_cookie[] = "HTTP_COOKIE=hqr_session=short";
	char *envs[][2] = { { none, NULL }, { short_bearer, NULL }, { short_cookie, NULL } };
	(void)state;
	/* No token, or one that cannot be a session's: refused by its form, before any lookup and
	 * before the query is read (a well-formed token is looked up first: the test below). */
	conf_defaults(&conf);
	for (size_t q = 0; q < sizeof bad_queries / sizeof bad_queries[0]; q++)
		for (size_t e = 0; e < sizeof envs / sizeof envs[0]; e++) {
			struct call *c = holder_call(bad_queries[q], envs[e], NULL);
			worker_handle(&app_service, c);
			expect_error_body(c, 401, "UNAUTHENTICATED"); /* and no "fields" */
		}
}

static void test_holder_route_looks_the_session_up_before_judging_its_query(void **state)
{
	static char cookie[] = "HTTP_COOKIE=hqr_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char *env[] = { cookie, NULL };
	(void)state;
	/* A well-formed session token with a bad query: the session is looked up first. The database
	 * here is a closed port on loopback, so that lookup's answer, 503, goes out, not the 422 or
	 * 400 of the query (with a database, an unknown session is 401: tests/integration). */
	conf_defaults(&conf);
	snprintf(conf.db_host, sizeof conf.db_host, "127.0.0.1");
	conf.db_port = 1;
	conf.db_socket[0] = conf.db_fallback[0] = '\0';
	conf.db_timeout_s = 1;
	struct db *db = db_open(&conf);
	assert_non_null(db);
	for (size_t q = 0; q < sizeof bad_queries / sizeof bad_queries[0]; q++) {
		struct call *c = holder_call(bad_queries[q], env, db);
		worker_handle(&app_service, c);
		expect_error_body(c, 503, "UNAVAILABLE");
	}
	db_close(db);
}

/* ---- a caller's check left to the handler must be finished before any answer but its own ---- */

/* What the test's handler and form check answer, and whether they finish the caller's check. */
static enum err deferred_answer;
static int deferred_finish, deferred_ran;

static void finish_check(struct call *c)
{
	if (deferred_finish) {
		c->session_deferred = 0;
		c->device_deferred = 0;
	}
}

static enum err h_deferred(struct call *c)
{
	deferred_ran = 1;
	finish_check(c);
	if (deferred_answer == ERR_OK) {
		resp_raw(c, 200, "application/json", "{\"color\":\"green\"}", 17);
	} else if (deferred_answer == ERR_VALIDATION) {
		call_field_error(c, "secret_field", "INVALID");
	}
	return deferred_answer;
}

/* A form check that answers by itself (as the check-ins' does): a form check of a deferred route
 * is held to the same rule as its handler. */
static enum err check_deferred(struct call *c, struct fval *v)
{
	(void)v;
	deferred_ran = 1;
	finish_check(c);
	return deferred_answer;
}

static const struct field deferred_query[1] = { { "q", 0, 8, valid_raw, NULL } };

enum { D_HOLDER, D_DEVICE, D_HOLDER_CHECK, D_DEVICE_CHECK, D__MAX };
static const struct route deferred_routes[D__MAX] = {
	[D_HOLDER] = { "holder", "GET", "/holder", AUTH_HOLDER, BODY_NONE, 0, NULL, 0, h_deferred, 0, PRIO_NORMAL,
		       NULL },
	[D_DEVICE] = { "device", "GET", "/device", AUTH_SCANNER, BODY_NONE, 0, NULL, 0, h_deferred, 0, PRIO_NORMAL,
		       NULL },
	[D_HOLDER_CHECK] = { "holder_check", "GET", "/holder-check", AUTH_HOLDER, BODY_NONE, 0, deferred_query, 1,
			     h_deferred, 0, PRIO_NORMAL, check_deferred },
	[D_DEVICE_CHECK] = { "device_check", "GET", "/device-check", AUTH_SCANNER, BODY_NONE, 0, deferred_query, 1,
			     h_deferred, 0, PRIO_NORMAL, check_deferred },
};
static const struct app deferred_app = { "test", deferred_routes, D__MAX, 0, 0, NULL, NULL, NULL, NULL, 0 };

/* A well-formed session (a holder's route) or device token (a scanner's): both only parsed by the
 * router, never looked up (no database here). */
static char bearer_env[] = "HTTP_AUTHORIZATION=Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/* Runs path with the handler (and form check) answering e, finishing the caller's check or not. */
static struct call *deferred_call(const char *path, enum err e, int finish)
{
	static char *env[] = { bearer_env, NULL };
	struct call *c = new_call("GET", path, NULL, "203.0.113.7");
	conf_defaults(&conf);
	c->conf = &conf;
	c->env = env;
	deferred_answer = e;
	deferred_finish = finish;
	deferred_ran = 0;
	worker_handle(&deferred_app, c);
	assert_true(deferred_ran);
	return c;
}

static const char *const deferred_paths[] = { "/holder", "/device", "/holder-check", "/device-check" };

static void test_unfinished_check_refuses_every_answer_about_the_request(void **state)
{
	/* Not only a success: an answer about the request (what is not there, what conflicts, which
	 * field is wrong) would tell a stranger what only the caller may hear. */
	static const enum err answers[] = { ERR_OK,         ERR_NOT_FOUND,    ERR_CONFLICT,
					    ERR_VALIDATION, ERR_BAD_REQUEST,  ERR_FORBIDDEN,
					    ERR_TOO_LARGE,  ERR_RATE_LIMITED, ERR_INTERNAL };
	(void)state;
	for (size_t p = 0; p < sizeof deferred_paths / sizeof deferred_paths[0]; p++)
		for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
			struct call *c = deferred_call(deferred_paths[p], answers[i], 0);
			if (c->status != 500)
				fail_msg("%s answering %s without its check: %d, not 500", deferred_paths[p],
					 err_info(answers[i])->code, c->status);
			expect_error_body(c, 500, "INTERNAL"); /* no "green", no "fields" */
		}
}

static void test_unfinished_check_may_answer_its_own_outcome(void **state)
{
	(void)state;
	/* The check itself refused the caller, or could not be made: its answer goes out. */
	for (size_t p = 0; p < sizeof deferred_paths / sizeof deferred_paths[0]; p++) {
		expect_error_body(deferred_call(deferred_paths[p], ERR_UNAUTHENTICATED, 0), 401, "UNAUTHENTICATED");
		expect_error_body(deferred_call(deferred_paths[p], ERR_UNAVAILABLE, 0), 503, "UNAVAILABLE");
	}
	/* A session's check refuses a cookie's write without X-Requested-With; a device's has no such
	 * outcome. */
	expect_error_body(deferred_call("/holder", ERR_CSRF, 0), 403, "CSRF");
	expect_error_body(deferred_call("/holder-check", ERR_CSRF, 0), 403, "CSRF");
	expect_error_body(deferred_call("/device", ERR_CSRF, 0), 500, "INTERNAL");
	expect_error_body(deferred_call("/device-check", ERR_CSRF, 0), 500, "INTERNAL");
}

static void test_finished_check_answers_as_the_handler_says(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof deferred_paths / sizeof deferred_paths[0]; p++) {
		struct call *c = deferred_call(deferred_paths[p], ERR_OK, 1);
		assert_int_equal(c->status, 200);
		assert_memory_equal(c->resp_body, "{\"color\":\"green\"}", 17);
		expect_error_body(deferred_call(deferred_paths[p], ERR_NOT_FOUND, 1), 404, "NOT_FOUND");
		expect_error_body(deferred_call(deferred_paths[p], ERR_CONFLICT, 1), 409, "CONFLICT");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_match_exact_paths, arena_fresh),
		cmocka_unit_test_setup(test_match_parameters, arena_fresh),
		cmocka_unit_test_setup(test_match_invalid_parameters, arena_fresh),
		cmocka_unit_test_setup(test_match_trailing_slash_and_near_misses, arena_fresh),
		cmocka_unit_test_setup(test_match_path_too_long, arena_fresh),
		cmocka_unit_test_setup(test_match_method_not_allowed, arena_fresh),
		cmocka_unit_test_setup(test_match_not_found, arena_fresh),
		cmocka_unit_test(test_type_ok),
		cmocka_unit_test(test_type_wrong),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test_setup(test_handle_healthz, arena_fresh),
		cmocka_unit_test_setup(test_handle_healthz_with_query, arena_fresh),
		cmocka_unit_test_setup(test_handle_method_not_allowed, arena_fresh),
		cmocka_unit_test_setup(test_handle_not_found, arena_fresh),
		cmocka_unit_test_setup(test_handle_malformed_query, arena_fresh),
		cmocka_unit_test_setup(test_handle_metrics_loopback_only, arena_fresh),
		cmocka_unit_test_setup(test_holder_route_a_stranger_hears_401_not_its_query, arena_fresh),
		cmocka_unit_test_setup(test_holder_route_looks_the_session_up_before_judging_its_query, arena_fresh),
		cmocka_unit_test_setup(test_unfinished_check_refuses_every_answer_about_the_request, arena_fresh),
		cmocka_unit_test_setup(test_unfinished_check_may_answer_its_own_outcome, arena_fresh),
		cmocka_unit_test_setup(test_finished_check_answers_as_the_handler_says, arena_fresh),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
