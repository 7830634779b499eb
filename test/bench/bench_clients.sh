#!/bin/sh
# make bench-clients: what a client costs, gwstress beside a lean C
# thread-per-stream client (test/bench/lean_sse.c) and Locust
# (test/bench/locust_sse.py), the same flow against the same gwsim: submit
# a task, subscribe to its stream, read to the terminal final_response.
# Prints figures as markdown (the table for README on stdout, progress on
# stderr); asserts only that the runs ran, never a timing.
#
#   A. per-event CPU: 25 tasks at once, each 2,000 status updates 1 ms
#      apart; each client's CPU seconds (user + sys, wait4's rusage of the
#      whole process tree, not wall time) per 1,000 events received, with
#      and without its start-up (the same run with 1-event tasks), and
#      events/s (events over the span from the first submit to the last
#      final_response, the client's own clock);
#   B. memory per held stream: N streams open and silent at once (each
#      task's first event comes after a delay longer than it takes to
#      open them all; gwsim --ping-s 60), the client's peak RSS (VmHWM,
#      wait4's ru_maxrss) at N1 = 1,000 and N2 = 5,000, RSS per stream at
#      N1 and the marginal KiB per stream, (RSS(N2) - RSS(N1)) / (N2 - N1);
#   C. REST: GET /api/v1/config, keep-alive, 50 connections for 10 s:
#      gwstress's closed model, wrk and hey, requests/s side by side;
#   D. gwstress holding 10,000 streams (the hold model): did every stream
#      reach its terminal event, peak RSS, RSS per stream.
#
# Rows: gwstress as it ships (test/bench/clients-*.ini), gwstress tuned for
# many streams (64 KiB stacks, 4 KiB receive buffers: README, "Scale"),
# lean C (64 KiB stacks) and Locust (FastHttpUser, one process).  Every run
# gets a fresh gwsim with the same options (no state carried from one
# client to the next; a new port also keeps TIME_WAIT sockets of the
# previous run out of the way) and runs under build/test/runstat, which
# bounds it in time and kills its process group.  A run that did not bring
# every stream to its terminal event shows as "failed" in its cell, with
# the reason below the table.  gwstress, gwsim and the client share the
# machine's cores, so events/s and requests/s are the pair's, and the
# ratios are the figures to read.
#
# Environment (defaults in brackets):
#   BENCH_CLIENTS_TASKS [25]  BENCH_CLIENTS_EVENTS [2000]     workload A
#   BENCH_CLIENTS_N1 [1000]   BENCH_CLIENTS_N2 [5000]         workload B
#   BENCH_CLIENTS_REST_C [50] BENCH_CLIENTS_REST_S [10]       section C
#   BENCH_CLIENTS_BIG [10000]                                 section D
#   BENCH_CLIENTS_SKIP: words of what not to run: events hold rest big
#     (sections) and tuned locust (rows), e.g. BENCH_CLIENTS_SKIP="big".
#   BENCH_CLIENTS_KEEP=1 keeps the scratch folder (every run's output,
#     gwstress's reports, gwsim's stderr) and prints its name.
# Locust, wrk and hey are Debian packages (python3-locust, wrk, hey); a
# missing one is skipped with the reason.
cd "$(dirname "$0")/../.." || exit 1
. test/bench/lib.sh
LEAN_SSE=${LEAN_SSE:-build/test/lean_sse}
RUNSTAT=${RUNSTAT:-build/test/runstat}
TASKS=${BENCH_CLIENTS_TASKS:-25}
EVENTS=${BENCH_CLIENTS_EVENTS:-2000}
N1=${BENCH_CLIENTS_N1:-1000}
N2=${BENCH_CLIENTS_N2:-5000}
REST_C=${BENCH_CLIENTS_REST_C:-50}
REST_S=${BENCH_CLIENTS_REST_S:-10}
BIG=${BENCH_CLIENTS_BIG:-10000}
SKIP=${BENCH_CLIENTS_SKIP:-}
RUN=
# runstat forwards the TERM to its client's process group
if [ "${BENCH_CLIENTS_KEEP:-0}" = 1 ]; then
	trap 'kill $RUN $SIM 2>/dev/null; wait 2>/dev/null; echo "bench-clients: kept $T" >&2' EXIT
