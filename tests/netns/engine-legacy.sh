#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-legacy.sh - the engine against real packets with legacy x_tables
# and nftables loaded together: ufw-style INPUT chains written with
# iptables-legacy (policy drop, before/user/after chains, allow, deny,
# allow from a prefix, a multiport range, a UDP range), an nft inet table
# at a later priority that drops what legacy accepts (and accepts all
# else: the legacy policy drop still wins), and an iptables-nft rule.  A
# drop in either must win; every probe must agree with fwaudit.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-legacy-restore iptables-nft
pl_init
ip netns exec "$NODE" iptables-legacy-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
:ufw-after-input - [0:0]
:ufw-reject-input - [0:0]
-A INPUT -j ufw-before-input
-A INPUT -j ufw-after-input
-A INPUT -j ufw-reject-input
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j DROP
-A ufw-before-input -p icmp --icmp-type echo-request -j ACCEPT
-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT
-A ufw-before-input -j ufw-user-input
-A ufw-user-input -p tcp --dport 22 -j ACCEPT
-A ufw-user-input -p tcp --dport 80 -j ACCEPT
-A ufw-user-input -p tcp --dport 6379 -j DROP
-A ufw-user-input -s 10.9.0.0/24 -p tcp --dport 5432 -j ACCEPT
-A ufw-user-input -p tcp -m multiport --dports 6000:6010 -j ACCEPT
-A ufw-user-input -p udp -m multiport --dports 5000:5005 -j ACCEPT
-A ufw-user-input -p tcp --dport 7000 -j REJECT --reject-with icmp-admin-prohibited
-A ufw-after-input -p udp --dport 137 -j DROP
COMMIT
EOF2
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet late {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 80 drop
		ip saddr 203.0.113.0/24 tcp dport 22 drop
		udp dport 5003 drop
	}
}
EOF2
ip netns exec "$NODE" iptables-nft -A INPUT -p tcp --dport 6005 -j DROP
pl_serve tcp:0.0.0.0:22 tcp:0.0.0.0:80 tcp:0.0.0.0:6379 tcp:0.0.0.0:5432 \
	tcp:0.0.0.0:6000-6006 tcp:0.0.0.0:7000-7001 udp:0.0.0.0:5000-5004 \
	udp:0.0.0.0:68
pl_gen "$PT/probes" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,67 --ports 22,68,80,6379,5432,6000-6006,6011,7000-7001,5000-5006,137
pl_check "legacy + nft" "$PT/probes"
fwa_finish
