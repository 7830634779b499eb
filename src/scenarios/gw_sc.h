/*
 * gw_sc: the scenario family's one private header (curl's vtls_int.h, for
 * the scenario files gw_sc_*.c and the catalogue): the public headers a
 * scenario is written in, and the helpers the scenario files share.  Not
 * part of the include/ API.
 */
#ifndef GW_SC_H
#define GW_SC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_check.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_metrics.h"
#include "gw_proto.h"
#include "gw_run.h"
#include "gw_sam.h"
#include "gw_scen.h"
#include "gw_target.h"
#include "gw_util.h"

/*
 * The seed's `event_received` (scenarios.md 5.1): after a collector ends,
 * one sample per event, each equal to the collector's total collection
 * time.  Kept for comparison with Python baselines; the true per-event
 * arrival offsets are `sse_event_received`.
 */
void gw_sc_seed_event_samples(struct gw_worker *w, int op,
			      const struct gw_sam_stream *c);

/* success = ok/n*100 >= profile's min_success_rate_percent (default 95) */
void gw_sc_check_success(struct gw_scen *s, const char *what, long ok, long n);
/* The most recent check is num / den in %: a shard merge sums both. */
void gw_sc_merge_ratio(struct gw_scen *s, long num, long den);

/*
 * Fixed-rate pacing from intended start times (wrk2's lesson): the k-th
 * action is due at t0 + k * period.  gw_sc_pace_next sleeps until the next
 * due time (not at all when behind schedule) and returns it, so latency
 * can be measured from when the action *should* have started.  Returns 0,
 * or -1 when a stop was requested or `end` (ns, 0 = none) has passed.
 */
struct gw_sc_pacer {
	int64_t t0, period, end;
	uint64_t k;
};
void gw_sc_pace_init(struct gw_sc_pacer *p, int64_t period_ns, int64_t end_ns);
int gw_sc_pace_next(struct gw_sc_pacer *p, int64_t *intended);

/* Wait until *n reaches `count` (a start gate so concurrent jobs begin
 * together), at most max_ns.  Each job calls it once after arriving. */
void gw_sc_gate(_Atomic int *n, int count, int64_t max_ns);

/* GET /health through op; 1 if it answered 2xx. */
int gw_sc_health(struct gw_worker *w, struct gw_scen *s, int op);

/*
 * The paced submitter the mixed, sustained and soak scenarios share: from
 * intended start times every `period` until `end`, SUBMIT(text_fmt with
 * the round number, one %llu) through op_submit, record <op>_corrected
 * from the intended start, count `submitted`, and hand the task to a
 * fire-and-forget COLLECT(window_ms) job that counts `events` and
 * `completed`.  `each` (may be NULL) runs after every round on the same
 * worker.  The scenario's needs must leave room for window_ms / period
 * collectors at once.
 */
struct gw_sc_paced {
	struct gw_scen *s;
	int64_t period, end; /* ns */
	const char *text_fmt;
	long window_ms; /* 10 s unless changed */
	int op_submit, op_corr;
	int c_submitted, c_events, c_completed;
	void (*each)(struct gw_worker *w, struct gw_sc_paced *p);
	void *ud;
	_Atomic long rounds;
};
/* Register op, op_corrected and the three counters; window 10 s. */
void gw_sc_paced_setup(struct gw_scen *s, struct gw_sc_paced *p, const char *op,
		       const char *submitted, const char *events,
		       const char *completed);
void gw_sc_paced_job(struct gw_worker *w, void *arg);

/* Deterministic artifact bytes for a seed (xorshift; never verified by
 * the seed, verified by hash here).  Caller frees; aborts on OOM. */
unsigned char *gw_sc_artifact_bytes(size_t len, uint64_t seed);

/*
 * Scenario lists, one per seed file, each ending in a row with no name.
 * A new scenario file adds its list here and to gw_catalogue.c.
 */
extern const struct gw_scen_def gw_sc_sse_list[];
extern const struct gw_scen_def gw_sc_isolation_list[];
extern const struct gw_scen_def gw_sc_artifacts_list[];
extern const struct gw_scen_def gw_sc_sessions_list[];
extern const struct gw_scen_def gw_sc_soak_list[];
extern const struct gw_scen_def gw_sc_system_list[];

#endif /* GW_SC_H */
