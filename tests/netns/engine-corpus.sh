#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-corpus.sh - every real-world ruleset of ../shared/corpus through the
# engine, then the chair's router firewall against real packets.
#  1. Each net-network dump (iptables-nft-restore / ip6tables-nft-restore;
#     the chair's dumps as their .loadable copies, since the kernel refuses
#     the anonymised MACs of the originals; config_ongy_flat_share's nft
#     dump with nft -f) and each nft-github file (nft -f) is loaded into a
#     namespace with an interface and addresses (emptied with nft flush
#     ruleset before each), and
#     fwaudit audit --no-rules --format json must exit below 3 with valid
#     JSON and exposures.
#  2. The chair's IPv4 and IPv6 rulesets together in the node namespace,
#     whose probe interface is named eth1.110 like the chair's uplink (the
#     rules send it through NOTFROMHERE and filter_INPUT); listeners on the
#     ports the rules mention and on random ones; at least 500 probes (tcp
#     and udp, IPv4 and IPv6, several sources, ephemeral and fixed source
#     ports) must agree with fwaudit.  Probes whose row is "possible" (the
#     chair uses -m recent) are counted apart.
# Skipped by name (77) when the corpus is absent.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

CORPUS=$(fwa_corpus)
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS/net-network" ]; then
	printf 'SKIP: %s: corpus not found (%s): engine corpus test skipped\n' \
		"$FWA_NAME" "${FWA_CORPUS:-$top_srcdir/../shared/corpus}"
	exit 77
fi
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
fwa_require_tools iptables-nft-restore ip6tables-nft-restore
fwa_require_root
fwa_require_fwaudit
fwa_tmpdir T

# one ruleset: LOADER FILE
audit_one() {
	local loader=$1 file=$2 ns=$CNS rc=0

	ip netns exec "$ns" nft flush ruleset
	case "$loader" in
	nft) ip netns exec "$ns" nft -f "$file" ;;
	ip4) ip netns exec "$ns" iptables-nft-restore < "$file" ;;
	ip6) ip netns exec "$ns" ip6tables-nft-restore < "$file" ;;
	esac > "$T/load.err" 2>&1 || {
		fwa_fail "corpus: $(basename "$file"): $loader could not load it: $(head -2 "$T/load.err")"
		return 0
	}
	ip netns exec "$ns" timeout 60 "$FWAUDIT" audit --no-rules --format json \
		> "$T/out.json" 2> "$T/err" || rc=$?
	if [ "$rc" -ge 3 ]; then
		fwa_fail "corpus: $(basename "$file") ($loader): fwaudit exited $rc: $(head -3 "$T/err")"
	elif ! "$PYTHON" -c 'import json,sys; J=json.load(open(sys.argv[1])); assert isinstance(J["exposures"], list)' \
		"$T/out.json" 2>/dev/null; then
		fwa_fail "corpus: $(basename "$file") ($loader): not valid JSON"
	else
		nok=$((nok + 1))
	fi
}

# one namespace for all, emptied before each ruleset
fwa_ns_new CNS corpus
fwa_dummy "$CNS" eth0 198.51.100.1/24
ip -n "$CNS" addr add 2001:db8:1::1/64 dev eth0 nodad
nok=0
ntotal=0
start=$SECONDS
while IFS= read -r f; do
	case "$f" in
	*configs_chair_for_Network_Architectures_and_Services/*.loadable) ;;
	*configs_chair_for_Network_Architectures_and_Services/*) continue ;;
	esac
	ntotal=$((ntotal + 1))
	case "$f" in
	*nft-ruleset*) audit_one nft "$f" ;;
	*ip6tables*) audit_one ip6 "$f" ;;
	*) audit_one ip4 "$f" ;;
	esac
done < <(find "$CORPUS/net-network" -type f ! -name LICENSE ! -name '*.md' | LC_ALL=C sort)
if [ -d "$CORPUS/nft-github" ]; then
	while IFS= read -r f; do
		ntotal=$((ntotal + 1))
		audit_one nft "$f"
	done < <(find "$CORPUS/nft-github" -type f -name '*.nft' | LC_ALL=C sort)
fi
if [ "$nok" -eq "$ntotal" ]; then
	fwa_pass "corpus: all $ntotal rulesets audited (exit < 3, valid JSON) in $((SECONDS - start)) s"
else
	fwa_fail "corpus: $nok of $ntotal rulesets audited"
fi

# 2. the chair against real packets
CHAIR="$CORPUS/net-network/configs_chair_for_Network_Architectures_and_Services"
C4="$CHAIR/iptables-save-2016-06-27_16-29-01.loadable"
C6="$CHAIR/ip6tables-save-2016-06-27_16-29-01.loadable"
[ -f "$C4" ] && [ -f "$C6" ] || { fwa_fail "chair: .loadable dumps missing"; fwa_finish; }
pl_init
ip -n "$NODE" link set v0 down
ip -n "$NODE" link set v0 name eth1.110
ip -n "$NODE" link set eth1.110 up
ip -n "$NODE" route add 203.0.113.0/24 via 198.51.100.2 2>/dev/null || true
ip -n "$NODE" route add 10.9.0.0/24 via 198.51.100.2 2>/dev/null || true
ip -n "$NODE" route add 2001:db8:2::/64 via 2001:db8:1::2 2>/dev/null || true
PL_IF=eth1.110
ip netns exec "$NODE" iptables-nft-restore < "$C4"
ip netns exec "$NODE" ip6tables-nft-restore < "$C6"
# the ports the chair's rules name, and random ones
mapfile -t named < <(grep -ohE -- '--(dport|dports) [0-9:,]+' "$C4" "$C6" |
	awk '{print $2}' | tr ',' '\n' | grep -v ':' | sort -un | head -40)
SEED=${SEED:-$RANDOM}
fwa_log "random ports from seed $SEED (SEED=$SEED $0 repeats them)"
mapfile -t rnd < <("$PYTHON" -c 'import random,sys
r = random.Random(int(sys.argv[1]))
print("\n".join(str(p) for p in sorted(r.sample(range(1024, 60000), 12))))' "$SEED")
ports=$(printf '%s\n' "${named[@]}" "${rnd[@]}" | sort -un | paste -sd,)
# listeners on every named port but the last few (those stay "open")
lis=$(printf '%s\n' "${named[@]}" | sort -un | head -n -4 | sed 's/^/tcp:[::]:/; p; s/^tcp/udp/' | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086
pl_serve --lenient $lis
pl_gen "$T/p4" --proto tcp,udp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,53 --ports "$ports"
pl_gen "$T/p6" --proto tcp,udp --dst "$NODE6" --src "$OUT6,$PUB6" \
	--sport 0 --ports "$ports"
pl_merge "$T/probes" "$T/p4" "$T/p6"
n=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/probes")
[ "$n" -ge 500 ] || fwa_fail "chair: only $n probes (want 500)"
pl_check "chair ($n probes)" "$T/probes"
"$PYTHON" - "$PT/audit.$_pl_ncheck.json" "$PT/results.$_pl_ncheck.json" "$PROBE_PY" <<'EOF2'
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("probe", sys.argv[3])
probe = importlib.util.module_from_spec(spec); spec.loader.exec_module(probe)
a = json.load(open(sys.argv[1])); res = json.load(open(sys.argv[2]))
poss = sum(1 for p in res if any(r["certainty"] == "possible" for r in probe.verdict(a, p, "eth1.110")))
print("chair: %d of %d probes in a 'possible' row (either outcome accepted)" % (poss, len(res)))
EOF2
fwa_finish
