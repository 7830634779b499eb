/*
 * gw_search: capacity search -- the highest arrival rate (axis rate) or
 * the most concurrently held SSE streams (axis streams) at which every
 * threshold of a workload still holds.
 *
 * Each probe is a workload run (gw_load) at one value:
 *   rate     the open model at a constant rate, the workload's flows by
 *            weight;
 *   streams  the hold model: ramp to N held streams at ramp_rate, hold
 *            them, and judge the probe_flow tasks started at probe_rate
 *            meanwhile.
 * A probe runs warmup (not judged; for streams also the ramp), then
 * measures for `measure` -- longer when the thresholds' highest
 * percentile needs more completed flows for its 95 % interval to exist
 * (n >= ln(0.025) / ln(q): 368 for p99), up to max_measure.  Its verdict
 * is its thresholds' on the measured span.  Three more rules:
 *
 *   - a probe whose measured value is too close to its limit to call (the
 *     limit inside the value's 95 % interval: order statistics for a
 *     percentile, Wilson for error_rate) is run once more, measuring
 *     twice as long, and that run decides;
 *   - over-saturation (flows in flight growing steadily through the
 *     measured span: arrivals outrun completions, and an open load then
 *     measures only its backlog) ends a probe early as a failure;
 *   - a probe where gwstress itself was the bottleneck (its CPU, schedule
 *     lag, full rings, dropped starts: gw_load.h) is invalid: it says
 *     nothing of the gateway, so the search stops there and reports the
 *     bracket it had, never a capacity the generator decided.
 *
 * Procedure: double from lo until a probe fails (or hi passes), then
 * bisect the bracket [highest pass, lowest fail] until
 * (fail - pass) / fail <= precision.  From a blind [1, 1000] that is at
 * most 10 doublings and 5 bisections.  The result is the highest passing
 * value, the lowest failing one, the threshold that broke there with its
 * measured value, every probe, and whether the probes were monotonic (no
 * pass above a fail).
 *
 * Thread safety: main thread only (probes use the engine's workers).
 */
#ifndef GW_SEARCH_H
#define GW_SEARCH_H

#include "gw_load.h"

struct gw_config;
struct gw_engine;
struct gw_report_ctx;
struct gw_target;
struct gw_workload;
struct json_t;

#define GW_SEARCH_MAX_PROBES 200

/* How a search ended (the exit code follows from it). */
enum gw_search_end {
	GW_SEARCH_FOUND,   /* a capacity: the highest passing value */
	GW_SEARCH_AT_TOP,  /* hi passed: the capacity is at least hi */
	GW_SEARCH_NONE,	   /* the thresholds fail already at lo */
	GW_SEARCH_INVALID, /* a probe was generator-bound */
	GW_SEARCH_BUDGET,  /* max_probes ran out before precision */
	GW_SEARCH_INTERRUPTED
};

struct gw_probe {
	double value; /* flows/s or streams */
	int rerun;    /* the longer run of a straddling probe */
	int passed;
	double seconds; /* its measured span */
	struct gw_load_result r;
};

/* Run one probe at x (rerun: the longer run of a straddling probe) and
 * fill p->r, p->passed and p->seconds. */
typedef void (*gw_search_probe_fn)(void *ud, double x, int rerun,
				   struct gw_probe *p);

struct gw_search {
	const struct gw_workload *wl;
	gw_search_probe_fn fn;
	void *ud;
	enum gw_search_end end;
	double pass, fail; /* the bracket; fail 0 until one failed */
	int have_pass;
	int monotonic;
	int nprobes;
	struct gw_probe probe[GW_SEARCH_MAX_PROBES];
	char why[256];
};

/*
 * Search wl's capacity on engine e (its pool sized by
 * gw_search_pool(wl)) against target t, writing each probe's report under
 * probe_dir when it is not NULL.  Fills *s.
 */
void gw_search_run(struct gw_search *s, const struct gw_workload *wl,
		   const struct gw_config *cfg, struct gw_engine *e,
		   const struct gw_target *t, const struct gw_load_opts *o,
		   const struct gw_report_ctx *rc, const char *probe_dir);
/* The procedure alone, with probes run by fn (gw_search_run's are
 * workload runs; the unit tests' are synthetic).  Fills *s. */
void gw_search_drive(struct gw_search *s, const struct gw_workload *wl,
		     gw_search_probe_fn fn, void *ud);
/* 1 if no probe passed above a value that failed (a re-run decides its
 * value; invalid probes are not failures). */
int gw_search_monotonic(const struct gw_search *s);
/* Workers a search of wl needs at its largest probe. */
int gw_search_pool(const struct gw_workload *wl);
/* The search report (the caller owns it). */
struct json_t *gw_search_json(const struct gw_search *s,
			      const struct gw_config *cfg,
			      const struct gw_report_ctx *rc);
/* One line per probe and the result, for the console. */
void gw_search_console(FILE *f, const struct gw_search *s);
/* "found", "at the top", ... */
const char *gw_search_end_name(enum gw_search_end e);

#endif /* GW_SEARCH_H */
