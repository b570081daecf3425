#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile-udata.sh - rule user data are the rule writer's bytes: anyone with
# CAP_NET_ADMIN in the audited namespace can plant a comment TLV that runs
# past the user data (nft_plant, built by make check).  fwaudit ruleset
# must read the ruleset (exit 0), show no comment for that rule and say
# why, and still show a well-formed comment of the rule beside it
# (issue 17: the comment used to be read and printed from past the block).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools nft ip
fwa_require_fwaudit
PLANT=${top_builddir:-$top_srcdir}/tests/netns/nft_plant
[ -x "$PLANT" ] || fwa_skip "nft_plant not built ($PLANT)"

fwa_tmpdir T
fwa_ns_new NS udata
fwa_nsx "$NS" nft -f - <<'EOF2'
table ip t {
	chain c {
		type filter hook input priority 0; policy accept;
	}
}
EOF2
# NFTNL_UDATA_RULE_COMMENT: type 0, length, bytes.  Rule 1: a comment of
# 3 bytes with none there; rule 2: of 40 bytes in 2; rule 3: "ok".
for ud in 0003 00286869 00036f6b00; do
	fwa_nsx "$NS" "$PLANT" 2 t c "$ud" ||
		fwa_die "the kernel refused the rule with user data $ud"
done

rc=0
fwa_nsx "$NS" "$FWAUDIT" ruleset >"$T/out.txt" 2>"$T/err.txt" || rc=$?
if [ "$rc" -eq 0 ]; then
	fwa_pass "fwaudit ruleset reads a ruleset with hostile user data"
else
	fwa_fail "fwaudit ruleset exited $rc: $(head -n 3 "$T/err.txt")"
fi
for i in 1 2; do
	if grep -q "ip t c: rule $i has malformed user data" "$T/out.txt"; then
		fwa_pass "rule $i: the malformed user data is named"
	else
		fwa_fail "rule $i: no note about its malformed user data"
	fi
done
if grep -q 'comment "ok"' "$T/out.txt"; then
	fwa_pass "a well-formed comment beside it is shown"
else
	fwa_fail "the control rule's comment is missing"
fi
# nothing but the control comment: no bytes from past the user data
n=$(grep -c 'comment "' "$T/out.txt" || true)
if [ "$n" -eq 1 ]; then
	fwa_pass "one comment printed"
else
	fwa_fail "$n comments printed: $(grep 'comment "' "$T/out.txt" | head -n 3)"
fi
fwa_finish
