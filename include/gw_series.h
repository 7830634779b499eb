/*
 * gw_series: every operation's latency histogram per time window (1 s by
 * default), so a workload run shows *when* it broke, not only that it
 * did, and windowed thresholds can be judged while the run goes on.
 *
 * Windows are aligned to the wall clock: window k covers [wall0 + k*W,
 * wall0 + (k+1)*W) where wall0 is a multiple of W (window 0 is partial).
 * Shards of one run started at slightly different times on different
 * machines therefore share window boundaries, and their series merge by
 * adding window to window (as far as their clocks agree; NTP keeps them
 * within milliseconds).
 *
 * Where a sample goes: the worker stamps each sample with the window of
 * the moment it was measured (gw_series_tag, 8 bits of the ring sample,
 * see gw_engine.h); the collector records it into that window.  A window
 * is closed -- its histograms compressed to sparse [index, count] pairs
 * with exact n/min/max/mean/M2, the same mergeable format as the report's
 * whole-run histograms -- once GW_SERIES_GRACE_NS have passed after its
 * end, or when a sample two windows later arrives.  A sample for a window
 * already closed (a worker preempted between its clock read and its push
 * for longer than the grace) is recorded in the oldest open window and
 * counted in `late`, never dropped silently.
 *
 * Cost: two open windows of full histograms per operation, allocated on
 * first use (2 x 270 KiB per operation that has samples), and per closed
 * window only its non-zero buckets.  Closing scans each histogram between
 * its smallest and largest index only.
 *
 * Synchronization table:
 *   gw_series_init/release       main thread, not attached to an engine
 *   gw_series_record/tick        the collector thread only
 *   gw_series_closed/cell        any thread, for windows < closed
 *                                (acquire; pairs with the release in
 *                                close_window)
 *   gw_series_close_all          main thread, after the engine detached
 *                                the series (gw_engine_collect)
 */
#ifndef GW_SERIES_H
#define GW_SERIES_H

#include <stdatomic.h>
#include <stdint.h>

#include "gw_hist.h"
#include "gw_metrics.h"

#define GW_SERIES_OPEN 2
#define GW_SERIES_GRACE_NS (100 * 1000000LL)

/* One operation in one closed window. */
struct gw_series_cell {
	uint64_t n;
	int64_t min, max;
	double mean, m2;
	uint32_t nb; /* bucket pairs in b */
	uint32_t *b; /* nb x [index, count]; NULL when n == 0 */
};

struct gw_series {
	int64_t win_ns;
	int64_t mono0;	  /* CLOCK_MONOTONIC ns at window 0's start */
	int64_t wall0_ms; /* epoch ms at window 0's start, a multiple of W */
	int nops;	  /* operations 0..nops-1 are windowed */
	int cap;	  /* windows; samples past the last go into it */
	struct gw_series_cell *cell; /* cap x nops, by window */
	_Atomic int nclosed;
	_Atomic uint64_t late;	 /* recorded in a later window than theirs */
	_Atomic uint64_t beyond; /* past the last window */
	/* collector only */
	int base; /* oldest open window */
	struct gw_hist open[GW_SERIES_OPEN][GW_MAX_OPS];
};

/*
 * Windows of win_ns for nops operations, covering span_ns from now (plus
 * two windows of slack).  Aborts on OOM; returns -1 (with a message) if
 * win_ns or span_ns is not positive.
 */
int gw_series_init(struct gw_series *s, int nops, int64_t win_ns,
		   int64_t span_ns);
/* Free everything; NULL-safe. */
void gw_series_release(struct gw_series *s);

/* The window of time t (CLOCK_MONOTONIC ns), as the 8-bit ring tag. */
static inline unsigned gw_series_tag(const struct gw_series *s, int64_t t)
{
	int64_t w = (t - s->mono0) / s->win_ns;

	return (unsigned)(w < 0 ? 0 : w) & 0xFFu;
}

/* Window index of time t (CLOCK_MONOTONIC ns), clamped to [0, cap). */
int gw_series_window(const struct gw_series *s, int64_t t);

/* Collector: record v (ns) of op, measured in the window `tag` names. */
void gw_series_record(struct gw_series *s, int op, unsigned tag, int64_t v);
/* Collector: close the windows that ended more than the grace ago. */
void gw_series_tick(struct gw_series *s, int64_t now);
/* Main thread, once detached: close every open window up to now. */
void gw_series_close_all(struct gw_series *s, int64_t now);

/* Windows closed so far. */
int gw_series_closed(const struct gw_series *s);
/* Cell of op in closed window win. */
const struct gw_series_cell *gw_series_cell(const struct gw_series *s, int win,
					    int op);
/* Add a cell into h (initialised by the caller): quantiles of a window
 * or of several.  Returns 0, or -1 if the cell is malformed. */
int gw_series_cell_add(struct gw_hist *h, const struct gw_series_cell *c);

#endif /* GW_SERIES_H */
