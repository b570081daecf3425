#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cmd-fix.sh - `fwaudit fix` for real: the printed plan applied in the node
# namespace, proven with real connections from a second namespace.  Each
# scenario ($NODE, probe-lib.sh) listens on tcp 22, 80, 5432 and 6379 in
# both families; the policy is the shipped default (SSH from anywhere,
# anything from private and loopback sources, databases critical, the rest
# a warning).  Scenarios (FWA_FIX_SCENARIOS selects):
#	bare		no firewall: the sh plan (one atomic nft -f)
#	bare-nft	no firewall: the --format nft file through nft -f
#	nft		a native nftables input chain that accepts 6379
#	v4only		a native `table ip filter` for IPv4 alone (IPv6 wide
#			open): a drop in it, and the default-drop table for IPv6
#	legacy		iptables-legacy INPUT that accepts 6379
#	ipset, ipset-legacy
#			iptables-nft / iptables-legacy INPUT that accepts 6379
#			from an ipset allowlist per family holding a public
#			prefix and the private sources (the proof must copy
#			the sets into its namespace: ipsets are per namespace);
#			`fix --snapshot` of it proves the same plan
#	nftset		the same allowlists as named nftables sets (inside the
#			copied table), beside an ipset no rule uses
#	ufw		real ufw (default configuration, allow 22, the bad
#			`ufw allow 6379/tcp`), the plan's ufw commands run by ufw
#	docker29	Docker 29's nftables backend (its docker-bridges table by
#			hand, a backend namespace as the container, port 6381):
#			the plan's own forward chain and the default-drop table
#	firewalld	real firewalld (default zone public on v0, the bad
#			`firewall-cmd --add-port=6379/tcp`), the plan's
#			firewall-cmd commands run against it
#	docker		a real dockerd publishing a "redis" port (6380 to the
#			container's 6379), no other firewall: the DOCKER-USER
#			rules and the default-drop table for the host's own
# For each: before the plan, 6379 answers strangers; `fwaudit fix` exits 0
# and prints a plan that runs; after it, 6379 (and 5432) no longer answer
# public sources (IPv4 and IPv6), 22 still answers everyone, 6379 still
# answers a private source (the policy allows it), IPv6 works with
# neighbour discovery through the new rules (the neighbour caches are
# flushed first), `fwaudit audit` finds no violation of 6379, and a second
# `fwaudit fix` has nothing left to do; and every probe of those ports
# (probe-lib.sh's pl_check, both families, public, private and the link's
# sources, from an ephemeral port and from 53) agrees with fwaudit's walk of
# the patched ruleset.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/ufw-lib.sh
. "$(dirname "$0")/ufw-lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft iptables-nft iptables-legacy \
	ip6tables-legacy unshare mount timeout
fwa_require_fwaudit
export FWAUDIT_RULES_DIR=${FWAUDIT_RULES_DIR:-$top_srcdir/rules}
fwa_tmpdir W
export HINTS=$W/firewalld.hints


# run CMD... in the node (through ufw's wrapper when the scenario has one)
in_node() {
	if [ -n "${UFWDIR:-}" ]; then
		ufw_node "$@"
	else
		ip netns exec "$NODE" "$@"
	fi
}

# --- scenarios: each sets up $NODE; FORMAT (sh or nft) and WANT (the
# front-end the plan must name) say what to expect

setup_bare() { FORMAT=sh WANT=none; }
setup_bare-nft() { FORMAT=nft WANT=none; }

setup_nft() {
	fwa_nsx "$NODE" nft -f - <<'R'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport { 22, 6379 } accept
	}
}
R
	FORMAT=sh WANT=nftables
}

# a native IPv4-only firewall: IPv6 is left wide open
setup_v4only() {
	fwa_nsx "$NODE" nft -f - <<'R'
table ip filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		tcp dport { 22, 6379 } accept
	}
}
R
	FORMAT=sh WANT=nftables
}

setup_legacy() {
	local t

	for t in iptables-legacy ip6tables-legacy; do
		fwa_nsx "$NODE" "$t" -P INPUT DROP
		fwa_nsx "$NODE" "$t" -A INPUT -i lo -j ACCEPT
		fwa_nsx "$NODE" "$t" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
		fwa_nsx "$NODE" "$t" -A INPUT -p tcp -m multiport --dports 22,6379 -j ACCEPT
	done
	fwa_nsx "$NODE" ip6tables-legacy -A INPUT -p ipv6-icmp -j ACCEPT
	FORMAT=sh WANT=iptables-legacy
}

