#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-lxd.sh - a real LXD 5.0 (table inet lxd) in the node namespace
# (tests/netns/runtime-lib.sh) with its bridge lxdbr0 (IPv4 and IPv6, LXD's
# defaults: NAT, its own forward accepts) and one busybox instance c1
# (10.77.0.5, fd42:77::5) published four ways:
#	web	proxy device nat=true, 198.51.100.1:8081 -> c1:80 (a DNAT)
#	fp	proxy device, tcp:0.0.0.0:8082 -> c1's 127.0.0.1:8000: the lxd
#		forkproxy listens on the host (on [::], both families)
#	fwd4	network forward 198.51.100.1 tcp 8083 -> 10.77.0.5:80
#	fwd6	network forward 2001:db8:1::1 tcp 8085 -> [fd42:77::5]:80
# LXD's defaults first, then an iptables FORWARD policy DROP (a host
# firewall that knows nothing of LXD: its forwards die).  Real probes from
# the outside, IPv4 and IPv6, must agree with fwaudit each time; backends
# are named c1 with runtime "lxd", the forkproxy by c1, and the text
# equals tests/golden/engine-lxd.text (GOLDEN=update rewrites it).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

lx_require
pl_init
lx_start "$NODE"
lx_image
lxc network create lxdbr0 ipv4.address=10.77.0.1/24 ipv4.nat=true \
	ipv6.address=fd42:77::1/64 ipv6.nat=true >/dev/null
lxc profile device add default eth0 nic network=lxdbr0 name=eth0 >/dev/null
lxc init fwa-bb c1 -c environment.FWA_ADDR4=10.77.0.5/24 \
	-c environment.FWA_GW4=10.77.0.1 -c environment.FWA_ADDR6=fd42:77::5/64 \
	-c environment.FWA_GW6=fd42:77::1 >/dev/null
lxc config device override c1 eth0 ipv4.address=10.77.0.5 >/dev/null
lxc config device add c1 web proxy listen=tcp:198.51.100.1:8081 \
	connect=tcp:10.77.0.5:80 nat=true >/dev/null
lxc config device add c1 fp proxy listen=tcp:0.0.0.0:8082 \
	connect=tcp:127.0.0.1:8000 >/dev/null
lxc network forward create lxdbr0 198.51.100.1 >/dev/null
lxc network forward port add lxdbr0 198.51.100.1 tcp 8083 10.77.0.5 80
lxc network forward create lxdbr0 2001:db8:1::1 >/dev/null
lxc network forward port add lxdbr0 2001:db8:1::1 tcp 8085 fd42:77::5 80
timeout 60 lxc start c1 || fwa_skip "lxd: the instance did not start"
# c1 answers on its addresses before the first probe
for ((i = 0; i < 50; i++)); do
	ip netns exec "$NODE" "$PYTHON" -c 'import socket,sys
socket.create_connection((sys.argv[1], 80), 0.5).close()' 10.77.0.5 \
		2>/dev/null && break
	sleep 0.2
done
pl_serve tcp:0.0.0.0:22

pl_std_probes "$PT/probes" 22,53,80,8000,8081-8085 tcp
PL_TIMEOUT=2 pl_check "lxd, its defaults" "$PT/probes" || true

pl_audit "$PT/a.json"
fwa_check "$PT/a.json" "lxd names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["state"] == "exposed"]
def named(r):
    return r["backend"] and (r["backend"]["container"], r["backend"]["runtime"]) == ("c1", "lxd")
for fam, port in (("ipv4", 8081), ("ipv4", 8083), ("ipv6", 8085)):
    r = rows(fam, port)
    expect("%s tcp/%d forwarded to c1 (lxd)" % (fam, port),
           len(r) == 1 and r[0]["path"] == "forward" and named(r[0])
           and r[0]["backend"]["image"] == "busybox httpd", r)
for fam in ("ipv4", "ipv6"):
    r = rows(fam, 8082)
    expect("%s tcp/8082: lxd's forkproxy, named by c1" % fam,
           len(r) == 1 and r[0]["listener"]["process"] == "lxd"
           and r[0]["listener"].get("container") == "c1"
           and r[0]["listener"].get("runtime") == "lxd", r)
expect("no note: LXD answered", J["notes"] == [], J["notes"])
PY

