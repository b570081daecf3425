#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/daemon-changes.sh - what fwauditd costs on a big ruleset that keeps
# changing (issue 13).  Not part of make check, never a timed assertion;
# see bench/README.md.
#
# For each RULESETS entry (chair: the corpus's chair, iptables-nft, 5,556 +
# 6,203 rules; kube-N: bench/gen-ruleset.py's kube-proxy ruleset), in a
# scratch namespace of its own (dmn_host: an inet f input chain, policy
# drop; a default route):
#   1. the ruleset loaded, fwauditd started (debounce_ms 50, the policy
#      allows the ports the changes open); after READY=1, IDLE seconds of
#      quiet: VmRSS, RssAnon, RssFile and VmHWM from /proc/PID/status;
#   2. N single-rule changes at RATE per second from one python process in
#      the namespace (`nft add rule inet f input tcp dport P accept`, P not
#      adjacent), each started at its slot (t0 + i / RATE, or at once when
#      the one before ran late);
#   3. until every port has its exposure_opened entry (at most WAIT s
#      after the last change) and the daemon has been quiet for 2 s:
#      CPU time of the daemon (utime + stime, /proc/PID/stat) over the
#      changes, divided by N; latency = the entry's __REALTIME_TIMESTAMP -
#      the moment `nft` returned (the commit), p50 / p90 / p99 / max; audits
#      (sd_notify STATUS lines) during the changes.
#
# Usage: bench/daemon-changes.sh [FWAUDITD]  (default: $FWAUDITD, else ./fwauditd)
# Environment: RULESETS ("chair kube-10000"), N (100), RATE (10), IDLE
# (20), WAIT (60), FWA_CORPUS, FWAUDITD_CONF_EXTRA (lines added to the
# daemon's configuration), DAEMON_ENV (VAR=VALUE words for the daemon, e.g.
# FWAUDITD_FULL_READ=1), CHANGE (reached: the rules go to the input chain;
# unreached: to a chain nothing jumps to, which changes no answer: no
# journal entry, CPU only; filter: to the INPUT chain of iptables-nft's
# ip filter table, which has FORWARD and OUTPUT chains too: the table is
# read again and its other chains compared by their contents; journal
# entries only where the ruleset's INPUT decides those ports), SMAPS_OUT (a file: the idle daemon's
# smaps_rollup and Rss / Pss / private dirty / shared clean per mapping
# are appended to it), PERF_OUT (a path: `perf record -g` of the
# daemon over the changes into PATH.RULESET).
set -euo pipefail
BIN=${1:-${FWAUDITD:-./fwauditd}}
# shellcheck source=tests/netns/lib.sh
. "$(cd "$(dirname "$0")/.." && pwd)/tests/netns/lib.sh"
FWA_NAME=bench-changes
FWAUDITD=$(readlink -f "$BIN")
# shellcheck source=tests/netns/daemon-lib.sh
. "$top_srcdir/tests/netns/daemon-lib.sh"
RULESETS=${RULESETS:-chair kube-10000}
N=${N:-100}
RATE=${RATE:-10}
IDLE=${IDLE:-20}
WAIT=${WAIT:-60}
CHANGE=${CHANGE:-reached}
TABLE="inet f"
case $CHANGE in
reached) CHAIN=input ;;
unreached) CHAIN=spare ;;
filter) TABLE="ip filter" CHAIN=INPUT ;;
*) fwa_die "CHANGE is reached, unreached or filter" ;;
esac

dmn_require
fwa_require_tools iptables-nft-restore ip6tables-nft-restore nft
fwa_tmpdir T
dmn_journald
if nm -a "$FWAUDITD" 2>/dev/null | grep -q __asan_init; then
	fwa_log "WARNING: fwauditd is built with sanitizers; numbers are not representative"
fi
CORPUS=$(fwa_corpus)
CHAIR="$CORPUS/net-network/configs_chair_for_Network_Architectures_and_Services"
cat >"$T/rules" <<'EOF'
allow tcp 22 from any
allow tcp 10000-65000 from any "bench ports"
default alert warning
EOF
cat >"$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = no
user = root
${FWAUDITD_CONF_EXTRA:-}
EOF

# status PID FIELD: a field of /proc/PID/status, in kB
status() {
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

# cpu PID: utime + stime in clock ticks
cpu() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# quiet F SECONDS: wait until F has had no new line for SECONDS (at most
# 10 minutes)
quiet() {
	local a i

	for ((i = 0; i < 600 / $2; i++)); do
		a=$(wc -l <"$1")
		sleep "$2"
		[ "$(wc -l <"$1")" = "$a" ] && return 0
	done
	return 1
}

load() {
	case $1 in
	chair)
		[ -f "$CHAIR/iptables-save-2016-06-27_16-29-01.loadable" ] ||
			{ fwa_log "chair: no corpus here, skipped"; return 1; }
		fwa_nsx "$NS" iptables-nft-restore <"$CHAIR/iptables-save-2016-06-27_16-29-01.loadable"
		fwa_nsx "$NS" ip6tables-nft-restore <"$CHAIR/ip6tables-save-2016-06-27_16-29-01.loadable"
		;;
	kube-*)
		fwa_nsx "$NS" sysctl -qw net.ipv4.ip_forward=1
		"$PYTHON" "$top_srcdir/bench/gen-ruleset.py" kube "${1#kube-}" >"$T/kube"
		fwa_nsx "$NS" iptables-nft-restore <"$T/kube"
		;;
	*)
		fwa_die "unknown ruleset $1"
		;;
	esac
}

