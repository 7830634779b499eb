#!/bin/sh
# gwsim on the wire: every endpoint, status code and SSE byte the SAM
# protocol reference (spec/sam-gateway-protocol.md) asks a stand-in to
# match, plus gwsim's stats, token mode, fault flags, the options that
# tests and benchmarks use (the stall, the arrival log, the service model,
# the stream limit, send-time stamps, TLS, large finals, the task-log lag)
# and a load check.  Talks to ./gwsim (or $GWSIM) over loopback with curl;
# every wait is bounded by curl --max-time or a counted loop.  A timing
# check bounds one side only (a wait is at least, or at most, so long),
# with slack below what the model gives.
#
# Every assertion is check "desc" COMMAND (lib.sh).  A status and a value
# are compared in one test, [ "$(req ...) $(jb ...)" = "200 value" ]: the
# status never holds a blank, so the pair matches only if both do.  Other
# compound conditions go through eval, which runs them in this shell, where
# req, jb and the rest are defined.  Their bodies are single-quoted so that
# eval expands them, hence SC2016 off for the file.
# shellcheck disable=SC2016
. "$(dirname "$0")/../it/lib.sh"
. "$(dirname "$0")/../it/lib-gwsim.sh"

LOAD_STREAMS=${GWSIM_LOAD_STREAMS:-500}

# ---------------------------------------------------------------------------
echo "== discovery, config, routing"
start_sim --ping-s 1
MAIN_PID=$SIM_PID

check "GET /health 200" [ "$(req GET /health)" = 200 ]
check "health body" [ "$(cat "$T/b")" = '{"status":"A2A Web UI Backend is running"}' ]
check "JSON Content-Type" [ "$(hdr content-type)" = application/json ]
check "GET /api/v1/config 200" [ "$(req GET /api/v1/config)" = 200 ]
check "config: persistence_enabled true" [ "$(jb .persistence_enabled)" = true ]
check "config: upload limit" [ "$(jb .validation_limits.maxPerFileUploadSizeBytes)" = 52428800 ]
check "config: all §9 keys" [ "$(jbc '[has("frontend_server_url",
	"frontend_platform_server_url","frontend_auth_login_url",
	"frontend_use_authorization","frontend_welcome_message",
	"frontend_redirect_url","frontend_collect_feedback","frontend_bot_name",
	"frontend_logo_url","frontend_disclaimer_text",
	"frontend_feature_enablement","persistence_enabled","validation_limits",
	"tool_config_status","tts_settings","background_tasks_config",
	"identity_service_type")] | all')" = true ]
check "config: compact separators" grep -q '"persistence_enabled":true' "$T/b"
check "GET /api/v1/agentCards 200" [ "$(req GET /api/v1/agentCards)" = 200 ]
check "agentCards: the two default agents, sorted" \
	[ "$(jbc '[.[].name]')" = '["TestAgent","TestPeerAgentA"]' ]
check "agentCards: required camelCase keys" [ "$(jbc '[.[] | has("name",
	"description","url","version","capabilities","defaultInputModes",
	"defaultOutputModes","skills","protocolVersion")] | all')" = true ]
check "agentCards: capabilities" [ "$(jbc '.[0].capabilities | [has(
	"streaming","pushNotifications","stateTransitionHistory","extensions")]
	| all')" = true ]
check "agentCards: nulls included" [ "$(jb '.[0] | has("iconUrl")')" = true ]
check "/api/v1/agent-cards is 404" [ "$(req GET /api/v1/agent-cards)" = 404 ]
check "404 body" [ "$(cat "$T/b")" = '{"message":"Not Found","validationDetails":null}' ]
check "no /api/v1/health" [ "$(req GET /api/v1/health)" = 404 ]
check "POST /api/v1/sessions is 405" [ "$(req POST /api/v1/sessions)" = 405 ]
check "405 body" [ "$(cat "$T/b")" = '{"message":"Method Not Allowed","validationDetails":null}' ]
check "DELETE /health is 405" [ "$(req DELETE /health)" = 405 ]
check "trailing slash redirects (307)" [ "$(req GET /health/)" = 307 ]
check "307 location" sh -c "grep -qi '^location: http://127.0.0.1:[0-9]*/health' '$T/h'"

# ---------------------------------------------------------------------------
echo "== task submission and validation"
check "message:stream 200" submit "Hello"
check "result.id is gdk-task-<32 hex>" sh -c \
	"echo '$TASK' | grep -Eq '^gdk-task-[0-9a-f]{32}$'"
check "result.contextId is web-session-<32 hex>" sh -c \
	"echo '$CTX' | grep -Eq '^web-session-[0-9a-f]{32}$'"
check "request id echoed" [ "$(jb .id)" = req-1 ]
check "submitted Task with nulls" [ "$(jbc '[.jsonrpc, .result.kind,
	.result.status.state, .result.status.message, .result.status.timestamp,
	.result.artifacts, .result.history, .result.metadata.agent_name]')" = \
	'["2.0","task","submitted",null,null,null,null,"TestAgent"]' ]
check "REST JSON is compact" grep -q '"result":{"artifacts":null' "$T/b"
FIRST_CTX=$CTX
submit "again" TestAgent "$FIRST_CTX"
check "contextId reused" [ "$CTX" = "$FIRST_CTX" ]
msg_body "send me" TestAgent "" message/send >"$T/req.json"
check "message:send 200" [ "$(req POST /api/v1/message:send \
	-H 'Content-Type: application/json' --data-binary @"$T/req.json")" = 200 ]
SEND_CTX=$(jb .result.contextId)
check ":send creates no session row" [ "$(req GET "/api/v1/sessions/$SEND_CTX")" = 404 ]

jq -c 'del(.params.message.metadata)' "$T/req.json" >"$T/x.json"
check "missing agent_name 422" [ "$(req POST /api/v1/message:send \
	-H 'Content-Type: application/json' --data-binary @"$T/x.json")" = 422 ]
check "missing agent_name body" [ "$(cat "$T/b")" = \
	"{\"message\":\"Missing 'agent_name' in request payload message metadata.\",\"validationDetails\":null}" ]
msg_body hi | jq -c 'del(.params.message.messageId)' >"$T/x.json"
check "missing messageId 422" [ "$(req POST /api/v1/message:stream \
	-H 'Content-Type: application/json' --data-binary @"$T/x.json")" = 422 ]
check "dotted validation key" [ "$(cat "$T/b")" = \
	'{"message":"Validation error","validationDetails":{"params.message.messageId":["Field required"]}}' ]
check "malformed JSON 422" [ "$(req POST /api/v1/message:stream \
	-H 'Content-Type: application/json' --data-binary '{"jsonrpc": "2.0", bad}')" = 422 ]
check "JSON decode error at char 19" [ "$(cat "$T/b")" = \
	'{"message":"Validation error","validationDetails":{"19":["JSON decode error"]}}' ]
msg_body hi TestAgent "" message/send >"$T/x.json"
check "method mismatch 422" [ "$(req POST /api/v1/message:stream \
	-H 'Content-Type: application/json' --data-binary @"$T/x.json")" = 422 ]
check "method literal message" [ "$(jbc .validationDetails)" = \
	"{\"method\":[\"Input should be 'message/stream'\"]}" ]
check "empty body 422" [ "$(req POST /api/v1/message:stream \
	-H 'Content-Type: application/json')" = 422 ]
