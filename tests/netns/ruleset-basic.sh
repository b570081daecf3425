#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ruleset-basic.sh - fwaudit ruleset basics:
#  - an empty namespace: exit 0, the sources listed, no chain, no set, and
#    reading creates nothing (no legacy table gets instantiated);
#  - without CAP_NET_ADMIN (as nobody, and as root with the capability
#    dropped from the bounding set): exit 3, one message naming
#    CAP_NET_ADMIN, nothing on stdout;
#  - as nobody with only CAP_NET_ADMIN: exit 3 naming what the legacy
#    tables need; with CAP_NET_ADMIN, CAP_NET_RAW and CAP_DAC_READ_SEARCH:
#    exit 0, the same model as
#    root (the daemon is meant to run like that);
#  - a namespace with a small nftables ruleset and a small legacy
#    iptables/ip6tables ruleset: both sources present, in text with each
#    base chain's hook, priority and policy, and in JSON with the decoded
#    rules (handles for nftables only);
#  - bad usage exits 3.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft iptables-legacy ip6tables-legacy setpriv
fwa_require_fwaudit

fwa_tmpdir T
chmod 755 "$T"
# the binary must be reachable by nobody: use a copy in a world-readable
# place when its build directory is not
BIN=$FWAUDIT
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN"; then
	cp "$FWAUDIT" "$T/fwaudit"
	chmod 755 "$T/fwaudit"
	BIN=$T/fwaudit
fi

legacy_tables() {
	fwa_nsx "$1" sh -c 'cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null' | sort | tr '\n' ' '
}

# --- 1. empty namespace
fwa_ns_new E empty
rc=0
fw_json "$E" > "$T/empty.json" 2> "$T/empty.err" || rc=$?
if [ "$rc" -eq 0 ]; then
	fwa_pass "empty namespace: exit 0"
	fwa_check "$T/empty.json" empty <<'EOF' || _fwa_failures=$((_fwa_failures + 1))
names = [s.get("name") for s in J.get("sources", [])]
expect("version 1", J.get("version") == 1)
expect("sources list nftables, iptables-legacy, ip6tables-legacy",
       {"nftables", "iptables-legacy", "ip6tables-legacy"} <= set(names), names)
expect("no source reports an error", not [s for s in J["sources"] if s.get("error")], J["sources"])
expect("no chains", J.get("chains") == [], lambda: [c["chain"] for c in J["chains"]])
expect("no sets", J.get("sets") == [])
EOF
else
	fwa_fail "empty namespace: exit $rc: $(head -2 "$T/empty.err")"
fi
t=$(legacy_tables "$E")
if [ -z "${t// /}" ]; then
	fwa_pass "empty namespace: reading instantiated no legacy table"
else
	fwa_fail "empty namespace: legacy tables appeared after reading: $t"
fi

# --- 2. no CAP_NET_ADMIN
nocap() {
	local what=$1 rc=0

	shift
	fwa_nsx "$E" "$@" "$BIN" ruleset --format json > "$T/nocap.out" 2> "$T/nocap.err" || rc=$?
	if [ "$rc" -eq 3 ]; then
		fwa_pass "$what: exit 3"
	else
		fwa_fail "$what: exit $rc, expected 3"
	fi
	if grep -q CAP_NET_ADMIN "$T/nocap.err" && [ "$(wc -l < "$T/nocap.err")" -eq 1 ]; then
		fwa_pass "$what: one line naming CAP_NET_ADMIN: $(cat "$T/nocap.err")"
	else
		fwa_fail "$what: stderr should be one line naming CAP_NET_ADMIN, is: $(head -3 "$T/nocap.err")"
	fi
	if [ -s "$T/nocap.out" ]; then
		fwa_fail "$what: printed something on stdout"
	fi
}
nocap "as nobody" setpriv --reuid=65534 --regid=65534 --clear-groups
nocap "as root without CAP_NET_ADMIN" setpriv --bounding-set=-net_admin --inh-caps=-net_admin

# --- 3. both sources, small rulesets
fwa_ns_new N both
fwa_nsx "$N" nft -f - <<'EOF'
table inet fwa_basic {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
	}
}
EOF
fwa_nsx "$N" iptables-legacy -A INPUT -p tcp --dport 80 -j ACCEPT
fwa_nsx "$N" iptables-legacy -P FORWARD DROP
fwa_nsx "$N" iptables-legacy -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 198.51.100.5:80
fwa_nsx "$N" iptables-legacy -t raw -A PREROUTING -p udp --dport 53 -j ACCEPT
fwa_nsx "$N" ip6tables-legacy -A INPUT -s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT
before=$(legacy_tables "$N")

