/* ctl_admin.c: `hqrctl admin|checkpoint|device|integrator|resident|seed-demo`: staff tokens,
 * checkpoints, device tokens, integrator keys, residents, and the demo of `make run`.
 * A verb that creates a secret prints it alone on the last line of standard output, once:
 * only its hash (tokens) or its sealed form (integrator secrets) is stored. */
#include "auth.h"
#include "cclass.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "ctl.h"
#include "db.h"
#include "person.h"
#include "keys.h"
#include "label.h"
#include "router.h"
#include "store_admin.h"
#include "store_places.h"
#include "verdict.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OPTS_MAX          64
#define INTEGRATOR_CP_MAX 32

/* "--key value" pairs of a verb, in order. */
struct opts {
	const char *key[OPTS_MAX];
	const char *val[OPTS_MAX];
	int n;
};

/* Parses argv into o, accepting only the keys in allowed (NULL-ended, without "--"). Prints the
 * problem and returns -1 on an unknown key, a missing value or too many options. */
static int opts_parse(int argc, char **argv, const char *const *allowed, struct opts *o)
{
	o->n = 0;
	for (int i = 0; i < argc; i += 2) {
		const char *a = argv[i];
		int ok = 0;
		if (strncmp(a, "--", 2) == 0)
			for (size_t k = 0; allowed[k] != NULL; k++)
				if (strcmp(a + 2, allowed[k]) == 0)
					ok = 1;
		if (!ok) {
			fprintf(stderr, "hqrctl: unknown option %s\n", a);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "hqrctl: %s needs a value\n", a);
			return -1;
		}
		if (o->n == OPTS_MAX) {
			fprintf(stderr, "hqrctl: too many options\n");
			return -1;
		}
		o->key[o->n] = a + 2;
		o->val[o->n] = argv[i + 1];
		o->n++;
	}
	return 0;
}

/* The value of a single-valued option; NULL (with a message) when absent or given twice. */
static const char *opt_one(const struct opts *o, const char *key)
{
	const char *v = NULL;
	for (int i = 0; i < o->n; i++) {
		if (strcmp(o->key[i], key) != 0)
			continue;
		if (v != NULL) {
			fprintf(stderr, "hqrctl: --%s given twice\n", key);
			return NULL;
		}
		v = o->val[i];
	}
	if (v == NULL)
		fprintf(stderr, "hqrctl: --%s is required\n", key);
	return v;
}

/* A name, district or staff name: 1..100 code points of text without controls, not padded. */
static int label_ok(const char *what, const char *s)
{
	if (label_check(s, strlen(s)) != NULL) {
		fprintf(stderr, "hqrctl: %s must be 1..%d characters of text without control characters\n", what,
			LABEL_MAX_CP);
		return 0;
	}
	return 1;
}

/* A staff name: 1..REQ_STAFF_NAME_MAX_CP characters (each call of that staff member reads it back
 * into a buffer of that many 4-byte characters). */
static int staff_name_ok(const char *s)
{
	size_t n = strlen(s);
	long cp = n > 0 && n <= REQ_STAFF_NAME_MAX_CP * 4 ? utf8_check_text(s, n) : -1;
	if (cp < 1 || cp > REQ_STAFF_NAME_MAX_CP || s[0] == ' ' || s[n - 1] == ' ') {
		fprintf(stderr,
			"hqrctl: --name must be 1..%d characters of text without control characters "
			"(%s)\n",
			REQ_STAFF_NAME_MAX_CP,
			cp > REQ_STAFF_NAME_MAX_CP || n > REQ_STAFF_NAME_MAX_CP * 4 ? "too long"
										    : "empty, padded or not text");
		return 0;
	}
	return 1;
}

/* ---- creating things (shared by the verbs and seed-demo) ------------------ */

static enum db_rc make_admin(struct db *db, int role, const char *name, char token[AUTH_TOKEN_LEN + 1])
{
	uint8_t hash[32];
	if (auth_new_token(token, hash) != 0)
		return DB_ERR;
	return staff_create(db, role, name, hash, clock_now());
}

