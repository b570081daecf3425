#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-swarm.sh - the engine against real packets through Swarm's ingress
# rules.  Swarm's ingress network does not come up on this kernel, so its
# chains are written by hand in the shapes Docker writes them for
# "docker service create -p 8080:80" (moby integration/network/bridge/
# iptablesdoc/generated/swarm-portmap.md): nat PREROUTING -> DOCKER-INGRESS
# (addrtype LOCAL) with the DNAT to the ingress sandbox's address on
# docker_gwbridge, filter FORWARD -> DOCKER-USER, DOCKER-INGRESS (accept
# the published port, and RELATED,ESTABLISHED from it), DOCKER-FORWARD, and
# the gwbridge's isolation chains.  Addresses: 10.18.0.0/16 stands for
# 172.18.0.0/16, and the "-m set --match-set docker-ext-bridges-v4 dst"
# matches are written as "-d 10.18.0.0/16" (no ipset here).  A second
# namespace plays the ingress sandbox with a listener on 8080.  Host INPUT
# rules in ufw's style deny 8080, without effect.  A DOCKER-USER rule
# restricts the second published port 9090 to 10.9.0.0/24.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-nft-restore
pl_init
fwa_ns_new SBX sandbox
ip -n "$NODE" link add docker_gwbridge type bridge
ip -n "$NODE" addr add 10.18.0.1/16 dev docker_gwbridge
ip -n "$NODE" link set docker_gwbridge up
ip -n "$NODE" link add veth-gw type veth peer name eth0 netns "$SBX"
ip -n "$NODE" link set veth-gw master docker_gwbridge up
ip -n "$SBX" addr add 10.18.0.2/16 dev eth0
ip -n "$SBX" link set eth0 up
ip -n "$SBX" route add default via 10.18.0.1
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
fwa_bg spid ip netns exec "$SBX" "$PYTHON" "$PROBE_PY" serve \
	tcp:0.0.0.0:8080 tcp:0.0.0.0:9090 > "$PT/sbx.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/sbx.out" && break; sleep 0.05; done

ip netns exec "$NODE" iptables-nft-restore <<'EOF2'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-INGRESS - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-INGRESS
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER-INGRESS
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -o docker_gwbridge -m addrtype --src-type LOCAL -j MASQUERADE
-A POSTROUTING -s 10.18.0.0/16 ! -o docker_gwbridge -j MASQUERADE
-A DOCKER -i docker_gwbridge -j RETURN
-A DOCKER-INGRESS -p tcp -m tcp --dport 9090 -j DNAT --to-destination 10.18.0.2:9090
-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.18.0.2:8080
-A DOCKER-INGRESS -j RETURN
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-INGRESS - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
:ufw-user-input - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j ufw-user-input
-A ufw-user-input -p tcp --dport 22 -j ACCEPT
-A ufw-user-input -p tcp --dport 8080 -j DROP
-A ufw-user-input -p tcp --dport 9090 -j DROP
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-INGRESS
-A FORWARD -j DOCKER-FORWARD
-A DOCKER ! -i docker_gwbridge -o docker_gwbridge -j DROP
-A DOCKER-FORWARD -d 10.18.0.0/16 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1
-A DOCKER-FORWARD -d 10.18.0.0/16 -j DOCKER
-A DOCKER-FORWARD -i docker_gwbridge -o docker_gwbridge -j DROP
-A DOCKER-FORWARD -i docker_gwbridge ! -o docker_gwbridge -j ACCEPT
-A DOCKER-INGRESS -p tcp -m tcp --dport 9090 -j ACCEPT
-A DOCKER-INGRESS -p tcp -m tcp --sport 9090 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j ACCEPT
-A DOCKER-INGRESS -p tcp -m tcp --sport 8080 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-INGRESS -j RETURN
-A DOCKER-ISOLATION-STAGE-1 -i docker_gwbridge ! -o docker_gwbridge -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-2 -o docker_gwbridge -j DROP
-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 9090 --ctdir ORIGINAL ! -s 10.9.0.0/24 -j DROP
-A DOCKER-USER -j RETURN
COMMIT
EOF2
pl_serve tcp:0.0.0.0:22
pl_gen "$PT/std" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,53 --ports 22,8080,9090
# a neighbour that routes docker_gwbridge's network via the node reaches
# the sandbox's 8080 directly too: DOCKER-INGRESS accepts the port for any
# destination (issue 10, direct routing)
ip -n "$OUT" route add 10.18.0.0/16 via "$NODE4"
pl_gen "$PT/direct" --proto tcp --dst 10.18.0.2 --src "$OUT4,$PUB4,$PRIV4" \
	--ports 22,8080,9090
pl_merge "$PT/probes" "$PT/std" "$PT/direct"
pl_check "swarm ingress" "$PT/probes"
pl_audit "$PT/a.json"
fwa_check "$PT/a.json" swarm <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
def rows(port):
    return [r for r in J["exposures"] if r["family"] == "ipv4" and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r.get("route") != "direct"]
r = rows(8080)
expect("tcp/8080 exposed via the ingress sandbox 10.18.0.2 to everyone, despite INPUT's deny",
       len(r) == 1 and r[0]["path"] == "forward" and r[0]["state"] == "exposed"
       and r[0]["backend"]["address"] == "10.18.0.2" and r[0]["sources"] == ["0.0.0.0/0"], r)
r = rows(9090)
expect("tcp/9090 only from 10.9.0.0/24 (DOCKER-USER)",
       r and all(x["sources"] == ["10.9.0.0/24"] for x in r), r)
EOF2
fwa_finish
