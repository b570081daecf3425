#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# direct-routing.sh - exposures beyond the host's own addresses (issue 10,
# moby#45610): a neighbour on the node's link routes the container
# networks via the node and sends packets straight to container addresses.
# Those packets miss Docker's DNAT (PREROUTING -m addrtype --dst-type
# LOCAL), are forwarded by the node and reach the containers through
# FORWARD.  fwaudit must report them as forward-path exposures ("route":
# "direct") to the container addresses, named by container, and every
# real probe must agree, IPv4 and IPv6.
#   1. a real dockerd (20.10, --ipv6, ip6tables) in the node namespace,
#      "userland-proxy": false, containers fwa-pub (-p 8080:80, httpd on
#      80 and 81) and fwa-priv (nothing published, httpd on 9000); the
#      outside namespace routes 10.66.0.0/24 (and 2001:db8::/32) via the
#      node
#   2. the same with Docker >= 28's raw PREROUTING drops
#      ("-d CONTAINER ! -i docker0 -j DROP") added: closed again
#   3. no Docker: a plain bridge cni-fwa0 (10.77.0.0/24, 2001:db8:77::/64)
#      with a container namespace behind it, and an nft forward chain that
#      accepts tcp/80 to it and drops the rest; then forwarding off
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

dk_require
pl_init

# connect NS ADDR PORT: warm the node's neighbour entry of a container
# address (a first SYN waiting for neighbour discovery would time out and
# agree with "closed" by accident)
warm() {
	local i

	for ((i = 0; i < 20; i++)); do
		[ "$(ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" tcp "$1" "$2" --timeout 1)" = connected ] &&
			return 0
		sleep 0.25
	done
	fwa_log "warning: $1:$2 does not answer from the node"
}

# --- 1. a real dockerd ------------------------------------------------
dk_start "$NODE" nft '{ "userland-proxy": false, "ipv6": true,
	"fixed-cidr-v6": "2001:db8:66::/64", "ip6tables": true,
	"experimental": true }' --bip=10.66.0.1/24
dk_image
dk_run fwa-pub -p 8080:80 fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 81; exec /bin/busybox httpd -f -p 80'
dk_run fwa-priv fwa-busybox:test /bin/busybox httpd -f -p 9000
ip -n "$OUT" route add 10.66.0.0/24 via "$NODE4"
addr_of() {
	timeout 30 "${DK[@]}" inspect -f "{{range .NetworkSettings.Networks}}{{.$2}}{{end}}" "$1"
}
PUB_4=$(addr_of fwa-pub IPAddress)
PUB_6=$(addr_of fwa-pub GlobalIPv6Address)
PRIV_4=$(addr_of fwa-priv IPAddress)
PRIV_6=$(addr_of fwa-priv GlobalIPv6Address)
fwa_log "fwa-pub $PUB_4 $PUB_6, fwa-priv $PRIV_4 $PRIV_6"
[ -n "$PUB_4" ] && [ -n "$PUB_6" ] && [ -n "$PRIV_4" ] && [ -n "$PRIV_6" ] ||
	fwa_die "the containers have no IPv4 and IPv6 addresses"
pl_serve 'tcp:[::]:22'
for a in "$PUB_4" "$PUB_6"; do warm "$a" 80; done
for a in "$PRIV_4" "$PRIV_6"; do warm "$a" 9000; done

pl_gen "$PT/d4" --proto tcp --dst "$PUB_4,$PRIV_4,10.66.0.77" \
	--src "$OUT4,$PUB4,$PRIV4" --ports 80,81,8080,9000
pl_gen "$PT/d6" --proto tcp --dst "$PUB_6,$PRIV_6" --src "$OUT6,$PUB6" \
	--ports 80,81,8080,9000
pl_gen "$PT/n" --proto tcp --dst "$NODE4,$NODE6" --src "$OUT4,$OUT6,$PUB4" \
	--ports 22,80,8080
