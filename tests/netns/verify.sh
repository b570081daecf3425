#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# verify.sh - `fwaudit verify`: the model against real packets.
#
#   vantage ---- router (the "cloud security group") ---- host
#   203.0.113.2   .254 | 198.51.100.254                   198.51.100.1
#   2001:db8:2::2                                          2001:db8:1::1
#
# The host has real listeners and a ruleset (nft, then iptables-nft), IPv4
# and IPv6.  Cases: the model and the packets agree; the router filters
# ports the host lets in (one finding naming them); the policy is judged
# on what the vantage reached; the host drops its own RSTs and ICMP errors
# on the way out (silence expected, not a filter between); the router
# filters a required port (the require unmet from the vantage); the router
# rejects with RSTs of its own (told apart by TTL: rejected between, not
# fwaudit wrong); a wrong model (a snapshot edited to drop a rule) gives
# exit 3 and a reproducer; the vantage over ssh (a real sshd
# in the vantage namespace); a destination that is not the host's is
# refused before anything runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft iptables-nft ip6tables-nft
fwa_require_fwaudit
fwa_tmpdir PT
PROBE_PY="$FWA_LIBDIR/probe.py"
EDIT="$FWA_LIBDIR/snapshot-edit.py"

fwa_ns_new HOST host
fwa_ns_new RT router
fwa_ns_new VAN vantage
fwa_veth "$HOST" h0 "" "$RT" r0 ""
fwa_veth "$RT" r1 "" "$VAN" v0 ""
ip -n "$HOST" addr add 198.51.100.1/24 dev h0
ip -n "$HOST" addr add 2001:db8:1::1/64 dev h0 nodad
ip -n "$RT" addr add 198.51.100.254/24 dev r0
ip -n "$RT" addr add 2001:db8:1::fe/64 dev r0 nodad
ip -n "$RT" addr add 203.0.113.254/24 dev r1
ip -n "$RT" addr add 2001:db8:2::fe/64 dev r1 nodad
ip -n "$VAN" addr add 203.0.113.2/24 dev v0
ip -n "$VAN" addr add 2001:db8:2::2/64 dev v0 nodad
ip -n "$HOST" route add default via 198.51.100.254
ip -n "$HOST" -6 route add default via 2001:db8:1::fe
ip -n "$VAN" route add default via 203.0.113.254
ip -n "$VAN" -6 route add default via 2001:db8:2::fe
ip netns exec "$RT" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$RT" sysctl -qw net.ipv6.conf.all.forwarding=1

# listeners: 22, 80, 8080 and udp 53 (it echoes) in both families; 5432
# hidden by the firewall; tcp 9999 and udp 5353 let in with nothing
# listening (the host's own RST and port unreachable answer them)
serve_out="$PT/serve"
fwa_bg SERVER ip netns exec "$HOST" "$PYTHON" "$PROBE_PY" serve \
	tcp:0.0.0.0:22 tcp:::only:22 tcp:0.0.0.0:80 tcp:::only:80 \
	tcp:0.0.0.0:8080 tcp:::only:8080 tcp:0.0.0.0:5432 tcp:::only:5432 \
	udp:0.0.0.0:53 udp:::only:53 > "$serve_out" 2>&1
for ((i = 0; i < 100; i++)); do
	grep -q '^ready' "$serve_out" 2>/dev/null && break
	sleep 0.05
done
grep -q '^ready' "$serve_out" || fwa_die "listeners: $(cat "$serve_out")"

cat > "$PT/policy.rules" <<'EOF2'
allow tcp 22, 80, 9999 from any
require tcp 80 from any "the web site"
alert critical tcp 8080 from any "the admin port"
allow udp 53, 5353 from any
default alert warning
EOF2

# verify LABEL EXPECTED-STATUS ARGS...: run verify (as root, in the root
# namespace unless ARGS say otherwise); text in $PT/LABEL.txt, JSON in
# $PT/LABEL.json
verify() {
	local label=$1 want=$2 rc=0

	shift 2
	"$@" --udp-interval 200 --format json > "$PT/$label.json" \
		2> "$PT/$label.err" || rc=$?
	if [ "$rc" = "$want" ]; then
		fwa_pass "$label: exit $rc"
	else
		fwa_fail "$label: exit $rc, expected $want: $(cat "$PT/$label.err") $(cat "$PT/$label.json")"
	fi
}

