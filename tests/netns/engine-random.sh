#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-random.sh - randomized differential test of the engine against the
# kernel.  Each seed makes one random ruleset (accept/drop/reject/jump/goto/
# return/policies, port ranges and sets, prefixes around the outside
# addresses, negations, source-port matches, ct state, interface names and
# wildcards, a second base chain at another priority), loaded in turn with
# nft (inet table), iptables-nft-restore and iptables-legacy-restore, and a
# random sample of probes (tcp/udp, three source addresses, ephemeral and
# fixed source ports, IPv6 for inet tables) from the outside namespace.
# Every disagreement is printed with the seed that reproduces it:
#	SEED=1234 tests/netns/engine-random.sh
# RANDOM_RUNS (default 60) rulesets per run, from RANDOM_BASE (default:
# random) on; the run stops starting new rulesets after RANDOM_BUDGET
# seconds (default 200).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

fwa_require_tools iptables-nft-restore iptables-legacy-restore
pl_init

cat > "$PT/gen.py" <<'PY'
import json, random, sys

seed = int(sys.argv[1])
out_rules, out_probes = sys.argv[2], sys.argv[3]
R = random.Random(seed)
backend = ["nft", "iptables-nft", "iptables-legacy"][seed % 3]
PORTS = list(range(1000, 1016))
PREFIXES = ["198.51.100.2/32", "198.51.100.0/24", "198.51.100.0/30",
            "203.0.113.0/24", "203.0.113.7/32", "203.0.113.0/25",
            "203.0.113.128/25", "10.9.0.0/24", "10.0.0.0/8", "0.0.0.0/1",
            "128.0.0.0/1", "192.0.2.0/24"]

def portmatch():
    k = R.random()
    if k < 0.45:
        return ("one", R.choice(PORTS))
    if k < 0.8:
        a = R.choice(PORTS)
        return ("range", a, min(a + R.randint(1, 6), 1016))
    return ("set", sorted(set(R.sample(PORTS, R.randint(2, 4)))))

def sportmatch():
    k = R.random()
    if k < 0.5:
        return ("one", 53)
    if k < 0.8:
        return ("range", 50, 60)
    return ("range", 0, 1023)

def rule(chain_idx, nchains, user):
    r = {}
    if R.random() < 0.7:
        r["proto"] = R.choice(["tcp", "udp"])
        if R.random() < 0.8:
            r["dport"] = portmatch()
        if R.random() < 0.25:
            r["sport"] = sportmatch()
    if R.random() < 0.4:
        r["saddr"] = (R.choice(PREFIXES), R.random() < 0.25)
    if R.random() < 0.1:
        r["daddr"] = (R.choice(["198.51.100.1/32", "198.51.100.0/24", "198.51.100.9/32"]),
                      R.random() < 0.3)
    if R.random() < 0.2:
        r["ct"] = R.choice(["new", "established,related", "new,established",
                            "invalid"])
    if R.random() < 0.15:
        r["iif"] = R.choice([("v0", False), ("v+", False), ("lo", True),
                             ("v1", False), ("eth+", False), ("v0", True)])
    if backend == "nft" and R.random() < 0.1 and "saddr" not in r:
        r["saddrset"] = True
    vs = ["accept"] * 4 + ["drop"] * 3 + ["reject"] * 2 + [None]
    later = [j for j in range(chain_idx + 1, nchains)]
    if later:
        vs += ["jump"] * 3 + ["goto"]
    if user:
        vs += ["return"] * 2
    v = R.choice(vs)
    r["verdict"] = v
    if v in ("jump", "goto"):
        r["target"] = "c%d" % R.choice(later)
    return r

nuser = R.randint(0, 3)
chains = {"input": [rule(0, nuser + 1, False) for _ in range(R.randint(2, 9))]}
for i in range(nuser):
    chains["c%d" % (i + 1)] = [rule(i + 1, nuser + 1, True)
                               for _ in range(R.randint(1, 6))]
policy = R.choice(["accept", "drop", "drop"])
second = [rule(nuser + 1, nuser + 1, False) for _ in range(R.randint(0, 3))]
second_first = R.random() < 0.5
for r in second:
    if r["verdict"] in ("jump", "goto", "return"):
        r["verdict"] = "accept"
    r.pop("saddrset", None)
saddrset = sorted(R.sample(PREFIXES, 3))

