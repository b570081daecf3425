#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ipvs-snapshot.sh - IPVS virtual services (auditd/readers/ipvs.c) in an
# audit.  This kernel has no IPVS (CONFIG_IP_VS is not set), so:
#  - a live snapshot of a node holds no "ipvs" member and its audit no
#    note about IPVS: an absent family costs nothing;
#  - the node's snapshot gets IPVS services injected as the kernel would
#    dump them (ipvsinject.py): a NAT (masq) and a direct-routing real
#    server behind an IPv4 VIP port the INPUT chain accepts and a local
#    listener holds, a VIP port INPUT drops, an IPv6 UDP service, a
#    quiesced real server, a fwmark service nothing marks;
#  - the audit of that snapshot reports the accepted VIP port forwarded to
#    its real servers (JSON backend "via": "ipvs", text "(ipvs masq)"),
#    not to the listener, the dropped one not at all, the IPv6 service
#    with its real server, the rest as without IPVS; twice the same bytes;
#  - an IPVS tunnel service (ipvsinject.py's tun_type): OUTPUT drops
#    protocol 4 (nft's "ipencap"; its "ipip" is protocol 94, which the
#    kernel's IPIP tunnel is not, and accepting that changes nothing), so
#    of a GUE and an IPIP real server only the GUE one takes connections,
#    and explain names both tunnel steps;
#  - `snapshot --redact --input` maps the real servers' and the VIPs'
#    addresses (requests and answers of the recording) and its audit is the
#    plain one mapped; none of the addresses is left in the file.
# The addresses of the real servers are not documentation ones (those the
# redaction map keeps); no packet is sent anywhere.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/redact-lib.sh
. "$(dirname "$0")/redact-lib.sh"

INJECT="$FWA_LIBDIR/ipvsinject.py"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft socat
fwa_require_fwaudit
[ -x "$MAPTOOL" ] || fwa_skip "tests/netns/redact_map is not built"
fwa_tmpdir PT

fwa_ns_new NODE node
ip -n "$NODE" link add v0 type veth peer name v0p
ip -n "$NODE" addr add 198.51.100.1/24 dev v0
ip -n "$NODE" addr add 2001:db8::1/64 dev v0 nodad
ip -n "$NODE" link set v0 up
ip -n "$NODE" link set v0p up
ip -n "$NODE" route add default via 198.51.100.254
ip -n "$NODE" -6 route add default via 2001:db8::fe
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport { 80, 8443 } accept
		udp dport 53 accept
		tcp dport 443 drop
	}
	chain output {
		type filter hook output priority 0; policy accept;
		meta l4proto ipip accept
		meta l4proto ipencap drop
	}
}
EOF2
fwa_bg L80 ip netns exec "$NODE" socat TCP6-LISTEN:80,fork,reuseaddr /dev/null
sleep 0.5

ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$PT/plain.snap" 2> "$PT/snap.err" ||
	fwa_die "fwaudit snapshot failed: $(head -3 "$PT/snap.err")"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/plain.snap" \
	> "$PT/plain.json" 2>/dev/null || true
if [ -e /proc/net/ip_vs ]; then
	fwa_log "this kernel has IPVS: the absent-family check is not made"
else
	fwa_check "$PT/plain.json" "no IPVS" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
with open(sys.argv[1].replace("plain.json", "plain.snap")) as f:
    snap = json.load(f)
expect("the snapshot holds no ipvs member", "ipvs" not in snap)
expect("no note mentions IPVS", not any("IPVS" in n for n in J["notes"]), J["notes"])
expect("tcp/80 reaches the listener", any(r["ports"] == [80, 80] and r["listener"]
       for r in J["exposures"] if r["family"] == "ipv4"))
EOF2
fi

cat > "$PT/spec.json" <<'EOF2'
[{"proto": "tcp", "addr": "198.51.100.1", "port": 80, "sched": "rr",
  "dests": [{"addr": "10.23.0.2", "port": 8080, "fwd": "masq", "weight": 1},
            {"addr": "10.23.0.3", "port": 8080, "fwd": "route", "weight": 2},
            {"addr": "10.23.0.4", "port": 8080, "fwd": "masq", "weight": 0}]},
 {"proto": "tcp", "addr": "198.51.100.1", "port": 443,
  "dests": [{"addr": "10.23.0.2", "port": 443}]},
 {"proto": "udp", "addr": "2001:db8::1", "port": 53,
  "dests": [{"addr": "fd23::2", "port": 5353, "fwd": "masq"}]},
 {"fwmark": 7, "dests": [{"addr": "10.23.0.9", "fwd": "tunnel"}]}]
