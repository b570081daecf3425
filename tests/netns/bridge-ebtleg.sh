#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bridge-ebtleg.sh - ebtables-legacy's tables (auditd/readers/ebtleg.c)
# on the bridge the node's addresses live on, as in bridge-nft.sh: the
# uplink v0 is a port of br0, every probe meets the bridge family's
# prerouting and input hooks first.
#
# This machine's kernel (6.18, CONFIG_BRIDGE_NF_EBTABLES_LEGACY unset) has
# the ebt matches but no legacy tables: every EBT_SO_* sockopt answers
# ENOPROTOOPT.  So the real ebtables-legacy writes its blobs through
# ebt_kshim.c, an LD_PRELOAD stand-in for those sockopts that keeps each
# table's blob in a file, and fwaudit reads them with its own getsockopt
# calls through the same stand-in.  What the kernel would enforce is
# enforced on the way in instead: the sender's namespace drops, in its
# output hook, exactly what each ruleset drops (the same tests by port,
# source, protocol, family), so the real packets from outside show the
# verdicts that ruleset gives.  fwaudit never sees those mirror rules: it
# audits the node, whose only rules are the ebtables-legacy tables.
#
# Defaults first (the kernel's initial tables: empty, policy ACCEPT), then
# drops by port, by source, IPv6 protocol and port, a user chain, the nat
# table's PREROUTING, then policy DROP with accepts; IPv4 and IPv6, every
# probe agrees, the snapshot of each (FWA_SNAPSHOT_CHECK, FWA_REDACT_CHECK)
# audits the same.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
fwa_require_tools ebtables-legacy cc

# `ebtables` must still mean what it meant: the ebtables package adds
# ebtables-legacy as an alternative of lower priority than ebtables-nft,
# which bridge-nft.sh calls as `ebtables`
if [ "$(readlink -f "$(command -v ebtables)")" = "$(readlink -f "$(command -v ebtables-nft)")" ]; then
	fwa_pass "ebtables is still ebtables-nft"
else
	fwa_fail "ebtables is not ebtables-nft: $(readlink -f "$(command -v ebtables)")"
fi

SHIM_SRC="$(dirname "$0")/ebt_kshim.c"
cc -Wall -shared -fPIC -o "$PT/ebt_kshim.so" "$SHIM_SRC" -ldl ||
	fwa_die "cannot build $SHIM_SRC"
mkdir "$PT/ebt"

# the node's addresses move from v0 to br0, v0 becomes its port
pl_bridge_node

pl_serve tcp:[::]:22 tcp:[::]:80 tcp:[::]:8080 tcp:[::]:3306 udp:[::]:53
pl_std_probes "$PT/probes" 22,53,80,3306,8080 tcp,udp

# from here on ebtables-legacy and fwaudit talk to the stand-in (it
# answers only the EBT_SO_* sockopts; an ASan build of fwaudit accepts
# a preloaded library ahead of its runtime)
export LD_PRELOAD="$PT/ebt_kshim.so" EBT_SHIM_DIR="$PT/ebt"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1
ebt() { ip netns exec "$NODE" ebtables-legacy "$@"; }

# mirror NFT...: the sender's output hook drops what the node's
# ebtables-legacy ruleset drops (the kernel here cannot run it)
mirror() {
	ip netns exec "$OUT" nft delete table inet ebtmirror 2>/dev/null || true
	[ $# -eq 0 ] && return 0
	ip netns exec "$OUT" nft -f - <<EOF2
table inet ebtmirror {
	chain output {
		type filter hook output priority 0; policy accept;
$(printf '\t\t%s\n' "$@")
	}
}
EOF2
}

# rows LABEL PYTHON: the checks on a fresh audit; its snapshot must hold
# the tables' recording ("ebtables"), replayed by the snapshot check
rows() {
	pl_audit "$PT/a.$1.json"
	fwa_check "$PT/a.$1.json" "$1" || _fwa_failures=$((_fwa_failures + 1))
	if "$PYTHON" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("ebtables", {}).get("recording") else 1)' "$PT/a.$1.json.snap"; then
		fwa_pass "$1: the snapshot records the ebtables-legacy tables"
	else
		fwa_fail "$1: the snapshot has no \"ebtables\" recording"
	fi
}

# 1. the kernel's initial tables: read (filter, nat, broute), empty,
# policy ACCEPT: every listener exposed, definite
ip netns exec "$NODE" "$FWAUDIT" ruleset > "$PT/ruleset.1" 2>&1 || true
if grep -q "table bridge filter.*ebtables-legacy" "$PT/ruleset.1" &&
   grep -q "table bridge broute.*ebtables-legacy" "$PT/ruleset.1" &&
   grep -q "hook input priority -200; policy accept" "$PT/ruleset.1"; then
	fwa_pass "fwaudit reads the initial ebtables-legacy tables"
else
	fwa_fail "the initial ebtables-legacy tables are not read: $(head -20 "$PT/ruleset.1")"
fi
pl_check "initial tables" "$PT/probes"
rows "initial tables" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
for p, proto in ((22, "tcp"), (80, "tcp"), (3306, "tcp"), (8080, "tcp"), (53, "udp")):
	expect("%s %d exposed in both families" % (proto, p), {r["family"] for r in ex if r["protocol"] == proto and r["ports"][0] <= p <= r["ports"][1]} == {"ipv4", "ipv6"}, ex)
EOF2