check "empty body: Field required" [ "$(jbc .validationDetails)" = '{"":["Field required"]}' ]
check "bad role 422" [ "$(req POST /api/v1/message:stream -H 'Content-Type: application/json' \
	--data-binary '{"id":1,"params":{"message":{"role":"bot","messageId":"m","parts":[],"metadata":{"agent_name":"x"}}}}')" = 422 ]
check "role enum message" [ "$(jbc .validationDetails)" = \
	"{\"params.message.role\":[\"Input should be 'agent' or 'user'\"]}" ]
head -c 10000100 /dev/zero | tr '\0' 'a' >"$T/big"
check "body over 10 MB: 422 Validation failed" [ "$(req POST /api/v1/message:stream \
	-H 'Content-Type: application/json' --data-binary @"$T/big")" = 422 ]
check "Validation failed quirk body" [ "$(cat "$T/b")" = \
	'{"message":"Validation failed","validationDetails":{"message":["Input should be a valid string"]}}' ]
rm -f "$T/big"

# ---------------------------------------------------------------------------
echo "== SSE framing and stream end"
submit "framing [gwsim:first_delay_ms=400]"
sse "$TASK" 10 --raw
check "live subscriber: curl exits 0 (server ended the body)" [ "$RC" -eq 0 ]
check "SSE status 200" sh -c "head -n1 '$T/sh' | grep -q ' 200'"
check "content-type text/event-stream; charset=utf-8" \
	grep -qi "^content-type: text/event-stream; charset=utf-8$CR\$" "$T/sh"
check "cache-control: no-store" grep -qi "^cache-control: no-store$CR\$" "$T/sh"
check "x-accel-buffering: no" grep -qi "^x-accel-buffering: no$CR\$" "$T/sh"
check "connection: keep-alive" grep -qi "^connection: keep-alive$CR\$" "$T/sh"
check "transfer-encoding: chunked" grep -qi "^transfer-encoding: chunked$CR\$" "$T/sh"
check "no content-length" sh -c "! grep -qi '^content-length' '$T/sh'"
check "chunked terminator at the end" sh -c \
	"tail -c 5 '$T/s' | od -An -c | tr -d ' \n' | grep -qx '0\\\\r\\\\n\\\\r\\\\n'"
submit "framing2 [gwsim:first_delay_ms=400]"
sse "$TASK" 10
printf ': SSE connection established\r\n\r\n' >"$T/exp"
check "first bytes: established comment + CRLF CRLF" cmp -s -n 32 "$T/exp" "$T/s"
check "5 status_update events" [ "$(grep -c '^event: status_update' "$T/s")" = 5 ]
check "1 artifact_update" [ "$(grep -c '^event: artifact_update' "$T/s")" = 1 ]
check "final_response is the last event" [ "$(grep '^event: ' "$T/s" | tail -n1 | tr -d '\r')" = 'event: final_response' ]
check "every line ends in CRLF" [ "$(grep -vc "$CR\$" "$T/s")" = 0 ]
check "no id: or retry: fields" sh -c "! grep -Eq '^(id|retry):' '$T/s'"
grep '^data: ' "$T/s" | sed 's/^data: //; s/\r$//' >"$T/data"
check "data lines are JSON" sh -c "jq -e . '$T/data' >/dev/null"
check "Python json.dumps separators" grep -q '{"id": "gdk-task-' "$T/data"
check "no null fields in SSE data" sh -c "! grep -q 'null' '$T/data'"
check "status_update shape" [ "$(head -n1 "$T/data" | jq -c '[.id == .result.taskId,
	.result.kind, .result.final, .result.status.state,
	.result.status.message.role, .result.status.message.parts[0].kind,
	(.result.status.message.parts[0].text | length)]')" = \
	'[true,"status-update",false,"working","agent","text",32]' ]
check "final_response shape" [ "$(tail -n1 "$T/data" | jq -c '[.result.kind,
	.result.status.state, .result.metadata.agent_name, .result.id == .id,
	(.result.status.message.parts[0].text | length)]')" = \
	'["task","completed","TestAgent",true,160]' ]

submit "late subscriber"
sleep 0.5
sse "$TASK" 2
check "late subscriber gets final but no end (curl rc 28)" [ "$RC" -eq 28 ]
check "late subscriber got all 7 events" [ "$(events_in "$T/s")" = 7 ]

sse gdk-task-00000000000000000000000000000000 2.5
check "unknown task: stream opens and idles (rc 28)" [ "$RC" -eq 28 ]
check "unknown task: only comments" [ "$(events_in "$T/s")" = 0 ]
check "ping comment format" grep -Eq "^: ping - [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(\\.[0-9]{6})?\\+00:00$CR\$" "$T/s"
curl -s --max-time 5 -o "$T/b" -w '%{http_code}' \
	"$SIM_URL/api/v1/sse/subscribe/x?last_event_timestamp=abc" >"$T/code"
check "non-int last_event_timestamp 422" [ "$(cat "$T/code")" = 422 ]
check "query validation key" [ "$(jbc .validationDetails)" = \
	'{"query.last_event_timestamp":["Input should be a valid integer, unable to parse string as an integer"]}' ]

submit "weather in London please"
sse "$TASK" 10
check "weather flow: tool_invocation_start" grep -q '"type": "tool_invocation_start"' "$T/s"
check "weather flow: tool_result" grep -q '"type": "tool_result"' "$T/s"
check "weather flow: answer" grep -q 'The weather in London is sunny.' "$T/s"
submit "Please delegate a task to Peer A."
sse "$TASK" 10
check "delegate flow: peer sub-task" grep -Eq '"original_peer_event_taskId": "a2a_subtask_[0-9a-f]{32}"' "$T/s"
check "delegate flow: forwarded_from_peer" grep -q '"forwarded_from_peer": "TestPeerAgentA"' "$T/s"
check "delegate flow: answer" grep -q 'Peer A has responded.' "$T/s"
submit "$(printf 'delegate \303\251\360\237\230\200\177 "q" [gwsim:first_delay_ms=300]')"
sse "$TASK" 10
check "ensure_ascii: lowercase \\u escapes, surrogate pairs, DEL" \
	grep -q '"task_description": "delegate \\u00e9\\ud83d\\ude00\\u007f \\"q\\"' "$T/s"
submit "directives [gwsim:events=12] [gwsim:chunk=7] [gwsim:interval_ms=1]"
sse "$TASK" 10
check "[gwsim:events=12]" [ "$(grep -c '^event: status_update' "$T/s")" = 12 ]
check "[gwsim:chunk=7]" [ "$(grep '^data: ' "$T/s" | head -n1 | sed 's/^data: //' |
	jq '.result.status.message.parts[0].text | length')" = 7 ]

submit "two subscribers [gwsim:first_delay_ms=500]"
curl -s -N --max-time 10 -o "$T/s1" "$SIM_URL/api/v1/sse/subscribe/$TASK" &
P1=$!
sse "$TASK" 10
wait $P1
check "two subscribers each get every event" \
	[ "$(events_in "$T/s1") $(events_in "$T/s")" = "7 7" ]

submit "unknown agent" NoSuchAgent
check "unknown agent: 200 and a task" eval '[ -n "$TASK" ] && [ "$TASK" != null ]'
sse "$TASK" 1.5
check "unknown agent: no events ever" [ "$RC $(events_in "$T/s")" = "28 0" ]