EOF2
"$PYTHON" "$INJECT" "$PT/plain.snap" "$PT/spec.json" > "$PT/ipvs.snap" ||
	fwa_die "ipvsinject failed"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/ipvs.snap" \
	> "$PT/ipvs.json" 2> "$PT/ipvs.err" || true
[ -s "$PT/ipvs.json" ] || fwa_die "audit of the IPVS snapshot: $(head -3 "$PT/ipvs.err")"
fwa_check "$PT/ipvs.json" "ipvs" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
ex = J["exposures"]
def rows(fam, proto, port):
    return [r for r in ex if r["family"] == fam and r["protocol"] == proto
            and r["ports"][0] <= port <= r["ports"][1]]
r80 = rows("ipv4", "tcp", 80)
b80 = sorted((r["backend"] or {}).get("address") for r in r80)
expect("tcp/80 over IPv4 goes to the two real servers taking connections",
       b80 == ["10.23.0.2", "10.23.0.3"], r80)
expect("... as forwarded, exposed, definite, via ipvs, no listener",
       all(r["path"] == "forward" and r["state"] == "exposed" and
           r["certainty"] == "definite" and r["listener"] is None and
           r["backend"]["via"] == "ipvs" and r["backend"]["ports"] == [8080, 8080]
           for r in r80), r80)
expect("... with their forwarding methods and weights",
       sorted((r["backend"]["method"], r["backend"]["weight"]) for r in r80) ==
       [("masq", 1), ("route", 2)], r80)
expect("the address is the VIP", all(r["address"] in ("198.51.100.1", "*") for r in r80), r80)
expect("tcp/443: INPUT drops it before IPVS", not rows("ipv4", "tcp", 443),
       rows("ipv4", "tcp", 443))
# (the link-local address is not the VIP: local)
r53 = [r for r in rows("ipv6", "udp", 53) if not r["address"].startswith("fe80")]
expect("udp/53 over IPv6 to the VIP goes to its real server",
       r53 and all(r["backend"] and r["backend"]["address"] == "fd23::2" and
                   r["backend"]["ports"] == [5353, 5353] and
                   r["backend"]["via"] == "ipvs" for r in r53), r53)
r53v4 = rows("ipv4", "udp", 53)
expect("udp/53 over IPv4 (no service) stays local",
       r53v4 and all(r["path"] == "local" for r in r53v4), r53v4)
r80v6 = rows("ipv6", "tcp", 80)
expect("tcp/80 over IPv6 (no service) reaches the listener",
       r80v6 and all(r["listener"] and "backend" in r and r["backend"] is None
                     for r in r80v6), r80v6)
r8443 = rows("ipv4", "tcp", 8443)
expect("tcp/8443, unmarked: the fwmark service takes nothing",
       r8443 and all(r["path"] == "local" and r["state"] == "open" for r in r8443), r8443)
expect("DNAT backends keep their JSON: no via where IPVS is not",
       all("via" not in r["backend"] for r in ex if r["backend"] and r not in r80 + r53))
EOF2
"$FWAUDIT" audit --no-rules --snapshot "$PT/ipvs.snap" > "$PT/ipvs.txt" 2>&1 || true
"$FWAUDIT" audit --no-rules --snapshot "$PT/ipvs.snap" > "$PT/ipvs2.txt" 2>&1 || true
if grep -q -- "-> 10.23.0.2:8080 (ipvs masq)" "$PT/ipvs.txt" &&
   grep -q -- "-> 10.23.0.3:8080 (ipvs route)" "$PT/ipvs.txt"; then
	fwa_pass "text: the real servers are the targets, with their method"
else
	fwa_fail "text: $(cat "$PT/ipvs.txt")"
fi
if cmp -s "$PT/ipvs.txt" "$PT/ipvs2.txt"; then
	fwa_pass "audit --snapshot twice: the same bytes"
else
	fwa_fail "audit --snapshot differs between runs: $(diff "$PT/ipvs.txt" "$PT/ipvs2.txt" | head)"
fi
"$FWAUDIT" explain tcp/80 --from 203.0.113.5 --snapshot "$PT/ipvs.snap" \
	> "$PT/explain.txt" 2>&1 || true
if grep -q "IPVS tcp 198.51.100.1:80 (rr): to real server 10.23.0.2:8080 (masq)" \
	"$PT/explain.txt"; then
	fwa_pass "explain names the IPVS service and the real server"
else
	fwa_fail "explain: $(head -30 "$PT/explain.txt")"
fi