# ipsets are per network namespace: the proof's copy (iptables-save,
# restored in a private namespace) loads these "set" matches only with the
# sets there, and proves right only with their members: a copy of empty
# sets would lose the private source's 6379, which the policy allows.
setup_ipset_be() {
	local be=$1 t

	if ! command -v ipset > /dev/null 2>&1 ||
	   ! fwa_nsx "$NODE" ipset create fwa-allow4 hash:net family inet 2>/dev/null; then
		echo "SKIP: ipset-$be: ipset does not work in a test namespace"
		return 1
	fi
	fwa_nsx "$NODE" ipset restore <<R
add fwa-allow4 10.0.0.0/8
add fwa-allow4 203.0.113.0/24
create fwa-allow6 hash:net family inet6
add fwa-allow6 fd00::/8
add fwa-allow6 2001:db8:2::/64
create fwa-unused hash:ip
R
	for t in "iptables-$be" "ip6tables-$be"; do
		fwa_nsx "$NODE" "$t" -P INPUT DROP
		fwa_nsx "$NODE" "$t" -A INPUT -i lo -j ACCEPT
		fwa_nsx "$NODE" "$t" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
		fwa_nsx "$NODE" "$t" -A INPUT -p tcp --dport 22 -j ACCEPT
	done
	fwa_nsx "$NODE" "iptables-$be" -A INPUT -p tcp --dport 6379 -m set --match-set fwa-allow4 src -j ACCEPT
	fwa_nsx "$NODE" "ip6tables-$be" -A INPUT -p tcp --dport 6379 -m set --match-set fwa-allow6 src -j ACCEPT
	fwa_nsx "$NODE" "ip6tables-$be" -A INPUT -p ipv6-icmp -j ACCEPT
	FORMAT=sh
	WANT=iptables
	[ "$be" = nft ] || WANT=iptables-legacy
	IPSET=1
}
setup_ipset() { setup_ipset_be nft; }

# named nft sets travel inside their table's listing; an ipset of the
# namespace that no rule uses is copied too and changes nothing
setup_nftset() {
	fwa_nsx "$NODE" nft -f - <<'R'
table inet filter {
	set allow4 {
		type ipv4_addr; flags interval;
		elements = { 10.0.0.0/8, 203.0.113.0/24 }
	}
	set allow6 {
		type ipv6_addr; flags interval;
		elements = { fd00::/8, 2001:db8:2::/64 }
	}
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 accept
		ip saddr @allow4 tcp dport 6379 accept
		ip6 saddr @allow6 tcp dport 6379 accept
	}
}
R
	if command -v ipset > /dev/null 2>&1; then
		fwa_nsx "$NODE" ipset create fwa-unused hash:ip 2>/dev/null || true
	fi
	FORMAT=sh WANT=nftables
}
setup_ipset-legacy() { setup_ipset_be legacy; }

# fix_snapshot NAME: `fwaudit fix --snapshot` of the scenario's ruleset
# (outside the node: the sets exist only there), whose snapshot holds the
# sets as the kernel listed them: the proof makes them again empty at
# their indexes and decides the set matches by what the snapshot read of
# them; the plan is the live one, byte for byte, proven the same.
fix_snapshot() {
	local name=$1 rc=0 s=$W/$1.snap

	in_node "$FWAUDIT" snapshot -o "$s" 2> "$s.err" ||
		{ fwa_fail "$name: fwaudit snapshot failed: $(head -3 "$s.err")"; return 0; }
	"$FWAUDIT" fix --format "$FORMAT" --snapshot "$s" > "$s.plan" \
		2> "$s.fixerr" || rc=$?
	if [ "$rc" -eq 0 ] && cmp -s "$s.plan" "$W/$name.plan"; then
		fwa_pass "$name: fix --snapshot proves the live plan (exit 0)"
	else
		fwa_fail "$name: fix --snapshot (exit $rc): $(head -5 "$s.fixerr") $(diff "$s.plan" "$W/$name.plan" | head -10)"
	fi
}

