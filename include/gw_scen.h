/*
 * gw_scen: the scenario catalogue and the primitives every scenario is
 * written in (scenarios.md 1.3): SUBMIT, COLLECT and the HTTP operations,
 * each doing its request over the worker's one easy handle and recording
 * latency, attempts, errors and counters under the seed's names.
 *
 * A scenario runs on the main thread: it registers its operation and
 * counter names, submits jobs to the engine, waits for them, sets gauges
 * and adds checks (its assertions).  Jobs run on workers and only use the
 * primitives and gw_rec/gw_count/gw_fail.
 *
 * Every scenario gets the standard SSE operations and counters first
 * (struct gw_std_ids), so any job may COLLECT.  Operations with no sample
 * never appear in a report, as in the seed.
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
	struct gw_std_ids std;
	int op_total_ctr[GW_MAX_OPS];	/* <op>_total counter or -1 */
	int op_err_ctr[GW_MAX_OPS];	/* <op>_errors counter or -1 */
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

/* Register an operation that is an HTTP request: also creates the seed's
 * automatic counters <op>_total and <op>_errors.  Returns the op id. */
int gw_scen_http_op(struct gw_scen *s, const char *name);

/* How the scenario ended (gw_check_outcome of its checks, skip reason
 * and interruption): the one place the console, the JSON report and the
 * tally take it from. */
enum gw_outcome gw_scen_outcome(const struct gw_scen *s);

/* Take a memory sample of the gateway if a source exists. */
void gw_scen_memory_sample(struct gw_scen *s);

/* Run jobs and wait, printing live progress. */
void gw_scen_wait(struct gw_scen *s);

/* ---- primitives, run on workers ---------------------------------------- */


/*
 * SUBMIT: POST /api/v1/message:stream with a JSON-RPC 2.0 envelope (text,
 * optional contextId, metadata.agent_name from the profile).  Records op's
 * latency (send -> full response) when a response arrived, an attempt, and
 * on failure an error under op.  Returns 0 with *out filled, or -1.
 */
int gw_submit(struct gw_worker *w, struct gw_scen *s, int op,
	      const char *text, const char *context_id, struct gw_task *out);

struct gw_collect {
	/* in */
	const struct gw_task *task;
	long window_ms;			/* COLLECT's T */
	int stop_after_first;		/* churn: close after one event */
	int check_ids;			/* frames must carry task/context */
	long slow_rcvbuf;		/* slow reader: SO_RCVBUF bytes */
	int64_t slow_pause_ns;		/* ... and stop reading this long */
	int incomplete_ok;		/* no terminal event is no error */
	/* out */
	int64_t t0;			/* COLLECT started (ns) */
	int64_t t_first;		/* first event (ns) or 0 */
	int64_t t_end;			/* COLLECT ended (ns) */
	uint32_t events;		/* frames (seed's notion of events) */
	uint32_t terminal;		/* terminal events seen (0 or 1) */
	uint32_t foreign;		/* frames of another task/context */
	char foreign_example[160];
	int connected;			/* got 200 text/event-stream */
	int ok;				/* no error recorded */
	struct gw_sse_result sse;
};

/*
 * COLLECT: GET /api/v1/sse/subscribe/{task} until the terminal event
 * (final_response, a JSON-RPC error, a Task result or a status-update
 * with final:true; we then close the stream ourselves), the server ends
 * it, or window_ms passes.  Records the standard SSE operations and
 * counters.  A stream that ends without a terminal event is an error of
 * sse_subscribe (class timeout or dropped_stream).  Returns 0 when a
 * terminal event arrived (or stop_after_first saw an event), else -1.
 */
int gw_collect(struct gw_worker *w, struct gw_scen *s, struct gw_collect *c);

/*
 * One REST call through op (registered with gw_scen_http_op): records
 * latency for any response, <op>_total, and an error for HTTP >= 400 or a
 * transport failure.  Body in w->http.body.  Returns 0 if status < 400.
 */
int gw_rest(struct gw_worker *w, struct gw_scen *s, int op,
	    const char *method, const char *path, const char *body,
	    struct gw_http_result *r);

/* Multipart upload (see gw_http_upload) through op; on 201 copies the
 * response's sessionId into sid_out (size n).  Returns 0 on 201. */
int gw_upload(struct gw_worker *w, struct gw_scen *s, int op,
	      const char *session_id, const char *filename,
	      const unsigned char *data, size_t len, char *sid_out, size_t n,
	      struct gw_http_result *r);

/* Download /api/v1/artifacts/{sid}/{filename} through op, hashing it. */
int gw_download(struct gw_worker *w, struct gw_scen *s, int op,
		const char *sid, const char *filename, uint64_t *hash,
		struct gw_http_result *r);

/* Deterministic artifact bytes for a seed (xorshift; never verified by
 * the seed, verified by hash here).  Caller frees. */
unsigned char *gw_artifact_bytes(size_t len, uint64_t seed);


#endif /* GW_SCEN_H */
