/*
 * gw_sc_sse: the scenarios of the seed's test_sse_concurrent.py
 * (scenarios.md 5.1-5.3), over real HTTP and real SSE streams.
 */
#include "gw_sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- test_concurrent_sse_connections[N] (5.1) ---------------------------- */

struct csse {
	struct gw_scen *s;
	long n;
	struct gw_task *task;
	unsigned char *submitted;
	struct gw_sam_stream *col;
	int op_submit, op_event_received, op_collection;
	int c_submitted, c_events, c_terminal;
};

/* Step 2: N submits, one after another (as the seed). */
static void csse_submit_all(struct gw_worker *w, void *arg)
{
	struct csse *x = arg;
	char text[64];

	for (long i = 0; i < x->n && !gw_stopping(); i++) {
		snprintf(text, sizeof(text), "Stress test message %ld", i);
		if (gw_sam_submit(w, &x->s->sam, x->op_submit, text, NULL,
				  &x->task[i]) == 0) {
			x->submitted[i] = 1;
			gw_count(w, x->c_submitted, 1);
		}
	}
}

/* Step 3: one of N concurrent collectors. */
static void csse_collect_one(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;
	struct csse *x = j->x;
	struct gw_sam_stream *c = &x->col[j->i];

	if (!x->submitted[j->i] || gw_stopping())
		return;
	c->task = &x->task[j->i];
	c->window_ms = 15000;
	gw_sam_collect(w, &x->s->sam, c);
	gw_sc_seed_event_samples(w, x->op_event_received, c);
	gw_count(w, x->c_events, c->events);
	gw_count(w, x->c_terminal, c->terminal);
}

static void csse_run(struct gw_scen *s, long n)
{
	struct csse x = { .s = s, .n = n };
	long ok = 0, failed = 0, ended = 0;

	x.op_submit = gw_metrics_op(s->m, "task_submit");
	x.op_event_received = gw_metrics_op(s->m, "event_received");
	x.c_submitted = gw_metrics_counter(s->m, "tasks_submitted");
	x.c_events = gw_metrics_counter(s->m, "events_received");
	x.c_terminal = gw_metrics_counter(s->m, "terminal_events");
	x.task = gw_xcalloc((size_t)n, sizeof(*x.task));
	x.submitted = gw_xcalloc((size_t)n, 1);
	x.col = gw_xcalloc((size_t)n, sizeof(*x.col));

	gw_engine_submit(s->run->eng, csse_submit_all, &x);
	gw_scen_wait(s);
	gw_scen_fanout(s, 0, n, csse_collect_one, &x);
	gw_scen_stop(s);

	for (long i = 0; i < n; i++) {
		ok += x.col[i].events > 0;
		ended += x.col[i].terminal;
		failed += x.submitted[i] && !x.col[i].connected;
	}
	gw_metrics_gauge(s->m, "successful_connections", (double)ok, 1);
	gw_metrics_gauge(s->m, "failed_connections", (double)failed, 1);
	gw_sc_check_success(s, "success rate (streams with >= 1 event)", ok, n);
	/* stronger than the seed: a stream cut after its first event is a
	 * failure too (README, Deviations) */
	gw_sc_check_success(s, "streams that reached their terminal event",
			    ended, n);
	gw_check_p99(&s->checks, s->m, x.op_submit,
		     s->run->cfg->thresholds.max_p99_latency_ms);

	free(x.col);
	free(x.submitted);
	free(x.task);
}

/* ---- test_sse_connection_churn (5.2) ------------------------------------- */

/*
 * Each cycle submits, subscribes and closes its stream right after the
 * first event, as the seed's docstring intends (its code reads to the
 * end).  On SAM this takes the early-disconnect path that leaves
 * _tasks_with_prior_connection entries behind; the gateway must stay
 * healthy, which a final GET /health checks.
 */
struct churn {
	struct gw_scen *s;
	int op_connect, op_health;
	int c_events, c_completed;
};

static void churn_cycle(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;
	struct churn *x = j->x;
	struct gw_task t;
	struct gw_sam_stream c = { 0 };
	char text[64];

	if (gw_stopping())
		return;
	snprintf(text, sizeof(text), "Churn message %ld", j->i);
	if (gw_sam_submit(w, &x->s->sam, x->op_connect, text, NULL, &t) < 0)
		return;
	c.task = &t;
	c.window_ms = 10000;
	c.stop_after_first = 1;
	gw_sam_collect(w, &x->s->sam, &c);
	if (c.events)
		gw_count(w, x->c_events, 1);
	if (c.ok)
		gw_count(w, x->c_completed, 1);
}

static void churn_health(struct gw_worker *w, void *arg)
{
	struct churn *x = arg;

	gw_sc_health(w, x->s, x->op_health);
}

