#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus-iptables.sh - every iptables-save / ip6tables-save dump of the
# net-network corpus, loaded into a fresh namespace with iptables-nft-restore
# and again (another fresh namespace) with iptables-legacy-restore:
#  - fwaudit ruleset --format json exits 0;
#  - per table/chain, it reports the chains and the number of rules that
#    iptables-{nft,legacy}-save prints for that namespace, rules numbered
#    1..n;
#  - reading does not change the namespace (no legacy table instantiated,
#    nft ruleset unchanged);
#  - every match reported with field "unknown" is named in
#    doc/unsupported-matches.md, and none of them is one fwaudit must
#    decode (the list `required` below, as doc/unsupported-matches.md says);
#  - both backends give the same model: per rule the same verdict and the
#    same matches (x_tables blobs and the native expressions iptables-nft
#    emits must decode alike).
# One PASS/FAIL line per file and backend.  FWA_CORPUS_FILTER=REGEX limits
# the files (for debugging).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

CORPUS=$(fwa_corpus)
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS/net-network" ]; then
	printf 'SKIP: corpus not found (%s): iptables corpus tests skipped\n' \
		"${FWA_CORPUS:-$top_srcdir/../shared/corpus}"
	exit 77
fi
fwa_require_root
fwa_require_tools "$PYTHON" iptables-nft-restore iptables-nft-save \
	ip6tables-nft-restore ip6tables-nft-save iptables-legacy-restore \
	iptables-legacy-save ip6tables-legacy-restore ip6tables-legacy-save nft
fwa_require_fwaudit
DOC="$top_srcdir/doc/unsupported-matches.md"
[ -f "$DOC" ] || fwa_die "missing $DOC"

fwa_tmpdir T
ALLUNK="$T/unknown.all"
: > "$ALLUNK"

# the dumps: iptables-save output, minus the raw chair dumps that have a
# .loadable copy (their anonymised MAC XX:XX:... does not load)
mapfile -t FILES < <(cd "$CORPUS/net-network" && find . -type f \
	! -name LICENSE ! -name '*.md' ! -name '*nft-ruleset*' | sed 's|^\./||' |
	LC_ALL=C sort)

