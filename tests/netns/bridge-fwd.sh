#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bridge-fwd.sh - the bridge family's hooks on the bridges the host forwards
# through (issue 10; engine/chains.c eng_bridge_out_run(),
# eng_bridge_reply_run()).  The node routes strangers' packets to a
# container behind its bridge lxdbr7 (an LXD-like name: not an ingress
# link; 10.77.0.0/24, 2001:db8:77::/64): a
# port published by DNAT on the node's addresses (iptables-nft, as Docker
# writes it) and the container network routed by a neighbour (direct
# routing).  The bridge device sends the forwarded packet through the
# bridge family's output and postrouting hooks (br_dev_xmit(),
# __br_forward(), br_forward_finish()) out of the container's veth port;
# the container's answer comes in through that port and meets the bridge
# family's prerouting and input hooks (br_pass_frame_up()).  Real nft and
# ebtables(-nft) rules, real packets, IPv4 and IPv6: fwaudit agrees with
# every probe.
#   1. no bridge rules (defaults first): as before, every row definite
#   2. nft `table bridge`: `hook output` drops tcp 80 to the container
#      (the published port 8080 too: DNAT made it 80), `hook postrouting`
#      drops tcp 81 over IPv6
#   3. ebtables-nft OUTPUT: udp 53 over IPv4, and over IPv6 on `-o vct`
#      (the bridge's only port: decided)
#   4. `hook input` drops the container's answer from tcp 81 (IPv4), and
#      from tcp 80 on `iifname "vct"` (IPv6): the SYN gets in, the
#      connection does not complete
#   5. a second port on the bridge: the output port is not known, a rule
#      on `oifname "vct"` is possible, naming the rule; one on a name no
#      port has (the bridge's own) or on one every port has decides
#   6. a bridge forward chain: named in a note, not walked
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-nft ip6tables-nft ebtables-nft
pl_init
fwa_ns_new CT ctr
ip -n "$NODE" link add lxdbr7 type bridge
ip -n "$NODE" link set lxdbr7 up
ip -n "$NODE" addr add 10.77.0.1/24 dev lxdbr7
ip -n "$NODE" addr add 2001:db8:77::1/64 dev lxdbr7 nodad
ip -n "$NODE" link add vct type veth peer name eth0 netns "$CT"
ip -n "$NODE" link set vct master lxdbr7 up
ip -n "$CT" addr add 10.77.0.2/24 dev eth0
ip -n "$CT" addr add 2001:db8:77::2/64 dev eth0 nodad
ip -n "$CT" link set eth0 up
ip -n "$CT" link set lo up
ip -n "$CT" route add default via 10.77.0.1
ip -n "$CT" -6 route add default via 2001:db8:77::1
# a neighbour that routes the container network via the node
ip -n "$OUT" route add 10.77.0.0/24 via "$NODE4"
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
# the published port, as Docker writes it with iptables-nft
ip netns exec "$NODE" iptables-nft -t nat -A PREROUTING -p tcp --dport 8080 \
	-j DNAT --to-destination 10.77.0.2:80
ip netns exec "$NODE" ip6tables-nft -t nat -A PREROUTING -p tcp --dport 8080 \
	-j DNAT --to-destination '[2001:db8:77::2]:80'
fwa_bg ctpid ip netns exec "$CT" "$PYTHON" "$PROBE_PY" serve \
	'tcp:[::]:80' 'tcp:[::]:81' 'udp:[::]:53' > "$PT/ct.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/ct.out" && break; sleep 0.05; done
grep -q ready "$PT/ct.out" || fwa_die "the container's listeners did not start"
pl_serve 'tcp:[::]:22'
# the node's neighbour entries of the container, both families
for a in 10.77.0.2 2001:db8:77::2; do
	for ((i = 0; i < 20; i++)); do
		[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp "$a" 80 --timeout 1)" = connected ] &&
			break
		sleep 0.25
	done
done

# (a direct row is "exposed" as a DNAT backend is, whether or not the
# container answers on that port: the probes go where it listens)
pl_gen "$PT/c4" --proto tcp --dst 10.77.0.2 --src "$OUT4,$PUB4" --ports 80,81
pl_gen "$PT/u4" --proto udp --dst 10.77.0.2 --src "$OUT4,$PUB4" --ports 53
pl_gen "$PT/c6" --proto tcp --dst 2001:db8:77::2 --src "$OUT6,$PUB6" --ports 80,81
pl_gen "$PT/u6" --proto udp --dst 2001:db8:77::2 --src "$OUT6,$PUB6" --ports 53
pl_gen "$PT/n" --proto tcp --dst "$NODE4,$NODE6" --src "$OUT4,$PUB4,$OUT6,$PUB6" \
	--ports 22,8080
