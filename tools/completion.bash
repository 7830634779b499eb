# Bash completion for gwstress and gwsim.
#
# Installed by `make install` as share/bash-completion/completions/gwstress
# and .../gwsim (bash-completion loads the file named after the command);
# from a source tree, `. tools/completion.bash`.
#
# Nothing is listed here twice: the options come from the program's own
# `--help` (an option followed by one space and a word takes an argument,
# and that word says what: FILE or PATH completes file names, DIR
# directories), the scenario names and markers from `gwstress --list`, the
# --scale names from the *.ini files where gwstress looks for profiles.
# The program asked is the one being completed (./gwstress, an installed
# gwstress, a build/clang/gwstress), once per program per shell.
#
# It needs bash alone, not the bash-completion package: compgen and
# COMPREPLY, with compopt where bash runs it as a completion function.
# Rejected: a static option list (it goes stale; the man page has a test
# for that, a completion file would not).

# _gwstress_prog WORD: the program named by the command word, with a
# leading ~/ expanded (the word is as typed); "" when it cannot run.
_gwstress_prog()
{
	local p=$1

	# a literal "~/" as typed, not a tilde for the shell to expand here
	# shellcheck disable=SC2088
	case $p in
	"~/"*) p=$HOME/${p#"~/"} ;;
	esac
	if [[ $p == */* ]]; then
		[[ -x $p ]] || p=
	else
		p=$(type -P -- "$p" 2>/dev/null)
	fi
	printf '%s\n' "$p"
}

# _gwstress_load PROG: fills _gwstress_c_opts (every option, long and
# short), _gwstress_c_args (" -c=FILE --config=FILE ... ", the argument
# each option takes) and, for gwstress, _gwstress_c_names and
# _gwstress_c_markers from --list; cached for the last program asked.
_gwstress_load()
{
	local prog=$1 help line

	[[ $prog == "$_gwstress_c_prog" ]] && return 0
	help=$("$prog" --help 2>/dev/null) || return 1
	_gwstress_c_opts=() _gwstress_c_args=" "
	while IFS= read -r line; do
		local re='^ +(-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)( ([^ ]+))?'

		[[ $line =~ $re ]] || continue
		local short=${BASH_REMATCH[2]} long=${BASH_REMATCH[3]}
		local arg=${BASH_REMATCH[5]}

		_gwstress_c_opts+=("--$long")
		[[ -n $short ]] && _gwstress_c_opts+=("-$short")
		if [[ -n $arg ]]; then
			_gwstress_c_args+="--$long=$arg "
			[[ -n $short ]] && _gwstress_c_args+="-$short=$arg "
		fi
	done <<<"$help"
	_gwstress_c_names=() _gwstress_c_markers=()
	if [[ ${prog##*/} == gwstress* ]]; then
		local list m

		list=$("$prog" --list 2>/dev/null)
		# "name   [marker marker]" lines; descriptions are indented
		while IFS= read -r line; do
			[[ $line =~ ^([^ ]+)\ +\[([a-z_ ]*)\]$ ]] || continue
			_gwstress_c_names+=("${BASH_REMATCH[1]}")
			for m in ${BASH_REMATCH[2]}; do
				[[ " ${_gwstress_c_markers[*]} " == *" $m "* ]] ||
					_gwstress_c_markers+=("$m")
			done
		done <<<"$list"
	fi
	_gwstress_c_prog=$prog
}

# _gwstress_scales PROG: the profile names where PROG looks for them
# (conf/, <exe>/conf, <exe>/../conf, <exe>/../share/gwstress/conf), the
# workload and search examples left out; the five shipped ones if none.
_gwstress_scales()
{
	local exe dir f n seen=" "

	exe=$(readlink -f -- "$1" 2>/dev/null) && exe=${exe%/*}
	for dir in conf ${exe:+"$exe/conf" "${exe%/*}/conf" \
		"${exe%/*}/share/gwstress/conf"}; do
		for f in "$dir"/*.ini; do
			[[ -f $f ]] || continue
			n=${f##*/}
			n=${n%.ini}
			case $n in load-* | search-*) continue ;; esac
			[[ $seen == *" $n "* ]] || seen+="$n "
		done
	done
	[[ $seen == " " ]] && seen=" smoke small medium large soak "
	# shellcheck disable=SC2086 # one name a line: split, no glob in names
	printf '%s\n' $seen
}

