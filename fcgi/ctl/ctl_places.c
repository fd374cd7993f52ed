/* ctl_places.c: `hqrctl place-code add|revoke|list|display`: the operators' place codes
 * (DESIGN §11). A verb that creates a token prints it (or the URL holding it) alone on the last
 * line of standard output. */
#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "db.h"
#include "keys.h"
#include "label.h"
#include "store_admin.h"
#include "store_places.h"
#include "verdict.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DISPLAY_TOKEN_LEN 43

/* The value of --name in argv (pairs), or NULL; *bad is set on an unknown option, a missing value
 * or an option given twice. */
static const char *opt(int argc, char **argv, const char *const *allowed, const char *name, int *bad)
{
	const char *v = NULL;
	for (int i = 0; i < argc; i += 2) {
		int ok = 0;
		for (size_t k = 0; allowed[k] != NULL; k++)
			ok |= strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, allowed[k]) == 0;
		if (!ok || i + 1 >= argc) {
			fprintf(stderr, "hqrctl: %s %s\n", argv[i], ok ? "needs a value" : "is not an option here");
			*bad = 1;
			return NULL;
		}
		if (strcmp(argv[i] + 2, name) == 0) {
			if (v != NULL) {
				fprintf(stderr, "hqrctl: --%s given twice\n", name);
				*bad = 1;
			}
			v = argv[i + 1];
		}
	}
	return v;
}

static void print_code(const struct ctl *ctl, const struct place_code *pc)
{
	const char *tw = verdict_cp_type_word((enum verdict_cp_type)pc->cp_type);
	printf("%llu\tcheckpoint %llu (%s, %s)\t%s\t%s\t%s%s%s\n", (unsigned long long)pc->id,
	       (unsigned long long)pc->checkpoint, pc->name, tw != NULL ? tw : "unknown",
	       pc->revoked ? "revoked" : "active", pc->label[0] != '\0' ? pc->label : "-",
	       pc->token[0] != '\0' ? ctl->conf->public_url : "(token sealed under a key no longer held)",
	       pc->token[0] != '\0' ? "/p/" : "", pc->token);
}

struct listing {
	const struct ctl *ctl;
	uint64_t last;
	int n;
};

static void list_one(const struct place_code *pc, void *arg)
{
	struct listing *x = arg;
	print_code(x->ctl, pc);
	x->last = pc->id;
	x->n++;
}

static int usage(void)
{
	fprintf(stderr, "usage: hqrctl place-code add --checkpoint ID [--label LABEL]\n"
			"       hqrctl place-code revoke --id ID\n"
			"       hqrctl place-code list [--checkpoint ID]\n"
			"       hqrctl place-code display --id ID\n");
	return 2;
}

static int add(struct ctl *ctl, int argc, char **argv)
{
	static const char *const allowed[] = { "checkpoint", "label", NULL };
	int bad = 0;
	const char *cps = opt(argc, argv, allowed, "checkpoint", &bad);
	const char *label = opt(argc, argv, allowed, "label", &bad);
	if (bad)
		return 2;
	uint64_t cp = ctl_id_arg("--checkpoint", cps);
	if (cp == 0)
		return 2;
	if (label == NULL)
		label = "";
	if (label[0] != '\0' && label_check(label, strlen(label)) != NULL) {
		fprintf(stderr, "hqrctl: --label must be at most %d characters of text without control characters\n",
			LABEL_MAX_CP);
		return 2;
	}
	struct checkpoint_row r;
	int e = ctl_checkpoint_arg(ctl, cp, &r);
	if (e != 0)
		return e;
	struct keys k;
	if (ctl_load_keys(ctl, &k) != 0)
		return 1;
	static struct place_code pc;
	enum db_rc rc = places_create(ctl->db, k.data, cp, label, clock_now(), &pc);
	memset(&k, 0, sizeof k);
	if (rc != DB_OK)
		return ctl_db_fail(rc);
	printf("place code %llu of checkpoint %llu (%s) added; print its poster at %s/place-poster.html?id=%llu\n"
	       "its URL, which its QR carries:\n%s/p/%s\n",
	       (unsigned long long)pc.id, (unsigned long long)cp, r.name, ctl->conf->public_url,
	       (unsigned long long)pc.id, ctl->conf->public_url, pc.token);
	return 0;
}

int ctl_place_code(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "add") == 0)
		return add(ctl, argc - 1, argv + 1);
	static const char *const id_only[] = { "id", NULL }, *const list_opts[] = { "checkpoint", NULL };
	int bad = 0;
	if (strcmp(argv[0], "revoke") == 0 || strcmp(argv[0], "display") == 0) {
		const char *ids = opt(argc - 1, argv + 1, id_only, "id", &bad);
		if (bad)
			return 2;
		uint64_t id = ctl_id_arg("--id", ids);
		if (id == 0)
			return 2;
		if (argv[0][0] == 'r') {
			enum db_rc rc = places_revoke(ctl->db, id, clock_now());
			if (rc == DB_NOROW) {
				fprintf(stderr, "hqrctl: no active place code %llu\n", (unsigned long long)id);
				return 1;
			}
			if (rc != DB_OK)
				return ctl_db_fail(rc);
			printf("place code %llu revoked: its page and its screens answer 410 from now on\n",
			       (unsigned long long)id);
			return 0;
		}
		struct keys k;
		if (ctl_load_keys(ctl, &k) != 0)
			return 1;
		static struct place_code pc;
		enum db_rc rc = places_get(ctl->db, k.data, id, &pc);
		memset(&k, 0, sizeof k);
		if (rc == DB_NOROW || (rc == DB_OK && pc.revoked)) {
			fprintf(stderr, "hqrctl: no active place code %llu\n", (unsigned long long)id);
			return 1;
		}
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		char token[DISPLAY_TOKEN_LEN + 1];
		uint64_t did = 0;
		if ((rc = places_display_create(ctl->db, id, clock_now(), token, &did)) != DB_OK)
			return ctl_db_fail(rc);
		printf(
		    "door screen %llu of place code %llu added; open %s/place-display.html on the screen and give it "
		    "the token below, shown only once:\n%s\n",
		    (unsigned long long)did, (unsigned long long)id, ctl->conf->public_url, token);
		memset(token, 0, sizeof token);
		return 0;
	}
	if (strcmp(argv[0], "list") == 0) {
		const char *cps = opt(argc - 1, argv + 1, list_opts, "checkpoint", &bad);
		if (bad)
			return 2;
		uint64_t cp = cps != NULL ? ctl_id_arg("--checkpoint", cps) : 0;
		if (cps != NULL && cp == 0)
			return 2;
		struct keys k;
		if (ctl_load_keys(ctl, &k) != 0)
			return 1;
		/* Pages of 200 until a page comes back short. */
		struct listing x = { ctl, 0, 0 };
		enum db_rc rc = DB_OK;
		do {
			x.n = 0;
			rc = places_list(ctl->db, k.data, cp, x.last, 200, list_one, &x);
		} while (rc == DB_OK && x.n == 200);
		memset(&k, 0, sizeof k);
		return rc == DB_OK ? 0 : ctl_db_fail(rc);
	}
	return usage();
}
