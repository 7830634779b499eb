#!/bin/sh
# The man pages against the programs: every long option of `gwstress
# --help` (and of `gwsim --help`) has an entry under OPTIONS in
# doc/gwstress.1 (doc/gwsim.1), with its short letter when it has one, and
# every entry there is a real option; both pages render without a warning
# from groff, man and mandoc (each skipped, with the reason, when missing).
. "$(dirname "$0")/lib.sh"

# help_opts PROGRAM: "LETTER NAME" per option of PROGRAM --help ("-" when
# it has no short letter), from the lines "  -c, --config FILE" and
# "      --scale NAME" (continuation lines never start with "--")
help_opts() {
	"$1" --help | sed -n \
		-e 's/^  *-\([A-Za-z0-9]\), --\([a-z0-9][a-z0-9-]*\).*/\1 \2/p' \
		-e 's/^  *--\([a-z0-9][a-z0-9-]*\).*/- \1/p'
}

# man_tags PAGE: the tag line of every .TP entry under .SH OPTIONS, with
# the roff escapes a tag uses (\- and font changes) turned into text
man_tags() {
	awk '/^\.SH/ { in_opts = ($2 == "OPTIONS") }
	     in_opts && tag { print; tag = 0 }
	     in_opts && /^\.TP/ { tag = 1 }' "$1" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g'
}

# check_page PROGRAM PAGE
check_page() {
	cp_name=${2##*/}
	help_opts "$1" >"$T/$cp_name.help"
	man_tags "$2" >"$T/$cp_name.tags"
	check "$cp_name: $1 --help lists options" \
		[ "$(wc -l <"$T/$cp_name.help")" -ge 5 ]
	check "$cp_name: OPTIONS has entries" \
		[ "$(wc -l <"$T/$cp_name.tags")" -ge 5 ]
	cp_n=0
	while read -r cp_letter cp_long; do
		cp_n=$((cp_n + 1))
		if [ "$cp_letter" = - ]; then
			cp_pat="(^|[ ,])--$cp_long([ ,]|\$)"
			cp_what="--$cp_long"
		else
			cp_pat="(^|[ ,])-$cp_letter, --$cp_long([ ,]|\$)"
			cp_what="-$cp_letter, --$cp_long"
		fi
		grep -Eq -- "$cp_pat" "$T/$cp_name.tags" ||
			fail "$cp_name: no OPTIONS entry for $cp_what"
	done <"$T/$cp_name.help"
	ok "$cp_name: the $cp_n options of $1 --help checked"
	# every --word of a tag is an option: nothing stale stays documented
	for cp_w in $(grep -Eo -- '--[a-z0-9][a-z0-9-]*' "$T/$cp_name.tags"); do
		grep -q -- " ${cp_w#--}\$" "$T/$cp_name.help" ||
			fail "$cp_name: $cp_w is documented but not an option"
	done
	ok "$cp_name: every documented option exists"

	if command -v groff >/dev/null 2>&1; then
		groff -man -ww -z "$2" 2>"$T/$cp_name.groff"
		check "$cp_name: groff -man -ww: no warning" \
			[ ! -s "$T/$cp_name.groff" ]
		sed 's/^/    /' "$T/$cp_name.groff"
	else
		skip "$cp_name: groff -man -ww" "groff not installed (groff-base)"
	fi
	if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1
	then
		MANWIDTH=80 man --warnings -l "$2" >"$T/$cp_name.txt" \
			2>"$T/$cp_name.man"
		check "$cp_name: man -l renders" [ -s "$T/$cp_name.txt" ]
		check "$cp_name: man --warnings -l: no warning" \
			[ ! -s "$T/$cp_name.man" ]
	else
		skip "$cp_name: man -l" "man or groff not installed (man-db)"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T lint "$2" >"$T/$cp_name.lint" 2>&1
		check "$cp_name: mandoc -T lint: clean" [ ! -s "$T/$cp_name.lint" ]
		sed 's/^/    /' "$T/$cp_name.lint"
	else
		skip "$cp_name: mandoc -T lint" "mandoc not installed"
	fi
}

check_page "$GWSTRESS" doc/gwstress.1
check_page "$GWSIM" doc/gwsim.1
finish
