/* fuzz_scan.c: libFuzzer target for a scan's JSON body (scanin.c's field tables), read as the
 * router reads it (cJSON_ParseWithLength, fields_validate_json, scan_check) as a device's scan and
 * an integrator's, and an integrator's batch {"scans":[...]} item by item as h_scans.c judges
 * them (scan_item_parse). Never crash; a body taken is one the handler can use: a qr of
 * 1..SCAN_QR_MAX bytes without the scanner's line break, a direction, the visitor stored as a JSON
 * object, a checkpoint from 1 when one is needed; an item's client id is one. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "conf.h"
#include "req.h"
#include "scanin.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the handler gets is usable. */
static void taken(const struct scan_in *in, int need_checkpoint)
{
	size_t n = in->qr != NULL ? strlen(in->qr) : 0;
	if (n == 0 || n > SCAN_QR_MAX || in->qr[n - 1] == '\n' || in->qr[n - 1] == '\r' || in->qr[n - 1] == ' ')
		abort();
	if (in->dir != VERDICT_DIR_IN && in->dir != VERDICT_DIR_OUT)
		abort();
	if (need_checkpoint && in->checkpoint < 1)
		abort();
	if (in->has_visitor) {
		if (memchr(in->visitor_json, '\0', sizeof in->visitor_json) == NULL)
			abort();
		cJSON *v = cJSON_Parse(in->visitor_json);
		if (!cJSON_IsObject(v) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "purpose")))
			abort();
		cJSON_Delete(v);
	}
}

/* A live scan's body as the router judges it (need_checkpoint: an integrator's). */
static void check(struct call *c, const cJSON *o, int need_checkpoint)
{
	struct fval v[SCAN__MAX];
	c->nferr = 0;
	c->form = NULL;
	c->integrator_id = need_checkpoint ? 7 : 0;
	enum err e = fields_validate_json(c, scan_fields, SCAN__MAX, o, v);
	if (e != ERR_OK && e != ERR_VALIDATION && e != ERR_DUPLICATE_FIELD && e != ERR_BAD_JSON)
		abort();
	if (e == ERR_BAD_JSON || e == ERR_DUPLICATE_FIELD)
		return;
	enum err ce = scan_check(c, v);
	if (ce != ERR_OK && ce != ERR_VALIDATION)
		abort();
	if ((ce == ERR_OK) != (c->nferr == 0))
		abort();
	for (size_t i = 0; i < c->nferr; i++)
		if (c->ferr[i].field == NULL || c->ferr[i].code == NULL || c->ferr[i].code[0] == '\0')
			abort();
	if (ce == ERR_OK)
		taken(c->form, need_checkpoint);
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
	static struct conf conf;
	conf_defaults(&conf);
	c.conf = &conf;
	check(&c, root, 0);
	check(&c, root, 1);
	struct fval lv[BATCH__MAX];
	c.nferr = 0;
	if (fields_validate_json(&c, batch_fields, BATCH__MAX, root, lv) == ERR_OK) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "scans");
		if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) < 1 ||
		    cJSON_GetArraySize(items) > SCAN_BATCH_MAX)
			abort();
		const cJSON *it;
		cJSON_ArrayForEach(it, items) {
			static struct scan_in in;
			int64_t at;
			const char *cid;
			const char *w = scan_item_parse(&c, it, 1796000000, &in, &at, &cid);
			if (c.nferr != 0 || (w != NULL && w[0] == '\0'))
				abort();
			if (cid != NULL) {
				size_t k = strlen(cid);
				if (k == 0 || k > SCAN_CLIENT_ID_MAX ||
				    strspn(cid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:") !=
					k)
					abort();
			}
			if (w == NULL) {
				if (cid == NULL || at < 1796000000 - 28 * 86400 || at > 1796000000 + 30)
					abort();
				taken(&in, 1);
			}
		}
	}
	arena_free(&a);
	cJSON_Delete(root);
	return 0;
}
