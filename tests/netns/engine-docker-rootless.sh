#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-docker-rootless.sh - a real rootless dockerd (Docker 20.10,
# docker.io's dockerd-rootless.sh, rootlesskit 1.1 with slirp4netns and
# its default builtin port driver) run by a real user made for the test
# (useradd, its subordinate uid/gid ranges, /run/user/UID), in the node
# namespace, on the socket a user session has (/run/user/UID/docker.sock):
#	rd-web		-p 8083:8083		rootlesskit on 0.0.0.0 and [::]
#	rd-local	-p 127.0.0.1:8084:8084	rootlesskit on 127.0.0.1
# rootlesskit runs dockerd in a user, mount and network namespace of its
# own; dockerd's userland proxy there is rootlesskit-docker-proxy, which
# asks rootlesskit's parent process (in the node namespace) to listen on
# the host port and forward into the child namespace.  The host-side
# socket is rootlesskit's, a process of the user, exposed through INPUT
# like any other: no NAT, no FORWARD in the node namespace.  The default
# configuration first (no firewall), then an INPUT drop of 8083, IPv4 and
# IPv6: real probes from the outside agree with fwaudit each time,
# rootlesskit is named by the container it holds the port for (text and
# JSON), and the text equals tests/golden/engine-docker-rootless.text
# (GOLDEN=update rewrites it); each audit also from a snapshot and from a
# redacted snapshot (FWA_SNAPSHOT_CHECK, FWA_REDACT_CHECK: 1 unless set).
#
# RD_DRIVER=slirp4netns (engine-docker-rootless-slirp.sh) runs the same
# with DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=slirp4netns: slirp4netns,
# also a process of the user, holds the host port, on 0.0.0.0 only (its
# hostfwd has no IPv6): on IPv6 nothing listens on 8083, the probes are
# refused and fwaudit must say nothing is reachable there; its own golden
# file, tests/golden/engine-docker-rootless-slirp.text.
#
# /dev/net/tun is 0600 here: slirp4netns needs a 0666 node, bound over it
# in a private mount namespace (as engine-podman-rootless.sh does).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

RL_SCRIPT=/usr/share/docker.io/contrib/dockerd-rootless.sh
fwa_require_tools dockerd containerd runc rootlesskit \
	rootlesskit-docker-proxy slirp4netns newuidmap newgidmap useradd \
	userdel setpriv unshare nsenter mknod timeout
[ -r "$RL_SCRIPT" ] || fwa_skip "needs $RL_SCRIPT (package docker.io)"
DOCKER=${DOCKER:-$(command -v docker || echo /usr/bin/docker)}
fwa_require_tools "$DOCKER"
# RD_HOLDER: the process holding the host port; RD_FAMS: where it listens
case ${RD_DRIVER:=builtin} in
builtin) RD_HOLDER=rootlesskit RD_FAMS="ipv4 ipv6" RD_GOLDEN=engine-docker-rootless ;;
slirp4netns) RD_HOLDER=slirp4netns RD_FAMS=ipv4
	RD_GOLDEN=engine-docker-rootless-slirp ;;
*) fwa_die "RD_DRIVER=$RD_DRIVER: builtin or slirp4netns" ;;
esac
export RD_HOLDER RD_FAMS
# every audit also from a snapshot and a redacted one: port holders'
# names and the containers behind them survive both
export FWA_SNAPSHOT_CHECK=${FWA_SNAPSHOT_CHECK:-1} FWA_REDACT_CHECK=${FWA_REDACT_CHECK:-1}
_rt_busybox
pl_init
# fwaudit reads each user's socket only without DOCKER_HOST
unset CONTAINER_HOST DOCKER_HOST

