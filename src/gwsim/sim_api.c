/*
 * sim_api: the REST endpoints of SAM's WebUI gateway (and gwsim's extras).
 *
 * Every body, status code and validation message here was taken from SAM
 * 2b4ef6ab's routers and DTOs and from the FastAPI 0.120 / pydantic 2.12
 * behaviour they rely on; the source file is named next to each handler.
 * Errors use the production handler of shared/exceptions: HTTPException ->
 * {"message", "validationDetails": null}; RequestValidationError -> 422
 * "Validation error", built from the checks of sim_valid.c.
 *
 * Validation order is FastAPI's: the body is parsed and validated against
 * the JSON-RPC model before the handler runs, so a missing messageId is
 * reported even when agent_name is missing too; the handler then checks
 * metadata.agent_name before anything else.
 *
 * gwsim-only: GET /gwsim/stats (counters) and GET /gwsim/introspect (the
 * SSEManager sizes a real SAM would need a debugger to read).
 *
 * Workload: handlers run on MHD's worker threads; they build Jansson
 * values, call into the store/agent/sse modules (each with its own lock)
 * and serialize once.  Nothing blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- endpoints --------------------------------------------------------- */

enum MHD_Result sim_api_health(struct sim_req *r)
{
	return sim_reply_json(r, 200,
			      json_pack("{s:s}", "status",
					"A2A Web UI Backend is running"));
}

/* GW/routers/config.py get_app_config with templates/webui.yaml values */
enum MHD_Result sim_api_config(struct sim_req *r)
{
	json_t *o = json_object(), *fe = json_object(), *vl = json_object();

	json_object_set_new(fe, "speechToText", json_true());
	json_object_set_new(fe, "textToSpeech", json_true());
	json_object_set_new(fe, "background_tasks", json_true());
	json_object_set_new(fe, "binaryArtifactPreview", json_false());
	json_object_set_new(fe, "taskLogging", json_true());
	json_object_set_new(fe, "promptLibrary", json_true());
	json_object_set_new(fe, "promptAIAssisted", json_true());
	json_object_set_new(fe, "promptVersionHistory", json_true());
	json_object_set_new(fe, "promptSharing", json_false());
	json_object_set_new(fe, "projects", json_false());
	json_object_set_new(fe, "mentions", json_false());
	json_object_set_new(fe, "auto_title_generation", json_false());
	json_object_set_new(fe, "chatSharing", json_false());
	json_object_set_new(fe, "scheduler", json_false());

	json_object_set_new(vl, "projectNameMax", json_integer(255));
	json_object_set_new(vl, "projectDescriptionMax", json_integer(1000));
	json_object_set_new(vl, "projectInstructionsMax", json_integer(4000));
	json_object_set_new(vl, "projectFileDescriptionMax",
			    json_integer(1000));
	json_object_set_new(vl, "maxPerFileUploadSizeBytes",
			    json_integer((json_int_t)sim_cfg.max_upload_bytes));
	json_object_set_new(vl, "maxBatchUploadSizeBytes",
			    json_integer(104857600));
	json_object_set_new(vl, "maxZipUploadSizeBytes",
			    json_integer(104857600));
	json_object_set_new(vl, "maxProjectSizeBytes", json_integer(104857600));

