/*
 * gw_scen: scenario primitives (SUBMIT, COLLECT, REST, upload, download),
 * checks and the live progress line.  See gw_scen.h.
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
#include "gw_scen.h"
#include "gw_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gw_procmem.h"

int gw_scen_http_op(struct gw_scen *s, const char *name)
{
	char buf[GW_NAME_LEN + 8];
	int op = gw_metrics_op(s->m, name);

	snprintf(buf, sizeof(buf), "%s_total", name);
	s->op_total_ctr[op] = gw_metrics_counter(s->m, buf);
	snprintf(buf, sizeof(buf), "%s_errors", name);
	s->op_err_ctr[op] = gw_metrics_counter(s->m, buf);
	return op;
}

enum gw_outcome gw_scen_outcome(const struct gw_scen *s)
{
	return gw_check_outcome(gw_check_passed(&s->checks),
				s->skip_reason[0] != '\0', s->m->interrupted);
}

void gw_scen_memory_sample(struct gw_scen *s)
{
	long kb;

	if (!s->run->mem_pid)
		return;
	kb = gw_procmem_rss_kb(s->run->mem_pid);
	if (kb < 0)
		return;
	s->m->mem_source = 1;
	gw_metrics_memory(s->m, (double)kb / 1024.0);
}

/* ---- progress ------------------------------------------------------------ */

static void tick(void *ud)
{
	struct gw_scen *s = ud;
	struct gw_engine *e = s->run->eng;
	uint64_t events = 0, errors = 0, samples = 0, dropped = 0;
	int64_t now = gw_now_ns();

	if (s->mem_every_ns && now - s->mem_last_ns >= s->mem_every_ns) {
		s->mem_last_ns = now;
		gw_scen_memory_sample(s);
	}
	if (s->on_tick)
		s->on_tick(s);
	if (!s->progress)
		return;
	for (int i = 0; i < e->started_workers; i++) {
		struct gw_worker *w = &e->w[i];

		events += atomic_load_explicit(&w->ctr[s->std.c_sse_events],
					       memory_order_relaxed);
		for (int k = 0; k < s->m->nops; k++) {
			errors += atomic_load_explicit(&w->errors[k],
						       memory_order_relaxed);
			samples += atomic_load_explicit(&w->produced[k],
							memory_order_relaxed);
			dropped += atomic_load_explicit(&w->dropped[k],
							memory_order_relaxed);
		}
	}
	fprintf(stderr, "\r\033[K  %-40.40s %6.1fs  samples %llu  events %llu"
			"  errors %llu  dropped %llu",
		s->m->test_name, gw_metrics_duration(s->m),
		(unsigned long long)samples, (unsigned long long)events,
		(unsigned long long)errors, (unsigned long long)dropped);
	s->progress_shown = 1;
}

void gw_scen_wait(struct gw_scen *s)
{
	gw_engine_wait(s->run->eng, 1000, tick, s);
	if (s->progress_shown) {
		fputs("\r\033[K", stderr);
		s->progress_shown = 0;
	}
}

/* ---- primitives ---------------------------------------------------------- */

