# Shared by the benchmark scripts, sourced from the top of the tree: the
# environment (loopback only, set -u, GWSTRESS and GWSIM), T (a temporary
# directory; the script's trap removes it) and one gwsim at a time on a
# free loopback port, its stderr in $T/gwsim.err:
#   start_sim [gwsim options]  sets SIM (its pid), PORT and URL; exits 1
#                              with gwsim's last words if it did not start
#   stop_sim                   stops it; if it had already exited, says so
#                              on stderr and in $T/sim_died, naming $tag
#                              (the script's last run) when set

# loopback only: no proxy of the host may see (or swallow) this traffic
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
set -u
GWSTRESS=${GWSTRESS:-./gwstress}
GWSIM=${GWSIM:-./gwsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/gwstress-bench.XXXXXX")
SIM=

start_sim() {
	rm -f "$T/port"
	"$GWSIM" --listen 127.0.0.1 --port 0 --ready-fd 3 "$@" \
		3>"$T/port" 2>"$T/gwsim.err" &
	SIM=$!
	i=0
	while [ $i -lt 100 ] && [ ! -s "$T/port" ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -s "$T/port" ]; then
		echo "$(basename "$0" .sh): gwsim did not start: $(tail -n 3 "$T/gwsim.err")" >&2
		exit 1
	fi
	PORT=$(cat "$T/port")
	URL="http://127.0.0.1:$PORT"
}
# A gwsim gone before the run ended failed that run, not the client.
stop_sim() {
	if ! kill -0 "$SIM" 2>/dev/null; then
		wait "$SIM"
		echo "- ${tag:-a run}: gwsim exited during the run (status $?): $(tail -n 2 "$T/gwsim.err" | tr '\n' ' ')" |
			tee -a "$T/sim_died" >&2
	fi
	kill "$SIM" 2>/dev/null
	wait "$SIM" 2>/dev/null
	SIM=
}
