#!/bin/sh
# Shards and worker processes: N shard processes started with exactly the
# environment a Kubernetes Indexed Job gives its pods (JOB_COMPLETION_INDEX,
# GWSTRESS_SHARDS), merged, against one process running the whole load;
# the merge re-judges thresholds on the merged data and refuses an
# incomplete set; a pool the descriptor limit cannot hold is split over
# local processes by itself; a signal reaches every process and the
# merged report is still written; the command-line errors.
. "$(dirname "$0")/lib.sh"

R="$T/reports"
N=3

# wl NAME BODY: a workload file $T/NAME.ini
wl() { printf '%s\n' "$2" >"$T/$1.ini"; }

# An open model with constant arrivals: the schedule is exact, so the
# counts of the shards add up to one process's, to the arrival.
wl open '[load]
model = open
arrival = constant
start = 30
stage = 4s 30
window = 500ms
graceful_stop = 10s
seed = 3
name = open
[flow.ask]
step = submit new a question
step = collect terminal
[thresholds]
threshold = ttfe p99 < 2000 ms
threshold = error_rate < 1 %
threshold = ask.submit p99 < 5000 ms per window
threshold = started == 120'

start_sim
echo "== one process, the whole load"
run_gwstress -t 120 single load -c "$T/open.ini" -u "$SIM_URL" \
	--report-dir "$R/single"
S="$R/single/load_report_open.json"
check "single: report written (rc=$RC)" [ -s "$S" ]
check "single: 120 arrivals offered" [ "$(jget "$S" .load.offered)" -eq 120 ]

# pods start when the cluster gets to them: pod i here 0.6 s x i after
# pod 0, more than a 500-ms window, so their first windows differ and the
# merge must still judge every one of them
echo "== $N shards as an Indexed Job's pods, 0.6 s apart"
i=0
pids=""
while [ $i -lt $N ]; do
	[ $i -eq 0 ] || sleep 0.6
	(
		export JOB_COMPLETION_INDEX=$i GWSTRESS_SHARDS=$N
		exec timeout 120 "$GWSTRESS" load -c "$T/open.ini" -u "$SIM_URL" \
			--report-dir "$R/pod$i" -q
	) >"$T/pod$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
rcs=""
for p in $pids; do wait "$p"; rcs="$rcs $?"; done
i=0
while [ $i -lt $N ]; do
	P="$R/pod$i/load_report_open.json"
	check "pod $i: report written" [ -s "$P" ]
	check "pod $i: metadata.shard is $i of $N" \
		[ "$(jget "$P" '"\(.metadata.shard.index)/\(.metadata.shard.count)"')" = "$i/$N" ]
	check "pod $i: a third of the arrivals ($(jget "$P" .load.offered))" \
		[ "$(jget "$P" .load.offered)" -eq 40 ]
	i=$((i + 1))
done
run_gwstress merge --merge "$T/merged.json" "$R"/pod0/load_report_open.json \
	"$R"/pod1/load_report_open.json "$R"/pod2/load_report_open.json
M="$T/merged.json"
check "merge: written (rc=$RC)" [ -s "$M" ]
check "merge: lists its $N shards" [ "$(jget "$M" .merge.shards_count)" -eq $N ]
check "merge: offered equals one process's ($(jget "$M" .load.offered))" \
	[ "$(jget "$M" .load.offered)" -eq "$(jget "$S" .load.offered)" ]
check "merge: started equals one process's" \
	[ "$(jget "$M" .load.started)" -eq "$(jget "$S" .load.started)" ]
check "merge: ttfe samples equal one process's" \
	[ "$(jget "$M" .operations.ttfe.percentiles.count)" -eq \
	  "$(jget "$S" .operations.ttfe.percentiles.count)" ]
# no pod can pass 'started == 120' alone (each started 40): only a
# threshold judged again on the merged data can
check "merge: 'started == 120' failed on every pod" \
	jtrue '[.verdict.checks[] | select(.name == "started == 120") | .status] == ["fail"]' \
	"$R/pod0/load_report_open.json"
check "merge: 'started == 120' passes on the merged data" \
	jtrue '.verdict.checks[] | select(.name == "started == 120") | .status == "pass"' "$M"
check "merge: every threshold made again on the merged data" \
	jtrue '[.verdict.checks[] | .note | startswith("made again")] | all' "$M"
check "merge: the same thresholds with the same outcome as one process" \
	[ "$(jq -c '[.verdict.checks[] | [.name, .status]]' "$M")" = \
	  "$(jq -c '[.verdict.checks[] | [.name, .status]]' "$S")" ]
check "merge: the per-window threshold judged on merged windows" \
	jtrue '.verdict.checks[] | select(.name | test("per window")) | .note | test("windows")' "$M"
run_gwstress merge2 --merge "$T/m2.json" "$R"/pod0/load_report_open.json \
	"$R"/pod1/load_report_open.json
check "merge of 2 of $N shards: refused, exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "merge of 2 of $N shards: says every shard, once" \
	grep -q "every shard, once" "$ERR"

