#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# image.sh - contrib/Dockerfile really builds and runs:
#   - a Debian 12 base made here from Debian packages (mmdebstrap minbase
#     with the build and runtime packages, from this machine's mirror),
#     `docker import`ed into a private dockerd in a namespace of this test;
#   - `docker build --build-arg DEBIAN=<that base>` of the release tree
#     (make distdir), without network: the Dockerfile uses a base that has
#     its packages as it is;
#   - `docker run --network host --cap-drop ALL --cap-add NET_ADMIN`, with
#     fwauditd.conf and the webhook's URL and signing key as files in
#     /run/secrets (read-only bind mounts, as Docker secrets appear):
#     fwauditd runs as the user fwaudit (990) with CAP_NET_ADMIN only and
#     no_new_privs, audits the namespace (Redis's port open) and its first
#     alerts reach a receiver on the namespace's loopback, signed with the
#     key from /run/secrets;
#   - where `docker swarm init` works here, contrib/fwauditd-stack.yml is
#     deployed as a global service with Swarm secrets and a config, and its
#     first alert read back the same way.
# Once per ./build.sh check (debian-lib.sh, deb_once); a few minutes.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/debian-lib.sh
. "$(dirname "$0")/debian-lib.sh"

deb_once
fwa_require_root
fwa_require_tools mmdebstrap make socat "$PYTHON"
dk_require
[ -n "${top_builddir:-}" ] && [ -f "$top_builddir/Makefile" ] ||
	fwa_skip "needs a configured build tree (make check sets top_builddir)"
fwa_tmpdir T
t0=$SECONDS

# the base: what both stages of the Dockerfile install, nothing else
PKGS="gcc libc6-dev make autoconf automake libtool pkg-config libmnl-dev
libnftnl-dev libip4tc-dev libip6tc-dev libsystemd-dev libjansson-dev
libcurl4-openssl-dev libmnl0 libnftnl11 libip4tc2 libip6tc2 libsystemd0
libjansson4 libcurl4 ca-certificates tini libcap2-bin"
deb_strap "$T/base.tar" --include="$(echo $PKGS | tr ' ' ,)" \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*'
fwa_pass "base: mmdebstrap minbase + build and runtime packages ($((SECONDS - t0)) s, $(du -m "$T/base.tar" | cut -f1) MB)"

SRC=$T/fwaudit-src
make -s -C "$top_builddir" distdir distdir="$SRC" >"$T/distdir.log" 2>&1 ||
	{ tail -20 "$T/distdir.log"; fwa_die "make distdir failed"; }

fwa_ns_new NS node
fwa_ns_new PEER peer
fwa_veth "$NS" eth0 198.51.100.1/24 "$PEER" eth0 198.51.100.2/24
# overlay2, not docker-lib's vfs: Docker 20.10's vfs driver drops file
# capabilities when it copies a layer (moby#42655), and the image gives
# fwauditd CAP_NET_ADMIN through them
dk_start "$NS" nft '{}' --bip=203.0.113.1/24 --storage-driver=overlay2
t1=$SECONDS
timeout 300 "${DK[@]}" import "$T/base.tar" fwa-debian:12 >/dev/null ||
	fwa_die "docker import failed: $(tail -5 "$DK_DIR/dockerd.log")"
rm -f "$T/base.tar"
if DOCKER_BUILDKIT=0 timeout 900 "${DK[@]}" build -f "$SRC/contrib/Dockerfile" \
	--build-arg DEBIAN=fwa-debian:12 -t fwaudit/fwauditd:test "$SRC" \
	>"$T/build.log" 2>&1; then
	fwa_pass "docker build --build-arg DEBIAN=fwa-debian:12 ($((SECONDS - t1)) s)"
else
	tail -30 "$T/build.log"
	fwa_die "docker build failed (log above)"
fi
grep -q 'apt-get update' "$T/build.log" && grep -q '^Get:\|Err:' "$T/build.log" &&
	fwa_fail "the build ran apt although the base has every package" ||
	fwa_pass "the build used the base's packages (no apt, no network)"
c=$(timeout 60 "${DK[@]}" run --rm --entrypoint /usr/sbin/getcap \
	fwaudit/fwauditd:test /usr/sbin/fwauditd 2>&1 || true)
[[ $c == *' cap_net_admin=ep' ]] && fwa_pass "file capabilities in the image: $c" ||
	fwa_fail "file capabilities in the image: '$c'"
u=$("${DK[@]}" image inspect -f '{{.Config.User}}' fwaudit/fwauditd:test)
[ "$u" = fwaudit:fwaudit ] && fwa_pass "image user: $u" ||
	fwa_fail "image user: '$u'"

# the node: Redis's port open, no firewall; a receiver on its loopback
fwa_bg L ip netns exec "$NS" socat TCP-LISTEN:6379,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
KEY="whsec_$(head -c 24 /dev/urandom | base64)"
printf '%s\n' "$KEY" >"$T/key"
fwa_bg R ip netns exec "$NS" "$PYTHON" "$FWA_LIBDIR/receiver.py" \
	key="$T/key" log="$T/receiver.log" portfile="$T/port"
for ((i = 0; i < 100; i++)); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fwa_die "the receiver did not start"
PORT=$(cat "$T/port")

