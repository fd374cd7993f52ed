/* router.c: route matching and the common checks driven by the route's row. */
#include "router.h"
#include "cclass.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "form.h"
#include "log.h"
#include "session.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct field no_members[1] = { { "", 0, 0, valid_raw, NULL } };

/* A path parameter: 1..64 characters of [A-Za-z0-9_-]. */
static int param_ok(const char *s, size_t n)
{
	return n <= 64 && cc_all(s, n, cc_b64url);
}

/* Matches path against pattern; records parameters. Returns 1 on a match. */
static int path_match(const char *pattern, const char *path, struct arena *a, const char **params, size_t *nparams)
{
	const char *p = pattern, *q = path;
	size_t np = 0;
	while (*p != '\0' && *q != '\0') {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *qe = strchr(q, '/');
			size_t qn = qe != NULL ? (size_t)(qe - q) : strlen(q);
			if (pe == NULL || !param_ok(q, qn) || np == REQ_PATH_PARAMS)
				return 0;
			if (params != NULL) {
				params[np] = a != NULL ? arena_strndup(a, q, qn) : NULL;
			}
			np++;
			p = pe + 1;
			q += qn;
			continue;
		}
		if (*p != *q)
			return 0;
		p++;
		q++;
	}
	if (*p != '\0' || *q != '\0')
		return 0;
	if (nparams != NULL)
		*nparams = np;
	return 1;
}

enum match router_match(const struct route *routes, size_t n, const char *method, const char *path, struct arena *a,
			size_t *idx, const char **params, size_t *nparams, char *allow, size_t allowlen)
{
	int path_seen = 0;
	size_t alen = 0;
	if (allowlen > 0)
		allow[0] = '\0';
	if (strlen(path) > REQ_PATH_MAX)
		return MATCH_NOT_FOUND;
	for (size_t i = 0; i < n; i++) {
		if (!path_match(routes[i].pattern, path, NULL, NULL, NULL))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			path_match(routes[i].pattern, path, a, params, nparams);
			*idx = i;
			return MATCH_OK;
		}
		path_seen = 1;
		if (strstr(allow, routes[i].method) == NULL) {
			int w = snprintf(allow + alen, allowlen - alen, "%s%s", alen > 0 ? ", " : "", routes[i].method);
			if (w > 0 && (size_t)w < allowlen - alen)
				alen += (size_t)w;
		}
	}
	return path_seen ? MATCH_METHOD : MATCH_NOT_FOUND;
}

int router_type_ok(enum body_kind kind, const char *ct)
{
	static const char *const names[][2] = {
		[BODY_NONE] = { NULL, NULL },
		[BODY_JSON] = { "application/json", NULL },
		[BODY_FORM] = { "application/x-www-form-urlencoded", NULL },
		[BODY_MULTIPART] = { "multipart/form-data", NULL },
		[BODY_XML] = { "text/xml", "application/xml" },
		[BODY_RAW] = { NULL, NULL },
		[BODY_OPTIONAL_JSON] = { "application/json", NULL },
	};
	if (kind == BODY_RAW)
		return 1;
	if (ct == NULL)
		return 0;
	/* The media type, between optional white space (RFC 7230 OWS) and its parameters. */
	ct += cc_span(ct, cc_ows);
	size_t n = 0;
	while (ct[n] != '\0' && ct[n] != ';' && !cc_ows((unsigned char)ct[n]))
		n++;
	for (int i = 0; i < 2; i++) {
		const char *want = names[kind][i];
		if (want != NULL && strlen(want) == n && strncasecmp(ct, want, n) == 0)
			return 1;
	}
	return 0;
}

int router_is_loopback(const char *addr)
{
	if (addr == NULL)
		return 0;
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0 ||
	       strcmp(addr, "unix:") == 0;
}

