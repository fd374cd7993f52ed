/* resp.h: the one response writer: JSON, errors, raw bodies, redirects, headers. */
#ifndef HQR_RESP_H
#define HQR_RESP_H
#include <stddef.h>

#include "req.h"

struct cJSON;

/* Sets a JSON body; takes ownership of body (deleted here). */
void resp_json(struct call *c, int status, struct cJSON *body);
/* Sets the error body of DESIGN §7 for e, with the call's field errors; message NULL = default. */
void resp_error(struct call *c, enum err e, const char *message);
/* Sets a body of any type; body must outlive the call (arena or static). */
void resp_raw(struct call *c, int status, const char *ctype, const void *body, size_t len);
/* A redirect (302) to location, which must already be a safe URL. */
void resp_redirect(struct call *c, const char *location);
/* Adds one header line; name and value must not contain CR or LF (dropped if they do). */
void resp_header(struct call *c, const char *name, const char *value);
/* Renders the CGI response head (Status, type, standard and extra headers, blank line) into
 * buf; returns its length, or 0 if it does not fit. */
size_t resp_head(const struct call *c, char *buf, size_t max);

#endif
