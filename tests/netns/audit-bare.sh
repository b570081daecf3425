#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-bare.sh - what an operator reads on a fresh server with no
# firewall: a namespace with an address on eth0 (IPv4 and IPv6, default
# routes), listeners on 22, 80, 5432 and 6379 and no rules at all,
# audited with the shipped default policy.  The text must fit in 40 lines
# and is compared with tests/golden/audit-bare.text (GOLDEN=update
# rewrites it); --quiet must print the violations only.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip
fwa_require_fwaudit

GOLDEN_DIR=$top_srcdir/tests/golden
fwa_tmpdir T
PT=$T

fwa_ns_new NODE node
fwa_dummy "$NODE" eth0 198.51.100.1/24
ip -n "$NODE" link set eth0 addrgenmode none
ip -n "$NODE" -6 addr flush dev eth0 scope link
ip -n "$NODE" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$NODE" route add default via 198.51.100.254
ip -n "$NODE" -6 route add default via 2001:db8:1::fe
pl_serve 'tcp:[::]:22' 'tcp:[::]:80' tcp:0.0.0.0:5432 tcp:0.0.0.0:6379

# golden TEXT ARGS...: fwaudit audit ARGS in $NODE, compared with
# tests/golden/audit-bare.TEXT; sets $RC and leaves the output in $T/got
golden() {
	local name=$1 g
	shift
	RC=0
	ip netns exec "$NODE" "$FWAUDIT" audit "$@" > "$T/out" 2> "$T/err" ||
		RC=$?
	sed -E -e 's/\[[0-9]+\]( +)/[PID] /g' -e 's/\[[0-9]+\]/[PID]/g' \
		-e 's/\(nothing yet\) +/(nothing yet) /' \
		-e "s|$FWAUDIT_RULES_DIR/|rules/|g" \
		"$T/out" > "$T/got"
	g=$GOLDEN_DIR/audit-bare.$name
	if [ "${GOLDEN:-}" = update ]; then
		cp "$T/got" "$g"
		fwa_log "updated $g"
	elif [ ! -f "$g" ]; then
		fwa_fail "$name: no golden file $g (GOLDEN=update writes it)"
	elif diff -u "$g" "$T/got" > "$T/diff"; then
		fwa_pass "$name: output equals $(basename "$g")"
	else
		fwa_fail "$name: output differs from $(basename "$g"):"
		head -60 "$T/diff"
	fi
}

golden text
[ "$RC" -eq 2 ] && fwa_pass "text: exit 2 (6379 and 5432 face the Internet)" ||
	fwa_fail "text: exit $RC, expected 2: $(head -3 "$T/err")"
n=$(wc -l < "$T/got")
[ "$n" -le 40 ] && fwa_pass "text: $n lines, fits in 40" ||
	fwa_fail "text: $n lines, more than 40"

ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$T/json" 2>&1 || true
# the text means what the JSON says: each SOURCES cell, read with the
# policy's zones, is exactly the exposure's sources
if "$PYTHON" "$top_srcdir/tests/netns/text-vs-json.py" "$T/got" "$T/json" \
	> "$T/tvj" 2>&1; then
	fwa_pass "text: every SOURCES cell denotes the JSON's sources"
else
	fwa_fail "text: SOURCES cells that are not the JSON's: $(head -5 "$T/tvj")"
fi

golden quiet --quiet
[ "$RC" -eq 2 ] && fwa_pass "--quiet: exit 2" || fwa_fail "--quiet: exit $RC"
grep -q '^STATE ' "$T/got" && fwa_fail "--quiet printed the table"

# colour: never into a pipe, never with NO_COLOR, on a terminal otherwise
RC=0
ip netns exec "$NODE" "$FWAUDIT" audit > "$T/out" 2>&1 || RC=$?
grep -q $'\033' "$T/out" && fwa_fail "colour into a pipe" ||
	fwa_pass "no colour into a pipe"
if command -v script > /dev/null; then
	ip netns exec "$NODE" script -qec "$FWAUDIT audit --quiet" /dev/null \
		> "$T/tty" 2>&1 || true
	grep -q $'\033\[1;31mCRITICAL' "$T/tty" &&
		fwa_pass "colour on a terminal" ||
		fwa_fail "no colour on a terminal: $(head -2 "$T/tty")"
	NO_COLOR=1 ip netns exec "$NODE" script -qec \
		"$FWAUDIT audit --quiet" /dev/null > "$T/tty" 2>&1 || true
	grep -q $'\033\[' "$T/tty" && fwa_fail "colour despite NO_COLOR" ||
		fwa_pass "NO_COLOR: no colour on a terminal"
	NO_COLOR=1 ip netns exec "$NODE" script -qec \
		"stty cols 80; $FWAUDIT audit --quiet" /dev/null > "$T/tty" 2>&1 || true
	if tr -d '\r' < "$T/tty" |
		awk '/"/ && length($0) > 80 { bad = 1 } END { exit bad }'; then
		fwa_pass "80 columns: rule messages are cut to fit"
	else
		fwa_fail "80 columns: a line is too long: $(cat "$T/tty")"
	fi
else
	echo "SKIP: colour on a terminal (no script(1): Debian package bsdutils)"
fi
fwa_finish
