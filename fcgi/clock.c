/* clock.c: the one clock of the service. */
#include "clock.h"

#include <time.h>

int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}
