#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup-bpf.sh - BPF programs outside netfilter and the tc filters that
# fwaudit finds with BPF_PROG_QUERY (auditd/readers/bpfq.c): a cgroup inet
# ingress program on the cgroup of one listener (what systemd attaches for
# IPAddressDeny=), and a tcx program on the node's link (bpf_attach, built
# by make check, loads and attaches them).  Real packets from outside, IPv4
# and IPv6, with each program dropping and passing: the probes agree with
# fwaudit, every exposure the program sees is "possible" naming it, the
# others stay definite, a note says why, and without the programs all is
# definite again.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

ATTACH=${top_builddir:-$top_srcdir}/tests/netns/bpf_attach
[ -x "$ATTACH" ] || fwa_skip "bpf_attach not built ($ATTACH)"
CG2=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$CG2" ] || fwa_skip "no cgroup2 hierarchy mounted"
pl_init
fwa_require_tools nsenter
# `ip netns exec` remounts /sys without the cgroup hierarchies: fwaudit
# runs in the node's network namespace only (nsenter --net), as fwauditd
# on a host sees /sys/fs/cgroup
pl_audit() {
	local f=$1 rc=0

	pl_settle
	nsenter --net="/run/netns/$NODE" "$FWAUDIT" audit --no-rules \
		--format json > "$f" 2> "$f.err" || rc=$?
	[ "$rc" -lt 3 ] || fwa_die "fwaudit audit exited $rc: $(head -5 "$f.err")"
}

ip netns exec "$NODE" nft -f - <<'EOF2'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		meta l4proto ipv6-icmp accept
		tcp dport { 22, 80 } accept
	}
}
EOF2

# sshd-like listener on 22 inside a cgroup of its own (a socket keeps the
# cgroup it was made in: the listener starts there), another on 80 outside
CG="$CG2/fwaudit-test-$$"
mkdir "$CG" || fwa_skip "cannot create a cgroup under $CG2"
cg_cleanup() {
	local p

	# the listener was started by this test (fwa_bg): it is gone by now
	# or ends with the namespaces; move anything left to the root
	for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
		echo "$p" > "$CG2/cgroup.procs" 2>/dev/null || true
	done
	rmdir "$CG" 2>/dev/null || true
}
fwa_at_cleanup cg_cleanup
fwa_bg SERVE22 sh -c 'echo $$ > "$1/cgroup.procs" && exec ip netns exec "$2" "$3" "$4" serve tcp:[::]:22' \
	sh "$CG" "$NODE" "$PYTHON" "$PROBE_PY"
pl_serve tcp:[::]:80
for _ in $(seq 1 50); do
	ip netns exec "$NODE" ss -Hltn 'sport = :22' | grep -q . && break
	sleep 0.1
done
pl_std_probes "$PT/probes" 22,80 tcp

# check LABEL PORTS_POSSIBLE WHAT NOTE: the exposures on those ports are
# possible and name WHAT, every other exposure is definite, a note holds
# NOTE
check() {
	pl_audit "$PT/a.$1.json"
	POSS=$2 WHAT=$3 NOTE=${4:-} fwa_check "$PT/a.$1.json" "$1" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
poss = {int(p) for p in os.environ["POSS"].split(",") if p}
what = os.environ["WHAT"]
rows = [r for r in J["exposures"] if r["state"] == "exposed"]
expect("exposed rows in both families", {r["family"] for r in rows} == {"ipv4", "ipv6"}, rows)
for r in rows:
    if r["ports"][0] in poss:
        expect("%s %s possible, naming %s" % (r["family"], r["ports"], what),
               r["certainty"] == "possible" and any(what in u for u in r["unknown"]),
               (r["certainty"], r["unknown"]))
    else:
        expect("%s %s definite" % (r["family"], r["ports"]), r["certainty"] == "definite",
               (r["certainty"], r["unknown"]))
if poss:
    note = os.environ["NOTE"]
    expect("a note says: " + note, any(note in n for n in J["notes"]), J["notes"])
EOF2
}

