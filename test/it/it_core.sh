#!/bin/sh
# Core integration tests over loopback (issue: core).  Against the bundled
# gateway and gateways started here with faults; checks exit codes,
# messages, reports and configuration precedence.
. "$(dirname "$0")/lib.sh"

R="$T/reports"

# 1. The first scenario end to end against the bundled gateway.
"$GWSTRESS" --scale smoke -s 'test_concurrent_sse_connections*' \
	--report-dir "$R" >"$T/out" 2>"$T/err"
rc=$?
check "concurrent SSE scenarios pass against the bundled gateway (rc=$rc)" \
	[ "$rc" -eq 0 ]
check "banner names the bundled gateway" grep -q 'bundled reference gateway' "$T/out"
for n in 5 10 25; do
	f="$R/stress_report_test_concurrent_sse_connections[$n].json"
	check "report [$n] written" [ -s "$f" ]
	check "report [$n]: $n submits" [ "$(jget "$f" '.counters.tasks_submitted')" = "$n" ]
	check "report [$n]: every stream terminal" \
		[ "$(jget "$f" '.counters.terminal_events')" = "$n" ]
	check "report [$n]: successful_connections = $n" \
		[ "$(jget "$f" '.gauges.successful_connections')" = "$n" ]
	check "report [$n]: accounting holds" [ "$(jget "$f" \
		'.summary.samples_produced == .summary.samples_received + .summary.samples_dropped')" = true ]
	check "report [$n]: per-event arrival samples" [ "$(jget "$f" \
		'.operations.sse_event_received.percentiles.count == .counters.events_received')" = true ]
	check "report [$n]: verdict passed" [ "$(jget "$f" '.verdict.passed')" = true ]
	check "report [$n]: memory measured from the bundled gateway" \
		[ "$(jget "$f" '.memory.measured')" = true ]
done

# 2. Unreachable gateway: one clear line naming the URL, exit 3.
"$GWSTRESS" --scale smoke -u http://127.0.0.1:1 -s 'test_concurrent_sse_connections[5]' \
	--report-dir "$R/x" >"$T/out" 2>"$T/err"
rc=$?
check "unreachable gateway exits 3 (rc=$rc)" [ "$rc" -eq 3 ]
check "unreachable message names the URL" grep -q 'cannot reach the gateway at http://127.0.0.1:1' "$T/err"
check "unreachable: exactly one line" [ "$(wc -l <"$T/err")" -eq 1 ]

# 3. Gateway answering 500 to every API request: errors counted, the
#    scenario fails, the report is still written.
start_sim --fail-rate 1
"$GWSTRESS" --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--report-dir "$R/500" >"$T/out" 2>"$T/err"
rc=$?
f="$R/500/stress_report_test_concurrent_sse_connections[5].json"
check "500s: exit 1 (rc=$rc)" [ "$rc" -eq 1 ]
check "500s: report written" [ -s "$f" ]
check "500s: 5 submit errors counted" [ "$(jget "$f" '.operations.task_submit.errors')" = 5 ]
check "500s: error rate 100%" [ "$(jget "$f" '.operations.task_submit.error_rate_percent')" = 100 ]
check "500s: classified http_status" [ "$(jget "$f" '.summary.errors_by_class.http_status')" = 5 ]
check "500s: error record says HTTP 500" [ "$(jget "$f" '.errors[0].error_message')" = "HTTP 500" ]
check "500s: verdict failed" [ "$(jget "$f" '.verdict.passed')" = false ]
check "500s: console shows FAILED" grep -q 'VERDICT: FAILED' "$T/out"
stop_sim "$SIM_PID"

# 4. Configuration errors: file:line, all of them, exit 2, nothing run.
printf '[profile]\nconcurrent_sse_connections = abc\n[bogus]\nx = 1\n' >"$T/bad.ini"
"$GWSTRESS" -c "$T/bad.ini" >"$T/out" 2>"$T/err"
rc=$?
check "bad INI exits 2 (rc=$rc)" [ "$rc" -eq 2 ]
check "bad INI: line 2 named" grep -q "bad.ini:2: .*concurrent_sse_connections" "$T/err"
check "bad INI: line 3 named" grep -q "bad.ini:3: unknown section" "$T/err"
check "bad INI: nothing ran" [ ! -s "$T/out" ]
"$GWSTRESS" --no-such-flag >/dev/null 2>"$T/err"
check "unknown flag exits 2" [ $? -eq 2 ]
check "unknown flag: one line" [ "$(wc -l <"$T/err")" -eq 1 ]
STRESS_DURATION=abc "$GWSTRESS" --scale smoke >/dev/null 2>"$T/err"
check "bad STRESS_DURATION exits 2" [ $? -eq 2 ]
check "bad env names the variable" grep -q 'STRESS_DURATION' "$T/err"
"$GWSTRESS" --scale nosuch >/dev/null 2>"$T/err"
check "unknown scale exits 2" [ $? -eq 2 ]
"$GWSTRESS" --scale smoke -s no_such_scenario >/dev/null 2>"$T/err"
check "empty selection exits 2" [ $? -eq 2 ]

