#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-docker28-gwmode.sh - Docker 28's bridge gateway modes, trusted host
# interfaces and --allow-direct-routing, with real packets (issue 10,
# "Exposures beyond the host's own addresses"; moby#45610).
#
# Docker 28 does not run here (dockerd is 20.10), so each ruleset is the
# one moby v28.5.2 (tag v28.5.2, commit 89c5e8fd66634b6128fc4c0e6f1236e2540e46e0)
# writes, read from its source:
#   libnetwork/drivers/bridge/internal/iptabler/
#     iptabler.go  setupIPChains(): the chains, FORWARD -> DOCKER-USER,
#                  DOCKER-FORWARD -> DOCKER-CT, DOCKER-ISOLATION-STAGE-1,
#                  DOCKER-BRIDGE; nat PREROUTING/OUTPUT -> DOCKER
#                  (addNATJumpRules); 28.0.0's ipset rules ("-m set
#                  --match-set docker-ext-bridges-v4 dst") are deleted here,
#                  so the v28.5 shape has no ipset
#     network.go   setupNonInternalNetworkRules(): MASQUERADE unless routed,
#                  nat "DOCKER -i BR -j RETURN" (userland proxy on), the ICMP
#                  accept in routed mode (setICMP), DOCKER-FORWARD
#                  "-i BR -j ACCEPT"; setDefaultForwardRule(): "DOCKER
#                  ! -i BR -o BR -j DROP", ACCEPT for nat-unprotected;
#                  setINC(): DOCKER-ISOLATION-STAGE-1/2, and in routed mode
#                  "-o BR -j RETURN" and "-i BR --ctstate RELATED,
#                  ESTABLISHED -j ACCEPT" inserted first;
#                  setupInternalNetworkRules(): internal networks ("! -d
#                  PREFIX -i BR -j DROP", "! -s PREFIX -o BR -j DROP";
#                  IPv6 with "! -o BR"/"! -i BR"), setIcc()
#     port.go      setPerPortNAT(): the DNAT ("! -i BR", IPv6 "! -s
#                  fe80::/10"), none in routed mode (port_mapping_linux.go
#                  sets HostPort 0 when NAT is disabled);
#                  setPerPortForwarding(): "DOCKER -d CONTAINER ! -i BR -o BR
#                  --dport PORT -j ACCEPT" for every binding, none for
#                  nat-unprotected; filterPortMappedOnLoopback(): raw
#                  "-d 127.0.0.1 ! -i lo --dport HOSTPORT -j DROP"
#     endpoint.go  filterDirectAccess(): raw "-d CONTAINER ! -i BR -j DROP",
#                  preceded by "-d CONTAINER -i IF -j ACCEPT" for each
#                  trusted host interface; none for internal networks,
#                  nat-unprotected, routed, or with --allow-direct-routing
#   libnetwork/drivers/bridge/bridge_linux.go: "isolated" is for internal
#     networks only; the bridge then gets no IPv4 address and IPv6 is
#     disabled on it (setup_ipv4_linux.go, setup_ipv6_linux.go)
#   integration/network/bridge/iptablesdoc/generated/usernet-portmap*.md,
#     usernet-internal.md: the same rules as iptables -S prints them.
#
# The network:
#	docker network create --ipv6 --subnet 10.79.0.0/24 \
#	  --subnet 2001:db8:79::/64 [-o ...gateway_mode_ipv4=MODE
#	  -o ...gateway_mode_ipv6=MODE] [-o ...trusted_host_interfaces=v0] net1
#	docker run --network net1 -p 8080:80 -p 127.0.0.1:8081:81 \
#	  -p 198.51.100.1:8082:9000 ...
# (bridge br-79aa55bb66cc; docker0 10.17.0.1/16 stands for 172.17.0.0/16,
# empty).  A container namespace behind the bridge (10.79.0.2,
# 2001:db8:79::2) listens on 80, 81, 8080 and 9000.  The outside namespace
# is a neighbour on v0 that routes 10.79.0.0/24 (and 2001:db8::/32) via the
# node: its probes go to the node's addresses and straight to the
# container's.  A second neighbour on a second ingress link v2 (10.80.0.0/24,
# 2001:db8:80::/64, not trusted) does the same: 8082, published on v0's
# address only, is DNATed for it too (a port published on one host address
# is reachable through another link), and trusted_host_interfaces=v0 does
# not let its direct probes in.  Each case requires every probe, IPv4 and IPv6, to agree
# with fwaudit, with no Docker API (the ruleset alone), nothing
# "possible", and the rows each mode implies:
#   nat (default)       8080 on the node's addresses -> container:80, 8082
#                       on 198.51.100.1 from v0 and v2 -> container:9000;
#                       nothing direct (raw drops)
#   trusted v0          direct 80, 81 and 9000 (the published container
#                       ports, 81 only published on 127.0.0.1) from v0
#                       only; 8080 not
#   allow-direct-routing  the same from v0 and v2, no raw drop at all
#   nat-unprotected     DNATs as nat; direct: every container port
#   routed              no DNAT (8080, 8082 closed on the node), direct
#                       80, 81 and 9000 only
#   isolated            internal, no address on the bridge: nothing
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

