#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# package.sh - fwaudit installs like a Debian system service:
# `dpkg-buildpackage -us -uc -b` builds debian/ from the release tree (make
# distdir: what the tarball carries), lintian finds no error, and the .deb
# installed by apt into a fresh Debian 12 chroot (mmdebstrap, minbase, from
# this machine's mirror) gives a working `fwaudit audit` (run in the chroot,
# in a namespace of this test with a listener), the conffile, the system
# user, the catalog, man pages and bash completion, and a fwauditd.service
# that is enabled but was not started; purge removes it all again.
# Once per ./build.sh check (debian-lib.sh, deb_once); a few minutes, most
# of it mmdebstrap's download.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/debian-lib.sh
. "$(dirname "$0")/debian-lib.sh"

deb_once
fwa_require_root
fwa_require_tools dpkg-buildpackage dh lintian mmdebstrap systemctl \
	socat "$PYTHON" make
[ -n "${top_builddir:-}" ] && [ -f "$top_builddir/Makefile" ] ||
	fwa_skip "needs a configured build tree (make check sets top_builddir)"
fwa_tmpdir T
t0=$SECONDS

# the release tree, as a maintainer would unpack it
SRC=$T/fwaudit-src
make -s -C "$top_builddir" distdir distdir="$SRC" >"$T/distdir.log" 2>&1 ||
	{ tail -20 "$T/distdir.log"; fwa_die "make distdir failed"; }
[ -x "$SRC/debian/rules" ] && fwa_pass "the release tree carries debian/" ||
	fwa_die "debian/ is not in the release tree (EXTRA_DIST)"

# the unit tests ran twice already in this ./build.sh check: nocheck
if (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 900 \
	dpkg-buildpackage -us -uc -b) >"$T/dpkg-buildpackage.log" 2>&1; then
	fwa_pass "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s)"
else
	tail -30 "$T/dpkg-buildpackage.log"
	fwa_die "dpkg-buildpackage failed (log above)"
fi
DEB=$(ls "$T"/fwaudit_*_*.deb)
CHANGES=$(ls "$T"/fwaudit_*.changes)

# lintian's errors are failures; its warnings are printed for the record
t1=$SECONDS
timeout 600 lintian --pedantic --display-info "$CHANGES" >"$T/lintian.log" 2>&1 || true
sed 's/^/  lintian: /' "$T/lintian.log"
if grep -q '^E: ' "$T/lintian.log"; then
	fwa_fail "lintian reports errors"
elif grep -q '^[EWIPNX]: ' "$T/lintian.log" || [ ! -s "$T/lintian.log" ]; then
	fwa_pass "lintian: no error ($(grep -c '^W: ' "$T/lintian.log" || true) warnings, $((SECONDS - t1)) s)"
else
	fwa_fail "lintian did not run: $(tail -3 "$T/lintian.log")"
fi
dpkg-deb -f "$DEB" Depends | grep -q 'libnftnl' &&
	fwa_pass "Depends from the shared libraries: $(dpkg-deb -f "$DEB" Depends)" ||
	fwa_fail "no shlibs Depends: $(dpkg-deb -f "$DEB" Depends)"

# a fresh chroot; apt installs the .deb and fetches its dependencies
t1=$SECONDS
R=$T/root
deb_strap "$R" --include="$DEB" \
	--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount
fwa_pass "mmdebstrap minbase + apt install ./$(basename "$DEB") ($((SECONDS - t1)) s)"

# as a fresh login would: not with make check's environment (FWAUDIT_RULES_DIR)
CLEAN_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
in_root() { chroot "$R" "${CLEAN_ENV[@]}" "$@"; }
v=$(in_root dpkg-query -W -f='${Status} ${Version}' fwaudit 2>&1) || true
[[ $v == "install ok installed "* ]] && fwa_pass "dpkg: $v" ||
	fwa_fail "fwaudit is not installed in the chroot: $v"
for f in /usr/sbin/fwaudit /usr/sbin/fwauditd /etc/fwaudit/fwauditd.conf \
	/lib/systemd/system/fwauditd.service \
	/usr/lib/systemd/catalog/fwaudit.catalog \
	/usr/share/fwaudit/rules/default.rules \
	/usr/share/man/man8/fwaudit.8.gz /usr/share/man/man8/fwauditd.8.gz \
	/usr/share/man/man5/fwaudit.rules.5.gz \
	/usr/share/bash-completion/completions/fwaudit; do
	[ -e "$R$f" ] || fwa_fail "missing in the package: $f"
