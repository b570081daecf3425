#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ipset.sh - x_tables "set" matches decided from the sets' contents
# (auditd/readers/ipset.c), against real packets, IPv4 and IPv6, with the
# real ipset tool and once with iptables-nft, once with iptables-legacy:
#  - a blocklist (hash:ip with timeouts, fail2ban's iptables-ipset shape):
#    tcp/22 rejected from its addresses,
#  - an allowlist (hash:net with a nomatch prefix inside): tcp/80 accepted
#    from it only,
#  - hash:ip,port (src,dst): tcp/8080 accepted from one address only,
#  - a list:set of both families' allowlists, negated (! --match-set):
#    tcp/443 rejected from everything outside it,
#  - udp/53 untouched.
# Every probe must agree with fwaudit, no exposure may be "possible" (every
# set match decided), and the JSON must say who reaches what.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

fwa_require_tools ipset iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy
pl_init
# does ipset work in this namespace (module, permissions)?
ip netns exec "$NODE" ipset create fwa-probe hash:ip 2>/dev/null ||
	fwa_skip "ipset does not work in a test namespace here"
ip netns exec "$NODE" ipset destroy fwa-probe

pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:443' 'tcp:[::]:8080' 'udp:[::]:53' \
	'tcp:[::]:81-82' 'tcp:[::]:1500' 'tcp:[::]:3000'
pl_std_probes "$PT/probes" 22,80,443,8080,53
pl_gen "$PT/probes-types" --proto tcp --dst "$NODE4" \
	--src "$OUT4,$PUB4,$PRIV4" --sport 0 --ports 80,81,82,1500,3000
export PL_TIMEOUT=${PL_TIMEOUT:-2}
# every audit also from a snapshot, and from a redacted one: the ipset
# recording replays (and recreates the sets' indexes for the legacy
# rules), its addresses map with the rest
export FWA_SNAPSHOT_CHECK=${FWA_SNAPSHOT_CHECK:-1}
export FWA_REDACT_CHECK=${FWA_REDACT_CHECK:-1}

sets() {
	ip netns exec "$NODE" ipset restore <<EOF2
create blk4 hash:ip family inet timeout 600
add blk4 $PUB4 timeout 600
create blk6 hash:ip family inet6 timeout 600
add blk6 $PUB6 timeout 600
create allow4 hash:net family inet
add allow4 198.51.100.0/24
add allow4 10.9.0.0/16
add allow4 10.9.0.0/28 nomatch
create allow6 hash:net family inet6
add allow6 2001:db8:1::/64
add allow6 2001:db8::/32
add allow6 2001:db8:2::/64 nomatch
create ipp4 hash:ip,port family inet
add ipp4 $PRIV4,tcp:8080
create ipp6 hash:ip,port family inet6
add ipp6 $PUB6,tcp:8080
create lst list:set
add lst allow4
add lst allow6
EOF2
}

# rules IPT IP6T: the same shape in both families
rules() {
	local t=$1 f
	for f in 4 6; do
		[ "$f" = 6 ] && t=$2
		local rej=icmp-admin-prohibited
		[ "$f" = 6 ] && rej=icmp6-adm-prohibited
		ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 22 -m set --match-set "blk$f" src -j REJECT --reject-with "$rej"
		ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 80 -m set --match-set "allow$f" src -j ACCEPT
		ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 80 -j REJECT --reject-with "$rej"
		ip netns exec "$NODE" "$t" -A INPUT -m set --match-set "ipp$f" src,dst -j ACCEPT
		ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 8080 -j REJECT --reject-with "$rej"
		ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 443 -m set ! --match-set lst src -j REJECT --reject-with "$rej"
	done
}

unload() {
	local t
	for t in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do
		ip netns exec "$NODE" "$t" -F INPUT 2>/dev/null || true
	done
	# the list:set holds references to its members: emptied first; and
	# nf_tables drops its references after the commit (deferred work)
	ip netns exec "$NODE" ipset flush
	for _ in $(seq 1 50); do
		ip netns exec "$NODE" ipset destroy 2>/dev/null && break
		sleep 0.2
	done
	ip netns exec "$NODE" ipset destroy
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
}

