#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-ipv6.sh - the engine against real IPv6 packets: a second node
# address, a listener bound to one address only, a dual-stack [::] socket
# (reached over IPv4 too), a [::] socket with IPV6_V6ONLY (not reached over
# IPv4), ip6tables-nft rules by source prefix and an nft inet table with
# ip6 saddr matches and a set of IPv6 prefixes.  Every probe, IPv4 and
# IPv6, must agree with fwaudit.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools ip6tables-nft-restore
pl_init
ip -n "$NODE" addr add 2001:db8:1::99/64 dev v0 nodad
ip netns exec "$NODE" ip6tables-nft-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 8080,8443 -j ACCEPT
-A INPUT -s 2001:db8:2::/64 -p tcp --dport 9000:9002 -j ACCEPT
-A INPUT -d 2001:db8:1::99 -p udp --dport 53 -j ACCEPT
-A INPUT -p tcp --dport 9003 -j REJECT --reject-with icmp6-adm-prohibited
COMMIT
EOF2
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet v6 {
	set bad6 { type ipv6_addr; flags interval; elements = { 2001:db8:2::/64 } }
	chain input {
		type filter hook input priority 10; policy accept;
		ip6 saddr @bad6 tcp dport 8443 drop
		ip6 saddr 2001:db8:1::/64 tcp dport 9001 drop
		ip saddr 203.0.113.0/24 tcp dport 22 drop
	}
}
EOF2
pl_serve tcp:[2001:db8:1::1]:8080 tcp:[::]:22 tcp:[::only]:8443 \
	tcp:[::]:9000-9003 udp:[::]:53
pl_gen "$PT/p6" --proto tcp,udp --dst "$NODE6,2001:db8:1::99" --src "$OUT6,$PUB6" \
	--sport 0,53 --ports 22,53,8080,8443,9000-9004
pl_gen "$PT/p4" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4" \
	--sport 0 --ports 22,53,8080,8443,9000-9004
pl_merge "$PT/probes" "$PT/p6" "$PT/p4"
pl_check "ipv6" "$PT/probes"
pl_audit "$PT/a.json"
fwa_check "$PT/a.json" ipv6 <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
r = [x for x in J["exposures"] if x["family"] == "ipv6" and x["protocol"] == "tcp"
     and x["ports"] == [8080, 8080] and x["state"] == "exposed"]
expect("tcp/8080 exposed on 2001:db8:1::1 only", len(r) == 1 and r[0]["address"] == "2001:db8:1::1", r)
r = [x for x in J["exposures"] if x["family"] == "ipv4" and x["protocol"] == "tcp"
     and x["ports"][0] <= 8443 <= x["ports"][1]]
expect("tcp/8443 over IPv4: no v4 listener (IPV6_V6ONLY)", r == [] or all(x["state"] != "exposed" for x in r), r)
EOF2
fwa_finish
