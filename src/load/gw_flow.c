/*
 * gw_flow: one flow of a workload, step by step, on the worker that
 * started it (see gw_load.h).
 *
 * Each step records its operation twice: from its own send (service
 * time, what the gateway took: the SAM calls record it, for any answer)
 * and as <op>.intended from the flow's intended start (response time,
 * what a user waiting since then saw; completed steps only).
 * A submit's task is what later collect, cancel and task_status steps
 * refer to; its send time starts ttfe (submit sent -> first event of the
 * task) and task_duration (-> its terminal event).
 *
 * A failed step ends the flow: what follows depends on it (a collect
 * without a task, a download without an upload).  A step cut by the end
 * of the run (a halt) makes the flow "cut", not failed.  A task either
 * leaves running is cancelled (gw_flow_cancel_orphan).
 */
#include "gw_load_int.h"
#include "gw_config.h"
#include "gw_util.h"

#include <stdio.h>
#include <string.h>

int gw_flow_pick(const struct gw_load *L, uint64_t r)
{
	double u = (double)(r >> 11) * (1.0 / 9007199254740992.0);
	double x = u * L->total_weight, acc = 0;

	for (int i = 0; i < L->wl->nflows; i++) {
		acc += L->wl->flow[i].weight;
		if (x < acc)
			return i;
	}
	return L->wl->nflows - 1;
}

/* A step that cannot run: what it needs was not there. */
static int missing(struct gw_worker *w, int op, const char *what)
{
	gw_attempt(w, op);
	gw_worker_fail(w, op, GW_E_PROTOCOL, what, NULL);
	return -1;
}

static int do_submit(struct gw_worker *w, struct gw_load *L,
		     const struct gw_step *st, int op, struct gw_flow_ctx *c)
{
	struct gw_task t;
	const char *session = st->same_session && c->session[0] ? c->session
								: NULL;

	c->t_submit = gw_now_ns();
	if (gw_sam_submit(w, &L->sam, op, st->text, session, &t) < 0)
		return -1;
	c->task = t;
	c->have_task = 1;
	c->task_done = 0;
	gw_strlcpy(c->session, t.context_id, sizeof(c->session));
	return 0;
}

static int do_collect(struct gw_worker *w, struct gw_load *L,
		      const struct gw_step *st, struct gw_flow_ctx *c,
		      int64_t intended)
{
	struct gw_sam_stream s = { 0 };
	int rc;

	if (!c->have_task)
		return missing(w, L->sam.std.op_sse_connect,
			       "collect before any submit");
	s.task = &c->task;
	s.window_ms = st->window_ms;
	s.stop_after_first = st->until == GW_UNTIL_FIRST;
	s.stop_after_n = st->until == GW_UNTIL_N ? st->events : 0;
	s.pings = 1;
	gw_count(w, L->c_streams, 1);
	rc = gw_sam_collect(w, &L->sam, &s);
	gw_count(w, L->c_streams, (uint64_t)-1);
	if (s.t_first) {
		gw_rec_at(w, L->op_ttfe, s.t_first - c->t_submit, s.t_first);
		gw_rec_at(w, L->op_ttfe_int, s.t_first - intended, s.t_first);
	}
	if (s.terminal)
		gw_rec_at(w, L->op_task, s.t_end - c->t_submit, s.t_end);
	return rc;
}

