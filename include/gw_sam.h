/*
 * gw_sam: the SAM gateway's client calls, the primitives every scenario
 * and workload flow is written in (scenarios.md 1.3): SUBMIT, COLLECT,
 * REST, upload and download.  Each does one blocking request over the
 * worker's easy handle and records latency, attempts, errors and counters
 * under the seed's names into the metrics it was set up with.
 *
 * struct gw_sam is the recording context: which metrics, which agent, and
 * the ids of the standard SSE operations and counters, registered by
 * gw_sam_init so that any job may COLLECT.  Operations with no sample
 * never appear in a report, as in the seed.  It knows nothing of
 * scenarios: a catalogue scenario and a workload flow record the same way.
 *
 * Thread safety: gw_sam_init and gw_sam_http_op run on the main thread
 * before any job; the calls below run on workers and only read the
 * context.
 */
#ifndef GW_SAM_H
#define GW_SAM_H

#include <stddef.h>
#include <stdint.h>

#include "gw_http.h"
#include "gw_metrics.h"

struct gw_task;
struct gw_worker;

/* Ids of the standard SSE operations and counters (gw_sam_init). */
struct gw_sam_ids {
	int op_sse_connect;	   /* request start -> headers */
	int op_sse_first_event;	   /* subscribe -> first event */
	int op_sse_event_received; /* subscribe -> each event */
	int op_sse_event_gap;	   /* previous event -> this event */
	int op_sse_subscribe;	   /* stream-level failures */
	int op_sse_ping_gap;	   /* keep-alive comment gaps (pings) */
	int op_sse_delivery;	   /* gwsim's send stamp to our hook */
	int c_sse_established;
	int c_sse_closed;
	int c_sse_events;
	int c_sse_status_update, c_sse_artifact_update;
	int c_sse_final_response, c_sse_error, c_sse_other;
	int c_sse_terminal;
	int c_sse_incomplete; /* ended without a terminal event */
	int c_sse_foreign;    /* frames of another task/session */
	int c_sse_open;	      /* streams open now: +1 at subscribe, -1 at
				 the end (0 once the run is over; read
				 live by gw_live snapshots) */
};

struct gw_sam {
	struct gw_metrics *m;
	const char *agent; /* metadata.agent_name (borrowed) */
	unsigned shard;	   /* --shard index, in every id we make */
	struct gw_sam_ids std;
	int op_total_ctr[GW_MAX_OPS]; /* <op>_total counter or -1 */
	int op_err_ctr[GW_MAX_OPS];   /* <op>_errors counter or -1 */
};

/* Set up sam for metrics m and register the standard SSE names. */
void gw_sam_init(struct gw_sam *sam, struct gw_metrics *m, const char *agent);
/* Register an operation that is an HTTP request: also creates the seed's
 * automatic counters <op>_total and <op>_errors.  Returns the op id. */
int gw_sam_http_op(struct gw_sam *sam, const char *name);

/*
 * SUBMIT: POST /api/v1/message:stream with a JSON-RPC 2.0 envelope (text,
 * optional contextId, metadata.agent_name from the profile).  Records op's
 * latency (send -> full response) when a response arrived, an attempt, and
 * on failure an error under op.  Returns 0 with *out filled, or -1.
 */
int gw_sam_submit(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *text, const char *context_id,
		  struct gw_task *out);

struct gw_sam_stream {
	/* in */
	const struct gw_task *task;
	long window_ms;	       /* COLLECT's T */
	int stop_after_first;  /* churn: close after one event */
	long stop_after_n;     /* close after N events, 0 = no */
	int pings;	       /* record sse_ping_gap */
	int check_ids;	       /* frames must carry task/context */
	long slow_rcvbuf;      /* slow reader: SO_RCVBUF bytes */
	int64_t slow_pause_ns; /* ... and stop reading this long */
	int incomplete_ok;     /* no terminal event is no error */
	/* out */
	int64_t t0;	   /* COLLECT started (ns) */
	int64_t t_first;   /* first event (ns) or 0 */
	int64_t t_last;	   /* last event (ns) or 0 */
	int64_t t_end;	   /* COLLECT ended (ns) */
	uint32_t events;   /* frames (seed's notion of events) */
	uint32_t terminal; /* terminal events seen (0 or 1) */
	uint32_t foreign;  /* frames of another task/context */
	char foreign_example[160];
	int connected; /* got 200 text/event-stream */
	int ok;	       /* no error recorded */
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
int gw_sam_collect(struct gw_worker *w, const struct gw_sam *sam,
		   struct gw_sam_stream *c);

/*
 * One REST call through op (registered with gw_sam_http_op): records
 * latency for any response, <op>_total, and an error for HTTP >= 400 or a
 * transport failure.  Body in w->http.body.  Returns 0 if status < 400.
 */
int gw_sam_rest(struct gw_worker *w, const struct gw_sam *sam, int op,
		const char *method, const char *path, const char *body,
		struct gw_http_result *r);

/*
 * POST /api/v1/tasks/{task_id}:cancel with a CancelTaskRequest through op
 * (as gw_sam_rest; op -1: no sample, no error record, for a clean-up
 * after the run).  Returns 0 on 202 (SAM then ends the task's stream with
 * a final_response of state canceled), else -1 (404: no such running
 * task).
 */
int gw_sam_cancel(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *task_id, struct gw_http_result *r);

/* Multipart upload (see gw_http_upload) through op; on 201 copies the
 * response's sessionId into sid_out (size n).  Returns 0 on 201. */
int gw_sam_upload(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *session_id, const char *filename,
		  const unsigned char *data, size_t len, char *sid_out,
		  size_t n, struct gw_http_result *r);

/* Download /api/v1/artifacts/{sid}/{filename} through op, hashing it. */
int gw_sam_download(struct gw_worker *w, const struct gw_sam *sam, int op,
		    const char *sid, const char *filename, uint64_t *hash,
		    struct gw_http_result *r);

#endif /* GW_SAM_H */