else
	trap 'kill $RUN $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "bench-clients: $*" >&2; exit 1; }
say() { echo "$*" >&2; }
skipped() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }
for v in "$TASKS" "$EVENTS" "$N1" "$N2" "$REST_C" "$REST_S" "$BIG"; do
	case $v in '' | *[!0-9]*) die "not a whole number: '$v'" ;; esac
done
# A's users each run one flow only if it outlasts the 1-s stage
[ "$EVENTS" -ge 1500 ] || die "BENCH_CLIENTS_EVENTS must be at least 1500 (a task must outlast workload A's 1-s stage)"
[ "$N2" -gt "$N1" ] || die "BENCH_CLIENTS_N2 must be above BENCH_CLIENTS_N1"
for f in "$GWSTRESS" "$GWSIM" "$LEAN_SSE" "$RUNSTAT"; do
	[ -x "$f" ] || die "$f not built (run: make bench-clients)"
done
command -v jq >/dev/null || die "jq not found (apt-get install jq)"

# measure TAG TIMEOUT_S CMD...: run CMD under runstat; its cost goes to
# $T/TAG.stat, its output to $T/TAG.log; returns CMD's status.
measure() {
	tag=$1 secs=$2
	shift 2
	"$RUNSTAT" -o "$T/$tag.stat" -t "$secs" -- "$@" >"$T/$tag.log" 2>&1 &
	RUN=$!
	wait "$RUN"
	rc=$?
	RUN=
	[ -s "$T/$tag.stat" ] || echo "status=$rc" >"$T/$tag.stat"
	return $rc
}
# field FILE KEY: the value of KEY=VALUE on FILE's first line
field() {
	awk -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) {
		j = index($i, "="); if (j && substr($i, 1, j - 1) == k) {
		print substr($i, j + 1); exit } } }' "$1" 2>/dev/null
}
cpu_of() { awk -v u="$(field "$1" user_s)" -v s="$(field "$1" sys_s)" \
	'BEGIN { printf "%.3f", u + s }'; }
calc() { awk "BEGIN { $1 }"; }

# The result line every client leaves in $T/TAG.res:
#   streams= completed= events= span_s= peak_open= errors=
# lean_sse and locust_sse.py print it; for gwstress it comes from the
# report, and the run's own error messages go to $T/TAG.why.
gw_result() {
	tag=$1 n=$2 j=$T/$tag/load_report_$3.json
	if [ ! -s "$j" ]; then
		echo "streams=$n completed=0 events=0 span_s=0 peak_open=0 errors=$n" >"$T/$tag.res"
		tail -n 3 "$T/$tag.log" >"$T/$tag.why"
		return
	fi
	jq -r --argjson n "$n" '"streams=\($n) completed=\(.counters.sse_terminal_events // 0) events=\(.counters.sse_events_received // 0) span_s=\(.metadata.duration_seconds) peak_open=\([.series.windows[].open_streams] | max) errors=\($n - (.counters.sse_terminal_events // 0)) generator=\(if .generator.valid then "valid" else "invalid" end) procs=\(.merge.shards_count // 1) rss_sum_kib=\(.generator.peak_rss_kb // 0)"' "$j" >"$T/$tag.res"
	jq -r '(.summary.errors_by_class | to_entries
		| map(select(.value > 0 and .key != "aborted"))
		| map("\(.key) \(.value)") | join(", ")),
	       ([.errors[]? | "\(.operation): \(.error_message)"]
		| group_by(.) | sort_by(-length) | .[0:3][]
		| "\(length) x (in the error log of the report) \(.[0])"),
	       (if .generator.valid then empty else "generator invalid: \(.generator.why)" end)' \
		"$j" 2>/dev/null | grep -v '^$' >"$T/$tag.why"
	grep -i 'warning' "$T/$tag.log" >>"$T/$tag.why"
}

