/*
 * check_proto: the SAM JSON payloads -- the submit request's exact
 * JSON-RPC shape, submit and upload response parsing (good, JSON-RPC
 * error, not JSON, missing or oversized ids), and SSE event
 * classification (every terminal form of the protocol, foreign frames).
 *
 * gw_proto_event runs on gw_jscan, not on Jansson's tree; it must give
 * what the Jansson version gave (proto_oracle.h) for every input, valid
 * or not: the same return value and the same struct, byte for byte.
 * Two differential tests hold it there:
 *  - ev_cases: hand-written inputs, each named after the rule it pins
 *    (terminal forms, ids, foreign frames, duplicate keys, and what
 *    json_loadb accepts: numbers, strings, UTF-8, nesting, Jansson's NUL
 *    quirk), each with its expected result as well as the oracle's;
 *  - random documents: RANDOM_DOCS SAM-shaped JSON documents from a
 *    seeded generator (splitmix64), each also mutated RANDOM_MUTANTS
 *    times (bytes replaced, inserted, deleted, cut, a NUL after a token),
 *    about 1 s in all at -O2; the test also checks that the inputs cover
 *    valid and invalid, terminal, foreign and id-carrying events.
 * Inputs are copied to blocks of exactly their length, so a read past
 * the end is ASan's.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_proto.h"
#include "check_main.h"
#include "proto_oracle.h"

#define EV(type, data, task, out) \
	gw_proto_event(type, data, strlen(data), task, out)

START_TEST(test_submit_request)
{
	char *b = gw_proto_submit_request("r1", "m1", "hi \"there\"", NULL,
					  "TestAgent");
	json_t *j = json_loads(b, 0, NULL), *msg;

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "jsonrpc")),
			 "2.0");
	ck_assert_str_eq(json_string_value(json_object_get(j, "method")),
			 "message/stream");
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "r1");
	msg = json_object_get(json_object_get(j, "params"), "message");
	ck_assert_str_eq(json_string_value(json_object_get(msg, "role")),
			 "user");
	ck_assert_str_eq(json_string_value(json_object_get(msg, "messageId")),
			 "m1");
	ck_assert_str_eq(json_string_value(json_object_get(msg, "kind")),
			 "message");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(msg, "parts"), 0),
			"text")),
		"hi \"there\"");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(msg, "metadata"), "agent_name")),
		"TestAgent");
	/* no contextId: the gateway creates a session */
	ck_assert_ptr_null(json_object_get(msg, "contextId"));
	json_decref(j);
	free(b);
	b = gw_proto_submit_request("r", "m", "x", "web-session-1", "A");
	ck_assert_ptr_nonnull(strstr(b, "\"contextId\":\"web-session-1\""));
	free(b);
	/* invalid UTF-8 cannot be sent */
	ck_assert_ptr_null(
		gw_proto_submit_request("r", "m", "\xff", NULL, "A"));
}
END_TEST

/* SAM's CancelTaskRequest: method tasks/cancel, params.id the task's id,
 * escaped as JSON. */
START_TEST(test_cancel_request)
{
	char *b = gw_proto_cancel_request("r1", "task-\"1\"");
	json_t *j = json_loads(b, 0, NULL);

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "jsonrpc")),
			 "2.0");
	ck_assert_str_eq(json_string_value(json_object_get(j, "method")),
			 "tasks/cancel");
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "r1");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(j, "params"), "id")),
			 "task-\"1\"");
	ck_assert_int_eq(json_object_size(j), 4);
	json_decref(j);
	free(b);
	ck_assert_ptr_null(gw_proto_cancel_request("r", "\xff"));
}
END_TEST

/* A response nested deeper than GW_PROTO_MAX_DEPTH is refused before
 * Jansson's recursive parser sees it (a worker's stack is small). */
START_TEST(test_response_depth)
{
	char body[4096];
	struct gw_task t;
	const char *why = NULL;
	char sid[64];
	size_t n;

	for (int depth = GW_PROTO_MAX_DEPTH - 1;
	     depth <= GW_PROTO_MAX_DEPTH + 1; depth++) {
		/* {"result":{"id":"t","contextId":"c","x":[[...]]}}: two
		 * objects, then arrays to the depth */
		n = (size_t)sprintf(body, "{\"result\":{\"id\":\"t\","
					  "\"contextId\":\"c\",\"x\":");
		for (int i = 2; i < depth; i++)
			body[n++] = '[';
		for (int i = 2; i < depth; i++)
			body[n++] = ']';
		n += (size_t)sprintf(body + n, "}}");
		why = NULL;
		if (depth <= GW_PROTO_MAX_DEPTH) {
			ck_assert_int_eq(gw_proto_submit_response(body, n, &t,
								  &why),
					 GW_E_NONE);
			ck_assert_str_eq(t.id, "t");
		} else {
			ck_assert_int_eq(gw_proto_submit_response(body, n, &t,
								  &why),
					 GW_E_PROTOCOL);
			ck_assert_str_eq(why,
					 "submit response nested too deep");
			ck_assert_int_eq(gw_proto_upload_response(body, n, sid,
								  sizeof(sid),
								  &why),
					 GW_E_PROTOCOL);
			ck_assert_str_eq(why,
					 "upload response nested too deep");
		}
	}
}
END_TEST

START_TEST(test_submit_response)
{
	struct gw_task t;
	const char *why = NULL;
	const char *ok =
		"{\"id\":\"r\",\"jsonrpc\":\"2.0\",\"result\":{"
		"\"id\":\"gdk-task-1\",\"contextId\":\"web-session-2\","
		"\"kind\":\"task\"}}";
	char big[600];

	ck_assert_int_eq(gw_proto_submit_response(ok, strlen(ok), &t, &why),
			 GW_E_NONE);
	ck_assert_str_eq(t.id, "gdk-task-1");
	ck_assert_str_eq(t.context_id, "web-session-2");
	ck_assert_int_eq(gw_proto_submit_response("<html>", 6, &t, &why),
			 GW_E_PARSE);
	ck_assert_str_eq(why, "submit response is not JSON");
	ck_assert_int_eq(gw_proto_submit_response("{\"error\":{\"code\":-1}}",
						  21, &t, &why),
			 GW_E_PROTOCOL);
	ck_assert_str_eq(why, "submit answered a JSON-RPC error");
	ck_assert_int_eq(gw_proto_submit_response("{\"result\":{\"id\":5}}", 19,
						  &t, &why),
			 GW_E_PROTOCOL);
	ck_assert_str_eq(why, "submit response has no result.id");
	snprintf(big, sizeof(big), "{\"result\":{\"id\":\"%0300d\"}}", 1);
	ck_assert_int_eq(gw_proto_submit_response(big, strlen(big), &t, &why),
			 GW_E_PROTOCOL);
}
END_TEST

