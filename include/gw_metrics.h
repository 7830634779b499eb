/*
 * gw_metrics: everything one scenario measured, in the shape of the
 * seed's MetricsCollector (scenarios.md 3.1): latency operations,
 * counters, gauges, error records and memory samples, plus what the seed
 * lacks: per-operation attempts and errors (so HTTP >= 400 counts), error
 * classes, and sample accounting (produced / received / dropped).
 *
 * Who writes what:
 *   - names (operations, counters) are registered by the scenario on the
 *     main thread before any job runs; ids are small integers;
 *   - histograms are written only by the collector thread while jobs run;
 *   - counters, attempts, errors and drops are kept per worker (see
 *     gw_engine.h) and summed into the metrics after the jobs finish, the
 *     way wrk and siege sum per-thread stats after join;
 *   - error records go to a log guarded by a mutex, capped at
 *     GW_MAX_ERROR_RECORDS: only the first errors take the lock, later
 *     ones see the log full with one atomic load and are only counted;
 *   - gauges and memory samples are set by the main thread;
 *   - for live readers (gw_live, built by the collector while jobs run),
 *     the number of operations and counters registered is published
 *     with a release store after each registration (nops_pub,
 *     ncounters_pub: a scenario may register after the metrics were
 *     attached), and counters another thread keeps as atomics (a load
 *     run's scheduler: offered and dropped starts) are registered as
 *     externals before the metrics are attached.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gw_hist.h"
#include "gw_errclass.h"

#define GW_MAX_OPS 64 /* op id fits the ring's 8-bit tag */
#define GW_MAX_COUNTERS 96
#define GW_MAX_GAUGES 32
#define GW_NAME_LEN 48
#define GW_MAX_ERROR_RECORDS 100 /* as the seed's report */
#define GW_MAX_MEM_SAMPLES 4096
#define GW_METRICS_MAX_EXT 4

struct gw_op {
	char name[GW_NAME_LEN];
	struct gw_hist hist; /* latency, ns */
	uint64_t attempts;   /* requests tried (0: not a request) */
	uint64_t errors;     /* failed attempts / recorded errors */
	uint64_t produced;   /* samples workers tried to push */
	uint64_t dropped;    /* ... of which a full ring dropped */
	int first_seen;	     /* order of first sample, 0 = none */
};

struct gw_error_rec {
	int64_t t_ns; /* since the scenario started */
	int op;
	enum gw_errclass cls;
	char type[32];
	char message[160];
	char context[192]; /* a JSON object text, "{}" if none */
};

struct gw_gauge {
	char name[GW_NAME_LEN];
	double value;
	int is_int;
};

struct gw_mem_sample {
	double t_s; /* since the scenario started */
	double rss_mb;
};

struct gw_metrics {
	char test_name[128];
	char markers[64];
	char timestamp[40];	  /* local ISO time, as the seed */
	int64_t start_ns, end_ns; /* monotonic */
	int started, stopped, interrupted;

	int nops;
	struct gw_op op[GW_MAX_OPS];

	int ncounters;
	char counter_name[GW_MAX_COUNTERS][GW_NAME_LEN];
	uint64_t counter[GW_MAX_COUNTERS];

	int ngauges;
	struct gw_gauge gauge[GW_MAX_GAUGES];

	pthread_mutex_t err_lock;
	_Atomic int nerr; /* records stored (<= max) */
	struct gw_error_rec err[GW_MAX_ERROR_RECORDS];
	uint64_t err_by_class[GW_E_NCLASS]; /* summed after the run */

	int nmem;
	struct gw_mem_sample mem[GW_MAX_MEM_SAMPLES];
	int mem_source; /* 0: none, 1: /proc VmRSS */

	int nseen;		   /* operations with a sample so far */
	uint64_t samples_received; /* by the collector */
	uint64_t samples_invalid;  /* bad op id (a bug if nonzero) */

	/* for live readers: see the header comment */
	_Atomic int nops_pub, ncounters_pub;
	int next;
	char ext_name[GW_METRICS_MAX_EXT][GW_NAME_LEN];
	const _Atomic uint64_t *ext[GW_METRICS_MAX_EXT];
};