static void make_uuid(struct gw_worker *w, char out[37])
{
	uint64_t a = gw_worker_rand(w), b = gw_worker_rand(w);

	/* RFC 4122 version 4, variant 10 */
	a = (a & ~0xF000ULL) | 0x4000ULL;
	b = (b & ~(3ULL << 62)) | (2ULL << 62);
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx",
		 (unsigned)(a >> 32), (unsigned)((a >> 16) & 0xFFFF),
		 (unsigned)(a & 0xFFFF), (unsigned)(b >> 48),
		 (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

/* Record the outcome of a request on op: latency for any response,
 * <op>_total/_errors counters where registered, errors for failures. */
static void account(struct gw_worker *w, struct gw_scen *s, int op,
		    const char *path, const struct gw_http_result *r)
{
	gw_attempt(w, op);
	if (r->status > 0) {
		gw_rec(w, op, r->t_end - r->t_start);
		if (s->op_total_ctr[op] >= 0)
			gw_count(w, s->op_total_ctr[op], 1);
	}
	if (r->err == GW_E_NONE)
		return;
	if (r->err == GW_E_HTTP && s->op_err_ctr[op] >= 0)
		gw_count(w, s->op_err_ctr[op], 1);
	gw_fail(w, op, r->err, r->msg, "{\"path\":\"%s\"}", path);
}

static void protocol_fail(struct gw_worker *w, int op, enum gw_errclass cls,
			  const char *path, const char *msg)
{
	gw_fail(w, op, cls, msg, "{\"path\":\"%s\"}", path);
}

static int is_json_ctype(const char *ct)
{
	return !strncasecmp(ct, "application/json", 16);
}

int gw_submit(struct gw_worker *w, struct gw_scen *s, int op,
	      const char *text, const char *context_id, struct gw_task *out)
{
	static const char path[] = "/api/v1/message:stream";
	struct gw_http_result r;
	enum gw_errclass cls;
	const char *why;
	char rid[37], mid[37];
	char *body;
	int rc;

	make_uuid(w, rid);
	make_uuid(w, mid);
	body = gw_proto_submit_request(rid, mid, text, context_id,
				       s->run->cfg->target.agent_name);
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
	account(w, s, op, path, &r);
	return rc < 0 || r.err ? -1 : 0;
}

struct collect_ctx {
	struct gw_worker *w;
	struct gw_scen *s;
	struct gw_collect *c;
	int64_t last;
};

static void count_type(struct gw_worker *w, const struct gw_std_ids *id,
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
	snprintf(msg, sizeof(msg), "frame of task %.40s (context %.40s) on the "
		 "stream of task %.40s", pe->task_id[0] ? pe->task_id : "?",
		 pe->context_id[0] ? pe->context_id : "?", t->id);
	if (!x->c->foreign_example[0])
		gw_strlcpy(x->c->foreign_example, msg,
			   sizeof(x->c->foreign_example));
	gw_count(x->w, x->s->std.c_sse_foreign, 1);
	gw_fail(x->w, x->s->std.op_sse_subscribe, GW_E_PROTOCOL, msg,
		"{\"task_id\":\"%s\",\"context_id\":\"%s\"}", t->id,
		t->context_id);
}

static int collect_hook(void *ud, const struct gw_sse_event *ev, int64_t t)
{
	struct collect_ctx *x = ud;
	struct gw_collect *c = x->c;
	const struct gw_std_ids *id = &x->s->std;
	struct gw_proto_event pe;

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
	if (gw_proto_event(ev->type, ev->data, ev->data_len,
			   c->check_ids ? c->task : NULL, &pe) != GW_E_NONE)
		gw_fail(x->w, id->op_sse_subscribe, GW_E_PARSE,
			"event data is not JSON",
			"{\"task_id\":\"%s\",\"event\":\"%.32s\"}", c->task->id,
			ev->type);
	if (pe.foreign)
		foreign_frame(x, &pe);
	if (pe.terminal) {
		c->terminal = 1;
		gw_count(x->w, id->c_sse_terminal, 1);
		return 1;	/* close it ourselves: late streams never end */
	}
	return c->stop_after_first;
}

int gw_collect(struct gw_worker *w, struct gw_scen *s, struct gw_collect *c)
{
	const struct gw_std_ids *id = &s->std;
	struct collect_ctx x = { w, s, c, 0 };
	struct gw_http_result *r = &c->sse.http;
	char path[400] = "/api/v1/sse/subscribe/";
	int done;

	c->events = c->terminal = c->foreign = 0;
	c->foreign_example[0] = '\0';
	c->t_first = 0;
	c->connected = 0;
	c->ok = 0;
	if (gw_http_escape(path, sizeof(path), c->task->id) < 0) {
		gw_fail(w, id->op_sse_connect, GW_E_PROTOCOL,
			"task id too long", NULL);
		return -1;
	}
	if (c->slow_rcvbuf || c->slow_pause_ns)
		gw_http_set_slow_reader(&w->http, c->slow_rcvbuf,
					c->slow_pause_ns);
	c->t0 = gw_now_ns();
	gw_attempt(w, id->op_sse_connect);
	gw_http_sse(&w->http, path, c->window_ms, collect_hook, &x, &c->sse);
	if (c->slow_rcvbuf || c->slow_pause_ns)
		gw_http_set_slow_reader(&w->http, 0, 0);
	c->t_end = gw_now_ns();
	/* subscribed: a 200 event stream, whatever happened afterwards */
	c->connected = r->status == 200 && r->t_headers &&
		       !strncasecmp(r->ctype, "text/event-stream", 17);
	if (!c->connected) {
		gw_fail(w, id->op_sse_connect, r->err ? r->err : GW_E_HTTP,
			r->msg[0] ? r->msg : "subscription failed",
			"{\"task_id\":\"%s\"}", c->task->id);
		return -1;
	}
	gw_rec(w, id->op_sse_connect, r->t_headers - r->t_start);
	gw_count(w, id->c_sse_established, 1);
	gw_count(w, id->c_sse_closed, 1);
	if (c->sse.oversize)
		gw_fail(w, id->op_sse_subscribe, GW_E_PROTOCOL,
			"event over max_event_bytes discarded",
			"{\"task_id\":\"%s\",\"count\":%llu}", c->task->id,
			(unsigned long long)c->sse.oversize);
	done = c->terminal || (c->stop_after_first && c->events);
	if (done) {
		c->ok = 1;
		return 0;
	}
	gw_count(w, id->c_sse_incomplete, 1);
	if (c->incomplete_ok)
		return -1;	/* expected here (slow reader); not an error */
	if (r->err)
		gw_fail(w, id->op_sse_subscribe, r->err, r->msg,
			"{\"task_id\":\"%s\",\"events\":%u}", c->task->id,
			c->events);
	else
		gw_fail(w, id->op_sse_subscribe, GW_E_DROPPED,
			"stream ended before the terminal event",
			"{\"task_id\":\"%s\",\"events\":%u}", c->task->id,
			c->events);
	return -1;
}

int gw_rest(struct gw_worker *w, struct gw_scen *s, int op,
	    const char *method, const char *path, const char *body,
	    struct gw_http_result *r)
{
	int rc = gw_http_request(&w->http, method, path, body,
				 body ? strlen(body) : 0, r);

	account(w, s, op, path, r);
	return rc;
}

int gw_upload(struct gw_worker *w, struct gw_scen *s, int op,
	      const char *session_id, const char *filename,
	      const unsigned char *data, size_t len, char *sid_out, size_t n,
	      struct gw_http_result *r)
{
	static const char path[] = "/api/v1/artifacts/upload";
	enum gw_errclass cls;
	const char *why;
	int rc;

	rc = gw_http_upload(&w->http, path, session_id, filename, data, len,
			    r);
	if (rc == 0 && r->status != 201) {
		r->err = GW_E_HTTP;
		snprintf(r->msg, sizeof(r->msg), "upload answered HTTP %ld, "
			 "expected 201", r->status);
	}
	account(w, s, op, path, r);
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

int gw_download(struct gw_worker *w, struct gw_scen *s, int op,
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
	account(w, s, op, path, r);
	return rc;
}

unsigned char *gw_artifact_bytes(size_t len, uint64_t seed)
{
	unsigned char *p = gw_xmalloc(len ? len : 1);
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = 0; i < len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 2685821657736338717ULL;
		size_t k = len - i < 8 ? len - i : 8;

		memcpy(p + i, &v, k);
	}
	return p;
}
