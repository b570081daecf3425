#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/unit-security.sh - contrib/fwauditd.service is sandboxed as
# tightly as it can be and still read the host's firewall:
# `systemd-analyze security --offline=yes` rates its overall exposure at
# 1.5 or less, and the settings that would hide the host's network from it
# (PrivateNetwork=, PrivateUsers=, ProcSubset=pid) are absent.  No root, no
# namespace; 77 when systemd-analyze lacks --offline (systemd < 250).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

UNIT="$top_srcdir/contrib/fwauditd.service"
MAX=${UNIT_EXPOSURE_MAX:-1.5}
fwa_require_tools systemd-analyze
systemd-analyze security --help 2>&1 | grep -q -- '--offline' ||
	fwa_skip "systemd-analyze has no --offline (systemd < 250)"
fwa_tmpdir T

# the unit name must end in .service; a copy keeps the source tree clean
cp "$UNIT" "$T/fwauditd.service"
systemd-analyze security --offline=yes --no-pager "$T/fwauditd.service" \
	>"$T/out" 2>&1 || true
level=$(sed -n 's/.*Overall exposure level for fwauditd\.service: \([0-9.]*\).*/\1/p' "$T/out")
[ -n "$level" ] || fwa_die "no 'Overall exposure level' line: $(tail -5 "$T/out")"
if awk -v l="$level" -v m="$MAX" 'BEGIN { exit !(l <= m) }'; then
	fwa_pass "overall exposure $level <= $MAX"
else
	fwa_fail "overall exposure $level > $MAX: $(grep '✗' "$T/out" | sed 's/  */ /g' | tr '\n' ';')"
fi
for k in PrivateNetwork PrivateUsers; do
	if grep -Eq "^$k=(yes|true|1|on|self|identity)" "$UNIT"; then
		fwa_fail "$k= is on: the daemon would not see the host's network"
	else
		fwa_pass "$k= stays off"
	fi
done
grep -q '^ProcSubset=pid' "$UNIT" && fwa_fail "ProcSubset=pid hides /proc/sys and /proc/net" ||
	fwa_pass "ProcSubset=pid absent (/proc/sys, /proc/net readable)"
grep -q '^Type=notify' "$UNIT" && grep -q '^WatchdogSec=' "$UNIT" &&
	grep -q '^ExecReload=.*-HUP' "$UNIT" &&
	fwa_pass "Type=notify, WatchdogSec=, ExecReload=kill -HUP" ||
	fwa_fail "Type=notify / WatchdogSec= / ExecReload= missing"
systemd-analyze verify "$T/fwauditd.service" >"$T/verify" 2>&1 || true
if grep -Ei 'unknown|invalid|failed to parse' "$T/verify" | grep -v 'fwauditd: command not found\|/usr/sbin/fwauditd' | grep -q .; then
	fwa_fail "systemd-analyze verify: $(cat "$T/verify")"
else
	fwa_pass "systemd-analyze verify: no unknown or invalid setting"
fi
# each shipped drop-in, applied on top (a copy: the unit, then the drop-in's
# [Service] settings, as systemd reads them), still parses and stays
# sandboxed; containers.conf gives exactly what container_namespaces needs
for d in "$top_srcdir"/contrib/fwauditd-*.conf; do
	n=$(basename "$d" .conf)
	{ cat "$UNIT"; cat "$d"; } >"$T/$n.service"
	systemd-analyze verify "$T/$n.service" >"$T/$n.verify" 2>&1 || true
	if grep -Ei 'unknown|invalid|failed to parse' "$T/$n.verify" | grep -v 'command not found\|/usr/sbin/fwauditd' | grep -q .; then
		fwa_fail "$n: systemd-analyze verify: $(cat "$T/$n.verify")"
	else
		fwa_pass "$n: the unit with the drop-in verifies"
	fi
	systemd-analyze security --offline=yes --no-pager "$T/$n.service" \
		>"$T/$n.out" 2>&1 || true
	l=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' "$T/$n.out")
	grep -q 'PrivateNetwork=yes' "$d" && fwa_fail "$n: PrivateNetwork"
	if [ -n "$l" ] && awk -v l="$l" 'BEGIN { exit !(l <= 3.0) }'; then
		fwa_pass "$n: overall exposure $l <= 3.0"
	else
		fwa_fail "$n: overall exposure '$l' > 3.0: $(grep '✗' "$T/$n.out" | sed 's/  */ /g' | tr '\n' ';')"
	fi
done
d="$top_srcdir/contrib/fwauditd-containers.conf"
if grep -q '^AmbientCapabilities=.*CAP_SYS_ADMIN' "$d" &&
   grep -q '^AmbientCapabilities=.*CAP_SYS_PTRACE' "$d" &&
   grep -q '^RestrictNamespaces=net$' "$d" && grep -q '^ProtectProc=default$' "$d" &&
   grep -q 'container_namespaces = yes' "$d" &&
   grep -q 'fwauditd.-containers.conf' "$top_srcdir/doc/fwauditd.8"; then
	fwa_pass "containers.conf: CAP_SYS_ADMIN, CAP_SYS_PTRACE, net namespaces, processes visible; fwauditd.8 names it"
else
	fwa_fail "containers.conf lacks what container_namespaces needs, or fwauditd.8 does not name it"
fi
fwa_finish
