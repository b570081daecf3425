#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# snapshot.sh - `fwaudit snapshot` and `--snapshot FILE` (issue 19): on real
# namespace scenarios (nftables with listeners on IPv4 and IPv6 and a DNAT
# backend; iptables-legacy filter and nat rules beside nftables), the audit
# of a snapshot (run outside the namespace: nothing live is read) equals the
# live audit in text and JSON, and explain equals live explain, byte for
# byte; the JSON's "time" (the snapshot's moment) and "duration_seconds"
# (how long this run took) are the only fields masked.  A snapshot edited
# to drop a rule audits differently; bad snapshots exit 3 with a message
# naming the file.  --snapshot S --ruleset F audits F on S's host; fwaudit
# diff takes snapshots as OLD and NEW.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"

: "${FWAUDIT_RULES_DIR:=$top_srcdir/rules}"
export FWAUDIT_RULES_DIR
EDIT="$FWA_LIBDIR/snapshot-edit.py"
CHECK="$FWA_LIBDIR/redact-check.py"
MAPTOOL="$(dirname "$FWAUDIT")/tests/netns/redact_map"

fwa_require_tools iptables-legacy-restore iptables-legacy-save \
	ip6tables-legacy-save
pl_init

# the fields of two runs that cannot agree: when, and how long it took
mask() {
	sed -e 's/^\( *"time": \).*/\1"T",/' \
	    -e 's/^\( *"duration_seconds": \).*/\1"D",/' "$1"
}

# same LABEL A B: byte-identical after masking
same() {
	if cmp -s <(mask "$2") <(mask "$3"); then
		fwa_pass "$1"
	else
		fwa_fail "$1: differs"
		diff <(mask "$2") <(mask "$3") | head -20 || true
	fi
}

# compare LABEL PROBE...: snapshot $NODE, then audit and explain it live and
# from the snapshot
compare() {
	local label=$1 fmt p rc1 rc2 s="$PT/$1.snap"

	shift
	pl_settle
	ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$s" ||
		fwa_die "$label: fwaudit snapshot exited $?"
	for fmt in json text; do
		rc1=0 rc2=0
		ip netns exec "$NODE" "$FWAUDIT" audit --format $fmt \
			> "$PT/$label.live.$fmt" || rc1=$?
		"$FWAUDIT" audit --format $fmt --snapshot "$s" \
			> "$PT/$label.snap.$fmt" || rc2=$?
		[ "$rc1" = "$rc2" ] && [ "$rc1" -lt 3 ] ||
			fwa_fail "$label $fmt: exit $rc1 live, $rc2 snapshot"
		same "$label: audit --format $fmt" "$PT/$label.live.$fmt" \
			"$PT/$label.snap.$fmt"
	done
	for p in "$@"; do
		ip netns exec "$NODE" "$FWAUDIT" explain "$p" \
			> "$PT/$label.live.explain" || true
		"$FWAUDIT" explain "$p" --snapshot "$s" \
			> "$PT/$label.snap.explain" || true
		same "$label: explain $p" "$PT/$label.live.explain" \
			"$PT/$label.snap.explain"
	done
	# fix and policy init from the snapshot (format version 2's texts)
	rc1=0 rc2=0
	ip netns exec "$NODE" "$FWAUDIT" fix > "$PT/$label.live.fix" 2>&1 ||
		rc1=$?
	"$FWAUDIT" fix --snapshot "$s" > "$PT/$label.snap.fix" 2>&1 || rc2=$?
	[ "$rc1" = "$rc2" ] || fwa_fail "$label fix: exit $rc1 live, $rc2 snapshot"
	same "$label: fix --snapshot" "$PT/$label.live.fix" "$PT/$label.snap.fix"
	SOURCE_DATE_EPOCH=1800000000 ip netns exec "$NODE" "$FWAUDIT" policy \
		init > "$PT/$label.live.init" 2>&1 || true
	SOURCE_DATE_EPOCH=1800000000 "$FWAUDIT" policy init --snapshot "$s" \
		> "$PT/$label.snap.init" 2>&1 || true
	same "$label: policy init --snapshot" "$PT/$label.live.init" \
		"$PT/$label.snap.init"
	# --redact: the redacted snapshot audits as the live host, mapped
	if [ -x "$MAPTOOL" ]; then
		ip netns exec "$NODE" "$FWAUDIT" snapshot --redact \
			--redact-map "$PT/$label.map" -o "$PT/$label.red.snap" ||
			fwa_die "$label: snapshot --redact exited $?"
		"$FWAUDIT" audit --format json --snapshot "$PT/$label.red.snap" \
			> "$PT/$label.red.json" || true
		"$MAPTOOL" "$PT/$label.map" < "$PT/$label.live.json" \
			> "$PT/$label.mapped.json"
		if "$PYTHON" "$CHECK" same "$PT/$label.map" \
			"$PT/$label.mapped.json" "$PT/$label.red.json" \
			> "$PT/$label.same"; then
			fwa_pass "$label: audit of the redacted snapshot = live, mapped"
		else
			fwa_fail "$label: redacted: $(cat "$PT/$label.same")"
		fi
	fi
}

