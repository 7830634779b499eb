#!/bin/sh
# Scenarios against a gateway that misbehaves on purpose (gwsim fault
# flags): the right scenarios fail, with a reason a user understands, and
# every report is still written.
. "$(dirname "$0")/lib.sh"

R="$T/reports"
verdict_note() { jget "$1" '[.verdict.checks[] | select(.status == "fail") | .note] | join(" / ")'; }
# note_has FILE PATTERN: a failed check of the report explains itself so
note_has() { verdict_note "$1" | grep -q -- "$2"; }

# Streams cut after their first event: the seed's ">= 1 event" passes,
# but the terminal-event checks fail and the cut is classified.
run_against_sim cut --cut-rate 1 -- --scale smoke --report-dir "$R/cut" \
	-s 'test_concurrent_sse_connections[5]' -s 'test_many_concurrent_sessions[5]'
f=$(report_of "$R/cut" 'test_concurrent_sse_connections[5]')
check "cut: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "cut: report written" [ -s "$f" ]
check "cut: classified dropped_stream" [ "$(jget "$f" '.summary.errors_by_class.dropped_stream')" -ge 5 ]
check "cut: reason names the terminal event" note_has "$f" 'streams that reached their terminal event: 0 of 5'
f=$(report_of "$R/cut" 'test_many_concurrent_sessions[5]')
check "cut: sessions scenario fails with a count" note_has "$f" '0 of 5 sessions saw their terminal event'

# Tasks that never send final_response: streams time out (window 15 s).
run_against_sim never --never-final -- --scale smoke --report-dir "$R/never" \
	-s 'test_session_isolation'
f=$(report_of "$R/never" test_session_isolation)
check "never-final: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "never-final: timeouts classified" [ "$(jget "$f" '.summary.errors_by_class.timeout')" -ge 5 ]
check "never-final: error message says why" [ "$(jget "$f" '.errors[0].error_message')" = "no terminal event within 15000ms" ]
check "never-final: sessions_validated check failed" [ "$(jget "$f" '[.verdict.checks[] | select(.name == "sessions_validated")][0].status')" = fail ]

# A stalled gateway: headers, then silence longer than the 10 s window.
run_against_sim stall --stall-s 30 -- --scale smoke --report-dir "$R/stall" \
	-s test_sse_connection_churn
f=$(report_of "$R/stall" test_sse_connection_churn)
check "stall: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "stall: churn cycles not completed" [ "$(jget "$f" '.counters.churn_cycles_completed')" = 0 ]
check "stall: report written with the failed check" [ "$(jget "$f" '.verdict.passed')" = false ]

# 500 on every API request: artifacts fail with the status in the reason.
run_against_sim e500 --fail-rate 1 -- --scale smoke --report-dir "$R/e500" \
	-s test_artifact_size_limits
f=$(report_of "$R/e500" test_artifact_size_limits)
check "500s: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "500s: upload status check shows 500" [ "$(jget "$f" '[.verdict.checks[] | select(.name == "upload_tiny status")][0].measured')" = 500 ]
check "500s: the seed stops after the first failed upload" [ "$(jget "$f" '[.verdict.checks[] | select(.status == "skipped")] | length')" = 3 ]

# A gateway that leaks memory on purpose: the soak's memory check fails.
run_against_sim leak --leak-kb 8192 -- --scale smoke --report-dir "$R/leak" \
	-s test_extended_streaming_soak --soak-duration 10
f=$(report_of "$R/leak" test_extended_streaming_soak)
check "leak: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "leak: memory measured through --target-pid" [ "$(jget "$f" '.memory.measured')" = true ]
check "leak: growth over the threshold fails" [ "$(jget "$f" '[.verdict.checks[] | select(.name == "memory growth (gateway RSS)")][0].status')" = fail ]
check "leak: growth >= 50 MB reported" [ "$(jget "$f" '.memory.growth_mb >= 50')" = true ]

# SAM's persistent SSE buffer never prunes _background_task_cache: the
# cache-growth check catches it, through the introspection URL.
run_against_sim cache --persistent-buffer -- --scale smoke --report-dir "$R/cache" \
	-s test_cache_growth_monitoring
f=$(report_of "$R/cache" test_cache_growth_monitoring)
check "cache: no introspect_url given: check skipped, not passed" \
	[ "$(jget "$f" '[.verdict.checks[] | select(.name == "server background task cache growth")][0].status')" = skipped ]
start_sim --persistent-buffer
run_gwstress cache2 --scale smoke -u "$SIM_URL" \
	--set "target.introspect_url=$SIM_URL/gwsim/introspect" \
	-s test_cache_growth_monitoring --report-dir "$R/cache2"
stop_sim "$SIM_PID"
f=$(report_of "$R/cache2" test_cache_growth_monitoring)
check "cache: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "cache: growth of 50 reported in the reason" note_has "$f" 'grew from 0 to 50 entries'
check "cache: the seed's warning printed" grep -q 'never shrank' "$ERR"

finish
