#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-basic.sh - fwauditd end to end in a namespace, with a
# real systemd-journald (ours when none runs) and a notify socket:
#   - READY=1 after the first audit, STATUS= with the counts;
#   - the state at start (state_at_start entries, FWAUDIT_* fields);
#   - `nft add rule` opening an allowed port: exactly one exposure_opened
#     per family within a bound; deleting it: exposure_closed;
#   - a port the policy forbids: violation_opened (critical);
#   - SIGHUP with a broken rules file: the daemon keeps running, says
#     file:line, RELOADING=1 then READY=1; a good reload that allows the
#     port resolves the violation;
#   - the process keeps only CAP_NET_ADMIN, CAP_NET_RAW, CAP_DAC_READ_SEARCH
#     with no_new_privs; the Prometheus textfile is written;
#   - SIGTERM: STOPPING=1 and exit status 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
dmn_journald
BOUND=${DAEMON_EVENT_BOUND:-5}	# seconds from a change to its entry

dmn_host host 'ct state established,related accept'
ip -n "$NS" addr add 2001:db8::1/64 dev eth0 nodad
fwa_bg LPID ip netns exec "$NS" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:true

cat >"$T/rules" <<'EOF'
allow tcp 22 from any "SSH"
allow tcp 8080 from any "the web application"
alert critical tcp 6379 from any "redis must never be reachable"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
# fwauditd test configuration
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = 500
prometheus_textfile = $T/fwaudit.prom
user = root
EOF

dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf"
if dmn_wait_notify "$T/notify" '^READY=1' 15; then
	fwa_pass "READY=1 after the first audit"
else
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
fi
grep -Eq 'STATUS=[0-9]+ exposure\(s\), [0-9]+ violation\(s\)' "$T/notify" &&
	fwa_pass "STATUS= has the counts ($(grep -o 'STATUS=[^|]*' "$T/notify" | head -1))" ||
	fwa_fail "no STATUS= with counts: $(cat "$T/notify")"

# -- state at start ------------------------------------------------------
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=22)
dmn_events "$DPID" FWAUDIT_EVENT=state_at_start >"$T/start.json"
if "$PYTHON" - "$T/start.json" <<'PYEOF'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = [e for e in es if e.get("FWAUDIT_PROTOCOL") == "tcp" and
      e.get("FWAUDIT_PORTS") == "22" and e.get("FWAUDIT_SEVERITY") == "info"
      and e.get("FWAUDIT_FAMILY") in ("ipv4", "ipv6")
      and e.get("FWAUDIT_PATH") == "local" and e.get("FWAUDIT_RULE")
      and e.get("SYSLOG_IDENTIFIER") == "fwauditd" and e.get("MESSAGE_ID")]
v4 = [e for e in ok if e["FWAUDIT_FAMILY"] == "ipv4"]
if not v4 or v4[0].get("FWAUDIT_STATE") != "exposed":
    print("no exposed ipv4 tcp/22 at start: %s" % es); sys.exit(1)
if any(e.get("FWAUDIT_PORTS") != "22" for e in es):
    print("unexpected state: %s" % [e.get("MESSAGE") for e in es]); sys.exit(1)
print("%d state_at_start entries" % len(es))
PYEOF
then fwa_pass "state at start: tcp/22 exposed (ipv4), fields FWAUDIT_*"
else fwa_fail "state at start"
fi

# -- an allowed port opens, then closes ----------------------------------
t0=$(date +%s.%N)
fwa_nsx "$NS" nft add rule inet f input tcp dport 8080 accept
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_opened FWAUDIT_PORTS=8080)
t1=$(date +%s.%N)
sleep 0.3
n=$(dmn_events "$DPID" FWAUDIT_EVENT=exposure_opened | grep -c . || true)
if [ "$n" -eq 2 ]; then
	fwa_pass "nft add rule tcp/8080: one exposure_opened per family ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s)"
else
	fwa_fail "nft add rule tcp/8080: $n exposure_opened entries, expected 2"
fi
h=$(fwa_nsx "$NS" nft -a list chain inet f input | sed -n 's/.*dport 8080 accept # handle \([0-9]*\).*/\1/p')
fwa_nsx "$NS" nft delete rule inet f input handle "$h"
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_closed FWAUDIT_PORTS=8080)
[ "$n" -eq 2 ] && fwa_pass "rule deleted: exposure_closed per family" ||
	fwa_fail "rule deleted: $n exposure_closed entries, expected 2"