	json_object_set_new(o, "frontend_server_url", json_string(""));
	json_object_set_new(o, "frontend_platform_server_url",
			    json_string("http://localhost:8001"));
	json_object_set_new(o, "frontend_auth_login_url", json_string(""));
	json_object_set_new(o, "frontend_use_authorization",
			    json_boolean(sim_cfg.token != NULL));
	json_object_set_new(o, "frontend_welcome_message", json_string(""));
	json_object_set_new(o, "frontend_redirect_url", json_string(""));
	json_object_set_new(o, "frontend_collect_feedback", json_false());
	json_object_set_new(o, "frontend_bot_name", json_string("A2A Agent"));
	json_object_set_new(o, "frontend_logo_url", json_string(""));
	json_object_set_new(o, "frontend_disclaimer_text", json_string(""));
	json_object_set_new(o, "frontend_feature_enablement", fe);
	json_object_set_new(o, "persistence_enabled", json_true());
	json_object_set_new(o, "validation_limits", vl);
	json_object_set_new(o, "tool_config_status",
			    json_pack("{s:b}", "text_to_speech", 0));
	json_object_set_new(o, "tts_settings",
			    json_pack("{s:b,s:s,s:s}", "textToSpeech", 0,
				      "engineTTS", "browser", "ttsProvider",
				      "gemini"));
	json_object_set_new(o, "background_tasks_config",
			    json_pack("{s:i}", "default_timeout_ms", 3600000));
	json_object_set_new(o, "identity_service_type", json_null());
	return sim_reply_json(r, 200, o);
}

static int by_name_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* a2a-sdk AgentCard (alphabetical fields, nulls kept by FastAPI) */
static json_t *agent_card(const char *name)
{
	json_t *c = json_object(), *caps = json_object(), *ext, *skill;
	char buf[512];

	ext = json_object();
	json_object_set_new(ext, "description", json_null());
	json_object_set_new(ext, "params",
			    json_pack("{s:s}", "display_name", name));
	json_object_set_new(ext, "required", json_null());
	json_object_set_new(
		ext, "uri",
		json_string("https://solace.com/a2a/extensions/display-name"));
	json_object_set_new(caps, "extensions", json_pack("[o]", ext));
	json_object_set_new(caps, "pushNotifications", json_false());
	json_object_set_new(caps, "stateTransitionHistory", json_false());
	json_object_set_new(caps, "streaming", json_true());

	skill = json_object();
	snprintf(buf, sizeof(buf),
		 "%s answers questions (gwsim built-in "
		 "agent).",
		 name);
	json_object_set_new(skill, "description", json_string(buf));
	json_object_set_new(skill, "examples", json_null());
	json_object_set_new(skill, "id", json_string("general_chat"));
	json_object_set_new(skill, "inputModes", json_null());
	json_object_set_new(skill, "name", json_string("General chat"));
	json_object_set_new(skill, "outputModes", json_null());
	json_object_set_new(skill, "security", json_null());
	json_object_set_new(skill, "tags", json_pack("[s,s]", "chat", "gwsim"));

	json_object_set_new(c, "additionalInterfaces", json_null());
	json_object_set_new(c, "capabilities", caps);
	json_object_set_new(c, "defaultInputModes", json_pack("[s]", "text"));
	json_object_set_new(c, "defaultOutputModes",
			    json_pack("[s,s]", "text", "file"));
	snprintf(buf, sizeof(buf),
		 "Simulated agent %s of the gwsim "
		 "reference gateway.",
		 name);
	json_object_set_new(c, "description", json_string(buf));
	json_object_set_new(c, "documentationUrl", json_null());
	json_object_set_new(c, "iconUrl", json_null());
	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "preferredTransport", json_string("JSONRPC"));
	json_object_set_new(c, "protocolVersion", json_string("0.3.0"));
	json_object_set_new(c, "provider", json_null());
	json_object_set_new(c, "security", json_null());
	json_object_set_new(c, "securitySchemes", json_null());
	json_object_set_new(c, "signatures", json_null());
	json_object_set_new(c, "skills", json_pack("[o]", skill));
	json_object_set_new(c, "supportsAuthenticatedExtendedCard",
			    json_null());
	snprintf(buf, sizeof(buf), "solace:gwsim/a2a/v1/agent/request/%s",
		 name);
	json_object_set_new(c, "url", json_string(buf));
	json_object_set_new(c, "version", json_string("1.0.0"));
	return c;
}

enum MHD_Result sim_api_agent_cards(struct sim_req *r)
{
	char **names = sim_xmalloc((sim_cfg.n_agents + 1) * sizeof(*names));
	json_t *a = json_array();
	size_t i;

