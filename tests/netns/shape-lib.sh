# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/shape-lib.sh - the parts the front-end shape scenarios
# (tests/netns/shape-*.sh, issue 9) share.  Source after lib.sh and
# probe-lib.sh (pl_init done):
#
#	sh_possible LABEL		print the number of "possible" exposures
#		of a fresh audit of $NODE and record a check that it is 0
#		(every match of these rulesets is decidable)
#	sh_golden NAME [ARGS...]	fwaudit audit --no-rules (text) in $NODE
#		compared with tests/golden/NAME.text after normalising pids and
#		link-local addresses;
#		GOLDEN=update rewrites the golden file instead
#	sh_finding LABEL KIND [yes|no]	record a check that the last
#		sh_possible audit has (yes, default) or has not (no) a
#		finding of KIND in its top-level "findings" array

SH_GOLDEN_DIR=$top_srcdir/tests/golden

sh_possible() {
	local label=$1 n

	_sh_n=$(( ${_sh_n:-0} + 1 ))
	SH_AUDIT="$PT/sh-audit.$_sh_n.json"
	pl_audit "$SH_AUDIT"
	n=$("$PYTHON" -c 'import json,sys
J = json.load(open(sys.argv[1]))
print(sum(1 for e in J["exposures"] if e.get("certainty") == "possible"))' "$SH_AUDIT")
	fwa_log "$label: $n possible exposure(s)"
	if [ "$n" -eq 0 ]; then
		fwa_pass "$label: no possible exposure (every match decided)"
	else
		fwa_fail "$label: $n possible exposure(s) where every match is decidable"
		"$PYTHON" -c 'import json,sys
for e in json.load(open(sys.argv[1]))["exposures"]:
    if e.get("certainty") == "possible":
        print("   ", e["family"], e["protocol"], e["ports"], e.get("unknown"))' "$SH_AUDIT"
	fi
}

sh_golden() {
	local name=$1 g out rc=0

	shift
	g=$SH_GOLDEN_DIR/$name.text
	out="$PT/golden.$name"
	pl_settle
	ip netns exec "$NODE" "$FWAUDIT" audit --no-rules --format text "$@" \
		> "$out.raw" 2> "$out.err" || rc=$?
	if [ "$rc" -ge 3 ]; then
		fwa_fail "$name: fwaudit audit exited $rc: $(head -3 "$out.err")"
		return 0
	fi
	# pids, and the link-local address a random MAC gives v0
	# (SH_GOLDEN_SED: one more sed -E expression of the test's own)
	sed -E -e 's/\[[0-9]+\]/[PID]/g' \
		-e 's/fe80::[0-9a-f:]*[0-9a-f]/fe80::LL/g' \
		-e "${SH_GOLDEN_SED:-s/^\$//}" "$out.raw" > "$out"
	if [ "${GOLDEN:-}" = update ]; then
		cp "$out" "$g"
		fwa_log "updated $g"
	elif [ ! -f "$g" ]; then
		fwa_fail "$name: no golden file $g (GOLDEN=update writes it)"
	elif diff -u <(golden_norm < "$g") <(golden_norm < "$out") > "$out.diff"; then
		fwa_pass "$name: text output equals $(basename "$g")"
	else
		fwa_fail "$name: text output differs from $(basename "$g"):"
		head -60 "$out.diff"
	fi
}

sh_finding() {
	local label=$1 kind=$2 want=${3:-yes} have

	have=$("$PYTHON" -c 'import json,sys
J = json.load(open(sys.argv[1]))
f = [x for x in J.get("findings", []) if x.get("kind") == sys.argv[2]]
for x in f:
    sys.stderr.write("    finding: %s\n" % json.dumps(x))
print("yes" if f else "no")' "$SH_AUDIT" "$kind")
	if [ "$have" = "$want" ]; then
		fwa_pass "$label: finding $kind: $want"
	else
		fwa_fail "$label: finding $kind: expected $want, got $have"
	fi
}