# expectations LABEL: who reaches what, from the JSON
expectations() {
	local a="$PT/exp.$1.json"

	pl_audit "$a"
	fwa_check "$a" "$1" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
import ipaddress
def covers(port, fam, addr):
    a = ipaddress.ip_address(addr)
    return any(e["protocol"] == "tcp" and e["family"] == fam and
               e["ports"][0] <= port <= e["ports"][1] and
               any(a in ipaddress.ip_network(s, strict=False) for s in e["sources"])
               for e in J["exposures"])
want = {
    (22, "ipv4"): {"$OUT4": True, "$PUB4": False, "$PRIV4": True},
    (22, "ipv6"): {"$OUT6": True, "$PUB6": False},
    (80, "ipv4"): {"$OUT4": True, "$PUB4": False, "$PRIV4": False,
                   "10.9.0.16": True},
    (80, "ipv6"): {"$OUT6": True, "$PUB6": False, "2001:db8:3::1": True},
    (8080, "ipv4"): {"$OUT4": False, "$PUB4": False, "$PRIV4": True},
    (8080, "ipv6"): {"$OUT6": False, "$PUB6": True},
    (443, "ipv4"): {"$OUT4": True, "$PUB4": False, "$PRIV4": False},
    (443, "ipv6"): {"$OUT6": True, "$PUB6": False},
}
for (port, fam), srcs in sorted(want.items()):
    for addr, ok in sorted(srcs.items()):
        expect("%s tcp/%d %s from %s" % (fam, port, "reachable" if ok else "closed", addr),
               covers(port, fam, addr) == ok)
expect("no possible exposure", not [e for e in J["exposures"] if e["certainty"] == "possible"])
EOF2
}

for be in nft legacy; do
	sets
	rules "iptables-$be" "ip6tables-$be"
	ip netns exec "$NODE" ipset list -t | sed 's/^/  ipset: /' | head -60
	pl_check "ipset, iptables-$be" "$PT/probes" || true
	sc_possible "ipset, iptables-$be"
	expectations "ipset-$be"
	unload
done
# Undecided sets are named where people read them, as iptables-save names
# them: the audit's unknown list (live, and from a snapshot: pl_audit
# compares them), the explain text (live and from the snapshot, the same
# bytes), the ruleset printed; their kernel indexes nowhere.  IPv4: a
# bitmap:ip,mac (the engine does not follow MAC addresses; this kernel
# has no hash:mac); IPv6: a hash:ip that a -j SET rule fills as packets
# arrive.  Both back-ends; a set first, so that no named set has index 0.
for be in nft legacy; do
	ip netns exec "$NODE" ipset create fwa-first hash:ip
	ip netns exec "$NODE" ipset create fwa-macs bitmap:ip,mac range 10.9.0.0/24
	ip netns exec "$NODE" ipset add fwa-macs 10.9.0.7,02:00:00:00:00:01
	ip netns exec "$NODE" ipset create fwa-dyn6 hash:ip family inet6
	ip netns exec "$NODE" "iptables-$be" -A INPUT -p tcp --dport 3000 \
		-m set --match-set fwa-macs src,src -j DROP
	ip netns exec "$NODE" "ip6tables-$be" -A INPUT -p tcp --dport 81 \
		-j SET --add-set fwa-dyn6 src
	ip netns exec "$NODE" "ip6tables-$be" -A INPUT -p tcp --dport 3000 \
		-m set --match-set fwa-dyn6 src -j DROP
	a="$PT/macs-$be.json"
	# (no redaction check: a bitmap set is refused by --redact)
	FWA_REDACT_CHECK=0 pl_audit "$a"
	ip netns exec "$NODE" "$FWAUDIT" ruleset > "$PT/macs-$be.rs" 2>&1 || true
	for f in 4 6; do
		src=$OUT4
		[ "$f" = 6 ] && src=$OUT6
		ip netns exec "$NODE" "$FWAUDIT" explain tcp/3000 --from "$src" \
			> "$PT/macs-$be.explain$f" 2>&1 || true
		"$FWAUDIT" explain tcp/3000 --from "$src" --snapshot "$a.snap" \
			> "$PT/macs-$be.explain$f.snap" 2>&1 || true
	done
	fwa_check "$a" "undecided set named, iptables-$be" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
want = {"ipv4": "set match-set fwa-macs src,src", "ipv6": "set match-set fwa-dyn6 src"}
for fam in ("ipv4", "ipv6"):
    rows = [e for e in J["exposures"] if e["protocol"] == "tcp" and
            e["family"] == fam and e["ports"][0] <= 3000 <= e["ports"][1]]
    unk = [u for e in rows for u in (e.get("unknown") or [])]
    expect("%s tcp/3000 possible" % fam,
           rows and all(e["certainty"] == "possible" for e in rows), rows)
    expect("%s tcp/3000: the set named in unknown" % fam,
           any(u.startswith(want[fam] + " (") for u in unk), unk)
    expect("%s tcp/3000: no kernel index in unknown" % fam,
           unk and not any("index" in u for u in unk), unk)
rs = open("$PT/macs-$be.rs").read()
# (iptables-nft's rules have a counter statement)
def rule3000(text):
    return [l for l in text.split("\n") if "dport 3000 " in l and " drop" in l]
for fam in ("ipv4", "ipv6"):
    expect("ruleset names the %s set" % fam,
           any(want[fam] + " " in l for l in rule3000(rs)), rs)