BR=br-79aa55bb66cc
C4=10.79.0.2
C6=2001:db8:79::2
fwa_require_tools iptables-nft-restore ip6tables-nft-restore ipset
pl_init
fwa_ns_new BK container
ip -n "$NODE" link add docker0 type bridge
ip -n "$NODE" link set docker0 up
ip -n "$NODE" addr add 10.17.0.1/16 dev docker0
ip -n "$NODE" link add "$BR" type bridge
ip -n "$NODE" link set "$BR" up
ip -n "$NODE" link add veth79 type veth peer name eth0 netns "$BK"
ip -n "$NODE" link set veth79 master "$BR" up
ip -n "$BK" addr add "$C4/24" dev eth0
ip -n "$BK" addr add "$C6/64" dev eth0 nodad
ip -n "$BK" link set eth0 up
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
# the neighbour routes the container network via the node (IPv6: pl_pair's
# 2001:db8::/32 via the node)
ip -n "$OUT" route add 10.79.0.0/24 via "$NODE4"
# the second neighbour, on v2 (an ingress link that is not trusted)
fwa_ns_new OUT2 out2
fwa_veth "$NODE" v2 10.80.0.1/24 "$OUT2" v3 10.80.0.2/24
ip -n "$NODE" addr add 2001:db8:80::1/64 dev v2 nodad
ip -n "$OUT2" addr add 2001:db8:80::2/64 dev v3 nodad
ip -n "$OUT2" route add default via 10.80.0.1
ip -n "$OUT2" -6 route add default via 2001:db8:80::1
for s in net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0; do
	ip netns exec "$OUT2" sysctl -qw "$s" 2>/dev/null || true
done
ip netns exec "$OUT2" ping -c1 -W1 10.80.0.1 >/dev/null 2>&1 || true
ip netns exec "$OUT2" ping -6 -c1 -W1 2001:db8:80::1 >/dev/null 2>&1 || true
fwa_bg bpid ip netns exec "$BK" "$PYTHON" "$PROBE_PY" serve \
	'tcp:[::]:80' 'tcp:[::]:81' 'tcp:[::]:8080' 'tcp:[::]:9000' > "$PT/bk.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/bk.out" && break; sleep 0.05; done
grep -q ready "$PT/bk.out" || fwa_die "container listeners did not start: $(cat "$PT/bk.out")"
pl_serve 'tcp:[::]:22'

# bridge_addrs on|off: the gateway addresses on the bridge and the
# container's default routes (Docker's network gateway), or none
# ("isolated": no IPv4 address, IPv6 disabled on the bridge)
bridge_addrs() {
	ip -n "$NODE" addr flush dev "$BR"
	ip -n "$BK" route flush default 2>/dev/null || true
	ip -n "$BK" -6 route flush default 2>/dev/null || true
	if [ "$1" = on ]; then
		ip netns exec "$NODE" sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=0"
		ip -n "$NODE" addr add 10.79.0.1/24 dev "$BR"
		ip -n "$NODE" addr add 2001:db8:79::1/64 dev "$BR" nodad
		ip -n "$BK" route add default via 10.79.0.1
		ip -n "$BK" -6 route add default via 2001:db8:79::1
	else
		ip netns exec "$NODE" sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1"
	fi
}

