#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-cni-libvirt.sh - the runtimes that do not run here (issue 18), from
# the rules their sources write, with namespaces as their containers and
# VM, and their state files under $FWAUDIT_STATE_ROOT:
#  1. nerdctl's default network "bridge" (nerdctl0, 10.4.0.0/24 and
#     2001:db8:4::/64) with the CNI plugins bridge (ipMasq), portmap
#     (plugins/meta/portmap/portmap.go: CNI-HOSTPORT-DNAT behind "-m
#     addrtype --dst-type LOCAL", CNI-DN-<hash> with the hairpin and
#     localhost "-j CNI-HOSTPORT-SETMARK" before the DNAT, CNI-HOSTPORT-MASQ
#     on mark 0x2000) and firewall (plugins/meta/firewall/iptables.go:
#     CNI-FORWARD, CNI-ADMIN, "-d IP --ctstate RELATED,ESTABLISHED" and
#     "-s IP" accepts), for one container fwa-nginx -p 8080:80 (its
#     meta.json in the data store, as nerdctl's hostsstore writes it);
#  2. libvirt's NAT network "default" (virbr0, 10.122.0.0/24: libvirt's
#     network/network_iptables.c, LIBVIRT_INP/OUT/FWI/FWO/FWX/PRT) with the
#     port forward its wiki's qemu hook adds (nat PREROUTING DNAT 2222 ->
#     VM:22 and "-I FORWARD -d VM --dport 22 --state NEW -j ACCEPT"), and
#     8022 -> VM:8022 without the hook's accept (LIBVIRT_FWI rejects it);
#     the domain fwa-vm's status XML and its dnsmasq lease.
# IPv4 and IPv6 (the VM: IPv4 only, as libvirt's default network);
# FORWARD policy ACCEPT first (CNI's own defaults), then DROP.  Real
# probes from the outside must agree; the backends are named fwa-nginx
# (nerdctl) and fwa-vm (libvirt); findings container-forward-open, then
# container-subnet-forged; golden tests/golden/shape-cni-libvirt.text.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools iptables-nft-restore ip6tables-nft-restore
pl_init
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1

