#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-kube-proxy.sh - kube-proxy's rules as v1.31+ writes them (issue 9),
# IPv4 and IPv6 (dual stack: one proxier per family), in both modes:
#  1. iptables mode (pkg/proxy/iptables/proxier.go; the shapes of its
#     TestOverallIPTablesRules): filter INPUT/FORWARD/OUTPUT jumps to
#     KUBE-PROXY-FIREWALL, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES,
#     KUBE-SERVICES, KUBE-FORWARD, KUBE-FIREWALL; nat KUBE-SERVICES ->
#     KUBE-SVC-* (-m statistic --mode random --probability 0.5 between two
#     KUBE-SEP-* DNATs), KUBE-EXT-*, KUBE-MARK-MASQ, KUBE-NODEPORTS behind
#     "-m addrtype --dst-type LOCAL", KUBE-POSTROUTING; loaded with
#     iptables-nft-restore (which turns the statistic match into "meta
#     random");
#  2. nftables mode (pkg/proxy/nftables/proxier.go; its baseRules and
#     TestOverallNFTablesRules): table ip/ip6 kube-proxy with the
#     cluster-ips and nodeport-ips sets, the service-ips,
#     service-nodeports, no-endpoint-* verdict maps, "numgen random mod 2
#     vmap" between the two endpoints, the filter-* base chains.
# The services (chain names hashed as kube-proxy hashes them):
#	default/web  NodePort 30080, ClusterIP 10.96.0.10 / 2001:db8:96::10
#	             port 80 -> 10.244.0.4:8080 and 10.244.0.5:8080 (and the
#	             IPv6 pods 2001:db8:244::4/5)
#	default/db   ClusterIP only 10.96.0.20 / 2001:db8:96::20 port 5432
#	             -> 10.244.0.4:5432
#	default/empty NodePort 30090, ClusterIP 10.96.0.30 port 80, no
#	             endpoints (rejected)
#	default/dns  NodePort 30053/udp, ClusterIP 10.96.0.53 / 2001:db8:96::53
#	             port 53/udp -> the first pod's 53 (an echo)
# The pods are two namespaces on the bridge cni0 (10.244.0.0/24,
# 2001:db8:244::/64).  The nfacct matches kube-proxy adds only where the
# kernel has nfacct objects (not here) are left out.
# Expected, both modes: tcp/30080 forwarded from everyone (both pods
# answer: the random split is definite), 30090 and the ClusterIPs' ports
# not reachable from outside, every probe agrees, nothing "possible".
# (nftables mode takes NodePorts only on the nodeport-ips, 198.51.100.1
# and 2001:db8:1::1: on cni0's address they are the host's own, open.)
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools iptables-nft-restore ip6tables-nft-restore
pl_init

# pods: the bridge cni0 in $NODE and two pod namespaces with listeners
pods() {
	local n i

	ip -n "$NODE" link add cni0 type bridge
	ip -n "$NODE" link set cni0 up
	ip -n "$NODE" addr add 10.244.0.1/24 dev cni0
	ip -n "$NODE" addr add 2001:db8:244::1/64 dev cni0 nodad
	ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
	for i in 4 5; do
		fwa_ns_new n pod
		ip -n "$NODE" link add "veth$i" type veth peer name eth0 netns "$n"
		ip -n "$NODE" link set "veth$i" master cni0 up
		ip -n "$n" addr add "10.244.0.$i/24" dev eth0
		ip -n "$n" addr add "2001:db8:244::$i/64" dev eth0 nodad
		ip -n "$n" link set eth0 up
		ip -n "$n" route add default via 10.244.0.1
		ip -n "$n" -6 route add default via 2001:db8:244::1
		if [ "$i" = 4 ]; then
			set -- 'tcp:[::]:8080' 'tcp:[::]:5432' 'udp:[::]:53'
		else
			set -- 'tcp:[::]:8080'
		fi
		fwa_bg pid ip netns exec "$n" "$PYTHON" "$PROBE_PY" serve "$@" \
			> "$PT/pod$i.$NODE" 2>&1
		for ((k = 0; k < 100; k++)); do
			grep -q ready "$PT/pod$i.$NODE" && break
			sleep 0.05
		done
	done
}

