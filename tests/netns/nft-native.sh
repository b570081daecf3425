#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nft-native.sh - a native nftables ruleset written for this test (inet, ip,
# netdev and bridge families; named and anonymous sets, intervals,
# concatenations, verdict maps, dnat via maps, ct state, fib, ct original)
# loaded into a fresh namespace; fwaudit ruleset --format json must decode
# each rule into the fields, operators and values asserted below, and the
# text output must show base chains with hook, priority and device.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" nft ip
fwa_require_fwaudit

fwa_tmpdir T
fwa_ns_new NS native
fwa_dummy "$NS" fwa0 198.51.100.2/24

cat > "$T/ruleset.nft" <<'EOF'
table inet fwa {
	set allowed4 {
		type ipv4_addr
		flags interval
		elements = { 198.51.100.0/24, 203.0.113.5-203.0.113.9 }
	}
	set svc {
		type ipv4_addr . inet_service
		flags interval
		elements = { 198.51.100.0/24 . 22, 203.0.113.1 . 80-90 }
	}
	map portv {
		type inet_service : verdict
		elements = { 25 : drop, 143 : jump imap }
	}
	chain imap {
		ip saddr 198.51.100.99 accept
		return
	}
	chain input {
		type filter hook input priority filter + 5; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "lo" accept
		tcp dport { 22, 80-90 } accept
		ip saddr @allowed4 tcp dport 443 accept
		ip saddr . tcp dport { 198.51.100.7 . 22, 198.51.100.0/28 . 8000-8080 } accept
		ip saddr . tcp dport @svc accept
		tcp dport vmap { 110 : accept, 995 : drop, 993 : jump imap }
		tcp dport vmap @portv
		fib daddr type local tcp dport 8443 accept
		meta l4proto tcp ct original proto-dst 6379 drop
		ct original ip daddr 198.51.100.10 accept
		iifname "veth*" udp sport 53 accept
		ip6 saddr 2001:db8::/32 icmpv6 type echo-request accept
		ip6 daddr { 2001:db8::1, 2001:db8:1::/48 } tcp dport 22 accept
		ip saddr != 198.51.100.0/24 tcp dport 3306 reject with tcp reset
		ct state new tcp dport 2049 counter goto imap
		tcp dport 25 limit rate 10/second accept
	}
}
table ip nat4 {
	map natmap {
		type inet_service : ipv4_addr
		elements = { 8080 : 198.51.100.20, 8443 : 198.51.100.21 }
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 2222 dnat to 198.51.100.40:22
		dnat to tcp dport map { 7000 : 198.51.100.30, 7001 : 198.51.100.31 }
		dnat to tcp dport map @natmap
		tcp dport 8081 redirect to :8080
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "fwa0" masquerade
	}
}
table netdev fwaingress {
	chain ing {
		type filter hook ingress device "fwa0" priority -500; policy accept;
		ip saddr 203.0.113.0/24 drop
	}
}
table bridge fwabr {
	chain brfwd {
		type filter hook forward priority 0; policy accept;
		ether saddr 02:00:00:00:00:01 drop
	}
}
EOF
fwa_nsx "$NS" nft -f "$T/ruleset.nft" || fwa_die "nft -f refused the test ruleset"
fwa_nsx "$NS" nft -j list ruleset > "$T/nft.json"

rc=0
fw_json "$NS" > "$T/out.json" 2> "$T/err" || rc=$?
if [ "$rc" -ne 0 ]; then
	fwa_fail "fwaudit ruleset --format json exited $rc: $(head -3 "$T/err")"
	fwa_finish
fi
fwa_log "checking the JSON"
NFTJ="$T/nft.json" fwa_check "$T/out.json" nft-native <<'EOF' || _fwa_failures=$((_fwa_failures + 1))
import os

NFT = json.load(open(os.environ["NFTJ"]))["nftables"]

