#!/bin/sh
# make valgrind-smoke: gwstress under valgrind memcheck for a smoke run
# against the bundled gateway (soak shortened).  Passes when valgrind finds
# 0 errors and 0 bytes definitely lost.  Thresholds may fail under
# valgrind's slowdown (exit 1 is accepted); a crash, a usage error or an
# unreachable gateway is not.
# loopback only: no proxy of the host may see (or swallow) this traffic
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
set -u
cd "$(dirname "$0")/.." || exit 1
log=${VALGRIND_LOG:-reports/valgrind/memcheck.log}
mkdir -p "$(dirname "$log")"
echo "valgrind-smoke: memcheck on gwstress --scale smoke --soak-duration 10 (log: $log)"
valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite --log-file="$log" \
	"${GWSTRESS:-./gwstress}" --scale smoke --soak-duration 10 -q \
	--report-dir reports/valgrind "$@"
rc=$?
grep -E 'ERROR SUMMARY|definitely lost|in use at exit|All heap' "$log" | head -5
case $rc in
0|1) echo "valgrind-smoke: clean (gwstress exit $rc)"; exit 0 ;;
99) echo "valgrind-smoke: memcheck found errors, see $log"; exit 1 ;;
*) echo "valgrind-smoke: gwstress exit $rc"; exit 1 ;;
esac