/* Reads exactly content_length bytes of body into the arena. */
static enum err read_body(struct call *c)
{
	size_t want = (size_t)c->content_length;
	char *buf = arena_alloc(c->arena, want + 1);
	if (buf == NULL)
		return ERR_TOO_LARGE;
	size_t got = 0;
	while (got < want && c->read_body != NULL) {
		long r = c->read_body(c->io, buf + got, want - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != want)
		return ERR_BAD_REQUEST;
	buf[got] = '\0';
	c->body = buf;
	c->body_len = got;
	return ERR_OK;
}

static void json_cleanup(void *p)
{
	cJSON_Delete(p);
}

/* Parses a JSON object body into c->json, and the members its field table reads as text into
 * name/value pairs (json_members). */
static enum err json_inputs(struct call *c, struct kvlist *in)
{
	cJSON *root = cJSON_ParseWithLength(c->body, c->body_len);
	if (root == NULL)
		return ERR_BAD_JSON;
	if (arena_on_reset(c->arena, json_cleanup, root) != 0) {
		cJSON_Delete(root);
		return ERR_TOO_LARGE;
	}
	c->json = root;
	return json_members(c->arena, root, c->route->fields, c->route->nfields, in);
}

#define ROUTER_FILES_MAX 4 /* file parts kept from one multipart body, declared or not */

/* Parses a multipart body: its text parts are the inputs, the file parts named by the table's
 * F_FILE fields (and any part with a filename) go to c->files. A file part over the upload cap
 * (conf photo_max_bytes) ends the parse: that F_FILE field's error, with the word in its arg. */
static enum err multipart_inputs(struct call *c, struct kvlist *in)
{
	const struct route *r = c->route;
	char boundary[FORM_BOUNDARY_MAX + 1];
	const char *names[8];
	size_t nn = 0;
	const struct field *file = NULL;
	if (form_boundary(c->content_type, boundary, sizeof boundary) != FORM_OK)
		return ERR_MALFORMED_FORM;
	for (size_t i = 0; i < r->nfields && nn + 1 < sizeof names / sizeof names[0]; i++) {
		if (!(r->fields[i].flags & F_FILE))
			continue;
		names[nn++] = r->fields[i].name;
		if (file == NULL)
			file = &r->fields[i];
	}
	names[nn] = NULL;
	struct form_file *files = arena_alloc(c->arena, ROUTER_FILES_MAX * sizeof *files);
	if (files == NULL)
		return ERR_INTERNAL;
	size_t cap =
	    c->conf != NULL && c->conf->photo_max_bytes > 0 ? (size_t)c->conf->photo_max_bytes + 1 : r->body_max;
	in->n = 0;
	size_t nfiles = 0;
	enum form_err fe =
	    form_parse(c->arena, boundary, c->body, c->body_len, names, ROUTER_FILES_MAX, cap, in, files, &nfiles);
	if (fe == FORM_FILE_TOO_LARGE && file != NULL) {
		call_field_error(c, file->name, file->arg != NULL ? (const char *)file->arg : "TOO_LONG");
		return ERR_VALIDATION;
	}
	if (fe != FORM_OK)
		return ERR_MALFORMED_FORM;
	c->files = files;
	c->nfiles = nfiles;
	return ERR_OK;
}

/* The target of a staff call's audit row: what the handler found (a person looked up by its ID
 * number), else the {id} of the path, else whom a trace was about. */
static const char *audit_target(struct call *c)
{
	if (c->audit_target != NULL)
		return c->audit_target;
	if (c->nparams > 0)
		return c->params[0];
	const struct kv *person = kv_get(&c->query, "person");
	return person != NULL ? arena_strndup(c->arena, person->val, person->len > 64 ? 64 : person->len) : NULL;
}

/* Forgets an answer a handler set: it must not go out. */
static void drop_answer(struct call *c)
{
	c->resp_set = 0;
	c->status = 0;
	c->nferr = 0;
	c->resp_headers = NULL;
	c->resp_hlen = 0;
}

/* A staff call runs in one transaction with its audit row: the change and its row commit
 * together, and a call whose row cannot be written fails (503) and leaves nothing behind. */
static enum err admin_call(struct call *c)
{
	c->audited = 1;
	if (db_pin_begin(c->db) != DB_OK) {
		if (auth_audit(c, c->route->name, audit_target(c)) != DB_OK)
			log_error("a staff call failed unaudited: the database is unavailable");
		return ERR_UNAVAILABLE;
	}
	enum err e = c->route->handler(c);
	if (e == ERR_OK) {
		if (auth_audit(c, c->route->name, audit_target(c)) == DB_OK && db_pin_commit(c->db) == DB_OK)
			return ERR_OK;
		db_pin_rollback(c->db);
		drop_answer(c);
		return ERR_UNAVAILABLE;
	}
	db_pin_rollback(c->db);
	if (auth_audit(c, c->route->name, audit_target(c)) != DB_OK) {
		drop_answer(c);
		return ERR_UNAVAILABLE;
	}
	return e;
}

/* Reads the call's inputs (c->inputs): its body by the route's kind, or its query; an integrator's
 * signature is checked once the body it signs is read. */
static enum err read_inputs(struct call *c, int integrator)
{
	const struct route *r = c->route;
	enum err e;
	enum body_kind body = r->body;
	if (body == BODY_OPTIONAL_JSON)
		body = c->content_length > 0 ? BODY_JSON : BODY_NONE;
	struct kvlist *in = arena_alloc(c->arena, sizeof *in);
	if (in == NULL)
		return ERR_INTERNAL;
	if (body != BODY_NONE) {
		if (c->content_length < 0)
			return ERR_LENGTH_REQUIRED;
		if ((unsigned long long)c->content_length > r->body_max)
			return ERR_TOO_LARGE;
		if (!router_type_ok(body, c->content_type))
			return ERR_UNSUPPORTED_TYPE;
		if ((e = read_body(c)) != ERR_OK)
			return e;
		if (integrator && (e = auth_integrator(c)) != ERR_OK)
			return e;
		if (body == BODY_JSON && (e = json_inputs(c, in)) != ERR_OK)
			return e;
		if (body == BODY_MULTIPART && (e = multipart_inputs(c, in)) != ERR_OK)
			return e;
		if (body == BODY_FORM && kv_parse_urlencoded(c->arena, c->body, c->body_len, in) != KV_OK)
			return ERR_BAD_REQUEST;
	} else {
		if (integrator && (e = auth_integrator(c)) != ERR_OK)
			return e;
		*in = c->query;
	}
	c->inputs = in;
	return ERR_OK;
}

/* Judges the inputs by the route's field table, then its form check: ERR_OK, ERR_VALIDATION (the
 * failures are on the call), ERR_DUPLICATE_FIELD, or what the form check answers itself. */
static enum err judge_inputs(struct call *c)
{
	const struct route *r = c->route;
	c->f = arena_alloc(c->arena, r->nfields * sizeof *c->f);
	if (c->f == NULL)
		return ERR_INTERNAL;
	enum err e = fields_validate(c, r->fields, r->nfields, c->inputs, c->f);
	if (e == ERR_DUPLICATE_FIELD)
		return e;
	if (r->check != NULL && (e = r->check(c, c->f)) != ERR_OK && e != ERR_VALIDATION)
		return e;
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* A call refused for its inputs (e) whose caller's check was left to the handler (a holder's
 * session, a device's token) finishes that check first: a stranger hears 401 (or 503 when it
 * cannot be made), never what is wrong with its request nor what the route takes (the failing
 * fields recorded are dropped, not listed in its answer). */
static enum err refuse_inputs(struct call *c, enum err e)
{
	enum err ae = ERR_OK;
	if (c->session_deferred)
		ae = session_authenticate(c);
	else if (c->device_deferred)
		ae = auth_device_finish(c);
	if (ae == ERR_OK)
		return e;
	c->nferr = 0;
	return ae;
}

static enum err dispatch(struct call *c)
{
	const struct route *r = c->route;
	enum err e;

