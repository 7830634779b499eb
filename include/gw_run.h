/*
 * gw_run: the process-wide context of a run (the configuration, the
 * engine, the target) and the execution of one scenario: fresh metrics,
 * a memory sample before and after, the scenario's own run function, the
 * collector flush and per-worker sums, the console summary and the JSON
 * report -- written whether the scenario passed, failed or was
 * interrupted.
 */
#ifndef GW_RUN_H
#define GW_RUN_H

#include "gw_check.h"

struct gw_config;
struct gw_engine;
struct gw_target;
struct gw_report_ctx;
struct gw_scen_def;
struct json_t;

/* Shared read-only by scenarios and jobs once main has filled it. */
struct gw_run {
	const struct gw_config *cfg;
	struct gw_engine *eng;
	const struct gw_target *target; /* the gateway under test */
	int progress;			/* live progress line on stderr */
	int quiet;			/* -q: no progress messages */
	int shard, nshards;		/* --shard I/N, nshards 0 or 1 = all */
};

/* Shard i's part of n over `shards`: floor(n(i+1)/shards) -
 * floor(n i/shards), so the parts add up to n. */
long gw_run_share(long n, int i, int shards);

/* What the run keeps of a scenario after its report is written: the
 * tally, and the report for the HTML page and the JUnit file. */
struct gw_result {
	enum gw_outcome outcome;
	int report_ok;	       /* its JSON report was written */
	struct json_t *report; /* its JSON report (owned) */
};

/*
 * Run scenario def.  quiet suppresses the console summary (the JSON report
 * is always written).  Fills *res and returns res->outcome.
 */
enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scen_def *def,
				const struct gw_report_ctx *rc, int quiet,
				struct gw_result *res);

#endif /* GW_RUN_H */
