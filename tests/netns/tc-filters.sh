#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc-filters.sh - u32, flower and matchall filters with gact actions on a
# link's ingress are walked before netfilter (auditd/readers/tcf.c,
# auditd/engine/tc.c).  This kernel has none of those classifiers, so each
# scenario is run twice over: fwaudit audits a snapshot of the node whose
# rtnetlink recording holds the filters as the kernel would dump them
# (tcinject.py), and the kernel meets the same filters written as an
# nftables netdev ingress chain on the same link, probed with real packets
# from outside, IPv4 and IPv6.  Every probe must agree with the audit, the
# exposures must be definite where every filter was walked and possible
# (naming the filter) past one fwaudit cannot walk, and a filter that drops
# ARP and neighbour discovery leaves nothing reachable on the link.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
TCINJECT="$FWA_LIBDIR/tcinject.py"

pl_serve tcp:[::]:22 tcp:[::]:80 udp:[::]:53
pl_std_probes "$PT/probes" 22,80,53 tcp,udp
pl_settle
ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$PT/base.snap" 2> "$PT/snap.err" ||
	fwa_die "fwaudit snapshot failed: $(head -3 "$PT/snap.err")"
V0=$(ip -n "$NODE" -j link show dev v0 | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')

# pl_check audits through pl_audit: here, the edited snapshot
pl_audit() {
	local f=$1 rc=0

	"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/cur.snap" \
		> "$f" 2> "$f.err" || rc=$?
	[ "$rc" -lt 3 ] || fwa_die "fwaudit audit --snapshot exited $rc: $(head -5 "$f.err")"
}

# scenario LABEL CERTAINTY: the filters of $PT/LABEL.json in the snapshot,
# the netdev chain of stdin in the kernel; probes agree, the rows on v0
# have CERTAINTY (definite, possible or none: nothing reachable)
scenario() {
	local label=$1 certainty=$2

	"$PYTHON" "$TCINJECT" "$PT/base.snap" "$V0" "$PT/$label.json" \
		> "$PT/cur.snap" || fwa_die "$label: tcinject failed"
	ip netns exec "$NODE" nft flush ruleset
	ip netns exec "$NODE" nft -f - || fwa_die "$label: nft -f failed"
	if [ "$certainty" = none ]; then
		# the neighbours both sides knew must be looked up again,
		# as they are once the entries expire
		ip -n "$NODE" neigh flush all
		ip -n "$OUT" neigh flush all
	fi
	_pl_ctflush
	PL_TIMEOUT=1 pl_check "$label" "$PT/probes" || true
	"$FWAUDIT" audit --no-rules --format json --snapshot "$PT/cur.snap" \
		> "$PT/$label.audit" 2>/dev/null || true
	CERT=$certainty fwa_check "$PT/$label.audit" "$label" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
cert = os.environ["CERT"]
rows = [r for r in J["exposures"] if "v0" in r["interfaces"]]
if cert == "none":
    expect("nothing reachable on v0", not rows, rows)
else:
    expect("exposures on v0 in both families", {r["family"] for r in rows} == {"ipv4", "ipv6"},
           [(r["family"], r["ports"]) for r in rows])
    expect("every exposure on v0 " + cert, rows and all(r["certainty"] == cert for r in rows),
           [(r["family"], r["ports"], r["certainty"]) for r in rows])
notes = [n for n in J["notes"] if n.startswith("v0: ")]
if cert == "possible":
    expect("a note names the filter fwaudit cannot walk and why",
           any("flower prio 4" in n and "port" in n for n in notes), notes)
    expect("each possible row names it", all(any("flower prio 4" in u for u in r["unknown"])
                                             for r in rows), [r["unknown"] for r in rows])
else:
    expect("a note says the filters are walked like rules",
           any("walks them like rules" in n for n in notes), notes)
EOF2
}

# 1. u32 on the source (both families), flower on protocol and destination
cat > "$PT/u32.json" <<'EOF2'
[{"kind": "u32", "proto": "ip", "prio": 1, "action": "drop",
  "keys": [[12, "ff000000", "0a000000"]]},
 {"kind": "u32", "proto": "ipv6", "prio": 2, "action": "drop",
  "keys": [[8, "ffffffff", "20010db8"], [12, "ffff0000", "00020000"]]},
 {"kind": "flower", "proto": "ip", "prio": 3, "action": "drop",
  "ip_proto": 17, "dst": "198.51.100.1/32"}]
EOF2
scenario u32 definite <<'EOF2'
table netdev t {
	chain c {
		type filter hook ingress device "v0" priority 0;
		ip saddr 10.0.0.0/8 drop
		ip6 saddr 2001:db8:2::/48 drop
		ip daddr 198.51.100.1 meta l4proto udp drop
	}
}
EOF2
# explain names the filter that decides
"$FWAUDIT" explain tcp/22 --from "$PRIV4" --snapshot "$PT/cur.snap" \
	> "$PT/explain.txt" 2>&1 || true
if grep -q "tc filter u32 prio 1 on v0: drop" "$PT/explain.txt"; then
	fwa_pass "explain: the u32 filter that drops $PRIV4 is named"
else
	fwa_fail "explain does not name the u32 filter: $(head -20 "$PT/explain.txt")"
fi

# 2. continue, pass, then drops: only the passed sources get in
cat > "$PT/pass.json" <<'EOF2'
[{"kind": "flower", "proto": "ip", "prio": 1, "action": "continue",
  "src": "198.51.100.0/24"},
 {"kind": "flower", "proto": "ip", "prio": 2, "action": "pass",
  "src": "203.0.113.0/24"},
 {"kind": "flower", "proto": "ipv6", "prio": 3, "action": "pass",
  "ip_proto": 6, "src": "2001:db8:2::/64"},
 {"kind": "matchall", "proto": "ip", "prio": 4, "action": "drop"},
 {"kind": "flower", "proto": "ipv6", "prio": 5, "action": "drop",
  "ip_proto": 6}]
EOF2
scenario pass definite <<'EOF2'
table netdev t {
	chain c {
		type filter hook ingress device "v0" priority 0;
		ip saddr 203.0.113.0/24 accept
		ip6 saddr 2001:db8:2::/64 meta l4proto tcp accept
		meta protocol ip drop
		meta protocol ip6 meta l4proto tcp drop
	}
}
EOF2

# 3. one passed source, then everything dropped, ARP and neighbour
# discovery with it: no neighbour finds the node on v0
cat > "$PT/arp.json" <<'EOF2'
[{"kind": "flower", "proto": "ip", "prio": 1, "action": "pass",
  "src": "203.0.113.0/24"},
 {"kind": "matchall", "proto": "all", "prio": 2, "action": "drop"}]
EOF2
scenario arp none <<'EOF2'
table netdev t {
	chain c {
		type filter hook ingress device "v0" priority 0;
		ip saddr 203.0.113.0/24 accept
		drop
	}
}
EOF2

# 4. a port filter fwaudit does not walk (flower reads ports through the
# flow dissector, which does not look into fragments): what passes the
# walked filters before it is possible, named
cat > "$PT/port.json" <<'EOF2'
[{"kind": "u32", "proto": "ip", "prio": 1, "action": "drop",
  "keys": [[12, "ff000000", "0a000000"]]},
 {"kind": "flower", "proto": "ip", "prio": 4, "action": "drop",
  "ip_proto": 6, "dst_port": 80},
 {"kind": "flower", "proto": "ipv6", "prio": 4, "action": "drop",
  "ip_proto": 6, "dst_port": 80}]
EOF2
scenario port possible <<'EOF2'
table netdev t {
	chain c {
		type filter hook ingress device "v0" priority 0;
		ip saddr 10.0.0.0/8 drop
		tcp dport 80 drop
	}
}
EOF2

fwa_finish
