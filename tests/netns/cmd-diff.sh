#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cmd-diff.sh - fwaudit diff OLD NEW, the CI gate on a firewall change,
# checked against real packets.
#  - OLD lets in tcp/22 and tcp/8080, NEW tcp/22 and tcp/6379, in IPv4 and
#    IPv6, written as iptables-save + ip6tables-save pairs (--old/--new
#    repeated) and as nft files: diff says NEW opens tcp/6379 (critical by
#    the default policy) and closes tcp/8080 in both families, alters
#    nothing, exits 2; the text says the same; the nft and the x_tables
#    forms give the same changes; the text as tests/golden/cmd-diff.text
#    (GOLDEN=update rewrites it).
#  - Real packets: with listeners on every port, NEW loaded into a node
#    namespace, probes from a second namespace (probe-lib.sh) to every
#    port diff names: what diff says NEW opens connects, what it says NEW
#    closes does not; with OLD loaded the other way round.
#  - Saved audits (fwaudit audit --format json) of a live namespace before
#    and after `nft add rule ... tcp dport 6379 accept` and a listener
#    that stopped: opened tcp/6379 exposed to python3, tcp/8080 altered
#    (state exposed -> open), exit 2; the same change as fwauditd's events
#    (--format events); a saved audit against a ruleset file.
#  - No change: exit 0, "No change"; --no-rules: exit 0; as nobody (when
#    unprivileged user namespaces are allowed): the same changes as root.
#  - Bad inputs exit 3 with a clear message: a file of unknown format
#    (file:line), truncated JSON (file:line:column), a JSON of another
#    version, an nft file that does not load, a missing file.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
fwa_require_tools iptables-nft-restore ip6tables-nft-restore
: "${FWAUDIT_RULES_DIR:=$top_srcdir/rules}"
export FWAUDIT_RULES_DIR
T=$PT

# x_tables: ICMPv6 stays open, or IPv6 neighbour discovery would fail
xt_file() { # FAMILY PORT...
	local fam=$1 p

	shift
	echo "*filter"
	echo ":INPUT DROP [0:0]"
	echo ":FORWARD DROP [0:0]"
	echo ":OUTPUT ACCEPT [0:0]"
	echo "-A INPUT -i lo -j ACCEPT"
	echo "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	if [ "$fam" = 6 ]; then
		echo "-A INPUT -p ipv6-icmp -j ACCEPT"
	fi
	for p in "$@"; do
		echo "-A INPUT -p tcp -m tcp --dport $p -j ACCEPT"
	done
	echo "COMMIT"
}
nft_file() { # PORT...
	local p

	printf 'table inet filter {\n\tchain input {\n'
	printf '\t\ttype filter hook input priority 0; policy drop;\n'
	printf '\t\tct state established,related accept\n'
	printf '\t\tiifname "lo" accept\n'
	printf '\t\tmeta l4proto ipv6-icmp accept\n'
	for p in "$@"; do
		printf '\t\ttcp dport %s accept\n' "$p"
	done
	printf '\t}\n}\n'
}
xt_file 4 22 8080 > "$T/old4.save"
xt_file 6 22 8080 > "$T/old6.save"
xt_file 4 22 6379 > "$T/new4.save"
xt_file 6 22 6379 > "$T/new6.save"
nft_file 22 8080 > "$T/old.nft"
nft_file 22 6379 > "$T/new.nft"

# diff_run NAME ARGS...: fwaudit diff ARGS into $T/NAME.{out,err}; the
# exit status in RC
diff_run() {
	local name=$1

	shift
	RC=0
	"$FWAUDIT" diff "$@" > "$T/$name.out" 2> "$T/$name.err" || RC=$?
}

# the changes of a diff JSON as comparable lines
changes() {
	"$PYTHON" -c '
import json, sys
J = json.load(open(sys.argv[1]))
for k in ("opened", "altered", "closed"):
    for c in J[k]:
        print(k, c["family"], c["protocol"], "%d-%d" % tuple(c["ports"]),
              ",".join(c["sources"]), c["opens"], c["resolves"])' "$1" | sort
}

