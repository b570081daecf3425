#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-xdp.sh - an XDP program, or a tc filter on the ingress (clsact)
# qdisc, sees every packet before anything fwaudit reads: real programs
# (built here with clang -target bpf) attached with ip link ... xdp obj and
# tc filter ... bpf da, one that drops every packet and one that passes
# every packet.  With either, every exposure on that link must be
# "possible" and name the program (never "definite": a path fwaudit did
# not read), the audit says so in a note, and the real probes agree with
# the kernel; without it, the same ruleset is definite again.  IPv4 and
# IPv6.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools clang
[ -f /usr/include/linux/bpf.h ] || fwa_skip "no <linux/bpf.h> (package linux-libc-dev)"
pl_init

for verdict in drop pass; do
	cat > "$PT/tc-$verdict.c" <<EOF2
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
__attribute__((section("tc"), used))
int tc_$verdict(struct __sk_buff *skb)
{
	(void)skb;
	return $([ "$verdict" = drop ] && echo TC_ACT_SHOT || echo TC_ACT_OK);
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF2
	clang -O2 -g0 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$PT/tc-$verdict.c" -o "$PT/tc-$verdict.o" ||
		fwa_die "clang -target bpf failed (tc)"
	cat > "$PT/xdp-$verdict.c" <<EOF2
#include <linux/bpf.h>
__attribute__((section("xdp"), used))
int xdp_$verdict(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_$(echo "$verdict" | tr a-z A-Z);
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF2
	# <asm/types.h> lives in the multiarch directory
	clang -O2 -g0 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$PT/xdp-$verdict.c" -o "$PT/xdp-$verdict.o" ||
		fwa_die "clang -target bpf failed"
done

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
pl_serve tcp:[::]:22 tcp:[::]:80 tcp:[::]:8080
pl_std_probes "$PT/probes" 22,80,8080 tcp

# xdp_check LABEL [tc]: every exposure on v0 possible, naming the XDP
# program (or the tc filter), and a note saying why
xdp_check() {
	pl_audit "$PT/a.$1.json"
	WHAT=${2:-xdp} fwa_check "$PT/a.$1.json" "$1" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
tc = os.environ["WHAT"] == "tc"
rows = [r for r in J["exposures"] if "v0" in r["interfaces"]]
expect("exposures on v0 in both families", {r["family"] for r in rows} == {"ipv4", "ipv6"}, rows)
expect("every exposure on v0 possible", rows and all(r["certainty"] == "possible" for r in rows),
       [(r["family"], r["ports"], r["certainty"]) for r in rows])
expect("each names the program",
       all(any(u.startswith("tc ingress filter (bpf id " if tc else "xdp program ")
               and u.endswith(" on v0") for u in r["unknown"])
           for r in rows), [r["unknown"] for r in rows])
expect("a note says it sees every packet first",
       any(n.startswith("v0: 1 tc ingress filter" if tc else "v0: an XDP program")
           for n in J["notes"]), J["notes"])
EOF2
}

# nothing_answers LABEL: the kernel really drops them all
nothing_answers() {
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 1 --budget 30 \
		< "$PT/probes" > "$PT/drop.$1.out"
	fwa_check "$PT/drop.$1.out" "$1" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("no probe answered while the program drops everything",
       all(p["outcome"] in ("timeout", "unreachable") for p in J),
       [p["outcome"] for p in J if p["outcome"] not in ("timeout", "unreachable")])
EOF2
}

ip -n "$NODE" link set dev v0 xdp obj "$PT/xdp-pass.o" sec xdp ||
	fwa_die "cannot attach an XDP program to v0"
ip -n "$NODE" -d link show dev v0 | grep -q "prog/xdp" ||
	fwa_die "v0 shows no XDP program"
pl_check "xdp pass" "$PT/probes"
xdp_check "xdp pass"

ip -n "$NODE" link set dev v0 xdp off
ip -n "$NODE" link set dev v0 xdp obj "$PT/xdp-drop.o" sec xdp
PL_TIMEOUT=1 pl_check "xdp drop" "$PT/probes"
xdp_check "xdp drop"
nothing_answers "xdp drop"
ip -n "$NODE" link set dev v0 xdp off

ip netns exec "$NODE" tc qdisc add dev v0 clsact
ip netns exec "$NODE" tc filter add dev v0 ingress bpf da obj "$PT/tc-pass.o" sec tc ||
	fwa_die "cannot attach a tc bpf filter to v0"
pl_check "tc pass" "$PT/probes"
xdp_check "tc pass" tc
ip netns exec "$NODE" tc filter del dev v0 ingress
ip netns exec "$NODE" tc filter add dev v0 ingress bpf da obj "$PT/tc-drop.o" sec tc
PL_TIMEOUT=1 pl_check "tc drop" "$PT/probes"
xdp_check "tc drop" tc
nothing_answers "tc drop"
ip netns exec "$NODE" tc qdisc del dev v0 clsact
pl_check "xdp off" "$PT/probes"
pl_audit "$PT/a.off.json"
fwa_check "$PT/a.off.json" "xdp off" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
rows = [r for r in J["exposures"] if "v0" in r["interfaces"]]
expect("definite again without the program", rows and all(r["certainty"] == "definite" for r in rows),
       [(r["ports"], r["certainty"]) for r in rows])
EOF2
fwa_finish
