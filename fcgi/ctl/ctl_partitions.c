/* ctl_partitions.c: `hqrctl partitions [--ahead DAYS]`: daily partitions of scans kept ahead. */
#include "clock.h"
#include "ctl.h"
#include "partitions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_partitions(struct ctl *ctl, int argc, char **argv)
{
	int ahead = 7;
	if (argc == 2 && strcmp(argv[0], "--ahead") == 0) {
		ahead = atoi(argv[1]);
		if (ahead < 1 || ahead > 366) {
			fprintf(stderr, "hqrctl: --ahead takes 1 to 366 days\n");
			return 2;
		}
	} else if (argc != 0) {
		fprintf(stderr, "usage: hqrctl partitions [--ahead DAYS]\n");
		return 2;
	}
	char err[512];
	int n = partitions_ensure(ctl->db, clock_local_day(clock_now()), ahead, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "hqrctl: %s\n", err);
		return 1;
	}
	printf("%d daily partition(s) added; scans has partitions through today + %d days\n", n, ahead);
	return 0;
}
