# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/docker-lib.sh - a private dockerd inside a test's network
# namespace (the setup of tests/netns/docker.sh, shared): its own data
# root, exec root, socket and containerd, in a private mount namespace with
# an empty /run, so that nothing of the host's network, of a system dockerd
# or of /run is touched.  Source after lib.sh.
#
#	dk_require			skip without docker, dockerd, busybox-static
#	dk_start NS BACKEND DAEMON_JSON [DOCKERD-ARGS...]
#		BACKEND nft|legacy: the iptables dockerd runs; sets DK_DIR,
#		DK (the docker CLI with -H), DK_SOCK and DK_PID; skips when
#		dockerd does not come up
#	dk_launch ...			the same, but returns 1 instead of
#		skipping (for tests where Docker is one case of several)
#	dk_image			import the busybox image fwa-busybox:test
#	dk_run NAME ARGS...		docker run -d --name NAME ARGS..., the
#		container's pid tracked for cleanup, removed at cleanup
#	dk_try_run NAME ARGS...		the same, returns 1 instead of skipping

dk_require() {
	DOCKER=${DOCKER:-/usr/bin/docker}
	[ -x "$DOCKER" ] || DOCKER=$(command -v docker || echo docker)
	DOCKERD=${DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
	fwa_require_tools "$DOCKER" "$DOCKERD" unshare mount timeout \
		xtables-nft-multi xtables-legacy-multi
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
		fwa_skip "needs a static busybox at $BUSYBOX (package busybox-static)"
	fi
}

dk_launch() {
	local ns=$1 be=$2 json=$3 i xt d

	shift 3
	fwa_tmpdir d
	DK_DIR=$d
	mkdir -p "$d/bin" "$d/cg" "$d/rootfs/bin"
	if [ "$be" = nft ]; then xt=$(command -v xtables-nft-multi)
	else xt=$(command -v xtables-legacy-multi); fi
	for i in iptables iptables-save iptables-restore ip6tables \
		ip6tables-save ip6tables-restore; do
		ln -s "$xt" "$d/bin/$i"
	done
	printf '%s\n' "$json" > "$d/daemon.json"
	# ip netns exec mounts a fresh /sys, which hides the cgroup
	# hierarchies dockerd needs: they are bound back; /run is an empty
	# tmpfs (no system containerd, D-Bus or firewalld); mount -n: no
	# utab entry on the host
	cat > "$d/launch.sh" <<'EOS'
set -e
cg=$1 ns=$2
shift 2
mount -n --rbind /sys/fs/cgroup "$cg"
exec ip netns exec "$ns" sh -c 'mount -n --rbind "$0" /sys/fs/cgroup &&
	mount -n -t tmpfs -o mode=755 tmpfs /run && exec "$@"' "$cg" "$@"
EOS
	DK_SOCK="$d/docker.sock"
	DK=("$DOCKER" -H "unix://$DK_SOCK")
	fwa_at_cleanup "timeout 60 ${DK[*]} rm -f \$(timeout 10 ${DK[*]} ps -aq) "
	fwa_bg DK_PID unshare --mount --propagation private sh "$d/launch.sh" \
		"$d/cg" "$ns" env PATH="$d/bin:$PATH" "$DOCKERD" \
		--config-file "$d/daemon.json" --data-root "$d/data" \
		--exec-root "$d/exec" --pidfile "$d/docker.pid" \
		-H "unix://$DK_SOCK" --iptables=true --storage-driver=vfs "$@" \
		> "$d/dockerd.log" 2>&1
	for ((i = 0; i < 150; i++)); do
		timeout 5 "${DK[@]}" version >/dev/null 2>&1 && break
		kill -0 "$DK_PID" 2>/dev/null || break
		sleep 0.2
	done
	if ! timeout 5 "${DK[@]}" version >/dev/null 2>&1; then
		tail -5 "$d/dockerd.log"
		return 1
	fi
}

dk_start() {
	dk_launch "$@" ||
		fwa_skip "dockerd ($2) did not start in the namespace (log above)"
}

dk_image() {
	cp "$BUSYBOX" "$DK_DIR/rootfs/bin/busybox"
	tar -C "$DK_DIR/rootfs" -c . |
		timeout 60 "${DK[@]}" import - fwa-busybox:test >/dev/null
}

dk_try_run() {
	local name=$1 pid

	shift
	if ! timeout 60 "${DK[@]}" run -d --name "$name" "$@" \
		> "$DK_DIR/run.out" 2>&1; then
		cat "$DK_DIR/run.out"
		tail -5 "$DK_DIR/dockerd.log"
		return 1
	fi
	pid=$(timeout 30 "${DK[@]}" inspect -f '{{.State.Pid}}' "$name")
	[ "${pid:-0}" -gt 0 ] && fwa_track "$pid"
	return 0
}

dk_run() {
	dk_try_run "$@" ||
		fwa_skip "docker run $1 failed in the namespace (output above)"
}

# dk_macvlan NET: a macvlan network NET on the node's v0 (probe-lib.sh's
# pl_pair), 198.51.100.0/24 (containers from 198.51.100.64/28) and
# 2001:db8:1::/64, removed at cleanup.
dk_macvlan() {
	timeout 60 "${DK[@]}" network create -d macvlan --ipv6 \
		--subnet 198.51.100.0/24 --gateway 198.51.100.1 \
		--ip-range 198.51.100.64/28 \
		--subnet 2001:db8:1::/64 --gateway 2001:db8:1::1 \
		-o parent=v0 -o macvlan_mode=bridge "$1" >/dev/null ||
		fwa_die "docker network create -d macvlan failed"
	fwa_at_cleanup "timeout 30 ${DK[*]} network rm $1 >/dev/null 2>&1"
}