def nft_ports(m):
    if m[0] == "one":
        return str(m[1])
    if m[0] == "range":
        return "%d-%d" % (m[1], m[2])
    return "{ %s }" % ", ".join(str(p) for p in m[1])

def nft_rule(r, fam="inet"):
    w = []
    if "iif" in r:
        n, neg = r["iif"]
        w.append('iifname %s"%s"' % ("!= " if neg else "", n.replace("+", "*")))
    if "saddr" in r:
        w.append("ip saddr %s%s" % ("!= " if r["saddr"][1] else "", r["saddr"][0]))
    if r.get("saddrset"):
        w.append("ip saddr @srcs")
    if "daddr" in r:
        w.append("ip daddr %s%s" % ("!= " if r["daddr"][1] else "", r["daddr"][0]))
    if "proto" in r:
        if "dport" in r:
            w.append("%s dport %s" % (r["proto"], nft_ports(r["dport"])))
        if "sport" in r:
            w.append("%s sport %s" % (r["proto"], nft_ports(r["sport"])))
        if "dport" not in r and "sport" not in r:
            w.append("meta l4proto %s" % r["proto"])
    if "ct" in r:
        w.append("ct state %s" % r["ct"])
    v = r["verdict"]
    if v is None:
        w.append("counter")
    elif v == "reject":
        w.append("reject with icmpx admin-prohibited" if fam == "inet"
                 else "reject with icmp type admin-prohibited")
    elif v in ("jump", "goto"):
        w.append("%s %s" % (v, r["target"]))
    else:
        w.append(v)
    return " ".join(w)

def ipt_ports(m, multi):
    if m[0] == "one":
        return str(m[1])
    if m[0] == "range":
        return "%d:%d" % (m[1], m[2])
    return ",".join(str(p) for p in m[1])

def ipt_rule(chain, r):
    w = ["-A", chain]
    if "iif" in r:
        n, neg = r["iif"]
        w += (["!"] if neg else []) + ["-i", n]
    if "saddr" in r:
        w += (["!"] if r["saddr"][1] else []) + ["-s", r["saddr"][0]]
    if "daddr" in r:
        w += (["!"] if r["daddr"][1] else []) + ["-d", r["daddr"][0]]
    if "proto" in r:
        w += ["-p", r["proto"]]
        # --sport first: multiport's options must not follow tcp's
        if "sport" in r:
            w += ["--sport", ipt_ports(r["sport"], False)]
        if "dport" in r:
            if r["dport"][0] == "set":
                w += ["-m", "multiport", "--dports", ipt_ports(r["dport"], True)]
            else:
                w += ["--dport", ipt_ports(r["dport"], False)]
    if "ct" in r:
        w += ["-m", "conntrack", "--ctstate", r["ct"].upper().replace(",", ",")]
    v = r["verdict"]
    if v == "reject":
        w += ["-j", "REJECT", "--reject-with", "icmp-admin-prohibited"]
    elif v == "jump":
        w += ["-j", r["target"]]
    elif v == "goto":
        w += ["-g", r["target"]]
    elif v:
        w += ["-j", v.upper()]
    return " ".join(w)

lines = []
if backend == "nft":
    lines.append("table inet r {")
    lines.append("\tset srcs { type ipv4_addr; flags interval; auto-merge; elements = { %s } }"
                 % ", ".join(saddrset))
    for name, rules in chains.items():
        lines.append("\tchain %s {" % name)
        if name == "input":
            lines.append("\t\ttype filter hook input priority 0; policy %s;" % policy)
            lines.append("\t\tmeta l4proto ipv6-icmp accept")
        for r in rules:
            lines.append("\t\t" + nft_rule(r))
        lines.append("\t}")
    lines.append("}")
    if second:
        lines.append("table ip r2 {")
        lines.append("\tchain input {")
        lines.append("\t\ttype filter hook input priority %d; policy accept;"
                     % (-10 if second_first else 10))
        for r in second:
            lines.append("\t\t" + nft_rule(r, "ip"))
        lines.append("\t}")
        lines.append("}")
