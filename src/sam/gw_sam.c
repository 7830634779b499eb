/*
 * gw_sam: the SAM gateway's client calls (see gw_sam.h).
 *
 * Latency semantics (documented in README, "Deviations"):
 *  - a request's latency is recorded for every response that arrived,
 *    whatever its status (a 404 is a real round trip), and not for
 *    transport failures (a timeout's duration is not a latency);
 *  - every failure, HTTP >= 400 included, is an error of its operation,
 *    and error rates are errors / attempts;
 *  - per-event SSE latencies are true arrival offsets from the start of
 *    the subscription, taken in the write callback as bytes arrive.
 */
#include "gw_sam.h"
#include "gw_engine.h"
#include "gw_proto.h"
#include "gw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gw_sam_init(struct gw_sam *sam, struct gw_metrics *m, const char *agent)
{
	struct gw_sam_ids *id = &sam->std;

	memset(sam, 0, sizeof(*sam));
	sam->m = m;
	sam->agent = agent;
	for (int i = 0; i < GW_MAX_OPS; i++)
		sam->op_total_ctr[i] = sam->op_err_ctr[i] = -1;
	id->op_sse_connect = gw_metrics_op(m, "sse_connect");
	id->op_sse_first_event = gw_metrics_op(m, "sse_first_event");
	id->op_sse_event_received = gw_metrics_op(m, "sse_event_received");
	id->op_sse_event_gap = gw_metrics_op(m, "sse_event_gap");
	id->op_sse_subscribe = gw_metrics_op(m, "sse_subscribe");
	id->c_sse_established =
		gw_metrics_counter(m, "sse_connections_established");
	id->c_sse_closed = gw_metrics_counter(m, "sse_connections_closed");
	id->c_sse_events = gw_metrics_counter(m, "sse_events_received");
	id->c_sse_status_update =
		gw_metrics_counter(m, "sse_events_status_update");
	id->c_sse_artifact_update =
		gw_metrics_counter(m, "sse_events_artifact_update");
	id->c_sse_final_response =
		gw_metrics_counter(m, "sse_events_final_response");
	id->c_sse_error = gw_metrics_counter(m, "sse_events_error");
	id->c_sse_other = gw_metrics_counter(m, "sse_events_other");
	id->c_sse_terminal = gw_metrics_counter(m, "sse_terminal_events");
	id->c_sse_incomplete = gw_metrics_counter(m, "sse_streams_incomplete");
	id->c_sse_foreign = gw_metrics_counter(m, "sse_foreign_frames");
	id->c_sse_open = gw_metrics_counter(m, "sse_streams_open");
	id->op_sse_ping_gap = gw_metrics_op(m, "sse_ping_gap");
	id->op_sse_delivery = gw_metrics_op(m, "sse_delivery");
}

int gw_sam_http_op(struct gw_sam *sam, const char *name)
{
	char buf[GW_NAME_LEN + 8];
	int op = gw_metrics_op(sam->m, name);

	snprintf(buf, sizeof(buf), "%s_total", name);
	sam->op_total_ctr[op] = gw_metrics_counter(sam->m, buf);
	snprintf(buf, sizeof(buf), "%s_errors", name);
	sam->op_err_ctr[op] = gw_metrics_counter(sam->m, buf);
	return op;
}

