#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-alerts.sh - fwauditd's alerts keep their identity
# while what they describe persists (auditd/policy/alerts.c), through a real
# change sequence in a namespace, told to a real prometheus-alertmanager
# and to the journal:
#   - nft opens tcp/8000-8100 on the host's IPv4 and IPv6 address (the
#     policy's default: warning): two alerts, ports="8000-8100";
#   - the IPv4 rule becomes { 8000-8040, 8050-8100 } (one nft batch): the
#     IPv4 alert stays active with the same labels, its annotations say
#     violation_changed and open_ports 8000-8040,8050-8100; no alert with
#     other ports appears; the IPv6 alert is untouched;
#   - the IPv6 rule is deleted: exactly the IPv6 alert resolves;
#   - the journal has one violation_changed entry with FWAUDIT_OPEN_PORTS,
#     its own MESSAGE_ID and a fix for both pieces; that fix, run as
#     told, resolves the IPv4 alert.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
dmn_journald

dmn_host host
fwa_nsx "$NS" ip addr add 2001:db8::1/64 dev eth0 nodad
dmn_alertmanager

cat >"$T/rules" <<'EOF'
allow tcp 22 from any
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
webhook_url = http://127.0.0.1:$AM_PORT/api/v2/alerts
webhook_format = alertmanager
instance = fwaudit-alerts
spool_dir = $T/spool
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start D "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 || fwa_die "no READY=1: $(cat "$T/daemon.err")"

# alert_state FAMILY: "STATE EVENT OPEN_PORTS" of the violation alert with
# ports="8000-8100" of FAMILY ("absent" without one), then "others=N": the
# violation alerts of this instance with any other ports label
alert_state() {
	dmn_am_api "$1" <<'PYEOF'
import datetime, json, sys, urllib.request
port, fam = sys.argv[1], sys.argv[2]
al = json.load(urllib.request.urlopen(
    "http://127.0.0.1:%s/api/v2/alerts" % port, timeout=2))
al = [a for a in al if a["labels"].get("alertname") == "FwauditViolation" and
      a["labels"].get("instance") == "fwaudit-alerts"]
now = datetime.datetime.now(datetime.timezone.utc)
def active(a):
    ends = datetime.datetime.strptime(a["endsAt"][:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return a["status"]["state"] == "active" and ends > now
mine = [a for a in al if a["labels"].get("ports") == "8000-8100" and
        a["labels"].get("family") == fam]
others = [a for a in al if a["labels"].get("ports") != "8000-8100" and active(a)]
if not mine:
    print("absent others=%d" % len(others)); sys.exit(0)
a = mine[0]
print("%s %s %s others=%d" % ("active" if active(a) else "resolved",
                              a["annotations"].get("event"),
                              a["annotations"].get("open_ports", "-"), len(others)))
PYEOF
}
# wait_state FAMILY PATTERN: until alert_state matches the extended regex
wait_state() {
	local fam=$1 want=$2 s=""

	for ((i = 0; i < 150; i++)); do
		s=$(alert_state "$fam" 2>&1 || true)
		if [[ $s =~ $want ]]; then echo "$s"; return 0; fi
		sleep 0.1
	done
	echo "$s"
	return 1
}
handle() {
	fwa_nsx "$NS" nft -a list chain inet f input |
		sed -n "s/.*$1.* # handle \([0-9]*\).*/\1/p"
}

fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 8000-8100 accept
fwa_nsx "$NS" nft add rule inet f input ip6 daddr 2001:db8::1 tcp dport 8000-8100 accept
for fam in ipv4 ipv6; do
	if s=$(wait_state $fam '^active violation_opened 8000-8100 others=0$'); then
		fwa_pass "$fam: tcp/8000-8100 opened: one alert ($s)"
	else
		fwa_fail "$fam: tcp/8000-8100 opened: $s"
	fi
done

# a partial close of the IPv4 range, in one transaction
h4=$(handle 'ip daddr 198.51.100.1 tcp dport 8000-8100 accept')
fwa_nsx "$NS" nft -f - <<EOF
delete rule inet f input handle $h4
add rule inet f input ip daddr 198.51.100.1 tcp dport { 8000-8040, 8050-8100 } accept
EOF
if s=$(wait_state ipv4 '^active violation_changed 8000-8040,8050-8100 others=0$'); then
	fwa_pass "ipv4: partial close: the same alert, changed ($s)"
else
	fwa_fail "ipv4: partial close: $s"
fi
s=$(alert_state ipv6)
[[ $s == "active violation_opened 8000-8100 others=0" ]] &&
	fwa_pass "ipv6: untouched ($s)" || fwa_fail "ipv6 after the IPv4 change: $s"

# close FAMILY RULE: delete the rule; the family's alert must resolve
# resolved FAMILY HOW: the family's alert must resolve
resolved() {
	if s=$(wait_state "$1" '^(absent|resolved)'); then
		fwa_pass "$1: $2: resolved ($s)"
	else
		fwa_fail "$1: $2: $s"
	fi
}
fwa_nsx "$NS" nft delete rule inet f input handle \
	"$(handle 'ip6 daddr 2001:db8::1 tcp dport 8000-8100 accept')"
resolved ipv6 "rule deleted"
s=$(alert_state ipv4)
[[ $s == "active violation_changed 8000-8040,8050-8100 others=0" ]] &&
	fwa_pass "ipv4: still active ($s)" || fwa_fail "ipv4 after the IPv6 close: $s"

# the journal: the change told once, with its own MESSAGE_ID, and a fix
# for every piece of the range still open
n=$(dmn_wait_events 1 10 "$D" FWAUDIT_EVENT=violation_changed)
dmn_events "$D" FWAUDIT_EVENT=violation_changed >"$T/changed.json"
"$PYTHON" - "$T/changed.json" "$T/fix.sh" >"$T/journal.out" <<'PYEOF' || true
import json, sys
J = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fix = J[0].get("FWAUDIT_FIX", "") if J else ""
ok = (len(J) == 1 and J[0].get("FWAUDIT_PORTS") == "8000-8100" and
      J[0].get("FWAUDIT_OPEN_PORTS") == "8000-8040,8050-8100" and
      J[0].get("FWAUDIT_FAMILY") == "ipv4" and
      J[0].get("MESSAGE_ID") == "05b95a4ca8f34684a868cb5953c1f547" and
      "8000-8040" in fix and "8050-8100" in fix)
open(sys.argv[2], "w").write(fix.replace("; ", "\n") + "\n")
print("ok" if ok else "bad: %r" % [{k: v for k, v in e.items() if k.startswith(("FWAUDIT", "MESSAGE"))} for e in J])
PYEOF
[ "$(cat "$T/journal.out")" = ok ] &&
	fwa_pass "journal: one violation_changed with FWAUDIT_OPEN_PORTS and a fix for both pieces ($n)" ||
	fwa_fail "journal: $(cat "$T/journal.out")"
# the alert's fix, run as told, resolves it
sed 's/^/  fix: /' "$T/fix.sh"
fwa_nsx "$NS" sh -e "$T/fix.sh" || fwa_fail "the fix failed"
resolved ipv4 "its fix applied"
kill -TERM "$D"
rc=0
wait "$D" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "exit status $rc"
fwa_finish
