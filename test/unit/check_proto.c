/*
 * check_proto: the SAM JSON payloads -- the submit request's exact
 * JSON-RPC shape, submit and upload response parsing (good, JSON-RPC
 * error, not JSON, missing or oversized ids), and SSE event
 * classification (every terminal form of the protocol, foreign frames).
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gw_proto.h"
#include "check_main.h"

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

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_submit_request);
	tcase_add_test(tc, test_submit_response);
	tcase_add_test(tc, test_upload_response);
	tcase_add_test(tc, test_event_terminal);
	tcase_add_test(tc, test_event_foreign);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(proto_suite)
