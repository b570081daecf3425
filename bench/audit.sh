#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/audit.sh - how fast the engine audits big rulesets, whole processes.
# Not part of make check, never a timed assertion; see bench/README.md.
#
#  1. chair: the corpus's chair ruleset (.loadable, 5,556 IPv4 + 6,203 IPv6
#     rules) in one namespace, alternating (the order flips every round):
#	A: fwaudit audit --no-rules --format json > /dev/null
#	B: iptables-nft-save > /dev/null; ip6tables-nft-save > /dev/null
#  2. docker-N: a synthetic Docker host with N published ports, generated
#     as iptables-restore input in Docker 28's shapes (nat DOCKER DNAT per
#     port, filter DOCKER ACCEPT per container, DOCKER-USER, DOCKER-FORWARD,
#     isolation chains), N = 1,000 and 5,000; no dockerd needed.
#     docker-N-scattered: the same with the host ports spread over
#     10000-59999 (as people publish them) instead of consecutive, N = 5,000.
#  3. kube-N: a synthetic kube-proxy (iptables mode) ruleset with N
#     services: KUBE-SERVICES -> KUBE-SVC-* (statistic --mode random
#     splits) -> KUBE-SEP-* (hairpin
#     KUBE-MARK-MASQ, DNAT to the pod), one service in ten also a NodePort
#     (KUBE-NODEPORTS -> KUBE-EXT-*), KUBE-FORWARD; N = 1,000 and 10,000
#     (about 53,000 rules).
#  4. blocklist-N: N random IPv4 sources dropped first in INPUT, then
#     ssh and http accepted and everything else dropped (a fail2ban or
#     CrowdSec host): as an nft set (`ip saddr @bl drop`; B: nft list
#     ruleset) and as an ipset with iptables-nft `-m set` (B: ipset save;
#     iptables-nft-save); N = 20,000 and 100,000.
# Each: median and minimum wall time, minimum CPU time (user + system) and
# peak RSS of fwaudit audit.
#
# Usage: bench/audit.sh [FWAUDIT]   (default: $FWAUDIT, else ./fwaudit)
# Environment: ROUNDS (10), SIZES_DOCKER ("1000 5000"),
# SIZES_DOCKER_SCATTERED ("5000"), SIZES_KUBE ("1000 10000"),
# SIZES_BLOCKLIST ("20000 100000"), FWA_CORPUS.
set -euo pipefail
BIN=${1:-${FWAUDIT:-./fwaudit}}
# shellcheck source=tests/netns/lib.sh
. "$(cd "$(dirname "$0")/.." && pwd)/tests/netns/lib.sh"
FWA_NAME=bench-audit
FWAUDIT=$(readlink -f "$BIN")
ROUNDS=${ROUNDS:-10}
fwa_require_root
fwa_require_tools "$PYTHON" iptables-nft-restore ip6tables-nft-restore \
	iptables-nft-save ip6tables-nft-save nft
[ -x "$FWAUDIT" ] || fwa_skip "fwaudit binary not found ($FWAUDIT)"
if nm -a "$FWAUDIT" 2>/dev/null | grep -q __asan_init; then
	fwa_log "WARNING: this fwaudit is built with sanitizers; numbers are not representative"
fi
fwa_tmpdir T

cp "$(dirname "$0")/gen-ruleset.py" "$T/gen.py"

cat > "$T/time.py" <<'PY'
import os, statistics, subprocess, sys, time
rounds = int(sys.argv[1]); label = sys.argv[2]; a = sys.argv[3]; b = sys.argv[4] if len(sys.argv) > 4 else ""
devnull = os.open(os.devnull, os.O_WRONLY)
def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=devnull)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) >= 3:
        sys.exit("%s: exit %d" % (cmd, os.waitstatus_to_exitcode(status)))
    return t, ru.ru_maxrss, ru.ru_utime + ru.ru_stime
ta, tb, ra, rb, ca = [], [], [], [], []
run(a)
for i in range(rounds):
    order = [("a", a), ("b", b)] if i % 2 == 0 else [("b", b), ("a", a)]
    for k, c in order:
        if not c:
            continue
        t, r, cpu = run(c)
        (ta if k == "a" else tb).append(t); (ra if k == "a" else rb).append(r)
        if k == "a":
            ca.append(cpu)
# cpu: user + system time of the process (and its children), which other
# load on the machine disturbs much less than the wall time
line = "%-14s fwaudit audit: median %7.1f ms  min %7.1f ms  cpu min %7.1f ms  peak RSS %6.1f MiB" % (
    label, 1000 * statistics.median(ta), 1000 * min(ta), 1000 * min(ca), max(ra) / 1024)
if tb:
    line += " | save: median %6.1f ms  min %6.1f ms  RSS %5.1f MiB | ratio %.2f" % (
        1000 * statistics.median(tb), 1000 * min(tb), max(rb) / 1024,
        statistics.median(ta) / statistics.median(tb))
print(line, flush=True)
PY

# uplink NS: a default route through eth0, as a host on the Internet has
# (without one, only sources on eth0's own network could be answered)
uplink() {
	ip -n "$1" route add default via 198.51.100.254
}

