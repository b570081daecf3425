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
#      context switches (voluntary = wakeups) over IDLE seconds of quiet;
#   5. DOCKER_N > 0: in a second namespace, a private dockerd
#      (tests/netns/docker-lib.sh, iptables-nft) and a second fwauditd
#      (docker = yes, DOCKER_HOST set to it); DOCKER_N times `docker run -d
#      -p P:P` of a busybox httpd on a fresh port P (not adjacent), wait for
#      the exposure_opened entry of P, `docker rm -f`, wait for its
#      exposure_closed (each wait at most DOCKER_WAIT seconds); latency =
#      journal time - the moment `docker run` returned (and - the moment it
#      was started).  `nft monitor` and the daemon's sd_notify STATUS lines
#      (one per audit) are timestamped to show what the latency is made of.
#
# Usage: bench/daemon-latency.sh [FWAUDITD]   (default: $FWAUDITD, else ./fwauditd)
# Environment: N (100), LEGACY_N (20), SPACING (0.15), POLL_MS (2000),
# IDLE (60), FWA_CORPUS, DOCKER_N (0), DOCKER_WAIT (10), DOCKER_PORT (50000),
# DOCKER_LOG (where to keep the per-run details; default: discarded).
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
DOCKER_N=${DOCKER_N:-0}
DOCKER_WAIT=${DOCKER_WAIT:-10}
DOCKER_PORT=${DOCKER_PORT:-50000}

dmn_require
if [ "$DOCKER_N" -gt 0 ]; then
	. "$top_srcdir/tests/netns/docker-lib.sh"
	dk_require
	fwa_require_tools stdbuf
fi
fwa_require_tools iptables-nft iptables-legacy iptables-nft-restore ip6tables-nft-restore
fwa_tmpdir T
dmn_journald
if nm -a "$FWAUDITD" 2>/dev/null | grep -q __asan_init; then
	fwa_log "WARNING: fwauditd is built with sanitizers; numbers are not representative"
fi

dmn_host bench
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

[ "$DOCKER_N" -gt 0 ] || exit 0

# 5. docker run -p: a namespace of its own, so that Docker's tables and
# dockerd's work disturb nothing above
fwa_ns_new DNS dock
fwa_ns_new DPEER dpeer
fwa_veth "$DNS" eth0 198.51.100.1/24 "$DPEER" eth0 198.51.100.2/24
fwa_nsx "$DNS" nft -f - <<'EOF'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		tcp dport 22 accept
	}
}
EOF
dk_start "$DNS" nft '{}' --bip=203.0.113.1/24
dk_image
cat >"$T/fwauditd-docker.conf" <<EOF
rules = $T/rules
interfaces = eth0
docker = yes
poll_interval_ms = $POLL_MS
user = root
EOF
# sd_notify lines with their receive time (usec) in front: one STATUS per audit
fwa_bg NPID "$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1] + ".sock")
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        m = s.recv(65536).decode(errors="replace")
        f.write("%d %s\n" % (time.time() * 1e6, m.strip().replace("\n", "|")))
' "$T/dnotify"
for ((i = 0; i < 50; i++)); do [ -S "$T/dnotify.sock" ] && break; sleep 0.05; done
# a journald of its own with $T/jrun as its /run, the same /run for this
# fwauditd: the shared one (dmn_journald) belongs to whichever test started
# it and goes away with that test's cleanup, which ended a first attempt
# of this measurement half way
mkdir -p "$T/jrun"
fwa_bg JPID unshare --mount --propagation private sh -c \
	'mount -n --bind "$0" /run && exec "$1"' "$T/jrun" "$DMN_JOURNALD" \
	>"$T/djournald.log" 2>&1
