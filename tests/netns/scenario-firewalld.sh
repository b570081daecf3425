#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scenario-firewalld.sh - firewalld (Debian's 1.3, nftables backend) with
# its defaults, then the common commands on top, against real packets,
# IPv4 and IPv6.  firewalld runs in the node namespace on a private D-Bus
# system bus (a dbus-daemon of the test's own, no polkit: firewalld then
# authorizes uid 0) with --system-config pointing at a copy of
# /etc/firewalld, and /run its own (firewalld's temporary files go to
# /run/firewalld): the host's files are never written.  Forwarding is
# on and a backend namespace sits behind the node on v2.
#  1. defaults: no command at all (default zone public: ssh, dhcpv6-client
#     to fe80::/64 only, the allow-host-ipv6 policy, IPv6_rpfilter=yes);
#  2. on top: service http, ports 8443/tcp and 5000-5005/udp, rich rules
#     (5432/tcp accepted from 10.9.0.0/24 and from 2001:db8:2::/64 only;
#     ssh rejected from 203.0.113.0/24), port forwards (8080 -> local
#     port 80; 8081 -> the backend's port 80, IPv4 with --add-forward-port
#     and IPv6 with a rich rule: forward ports without an address are
#     IPv4 only in this version; 8082 -> local port 80 for IPv6 with a
#     rich rule), masquerade, the backend's link v2 in
#     zone internal, the source 10.9.0.7 bound to zone trusted (everything
#     open to it), and 2222/tcp accepted at a rate limit (a rich rule's
#     limit: possible by design); and, for IPv6_rpfilter, datagrams
#     forged with the node's own v2 address as source, arriving on v0: the
#     kernel drops them (its fib lookup finds a local route, no interface),
#     and fwaudit must not list that source;
#  2b. with a policy that forbids tcp/8443, `fwaudit audit`'s hints are
#     firewall-cmd rich rules in the zones that let it in; run as printed,
#     they close it (real packets) and nothing else;
#  3. the zone "docker" (target ACCEPT, docker0-style) and the policy
#     "docker-forwarding" exactly as dockerd writes them through D-Bus
#     (this firewalld ships neither), with v2 in zone docker, and the
#     hardening of zone public to target DROP (silence instead of
#     admin-prohibited).
# StrictForwardPorts (firewalld 2.3) does not exist in this version; the
# test says so.  For each stage: every probe agrees with the kernel, the
# number of possible exposures is printed and must be 0, and the text audit
# is kept in tests/golden/scenario-firewalld-*.text (GOLDEN=update).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

fwa_require_tools firewalld firewall-cmd dbus-daemon nsenter
[ -d /etc/firewalld ] && [ -d /usr/lib/firewalld ] ||
	fwa_skip "/etc/firewalld or /usr/lib/firewalld missing (package firewalld)"
pl_init
sc_backend
sc_fixed_lladdr
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1

# --- a private system bus and firewalld on it
cp -a /etc/firewalld "$PT/etc-firewalld"
cat > "$PT/bus.conf" <<EOF2
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$PT/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF2
fwa_bg DBUS_PID dbus-daemon --config-file="$PT/bus.conf" --nofork --nopidfile \
	> "$PT/dbus.log" 2>&1
for ((i = 0; i < 100; i++)); do [ -S "$PT/bus" ] && break; sleep 0.05; done
[ -S "$PT/bus" ] || fwa_die "dbus-daemon did not start: $(cat "$PT/dbus.log")"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$PT/bus"
# firewalld writes its temporary files in /run/firewalld: in a private
# mount namespace, /run is a directory of the test's
mkdir -p "$PT/run"
fwa_bg FWD_PID nsenter --net="/run/netns/$NODE" unshare --mount --propagation private \
	sh -c 'mount -n --bind "$1" /run && shift && exec "$@"' sh "$PT/run" \
	firewalld --nofork --nopid \
	--system-config "$PT/etc-firewalld" --log-target file \
	--log-file "$PT/firewalld.log" > "$PT/firewalld.out" 2>&1
