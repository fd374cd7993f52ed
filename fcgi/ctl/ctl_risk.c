/* ctl_risk.c: `hqrctl risk-areas set CITY... | list`: the high-risk area list the rules read. */
#include "clock.h"
#include "ctl.h"
#include "db.h"
#include "person.h"
#include "store_admin.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

static void print_area(const char *city, void *arg)
{
	printf("%s\n", city);
	(*(int *)arg)++;
}

int ctl_risk_areas(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0 && argc == 1) {
		int n = 0;
		if (risk_areas_each(ctl->db, print_area, &n) != DB_OK)
			return 1;
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
		/* The whole list again when a deadlock or a certification conflict rolled it back. */
		if (risk_areas_replace(ctl->db, (const char *const *)(argv + 1), (size_t)(argc - 1), clock_now()) !=
		    DB_OK)
			return 1;
		printf("%d high-risk area(s) set\n", argc - 1);
		return 0;
	}
	fprintf(stderr, "usage: hqrctl risk-areas set [CITY...] | list\n");
	return 2;
}
