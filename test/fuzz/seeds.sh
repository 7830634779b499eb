#!/bin/sh
# Write the seed corpora test/fuzz/corpus/{sse,ini,proto}/ from the test
# data, the shipped profiles and the protocol shapes (sam-gateway-protocol.md
# sections 4, 5 and 8).  Run from anywhere; files are overwritten, others
# (regression inputs) are left alone.  Input layouts: see the design comment
# of each harness.  Seeds are kept few and small: the fuzzer finds the rest,
# and `make fuzz` grows a scratch copy under build/fuzz/, not these.
set -eu
cd "$(dirname "$0")/../.."
F=test/fuzz/corpus
mkdir -p $F/sse $F/ini $F/proto

# --- sse: 2 bytes of cap, a mode byte, piece lengths, then the stream.
# sseed NAME CAP(2 bytes, octal escapes) MODE PIECES FILE
sseed() {
	{ printf "$2$3$4"; cat "test/data/sse/$5"; } > "$F/sse/$1"
}
# cap 4096 (0x0ff0: 16 + 4080), whole, then split in 3 pieces
sseed sam_task      '\017\360' '\000' ''             sam_task.sse
sseed sam_task_3    '\017\360' '\003' '\100\177\001' sam_task.sse
# cap 272, callbacks stop the parser at every event and comment
sseed sam_notify    '\001\000' '\030' ''             sam_notify.sse
# cap 48 (16 + 32): the recorded oversize stream, 5 bytes then bytewise
sseed oversize      '\000\040' '\041' '\005'         oversize.sse
# cap 16, the smallest, on the same stream
sseed oversize_16   '\000\000' '\000' ''             oversize.sse
sseed bom           '\001\000' '\042' '\001\002'     bom.sse
sseed cr_only       '\001\000' '\001' '\007'         cr_only.sse
sseed mixed_eol     '\001\000' '\024' '\001\000\001\003' mixed_eol.sse
sseed id_retry      '\001\000' '\010' ''             multiline_id_retry.sse

# --- ini: INI text, optionally "\n%%\n" and one environment value per
# line (STRESS_CONCURRENT_SSE, STRESS_CONCURRENT_SESSIONS, STRESS_DURATION,
# STRESS_SOAK_DURATION, STRESS_MAX_P99_LATENCY, STRESS_MAX_ERROR_RATE,
# GWSTRESS_URL, GWSTRESS_AGENT, GWSTRESS_TARGET_PID, GWSTRESS_REPORT_DIR).
for f in good-basic good-crlf good-maxline bad-multi bad-longline \
	 bad-duplicate bad-bracket bad-range; do
	cp "test/data/ini/$f.ini" "$F/ini/$f"
done
# a shipped profile without its comments and blank lines
grep -v '^;' conf/smoke.ini | grep -v '^$' > "$F/ini/smoke"
{ cat "$F/ini/smoke"; printf '\n%%%%\n'
  printf '3\n2\n5\n\n1000\n\nhttp://127.0.0.1:8000\nOrchestratorAgent\n0\n'
  printf 'reports\n'; } > "$F/ini/smoke_env"
{ printf '[target]\nurl = ftp://x\ntoken_env = 9BAD\n'
  printf '[engine]\nring_size = 1000\n'
  printf '[profile]\nsmall_artifact_size_bytes = 2048\n'
  printf 'medium_artifact_size_bytes = 1024\n%%%%\n'
  printf 'abc\n0\n-1\n1e999\nnan\n101\n%s\n\n4194305\n\n' \
	'https://gw.example:8443/api'; } > "$F/ini/env_bad"

