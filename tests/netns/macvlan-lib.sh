# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/macvlan-lib.sh - what the macvlan tests of Podman and LXD
# (macvlan-podman.sh, macvlan-lxd.sh) share: the node's own ruleset, the
# probes, the rows every runtime's containers must have, and explain's walk
# through a container's namespace.  Two containers on a macvlan link of v0,
# the node's link to the outside:
#	$MV_OPEN ($MV_OPEN4, $MV_OPEN6)	listeners, no rules of its own
#	$MV_FW ($MV_FW4, $MV_FW6)	listeners, and a ruleset loaded into
#		its namespace from outside (mv_fw_rules): input drops all
#		but tcp/80, and tcp/9000 from 198.51.100.3 (2001:db8:1::3)
# Source after lib.sh and probe-lib.sh; set MV_OPEN, MV_FW, the four
# addresses, MV_RUNTIME (the JSON's runtime), MV_IMAGE, MV_PORTS (the
# ports both listen on, comma separated, 80 first).

# mv_node_ssh_only: the node's own input drops everything but tcp/22
# (established, loopback and ICMP pass): the macvlan tests' node, which
# never sees its containers' packets.
mv_node_ssh_only() {
	ip netns exec "$NODE" nft -f - <<'EOF'
table inet node {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport 22 accept
	}
}
EOF
}

# mv_node: the outside's second on-link source, the node's own ruleset
# (mv_node_ssh_only), a listener on 22 and 80 of its own.
mv_node() {
	ip -n "$OUT" addr add 198.51.100.3/24 dev v1
	ip -n "$OUT" addr add 2001:db8:1::3/64 dev v1 nodad
	mv_node_ssh_only
	pl_serve 'tcp:[::]:22' 'tcp:[::]:80'
}

# mv_fw_rules PID TOOL: $MV_FW's rules, loaded into the namespace of PID
# with nft (TOOL nft) or iptables-nft and ip6tables-nft (TOOL iptables):
# a container image has no firewall tools of its own.
mv_fw_rules() {
	local n=(nsenter --net="/proc/$1/ns/net") t

	if [ "$2" = nft ]; then
		"${n[@]}" nft -f - <<'EOF'
table inet ctr {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport 80 accept
		ip saddr 198.51.100.3 tcp dport 9000 accept
		ip6 saddr 2001:db8:1::3 tcp dport 9000 accept
	}
}
EOF
		return
	fi
	for t in iptables-nft ip6tables-nft; do
		"${n[@]}" "$t" -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
		"${n[@]}" "$t" -A INPUT -i lo -j ACCEPT
		"${n[@]}" "$t" -A INPUT -p tcp --dport 80 -j ACCEPT
	done
	"${n[@]}" iptables-nft -A INPUT -p icmp -j ACCEPT
	"${n[@]}" ip6tables-nft -A INPUT -p ipv6-icmp -j ACCEPT
	"${n[@]}" iptables-nft -A INPUT -s 198.51.100.3 -p tcp --dport 9000 -j ACCEPT
	"${n[@]}" ip6tables-nft -A INPUT -s 2001:db8:1::3 -p tcp --dport 9000 -j ACCEPT
	"${n[@]}" iptables-nft -P INPUT DROP
	"${n[@]}" ip6tables-nft -P INPUT DROP
}

# mv_settle_v6 PID: until the IPv6 addresses in the network namespace of
# PID are past duplicate address detection (at most 5 s).
mv_settle_v6() {
	local i t

	for ((i = 0; i < 50; i++)); do
		t=$(nsenter --net="/proc/$1/ns/net" ip -6 addr show tentative)
		[ -z "$t" ] && return 0
		sleep 0.1
	done
}

# mv_settle PID...: the containers' IPv6 addresses past duplicate address
# detection, and the outside's neighbour entries of all four warm.
mv_settle() {
	local p a

	for p in "$@"; do
		mv_settle_v6 "$p"
	done
	for a in "$MV_OPEN4" "$MV_FW4"; do
		ip netns exec "$OUT" ping -c1 -W2 "$a" >/dev/null 2>&1 ||
			fwa_log "warning: no ping answer from $a"
	done
	for a in "$MV_OPEN6" "$MV_FW6"; do
		ip netns exec "$OUT" ping -6 -c1 -W2 "$a" >/dev/null 2>&1 ||
			fwa_log "warning: no ping answer from $a"
	done
}