# run_client TAG CLIENT N PROMPT LIMIT_S [gwstress workload file] : one
# run of CLIENT (gwstress, tuned, lean, locust) with N streams of PROMPT;
# leaves $T/TAG.stat and $T/TAG.res.
run_client() {
	tag=$1 client=$2 n=$3 prompt=$4 limit=$5 wl=${6:-}
	case $client in
	gwstress | tuned)
		set --
		[ "$client" = tuned ] && set -- --set engine.thread_stack_kib=64 \
			--set engine.recv_buffer_bytes=4096
		mkdir -p "$T/$tag"
		measure "$tag" "$limit" "$GWSTRESS" load -q --report-dir "$T/$tag" \
			-c "$wl" -u "$URL" "$@"
		gw_result "$tag" "$n" "$(sed -n 's/^name = //p' "$wl")"
		;;
	lean)
		measure "$tag" "$limit" "$LEAN_SSE" -p "$PORT" -n "$n" \
			-w "$limit" -t "$prompt"
		head -n 1 "$T/$tag.log" >"$T/$tag.res"
		;;
	locust)
		# spawn rate: every user started within SPAWN_S seconds
		rate=$(((n + SPAWN_S - 1) / SPAWN_S))
		BENCH_PROMPT=$prompt BENCH_USERS=$n BENCH_TIMEOUT_S=$limit \
			BENCH_OUT="$T/$tag.res" measure "$tag" $((limit + 30)) \
			locust -f test/bench/locust_sse.py --headless -u "$n" \
			-r "$rate" --run-time "${limit}s" --host "$URL" \
			--only-summary --loglevel WARNING
		;;
	esac
	[ -s "$T/$tag.res" ] || echo "streams=$n completed=0 events=0 span_s=0 peak_open=0 errors=$n" >"$T/$tag.res"
	if [ "$(field "$T/$tag.res" completed)" != "$n" ] && [ ! -s "$T/$tag.why" ]; then
		grep -v '^ *$' "$T/$tag.log" | grep -iv 'percentile\|^ *[-|]' |
			tail -n 3 >"$T/$tag.why"
	fi
	say "   $client: $(cat "$T/$tag.res") | $(cat "$T/$tag.stat")"
}
ok() { [ "$(field "$T/$1.res" completed)" = "$2" ]; }

# A workload file from test/bench/, rewritten for this run's numbers.
wl_events() { # EVENTS_PER_TASK DIRECTIVE OUT (DIRECTIVE: the second one)
	sed -e "s/^start = .*/start = $TASKS/" \
	    -e "s/^stage = .*/stage = 1s $TASKS/" \
	    -e "s/events=[0-9]*\]/events=$1]/" \
	    -e "s/\[gwsim:interval_ms=1\]/$2/" \
	    test/bench/clients-events.ini >"$3"
}
wl_hold() { # N DELAY_MS OUT
	sed -e "s/^start = .*/start = $1/" \
	    -e "s/^stage = .*/stage = $(($2 / 2000))s $1/" \
	    -e "s/first_delay_ms=[0-9]*\]/first_delay_ms=$2]/" \
	    test/bench/clients-hold.ini >"$3"
}
# The first event's delay for N streams: time for every client to open
# them all (about 4 ms a stream on this machine, Locust's spawning the
# slowest) with 10 s to spare.
delay_ms() { echo $((10000 + $1 * 4)); }

CLIENTS="gwstress tuned lean locust"
skipped tuned && CLIENTS=$(echo "$CLIENTS" | sed 's/ tuned//')
if skipped locust; then
	CLIENTS=$(echo "$CLIENTS" | sed 's/ locust//')
	LOCUST_WHY="skipped (BENCH_CLIENTS_SKIP)"