/* Allocate and initialise metrics for one scenario (aborts on OOM). */
struct gw_metrics *gw_metrics_create(const char *test_name,
				     const char *markers);
/* Free; NULL-safe. */
void gw_metrics_free(struct gw_metrics *m);

/* Register an operation / counter name; returns its id, or aborts when the
 * table is full (a programming error).  Registering a name twice returns
 * the first id. */
int gw_metrics_op(struct gw_metrics *m, const char *name);
int gw_metrics_counter(struct gw_metrics *m, const char *name);
/*
 * Register an external counter: *v, kept by another thread with atomic
 * stores, is copied into live snapshots under name.  Main thread, before
 * the metrics are attached; v must outlive them.  Aborts when the table
 * (GW_METRICS_MAX_EXT) is full (a programming error).
 */
void gw_metrics_external(struct gw_metrics *m, const char *name,
			 const _Atomic uint64_t *v);
/* The collector's record of one sample of a registered op: its first-seen
 * order (the report's operation order), then its histogram.  Collector
 * thread only (or a test standing in for it). */
static inline void gw_metrics_record(struct gw_metrics *m, int op, int64_t v)
{
	if (!m->op[op].first_seen)
		m->op[op].first_seen = ++m->nseen;
	gw_hist_record(&m->op[op].hist, v);
}

/* Look a name up; -1 if absent. */
int gw_metrics_find_op(const struct gw_metrics *m, const char *name);
int gw_metrics_find_counter(const struct gw_metrics *m, const char *name);

/* The seed's start()/stop(): monotonic window and the wall timestamp. */
void gw_metrics_start(struct gw_metrics *m);
void gw_metrics_stop(struct gw_metrics *m);
/* Seconds in the window (end, or now if not stopped). */
double gw_metrics_duration(const struct gw_metrics *m);

/* Gauges: last write wins; is_int keeps 25 from printing as 25.0. */
void gw_metrics_gauge(struct gw_metrics *m, const char *name, double v,
		      int is_int);
/* Add a memory sample (rss in MB) at the current time. */
void gw_metrics_memory(struct gw_metrics *m, double rss_mb);

/*
 * Store an error record (thread-safe; see the header comment).  ctx is a
 * JSON object text or NULL.  Counting the error is the caller's business
 * (per-worker counters); this only keeps the details of the first ones.
 */
void gw_metrics_error(struct gw_metrics *m, int op, enum gw_errclass cls,
		      const char *type, const char *message, const char *ctx);

/* Error records stored so far (acquire: the records are complete). */
int gw_metrics_nerr(const struct gw_metrics *m);

/* Derived values (valid after the run). */
uint64_t gw_metrics_total_errors(const struct gw_metrics *m);
double gw_metrics_error_rate(const struct gw_metrics *m, int op);
double gw_metrics_throughput(const struct gw_metrics *m, int op);
uint64_t gw_metrics_count(const struct gw_metrics *m, int op);
uint64_t gw_metrics_dropped(const struct gw_metrics *m);
uint64_t gw_metrics_produced(const struct gw_metrics *m);
/* Counter value by name (0 if absent). */
uint64_t gw_metrics_counter_value(const struct gw_metrics *m, const char *name);

/* p in ms (quantile q of op), and other per-op stats in ms. */
double gw_metrics_quantile_ms(const struct gw_metrics *m, int op, double q);

/*
 * Operations that have samples, in the order their first sample reached
 * the collector (the seed lists operations in first-recorded order).
 * Fills ids (room for GW_MAX_OPS) and returns how many.
 */
int gw_metrics_ops_in_order(const struct gw_metrics *m, int *ids);

/* Memory trend as the seed's get_memory_trend(). */
struct gw_mem_trend {
	double start_mb, end_mb, max_mb, min_mb, growth_mb;
	int sample_count;
};
void gw_metrics_mem_trend(const struct gw_metrics *m, struct gw_mem_trend *t);

#endif /* GW_METRICS_H */
