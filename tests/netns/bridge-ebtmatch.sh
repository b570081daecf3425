#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bridge-ebtmatch.sh - ebtables' own matches and targets (auditd/readers/
# xtebt.c: pkttype, mark_m, vlan, arp, stp, among, limit; mark, redirect,
# dnat) on the bridge the node's addresses live on, as in bridge-ebtleg.sh,
# each scenario loaded twice with the same ebtables arguments:
#  - by the real ebtables-legacy through ebt_kshim.c (this kernel has no
#    legacy tables: see bridge-ebtleg.sh), the sender's namespace dropping
#    what the ruleset drops (the mirror), and
#  - by the real ebtables-nft into nft bridge tables the kernel enforces
#    (its compat matches and targets are the same blobs).
# Real packets, IPv4 and IPv6: fwaudit agrees with every probe, and decides
# the same way for both front-ends: the pkttype of a unicast probe (host),
# a mark set by one rule and matched by another, arp, stp and vlan matches
# that never match an untagged IP frame, among lists (the host's own MAC:
# undecided, named; addresses listed: decided by address; IPv6 frames
# carry no address for among), limit (undecided by design), redirect's
# verdict, dnat (undecided, named).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
fwa_require_tools ebtables-legacy ebtables-nft cc

SHIM_SRC="$(dirname "$0")/ebt_kshim.c"
cc -Wall -shared -fPIC -o "$PT/ebt_kshim.so" "$SHIM_SRC" -ldl ||
	fwa_die "cannot build $SHIM_SRC"
mkdir "$PT/ebt"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# every audit's snapshot (and its redacted copy) must audit the same
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1

pl_bridge_node
BRMAC=$(ip -n "$NODE" -br link show br0 | awk '{print $3}')
[ -n "$BRMAC" ] || fwa_die "no MAC on br0"

pl_serve tcp:[::]:22 tcp:[::]:80 tcp:[::]:8080 tcp:[::]:3306 udp:[::]:53
pl_std_probes "$PT/probes" 22,53,80,3306,8080 tcp,udp

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