elif ! command -v locust >/dev/null 2>&1; then
	CLIENTS=$(echo "$CLIENTS" | sed 's/ locust//')
	LOCUST_WHY="skipped: locust not installed (apt-get install python3-locust)"
fi
name_of() {
	case $1 in
	gwstress) echo "gwstress (defaults)" ;;
	tuned) echo "gwstress (64 KiB stacks, 4 KiB buffers)" ;;
	lean) echo "lean C, thread per stream" ;;
	locust) echo "Locust $(dpkg-query -W -f '${Version}' python3-locust 2>/dev/null) FastHttpUser" ;;
	esac
}

# ---- A. per-event CPU ------------------------------------------------------
PROMPT_A="[gwsim:events=$EVENTS] [gwsim:interval_ms=1] bench events"
# start-up: the same flow with 1-event tasks whose first event waits 1.5 s
# (so that they too outlast the stage); idle waiting costs no CPU
PROMPT_A0="[gwsim:events=1] [gwsim:first_delay_ms=1500] bench events"
wl_events "$EVENTS" "[gwsim:interval_ms=1]" "$T/events.ini"
wl_events 1 "[gwsim:first_delay_ms=1500]" "$T/events0.ini"
SPAWN_S=1
if ! skipped events; then
	say "== A. $TASKS tasks x $EVENTS events 1 ms apart (and start-up: 1-event tasks)"
	for c in $CLIENTS; do
		for k in A A0; do
			# a queue that holds a whole task: a slow reader is
			# measured, not detached (SAM's overflow rule)
			start_sim --queue-size $((EVENTS + 100)) --ping-s 60
			if [ $k = A ]; then
				run_client "$k.$c" "$c" "$TASKS" "$PROMPT_A" 120 "$T/events.ini"
			else
				run_client "$k.$c" "$c" "$TASKS" "$PROMPT_A0" 60 "$T/events0.ini"
			fi
			stop_sim
		done
	done
fi

# ---- B. memory per held stream ---------------------------------------------
if ! skipped hold; then
	for n in "$N1" "$N2"; do
		d=$(delay_ms "$n")
		say "== B. $n streams held, silent for $((d / 1000)) s"
		prompt="[gwsim:events=1] [gwsim:first_delay_ms=$d] bench held"
		wl_hold "$n" "$d" "$T/hold$n.ini"
		SPAWN_S=$((d / 2000))
		for c in $CLIENTS; do
			start_sim --ping-s 60
			run_client "B$n.$c" "$c" "$n" "$prompt" $((d / 1000 + 60)) "$T/hold$n.ini"
			stop_sim
		done
	done
fi