static void churn_run(struct gw_scen *s, long p)
{
	long batch = s->run->cfg->profile.concurrent_sse_connections;
	long cycles = 2 * batch;
	struct churn x = { .s = s };
	uint64_t completed;

	(void)p;
	x.op_connect = gw_metrics_op(s->m, "churn_connect");
	x.op_health = gw_sam_http_op(&s->sam, "health_check");
	x.c_events = gw_metrics_counter(s->m, "churn_events_received");
	x.c_completed = gw_metrics_counter(s->m, "churn_cycles_completed");
	for (long b = 0; b < cycles && !gw_stopping(); b += batch) {
		gw_scen_fanout(s, b, b + batch < cycles ? b + batch : cycles,
			       churn_cycle, &x);
		gw_scen_wait(s);
		gw_sleep_ns(50 * GW_NS_PER_MS);
	}
	gw_engine_submit(s->run->eng, churn_health, &x);
	gw_scen_stop(s);

	completed = gw_metrics_counter_value(s->m, "churn_cycles_completed");
	gw_metrics_gauge(s->m, "churn_cycles", (double)cycles, 1);
	gw_check_ge(&s->checks, "churn_cycles_completed", (double)completed,
		    0.9 * (double)cycles, "");
	gw_check_merge(&s->checks, GW_MERGE_SUM, NULL, 0);
	gw_check_lt(&s->checks, "total_errors",
		    (double)gw_metrics_total_errors(s->m), 0.1 * (double)cycles,
		    "");
	gw_check_merge(&s->checks, GW_MERGE_SUM, NULL, 0);
	gw_check_eq(&s->checks, "gateway healthy after churn (GET /health)",
		    (double)(gw_metrics_count(s->m, x.op_health) &&
			     !s->m->op[x.op_health].errors),
		    1, "");
}

/* ---- test_concurrent_task_submission_burst (5.3) ------------------------- */

struct burst {
	struct gw_scen *s;
	long n;
	struct gw_task *task;
	unsigned char *ok;
	_Atomic int gate;
	int op_submit;
};

static void burst_one(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;
	struct burst *x = j->x;
	char text[64];

	/* all submits leave together: wait for every job to be running */
	gw_sc_gate(&x->gate, (int)x->n, 5 * GW_NS_PER_S);
	snprintf(text, sizeof(text), "Burst message %ld", j->i);
	if (!gw_stopping() && gw_sam_submit(w, &x->s->sam, x->op_submit, text,
					    NULL, &x->task[j->i]) == 0)
		x->ok[j->i] = 1;
}

static int cmp_task(const void *a, const void *b)
{
	return strcmp(((const struct gw_task *)a)->id,
		      ((const struct gw_task *)b)->id);
}

static void burst_run(struct gw_scen *s, long p)
{
	struct burst x = { .s = s };
	struct gw_task *ids;
	long ok = 0, dup = 0;

	(void)p;
	x.n = s->run->cfg->profile.concurrent_sse_connections;
	x.op_submit = gw_metrics_op(s->m, "burst_submit");
	x.task = gw_xcalloc((size_t)x.n, sizeof(*x.task));
	x.ok = gw_xcalloc((size_t)x.n, 1);
	gw_scen_fanout(s, 0, x.n, burst_one, &x);
	gw_scen_stop(s);

	ids = gw_xcalloc((size_t)x.n, sizeof(*ids));
	for (long i = 0; i < x.n; i++)
		if (x.ok[i])
			ids[ok++] = x.task[i];
	qsort(ids, (size_t)ok, sizeof(*ids), cmp_task);
	for (long i = 1; i < ok; i++)
		dup += !strcmp(ids[i].id, ids[i - 1].id);
	gw_metrics_gauge(s->m, "burst_size", (double)x.n, 1);
	gw_metrics_gauge(s->m, "burst_successful", (double)ok, 1);
	gw_check_eq(&s->checks, "duplicate task ids", (double)dup, 0, "");
	gw_check_merge(&s->checks, GW_MERGE_SUM, NULL, 0);
	gw_sc_check_success(s, "submit success rate", ok, x.n);
	gw_check_p99(&s->checks, s->m, x.op_submit,
		     2 * s->run->cfg->thresholds.max_p99_latency_ms);
	free(ids);
	free(x.ok);
	free(x.task);
}

/* ---- catalogue entries --------------------------------------------------- */

#define CSSE(n)                                                               \
	{                                                                     \
		.name = "test_concurrent_sse_connections[" #n "]",            \
		.markers = "stress", .param = n, .workers = GW_NEED_PARAM,    \
		.run = csse_run,                                              \
		.what = #n " sequential submits, then " #n " concurrent SSE " \
			   "streams read to their terminal event"             \
	}

const struct gw_scen_def gw_sc_sse_list[] = {
	CSSE(5),
	CSSE(10),
	CSSE(25),
	{ .name = "test_sse_connection_churn",
	  .markers = "stress",
	  .workers = GW_NEED_SSE,
	  .run = churn_run,
	  .what = "2 batches of concurrent submit + subscribe cycles that "
		  "close the stream after its first event; the gateway "
		  "must stay healthy" },
	{ .name = "test_concurrent_task_submission_burst",
	  .markers = "stress",
	  .workers = GW_NEED_SSE,
	  .run = burst_run,
	  .what = "concurrent_sse_connections submits released at once "
		  "through a start gate; distinct task ids, success and p99" },
	{ 0 }
};