# count LABEL KEY: a member of the JSON's counts
count() { fwa_jq "$PT/$1.json" "J['counts']['$2']"; }

# ports LABEL KIND FAMILY PROTO: the ports of the findings of KIND
ports() {
	fwa_jq "$PT/$1.json" "','.join(str(J['probes'][i]['port']) for f in J['findings'] if f['kind'] == '$2' for i in f['probes'] if J['probes'][i]['family'] == '$3' and J['probes'][i]['protocol'] == '$4')"
}

# expect_zero LABEL KEY...: each count is 0
expect_zero() {
	local label=$1 k v

	shift
	for k in "$@"; do
		v=$(count "$label" "$k")
		if [ "$v" = 0 ]; then
			fwa_pass "$label: no $k"
		else
			fwa_fail "$label: $v $k: $(cat "$PT/$label.json")"
		fi
	done
}

# probe LABEL FAMILY PROTO PORT: "MODEL MET VERDICT" of the probe there
probe() {
	fwa_jq "$PT/$1.json" "' '.join(p['model'] + ' ' + p['result'] + ' ' + p['verdict'] for p in J['probes'] if p['family'] == '$2' and p['protocol'] == '$3' and p['port'] == $4)"
}

# out_drop FE: the host drops its own ICMP errors and RSTs on the way out
out_drop() {
	if [ "$1" = nft ]; then
		ip netns exec "$HOST" nft -f - <<'EOF2'
table inet out {
	chain output {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable drop
		icmpv6 type destination-unreachable drop
		tcp flags rst drop
	}
}
EOF2
		return
	fi
	ip netns exec "$HOST" iptables-nft -A OUTPUT -p icmp -j DROP
	ip netns exec "$HOST" ip6tables-nft -A OUTPUT -p ipv6-icmp \
		--icmpv6-type destination-unreachable -j DROP
	for ipt in iptables-nft ip6tables-nft; do
		ip netns exec "$HOST" $ipt -A OUTPUT -p tcp --tcp-flags RST RST \
			-j DROP
	done
}

out_undo() {
	if [ "$1" = nft ]; then
		ip netns exec "$HOST" nft delete table inet out
	else
		ip netns exec "$HOST" iptables-nft -F OUTPUT
		ip netns exec "$HOST" ip6tables-nft -F OUTPUT
	fi
}

# text LABEL PATTERN WHAT: verify's text (run in the host) holds PATTERN
text() {
	ip netns exec "$HOST" "$FWAUDIT" verify --rules "$PT/policy.rules" \
		--from-netns "$VAN" --udp-interval 200 > "$PT/$1.txt" 2>&1 ||
		true
	if grep -q "$2" "$PT/$1.txt"; then
		fwa_pass "$1: $3"
	else
		fwa_fail "$1: text: $(cat "$PT/$1.txt")"
	fi
}

# the violation of tcp/8080 for FAMILY: confirmed, not-reached...
seen8080() {
	fwa_jq "$PT/$1.json" "[v['packets'] for v in J['violations'] if v['ports'] == [8080, 8080] and v['family'] == '$2']"
}

