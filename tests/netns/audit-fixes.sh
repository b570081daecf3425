#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-fixes.sh - the fixes fwaudit suggests, applied for real.  For each
# backend that can own the path of an exposure:
#	nft		a native nftables input chain
#	iptables	plain iptables INPUT (iptables-nft)
#	legacy		plain iptables INPUT (iptables-legacy)
#	ufw		real ufw managing INPUT (its /etc/ufw, /etc/default/ufw,
#			/lib/ufw and /run are private copies in a mount
#			namespace of its own: the host's are never touched)
#	dnat		a DNAT to a backend namespace, no Docker (the fix is a
#			forward chain of its own)
#	docker		a port published by a real dockerd running in the node
#			namespace (its fix goes to DOCKER-USER)
# the node ($NODE, probe-lib.sh) exposes tcp/6379 (tcp/8080 for dnat) to
# everyone, which the policy (tests/golden/audit-fixes.rules) says is
# critical except from 10.0.0.0/8, and an allowed port (80 or 8081).  The
# test takes the fix of that violation from --format json
# (violations[].fix.commands), checks its backend, runs its commands in the
# node namespace, and proves with real connections from the outside
# namespace that
#  - before: the public source and the private one reach both ports;
#  - after: the public sources no longer reach the violating port, the
#    private source still does, the allowed port is still reachable from
#    all, and IPv6 (a separate violation, not fixed here) is unchanged;
#  - fwaudit no longer reports that violation (and still reports the IPv6
#    one where there is one).
# FWA_FIX_BACKENDS="nft iptables legacy ufw dnat docker" (default) selects.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/ufw-lib.sh
. "$(dirname "$0")/ufw-lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft iptables-nft iptables-legacy \
	ip6tables-nft ip6tables-legacy unshare mount timeout
fwa_require_fwaudit
POLICY=$top_srcdir/tests/golden/audit-fixes.rules
[ -r "$POLICY" ] || fwa_die "missing $POLICY"
fwa_tmpdir W

# audit OUT: fwaudit audit --format json in $NODE with the test policy
audit() {
	local rc=0

	ip netns exec "$NODE" "$FWAUDIT" audit --rules "$POLICY" --format json \
		> "$1" 2> "$1.err" || rc=$?
	[ "$rc" -lt 3 ] || fwa_die "fwaudit audit exited $rc: $(head -3 "$1.err")"
}

# fix_of FILE PORT PATH: the fix of the IPv4 violation of tcp/PORT on
# PATH (local, forward; not by direct routing, which direct-routing.sh
# covers): "BACKEND" then one command a line
fix_of() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, sys
j, port = json.load(open(sys.argv[1])), int(sys.argv[2])
v = [v for v in j["violations"] if v["kind"] == "exposure" and v["family"] == "ipv4"
     and v["protocol"] == "tcp" and v["ports"][0] <= port <= v["ports"][1]
     and v["path"] == sys.argv[3]
     and j["exposures"][v["exposure"]].get("route") != "direct"]
if len(v) != 1 or not v[0]["fix"]:
    sys.exit("expected one IPv4 violation of tcp/%d with a fix, found %r" % (port, v))
print(v[0]["fix"]["backend"])
for c in v[0]["fix"]["commands"]:
    print(c)
PY
}

# violations FILE FAMILY PORT PATH: how many violations of tcp/PORT
violations() {
	"$PYTHON" -c 'import json,sys
j=json.load(open(sys.argv[1])); p=int(sys.argv[3])
print(len([v for v in j["violations"] if v["kind"] == "exposure" and v["family"] == sys.argv[2]
           and v["protocol"] == "tcp" and v["ports"][0] <= p <= v["ports"][1]
           and v["path"] == sys.argv[4]]))' "$@"
}

# run one command of a fix in the node (ufw through its wrapper)
apply() {
	case $1 in
	ufw\ *) ufw_node sh -c "$1" ;;
	*) ip netns exec "$NODE" sh -c "$1" ;;
	esac
}

# --- backends: each sets up $NODE and sets PORT, OTHER, V6 (whether the
# port is also reachable over IPv6) and WANT (the fix's backend)

setup_nft() {
	fwa_nsx "$NODE" nft -f - <<'R'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport { 22, 80, 6379 } accept
	}
}
R
	pl_serve 'tcp:[::]:80' 'tcp:[::]:6379'
	PORT=6379 OTHER=80 V6=yes WANT=nftables
}