st=
for ((i = 0; i < 300; i++)); do
	st=$(firewall-cmd --state 2>/dev/null || true)
	[ "$st" = running ] && break
	kill -0 "$FWD_PID" 2>/dev/null || break
	sleep 0.1
done
[ "$st" = running ] ||
	fwa_die "firewalld did not start: $(tail -5 "$PT/firewalld.log" "$PT/firewalld.out")"
fwa_log "firewalld $(firewall-cmd --version) running in $NODE (pid $FWD_PID)"

fc() {
	firewall-cmd "$@" > "$PT/fc.out" 2>&1 ||
		{ cat "$PT/fc.out"; fwa_die "firewall-cmd $* failed"; }
	sed "s|^|  firewall-cmd ${1%%=*}: |" "$PT/fc.out"
}
stage_end() {
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
}

if grep -q StrictForwardPorts "$PT/etc-firewalld/firewalld.conf" \
	/usr/lib/python3/dist-packages/firewall/config/__init__.py 2>/dev/null; then
	fwa_log "this firewalld knows StrictForwardPorts (not yet covered here)"
else
	fwa_log "StrictForwardPorts: not in firewalld $(firewall-cmd --version) (added in 2.3): not tested"
fi

pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:2222' 'tcp:[::]:5432' 'tcp:[::]:8443' \
	'tcp:[::]:9090' \
	'udp:[::]:546' 'udp:[::]:5000-5003' 'udp:[::]:5353'
sc_back_serve 'tcp:[::]:80'
# 443, 8080-8082 on the node, 5004-5005/udp: nothing listens
pl_std_probes "$PT/probes0" 22,80,443,546,2222,5000-5006,5353,5432,8080-8082,8443,9090
sc_ll_probes "$PT/ll" 22,80,443,546,2222,5000-5006,5353,5432,8080-8082,8443,9090 tcp,udp 0,547
pl_merge "$PT/probes" "$PT/probes0" "$PT/ll"
export PL_TIMEOUT=${PL_TIMEOUT:-2}

# --- 1. firewalld's defaults
fc --get-default-zone
fc --list-all
pl_check "firewalld defaults" "$PT/probes" || true
sc_unknown "firewalld defaults"
sc_possible "firewalld defaults"
sc_golden scenario-firewalld-default
stage_end

# --- 2. services, ports, rich rules, port forwards, masquerade
fc --add-service=http
fc --add-port=8443/tcp
fc --add-port=5000-5005/udp
fc --add-rich-rule='rule family="ipv4" source address="10.9.0.0/24" port port="5432" protocol="tcp" accept'
fc --add-rich-rule='rule family="ipv6" source address="2001:db8:2::/64" port port="5432" protocol="tcp" accept'
fc --add-rich-rule='rule family="ipv4" source address="203.0.113.0/24" service name="ssh" reject'
fc --add-forward-port=port=8080:proto=tcp:toport=80
fc --add-forward-port=port=8081:proto=tcp:toport=80:toaddr=$BACK4
fc --add-rich-rule="rule family=\"ipv6\" forward-port port=\"8081\" protocol=\"tcp\" to-port=\"80\" to-addr=\"$BACK6\""
fc --add-rich-rule='rule family="ipv6" forward-port port="8082" protocol="tcp" to-port="80"'
fc --add-masquerade
fc --zone=internal --change-interface=v2
fc --zone=trusted --add-source=$PRIV4/32
fc --add-rich-rule='rule family="ipv4" port port="2222" protocol="tcp" limit value="10/m" accept'
fc --list-all
pl_check "firewalld rules" "$PT/probes" || true
sc_unknown "firewalld rules"
sc_possible "firewalld rules" tcp/2222
sc_golden scenario-firewalld-rules