# differs LABEL SNAPSHOT EDITED: the edit changes the audit
differs() {
	"$FWAUDIT" audit --format json --snapshot "$2" > "$PT/a.json" || true
	"$FWAUDIT" audit --format json --snapshot "$3" > "$PT/b.json" || true
	if [ -s "$PT/b.json" ] && ! cmp -s <(mask "$PT/a.json") \
					  <(mask "$PT/b.json"); then
		fwa_pass "$1"
	else
		fwa_fail "$1: the edited snapshot audits the same (or not)"
	fi
}

# refused LABEL FILE PATTERN: exit 3, the message names the file and matches
refused() {
	local rc=0

	"$FWAUDIT" audit --snapshot "$2" > /dev/null 2> "$PT/err" || rc=$?
	if [ "$rc" = 3 ] && grep -q -- "$2" "$PT/err" &&
	   grep -q -- "$3" "$PT/err"; then
		fwa_pass "$1"
	else
		fwa_fail "$1: exit $rc, $(cat "$PT/err")"
	fi
}

# ---- 1. nftables: listeners on IPv4 and IPv6, a DNAT backend ----
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
		ct state established,related accept
		iif lo accept
		meta l4proto ipv6-icmp accept
		ip saddr 10.9.0.0/24 tcp dport 5432 accept
		udp dport 53 accept
		ip6 saddr 2001:db8:2::/64 tcp dport 8443 accept
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct status dnat accept
	}
}
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		tcp dport 8080 dnat to 10.9.0.7:80
	}
}
EOF2
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
pl_serve tcp:0.0.0.0:22 tcp:0.0.0.0:5432 udp:0.0.0.0:53 tcp:[::]:8443 \
	tcp:198.51.100.1:6379
compare nft tcp/22 tcp/8080 tcp/8443 udp/53 tcp/6379
python3 "$EDIT" drop-nft-rule "$PT/nft.snap" "$PT/nft-drop.snap"
differs "nft: a snapshot without its first rule audits differently" \
	"$PT/nft.snap" "$PT/nft-drop.snap"
# fwaudit diff takes snapshots as OLD and NEW
rc1=0
"$FWAUDIT" diff "$PT/nft.snap" "$PT/nft-drop.snap" > "$PT/diff" || rc1=$?
if [ "$rc1" -lt 3 ] && grep -q "^  CLOSED *tcp/22" "$PT/diff" &&
   grep -q "(snapshot," "$PT/diff"; then
	fwa_pass "nft: diff of a snapshot and its edit closes tcp/22"
else
	fwa_fail "nft: diff of snapshots: exit $rc1: $(cat "$PT/diff")"
fi
"$FWAUDIT" diff "$PT/nft.snap" "$PT/nft.snap" > "$PT/diff" || true
if grep -q "^No change" "$PT/diff"; then
	fwa_pass "nft: diff of a snapshot with itself: no change"
else
	fwa_fail "nft: diff of a snapshot with itself: $(cat "$PT/diff")"
