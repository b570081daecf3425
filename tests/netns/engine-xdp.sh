#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-xdp.sh - an XDP program on the ingress link sees every packet
# before anything fwaudit reads: real programs (built here with clang
# -target bpf) attached with ip link ... xdp obj, one that drops every
# packet and one that passes every packet.  With either, every exposure on
# that link must be "possible" and name the program (never "definite": a
# path fwaudit did not read), the audit says so in a note, and the real
# probes agree with the kernel; without it, the same ruleset is definite
# again.  IPv4 and IPv6.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools clang
[ -f /usr/include/linux/bpf.h ] || fwa_skip "no <linux/bpf.h> (package linux-libc-dev)"
pl_init

for verdict in drop pass; do
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

# xdp_check LABEL: every exposure on v0 possible, naming an XDP program,
# and a note saying why
xdp_check() {
	pl_audit "$PT/a.$1.json"
	fwa_check "$PT/a.$1.json" "$1" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
rows = [r for r in J["exposures"] if "v0" in r["interfaces"]]
expect("exposures on v0 in both families", {r["family"] for r in rows} == {"ipv4", "ipv6"}, rows)
expect("every exposure on v0 possible", rows and all(r["certainty"] == "possible" for r in rows),
       [(r["family"], r["ports"], r["certainty"]) for r in rows])
expect("each names the XDP program",
       all(any(u.startswith("xdp program ") and u.endswith(" on v0") for u in r["unknown"])
           for r in rows), [r["unknown"] for r in rows])
expect("a note says an XDP program sees every packet first",
       any(n.startswith("v0: an XDP program") for n in J["notes"]), J["notes"])
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
# the kernel really drops them all: no probe gets an answer
ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 1 --budget 30 \
	< "$PT/probes" > "$PT/drop.out"
fwa_check "$PT/drop.out" "xdp drop" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
expect("no probe answered while the program drops everything",
       all(p["outcome"] in ("timeout", "unreachable") for p in J),
       [p["outcome"] for p in J if p["outcome"] not in ("timeout", "unreachable")])
EOF2

ip -n "$NODE" link set dev v0 xdp off
pl_check "xdp off" "$PT/probes"
pl_audit "$PT/a.off.json"
fwa_check "$PT/a.off.json" "xdp off" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
rows = [r for r in J["exposures"] if "v0" in r["interfaces"]]
expect("definite again without the program", rows and all(r["certainty"] == "definite" for r in rows),
       [(r["ports"], r["certainty"]) for r in rows])
EOF2
fwa_finish