# snap_check LABEL: a snapshot taken now audits as the live audit of
# check LABEL did (the programs are part of what a snapshot records), and
# its redacted form keeps no cgroup path
snap_check() {
	local f="$PT/a.$1.json" s="$PT/$1.snap"

	nsenter --net="/run/netns/$NODE" "$FWAUDIT" snapshot -o "$s" 2>/dev/null ||
		{ fwa_fail "$1: fwaudit snapshot failed"; return; }
	"$FWAUDIT" audit --no-rules --format json --snapshot "$s" > "$s.json" 2>/dev/null || true
	if cmp -s <(sed -e '/"time": /d' -e '/"duration_seconds": /d' "$f") \
		  <(sed -e '/"time": /d' -e '/"duration_seconds": /d' "$s.json"); then
		fwa_pass "$1: the audit of a snapshot equals the live one"
	else
		fwa_fail "$1: the audit of a snapshot differs: $(diff "$f" "$s.json" | head -5)"
	fi
	"$FWAUDIT" snapshot --redact --input "$s" -o "$s.red" 2>/dev/null ||
		{ fwa_fail "$1: snapshot --redact failed"; return; }
	if grep -q "fwaudit-test-$$" "$s.red"; then
		fwa_fail "$1: the redacted snapshot names the cgroup"
	else
		fwa_pass "$1: the redacted snapshot does not name the cgroup"
	fi
}

pl_check "no program" "$PT/probes"
check "no program" "" ""

"$ATTACH" cgroup "$CG" drop > "$PT/cg.out" || fwa_die "cannot attach a cgroup program"
PL_TIMEOUT=1 pl_check "cgroup drop" "$PT/probes"
check "cgroup drop" 22 "cgroup ingress bpf id" "on port 22: 1 cgroup ingress BPF program"
snap_check "cgroup drop"
# the kernel really drops what reaches port 22, and only that
ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 1 --budget 30 \
	< "$PT/probes" > "$PT/cg.results"
fwa_check "$PT/cg.results" "cgroup drop" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("no probe to 22 answered", all(p["outcome"] != "connected" for p in J if p["dport"] == 22),
       [p for p in J if p["dport"] == 22 and p["outcome"] == "connected"])
expect("probes to 80 answered", any(p["outcome"] == "connected" for p in J if p["dport"] == 80), J)
EOF2
nsenter --net="/run/netns/$NODE" "$FWAUDIT" explain tcp/22 --from "$PUB4" > "$PT/explain.txt" 2>&1 || true
if grep -q "cgroup ingress BPF program" "$PT/explain.txt"; then
	fwa_pass "explain names the cgroup program"
else
	fwa_fail "explain does not name the cgroup program: $(head -20 "$PT/explain.txt")"
fi

# a second program on the same cgroup, passing: both are in effect, the
# drop still wins in the kernel (all must pass); fwaudit counts two
"$ATTACH" cgroup "$CG" pass > /dev/null || fwa_die "cannot attach a second cgroup program"
pl_audit "$PT/a.two.json"
fwa_check "$PT/a.two.json" "two programs" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("the note counts both", any(" on port 22: 2 cgroup ingress BPF programs" in n for n in J["notes"]), J["notes"])
EOF2

# tcx on the node's link: every exposure on v0 possible
fwa_bg TCX ip netns exec "$NODE" "$ATTACH" tcx v0 drop
for _ in $(seq 1 50); do
	nsenter --net="/run/netns/$NODE" "$FWAUDIT" audit --no-rules \
		--format json 2>/dev/null | grep -q "tcx BPF program" && break
	sleep 0.1
done
PL_TIMEOUT=1 pl_check "tcx drop" "$PT/probes"
check "tcx drop" 22,80 "tc ingress filter (tcx bpf id" "v0: 1 tcx BPF program"
snap_check "tcx drop"
fwa_stop "$TCX"
fwa_bg TCX ip netns exec "$NODE" "$ATTACH" tcx v0 pass
sleep 0.5
pl_check "tcx pass" "$PT/probes"
check "tcx pass" 22,80 "tc ingress filter (tcx bpf id" "v0: 1 tcx BPF program"
fwa_stop "$TCX"

# the listener on 22 gone from the cgroup's programs' reach: a listener
# outside it
fwa_stop "$SERVE22"
pl_serve tcp:[::]:22
pl_check "programs gone" "$PT/probes"
check "programs gone" "" ""
fwa_finish