check_gate() { # LABEL JSON
	fwa_check "$2" "$1" <<'PY'
def ch(kind, fam, port):
    return [c for c in J[kind] if c["family"] == fam and
            c["protocol"] == "tcp" and c["ports"][0] <= port <= c["ports"][1]]
expect("version 1", J["version"] == 1)
for fam in ("ipv4", "ipv6"):
    o = ch("opened", fam, 6379)
    expect(fam + ": tcp/6379 opened", len(o) >= 1)
    expect(fam + ": tcp/6379 from the Internet opens a critical violation",
           any(c["opens"] == "critical" and c["policy"]["severity"] == "critical"
               for c in o), o)
    expect(fam + ": the whole address space opens on 6379",
           sorted(s for c in o for s in c["sources"]) != [])
    cl = ch("closed", fam, 8080)
    expect(fam + ": tcp/8080 closed", len(cl) >= 1)
    expect(fam + ": closing 8080 resolves its warning",
           any(c["resolves"] == "warning" for c in cl), cl)
    expect(fam + ": tcp/22 unchanged",
           not ch("opened", fam, 22) and not ch("closed", fam, 22) and
           not ch("altered", fam, 22))
expect("nothing altered", J["altered"] == [])
expect("only 6379 opens", all(c["ports"] == [6379, 6379] for c in J["opened"]))
expect("only 8080 closes", all(c["ports"] == [8080, 8080] for c in J["closed"]))
expect("worst critical", J["worst"] == "critical")
expect("kinds", J["old"]["kind"] == "ruleset" and J["new"]["kind"] == "ruleset")
PY
}

# ---- ruleset files: both syntaxes, both families ----------------------
diff_run xt --format json --old "$T/old4.save" --old "$T/old6.save" \
	--new "$T/new4.save" --new "$T/new6.save"
[ "$RC" = 2 ] && fwa_pass "x_tables pair: exit 2" ||
	fwa_fail "x_tables pair: exit $RC: $(head -3 "$T/xt.err")"
check_gate "x_tables pair" "$T/xt.out" || true
diff_run nft --format json "$T/old.nft" "$T/new.nft"
[ "$RC" = 2 ] && fwa_pass "nft: exit 2" ||
	fwa_fail "nft: exit $RC: $(head -3 "$T/nft.err")"
check_gate "nft" "$T/nft.out" || true
if [ "$(changes "$T/xt.out")" = "$(changes "$T/nft.out")" ]; then
	fwa_pass "nft and x_tables forms give the same changes"
else
	fwa_fail "nft and x_tables forms differ: $(diff <(changes "$T/xt.out") <(changes "$T/nft.out") | head -10)"
fi
# one family only: IPv4 opens, IPv6 has no rules at all on either side
diff_run v4 --format json "$T/old4.save" "$T/new4.save"
fwa_check "$T/v4.out" "ipv4 file" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
expect("no IPv6 change", all(c["family"] == "ipv4"
                             for k in ("opened", "altered", "closed") for c in J[k]))
expect("tcp/6379 opened", any(c["ports"] == [6379, 6379] for c in J["opened"]))
PY
diff_run text "$T/old.nft" "$T/new.nft"
if [ "$RC" = 2 ] &&
   grep -Eq '^  CRITICAL +tcp/6379 \(ipv4\) from any except private,loopback' "$T/text.out" &&
   grep -Eq '^  CRITICAL +tcp/6379 \(ipv6\) from any except' "$T/text.out" &&
   grep -Eq '^  RESOLVED +tcp/8080 \(ipv4\)' "$T/text.out" &&
   [ "$(grep -n '^Opened' "$T/text.out" | cut -d: -f1)" -lt \
     "$(grep -n '^Closed' "$T/text.out" | cut -d: -f1)" ] &&
   grep -q 'worst opened: critical' "$T/text.out"; then
	fwa_pass "text: what opens first, by severity, sources in zones"
else
	fwa_fail "text (exit $RC): $(cat "$T/text.out" "$T/text.err" | head -30)"