static enum db_rc make_checkpoint(struct db *db, enum verdict_cp_kind kind, enum verdict_cp_type type, const char *name,
				  const char *district, uint64_t *id)
{
	return checkpoint_create(db, (int32_t)kind, (int32_t)type, name, district, clock_now(), id);
}

static enum db_rc make_device(struct db *db, uint64_t cp, char token[AUTH_TOKEN_LEN + 1], uint64_t *id)
{
	uint8_t hash[32];
	if (auth_new_token(token, hash) != 0)
		return DB_ERR;
	return device_create(db, cp, hash, clock_now(), id);
}

/* The checkpoint id's kind: 0, or the exit code with a message. */
static int checkpoint_kind(const struct ctl *ctl, uint64_t id, int32_t *kind)
{
	struct checkpoint_row r;
	int e = ctl_checkpoint_arg(ctl, id, &r);
	*kind = e == 0 ? r.kind : 0;
	return e;
}

/* ---- admin ------------------------------------------------------------------ */

int ctl_admin(struct ctl *ctl, int argc, char **argv)
{
	static const char *const add_opts[] = { "role", "name", NULL }, *const revoke_opts[] = { "name", NULL };
	struct opts o;
	if (argc >= 1 && strcmp(argv[0], "add") == 0) {
		if (opts_parse(argc - 1, argv + 1, add_opts, &o) != 0)
			return 2;
		const char *role_w = opt_one(&o, "role"), *name = opt_one(&o, "name");
		if (role_w == NULL || name == NULL || !staff_name_ok(name))
			return 2;
		int role = auth_role_from_word(role_w);
		if (role == 0) {
			fprintf(stderr, "hqrctl: --role must be officer, investigator or operator\n");
			return 2;
		}
		char token[AUTH_TOKEN_LEN + 1];
		enum db_rc rc = make_admin(ctl->db, role, name, token);
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		printf("%s \"%s\" added; the bearer token below is shown only once:\n%s\n", auth_role_word(role), name,
		       token);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0) {
		if (opts_parse(argc - 1, argv + 1, revoke_opts, &o) != 0)
			return 2;
		const char *name = opt_one(&o, "name");
		if (name == NULL || !label_ok("--name", name))
			return 2;
		uint64_t n = 0;
		enum db_rc rc = staff_revoke(ctl->db, name, clock_now(), &n);
		if (rc == DB_NOROW) {
			fprintf(stderr, "hqrctl: \"%s\" has no active token\n", name);
			return 1;
		}
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		printf("%llu token(s) of \"%s\" revoked\n", (unsigned long long)n, name);
		return 0;
	}
	fprintf(stderr, "usage: hqrctl admin add --role officer|investigator|operator --name NAME\n"
			"       hqrctl admin revoke --name NAME\n");
	return 2;
}

/* ---- checkpoint ------------------------------------------------------------- */

int ctl_checkpoint(struct ctl *ctl, int argc, char **argv)
{
	static const char *const add_opts[] = { "kind", "type", "name", "district", NULL };
	struct opts o;
	if (argc >= 1 && strcmp(argv[0], "add") == 0) {
		if (opts_parse(argc - 1, argv + 1, add_opts, &o) != 0)
			return 2;
		const char *kw = opt_one(&o, "kind"), *tw = opt_one(&o, "type"), *name = opt_one(&o, "name");
		const char *district = opt_one(&o, "district");
		if (kw == NULL || tw == NULL || name == NULL || district == NULL || !label_ok("--name", name) ||
		    !label_ok("--district", district))
			return 2;
		enum verdict_cp_kind kind = verdict_cp_kind_from_word(kw, strlen(kw));
		enum verdict_cp_type type = verdict_cp_type_from_word(tw, strlen(tw));
		if (kind == VERDICT_CP__MAX) {
			fprintf(stderr, "hqrctl: --kind must be community, public_place or transport\n");
			return 2;
		}
		if (type == VERDICT_CPT__MAX || verdict_cp_type_kind(type) != kind) {
			fprintf(stderr, "hqrctl: --type must be a type of kind %s:", kw);
			for (int t = 0; t < VERDICT_CPT__MAX; t++)
				if (verdict_cp_type_kind((enum verdict_cp_type)t) == kind)
					fprintf(stderr, " %s", verdict_cp_type_word((enum verdict_cp_type)t));
			fprintf(stderr, "\n");
			return 2;
		}
		uint64_t id = 0;
		enum db_rc rc = make_checkpoint(ctl->db, kind, type, name, district, &id);
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		printf("checkpoint \"%s\" (%s/%s) added; its id:\n%llu\n", name, kw, tw, (unsigned long long)id);
		return 0;
	}
	fprintf(stderr, "usage: hqrctl checkpoint add --kind K --type T --name NAME --district DISTRICT\n");
	return 2;
}

