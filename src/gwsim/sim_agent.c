/*
 * sim_agent: the built-in agent mesh behind gwsim.
 *
 * SAM publishes each task to a broker topic and an LLM-driven agent
 * answers with status updates, artifact updates and a final Task.  gwsim
 * replaces all of that with a deterministic schedule per task, driven by
 * sim_timer (one thread for all tasks, O(log n) per event):
 *
 *   plain     --events status_update frames of --chunk-bytes text each,
 *             one artifact_update, final_response "completed" with the
 *             full text;
 *   weather   (prompt contains "weather") tool_invocation_start and
 *             tool_result data parts for get_weather_tool, then the text
 *             "The weather in London is sunny.";
 *   delegate  (prompt contains "delegate") a peer_TestPeerAgentA tool call,
 *             status updates forwarded from the peer sub-task
 *             (a2a_subtask_<hex>, SAM's peer_agent_tool.py prefix) with
 *             SAM's forwarded_from_peer metadata, the tool result, then
 *             "Peer A has responded.".
 * The first event comes --first-delay-ms after submit, the rest
 * --interval-ms apart.  Prompt directives [gwsim:events=N],
 * [gwsim:interval_ms=N], [gwsim:first_delay_ms=N] and [gwsim:chunk=N]
 * override the flags per task (plain text to a real SAM).  --final-bytes
 * and [gwsim:final_bytes=N] make the final Task's message N bytes of text
 * (the answer, then filler): a real SAM final carries the whole answer,
 * the history and token usage, and passes 64 KiB.
 *
 * Payloads are built like SAM's gateway sends them: JSON-RPC success
 * envelope {"id": <task id>, "jsonrpc": "2.0", "result": ...} with
 * pydantic's model_dump(by_alias=True, exclude_none=True): camelCase keys
 * in a2a-sdk's (alphabetical) field order and no null fields.
 *
 * With --service-workers the first event is not scheduled at submit: the
 * task is queued in sim_service and its schedule starts, first_delay after
 * the moment, when an agent takes it; the task gives the agent back when
 * its schedule ends (final, cancel, or the last event of --never-final).
 * A task canceled while it waits gets its canceled final at once and
 * frees its agent as soon as it is taken.
 *
 * --status-lag-ms N: /tasks/{id}/status reports a finished task as still
 * running (no status, no end_time) for N ms after its final event, as an
 * LLM-backed SAM's task logger, which writes the row on its own loop,
 * lags behind the SSE stream.
 *
 * Tasks for agents not in --agents are accepted and never produce an
 * event, like SAM publishing to a topic nobody listens on.  Cancel of an
 * active task schedules an immediate final_response with state
 * "canceled"; the stale regular step that may still be queued sees the
 * task finished and does nothing (sim_timer has no cancellation).
 *
 * Workload: 10,000 in-flight tasks, ~200 bytes of state each plus the
 * accumulated answer text (freed at the final event).  Tasks are never
 * deleted because /tasks/{id}/status must keep answering (SAM's task table
 * keeps every row); initial_request_text is truncated to 1024 characters
 * as SAM's task logger does.  One mutex guards the task map; events are
 * built while holding it (only the timer thread builds events, the HTTP
 * threads only insert, cancel and read).
 *
 * Rejected: a thread per task (10,000 stacks), per-task timerfds, building
 * the JSON with snprintf templates (escaping prompt text correctly is the
 * whole difficulty; Jansson + sim_json does it once).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum flow { FLOW_PLAIN, FLOW_WEATHER, FLOW_DELEGATE };

struct sim_task {
	char id[SIM_ID_MAX];
	char sub_task_id[SIM_ID_MAX];
	char call_id[SIM_ID_MAX];
	char *context_id;
	char *agent;
	char *request_text;
	int64_t start_ms;
	int64_t end_ms;
	uint64_t end_ns; /* CLOCK_MONOTONIC of end_ms (--status-lag-ms) */
	int64_t last_ms;
	const char *status;
	int64_t max_exec_ms;
	bool known;
	bool background;
	bool events_buffered;
	bool cancel;
	bool finished;
	bool active;	  /* SAM's task context exists */
	bool served;	  /* holds a service-model agent */
	uint64_t service; /* that agent */
	unsigned first_delay;
	unsigned final_bytes; /* 0: the final carries the answer itself */
	enum flow flow;
	unsigned events;
	unsigned interval_ms;
	unsigned chunk;
	unsigned step;
	struct sim_buf text; /* answer so far, for the final message */
};

