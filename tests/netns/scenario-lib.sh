# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/netns/scenario-lib.sh - the front-end scenarios' shared part (issue
# 9: every mainstream front-end with its defaults).  Source it after lib.sh
# and probe-lib.sh.
#
#	sc_possible LABEL		audit $NODE (JSON), print how many
#					exposures are "possible" and what made
#					each one so (its "unknown"); a check
#					that the count is 0
#	sc_unknown LABEL		print the rules with a match fwaudit
#					does not decode (fwaudit ruleset)
#	sc_golden NAME			fwaudit audit --no-rules (text) in
#					$NODE against tests/golden/NAME.text;
#					GOLDEN=update rewrites the file
#	sc_fixed_lladdr			fixed link-local addresses on the
#					node's links (fe80::1 on v0, fe80::2,
#					...) and the outside's (fe80::ff): the
#					golden text stays the same
#	sc_ll_probes			probes to the node's link-local
#					address
#	sc_backend			a namespace $BACK behind the node:
#					node v2 10.77.0.1/24 2001:db8:77::1/64,
#					$BACK4 10.77.0.2, $BACK6 2001:db8:77::2

SC_GOLDEN_DIR=$top_srcdir/tests/golden
BACK4=10.77.0.2
BACK6=2001:db8:77::2

# sc_possible LABEL [PROTO/PORT...]: print every possible exposure with
# what made it possible; the count must be 0.  Rows on a PROTO/PORT given
# whose every unknown is a rate or history match ("recent ...", "limit
# ...", "hashlimit ..."): undecidable by design (a stranger cannot choose
# the host's memory of it), counted apart.
sc_possible() {
	local label=$1 a n bad rate

	shift
	_sc_n=$(( ${_sc_n:-0} + 1 ))
	a="$PT/possible.$_sc_n.json"
	pl_audit "$a"
	n=$("$PYTHON" - "$a" "$label" "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
label, rated = sys.argv[2], set(sys.argv[3:])
bad = rate = 0
for e in j["exposures"]:
    if e.get("certainty") != "possible":
        continue
    unk = e.get("unknown") or []
    key = "%s/%d" % (e["protocol"], e["ports"][0])
    by_design = (key in rated and e["ports"][0] == e["ports"][1] and unk and
                 all(u.split()[0] in ("recent", "limit", "hashlimit") for u in unk))
    if by_design:
        rate += 1
    else:
        bad += 1
    print("  possible (%s)%s: %s %s/%s-%s to %s from %s on %s: unknown %s" % (
        label, " [a rate limit, by design]" if by_design else "",
        e["family"], e["protocol"], e["ports"][0], e["ports"][1],
        e["address"], ",".join(e["sources"]), ",".join(e["interfaces"]),
        json.dumps(unk)), file=sys.stderr)
print(bad, rate)
PY
)
	read -r bad rate <<< "$n"
	fwa_log "$label: $((bad + rate)) possible exposure(s), $rate of them a rate limit by design"
	if [ "$bad" = 0 ]; then
		fwa_pass "$label: no possible exposure but rate limits ($rate)"
	else
		fwa_fail "$label: $bad possible exposure(s) beyond rate limits, expected 0 (every match decidable)"
	fi
}

# sc_unknown LABEL: print the matches of the node's ruleset that fwaudit
# does not decode ("unknown match", fwaudit ruleset), for the record.
sc_unknown() {
	local n

	ip netns exec "$NODE" "$FWAUDIT" ruleset > "$PT/ruleset.txt" 2>&1 || true
	n=$(grep -c 'unknown match' "$PT/ruleset.txt" || true)
	fwa_log "$1: $n rule(s) with a match fwaudit does not decode"
	grep 'unknown match' "$PT/ruleset.txt" | sed 's/^[[:space:]]*/  undecoded: /' || true
}