	memcpy(names, sim_cfg.agents, sim_cfg.n_agents * sizeof(*names));
	qsort(names, sim_cfg.n_agents, sizeof(*names), by_name_ci);
	for (i = 0; i < sim_cfg.n_agents; i++)
		json_array_append_new(a, agent_card(names[i]));
	free(names);
	return sim_reply_json(r, 200, a);
}

/* GW/routers/sessions.py get_all_sessions */
enum MHD_Result sim_api_sessions_list(struct sim_req *r)
{
	json_t *d = json_object(), *out;
	const char *source = sim_req_arg(r, "source");
	const char *project = sim_req_arg(r, "project_id");
	long long page, size;

	sim_valid_query_int(r, d, "pageNumber", 1, 1, 1LL << 62, &page);
	sim_valid_query_int(r, d, "pageSize", 20, 1, 100, &size);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	if (source && strcmp(source, "chat") && strcmp(source, "scheduler")) {
		char msg[1024];

		snprintf(msg, sizeof(msg),
			 "Invalid source filter: %.900s. "
			 "Must be one of: chat, scheduler",
			 source);
		return sim_reply_error(r, 400, msg);
	}
	/* no projects and no scheduler sessions exist here */
	out = sim_session_list((unsigned)page, (unsigned)size,
			       sim_req_arg(r, "agent_id"), NULL,
			       (source && !strcmp(source, "scheduler")) ||
				       (project && *project));
	return sim_reply_json(r, 200, out);
}

enum MHD_Result sim_api_sessions_search(struct sim_req *r)
{
	json_t *d = json_object();
	const char *project = sim_req_arg(r, "projectId");
	const char *q;
	long long page, size;

	sim_valid_query_str(r, d, "query", &q);
	sim_valid_query_int(r, d, "pageNumber", 1, 1, 1LL << 62, &page);
	sim_valid_query_int(r, d, "pageSize", 20, 1, 100, &size);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	return sim_reply_json(r, 200,
			      sim_session_list((unsigned)page, (unsigned)size,
					       sim_req_arg(r, "agent_id"), q,
					       project && *project));
}

enum MHD_Result sim_api_session_get(struct sim_req *r)
{
	json_t *s;

	if (sim_valid_blank_id(r->param[0]) ||
	    !(s = sim_session_get(r->param[0], false)))
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_json(r, 200, json_pack("{s:o}", "data", s));
}

/* GW/routers/sessions.py update_session_name */
enum MHD_Result sim_api_session_patch(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *name, *s;
	const char *n;
	char msg[512];

	if (r->body_over)
		return sim_reply_error(r, 400,
				       "There was an error parsing "
				       "the body");
	body = sim_valid_body(r, &rc);
	if (!body)
		return rc;
	name = json_is_object(body) ? json_object_get(body, "name") : NULL;
	if (!name || json_is_null(name)) {
		json_decref(body);
		return sim_reply_invalid1(r, "name", "Field required");
	}
	if (!json_is_string(name)) {
		json_decref(body);
		return sim_reply_invalid1(r, "name",
					  "Input should be a valid string");
	}
	if (sim_valid_blank_id(r->param[0])) {
		json_decref(body);
		return sim_reply_error(r, 404, "Session not found.");
	}
	n = json_string_value(name);
	if (sim_valid_session_name(n, msg, sizeof(msg))) {
		/* str(pydantic.ValidationError) as the 422 detail */
		json_decref(body);
		return sim_reply_error(r, 422, msg);
	}
	s = sim_session_rename(r->param[0], n);
	json_decref(body);
	if (!s)
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_json(r, 200, s);
}

enum MHD_Result sim_api_session_delete(struct sim_req *r)
{
	if (sim_valid_blank_id(r->param[0]) || sim_session_delete(r->param[0]))
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_empty(r, 204);
}

static enum MHD_Result reply_submit(struct sim_req *r, json_t *out)
{
	size_t len;
	char *s;

