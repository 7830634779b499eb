# Wire helpers for tests that talk to gwsim directly with curl (sourced
# after lib.sh, POSIX sh; the model is git's t/lib-httpd.sh).  They use
# $SIM_URL from start_sim and keep the last response in files under $T:
# body $T/b, headers $T/h, SSE stream $T/s and its headers $T/sh.

CR=$(printf '\r')

# req METHOD PATH [curl args]: body -> $T/b, headers -> $T/h, prints status
req() {
	m=$1; p=$2; shift 2
	curl -s --max-time 20 -o "$T/b" -D "$T/h" -w '%{http_code}' -X "$m" \
		"$SIM_URL$p" "$@"
}

# msg_body TEXT [AGENT] [CONTEXT] [METHOD]: JSON-RPC SendStreamingMessage
msg_body() {
	jq -nc --arg t "$1" --arg a "${2-TestAgent}" --arg c "${3-}" \
		--arg m "${4:-message/stream}" '
		{jsonrpc:"2.0", id:"req-1", method:$m, params:{message:{
		 role:"user", messageId:"msg-1", kind:"message",
		 parts:[{kind:"text", text:$t}],
		 metadata:{agent_name:$a}}}}
		| if $c != "" then .params.message.contextId = $c else . end'
}

# submit TEXT [AGENT] [CONTEXT]: POST message:stream, sets TASK and CTX
submit() {
	msg_body "$@" >"$T/req.json"
	st=$(req POST /api/v1/message:stream -H 'Content-Type: application/json' \
		--data-binary @"$T/req.json")
	TASK=$(jq -r '.result.id' "$T/b" 2>/dev/null)
	CTX=$(jq -r '.result.contextId' "$T/b" 2>/dev/null)
	[ "$st" = 200 ]
}

# sse TASK SECONDS [curl args]: stream -> $T/s, headers -> $T/sh, rc -> RC
sse() {
	t=$1; s=$2; shift 2
	curl -s -N --max-time "$s" -D "$T/sh" -o "$T/s" "$@" \
		"$SIM_URL/api/v1/sse/subscribe/$t"
	RC=$?
}

hdr() { grep -i "^$1:" "$T/h" | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
jb() { jq -r "$1" "$T/b"; }
jbc() { jq -c "$1" "$T/b"; }
events_in() { grep -c '^event: ' "$1"; }

# wait_stat KEY VALUE: poll sim_stat KEY until it is VALUE, 50 times 0.1 s
# apart (5 s when each read succeeds at once)
wait_stat() {
	i=0
	while [ $i -lt 50 ]; do
		[ "$(sim_stat "$1")" = "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# cfg_add FILE LINES: append one transfer to a curl config ("next" between)
cfg_add() {
	[ -s "$1" ] && echo next >>"$1"
	printf '%s\n' "$2" >>"$1"
}

# sleep_ms MS: sleep MS milliseconds (none when MS <= 0)
sleep_ms() {
	sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", (m < 0 ? 0 : m) / 1000 }')"
}

# now_ns: the wall clock in ns (for differences; both ends read it)
now_ns() { date +%s%N; }

# sse_stamped TASK SECONDS FILE: the task's SSE stream like sse, but each
# line prefixed with now_ns as it was read ("<ns> <line>"), into FILE
sse_stamped() {
	curl -s -N --max-time "$2" "$SIM_URL/api/v1/sse/subscribe/$1" |
		while IFS= read -r ss_l; do
			printf '%s %s\n' "$(now_ns)" "$ss_l"
		done >"$3"
}

# first_event_ns FILE: when sse_stamped read the first "event:" line
first_event_ns() { awk '$2 == "event:" { print $1; exit }' "$1"; }

# sim_start_ns: gwsim's start (its uptime 0) on the now_ns clock, from
# /gwsim/stats' uptime_ms read between two now_ns at most 50 ms apart (up
# to 10 tries, so a slow moment of a loaded machine does not skew it):
# the midpoint is off by 25 ms at most.  Prints nothing if no try was.
sim_start_ns() {
	sn_i=0
	while [ $sn_i -lt 10 ]; do
		sn_0=$(now_ns)
		sn_s=$(curl -s --max-time 5 "$SIM_URL/gwsim/stats")
		sn_1=$(now_ns)
		sn_up=$(printf '%s\n' "$sn_s" | jq -r .uptime_ms 2>/dev/null)
		if [ $((sn_1 - sn_0)) -lt 50000000 ] &&
			[ "$sn_up" -ge 0 ] 2>/dev/null; then
			echo $(( (sn_0 + sn_1) / 2 - sn_up * 1000000 ))
			return 0
		fi
		sn_i=$((sn_i + 1))
	done
	return 1
}
