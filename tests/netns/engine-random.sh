#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-random.sh - randomized differential test of the engine against the
# kernel.  Each seed makes one random ruleset (random-ruleset.py: accept/
# drop/reject/jump/goto/return/policies, port ranges, sets and verdict maps,
# prefixes around the outside addresses, negations, source-port matches,
# ct state, ct status dnat and ct original, interface names and wildcards,
# REDIRECTs at nat prerouting, more base chains at input and prerouting in
# other tables and priorities, TTL / hop limit, DSCP / TOS and UDP length
# matches), loaded in turn with nft (inet and other tables), iptables-nft-
# restore and iptables-legacy-restore (and ip6tables-*-restore),
# and a random sample of probes (tcp/udp, three source addresses, ephemeral
# and fixed source ports, IPv6 where the ruleset has it) from the outside
# namespace.  Where the ruleset compares header fields, each probe is sent
# once per class of their values (the sender's choice, probe.py
# "variants"): it is reached when one of them is.  A TCP probe is reached
# when the listener's answer is read.
# Every disagreement is printed with the seed that reproduces it:
#	SEED=1234 tests/netns/engine-random.sh
# RANDOM_RUNS (default 60) rulesets per run, from RANDOM_BASE (default:
# random; under CI=true a fixed range that passed in both builds, so that a
# landing is decided by the code and not by the draw: explore by hand, and
# make every failing seed found that way a fix and, if it teaches
# something, a test) on; the run stops starting new rulesets after
# RANDOM_BUDGET seconds (default 200).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-nft-restore ip6tables-nft-restore \
	iptables-legacy-restore
pl_init

# listeners (random-ruleset.py's LISTEN_*): tcp 1000-1011 and 2000-2001,
# udp 1000-1007 and 2000 (dual stack); 1012-1015, 999, 1016 and the other
# REDIRECT targets have none (open or closed)
# Two pairs of namespaces: one for nft and iptables-nft, one for
# iptables-legacy.  (Seen on an earlier 6.18: once legacy tables exist in a
# namespace, IPv6 answers to a batch of probes could go missing; the nft
# rulesets run where no legacy table ever was, and RANDOM_LEGACY6=0 gives
# the legacy ones no IPv6.)
# The nodes answer every SYN with a cookie: a listener then keeps no
# half-open connection (SYN-ACK sent, the ACK dropped) that a later probe
# from the same fixed source port would run into (the next header variant
# of a group, or a probe of the next seeds).
LISTEN=("tcp:[::]:1000-1011" "tcp:[::]:2000-2001" "udp:[::]:1000-1007" "udp:[::]:2000")
ip netns exec "$NODE" sysctl -qw net.ipv4.tcp_syncookies=2
pl_serve "${LISTEN[@]}"
NODE_N=$NODE OUT_N=$OUT
pl_pair
ip netns exec "$NODE" sysctl -qw net.ipv4.tcp_syncookies=2
pl_serve "${LISTEN[@]}"
NODE_L=$NODE OUT_L=$OUT

# The prober's ground truth first: a connection whose handshake ACK (and
# everything after the SYN-ACK) the firewall drops is not reached, and a
# group is reached with its one variant that gets through.
ip netns exec "$NODE_N" nft -f - <<'EOF'
table inet self {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 1000 ct state established drop
		tcp dport 1001 ip ttl != 64 drop
		udp dport 1001 meta length != 200 drop
	}
}
EOF
cat > "$PT/self.json" <<EOF
[{"proto": "tcp", "dst": "$NODE4", "dport": 1000},
 {"proto": "tcp", "dst": "$NODE4", "dport": 1002},
 {"proto": "tcp", "dst": "$NODE4", "dport": 1001, "sport": 53,
  "variants": {"ttl": [1, 255]}},
 {"proto": "tcp", "dst": "$NODE4", "dport": 1001, "sport": 55,
  "variants": {"ttl": [1, 64, 255]}},
 {"proto": "udp", "dst": "$NODE4", "dport": 1001, "variants": {"length": [100, 200]}},
 {"proto": "udp", "dst": "$NODE6", "dport": 1001, "variants": {"length": [100, 200]}}]
EOF
ip netns exec "$OUT_N" "$PYTHON" "$PROBE_PY" batch --timeout 1 < "$PT/self.json" \
	> "$PT/self.out"