# compare SAVEFILE NFTCHAINS JSONFILE SOURCE FAMILY LABEL: print one
# PASS/FAIL line,
# append "name revision" of unknown matches to $ALLUNK; exit 1 on mismatch.
compare() {
	"$PYTHON" - "$@" "$DOC" "$ALLUNK" <<'EOF'
import json, re, sys
save, nftchains, jfile, source, family, label, doc, allunk = sys.argv[1:9]
want = {}
order = []
table = None
with open(save) as f:
    for line in f:
        if line.startswith("*"):
            table = line[1:].strip()
        elif line.startswith(":"):
            k = (table, line[1:].split()[0])
            want.setdefault(k, 0)
        elif line.startswith("-A "):
            k = (table, line.split()[1])
            want[k] = want.get(k, 0) + 1
try:
    with open(jfile) as f:
        j = json.load(f)
except ValueError as e:
    print("FAIL: %s (fwaudit printed invalid JSON: %s)" % (label, e))
    sys.exit(1)
phantom = 0
if source == "nftables":
    # iptables-nft-save prints every built-in chain of a table, also those
    # never created in the kernel: an empty one nft does not list is not
    # expected
    with open(nftchains) as f:
        real = {(o["chain"]["table"], o["chain"]["name"]) for o in json.load(f)["nftables"]
                if "chain" in o and o["chain"]["family"] == family}
    for k in [k for k, v in want.items() if not v and k not in real]:
        del want[k]
        phantom += 1
got = {}
problems = []
unknown = {}
others = {}
for c in j.get("chains", []):
    if c.get("source") != source or c.get("family") != family:
        continue
    k = (c["table"], c["chain"])
    if k in got:
        problems.append("chain %s/%s reported twice" % k)
    rules = c.get("rules", [])
    got[k] = len(rules)
    pos = [r.get("position") for r in rules]
    if pos != list(range(1, len(rules) + 1)):
        problems.append("%s/%s positions not 1..%d" % (k[0], k[1], len(rules)))
    for r in rules:
        for m in r.get("matches", []):
            if m.get("field") == "unknown":
                n = "%s rev %s" % (m.get("name"), m.get("revision"))
                unknown[n] = unknown.get(n, 0) + 1
        v = r.get("verdict") or {}
        if v.get("kind") == "other":
            others[v.get("name")] = others.get(v.get("name"), 0) + 1
diffs = []
for k in sorted(set(want) | set(got), key=lambda k: (str(k[0]), str(k[1]))):
    w, g = want.get(k), got.get(k)
    if w != g:
        diffs.append("%s/%s save=%s fwaudit=%s" % (k[0], k[1],
                     "absent" if w is None else w, "absent" if g is None else g))
listed = set()
with open(doc) as f:
    for line in f:
        m = re.match(r"\s*[-*]\s+`([A-Za-z0-9_.-]+)`", line)
        if m:
            listed.add(m.group(1))
required = set("tcp udp icmp icmp6 multiport addrtype conntrack state comment "
               "iprange mac set limit recent statistic mark physdev owner".split())
with open(allunk, "a") as f:
    for n, cnt in unknown.items():
        f.write("%s %d %s\n" % (n, cnt, label))
for n in sorted(unknown):
    name = n.split(" rev ")[0]
    if name in required:
        problems.append("match %s decoded as unknown (x%d), fwaudit must decode it"
                        % (n, unknown[n]))
    elif name not in listed:
        problems.append("unknown match %s (x%d) not listed in "
                        "doc/unsupported-matches.md" % (n, unknown[n]))
nrules = sum(want.values())
info = "%d chains, %d rules" % (len(want), nrules)
if phantom:
    info += ", %d empty built-in chains only iptables-nft-save shows" % phantom
if unknown:
    info += "; unknown: " + ", ".join("%s x%d" % (n, c) for n, c in sorted(unknown.items()))
if others:
    info += "; other targets: " + ", ".join("%s x%d" % (n, c) for n, c in sorted(others.items()))
if diffs or problems:
    print("FAIL: %s (%s)" % (label, info))
    for d in diffs[:40]:
        print("    count differs: " + d)
    if len(diffs) > 40:
        print("    ... %d more chains differ" % (len(diffs) - 40))
    for p in problems[:40]:
        print("    " + p)
    sys.exit(1)
print("PASS: %s (%s)" % (label, info))
EOF
}

# same_model NFTJSON LEGACYJSON FAMILY LABEL: the same dump read back from
# nf_tables (iptables-nft) and from x_tables (iptables-legacy) must give the
# same model: per chain the same base-chain properties, and per rule the
# same verdict and the same matches (in any order; undecidable "other"
# matches compared by name, their parameter text differs between the
# native nft expression and the x_tables blob).  Statements (iptables-nft
# adds a counter to every rule) are not compared.
same_model() {
	"$PYTHON" - "$@" <<'EOF'
import json, sys
fa, fb, family, label = sys.argv[1:5]
def load(f, src):
    with open(f) as fh:
        j = json.load(fh)
    return {(c["table"], c["chain"]): c for c in j["chains"]
            if c.get("source") == src and c.get("family") == family}
def norm(ms):
    out = []
    for m in ms:
        m = dict(m)
        if m.get("field") == "other":
            m.pop("value", None)
        if isinstance(m.get("value"), list):
            m["value"] = sorted(m["value"])
        out.append(json.dumps(m, sort_keys=True))
    return sorted(out)
try:
    A, B = load(fa, "nftables"), load(fb, "iptables-legacy")
except (ValueError, OSError) as e:
    print("FAIL: same model %s: %s" % (label, e))
    sys.exit(1)
diffs = []
for k in sorted(set(A) | set(B)):
    if k not in A or k not in B:
        diffs.append("%s/%s only in %s" % (k[0], k[1], "nft" if k in A else "legacy"))
        continue
    ca, cb = A[k], B[k]
    pa = [ca.get(x) for x in ("hook", "priority", "policy", "type")]
    pb = [cb.get(x) for x in ("hook", "priority", "policy", "type")]
    # iptables-nft really registers its security chains at priority 150
    # (nft list ruleset says so), legacy ip(6)table_security at 50
    # (NF_IP_PRI_SECURITY): both are the truth of their backend
    if k[0] == "security" and (pa[1], pb[1]) == (150, 50):
        pa[1] = pb[1]
    if pa != pb:
        diffs.append("%s/%s hook/priority/policy/type: nft %s, legacy %s" % (k + (pa, pb)))
    for ra, rb in zip(ca["rules"], cb["rules"]):
        if norm(ra["matches"]) != norm(rb["matches"]) or ra["verdict"] != rb["verdict"]:
            diffs.append("%s/%s rule %d: nft '%s', legacy '%s'" % (k + (ra["position"], ra["text"], rb["text"])))
if diffs:
    print("FAIL: same model from nft and legacy: %s (%d differences)" % (label, len(diffs)))
    for d in diffs[:20]:
        print("    " + d)
    sys.exit(1)
print("PASS: same model from nft and legacy: %s" % label)
EOF
}