/* ---- device ----------------------------------------------------------------- */

int ctl_device(struct ctl *ctl, int argc, char **argv)
{
	static const char *const add_opts[] = { "checkpoint", NULL }, *const revoke_opts[] = { "id", NULL };
	struct opts o;
	if (argc >= 1 && strcmp(argv[0], "add") == 0) {
		if (opts_parse(argc - 1, argv + 1, add_opts, &o) != 0)
			return 2;
		uint64_t cp = ctl_id_arg("--checkpoint", opt_one(&o, "checkpoint"));
		if (cp == 0)
			return 2;
		int32_t kind = 0;
		int e = checkpoint_kind(ctl, cp, &kind);
		if (e != 0)
			return e;
		char token[AUTH_TOKEN_LEN + 1];
		uint64_t id = 0;
		enum db_rc rc;
		if ((rc = make_device(ctl->db, cp, token, &id)) != DB_OK)
			return ctl_db_fail(rc);
		printf("device %llu of checkpoint %llu added; the bearer token below is shown only once:\n%s\n",
		       (unsigned long long)id, (unsigned long long)cp, token);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0) {
		if (opts_parse(argc - 1, argv + 1, revoke_opts, &o) != 0)
			return 2;
		uint64_t id = ctl_id_arg("--id", opt_one(&o, "id"));
		if (id == 0)
			return 2;
		enum db_rc rc = device_revoke(ctl->db, id, clock_now());
		if (rc == DB_NOROW) {
			fprintf(stderr, "hqrctl: no active device %llu\n", (unsigned long long)id);
			return 1;
		}
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		printf("device %llu revoked\n", (unsigned long long)id);
		return 0;
	}
	fprintf(stderr, "usage: hqrctl device add --checkpoint ID | device revoke --id ID\n");
	return 2;
}

/* ---- integrator ------------------------------------------------------------- */

