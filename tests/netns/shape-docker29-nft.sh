#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-docker29-nft.sh - Docker 29's native nftables backend (issue 9).
# Docker 29 does not run here, so its tables are written by hand in the
# exact shapes moby's daemon/libnetwork/drivers/bridge/internal/nftabler
# generates (integration/network/bridge/nftablesdoc/generated/
# usernet-portmap.md and nftabler's TestNftabler ip6 goldens): for
#	dockerd --bridge-accept-fwmark 0x1234
#	docker network create --ipv6 --subnet 10.77.0.0/24 \
#	  --subnet 2001:db8:77::/64 net1	(its bridge: br-5a1f0c0ffee0)
#	docker run --network br-5a1f0c0ffee0 -p 8080:80 ...
# tables ip and ip6 docker-bridges: verdict maps keyed by interface,
# nat-PREROUTING "fib daddr type local" jumps, the DNAT (IPv6: "ip6 saddr
# != fe80::/10"), raw-PREROUTING "DROP DIRECT ACCESS", filter-forward-in
# with "ALLOW FW MARK", ICC, the published port and "UNPUBLISHED PORT
# DROP".  Addresses: 10.17.0.0/16 stands for docker0's 172.17.0.0/16,
# 10.77.0.0/24 and 2001:db8:77::/64 for net1's.  A backend namespace
# plays the container (10.77.0.2, 2001:db8:77::2; listeners 80 and 90).
# Beside it, what such hosts have: iptables FORWARD policy DROP (left by
# the iptables backend, or by the admin), which Docker's nftables rules
# cannot override (an accept in one base chain does not end the others):
#	IPv4: RELATED,ESTABLISHED; -s 10.9.0.0/24 -d 10.77.0.2 tcp 80;
#	      -m mark 0x1234 (the host's own marking, below)
#	IPv6: RELATED,ESTABLISHED; -o br-5a1f0c0ffee0 tcp 80
# and the host's own table ip user: tcp/9090 marked 0x1234 and DNAT'd to
# the container's unpublished port 90, let through Docker's "UNPUBLISHED
# PORT DROP" by the accept-fwmark rule.
# (nat-OUTPUT: "priority dstnat", which Debian 12's nft 1.0.6 refuses at
# the output hook, is written as its value -100.)
# Expected: tcp/8080 IPv4 only from 10.9.0.0/24, IPv6 from everyone;
# tcp/9090 IPv4 from everyone; every probe agrees; nothing "possible".
# Then raw-PREROUTING is flushed: the finding docker-direct-access-open for
# both families, and the probes must still agree.
# Then gateway modes nat-unprotected and routed (moby docker-v29.7.2, the
# source locations below), with the iptables FORWARD drop gone and a
# neighbour routing the container network via the node: nat-unprotected
# is named from the ruleset alone (docker-direct-access-open, both
# families, every port of the container network direct); routed has no
# DNAT, no finding and direct rows for the published port 80 only.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools iptables-nft ip6tables-nft
pl_init
fwa_ns_new BK backend
for br in docker0 br-5a1f0c0ffee0; do
	ip -n "$NODE" link add "$br" type bridge
	ip -n "$NODE" link set "$br" up
done
ip -n "$NODE" addr add 10.17.0.1/16 dev docker0
ip -n "$NODE" addr add 10.77.0.1/24 dev br-5a1f0c0ffee0
ip -n "$NODE" addr add 2001:db8:77::1/64 dev br-5a1f0c0ffee0 nodad
ip -n "$NODE" link add veth77 type veth peer name eth0 netns "$BK"
ip -n "$NODE" link set veth77 master br-5a1f0c0ffee0 up
ip -n "$BK" addr add 10.77.0.2/24 dev eth0
ip -n "$BK" addr add 2001:db8:77::2/64 dev eth0 nodad
ip -n "$BK" link set eth0 up
ip -n "$BK" route add default via 10.77.0.1
ip -n "$BK" -6 route add default via 2001:db8:77::1
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
fwa_bg bpid ip netns exec "$BK" "$PYTHON" "$PROBE_PY" serve \
	'tcp:[::]:80' 'tcp:[::]:90' > "$PT/bk.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/bk.out" && break; sleep 0.05; done
