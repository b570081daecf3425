#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-ufw.sh - the engine against real packets with real ufw rules: ufw
# runs in the node namespace, inside a private mount namespace where
# /etc/ufw, /lib/ufw and /etc/default/ufw are bind mounts of temporary
# copies (the host's ufw configuration and state are never written), and
# sets: allow 22/tcp, deny 6379/tcp, allow from 10.9.0.0/24 to port 5432,
# allow the range 6000:6010/tcp and 5000:5005/udp.  Every probe must agree
# with fwaudit.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

UFW=${UFW:-$(command -v ufw || echo /usr/sbin/ufw)}
[ -x "$UFW" ] || fwa_skip "ufw not installed (package ufw)"
[ -d /etc/ufw ] && [ -d /lib/ufw ] && [ -f /etc/default/ufw ] ||
	fwa_skip "ufw's /etc/ufw, /lib/ufw or /etc/default/ufw missing"
fwa_require_tools unshare mount
pl_init
mkdir -p "$PT/etc-ufw" "$PT/lib-ufw"
cp -a /etc/ufw/. "$PT/etc-ufw/"
cp -a /lib/ufw/. "$PT/lib-ufw/"
cp -a /etc/default/ufw "$PT/default-ufw"
cat > "$PT/ufw.sh" <<EOF2
set -e
mount -n --bind "$PT/etc-ufw" /etc/ufw
mount -n --bind "$PT/lib-ufw" /lib/ufw
mount -n --bind "$PT/default-ufw" /etc/default/ufw
u() { ip netns exec "$NODE" "$UFW" "\$@"; }
u --force reset >/dev/null
u allow 22/tcp
u deny 6379/tcp
u allow from 10.9.0.0/24 to any port 5432 proto tcp
u allow 6000:6010/tcp
u allow 5000:5005/udp
u --force enable
u status verbose
EOF2
unshare --mount --propagation private sh "$PT/ufw.sh" > "$PT/ufw.out" 2>&1 ||
	{ cat "$PT/ufw.out"; fwa_die "ufw failed in the private mount namespace"; }
sed 's/^/  ufw: /' "$PT/ufw.out" | grep -v '^  ufw: $' | head -30
pl_serve tcp:[::]:22 tcp:[::]:6379 tcp:[::]:5432 tcp:[::]:6000-6005 \
	tcp:[::]:6010-6011 udp:[::]:5000-5003 udp:[::]:5006 tcp:[::]:80
pl_std_probes "$PT/probes" 22,80,5432,6379,6000-6006,6010-6012,5000-5006
pl_check "ufw" "$PT/probes"
fwa_finish