# 2. common rules: a port, a source network, IPv6 protocol and port, a
# user chain, the nat table's PREROUTING (priority -300), the bridge
# (--logical-in) both ways
ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 3306 -j DROP
ebt -A INPUT -p IPv4 --ip-src 10.9.0.0/24 -j DROP
ebt -A INPUT -p IPv6 --ip6-proto udp --ip6-dport 53 -j DROP
ebt -N WEB -P RETURN
ebt -A WEB -p IPv4 --ip-proto tcp --ip-dport 8080 -j DROP
ebt -A INPUT -p IPv4 -j WEB
ebt -t nat -A PREROUTING -p IPv6 --ip6-src 2001:db8:2::/64 --ip6-proto tcp --ip6-dport 80 -j DROP
# the bridge a frame comes in through (--logical-in) is known: br0
ebt -A INPUT --logical-in br0 -p IPv4 --ip-src 203.0.113.0/24 --ip-proto udp --ip-dport 53 -j DROP
ebt -A INPUT --logical-in ! br0 -p IPv4 --ip-proto tcp --ip-dport 22 -j DROP
mirror "ip saddr 203.0.113.0/24 udp dport 53 drop" \
	"ip daddr $NODE4 tcp dport 3306 drop" \
	"ip saddr 10.9.0.0/24 drop" \
	"meta nfproto ipv6 udp dport 53 drop" \
	"ip daddr $NODE4 tcp dport 8080 drop" \
	"ip6 saddr 2001:db8:2::/64 tcp dport 80 drop"
pl_check "common rules" "$PT/probes"
rows "common rules" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
def on(rs, fam, proto, port):
	return [r for r in rs if r["family"] == fam and r["protocol"] == proto and r["ports"][0] <= port <= r["ports"][1]]
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
expect("no IPv4 tcp 3306", not on(ex, "ipv4", "tcp", 3306), ex)
expect("IPv6 tcp 3306 exposed", on(ex, "ipv6", "tcp", 3306), ex)
expect("no IPv4 tcp 8080 (user chain WEB)", not on(ex, "ipv4", "tcp", 8080), ex)
expect("no IPv6 udp 53", not on(ex, "ipv6", "udp", 53), ex)
u53 = on(ex, "ipv4", "udp", 53)
expect("IPv4 udp 53 exposed, not from 203.0.113.0/24 (--logical-in br0)", u53 and all("0.0.0.0/0" not in r["sources"] and not any(s.startswith("203.0.113.") for s in r["sources"]) for r in u53), u53)
expect("IPv4 tcp 22 exposed (--logical-in ! br0 never matches)", on(ex, "ipv4", "tcp", 22), ex)
expect("no IPv4 row from 10.9.0.0/24", not [r for r in ex if r["family"] == "ipv4" and any(s.startswith("10.9.0.") or s in ("10.0.0.0/8", "0.0.0.0/0") for s in r["sources"])], [r["sources"] for r in ex if r["family"] == "ipv4"])
v680 = on(ex, "ipv6", "tcp", 80)
expect("IPv6 tcp 80 exposed, not from 2001:db8:2::/64 (nat PREROUTING)", v680 and all("::/0" not in r["sources"] and "2001:db8:2::/64" not in r["sources"] for r in v680), v680)
EOF2
ip netns exec "$NODE" "$FWAUDIT" explain tcp/8080 --from "$PUB4" > "$PT/explain.txt" 2>&1 || true
if grep -q "bridge filter WEB \[ebtables-legacy\]" "$PT/explain.txt"; then
	fwa_pass "explain names the ebtables-legacy user chain"
else
	fwa_fail "explain does not name the user chain: $(head -20 "$PT/explain.txt")"
fi

# 3. policy DROP with accepts (ARP and ICMPv6 for the neighbours)
ebt -t nat -F
ebt -F
ebt -X WEB
ebt -P INPUT DROP
ebt -A INPUT -p ARP -j ACCEPT
ebt -A INPUT -p IPv6 --ip6-proto ipv6-icmp -j ACCEPT
ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 22 -j ACCEPT
ebt -A INPUT -p IPv4 --ip-proto udp --ip-dport 53 -j ACCEPT
ebt -A INPUT -p IPv6 --ip6-proto tcp --ip6-dport 80 -j ACCEPT
mirror "ip daddr $NODE4 tcp dport 22 accept" \
	"ip daddr $NODE4 udp dport 53 accept" \
	"ip daddr $NODE4 drop" \
	"meta l4proto ipv6-icmp accept" \
	"ip6 daddr $NODE6 tcp dport 80 accept" \
	"ip6 daddr $NODE6 drop"
pl_check "policy drop" "$PT/probes"
rows "policy drop" <<'EOF2'
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
got = sorted({(r["family"], r["protocol"], p) for r in ex for p in (22, 53, 80, 3306, 8080) if r["ports"][0] <= p <= r["ports"][1]})
expect("exposed: IPv4 tcp 22, udp 53, IPv6 tcp 80 only", got == [("ipv4", "tcp", 22), ("ipv4", "udp", 53), ("ipv6", "tcp", 80)], got)
expect("every exposed row definite", all(r["certainty"] == "definite" for r in ex), ex)
EOF2

# 4. the tables back to the kernel's initial ones: as in 1
rm -f "$PT"/ebt/*.blob
mirror
pl_check "tables reset" "$PT/probes"
unset LD_PRELOAD
fwa_finish