# the node knows the pods before the first probe (no ping here: a
# connection from the node; a SYN waiting for neighbour discovery would
# time out and agree with "closed" by accident)
warm() {
	local a

	for a in 10.244.0.4 10.244.0.5 2001:db8:244::4 2001:db8:244::5; do
		for ((k = 0; k < 20; k++)); do
			[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp "$a" 8080 --timeout 1)" = connected ] && break
			sleep 0.25
		done
	done
}

# kube-proxy's chain names: ih SERVICE-PORT PROTO [ENDPOINT] gives the 16
# characters of KUBE-SVC-/KUBE-EXT-/KUBE-SEP- (iptables: base32 of the
# sha256 of the names), nh NAME the HASH-NAME of service-/external-/
# endpoint- (nftables: hashAndTruncate)
ih() {
	"$PYTHON" -c 'import base64, hashlib, sys
print(base64.b32encode(hashlib.sha256("".join(sys.argv[1:]).encode()).digest()).decode()[:16])' "$@"
}
nh() {
	"$PYTHON" -c 'import base64, hashlib, sys
print(base64.b32encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode()[:8] + "-" + sys.argv[1])' "$1"
}

# iptables_rules FAMILY(4|6): kube-proxy's iptables-restore input
iptables_rules() {
	local f=$1 cidr svcweb svcdb svcempty svcdns ep4 ep5 self
	local web db dns sep4 sep5 sepdb sepdns
	if [ "$f" = 4 ]; then
		cidr=10.244.0.0/16 svcweb=10.96.0.10 svcdb=10.96.0.20 svcempty=10.96.0.30
		svcdns=10.96.0.53 ep4=10.244.0.4 ep5=10.244.0.5 self="/32"
	else
		cidr=2001:db8:244::/56 svcweb=2001:db8:96::10 svcdb=2001:db8:96::20
		svcempty=2001:db8:96::30 svcdns=2001:db8:96::53
		ep4=2001:db8:244::4 ep5=2001:db8:244::5 self="/128"
	fi
	# DNAT targets: [v6]:port
	dn() { if [ "$f" = 4 ]; then echo "$1:$2"; else echo "[$1]:$2"; fi; }
	web=$(ih default/web:http tcp) db=$(ih default/db:pg tcp)
	dns=$(ih default/dns:dns udp)
	sep4=$(ih default/web:http tcp "$(dn "$ep4" 8080)")
	sep5=$(ih default/web:http tcp "$(dn "$ep5" 8080)")
	sepdb=$(ih default/db:pg tcp "$(dn "$ep4" 5432)")
	sepdns=$(ih default/dns:dns udp "$(dn "$ep4" 53)")
	cat <<EOR
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-SERVICES -m comment --comment "default/empty:http has no endpoints" -m tcp -p tcp -d $svcempty --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/empty:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30090 -j REJECT
EOR
	[ "$f" = 4 ] && cat <<EOR
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
EOR
	cat <<EOR
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-EXT-$web - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-$sep4 - [0:0]
:KUBE-SEP-$sep5 - [0:0]
:KUBE-SEP-$sepdb - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-$web - [0:0]
:KUBE-SVC-$db - [0:0]
:KUBE-EXT-$dns - [0:0]
:KUBE-SEP-$sepdns - [0:0]
:KUBE-SVC-$dns - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-NODEPORTS -m comment --comment default/dns:dns -m udp -p udp --dport 30053 -j KUBE-EXT-$dns
-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-$web
-A KUBE-SERVICES -m comment --comment "default/dns:dns cluster IP" -m udp -p udp -d $svcdns --dport 53 -j KUBE-SVC-$dns
-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d $svcweb --dport 80 -j KUBE-SVC-$web
-A KUBE-SERVICES -m comment --comment "default/db:pg cluster IP" -m tcp -p tcp -d $svcdb --dport 5432 -j KUBE-SVC-$db
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-$dns -m comment --comment "masquerade traffic for default/dns:dns external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-$dns -j KUBE-SVC-$dns
-A KUBE-EXT-$web -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-$web -j KUBE-SVC-$web
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-$sep4 -m comment --comment default/web:http -s $ep4$self -j KUBE-MARK-MASQ
-A KUBE-SEP-$sep4 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination $(dn "$ep4" 8080)
-A KUBE-SEP-$sep5 -m comment --comment default/web:http -s $ep5$self -j KUBE-MARK-MASQ
-A KUBE-SEP-$sep5 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination $(dn "$ep5" 8080)
-A KUBE-SEP-$sepdns -m comment --comment default/dns:dns -s $ep4$self -j KUBE-MARK-MASQ
-A KUBE-SEP-$sepdns -m comment --comment default/dns:dns -m udp -p udp -j DNAT --to-destination $(dn "$ep4" 53)
-A KUBE-SEP-$sepdb -m comment --comment default/db:pg -s $ep4$self -j KUBE-MARK-MASQ
-A KUBE-SEP-$sepdb -m comment --comment default/db:pg -m tcp -p tcp -j DNAT --to-destination $(dn "$ep4" 5432)
-A KUBE-SVC-$web -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d $svcweb --dport 80 ! -s $cidr -j KUBE-MARK-MASQ
-A KUBE-SVC-$web -m comment --comment "default/web:http -> $(dn "$ep4" 8080)" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-$sep4
-A KUBE-SVC-$web -m comment --comment "default/web:http -> $(dn "$ep5" 8080)" -j KUBE-SEP-$sep5
-A KUBE-SVC-$db -m comment --comment "default/db:pg cluster IP" -m tcp -p tcp -d $svcdb --dport 5432 ! -s $cidr -j KUBE-MARK-MASQ
-A KUBE-SVC-$db -m comment --comment "default/db:pg -> $(dn "$ep4" 5432)" -j KUBE-SEP-$sepdb
-A KUBE-SVC-$dns -m comment --comment "default/dns:dns cluster IP" -m udp -p udp -d $svcdns --dport 53 ! -s $cidr -j KUBE-MARK-MASQ
-A KUBE-SVC-$dns -m comment --comment "default/dns:dns -> $(dn "$ep4" 53)" -j KUBE-SEP-$sepdns
COMMIT
EOR
}

