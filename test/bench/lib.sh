# Shared by the benchmark scripts (sourced after they set T, a temporary
# directory of their own): one gwsim at a time on a free loopback port.
#   start_sim [gwsim options]  sets SIM (its pid) and URL
#   stop_sim                   stops it
start_sim() {
	"$GWSIM" --listen 127.0.0.1 --port 0 --ready-fd 3 "$@" 3>"$T/port" &
	SIM=$!
	i=0
	while [ $i -lt 100 ] && [ ! -s "$T/port" ]; do sleep 0.1; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$T/port")"
}
stop_sim() { kill "$SIM" 2>/dev/null; wait "$SIM" 2>/dev/null; SIM=; rm -f "$T/port"; }
