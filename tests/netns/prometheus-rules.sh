#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# prometheus-rules.sh - contrib/prometheus/fwaudit-alerts.yml is valid
# (`promtool check rules`) and its alerts fire when they should and only
# then (`promtool test rules fwaudit-alerts.test.yml`: a critical
# violation, a new exposure, audits failing, the last audit too old,
# alerts dropped from the spool); every metric the rules read is one that
# fwaudit writes (auditd/output/prom.c).  No root, no namespace; about a second.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_tools promtool
D=$top_srcdir/contrib/prometheus
fwa_tmpdir T
# promtool resolves rule_files against the test file's directory: a copy
# keeps the source tree read-only
cp "$D/fwaudit-alerts.yml" "$D/fwaudit-alerts.test.yml" "$T/"

if promtool check rules "$T/fwaudit-alerts.yml" >"$T/check" 2>&1; then
	fwa_pass "promtool check rules: $(grep -o '[0-9]* rules found' "$T/check")"
else
	fwa_fail "promtool check rules: $(cat "$T/check")"
fi
if (cd "$T" && promtool test rules fwaudit-alerts.test.yml) >"$T/test" 2>&1; then
	fwa_pass "promtool test rules: $(grep -c 'alertname:' "$T/fwaudit-alerts.test.yml") alert evaluations as expected"
else
	fwa_fail "promtool test rules: $(cat "$T/test")"
fi

# the metric names the rules use, against those fwaudit writes
names=$(grep -o 'fwaudit_[a-z_]*' "$T/fwaudit-alerts.yml" | sort -u)
for n in $names; do
	grep -q "\"# TYPE $n " "$top_srcdir/auditd/output/prom.c" ||
		fwa_fail "the rules read $n, which auditd/output/prom.c does not write"
done
fwa_pass "the rules read metrics fwaudit writes: $(echo $names)"
fwa_finish