fi
# the text against its golden file (GOLDEN=update rewrites it)
g=$top_srcdir/tests/golden/cmd-diff.text
sed -e "s|$FWAUDIT_RULES_DIR/|rules/|g" -e "s|$T/|T/|g" "$T/text.out" > "$T/text.got"
if [ "${GOLDEN:-}" = update ]; then
	cp "$T/text.got" "$g"
	fwa_log "updated $g"
elif diff -u "$g" "$T/text.got" > "$T/text.diff"; then
	fwa_pass "text: as tests/golden/cmd-diff.text"
else
	fwa_fail "text differs from tests/golden/cmd-diff.text: $(head -30 "$T/text.diff")"
fi
# 8 and 8: the link-local parts, which default.rules allows, count too
diff_run quiet --quiet "$T/old.nft" "$T/new.nft"
if [ "$RC" = 2 ] && ! grep -Eq '^  (OK|CLOSED) ' "$T/quiet.out" &&
   [ "$(grep -Ec '^  (CRITICAL|RESOLVED) ' "$T/quiet.out")" = 4 ] &&
   grep -q '^8 opened, 0 altered, 8 closed' "$T/quiet.out"; then
	fwa_pass "--quiet: the violations opened and resolved only"
else
	fwa_fail "--quiet (exit $RC): $(head -20 "$T/quiet.out")"
fi
diff_run same "$T/new.nft" "$T/new.nft"
[ "$RC" = 0 ] && grep -q '^No change' "$T/same.out" &&
	fwa_pass "the same ruleset: exit 0, no change" ||
	fwa_fail "the same ruleset: exit $RC: $(head -5 "$T/same.out" "$T/same.err")"
diff_run norules --no-rules --format json "$T/old.nft" "$T/new.nft"
[ "$RC" = 0 ] && [ "$(fwa_jq "$T/norules.out" 'J["opened"][0]["policy"]')" = null ] &&
	fwa_pass "--no-rules: exit 0, no verdicts" ||
	fwa_fail "--no-rules: exit $RC"

