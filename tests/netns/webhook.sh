#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/webhook.sh - webhook delivery through the spool to a real HTTP
# receiver on 127.0.0.1 that verifies Standard Webhooks signatures and
# deduplicates by webhook-id.  The receiver is down, returns 500, 429 with
# Retry-After, is slow, or refuses for good; the client is SIGKILLed in the
# middle of a delivery.  In the end every event is delivered exactly once
# after deduplication, and the canary secret and URL token appear in no
# output and no spool file.  Loopback only; root not required.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v "$PYTHON" >/dev/null 2>&1 || fwa_skip "python3 is missing"
CLIENT=${WEBHOOK_CLIENT:-${top_builddir:-$top_srcdir}/tests/unit/webhook_client}
[ -x "$CLIENT" ] || fwa_skip "webhook_client not built ($CLIENT)"

fwa_tmpdir T
CANARY_SECRET="canary-secret-$$-$RANDOM$RANDOM"
CANARY_TOKEN="canarytoken$$x$RANDOM"
printf '%s\n' "$CANARY_SECRET" >"$T/secret"
chmod 600 "$T/secret"

# the receiver is shared with daemon-webhook.sh
cp "$FWA_LIBDIR/receiver.py" "$T/receiver.py"

cat >"$T/check.py" <<'PYEOF'
# check.py LOG IDS EXPECT_DELIVERED: every id accepted (2xx) at least once,
# every request signed and timely; prints duplicates.
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ids = [l.strip() for l in open(sys.argv[2]) if l.strip()]
want = sys.argv[3] == "yes"
bad = [r for r in recs if not (r["sig_ok"] and r["ts_ok"])]
if bad:
    print("unsigned or stale requests: %s" % bad[:3]); sys.exit(1)
if any(r["ctype"] != "application/json" for r in recs):
    print("wrong Content-Type"); sys.exit(1)
if any(r["body"] == "object" and r["body_id"] != r["id"] for r in recs):
    print("webhook-id differs from the body's id"); sys.exit(1)
acc = {}
for r in recs:
    if 200 <= r["status"] < 300:
        acc[r["id"]] = acc.get(r["id"], 0) + 1
if want:
    missing = [i for i in ids if i not in acc]
    if missing:
        print("never delivered: %s" % missing); sys.exit(1)
    extra = [i for i in acc if i not in ids]
    if extra:
        print("unknown ids delivered: %s" % extra); sys.exit(1)
dups = sum(n - 1 for n in acc.values())
print("requests=%d unique=%d duplicates=%d" % (len(recs), len(acc), dups))
PYEOF

free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_receiver NAME MODE ARG [PORT]: sets PORT
start_receiver() {
	local name=$1 pid n

	rm -f "$T/$name.port"
	fwa_bg pid "$PYTHON" "$T/receiver.py" key="$T/secret" log="$T/$name.log" \
		portfile="$T/$name.port" mode="$2" arg="$3" port="${4:-0}"
	RECEIVER_PID=$pid
	for ((n = 0; n < 100; n++)); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$T/$name.port" ] || fwa_die "the receiver did not start"
	PORT=$(cat "$T/$name.port")
}

url() { echo "http://127.0.0.1:$1/hook/$CANARY_TOKEN?token=$CANARY_TOKEN"; }

# deliver NAME PORT DEADLINE [TIMEOUT_MS [FORMAT]]: status of the client
deliver() {
	local name=$1 port=$2

	shift 2
	"$CLIENT" deliver "$T/$name.spool" "$(url "$port")" "$T/secret" "$@" \
		>>"$T/$name.out" 2>>"$T/$name.err"
}

put() { "$CLIENT" put "$T/$1.spool" "$2" >>"$T/$1.ids" 2>>"$T/$1.err"; }

check() {
	local name=$1 what=$2 out

	if out=$("$PYTHON" "$T/check.py" "$T/$name.log" "$T/$name.ids" yes); then
		fwa_pass "$what ($out)"
	else
		fwa_fail "$what: $out"
	fi
}

attempts() { grep -c "^attempt .* $2 " "$T/$1.out" || true; }

# 1. receiver down, then up: nothing lost
port=$(free_port)
put down 3
if deliver down "$port" 3; then
	fwa_fail "down: delivery reported success with no receiver"
else
	n=$(attempts down retry)
	[ "$n" -ge 2 ] && fwa_pass "down: $n retries while the receiver is down" ||
		fwa_fail "down: only $n attempt(s) in 3 s"
	grep -q "left=3 " "$T/down.out" && fwa_pass "down: 3 events wait in the spool" ||
		fwa_fail "down: spool: $(tail -1 "$T/down.out")"
fi
start_receiver down ok 0 "$port"
if deliver down "$port" 60; then
	check down "down then up: every event delivered"
else
	fwa_fail "down then up: not delivered in 60 s: $(tail -1 "$T/down.out")"
fi
fwa_stop "$RECEIVER_PID"

# 2. 500 twice per event, then 200: retried with backoff
start_receiver e500 fail-first 2
put e500 3
if deliver e500 "$PORT" 60; then
	check e500 "500 twice: every event delivered"
	n=$(attempts e500 retry)
	[ "$n" -eq 6 ] && fwa_pass "500 twice: 6 retries" || fwa_fail "500 twice: $n retries, expected 6"