run_cases() {
	local fe=$1 n ok

	# ---- 1. all agree: no filter between ----
	ip netns exec "$RT" nft flush ruleset
	SECONDS=0
	verify "$fe-agree" 2 ip netns exec "$HOST" "$FWAUDIT" verify \
		--rules "$PT/policy.rules" --from-netns "$VAN"
	expect_zero "$fe-agree" fwaudit-wrong filtered-between
	n=$(count "$fe-agree" confirmed)
	if [ "$n" -ge 10 ] && [ "$n" = "$(count "$fe-agree" probes)" ]; then
		fwa_pass "$fe-agree: all $n probes confirmed"
	else
		fwa_fail "$fe-agree: $n confirmed: $(cat "$PT/$fe-agree.json")"
	fi
	for fam in ipv4 ipv6; do
		ok=$(seen8080 "$fe-agree" $fam)
		if [ "$ok" = '["confirmed"]' ]; then
			fwa_pass "$fe-agree: $fam tcp/8080 violation confirmed by packets"
		else
			fwa_fail "$fe-agree: $fam tcp/8080: $ok"
		fi
	done
	ok=$(fwa_jq "$PT/$fe-agree.json" "[r['model'] + ' ' + r['packets'] for r in J['requires']]")
	if [ "$ok" = '["met confirmed"]' ]; then
		fwa_pass "$fe-agree: require tcp 80 met and confirmed by packets"
	else
		fwa_fail "$fe-agree: requires: $ok"
	fi
	fwa_log "$fe: $(count "$fe-agree" probes) probes for $(count "$fe-agree" exposures) exposures and $(count "$fe-agree" closed_regions) closed regions, in ${SECONDS} s"
	# a reject's RST and port unreachable are the firewall's answers
	for fam in ipv4 ipv6; do
		ok="$(probe "$fe-agree" $fam tcp 25) / $(probe "$fe-agree" $fam udp 69)"
		if [ "$ok" = "rejected closed confirmed / rejected open confirmed" ]; then
			fwa_pass "$fe-agree: $fam: rejects answer as the model says"
		else
			fwa_fail "$fe-agree: $fam: rejects: $ok"
		fi
		ok="$(probe "$fe-agree" $fam tcp 5432)"
		if [ "$ok" = "closed filtered confirmed" ]; then
			fwa_pass "$fe-agree: $fam: the hidden listener stays hidden"
		else
			fwa_fail "$fe-agree: $fam: tcp 5432: $ok"
		fi
	done

	# the ASan build's pass runs the cases below once, with nft: rules
	# iptables-nft writes reach the same reader and verify code, and each
	# case is 16 s of pacing (fwa_once's reasoning, for half a test)
	if [ "$fe" = ipt ] && [ "${FWAUDIT_ONCE_TESTS:-yes}" = no ]; then
		fwa_log "$fe: cases 1b-3 run in the plain build's pass only (FWAUDIT_ONCE_TESTS=no); nft ran them above in this build"
		return 0
	fi

	# ---- 1b. the host drops its own RSTs and ICMP errors on the way
	# out: the silence is the host's, not a filter between ----
	out_drop "$fe"
	verify "$fe-out" 2 ip netns exec "$HOST" "$FWAUDIT" verify \
		--rules "$PT/policy.rules" --from-netns "$VAN"
	expect_zero "$fe-out" fwaudit-wrong filtered-between
	for fam in ipv4 ipv6; do
		ok="$(probe "$fe-out" $fam tcp 9999) / $(probe "$fe-out" $fam udp 5353)"
		if [ "$ok" = "open filtered unknown / open silent unknown" ]; then
			fwa_pass "$fe-out: $fam: silence where the host drops its own RST and port unreachable"
		else
			fwa_fail "$fe-out: $fam: $ok: $(cat "$PT/$fe-out.json")"
		fi
		ok="$(probe "$fe-out" $fam tcp 25) / $(probe "$fe-out" $fam udp 69)"
		if [ "$ok" = "rejected filtered confirmed / rejected silent confirmed" ]; then
			fwa_pass "$fe-out: $fam: a reject whose answer cannot leave is silent"
		else
			fwa_fail "$fe-out: $fam: rejects: $ok"
		fi
	done
	n=$(fwa_jq "$PT/$fe-out.json" "len([p for p in J['probes'] if p.get('note', '').startswith('the host drops its own')])")
	if [ "$n" = 4 ]; then
		fwa_pass "$fe-out: the notes say the host drops its own answer"
	else
		fwa_fail "$fe-out: $n notes: $(cat "$PT/$fe-out.json")"
	fi
	out_undo "$fe"

	# ---- 2. the router filters 8080 and udp 5353 towards the host ----
	ip netns exec "$RT" nft -f - <<'EOF2'
table inet sg {
	chain forward {
		type filter hook forward priority 0; policy accept;
		oifname "r0" tcp dport 8080 drop
		oifname "r0" udp dport 5353 drop
	}
}
EOF2
	verify "$fe-sg" 0 ip netns exec "$HOST" "$FWAUDIT" verify \
		--rules "$PT/policy.rules" --from-netns "$VAN"
	expect_zero "$fe-sg" fwaudit-wrong
	for fam in ipv4 ipv6; do
		if [ "$(ports "$fe-sg" filtered-between $fam tcp)" = 8080 ] &&
		   [ "$(ports "$fe-sg" filtered-between $fam udp)" = 5353 ]; then
			fwa_pass "$fe-sg: $fam: the finding names tcp 8080 and udp 5353"
		else
			fwa_fail "$fe-sg: $fam: $(cat "$PT/$fe-sg.json")"
		fi
		ok=$(seen8080 "$fe-sg" $fam)
		if [ "$ok" = '["not-reached"]' ]; then
			fwa_pass "$fe-sg: $fam tcp/8080 violation not reached"
		else
			fwa_fail "$fe-sg: $fam tcp/8080: $ok"
		fi
	done
	n=$(fwa_jq "$PT/$fe-sg.json" "len(J['findings'])")
	if [ "$n" = 2 ]; then
		fwa_pass "$fe-sg: one finding per target, not one per port"
	else
		fwa_fail "$fe-sg: $n findings"
	fi
	ip netns exec "$HOST" "$FWAUDIT" verify --rules "$PT/policy.rules" \
		--from-netns "$VAN" --udp-interval 200 > "$PT/$fe-sg.txt" \
		2>&1 || true
	if grep -q "FILTERED BETWEEN: from 203.0.113.2 to 198.51.100.1: tcp 8080; udp 5353" "$PT/$fe-sg.txt" &&
	   grep -q "critical tcp/8080 ipv4 at .*: not reached from the vantage" "$PT/$fe-sg.txt"; then
		fwa_pass "$fe-sg: the text names the cause"
	else
		fwa_fail "$fe-sg: text: $(cat "$PT/$fe-sg.txt")"
	fi
	ip netns exec "$RT" nft flush ruleset

	# ---- 2b. the router filters the required tcp 80 (and 8080): the
	# require the model says is met is unmet from the vantage ----
	ip netns exec "$RT" nft -f - <<'EOF2'
table inet sg {
	chain forward {
		type filter hook forward priority 0; policy accept;
		oifname "r0" tcp dport { 80, 8080 } drop
	}
}
EOF2
	verify "$fe-req" 2 ip netns exec "$HOST" "$FWAUDIT" verify \
		--rules "$PT/policy.rules" --from-netns "$VAN"
	ok=$(fwa_jq "$PT/$fe-req.json" "[r['severity'] + ' ' + r['protocol'] + ' ' + str(r['ports']) + ' ' + r['model'] + ' ' + r['packets'] + ' ' + r['message'] for r in J['requires']]")
	if [ "$ok" = '["critical tcp [80, 80] met not-reached the web site"]' ] &&
	   [ "$(seen8080 "$fe-req" ipv4)" = '["not-reached"]' ]; then
		fwa_pass "$fe-req: require tcp 80 unmet as seen from the vantage (exit 2 from it alone)"
	else
		fwa_fail "$fe-req: requires: $ok: $(cat "$PT/$fe-req.json")"
	fi
	text "$fe-req" "critical require tcp/80: unmet as seen from the vantage (the model says met)" \
		"the text says the require is unmet from the vantage"
	ip netns exec "$RT" nft flush ruleset

	# ---- 2c. the router rejects tcp 8080 (open on the host) and 5432
	# (closed there) with RSTs of its own: rejected between, told apart
	# from the host's answers by their TTL, not "fwaudit wrong" ----
	for ipt in iptables-nft ip6tables-nft; do
		ip netns exec "$RT" $ipt -A FORWARD -o r0 -p tcp \
			-m multiport --dports 8080,5432 \
			-j REJECT --reject-with tcp-reset
	done
	verify "$fe-rst" 0 ip netns exec "$HOST" "$FWAUDIT" verify \
		--rules "$PT/policy.rules" --from-netns "$VAN"
	expect_zero "$fe-rst" fwaudit-wrong
	for fam in ipv4 ipv6; do
		ok="$(fwa_jq "$PT/$fe-rst.json" "','.join(sorted(str(J['probes'][i]['port']) for f in J['findings'] if f['kind'] == 'rejected-between' and f['ttl'] == 64 and f['host_ttl'] == 63 for i in f['probes'] if J['probes'][i]['family'] == '$fam'))")"
		ok="$ok / $(probe "$fe-rst" $fam tcp 8080) / $(probe "$fe-rst" $fam tcp 5432)"
		if [ "$ok" = "5432,8080 / exposed closed filtered-between / closed closed confirmed" ]; then
			fwa_pass "$fe-rst: $fam: the router's RSTs (TTL 64, the host's 63) are rejected between"
		else
			fwa_fail "$fe-rst: $fam: $ok: $(cat "$PT/$fe-rst.json")"
		fi
	done
	text "$fe-rst" "REJECTED BETWEEN: from 203.0.113.2 to 198.51.100.1: tcp 8080, 5432: answered by RSTs with TTL 64, the host's" \
		"the text names the rejects between"
	ip netns exec "$RT" nft flush ruleset

	# ---- 3. a wrong model: the snapshot without its first rule ----
	ip netns exec "$HOST" "$FWAUDIT" snapshot -o "$PT/$fe.snap"
	"$PYTHON" "$EDIT" drop-nft-rule "$PT/$fe.snap" "$PT/$fe-edited.snap"
	verify "$fe-wrong" 3 "$FWAUDIT" verify --rules "$PT/policy.rules" \
		--snapshot "$PT/$fe-edited.snap" --from-netns "$VAN" \
		--bundle "$PT/$fe-bundle.json"
	# nft's first rule is inet (both families); iptables' is IPv4
	for fam in ipv4 $([ "$fe" = ipt ] || echo ipv6); do
		if [ "$(ports "$fe-wrong" fwaudit-wrong $fam tcp)" = 22 ]; then
			fwa_pass "$fe-wrong: $fam: fwaudit wrong about tcp 22"
		else
			fwa_fail "$fe-wrong: $fam: $(cat "$PT/$fe-wrong.json")"
		fi
	done
	if [ -s "$PT/$fe-bundle.json" ] &&
	   [ "$(fwa_jq "$PT/$fe-bundle.json" "J['format'] + ' ' + J['snapshot']['format'] + ' ' + str(len(J['verify']['probes']) > 0)")" = "fwaudit-verify-bundle fwaudit-snapshot True" ] &&
	   grep -q "reproducer written to $PT/$fe-bundle.json" "$PT/$fe-wrong.err"; then
		fwa_pass "$fe-wrong: the reproducer holds the snapshot and the probes"
	else
		fwa_fail "$fe-wrong: bundle: $(cat "$PT/$fe-wrong.err")"
	fi
	# the snapshot as taken agrees with the packets
	verify "$fe-snap" 2 "$FWAUDIT" verify --rules "$PT/policy.rules" \
		--snapshot "$PT/$fe.snap" --from-netns "$VAN"
	expect_zero "$fe-snap" fwaudit-wrong filtered-between
}