# guest NS BRIDGE ADDR4 GW4 [ADDR6 GW6] PORTS...: a namespace on BRIDGE
# with listeners on PORTS (tcp, both families); its MAC in $GUEST_MAC
guest() {
	local br=$1 a4=$2 gw4=$3 a6=$4 gw6=$5 n pid k spec=()

	shift 5
	fwa_ns_new n guest
	ip -n "$NODE" link add "v$br" type veth peer name eth0 netns "$n"
	ip -n "$NODE" link set "v$br" master "$br" up
	ip -n "$n" addr add "$a4" dev eth0
	ip -n "$n" link set eth0 up
	ip -n "$n" route add default via "$gw4"
	if [ -n "$a6" ]; then
		ip -n "$n" addr add "$a6" dev eth0 nodad
		ip -n "$n" -6 route add default via "$gw6"
	fi
	for k in "$@"; do spec+=("tcp:[::]:$k"); done
	fwa_bg pid ip netns exec "$n" "$PYTHON" "$PROBE_PY" serve "${spec[@]}" \
		> "$PT/guest.$br" 2>&1
	for ((k = 0; k < 100; k++)); do
		grep -q ready "$PT/guest.$br" && break
		sleep 0.05
	done
	GUEST_MAC=$(cat "/sys/class/net/eth0/address" 2>/dev/null || true)
	GUEST_MAC=$(ip -n "$n" -o link show eth0 | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/')
}

bridge() {
	ip -n "$NODE" link add "$1" type bridge
	ip -n "$NODE" link set "$1" up
	ip -n "$NODE" addr add "$2" dev "$1"
	[ -z "${3:-}" ] || ip -n "$NODE" addr add "$3" dev "$1" nodad
}

bridge nerdctl0 10.4.0.1/24 2001:db8:4::1/64
guest nerdctl0 10.4.0.2/24 10.4.0.1 2001:db8:4::2/64 2001:db8:4::1 80
bridge virbr0 10.122.0.1/24
guest virbr0 10.122.0.45/24 10.122.0.1 "" "" 22 8022
VM_MAC=$GUEST_MAC

CID=c4ed811cc361d26faffdee8d696ddbc45a9d93c571b5b3c54d3da01cb29caeb1
DN=CNI-DN-8a2bb4c5f6d7e8f90a1b2
PC=CNI-5e6a1b2c3d4e5f6a7b8c9d0e
# cni_rules FAMILY(4|6): what the bridge, portmap and firewall plugins
# write for the container (one iptables-restore per family)
cni_rules() {
	local net ip lo mc
	if [ "$1" = 4 ]; then
		net=10.4.0.0/24 ip=10.4.0.2 lo=127.0.0.1/32 mc=224.0.0.0/4
	else
		net=2001:db8:4::/64 ip=2001:db8:4::2 lo=::1/128 mc=ff00::/8
	fi
	cat <<R
*nat
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-HOSTPORT-SETMARK - [0:0]
:CNI-HOSTPORT-MASQ - [0:0]
:$DN - [0:0]
:$PC - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A POSTROUTING -s $ip -m comment --comment "name: \"bridge\" id: \"default-$CID\"" -j $PC
-A $PC -d $net -m comment --comment "name: \"bridge\" id: \"default-$CID\"" -j ACCEPT
-A $PC ! -d $mc -m comment --comment "name: \"bridge\" id: \"default-$CID\"" -j MASQUERADE
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"bridge\" id: \"default-$CID\"" -m multiport --dports 8080 -j $DN
-A $DN -s $net -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK
-A $DN -s $lo -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK
-A $DN -p tcp -m tcp --dport 8080 -j DNAT --to-destination $([ "$1" = 4 ] && echo "$ip:80" || echo "[$ip]:80")
-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
COMMIT
*filter
:CNI-FORWARD - [0:0]
:CNI-ADMIN - [0:0]
-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
-A CNI-FORWARD -d $ip -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s $ip -j ACCEPT
COMMIT
R
}

# libvirt's NAT network (IPv4), then the hook's port forward on top
libvirt_rules() {
	cat <<'R'
*filter
:LIBVIRT_INP - [0:0]
:LIBVIRT_OUT - [0:0]
:LIBVIRT_FWO - [0:0]
:LIBVIRT_FWI - [0:0]
:LIBVIRT_FWX - [0:0]
-A INPUT -j LIBVIRT_INP
-A FORWARD -j LIBVIRT_FWX
-A FORWARD -j LIBVIRT_FWI
-A FORWARD -j LIBVIRT_FWO
-A OUTPUT -j LIBVIRT_OUT
-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 53 -j ACCEPT
-A LIBVIRT_INP -i virbr0 -p tcp -m tcp --dport 53 -j ACCEPT
-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 67 -j ACCEPT
-A LIBVIRT_INP -i virbr0 -p tcp -m tcp --dport 67 -j ACCEPT
-A LIBVIRT_OUT -o virbr0 -p udp -m udp --dport 53 -j ACCEPT
-A LIBVIRT_OUT -o virbr0 -p tcp -m tcp --dport 53 -j ACCEPT
-A LIBVIRT_OUT -o virbr0 -p udp -m udp --dport 68 -j ACCEPT
-A LIBVIRT_OUT -o virbr0 -p tcp -m tcp --dport 68 -j ACCEPT
-A LIBVIRT_FWO -s 10.122.0.0/24 -i virbr0 -j ACCEPT
-A LIBVIRT_FWO -i virbr0 -j REJECT --reject-with icmp-port-unreachable
-A LIBVIRT_FWI -d 10.122.0.0/24 -o virbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A LIBVIRT_FWI -o virbr0 -j REJECT --reject-with icmp-port-unreachable
-A LIBVIRT_FWX -i virbr0 -o virbr0 -j ACCEPT
COMMIT
*nat
:LIBVIRT_PRT - [0:0]
-A POSTROUTING -j LIBVIRT_PRT
-A LIBVIRT_PRT -s 10.122.0.0/24 -d 224.0.0.0/24 -j RETURN
-A LIBVIRT_PRT -s 10.122.0.0/24 -d 255.255.255.255/32 -j RETURN
-A LIBVIRT_PRT -s 10.122.0.0/24 ! -d 10.122.0.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535
-A LIBVIRT_PRT -s 10.122.0.0/24 ! -d 10.122.0.0/24 -p udp -j MASQUERADE --to-ports 1024-65535
-A LIBVIRT_PRT -s 10.122.0.0/24 ! -d 10.122.0.0/24 -j MASQUERADE
COMMIT
R
}

ip netns exec "$NODE" iptables-nft-restore --noflush < <(libvirt_rules)
ip netns exec "$NODE" iptables-nft-restore --noflush < <(cni_rules 4)
ip netns exec "$NODE" ip6tables-nft-restore --noflush < <(cni_rules 6)
# the qemu hook of libvirt's wiki ("Forwarding Incoming Connections")
ipt() { ip netns exec "$NODE" iptables-nft "$@"; }
ipt -t nat -I PREROUTING -p tcp --dport 2222 -j DNAT --to 10.122.0.45:22
ipt -I FORWARD -o virbr0 -p tcp -d 10.122.0.45 --dport 22 -j ACCEPT
ipt -t nat -I PREROUTING -p tcp --dport 8022 -j DNAT --to 10.122.0.45:8022

# their state, as the runtimes leave it
fwa_tmpdir ROOT
d=$ROOT/var/lib/nerdctl/1935db59/etchosts/default/$CID
mkdir -p "$d" "$ROOT/run/libvirt/qemu" "$ROOT/var/lib/libvirt/dnsmasq"
printf '{"Namespace":"default","ID":"%s","Networks":{"bridge":{"cniVersion":"1.0.0","ips":[{"interface":2,"address":"10.4.0.2/24","gateway":"10.4.0.1"},{"interface":2,"address":"2001:db8:4::2/64","gateway":"2001:db8:4::1"}]}},"Hostname":"c4ed811cc361","ExtraHosts":{},"Name":"fwa-nginx"}\n' \
	"$CID" > "$d/meta.json"
cat > "$ROOT/run/libvirt/qemu/fwa-vm.xml" <<X
<domstatus state='running' reason='booted' pid='4711'>
  <domain type='kvm' id='1'>
    <name>fwa-vm</name>
    <devices>
      <interface type='network'>
        <mac address='$VM_MAC'/>
        <source network='default' bridge='virbr0'/>
      </interface>
    </devices>
  </domain>
</domstatus>
X
printf '[\n  {\n    "ip-address": "10.122.0.45",\n    "mac-address": "%s",\n    "hostname": "fwa-vm",\n    "expiry-time": 1796590622\n  }\n]\n' \
	"$VM_MAC" > "$ROOT/var/lib/libvirt/dnsmasq/virbr0.status"
export FWAUDIT_STATE_ROOT=$ROOT

pl_serve tcp:0.0.0.0:22
pl_std_probes "$PT/probes" 22,80,2222,8022,8080 tcp
pl_check "cni+libvirt, FORWARD policy accept" "$PT/probes" || true
sh_possible "cni+libvirt"
sh_finding "cni+libvirt, FORWARD accept" container-forward-open yes
fwa_check "$SH_AUDIT" "cni+libvirt names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["state"] == "exposed"]
def named(r, name, rt):
    return r["backend"] and (r["backend"]["container"], r["backend"]["runtime"]) == (name, rt)
for fam in ("ipv4", "ipv6"):
    r = rows(fam, 8080)
    expect("%s tcp/8080 forwarded to fwa-nginx (nerdctl)" % fam,
           len(r) == 1 and r[0]["path"] == "forward" and named(r[0], "fwa-nginx", "nerdctl"), r)
r = rows("ipv4", 2222)
expect("tcp/2222 forwarded to fwa-vm (libvirt)", len(r) == 1 and named(r[0], "fwa-vm", "libvirt"), r)
expect("tcp/8022 not reachable (LIBVIRT_FWI rejects it)", rows("ipv4", 8022) == [], rows("ipv4", 8022))
PY
sh_golden shape-cni-libvirt

ipt -P FORWARD DROP
ip netns exec "$NODE" ip6tables-nft -P FORWARD DROP
pl_check "cni+libvirt, FORWARD policy drop" "$PT/probes" || true
sh_possible "cni+libvirt, FORWARD drop"
sh_finding "cni+libvirt, FORWARD drop" container-forward-open no
sh_finding "cni+libvirt, FORWARD drop" container-subnet-forged yes
fwa_finish
