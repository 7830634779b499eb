#!/bin/sh
# make bench-load: how faithfully gwstress load produces the load it is
# asked for, against gwsim on this machine.  Prints figures; asserts only
# that the runs ran (exit status, reports present), never a timing.
#
#   1. constant 200 flows/s for 60 s: each 10-s block of windows against
#      its target count (2,000), and the p99 schedule lag;
#   2. Poisson at 200/s: the inter-arrival times at the gateway against
#      Exp(200/s), Kolmogorov-Smirnov, on the wire (tcpdump on lo, when
#      installed and allowed) and as gwsim read them (--arrivals),
#      sleeping until each start (the default) and with start_spin =
#      100us, and what each costs in CPU;
#   3. a 5-s gateway stall (gwsim --pause-at-s/--pause-s) in 20 s: one
#      closed-loop client's p99 (coordinated omission) against the open
#      model's p99 from the intended start at the same 50/s (wrk2's
#      README experiment), then the open model with whole tasks (a 0.3-s
#      answer read to its end);
#   4. a closed model of 500 users and a hold model of 2,000 streams:
#      errors (expected 0);
#   5. what a new connection costs one worker, http and https (bench_tls:
#      the handshakes per second a reconnect-per-task flow can do);
#   6. the measurement's own overhead at 1,000 streams: gwsim's send
#      stamp (--stamp-events) to gwstress's arrival time, per event.
#
# BENCH_LOAD_SECONDS scales the first run (default 60, at least 20).
cd "$(dirname "$0")/../.." || exit 1
. test/bench/lib.sh
trap 'kill $SIM ${TD:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
secs=${BENCH_LOAD_SECONDS:-60}
# whole 10-s blocks are judged, the first window left out: 20 s at least
case $secs in
'' | *[!0-9]*) echo "bench-load: BENCH_LOAD_SECONDS=$secs: whole seconds" >&2; exit 2 ;;
esac
[ "$secs" -ge 20 ] || { echo "bench-load: BENCH_LOAD_SECONDS=$secs: at least 20" >&2; exit 2; }

die() { echo "bench-load: $*" >&2; exit 1; }
run() {
	"$GWSTRESS" load -q --report-dir "$T" "$@" >"$T/out" 2>&1
	rc=$?
	[ $rc -le 1 ] || { cat "$T/out" >&2; die "gwstress load exited $rc"; }
}
workload() { printf '%s\n' "$2" >"$T/$1.ini"; }

echo "== 1. constant 200 flows/s for ${secs} s (every 10-s block vs 2000)"
workload constant "[load]
model = open
start = 200
stage = ${secs}s 200
max_in_flight = 400
name = constant
[flow.a]
step = submit
step = collect"
start_sim
run -c "$T/constant.ini" -u "$URL"
stop_sim
J="$T/load_report_constant.json"
[ -s "$J" ] || die "no report"
jq -r --argjson w "$(jq .series.window_s "$J")" '
	.series.windows as $ws
	| ([.load.stages[].duration_s] | add) as $len
	| ($ws | map(select(.t_s > 0 and .t_s + $w <= $len + 0.001))) as $full
	| [range(0; ($full | length) / (10 / $w) | floor) as $b
	   | $full[$b * (10 / $w) : ($b + 1) * (10 / $w)]
	   | map(.started) | add] as $blocks
	| "  starts per 10-s block: \($blocks | map(tostring) | join(" "))",
	  "  worst block vs 2000:   \($blocks | map(. - 2000 | fabs / 20)
	     | max | . * 100 | round / 100)%",
	  "  p99 schedule lag:      \(.operations.schedule_lag.percentiles.p99
	     | . * 1000 | round / 1000) ms (p50 \(.operations.schedule_lag
	     .percentiles.p50 | . * 1000 | round / 1000) ms)",
	  "  dropped / late starts: \(.load.dropped_starts) / \(.load.late_starts)",
	  "  gwstress CPU peak:     \(.generator.cpu_percent_peak | round)% of the cores"
' "$J"

# gaps VIEW < times (ns or s, one a line, any order): the inter-arrival
# times in seconds against Exp(200/s), Kolmogorov-Smirnov
gaps() {
	sort -g | awk -v div="$2" 'NR > 1 { printf "%.9f\n", ($1 - prev) / div } { prev = $1 }' |
		sort -g | awk -v lambda=200 -v view="$1" '
	{ gap[++m] = $1 }
	END {
		# Kolmogorov-Smirnov against Exp(lambda): D, then the
		# asymptotic p-value (the same formula as check_shape)
		for (i = 1; i <= m; i++) {
			f = 1 - exp(-lambda * gap[i])
			a = i / m - f; b = f - (i - 1) / m
			if (a > d) d = a; if (b > d) d = b
		}
		x = d * (sqrt(m) + 0.12 + 0.11 / sqrt(m)); p = 0
		for (k = 1; k <= 100; k++)
			p += 2 * (k % 2 ? 1 : -1) * exp(-2 * k * k * x * x)
		if (p > 1) p = 1; if (p < 0) p = 0
		verdict = p > 0.01 ? "Exp(200/s) not rejected" : "rejected"
		# where the difference lies: the shortest gaps
		for (i = 1; i <= m && gap[i] < 0.0002; i++)
			;
		printf "    %s: %d gaps, KS D = %.5f, p = %.4f (%s); " \
			"under 0.2 ms %.2f%% (%.2f%% expected)\n", view, m, d, p,
			verdict, 100 * (i - 1) / m,
			100 * (1 - exp(-lambda * 0.0002))
	}'
}

