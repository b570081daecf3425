# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/probe-lib.sh - the engine tests' shared part: a node namespace
# holding rules and listeners, an outside namespace sending real probes
# (tests/netns/probe.py), and the comparison of every probe's outcome with
# fwaudit's verdict.  Source it after lib.sh:
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/probe-lib.sh"
#	pl_init
#
# Addresses (only inside the namespaces made here):
#	node	v0  198.51.100.1/24  2001:db8:1::1/64
#	outside	v1  198.51.100.2/24  2001:db8:1::2/64  ($OUT4, $OUT6)
#		lo  203.0.113.7 ($PUB4, not private), 10.9.0.7 ($PRIV4),
#		    2001:db8:2::7 ($PUB6); the node routes them via v1, and
#		    has its default routes there.
# Rulesets in these tests reject with ICMP admin-prohibited, never with a
# TCP reset or port unreachable, so that "refused" means the kernel itself
# answered (no socket): fwaudit's "open".  pl_check --reset-rejects relaxes
# that for closed probes where a ruleset must reject with a reset.

PROBE_PY="$FWA_LIBDIR/probe.py"
NODE4=198.51.100.1
NODE6=2001:db8:1::1
OUT4=198.51.100.2
OUT6=2001:db8:1::2
PUB4=203.0.113.7
PRIV4=10.9.0.7
PUB6=2001:db8:2::7
PL_IF=v0

# pl_init: check the requirements; make $NODE and $OUT and the temporary
# directory $PT.
pl_init() {
	fwa_require_root
	fwa_require_tools "$PYTHON" ip nft
	fwa_require_fwaudit
	fwa_tmpdir PT
	pl_pair
}

# pl_pair: a (new) pair of namespaces $NODE and $OUT as described above.
pl_pair() {
	fwa_ns_new NODE node
	fwa_ns_new OUT out
	fwa_veth "$NODE" v0 "" "$OUT" v1 ""
	ip -n "$NODE" addr add 198.51.100.1/24 dev v0
	ip -n "$NODE" addr add 2001:db8:1::1/64 dev v0 nodad
	ip -n "$OUT" addr add 198.51.100.2/24 dev v1
	ip -n "$OUT" addr add 2001:db8:1::2/64 dev v1 nodad
	ip -n "$OUT" addr add "$PUB4/32" dev lo
	ip -n "$OUT" addr add "$PRIV4/32" dev lo
	ip -n "$OUT" addr add "$PUB6/128" dev lo
	ip -n "$OUT" route add 2001:db8::/32 via 2001:db8:1::1 2>/dev/null || true
	ip -n "$NODE" route add 203.0.113.0/24 via 198.51.100.2
	ip -n "$NODE" route add 10.9.0.0/24 via 198.51.100.2
	ip -n "$NODE" route add 2001:db8:2::/64 via 2001:db8:1::2
	# the outside is the node's way to the Internet: strangers' sources
	# (any address) have a route back, so their connections can complete
	ip -n "$NODE" route add default via 198.51.100.2
	ip -n "$NODE" -6 route add default via 2001:db8:1::2
	# neighbours known both ways before the first probe: a probe's
	# answer must not wait for neighbour discovery
	ip netns exec "$OUT" ping -c1 -W1 -I "$OUT4" "$NODE4" >/dev/null 2>&1 || true
	ip netns exec "$OUT" ping -6 -c1 -W1 -I "$OUT6" "$NODE6" >/dev/null 2>&1 || true
	ip netns exec "$NODE" ping -6 -c1 -W1 "$OUT6" >/dev/null 2>&1 || true
	# the kernel's ICMP errors must not be rate limited: each one is an
	# outcome
	local s
	for s in net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
		 net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000; do
		ip netns exec "$NODE" sysctl -qw "$s" 2>/dev/null || true
	done
}

# pl_serve SPEC...: listeners in $NODE (probe.py serve: tcp:ADDR:PORT[-PORT],
# udp:ADDR:PORT (echo)); returns when they are bound.
pl_serve() {
	local pid f i

	_pl_nserve=$(( ${_pl_nserve:-0} + 1 ))
	f="$PT/serve.$_pl_nserve"
	fwa_bg pid ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" serve "$@" \
		> "$f" 2>&1
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$f" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^ready' "$f" || fwa_die "listeners $* did not start: $(cat "$f")"
	PL_LAST_SERVE=$pid
}

