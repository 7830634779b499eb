#!/bin/sh
# Core integration tests over loopback (issue: core).  Against the bundled
# gateway and gateways started here with faults; checks exit codes,
# messages, reports and configuration precedence.
. "$(dirname "$0")/lib.sh"

R="$T/reports"

# 1. The first scenario end to end against the bundled gateway.
run_gwstress concurrent --scale smoke -s 'test_concurrent_sse_connections*' \
	--report-dir "$R"
check "concurrent SSE scenarios pass against the bundled gateway (rc=$RC)" \
	[ "$RC" -eq 0 ]
check "banner names the bundled gateway" grep -q 'bundled reference gateway' "$OUT"
for n in 5 10 25; do
	f=$(report_of "$R" "test_concurrent_sse_connections[$n]")
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
run_gwstress unreachable --scale smoke -u http://127.0.0.1:1 \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$R/x"
check "unreachable gateway exits 3 (rc=$RC)" [ "$RC" -eq 3 ]
check "unreachable message names the URL" grep -q 'cannot reach the gateway at http://127.0.0.1:1' "$ERR"
check "unreachable: exactly one line" [ "$(wc -l <"$ERR")" -eq 1 ]

# 3. Gateway answering 500 to every API request: errors counted, the
#    scenario fails, the report is still written.
start_sim --fail-rate 1
run_gwstress e500 --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--report-dir "$R/500"
f=$(report_of "$R/500" 'test_concurrent_sse_connections[5]')
check "500s: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "500s: report written" [ -s "$f" ]
check "500s: 5 submit errors counted" [ "$(jget "$f" '.operations.task_submit.errors')" = 5 ]
check "500s: error rate 100%" [ "$(jget "$f" '.operations.task_submit.error_rate_percent')" = 100 ]
check "500s: classified http_status" [ "$(jget "$f" '.summary.errors_by_class.http_status')" = 5 ]
check "500s: error record says HTTP 500" [ "$(jget "$f" '.errors[0].error_message')" = "HTTP 500" ]
check "500s: verdict failed" [ "$(jget "$f" '.verdict.passed')" = false ]
check "500s: console shows FAILED" grep -q 'VERDICT: FAILED' "$OUT"
stop_sim "$SIM_PID"

# 4. Configuration errors: file:line, all of them, exit 2, nothing run.
printf '[profile]\nconcurrent_sse_connections = abc\n[bogus]\nx = 1\n' >"$T/bad.ini"
run_gwstress badini -c "$T/bad.ini"
check "bad INI exits 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "bad INI: line 2 named" grep -q "bad.ini:2: .*concurrent_sse_connections" "$ERR"
check "bad INI: line 3 named" grep -q "bad.ini:3: unknown section" "$ERR"
check "bad INI: nothing ran" [ ! -s "$OUT" ]
run_gwstress badflag --no-such-flag
check "unknown flag exits 2" [ "$RC" -eq 2 ]
check "unknown flag: one line" [ "$(wc -l <"$ERR")" -eq 1 ]
run_gwstress badenv STRESS_DURATION=abc --scale smoke
check "bad STRESS_DURATION exits 2" [ "$RC" -eq 2 ]
check "bad env names the variable" grep -q 'STRESS_DURATION' "$ERR"
run_gwstress badscale --scale nosuch
check "unknown scale exits 2" [ "$RC" -eq 2 ]
run_gwstress noselect --scale smoke -s no_such_scenario
check "empty selection exits 2" [ "$RC" -eq 2 ]

# 5. Precedence: CLI > environment > INI > default, visible in -v and the
#    report's config_sources.
printf '[profile]\ntest_duration_seconds = 7\n' >"$T/p.ini"
cfgline() { grep ' test_duration_seconds ' "$OUT" | tr -s ' '; }
run_gwstress list-v -c "$T/p.ini" -v --list  # --list exits before config
run_gwstress cli STRESS_DURATION=8 -c "$T/p.ini" --duration 9 -v -u http://127.0.0.1:1
check "CLI beats env and INI" [ "$(cfgline)" = " profile test_duration_seconds = 9 (cli)" ]
run_gwstress env STRESS_DURATION=8 -c "$T/p.ini" -v -u http://127.0.0.1:1
check "env beats INI" [ "$(cfgline)" = " profile test_duration_seconds = 8 (env)" ]
run_gwstress ini -c "$T/p.ini" -v -u http://127.0.0.1:1
check "INI beats default" [ "$(cfgline)" = " profile test_duration_seconds = 7 (ini)" ]
run_gwstress envsse STRESS_CONCURRENT_SSE=10 --scale smoke -v -u http://127.0.0.1:1
check "STRESS_CONCURRENT_SSE=10 overrides smoke's 3 (Python cannot)" \
	grep -q 'concurrent_sse_connections *= 10 *(env)' "$OUT"

