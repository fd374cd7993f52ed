/* router.h: matching a request to the route table, and the checks every route gets from its row. */
#ifndef HQR_ROUTER_H
#define HQR_ROUTER_H
#include <stddef.h>

#include "auth.h"
#include "req.h"
#include "valid.h"

/* Who may call a route. */
enum auth {
	AUTH_ANY = 0,    /* anyone */
	AUTH_LOOPBACK,   /* only from 127.0.0.0/8 or ::1 (ops endpoints) */
	AUTH_CITIZEN,    /* a session cookie (with X-Requested-With on writes) or a bearer token */
	AUTH_HOLDER,     /* the same for a GET of one's own person {id}: the token is only parsed
	                     * here, the handler reads the session with the person (session.c) */
	AUTH_SCANNER,    /* a checkpoint device's bearer token, or an integrator's signature */
	AUTH_INTEGRATOR, /* an integrator's signature (X-HQR-Key, -Timestamp, -Nonce, -Signature) */
	AUTH_ADMIN,      /* an officer's, investigator's or operator's bearer token; see route.roles */
	AUTH__MAX
};

/* What body a route takes. */
enum body_kind {
	BODY_NONE = 0,      /* no body: inputs come from the query */
	BODY_JSON,          /* application/json object */
	BODY_FORM,          /* application/x-www-form-urlencoded */
	BODY_MULTIPART,     /* multipart/form-data: text parts are the inputs, F_FILE fields its files */
	BODY_XML,           /* text/xml or application/xml (the platform) */
	BODY_RAW,           /* any type, read as bytes (the handler checks it) */
	BODY_OPTIONAL_JSON, /* no body, or a JSON object */
};

typedef enum err (*handler_fn)(struct call *c);
/* A form's rules across its fields, or against today's date or the configuration: runs after
 * every field's own check (also when some failed, so that one 422 lists every failing field),
 * sees the validated values v[route->nfields] (a field that failed is not present), records
 * failures with call_field_error and may hang what it built on c->form. No I/O. Returns ERR_OK,
 * ERR_VALIDATION, or ERR_INTERNAL when the arena is full. */
typedef enum err (*form_check_fn)(struct call *c, struct fval *v);

/* What a route is worth past capacity (DESIGN §13): a worker with no room sheds low first, then
 * normal; high (showing codes, taking scans) is queued as long as any room is left. */
enum prio {
	PRIO_NORMAL = 0, /* the default */
	PRIO_HIGH,       /* codes shown and scans taken: the peak's own work */
	PRIO_LOW,        /* secondary work: report lists, histories, admin lists */
	PRIO__MAX
};

struct route {
	const char *name; /* metrics label */
	const char *method;
	const char *pattern; /* "/api/v1/persons/{id}/code": {..} matches one segment */
	enum auth auth;
	enum body_kind body;
	size_t body_max; /* bytes; 0 for BODY_NONE */
	const struct field *fields;
	size_t nfields;
	handler_fn handler;
	unsigned roles;      /* AUTH_ADMIN: the roles allowed (ROLE_BIT of enum admin_role) */
	enum prio prio;      /* shedding order past capacity (worker.c) */
	form_check_fn check; /* the form's rules across its fields, or NULL */
};

/* The field table of a route whose optional JSON body is read for nothing (a row's NOMEMBERS,
 * with nfields 0): its members are ignored, as every undeclared input is; the row says so. */
extern const struct field no_members[1];

enum match { MATCH_OK, MATCH_NOT_FOUND, MATCH_METHOD };

/* Finds the route for method and path. On MATCH_OK sets *idx and the {..} segments (pointing into
 * arena copies); on MATCH_METHOD writes the allowed methods ("GET, POST") into allow. Pure. */
enum match router_match(const struct route *routes, size_t n, const char *method, const char *path, struct arena *a,
			size_t *idx, const char **params, size_t *nparams, char *allow, size_t allowlen);

/* Runs the common checks of c->route (auth, length, type, size, body, fields) and then its
 * handler. Returns the handler's error or the first failing check's; never writes a body itself.
 * A route that left its caller's check to its handler (AUTH_HOLDER, a device's AUTH_SCANNER) and
 * answers without finishing it is ERR_INTERNAL, unless the answer is that check's own (401, 503,
 * a session's 403 CSRF). */
enum err router_dispatch(struct call *c);

/* Whether a content type (with parameters) names the media type of kind. Pure. */
int router_type_ok(enum body_kind kind, const char *content_type);
/* Whether an address is loopback (127.0.0.0/8, ::1, ::ffff:127.x). Pure. */
int router_is_loopback(const char *addr);

#endif