# pl_settle: wait (at most 5 s) until no IPv6 address of $NODE is still
# tentative: the kernel's link-local addresses pass duplicate address
# detection a second or two after a link comes up, and an audit before
# that sees fewer local addresses than one after.
pl_settle() {
	local i

	for ((i = 0; i < 50; i++)); do
		[ -z "$(ip -n "$NODE" -6 addr show tentative 2>/dev/null)" ] && return 0
		sleep 0.1
	done
}

# golden_norm: a text audit as golden files are compared: without the
# kernel's link-local addresses in address lists (a bridge gets one only
# once it has a port, a moment no test controls) and with runs of blanks
# folded (the columns are as wide as what is in them).  The files are kept
# as printed, for people.
golden_norm() {
	sed -E -e 's/,fe80::(LL|[0-9a-f:]*[0-9a-f])//g' \
		-e 's/fe80::(LL|[0-9a-f:]*[0-9a-f]),//g' -e 's/ +/ /g'
}

# pl_audit FILE [ARGS...]: fwaudit audit --format json in $NODE into FILE;
# a run that could not audit (exit 3+) fails the test.
pl_audit() {
	local f=$1 rc=0

	shift
	pl_settle
	ip netns exec "$NODE" "$FWAUDIT" audit --no-rules --format json "$@" > "$f" \
		2> "$f.err" || rc=$?
	if [ "$rc" -ge 3 ]; then
		fwa_die "fwaudit audit exited $rc: $(head -5 "$f.err")"
	fi
	[ "${FWA_SNAPSHOT_CHECK:-0}" = 1 ] && pl_snapshot_check "$f" "$@"
	return 0
}

# pl_snapshot_check LIVE [ARGS...]: with FWA_SNAPSHOT_CHECK=1, every
# pl_audit also takes `fwaudit snapshot` of $NODE and audits it outside the
# namespace with the same ARGS: the JSON must equal the live audit LIVE but
# for "time" and "duration_seconds" (issue 19: every scenario of the suite).
# With FWA_REDACT_CHECK=1 too, the same for `snapshot --redact`.
pl_snapshot_check() {
	local f=$1 s="$1.snap" rc=0

	shift
	ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$s" 2> "$s.err" ||
		fwa_die "fwaudit snapshot exited $?: $(head -5 "$s.err")"
	"$FWAUDIT" audit --no-rules --format json --snapshot "$s" "$@" \
		> "$f.fromsnap" 2> "$s.err" || rc=$?
	if [ "$rc" -lt 3 ] && cmp -s \
	   <(sed -e '/^ *"time": /d' -e '/^ *"duration_seconds": /d' "$f") \
	   <(sed -e '/^ *"time": /d' -e '/^ *"duration_seconds": /d' \
		"$f.fromsnap"); then
		fwa_pass "snapshot: the audit of a snapshot equals the live one"
	else
		fwa_fail "snapshot: exit $rc, the audit of a snapshot differs: $(head -3 "$s.err")"
		diff <(sed '/^ *"duration_seconds": /d' "$f") \
		     <(sed '/^ *"duration_seconds": /d' "$f.fromsnap") | head -10 || true
	fi
	[ "${FWA_REDACT_CHECK:-0}" = 1 ] && pl_redact_check "$f" "$@"
	return 0
}

