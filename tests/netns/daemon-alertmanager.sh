#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-alertmanager.sh - fwauditd with webhook_format =
# alertmanager against a real prometheus-alertmanager on the loopback of
# the daemon's namespace (private config and storage):
#   - a violation at start fires an alert (state_at_start);
#   - `nft add rule` opening tcp/6379, which the policy forbids: the alert
#     FwauditViolation{ports="6379",severity="critical"} becomes active in
#     GET /api/v2/alerts;
#   - the rule is deleted: the alert is resolved (gone from the active
#     list, endsAt in the past).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
dmn_journald

dmn_host host 'ip daddr 198.51.100.1 tcp dport 11211 accept'
dmn_alertmanager

cat >"$T/rules" <<'EOF'
allow tcp 22 from any
alert critical tcp 6379,11211 from any "cache exposed"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
webhook_url = http://127.0.0.1:$AM_PORT/api/v2/alerts
webhook_format = alertmanager
instance = fwaudit-test
spool_dir = $T/spool
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start D "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 || fwa_die "no READY=1: $(cat "$T/daemon.err")"

# alerts PORTS: print "active" / "resolved" / "absent" for the alert on PORTS
alert_state() {
	dmn_am_api "$1" <<'PYEOF'
import datetime, json, sys, urllib.request
port, ports = sys.argv[1], sys.argv[2]
al = json.load(urllib.request.urlopen(
    "http://127.0.0.1:%s/api/v2/alerts" % port, timeout=2))
al = [a for a in al if a["labels"].get("ports") == ports and
      a["labels"].get("alertname") == "FwauditViolation" and
      a["labels"].get("instance") == "fwaudit-test"]
if not al:
    print("absent"); sys.exit(0)
now = datetime.datetime.now(datetime.timezone.utc)
ends = datetime.datetime.strptime(al[0]["endsAt"][:19], "%Y-%m-%dT%H:%M:%S").replace(
    tzinfo=datetime.timezone.utc)
st = al[0]["status"]["state"]
sev = al[0]["labels"].get("severity")
print("%s %s %s" % ("active" if st == "active" and ends > now else "resolved", sev,
                    al[0]["labels"].get("family")))
PYEOF
}
wait_state() {
	local ports=$1 want=$2 s=""

	for ((i = 0; i < 150; i++)); do
		s=$(alert_state "$ports" 2>&1 || true)
		case $s in "$want"*) echo "$s"; return 0 ;; esac
		sleep 0.1
	done
	echo "$s"
	return 1
}

if s=$(wait_state 11211 active); then
	fwa_pass "violation at start: alert active ($s)"
else
	fwa_fail "violation at start: $s"
fi
fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 6379 accept
if s=$(wait_state 6379 active) && [[ $s == *critical* ]]; then
	fwa_pass "tcp/6379 opened: alert active in /api/v2/alerts ($s)"
else
	fwa_fail "tcp/6379 opened: $s"
fi
h=$(fwa_nsx "$NS" nft -a list chain inet f input | sed -n 's/.*dport 6379 accept # handle \([0-9]*\).*/\1/p')
fwa_nsx "$NS" nft delete rule inet f input handle "$h"
if s=$(wait_state 6379 absent) || [[ $s == resolved* ]]; then
	fwa_pass "tcp/6379 closed: alert resolved ($s)"
else
	fwa_fail "tcp/6379 closed: alert still $s"
fi
s=$(alert_state 11211)
[[ $s == active* ]] && fwa_pass "the other alert stays active" || fwa_fail "tcp/11211: $s"
kill -TERM "$D"
rc=0
wait "$D" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "exit status $rc"
fwa_finish
