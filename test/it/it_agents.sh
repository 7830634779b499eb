#!/bin/sh
# Large and slow agents, as a real LLM-backed SAM gateway has them: a
# 300 KiB final_response arrives whole under the default max_event_bytes
# and is named when over a smaller cap; the system scenarios poll a
# lagging task status until it settles (bounded by the scaled window) and
# report how long it took; the overflow check is skipped, never passed,
# where the gateway's queue holds every event.
. "$(dirname "$0")/lib.sh"

R="$T/reports"
SCEN='test_concurrent_sse_connections[5]'
SYS='test_concurrency_stress_with_variety[10]'
OVF=test_queue_overflow_handling

echo "== a 300 KiB final_response"
run_against_sim -t 120 big --final-bytes 307200 -- --scale smoke -s "$SCEN" \
	--report-dir "$R/big"
F=$(report_of "$R/big" "$SCEN")
check "big final, default cap: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "big final, default cap: every stream terminal" \
	[ "$(jget "$F" .counters.sse_terminal_events)" -eq 5 ]
check "big final, default cap: max_event_bytes is 1 MiB" \
	[ "$(jget "$F" .config.engine.max_event_bytes)" -eq 1048576 ]
run_against_sim -t 120 cap --final-bytes 307200 -- --scale smoke -s "$SCEN" \
	--set engine.max_event_bytes=65536 --report-dir "$R/cap"
F=$(report_of "$R/cap" "$SCEN")
check "big final, 64 KiB cap: the scenario fails (rc=$RC)" [ "$RC" -eq 1 ]
check "big final, 64 KiB cap: 'terminal event over max_event_bytes (N bytes)'" \
	jtrue '[.errors[] | .error_message | test("^terminal event over max_event_bytes \\([0-9]{6} bytes\\)")] | any' "$F"
check "big final, 64 KiB cap: never 'stream ended before the terminal event'" \
	jtrue '[.errors[] | .error_message | test("before the terminal")] | any | not' "$F"
check "big final, 64 KiB cap: its size in the error's context" \
	jtrue '[.errors[] | .context.bytes // 0] | max > 307200' "$F"

echo "== a task status that lags its terminal event"
run_against_sim -t 180 lag --status-lag-ms 1500 -- --scale smoke -s "$SYS" \
	--report-dir "$R/lag"
F=$(report_of "$R/lag" "$SYS")
check "status lag 1.5 s: exit 0, the poll waited (rc=$RC)" [ "$RC" -eq 0 ]
check "status lag 1.5 s: none left running" \
	jtrue '.verdict.checks[] | select(.name | startswith("tasks still running")) | .status == "pass"' "$F"
check "status lag 1.5 s: the settle time reported ($(jget "$F" .gauges.status_settle_ms) ms)" \
	jtrue '.gauges.status_settle_ms > 500 and .gauges.status_settle_ms < 30000' "$F"
# the poll is bounded by the scaled window: 30 s x 0.1 = 3 s < 10 s lag
run_against_sim -t 180 lagged --status-lag-ms 10000 -- --scale smoke -s "$SYS" \
	--set target.stream_window_scale=0.1 --report-dir "$R/lagged"
F=$(report_of "$R/lagged" "$SYS")
check "status lag 10 s, window 3 s: the check fails (rc=$RC)" [ "$RC" -eq 1 ]
check "status lag 10 s, window 3 s: says how long it polled" \
	jtrue '.verdict.checks[] | select(.name | startswith("tasks still running")) | .note | test("still running after polling for [0-9]+ ms")' "$F"
check "status lag 10 s, window 3 s: gave up at the window (3 s, < 6 s)" \
	jtrue '.gauges.status_settle_ms >= 2900 and .gauges.status_settle_ms < 6000' "$F"

echo "== queue overflow that cannot be provoked"
run_against_sim -t 180 noovf --queue-size 100000 -- --scale smoke -s "$OVF" \
	--report-dir "$R/noovf"
F=$(report_of "$R/noovf" "$OVF")
check "queue holds every event: the overflow check is skipped" \
	jtrue '.verdict.checks[] | select(.name | startswith("queue overflow provoked")) | .status == "skipped"' "$F"
check "queue holds every event: it says why" \
	jtrue '.verdict.checks[] | select(.name | startswith("queue overflow provoked")) | .note | test("not provoked")' "$F"
run_against_sim -t 180 ovf -- --scale smoke -s "$OVF" --report-dir "$R/ovf"
F=$(report_of "$R/ovf" "$OVF")
check "SAM's queue (200): overflow provoked, the check made" \
	jtrue '.verdict.checks[] | select(.name | startswith("queue overflow provoked")) | .status == "pass"' "$F"
finish