setup_ufw() {
	command -v ufw >/dev/null 2>&1 || { echo "SKIP: ufw: no ufw"; return 1; }
	# ufw's defaults
	ufw_private
	ufw_node ufw --force enable > /dev/null
	ufw_node ufw allow 22/tcp > /dev/null
	# the mistake the plan must undo
	ufw_node ufw allow 6379/tcp > /dev/null
	FORMAT=sh WANT=ufw
}

setup_docker() {
	DOCKER=${DOCKER:-$(command -v docker || true)}
	DOCKERD=${DOCKERD:-$(command -v dockerd || true)}
	BUSYBOX=/bin/busybox
	if [ -z "$DOCKER" ] || [ -z "$DOCKERD" ] || [ ! -x "$BUSYBOX" ] ||
	   ldd "$BUSYBOX" >/dev/null 2>&1; then
		echo "SKIP: docker: needs docker, dockerd and a static /bin/busybox"
		return 1
	fi
	if ! dk_launch "$NODE" nft '{}' --bip=10.99.0.1/24; then
		echo "SKIP: docker: dockerd did not start in the namespace"
		return 1
	fi
	SCEN_PIDS="${SCEN_PIDS:-} $DK_PID"
	DK_TEARDOWN="timeout 60 ${DK[*]} rm -f fwa-fix-redis"
	dk_image
	if ! dk_try_run fwa-fix-redis -p 6380:6379 fwa-busybox:test \
		/bin/busybox httpd -f -p 6379; then
		echo "SKIP: docker: docker run failed in the namespace"
		return 1
	fi
	# nothing filters the host's input: the plan is a default-drop table
	# for the host's listeners and DOCKER-USER for the published port
	FORMAT=sh WANT=none DOCKERPORT=6380
}

# Docker 29's nftables backend does not run here: its table docker-bridges
# is written by hand in the shape of moby's nftabler (shape-docker29-nft.sh
# has the full one): a bridge, the DNAT of the published port 6381 to the
# container's 80 behind "fib daddr type local", the forward accept of the
# published port and the "UNPUBLISHED PORT DROP".  A backend namespace
# plays the container.  No DOCKER-USER exists: the plan's own forward
# chain (priority filter - 10) drops by ct original proto-dst, as Docker
# documents for this backend.
setup_docker29() {
	local pid i

	fwa_ns_new BK backend
	ip -n "$NODE" link add br-5a1f0c0ffee0 type bridge
	ip -n "$NODE" link set br-5a1f0c0ffee0 up
	ip -n "$NODE" addr add 10.77.0.1/24 dev br-5a1f0c0ffee0
	ip -n "$NODE" link add veth77 type veth peer name eth0 netns "$BK"
	ip -n "$NODE" link set veth77 master br-5a1f0c0ffee0 up
	ip -n "$BK" addr add 10.77.0.2/24 dev eth0
	ip -n "$BK" link set eth0 up
	ip -n "$BK" route add default via 10.77.0.1
	ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
	fwa_bg pid ip netns exec "$BK" "$PYTHON" "$PROBE_PY" serve \
		'tcp:0.0.0.0:80' > "$PT/bk.out" 2>&1
	SCEN_PIDS="$SCEN_PIDS $pid"
	for ((i = 0; i < 100; i++)); do grep -q ready "$PT/bk.out" && break; sleep 0.05; done
	ip netns exec "$BK" ping -c1 -W1 10.77.0.1 >/dev/null 2>&1 || true
	fwa_nsx "$NODE" nft -f - <<'R'
table ip docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "br-5a1f0c0ffee0" : jump filter-forward-in__br-5a1f0c0ffee0 }
	}
	chain filter-FORWARD {
		type filter hook forward priority filter; policy accept;
		oifname vmap @filter-forward-in-jumps
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-prerouting-and-output {
		iifname != "br-5a1f0c0ffee0" tcp dport 6381 counter dnat to 10.77.0.2:80 comment "DNAT"
	}
	chain nat-POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		oifname != "br-5a1f0c0ffee0" ip saddr 10.77.0.0/24 counter masquerade comment "MASQUERADE"
	}
	chain filter-forward-in__br-5a1f0c0ffee0 {
		ct state established,related counter accept
		iifname "br-5a1f0c0ffee0" counter accept comment "ICC"
		ip daddr 10.77.0.2 tcp dport 80 counter accept
		counter drop comment "UNPUBLISHED PORT DROP"
	}
}
R
	FORMAT=sh WANT=none DOCKERPORT=6381
}

