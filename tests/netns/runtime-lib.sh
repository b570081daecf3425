# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/runtime-lib.sh - a private Podman and a private LXD inside a
# test's network namespace (issue 18), as docker-lib.sh does for dockerd:
# each in a private mount namespace, with its state under a temporary
# directory, so that nothing of the host's containers, storage or /run is
# touched.  Source after lib.sh.
#
#	pm_require			skip without podman, netavark, busybox-static
#	pm_start NS			podman system service in NS (rootful,
#		netavark, vfs storage, cgroupfs, runc with its own --root);
#		sets PM_DIR, PM_SOCK, PM (podman --remote with --url)
#	pm_image			import the busybox image fwa-busybox:test
#	pm_run NAME ARGS...		podman run -d --name NAME ARGS...
#	lx_require			skip without lxd, lxc, busybox-static
#	lx_start NS			lxd in NS with LXD_DIR under a temporary
#		directory, a dir storage pool, the profile default; sets
#		LX_DIR (exported as LXD_DIR), LX (the lxc CLI)
#	lx_image			import a busybox image "fwa-bb" whose
#		init configures eth0 from the instance's environment
#		(environment.FWA_ADDR4/FWA_GW4/FWA_ADDR6/FWA_GW6) and serves
#		httpd on 80 and 8000 (and on environment.FWA_EXTRA)
#	rl_user PREFIX			a real user for a rootless runtime:
#		RL_USER, RL_UID, RL_HOME, RL_RUN, RL_AS_USER, RL_IN_TUN

_rt_busybox() {
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
		fwa_skip "needs a static busybox at $BUSYBOX (package busybox-static)"
	fi
}

pm_require() {
	fwa_require_tools podman conmon runc unshare nsenter prlimit timeout
	[ -x /usr/lib/podman/netavark ] ||
		fwa_skip "needs netavark (package netavark)"
	_rt_busybox
}

pm_start() {
	local ns=$1 d i

	fwa_tmpdir d
	PM_DIR=$d
	mkdir -p "$d/rootfs/bin" "$d/net" "$d/tmp"
	cat > "$d/runc" <<EOS
#!/bin/sh
exec /usr/sbin/runc --root "$d/runc-root" "\$@"
EOS
	chmod +x "$d/runc"
	cat > "$d/containers.conf" <<EOS
[containers]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
runtime = "fwa"
tmp_dir = "$d/tmp"
static_dir = "$d/static"
volume_path = "$d/volumes"
[engine.runtimes]
fwa = ["$d/runc"]
[network]
network_backend = "netavark"
network_config_dir = "$d/net"
EOS
	cat > "$d/storage.conf" <<EOS
[storage]
driver = "vfs"
graphroot = "$d/storage"
runroot = "$d/run"
EOS
	export CONTAINERS_CONF="$d/containers.conf"
	export CONTAINERS_STORAGE_CONF="$d/storage.conf"
	PM_SOCK="$d/podman.sock"
	PM=(podman --remote --url "unix://$PM_SOCK")
	# every container's mounts (its shm) and the service die with this
	# mount namespace; /run is a tmpfs of its own (netavark's IPAM
	# database and aardvark-dns live in /run/containers, containers'
	# namespaces in /run/netns); no CAP_SYS_RESOURCE here: rlimits lowered
	fwa_at_cleanup "timeout 60 ${PM[*]} rm -f -a -t 0"
	fwa_bg PM_PID nsenter --net="/run/netns/$ns" \
		unshare --mount --propagation private sh -c \
		'mount -n -t tmpfs -o mode=755 tmpfs /run && exec "$@"' sh \
		prlimit --nofile=1024:4096 --nproc=4096 \
		podman system service --time=0 "unix://$PM_SOCK" \
		> "$d/service.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		timeout 5 "${PM[@]}" version >/dev/null 2>&1 && return 0
		kill -0 "$PM_PID" 2>/dev/null || break
		sleep 0.2
	done
	tail -5 "$d/service.log"
	fwa_skip "podman system service did not start in the namespace"
}

pm_image() {
	cp "$BUSYBOX" "$PM_DIR/rootfs/bin/busybox"
	tar -C "$PM_DIR/rootfs" -c . |
		timeout 60 "${PM[@]}" import - fwa-busybox:test >/dev/null
}

pm_run() {
	local name=$1

	shift
	timeout 60 "${PM[@]}" run -d --name "$name" \
		--cgroup-parent="/fwa-$FWA_NAME-$$" "$@" > "$PM_DIR/run.out" 2>&1 || {
		cat "$PM_DIR/run.out"
		tail -5 "$PM_DIR/service.log"
		fwa_skip "podman run $name failed in the namespace"
	}
}

lx_require() {
	fwa_require_tools lxd lxc unshare nsenter timeout tar gzip
	_rt_busybox
}

