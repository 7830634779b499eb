# Shared helpers for the integration tests (sourced, POSIX sh).
# Binaries come from $GWSTRESS / $GWSIM (set by make), defaulting to ./
# Every wait is bounded; every gateway started here is stopped by cleanup.

GWSTRESS=${GWSTRESS:-./gwstress}
GWSIM=${GWSIM:-./gwsim}
# loopback only: no proxy of the host may see (or swallow) test traffic
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
T=$(mktemp -d "${TMPDIR:-/tmp}/gwstress-it.XXXXXX")
SIM_PIDS=""
FAILS=0
TEST=${0##*/}

cleanup() {
	[ -n "${KEEP_T:-}" ] && { echo "kept $T"; return; }
	for p in $SIM_PIDS; do kill "$p" 2>/dev/null; done
	for p in $SIM_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() { printf '  FAIL %s: %s\n' "$TEST" "$*"; FAILS=$((FAILS + 1)); }
ok() { printf '  ok   %s\n' "$*"; }
# skip DESCRIPTION REASON: a check that could not run here, said so (a tool
# missing, say): never counted as passed, never as failed
skip() { printf '  skip %s: %s\n' "$1" "$2"; }

# check DESCRIPTION COMMAND...: run COMMAND, report ok/fail
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}

# start_sim ARGS...: start gwsim on an ephemeral loopback port.
# Sets SIM_PID and SIM_URL.  Fails the test if it does not come up in 10 s.
start_sim() {
	pf="$T/port.$$.$(date +%s%N)"
	"$GWSIM" --listen 127.0.0.1 --port 0 --ready-fd 3 "$@" 3>"$pf" &
	SIM_PID=$!
	SIM_PIDS="$SIM_PIDS $SIM_PID"
	i=0
	while [ $i -lt 100 ]; do
		port=$(cat "$pf" 2>/dev/null)
		[ -n "$port" ] && break
		sleep 0.1; i=$((i + 1))
	done
	if [ -z "$port" ]; then
		fail "gwsim $* did not start"; exit 1
	fi
	SIM_URL="http://127.0.0.1:$port"
}

stop_sim() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# jget FILE FILTER: jq -r on a report
jget() { jq -r "$2" "$1"; }
# jtrue JQ-ARGS...: jq -e, quietly: true when the last output is true
jtrue() { jq -e "$@" >/dev/null; }

# The helpers below name their own variables with a prefix (rg_, ra_, ss_)
# so that a call never clobbers a variable of the test that made it.

# run_gwstress [-t SECONDS] NAME [VAR=VALUE...] ARGS...: run "$GWSTRESS"
# ARGS with stdout in $T/NAME.out and stderr in $T/NAME.err.  Leading
# VAR=VALUE words set the environment of this run only, as on a command
# line (an assignment before a function call is not portable).  -t bounds
# the run with timeout(1), which exits 124 when it fires.  Sets RC (the
# exit status), OUT and ERR (the two paths) and ELAPSED (whole seconds).
run_gwstress() {
	rg_limit=
	if [ "$1" = -t ]; then rg_limit=$2; shift 2; fi
	OUT="$T/$1.out"
	ERR="$T/$1.err"
	shift
	rg_t0=$(date +%s)
	(
		while [ $# -gt 0 ]; do
			# export NAME=VALUE, the whole word: not SC2163's mistake
			# shellcheck disable=SC2163
			case $1 in
			[A-Za-z_]*=*) export "$1"; shift ;;
			*) break ;;
			esac
		done
		if [ -n "$rg_limit" ]; then
			exec timeout "$rg_limit" "$GWSTRESS" "$@"
		fi
		exec "$GWSTRESS" "$@"
	) >"$OUT" 2>"$ERR"
	RC=$?
	ELAPSED=$(( $(date +%s) - rg_t0 ))
}

# report_of DIR SCENARIO: the path of SCENARIO's JSON report in DIR
report_of() { printf '%s/stress_report_%s.json\n' "$1" "$2"; }

# sim_stats: the counters of the running gwsim ($SIM_URL/gwsim/stats) on
# stdout.  The request may meet an injected fault itself (--reset-rate):
# up to 20 tries, each bounded by curl --max-time 5.  Prints nothing and
# returns 1 if none succeeds.
sim_stats() {
	ss_i=0
	while [ $ss_i -lt 20 ]; do
		ss_s=$(curl -s --max-time 5 "$SIM_URL/gwsim/stats")
		if [ -n "$ss_s" ] && printf '%s\n' "$ss_s" |
			jq -e .requests_total >/dev/null 2>&1; then
			printf '%s\n' "$ss_s"
			return 0
		fi
		ss_i=$((ss_i + 1))
	done
	return 1
}

