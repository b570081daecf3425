#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-burst.sh - 1,000 nftables commits in a row, each its
# own `nft add rule` (a drop rule that exposes nothing), with two real
# changes in the middle (tcp/8080 allowed, tcp/6379 forbidden), and a
# small netlink receive buffer so that events may be lost (ENOBUFS):
#   - the daemon stays up;
#   - it reports exactly the real changes: two exposure_opened (tcp/8080,
#     IPv4 and IPv6) and two violation_opened (tcp/6379), nothing else;
#   - it ends with the right state (STATUS=, Prometheus textfile);
#   - it audited far fewer times than there were commits (debounce).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
dmn_journald
N=${BURST_N:-1000}	# commits; BURST_WAIT: seconds to wait for the result

dmn_host host
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
allow tcp 8080 from any
alert critical tcp 6379 from any "redis"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 500
max_delay_ms = 1000
netlink_rcvbuf = 65536
prometheus_textfile = $T/fwaudit.prom
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start D "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 || fwa_die "no READY=1: $(cat "$T/daemon.err")"
dmn_wait_events 2 5 "$D" FWAUDIT_EVENT=state_at_start >/dev/null

start=$(date +%s.%N)
# a fixed number of commits (no loop depends on the daemon), from one
# shell inside the namespace so that the commits come quickly; on a busy
# machine one commit takes 50-100 ms, so the debounce is 500 ms here: the
# audits are bounded by max_delay_ms then, whatever the machine's speed
fwa_nsx "$NS" bash -c '
N=$1
for ((i = 0; i < N; i++)); do
	case $i in
	$((N * 3 / 10))) nft add rule inet f input tcp dport 8080 accept ;;
	$((N * 7 / 10))) nft add rule inet f input tcp dport 6379 accept ;;
	*) nft add rule inet f input ip saddr 203.0.113.$((i % 250 + 1)) tcp dport $((20000 + i)) drop ;;
	esac
done' burst "$N"
end=$(date +%s.%N)
fwa_log "$N commits in $(echo "$end - $start" | bc) s"
# an audit of 1,000 rules takes seconds (tens under sanitizers): wait for
# the real changes, then a little for anything spurious
dmn_wait_events 4 "${BURST_WAIT:-180}" "$D" FWAUDIT_EVENT=violation_opened + \
	_PID="$D" FWAUDIT_EVENT=exposure_opened >/dev/null
sleep 2	# anything late would show now

kill -0 "$D" 2>/dev/null && fwa_pass "the daemon survived $N commits" ||
	fwa_die "the daemon died: $(tail -5 "$T/daemon.err")"
dmn_events "$D" >"$T/events.json"
if out=$("$PYTHON" - "$T/events.json" <<'PYEOF'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ch = [(e["FWAUDIT_EVENT"], e.get("FWAUDIT_PORTS"), e.get("FWAUDIT_FAMILY"))
      for e in es if e["FWAUDIT_EVENT"] != "state_at_start"]
want = sorted([("exposure_opened", "8080", "ipv4"), ("exposure_opened", "8080", "ipv6"),
               ("violation_opened", "6379", "ipv4"), ("violation_opened", "6379", "ipv6")])
print(ch)
sys.exit(0 if sorted(ch) == want else 1)
PYEOF
); then
	fwa_pass "one event per real change, nothing for the $((N - 2)) others"
else
	fwa_fail "events after the burst: $out"
fi
tot=$(grep '^fwaudit_exposures{' "$T/fwaudit.prom" | awk '{s += $2} END {print s}')
crit=$(sed -n 's/^fwaudit_violations{severity="critical"} //p' "$T/fwaudit.prom")
[ "$tot" = 6 ] && [ "$crit" = 2 ] &&
	fwa_pass "final state: 6 exposures, 2 critical violations" ||
	fwa_fail "final state: $tot exposures, $crit critical violations"
tail -1 "$T/notify" | grep -q 'STATUS=6 exposure(s), 2 violation(s)' &&
	fwa_pass "final STATUS= agrees" || fwa_fail "final STATUS=: $(tail -1 "$T/notify")"
kill -TERM "$D"
rc=0
wait "$D" || rc=$?
[ "$rc" -eq 0 ] || fwa_fail "exit status $rc"
audits=$(sed -n 's/.*exiting after \([0-9]*\) audit.*/\1/p' "$T/daemon.err")
lost=$(grep -c "events were lost" "$T/daemon.err" || true)
[ -n "$audits" ] && [ "$audits" -lt $((N / 4)) ] &&
	fwa_pass "debounced: $audits audits for $N commits ($lost overrun(s) of the receive buffer)" ||
	fwa_fail "audits: '$audits' for $N commits"
fwa_finish
