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
# Each: median and minimum wall time, minimum CPU time (user + system) and
# peak RSS of fwaudit audit.
#
# Usage: bench/audit.sh [FWAUDIT]   (default: $FWAUDIT, else ./fwaudit)
# Environment: ROUNDS (10), SIZES_DOCKER ("1000 5000"),
# SIZES_DOCKER_SCATTERED ("5000"), SIZES_KUBE ("1000 10000"), FWA_CORPUS.
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

cat > "$T/gen.py" <<'PY'
import sys

def docker(n, scattered=False):
    per = 1                      # one published port per container
    out = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
           ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ":DOCKER - [0:0]",
           "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
           "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
           "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
           "-A DOCKER -i docker0 -j RETURN"]
    filt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":DOCKER - [0:0]", ":DOCKER-FORWARD - [0:0]", ":DOCKER-ISOLATION-STAGE-1 - [0:0]",
            ":DOCKER-ISOLATION-STAGE-2 - [0:0]", ":DOCKER-USER - [0:0]",
            "-A FORWARD -j DOCKER-USER", "-A FORWARD -j DOCKER-FORWARD",
            "-A DOCKER-FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1",
            "-A DOCKER-FORWARD -o docker0 -j DOCKER",
            "-A DOCKER-FORWARD -i docker0 -j ACCEPT",
            "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2",
            "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP",
            "-A DOCKER-USER -j RETURN"]
    for i in range(n):
        ip = "172.17.%d.%d" % (2 + i // 250, 2 + i % 250)
        hp = 10000 + (i * 7919 % 50000 if scattered else i)
        cp = 80 if i % 3 else 6379
        out.append("-A DOCKER ! -i docker0 -p tcp -m tcp --dport %d -j DNAT --to-destination %s:%d" % (hp, ip, cp))
        filt.append("-A DOCKER -d %s/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport %d -j ACCEPT" % (ip, cp))
    filt.append("-A DOCKER ! -i docker0 -o docker0 -j DROP")
    return "\n".join(out + ["COMMIT"] + filt + ["COMMIT"]) + "\n"

def kube(n):
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]", ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]",
           ":KUBE-MARK-MASQ - [0:0]", ":KUBE-POSTROUTING - [0:0]"]
    rules = ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
             "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
             "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
             "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
             '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    chains = []
    nodeports = []
    for i in range(n):
        h = "%016X" % (i * 2654435761 % (1 << 64))
        svc, ext = "KUBE-SVC-" + h, "KUBE-EXT-" + h
        cip = "10.96.%d.%d" % (i // 250, 1 + i % 250)
        name = "ns%d/svc%d:http" % (i % 50, i)
        chains.append(svc)
        rules.append('-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment "%s cluster IP" -m tcp --dport 80 -j %s' % (cip, name, svc))
        # kube-proxy without --cluster-cidr: no per-service
        # "! -s <cluster cidr> -j KUBE-MARK-MASQ"; one service in three
        # has two endpoints (a statistic split)
        neps = 2 if i % 3 == 0 else 1
        for e in range(neps):
            sep = "KUBE-SEP-%016X" % ((i * 7 + e) * 2654435761 % (1 << 64))
            pod = "10.244.%d.%d" % ((i * 2 + e) // 250 % 256, 1 + (i * 2 + e) % 250)
            chains.append(sep)
            stat = ""
            if e < neps - 1:
                stat = " -m statistic --mode random --probability %.11f" % (1.0 / (neps - e))
            rules.append('-A %s -m comment --comment "%s -> %s:8080"%s -j %s' % (svc, name, pod, stat, sep))
            rules.append('-A %s -s %s/32 -m comment --comment "%s" -j KUBE-MARK-MASQ' % (sep, pod, name))
            rules.append('-A %s -p tcp -m comment --comment "%s" -m tcp -j DNAT --to-destination %s:8080' % (sep, name, pod))
        if i % 10 == 0:
            chains.append(ext)
            nodeports.append('-A KUBE-NODEPORTS -p tcp -m comment --comment "%s" -m tcp --dport %d -j %s' % (name, 30000 + i // 10, ext))
            rules.append('-A %s -m comment --comment "masquerade traffic for %s external destinations" -j KUBE-MARK-MASQ' % (ext, name))
            rules.append("-A %s -j %s" % (ext, svc))
    rules += nodeports
    rules.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    nat += [":%s - [0:0]" % c for c in chains] + rules + ["COMMIT"]
    filt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":KUBE-FORWARD - [0:0]",
            '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
            '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
            "COMMIT"]
    return "\n".join(nat + filt) + "\n"

kind, n = sys.argv[1], int(sys.argv[2])
sys.stdout.write(kube(n) if kind == "kube" else docker(n, kind == "docker-scattered"))
PY

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