ip netns exec "$BK" ping -c1 -W1 10.77.0.1 >/dev/null 2>&1 || true
ip netns exec "$BK" ping -6 -c1 -W1 2001:db8:77::1 >/dev/null 2>&1 || true

ip netns exec "$NODE" nft -f - <<'EOF2'
table ip docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-in__docker0,
			     "br-5a1f0c0ffee0" : jump filter-forward-in__br-5a1f0c0ffee0 }
	}
	map filter-forward-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-out__docker0,
			     "br-5a1f0c0ffee0" : jump filter-forward-out__br-5a1f0c0ffee0 }
	}
	map nat-postrouting-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-in__docker0,
			     "br-5a1f0c0ffee0" : jump nat-postrouting-in__br-5a1f0c0ffee0 }
	}
	map nat-postrouting-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-out__docker0,
			     "br-5a1f0c0ffee0" : jump nat-postrouting-out__br-5a1f0c0ffee0 }
	}
	chain filter-FORWARD {
		type filter hook forward priority filter; policy accept;
		oifname vmap @filter-forward-in-jumps
		iifname vmap @filter-forward-out-jumps
	}
	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		ip daddr != 127.0.0.0/8 fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		iifname vmap @nat-postrouting-out-jumps
		oifname vmap @nat-postrouting-in-jumps
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-prerouting-and-output {
		iifname != "br-5a1f0c0ffee0" tcp dport 8080 counter dnat to 10.77.0.2:80 comment "DNAT"
	}
	chain raw-PREROUTING {
		type filter hook prerouting priority raw; policy accept;
		ip daddr 10.77.0.2 iifname != "br-5a1f0c0ffee0" counter drop comment "DROP DIRECT ACCESS"
	}
	chain filter-forward-in__docker0 {
		ct state established,related counter accept
		meta mark 4660 counter accept comment "ALLOW FW MARK"
		iifname "docker0" counter accept comment "ICC"
		counter drop comment "UNPUBLISHED PORT DROP"
	}
	chain filter-forward-out__docker0 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}
	chain nat-postrouting-in__docker0 {
	}
	chain nat-postrouting-out__docker0 {
		oifname != "docker0" ip saddr 10.17.0.0/16 counter masquerade comment "MASQUERADE"
	}
	chain filter-forward-in__br-5a1f0c0ffee0 {
		ct state established,related counter accept
		meta mark 4660 counter accept comment "ALLOW FW MARK"
		iifname "br-5a1f0c0ffee0" counter accept comment "ICC"
		ip daddr 10.77.0.2 tcp dport 80 counter accept
		counter drop comment "UNPUBLISHED PORT DROP"
	}
	chain filter-forward-out__br-5a1f0c0ffee0 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}
	chain nat-postrouting-in__br-5a1f0c0ffee0 {
	}
	chain nat-postrouting-out__br-5a1f0c0ffee0 {
		oifname != "br-5a1f0c0ffee0" ip saddr 10.77.0.0/24 counter masquerade comment "MASQUERADE"
	}
}
table ip6 docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "br-5a1f0c0ffee0" : jump filter-forward-in__br-5a1f0c0ffee0 }
	}
	map filter-forward-out-jumps {
		type ifname : verdict
		elements = { "br-5a1f0c0ffee0" : jump filter-forward-out__br-5a1f0c0ffee0 }
	}
	map nat-postrouting-in-jumps {
		type ifname : verdict
		elements = { "br-5a1f0c0ffee0" : jump nat-postrouting-in__br-5a1f0c0ffee0 }
	}
	map nat-postrouting-out-jumps {
		type ifname : verdict
		elements = { "br-5a1f0c0ffee0" : jump nat-postrouting-out__br-5a1f0c0ffee0 }
	}
	chain filter-FORWARD {
		type filter hook forward priority filter; policy accept;
		oifname vmap @filter-forward-in-jumps
		iifname vmap @filter-forward-out-jumps
	}
	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		ip6 daddr != ::1 fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		iifname vmap @nat-postrouting-out-jumps
		oifname vmap @nat-postrouting-in-jumps
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-prerouting-and-output {
		iifname != "br-5a1f0c0ffee0" ip6 saddr != fe80::/10 tcp dport 8080 counter dnat to [2001:db8:77::2]:80 comment "DNAT"
	}
	chain raw-PREROUTING {
		type filter hook prerouting priority raw; policy accept;
		ip6 daddr 2001:db8:77::2 iifname != "br-5a1f0c0ffee0" counter drop comment "DROP DIRECT ACCESS"
	}
	chain filter-forward-in__br-5a1f0c0ffee0 {
		ct state established,related counter accept
		meta mark 4660 counter accept comment "ALLOW FW MARK"
		iifname "br-5a1f0c0ffee0" counter accept comment "ICC"
		ip6 daddr 2001:db8:77::2 tcp dport 80 counter accept
		counter drop comment "UNPUBLISHED PORT DROP"
	}
	chain filter-forward-out__br-5a1f0c0ffee0 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}
	chain nat-postrouting-in__br-5a1f0c0ffee0 {
	}
	chain nat-postrouting-out__br-5a1f0c0ffee0 {
		oifname != "br-5a1f0c0ffee0" ip6 saddr 2001:db8:77::/64 counter masquerade comment "MASQUERADE"
	}
}
table ip user {
	chain user-mark {
		type filter hook prerouting priority mangle; policy accept;
		fib daddr type local tcp dport 9090 meta mark set 0x1234
	}
	chain user-dnat {
		type nat hook prerouting priority dstnat - 10; policy accept;
		fib daddr type local tcp dport 9090 dnat to 10.77.0.2:90
	}
}
EOF2
ip netns exec "$NODE" iptables-nft -P FORWARD DROP
ip netns exec "$NODE" iptables-nft -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec "$NODE" iptables-nft -A FORWARD -s 10.9.0.0/24 -d 10.77.0.2 -p tcp --dport 80 -j ACCEPT
ip netns exec "$NODE" iptables-nft -A FORWARD -m mark --mark 0x1234 -j ACCEPT
ip netns exec "$NODE" ip6tables-nft -P FORWARD DROP
ip netns exec "$NODE" ip6tables-nft -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec "$NODE" ip6tables-nft -A FORWARD -o br-5a1f0c0ffee0 -p tcp --dport 80 -j ACCEPT

