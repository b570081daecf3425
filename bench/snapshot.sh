#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/snapshot.sh - `fwaudit snapshot` and `fwaudit audit --snapshot`
# against the live audit on kube-N, two builds alternated, whole processes.
# Not part of make check, never a timed assertion; see bench/README.md.
#
# The namespace is bench/audit.sh's kube-N (uplink, cni0, forwarding, the
# generated kube-proxy ruleset loaded with iptables-nft-restore).  Each
# round runs, for A then B (the order flips every round), with
# /usr/bin/time (wall seconds and peak RSS of the process):
#	snapshot:   fwaudit snapshot -o FILE
#	replay:     fwaudit audit --snapshot FILE --format json
#	live:       fwaudit audit --format json
# and checks that the replay's output is the live audit's, byte for byte
# but for the audit's time and duration.
# Each build reads only its own snapshots (the format may differ).
#
# Usage: bench/snapshot.sh FWAUDIT_A [FWAUDIT_B]
# Environment: ROUNDS (3), SIZE_KUBE (10000).
set -euo pipefail
A=$(readlink -f "${1:?usage: bench/snapshot.sh FWAUDIT_A [FWAUDIT_B]}")
B=$(readlink -f "${2:-$1}")
# shellcheck source=tests/netns/lib.sh
. "$(cd "$(dirname "$0")/.." && pwd)/tests/netns/lib.sh"
FWA_NAME=bench-snap
ROUNDS=${ROUNDS:-3}
N=${SIZE_KUBE:-10000}
fwa_require_root
fwa_require_tools "$PYTHON" iptables-nft-restore iptables-nft-save /usr/bin/time
for bin in "$A" "$B"; do
	[ -x "$bin" ] || fwa_skip "fwaudit binary not found ($bin)"
	if nm -a "$bin" 2>/dev/null | grep -q __asan_init; then
		fwa_log "WARNING: $bin is built with sanitizers; numbers are not representative"
	fi
done
fwa_tmpdir T

fwa_ns_new NS kube
fwa_dummy "$NS" eth0 198.51.100.1/24
ip -n "$NS" route add default via 198.51.100.254
fwa_dummy "$NS" cni0 10.244.0.1/16
fwa_nsx "$NS" sysctl -qw net.ipv4.ip_forward=1
"$PYTHON" "$(dirname "$0")/gen-ruleset.py" kube "$N" > "$T/rules"
fwa_nsx "$NS" iptables-nft-restore < "$T/rules"
nr=$(fwa_nsx "$NS" iptables-nft-save | grep -c '^-A')
fwa_log "kube-$N: $nr rules"

# timed LABEL OUT CMD...: one process under /usr/bin/time in the
# namespace; appends "LABEL seconds maxrss_kib" to $T/times
timed() {
	local label=$1 out=$2

	shift 2
	fwa_nsx "$NS" /usr/bin/time -f '%e %M' -o "$T/t" "$@" > "$out"
	# the last line: before it, "Command exited with non-zero status N"
	echo "$label $(tail -n 1 "$T/t")" >> "$T/times"
}

one() {		# one BIN KEY
	local bin=$1 k=$2

	timed "$k-snapshot" /dev/null "$bin" snapshot -o "$T/$k.snap"
	stat -c "$k-size %s 0" "$T/$k.snap" >> "$T/times"
	timed "$k-replay" "$T/$k.replay.json" "$bin" audit --snapshot "$T/$k.snap" --format json || true
	timed "$k-live" "$T/$k.live.json" "$bin" audit --format json || true
	# the audit's own clock ("time" is the snapshot's moment, and how
	# long it took) aside, byte for byte
	if cmp -s <(grep -Ev '^ "(time|duration_seconds)": ' "$T/$k.replay.json") \
		  <(grep -Ev '^ "(time|duration_seconds)": ' "$T/$k.live.json"); then
		echo "$k-identical 1 0" >> "$T/times"
	else
		echo "$k-identical 0 0" >> "$T/times"
		fwa_log "$k: audit --snapshot differs from the live audit"
		diff "$T/$k.live.json" "$T/$k.replay.json" | head -20 >&2 || true
	fi
	rm -f "$T/$k.snap"
}

: > "$T/times"
for i in $(seq 1 "$ROUNDS"); do
	if [ $((i % 2)) = 1 ]; then one "$A" A; one "$B" B; else one "$B" B; one "$A" A; fi
done

sed 's/^/round: /' "$T/times"
"$PYTHON" - "$T/times" "$A" "$B" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    k, s, m = line.split()
    rows.setdefault(k, []).append((float(s), int(m)))
print("A = %s\nB = %s" % (sys.argv[2], sys.argv[3]))
for b in "AB":
    for what in ("snapshot", "replay", "live"):
        v = rows.get("%s-%s" % (b, what), [])
        if not v:
            continue
        t = [x[0] for x in v]; m = [x[1] for x in v]
        print("%s %-8s  time median %6.2f s  min %6.2f s  max %6.2f s   peak RSS median %6.1f MiB  max %6.1f MiB" % (
            b, what, statistics.median(t), min(t), max(t),
            statistics.median(m) / 1024, max(m) / 1024))
    sz = [x[0] for x in rows.get(b + "-size", [])]
    same = [x[0] for x in rows.get(b + "-identical", [])]
    print("%s snapshot size %s bytes; replay identical to live in %d of %d rounds" % (
        b, ",".join("%d" % s for s in sorted(set(sz))), sum(1 for s in same if s), len(same)))
PY
