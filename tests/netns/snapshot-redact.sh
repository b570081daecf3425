#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# snapshot-redact.sh - `fwaudit snapshot --redact` (issue 19) and
# `fix`/`policy init --snapshot` on a Docker-like host (iptables-nft DOCKER
# chains with a DNAT to a container, IPv4 and IPv6, beside a native nft
# table with named and anonymous sets, intervals, a concatenation and a
# DNAT) and a ufw-like one (iptables-legacy ufw chains, IPv4 and IPv6,
# with prefixes and an iprange), each with global and private addresses,
# a listener under a process name of its own and a host name of its own:
#  - the audit of the redacted snapshot (outside the namespace) equals the
#    live audit with the map applied (JSON; lists as sets, since the map
#    reorders what is sorted by address), under the shipped default policy;
#  - none of the host's addresses, prefixes, the host name or the process
#    name is anywhere in the redacted file (its JSON, its texts decoded,
#    its netlink recordings as bytes), but for the bounds of ranges that are
#    not prefixes, which the file's notes name; the same search finds them
#    all in the unredacted snapshot;
#  - `fix --snapshot` and `policy init --snapshot` print byte for byte what
#    the live commands print, with the same exit status, and fix of the
#    redacted snapshot proves its plan as the live one does.
# The addresses are not documentation ones (those the map keeps, so they
# would prove nothing); no packet is sent to any of them: they exist only
# on the links of the node namespace, whose veth pair has both ends there.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

: "${FWAUDIT_RULES_DIR:=$top_srcdir/rules}"
export FWAUDIT_RULES_DIR
CHECK="$FWA_LIBDIR/redact-check.py"
MAPTOOL="$(dirname "$FWAUDIT")/tests/netns/redact_map"

fwa_require_root
fwa_require_tools "$PYTHON" ip nft iptables-nft ip6tables-nft \
	iptables-legacy-restore ip6tables-legacy-restore socat unshare
fwa_require_fwaudit
[ -x "$MAPTOOL" ] || fwa_skip "tests/netns/redact_map is not built"
fwa_tmpdir PT
# a listener whose process name is a secret
cp "$(command -v socat)" "$PT/fwasecretd"
SECRET_HOST=fwa-secret-host-$$

# node NS: a fresh namespace with a link of its own
node() {
	fwa_ns_new NODE node
	ip -n "$NODE" link add v0 type veth peer name v0p
	ip -n "$NODE" link set v0 up
	ip -n "$NODE" link set v0p up
}

# in_node CMD...: run CMD in $NODE under the secret host name
in_node() {
	ip netns exec "$NODE" unshare --uts sh -c \
		'hostname "$0" && exec "$@"' "$SECRET_HOST" "$@"
}

listen() {
	local pid spec

	for spec in "$@"; do
		fwa_bg pid ip netns exec "$NODE" "$PT/fwasecretd" \
			"$spec,fork,reuseaddr" /dev/null
	done
	sleep 0.5
}