# 5. Precedence: CLI > environment > INI > default, visible in -v and the
#    report's config_sources.
printf '[profile]\ntest_duration_seconds = 7\n' >"$T/p.ini"
cfgline() { grep ' test_duration_seconds ' "$T/out" | tr -s ' '; }
"$GWSTRESS" -c "$T/p.ini" -v --list >/dev/null 2>&1  # --list exits before config
STRESS_DURATION=8 "$GWSTRESS" -c "$T/p.ini" --duration 9 -v -u http://127.0.0.1:1 >"$T/out" 2>/dev/null
check "CLI beats env and INI" [ "$(cfgline)" = " profile test_duration_seconds = 9 (cli)" ]
STRESS_DURATION=8 "$GWSTRESS" -c "$T/p.ini" -v -u http://127.0.0.1:1 >"$T/out" 2>/dev/null
check "env beats INI" [ "$(cfgline)" = " profile test_duration_seconds = 8 (env)" ]
"$GWSTRESS" -c "$T/p.ini" -v -u http://127.0.0.1:1 >"$T/out" 2>/dev/null
check "INI beats default" [ "$(cfgline)" = " profile test_duration_seconds = 7 (ini)" ]
STRESS_CONCURRENT_SSE=10 "$GWSTRESS" --scale smoke -v -u http://127.0.0.1:1 >"$T/out" 2>/dev/null
check "STRESS_CONCURRENT_SSE=10 overrides smoke's 3 (Python cannot)" \
	grep -q 'concurrent_sse_connections *= 10 *(env)' "$T/out"

# 5b. JUnit XML for CI systems: one testcase per scenario, failures carry
#     the failed checks.
start_sim --cut-rate 1
"$GWSTRESS" --scale smoke -q -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	-s test_burst_nothing -s test_concurrent_task_submission_burst \
	--junit "$T/junit/j.xml" --report-dir "$R/junit" >"$T/out" 2>"$T/err"
stop_sim "$SIM_PID"
j="$T/junit/j.xml"
check "html: not asked for, not written" [ ! -e "$T/junit/run.html" ]
check "junit: written" [ -s "$j" ]
check "junit: 2 testcases, 1 failure" grep -q '<testsuites tests="2" failures="1" skipped="0"' "$j"
check "junit: the failure names its check" grep -q 'failure message="streams that reached their terminal event: 0 of 5' "$j"
check "junit: dotted class from the markers" grep -q 'classname="gwstress.stress" name="test_concurrent_task_submission_burst"' "$j"
check "junit: balanced testcase elements" [ "$(grep -c '<testcase' "$j")" = 2 ]

# 5b'. The HTML page: every scenario, its verdict, an SVG chart per
#      scenario with a curve per operation.
"$GWSTRESS" --scale smoke -q -s 'test_concurrent_sse_connections[5]' \
	-s 'test_concurrent_sse_connections[10]' --html "$T/html/run.html" \
	--report-dir "$R/html" >/dev/null 2>&1
h="$T/html/run.html"
check "html: written" [ -s "$h" ]
check "html: both scenarios listed as passed" [ "$(grep -c '<td class="passed">passed</td>' "$h")" = 2 ]
check "html: one latency chart per scenario" [ "$(grep -c '<title>latency by percentile</title>' "$h")" = 2 ]
check "html: a curve per operation (6 each)" [ "$(grep -c '<polyline' "$h")" -ge 12 ]
check "html: ends properly" sh -c "tail -1 '$h' | grep -q '</html>'"

# 5c. Shards merge exactly: two concurrent runs of one scenario against one
#     gateway, merged into one report.
start_sim
pids=""
for k in 1 2; do
	"$GWSTRESS" --scale smoke -q -u "$SIM_URL" -s 'test_many_concurrent_sessions[10]' \
		--report-dir "$R/shard$k" >/dev/null 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
stop_sim "$SIM_PID"
n="stress_report_test_many_concurrent_sessions[10].json"
"$GWSTRESS" --merge "$R/merged.json" "$R/shard1/$n" "$R/shard2/$n" 2>"$T/err"
check "merge: exit 0" [ $? -eq 0 ]
m="$R/merged.json"
check "merge: 20 submits" [ "$(jget "$m" '.operations.session_task_submit.percentiles.count')" = 20 ]
check "merge: counters summed" [ "$(jget "$m" '.counters.sessions_completed')" = \
	"$(jq -s '[.[].counters.sessions_completed] | add' "$R/shard1/$n" "$R/shard2/$n")" ]