# ---------------------------------------------------------------------------
echo "== cancel and task status"
submit "long [gwsim:events=200] [gwsim:interval_ms=20]"
LONG=$TASK
curl -s -N --max-time 10 -o "$T/cs" "$SIM_URL/api/v1/sse/subscribe/$LONG" &
CP=$!
sleep 0.3
jq -nc --arg id "$LONG" '{jsonrpc:"2.0",id:"c1",method:"tasks/cancel",params:{id:$id}}' >"$T/c.json"
check "task running before cancel" \
	[ "$(req GET "/api/v1/tasks/$LONG/status") $(jb .is_running)" = "200 true" ]
check "cancel 202" [ "$(req POST "/api/v1/tasks/$LONG:cancel" \
	-H 'Content-Type: application/json' --data-binary @"$T/c.json")" = 202 ]
check "cancel body" [ "$(cat "$T/b")" = '{"message":"Cancellation request sent"}' ]
wait $CP
check "canceled final on the stream" [ "$(grep '^data: ' "$T/cs" | tail -n1 |
	sed 's/^data: //' | jq -r .result.status.state)" = canceled ]
check "cancel of a finished task 404" [ "$(req POST "/api/v1/tasks/$LONG:cancel" \
	-H 'Content-Type: application/json' --data-binary @"$T/c.json")" = 404 ]
check "404 message" [ "$(jb .message)" = "No active task context found for task ID: $LONG" ]
check "cancel id mismatch 400" [ "$(req POST /api/v1/tasks/other:cancel \
	-H 'Content-Type: application/json' --data-binary @"$T/c.json")" = 400 ]
check "task status after cancel" [ "$(req GET "/api/v1/tasks/$LONG/status") $(jbc '[.is_running,
	.is_background, .can_reconnect, .error_message, .task.status, .task.user_id]')" = \
	'200 [false,false,false,null,"canceled","sam_dev_user"]' ]
check "task row snake_case fields" [ "$(jbc '.task | keys_unsorted')" = \
	'["id","user_id","parent_task_id","start_time","end_time","status","initial_request_text","total_input_tokens","total_output_tokens","total_cached_input_tokens","token_usage_details","execution_mode","last_activity_time","background_execution_enabled","max_execution_time_ms","session_id","events_buffered","events_consumed"]' ]
check "unknown task status 404" [ "$(req GET /api/v1/tasks/nope/status)" = 404 ]

# ---------------------------------------------------------------------------
echo "== sessions"
check "GET /api/v1/sessions 200" [ "$(req GET '/api/v1/sessions?pageNumber=1&pageSize=2')" = 200 ]
check "pagination envelope" [ "$(jbc '.meta.pagination | [.pageNumber, .pageSize,
	(.count >= 3), .nextPage, (.totalPages >= 2)]')" = '[1,2,true,2,true]' ]
check "page size honoured" [ "$(jb '.data | length')" = 2 ]
check "epoch-ms integer timestamps" [ "$(jb '.data[0].createdTime | type')" = number ]
check "session keys" [ "$(jbc '.data[0] | keys_unsorted')" = \
	'["id","userId","name","agentId","projectId","projectName","source","hasRunningBackgroundTask","scheduledTaskId","scheduledTaskName","createdTime","updatedTime","lastViewedAt"]' ]
check "ordered by updatedTime desc" [ "$(jb '[.data[].updatedTime] | . == (sort | reverse)')" = true ]
check "pageSize=101 422" [ "$(req GET '/api/v1/sessions?pageSize=101')" = 422 ]
check "page validation message" [ "$(jbc .validationDetails)" = \
	'{"query.pageSize":["Input should be less than or equal to 100"]}' ]
check "pageNumber=0 422" [ "$(req GET '/api/v1/sessions?pageNumber=0')" = 422 ]
check "GET session 200" [ "$(req GET "/api/v1/sessions/$FIRST_CTX")" = 200 ]
check "data envelope" [ "$(jb .data.id) $(jb .data.agentId)" = "$FIRST_CTX TestAgent" ]
check "rename 200" [ "$(req PATCH "/api/v1/sessions/$FIRST_CTX" \
	-H 'Content-Type: application/json' -d '{"name":"Renamed"}')" = 200 ]
check "rename returns bare session" [ "$(jb .name)" = Renamed ]
check "rename empty 422" [ "$(req PATCH "/api/v1/sessions/$FIRST_CTX" \
	-H 'Content-Type: application/json' -d '{"name":""}')" = 422 ]
check "rename missing name 422" [ "$(req PATCH "/api/v1/sessions/$FIRST_CTX" \
	-H 'Content-Type: application/json' -d '{}')" = 422 ]
check "search finds the renamed session" \
	[ "$(req GET '/api/v1/sessions/search?query=renam') $(jb '.data[0].id')" = "200 $FIRST_CTX" ]
check "unknown session 404" [ "$(req GET /api/v1/sessions/web-session-nope)" = 404 ]
check "404 body" [ "$(cat "$T/b")" = '{"message":"Session not found.","validationDetails":null}' ]
check "contextId of an unknown id creates that row" submit "x" TestAgent my-own-session
check "row my-own-session" [ "$(req GET /api/v1/sessions/my-own-session)" = 200 ]
check "DELETE session 204" [ "$(req DELETE /api/v1/sessions/my-own-session)" = 204 ]
check "204 has no body" [ ! -s "$T/b" ]
check "DELETE again 404" [ "$(req DELETE /api/v1/sessions/my-own-session)" = 404 ]

# ---------------------------------------------------------------------------
echo "== artifacts"
head -c 3000000 /dev/urandom >"$T/file.bin"
check "upload 201 (new session)" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/file.bin;filename=report.bin;type=application/octet-stream" \
	-F 'sessionId=' -F 'filename=report.bin' -F 'metadata_json={"description":"d"}')" = 201 ]
ASID=$(jb .sessionId)
check "upload body" [ "$(jbc '[.size, .filename, .mimeType, .metadata.description,
	(.uri | test("^artifact://.*/sam_dev_user/web-session-[0-9a-f]{32}/report.bin\\?version=0$")),
	(.createdAt | test("\\+00:00$"))]')" = '[3000000,"report.bin","application/octet-stream","d",true,true]' ]
check "upload created the session row" [ "$(req GET "/api/v1/sessions/$ASID")" = 200 ]
check "download 200" [ "$(req GET "/api/v1/artifacts/$ASID/report.bin")" = 200 ]
check "download byte-identical" cmp -s "$T/b" "$T/file.bin"
check "content-disposition" [ "$(hdr content-disposition)" = "attachment; filename*=UTF-8''report.bin" ]
check "download is chunked" [ "$(hdr transfer-encoding)" = chunked ]
check "second version 201" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/file.bin;filename=x.bin" -F "sessionId=$ASID" \
	-F 'filename=report.bin') $(jb .uri | sed 's/.*=//')" = "201 1" ]
check "versions [0,1]" \
	[ "$(req GET "/api/v1/artifacts/$ASID/report.bin/versions") $(jbc .)" = '200 [0,1]' ]
check "version 0 download" eval \
	'[ "$(req GET "/api/v1/artifacts/$ASID/report.bin/versions/0")" = 200 ] &&
	cmp -s "$T/b" "$T/file.bin"'
check "version download headers" eval \
	'[ "$(hdr cache-control)" = "private, max-age=3600" ] && [ -n "$(hdr etag)" ]'