rc=0
fw_text "$N" > "$T/both.txt" 2> "$T/both.err" || rc=$?
if [ "$rc" -ne 0 ]; then
	fwa_fail "nft + legacy, text: exit $rc: $(head -2 "$T/both.err")"
else
	fwa_pass "nft + legacy, text: exit 0"
	# chain headers are checked within their table block
	"$PYTHON" - "$T/both.txt" <<'EOF' || _fwa_failures=$((_fwa_failures + 1))
import sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
fails = 0
def check(what, ok):
    global fails
    print(("PASS: " if ok else "FAIL: ") + "text: " + what)
    fails += not ok
for src in ("nftables", "iptables-legacy", "ip6tables-legacy"):
    check("# source %s: present" % src, "# source %s: present" % src in lines)
def block(header):
    out, inside = [], False
    for l in lines:
        if l.startswith("table "):
            inside = l.startswith(header)
        if inside:
            out.append(l.strip())
    return out
def chain_line(header, chain, want):
    b = block(header)
    try:
        i = b.index("chain %s {" % chain)
        ok = b[i + 1] == want
    except (ValueError, IndexError):
        ok = False
    check("%s ... chain %s: %s" % (header.strip(), chain, want), ok)
chain_line("table inet fwa_basic {\t# nftables", "input",
           "type filter hook input priority 0; policy accept;")
chain_line("table inet fwa_basic {\t# nftables", "pre",
           "type nat hook prerouting priority -100; policy accept;")
chain_line("table ip filter {\t# iptables-legacy", "INPUT",
           "type filter hook input priority 0; policy accept;")
chain_line("table ip filter {\t# iptables-legacy", "FORWARD",
           "type filter hook forward priority 0; policy drop;")
chain_line("table ip nat {\t# iptables-legacy", "PREROUTING",
           "type nat hook prerouting priority -100; policy accept;")
chain_line("table ip raw {\t# iptables-legacy", "PREROUTING",
           "type filter hook prerouting priority -300; policy accept;")
chain_line("table ip6 filter {\t# iptables-legacy", "INPUT",
           "type filter hook input priority 0; policy accept;")
if fails:
    print(text)
sys.exit(1 if fails else 0)
EOF
fi

rc=0
fw_json "$N" > "$T/both.json" 2> "$T/both.err" || rc=$?
if [ "$rc" -ne 0 ]; then
	fwa_fail "nft + legacy, json: exit $rc: $(head -2 "$T/both.err")"
else
	fwa_check "$T/both.json" "json" <<'EOF' || _fwa_failures=$((_fwa_failures + 1))
def vk(r):
    return (r.get("verdict") or {}).get("kind")
expect("all three sources present",
       all(s.get("present") for s in J["sources"]
           if s.get("name") in ("nftables", "iptables-legacy", "ip6tables-legacy")), J["sources"])
c = chain(family="inet", source="nftables", table="fwa_basic", chain="input")
if c:
    expect("nft input: one rule, with a handle, l4proto tcp dport 22 accept",
           len(c["rules"]) == 1 and isinstance(c["rules"][0].get("handle"), int)
           and has(c["rules"][0], "dport", "==", "22") and vk(c["rules"][0]) == "accept",
           lambda: show(c))
legacy = chains(source="iptables-legacy")
expect("legacy rules carry no handle",
       all("handle" not in r for c in legacy for r in c["rules"]), lambda: show(legacy[0]))
expect("legacy: tables ip filter, ip nat, ip raw, ip6 filter",
       {(c["family"], c["table"]) for c in legacy} == {("ip", "filter"), ("ip", "nat"), ("ip", "raw"), ("ip6", "filter")},
       lambda: sorted({(c["family"], c["table"]) for c in legacy}))
c = chain(family="ip", source="iptables-legacy", table="filter", chain="INPUT")
if c:
    expect("legacy INPUT: hook input, priority 0, policy accept",
           (c["hook"], c["priority"], c["policy"]) == ("input", 0, "accept"))
    expect("legacy INPUT: -p tcp --dport 80 -j ACCEPT",
           len(c["rules"]) == 1 and has(c["rules"][0], "l4proto", "==", "tcp")
           and has(c["rules"][0], "dport", "==", "80") and vk(c["rules"][0]) == "accept",
           lambda: show(c))