# firewalld (1.3, nftables backend) on a private D-Bus system bus (no
# polkit: it authorizes uid 0), its configuration a copy of /etc/firewalld
# and /run its own (as in MACHINE.md): the host's files are never written.
# firewall-cmd then reaches it through DBUS_SYSTEM_BUS_ADDRESS.
setup_firewalld() {
	local st i

	if ! command -v firewalld >/dev/null 2>&1 ||
	   ! command -v dbus-daemon >/dev/null 2>&1 || [ ! -d /etc/firewalld ]; then
		echo "SKIP: firewalld: needs firewalld, firewall-cmd and dbus-daemon"
		return 1
	fi
	cp -a /etc/firewalld "$PT/etc-firewalld"
	cat > "$PT/bus.conf" <<EOF2
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$PT/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF2
	fwa_bg DBUS_PID dbus-daemon --config-file="$PT/bus.conf" --nofork \
		--nopidfile > "$PT/dbus.log" 2>&1
	SCEN_PIDS="$SCEN_PIDS $DBUS_PID"
	for ((i = 0; i < 100; i++)); do [ -S "$PT/bus" ] && break; sleep 0.05; done
	[ -S "$PT/bus" ] || fwa_die "dbus-daemon did not start: $(cat "$PT/dbus.log")"
	export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$PT/bus"
	mkdir -p "$PT/run"
	fwa_bg FWD_PID nsenter --net="/run/netns/$NODE" unshare --mount \
		--propagation private \
		sh -c 'mount -n --bind "$1" /run && shift && exec "$@"' sh "$PT/run" \
		firewalld --nofork --nopid --system-config "$PT/etc-firewalld" \
		--log-target file --log-file "$PT/firewalld.log" \
		> "$PT/firewalld.out" 2>&1
	SCEN_PIDS="$SCEN_PIDS $FWD_PID"
	st=
	for ((i = 0; i < 300; i++)); do
		st=$(firewall-cmd --state 2>/dev/null || true)
		[ "$st" = running ] && break
		kill -0 "$FWD_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ "$st" = running ] ||
		fwa_die "firewalld did not start: $(tail -5 "$PT/firewalld.log" "$PT/firewalld.out")"
	firewall-cmd --zone=public --change-interface=v0 > /dev/null
	# the mistake the plan must undo
	firewall-cmd --add-port=6379/tcp > /dev/null
	FORMAT=sh WANT=firewalld
}

# firewalld manages the host: `fwaudit audit`'s hint for each violation a
# zone let in is firewall-cmd rich rules (text and JSON), never nft; the
# hints of tcp/6379 are saved for hints_in_plan
audit_hints_firewalld() {
	local rc=0 j=$W/firewalld.audit.json t=$W/firewalld.audit.text

	in_node "$FWAUDIT" audit --format json > "$j" 2> "$j.err" || rc=$?
	[ "$rc" -lt 3 ] || { fwa_fail "firewalld: audit exited $rc: $(head -3 "$j.err")"; return 0; }
	rc=0
	in_node "$FWAUDIT" audit --format text > "$t" 2>&1 || rc=$?
	fwa_check "$j" "firewalld: audit hints" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
vs = [v for v in J["violations"] if v["kind"] == "exposure" and v.get("fix")]
mine = [v for v in vs if v["ports"] == [6379, 6379]]
expect("tcp/6379 violations with a hint, IPv4 and IPv6",
       sorted(v["family"] for v in mine) == ["ipv4", "ipv6"], mine)
for v in mine:
    expect("tcp/6379 %s: backend firewalld" % v["family"],
           v["fix"]["backend"] == "firewalld", v["fix"])
    expect("tcp/6379 %s: rich rules in zone public" % v["family"],
           v["fix"]["commands"] and all(c.startswith(
               "firewall-cmd --zone=public --add-rich-rule='rule priority=")
               and 'port port="6379" protocol="tcp"' in c
               for c in v["fix"]["commands"]), v["fix"])
expect("no hint inserts into firewalld's own table",
       not any("inet firewalld" in c for v in vs for c in v["fix"]["commands"]),
       [v["fix"] for v in vs])
with open(os.environ["HINTS"], "w") as f:
    for v in mine:
        f.write("\n".join(v["fix"]["commands"]) + "\n")
PY
	grep -q "fix: firewall-cmd --zone=public --add-rich-rule=" "$t" &&
	   ! grep -q "nft insert rule inet firewalld" "$t" &&
		fwa_pass "firewalld: the text audit's hints are firewall-cmd" ||
		fwa_fail "firewalld: text hints: $(grep -m3 'fix:' "$t")"
}

