# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-lib.sh - helpers shared by the fwauditd tests
# (daemon-*.sh); source it after lib.sh.  Not a test by itself.
#
#   dmn_require            skip unless root, namespaces, fwauditd, python3
#   dmn_journald           make sure a journald listens (start a private one
#                          when /run/systemd/journal/socket is absent)
#   dmn_notify_listen F    a datagram socket at F.sock; every sd_notify
#                          message is appended to F as one line ('|' between
#                          its assignments)
#   dmn_start VAR NS CONF [ENV...]  fwauditd --config CONF inside NS with
#                          NOTIFY_SOCKET set (stdout/stderr to $T/daemon.out
#                          and $T/daemon.err, appended); PID into VAR
#   dmn_wait_notify F PATTERN SECONDS   wait for a notify line matching
#                          the extended regex
#   dmn_events PID [FIELD=VALUE...]     the daemon's journal entries as JSON
#                          lines (journalctl -o json _PID=PID ...)
#   dmn_wait_events N SECONDS PID [FIELD=VALUE...]  wait for at least N such
#                          entries; prints how many there were
#   dmn_host LABEL [RULE...]  namespaces $NS (LABEL, 198.51.100.1/24 on
#                          eth0) and $PEER (198.51.100.2/24 on eth0); in $NS
#                          an inet f input chain, policy drop, that lets
#                          the RULEs (nft, one each), lo, ICMPv6 (neighbour
#                          discovery) and tcp/22 in
#   dmn_counts TEXT        from fwauditd's exit lines in TEXT (its stderr):
#                          DMN_CHECKS and DMN_DIFFS (cross-checks against
#                          full reads, differences found), DMN_RESUMED
#                          (walks started at LOCAL_IN or FORWARD),
#                          DMN_RESUMED_FWD (of them at FORWARD), DMN_LINE (that
#                          line); empty when it is missing
#   dmn_free_port          a free TCP port on 127.0.0.1 in $NS
#   dmn_alertmanager       prometheus-alertmanager on 127.0.0.1 in $NS, its
#                          configuration and storage in $T (skip when it is
#                          missing or does not start); its port in $AM_PORT,
#                          its PID in $AMPID
#   dmn_am_api [ARG...]    python3 code from stdin, run in $NS with
#                          $AM_PORT and ARGs as its arguments
: "${FWAUDITD:=${top_builddir:-$top_srcdir}/fwauditd}"
DMN_JOURNAL_SOCK=/run/systemd/journal/socket
DMN_JOURNALD=/lib/systemd/systemd-journald

dmn_host() {
	local label=$1 r extra=""

	shift
	for r in "$@"; do
		extra+=$'\t\t'"$r"$'\n'
	done
	fwa_ns_new NS "$label"
	fwa_ns_new PEER peer
	fwa_veth "$NS" eth0 198.51.100.1/24 "$PEER" eth0 198.51.100.2/24
	fwa_nsx "$NS" nft -f - <<EOF
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
${extra}		iif lo accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 accept
	}
}
EOF
}

dmn_counts() {
	DMN_LINE=$(grep 'cross-check(s)' <<<"$1" || true)
	DMN_CHECKS=$(sed -n 's/.*; \([0-9]*\) cross-check(s), .*/\1/p' <<<"$DMN_LINE")
	DMN_DIFFS=$(sed -n 's/.* cross-check(s), \([0-9]*\) difference.*/\1/p' <<<"$DMN_LINE")
	DMN_RESUMED_FWD=$(sed -n 's/.* started at LOCAL_IN, \([0-9]*\) at FORWARD.*/\1/p' <<<"$DMN_LINE")
	DMN_RESUMED=$(sed -n 's/.*; \([0-9]*\) walk(s) started at LOCAL_IN, .*/\1/p' <<<"$DMN_LINE")
	[ -z "$DMN_RESUMED" ] || DMN_RESUMED=$((DMN_RESUMED + DMN_RESUMED_FWD))
}