START_TEST(test_upload_response)
{
	char sid[16];
	const char *why;
	const char *ok = "{\"sessionId\":\"web-session-9\",\"size\":1}";

	ck_assert_int_eq(gw_proto_upload_response(ok, strlen(ok), sid,
						  sizeof(sid), &why),
			 GW_E_NONE);
	ck_assert_str_eq(sid, "web-session-9");
	ck_assert_int_eq(gw_proto_upload_response("{}", 2, sid, sizeof(sid),
						  &why),
			 GW_E_PROTOCOL);
	ck_assert_int_eq(gw_proto_upload_response("nope", 4, sid, sizeof(sid),
						  &why),
			 GW_E_PARSE);
	ck_assert_int_eq(gw_proto_upload_response(ok, strlen(ok), sid, 8, &why),
			 GW_E_PROTOCOL);
}
END_TEST

START_TEST(test_event_terminal)
{
	struct gw_proto_event e;

	ck_assert_int_eq(EV("status_update",
			    "{\"result\":{\"kind\":"
			    "\"status-update\",\"final\":false}}",
			    NULL, &e),
			 GW_E_NONE);
	ck_assert_int_eq(e.terminal, 0);
	EV("status_update",
	   "{\"result\":{\"kind\":\"status-update\","
	   "\"final\":true}}",
	   NULL, &e);
	ck_assert_int_eq(e.terminal, 1);
	EV("message", "{\"result\":{\"kind\":\"task\"}}", NULL, &e);
	ck_assert_int_eq(e.terminal, 1);
	EV("message", "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000}}", NULL,
	   &e);
	ck_assert_int_eq(e.terminal, 1);
	EV("artifact_update", "{\"result\":{\"kind\":\"artifact-update\"}}",
	   NULL, &e);
	ck_assert_int_eq(e.terminal, 0);
	/* by name alone, even when the data is not JSON */
	ck_assert_int_eq(EV("final_response", "not json", NULL, &e),
			 GW_E_PARSE);
	ck_assert_int_eq(e.terminal, 1);
	ck_assert_int_eq(e.parsed, 0);
}
END_TEST

START_TEST(test_event_foreign)
{
	struct gw_task t = { "gdk-task-A", "web-session-A" };
	struct gw_proto_event e;

	EV("status_update",
	   "{\"result\":{\"taskId\":\"gdk-task-A\","
	   "\"contextId\":\"web-session-A\"}}",
	   &t, &e);
	ck_assert_int_eq(e.foreign, 0);
	EV("status_update",
	   "{\"result\":{\"taskId\":\"gdk-task-B\","
	   "\"contextId\":\"web-session-A\"}}",
	   &t, &e);
	ck_assert_int_eq(e.foreign, 1);
	ck_assert_str_eq(e.task_id, "gdk-task-B");
	EV("final_response",
	   "{\"result\":{\"id\":\"gdk-task-A\","
	   "\"contextId\":\"web-session-B\",\"kind\":\"task\"}}",
	   &t, &e);
	ck_assert_int_eq(e.foreign, 1);
	ck_assert_str_eq(e.context_id, "web-session-B");
	/* errors carry no ids and are not judged; no task: never foreign */
	EV("final_response", "{\"error\":{\"code\":1}}", &t, &e);
	ck_assert_int_eq(e.foreign, 0);
	EV("status_update", "{\"result\":{\"taskId\":\"x\"}}", NULL, &e);
	ck_assert_int_eq(e.foreign, 0);
}
END_TEST

/* --- the differential tests ------------------------------------------- */

#define D10 "0123456789"
#define A10 "aaaaaaaaaa"
#define A62 A10 A10 A10 A10 A10 A10 "aa"
#define ID63 "gdk-task-" D10 D10 D10 D10 D10 "0123"
/* 100 bytes; _B differs from it at byte 79, after the 63 an event keeps */
#define LONG_ID "gdk-task-" D10 D10 D10 D10 D10 D10 D10 D10 D10 "0"
#define LONG_ID_B "gdk-task-" D10 D10 D10 D10 D10 D10 D10 "X123456789" D10 "0"
/* 2^1024 - 2^970: a real at or above it overflows (strtod's HUGE_VAL) */
#define MIDPOINT                                                            \
	"17976931348623158079372897140530341507993413271003782693617377898" \
	"04449682927647509466490179775872070963302864166928879109465555478" \
	"51940402630657488671505820681908902000708383676273854845817711531" \
	"76447573027006985557136695962284291481986083493647529271907416844" \
	"4365510704342711559699508093042880177904174497792"
#define MIDPOINT_308                                                        \
	"17976931348623158079372897140530341507993413271003782693617377898" \
	"04449682927647509466490179775872070963302864166928879109465555478" \
	"51940402630657488671505820681908902000708383676273854845817711531" \
	"76447573027006985557136695962284291481986083493647529271907416844" \
	"436551070434271155969950809304288017790417449779"

/* The tasks frames are judged against: none, and these (by letter). */
static const struct gw_task task_T = { "gdk-task-1", "web-session-1" };
static const struct gw_task task_t = { "gdk-task-1", "" };
static const struct gw_task task_L = { LONG_ID, "web-session-1" };

static const struct gw_task *task_of(char c)
{
	return c == 'T'	  ? &task_T
	       : c == 't' ? &task_t
	       : c == 'L' ? &task_L
			  : NULL;
}

