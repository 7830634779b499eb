/*
 * proto_oracle: gw_proto_event as it was before gw_jscan, on Jansson's
 * tree (json_loadb, json_object_get), kept word for word as the oracle
 * the scanner-based classification must equal: the same return value and
 * the same struct gw_proto_event, byte for byte, for every input.  Test
 * code only: check_proto (hand-written cases and random documents),
 * fuzz_proto (mode 2) and bench_proto (the "before" figure) include it,
 * so all three compare against one copy.
 *
 * Needs Jansson and json_object_seed() called once before any thread.
 */
#ifndef GW_PROTO_ORACLE_H
#define GW_PROTO_ORACLE_H

#include <jansson.h>
#include <string.h>

#include "gw_proto.h"
#include "gw_util.h"

static inline const char *oracle_json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline enum gw_errclass oracle_event(const char *type, const char *data,
					    size_t len,
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
	kind = oracle_json_str(result, "kind");
	if (json_object_get(j, "error") || (kind && !strcmp(kind, "task")) ||
	    (kind && !strcmp(kind, "status-update") &&
	     json_is_true(json_object_get(result, "final"))))
		out->terminal = 1;
	tid = oracle_json_str(result, "taskId");
	if (!tid)
		tid = oracle_json_str(result, "id");
	ctx = oracle_json_str(result, "contextId");
	gw_strlcpy(out->task_id, tid ? tid : "", sizeof(out->task_id));
	gw_strlcpy(out->context_id, ctx ? ctx : "", sizeof(out->context_id));
	if (task && json_is_object(result) &&
	    ((tid && strcmp(tid, task->id)) ||
	     (ctx && *task->context_id && strcmp(ctx, task->context_id))))
		out->foreign = 1;
	json_decref(j);
	return GW_E_NONE;
}

#endif /* GW_PROTO_ORACLE_H */
