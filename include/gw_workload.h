/*
 * gw_workload: a workload file -- the load shape, the flows and the
 * thresholds of a `gwstress load` run -- parsed into a typed, validated
 * struct.  A workload file is a profile file (every [target], [engine],
 * [report] and [thresholds] key works as in the catalogue's profiles)
 * with three additions:
 *
 *   [load]          the model and its stages
 *     model = closed | open | hold
 *     start = N                 target at t = 0 (default 0)
 *     stage = DUR TARGET        repeatable, in order: ramp linearly to
 *                               TARGET over DUR (k6's stages)
 *     arrival = constant | poisson      open model
 *     max_in_flight = N         open model: flows at once (the pool; a
 *                               start that finds it full is dropped)
 *     late_after = DUR          a start later than this is late (10ms)
 *     hold_flow = NAME          hold model: the flow each holder loops
 *     probe_flow = NAME         hold model: flows started ...
 *     probe_rate = R            ... at R per second while streams are held
 *     window = DUR              time-series window (1s)
 *     graceful_stop = DUR       in-flight flows may finish (30s)
 *     seed = N                  random choices (Poisson, think, weights)
 *     name = NAME               names the report (default: the file's)
 *
 *   [flow.NAME]     a flow: its weight and its steps, in order
 *     weight = W                share of starts (default 1)
 *     step = submit [new|session] [TEXT]
 *                   new session (default), or this flow's (a user's:
 *                   a closed-model user keeps it across iterations)
 *     step = collect [terminal|first|N] [window DUR]
 *                   subscribe to the last task and read to its terminal
 *                   event (default), its first event, or N events
 *     step = rest config|agent_cards|sessions|session|task_status
 *     step = upload SIZE        to this flow's session (e.g. 1MiB)
 *     step = download           the last upload, verified by hash
 *     step = cancel             the last task
 *     step = think DUR [DUR2]   fixed, or uniform in [DUR, DUR2]
 *
 *   [thresholds]    threshold = EXPR, repeatable (gw_thresh.h)
 *
 *   [search]        a capacity search (gwstress search, gw_search.h)
 *     axis = rate | streams     what is varied (rate)
 *     lo = X, hi = Y            the bracket, searched by doubling from lo
 *                               (1 and 1000)
 *     precision = 5%            stop when (fail - pass) / fail <= this
 *     warmup = DUR              per probe, not judged (5s)
 *     measure = DUR             per probe, judged, at least (10s); longer
 *                               when a percentile needs more samples ...
 *     max_measure = DUR         ... up to this (60s)
 *     cooldown = DUR            idle between probes (2s)
 *     ramp_rate = R             streams axis: new streams per second
 *                               while ramping to a probe's count (200)
 *     max_probes = N            (20)
 *
 * Operation names (what thresholds and reports use): <flow>.<step kind>,
 * with .2, .3 ... for a kind repeated in a flow (chat.submit, chat.collect,
 * chat.submit.2); flow.<flow> for a whole flow; and the run's own:
 * schedule_lag, ttfe, task_duration, sse_connect, sse_first_event,
 * sse_event_received, sse_event_gap, sse_ping_gap, sse_subscribe.  Each
 * step and flow operation also exists as <name>.intended, measured from
 * the flow's intended start (wrk2's lesson) instead of the actual send.
 *
 * Every problem is reported as "file:line: message", all of them, and
 * nothing runs: an unknown model, flow or step; a rate or target that is
 * negative; stages that do not parse; a flow with no steps; weights that
 * sum to 0; a threshold that does not parse or names no metric.
 *
 * Thread safety: parsed on the main thread; read-only afterwards.
 */
#ifndef GW_WORKLOAD_H
#define GW_WORKLOAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_shape.h"
#include "gw_thresh.h"

struct gw_config;
struct gw_errlist;

#define GW_WL_MAX_FLOWS 16
#define GW_WL_MAX_STEPS 16
#define GW_WL_MAX_THRESH 24
#define GW_WL_NAME 32

enum gw_model { GW_MODEL_CLOSED, GW_MODEL_OPEN, GW_MODEL_HOLD };

