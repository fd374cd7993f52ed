/* partitions.h: the scans table's daily partitions: kept ahead of time, dropped past retention. */
#ifndef HQR_PARTITIONS_H
#define HQR_PARTITIONS_H
#include <stddef.h>
#include <stdint.h>

struct db;

/* Days before today split into their own partitions on the first split (past retention). */
#define PARTITIONS_BACK 40

/* Makes sure a partition exists for every local day from today to today + ahead (split from the
 * catch-all partition). Returns how many it added, or -1 with a message in err. */
int partitions_ensure(struct db *db, int32_t today, int ahead, char *err, size_t errlen);
/* Drops the daily partitions holding only days before `day`. Returns how many, or -1. */
int partitions_drop_before(struct db *db, int32_t day, char *err, size_t errlen);

#endif
