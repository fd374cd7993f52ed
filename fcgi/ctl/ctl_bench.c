/* ctl_bench.c: `hqrctl bench-seed [--scans N]`: synthetic persons, checkpoints and scans for the
 * trace benchmark (never personal data: the persons are placeholders with random sealed fields). */
#include "clock.h"
#include "ctl.h"
#include "store_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_PERSONS     100000
#define BENCH_CHECKPOINTS 1000
#define CHUNK             200000

int ctl_bench_seed(struct ctl *ctl, int argc, char **argv)
{
	long long total = 10000000;
	if (argc == 2 && strcmp(argv[0], "--scans") == 0)
		total = atoll(argv[1]);
	else if (argc != 0) {
		fprintf(stderr, "usage: hqrctl bench-seed [--scans N]\n");
		return 2;
	}
	if (total < 1 || total > 100000000LL) {
		fprintf(stderr, "hqrctl: --scans takes 1 to 100000000\n");
		return 2;
	}
	int64_t now = clock_now();
	int64_t persons = 0, cps = 0;
	if (bench_counts(ctl->db, &persons, &cps) != DB_OK) {
		fprintf(stderr, "hqrctl: cannot read the database\n");
		return 1;
	}
	if (persons < BENCH_PERSONS) {
		fprintf(stderr, "seeding %d placeholder persons...\n", BENCH_PERSONS);
		if (bench_seed_persons(ctl->db, now) != DB_OK) {
			fprintf(stderr, "hqrctl: seeding persons failed\n");
			return 1;
		}
	}
	if (cps < BENCH_CHECKPOINTS) {
		if (bench_seed_checkpoints(ctl->db, now) != DB_OK) {
			fprintf(stderr, "hqrctl: seeding checkpoints failed\n");
			return 1;
		}
	}
	int64_t first_person = 0, first_cp = 0, start = now - 14 * 86400;
	if (bench_first(ctl->db, &first_person, &first_cp) != DB_OK)
		return 1;
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	int64_t tz_offset = (int64_t)tm.tm_gmtoff;
	long long done = 0;
	int64_t base = (int64_t)(now % 1000000) * 100000000LL;
	while (done < total) {
		int64_t n = total - done < CHUNK ? total - done : CHUNK, offset = base + done;
		if (bench_seed_scans(ctl->db, start, tz_offset, first_cp, first_person, offset, n) != DB_OK) {
			fprintf(stderr, "\nhqrctl: seeding scans failed\n");
			return 1;
		}
		done += n;
		fprintf(stderr, "\rseeding scans: %lld / %lld (%lld%%)", done, total, done * 100 / total);
		fflush(stderr);
	}
	fprintf(stderr, "\n");
	printf("%lld scans seeded over the last 14 days, %d checkpoints, %d persons\n", total, BENCH_CHECKPOINTS,
	       BENCH_PERSONS);
	printf("first bench person: bench%017lld\n", 1LL);
	return 0;
}