# ruleset MODE [trusted|direct]: iptables-save text of moby v28.5.2 for
# net1 in gateway mode MODE (nat, nat-unprotected, routed, isolated) with
# the trusted host interface v0 or --allow-direct-routing; FAM 4 or 6.
# Rule order is the order moby's calls leave (appends, and inserts at the
# top for per-port accepts and routed/internal isolation rules).
ruleset() {
	local mode=$1 opt=${2:-} fam=$3 c pfx lo_drop=yes
	if [ "$fam" = 4 ]; then c=$C4; pfx=10.79.0.0/24; else c=$C6; pfx=2001:db8:79::/64; fi

	# raw PREROUTING: endpoint.go filterDirectAccess() at endpoint creation,
	# port.go filterPortMappedOnLoopback() at port publishing (IPv4 only;
	# none where HostPort is 0, routed)
	echo '*raw'
	echo ':PREROUTING ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	if [ "$mode" = nat ] && [ "$opt" != direct ]; then
		[ "$opt" = trusted ] && echo "-A PREROUTING -d $c -i v0 -j ACCEPT"
		echo "-A PREROUTING -d $c ! -i $BR -j DROP"
	fi
	case $mode in routed|isolated) lo_drop=no ;; esac
	[ "$fam" = 4 ] && [ "$lo_drop" = yes ] &&
		echo "-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8081 -j DROP"
	echo 'COMMIT'

	echo '*nat'
	echo ':PREROUTING ACCEPT [0:0]'
	echo ':INPUT ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	echo ':POSTROUTING ACCEPT [0:0]'
	echo ':DOCKER - [0:0]'
	echo '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER'
	if [ "$fam" = 4 ]; then
		echo '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER'
	else
		echo '-A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER'
	fi
	# network.go: MASQUERADE unless routed (none for internal networks)
	case $mode in nat|nat-unprotected)
		echo "-A POSTROUTING -s $pfx ! -o $BR -j MASQUERADE" ;;
	esac
	[ "$fam" = 4 ] && echo '-A POSTROUTING -s 10.17.0.0/16 ! -o docker0 -j MASQUERADE'
	[ "$mode" != isolated ] && echo "-A DOCKER -i $BR -j RETURN"
	[ "$fam" = 4 ] && echo '-A DOCKER -i docker0 -j RETURN'
	case $mode in nat|nat-unprotected)
		if [ "$fam" = 4 ]; then
			echo "-A DOCKER ! -i $BR -p tcp -m tcp --dport 8080 -j DNAT --to-destination $c:80"
			echo "-A DOCKER -d 127.0.0.1/32 ! -i $BR -p tcp -m tcp --dport 8081 -j DNAT --to-destination $c:81"
			echo "-A DOCKER -d 198.51.100.1/32 ! -i $BR -p tcp -m tcp --dport 8082 -j DNAT --to-destination $c:9000"
		else
			echo "-A DOCKER ! -s fe80::/10 ! -i $BR -p tcp -m tcp --dport 8080 -j DNAT --to-destination [$c]:80"
		fi ;;
	esac
	echo 'COMMIT'

	echo '*filter'
	echo ':INPUT ACCEPT [0:0]'
	echo ':FORWARD ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	local ch
	for ch in DOCKER DOCKER-BRIDGE DOCKER-CT DOCKER-FORWARD \
		  DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER-USER; do
		echo ":$ch - [0:0]"
	done
	echo '-A FORWARD -j DOCKER-USER'
	echo '-A FORWARD -j DOCKER-FORWARD'
	# port.go setPerPortForwarding(): inserted at the top, the last
	# binding first (127.0.0.1:8081:81 and 198.51.100.1:8082:9000 are
	# IPv4 only)
	case $mode in nat|routed)
		[ "$fam" = 4 ] &&
			echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 9000 -j ACCEPT" &&
			echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 81 -j ACCEPT"
		echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 80 -j ACCEPT" ;;
	esac
	[ "$fam" = 4 ] && echo '-A DOCKER ! -i docker0 -o docker0 -j DROP'
	case $mode in
	nat) echo "-A DOCKER ! -i $BR -o $BR -j DROP" ;;
	nat-unprotected) echo "-A DOCKER ! -i $BR -o $BR -j ACCEPT" ;;
	routed)
		if [ "$fam" = 4 ]; then
			echo "-A DOCKER -o $BR -p icmp -j ACCEPT"
		else
			echo "-A DOCKER -o $BR -p ipv6-icmp -j ACCEPT"
		fi
		echo "-A DOCKER ! -i $BR -o $BR -j DROP" ;;
	esac
	[ "$fam" = 4 ] && echo '-A DOCKER-BRIDGE -o docker0 -j DOCKER'
	[ "$mode" != isolated ] && echo "-A DOCKER-BRIDGE -o $BR -j DOCKER"
	[ "$fam" = 4 ] &&
		echo '-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
	[ "$mode" != isolated ] &&
		echo "-A DOCKER-CT -o $BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	echo '-A DOCKER-FORWARD -j DOCKER-CT'
	echo '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1'
	echo '-A DOCKER-FORWARD -j DOCKER-BRIDGE'
	[ "$fam" = 4 ] && echo '-A DOCKER-FORWARD -i docker0 -j ACCEPT'
	if [ "$mode" = isolated ]; then
		echo "-A DOCKER-FORWARD -i $BR -o $BR -j ACCEPT"
	else
		echo "-A DOCKER-FORWARD -i $BR -j ACCEPT"
	fi
	case $mode in
	routed)
		echo "-A DOCKER-ISOLATION-STAGE-1 -i $BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
		echo "-A DOCKER-ISOLATION-STAGE-1 -o $BR -j RETURN" ;;
	isolated)
		if [ "$fam" = 4 ]; then
			echo "-A DOCKER-ISOLATION-STAGE-1 ! -s $pfx -o $BR -j DROP"
			echo "-A DOCKER-ISOLATION-STAGE-1 ! -d $pfx -i $BR -j DROP"
		else
			echo "-A DOCKER-ISOLATION-STAGE-1 ! -s $pfx ! -i $BR -o $BR -j DROP"
			echo "-A DOCKER-ISOLATION-STAGE-1 ! -d $pfx -i $BR ! -o $BR -j DROP"
		fi ;;
	esac
	[ "$fam" = 4 ] &&
		echo '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2'
	[ "$mode" != isolated ] &&
		echo "-A DOCKER-ISOLATION-STAGE-1 -i $BR ! -o $BR -j DOCKER-ISOLATION-STAGE-2"
	[ "$mode" != isolated ] && echo "-A DOCKER-ISOLATION-STAGE-2 -o $BR -j DROP"
	[ "$fam" = 4 ] && echo '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP'
	echo '-A DOCKER-USER -j RETURN'
	echo 'COMMIT'
}