pl_merge "$PT/probes" "$PT/d4" "$PT/d6" "$PT/n"
export DOCKER_HOST="unix://$DK_SOCK"
pl_check "docker 20.10, direct routing" "$PT/probes" || true
# a neighbour's connection straight to fwa-pub, past the DNAT: the
# ground truth of the rows below
direct4=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$PUB_4" 80 --src "$PUB4" --timeout 2)
direct6=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$PUB_6" 80 --src "$PUB6" --timeout 2)
fwa_log "direct to fwa-pub:80: IPv4 $direct4, IPv6 $direct6"
pl_audit "$PT/a1.json"
export PUB_4 PUB_6 PRIV_4 PRIV_6 direct4 direct6
fwa_check "$PT/a1.json" "docker 20.10" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
pub4, pub6, got4, got6 = (os.environ[k] for k in ("PUB_4", "PUB_6", "direct4", "direct6"))
d = [x for x in J["exposures"] if x.get("route") == "direct"]
for fam, addr, got in (("ipv4", pub4, got4), ("ipv6", pub6, got6)):
    r = [x for x in d if x["family"] == fam and x["address"] == addr
         and x["ports"][0] <= 80 <= x["ports"][1]]
    if got == "connected":
        expect("%s: %s:80 reachable by direct routing (the neighbour connected), "
               "forward, backend %s named fwa-pub" % (fam, addr, addr),
               len(r) == 1 and r[0]["path"] == "forward" and r[0]["state"] == "exposed"
               and r[0]["backend"] and r[0]["backend"]["address"] == addr
               and r[0]["backend"]["container"] in ("fwa-pub", "/fwa-pub")
               and r[0]["interfaces"] == ["v0"], r)
    else:
        expect("%s: %s:80 not reachable directly (%s), no direct row" % (fam, addr, got),
               r == [], r)
expect("every direct row is on path forward to a container address",
       all(x["path"] == "forward" and x["address"] != "*" for x in d), d)
expect("Docker's DNAT still serves tcp/8080 on the node's addresses",
       any(x["path"] == "forward" and x.get("route") is None and x["ports"][0] <= 8080 <= x["ports"][1]
           and x["backend"] and x["backend"]["address"] == pub4 for x in J["exposures"]))
PY
if [ "$direct4" = connected ]; then
	fwa_pass "docker 20.10: a neighbour reaches the container directly (moby#45610 is real here)"
else
	fwa_fail "docker 20.10: a neighbour routing to $PUB_4:80 got $direct4 (Docker 20.10 forwards it)"
fi

# --- 2. Docker >= 28's raw drops close it -----------------------------
ip netns exec "$NODE" iptables-nft -t raw -A PREROUTING -d "$PUB_4/32" ! -i docker0 -j DROP
ip netns exec "$NODE" iptables-nft -t raw -A PREROUTING -d "$PRIV_4/32" ! -i docker0 -j DROP
ip netns exec "$NODE" ip6tables-nft -t raw -A PREROUTING -d "$PUB_6/128" ! -i docker0 -j DROP
ip netns exec "$NODE" ip6tables-nft -t raw -A PREROUTING -d "$PRIV_6/128" ! -i docker0 -j DROP
_pl_ctflush
pl_check "docker 20.10 with Docker 28's raw drops" "$PT/probes" || true
pl_audit "$PT/a2.json"
fwa_check "$PT/a2.json" "raw drops" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
addrs = {os.environ[k] for k in ("PUB_4", "PUB_6", "PRIV_4", "PRIV_6")}
d = [x for x in J["exposures"] if x.get("route") == "direct" and x["address"] in addrs]
expect("no direct-routing exposure of a container the raw drops cover", d == [], d)
PY

# --- 3. a plain bridge with nft forward rules, no Docker --------------
pl_pair
fwa_ns_new CT ctr
ip -n "$NODE" link add cni-fwa0 type bridge
ip -n "$NODE" link set cni-fwa0 up
ip -n "$NODE" addr add 10.77.0.1/24 dev cni-fwa0
ip -n "$NODE" addr add 2001:db8:77::1/64 dev cni-fwa0 nodad
ip -n "$NODE" link add vct type veth peer name eth0 netns "$CT"
ip -n "$NODE" link set vct master cni-fwa0 up
ip -n "$CT" addr add 10.77.0.2/24 dev eth0
ip -n "$CT" addr add 2001:db8:77::2/64 dev eth0 nodad
ip -n "$CT" link set eth0 up
ip -n "$CT" link set lo up
ip -n "$CT" route add default via 10.77.0.1
ip -n "$CT" -6 route add default via 2001:db8:77::1
ip -n "$OUT" route add 10.77.0.0/24 via "$NODE4"
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
fwa_bg ctpid ip netns exec "$CT" "$PYTHON" "$PROBE_PY" serve \
	'tcp:[::]:80' 'tcp:[::]:81' 'udp:[::]:53' > "$PT/ct.out" 2>&1
for ((i = 0; i < 100; i++)); do grep -q ready "$PT/ct.out" && break; sleep 0.05; done
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 accept
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		iifname "cni-fwa0" accept
		oifname "cni-fwa0" tcp dport 80 accept
		oifname "cni-fwa0" ip saddr 10.9.0.0/24 udp dport 53 accept
	}
}
EOF2
pl_serve 'tcp:[::]:22'
warm 10.77.0.2 80
warm 2001:db8:77::2 80
# (a direct row is "exposed" as a DNAT backend is: forwarded to the
# network; whether a host answers at an address is that host's, so the
# probes go to the one that is there)
pl_gen "$PT/b4" --proto tcp,udp --dst 10.77.0.2 \
	--src "$OUT4,$PUB4,$PRIV4" --ports 22,53,80,81