enum gw_step_kind {
	GW_STEP_SUBMIT,
	GW_STEP_COLLECT,
	GW_STEP_REST,
	GW_STEP_UPLOAD,
	GW_STEP_DOWNLOAD,
	GW_STEP_CANCEL,
	GW_STEP_THINK
};

enum gw_rest_kind {
	GW_REST_CONFIG,
	GW_REST_AGENT_CARDS,
	GW_REST_SESSIONS,
	GW_REST_SESSION,
	GW_REST_TASK_STATUS
};

/* How far a collect step reads. */
enum gw_until { GW_UNTIL_TERMINAL, GW_UNTIL_FIRST, GW_UNTIL_N };

struct gw_step {
	enum gw_step_kind kind;
	char op_name[48]; /* e.g. "chat.submit.2"; "" for think */
	int line;
	/* submit */
	int same_session; /* the flow's session, not a new one */
	char text[128];
	/* collect */
	enum gw_until until;
	long events;	/* GW_UNTIL_N */
	long window_ms; /* before stream_window_scale */
	/* rest */
	enum gw_rest_kind rest;
	/* upload */
	size_t bytes;
	/* think */
	int64_t think_min_ns, think_max_ns;
};

struct gw_flow {
	char name[GW_WL_NAME];
	double weight;
	int line; /* its section's first key */
	int nsteps;
	struct gw_step step[GW_WL_MAX_STEPS];
};

/* [search]: what `gwstress search` varies and how (gw_search.h). */
enum gw_axis { GW_AXIS_RATE, GW_AXIS_STREAMS };

struct gw_search_cfg {
	enum gw_axis axis;
	double lo, hi;		/* the blind bracket: doubling from lo */
	double precision;	/* stop at (fail - pass) / fail <= this */
	int64_t warmup_ns;	/* per probe, left out of judging */
	int64_t measure_ns;	/* per probe, at least */
	int64_t max_measure_ns; /* per probe, at most (before a re-run) */
	int64_t cooldown_ns;	/* between probes */
	double ramp_rate;	/* streams axis: new streams per second */
	int max_probes;
	int line; /* [search]'s first key, 0 if none */
};

struct gw_workload {
	char name[64];
	char file[PATH_MAX];
	enum gw_model model;
	struct gw_shape shape;
	int poisson;
	long max_in_flight; /* 0: derived (see gw_workload_pool) */
	int64_t late_ns;
	int64_t spin_ns; /* start_spin (gw_load.c) */
	int64_t window_ns;
	int64_t graceful_ns;
	int cancel_orphans; /* cancel the tasks of flows cut by the end (1) */
	uint64_t seed;
	int hold_flow, probe_flow; /* indices, -1 = none */
	double probe_rate;
	int nflows;
	struct gw_flow flow[GW_WL_MAX_FLOWS];
	int nthresh;
	struct gw_thresh thresh[GW_WL_MAX_THRESH];
	int thresh_line[GW_WL_MAX_THRESH];
	struct gw_search_cfg search;
	/* --shard: this process runs shard `shard` of `nshards` (1 = all):
	 * its share of the users, streams and arrivals (gw_load) */
	int shard, nshards;
};

/*
 * Load path into wl and cfg (cfg holds the defaults, and the profile keys
 * of the file are applied to it as gw_config_load does).  Returns the
 * number of problems (0: wl and cfg are valid); each is appended to errs.
 */
int gw_workload_load(struct gw_workload *wl, struct gw_config *cfg,
		     const char *path, struct gw_errlist *errs);

/* Workers the run needs: closed, peak users; hold, peak streams plus the
 * probes' share; open, max_in_flight or peak rate x 10 s. */
int gw_workload_pool(const struct gw_workload *wl);

/* 1 if name is an operation or run metric of wl (thresholds may name
 * it). */
int gw_workload_has_metric(const struct gw_workload *wl, const char *name);

/* "closed", "open", "hold" */
const char *gw_workload_model_name(enum gw_model m);

#endif /* GW_WORKLOAD_H */