# sc_golden NAME: the text audit of $NODE, pids normalised, equals
# tests/golden/NAME.text.
sc_golden() {
	local name=$1 g out rc=0

	g=$SC_GOLDEN_DIR/$name.text
	out="$PT/golden.$name"
	pl_settle
	ip netns exec "$NODE" "$FWAUDIT" audit --no-rules --format text \
		> "$out.raw" 2> "$out.err" || rc=$?
	if [ "$rc" -ge 3 ]; then
		fwa_fail "$name: fwaudit audit exited $rc: $(head -3 "$out.err")"
		return 1
	fi
	sed -E 's/\[[0-9]+\]/[PID]/g' "$out.raw" > "$out"
	if [ "${GOLDEN:-}" = update ]; then
		cp "$out" "$g"
		fwa_log "updated $g"
	elif [ ! -f "$g" ]; then
		fwa_fail "$name: no golden file $g (GOLDEN=update writes it)"
	elif diff -u <(golden_norm < "$g") <(golden_norm < "$out") > "$out.diff"; then
		fwa_pass "$name: text audit equals $(basename "$g")"
	else
		fwa_fail "$name: text audit differs from $(basename "$g"):"
		head -60 "$out.diff"
	fi
}

# sc_backend: a namespace $BACK behind the node on v2, routed from the
# outside through the node, with its default routes back through it.
sc_backend() {
	fwa_ns_new BACK back
	fwa_veth "$NODE" v2 10.77.0.1/24 "$BACK" v3 "$BACK4/24"
	ip -n "$NODE" addr add 2001:db8:77::1/64 dev v2 nodad
	ip -n "$BACK" addr add "$BACK6/64" dev v3 nodad
	ip -n "$BACK" route add default via 10.77.0.1
	ip -n "$BACK" -6 route add default via 2001:db8:77::1
	ip -n "$OUT" route add 10.77.0.0/24 via "$NODE4"
}

# sc_back_serve SPEC...: listeners in $BACK (probe.py serve).
sc_back_serve() {
	local pid f i

	f="$PT/back-serve.$$.$RANDOM"
	fwa_bg pid ip netns exec "$BACK" "$PYTHON" "$PROBE_PY" serve "$@" > "$f" 2>&1
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$f" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^ready' "$f" || fwa_die "backend listeners $* did not start: $(cat "$f")"
}

# sc_fixed_lladdr: replace the node's link-local addresses (made from
# random MACs) with fixed ones: $NODE_LL (fe80::1) on v0, fe80::2, ... on
# the others in link order; the outside's v1 gets $OUT_LL (fe80::ff).
NODE_LL=fe80::1
OUT_LL=fe80::ff
sc_fixed_lladdr() {
	local l i=1

	_sc_lladdr "$NODE" v0 "$NODE_LL"
	for l in $(ip -n "$NODE" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		[ "$l" != lo ] && [ "$l" != v0 ] || continue
		i=$((i + 1))
		_sc_lladdr "$NODE" "$l" "fe80::$i"
	done
	_sc_lladdr "$OUT" v1 "$OUT_LL"
}

_sc_lladdr() {
	ip -n "$1" link set dev "$2" addrgenmode none
	ip -n "$1" -6 addr flush dev "$2" scope link
	ip -n "$1" -6 addr add "$3/64" dev "$2" nodad
}

# sc_ll_probes FILE PORTS [PROTOS] [SPORTS]: link-local probes from the
# outside: from its link-local address to the node's on v0 ("fe80::1%v1"
# seen from there), and TCP also from its link-local address to the node's
# global one and from its global address to the node's link-local one.
# (No UDP across scopes: probe.py's echo answers from the address the
# kernel picks for the sender's scope, which the sender's connected socket
# does not accept: no answer, whatever the firewall does.)
sc_ll_probes() {
	local f=$1 ports=$2 protos=${3:-tcp,udp} sports=${4:-0}

	"$PYTHON" "$PROBE_PY" gen --proto "$protos" --dst "$NODE_LL%v1" \
		--src "$OUT_LL%v1" --sport "$sports" --ports "$ports" > "$f.1"
	"$PYTHON" "$PROBE_PY" gen --proto tcp --dst "$NODE6" \
		--src "$OUT_LL%v1" --sport "$sports" --ports "$ports" > "$f.2"
	"$PYTHON" "$PROBE_PY" gen --proto tcp --dst "$NODE_LL%v1" \
		--src "$OUT6" --sport "$sports" --ports "$ports" > "$f.3"
	pl_merge "$f" "$f.1" "$f.2" "$f.3"
}