check "max_bytes truncation" eval \
	'[ "$(req GET "/api/v1/artifacts/$ASID/report.bin?max_bytes=100")" = 200 ] &&
	[ "$(wc -c <"$T/b")" -eq 100 ] && [ "$(hdr x-truncated)" = true ] &&
	[ "$(hdr x-original-size)" = 3000000 ]'
check "list 200" [ "$(req GET "/api/v1/artifacts/$ASID")" = 200 ]
check "list snake_case" [ "$(jbc '.[0] | [.filename, .mime_type, .size, .version, .version_count]')" = \
	'["report.bin","application/octet-stream",3000000,1,2]' ]
check "list of unknown session is []" \
	[ "$(req GET /api/v1/artifacts/web-session-nope) $(cat "$T/b")" = '200 []' ]
check "download from unknown session 404" [ "$(req GET /api/v1/artifacts/web-session-nope/report.bin)" = 404 ]
check "missing artifact in valid session 500" \
	[ "$(req GET "/api/v1/artifacts/$ASID/nope.txt") $(jb .message)" = '500 Failed to load artifact' ]
check "DELETE artifact 204" [ "$(req DELETE "/api/v1/artifacts/$ASID/report.bin")" = 204 ]
check "deleted artifact 500 on download" [ "$(req GET "/api/v1/artifacts/$ASID/report.bin")" = 500 ]
: >"$T/empty"
check "empty file 400" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/empty;filename=e.txt" -F "sessionId=$ASID" -F 'filename=e.txt') $(jb .message)" = \
	'400 Uploaded file cannot be empty.' ]
check "traversal filename 400" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/file.bin;filename=a" -F "sessionId=$ASID" -F 'filename=../x')" = 400 ]
check "unknown sessionId 403" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/file.bin;filename=a" -F 'sessionId=nope' -F 'filename=a')" = 403 ]
check "missing form fields 422" [ "$(req POST /api/v1/artifacts/upload -F 'x=y') $(jbc \
	'.validationDetails | keys')" = '422 ["filename","upload_file"]' ]
printf 'hello text' >"$T/t.txt"
check "text upload: mime from extension" [ "$(req POST /api/v1/artifacts/upload \
	-F "upload_file=@$T/t.txt;filename=t.txt;type=application/octet-stream" \
	-F "sessionId=$ASID" -F 'filename=notes.md') $(jb .mimeType)" = '201 text/markdown' ]
check "text download charset" [ "$(req GET "/api/v1/artifacts/$ASID/notes.md") $(hdr content-type)" = \
	'200 text/markdown; charset=utf-8' ]

stop_sim "$MAIN_PID"

start_sim --max-upload-bytes 1000000
head -c 2000000 /dev/urandom >"$T/two.bin"
code=$(curl -s --max-time 20 -o "$T/b" -w '%{http_code}' \
	-F "upload_file=@$T/two.bin;filename=two.bin" -F 'sessionId=' -F 'filename=two.bin' \
	"$SIM_URL/api/v1/artifacts/upload")
rc=$?
check "413 over the limit, no reset (curl rc=$rc)" [ "$rc $code" = "0 413" ]
check "413 message" sh -c "jq -r .message '$T/b' | grep -q '^File upload rejected: size 2,000,[0-9]* bytes exceeds maximum 1,000,000 bytes (1.9[0-9] MB > 0.95 MB)\$'"
check "limit in config" [ "$(req GET /api/v1/config) $(jb .validation_limits.maxPerFileUploadSizeBytes)" = \
	'200 1000000' ]
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== stats, introspect, queue overflow"
start_sim --queue-size 5 --sndbuf 4096 --persistent-buffer
submit "counted [gwsim:first_delay_ms=300]"
sse "$TASK" 10
check "stream complete" [ "$RC $(events_in "$T/s")" = "0 7" ]
check "stats: events_sent = events received" [ "$(sim_stat events_sent)" = 7 ]
check "stats: events_generated" [ "$(sim_stat events_generated)" = 7 ]
check "stats: tasks_completed" [ "$(sim_stat tasks_completed)" = 1 ]
check "stats: rss_kb > 0" [ "$(sim_stat rss_kb)" -gt 0 ]
check "stats: all listed keys" [ "$(sim_stats | jq -c '[has(
	"active_streams","streams_total","buffered_tasks","tasks_submitted",
	"tasks_completed","events_generated","events_sent",
	"events_buffer_dropped","queues_detached","pings_sent","sessions",
	"artifacts","requests_total","responses_4xx","responses_5xx",
	"rss_kb")] | all')" = true ]
check "stats: the benchmark options' counters, all 0 when they are off" \
	[ "$(sim_stats | jq -c '[.paused_requests, .arrivals_logged,
	.service_queue, .service_queue_max, .service_busy, .streams_refused,
	.status_lagged, (.uptime_ms > 0)]')" = '[0,0,0,0,0,0,0,true]' ]
check "introspect after a clean run" [ "$(curl -s "$SIM_URL/gwsim/introspect")" = \
	'{"active_connections":0,"background_task_cache":1,"prior_connections":0,"buffered_tasks":0}' ]
# pre-connection buffer overflow: 20 events for a queue of 5
submit "buffer [gwsim:events=20] [gwsim:interval_ms=1] [gwsim:first_delay_ms=0]"
sleep 0.5
check "pre-connection buffer keeps queue-size events" [ "$(sim_stat events_buffer_dropped)" -ge 17 ]
check "buffered_tasks 1" [ "$(sim_stat buffered_tasks)" = 1 ]
sse "$TASK" 1
check "first subscriber takes the 5 buffered events (no final)" [ "$(events_in "$T/s")" = 5 ]
check "backlog taken: buffered_tasks 0" wait_stat buffered_tasks 0
# a subscriber that does not read: queue full -> detached, never final
submit "flood [gwsim:events=3000] [gwsim:chunk=4000] [gwsim:interval_ms=0] [gwsim:first_delay_ms=300]"
curl -s -N --max-time 4 --limit-rate 2k -o "$T/slow" "$SIM_URL/api/v1/sse/subscribe/$TASK"
check "slow reader: stream never ends (no final)" sh -c "! grep -q final_response '$T/slow'"
check "slow reader: queue detached" [ "$(sim_stat queues_detached)" -ge 1 ]
check "active_connections back to 0" sh -c "sleep 0.3; curl -s '$SIM_URL/gwsim/introspect' | jq -e '.active_connections == 0' >/dev/null"
check "server still healthy" [ "$(req GET /health)" = 200 ]
# early disconnect (churn): the subscription goes at once, the prior mark stays
submit "churn [gwsim:first_delay_ms=2000]"
sse "$TASK" 0.5
check "early disconnect removes the subscription" wait_stat active_subscriptions 0
check "early disconnect: prior connection stays (SAM)" sh -c \
	"curl -s '$SIM_URL/gwsim/introspect' | jq -e '.prior_connections >= 1' >/dev/null"
sleep 2.2
sse "$TASK" 1
check "resubscribe after disconnect: events were not buffered" [ "$(events_in "$T/s")" = 0 ]
check "events_persist_only counted" [ "$(sim_stat events_persist_only)" -ge 7 ]
# keep-alive: the connection that carried a finished stream is reused
submit "keepalive [gwsim:first_delay_ms=300]"
curl -s -v -N --max-time 10 -o /dev/null -o /dev/null \
	"$SIM_URL/api/v1/sse/subscribe/$TASK" "$SIM_URL/health" 2>"$T/kv"
check "connection kept alive after the stream ended" grep -q 'Re-using existing connection' "$T/kv"
stop_sim "$SIM_PID"

