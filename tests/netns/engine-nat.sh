#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-nat.sh - the engine against real packets through NAT: REDIRECT
# (to a port with a listener and to one without), DNAT to another local
# address (a listener bound to that address only), DNAT with nft and with
# iptables-nft to a backend namespace behind the node (filtered in the
# forward hook, also by source), first with forwarding on, then off (the
# forwarded ports must then be closed).  Filter rules after NAT see the
# rewritten port.  Every probe must agree with fwaudit.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-nft
pl_init
fwa_ns_new BACK back
fwa_veth "$NODE" v2 10.77.0.1/24 "$BACK" v3 10.77.0.2/24
ip -n "$BACK" route add default via 10.77.0.1
fwa_dummy "$NODE" d0 198.51.100.50/32
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1

ip netns exec "$NODE" nft -f - <<'EOF2'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8081 redirect to :8080
		tcp dport 8082 redirect to :8090
		tcp dport 2222 dnat to 198.51.100.50:9000
		tcp dport 8000 dnat to 10.77.0.2:80
		udp dport 5353 dnat to 10.77.0.2:53
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		meta l4proto ipv6-icmp accept
		ip saddr 10.9.0.0/24 tcp dport 8080 reject with icmpx admin-prohibited
		tcp dport { 8080, 8090, 9000 } accept
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ip daddr 10.77.0.2 ip saddr 203.0.113.0/24 tcp dport 80 drop
		ip daddr 10.77.0.2 tcp dport 80 accept
		ip daddr 10.77.0.2 udp dport 53 accept
	}
}
EOF2
ip netns exec "$NODE" iptables-nft -t nat -A PREROUTING -p tcp --dport 8001 \
	-j DNAT --to-destination 10.77.0.2:81
ip netns exec "$NODE" iptables-nft -A FORWARD -d 10.77.0.2 -p tcp --dport 81 -j ACCEPT

pl_serve tcp:0.0.0.0:8080 tcp:198.51.100.50:9000 tcp:0.0.0.0:22
# the backend's listeners
fwa_bg bpid ip netns exec "$BACK" "$PYTHON" "$PROBE_PY" serve \
	tcp:0.0.0.0:80-81 udp:0.0.0.0:53 > "$PT/back.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/back.out" && break; sleep 0.05; done

PORTS=22,2222,5353,8000-8002,8080-8082,8090,9000
pl_gen "$PT/probes" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,53 --ports "$PORTS"
pl_check "nat, forwarding on" "$PT/probes"

pl_audit "$PT/a.json"
fwa_check "$PT/a.json" nat <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
def rows(proto, port, **kw):
    return [r for r in J["exposures"] if r["family"] == "ipv4" and r["protocol"] == proto
            and r["ports"][0] <= port <= r["ports"][1]
            and all(r.get(k) == v for k, v in kw.items())]
r = rows("tcp", 8000, path="forward", state="exposed")
expect("tcp/8000 forwarded to 10.77.0.2:80", r and all(
    x["backend"] and x["backend"]["address"] == "10.77.0.2" and x["backend"]["ports"] == [80, 80]
    for x in r), r)
expect("tcp/8000 not from 203.0.113.0/24", r and all(
    not any(s.startswith("203.0.113.") or s == "0.0.0.0/0" for s in x["sources"]) for x in r), r)
r = rows("tcp", 2222)
expect("tcp/2222 reaches the listener on 198.51.100.50:9000",
       len(r) == 1 and r[0]["listener"] and r[0]["listener"]["address"] == "198.51.100.50", r)
EOF2

ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=0
ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
pl_check "nat, forwarding off" "$PT/probes"
pl_audit "$PT/b.json"
fwa_check "$PT/b.json" "forwarding off" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
fw = [r for r in J["exposures"] if r["path"] == "forward" and r["family"] == "ipv4"]
expect("nothing is forwarded with ip_forward=0", not fw, fw)
EOF2
fwa_finish