# the front-end in use: legacy (the kshim preloaded) or nft
FE=
use_legacy() {
	FE=legacy
	ip netns exec "$NODE" nft flush ruleset
	# tables per namespace, as the kernel's: fix's proof loads its
	# copy into a private one
	export LD_PRELOAD="$PT/ebt_kshim.so" EBT_SHIM_DIR="$PT/ebt" EBT_SHIM_PER_NETNS=1
}
use_nft() {
	FE=nft
	unset LD_PRELOAD EBT_SHIM_PER_NETNS
	rm -f "$PT"/ebt/*.blob
	mirror
}
reset_rules() {
	if [ "$FE" = legacy ]; then
		rm -f "$PT"/ebt/*.blob
	else
		ip netns exec "$NODE" nft flush ruleset
	fi
}
# ebt ARGS...: one ebtables rule with the front-end in use
ebt() { ip netns exec "$NODE" "ebtables-$FE" "$@"; }

# scenario NAME: load it (the rules are the same for both front-ends)
load() {
	reset_rules
	case $1 in
	matches)
		# a unicast probe is PACKET_HOST: broadcast never, host always
		ebt -A INPUT --pkttype-type broadcast -j DROP
		ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 3306 --pkttype-type host -j DROP
		# never an untagged IP frame
		ebt -A INPUT -d BGA --stp-type config -j DROP
		ebt -A INPUT -p ARP --arp-ip-src 10.99.0.0/16 -j DROP
		ebt -A INPUT -p ARP --arp-op ! Request --arp-ip-dst 10.99.0.1 -j DROP
		ebt -A INPUT -p 802_1Q --vlan-id 5 -j DROP
		[ "$FE" = legacy ] && mirror "ip daddr $NODE4 tcp dport 3306 drop"
		;;
	mark)
		# set, then matched: IPv4 tcp 8080 (set), IPv6 udp 53 (or,
		# matched as "any bit"); tcp 22 accepted with its mark first
		ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 8080 -j mark --mark-set 0x5 --mark-target CONTINUE
		ebt -A INPUT -p IPv6 --ip6-proto udp --ip6-dport 53 -j mark --mark-or 0x4 --mark-target CONTINUE
		ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 22 -j mark --mark-set 0x5 --mark-target ACCEPT
		ebt -A INPUT --mark 0x5 -j DROP
		ebt -A INPUT --mark /0x4 -j DROP
		[ "$FE" = legacy ] && mirror "ip daddr $NODE4 tcp dport 8080 drop" \
			"ip6 daddr $NODE6 udp dport 53 drop"
		;;
	among)
		# the host's own MAC: every probe to it is sent there, which
		# fwaudit does not know: possible, named
		ebt -A INPUT -p IPv4 --ip-proto tcp --ip-dport 3306 --among-dst "$BRMAC" -j DROP
		# an address listed: only that source (with a MAC nobody here
		# has): undecided for it, decided for every other
		ebt -A INPUT -p IPv4 --ip-proto udp --ip-dport 53 --among-src "02:00:00:00:00:99=$PUB4" -j DROP
		# a MAC nobody here has, on IPv6: undecided
		ebt -A INPUT -p IPv6 --ip6-proto tcp --ip6-dport 80 --among-src 02:00:00:00:00:77 -j DROP
		[ "$FE" = legacy ] && mirror "ip daddr $NODE4 tcp dport 3306 drop"
		;;
	targets)
		# redirect: to the host already; its verdict decides
		ebt -t nat -A PREROUTING -p IPv4 --ip-proto tcp --ip-dport 22 -j redirect --redirect-target DROP
		ebt -t nat -A PREROUTING -p IPv4 -j redirect --redirect-target CONTINUE
		# dnat to a MAC not the bridge's: the frame goes elsewhere
		ebt -t nat -A PREROUTING -p IPv6 --ip6-proto tcp --ip6-dport 8080 -j dnat --to-dst 02:00:00:00:00:09 --dnat-target ACCEPT
		# limit: traffic history
		ebt -A INPUT -p IPv4 --ip-proto udp --ip-dport 53 --limit 1/hour --limit-burst 1 -j ACCEPT
		ebt -A INPUT -p IPv4 --ip-proto udp --ip-dport 53 -j DROP
		[ "$FE" = legacy ] && mirror "ip daddr $NODE4 tcp dport 22 drop" \
			"ip6 daddr $NODE6 tcp dport 8080 drop" \
			"ip daddr $NODE4 udp dport 53 limit rate 1/hour burst 1 packets accept" \
			"ip daddr $NODE4 udp dport 53 drop"
		;;
	esac
	return 0
}

# check NAME: the probes, then what fwaudit decides (the same for both
# front-ends)
check() {
	local name=$1 label="$FE $1"

	pl_check "$label" "$PT/probes"
	pl_audit "$PT/a.$FE.$name.json"
	fwa_check "$PT/a.$FE.$name.json" "$label" < "$PT/expect.$name" ||
		_fwa_failures=$((_fwa_failures + 1))
}

# prove_fix: `fwaudit fix` proves its plan on a copy of the ruleset that
# carries the bridge tables (prove.c: ebtables-nft-save, or
# ebtables-legacy-save through the stand-in; nft's own listing of
# ebtables-nft's compat matches does not load: "xt match stp")
prove_fix() {
	local out="$PT/fix.$FE"

	ip netns exec "$NODE" "$FWAUDIT" fix > "$out" 2>&1 || true
	if grep -q "^# proven on a copy of the ruleset" "$out"; then
		fwa_pass "$FE: fix proves its plan on a copy with the ebtables rules"
	else
		fwa_fail "$FE: fix does not prove its plan: $(grep -v '^[[:space:]]' "$out" | head -8)"
	fi
}

PRE='
ex = [r for r in J["exposures"] if r["state"] == "exposed"]
def on(fam, proto, port):
	return [r for r in ex if r["family"] == fam and r["protocol"] == proto and r["ports"][0] <= port <= r["ports"][1]]
def definite(fam, proto, port):
	rs = on(fam, proto, port)
	expect("%s %s %d exposed, definite" % (fam, proto, port), rs and all(r["certainty"] == "definite" for r in rs), rs)
def closed(fam, proto, port):
	expect("%s %s %d not exposed" % (fam, proto, port), not on(fam, proto, port), on(fam, proto, port))
def possible(fam, proto, port, what):
	rs = on(fam, proto, port)
	expect("%s %s %d possible, naming %s" % (fam, proto, port, what), rs and all(r["certainty"] == "possible" and any(what in u for u in r["unknown"]) for r in rs), [(r["certainty"], r.get("unknown")) for r in rs])
'
cat > "$PT/expect.matches" <<EOF2
$PRE
closed("ipv4", "tcp", 3306)
for fam in ("ipv4", "ipv6"):
	for proto, port in (("tcp", 22), ("tcp", 80), ("tcp", 8080), ("udp", 53)):
		definite(fam, proto, port)
definite("ipv6", "tcp", 3306)
EOF2
cat > "$PT/expect.mark" <<EOF2
$PRE
closed("ipv4", "tcp", 8080)
closed("ipv6", "udp", 53)
for fam, proto, port in (("ipv4", "tcp", 22), ("ipv6", "tcp", 22), ("ipv4", "udp", 53), ("ipv6", "tcp", 8080), ("ipv4", "tcp", 3306)):
	definite(fam, proto, port)
EOF2
cat > "$PT/expect.among" <<EOF2
$PRE
possible("ipv4", "tcp", 3306, "ether daddr")
u53 = on("ipv4", "udp", 53)
expect("ipv4 udp 53 definite from every source but $PUB4", [r for r in u53 if r["certainty"] == "definite"] and all(r["certainty"] == "possible" for r in u53 if "$PUB4" in r["sources"] or "$PUB4/32" in r["sources"]), u53)
possible("ipv6", "tcp", 80, "ether saddr")
definite("ipv6", "tcp", 3306)
definite("ipv6", "udp", 53)
EOF2
cat > "$PT/expect.targets" <<EOF2
$PRE
closed("ipv4", "tcp", 22)
definite("ipv6", "tcp", 22)
definite("ipv4", "tcp", 8080)
possible("ipv6", "tcp", 8080, "dnat")
possible("ipv4", "udp", 53, "limit")
definite("ipv6", "udp", 53)
EOF2

for fe in legacy nft; do
	if [ "$fe" = legacy ]; then use_legacy; else use_nft; fi
	for s in matches mark among targets; do
		load "$s"
		check "$s"
		[ "$s" = matches ] && prove_fix
		# what fwaudit read, for the reader of a failure
		ip netns exec "$NODE" "$FWAUDIT" ruleset > "$PT/ruleset.$fe.$s" 2>&1 || true
	done
	reset_rules
done

# --ruleset FILE with ebtables-save text (rsfile.c), as `fwaudit snapshot`
# keeps it for fix (prove.c, from ebtables-legacy's listing: Debian's
# ebtables-legacy-save lists the tables of loaded ebtable_* modules, none
# on this kernel, through /usr/sbin/ebtables, which is ebtables-nft)
use_legacy
load mark
ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$PT/ebl.snap" 2> "$PT/ebl.snap.err" ||
	fwa_die "fwaudit snapshot failed: $(head -3 "$PT/ebl.snap.err")"
reset_rules
mirror
unset LD_PRELOAD EBT_SHIM_PER_NETNS
"$PYTHON" -c '
import base64, json, sys
t = base64.b64decode(json.load(open(sys.argv[1]))["ruleset_text"]["ebl"]).decode()
open(sys.argv[2], "w").write(t)
# ebtables-nft has no broute table: its loader gets filter and nat
open(sys.argv[3], "w").write(t.split("*broute")[0])' "$PT/ebl.snap" "$PT/ebl.save" "$PT/ebt.save" ||
	fwa_die "the snapshot holds no ruleset_text.ebl"
if grep -q -- "^-A INPUT --mark 0x5 -j DROP" "$PT/ebl.save" &&
   grep -q -- "^-A INPUT -p IPv4 --ip-proto tcp --ip-dport 8080 -j mark --mark-set 0x5 --mark-target CONTINUE" "$PT/ebl.save"; then
	fwa_pass "the snapshot keeps the ebtables-legacy rules' text for fix"
else
	fwa_fail "the snapshot's ebtables-legacy text lacks the rules: $(cat "$PT/ebl.save")"
fi
# notes NAME OUT: the audit's notes name the bridge chain not applied
notes() {
	if "$PYTHON" -c 'import json,sys; n = json.load(open(sys.argv[1]))["notes"]; sys.exit(0 if any(x.startswith("bridge filter INPUT not applied") for x in n) else 1)' "$2"; then
		fwa_pass "$1: loaded, and named as not applied without host facts"
	else
		fwa_fail "$1: no note on the bridge chain: $(head -c 600 "$2") $(head -3 "$2.err")"
	fi
}
# by its contents: ebtables-nft-restore into nft bridge tables
if "$FWAUDIT" audit --no-rules --format json --ruleset "$PT/ebt.save" > "$PT/rs.auto.json" 2> "$PT/rs.auto.json.err"; then
	notes "--ruleset ebtables-save text" "$PT/rs.auto.json"
else
	fwa_fail "--ruleset ebtables-save text does not load: $(head -3 "$PT/rs.auto.json.err")"
fi
# ebl: into legacy ebtables: only through the stand-in on this kernel
mkdir "$PT/ebt2"
if LD_PRELOAD="$PT/ebt_kshim.so" EBT_SHIM_DIR="$PT/ebt2" "$FWAUDIT" audit --no-rules --format json --ruleset "ebl:$PT/ebl.save" > "$PT/rs.ebl.json" 2> "$PT/rs.ebl.json.err" &&
   [ -s "$PT/ebt2/filter.blob" ]; then
	notes "--ruleset ebl: (ebtables-legacy-restore, the stand-in)" "$PT/rs.ebl.json"
else
	fwa_fail "--ruleset ebl: does not load through the stand-in: $(head -3 "$PT/rs.ebl.json.err")"
fi
if "$FWAUDIT" audit --no-rules --ruleset "ebl:$PT/ebl.save" > "$PT/rs.nokshim" 2>&1 ||
   ! grep -q "does not load" "$PT/rs.nokshim"; then
	fwa_fail "--ruleset ebl: without legacy ebtables does not fail loudly: $(head -3 "$PT/rs.nokshim")"
else
	fwa_pass "--ruleset ebl: without legacy ebtables in the kernel: refused, naming the file"
fi

# a snapshot keeps ebtables-nft's text for fix (ruleset_text.ebt), and
# --redact maps its addresses as in every other saved text
use_nft
ebt -A INPUT -p IPv4 --among-src 02:00:00:00:00:99=8.8.4.4 -j DROP
ip netns exec "$NODE" "$FWAUDIT" snapshot --redact -o "$PT/red.snap" 2> "$PT/red.snap.err" ||
	fwa_die "fwaudit snapshot --redact failed: $(head -3 "$PT/red.snap.err")"
if "$PYTHON" -c '
import base64, json, sys
t = base64.b64decode(json.load(open(sys.argv[1]))["ruleset_text"]["ebt"]).decode()
sys.exit(0 if "--among-src" in t and "8.8.4.4" not in t else 1)' "$PT/red.snap"; then
	fwa_pass "snapshot --redact: the ebtables-nft text kept, its address mapped"
else
	fwa_fail "snapshot --redact: ruleset_text.ebt missing or not redacted"
fi
ip netns exec "$NODE" nft flush ruleset
fwa_finish
