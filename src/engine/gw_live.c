/*
 * gw_live: the collector's snapshots for live readers (design in
 * gw_live.h).
 *
 * The triple buffer: buffers 0, 1 and 2 are held one each by the reader
 * (front), the exchange slot (mid) and the collector (back).  Publishing
 * swaps back into mid with the FRESH bit set; reading swaps front with
 * mid only when FRESH is set.  Each exchange is acq_rel: the release
 * half publishes the buffer given away, the acquire half makes the
 * buffer taken complete.  An exchange is a read-modify-write, so it
 * always sees the newest value of mid: the reader can never take back a
 * buffer older than the one it holds.
 */
#include "gw_live.h"
#include "gw_util.h"

#include <string.h>
#include <time.h>

const int64_t gw_live_bounds_ns[GW_LIVE_NBOUNDS] = {
	100000LL,      250000LL,      500000LL,	      1000000LL,
	2500000LL,     5000000LL,     10000000LL,     25000000LL,
	50000000LL,    100000000LL,   250000000LL,    500000000LL,
	1000000000LL,  2500000000LL,  5000000000LL,   10000000000LL,
	30000000000LL, 60000000000LL, 120000000000LL, 300000000000LL,
};

void gw_live_init(struct gw_live *lv)
{
	memset(lv, 0, sizeof(*lv));
	lv->front = 0;
	atomic_init(&lv->mid, 1u);
	lv->back = 2;
}

uint64_t gw_live_request(struct gw_live *lv)
{
	/* one reader: a load and a store; release pairs with the
	 * collector's acquire in gw_live_pending (orders nothing else) */
	uint64_t t = atomic_load_explicit(&lv->want, memory_order_relaxed) + 1;

	atomic_store_explicit(&lv->want, t, memory_order_release);
	return t;
}

int gw_live_wait(struct gw_live *lv, uint64_t ticket, int64_t timeout_ns)
{
	int64_t deadline = gw_now_ns() + timeout_ns;
	struct timespec nap = { 0, 200 * 1000 };

	for (;;) {
		/* acquire; pairs with gw_live_answer's release: the
		 * snapshot published before the answer is visible */
		if (atomic_load_explicit(&lv->done, memory_order_acquire) >=
		    ticket)
			return 0;
		if (!atomic_load_explicit(&lv->served, memory_order_acquire) ||
		    gw_now_ns() > deadline)
			return -1;
		nanosleep(&nap, NULL);
	}
}

const struct gw_live_snap *gw_live_read(struct gw_live *lv)
{
	if (atomic_load_explicit(&lv->mid, memory_order_relaxed) &
	    GW_LIVE_FRESH)
		/* acq_rel: give the old front away, take the new one */
		lv->front = atomic_exchange_explicit(&lv->mid, lv->front,
						     memory_order_acq_rel) &
			    ~GW_LIVE_FRESH;
	return lv->buf[lv->front].seq ? &lv->buf[lv->front] : NULL;
}

int gw_live_pending(struct gw_live *lv, uint64_t *ticket)
{
	/* acquire; pairs with gw_live_request's release */
	*ticket = atomic_load_explicit(&lv->want, memory_order_acquire);
	/* done is written by this thread only */
	return *ticket != atomic_load_explicit(&lv->done, memory_order_relaxed);
}

struct gw_live_snap *gw_live_back(struct gw_live *lv)
{
	return &lv->buf[lv->back];
}

void gw_live_publish(struct gw_live *lv)
{
	/* acq_rel: release the buffer just built, take back the one the
	 * reader gave away (or the stale middle one) */
	lv->back = atomic_exchange_explicit(&lv->mid, lv->back | GW_LIVE_FRESH,
					    memory_order_acq_rel) &
		   ~GW_LIVE_FRESH;
}

void gw_live_answer(struct gw_live *lv, uint64_t ticket)
{
	/* release; pairs with gw_live_wait's acquire */
	atomic_store_explicit(&lv->done, ticket, memory_order_release);
}

void gw_live_serve(struct gw_live *lv, int on)
{
	/* release; pairs with gw_live_wait's acquire (a flag) */
	atomic_store_explicit(&lv->served, on, memory_order_release);
}

/* The last histogram index whose highest value is <= v. */
static size_t last_index_under(int64_t v)
{
	size_t i = gw_hist_index(v);

	return gw_hist_highest(i) <= v ? i : i - 1;
}

void gw_live_buckets(const struct gw_hist *h, uint64_t le[GW_LIVE_NBOUNDS])
{
	size_t i, hi;
	uint64_t run = 0;

	memset(le, 0, GW_LIVE_NBOUNDS * sizeof(le[0]));
	if (!h->counts || !h->n)
		return;
	/* only [min, max] can hold counts: scan that span once */
	i = gw_hist_index(h->min);
	hi = gw_hist_index(h->max);
	for (int b = 0; b < GW_LIVE_NBOUNDS; b++) {
		size_t top = last_index_under(gw_live_bounds_ns[b]);

		for (; i <= hi && i <= top; i++)
			run += h->counts[i];
		le[b] = run;
	}
}
