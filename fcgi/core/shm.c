/* shm.c: zeroed memory shared with the worker processes (shm.h). */
#include "shm.h"

#include <sys/mman.h>

void *shm_zeroed(size_t n)
{
	if (n == 0)
		return NULL;
	/* An anonymous mapping's pages start as zeros (mmap(2)). */
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}
