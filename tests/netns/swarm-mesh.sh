#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# swarm-mesh.sh - Docker Swarm's routing mesh (auditd/readers/swarm.c).
# Swarm's ingress network does not come up on this kernel (no IPVS), so:
#  - a node namespace has Docker's DOCKER-INGRESS shape (iptables-nft: nat
#    PREROUTING addrtype LOCAL -> DNAT tcp/8080 to the sandbox's address on
#    docker_gwbridge, FORWARD accepts), and a second namespace plays the
#    ingress sandbox with the mark rules Docker writes there (mangle
#    PREROUTING "-p tcp --dport 8080 -j MARK --set-mark 256", and a
#    service VIP's "-d VIP -j MARK");
#  - `fwaudit snapshot` with FWAUDIT_SWARM_SBOX naming that namespace
#    enters it and records its address and mark rules; the audit of the
#    snapshot is the live audit (the host's own recordings are untouched);
#    without an ingress sandbox the snapshot has no such member;
#  - the sandbox's IPVS fwmark service is injected as the kernel would dump
#    it (ipvsinject.py): the published port is then reported on the node's
#    IPv4 addresses, forwarded to the tasks (backend "sandbox":
#    "ingress_sbox", text "(swarm ipvs masq)"), and explain names the mark
#    rule and the real server;
#    a neighbour that routes docker_gwbridge's network via the node
#    reaches the tasks through the sandbox's address as well;
#  - `snapshot --redact --input` maps the sandbox's addresses and the tasks'
#    and audits the same, mapped.
# The host side of the mesh meets real packets in engine-swarm.sh.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/redact-lib.sh
. "$(dirname "$0")/redact-lib.sh"

INJECT="$FWA_LIBDIR/ipvsinject.py"

fwa_require_root
fwa_require_tools "$PYTHON" ip iptables-nft iptables-nft-restore
fwa_require_fwaudit
[ -x "$MAPTOOL" ] || fwa_skip "tests/netns/redact_map is not built"
fwa_tmpdir PT

fwa_ns_new NODE node
fwa_ns_new SBX sandbox
ip -n "$NODE" link add v0 type veth peer name v0p
ip -n "$NODE" addr add 198.51.100.1/24 dev v0
ip -n "$NODE" addr add 203.0.113.1/24 dev v0p
ip -n "$NODE" link set v0 up
ip -n "$NODE" link set v0p up
ip -n "$NODE" route add default via 198.51.100.254
ip -n "$NODE" link add docker_gwbridge type bridge
ip -n "$NODE" addr add 10.18.0.1/16 dev docker_gwbridge
ip -n "$NODE" link set docker_gwbridge up
ip -n "$NODE" link add veth-gw type veth peer name eth1 netns "$SBX"
ip -n "$NODE" link set veth-gw master docker_gwbridge up
ip -n "$SBX" addr add 10.18.0.2/16 dev eth1
ip -n "$SBX" link set eth1 up
ip -n "$SBX" route add default via 10.18.0.1
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" iptables-nft-restore <<'EOF2'
*nat
:PREROUTING ACCEPT [0:0]
:DOCKER-INGRESS - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-INGRESS
-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.18.0.2:8080
-A DOCKER-INGRESS -j RETURN
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:DOCKER-INGRESS - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -j DOCKER-INGRESS
-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j ACCEPT
-A DOCKER-INGRESS -p tcp -m state --state RELATED,ESTABLISHED -m tcp --sport 8080 -j ACCEPT
-A DOCKER-INGRESS -j RETURN
COMMIT
EOF2
ip netns exec "$SBX" iptables-nft -t mangle -A PREROUTING -p tcp --dport 8080 \
	-j MARK --set-mark 256
ip netns exec "$SBX" iptables-nft -t mangle -A PREROUTING -d 10.0.0.5/32 \
	-j MARK --set-mark 257

# the live read: the sandbox entered, its facts recorded
ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$PT/none.snap" 2> "$PT/err" ||
	fwa_die "snapshot: $(head -3 "$PT/err")"
ip netns exec "$NODE" env FWAUDIT_SWARM_SBOX="/run/netns/$SBX" \
	"$FWAUDIT" snapshot -o "$PT/live.snap" 2> "$PT/err" ||
	fwa_die "snapshot with the sandbox: $(head -3 "$PT/err")"
fwa_check "$PT/live.snap" "live read" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
sb = J.get("swarm_ingress_sbox")
expect("the sandbox is in the snapshot", sb is not None)
sb = sb or {}
expect("read without error", sb.get("error") == 0, sb)
expect("its address", sb.get("addrs") == ["10.18.0.2"], sb.get("addrs"))
marks = sorted((m["protocol"], tuple(m["ports"]), tuple(m["daddr"]), m["mark"])
               for m in sb.get("marks", []))
expect("its two mark rules", marks == [
    (0, (0, 65535), ("10.0.0.5", "10.0.0.5"), 257),
    (6, (8080, 8080), ("0.0.0.0", "255.255.255.255"), 256)], marks)