# nft_rules FAMILY(ip|ip6): kube-proxy's nftables table
nft_rules() {
	local f=$1 a cidr svcweb svcdb svcempty svcdns ep4 ep5 node svcnet
	if [ "$f" = ip ]; then
		a=ipv4_addr cidr=10.244.0.0/16 svcweb=10.96.0.10 svcdb=10.96.0.20
		svcempty=10.96.0.30 svcdns=10.96.0.53 ep4=10.244.0.4 ep5=10.244.0.5
		node=$NODE4 svcnet=10.96.0.0/16
	else
		a=ipv6_addr cidr=2001:db8:244::/56 svcweb=2001:db8:96::10
		svcdb=2001:db8:96::20 svcempty=2001:db8:96::30 svcdns=2001:db8:96::53
		ep4=2001:db8:244::4 ep5=2001:db8:244::5 node=$NODE6
		svcnet=2001:db8:96::/112
	fi
	dn() { if [ "$f" = ip ]; then echo "$1:$2"; else echo "[$1]:$2"; fi; }
	# an IPv6 endpoint's colons become dots in its chain's name
	local c4=${ep4//:/.} c5=${ep5//:/.} web db dns e4 e5 edb edns
	web=$(nh default/web/tcp/http) db=$(nh default/db/tcp/pg)
	dns=$(nh default/dns/udp/dns)
	e4=$(nh "default/web/tcp/http__$c4/8080") e5=$(nh "default/web/tcp/http__$c5/8080")
	edb=$(nh "default/db/tcp/pg__$c4/5432") edns=$(nh "default/dns/udp/dns__$c4/53")
	cat <<EOR
add table $f kube-proxy { comment "rules for kube-proxy" ; }
add set $f kube-proxy cluster-ips { type $a ; comment "Active ClusterIPs" ; }
add set $f kube-proxy nodeport-ips { type $a ; comment "IPs that accept NodePort traffic" ; }
add map $f kube-proxy firewall-ips { type $a . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map $f kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map $f kube-proxy no-endpoint-services { type $a . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map $f kube-proxy service-ips { type $a . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map $f kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add chain $f kube-proxy cluster-ips-check
add chain $f kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain $f kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain $f kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain $f kube-proxy filter-input { type filter hook input priority 0 ; }
add chain $f kube-proxy filter-output { type filter hook output priority 0 ; }
add chain $f kube-proxy firewall-check
add chain $f kube-proxy mark-for-masquerade
add chain $f kube-proxy masquerading
add chain $f kube-proxy nat-output { type nat hook output priority -100 ; }
add chain $f kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain $f kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain $f kube-proxy nodeport-endpoints-check
add chain $f kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain $f kube-proxy services
add chain $f kube-proxy service-endpoints-check
add rule $f kube-proxy cluster-ips-check $f daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule $f kube-proxy cluster-ips-check $f daddr { $svcnet } drop comment "Drop traffic to unallocated ClusterIPs"
add rule $f kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule $f kube-proxy filter-forward ct state new jump service-endpoints-check
add rule $f kube-proxy filter-forward ct state new jump cluster-ips-check
add rule $f kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule $f kube-proxy filter-input ct state new jump service-endpoints-check
add rule $f kube-proxy filter-output ct state new jump service-endpoints-check
add rule $f kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule $f kube-proxy filter-output ct state new jump cluster-ips-check
add rule $f kube-proxy firewall-check $f daddr . meta l4proto . th dport vmap @firewall-ips
add rule $f kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule $f kube-proxy masquerading mark and 0x4000 == 0 return
add rule $f kube-proxy masquerading mark set mark xor 0x4000
add rule $f kube-proxy masquerading masquerade fully-random
add rule $f kube-proxy nat-output jump services
add rule $f kube-proxy nat-postrouting jump masquerading
add rule $f kube-proxy nat-prerouting jump services
add rule $f kube-proxy nodeport-endpoints-check $f daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule $f kube-proxy reject-chain reject
add rule $f kube-proxy services $f daddr . meta l4proto . th dport vmap @service-ips
add rule $f kube-proxy services $f daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add element $f kube-proxy nodeport-ips { $node }
add rule $f kube-proxy service-endpoints-check $f daddr . meta l4proto . th dport vmap @no-endpoint-services
add chain $f kube-proxy service-$web
add rule $f kube-proxy service-$web $f daddr $svcweb $f saddr != $cidr jump mark-for-masquerade
add rule $f kube-proxy service-$web numgen random mod 2 vmap { 0 : goto endpoint-$e4 , 1 : goto endpoint-$e5 }
add chain $f kube-proxy external-$web
add rule $f kube-proxy external-$web jump mark-for-masquerade
add rule $f kube-proxy external-$web goto service-$web
add chain $f kube-proxy endpoint-$e4
add rule $f kube-proxy endpoint-$e4 $f saddr $ep4 jump mark-for-masquerade
add rule $f kube-proxy endpoint-$e4 meta l4proto tcp dnat to $(dn "$ep4" 8080)
add chain $f kube-proxy endpoint-$e5
add rule $f kube-proxy endpoint-$e5 $f saddr $ep5 jump mark-for-masquerade
add rule $f kube-proxy endpoint-$e5 meta l4proto tcp dnat to $(dn "$ep5" 8080)
add element $f kube-proxy cluster-ips { $svcweb }
add element $f kube-proxy service-ips { $svcweb . tcp . 80 : goto service-$web }
add element $f kube-proxy service-nodeports { tcp . 30080 : goto external-$web }
add chain $f kube-proxy service-$db
add rule $f kube-proxy service-$db $f daddr $svcdb $f saddr != $cidr jump mark-for-masquerade
add rule $f kube-proxy service-$db numgen random mod 1 vmap { 0 : goto endpoint-$edb }
add chain $f kube-proxy endpoint-$edb
add rule $f kube-proxy endpoint-$edb $f saddr $ep4 jump mark-for-masquerade
add rule $f kube-proxy endpoint-$edb meta l4proto tcp dnat to $(dn "$ep4" 5432)
add element $f kube-proxy cluster-ips { $svcdb }
add element $f kube-proxy service-ips { $svcdb . tcp . 5432 : goto service-$db }
add chain $f kube-proxy service-$dns
add rule $f kube-proxy service-$dns $f daddr $svcdns $f saddr != $cidr jump mark-for-masquerade
add rule $f kube-proxy service-$dns numgen random mod 1 vmap { 0 : goto endpoint-$edns }
add chain $f kube-proxy external-$dns
add rule $f kube-proxy external-$dns jump mark-for-masquerade
add rule $f kube-proxy external-$dns goto service-$dns
add chain $f kube-proxy endpoint-$edns
add rule $f kube-proxy endpoint-$edns $f saddr $ep4 jump mark-for-masquerade
add rule $f kube-proxy endpoint-$edns meta l4proto udp dnat to $(dn "$ep4" 53)
add element $f kube-proxy cluster-ips { $svcdns }
add element $f kube-proxy service-ips { $svcdns . udp . 53 : goto service-$dns }
add element $f kube-proxy service-nodeports { udp . 30053 : goto external-$dns }
add element $f kube-proxy cluster-ips { $svcempty }
add element $f kube-proxy no-endpoint-services { $svcempty . tcp . 80 comment "default/empty:http" : goto reject-chain }
add element $f kube-proxy no-endpoint-nodeports { tcp . 30090 comment "default/empty:http" : goto reject-chain }
EOR
}

check_mode() {
	local label=$1

	pl_serve 'tcp:[::]:22'
	warm
	pl_std_probes "$PT/probes.$label" 22,53,80,5432,8080,30053,30080,30090 tcp,udp
	PL_TIMEOUT=1.5 pl_check "kube-proxy $label" "$PT/probes.$label" --reset-rejects || true
	sh_possible "kube-proxy $label"
	fwa_check "$SH_AUDIT" "$label" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
# rows at the node's address on v0 (nftables mode takes NodePorts only on
# the nodeport-ips, not on cni0's address)
def at_node(r):
    return r["address"] == "*" or bool({"198.51.100.1", "2001:db8:1::1"} &
                                       set(r["address"].split(",")))
def rows(fam, port, path=None):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["state"] != "closed"
            and (path is None or r["path"] == path) and at_node(r)]
for fam, pods in (("ipv4", ("10.244.0.4", "10.244.0.5")),
                  ("ipv6", ("2001:db8:244::4", "2001:db8:244::5"))):
    r = rows(fam, 30080, "forward")
    expect(fam + " tcp/30080 (NodePort) forwarded to both pods from everyone",
           sorted({x["backend"]["address"] for x in r}) == sorted(pods)
           and all(everyone(x["sources"], "forward") and x["state"] == "exposed"
                   for x in r), r)
    r = [x for x in J["exposures"] if x["family"] == fam and x["protocol"] == "udp"
         and x["ports"][0] <= 30053 <= x["ports"][1] and x["path"] == "forward" and at_node(x)]
    expect(fam + " udp/30053 (NodePort) forwarded to the first pod port 53 from everyone",
           len(r) == 1 and r[0]["backend"]["address"] == pods[0]
           and r[0]["backend"]["ports"] == [53, 53] and r[0]["state"] == "exposed", r)
    expect(fam + " tcp/30090 (no endpoints) not reachable", rows(fam, 30090) == [],
           rows(fam, 30090))
    expect(fam + " nothing forwarded on 80 or 5432 (ClusterIP only)",
           rows(fam, 80, "forward") == [] and rows(fam, 5432, "forward") == [],
           rows(fam, 80, "forward") + rows(fam, 5432, "forward"))
PY
	sh_golden "shape-kube-proxy-$label"
}

# 1. iptables mode
pods
ip netns exec "$NODE" iptables-nft-restore < <(iptables_rules 4)
ip netns exec "$NODE" ip6tables-nft-restore < <(iptables_rules 6)
check_mode iptables

# 2. nftables mode, on a fresh node
pl_pair
pods
# objects before the rules that name them, as kube-proxy's transaction
# creates every chain of a sync before its rules
{ nft_rules ip; nft_rules ip6; } |
	awk '/^add (table|set|map|chain) /{ print; next } { rest = rest $0 "\n" }
	     END { printf "%s", rest }' > "$PT/kube.nft"
ip netns exec "$NODE" nft -f "$PT/kube.nft"
check_mode nftables
fwa_finish
