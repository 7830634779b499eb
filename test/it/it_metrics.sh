#!/bin/sh
# --metrics-listen against a real Prometheus server, and --csv.
#
#   1. usage: a malformed ADDR:PORT and a port in use each exit 2 with one
#      line naming the option, and nothing runs;
#   2. a 20-s closed workload (test/data/load/metrics.ini) against gwsim
#      (10 % of requests failing) with --metrics-listen 127.0.0.1:0 (the
#      port read from the banner), scraped every second by prometheus
#      (its own free loopback port, a temporary config and TSDB); half way
#      through, Prometheus' HTTP API must hold the series with sane
#      values -- requests of a flow > 0, a histogram_quantile over the
#      latency buckets finite, open streams, error classes, up == 1 --
#      and the endpoint's own text must pass `promtool check metrics`
#      with nothing to say (no lint warning: the names follow the rules);
#   3. the run's --csv parses with Python's csv module and adds up to its
#      JSON report: counts per operation, errors per operation and in
#      all, and the window columns over distinct windows;
#   4. the catalogue and a capacity search serve the endpoint too
#      (scenario= and workload=<name>-probe-NN labels);
#   5. --shard I/N labels the series shard="I"; a run split over worker
#      processes serves one endpoint per shard at PORT + shard, and
#      refuses port 0 and --csv (exit 2, one line).
#
# prometheus and promtool come from Debian's `prometheus` package, python3
# from the base system; each part that needs one is skipped, with the
# reason printed, when it is missing (CI installs them).  Loopback only;
# every wait is bounded; cleanup stops gwsim, gwstress and prometheus.
. "$(dirname "$0")/lib.sh"

R="$T/reports"
have() { command -v "$1" >/dev/null 2>&1; }
skip() { printf '  skip %s: %s\n' "$TEST" "$*"; }

# free_port [TRY [N]]: the first of N (default 1) loopback ports in a row
# that nobody holds now, below the ephemeral range (32768 and up by
# default), where this test's own outgoing connections would take them:
# python3 tries random ones; without it one from the pid and TRY, and the
# caller retries on a clash
free_port() {
	python3 -c '
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    p = random.randrange(20000, 32000 - n)
    try:
        for k in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", p + k))
            s.close()
    except OSError:
        continue
    print(p)
    break' "${2:-1}" 2>/dev/null ||
		echo $((20000 + ($$ + ${1:-0} * 7919) % 12000))
}

# wait_line FILE REGEX SECONDS: poll until FILE has a line matching REGEX
wait_line() {
	wl_i=0
	while [ $wl_i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1; wl_i=$((wl_i + 1))
	done
	return 1
}

# metrics_port FILE: the port of the "metrics: http://ADDR:PORT/metrics"
# banner line in FILE
metrics_port() {
	sed -n 's|^metrics: http://.*:\([0-9][0-9]*\)/metrics.*|\1|p' "$1" |
		head -n1
}

# in_range V LO HI: V is an integer in [LO, HI]
in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] 2>/dev/null && [ "$1" -le "$3" ]; }

# pq EXPR: Prometheus' instant query of EXPR, the JSON answer on stdout
pq() {
	curl -s --max-time 5 "http://127.0.0.1:$PPORT/api/v1/query" \
		--data-urlencode "query=$1"
}
# pq_value EXPR: the first result's value ("" when there is none)
pq_value() { pq "$1" | jq -r '.data.result[0].value[1] // empty'; }

echo "== usage: a malformed address, a port in use"
run_gwstress badaddr load -c test/data/load/metrics.ini \
	--metrics-listen localhost:9464 --report-dir "$R/badaddr"
check "bad ADDR:PORT: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "bad ADDR:PORT: one line naming the option" eval \
	'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "--metrics-listen localhost:9464" "$ERR"'