fi
ip netns exec "$NODE" nft list ruleset > "$PT/nft.rules"
rc1=0 rc2=0
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$PT/live.json" || rc1=$?
"$FWAUDIT" audit --format json --snapshot "$PT/nft.snap" \
	--ruleset "nft:$PT/nft.rules" > "$PT/sr.json" || rc2=$?
[ "$rc2" -lt 3 ] || fwa_fail "--snapshot --ruleset exited $rc2"
same "nft: --snapshot S --ruleset (S's own ruleset) = live" \
	"$PT/live.json" "$PT/sr.json"

# a version 1 file (no ruleset texts) still audits as it did; fix, which
# needs the texts, says why it cannot
python3 "$EDIT" v1 "$PT/nft.snap" "$PT/v1.snap"
"$FWAUDIT" audit --format json --snapshot "$PT/v1.snap" > "$PT/v1.json" || true
same "nft: a version 1 snapshot still audits as live" "$PT/nft.live.json" \
	"$PT/v1.json"
rc1=0
"$FWAUDIT" fix --snapshot "$PT/v1.snap" > /dev/null 2> "$PT/err" || rc1=$?
if [ "$rc1" = 3 ] && grep -q "does not hold the text of its nftables" "$PT/err"; then
	fwa_pass "nft: fix of a version 1 snapshot refused, saying why"
else
	fwa_fail "nft: fix of a version 1 snapshot: exit $rc1: $(cat "$PT/err")"
fi

# bad snapshots
python3 "$EDIT" truncate "$PT/nft.snap" "$PT/trunc.snap"
refused "truncated snapshot refused" "$PT/trunc.snap" "premature end"
python3 "$EDIT" version "$PT/nft.snap" "$PT/v4.snap" 4
refused "newer format version refused" "$PT/v4.snap" "version 4 is newer"
python3 "$EDIT" version "$PT/nft.snap" "$PT/v0.snap" 0
refused "older (never written) version refused" "$PT/v0.snap" "version 0"
printf 'not json' > "$PT/junk.snap"
refused "junk refused" "$PT/junk.snap" "not a snapshot"
sed 's/"recording": "\(....\)/"recording": "!\1/' "$PT/nft.snap" > "$PT/b64.snap"
refused "bad base64 refused" "$PT/b64.snap" "nftables.recording: not base64"

# ---- 2. iptables-legacy beside nftables, IPv4 and IPv6, legacy DNAT ----
pl_pair
ip netns exec "$NODE" iptables-legacy-restore <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:user-in - [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j user-in
-A user-in -s 10.9.0.0/24 -p tcp --dport 5432 -j ACCEPT
-A user-in -p udp -m multiport --dports 5000:5005 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.0.7:80
COMMIT
EOF2
ip netns exec "$NODE" ip6tables-legacy-restore <<'EOF2'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 5432 -j DROP
COMMIT
EOF2
ip netns exec "$NODE" nft -f - <<'EOF2'
table inet late {
	chain input {
		type filter hook input priority 10; policy accept;
		udp dport 5003 drop
	}
}
EOF2
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
pl_serve tcp:0.0.0.0:22 tcp:[::]:5432 udp:0.0.0.0:5000-5004
compare legacy tcp/22 tcp/5432 tcp/8080 udp/5003
# unprivileged: the legacy tables load in a user namespace of its own
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 &&
   setpriv --reuid=nobody --regid=nogroup --clear-groups \
	unshare --user --net true 2>/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env FWAUDIT_RULES_DIR="$FWAUDIT_RULES_DIR" "$FWAUDIT" audit \
		--format json --snapshot - < "$PT/legacy.snap" \
		> "$PT/legacy.nobody.json" 2> "$PT/err" || true
	same "legacy: audit --snapshot unprivileged = live" \
		"$PT/legacy.live.json" "$PT/legacy.nobody.json"
else
	fwa_log "no unprivileged user namespaces here: unprivileged read skipped"
fi
python3 "$EDIT" drop-legacy-rule "$PT/legacy.snap" "$PT/legacy-drop.snap"
differs "legacy: a snapshot without its first rule audits differently" \
	"$PT/legacy.snap" "$PT/legacy-drop.snap"

fwa_finish