expect("all understood", sb.get("marks_exact") is True, sb)
expect("no IPVS recorded (this kernel has none)", "ipvs" not in sb, sb)
with open(os.path.join(os.path.dirname(sys.argv[1]), "none.snap")) as f:
    expect("without a sandbox: no member", "swarm_ingress_sbox" not in json.load(f))
EOF2
rc1=0 rc2=0
ip netns exec "$NODE" env FWAUDIT_SWARM_SBOX="/run/netns/$SBX" \
	"$FWAUDIT" audit --no-rules > "$PT/live.txt" 2>&1 || rc1=$?
"$FWAUDIT" audit --no-rules --snapshot "$PT/live.snap" > "$PT/snap.txt" 2>&1 || rc2=$?
if [ "$rc1" = "$rc2" ] && cmp -s "$PT/live.txt" "$PT/snap.txt"; then
	fwa_pass "audit --snapshot = the live audit with the sandbox read (exit $rc1)"
else
	fwa_fail "live $rc1, snapshot $rc2: $(diff "$PT/live.txt" "$PT/snap.txt" | head)"
fi
if grep -q -- "-> 10.18.0.2:8080" "$PT/live.txt"; then
	fwa_pass "without IPVS in the sandbox: forwarded to the sandbox"
else
	fwa_fail "8080: $(cat "$PT/live.txt")"
fi

# the sandbox's IPVS fwmark service, as the kernel would dump it
cat > "$PT/spec.json" <<'EOF2'
{"swarm": {"services": [
  {"fwmark": 256, "sched": "rr",
   "dests": [{"addr": "10.0.0.5", "port": 80, "fwd": "masq", "weight": 1},
             {"addr": "10.0.0.6", "port": 80, "fwd": "masq", "weight": 1}]},
  {"fwmark": 257, "dests": [{"addr": "10.0.0.7", "port": 80}]}]}}
EOF2
"$PYTHON" "$INJECT" "$PT/live.snap" "$PT/spec.json" > "$PT/mesh.snap" ||
	fwa_die "ipvsinject failed"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/mesh.snap" \
	> "$PT/mesh.json" 2> "$PT/mesh.err" || true
[ -s "$PT/mesh.json" ] || fwa_die "audit of the mesh: $(head -3 "$PT/mesh.err")"
fwa_check "$PT/mesh.json" "mesh" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
ex = J["exposures"]
r8080 = [r for r in ex if r["ports"][0] <= 8080 <= r["ports"][1] and
         r.get("route") != "direct" and r["path"] == "forward"]
expect("nothing forwarded over IPv6", not any(r["family"] == "ipv6" and
       r["path"] == "forward" for r in ex))
d8080 = [r for r in ex if r["ports"][0] <= 8080 <= r["ports"][1] and
         r.get("route") == "direct" and r["address"] == "10.18.0.2"]
expect("routed to the sandbox's address directly: the tasks too",
       sorted(r["backend"]["address"] for r in d8080 if r["backend"]) ==
       ["10.0.0.5", "10.0.0.6"], d8080)
expect("8080 goes to the two tasks",
       sorted(r["backend"]["address"] for r in r8080 if r["backend"]) ==
       ["10.0.0.5", "10.0.0.6"], r8080)
expect("... IPv4 only, forwarded, exposed, definite, via the sandbox's IPVS",
       r8080 and all(r["family"] == "ipv4" and r["path"] == "forward" and
                     r["state"] == "exposed" and r["certainty"] == "definite" and
                     r["backend"]["via"] == "ipvs" and
                     r["backend"]["sandbox"] == "ingress_sbox" and
                     r["backend"]["ports"] == [80, 80] for r in r8080), r8080)
expect("... on every node address", all(r["address"] == "*" or
       r["address"] in ("198.51.100.1", "203.0.113.1") for r in r8080), r8080)
expect("the VIP's service (257) takes nothing published",
       not any(r["backend"] and r["backend"]["address"] == "10.0.0.7" for r in ex))
expect("no note says the mesh was not read",
       not any("ingress_sbox" in n for n in J["notes"]), J["notes"])
EOF2
"$FWAUDIT" audit --no-rules --snapshot "$PT/mesh.snap" > "$PT/mesh.txt" 2>&1 || true
if grep -q -- "-> 10.0.0.5:80 (swarm ipvs masq)" "$PT/mesh.txt"; then
	fwa_pass "text: the tasks are the targets"
else
	fwa_fail "text: $(cat "$PT/mesh.txt")"
fi
"$FWAUDIT" explain tcp/8080 --from 203.0.113.9 --snapshot "$PT/mesh.snap" \
	> "$PT/explain.txt" 2>&1 || true
if grep -q "Swarm's ingress sandbox marks tcp ports 8080-8080 with 256" "$PT/explain.txt" &&
   grep -q "IPVS fwmark 256 (rr): to real server 10.0.0.5:80 (masq)" "$PT/explain.txt"; then
	fwa_pass "explain names the sandbox's mark rule and the task"
else
	fwa_fail "explain: $(head -40 "$PT/explain.txt")"
fi

# redaction: every address mapped, the audit the same mapped
rdx_check mesh "$PT/mesh.snap" "$PT/mesh.json" 10.0.0.5 10.0.0.6 10.0.0.7 10.18.0.2

fwa_finish
