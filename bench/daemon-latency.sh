#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/daemon-latency.sh - how quickly fwauditd reports a change, and what
# it costs while nothing happens.  Not part of make check; see
# bench/README.md.
#
# In one scratch namespace (with a private journald when none runs):
#   1. N changes with `nft add rule` (each opens one more port, allowed by
#      the policy), spaced by SPACING seconds so that each is its own audit;
#      latency = journal receive time (__REALTIME_TIMESTAMP) of the first
#      exposure_opened entry for that port - the moment `nft` returned (the
#      commit).  p50/p90/p99/max.
#   2. the same with `iptables -A` (iptables-nft: nftables events);
#   3. LEGACY_N changes with `iptables-legacy -A` (no events: found by the
#      poll timer, poll_interval_ms = POLL_MS);
#   4. the chair ruleset of the corpus loaded (iptables-nft-restore, 5,556 +
#      6,203 rules): RSS, then CPU time (utime+stime from /proc/PID/stat) and
#      context switches (voluntary = wakeups) over IDLE seconds of quiet.
#
# Usage: bench/daemon-latency.sh [FWAUDITD]   (default: $FWAUDITD, else ./fwauditd)
# Environment: N (100), LEGACY_N (20), SPACING (0.15), POLL_MS (2000),
# IDLE (60), FWA_CORPUS.
set -euo pipefail
BIN=${1:-${FWAUDITD:-./fwauditd}}
. "$(cd "$(dirname "$0")/.." && pwd)/tests/netns/lib.sh"
FWA_NAME=bench-daemon
FWAUDITD=$(readlink -f "$BIN")
. "$top_srcdir/tests/netns/daemon-lib.sh"
N=${N:-100}
LEGACY_N=${LEGACY_N:-20}
SPACING=${SPACING:-0.15}
POLL_MS=${POLL_MS:-2000}
IDLE=${IDLE:-60}

dmn_require
fwa_require_tools iptables-nft iptables-legacy iptables-nft-restore ip6tables-nft-restore
fwa_tmpdir T
dmn_journald
if nm -a "$FWAUDITD" 2>/dev/null | grep -q __asan_init; then
	fwa_log "WARNING: fwauditd is built with sanitizers; numbers are not representative"
fi

fwa_ns_new NS bench
fwa_ns_new PEER peer
fwa_veth "$NS" eth0 198.51.100.1/24 "$PEER" eth0 198.51.100.2/24
fwa_nsx "$NS" nft -f - <<'EOF'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		tcp dport 22 accept
	}
}
EOF
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
allow tcp 10000-65000 from any "bench ports"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
poll_interval_ms = $POLL_MS
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start D "$NS" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 30 || fwa_die "no READY=1: $(cat "$T/daemon.err")"

# changes TOOL FIRSTPORT COUNT SPACING: run inside the namespace, print
# "port commit_usec" lines
changes() {
	fwa_nsx "$NS" "$PYTHON" - "$@" <<'PYEOF'
import subprocess, sys, time
tool, first, n, spacing = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for i in range(n):
    p = first + 2 * i  # not adjacent: adjacent ports merge into one range
    if tool == "nft":
        argv = ["nft", "add", "rule", "inet", "f", "input", "tcp", "dport", str(p), "accept"]
    else:
        argv = [tool, "-A", "INPUT", "-p", "tcp", "--dport", str(p), "-j", "ACCEPT"]
    subprocess.run(argv, check=True)
    print(p, int(time.time() * 1e6), flush=True)
    time.sleep(spacing)
PYEOF
}

# latency LABEL FILE: percentiles of journal time - commit time
latency() {
	sleep 3
	dmn_events "$D" FWAUDIT_EVENT=exposure_opened >"$T/j.json"
	"$PYTHON" - "$1" "$2" "$T/j.json" <<'PYEOF'
import json, sys
label, commits, journal = sys.argv[1:4]
c = {int(l.split()[0]): int(l.split()[1]) for l in open(commits) if l.strip()}
first = {}
for l in open(journal):
    if not l.strip():
        continue
    e = json.loads(l)
    p = e.get("FWAUDIT_PORTS", "")
    if p.isdigit() and int(p) in c:
        t = int(e["__REALTIME_TIMESTAMP"])
        first[int(p)] = min(first.get(int(p), t), t)
lat = sorted((first[p] - c[p]) / 1000.0 for p in first)
miss = len(c) - len(lat)
def pct(q):
    return lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] if lat else float("nan")
