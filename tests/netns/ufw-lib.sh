# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/ufw-lib.sh - the real ufw in a test's node namespace, with
# private copies of its files: the host's /etc/ufw, /etc/default/ufw and
# /lib/ufw are never touched.  Source after lib.sh; $NODE is the namespace.
#
#	ufw_private [SED-EXPR...]	copy ufw's files into $UFWDIR: ufw's
#		defaults (each SED-EXPR applied to /etc/default/ufw on top),
#		without ufw-init's sysctl changes, the package's empty rules
#	ufw_node CMD...			CMD in $NODE seeing those copies

ufw_private() {
	local e
	local -a sed_args=(-e 's|^IPT_SYSCTL=.*|IPT_SYSCTL=/etc/ufw/fwa-empty-sysctl.conf|')

	for e in "$@"; do
		sed_args+=(-e "$e")
	done
	fwa_tmpdir UFWDIR
	cp -a /etc/ufw "$UFWDIR/etc-ufw"
	cp -a /lib/ufw "$UFWDIR/lib-ufw"
	sed "${sed_args[@]}" /etc/default/ufw > "$UFWDIR/default-ufw"
	: > "$UFWDIR/etc-ufw/fwa-empty-sysctl.conf"
	# the package's rules (user.rules empty), not whatever the host's holds
	[ ! -d /usr/share/ufw/iptables ] ||
		cp /usr/share/ufw/iptables/*.rules "$UFWDIR/etc-ufw/"
	cat > "$UFWDIR/wrap.sh" <<'R'
set -e
U=$1
shift
mount -n -t tmpfs -o mode=755 tmpfs /run
mount -n --bind "$U/etc-ufw" /etc/ufw
mount -n --bind "$U/default-ufw" /etc/default/ufw
mount -n --bind "$U/lib-ufw" /lib/ufw
exec "$@"
R
}

ufw_node() {
	ip netns exec "$NODE" unshare --mount --propagation private \
		sh "$UFWDIR/wrap.sh" "$UFWDIR" "$@"
}
