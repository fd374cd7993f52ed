/* ctl_risk.c: `hqrctl risk-areas set CITY... | list`: the high-risk area list the rules read. */
#include "clock.h"
#include "ctl.h"
#include "db.h"
#include "person.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

int ctl_risk_areas(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0 && argc == 1) {
		char city[260];
		struct db_col cols[] = { DBC_TEXT(city, sizeof city), DBC_END };
		if (db_query(ctl->db, STMT_RISK_AREAS_LIST, NULL, cols) != DB_OK)
			return 1;
		int n = 0;
		while (db_fetch(ctl->db) == DB_OK) {
			printf("%s\n", city);
			n++;
		}
		fprintf(stderr, "%d high-risk area(s)\n", n);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "set") == 0) {
		if (argc - 1 > RISK_AREAS_MAX) {
			fprintf(stderr, "hqrctl: at most %d high-risk areas\n", RISK_AREAS_MAX);
			return 2;
		}
		for (int i = 1; i < argc; i++) {
			long cp = utf8_check_text(argv[i], strlen(argv[i]));
			if (cp < 1 || cp > RISK_AREA_MAX_CP) {
				fprintf(stderr, "hqrctl: not a city name: argument %d\n", i);
				return 2;
			}
		}
		int64_t now = clock_now();
		enum db_rc rc;
		int attempt = 0;
		do { /* the whole list again when a deadlock or a certification conflict rolled it back */
			rc = db_begin(ctl->db);
			if (rc == DB_OK)
				rc = db_exec(ctl->db, STMT_RISK_AREAS_CLEAR, NULL, NULL);
			for (int i = 1; rc == DB_OK && i < argc; i++) {
				struct db_param p[] = { DBP_TEXT(argv[i]), DBP_I64(&now), DBP_END };
				rc = db_exec(ctl->db, STMT_RISK_AREA_INSERT, p, NULL);
			}
			if (rc == DB_OK)
				rc = db_commit(ctl->db);
			else
				db_rollback(ctl->db);
		} while (db_txn_again(ctl->db, rc, attempt++));
		if (rc != DB_OK)
			return 1;
		printf("%d high-risk area(s) set\n", argc - 1);
		return 0;
	}
	fprintf(stderr, "usage: hqrctl risk-areas set [CITY...] | list\n");
	return 2;
}
