/* tally.h: counts per key and minute shared by all worker processes of this host (one anonymous
 * shared mapping made by the master before it forks), without locks: a count-min sketch of
 * TALLY_ROWS rows of TALLY_WIDTH counters, each stamped with its minute. A count is never below
 * the true one; it is above it only where every row's counter of a key is shared with other keys
 * counted in the same minute (rare below some 10^5 keys a minute). */
#ifndef HQR_TALLY_H
#define HQR_TALLY_H
#include <stdint.h>

#define TALLY_ROWS  4
#define TALLY_WIDTH (1u << 17)

/* Maps the counters; call once in the master before forking. 0 ok, -1 fail. Without it (a tool,
 * a test) the counters are this process's own. */
int tally_init(void);
/* Counts one more for key in minute; returns the count of key in that minute, this one included. */
uint32_t tally_add(uint64_t key, int32_t minute);

#endif