# --- proto: a mode digit, then the body.
T='gdk-task-1'
S='web-session-1'
W='OrchestratorAgent'
pseed() { printf '%s' "$2" > "$F/proto/$1"; }
# section 4: submit response, a JSON-RPC error, a validation error
pseed submit '0{"id":"req-7f3c","jsonrpc":"2.0","result":{"artifacts":null,'\
'"contextId":"'$S'","history":null,"id":"'$T'","kind":"task",'\
'"metadata":{"agent_name":"'$W'"},"status":{"message":null,'\
'"state":"submitted","timestamp":null}}}'
pseed submit_error '0{"jsonrpc":"2.0","error":{"code":-32603,'\
'"message":"An unexpected server error occurred: KeyError"}}'
pseed submit_422 '0{"message":"Validation error","validationDetails":'\
'{"params.message.messageId":["Field required"]}}'
# section 8: upload response into 120 ('x') and 8 ('\010') byte buffers
U='{"uri":"artifact://sam/sam_dev_user/'$S'/report.pdf?version=0",'\
'"sessionId":"'$S'","filename":"report.pdf","size":12345,'\
'"mimeType":"application/pdf","metadata":{},'\
'"createdAt":"2026-08-12T08:51:50.123456+00:00"}'
pseed upload "1x$U"
pseed upload_small "$(printf '1\010')$U"
# section 5: events ('T' = checked against gdk-task-1 in web-session-1)
D=$(sed -n 's/^data: //p' test/data/sse/sam_task.sse | tr -d '\r')
ev() { printf '%s\n' "$D" | sed -n "$1p"; }
pseed ev_status "2Tstatus_update
$(ev 1 | sed "s/gdk-task-3f2a9c1e5b7d4a60/$T/g; s/web-session-7b1d0c2e/$S/g")"
pseed ev_foreign "2Tstatus_update
$(ev 2)"
pseed ev_artifact "2tartifact_update
$(ev 4 | sed "s/gdk-task-3f2a9c1e5b7d4a60/$T/g")"
pseed ev_final "2Tfinal_response
$(ev 5 | sed "s/gdk-task-3f2a9c1e5b7d4a60/$T/g; s/web-session-7b1d0c2e/$S/g")"
pseed ev_final_error '2Tfinal_response
{"id": "resp-9", "jsonrpc": "2.0", "error": {"code": -32000, "message": '\
'"Invalid event structure received from agent."}}'
pseed ev_status_final '2-status_update
{"jsonrpc": "2.0", "result": {"final": true, "kind": "status-update", '\
'"taskId": "'$T'", "contextId": "'$S'", "status": {"state": "completed"}}}'
pseed ev_queue_error '2-error
{"error": "Internal queue error"}'
pseed ev_index '2-index_message
{"type": "index_started", "project_id": "p-1"}'
# what the event scanner must read as Jansson does (gw_jscan.h): a second
# result replacing the first, escaped keys and ids, a NUL lost after a
# literal, numbers at the limits, a surrogate pair, nesting
pseed ev_dup_result '2Tstatus_update
{"result": {"kind": "task", "taskId": "gdk-task-2"}, "result": '\
'{"kind": "status-update", "final": true, "taskId": "gdk-task-1"}}'
pseed ev_escaped '2Tfinal_response
{"res\u0075lt": {"k\u0069nd": "t\u0061sk", "id": "gdk-task-\u0031", '\
'"contextId": "web-session-1\ud83d\ude00"}}'
# (printf to the file: $(...) would drop the NULs)
printf '2Tstatus_update\n{"result": {"kind": "status-update", '\
'"final": true\000, "n": 1\000}}' > "$F/proto/ev_nul_quirk"
pseed ev_numbers '2-status_update
{"result": {"a": [9223372036854775807, -9223372036854775808, 1e308, '\
'1e-400, 0e99999, 1.7976931348623157e308]}, "b": [[[[{"c": [{}]}]]]]}'
pseed ev_overflow '2-status_update
{"result": {"kind": "task", "n": 1.7976931348623159e308}}'
# the request gwstress builds, from the user's text
pseed request '3Hello, "world" \ caf'"$(printf '\303\251')"
