#!/bin/sh
# TLS end to end on loopback, with certificates openssl makes here: a
# scenario and a workload over https:// with --cacert; the system's store,
# the wrong CA and an expired certificate each stop the run at start with
# one line naming the URL and the reason (exit 3, bounded, no crash, the
# token never printed); --insecure is loud (banner, stderr, report); a
# client certificate is offered (--cert/--key) and a key that does not
# match it is one line too; an unreadable --cacert is a usage error.
. "$(dirname "$0")/lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	echo "  skip it_tls.sh: openssl is not installed (it makes the certificates)"
	exit 0
fi
P="$T/pki"
check "openssl made the test PKI" tls_pki "$P"
[ -s "$P/cli.pem" ] || finish
R="$T/reports"
SCEN='test_concurrent_sse_connections[5]'
TOKEN=tls-secret-3f9c1e
export TOKEN

start_tls_sim "$P/srv.pem" "$P/srv.key" --token "$TOKEN"
case $SIM_URL in https://*) ;; *) fail "gwsim is not serving https"; finish ;; esac

echo "== a scenario and a workload over https, --cacert"
run_gwstress -t 120 ok GWSTRESS_TOKEN="$TOKEN" -u "$SIM_URL" --cacert "$P/ca.pem" \
	--scale smoke -s "$SCEN" --report-dir "$R/ok"
F=$(report_of "$R/ok" "$SCEN")
check "scenario over TLS: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "scenario over TLS: every stream terminal" \
	[ "$(jget "$F" .counters.sse_terminal_events)" -eq 5 ]
check "scenario over TLS: verified (tls_insecure false in the report)" \
	[ "$(jget "$F" .config.target.tls_insecure)" = false ]
check "scenario over TLS: the report names the CA file" \
	[ "$(jget "$F" .config.target.tls_ca_file)" = "$P/ca.pem" ]
check "scenario over TLS: the token is in no output or report" \
	sh -c "! grep -rq '$TOKEN' '$OUT' '$ERR' '$R/ok'"
run_gwstress -t 120 load GWSTRESS_TOKEN="$TOKEN" load -c conf/load-smoke.ini \
	-u "$SIM_URL" --cacert "$P/ca.pem" --report-dir "$R/load"
check "workload over TLS: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
check "workload over TLS: flows completed, none failed" \
	[ "$(jget "$R/load/load_report_load-smoke.json" .load.failed)" -eq 0 ]

# tls_fail NAME WHY ARGS...: the run stops at start: exit 3 within 30 s,
# one line naming the URL with WHY in it, no report, no token
tls_fail() {
	tf_n=$1 tf_why=$2
	shift 2
	run_gwstress -t 60 "$tf_n" GWSTRESS_TOKEN="$TOKEN" -u "$SIM_URL" \
		--scale smoke -s "$SCEN" --report-dir "$R/$tf_n" "$@"
	check "$tf_n: exit 3 (rc=$RC)" [ "$RC" -eq 3 ]
	check "$tf_n: within 30 s (${ELAPSED}s)" [ "$ELAPSED" -le 30 ]
	check "$tf_n: one line: the URL and '$tf_why' ($(cat "$ERR"))" eval \
		'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "$SIM_URL: TLS: .*$tf_why" "$ERR"'
	check "$tf_n: no report" [ ! -e "$(report_of "$R/$tf_n" "$SCEN")" ]
	check "$tf_n: the token is not printed" \
		sh -c "! grep -q '$TOKEN' '$OUT' '$ERR'"
}

echo "== verification failures stop the run at start"
tls_fail system "unable to get local issuer certificate"
tls_fail wrongca "unable to get local issuer certificate" --cacert "$P/other.pem"
run_gwstress badkey GWSTRESS_TOKEN="$TOKEN" -u "$SIM_URL" --cacert "$P/ca.pem" \
	--cert "$P/cli.pem" --key "$P/srv.key" --scale smoke -s "$SCEN" \
	--report-dir "$R/badkey"
check "client key not the certificate's: exit 3 (rc=$RC)" [ "$RC" -eq 3 ]
check "client key not the certificate's: one TLS line ($(cat "$ERR"))" eval \
	'[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "$SIM_URL: TLS: " "$ERR"'

echo "== --insecure is loud"
run_gwstress -t 120 insecure GWSTRESS_TOKEN="$TOKEN" -u "$SIM_URL" -k \
	--cacert "$P/other.pem" --scale smoke -s "$SCEN" --report-dir "$R/insecure"
F=$(report_of "$R/insecure" "$SCEN")
check "--insecure: the wrong CA no longer stops it (rc=$RC)" [ "$RC" -eq 0 ]
check "--insecure: the banner says TLS NOT VERIFIED" grep -q "TLS NOT VERIFIED" "$OUT"
check "--insecure: a warning on stderr" grep -q "TLS verification is off" "$ERR"
check "--insecure: the report says so" \
	[ "$(jget "$F" .config.target.tls_insecure)" = true ]

echo "== a client certificate"
run_gwstress -t 120 client GWSTRESS_TOKEN="$TOKEN" -u "$SIM_URL" \
	--cacert "$P/ca.pem" --cert "$P/cli.pem" --key "$P/cli.key" \
	--scale smoke -s "$SCEN" --report-dir "$R/client"
check "--cert/--key: exit 0 (rc=$RC)" [ "$RC" -eq 0 ]
run_gwstress nofile -u "$SIM_URL" --cacert "$P/nonexistent.pem" \
	--scale smoke -s "$SCEN"
check "unreadable --cacert: exit 2 (rc=$RC)" [ "$RC" -eq 2 ]
check "unreadable --cacert: names the option and the file" \
	grep -q -- "--cacert.*nonexistent.pem" "$ERR"
stop_sim "$SIM_PID"

echo "== an expired certificate"
start_tls_sim "$P/old.pem" "$P/srv.key" --token "$TOKEN"
tls_fail expired "certificate has expired" --cacert "$P/ca.pem"
stop_sim "$SIM_PID"
finish