# the text for people (PIDs and link-local addresses normalized)
sh_golden engine-lxd
grep -q "lxd\[PID\] for c1" "$PT/golden.engine-lxd" && grep -q -- "-> 10.77.0.5:80 (c1)" "$PT/golden.engine-lxd" &&
	grep -q -- "-> fd42:77::5:80 (c1)" "$PT/golden.engine-lxd" &&
	fwa_pass "text: c1 named as backend and behind the forkproxy" ||
	fwa_fail "text: c1 not named everywhere"

# the policy names the instance, whichever way it is published: forwards,
# a nat proxy device, lxd's forkproxy
cat > "$PT/c1.rules" <<'R'
allow tcp 8081-8085 from any container c1 "c1's web"
default alert warning
R
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/c1.rules" --format json \
	> "$PT/p.json" 2> "$PT/p.err" || true
fwa_check "$PT/p.json" "lxd policy" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
r = [x for x in J["exposures"] if x["protocol"] == "tcp" and x["state"] == "exposed"
     and x["ports"][0] >= 8081 and x["ports"][1] <= 8085]
expect("'container c1' allows the forwards, the nat device and the forkproxy",
       sorted((x["family"], x["ports"][0]) for x in r) == [("ipv4", 8081),
           ("ipv4", 8082), ("ipv4", 8083), ("ipv6", 8082), ("ipv6", 8085)]
       and all(x["policy"]["verdict"] == "allowed" for x in r),
       [(x["family"], x["ports"], x["policy"]["verdict"]) for x in r])
PY

# an LXD host whose only IPv6 routes are on-link: link-local sources are
# neighbours on v0, never the Internet, and multicast sources are never
# delivered; the default policy must not call them "the Internet"
ip -n "$NODE" -6 route del default
PL_TIMEOUT=2 pl_check "lxd, IPv6 on-link only" "$PT/probes" || true
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$PT/ll.json" \
	2> "$PT/ll.err" || true
fwa_check "$PT/ll.json" "lxd IPv6 on-link only" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import ipaddress
ll = [ipaddress.ip_network("fe80::/10"), ipaddress.ip_network("ff00::/8")]
def neighbours_only(srcs):
    return srcs and all(any(ipaddress.ip_network(s).subnet_of(n) for n in ll) for s in srcs)
bad = []
for r in J["exposures"]:
    if r["family"] != "ipv6" or not r["policy"]:
        continue
    for p in r["policy"].get("parts") or [r["policy"]]:
        if p.get("verdict") == "violation" and neighbours_only(p.get("sources") or r["sources"]):
            bad.append((r["protocol"], r["ports"], p.get("sources"), p.get("message")))
expect("no IPv6 violation from link-local or multicast sources alone", bad == [], bad)
r = [x for x in J["exposures"] if x["family"] == "ipv6" and x["protocol"] == "tcp"
     and x["ports"][0] <= 8082 <= x["ports"][1]]
expect("tcp6/8082 (the forkproxy) still reported, to the neighbours",
       r and all("fe80::/10" in x["sources"] for x in r), r)
PY
ip -n "$NODE" -6 route add default via 2001:db8:1::2

# a host firewall that knows nothing of LXD: its forwards die, the
# forkproxy (a local listener) lives on
ip netns exec "$NODE" iptables-nft -P FORWARD DROP
ip netns exec "$NODE" ip6tables-nft -P FORWARD DROP
PL_TIMEOUT=2 pl_check "lxd, iptables FORWARD policy drop" "$PT/probes" || true
pl_audit "$PT/d.json"
fwa_check "$PT/d.json" "lxd FORWARD drop" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
f = sorted((x["family"], x["table"], x["chain"]) for x in J["findings"]
           if x["kind"] == "lxd-forwards-dropped")
expect("finding lxd-forwards-dropped: the outage named, IPv4 and IPv6",
       f == [("ipv4", "filter", "FORWARD"), ("ipv6", "filter", "FORWARD")], J["findings"])
PY
# what LXD's documentation tells Docker users: accept the bridge
ip netns exec "$NODE" iptables-nft -A FORWARD -o lxdbr0 -j ACCEPT
ip netns exec "$NODE" iptables-nft -A FORWARD -i lxdbr0 -j ACCEPT
pl_audit "$PT/e.json"
fwa_check "$PT/e.json" "lxd FORWARD drop, bridge accepted" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
f = [x["family"] for x in J["findings"] if x["kind"] == "lxd-forwards-dropped"]
expect("no IPv4 finding once FORWARD accepts -o lxdbr0", f == ["ipv6"], J["findings"])
PY
fwa_finish
