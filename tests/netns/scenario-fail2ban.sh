#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scenario-fail2ban.sh - fail2ban (Debian's 1.0.2) bans against real
# packets, IPv4 and IPv6.  A real fail2ban-server runs in the node
# namespace with a copy of /etc/fail2ban (Debian's jail.conf and
# jail.d/defaults-debian.conf: the sshd jail enabled), its own socket, pid
# file and log, an in-memory database, and the sshd jail reading a log file
# of the test's (the host's logs and configuration are never read or
# written).  For each ban action:
#  - iptables-multiport (Debian's default banaction) and
#  - nftables (banaction = nftables-multiport: a table inet f2b-table, sets
#    of banned addresses),
#  - iptables-allports (Debian's banaction_allports, the recidive jail's),
#  - iptables-ipset-proto6 (an ipset f2b-sshd / f2b-sshd6 of banned
#    addresses and one "-m set --match-set f2b-sshd src" rule: the set's
#    contents decide it, auditd/readers/ipset.c),
# first the jail running with nothing banned (fail2ban's default: no rule
# at all), then `fail2ban-client set sshd banip` of one outside IPv4 and one
# IPv6 address, and a third source banned the real way: failed ssh logins
# in the jail's log: tcp/22 (every port with allports) must be closed to
# them and only to them, every other port and source untouched.  There is no other firewall: every port is
# open.  For each stage: every probe agrees with the kernel, the number of
# possible exposures is printed and must be 0, and the text audit is kept
# in tests/golden/scenario-fail2ban-*.text (GOLDEN=update).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

fwa_require_tools fail2ban-server fail2ban-client iptables ip6tables
[ -f /etc/fail2ban/jail.conf ] || fwa_skip "/etc/fail2ban/jail.conf missing (package fail2ban)"
pl_init
sc_fixed_lladdr

pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'udp:[::]:53'
# 2222/tcp: nothing listens
pl_std_probes "$PT/probes0" 22,80,2222,53
sc_ll_probes "$PT/ll" 22,80,2222,53 tcp,udp 0
pl_merge "$PT/probes" "$PT/probes0" "$PT/ll"
export PL_TIMEOUT=${PL_TIMEOUT:-2}
BAN4=$PUB4
BAN6=$PUB6
BANLOG=$PRIV4

F2B_PID=
# f2b_start BANACTION: a fail2ban-server in $NODE with the sshd jail and
# BANACTION; waits until the jail runs.
f2b_start() {
	local c=$PT/f2b-$1 i st

	rm -rf "$c"
	cp -a /etc/fail2ban "$c"
	cat > "$c/fail2ban.d/zz-fwaudit-test.local" <<EOF2
[Definition]
logtarget = $c.log
socket = $c.sock
pidfile = $c.pid
dbfile = :memory:
EOF2
	: > "$c.auth.log"
	cat > "$c/jail.d/zz-fwaudit-test.local" <<EOF2
[DEFAULT]
banaction = $1
backend = polling
# no name lookups: ignoreself resolves the host's own names, and in a
# namespace whose default route leads nowhere that is 20 s of DNS
# timeouts before the first failure is counted
ignoreself = false
usedns = no
[sshd]
enabled = true
logpath = $c.auth.log
EOF2
	fwa_bg F2B_PID ip netns exec "$NODE" fail2ban-server -xf -c "$c" \
		-s "$c.sock" -p "$c.pid" > "$c.out" 2>&1
	for ((i = 0; i < 150; i++)); do
		st=$(fail2ban-client -c "$c" -s "$c.sock" status sshd 2>/dev/null || true)
		case $st in *"Currently banned"*) break ;; esac
		kill -0 "$F2B_PID" 2>/dev/null || break
		sleep 0.1
	done
	case $st in *"Currently banned"*) ;;
	*) fwa_die "fail2ban-server ($1) did not start: $(tail -5 "$c.out" "$c.log")" ;;
	esac
	F2B_CONF=$c
	fwa_log "fail2ban-server $(fail2ban-server -V) running in $NODE (pid $F2B_PID), banaction $1"
}

# rs_has TEXT: the node's ruleset mentions TEXT (no pipe into grep -q:
# with pipefail, nft's SIGPIPE would make a match look like a failure)
rs_has() {
	ip netns exec "$NODE" nft list ruleset > "$PT/rs.txt" 2>/dev/null || true
	ip netns exec "$NODE" ipset list >> "$PT/rs.txt" 2>/dev/null || true
	grep -qF -- "$1" "$PT/rs.txt"
}

f2b() { fail2ban-client -c "$F2B_CONF" -s "$F2B_CONF.sock" "$@"; }

