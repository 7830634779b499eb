#!/bin/sh
# make install into a temporary DESTDIR, then the installed gwstress run
# from another folder: --version, --list, a real smoke scenario against the
# installed gwsim with its profile from the installed share/gwstress/conf;
# the man pages and completion where they belong; make install refusing to
# rebuild with other flags; make uninstall leaving no file behind.
. "$(dirname "$0")/lib.sh"

MAKE=${MAKE:-make}
ROOT=$(pwd -P)
D=$(cd "$T" && pwd -P)/dest # physical: /proc/self/exe resolves links
P=/usr/local
W=$T/elsewhere
mkdir -p "$W"
list_tree=$("$GWSTRESS" --list)
case $GWSTRESS in
/*) tree_g=$GWSTRESS ;;
*) tree_g=$ROOT/$GWSTRESS ;;
esac

# 1. install.  MAKEFLAGS from a `make check` carries its CC and SANITIZE,
#    so this installs the programs the other tests ran.
timeout 300 "$MAKE" --no-print-directory install DESTDIR="$D" PREFIX=$P \
	>"$T/install.out" 2>&1
rc=$?
check "make install DESTDIR=... PREFIX=$P (rc=$rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { sed 's/^/    /' "$T/install.out"; finish; }
# mode FILE: its permission bits, e.g. 755
mode() { stat -c %a "$1"; }
# matches STRING ERE: STRING matches the extended regular expression
matches() { printf '%s\n' "$1" | grep -Eq -- "$2"; }
# contains STRING TEXT: TEXT is in STRING, as it is
contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
for f in gwstress gwsim; do
	check "bin/$f installed 755" [ "$(mode "$D$P/bin/$f")" = 755 ]
	check "man1/$f.1 installed 644" \
		[ "$(mode "$D$P/share/man/man1/$f.1")" = 644 ]
	check "completions/$f installed" \
		[ -f "$D$P/share/bash-completion/completions/$f" ]
done
for f in smoke small medium large soak; do
	check "conf/$f.ini installed 644" \
		[ "$(mode "$D$P/share/gwstress/conf/$f.ini")" = 644 ]
done
for f in conf/load-*.ini conf/search-*.ini; do
	check "$f installed under its name" \
		cmp -s "$f" "$D$P/share/gwstress/conf/${f#conf/}"
done

# 2. the installed programs, run from elsewhere, with no tree in sight
unset GWSIM
G=$D$P/bin/gwstress
cd "$W" || exit 1
v=$("$G" --version)
check "--version: ours, libcurl's and Jansson's ($v)" matches "$v" \
	'^gwstress [0-9.]+ \(libcurl [0-9.]+(, [^,]+)?, Jansson [0-9.]+\)$'
if command -v pkg-config >/dev/null 2>&1; then
	lc=$(pkg-config --modversion libcurl)
	jv=$(pkg-config --modversion jansson)
	check "--version: libcurl $lc, the one built with" \
		contains "$v" "(libcurl $lc, "
	check "--version: Jansson $jv, the one built with" \
		contains "$v" "Jansson $jv)"
fi
sv=$("$D$P/bin/gwsim" --version)
check "gwsim --version: libmicrohttpd's and Jansson's ($sv)" matches "$sv" \
	'^gwsim [0-9.]+ \(libmicrohttpd [0-9.]+, Jansson [0-9.]+\)$'
check "--list: the catalogue, as the tree's" [ "$("$G" --list)" = "$list_tree" ]

GWSTRESS=$G
run_gwstress -t 120 inst --scale smoke \
	-s 'test_concurrent_sse_connections[5]' --report-dir "$T/r"
prof=$D$P/share/gwstress/conf/smoke.ini
r=$(report_of "$T/r" 'test_concurrent_sse_connections[5]')
check "smoke scenario passes against the installed gwsim (rc=$RC)" \
	[ "$RC" -eq 0 ]
check "banner: the installed profile" grep -qF "profile smoke ($prof)" "$OUT"
check "banner: the bundled gateway" grep -q 'bundled reference gateway' "$OUT"
check "report: profile_file is the installed one" \
	[ "$(jget "$r" .metadata.profile_file)" = "$prof" ]
check "report: verdict passed" [ "$(jget "$r" .verdict.passed)" = true ]
run_gwstress huge --scale huge
check "--scale huge: exit 2" [ "$RC" -eq 2 ]
check "--scale huge: names the installed directory" \
	grep -qF "$D$P/share/gwstress/conf/ (known" "$ERR"
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -M "$D$P/share/man" gwstress >"$T/man.txt" 2>&1
	check "man -M <share/man> gwstress renders the page" \
		grep -q '^SYNOPSIS' "$T/man.txt"
else
	skip "man -M <share/man> gwstress" "man not installed (man-db)"
fi
if command -v bash >/dev/null 2>&1; then
	bash -c ". '$D$P/share/bash-completion/completions/gwstress' &&
		complete -p gwstress" >"$T/complete.out" 2>&1
	check "the installed completion registers gwstress" \
		grep -q '^complete -F _gwstress gwstress$' "$T/complete.out"
fi
cd "$ROOT" || exit 1

# 3. other flags than the build's: refused, nothing rebuilt or installed
# stamp FILE: its checksum and modification time
stamp() { printf '%s %s\n' "$(cksum <"$1")" "$(stat -c %Y "$1")"; }
before=$(stamp "$tree_g")
timeout 60 "$MAKE" --no-print-directory install DESTDIR="$T/d2" PREFIX=$P \
	CFLAGS='-O0 -DGW_IT_INSTALL' >"$T/d2.out" 2>&1
rc=$?
check "make install with other CFLAGS: refused (rc=$rc)" [ "$rc" -eq 2 ]
check "  says why" grep -q 'used other flags' "$T/d2.out"
check "  installs nothing" [ ! -e "$T/d2" ]
check "  rebuilds nothing" [ "$(stamp "$tree_g")" = "$before" ]

# 4. uninstall: no file left, only (shared) empty folders
timeout 60 "$MAKE" --no-print-directory uninstall DESTDIR="$D" PREFIX=$P \
	>"$T/uninstall.out" 2>&1
rc=$?
check "make uninstall (rc=$rc)" [ "$rc" -eq 0 ]
left=$(find "$D" ! -type d)
check "nothing left under DESTDIR${left:+: $left}" [ -z "$left" ]
check "share/gwstress removed" [ ! -e "$D$P/share/gwstress" ]
finish
