#!/bin/sh
# The bash completion (tools/completion.bash) driven as bash drives it:
# COMP_WORDS and COMP_CWORD set, the function called, COMPREPLY read.
# Options come from --help, scenario names and markers from --list.
. "$(dirname "$0")/lib.sh"

if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "bash not installed"
	finish
fi

cat >"$T/comp.bash" <<'EOS'
# comp.bash WORD...: complete the last WORD of the command line WORD...
. tools/completion.bash
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_gwstress
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
EOS

# comp WORD...: the completions, sorted, on one line
comp() { bash "$T/comp.bash" "$@" 2>"$T/comp.err" | tr '\n' ' ' | sed 's/ $//'; }
# has LIST WORD...: every WORD is one of the words of LIST
has() {
	hs_list=" $1 "
	shift
	for hs_w; do
		case $hs_list in *" $hs_w "*) ;; *) return 1 ;; esac
	done
}
# lacks LIST WORD...: no WORD is one of the words of LIST
lacks() {
	hs_list=" $1 "
	shift
	for hs_w; do
		case $hs_list in *" $hs_w "*) return 1 ;; esac
	done
}

check "registered for gwstress and gwsim" [ "$(bash -c \
	'. tools/completion.bash && complete -p gwstress gwsim')" = \
	"$(printf 'complete -F _gwstress gwstress\ncomplete -F _gwstress gwsim')" ]

S=$GWSTRESS
check "--sc: --scale and --scenario" [ "$(comp "$S" --sc)" = "--scale --scenario" ]
check "no error on stderr" [ ! -s "$T/comp.err" ]
all=$(comp "$S" -)
nopts=$("$S" --help | grep -Ec '^ +(-[A-Za-z0-9], )?--[a-z]')
nlong=$(echo "$all" | tr ' ' '\n' | grep -c '^--')
# every long option but --axis (search's alone) and --shard (load's), and
# the short ones
check "-: the $((nopts - 2)) long options of the catalogue ($nlong)" \
	[ "$nlong" -eq $((nopts - 2)) ]
check "-: -c, -s, -m, -V offered" has "$all" -c -s -m -V
check "-: --axis, --shard not offered without their subcommand" \
	lacks "$all" --axis --shard
check "first word: the subcommands" [ "$(comp "$S" '')" = "load search" ]
check "first word: lo -> load" [ "$(comp "$S" lo)" = load ]

names=$("$S" --list | awk '/^[^ ]/ { print $1 }' | LC_ALL=C sort | tr '\n' ' ' |
	sed 's/ $//')
check "-s: every scenario of --list ($(echo "$names" | wc -w))" \
	[ "$(comp "$S" -s '')" = "$names" ]
check "--scenario test_concurrent_sse: its three sizes" \
	[ "$(comp "$S" --scenario test_concurrent_sse)" = \
	"test_concurrent_sse_connections[10] test_concurrent_sse_connections[25] test_concurrent_sse_connections[5]" ]
check "-m: the markers of --list" [ "$(comp "$S" -v -m '')" = \
	"artifacts isolation long_soak scalability stress" ]
check "--marker l: long_soak" [ "$(comp "$S" --marker l)" = long_soak ]
check "--scale: the five profiles, no workload file" \
	[ "$(comp "$S" --scale '')" = "large medium small smoke soak" ]
check "--scale=smo (split at =): smoke" [ "$(comp "$S" --scale = smo)" = smoke ]
check "-c conf/smo: the file" [ "$(comp "$S" -c conf/smo)" = conf/smoke.ini ]
check "-c conf/load-: the workload files" \
	[ "$(comp "$S" load -c conf/load-)" = "$(echo conf/load-*.ini)" ]
check "-c tes: the directory" [ "$(comp "$S" -c tes)" = test ]
check "--report-dir te: directories only" [ "$(comp "$S" --report-dir te)" = test ]
check "--merge OUT conf/sma: files after it" [ "$(comp "$S" --merge out.json conf/sma)" = conf/small.ini ]
check "--url: nothing to offer" [ "$(comp "$S" --url '')" = "" ]
load=$(comp "$S" load -)
check "load -: -c, --url and --shard offered" has "$load" -c --url --shard
check "load -: the catalogue's options refused" lacks "$load" --scale -s \
	--scenario -m --list --merge --duration --soak-duration --axis
check "search --a: --axis and --agent" [ "$(comp "$S" search --a)" = "--agent --axis" ]
check "search --sh: not --shard" [ "$(comp "$S" search --sh)" = "" ]
check "search --axis: rate and streams" [ "$(comp "$S" search --axis '')" = "rate streams" ]
check "load: no subcommand after the first word" [ "$(comp "$S" load '')" = "" ]

G=$GWSIM
check "gwsim --mal: --malformed" [ "$(comp "$G" --mal)" = --malformed ]
check "gwsim --malformed: its modes" [ "$(comp "$G" --malformed '')" = \
	"badjson barecr bom longline nocolon" ]
check "gwsim --garbage: its modes" [ "$(comp "$G" --garbage '')" = "ctype nonjson" ]
check "gwsim --port: nothing" [ "$(comp "$G" --port '')" = "" ]
check "gwsim --tls-cert conf/smo: a FILE, files" \
	[ "$(comp "$G" --tls-cert conf/smo)" = conf/smoke.ini ]
check "gwsim first word: no subcommands" [ "$(comp "$G" '')" = "" ]
g=$(comp "$G" -)
check "gwsim -: its options" has "$g" --listen --reset-rate -h -v
check "gwsim -: none of gwstress's" lacks "$g" --scale --axis -c
finish