run_gwstress badport --metrics-listen 127.0.0.1:65536 -s x
check "port 65536: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
start_sim
busy=${SIM_URL##*:}
run_gwstress inuse load -c test/data/load/metrics.ini -u "$SIM_URL" \
	--metrics-listen "127.0.0.1:$busy" --report-dir "$R/inuse"
check "port in use: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "port in use: one line with the option and the reason" eval \
	'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "--metrics-listen 127.0.0.1:$busy: cannot listen: Address already in use" "$ERR"'
check "port in use: nothing ran, no report" \
	[ ! -e "$R/inuse/load_report_metrics.json" ]
stop_sim "$SIM_PID"

echo "== a 20-s workload scraped by Prometheus every second"
start_sim --fail-rate 0.1
"$GWSTRESS" load -c test/data/load/metrics.ini -u "$SIM_URL" \
	--report-dir "$R" --csv "$T/series.csv" \
	--metrics-listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
GWPID=$!
SIM_PIDS="$SIM_PIDS $GWPID"
t0=$(date +%s)
if ! wait_line "$T/run.out" '^metrics: http://127.0.0.1:[0-9]' 20; then
	fail "no metrics line in the banner: $(cat "$T/run.out" "$T/run.err")"
	finish
fi
MPORT=$(metrics_port "$T/run.out")
MURL="http://127.0.0.1:$MPORT/metrics"
check "the banner names the bound port ($MPORT)" [ "$MPORT" -gt 0 ]
curl -s --max-time 5 -D "$T/m.h" -o "$T/m.txt" "$MURL"
check "GET /metrics: 200" grep -q '^HTTP/1.1 200' "$T/m.h"
check "GET /metrics: text format 0.0.4" grep -qi \
	'^content-type: text/plain; version=0.0.4' "$T/m.h"
check "GET /other: 404" [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
	"http://127.0.0.1:$MPORT/other")" = 404 ]

if have prometheus && have promtool; then
	PPID_=
	for attempt in 1 2 3; do
		PPORT=$(free_port "$attempt")
		cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: gwstress
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
		prometheus --config.file="$T/prometheus.yml" \
			--storage.tsdb.path="$T/tsdb.$attempt" \
			--web.listen-address="127.0.0.1:$PPORT" \
			>"$T/prometheus.log" 2>&1 &
		PPID_=$!
		SIM_PIDS="$SIM_PIDS $PPID_"
		i=0
		while [ $i -lt 150 ] && kill -0 "$PPID_" 2>/dev/null; do
			[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
				"http://127.0.0.1:$PPORT/-/ready")" = 200 ] && break
			sleep 0.1; i=$((i + 1))
		done
		kill -0 "$PPID_" 2>/dev/null && break
		PPID_=
	done
	check "prometheus ready on 127.0.0.1:$PPORT" [ -n "$PPID_" ]
	# half way through the run: 10 s after it started, bounded
	while [ $(($(date +%s) - t0)) -lt 11 ] && kill -0 "$GWPID" 2>/dev/null; do
		sleep 0.5
	done
	check "still running at half time" kill -0 "$GWPID"
	# a few scrapes must have landed (each second), bounded by 10 s
	i=0
	while [ $i -lt 20 ]; do
		v=$(pq_value 'count_over_time(up{job="gwstress"}[1m])')
		[ "${v:-0}" -ge 4 ] 2>/dev/null && break
		sleep 0.5; i=$((i + 1))
	done
	check "Prometheus scraped gwstress at least 4 times ($v)" \
		[ "${v:-0}" -ge 4 ]
	check "up == 1" [ "$(pq_value 'up{job="gwstress"}')" = 1 ]
	v=$(pq_value 'gwstress_requests_total{workload="metrics",flow="chat",operation="chat.submit",shard="0"}')
	check "requests of flow chat > 0 ($v)" [ "${v:-0}" -gt 0 ]
	v=$(pq_value 'sum(gwstress_requests_total{flow="browse"})')
	check "requests of flow browse > 0 ($v)" [ "${v:-0}" -gt 0 ]
	q='histogram_quantile(0.99, sum by (le) (rate(gwstress_latency_seconds_bucket{operation="ttfe"}[5s])))'
	v=$(pq_value "$q")
	check "p99 ttfe from the buckets is finite ($v s)" awk -v v="$v" \
		'BEGIN { exit !(v != "" && v != "NaN" && v + 0 > 0 && v + 0 < 10) }'
	q='histogram_quantile(0.5, gwstress_latency_seconds_bucket{operation="chat.collect"})'
	v=$(pq_value "$q")
	check "p50 chat.collect since the start is finite ($v s)" awk -v v="$v" \
		'BEGIN { exit !(v != "" && v != "NaN" && v + 0 > 0 && v + 0 < 10) }'
	v=$(pq_value 'gwstress_latency_seconds_count{operation="ttfe"} - ignoring(le) gwstress_latency_seconds_bucket{operation="ttfe",le="+Inf"}')
	check "+Inf bucket == _count ($v)" [ "$v" = 0 ]
	v=$(pq_value 'gwstress_sse_streams_open{workload="metrics"}')
	check "open streams present, 0..4 ($v)" in_range "$v" 0 4
	v=$(pq_value 'gwstress_flows_in_flight{workload="metrics"}')
	check "flows in flight present, 0..4 ($v)" in_range "$v" 0 4
	v=$(pq_value 'gwstress_errors_total{class="http_status"}')
	check "http_status errors counted (10 % fail) ($v)" [ "${v:-0}" -gt 0 ]
	v=$(pq_value 'gwstress_errors_total{class="connect"}')
	check "no connect errors ($v)" [ "$v" = 0 ]
	v=$(pq_value 'gwstress_flows_started_total{workload="metrics"}')
	check "flows started > 0 ($v)" [ "${v:-0}" -gt 0 ]
	v=$(pq_value 'gwstress_workers')
	check "the pool of 4 workers ($v)" [ "$v" = 4 ]
	v=$(pq_value 'rate(gwstress_cpu_seconds_total[5s])')
	check "gwstress CPU rate finite ($v)" awk -v v="$v" \
		'BEGIN { exit !(v != "" && v != "NaN" && v + 0 >= 0) }'
	v=$(pq_value 'gwstress_run_info{mode="load",workload="metrics"}')
	check "run_info names the mode and workload ($v)" [ "$v" = 1 ]

	curl -s --max-time 5 -o "$T/m.txt" "$MURL"
	promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1
	prc=$?
	check "promtool check metrics passes (rc=$prc)" [ "$prc" -eq 0 ]
	check "promtool has nothing to say: $(head -c 300 "$T/promtool.out")" \
		[ ! -s "$T/promtool.out" ]
else
	skip "prometheus or promtool not installed (apt-get install prometheus): the Prometheus checks did not run"
fi

# the run to its end (20 s + graceful stop), bounded
i=0
while [ $i -lt 600 ] && kill -0 "$GWPID" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
wait "$GWPID"
rc=$?
stop_sim "$SIM_PID"
J="$R/load_report_metrics.json"
check "the run: exit 0 with the endpoint scraped (rc=$rc)" [ "$rc" -eq 0 ]
check "the run: report written" [ -s "$J" ]
check "the run: errors happened (gwsim --fail-rate 0.1)" \
	[ "$(jget "$J" .summary.total_errors)" -gt 0 ]

echo "== --csv: parses, and adds up to the JSON report"
check "CSV written" [ -s "$T/series.csv" ]
if have python3; then
	python3 - "$T/series.csv" "$J" >"$T/csv.out" 2>&1 <<'EOF'
import csv, json, sys
from collections import defaultdict
from datetime import datetime

path, report = sys.argv[1], sys.argv[2]
with open(path, newline="") as f:
    raw = f.read()
assert raw.endswith("\r\n"), "rows end with CRLF"
rows = list(csv.DictReader(raw.splitlines(keepends=True)))
j = json.load(open(report))
head = ["window_start", "t_s", "flow", "operation", "count", "errors",
        "p50_ms", "p90_ms", "p99_ms", "offered", "started", "completed",
        "dropped_starts", "late_starts", "in_flight", "open_streams"]
assert list(rows[0].keys()) == head, rows[0].keys()
count, errors, windows = defaultdict(int), defaultdict(int), {}
flows = {f["name"] for f in j["load"]["flows"]}
for r in rows:
    datetime.strptime(r["window_start"], "%Y-%m-%dT%H:%M:%S.%fZ")
    windows.setdefault(r["window_start"], r)
    assert windows[r["window_start"]]["started"] == r["started"]
    if not r["operation"]:
        continue
    count[r["operation"]] += int(r["count"])
    errors[r["operation"]] += int(r["errors"])
    assert r["flow"] == "" or r["flow"] in flows, r["flow"]
    if r["operation"].startswith("chat."):
        assert r["flow"] == "chat", r
    if int(r["count"]):
        p = [float(r[k]) for k in ("p50_ms", "p90_ms", "p99_ms")]
        assert p[0] <= p[1] <= p[2], r
    else:
        assert r["p50_ms"] == "", r
for op, o in j["operations"].items():
    assert count[op] == o["percentiles"]["count"], (op, count[op], o)
    assert errors[op] == o["errors"], (op, errors[op], o["errors"])
for op, n in errors.items():
    assert n == j["counters"].get("errors_" + op, 0), (op, n)
assert sum(errors.values()) == j["summary"]["total_errors"]
for k, key in (("offered", "offered"), ("started", "started"),
               ("completed", "completed"), ("dropped_starts", "dropped_starts"),
               ("late_starts", "late_starts")):
    s = sum(int(w[k]) for w in windows.values())
    assert s == j["load"][key], (k, s, j["load"][key])
assert len(windows) == len(j["series"]["windows"]), (len(windows),
       len(j["series"]["windows"]))
print("%d rows, %d windows, %d samples, %d errors" % (
    len(rows), len(windows), sum(count.values()), sum(errors.values())))
EOF
	prc=$?
	check "CSV parses and adds up: $(tail -n 3 "$T/csv.out" | tr '\n' ' ')" \
		[ "$prc" -eq 0 ]
else
	skip "python3 not installed: the CSV was not parsed"
fi

echo "== the catalogue and a search serve it too"
start_sim
"$GWSTRESS" -u "$SIM_URL" --scale smoke -s test_sustained_session_load \
	--report-dir "$R/cat" --metrics-listen 127.0.0.1:0 -q \
	>"$T/cat.out" 2>&1 &
CATPID=$!
SIM_PIDS="$SIM_PIDS $CATPID"
if wait_line "$T/cat.out" '^metrics: ' 20; then
	p=$(metrics_port "$T/cat.out")
	i=0
	while [ $i -lt 50 ]; do
		curl -s --max-time 5 -o "$T/cat.txt" "http://127.0.0.1:$p/metrics"
		grep -q '^gwstress_requests_total{scenario="test_sustained_session_load"' \
			"$T/cat.txt" && break
		sleep 0.2; i=$((i + 1))
	done
	check "catalogue: labelled scenario=" grep -q \
		'^gwstress_requests_total{scenario="test_sustained_session_load",shard="0"' "$T/cat.txt"
else
	fail "catalogue: no metrics line"
fi
kill -TERM "$CATPID" 2>/dev/null
wait "$CATPID" 2>/dev/null
printf '%s\n' '[load]
arrival = constant
max_in_flight = 20
name = msearch
[search]
lo = 2
hi = 4
warmup = 500ms
measure = 2s
max_measure = 2s
cooldown = 0s
max_probes = 2
[flow.a]
step = submit
step = collect
[thresholds]
threshold = ttfe p99 < 5 s' >"$T/search.ini"
"$GWSTRESS" search -c "$T/search.ini" -u "$SIM_URL" --report-dir "$R/search" \
	--metrics-listen 127.0.0.1:0 -q >"$T/search.out" 2>&1 &
SPID=$!
SIM_PIDS="$SIM_PIDS $SPID"
if wait_line "$T/search.out" '^metrics: ' 20; then
	p=$(metrics_port "$T/search.out")
	i=0
	while [ $i -lt 50 ]; do
		curl -s --max-time 5 -o "$T/search.txt" "http://127.0.0.1:$p/metrics"
		grep -q '^gwstress_requests_total{workload="msearch-probe-' \
			"$T/search.txt" && break
		sleep 0.5; i=$((i + 1))
	done
	check "search: labelled workload=<name>-probe-NN, mode search" eval \
		'grep -q "^gwstress_requests_total{workload=\"msearch-probe-0[12]\",shard=\"0\"" "$T/search.txt" &&
		grep -q "mode=\"search\"" "$T/search.txt"'
else
	fail "search: no metrics line"
fi
i=0
while [ $i -lt 300 ] && kill -0 "$SPID" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
wait "$SPID"
rc=$?
# 5: a probe of a few starts is generator-bound as soon as one start is
# 50 ms late, which a busy 2-core machine does now and then; that is the
# search's business, not the endpoint's
check "search: ran to its end (rc=$rc: 0, or 5 when the machine lagged)" \
	eval '[ "$rc" -eq 0 ] || [ "$rc" -eq 5 ]'
stop_sim "$SIM_PID"

echo "== shards: --shard I/N labels, a fleet serves one endpoint per shard"
printf '%s\n' '[load]
model = closed
start = 2
stage = 6s 2
name = mshard
[flow.a]
step = submit
step = collect
step = think 100ms' >"$T/shard.ini"
start_sim
"$GWSTRESS" load -c "$T/shard.ini" -u "$SIM_URL" --shard 1/3 \
	--report-dir "$R/shard" --metrics-listen 127.0.0.1:0 -q \
	>"$T/shard.out" 2>&1 &
SHPID=$!
SIM_PIDS="$SIM_PIDS $SHPID"
if wait_line "$T/shard.out" '^metrics: ' 20; then
	p=$(metrics_port "$T/shard.out")
	curl -s --max-time 5 -o "$T/shard.txt" "http://127.0.0.1:$p/metrics"
	check "--shard 1/3: shard=\"1\" on the run's series" grep -q \
		'^gwstress_workers{workload="mshard",shard="1"}' "$T/shard.txt"
	check "--shard 1/3: run_info says shards=\"3\"" grep -q \
		'^gwstress_run_info{.*shards="3"} 1$' "$T/shard.txt"
else
	fail "--shard 1/3: no metrics line"
fi
wait "$SHPID"
printf '[engine]\nprocesses = 2\n' >"$T/fleet.ini"
cat "$T/shard.ini" >>"$T/fleet.ini"
run_gwstress fleet0 load -c "$T/fleet.ini" -u "$SIM_URL" \
	--metrics-listen 127.0.0.1:0 --report-dir "$R/fleet0"
check "fleet, port 0: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "fleet, port 0: one line asking for a port" eval \
	'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "split over 2 worker processes" "$ERR"'
run_gwstress fleetcsv load -c "$T/fleet.ini" -u "$SIM_URL" \
	--csv "$T/f.csv" --report-dir "$R/fleetcsv"
check "fleet, --csv: exit 2, one line (rc=$RC)" eval \
	'[ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "--csv" "$ERR"'
# two ports in a row: PORT for shard 0, PORT + 1 for shard 1 (a few
# tries, should the second be taken)
for attempt in 1 2 3; do
	P=$(free_port "$attempt" 2)
	"$GWSTRESS" load -c "$T/fleet.ini" -u "$SIM_URL" \
		--metrics-listen "127.0.0.1:$P" --report-dir "$R/fleet" -q \
		>"$T/fleet.out" 2>"$T/fleet.err" &
	FLPID=$!
	SIM_PIDS="$SIM_PIDS $FLPID"
	got0= got1=
	i=0
	while [ $i -lt 50 ] && kill -0 "$FLPID" 2>/dev/null; do
		curl -s --max-time 2 -o "$T/f0.txt" "http://127.0.0.1:$P/metrics" &&
			grep -q '^gwstress_workers{workload="mshard",shard="0"}' \
				"$T/f0.txt" && got0=1
		curl -s --max-time 2 -o "$T/f1.txt" "http://127.0.0.1:$((P + 1))/metrics" &&
			grep -q '^gwstress_workers{workload="mshard",shard="1"}' \
				"$T/f1.txt" && got1=1
		[ -n "$got0" ] && [ -n "$got1" ] && break
		sleep 0.2; i=$((i + 1))
	done
	wait "$FLPID"
	rc=$?
	[ "$rc" -ne 2 ] && break
done
check "fleet: both shards named in the banner" eval \
	'grep -q "^metrics: shard 0 at http://127.0.0.1:$P/metrics" "$T/fleet.out" &&
	grep -q "^metrics: shard 1 at http://127.0.0.1:$((P + 1))/metrics" "$T/fleet.out"'
check "fleet: shard 0 served at PORT, shard 1 at PORT + 1" \
	[ "$got0$got1" = 11 ]
check "fleet: the run passed (rc=$rc)" [ "$rc" -eq 0 ]
stop_sim "$SIM_PID"

finish