	if (sim_cfg.garbage == SIM_GARBAGE_NONE)
		return sim_reply_json(r, 200, out);
	SIM_COUNT(garbage_responses);
	if (sim_cfg.garbage == SIM_GARBAGE_NONJSON) {
		static const char junk[] =
			"<html><body>gwsim: not JSON</body></html>";

		json_decref(out);
		s = sim_xstrdup(junk);
		len = sizeof(junk) - 1;
	} else {
		s = sim_json_dumps(out, SIM_JSON_COMPACT, &len);
		json_decref(out);
	}
	{
		struct MHD_Response *resp = MHD_create_response_from_buffer(
			len, s, MHD_RESPMEM_MUST_FREE);

		if (!resp) {
			free(s);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "content-type",
					sim_cfg.garbage == SIM_GARBAGE_NONJSON
						? "text/html; charset=utf-8"
						: "text/plain");
		return sim_reply(r, 200, resp);
	}
}

/* GW/routers/tasks.py _submit_task */
enum MHD_Result sim_api_message(struct sim_req *r, bool streaming)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *d, *msg, *meta, *agent, *ctx, *result, *status, *out;
	json_t *idv;
	char session[SIM_ID_MAX], task_id[SIM_ID_MAX];
	struct sim_submit sub;
	char *agent_name, *context_id = NULL;

	if (r->body_over)
		/* gateway_max_message_size_bytes: the §3 422 quirk */
		return sim_reply_invalid(
			r, "Validation failed",
			json_pack("{s:[s]}", "message",
				  "Input should be a valid string"));
	body = sim_valid_body(r, &rc);
	if (!body)
		return rc;
	d = json_object();
	sim_valid_send_request(d, body, streaming);
	if (json_object_size(d)) {
		json_decref(body);
		return sim_reply_invalid(r, "Validation error", d);
	}
	json_decref(d);
	msg = json_object_get(json_object_get(body, "params"), "message");
	meta = json_object_get(msg, "metadata");
	agent = json_is_object(meta) ? json_object_get(meta, "agent_name")
				     : NULL;
	if (!sim_valid_truthy(agent)) {
		json_decref(body);
		return sim_reply_error(r, 422,
				       "Missing 'agent_name' in "
				       "request payload message metadata.");
	}
	agent_name = json_is_string(agent)
			     ? sim_xstrdup(json_string_value(agent))
			     : sim_json_dumps(agent, SIM_JSON_COMPACT, NULL);
	ctx = json_object_get(msg, "contextId");
	if (json_is_string(ctx)) {
		context_id = sim_valid_strip(json_string_value(ctx));
		if (!*context_id) {
			free(context_id);
			context_id = NULL;
		}
	}
	if (context_id) {
		/* :stream creates a row for an unknown id; :send never does */
		if (streaming)
			sim_session_ensure(context_id, agent_name);
		snprintf(session, sizeof(session), "%.*s", SIM_ID_MAX - 1,
			 context_id);
	} else if (streaming) {
		sim_session_create(agent_name, session);
	} else {
		sim_hex_id(session, sizeof(session), "web-session-");
	}

	memset(&sub, 0, sizeof(sub));
	sub.agent = agent_name;
	sub.context_id = context_id ? context_id : session;
	sub.text = sim_valid_first_text(msg);
	sub.background = sim_valid_truthy(
		json_object_get(meta, "backgroundExecutionEnabled"));
	if (json_is_integer(json_object_get(meta, "maxExecutionTimeMs")))
		sub.max_exec_ms = json_integer_value(
			json_object_get(meta, "maxExecutionTimeMs"));
	if (sub.background && !sub.max_exec_ms)
		sub.max_exec_ms = 3600000;
	sim_agent_submit(&sub, task_id);

	/* common/a2a/task.py create_initial_task, nulls kept by FastAPI */
	status = json_object();
	json_object_set_new(status, "message", json_null());
	json_object_set_new(status, "state", json_string("submitted"));
	json_object_set_new(status, "timestamp", json_null());
	result = json_object();
	json_object_set_new(result, "artifacts", json_null());
	json_object_set_new(result, "contextId", json_string(sub.context_id));
	json_object_set_new(result, "history", json_null());
	json_object_set_new(result, "id", json_string(task_id));
	json_object_set_new(result, "kind", json_string("task"));
	json_object_set_new(result, "metadata",
			    json_pack("{s:s}", "agent_name", agent_name));
	json_object_set_new(result, "status", status);
	out = json_object();
	/* pydantic's str | int: 1.0 and true validate (and echo) as ints */
	idv = json_object_get(body, "id");
	if (json_is_real(idv))
		json_object_set_new(
			out, "id",
			json_integer((json_int_t)json_real_value(idv)));
	else if (json_is_boolean(idv))
		json_object_set_new(out, "id", json_integer(json_is_true(idv)));
	else
		json_object_set_new(out, "id", json_incref(idv));
	json_object_set_new(out, "jsonrpc", json_string("2.0"));
	json_object_set_new(out, "result", result);
	free(agent_name);
	free(context_id);
	json_decref(body);
	return reply_submit(r, out);
}

