#!/bin/sh
# make bench-metrics: what the live metrics endpoint (--metrics-listen)
# costs at 1,000 held SSE streams scraped every second.  Prints figures;
# asserts only that the runs ran (exit status, reports present), never a
# timing.
#
# Two runs of the same hold workload against a fresh gwsim each: 1,000
# streams ramped in 10 s, then held for BENCH_METRICS_SECONDS (default
# 30), every stream receiving an event a second.  The first run has no
# endpoint; the second serves one, scraped every second by curl (in a
# loop bounded by the run's length).  gwstress's CPU (user + system of
# every thread over the run: the report's generator.cpu_seconds) side by
# side, their difference as a share of one core, and the endpoint's own
# accounting (gwstress_metrics_cpu_seconds_total: building snapshots in
# the collector plus all its own thread's CPU) from the last scrape.  The
# difference between two runs on a shared machine is noisy (run several
# pairs with BENCH_METRICS_PAIRS=N); the endpoint's own figure is not.
# BENCH_METRICS_STREAMS changes the 1,000.
cd "$(dirname "$0")/../.." || exit 1
. test/bench/lib.sh
GW=
trap 'kill $SIM $GW 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
secs=${BENCH_METRICS_SECONDS:-30}
streams=${BENCH_METRICS_STREAMS:-1000}

die() { echo "bench-metrics: $*" >&2; exit 1; }

printf '%s\n' "[load]
model = hold
stage = 10s $streams
stage = ${secs}s $streams
graceful_stop = 2s
name = held
[flow.held]
step = submit new [gwsim:events=600] [gwsim:interval_ms=1000] hold
step = collect terminal window 900s" >"$T/held.ini"

# run NAME [ARGS...]: the workload against a fresh gwsim, in the
# background; GW is its pid
run() {
	n=$1
	shift
	start_sim --threads 2
	"$GWSTRESS" load -q -c "$T/held.ini" -u "$URL" --report-dir "$T/$n" \
		"$@" >"$T/$n.out" 2>&1 &
	GW=$!
}
# finish NAME: wait for the run (bounded), check it, stop its gwsim
finish() {
	i=0
	while [ $i -lt $(((secs + 60) * 10)) ] && kill -0 "$GW" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	wait "$GW"
	rc=$?
	GW=
	stop_sim
	[ "$rc" -le 1 ] || { cat "$T/$1.out" >&2; die "gwstress load ($1) exited $rc"; }
	[ -s "$T/$1/load_report_held.json" ] || die "$1: no report"
}

# scraped NAME: the run with the endpoint, curl scraping it every second
# (bounded by the run's length); sets SCRAPES, keeps the last scrape
scraped() {
	run "$1" --metrics-listen 127.0.0.1:0
	i=0
	while [ $i -lt 100 ] && ! grep -q '^metrics: ' "$T/$1.out"; do
		sleep 0.1; i=$((i + 1))
	done
	port=$(sed -n 's|^metrics: http://.*:\([0-9][0-9]*\)/metrics.*|\1|p' "$T/$1.out")
	[ -n "$port" ] || die "no metrics line: $(cat "$T/$1.out")"
	SCRAPES=0
	while [ $SCRAPES -lt $((secs + 40)) ] && kill -0 "$GW" 2>/dev/null; do
		curl -s --max-time 5 -o "$T/last.txt" \
			"http://127.0.0.1:$port/metrics" &&
			cp "$T/last.txt" "$T/$1.txt"
		SCRAPES=$((SCRAPES + 1))
		sleep 1
	done
	finish "$1"
}

# fig NAME: "<cpu s> <wall s> <streams at peak>" of a run's report
fig() {
	jq -r '"\(.generator.cpu_seconds) \(.metadata.duration_seconds) \([.series.windows[].open_streams] | max)"' \
		"$T/$1/load_report_held.json"
}

pairs=${BENCH_METRICS_PAIRS:-1}
echo "== $streams held SSE streams (10-s ramp, ${secs} s held), gwstress's CPU with and without the endpoint scraped every second"
printf '                          CPU s   wall s   %% of one core   streams at peak\n'
p=1
while [ $p -le "$pairs" ]; do
	run plain$p
	finish plain$p
	scraped scraped$p
	own=$(awk '/^gwstress_metrics_cpu_seconds_total/ { print $2 }' "$T/scraped$p.txt")
	echo "$(fig plain$p) $(fig scraped$p) ${own:-0} $SCRAPES $(wc -c <"$T/scraped$p.txt") $(grep -vc '^#' "$T/scraped$p.txt")" |
		awk -v p="$p" '{
		ca = $1; wa = $2; pa = 100 * ca / wa
		cb = $4; wb = $5; pb = 100 * cb / wb
		printf "  %d. no endpoint       %8.2f %8.1f %12.2f %%   %6d\n", p, ca, wa, pa, $3
		printf "  %d. scraped every 1 s %8.2f %8.1f %12.2f %%   %6d\n", p, cb, wb, pb, $6
		printf "     difference: %+.2f %% of one core (two runs: noisy on a shared machine)\n", pb - pa
		printf "     the endpoint'"'"'s own CPU: %.3f s over %d scrapes (%.2f ms each) = %.3f %% of one core\n", \
			$7, $8, $8 ? 1000 * $7 / $8 : 0, 100 * $7 / wb
		printf "     one scrape: %d KiB, %d samples\n", $9 / 1024, $10
		printf "%f %f\n", pb - pa, 100 * $7 / wb >>sums
	}' sums="$T/sums"
	p=$((p + 1))
done
if [ "$pairs" -gt 1 ]; then
	awk '{ d += $1; dd += $1 * $1; o += $2; n++ }
	END {
		m = d / n; sd = n > 1 ? sqrt((dd - n * m * m) / (n - 1)) : 0
		printf "  over %d pairs: difference %+.2f +- %.2f (sd) %% of one core; the endpoint'"'"'s own %.3f %%\n", n, m, sd, o / n
	}' "$T/sums"
fi