# the user (runtime-lib.sh): containerd's shims are reparented to PID 1
rl_user fward
mkdir -p "$PT/rootfs/bin"
RL_SOCK=$RL_RUN/docker.sock
DK=("$DOCKER" -H "unix://$RL_SOCK")
fwa_at_cleanup "timeout 60 ${DK[*]} rm -f rd-web rd-local"
# vfs: no overlay mounts to leave behind; the rest is dockerd-rootless.sh's
# defaults (slirp4netns, port driver builtin unless RD_DRIVER says)
fwa_bg RL_PID "${RL_IN_TUN[@]}" "${RL_AS_USER[@]}" \
	DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER="$RD_DRIVER" \
	sh "$RL_SCRIPT" --storage-driver=vfs > "$PT/dockerd.log" 2>&1
for ((i = 0; i < 150; i++)); do
	timeout 5 "${DK[@]}" version >/dev/null 2>&1 && break
	kill -0 "$RL_PID" 2>/dev/null || break
	sleep 0.2
done
timeout 5 "${DK[@]}" info --format '{{.SecurityOptions}}' \
	> "$PT/rootless" 2>&1 || true
if ! grep -q 'name=rootless' "$PT/rootless"; then
	tail -5 "$PT/dockerd.log"
	fwa_die "the rootless dockerd did not start: $(cat "$PT/rootless")"
fi
fwa_pass "dockerd runs as $RL_USER (uid $RL_UID) under rootlesskit, rootless"
if pgrep -u "$RL_UID" -f -- "^rootlesskit .*--port-driver=$RD_DRIVER " >/dev/null
then
	fwa_pass "rootlesskit runs with --port-driver=$RD_DRIVER"
else
	fwa_fail "rootlesskit does not run with --port-driver=$RD_DRIVER"
fi
cp "$BUSYBOX" "$PT/rootfs/bin/busybox"
tar -C "$PT/rootfs" -c . | timeout 60 "${DK[@]}" import - fwa-busybox:test \
	>/dev/null
rd_run() {
	timeout 60 "${DK[@]}" run -d --name "$@" > "$PT/run.out" 2>&1 || {
		cat "$PT/run.out"
		tail -5 "$PT/dockerd.log"
		fwa_die "docker run $1 failed as $RL_USER"
	}
}
rd_run rd-web -p 8083:8083 fwa-busybox:test /bin/busybox httpd -f -p 8083
rd_run rd-local -p 127.0.0.1:8084:8084 fwa-busybox:test \
	/bin/busybox httpd -f -p 8084
pl_serve tcp:0.0.0.0:22

# the port is held by $RD_HOLDER, a process of the user: no NAT rule in
# the node namespace (Docker's rules are in rootlesskit's namespace)
for a in 0.0.0.0 '[::]'; do
	ip netns exec "$NODE" ss -Htlnpe "sport = :8083" > "$PT/ss.all"
	grep -F " $a:8083 " "$PT/ss.all" > "$PT/ss" || true
	if [ "$a" = '[::]' ] && [ "$RD_FAMS" = ipv4 ]; then
		if [ -s "$PT/ss" ]; then
			fwa_fail "$a:8083 listens: $(cat "$PT/ss")"
		else
			fwa_pass "nothing listens on $a:8083 ($RD_HOLDER: IPv4 only)"
		fi
	elif grep -q "\"$RD_HOLDER\"" "$PT/ss" && grep -q "uid:$RL_UID " "$PT/ss"
	then
		fwa_pass "$a:8083 is a listening socket of $RD_HOLDER, uid $RL_UID"
	else
		fwa_fail "$a:8083 is not $RD_HOLDER's: $(cat "$PT/ss.all")"
	fi
done
if ip netns exec "$NODE" iptables-nft-save 2>/dev/null | grep -q -- 8083 ||
   ip netns exec "$NODE" iptables-legacy-save 2>/dev/null | grep -q -- 8083 ||
   ip netns exec "$NODE" nft list ruleset | grep -q 8083; then
	fwa_fail "a netfilter rule for 8083 in the node namespace"
else
	fwa_pass "no netfilter rule for 8083 in the node namespace"
fi