pl_serve 'tcp:[::]:22'
# the node knows the backend before the first probe (a probe's SYN must
# not wait for neighbour discovery: it would time out, which agrees with
# "closed" by accident); there is no ping here: a connection from the node
for ((i = 0; i < 20; i++)); do
	[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp 10.77.0.2 80 --timeout 1)" = connected ] &&
		[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp 2001:db8:77::2 80 --timeout 1)" = connected ] &&
		break
	sleep 0.25
done
fwa_log "the backend answers the node after $i retries"
pl_std_probes "$PT/probes" 22,80,90,8080,9090 tcp
pl_check "docker 29 nftables" "$PT/probes" || true
sh_possible "docker 29 nftables"
fwa_check "$SH_AUDIT" docker29 <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["path"] == "forward"]
r = rows("ipv4", 8080)
expect("ipv4 tcp/8080 forwarded to 10.77.0.2:80 only from 10.9.0.0/24",
       r and all(x["backend"]["address"] == "10.77.0.2" and x["sources"] == ["10.9.0.0/24"]
                 for x in r), r)
r = rows("ipv6", 8080)
expect("ipv6 tcp/8080 forwarded to 2001:db8:77::2 from everyone",
       r and everyone([s for x in r for s in x["sources"]], "forward")
       and r[0]["backend"]["address"] == "2001:db8:77::2", r)
r = rows("ipv4", 9090)
expect("ipv4 tcp/9090 forwarded to 10.77.0.2:90 (accept-fwmark) from everyone",
       r and [s for x in r for s in x["sources"]] == ["0.0.0.0/0"], r)