/* A printable copy of data[0, n) for failure messages (cut to fit). */
static const char *show(const char *data, size_t n)
{
	static char b[700];
	size_t i, k = 0;

	for (i = 0; i < n && k + 8 < sizeof(b); i++) {
		unsigned char c = (unsigned char)data[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			b[k++] = (char)c;
		else
			k += (size_t)snprintf(b + k, sizeof(b) - k, "\\x%02x",
					      c);
	}
	b[k] = '\0';
	return b;
}

/*
 * gw_proto_event and the oracle on the same input (copied to a block of
 * exactly its length), into outputs that start filled with different
 * junk; fails unless both return the same and fill the same bytes.
 * Leaves gw_proto_event's result in *got.
 */
static enum gw_errclass same_as_oracle(const char *name, const char *type,
				       const char *data, size_t len,
				       const struct gw_task *task,
				       struct gw_proto_event *got)
{
	struct gw_proto_event want;
	enum gw_errclass cg, cw;
	char *copy = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(copy);
	if (len)
		memcpy(copy, data, len);
	memset(got, 0xA5, sizeof(*got));
	memset(&want, 0x5A, sizeof(want));
	cg = gw_proto_event(type, copy, len, task, got);
	cw = oracle_event(type, copy, len, task, &want);
	ck_assert_msg(cg == cw && !memcmp(got, &want, sizeof(want)),
		      "%s: scanner %d parsed %d terminal %d foreign %d "
		      "tid '%.63s' ctx '%.63s'; Jansson %d parsed %d "
		      "terminal %d foreign %d tid '%.63s' ctx '%.63s'; "
		      "type %s, data '%s'",
		      name, cg, got->parsed, got->terminal, got->foreign,
		      got->task_id, got->context_id, cw, want.parsed,
		      want.terminal, want.foreign, want.task_id,
		      want.context_id, type, show(data, len));
	free(copy);
	return cg;
}

struct ev_case {
	const char *name; /* the rule it pins */
	const char *type;
	char task; /* 0: none, else task_of() */
	const char *data;
	size_t len;
	int parse_error; /* expected: GW_E_PARSE */
	int terminal, foreign;
	const char *task_id, *context_id;
};

#define EVC(name, type, task, data, err, term, foreign, tid, ctx)             \
	{                                                                     \
		name, type, task, data, sizeof(data) - 1, err, term, foreign, \
			tid, ctx                                              \
	}
/* a status_update judged by no task, that carries no ids */
#define ACC(name, data, err) \
	EVC(name, "status_update", 0, data, err, 0, 0, "", "")
#define R(members) "{\"result\":{" members "}}"

/*
 * Each rule of gw_proto_event (gw_proto.h) and of json_loadb's acceptance
 * (gw_jscan.h), one input per case.  The data's length is its literal's,
 * so embedded NULs count.
 */
static const struct ev_case ev_cases[] = {
	/* terminal: by the event's type */
	EVC("type final_response, data not JSON", "final_response", 0,
	    "not json", 1, 1, 0, "", ""),
	EVC("type final_response, data empty", "final_response", 0, "", 1, 1, 0,
	    "", ""),
	EVC("type final_response, data {}", "final_response", 0, "{}", 0, 1, 0,
	    "", ""),
	EVC("type error is not terminal by itself", "error", 0, "{}", 0, 0, 0,
	    "", ""),
	/* terminal: a top-level "error", whatever its value */
	EVC("error: an object", "status_update", 0,
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000}}", 0, 1, 0, "",
	    ""),
	EVC("error: null", "status_update", 0, "{\"error\":null}", 0, 1, 0, "",
	    ""),
	EVC("error: false", "status_update", 0, "{\"error\":false}", 0, 1, 0,
	    "", ""),
	EVC("error: empty string", "status_update", 0, "{\"error\":\"\"}", 0, 1,
	    0, "", ""),
	EVC("error: SAM's queue error", "error", 0,
	    "{\"error\": \"Internal queue error\"}", 0, 1, 0, "", ""),
	EVC("error: key escaped", "status_update", 0, "{\"\\u0065rror\":0}", 0,
	    1, 0, "", ""),
	EVC("error: twice", "status_update", 0, "{\"error\":1,\"error\":[]}", 0,
	    1, 0, "", ""),
	EVC("error: after a result", "status_update", 0,
	    "{\"result\":{\"taskId\":\"a\"},\"error\":1}", 0, 1, 0, "a", ""),
	EVC("error: only inside result", "status_update", 0, R("\"error\":1"),
	    0, 0, 0, "", ""),
	EVC("error: only inside an array", "status_update", 0,
	    "[{\"error\":1}]", 0, 0, 0, "", ""),
	EVC("error: only as a value", "status_update", 0,
	    "{\"type\":\"error\"}", 0, 0, 0, "", ""),
	EVC("error: key Error", "status_update", 0, "{\"Error\":1}", 0, 0, 0,
	    "", ""),
	EVC("error: key errors", "status_update", 0, "{\"errors\":1}", 0, 0, 0,
	    "", ""),
	/* terminal: result.kind "task" */
	EVC("kind task", "message", 0, R("\"kind\":\"task\""), 0, 1, 0, "", ""),
	EVC("kind task, value escaped", "message", 0,
	    R("\"kind\":\"t\\u0061sk\""), 0, 1, 0, "", ""),
	EVC("kind task, key escaped", "message", 0,
	    R("\"k\\u0069nd\":\"task\""), 0, 1, 0, "", ""),
	EVC("kind tasks", "message", 0, R("\"kind\":\"tasks\""), 0, 0, 0, "",
	    ""),
	EVC("kind tas", "message", 0, R("\"kind\":\"tas\""), 0, 0, 0, "", ""),
	EVC("kind Task", "message", 0, R("\"kind\":\"Task\""), 0, 0, 0, "", ""),
	EVC("kind task in an array", "message", 0, R("\"kind\":[\"task\"]"), 0,
	    0, 0, "", ""),
	EVC("kind task at the top", "message", 0, "{\"kind\":\"task\"}", 0, 0,
	    0, "", ""),
	EVC("kind task one level down", "message", 0,
	    R("\"status\":{\"kind\":\"task\"}"), 0, 0, 0, "", ""),
	EVC("kind twice, last message", "message", 0,
	    R("\"kind\":\"task\",\"kind\":\"message\""), 0, 0, 0, "", ""),
	EVC("kind twice, last task", "message", 0,
	    R("\"kind\":\"message\",\"kind\":\"task\""), 0, 1, 0, "", ""),
	EVC("kind twice, last a number", "message", 0,
	    R("\"kind\":\"task\",\"kind\":5"), 0, 0, 0, "", ""),
	/* terminal: a status-update with final true */
	EVC("status-update, final true", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":true"), 0, 1, 0, "", ""),
	EVC("status-update, final before kind", "status_update", 0,
	    R("\"final\":true,\"kind\":\"status-update\""), 0, 1, 0, "", ""),
	EVC("status-update, kind escaped", "status_update", 0,
	    R("\"kind\":\"status\\u002dupdate\",\"final\":true"), 0, 1, 0, "",
	    ""),
	EVC("status-update, final false", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":false"), 0, 0, 0, "", ""),
	EVC("status-update, final \"true\"", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":\"true\""), 0, 0, 0, "",
	    ""),
	EVC("status-update, final 1", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":1"), 0, 0, 0, "", ""),
	EVC("status-update, final null", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":null"), 0, 0, 0, "", ""),
	EVC("status-update, no final", "status_update", 0,
	    R("\"kind\":\"status-update\""), 0, 0, 0, "", ""),
	EVC("status-update, final true then false", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":true,\"final\":false"), 0,
	    0, 0, "", ""),
	EVC("status-update, final false then true", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":false,\"final\":true"), 0,
	    1, 0, "", ""),
	EVC("status-update, final true, a NUL after it", "status_update", 0,
	    R("\"kind\":\"status-update\",\"final\":true\0"), 0, 1, 0, "", ""),
	EVC("artifact-update, final true", "artifact_update", 0,
	    R("\"kind\":\"artifact-update\",\"final\":true"), 0, 0, 0, "", ""),
	EVC("final true, no kind", "status_update", 0, R("\"final\":true"), 0,
	    0, 0, "", ""),
	EVC("final true at the top", "status_update", 0,
	    "{\"kind\":\"status-update\",\"final\":true}", 0, 0, 0, "", ""),
	/* a second "result" replaces the first, members and all */
	EVC("result twice, last message", "message", 0,
	    "{\"result\":{\"kind\":\"task\"},\"result\":{\"kind\":\"message\"}}",
	    0, 0, 0, "", ""),
	EVC("result twice, last task", "message", 0,
	    "{\"result\":{\"kind\":\"message\"},\"result\":{\"kind\":\"task\"}}",
	    0, 1, 0, "", ""),
	EVC("result twice, last a number", "message", 0,
	    "{\"result\":{\"kind\":\"task\",\"taskId\":\"a\"},\"result\":5}", 0,
	    0, 0, "", ""),
	EVC("result twice, first null", "message", 0,
	    "{\"result\":null,\"result\":{\"kind\":\"task\"}}", 0, 1, 0, "",
	    ""),
	EVC("result twice, members do not merge", "message", 0,
	    "{\"result\":{\"taskId\":\"a\",\"contextId\":\"c\"},\"result\":{\"kind\":\"x\"}}",
	    0, 0, 0, "", ""),
	EVC("result twice, ids from the last", "message", 0,
	    "{\"result\":{\"taskId\":\"a\"},\"result\":{\"id\":\"b\"}}", 0, 0,
	    0, "b", ""),
	EVC("result a string", "message", 0, "{\"result\":\"task\"}", 0, 0, 0,
	    "", ""),
	EVC("result an array of objects", "message", 0,
	    "{\"result\":[{\"kind\":\"task\",\"taskId\":\"a\"}]}", 0, 0, 0, "",
	    ""),
	EVC("result, key escaped", "message", 0,
	    "{\"res\\u0075lt\":{\"kind\":\"task\"}}", 0, 1, 0, "", ""),
	EVC("results is not result", "message", 0,
	    "{\"results\":{\"kind\":\"task\"}}", 0, 0, 0, "", ""),
	EVC("result inside an array", "message", 0,
	    "[{\"result\":{\"kind\":\"task\"}}]", 0, 0, 0, "", ""),
	/* ids: result.taskId, else result.id; result.contextId */
	EVC("ids: taskId and contextId", "status_update", 0,
	    R("\"taskId\":\"gdk-task-1\",\"contextId\":\"web-session-1\""), 0,
	    0, 0, "gdk-task-1", "web-session-1"),
	EVC("ids: id without taskId", "final_response", 0,
	    R("\"id\":\"gdk-task-2\",\"kind\":\"task\""), 0, 1, 0, "gdk-task-2",
	    ""),
	EVC("ids: taskId after id wins", "status_update", 0,
	    R("\"id\":\"b\",\"taskId\":\"a\""), 0, 0, 0, "a", ""),
	EVC("ids: taskId before id wins", "status_update", 0,
	    R("\"taskId\":\"a\",\"id\":\"b\""), 0, 0, 0, "a", ""),
	EVC("ids: taskId a number, id used", "status_update", 0,
	    R("\"taskId\":5,\"id\":\"b\""), 0, 0, 0, "b", ""),
	EVC("ids: taskId null, no id", "status_update", 0, R("\"taskId\":null"),
	    0, 0, 0, "", ""),
	EVC("ids: taskId twice, last a number", "status_update", 0,
	    R("\"taskId\":\"a\",\"taskId\":7,\"id\":\"b\""), 0, 0, 0, "b", ""),
	EVC("ids: taskId twice, last wins", "status_update", 0,
	    R("\"taskId\":\"a\",\"taskId\":\"c\""), 0, 0, 0, "c", ""),
	EVC("ids: taskId long then short", "status_update", 0,
	    R("\"taskId\":\"" A62 "\",\"taskId\":\"x\""), 0, 0, 0, "x", ""),
	EVC("ids: id an object", "status_update", 0, R("\"id\":{\"id\":\"b\"}"),
	    0, 0, 0, "", ""),
	EVC("ids: contextId a number", "status_update", 0, R("\"contextId\":1"),
	    0, 0, 0, "", ""),
	EVC("ids: contextId twice, last wins", "status_update", 0,
	    R("\"contextId\":\"c\",\"contextId\":\"d\""), 0, 0, 0, "", "d"),
	EVC("ids: contextId twice, last false", "status_update", 0,
	    R("\"contextId\":\"c\",\"contextId\":false"), 0, 0, 0, "", ""),
	EVC("ids: the JSON-RPC id is not the task's", "status_update", 0,
	    "{\"id\":\"gdk-task-9\",\"result\":{}}", 0, 0, 0, "", ""),
	EVC("ids: short escapes decoded", "status_update", 0,
	    R("\"taskId\":\"a\\\"b\\\\c\\/d\\n\\t\\b\\f\\r\""), 0, 0, 0,
	    "a\"b\\c/d\n\t\b\f\r", ""),
	EVC("ids: \\u escapes decoded", "status_update", 0,
	    R("\"taskId\":\"\\u00e9\\u20AC\\ud83d\\ude00\\u0001\""), 0, 0, 0,
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x01", ""),
	EVC("ids: raw UTF-8 kept", "status_update", 0,
	    R("\"contextId\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), 0, 0,
	    0, "", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	EVC("ids: 63 bytes kept", "status_update", 0,
	    R("\"taskId\":\"" ID63 "\""), 0, 0, 0, ID63, ""),
	EVC("ids: 64 bytes cut to 63", "status_update", 0,
	    R("\"taskId\":\"" ID63 "x\""), 0, 0, 0, ID63, ""),
	EVC("ids: 100 bytes cut to 63", "status_update", 0,
	    R("\"contextId\":\"" LONG_ID "\""), 0, 0, 0, "", ID63),
	EVC("ids: cut inside an escaped UTF-8 sequence", "status_update", 0,
	    R("\"taskId\":\"" A62 "\\u00e9\""), 0, 0, 0, A62 "\xc3", ""),
	EVC("ids: cut inside a raw UTF-8 sequence", "status_update", 0,
	    R("\"taskId\":\"" A62 "\xc3\xa9\""), 0, 0, 0, A62 "\xc3", ""),
	EVC("ids: cut after escapes", "status_update", 0,
	    R("\"id\":\"\\u0061\\u0061" A62 "\""), 0, 0, 0,
	    "aa" A10 A10 A10 A10 A10 A10 "a", ""),
	EVC("ids: result not an object", "status_update", 0,
	    "{\"result\":[\"taskId\",\"a\"]}", 0, 0, 0, "", ""),
	EVC("ids: not JSON, none", "status_update", 0,
	    R("\"taskId\":\"a\"") ",", 1, 0, 0, "", ""),
	/* foreign: judged only with a task and an object result */
	EVC("foreign: own task and session", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-1\",\"contextId\":\"web-session-1\""), 0,
	    0, 0, "gdk-task-1", "web-session-1"),
	EVC("foreign: other taskId", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-2\",\"contextId\":\"web-session-1\""), 0,
	    0, 1, "gdk-task-2", "web-session-1"),
	EVC("foreign: other id of a Task", "final_response", 'T',
	    R("\"id\":\"gdk-task-2\",\"kind\":\"task\""), 0, 1, 1, "gdk-task-2",
	    ""),
	EVC("foreign: own taskId, other id ignored", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-1\",\"id\":\"gdk-task-2\""), 0, 0, 0,
	    "gdk-task-1", ""),
	EVC("foreign: other taskId, own id ignored", "status_update", 'T',
	    R("\"id\":\"gdk-task-1\",\"taskId\":\"gdk-task-2\""), 0, 0, 1,
	    "gdk-task-2", ""),
	EVC("foreign: other session", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-1\",\"contextId\":\"web-session-2\""), 0,
	    0, 1, "gdk-task-1", "web-session-2"),
	EVC("foreign: other session, task has none yet", "status_update", 't',
	    R("\"taskId\":\"gdk-task-1\",\"contextId\":\"web-session-2\""), 0,
	    0, 0, "gdk-task-1", "web-session-2"),
	EVC("foreign: empty session", "status_update", 'T',
	    R("\"contextId\":\"\""), 0, 0, 1, "", ""),
	EVC("foreign: empty taskId", "status_update", 'T', R("\"taskId\":\"\""),
	    0, 0, 1, "", ""),
	EVC("foreign: own task, escaped", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-\\u0031\",\"contextId\":\"web\\u002dsession-1\""),
	    0, 0, 0, "gdk-task-1", "web-session-1"),
	EVC("foreign: taskId a prefix of the task's", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-\""), 0, 0, 1, "gdk-task-", ""),
	EVC("foreign: taskId extends the task's", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-10\""), 0, 0, 1, "gdk-task-10", ""),
	EVC("foreign: no ids", "status_update", 'T',
	    R("\"kind\":\"status-update\""), 0, 0, 0, "", ""),
	EVC("foreign: ids outside result", "status_update", 'T',
	    "{\"taskId\":\"x\",\"contextId\":\"y\"}", 0, 0, 0, "", ""),
	EVC("foreign: result not an object", "status_update", 'T',
	    "{\"result\":\"gdk-task-2\"}", 0, 0, 0, "", ""),
	EVC("foreign: last result not an object", "status_update", 'T',
	    "{\"result\":{\"taskId\":\"gdk-task-2\"},\"result\":[]}", 0, 0, 0,
	    "", ""),
	EVC("foreign: taskId a number", "status_update", 'T', R("\"taskId\":1"),
	    0, 0, 0, "", ""),
	EVC("foreign: an error event", "final_response", 'T',
	    "{\"id\":\"resp-9\",\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000}}",
	    0, 1, 0, "", ""),
	EVC("foreign: no task, never", "status_update", 0,
	    R("\"taskId\":\"gdk-task-2\",\"contextId\":\"web-session-2\""), 0,
	    0, 0, "gdk-task-2", "web-session-2"),
	EVC("foreign: long id equal", "status_update", 'L',
	    R("\"taskId\":\"" LONG_ID "\""), 0, 0, 0, ID63, ""),
	EVC("foreign: long id differs after the cut", "status_update", 'L',
	    R("\"taskId\":\"" LONG_ID_B "\""), 0, 0, 1, ID63, ""),
	EVC("foreign: long id, the cut alone", "status_update", 'L',
	    R("\"taskId\":\"" ID63 "\""), 0, 0, 1, ID63, ""),
	EVC("foreign: not JSON, not judged", "status_update", 'T',
	    R("\"taskId\":\"gdk-task-2\"") " x", 1, 0, 0, "", ""),
	EVC("foreign: invalid after the ids", "status_update", 'T',
	    "{\"result\":{\"taskId\":\"gdk-task-2\"},\"x\":01}", 1, 0, 0, "",
	    ""),
	/* acceptance: the document */
	ACC("empty", "", 1),
	ACC("whitespace only", " \n\t\r", 1),
	ACC("top-level string", "\"x\"", 1),
	ACC("top-level number", "1", 1),
	ACC("top-level true", "true", 1),
	ACC("top-level null", "null", 1),
	ACC("top-level {}", "{}", 0),
	ACC("top-level []", "[]", 0),
	ACC("top-level array of results", "[{\"result\":{\"kind\":\"task\"}}]",
	    0),
	ACC("whitespace around", " \t\r\n{} \t\r\n", 0),
	ACC("trailing garbage", "{} x", 1),
	ACC("two documents", "{}{}", 1),
	ACC("extra close", "{}}", 1),
	ACC("trailing comma in an array", "[1,]", 1),
	ACC("trailing comma in an object", "{\"a\":1,}", 1),
	ACC("leading comma", "[,1]", 1),
	ACC("missing comma", "[1 2]", 1),
	ACC("missing colon", "{\"a\" 1}", 1),
	ACC("missing value", "{\"a\":}", 1),
	ACC("key not a string", "{1:2}", 1),
	ACC("single quotes", "{'a':1}", 1),
	ACC("unclosed object", "{\"a\":1", 1),
	ACC("unclosed array", "[1", 1),
	ACC("mismatched close", "[1}", 1),
	ACC("form feed is not whitespace", "[\f]", 1),
	ACC("vertical tab is not whitespace", "[\v1]", 1),
	ACC("BOM", "\xef\xbb\xbf{}", 1),
	ACC("non-ASCII outside strings", "[\xc3\xa9]", 1),
	ACC("spaces everywhere",
	    " { \"a\" : [ 1 , { } , [ ] ] , \"b\" : { } } ", 0),
	ACC("duplicate keys", "{\"a\":1,\"a\":2}", 0),
	/* acceptance: Jansson loses one NUL pushed back after a number or
	   literal */
	ACC("NUL after an integer", "[1\0]", 0),
	ACC("NUL after 0, then space", "[0\0 ]", 0),
	ACC("NUL after reals", "[1.5\0,2e3\0]", 0),
	ACC("NUL after literals", "{\"a\":true\0,\"b\":null\0,\"c\":false\0}",
	    0),
	ACC("NUL after a number, then LF", "[1\0\n]", 0),
	ACC("two NULs after a number", "[1\0\0]", 1),
	ACC("NUL after a string", "[\"a\"\0]", 1),
	ACC("NUL after a space", "[1 \0]", 1),
	ACC("NUL after a close", "[[]\0]", 1),
	ACC("NUL after the document", "{}\0", 1),
	ACC("NUL before the document", "\0{}", 1),
	ACC("NUL in a string", "[\"a\0\"]", 1),
	ACC("NUL after a minus", "[-\0]", 1),
	ACC("NUL after a bad literal", "[nul\0]", 1),
	ACC("NUL after a key", "{\"a\"\0:1}", 1),
	/* acceptance: integers must fit a long long */
	ACC("integer max", "[9223372036854775807]", 0),
	ACC("integer max + 1", "[9223372036854775808]", 1),
	ACC("integer min", "[-9223372036854775808]", 0),
	ACC("integer min - 1", "[-9223372036854775809]", 1),
	ACC("integer of 20 digits", "[10000000000000000000]", 1),
	ACC("integer of 18 digits", "[999999999999999999]", 0),
	ACC("integer max + 1 as a real", "[9223372036854775808.0]", 0),
	ACC("integer max + 1 with an exponent", "[9223372036854775808e0]", 0),
	/* acceptance: reals must not overflow to HUGE_VAL */
	ACC("real 1e308", "[1e308]", 0),
	ACC("real 1e309", "[1e309]", 1),
	ACC("real -1e309", "[-1e309]", 1),
	ACC("real 10e308", "[10e308]", 1),
	ACC("real 0.1e310", "[0.1e310]", 1),
	ACC("real 0.01e310", "[0.01e310]", 0),
	ACC("real 0.0000000001e318", "[0.0000000001e318]", 0),
	ACC("real underflow 1e-400", "[1e-400]", 0),
	ACC("real zero, huge exponent", "[0e99999999999999999999]", 0),
	ACC("real -0.000, huge exponent", "[-0.000e99999999999999999999]", 0),
	ACC("real huge exponent", "[1e99999999999999999999999]", 1),
	ACC("real huge negative exponent", "[1e-99999999999999999999999]", 0),
	ACC("real DBL_MAX", "[1.7976931348623157e308]", 0),
	ACC("real below the midpoint", "[1.7976931348623158e308]", 0),
	ACC("real above the midpoint", "[1.7976931348623159e308]", 1),
	ACC("real the midpoint", "[" MIDPOINT "]", 1),
	ACC("real the midpoint, negative", "[-" MIDPOINT "]", 1),
	ACC("real the midpoint as 0.Me309", "[0." MIDPOINT "e309]", 1),
	ACC("real the midpoint with zeros", "[" MIDPOINT ".000]", 1),
	ACC("real the midpoint's 308 digits then 1", "[" MIDPOINT_308 "1]", 1),
	ACC("real the midpoint's 308 digits then 1.9", "[" MIDPOINT_308 "1.9]",
	    0),
	ACC("real the midpoint's 308 digits then 2.0e0",
	    "[" MIDPOINT_308 "2.0e0]", 1),
	ACC("real the midpoint's 308 digits then 1.9e0",
	    "[" MIDPOINT_308 "1.9e0]", 0),
	/* acceptance: the number grammar */
	ACC("number -0", "[-0]", 0),
	ACC("number 1E+5", "[1E+5,2e-5,3e5]", 0),
	ACC("number leading zero", "[01]", 1),
	ACC("number -01", "[-01]", 1),
	ACC("number bare minus", "[-]", 1),
	ACC("number 1.", "[1.]", 1),
	ACC("number .5", "[.5]", 1),
	ACC("number 1e", "[1e]", 1),
	ACC("number 1e+", "[1e+]", 1),
	ACC("number +1", "[+1]", 1),
	ACC("number 0x1", "[0x1]", 1),
	ACC("number Infinity", "[Infinity]", 1),
	ACC("number NaN", "[NaN]", 1),
	ACC("number -a", "[-a]", 1),
	ACC("number 1.5.2", "[1.5.2]", 1),
	/* acceptance: literals */
	ACC("literals", "[true,false,null]", 0),
	ACC("literal truex", "[truex]", 1),
	ACC("literal True", "[True]", 1),
	ACC("literal nul", "[nul]", 1),
	ACC("literal nulll", "[nulll]", 1),
	ACC("literal true1", "[true1]", 1),
	/* acceptance: strings */
	ACC("string control byte 0x1f", "[\"\x1f\"]", 1),
	ACC("string raw tab", "[\"\t\"]", 1),
	ACC("string raw LF", "[\"\n\"]", 1),
	ACC("string DEL", "[\"\x7f\"]", 0),
	ACC("string every short escape", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", 0),
	ACC("string escape \\x", "[\"\\x41\"]", 1),
	ACC("string escape \\U", "[\"\\U0041\"]", 1),
	ACC("string escape \\'", "[\"\\'\"]", 1),
	ACC("string \\u with 2 digits", "[\"\\u12\"]", 1),
	ACC("string \\u with a bad digit", "[\"\\u12g4\"]", 1),
	ACC("string \\u0000 in a value", "[\"\\u0000\"]", 1),
	ACC("string \\u0000 in a key", "{\"\\u0000\":1}", 1),
	ACC("string \\u0000 in result.taskId", R("\"taskId\":\"a\\u0000\""), 1),
	ACC("string \\u0001", "[\"\\u0001\"]", 0),
	ACC("string \\uABCD", "[\"\\uABCD\\uabcd\"]", 0),
	ACC("string lone high surrogate", "[\"\\ud800\"]", 1),
	ACC("string lone low surrogate", "[\"\\udc00\"]", 1),
	ACC("string reversed pair", "[\"\\udc00\\ud800\"]", 1),
	ACC("string high then \\u0041", "[\"\\ud800\\u0041\"]", 1),
	ACC("string high then high", "[\"\\ud800\\ud800\"]", 1),
	ACC("string high then \\n", "[\"\\ud800\\n\"]", 1),
	ACC("string high then a letter", "[\"\\ud800x\"]", 1),
	ACC("string pair", "[\"\\ud800\\udc00\"]", 0),
	ACC("string highest pair", "[\"\\uDBFF\\uDFFF\"]", 0),
	ACC("string unterminated", "[\"abc", 1),
	ACC("string backslash at the end", "[\"\\", 1),
	ACC("string backslash u at the end", "[\"\\u00", 1),
	/* acceptance: UTF-8 in strings (Unicode table 3-7) */
	ACC("UTF-8 U+0080", "[\"\xc2\x80\"]", 0),
	ACC("UTF-8 U+07FF", "[\"\xdf\xbf\"]", 0),
	ACC("UTF-8 overlong C0 80", "[\"\xc0\x80\"]", 1),
	ACC("UTF-8 overlong C1 BF", "[\"\xc1\xbf\"]", 1),
	ACC("UTF-8 overlong E0 9F BF", "[\"\xe0\x9f\xbf\"]", 1),
	ACC("UTF-8 U+0800", "[\"\xe0\xa0\x80\"]", 0),
	ACC("UTF-8 U+D7FF", "[\"\xed\x9f\xbf\"]", 0),
	ACC("UTF-8 surrogate ED A0 80", "[\"\xed\xa0\x80\"]", 1),
	ACC("UTF-8 surrogate ED BF BF", "[\"\xed\xbf\xbf\"]", 1),
	ACC("UTF-8 U+E000", "[\"\xee\x80\x80\"]", 0),
	ACC("UTF-8 U+FFFF", "[\"\xef\xbf\xbf\"]", 0),
	ACC("UTF-8 overlong F0 8F BF BF", "[\"\xf0\x8f\xbf\xbf\"]", 1),
	ACC("UTF-8 U+10000", "[\"\xf0\x90\x80\x80\"]", 0),
	ACC("UTF-8 U+10FFFF", "[\"\xf4\x8f\xbf\xbf\"]", 0),
	ACC("UTF-8 above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 1),
	ACC("UTF-8 F5", "[\"\xf5\x80\x80\x80\"]", 1),
	ACC("UTF-8 FF", "[\"\xff\"]", 1),
	ACC("UTF-8 lone continuation", "[\"\x80\"]", 1),
	ACC("UTF-8 bad continuation", "[\"\xe2\x28\xa1\"]", 1),
	ACC("UTF-8 cut by the quote", "[\"\xe2\x82\"]", 1),
	ACC("UTF-8 cut by the end", "[\"\xe2\x82", 1),
	ACC("UTF-8 in a key", "{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}", 0),
	ACC("UTF-8 bad in a key", "{\"\xc3\":1}", 1),
};

START_TEST(test_event_cases)
{
	const struct ev_case *c = &ev_cases[_i];
	struct gw_proto_event e;
	enum gw_errclass r;

	r = same_as_oracle(c->name, c->type, c->data, c->len, task_of(c->task),
			   &e);
	ck_assert_msg(r == (c->parse_error ? GW_E_PARSE : GW_E_NONE),
		      "%s: returned %d", c->name, r);
	ck_assert_msg(e.parsed == !c->parse_error, "%s: parsed", c->name);
	ck_assert_msg(e.terminal == c->terminal, "%s: terminal %d", c->name,
		      e.terminal);
	ck_assert_msg(e.foreign == c->foreign, "%s: foreign %d", c->name,
		      e.foreign);
	ck_assert_msg(!strcmp(e.task_id, c->task_id), "%s: task_id '%s'",
		      c->name, e.task_id);
	ck_assert_msg(!strcmp(e.context_id, c->context_id),
		      "%s: context_id '%s'", c->name, e.context_id);
}
END_TEST

/* NULL data: json_loadb refuses it, even with a length of 0. */
START_TEST(test_event_null_data)
{
	struct gw_proto_event e, w;

	ck_assert_int_eq(gw_proto_event("final_response", NULL, 0, NULL, &e),
			 GW_E_PARSE);
	ck_assert_int_eq(oracle_event("final_response", NULL, 0, NULL, &w),
			 GW_E_PARSE);
	ck_assert_mem_eq(&e, &w, sizeof(e));
	ck_assert_int_eq(e.terminal, 1);
}
END_TEST

/*
 * Nesting: Jansson counts a level for every value, so n containers
 * around inner are fine while n + (inner is a value) <= 2048.  Each form
 * at 2047, 2048 and 2049, under a result object and in an array.
 */
START_TEST(test_event_depth)
{
	static const struct {
		const char *open, *close, *inner;
		int levels; /* that inner adds */
	} forms[] = {
		{ "[", "]", "", 0 },
		{ "[", "]", "1", 1 },
		{ "[", "]", "[]", 1 },
		{ "[", "]", "{}", 1 },
		{ "[", "]", "{\"a\":1}", 2 },
		{ "{\"a\":", "}", "true", 1 },
		{ "{\"result\":", "}", "{\"kind\":\"task\"}", 2 },
	};
	size_t f, cap = 16 * 4096;
	char *b = malloc(cap);
	int n;

	ck_assert_ptr_nonnull(b);
	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (n = 2046; n <= 2050; n++) {
			size_t k = 0, lo = strlen(forms[f].open),
			       lc = strlen(forms[f].close);
			char name[80];
			struct gw_proto_event e;
			int i, ok = n + forms[f].levels <= 2048;

			for (i = 0; i < n; i++, k += lo)
				memcpy(b + k, forms[f].open, lo);
			memcpy(b + k, forms[f].inner, strlen(forms[f].inner));
			k += strlen(forms[f].inner);
			for (i = 0; i < n; i++, k += lc)
				memcpy(b + k, forms[f].close, lc);
			snprintf(name, sizeof(name), "depth %d of %s%s%s", n,
				 forms[f].open, forms[f].inner, forms[f].close);
			same_as_oracle(name, "status_update", b, k, &task_T,
				       &e);
			ck_assert_msg(e.parsed == ok, "%s: parsed %d", name,
				      e.parsed);
		}
	}
	free(b);
}
END_TEST

