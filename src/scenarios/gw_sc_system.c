/*
 * gw_sc_system: the seed project's tests/system/test_stress.py
 * (scenarios.md 7): tasks of three kinds -- plain text, a tool call, and a
 * delegation to a peer agent with nested status updates -- run at once or
 * one after another, then the gateway must be back at rest.
 *
 * Each prompt carries the TestLLMServer "stateful directive" the seed
 * uses, [test_case_id=...] [responses_json=<base64 JSON>], so a SAM
 * gateway whose agents talk to that mock plays exactly the seed's turns;
 * any other gateway just sees a longer prompt.
 *
 * At rest, observed from outside (the seed inspected agent and gateway
 * dicts in-process): every task reached its terminal event; GET
 * /api/v1/tasks/{id}/status says is_running == false for each, polled
 * until it does within the scenario's window, with the settle time
 * reported (skipped when the gateway has no task logging); gateway RSS growth
 * below memory_increase_threshold_mb (skipped when not measured); /health 200.
 */
#include "gw_sc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_TEXT, K_TOOL, K_PEER, K_N };

static const char *const kind_name[K_N] = {
	"simple_text",
	"simple_tool_call",
	"peer_delegation",
};
static const char *const kind_prompt[K_N] = {
	"Respond with a simple sentence.",
	"What is the weather in London?",
	"Please delegate a task to Peer A.",
};

static char *base64(const char *in)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), k = 0;
	char *out = gw_xmalloc(4 * ((n + 2) / 3) + 1);
	const unsigned char *p = (const unsigned char *)in;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[k++] = t[v >> 18];
		out[k++] = t[(v >> 12) & 63];
		out[k++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		out[k++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[k] = '\0';
	return out;
}

/* One primed chat completion (scenarios.md 1.3 payload shape). */
static json_t *completion(int i, const char *content, const char *tool,
			  const char *args)
{
	char id[48];
	json_t *msg;

	snprintf(id, sizeof(id), "chatcmpl-stress-%d", i);
	if (tool) {
		msg = json_pack("{s:s, s:n, s:[{s:s, s:s, s:{s:s, s:s}}]}",
				"role", "assistant", "content", "tool_calls",
				"id", "call_stress_1", "type", "function",
				"function", "name", tool, "arguments", args);
	} else {
		msg = json_pack("{s:s, s:s}", "role", "assistant", "content",
				content);
	}
	return json_pack("{s:s, s:s, s:s, s:[{s:i, s:o, s:s}], "
			 "s:{s:i, s:i, s:i}}",
			 "id", id, "object", "chat.completion", "model",
			 "test-llm-model", "choices", "index", 0, "message",
			 msg, "finish_reason", tool ? "tool_calls" : "stop",
			 "usage", "prompt_tokens", 10, "completion_tokens", 20,
			 "total_tokens", 30);
}

static char *directive(const char *case_id, json_t *responses)
{
	char *js = json_dumps(responses, JSON_COMPACT), *b64, *out;
	size_t n;

	json_decref(responses);
	b64 = base64(js ? js : "[]");
	free(js);
	n = strlen(case_id) + strlen(b64) + 64;
	out = gw_xmalloc(n);
	snprintf(out, n, "[test_case_id=%s] [responses_json=%s]", case_id, b64);
	free(b64);
	return out;
}

/* The whole prompt of task n of kind k; caller frees. */
static char *make_prompt(struct gw_worker *w, enum kind k, long n)
{
	char case_id[96], sub_id[160], *d, *out;
	json_t *turns = json_array();
	size_t len;

	snprintf(case_id, sizeof(case_id), "stress-%s-%ld-%016llx",
		 kind_name[k], n, (unsigned long long)gw_worker_rand(w));
	if (k == K_TEXT) {
		json_array_append_new(
			turns, completion(0, "This is a simple sentence.", NULL,
					  NULL));
	} else if (k == K_TOOL) {
		json_array_append_new(turns,
				      completion(0, NULL, "get_weather_tool",
						 "{\"location\":\"London\"}"));
		json_array_append_new(
			turns, completion(1, "The weather in London is sunny.",
					  NULL, NULL));
	} else {
		/* the peer's own directive travels in task_description */
		json_t *peer = json_array(), *args;
		char *pd, *as;

		snprintf(sub_id, sizeof(sub_id), "%s-call_stress_1-%08llx",
			 case_id,
			 (unsigned long long)(gw_worker_rand(w) &
					      0xFFFFFFFFULL));
		json_array_append_new(peer, completion(0, "Hello from Peer A!",
						       NULL, NULL));
		pd = directive(sub_id, peer);
		len = strlen(pd) + 64;
		as = gw_xmalloc(len);
		snprintf(as, len, "Say hello. %s", pd);
		args = json_pack("{s:s}", "task_description", as);
		free(pd);
		free(as);
		as = json_dumps(args, JSON_COMPACT);
		json_decref(args);
		json_array_append_new(turns,
				      completion(0, NULL, "peer_TestPeerAgentA",
						 as ? as : "{}"));
		free(as);
		json_array_append_new(turns,
				      completion(1, "Peer A has responded.",
						 NULL, NULL));
	}
	d = directive(case_id, turns);
	len = strlen(kind_prompt[k]) + strlen(d) + 2;
	out = gw_xmalloc(len);
	snprintf(out, len, "%s %s", kind_prompt[k], d);
	free(d);
	return out;
}

struct sys {
	struct gw_scen *s;
	long n;
	int sequential;
	long progress_every;
	struct gw_task *task;
	unsigned char *ok;
	_Atomic long done;
	long running;	  /* tasks still running when the poll ended */
	double settle_ms; /* how long until none was, or the poll gave up */
	int status_available;
	int healthy;
	int op_submit, op_duration, op_status, op_health;
	int c_ok[K_N], c_fail[K_N];
};

static void one_task(struct gw_worker *w, struct sys *x, long i)
{
	enum kind k = (enum kind)(i % K_N);
	struct gw_sam_stream c = { 0 };
	char *prompt = make_prompt(w, k, i);
	int64_t t0 = gw_now_ns();
	long d;

	if (gw_sam_submit(w, &x->s->sam, x->op_submit, prompt, NULL,
			  &x->task[i]) == 0) {
		c.task = &x->task[i];
		c.window_ms = 30000;
		gw_sam_collect(w, &x->s->sam, &c);
		if (c.events && c.terminal) {
			x->ok[i] = 1;
			gw_rec(w, x->op_duration, gw_now_ns() - t0);
		}
	}
	free(prompt);
	gw_count(w, x->ok[i] ? x->c_ok[k] : x->c_fail[k], 1);
	d = atomic_fetch_add(&x->done, 1) + 1;
	if (x->progress_every && d % x->progress_every == 0 &&
	    !x->s->run->quiet) {
		if (x->s->progress_shown)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "%s: %ld/%ld tasks\n", x->s->m->test_name, d,
			x->n);
	}
}

