#!/bin/sh
# gwstress search against a gateway of known capacity: gwsim's service
# model (--service-workers 2 --service-ms 100: 20 tasks/s, then a queue)
# must be found where it is; a generator too small for the rate is
# invalid, never the gateway's failure (exit 5); thresholds failing at the
# lowest probe are exit 6; an unknown metric in a threshold is exit 2.
. "$(dirname "$0")/lib.sh"

R="$T/reports"

# sw NAME EXTRA: a rate-search workload file $T/NAME.ini; EXTRA lines go
# into [load], THRESH (a variable) is its threshold
sw() {
	cat >"$T/$1.ini" <<EOF
[load]
arrival = constant
max_in_flight = ${MAXF:-400}
window = 1s
name = $1
[search]
axis = rate
lo = ${LO:-2}
hi = ${HI:-64}
precision = 10%
warmup = 2s
measure = 4s
max_measure = 8s
cooldown = 1s
max_probes = 15
[flow.ask]
step = submit new a question
step = collect terminal window 30s
[thresholds]
threshold = ${THRESH:-ttfe p99 < 400 ms}
threshold = error_rate < 1 %
EOF
}

echo "== a gateway of 20 tasks/s (2 agents x 100 ms)"
sw cap
# srch NAME GWSIM-ARGS... -- GWSTRESS-ARGS...: a gwsim of its own, then
# gwstress search against it (the subcommand comes first)
srch() {
	sr_n=$1; shift
	sr_sim=
	while [ "$1" != -- ]; do sr_sim="$sr_sim $1"; shift; done
	shift
	# shellcheck disable=SC2086
	start_sim $sr_sim
	run_gwstress -t 400 "$sr_n" search "$@" -u "$SIM_URL" --report-dir "$R"
	stop_sim "$SIM_PID"
}

srch cap --service-workers 2 --service-ms 100 -- -c "$T/cap.ini"
S="$R/search_report_cap.json"
check "capacity: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "capacity: report written" [ -s "$S" ]
cap=$(jget "$S" .search.capacity 2>/dev/null || echo 0)
check "capacity: found between 12 and 22 tasks/s (got $cap)" \
	awk -v c="$cap" 'BEGIN { exit !(c >= 12 && c <= 22) }'
check "capacity: at most 15 probes ($(jget "$S" '.search.probes | length'))" \
	[ "$(jget "$S" '.search.probes | length')" -le 15 ]
check "capacity: the probes are monotonic" \
	[ "$(jget "$S" .search.monotonic)" = true ]
check "capacity: names the threshold that broke" \
	jtrue '.search.broke.threshold | length > 0' "$S"
check "capacity: every probe's own report written" \
	[ "$(ls "$R/search_cap"/probe_*.json | wc -l)" -eq \
	  "$(jget "$S" '.search.probes | length')" ]

echo "== a generator too small for the rate: invalid, never the gateway's"
MAXF=2 LO=40 HI=80 sw tiny
srch tiny -- -c "$T/tiny.ini"
check "tiny pool: exit 5 (rc=$RC)" [ "$RC" -eq 5 ]
check "tiny pool: the report says the generator was the bottleneck" \
	jtrue '.search.end | test("generator-bound")' "$R/search_report_tiny.json"

echo "== thresholds failing at the lowest probe"
THRESH='ttfe p99 < 1 ms' sw none
srch none --first-delay-ms 50 -- -c "$T/none.ini"
check "impossible threshold: exit 6 (rc=$RC)" [ "$RC" -eq 6 ]
check "impossible threshold: one probe" \
	[ "$(jget "$R/search_report_none.json" '.search.probes | length')" -le 2 ]

echo "== an unknown metric in a threshold"
THRESH='tfte p99 < 100 ms' sw bad
run_gwstress bad search -c "$T/bad.ini" --report-dir "$R"
check "unknown metric: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "unknown metric: names the file and the metric" \
	grep -q "bad.ini:[0-9]*:.*tfte" "$ERR"
finish