/* --- random documents ------------------------------------------------- */

#define RANDOM_DOCS 25000
#define RANDOM_MUTANTS 3
#define DOC_MAX 2048

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned pick(uint64_t *s, unsigned n)
{
	return (unsigned)(splitmix64(s) % n);
}

#define PICK(s, a) (a)[pick(s, sizeof(a) / sizeof((a)[0]))]

struct doc {
	char b[DOC_MAX];
	size_t n;
};

/* Append s (whole or not at all: a full doc just stops growing). */
static void put(struct doc *d, const char *s)
{
	size_t k = strlen(s);

	if (d->n + k <= sizeof(d->b)) {
		memcpy(d->b + d->n, s, k);
		d->n += k;
	}
}

static const char *const keys[] = {
	"result",      "result",	  "error",	"kind",
	"final",       "taskId",	  "taskId",	"id",
	"id",	       "contextId",	  "contextId",	"status",
	"message",     "parts",		  "text",	"jsonrpc",
	"metadata",    "res\\u0075lt",	  "k\\u0069nd", "taskI\\u0064",
	"\\u0065rror", "contextI\\u0064", "",		"Result",
	"ids",
};

static const char *const strs[] = {
	"task",
	"status-update",
	"artifact-update",
	"message",
	"gdk-task-1",
	"gdk-task-1",
	"web-session-1",
	"web-session-1",
	"gdk-task-2",
	"web-session-2",
	"gdk-task-\\u0031",
	"t\\u0061sk",
	"status\\u002dupdate",
	"",
	"\\u00e9\\u20ac",
	"\\ud83d\\ude00",
	"\xc3\xa9",
	"\xf0\x9f\x98\x80",
	"a\\\"b\\\\c\\/",
	"\\n\\t\\r\\b\\f",
	ID63,
	ID63 "x",
	A62 "\\u00e9",
	A62 "\xc3\xa9",
	LONG_ID,
	LONG_ID_B,
	"Hello, \\\"world\\\" \\u00e9\\n",
	"2026-08-12T08:51:35.101234+00:00",
};