echo "== 2. Poisson at 200 flows/s: inter-arrivals at the gateway vs Exp(200/s)"
# twice, the same schedule (seed 42): the workers asleep until each start
# (start_spin = 0, the default), then spinning its last 100 us.  Two
# views of the same arrivals: "wire", the time each POST's first segment
# reached the gateway's socket (tcpdump on lo, kernel timestamps: what
# the generator sent, when), and "gwsim", the time gwsim's event loop
# read its request line (--arrivals: that plus the gateway's own
# queueing; with gwsim --threads 1 it departs much further)
if ! "$GWSIM" --help 2>&1 | grep -q -- --arrivals; then
	echo "  skipped: this gwsim has no --arrivals"
else
	wire=1
	if ! command -v tcpdump >/dev/null 2>&1; then
		wire=; echo "  the wire view skipped: no tcpdump (apt-get install tcpdump)"
	fi
	for spin in 0 100us; do
		workload poisson "[load]
model = open
arrival = poisson
start = 200
stage = 60s 200
max_in_flight = 400
seed = 42
start_spin = $spin
name = poisson
[flow.a]
step = submit"
		rm -f "$T/arrivals" "$T/wire"
		start_sim --arrivals "$T/arrivals"
		TD=
		if [ -n "$wire" ]; then
			# inbound only ("POST" at the start of the TCP payload)
			tcpdump -i lo -Q in -n -l -tt --time-stamp-precision=nano \
				"tcp dst port $PORT and tcp[((tcp[12]&0xf0)>>2):4] = 0x504f5354" \
				>"$T/wire" 2>"$T/tcpdump.err" &
			TD=$!
			i=0
			while [ $i -lt 50 ] && ! grep -q listening "$T/tcpdump.err"; do
				sleep 0.1; i=$((i + 1))
			done
			grep -q listening "$T/tcpdump.err" || {
				echo "  the wire view skipped: $(tail -n 1 "$T/tcpdump.err")"
				wire=; kill $TD 2>/dev/null; wait $TD 2>/dev/null; TD=
			}
		fi
		run -c "$T/poisson.ini" -u "$URL"
		[ -z "$TD" ] || { kill -INT $TD; wait $TD 2>/dev/null; }
		stop_sim
		jq -r --arg spin "$spin" '"  start_spin = \($spin): \(.load.offered
		     ) starts, schedule lag p50 \(.operations.schedule_lag
		     .percentiles.p50 * 1000 | round) us, p99 \(.operations
		     .schedule_lag.percentiles.p99 * 1000 | round) us; gwstress \(
		     .generator.cpu_seconds * 100 | round / 100) CPU s"' \
			"$T/load_report_poisson.json"
		if [ -n "$TD" ]; then
			awk '{ print $1 }' "$T/wire" | gaps wire 1
			grep "dropped by kernel" "$T/tcpdump.err" | sed 's/^/      tcpdump: /'
		fi
		gaps gwsim 1e9 <"$T/arrivals"
	done
fi

echo "== 3. a 5-s gateway stall in a 20-s run (wrk2's experiment)"
# One client that waits for each answer before the next (a closed loop:
# coordinated omission) against an open model at the same 50/s whose
# latency counts from the intended start: a quarter of the intended
# requests fall in the stall, so the honest p99 is about the stall: the
# 250 due in it wait 5 s down to 0, the top 10 of 1,000 at least
# 5 s x (1 - 10/250) = 4.8 s, plus the service time.  A third run puts a
# 0.3-s task on top (submit, then read 30 events 10 ms apart).
if "$GWSIM" --help 2>&1 | grep -q -- --pause-at-s; then
	workload stall "[load]
model = open
start = 50
stage = 20s 50
max_in_flight = 600
name = stall
[flow.a]
step = submit"
	workload loop "[load]
model = closed
start = 1
stage = 20s 1
name = loop
[flow.a]
step = submit
step = think 20ms"
	start_sim --pause-at-s 8 --pause-s 5
	run -c "$T/stall.ini" -u "$URL"
	stop_sim
	workload tasks "[load]