expect("ipv6 tcp/9090 not forwarded", rows("ipv6", 9090) == [], rows("ipv6", 9090))
PY
sh_finding "docker 29 nftables" docker-direct-access-open no
sh_golden shape-docker29-nft

# without Docker's raw-PREROUTING drops (a ruleset flushed and rewritten
# by something else): both families named, and the probes still agree
ip netns exec "$NODE" nft flush chain ip docker-bridges raw-PREROUTING
ip netns exec "$NODE" nft flush chain ip6 docker-bridges raw-PREROUTING
ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
pl_check "docker 29 nftables without raw drops" "$PT/probes" || true
sh_possible "docker 29 nftables without raw drops"
sh_finding "docker 29 nftables without raw drops" docker-direct-access-open
fwa_check "$SH_AUDIT" "no raw drops" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
f = [x for x in J["findings"] if x["kind"] == "docker-direct-access-open"]
expect("one finding per family, naming docker-bridges/nat-prerouting-and-output",
       sorted((x["family"], x["table"], x["chain"]) for x in f) ==
       [("ipv4", "docker-bridges", "nat-prerouting-and-output"),
        ("ipv6", "docker-bridges", "nat-prerouting-and-output")], f)
expect("the text names no DOCKER-USER (this backend has none)",
       f and all("DOCKER-USER" not in x["message"] and
                 "past the operator's own forward rules" in x["message"]
                 for x in f), [x["message"] for x in f])
PY

# --- gateway modes nat-unprotected and routed (issue 10) -----------------
# moby docker-v29.7.2 (commit 6a43e3d5afddf4111da0f864bbc7cae5d7e95001),
# daemon/libnetwork/drivers/bridge/internal/nftabler/:
#   network.go  filter-forward-in__BR: "ct state established,related
#               counter accept", ICMP accept first in routed mode ("ip
#               protocol icmp" / "meta l4proto ipv6-icmp ... comment ICMP"),
#               "ALLOW FW MARK", "ICC", and last 'counter accept comment
#               "UNPROTECTED"' in nat-unprotected, else 'counter drop
#               comment "UNPUBLISHED PORT DROP"'; no MASQUERADE when routed
#   port.go     setPerPortRules(): the per-port accept "ip daddr C tcp
#               dport 80 counter accept" not for nat-unprotected; no DNAT
#               where HostPort is 0 (routed)
#   endpoint.go filterDirectAccess(): no "DROP DIRECT ACCESS" for
#               nat-unprotected or routed
#   testdata/TestNftabler/*gwm=nat-unprotected*, *gwm=routed*: the goldens.
# A host where only Docker's nftables rules stand (iptables FORWARD back
# to policy accept), a neighbour on v0 that routes 10.77.0.0/24 (IPv6:
# pl_pair's 2001:db8::/32) via the node, probes straight to the
# container's listeners 80 and 90 besides the standard ones.
ip netns exec "$NODE" iptables-nft -F FORWARD
ip netns exec "$NODE" iptables-nft -P FORWARD ACCEPT
ip netns exec "$NODE" ip6tables-nft -F FORWARD
ip netns exec "$NODE" ip6tables-nft -P FORWARD ACCEPT
ip -n "$OUT" route add 10.77.0.0/24 via "$NODE4"
pl_gen "$PT/d4" --proto tcp --dst 10.77.0.2 --src "$OUT4,$PUB4,$PRIV4" --ports 80,90
pl_gen "$PT/d6" --proto tcp --dst 2001:db8:77::2 --src "$OUT6,$PUB6" --ports 80,90
pl_merge "$PT/gwprobes" "$PT/probes" "$PT/d4" "$PT/d6"

