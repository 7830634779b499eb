#!/bin/sh
# Regenerate the recorded SSE streams (NAME.sse, exact bytes via printf) and
# their expected callback sequences (NAME.expected, format in
# test/check_sse.c).  Run from this directory.  Expected lines are written
# out by hand; esc only doubles backslashes (the recorder's escaping) so
# JSON bodies can be shared with the .sse side.
set -eu
cd "$(dirname "$0")"

esc() { printf '%s' "$1" | sed 's/\\/\\\\/g'; }

# --- sam_task: the SAM task stream, CRLF framing (protocol spec section 5)
T='gdk-task-3f2a9c1e5b7d4a60'
S='web-session-7b1d0c2e'
J1='{"id": "'$T'", "jsonrpc": "2.0", "result": {"contextId": "'$S'", '\
'"final": false, "kind": "status-update", '\
'"metadata": {"agent_name": "OrchestratorAgent"}, '\
'"status": {"message": {"kind": "message", "messageId": "msg-5a1", '\
'"parts": [{"data": {"status_text": "Thinking...", '\
'"type": "agent_progress_update"}, "kind": "data"}], '\
'"role": "agent"}, "state": "working", '\
'"timestamp": "2026-08-12T08:51:35.101234+00:00"}, '\
'"taskId": "'$T'"}}'
J2='{"id": "'$T'", "jsonrpc": "2.0", "result": {"contextId": "'$S'", '\
'"final": false, "kind": "status-update", '\
'"metadata": {"agent_name": "OrchestratorAgent"}, '\
'"status": {"message": {"kind": "message", "messageId": "msg-5a2", '\
'"parts": [{"kind": "text", "text": "Hel"}], "role": "agent"}, '\
'"state": "working", '\
'"timestamp": "2026-08-12T08:51:36.220871+00:00"}, '\
'"taskId": "'$T'"}}'
J3='{"id": "'$T'", "jsonrpc": "2.0", "result": {"contextId": "'$S'", '\
'"final": false, "kind": "status-update", '\
'"metadata": {"agent_name": "OrchestratorAgent"}, '\
'"status": {"message": {"kind": "message", "messageId": "msg-5a3", '\
'"parts": [{"kind": "text", "text": "lo, \"world\" \u00e9\n"}], '\
'"role": "agent"}, "state": "working", '\
'"timestamp": "2026-08-12T08:51:37.002001+00:00"}, '\
'"taskId": "'$T'"}}'
J4='{"id": "'$T'", "jsonrpc": "2.0", "result": {"append": false, '\
'"artifact": {"artifactId": "art-9c4e", "name": "report.md", '\
'"parts": [{"kind": "text", "text": "# Report\n\nAll good."}]}, '\
'"contextId": "'$S'", "kind": "artifact-update", '\
'"lastChunk": true, "taskId": "'$T'"}}'
J5='{"id": "'$T'", "jsonrpc": "2.0", "result": {"contextId": "'$S'", '\
'"id": "'$T'", "kind": "task", '\
'"metadata": {"agent_name": "OrchestratorAgent", '\
'"token_usage": {"input_tokens": 812, "output_tokens": 57, '\
'"total_tokens": 869}}, "status": {"message": {"kind": "message", '\
'"messageId": "msg-5a9", "parts": [{"kind": "text", '\
'"text": "Hello, \"world\" \u00e9"}], "role": "agent"}, '\
'"state": "completed", '\
'"timestamp": "2026-08-12T08:51:52.004113+00:00"}}}'
P=': ping - 2026-08-12 08:51:50.123456+00:00'

printf '%s\r\n' ': SSE connection established' '' \
	'event: status_update' "data: $J1" '' \
	'event: status_update' "data: $J2" '' \
	'event: status_update' "data: $J3" '' \
	"$P" '' \
	'event: artifact_update' "data: $J4" '' \
	'event: final_response' "data: $J5" '' > sam_task.sse
{
	printf '%s\n' 'C SSE connection established'
	printf 'E status_update||%s\n' "$(esc "$J1")"
	printf 'E status_update||%s\n' "$(esc "$J2")"
	printf 'E status_update||%s\n' "$(esc "$J3")"
	printf '%s\n' 'C ping - 2026-08-12 08:51:50.123456+00:00'
	printf 'E artifact_update||%s\n' "$(esc "$J4")"
	printf 'E final_response||%s\n' "$(esc "$J5")"
	printf '%s\n' 'F fin=0 ev=5 com=2 over=0 retry=-1 id='
} > sam_task.expected

