#!/bin/sh
# One test per fault class of the bundled gateway: gwstress must not crash
# or hang, must classify every failure (connect, timeout, http_status,
# protocol, parse, dropped_stream), keep the other streams running, and
# still write its report.  Counts are checked against gwsim's own
# /gwsim/stats, so the classification is exact, not "some errors".
. "$(dirname "$0")/lib.sh"

R="$T/reports"
SCEN='test_concurrent_sse_connections[5]'

# fault NAME SECONDS_MAX SIMARGS -- GWSTRESS_ARGS...: run, then STATS has
# the gateway's counters and F the report of the first selected scenario.
fault() {
	name=$1; max=$2; shift 2
	sim=""
	while [ "$1" != "--" ]; do sim="$sim $1"; shift; done
	shift
	# shellcheck disable=SC2086
	start_sim $sim
	t0=$(date +%s)
	timeout "$max" "$GWSTRESS" --scale smoke -u "$SIM_URL" --target-pid "$SIM_PID" \
		--report-dir "$R/$name" "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	ELAPSED=$(( $(date +%s) - t0 ))
	# the stats request itself may meet an injected fault: retry
	i=0
	while [ $i -lt 20 ]; do
		STATS=$(curl -s --max-time 5 "$SIM_URL/gwsim/stats")
		[ -n "$STATS" ] && echo "$STATS" | jq -e .requests_total \
			>/dev/null 2>&1 && break
		i=$((i + 1))
	done
	stop_sim "$SIM_PID"
	check "$name: finished in time, no crash (rc=$RC, ${ELAPSED}s)" [ "$RC" -le 1 ]
}
st() { echo "$STATS" | jq -r ".$1"; }
rep() { jget "$R/$1/stress_report_$2.json" "$3"; }
cls() { rep "$1" "$SCEN" ".summary.errors_by_class.$2"; }

# http_status: every 5xx counted, once
fault e500 60 --fail-rate 0.5 -- -s "$SCEN"
check "500: http_status == gateway's faults_500 ($(st faults_500))" \
	[ "$(cls e500 http_status)" = "$(st faults_500)" ]
check "500: some 500s were injected" [ "$(st faults_500)" -gt 0 ]

# dropped_stream: streams cut mid-flight; the others complete
fault cut 60 --cut-rate 0.5 -- -s "$SCEN"
cut=$(st streams_cut)
check "cut: dropped_stream == gateway's streams_cut ($cut)" [ "$(cls cut dropped_stream)" = "$cut" ]
check "cut: the uncut streams completed" \
	[ "$(rep cut "$SCEN" .counters.terminal_events)" = $((5 - cut)) ]

# parse: invalid JSON in one event per stream
fault badjson 60 --malformed badjson -- -s "$SCEN"
check "badjson: parse == gateway's malformed_events ($(st malformed_events))" \
	[ "$(cls badjson parse)" = "$(st malformed_events)" ]
check "badjson: every event still counted" \
	[ "$(rep badjson "$SCEN" .counters.sse_events_received)" = "$(st events_sent)" ]

# protocol: a 100 KB data line, over max_event_bytes (64 KiB): counted,
# skipped, memory bounded, the stream goes on
fault longline 60 --malformed longline -- -s "$SCEN"
check "longline: protocol == gateway's malformed_events ($(st malformed_events))" \
	[ "$(cls longline protocol)" = "$(st malformed_events)" ]
check "longline: only the oversize events were lost" \
	[ "$(rep longline "$SCEN" .counters.sse_events_received)" = $(( $(st events_sent) - $(st malformed_events) )) ]
check "longline: streams still completed" \
	[ "$(rep longline "$SCEN" .counters.terminal_events)" = 5 ]

# legal oddities of the SSE format are not errors (WHATWG rules)
for m in nocolon barecr bom; do
	fault "$m" 60 --malformed "$m" -- -s "$SCEN"
	check "$m: no errors" [ "$(rep "$m" "$SCEN" .summary.total_errors)" = 0 ]
	check "$m: every event received ($(st events_sent))" \
		[ "$(rep "$m" "$SCEN" .counters.sse_events_received)" = "$(st events_sent)" ]
	check "$m: scenario passed" [ "$RC" -eq 0 ]
done

# parse / protocol on the submit: a 200 that is not JSON, JSON with a
# wrong Content-Type
fault nonjson 60 --garbage nonjson -- -s "$SCEN"
check "nonjson: parse == gateway's garbage_responses ($(st garbage_responses))" \
	[ "$(cls nonjson parse)" = "$(st garbage_responses)" ]
fault ctype 60 --garbage ctype -- -s "$SCEN"
check "ctype: protocol == gateway's garbage_responses ($(st garbage_responses))" \
	[ "$(cls ctype protocol)" = "$(st garbage_responses)" ]

# timeout: a stall longer than the 10 s COLLECT window of churn; the run
# must not wait for the stall to end
fault stall 60 --stall-s 40 -- -s test_sse_connection_churn
check "stall: timeouts == gateway's streams_stalled ($(st streams_stalled))" \
	[ "$(rep stall test_sse_connection_churn .summary.errors_by_class.timeout)" = "$(st streams_stalled)" ]
check "stall: bounded by the window, not the stall (${ELAPSED}s)" [ "$ELAPSED" -lt 35 ]

# trickle: one byte every 2 ms is slow but legal: no errors
fault trickle 120 --trickle-ms 2 -- -s "$SCEN"
check "trickle: no errors" [ "$(rep trickle "$SCEN" .summary.total_errors)" = 0 ]
check "trickle: all streams completed" [ "$(rep trickle "$SCEN" .counters.terminal_events)" = 5 ]

# dropped_stream: connections reset (RST) after their request headers.
# curl silently retries a request whose reused connection dies at once,
# so gwstress may see fewer resets than the gateway made, never more.
fault reset 60 --reset-rate 0.3 -- -s "$SCEN" -s 'test_many_concurrent_sessions[10]'
r=$(jq -s '[.[].summary.errors_by_class.dropped_stream] | add' "$R"/reset/*.json)
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
check "reset: 1 <= dropped_stream ($r) <= gateway's connections_reset ($(st connections_reset))" \
	within "$r" 1 "$(st connections_reset)"

# connect: a gateway refusing every connection is unreachable at start
start_sim --refuse
"$GWSTRESS" --scale smoke -u "$SIM_URL" -s "$SCEN" --report-dir "$R/refuse" >"$T/out" 2>"$T/err"
rc=$?
stop_sim "$SIM_PID"
check "refuse: exit 3 (rc=$rc)" [ "$rc" -eq 3 ]
check "refuse: one line naming the URL" grep -q "cannot reach the gateway at $SIM_URL" "$T/err"

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
f="$R/dies/stress_report_test_sustained_session_load.json"
check "dies: exit 1 (rc=$rc)" [ "$rc" -eq 1 ]
check "dies: report written" [ -s "$f" ]
check "dies: connect errors classified" [ "$(jget "$f" .summary.errors_by_class.connect)" -ge 1 ]
check "dies: error records name the failure" \
	[ "$(jget "$f" '[.errors[] | select(.error_class == "connect")] | length')" -ge 1 ]

finish