done
fwa_pass "programs, unit, catalog, policies, man pages, completion installed"
grep -qx /etc/fwaudit/fwauditd.conf "$R/var/lib/dpkg/info/fwaudit.conffiles" &&
	fwa_pass "/etc/fwaudit/fwauditd.conf is a conffile" ||
	fwa_fail "/etc/fwaudit/fwauditd.conf is not a conffile"
u=$(in_root getent passwd fwaudit || true)
[[ $u == fwaudit:*:/var/lib/fwaudit:/usr/sbin/nologin ]] &&
	fwa_pass "system user: $u" || fwa_fail "no system user fwaudit: '$u'"
in_root /usr/sbin/fwauditd --check-config >"$T/check-config" 2>&1 &&
	fwa_pass "fwauditd --check-config accepts the shipped conffile" ||
	fwa_fail "fwauditd --check-config: $(cat "$T/check-config")"

# enabled (the [Install] symlink deb-systemd-helper made), not started:
# the postinst has no start, and no process runs the chroot's fwauditd
e=$(systemctl --root="$R" is-enabled fwauditd.service 2>&1 || true)
[ "$e" = enabled ] && fwa_pass "fwauditd.service is enabled" ||
	fwa_fail "fwauditd.service: is-enabled says '$e'"
if grep -q 'deb-systemd-invoke.*start' "$R/var/lib/dpkg/info/fwaudit.postinst"; then
	fwa_fail "the postinst starts fwauditd"
elif for p in /proc/[0-9]*; do readlink "$p/exe"; done 2>/dev/null |
	grep -qx "$R/usr/sbin/fwauditd"; then
	fwa_fail "a fwauditd of the chroot is running"
else
	fwa_pass "fwauditd.service was not started"
fi

# the installed fwaudit audits a node: a listener on 6379 and no firewall
# is a critical violation of the shipped default policy (exit status 2)
fwa_ns_new NODE node
fwa_ns_new PEER peer
fwa_veth "$NODE" eth0 198.51.100.1/24 "$PEER" eth0 198.51.100.2/24
fwa_bg L ip netns exec "$NODE" socat TCP-LISTEN:6379,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
for ((i = 0; i < 50; i++)); do
	ip netns exec "$NODE" ss -Hltn 'sport = :6379' | grep -q . && break
	sleep 0.1
done
rc=0
ip netns exec "$NODE" sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
	"$R" "${CLEAN_ENV[@]}" /usr/sbin/fwaudit audit --format json >"$T/audit.json" 2>"$T/audit.err" || rc=$?
if [ "$rc" -eq 2 ] && fwa_jq "$T/audit.json" \
	'any(e["protocol"] == "tcp" and e["ports"] == [6379, 6379] and e["state"] == "exposed" and e["policy"]["severity"] == "critical" for e in J["exposures"])' |
	grep -qx true; then
	fwa_pass "fwaudit audit in the chroot: tcp/6379 exposed, critical, exit 2"
else
	fwa_fail "fwaudit audit in the chroot: exit $rc, $(head -c 600 "$T/audit.err" "$T/audit.json")"
fi

# purge: the conffile, the unit's enablement and the state go
in_root dpkg --purge fwaudit >"$T/purge.log" 2>&1 ||
	fwa_fail "dpkg --purge: $(tail -5 "$T/purge.log")"
if [ ! -e "$R/etc/fwaudit/fwauditd.conf" ] && [ ! -e "$R/usr/sbin/fwaudit" ] &&
	[ ! -e "$R/etc/systemd/system/multi-user.target.wants/fwauditd.service" ]; then
	fwa_pass "dpkg --purge removes the programs, the conffile and the enablement"
else
	fwa_fail "dpkg --purge left files: $(ls -d "$R/etc/fwaudit" "$R"/etc/systemd/system/multi-user.target.wants/fwauditd.service 2>&1)"
fi
fwa_log "took $((SECONDS - t0)) s"
fwa_finish
