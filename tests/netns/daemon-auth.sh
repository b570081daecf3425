#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-auth.sh - the webhook's credentials (issue 20), each
# through fwauditd against its real counterpart, all on the loopback of
# the test's own namespace:
# Each mechanism also goes through tests/unit/webhook_client (the sink
# without the daemon).
#   1. bearer token (a credential name in $CREDENTIALS_DIRECTORY):
#      receiver.py over HTTPS (an openssl-made CA given as
#      webhook_ca_file) checks "Authorization: Bearer"; also through
#      webhook_client; a wrong token: an error naming the mechanism in the
#      journal, the event stays spooled, the fixed file + SIGHUP delivers it;
#      a group-readable token file is refused;
#   2. OAuth 2.0 client credentials: receiver.py as token endpoint and
#      receiver; the token endpoint down at start (the events wait), then
#      up (all delivered); a short token life (renewed), a revoked token
#      (one refresh on 401); a wrong client secret (error, nothing lost);
#      client_secret_post through webhook_client;
#   3. basic auth: prometheus-alertmanager with --web.config.file
#      (basic_auth_users, bcrypt): the alert is active; a wrong password
#      is refused and logged;
#   4. mutual TLS: prometheus-alertmanager with tls_server_config
#      RequireAndVerifyClientCert: the alert is active with the client
#      certificate; a request without it is refused by the server;
#   5. canaries: no secret, key or issued token in the journal, the
#      daemon's output, the notify messages or the spool.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools openssl
CLIENT=${top_builddir:-.}/tests/unit/webhook_client
[ -x "$CLIENT" ] || fwa_skip "webhook_client not built ($CLIENT)"
AM=$(command -v prometheus-alertmanager || command -v alertmanager || true)
fwa_tmpdir T
chmod 755 "$T"
dmn_journald
TAG="fwauditd-auth-$$"
C_BEARER="canary-bearer-$$-$RANDOM$RANDOM"
C_OAUTH="canary-oauth-$$-$RANDOM$RANDOM"
C_BASIC="canary-basic-$$-$RANDOM$RANDOM"
C_HMAC="canary-hmac-$$-$RANDOM$RANDOM"
secret() { printf '%s\n' "$2" >"$T/$1"; chmod 600 "$T/$1"; }
secret hmac "$C_HMAC"

# --- certificates: a CA, a server (127.0.0.1), a client -----------------
ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || fwa_die "openssl $1 failed: $(tail -3 "$T/openssl.log")"; }
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
ossl req -x509 "${ec[@]}" -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 \
	-subj /CN=fwaudit-test-ca
for who in server client; do
	ossl req "${ec[@]}" -keyout "$T/$who.key" -out "$T/$who.csr" \
		-subj "/CN=fwaudit-test-$who"
	if [ "$who" = server ]; then
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/$who.ext"
	else
		printf 'extendedKeyUsage=clientAuth\n' >"$T/$who.ext"
	fi
	ossl x509 -req -in "$T/$who.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-CAcreateserial -out "$T/$who.pem" -days 2 -extfile "$T/$who.ext"
	chmod 600 "$T/$who.key"
done
# a piece of the client key that must never show up anywhere
C_KEY=$(sed -n 2p "$T/client.key" | cut -c1-40)

dmn_host host 'ip daddr 198.51.100.1 tcp dport 6379 accept'
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
alert critical tcp 6379 from any "redis exposed"
default alert warning
EOF
dmn_notify_listen "$T/notify"