# f2b_ban ADDR...: ban, then wait until the ban action shows in the
# ruleset (fail2ban runs its actions in its own threads).
f2b_ban() {
	local a i

	for a in "$@"; do
		f2b set sshd banip "$a" > /dev/null
	done
	for a in "$@"; do
		for ((i = 0; i < 100; i++)); do
			rs_has "$a" && break
			sleep 0.1
		done
		rs_has "$a" ||
			fwa_die "the ban of $a does not show in the ruleset: $(tail -5 "$F2B_CONF.log")"
	done
	f2b status sshd | sed 's/^/  fail2ban: /'
}

# f2b_fail ADDR: six failed ssh logins from ADDR in the jail's log (sshd
# filter, maxretry 5); waits until the jail bans it.
f2b_fail() {
	local i now

	now=$(date '+%b %e %H:%M:%S')
	for i in 1 2 3 4 5 6; do
		echo "$now node sshd[4242]: Failed password for root from $1 port $((40000 + i)) ssh2"
	done >> "$F2B_CONF.auth.log"
	for ((i = 0; i < 150; i++)); do
		[ "$(f2b get sshd banned "$1" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	[ "$(f2b get sshd banned "$1" 2>/dev/null)" = 1 ] ||
		fwa_die "failed logins from $1 did not ban it: $(tail -5 "$F2B_CONF.log")"
	for ((i = 0; i < 100; i++)); do
		rs_has "$1" && break
		sleep 0.1
	done
	rs_has "$1" ||
		fwa_die "the ban of $1 does not show in the ruleset"
	fwa_log "failed logins from $1 banned it"
}

# f2b_stop: end the server by its pid; its actionstop removes its rules.
f2b_stop() {
	f2b stop > /dev/null 2>&1 || true
	fwa_stop "$F2B_PID" 10
	ip netns exec "$NODE" iptables -F 2>/dev/null || true
	ip netns exec "$NODE" ip6tables -F 2>/dev/null || true
	ip netns exec "$NODE" nft flush ruleset
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush
}

# stage LABEL GOLDEN: the checks of one stage
stage() {
	ip netns exec "$NODE" nft list ruleset | sed -n 's/^/  nft: /; 1,60p'
	pl_check "$1" "$PT/probes" || true
	sc_unknown "$1"
	sc_possible "$1"
	sc_golden "$2"
}

# ban_closed ACTION PORTS: the banned sources are closed on tcp/22 (and
# on every port with PORTS=all) and only there
ban_closed() {
	local a="$PT/ban.$1.json"

	pl_audit "$a"
	fwa_check "$a" "$1" <<EOF2 || _fwa_failures=$((_fwa_failures + 1))
import ipaddress
def covers(e, addr):
    a = ipaddress.ip_address(addr)
    return any(a in ipaddress.ip_network(s, strict=False) for s in e["sources"])
def rows(port, fam):
    return [e for e in J["exposures"] if e["protocol"] == "tcp" and e["family"] == fam
            and e["ports"][0] <= port <= e["ports"][1] and "v0" in e["interfaces"]]
allports = "$2" == "all"
for fam, addr, other in (("ipv4", "$BAN4", "$OUT4"), ("ipv4", "$BANLOG", "$OUT4"),
                         ("ipv6", "$BAN6", "$OUT6")):
    expect("%s: tcp/22 closed to the banned %s" % (fam, addr),
           rows(22, fam) and not any(covers(e, addr) for e in rows(22, fam)), rows(22, fam))
    expect("%s: tcp/22 still reachable from %s" % (fam, other),
           any(covers(e, other) for e in rows(22, fam)))
    if allports:
        expect("%s: tcp/80 closed to the banned %s too (allports)" % (fam, addr),
               rows(80, fam) and not any(covers(e, addr) for e in rows(80, fam)))
    else:
        expect("%s: tcp/80 still reachable from the banned %s" % (fam, addr),
               any(covers(e, addr) for e in rows(80, fam)))
EOF2
}

for action in iptables-multiport nftables-multiport iptables-allports \
	iptables-ipset-proto6; do
	f2b_start "$action"
	stage "fail2ban $action, nothing banned" "scenario-fail2ban-$action-default"
	f2b_ban "$BAN4" "$BAN6"
	f2b_fail "$BANLOG"
	stage "fail2ban $action, $BAN4, $BAN6 and $BANLOG banned" "scenario-fail2ban-$action-banned"
	case $action in
	*allports) ban_closed "$action" all ;;
	*) ban_closed "$action" 22 ;;
	esac
	f2b_stop
done
fwa_finish