# pl_redact_check LIVE [ARGS...]: with FWA_SNAPSHOT_CHECK=1 and
# FWA_REDACT_CHECK=1, also `fwaudit snapshot --redact --input` of the
# snapshot pl_snapshot_check took: its audit must be that snapshot's audit
# with the map applied (redact-check.py).  The same snapshot, not a new
# one: a listener that comes up between two reads is no redaction's fault.
pl_redact_check() {
	local f=$1 s="$1.red" rc=0
	local tool
	tool="$(dirname "$FWAUDIT")/tests/netns/redact_map"

	shift
	[ -x "$tool" ] || fwa_die "pl_redact_check: $tool is not built"
	rm -f "$s.map"
	"$FWAUDIT" snapshot --redact --input "$f.snap" --redact-map \
		"$s.map" -o "$s" 2> "$s.err" ||
		fwa_die "fwaudit snapshot --redact exited $?: $(head -5 "$s.err")"
	"$FWAUDIT" audit --no-rules --format json --snapshot "$s" "$@" \
		> "$f.fromred" 2> "$s.err" || rc=$?
	"$tool" "$s.map" < "$f.fromsnap" > "$f.mapped"
	if [ "$rc" -lt 3 ] && "$PYTHON" "$FWA_LIBDIR/redact-check.py" same \
		"$s.map" "$f.mapped" "$f.fromred" > "$s.out"; then
		fwa_pass "snapshot --redact --input: the audit equals the snapshot's, mapped"
	else
		fwa_fail "snapshot --redact: exit $rc: $(head -12 "$s.out")"
	fi
}

# pl_gen FILE ARGS...: a probe list (probe.py gen ARGS) into FILE.
pl_gen() {
	local f=$1

	shift
	"$PYTHON" "$PROBE_PY" gen "$@" > "$f"
}

# pl_merge OUT FILE...: concatenate probe lists.
pl_merge() {
	local o=$1

	shift
	"$PYTHON" -c 'import json,sys
print(json.dumps([p for f in sys.argv[2:] for p in json.load(open(f))]))' \
		"$o" "$@" > "$o"
}