model = open
start = 50
stage = 20s 50
max_in_flight = 600
name = tasks
[flow.a]
step = submit new [gwsim:events=30] [gwsim:interval_ms=10]
step = collect"
	start_sim --pause-at-s 8 --pause-s 5
	run -c "$T/loop.ini" -u "$URL"
	stop_sim
	start_sim --pause-at-s 8 --pause-s 5
	run -c "$T/tasks.ini" -u "$URL"
	stop_sim
	jq -r -s '
	  "  closed loop, 1 client (coordinated omission): \(.[1].operations["a.submit"].percentiles.count) requests, p99 \(.[1].operations["a.submit"].percentiles.p99 | round) ms",
	  "  open model, from the intended start:          \(.[0].operations["a.submit.intended"].percentiles.count) requests, p99 \(.[0].operations["a.submit.intended"].percentiles.p99 | round) ms (4,800 ms + service time expected)",
	  "  open model, starts dropped: \(.[0].load.dropped_starts), late: \(.[0].load.late_starts)",
	  "  open model, whole 0.3-s tasks:                \(.[2].operations["flow.a.intended"].percentiles.count) tasks, p99 from the intended start \(.[2].operations["flow.a.intended"].percentiles.p99 | round) ms, task p50 \(.[2].operations["flow.a"].percentiles.p50 | round) ms"' \
		"$T/load_report_stall.json" "$T/load_report_loop.json" \
		"$T/load_report_tasks.json"
else
	echo "  skipped: this gwsim has no --pause-at-s"
fi

echo "== 4. 500 users (closed) and 2,000 held streams (hold): errors"
workload users '[load]
model = closed
start = 0
stage = 10s 500
stage = 20s 500
name = users
[flow.a]
step = submit session hello
step = collect
step = think 500ms 1s'
workload streams '[load]
model = hold
stage = 20s 2000
stage = 20s 2000
graceful_stop = 5s
name = streams
[flow.held]
step = submit new [gwsim:events=30] [gwsim:interval_ms=1000] hold
step = collect terminal window 60s'
start_sim --threads 2
run -c "$T/users.ini" -u "$URL"
run -c "$T/streams.ini" -u "$URL"
stop_sim
for n in users streams; do
	jq -r --arg n "$n" '"  \($n): \(.load.completed) flows completed, \(.load.failed) failed, \(.summary.errors_by_class | to_entries | map(select(.key != "aborted")) | map(.value) | add) errors, \([.series.windows[].open_streams] | max) streams open at the peak, generator \(if .generator.valid then "valid" else .generator.why end)"' \
		"$T/load_report_$n.json"
done

echo "== 5. a new connection per request, one worker: http and https"
if [ -z "${BENCH_TLS:-}" ] || ! command -v openssl >/dev/null 2>&1; then
	echo "  skipped: needs openssl and build/test/bench_tls (make bench-load)"
else
	# a throw-away CA and a server certificate for 127.0.0.1 (EC P-256)
	printf '%s\n' '[req]' 'distinguished_name = dn' 'prompt = no' '[dn]' \
		'CN = bench CA' '[ca]' 'basicConstraints = critical,CA:TRUE' \
		'keyUsage = critical,keyCertSign' '[srv]' \
		'basicConstraints = critical,CA:FALSE' \
		'subjectAltName = IP:127.0.0.1' >"$T/x509.cnf"
	k="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	# shellcheck disable=SC2086
	openssl req -x509 -config "$T/x509.cnf" -extensions ca $k -days 1 \
		-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null &&
	openssl req -new -config "$T/x509.cnf" -subj /CN=127.0.0.1 $k \
		-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null &&
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-CAcreateserial -days 1 -extfile "$T/x509.cnf" -extensions srv \
		-out "$T/srv.pem" 2>/dev/null || die "openssl could not make a certificate"
	start_sim
	HTTP=$URL
	PLAIN=$SIM
	SIM=
	rm -f "$T/port"
	start_sim --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
	HTTPS="https://${URL#http://}"
	"$BENCH_TLS" "$HTTP" "$HTTPS" "$T/ca.pem" 2000 | sed 's/^/  /' ||
		die "bench_tls failed"
	stop_sim
	kill "$PLAIN" 2>/dev/null
	wait "$PLAIN" 2>/dev/null
fi

echo "== 6. measurement overhead at 1,000 streams: gateway send to gwstress"
# gwsim --stamp-events writes ': gwsim-sent <CLOCK_MONOTONIC ns>' in the
# same write as each event; gwstress times it on arrival (sse_delivery):
# the network, the kernel, libcurl and the SSE parser, on one host
workload stamped '[load]
model = hold
stage = 10s 1000
stage = 15s 1000
graceful_stop = 30s
name = stamped
[flow.held]
step = submit new [gwsim:events=60] [gwsim:interval_ms=200] [gwsim:first_delay_ms=200] hold
step = collect terminal window 60s'
start_sim --stamp-events --queue-size 1000
run -c "$T/stamped.ini" -u "$URL"
stop_sim
jq -r '"  \(.operations.sse_delivery.percentiles.count) events over \([.series.windows[].open_streams] | max) open streams: delivery p50 \(.operations.sse_delivery.percentiles.p50 * 1000 | round) us, p99 \(.operations.sse_delivery.percentiles.p99 * 1000 | round) us, max \(.operations.sse_delivery.percentiles.max | . * 10 | round / 10) ms; generator \(if .generator.valid then "valid" else .generator.why end), CPU peak \(.generator.cpu_percent_peak | round) %"' \
	"$T/load_report_stamped.json"