static int do_rest(struct gw_worker *w, struct gw_load *L,
		   const struct gw_step *st, int op, struct gw_flow_ctx *c)
{
	struct gw_http_result r;
	char path[400];

	switch (st->rest) {
	case GW_REST_CONFIG:
		gw_strlcpy(path, "/api/v1/config", sizeof(path));
		break;
	case GW_REST_AGENT_CARDS:
		gw_strlcpy(path, "/api/v1/agentCards", sizeof(path));
		break;
	case GW_REST_SESSIONS:
		gw_strlcpy(path, "/api/v1/sessions?pageNumber=1&pageSize=20",
			   sizeof(path));
		break;
	case GW_REST_SESSION:
		if (!c->session[0])
			return missing(w, op, "rest session before any submit");
		gw_strlcpy(path, "/api/v1/sessions/", sizeof(path));
		if (gw_http_escape(path, sizeof(path), c->session) < 0)
			return missing(w, op, "session id too long");
		break;
	case GW_REST_TASK_STATUS:
		if (!c->have_task)
			return missing(w, op, "task_status before any submit");
		gw_strlcpy(path, "/api/v1/tasks/", sizeof(path));
		if (gw_http_escape(path, sizeof(path), c->task.id) < 0 ||
		    gw_strlcpy(path + strlen(path), "/status",
			       sizeof(path) - strlen(path)) >=
			    sizeof(path) - strlen(path))
			return missing(w, op, "task id too long");
		break;
	}
	return gw_sam_rest(w, &L->sam, op, "GET", path, NULL, &r);
}

static int do_cancel(struct gw_worker *w, struct gw_load *L, int op,
		     struct gw_flow_ctx *c)
{
	struct gw_http_result r;

	if (!c->have_task)
		return missing(w, op, "cancel before any submit");
	if (gw_sam_cancel(w, &L->sam, op, c->task.id, &r) < 0)
		return -1;
	c->task_done = 1;
	return 0;
}

static int do_upload(struct gw_worker *w, struct gw_load *L,
		     const struct gw_step *st, int op, struct gw_flow_ctx *c)
{
	struct gw_http_result r;
	char sid[160];

	snprintf(c->up_name, sizeof(c->up_name), "load-%d-%llu.bin", w->id,
		 (unsigned long long)c->iter);
	if (gw_sam_upload(w, &L->sam, op, c->session[0] ? c->session : NULL,
			  c->up_name, L->data, st->bytes, sid, sizeof(sid),
			  &r) < 0)
		return -1;
	gw_strlcpy(c->up_sid, sid, sizeof(c->up_sid));
	if (!c->session[0])
		gw_strlcpy(c->session, sid, sizeof(c->session));
	c->up_hash = gw_fnv1a(GW_FNV_INIT, L->data, st->bytes);
	c->up_len = st->bytes;
	c->have_upload = 1;
	return 0;
}

static int do_download(struct gw_worker *w, struct gw_load *L, int op,
		       struct gw_flow_ctx *c)
{
	struct gw_http_result r;
	uint64_t h;

	if (!c->have_upload)
		return missing(w, op, "download before any upload");
	if (gw_sam_download(w, &L->sam, op, c->up_sid, c->up_name, &h, &r) < 0)
		return -1;
	if (h != c->up_hash || r.bytes != c->up_len) {
		gw_worker_fail(w, op, GW_E_PROTOCOL,
			       "downloaded artifact differs from the upload",
			       "{\"bytes\":%llu}", (unsigned long long)r.bytes);
		return -1;
	}
	return 0;
}

static int do_think(struct gw_worker *w, const struct gw_step *st)
{
	int64_t span = st->think_max_ns - st->think_min_ns;
	int64_t d = st->think_min_ns;

	if (span > 0)
		d += (int64_t)(gw_worker_rand(w) % (uint64_t)(span + 1));
	return gw_sleep_ns(d);
}

static int step(struct gw_worker *w, struct gw_load *L, int f, int k,
		struct gw_flow_ctx *c, int64_t intended)
{
	const struct gw_step *st = &L->wl->flow[f].step[k];
	int op = L->op_step[f][k];

