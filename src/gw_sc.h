/*
 * gw_sc: private helpers shared by the scenario files (gw_sc_*.c) and the
 * catalogue.  Not part of the public include/ API.
 */
#ifndef GW_SC_H
#define GW_SC_H

#include "gw_run.h"
#include "gw_scen.h"
#include "gw_util.h"

/*
 * The seed's `event_received` (scenarios.md 5.1): after a collector ends,
 * one sample per event, each equal to the collector's total collection
 * time.  Kept for comparison with Python baselines; the true per-event
 * arrival offsets are `sse_event_received`.
 */
void gw_sc_seed_event_samples(struct gw_worker *w, int op,
			      const struct gw_collect *c);

/* success = ok/n*100 >= profile's min_success_rate_percent (default 95) */
void gw_sc_check_success(struct gw_scen *s, const char *what, long ok,
			 long n);

/* Scenario lists, one per seed file. */
extern const struct gw_scenario gw_sc_sse_list[];
extern const size_t gw_sc_sse_count;

#endif /* GW_SC_H */