pl_gen "$PT/b6" --proto tcp,udp --dst 2001:db8:77::2 --src "$OUT6,$PUB6" \
	--ports 22,53,80,81
pl_gen "$PT/bn" --proto tcp --dst "$NODE4,$NODE6" --src "$OUT4,$PUB4" \
	--ports 22,80
pl_merge "$PT/bprobes" "$PT/b4" "$PT/b6" "$PT/bn"
pl_check "nft forward to a plain bridge" "$PT/bprobes" || true
pl_audit "$PT/a3.json"
fwa_check "$PT/a3.json" "plain bridge" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
d = [x for x in J["exposures"] if x.get("route") == "direct"]
t4 = [x for x in d if x["family"] == "ipv4" and x["protocol"] == "tcp"]
expect("tcp/80 to the whole bridge network 10.77.0.0/24, no backend named",
       len(t4) == 1 and t4[0]["ports"] == [80, 80] and t4[0]["address"] == "10.77.0.0/24"
       and t4[0]["backend"] is None and t4[0]["state"] == "exposed", t4)
u4 = [x for x in d if x["family"] == "ipv4" and x["protocol"] == "udp"]
expect("udp/53 from 10.9.0.0/24 only", u4 and all(x["sources"] == ["10.9.0.0/24"] for x in u4), u4)
t6 = [x for x in d if x["family"] == "ipv6" and x["protocol"] == "tcp"]
expect("IPv6 tcp/80 too", t6 and all(x["ports"] == [80, 80] for x in t6), t6)
PY
# fwaudit's fix for the direct exposure of tcp/80, applied: the
# neighbour's connection to 10.77.0.2:80 is dropped from every source,
# and every other probe keeps its fate
printf 'alert critical tcp 80 from any "no direct routing to port 80"\n' \
	> "$PT/direct.rules"
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/direct.rules" \
	--format json > "$PT/a3f.json" 2> "$PT/a3f.err" || true
"$PYTHON" - "$PT/a3f.json" > "$PT/fix.sh" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
v = [v for v in j["violations"] if v["kind"] == "exposure" and v["family"] == "ipv4"
     and j["exposures"][v["exposure"]].get("route") == "direct" and v.get("fix")]
for c in (v[0]["fix"]["commands"] if v else []):
    print(c)
PY
if [ -s "$PT/fix.sh" ]; then
	fwa_pass "plain bridge: a fix for the direct exposure of tcp/80: $(tail -1 "$PT/fix.sh")"
	while IFS= read -r cmd; do
		ip netns exec "$NODE" sh -c "$cmd" ||
			fwa_fail "plain bridge: the fix's command failed: $cmd"
	done < "$PT/fix.sh"
	_pl_ctflush
	o80=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp 10.77.0.2 80 --src "$PUB4" --timeout 2)
	o80b=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp 10.77.0.2 80 --src "$OUT4" --timeout 2)
	if [ "$o80" = timeout ] && [ "$o80b" = timeout ]; then
		fwa_pass "plain bridge: after the fix a neighbour's 10.77.0.2:80 gets nothing"
	else
		fwa_fail "plain bridge: after the fix 10.77.0.2:80 from $PUB4: $o80, from $OUT4: $o80b"
	fi
	pl_check "plain bridge after the fix" "$PT/bprobes" || true
	ip netns exec "$NODE" nft delete table inet fwaudit
	# fwaudit fix: the plan for the host, proven in a private namespace
	rc=0
	ip netns exec "$NODE" "$FWAUDIT" fix --rules "$PT/direct.rules" \
		> "$PT/plan" 2> "$PT/plan.err" || rc=$?
	if [ "$rc" -eq 0 ] && grep -q 'daddr { 10.77.0.0/24 }' "$PT/plan"; then
		fwa_pass "plain bridge: fwaudit fix proves a plan that drops by destination"
	else
		fwa_fail "plain bridge: fwaudit fix exited $rc: $(head -5 "$PT/plan.err") $(head -20 "$PT/plan")"
	fi
else
	fwa_fail "plain bridge: no fix for the direct exposure of tcp/80: $(head -3 "$PT/a3f.err")"
fi

# forwarding off on the node's link: nothing direct any more
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.all.forwarding=0
ip netns exec "$NODE" sysctl -qw net.ipv4.conf.v0.forwarding=0
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=0
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.v0.forwarding=0
_pl_ctflush
pl_check "plain bridge, forwarding off" "$PT/bprobes" || true
pl_audit "$PT/a4.json"
fwa_check "$PT/a4.json" "forwarding off" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
d = [x for x in J["exposures"] if x.get("route") == "direct"]
expect("no direct-routing exposure without forwarding", d == [], d)
PY
fwa_finish
