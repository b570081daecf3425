#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# header-fields.sh - matches on header fields a packet's sender chooses
# (issue 9: ttl, hl, length, dscp, tos, ecn, tcpmss, --tcp-option, -f, rt,
# frag, hbh, dst, mh, ipv6header), loaded with iptables-nft (compat
# matches, -f as native payload) and again with iptables-legacy (x_tables
# blobs, -f in the entry header):
#  - no match of those is left unknown;
#  - both backends give the same model, rule by rule;
#  - ufw6's "-m rt --rt-type 0 -j DROP" is exactly "rt type 0".
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" iptables-nft-restore ip6tables-nft-restore \
	iptables-legacy-restore ip6tables-legacy-restore
fwa_require_fwaudit

FX="$top_srcdir/tests/fixtures/nft"
fwa_tmpdir T

# more forms than the fixture holds: inversions, ranges, hard mode
cat > "$T/more.rules" <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m ttl --ttl-gt 200 -j DROP
-A INPUT -m ttl ! --ttl-eq 7 -j DROP
-A INPUT -m length ! --length 1000:2000 -j DROP
-A INPUT -m dscp ! --dscp 46 -j ACCEPT
-A INPUT -m tos ! --tos Minimize-Delay -j ACCEPT
-A INPUT -p tcp -m ecn ! --ecn-tcp-cwr -j ACCEPT
-A INPUT -p tcp ! --tcp-option 2 -j DROP
-A INPUT -p tcp --tcp-option 2 -j DROP
-A INPUT -p tcp ! --tcp-option 8 -j DROP
-A INPUT -p tcp -m tcpmss --mss 1460 -j ACCEPT
COMMIT
RULES
cat > "$T/more.rules6" <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m rt ! --rt-type 2 -j DROP
-A INPUT -m rt --rt-segsleft 1:5 -j DROP
-A INPUT -m hl --hl-lt 2 -j DROP
-A INPUT -m frag --fragfirst --fraglast -j ACCEPT
-A INPUT -m ipv6header --header hop-by-hop,ipv6-route,protocol -j ACCEPT
-A INPUT -m ipv6header ! --header frag --soft -j ACCEPT
-A INPUT -m dst --dst-len 8 -j DROP
-A INPUT -p ipv6-mh -m mh --mh-type 1 -j DROP
-A INPUT -m ecn --ecn-ip-ect 3 -j DROP
COMMIT
RULES

# load BACKEND RULES RULES6 OUT: both files into a fresh namespace, the
# model as JSON into OUT
load() {
	local ns

	fwa_ns_new ns hdr
	fwa_nsx "$ns" "iptables-$1-restore" < "$2"
	fwa_nsx "$ns" "ip6tables-$1-restore" < "$3"
	fw_json "$ns" > "$4"
	fwa_ns_del "$ns"
}

for set in fixture more; do
	if [ "$set" = fixture ]; then
		r4="$FX/hdrxt.rules" r6="$FX/hdrxt.rules6"
	else
		r4="$T/more.rules" r6="$T/more.rules6"
	fi
	load nft "$r4" "$r6" "$T/$set.nft.json"
	load legacy "$r4" "$r6" "$T/$set.legacy.json"
	"$PYTHON" - "$T/$set.nft.json" "$T/$set.legacy.json" "$set" <<'PY' ||
import json, sys
fa, fb, label = sys.argv[1:4]
def load(f, src):
    with open(f) as fh:
        j = json.load(fh)
    return {(c["family"], c["table"], c["chain"]): c for c in j["chains"]
            if c.get("source") == src}
def norm(ms):
    # an undecided match prints its parameters its own way per backend
    return sorted(json.dumps({k: v for k, v in m.items()
                              if m.get("field") != "other" or k != "value"},
                             sort_keys=True) for m in ms)
A, B = load(fa, "nftables"), load(fb, "iptables-legacy")
bad = []
n = sum(len(c["rules"]) for c in B.values())
if n == 0:
    bad.append("no rule read")
for k in sorted(set(A) | set(B)):
    if k not in A or k not in B:
        bad.append("%s/%s/%s only in one backend" % k)
        continue
    ra, rb = A[k]["rules"], B[k]["rules"]
    if len(ra) != len(rb):
        bad.append("%s/%s/%s: %d rules with nft, %d with legacy" % (k + (len(ra), len(rb))))
    for a, b in zip(ra, rb):
        for m in a["matches"] + b["matches"]:
            if m.get("field") == "unknown":
                bad.append("%s/%s/%s rule %d: %s unknown" % (k + (a["position"], m.get("name"))))
        if norm(a["matches"]) != norm(b["matches"]) or a["verdict"] != b["verdict"]:
            bad.append("%s/%s/%s rule %d: nft '%s', legacy '%s'" % (k + (a["position"], a["text"], b["text"])))
for b in bad:
    print("    " + b)
print("%s: %s: same model from nft and legacy, nothing unknown (%d rules)" %
      ("FAIL" if bad else "PASS", label, n))
sys.exit(1 if bad else 0)
PY
	_fwa_failures=$((_fwa_failures + 1))
done

fwa_check "$T/fixture.legacy.json" legacy <<'PY'
c = chain(family="ip6", table="filter", chain="INPUT")
r = c["rules"][0] if c else None
expect("-m rt --rt-type 0 is rt type 0",
       lambda: r["matches"] == [{"field": "rt type", "op": "==", "value": "0"}])
PY
fwa_finish
