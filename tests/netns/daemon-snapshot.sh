#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon-snapshot.sh - fwauditd's snapshot_file (issue 19): the first audit
# and every audit that changes something leave their snapshot there, so an
# alert can be explained after the fact: `fwaudit explain --snapshot` of the
# kept file equals the live explain at that moment, and an audit that
# changes nothing leaves the file alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools socat
fwa_tmpdir T
dmn_journald

dmn_host snapd 'ct state established,related accept'
fwa_bg LPID ip netns exec "$NS" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:true
cat >"$T/rules" <<'EOF2'
allow tcp 22 from any "SSH"
alert critical tcp 6379 from any "redis must never be reachable"
default alert warning
EOF2
cat >"$T/fwauditd.conf" <<EOF2
rules = $T/rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = 300
snapshot_file = $T/last.snap
user = root
EOF2

# wait_snap OLDSTAMP: until the kept file's mtime differs (at most 10 s)
wait_snap() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ -s "$T/last.snap" ] &&
		[ "$(stat -c %Y.%s "$T/last.snap")" != "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
if wait_snap none; then
	fwa_pass "the first audit's snapshot is kept"
else
	fwa_die "no snapshot in $T/last.snap: $(cat "$T/daemon.err")"
fi
[ "$(stat -c %a "$T/last.snap")" = 600 ] &&
	fwa_pass "kept snapshot is mode 0600" ||
	fwa_fail "kept snapshot is mode $(stat -c %a "$T/last.snap")"

# a violation opens: redis reachable
fwa_bg RPID ip netns exec "$NS" socat TCP4-LISTEN:6379,fork,reuseaddr SYSTEM:true
stamp=$(stat -c %Y.%s "$T/last.snap")
sleep 1.1	# a new mtime second
fwa_nsx "$NS" nft insert rule inet f input tcp dport 6379 accept
if wait_snap "$stamp"; then
	fwa_pass "the audit that opened tcp/6379 replaced the snapshot"
else
	fwa_fail "the snapshot was not replaced: $(cat "$T/daemon.err")"
fi
sleep 0.5
ip netns exec "$NS" "$FWAUDIT" explain tcp/6379 > "$T/live.explain" || true
"$FWAUDIT" explain tcp/6379 --snapshot "$T/last.snap" > "$T/snap.explain" || true
if cmp -s "$T/live.explain" "$T/snap.explain" &&
   grep -q "accept" "$T/snap.explain"; then
	fwa_pass "explain --snapshot of the kept file = live explain"
else
	fwa_fail "explain differs: $(diff "$T/live.explain" "$T/snap.explain" | head)"
fi
# nothing changes: the file stays
stamp=$(stat -c %Y.%s "$T/last.snap")
sleep 2
[ "$(stat -c %Y.%s "$T/last.snap")" = "$stamp" ] &&
	fwa_pass "audits that change nothing leave the snapshot alone" ||
	fwa_fail "the snapshot was rewritten without a change"
fwa_finish
