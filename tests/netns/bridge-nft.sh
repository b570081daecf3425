#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bridge-nft.sh - the bridge family's hooks (engine/chains.c bridge_run()):
# the node's uplink v0 is a port of bridge br0 and the node's addresses are
# on br0 (a VM host, an LXD or libvirt bridge), so every probe meets the
# bridge family's prerouting and input base chains before the inet hooks.
# Rules loaded with the real nft (`table bridge`), real packets from
# outside, IPv4 and IPv6: fwaudit agrees with every probe; a bridge rule on
# an interface name decides where the bridge has one port (the stranger's
# frame came through it) and makes what it decides "possible", naming the
# rule, where it has several (which one is not known); the host's answers
# leave through the bridge's output hook; without bridge rules all is as
# before.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
# the node's addresses move from v0 to br0, v0 becomes its port
pl_bridge_node

pl_serve tcp:[::]:22 tcp:[::]:80 tcp:[::]:8080 tcp:[::]:3306 udp:[::]:53
pl_std_probes "$PT/probes" 22,53,80,3306,8080 tcp,udp

# rows LABEL PYTHON: fwa_check of the audit pl_check made last, with the
# rows of exposed probes in R (port -> certainty set)
rows() {
	pl_audit "$PT/a.$1.json"
	fwa_check "$PT/a.$1.json" "$1" || _fwa_failures=$((_fwa_failures + 1))
}

# 1. no bridge rules: every listener exposed, definite
pl_check "no bridge rules" "$PT/probes"
rows "no bridge rules" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
expect("3306 exposed in both families", {r["family"] for r in ex if r["ports"][0] <= 3306 <= r["ports"][1]} == {"ipv4", "ipv6"}, ex)
EOF2

# 2. bridge input drops tcp 3306 (IPv4 and IPv6) and IPv4 from 10.9.0.0/24;
# prerouting drops udp 53 to the node's IPv6 address: decided exactly
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge filter {
	chain prerouting {
		type filter hook prerouting priority -200; policy accept;
		ip6 daddr 2001:db8:1::1 udp dport 53 drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 3306 drop
		ip saddr 10.9.0.0/24 drop
	}
}
EOF2
pl_check "bridge drops" "$PT/probes"
rows "bridge drops" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
expect("no exposed row on tcp 3306", not [r for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= 3306 <= r["ports"][1]], ex)
expect("no exposed IPv6 row on udp 53 to 2001:db8:1::1 (the link-local address stays)", not [r for r in ex if r["protocol"] == "udp" and r["family"] == "ipv6" and r["address"] in ("*", "2001:db8:1::1") and r["ports"][0] <= 53 <= r["ports"][1]], ex)
expect("IPv4 udp 53 exposed", [r for r in ex if r["protocol"] == "udp" and r["family"] == "ipv4" and r["ports"][0] <= 53 <= r["ports"][1]], ex)
expect("no IPv4 row from 10.9.0.0/24", not [r for r in ex if r["family"] == "ipv4" and any(s.startswith("10.9.0.") or s in ("10.0.0.0/8", "0.0.0.0/0") for s in r["sources"])], [r["sources"] for r in ex if r["family"] == "ipv4"])
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
EOF2

# 3. a rule on the port's name: br0's only port is v0, so a stranger's
# frame came in through it and the rule decides: 8080 closed, definite
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge filter {
	chain input {
		iifname "v0" tcp dport 8080 drop
	}
}
EOF2
PL_TIMEOUT=1 pl_check "bridge port rule, one port" "$PT/probes"
rows "bridge port rule, one port" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
p = [r for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= 8080 <= r["ports"][1]]
expect("tcp 8080 not exposed (the only port's rule drops it)", p == [], p)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
expect("the note says what arrives came in through v0", any(n.startswith("br0 is a bridge with 1 port") and "which came in through v0" in n for n in J["notes"]), J["notes"])
EOF2
# ... with a second port (a VM's tap, here a veth), the port a stranger
# comes in on is not known: 8080 is possible, naming the rule; the kernel
# still drops what comes in on v0
# (br0's MAC set as it is: a new port with a lower MAC would otherwise
# become the bridge's, and the outside's neighbour entry would go stale)
ip -n "$NODE" link set br0 address "$(ip -n "$NODE" -o link show br0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"
ip -n "$NODE" link add vb0 type veth peer name vb1
ip -n "$NODE" link set vb0 master br0
ip -n "$NODE" link set vb0 up
ip -n "$NODE" link set vb1 up
PL_TIMEOUT=1 pl_check "bridge port rule, two ports" "$PT/probes"
rows "bridge port rule, two ports" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
p = [r for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= 8080 <= r["ports"][1]]
expect("tcp 8080 rows possible, naming iifname", p and all(r["certainty"] == "possible" and any("iifname" in u and "bridge" in u for u in r["unknown"]) for r in p), p)
expect("tcp 22 definite", all(r["certainty"] == "definite" for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= 22 <= r["ports"][1]), ex)
EOF2
ip netns exec "$NODE" nft list ruleset > "$PT/ruleset.nft"
ip netns exec "$NODE" "$FWAUDIT" explain tcp/3306 --from "$PUB4" > "$PT/explain.txt" 2>&1 || true
if grep -q "bridge filter input" "$PT/explain.txt"; then
	fwa_pass "explain names the bridge chain"