tick=$(getconf CLK_TCK)
dmn_notify_listen "$T/notify"
echo "| ruleset | rules | changes (s) | audits | CPU per change | p50 ms | p90 ms | p99 ms | max ms | not reported | VmRSS idle | RssAnon | RssFile | VmHWM |" >"$T/table"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" >>"$T/table"
for rs in $RULESETS; do
	dmn_host "$rs"
	ip -n "$NS" route add default via 198.51.100.2
	load "$rs" || { fwa_ns_del "$NS"; fwa_ns_del "$PEER"; continue; }
	nrules=$(( $(fwa_nsx "$NS" iptables-nft-save | grep -c '^-A' || true) +
		   $(fwa_nsx "$NS" ip6tables-nft-save | grep -c '^-A' || true) ))
	: >"$T/notify"
	fwa_nsx "$NS" nft add chain inet f spare
	# shellcheck disable=SC2086 # words on purpose
	dmn_start D "$NS" "$T/fwauditd.conf" ${DAEMON_ENV:-}
	dmn_wait_notify "$T/notify" '^READY=1' 120 || fwa_die "$rs: no READY=1: $(cat "$T/daemon.err")"
	sleep "$IDLE"
	rss=$(status "$D" VmRSS) anon=$(status "$D" RssAnon) file=$(status "$D" RssFile)
	hwm=$(status "$D" VmHWM)
	if [ -n "${SMAPS_OUT:-}" ]; then
		# what the resident pages are: per mapping, Rss / Pss / private
		# dirty / shared clean (bench/README.md, issue 13's idle RSS)
		{
			echo "== $rs: smaps_rollup"
			cat "/proc/$D/smaps_rollup"
			echo "== $rs: per mapping (kB): rss pss private_dirty shared_clean path"
			awk '/^[0-9a-f]+-[0-9a-f]+ /{p=$6; if(p=="")p="[anon]"}
			     /^Rss:/{r[p]+=$2} /^Pss:/{s[p]+=$2}
			     /^Private_Dirty:/{d[p]+=$2} /^Shared_Clean:/{c[p]+=$2}
			     END{for(k in r) if(r[k]) printf "%6d %6d %6d %6d %s\n", r[k], s[k], d[k], c[k], k}' \
				"/proc/$D/smaps" | sort -rn
		} >>"$SMAPS_OUT"
	fi
	a0=$(grep -c STATUS= "$T/notify" || true)
	c0=$(cpu "$D")
	perf_pid=
	if [ -n "${PERF_OUT:-}" ]; then
		perf record -q -F 999 --call-graph dwarf,8192 -p "$D" -o "$PERF_OUT.$rs" 2>/dev/null &
		perf_pid=$!
		sleep 1
	fi
	fwa_nsx "$NS" "$PYTHON" - "$N" "$RATE" "$CHAIN" "$TABLE" >"$T/commits" <<'PYEOF'
import subprocess, sys, time
n, rate, chain = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
family, table = sys.argv[4].split()
t0 = time.time()
for i in range(n):
    slot = t0 + i / rate
    if slot > time.time():
        time.sleep(slot - time.time())
    p = 20000 + 2 * i  # not adjacent: adjacent ports merge into one range
    subprocess.run(["nft", "add", "rule", family, table, chain, "tcp", "dport",
                    str(p), "accept"], check=True)
    print(p, int(time.time() * 1e6), flush=True)
PYEOF
	last=$((20000 + 2 * (N - 1)))
	if [ "$CHANGE" = reached ]; then
		for ((i = 0; i < WAIT * 10; i++)); do
			dmn_events "$D" FWAUDIT_EVENT=exposure_opened FWAUDIT_PORTS="$last" | grep -q . && break
			sleep 0.1
		done
	fi
	quiet "$T/notify" 2 || true
	c1=$(cpu "$D")
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"
		wait "$perf_pid" || true
	fi
	a1=$(grep -c STATUS= "$T/notify" || true)
	dmn_events "$D" FWAUDIT_EVENT=exposure_opened >"$T/j.json"
	"$PYTHON" - "$rs" "$nrules" "$N" "$((a1 - a0))" \
		"$(echo "($c1 - $c0) * 1000 / $tick / $N" | bc -l)" \
		"$T/commits" "$T/j.json" "$rss" "$anon" "$file" "$hwm" >>"$T/table" <<'PYEOF'
import json, sys
rs, nrules, n, audits, cpu, commits, journal = sys.argv[1:8]
rss, anon, fil, hwm = (int(x) / 1024.0 for x in sys.argv[8:12])
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
span = (max(c.values()) - min(c.values())) / 1e6 if c else 0.0
lat = sorted((first[p] - c[p]) / 1000.0 for p in first)
def pct(q):
    return lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] if lat else float("nan")
print("| %s | %s | %s (%.1f) | %s | %.1f ms | %.1f | %.1f | %.1f | %.1f | %d | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB |" % (
      rs, nrules, n, span, audits, float(cpu), pct(.5), pct(.9), pct(.99), lat[-1] if lat else float("nan"),
      len(c) - len(lat), rss, anon, fil, hwm))
PYEOF
	[ "$CHANGE" != unreached ] || sed -i '$s/$/ (changes to an unreached chain: no entries expected)/' "$T/table"
	[ "$CHANGE" != filter ] || sed -i '$s/$/ (ip filter INPUT: the table read again)/' "$T/table"
	tail -1 "$T/table" >&2
	fwa_stop "$D"
	fwa_ns_del "$NS"
	fwa_ns_del "$PEER"
done
echo
cat "$T/table"