# ---- nftables ----
ip netns exec "$HOST" nft -f - <<'EOF2'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
		ct state established,related accept
		iif lo accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport { 80, 8080, 9999 } accept
		udp dport { 53, 5353 } accept
		tcp dport 25 reject with tcp reset
		udp dport 69 reject
	}
}
EOF2
run_cases nft

# ---- iptables (iptables-nft), both families ----
ip netns exec "$HOST" nft flush ruleset
for ipt in iptables-nft ip6tables-nft; do
	ip netns exec "$HOST" $ipt -A INPUT -p tcp --dport 22 -j ACCEPT
	ip netns exec "$HOST" $ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	ip netns exec "$HOST" $ipt -A INPUT -i lo -j ACCEPT
	ip netns exec "$HOST" $ipt -A INPUT -p tcp -m multiport --dports 80,8080,9999 -j ACCEPT
	ip netns exec "$HOST" $ipt -A INPUT -p udp -m multiport --dports 53,5353 -j ACCEPT
	ip netns exec "$HOST" $ipt -A INPUT -p tcp --dport 25 -j REJECT --reject-with tcp-reset
	ip netns exec "$HOST" $ipt -A INPUT -p udp --dport 69 -j REJECT
done
ip netns exec "$HOST" iptables-nft -A INPUT -p icmp -j ACCEPT
ip netns exec "$HOST" ip6tables-nft -A INPUT -p ipv6-icmp -j ACCEPT
ip netns exec "$HOST" iptables-nft -P INPUT DROP
ip netns exec "$HOST" ip6tables-nft -P INPUT DROP
run_cases ipt

