/* shm.h: zeroed memory shared with the worker processes: one anonymous shared mapping, made by the
 * master before it forks, that every process forked after sees and writes alike. */
#ifndef HQR_SHM_H
#define HQR_SHM_H
#include <stddef.h>

/* n bytes of zeroed memory shared with the processes this one forks from now on, kept for the
 * life of the process (never unmapped); NULL when it cannot be mapped (or n is 0). */
void *shm_zeroed(size_t n);

#endif
