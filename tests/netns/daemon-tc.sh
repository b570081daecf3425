#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-tc.sh - fwauditd hears tc changes (RTNLGRP_TC): a BPF
# filter added to eth0's ingress (a clsact qdisc, `tc filter add ... bpf
# da`, the program built here with clang -target bpf, as engine-xdp.sh
# does) makes the daemon audit again and journal that what arrives on
# eth0 is now possible, over IPv4 and IPv6 (a tc filter sees both);
# removing it makes it definite again.  The poll interval is a minute and the clsact qdisc is there
# before the daemon starts, so only the filters' tc events can have started
# those audits (without RTNLGRP_TC this test fails: the deletion is
# missed, measured).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools clang tc socat
fwa_tmpdir T
dmn_journald
BOUND=${DAEMON_EVENT_BOUND:-5}	# seconds from a change to its entry

cat > "$T/tc-drop.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
__attribute__((section("tc"), used))
int tc_drop(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_SHOT;
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
# <asm/types.h> lives in the multiarch directory
clang -O2 -g0 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
	-c "$T/tc-drop.c" -o "$T/tc-drop.o" || fwa_die "clang -target bpf failed"

dmn_host host 'ct state established,related accept'
fwa_nsx "$NS" ip addr add 2001:db8:1::1/64 dev eth0 nodad
fwa_nsx "$PEER" ip addr add 2001:db8:1::2/64 dev eth0 nodad
fwa_bg LPID ip netns exec "$NS" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:true
fwa_bg LPID6 ip netns exec "$NS" socat TCP6-LISTEN:22,ipv6only=1,fork,reuseaddr SYSTEM:true
# the qdisc before the daemon: a qdisc change is also a link event, so
# only the filter's own messages (RTNLGRP_TC) can start the audits below
fwa_nsx "$NS" tc qdisc add dev eth0 clsact

cat >"$T/rules" <<'EOF'
allow tcp 22 from any "SSH"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
# fwauditd test configuration: tc events only
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = 60000
user = root
EOF

dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22)
dmn_events "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22 > "$T/start.json"
if [ "$n" -ge 1 ] && grep -q '"FWAUDIT_CERTAINTY":"definite"' "$T/start.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/start.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/start.json" &&
   ! grep -q '"FWAUDIT_CERTAINTY":"possible"' "$T/start.json"; then
	fwa_pass "at start: tcp/22 on eth0 definite, IPv4 and IPv6"
else
	fwa_die "at start: $(cat "$T/start.json")"
fi

# -- a tc BPF filter on eth0's ingress --------------------------------------
t0=$(date +%s.%N)
fwa_nsx "$NS" tc filter add dev eth0 ingress bpf da obj "$T/tc-drop.o" sec tc ||
	fwa_die "cannot attach a tc bpf filter to eth0"
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_PORTS=22 FWAUDIT_CERTAINTY=possible)
t1=$(date +%s.%N)
dmn_events "$DPID" FWAUDIT_PORTS=22 FWAUDIT_CERTAINTY=possible > "$T/possible.json"
if [ "$n" -ge 1 ] && ! grep -q '"FWAUDIT_EVENT":"state_at_start"' "$T/possible.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/possible.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/possible.json"; then
	fwa_pass "tc filter added: the daemon journals tcp/22 as possible ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s): $(grep -o '"FWAUDIT_EVENT":"[a-z_]*"' "$T/possible.json" | sort -u | tr '\n' ' ')"
else
	fwa_fail "tc filter added: no entry with tcp/22 possible in $BOUND s: $(dmn_events "$DPID" | tail -3)"
fi

# -- the filter removed: definite again --------------------------------------
before=$(dmn_events "$DPID" FWAUDIT_PORTS=22 FWAUDIT_CERTAINTY=definite | grep -c . || true)
fwa_nsx "$NS" tc filter del dev eth0 ingress
n=$(dmn_wait_events $((before + 1)) "$BOUND" "$DPID" FWAUDIT_PORTS=22 FWAUDIT_CERTAINTY=definite)
if [ "$n" -gt "$before" ]; then
	fwa_pass "tc filter deleted: tcp/22 journalled definite again"
else
	fwa_fail "tc filter deleted: no new definite entry for tcp/22 in $BOUND s"
fi

kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
audits=$(sed -n 's/.*exiting after \([0-9]*\) audit(s).*/\1/p' "$T/daemon.err" | tail -1)
if [ -n "$audits" ] && [ "$audits" -ge 3 ]; then
	fwa_pass "the daemon audited $audits times without a poll (first + 2 filter changes)"
else
	fwa_fail "audits: '${audits:-?}': $(tail -3 "$T/daemon.err")"
fi
fwa_finish