static const char *const nums[] = {
	"0",
	"-0",
	"1",
	"-1",
	"812",
	"1.5",
	"-32000",
	"2.5E+3",
	"1e308",
	"1e-400",
	"0.0e99999",
	"9223372036854775807",
	"-9223372036854775808",
	"1.7976931348623157e308",
	"123456789012345678901234567890.5",
	MIDPOINT_308 "1",
};

/* Picked rarely, so that most generated documents are JSON. */
static const char *const bad_nums[] = {
	"1e309",
	"-1e400",
	"9223372036854775808",
	"-9223372036854775809",
	"1.7976931348623159e308",
	"123456789012345678901234567890",
	"0." MIDPOINT "e309",
	"01",
	"1.",
};
static const char *const bad_keys[] = { "\\u0000", "final\\ud800", "\\x" };

static const char *const lits[] = { "true", "true", "false", "null" };
static const char *const ws[] = { "", "", "", "", " ", "\n", "\r\n", "\t" };

/* A string from the list, or random pieces (valid and not). */
static void gen_string(uint64_t *s, struct doc *d, const char *const *list,
		       size_t nlist)
{
	static const char *const bits[] = {
		"a",
		"b",
		"Z",
		"0",
		" ",
		"-",
		"\\n",
		"\\\"",
		"\\\\",
		"\\u00e9",
		"\\ud83d\\ude00",
		"\xc3\xa9",
		"\x7f",
		"\xf4\x8f\xbf\xbf",
	};
	static const char *const bad_bits[] = {
		"\\ud800",	"\\udc00", "\\u0000",
		"\\x",		"\xc3",	   "\xa9",
		"\xed\xa0\x80", "\x01",	   "\xf4\x90\x80\x80",
		"\xc0\x80",
	};
	unsigned i, n;

	put(d, "\"");
	if (pick(s, 4)) {
		put(d, list[pick(s, (unsigned)nlist)]);
	} else {
		n = pick(s, 8);
		for (i = 0; i < n; i++)
			put(d, pick(s, 40) ? PICK(s, bits) : PICK(s, bad_bits));
	}
	put(d, "\"");
}