# _gwstress_arg_of OPTION: the argument word OPTION takes ("" for none)
_gwstress_arg_of()
{
	local rest=${_gwstress_c_args#* "$1"=}

	[[ $rest == "$_gwstress_c_args" ]] && return 1
	printf '%s\n' "${rest%% *}"
}

# _gwstress_words WORDLIST CUR: COMPREPLY from the words matching CUR
_gwstress_words()
{
	local IFS=$'\n'

	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# _gwstress_value PROG OPTION ARGWORD CUR: complete OPTION's argument
_gwstress_value()
{
	local prog=$1 opt=$2 arg=$3 cur=$4

	case $opt in
	-s | --scenario)
		# the names carry [ ]: readline quotes them as it does files
		compopt -o filenames 2>/dev/null
		_gwstress_words "$(printf '%s\n' "${_gwstress_c_names[@]}")" \
			"$cur"
		return
		;;
	-m | --marker)
		_gwstress_words "$(printf '%s\n' "${_gwstress_c_markers[@]}")" \
			"$cur"
		return
		;;
	--scale)
		_gwstress_words "$(_gwstress_scales "$prog")" "$cur"
		return
		;;
	-c | --config)
		# profiles and workload files, and directories to reach them
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur"
			compgen -f -X '!*.ini' -- "$cur")
		return
		;;
	esac
	case $arg in
	*'|'*) # a choice: rate|streams, nocolon | badjson | ...
		_gwstress_words "${arg//|/$'\n'}" "$cur"
		;;
	MODE) # gwsim: its --help line lists the modes as "a | b | c"
		local modes

		modes=$("$prog" --help 2>/dev/null | grep -e "^ *$opt MODE" |
			grep -Eo '[a-z]+( \| [a-z]+)+' | tr -d '|' | tr -s ' ' '\n')
		_gwstress_words "$modes" "$cur"
		;;
	FILE | PATH | OUT*)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	DIR)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*) # a number, a URL, a name: nothing to offer
		COMPREPLY=()
		;;
	esac
}

# The completion function of both programs (complete -F).
_gwstress()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' prog mode='' i arg

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: bash splits it at '=' (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	prog=$(_gwstress_prog "${COMP_WORDS[0]}")
	[[ -n $prog ]] && _gwstress_load "$prog" || return 0
	if [[ ${prog##*/} == gwstress* ]] && ((COMP_CWORD > 1)); then
		case ${COMP_WORDS[1]} in
		load | search) mode=${COMP_WORDS[1]} ;;
		esac
	fi
	if [[ $prev == -* ]] && arg=$(_gwstress_arg_of "$prev"); then
		_gwstress_value "$prog" "$prev" "$arg" "$cur"
		return 0
	fi
	# --merge OUT IN...: report files after it
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == --merge ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
		fi
	done
	if [[ $cur == -* ]]; then
		local o opts=()

		for o in "${_gwstress_c_opts[@]}"; do
			# load and search refuse the catalogue's own options;
			# --axis is search's alone, --shard load's
			case $mode:$o in
			load:--scale | load:-s | load:--scenario | load:-m | \
				load:--marker | load:--list | load:--merge | \
				load:--duration | load:--soak-duration | \
				load:--axis) continue ;;
			search:--scale | search:-s | search:--scenario | \
				search:-m | search:--marker | search:--list | \
				search:--merge | search:--duration | \
				search:--soak-duration | search:--shard) continue ;;
			:--axis | :--shard)
				[[ ${prog##*/} == gwstress* ]] && continue
				;;
			esac
			opts+=("$o")
		done
		_gwstress_words "$(printf '%s\n' "${opts[@]}")" "$cur"
	elif ((COMP_CWORD == 1)) && [[ ${prog##*/} == gwstress* ]]; then
		_gwstress_words $'load\nsearch' "$cur"
	fi
	return 0
}

complete -F _gwstress gwstress gwsim