# without --persistent-buffer (the default: SAM with no SQL SSE buffer) the
# task cache stays empty and a task whose subscriber left is buffered again
start_sim
submit "nopersist [gwsim:first_delay_ms=2000]"
sse "$TASK" 0.5
check "default: early disconnect removes the subscription" wait_stat active_subscriptions 0
sleep 2.2
sse "$TASK" 2
check "default: resubscribe gets the buffered events and final" grep -q final_response "$T/s"
check "default: no DB-only events" [ "$(sim_stat events_persist_only)" = 0 ]
check "default: background task cache stays empty" sh -c \
	"curl -s '$SIM_URL/gwsim/introspect' | jq -e '.background_task_cache == 0' >/dev/null"
stop_sim "$SIM_PID"

start_sim --buffer-max-age-s 2
submit "purge me"
sleep 3.5
check "pre-connection buffer purged after --buffer-max-age-s" [ "$(sim_stat buffers_purged)" = 1 ]
sse "$TASK" 1
check "purged task: late subscriber gets nothing" [ "$(events_in "$T/s")" = 0 ]
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== token mode"
start_sim --token s3cret -v 2>"$T/tok.err"
check "no token 401" [ "$(req GET /api/v1/sessions)" = 401 ]
check "401 body" [ "$(cat "$T/b")" = '{"detail":"Not authenticated","error_type":"authentication_required"}' ]
check "wrong token 401" [ "$(req GET /api/v1/sessions -H 'Authorization: Bearer nope')" = 401 ]
check "bearer token 200" [ "$(req GET /api/v1/sessions -H 'Authorization: Bearer s3cret')" = 200 ]
check "?token= 200" [ "$(req GET '/api/v1/agentCards?token=s3cret')" = 200 ]
check "config needs no token" \
	[ "$(req GET /api/v1/config) $(jb .frontend_use_authorization)" = '200 true' ]
check "health needs no token" [ "$(req GET /health)" = 200 ]
check "unknown /api path: 401 first" [ "$(req GET /api/v1/nope)" = 401 ]
stop_sim "$SIM_PID"
check "token never printed (-v log)" sh -c "grep -q 'GET /api/v1/sessions' '$T/tok.err' && ! grep -q s3cret '$T/tok.err'"

# ---------------------------------------------------------------------------
echo "== fault injection"
start_sim --fail-rate 1
check "--fail-rate 1: 500" [ "$(req GET /api/v1/agentCards)" = 500 ]
check "injected failure body" [ "$(cat "$T/b")" = '{"message":"Injected failure","validationDetails":null}' ]
check "--fail-rate: /health untouched" [ "$(req GET /health)" = 200 ]
check "faults_500 counted" [ "$(sim_stat faults_500)" = 1 ]
stop_sim "$SIM_PID"

start_sim --cut-rate 1
submit "cut [gwsim:first_delay_ms=300]"
sse "$TASK" 5 --raw
check "--cut-rate 1: transfer closed without terminator (curl 18)" [ "$RC" -eq 18 ]
check "cut after the first event" [ "$(events_in "$T/s")" = 1 ]
check "streams_cut counted" [ "$(sim_stat streams_cut)" = 1 ]
stop_sim "$SIM_PID"

for mode in nocolon badjson longline barecr bom; do
	start_sim --malformed "$mode"
	submit "malformed [gwsim:first_delay_ms=300]"
	sse "$TASK" 5
	case $mode in
	nocolon) check "malformed nocolon" grep -q '^gwsim-line-without-colon' "$T/s" ;;
	badjson) grep '^data: ' "$T/s" | head -n1 | sed 's/^data: //' >"$T/d1"
		check "malformed badjson" sh -c "! jq -e . '$T/d1' >/dev/null 2>&1" ;;
	longline) check "malformed longline (>100 KB line)" [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/s")" -gt 102400 ] ;;
	barecr) check "malformed barecr (no LF)" eval \
		'[ "$(wc -l <"$T/s")" -eq 0 ] && grep -q final_response "$T/s"' ;;
	bom) check "malformed bom" [ "$(head -c 3 "$T/s" | od -An -tx1 | tr -d ' \n')" = efbbbf ] ;;
	esac
	check "malformed $mode: stream still ends" [ "$RC" -eq 0 ]
	stop_sim "$SIM_PID"
done

start_sim --stall-s 2
submit "stall [gwsim:first_delay_ms=300]"
t0=$(date +%s%N)
sse "$TASK" 10
t1=$(date +%s%N)
check "--stall-s 2: complete after >= 2 s" eval \
	'[ $(( (t1 - t0) / 1000000 )) -ge 1900 ] && [ "$RC" -eq 0 ]'
stop_sim "$SIM_PID"

start_sim --trickle-ms 1
submit "trickle [gwsim:events=1] [gwsim:first_delay_ms=300]"
sse "$TASK" 20
check "--trickle-ms: stream complete, one byte at a time" \
	[ "$RC $(events_in "$T/s") $(sim_stat streams_trickled)" = "0 3 1" ]
stop_sim "$SIM_PID"

start_sim --garbage nonjson
check "--garbage nonjson: 200" submit "g"
check "--garbage nonjson: body not JSON" sh -c "! jq -e . '$T/b' >/dev/null 2>&1"
stop_sim "$SIM_PID"
start_sim --garbage ctype
check "--garbage ctype: 200 JSON" eval 'submit g && [ "$(jb .jsonrpc)" = 2.0 ]'
check "--garbage ctype: text/plain" [ "$(hdr content-type)" = text/plain ]
stop_sim "$SIM_PID"

start_sim --never-final
submit "never"
sse "$TASK" 1.5
check "--never-final: no final, no end" eval '[ "$RC" -eq 28 ] &&
	! grep -q final_response "$T/s" && [ "$(events_in "$T/s")" = 6 ]'
check "--never-final: still running" \
	[ "$(req GET "/api/v1/tasks/$TASK/status") $(jb .is_running)" = '200 true' ]
stop_sim "$SIM_PID"

start_sim --leak-kb 1024
r0=$(sim_stat rss_kb)
i=0; while [ $i -lt 20 ]; do submit "leak"; i=$((i + 1)); done
r1=$(sim_stat rss_kb)
check "--leak-kb: RSS grew >= 15 MiB ($r0 -> $r1 KiB)" eval \
	'[ $((r1 - r0)) -ge 15360 ] && [ "$(sim_stat leaked_kb)" = 20480 ]'
stop_sim "$SIM_PID"

start_sim --refuse
curl -s --max-time 5 -o /dev/null "$SIM_URL/health"; rc=$?
check "--refuse: connection closed (curl rc=$rc)" eval '[ "$rc" -eq 52 ] || [ "$rc" -eq 56 ]'
stop_sim "$SIM_PID"

start_sim --reset-rate 1
curl -s --max-time 5 -o /dev/null "$SIM_URL/health"; rc=$?
check "--reset-rate 1: connection reset (curl rc=$rc)" eval '[ "$rc" -eq 56 ] || [ "$rc" -eq 52 ]'
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== gateway stall: --pause-at-s 2 --pause-s 2"
start_sim --pause-at-s 2 --pause-s 2
t0=$(now_ns); code=$(req GET /health); t1=$(now_ns)
up=$(sim_stat uptime_ms)
check "before the stall ($up ms after start): answered at once" eval \
	'[ "$code" = 200 ] && [ $(( (t1 - t0) / 1000000 )) -lt 1000 ] &&
	[ "$up" -lt 1800 ] && [ "$(sim_stat paused_requests)" = 0 ]'