_setup_iptables() {
	local v4=$1 v6=$2

	for t in "$v4" "$v6"; do
		fwa_nsx "$NODE" "$t" -P INPUT DROP
		fwa_nsx "$NODE" "$t" -A INPUT -i lo -j ACCEPT
		fwa_nsx "$NODE" "$t" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	done
	fwa_nsx "$NODE" "$v6" -A INPUT -p ipv6-icmp -j ACCEPT
	for t in "$v4" "$v6"; do
		fwa_nsx "$NODE" "$t" -A INPUT -p tcp -m multiport --dports 22,80,6379 -j ACCEPT
	done
	pl_serve 'tcp:[::]:80' 'tcp:[::]:6379'
	PORT=6379 OTHER=80 V6=yes WANT=iptables
}
setup_iptables() { _setup_iptables iptables-nft ip6tables-nft; }
setup_legacy() { _setup_iptables iptables-legacy ip6tables-legacy; }

setup_ufw() {
	# a default deny on input, IPv6 on
	ufw_private 's|^DEFAULT_INPUT_POLICY=.*|DEFAULT_INPUT_POLICY="DROP"|' \
		's|^IPV6=.*|IPV6=yes|'
	ufw_node ufw --force enable > /dev/null
	for p in 22/tcp 80/tcp 6379/tcp; do
		ufw_node ufw allow "$p" > /dev/null
	done
	pl_serve 'tcp:[::]:80' 'tcp:[::]:6379'
	PORT=6379 OTHER=80 V6=yes WANT=ufw
}

setup_dnat() {
	local pid

	fwa_ns_new BK backend
	fwa_veth "$NODE" bk0 10.77.0.1/24 "$BK" eth0 10.77.0.2/24
	ip -n "$BK" route add default via 10.77.0.1
	fwa_nsx "$NODE" sysctl -qw net.ipv4.ip_forward=1
	fwa_nsx "$NODE" nft -f - <<'R'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "v0" tcp dport 8080 dnat to 10.77.0.2:80
		iifname "v0" tcp dport 8081 dnat to 10.77.0.2:81
	}
}
R
	fwa_bg pid ip netns exec "$BK" "$PYTHON" "$PROBE_PY" serve \
		tcp:0.0.0.0:80 tcp:0.0.0.0:81 > "$W/bk.serve" 2>&1
	SCEN_PIDS="${SCEN_PIDS:-} $pid"
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$W/bk.serve" && break
		sleep 0.05
	done
	PORT=8080 OTHER=8081 V6=no WANT=nftables-forward PATHKIND=forward
}

setup_docker() {
	DOCKER=${DOCKER:-$(command -v docker || true)}
	DOCKERD=${DOCKERD:-$(command -v dockerd || true)}
	BUSYBOX=/bin/busybox
	if [ -z "$DOCKER" ] || [ -z "$DOCKERD" ] || [ ! -x "$BUSYBOX" ] ||
	   ldd "$BUSYBOX" >/dev/null 2>&1; then
		echo "SKIP: docker: needs docker, dockerd and a static /bin/busybox"
		return 1
	fi
	if ! dk_launch "$NODE" nft '{}' --bip=10.99.0.1/24; then
		echo "SKIP: docker: dockerd did not start in the namespace (log above)"
		return 1
	fi
	SCEN_PIDS="${SCEN_PIDS:-} $DK_PID"
	DK_TEARDOWN="timeout 60 ${DK[*]} rm -f fwa-fix-redis fwa-fix-web"
	dk_image
	if ! dk_try_run fwa-fix-redis -p 6379:6379 fwa-busybox:test \
		/bin/busybox httpd -f -p 6379 ||
	   ! dk_try_run fwa-fix-web -p 8081:80 fwa-busybox:test \
		/bin/busybox httpd -f -p 80; then
		echo "SKIP: docker: docker run failed in the namespace (output above)"
		return 1
	fi
	PORT=6379 OTHER=8081 V6=no WANT=docker-user PATHKIND=forward
}

