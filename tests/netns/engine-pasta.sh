#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-pasta.sh - a real pasta (package passt) run by a real user made
# for the test, in the node namespace, forwarding host ports into network
# namespaces of that user's:
#	pasta -t 8085 -- busybox httpd	the command it runs, in a new user and
#					network namespace (named "command ...")
#	pasta -t 8087 PID		a namespace the user made with unshare,
#					joined by PID ("the network namespace
#					of PID N (busybox)")
# pasta's host-side sockets are listening sockets of the user's process
# (comm passt.avx2 where the CPU has AVX2: pasta execs it), exposed
# through INPUT like any other: no NAT, no FORWARD.  No runtime says which
# container is behind them (Podman 4.3 cannot use pasta), so fwaudit names
# what pasta forwards to and never a container.  The default configuration
# first (no firewall), then an INPUT drop of 8085 and 8087, IPv4 and IPv6:
# real probes from the outside agree with fwaudit each time, the listener
# is named in text and JSON ("serves", runtime "pasta", no "container"),
# and the text equals tests/golden/engine-pasta.text (GOLDEN=update).
#
# On this machine: /dev/net/tun is 0600, so pasta runs in a private mount
# namespace with a 0666 tun node bound over it; and Debian 12's pasta
# (0.0~git20230309) dies of SIGSEGV at the first forwarded connection
# unless it configures the namespace's interface itself (--config-net).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

fwa_require_tools pasta useradd userdel setpriv unshare nsenter mknod ss
_rt_busybox
pl_init

# the user (runtime-lib.sh): pasta's command is reparented when pasta
# ends, and it keeps pasta's listening sockets (pasta 2023-03 leaks them)
rl_user fwaps
# wait for a listener on port $1 in the node namespace
wait_port() {
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NODE" ss -Htln "sport = :$1" | grep -q . &&
			return 0
		sleep 0.2
	done
	return 1
}

# 8085: the command pasta runs
fwa_bg PA_PID "${RL_IN_TUN[@]}" "${RL_AS_USER[@]}" pasta -f -q --config-net -t 8085 -- \
	"$BUSYBOX" httpd -f -p 8085 > "$PT/pasta-a.log" 2>&1
# 8087: a namespace of the user's own, joined by its PID
fwa_bg NS_PID nsenter --net="/run/netns/$NODE" "${RL_AS_USER[@]}" \
	unshare --user --map-root-user --net "$BUSYBOX" httpd -f -p 8087 \
	> "$PT/ns.log" 2>&1
