/*
 * gw_ring: SPSC sample ring (see gw_ring.h for the design and the
 * memory-order pairs).  Only the consumer side and setup live here; the
 * producer's push is inline in the header because it is the hot path.
 */
#include "gw_ring.h"
#include "gw_util.h"

#include <stdlib.h>
#include <string.h>

int gw_ring_init(struct gw_ring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (size < 2 || (size & (size - 1)))
		return -1;
	r->mask = size - 1;
	r->slots = gw_xaligned(64, size * sizeof(r->slots[0]));
	return 0;
}

size_t gw_ring_auto_size(long nworkers)
{
	size_t n = GW_RING_AUTO_MAX;

	if (nworkers <= 0)
		return n;
	while (n > GW_RING_AUTO_MIN && n * (size_t)nworkers > GW_RING_BUDGET)
		n /= 2;
	return n;
}

void gw_ring_release(struct gw_ring *r)
{
	if (!r)
		return;
	free(r->slots);
	r->slots = NULL;
}

size_t gw_ring_pop(struct gw_ring *r, uint64_t *out, size_t max)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t n;

	/* acquire; pairs with gw_ring_push's release store of head.  Loaded
	 * once per batch, so it costs nothing worth caching. */
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (h == t)
		return 0;
	n = h - t;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = r->slots[(t + i) & r->mask];
	/* release; pairs with gw_ring_push's acquire load of tail: our slot
	 * reads complete before the producer may reuse the slots */
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return n;
}

size_t gw_ring_pending(const struct gw_ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	return h >= t ? (size_t)(h - t) : 0;
}