scenario() {
	local be=$1 a b n cmd backend
	local -a cmds

	pl_init
	fwa_log "--- $be"
	PL_LAST_SERVE=
	PATHKIND=local
	if ! "setup_$be"; then
		teardown
		return 0
	fi
	SCEN_PIDS="${SCEN_PIDS:-} $PL_LAST_SERVE"
	local -a v6=()
	[ "$V6" = no ] || v6=("$PUB6" "$NODE6" "$PORT" open "$PUB6" "$NODE6" "$OTHER" open)
	pl_expect_tcp "$be, before" \
		"$PUB4" "$NODE4" "$PORT" open "$PRIV4" "$NODE4" "$PORT" open \
		"$PUB4" "$NODE4" "$OTHER" open ${v6[@]+"${v6[@]}"}
	a=$W/$be.before.json
	audit "$a"
	if ! fix_of "$a" "$PORT" "$PATHKIND" > "$W/$be.fix"; then
		fwa_fail "$be: $(cat "$W/$be.fix")"
		teardown
		return 0
	fi
	backend=$(head -1 "$W/$be.fix")
	mapfile -t cmds < <(tail -n +2 "$W/$be.fix")
	if [ "$backend" = "$WANT" ]; then
		fwa_pass "$be: the fix's backend is $backend"
	else
		fwa_fail "$be: the fix's backend is $backend, expected $WANT"
	fi
	for cmd in "${cmds[@]}"; do
		fwa_log "$be: applying: $cmd"
		if ! apply "$cmd" > "$W/$be.apply" 2>&1; then
			fwa_fail "$be: the suggested command failed: $cmd: $(head -3 "$W/$be.apply")"
			teardown
			return 0
		fi
	done
	fwa_pass "$be: the ${#cmds[@]} suggested command(s) ran"
	# conntrack entries of the probes before must not decide the after
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
	pl_expect_tcp "$be, after" \
		"$PUB4" "$NODE4" "$PORT" closed "$OUT4" "$NODE4" "$PORT" closed \
		"$PRIV4" "$NODE4" "$PORT" open \
		"$PUB4" "$NODE4" "$OTHER" open "$OUT4" "$NODE4" "$OTHER" open \
		"$PRIV4" "$NODE4" "$OTHER" open ${v6[@]+"${v6[@]}"}
	b=$W/$be.after.json
	audit "$b"
	n=$(violations "$b" ipv4 "$PORT" "$PATHKIND")
	if [ "$n" -eq 0 ]; then
		fwa_pass "$be: fwaudit no longer reports the IPv4 violation of tcp/$PORT"
	else
		fwa_fail "$be: fwaudit still reports $n IPv4 violation(s) of tcp/$PORT"
	fi
	"$PYTHON" -c 'import json,sys
j=json.load(open(sys.argv[1])); p=int(sys.argv[2])
r=[e for e in j["exposures"] if e["family"]=="ipv4" and e["protocol"]=="tcp" and e["ports"][0]<=p<=e["ports"][1]
   and e["path"]==sys.argv[3]]
sys.exit(0 if r and all(e["policy"]["verdict"]=="allowed" for e in r) else 1)' "$b" "$PORT" "$PATHKIND" &&
		fwa_pass "$be: tcp/$PORT is still an (allowed) exposure from the private sources" ||
		fwa_fail "$be: tcp/$PORT should stay reachable from 10.0.0.0/8 in fwaudit's view"
	if [ "$V6" = yes ]; then
		n=$(violations "$b" ipv6 "$PORT" "$PATHKIND")
		[ "$n" -ge 1 ] &&
			fwa_pass "$be: the IPv6 violation of tcp/$PORT (not fixed) is still reported" ||
			fwa_fail "$be: the IPv6 violation of tcp/$PORT vanished"
	fi
	teardown
}

# end what the scenario started, by PID, before its namespaces go
teardown() {
	local pid

	[ -z "${DK_TEARDOWN:-}" ] || eval "$DK_TEARDOWN" >/dev/null 2>&1 || true
	DK_TEARDOWN=
	for pid in ${SCEN_PIDS:-}; do
		fwa_stop "$pid"
	done
	SCEN_PIDS=
	[ -z "${BK:-}" ] || fwa_ns_del "$BK"
	BK=
	fwa_ns_del "$OUT"
	fwa_ns_del "$NODE"
}

for be in ${FWA_FIX_BACKENDS:-nft iptables legacy ufw dnat docker}; do
	case $be in
	nft|iptables|legacy|dnat|docker) scenario "$be" ;;
	ufw)
		if command -v ufw >/dev/null 2>&1; then
			scenario ufw
		else
			echo "SKIP: ufw: no ufw (Debian package ufw)"
		fi
		;;
	*) fwa_die "unknown backend '$be' in FWA_FIX_BACKENDS" ;;
	esac
done
fwa_finish
