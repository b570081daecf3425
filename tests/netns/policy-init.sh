#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# policy-init.sh - adopting fwaudit on a host that already serves traffic
# (issue 21): `fwaudit policy init` on a node namespace with real
# listeners and a real dockerd (tests/netns/docker-lib.sh), IPv4 and IPv6:
#	SSH on 22, a web server on 80		open to everyone
#	PostgreSQL on 5432			private sources only (nftables)
#	Redis (busybox httpd in fwa-redis)	published -p 6379:6379 to
#						0.0.0.0 and [::]
# The baseline must allow the first three (PostgreSQL from `private`),
# write Redis commented out with the dangerous-services message, pass
# check-rules, equal tests/golden/policy-init.rules (GOLDEN=update
# rewrites it) and never be written over an existing file.  The audit with
# it exits 2 for Redis alone; a new service afterwards (a listener on 8080
# that the outside namespace really reaches) is a violation naming it.  A
# possible exposure (a `limit` rule in front of a real listener on 25, and
# the same in a ruleset file) is never allowed and the file says why.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

dk_require
pl_init
GOLDEN_DIR=$top_srcdir/tests/golden
# one date in the file, whatever the day the test runs
export SOURCE_DATE_EPOCH=1765000000
T=$PT
# the file includes the base by its real path
RULES=$(realpath "$FWAUDIT_RULES_DIR")

# the host's own firewall: SSH and the web for everyone, PostgreSQL from
# private networks, nothing else (Docker's FORWARD rules are its own)
ip netns exec "$NODE" nft -f - <<'EOF'
table inet host {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		meta l4proto icmp accept
		tcp dport { 22, 80 } accept
		ip saddr { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 } tcp dport 5432 accept
		ip6 saddr fc00::/7 tcp dport 5432 accept
	}
}
EOF

dk_start "$NODE" nft '{ "userland-proxy": false, "ipv6": true,
  "fixed-cidr-v6": "2001:db8:66::/64", "ip6tables": true,
  "experimental": true }' --bip=10.66.0.1/24
# containers are named through this dockerd's API
export DOCKER_HOST="unix://$DK_SOCK"
dk_image
dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:5432'

# init ARGS...: fwaudit policy init ARGS in $NODE; sets $RC, stderr in
# $T/init.err
init() {
	RC=0
	ip netns exec "$NODE" "$FWAUDIT" policy init "$@" 2> "$T/init.err" ||
		RC=$?
}

B=$T/baseline.rules
init -o "$B"
[ "$RC" -eq 0 ] && [ -s "$B" ] && fwa_pass "policy init -o wrote the file" ||
	fwa_die "policy init exited $RC: $(head -5 "$T/init.err")"

# golden: the rules directory of the build as rules/
sed -e "s|$RULES/|rules/|g" "$B" > "$T/got"
g=$GOLDEN_DIR/policy-init.rules
if [ "${GOLDEN:-}" = update ]; then
	cp "$T/got" "$g"
	fwa_log "updated $g"
elif [ ! -f "$g" ]; then
	fwa_fail "no golden file $g (GOLDEN=update writes it)"
elif diff -u "$g" "$T/got" > "$T/diff"; then
	fwa_pass "the baseline equals $(basename "$g")"
else
	fwa_fail "the baseline differs from $(basename "$g"):"
	head -60 "$T/diff"
fi

# want LABEL REGEX / refuse LABEL REGEX: a line of the baseline that must
# be there / must not
want() {
	grep -Eq -- "$2" "$B" && fwa_pass "$1" ||
		fwa_fail "$1: no line matches '$2' in: $(cat "$B")"
}
refuse() {
	grep -Eq -- "$2" "$B" && fwa_fail "$1: $(grep -E -- "$2" "$B")" ||
		fwa_pass "$1"
}
want "SSH allowed from any" '^allow tcp 22 from any path local  # python3, 2025-12-06$'
want "the web allowed from any" '^allow tcp 80 from any path local  # python3, '
want "PostgreSQL allowed from private only" '^allow tcp 5432 from private path local  # python3, '
refuse "Redis is not allowed" '^allow [^#]*6379'
want "Redis written commented out, for its container" \
	'^#allow tcp 6379 from any container fwa-redis  # container fwa-redis \(image fwa-busybox:test\), 2025-12-06$'
want "with the dangerous-services message" \
	'^# CRITICAL by .*/dangerous-services.rules:[0-9]+: Redis: no authentication'
want "the file ends by including the base" \
	"^include $RULES/default.rules\$"
[ "$(tail -1 "$B")" = "include $RULES/default.rules" ] &&
	fwa_pass "the include is the last line" ||
	fwa_fail "the last line is $(tail -1 "$B")"

RC=0
"$FWAUDIT" check-rules "$B" > "$T/check" 2>&1 || RC=$?
[ "$RC" -eq 0 ] && fwa_pass "check-rules: $(cat "$T/check")" ||
	fwa_fail "check-rules exited $RC: $(cat "$T/check")"