# load MODE [OPT]: both families' rulesets into the node, replacing the
# last ones, and forget the connections of the last case
load() {
	ruleset "$1" "${2:-}" 4 > "$PT/rules4"
	ruleset "$1" "${2:-}" 6 > "$PT/rules6"
	ip netns exec "$NODE" iptables-nft-restore < "$PT/rules4" ||
		fwa_die "iptables-nft-restore refused the $1 ruleset: $(cat "$PT/rules4")"
	ip netns exec "$NODE" ip6tables-nft-restore < "$PT/rules6" ||
		fwa_die "ip6tables-nft-restore refused the $1 ruleset: $(cat "$PT/rules6")"
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
}

# warm: the node knows the container's link-layer address before the
# first probe (a SYN waiting for neighbour discovery would time out and
# agree with "closed" by accident)
warm() {
	local a

	for a in "$C4" "$C6"; do
		for ((i = 0; i < 20; i++)); do
			[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp "$a" 80 --timeout 1)" = connected ] &&
				break
			sleep 0.25
		done
	done
}

pl_std_probes "$PT/std" 22,80,81,8080,8081,8082 tcp
pl_gen "$PT/d4" --proto tcp --dst "$C4" --src "$OUT4,$PUB4,$PRIV4" --ports 80,81,8080,9000
pl_gen "$PT/d6" --proto tcp --dst "$C6" --src "$OUT6,$PUB6" --ports 80,81,8080,9000
pl_merge "$PT/probes" "$PT/std" "$PT/d4" "$PT/d6"
# the second neighbour's: to the node's addresses on both links, and to
# the container's.  Probes to the container go to the ports it listens on
# only: a direct row is "exposed" when the firewall lets the probe reach
# the container, whose own listeners fwaudit does not read (a port nothing
# listens on answers with a reset from the container, which is reached)
pl_gen "$PT/n2" --proto tcp --dst "$NODE4,10.80.0.1" --src 10.80.0.2 \
	--ports 22,80,81,8080,8082,9000