# conf NAME URL FORMAT [KEY = VALUE lines...]: $T/NAME.conf
conf() {
	local name=$1 url=$2 format=$3

	shift 3
	{
		printf 'rules = %s\ninterfaces = eth0\ndocker = no\n' "$T/rules"
		printf 'debounce_ms = 20\nuser = root\ninstance = fwaudit-test\n'
		printf 'webhook_url = %s\nwebhook_format = %s\n' "$url" "$format"
		printf 'webhook_secret_file = %s\nspool_dir = %s\n' "$T/hmac" "$T/$name.spool"
		printf 'webhook_connect_timeout_ms = 500\nwebhook_timeout_ms = 3000\n'
		printf '%s\n' "$@"
	} >"$T/$name.conf"
}
# start VAR NAME [ENV=VALUE...]: fwauditd with $T/NAME.conf; its stderr goes to the
# journal (systemd-cat, identifier $TAG-NAME) as under systemd, or to
# $T/NAME.err when journald has no stream socket
PIDS=()
start() {
	local _v=$1 name=$2 _p

	shift 2
	if [ -S /run/systemd/journal/stdout ]; then
		fwa_bg _p ip netns exec "$NS" env NOTIFY_SOCKET="$T/notify.sock" "$@" \
			systemd-cat -t "$TAG-$name" "$FWAUDITD" --config "$T/$name.conf"
	else
		fwa_bg _p ip netns exec "$NS" env NOTIFY_SOCKET="$T/notify.sock" "$@" \
			"$FWAUDITD" --config "$T/$name.conf" 2>>"$T/$name.err"
	fi
	PIDS+=("$_p")
	printf -v "$_v" '%s' "$_p"
}
stop() { fwa_stop "$1"; }
logs() {
	journalctl -o cat --no-pager -t "$TAG-$1" 2>/dev/null || true
	cat "$T/$1.err" 2>/dev/null || true
}
wait_log() {
	local name=$1 pat=$2 i

	for ((i = 0; i < ${3:-100}; i++)); do
		logs "$name" | grep -Eq -- "$pat" && return 0
		sleep 0.1
	done
	return 1
}
# evcount PID: how many events PID journaled
evcount() { dmn_events "$1" | grep -c FWAUDIT_EVENT_ID || true; }
# evwait N PID: wait (10 s at most) until PID journaled N events
evwait() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ "$(evcount "$2")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# okcount NAME: requests receiver NAME accepted; okwait NAME N: wait for N
okcount() { grep -c '"status": 200, "sig_ok": true' "$T/$1.log" || true; }
okwait() {
	local i

	for ((i = 0; i < 150; i++)); do
		[ "$(okcount "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
spooled() { find "$T/$1.spool" -maxdepth 1 -name '*.json' 2>/dev/null | grep -c . || true; }
wait_drained() {
	local i

	for ((i = 0; i < ${2:-150}; i++)); do
		[ "$(spooled "$1")" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# delivered PID LOG: every event PID journaled was accepted by the
# receiver with valid credentials and signature
delivered() {
	dmn_events "$1" >"$T/ev.$1.json"
	"$PYTHON" - "$T/ev.$1.json" "$2" <<'PYEOF'
import json, sys
ids = {json.loads(l).get("FWAUDIT_EVENT_ID") for l in open(sys.argv[1]) if l.strip()} - {None}
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
hook = [r for r in recs if "token" not in r]
ok = {r["id"] for r in hook if r["status"] == 200 and r["auth_ok"] and r["sig_ok"]}
if not ids:
    print("no events journaled"); sys.exit(1)
missing = ids - ok
if missing:
    print("not delivered: %d of %d" % (len(missing), len(ids))); sys.exit(1)
print("%d event(s), %d request(s), %d refused, %d token request(s)" % (
    len(ids), len(hook), sum(1 for r in hook if r["status"] == 401),
    len(recs) - len(hook)))
PYEOF
}
# receiver VAR NAME ARGS...: receiver.py over HTTPS in $NS; port in $RPORT
receiver() {
	local _v=$1 name=$2 _p i

	shift 2
	rm -f "$T/$name.port"
	fwa_bg _p ip netns exec "$NS" "$PYTHON" "$FWA_LIBDIR/receiver.py" \
		key="$T/hmac" log="$T/$name.log" portfile="$T/$name.port" \
		cert="$T/server.pem" certkey="$T/server.key" "$@"
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$T/$name.port" ] || fwa_die "receiver $name did not start"
	RPORT=$(cat "$T/$name.port")
	touch "$T/$name.log"
	printf -v "$_v" '%s' "$_p"
}

# --- 1. bearer token ------------------------------------------------------
secret bearer "$C_BEARER"
receiver RB bearer bearer="$T/bearer"
URL="https://127.0.0.1:$RPORT/hook"
# handed over as a systemd credential: the key names it
mkdir -m 700 "$T/creds"
cp -p "$T/bearer" "$T/creds/webhook-token"
conf bearer "$URL" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_bearer_token_file = webhook-token"
start D bearer CREDENTIALS_DIRECTORY="$T/creds"
evwait 1 "$D" || true
if wait_drained bearer && out=$(delivered "$D" "$T/bearer.log"); then
	fwa_pass "bearer: fwauditd's events accepted over verified TLS, the token from \$CREDENTIALS_DIRECTORY ($out)"
else
	fwa_fail "bearer: ${out:-spool not drained}: $(logs bearer | tail -3)"
fi
stop "$D"
conf bearer "$URL" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_bearer_token_file = $T/bearer"

# the same through the webhook client helper, and a receiver the CA file
# does not vouch for: TLS verification fails, the events wait
"$CLIENT" put "$T/client-b.spool" 2 >/dev/null
if fwa_nsx "$NS" "$CLIENT" deliver "$T/client-b.spool" "$URL" "$T/hmac" 10 3000 generic \
	"$T/bearer.conf" >"$T/client-b.out" 2>&1; then
	fwa_pass "bearer: webhook_client delivered ($(tail -1 "$T/client-b.out"))"
else
	fwa_fail "bearer: webhook_client: $(tail -2 "$T/client-b.out")"
fi
grep -v '^webhook_ca_file' "$T/bearer.conf" >"$T/noca.conf"
"$CLIENT" put "$T/client-noca.spool" 1 >/dev/null
if ! fwa_nsx "$NS" "$CLIENT" deliver "$T/client-noca.spool" "$URL" "$T/hmac" 2 1000 generic \
	"$T/noca.conf" >"$T/client-noca.out" 2>&1 &&
	grep -q "left=1 " "$T/client-noca.out"; then
	fwa_pass "TLS: without the private CA the receiver is not trusted, the event waits ($(grep -m1 '^attempt' "$T/client-noca.out" | cut -d' ' -f7-))"
else
	fwa_fail "TLS: an unverified receiver got the event: $(tail -2 "$T/client-noca.out")"
fi

# a wrong token: an error naming the mechanism, the event stays spooled;
# the fixed file and SIGHUP deliver it
secret bearer-wrong "wrong-$C_BEARER"
conf wrong "$URL" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_bearer_token_file = $T/bearer-wrong"
start D wrong
if wait_log wrong "refused the credentials \(bearer token\) with HTTP 401.*stays spooled"; then
	fwa_pass "wrong bearer token: journal says $(logs wrong | grep -m1 -o 'the receiver refused.*HTTP 401')"
else
	fwa_fail "wrong bearer token: no clear error: $(logs wrong | tail -3)"
fi
n=$(spooled wrong)
[ "$n" -ge 1 ] && fwa_pass "wrong bearer token: $n event(s) kept in the spool" ||
	fwa_fail "wrong bearer token: the spool is empty (alert lost?)"
secret bearer-wrong "$C_BEARER"
kill -HUP "$D"
if wait_drained wrong 300 && out=$(delivered "$D" "$T/bearer.log"); then
	fwa_pass "wrong bearer token fixed, SIGHUP: re-read, nothing lost ($out)"
else
	fwa_fail "after SIGHUP: $(spooled wrong) spooled: $(logs wrong | tail -3)"
fi
stop "$D"
fwa_stop "$RB"

# a token file others may read: refused at start, the key named
chmod 644 "$T/bearer"
rc=0
ip netns exec "$NS" "$FWAUDITD" --config "$T/bearer.conf" >"$T/perm.out" 2>&1 &
PP=$!
fwa_track "$PP"
for ((i = 0; i < 50; i++)); do kill -0 "$PP" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PP" 2>/dev/null && fwa_stop "$PP"
wait "$PP" 2>/dev/null || rc=$?
if [ "$rc" -ne 0 ] && grep -q "webhook_bearer_token_file (group or others may read it" "$T/perm.out"; then
	fwa_pass "a world-readable token file is refused: $(grep -o 'Failed.*' "$T/perm.out" | head -1)"
else
	fwa_fail "world-readable token file: status $rc: $(cat "$T/perm.out")"
fi
chmod 600 "$T/bearer"

# --- 2. OAuth 2.0 client credentials --------------------------------------
secret oauth-id "fwauditd-client"
secret oauth-secret "$C_OAUTH"
touch "$T/token-down"
receiver RO oauth oauth_id="$T/oauth-id" oauth_secret="$T/oauth-secret" ttl=4 \
	token_down="$T/token-down" revoke="$T/revoke"
OURL="https://127.0.0.1:$RPORT"
conf oauth "$OURL/hook" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_oauth_token_url = $OURL/token" \
	"webhook_oauth_client_id_file = $T/oauth-id" \
	"webhook_oauth_client_secret_file = $T/oauth-secret" \
	"webhook_oauth_scope = alerts:write"
start D oauth
if wait_log oauth "OAuth 2.0 token endpoint answered HTTP 503"; then
	fwa_pass "token endpoint down: logged ($(logs oauth | grep -m1 -o 'delivery of event .*failed (OAuth[^)]*)'))"
else
	fwa_fail "token endpoint down: nothing logged: $(logs oauth | tail -3)"
fi
# a change while the token endpoint is down
n0=$(evcount "$D")
fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 8080 accept
evwait $((n0 + 1)) "$D" || fwa_fail "no event for tcp/8080"
sleep 0.3
sleep 1
n=$(spooled oauth)
[ "$n" -ge 2 ] && fwa_pass "token endpoint down: $n event(s) wait in the spool" ||
	fwa_fail "token endpoint down: $n spooled"
rm -f "$T/token-down"
if wait_drained oauth 400 && out=$(delivered "$D" "$T/oauth.log"); then
	fwa_pass "token endpoint back: every event delivered with a token ($out)"
else
	fwa_fail "token endpoint back: $(spooled oauth) spooled: $(logs oauth | tail -3)"
fi
# tokens live 4 s: a change after that uses a new one; a revoked token
# gets one refresh on 401
sleep 4.5
n0=$(okcount oauth)
fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 8081 accept
okwait oauth $((n0 + 1)) || fwa_fail "tcp/8081: no event accepted by the receiver"
touch "$T/revoke"
n0=$(okcount oauth)
fwa_nsx "$NS" nft add rule inet f input ip daddr 198.51.100.1 tcp dport 8082 accept
okwait oauth $((n0 + 1)) || fwa_fail "tcp/8082: no event accepted by the receiver"
if wait_drained oauth 150 && out=$(delivered "$D" "$T/oauth.log"); then
	fwa_pass "OAuth: expired and revoked tokens renewed, nothing lost ($out)"
else
	fwa_fail "OAuth renewal: $(spooled oauth) spooled: $(logs oauth | tail -3)"
fi
if out=$("$PYTHON" - "$T/oauth.log" <<'PYEOF'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t = [r for r in a if "token" in r]
revoked = [r for r in a if "token" not in r and r["status"] == 401]
ok = [r for r in t if r["status"] == 200]
bad = [r for r in t if not (r.get("grant_ok", True) and r.get("client_auth") in (None, "basic"))]
refused = [r for r in t if r["status"] == 503]
if len(ok) < 3 or bad or not refused or not revoked or any(r.get("scope") != "alerts:write" for r in ok):
    print("token requests: %s; hook 401s: %d" % (t, len(revoked))); sys.exit(1)
print("%d token(s) issued (first, after expiry, after revocation), %d refused while down, "
      "%d revoked token(s) refreshed on 401, client_secret_basic, scope sent" % (
      len(ok), len(refused), len(revoked)))
PYEOF
); then
	fwa_pass "OAuth token endpoint: $out"
else
	fwa_fail "OAuth token endpoint: $out"
fi
stop "$D"

# a wrong client secret: a clear error, the events stay
secret oauth-wrong "wrong-$C_OAUTH"
conf oauthwrong "$OURL/hook" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_oauth_token_url = $OURL/token" \
	"webhook_oauth_client_id_file = $T/oauth-id" \
	"webhook_oauth_client_secret_file = $T/oauth-wrong"
start D oauthwrong
if wait_log oauthwrong "OAuth 2.0 token endpoint refused the client credentials with HTTP 401 \(invalid_client\).*stays spooled"; then
	fwa_pass "wrong client secret: $(logs oauthwrong | grep -m1 -o 'OAuth 2.0 token endpoint refused[^;]*')"
else
	fwa_fail "wrong client secret: $(logs oauthwrong | tail -3)"
fi
n=$(spooled oauthwrong)
[ "$n" -ge 1 ] && fwa_pass "wrong client secret: $n event(s) kept" || fwa_fail "wrong client secret: spool empty"
stop "$D"
# client_secret_post through webhook_client
conf post "$OURL/hook" generic "webhook_ca_file = $T/ca.pem" \
	"webhook_oauth_token_url = $OURL/token" \
	"webhook_oauth_client_id_file = $T/oauth-id" \
	"webhook_oauth_client_secret_file = $T/oauth-secret" \
	"webhook_oauth_client_auth = client_secret_post"
"$CLIENT" put "$T/client-o.spool" 2 >/dev/null
if fwa_nsx "$NS" "$CLIENT" deliver "$T/client-o.spool" "$OURL/hook" "$T/hmac" 10 3000 generic \
	"$T/post.conf" >"$T/client-o.out" 2>&1 &&
	grep -q '"client_auth": "post"' "$T/oauth.log"; then
	fwa_pass "OAuth client_secret_post: webhook_client delivered ($(tail -1 "$T/client-o.out"))"
else
	fwa_fail "OAuth client_secret_post: $(tail -2 "$T/client-o.out")"
fi
fwa_stop "$RO"

# --- 3, 4. Alertmanager with --web.config.file ----------------------------
# am NAME WEBCONFIG SCHEME: Alertmanager in $NS; port in $APORT
am_api() { fwa_nsx "$NS" "$PYTHON" - "$@"; }
am() {
	local name=$1 web=$2 scheme=$3 i

	APORT=$(dmn_free_port)
	printf 'route:\n  receiver: "null"\n  group_wait: 1s\nreceivers:\n  - name: "null"\n' >"$T/am.yml"
	mkdir -p "$T/am-$name"
	fwa_bg AMPID ip netns exec "$NS" "$AM" --config.file="$T/am.yml" \
		--storage.path="$T/am-$name" --web.listen-address="127.0.0.1:$APORT" \
		--web.config.file="$web" --cluster.listen-address= >"$T/am-$name.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		am_api "$scheme" "$APORT" "$T" <<'PYEOF' >/dev/null 2>&1 && return 0
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[2])), 1).close()
PYEOF
		sleep 0.1
	done
	fwa_die "alertmanager did not start: $(tail -3 "$T/am-$name.log")"
}
# am_get SCHEME PORT AUTH PATH: status and body of a GET (AUTH: none,
# basic:USER:PASS, cert)
am_get() {
	am_api "$1" "$2" "$T" "$3" "$4" <<'PYEOF'
import base64, json, ssl, sys, urllib.error, urllib.request
scheme, port, t, auth, path = sys.argv[1:6]
req = urllib.request.Request("%s://127.0.0.1:%s%s" % (scheme, port, path))
ctx = None
if scheme == "https":
    ctx = ssl.create_default_context(cafile=t + "/ca.pem")
    if auth == "cert":
        ctx.load_cert_chain(t + "/client.pem", t + "/client.key")
if auth.startswith("basic:"):
    req.add_header("Authorization", "Basic " + base64.b64encode(
        auth[6:].encode()).decode())
try:
    r = urllib.request.urlopen(req, timeout=3, context=ctx)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
except (OSError, ssl.SSLError) as e:
    print("error", type(e).__name__)
PYEOF
}
# am_client NAME URL CONF: two events through webhook_client to Alertmanager
am_client() {
	"$CLIENT" put "$T/client-$1.spool" 2 >/dev/null
	if fwa_nsx "$NS" "$CLIENT" deliver "$T/client-$1.spool" "$2" "$T/hmac" 10 \
		3000 alertmanager "$3" >"$T/client-$1.out" 2>&1; then
		fwa_pass "$1: webhook_client delivered to Alertmanager ($(tail -1 "$T/client-$1.out"))"
	else
		fwa_fail "$1: webhook_client: $(tail -2 "$T/client-$1.out")"
	fi
}
# am_active SCHEME PORT AUTH: the instance's FwauditViolation on 6379 is
# active
am_active() {
	local i s

	for ((i = 0; i < 100; i++)); do
		s=$(am_get "$1" "$2" "$3" /api/v2/alerts)
		if [[ $s == 200* ]] && "$PYTHON" -c '
import json, sys
al = json.loads(sys.argv[1].split(" ", 1)[1])
sys.exit(0 if any(a["labels"].get("ports") == "6379" and
    a["labels"].get("instance") == "fwaudit-test" and
    a["status"]["state"] == "active" for a in al) else 1)' "$s"; then
			return 0
		fi
		sleep 0.1
	done
	echo "$s" | cut -c1-200
	return 1
}

if [ -z "$AM" ]; then
	fwa_log "prometheus-alertmanager is not installed: basic auth and mutual TLS against it skipped"
	fwa_fail "prometheus-alertmanager missing (apt-get install prometheus-alertmanager)"
else
	HASH=$("$PYTHON" -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))' "$C_BASIC")
	printf 'basic_auth_users:\n  fwauditd: %s\n' "$HASH" >"$T/web-basic.yml"
	am basic "$T/web-basic.yml" http
	s=$(am_get http "$APORT" none /api/v2/alerts)
	[ "$s" = 401 ] && fwa_pass "alertmanager (basic auth): an anonymous GET gets 401" ||
		fwa_fail "alertmanager does not require basic auth: $s"
	secret basic "fwauditd:$C_BASIC"
	conf amb "http://127.0.0.1:$APORT/api/v2/alerts" alertmanager \
		"webhook_basic_auth_file = $T/basic"
	start D amb
	if out=$(am_active http "$APORT" "basic:fwauditd:$C_BASIC") && wait_drained amb; then
		fwa_pass "basic auth: alert active in the real Alertmanager (web.config.file basic_auth_users)"
	else
		fwa_fail "basic auth: $out: $(logs amb | tail -3)"
	fi
	stop "$D"
	am_client basic "http://127.0.0.1:$APORT/api/v2/alerts" "$T/amb.conf"
	secret basic-wrong "fwauditd:wrong-$C_BASIC"
	conf ambw "http://127.0.0.1:$APORT/api/v2/alerts" alertmanager \
		"webhook_basic_auth_file = $T/basic-wrong"
	start D ambw
	if wait_log ambw "refused the credentials \(basic auth\) with HTTP 401.*stays spooled"; then
		fwa_pass "wrong basic auth password: $(logs ambw | grep -m1 -o 'the receiver refused[^;]*'), $(spooled ambw) event(s) kept"
	else
		fwa_fail "wrong basic auth password: $(logs ambw | tail -3)"
	fi
	stop "$D"
	fwa_stop "$AMPID"

	cat >"$T/web-tls.yml" <<EOF