lx_start() {
	local ns=$1 d i

	fwa_tmpdir d
	# the instance's root (uid 100000 on the host) must reach its rootfs
	chmod 755 "$d"
	LX_DIR="$d/lxd"
	mkdir -p "$LX_DIR" "$d/cg"
	export LXD_DIR=$LX_DIR
	LX=(lxc)
	# a fresh sysfs shows the namespace's links to LXD (its bridge); the
	# host's cgroup hierarchies are bound back in; /run of its own (LXC's
	# locks); all of it private
	cat > "$d/launch.sh" <<'EOS'
set -e
cg=$1
shift
mount -n --rbind /sys/fs/cgroup "$cg"
mount -n -t sysfs sysfs /sys
mount -n --rbind "$cg" /sys/fs/cgroup
mount -n -t tmpfs -o mode=755 tmpfs /run
exec "$@"
EOS
	# instances run in namespaces of their own: stopped through LXD
	# before LXD itself is ended
	fwa_at_cleanup "for c in \$(LXD_DIR=$LX_DIR timeout 10 lxc list -c n --format csv); do LXD_DIR=$LX_DIR timeout 30 lxc stop -f \$c; done"
	fwa_bg LX_PID unshare --mount --propagation private \
		nsenter --net="/run/netns/$ns" sh "$d/launch.sh" "$d/cg" \
		lxd --group root --logfile "$d/lxd.log" > "$d/lxd.out" 2>&1
	if ! timeout 30 lxd waitready --timeout 25 >/dev/null 2>&1; then
		tail -5 "$d/lxd.out"
		fwa_skip "lxd did not start in the namespace"
	fi
	lxc storage create default dir >/dev/null &&
		lxc profile device add default root disk path=/ \
			pool=default >/dev/null ||
		fwa_skip "lxd: no storage pool"
}

lx_image() {
	local d=$LX_DIR/../img

	mkdir -p "$d/rootfs/bin" "$d/rootfs/sbin" "$d/rootfs/www"
	for i in dev proc sys tmp etc; do mkdir -p "$d/rootfs/$i"; done
	cp "$BUSYBOX" "$d/rootfs/bin/busybox"
	# the addresses come from the instance's environment
	# (environment.FWA_ADDR4 ...): LXD's own DHCP needs a client script
	cat > "$d/rootfs/sbin/init" <<'EOS'
#!/bin/busybox sh
B=/bin/busybox
$B ip link set lo up
$B ip link set eth0 up
[ -n "$FWA_ADDR4" ] && $B ip addr add "$FWA_ADDR4" dev eth0 &&
	$B ip route add default via "$FWA_GW4"
[ -n "$FWA_ADDR6" ] && $B ip -6 addr add "$FWA_ADDR6" dev eth0 &&
	$B ip -6 route add default via "$FWA_GW6"
$B httpd -p 80 -h /www
$B httpd -p 8000 -h /www
[ -n "$FWA_EXTRA" ] && $B httpd -p "$FWA_EXTRA" -h /www
exec $B sleep 1000000
EOS
	chmod +x "$d/rootfs/sbin/init"
	printf '%s\n' 'architecture: x86_64' 'creation_date: 1700000000' \
		'properties:' '  description: busybox httpd' '  os: busybox' \
		> "$d/metadata.yaml"
	tar -C "$d" -czf "$d/meta.tar.gz" metadata.yaml
	tar -C "$d/rootfs" -czf "$d/rootfs.tar.gz" .
	timeout 60 lxc image import "$d/meta.tar.gz" "$d/rootfs.tar.gz" \
		--alias fwa-bb >/dev/null || fwa_skip "lxd: image import failed"
}

# rl_user PREFIX: a real user for a rootless runtime (issue 18), made for
# the test and removed at cleanup (also on failure), its processes first
# (each descends from one the test starts; those reparented to PID 1, such
# as containerd's shims or pasta's command, run as the user too): sets
# RL_USER (PREFIX and the test's PID), RL_UID, RL_HOME (under $PT, made
# 0711 for it), RL_RUN (its /run/user/UID, 0700, removed at cleanup);
# subordinate uid/gid ranges (useradd gives them; else 20100000-20165535);
# RL_AS_USER, a command prefix running as the user with a clean
# environment (HOME, USER, XDG_RUNTIME_DIR, PATH); RL_IN_TUN, one running
# in $NODE's network namespace and a private mount namespace where a tun
# node of mode 0666 is bound over /dev/net/tun (it is 0600 here, and
# slirp4netns and pasta open it as the user).
rl_user() {
	RL_USER=$1$$
	chmod 711 "$PT"
	RL_HOME=$PT/home
	useradd -M -d "$RL_HOME" -s /usr/sbin/nologin "$RL_USER" ||
		fwa_skip "useradd $RL_USER failed"
	RL_UID=$(id -u "$RL_USER")
	RL_RUN=/run/user/$RL_UID
	fwa_at_cleanup "userdel -f $RL_USER; rm -rf --one-file-system $RL_RUN"
	fwa_at_cleanup "for p in \$(ps -o pid= -u $RL_UID); do kill -KILL \$p; done; sleep 0.5"
	[ -e "$RL_RUN" ] && fwa_die "$RL_RUN exists already"
	grep -q "^$RL_USER:" /etc/subuid && grep -q "^$RL_USER:" /etc/subgid ||
		usermod --add-subuids 20100000-20165535 \
			--add-subgids 20100000-20165535 "$RL_USER"
	mkdir -p /run/user
	install -d -o "$RL_USER" -g "$RL_USER" -m 700 "$RL_RUN" "$RL_HOME"
	mkdir -p "$PT/dev"
	mknod -m 666 "$PT/dev/tun" c 10 200
	cat > "$PT/launch.sh" <<'EOS'
set -e
mount -n --bind "$1" /dev/net/tun
shift
exec "$@"
EOS
	RL_AS_USER=(setpriv --reuid="$RL_USER" --regid="$RL_USER"
		--init-groups env -i HOME="$RL_HOME" USER="$RL_USER"
		XDG_RUNTIME_DIR="$RL_RUN" PATH=/usr/sbin:/usr/bin:/sbin:/bin)
	RL_IN_TUN=(nsenter --net="/run/netns/$NODE" unshare --mount
		--propagation private sh "$PT/launch.sh" "$PT/dev/tun")
}