def one_rule(c, what, pred):
    rs = rules_with(c, pred)
    expect("one rule: " + what, len(rs) == 1,
           lambda: "found %d; chain: %s" % (len(rs), show(c)))
    return rs[0] if rs else {"matches": [], "verdict": {}}

def vkind(r):
    return (r.get("verdict") or {}).get("kind")

STATES = {"invalid": 1, "established": 2, "related": 4, "new": 8, "untracked": 64}

def ctstates(r):
    """the conntrack states a rule's ct state matches admit, whatever form
    (value list, or a mask test) the reader chose"""
    ok = set(STATES)
    for m in matches(r, "ct state"):
        op = m.get("op")
        if "mask" in m:
            mask, val = int(m["mask"], 16), int(m["value"], 16)
            adm = {s for s, b in STATES.items() if ((b & mask) == val) == (op == "==")}
        else:
            vs = set()
            for v in values(m):
                vs |= set(v.split(","))
            adm = vs if op in ("==", "in") else set(STATES) - vs
        ok &= adm
    return ok

expect("sources lists nftables as present",
       any(s.get("name") == "nftables" and s.get("present") for s in J.get("sources", [])),
       lambda: J.get("sources"))
expect("no legacy chains", not [c for c in J["chains"] if c.get("source") != "nftables"])

# handles and rule counts agree with the kernel, chain by chain
want = {}
for o in NFT:
    if "rule" in o:
        r = o["rule"]
        want.setdefault((r["family"], r["table"], r["chain"]), []).append(r["handle"])
    elif "chain" in o:
        c = o["chain"]
        want.setdefault((c["family"], c["table"], c["name"]), [])
got = {(c["family"], c["table"], c["chain"]): [r.get("handle") for r in c["rules"]]
       for c in J["chains"] if c.get("source") == "nftables"}
expect("chains, rule counts and handles equal nft -j list ruleset", want == got,
       lambda: "nft %s / fwaudit %s" % (sorted((k, len(v)) for k, v in want.items()),
                                        sorted((k, len(v)) for k, v in got.items())))

# --- inet fwa input
inp = chain(family="inet", table="fwa", chain="input")
if inp:
    expect("input: hook input, priority 5, policy drop, type filter",
           (inp.get("hook"), inp.get("priority"), inp.get("policy"), inp.get("type"))
           == ("input", 5, "drop", "filter"),
           lambda: (inp.get("hook"), inp.get("priority"), inp.get("policy"), inp.get("type")))
imap = chain(family="inet", table="fwa", chain="imap")
if imap:
    expect("imap: regular chain (hook, priority, policy null)",
           imap.get("hook") is None and imap.get("priority") is None and imap.get("policy") is None)
    expect("imap: 2 rules, last returns", len(imap["rules"]) == 2 and vkind(imap["rules"][1]) == "return",
           lambda: show(imap))

r = one_rule(inp, "ct state established,related accept",
             lambda r: vkind(r) == "accept" and matches(r, "ct state") and len(r["matches"]) == 1)
expect("ct state established,related admits exactly those states",
       ctstates(r) == {"established", "related"}, lambda: r["matches"])
r = one_rule(inp, "ct state invalid drop",
             lambda r: vkind(r) == "drop" and matches(r, "ct state") and len(r["matches"]) == 1)
expect("ct state invalid admits exactly invalid", ctstates(r) == {"invalid"}, lambda: r["matches"])

r = one_rule(inp, 'iifname "lo" accept', lambda r: has(r, "iifname", "==", "lo"))
expect('iifname "lo" rule accepts', vkind(r) == "accept")

r = one_rule(inp, "tcp dport { 22, 80-90 } accept",
             lambda r: has(r, "dport", "in", ["22", "80-90"]))
expect("tcp dport { 22, 80-90 }: l4proto == tcp", has(r, "l4proto", "==", "tcp"), lambda: r["matches"])
expect("tcp dport { 22, 80-90 }: accept", vkind(r) == "accept")