# ---- C. REST ---------------------------------------------------------------
if ! skipped rest; then
	say "== C. GET /api/v1/config, keep-alive, $REST_C connections, $REST_S s"
	sed -e "s/^start = .*/start = $REST_C/" \
	    -e "s/^stage = .*/stage = ${REST_S}s $REST_C/" \
	    test/bench/clients-rest.ini >"$T/rest.ini"
	start_sim
	mkdir -p "$T/C.gwstress"
	measure C.gwstress $((REST_S + 60)) "$GWSTRESS" load -q \
		--report-dir "$T/C.gwstress" -c "$T/rest.ini" -u "$URL"
	j=$T/C.gwstress/load_report_clients-rest.json
	if [ -s "$j" ]; then
		jq -r '"rps=\(.load.completed / .metadata.duration_seconds) requests=\(.load.completed) errors=\(.summary.total_errors - .summary.errors_by_class.aborted)"' \
			"$j" >"$T/C.gwstress.res"
	fi
	stop_sim
	if command -v wrk >/dev/null 2>&1; then
		start_sim
		measure C.wrk $((REST_S + 60)) wrk -t 2 -c "$REST_C" \
			-d "${REST_S}s" "$URL/api/v1/config"
		awk '/^Requests\/sec:/ { r = $2 } /requests in/ { n = $1 }
		     /Non-2xx|Socket errors/ { e = e " " $0 }
		     END { if (r) printf "rps=%s requests=%s errors=%s\n", r, n,
		           e ? "\"" e "\"" : 0 }' "$T/C.wrk.log" >"$T/C.wrk.res"
		stop_sim
	fi
	if command -v hey >/dev/null 2>&1; then
		start_sim
		measure C.hey $((REST_S + 60)) hey -c "$REST_C" -z "${REST_S}s" \
			"$URL/api/v1/config"
		awk '/Requests\/sec:/ { r = $2 } /^ *\[200\]/ { n = $2 }
		     /^ *\[[0-9]+\]/ && !/\[200\]/ { e += $2 }
		     /Error distribution/ { x = 1 }
		     END { if (r) printf "rps=%s requests=%s errors=%d%s\n", r, n,
		           e, x ? "+" : "" }' "$T/C.hey.log" >"$T/C.hey.res"
		stop_sim
	fi
	for c in gwstress wrk hey; do
		[ -s "$T/C.$c.res" ] && say "   $c: $(cat "$T/C.$c.res") | $(cat "$T/C.$c.stat")"
	done
fi

# ---- D. 10,000 streams -----------------------------------------------------
if ! skipped big; then
	d=$(delay_ms "$BIG")
	say "== D. gwstress holding $BIG streams, silent for $((d / 1000)) s"
	wl_hold "$BIG" "$d" "$T/big.ini"
	start_sim --ping-s 60
	run_client D gwstress "$BIG" "" $((d / 1000 + 120)) "$T/big.ini"
	stop_sim
fi