AUDIT="$FWAUDIT audit --no-rules --format json"
CORPUS=$(fwa_corpus)
CHAIR="$CORPUS/net-network/configs_chair_for_Network_Architectures_and_Services"
if [ -n "$CORPUS" ] && [ -f "$CHAIR/iptables-save-2016-06-27_16-29-01.loadable" ]; then
	fwa_ns_new NS chair
	fwa_dummy "$NS" eth0 198.51.100.1/24
	uplink "$NS"
	fwa_nsx "$NS" iptables-nft-restore < "$CHAIR/iptables-save-2016-06-27_16-29-01.loadable"
	fwa_nsx "$NS" ip6tables-nft-restore < "$CHAIR/ip6tables-save-2016-06-27_16-29-01.loadable"
	fwa_nsx "$NS" "$PYTHON" "$T/time.py" "$ROUNDS" chair "$AUDIT" \
		"iptables-nft-save; ip6tables-nft-save"
	fwa_ns_del "$NS"
else
	fwa_log "corpus not found: chair skipped"
fi
docker_sizes() {
	local n

	for n in ${SIZES_DOCKER:-1000 5000}; do
		echo "docker $n"
	done
	for n in ${SIZES_DOCKER_SCATTERED:-5000}; do
		echo "docker-scattered $n"
	done
}
while read -r kind n <&3; do
	fwa_ns_new NS docker
	fwa_dummy "$NS" eth0 198.51.100.1/24
	uplink "$NS"
	ip -n "$NS" link add docker0 type bridge
	ip -n "$NS" addr add 172.17.0.1/16 dev docker0
	ip -n "$NS" link set docker0 up
	fwa_nsx "$NS" sysctl -qw net.ipv4.ip_forward=1
	"$PYTHON" "$T/gen.py" "$kind" "$n" > "$T/rules"
	fwa_nsx "$NS" iptables-nft-restore < "$T/rules"
	label=docker-$n
	[ "$kind" = docker ] || label=docker-$n-sc
	fwa_nsx "$NS" "$PYTHON" "$T/time.py" "$ROUNDS" "$label" "$AUDIT" "iptables-nft-save"
	fwa_ns_del "$NS"
done 3< <(docker_sizes)
for n in ${SIZES_KUBE:-1000 10000}; do
	fwa_ns_new NS kube
	fwa_dummy "$NS" eth0 198.51.100.1/24
	uplink "$NS"
	fwa_dummy "$NS" cni0 10.244.0.1/16
	fwa_nsx "$NS" sysctl -qw net.ipv4.ip_forward=1
	"$PYTHON" "$T/gen.py" kube "$n" > "$T/rules"
	fwa_nsx "$NS" iptables-nft-restore < "$T/rules"
	nr=$(fwa_nsx "$NS" iptables-nft-save | grep -c '^-A')
	fwa_nsx "$NS" "$PYTHON" "$T/time.py" "$ROUNDS" "kube-$n($nr)" "$AUDIT" "iptables-nft-save"
	fwa_ns_del "$NS"
done
for n in ${SIZES_BLOCKLIST:-20000 100000}; do
	"$PYTHON" - "$n" "$T/bl.nft" "$T/bl.ipset" <<'PY'
import random, sys
n = int(sys.argv[1]); random.seed(n)
s = set()
while len(s) < n:
    s.add((random.randrange(1, 223) << 24) | random.randrange(1 << 24))
a = ["%d.%d.%d.%d" % (x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255) for x in sorted(s)]
with open(sys.argv[2], "w") as f:
    f.write("table ip bl {\n set bl { type ipv4_addr; elements = { %s }; }\n"
            " chain input { type filter hook input priority 0; policy drop;\n"
            "  ip saddr @bl drop\n  tcp dport { 22, 80 } accept\n }\n}\n" % ", ".join(a))
with open(sys.argv[3], "w") as f:
    f.write("create bl hash:ip maxelem %d\n" % (2 * n))
    f.write("".join("add bl %s\n" % x for x in a))
PY
	fwa_ns_new NS blocklist
	fwa_dummy "$NS" eth0 198.51.100.1/24
	uplink "$NS"
	fwa_nsx "$NS" nft -f "$T/bl.nft"
	fwa_nsx "$NS" "$PYTHON" "$T/time.py" "$ROUNDS" "blocklist-$n-nft" "$AUDIT" "nft list ruleset"
	fwa_nsx "$NS" nft flush ruleset
	fwa_nsx "$NS" ipset restore < "$T/bl.ipset"
	fwa_nsx "$NS" iptables-nft -A INPUT -m set --match-set bl src -j DROP
	fwa_nsx "$NS" iptables-nft -A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
	fwa_nsx "$NS" iptables-nft -P INPUT DROP
	fwa_nsx "$NS" "$PYTHON" "$T/time.py" "$ROUNDS" "blocklist-$n-ipset" "$AUDIT" "ipset save; iptables-nft-save"
	fwa_ns_del "$NS"
done