# gw_mode MODE: both families' filter-forward-in__br-5a1f0c0ffee0 (and
# for routed the DNATs and MASQUERADE) as moby writes them for MODE
gw_mode() {
	local fam c icmp last
	for fam in ip ip6; do
		if [ "$fam" = ip ]; then
			c=10.77.0.2; icmp="ip protocol icmp"
		else
			c=2001:db8:77::2; icmp="meta l4proto ipv6-icmp"
		fi
		last='counter drop comment "UNPUBLISHED PORT DROP"'
		[ "$1" = nat-unprotected ] && last='counter accept comment "UNPROTECTED"'
		{
			echo "flush chain $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0"
			echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 ct state established,related counter accept"
			[ "$1" = routed ] &&
				echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 $icmp counter accept comment \"ICMP\""
			echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 meta mark 4660 counter accept comment \"ALLOW FW MARK\""
			echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 iifname \"br-5a1f0c0ffee0\" counter accept comment \"ICC\""
			[ "$1" = routed ] &&
				echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 $fam daddr $c tcp dport 80 counter accept"
			echo "add rule $fam docker-bridges filter-forward-in__br-5a1f0c0ffee0 $last"
			if [ "$1" = routed ]; then
				echo "flush chain $fam docker-bridges nat-prerouting-and-output"
				echo "flush chain $fam docker-bridges nat-postrouting-out__br-5a1f0c0ffee0"
			fi
		} > "$PT/gw.$fam.nft"
		ip netns exec "$NODE" nft -f "$PT/gw.$fam.nft" ||
			fwa_die "nft refused the $1 rules: $(cat "$PT/gw.$fam.nft")"
	done
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
}

DIRECT_PY='
def direct():
    return sorted((x["family"], x["address"], x["ports"][0], x["ports"][1])
                  for x in J["exposures"] if x.get("route") == "direct"
                  and x["protocol"] == "tcp")
def fwd(fam, port):
    return [x for x in J["exposures"] if x["family"] == fam and x["protocol"] == "tcp"
            and x["ports"][0] <= port <= x["ports"][1] and x["path"] == "forward"
            and x.get("route") != "direct"]
f = sorted((x["family"], x["table"], x["chain"], x["message"]) for x in J.get("findings", [])
           if x["kind"] == "docker-direct-access-open")
'

gw_mode nat-unprotected
pl_check "docker 29 nat-unprotected" "$PT/gwprobes" || true
sh_possible "docker 29 nat-unprotected"
fwa_check "$SH_AUDIT" "nat-unprotected" <<PY || _fwa_failures=$((_fwa_failures + 1))
$DIRECT_PY
expect("docker-direct-access-open for both families, naming nat-unprotected and the UNPROTECTED accept",
       [x[0] for x in f] == ["ipv4", "ipv6"] and
       all("is on br-5a1f0c0ffee0, a network in gateway mode nat-unprotected "
           "(docker-bridges/filter-forward-in__br-5a1f0c0ffee0 rule 4 accepts" in m
           and "every port" in m for *_, m in f) and
       "10.77.0.2" in f[0][3] and "2001:db8:77::2" in f[1][3], f)
expect("the finding does not blame a lost drop",
       all("no drop before DNAT in raw PREROUTING" not in m for *_, m in f), f)
expect("direct rows: every port of the container network, both families",
       direct() == [("ipv4", "10.77.0.0/24", 0, 65535), ("ipv6", "2001:db8:77::/64", 0, 65535)],
       direct())
for fam, be in (("ipv4", "10.77.0.2"), ("ipv6", "2001:db8:77::2")):
    r = fwd(fam, 8080)
    expect(fam + " tcp/8080 forwarded to the container's port 80 from everyone",
           r and all(x["backend"]["address"] == be for x in r)
           and everyone([s for x in r for s in x["sources"]], "forward"), r)
PY

gw_mode routed
pl_check "docker 29 routed" "$PT/gwprobes" || true
sh_possible "docker 29 routed"
fwa_check "$SH_AUDIT" "routed" <<PY || _fwa_failures=$((_fwa_failures + 1))
$DIRECT_PY
expect("no docker-direct-access-open finding (no DNAT, nothing to bypass)", f == [], f)
expect("direct rows: the published container port 80 only, both families",
       direct() == [("ipv4", "10.77.0.2", 80, 80), ("ipv6", "2001:db8:77::2", 80, 80)], direct())
expect("no DNAT: tcp/8080 not forwarded", fwd("ipv4", 8080) == [] and fwd("ipv6", 8080) == [])
PY
fwa_finish
