/* clock.h: the one clock of the service: every "now" and every local day comes from here. */
#ifndef HQR_CLOCK_H
#define HQR_CLOCK_H
#include <stdint.h>

/* Unix seconds, UTC. */
int64_t clock_now(void);
/* Unix milliseconds, UTC. */
int64_t clock_now_ms(void);
/* Sets the local zone for clock_local_* (call once, before threads start); -1 if unknown. */
int clock_set_zone(const char *zone);
/* The local date of unix time t as a day number (days since 1970-01-01), and as y/m/d. */
int32_t clock_local_day(int64_t t);
void clock_local_ymd(int64_t t, int *y, int *m, int *d);

#endif
