/* tally.c: per-key counts of a minute in shared memory (a count-min sketch; tally.h). */
#include "tally.h"
#include "shm.h"

#include <stdatomic.h>
#include <stddef.h>

/* A counter: its minute in the high 32 bits, its count in the low 32. */
struct counters {
	_Atomic uint64_t c[TALLY_ROWS][TALLY_WIDTH];
};

static struct counters local_fallback;
static struct counters *shm = &local_fallback;

int tally_init(void)
{
	struct counters *p = shm_zeroed(sizeof *p);
	if (p != NULL)
		shm = p;
	return p != NULL ? 0 : -1;
}

/* splitmix64's finalizer: a key and a row's seed to a well-mixed 64-bit value. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint32_t tally_add(uint64_t key, int32_t minute)
{
	uint32_t least = UINT32_MAX;
	for (unsigned r = 0; r < TALLY_ROWS; r++) {
		_Atomic uint64_t *slot = &shm->c[r][mix(key ^ mix(r + 1)) % TALLY_WIDTH];
		uint64_t old = atomic_load_explicit(slot, memory_order_relaxed), next;
		uint32_t n;
		do {
			/* A counter of an earlier minute starts again; one of a later minute (another
			 * process's clock a moment ahead) is counted on: never below the truth. */
			int32_t at = (int32_t)(uint32_t)(old >> 32);
			uint32_t count = (uint32_t)old;
			n = at < minute ? 1 : (count < UINT32_MAX ? count + 1 : count);
			next = ((uint64_t)(uint32_t)(at < minute ? minute : at) << 32) | n;
		} while (!atomic_compare_exchange_weak_explicit(slot, &old, next, memory_order_relaxed,
								memory_order_relaxed));
		if (n < least)
			least = n;
	}
	return least;
}