pl_merge "$PT/probes" "$PT/c4" "$PT/u4" "$PT/c6" "$PT/u6" "$PT/n"

# rows LABEL PYTHON: fwa_check of a new audit of the node
rows() {
	pl_audit "$PT/a.$_pl_ncheck.json"
	fwa_check "$PT/a.$_pl_ncheck.json" "$1" || _fwa_failures=$((_fwa_failures + 1))
}

# the helpers of every case's checks: the exposed rows of a family,
# protocol and port to the container's address (direct routing) or on the
# published port (the node's addresses)
export FWA_PY_HELPERS='
import ipaddress
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
CT = {"ipv4": "10.77.0.2", "ipv6": "2001:db8:77::2"}
def covers(r, a):
    return any(p == "*" or ipaddress.ip_address(a) in ipaddress.ip_network(p, strict=False)
               for p in r["address"].split(","))
def at(fam, proto, port, direct):
    return [(r["ports"], r["address"][:40], r["certainty"]) for r in ex
            if r["family"] == fam and r["protocol"] == proto
            and r["ports"][0] <= port <= r["ports"][1]
            and (r.get("route") == "direct") == direct
            and (not direct or covers(r, CT[fam]))]
'

# 1. defaults: no bridge rules
pl_check "no bridge rules" "$PT/probes" || true
rows "no bridge rules" <<'EOF2'
import os; exec(os.environ["FWA_PY_HELPERS"])
for fam in ("ipv4", "ipv6"):
    expect(fam + ": tcp 80 and 81 and udp 53 reach the container directly",
           at(fam, "tcp", 80, True) and at(fam, "tcp", 81, True) and at(fam, "udp", 53, True), ex)
    expect(fam + ": the published tcp 8080 reaches it", at(fam, "tcp", 8080, False), ex)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), [r for r in ex if r["certainty"] != "definite"])
expect("no note on lxdbr7 without bridge rules", not [n for n in J["notes"] if "lxdbr7" in n], J["notes"])
EOF2

# 2. nft bridge output and postrouting
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge brout {
	chain output {
		type filter hook output priority 0; policy accept;
		ip daddr 10.77.0.2 tcp dport 80 drop
		ip6 daddr 2001:db8:77::2 tcp dport 80 drop
	}
	chain postrouting {
		type filter hook postrouting priority 0; policy accept;
		ip6 daddr 2001:db8:77::/64 tcp dport 81 drop
	}
}
EOF2
_pl_ctflush
PL_TIMEOUT=1 pl_check "nft bridge output and postrouting" "$PT/probes" || true
rows "nft bridge output and postrouting" <<'EOF2'
import os; exec(os.environ["FWA_PY_HELPERS"])
for fam in ("ipv4", "ipv6"):
    expect(fam + ": tcp 80 to the container closed (bridge output)", not at(fam, "tcp", 80, True), ex)
    expect(fam + ": the published 8080 closed too (DNAT made it 80)", not at(fam, "tcp", 8080, False), ex)
expect("ipv6 tcp 81 closed (bridge postrouting)", not at("ipv6", "tcp", 81, True), ex)
expect("ipv4 tcp 81 exposed", at("ipv4", "tcp", 81, True), ex)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), [r for r in ex if r["certainty"] != "definite"])
expect("the note names lxdbr7 and its only port vct",
       any(n.startswith("lxdbr7 is a bridge the host forwards through (1 port)") and "only port vct" in n
           for n in J["notes"]), J["notes"])
EOF2
ip netns exec "$NODE" "$FWAUDIT" explain tcp/8080 --from "$PUB4" > "$PT/explain.txt" 2>&1 || true
if grep -q "brout output" "$PT/explain.txt"; then
	fwa_pass "explain names the bridge output chain"
else
	fwa_fail "explain does not name the bridge output chain: $(head -30 "$PT/explain.txt")"
fi
FWA_SNAPSHOT_CHECK=1 pl_audit "$PT/a.snap2.json"
ip netns exec "$NODE" nft delete table bridge brout

