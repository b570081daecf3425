#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/ruleset.sh - how fast fwaudit reads a big ruleset, against the tools
# operators already use.  Not part of make check; see bench/README.md.
#
# Loads the chair ruleset of the corpus (the .loadable copies: 5,556 IPv4
# rules with iptables-nft-restore, 6,203 IPv6 rules with
# ip6tables-nft-restore) into one scratch network namespace, then times,
# as whole processes, alternating (the order flips every round):
#	A: fwaudit ruleset --format json > /dev/null
#	B: iptables-nft-save > /dev/null; ip6tables-nft-save > /dev/null
# and reports median and minimum wall time, the ratio A/B, and the peak RSS
# of each process (getrusage of the child, what /usr/bin/time -f %M shows).
#
# Usage: bench/ruleset.sh [FWAUDIT]    (default: $FWAUDIT, else ./fwaudit)
# Environment: ROUNDS (20), FWA_CORPUS (default: <srcdir>/../shared/corpus),
# NFT_ROUNDS (3: rounds of nft -j list ruleset, for reference; 0 = skip).
set -euo pipefail
BIN=${1:-${FWAUDIT:-./fwaudit}}
# shellcheck source=tests/netns/lib.sh
. "$(cd "$(dirname "$0")/.." && pwd)/tests/netns/lib.sh"
FWA_NAME=bench

FWAUDIT=$(readlink -f "$BIN")
ROUNDS=${ROUNDS:-20}
NFT_ROUNDS=${NFT_ROUNDS:-3}
fwa_require_root
fwa_require_tools "$PYTHON" iptables-nft-restore ip6tables-nft-restore \
	iptables-nft-save ip6tables-nft-save nft
[ -x "$FWAUDIT" ] || fwa_skip "fwaudit binary not found ($FWAUDIT)"
CORPUS=$(fwa_corpus)
CHAIR="$CORPUS/net-network/configs_chair_for_Network_Architectures_and_Services"
V4="$CHAIR/iptables-save-2016-06-27_16-29-01.loadable"
V6="$CHAIR/ip6tables-save-2016-06-27_16-29-01.loadable"
if [ -z "$CORPUS" ] || [ ! -f "$V4" ] || [ ! -f "$V6" ]; then
	fwa_skip "corpus not found (${FWA_CORPUS:-$top_srcdir/../shared/corpus})"
fi

fwa_ns_new NS bench
fwa_nsx "$NS" iptables-nft-restore < "$V4"
fwa_nsx "$NS" ip6tables-nft-restore < "$V6"
n4=$(fwa_nsx "$NS" iptables-nft-save | grep -c '^-A' || true)
n6=$(fwa_nsx "$NS" ip6tables-nft-save | grep -c '^-A' || true)
fwa_log "loaded $n4 IPv4 + $n6 IPv6 rules into $NS"
fwa_log "fwaudit: $FWAUDIT"
if nm -a "$FWAUDIT" 2>/dev/null | grep -q __asan_init; then
	fwa_log "WARNING: this fwaudit is built with sanitizers; numbers are not representative"
fi

# the timing loop runs inside the namespace, so that ip netns exec's own
# cost is in neither measurement
fwa_nsx "$NS" "$PYTHON" - "$FWAUDIT" "$ROUNDS" "$NFT_ROUNDS" "$n4" "$n6" <<'EOF'
import json, os, statistics, subprocess, sys, time

fwaudit, rounds, nft_rounds, n4, n6 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
devnull = os.open(os.devnull, os.O_WRONLY)

def run(argv, stdout=devnull):
    """wall seconds and peak RSS (KiB) of one whole process"""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=stdout, stderr=devnull)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("%s exited %d" % (" ".join(argv), p.returncode))
    return t, ru.ru_maxrss

def a():
    return run([fwaudit, "ruleset", "--format", "json"])

def b():
    t1, r1 = run(["iptables-nft-save"])
    t2, r2 = run(["ip6tables-nft-save"])
    return t1 + t2, max(r1, r2)

# sanity: fwaudit sees every rule.  Checked in a child: a process's peak
# RSS (ru_maxrss) includes the high-water mark of whatever forked it, so
# this process must never hold the 7 MB document (or its parsed form).
subprocess.run([sys.executable, "-c", """
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "ruleset", "--format", "json"], capture_output=True, check=True).stdout
j = json.loads(out)
seen = {f: sum(len(c["rules"]) for c in j["chains"] if c["family"] == f and c["source"] == "nftables")
        for f in ("ip", "ip6")}
n4, n6 = int(sys.argv[2]), int(sys.argv[3])
print("fwaudit reports %d IPv4 + %d IPv6 rules (save: %d + %d), JSON %d KiB"
      % (seen["ip"], seen["ip6"], n4, n6, len(out) // 1024))
if (seen["ip"], seen["ip6"]) != (n4, n6):
    print("WARNING: rule counts differ")
""", fwaudit, str(n4), str(n6)], check=True)
sys.stdout.flush()

# warm up caches once each
a(); b()
ta, tb, ra, rb = [], [], [], []
for i in range(rounds):
    for f in ((a, b) if i % 2 == 0 else (b, a)):
        t, r = f()
        (ta if f is a else tb).append(t)
        (ra if f is a else rb).append(r)
def ms(x):
    return "%.1f ms" % (x * 1000)
print("rounds: %d, alternating" % rounds)
print("%-52s median %-9s min %-9s peak RSS %d KiB" % ("A fwaudit ruleset --format json", ms(statistics.median(ta)), ms(min(ta)), max(ra)))
print("%-52s median %-9s min %-9s peak RSS %d KiB" % ("B iptables-nft-save; ip6tables-nft-save", ms(statistics.median(tb)), ms(min(tb)), max(rb)))
print("ratio A/B: median %.2f, min %.2f (target <= 1.0)" % (statistics.median(ta) / statistics.median(tb), min(ta) / min(tb)))
if nft_rounds > 0:
    tn = [run(["nft", "-j", "list", "ruleset"])[0] for _ in range(nft_rounds)]
    print("for reference, nft -j list ruleset: median %s over %d rounds" % (ms(statistics.median(tn)), nft_rounds))
EOF
if [ -x /usr/bin/time ]; then
	fwa_log "cross-check with /usr/bin/time -f %M (KiB):" \
		"$(fwa_nsx "$NS" /usr/bin/time -f %M "$FWAUDIT" ruleset --format json 2>&1 >/dev/null | tail -1)"
fi
