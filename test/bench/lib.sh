# Shared by the benchmark scripts, sourced from the top of the tree: the
# environment (loopback only, set -u, GWSTRESS and GWSIM), T (a temporary
# directory; the script's trap removes it) and one gwsim at a time on a
# free loopback port:
#   start_sim [gwsim options]  sets SIM (its pid) and URL
#   stop_sim                   stops it

# loopback only: no proxy of the host may see (or swallow) this traffic
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
set -u
GWSTRESS=${GWSTRESS:-./gwstress}
GWSIM=${GWSIM:-./gwsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/gwstress-bench.XXXXXX")
SIM=

start_sim() {
	"$GWSIM" --listen 127.0.0.1 --port 0 --ready-fd 3 "$@" 3>"$T/port" &
	SIM=$!
	i=0
	while [ $i -lt 100 ] && [ ! -s "$T/port" ]; do sleep 0.1; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$T/port")"
}
stop_sim() { kill "$SIM" 2>/dev/null; wait "$SIM" 2>/dev/null; SIM=; rm -f "$T/port"; }