# a policy carries human edits: never written over
echo "# an edit" >> "$B"
cp "$B" "$T/edited"
init -o "$B"
[ "$RC" -eq 3 ] && grep -q "exists" "$T/init.err" && cmp -s "$B" "$T/edited" &&
	fwa_pass "an existing file is refused and left as it was (exit 3)" ||
	fwa_fail "existing file: exit $RC, $(cat "$T/init.err")"
init -o -
if [ "$RC" -eq 0 ]; then
	ip netns exec "$NODE" "$FWAUDIT" policy init > "$T/stdout2" 2>/dev/null || true
	head -n -1 "$T/edited" | cmp -s - "$T/stdout2" &&
		fwa_pass "-o - (and no -o) print the same file" ||
		fwa_fail "-o - prints another text: $(diff "$T/edited" "$T/stdout2" | head)"
else
	fwa_fail "-o - exited $RC"
fi

# the audit with the baseline: Redis, in both families, and nothing else
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$B" --format json \
	> "$T/after.json" 2> "$T/after.err" || RC=$?
[ "$RC" -eq 2 ] && fwa_pass "audit --rules baseline: exit 2 (Redis)" ||
	fwa_fail "audit --rules baseline: exit $RC, expected 2: $(head -3 "$T/after.err")"
fwa_check "$T/after.json" "after init" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
v = [x for x in J["violations"]]
ports = sorted({(x.get("family"), tuple(x.get("ports") or [])) for x in v})
expect("only Redis is a violation, in both families", ports == [("ipv4", (6379, 6379)), ("ipv6", (6379, 6379))], v)
expect("it is critical", all(x["severity"] == "critical" for x in v), v)
PY

# a new service afterwards: a listener on 8080 the firewall lets in
pl_serve 'tcp:[::]:8080'
ip netns exec "$NODE" nft add rule inet host input tcp dport 8080 accept
if ip netns exec "$OUT" "$PYTHON" -c '
import socket, sys
for a in sys.argv[1:]:
    socket.create_connection((a, 8080), timeout=3).close()' "$NODE4" "$NODE6"; then
	fwa_pass "the outside reaches the new service on 8080 (IPv4 and IPv6)"
else
	fwa_fail "the outside cannot reach 8080"
fi
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$B" --quiet > "$T/new.text" \
	2>&1 || RC=$?
[ "$RC" -ge 1 ] && [ "$RC" -le 2 ] && grep -q 'tcp/8080' "$T/new.text" &&
	fwa_pass "the new listener is a violation (exit $RC, tcp/8080 named)" ||
	fwa_fail "new listener: exit $RC: $(cat "$T/new.text")"
timeout 60 "${DK[@]}" rm -f fwa-redis > /dev/null 2>&1 || true
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$B" --quiet > "$T/new.text" \
	2>&1 || RC=$?
[ "$RC" -eq 1 ] && grep -q 'WARNING .*tcp/8080' "$T/new.text" &&
	fwa_pass "without Redis, the new listener alone: exit 1, a warning" ||
	fwa_fail "without Redis: exit $RC: $(cat "$T/new.text")"

# a possible exposure: a rate limit in front of a real listener on 25
pl_serve 'tcp:[::]:25'
ip netns exec "$NODE" nft add rule inet host input tcp dport 25 \
	limit rate 10/second accept
init -o -
cp /dev/null "$B.possible"
ip netns exec "$NODE" "$FWAUDIT" policy init > "$B.possible" 2>&1 || true
B=$B.possible
refuse "possible: tcp 25 is not allowed" '^#?allow [a-z,]+ 25 '
want "possible: listed with the undecidable match" \
	'^#   tcp 25 from .*undecidable: limit rate 10/second'
want "possible: the new 8080 is allowed now" '^allow tcp 8080 from any path local'

# the same from a ruleset file, without the host
cat > "$T/possible.nft" <<'EOF'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
		tcp dport 25 limit rate 10/second accept
	}
}
EOF
RC=0
"$FWAUDIT" policy init --ruleset "nft:$T/possible.nft" > "$T/file.rules" \
	2> "$T/file.err" || RC=$?
B=$T/file.rules
if [ "$RC" -eq 0 ]; then
	want "ruleset file: tcp 22 allowed" '^allow tcp 22 from any path local'
	refuse "ruleset file: tcp 25 not allowed" '^#?allow [a-z,]+ 25 '
	want "ruleset file: tcp 25 listed as undecidable" \
		'^#   tcp 25 from .*undecidable: limit rate'
elif [ "$RC" -eq 3 ] && grep -qi "namespace\|permission" "$T/file.err"; then
	echo "SKIP: ruleset file: $(head -1 "$T/file.err")"
else
	fwa_fail "policy init --ruleset exited $RC: $(head -3 "$T/file.err")"
fi
fwa_finish