r = one_rule(inp, "ip saddr @allowed4 tcp dport 443", lambda r: has(r, "dport", "==", "443"))
expect("ip saddr in set @allowed4",
       any(m.get("op") == "in" and m.get("set") == "@allowed4" for m in matches(r, "ip saddr")),
       lambda: r["matches"])

r = one_rule(inp, "ip saddr . tcp dport { ... } (anonymous concatenation)",
             lambda r: matches(r, "ip saddr . dport") and not matches(r, "ip saddr . dport")[0].get("set"))
expect("anonymous concatenation with intervals decoded",
       has(r, "ip saddr . dport", "in", ["198.51.100.7 . 22", "198.51.100.0/28 . 8000-8080"]),
       lambda: r["matches"])

r = one_rule(inp, "ip saddr . tcp dport @svc",
             lambda r: any(m.get("set") == "@svc" for m in r["matches"]))
expect("@svc lookup is on ip saddr . dport", has(r, "ip saddr . dport", "in"), lambda: r["matches"])

r = one_rule(inp, "tcp dport vmap { ... } (anonymous)",
             lambda r: vkind(r) == "vmap" and r["verdict"].get("map") != "portv")
expect("anonymous vmap keyed on dport", r["verdict"].get("key") == "dport", lambda: r["verdict"])
# ruleset.h: anonymous sets are printed inline, so the rule says what it does
expect("anonymous vmap printed inline (text names 110, 993, 995 and imap)",
       all(w in rule_text(r) for w in ("110", "993", "995", "imap")), lambda: rule_text(r))
r = one_rule(inp, "tcp dport vmap @portv",
             lambda r: vkind(r) == "vmap" and r["verdict"].get("map") == "portv")
expect("named vmap keyed on dport", r["verdict"].get("key") == "dport", lambda: r["verdict"])

r = one_rule(inp, "fib daddr type local tcp dport 8443", lambda r: has(r, "dport", "==", "8443"))
expect("fib daddr type == local", has(r, "fib daddr type", "==", "local"), lambda: r["matches"])

r = one_rule(inp, "ct original proto-dst 6379 drop", lambda r: matches(r, "ct original proto-dst"))
expect("ct original proto-dst == 6379", has(r, "ct original proto-dst", "==", "6379"), lambda: r["matches"])
expect("ct original proto-dst rule: l4proto == tcp, drop",
       has(r, "l4proto", "==", "tcp") and vkind(r) == "drop", lambda: rule_text(r))

r = one_rule(inp, "ct original ip daddr 198.51.100.10", lambda r: matches(r, "ct original ip daddr"))
expect("ct original ip daddr == 198.51.100.10",
       has(r, "ct original ip daddr", "==", "198.51.100.10"), lambda: r["matches"])

r = one_rule(inp, 'iifname "veth*" udp sport 53', lambda r: has(r, "sport", "==", "53"))
expect('iifname wildcard "veth*"', has(r, "iifname", "==", "veth*"), lambda: r["matches"])
expect("udp sport 53: l4proto == udp", has(r, "l4proto", "==", "udp"), lambda: r["matches"])

r = one_rule(inp, "ip6 saddr 2001:db8::/32 icmpv6 type echo-request", lambda r: matches(r, "ip6 saddr"))
expect("ip6 saddr == 2001:db8::/32", has(r, "ip6 saddr", "==", "2001:db8::/32"), lambda: r["matches"])
expect("icmpv6 type == 128 (echo-request)", has(r, "icmpv6 type", "==", "128"), lambda: r["matches"])

r = one_rule(inp, "ip6 daddr { 2001:db8::1, 2001:db8:1::/48 } tcp dport 22", lambda r: matches(r, "ip6 daddr"))
expect("ip6 daddr in { 2001:db8::1, 2001:db8:1::/48 }",
       has(r, "ip6 daddr", "in", ["2001:db8::1", "2001:db8:1::/48"]), lambda: r["matches"])