print("| %s | %d | %d | %.1f | %.1f | %.1f | %.1f |" % (label, len(lat), miss,
      pct(0.5), pct(0.9), pct(0.99), lat[-1] if lat else float("nan")))
PYEOF
}

echo "| change | n | not reported | p50 ms | p90 ms | p99 ms | max ms |" >"$T/table"
echo "|---|---|---|---|---|---|---|" >>"$T/table"
changes nft 20000 "$N" "$SPACING" >"$T/c.nft"
latency '`nft add rule`' "$T/c.nft" >>"$T/table"

fwa_nsx "$NS" nft delete table inet f
fwa_nsx "$NS" iptables-nft -A INPUT -i lo -j ACCEPT
fwa_nsx "$NS" iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
fwa_nsx "$NS" iptables-nft -P INPUT DROP
changes iptables-nft 30000 "$N" "$SPACING" >"$T/c.ipt"
latency '`iptables -A` (iptables-nft)' "$T/c.ipt" >>"$T/table"

if fwa_nsx "$NS" iptables-legacy -P INPUT DROP 2>/dev/null; then
	fwa_nsx "$NS" iptables-nft -F INPUT
	fwa_nsx "$NS" iptables-nft -P INPUT ACCEPT
	fwa_nsx "$NS" iptables-legacy -A INPUT -i lo -j ACCEPT
	changes iptables-legacy 40000 "$LEGACY_N" "$(echo "$POLL_MS / 1000 + 0.1" | bc -l)" >"$T/c.leg"
	latency "\`iptables-legacy -A\` (poll ${POLL_MS} ms)" "$T/c.leg" >>"$T/table"
	fwa_nsx "$NS" iptables-legacy -F INPUT
	fwa_nsx "$NS" iptables-legacy -P INPUT ACCEPT
else
	fwa_log "no legacy x_tables here: skipped iptables-legacy"
fi

# idle cost with the chair ruleset loaded
CORPUS=$(fwa_corpus)
CHAIR="$CORPUS/net-network/configs_chair_for_Network_Architectures_and_Services"
V4="$CHAIR/iptables-save-2016-06-27_16-29-01.loadable"
V6="$CHAIR/ip6tables-save-2016-06-27_16-29-01.loadable"
label="small ruleset"
if [ -n "$CORPUS" ] && [ -f "$V4" ] && [ -f "$V6" ]; then
	fwa_nsx "$NS" iptables-nft -F INPUT
	fwa_nsx "$NS" iptables-nft-restore <"$V4"
	fwa_nsx "$NS" ip6tables-nft-restore <"$V6"
	label="chair ruleset (5,556 + 6,203 rules)"
fi
# let the audits of the load settle: no new notify line for 5 s
for ((i = 0; i < 120; i++)); do
	a=$(wc -l <"$T/notify")
	sleep 5
	[ "$(wc -l <"$T/notify")" = "$a" ] && break
done
tick=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$D/stat")
v0=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' "/proc/$D/status")
n0=$(sed -n 's/^nonvoluntary_ctxt_switches:\t*//p' "/proc/$D/status")
sleep "$IDLE"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$D/stat")
v1=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' "/proc/$D/status")
n1=$(sed -n 's/^nonvoluntary_ctxt_switches:\t*//p' "/proc/$D/status")
rss=$(sed -n 's/^VmRSS:\t* *//p' "/proc/$D/status")
hwm=$(sed -n 's/^VmHWM:\t* *//p' "/proc/$D/status")
status=$(grep -o 'STATUS=[^|]*' "$T/notify" | tail -1)

echo
echo "Latency from the commit to the journal entry:"
cat "$T/table"
echo
echo "Idle, $label, $IDLE s, poll_interval_ms = $POLL_MS ($status):"
echo "| CPU time | voluntary ctxt switches (wakeups) | involuntary | VmRSS | VmHWM |"
echo "|---|---|---|---|---|"
printf '| %s ms (%.3f %%) | %d (%.1f/s) | %d | %s | %s |\n' \
	"$(( (u1 + s1 - u0 - s0) * 1000 / tick ))" \
	"$(echo "($u1 + $s1 - $u0 - $s0) * 100 / $tick / $IDLE" | bc -l)" \
	"$((v1 - v0))" "$(echo "($v1 - $v0) / $IDLE" | bc -l)" "$((n1 - n0))" "$rss" "$hwm"
fwa_stop "$D"
