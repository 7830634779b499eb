/*
 * gw_scen: one scenario of the catalogue -- its definition (a catalogue
 * row) and a running instance.
 *
 * A scenario runs on the main thread: it registers its operation and
 * counter names, submits jobs to the engine, waits for them, sets gauges
 * and adds checks (its assertions).  Jobs run on workers and only use the
 * SAM calls of gw_sam.h (through s->sam) and gw_rec/gw_count/gw_worker_fail.
 */
#ifndef GW_SCEN_H
#define GW_SCEN_H

#include <stdint.h>

#include "gw_check.h"
#include "gw_engine.h"
#include "gw_sam.h"

struct gw_config;
struct gw_metrics;
struct gw_run;
struct gw_scen;

/*
 * A catalogue row.  The workers a scenario needs at once are a field:
 * a count, GW_NEED_PARAM (as many as its parameter) or GW_NEED_SSE (the
 * profile's concurrent_sse_connections); `need` is only for the few that
 * compute it from the profile and then wins.
 */
#define GW_NEED_PARAM (-1)
#define GW_NEED_SSE (-2)

struct gw_scen_def {
	const char *name;    /* pytest node id, e.g. "..._connections[5]" */
	const char *markers; /* space separated, e.g. "stress isolation" */
	const char *what;    /* one line for --list */
	long param;
	int workers; /* a count, GW_NEED_PARAM or GW_NEED_SSE */
	/* --shard: 1 when shards share out its concurrency (param, and the
	 * profile's concurrent_sse_connections and concurrent_sessions) and
	 * every check merges from the shares (gw_check_merge); 0 when it
	 * runs whole on shard 0 (its checks count fixed numbers) */
	int split;
	int (*need)(const struct gw_config *cfg, long param);
	void (*run)(struct gw_scen *s, long param);
};

/* Workers def needs at once under cfg (at least 1). */
int gw_scen_def_need(const struct gw_scen_def *def,
		     const struct gw_config *cfg);

/* A fanned-out job's argument: the scenario's state and an index. */
struct gw_scen_job {
	void *x;
	long i;
};

struct gw_scen {
	const struct gw_scen_def *def;
	struct gw_run *run;
	struct gw_metrics *m;
	struct gw_sam sam; /* what its jobs record through */
	struct gw_checks checks;
	char skip_reason[200]; /* whole scenario skipped */
	/* main thread, while waiting for jobs (gw_scen_wait) */
	int64_t mem_every_ns; /* memory sample period, 0 = none */
	int64_t mem_last_ns;
	void (*on_tick)(struct gw_scen *s); /* ~1/s, may be NULL */
	void *ud;			    /* scenario state for on_tick */
	int progress;			    /* draw the live progress line */
	int progress_shown;
	int collected;		  /* gw_scen_stop ran */
	int accounting_broken;	  /* produced != received + dropped */
	struct gw_scen_fan *fans; /* job arrays of gw_scen_fanout */
};

/*
 * A running scenario for def in run: fresh metrics named after it, the
 * standard SSE names registered, no job attached yet.  Aborts on OOM;
 * gw_scen_free releases it (NULL-safe).
 */
struct gw_scen *gw_scen_create(struct gw_run *run,
			       const struct gw_scen_def *def);
void gw_scen_free(struct gw_scen *s);

/* Submit fn(w, &job) for job.i = from..to-1 with job.x = x.  The job
 * arguments live until gw_scen_free. */
void gw_scen_fanout(struct gw_scen *s, long from, long to, gw_job_fn fn,
		    void *x);

/* Wait for the jobs so far, printing live progress. */
void gw_scen_wait(struct gw_scen *s);
/* Wait for every job, stop the clock and collect the workers' numbers
 * (idempotent).  Scenarios call it before computing their checks. */
void gw_scen_stop(struct gw_scen *s);

/* How the scenario ended (gw_check_outcome of its checks, skip reason
 * and interruption): the one place the console, the JSON report and the
 * tally take it from. */
enum gw_outcome gw_scen_outcome(const struct gw_scen *s);

/* Take a memory sample of the gateway if a source exists. */
void gw_scen_memory_sample(struct gw_scen *s);

#endif /* GW_SCEN_H */