tls_server_config:
  cert_file: $T/server.pem
  key_file: $T/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $T/ca.pem
  min_version: TLS12
EOF
	am tls "$T/web-tls.yml" https
	s=$(am_get https "$APORT" none /api/v2/alerts)
	[[ $s == error* ]] && fwa_pass "alertmanager (mutual TLS): a client without a certificate is refused ($s)" ||
		fwa_fail "alertmanager does not require a client certificate: $s"
	conf amt "https://127.0.0.1:$APORT/api/v2/alerts" alertmanager \
		"webhook_ca_file = $T/ca.pem" \
		"webhook_client_cert_file = $T/client.pem" \
		"webhook_client_key_file = $T/client.key"
	start D amt
	if out=$(am_active https "$APORT" cert) && wait_drained amt; then
		fwa_pass "mutual TLS: alert active in the real Alertmanager (RequireAndVerifyClientCert)"
	else
		fwa_fail "mutual TLS: $out: $(logs amt | tail -3)"
	fi
	stop "$D"
	am_client mtls "https://127.0.0.1:$APORT/api/v2/alerts" "$T/amt.conf"
	# without the certificate: the handshake fails, the event waits
	conf amtn "https://127.0.0.1:$APORT/api/v2/alerts" alertmanager \
		"webhook_ca_file = $T/ca.pem"
	start D amtn
	if wait_log amtn "delivery of event .* failed" && [ "$(spooled amtn)" -ge 1 ]; then
		fwa_pass "no client certificate: refused by the server, $(spooled amtn) event(s) kept ($(logs amtn | grep -m1 -o 'failed ([^)]*)'))"
	else
		fwa_fail "no client certificate: $(logs amtn | tail -3)"
	fi
	stop "$D"
	fwa_stop "$AMPID"
fi

# --- 5. canaries ----------------------------------------------------------
mkdir -p "$T/spools"
cp "$T"/*.spool/*.json "$T/spools/" 2>/dev/null || true
journalctl -o json --no-pager >"$T/journal-all.json" 2>/dev/null || true
pats=(-e "$C_BEARER" -e "$C_OAUTH" -e "$C_BASIC" -e "$C_HMAC" -e "$C_KEY" -e fwatok-)
leak=$(grep -l -r -F "${pats[@]}" "$T/journal-all.json" "$T/notify" "$T/spools" \
	"$T"/*.spool "$T"/client-*.out "$T/perm.out" "$T"/*.err 2>/dev/null || true)
[ -z "$leak" ] && fwa_pass "canaries: no token, password, client secret, key or issued token leaked ($(ls "$T/spools" | wc -l) spool files, the journal, notify, outputs)" ||
	fwa_fail "canary leaked into: $leak"
fwa_finish