static void gen_value(uint64_t *s, struct doc *d, int depth);

/* An object; result-shaped (SAM's members) when sam. */
static void gen_object(uint64_t *s, struct doc *d, int depth, int sam)
{
	static const char *const sam_keys[] = { "kind",	  "kind",
						"final",  "taskId",
						"id",	  "contextId",
						"status", "metadata" };
	unsigned i, n = pick(s, 5);

	put(d, "{");
	for (i = 0; i < n; i++) {
		const char *k = sam ? PICK(s, sam_keys) : NULL;

		if (i)
			put(d, ",");
		put(d, PICK(s, ws));
		if (k) {
			put(d, "\"");
			put(d, k);
			put(d, "\"");
		} else if (pick(s, 60)) {
			gen_string(s, d, keys, sizeof(keys) / sizeof(keys[0]));
		} else {
			gen_string(s, d, bad_keys,
				   sizeof(bad_keys) / sizeof(bad_keys[0]));
		}
		put(d, PICK(s, ws));
		put(d, ":");
		put(d, PICK(s, ws));
		/* SAM's members mostly have their own type */
		if (k && !strcmp(k, "final") && pick(s, 4))
			put(d, PICK(s, lits));
		else if (k && strcmp(k, "final") && strcmp(k, "status") &&
			 strcmp(k, "metadata") && pick(s, 4))
			gen_string(s, d, strs, sizeof(strs) / sizeof(strs[0]));
		else
			gen_value(s, d, depth + 1);
		put(d, PICK(s, ws));
	}
	put(d, "}");
}

