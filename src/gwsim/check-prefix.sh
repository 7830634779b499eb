#!/bin/sh
#
# check-prefix.sh: gwsim's "one module = one noun = one prefix", checked on
# the objects (style habit 26, jansson's check-exports).
#
#   sh src/gwsim/check-prefix.sh build/src/gwsim
#
# Every global symbol that sim_X.o defines must be sim_X or start with
# sim_X_ (gwsim.o: gwsim, gwsim_*), unless a row of EXCEPTIONS below allows
# it.  Offenders are printed as "file.o: symbol", one a line; the exit
# status is 1 when there are any, 0 when there are none, 2 on bad usage.
#
# Names starting with "__" are skipped: they belong to the implementation
# (sanitizer builds define some), and C code cannot use them.  So is an
# object without a source file beside this script (a left-over of a
# renamed file in an old build directory), with a note on stderr.
#
# EXCEPTIONS: one row each, "object  symbol  reason"; a line starting
# with blanks continues the reason.  The symbol is a shell pattern (case
# syntax).  sim.h says why sim_util.c has so many (section sim_util.c).

EXCEPTIONS='
gwsim.o     main            the program entry point
gwsim.o     sim_cfg         the configuration, parsed by main before any
                            thread starts; data every module reads
gwsim.o     sim_stats       the counters, defined beside sim_cfg
sim_util.o  sim_error       sim.h error convention: return sim_error(...)
sim_util.o  sim_log         -v diagnostics, called from every module
sim_util.o  sim_x*          allocators of the OOM policy: abort, never NULL
sim_util.o  sim_now_ns      clock: CLOCK_MONOTONIC in integer ns
sim_util.o  sim_epoch_ms    clock: SAM timestamps
sim_util.o  sim_time_iso    clock: Python isoformat()
sim_util.o  sim_hex_id      ids, uuid4().hex style
sim_util.o  sim_rand01      per-thread random numbers
sim_util.o  sim_chance      per-thread random numbers (fault decisions)
sim_util.o  sim_rss_kb      own RSS for /gwsim/stats
sim_util.o  sim_md5_hex     MD5 for the artifact ETag
sim_util.o  sim_buf_*       the capped buffer, used by nearly every module
sim_util.o  sim_pct_encode  urllib.parse.quote() into a sim_buf
'

usage() {
	echo "usage: $0 OBJDIR   (the directory holding gwsim's .o files)" >&2
	exit 2
}

# excepted OBJECT SYMBOL: is there a row that allows it?
excepted() {
	while read -r e_obj e_sym _; do
		[ "$e_obj" = "$1" ] || continue
		# shellcheck disable=SC2254 # the row's symbol is a pattern
		case $2 in
		$e_sym) return 0 ;;
		esac
	done <<EOF
$EXCEPTIONS
EOF
	return 1
}

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	usage
fi
command -v nm >/dev/null 2>&1 || { echo "$0: nm not found" >&2; exit 2; }

src=$(dirname "$0")
found=0
bad=0
for obj in "$1"/*.o; do
	[ -f "$obj" ] || continue
	found=1
	file=${obj##*/}
	stem=${file%.o}
	if [ ! -f "$src/$stem.c" ]; then
		echo "$0: skipping $file: no $stem.c (left over from a rename?)" >&2
		continue
	fi
	syms=$(nm -g --defined-only "$obj" | awk 'NF >= 2 { print $NF }') || {
		echo "$0: nm failed on $obj" >&2
		exit 2
	}
	set -f	# symbols are words, never file names
	for sym in $syms; do
		case $sym in
		__*) continue ;;
		"$stem" | "$stem"_*) continue ;;
		esac
		excepted "$file" "$sym" && continue
		echo "$file: $sym"
		bad=1
	done
	set +f
done
[ "$found" -eq 1 ] || { echo "$0: no .o files in $1" >&2; exit 2; }
exit "$bad"
