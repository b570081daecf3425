#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nf-bpf.sh - BPF programs on netfilter hooks (BPF_PROG_TYPE_NETFILTER
# attached through a BPF link, Linux 6.4), which fwaudit finds by iterating
# BPF links (auditd/readers/bpfq.c) and walks among the base chains of
# their hook at their priority (engine/chains.c, hook_run()).  bpf_attach
# (built by make check) loads a program that returns NF_DROP or NF_ACCEPT
# and holds its link.  Real packets from outside, IPv4 and IPv6: the probes
# agree with fwaudit, what passes the program's hook is "possible" naming
# it, the other family stays definite, a note names it, explain names it,
# a snapshot records the links (its audit is byte for byte the live one,
# also redacted), and with the programs gone all is definite again.
# BPF links are global: the kernel does not say which network namespace
# a netfilter link hooks into, so fwaudit takes every one (possible, never
# definite); run this test alone.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

ATTACH=${top_builddir:-$top_srcdir}/tests/netns/bpf_attach
[ -x "$ATTACH" ] || fwa_skip "bpf_attach not built ($ATTACH)"
pl_init

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
pl_serve tcp:[::]:22 tcp:[::]:80
pl_std_probes "$PT/probes" 22,80 tcp

# check LABEL FAMILIES_POSSIBLE WHAT NOTE: the exposed rows of those
# families are possible and name WHAT, the others definite, a note holds
# NOTE
check() {
	pl_audit "$PT/a.$1.json"
	POSS=$2 WHAT=$3 NOTE=$4 fwa_check "$PT/a.$1.json" "$1" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
poss = {f for f in os.environ["POSS"].split(",") if f}
what = os.environ["WHAT"]
rows = [r for r in J["exposures"] if r["state"] == "exposed"]
expect("exposed rows on 22 and 80 in both families",
       {(r["family"], r["ports"][0]) for r in rows} >= {(f, p) for f in ("ipv4", "ipv6") for p in (22, 80)}, rows)
for r in rows:
    if r["family"] in poss:
        expect("%s %s possible, naming %s" % (r["family"], r["ports"], what),
               r["certainty"] == "possible" and any(what in u for u in r["unknown"]),
               (r["certainty"], r["unknown"]))
    else:
        expect("%s %s definite" % (r["family"], r["ports"]), r["certainty"] == "definite",
               (r["certainty"], r["unknown"]))
note = os.environ["NOTE"]
if note:
    expect("a note says: " + note, any(note in n for n in J["notes"]), J["notes"])
else:
    expect("no note of a netfilter BPF program",
           not any("netfilter BPF program" in n for n in J["notes"]), J["notes"])
EOF2
}

# attach VAR ARGS...: bpf_attach netfilter ARGS in $NODE, held in the
# background (its PID in VAR); returns once it said "attached", the
# program's id in $ID
attach() {
	local var=$1 out="$PT/attach.$1" i

	shift
	fwa_bg "$var" sh -c 'exec ip netns exec "$1" "$2" netfilter "$3" "$4" "$5" "$6" > "$7"' \
		sh "$NODE" "$ATTACH" "$@" "$out"
	for i in $(seq 1 50); do
		grep -q '^attached ' "$out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^attached ' "$out" || fwa_die "bpf_attach netfilter $*: $(cat "$out")"
	ID=$(sed -n 's/^attached //p' "$out")
}

pl_check "no program" "$PT/probes"
check "no program" "" "" ""

# IPv4 input, priority 10 (after the filter chain), dropping: the kernel
# drops every IPv4 probe the chain accepted; IPv4 possible, IPv6 definite
attach NF4 ipv4 1 10 drop
PL_TIMEOUT=1 pl_check "ipv4 input drop" "$PT/probes"
FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1 \
	check "ipv4 input drop" ipv4 "netfilter bpf id $ID (fwa_nf" \
	"a netfilter BPF program (id $ID, fwa_nf, tag "
ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 1 --budget 30 \
	< "$PT/probes" > "$PT/nf4.results"
fwa_check "$PT/nf4.results" "ipv4 input drop: the kernel" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("no IPv4 probe answered", all(p["outcome"] != "connected" for p in J if ":" not in p["dst"]),
       [p for p in J if ":" not in p["dst"] and p["outcome"] == "connected"])
expect("IPv6 probes answered", any(p["outcome"] == "connected" for p in J if ":" in p["dst"]), J)
EOF2
ip netns exec "$NODE" "$FWAUDIT" explain tcp/22 --from "$PUB4" > "$PT/explain.txt" 2>&1 || true
if grep -q "assuming the netfilter BPF program $ID (fwa_nf, tag [0-9a-f]*) on ipv4 input at priority 10" \
	"$PT/explain.txt"; then
	fwa_pass "explain names the netfilter program"
else
	fwa_fail "explain does not name the netfilter program: $(head -30 "$PT/explain.txt")"
fi
fwa_stop "$NF4"

# IPv6 prerouting, priority -250 (before conntrack and every chain; the
# kernel refuses a BPF hook at a priority another hook holds: EBUSY),
# passing: the probes get in, IPv6 possible, IPv4 definite again
attach NF6 ipv6 0 -250 pass
pl_check "ipv6 prerouting pass" "$PT/probes"
FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1 \
	check "ipv6 prerouting pass" ipv6 "netfilter bpf id $ID (fwa_nf" \
	"on ipv6 prerouting at priority -250"
fwa_stop "$NF6"

# a program on a hook no probe passes (IPv4 output: the answers' way,
# not the probes'), dropping: the handshake's answers are dropped, so the
# kernel answers nothing and fwaudit may not say definite
attach NFO ipv4 3 10 drop
PL_TIMEOUT=1 pl_check "ipv4 output drop" "$PT/probes"
check "ipv4 output drop" ipv4 "netfilter bpf id $ID (fwa_nf" \
	"on ipv4 output at priority 10"
fwa_stop "$NFO"

sleep 0.5
pl_check "programs gone" "$PT/probes"
check "programs gone" "" "" ""
fwa_finish