check "merge: max is the max of the shards" [ "$(jget "$m" '.operations.session_task_submit.percentiles.max')" = \
	"$(jq -s '[.[].operations.session_task_submit.percentiles.max] | max' "$R/shard1/$n" "$R/shard2/$n")" ]
check "merge: 2 shards recorded" [ "$(jget "$m" '.merge.shards_count')" = 2 ]
"$GWSTRESS" --merge "$R/bad.json" "$R/shard1/$n" "$R/junit/stress_report_test_concurrent_task_submission_burst.json" 2>"$T/err"
check "merge: different scenarios refused (exit 2)" [ $? -eq 2 ]
check "merge: the refusal names both files" grep -q "burst.*but.*sessions" "$T/err"

# 6. --list names every scenario with its markers.
"$GWSTRESS" --list >"$T/out"
check "--list shows [25] with marker" grep -q '^test_concurrent_sse_connections\[25\] .*\[stress\]' "$T/out"

# 7. A bearer token is used (header and ?token=) and never printed.
SECRET="s3cr3t-$(date +%s)"
start_sim --token "$SECRET"
GWSTRESS_TOKEN="$SECRET" "$GWSTRESS" --scale smoke -u "$SIM_URL" -v \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$R/tok" >"$T/out" 2>"$T/err"
rc=$?
check "token accepted by the gateway (rc=$rc)" [ "$rc" -eq 0 ]
check "token not in stdout/stderr" sh -c "! grep -q '$SECRET' '$T/out' '$T/err'"
check "token not in reports" sh -c "! grep -rq '$SECRET' '$R/tok'"
"$GWSTRESS" --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--report-dir "$R/notok" >"$T/out" 2>"$T/err"
check "without the token the gateway refuses (exit 1)" [ $? -eq 1 ]
stop_sim "$SIM_PID"

# 8. SIGINT / SIGTERM during a run: in-flight transfers abort, the running
#    scenario's report is written with "interrupted": true, exit 130 / 143.
interrupt() {
	sig=$1; want=$2
	"$GWSTRESS" --scale smoke -s test_extended_streaming_soak \
		--report-dir "$R/$sig" >"$T/out" 2>"$T/err" &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q 'target:' "$T/out" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 2
	sim=$(pgrep -P $pid gwsim)
	check "$sig: the bundled gateway runs as our child" [ -n "$sim" ]
	kill -"$sig" $pid
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	check "$sig: exited within 5 s" sh -c "! kill -0 $pid 2>/dev/null"
	wait $pid
	rc=$?
	f="$R/$sig/stress_report_test_extended_streaming_soak.json"
	check "$sig: exit $want (rc=$rc)" [ "$rc" -eq "$want" ]
	check "$sig: report written" [ -s "$f" ]
	check "$sig: marked interrupted" [ "$(jget "$f" '.metadata.interrupted')" = true ]
	check "$sig: not passed" [ "$(jget "$f" '.verdict.passed')" = false ]
	check "$sig: samples kept" [ "$(jget "$f" '.summary.samples_received > 0')" = true ]
	check "$sig: the bundled gateway was stopped" \
		sh -c "! kill -0 ${sim:-1} 2>/dev/null"
}
interrupt INT 130
interrupt TERM 143

# 9. stream_window_scale stretches or shrinks every COLLECT window: a task
#    whose first event comes after 2.5 s misses a 15 s window scaled by 0.1
#    (1.5 s) and fits it scaled by 0.4 (6 s).
start_sim --first-delay-ms 2500
"$GWSTRESS" --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--set target.stream_window_scale=0.1 --report-dir "$R/w1" >"$T/out" 2>"$T/err"
rc=$?
f="$R/w1/stress_report_test_concurrent_sse_connections[5].json"
check "window x0.1: the slow tasks fail (rc=$rc)" [ "$rc" -eq 1 ]
check "window x0.1: 5 timeouts" [ "$(jget "$f" '.summary.errors_by_class.timeout')" = 5 ]
check "window x0.1: the message names the scaled window" \
	[ "$(jget "$f" '.errors[0].error_message')" = "no terminal event within 1500ms" ]
GWSTRESS_WINDOW_SCALE=0.4 "$GWSTRESS" --scale smoke -u "$SIM_URL" \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$R/w4" >"$T/out" 2>"$T/err"
rc=$?
f="$R/w4/stress_report_test_concurrent_sse_connections[5].json"
check "window x0.4 from the environment: the slow tasks pass (rc=$rc)" [ "$rc" -eq 0 ]
check "window x0.4: every stream terminal" \
	[ "$(jget "$f" '.counters.terminal_events')" = 5 ]
stop_sim "$SIM_PID"

finish
