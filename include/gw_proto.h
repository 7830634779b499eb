/*
 * gw_proto: the SAM gateway's JSON payloads, as pure functions with no I/O
 * (so that the fuzzers can reach every parser gwstress runs on bytes a
 * gateway sent): the JSON-RPC submit request and response, the artifact
 * upload response, and the classification of one SSE event (terminal?
 * whose task and session?).  Shapes: sam-gateway-protocol.md sections 4,
 * 5 and 8.
 *
 * Thread safety: none needed; every function works on its arguments only
 * (Jansson is thread-safe once json_object_seed ran, see gw_http).
 */
#ifndef GW_PROTO_H
#define GW_PROTO_H

#include <stddef.h>

#include "gw_errclass.h"

/* Deepest nesting of a response body parsed into a tree (gw_proto.c). */
#define GW_PROTO_MAX_DEPTH 64

struct gw_task {
	char id[160];	      /* result.id */
	char context_id[160]; /* result.contextId */
};

/*
 * The body of POST /api/v1/message:stream: a JSON-RPC 2.0 request with
 * method message/stream, the user's text, optional contextId (NULL or ""
 * for a new session) and metadata.agent_name.  rid and mid are the
 * request and message ids.  Returns a malloc'd string (caller frees), or
 * NULL if text is not valid UTF-8 (or on OOM).
 */
char *gw_proto_submit_request(const char *rid, const char *mid,
			      const char *text, const char *context_id,
			      const char *agent);

/*
 * The body of POST /api/v1/tasks/{id}:cancel: a JSON-RPC 2.0
 * CancelTaskRequest (method tasks/cancel, params.id = the task id; SAM
 * answers 422 to anything else).  Returns a malloc'd string (caller
 * frees), or NULL if task_id is not valid UTF-8 (or on OOM).
 */
char *gw_proto_cancel_request(const char *rid, const char *task_id);

/*
 * Parse a submit response body: task id from result.id, session from
 * result.contextId.  Returns GW_E_NONE with *out filled, or GW_E_PARSE
 * (not JSON) / GW_E_PROTOCOL (no usable result.id, a JSON-RPC error, ids
 * too long, nested deeper than GW_PROTO_MAX_DEPTH) with a static reason
 * in *why.
 */
enum gw_errclass gw_proto_submit_response(const char *body, size_t len,
					  struct gw_task *out,
					  const char **why);

/* Upload response (201): copies sessionId into sid (size n).  Same
 * return convention. */
enum gw_errclass gw_proto_upload_response(const char *body, size_t len,
					  char *sid, size_t n,
					  const char **why);

/* What one SSE event says. */
struct gw_proto_event {
	int parsed;	  /* data was JSON */
	int terminal;	  /* the task is over */
	int foreign;	  /* carries another task's or session's id */
	char task_id[64]; /* ids it carries (truncated), for messages */
	char context_id[64];
};

/*
 * Classify an event of type `type` with data[0..len).  Terminal:
 * event final_response, or JSON with a top-level "error", a result of
 * kind "task", or a status-update with final: true (what SAM's frontend
 * decides on).  When `task` is not NULL, frames whose result.taskId (or a
 * Task's result.id) or result.contextId differ from it are foreign.
 * Returns GW_E_NONE, or GW_E_PARSE when data is not JSON (the event may
 * still be terminal by its type).  "JSON" is what json_loadb accepts,
 * and a member given twice counts by its last value, as in Jansson's
 * tree; but nothing is allocated: one gw_jscan pass over data.
 */
enum gw_errclass gw_proto_event(const char *type, const char *data, size_t len,
				const struct gw_task *task,
				struct gw_proto_event *out);

#endif /* GW_PROTO_H */