static void task_job(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;

	one_task(w, j->x, j->i);
}

static void sequential_job(struct gw_worker *w, void *arg)
{
	struct sys *x = arg;

	for (long i = 0; i < x->n && !gw_stopping(); i++)
		one_task(w, x, i);
}

/*
 * One status poll of task i: 1 stopped, 0 running, -1 not answered (an
 * error, counted), -2 the gateway has no task status.
 */
static int task_stopped(struct gw_worker *w, struct sys *x, long i)
{
	char path[300] = "/api/v1/tasks/";
	struct gw_http_result r;
	json_t *j;
	int stopped;

	if (gw_http_escape(path, sizeof(path), x->task[i].id) < 0)
		return -1;
	strcat(path, "/status");
	gw_http_request(&w->http, "GET", path, NULL, 0, &r);
	if (r.status == 404 || r.status == 501)
		return -2; /* no task logging on this gateway */
	gw_attempt(w, x->op_status);
	if (r.status)
		gw_rec(w, x->op_status, r.t_end - r.t_start);
	if (r.err) {
		gw_worker_fail(w, x->op_status, r.err, r.msg,
			       "{\"task_id\":\"%s\"}", x->task[i].id);
		return -1;
	}
	j = json_loadb(w->http.body, w->http.body_len, 0, NULL);
	stopped = json_is_false(json_object_get(j, "is_running"));
	json_decref(j);
	return stopped;
}

/*
 * After the tasks: poll the status of every completed task until none is
 * running, then /health.  The seed slept 0.5 s and asked once; a gateway
 * whose agents sit behind an LLM updates its task log later than it sends
 * the terminal event, so one look would blame it for lag.  The poll is
 * bounded by the scenario's window (30 s, times stream_window_scale); the
 * time it took is the settle time.
 */
static void at_rest_job(struct gw_worker *w, void *arg)
{
	struct sys *x = arg;
	double scale = x->s->run->cfg->target.stream_window_scale;
	int64_t t0 = gw_now_ns(), pause = GW_NS_PER_S / 10;
	int64_t deadline = t0 + (int64_t)(30.0 * scale * 1e9);
	unsigned char *left = gw_xcalloc((size_t)x->n, 1);
	long pending = 0;

	x->status_available = 1;
	for (long i = 0; i < x->n; i++)
		pending += left[i] = x->ok[i];
	while (pending && !gw_stopping()) {
		for (long i = 0; i < x->n && !gw_stopping(); i++) {
			int st;

			if (!left[i])
				continue;
			st = task_stopped(w, x, i);
			if (st == -2) {
				x->status_available = 0;
				goto out;
			}
			if (st == 1) {
				left[i] = 0;
				pending--;
			}
		}
		if (!pending || gw_now_ns() >= deadline)
			break;
		gw_sleep_ns(pause); /* 0.1 s, doubling to 1 s */
		pause = pause * 2 > GW_NS_PER_S ? GW_NS_PER_S : pause * 2;
	}
	x->running = pending;
	x->settle_ms = (double)(gw_now_ns() - t0) / 1e6;
out:
	free(left);
	x->healthy = gw_sc_health(w, x->s, x->op_health);
}