pl_gen "$PT/n2c" --proto tcp --dst "$C4" --src 10.80.0.2 --ports 80,81,8080,9000
pl_gen "$PT/n26" --proto tcp --dst "$NODE6,2001:db8:80::1" --src 2001:db8:80::2 \
	--ports 22,80,81,8080,9000
pl_gen "$PT/n26c" --proto tcp --dst "$C6" --src 2001:db8:80::2 --ports 80,81,8080,9000
pl_merge "$PT/probes2" "$PT/n2" "$PT/n2c" "$PT/n26" "$PT/n26c"

# check2 LABEL: the second neighbour's probes through v2 agree with
# fwaudit (probe-lib's pl_check, sending from $OUT2 and judging rows by v2)
check2() {
	local out=$OUT pif=$PL_IF

	OUT=$OUT2
	PL_IF=v2
	pl_check "$1 (from v2)" "$PT/probes2" || true
	OUT=$out
	PL_IF=$pif
}

# rows of the last audit checked in python: DIRECT is the sorted list of
# (family, address, first port, last port) of the direct-routing rows,
# FWD the forwarded rows on the node's own addresses by family and port
ROWS_PY='
def direct():
    return sorted((x["family"], x["address"], x["ports"][0], x["ports"][1])
                  for x in J["exposures"] if x.get("route") == "direct")
def fwd(fam, port):
    return [x for x in J["exposures"] if x["family"] == fam and x["protocol"] == "tcp"
            and x["ports"][0] <= port <= x["ports"][1] and x["path"] == "forward"
            and x.get("route") != "direct"]
'

# case LABEL MODE OPT: load, probe, the common checks; the caller then
# checks the rows of $SH_AUDIT
case_run() {
	local label=$1

	load "$2" "${3:-}"
	warm
	pl_check "$label" "$PT/probes" || true
	check2 "$label"
	sh_possible "$label"
}

# direct_finding LABEL WANT: the last audit's docker-direct-access-open
# findings, one line each family (ipv4 first) naming what WANT says
# (python: "nat-unprotected", "--allow-direct-routing" or "" for none)
direct_finding() {
	fwa_check "$SH_AUDIT" "$1" <<PY || _fwa_failures=$((_fwa_failures + 1))
f = sorted(((x["family"], x["message"]) for x in J.get("findings", [])
            if x["kind"] == "docker-direct-access-open"))
want = "$2"
if not want:
    expect("no docker-direct-access-open finding", f == [], f)
else:
    expect("docker-direct-access-open for both families' container, naming " + want,
           [x[0] for x in f] == ["ipv4", "ipv6"] and all(want in m for _, m in f) and
           "$C4" in f[0][1] and "$C6" in f[1][1], f)
    if want == "nat-unprotected":
        expect("the finding names the bridge and says every port is reachable",
               all("is on $BR" in m and "every port" in m for _, m in f), f)
    else:
        expect("the finding is not nat-unprotected's", all("nat-unprotected" not in m for _, m in f), f)
PY
}

# --- nat, the default ------------------------------------------------
bridge_addrs on
case_run "nat" nat
direct_finding nat ""
fwa_check "$SH_AUDIT" nat <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
expect("no direct-routing row: raw PREROUTING drops what is addressed to the container", direct() == [], direct())
for fam, be in (("ipv4", "$C4"), ("ipv6", "$C6")):
    r = fwd(fam, 8080)
    expect(fam + " tcp/8080 forwarded to the container's port 80",
           r and all(x["backend"]["address"] == be and x["backend"]["ports"] == [80, 80] for x in r), r)
expect("tcp/8081 (published on 127.0.0.1) not forwarded", fwd("ipv4", 8081) == [], fwd("ipv4", 8081))
r = fwd("ipv4", 8082)
expect("tcp/8082 (published on 198.51.100.1) forwarded to :9000 at that address only, from v0 and v2",
       r and all(x["address"] == "198.51.100.1" and x["backend"]["ports"] == [9000, 9000]
                 for x in r) and sorted({i for x in r for i in x["interfaces"]}) == ["v0", "v2"], r)
PY

