/* ctl_migrate.c: `hqrctl migrate [--status]`: numbered files under sql/, applied once, in order. */
#include "cclass.h"
#include "conf.h"
#include "ctl.h"
#include "db.h"
#include "store_ops.h"
#include "trim.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIG_MAX      1000
#define MIG_FILE_MAX (1024 * 1024)

struct mig {
	int version;
	char name[200];
};

/* A migration's name after its number: lower case, digits and '_'. */
static bool migration_char(int c)
{
	return cc_lower(c) || cc_digit(c) || c == '_';
}

static int is_migration(const char *n, int *version)
{
	size_t len = strlen(n);
	if (len < 10 || len >= 200 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
		return 0;
	if (!cc_all(n, 4, cc_digit) || !cc_all(n + 5, len - 9, migration_char))
		return 0;
	*version = atoi(n);
	return *version > 0;
}

static int by_version(const void *a, const void *b)
{
	return ((const struct mig *)a)->version - ((const struct mig *)b)->version;
}

static int list_files(const char *dir, struct mig *out)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "hqrctl: cannot open migrations directory %s\n", dir);
		return -1;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < MIG_MAX) {
		int v;
		if (!is_migration(e->d_name, &v))
			continue;
		for (int i = 0; i < n; i++) {
			if (out[i].version == v) {
				fprintf(stderr, "hqrctl: two migrations numbered %04d\n", v);
				closedir(d);
				return -1;
			}
		}
		out[n].version = v;
		memcpy(out[n].name, e->d_name, strlen(e->d_name) + 1); /* is_migration bounds it under 200 */
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof *out, by_version);
	return n;
}

/* Runs each statement of a file; statements end with ';' at the end of a line, and lines
 * starting with "--" are comments. */
static int apply_file(struct db *db, const char *path)
{
	char *text = ctl_read_file(path, MIG_FILE_MAX, NULL);
	if (text == NULL) {
		fprintf(stderr, "hqrctl: cannot read %s\n", path);
		return -1;
	}
	size_t cap = strlen(text) + 1, len = 0;
	char *stmt = malloc(cap);
	int rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line != NULL && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line + cc_span(line, cc_ows);
		if (strncmp(p, "--", 2) == 0 || *p == '\0')
			continue;
		size_t ll = strlen(line);
		memcpy(stmt + len, line, ll);
		len += ll;
		stmt[len++] = '\n';
		stmt[len] = '\0';
		size_t keep = trim_end(stmt, len, cc_space);
		if (keep > 0 && stmt[keep - 1] == ';') {
			stmt[keep - 1] = '\0';
			char err[512];
			if (ops_apply_sql(db, stmt, err, sizeof err) != DB_OK) {
				fprintf(stderr, "hqrctl: %s: %s\n", path, err);
				rc = -1;
			}
			len = 0;
		}
	}
	if (rc == 0 && len > 0) {
		fprintf(stderr, "hqrctl: %s: the last statement does not end with ';'\n", path);
		rc = -1;
	}
	free(stmt);
	free(text);
	return rc;
}

/* migrate --check: every statement of the service prepares against the schema as migrated. */
static int check_statements(struct ctl *ctl)
{
	int first = -1, bad = db_unprepared(ctl->db, 1, &first);
	if (bad < 0) {
		fprintf(stderr, "hqrctl: cannot reach the database\n");
		return 1;
	}
	if (bad > 0) {
		fprintf(stderr, "hqrctl: %d of %d statements do not prepare; the first (%d): %.120s\n", bad,
			(int)STMT__MAX, first, db_stmt_sql[first]);
		return 1;
	}
	printf("all %d statements prepare against the schema\n", (int)STMT__MAX);
	return 0;
}

/* The migrations applied: their versions and when. */
struct applied {
	int version[MIG_MAX];
	char at[MIG_MAX][32];
	int n;
};

static void add_applied(const struct migration_row *m, void *arg)
{
	struct applied *ap = arg;
	if (ap->n >= MIG_MAX)
		return;
	ap->version[ap->n] = m->version;
	snprintf(ap->at[ap->n], sizeof ap->at[0], "%s", m->at);
	ap->n++;
}

int ctl_migrate(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "--check") == 0)
		return check_statements(ctl);
	int status = argc > 0 && strcmp(argv[0], "--status") == 0;
	if (argc > 0 && !status) {
		fprintf(stderr, "usage: hqrctl migrate [--status | --check]\n");
		return 2;
	}
	if (migrations_create(ctl->db) != DB_OK) {
		fprintf(stderr, "hqrctl: cannot reach the database\n");
		return 1;
	}
	static struct mig files[MIG_MAX];
	int nfiles = list_files(ctl->conf->migrations_dir, files);
	if (nfiles < 0)
		return 1;
	static struct applied ap;
	ap.n = 0;
	if (migrations_each(ctl->db, add_applied, &ap) != DB_OK) {
		fprintf(stderr, "hqrctl: cannot list applied migrations\n");
		return 1;
	}
	int pending = 0, rc = 0;
	for (int i = 0; i < nfiles; i++) {
		const char *when = NULL;
		for (int j = 0; j < ap.n; j++)
			if (ap.version[j] == files[i].version)
				when = ap.at[j];
		if (status) {
			printf("%04d %-40s %s\n", files[i].version, files[i].name, when != NULL ? when : "pending");
			pending += when == NULL;
			continue;
		}
		if (when != NULL)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", ctl->conf->migrations_dir, files[i].name);
		if (apply_file(ctl->db, path) != 0) {
			rc = 1;
			break;
		}
		int32_t v = files[i].version;
		if (migrations_record(ctl->db, v, files[i].name) != DB_OK) {
			fprintf(stderr, "hqrctl: cannot record migration %04d\n", v);
			rc = 1;
			break;
		}
		printf("applied %s\n", files[i].name);
		pending++;
	}
	if (status)
		printf("%d pending\n", pending);
	else if (rc == 0)
		printf("%d applied, schema up to date\n", pending);
	return rc;
}