static struct {
	pthread_mutex_t lock;
	struct sim_map tasks;
} ag = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char filler[] =
	"The quick brown fox jumps over the lazy dog while the gateway "
	"streams tokens to every subscriber. ";

static const char weather_answer[] = "The weather in London is sunny.";
static const char peer_answer[] = "Peer A has responded.";
static const char peer_reply[] = "Hello from Peer A!";
static const char peer_name[] = "TestPeerAgentA";

bool sim_agent_known(const char *name)
{
	size_t i;

	for (i = 0; i < sim_cfg.n_agents; i++)
		if (!strcmp(sim_cfg.agents[i], name))
			return true;
	return false;
}

/* ---- JSON builders (a2a-sdk field order, no nulls) --------------------- */

static json_t *text_part(const char *text, size_t len)
{
	json_t *p = json_object();

	json_object_set_new(p, "kind", json_string("text"));
	json_object_set_new(p, "text", json_stringn(text, len));
	return p;
}

static json_t *data_part(json_t *data)
{
	json_t *p = json_object();

	json_object_set_new(p, "data", data);
	json_object_set_new(p, "kind", json_string("data"));
	return p;
}

static json_t *agent_message(const struct sim_task *t, json_t *parts)
{
	json_t *m = json_object();
	char mid[SIM_ID_MAX];

	sim_hex_id(mid, sizeof(mid), "");
	json_object_set_new(m, "contextId", json_string(t->context_id));
	json_object_set_new(m, "kind", json_string("message"));
	json_object_set_new(m, "messageId", json_string(mid));
	json_object_set_new(m, "parts", parts);
	json_object_set_new(m, "role", json_string("agent"));
	json_object_set_new(m, "taskId", json_string(t->id));
	return m;
}

static json_t *task_status(json_t *message, const char *state)
{
	json_t *s = json_object();
	char ts[40];

	sim_time_iso(ts, sizeof(ts), 'T');
	if (message)
		json_object_set_new(s, "message", message);
	json_object_set_new(s, "state", json_string(state));
	json_object_set_new(s, "timestamp", json_string(ts));
	return s;
}

static json_t *agent_meta(const struct sim_task *t)
{
	json_t *m = json_object();

	json_object_set_new(m, "agent_name", json_string(t->agent));
	return m;
}

static json_t *status_update(const struct sim_task *t, json_t *parts,
			     json_t *metadata)
{
	json_t *r = json_object();

	json_object_set_new(r, "contextId", json_string(t->context_id));
	json_object_set_new(r, "final", json_false());
	json_object_set_new(r, "kind", json_string("status-update"));
	json_object_set_new(r, "metadata", metadata ? metadata : agent_meta(t));
	json_object_set_new(r, "status",
			    task_status(agent_message(t, parts), "working"));
	json_object_set_new(r, "taskId", json_string(t->id));
	return r;
}

static json_t *rpc_success(const struct sim_task *t, json_t *result)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "jsonrpc", json_string("2.0"));
	json_object_set_new(o, "result", result);
	return o;
}

/* Append the next chunk of s (length slen) for text step i. */
static json_t *answer_chunk(struct sim_task *t, const char *s, size_t slen,
			    unsigned i)
{
	size_t off = (size_t)i * t->chunk, n;

	if (off >= slen)
		return NULL;
	n = slen - off < t->chunk ? slen - off : t->chunk;
	sim_buf_add(&t->text, s + off, n);
	return json_pack("[o]", text_part(s + off, n));
}

static json_t *filler_chunk(struct sim_task *t)
{
	struct sim_buf b;
	size_t fl = sizeof(filler) - 1, off = t->text.len % fl;
	json_t *parts;

	sim_buf_init(&b, t->chunk);
	while (b.len < t->chunk) {
		size_t n = fl - off;

		if (n > t->chunk - b.len)
			n = t->chunk - b.len;
		sim_buf_add(&b, filler + off, n);
		off = 0;
	}
	sim_buf_add(&t->text, b.p, b.len);
	parts = json_pack("[o]", text_part(b.p ? b.p : "", b.len));
	sim_buf_release(&b);
	return parts;
}