# -- a forbidden port -----------------------------------------------------
fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 6379 accept
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_opened FWAUDIT_PORTS=6379)
dmn_events "$DPID" FWAUDIT_EVENT=violation_opened FWAUDIT_PORTS=6379 >"$T/v.json"
if [ "$n" -eq 1 ] && grep -q '"PRIORITY":"2"' "$T/v.json" &&
	grep -q '"FWAUDIT_SEVERITY":"critical"' "$T/v.json"; then
	fwa_pass "tcp/6379 opened: one critical violation_opened"
else
	fwa_fail "tcp/6379 opened: $n violation_opened entries: $(cat "$T/v.json")"
fi
fix=$(fwa_jq "$T/v.json" 'J.get("FWAUDIT_FIX", "")' 2>/dev/null || true)
[ -n "$fix" ] && fwa_pass "the violation carries a fix: $fix" ||
	fwa_fail "no FWAUDIT_FIX on the violation"

# -- capabilities -----------------------------------------------------------
capeff=$(sed -n 's/^CapEff:\t*//p' "/proc/$DPID/status")
capbnd=$(sed -n 's/^CapBnd:\t*//p' "/proc/$DPID/status")
nnp=$(sed -n 's/^NoNewPrivs:\t*//p' "/proc/$DPID/status")
if [ "$((16#$capeff))" -eq $(( (1 << 12) | (1 << 13) | (1 << 2) )) ] &&
	[ "$((16#$capbnd))" -eq $(( (1 << 12) | (1 << 13) | (1 << 2) )) ] &&
	[ "$nnp" = 1 ]; then
	fwa_pass "capabilities: only NET_ADMIN, NET_RAW, DAC_READ_SEARCH; no_new_privs"
else
	fwa_fail "capabilities: CapEff=$capeff CapBnd=$capbnd NoNewPrivs=$nnp"
fi
grep -q '^fwaudit_audit_success 1$' "$T/fwaudit.prom" &&
	grep -q '^fwaudit_violations{severity="critical"} 1$' "$T/fwaudit.prom" &&
	fwa_pass "Prometheus textfile written" ||
	fwa_fail "Prometheus textfile: $(grep -v '^#' "$T/fwaudit.prom" 2>&1 | head -20)"

# -- reloads ----------------------------------------------------------------
cp "$T/rules" "$T/rules.good"
printf 'allow tcp 22 from any\nallow tcp bogus from any\n' >"$T/rules"
: >"$T/notify.before"
cp "$T/notify" "$T/notify.before"
kill -HUP "$DPID"
sleep 1
if kill -0 "$DPID" 2>/dev/null && grep -q "Reload failed: .*rules:2" "$T/daemon.err"; then
	fwa_pass "SIGHUP with a broken rules file: still running, says why ($(grep 'Reload failed' "$T/daemon.err" | tail -1))"
else
	fwa_fail "SIGHUP with a broken rules file: $(tail -3 "$T/daemon.err")"
fi
if tail -n +"$(($(wc -l <"$T/notify.before") + 1))" "$T/notify" | tr '\n' ' ' |
	grep -Eq 'RELOADING=1\|MONOTONIC_USEC=[0-9]+ .*READY=1'; then
	fwa_pass "RELOADING=1 with MONOTONIC_USEC, then READY=1"
else
	fwa_fail "reload notifications: $(cat "$T/notify")"
fi
# the old rules still apply: a change is still judged by them
fwa_nsx "$NS" nft add rule inet f input tcp dport 8080 accept
n=$(dmn_wait_events 4 "$BOUND" "$DPID" FWAUDIT_EVENT=exposure_opened)
[ "$n" -eq 4 ] && fwa_pass "after a failed reload the old rules judge (tcp/8080 allowed)" ||
	fwa_fail "after a failed reload: $n exposure_opened entries, expected 4"
sed 's/^alert critical tcp 6379.*/allow tcp 6379 from any "now allowed"/' \
	"$T/rules.good" >"$T/rules"
kill -HUP "$DPID"
n=$(dmn_wait_events 1 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_resolved FWAUDIT_PORTS=6379)
[ "$n" -eq 1 ] && fwa_pass "a good reload that allows tcp/6379 resolves the violation" ||
	fwa_fail "good reload: $n violation_resolved entries"

# -- SIGTERM ------------------------------------------------------------------
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "SIGTERM: exit status $rc"
grep -q '^STOPPING=1' "$T/notify" && fwa_pass "STOPPING=1" || fwa_fail "no STOPPING=1"
if grep -Ei 'error|fail' "$T/daemon.err" | grep -v 'Reload failed' | grep -q .; then
	fwa_fail "unexpected errors: $(grep -Ei 'error|fail' "$T/daemon.err" | grep -v 'Reload failed')"
fi
fwa_finish
