#!/bin/sh
# Every user error on the command line or in the environment: exit 2,
# exactly one clear line on stderr, nothing run (data: test/data/badinput.txt).
. "$(dirname "$0")/lib.sh"

# refused PATTERN: the run just made was a user error: exit 2, exactly one
# line on stderr matching PATTERN (an ERE), no output, no report.  Says
# which of these failed.
refused() {
	lines=$(wc -l <"$ERR")
	if [ "$RC" -ne 2 ]; then
		echo "    exit $RC, expected 2"
	elif [ "$lines" -ne 1 ]; then
		echo "    $lines lines on stderr: $(cat "$ERR")"
	elif ! grep -Eq -- "$1" "$ERR"; then
		echo "    stderr !~ /$1/"
	elif [ -s "$OUT" ] || [ -n "$(ls -A "$T/r" 2>/dev/null)" ]; then
		echo "    something ran"
	else
		return 0
	fi
	return 1
}

n=0
while IFS='|' read -r env args pat; do
	case "$env" in '#'*|'') continue ;; esac
	env=$(echo "$env" | sed 's/^ *//; s/ *$//')
	args=$(echo "$args" | sed 's/^ *//; s/ *$//')
	pat=$(echo "$pat" | sed 's/^ *//; s/ *$//')
	n=$((n + 1))
	rm -rf "$T/r"
	[ "$env" = - ] && env=
	# shellcheck disable=SC2086
	run_gwstress case ${env:+"$env"} --report-dir "$T/r" $args
	check "[${env:--}] $args -> $(cat "$ERR")" refused "$pat"
done <test/data/badinput.txt
check "all $n cases ran" [ "$n" -ge 30 ]
finish