static json_t *tool_start(const struct sim_task *t, const char *tool,
			  json_t *args)
{
	json_t *d = json_object();

	json_object_set_new(d, "type", json_string("tool_invocation_start"));
	json_object_set_new(d, "tool_name", json_string(tool));
	json_object_set_new(d, "tool_args", args);
	json_object_set_new(d, "function_call_id", json_string(t->call_id));
	return json_pack("[o]", data_part(d));
}

static json_t *tool_result(const struct sim_task *t, const char *tool,
			   json_t *result)
{
	json_t *d = json_object();

	json_object_set_new(d, "type", json_string("tool_result"));
	json_object_set_new(d, "tool_name", json_string(tool));
	json_object_set_new(d, "result_data", result);
	json_object_set_new(d, "function_call_id", json_string(t->call_id));
	return json_pack("[o]", data_part(d));
}

static json_t *peer_progress(const struct sim_task *t, const char *text,
			     json_t **metadata)
{
	json_t *d = json_object(), *m = json_object();
	char ts[40];

	json_object_set_new(d, "type", json_string("agent_progress_update"));
	json_object_set_new(d, "status_text", json_string(text));
	sim_time_iso(ts, sizeof(ts), 'T');
	/* event_handlers.py: metadata of a status forwarded from a peer */
	json_object_set_new(m, "agent_name", json_string(t->agent));
	json_object_set_new(m, "forwarded_from_peer", json_string(peer_name));
	json_object_set_new(m, "original_peer_event_taskId",
			    json_string(t->sub_task_id));
	json_object_set_new(m, "original_peer_event_timestamp",
			    json_string(ts));
	json_object_set_new(m, "function_call_id", json_string(t->call_id));
	*metadata = m;
	return json_pack("[o]", data_part(d));
}

/*
 * Parts of status_update number `step` of t's flow, or NULL when the
 * status updates are over.  *meta may be set to event metadata.
 */
static json_t *flow_parts(struct sim_task *t, unsigned step, json_t **meta)
{
	*meta = NULL;
	switch (t->flow) {
	case FLOW_PLAIN:
		return step < t->events ? filler_chunk(t) : NULL;
	case FLOW_WEATHER:
		if (step == 0)
			return tool_start(t, "get_weather_tool",
					  json_pack("{s:s}", "location",
						    "London"));
		if (step == 1)
			return tool_result(t, "get_weather_tool",
					   json_pack("{s:s,s:s,s:i}",
						     "location", "London",
						     "forecast", "sunny",
						     "temperature_c", 21));
		return answer_chunk(t, weather_answer,
				    sizeof(weather_answer) - 1, step - 2);
	case FLOW_DELEGATE:
		if (step == 0)
			return tool_start(t, "peer_TestPeerAgentA",
					  json_pack("{s:s}", "task_description",
						    t->request_text
							    ? t->request_text
							    : ""));
		if (step == 1)
			return peer_progress(t,
					     "TestPeerAgentA is working "
					     "on the delegated task",
					     meta);
		if (step == 2)
			return peer_progress(t, peer_reply, meta);
		if (step == 3)
			return tool_result(t, "peer_TestPeerAgentA",
					   json_pack("{s:s,s:s}", "status",
						     "success", "response",
						     peer_reply));
		return answer_chunk(t, peer_answer, sizeof(peer_answer) - 1,
				    step - 4);
	}
	return NULL;
}

static json_t *artifact_update(const struct sim_task *t)
{
	json_t *a = json_object(), *r = json_object();
	char aid[SIM_ID_MAX];
	char body[256];

	sim_hex_id(aid, sizeof(aid), "");
	snprintf(body, sizeof(body),
		 "# gwsim report\n\nTask %s produced "
		 "%zu characters of text.\n",
		 t->id, t->text.len);
	json_object_set_new(a, "artifactId", json_string(aid));
	json_object_set_new(a, "name", json_string("gwsim_report.md"));
	json_object_set_new(a, "parts",
			    json_pack("[o]", text_part(body, strlen(body))));
	json_object_set_new(r, "append", json_false());
	json_object_set_new(r, "artifact", a);
	json_object_set_new(r, "contextId", json_string(t->context_id));
	json_object_set_new(r, "kind", json_string("artifact-update"));
	json_object_set_new(r, "lastChunk", json_true());
	json_object_set_new(r, "metadata", agent_meta(t));
	json_object_set_new(r, "taskId", json_string(t->id));
	return r;
}

/*
 * The text part of a --final-bytes answer: n bytes, the answer so far and
 * then the filler, all ASCII (one byte a character, nothing to escape in
 * JSON), so the data: line stays one line of valid JSON, n bytes longer.
 */