# ---- the report (stdout) ---------------------------------------------------
mib() { calc "printf \"%.0f MiB\", $1 / 1024"; }
commas() { # 12345 -> 12,345
	awk -v n="$1" 'BEGIN { while (length(n) > 3) {
		s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) }
		print n s }'
}
cell_failed() { # TAG N
	echo "failed ($(field "$T/$1.res" completed)/$2)"
}
echo "### Client cost: \`make bench-clients\`"
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Command: \`BENCH_CLIENTS_TASKS=$TASKS BENCH_CLIENTS_EVENTS=$EVENTS BENCH_CLIENTS_N1=$N1 BENCH_CLIENTS_N2=$N2 BENCH_CLIENTS_REST_C=$REST_C BENCH_CLIENTS_REST_S=$REST_S BENCH_CLIENTS_BIG=$BIG${SKIP:+ BENCH_CLIENTS_SKIP=\"$SKIP\"} make bench-clients\`"
echo
echo "A: $TASKS tasks x $(commas "$EVENTS") status updates 1 ms apart. B: streams held open and silent at once (gwsim \`--ping-s 60\`, first event after 10 s + 4 ms per stream)."
echo
echo "| Client | CPU s per 1,000 events | same, start-up excluded | events/s | peak RSS, $(commas "$N1") streams | RSS per stream at $(commas "$N1") | marginal KiB per stream, $(commas "$N1")→$(commas "$N2") |"
echo "|---|---|---|---|---|---|---|"
for c in $CLIENTS; do
	a="–" a0="–" eps="–" r1="–" ps="–" mg="–"
	if [ -s "$T/A.$c.res" ]; then
		if ok "A.$c" "$TASKS"; then
			e=$(field "$T/A.$c.res" events)
			cpu=$(cpu_of "$T/A.$c.stat")
			a=$(calc "printf \"%.3f\", $cpu / $e * 1000")
			eps=$(calc "printf \"%.0f\", $e / $(field "$T/A.$c.res" span_s)")
			if ok "A0.$c" "$TASKS"; then
				e0=$(field "$T/A0.$c.res" events)
				cpu0=$(cpu_of "$T/A0.$c.stat")
				a0=$(calc "printf \"%.3f\", ($cpu - $cpu0) / ($e - $e0) * 1000")
			fi
		else
			a=$(cell_failed "A.$c" "$TASKS")
		fi
	fi
	if [ -s "$T/B$N1.$c.res" ]; then
		if ok "B$N1.$c" "$N1"; then
			k1=$(field "$T/B$N1.$c.stat" maxrss_kib)
			r1=$(mib "$k1")
			ps=$(calc "printf \"%.0f KiB\", $k1 / $N1")
			if ok "B$N2.$c" "$N2"; then
				k2=$(field "$T/B$N2.$c.stat" maxrss_kib)
				mg=$(calc "printf \"%.1f (%.0f MiB at $(commas "$N2"))\", ($k2 - $k1) / ($N2 - $N1), $k2 / 1024")
			else
				mg=$(cell_failed "B$N2.$c" "$N2")
			fi
		else
			r1=$(cell_failed "B$N1.$c" "$N1")
		fi
	fi
	echo "| $(name_of "$c") | $a | $a0 | $eps | $r1 | $ps | $mg |"
	eval "A_$c=\$a A0_$c=\$a0 E_$c=\$eps K1_$c=\${k1:-} MG_$c=\${mg%% *}"
	k1=
done
[ -n "${LOCUST_WHY:-}" ] && echo "| Locust | $LOCUST_WHY | | | | | |"
echo
isnum() { case $1 in '' | *[!0-9.]* | *.*.*) return 1 ;; esac; }
ratio() { # A B: A / B, or – when either is not a number
	if isnum "$1" && isnum "$2"; then
		calc "if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"–\""
	else
		echo "–"
	fi
}
if [ -n "${A_lean:-}" ]; then
	echo "Ratios, gwstress (defaults) / lean C: CPU per event $(ratio "${A_gwstress:-}" "$A_lean")," \
		"start-up excluded $(ratio "${A0_gwstress:-}" "${A0_lean:-}")," \
		"events/s $(ratio "${E_gwstress:-}" "${E_lean:-}")," \
		"RSS at $(commas "$N1") $(ratio "${K1_gwstress:-}" "${K1_lean:-}")," \
		"marginal per stream $(ratio "${MG_gwstress:-}" "${MG_lean:-}")."
	case " $CLIENTS " in *" tuned "*)
	echo "Ratios, gwstress (tuned) / lean C: CPU per event $(ratio "${A_tuned:-}" "$A_lean")," \
		"RSS at $(commas "$N1") $(ratio "${K1_tuned:-}" "${K1_lean:-}")," \
		"marginal per stream $(ratio "${MG_tuned:-}" "${MG_lean:-}")." ;;
	esac
	echo
fi
# Why a cell failed, what each held run reached, and gwstress's verdict on
# itself; printed only when there is something to say
for f in "$T"/A.*.res "$T"/A0.*.res "$T"/B*.res; do
	[ -s "$f" ] || continue
	tag=$(basename "$f" .res)
	n=$(field "$f" streams)
	po=$(field "$f" peak_open)
	case $tag in B*) [ "$po" != "$n" ] &&
		echo "- $tag: $po of $n streams were open at the peak, not all at once." ;;
	esac
	if ! ok "$tag" "$n"; then
		echo "- $tag: $(field "$f" completed) of $n streams reached final_response; $(tr '\n' ';' <"$T/$tag.why" 2>/dev/null | sed 's/;$//; s/;/; /g')"
	elif [ "$(field "$f" generator)" = invalid ]; then
		echo "- $tag: gwstress marked its own run invalid: $(grep 'generator invalid' "$T/$tag.why")"
	fi
done >"$T/notes"
cat "$T/sim_died" >>"$T/notes" 2>/dev/null
# 128 + a signal that runstat did not send: someone else's doing
for f in "$T"/*.stat; do
	[ -s "$f" ] || continue
	st=$(field "$f" status)
	[ "${st:-0}" -gt 128 ] && [ "$(field "$f" stopped_by)" = none ] &&
		echo "- $(basename "$f" .stat): the client ended on signal $((st - 128)), which neither this script nor runstat sent (a shared machine)."
done >>"$T/notes"
if [ -s "$T/notes" ]; then
	cat "$T/notes"
	echo
fi

if [ -s "$T/C.gwstress.res" ] || [ -s "$T/C.wrk.res" ] || [ -s "$T/C.hey.res" ]; then
	echo "REST: \`GET /api/v1/config\`, keep-alive, $REST_C connections, $REST_S s (wrk \`-t 2\`)."
	echo
	echo "| Client | requests/s | requests | errors | CPU s per 1,000 requests | peak RSS |"
	echo "|---|---|---|---|---|---|"
	for c in gwstress wrk hey; do
		case $c in
		gwstress) nm="gwstress (closed model, \`step = rest config\`)" ;;
		wrk) nm="wrk $(dpkg-query -W -f '${Version}' wrk 2>/dev/null)" ;;
		hey) nm="hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null)" ;;
		esac
		if [ ! -s "$T/C.$c.res" ]; then
			if command -v "$c" >/dev/null 2>&1 || [ $c = gwstress ]; then
				echo "| $nm | failed: $(tail -n 1 "$T/C.$c.log" 2>/dev/null) | | | | |"
			else
				echo "| $c | skipped: not installed (apt-get install $c) | | | | |"
			fi
			continue
		fi
		rps=$(field "$T/C.$c.res" rps) n=$(field "$T/C.$c.res" requests)
		eval "R_$c=\$rps"
		cpk=$(calc "printf \"%.3f\", $(cpu_of "$T/C.$c.stat") / $n * 1000")
		echo "| $nm | $(calc "printf \"%.0f\", $rps") | $n | $(field "$T/C.$c.res" errors) | $cpk | $(mib "$(field "$T/C.$c.stat" maxrss_kib)") |"
	done
	echo
	echo "Ratios of requests/s: gwstress / wrk $(ratio "${R_gwstress:-}" "${R_wrk:-}"), gwstress / hey $(ratio "${R_gwstress:-}" "${R_hey:-}")."
	echo
fi

if [ -s "$T/D.res" ]; then
	n=$(field "$T/D.res" streams) done=$(field "$T/D.res" completed)
	k=$(field "$T/D.stat" maxrss_kib)
	procs=$(field "$T/D.res" procs)
	if [ "${procs:-1}" -gt 1 ]; then
		# wait4's ru_maxrss of a parent is its largest child's; the
		# merged report adds the worker processes' own peaks
		k=$(field "$T/D.res" rss_sum_kib)
		how="$procs worker processes (one descriptor limit each), their peak RSS added"
	else
		how="one process"
	fi
	echo "$(commas "$BIG") streams held by gwstress (hold model, defaults, $how):"
	echo
	if [ "$done" = "$n" ]; then
		echo "- every stream reached its terminal event ($(commas "$done") of $(commas "$n"));"
	else
		echo "- FAILED: $(commas "$done") of $(commas "$n") streams reached their terminal event;"
	fi
	po=$(field "$T/D.res" peak_open)
	echo "- $(commas "$po") streams open at the peak; peak RSS $(mib "${k:-0}"), $(calc "printf \"%.0f\", ${k:-0} / $n") KiB per stream asked for$( [ "${po:-0}" -gt 0 ] && [ "$po" != "$n" ] && calc "printf \", %.0f KiB per stream held at the peak\", ${k:-0} / $po");"
	grep -h -- '^- D:' "$T/notes"
	echo "- gwstress exit status $(field "$T/D.stat" status), $(field "$T/D.stat" wall_s) s$( [ -s "$T/D.why" ] && printf '; it said: %s' "$(sort -u "$T/D.why" | tr '\n' ';' | sed 's/;$//; s/;/; /g')")."
	echo
fi