g0=$(sim_start_ns)
check "gwsim's start time read within 50 ms" [ -n "$g0" ]
# ms_to MS: the ms from now to MS ms after gwsim's start
ms_to() { echo $(( (g0 + $1 * 1000000 - $(now_ns)) / 1000000 )); }
stall_end=$((g0 + 4000000000))
# an event due 300 ms into the stall, on a stream opened before it
submit "held events [gwsim:first_delay_ms=$(ms_to 2300)]"
sse_stamped "$TASK" 10 "$T/ps" &
PS=$!
# three requests 80 ms into the stall, to three endpoints (a 404 too)
sleep_ms "$(ms_to 2080)"
HP=""
for p in /health /api/v1/config /api/v1/nope; do
	(
		h0=$(now_ns)
		c=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$SIM_URL$p")
		h1=$(now_ns)
		echo "$c $(( (h1 - h0) / 1000000 )) $(( (h0 - g0) / 1000000 ))" \
			>"$T/held.${p##*/}"
	) &
	HP="$HP $!"
done
check "in the stall: the requests are held, /gwsim/stats still answers" \
	wait_stat paused_requests 3
for p in $HP; do wait "$p"; done
# "status wait_ms sent_at_ms", each
held=$(cat "$T/held.health" "$T/held.config" "$T/held.nope" | tr '\n' ' ')
check "in the stall: answered when it ends, >= 1.8 s later ($held)" eval '(
	for f in health:200 config:200 nope:404; do
		read -r c ms at <"$T/held.${f%:*}" && [ "$c" = "${f#*:}" ] &&
			[ "$ms" -ge 1800 ] || exit 1
	done)'
wait "$PS"
ev=$(first_event_ns "$T/ps")
check "an SSE event due in the stall is sent when it ends" eval \
	'[ -n "$ev" ] && [ "$ev" -ge $((stall_end - 200000000)) ]'
check "the held stream is complete" [ "$(grep -c ' event: ' "$T/ps")" = 7 ]
check "after the stall: no waiting" eval \
	'[ "$(req GET /health)" = 200 ] && [ "$(sim_stat paused_requests)" = 3 ]'
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== arrival log: --arrivals"
start_sim --arrivals "$T/arrivals"
i=0
while [ $i -lt 5 ]; do
	submit "arrival $i"
	# neither of these is a submission to the stream endpoint
	req GET /health >/dev/null
	msg_body "not streamed" TestAgent "" message/send >"$T/x.json"
	req POST /api/v1/message:send -H 'Content-Type: application/json' \
		--data-binary @"$T/x.json" >/dev/null
	i=$((i + 1))
done
check "arrivals_logged counts the 5 submissions" [ "$(sim_stat arrivals_logged)" = 5 ]
stop_sim "$SIM_PID"
check "5 submissions: 5 lines, written at exit" [ "$(wc -l <"$T/arrivals")" -eq 5 ]
# sort compares the digits exactly (awk's doubles would not, past 2^53 ns)
check "each line is CLOCK_MONOTONIC ns, in increasing order" eval \
	'! grep -qv "^[1-9][0-9]*\$" "$T/arrivals" && sort -C -n -u "$T/arrivals"'
"$GWSIM" --arrivals "$T/no/such/dir/log" --port 0 2>"$T/arr.err"
rc=$?
check "--arrivals in a missing directory: exit 2, one line" eval \
	'[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/arr.err")" -eq 1 ]'

# ---------------------------------------------------------------------------
echo "== service model: --service-workers 2 --service-ms 300"
# burst N TEXT: submit N tasks at once (one parallel curl), read each
# task's stream to its end, and list when each task's first event was
# made, sorted, in $T/burst/first: its status.timestamp, so the time the
# subscriptions take to open does not count.  B0 and B1 are now_ns just
# before and just after the submits: a time after B0 bounds the wait from
# its submit from above, a time after B1 from below.
burst() {
	rm -rf "$T/burst"
	mkdir -p "$T/burst"
	i=0
	while [ $i -lt "$1" ]; do
		msg_body "$2 $i" >"$T/burst/b.$i"
		cfg_add "$T/burst/cfg" "url = \"$SIM_URL/api/v1/message:stream\"
header = \"Content-Type: application/json\"
data-binary = \"@$T/burst/b.$i\"
output = \"$T/burst/o.$i\"
silent
max-time = 20"
		i=$((i + 1))
	done
	B0=$(now_ns)
	curl -s --parallel --parallel-immediate -K "$T/burst/cfg" 2>/dev/null
	B1=$(now_ns)
	for id in $(jq -r .result.id "$T"/burst/o.*); do
		cfg_add "$T/burst/sse.cfg" "url = \"$SIM_URL/api/v1/sse/subscribe/$id\"
output = \"$T/burst/s.$id\"
silent
no-buffer
max-time = 10"
	done
	curl -s --parallel --parallel-immediate -K "$T/burst/sse.cfg" 2>/dev/null
	for f in "$T"/burst/s.*; do
		ts=$(grep -m1 '^data: ' "$f" | sed 's/^data: //' |
			jq -r .result.status.timestamp)
		[ -n "$ts" ] && date -d "$ts" +%s%N
	done | sort -n >"$T/burst/first"
}
# nth_ms N FROM: the N-th first event of the burst, in ms after FROM
# ("none" when there is no N-th, which fails any comparison)
nth_ms() {
	nm=$(sed -n "$1p" "$T/burst/first")
	if [ -n "$nm" ]; then echo $(( (nm - $2) / 1000000 )); else echo none; fi
}

start_sim --service-workers 2 --service-ms 300
# schedules of ~450 ms, longer than S: the agents take the six in three
# waves, about 0, 450 and 900 ms after the submits
burst 6 "long [gwsim:events=40] [gwsim:interval_ms=10]"
check "the first task's first event within 200 ms ($(nth_ms 1 "$B0") ms)" \
	[ "$(nth_ms 1 "$B0")" -le 200 ]
check "two agents: the second task starts at once too ($(nth_ms 2 "$B0") ms)" \
	[ "$(nth_ms 2 "$B0")" -le 200 ]
check "the last task's first event >= 800 ms after its submit ($(nth_ms 6 "$B1") ms)" \
	[ "$(nth_ms 6 "$B1")" -ge 800 ]
check "every task completed" [ "$(grep -l '^event: final_response' "$T"/burst/s.* | wc -l)" -eq 6 ]
check "service_queue_max: four tasks waited" [ "$(sim_stat service_queue_max)" = 4 ]
check "then the agents are idle" eval \
	'wait_stat service_busy 0 && [ "$(sim_stat service_queue)" = 0 ]'
# schedules of ~80 ms, shorter than S: the agent is held for the 300 ms
burst 3 "short"
check "short schedules: an agent is held S ms ($(nth_ms 3 "$B1") ms)" \
	[ "$(nth_ms 3 "$B1")" -ge 250 ]
stop_sim "$SIM_PID"

start_sim --service-workers 1 --service-ms 1000
c0=$(now_ns)
submit "holds the only agent"
submit "waits for it"
jq -nc --arg id "$TASK" '{jsonrpc:"2.0",id:"c2",method:"tasks/cancel",params:{id:$id}}' >"$T/c.json"
check "cancel of a waiting task: 202" [ "$(req POST "/api/v1/tasks/$TASK:cancel" \
	-H 'Content-Type: application/json' --data-binary @"$T/c.json")" = 202 ]
