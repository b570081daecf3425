#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus-nft.sh - every native nftables ruleset of the corpus
# (nft-github/*.nft and net-network/config_ongy_flat_share/2015_aug_nft-ruleset)
# loaded with nft -f into a fresh namespace:
#  - fwaudit ruleset --format json exits 0 and prints valid JSON;
#  - per family/table/chain it reports the chains and the number of rules
#    that nft -j list ruleset holds, rules numbered 1..n, every rule with a
#    handle equal to the kernel's;
#  - base chains carry the hook, priority, policy (and device for netdev)
#    that nft reports;
#  - named sets, maps and meters are all reported, with nft's element count;
#  - reading does not change the namespace.
# One PASS/FAIL line per file.  FWA_CORPUS_FILTER=REGEX limits the files.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

CORPUS=$(fwa_corpus)
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS/nft-github" ]; then
	printf 'SKIP: corpus not found (%s): nft corpus tests skipped\n' \
		"${FWA_CORPUS:-$top_srcdir/../shared/corpus}"
	exit 77
fi
fwa_require_root
fwa_require_tools "$PYTHON" nft
fwa_require_fwaudit

fwa_tmpdir T
mapfile -t FILES < <(cd "$CORPUS" && { ls nft-github/*.nft; \
	ls net-network/config_ongy_flat_share/2015_aug_nft-ruleset; } | LC_ALL=C sort)

# compare CASEDIR...: each holds nft.json, meters.json, fwaudit.json and
# label; one PASS/FAIL line per case; exit status 1 when one failed.
compare() {
	"$PYTHON" - "$@" <<'EOF'
import json, os, sys

def check(nftj, metersj, jfile, label):
    with open(nftj) as f:
        nj = json.load(f)["nftables"]
    # meters are kernel sets too, but nft -j list ruleset leaves them out
    with open(metersj) as f:
        nj += json.load(f)["nftables"]
    try:
        with open(jfile) as f:
            j = json.load(f)
    except ValueError as e:
        print("FAIL: %s (fwaudit printed invalid JSON: %s)" % (label, e))
        return False
    want, whandles, wbase, wsets = {}, {}, {}, {}
    for o in nj:
        if "chain" in o:
            c = o["chain"]
            k = (c["family"], c["table"], c["name"])
            want.setdefault(k, 0)
            whandles.setdefault(k, [])
            if "hook" in c:
                wbase[k] = (c["hook"], c.get("prio"), c.get("policy", "accept"),
                            c.get("dev"), c.get("type"))
        elif "rule" in o:
            r = o["rule"]
            k = (r["family"], r["table"], r["chain"])
            want[k] = want.get(k, 0) + 1
            whandles.setdefault(k, []).append(r["handle"])
        elif "set" in o or "map" in o or "meter" in o:
            s = o.get("set") or o.get("map") or o.get("meter")
            wsets[(s["family"], s["table"], s["name"])] = len(s.get("elem", []))
    got, ghandles, gbase, problems = {}, {}, {}, []
    for c in j.get("chains", []):
        if c.get("source") != "nftables":
            if c.get("rules"):
                problems.append("unexpected %s chain %s/%s" % (c.get("source"), c.get("table"), c.get("chain")))
            continue
        k = (c["family"], c["table"], c["chain"])
        if k in got:
            problems.append("chain %s %s/%s reported twice" % k)
        rules = c.get("rules", [])
        got[k] = len(rules)
        ghandles[k] = [r.get("handle") for r in rules]
        if [r.get("position") for r in rules] != list(range(1, len(rules) + 1)):
            problems.append("%s %s/%s positions not 1..n" % k)
        if c.get("hook") is not None:
            gbase[k] = (c["hook"], c.get("priority"), c.get("policy"), c.get("device"),
                        c.get("type"))
    # binding chains (jump { ... }) are kernel chains named __chain%d that
    # nft -j does not list: they must exist and be the target of a jump/goto
    # of their table
    targets = set()
    for c in j.get("chains", []):
        for r in c.get("rules", []):
            v = r.get("verdict") or {}
            if v.get("kind") in ("jump", "goto"):
                targets.add((c["family"], c["table"], v.get("chain")))
    nbind = 0
    for k in list(got):
        if k not in want and k[2].startswith("__chain"):
            nbind += 1
            if k not in targets:
                problems.append("binding chain %s %s/%s is no jump target" % k)
            del got[k]
    diffs = []
    for k in sorted(set(want) | set(got)):
        w, g = want.get(k), got.get(k)
        if w != g:
            diffs.append("%s %s/%s nft=%s fwaudit=%s" % (k + ("absent" if w is None else w,
                         "absent" if g is None else g)))
        elif whandles.get(k) != ghandles.get(k):
            problems.append("%s %s/%s handles %s, fwaudit %s" % (k + (whandles[k][:8], ghandles[k][:8])))
    for k in sorted(set(wbase) | set(gbase)):
        w, g = wbase.get(k), gbase.get(k)
        if w is None or g is None:
            if k in got and k in want:
                problems.append("%s %s/%s base chain: nft %s, fwaudit %s" % (k + (w, g)))
            continue
        if w[0] != g[0] or w[2] != g[2] or w[4] != g[4] or (w[3] is not None and w[3] != g[3]):
            problems.append("%s %s/%s hook/policy/device/type: nft %s, fwaudit %s" % (k + (w, g)))
        elif isinstance(w[1], int) and w[1] != g[1]:
            problems.append("%s %s/%s priority: nft %s, fwaudit %s" % (k + (w[1], g[1])))
    gsets = {}
    for s in j.get("sets", []):
        gsets[(s["family"], s["table"], s["name"])] = len(s.get("elements", []))
    for k in sorted(set(wsets) | set(gsets)):
        if k not in gsets:
            problems.append("set %s %s @%s missing" % k)
        elif k not in wsets:
            problems.append("set %s %s @%s not in nft" % k)
        elif wsets[k] != gsets[k]:
            problems.append("set %s %s @%s: nft lists %d elements, fwaudit %d"
                            % (k + (wsets[k], gsets[k])))
    nrules = sum(want.values())
    info = "%d chains, %d rules, %d sets" % (len(want), nrules, len(wsets))
    if nbind:
        info += ", %d binding chains" % nbind
    if diffs or problems:
        print("FAIL: %s (%s)" % (label, info))
        for d in diffs[:30]:
            print("    count differs: " + d)
        for p in problems[:30]:
            print("    " + p)
        return False
    print("PASS: %s (%s)" % (label, info))
    return True

bad = 0
for d in sys.argv[1:]:
    label = open(os.path.join(d, "label")).read().strip()
    if not check(os.path.join(d, "nft.json"), os.path.join(d, "meters.json"),
                 os.path.join(d, "fwaudit.json"), label):
        bad += 1
sys.exit(1 if bad else 0)
EOF
}

state() { fwa_nsx "$1" sh -c 'cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null; nft list ruleset 2>&1'; }

start=$(date +%s)
n=0
ns=
cases=()
for f in "${FILES[@]}"; do
	if [[ -n "${FWA_CORPUS_FILTER:-}" && ! "$f" =~ $FWA_CORPUS_FILTER ]]; then
		continue
	fi
	n=$((n + 1))
	label=${f#nft-github/}
	fwa_ns_new ns nft
	if ! fwa_nsx "$ns" nft -f "$CORPUS/$f" > "$T/load.err" 2>&1; then
		fwa_fail "$label: nft -f failed: $(head -2 "$T/load.err" | tr '\n' ' ')"
		fwa_ns_del "$ns"
		continue
	fi
	c="$T/case.$n"
	mkdir "$c"
	printf '%s\n' "$label" > "$c/label"
	fwa_nsx "$ns" nft -j list ruleset > "$c/nft.json" 2> "$T/nftj.err"
	fwa_nsx "$ns" nft -j list meters > "$c/meters.json" 2>> "$T/nftj.err"
	state "$ns" > "$T/state.before"
	rc=0
	fw_json "$ns" > "$c/fwaudit.json" 2> "$T/stderr" || rc=$?
	state "$ns" > "$T/state.after"
	if [ "$rc" -ne 0 ]; then
		fwa_fail "$label: fwaudit exited $rc: $(head -3 "$T/stderr" | tr '\n' ' ')"
	else
		cases+=("$c")
	fi
	if ! cmp -s "$T/state.before" "$T/state.after"; then
		fwa_fail "$label: reading changed the namespace"
	fi
	fwa_ns_del "$ns"
done
if [ ${#cases[@]} -gt 0 ] && ! compare "${cases[@]}"; then
	_fwa_failures=$((_fwa_failures + 1))
fi
fwa_log "$n rulesets in $(( $(date +%s) - start ))s"
fwa_finish
