/* h_contract.c: the service's contract (openapi.json, built into the binary) for integrators. */
#include "resp.h"
#include "routes.h"

#include <stddef.h>

/* build/gen/openapi_doc.c, made from openapi.json by scripts/embed.sh. */
extern const unsigned char openapi_doc[];
extern const size_t openapi_doc_len;

enum err h_openapi(struct call *c)
{
	resp_header(c, "Cache-Control", "public, max-age=300");
	resp_raw(c, 200, "application/json; charset=utf-8", openapi_doc, openapi_doc_len);
	return ERR_OK;
}
