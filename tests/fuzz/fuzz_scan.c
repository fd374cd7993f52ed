/* fuzz_scan.c: libFuzzer target for a scan's JSON body (scanin.c), read as the router reads it
 * (cJSON_ParseWithLength), then as a device's scan, an integrator's scan, and an integrator's
 * batch {"scans":[...]} item by item with its client ids. Never crash; a body taken is one the
 * handler can use: a qr of 1..SCAN_QR_MAX bytes without the scanner's line break, a direction,
 * the visitor stored as a JSON object, a checkpoint from 1 when one is needed. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "req.h"
#include "scanin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BATCH_MAX 500 /* h_scans.c refuses longer batches before reading items */

static void check(struct call *c, const cJSON *o, int need_checkpoint)
{
	static struct scan_in in;
	size_t before = c->nferr;
	int rc = scan_in_parse(c, o, &in, need_checkpoint);
	if ((rc == 0) != (c->nferr == before))
		abort();
	if (rc != 0)
		return;
	size_t n = in.qr != NULL ? strlen(in.qr) : 0;
	if (n == 0 || n > SCAN_QR_MAX || in.qr[n - 1] == '\n' || in.qr[n - 1] == '\r' || in.qr[n - 1] == ' ')
		abort();
	if (in.dir != VERDICT_DIR_IN && in.dir != VERDICT_DIR_OUT)
		abort();
	if (need_checkpoint && in.checkpoint < 1)
		abort();
	if (in.has_visitor) {
		if (memchr(in.visitor_json, '\0', sizeof in.visitor_json) == NULL)
			abort();
		cJSON *v = cJSON_Parse(in.visitor_json);
		if (!cJSON_IsObject(v) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "purpose")))
			abort();
		cJSON_Delete(v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = cJSON_ParseWithLength((const char *)data, size);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return 0;
	}
	struct arena a;
	arena_init(&a, 1u << 20);
	struct call c;
	memset(&c, 0, sizeof c);
	c.arena = &a;
	check(&c, root, 0);
	c.nferr = 0;
	check(&c, root, 1);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "scans");
	if (cJSON_IsArray(items) && cJSON_GetArraySize(items) <= BATCH_MAX) {
		const cJSON *it;
		cJSON_ArrayForEach(it, items) {
			const cJSON *cid = cJSON_GetObjectItemCaseSensitive(it, "client_id");
			if (scan_client_id_ok(cJSON_IsString(cid) ? cid->valuestring : NULL)) {
				size_t k = strlen(cid->valuestring);
				if (k == 0 || k > SCAN_CLIENT_ID_MAX ||
				    strspn(cid->valuestring,
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:") != k)
					abort();
			}
			c.nferr = 0;
			check(&c, it, 1);
		}
	}
	arena_free(&a);
	cJSON_Delete(root);
	return 0;
}