dmn_free_port() {
	fwa_nsx "$NS" "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dmn_require() {
	fwa_require_root
	command -v "$PYTHON" >/dev/null 2>&1 || fwa_skip "python3 is missing"
	fwa_require_tools nft journalctl
	[ -x "$FWAUDITD" ] || fwa_skip "fwauditd not built ($FWAUDITD)"
}

dmn_journald() {
	local created=() p hook i jpid

	[ -S "$DMN_JOURNAL_SOCK" ] && return 0
	[ -x "$DMN_JOURNALD" ] || fwa_skip "no journald running and $DMN_JOURNALD missing"
	for p in /run/systemd/journal /run/log/journal; do
		[ -e "$p" ] || created+=("$p")
	done
	fwa_bg jpid "$DMN_JOURNALD" >"$T/journald.log" 2>&1
	hook="kill -TERM $jpid; sleep 0.3; kill -KILL $jpid"
	for p in "${created[@]}"; do
		hook="$hook; rm -rf -- '$p'"
	done
	fwa_at_cleanup "$hook"
	for ((i = 0; i < 50; i++)); do
		[ -S "$DMN_JOURNAL_SOCK" ] && break
		kill -0 "$jpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$DMN_JOURNAL_SOCK" ] || fwa_skip "systemd-journald could not start"
	fwa_log "started systemd-journald (pid $jpid)"
}

dmn_notify_listen() {
	local f=$1 pid i

	fwa_bg pid "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1] + ".sock")
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        m = s.recv(65536).decode(errors="replace")
        f.write(m.strip().replace("\n", "|") + "\n")
' "$f"
	for ((i = 0; i < 50; i++)); do
		[ -S "$f.sock" ] && return 0
		sleep 0.05
	done
	fwa_die "the notify listener did not start"
}

dmn_start() {
	local _v=$1 ns=$2 conf=$3 _pid

	shift 3
	fwa_bg _pid ip netns exec "$ns" env NOTIFY_SOCKET="$T/notify.sock" "$@" \
		"$FWAUDITD" --config "$conf" >>"$T/daemon.out" 2>>"$T/daemon.err"
	printf -v "$_v" '%s' "$_pid"
}

dmn_wait_notify() {
	local f=$1 pat=$2 n max=$(($3 * 20))

	for ((n = 0; n < max; n++)); do
		grep -Eq -- "$pat" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

dmn_events() {
	local pid=$1

	shift
	journalctl -o json --no-pager "_PID=$pid" "$@" 2>/dev/null || true
}

dmn_wait_events() {
	local want=$1 max=$(($2 * 10)) n c=0

	shift 2
	for ((n = 0; n < max; n++)); do
		c=$(dmn_events "$@" | grep -c . || true)
		[ "$c" -ge "$want" ] && break
		sleep 0.1
	done
	echo "$c"
}

dmn_am_api() { fwa_nsx "$NS" "$PYTHON" - "$AM_PORT" "$@"; }

dmn_alertmanager() {
	local am ready=0 i

	am=$(command -v prometheus-alertmanager || command -v alertmanager || true)
	[ -n "$am" ] || fwa_skip "prometheus-alertmanager is not installed"
	AM_PORT=$(dmn_free_port)
	cat >"$T/am.yml" <<'EOF'
route:
  receiver: "null"
  group_wait: 1s
receivers:
  - name: "null"
EOF
	mkdir "$T/am-data"
	fwa_bg AMPID ip netns exec "$NS" "$am" --config.file="$T/am.yml" \
		--storage.path="$T/am-data" --web.listen-address="127.0.0.1:$AM_PORT" \
		--cluster.listen-address= >"$T/am.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		if dmn_am_api <<'PYEOF' >/dev/null 2>&1; then ready=1; break; fi
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/-/ready" % sys.argv[1], timeout=1).read()
PYEOF
		sleep 0.1
	done
	[ "$ready" = 1 ] || fwa_skip "alertmanager did not start: $(tail -3 "$T/am.log")"
}