# pl_check LABEL PROBES [--reset-rejects]: audit $NODE, send the probes
# from $OUT, and compare every outcome with fwaudit's verdict: exposed rows
# must connect/reply, open rows must be refused by the kernel (RST / ICMP
# port unreachable), probes in no row must not get through.  Each
# disagreement is printed with the probe, fwaudit's row and fwaudit
# explain.  Records one PASS/FAIL.
pl_check() {
	local label=$1 probes=$2 a r bad n nb
	local -a extra=()

	shift 2
	[ $# -eq 0 ] || extra=("$@")
	_pl_ncheck=$(( ${_pl_ncheck:-0} + 1 ))
	a="$PT/audit.$_pl_ncheck.json"
	r="$PT/results.$_pl_ncheck.json"
	bad="$PT/bad.$_pl_ncheck"
	pl_audit "$a"
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch \
		--timeout "${PL_TIMEOUT:-0.8}" --budget 120 < "$probes" > "$r" ||
		fwa_die "$label: probe batch failed"
	n=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$r")
	"$PYTHON" "$PROBE_PY" check "$a" "$r" --iface "$PL_IF" --node-addrs "$(_pl_node_addrs)" \
		--recheck "$r.again" ${extra[@]+"${extra[@]}"} > "$bad" || true
	# a packet lost on the way is not a disagreement: a probe that timed
	# out where fwaudit expects an answer is sent again, at most twice,
	# with a longer timeout, and the check is repeated with its new outcome
	for i in 1 2; do
		_pl_lost "$bad" > "$r.lost" || break
		_pl_ctflush
		ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch --timeout 2 \
			--budget 60 < "$r.lost" > "$r.lost.out" ||
			fwa_die "$label: probe batch failed"
		_pl_replace "$r" "$r.lost.out"
		"$PYTHON" "$PROBE_PY" check "$a" "$r" --iface "$PL_IF" --node-addrs "$(_pl_node_addrs)" \
			--recheck "$r.again" ${extra[@]+"${extra[@]}"} > "$bad" || true
	done
	_pl_second "$a" "$r.again" >> "$bad"
	if [ ! -s "$bad" ]; then
		fwa_pass "$label: $n probes agree with fwaudit ($(_pl_count "$r.again") sent again with a listener)"
		return 0
	fi
	nb=$(wc -l < "$bad")
	fwa_fail "$label: $nb of $n probes disagree with fwaudit"
	PL_LAST_BAD=$bad
	PL_LAST_AUDIT=$a
	_pl_explain "$bad" "$label"
	return 1
}

# _pl_node_addrs: $NODE's own addresses, comma separated (probe.py check
# --node-addrs: a probe to another address, a container's, is direct)
_pl_node_addrs() {
	ip -n "$NODE" -o addr show | awk '{ sub("/.*", "", $4); print $4 }' |
		paste -sd, -
}

# _pl_ctflush: forget the node's connections before probes are sent again
# from the same source ports: a probe is a first packet, and an entry a
# UDP probe of the round before left (30 s, with its NAT binding and
# ct status) would meet the rules instead of a new one.
_pl_ctflush() {
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
}

# _pl_lost BAD: the probes of BAD (one disagreement per line) that timed
# out where fwaudit expects an answer, as a probe list; fails when none.
_pl_lost() {
	"$PYTHON" -c '
import json, sys
lost = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("kernel") == "timeout" and d.get("fwaudit") in ("exposed", "open"):
        p = d["probe"]
        q = {k: p[k] for k in ("proto", "src", "sport", "dst", "dport", "variants")
             if k in p}
        if "sport_asked" in p:
            q["sport"] = p["sport_asked"]
        lost.append(q)
json.dump(lost, sys.stdout)
sys.exit(0 if lost else 1)' "$1"
}

# _pl_replace RESULTS NEW: put the outcomes of NEW into RESULTS.
_pl_replace() {
	"$PYTHON" -c '
import json, sys
key = lambda p: (p.get("proto"), p.get("src"), p.get("sport_asked", p.get("sport")),
                 p.get("dst"), p.get("dport"))
res = json.load(open(sys.argv[1]))
new = {key(p): p for p in json.load(open(sys.argv[2]))}
res = [new.get(key(p), p) for p in res]
json.dump(res, open(sys.argv[1], "w"))' "$1" "$2"
}

_pl_count() {
	"$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1"
}

# _pl_second AUDIT AGAIN: the probes whose first outcome could not tell
# (a RST: open, or a connection whose later packets are dropped) are sent
# again with a listener on their address and port (and on those of
# PL_SECOND_SERVE: probe.py serve specs, such as REDIRECT targets);
# prints disagreements.
_pl_second() {
	local a=$1 again=$2 pid f i
	local -a specs

	[ "$(_pl_count "$again")" -gt 0 ] || return 0
	# PL_SECOND_SERVE's listeners (all addresses) first, and no other on
	# their ports
	mapfile -t specs < <("$PYTHON" -c 'import json,sys
seen = set()
for k in sys.argv[2].split():
    proto, _, port = k.partition(":")
    seen.add((proto, int(port.rpartition(":")[2])))
    print(k)
for p in json.load(open(sys.argv[1])):
    k = "%s:[%s]:%d" % (p["proto"], p["dst"], p["dport"])
    if (p["proto"], p["dport"]) not in seen and k not in seen:
        seen.add(k)
        print(k)' "$again" "${PL_SECOND_SERVE-}")
	f="$PT/serve.again.$_pl_ncheck"
	fwa_bg pid ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" serve --lenient \
		"${specs[@]}" > "$f" 2>&1
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$f" 2>/dev/null && break
		sleep 0.05
	done
	"$PYTHON" -c 'import json,sys
un = set()
for l in open(sys.argv[2]):
    w = l.split()
    if w and w[0] == "unbound":
        un.add((w[1], w[2], int(w[3].rstrip(":"))))
ps = json.load(open(sys.argv[1]))
for p in ps:
    if (p["proto"], p["dst"], p["dport"]) in un:
        p["unbound"] = True
json.dump(ps, open(sys.argv[1], "w"))' "$again" "$f"
	_pl_ctflush
	ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch \
		--timeout "${PL_TIMEOUT:-0.8}" --budget 60 < "$again" > "$again.out"
	fwa_stop "$pid" 5
	"$PYTHON" "$PROBE_PY" check "$a" "$again.out" --iface "$PL_IF" \
		--node-addrs "$(_pl_node_addrs)" --second || true
}

# print each disagreement (at most PL_EXPLAIN_MAX with explain)
_pl_explain() {
	local bad=$1 label=$2 line i=0 proto port src

	while IFS= read -r line; do
		i=$((i + 1))
		echo "  disagreement ($label): $line"
		[ "$i" -le "${PL_EXPLAIN_MAX:-6}" ] || continue
		read -r proto port src < <("$PYTHON" -c 'import json,sys
p=json.loads(sys.argv[1])["probe"]; print(p["proto"], p["dport"], p.get("src") or "")' "$line")
		echo "  fwaudit explain $proto/$port${src:+ --from $src} --interface $PL_IF:"
		ip netns exec "$NODE" "$FWAUDIT" explain "$proto/$port" \
			${src:+--from "$src"} --interface "$PL_IF" 2>&1 | sed 's/^/    /'
	done < "$bad"
}

# pl_expect_tcp LABEL [SRC DST PORT WANT]...: real TCP connections from $OUT; WANT
# is "open" (connected) or "closed" (anything else); one PASS/FAIL each
pl_expect_tcp() {
	local label=$1 spec out

	shift
	spec=$("$PYTHON" -c 'import json,sys
a=sys.argv[1:]
print(json.dumps([{"proto":"tcp","src":a[i],"dst":a[i+1],"dport":int(a[i+2])} for i in range(0,len(a),4)]))' "$@")
	out=$(echo "$spec" | ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" batch \
		--timeout 3 --budget 60) || fwa_die "$label: probe batch failed"
	"$PYTHON" - "$label" "$out" "$@" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import json, sys
label, res, a = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
bad = 0
for i, r in enumerate(res):
    want = a[i * 4 + 3]
    got = "open" if r["outcome"] == "connected" else "closed"
    ok = got == want
    bad += not ok
    print("%s: %s: tcp %s -> %s:%s %s (%s)" % ("PASS" if ok else "FAIL", label, r["src"], r["dst"],
          r["dport"], want, r["outcome"]))
sys.exit(1 if bad else 0)
PY
}

# pl_std_probes FILE PORTS [PROTOS]: probes to both node addresses of each
# family from every outside source address, from an ephemeral port and from
# port 53.
pl_std_probes() {
	local f=$1 ports=$2 protos=${3:-tcp,udp}

	pl_gen "$PT/g4" --proto "$protos" --dst "$NODE4" \
		--src "$OUT4,$PUB4,$PRIV4" --sport 0,53 --ports "$ports"
	pl_gen "$PT/g6" --proto "$protos" --dst "$NODE6" \
		--src "$OUT6,$PUB6" --sport 0,53 --ports "$ports"
	pl_merge "$f" "$PT/g4" "$PT/g6"
}

# pl_bridge_node: the node's addresses move from v0 to a bridge br0, v0
# becomes its port (a VM host's uplink); routes and neighbours as
# pl_pair made them, $PL_IF br0 (bridge-nft.sh, bridge-ebtleg.sh).
pl_bridge_node() {
	ip -n "$NODE" addr flush dev v0
	ip -n "$NODE" link add br0 type bridge
	ip -n "$NODE" link set v0 master br0
	ip -n "$NODE" link set br0 up
	ip -n "$NODE" addr add 198.51.100.1/24 dev br0
	ip -n "$NODE" addr add 2001:db8:1::1/64 dev br0 nodad
	ip -n "$NODE" route replace 203.0.113.0/24 via 198.51.100.2
	ip -n "$NODE" route replace 10.9.0.0/24 via 198.51.100.2
	ip -n "$NODE" route replace 2001:db8:2::/64 via 2001:db8:1::2
	ip -n "$NODE" route replace default via 198.51.100.2
	ip -n "$NODE" -6 route replace default via 2001:db8:1::2
	for _ in $(seq 1 30); do
		ip -n "$NODE" link show br0 | grep -q 'state UP' && break
		sleep 0.1
	done
	ip netns exec "$OUT" ping -c1 -W2 -I "$OUT4" "$NODE4" >/dev/null 2>&1 || true
	ip netns exec "$OUT" ping -6 -c1 -W2 -I "$OUT6" "$NODE6" >/dev/null 2>&1 || true
	ip netns exec "$NODE" ping -6 -c1 -W2 "$OUT6" >/dev/null 2>&1 || true
	PL_IF=br0
}
