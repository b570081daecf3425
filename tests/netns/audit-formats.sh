#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-formats.sh - the outputs of fwaudit audit on one fixed scenario:
# a namespace with a fixed nftables ruleset, fixed listeners and a fixed
# policy (tests/golden/audit-formats.rules), compared with golden files
# tests/golden/audit-formats.{text,json,prom,nagios} after normalising
# what changes between runs (time, duration, pids, hostname).
# GOLDEN=update rewrites the golden files instead of comparing.
# Also:
#  - the exit status of every format: 0 clean policy, 1 warnings only,
#    2 a critical violation, 3 a broken policy / no privilege (and then a
#    Nagios "UNKNOWN" line and fwaudit_audit_success 0 on stdout);
#  - promtool check metrics on the Prometheus output (skipped by name
#    without promtool, Debian package prometheus);
#  - the Nagios line against the monitoring-plugins format
#    SERVICE STATUS: text | 'label'=value[UOM];[warn];[crit];[min];[max] ...
#  - fwaudit --help, fwaudit help and fwaudit SUB --help for every
#    subcommand: exit 0 and a Usage line.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft setpriv
fwa_require_fwaudit

GOLDEN_DIR=$top_srcdir/tests/golden
POLICY=$GOLDEN_DIR/audit-formats.rules
[ -r "$POLICY" ] || fwa_die "missing $POLICY"

fwa_tmpdir T
chmod 755 "$T"
PT=$T
cp "$POLICY" "$T/policy.rules"
BIN=$FWAUDIT
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN"; then
	cp "$FWAUDIT" "$T/fwaudit"
	chmod 755 "$T/fwaudit"
	BIN=$T/fwaudit
fi

# --- the scenario
fwa_ns_new NODE node
fwa_dummy "$NODE" eth0 198.51.100.1/24
# no link-local address: it would come from a random MAC, and late
ip -n "$NODE" link set eth0 addrgenmode none
ip -n "$NODE" -6 addr flush dev eth0 scope link
ip -n "$NODE" addr add 2001:db8:1::1/64 dev eth0 nodad
# default routes, as a host facing the Internet has: without a route back
# no stranger's connection could complete
ip -n "$NODE" route add default via 198.51.100.254
ip -n "$NODE" -6 route add default via 2001:db8:1::fe
fwa_nsx "$NODE" nft -f - <<'R'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport { 22, 80, 443, 6379 } accept
		ip saddr 10.0.0.0/8 tcp dport 5432 accept
		udp dport 53 accept
	}
}
R
# 443: let in, nothing listens (open); 9999: listens, filtered
pl_serve 'tcp:[::]:22' tcp:0.0.0.0:80 tcp:0.0.0.0:6379 tcp:0.0.0.0:5432 \
	udp:0.0.0.0:53 tcp:0.0.0.0:9999

# audit ARGS...: fwaudit audit in $NODE, from $T (relative policy paths
# stay relative in the output); stdout $T/out, stderr $T/err, status $RC
audit() {
	RC=0
	(cd "$T" && ip netns exec "$NODE" "$FWAUDIT" audit "$@") > "$T/out" \
		2> "$T/err" || RC=$?
}

# normalise FORMAT < raw > normalised
normalise() {
	"$PYTHON" -c '
import json, re, sys
fmt, s = sys.argv[1], sys.stdin.read()
if fmt == "json":
    j = json.loads(s)
    j["host"], j["time"], j["duration_seconds"] = "HOST", "TIME", 0
    for e in j["exposures"] + j["filtered"]:
        l = e.get("listener") if "listener" in e else e
        if l and l.get("pid"):
            l["pid"] = 1
    s = json.dumps(j, indent=1) + "\n"
elif fmt == "text":
    s = re.sub(r"\[\d+\]", "[PID]", s)
elif fmt == "prom":
    s = re.sub(r"^(fwaudit_last_audit_timestamp_seconds|fwaudit_audit_duration_seconds) .*$",
               r"\1 0", s, flags=re.M)
elif fmt == "nagios":
    s = re.sub(r"duration=[0-9.]+s", "duration=0s", s)
sys.stdout.write(s)
' "$1"
}

nagios_ok() {
	"$PYTHON" - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
label = r"(?:'[^'=]+'|[^' =|]+)"
num = r"-?[0-9]+(?:\.[0-9]+)?"
rng = r"(?:@?(?:~|" + num + r")?:?(?:" + num + r")?)"
perf = label + "=" + num + r"(?:s|ms|us|%|B|KB|MB|TB|c)?(?:;" + rng + r"?(?:;" + rng + r"?(?:;(?:" + num + r")?(?:;(?:" + num + r")?)?)?)?)?"
line = r"^FWAUDIT (OK|WARNING|CRITICAL|UNKNOWN): [^|\n]+?(?: \| " + perf + r"(?: " + perf + r")*)?$"
ok = len(lines) == 2 and lines[1] == "" and re.match(line, lines[0])
if not ok:
    print("not a monitoring-plugins status line: %r" % lines[:2])
sys.exit(0 if ok else 1)
PY
}

