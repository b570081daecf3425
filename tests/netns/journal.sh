#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/journal.sh - the journal sink against a real systemd-journald:
# one event sent with journal_send_event() is read back with
# journalctl -o json and every field compared; and contrib/fwaudit.catalog
# compiles and explains every MESSAGE_ID the code uses.
#
# When no journald runs (/run/systemd/journal/socket is absent, as in CI
# containers), this test starts /lib/systemd/systemd-journald itself and
# ends it by PID afterwards, removing the sockets and the volatile journal
# it created.  Root is needed only for that.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v "$PYTHON" >/dev/null 2>&1 || fwa_skip "python3 is missing"
fwa_require_tools journalctl
CLIENT=${WEBHOOK_CLIENT:-${top_builddir:-$top_srcdir}/tests/unit/webhook_client}
[ -x "$CLIENT" ] || fwa_skip "webhook_client not built ($CLIENT)"
CATALOG="$top_srcdir/contrib/fwaudit.catalog"
JOURNALD=/lib/systemd/systemd-journald
SOCK=/run/systemd/journal/socket

fwa_tmpdir T

# -- the catalog: compiled in a private root, one entry per MESSAGE_ID ----
mkdir -p "$T/root/usr/lib/systemd/catalog"
cp "$CATALOG" "$T/root/usr/lib/systemd/catalog/fwaudit.catalog"
if journalctl --root="$T/root" --update-catalog 2>"$T/catalog.err" &&
	journalctl --root="$T/root" --list-catalog >"$T/catalog.list"; then
	ids=$(sed -n 's/^\t\[EVENT_[A-Z_]*\][ \t]*= "\([0-9a-f]\{32\}\)",$/\1/p' \
		"$top_srcdir/auditd/daemon/journal.c")
	n=0 missing=""
	for id in $ids; do
		n=$((n + 1))
		grep -q "^$id fwaudit: " "$T/catalog.list" || missing="$missing $id"
	done
	if [ "$n" -eq 9 ] && [ -z "$missing" ]; then
		fwa_pass "catalog: all $n MESSAGE_IDs explained"
	else
		fwa_fail "catalog: $n ids in journal.c, missing:$missing"
	fi
else
	fwa_fail "catalog does not compile: $(cat "$T/catalog.err")"
fi

# -- a journald to talk to ------------------------------------------------
if [ ! -S "$SOCK" ]; then
	[ "$(id -u)" -eq 0 ] || fwa_skip "no journald running and not root to start one"
	[ -x "$JOURNALD" ] || fwa_skip "no journald running and $JOURNALD missing (package systemd)"
	# what we create, we remove; what existed stays
	created=()
	for p in /run/systemd/journal /run/log/journal; do
		[ -e "$p" ] || created+=("$p")
	done
	fwa_bg jpid "$JOURNALD" >"$T/journald.log" 2>&1
	# end it before removing what it created (the process list is
	# handled after the hooks)
	hook="kill -TERM $jpid; sleep 0.3; kill -KILL $jpid"
	for p in "${created[@]}"; do
		hook="$hook; rm -rf -- '$p'"
	done
	fwa_at_cleanup "$hook"
	for ((i = 0; i < 50; i++)); do
		[ -S "$SOCK" ] && break
		kill -0 "$jpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$SOCK" ] || fwa_skip "systemd-journald could not start: $(tail -3 "$T/journald.log" | tr '\n' ' ')"
	fwa_log "started systemd-journald (pid $jpid)"
fi

since=$(date '+%Y-%m-%d %H:%M:%S' -d '-5 sec')
"$CLIENT" journal >"$T/event.json" 2>"$T/client.err" ||
	fwa_die "journal_send_event failed: $(cat "$T/client.err")"
id=$(fwa_jq "$T/event.json" 'J["id"]')

for ((i = 0; i < 50; i++)); do
	journalctl -o json --since "$since" "FWAUDIT_EVENT_ID=$id" >"$T/entry.json" 2>/dev/null || true
	[ -s "$T/entry.json" ] && break
	sleep 0.1
done
[ -s "$T/entry.json" ] || fwa_die "the entry did not arrive in the journal (id $id)"

"$PYTHON" - "$T/event.json" "$T/entry.json" "$top_srcdir/auditd/daemon/journal.c" <<'PYEOF' || _failed=1
import json, re, sys
ev = json.load(open(sys.argv[1]))
lines = [l for l in open(sys.argv[2]) if l.strip()]
src = open(sys.argv[3]).read()
fails = 0
def check(what, ok, detail=""):
    global fails
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok else " (%s)" % detail))
    fails += not ok
check("exactly one entry with the event id", len(lines) == 1, len(lines))
e = json.loads(lines[0])
mid = re.search(r'\[EVENT_VIOLATION_OPENED\]\s*=\s*"([0-9a-f]{32})"', src).group(1)
want = {
    "MESSAGE": ev["message"], "PRIORITY": "2", "MESSAGE_ID": mid,
    "SYSLOG_IDENTIFIER": "fwauditd", "FWAUDIT_EVENT": "violation_opened",
    "FWAUDIT_EVENT_ID": ev["id"], "FWAUDIT_SEVERITY": "critical",
}
for k in ("family", "protocol", "ports", "address", "sources", "interfaces",
          "path", "backend", "state", "certainty", "rule", "fix"):
    want["FWAUDIT_" + k.upper()] = ev[k]
for k, v in want.items():
    check("journal field %s" % k, e.get(k) == v, "%r != %r" % (e.get(k), v))
check("empty fields are omitted", "FWAUDIT_LISTENER" not in e)
sys.exit(1 if fails else 0)
PYEOF
[ "${_failed:-0}" = 0 ] || fwa_fail "journal fields differ"

fwa_finish
