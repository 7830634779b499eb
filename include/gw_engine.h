/*
 * gw_engine: the load engine the user's design fixes -- a fixed pthread
 * pool whose workers each own one blocking libcurl easy handle and one
 * SPSC sample ring, and one collector thread that drains every ring into
 * the current scenario's histograms.
 *
 *   main thread ──submit(job)──▶ job queue ──▶ worker 0..N-1
 *                                              │ gw_http (1 easy handle)
 *                                              │ gw_rec() ─▶ ring (SPSC)
 *                                              ▼
 *                                collector ◀── drains all rings
 *                                   │
 *                                   ▼
 *                 struct gw_metrics (histograms per operation)
 *
 * Pool: N workers are created once, before any scenario runs, with an
 * explicit stack size (engine.thread_stack_kib; only touched pages become
 * resident).  N is sized from the profile (the largest concurrency any
 * selected scenario needs) so that "concurrent" steps really overlap; a
 * scenario that needs more than N fails its own check instead of silently
 * running in waves.  Job dispatch uses a mutex and condition variables:
 * it happens once per stream or request, not per sample, so it is not the
 * hot path.
 *
 * Hot path (gw_rec, gw_count): per-worker, single-writer, relaxed atomic
 * load+store (so the collector and the progress line may read them while
 * running without a data race), one SPSC push.  No lock, no malloc, no
 * syscall beyond the clock read that produced the sample.
 *
 * Accounting invariant per scenario, checked after every run and printed
 * in every report: produced == received + dropped.
 *
 * Synchronization table:
 *   gw_engine_submit        any thread (workers may submit follow-up jobs)
 *   gw_engine_wait          main thread only
 *   gw_engine_attach/collect main thread only, while no job runs
 *   gw_engine_live          main thread only
 *   gw_rec/gw_count/gw_worker_fail  the worker running the job
 *
 * Live snapshots (gw_live.h): when a live reader is set, the collector
 * answers its requests at the start of each pass (before draining, so a
 * busy collector still answers within one pass), building a snapshot of
 * the attached metrics; and it publishes one more when it completes a
 * flush with metrics attached -- gw_engine_collect's first flush, after
 * the last job, so the last snapshot of a run holds its final values.
 * Between runs (nothing attached) requests are answered with no new
 * snapshot: the reader keeps the last run's.  Building one reads every
 * worker's counters and reduces every histogram to GW_LIVE_NBOUNDS
 * counts: about 1 ms at 1,000 workers, on the collector, once per scrape.
 */
#ifndef GW_ENGINE_H
#define GW_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gw_http.h"
#include "gw_live.h"
#include "gw_metrics.h"
#include "gw_ring.h"
#include "gw_series.h"
#include "gw_util.h"

/*
 * A sample: op id in the top 8 bits, then the window tag of gw_series (8
 * bits, 0 when no series is attached), then nanoseconds in the low 48
 * bits (78 h; the histograms stop at 1 h).
 */
#define GW_SAMPLE_VBITS 48
#define GW_SAMPLE_VMASK ((UINT64_C(1) << GW_SAMPLE_VBITS) - 1)
#define GW_SAMPLE_OP_SHIFT 56
#define GW_SAMPLE_TAG_SHIFT 48

struct gw_engine;

struct gw_worker {
	int id;
	struct gw_engine *eng;
	pthread_t th;
	struct gw_metrics *m;	  /* scenario of the running job */
	struct gw_series *series; /* its time series, or NULL */
	struct gw_ring ring;
	/* single-writer statistics, summed by gw_engine_collect */
	_Atomic uint64_t ctr[GW_MAX_COUNTERS];
	_Atomic uint64_t attempts[GW_MAX_OPS];
	_Atomic uint64_t errors[GW_MAX_OPS];
	_Atomic uint64_t produced[GW_MAX_OPS];
	_Atomic uint64_t dropped[GW_MAX_OPS];
	_Atomic uint64_t errclass[GW_E_NCLASS];
	struct gw_http http; /* the worker's one easy handle */
	uint64_t rng;	     /* xorshift state, ids and jitter */
};

typedef void (*gw_job_fn)(struct gw_worker *w, void *arg);

struct gw_job {
	gw_job_fn fn;
	void *arg;
};

struct gw_engine {
	int nworkers;
	struct gw_worker *w;
	pthread_mutex_t lock;
	pthread_cond_t cv_job;	/* work available / quit */
	pthread_cond_t cv_idle; /* queue empty and nobody running */
	struct gw_job *q;
	size_t qcap, qhead, qlen;
	int running;   /* jobs in progress */
	int busy_peak; /* most jobs in progress at once */
	int quit;
	/* collector */
	pthread_t collector;
	_Atomic(struct gw_metrics *) cur;
	_Atomic(struct gw_series *) series;
	_Atomic uint64_t flush_req, flush_done;
	_Atomic int col_quit;
	_Atomic uint64_t orphan_samples; /* arrived with no scenario */
	_Atomic(struct gw_live *) live;	 /* live reader, or NULL */
	int64_t live_cpu_ns;		 /* collector only: building them */
	uint64_t live_seq;		 /* collector only: last published */
	int started_workers, started_collector;
};

/*
 * Start nworkers workers (each with an easy handle for target t and a ring
 * of ring_size samples, stack of stack_bytes) and the collector.
 * Returns 0, or -1 with a message (everything started is stopped again).
 */
