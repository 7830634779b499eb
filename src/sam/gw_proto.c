/*
 * gw_proto: SAM JSON payloads (see gw_proto.h).
 */
#include "gw_proto.h"
#include "gw_util.h"

#include <jansson.h>
#include <string.h>

static const char *json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

char *gw_proto_submit_request(const char *rid, const char *mid,
			      const char *text, const char *context_id,
			      const char *agent)
{
	json_t *msg, *req;
	char *body;

	msg = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:{s:s}}", "role",
			"user", "messageId", mid, "kind", "message", "parts",
			"kind", "text", "text", text, "metadata", "agent_name",
			agent);
	if (!msg)
		return NULL;
	if (context_id && *context_id &&
	    json_object_set_new(msg, "contextId", json_string(context_id))) {
		json_decref(msg);
		return NULL;
	}
	req = json_pack("{s:s, s:s, s:s, s:{s:o}}", "jsonrpc", "2.0", "id", rid,
			"method", "message/stream", "params", "message", msg);
	if (!req)
		return NULL;
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return body;
}

enum gw_errclass gw_proto_submit_response(const char *body, size_t len,
					  struct gw_task *out, const char **why)
{
	json_t *resp = json_loadb(body, len, 0, NULL), *result;
	const char *id, *ctx;

	if (!resp) {
		*why = "submit response is not JSON";
		return GW_E_PARSE;
	}
	result = json_object_get(resp, "result");
	id = json_str(result, "id");
	ctx = json_str(result, "contextId");
	if (!id || !*id || strlen(id) >= sizeof(out->id) ||
	    (ctx && strlen(ctx) >= sizeof(out->context_id))) {
		*why = json_object_get(resp, "error")
			       ? "submit answered a JSON-RPC error"
		       : id && *id ? "submit response ids are too long"
				   : "submit response has no result.id";
		json_decref(resp);
		return GW_E_PROTOCOL;
	}
	gw_strlcpy(out->id, id, sizeof(out->id));
	gw_strlcpy(out->context_id, ctx ? ctx : "", sizeof(out->context_id));
	json_decref(resp);
	return GW_E_NONE;
}

enum gw_errclass gw_proto_upload_response(const char *body, size_t len,
					  char *sid, size_t n, const char **why)
{
	json_t *resp = json_loadb(body, len, 0, NULL);
	const char *v = json_str(resp, "sessionId");
	enum gw_errclass c = GW_E_NONE;

	if (!resp) {
		*why = "upload response is not JSON";
		c = GW_E_PARSE;
	} else if (!v || !*v || strlen(v) >= n) {
		*why = "upload response has no sessionId";
		c = GW_E_PROTOCOL;
	} else {
		gw_strlcpy(sid, v, n);
	}
	json_decref(resp);
	return c;
}

enum gw_errclass gw_proto_event(const char *type, const char *data, size_t len,
				const struct gw_task *task,
				struct gw_proto_event *out)
{
	json_t *j = json_loadb(data, len, 0, NULL), *result;
	const char *kind, *tid, *ctx;

	memset(out, 0, sizeof(*out));
	out->terminal = !strcmp(type, "final_response");
	if (!j)
		return GW_E_PARSE;
	out->parsed = 1;
	result = json_object_get(j, "result");
	kind = json_str(result, "kind");
	if (json_object_get(j, "error") || (kind && !strcmp(kind, "task")) ||
	    (kind && !strcmp(kind, "status-update") &&
	     json_is_true(json_object_get(result, "final"))))
		out->terminal = 1;
	/* status and artifact updates carry result.taskId, a Task carries
	 * result.id; both carry result.contextId; errors carry neither */
	tid = json_str(result, "taskId");
	if (!tid)
		tid = json_str(result, "id");
	ctx = json_str(result, "contextId");
	gw_strlcpy(out->task_id, tid ? tid : "", sizeof(out->task_id));
	gw_strlcpy(out->context_id, ctx ? ctx : "", sizeof(out->context_id));
	if (task && json_is_object(result) &&
	    ((tid && strcmp(tid, task->id)) ||
	     (ctx && *task->context_id && strcmp(ctx, task->context_id))))
		out->foreign = 1;
	json_decref(j);
	return GW_E_NONE;
}