r = one_rule(inp, "ip saddr != 198.51.100.0/24 tcp dport 3306 reject", lambda r: has(r, "dport", "==", "3306"))
expect("ip saddr != 198.51.100.0/24", has(r, "ip saddr", "!=", "198.51.100.0/24"), lambda: r["matches"])
expect("reject with tcp reset",
       vkind(r) == "reject" and "reset" in (r["verdict"].get("with") or ""), lambda: r["verdict"])

r = one_rule(inp, "ct state new tcp dport 2049 counter goto imap", lambda r: has(r, "dport", "==", "2049"))
expect("ct state new admits exactly new", ctstates(r) == {"new"}, lambda: r["matches"])
expect("goto imap", r["verdict"] == {"kind": "goto", "chain": "imap"}, lambda: r["verdict"])
expect("counter kept as a statement",
       any(s.get("name") == "counter" for s in r.get("statements", [])), lambda: r.get("statements"))

r = one_rule(inp, "tcp dport 25 limit rate 10/second accept", lambda r: has(r, "dport", "==", "25"))
expect("limit kept as an undecidable match (field other, name limit)",
       any(m.get("field") == "other" and m.get("name") == "limit" for m in r["matches"]),
       lambda: r["matches"])

# --- named sets and maps
sets = {(s["family"], s["table"], s["name"]): s for s in J.get("sets", [])}
def keys(k):
    return sorted(e.get("key") for e in sets[k]["elements"])
expect("set @allowed4 holds 198.51.100.0/24 and 203.0.113.5-203.0.113.9",
       lambda: keys(("inet", "fwa", "allowed4")) == ["198.51.100.0/24", "203.0.113.5-203.0.113.9"],
       lambda: sets.get(("inet", "fwa", "allowed4")))
expect("set @svc holds the two concatenated intervals",
       lambda: keys(("inet", "fwa", "svc")) == ["198.51.100.0/24 . 22", "203.0.113.1 . 80-90"],
       lambda: sets.get(("inet", "fwa", "svc")))
expect("map @portv: 25 -> drop, 143 -> jump imap",
       lambda: sets[("inet", "fwa", "portv")]["map"] is True and
       sorted((e["key"], json.dumps(e.get("data"), sort_keys=True)) for e in sets[("inet", "fwa", "portv")]["elements"])
       == [("143", json.dumps({"chain": "imap", "kind": "jump"}, sort_keys=True)),
           ("25", json.dumps({"kind": "drop"}, sort_keys=True))],
       lambda: sets.get(("inet", "fwa", "portv")))
expect("map @natmap: keys 8080, 8443",
       lambda: sets[("ip", "nat4", "natmap")]["map"] is True and keys(("ip", "nat4", "natmap")) == ["8080", "8443"],
       lambda: sets.get(("ip", "nat4", "natmap")))
expect("map @natmap: element data shows the DNAT addresses 198.51.100.20 / .21",
       lambda: {e["key"]: json.dumps(e.get("data")) for e in sets[("ip", "nat4", "natmap")]["elements"]}["8080"].count("198.51.100.20") == 1
       and {e["key"]: json.dumps(e.get("data")) for e in sets[("ip", "nat4", "natmap")]["elements"]}["8443"].count("198.51.100.21") == 1,
       lambda: sets.get(("ip", "nat4", "natmap")))

# --- ip nat4
pre = chain(family="ip", table="nat4", chain="prerouting")
if pre:
    expect("nat prerouting: hook prerouting, priority -100, type nat",
           (pre.get("hook"), pre.get("priority"), pre.get("type")) == ("prerouting", -100, "nat"),
           lambda: (pre.get("hook"), pre.get("priority"), pre.get("type")))