# tunnel real servers: the outer packet leaves through OUTPUT, which drops
# protocol 4 (the IPIP one) and not udp to 6080 (the GUE one)
cat > "$PT/tun.json" <<'EOF2'
[{"proto": "tcp", "addr": "198.51.100.1", "port": 80, "sched": "rr",
  "dests": [{"addr": "10.23.0.7", "port": 80, "fwd": "tunnel",
             "tun_type": "gue", "tun_port": 6080},
            {"addr": "10.23.0.8", "port": 80, "fwd": "tunnel",
             "tun_type": "ipip"}]}]
EOF2
"$PYTHON" "$INJECT" "$PT/plain.snap" "$PT/tun.json" > "$PT/tun.snap" ||
	fwa_die "ipvsinject failed (tunnel)"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/tun.snap" \
	> "$PT/tun.out" 2> "$PT/tun.err" || true
[ -s "$PT/tun.out" ] || fwa_die "audit of the tunnel snapshot: $(head -3 "$PT/tun.err")"
fwa_check "$PT/tun.out" "ipvs tunnel" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
r80 = [r for r in J["exposures"] if r["family"] == "ipv4" and
       r["protocol"] == "tcp" and r["ports"][0] <= 80 <= r["ports"][1]]
expect("tcp/80 goes to the GUE real server only (OUTPUT drops protocol 4)",
       sorted((r["backend"] or {}).get("address") for r in r80) == ["10.23.0.7"], r80)
expect("... forwarded by an IPVS tunnel, exposed, definite",
       all(r["path"] == "forward" and r["state"] == "exposed" and
           r["certainty"] == "definite" and r["backend"]["via"] == "ipvs" and
           r["backend"]["method"] == "tunnel" for r in r80), r80)
EOF2
"$FWAUDIT" explain tcp/80 --from 203.0.113.5 --snapshot "$PT/tun.snap" \
	> "$PT/tun-explain.txt" 2>&1 || true
if grep -q "to real server 10.23.0.7:80 (tunnel gue udp/6080)" "$PT/tun-explain.txt" &&
   grep -q "encapsulated for the real server (IPVS tunnel, gue" "$PT/tun-explain.txt" &&
   grep -q "encapsulated for the real server (IPVS tunnel, ipip" "$PT/tun-explain.txt"; then
	fwa_pass "explain names the tunnel real servers and their outer packets"
else
	fwa_fail "explain (tunnel): $(head -40 "$PT/tun-explain.txt")"
fi

# a refused read (no CAP_NET_ADMIN) is a note, and nothing is taken
echo '{"refused": 1}' > "$PT/refused.json"
"$PYTHON" "$INJECT" "$PT/plain.snap" "$PT/refused.json" > "$PT/refused.snap" ||
	fwa_die "ipvsinject failed (refused)"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/refused.snap" \
	> "$PT/refused.out" 2>/dev/null || true
fwa_check "$PT/refused.out" "refused" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("a note says IPVS was not checked and why",
       any("IPVS virtual services were not checked: Operation not permitted" in n
           for n in J["notes"]), J["notes"])
expect("no IPVS backend", not any(r["backend"] and "via" in r["backend"]
                                  for r in J["exposures"]))
EOF2

# Swarm's ingress sandbox that could not be entered (no CAP_SYS_ADMIN, as
# fwauditd runs): a note names it (swarm-mesh.sh reads one)
"$PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))
s["swarm_ingress_sbox"] = {"error": -1, "addrs": [], "marks": [], "marks_exact": False}
json.dump(s, sys.stdout)' "$PT/plain.snap" > "$PT/sbox.snap"
"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/sbox.snap" \
	> "$PT/sbox.out" 2>/dev/null || true
fwa_check "$PT/sbox.out" "ingress_sbox" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("a note says Swarm's routing mesh was not read, and why",
       any("ingress_sbox" in n and "was not read: Operation not permitted" in n
           for n in J["notes"]), J["notes"])
EOF2
if [ ! -e /var/run/docker/netns/ingress_sbox ] &&
   grep -q swarm_ingress_sbox "$PT/plain.snap"; then
	fwa_fail "a snapshot without an ingress sandbox says it has one"
fi

# redaction: every address mapped, the audit the same mapped
rdx_check ipvs "$PT/ipvs.snap" "$PT/ipvs.json" 10.23.0.2 10.23.0.3 10.23.0.4 10.23.0.9 fd23::2
# the tunnel attributes (type, port, flags) are no addresses: kept, and
# the redacted audit is the plain one mapped
rdx_check ipvs-tunnel "$PT/tun.snap" "$PT/tun.out" 10.23.0.7 10.23.0.8

fwa_finish
