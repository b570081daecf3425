#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-nd.sh - IPv6 neighbour discovery against real packets: a ruleset
# that lets tcp/22 in but drops ICMPv6 neighbour solicitations cuts IPv6
# altogether (the outside cannot learn the node's link-layer address), so
# fwaudit must not report tcp/22 over IPv6 as exposed; one that lets
# solicitations in (also behind a hop limit match fwaudit cannot decide)
# keeps it.  Neighbour caches are flushed before each probe batch: a cached
# entry would hide the drop for a while (until it goes stale).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools ip6tables-nft-restore
pl_init
pl_serve tcp:[::]:22 tcp:[::]:80
pl_gen "$PT/probes" --proto tcp --dst "$NODE6,$NODE4" \
	--src "$OUT6,$PUB6,$OUT4" --sport 0 --ports 22,80
# the cross product mixes families: keep the probes that can be sent
"$PYTHON" -c 'import json,sys
p = [x for x in json.load(open(sys.argv[1]))
     if (":" in x["dst"]) == (":" in x.get("src", x["dst"]))]
print(json.dumps(p))' "$PT/probes" > "$PT/probes.f"

flush() {
	ip -n "$NODE" neigh flush all
	ip -n "$OUT" neigh flush all
	ip -n "$NODE" -6 neigh flush all
	ip -n "$OUT" -6 neigh flush all
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush 2>/dev/null || true
}

# nd_case LABEL EXPOSED: pl_check, then tcp/22 over IPv6 on v0 must be
# exposed (EXPOSED yes) or reported closed by neighbour discovery (no)
nd_case() {
	flush
	pl_check "$1" "$PT/probes.f" || return 0
	pl_audit "$PT/a.json"
	ND_EXPOSED=$2 fwa_check "$PT/a.json" "$1" <<'EOF2' ||
import os
rows = [x for x in J["exposures"] if x["family"] == "ipv6" and
        x["protocol"] == "tcp" and x["ports"][0] <= 22 <= x["ports"][1] and
        x["state"] == "exposed" and "v0" in x["interfaces"]]
v4 = [x for x in J["exposures"] if x["family"] == "ipv4" and
      x["protocol"] == "tcp" and x["ports"][0] <= 22 <= x["ports"][1] and
      x["state"] == "exposed"]
want = os.environ["ND_EXPOSED"] == "yes"
expect("tcp/22 over IPv6 %s" % ("exposed" if want else "not exposed"),
       bool(rows) == want, rows)
expect("tcp/22 over IPv4 exposed", bool(v4), v4)
EOF2
		_fwa_failures=$((_fwa_failures + 1))
}

ip netns exec "$NODE" ip6tables-nft-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
EOF2
nd_case "ICMPv6 dropped: no neighbour discovery" no

ip netns exec "$NODE" ip6tables-nft -I INPUT -p ipv6-icmp \
	--icmpv6-type neighbour-solicitation -j ACCEPT
nd_case "neighbour solicitations accepted" yes

ip netns exec "$NODE" ip6tables-nft -F INPUT
ip netns exec "$NODE" ip6tables-nft -P INPUT ACCEPT
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet nd {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
		tcp dport 22 accept
	}
}
EOF2
nd_case "solicitations behind a hop limit match" yes
fwa_finish