static json_t *sized_text(const struct sim_task *t, size_t n)
{
	size_t fl = sizeof(filler) - 1, off = t->text.len < n ? t->text.len : n;
	char *s = sim_xmalloc(n + 1);
	json_t *p;

	if (off)
		memcpy(s, t->text.p, off);
	while (off < n) {
		size_t k = n - off < fl ? n - off : fl;

		memcpy(s + off, filler, k);
		off += k;
	}
	p = text_part(s, n);
	free(s);
	return p;
}

static json_t *final_task(struct sim_task *t, const char *state)
{
	json_t *r = json_object(), *msg = NULL;

	if (!strcmp(state, "completed") && t->final_bytes)
		msg = agent_message(
			t, json_pack("[o]", sized_text(t, t->final_bytes)));
	else if (!strcmp(state, "completed"))
		msg = agent_message(
			t,
			json_pack("[o]", text_part(t->text.p ? t->text.p : "",
						   t->text.len)));
	json_object_set_new(r, "contextId", json_string(t->context_id));
	json_object_set_new(r, "id", json_string(t->id));
	json_object_set_new(r, "kind", json_string("task"));
	json_object_set_new(r, "metadata", agent_meta(t));
	json_object_set_new(r, "status", task_status(msg, state));
	return r;
}

/* ---- event emission (ag.lock held) ------------------------------------- */

static void emit(struct sim_task *t, const char *name, json_t *result)
{
	json_t *env = rpc_success(t, result);
	bool first = !t->events_buffered;
	struct sim_frame *f;
	size_t len;
	char *s;

	s = sim_json_dumps(env, SIM_JSON_PY, &len);
	json_decref(env);
	f = sim_sse_frame(name, s, len, first);
	free(s);
	if (first) {
		t->events_buffered = true;
		/* with the persistent buffer on, SSEManager's
		 * _is_task_registered_for_buffering caches the task here and
		 * never removes it (sse_manager.py) */
		if (sim_cfg.persistent_buffer)
			SIM_COUNT(background_task_cache);
	}
	t->last_ms = sim_epoch_ms();
	SIM_COUNT(events_generated);
	sim_session_touch(t->context_id);
	sim_sse_send(t->id, f);
	sim_sse_frame_unref(f);
}

/* The schedule of t has ended: give its service-model agent back. */
static void release_agent(struct sim_task *t)
{
	if (!t->served)
		return;
	t->served = false;
	sim_service_done(t->service);
}

static void finish(struct sim_task *t, const char *state)
{
	emit(t, "final_response", final_task(t, state));
	t->finished = true;
	t->active = false;
	t->status = state;
	t->end_ms = t->last_ms;
	t->end_ns = sim_now_ns();
	sim_buf_release(&t->text);
	sim_sse_close_task(t->id);
	release_agent(t);
	if (!strcmp(state, "canceled"))
		SIM_COUNT(tasks_canceled);
	else
		SIM_COUNT(tasks_completed);
}

static void agent_step(uint64_t arg);

static void schedule_at(struct sim_task *t, uint64_t due_ns)
{
	sim_timer_at(due_ns, agent_step, (uint64_t)(uintptr_t)t);
}

static void schedule(struct sim_task *t, unsigned delay_ms)
{
	schedule_at(t, sim_now_ns() + (uint64_t)delay_ms * SIM_NS_PER_MS);
}

static void agent_step(uint64_t arg)
{
	struct sim_task *t = (struct sim_task *)(uintptr_t)arg;
	json_t *parts, *meta;

	pthread_mutex_lock(&ag.lock);
	if (t->finished)
		goto out;
	if (t->cancel) {
		finish(t, "canceled");
		goto out;
	}
	parts = flow_parts(t, t->step, &meta);
	if (parts) {
		if (sim_cfg.malformed == SIM_MAL_LONGLINE &&
		    !t->events_buffered) {
			/* one 100 KB data: line, still valid JSON */
			char *big = sim_xmalloc(100 * 1024);

			memset(big, 'x', 100 * 1024);
			json_array_append_new(parts,
					      text_part(big, 100 * 1024));
			free(big);
		}
		emit(t, "status_update", status_update(t, parts, meta));
		t->step++;
		schedule(t, t->interval_ms);
		goto out;
	}
	if (t->flow == FLOW_PLAIN && t->step == t->events) {
		emit(t, "artifact_update", artifact_update(t));
		t->step++;
		schedule(t, t->interval_ms);
		goto out;
	}
	if (sim_cfg.never_final) {
		/* the context stays: running forever, cancel -> 202 */
		t->finished = true;
		SIM_COUNT(tasks_never_final);
		release_agent(t);
		goto out;
	}
	finish(t, "completed");
out:
	pthread_mutex_unlock(&ag.lock);
}

