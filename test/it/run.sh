#!/bin/sh
# Runs every test/it/it_*.sh and test/gwsim/it_*.sh against ./gwstress
# and ./gwsim on loopback.
# Each test is bounded by `timeout`; the run fails if any test fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
fail=0; n=0
for t in test/it/it_*.sh test/gwsim/it_*.sh; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	printf '== %s\n' "$t"
	if ! timeout 600 sh "$t"; then
		printf 'FAIL: %s\n' "$t"; fail=$((fail + 1))
	fi
done
printf 'integration: %d tests, %d failed\n' "$n" "$fail"
[ "$fail" -eq 0 ]
