/*
 * gw_live: what the collector publishes for a reader outside the run --
 * the live metrics endpoint (gw_prom) -- while jobs run: a snapshot of
 * the attached metrics (per operation: attempts, errors, samples, the
 * histogram reduced to cumulative counts at a fixed set of bounds; the
 * counters, the error classes, the run's external counters), handed over
 * in a triple buffer.
 *
 *   reader (one thread)           collector thread
 *   gw_live_request() ──want──▶   gw_live_pending(): a request is open
 *   gw_live_wait()                  build into gw_live_back()
 *                                   gw_live_publish(): back <-> middle
 *                 ◀──done──        gw_live_answer()
 *   gw_live_read(): middle <-> front, if fresh
 *
 * Why the collector builds it: the histograms are the collector's alone
 * (gw_metrics.h), and the per-worker counters are only consistent with
 * them while a run is attached (gw_engine_collect zeroes them once the
 * collector has let go of the metrics).  A snapshot is built only when
 * asked (a scrape), so a run nobody scrapes pays one relaxed load per
 * collector pass; and the workers never see any of it: nothing here is
 * on their path, no lock anywhere.
 *
 * Why a triple buffer and not a mutex: the collector must never wait for
 * a reader that is busy formatting text (its rings would fill), and the
 * reader must never see a half-written snapshot.  With three buffers the
 * writer always has one to itself, the reader holds one, and the third
 * is exchanged atomically (the FRESH bit says it is newer than the
 * reader's).  Cost: three snapshots of ~23 KiB.
 *
 * Bounds: a histogram bucket counts toward bound b when its highest
 * value is <= b (the report's convention: a percentile is its bucket's
 * upper edge), so a value within 0.1 % below a bound may be counted at
 * the next bound, never at a lower one.
 *
 * Synchronization table:
 *   gw_live_init                 before the reader and the engine use it
 *   gw_live_request/wait/read    one reader thread (the endpoint's)
 *   gw_live_pending/back/publish/answer   the collector thread only
 *   gw_live_serve                the engine (gw_engine_live, _stop)
 *   gw_live_buckets              any thread, on a histogram it owns
 */
#ifndef GW_LIVE_H
#define GW_LIVE_H

#include <stdatomic.h>
#include <stdint.h>

#include "gw_errclass.h"
#include "gw_hist.h"
#include "gw_metrics.h"

#define GW_LIVE_NBOUNDS 20
#define GW_LIVE_FRESH 4u /* in gw_live.mid: the middle buffer is new */

/* The bounds, in nanoseconds, ascending: 100 us .. 5 min. */
extern const int64_t gw_live_bounds_ns[GW_LIVE_NBOUNDS];

/* One operation as the collector saw it. */
struct gw_live_op {
	char name[GW_NAME_LEN];
	uint64_t attempts, errors; /* summed over the workers */
	uint64_t produced, dropped;
	uint64_t n;		      /* samples in the histogram */
	double sum_s;		      /* their sum, seconds */
	uint64_t le[GW_LIVE_NBOUNDS]; /* samples <= bound (cumulative) */
};

struct gw_live_snap {
	uint64_t seq;	  /* 1, 2, ...; 0: never written */
	int64_t built_ns; /* CLOCK_MONOTONIC */
	char name[128];	  /* the metrics' test_name */
	int workers;	  /* the engine's pool */
	int nops;
	struct gw_live_op op[GW_MAX_OPS];
	int ncounters;
	char counter_name[GW_MAX_COUNTERS][GW_NAME_LEN];
	uint64_t counter[GW_MAX_COUNTERS]; /* wraps: +1/-1 gauges too */
	int next;
	char ext_name[GW_METRICS_MAX_EXT][GW_NAME_LEN];
	uint64_t ext[GW_METRICS_MAX_EXT];
	uint64_t errclass[GW_E_NCLASS];
	uint64_t samples_received;
	double build_cpu_s; /* collector CPU spent building, all snapshots */
};

struct gw_live {
	struct gw_live_snap buf[3];
	/* collector's side */
	_Alignas(64) unsigned back;
	_Atomic uint64_t done; /* the last request answered */
	/* exchanged by both */
	_Alignas(64) _Atomic unsigned mid; /* index | GW_LIVE_FRESH */
	/* reader's side */
	_Alignas(64) unsigned front;
	_Atomic uint64_t want; /* requests made */
	_Atomic int served;    /* a running collector answers them */
};

/* Set up lv (nothing published yet).  No allocation, cannot fail. */
void gw_live_init(struct gw_live *lv);

/* Reader: ask for a fresh snapshot; returns the request's ticket. */
uint64_t gw_live_request(struct gw_live *lv);
/* Reader: wait up to timeout_ns for ticket to be answered.  Returns 0,
 * or -1 on timeout or when no collector serves lv (read the last one). */
int gw_live_wait(struct gw_live *lv, uint64_t ticket, int64_t timeout_ns);
/* Reader: the newest snapshot published (borrowed: valid until the
 * reader's next gw_live_read), or NULL if none ever was. */
const struct gw_live_snap *gw_live_read(struct gw_live *lv);

/* Collector: 1 if a request is open (its ticket in *ticket), else 0. */
int gw_live_pending(struct gw_live *lv, uint64_t *ticket);
/* Collector: the buffer to build the next snapshot into. */
struct gw_live_snap *gw_live_back(struct gw_live *lv);
/* Collector: make the back buffer the newest (release). */
void gw_live_publish(struct gw_live *lv);
/* Collector: requests up to ticket are answered (release). */
void gw_live_answer(struct gw_live *lv, uint64_t ticket);
/* The engine: whether a collector is there to answer (release). */
void gw_live_serve(struct gw_live *lv, int on);

/* Cumulative counts of h at gw_live_bounds_ns (see the rule above). */
void gw_live_buckets(const struct gw_hist *h, uint64_t le[GW_LIVE_NBOUNDS]);

#endif /* GW_LIVE_H */