	if (r->auth == AUTH_LOOPBACK && !router_is_loopback(c->remote_addr))
		return ERR_NOT_FOUND;
	if (r->auth == AUTH_CITIZEN && (e = session_authenticate(c)) != ERR_OK)
		return e;
	/* A holder's GET of a code reads the session with the person and code (persons.c). */
	if (r->auth == AUTH_HOLDER && (e = session_defer(c)) != ERR_OK)
		return e;
	int integrator = r->auth == AUTH_INTEGRATOR || (r->auth == AUTH_SCANNER && auth_is_integrator(c));
	/* A device's scan checks its token in the handler's one lookup (h_scans.c). */
	if (r->auth == AUTH_SCANNER && !integrator && (e = auth_device_deferred(c)) != ERR_OK)
		return e;
	if (r->auth == AUTH_ADMIN && (e = auth_admin(c, r->roles, r->name)) != ERR_OK)
		return e;
	if ((e = read_inputs(c, integrator)) != ERR_OK)
		return refuse_inputs(c, e);
	if (r->nfields > 0 && (e = judge_inputs(c)) != ERR_OK)
		return e == ERR_VALIDATION || e == ERR_DUPLICATE_FIELD ? refuse_inputs(c, e) : e;
	return r->auth == AUTH_ADMIN ? admin_call(c) : r->handler(c);
}

/* Whether e is what a caller's deferred check itself answered, with the check still open: it could
 * not be made (503), or it refused the caller (session_accept: 401, or 403 for a cookie's write
 * without X-Requested-With; auth_device_finish and the scans' lookup: 401). */
static int check_outcome(const struct call *c, enum err e)
{
	if (e == ERR_UNAVAILABLE || e == ERR_UNAUTHENTICATED)
		return 1;
	return e == ERR_CSRF && c->session_deferred;
}

enum err router_dispatch(struct call *c)
{
	enum err e = dispatch(c);
	/* A route that left its caller's check to its handler or its form check (AUTH_HOLDER, a
	 * device's scan) finishes it before answering anything but that check's own outcome: any
	 * other answer, a success or an error about the request (404, 409, 422…), would tell a
	 * stranger what only the caller may hear. It is a defect, refused, not a pass. */
	if ((c->session_deferred || c->device_deferred) && !check_outcome(c, e)) {
		log_error("route %s answered (%s) without finishing its caller's check", c->route->name,
			  err_info(e)->code);
		drop_answer(c);
		e = ERR_INTERNAL;
	}

	/* Every call of an identified staff member is audited, whatever its outcome; one refused
	 * before its handler ran is audited here, and fails if its row cannot be written. */
	if (c->route->auth == AUTH_ADMIN && c->admin_role != 0 && !c->audited) {
		c->audited = 1;
		if (auth_audit(c, c->route->name, audit_target(c)) != DB_OK) {
			drop_answer(c);
			e = ERR_UNAVAILABLE;
		}
	}
	/* A transaction a route left open is a defect: its writes were never committed (answering
	 * them as done would lose them) and the connection would read an old snapshot afterwards. */
	if (c->db != NULL && db_txn_left_open(c->db)) {
		log_error("route %s left a transaction open: rolled back", c->route->name);
		drop_answer(c);
		return ERR_INTERNAL;
	}
	return e;
}