# mv_wait80 ADDR...: until each ADDR's tcp/80 answers the outside (its
# listener bound before the first probe; at most 10 s each).
mv_wait80() {
	local a i

	for a in "$@"; do
		for ((i = 0; i < 50; i++)); do
			ip netns exec "$OUT" "$PYTHON" -c 'import socket,sys
socket.create_connection((sys.argv[1], 80), 0.5).close()' "$a" \
				2>/dev/null && break
			sleep 0.2
		done
	done
}

# mv_probes FILE: TCP to both containers from both on-link sources, UDP,
# and the node's own addresses.
mv_probes() {
	pl_gen "$PT/c4" --proto tcp --dst "$MV_OPEN4,$MV_FW4" \
		--src "$OUT4,198.51.100.3" --ports "22,$MV_PORTS,9000,9001"
	pl_gen "$PT/c6" --proto tcp --dst "$MV_OPEN6,$MV_FW6" \
		--src "$OUT6,2001:db8:1::3" --ports "22,$MV_PORTS,9000,9001"
	pl_gen "$PT/u" --proto udp --dst "$MV_OPEN4,$MV_FW4,$MV_OPEN6,$MV_FW6" \
		--src "$OUT4,$OUT6" --ports 53
	pl_gen "$PT/n" --proto tcp --dst "$NODE4,$NODE6" --src "$OUT4,$OUT6" \
		--ports "22,$MV_PORTS"
	pl_merge "$1" "$PT/c4" "$PT/c6" "$PT/u" "$PT/n"
}

# mv_rows AUDIT BEFORE: the containers' rows in the JSON audit AUDIT
# (the node's own rows equal BEFORE's, taken without containers).
mv_rows() {
	export MV_OPEN MV_FW MV_OPEN4 MV_OPEN6 MV_FW4 MV_FW6 MV_RUNTIME \
		MV_IMAGE MV_PORTS MV_BEFORE=$2
	fwa_check "$1" "$MV_RUNTIME macvlan rows" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import json, os
e = os.environ
o4, o6, f4, f6 = (e[k] for k in ("MV_OPEN4", "MV_OPEN6", "MV_FW4", "MV_FW6"))
rt, ports = e["MV_RUNTIME"], [int(p) for p in e["MV_PORTS"].split(",")]
before = json.load(open(e["MV_BEFORE"]))
ns = [x for x in J["exposures"] if x.get("namespace")]
host = [x for x in J["exposures"] if not x.get("namespace")]
expect("the node's own rows are those without the containers",
       host == before["exposures"], (host, before["exposures"]))
def rows(name, addr, port, proto="tcp"):
    return [x for x in ns if x["namespace"]["container"] == name
            and addr in x["address"].split(",") and x["protocol"] == proto
            and x["ports"][0] <= port <= x["ports"][1]]
for name, addrs in ((e["MV_OPEN"], (o4, o6)), (e["MV_FW"], (f4, f6))):
    for a in addrs:
        r = rows(name, a, 80)
        expect("%s %s tcp/80: exposed, definite, on v0, busybox listening, "
               "macvlan, runtime %s, image %s, from any source"
               % (name, a, rt, e["MV_IMAGE"]),
               len(r) == 1 and r[0]["state"] == "exposed"
               and r[0]["certainty"] == "definite" and r[0]["interfaces"] == ["v0"]
               and r[0]["path"] == "local" and r[0]["listener"]
               and r[0]["listener"]["port"] == 80
               and r[0]["namespace"] == {"container": name, "image": e["MV_IMAGE"],
                                         "runtime": rt, "link": "macvlan"}
               and any(s in ("0.0.0.0/0", "::/0") for s in r[0]["sources"]), r)
for a in (o4, o6):
    for p in ports[1:]:
        r = rows(e["MV_OPEN"], a, p)
        expect("%s %s tcp/%d: exposed (no rules of its own)" % (e["MV_OPEN"], a, p),
               len(r) == 1 and r[0]["state"] == "exposed", r)
    r = rows(e["MV_OPEN"], a, 9001)
    expect("%s %s tcp/9001: open (no rules, nothing listens)" % (e["MV_OPEN"], a),
           len(r) == 1 and r[0]["state"] == "open", r)
for a, src in ((f4, "198.51.100.3"), (f6, "2001:db8:1::3")):
    r = rows(e["MV_FW"], a, 9000)
    expect("%s %s tcp/9000: only from %s" % (e["MV_FW"], a, src),
           len(r) == 1 and r[0]["sources"] == [src] and r[0]["state"] == "exposed", r)
    expect("%s %s tcp/%s, tcp/9001, udp/53: closed by its own rules"
           % (e["MV_FW"], a, ports[1:]),
           not any(rows(e["MV_FW"], a, p) for p in ports[1:] + [9001])
           and not rows(e["MV_FW"], a, 53, "udp"))
expect("a note names each container's macvlan link on v0",
       all(any(n.startswith("container %s: its macvlan link" % c) and " on v0 " in n
               for n in J["notes"]) for c in (e["MV_OPEN"], e["MV_FW"])), J["notes"])
PY
}

