/* req.h: one HTTP call as a handler sees it: request, parsed inputs, and the response being built. */
#ifndef HQR_REQ_H
#define HQR_REQ_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* Bounds on what a request may carry. */
#define REQ_PATH_MAX          1024
#define REQ_QUERY_MAX         4096
#define REQ_COOKIE_MAX        4096
#define REQ_KEY_MAX           64
#define REQ_VALUE_MAX         2048
#define REQ_PAIRS_MAX         64
#define REQ_PATH_PARAMS       4
#define REQ_FIELD_ERRS        32
/* A staff member's name: the admins.name column, VARCHAR(100) of utf8mb4 (up to 4 bytes each). */
#define REQ_STAFF_NAME_MAX_CP 100
#define REQ_STAFF_NAME_BUF    (REQ_STAFF_NAME_MAX_CP * 4 + 1)

struct kv {
	const char *key;
	const char *val; /* NUL-terminated; len excludes the NUL */
	size_t len;
};

struct kvlist {
	struct kv items[REQ_PAIRS_MAX];
	size_t n;
};

enum kv_err { KV_OK = 0, KV_MALFORMED, KV_TOO_MANY, KV_TOO_LONG, KV_NOMEM };

/* Parses an application/x-www-form-urlencoded string (a query or a body) into out; keys and
 * values are percent-decoded ('+' is a space) into the arena. A bad escape or a decoded NUL is
 * KV_MALFORMED; more than REQ_PAIRS_MAX pairs KV_TOO_MANY; a key or value over its bound KV_TOO_LONG.
 * Empty pairs ("a=1&&b=2") are skipped; a key without '=' has an empty value. */
enum kv_err kv_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kvlist *out);
/* Parses a Cookie header ("a=b; c=d"). Pairs with an invalid name or value are skipped (browsers
 * send what other sites set); only an over-long header is an error. Values are not decoded. */
enum kv_err kv_parse_cookies(struct arena *a, const char *s, size_t len, struct kvlist *out);
/* The first value of key, or NULL. */
const struct kv *kv_get(const struct kvlist *l, const char *key);
/* How many times key occurs. */
size_t kv_count(const struct kvlist *l, const char *key);

struct route;
struct form_file;
struct db;
struct conf;
struct keys;

/* The validated value of a declared field, indexed by the route's field enum. */
struct fval {
	int present;
	const char *s; /* normalised text, arena-owned */
	size_t len;
	long long i; /* integers, enumerations (index), booleans */
};

struct field_err {
	const char *field;
	const char *code;
};

struct call {
	struct arena *arena;
	const struct conf *conf;
	const struct keys *keys; /* the service's keys (NULL in the simulator) */
	struct db *db;
	void *env; /* FastCGI params (char **), NULL in pure tests */
	/* Reads up to n body bytes from the request stream; returns bytes read, 0 at its end. */
	long (*read_body)(void *io, char *buf, size_t n);
	void *io;
	void *json; /* the parsed JSON body (cJSON *), freed with the arena */

	/* request */
	const char *method;
	const char *path; /* raw path without the query */
	const char *query_raw;
	const char *request_id;
	const char *remote_addr;
	const char *content_type;
	long long content_length; /* -1 when absent */
	struct kvlist query;
	struct kvlist cookies;
	int cookies_parsed;
	char *body; /* NUL-terminated copy, arena-owned */
	size_t body_len;
	const struct route *route;
	int route_index;
	const char *params[REQ_PATH_PARAMS]; /* {id} segments in order */
	size_t nparams;
	struct fval *f;                /* route->nfields values */
	void *form;                    /* what the route's form check built from them (its type is the form's) */
	const struct form_file *files; /* a multipart body's file parts (data points into body) */
	size_t nfiles;
	const struct kvlist *inputs; /* the query or the flattened body, before validation */
	/* who is calling (set by the router's auth check) */
	uint64_t account_id;
	int session_kind; /* enum session_kind, 0 when anonymous */
	const char *session_token;
	uint8_t session_hash[32]; /* the session token's SHA-256, when its check is left to the handler */
	int session_deferred;
	uint64_t device_id;      /* a checkpoint device, or 0 */
	uint8_t device_hash[32]; /* a device token's SHA-256, when its check is left to the handler */
	int device_deferred;
	uint64_t integrator_id; /* an integrator, or 0 */
	uint64_t checkpoint_id; /* the device's checkpoint */
	int cp_kind, cp_type;   /* enum verdict_cp_kind / verdict_cp_type of that checkpoint */
	uint64_t admin_id;
	int admin_role; /* enum admin_role, 0 when not staff */
	char admin_name[REQ_STAFF_NAME_BUF];
	const char *audit_target; /* what a staff call's audit row names, when the handler found it */
	int audited;              /* the staff call's audit row is written (or failed) */
	struct field_err ferr[REQ_FIELD_ERRS];
	size_t nferr;

	/* response */
	int status;
	const char *resp_type;
	char *resp_headers; /* extra header lines, CRLF-terminated, arena-owned */
	size_t resp_hlen;
	const void *resp_body;
	size_t resp_len;
	int resp_set;
};

/* A request header by its CGI name ("HTTP_X_REQUESTED_WITH"), or NULL. */
const char *call_param(const struct call *c, const char *name);
/* Records a failing field (its name and a stable code) for a 422; extra ones are dropped. */
void call_field_error(struct call *c, const char *field, const char *code);
/* The value of cookie `name`, or NULL; parses the Cookie header on first use. */
const char *call_cookie(struct call *c, const char *name);

/* Percent-decodes s[0..len) into out (at least len+1 bytes); plus_space turns '+' into ' '.
 * Returns the decoded length, or -1 on a bad escape or a decoded NUL. */
long pct_decode(const char *s, size_t len, char *out, int plus_space);
/* Percent-encodes s for a query value (RFC 3986 unreserved kept); NULL past the arena cap. */
char *pct_encode(struct arena *a, const char *s);

#endif