# ---- refusal: a destination that is not the host's ----
cat > "$PT/recorder" <<EOF2
#!/bin/sh
echo ran >> "$PT/recorder.log"
exec "$FWAUDIT" "\$@"
EOF2
chmod +x "$PT/recorder"
verify refuse 3 ip netns exec "$HOST" "$FWAUDIT" verify \
	--rules "$PT/policy.rules" --from-netns "$VAN" \
	--probe-command "$PT/recorder" --target 203.0.113.99
if grep -q "refused: 203.0.113.99 is not an address of the audited host" \
	"$PT/refuse.err" && [ ! -e "$PT/recorder.log" ]; then
	fwa_pass "refuse: refused before the vantage ran"
else
	fwa_fail "refuse: $(cat "$PT/refuse.err"); $(cat "$PT/recorder.log" 2>/dev/null)"
fi
# and a host address works through the same recorder
verify target 2 ip netns exec "$HOST" "$FWAUDIT" verify \
	--rules "$PT/policy.rules" --from-netns "$VAN" \
	--probe-command "$PT/recorder" --target 2001:db8:1::1
if [ "$(fwa_jq "$PT/target.json" "sorted(set(p['address'] for p in J['probes']))")" = '["2001:db8:1::1"]' ] &&
   [ -s "$PT/recorder.log" ]; then
	fwa_pass "target: only the address asked for"