# 5b. JUnit XML for CI systems: one testcase per scenario, failures carry
#     the failed checks.
start_sim --cut-rate 1
run_gwstress junit --scale smoke -q -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	-s test_burst_nothing -s test_concurrent_task_submission_burst \
	--junit "$T/junit/j.xml" --report-dir "$R/junit"
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
run_gwstress html --scale smoke -q -s 'test_concurrent_sse_connections[5]' \
	-s 'test_concurrent_sse_connections[10]' --html "$T/html/run.html" \
	--report-dir "$R/html"
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
s1=$(report_of "$R/shard1" 'test_many_concurrent_sessions[10]')
s2=$(report_of "$R/shard2" 'test_many_concurrent_sessions[10]')
run_gwstress merge --merge "$R/merged.json" "$s1" "$s2"
check "merge: exit 0" [ "$RC" -eq 0 ]
m="$R/merged.json"
check "merge: 20 submits" [ "$(jget "$m" '.operations.session_task_submit.percentiles.count')" = 20 ]
check "merge: counters summed" [ "$(jget "$m" '.counters.sessions_completed')" = \
	"$(jq -s '[.[].counters.sessions_completed] | add' "$s1" "$s2")" ]
check "merge: max is the max of the shards" [ "$(jget "$m" '.operations.session_task_submit.percentiles.max')" = \
	"$(jq -s '[.[].operations.session_task_submit.percentiles.max] | max' "$s1" "$s2")" ]
check "merge: 2 shards recorded" [ "$(jget "$m" '.merge.shards_count')" = 2 ]
run_gwstress merge-bad --merge "$R/bad.json" "$s1" \
	"$(report_of "$R/junit" test_concurrent_task_submission_burst)"
check "merge: different scenarios refused (exit 2)" [ "$RC" -eq 2 ]
check "merge: the refusal names both files" grep -q "burst.*but.*sessions" "$ERR"

# 6. --list names every scenario with its markers.
run_gwstress list --list
check "--list shows [25] with marker" grep -q '^test_concurrent_sse_connections\[25\] .*\[stress\]' "$OUT"

# 7. A bearer token is used (header and ?token=) and never printed.
SECRET="s3cr3t-$(date +%s)"
start_sim --token "$SECRET"
run_gwstress tok GWSTRESS_TOKEN="$SECRET" --scale smoke -u "$SIM_URL" -v \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$R/tok"
check "token accepted by the gateway (rc=$RC)" [ "$RC" -eq 0 ]
check "token not in stdout/stderr" sh -c "! grep -q '$SECRET' '$OUT' '$ERR'"
check "token not in reports" sh -c "! grep -rq '$SECRET' '$R/tok'"
run_gwstress notok --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--report-dir "$R/notok"
check "without the token the gateway refuses (exit 1)" [ "$RC" -eq 1 ]
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
	f=$(report_of "$R/$sig" test_extended_streaming_soak)
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
run_gwstress w1 --scale smoke -u "$SIM_URL" -s 'test_concurrent_sse_connections[5]' \
	--set target.stream_window_scale=0.1 --report-dir "$R/w1"
f=$(report_of "$R/w1" 'test_concurrent_sse_connections[5]')
check "window x0.1: the slow tasks fail (rc=$RC)" [ "$RC" -eq 1 ]
check "window x0.1: 5 timeouts" [ "$(jget "$f" '.summary.errors_by_class.timeout')" = 5 ]
check "window x0.1: the message names the scaled window" \
	[ "$(jget "$f" '.errors[0].error_message')" = "no terminal event within 1500ms" ]
run_gwstress w4 GWSTRESS_WINDOW_SCALE=0.4 --scale smoke -u "$SIM_URL" \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$R/w4"
f=$(report_of "$R/w4" 'test_concurrent_sse_connections[5]')
check "window x0.4 from the environment: the slow tasks pass (rc=$RC)" [ "$RC" -eq 0 ]
check "window x0.4: every stream terminal" \
	[ "$(jget "$f" '.counters.terminal_events')" = 5 ]
stop_sim "$SIM_PID"

finish
