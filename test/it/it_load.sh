#!/bin/sh
# gwstress load: each load model against gwsim over loopback, the time
# series against the totals, thresholds (pass, fail, never recorded,
# abort), dropped starts with a pool too small, a signal, shards merged,
# and the command-line errors of the subcommand.
. "$(dirname "$0")/lib.sh"

R="$T/reports"

# wl NAME BODY: a workload file $T/NAME.ini
wl() { printf '%s\n' "$2" >"$T/$1.ini"; }

# sums FILE: "<started> <sum over windows> <completed> <sum> <ttfe count>
# <sum>" -- the series must add up to the totals
sums() {
	jq -r '"\(.load.started) \([.series.windows[].started] | add)
\(.load.completed) \([.series.windows[].completed] | add)
\(.operations.ttfe.percentiles.count // 0)
\([.series.windows[].ops.ttfe.count // 0] | add)"' "$1" | tr '\n' ' '
}
pairs_equal() {
	# shellcheck disable=SC2086
	set -- $1
	[ "$1" = "$2" ] && [ "$3" = "$4" ] && [ "$5" = "$6" ]
}

echo "== closed model (conf/load-smoke.ini, the bundled gateway)"
run_gwstress -t 120 closed load -c conf/load-smoke.ini --report-dir "$R" \
	--html "$T/load.html" --junit "$T/load.xml"
J="$R/load_report_load-smoke.json"
check "closed: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "closed: report written" [ -s "$J" ]
check "closed: a load report" [ "$(jget "$J" .metadata.kind)" = load ]
check "closed: passed" [ "$(jget "$J" .verdict.passed)" = true ]
check "closed: flows completed" [ "$(jget "$J" .load.completed)" -gt 10 ]
check "closed: no flow failed" [ "$(jget "$J" .load.failed)" -eq 0 ]
check "closed: series windows" [ "$(jget "$J" '.series.windows | length')" -ge 8 ]
check "closed: windows add up to the totals ($(sums "$J"))" \
	pairs_equal "$(sums "$J")"
check "closed: users ramped to 4" \
	[ "$(jget "$J" '[.series.windows[].users] | max')" -eq 4 ]
check "closed: every step measured from the intended start" \
	[ "$(jget "$J" '.operations["chat.submit.intended"].percentiles.count')" -gt 0 ]
check "closed: uploads downloaded and verified" \
	[ "$(jget "$J" '.operations["browse.download"].errors')" -eq 0 ]
check "closed: three threshold checks" \
	[ "$(jget "$J" '.verdict.checks | length')" -eq 3 ]
check "closed: HTML with the time series" \
	grep -q 'time to first event (ms), by window' "$T/load.html"
check "closed: JUnit testcase" grep -q 'name="load-smoke"' "$T/load.xml"
check "closed: generator valid" [ "$(jget "$J" .generator.valid)" = true ]

echo "== open model: 20 flows/s for 4 s, evenly spaced"
wl open '[load]
model = open
start = 20
stage = 4s 20
max_in_flight = 40
name = open
[flow.a]
step = submit
step = collect
[thresholds]
threshold = ttfe p99 < 2000 ms
threshold = schedule_lag p99 < 50 ms'
run_gwstress -t 60 open load -c "$T/open.ini" --report-dir "$R"
J="$R/load_report_open.json"
check "open: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "open: 80 starts offered" [ "$(jget "$J" .load.offered)" -eq 80 ]
check "open: started + dropped == offered" [ "$(jget "$J" \
	'.load.started + .load.dropped_starts - .load.offered')" -eq 0 ]
check "open: schedule lag recorded per start" [ "$(jget "$J" \
	'.operations.schedule_lag.percentiles.count')" -eq "$(jget "$J" .load.started)" ]
check "open: windows add up to the totals" pairs_equal "$(sums "$J")"
check "open: offered per window sums to 80" \
	[ "$(jget "$J" '[.series.windows[].offered] | add')" -eq 80 ]

echo "== hold model: 10 streams held, probes at 4/s, pings every second"
wl hold '[load]
model = hold
start = 10
stage = 4s 10
hold_flow = held
probe_rate = 4
probe_flow = probe
graceful_stop = 1s
name = hold
[flow.held]
step = submit new [gwsim:events=40] [gwsim:interval_ms=200] hold me
step = collect terminal window 30s
[flow.probe]
step = submit new probe
step = collect
[thresholds]
threshold = ttfe p99 < 2000 ms
threshold = sse_ping_gap p99 < 3 s'
start_sim --ping-s 1
run_gwstress -t 60 hold load -c "$T/hold.ini" -u "$SIM_URL" --report-dir "$R"
canceled=$(sim_stat tasks_canceled)
stop_sim "$SIM_PID"
J="$R/load_report_hold.json"
left=$(jget "$J" .load.orphan_tasks)
check "hold: the 10 held tasks left running by the cut ($left)" [ "$left" -ge 10 ]
check "hold: each cancelled after the run or already ended" \
	[ $(($(jget "$J" .load.orphans_cancelled) + \
	$(jget "$J" .load.orphans_already_ended))) -eq "$left" ]
check "hold: the gateway saw those cancels ($canceled)" \
	[ "$canceled" -eq "$(jget "$J" .load.orphans_cancelled)" ]
check "hold: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "hold: 10 streams open at once" \
	[ "$(jget "$J" '[.series.windows[].open_streams] | max')" -ge 10 ]
check "hold: probes started" \
	[ "$(jget "$J" '.operations["flow.probe"].percentiles.count')" -gt 5 ]
check "hold: keep-alive ping gaps measured" \
	[ "$(jget "$J" '.operations.sse_ping_gap.percentiles.count')" -gt 10 ]
check "hold: held streams cut at the end, not failed" \
	[ "$(jget "$J" '.load.cut')" -ge 1 ] && [ "$(jget "$J" .load.failed)" -eq 0 ]

echo "== the cancel step, and cancel_orphans = false"
wl cancel '[load]
model = closed
stage = 2s 2
graceful_stop = 5s
name = cancel
[flow.c]
step = submit new [gwsim:events=100] [gwsim:interval_ms=100] long
step = cancel
step = collect terminal window 10s'
wl nocancel '[load]
model = hold
stage = 2s 3
graceful_stop = 1s
cancel_orphans = false
name = nocancel
[flow.held]
step = submit new [gwsim:events=100] [gwsim:interval_ms=100] hold me
step = collect terminal window 30s'
start_sim
run_gwstress -t 60 cancel load -c "$T/cancel.ini" -u "$SIM_URL" --report-dir "$R"
J="$R/load_report_cancel.json"
done_n=$(jget "$J" .load.completed)
check "cancel: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "cancel: flows completed through cancel to the terminal event ($done_n)" \
	[ "$done_n" -ge 2 ] && [ "$(jget "$J" .load.failed)" -eq 0 ]
check "cancel: every task canceled at the gateway" \
	[ "$(sim_stat tasks_canceled)" -eq "$done_n" ]
run_gwstress -t 60 nocancel load -c "$T/nocancel.ini" -u "$SIM_URL" --report-dir "$R"
J="$R/load_report_nocancel.json"
check "cancel_orphans = false: 3 cut, none cancelled" \
	[ "$(jget "$J" .load.cut)" -eq 3 ] && \
	[ "$(jget "$J" .load.orphan_tasks)" -eq 0 ] && \
	[ "$(sim_stat tasks_canceled)" -eq "$done_n" ]
stop_sim "$SIM_PID"

echo "== orphans: tasks of refused subscriptions cancelled at once"
wl refused '[load]
model = hold
stage = 3s 3
graceful_stop = 1s
name = refused
[flow.held]
step = submit new [gwsim:events=100] [gwsim:interval_ms=100] hold me
step = collect terminal window 30s'
start_sim --max-streams 1
run_gwstress -t 60 refused load -c "$T/refused.ini" -u "$SIM_URL" --report-dir "$R"
J="$R/load_report_refused.json"
sub=$(sim_stat tasks_submitted)
can=$(sim_stat tasks_canceled)
stop_sim "$SIM_PID"
check "orphans: refused flows failed ($(jget "$J" .load.failed))" \
	[ "$(jget "$J" .load.failed)" -ge 2 ]
check "orphans: every task cancelled, held or refused ($can of $sub)" \
	[ "$can" -eq "$sub" ] && [ "$(jget "$J" .load.orphans_cancelled)" -eq "$can" ]
check "orphans: counted apart from the errors measured" \
	[ "$(jget "$J" .load.orphan_tasks)" -eq "$can" ] && \
	[ "$(jget "$J" '.operations | has("cancel")')" = false ]

echo "== thresholds: failing, never recorded"
wl fail '[load]
model = closed
start = 2
stage = 2s 2
name = fail
[flow.a]
step = submit
step = collect
[thresholds]
threshold = ttfe p99 < 1 us
threshold = schedule_lag p99 < 10 ms
threshold = error_rate < 1 %'
run_gwstress -t 60 fail load -c "$T/fail.ini" --report-dir "$R"
J="$R/load_report_fail.json"
check "fail: exit 1 (rc=$RC)" [ "$RC" -eq 1 ]
check "fail: the 1 us threshold failed" [ "$(jget "$J" \
	'.verdict.checks[0].status')" = fail ]
check "fail: never recorded fails, never passes" [ "$(jget "$J" \
	'.verdict.checks[1].status')" = fail ]
check "fail: ... and says so" jtrue \
	'.verdict.checks[1].note | test("never recorded")' "$J"
check "fail: error rate passed" [ "$(jget "$J" '.verdict.checks[2].status')" = pass ]

echo "== abort: half the requests fail, a per-window threshold aborts"
wl abort '[load]
model = open
start = 10
stage = 30s 10
name = abort
[flow.a]
step = submit
step = collect
[thresholds]
threshold = error_rate < 5 % per window for 2s abort'
start_sim --fail-rate 0.5
run_gwstress -t 60 abort load -c "$T/abort.ini" -u "$SIM_URL" --report-dir "$R"
stop_sim "$SIM_PID"
J="$R/load_report_abort.json"
check "abort: exit 4 (rc=$RC)" [ "$RC" -eq 4 ]
check "abort: marked aborted" [ "$(jget "$J" .metadata.aborted)" = true ]
check "abort: stopped long before the 30 s stage" [ "$ELAPSED" -lt 20 ]
check "abort: the threshold failed" [ "$(jget "$J" \
	'.verdict.checks[0].status')" = fail ]

echo "== dropped starts: a pool of 2 for 40 slow flows/s"
wl drop '[load]
model = open
start = 40
stage = 2s 40
max_in_flight = 2
name = drop
[flow.a]
step = submit new [gwsim:first_delay_ms=300] slow
step = collect'
run_gwstress -t 60 drop load -c "$T/drop.ini" --report-dir "$R"
J="$R/load_report_drop.json"
check "drop: exit 5, generator-bound (rc=$RC)" [ "$RC" -eq 5 ]
check "drop: dropped starts counted" [ "$(jget "$J" .load.dropped_starts)" -gt 30 ]
check "drop: started + dropped == offered" [ "$(jget "$J" \
	'.load.started + .load.dropped_starts - .load.offered')" -eq 0 ]
check "drop: the report blames the pool, not the gateway" jtrue \
	'(.generator.valid | not) and (.generator.why | test("starts dropped"))' "$J"

echo "== SIGTERM during a run: exit 143, the report kept"
wl long '[load]
model = closed
start = 2
stage = 60s 2
name = long
[flow.a]
step = submit
step = collect'
"$GWSTRESS" load -c "$T/long.ini" --report-dir "$R" -q >"$T/long.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q . "$T/long.out" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
	[ $i -eq 20 ] && break
done
kill -TERM $pid
wait $pid
rc=$?
check "term: exit 143 (rc=$rc)" [ "$rc" -eq 143 ]
check "term: report written, interrupted" [ "$(jget "$R/load_report_long.json" \
	.metadata.interrupted)" = true ]

echo "== two shards at once, merged by window"
wl shard '[load]
model = open
start = 15
stage = 3s 15
name = shard
[flow.a]
step = submit
step = collect'
start_sim
for s in 1 2; do
	"$GWSTRESS" load -c "$T/shard.ini" -u "$SIM_URL" \
		--report-dir "$R/s$s" -q >"$T/shard$s.out" 2>&1 &
	eval "p$s=\$!"
done
# shellcheck disable=SC2154
wait "$p1"; r1=$?
wait "$p2"; r2=$?
stop_sim "$SIM_PID"
check "shards: both passed ($r1 $r2)" [ "$r1$r2" = 00 ]
run_gwstress merge --merge "$T/merged.json" "$R/s1/load_report_shard.json" \
	"$R/s2/load_report_shard.json"
M="$T/merged.json"
check "merge: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "merge: started summed" [ "$(jget "$M" .load.started)" -eq \
	$(( $(jget "$R/s1/load_report_shard.json" .load.started) + \
	    $(jget "$R/s2/load_report_shard.json" .load.started) )) ]
check "merge: ttfe histogram is the shards' sum" [ "$(jget "$M" \
	.operations.ttfe.percentiles.count)" -eq $(( \
	$(jget "$R/s1/load_report_shard.json" .operations.ttfe.percentiles.count) + \
	$(jget "$R/s2/load_report_shard.json" .operations.ttfe.percentiles.count) )) ]
check "merge: windows on one wall clock, one per window" jtrue \
	'[.series.windows[].wall_ms] | . == (sort | unique)' "$M"
check "merge: window counts add up to the merged total" [ "$(jget "$M" \
	'[.series.windows[].started] | add')" -eq "$(jget "$M" .load.started)" ]
check "merge: each window's ttfe is both shards' (same wall_ms)" jtrue -n \
	--slurpfile a "$R/s1/load_report_shard.json" \
	--slurpfile b "$R/s2/load_report_shard.json" \
	--slurpfile m "$M" '
	def counts(r): [r.series.windows[] | {key: (.wall_ms | tostring),
		value: (.ops.ttfe.count // 0)}] | from_entries;
	(counts($a[0])) as $x | (counts($b[0])) as $y | (counts($m[0])) as $z
	| [$z | keys[] | . as $k | ($x[$k] // 0) + ($y[$k] // 0) == $z[$k]]
	| all'

echo "== command-line errors of the subcommand"
run_gwstress noc load
check "no -c: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "no -c: one line naming -c" eval \
	'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "-c FILE" "$ERR"'
run_gwstress list load -c conf/load-smoke.ini --list
check "--list: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "--list: named as not an option of load" grep -q \
	"not an option of 'gwstress load'" "$ERR"
run_gwstress bad load -c test/data/load/bad-steps.ini --report-dir "$R/bad"
check "bad file: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "bad file: every problem, file:line" [ "$(grep -c \
	'test/data/load/bad-steps.ini:[0-9]*: ' "$ERR")" -eq \
	"$(grep -c '^; expect' test/data/load/bad-steps.ini)" ]
check "bad file: nothing ran" [ ! -e "$R/bad" ]

finish
