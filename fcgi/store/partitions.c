/* partitions.c: daily partitions of scans (named pYYYYMMDD, VALUES LESS THAN the next day number). */
#include "partitions.h"
#include "cclass.h"
#include "db.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARTS_MAX 4096

struct part {
	char name[64];
	int32_t below; /* VALUES LESS THAN; INT32_MAX for MAXVALUE */
};

static int list(struct db *db, struct part *out, char *err, size_t errlen)
{
	char name[64], desc[64];
	struct db_col cols[] = { DBC_TEXT(name, sizeof name), DBC_TEXT(desc, sizeof desc), DBC_END };
	if (db_query(db, STMT_PARTITIONS_LIST, NULL, cols) != DB_OK) {
		snprintf(err, errlen, "cannot list the partitions of scans");
		return -1;
	}
	int n = 0;
	while (db_fetch(db) == DB_OK) {
		if (n == PARTS_MAX)
			continue;
		snprintf(out[n].name, sizeof out[n].name, "%s", name);
		out[n].below = strcmp(desc, "MAXVALUE") == 0 ? INT32_MAX : (int32_t)strtol(desc, NULL, 10);
		n++;
	}
	return n;
}

static void part_name(int32_t day, char out[16])
{
	int y, m, d;
	day_to_ymd(day, &y, &m, &d);
	snprintf(out, 16, "p%04d%02d%02d", y, m, d);
}

int partitions_ensure(struct db *db, int32_t today, int ahead, char *err, size_t errlen)
{
	static struct part parts[PARTS_MAX];
	int n = list(db, parts, err, errlen);
	if (n < 0)
		return -1;
	if (n == 0 || parts[n - 1].below != INT32_MAX) {
		snprintf(err, errlen, "scans has no catch-all partition pmax");
		return -1;
	}
	/* The first day without its own partition. */
	/* On the first split, past days get their own partitions too (scans of offline batches may be
	 * weeks old), so that retention can drop each day whole. */
	int32_t from = n >= 2 ? parts[n - 2].below : today - PARTITIONS_BACK;
	int32_t to = today + ahead;
	if (from > to)
		return 0;
	size_t cap = (size_t)(to - from + 2) * 80 + 256;
	char *sql = malloc(cap);
	if (sql == NULL)
		return -1;
	size_t len = (size_t)snprintf(sql, cap, "ALTER TABLE scans REORGANIZE PARTITION pmax INTO (");
	for (int32_t d = from; d <= to; d++) {
		char name[16];
		part_name(d, name);
		len += (size_t)snprintf(sql + len, cap - len, "PARTITION %s VALUES LESS THAN (%d), ", name, d + 1);
	}
	snprintf(sql + len, cap - len, "PARTITION pmax VALUES LESS THAN MAXVALUE)");
	enum db_rc rc = db_exec_text(db, sql, err, errlen);
	free(sql);
	return rc == DB_OK ? (int)(to - from + 1) : -1;
}

int partitions_drop_before(struct db *db, int32_t day, char *err, size_t errlen)
{
	static struct part parts[PARTS_MAX];
	int n = list(db, parts, err, errlen), dropped = 0;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (parts[i].below == INT32_MAX || parts[i].below > day || parts[i].name[0] != 'p')
			continue;
		if (cc_span(parts[i].name + 1, cc_digit) != strlen(parts[i].name + 1))
			continue;
		char sql[128];
		snprintf(sql, sizeof sql, "ALTER TABLE scans DROP PARTITION %.60s", parts[i].name);
		if (db_exec_text(db, sql, err, errlen) != DB_OK)
			return -1;
		dropped++;
	}
	return dropped;
}
