#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon-ipset.sh - an ipset change sends no nftables event: fwauditd's poll
# fingerprint holds the sets' contents (watch.c fp_ipset(), ipset.c).  A
# blocklist rule (iptables-nft, "-m set --match-set blk src -j DROP") is
# loaded while the set is empty; filling the set closes tcp/22 for IPv4
# (exposure_closed, definite), flushing it opens it again, each within the
# poll interval, with no rule changed; an element's timeout counting down
# sends nothing.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools ipset iptables-nft socat
fwa_tmpdir T
dmn_journald
POLL_MS=1000
BOUND=${DAEMON_EVENT_BOUND:-6}

dmn_host host 'ct state established,related accept'
fwa_nsx "$NS" ipset create blk hash:net timeout 3600 ||
	fwa_skip "ipset does not work in a test namespace here"
fwa_nsx "$NS" iptables-nft -A INPUT -p tcp --dport 22 -m set --match-set blk src -j DROP
fwa_bg LPID ip netns exec "$NS" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:true

cat >"$T/rules" <<'EOF2'
allow tcp 22 from any "SSH"
default alert warning
EOF2
cat >"$T/fwauditd.conf" <<EOF2
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = $POLL_MS
user = root
EOF2

dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22)
dmn_events "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22 > "$T/start.json"
if [ "$n" -ge 1 ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/start.json" &&
   ! grep -q '"FWAUDIT_CERTAINTY":"possible"' "$T/start.json"; then
	fwa_pass "at start: tcp/22 exposed, definite (the empty set decides)"
else
	fwa_die "at start: $(cat "$T/start.json")"
fi

t0=$(date +%s.%N)
# both halves in one restore: one poll sees them together
fwa_nsx "$NS" ipset restore <<EOF2
add blk 0.0.0.0/1 timeout 3600
add blk 128.0.0.0/1 timeout 3600
EOF2
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22)
t1=$(date +%s.%N)
dmn_events "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22 > "$T/closed.json"
if [ "$n" -eq 1 ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/closed.json" &&
   ! grep -q '"FWAUDIT_CERTAINTY":"possible"' "$T/closed.json"; then
	fwa_pass "every IPv4 source in the set: exposure_closed for tcp/22 ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s, poll ${POLL_MS} ms)"
else
	fwa_fail "set filled: $n exposure_closed entries for tcp/22 in $BOUND s, expected 1: $(dmn_events "$DPID" | tail -3)"
fi

# the timeouts count down in every dump: no audit for that
sleep 3
fwa_nsx "$NS" ipset flush blk
t0=$(date +%s.%N)
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_opened FWAUDIT_PORTS=22)
t1=$(date +%s.%N)
if [ "$n" -eq 1 ]; then
	fwa_pass "set flushed: exposure_opened for tcp/22 ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s)"
else
	fwa_fail "set flushed: $n exposure_opened entries in $BOUND s, expected 1: $(dmn_events "$DPID" | tail -3)"
fi

kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
audits=$(sed -n 's/.*exiting after \([0-9]*\) audit(s).*/\1/p' "$T/daemon.err" | tail -1)
# first, filled, flushed (and at most one more: the first poll after
# start, as daemon-ebtleg.sh allows); a fingerprint that followed the
# timeouts would audit on every poll (8 and more here)
if [ -n "$audits" ] && [ "$audits" -ge 3 ] && [ "$audits" -le 4 ]; then
	fwa_pass "the daemon audited $audits times (first, filled, flushed): none for the timeouts counting down"
else
	fwa_fail "audits: '${audits:-?}', expected 3 or 4: $(tail -12 "$T/daemon.err")"
fi
fwa_nsx "$NS" iptables-nft -F INPUT
for _ in $(seq 1 50); do
	fwa_nsx "$NS" ipset destroy blk 2>/dev/null && break
	sleep 0.2
done
fwa_finish