# --- 1. golden outputs, one per format
declare -A EXT=([text]=text [json]=json [prometheus]=prom [nagios]=nagios)
for fmt in text json prometheus nagios; do
	ext=${EXT[$fmt]}
	audit --rules policy.rules --format "$fmt"
	if [ "$RC" -ne 2 ]; then
		fwa_fail "$fmt: exit $RC, expected 2 (a critical violation): $(head -3 "$T/err")"
	else
		fwa_pass "$fmt: exit 2"
	fi
	[ -s "$T/err" ] && fwa_fail "$fmt: wrote to stderr: $(head -3 "$T/err")"
	cp "$T/out" "$T/raw.$ext"
	normalise "$ext" < "$T/out" > "$T/got.$ext"
	g=$GOLDEN_DIR/audit-formats.$ext
	if [ "${GOLDEN:-}" = update ]; then
		cp "$T/got.$ext" "$g"
		fwa_log "updated $g"
	elif [ ! -f "$g" ]; then
		fwa_fail "$fmt: no golden file $g (GOLDEN=update writes it)"
	elif diff -u "$g" "$T/got.$ext" > "$T/diff.$ext"; then
		fwa_pass "$fmt: output equals $(basename "$g")"
	else
		fwa_fail "$fmt: output differs from $(basename "$g"):"
		head -60 "$T/diff.$ext"
	fi
done

# the JSON contract (version 1, fwaudit(8) and README.md: fields are only
# ever added), whatever the golden file says
fwa_check "$T/raw.json" contract <<'PY' || _fwa_failures=$((_fwa_failures + 1))
keys = {"family", "protocol", "ports", "address", "sources", "interfaces", "path",
        "backend", "listener", "state", "certainty", "unknown", "policy"}
expect("version 1 with host, exposures, filtered, violations",
       J["version"] == 1 and all(k in J for k in ("host", "exposures", "filtered", "violations")))
expect("every exposure has the contract's fields",
       all(keys <= set(e) for e in J["exposures"]),
       lambda: [sorted(keys - set(e)) for e in J["exposures"]])
expect("every policy has verdict, severity, rule, message",
       all({"verdict", "severity", "rule", "message"} <= set(e["policy"]) for e in J["exposures"]))
expect("exposures: tcp/22 and tcp/5432 allowed, 6379 critical, 80/443 warning",
       sorted((e["family"], e["ports"][0], e["policy"]["verdict"], e["policy"]["severity"])
              for e in J["exposures"] if e["protocol"] == "tcp") ==
       sorted([("ipv4", 22, "allowed", "none"), ("ipv4", 80, "violation", "warning"),
               ("ipv4", 443, "violation", "warning"), ("ipv4", 5432, "allowed", "none"),
               ("ipv4", 6379, "violation", "critical"), ("ipv6", 22, "allowed", "none"),
               ("ipv6", 80, "violation", "warning"), ("ipv6", 443, "violation", "warning"),
               ("ipv6", 6379, "violation", "critical")]),
       lambda: [(e["family"], e["ports"], e["policy"]) for e in J["exposures"]])
expect("tcp/443 is open (nothing listens), tcp/6379 exposed to python3",
       all(e["state"] == "open" for e in J["exposures"] if e["ports"][0] == 443) and
       all(e["state"] == "exposed" and e["listener"]["process"] == "python3"
           for e in J["exposures"] if e["ports"][0] == 6379 and e["family"] == "ipv4"))
expect("tcp/9999 is filtered", [f["port"] for f in J["filtered"]] == [9999], J["filtered"])
v = J["violations"]
expect("a missing required exposure (tcp/25) is a violation",
       [x for x in v if x["kind"] == "missing" and x["missing"][0]["ports"] == [25, 25]], v)
expect("every exposure violation has a fix with commands",
       all(x["fix"] and x["fix"]["commands"] for x in v if x["kind"] == "exposure"))
expect("worst is critical", J["worst"] == "critical")
rows = sorted(i for c in J["causes"] for i in c["exposures"])
expect("causes: every exposure in exactly one", rows == list(range(len(J["exposures"]))),
       J["causes"])
expect("causes: a violation where an exposure of it is one",
       all((c["verdict"] == "violation") ==
           any(J["exposures"][i]["policy"]["verdict"] == "violation" for i in c["exposures"])
           for c in J["causes"]), J["causes"])
PY

# the text means what the JSON says (the policy's zone office included)
if "$PYTHON" "$top_srcdir/tests/netns/text-vs-json.py" "$T/raw.text" \
	"$T/raw.json" "$POLICY" > "$T/tvj" 2>&1; then
	fwa_pass "text: every SOURCES cell denotes the JSON's sources"
else
	fwa_fail "text: SOURCES cells that are not the JSON's: $(head -5 "$T/tvj")"
fi

if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics < "$T/raw.prom" > "$T/promtool" 2>&1; then
		fwa_pass "promtool check metrics: the Prometheus output is valid"
	else
		fwa_fail "promtool check metrics: $(head -5 "$T/promtool")"
	fi
