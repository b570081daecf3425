#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ct-helper.sh - conntrack helpers (auditd/policy/cthelper.c): a rule that
# attaches the kernel's ftp helper to port 21, with a ruleset that lets
# related connections in, lets a client of port 21 open the data port the
# server announces (PASV, EPSV) although no rule lets new connections to
# it in.  A real passive FTP exchange (ftp-peer.py: the kernel's
# nf_conntrack_ftp reads the server's 227/229 answer) from outside, IPv4
# and IPv6, for nft's `ct helper set` and x_tables' `-j CT --helper`, with
# and without the related accept and the helper: fwaudit's finding
# "conntrack-helper-related" is there exactly when the data connection
# gets through, and a stranger who did not ask still cannot reach the data
# port.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

pl_init
fwa_require_tools iptables-legacy ip6tables-legacy
PEER="$FWA_LIBDIR/ftp-peer.py"
ip netns exec "$NODE" nft -f - <<'EOF2' 2>/dev/null ||
table ip probe {
	ct helper h {
		type "ftp" protocol tcp
	}
}
EOF2
	fwa_skip "the kernel has no ftp conntrack helper (nf_conntrack_ftp)"
ip netns exec "$NODE" nft flush ruleset

fwa_bg FTPD ip netns exec "$NODE" "$PYTHON" "$PEER" server
for _ in $(seq 1 50); do
	ip netns exec "$NODE" ss -Hltn 'sport = :21' | grep -q . && break
	sleep 0.1
done

# case LABEL EXPECT [TEXT [EXPECT6 FAMS]]: the ruleset loaded before; the
# finding must be there (EXPECT=yes, and say TEXT when given, and name the
# families FAMS, "IPv4 and IPv6" unless given) or not (no), the data
# connections must agree (IPv6's with EXPECT6 when given), in both
# families, and a stranger never reaches an announced data port
case_check() {
	local label=$1 expect=$2 text=${3:-} expect6=${4:-$2}
	local fams=${5:-IPv4 and IPv6} want fam src dst got

	pl_audit "$PT/$label.json"
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then
			src=$OUT4 dst=$NODE4 want=$expect
		else
			src=$OUT6 dst=$NODE6 want=$expect6
		fi
		ip netns exec "$OUT" "$PYTHON" "$PEER" client "$src" "$dst" \
			> "$PT/$label.$fam.out" 2>&1 || true
		got=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("yes" if d["data"] == "ok" else "no:" + d["control"] + "/" + d["data"])' "$PT/$label.$fam.out" 2>/dev/null || echo "no:$(head -c 200 "$PT/$label.$fam.out")")
		if [ "${got%%:*}" = "$want" ]; then
			fwa_pass "$label: IPv$fam data connection ${want/no/refused} ($got)"
		else
			fwa_fail "$label: IPv$fam data connection: expected $want, got $got"
		fi
	done
	EXPECT=$expect TEXT=$text FAMS=$fams fwa_check "$PT/$label.json" "$label" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
import os
f = [x for x in J.get("findings", []) if x["kind"] == "conntrack-helper-related"]
if os.environ["EXPECT"] == "yes":
    expect("one conntrack-helper-related finding", len(f) >= 1, J.get("findings"))
    fams = ", " + os.environ["FAMS"] + ")"
    expect("it names the helper, the related tcp ports and the families (%s" % fams[2:],
           f and all("helper" in x["message"] and "tcp 0-20,22-65535" in x["message"]
                     and fams in x["message"] for x in f), f)
    if os.environ["TEXT"]:
        expect("it says " + os.environ["TEXT"],
               f and all(os.environ["TEXT"] in x["message"] for x in f), f)
else:
    expect("no conntrack-helper-related finding", not f, f)
EOF2
}

