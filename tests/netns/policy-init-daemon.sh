#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# policy-init-daemon.sh - fwauditd with the baseline of `fwaudit policy
# init` (issue 21) alerts on exactly the change: a namespace with SSH and a
# web server (IPv4 and IPv6) behind an nftables input chain; the baseline
# is written, fwauditd starts with it (a real journald, daemon-lib.sh) and
# reports no violation at start; then a new service (a listener on 8080 and
# the rule that lets it in) gives one violation_opened per family for
# tcp/8080 and nothing else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_fwaudit
fwa_require_tools socat
fwa_tmpdir T
dmn_journald
BOUND=${DAEMON_EVENT_BOUND:-5}	# seconds from a change to its entry
export SOURCE_DATE_EPOCH=1765000000

dmn_host base 'ct state established,related accept' 'tcp dport 80 accept'
ip -n "$NS" addr add 2001:db8::1/64 dev eth0 nodad
for p in 22 80; do
	fwa_bg pid ip netns exec "$NS" socat \
		"TCP6-LISTEN:$p,fork,reuseaddr,ipv6only=0" SYSTEM:true
done
sleep 0.5

RC=0
ip netns exec "$NS" "$FWAUDIT" policy init -o "$T/baseline.rules" \
	2> "$T/init.err" || RC=$?
[ "$RC" -eq 0 ] && fwa_pass "policy init wrote the baseline" ||
	fwa_die "policy init exited $RC: $(cat "$T/init.err")"
# sources: who can reach it and be answered (no default route here)
grep -q '^allow tcp 22 from [^ ]* path local  # socat, 2025-12-06' "$T/baseline.rules" &&
	grep -q '^allow tcp 80 from [^ ]* path local  # socat, ' "$T/baseline.rules" &&
	fwa_pass "it allows SSH and the web" ||
	fwa_fail "baseline: $(cat "$T/baseline.rules")"
RC=0
ip netns exec "$NS" "$FWAUDIT" audit --rules "$T/baseline.rules" --quiet \
	> "$T/audit" 2>&1 || RC=$?
[ "$RC" -eq 0 ] && fwa_pass "audit with it: exit 0 on the unchanged host" ||
	fwa_fail "audit with it: exit $RC: $(cat "$T/audit")"

cat > "$T/fwauditd.conf" <<EOF
rules = $T/baseline.rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = 500
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
grep -Eq 'STATUS=[0-9]+ exposure\(s\), 0 violation\(s\)' "$T/notify" &&
	fwa_pass "fwauditd starts with no violation ($(grep -o 'STATUS=[^|]*' "$T/notify" | head -1))" ||
	fwa_fail "fwauditd at start: $(grep -o 'STATUS=[^|]*' "$T/notify" | head -1)"

# the change: a new service, and the rule that lets it in
fwa_bg pid ip netns exec "$NS" socat \
	"TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0" SYSTEM:true
# the listener is polled (poll_interval_ms) before the rule lets anyone
# in: one change, "exposed", not "open" first
sleep 1.5
fwa_nsx "$NS" nft add rule inet f input tcp dport 8080 accept
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_opened FWAUDIT_PORTS=8080)
# anything else would come with it: give it time to show
sleep 1.5
dmn_events "$DPID" FWAUDIT_EVENT=violation_opened > "$T/v.json"
if "$PYTHON" - "$T/v.json" <<'PYEOF'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = sorted((e.get("FWAUDIT_FAMILY"), e.get("FWAUDIT_PORTS")) for e in es)
if got != [("ipv4", "8080"), ("ipv6", "8080")]:
    print("violation_opened: %s" % [e.get("MESSAGE") for e in es]); sys.exit(1)
PYEOF
then
	fwa_pass "the new service: one violation_opened per family for tcp/8080, nothing else"
else
	fwa_fail "the new service: $n entries for 8080"
fi
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "SIGTERM: exit $rc"
fwa_finish