# /run/secrets as Docker gives it: files owned by the daemon's user, 0400
mkdir -p "$T/secrets" "$T/etc"
printf '%s\n' "$KEY" >"$T/secrets/fwaudit-webhook-secret"
printf 'http://127.0.0.1:%s/hooks/fwaudit\n' "$PORT" >"$T/secrets/fwaudit-webhook-url"
chown 990:990 "$T/secrets"/*
chmod 0400 "$T/secrets"/*
cat >"$T/etc/fwauditd.conf" <<EOC
interfaces = eth0
docker = no
webhook_url_file = /run/secrets/fwaudit-webhook-url
webhook_secret_file = /run/secrets/fwaudit-webhook-secret
spool_dir = /var/lib/fwaudit/spool
EOC

dk_run fwauditd --network host --cap-drop ALL --cap-add NET_ADMIN \
	--read-only -v "$T/etc:/etc/fwaudit:ro" -v "$T/secrets:/run/secrets:ro" \
	fwaudit/fwauditd:test
got_alert() {
	[ -s "$T/receiver.log" ] && "$PYTHON" - "$T/receiver.log" "$1" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
recs = [r for r in recs if r["t"] >= float(sys.argv[2])]
sys.exit(0 if any(r["sig_ok"] and r["status"] == 200 and r["body"] == "object" for r in recs) else 1)
PYEOF
}
for ((i = 0; i < 150; i++)); do
	got_alert 0 && break
	sleep 0.2
done
if got_alert 0; then
	fwa_pass "the container's first alert reached the receiver, signed with the key from /run/secrets"
else
	fwa_fail "no signed alert from the container: $(timeout 10 "${DK[@]}" logs fwauditd 2>&1 | tail -10)"
fi
tini=$("${DK[@]}" inspect -f '{{.State.Pid}}' fwauditd 2>/dev/null || echo 0)
d=
[ "${tini:-0}" -gt 0 ] &&
	d=$(awk '{print $1}' "/proc/$tini/task/$tini/children" 2>/dev/null || true)
st() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
if [ -n "$d" ] && [ "$(readlink "/proc/$d/exe" | sed 's|.*/||')" = fwauditd ]; then
	uid=$(st "$d" Uid) eff=$(st "$d" CapEff) prm=$(st "$d" CapPrm) bnd=$(st "$d" CapBnd)
	nnp=$(st "$d" NoNewPrivs)
	# CAP_NET_ADMIN is bit 12
	if [ "$uid" = 990 ] && [ "$eff" = 0000000000001000 ] &&
		[ "$prm" = 0000000000001000 ] && [ "$bnd" = 0000000000001000 ] &&
		[ "$nnp" = 1 ]; then
		fwa_pass "fwauditd runs as uid 990 with CAP_NET_ADMIN only (effective $eff, bounding $bnd) and no_new_privs"
	else
		fwa_fail "fwauditd: uid $uid, CapEff $eff, CapPrm $prm, CapBnd $bnd, NoNewPrivs $nnp"
	fi
	[ "$(st "$tini" Uid)" = 990 ] && [ "$(st "$tini" CapEff)" = 0000000000000000 ] &&
		fwa_pass "its init (tini) runs as uid 990 without capabilities" ||
		fwa_fail "tini: uid $(st "$tini" Uid), CapEff $(st "$tini" CapEff)"
else
	fwa_fail "no fwauditd under the container's init (pid $tini)"
fi
"${DK[@]}" logs fwauditd >"$T/container.log" 2>&1 || true
grep -qF "$KEY" "$T/container.log" && fwa_fail "the signing key appears in docker logs" ||
	fwa_pass "the signing key is not in docker logs"
timeout 60 "${DK[@]}" rm -f fwauditd >/dev/null 2>&1 || true

# Swarm, where it comes up here: the stack file as a global service
if timeout 60 "${DK[@]}" swarm init --advertise-addr 198.51.100.1 \
	>"$T/swarm.log" 2>&1; then
	fwa_at_cleanup "timeout 60 ${DK[*]} stack rm fwaudit >/dev/null 2>&1; timeout 60 ${DK[*]} swarm leave --force >/dev/null 2>&1"
	"${DK[@]}" tag fwaudit/fwauditd:test fwaudit/fwauditd:latest
	"${DK[@]}" secret create fwaudit-webhook-secret "$T/key" >/dev/null
	printf 'http://127.0.0.1:%s/hooks/swarm\n' "$PORT" >"$T/url"
	"${DK[@]}" secret create fwaudit-webhook-url "$T/url" >/dev/null
	"${DK[@]}" config create fwauditd-conf "$T/etc/fwauditd.conf" >/dev/null
	ts=$(date +%s)
	if timeout 120 "${DK[@]}" stack deploy -c "$SRC/contrib/fwauditd-stack.yml" \
		fwaudit >"$T/stack.log" 2>&1; then
		for ((i = 0; i < 300; i++)); do
			got_alert "$ts" && break
			sleep 0.2
		done
		if got_alert "$ts"; then
			fwa_pass "swarm: the stack's global service sent its first alert, signed with the Swarm secret"
		else
			fwa_fail "swarm: no alert from the stack: $("${DK[@]}" service ps --no-trunc fwaudit_fwauditd 2>&1 | tail -3)"
		fi
	else
		fwa_fail "docker stack deploy: $(cat "$T/stack.log")"
	fi
else
	fwa_log "docker swarm init does not work here, the stack is not deployed: $(tail -2 "$T/swarm.log")"
fi
fwa_log "took $((SECONDS - t0)) s"
fwa_finish
