/*
 * gw_load_int: the load family's private header -- the run's state, shared
 * by the driver (gw_load.c), the flow executor (gw_flow.c) and the report
 * (gw_load_report.c).  Not part of the include/ API.
 *
 * Who writes what while a run goes:
 *   - the main thread: users[], win[], the thresholds' state, checks;
 *   - the scheduler thread: starts[] (a ring; see gw_load.c), offered and
 *     dropped (relaxed atomics, read by the main thread for progress);
 *   - workers: only through the engine (samples, per-worker counters) and
 *     the users' `running` flags (release on exit, acquire by main);
 *   - stopping: main writes, everyone reads (relaxed: a flag).
 */
#ifndef GW_LOAD_INT_H
#define GW_LOAD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>

#include "gw_check.h"
#include "gw_engine.h"
#include "gw_load.h"
#include "gw_metrics.h"
#include "gw_proto.h"
#include "gw_sam.h"
#include "gw_series.h"
#include "gw_thresh.h"
#include "gw_workload.h"

/* The run's counters at the end of a window (cumulative from the start). */
struct gw_load_win {
	int64_t t_ns; /* window end, from the start */
	uint64_t offered, dropped, started, completed, failed, cut, late;
	uint64_t errors, aborted, attempts;
	int64_t in_flight, open_streams, users;
	double cpu; /* gwstress's CPU in this window, % of all cores */
};

/* A flow instance's memory: what later steps refer to.  A closed-model
 * user keeps one across its iterations. */
struct gw_flow_ctx {
	struct gw_task task;
	int have_task;
	int task_done;	  /* a collect or cancel step ended the task */
	int64_t t_submit; /* the last submit's send (ns) */
	char session[160];
	char up_sid[160], up_name[64];
	uint64_t up_hash;
	size_t up_len;
	int have_upload;
	uint64_t iter;
	int user; /* closed/hold user index, -1 for an open start */
};

/* An open-model start handed to a worker. */
struct gw_load_start {
	struct gw_load *L;
	int flow;
	int64_t intended; /* CLOCK_MONOTONIC ns */
	int64_t spin;	  /* ns the worker waits awake (gw_shape_spin) */
	_Atomic int busy; /* handed to a worker that has not copied it */
};

/* A task a cut flow left running, in its worker's slot (id "" = none). */
struct gw_load_cut {
	struct gw_load *L;
	char id[sizeof(((struct gw_task *)0)->id)];
};

/* A closed-model user or a hold-model holder. */
struct gw_load_user {
	struct gw_load *L;
	int idx;
	_Atomic int running;
};

struct gw_load {
	const struct gw_workload *wl;
	const struct gw_config *cfg;
	struct gw_engine *eng;
	const struct gw_target *tgt;
	struct gw_metrics *m;
	struct gw_sam sam;
	struct gw_series series;
	/* tasks failed and cut flows left running (gw_flow_cancel_orphan):
	 * a cut one's in its worker's slot until after the run; outcomes */
	struct gw_load_cut *cut;
	_Atomic uint64_t orph_left, orph_cancelled, orph_gone, orph_failed;
	/* operations */
	int op_lag, op_ttfe, op_ttfe_int, op_task;
	int op_flow[GW_WL_MAX_FLOWS], op_flow_int[GW_WL_MAX_FLOWS];
	int op_step[GW_WL_MAX_FLOWS][GW_WL_MAX_STEPS];
	int op_step_int[GW_WL_MAX_FLOWS][GW_WL_MAX_STEPS];
	/* per-worker counters */
	int c_started, c_completed, c_failed, c_cut, c_late, c_in_flight,
		c_streams;
	/* the run */
	int64_t t0, t_stop, t_end, window_ns;
	double total_weight;
	_Atomic int stopping; /* no new starts */
	_Atomic uint64_t offered, dropped;
	struct gw_load_start *starts;
	size_t nstarts;
	struct gw_load_user *users;
	int nusers;
	pthread_t sched;
	int sched_started;
	unsigned char *data; /* upload bytes, shared read-only */
	size_t data_len;
	/* windows, judged thresholds */
	struct gw_load_win *win;
	uint64_t *win_err; /* wincap x GW_MAX_OPS: each operation's errors
			      at each window's end, cumulative (the CSV) */
	int nwin, wincap;
	int judge_ready;  /* thresholds' state set up */
	int judged;	  /* series windows judged so far */
	int first_judged; /* series window the judged span starts at */
	int64_t skip_ns;
	int sat_abort;	       /* end the run when over-saturated (probes) */
	struct gw_hist *sofar; /* per op, for abort thresholds: judged data */
	struct gw_thresh_state ts[GW_WL_MAX_THRESH];
	struct gw_checks checks;
	int aborted, interrupted;
	char abort_why[256];
	struct rusage ru_last, ru0; /* ru0: at the start */
	int64_t ru_last_ns;
	double cpu_seconds; /* since ru0, at the end */
	int ncpu;
	double cpu_peak;
};

/* Run flow f for one start or iteration (worker).  intended is the flow's
 * intended start (CLOCK_MONOTONIC ns); open says it came from the
 * scheduler (its lag is recorded).  Returns 0 when it completed, -1
 * when a step failed. */
int gw_flow_run(struct gw_worker *w, struct gw_load *L, int f,
		struct gw_flow_ctx *ctx, int64_t intended, int open);
/* Cancel task_id, which a failed or cut flow left running (see
 * gw_flow.c), counting the outcome in L's orphan counters. */
void gw_flow_cancel_orphan(struct gw_worker *w, struct gw_load *L,
			   const char *task_id);
/* A flow by weight, from a uniform 64-bit draw. */
int gw_flow_pick(const struct gw_load *L, uint64_t r);

/* gw_judge: judge the series windows closed since the last call (main
 * thread, while the run goes). */
void gw_judge_windows(struct gw_load *L);
/* After the run (engine collected, series closed): every window left,
 * every threshold's check, the generator's validity, the result. */
void gw_judge_final(struct gw_load *L, struct gw_load_result *r);
/* The check of whole-run threshold t measured on src, and of per-window
 * threshold t from its state st (first: the first judged window; win_ns
 * the window length): one formatting for a run and a merge
 * (gw_rejudge). */
void gw_judge_check_whole(struct gw_checks *k, const struct gw_thresh *t,
			  const struct gw_thresh_src *src);
void gw_judge_check_window(struct gw_checks *k, const struct gw_thresh *t,
			   const struct gw_thresh_state *st, int first,
			   int64_t win_ns);

#endif /* GW_LOAD_INT_H */
