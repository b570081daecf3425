#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-podman-rootless.sh - a real rootless Podman 4.3 run by a real
# user made for the test (useradd, its subordinate uid/gid ranges, its
# runtime directory /run/user/UID), its API service on the socket a user
# session has (/run/user/UID/podman/podman.sock), in the node namespace:
#	rl-web		-p 8081:8081		rootlessport on *:8081
#	rl-local	-p 127.0.0.1:8082:8082	rootlessport on 127.0.0.1
# Rootless Podman publishes through userspace: slirp4netns gives the
# container its network, rootlessport listens on the host for it.  Those
# are listening sockets of the user's processes, exposed through INPUT like
# any other: no NAT, no FORWARD.  The default configuration first (no
# firewall), then an INPUT drop of 8081, IPv4 and IPv6: real probes from
# the outside agree with fwaudit each time, rootlessport is named by the
# container it holds the port for (text and JSON), and the text equals
# tests/golden/engine-podman-rootless.text (GOLDEN=update rewrites it).
#
# On this machine /dev/net/tun is mode 0600 (no udev to make it 0666):
# slirp4netns fails as any user but root with "open("/dev/net/tun"):
# Permission denied".  The service runs in a private mount namespace with
# a tun node of the test's own (mode 0666) bound over /dev/net/tun.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools podman conmon slirp4netns newuidmap newgidmap useradd \
	userdel setpriv unshare nsenter mknod timeout
[ -x /usr/lib/podman/rootlessport ] ||
	fwa_skip "needs rootlessport (package podman)"
_rt_busybox
pl_init
# fwaudit reads each user's socket only without CONTAINER_HOST
unset CONTAINER_HOST DOCKER_HOST

# the user (runtime-lib.sh), its Podman configuration
rl_user fwarl
install -d -o "$RL_USER" -g "$RL_USER" -m 700 "$RL_RUN/podman"
mkdir -p "$RL_HOME/.config/containers" "$PT/rootfs/bin"
cat > "$RL_HOME/.config/containers/containers.conf" <<EOS
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOS
printf '[storage]\ndriver = "vfs"\n' > "$RL_HOME/.config/containers/storage.conf"
chown -R "$RL_USER:" "$RL_HOME"
RL_SOCK=$RL_RUN/podman/podman.sock
PM=(podman --remote --url "unix://$RL_SOCK")
fwa_at_cleanup "timeout 60 ${PM[*]} rm -f -a -t 0"
fwa_bg RL_PID "${RL_IN_TUN[@]}" "${RL_AS_USER[@]}" \
	podman system service --time=0 "unix://$RL_SOCK" > "$PT/service.log" 2>&1
for ((i = 0; i < 100; i++)); do
	timeout 5 "${PM[@]}" version >/dev/null 2>&1 && break
	kill -0 "$RL_PID" 2>/dev/null || break
	sleep 0.2
done
timeout 5 "${PM[@]}" info --format '{{.Host.Security.Rootless}}' \
	> "$PT/rootless" 2>&1 || true
if [ "$(cat "$PT/rootless")" != true ]; then
	tail -5 "$PT/service.log"
	fwa_die "the rootless podman service did not start: $(cat "$PT/rootless")"
fi
fwa_pass "podman system service runs as $RL_USER (uid $RL_UID), rootless"
cp "$BUSYBOX" "$PT/rootfs/bin/busybox"
tar -C "$PT/rootfs" -c . | timeout 60 "${PM[@]}" import - fwa-busybox:test \
	>/dev/null
rl_run() {
	timeout 60 "${PM[@]}" run -d --name "$@" > "$PT/run.out" 2>&1 || {
		cat "$PT/run.out"
		tail -5 "$PT/service.log"
		fwa_die "podman run $1 failed as $RL_USER"
	}
}
rl_run rl-web -p 8081:8081 fwa-busybox:test /bin/busybox httpd -f -p 8081
rl_run rl-local -p 127.0.0.1:8082:8082 fwa-busybox:test \
	/bin/busybox httpd -f -p 8082
pl_serve tcp:0.0.0.0:22

# the port is held by rootlessport, a process of the user: no NAT rule
ip netns exec "$NODE" ss -Htlnpe 'sport = :8081' > "$PT/ss"
if grep -q '"rootlessport"' "$PT/ss" && grep -q "uid:$RL_UID " "$PT/ss"; then
	fwa_pass "8081 is a listening socket of rootlessport, uid $RL_UID"
else
	fwa_fail "8081 is not rootlessport's: $(cat "$PT/ss")"
fi
if ip netns exec "$NODE" iptables-nft-save -t nat 2>/dev/null |
   grep -q -- '--dport 8081' ||
   ip netns exec "$NODE" nft list ruleset | grep -q 'dport 8081'; then
	fwa_fail "a NAT rule for 8081: rootless Podman should write none"
else
	fwa_pass "no netfilter rule for 8081: rootless Podman writes none"
fi

pl_std_probes "$PT/probes" 22,8081,8082 tcp
pl_check "rootless podman, its defaults" "$PT/probes" || true
pl_audit "$PT/d.json"
fwa_check "$PT/d.json" "rootless podman names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1]]
def held(l):
    return l and (l["process"], l.get("container"), l.get("image"), l.get("runtime"))
want = ("rootlessport", "rl-web", "localhost/fwa-busybox:test", "podman")
for fam in ("ipv4", "ipv6"):
    r = rows(fam, 8081)
    expect("tcp/8081 %s: local, exposed, rootlessport for rl-web (podman)" % fam,
           len(r) == 1 and r[0]["path"] == "local" and r[0]["state"] == "exposed"
           and r[0]["backend"] is None and held(r[0]["listener"]) == want
           and r[0]["sources"] == (["0.0.0.0/0"] if fam == "ipv4" else ["::/0"]), r)
    r = [x for x in rows(fam, 8082) if x["state"] != "open" or x["listener"]]
    expect("tcp/8082 %s (published on 127.0.0.1): nothing listens there from outside" % fam,
           r == [], r)
f = {(x["port"], x["process"], x.get("container")) for x in J["filtered"]}
expect("rootlessport on 127.0.0.1:8082 filtered, named rl-local",
       (8082, "rootlessport", "rl-local") in f, f)
expect("no note: the user's Podman answered", J["notes"] == [], J["notes"])
PY
sh_golden engine-podman-rootless
for c in rl-web rl-local; do
	if grep -Eq "rootlessport(\[PID\])? for $c( |$)" \
		"$PT/golden.engine-podman-rootless"; then
		fwa_pass "text: rootlessport named by $c"
	else
		fwa_fail "text: rootlessport not named by $c"
	fi
done

# an INPUT drop of 8081 closes it like any other local port
ip netns exec "$NODE" iptables-nft -A INPUT -p tcp --dport 8081 -j DROP
ip netns exec "$NODE" ip6tables-nft -A INPUT -p tcp --dport 8081 -j DROP
pl_check "rootless podman, INPUT drops 8081" "$PT/probes" || true
pl_audit "$PT/i.json"
fwa_check "$PT/i.json" "rootless podman INPUT drop" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
r = [x for x in J["exposures"] if x["protocol"] == "tcp" and x["ports"][0] <= 8081 <= x["ports"][1]]
expect("tcp/8081 no longer exposed, IPv4 or IPv6", r == [], r)
f = sorted((x["family"], x.get("container")) for x in J["filtered"]
           if x["port"] == 8081 and x["process"] == "rootlessport")
expect("rootlessport on 8081 filtered, still named rl-web", f and all(c == "rl-web" for _, c in f), f)
PY
fwa_finish
