/* ctl_args.c: what the verbs that make and revoke things share: a decimal id argument, the
 * checkpoint it names, the keys, and the message a store failure prints. */
#include "ctl.h"
#include "cclass.h"
#include "conf.h"
#include "keys.h"
#include "store_admin.h"

#include <stdio.h>
#include <string.h>

uint64_t ctl_id_arg(const char *what, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	uint64_t v = 0;
	if (n == 0 || n > 19 || s[0] == '0' || !cc_all(s, n, cc_digit)) {
		fprintf(stderr, "hqrctl: %s must be a positive decimal id\n", what);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > (uint64_t)INT64_MAX) {
		fprintf(stderr, "hqrctl: %s must be a positive decimal id\n", what);
		return 0;
	}
	return v;
}

int ctl_db_fail(enum db_rc rc)
{
	fprintf(stderr, "hqrctl: %s\n",
		rc == DB_DOWN ? "the database is unreachable" : "the database refused the change");
	return 1;
}

int ctl_checkpoint_arg(const struct ctl *ctl, uint64_t id, struct checkpoint_row *r)
{
	enum db_rc rc = checkpoint_get(ctl->db, id, r);
	if (rc == DB_NOROW) {
		fprintf(stderr, "hqrctl: no checkpoint %llu\n", (unsigned long long)id);
		return 1;
	}
	return rc != DB_OK ? ctl_db_fail(rc) : 0;
}

int ctl_load_keys(const struct ctl *ctl, struct keys *k)
{
	char err[512];
	if (keys_load(ctl->conf->keys_dir, k, err, sizeof err) != 0) {
		fprintf(stderr, "hqrctl: %s\n", err);
		return -1;
	}
	return 0;
}