# --- trusted_host_interfaces=v0 --------------------------------------
case_run "nat, trusted_host_interfaces v0" nat trusted
# the raw drop is there (behind the trusted interface's accept): not open
direct_finding "trusted v0" ""
fwa_check "$SH_AUDIT" "trusted v0" <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
expect("direct rows: the published container ports from the trusted interface",
       direct() == [("ipv4", "$C4", 80, 81), ("ipv4", "$C4", 9000, 9000),
                    ("ipv6", "$C6", 80, 80)], direct())
expect("the direct rows come in on v0 only (v2 is not trusted)",
       all(x["interfaces"] == ["v0"] for x in J["exposures"] if x.get("route") == "direct"))
PY

# --- --allow-direct-routing -------------------------------------------
case_run "nat, --allow-direct-routing" nat direct
direct_finding "allow-direct-routing" --allow-direct-routing
fwa_check "$SH_AUDIT" "allow-direct-routing" <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
expect("direct rows: the published container ports (81 is published on 127.0.0.1 only)",
       direct() == [("ipv4", "$C4", 80, 81), ("ipv4", "$C4", 9000, 9000),
                    ("ipv6", "$C6", 80, 80)], direct())
expect("the direct rows come in on v0 and v2",
       all(sorted(x["interfaces"]) == ["v0", "v2"] for x in J["exposures"] if x.get("route") == "direct"))
PY

# --- nat-unprotected --------------------------------------------------
case_run "nat-unprotected" nat-unprotected
direct_finding nat-unprotected nat-unprotected
fwa_check "$SH_AUDIT" nat-unprotected <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
d = direct()
expect("direct rows: every port of the container network, both families",
       [x for x in d if x[2] == 0 and x[3] == 65535 and x[0] == "ipv4"] and
       [x for x in d if x[2] == 0 and x[3] == 65535 and x[0] == "ipv6"], d)
for fam, be in (("ipv4", "$C4"), ("ipv6", "$C6")):
    r = fwd(fam, 8080)
    expect(fam + " tcp/8080 still forwarded to the container's port 80",
           r and all(x["backend"]["address"] == be for x in r), r)
PY

# --- routed -----------------------------------------------------------
case_run "routed" routed
# no DNAT, so no published port to bypass: the rows say what is direct
direct_finding routed ""
fwa_check "$SH_AUDIT" routed <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
expect("direct rows: the published container ports only",
       direct() == [("ipv4", "$C4", 80, 81), ("ipv4", "$C4", 9000, 9000),
                    ("ipv6", "$C6", 80, 80)], direct())
expect("no DNAT: tcp/8080 and 8082 on the node's addresses not forwarded",
       fwd("ipv4", 8080) == [] and fwd("ipv6", 8080) == [] and fwd("ipv4", 8082) == [])
PY