/* ---- public API -------------------------------------------------------- */

/* [gwsim:key=N] in text, N in [0, max]; else def. */
static unsigned directive_upto(const char *text, const char *key, unsigned def,
			       unsigned long max)
{
	char pat[48];
	const char *p;
	char *end;
	unsigned long v;

	if (!text)
		return def;
	snprintf(pat, sizeof(pat), "[gwsim:%s=", key);
	p = strstr(text, pat);
	if (!p)
		return def;
	p += strlen(pat);
	v = strtoul(p, &end, 10);
	if (end == p || *end != ']' || v > max)
		return def;
	return (unsigned)v;
}

/* The counts and delays: up to a million. */
static unsigned directive(const char *text, const char *key, unsigned def)
{
	return directive_upto(text, key, def, 1000000);
}

/* Copy at most 1024 code points of s (the task logger truncates so). */
static char *truncate_text(const char *s)
{
	size_t i = 0, chars = 0;

	while (s[i] && chars < 1024) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return sim_xstrndup(s, i);
}

void sim_agent_submit(const struct sim_submit *sub, char task_id[SIM_ID_MAX])
{
	struct sim_task *t = sim_xcalloc(1, sizeof(*t));
	sim_hex_id(t->id, sizeof(t->id), "gdk-task-");
	sim_hex_id(t->sub_task_id, sizeof(t->sub_task_id), "a2a_subtask_");
	sim_hex_id(t->call_id, sizeof(t->call_id), "call_");
	t->call_id[29] = '\0'; /* "call_" + 24 hex, like OpenAI tool ids */
	t->context_id = sim_xstrdup(sub->context_id);
	t->agent = sim_xstrdup(sub->agent);
	t->request_text = sub->text ? truncate_text(sub->text) : NULL;
	t->start_ms = t->last_ms = sim_epoch_ms();
	t->background = sub->background;
	t->max_exec_ms = sub->max_exec_ms;
	t->known = sim_agent_known(sub->agent);
	t->active = true;
	t->flow = FLOW_PLAIN;
	if (sub->text && strcasestr(sub->text, "weather"))
		t->flow = FLOW_WEATHER;
	else if (sub->text && strcasestr(sub->text, "delegate"))
		t->flow = FLOW_DELEGATE;
	t->events = directive(sub->text, "events", sim_cfg.events);
	t->interval_ms =
		directive(sub->text, "interval_ms", sim_cfg.interval_ms);
	t->chunk = directive(sub->text, "chunk", sim_cfg.chunk_bytes);
	if (!t->chunk)
		t->chunk = 1;
	t->first_delay =
		directive(sub->text, "first_delay_ms", sim_cfg.first_delay_ms);
	t->final_bytes = directive_upto(sub->text, "final_bytes",
					sim_cfg.final_bytes, SIM_FINAL_MAX);
	sim_buf_init(&t->text, 16 * 1024 * 1024);
	memcpy(task_id, t->id, SIM_ID_MAX);

	sim_fault_leak();
	SIM_COUNT(tasks_submitted);
	if (!t->known)
		SIM_COUNT(tasks_unknown_agent);
	pthread_mutex_lock(&ag.lock);
	sim_map_put(&ag.tasks, t->id, t);
	if (t->known && sim_cfg.service_workers)
		sim_service_enqueue((uint64_t)(uintptr_t)t);
	else if (t->known)
		schedule(t, t->first_delay);
	pthread_mutex_unlock(&ag.lock);
}

/* sim_service_fn: an agent of the service model took t. */
static bool task_start(uint64_t arg, uint64_t agent, uint64_t taken_ns)
{
	struct sim_task *t = (struct sim_task *)(uintptr_t)arg;
	uint64_t first_ns = (uint64_t)t->first_delay * SIM_NS_PER_MS;
	bool run;

	pthread_mutex_lock(&ag.lock);
	run = !t->finished;
	if (run) {
		t->served = true;
		t->service = agent;
		schedule_at(t, taken_ns + first_ns);
	}
	pthread_mutex_unlock(&ag.lock);
	return run;
}