pl_std_probes "$PT/probes" 22,8083,8084 tcp
pl_check "rootless docker ($RD_DRIVER), its defaults" "$PT/probes" || true
# what really happens on 8083 (the check above: fwaudit agrees with it)
fwa_check "$PT/results.$_pl_ncheck.json" "probes of 8083" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
fams = os.environ["RD_FAMS"].split()
for fam, sep in (("ipv4", "."), ("ipv6", ":")):
    got = {p["outcome"] for p in J if p["dport"] == 8083 and sep in p["dst"]}
    want = {"connected"} if fam in fams else {"refused"}
    expect("tcp/8083 %s: every probe %s" % (fam, "/".join(want)), got == want, got)
PY
pl_audit "$PT/d.json"
fwa_check "$PT/d.json" "rootless docker ($RD_DRIVER) names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
holder, fams = os.environ["RD_HOLDER"], os.environ["RD_FAMS"].split()
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1]]
def held(l):
    return l and (l["process"], l.get("container"), l.get("image"), l.get("runtime"))
want = (holder, "rd-web", "fwa-busybox:test", "docker")
for fam in ("ipv4", "ipv6"):
    r = rows(fam, 8083)
    if fam not in fams:
        expect("tcp/8083 %s: nothing listens, nothing reachable" % fam,
               len(r) == 1 and r[0]["state"] == "open" and r[0]["listener"] is None
               and not [x for x in J["filtered"] if x["port"] == 8083
                        and x["family"] == fam], r)
        continue
    expect("tcp/8083 %s: local, exposed, %s for rd-web (docker)" % (fam, holder),
           len(r) == 1 and r[0]["path"] == "local" and r[0]["state"] == "exposed"
           and r[0]["backend"] is None and held(r[0]["listener"]) == want
           and r[0]["listener"]["address"] == ("0.0.0.0" if fam == "ipv4" else "::")
           and r[0]["sources"] == (["0.0.0.0/0"] if fam == "ipv4" else ["::/0"]), r)
    r = [x for x in rows(fam, 8084) if x["state"] != "open" or x["listener"]]
    expect("tcp/8084 %s (published on 127.0.0.1): nothing listens there from outside" % fam,
           r == [], r)
f = {(x["port"], x["process"], x.get("container"), x.get("runtime")) for x in J["filtered"]}
expect("%s on 127.0.0.1:8084 filtered, named rd-local (docker)" % holder,
       (8084, holder, "rd-local", "docker") in f, f)
expect("no note: the user's dockerd answered", J["notes"] == [], J["notes"])
PY
sh_golden "$RD_GOLDEN"
for c in rd-web rd-local; do
	if grep -Eq "$RD_HOLDER(\[PID\])? for $c( |$)" \
		"$PT/golden.$RD_GOLDEN"; then
		fwa_pass "text: $RD_HOLDER named by $c"
	else
		fwa_fail "text: $RD_HOLDER not named by $c"
	fi
done

# an INPUT drop of 8083 closes it like any other local port
ip netns exec "$NODE" iptables-nft -A INPUT -p tcp --dport 8083 -j DROP
ip netns exec "$NODE" ip6tables-nft -A INPUT -p tcp --dport 8083 -j DROP
pl_check "rootless docker ($RD_DRIVER), INPUT drops 8083" "$PT/probes" || true
pl_audit "$PT/i.json"
fwa_check "$PT/i.json" "rootless docker ($RD_DRIVER) INPUT drop" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
holder, fams = os.environ["RD_HOLDER"], os.environ["RD_FAMS"].split()
r = [x for x in J["exposures"] if x["protocol"] == "tcp" and x["ports"][0] <= 8083 <= x["ports"][1]]
expect("tcp/8083 no longer exposed, IPv4 or IPv6", r == [], r)
f = sorted((x["family"], x.get("container")) for x in J["filtered"]
           if x["port"] == 8083 and x["process"] == holder)
expect("%s on 8083 filtered (%s), still named rd-web" % (holder, " and ".join(fams)),
       [x[0] for x in f] == fams and all(c == "rd-web" for _, c in f), f)
PY
fwa_finish