got=$("$PYTHON" -c 'import json, sys
print(" ".join(p["outcome"] for p in json.load(open(sys.argv[1]))))' "$PT/self.out")
want="halfopen connected timeout connected reply reply"
if [ "$got" = "$want" ]; then
	fwa_pass "the prober: no answer read is not reached; a group gets in with its one good variant"
else
	fwa_fail "the prober: $got (want $want)"
fi
ip netns exec "$NODE_N" nft flush ruleset

clear_rules() {
	ip netns exec "$NODE_N" nft flush ruleset
	ip netns exec "$NODE_L" nft flush ruleset
	printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' COMMIT '*mangle' \
		':INPUT ACCEPT [0:0]' ':PREROUTING ACCEPT [0:0]' COMMIT '*nat' \
		':PREROUTING ACCEPT [0:0]' COMMIT '*security' ':INPUT ACCEPT [0:0]' \
		COMMIT | ip netns exec "$NODE_L" iptables-legacy-restore
	if [ "${RANDOM_LEGACY6:-1}" = 1 ]; then
		printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' COMMIT '*mangle' \
			':INPUT ACCEPT [0:0]' ':PREROUTING ACCEPT [0:0]' COMMIT \
			'*nat' ':PREROUTING ACCEPT [0:0]' COMMIT '*security' \
			':INPUT ACCEPT [0:0]' COMMIT |
			ip netns exec "$NODE_L" ip6tables-legacy-restore
	fi
	ip netns exec "$NODE_N" "$PYTHON" "$PROBE_PY" ctflush
	ip netns exec "$NODE_L" "$PYTHON" "$PROBE_PY" ctflush
}

if [ -n "${SEED:-}" ]; then
	seeds=("$SEED")
else
	if [ -n "${CI:-}" ]; then
		base=${RANDOM_BASE:-199680437}
	else
		base=${RANDOM_BASE:-$(( (RANDOM << 15 | RANDOM) ))}
	fi
	seeds=()
	for ((i = 0; i < ${RANDOM_RUNS:-60}; i++)); do seeds+=($((base + i))); done
	fwa_log "seeds $base..$((base + ${RANDOM_RUNS:-60} - 1))"
fi
start=$SECONDS
n=0
nbad=0
PL_EXPLAIN_MAX=${PL_EXPLAIN_MAX:-2}
for seed in "${seeds[@]}"; do
	if [ $((SECONDS - start)) -ge "${RANDOM_BUDGET:-200}" ]; then
		fwa_log "time budget reached after $n rulesets"
		break
	fi
	clear_rules
	rm -f "$PT/rules.6"
	read -r be second < <("$PYTHON" "$FWA_LIBDIR/random-ruleset.py" "$seed" \
		"$PT/rules" "$PT/probes")
	if [ "$be" = iptables-legacy ]; then
		NODE=$NODE_L OUT=$OUT_L
	else
		NODE=$NODE_N OUT=$OUT_N
	fi
	case "$be" in
	nft) ip netns exec "$NODE" nft -f "$PT/rules" ;;
	*) ip netns exec "$NODE" "$be-restore" < "$PT/rules" &&
		if [ -e "$PT/rules.6" ]; then
			ip netns exec "$NODE" "ip6${be#ip}-restore" < "$PT/rules.6"
		fi ;;
	esac || { cat "$PT"/rules*; fwa_die "seed $seed: $be could not load the ruleset above"; }
	n=$((n + 1))
	rc=0
	# a subshell: a failure of fwaudit itself (fwa_die) ends this seed
	# only, with its output; the second round listens on the REDIRECT
	# targets too
	(PL_TIMEOUT=0.3 PL_SECOND_SERVE=$second pl_check "seed $seed ($be)" \
		"$PT/probes") > "$PT/out" 2>&1 || rc=$?
	# what the seed's probes covered (its subshell's first check:
	# audit.1.json, results.1.json)
	"$PYTHON" - "$PROBE_PY" "$PT/audit.1.json" "$PT/results.1.json" \
		>> "$PT/stats" <<'PY' || true
import importlib.util, json, sys
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("probe", sys.argv[1])
probe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(probe)
audit = json.load(open(sys.argv[2]))
ps = json.load(open(sys.argv[3]))
reach = [p for p in ps if p["outcome"] in probe.REACHED]
# reached with a later header variant only
late = [p for p in reach if "tried" in p and
        p["tried"][0].rpartition(":")[2] not in probe.REACHED]
redir = [p for p in reach if any(
    r.get("backend") and r["backend"]["ports"][0] != p["dport"]
    for r in probe.verdict(audit, p, "v0"))]
print(len(ps), sum(len(p.get("tried", [0])) for p in ps), len(reach),
      len(late), len(redir))
PY
	if [ "$rc" -ne 0 ]; then
		nbad=$((nbad + 1))
		_fwa_failures=$((_fwa_failures + 1))
		cat "$PT/out"
		echo "  ruleset of seed $seed ($be), reproduce with SEED=$seed $0:"
		sed 's/^/    /' "$PT/rules"
		if [ -e "$PT/rules.6" ]; then
			echo "  and its IPv6 half (ip6${be#ip}-restore):"
			sed 's/^/    /' "$PT/rules.6"
		fi
	elif [ -n "${SEED:-}" ] || [ "${VERBOSE:-0}" = 1 ]; then
		cat "$PT/out"
	fi
done
clear_rules
fwa_log "$n rulesets, $nbad with disagreements, $((SECONDS - start)) s;" \
	"$(awk '{ p += $1; s += $2; r += $3; l += $4; d += $5 } END {
		printf "%d probes (%d sent, with the header variants), %d got" \
		" in: %d with a later header variant only, %d through a" \
		" REDIRECT", p, s, r, l, d }' "$PT/stats" 2>/dev/null)"
[ "$n" -ge 50 ] || [ -n "${SEED:-}" ] || fwa_fail "only $n rulesets in the time budget (want 50)"
fwa_finish
