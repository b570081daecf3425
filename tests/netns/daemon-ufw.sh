#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-ufw.sh - fwauditd on a node with the real ufw (issue
# 13).  ufw keeps its rules in chains of iptables-nft's ip filter and ip6
# filter tables, which hold FORWARD and OUTPUT chains too; a command such
# as `ufw allow 8080/tcp` changes ufw-user-input, which only INPUT reaches,
# and `ufw route allow ...` ufw-user-forward, which only FORWARD reaches.
# The daemon reads such a table again and finds its other chains unchanged
# by their contents, so it starts its walks at LOCAL_IN, or at FORWARD
# (auditd/engine/resume.c).  ufw's default configuration first (deny
# incoming, deny routed, IPV6=yes), with a port DNATed to a backend behind
# the node (iptables-nft's nat table, IPv4 and IPv6), then its common
# commands:
#   1. after each command the daemon's result equals a fresh one-shot
#      audit (time aside), and real probes from outside agree with that
#      audit (probe-lib's pl_check), IPv4 and IPv6;
#   2. the daemon started walks at LOCAL_IN (its exit line), and its
#      cross-checks against full reads found no difference.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probe-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=tests/netns/ufw-lib.sh
. "$(dirname "$0")/ufw-lib.sh"

dmn_require
fwa_require_tools ufw unshare mount setpriv iptables-nft
pl_init
T=$PT
dmn_journald
dmn_notify_listen "$T/notify"
FWAUDIT_BIN=${FWAUDIT:-${top_builddir:-$top_srcdir}/fwaudit}

# -- ufw, default configuration, in the node (private copies of its files) --
ufw_private
ufw_node ufw --force enable > /dev/null
ufw_node ufw allow 22/tcp > /dev/null
ufw_node ufw status verbose > "$T/ufw.status"
grep -q '^Default: deny (incoming)' "$T/ufw.status" ||
	fwa_die "ufw did not take its defaults: $(cat "$T/ufw.status")"
pl_serve 'tcp:[::]:22' 'tcp:[::]:8080' 'tcp:[::]:9090' 'udp:[::]:5353'
# tcp/8000 of the node DNATed to a backend behind it: what ufw's route
# rules decide (its FORWARD chains)
sc_backend
sc_back_serve 'tcp:[::]:80'
fwa_nsx "$NODE" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
fwa_nsx "$NODE" iptables-nft -t nat -A PREROUTING -p tcp --dport 8000 \
	-j DNAT --to-destination "$BACK4:80"
fwa_nsx "$NODE" ip6tables-nft -t nat -A PREROUTING -p tcp --dport 8000 \
	-j DNAT --to-destination "[$BACK6]:80"
pl_settle

cat > "$T/rules" <<'EOF'
allow tcp 22 from any
default alert warning
EOF
cat > "$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = $PL_IF
docker = no
debounce_ms = 50
poll_interval_ms = 500
crosscheck_interval_s = 1
user = root
EOF
dmn_start D "$NODE" "$T/fwauditd.conf" FWAUDITD_RESULT_FILE="$T/result.json"
dmn_wait_notify "$T/notify" '^READY=1' 30 ||
	fwa_die "no READY=1: $(cat "$T/daemon.err")"

# same: the daemon's result equals a fresh audit (with the capabilities
# fwauditd keeps), waiting for it at most 20 s (daemon-incr.py's
# comparison, no changes of its own)
same() {
	ip netns exec "$NODE" "$PYTHON" "$top_srcdir/tests/netns/daemon-incr.py" \
		0 0 "$T/result.json" 0 \
		setpriv --bounding-set=-all,+net_admin,+net_raw,+dac_read_search \
		"$FWAUDIT_BIN" audit --rules "$T/rules" --interface "$PL_IF" \
		--format json
}

pl_std_probes "$T/probes" 22,8000,8080,8081,9090,5353
step=0
for cmd in "allow 8080/tcp" "deny 8080/tcp" "allow 9090/tcp" \
	"route allow proto tcp to any port 80" \
	"allow from $OUT4 to any port 8080 proto tcp" \
	"route deny proto tcp from $OUT4 to any port 80" \
	"delete allow 9090/tcp" "allow 5353/udp" "limit 22/tcp" \
	"route delete allow proto tcp to any port 80" \
	"delete deny 8080/tcp"; do
	step=$((step + 1))
	# shellcheck disable=SC2086
	ufw_node ufw $cmd > /dev/null
	if out=$(same); then
		fwa_pass "ufw $cmd: the daemon's result equals a fresh audit"
	else
		fwa_fail "ufw $cmd: the daemon's result differs: $out"
	fi
	pl_check "ufw $cmd: real probes, IPv4 and IPv6" "$T/probes"
done

sleep 2		# a cross-check or two of the last state
fwa_stop "$D"
D_ERR=$(cat "$T/daemon.err")
if grep -Eq 'Sanitizer|runtime error' <<<"$D_ERR"; then
	fwa_fail "sanitizer report: $(grep -E -m3 'Sanitizer|runtime error|#[0-3] ' <<<"$D_ERR")"
fi
dmn_counts "$D_ERR"
fwa_log "$DMN_LINE"
if [ -n "$DMN_CHECKS" ] && [ "$DMN_CHECKS" -gt 0 ] && [ "$DMN_DIFFS" = 0 ]; then
	fwa_pass "$DMN_CHECKS cross-checks against full reads, no difference"
else
	fwa_fail "cross-checks: '$DMN_LINE'"
fi
# 11 commands, each at least one audit of 6 walks (IPv4 and IPv6 x TCP,
# UDP, SCTP) that may start at LOCAL_IN or FORWARD
if [ -n "$DMN_RESUMED" ] && [ "$DMN_RESUMED" -ge 33 ]; then
	fwa_pass "$DMN_RESUMED walks started at LOCAL_IN for $step ufw commands"
else
	fwa_fail "ufw's commands did not start walks at LOCAL_IN: '$DMN_LINE'"
fi
if [ -n "$DMN_RESUMED_FWD" ] && [ "$DMN_RESUMED_FWD" -ge 6 ]; then
	fwa_pass "$DMN_RESUMED_FWD of them at FORWARD (ufw route)"
else
	fwa_fail "ufw's route commands did not start walks at FORWARD: '$DMN_LINE'"
fi
fwa_finish
