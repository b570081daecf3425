#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-incr.sh - fwauditd skips the nftables changes that
# cannot alter the answer (auditd/daemon/nftev.c), and its result stays
# exactly that of a fresh one-shot audit (issue 13):
#   1. random bursts of changes (daemon-incr.py: rules in reached and
#      unreached chains, jumps, gotos and verdict maps linking chains and
#      unlinking them, sets used and unused, their elements, chains,
#      tables and base chains made and deleted, counters, PREROUTING
#      rules (nat redirects, raw drops) alone or in one transaction with a
#      LOCAL_IN rule); after every
#      burst the daemon's result (FWAUDITD_RESULT_FILE, the JSON of `fwaudit
#      audit`) equals `fwaudit audit`'s, time and duration aside;
#   2. the daemon skipped changes (its exit line counts them) and ran
#      fewer audits than there were bursts;
#   3. the Prometheus textfile carries the daemon's heartbeat; the daemon's
#      cross-checks (crosscheck_interval_s = 1) found no difference;
#   4. walks started at LOCAL_IN or FORWARD from the last result
#      (changes of input or forward chains only) gave those equal results,
#      with a kube-proxy-like service of two random endpoints on the
#      forward path;
#   5. the same with lost events forced: the smallest receive buffer
#      (netlink_rcvbuf = 65536) and batches of BIG rules in one commit; the
#      daemon must say that events were lost, and still agree.
# SEED picks the sequences (random by hand, fixed under CI); every failure
# prints the seed and the burst.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools setpriv
fwa_tmpdir T
dmn_journald
if [ -z "${SEED:-}" ]; then
	if [ -n "${CI:-}" ]; then SEED=1313; else SEED=$RANDOM$RANDOM; fi
fi
BURSTS=${BURSTS:-40}
BIG=${BIG:-3000}
fwa_log "SEED=$SEED BURSTS=$BURSTS BIG=$BIG"

dmn_host host
fwa_nsx "$NS" sysctl -qw net.ipv4.ip_forward=1
fwa_nsx "$NS" nft list ruleset >"$T/base.nft"
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
allow tcp 20000-20039 from any "low bench ports"
alert critical tcp 20040-20120 from any "high ports"
default alert warning
EOF
dmn_notify_listen "$T/notify"
FWAUDIT_BIN=${FWAUDIT:-${top_builddir:-$top_srcdir}/fwaudit}

# run PHASE RCVBUF BIG SEED MAXAUDITS: one daemon, one driver run; at most
# MAXAUDITS audits (lost events cost audits: not bounded then); sets $D_ERR
run() {
	local phase=$1 rcvbuf=$2 big=$3 seed=$4 max=$5 d line audits skipped hb

	# each phase from the same ruleset (names restart with the driver)
	fwa_nsx "$NS" nft flush ruleset
	fwa_nsx "$NS" nft -f "$T/base.nft"
	# a kube-proxy service of two endpoints chosen at random (statistic
	# is undecided: its forwarded pieces carry assumptions), on the
	# forward path, which a walk started at LOCAL_IN takes as it was
	fwa_nsx "$NS" iptables-nft-restore <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 30080 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 198.51.100.50:8080
-A PREROUTING -p tcp --dport 30080 -j DNAT --to-destination 198.51.100.51:8080
COMMIT
EOF
	# a forward chain beside the driver's input chain: the table is read
	# again at each change of input rules, and the walks started at
	# LOCAL_IN find this chain unchanged by its contents (its rules by
	# index: the service's forwarded pieces name them)
	fwa_nsx "$NS" nft -f - <<'EOF'
table inet f {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state established,related accept
		tcp dport 8080 counter accept
	}
}
EOF
	legacy_reset
	cat >"$T/$phase.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