int sim_agent_cancel(const char *task_id)
{
	struct sim_task *t;
	int rc = -1;

	pthread_mutex_lock(&ag.lock);
	t = sim_map_get(&ag.tasks, task_id);
	if (t && t->active) {
		rc = 0;
		/* unknown agents and never-final tasks: nobody answers */
		if (t->known && !t->finished && !t->cancel) {
			t->cancel = true;
			schedule(t, 0);
		}
	}
	pthread_mutex_unlock(&ag.lock);
	return rc;
}

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

json_t *sim_agent_status(const char *task_id)
{
	struct sim_task *t;
	json_t *row, *out;
	const char *status;
	int64_t end_ms;
	bool running;

	pthread_mutex_lock(&ag.lock);
	t = sim_map_get(&ag.tasks, task_id);
	if (!t) {
		pthread_mutex_unlock(&ag.lock);
		return NULL;
	}
	status = t->status;
	end_ms = t->end_ms;
	if (status && sim_cfg.status_lag_ms &&
	    sim_now_ns() - t->end_ns <
		    (uint64_t)sim_cfg.status_lag_ms * SIM_NS_PER_MS) {
		/* the task logger has not written the end yet */
		status = NULL;
		end_ms = 0;
		SIM_COUNT(status_lagged);
	}
	/* GW/repository/entities/task.py field order */
	row = json_object();
	json_object_set_new(row, "id", json_string(t->id));
	json_object_set_new(row, "user_id", json_string("sam_dev_user"));
	json_object_set_new(row, "parent_task_id", json_null());
	json_object_set_new(row, "start_time", json_integer(t->start_ms));
	json_object_set_new(row, "end_time", opt_int(end_ms));
	json_object_set_new(row, "status",
			    status ? json_string(status) : json_null());
	json_object_set_new(row, "initial_request_text",
			    t->request_text ? json_string(t->request_text)
					    : json_null());
	json_object_set_new(row, "total_input_tokens", json_null());
	json_object_set_new(row, "total_output_tokens", json_null());
	json_object_set_new(row, "total_cached_input_tokens", json_null());
	json_object_set_new(row, "token_usage_details", json_null());
	json_object_set_new(row, "execution_mode",
			    json_string(t->background ? "background"
						      : "foreground"));
	json_object_set_new(row, "last_activity_time",
			    json_integer(t->last_ms));
	json_object_set_new(row, "background_execution_enabled",
			    json_boolean(t->background));
	json_object_set_new(row, "max_execution_time_ms",
			    opt_int(t->max_exec_ms));
	json_object_set_new(row, "session_id", json_string(t->context_id));
	json_object_set_new(row, "events_buffered",
			    json_boolean(t->events_buffered));
	json_object_set_new(row, "events_consumed", json_false());
	running = !status && !end_ms;
	out = json_object();
	json_object_set_new(out, "task", row);
	json_object_set_new(out, "is_running", json_boolean(running));
	json_object_set_new(out, "is_background", json_boolean(t->background));
	json_object_set_new(out, "can_reconnect",
			    json_boolean(t->background && running));
	json_object_set_new(out, "error_message", json_null());
	pthread_mutex_unlock(&ag.lock);
	return out;
}

bool sim_agent_is_background(const char *task_id)
{
	struct sim_task *t;
	bool bg;

	pthread_mutex_lock(&ag.lock);
	t = sim_map_get(&ag.tasks, task_id);
	bg = t && t->background;
	pthread_mutex_unlock(&ag.lock);
	return bg;
}

size_t sim_agent_count(void)
{
	size_t n;

	pthread_mutex_lock(&ag.lock);
	n = ag.tasks.n;
	pthread_mutex_unlock(&ag.lock);
	return n;
}

int sim_agent_init(void)
{
	sim_map_init(&ag.tasks);
	return sim_service_init(task_start);
}

static void task_free(void *p)
{
	struct sim_task *t = p;

	sim_buf_release(&t->text);
	free(t->context_id);
	free(t->agent);
	free(t->request_text);
	free(t);
}

void sim_agent_release(void)
{
	pthread_mutex_lock(&ag.lock);
	sim_map_release(&ag.tasks, task_free);
	pthread_mutex_unlock(&ag.lock);
	sim_service_release();
}