# sim_stat KEY: one counter of the running gwsim, as sim_stats reads it
sim_stat() { sim_stats | jq -r ".$1"; }

# run_against_sim [-t SECONDS] NAME SIMARGS... -- ARGS...: start a gwsim
# with SIMARGS, run_gwstress NAME -u $SIM_URL --target-pid $SIM_PID ARGS
# (the pid lets gwstress measure that gateway's memory), save the
# gateway's counters as they stand after the run in $T/NAME.stats, then
# stop that gwsim.  SIMARGS are split on blanks.  Sets RC, OUT, ERR and
# ELAPSED as run_gwstress does, and STATS to the counters' path (an empty
# file if sim_stats could not read them).
run_against_sim() {
	ra_limit=
	if [ "$1" = -t ]; then ra_limit=$2; shift 2; fi
	ra_name=$1
	shift
	ra_sim=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do ra_sim="$ra_sim $1"; shift; done
	if [ $# -eq 0 ]; then
		fail "run_against_sim $ra_name: no -- after the gwsim arguments"
		exit 1
	fi
	shift
	# shellcheck disable=SC2086
	start_sim $ra_sim
	run_gwstress ${ra_limit:+-t "$ra_limit"} "$ra_name" \
		-u "$SIM_URL" --target-pid "$SIM_PID" "$@"
	STATS="$T/$ra_name.stats"
	sim_stats >"$STATS"
	stop_sim "$SIM_PID"
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$TEST" "$FAILS"; exit 1
	fi
	exit 0
}

# tls_pki DIR: throw-away certificates for loopback TLS tests, made by
# openssl at test time (EC P-256: quick): ca.pem/ca.key, a server
# certificate for 127.0.0.1 it signed (srv.pem, srv.key), the same key
# in a certificate that expired in 2020 (old.pem), an unrelated CA
# (other.pem) and a client certificate (cli.pem, cli.key).  Returns 1,
# with openssl's words in DIR/openssl.err, if any step fails.
tls_pki() {
	tp=$1
	mkdir -p "$tp/db" && : >"$tp/db/index.txt" && echo 01 >"$tp/db/serial"
	cat >"$tp/x509.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = gwstress test CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
[v3_cli]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[ca]
default_ca = tca
[tca]
database = $ENV::TP/db/index.txt
serial = $ENV::TP/db/serial
new_certs_dir = $ENV::TP/db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
	TP=$tp
	export TP
	k="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	# shellcheck disable=SC2086
	openssl req -x509 -config "$tp/x509.cnf" -extensions v3_ca $k -days 2 \
		-keyout "$tp/ca.key" -out "$tp/ca.pem" 2>"$tp/openssl.err" &&
	openssl req -x509 -config "$tp/x509.cnf" -extensions v3_ca $k -days 2 \
		-subj /CN=another -keyout "$tp/other.key" -out "$tp/other.pem" \
		2>>"$tp/openssl.err" &&
	openssl req -new -config "$tp/x509.cnf" -subj /CN=127.0.0.1 $k \
		-keyout "$tp/srv.key" -out "$tp/srv.csr" 2>>"$tp/openssl.err" &&
	openssl x509 -req -in "$tp/srv.csr" -CA "$tp/ca.pem" -CAkey "$tp/ca.key" \
		-CAcreateserial -days 2 -extfile "$tp/x509.cnf" -extensions v3_srv \
		-out "$tp/srv.pem" 2>>"$tp/openssl.err" &&
	openssl ca -batch -config "$tp/x509.cnf" -cert "$tp/ca.pem" \
		-keyfile "$tp/ca.key" -in "$tp/srv.csr" -out "$tp/old.pem" \
		-startdate 20200101000000Z -enddate 20200102000000Z \
		-extfile "$tp/x509.cnf" -extensions v3_srv 2>>"$tp/openssl.err" &&
	openssl req -new -config "$tp/x509.cnf" -subj /CN=gwstress-client $k \
		-keyout "$tp/cli.key" -out "$tp/cli.csr" 2>>"$tp/openssl.err" &&
	openssl x509 -req -in "$tp/cli.csr" -CA "$tp/ca.pem" -CAkey "$tp/ca.key" \
		-CAcreateserial -days 2 -extfile "$tp/x509.cnf" -extensions v3_cli \
		-out "$tp/cli.pem" 2>>"$tp/openssl.err"
}

# start_tls_sim CERT KEY ARGS...: start_sim serving HTTPS; SIM_URL is
# https://127.0.0.1:PORT
start_tls_sim() {
	st_c=$1 st_k=$2
	shift 2
	start_sim --tls-cert "$st_c" --tls-key "$st_k" "$@"
	SIM_URL="https://${SIM_URL#http://}"
}