# check LABEL TOKEN...: the whole comparison on $NODE
check() {
	local label=$1 d="$PT/$1" rc1 rc2 f

	shift
	mkdir -p "$d"
	# IPv6 addresses settle (duplicate address detection) first
	for f in $(seq 50); do
		[ -z "$(ip -n "$NODE" -6 addr show tentative)" ] && break
		sleep 0.1
	done
	in_node "$FWAUDIT" snapshot -o "$d/plain.snap" ||
		fwa_die "$label: snapshot exited $?"
	in_node "$FWAUDIT" snapshot --redact --redact-map "$d/map" \
		-o "$d/red.snap" || fwa_die "$label: snapshot --redact exited $?"
	rc1=0 rc2=0
	in_node "$FWAUDIT" audit --format json > "$d/live.json" || rc1=$?
	"$FWAUDIT" audit --format json --snapshot "$d/red.snap" \
		> "$d/red.json" 2> "$d/red.err" || rc2=$?
	[ "$rc1" = "$rc2" ] && [ "$rc1" -lt 3 ] ||
		fwa_fail "$label: audit exit $rc1 live, $rc2 redacted: $(cat "$d/red.err")"
	"$MAPTOOL" "$d/map" < "$d/live.json" > "$d/live.mapped.json"
	if "$PYTHON" "$CHECK" same "$d/map" "$d/live.mapped.json" \
		"$d/red.json" > "$d/same.out"; then
		fwa_pass "$label: redacted audit = live audit, mapped"
	else
		fwa_fail "$label: redacted audit differs: $(cat "$d/same.out")"
	fi
	# a snapshot taken before, redacted afterwards, audits the same way
	"$FWAUDIT" snapshot --redact --input "$d/plain.snap" \
		--redact-map "$d/map2" -o "$d/red2.snap" ||
		fwa_die "$label: snapshot --redact --input exited $?"
	"$FWAUDIT" audit --format json --snapshot "$d/red2.snap" \
		> "$d/red2.json" || true
	"$MAPTOOL" "$d/map2" < "$d/live.json" > "$d/live.mapped2.json"
	if "$PYTHON" "$CHECK" same "$d/map2" "$d/live.mapped2.json" \
		"$d/red2.json" > "$d/same2.out"; then
		fwa_pass "$label: a snapshot redacted afterwards (--input) audits the same, mapped"
	else
		fwa_fail "$label: --input: $(cat "$d/same2.out")"
	fi
	# the check must see what it looks for
	if "$PYTHON" "$CHECK" finds "$d/plain.snap" "$@" "$SECRET_HOST" \
		fwasecretd > "$d/finds.out"; then
		fwa_pass "$label: every token is in the plain snapshot"
	else
		fwa_fail "$label: $(cat "$d/finds.out")"
	fi
	if "$PYTHON" "$CHECK" leak "$d/red.snap" "$@" "$SECRET_HOST" \
		fwasecretd > "$d/leak.out"; then
		fwa_pass "$label: nothing of the host left in the redacted file"
	else
		fwa_fail "$label: $(cat "$d/leak.out")"
	fi
	# fix and policy init from the snapshot = live
	rc1=0 rc2=0
	in_node "$FWAUDIT" fix > "$d/fix.live" 2>&1 || rc1=$?
	"$FWAUDIT" fix --snapshot "$d/plain.snap" > "$d/fix.snap" 2>&1 || rc2=$?
	if [ "$rc1" = "$rc2" ] && cmp -s "$d/fix.live" "$d/fix.snap" &&
	   { [ "$rc1" -ge 3 ] || grep -q "proven on a copy" "$d/fix.snap"; }; then
		fwa_pass "$label: fix --snapshot = live fix (exit $rc1)"
	else
		fwa_fail "$label: fix exit $rc1 live, $rc2 snapshot: $(diff "$d/fix.live" "$d/fix.snap" | head -10)"
	fi
	rc2=0
	"$FWAUDIT" fix --snapshot "$d/red.snap" > "$d/fix.red" 2>&1 || rc2=$?
	if [ "$rc1" = "$rc2" ] && { [ "$rc1" -ge 3 ] ||
	   grep -q "proven on a copy" "$d/fix.red"; }; then
		fwa_pass "$label: fix of the redacted snapshot ends as the live fix (exit $rc1)"
	else
		fwa_fail "$label: fix of the redacted snapshot: exit $rc2: $(head -5 "$d/fix.red")"
	fi
	rc1=0 rc2=0
	SOURCE_DATE_EPOCH=1800000000 in_node "$FWAUDIT" policy init \
		> "$d/init.live" 2>&1 || rc1=$?
	SOURCE_DATE_EPOCH=1800000000 "$FWAUDIT" policy init \
		--snapshot "$d/plain.snap" > "$d/init.snap" 2>&1 || rc2=$?
	if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] &&
	   cmp -s "$d/init.live" "$d/init.snap"; then
		fwa_pass "$label: policy init --snapshot = live policy init"
	else
		fwa_fail "$label: policy init exit $rc1 live, $rc2 snapshot: $(diff "$d/init.live" "$d/init.snap" | head -10)"
	fi
}

