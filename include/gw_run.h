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

/* What the run keeps of a scenario after its report is written (for the
 * JUnit file and the tally). */
struct gw_result {
	const struct gw_scenario *def;
	enum gw_outcome outcome;
	double seconds;
	int report_ok;			/* its JSON report was written */
	char why[512];			/* failed checks or the skip reason */
	void *report;			/* its JSON report (json_t *, owned) */
};

/*
 * Run scenario def.  quiet suppresses the console summary (the JSON report
 * is always written).  Fills *res and returns res->outcome.
 */
enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scenario *def,
				const struct gw_report_ctx *rc, int quiet,
				struct gw_result *res);

/*
 * Write a JUnit XML file (one testcase per scenario run; failures carry
 * the failed checks, skipped and interrupted ones say why), atomically.
 * Returns 0, or -1 with a message.
 */
int gw_run_junit(const char *path, const struct gw_result *res, size_t n,
		 const char *suite);

/* Wait for every job, stop the clock and collect the workers' numbers
 * (idempotent).  Scenarios call it before computing their checks. */
void gw_scen_stop(struct gw_scen *s);

#endif /* GW_RUN_H */