static void gen_value(uint64_t *s, struct doc *d, int depth)
{
	unsigned i, n, k = pick(s, depth < 5 ? 11 : 6);

	switch (k) {
	case 0:
	case 1:
	case 2:
		gen_string(s, d, strs, sizeof(strs) / sizeof(strs[0]));
		break;
	case 3:
	case 4:
		put(d, pick(s, 30) ? PICK(s, nums) : PICK(s, bad_nums));
		break;
	case 5:
		put(d, PICK(s, lits));
		break;
	case 6:
	case 7:
		put(d, "[");
		n = pick(s, 4);
		for (i = 0; i < n; i++) {
			if (i)
				put(d, ",");
			put(d, PICK(s, ws));
			gen_value(s, d, depth + 1);
		}
		put(d, "]");
		break;
	case 8:
		gen_object(s, d, depth, 0);
		break;
	default:
		gen_object(s, d, depth, 1);
		break;
	}
}

/* A document: mostly a SAM frame (top-level result and error members). */
static void gen_doc(uint64_t *s, struct doc *d)
{
	static const char *const top[] = {
		"\"result\":",	     "\"result\":", "\"result\":",
		"\"error\":",	     "\"id\":",	    "\"jsonrpc\":",
		"\"res\\u0075lt\":",
	};
	unsigned i, n;

	d->n = 0;
	put(d, PICK(s, ws));
	if (!pick(s, 8)) {
		gen_value(s, d, 0);
	} else {
		n = 1 + pick(s, 3);
		put(d, "{");
		for (i = 0; i < n; i++) {
			if (i)
				put(d, ", ");
			put(d, PICK(s, top));
			put(d, PICK(s, ws));
			if (pick(s, 4))
				gen_object(s, d, 1, 1);
			else
				gen_value(s, d, 1);
		}
		put(d, "}");
	}
	put(d, PICK(s, ws));
}