# IPv6_rpfilter (fib saddr . mark . iif oif missing drop) and a source that
# is one of the node's own addresses (its v2 address, forged by the outside
# on v0): the kernel's fib lookup finds a local route, no output interface,
# and drops it.  Three datagrams to udp/5000 (open to any on v0); the node's
# Udp6InDatagrams tells whether they were delivered, and fwaudit must agree.
udp6_in() {
	ip netns exec "$NODE" awk '$1 == "Udp6InDatagrams" {print $2}' /proc/net/snmp6
}
ip -n "$OUT" addr add 2001:db8:77::1/128 dev lo
# a fixed neighbour entry: a solicitation from the forged source would go
# unanswered
ip -n "$OUT" neigh replace "$NODE6" lladdr "$(ip -n "$NODE" -j link show v0 |
	"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')" \
	dev v1 nud permanent
# send3 SRC: three datagrams from SRC to the node's udp/5000; prints how
# many the node delivered
send3() {
	local before

	before=$(udp6_in)
	ip netns exec "$OUT" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40000))
for i in range(3):
    s.sendto(b"forged", (sys.argv[2], 5000))' "$1" "$NODE6"
	sleep 0.5
	echo $(( $(udp6_in) - before ))
}
n=$(send3 "$OUT6")
[ "$n" -ge 3 ] || fwa_fail "udp/5000 from $OUT6: only $n of 3 datagrams counted as delivered"
delivered=$(send3 2001:db8:77::1)
ip -n "$OUT" addr del 2001:db8:77::1/128 dev lo
ip -n "$OUT" neigh del "$NODE6" dev v1 2>/dev/null || true
pl_audit "$PT/forged.json"
fwa_check "$PT/forged.json" "forged own source" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
import ipaddress
a = ipaddress.ip_address("2001:db8:77::1")
rows = [e for e in J["exposures"] if e["family"] == "ipv6" and e["protocol"] == "udp"
        and e["ports"][0] <= 5000 <= e["ports"][1] and "v0" in e["interfaces"]
        and (e["address"] == "*" or "$NODE6" in e["address"].split(","))]
listed = any(a in ipaddress.ip_network(s, strict=False) for e in rows for s in e["sources"])
kernel = $delivered > 0
expect("udp/5000 on v0 from the node's own 2001:db8:77::1: kernel %s (%d of 3 delivered), fwaudit %s"
       % ("delivers" if kernel else "drops", $delivered, "lists it" if listed else "does not"),
       listed == kernel, rows)
EOF2
stage_end

# --- 2b. `fwaudit audit`'s hints where firewalld manages the host: rich
# rules in the zone that let each violation in (public on v0; trusted,
# bound to the source 10.9.0.7, whose target accepts), run as printed,
# and proven with real packets: tcp/8443 closed from every source, IPv4
# and IPv6, the services beside it still answer, every probe agrees with
# the walk, and the audit has nothing left to say.  Stage 3's reload
# drops them again.
printf '%s\n' 'alert critical tcp 8443 from any "test: 8443 must not answer"' \
	'default allow' > "$PT/hint.rules"
rc=0
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/hint.rules" --format json \
	> "$PT/hint.json" 2> "$PT/hint.err" || rc=$?
[ "$rc" = 2 ] || fwa_die "audit with a violation of tcp/8443 exited $rc: $(head -3 "$PT/hint.err")"
fwa_check "$PT/hint.json" "firewalld hints" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
vs = [v for v in J["violations"] if v["kind"] == "exposure"]
expect("only tcp/8443 violates", vs and all(v["ports"] == [8443, 8443] for v in vs), vs)
expect("every violation has firewall-cmd rich rules (zones %s)" %
       sorted(set(c.split()[1] for v in vs for c in (v.get("fix") or {}).get("commands", []))),
       all(v.get("fix") and v["fix"]["backend"] == "firewalld" and v["fix"]["commands"] and
           all(c.startswith("firewall-cmd --zone=") and "--add-rich-rule='rule priority=" in c
               for c in v["fix"]["commands"]) for v in vs), [v.get("fix") for v in vs])