/* GW/routers/sse.py subscribe_to_task_events */
enum MHD_Result sim_api_subscribe(struct sim_req *r)
{
	json_t *d = json_object();
	struct MHD_Response *resp;
	long long ts;
	bool reconnect, refused;
	char msg[128];

	sim_valid_query_bool(r, d, "reconnect", false, &reconnect);
	sim_valid_query_int(r, d, "last_event_timestamp", 0, 1, 0, &ts);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	/*
	 * reconnect=true replays SAM's task_events table; gwsim keeps no
	 * event history, so a reconnect gets live events only.
	 */
	resp = sim_sse_open(r->conn, r->param[0],
			    sim_agent_is_background(r->param[0]), &refused);
	if (!resp && refused) {
		/* SAM's words for a failed SSE setup; 503: try again later */
		snprintf(msg, sizeof(msg),
			 "Failed to establish SSE connection:"
			 " too many open streams (gwsim --max-streams %u)",
			 sim_cfg.max_streams);
		return sim_reply_error(r, 503, msg);
	}
	if (!resp)
		return sim_reply_error(r, 500,
				       "Failed to establish SSE "
				       "connection: server shutting down");
	return sim_reply(r, 200, resp);
}

/* GW/routers/tasks.py cancel_agent_task */
enum MHD_Result sim_api_cancel(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *d;
	const char *id;
	char msg[512];

	if (r->body_over)
		return sim_reply_error(r, 400,
				       "There was an error parsing "
				       "the body");
	body = sim_valid_body(r, &rc);
	if (!body)
		return rc;
	d = json_object();
	sim_valid_cancel_request(d, body);
	if (json_object_size(d)) {
		json_decref(body);
		return sim_reply_invalid(r, "Validation error", d);
	}
	json_decref(d);
	id = json_string_value(
		json_object_get(json_object_get(body, "params"), "id"));
	if (strcmp(id, r->param[0])) {
		json_decref(body);
		return sim_reply_error(r, 400,
				       "Task ID in URL path does not "
				       "match task ID in payload.");
	}
	json_decref(body);
	if (sim_agent_cancel(r->param[0])) {
		snprintf(msg, sizeof(msg),
			 "No active task context found for "
			 "task ID: %.400s",
			 r->param[0]);
		return sim_reply_error(r, 404, msg);
	}
	return sim_reply_json(r, 202,
			      json_pack("{s:s}", "message",
					"Cancellation request sent"));
}

enum MHD_Result sim_api_task_status(struct sim_req *r)
{
	json_t *s = sim_agent_status(r->param[0]);
	char msg[512];

	if (!s) {
		snprintf(msg, sizeof(msg), "Task %.400s not found",
			 r->param[0]);
		return sim_reply_error(r, 404, msg);
	}
	return sim_reply_json(r, 200, s);
}

