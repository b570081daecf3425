#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scenario-ufw.sh - ufw (Debian's 0.36) with its defaults, IPv4 and IPv6
# (IPV6=yes), then the common commands on top, against real packets.
# ufw runs in the node namespace inside a private mount namespace where
# /etc/ufw, /lib/ufw and /etc/default/ufw are bind mounts of temporary
# copies: the host's ufw configuration is never written.  Forwarding is on
# and a backend namespace sits behind the node on v2.
#  1. defaults: `ufw --force reset; ufw --force enable`, nothing else (the
#     shipped before/after rules: DHCP client from source port 67, mDNS and
#     UPnP to multicast only, ICMP, the IPv6 rt-type 0 drop ...);
#  2. on top: allow 22/tcp, limit 2222/tcp, deny 6379/tcp, reject 3306/tcp,
#     allow 80,443/tcp, allow 53/udp, allow from 10.9.0.0/24 and
#     2001:db8:2::/64 to any port 5432, allow to one address only
#     (198.51.100.1 port 8000), allow in on v2 only (port 9000), insert 1
#     deny from 203.0.113.0/24 (closed to that source on the INPUT path
#     only: the port forward below stays open to it), the
#     port-forward recipe of ufw's documentation (a *nat section
#     in before.rules / before6.rules: 8080 -> backend:80, 8081 ->
#     backend:81) and `ufw route allow` to backend port 80 only (8081 stays
#     closed by the forward policy DROP); what packets routed straight to
#     the backend get is printed (fwaudit does not audit that path yet).
# Probes: TCP and UDP from three IPv4 and two IPv6 sources, from an
# ephemeral port, port 53 and the DHCP server ports, to both node
# addresses, and link-local ones (scenario-lib.sh).  For each stage: every
# probe agrees with the kernel, the number of possible exposures is printed
# and must be 0 (limit's "recent" match, a rate, is counted apart), the
# rules fwaudit does not decode are printed, and the text audit is kept in
# tests/golden/scenario-ufw-*.text (GOLDEN=update rewrites them).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

UFW=${UFW:-$(command -v ufw || echo /usr/sbin/ufw)}
[ -x "$UFW" ] || fwa_skip "ufw not installed (package ufw)"
[ -d /etc/ufw ] && [ -d /lib/ufw ] && [ -f /etc/default/ufw ] ||
	fwa_skip "ufw's /etc/ufw, /lib/ufw or /etc/default/ufw missing"
fwa_require_tools unshare mount
pl_init
sc_backend
sc_fixed_lladdr
mkdir -p "$PT/etc-ufw" "$PT/lib-ufw"
cp -a /etc/ufw/. "$PT/etc-ufw/"
cp -a /lib/ufw/. "$PT/lib-ufw/"
cp -a /etc/default/ufw "$PT/default-ufw"
grep -q '^IPV6=yes' "$PT/default-ufw" || fwa_die "/etc/default/ufw: IPV6 is not yes"

# ufw_run CMD...: ufw commands (one per argument, words split) in the node
# namespace with the copies mounted over ufw's files; forwarding on after.
_ufw_n=0
ufw_run() {
	local f c

	_ufw_n=$((_ufw_n + 1))
	f="$PT/ufw.$_ufw_n.sh"
	{
		echo "set -e"
		echo "mount -n --bind '$PT/etc-ufw' /etc/ufw"
		echo "mount -n --bind '$PT/lib-ufw' /lib/ufw"
		echo "mount -n --bind '$PT/default-ufw' /etc/default/ufw"
		for c in "$@"; do
			# TESTSTATE: ufw's lock in /lib/ufw (the copy), not
			# /run/ufw.lock on the host
			echo "TESTSTATE=1 ip netns exec '$NODE' '$UFW' $c"
		done
	} > "$f"
	unshare --mount --propagation private sh "$f" > "$f.out" 2>&1 ||
		{ cat "$f.out"; fwa_die "ufw failed: $*"; }
	{ grep -v '^$' "$f.out" || true; } | sed -n 's/^/  ufw: /; 1,60p'
	ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
}

pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:2222' 'tcp:[::]:5432' 'tcp:[::]:6379' \
	'tcp:[::]:3306' 'tcp:[::]:8000' 'tcp:[::]:9000' 'udp:[::]:53' 'udp:[::]:68' \
	'udp:[::]:546' 'udp:[::]:1900' 'udp:[::]:5353'
sc_back_serve 'tcp:[::]:80-81'
# 443 and 8080-8081 on the node: nothing listens (open when let in)
PORTS=22,53,68,80,443,546,1900,2222,3306,5353,5432,6379,8000,8080-8081,9000
pl_gen "$PT/g4" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,53,67 --ports "$PORTS"
pl_gen "$PT/g6" --proto tcp,udp --dst "$NODE6" --src "$OUT6,$PUB6" \
	--sport 0,53,547 --ports "$PORTS"
sc_ll_probes "$PT/ll" "$PORTS" tcp,udp 0,547
pl_merge "$PT/probes" "$PT/g4" "$PT/g6" "$PT/ll"
export PL_TIMEOUT=${PL_TIMEOUT:-2}

# --- 1. ufw's defaults
ufw_run "--force reset" "--force enable" "status verbose"
pl_check "ufw defaults" "$PT/probes" || true
sc_unknown "ufw defaults"
sc_possible "ufw defaults"
sc_golden scenario-ufw-default

# --- 2. the common commands, the port-forward recipe and route allow
nat4="*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -i v0 -p tcp --dport 8080 -j DNAT --to-destination $BACK4:80
-A PREROUTING -i v0 -p tcp --dport 8081 -j DNAT --to-destination $BACK4:81
COMMIT
"
nat6="*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -i v0 -p tcp --dport 8080 -j DNAT --to-destination [$BACK6]:80
-A PREROUTING -i v0 -p tcp --dport 8081 -j DNAT --to-destination [$BACK6]:81
COMMIT
"
printf '%s\n' "$nat4" | cat - /etc/ufw/before.rules > "$PT/etc-ufw/before.rules"
printf '%s\n' "$nat6" | cat - /etc/ufw/before6.rules > "$PT/etc-ufw/before6.rules"
ufw_run "allow 22/tcp" "limit 2222/tcp" "deny 6379/tcp" "reject 3306/tcp" \
	"allow 80,443/tcp" "allow 53/udp" \
	"allow proto tcp from any to $NODE4 port 8000" \
	"allow in on v2 to any port 9000 proto tcp" \
	"insert 1 deny from 203.0.113.0/24" \
	"allow from 10.9.0.0/24 to any port 5432 proto tcp" \
	"allow from 2001:db8:2::/64 to any port 5432 proto tcp" \
	"route allow proto tcp from any to $BACK4 port 80" \
	"route allow proto tcp from any to $BACK6 port 80" \
	"reload" "status verbose"
pl_check "ufw rules" "$PT/probes" || true
sc_unknown "ufw rules"
sc_possible "ufw rules" tcp/2222
sc_golden scenario-ufw-rules

# route allow also opens the backend to packets routed straight to it (no
# DNAT): what a neighbour on v0 can do.  fwaudit does not audit routed
# destinations yet (a limit of the engine, not of this scenario): the
# kernel's answers are printed, not compared.
pl_gen "$PT/r4" --proto tcp --dst "$BACK4" --src "$OUT4" --ports 80-81
pl_gen "$PT/r6" --proto tcp --dst "$BACK6" --src "$OUT6" --ports 80-81
pl_merge "$PT/routed" "$PT/r4" "$PT/r6"
ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout "$PL_TIMEOUT" \
	< "$PT/routed" > "$PT/routed.out"
"$PYTHON" -c 'import json,sys
for p in json.load(open(sys.argv[1])):
    print("  routed to the backend (not audited by fwaudit yet): tcp [%s]:%d from %s: %s"
          % (p["dst"], p["dport"], p["src"], p["outcome"]))' "$PT/routed.out"
fwa_finish