expect("ruleset names the SET target's set", "SET add-set fwa-dyn6 src" in rs, rs)
expect("ruleset shows no index", "set index" not in rs)
for f, fam in (("4", "ipv4"), ("6", "ipv6")):
    ex = open("$PT/macs-$be.explain" + f).read()
    snap = open("$PT/macs-$be.explain" + f + ".snap").read()
    expect("explain IPv%s names the set" % f,
           "assuming " + want[fam] + " " in ex and
           any(want[fam] + " " in l for l in rule3000(ex)), ex)
    expect("explain IPv%s shows no index" % f, "set index" not in ex)
    expect("explain IPv%s from the snapshot: the same text" % f, ex == snap,
           snap)
EOF2
	unload
done
# The other types, IPv4, iptables-nft: bitmap:ip with a netmask,
# bitmap:port (no family), hash:net,iface (src,src: the input interface),
# hash:ip,port,net (dst,dst,src), --return-nomatch.  (No redaction check:
# a bitmap:ip is refused by --redact.)
ip netns exec "$NODE" ipset restore <<EOF2
create bm bitmap:ip range 203.0.113.0/24 netmask 28
add bm 203.0.113.0
create bp bitmap:port range 1000-2000
add bp 1500
create ni hash:net,iface
add ni 198.51.100.0/24,v0
create ipn hash:ip,port,net
add ipn $NODE4,tcp:3000,10.9.0.0/24
create rn hash:net
add rn 203.0.113.0/24
add rn 203.0.113.0/29 nomatch
EOF2
rej=icmp-admin-prohibited
ipt() { ip netns exec "$NODE" iptables-nft "$@"; }
ipt -A INPUT -p tcp --dport 80 -m set --match-set bm src -j ACCEPT
ipt -A INPUT -p tcp --dport 80 -j REJECT --reject-with $rej
ipt -A INPUT -p tcp -m set --match-set bp dst -j REJECT --reject-with $rej
ipt -A INPUT -p tcp --dport 81 -m set --match-set ni src,src -j ACCEPT
ipt -A INPUT -p tcp --dport 81 -j REJECT --reject-with $rej
ipt -A INPUT -m set --match-set ipn dst,dst,src -j ACCEPT
ipt -A INPUT -p tcp --dport 3000 -j REJECT --reject-with $rej
ipt -A INPUT -p tcp --dport 82 -m set --match-set rn src --return-nomatch -j ACCEPT
ipt -A INPUT -p tcp --dport 82 -j REJECT --reject-with $rej
FWA_REDACT_CHECK=0 pl_check "ipset types, iptables-nft" "$PT/probes-types" || true
FWA_REDACT_CHECK=0 sc_possible "ipset types, iptables-nft"
a="$PT/types.json"
FWA_REDACT_CHECK=0 pl_audit "$a"
fwa_check "$a" "ipset types" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
import ipaddress
def covers(port, addr):
    a = ipaddress.ip_address(addr)
    return any(e["protocol"] == "tcp" and e["family"] == "ipv4" and
               e["ports"][0] <= port <= e["ports"][1] and
               any(a in ipaddress.ip_network(s, strict=False) for s in e["sources"])
               for e in J["exposures"])
for port, srcs in ((80, {"$PUB4": True, "$OUT4": False, "203.0.113.16": False}),
                   (81, {"$OUT4": True, "$PUB4": False}),
                   (82, {"$PUB4": True, "203.0.113.8": False, "$OUT4": False}),
                   (1500, {"$OUT4": False, "$PUB4": False}),
                   (3000, {"$PRIV4": True, "$OUT4": False})):
    for addr, ok in sorted(srcs.items()):
        expect("tcp/%d %s from %s" % (port, "reachable" if ok else "closed", addr),
               covers(port, addr) == ok)
EOF2
# A rule that adds to a set as packets arrive: its matches stay undecided,
# the set named in a note; counters compared (--packets-gt) too.
unload
ip netns exec "$NODE" ipset create dyn hash:ip
ip netns exec "$NODE" ipset create cnt hash:ip counters
ipt -A INPUT -p tcp --dport 83 -m set --match-set dyn src -j DROP
ipt -A INPUT -p tcp --dport 84 -j SET --add-set dyn src
ipt -A INPUT -p tcp --dport 85 -m set --match-set cnt src --packets-gt 5 -j DROP
ip netns exec "$NODE" "$FWAUDIT" ruleset > "$PT/rs.txt" 2>&1 || true
pl_audit "$a"
fwa_check "$a" "ipset at run time" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
p = {e["ports"][0]: e for e in J["exposures"] if e["protocol"] == "tcp" and
     e["family"] == "ipv4" and e["certainty"] == "possible"}
expect("tcp/83 possible: -j SET adds to its set", 83 in p, sorted(p))
expect("tcp/85 possible: --packets-gt", 85 in p, sorted(p))
expect("nothing else possible", sorted(p) == [83, 85], sorted(p))
rs = open("$PT/rs.txt").read()
expect("the set is named in a note", "ipset dyn (hash:ip): its matches stay undecided" in rs)
EOF2
ipt -F INPUT
unload
fwa_finish