# ---- as nobody: ruleset files need no privilege ---------------------------
# (when this kernel lets nobody make a user namespace; the binary and the
# policy copied where nobody can read them)
if command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups \
	unshare --user --net true 2>/dev/null; then
	mkdir "$T/nobody" "$T/nobody/rules"
	cp "$FWAUDIT" "$T/old.nft" "$T/new.nft" "$T/nobody/"
	cp "$FWAUDIT_RULES_DIR"/*.rules "$T/nobody/rules/"
	chmod -R a+rX "$T/nobody"
	chmod a+x "$T"
	RC=0
	(cd "$T/nobody" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		env FWAUDIT_RULES_DIR="$T/nobody/rules" ./fwaudit diff \
		--format json old.nft new.nft) > "$T/nobody.out" \
		2> "$T/nobody.err" || RC=$?
	if [ "$RC" = 2 ] &&
	   [ "$(changes "$T/nobody.out")" = "$(changes "$T/nft.out")" ]; then
		fwa_pass "nobody: the same changes as root, exit 2"
	else
		fwa_fail "nobody: exit $RC: $(head -3 "$T/nobody.err")"
	fi
else
	echo "SKIP: diff as nobody: unprivileged user namespaces are not allowed here"
fi

# ---- real packets -------------------------------------------------------
# probes to every port of every opened and closed change, from a source
# the change covers; EXPECT: "opened" or "closed" is what must connect
probes_of() { # DIFF.json > probes.json
	"$PYTHON" -c '
import ipaddress, json, sys
J = json.load(open(sys.argv[1]))
src = {"ipv4": (sys.argv[2], sys.argv[3]), "ipv6": (sys.argv[4], sys.argv[5])}
out, seen = [], set()
for kind in ("opened", "closed"):
    for c in J[kind]:
        s, dst = src[c["family"]]
        if not any(ipaddress.ip_address(s) in ipaddress.ip_network(p)
                   for p in c["sources"]):
            continue
        for port in sorted(set(c["ports"])):
            k = (c["family"], port)
            if k in seen:
                continue
            seen.add(k)
            out.append({"proto": c["protocol"], "dst": dst, "dport": port,
                        "src": s, "sport": 0, "kind": kind})
json.dump(out, sys.stdout)' "$1" "$PUB4" "$NODE4" "$PUB6" "$NODE6"
}
probes_of "$T/nft.out" > "$T/probes.json"
nprobes=$(fwa_jq "$T/probes.json" 'len(J)')
[ "$nprobes" -ge 4 ] && fwa_pass "$nprobes probes (6379 and 8080, IPv4 and IPv6)" ||
	fwa_fail "only $nprobes probes from the diff"
pl_serve 'tcp:[::]:22' 'tcp:[::]:6379' 'tcp:[::]:8080'

# send_check LABEL CONNECTS: CONNECTS ("opened"/"closed") must connect,
# the other kind must not
send_check() {
	local label=$1 want=$2

	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush 2>/dev/null || true
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 1 \
		--budget 60 < "$T/probes.json" > "$T/res.$label.json"
	"$PYTHON" -c '
import json, sys
bad = []
for p in json.load(open(sys.argv[1])):
    got = p["outcome"] == "connected"
    if got != (p["kind"] == sys.argv[2]):
        bad.append("%s [%s]:%d: %s" % (p["kind"], p["dst"], p["dport"], p["outcome"]))
print("; ".join(bad))
sys.exit(1 if bad else 0)' "$T/res.$label.json" "$want" > "$T/bad.$label" &&
		fwa_pass "$label: every port diff says $want connects, the others do not" ||
		fwa_fail "$label: $(cat "$T/bad.$label")"
}
ip netns exec "$NODE" nft -f "$T/new.nft"
send_check "NEW (nft) loaded" opened
ip netns exec "$NODE" nft flush ruleset
ip netns exec "$NODE" iptables-nft-restore < "$T/new4.save"
ip netns exec "$NODE" ip6tables-nft-restore < "$T/new6.save"
send_check "NEW (x_tables) loaded" opened
ip netns exec "$NODE" nft flush ruleset
ip netns exec "$NODE" nft -f "$T/old.nft"
send_check "OLD (nft) loaded" closed

# ---- saved audits of a live namespace -----------------------------------
# OLD is loaded; a listener of its own on 8080 that stops before NEW
fwa_stop "$PL_LAST_SERVE"
pl_serve 'tcp:[::]:22' 'tcp:[::]:6379'
pl_serve 'tcp:[::]:8080'
P8080=$PL_LAST_SERVE
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$T/a1.json" 2> "$T/a1.err" || RC=$?
[ "$RC" -lt 3 ] || fwa_die "audit before: exit $RC: $(cat "$T/a1.err")"
ip netns exec "$NODE" nft add rule inet filter input tcp dport 6379 accept
fwa_stop "$P8080"
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$T/a2.json" 2> "$T/a2.err" || RC=$?
[ "$RC" -lt 3 ] || fwa_die "audit after: exit $RC: $(cat "$T/a2.err")"
diff_run saved --format json "$T/a1.json" "$T/a2.json"
[ "$RC" = 2 ] && fwa_pass "saved audits: exit 2" ||
	fwa_fail "saved audits: exit $RC: $(head -3 "$T/saved.err")"
fwa_check "$T/saved.out" "saved audits" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
expect("kinds", J["old"]["kind"] == "audit" and J["new"]["kind"] == "audit")
for fam in ("ipv4", "ipv6"):
    o = [c for c in J["opened"] if c["family"] == fam and c["ports"] == [6379, 6379]]
    expect(fam + ": tcp/6379 opened, exposed to python3",
           o and all(c["state"] == "exposed" and c["listener"] and
                     c["listener"]["process"] == "python3" for c in o), o)
    expect(fam + ": critical", any(c["opens"] == "critical" for c in o))
    a = [c for c in J["altered"] if c["family"] == fam and c["ports"] == [8080, 8080]]
    expect(fam + ": tcp/8080 altered: exposed -> open",
           a and all("state" in c["changed"] and c["old"]["state"] == "exposed"
                     and c["new"]["state"] == "open" for c in a), J["altered"])
expect("nothing closed", J["closed"] == [])
expect("only 6379 opens", all(c["ports"] == [6379, 6379] for c in J["opened"]))
PY
# fwauditd's events for the same change, by its own comparison
diff_run events --format events "$T/a1.json" "$T/a2.json"
"$PYTHON" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' \
	"$T/events.out" > "$T/events.json"
fwa_check "$T/events.json" "events" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
for fam in ("ipv4", "ipv6"):
    expect(fam + ": violation_opened critical for tcp/6379",
           any(e["kind"] == "violation_opened" and e["severity"] == "critical"
               and e["ports"] == "6379" and e["family"] == fam for e in J), J)
expect("nothing opens beyond 6379 and 8080",
       all(e["ports"] in ("6379", "8080") for e in J))
PY
[ "$RC" = 2 ] && fwa_pass "events: exit 2" || fwa_fail "events: exit $RC"
# what the diff says altered (exposed -> open): the firewall still lets
# tcp/8080 in, and now the kernel refuses it itself (no listener)
for dst in "$NODE4" "$NODE6"; do
	src=$PUB4
	[[ $dst != *:* ]] || src=$PUB6
	got=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$dst" 8080 \
		--src "$src" --timeout 1.5 || true)
	[ "$got" = refused ] &&
		fwa_pass "altered [$dst]:8080: let in, nothing listens (refused)" ||
		fwa_fail "altered [$dst]:8080: $got, expected refused"
done
# probe what the saved audits' diff says opened: it answers now
probes_of "$T/saved.out" > "$T/probes.json"
send_check "after nft add rule" opened
# a saved audit against a ruleset file: a1 (OLD live) against NEW's file
diff_run mixed --format json "$T/a1.json" "$T/new.nft"
[ "$RC" = 2 ] && [ "$(fwa_jq "$T/mixed.out" 'J["new"]["kind"]')" = ruleset ] &&
	fwa_pass "saved audit against a ruleset file: exit 2" ||
	fwa_fail "saved audit against a ruleset file: exit $RC: $(head -3 "$T/mixed.err")"

# ---- bad inputs -----------------------------------------------------------
bad_input() { # LABEL REGEX ARGS...
	local label=$1 re=$2

	shift 2
	diff_run bad "$@"
	if [ "$RC" = 3 ] && grep -Eq -- "$re" "$T/bad.err"; then
		fwa_pass "$label: exit 3, $(head -1 "$T/bad.err")"
	else
		fwa_fail "$label: exit $RC, stderr: $(head -3 "$T/bad.err")"
	fi
}
printf '# a list of ports\nports: 22, 80\n' > "$T/unknown.txt"
bad_input "unknown format" "unknown.txt:2: neither a ruleset file" \
	"$T/unknown.txt" "$T/new.nft"
head -c 300 "$T/a1.json" > "$T/trunc.json"
bad_input "truncated JSON" "trunc.json:[0-9]+:[0-9]+: not valid JSON" \
	"$T/a1.json" "$T/trunc.json"
sed -e '0,/"version": 1/s//"version": 7/' "$T/a1.json" > "$T/v7.json"
bad_input "wrong version" "version 7 of the audit JSON is not supported" \
	"$T/v7.json" "$T/a2.json"
"$PYTHON" -c 'import json,sys; J=json.load(open(sys.argv[1])); J["exposures"][0]["ports"]=[9,"x"]; json.dump(J, sys.stdout)' \
	"$T/a1.json" > "$T/badrow.json"
bad_input "a bad exposure" "exposures\[0\]\.ports: not an integer" \
	"$T/badrow.json" "$T/a2.json"
printf 'table inet t {\n\tchain c {\n\t\ttcp dport 22 acept\n\t}\n}\n' > "$T/broken.nft"
bad_input "an nft file that does not load" "NEW: .*broken.nft" \
	"$T/old.nft" "$T/broken.nft"
bad_input "a missing file" "nonexistent.nft: No such file" \
	"$T/old.nft" "$T/nonexistent.nft"
bad_input "a saved audit with another file" "a saved audit is a whole side" \
	--old "$T/a1.json" --old "$T/old.nft" --new "$T/new.nft"
bad_input "one side only" "give OLD and NEW" "$T/old.nft"

fwa_finish
