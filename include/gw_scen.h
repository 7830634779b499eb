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

#include <stddef.h>
#include <stdint.h>

#include "gw_check.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_metrics.h"
#include "gw_proto.h"
#include "gw_sam.h"

struct gw_run;

/* Ids of the operations and counters every scenario has. */
struct gw_std_ids {
	int op_sse_connect;		/* request start -> headers */
	int op_sse_first_event;		/* subscribe -> first event */
	int op_sse_event_received;	/* subscribe -> each event */
	int op_sse_event_gap;		/* previous event -> this event */
	int op_sse_subscribe;		/* stream-level failures */
	int c_sse_established;
	int c_sse_closed;
	int c_sse_events;
	int c_sse_status_update, c_sse_artifact_update;
	int c_sse_final_response, c_sse_error, c_sse_other;
	int c_sse_terminal;
	int c_sse_incomplete;		/* ended without a terminal event */
	int c_sse_foreign;		/* frames of another task/session */
};

struct gw_scen {
	const struct gw_scenario *def;
	struct gw_run *run;
	struct gw_metrics *m;
	struct gw_sam sam;		/* what its jobs record through */
	struct gw_checks checks;
	char skip_reason[200];		/* whole scenario skipped */
	/* main thread, while waiting for jobs (gw_scen_wait) */
	int64_t mem_every_ns;		/* memory sample period, 0 = none */
	int64_t mem_last_ns;
	void (*on_tick)(struct gw_scen *s);	/* ~1/s, may be NULL */
	void *ud;			/* scenario state for on_tick */
	int progress;			/* draw the live progress line */
	int progress_shown;
	int collected;			/* gw_scen_stop ran */
	int accounting_broken;		/* produced != received + dropped */
};

struct gw_scenario {
	const char *name;	/* pytest node id, e.g. "..._connections[5]" */
	const char *markers;	/* space separated, e.g. "stress isolation" */
	const char *what;	/* one line for --list */
	long param;
	/* workers this scenario needs at once under cfg */
	int (*need)(const struct gw_config *cfg, long param);
	void (*run)(struct gw_scen *s, long param);
};

/* The whole catalogue in the seed's order; *n receives its length.
 * Called from the main thread. */
const struct gw_scenario *gw_catalogue_get(size_t *n);

/* Process-wide run context shared read-only by scenarios and jobs. */
struct gw_run {
	const struct gw_config *cfg;
	struct gw_engine *eng;
	const struct gw_http_target *tgt;
	char target_display[512];	/* URL without query/userinfo */
	int bundled;			/* we started the bundled gateway */
	long mem_pid;			/* RSS source, 0 = none */
	int progress;			/* live progress line on stderr */
	int quiet;			/* -q: no progress messages */
	char introspect[512];		/* server bookkeeping URL or "" */
	int gw_port;			/* the gateway's TCP port */
	int gw_local;			/* gateway on this host (loopback) */
};

/* ---- main thread: setup, checks ------------------------------------- */

/* How the scenario ended (gw_check_outcome of its checks, skip reason
 * and interruption): the one place the console, the JSON report and the
 * tally take it from. */
enum gw_outcome gw_scen_outcome(const struct gw_scen *s);

/* Take a memory sample of the gateway if a source exists. */
void gw_scen_memory_sample(struct gw_scen *s);

/* Run jobs and wait, printing live progress. */
void gw_scen_wait(struct gw_scen *s);

#endif /* GW_SCEN_H */
