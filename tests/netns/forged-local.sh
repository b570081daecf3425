#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forged-local.sh - forged sources on the local path (issue 18).  An
# INPUT accept of a container network's sources without "-i podman0"
# ("-s 10.88.0.0/16 -j ACCEPT", "-s fd00:88::/64 -j ACCEPT") lets a
# stranger on v0 who forges such a source get its first packet to the
# host, but the host answers on podman0 (the network is on-link there):
# for TCP no connection completes, a UDP datagram does arrive.
#	node	v0 (probe-lib.sh), podman0 10.88.0.1/16 fd00:88::1/64 with a
#		container namespace's veth as its port (10.88.0.2)
#	outside	forges 10.88.77.7 and fd00:88::77:7 (addresses on its lo)
# With rp_filter 0 (the default here) and 2 (loose) the packets arrive;
# with 1 (strict, on v0) IPv4's never do (IPv6 has no rp_filter).  Each
# time: real probes from the outside agree with fwaudit (TCP, forged and
# not), the INPUT rule's counters prove the forged SYNs arrived, the node's
# UDP listener logs which forged datagrams arrived and fwaudit's UDP rows
# must say the same; the text equals tests/golden/forged-local.text.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools iptables-nft ip6tables-nft
pl_init
FORGED4=10.88.77.7
FORGED6=fd00:88::77:7
fwa_ns_new CT ct
ip -n "$NODE" link add podman0 type bridge
ip -n "$NODE" addr add 10.88.0.1/16 dev podman0
ip -n "$NODE" addr add fd00:88::1/64 dev podman0 nodad
ip -n "$NODE" link set podman0 up
fwa_veth "$NODE" veth0 "" "$CT" eth0 10.88.0.2/16
ip -n "$NODE" link set veth0 master podman0
ip -n "$CT" addr add fd00:88::2/64 dev eth0 nodad
ip -n "$OUT" addr add "$FORGED4/32" dev lo
ip -n "$OUT" addr add "$FORGED6/128" dev lo nodad
for s in all default v0; do
	ip netns exec "$NODE" sysctl -qw "net.ipv4.conf.$s.rp_filter=0"
done

for t in iptables-nft ip6tables-nft; do
	net=10.88.0.0/16
	[ "$t" = ip6tables-nft ] && net=fd00:88::/64
	ip netns exec "$NODE" "$t" -A INPUT -i lo -j ACCEPT
	ip netns exec "$NODE" "$t" -A INPUT -m conntrack \
		--ctstate RELATED,ESTABLISHED -j ACCEPT
	ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 22 -j ACCEPT
	ip netns exec "$NODE" "$t" -A INPUT -s "$net" -p tcp -j ACCEPT
	ip netns exec "$NODE" "$t" -A INPUT -s "$net" -p udp -j ACCEPT
	# neighbour discovery (as ufw accepts it): without it no IPv6
	# packet arrives once the neighbour entries expire
	[ "$t" = ip6tables-nft ] &&
		ip netns exec "$NODE" "$t" -A INPUT -p ipv6-icmp -j ACCEPT
	ip netns exec "$NODE" "$t" -P INPUT DROP
done
pl_serve tcp:[::]:22 tcp:[::]:7000
# the node's UDP listener: every datagram's source, one a line
fwa_bg UDPL ip netns exec "$NODE" "$PYTHON" -u -c 'import socket,sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7001))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(100)
    print(a[0].replace("::ffff:", ""), d.decode(), flush=True)' > "$PT/udp.log"
for ((i = 0; i < 50; i++)); do grep -q ready "$PT/udp.log" && break; sleep 0.1; done

pl_std_probes "$PT/std" 22,7000 tcp
pl_gen "$PT/forged4" --proto tcp --dst "$NODE4" --src "$FORGED4" --sport 0 \
	--ports 7000
pl_gen "$PT/forged6" --proto tcp --dst "$NODE6" --src "$FORGED6" --sport 0 \
	--ports 7000
pl_merge "$PT/probes" "$PT/std" "$PT/forged4" "$PT/forged6"

# counter TOOL: packets of the "-s NET -p tcp -j ACCEPT" rule (the 4th)
counter() {
	ip netns exec "$NODE" "$1" -L INPUT 4 -v -x -n | awk '{ print $1 }'
}

# round LABEL: probes, counters, datagrams, fwaudit's rows
round() {
	local label=$1 c4 c6 tag=$2 want4

	ip netns exec "$NODE" iptables-nft -Z INPUT
	ip netns exec "$NODE" ip6tables-nft -Z INPUT
	pl_check "$label" "$PT/probes" || true
	c4=$(counter iptables-nft)
	c6=$(counter ip6tables-nft)
	want4=yes
	[ "$tag" = strict ] && want4=no
	if { [ "$want4" = yes ] && [ "$c4" -gt 0 ]; } ||
	   { [ "$want4" = no ] && [ "$c4" -eq 0 ]; }; then
		fwa_pass "$label: forged IPv4 SYNs let in by INPUT: $c4 (expected: $want4)"
	else
		fwa_fail "$label: forged IPv4 SYNs let in by INPUT: $c4 (expected: $want4)"
	fi
	if [ "$c6" -gt 0 ]; then
		fwa_pass "$label: forged IPv6 SYNs let in by INPUT: $c6, no connection"
	else
		fwa_fail "$label: no forged IPv6 SYN reached INPUT"
	fi
	ip netns exec "$OUT" "$PYTHON" -c 'import socket,sys
for src, dst in ((sys.argv[1], sys.argv[3]), (sys.argv[2], sys.argv[4])):
    f = socket.AF_INET6 if ":" in src else socket.AF_INET
    s = socket.socket(f, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for _ in range(3):
        s.sendto(sys.argv[5].encode(), (dst, 7001))' \
		"$FORGED4" "$FORGED6" "$NODE4" "$NODE6" "$tag"
	sleep 1
	pl_audit "$PT/$tag.json"
	FWA_GOT=$(awk -v t="$tag" '$2 == t { print $1 }' "$PT/udp.log" | sort -u |
		paste -sd, -) fwa_check "$PT/$tag.json" "$label" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import ipaddress, os
got = set(x for x in os.environ["FWA_GOT"].split(",") if x)
def reaches(src, proto, port):
    a = ipaddress.ip_address(src)
    fam = "ipv4" if a.version == 4 else "ipv6"
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == proto
            and r["ports"][0] <= port <= r["ports"][1] and "v0" in r["interfaces"]
            and any(a in ipaddress.ip_network(s) for s in r["sources"])
            and r["path"] == "local"]
for src in ("10.88.77.7", "fd00:88::77:7"):
    r = reaches(src, "udp", 7001)
    expect("udp/7001 from forged %s: fwaudit %s, the listener %s" %
           (src, "exposed" if r else "closed", "got it" if src in got else "did not"),
           bool(r) == (src in got) and all(x["state"] == "exposed" for x in r), r)
    r = [x for x in reaches(src, "tcp", 7000) if x["sources"] != ["0.0.0.0/0"]
         and x["sources"] != ["::/0"]]
    expect("tcp/7000 from forged %s: no row names the container network" % src, r == [], r)
PY
}

round "forged sources, rp_filter 0" loose0
sh_golden forged-local
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.v0.rp_filter=2
round "forged sources, rp_filter 2 (loose)" loose2
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.v0.rp_filter=1
round "forged sources, rp_filter 1 (strict)" strict
fwa_finish