#define STAT(o, name) \
	json_object_set_new(o, #name, json_integer((json_int_t)SIM_GET(name)))

enum MHD_Result sim_api_stats(struct sim_req *r)
{
	struct sim_sse_counts c;
	struct sim_service_counts sc;
	json_t *o = json_object();
	uint64_t up_ms;

	sim_sse_counts(&c);
	STAT(o, active_streams);
	STAT(o, streams_total);
	STAT(o, streams_ended);
	STAT(o, stream_disconnects);
	json_object_set_new(o, "active_subscriptions",
			    json_integer((json_int_t)c.active_connections));
	json_object_set_new(o, "buffered_tasks",
			    json_integer((json_int_t)c.buffered_tasks));
	json_object_set_new(o, "prior_connections",
			    json_integer((json_int_t)c.prior_connections));
	STAT(o, tasks_submitted);
	STAT(o, tasks_completed);
	STAT(o, tasks_canceled);
	STAT(o, tasks_unknown_agent);
	json_object_set_new(o, "tasks",
			    json_integer((json_int_t)sim_agent_count()));
	STAT(o, background_task_cache);
	STAT(o, events_generated);
	STAT(o, events_sent);
	STAT(o, events_buffered);
	STAT(o, events_buffer_dropped);
	STAT(o, events_persist_only);
	STAT(o, buffers_purged);
	STAT(o, queues_detached);
	STAT(o, pings_sent);
	json_object_set_new(o, "sessions",
			    json_integer((json_int_t)sim_session_count()));
	json_object_set_new(o, "artifacts",
			    json_integer((json_int_t)sim_artifact_count()));
	STAT(o, uploads);
	STAT(o, upload_bytes);
	STAT(o, downloads);
	STAT(o, requests_total);
	STAT(o, responses_2xx);
	STAT(o, responses_3xx);
	STAT(o, responses_4xx);
	STAT(o, responses_5xx);
	STAT(o, connections_open);
	STAT(o, connections_total);
	STAT(o, faults_500);
	STAT(o, streams_cut);
	STAT(o, malformed_events);
	STAT(o, streams_stalled);
	STAT(o, streams_trickled);
	STAT(o, garbage_responses);
	STAT(o, tasks_never_final);
	STAT(o, leaked_kb);
	STAT(o, connections_refused);
	STAT(o, connections_reset);
	STAT(o, paused_requests);
	STAT(o, arrivals_logged);
	STAT(o, streams_refused);
	STAT(o, status_lagged);
	sim_service_counts(&sc);
	json_object_set_new(o, "service_queue",
			    json_integer((json_int_t)sc.queue));
	json_object_set_new(o, "service_queue_max",
			    json_integer((json_int_t)sc.queue_max));
	json_object_set_new(o, "service_busy",
			    json_integer((json_int_t)sc.busy));
	json_object_set_new(o, "timers_pending",
			    json_integer((json_int_t)sim_timer_pending()));
	json_object_set_new(o, "rss_kb", json_integer(sim_rss_kb()));
	/* the clock of --pause-at-s, so a test can aim at the stall */
	up_ms = (sim_now_ns() - sim_cfg.start_ns) / SIM_NS_PER_MS;
	json_object_set_new(o, "uptime_ms", json_integer((json_int_t)up_ms));
	return sim_reply_json(r, 200, o);
}

enum MHD_Result sim_api_introspect(struct sim_req *r)
{
	struct sim_sse_counts c;
	json_t *o = json_object();

	sim_sse_counts(&c);
	json_object_set_new(o, "active_connections",
			    json_integer((json_int_t)c.active_connections));
	json_object_set_new(
		o, "background_task_cache",
		json_integer((json_int_t)SIM_GET(background_task_cache)));
	json_object_set_new(o, "prior_connections",
			    json_integer((json_int_t)c.prior_connections));
	json_object_set_new(o, "buffered_tasks",
			    json_integer((json_int_t)c.buffered_tasks));
	return sim_reply_json(r, 200, o);
}
