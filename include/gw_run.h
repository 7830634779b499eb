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

/* What the run keeps of a scenario after its report is written: the
 * tally, and the report for the HTML page and the JUnit file. */
struct gw_result {
	enum gw_outcome outcome;
	int report_ok;			/* its JSON report was written */
	struct json_t *report;		/* its JSON report (owned) */
};

/*
 * Run scenario def.  quiet suppresses the console summary (the JSON report
 * is always written).  Fills *res and returns res->outcome.
 */
enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scenario *def,
				const struct gw_report_ctx *rc, int quiet,
				struct gw_result *res);

/* Wait for every job, stop the clock and collect the workers' numbers
 * (idempotent).  Scenarios call it before computing their checks. */
void gw_scen_stop(struct gw_scen *s);

#endif /* GW_RUN_H */