# state NS: what an audit must not change
state() {
	fwa_nsx "$1" sh -c 'cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null; nft list ruleset 2>&1'
}

# run_one FILE BACKEND: one dump, one backend, one fresh namespace
run_one() {
	local f=$1 be=$2 v=ip fam=ip src=nftables ns label rc=0
	local path="$CORPUS/net-network/$f"

	case "$f" in *ip6tables*) v=ip6; fam=ip6 ;; esac
	[ "$be" = legacy ] && src=iptables-legacy
	label="$be $f"
	fwa_ns_new ns corpus
	if ! fwa_nsx "$ns" "${v}tables-$be-restore" < "$path" > "$T/restore.err" 2>&1; then
		fwa_fail "$label: ${v}tables-$be-restore failed: $(head -3 "$T/restore.err" | tr '\n' ' ')"
		fwa_ns_del "$ns"
		return 0
	fi
	fwa_nsx "$ns" "${v}tables-$be-save" > "$T/save" 2>/dev/null
	fwa_nsx "$ns" nft -j list chains > "$T/nftchains.json"
	state "$ns" > "$T/state.before"
	fw_json "$ns" > "$T/json" 2> "$T/stderr" || rc=$?
	state "$ns" > "$T/state.after"
	if [ "$rc" -ne 0 ]; then
		fwa_fail "$label: fwaudit exited $rc: $(head -3 "$T/stderr" | tr '\n' ' ')"
	else
		if compare "$T/save" "$T/nftchains.json" "$T/json" "$src" "$fam" "$label"; then
			:
		else
			_fwa_failures=$((_fwa_failures + 1))
		fi
	fi
	if ! cmp -s "$T/state.before" "$T/state.after"; then
		fwa_fail "$label: reading changed the namespace: $(diff "$T/state.before" "$T/state.after" | grep '^[<>]' | head -5 | tr '\n' ' ')"
	fi
	[ "$rc" -ne 0 ] || cp "$T/json" "$T/json.$be"
	fwa_ns_del "$ns"
}

start=$(date +%s)
n=0
for f in "${FILES[@]}"; do
	if [[ -n "${FWA_CORPUS_FILTER:-}" && ! "$f" =~ $FWA_CORPUS_FILTER ]]; then
		continue
	fi
	if [ -f "$CORPUS/net-network/$f.loadable" ]; then
		echo "SKIP: $f (raw chair dump: the .loadable copy is tested)"
		continue
	fi
	rm -f "$T/json.nft" "$T/json.legacy"
	for be in nft legacy; do
		run_one "$f" "$be"
		n=$((n + 1))
	done
	if [ -f "$T/json.nft" ] && [ -f "$T/json.legacy" ]; then
		fam=ip
		case "$f" in *ip6tables*) fam=ip6 ;; esac
		same_model "$T/json.nft" "$T/json.legacy" "$fam" "$f" ||
			_fwa_failures=$((_fwa_failures + 1))
	fi
done
fwa_log "$n loads in $(( $(date +%s) - start ))s"
if [ -s "$ALLUNK" ]; then
	fwa_log "unknown matches over the corpus (name rev count file):"
	sort "$ALLUNK" | sed 's/^/    /'
fi
fwa_finish
