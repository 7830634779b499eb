/*
 * gw_sc_isolation: the seed's test_webui_a2a_isolation.py (scenarios.md
 * 5.4-5.6): REST load and A2A streaming at the same time, each on its own
 * worker, so they really overlap on the gateway.
 *
 * Differences from the seed (README, "Deviations"): the agent cards path
 * is the real /api/v1/agentCards (the seed's /agent-cards 404s unseen);
 * a failed request is one error of its operation (the seed also records a
 * second, scenario-named error); the WebUI loops are paced from intended
 * start times.
 */
#include "gw_sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iso {
	struct gw_scen *s;
	int64_t end;	   /* WebUI loop window end (ns) */
	int64_t pause_ns;  /* WebUI loop period */
	int with_sessions; /* 5.4 also lists sessions */
	int op_config, op_cards, op_sessions;
	_Atomic long requests; /* WebUI requests that got a reply */
	/* A2A side */
	long ntasks;
	struct gw_sam_stream *col;
	struct gw_task *task;
	int op_submit, op_first, op_total;
	int c_events, c_started, c_completed;
};

/* The WebUI loop: one request in flight at a time until the window ends,
 * one round (config, agent cards[, sessions]) per period. */
static void webui_loop(struct gw_worker *w, void *arg)
{
	struct iso *x = arg;
	struct gw_http_result r;
	struct gw_sc_pacer p;
	int64_t due;

	gw_sc_pace_init(&p, x->pause_ns, x->end);
	while (gw_sc_pace_next(&p, &due) == 0) {
		long got = 0;

		got += gw_sam_rest(w, &x->s->sam, x->op_config, "GET",
				   "/api/v1/config", NULL, &r) == 0 ||
		       r.status;
		got += gw_sam_rest(w, &x->s->sam, x->op_cards, "GET",
				   "/api/v1/agentCards", NULL, &r) == 0 ||
		       r.status;
		if (x->with_sessions)
			got += gw_sam_rest(w, &x->s->sam, x->op_sessions, "GET",
					   "/api/v1/sessions", NULL, &r) == 0 ||
			       r.status;
		atomic_fetch_add(&x->requests, got);
	}
}

/* ---- test_webui_load_doesnt_affect_a2a_streaming (5.4) ------------------- */

static void a2a_one(struct gw_worker *w, void *arg)
{
	struct iso *x = arg;
	struct gw_sam_stream *c = &x->col[0];

	c->task = &x->task[0];
	c->window_ms = 15000;
	gw_sam_collect(w, &x->s->sam, c);
	if (c->t_first)
		gw_rec(w, x->op_first, c->t_first - c->t0);
	gw_rec(w, x->op_total, c->t_end - c->t0);
	gw_count(w, x->c_events, c->events);
}

static void submit_first(struct gw_worker *w, void *arg)
{
	struct iso *x = arg;

	if (gw_sam_submit(w, &x->s->sam, x->op_submit,
			  "Test message during WebUI load", NULL,
			  &x->task[0]) == 0)
		gw_count(w, x->c_started, 1);
}

static void iso_setup(struct gw_scen *s, struct iso *x, long ntasks)
{
	x->s = s;
	x->op_config = gw_sam_http_op(&s->sam, "config_fetch");
	x->op_cards = gw_sam_http_op(&s->sam, "agent_cards_fetch");
	x->ntasks = ntasks;
	x->col = gw_xcalloc((size_t)ntasks, sizeof(*x->col));
	x->task = gw_xcalloc((size_t)ntasks, sizeof(*x->task));
}

static void iso_free(struct iso *x)
{
	free(x->col);
	free(x->task);
}

static void check_rest_errors(struct gw_scen *s, int op, double limit)
{
	char name[96];

	snprintf(name, sizeof(name), "error_rate(%s)", s->m->op[op].name);
	gw_check_lt(&s->checks, name, gw_metrics_error_rate(s->m, op), limit,
		    "%");
	gw_check_merge(&s->checks, GW_MERGE_ERROR_RATE, s->m->op[op].name, 0);
}