# mv_text: the text audit names each container's listeners.
mv_text() {
	local c

	ip netns exec "$NODE" "$FWAUDIT" audit --no-rules > "$PT/after.text" 2>&1 || true
	for c in "$MV_OPEN" "$MV_FW"; do
		if grep -q "busybox\[[0-9]*\] in container $c (macvlan)" "$PT/after.text"; then
			fwa_pass "text: $c's listeners named by the container"
		else
			fwa_fail "text: $c not named: $(head -20 "$PT/after.text")"
		fi
	done
}

# mv_explain: explain --to each of $MV_FW's addresses walks its namespace:
# tcp/9000 dropped by its policy from the first source, accepted by its
# rule from 198.51.100.3 (2001:db8:1::3); the text names the container,
# its runtime and its macvlan link on v0.  A snapshot file explains it the
# same.  An address nobody owns is said to be so.
mv_explain() {
	local a src f w d pair rc

	ip netns exec "$NODE" "$FWAUDIT" snapshot > "$PT/ex.snap" 2> "$PT/ex.snap.err" ||
		fwa_fail "fwaudit snapshot failed: $(head -3 "$PT/ex.snap.err")"
	for pair in "$MV_FW4 $OUT4" "$MV_FW4 198.51.100.3" "$MV_FW6 $OUT6" \
		    "$MV_FW6 2001:db8:1::3"; do
		read -r a src <<< "$pair"
		f="$PT/explain.$a.$src"
		rc=0
		ip netns exec "$NODE" "$FWAUDIT" explain tcp/9000 --to "$a" \
			--from "$src" > "$f" 2>&1 || rc=$?
		"$FWAUDIT" explain tcp/9000 --to "$a" --from "$src" \
			--snapshot "$PT/ex.snap" > "$f.snap" 2>&1 || true
		# the step that decides: its rule for the source, else its
		# policy
		case $src in
		198.51.100.3|2001:db8:1::3) w="to $a: exposed" d="rule [0-9]*: .*$src.*accept" ;;
		*) w="to $a: closed" d="input .*policy drop" ;;
		esac
		if [ "$rc" = 0 ] && head -1 "$f" | grep -qF "tcp/9000 to $a: an address of container $MV_FW ($MV_RUNTIME), whose macvlan link eth0 on v0 takes packets past this host's netfilter" &&
			grep -qF "from $src on eth0 $w" "$f" && grep -q "$d" "$f"; then
			fwa_pass "explain tcp/9000 --to $a --from $src: $MV_FW's namespace, ${w##*: }"
		else
			fwa_fail "explain tcp/9000 --to $a --from $src (exit $rc, want $w in $MV_FW's namespace):"
			sed 's/^/    /' "$f"
		fi
		if cmp -s "$f" "$f.snap"; then
			fwa_pass "explain --snapshot --to $a --from $src = the live explain"
		else
			fwa_fail "explain --snapshot --to $a --from $src differs:"
			diff "$f" "$f.snap" | head -10
		fi
	done
	ip netns exec "$NODE" "$FWAUDIT" explain tcp/80 --to 198.51.100.99 > "$PT/explain.none" 2>&1 || true
	if grep -q "198.51.100.99 is no address of this host nor of a macvlan or ipvlan container" "$PT/explain.none"; then
		fwa_pass "explain --to an address nobody owns says so"
	else
		fwa_fail "explain --to 198.51.100.99: $(cat "$PT/explain.none")"
	fi
	# without CAP_SYS_ADMIN no namespace can be entered: the containers
	# it could not read are named, never silence
	ip netns exec "$NODE" setpriv --inh-caps=-sys_admin \
		--bounding-set=-sys_admin "$FWAUDIT" explain tcp/80 \
		--to "$MV_FW4" > "$PT/explain.nocap" 2>&1 || true
	if grep -q "is no address of this host" "$PT/explain.nocap" &&
		grep -q "The namespace of container $MV_FW (macvlan) was not read: entering its namespace: Operation not permitted" "$PT/explain.nocap"; then
		fwa_pass "explain --to without CAP_SYS_ADMIN names the namespaces it could not read"
	else
		fwa_fail "explain --to without CAP_SYS_ADMIN: $(cat "$PT/explain.nocap")"
	fi
}