# ---- 1. Docker-like: iptables-nft DOCKER chains and a native table ----
node
ip -n "$NODE" addr add 44.10.0.1/24 dev v0
ip -n "$NODE" addr add 2a01:4f8:1:2::1/64 dev v0 nodad
ip -n "$NODE" addr add 172.20.0.1/24 dev v0p
ip -n "$NODE" addr add fd00:172:20::1/64 dev v0p nodad
ip -n "$NODE" route add default via 44.10.0.254
ip -n "$NODE" -6 route add default via 2a01:4f8:1:2::fe
ip -n "$NODE" route add 10.50.7.0/24 via 172.20.0.9
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet filter {
	set admins {
		type ipv4_addr; flags interval;
		elements = { 81.2.3.0/24, 90.1.1.5-90.1.1.9 }
	}
	set ban6 {
		type ipv6_addr;
		elements = { 2a02:1:2:3::5 }
	}
	set nets6 {
		type ipv6_addr; flags interval;
		elements = { 2a05:d018:1::/48, 2a0c:5a80::10-2a0c:5a80::20 }
	}
	set svc {
		type ipv4_addr . inet_service; flags interval;
		elements = { 52.18.0.0/16 . 7000-7100 }
	}
	chain input {
		type filter hook input priority 10; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 ip saddr @admins accept
		ip6 saddr @ban6 drop
		ip saddr 77.7.8.0/24 tcp dport 5432 accept
		ip saddr 10.50.7.2 tcp dport 9000 accept
		ip6 saddr 2a03:2880:1:2::/64 tcp dport 5432 accept
		ip saddr . tcp dport { 88.1.1.1 . 8080, 88.1.1.2 . 8081 } accept
		ip daddr 44.10.0.1 udp dport 53 accept
		ip6 saddr @nets6 tcp dport 5432 accept
		ip saddr . tcp dport @svc accept
		ip saddr 34.1.1.1-34.1.1.9 tcp dport 9000 accept
		ip saddr != 35.2.3.0/24 tcp dport 9001 accept
		ct original ip daddr 44.10.0.1 tcp dport 9002 accept
		ip saddr vmap { 36.7.8.0/24 : drop, 36.7.9.9 : accept }
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct status dnat ip daddr 172.20.0.0/24 accept
	}
}
table ip natx {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		tcp dport 8443 dnat to 172.20.0.5:443
		dnat to tcp dport map { 8081 : 172.20.0.7, 8082 : 172.20.0.8 }
	}
}
EOF2
ip netns exec "$NODE" iptables-nft-restore <<'EOF2'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.20.0.0/24 ! -o v0p -j MASQUERADE
-A DOCKER -i v0p -j RETURN
-A DOCKER ! -i v0p -p tcp -m tcp --dport 6379 -j DNAT --to-destination 172.20.0.2:6379
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -o v0p -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o v0p -j DOCKER
-A DOCKER -d 172.20.0.2/32 ! -i v0p -o v0p -p tcp -m tcp --dport 6379 -j ACCEPT
-A DOCKER-USER -j RETURN
COMMIT
EOF2
ip netns exec "$NODE" ip6tables-nft-restore <<'EOF2'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER ! -i v0p -p tcp -m tcp --dport 6379 -j DNAT --to-destination [fd00:172:20::2]:6379
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
-A FORWARD -o v0p -j DOCKER
-A DOCKER -d fd00:172:20::2/128 ! -i v0p -o v0p -p tcp -m tcp --dport 6379 -j ACCEPT
COMMIT
EOF2
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
listen TCP-LISTEN:22 TCP6-LISTEN:5432 UDP-LISTEN:53 TCP-LISTEN:9000
check docker 44.10.0.1 44.10.0.254 2a01:4f8:1:2::1 2a01:4f8:1:2::fe \
	172.20.0.1 172.20.0.2 172.20.0.5 172.20.0.0/24 fd00:172:20::1 \
	fd00:172:20::2 10.50.7.2 10.50.7.0 81.2.3.0/24 2a02:1:2:3::5 \
	77.7.8.0/24 2a03:2880:1:2:: 88.1.1.1 88.1.1.2 90.1.1.5 90.1.1.9 \
	2a05:d018:1:: 2a0c:5a80::10 2a0c:5a80::20 52.18.0.0/16 \
	34.1.1.1 34.1.1.9 35.2.3.0/24 36.7.8.0/24 36.7.9.9 172.20.0.7 \
	172.20.0.8
fwa_ns_del "$NODE"

# ---- 2. ufw-like: ufw's chains (iptables-nft, as Debian's ufw), IPv4
# and IPv6 ----
node
ip -n "$NODE" addr add 85.214.9.10/24 dev v0
ip -n "$NODE" addr add 2a01:238:4000:9::10/64 dev v0 nodad
ip -n "$NODE" addr add 192.168.77.1/24 dev v0p
ip -n "$NODE" route add default via 85.214.9.1
ip -n "$NODE" -6 route add default via 2a01:238:4000:9::1
ip netns exec "$NODE" iptables-nft-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
:ufw-after-input - [0:0]
-A INPUT -j ufw-before-input
-A INPUT -j ufw-user-input
-A INPUT -j ufw-after-input
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j DROP
-A ufw-user-input -p tcp --dport 22 -j ACCEPT
-A ufw-user-input -s 62.75.1.0/24 -p tcp --dport 5432 -j ACCEPT
-A ufw-user-input -s 192.168.77.0/24 -p tcp --dport 9000 -j ACCEPT
-A ufw-user-input -d 85.214.9.10/32 -p udp --dport 53 -j ACCEPT
-A ufw-user-input -m iprange --src-range 93.184.1.10-93.184.1.20 -p tcp --dport 7000 -j ACCEPT
-A ufw-user-input -s 37.120.5.6/32 -p tcp --dport 6379 -j DROP
-A ufw-user-input -p tcp --dport 6379 -j ACCEPT
COMMIT
EOF2
ip netns exec "$NODE" ip6tables-nft-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw6-before-input - [0:0]
:ufw6-user-input - [0:0]
-A INPUT -j ufw6-before-input
-A INPUT -j ufw6-user-input
-A ufw6-before-input -i lo -j ACCEPT
-A ufw6-before-input -p ipv6-icmp -j ACCEPT
-A ufw6-user-input -p tcp --dport 22 -j ACCEPT
-A ufw6-user-input -s 2a00:1450:4001:8::/64 -p tcp --dport 5432 -j ACCEPT
-A ufw6-user-input -d 2a01:238:4000:9::10/128 -p udp --dport 53 -j ACCEPT
COMMIT
EOF2
listen TCP-LISTEN:22 TCP6-LISTEN:5432 UDP6-LISTEN:53 TCP-LISTEN:6379 \
	TCP-LISTEN:7000 TCP-LISTEN:9000