else
	fwa_fail "target: $(cat "$PT/target.json")"
fi

# ---- ssh: a real sshd in the vantage namespace ----
if [ -x /usr/sbin/sshd ] && command -v ssh > /dev/null &&
   command -v ssh-keygen > /dev/null; then
	ssh-keygen -q -t ed25519 -N "" -f "$PT/hostkey"
	ssh-keygen -q -t ed25519 -N "" -f "$PT/userkey"
	cp "$PT/userkey.pub" "$PT/authorized_keys"
	# sshd's privilege separation directory; removed again if we made it
	if [ ! -d /run/sshd ]; then
		mkdir /run/sshd
		fwa_at_cleanup "rmdir /run/sshd"
	fi
	cat > "$PT/sshd_config" <<EOF2
Port 2222
ListenAddress 203.0.113.2
ListenAddress 2001:db8:2::2
HostKey $PT/hostkey
AuthorizedKeysFile $PT/authorized_keys
PidFile $PT/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF2
	fwa_bg SSHD ip netns exec "$VAN" /usr/sbin/sshd -D -e \
		-f "$PT/sshd_config" 2> "$PT/sshd.log"
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$VAN" ss -Htln 'sport = :2222' | grep -q . && break
		sleep 0.1
	done
	sshopts=(--ssh-option "IdentityFile=$PT/userkey"
		 --ssh-option UserKnownHostsFile=/dev/null
		 --ssh-option StrictHostKeyChecking=no
		 --ssh-option LogLevel=ERROR
		 --probe-command "$FWAUDIT")
	ip netns exec "$RT" nft -f - <<'EOF2'
table inet sg {
	chain forward {
		type filter hook forward priority 0; policy accept;
		oifname "r0" tcp dport 8080 drop
		oifname "r0" udp dport 5353 drop
	}
}
EOF2
	for url in ssh://root@203.0.113.2:2222 "ssh://root@[2001:db8:2::2]:2222"; do
		verify ssh 0 ip netns exec "$HOST" "$FWAUDIT" verify \
			--rules "$PT/policy.rules" --from "$url" "${sshopts[@]}"
		expect_zero ssh fwaudit-wrong
		if [ "$(ports ssh filtered-between ipv6 tcp)" = 8080 ] &&
		   [ "$(fwa_jq "$PT/ssh.json" "J['vantage']")" = "$url" ]; then
			fwa_pass "ssh: $url: the upstream filter seen over ssh"
		else
			fwa_fail "ssh: $url: $(cat "$PT/ssh.json")"
		fi
	done
	fwa_stop "$SSHD"
else
	fwa_fail "ssh: openssh-server and openssh-client are not installed (TEST_PKGS)"
fi

fwa_finish
