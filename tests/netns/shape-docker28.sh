#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-docker28.sh - Docker >= 28's iptables rules with the raw-table
# "direct access" drops (issue 9).  Docker 28 does not run here, so its
# ruleset is written by hand in the shapes moby v28.5.2 writes (libnetwork/
# drivers/bridge/internal/iptabler: setPerPortNAT, filterDirectAccess,
# filterPortMappedOnLoopback; integration/network/bridge/iptablesdoc/
# generated/usernet-portmap{,-lo}.md) for
#	docker network create --ipv6 --subnet 10.78.0.0/24 \
#	  --subnet 2001:db8:78::/64 net1		(bridge br-78aa55bb66cc)
#	docker run --network net1 -p 8080:80 -p 127.0.0.1:8081:80 ...
# IPv4 and IPv6 (ip6tables: the DNAT has "! -s fe80::/10"): FORWARD ->
# DOCKER-USER, DOCKER-FORWARD -> DOCKER-CT, DOCKER-ISOLATION-STAGE-1/2,
# DOCKER-BRIDGE -> DOCKER; nat DOCKER DNATs; raw PREROUTING
# "-d CONTAINER ! -i BRIDGE -j DROP" and, for the loopback publish,
# "-d 127.0.0.1 ! -i lo --dport 8081 -j DROP".  docker0 is there, empty.
# Addresses: 10.17.0.0/16 stands for 172.17.0.0/16, net1's are above.  A
# backend namespace plays the container (10.78.0.2, 2001:db8:78::2;
# listeners 80 and 81).  DOCKER-USER restricts IPv4 8080 to 10.9.0.0/24
# as Docker documents it (--ctorigdstport 8080 --ctdir ORIGINAL).
# Expected: tcp/8080 IPv4 from 10.9.0.0/24 only, IPv6 from everyone, 8081
# from nobody outside; every probe agrees; nothing "possible"; the one
# finding docker-user-ipv4-only (DOCKER-USER restricts 8080 for IPv4 only).
# Then the raw drops are flushed, as a firewalld reload leaves them
# (CVE-2025-54388): fwaudit must name docker-direct-access-open for both
# families, and a neighbour that routes to the container directly
# (10.78.0.2:80, past DOCKER-USER's --ctorigdstport) shows it is real;
# fwaudit reports that path as a direct-routing exposure ("route":
# "direct") and the neighbour's probes to the container addresses agree.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

BR=br-78aa55bb66cc
fwa_require_tools iptables-nft-restore ip6tables-nft-restore
pl_init
fwa_ns_new BK backend
ip -n "$NODE" link add docker0 type bridge
ip -n "$NODE" link set docker0 up
ip -n "$NODE" addr add 10.17.0.1/16 dev docker0
ip -n "$NODE" link add "$BR" type bridge
ip -n "$NODE" link set "$BR" up
ip -n "$NODE" addr add 10.78.0.1/24 dev "$BR"
ip -n "$NODE" addr add 2001:db8:78::1/64 dev "$BR" nodad
ip -n "$NODE" link add veth78 type veth peer name eth0 netns "$BK"
ip -n "$NODE" link set veth78 master "$BR" up
ip -n "$BK" addr add 10.78.0.2/24 dev eth0
ip -n "$BK" addr add 2001:db8:78::2/64 dev eth0 nodad
ip -n "$BK" link set eth0 up
ip -n "$BK" route add default via 10.78.0.1
ip -n "$BK" -6 route add default via 2001:db8:78::1
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
# a neighbour on the link that routes to the container network directly
ip -n "$OUT" route add 10.78.0.0/24 via "$NODE4"
fwa_bg bpid ip netns exec "$BK" "$PYTHON" "$PROBE_PY" serve \
	'tcp:[::]:80' 'tcp:[::]:81' > "$PT/bk.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/bk.out" && break; sleep 0.05; done

