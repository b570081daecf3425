#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-view-ruleset.sh - what a CI pipeline prints for an iptables-save
# file without host facts (fwaudit audit --ruleset): INPUT drops by
# default, lets in tcp/22 from anyone, tcp/6379 on eth0 and tcp/5432 from
# 10.0.0.0/8; no IPv6 rules at all.  Default policy.  Compared with
# tests/golden/audit-view-ruleset.text (GOLDEN=update rewrites it): the
# symbolic interfaces read as words ("every interface but lo"), the
# unfiltered IPv6 side is one finding, Redis from "any except
# private,loopback" another.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools unshare iptables-nft-restore
fwa_require_fwaudit

GOLDEN_DIR=$top_srcdir/tests/golden
fwa_tmpdir T
cat > "$T/v4.save" <<'EOF2'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -i eth0 -p tcp --dport 6379 -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p tcp --dport 5432 -j ACCEPT
COMMIT
EOF2
RC=0
"$FWAUDIT" audit --ruleset "$T/v4.save" > "$T/out" 2> "$T/err" || RC=$?
sed -e "s|$FWAUDIT_RULES_DIR/|rules/|g" "$T/out" > "$T/got"
g=$GOLDEN_DIR/audit-view-ruleset.text
if [ "${GOLDEN:-}" = update ]; then
	cp "$T/got" "$g"
	fwa_log "updated $g"
elif diff -u "$g" "$T/got" > "$T/diff"; then
	fwa_pass "text: output equals $(basename "$g")"
else
	fwa_fail "text: output differs from $(basename "$g"):"
	head -60 "$T/diff"
fi
[ "$RC" -eq 2 ] && fwa_pass "exit 2: Redis on eth0 from the Internet" ||
	fwa_fail "exit $RC, expected 2: $(head -3 "$T/err")"
fwa_finish