int gw_engine_start(struct gw_engine *e, int nworkers, size_t stack_bytes,
		    size_t ring_size, const struct gw_http_target *t);
/* Stop and join everything, free all memory.  Queued jobs still run
 * first; call after gw_engine_wait.  NULL-safe. */
void gw_engine_stop(struct gw_engine *e);

/* Queue a job (FIFO).  Aborts on OOM when the queue must grow. */
void gw_engine_submit(struct gw_engine *e, gw_job_fn fn, void *arg);
/*
 * Queue a job only if a worker is free to run it now (jobs running plus
 * queued < workers): an open-model start that finds the pool full is
 * dropped, never queued behind it.  Returns 0, or -1 when the pool is
 * full (nothing queued).
 */
int gw_engine_try_submit(struct gw_engine *e, gw_job_fn fn, void *arg);
/* Jobs running or queued right now (under the pool lock). */
int gw_engine_busy(struct gw_engine *e);

/*
 * Wait until every queued job has finished.  Every ~tick_ms (if tick is
 * not NULL) calls tick(ud) from the waiting thread: progress lines and
 * memory samples happen there, off the workers.
 */
void gw_engine_wait(struct gw_engine *e, long tick_ms, void (*tick)(void *),
		    void *ud);

/* Direct samples to m (and, when s is not NULL, to its time series)
 * from now on; no job may be running. */
void gw_engine_attach(struct gw_engine *e, struct gw_metrics *m,
		      struct gw_series *s);
/*
 * After gw_engine_wait: drain every ring into the attached metrics, sum
 * and reset the per-worker statistics into it, and detach it and its
 * series (which the caller may then close).  Returns 0, or -1 if the
 * accounting invariant does not hold (a bug; printed).
 */
int gw_engine_collect(struct gw_engine *e, struct gw_metrics *m);

/*
 * What the jobs have recorded so far, summed over the workers with relaxed
 * reads: a progress figure while jobs run (any thread), not an account --
 * that is gw_engine_collect's.  Operations 0..nops-1 are summed.
 */
struct gw_engine_totals {
	uint64_t samples; /* produced */
	uint64_t dropped;
	uint64_t errors;
	uint64_t attempts;
	uint64_t aborted; /* errors of class GW_E_ABORTED */
};
void gw_engine_peek(const struct gw_engine *e, int nops,
		    struct gw_engine_totals *t);
/* Errors of operations 0..nops-1 summed over the workers into
 * errors[0..nops-1], as gw_engine_peek reads them. */
void gw_engine_peek_op_errors(const struct gw_engine *e, int nops,
			      uint64_t *errors);
/* Counter ctr summed over the workers, as gw_engine_peek reads it. */
uint64_t gw_engine_peek_counter(const struct gw_engine *e, int ctr);

/*
 * Serve live snapshots to lv from now on (NULL: stop); lv must outlive
 * the engine's use of it (gw_engine_stop, or a later call with NULL,
 * lets go of it).  Main thread.
 */
void gw_engine_live(struct gw_engine *e, struct gw_live *lv);

/* Peak number of jobs that ran at once since the last call; resets it. */
int gw_engine_busy_peak(struct gw_engine *e);

/* ---- hot path, called by the worker running a job ------------------------ */

/* single writer: a relaxed load and store, never a locked RMW */
static inline void gw_stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/*
 * Record a latency sample of ns nanoseconds for operation op, measured at
 * time t (CLOCK_MONOTONIC ns: which window of the series it belongs to).
 */
static inline void gw_rec_at(struct gw_worker *w, int op, int64_t ns, int64_t t)
{
	/* negative or huge values become "over range" in the histogram */
	uint64_t v = ns < 0 || (uint64_t)ns > GW_SAMPLE_VMASK ? GW_SAMPLE_VMASK
							      : (uint64_t)ns;
	uint64_t tag = w->series ? gw_series_tag(w->series, t) : 0;

	gw_stat_add(&w->produced[op], 1);
	if (gw_ring_push(&w->ring, ((uint64_t)op << GW_SAMPLE_OP_SHIFT) |
					   (tag << GW_SAMPLE_TAG_SHIFT) | v))
		gw_stat_add(&w->dropped[op], 1);
}

/* Record a latency sample measured just now. */
static inline void gw_rec(struct gw_worker *w, int op, int64_t ns)
{
	gw_rec_at(w, op, ns, w->series ? gw_now_ns() : 0);
}

/* counter += n */
static inline void gw_count(struct gw_worker *w, int ctr, uint64_t n)
{
	gw_stat_add(&w->ctr[ctr], n);
}

/* One more request attempt for op. */
static inline void gw_attempt(struct gw_worker *w, int op)
{
	gw_stat_add(&w->attempts[op], 1);
}

/*
 * Record a failure of op: counts it (errors_<op>, total_errors, its error
 * class) and keeps the details (type, message, context fmt...) if the
 * scenario's error log still has room.  ctx_fmt builds a JSON object text
 * and may be NULL.
 */
void gw_worker_fail(struct gw_worker *w, int op, enum gw_errclass cls,
		    const char *message, const char *ctx_fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Per-worker pseudo-random 64-bit number (xorshift64*). */
uint64_t gw_worker_rand(struct gw_worker *w);

#endif /* GW_ENGINE_H */