# mv_fix PORT: a policy that forbids tcp/PORT; the fixes of $MV_OPEN's
# rows enter its namespace through its runtime's CLI (one command per
# step, both families); applied, PORT is closed there, 80 stays
# reachable, and fwaudit agrees with every probe of FILE again.
mv_fix() {
	local port=$1 probes=$2 o o80 a cmd

	printf 'alert critical tcp %s from any "no %s"\n' "$port" "$port" > "$PT/fix.rules"
	ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/fix.rules" \
		--format json > "$PT/v.json" 2> "$PT/v.err" || true
	MV_PORT=$port "$PYTHON" - "$PT/v.json" > "$PT/fix.sh" <<'PY'
import json, os, sys
j = json.load(open(sys.argv[1]))
port, seen = int(os.environ["MV_PORT"]), set()
for v in j["violations"]:
    x = j["exposures"][v["exposure"]] if v.get("exposure") is not None else {}
    if (x.get("namespace") or {}).get("container") == os.environ["MV_OPEN"] \
            and v.get("fix") and v["protocol"] == "tcp" \
            and v["ports"][0] <= port <= v["ports"][1]:
        for c in v["fix"]["commands"]:
            if c not in seen:
                seen.add(c)
                print(c)
PY
	if [ "$(grep -c 'nsenter' "$PT/fix.sh")" -lt 4 ] ||
		[ "$(grep -c "dport $port drop" "$PT/fix.sh")" -ne 2 ]; then
		fwa_fail "no fix in $MV_OPEN's namespace: $(head -3 "$PT/v.err") $(cat "$PT/fix.sh")"
		return 0
	fi
	fwa_pass "a fix in $MV_OPEN's namespace for each family: $(tail -1 "$PT/fix.sh")"
	while IFS= read -r cmd; do
		ip netns exec "$NODE" sh -c "$cmd" ||
			fwa_fail "the fix's command failed: $cmd"
	done < "$PT/fix.sh"
	for a in "$MV_OPEN4" "$MV_OPEN6"; do
		o=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$a" "$port" --timeout 2)
		o80=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$a" 80 --timeout 2)
		if [ "$o" = timeout ] && [ "$o80" = connected ]; then
			fwa_pass "after the fix $a:$port gets nothing, $a:80 connects"
		else
			fwa_fail "after the fix $a:$port got $o, $a:80 got $o80"
		fi
	done
	pl_check "$MV_RUNTIME macvlan containers after the fix" "$probes" || true
}