# the hints of `fwaudit audit` are the plan's commands (one code, fix.c)
hints_in_plan() {
	local l miss=0

	while IFS= read -r l; do
		[ -n "$l" ] || continue
		grep -qxF -- "$l" "$W/firewalld.plan" || { miss=1; fwa_log "not in the plan: $l"; }
	done < "$HINTS"
	[ -s "$HINTS" ] && [ "$miss" = 0 ] &&
		fwa_pass "firewalld: audit's hints for tcp/6379 are the plan's commands" ||
		fwa_fail "firewalld: audit's hints and the plan differ"
}

# plan_json NAME: `fwaudit fix --format json` says what the sh plan does:
# its front-end, a proof that holds, the same commands in the same order,
# and steps that close exactly the violations `fwaudit audit` reports;
# with an unmet require, exit 1 and the require among "unfixed"
plan_json() {
	local name=$1 rc=0 j=$W/$1.plan.json

	in_node "$FWAUDIT" fix --format json > "$j" 2> "$j.err" || rc=$?
	[ "$rc" -eq 0 ] || { fwa_fail "$name: fix --format json exited $rc: $(head -3 "$j.err")"; return 0; }
	in_node "$FWAUDIT" audit --format json > "$j.audit" 2>/dev/null || true
	in_node "$FWAUDIT" fix --format sh > "$j.sh" 2>/dev/null || true
	SH=$j.sh AUDIT=$j.audit FE=$WANT fwa_check "$j" "$name: fix --format json" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
A = json.load(open(os.environ["AUDIT"]))
expect("version 1, front-end " + os.environ["FE"],
       J["version"] == 1 and J["frontend"] == os.environ["FE"], J["frontend"])
expect("proven, by the sh commands",
       J["proof"] and J["proof"]["proven"] is True and J["proof"]["applied"] == "sh"
       and J["proof"]["left"] == [], J["proof"])
expect("nothing unfixed", J["unfixed"] == [], J["unfixed"])
sh = [l for l in open(os.environ["SH"]).read().split("\n")]
cmds = [c for s in J["steps"] for c in s["commands"]]
# the sh plan holds each command as its own line(s), in the same order
text = "\n".join(l for l in sh if not l.startswith("#") and l not in ("", "set -e"))
expect("the same commands as the sh plan, in order", text == "\n".join(cmds),
       (text[:300], cmds[:3]))
expect("every step says what it closes",
       all(s["what"] and s["commands"] and s["closes"] for s in J["steps"]), J["steps"])
def key(v):
    return (v["family"], v["protocol"], tuple(v["ports"]), v["address"],
            tuple(v["sources"]), v["path"], v["severity"], v["rule"])
want = sorted(key(v) for v in A["violations"] if v["kind"] == "exposure")
got = sorted(key(v) for s in J["steps"] for v in s["closes"])
expect("the steps close exactly the audit's %d violations" % len(want), want == got,
       (want[:3], got[:3]))
fw = [s for s in J["steps"] if any(c.startswith("firewall-cmd") or c.startswith("ufw ")
                                   for c in s["commands"])]
expect("front-end commands have their proof commands",
       all(s["proof_commands"] for s in fw), fw[:1])
PY
	rc=0
	in_node "$FWAUDIT" fix --format json --rules "$W/require.rules" > "$j.req" \
		2> "$j.req.err" || rc=$?
	[ "$rc" -eq 1 ] && fwa_pass "$name: fix --format json with an unmet require: exit 1" ||
		fwa_fail "$name: fix --format json with an unmet require: exit $rc"
	fwa_check "$j.req" "$name: fix --format json, unmet require" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
u = J["unfixed"]
expect("the require is unfixed, with its violation",
       len(u) == 1 and "required exposure is missing" in u[0]["why"] and
       u[0]["violation"]["kind"] == "missing" and
       u[0]["violation"]["missing"][0]["ports"] == [443, 443], u)
expect("the proof ran and says what is left",
       J["proof"] and J["proof"]["proven"] is False and
       any("required exposure is missing" in l for l in J["proof"]["left"]), J["proof"])
PY
}

