/* ctl_bench.c: `hqrctl bench-seed [--scans N]`: synthetic persons, checkpoints and scans for the
 * trace benchmark (never personal data: the persons are placeholders with random sealed fields). */
#include "clock.h"
#include "ctl.h"
#include "db.h"

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
	struct db_col pc[] = { DBC_I64(&persons), DBC_END };
	struct db_col cc[] = { DBC_I64(&cps), DBC_END };
	if (db_exec(ctl->db, STMT_BENCH_PERSON_COUNT, NULL, pc) != DB_OK ||
	    db_exec(ctl->db, STMT_BENCH_CHECKPOINT_COUNT, NULL, cc) != DB_OK) {
		fprintf(stderr, "hqrctl: cannot read the database\n");
		return 1;
	}
	if (persons < BENCH_PERSONS) {
		fprintf(stderr, "seeding %d placeholder persons...\n", BENCH_PERSONS);
		if (db_exec(ctl->db, STMT_BENCH_PERSONS, (struct db_param[]){ DBP_I64(&now), DBP_END }, NULL) !=
			DB_OK ||
		    db_exec(ctl->db, STMT_BENCH_CODES, (struct db_param[]){ DBP_I64(&now), DBP_END }, NULL) != DB_OK) {
			fprintf(stderr, "hqrctl: seeding persons failed\n");
			return 1;
		}
	}
	if (cps < BENCH_CHECKPOINTS) {
		if (db_exec(ctl->db, STMT_BENCH_CHECKPOINTS, (struct db_param[]){ DBP_I64(&now), DBP_END }, NULL) !=
		    DB_OK) {
			fprintf(stderr, "hqrctl: seeding checkpoints failed\n");
			return 1;
		}
	}
	int64_t first_person = 0, first_cp = 0, start = now - 14 * 86400;
	struct db_col fp[] = { DBC_I64(&first_person), DBC_END };
	struct db_col fc[] = { DBC_I64(&first_cp), DBC_END };
	if (db_exec(ctl->db, STMT_BENCH_FIRST_PERSON, NULL, fp) != DB_OK ||
	    db_exec(ctl->db, STMT_BENCH_FIRST_CHECKPOINT, NULL, fc) != DB_OK)
		return 1;
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	int64_t tz_offset = (int64_t)tm.tm_gmtoff;
	long long done = 0;
	int64_t base = (int64_t)(now % 1000000) * 100000000LL;
	while (done < total) {
		int64_t n = total - done < CHUNK ? total - done : CHUNK, offset = base + done;
		struct db_param p[] = {
			DBP_I64(&start),        DBP_I64(&tz_offset), DBP_I64(&start), DBP_I64(&first_cp),
			DBP_I64(&first_person), DBP_I64(&offset),    DBP_I64(&n),     DBP_END
		};
		if (db_exec(ctl->db, STMT_BENCH_SCANS, p, NULL) != DB_OK) {
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