static void sys_run(struct gw_scen *s, long n, int sequential, long every)
{
	struct sys x = { .s = s,
			 .n = n,
			 .sequential = sequential,
			 .progress_every = every };
	struct gw_mem_trend mt;
	long ok = 0;
	char name[64];

	x.task = gw_xcalloc((size_t)n, sizeof(*x.task));
	x.ok = gw_xcalloc((size_t)n, 1);
	x.op_submit = gw_metrics_op(s->m, "task_submit");
	x.op_duration = gw_metrics_op(s->m, "task_duration");
	x.op_status = gw_metrics_op(s->m, "task_status");
	x.op_health = gw_sam_http_op(&s->sam, "health_check");
	for (int k = 0; k < K_N; k++) {
		snprintf(name, sizeof(name), "tasks_%s_ok", kind_name[k]);
		x.c_ok[k] = gw_metrics_counter(s->m, name);
		snprintf(name, sizeof(name), "tasks_%s_failed", kind_name[k]);
		x.c_fail[k] = gw_metrics_counter(s->m, name);
	}
	if (sequential) {
		gw_engine_submit(s->run->eng, sequential_job, &x);
	} else {
		gw_scen_fanout(s, 0, n, task_job, &x);
	}
	gw_scen_wait(s);
	gw_engine_submit(s->run->eng, at_rest_job, &x);
	gw_scen_stop(s);

	for (long i = 0; i < n; i++)
		ok += x.ok[i];
	gw_metrics_gauge(s->m, "tasks_succeeded", (double)ok, 1);
	gw_check_eq(&s->checks, "tasks that reached their terminal event",
		    (double)ok, (double)n, "");
	gw_check_merge(&s->checks, GW_MERGE_SUM, NULL, 0);
	if (x.status_available) {
		gw_metrics_gauge(s->m, "status_settle_ms", x.settle_ms, 1);
		gw_check_eq(&s->checks, "tasks still running (GET .../status)",
			    (double)x.running, 0, "");
		gw_check_note(&s->checks,
			      "%ld still running after polling for %.0f ms",
			      x.running, x.settle_ms);
	} else
		gw_check_skip(&s->checks,
			      "tasks still running (GET .../status)",
			      "the gateway has no task status (task logging "
			      "off)");
	gw_metrics_mem_trend(s->m, &mt);
	if (mt.sample_count >= 2)
		gw_check_lt(
			&s->checks, "memory growth (gateway RSS)", mt.growth_mb,
			s->run->cfg->thresholds.memory_increase_threshold_mb,
			"MB");
	if (mt.sample_count >= 2)
		gw_check_merge(&s->checks, GW_MERGE_MAX, NULL, 0);
	else
		gw_check_skip(&s->checks, "memory growth (gateway RSS)",
			      "gateway memory not measured");
	gw_check_eq(&s->checks, "gateway healthy at the end (GET /health)",
		    x.healthy, 1, "");
	free(x.ok);
	free(x.task);
}

static void concurrency_run(struct gw_scen *s, long n)
{
	sys_run(s, n, 0, 0);
}

static void longevity_run(struct gw_scen *s, long n)
{
	sys_run(s, n, 1, 20);
}

static void very_long_run(struct gw_scen *s, long n)
{
	sys_run(s, n, 1, 50);
}

const struct gw_scen_def gw_sc_system_list[] = {
	{ .name = "test_concurrency_stress_with_variety[10]",
	  .markers = "stress",
	  .param = 10,
	  .workers = GW_NEED_PARAM,
	  .run = concurrency_run,
	  .what = "10 concurrent tasks: text, tool call, peer delegation in "
		  "turn; all complete, none left running" },
	{ .name = "test_concurrency_stress_with_variety[30]",
	  .markers = "stress",
	  .param = 30,
	  .workers = GW_NEED_PARAM,
	  .run = concurrency_run,
	  .what = "30 concurrent tasks of the three kinds; all complete, none "
		  "left running" },
	{ .name = "test_longevity_with_variety_and_peer_calls[100]",
	  .markers = "stress",
	  .param = 100,
	  .workers = 1,
	  .run = longevity_run,
	  .what = "100 tasks of the three kinds one after another; all "
		  "complete, gateway back at rest" },
	{ .name = "test_very_long_longevity_soak_test",
	  .markers = "stress long_soak",
	  .param = 1000,
	  .workers = 1,
	  .run = very_long_run,
	  .what = "1000 tasks of the three kinds one after another; all "
		  "complete, RSS growth bounded" },
	{ 0 }
};