int ctl_integrator(struct ctl *ctl, int argc, char **argv)
{
	static const char *const add_opts[] = { "name", "checkpoint", NULL };
	static const char *const revoke_opts[] = { "key", NULL };
	struct opts o;
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0) {
		/* A leaked secret: the key stops at once (the next signed request is a 401). */
		if (opts_parse(argc - 1, argv + 1, revoke_opts, &o) != 0)
			return 2;
		const char *key = opt_one(&o, "key");
		if (key == NULL || strlen(key) > 40) {
			fprintf(stderr, "usage: hqrctl integrator revoke --key KEY_ID\n");
			return 2;
		}
		enum db_rc rc = integrator_revoke(ctl->db, key, clock_now());
		if (rc == DB_NOROW) {
			fprintf(stderr, "hqrctl: no active integrator key %s\n", key);
			return 1;
		}
		if (rc != DB_OK)
			return ctl_db_fail(rc);
		printf("integrator key %s revoked\n", key);
		return 0;
	}
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		fprintf(stderr, "usage: hqrctl integrator add --name NAME --checkpoint ID [--checkpoint ID...] | "
				"integrator revoke --key KEY_ID\n");
		return 2;
	}
	if (opts_parse(argc - 1, argv + 1, add_opts, &o) != 0)
		return 2;
	const char *name = opt_one(&o, "name");
	if (name == NULL || !label_ok("--name", name))
		return 2;
	uint64_t cps[INTEGRATOR_CP_MAX];
	int ncp = 0;
	for (int i = 0; i < o.n; i++) {
		if (strcmp(o.key[i], "checkpoint") != 0)
			continue;
		uint64_t cp = ctl_id_arg("--checkpoint", o.val[i]);
		if (cp == 0)
			return 2;
		int dup = 0;
		for (int j = 0; j < ncp; j++)
			dup |= cps[j] == cp;
		if (dup)
			continue;
		if (ncp == INTEGRATOR_CP_MAX) {
			fprintf(stderr, "hqrctl: at most %d checkpoints per integrator\n", INTEGRATOR_CP_MAX);
			return 2;
		}
		cps[ncp++] = cp;
	}
	if (ncp == 0) {
		fprintf(stderr, "hqrctl: at least one --checkpoint is required\n");
		return 2;
	}
	for (int i = 0; i < ncp; i++) {
		struct checkpoint_row r;
		int e = ctl_checkpoint_arg(ctl, cps[i], &r);
		if (e != 0)
			return e;
	}
	struct keys k;
	if (ctl_load_keys(ctl, &k) != 0)
		return 1;
	/* The key id names the integrator in X-HQR-Key; the secret's hex text is its HMAC key. */
	uint8_t kraw[8], sraw[32], enc[128];
	char key_id[3 + 16 + 1] = "ik_", secret[64 + 1], aad[64];
	if (crypto_random(kraw, sizeof kraw) != 0 || crypto_random(sraw, sizeof sraw) != 0) {
		memset(&k, 0, sizeof k);
		fprintf(stderr, "hqrctl: no randomness\n");
		return 1;
	}
	crypto_hex(kraw, sizeof kraw, key_id + 3);
	crypto_hex(sraw, sizeof sraw, secret);
	snprintf(aad, sizeof aad, "integrator|%s", key_id);
	int n = crypto_seal(k.data, aad, strlen(aad), secret, 64, enc, sizeof enc);
	memset(&k, 0, sizeof k);
	memset(sraw, 0, sizeof sraw);
	if (n <= 0) {
		memset(secret, 0, sizeof secret);
		fprintf(stderr, "hqrctl: the secret could not be sealed\n");
		return 1;
	}
	enum db_rc rc = integrator_create(ctl->db, name, key_id, enc, (size_t)n, cps, ncp, clock_now());
	if (rc != DB_OK) {
		memset(secret, 0, sizeof secret);
		return ctl_db_fail(rc);
	}
	printf("integrator \"%s\" added for %d checkpoint(s); sign requests with X-HQR-Key below and the secret "
	       "(its text is the HMAC-SHA256 key), shown only once, on the last line:\nkey_id: %s\n%s\n",
	       name, ncp, key_id, secret);
	memset(secret, 0, sizeof secret);
	return 0;
}

/* ---- resident --------------------------------------------------------------- */

int ctl_resident(struct ctl *ctl, int argc, char **argv)
{
	static const char *const add_opts[] = { "checkpoint", "person", NULL };
	struct opts o;
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		fprintf(stderr, "usage: hqrctl resident add --checkpoint ID --person PUBLIC_ID\n");
		return 2;
	}
	if (opts_parse(argc - 1, argv + 1, add_opts, &o) != 0)
		return 2;
	uint64_t cp = ctl_id_arg("--checkpoint", opt_one(&o, "checkpoint"));
	const char *pid = opt_one(&o, "person");
	if (cp == 0 || pid == NULL)
		return 2;
	size_t pn = strlen(pid);
	if (pn != PUBLIC_ID_LEN || !cc_all(pid, pn, cc_b64url)) {
		fprintf(stderr, "hqrctl: --person must be a person's id (%d characters)\n", PUBLIC_ID_LEN);
		return 2;
	}
	int32_t kind = 0;
	int e = checkpoint_kind(ctl, cp, &kind);
	if (e != 0)
		return e;
	if (kind != VERDICT_CP_COMMUNITY) {
		fprintf(stderr, "hqrctl: checkpoint %llu is not a residential community\n", (unsigned long long)cp);
		return 1;
	}
	uint64_t person = 0;
	enum db_rc rc = person_id_by_public(ctl->db, pid, &person);
	if (rc == DB_NOROW) {
		fprintf(stderr, "hqrctl: no person %s\n", pid);
		return 1;
	}
	if (rc != DB_OK)
		return ctl_db_fail(rc);
	int added = 0;
	if ((rc = resident_add(ctl->db, cp, person, clock_now(), &added)) != DB_OK)
		return ctl_db_fail(rc);
	printf(added ? "person %s is now a resident of checkpoint %llu\n"
		     : "person %s was already a resident of checkpoint %llu\n",
	       pid, (unsigned long long)cp);
	return 0;
}

