#!/bin/sh
# Every user error on the command line or in the environment: exit 2,
# exactly one clear line on stderr, nothing run (data: test/data/badinput.txt).
. "$(dirname "$0")/lib.sh"

n=0
while IFS='|' read -r env args pat; do
	case "$env" in '#'*|'') continue ;; esac
	env=$(echo "$env" | sed 's/^ *//; s/ *$//')
	args=$(echo "$args" | sed 's/^ *//; s/ *$//')
	pat=$(echo "$pat" | sed 's/^ *//; s/ *$//')
	n=$((n + 1))
	rm -rf "$T/r"
	# shellcheck disable=SC2086
	if [ "$env" = - ]; then
		"$GWSTRESS" --report-dir "$T/r" $args >"$T/out" 2>"$T/err"
	else
		env "$env" "$GWSTRESS" --report-dir "$T/r" $args >"$T/out" 2>"$T/err"
	fi
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ "$rc" -ne 2 ]; then
		fail "[$env] $args: exit $rc, expected 2"
	elif [ "$lines" -ne 1 ]; then
		fail "[$env] $args: $lines lines on stderr: $(cat "$T/err")"
	elif ! grep -Eq -- "$pat" "$T/err"; then
		fail "[$env] $args: stderr '$(cat "$T/err")' !~ /$pat/"
	elif [ -s "$T/out" ] || [ -n "$(ls -A "$T/r" 2>/dev/null)" ]; then
		fail "[$env] $args: something ran"
	else
		ok "[$env] $args -> $(cat "$T/err")"
	fi
done <test/data/badinput.txt
check "all $n cases ran" [ "$n" -ge 30 ]
finish