else:
    if second:
        lines += ["*mangle", ":INPUT ACCEPT [0:0]"]
        # REJECT is for the filter table only
        lines += [ipt_rule("INPUT", dict(r, verdict="drop") if r["verdict"] == "reject"
                           else r) for r in second]
        lines.append("COMMIT")
    lines += ["*filter", ":INPUT %s [0:0]" % policy.upper()]
    for name in chains:
        if name != "input":
            lines.append(":%s - [0:0]" % name)
    for name, rules in chains.items():
        lines += [ipt_rule("INPUT" if name == "input" else name, r) for r in rules]
    lines.append("COMMIT")
with open(out_rules, "w") as f:
    f.write("\n".join(lines) + "\n")

probes = []
for proto in ("tcp", "udp"):
    for src in ("198.51.100.2", "203.0.113.7", "10.9.0.7"):
        for sport in (0, 53, 55):
            for dport in range(999, 1017):
                probes.append({"proto": proto, "dst": "198.51.100.1",
                               "src": src, "sport": sport, "dport": dport})
    if backend == "nft":
        for src in ("2001:db8:1::2", "2001:db8:2::7"):
            for sport in (0, 53):
                for dport in range(999, 1017):
                    probes.append({"proto": proto, "dst": "2001:db8:1::1",
                                   "src": src, "sport": sport, "dport": dport})
probes = R.sample(probes, 70)
with open(out_probes, "w") as f:
    json.dump(probes, f)
print(backend)
PY

# listeners: 1000-1011 tcp, 1000-1007 udp (dual stack); 1012-1015 and 999,
# 1016 have none (open or closed)
# Two pairs of namespaces: one for nft and iptables-nft, one for
# iptables-legacy.  (Seen on 6.18: once legacy tables exist in a namespace,
# IPv6 answers to a batch of probes can go missing; the legacy rulesets get
# no IPv6 probes, the nft ones run where no legacy table ever was.)
pl_serve tcp:[::]:1000-1011 udp:[::]:1000-1007
NODE_N=$NODE OUT_N=$OUT
pl_pair
pl_serve tcp:[::]:1000-1011 udp:[::]:1000-1007
NODE_L=$NODE OUT_L=$OUT

clear_rules() {
	ip netns exec "$NODE_N" nft flush ruleset
	ip netns exec "$NODE_L" nft flush ruleset
	printf '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*mangle\n:INPUT ACCEPT [0:0]\nCOMMIT\n' |
		ip netns exec "$NODE_L" iptables-legacy-restore
	ip netns exec "$NODE_N" "$PYTHON" "$PROBE_PY" ctflush
	ip netns exec "$NODE_L" "$PYTHON" "$PROBE_PY" ctflush
}

if [ -n "${SEED:-}" ]; then
	seeds=("$SEED")
else
	base=${RANDOM_BASE:-$(( (RANDOM << 15 | RANDOM) ))}
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
	be=$("$PYTHON" "$PT/gen.py" "$seed" "$PT/rules" "$PT/probes")
	if [ "$be" = iptables-legacy ]; then
		NODE=$NODE_L OUT=$OUT_L
	else
		NODE=$NODE_N OUT=$OUT_N
	fi
	case "$be" in
	nft) ip netns exec "$NODE" nft -f "$PT/rules" ;;
	iptables-nft) ip netns exec "$NODE" iptables-nft-restore < "$PT/rules" ;;
	iptables-legacy) ip netns exec "$NODE" iptables-legacy-restore < "$PT/rules" ;;
	esac || { cat "$PT/rules"; fwa_die "seed $seed: $be could not load the ruleset above"; }
	n=$((n + 1))
	rc=0
	# a subshell: a failure of fwaudit itself (fwa_die) ends this seed
	# only, with its output
	(PL_TIMEOUT=0.3 pl_check "seed $seed ($be)" "$PT/probes") > "$PT/out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		nbad=$((nbad + 1))
		_fwa_failures=$((_fwa_failures + 1))
		cat "$PT/out"
		echo "  ruleset of seed $seed ($be), reproduce with SEED=$seed $0:"
		sed 's/^/    /' "$PT/rules"
	elif [ -n "${SEED:-}" ] || [ "${VERBOSE:-0}" = 1 ]; then
		cat "$PT/out"
	fi
done
clear_rules
fwa_log "$n rulesets, $nbad with disagreements, $((SECONDS - start)) s"
[ "$n" -ge 50 ] || [ -n "${SEED:-}" ] || fwa_fail "only $n rulesets in the time budget (want 50)"
fwa_finish
