#!/bin/sh
# One test per fault class of the bundled gateway: gwstress must not crash
# or hang, must classify every failure (connect, timeout, http_status,
# protocol, parse, dropped_stream), keep the other streams running, and
# still write its report.  Counts are checked against gwsim's own
# /gwsim/stats, so the classification is exact, not "some errors".
. "$(dirname "$0")/lib.sh"

R="$T/reports"
SCEN='test_concurrent_sse_connections[5]'

# no_crash NAME: the run_against_sim just made ended within its -t bound
# (timeout exits 124) and did not crash: exit 0 or 1
no_crash() { check "$1: finished in time, no crash (rc=$RC, ${ELAPSED}s)" [ "$RC" -le 1 ]; }
# st KEY: one of the gateway's counters after that run
st() { jget "$STATS" ".$1"; }

# http_status: every 5xx counted, once
run_against_sim -t 60 e500 --fail-rate 0.5 -- --scale smoke --report-dir "$R/e500" -s "$SCEN"
no_crash e500
f=$(report_of "$R/e500" "$SCEN")
check "500: http_status == gateway's faults_500 ($(st faults_500))" \
	[ "$(jget "$f" .summary.errors_by_class.http_status)" = "$(st faults_500)" ]
check "500: some 500s were injected" [ "$(st faults_500)" -gt 0 ]

# dropped_stream: streams cut mid-flight; the others complete
run_against_sim -t 60 cut --cut-rate 0.5 -- --scale smoke --report-dir "$R/cut" -s "$SCEN"
no_crash cut
f=$(report_of "$R/cut" "$SCEN")
cut=$(st streams_cut)
check "cut: dropped_stream == gateway's streams_cut ($cut)" \
	[ "$(jget "$f" .summary.errors_by_class.dropped_stream)" = "$cut" ]
check "cut: the uncut streams completed" \
	[ "$(jget "$f" .counters.terminal_events)" = $((5 - cut)) ]

# parse: invalid JSON in one event per stream
run_against_sim -t 60 badjson --malformed badjson -- --scale smoke --report-dir "$R/badjson" -s "$SCEN"
no_crash badjson
f=$(report_of "$R/badjson" "$SCEN")
check "badjson: parse == gateway's malformed_events ($(st malformed_events))" \
	[ "$(jget "$f" .summary.errors_by_class.parse)" = "$(st malformed_events)" ]
check "badjson: every event still counted" \
	[ "$(jget "$f" .counters.sse_events_received)" = "$(st events_sent)" ]

# protocol: a 100 KB data line, over max_event_bytes (64 KiB here): counted,
# skipped, memory bounded, the stream goes on
run_against_sim -t 60 longline --malformed longline -- --scale smoke --set engine.max_event_bytes=65536 --report-dir "$R/longline" -s "$SCEN"
no_crash longline
f=$(report_of "$R/longline" "$SCEN")
check "longline: protocol == gateway's malformed_events ($(st malformed_events))" \
	[ "$(jget "$f" .summary.errors_by_class.protocol)" = "$(st malformed_events)" ]
check "longline: only the oversize events were lost" \
	[ "$(jget "$f" .counters.sse_events_received)" = $(( $(st events_sent) - $(st malformed_events) )) ]
check "longline: streams still completed" \
	[ "$(jget "$f" .counters.terminal_events)" = 5 ]

# legal oddities of the SSE format are not errors (WHATWG rules)
for m in nocolon barecr bom; do
	run_against_sim -t 60 "$m" --malformed "$m" -- --scale smoke --report-dir "$R/$m" -s "$SCEN"
	no_crash "$m"
	f=$(report_of "$R/$m" "$SCEN")
	check "$m: no errors" [ "$(jget "$f" .summary.total_errors)" = 0 ]
	check "$m: every event received ($(st events_sent))" \
		[ "$(jget "$f" .counters.sse_events_received)" = "$(st events_sent)" ]
	check "$m: scenario passed" [ "$RC" -eq 0 ]
done