echo "== a pool the descriptor limit cannot hold: split by itself"
wl hold '[load]
model = hold
stage = 3s 300
stage = 3s 300
hold_flow = held
window = 1s
graceful_stop = 20s
name = hold
[flow.held]
step = submit new [gwsim:events=1] [gwsim:first_delay_ms=5000] hold
step = collect terminal window 30s'
# 300 streams need about 900 descriptors; the hard limit here is 700
OUT="$T/split.out"
timeout 120 sh -c 'ulimit -n 700 && ulimit -Hn 700 && exec "$@"' sh \
	"$GWSTRESS" load -c "$T/hold.ini" -u "$SIM_URL" \
	--report-dir "$R/split" >"$OUT" 2>"$T/split.err"
RC=$?
H="$R/split/load_report_hold.json"
check "split: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "split: the banner says it split" grep -q "split over [0-9]* worker processes" "$OUT"
check "split: 300 streams held (the hold model restarts a finished one)" \
	[ "$(jget "$H" .load.started)" -ge 300 ]
check "split: every stream reached its terminal event" \
	[ "$(jget "$H" .counters.sse_terminal_events)" -eq "$(jget "$H" .load.started)" ]
check "split: no error" [ "$(jget "$H" .summary.total_errors)" -eq 0 ]
check "split: the merged report lists its processes" \
	[ "$(jget "$H" .merge.shards_count)" -ge 2 ]
check "split: no shard directory left behind" \
	[ -z "$(ls -A "$R/split" | grep fleet)" ]

echo "== SIGTERM reaches every worker process; the report is written"
wl long '[load]
model = closed
start = 4
stage = 60s 4
window = 1s
graceful_stop = 5s
name = long
[flow.f]
step = rest config
step = think 50ms'
"$GWSTRESS" load -c "$T/long.ini" -u "$SIM_URL" --set engine.processes=2 \
	--report-dir "$R/term" >"$T/term.out" 2>&1 &
gp=$!
i=0
while [ $i -lt 100 ] && ! grep -q "split over 2" "$T/term.out"; do
	sleep 0.1; i=$((i + 1))
done
sleep 5 # the shards start together 2 s after the banner
kill -TERM $gp
wait $gp
rc=$?
L="$R/term/load_report_long.json"
check "term: exit 143 (rc=$rc)" [ "$rc" -eq 143 ]
check "term: merged report written" [ -s "$L" ]
check "term: marked interrupted" [ "$(jget "$L" .metadata.interrupted)" = true ]
check "term: both shards in it" [ "$(jget "$L" .merge.shards_count)" -eq 2 ]
check "term: their flows in it" [ "$(jget "$L" .load.completed)" -gt 10 ]
check "term: no worker process left" \
	[ -z "$(pgrep -f "$T/long.ini" | grep -v $$)" ]

echo "== the catalogue over 2 shards: concurrency shared out, the rest on shard 0"
CSSE='test_concurrent_sse_connections[5]'
ISO=test_session_isolation
pids=""
for i in 0 1; do
	(exec timeout 120 "$GWSTRESS" -q -u "$SIM_URL" --shard $i/2 -s "$CSSE" \
		-s "$ISO" --report-dir "$R/cat$i") >"$T/cat$i.out" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
c0=$(report_of "$R/cat0" "$CSSE") c1=$(report_of "$R/cat1" "$CSSE")
check "catalogue: the 5 streams shared 2 + 3 ($(jget "$c0" .counters.sse_terminal_events) + $(jget "$c1" .counters.sse_terminal_events))" \
	[ "$(jget "$c0" .counters.sse_terminal_events)$(jget "$c1" .counters.sse_terminal_events)" = 23 ]
check "catalogue: $ISO skipped on shard 1, with the reason" \
	jtrue '.verdict.skip_reason | test("whole on shard 0")' "$(report_of "$R/cat1" "$ISO")"
check "catalogue: $ISO ran on shard 0" \
	jtrue '.verdict.skip_reason == "" and (.verdict.checks | length > 0)' "$(report_of "$R/cat0" "$ISO")"
run_gwstress catmerge --merge "$T/cat.json" "$c0" "$c1"
check "catalogue merge: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "catalogue merge: 5 terminal events" \
	[ "$(jget "$T/cat.json" .counters.sse_terminal_events)" -eq 5 ]
check "catalogue merge: the ratio and p99 checks made again on the merged data" \
	jtrue '[.verdict.checks[] | .note | test("made again")] | all' "$T/cat.json"
run_gwstress isomerge --merge "$T/iso.json" "$(report_of "$R/cat0" "$ISO")" \
	"$(report_of "$R/cat1" "$ISO")"
check "catalogue merge of a shard-0 scenario: its checks from shard 0 (rc=$RC)" \
	jtrue '.verdict.passed and (.verdict.checks | length > 0)' "$T/iso.json"

echo "== errors"
run_gwstress badshard load -c "$T/open.ini" -u "$SIM_URL" --shard 3/3
check "--shard 3/3: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "--shard 3/3: one line naming it" grep -q "^gwstress: --shard 3/3" "$ERR"
run_gwstress nocount JOB_COMPLETION_INDEX=1 load -c "$T/open.ini" -u "$SIM_URL"
check "JOB_COMPLETION_INDEX alone: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "JOB_COMPLETION_INDEX alone: names GWSTRESS_SHARDS" grep -q GWSTRESS_SHARDS "$ERR"
run_gwstress searchshard search -c conf/search-rate.ini --shard 0/2
check "--shard on a search: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]

stop_sim "$SIM_PID"
finish