ip netns exec "$NODE" iptables-nft-restore <<EOF2
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 10.78.0.2/32 ! -i $BR -j DROP
-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8081 -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 10.78.0.0/24 ! -o $BR -j MASQUERADE
-A POSTROUTING -s 10.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i $BR -j RETURN
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i $BR -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.78.0.2:80
-A DOCKER -d 127.0.0.1/32 ! -i $BR -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10.78.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-BRIDGE - [0:0]
:DOCKER-CT - [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER -d 10.78.0.2/32 ! -i $BR -o $BR -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER ! -i $BR -o $BR -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-BRIDGE -o $BR -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-CT -o $BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER-FORWARD -i $BR -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i $BR ! -o $BR -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-2 -o $BR -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL ! -s 10.9.0.0/24 -j DROP
-A DOCKER-USER -j RETURN
COMMIT
EOF2
ip netns exec "$NODE" ip6tables-nft-restore <<EOF2
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 2001:db8:78::2/128 ! -i $BR -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 2001:db8:78::/64 ! -o $BR -j MASQUERADE
-A DOCKER -i $BR -j RETURN
-A DOCKER ! -s fe80::/10 ! -i $BR -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:78::2]:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-BRIDGE - [0:0]
:DOCKER-CT - [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER -d 2001:db8:78::2/128 ! -i $BR -o $BR -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i $BR -o $BR -j DROP
-A DOCKER-BRIDGE -o $BR -j DOCKER
-A DOCKER-CT -o $BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i $BR -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i $BR ! -o $BR -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-2 -o $BR -j DROP
-A DOCKER-USER -j RETURN
COMMIT
EOF2

pl_serve 'tcp:[::]:22'
# the node knows the backend before the first probe (no ping here: a
# connection from the node; a SYN waiting for neighbour discovery would
# time out and agree with "closed" by accident)
for ((i = 0; i < 20; i++)); do
	[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp 10.78.0.2 80 --timeout 1)" = connected ] &&
		[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp 2001:db8:78::2 80 --timeout 1)" = connected ] &&
		break
	sleep 0.25
done

# direct PROTO ADDR PORT SRC: a neighbour's connection straight to the
# container address (its own route), the outcome on stdout
direct() {
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$1" "$2" --src "$3" --timeout 1.5
}

pl_std_probes "$PT/std" 22,80,81,8080,8081 tcp
# and a neighbour's probes straight to the container (direct routing):
# closed by the raw drops, open to port 80 without them
pl_gen "$PT/d4" --proto tcp --dst 10.78.0.2,10.78.0.3,10.17.0.2 \
	--src "$OUT4,$PUB4,$PRIV4" --ports 80,81,8080
pl_gen "$PT/d6" --proto tcp --dst 2001:db8:78::2 --src "$OUT6,$PUB6" \
	--ports 80,81,8080
pl_merge "$PT/probes" "$PT/std" "$PT/d4" "$PT/d6"
pl_check "docker 28" "$PT/probes" || true
sh_possible "docker 28"
sh_finding "docker 28" docker-direct-access-open no
sh_finding "docker 28" docker-user-ipv4-only
fwa_check "$SH_AUDIT" docker28 <<'PY' || _fwa_failures=$((_fwa_failures + 1))
expect("no direct-routing exposure while the raw drops are there",
       not [x for x in J["exposures"] if x.get("route") == "direct"])
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["path"] == "forward"]
r = rows("ipv4", 8080)
expect("ipv4 tcp/8080 forwarded to 10.78.0.2:80 only from 10.9.0.0/24",
       r and all(x["backend"]["address"] == "10.78.0.2" and x["sources"] == ["10.9.0.0/24"]
                 for x in r), r)
r = rows("ipv6", 8080)
expect("ipv6 tcp/8080 forwarded to 2001:db8:78::2 from everyone",
       r and everyone([s for x in r for s in x["sources"]], "forward"), r)
expect("tcp/8081 (127.0.0.1 publish) not forwarded", rows("ipv4", 8081) == [], rows("ipv4", 8081))
PY
sh_golden shape-docker28
o=$(direct 10.78.0.2 80 "$PUB4")
if [ "$o" = timeout ]; then
	fwa_pass "with the raw drop, a neighbour routing to 10.78.0.2:80 gets nothing"
else
	fwa_fail "with the raw drop, a neighbour routing to 10.78.0.2:80: $o"
fi

# a firewalld reload (CVE-2025-54388) leaves raw PREROUTING empty
ip netns exec "$NODE" iptables-nft -t raw -F PREROUTING
ip netns exec "$NODE" ip6tables-nft -t raw -F PREROUTING
ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
pl_check "docker 28 without raw drops" "$PT/probes" || true
sh_possible "docker 28 without raw drops"
sh_finding "docker 28 without raw drops" docker-direct-access-open
fwa_check "$SH_AUDIT" "no raw drops" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
f = [x for x in J["findings"] if x["kind"] == "docker-direct-access-open"]
expect("one finding per family, naming nat/DOCKER and the container",
       sorted((x["family"], x["table"], x["chain"]) for x in f) ==
       [("ipv4", "nat", "DOCKER"), ("ipv6", "nat", "DOCKER")]
       and any("10.78.0.2" in x["message"] for x in f)
       and any("2001:db8:78::2" in x["message"] for x in f), f)
d = [x for x in J["exposures"] if x.get("route") == "direct"]
expect("direct routing: tcp/80 to 10.78.0.2 and 2001:db8:78::2 only, forward",
       sorted((x["family"], x["address"], tuple(x["ports"]), x["path"]) for x in d) ==
       [("ipv4", "10.78.0.2", (80, 80), "forward"),
        ("ipv6", "2001:db8:78::2", (80, 80), "forward")], d)
PY
sh_golden shape-docker28-no-raw
o=$(direct 10.78.0.2 80 "$PUB4")
if [ "$o" = connected ]; then
	fwa_pass "without it, a neighbour reaches 10.78.0.2:80 directly, past DOCKER-USER"
else
	fwa_fail "without the raw drop, a neighbour routing to 10.78.0.2:80: $o (expected connected)"
fi
fwa_finish
