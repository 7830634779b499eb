/*
 * gw_proto: SAM JSON payloads (see gw_proto.h).
 */
#include "gw_proto.h"
#include "gw_jscan.h"
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

char *gw_proto_cancel_request(const char *rid, const char *task_id)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:{s:s}}", "jsonrpc", "2.0",
				"id", rid, "method", "tasks/cancel", "params",
				"id", task_id);
	char *body;

	if (!req)
		return NULL;
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return body;
}

/*
 * 1 when a JSON body nests containers deeper than GW_PROTO_MAX_DEPTH.
 * Jansson's parser recurses (some 60 bytes of stack a level, to its 2,048
 * levels): a hostile answer of a few KB could overflow a worker's small
 * stack.  gw_jscan counts with a bitset instead; a body it finds invalid
 * is left to Jansson, which says so.
 */
static int too_deep(const char *body, size_t len)
{
	struct gw_jscan js;
	enum gw_jscan_tok t;

	gw_jscan_init(&js, body, len);
	while ((t = gw_jscan_next(&js)) > GW_JSCAN_END)
		if (js.depth > GW_PROTO_MAX_DEPTH)
			return 1;
	return 0;
}

enum gw_errclass gw_proto_submit_response(const char *body, size_t len,
					  struct gw_task *out, const char **why)
{
	json_t *resp, *result;
	const char *id, *ctx;

	if (too_deep(body, len)) {
		*why = "submit response nested too deep";
		return GW_E_PROTOCOL;
	}
	resp = json_loadb(body, len, 0, NULL);
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
	json_t *resp;
	const char *v;
	enum gw_errclass c = GW_E_NONE;

	if (too_deep(body, len)) {
		*why = "upload response nested too deep";
		return GW_E_PROTOCOL;
	}
	resp = json_loadb(body, len, 0, NULL);
	v = json_str(resp, "sessionId");
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

/*
 * Event classification, on the hot path of every stream: one gw_jscan
 * pass, no tree and no allocation (gw_jscan.c says why).  The rules are
 * what json_loadb and json_object_get said before, to the byte: a member
 * given twice counts by its last value (json_object_set replaces), so a
 * second "result" forgets the first one's members; a member that is not a
 * string where a string is wanted is absent; strings compare decoded.
 */

/* One id member of result: its last value, when that was a string. */
struct ev_id {
	int set;
	int same; /* ... and equal to the task's */
	char s[sizeof(((struct gw_proto_event *)0)->task_id)];
};

/* What the last "result" member said. */
struct ev_result {
	int object; /* it is an object (else nothing below is set) */
	int task;   /* kind "task" */
	int status; /* kind "status-update" */
	int final;  /* final true */
	struct ev_id tid, id, ctx;
};

/* The string value tok (if it is one) into v, compared with want. */
static void ev_read_id(const struct gw_jscan *js, enum gw_jscan_tok tok,
		       struct ev_id *v, const char *want)
{
	v->set = tok == GW_JSCAN_STRING;
	v->same = 0;
	v->s[0] = '\0';
	if (!v->set)
		return;
	gw_jscan_str_copy(js, v->s, sizeof(v->s));
	v->same = want && gw_jscan_str_eq(js, want);
}

/* The members of an object result, whose { was just read.  0, or -1 when
 * the document is not JSON. */
static int ev_result(struct gw_jscan *js, const struct gw_task *task,
		     struct ev_result *r)
{
	enum gw_jscan_tok tok;

	while ((tok = gw_jscan_next(js)) == GW_JSCAN_KEY) {
		struct ev_id *v = NULL;
		const char *want = task ? task->id : NULL;
		int kind = 0, final = 0;

		if (gw_jscan_str_eq(js, "kind")) {
			kind = 1;
		} else if (gw_jscan_str_eq(js, "final")) {
			final = 1;
		} else if (gw_jscan_str_eq(js, "taskId")) {
			v = &r->tid;
		} else if (gw_jscan_str_eq(js, "id")) {
			v = &r->id;
		} else if (gw_jscan_str_eq(js, "contextId")) {
			v = &r->ctx;
			want = task ? task->context_id : NULL;
		}
		tok = gw_jscan_next(js);
		if (kind) {
			r->task = tok == GW_JSCAN_STRING &&
				  gw_jscan_str_eq(js, "task");
			r->status = tok == GW_JSCAN_STRING &&
				    gw_jscan_str_eq(js, "status-update");
		} else if (final) {
			r->final = tok == GW_JSCAN_TRUE;
		} else if (v) {
			ev_read_id(js, tok, v, want);
		}
		if (gw_jscan_skip(js, tok) == GW_JSCAN_ERROR)
			return -1;
	}
	return tok == GW_JSCAN_OBJECT_END ? 0 : -1;
}

/* The whole document: 0 with *r and *error set, or -1 if not JSON. */
static int ev_scan(const char *data, size_t len, const struct gw_task *task,
		   struct ev_result *r, int *error)
{
	struct gw_jscan js;
	enum gw_jscan_tok tok;

	gw_jscan_init(&js, data, len);
	tok = gw_jscan_next(&js);
	if (tok == GW_JSCAN_OBJECT) {
		while ((tok = gw_jscan_next(&js)) == GW_JSCAN_KEY) {
			if (gw_jscan_str_eq(&js, "result")) {
				memset(r, 0, sizeof(*r));
				tok = gw_jscan_next(&js);
				if (tok == GW_JSCAN_OBJECT) {
					r->object = 1;
					if (ev_result(&js, task, r))
						return -1;
					continue;
				}
			} else {
				if (gw_jscan_str_eq(&js, "error"))
					*error = 1; /* any value, even null */
				tok = gw_jscan_next(&js);
			}
			if (gw_jscan_skip(&js, tok) == GW_JSCAN_ERROR)
				return -1;
		}
		if (tok != GW_JSCAN_OBJECT_END)
			return -1;
	} else if (gw_jscan_skip(&js, tok) == GW_JSCAN_ERROR) {
		return -1; /* an array is JSON with nothing for us */
	}
	return gw_jscan_next(&js) == GW_JSCAN_END ? 0 : -1;
}

enum gw_errclass gw_proto_event(const char *type, const char *data, size_t len,
				const struct gw_task *task,
				struct gw_proto_event *out)
{
	struct ev_result r;
	const struct ev_id *tid;
	int error = 0;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	out->terminal = !strcmp(type, "final_response");
	if (ev_scan(data, len, task, &r, &error))
		return GW_E_PARSE;
	out->parsed = 1;
	if (error || r.task || (r.status && r.final))
		out->terminal = 1;
	/* status and artifact updates carry result.taskId, a Task carries
	 * result.id; both carry result.contextId; errors carry neither */
	tid = r.tid.set ? &r.tid : r.id.set ? &r.id : NULL;
	if (tid)
		gw_strlcpy(out->task_id, tid->s, sizeof(out->task_id));
	if (r.ctx.set)
		gw_strlcpy(out->context_id, r.ctx.s, sizeof(out->context_id));
	if (task && r.object &&
	    ((tid && !tid->same) ||
	     (r.ctx.set && *task->context_id && !r.ctx.same)))
		out->foreign = 1;
	return GW_E_NONE;
}