# 3. ebtables-nft OUTPUT
ip netns exec "$NODE" ebtables-nft -A OUTPUT -p IPv4 --ip-proto udp --ip-dport 53 -j DROP
ip netns exec "$NODE" ebtables-nft -A OUTPUT -o vct -p IPv6 --ip6-proto udp --ip6-dport 53 -j DROP
_pl_ctflush
PL_TIMEOUT=1 pl_check "ebtables-nft OUTPUT" "$PT/probes" || true
rows "ebtables-nft OUTPUT" <<'EOF2'
import os; exec(os.environ["FWA_PY_HELPERS"])
for fam in ("ipv4", "ipv6"):
    expect(fam + ": udp 53 to the container closed", not at(fam, "udp", 53, True), ex)
    expect(fam + ": tcp 80 to the container exposed", at(fam, "tcp", 80, True), ex)
expect("every exposed row definite (-o vct: the only port)", all(r["certainty"] == "definite" for r in ex), [r for r in ex if r["certainty"] != "definite"])
EOF2
ip netns exec "$NODE" ebtables-nft -F OUTPUT

# 4. bridge input drops the container's answer
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge ans {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.77.0.2 tcp sport 81 drop
		iifname "vct" ip6 saddr 2001:db8:77::2 tcp sport 80 drop
	}
}
EOF2
_pl_ctflush
PL_TIMEOUT=1 pl_check "bridge input drops the answer" "$PT/probes" || true
rows "bridge input drops the answer" <<'EOF2'
import os; exec(os.environ["FWA_PY_HELPERS"])
expect("ipv4 tcp 81 closed: its answer is dropped", not at("ipv4", "tcp", 81, True), ex)
expect("ipv6 tcp 80 and the published 8080 closed: the answer from vct is dropped",
       not at("ipv6", "tcp", 80, True) and not at("ipv6", "tcp", 8080, False), ex)
expect("ipv4 tcp 80 and 8080 exposed", at("ipv4", "tcp", 80, True) and at("ipv4", "tcp", 8080, False), ex)
expect("ipv4 udp 53 exposed (no handshake)", at("ipv4", "udp", 53, True), ex)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), [r for r in ex if r["certainty"] != "definite"])
EOF2
ip netns exec "$NODE" nft delete table bridge ans

# 5. a second port: the output port is not known
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge brout {
	chain output {
		type filter hook output priority 0; policy accept;
		oifname "vct" tcp dport 81 drop
		oifname "lxdbr7" tcp dport 80 drop
		oifname "v*" udp dport 53 drop
	}
}
EOF2
ip -n "$NODE" link set lxdbr7 address "$(ip -n "$NODE" -o link show lxdbr7 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"
ip -n "$NODE" link add vb0 type veth peer name vb1
ip -n "$NODE" link set vb0 master lxdbr7
ip -n "$NODE" link set vb0 up
ip -n "$NODE" link set vb1 up
_pl_ctflush
PL_TIMEOUT=1 pl_check "bridge output port rule, two ports" "$PT/probes" || true
rows "bridge output port rule, two ports" <<'EOF2'
import os; exec(os.environ["FWA_PY_HELPERS"])
p = [r for r in ex if r["protocol"] == "tcp" and r["ports"][0] <= 81 <= r["ports"][1]
     and r.get("route") == "direct" and covers(r, CT[r["family"]])]
expect("tcp 81 rows possible in both families, naming oifname",
       {r["family"] for r in p} == {"ipv4", "ipv6"} and all(r["certainty"] == "possible"
       and any("oifname" in u for u in r["unknown"]) for r in p), p)
p = [c for fam in ("ipv4", "ipv6") for (_, _, c) in at(fam, "tcp", 80, True)]
expect("tcp 80 definite (lxdbr7 is none of its ports)", p and all(c == "definite" for c in p), p)
expect("udp 53 to the container closed (v* is every port)",
       not at("ipv4", "udp", 53, True) and not at("ipv6", "udp", 53, True), ex)
expect("the note says the port is not known",
       any(n.startswith("lxdbr7 is a bridge the host forwards through (2 ports)") and "not known" in n
           for n in J["notes"]), J["notes"])
EOF2
ip netns exec "$NODE" nft delete table bridge brout
ip -n "$NODE" link del vb0

# 6. a bridge forward chain is named, not walked
ip netns exec "$NODE" nft -f - <<'EOF2'
table bridge vms {
	chain forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 3389 drop
	}
}
EOF2
rows "bridge forward chain" <<'EOF2'
expect("a note names the bridge forward chain and says it is not walked",
       any("forward chain vms forward" in n and "does not walk it" in n for n in J["notes"]), J["notes"])
EOF2
ip netns exec "$NODE" nft delete table bridge vms

# 7. rules gone: as in 1
_pl_ctflush
pl_check "bridge rules gone" "$PT/probes" || true
fwa_finish