netlink_rcvbuf = $rcvbuf
prometheus_textfile = $T/$phase.prom
poll_interval_ms = 500
crosscheck_interval_s = 1
user = root
EOF
	: >"$T/notify"
	rm -f "$T/$phase.json"
	dmn_start d "$NS" "$T/$phase.conf" FWAUDITD_RESULT_FILE="$T/$phase.json"
	dmn_wait_notify "$T/notify" '^READY=1' 30 ||
		fwa_die "$phase: no READY=1: $(cat "$T/daemon.err")"
	: >"$T/daemon.err"
	# the fresh audit runs with the capabilities fwauditd keeps
	# (daemon_privs.c): what can be read depends on them (iterating BPF
	# links takes CAP_SYS_ADMIN, and both then say so in a note)
	if fwa_nsx "$NS" env DRIVER_MODE="${DRIVER_MODE:-nft}" \
		"$PYTHON" "$top_srcdir/tests/netns/daemon-incr.py" "$seed" "$BURSTS" \
		"$T/$phase.json" "$big" \
		setpriv --bounding-set=-all,+net_admin,+net_raw,+dac_read_search \
		"$FWAUDIT_BIN" audit --rules "$T/rules" \
		--interface eth0 --format json >"$T/$phase.out" 2>&1; then
		fwa_pass "$phase: after each of $BURSTS bursts the daemon's result equals a fresh audit ($(cat "$T/$phase.out"))"
	else
		fwa_fail "$phase: $(cat "$T/$phase.out")"
	fi
	# a quiet moment: at least one cross-check (each poll, 500 ms, once a
	# second) sees the last state
	sleep 3
	# the heartbeat of the textfile: written with the last audit
	hb=$(sed -n 's/^fwaudit_daemon_heartbeat_timestamp_seconds //p' "$T/$phase.prom")
	if [ -n "$hb" ] && [ "$(echo "$(date +%s) - $hb < 120" | bc)" = 1 ]; then
		fwa_pass "$phase: the textfile carries a recent heartbeat ($hb)"
	else
		fwa_fail "$phase: no recent fwaudit_daemon_heartbeat_timestamp_seconds: '$hb'"
	fi
	# no webhook, no Docker: libcurl and its TLS stacks never loaded
	# (auditd/daemon/curl_dl.c; they were most of the idle daemon's Rss)
	if [ ! -r "/proc/$d/maps" ]; then
		fwa_fail "$phase: no /proc/$d/maps"
	elif grep -Eq 'libcurl|libssl|libgnutls' "/proc/$d/maps"; then
		fwa_fail "$phase: the daemon without a webhook mapped $(grep -Eo 'lib(curl|ssl|gnutls)[^ ]*' "/proc/$d/maps" | sort -u | tr '\n' ' ')"
	else
		fwa_pass "$phase: no libcurl, libssl or libgnutls mapped without a webhook"
	fi
	fwa_stop "$d"
	D_ERR=$(cat "$T/daemon.err")
	if grep -Eq 'Sanitizer|runtime error' <<<"$D_ERR"; then
		fwa_fail "$phase: sanitizer report: $(grep -E -m3 'Sanitizer|runtime error|#[0-3] ' <<<"$D_ERR")"
	fi
	grep "nftables reads" <<<"$D_ERR" | sed "s/^/$phase: /" || true
	line=$(grep 'exiting after' <<<"$D_ERR" || true)
	audits=$(sed -n 's/.*exiting after \([0-9]*\) audit.*/\1/p' <<<"$line")
	skipped=$(sed -n 's/.*; \([0-9]*\) nftables change.*/\1/p' <<<"$line")
	fwa_log "$phase: $line"
	dmn_counts "$D_ERR"
	if [ -n "$DMN_CHECKS" ] && [ "$DMN_CHECKS" -gt 0 ] && [ "$DMN_DIFFS" = 0 ]; then
		fwa_pass "$phase: $DMN_CHECKS cross-checks of the incremental state against full reads, no difference"
	else
		fwa_fail "$phase: cross-checks: '$DMN_LINE'"
	fi
	# most changes are at the input hook (the driver's inet f input):
	# those audits start their walks there (auditd/engine/resume.c),
	# and the results above were compared with whole walks' all along
	if [ "$phase" != plain ]; then
		fwa_log "$phase: ${DMN_RESUMED:-?} walk(s) started at LOCAL_IN or FORWARD (${DMN_RESUMED_FWD:-?} at FORWARD)"
	elif [ -n "$DMN_RESUMED" ] && [ "$((DMN_RESUMED - DMN_RESUMED_FWD))" -gt 0 ] &&
		[ "$DMN_RESUMED_FWD" -gt 0 ]; then
		fwa_pass "$phase: $DMN_RESUMED walks started at LOCAL_IN or FORWARD ($DMN_RESUMED_FWD at FORWARD) from the last result, every result equal to a fresh audit"
	else
		fwa_fail "$phase: no walk started at LOCAL_IN, or none at FORWARD: '$DMN_LINE'"
	fi
	line=$(grep 'exiting after' <<<"$D_ERR" || true)
	if [ "${DRIVER_MODE:-nft}" = nft ]; then
		if [ -n "$skipped" ] && [ "$skipped" -gt 0 ] && [ "$audits" -le "$max" ]; then
			fwa_pass "$phase: $skipped nftables messages cost no audit; $audits audits for $BURSTS bursts"
		else
			fwa_fail "$phase: nothing was skipped, or an audit per burst: '$line'"
		fi
	fi
}

# legacy_reset: no legacy x_tables rule or chain left (the tables stay)
legacy_reset() {
	local tool t

	for tool in iptables-legacy ip6tables-legacy; do
		command -v "$tool" >/dev/null || continue
		for t in filter nat mangle; do
			fwa_nsx "$NS" "$tool" -t "$t" -F 2>/dev/null || true
			fwa_nsx "$NS" "$tool" -t "$t" -X 2>/dev/null || true
		done
		fwa_nsx "$NS" "$tool" -P INPUT ACCEPT 2>/dev/null || true
	done
}

run plain 4194304 0 "$SEED" "$((BURSTS - 1))"
run lost 65536 "$BIG" "$((SEED + 1))" 100000
if grep -q 'Kernel events were lost' <<<"$D_ERR"; then
	fwa_pass "lost: events were lost (receive buffer overrun) and the result still agreed"
else
	fwa_fail "lost: no event was lost with a 64 KiB buffer and $BIG-rule commits: the case is untested"
fi
# legacy x_tables have no events: the poll (500 ms) finds a changed blob,
# and only the tables whose blob changed are read again
if command -v iptables-legacy >/dev/null && command -v ip6tables-legacy >/dev/null; then
	DRIVER_MODE=legacy run legacy 4194304 0 "$((SEED + 2))" 100000
	n=$(sed -n 's/.*legacy tables read: \([0-9]*\);.*/\1/p' <<<"$D_ERR")
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then
		fwa_pass "legacy: $n legacy table reads for $BURSTS bursts (only changed blobs)"
	else
		fwa_fail "legacy: no legacy table was read: '$n'"
	fi
	legacy_reset
else
	fwa_fail "iptables-legacy / ip6tables-legacy missing: the legacy case is untested"
fi
fwa_finish