for ((i = 0; i < 50; i++)); do [ -S "$T/jrun/systemd/journal/socket" ] && break; sleep 0.1; done
[ -S "$T/jrun/systemd/journal/socket" ] || fwa_die "docker: private journald did not start"
fwa_bg D2 ip netns exec "$DNS" sh -c 'mount -n --bind "$0" /run && exec "$@"' "$T/jrun" \
	env NOTIFY_SOCKET="$T/dnotify.sock" DOCKER_HOST="unix://$DK_SOCK" \
	"$FWAUDITD" --config "$T/fwauditd-docker.conf" >>"$T/daemon.out" 2>>"$T/daemon.err"
dmn_wait_notify "$T/dnotify" 'READY=1' 30 || fwa_die "docker: no READY=1: $(cat "$T/daemon.err")"

# measure.py D2 NS N FIRSTPORT WAIT NOTIFY LOG JOURNALDIR DOCKER-CLI...: the runs, then
# the table; per run details (rule events, audits) in LOG
"$PYTHON" - "$D2" "$DNS" "$DOCKER_N" "$DOCKER_PORT" "$DOCKER_WAIT" "$T/dnotify" \
	"${DOCKER_LOG:-$T/docker.log}" "$T/jrun/log/journal" "${DK[@]}" <<'PYEOF'
import json, re, subprocess, sys, threading, time
d2, ns, n, first, wait, notify, logf, jdir = sys.argv[1:9]
n, first, wait = int(n), int(first), float(wait)
dk = sys.argv[9:]
now = lambda: int(time.time() * 1e6)
log = open(logf, "w", buffering=1)
cv = threading.Condition()
opened, closed = {}, {}
rules = []  # (usec, line) of nft monitor
procs = []

def journal():
    p = subprocess.Popen(["journalctl", "-D", jdir, "-f", "-n", "0", "-o", "json",
                          "--no-pager", "_PID=" + d2], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         text=True)
    procs.append(p)
    for l in p.stdout:
        try:
            e = json.loads(l)
        except ValueError:
            continue
        ev, port = e.get("FWAUDIT_EVENT"), e.get("FWAUDIT_PORTS", "")
        if not port.isdigit():
            continue
        m = opened if ev == "exposure_opened" else closed if ev == "exposure_closed" else None
        if m is None:
            continue
        with cv:
            m.setdefault(int(port), (int(e["__REALTIME_TIMESTAMP"]), e.get("FWAUDIT_PATH", ""),
                                     e.get("FWAUDIT_BACKEND", "")))
            cv.notify_all()

