/*
 * gw_run: executing scenarios.  For each selected scenario: fresh metrics,
 * the standard SSE names, a memory sample before and after, the
 * scenario's own run function, the collector flush and per-worker sums,
 * the console summary and the JSON report -- written whether the scenario
 * passed, failed or was interrupted.
 */
#ifndef GW_RUN_H
#define GW_RUN_H

#include "gw_report.h"
#include "gw_scen.h"

/* Outcome of one scenario, for the final tally and the exit code. */
enum gw_outcome { GW_PASSED, GW_FAILED, GW_SKIPPED, GW_INTERRUPTED };

/*
 * Run scenario def.  quiet suppresses the console summary (the JSON report
 * is always written).  Returns the outcome; *report_ok is set to 0 if the
 * report could not be written.
 */
enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scenario *def,
				const struct gw_report_ctx *rc, int quiet,
				int *report_ok);

/* Wait for every job, stop the clock and collect the workers' numbers
 * (idempotent).  Scenarios call it before computing their checks. */
void gw_scen_stop(struct gw_scen *s);

#endif /* GW_RUN_H */