sse "$TASK" 1
check "a waiting task canceled: its canceled final comes at once" eval \
	'[ "$(events_in "$T/s")" = 1 ] && [ "$(grep "^data: " "$T/s" |
	sed "s/^data: //" | jq -r .result.status.state)" = canceled ]'
# the first task frees the agent 1 s after it came, and the canceled one
# takes it and gives it back at once (holding it, it would do so at 2 s)
sleep_ms $((1500 - ($(now_ns) - c0) / 1000000))
check "its agent is given back as soon as it takes it" eval \
	'[ "$(sim_stat service_busy) $(sim_stat service_queue)" = "0 0" ]'
stop_sim "$SIM_PID"

start_sim
burst 6 "unqueued"
check "without --service-workers nothing waits ($(nth_ms 6 "$B0") ms)" \
	eval '[ "$(nth_ms 6 "$B0")" -le 200 ] && [ "$(sim_stat service_queue_max)" = 0 ]'
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== stream limit: --max-streams 2"
start_sim --max-streams 2
submit "idle [gwsim:first_delay_ms=60000]"
curl -s -N --max-time 20 -o "$T/m1" "$SIM_URL/api/v1/sse/subscribe/$TASK" &
M1=$!
curl -s -N --max-time 20 -o "$T/m2" "$SIM_URL/api/v1/sse/subscribe/$TASK" &
M2=$!
check "two streams open" wait_stat active_streams 2
check "the third concurrent subscribe: 503 at once" \
	[ "$(req GET "/api/v1/sse/subscribe/$TASK")" = 503 ]
check "503 body: SAM's SSE setup failure" [ "$(cat "$T/b")" = \
	'{"message":"Failed to establish SSE connection: too many open streams (gwsim --max-streams 2)","validationDetails":null}' ]
check "streams_refused counted, nothing registered" eval \
	'[ "$(sim_stat streams_refused) $(sim_stat active_subscriptions)" = "1 2" ]'
kill "$M1"
wait "$M1" 2>/dev/null
check "one closes: one stream open" wait_stat active_streams 1
sse "$TASK" 1
check "then a new subscribe gets 200" sh -c "head -n1 '$T/sh' | grep -q ' 200'"
kill "$M2"
wait "$M2" 2>/dev/null
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== send-time stamps: --stamp-events"
# stamped FILE: every event line of FILE right after a stamp line, and at
# least one event
stamped() {
	awk -v cr="$CR" '
		/^event: / { n++; if (prev !~ "^: gwsim-sent [1-9][0-9]*" cr "$") bad = 1 }
		{ prev = $0 }
		END { exit bad || !n }' "$1"
}
start_sim --stamp-events
submit "stamped live [gwsim:first_delay_ms=300]"
sse "$TASK" 10
check "a live stream, stamped: complete" [ "$RC $(events_in "$T/s")" = "0 7" ]
printf ': SSE connection established\r\n\r\n' >"$T/exp"
check "the first bytes are unchanged" cmp -s -n 32 "$T/exp" "$T/s"
check "every event is preceded by ': gwsim-sent <ns>'" stamped "$T/s"
check "one stamp per event, none on comments" \
	[ "$(grep -c '^: gwsim-sent ' "$T/s")" = 7 ]
sed -n 's/^: gwsim-sent \([0-9]*\)\r$/\1/p' "$T/s" >"$T/stamps"
check "the stamps increase" sort -C -n -u "$T/stamps"
submit "stamped backlog"
sleep 0.5
sse "$TASK" 1
check "a backlog, stamped: every event" eval \
	'[ "$(events_in "$T/s")" = 7 ] && stamped "$T/s"'
sed -n 's/^: gwsim-sent \([0-9]*\)\r$/\1/p' "$T/s" >"$T/stamps"
check "a backlog: the stamps increase" eval \
	'[ "$(wc -l <"$T/stamps")" -eq 7 ] && sort -C -n -u "$T/stamps"'
stop_sim "$SIM_PID"
start_sim
submit "not stamped [gwsim:first_delay_ms=300]"
sse "$TASK" 10
check "without --stamp-events: no stamps" eval \
	'[ "$(events_in "$T/s")" = 7 ] && ! grep -q gwsim-sent "$T/s"'
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== TLS: --tls-cert, --tls-key"
# tls_certs DIR: a throw-away CA and a server certificate it signed for
# 127.0.0.1 (subjectAltName IP:127.0.0.1), EC P-256 (quick to make), from
# a config of our own so that the system's openssl.cnf does not matter
tls_certs() {
	cat >"$1/x509.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = gwsim test CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
EOF
	openssl req -x509 -config "$1/x509.cnf" -extensions v3_ca \
		-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$1/ca.key" -out "$1/ca.pem" 2>"$1/openssl.err" &&
	openssl req -new -config "$1/x509.cnf" -subj /CN=127.0.0.1 \
		-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/srv.key" -out "$1/srv.csr" 2>>"$1/openssl.err" &&
	openssl x509 -req -in "$1/srv.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
		-CAcreateserial -CAserial "$1/ca.srl" -days 2 \
		-extfile "$1/x509.cnf" -extensions v3_srv \
		-out "$1/srv.pem" 2>>"$1/openssl.err"
}
# sim_exit2 DESC ARGS...: gwsim ARGS exits 2 with one line on stderr and
# never reports a port (it did not listen)
sim_exit2() {
	se_d=$1; shift
	"$GWSIM" --port 0 --ready-fd 3 "$@" 3>"$T/tls/ready" 2>"$T/tls/err"
	se_rc=$?
	check "$se_d: exit 2, one line, no port ($(cat "$T/tls/err"))" eval \
		'[ "$se_rc" -eq 2 ] && [ "$(wc -l <"$T/tls/err")" -eq 1 ] &&
		[ ! -s "$T/tls/ready" ]'
}
if ! command -v openssl >/dev/null 2>&1; then
	echo "  skip TLS checks: openssl is not installed (it makes their certificates)"