else
	fwa_fail "500 twice: not delivered: $(tail -1 "$T/e500.out")"
fi
fwa_stop "$RECEIVER_PID"

# 3. 429 with Retry-After: 1 on the first attempt of each event
start_receiver e429 429 0
put e429 3
if deliver e429 "$PORT" 30; then
	check e429 "429: every event delivered"
	if out=$("$PYTHON" - "$T/e429.log" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
first = {r["id"]: r["t"] for r in recs if r["attempt"] == 1}
second = {r["id"]: r["t"] for r in recs if r["attempt"] == 2}
gaps = [second[i] - first[i] for i in first]
print("gaps %s" % " ".join("%.2f" % g for g in gaps))
sys.exit(0 if len(gaps) == 3 and min(gaps) >= 0.95 and max(gaps) < 3 else 1)
PYEOF
	); then
		fwa_pass "429: Retry-After honoured ($out)"
	else
		fwa_fail "429: Retry-After not honoured ($out)"
	fi
else
	fwa_fail "429: not delivered: $(tail -1 "$T/e429.out")"
fi
fwa_stop "$RECEIVER_PID"

# 4. slow receiver: the first attempt times out, the retry succeeds; the
# late answer to the first makes a duplicate the receiver deduplicates
start_receiver slow slow 2.5
put slow 2
if deliver slow "$PORT" 40 1000; then
	check slow "slow: every event delivered"
	grep -q "Timeout" "$T/slow.out" && fwa_pass "slow: timeouts were retried" ||
		fwa_fail "slow: no timeout seen"
else
	fwa_fail "slow: not delivered: $(tail -1 "$T/slow.out")"
fi
fwa_stop "$RECEIVER_PID"

# 5. SIGKILL in the middle of delivering, then a restart: nothing lost
start_receiver kill slowall 0.4
put kill 6
fwa_bg cpid "$CLIENT" deliver "$T/kill.spool" "$(url "$PORT")" "$T/secret" 60 \
	>>"$T/kill.out" 2>>"$T/kill.err"
sleep 1
kill -KILL "$cpid" 2>/dev/null || true
wait "$cpid" 2>/dev/null || true
left=$(find "$T/kill.spool" -name '*.json' | wc -l)
[ "$left" -gt 0 ] && [ "$left" -lt 6 ] &&
	fwa_pass "kill: killed with $left of 6 events left" ||
	fwa_fail "kill: $left events left after SIGKILL (expected some, not all)"
if deliver kill "$PORT" 60; then
	check kill "kill -9 and restart: every event delivered"
else
	fwa_fail "kill: not delivered after the restart: $(tail -1 "$T/kill.out")"
fi
fwa_stop "$RECEIVER_PID"

# 6. a permanent refusal (400) is dropped from the spool and counted
start_receiver e400 status 400
put e400 2
if deliver e400 "$PORT" 20 && grep -q "failed=2 left=0 .*failed_total=2" "$T/e400.out"; then
	fwa_pass "400: refused events dropped and counted"
else
	fwa_fail "400: $(tail -1 "$T/e400.out")"
fi
fwa_stop "$RECEIVER_PID"

# 7. Alertmanager format: a signed JSON array
start_receiver am ok 0
put am 1
if deliver am "$PORT" 20 5000 alertmanager && grep -q '"body": "list"' "$T/am.log"; then
	check am "alertmanager: an alert list delivered"
else
	fwa_fail "alertmanager: $(cat "$T/am.log" 2>/dev/null)"
fi
fwa_stop "$RECEIVER_PID"

# 8. TLS is verified: a self-signed certificate is not trusted
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1; then
	rm -f "$T/tls.port"
	fwa_bg RECEIVER_PID "$PYTHON" "$T/receiver.py" key="$T/secret" log="$T/tls.log" \
		portfile="$T/tls.port" cert="$T/tls.crt" certkey="$T/tls.key"
	for ((n = 0; n < 100; n++)); do
		[ -s "$T/tls.port" ] && break
		sleep 0.05
	done
	put tls 1
	if "$CLIENT" deliver "$T/tls.spool" "https://127.0.0.1:$(cat "$T/tls.port")/hook/$CANARY_TOKEN" \
		"$T/secret" 2 >>"$T/tls.out" 2>>"$T/tls.err"; then
		fwa_fail "tls: delivered to an untrusted certificate"
	elif grep -q "^attempt .* retry 0 .*SSL" "$T/tls.out" && [ ! -s "$T/tls.log" ]; then
		fwa_pass "tls: an untrusted certificate is refused (and retried)"
	else
		fwa_fail "tls: $(head -3 "$T/tls.out")"
	fi
	fwa_stop "$RECEIVER_PID"
else
	fwa_log "openssl missing: TLS verification not tested"
fi

# the secret and the URL token appear in no output and no spool file
if grep -rlF -e "$CANARY_SECRET" -e "$CANARY_TOKEN" "$T" --include='*.out' \
	--include='*.err' --include='*.json' --include=state; then
	fwa_fail "canary: a secret leaked into the files above"
else
	fwa_pass "canary: no secret in stdout, stderr or the spool"
fi
grep -q "to http://127.0.0.1/…" "$T/down.out" && fwa_pass "canary: URL logged redacted" ||
	fwa_fail "canary: no redacted URL in the output"

fwa_finish