c = chain(family="ip", source="iptables-legacy", table="filter", chain="FORWARD")
if c:
    expect("legacy FORWARD: policy drop", c["policy"] == "drop")
c = chain(family="ip", source="iptables-legacy", table="nat", chain="PREROUTING")
if c:
    expect("legacy nat PREROUTING: priority -100, DNAT to 198.51.100.5:80 for dport 8080",
           c["priority"] == -100 and len(c["rules"]) == 1
           and c["rules"][0]["verdict"].get("kind") == "dnat"
           and c["rules"][0]["verdict"].get("to") == "198.51.100.5:80"
           and has(c["rules"][0], "dport", "==", "8080"), lambda: show(c))
c = chain(family="ip6", source="iptables-legacy", table="filter", chain="INPUT")
if c:
    expect("legacy ip6 INPUT: ip6 saddr 2001:db8::/32 tcp dport 22 accept",
           len(c["rules"]) == 1 and has(c["rules"][0], "ip6 saddr", "==", "2001:db8::/32")
           and has(c["rules"][0], "dport", "==", "22"), lambda: show(c))
EOF
fi
after=$(legacy_tables "$N")
if [ "$before" = "$after" ]; then
	fwa_pass "reading created no legacy table ($after)"
else
	fwa_fail "legacy tables before reading: $before, after: $after"
fi

# --- 4. as nobody: CAP_NET_ADMIN reads nftables, but the legacy tables
# also need CAP_NET_RAW (libiptc's raw socket) and CAP_DAC_READ_SEARCH (the
# root-only /proc/net/ip_tables_names); each missing one is named.
capsrun() {
	local caps=$1 out=$2 err=$3 rc=0
	fwa_nsx "$N" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps="$caps" --ambient-caps="$caps" \
		"$BIN" ruleset --format json > "$out" 2> "$err" || rc=$?
	echo "$rc"
}
rc=$(capsrun +net_admin "$T/caponly.json" "$T/caponly.err")
if [ "$rc" -eq 3 ] && grep -q CAP_DAC_READ_SEARCH "$T/caponly.err" &&
   [ "$(wc -l < "$T/caponly.err")" -eq 1 ]; then
	fwa_pass "as nobody with only CAP_NET_ADMIN: exit 3 naming what the legacy tables need: $(cat "$T/caponly.err")"
else
	fwa_fail "as nobody with only CAP_NET_ADMIN: exit $rc, expected 3 naming CAP_DAC_READ_SEARCH: $(head -2 "$T/caponly.err")"
fi
rc=$(capsrun +net_admin,+dac_read_search "$T/capraw.json" "$T/capraw.err")
if [ "$rc" -eq 3 ] && grep -q CAP_NET_RAW "$T/capraw.err"; then
	fwa_pass "as nobody without CAP_NET_RAW: exit 3 naming it"
else
	fwa_fail "as nobody without CAP_NET_RAW: exit $rc, expected 3 naming CAP_NET_RAW: $(head -2 "$T/capraw.err")"
fi
rc=$(capsrun +net_admin,+net_raw,+dac_read_search "$T/capall.json" "$T/capall.err")
if [ "$rc" -ne 0 ]; then
	fwa_fail "as nobody with CAP_NET_ADMIN, CAP_NET_RAW, CAP_DAC_READ_SEARCH: exit $rc: $(head -2 "$T/capall.err")"
elif cmp -s "$T/capall.json" "$T/both.json"; then
	fwa_pass "as nobody with CAP_NET_ADMIN, CAP_NET_RAW, CAP_DAC_READ_SEARCH: exit 0, same model as root"
else
	fwa_fail "as nobody with the three capabilities: the model differs from root's"
fi

# --- 5. usage
for args in "ruleset --format yaml" "ruleset extra-argument" "no-such-command"; do
	rc=0
	# shellcheck disable=SC2086
	fwa_nsx "$E" "$FWAUDIT" $args > /dev/null 2>&1 || rc=$?
	if [ "$rc" -eq 3 ]; then
		fwa_pass "fwaudit $args: exit 3"
	else
		fwa_fail "fwaudit $args: exit $rc, expected 3"
	fi
done
fwa_finish
