#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-nft.sh - the engine against real packets, native nftables: an inet
# table and an ip table with base chains at different priorities (a drop in
# a later one wins over an accept in an earlier one), named and anonymous
# sets, verdict maps, intervals, a concatenation ip saddr . tcp dport, and
# the "tcp/udp sport 53 accept" mistake (reachable from source port 53
# only).  Every probe from the outside namespace must agree with fwaudit.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet early {
	set web { type inet_service; elements = { 80, 443 } }
	set trusted4 { type ipv4_addr; flags interval; elements = { 10.9.0.0/24, 198.51.100.0/28 } }
	set svc { type ipv4_addr . inet_service; flags interval;
		  elements = { 203.0.113.0/25 . 8000-8010, 198.51.100.2 . 9000 } }
	map ports { type inet_service : verdict;
		    elements = { 2000 : accept, 2001 : drop, 2002 : jump sub } }
	chain sub {
		ip saddr 10.9.0.0/24 accept
		ip6 saddr 2001:db8:2::/64 accept
		return
	}
	chain input {
		type filter hook input priority filter - 10; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport @web accept
		tcp dport { 22, 3000-3010 } accept
		ip saddr @trusted4 tcp dport 5432 accept
		ip saddr . tcp dport @svc accept
		ip saddr . tcp dport { 10.9.0.7 . 7000, 203.0.113.7 . 7001 } accept
		tcp dport vmap @ports
		udp dport vmap { 6000 : accept, 6001 : jump sub, 6002 : drop }
		udp dport 5000-5010 accept
		tcp sport 53 accept
		udp sport 53 accept
		tcp dport 4000 reject with icmpx admin-prohibited
	}
}
table ip late {
	chain input {
		type filter hook input priority filter + 10; policy accept;
		tcp dport 443 drop
		tcp dport 3005 ip saddr 203.0.113.0/24 drop
		udp dport 5005 drop
	}
}
table inet later6 {
	chain input {
		type filter hook input priority 100; policy accept;
		ip6 saddr 2001:db8:2::/64 tcp dport 22 drop
	}
}
EOF2
pl_serve tcp:[::]:22 tcp:[::]:80 tcp:[::]:443 tcp:0.0.0.0:3000-3006 \
	tcp:[::]:5432 tcp:0.0.0.0:8000-8001 tcp:0.0.0.0:9000 \
	tcp:0.0.0.0:7000-7001 tcp:[::]:2000-2002 tcp:[::]:4000 tcp:[::]:1234 \
	udp:[::]:6000-6002 udp:0.0.0.0:5000-5006 udp:[::]:1234
# 1235, 3007, 8002, 5007: let in, nothing listens ("open")
pl_std_probes "$PT/probes" 22,80,443,3000-3007,5432,8000-8002,9000,7000-7001,2000-2002,4000,1234-1235,6000-6002,5000-5007,11
pl_check "native nft" "$PT/probes"

# the sport-53 mistake is visible as such
pl_audit "$PT/a.json"
fwa_check "$PT/a.json" sport53 <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
rows = [r for r in J["exposures"] if r["protocol"] == "tcp" and r["family"] == "ipv4"
        and r["ports"][0] <= 1234 <= r["ports"][1]]
expect("tcp/1234 reachable only from source port 53",
       len(rows) == 1 and rows[0].get("source_ports") == [[53, 53]], rows)
EOF2
fwa_finish