# parse / protocol on the submit: a 200 that is not JSON, JSON with a
# wrong Content-Type
run_against_sim -t 60 nonjson --garbage nonjson -- --scale smoke --report-dir "$R/nonjson" -s "$SCEN"
no_crash nonjson
check "nonjson: parse == gateway's garbage_responses ($(st garbage_responses))" \
	[ "$(jget "$(report_of "$R/nonjson" "$SCEN")" .summary.errors_by_class.parse)" = "$(st garbage_responses)" ]
run_against_sim -t 60 ctype --garbage ctype -- --scale smoke --report-dir "$R/ctype" -s "$SCEN"
no_crash ctype
check "ctype: protocol == gateway's garbage_responses ($(st garbage_responses))" \
	[ "$(jget "$(report_of "$R/ctype" "$SCEN")" .summary.errors_by_class.protocol)" = "$(st garbage_responses)" ]

# timeout: a stall longer than the 10 s COLLECT window of churn; the run
# must not wait for the stall to end
run_against_sim -t 60 stall --stall-s 40 -- --scale smoke --report-dir "$R/stall" -s test_sse_connection_churn
no_crash stall
check "stall: timeouts == gateway's streams_stalled ($(st streams_stalled))" \
	[ "$(jget "$(report_of "$R/stall" test_sse_connection_churn)" .summary.errors_by_class.timeout)" = "$(st streams_stalled)" ]
check "stall: bounded by the window, not the stall (${ELAPSED}s)" [ "$ELAPSED" -lt 35 ]

# trickle: one byte every 2 ms is slow but legal: no errors
run_against_sim -t 120 trickle --trickle-ms 2 -- --scale smoke --report-dir "$R/trickle" -s "$SCEN"
no_crash trickle
f=$(report_of "$R/trickle" "$SCEN")
check "trickle: no errors" [ "$(jget "$f" .summary.total_errors)" = 0 ]
check "trickle: all streams completed" [ "$(jget "$f" .counters.terminal_events)" = 5 ]

# dropped_stream: connections reset (RST) after their request headers.
# curl silently retries a request whose reused connection dies at once,
# so gwstress may see fewer resets than the gateway made, never more.
run_against_sim -t 60 reset --reset-rate 0.3 -- --scale smoke --report-dir "$R/reset" \
	-s "$SCEN" -s 'test_many_concurrent_sessions[10]'
no_crash reset
r=$(jq -s '[.[].summary.errors_by_class.dropped_stream] | add' "$R"/reset/*.json)
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
check "reset: 1 <= dropped_stream ($r) <= gateway's connections_reset ($(st connections_reset))" \
	within "$r" 1 "$(st connections_reset)"

# connect: a gateway refusing every connection is unreachable at start
start_sim --refuse
run_gwstress refuse --scale smoke -u "$SIM_URL" -s "$SCEN" --report-dir "$R/refuse"
stop_sim "$SIM_PID"
check "refuse: exit 3 (rc=$RC)" [ "$RC" -eq 3 ]
check "refuse: one line naming the URL" grep -q "cannot reach the gateway at $SIM_URL" "$ERR"

# connect: the gateway dies in the middle of a run; later requests fail
# to connect, are classified, and every report is still written
start_sim
"$GWSTRESS" --scale smoke -u "$SIM_URL" -s test_sustained_session_load \
	--report-dir "$R/dies" >"$T/out" 2>"$T/err" &
gp=$!
sleep 2
stop_sim "$SIM_PID"
i=0
while kill -0 $gp 2>/dev/null && [ $i -lt 400 ]; do sleep 0.1; i=$((i + 1)); done
check "dies: gwstress finished within 40 s" sh -c "! kill -0 $gp 2>/dev/null"
wait $gp
rc=$?
f=$(report_of "$R/dies" test_sustained_session_load)
check "dies: exit 1 (rc=$rc)" [ "$rc" -eq 1 ]
check "dies: report written" [ -s "$f" ]
check "dies: connect errors classified" [ "$(jget "$f" .summary.errors_by_class.connect)" -ge 1 ]
check "dies: error records name the failure" \
	[ "$(jget "$f" '[.errors[] | select(.error_class == "connect")] | length')" -ge 1 ]

finish
