#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-user.sh - fwauditd started as root with `user =`
# naming a user that does not exist (a typo) refuses to start, with exit
# status 3 and "file:line: ..." on stderr, before it opens anything;
# --check-config says the same, and a SIGHUP reload to such a file is
# refused (the daemon keeps running with its configuration).  `user =
# root`, and the default user `fwaudit` when it does not exist, still
# start.  The daemon runs in a namespace of its own and is stopped by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_tmpdir T
fwa_ns_new NS user

nouser=fwaudit-no-such-user-$$
getent passwd "$nouser" >/dev/null && fwa_skip "user $nouser exists"

printf 'allow tcp 22 from any\n' >"$T/rules"
conf() {	# conf FILE [LINE...]: a configuration with the given lines
	local f=$1 l

	shift
	{
		echo "# fwauditd test configuration"
		echo "rules = $T/rules"
		echo "docker = no"
		echo "spool_dir = $T/spool"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}
conf "$T/typo.conf" "user = $nouser"
conf "$T/root.conf" "user = root"
conf "$T/default.conf"

# -- --check-config -------------------------------------------------------
rc=0
"$FWAUDITD" --check-config --config "$T/typo.conf" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" -eq 3 ] &&
   grep -q "typo.conf:5: user '$nouser' does not exist" "$T/err"; then
	fwa_pass "--check-config: a user that does not exist is exit 3, file:line"
else
	fwa_fail "--check-config with user = $nouser: exit $rc, $(cat "$T/out" "$T/err")"
fi
rc=0
"$FWAUDITD" --check-config --config "$T/root.conf" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "--check-config: user = root is fine" ||
	fwa_fail "--check-config with user = root: exit $rc, $(cat "$T/err")"
if ! getent passwd fwaudit >/dev/null; then
	rc=0
	"$FWAUDITD" --check-config --config "$T/default.conf" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 0 ] &&
		fwa_pass "--check-config: the default user may be missing (stays root)" ||
		fwa_fail "--check-config, default user missing: exit $rc, $(cat "$T/err")"
fi

# -- a real start: refused at once, nothing left running -------------------
rc=0
fwa_nsx "$NS" timeout -s KILL 20 "$FWAUDITD" --config "$T/typo.conf" \
	>"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" -eq 3 ] &&
   grep -q "typo.conf:5: user '$nouser' does not exist" "$T/err"; then
	fwa_pass "start as root with user = $nouser: refused, exit 3"
else
	fwa_fail "start as root with user = $nouser: exit $rc (137: still running after 20 s), $(cat "$T/err")"
fi

# -- a reload to a user that does not exist: refused, still running -------
dmn_journald
conf "$T/run.conf" "user = root"
dmn_notify_listen "$T/notify"
dmn_start DPID "$NS" "$T/run.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "no READY=1 in 15 s: $(cat "$T/daemon.err")"
conf "$T/run.conf" "user = $nouser"
kill -HUP "$DPID"
for _ in $(seq 50); do
	grep -q "Reload failed" "$T/daemon.err" && break
	sleep 0.1
done
if kill -0 "$DPID" 2>/dev/null &&
   grep -q "Reload failed: .*run.conf:5: user '$nouser' does not exist" "$T/daemon.err"; then
	fwa_pass "SIGHUP to user = $nouser: refused, still running"
else
	fwa_fail "SIGHUP to user = $nouser: $(tail -3 "$T/daemon.err")"
fi
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
[ "$rc" -eq 0 ] && fwa_pass "SIGTERM: exit status 0" || fwa_fail "SIGTERM: exit status $rc"

fwa_finish
