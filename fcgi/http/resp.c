/* resp.c: the one response writer; every answer gets the request id and security headers. */
#include "resp.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

void resp_raw(struct call *c, int status, const char *ctype, const void *body, size_t len)
{
	c->status = status;
	c->resp_type = ctype;
	c->resp_body = body;
	c->resp_len = len;
	c->resp_set = 1;
}

void resp_json(struct call *c, int status, cJSON *body)
{
	char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	if (text == NULL) {
		resp_error(c, ERR_INTERNAL, NULL);
		return;
	}
	char *copy = arena_strdup(c->arena, text);
	cJSON_free(text);
	if (copy == NULL) {
		resp_error(c, ERR_INTERNAL, NULL);
		return;
	}
	resp_raw(c, status, "application/json; charset=utf-8", copy, strlen(copy));
}

void resp_error(struct call *c, enum err e, const char *message)
{
	const struct err_info *ei = err_info(e);
	/* Rendered by hand into a fixed shape so that an out-of-memory path still answers. */
	cJSON *root = cJSON_CreateObject(), *err = cJSON_CreateObject();
	if (root != NULL && err != NULL) {
		cJSON_AddItemToObject(root, "error", err);
		err = NULL;
		cJSON *eo = cJSON_GetObjectItemCaseSensitive(root, "error");
		cJSON_AddStringToObject(eo, "code", ei->code);
		cJSON_AddStringToObject(eo, "message", message != NULL ? message : ei->message);
		if (c->nferr > 0) {
			cJSON *fields = cJSON_AddArrayToObject(eo, "fields");
			for (size_t i = 0; fields != NULL && i < c->nferr; i++) {
				cJSON *f = cJSON_CreateObject();
				cJSON_AddStringToObject(f, "field", c->ferr[i].field);
				cJSON_AddStringToObject(f, "code", c->ferr[i].code);
				cJSON_AddItemToArray(fields, f);
			}
		}
		cJSON_AddStringToObject(root, "request_id", c->request_id != NULL ? c->request_id : "");
	}
	cJSON_Delete(err);
	char *text = root != NULL ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	const char *copy = text != NULL ? arena_strdup(c->arena, text) : NULL;
	cJSON_free(text);
	if (copy == NULL)
		copy = "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"},\"request_id\":\"\"}";
	resp_raw(c, ei->status, "application/json; charset=utf-8", copy, strlen(copy));
	if (ei->status == 503)
		resp_header(c, "Retry-After", "1");
}

void resp_redirect(struct call *c, const char *location)
{
	resp_header(c, "Location", location);
	resp_raw(c, 302, "text/plain; charset=utf-8", "", 0);
}

void resp_header(struct call *c, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL)
		return;
	size_t add = strlen(name) + strlen(value) + 4;
	char *h = arena_alloc(c->arena, c->resp_hlen + add + 1);
	if (h == NULL)
		return;
	if (c->resp_hlen > 0)
		memcpy(h, c->resp_headers, c->resp_hlen);
	snprintf(h + c->resp_hlen, add + 1, "%s: %s\r\n", name, value);
	c->resp_headers = h;
	c->resp_hlen += add;
}

size_t resp_head(const struct call *c, char *buf, size_t max)
{
	int has_cache = c->resp_headers != NULL && strstr(c->resp_headers, "Cache-Control:") != NULL;
	int n = snprintf(buf, max,
			 "Status: %d %s\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "X-Request-Id: %s\r\n"
			 "X-Content-Type-Options: nosniff\r\n"
			 "Referrer-Policy: no-referrer\r\n"
			 "%s"
			 "%.*s\r\n",
			 c->status, err_reason(c->status),
			 c->resp_type != NULL ? c->resp_type : "application/json; charset=utf-8", c->resp_len,
			 c->request_id != NULL ? c->request_id : "", has_cache ? "" : "Cache-Control: no-store\r\n",
			 (int)c->resp_hlen, c->resp_headers != NULL ? c->resp_headers : "");
	if (n < 0 || (size_t)n >= max)
		return 0;
	return (size_t)n;
}
