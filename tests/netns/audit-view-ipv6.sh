#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-view-ipv6.sh - the IPv6 side of a host left more open than its
# IPv4 side, as an operator reads it: an nftables "ip" table lets in only
# tcp/22, an "ip6" table tcp/22, 80 and 6379 (the kind of drift two
# separate rulesets grow).  Listeners on 22, 80 and 6379 ([::], both
# families).  Default policy.  Compared with
# tests/golden/audit-view-ipv6.text (GOLDEN=update rewrites it): the IPv6
# ports IPv4 does not let in must be one finding.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft
fwa_require_fwaudit

GOLDEN_DIR=$top_srcdir/tests/golden
fwa_tmpdir T
PT=$T

fwa_ns_new NODE v6view
fwa_dummy "$NODE" eth0 198.51.100.1/24
ip -n "$NODE" link set eth0 addrgenmode none
ip -n "$NODE" -6 addr flush dev eth0 scope link
ip -n "$NODE" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$NODE" route add default via 198.51.100.254
ip -n "$NODE" -6 route add default via 2001:db8:1::fe
fwa_nsx "$NODE" nft -f - <<'R'
table ip filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		tcp dport 22 accept
	}
}
table ip6 filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport { 22, 80, 6379 } accept
	}
}
R
pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:6379'

RC=0
ip netns exec "$NODE" "$FWAUDIT" audit > "$T/out" 2> "$T/err" || RC=$?
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$T/json" 2>&1 || true
sed -E -e 's/\[[0-9]+\]( +)/[PID] /g' -e 's/\[[0-9]+\]/[PID]/g' \
		-e 's/\(nothing yet\) +/(nothing yet) /' \
		-e "s|$FWAUDIT_RULES_DIR/|rules/|g" \
	"$T/out" > "$T/got"
g=$GOLDEN_DIR/audit-view-ipv6.text
if [ "${GOLDEN:-}" = update ]; then
	cp "$T/got" "$g"
	fwa_log "updated $g"
elif diff -u "$g" "$T/got" > "$T/diff"; then
	fwa_pass "text: output equals $(basename "$g")"
else
	fwa_fail "text: output differs from $(basename "$g"):"
	head -60 "$T/diff"
fi
[ "$RC" -eq 2 ] && fwa_pass "exit 2: Redis open over IPv6" ||
	fwa_fail "exit $RC, expected 2: $(head -3 "$T/err")"
# the text means what the JSON says: each SOURCES cell, read with the
# policy's zones, is exactly the exposure's sources
if "$PYTHON" "$top_srcdir/tests/netns/text-vs-json.py" "$T/got" "$T/json" \
	> "$T/tvj" 2>&1; then
	fwa_pass "text: every SOURCES cell denotes the JSON's sources"
else
	fwa_fail "text: SOURCES cells that are not the JSON's: $(head -5 "$T/tvj")"
fi
fwa_check "$T/json" "ipv6 view" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
c = [x for x in J["causes"] if x["kind"] == "ipv6_open"]
expect("one ipv6_open cause with tcp/80 and tcp/6379",
       len(c) == 1 and sorted(J["exposures"][i]["ports"][0] for i in c[0]["exposures"]) == [80, 6379]
       and c[0]["severity"] == "critical", c)
PY
fwa_finish