# --- sam_notify: /api/v1/sse/notifications, CRLF
printf '%s\r\n' ': notification stream established' '' \
	'event: session_created' \
	'data: {"name": "New Chat", "session_id": "web-session-1a2b"}' '' \
	': keepalive' '' \
	': ping - 2026-08-12 08:52:05.000001+00:00' '' \
	'event: execution_queued' 'data: {"execution_id": "ex-77"}' '' \
	> sam_notify.sse
printf '%s\n' \
	'C notification stream established' \
	'E session_created||{"name": "New Chat", "session_id": '\
'"web-session-1a2b"}' \
	'C keepalive' \
	'C ping - 2026-08-12 08:52:05.000001+00:00' \
	'E execution_queued||{"execution_id": "ex-77"}' \
	'F fin=0 ev=2 com=3 over=0 retry=-1 id=' > sam_notify.expected

# --- lf_only
printf '%s\n' ': hello' '' 'data: first' '' 'event: update' \
	'data: {"n": 1}' '' 'data: third' 'id: 3' '' ': bye' > lf_only.sse
printf '%s\n' 'C hello' 'E message||first' 'E update||{"n": 1}' \
	'E message|3|third' 'C bye' \
	'F fin=0 ev=3 com=2 over=0 retry=-1 id=3' > lf_only.expected

# --- cr_only
printf '%s\r' ': cr' 'event: a' 'data: 1' 'data: 2' '' 'data:3' '' \
	'retry: 1500' 'data' '' > cr_only.sse
printf '%s\n' 'C cr' 'E a||1\n2' 'E message||3' 'E message||' \
	'F fin=0 ev=3 com=1 over=0 retry=1500 id=' > cr_only.expected

# --- multiline_id_retry: multi-line data, id persistence, retry
printf '%s\n' 'retry: 10000' 'id: evt-1' 'event: chunk' 'data: line one' \
	'data:' 'data:  indented' 'data: last' '' \
	'data: second, same id' '' \
	'id' 'data: id cleared' '' \
	'retry: soon' 'id: 9' '' \
	'data: after empty event' '' > multiline_id_retry.sse
printf '%s\n' 'E chunk|evt-1|line one\n\n indented\nlast' \
	'E message|evt-1|second, same id' 'E message||id cleared' \
	'E message|9|after empty event' \
	'F fin=0 ev=4 com=0 over=0 retry=10000 id=9' \
	> multiline_id_retry.expected

# --- bom: a BOM at the start is skipped; BOM bytes elsewhere are bytes
{
	printf '\357\273\277'
	printf '%s\n' ': after bom' "data: x$(printf '\357\273\277')y" '' \
		"$(printf '\357\273\277')data: second BOM: unknown field" '' \
		'data: end' ''
} > bom.sse
printf '%s\n' 'C after bom' 'E message||x\xef\xbb\xbfy' 'E message||end' \
	'F fin=0 ev=2 com=1 over=0 retry=-1 id=' > bom.expected

# --- mixed_eol: CRLF, LF, CR, LF+CR, CR+CRLF; ends inside an event
printf 'event: a\r\ndata: 1\n\rdata: 2\r\r\ndata: 3\n\n: c\r\n' > mixed_eol.sse
printf 'data: 5\n\r\nevent: tail\r\ndata: never' >> mixed_eol.sse
printf '%s\n' 'E a||1' 'E message||2' 'E message||3' 'C c' 'E message||5' \
	'F fin=1 ev=4 com=1 over=0 retry=-1 id=' > mixed_eol.expected

# --- oversize, parsed with a 48-byte buffer (see recorded[] in the test)
V42='abcdefghijabcdefghijabcdefghijabcdefghijkl'
printf '%s\r\n' "data: $V42" '' \
	'id: kept' 'event: big' "data: ${V42}m" 'id: lost' 'data: tail' '' \
	": ${V42}mnopqrst" '' \
	'event: t' 'data: ok' '' \
	'data: end' '' > oversize.sse
printf '%s\n' "E message||$V42" 'E t|kept|ok' 'E message|kept|end' \
	'F fin=0 ev=3 com=0 over=2 retry=-1 id=kept' > oversize.expected