else
	echo "SKIP: promtool check metrics (no promtool: Debian package prometheus)"
fi
if nagios_ok "$T/raw.nagios"; then
	fwa_pass "nagios: a monitoring-plugins status line with performance data"
else
	fwa_fail "nagios: $(cat "$T/raw.nagios")"
fi

# --- 2. exit statuses
printf 'allow any any from any "everything is fine here"\n' > "$T/clean.rules"
printf 'allow tcp 22 from any\ndefault alert warning "look at it"\n' > "$T/warn.rules"
printf 'allow tcp 22 from any\nalert critical tcp 6379 from any\n' > "$T/crit.rules"
printf 'allow tcp 22 from any\nallow tcp 70000 from any\n' > "$T/broken.rules"
for c in "clean.rules 0 OK" "warn.rules 1 WARNING" "crit.rules 2 CRITICAL"; do
	set -- $c
	for fmt in text json prometheus nagios; do
		audit --rules "$1" --format "$fmt"
		if [ "$RC" -eq "$2" ]; then
			fwa_pass "$1, $fmt: exit $2"
		else
			fwa_fail "$1, $fmt: exit $RC, expected $2: $(head -2 "$T/err")"
		fi
		if [ "$fmt" = nagios ] && ! grep -q "^FWAUDIT $3: " "$T/out"; then
			fwa_fail "$1, nagios: status $3 expected: $(cat "$T/out")"
		fi
	done
done
audit --no-rules --format nagios
[ "$RC" -eq 0 ] && grep -q '^FWAUDIT OK: ' "$T/out" &&
	fwa_pass "--no-rules: exit 0, OK" ||
	fwa_fail "--no-rules: exit $RC: $(cat "$T/out" "$T/err")"

for fmt in text json prometheus nagios; do
	audit --rules broken.rules --format "$fmt"
	if [ "$RC" -eq 3 ] && grep -q '^broken.rules:2:[0-9]*: ' "$T/err"; then
		fwa_pass "broken policy, $fmt: exit 3, $(head -1 "$T/err")"
	else
		fwa_fail "broken policy, $fmt: exit $RC (expected 3 and file:line:column): $(head -2 "$T/err")"
	fi
	case $fmt in
	nagios)
		grep -q '^FWAUDIT UNKNOWN: ' "$T/out" && nagios_ok "$T/out" &&
			fwa_pass "broken policy, nagios: $(cat "$T/out")" ||
			fwa_fail "broken policy, nagios: no UNKNOWN line: $(cat "$T/out")"
		;;
	prometheus)
		grep -qx 'fwaudit_audit_success 0' "$T/out" &&
			fwa_pass "broken policy, prometheus: fwaudit_audit_success 0" ||
			fwa_fail "broken policy, prometheus: $(cat "$T/out")"
		if command -v promtool >/dev/null 2>&1; then
			promtool check metrics < "$T/out" > "$T/promtool" 2>&1 &&
				fwa_pass "broken policy, prometheus: promtool accepts it" ||
				fwa_fail "broken policy, prometheus: promtool: $(head -3 "$T/promtool")"
		fi
		;;
	*)
		[ -s "$T/out" ] && fwa_fail "broken policy, $fmt: printed on stdout: $(head -2 "$T/out")"
		;;
	esac
done
audit --rules no-such.rules
[ "$RC" -eq 3 ] && grep -q 'no-such.rules' "$T/err" &&
	fwa_pass "missing policy file: exit 3, $(head -1 "$T/err")" ||
	fwa_fail "missing policy file: exit $RC: $(head -2 "$T/err")"

for fmt in text nagios; do
	RC=0
	(cd "$T" && fwa_nsx "$NODE" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$BIN" audit --rules policy.rules --format "$fmt") \
		> "$T/out" 2> "$T/err" || RC=$?
	if [ "$RC" -eq 3 ] && grep -q CAP_NET_ADMIN "$T/err"; then
		fwa_pass "no privilege, $fmt: exit 3 naming CAP_NET_ADMIN"
	else
		fwa_fail "no privilege, $fmt: exit $RC: $(head -2 "$T/err")"
	fi
	[ "$fmt" != nagios ] || grep -q '^FWAUDIT UNKNOWN: ' "$T/out" ||
		fwa_fail "no privilege, nagios: no UNKNOWN line: $(cat "$T/out")"
done
audit --format yaml
[ "$RC" -eq 3 ] && fwa_pass "--format yaml: exit 3" || fwa_fail "--format yaml: exit $RC"

# --- 3. --help everywhere
for args in "--help" "help" "audit --help" "explain --help" "ruleset --help" \
	    "check-rules --help" "audit -h"; do
	RC=0
	# shellcheck disable=SC2086
	"$FWAUDIT" $args > "$T/out" 2> "$T/err" || RC=$?
	if [ "$RC" -eq 0 ] && grep -q '^Usage: ' "$T/out"; then
		fwa_pass "fwaudit $args: exit 0, Usage"
	else
		fwa_fail "fwaudit $args: exit $RC: $(head -2 "$T/out" "$T/err")"
	fi
done
fwa_finish
