#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-rpfilter.sh - reverse path filtering against real packets: nft's
# "fib saddr . iif oif missing drop" (strict, as firewalld writes it) and
# "fib saddr oif missing drop" (loose), iptables' -m rpfilter [--loose]
# --invert -j DROP, and the kernel's own
# net.ipv4.conf.*.rp_filter = 1 / 2.  Which sources pass depends on the
# routing table: fwaudit must split the sources by it, not guess.
#
# A triangle, so that asymmetric paths really work without the filter:
#	outside --v1/v0-- node --v2/s0-- side --s1/o2-- outside
# The node routes 10.8.0.0/16 via side (side hands it to outside), has no
# route to 10.6.0.0/16, and routes outside's own prefixes via v0.  Probes
# leave outside on v1 from 198.51.100.2, 203.0.113.7, 10.9.0.7 (route back
# via v0: pass strict), 10.8.0.5 (route back via v2: fails strict, passes
# loose; the answer takes the long way round) and 10.6.0.5 (no route back:
# fails both; nothing could answer it anyway).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
# no default routes here: which sources have a route back is the point
ip -n "$NODE" route del default
ip -n "$NODE" -6 route del default
fwa_ns_new SIDE side
fwa_veth "$NODE" v2 10.250.1.1/30 "$SIDE" s0 10.250.1.2/30
fwa_veth "$SIDE" s1 10.250.2.1/30 "$OUT" o2 10.250.2.2/30
ip -n "$OUT" addr add 10.8.0.5/32 dev lo
ip -n "$OUT" addr add 10.6.0.5/32 dev lo
ip -n "$NODE" route add 10.8.0.0/16 via 10.250.1.2
ip -n "$SIDE" route add 10.8.0.0/16 via 10.250.2.2
for ns in "$NODE" "$SIDE" "$OUT"; do
	for s in all default; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$s.rp_filter=0"
	done
	for i in v0 v1 v2 s0 s1 o2; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$i.rp_filter=0" \
			2>/dev/null || true
	done
done
ip netns exec "$SIDE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$SIDE" ping -c1 -W1 10.250.2.2 >/dev/null 2>&1 || true
ip netns exec "$NODE" ping -c1 -W1 10.250.1.2 >/dev/null 2>&1 || true

pl_serve tcp:[::]:22 tcp:[::]:80 udp:[::]:53
# UDP from 10.8.0.5 is not probed: the echo's answer takes the long way
# round from the address of v2, which the client's socket does not accept
pl_gen "$PT/p1" --proto tcp,udp --dst "$NODE4" \
	--src "$OUT4,$PUB4,$PRIV4,10.6.0.5" --sport 0 --ports 22,53,80,81
pl_gen "$PT/p2" --proto tcp --dst "$NODE4" --src 10.8.0.5 --sport 0 \
	--ports 22,80,81
# IPv6: 2001:db8:9::5 has no route back; link-local sources (neighbour
# discovery) are looked up on the interface itself
ip -n "$OUT" addr add 2001:db8:9::5/128 dev lo
pl_gen "$PT/p3" --proto tcp,udp --dst "$NODE6" --src "$OUT6,$PUB6" \
	--sport 0 --ports 22,53,81
# without a route back no answer leaves: TCP never connects (fwaudit
# closes it), a UDP request still arrives but its echo is lost (not
# probed); and the IPv4 rules do not filter IPv6
pl_gen "$PT/p4" --proto tcp --dst "$NODE6" --src 2001:db8:9::5 \
	--sport 0 --ports 22,53,81
pl_merge "$PT/probes" "$PT/p1" "$PT/p2" "$PT/p3" "$PT/p4"

# rp_check LABEL EXPECT...: pl_check, then the sources fwaudit gives for
# tcp/22 on v0 must (EXPECT "+ADDR") or must not ("-ADDR") hold ADDR
rp_check() {
	local label=$1

	shift
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" ctflush 2>/dev/null || true
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush 2>/dev/null || true
	pl_check "$label" "$PT/probes" || return 0
	pl_audit "$PT/a.json"
	RP_EXPECT="$*" fwa_check "$PT/a.json" "$label" <<'EOF2' ||
import ipaddress, os
rows = [x for x in J["exposures"] if
        x["protocol"] == "tcp" and x["ports"][0] <= 22 <= x["ports"][1] and
        x["state"] == "exposed" and "v0" in x["interfaces"]]
def holds(a):
    a = ipaddress.ip_address(a)
    for x in rows:
        for s in x.get("sources", []):
            n = ipaddress.ip_network(s, strict=False)
            if n.version == a.version and a in n:
                return True
    return False
for e in os.environ["RP_EXPECT"].split():
    expect("tcp/22 from %s %s" % (e[1:], "reachable" if e[0] == "+" else "not reachable"),
           holds(e[1:]) == (e[0] == "+"), rows)
EOF2
		_fwa_failures=$((_fwa_failures + 1))
}

nft_rp() {
	ip netns exec "$NODE" nft flush ruleset
	ip netns exec "$NODE" nft -f - <<EOF2
table inet rpf {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		$1 drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 81 reject with icmpx admin-prohibited
	}
}
EOF2
}

nft_rp "fib saddr . iif oif missing"
rp_check "nft strict rpfilter" +198.51.100.2 +10.9.0.7 -10.8.0.5 -10.6.0.5 \
	+2001:db8:1::2 +2001:db8:2::7 -2001:db8:9::5
nft_rp "fib saddr oif missing"
rp_check "nft loose rpfilter" +198.51.100.2 +10.8.0.5 -10.6.0.5 \
	+2001:db8:2::7 -2001:db8:9::5
nft_rp "fib saddr . iif oif 0"
rp_check "nft strict rpfilter (oif 0)" +203.0.113.7 -10.8.0.5

# iptables' -m rpfilter, as the rpfilter docs write it (raw PREROUTING)
ipt_rp() {
	ip netns exec "$NODE" nft flush ruleset
	ip netns exec "$NODE" iptables-nft -t raw -A PREROUTING \
		-m rpfilter "$@" --invert -j DROP
}
if ip netns exec "$NODE" iptables-nft -t raw -A PREROUTING -m rpfilter \
	-j ACCEPT 2>/dev/null; then
	ipt_rp
	rp_check "iptables -m rpfilter" +198.51.100.2 +10.9.0.7 -10.8.0.5 -10.6.0.5
	ipt_rp --loose
	rp_check "iptables -m rpfilter --loose" +198.51.100.2 +10.8.0.5 -10.6.0.5
else
	fwa_log "xt_rpfilter not available: iptables cases skipped"
fi

nft_rp "meta nfproto ipv6"
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.all.rp_filter=1
rp_check "rp_filter=1 (all)" +198.51.100.2 +10.9.0.7 -10.8.0.5 -10.6.0.5
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.v0.rp_filter=2
rp_check "rp_filter=2 (v0)" +198.51.100.2 +10.8.0.5 -10.6.0.5
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.v0.rp_filter=0
fwa_finish
