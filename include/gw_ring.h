/*
 * gw_ring: a bounded single-producer single-consumer ring of 64-bit
 * samples, carrying latencies from one worker thread to the collector.
 *
 * Workload: one ring per worker (up to 10,000), one collector draining all
 * of them; aggregate goal 10 M samples/s on 2 cores.  A push is one relaxed
 * load of our own head, a compare against a cached copy of the consumer's
 * tail, one store of the slot and one release store of head: no lock, no
 * read-modify-write, no syscall, no allocation.
 *
 * Rejected alternatives (measured, see style.md): one shared MPSC ring
 * (ConcurrencyKit's ck_ring_enqueue_mpsc collapsed into a preemption convoy
 * with 8 producers on 2 cores, and its asm fences trip ThreadSanitizer);
 * a mutex-protected array (blocks the hot path).
 *
 * Full ring: the NEWEST sample is dropped and counted in `dropped`; the
 * producer never blocks or spins.  Invariant, checked by the tests and
 * printed with every report: pushed + dropped == produced, and once the
 * ring is drained, popped == pushed.
 *
 * Layout: head/tail are free-running 64-bit counters (no wrap in practice:
 * 2^64 samples at 10 M/s is 58,000 years).  Producer-side and consumer-side
 * fields live on separate 64-byte cache lines so the two threads do not
 * false-share.
 *
 * Synchronization table:
 *   gw_ring_push       producer thread only
 *   gw_ring_pop        consumer thread only; concurrent with push
 *   gw_ring_dropped    any thread (relaxed read of a statistic)
 *   gw_ring_init/release  no concurrent use
 */
#ifndef GW_RING_H
#define GW_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct gw_ring {
	/* producer line */
	_Alignas(64) _Atomic uint64_t head; /* next slot to write */
	uint64_t tail_cache;		    /* producer's last view of tail */
	_Atomic uint64_t dropped;	    /* written by producer only */
	/* consumer line */
	_Alignas(64) _Atomic uint64_t tail; /* next slot to read */
	/* read-only after init */
	_Alignas(64) uint64_t mask;
	uint64_t *slots;
};

/*
 * Set up a ring of `size` slots (a power of two, >= 2).  Returns 0, or -1
 * if size is not a power of two.  Aborts on OOM (setup-time allocation).
 */
int gw_ring_init(struct gw_ring *r, size_t size);
/*
 * The ring size `[engine] ring_size = 0` stands for: 16384 slots per
 * worker up to 256 workers, then halved as the pool doubles so that all
 * rings together hold at most GW_RING_BUDGET slots (32 MiB), never below
 * 256 slots.  A ring is touched all over once it has wrapped, so a fixed
 * 16384 would cost 128 KiB per stream at 10,000 streams.
 */
#define GW_RING_BUDGET (1UL << 22)
#define GW_RING_AUTO_MAX 16384
#define GW_RING_AUTO_MIN 256
size_t gw_ring_auto_size(long nworkers);
/* Free the slots.  NULL-safe; the ring must no longer be in use. */
void gw_ring_release(struct gw_ring *r);

/*
 * Append v.  Returns 0, or -1 when the ring is full: the sample is dropped
 * and counted.  Producer thread only.
 */
static inline int gw_ring_push(struct gw_ring *r, uint64_t v)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - r->tail_cache > r->mask) {
		/* acquire; pairs with gw_ring_pop's release store of tail,
		 * so the consumer's reads of freed slots happen before our
		 * overwrite of them */
		r->tail_cache =
			atomic_load_explicit(&r->tail, memory_order_acquire);
		if (h - r->tail_cache > r->mask) {
			/* single writer: load + store, not a locked RMW */
			uint64_t d = atomic_load_explicit(&r->dropped,
							  memory_order_relaxed);
			atomic_store_explicit(&r->dropped, d + 1,
					      memory_order_relaxed);
			return -1;
		}
	}
	r->slots[h & r->mask] = v;
	/* release; pairs with gw_ring_pop's acquire load of head, so the
	 * slot write above is visible before the consumer sees it counted */
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 0;
}

/*
 * Move up to max samples into out.  Returns how many.  Consumer only.
 */
size_t gw_ring_pop(struct gw_ring *r, uint64_t *out, size_t max);

/* Samples dropped so far (relaxed read; exact once the producer is idle). */
static inline uint64_t gw_ring_dropped(const struct gw_ring *r)
{
	return atomic_load_explicit(&r->dropped, memory_order_relaxed);
}

/* Samples pushed so far and not yet popped (approximate while running). */
size_t gw_ring_pending(const struct gw_ring *r);

#endif /* GW_RING_H */
