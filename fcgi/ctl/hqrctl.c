/* hqrctl.c: the operator's command: reads var/hqr.conf (or -c FILE) and runs one verb. */
#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "db.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct verb {
	const char *name;
	const char *help;
	int (*fn)(struct ctl *, int, char **);
	int needs_db;
};

static const struct verb verbs[] = {
	{ "migrate",
	  "migrate [--status | --check]   apply the numbered files under sql/ (list them; check every statement prepares)",
	  ctl_migrate, 1 },
	{ "keys", "keys init|rotate|list  the service's keys under keys_dir", ctl_keys, 0 },
	{ "risk-areas", "risk-areas set [CITY...] | list   the high-risk areas of the declaration rules",
	  ctl_risk_areas, 1 },
	{ "verify-token", "verify-token (--keys-file F | --keys-url U) TEXT   check a code as an offline reader does",
	  ctl_verify_token, 0 },
	{ "jobs", "jobs daily [--date YYYY-MM-DD]   conversions to green, report reminders, retention", ctl_jobs, 1 },
	{ "partitions", "partitions [--ahead DAYS]   daily partitions of scans kept ahead", ctl_partitions, 1 },
	{ "bench-seed", "bench-seed [--scans N]   synthetic scans for the trace benchmark", ctl_bench_seed, 1 },
	{ "menu", "menu create          push the public account's menu to the platform", ctl_menu, 1 },
	{ "admin",
	  "admin add --role officer|investigator|operator --name NAME | admin revoke --name NAME   staff tokens",
	  ctl_admin, 1 },
	{ "checkpoint", "checkpoint add --kind K --type T --name NAME --district D   a checkpoint (prints its id)",
	  ctl_checkpoint, 1 },
	{ "device", "device add --checkpoint ID | device revoke --id ID   a checkpoint device's token", ctl_device, 1 },
	{ "integrator",
	  "integrator add --name NAME --checkpoint ID [--checkpoint ID...] | integrator revoke --key KEY_ID   signed-API keys",
	  ctl_integrator, 1 },
	{ "resident", "resident add --checkpoint ID --person PUBLIC_ID   a resident of a community", ctl_resident, 1 },
	{ "place-code",
	  "place-code add --checkpoint ID [--label L] | revoke --id ID | list [--checkpoint ID] | display --id ID   place codes residents scan",
	  ctl_place_code, 1 },
	{ "backup", "backup DIR           a consistent copy of the running service: database, keys, photos, manifest",
	  ctl_backup, 1 },
	{ "restore", "restore DIR [--force]  a backup into this stopped instance (checked against its manifest first)",
	  ctl_restore, 0 },
	{ "seed-demo", "seed-demo            a community, a subway station, their devices and three staff (once)",
	  ctl_seed_demo, 1 },
};

static void usage(void)
{
	fprintf(stderr, "usage: hqrctl [-c CONFIG] VERB [ARGS]\n  CONFIG defaults to var/hqr.conf\nverbs:\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(stderr, "  %s\n", verbs[i].help);
	fprintf(stderr, "  sign-request --key KEY_ID --secret-file F METHOD PATH [BODY_FILE]   an integrator's "
			"X-HQR-* headers (no CONFIG needed)\n");
}

int main(int argc, char **argv)
{
	const char *path = "var/hqr.conf";
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			path = argv[i + 1];
			i += 2;
		} else {
			usage();
			return 2;
		}
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	/* An integrator signs its requests on its own machine, without the service's config. */
	if (strcmp(argv[i], "sign-request") == 0)
		return ctl_sign_request(argc - i - 1, argv + i + 1);
	log_setup(LOG_WARN, "hqrctl");
	struct conf conf = { 0 };
	char err[512];
	if (conf_load(path, &conf, err, sizeof err) != 0) {
		fprintf(stderr, "hqrctl: %s\n", err);
		return 1;
	}
	/* Operator tasks (migrations, partitions, seeding) may run long statements. */
	conf.db_read_timeout_s = 3600;
	if (clock_set_zone(conf.timezone) != 0) {
		fprintf(stderr, "hqrctl: config key [app] timezone: unknown zone %s\n", conf.timezone);
		return 1;
	}
	for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
		if (strcmp(verbs[v].name, argv[i]) != 0)
			continue;
		struct ctl ctl = { &conf, NULL, path };
		if (verbs[v].needs_db) {
			db_global_init();
			ctl.db = db_open(&conf);
			if (ctl.db == NULL || db_connect(ctl.db) != DB_OK) {
				fprintf(stderr, "hqrctl: cannot connect to the database\n");
				db_close(ctl.db);
				return 1;
			}
		}
		int rc = verbs[v].fn(&ctl, argc - i - 1, argv + i + 1);
		db_close(ctl.db);
		return rc;
	}
	fprintf(stderr, "hqrctl: unknown verb %s\n", argv[i]);
	usage();
	return 2;
}
