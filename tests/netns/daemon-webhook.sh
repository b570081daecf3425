#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-webhook.sh - fwauditd's webhook path survives receiver
# outages and SIGKILL: every event the daemon journaled reaches a receiver
# (tests/netns/receiver.py, inside the daemon's namespace on its loopback)
# that verifies the Standard Webhooks signature and deduplicates by
# webhook-id.
#   1. receiver down: the events wait in the spool (retries logged, URL
#      redacted);
#   2. SIGKILL, a rule change while the daemon is dead, restart;
#   3. a slow receiver: SIGKILL in the middle of a delivery, restart;
#   4. in the end every journaled event id was accepted at least once,
#      every request was signed, duplicates are counted, the spool is empty;
#   5. the canary secret and the URL's canary token appear nowhere: journal,
#      stdout, stderr, notify messages, spool files (copied while full).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
dmn_journald
CANARY_SECRET="canary-secret-$$-$RANDOM$RANDOM"
CANARY_TOKEN="canarytoken$$x$RANDOM"
printf '%s\n' "$CANARY_SECRET" >"$T/secret"
chmod 600 "$T/secret"

dmn_host host
PORT=$(dmn_free_port)
printf 'http://127.0.0.1:%s/hook/%s?token=%s\n' "$PORT" "$CANARY_TOKEN" \
	"$CANARY_TOKEN" >"$T/url"
chmod 600 "$T/url"
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
alert critical tcp 6379 from any "redis"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
webhook_url_file = $T/url
webhook_secret_file = $T/secret
webhook_format = generic
webhook_connect_timeout_ms = 500
webhook_timeout_ms = 3000
spool_dir = $T/spool
user = root
EOF

start_receiver() {
	rm -f "$T/port.$1"
	fwa_bg RPID ip netns exec "$NS" "$PYTHON" "$FWA_LIBDIR/receiver.py" \
		key="$T/secret" log="$T/receiver.log" portfile="$T/port.$1" \
		port="$PORT" mode="$2" arg="$3"
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/port.$1" ] && return 0
		sleep 0.05
	done
	fwa_die "the receiver did not start"
}
spooled() { find "$T/spool" -maxdepth 1 -name '*.json' 2>/dev/null | grep -c . || true; }
PIDS=()

# 1. receiver down
dmn_notify_listen "$T/notify"
dmn_start D1 "$NS" "$T/fwauditd.conf"
PIDS+=("$D1")
dmn_wait_notify "$T/notify" '^READY=1' 15 || fwa_die "no READY=1: $(cat "$T/daemon.err")"
fwa_nsx "$NS" nft add rule inet f input tcp dport 6379 accept
fwa_nsx "$NS" nft add rule inet f input tcp dport 8443 accept
n=$(dmn_wait_events 4 10 "$D1" FWAUDIT_EVENT=violation_opened)
for ((i = 0; i < 40; i++)); do
	grep -q "Webhook .*retrying" "$T/daemon.err" && break
	sleep 0.1
done
s=$(spooled)
[ "$s" -ge 5 ] && fwa_pass "receiver down: $s events wait in the spool" ||
	fwa_fail "receiver down: only $s spooled: $(cat "$T/daemon.err")"
grep -q "Webhook http://127.0.0.1/…: delivery of event .* failed" "$T/daemon.err" &&
	fwa_pass "retries are logged with the URL redacted" ||
	fwa_fail "no redacted retry log: $(tail -3 "$T/daemon.err")"
mkdir "$T/spool-copy"
cp "$T"/spool/*.json "$T/spool-copy/" 2>/dev/null || true

# 2. SIGKILL; a change while the daemon is dead; restart
kill -KILL "$D1"
wait "$D1" 2>/dev/null || true
fwa_nsx "$NS" nft add rule inet f input udp dport 5353 accept
dmn_start D2 "$NS" "$T/fwauditd.conf"
PIDS+=("$D2")
n=$(dmn_wait_events 1 10 "$D2" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=5353)
[ "$n" -ge 1 ] && fwa_pass "restart: the change made while dead is reported" ||
	fwa_fail "restart: no state_at_start for udp/5353"
cp "$T"/spool/*.json "$T/spool-copy/" 2>/dev/null || true

# 3. a slow receiver, SIGKILL in the middle of a delivery
start_receiver slow slowall 1.5
for ((i = 0; i < 300; i++)); do
	grep -q . "$T/receiver.log" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
kill -KILL "$D2"
wait "$D2" 2>/dev/null || true
fwa_stop "$RPID"
start_receiver ok ok 0
dmn_start D3 "$NS" "$T/fwauditd.conf"
PIDS+=("$D3")

# 4. everything delivered
for ((i = 0; i < 600; i++)); do
	[ "$(spooled)" -eq 0 ] && [ "$i" -gt 10 ] && break
	sleep 0.1
done
[ "$(spooled)" -eq 0 ] && fwa_pass "the spool drained" ||
	fwa_fail "$(spooled) events still spooled after 60 s: $(tail -3 "$T/daemon.err")"
: >"$T/journal.json"
for p in "${PIDS[@]}"; do
	dmn_events "$p" >>"$T/journal.json"
done
if out=$("$PYTHON" - "$T/journal.json" "$T/receiver.log" <<'PYEOF'
import json, sys
ids = {json.loads(l)["FWAUDIT_EVENT_ID"] for l in open(sys.argv[1]) if l.strip()}
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = [r for r in recs if not (r["sig_ok"] and r["ts_ok"])]
if bad:
    print("unsigned or stale requests: %s" % bad[:2]); sys.exit(1)
acc = {}
for r in recs:
    if 200 <= r["status"] < 300 and r.get("answered", True):
        acc[r["id"]] = acc.get(r["id"], 0) + 1
missing = sorted(ids - set(acc))
if missing:
    print("never delivered: %d of %d: %s" % (len(missing), len(ids), missing[:3])); sys.exit(1)
extra = sorted(set(acc) - ids)
if extra:
    print("delivered but not journaled: %s" % extra[:3]); sys.exit(1)
print("events=%d requests=%d duplicates=%d" % (len(ids), len(recs),
      sum(n - 1 for n in acc.values())))
PYEOF
); then
	fwa_pass "every journaled event delivered at least once, signed ($out)"
else
	fwa_fail "delivery: $out"
fi

# 5. canaries
journalctl -o json --no-pager >"$T/journal-all.json" 2>/dev/null || true
leak=$(grep -l -r -e "$CANARY_SECRET" -e "$CANARY_TOKEN" "$T/journal-all.json" \
	"$T/daemon.out" "$T/daemon.err" "$T/notify" "$T/spool-copy" "$T/spool" \
	2>/dev/null || true)
[ -z "$leak" ] && fwa_pass "canary: neither the secret nor the URL token leaked ($(ls "$T/spool-copy" | wc -l) spool files checked)" ||
	fwa_fail "canary leaked into: $leak"

kill -TERM "$D3"
rc=0
wait "$D3" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "SIGTERM: exit status $rc"
fwa_finish
