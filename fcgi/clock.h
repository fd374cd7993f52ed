/* clock.h: the one clock of the service: every "now" comes from here. */
#ifndef HQR_CLOCK_H
#define HQR_CLOCK_H
#include <stdint.h>

/* Unix seconds, UTC. */
int64_t clock_now(void);

#endif