	switch (st->kind) {
	case GW_STEP_SUBMIT:
		return do_submit(w, L, st, op, c);
	case GW_STEP_COLLECT:
		return do_collect(w, L, st, c, intended);
	case GW_STEP_REST:
		return do_rest(w, L, st, op, c);
	case GW_STEP_UPLOAD:
		return do_upload(w, L, st, op, c);
	case GW_STEP_DOWNLOAD:
		return do_download(w, L, op, c);
	case GW_STEP_CANCEL:
		return do_cancel(w, L, op, c);
	case GW_STEP_THINK:
		return do_think(w, st);
	}
	return -1;
}

/*
 * A flow that fails or is cut leaves its task running on the gateway when
 * it was submitted and its stream had not ended (a refused subscription,
 * a timeout, the end of the run): SAM keeps an agent task going without a
 * subscriber, so a held stream's long task would load the gateway for
 * minutes, under the rest of the run and under the next run or probe, as
 * load nobody asked for.  [load] cancel_orphans (default on) cancels it:
 * a failed flow's at once, on its worker, a cut flow's after the run.
 * Outside the measurements (no sample, no error record); the report's
 * load object counts them.
 */
void gw_flow_cancel_orphan(struct gw_worker *w, struct gw_load *L,
			   const char *task_id)
{
	struct gw_http_result r;

	atomic_fetch_add(&L->orph_left, 1);
	if (gw_sam_cancel(w, &L->sam, -1, task_id, &r) == 0)
		atomic_fetch_add(&L->orph_cancelled, 1);
	else if (r.status == 404)
		atomic_fetch_add(&L->orph_gone, 1); /* it ended meanwhile */
	else
		atomic_fetch_add(&L->orph_failed, 1);
}

int gw_flow_run(struct gw_worker *w, struct gw_load *L, int f,
		struct gw_flow_ctx *ctx, int64_t intended, int open)
{
	const struct gw_flow *fl = &L->wl->flow[f];
	int64_t start = gw_now_ns(), end;
	int rc = 0;

	if (open) {
		gw_rec_at(w, L->op_lag, start - intended, start);
		if (start - intended > L->wl->late_ns)
			gw_count(w, L->c_late, 1);
	}
	gw_count(w, L->c_started, 1);
	gw_count(w, L->c_in_flight, 1);
	for (int k = 0; k < fl->nsteps && rc == 0; k++) {
		int64_t t = gw_now_ns();

		rc = step(w, L, f, k, ctx, intended);
		if (fl->step[k].kind == GW_STEP_THINK || rc < 0)
			continue;
		if (fl->step[k].kind == GW_STEP_COLLECT)
			ctx->task_done = 1; /* its stream has ended */
		end = gw_now_ns();
		/* the SAM calls record their own service time; a stream's is
		 * its whole read */
		if (fl->step[k].kind == GW_STEP_COLLECT)
			gw_rec_at(w, L->op_step[f][k], end - t, end);
		gw_rec_at(w, L->op_step_int[f][k], end - intended, end);
	}
	end = gw_now_ns();
	gw_count(w, L->c_in_flight, (uint64_t)-1);
	if (rc == 0) {
		gw_count(w, L->c_completed, 1);
		gw_rec_at(w, L->op_flow[f], end - start, end);
		gw_rec_at(w, L->op_flow_int[f], end - intended, end);
	} else {
		/* submitted, its stream not ended: left running on the
		 * gateway unless cancelled (cancel_orphans) */
		int orphan = ctx->have_task && !ctx->task_done &&
			     L->wl->cancel_orphans;

		if (gw_halting()) {
			gw_count(w, L->c_cut, 1);
			/* cancelled after the run: a request now would be
			 * aborted */
			if (orphan && !L->cut[w->id].id[0])
				gw_strlcpy(L->cut[w->id].id, ctx->task.id,
					   sizeof(L->cut[w->id].id));
		} else {
			gw_count(w, L->c_failed, 1);
			if (orphan)
				gw_flow_cancel_orphan(w, L, ctx->task.id);
		}
	}
	if (rc)
		ctx->task_done = 1; /* its task is no longer this flow's */
	ctx->iter++;
	return rc;
}