/* One to three edits: a byte replaced, inserted or deleted, the tail cut,
 * a span repeated, or a NUL put after a number or a literal. */
static void mutate(uint64_t *s, struct doc *d)
{
	static const char special[] = { '\0',	'"',	'\\',	'{',	'}',
					'[',	']',	',',	':',	'0',
					'e',	'-',	' ',	'u',	'x',
					'\x80', '\xc3', '\xed', '\xf4', '\xff',
					'\x1f', 't' };
	unsigned m, edits = 1 + pick(s, 3);

	for (m = 0; m < edits && d->n; m++) {
		size_t at = pick(s, (unsigned)d->n), k;

		switch (pick(s, 7)) {
		case 0:
			d->b[at] = PICK(s, special);
			break;
		case 1:
			d->b[at] = (char)pick(s, 256);
			break;
		case 2:
			if (d->n < sizeof(d->b)) {
				memmove(d->b + at + 1, d->b + at, d->n - at);
				d->b[at] = PICK(s, special);
				d->n++;
			}
			break;
		case 3:
			memmove(d->b + at, d->b + at + 1, d->n - at - 1);
			d->n--;
			break;
		case 4:
			d->n = at;
			break;
		case 5:
			k = pick(s, 16);
			if (at + k <= d->n && d->n + k <= sizeof(d->b)) {
				memmove(d->b + at + k, d->b + at, d->n - at);
				d->n += k;
			}
			break;
		default: /* a NUL after the next digit or letter */
			while (at < d->n &&
			       !(d->b[at] >= '0' && d->b[at] <= '9') &&
			       !(d->b[at] >= 'a' && d->b[at] <= 'z'))
				at++;
			if (at < d->n && d->n < sizeof(d->b)) {
				at++;
				memmove(d->b + at + 1, d->b + at, d->n - at);
				d->b[at] = '\0';
				d->n++;
			}
			break;
		}
	}
}

START_TEST(test_event_random)
{
	static const char *const types[] = { "status_update", "final_response",
					     "artifact_update", "message" };
	static const char tasks[] = { 0, 'T', 't', 'L' };
	uint64_t seed = 20260812;
	unsigned long inputs = 0, valid = 0, terminal = 0, foreign = 0, ids = 0;
	unsigned i, m;
	struct doc d, mut;

	for (i = 0; i < RANDOM_DOCS; i++) {
		gen_doc(&seed, &d);
		for (m = 0; m <= RANDOM_MUTANTS; m++) {
			struct gw_proto_event e;
			char name[48];

			mut = d;
			if (m)
				mutate(&seed, &mut);
			snprintf(name, sizeof(name), "random doc %u mutant %u",
				 i, m);
			same_as_oracle(name, PICK(&seed, types), mut.b, mut.n,
				       task_of(PICK(&seed, tasks)), &e);
			inputs++;
			valid += (unsigned long)e.parsed;
			terminal += (unsigned long)(e.parsed && e.terminal);
			foreign += (unsigned long)e.foreign;
			ids += (unsigned long)(e.task_id[0] || e.context_id[0]);
		}
	}
	/* the generator reaches every branch it is meant to */
	ck_assert_uint_eq(inputs, RANDOM_DOCS * (RANDOM_MUTANTS + 1));
	ck_assert_msg(valid > inputs / 5 && valid < inputs * 4 / 5,
		      "%lu valid of %lu", valid, inputs);
	ck_assert_msg(terminal > valid / 10, "%lu terminal", terminal);
	ck_assert_msg(foreign > valid / 20, "%lu foreign", foreign);
	ck_assert_msg(ids > valid / 8, "%lu with ids", ids);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_submit_request);
	tcase_add_test(tc, test_cancel_request);
	tcase_add_test(tc, test_submit_response);
	tcase_add_test(tc, test_response_depth);
	tcase_add_test(tc, test_upload_response);
	tcase_add_test(tc, test_event_terminal);
	tcase_add_test(tc, test_event_foreign);
	suite_add_tcase(s, tc);
	tc = tcase_create("oracle");
	tcase_set_timeout(tc, 120); /* seconds under ASan on a busy machine */
	tcase_add_loop_test(tc, test_event_cases, 0,
			    sizeof(ev_cases) / sizeof(ev_cases[0]));
	tcase_add_test(tc, test_event_null_data);
	tcase_add_test(tc, test_event_depth);
	tcase_add_test(tc, test_event_random);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(proto_suite)
