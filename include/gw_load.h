/*
 * gw_load: a workload run -- the load models of gw_workload.h driven
 * through the engine's pool, measured per step, per flow and per window,
 * judged by its thresholds.
 *
 *   closed  one job per virtual user; user i runs while i < users(t),
 *           each iteration a flow picked by weight; new users are started
 *           by the main thread as the target rises, and a user over the
 *           target leaves after its iteration (k6's ramping-vus);
 *   open    a scheduler thread draws intended start times from the shape
 *           (gw_sched: constant or Poisson) and hands each start to a
 *           free worker; a start that finds every worker busy is a
 *           dropped start (counted, never queued), a start that begins
 *           more than late_after after its intended time a late start;
 *           every step is measured from the actual send and, as
 *           <op>.intended, from the flow's intended start (wrk2);
 *   hold    holder i keeps one stream open while i < streams(t), looping
 *           hold_flow; probe_flow starts at probe_rate per second, as in
 *           the open model, measure what a new task sees under the held
 *           load; every stream's keep-alive pings are timed
 *           (sse_ping_gap).
 *
 * After the last stage no flow starts; flows in flight get graceful_stop,
 * then a halt aborts what is left (counted as cut, not as errors).  A
 * threshold with `abort` that fails, or a signal, ends the run the same
 * way at once.
 *
 * Every window the main thread records the run's counters (offered,
 * started, completed, errors, attempts, dropped, in flight, open streams,
 * the generator's CPU) beside the collector's per-window histograms
 * (gw_series), judges the per-window thresholds, and draws the progress
 * line.
 *
 * The generator judges itself too: a run where gwstress was the
 * bottleneck (CPU over 90 % of the cores, p99 schedule lag over 50 ms,
 * samples dropped by a full ring, descriptors exhausted) is marked
 * invalid in the report: its numbers say nothing about the gateway.
 *
 * Thread safety: everything but the jobs runs on the main thread.
 */
#ifndef GW_LOAD_H
#define GW_LOAD_H

#include <stdint.h>
#include <stdio.h>

#include "gw_check.h"

struct gw_config;
struct gw_engine;
struct gw_target;
struct gw_workload;
struct gw_report_ctx;
struct json_t;

struct gw_load;

/* How the run is shown. */
struct gw_load_opts {
	int quiet;	 /* -q: the final tally only */
	int progress;	 /* the live line on a terminal (else plain lines) */
	int64_t skip_ns; /* capacity probes: warm-up left out of judging */
	int sat_abort;	 /* capacity probes: stop when over-saturated */
	/* start at this CLOCK_REALTIME instant (ms since the epoch; 0 =
	 * now), so that shard processes start together (gw_fleet) */
	long long start_at_ms;
};

/* What the run found (for the exit code and a capacity search). */
struct gw_load_result {
	enum gw_outcome outcome;
	int aborted;	/* a threshold with abort ended it */
	int invalid;	/* the generator was the bottleneck */
	char why[400];	/* failed thresholds, abort or invalidity */
	char gen[200];	/* why the generator was the bottleneck */
	double seconds; /* judged span */
	uint64_t offered, started, completed, dropped, late;
	double achieved_rate; /* completed flows per second, judged span */
	double error_rate;    /* fraction, aborted transfers excluded */
	double ttfe_p50_ms, ttfe_p99_ms, gap_p99_ms, lag_p99_ms;
	double cpu_percent; /* gwstress, of all cores, peak window */
	double cpu_seconds; /* gwstress, user + system, over the run */
	long peak_rss_kb;   /* gwstress's own VmHWM at the end, -1 unknown */
	int saturated;	    /* in-flight flows or lag grew steadily */
	int straddled;	    /* a threshold's 95 % interval holds its limit */
	int underpowered;   /* fewer samples than a percentile needs */
	struct {	    /* the first threshold that failed, if any */
		char name[96];
		double measured, limit;
		char unit[8];
	} broke;
};

/*
 * Set up a run of wl on engine e against target t (the engine's pool must
 * hold gw_workload_pool(wl) workers).  Registers every operation.
 * Returns NULL with a message when the workload needs more operations
 * than a run can record.
 */
struct gw_load *gw_load_create(const struct gw_workload *wl,
			       const struct gw_config *cfg, struct gw_engine *e,
			       const struct gw_target *t);
/* Run it to the end (or abort, or a signal), fill *res. */
void gw_load_run(struct gw_load *L, const struct gw_load_opts *o,
		 struct gw_load_result *res);
/* The JSON report of the finished run (the caller owns it). */
struct json_t *gw_load_report_json(struct gw_load *L,
				   const struct gw_load_result *r,
				   const struct gw_report_ctx *rc);
/*
 * The finished run's time series as CSV at path (written atomically):
 * one row per window and operation with samples or errors in it, RFC
 * 4180 (gw_csv.h), columns
 *
 *   window_start  the window's start, ISO 8601 UTC with milliseconds
 *   t_s           ... in seconds from the run's start (0: window 0,
 *                 which begins before the run, at a multiple of the
 *                 window length)
 *   flow          the workload flow the operation belongs to, or empty
 *                 (ttfe, sse_*, schedule_lag: pooled over flows)
 *   operation     as in the JSON report
 *   count         samples measured in the window
 *   errors        the operation's failures counted in the window
 *                 (cut transfers at the end included, as the report's
 *                 operations.<op>.errors)
 *   p50_ms p90_ms p99_ms   the window's percentiles (empty when count
 *                 is 0)
 *   offered started completed dropped_starts late_starts
 *                 the window's counts (the JSON series'), repeated on
 *                 every row of the window
 *   in_flight open_streams   at the window's end
 *
 * A window with no operation row gets one row with empty flow and
 * operation, so the window columns of distinct windows add up to the
 * run's totals.  Returns 0, or -1 with a message naming the path.
 */
int gw_load_report_csv(const struct gw_load *L, const char *path);
/* Print the console summary of the finished run. */
void gw_load_report_console(FILE *f, const struct gw_load *L,
			    const struct gw_load_result *r);
/* NULL-safe. */
void gw_load_free(struct gw_load *L);

/*
 * The over-saturation rule over v[0..n), the open starts in flight at
 * the end of each measured window: the mean of the last third is 20 %
 * and at least 5 flows above the first third's, over at least 6 windows
 * (arrivals outrun completions).  1 when saturated.
 */
int gw_judge_saturated(const double *v, int n);

#endif /* GW_LOAD_H */