else
	fwa_fail "explain does not name the bridge chain: $(head -20 "$PT/explain.txt")"
fi
FWA_SNAPSHOT_CHECK=1 pl_audit "$PT/a.snap.json"

# 4. ebtables (ebtables-nft on Debian 12: a bridge table of its own with
# ebtables' ip and ip6 extensions as compat matches, decoded by xt.c):
# tcp 80 over IPv4 and IPv6 from $PUB6's network dropped exactly; a TOS
# test (not decoded) leaves the rest of IPv4 possible, naming the match
ip netns exec "$NODE" nft delete table bridge filter
if command -v ebtables > /dev/null; then
	ip netns exec "$NODE" ebtables -A INPUT -p IPv4 --ip-proto tcp --ip-dport 80 -j DROP
	ip netns exec "$NODE" ebtables -A INPUT -p IPv6 --ip6-src 2001:db8:2::/64 -j DROP
	ip netns exec "$NODE" ebtables -A INPUT -p IPv4 --ip-proto udp --ip-tos 0x10 -j DROP
	PL_TIMEOUT=1 pl_check "ebtables" "$PT/probes"
	rows "ebtables" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
t80 = [r for r in ex if r["family"] == "ipv4" and r["protocol"] == "tcp" and r["ports"][0] <= 80 <= r["ports"][1]]
expect("no exposed IPv4 row on tcp 80", not t80, t80)
t22 = [r for r in ex if r["family"] == "ipv4" and r["protocol"] == "tcp" and r["ports"][0] <= 22 <= r["ports"][1]]
# (the TOS rule's match is unknown as a whole, protocol included)
expect("IPv4 tcp 22 exposed, possible by the TOS rule", t22 and all(r["certainty"] == "possible" and any(u.startswith("unknown match ip") for u in r["unknown"]) for r in t22), t22)
v6 = [r for r in ex if r["family"] == "ipv6"]
expect("IPv6 rows definite, none from 2001:db8:2::/64", v6 and all(r["certainty"] == "definite" and "::/0" not in r["sources"] and "2001:db8:2::/64" not in r["sources"] for r in v6), v6)
u4 = [r for r in ex if r["family"] == "ipv4" and r["protocol"] == "udp"]
expect("IPv4 udp possible, naming ebtables' ip match", u4 and all(r["certainty"] == "possible" and any(u.startswith("unknown match ip") for u in r["unknown"]) for r in u4), u4)
expect("a note names br0 as a bridge whose port is not known (v0 and vb0)", any(n.startswith("br0 is a bridge with 2 ports") and "the port it came in on is not known" in n for n in J["notes"]), J["notes"])
EOF2
	ip netns exec "$NODE" ebtables -F INPUT
	ip netns exec "$NODE" nft delete table bridge filter 2>/dev/null || true
else
	fwa_fail "ebtables is not installed (package ebtables)"
fi

# 5. the host's answers leave through the bridge device: its output hook
# (br_dev_xmit(), the bridge family's output and postrouting) drops the
# SYN-ACKs from tcp 8080, and from tcp 3306 on "v*" (every port of br0
# has such a name: decided although which port is not known)
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge out {
	chain output {
		type filter hook output priority 0; policy accept;
		tcp sport 8080 drop
		oifname "v*" tcp sport 3306 drop
	}
}
EOF2
PL_TIMEOUT=1 pl_check "bridge output drops the answers" "$PT/probes"
rows "bridge output drops the answers" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
for port in (8080, 3306):
    p = [r for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= port <= r["ports"][1]]
    expect("tcp %d not exposed in either family (its answer is dropped)" % port, p == [], p)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), [r for r in ex if r["certainty"] != "definite"])
EOF2
ip netns exec "$NODE" nft delete table bridge out

# 6. bridge rules gone: as in 1
pl_check "bridge rules gone" "$PT/probes"
fwa_finish
