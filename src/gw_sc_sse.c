/*
 * gw_sc_sse: the scenarios of the seed's test_sse_concurrent.py
 * (scenarios.md 5.1-5.3), over real HTTP and real SSE streams.
 */
#include "gw_sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- test_concurrent_sse_connections[N] (5.1) --------------------------- */

struct csse {
	struct gw_scen *s;
	long n;
	struct gw_task *task;
	unsigned char *submitted;
	struct gw_collect *col;
	int op_submit, op_event_received, op_collection;
	int c_submitted, c_events, c_terminal;
};

struct csse_job {
	struct csse *x;
	long i;
};

/* Step 2: N submits, one after another (as the seed). */
static void csse_submit_all(struct gw_worker *w, void *arg)
{
	struct csse *x = arg;
	char text[64];

	for (long i = 0; i < x->n && !gw_stopping(); i++) {
		snprintf(text, sizeof(text), "Stress test message %ld", i);
		if (gw_submit(w, x->s, x->op_submit, text, NULL,
			      &x->task[i]) == 0) {
			x->submitted[i] = 1;
			gw_count(w, x->c_submitted, 1);
		}
	}
}

/* Step 3: one of N concurrent collectors. */
static void csse_collect_one(struct gw_worker *w, void *arg)
{
	struct csse_job *j = arg;
	struct csse *x = j->x;
	struct gw_collect *c = &x->col[j->i];

	if (!x->submitted[j->i] || gw_stopping())
		return;
	c->task = &x->task[j->i];
	c->window_ms = 15000;
	gw_collect(w, x->s, c);
	gw_sc_seed_event_samples(w, x->op_event_received, c);
	gw_count(w, x->c_events, c->events);
	gw_count(w, x->c_terminal, c->terminal);
}

static int csse_need(const struct gw_config *cfg, long n)
{
	(void)cfg;
	return (int)n;
}

static void csse_run(struct gw_scen *s, long n)
{
	struct csse x = { .s = s, .n = n };
	struct csse_job *jobs;
	long ok = 0, failed = 0;

	x.op_submit = gw_metrics_op(s->m, "task_submit");
	x.op_event_received = gw_metrics_op(s->m, "event_received");
	x.c_submitted = gw_metrics_counter(s->m, "tasks_submitted");
	x.c_events = gw_metrics_counter(s->m, "events_received");
	x.c_terminal = gw_metrics_counter(s->m, "terminal_events");
	x.task = gw_xcalloc((size_t)n, sizeof(*x.task));
	x.submitted = gw_xcalloc((size_t)n, 1);
	x.col = gw_xcalloc((size_t)n, sizeof(*x.col));
	jobs = gw_xcalloc((size_t)n, sizeof(*jobs));

	gw_engine_submit(s->run->eng, csse_submit_all, &x);
	gw_scen_wait(s);
	for (long i = 0; i < n; i++) {
		jobs[i] = (struct csse_job){ &x, i };
		gw_engine_submit(s->run->eng, csse_collect_one, &jobs[i]);
	}
	gw_scen_stop(s);

	for (long i = 0; i < n; i++) {
		ok += x.col[i].events > 0;
		failed += x.submitted[i] && !x.col[i].connected;
	}
	gw_metrics_gauge(s->m, "successful_connections", (double)ok, 1);
	gw_metrics_gauge(s->m, "failed_connections", (double)failed, 1);
	gw_sc_check_success(s, "success rate (streams with >= 1 event)", ok, n);
	gw_check_p99(s, x.op_submit, s->run->cfg->thresholds.max_p99_latency_ms);

	free(jobs);
	free(x.col);
	free(x.submitted);
	free(x.task);
}

/* ---- catalogue entries ----------------------------------------------------- */

#define CSSE(n)                                                            \
	{ "test_concurrent_sse_connections[" #n "]", "stress",            \
	  #n " sequential submits, then " #n " concurrent SSE streams "    \
	  "read to their terminal event", n, csse_need, csse_run }

const struct gw_scenario gw_sc_sse_list[] = {
	CSSE(5),
	CSSE(10),
	CSSE(25),
};
const size_t gw_sc_sse_count = GW_ARRAY_SIZE(gw_sc_sse_list);