# a stranger from another address to a port announced to OUT (its server
# closed it since: a stranger who got in would be refused, one who did not
# times out): a new connection, which the rules drop
stranger_check() {
	local label=$1 port out

	port=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"] or 0)' "$PT/$label.4.out")
	[ "$port" != 0 ] || { fwa_fail "$label: no data port was announced"; return; }
	out=$(ip netns exec "$OUT" "$PYTHON" "$PEER" stranger "$PUB4" "$NODE4" "$port" 2>&1 || true)
	case $out in
	*"timed out"*)
		fwa_pass "$label: a stranger from $PUB4 does not reach a data port ($out)" ;;
	*)
		fwa_fail "$label: a stranger from $PUB4 got to data port $port ($out)" ;;
	esac
}

# $1: helper yes/no, $2: related yes/no, $3: the ct helper object's name
# (of type ftp; "ftp" unless given), $4: ICMPv6 accepted yes (default)/no
nft_rules() {
	local helper=$1 related=$2 obj=${3:-ftp} icmp6=${4:-yes}
	ip netns exec "$NODE" nft flush ruleset
	{
		for f in ip ip6; do
			echo "table $f helpers {"
			echo "	ct helper $obj {"
			echo "		type \"ftp\" protocol tcp"
			echo "		l3proto $f"
			echo "	}"
			if [ "$helper" = yes ]; then
				echo "	chain pre {"
				echo "		type filter hook prerouting priority 0;"
				echo "		tcp dport 21 ct helper set \"$obj\""
				echo "	}"
			fi
			echo "}"
		done
		echo "table inet filter {"
		echo "	chain input {"
		echo "		type filter hook input priority 0; policy drop;"
		if [ "$related" = yes ]; then
			echo "		ct state established,related accept"
		else
			echo "		ct state established accept"
		fi
		[ "$icmp6" = no ] || echo "		meta l4proto ipv6-icmp accept"
		echo "		tcp dport 21 accept"
		echo "	}"
		echo "}"
	} | ip netns exec "$NODE" nft -f - || fwa_die "nft -f failed"
	_pl_ctflush
}

nft_rules yes yes
case_check nft-helper-related yes
stranger_check nft-helper-related
nft_rules no yes
case_check nft-related-no-helper no
nft_rules yes no
case_check nft-helper-no-related no
# named objects: fwaudit reads the object's type (NFT_MSG_GETOBJ), so
# "ftp-std" and "tftp-in" (a name that reads as an outbound-only helper)
# are both the ftp helper they are
nft_rules yes yes ftp-std
case_check nft-object-ftp-std yes "helper ftp-std (nft object of type ftp, tcp)"
stranger_check nft-object-ftp-std
nft_rules yes yes tftp-in
case_check nft-object-tftp-in yes "helper tftp-in (nft object of type ftp, tcp)"
# without ICMPv6 accepted, neighbour discovery to the node fails: no IPv6
# connection gets in at all (the engine's nd.c), so the helper opens
# nothing there and the finding says IPv4 alone (a scratch run of this
# shape once looked like the finding forgetting IPv6); the neighbour
# caches of the cases above are flushed so that packets need discovery
nft_rules yes yes ftp-std no
ip -n "$OUT" neigh flush all
ip -n "$NODE" neigh flush all
case_check nft-object-no-nd yes "helper ftp-std (nft object of type ftp, tcp)" no IPv4

# x_tables (legacy): raw PREROUTING -j CT --helper ftp, conntrack
# RELATED,ESTABLISHED accepted
ip netns exec "$NODE" nft flush ruleset
for t in iptables-legacy ip6tables-legacy; do
	ip netns exec "$NODE" "$t" -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
	ip netns exec "$NODE" "$t" -P INPUT DROP
	ip netns exec "$NODE" "$t" -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ip netns exec "$NODE" "$t" -A INPUT -p tcp --dport 21 -j ACCEPT
done
ip netns exec "$NODE" ip6tables-legacy -A INPUT -p ipv6-icmp -j ACCEPT
_pl_ctflush
case_check legacy-helper-related yes
stranger_check legacy-helper-related

fwa_stop "$FTPD"
fwa_finish