check ufw 85.214.9.10 85.214.9.1 2a01:238:4000:9::10 2a01:238:4000:9::1 \
	62.75.1.0/24 192.168.77.1 192.168.77.0/24 37.120.5.6 \
	2a00:1450:4001:8::/64 93.184.1.10 93.184.1.20
fwa_ns_del "$NODE"

# ---- 3. legacy x_tables (the snapshot's save texts), IPv4 and IPv6 ----
node
ip -n "$NODE" addr add 46.4.100.7/24 dev v0
ip -n "$NODE" addr add 2a01:4f8:200:1::7/64 dev v0 nodad
ip -n "$NODE" route add default via 46.4.100.1
ip netns exec "$NODE" iptables-legacy-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -s 31.13.64.0/24 -p tcp --dport 5432 -j ACCEPT
-A INPUT -m iprange --src-range 104.16.0.5-104.16.0.9 -p tcp --dport 7000 -j ACCEPT
-A INPUT -m conntrack --ctstate NEW -m conntrack --ctorigdst 46.4.100.7 -p tcp --dport 8000 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 46.4.100.7/32 -p tcp --dport 8080 -j DNAT --to-destination 10.60.1.5:80
COMMIT
EOF2
ip netns exec "$NODE" ip6tables-legacy-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -s 2a00:1450:4001:9::/64 -p tcp --dport 5432 -j ACCEPT
COMMIT
EOF2
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
listen TCP-LISTEN:22 TCP6-LISTEN:5432 TCP-LISTEN:7000 TCP-LISTEN:8000
check legacy 46.4.100.7 46.4.100.1 2a01:4f8:200:1::7 31.13.64.0/24 \
	104.16.0.5 104.16.0.9 10.60.1.5 2a00:1450:4001:9::/64

fwa_ns_del "$NODE"

# ---- 4. what cannot be mapped is refused, and nothing is written ----
# refused LABEL PATTERN RULE...: with these iptables-nft rules alone,
# --redact exits 3 naming the construct (or, without a PATTERN, succeeds)
refused() {
	local label=$1 want=$2 rc=0

	shift 2
	node
	ip netns exec "$NODE" iptables-nft "$@"
	ip netns exec "$NODE" "$FWAUDIT" snapshot --redact -o "$PT/ref.snap" \
		2> "$PT/ref.err" || rc=$?
	if [ -z "$want" ] && [ "$rc" = 0 ] && [ -s "$PT/ref.snap" ]; then
		fwa_pass "$label: redacted"
	elif [ -n "$want" ] && [ "$rc" = 3 ] && [ ! -e "$PT/ref.snap" ] &&
	     grep -q "cannot redact: .*$want" "$PT/ref.err"; then
		fwa_pass "$label: refused, nothing written"
	else
		fwa_fail "$label: exit $rc: $(cat "$PT/ref.err")"
	fi
	rm -f "$PT/ref.snap"
	fwa_ns_del "$NODE"
}
refused "a mask that is not a prefix" "a mask that is not a prefix" \
	-A INPUT -s 44.0.0.0/255.0.255.0 -j ACCEPT
refused "an IPsec policy with tunnel addresses" "policy with tunnel" \
	-A INPUT -m policy --dir in --pol ipsec --mode tunnel \
	--tunnel-src 44.1.1.1 --tunnel-dst 44.2.2.2 -j ACCEPT
refused "an IPsec policy without addresses" "" \
	-A INPUT -m policy --dir in --pol ipsec -j ACCEPT

fwa_finish