def monitor():
    p = subprocess.Popen(["ip", "netns", "exec", ns, "stdbuf", "-oL", "nft", "monitor", "rules"],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    procs.append(p)
    for l in p.stdout:
        rules.append((now(), l.strip()))

for f in (journal, monitor):
    threading.Thread(target=f, daemon=True).start()
time.sleep(1.5)

def wait_for(m, port, t):
    end = time.time() + t
    with cv:
        while port not in m and time.time() < end:
            cv.wait(end - time.time())
        return m.get(port)

runs = []
fails = 0
for i in range(n):
    port = first + 2 * i
    name = "fwa-dlat-%d" % i
    t0 = now()
    r = subprocess.run(["timeout", "60"] + dk + ["run", "-d", "--name", name, "-p",
                        "%d:%d" % (port, port), "fwa-busybox:test", "/bin/busybox",
                        "httpd", "-f", "-p", str(port)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       stdin=subprocess.DEVNULL)
    t1 = now()
    o = None
    if r.returncode == 0:
        o = wait_for(opened, port, wait)
    else:
        fails += 1
        print("docker run %d failed: %s" % (port, r.stderr.strip()), file=sys.stderr)
    subprocess.run(["timeout", "60"] + dk + ["rm", "-f", name], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    c = wait_for(closed, port, wait) if o else None
    runs.append(dict(port=port, t0=t0, t1=t1, open=o, close=c))
    time.sleep(0.2)
time.sleep(0.5)
for p in procs:
    p.terminate()

audits = []  # (usec, exposures) per audit
for l in open(notify):
    t, _, m = l.strip().partition(" ")
    ms = re.search(r"STATUS=(\d+) exposure", m)
    if ms:
        audits.append((int(t), int(ms.group(1))))

def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")

lat, lat0, comp = [], [], []
before_dnat = early = partial = 0
nfirst = []  # audits from the first rule of P to the journal entry, inclusive
# (the STATUS of an audit follows its journal entries by a few ms)
for r in runs:
    p, t0, t1 = r["port"], r["t0"], r["t1"]
    end = r["open"][0] if r["open"] else t1 + int(wait * 1e6)
    mine = [(t, l) for t, l in rules if t0 <= t <= end + 200000 and l.startswith("add ")
            and re.search(r"dport %d\b" % p, l)]
    log.write("run %d: docker run %.1f ms, open %s, close %s\n" % (p, (t1 - t0) / 1e3,
              "%+.1f ms" % ((r["open"][0] - t0) / 1e3) if r["open"] else "-",
              "%+.1f ms" % ((r["close"][0] - t0) / 1e3) if r["close"] else "-"))
    for t, l in mine:
        log.write("  %+8.1f ms %s\n" % ((t - t0) / 1e3, l))
    for t, x in audits:
        if t0 <= t <= end + 200000:
            log.write("  %+8.1f ms audit done, %d exposure(s)\n" % ((t - t0) / 1e3, x))
    if not r["open"]:
        continue
    to = r["open"][0]
    lat.append((to - t1) / 1e3)
    lat0.append((to - t0) / 1e3)
    if to < t1:
        early += 1
    dnat = [t for t, l in mine if " nat DOCKER " in l]
    if mine and dnat:
        fr, dn, lr = mine[0][0], dnat[0], max(t for t, _ in mine)
        # an audit finished after the first rule of P and before its DNAT
        if any(fr <= t < dn for t, _ in audits):
            before_dnat += 1
        # ... or between the first and the last rule of P
        if any(fr <= t < lr for t, _ in audits):
            partial += 1
        nfirst.append(sum(1 for t, _ in audits if fr <= t <= to + 20000))
        comp.append(((fr - t0) / 1e3, (dn - t0) / 1e3, (lr - t0) / 1e3, (t1 - t0) / 1e3,
                     (to - dn) / 1e3, (to - lr) / 1e3))

ok = len(lat)
print()
print("docker run -d -p P:P: %d runs, %d docker run failures, %d not reported within %g s, "
      "%d exposure_closed missing" % (n, fails, n - fails - ok, wait,
      sum(1 for r in runs if r["open"] and not r["close"])))
print("| latency from | n | p50 ms | p90 ms | p99 ms | max ms | min ms |")
print("|---|---|---|---|---|---|---|")
for label, v in (("`docker run` returned", lat), ("`docker run` started", lat0)):
    if v:
        print("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |" % (label, len(v), pct(v, .5),
              pct(v, .9), pct(v, .99), max(v), min(v)))
if comp:
    print()
    print("medians of %d runs, ms after `docker run` started: first rule of P %.1f, "
          "its DNAT %.1f, its last rule %.1f, `docker run` returned %.1f; journal entry "
          "after the DNAT %.1f, after the last rule %.1f" % ((len(comp),) +
          tuple(pct([c[k] for c in comp], .5) for k in range(6))))
    for k, what in ((4, "the DNAT"), (5, "the last rule of P")):
        v = [c[k] for c in comp]
        print("journal entry after %s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms" % (
              what, pct(v, .5), pct(v, .9), pct(v, .99), max(v)))
print("runs where an audit finished between the first rule of P and its DNAT: %d" % before_dnat)
print("runs where an audit finished between the first and the last rule of P: %d" % partial)
print("audits from the first rule of P to the entry (inclusive): %s" % (
      {k: nfirst.count(k) for k in sorted(set(nfirst))},))
print("runs reported before `docker run` returned: %d" % early)
print("path, backend of the first: %s; entries naming the container: %d of %d" % (
      next((r["open"][1:] for r in runs if r["open"]), None),
      sum(1 for r in runs if r["open"] and "(container" in r["open"][2]), ok))
PYEOF
fwa_stop "$D2"