expect("IPv4 and IPv6", sorted(set(v["family"] for v in vs)) == ["ipv4", "ipv6"], vs)
with open("$PT/hint.sh", "w") as f:
    seen = set()
    for v in vs:
        for c in v["fix"]["commands"]:
            if c not in seen:
                seen.add(c)
                f.write(c + "\\n")
EOF2
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/hint.rules" --format text \
	> "$PT/hint.text" 2>&1 || true
# the plan's commands in any order: the first after "fix:", the others
# on the lines below it
grep -q "fix: firewall-cmd --zone=" "$PT/hint.text" &&
	grep -Eq "^ +(fix: +)?firewall-cmd --zone=public --add-rich-rule=" \
		"$PT/hint.text" &&
	! grep -Eq "fix: +nft " "$PT/hint.text" &&
	fwa_pass "firewalld hints: the text audit says firewall-cmd" ||
	fwa_fail "firewalld hints: text: $(grep -m3 'fix:' "$PT/hint.text")"
sed 's/^/  hint: /' "$PT/hint.sh"
sh -e "$PT/hint.sh" > "$PT/hint.out" 2>&1 ||
	fwa_fail "firewalld hints: running them failed: $(head -3 "$PT/hint.out")"
ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
pl_expect_tcp "firewalld hints applied" \
	"$PUB4" "$NODE4" 8443 closed "$PRIV4" "$NODE4" 8443 closed \
	"$PUB6" "$NODE6" 8443 closed \
	"$PUB4" "$NODE4" 80 open "$PUB6" "$NODE6" 80 open \
	"$PRIV4" "$NODE4" 22 open "$OUT4" "$NODE4" 22 open
pl_check "firewalld hints applied" "$PT/probes" || true
rc=0
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/hint.rules" --format json \
	> "$PT/hint2.json" 2> "$PT/hint2.err" || rc=$?
[ "$rc" = 0 ] && fwa_pass "firewalld hints applied: no violation left (exit 0)" ||
	fwa_fail "firewalld hints applied: audit exit $rc"
stage_end

# --- 3. Docker's zone and policy, as dockerd (>= 20.10 / 24) writes them
if [ -e /usr/lib/firewalld/zones/docker.xml ] ||
	[ -e /usr/lib/firewalld/policies/docker-forwarding.xml ]; then
	fwa_log "this firewalld ships a docker zone or policy"
else
	fwa_log "no docker zone or docker-forwarding policy shipped in firewalld $(firewall-cmd --version): made as dockerd makes them"
fi
fc --permanent --new-zone=docker
fc --permanent --zone=docker --set-target=ACCEPT
fc --permanent --new-policy=docker-forwarding
fc --permanent --policy=docker-forwarding --add-ingress-zone=ANY
fc --permanent --policy=docker-forwarding --add-egress-zone=docker
fc --permanent --policy=docker-forwarding --set-target=ACCEPT
fc --permanent --zone=public --set-target=DROP
fc --reload
# a reload drops the runtime configuration: the stage-2 commands again,
# with v2 in zone docker
fc --add-service=http
fc --add-port=8443/tcp
fc --add-port=5000-5005/udp
fc --add-rich-rule='rule family="ipv4" source address="10.9.0.0/24" port port="5432" protocol="tcp" accept'
fc --add-forward-port=port=8081:proto=tcp:toport=80:toaddr=$BACK4
fc --add-masquerade
fc --zone=docker --change-interface=v2
fc --get-active-zones
pl_check "firewalld docker zone" "$PT/probes" || true
sc_unknown "firewalld docker zone"
sc_possible "firewalld docker zone"
sc_golden scenario-firewalld-docker
fwa_finish