for ((i = 0; i < 50; i++)); do
	[ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" != \
	  "$(readlink "/run/netns/$NODE" 2>/dev/null || true)" ] &&
		[ "$(cat "/proc/$NS_PID/comm" 2>/dev/null)" = busybox ] && break
	sleep 0.1
done
fwa_bg PB_PID "${RL_IN_TUN[@]}" "${RL_AS_USER[@]}" pasta -f -q --config-net -t 8087 \
	"$NS_PID" > "$PT/pasta-b.log" 2>&1
wait_port 8085 && wait_port 8087 || {
	grep -v syslog "$PT"/pasta-*.log | tail -5
	fwa_die "pasta did not listen on 8085 and 8087"
}
# ready when a connection through each pasta gets busybox's answer, IPv4
# and IPv6 (pasta sets up the namespace's side after it listens)
for dst in "$NODE4" "$NODE6"; do
	for p in 8085 8087; do
		for ((i = 0; i < 20; i++)); do
			o=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$dst" \
				"$p" --timeout 2 2>/dev/null || true)
			[ "$o" = connected ] && break
			sleep 0.5
		done
		[ "$o" = connected ] ||
			fwa_die "no connection through pasta to $dst:$p ($o)"
	done
done
fwa_pass "pasta forwards 8085 and 8087, IPv4 and IPv6"
pl_serve tcp:0.0.0.0:22

# the ports are held by pasta, a process of the user: no NAT rule
for p in 8085 8087; do
	ip netns exec "$NODE" ss -Htlnpe "sport = :$p" > "$PT/ss"
	if grep -Eq '"(pasta|passt)(\.avx2)?"' "$PT/ss" &&
	   grep -q "uid:$RL_UID " "$PT/ss"; then
		fwa_pass "$p is a listening socket of pasta, uid $RL_UID"
	else
		fwa_fail "$p is not pasta's: $(cat "$PT/ss")"
	fi
done
if ip netns exec "$NODE" nft list ruleset | grep -q 808; then
	fwa_fail "a netfilter rule for 8085/8087: pasta writes none"
else
	fwa_pass "no netfilter rule for 8085/8087: pasta writes none"
fi
export FWA_PASTA_NS="the network namespace of PID $NS_PID (busybox)"

pl_std_probes "$PT/probes" 22,8085,8087 tcp
pl_check "pasta, its defaults" "$PT/probes" || true
# the first forwarded connections did not end pasta (see above)
for p in "$PA_PID" "$PB_PID"; do
	kill -0 "$p" 2>/dev/null || fwa_die "pasta $p ended under the probes"
done
pl_audit "$PT/d.json"
fwa_check "$PT/d.json" "pasta names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1]]
def held(l):
    return l and (l["process"] in ("pasta", "pasta.avx2", "passt", "passt.avx2"),
                  l.get("serves"), l.get("runtime"), "container" in l, "image" in l)
want = {8085: (True, "command /bin/busybox httpd -f -p 8085", "pasta", False, False),
        8087: (True, os.environ["FWA_PASTA_NS"], "pasta", False, False)}
for fam in ("ipv4", "ipv6"):
    for port in (8085, 8087):
        r = rows(fam, port)
        expect("tcp/%d %s: local, exposed, pasta for %s" % (port, fam, want[port][1]),
               len(r) == 1 and r[0]["path"] == "local" and r[0]["state"] == "exposed"
               and r[0]["backend"] is None and held(r[0]["listener"]) == want[port]
               and r[0]["sources"] == (["0.0.0.0/0"] if fam == "ipv4" else ["::/0"]), r)
expect("no note", J["notes"] == [], J["notes"])
PY
# where the CPU has no AVX2, pasta's comm is pasta: the golden says pasta
SH_GOLDEN_SED='s/(passt|pasta)(\.avx2)?\[PID\]/pasta[PID]/g; s/of PID [0-9]+ /of PID N /' \
	sh_golden engine-pasta
for w in "command /bin/busybox httpd -f -p 8085" \
	 "the network namespace of PID N (busybox)"; do
	if grep -Fq "pasta[PID] for $w" "$PT/golden.engine-pasta"; then
		fwa_pass "text: pasta named by $w"
	else
		fwa_fail "text: pasta not named by $w"
	fi
done

# an INPUT drop of both closes them like any other local port
for t in iptables-nft ip6tables-nft; do
	ip netns exec "$NODE" $t -A INPUT -p tcp -m multiport \
		--dports 8085,8087 -j DROP
done
pl_check "pasta, INPUT drops 8085 and 8087" "$PT/probes" || true
pl_audit "$PT/i.json"
fwa_check "$PT/i.json" "pasta INPUT drop" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
r = [x for x in J["exposures"] if x["protocol"] == "tcp"
     and (x["ports"][0] <= 8085 <= x["ports"][1] or x["ports"][0] <= 8087 <= x["ports"][1])]
expect("tcp/8085 and 8087 no longer exposed, IPv4 or IPv6", r == [], r)
f = sorted((x["port"], x["family"], x.get("serves"), x.get("runtime"), "container" in x)
           for x in J["filtered"] if x["port"] in (8085, 8087))
expect("pasta on 8085 and 8087 filtered (IPv4 and IPv6: one dual-stack socket), still named",
       f == [(8085, "ipv6", "command /bin/busybox httpd -f -p 8085", "pasta", False),
             (8087, "ipv6", os.environ["FWA_PASTA_NS"], "pasta", False)], f)
PY
fwa_finish