/* ---- seed-demo -------------------------------------------------------------- */

#define DEMO_COMMUNITY "Demo Garden Community"
#define DEMO_STATION   "Demo Line 1 Central Station"
#define DEMO_DISTRICT  "Demo District"

struct demo_token {
	const char *name;
	char token[AUTH_TOKEN_LEN + 1];
};

/* Creates the whole demo inside one transaction; tokens are filled in order of the lines. */
static enum db_rc seed(struct db *db, struct demo_token t[5])
{
	static const struct {
		const char *name;
		int role;
	} staff[] = { { "demo-officer", ROLE_OFFICER },
		      { "demo-investigator", ROLE_INVESTIGATOR },
		      { "demo-operator", ROLE_OPERATOR } };
	uint64_t community = 0, station = 0, dev = 0;
	enum db_rc rc = db_begin(db);
	if (rc != DB_OK)
		return rc;
	rc =
	    make_checkpoint(db, VERDICT_CP_COMMUNITY, VERDICT_CPT_COMMUNITY, DEMO_COMMUNITY, DEMO_DISTRICT, &community);
	if (rc == DB_OK)
		rc = make_checkpoint(db, VERDICT_CP_TRANSPORT, VERDICT_CPT_SUBWAY, DEMO_STATION, DEMO_DISTRICT,
				     &station);
	t[0].name = DEMO_COMMUNITY;
	if (rc == DB_OK)
		rc = make_device(db, community, t[0].token, &dev);
	t[1].name = DEMO_STATION;
	if (rc == DB_OK)
		rc = make_device(db, station, t[1].token, &dev);
	for (int i = 0; i < 3; i++) {
		t[2 + i].name = staff[i].name;
		if (rc == DB_OK)
			rc = make_admin(db, staff[i].role, staff[i].name, t[2 + i].token);
	}
	if (rc == DB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

/* A place code at the demo station's entrance (DESIGN §11): its URL, and where its poster prints. */
static void demo_place_code(const struct ctl *ctl)
{
	uint64_t station = 0;
	struct keys k;
	char err[512];
	if (checkpoint_by_name(ctl->db, DEMO_STATION, &station) != DB_OK ||
	    keys_load(ctl->conf->keys_dir, &k, err, sizeof err) != 0) {
		fprintf(stderr, "hqrctl: the demo's place code was not made\n");
		return;
	}
	static struct place_code pc;
	enum db_rc rc = places_create(ctl->db, k.data, station, "A口 Exit A", clock_now(), &pc);
	memset(&k, 0, sizeof k);
	if (rc != DB_OK) {
		fprintf(stderr, "hqrctl: the demo's place code was not made\n");
		return;
	}
	printf("%s place code (poster: /place-poster.html?id=%llu with the operator's token): %s/p/%s\n", DEMO_STATION,
	       (unsigned long long)pc.id, ctl->conf->public_url, pc.token);
}

int ctl_seed_demo(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: hqrctl seed-demo\n");
		return 2;
	}
	uint64_t id = 0;
	enum db_rc rc = checkpoint_by_name(ctl->db, DEMO_COMMUNITY, &id);
	if (rc == DB_OK) {
		printf("demo already seeded\n");
		return 0;
	}
	if (rc != DB_NOROW)
		return ctl_db_fail(rc);
	struct demo_token t[5];
	memset(t, 0, sizeof t);
	if ((rc = seed(ctl->db, t)) != DB_OK)
		return ctl_db_fail(rc);
	for (int i = 0; i < 5; i++)
		printf("%s: %s\n", t[i].name, t[i].token);
	memset(t, 0, sizeof t);
	demo_place_code(ctl);
	return 0;
}