static void webui_load_run(struct gw_scen *s, long p)
{
	struct iso x = { 0 };

	(void)p;
	iso_setup(s, &x, 1);
	x.op_sessions = gw_sam_http_op(&s->sam, "sessions_list");
	x.with_sessions = 1;
	x.pause_ns = 50 * GW_NS_PER_MS;
	x.op_submit = gw_metrics_op(s->m, "a2a_submit");
	x.op_first = gw_metrics_op(s->m, "a2a_first_event_latency");
	x.op_total = gw_metrics_op(s->m, "a2a_total_completion_time");
	x.c_events = gw_metrics_counter(s->m, "a2a_events_received");
	x.c_started = gw_metrics_counter(s->m, "a2a_tasks_submitted");

	gw_engine_submit(s->run->eng, submit_first, &x);
	gw_scen_wait(s);
	x.end = gw_now_ns() + 5 * GW_NS_PER_S;
	gw_engine_submit(s->run->eng, webui_loop, &x);
	if (x.task[0].id[0])
		gw_engine_submit(s->run->eng, a2a_one, &x);
	gw_scen_stop(s);

	gw_metrics_gauge(s->m, "webui_requests_during_a2a",
			 (double)atomic_load(&x.requests), 1);
	gw_metrics_gauge(s->m, "a2a_events_during_webui",
			 (double)x.col[0].events, 1);
	gw_check_ge(&s->checks, "A2A events received", (double)x.col[0].events,
		    1, "");
	gw_check_p99(&s->checks, s->m, x.op_first, 2000.0);
	gw_check_p99(&s->checks, s->m, x.op_total, 5000.0);
	check_rest_errors(s, x.op_config, 5.0);
	check_rest_errors(s, x.op_cards, 5.0);
	check_rest_errors(s, x.op_sessions, 5.0);
	iso_free(&x);
}

/* ---- test_a2a_streaming_doesnt_affect_webui_response_time (5.5) ---------- */

static void a2a_load_one(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;
	struct iso *x = j->x;
	struct gw_sam_stream *c = &x->col[j->i];
	char text[64];

	snprintf(text, sizeof(text), "A2A load message %ld", j->i);
	if (gw_sam_submit(w, &x->s->sam, x->op_submit, text, NULL,
			  &x->task[j->i]) < 0)
		return;
	gw_count(w, x->c_started, 1);
	c->task = &x->task[j->i];
	c->window_ms = 15000;
	gw_sam_collect(w, &x->s->sam, c);
	gw_count(w, x->c_events, c->events);
	gw_count(w, x->c_completed, c->terminal);
}

static void a2a_load_run(struct gw_scen *s, long p)
{
	struct iso x = { 0 };

	(void)p;
	iso_setup(s, &x, 5);
	x.pause_ns = 100 * GW_NS_PER_MS;
	x.op_submit = gw_metrics_op(s->m, "a2a_submit");
	x.c_started = gw_metrics_counter(s->m, "a2a_tasks_started");
	x.c_events = gw_metrics_counter(s->m, "a2a_load_events");
	x.c_completed = gw_metrics_counter(s->m, "a2a_tasks_completed");
	x.end = gw_now_ns() + 5 * GW_NS_PER_S;
	gw_scen_fanout(s, 0, 5, a2a_load_one, &x);
	gw_engine_submit(s->run->eng, webui_loop, &x);
	gw_scen_stop(s);

	gw_metrics_gauge(s->m, "webui_requests_during_a2a",
			 (double)atomic_load(&x.requests), 1);
	gw_check_p99(&s->checks, s->m, x.op_config, 500.0);
	gw_check_p99(&s->checks, s->m, x.op_cards, 500.0);
	check_rest_errors(s, x.op_config, 1.0);
	check_rest_errors(s, x.op_cards, 1.0);
	iso_free(&x);
}

/* ---- test_mixed_workload_stability (5.6) --------------------------------- */

/*
 * The A2A generator submits once a second from intended start times and
 * hands each task to a fire-and-forget collector job; the WebUI generator
 * fetches /api/v1/config every 0.1 s.  The seed's check divides all errors
 * by the number of operations (in the seed only config_fetch records
 * latency); here every error of the scenario is divided by every request
 * made (config fetches, submits and subscriptions), each counted once.
 */