else
	mkdir "$T/tls"
	check "openssl made a CA and a server certificate" tls_certs "$T/tls"
	start_sim --tls-cert "$T/tls/srv.pem" --tls-key "$T/tls/srv.key"
	SIM_URL="https://127.0.0.1:${SIM_URL##*:}"
	check "curl --cacert ca.pem $SIM_URL/health: 200" [ "$(curl -s \
		--max-time 10 --cacert "$T/tls/ca.pem" -o "$T/b" -w '%{http_code}' \
		"$SIM_URL/health")" = 200 ]
	env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR \
		curl -s --max-time 10 -o /dev/null "$SIM_URL/health"
	rc=$?
	check "without --cacert: curl fails its verification (exit 60, got $rc)" \
		[ "$rc" -eq 60 ]
	curl -s --max-time 10 -o /dev/null "http://${SIM_URL#https://}/health"
	rc=$?
	check "plain HTTP on the TLS port is not answered (curl $rc)" [ "$rc" -ne 0 ]
	# every curl of the helpers below trusts the test CA
	CURL_CA_BUNDLE="$T/tls/ca.pem"
	export CURL_CA_BUNDLE
	check "redirects name https" eval '[ "$(req GET /health/)" = 307 ] &&
		[ "$(hdr location)" = "$SIM_URL/health" ]'
	# the stream must open before the task ends, or it never ends (a late
	# subscriber): 2 s leaves room for a slow handshake on a loaded host
	submit "over TLS [gwsim:first_delay_ms=2000]"
	sse "$TASK" 12
	check "SSE over TLS: a submit, and its stream read to final_response" \
		eval '[ "$RC" -eq 0 ] && [ "$(events_in "$T/s")" = 7 ] &&
		[ "$(grep "^event: " "$T/s" | tail -n1 | tr -d "\r")" = "event: final_response" ]'
	unset CURL_CA_BUNDLE
	stop_sim "$SIM_PID"
	sim_exit2 "a missing certificate" --tls-cert "$T/tls/none.pem" \
		--tls-key "$T/tls/srv.key"
	sim_exit2 "a certificate file that is not PEM" \
		--tls-cert "$T/tls/x509.cnf" --tls-key "$T/tls/srv.key"
	sim_exit2 "a key that is not the certificate's" \
		--tls-cert "$T/tls/srv.pem" --tls-key "$T/tls/ca.key"
	"$GWSIM" --port 0 --tls-cert "$T/tls/srv.pem" 2>"$T/tls/err"
	rc=$?
	check "--tls-cert without --tls-key: usage error, exit 2" eval \
		'[ "$rc" -eq 2 ] && grep -q "needs --tls-key" "$T/tls/err"'
fi

# ---------------------------------------------------------------------------
echo "== large final answers: --final-bytes, [gwsim:final_bytes=N]"
# final_data: the data: line of the final_response event of $T/s
final_data() {
	awk '/^event: final_response/ { f = 1; next }
		f && /^data: / { sub(/^data: /, ""); sub(/\r$/, ""); print; exit }' "$T/s"
}
final_text_len() { final_data | jq '.result.status.message.parts[0].text | length'; }
start_sim --final-bytes 70000
submit "big [gwsim:final_bytes=300000] [gwsim:first_delay_ms=300]"
sse "$TASK" 20
check "[gwsim:final_bytes=300000]: the stream ends" [ "$RC $(events_in "$T/s")" = "0 7" ]
check "the final's data line is over 300,000 bytes" \
	[ "$(final_data | wc -c)" -gt 300000 ]
check "... and one line of valid JSON" eval \
	'final_data | jq -e ".result.kind == \"task\"" >/dev/null &&
	[ "$(awk "/^event: final_response/ { f = 1; next } f && /^data: /" "$T/s" | wc -l)" -eq 1 ]'
check "its text is 300,000 bytes" [ "$(final_text_len)" = 300000 ]
submit "flag [gwsim:first_delay_ms=300]"
sse "$TASK" 20
check "--final-bytes 70000: the text is 70,000 bytes" [ "$(final_text_len)" = 70000 ]
submit "answer itself [gwsim:final_bytes=0] [gwsim:first_delay_ms=300]"
sse "$TASK" 20
check "[gwsim:final_bytes=0]: the answer itself (5 x 32)" [ "$(final_text_len)" = 160 ]
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== task-log lag: --status-lag-ms 1500"
start_sim --status-lag-ms 1500
submit "lagged [gwsim:first_delay_ms=300]"
sse "$TASK" 10
f1=$(now_ns)
check "the stream ended with the final" [ "$RC $(events_in "$T/s")" = "0 7" ]
check "right after the final: the status says running" \
	[ "$(req GET "/api/v1/tasks/$TASK/status") $(jbc '[.is_running,
	.task.status, .task.end_time]')" = '200 [true,null,null]' ]
check "status_lagged counted" [ "$(sim_stat status_lagged)" = 1 ]
sleep_ms $((1700 - ($(now_ns) - f1) / 1000000))
check "1.5 s later: not running, completed" \
	[ "$(req GET "/api/v1/tasks/$TASK/status") $(jbc '[.is_running,
	.task.status, (.task.end_time > 0)]')" = '200 [false,"completed",true]' ]
stop_sim "$SIM_PID"

# ---------------------------------------------------------------------------
echo "== load: $LOAD_STREAMS concurrent SSE subscribers"
start_sim --ping-s 5
mkdir -p "$T/load"
i=0
: >"$T/load/tasks"
while [ $i -lt "$LOAD_STREAMS" ]; do
	msg_body "load $i [gwsim:first_delay_ms=5000] [gwsim:events=10] [gwsim:interval_ms=200]"
	i=$((i + 1))
done >"$T/load/bodies"
split -l 1 -a 4 "$T/load/bodies" "$T/load/b."
for f in "$T"/load/b.*; do
	cfg_add "$T/load/submit.cfg" "url = \"$SIM_URL/api/v1/message:stream\"
header = \"Content-Type: application/json\"
data-binary = \"@$f\"
output = \"$f.out\"
silent
max-time = 60"
done
curl -s --max-time 120 --parallel --parallel-max 64 -K "$T/load/submit.cfg" 2>/dev/null
jq -r .result.id "$T"/load/b.*.out >"$T/load/tasks"
# curl runs at most 300 transfers in parallel: one curl per 250 streams
n=0
for t in $(cat "$T/load/tasks"); do
	cfg_add "$T/load/sse.$((n / 250)).cfg" "url = \"$SIM_URL/api/v1/sse/subscribe/$t\"
output = \"$T/load/s.$t\"
silent
no-buffer
max-time = 60"
	n=$((n + 1))
done
t0=$(date +%s%N)
ticks0=$(awk '{ print $14 + $15 }' "/proc/$SIM_PID/stat")
LPS=""
for cfg in "$T"/load/sse.*.cfg; do
	curl -s --parallel --parallel-max 250 --parallel-immediate -K "$cfg" \
		2>/dev/null &
	LPS="$LPS $!"
done
i=0; peak=0
while [ $i -lt 100 ]; do
	a=$(sim_stat active_streams)
	[ "$a" -gt "$peak" ] && peak=$a
	[ "$a" -ge "$LOAD_STREAMS" ] && break
	sleep 0.1; i=$((i + 1))
done
rss_peak=$(sim_stat rss_kb)
for p in $LPS; do wait "$p"; done
t1=$(date +%s%N)
ticks1=$(awk '{ print $14 + $15 }' "/proc/$SIM_PID/stat")
hz=$(getconf CLK_TCK)
done_n=0
for t in $(cat "$T/load/tasks"); do
	grep -q '^event: final_response' "$T/load/s.$t" 2>/dev/null && done_n=$((done_n + 1))
done
wall_ms=$(( (t1 - t0) / 1000000 ))
cpu_ms=$(( (ticks1 - ticks0) * 1000 / hz ))
echo "  load: peak $peak concurrent streams, $done_n/$LOAD_STREAMS finals," \
	"gwsim CPU ${cpu_ms} ms over ${wall_ms} ms wall, RSS ${rss_peak} KiB" \
	"($(sim_stat events_sent) events sent)"
check "load: $LOAD_STREAMS streams held at once" [ "$peak" -ge "$LOAD_STREAMS" ]
check "load: every stream got its final_response" [ "$done_n" -eq "$LOAD_STREAMS" ]
check "load: events_sent = 12 per stream" [ "$(sim_stat events_sent)" -eq $((LOAD_STREAMS * 12)) ]
check "load: all streams closed afterwards" wait_stat active_streams 0
check "load: the server ended every stream (no client timeout)" [ "$wall_ms" -lt 50000 ]
stop_sim "$SIM_PID"

finish
