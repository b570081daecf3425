#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-ebtleg.sh - fwauditd notices ebtables-legacy changes
# through its poll (watch.c's fingerprint; the tables have no events): the
# node's addresses live on br0, eth0 is its port; an ebtables-legacy rule
# dropping tcp/22 arriving on eth0 (IPv4 and IPv6) makes the daemon audit
# again within the poll interval and journal exposure_closed for tcp/22
# per family; deleting the rules journals exposure_opened per family; the
# same drop for the bridge port eth0 by name (-i eth0, br0's only port)
# closes tcp/22 again.
#
# The kernel here has no legacy ebtables tables (see bridge-ebtleg.sh's
# header): ebtables-legacy and the daemon both talk to ebt_kshim.c,
# preloaded, which keeps the tables as files.  Nothing else changes in
# the kernel when a rule is added, so only the poll can see it: without
# the ebtables-legacy tables in the fingerprint this test fails (measured:
# no exposure_closed, no exposure_opened within the bound, 2 audits); with
# them each entry came 1.0-1.1 s after the change (poll 1 s).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools ebtables-legacy cc socat
fwa_tmpdir T
dmn_journald
POLL_MS=1000
# from a change to its entry: a poll interval, the debounce, one audit
BOUND=${DAEMON_EVENT_BOUND:-6}

SHIM_SRC="$(dirname "$0")/ebt_kshim.c"
cc -Wall -shared -fPIC -o "$T/ebt_kshim.so" "$SHIM_SRC" -ldl ||
	fwa_die "cannot build $SHIM_SRC"
mkdir "$T/ebt"
SHIM_ENV=(LD_PRELOAD="$T/ebt_kshim.so" EBT_SHIM_DIR="$T/ebt"
	  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
ebt() { ip netns exec "$NS" env "${SHIM_ENV[@]}" ebtables-legacy "$@"; }

dmn_host host 'ct state established,related accept'
# the node's addresses on br0, eth0 its port
fwa_nsx "$NS" ip addr flush dev eth0
fwa_nsx "$NS" ip link add br0 type bridge
# no DAD on br0's link-local address: its end would be an address event
# after the daemon started, an audit that no poll caused
fwa_nsx "$NS" sysctl -qw net.ipv6.conf.br0.accept_dad=0
fwa_nsx "$NS" ip link set eth0 master br0
fwa_nsx "$NS" ip link set br0 up
fwa_nsx "$NS" ip addr add 198.51.100.1/24 dev br0
fwa_nsx "$NS" ip addr add 2001:db8:1::1/64 dev br0 nodad
# the bridge settled (up, no tentative address) before the daemon starts,
# so that no link or address event can start the audits below
for _ in $(seq 1 50); do
	fwa_nsx "$NS" ip link show br0 | grep -q 'state UP' &&
		[ -z "$(fwa_nsx "$NS" ip addr show tentative)" ] && break
	sleep 0.1
done
sleep 1
fwa_nsx "$PEER" ip addr add 2001:db8:1::2/64 dev eth0 nodad
fwa_bg LPID ip netns exec "$NS" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:true
fwa_bg LPID6 ip netns exec "$NS" socat TCP6-LISTEN:22,ipv6only=1,fork,reuseaddr SYSTEM:true

cat >"$T/rules" <<'EOF2'
allow tcp 22 from any "SSH"
default alert warning
EOF2
cat >"$T/fwauditd.conf" <<EOF2
# fwauditd test configuration: ebtables-legacy through the poll only
rules = $T/rules
interfaces = br0
docker = no
debounce_ms = 20
poll_interval_ms = $POLL_MS
user = root
EOF2

# the daemon reads the tables through the stand-in too
dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf" "${SHIM_ENV[@]}"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22)
dmn_events "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22 > "$T/start.json"
if [ "$n" -ge 2 ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/start.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/start.json"; then
	fwa_pass "at start: tcp/22 exposed on br0, IPv4 and IPv6"
else
	fwa_die "at start: $(cat "$T/start.json")"
fi

# -- tcp/22 dropped on the bridge port ---------------------------------------
t0=$(date +%s.%N)
ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 22 -j DROP
ebt -A INPUT -p IPv6 --ip6-proto tcp --ip6-dport 22 -j DROP
[ -s "$T/ebt/filter.blob" ] || fwa_die "the stand-in holds no filter table: $(ls "$T/ebt")"
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22)
t1=$(date +%s.%N)
dmn_events "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22 > "$T/closed.json"
if [ "$n" -eq 2 ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/closed.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/closed.json"; then
	fwa_pass "ebtables-legacy drop added: exposure_closed for tcp/22 per family ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s, poll ${POLL_MS} ms)"
else
	fwa_fail "ebtables-legacy drop added: $n exposure_closed entries for tcp/22 in $BOUND s, expected 2: $(dmn_events "$DPID" | tail -3)"
fi

# -- the rules removed: exposed again ----------------------------------------
t0=$(date +%s.%N)
ebt -F INPUT
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_opened FWAUDIT_PORTS=22)
t1=$(date +%s.%N)
dmn_events "$DPID" FWAUDIT_EVENT=exposure_opened FWAUDIT_PORTS=22 > "$T/opened.json"
if [ "$n" -eq 2 ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/opened.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/opened.json"; then
	fwa_pass "ebtables-legacy rules flushed: exposure_opened for tcp/22 per family ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s)"
else
	fwa_fail "ebtables-legacy rules flushed: $n exposure_opened entries for tcp/22 in $BOUND s, expected 2: $(dmn_events "$DPID" | tail -3)"
fi

# -- the same drop on the bridge port by name (-i eth0) ----------------------
# eth0 is br0's only port: a stranger's frame came in through it, so the
# rule decides and tcp/22 closes again, definite
before=$(dmn_events "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22 | grep -c . || true)
ebt -A INPUT -i eth0 -p IPv4 --ip-proto tcp --ip-dport 22 -j DROP
ebt -A INPUT -i eth0 -p IPv6 --ip6-proto tcp --ip6-dport 22 -j DROP
n=$(dmn_wait_events $((before + 2)) "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22)
dmn_events "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=22 | tail -n +$((before + 1)) > "$T/port.json"
if [ "$n" -eq $((before + 2)) ] && grep -q '"FWAUDIT_FAMILY":"ipv4"' "$T/port.json" &&
   grep -q '"FWAUDIT_FAMILY":"ipv6"' "$T/port.json" &&
   ! grep -q '"FWAUDIT_CERTAINTY":"possible"' "$T/port.json"; then
	fwa_pass "ebtables-legacy drop on br0's only port eth0: tcp/22 closed again per family"
else
	fwa_fail "ebtables-legacy drop on the port eth0: $((n - before)) new exposure_closed entries for tcp/22 in $BOUND s, expected 2: $(dmn_events "$DPID" | tail -3)"
fi

kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
audits=$(sed -n 's/.*exiting after \([0-9]*\) audit(s).*/\1/p' "$T/daemon.err" | tail -1)
if [ -n "$audits" ] && [ "$audits" -ge 4 ]; then
	fwa_pass "the daemon audited $audits times (first + 3 table changes)"
else
	fwa_fail "audits: '${audits:-?}': $(tail -3 "$T/daemon.err")"
fi
fwa_finish