struct mixed {
	struct gw_sc_paced a2a;
	int64_t end;
	int op_config;
};

static void mixed_webui(struct gw_worker *w, void *arg)
{
	struct mixed *x = arg;
	struct gw_http_result r;
	struct gw_sc_pacer p;
	int64_t due;

	gw_sc_pace_init(&p, 100 * GW_NS_PER_MS, x->end);
	while (gw_sc_pace_next(&p, &due) == 0)
		gw_sam_rest(w, &x->a2a.s->sam, x->op_config, "GET",
			    "/api/v1/config", NULL, &r);
}

static double mixed_duration(const struct gw_config *cfg)
{
	double d = cfg->profile.test_duration_seconds;

	return d < 30.0 ? d : 30.0;
}

static int mixed_need(const struct gw_config *cfg, long p)
{
	(void)p;
	/* two generators + collectors alive at once (10 s windows, 1/s) */
	return 2 + (int)(mixed_duration(cfg) < 10 ? mixed_duration(cfg) : 10) +
	       1;
}

static void mixed_run(struct gw_scen *s, long p)
{
	struct mixed x = { .end = 0 };
	uint64_t requests = 0;

	(void)p;
	x.op_config = gw_sam_http_op(&s->sam, "config_fetch");
	gw_sc_paced_setup(s, &x.a2a, "mixed_a2a_submit", "mixed_a2a_submitted",
			  "mixed_a2a_events", "mixed_a2a_completed");
	x.end = gw_now_ns() +
		(int64_t)(mixed_duration(s->run->cfg) * (double)GW_NS_PER_S);
	x.a2a.period = GW_NS_PER_S;
	x.a2a.end = x.end;
	x.a2a.text_fmt = "Mixed workload %llu";
	gw_engine_submit(s->run->eng, gw_sc_paced_job, &x.a2a);
	gw_engine_submit(s->run->eng, mixed_webui, &x);
	gw_scen_wait(s);	      /* generators and collectors */
	gw_sleep_ns(2 * GW_NS_PER_S); /* the seed's grace period */
	gw_scen_stop(s);

	for (int i = 0; i < s->m->nops; i++)
		requests += s->m->op[i].attempts;
	gw_metrics_gauge(s->m, "mixed_requests", (double)requests, 1);
	if (requests)
		gw_check_lt(&s->checks,
			    "overall error rate (errors / requests)",
			    100.0 * (double)gw_metrics_total_errors(s->m) /
				    (double)requests,
			    5.0, "%");
	if (requests)
		gw_sc_merge_ratio(s, (long)gw_metrics_total_errors(s->m),
				  (long)requests);
	else
		gw_check_skip(&s->checks,
			      "overall error rate (errors / requests)",
			      "no request was made");
	gw_check_gt(&s->checks, "mixed_a2a_completed",
		    (double)gw_metrics_counter_value(s->m,
						     "mixed_a2a_completed"),
		    0, "");
}

const struct gw_scen_def gw_sc_isolation_list[] = {
	{ .name = "test_webui_load_doesnt_affect_a2a_streaming",
	  .markers = "stress isolation",
	  .workers = 2,
	  .run = webui_load_run,
	  .what = "5 s of config/agentCards/sessions requests while one A2A "
		  "task streams; first-event and completion times" },
	{ .name = "test_a2a_streaming_doesnt_affect_webui_response_time",
	  .markers = "stress isolation",
	  .workers = 6,
	  .run = a2a_load_run,
	  .what = "5 concurrent A2A streams while a WebUI loop measures "
		  "config and agentCards p99 (< 500 ms) and error rates" },
	{ .name = "test_mixed_workload_stability",
	  .markers = "stress isolation",
	  .need = mixed_need,
	  .run = mixed_run,
	  .what = "1 A2A submit/s with fire-and-forget streams plus config "
		  "fetches every 0.1 s for min(test_duration, 30) s; error "
		  "rate < 5%" },
	{ 0 }
};