r = one_rule(pre, "tcp dport 2222 dnat to 198.51.100.40:22", lambda r: has(r, "dport", "==", "2222"))
expect("dnat to 198.51.100.40:22",
       vkind(r) == "dnat" and r["verdict"].get("to") == "198.51.100.40:22", lambda: r["verdict"])
r = one_rule(pre, "dnat to tcp dport map { ... } (anonymous)",
             lambda r: vkind(r) == "dnat" and r["verdict"].get("map") not in (None, "natmap"))
expect("anonymous dnat map keyed on dport", r["verdict"].get("key") == "dport", lambda: r["verdict"])
expect("anonymous dnat map printed inline (text names 198.51.100.30 and .31)",
       all(w in rule_text(r) for w in ("7000", "198.51.100.30", "7001", "198.51.100.31")),
       lambda: rule_text(r))
r = one_rule(pre, "dnat to tcp dport map @natmap",
             lambda r: vkind(r) == "dnat" and r["verdict"].get("map") == "natmap")
expect("named dnat map keyed on dport", r["verdict"].get("key") == "dport", lambda: r["verdict"])
r = one_rule(pre, "tcp dport 8081 redirect to :8080", lambda r: has(r, "dport", "==", "8081"))
expect("redirect to :8080", vkind(r) == "redirect" and r["verdict"].get("to") == ":8080", lambda: r["verdict"])
post = chain(family="ip", table="nat4", chain="postrouting")
if post:
    expect("nat postrouting: hook postrouting, priority 100",
           (post.get("hook"), post.get("priority")) == ("postrouting", 100))
r = one_rule(post, 'oifname "fwa0" masquerade', lambda r: has(r, "oifname", "==", "fwa0"))
expect("masquerade", vkind(r) == "masquerade", lambda: r["verdict"])

# --- netdev ingress
ing = chain(family="netdev", table="fwaingress", chain="ing")
if ing:
    expect("netdev chain: hook ingress, device fwa0, priority -500, policy accept",
           (ing.get("hook"), ing.get("device"), ing.get("priority"), ing.get("policy"))
           == ("ingress", "fwa0", -500, "accept"),
           lambda: (ing.get("hook"), ing.get("device"), ing.get("priority"), ing.get("policy")))
r = one_rule(ing, "ip saddr 203.0.113.0/24 drop", lambda r: matches(r, "ip saddr"))
expect("netdev: ip saddr == 203.0.113.0/24 drop",
       has(r, "ip saddr", "==", "203.0.113.0/24") and vkind(r) == "drop", lambda: r["matches"])

# --- bridge
br = chain(family="bridge", table="fwabr", chain="brfwd")
if br:
    expect("bridge chain: hook forward, priority 0",
           (br.get("hook"), br.get("priority")) == ("forward", 0))
r = one_rule(br, "ether saddr 02:00:00:00:00:01 drop", lambda r: matches(r, "ether saddr"))
expect("ether saddr == 02:00:00:00:00:01",
       has(r, "ether saddr", "==", "02:00:00:00:00:01") and vkind(r) == "drop", lambda: r["matches"])

# every rule has a text rendering
expect("every rule has a non-empty text",
       all(r.get("text") for c in J["chains"] for r in c["rules"]))
EOF

fwa_log "checking the text output"
rc=0
fw_text "$NS" > "$T/out.txt" 2> "$T/err" || rc=$?
if [ "$rc" -ne 0 ]; then
	fwa_fail "fwaudit ruleset --format text exited $rc"
else
	for want in 'table netdev fwaingress' 'hook ingress device "fwa0" priority -500' \
		'table inet fwa' 'hook input priority 5; policy drop;' \
		'table bridge fwabr' 'type nat hook prerouting priority -100' \
		'dport { 22, 80-90 }'; do
		if grep -qF -- "$want" "$T/out.txt"; then
			fwa_pass "text shows '$want'"
		else
			fwa_fail "text lacks '$want'"
		fi
	done
fi
fwa_finish