# --- 28.0.0's shape: FORWARD matches the ipset docker-ext-bridges -------
# moby v28.0.0 (commit af898abe44662d9554fb15ee4d4a7307f1b8e315),
# libnetwork/drivers/bridge/setup_ip_tables_linux.go setupIPChains():
# "FORWARD -m set --match-set docker-ext-bridges-v4 dst -j DOCKER" and the
# RELATED,ESTABLISHED accept, the set (hash:net, bridge_linux.go
# IpsetCreate) holding each non-internal bridge's subnet (setupIPTables());
# port_mapping_linux.go filterDirectAccess(): raw drops per published
# container port; integration/network/bridge/iptablesdoc/generated/
# usernet-portmap.md.  28.0.1 and later delete these rules again (v28.5.2
# iptabler.go setupIPChains()).  fwaudit reads the set's contents
# (ipset.c): the set matches decide like address lists, nothing is
# "possible", and every row agrees with every probe.
ruleset28000() {
	local fam=$1 c set pfx
	if [ "$fam" = 4 ]; then c=$C4; set=docker-ext-bridges-v4; else c=$C6; set=docker-ext-bridges-v6; fi
	echo '*raw'
	echo ':PREROUTING ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	echo "-A PREROUTING -d $c ! -i $BR -p tcp -m tcp --dport 80 -j DROP"
	if [ "$fam" = 4 ]; then
		echo "-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8081 -j DROP"
		echo "-A PREROUTING -d $c ! -i $BR -p tcp -m tcp --dport 81 -j DROP"
		echo "-A PREROUTING -d $c ! -i $BR -p tcp -m tcp --dport 9000 -j DROP"
	fi
	echo 'COMMIT'
	# the nat table is v28.5.2's nat shape
	ruleset nat "" "$fam" | sed -n '/^\*nat/,/^COMMIT/p'
	echo '*filter'
	echo ':INPUT ACCEPT [0:0]'
	echo ':FORWARD ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	echo ':DOCKER - [0:0]'
	echo ':DOCKER-ISOLATION-STAGE-1 - [0:0]'
	echo ':DOCKER-ISOLATION-STAGE-2 - [0:0]'
	echo ':DOCKER-USER - [0:0]'
	echo '-A FORWARD -j DOCKER-USER'
	echo "-A FORWARD -m set --match-set $set dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	echo '-A FORWARD -j DOCKER-ISOLATION-STAGE-1'
	echo "-A FORWARD -m set --match-set $set dst -j DOCKER"
	[ "$fam" = 4 ] && echo '-A FORWARD -i docker0 -j ACCEPT'
	echo "-A FORWARD -i $BR -j ACCEPT"
	if [ "$fam" = 4 ]; then
		echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 9000 -j ACCEPT"
		echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 81 -j ACCEPT"
	fi
	echo "-A DOCKER -d $c ! -i $BR -o $BR -p tcp -m tcp --dport 80 -j ACCEPT"
	[ "$fam" = 4 ] && echo '-A DOCKER ! -i docker0 -o docker0 -j DROP'
	echo "-A DOCKER ! -i $BR -o $BR -j DROP"
	[ "$fam" = 4 ] &&
		echo '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2'
	echo "-A DOCKER-ISOLATION-STAGE-1 -i $BR ! -o $BR -j DOCKER-ISOLATION-STAGE-2"
	echo "-A DOCKER-ISOLATION-STAGE-2 -o $BR -j DROP"
	[ "$fam" = 4 ] && echo '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP'
	echo '-A DOCKER-USER -j RETURN'
	echo 'COMMIT'
}
ip netns exec "$NODE" ipset create docker-ext-bridges-v4 hash:net
ip netns exec "$NODE" ipset add docker-ext-bridges-v4 10.17.0.0/16
ip netns exec "$NODE" ipset add docker-ext-bridges-v4 10.79.0.0/24
ip netns exec "$NODE" ipset create docker-ext-bridges-v6 hash:net family inet6
ip netns exec "$NODE" ipset add docker-ext-bridges-v6 2001:db8:79::/64
ruleset28000 4 > "$PT/rules4"
ruleset28000 6 > "$PT/rules6"
ip netns exec "$NODE" iptables-nft-restore < "$PT/rules4" ||
	fwa_die "iptables-nft-restore refused the 28.0.0 ruleset: $(cat "$PT/rules4")"
ip netns exec "$NODE" ip6tables-nft-restore < "$PT/rules6" ||
	fwa_die "ip6tables-nft-restore refused the 28.0.0 ruleset: $(cat "$PT/rules6")"
ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
warm
pl_check "28.0.0 (ipset)" "$PT/probes" || true
check2 "28.0.0 (ipset)"
SH_AUDIT="$PT/a28000.json"
pl_audit "$SH_AUDIT"
fwa_check "$SH_AUDIT" "28.0.0 (ipset)" <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
p = [x for x in J["exposures"] if x["certainty"] == "possible"]
expect("the ipset's contents decide every set match: nothing possible", not p, p)
d = [x for x in J["exposures"] if x.get("route") == "direct"]
expect("no direct-routing row: raw drops the published ports, DOCKER "
       "(through the set's match) the others", d == [], d)
PY
ip netns exec "$NODE" iptables-nft -F FORWARD
ip netns exec "$NODE" ip6tables-nft -F FORWARD
ip netns exec "$NODE" ipset destroy docker-ext-bridges-v4
ip netns exec "$NODE" ipset destroy docker-ext-bridges-v6

# --- isolated (internal) -----------------------------------------------
bridge_addrs off
case_run "isolated" isolated
direct_finding isolated ""
fwa_check "$SH_AUDIT" isolated <<PY || _fwa_failures=$((_fwa_failures + 1))
$ROWS_PY
expect("nothing forwarded into an isolated network",
       [x for x in J["exposures"] if x["path"] == "forward"] == [])
PY
fwa_finish