static void make_uuid(struct gw_worker *w, const struct gw_sam *sam,
		      char out[37])
{
	uint64_t a = gw_worker_rand(w), b = gw_worker_rand(w);

	/* ids are namespaced by shard: its index in the first 16 random
	 * bits, so no two shards can ever send the same id */
	if (sam->shard)
		a = (a & 0x0000FFFFFFFFFFFFULL) | ((uint64_t)sam->shard << 48);
	/* RFC 4122 version 4, variant 10 */
	a = (a & ~0xF000ULL) | 0x4000ULL;
	b = (b & ~(3ULL << 62)) | (2ULL << 62);
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)((a >> 16) & 0xFFFF), (unsigned)(a & 0xFFFF),
		 (unsigned)(b >> 48),
		 (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

/* Record the outcome of a request on op: latency for any response,
 * <op>_total/_errors counters where registered, errors for failures. */
static void account(struct gw_worker *w, const struct gw_sam *sam, int op,
		    const char *path, const struct gw_http_result *r)
{
	gw_attempt(w, op);
	if (r->status > 0) {
		gw_rec(w, op, r->t_end - r->t_start);
		if (sam->op_total_ctr[op] >= 0)
			gw_count(w, sam->op_total_ctr[op], 1);
	}
	if (r->err == GW_E_NONE)
		return;
	if (r->err == GW_E_HTTP && sam->op_err_ctr[op] >= 0)
		gw_count(w, sam->op_err_ctr[op], 1);
	gw_worker_fail(w, op, r->err, r->msg, "{\"path\":\"%s\"}", path);
}

static void protocol_fail(struct gw_worker *w, int op, enum gw_errclass cls,
			  const char *path, const char *msg)
{
	gw_worker_fail(w, op, cls, msg, "{\"path\":\"%s\"}", path);
}

static int is_json_ctype(const char *ct)
{
	return !strncasecmp(ct, "application/json", 16);
}

int gw_sam_submit(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *text, const char *context_id, struct gw_task *out)
{
	static const char path[] = "/api/v1/message:stream";
	struct gw_http_result r;
	enum gw_errclass cls;
	const char *why;
	char rid[37], mid[37];
	char *body;
	int rc;

	make_uuid(w, sam, rid);
	make_uuid(w, sam, mid);
	body = gw_proto_submit_request(rid, mid, text, context_id, sam->agent);
	if (!body) {
		/* only invalid UTF-8 in text or OOM can get here */
		gw_attempt(w, op);
		protocol_fail(w, op, GW_E_PROTOCOL, path,
			      "cannot build the JSON-RPC request");
		return -1;
	}
	rc = gw_http_request(&w->http, "POST", path, body, strlen(body), &r);
	free(body);
	if (rc == 0) {
		/* a body that is not JSON is a parse error; JSON under the
		 * wrong Content-Type a protocol error */
		cls = gw_proto_submit_response(w->http.body, w->http.body_len,
					       out, &why);
		if (cls == GW_E_NONE && !is_json_ctype(r.ctype)) {
			cls = GW_E_PROTOCOL;
			why = "submit answered JSON with a Content-Type other "
			      "than application/json";
		}
		if (cls != GW_E_NONE) {
			r.err = cls;
			gw_strlcpy(r.msg, why, sizeof(r.msg));
		}
	}
	account(w, sam, op, path, &r);
	return rc < 0 || r.err ? -1 : 0;
}

struct collect_ctx {
	struct gw_worker *w;
	const struct gw_sam *sam;
	struct gw_sam_stream *c;
	int64_t last;
	int64_t last_ping; /* previous comment, 0 before the first */
};

static void count_type(struct gw_worker *w, const struct gw_sam_ids *id,
		       const char *type)
{
	int ctr = id->c_sse_other;

	if (!strcmp(type, "status_update"))
		ctr = id->c_sse_status_update;
	else if (!strcmp(type, "artifact_update"))
		ctr = id->c_sse_artifact_update;
	else if (!strcmp(type, "final_response"))
		ctr = id->c_sse_final_response;
	else if (!strcmp(type, "error"))
		ctr = id->c_sse_error;
	gw_count(w, ctr, 1);
}

static void foreign_frame(struct collect_ctx *x,
			  const struct gw_proto_event *pe)
{
	const struct gw_task *t = x->c->task;
	char msg[256];

	x->c->foreign++;
	snprintf(msg, sizeof(msg),
		 "frame of task %.40s (context %.40s) on the "
		 "stream of task %.40s",
		 pe->task_id[0] ? pe->task_id : "?",
		 pe->context_id[0] ? pe->context_id : "?", t->id);
	if (!x->c->foreign_example[0])
		gw_strlcpy(x->c->foreign_example, msg,
			   sizeof(x->c->foreign_example));
	gw_count(x->w, x->sam->std.c_sse_foreign, 1);
	gw_worker_fail(x->w, x->sam->std.op_sse_subscribe, GW_E_PROTOCOL, msg,
		       "{\"task_id\":\"%s\",\"context_id\":\"%s\"}", t->id,
		       t->context_id);
}

/*
 * ": gwsim-sent <ns>", the comment gwsim --stamp-events writes before
 * each event: 1 with the CLOCK_MONOTONIC ns in *sent.  Only gwsim sends
 * it; gwstress measures nothing else by it.
 */
static int stamp(const char *s, size_t n, int64_t *sent)
{
	static const char tag[] = "gwsim-sent ";
	int64_t v = 0;
	size_t i = sizeof(tag) - 1;

	if (n <= i || memcmp(s, tag, i))
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9' && v < INT64_MAX / 10; i++)
		v = v * 10 + (s[i] - '0');
	*sent = v;
	return i == n;
}

static int collect_hook(void *ud, const struct gw_sse_event *ev, int64_t t)
{
	struct collect_ctx *x = ud;
	struct gw_sam_stream *c = x->c;
	const struct gw_sam_ids *id = &x->sam->std;
	struct gw_proto_event pe;

	if (!ev->type) { /* a comment */
		int64_t sent;

		if (stamp(ev->data, ev->data_len, &sent)) {
			/* gwsim --stamp-events: its send time (the same
			 * clock, one host) before the event it precedes in
			 * one write; what a benchmark reads as delivery */
			if (t >= sent)
				gw_rec_at(x->w, id->op_sse_delivery, t - sent,
					  t);
			return 0;
		}
		/* the keep-alive pings, from the second */
		if (c->pings && x->last_ping)
			gw_rec_at(x->w, id->op_sse_ping_gap, t - x->last_ping,
				  t);
		x->last_ping = t;
		return 0;
	}
	c->events++;
	gw_count(x->w, id->c_sse_events, 1);
	count_type(x->w, id, ev->type);
	gw_rec(x->w, id->op_sse_event_received, t - c->t0);
	if (!c->t_first) {
		c->t_first = t;
		gw_rec(x->w, id->op_sse_first_event, t - c->t0);
	} else {
		gw_rec(x->w, id->op_sse_event_gap, t - x->last);
	}
	x->last = t;
	c->t_last = t;
	if (gw_proto_event(ev->type, ev->data, ev->data_len,
			   c->check_ids ? c->task : NULL, &pe) != GW_E_NONE)
		gw_worker_fail(x->w, id->op_sse_subscribe, GW_E_PARSE,
			       "event data is not JSON",
			       "{\"task_id\":\"%s\",\"event\":\"%.32s\"}",
			       c->task->id, ev->type);
	if (pe.foreign)
		foreign_frame(x, &pe);
	if (pe.terminal) {
		c->terminal = 1;
		gw_count(x->w, id->c_sse_terminal, 1);
		return 1; /* close it ourselves: late streams never end */
	}
	return c->stop_after_first ||
	       (c->stop_after_n && c->events >= (uint32_t)c->stop_after_n);
}

int gw_sam_collect(struct gw_worker *w, const struct gw_sam *sam,
		   struct gw_sam_stream *c)
{
	const struct gw_sam_ids *id = &sam->std;
	struct collect_ctx x = { w, sam, c, 0, 0 };
	struct gw_http_result *r = &c->sse.http;
	char path[400] = "/api/v1/sse/subscribe/";
	int done;

	c->events = c->terminal = c->foreign = 0;
	c->foreign_example[0] = '\0';
	c->t_first = c->t_last = 0;
	c->connected = 0;
	c->ok = 0;
	if (gw_http_escape(path, sizeof(path), c->task->id) < 0) {
		gw_worker_fail(w, id->op_sse_connect, GW_E_PROTOCOL,
			       "task id too long", NULL);
		return -1;
	}
	if (c->slow_rcvbuf || c->slow_pause_ns)
		gw_http_set_slow_reader(&w->http, c->slow_rcvbuf,
					c->slow_pause_ns);
	c->t0 = gw_now_ns();
	gw_attempt(w, id->op_sse_connect);
	gw_count(w, id->c_sse_open, 1);
	gw_http_sse(&w->http, path, c->window_ms, collect_hook, &x, &c->sse);
	gw_count(w, id->c_sse_open, (uint64_t)-1);
	if (c->slow_rcvbuf || c->slow_pause_ns)
		gw_http_set_slow_reader(&w->http, 0, 0);
	c->t_end = gw_now_ns();
	/* subscribed: a 200 event stream, whatever happened afterwards */
	c->connected = r->status == 200 && r->t_headers &&
		       !strncasecmp(r->ctype, "text/event-stream", 17);
	if (!c->connected) {
		gw_worker_fail(w, id->op_sse_connect,
			       r->err ? r->err : GW_E_HTTP,
			       r->msg[0] ? r->msg : "subscription failed",
			       "{\"task_id\":\"%s\"}", c->task->id);
		return -1;
	}
	gw_rec(w, id->op_sse_connect, r->t_headers - r->t_start);
	gw_count(w, id->c_sse_established, 1);
	gw_count(w, id->c_sse_closed, 1);
	if (c->sse.oversize && !c->terminal &&
	    !strcmp(c->sse.oversize_type, "final_response")) {
		char msg[160];

		/* the answer itself was too big: say so, not "dropped" */
		snprintf(msg, sizeof(msg),
			 "terminal event over max_event_bytes (%zu bytes); "
			 "raise [engine] max_event_bytes",
			 c->sse.oversize_bytes);
		gw_worker_fail(w, id->op_sse_subscribe, GW_E_PROTOCOL, msg,
			       "{\"task_id\":\"%s\",\"bytes\":%zu}",
			       c->task->id, c->sse.oversize_bytes);
		return -1;
	}
	if (c->sse.oversize)
		gw_worker_fail(w, id->op_sse_subscribe, GW_E_PROTOCOL,
			       "event over max_event_bytes discarded",
			       "{\"task_id\":\"%s\",\"count\":%llu,"
			       "\"bytes\":%zu}",
			       c->task->id, (unsigned long long)c->sse.oversize,
			       c->sse.oversize_bytes);
	done = c->terminal || (c->stop_after_first && c->events) ||
	       (c->stop_after_n && c->events >= (uint32_t)c->stop_after_n);
	if (done) {
		c->ok = 1;
		return 0;
	}
	gw_count(w, id->c_sse_incomplete, 1);
	if (c->incomplete_ok)
		return -1; /* expected here (slow reader); not an error */
	if (r->err)
		gw_worker_fail(w, id->op_sse_subscribe, r->err, r->msg,
			       "{\"task_id\":\"%s\",\"events\":%u}",
			       c->task->id, c->events);
	else
		gw_worker_fail(w, id->op_sse_subscribe, GW_E_DROPPED,
			       "stream ended before the terminal event",
			       "{\"task_id\":\"%s\",\"events\":%u}",
			       c->task->id, c->events);
	return -1;
}

int gw_sam_rest(struct gw_worker *w, const struct gw_sam *sam, int op,
		const char *method, const char *path, const char *body,
		struct gw_http_result *r)
{
	int rc = gw_http_request(&w->http, method, path, body,
				 body ? strlen(body) : 0, r);

	account(w, sam, op, path, r);
	return rc;
}

int gw_sam_cancel(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *task_id, struct gw_http_result *r)
{
	char path[400] = "/api/v1/tasks/", rid[37];
	char *body;
	int rc;

	memset(r, 0, sizeof(*r));
	make_uuid(w, sam, rid);
	body = gw_proto_cancel_request(rid, task_id);
	if (!body || gw_http_escape(path, sizeof(path), task_id) < 0 ||
	    strlen(path) + 8 > sizeof(path)) {
		free(body);
		if (op >= 0) {
			gw_attempt(w, op);
			protocol_fail(w, op, GW_E_PROTOCOL, "/api/v1/tasks/",
				      "cannot build the cancel request");
		}
		return -1;
	}
	strcat(path, ":cancel");
	rc = gw_http_request(&w->http, "POST", path, body, strlen(body), r);
	free(body);
	if (rc == 0 && r->status != 202) {
		r->err = GW_E_HTTP;
		snprintf(r->msg, sizeof(r->msg),
			 "cancel answered HTTP %ld, expected 202", r->status);
	}
	if (op >= 0)
		account(w, sam, op, path, r);
	return rc < 0 || r->err ? -1 : 0;
}

int gw_sam_upload(struct gw_worker *w, const struct gw_sam *sam, int op,
		  const char *session_id, const char *filename,
		  const unsigned char *data, size_t len, char *sid_out,
		  size_t n, struct gw_http_result *r)
{
	static const char path[] = "/api/v1/artifacts/upload";
	enum gw_errclass cls;
	const char *why;
	int rc;

	rc = gw_http_upload(&w->http, path, session_id, filename, data, len, r);
	if (rc == 0 && r->status != 201) {
		r->err = GW_E_HTTP;
		snprintf(r->msg, sizeof(r->msg),
			 "upload answered HTTP %ld, "
			 "expected 201",
			 r->status);
	}
	account(w, sam, op, path, r);
	if (rc < 0 || r->err)
		return -1;
	cls = gw_proto_upload_response(w->http.body, w->http.body_len, sid_out,
				       n, &why);
	if (cls != GW_E_NONE) {
		protocol_fail(w, op, cls, path, why);
		return -1;
	}
	return 0;
}

int gw_sam_download(struct gw_worker *w, const struct gw_sam *sam, int op,
		    const char *sid, const char *filename, uint64_t *hash,
		    struct gw_http_result *r)
{
	char path[600] = "/api/v1/artifacts/";
	int rc;

	if (gw_http_escape(path, sizeof(path), sid) < 0 ||
	    gw_strlcpy(path + strlen(path), "/", 2) != 1 ||
	    gw_http_escape(path, sizeof(path), filename) < 0) {
		gw_attempt(w, op);
		protocol_fail(w, op, GW_E_PROTOCOL, "/api/v1/artifacts/",
			      "artifact path too long");
		return -1;
	}
	rc = gw_http_download(&w->http, path, hash, r);
	account(w, sam, op, path, r);
	return rc;
}
