# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/redact-lib.sh - the redaction check the IPVS tests share
# (ipvs-snapshot.sh, swarm-mesh.sh); source it after lib.sh.  Not a test.
#
#   rdx_check LABEL SNAP AUDIT_JSON TOKEN...
#	`fwaudit snapshot --redact --input SNAP` audits as AUDIT_JSON (the
#	plain snapshot's `audit --no-rules --format json`) with the map
#	applied, every TOKEN (an address) is in SNAP and none is left in the
#	redacted file.  Files go to $PT/LABEL.*.
: "${CHECK:=$FWA_LIBDIR/redact-check.py}"
: "${MAPTOOL:=$(dirname "$FWAUDIT")/tests/netns/redact_map}"

rdx_check() {
	local label=$1 snap=$2 plain=$3 d="$PT/$1"

	shift 3
	"$FWAUDIT" snapshot --redact --input "$snap" --redact-map "$d.map" \
		-o "$d.red.snap" || fwa_die "$label: snapshot --redact --input exited $?"
	"$FWAUDIT" audit --no-rules --format json --snapshot "$d.red.snap" \
		> "$d.red.json" 2> "$d.red.err" || true
	[ -s "$d.red.json" ] ||
		fwa_die "$label: audit of the redacted snapshot: $(head -3 "$d.red.err")"
	"$MAPTOOL" "$d.map" < "$plain" > "$d.mapped.json"
	if "$PYTHON" "$CHECK" same "$d.map" "$d.mapped.json" "$d.red.json" \
		> "$d.same.out"; then
		fwa_pass "$label: the redacted snapshot audits as the plain one, mapped"
	else
		fwa_fail "$label: redacted audit differs: $(cat "$d.same.out")"
	fi
	if "$PYTHON" "$CHECK" finds "$snap" "$@" > "$d.finds.out"; then
		fwa_pass "$label: the addresses are in the plain snapshot"
	else
		fwa_fail "$label: $(cat "$d.finds.out")"
	fi
	if "$PYTHON" "$CHECK" leak "$d.red.snap" "$@" > "$d.leak.out"; then
		fwa_pass "$label: none of them is left in the redacted file"
	else
		fwa_fail "$label: $(cat "$d.leak.out")"
	fi
}
