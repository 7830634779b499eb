#!/bin/sh
# make checksrc: the tree's rules, checked mechanically (curl's checksrc,
# jansson's check-exports).  Exits 1 and names every offence.
#
#   1. clang-format: every C file is formatted as .clang-format says
#      (clang-format --dry-run -Werror);
#   2. one module = one noun = one prefix: every global symbol an object
#      of gwstress defines starts with its file's name (gw_cli.o exports
#      gw_cli_*), with the exceptions below, each with its reason; gwsim's
#      own rule is src/gwsim/check-prefix.sh;
#   3. comments are /* */ only: no // outside strings;
#   4. header guards are GW_<NAME>_H (SIM_H for gwsim), never a leading
#      underscore.
#
# usage: tools/checksrc.sh OBJDIR   (the build's object folder, e.g. build)
set -u
cd "$(dirname "$0")/.." || exit 1
O=${1:-build}
bad=0
say() { printf 'checksrc: %s\n' "$*"; bad=1; }

# The C files under the rules, gwsim's included.
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'test/*.c' \
	'test/*.h' 2>/dev/null | grep -v '^test/fuzz/corpus/')

echo "checksrc: clang-format"
if command -v clang-format >/dev/null 2>&1; then
	for f in $files; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 ||
			say "$f: not formatted (run: clang-format -i $f)"
	done
else
	say "clang-format not found (apt-get install clang-format)"
fi

# Symbols a module may export besides its own prefix, with why.
#   gw_util    the shared helpers every module uses (gw_error, gw_x*,
#              gw_parse_*, gw_now_ns, the stop flag): one small toolbox
#              rather than a dozen two-function modules
#   gw_engine  the worker (struct gw_worker) is the engine's: gw_worker_*
#   gw_shape   a schedule is drawn from a shape: gw_sched_*
allowed() {
	case $1 in
	gw_util) return 0 ;;
	gw_engine) case $2 in gw_worker_*) return 0 ;; esac ;;
	gw_shape) case $2 in gw_sched_*) return 0 ;; esac ;;
	esac
	return 1
}

echo "checksrc: prefixes (nm of every gwstress object)"
for o in "$O"/src/*.o "$O"/src/engine/*.o "$O"/src/sam/*.o \
	"$O"/src/scenarios/*.o "$O"/src/report/*.o "$O"/src/load/*.o; do
	[ -e "$o" ] || continue
	f=$(basename "$o" .o)
	[ "$f" = main ] && continue
	# a stale object of a renamed file has no source any more
	src=$(printf '%s\n' "$o" | sed "s|^$O/||; s|\.o\$|.c|")
	[ -e "$src" ] || continue
	for sym in $(nm -g --defined-only "$o" | awk '{print $3}'); do
		case $sym in
		"$f"_* | "$f") ;;
		*) allowed "$f" "$sym" || say "$o: $sym (expected ${f}_*)" ;;
		esac
	done
done
if [ -d "$O/src/gwsim" ]; then
	sh src/gwsim/check-prefix.sh "$O/src/gwsim" 2>/dev/null |
		while read -r l; do printf 'checksrc: gwsim %s\n' "$l"; done
	sh src/gwsim/check-prefix.sh "$O/src/gwsim" >/dev/null 2>&1 || bad=1
fi

echo "checksrc: comments and header guards"
for f in $(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'test/*.c' \
	'test/*.h' | grep -v '^test/fuzz/corpus/'); do
	# // outside a string literal (strings are dropped first), not
	# the :// of a URL in a comment
	if sed 's/"\([^"\\]\|\\.\)*"//g' "$f" |
		grep -n '\(^\|[^:]\)//' >/dev/null; then
		sed 's/"\([^"\\]\|\\.\)*"//g' "$f" |
			grep -n '\(^\|[^:]\)//' |
			head -3 | while read -r l; do
				printf 'checksrc: %s:%s: // comment\n' "$f" \
					"${l%%:*}"
			done
		bad=1
	fi
	case $f in
	*.h)
		g=$(grep -m1 '^#ifndef ' "$f" | awk '{print $2}')
		case $g in
		_* | "") say "$f: header guard '$g'" ;;
		GW_*_H | SIM_H) ;;
		*) say "$f: header guard '$g' (expected GW_<NAME>_H)" ;;
		esac
		;;
	esac
done

[ $bad -eq 0 ] && echo "checksrc: clean"
exit $bad