scenario() {
	local name=$1 rc a
	local -a v6=() v6after=()

	pl_init
	fwa_log "--- $name"
	UFWDIR="" DOCKERPORT="" SCEN_PIDS="" IPSET=""
	pl_serve 'tcp:[::]:22' 'tcp:[::]:80' 'tcp:[::]:5432' 'tcp:[::]:6379'
	SCEN_PIDS="$PL_LAST_SERVE"
	if ! "setup_$name"; then
		teardown
		return 0
	fi
	v6=("$PUB6" "$NODE6" 6379 open)
	v6after=("$PUB6" "$NODE6" 6379 closed "$PUB6" "$NODE6" 22 open)
	local -a dk=() dkafter=()
	[ -z "$DOCKERPORT" ] || {
		dk=("$PUB4" "$NODE4" "$DOCKERPORT" open)
		dkafter=("$PUB4" "$NODE4" "$DOCKERPORT" closed
			 "$PRIV4" "$NODE4" "$DOCKERPORT" open)
	}
	pl_expect_tcp "$name, before" "$PUB4" "$NODE4" 6379 open \
			"$PUB4" "$NODE4" 22 open ${v6[@]+"${v6[@]}"}
	[ -z "$DOCKERPORT" ] || pl_expect_tcp "$name, before" "${dk[@]}"
	[ "$name" != firewalld ] || audit_hints_firewalld
	rc=0
	in_node "$FWAUDIT" fix --format "$FORMAT" > "$W/$name.plan" \
		2> "$W/$name.err" || rc=$?
	[ "$name" != firewalld ] || hints_in_plan
	if [ "$rc" -ne 0 ]; then
		fwa_fail "$name: fwaudit fix exited $rc: $(cat "$W/$name.err")"
		sed 's/^/    /' "$W/$name.plan"
		teardown
		return 0
	fi
	fwa_pass "$name: fwaudit fix proved a plan (exit 0)"
	[ -z "$IPSET" ] || fix_snapshot "$name"
	# the other format is proven as well (its own table, loaded as a file)
	local other=nft
	[ "$FORMAT" = sh ] || other="sh"
	rc=0
	in_node "$FWAUDIT" fix --format "$other" > "$W/$name.other" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && fwa_pass "$name: the --format $other plan is proven too" ||
		fwa_fail "$name: fwaudit fix --format $other exited $rc: $(head -5 "$W/$name.other")"
	# what no plan can do (open a port a `require` wants) is said, exit 1,
	# and standard output holds comments only: `| sh` changes nothing
	printf 'require tcp 443 from any "the web site"\ninclude %s/default.rules\n' \
		"$FWAUDIT_RULES_DIR" > "$W/require.rules"
	rc=0
	in_node "$FWAUDIT" fix --rules "$W/require.rules" > "$W/$name.req" \
		2> "$W/$name.req.err" || rc=$?
	if [ "$rc" -eq 1 ] && ! grep -qv '^#' "$W/$name.req" &&
	   grep -q "required exposure is missing" "$W/$name.req.err"; then
		fwa_pass "$name: a missing required exposure: exit 1, said, nothing to run"
	else
		fwa_fail "$name: with an unmet require: exit $rc: $(head -5 "$W/$name.req" "$W/$name.req.err")"
	fi
	plan_json "$name"
	grep -q "front-end: ${WANT}[,)]" "$W/$name.plan" &&
		fwa_pass "$name: the plan is for front-end $WANT" ||
		fwa_fail "$name: the plan is not for front-end $WANT: $(head -3 "$W/$name.plan")"
	[ "$name" != docker ] || { grep -q 'DOCKER-USER' "$W/$name.plan" &&
		fwa_pass "$name: the published port is closed in DOCKER-USER" ||
		fwa_fail "$name: no DOCKER-USER rule in the plan"; }
	[ "$name" != docker29 ] || { grep -q 'ct original proto-dst 6381 ct status dnat drop' "$W/$name.plan" &&
		fwa_pass "$name: the published port is closed in the plan's own forward chain" ||
		fwa_fail "$name: no forward drop by ct original proto-dst in the plan"; }
	sed 's/^/    /' "$W/$name.plan"
	rc=0
	if [ "$FORMAT" = nft ]; then
		in_node nft -f "$W/$name.plan" > "$W/$name.apply" 2>&1 || rc=$?
	else
		in_node sh "$W/$name.plan" > "$W/$name.apply" 2>&1 || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		fwa_fail "$name: the plan failed: $(head -5 "$W/$name.apply")"
		teardown
		return 0
	fi
	fwa_pass "$name: the plan ran"
	# conntrack entries of the probes before must not decide the after;
	# neighbour discovery must work through the new rules
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
	ip -n "$NODE" neigh flush all
	ip -n "$OUT" neigh flush all
	pl_expect_tcp "$name, after" \
		"$PUB4" "$NODE4" 6379 closed "$OUT4" "$NODE4" 6379 closed \
		"$PUB4" "$NODE4" 5432 closed "$PUB4" "$NODE4" 80 closed \
		"$PRIV4" "$NODE4" 6379 open \
		"$PUB4" "$NODE4" 22 open "$OUT4" "$NODE4" 22 open \
		${v6after[@]+"${v6after[@]}"} ${dkafter[@]+"${dkafter[@]}"}
	# every probe of the listeners' ports agrees with fwaudit's walk of
	# the patched ruleset
	pl_std_probes "$W/$name.probes" 22,80,5432,6379 tcp
	pl_check "$name, after: the walk and the kernel" "$W/$name.probes" || true
	a=$W/$name.after.json
	rc=0
	in_node "$FWAUDIT" audit --format json > "$a" 2> "$a.err" || rc=$?
	[ "$rc" -lt 3 ] || fwa_die "$name: fwaudit audit exited $rc: $(head -3 "$a.err")"
	"$PYTHON" -c 'import json,sys
j=json.load(open(sys.argv[1]))
ps=[6379,5432]+([int(sys.argv[2])] if sys.argv[2] else [])
v=[v for v in j["violations"] if v["kind"]=="exposure" and any(v["ports"][0]<=p<=v["ports"][1] for p in ps)]
sys.exit(1 if v else 0)' "$a" "$DOCKERPORT" &&
		fwa_pass "$name: fwaudit audit finds no violation of 6379/5432 any more" ||
		fwa_fail "$name: fwaudit audit still reports 6379/5432 (see $a)"
	rc=0
	in_node "$FWAUDIT" fix > "$W/$name.again" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && grep -q "nothing to fix" "$W/$name.again"; then
		fwa_pass "$name: a second fwaudit fix has nothing to do"
	else
		fwa_fail "$name: a second fwaudit fix (exit $rc): $(head -5 "$W/$name.again")"
	fi
	teardown
}

# end what the scenario started, by PID, before its namespaces go
teardown() {
	local pid

	[ -z "${DK_TEARDOWN:-}" ] || eval "$DK_TEARDOWN" >/dev/null 2>&1 || true
	DK_TEARDOWN=
	for pid in ${SCEN_PIDS:-}; do
		fwa_stop "$pid"
	done
	SCEN_PIDS=
	UFWDIR=
	unset DBUS_SYSTEM_BUS_ADDRESS
	[ -z "${BK:-}" ] || fwa_ns_del "$BK"
	BK=
	fwa_ns_del "$OUT"
	fwa_ns_del "$NODE"
}

for s in ${FWA_FIX_SCENARIOS:-bare bare-nft nft v4only legacy ipset ipset-legacy nftset ufw docker docker29 firewalld}; do
	case $s in
	bare|bare-nft|nft|v4only|legacy|ipset|ipset-legacy|nftset|ufw|docker|docker29|firewalld) scenario "$s" ;;
	*) fwa_die "unknown scenario '$s' in FWA_FIX_SCENARIOS" ;;
	esac
done
fwa_finish
