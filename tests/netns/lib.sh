# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/lib.sh - shared helpers for the namespace tests.
#
# Source it from a test script that starts with
#	#!/bin/bash
#	set -euo pipefail
#	. "$(dirname "$0")/lib.sh"
# Exit status convention (automake): 0 pass, 1 fail, 77 skip.
#
# Everything a test creates through these helpers (network namespaces,
# background processes, temporary files and directories) is registered and
# removed by one EXIT/INT/TERM/HUP trap, also when the test fails half way.
# Processes are ended by PID, never by name.
#
# Environment: FWAUDIT (absolute path of the built binary; make check exports
# it), top_srcdir (make check exports it; defaults to the source tree this
# file lives in).  FWA_KEEP=1 leaves temporary files in place for debugging
# (namespaces and processes are still removed).

FWA_NAME=${FWA_NAME:-$(basename "$0" .sh)}
FWA_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$FWA_LIBDIR/../.." && pwd)}"
export top_srcdir
: "${FWAUDIT:=${top_builddir:-$top_srcdir}/fwaudit}"
export FWAUDIT
# the system python starts fast; a pyenv shim in PATH takes ~0.4 s a call
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3
	else PYTHON=python3; fi
fi

_fwa_ns=()		# namespaces to delete
_fwa_pids=()		# processes to end
_fwa_tmp=()		# files and directories to remove
_fwa_hooks=()		# commands to run first at cleanup (e.g. docker rm)
_fwa_seq=0
_fwa_failures=0

fwa_log() { printf '%s: %s\n' "$FWA_NAME" "$*"; }

# fwa_skip MESSAGE: skip the whole test (exit 77), saying why.
fwa_skip() {
	printf 'SKIP: %s: %s\n' "$FWA_NAME" "$*"
	exit 77
}

# fwa_once WHY: this test runs in one build's pass of ./build.sh check only
# (the plain one): skip, saying so, when FWAUDIT_ONCE_TESTS=no (the ASan
# build's pass).  For the slow scenarios around real daemons, whose C paths
# the unit tests and the faster namespace tests also run under ASan; WHY
# says what the second run would only repeat.
fwa_once() {
	if [ "${FWAUDIT_ONCE_TESTS:-yes}" = no ]; then
		fwa_skip "runs once per ./build.sh check, in the plain build (FWAUDIT_ONCE_TESTS=no: this is the ASan build's pass): $*"
	fi
}

# fwa_die MESSAGE: a hard failure of the test itself (exit 1).
fwa_die() {
	printf 'FAIL: %s: %s\n' "$FWA_NAME" "$*"
	exit 1
}

# fwa_pass / fwa_fail MESSAGE: record one check; fwa_finish exits with the
# summary status.
fwa_pass() { printf 'PASS: %s\n' "$*"; }
fwa_fail() {
	printf 'FAIL: %s\n' "$*"
	_fwa_failures=$((_fwa_failures + 1))
}
fwa_finish() {
	if [ "$_fwa_failures" -gt 0 ]; then
		fwa_log "$_fwa_failures check(s) failed"
		exit 1
	fi
	fwa_log "all checks passed"
	exit 0
}

fwa_require_root() {
	[ "$(id -u)" -eq 0 ] || fwa_skip "needs root (network namespaces)"
	ip netns add "fwa-probe-$$" 2>/dev/null ||
		fwa_skip "cannot create network namespaces here"
	ip netns del "fwa-probe-$$"
}

# fwa_require_tools TOOL...: skip naming every missing tool.
fwa_require_tools() {
	local t missing=()

	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] || fwa_skip "missing tool(s): ${missing[*]}"
}

# fwa_require_fwaudit: skip when the binary was not built.
fwa_require_fwaudit() {
	[ -x "$FWAUDIT" ] || fwa_skip "fwaudit binary not found (FWAUDIT=$FWAUDIT)"
}

# fwa_corpus: print the corpus directory, or nothing when it is absent.
fwa_corpus() {
	local d="${FWA_CORPUS:-$top_srcdir/../shared/corpus}"

	[ -d "$d" ] && (cd "$d" && pwd)
	return 0
}

_fwa_cleanup() {
	local rc=$? i pid ns n

	set +e
	trap - EXIT INT TERM HUP
	for ((i = ${#_fwa_hooks[@]} - 1; i >= 0; i--)); do
		eval "${_fwa_hooks[i]}" >/dev/null 2>&1
	done
	for pid in "${_fwa_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${_fwa_pids[@]}"; do
		for ((n = 0; n < 100; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${_fwa_ns[@]}"; do
		# anything still running in a namespace we created descends
		# from a process we started (e.g. a container shim)
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${FWA_KEEP:-0}" != 1 ]; then
		# --one-file-system: never recurse into something mounted
		# below a temporary directory (e.g. a bind of /sys/fs/cgroup
		# that escaped its private mount namespace)
		for i in "${_fwa_tmp[@]}"; do
			rm -rf --one-file-system -- "$i"
		done
	elif [ ${#_fwa_tmp[@]} -gt 0 ]; then
		echo "kept: ${_fwa_tmp[*]}"
	fi
	exit "$rc"
}
trap _fwa_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# fwa_at_cleanup COMMAND-STRING: run it (eval) at cleanup, before processes
# are ended; hooks run last-registered first.
fwa_at_cleanup() { _fwa_hooks+=("$1"); }

# fwa_tmpdir VAR: make a temporary directory and store its path in VAR.
fwa_tmpdir() {
	local _fwa_d

	_fwa_d=$(mktemp -d "${TMPDIR:-/tmp}/fwa-$FWA_NAME.XXXXXX")
	_fwa_tmp+=("$_fwa_d")
	printf -v "$1" '%s' "$_fwa_d"
}

# fwa_ns_new VAR [LABEL]: create a fresh namespace with lo up; the name
# (fwa-LABEL-PID-N) goes into VAR.
fwa_ns_new() {
	local _fwa_n

	_fwa_seq=$((_fwa_seq + 1))
	_fwa_n="fwa-${2:-$FWA_NAME}-$$-$_fwa_seq"
	ip netns add "$_fwa_n"
	_fwa_ns+=("$_fwa_n")
	ip -n "$_fwa_n" link set lo up
	printf -v "$1" '%s' "$_fwa_n"
}

# fwa_ns_del NS: delete a namespace early (cleanup would do it anyway).
fwa_ns_del() {
	local pid i

	for pid in $(ip netns pids "$1" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
	ip netns del "$1" 2>/dev/null || true
	for i in "${!_fwa_ns[@]}"; do
		[ "${_fwa_ns[i]}" != "$1" ] || unset '_fwa_ns[i]'
	done
}

# fwa_nsx NS CMD...: run a command inside a namespace.
fwa_nsx() {
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# fwa_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces,
# both ends up, addresses in CIDR form ("" for none).
fwa_veth() {
	local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=$6

	ip -n "$ns1" link add "$if1" type veth peer name "$if2" netns "$ns2"
	[ -z "$a1" ] || ip -n "$ns1" addr add "$a1" dev "$if1"
	[ -z "$a2" ] || ip -n "$ns2" addr add "$a2" dev "$if2"
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

# fwa_dummy NS IF [ADDR]: a dummy interface, up, with an optional address.
# Kernels without the dummy driver get a veth pair instead, both ends in NS
# (the peer is named IF plus "p", up, without an address).
fwa_dummy() {
	if ! ip -n "$1" link add "$2" type dummy 2>/dev/null; then
		ip -n "$1" link add "$2" type veth peer name "${2}p"
		ip -n "$1" link set "${2}p" up
	fi
	[ -z "${3:-}" ] || ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}

# fwa_bg VAR CMD...: start CMD in the background, remember its PID for
# cleanup and store it in VAR.  CMD's output goes where the caller
# redirects fwa_bg's.
fwa_bg() {
	local _fwa_v=$1

	shift
	"$@" &
	_fwa_pids+=("$!")
	printf -v "$_fwa_v" '%s' "$!"
}

# fwa_track PID: end this process too at cleanup (one we started
# indirectly, e.g. a container's main process).
fwa_track() { _fwa_pids+=("$1"); }

# fwa_stop PID [SECONDS]: end one process we started (TERM, then KILL).
fwa_stop() {
	local pid=$1 n max=$(( ${2:-10} * 10 ))

	kill -TERM "$pid" 2>/dev/null || return 0
	for ((n = 0; n < max; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# fw_json NS: fwaudit ruleset --format json inside NS, on stdout; the exit
# status is fwaudit's.
fw_json() {
	ip netns exec "$1" "$FWAUDIT" ruleset --format json
}

# fw_text NS: the same in text form.
fw_text() {
	ip netns exec "$1" "$FWAUDIT" ruleset --format text
}

# The JSON helpers are python3: jq is not everywhere, python3 is.
#
# fwa_jq FILE EXPR: evaluate a python expression with J bound to the
# parsed file and print the result (strings raw, the rest as JSON).
fwa_jq() {
	"$PYTHON" -c "$_FWA_PY_PRELUDE"'
_r = eval(sys.argv[2])
print(_r if isinstance(_r, str) else json.dumps(_r))
' "$1" "$2"
}

# fwa_check FILE [LABEL] <<'EOF' ... EOF: run python assertions (read from
# stdin) against a JSON document.  In the code:
#   J                      the parsed document
#   chains(**kw)           chains whose keys equal kw (family, table, ...)
#   chain(**kw)            the one such chain, or None (a FAIL is recorded)
#   rules_with(c, pred)    rules of chain c for which pred(rule) holds
#   matches(r, field)      the matches of rule r on field
#   rule_text(r)           r["text"]
#   expect(what, cond)     one check; cond may be a callable, an exception
#                          in it counts as a failure
# Prints PASS/FAIL per check; exits 1 when one failed.
fwa_check() {
	local code

	code=$(cat)
	"$PYTHON" -c "$_FWA_PY_PRELUDE
$code
_fwa_done()" "$1" "${2:-}"
}

# The prelude shared by the python helpers.
_FWA_PY_PRELUDE='
import json, sys
with open(sys.argv[1]) as _f:
    J = json.load(_f)
LABEL = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else ""
_fails = 0

def _say(ok, what, extra=""):
    global _fails
    if not ok:
        _fails += 1
    pre = (LABEL + ": ") if LABEL else ""
    print(("PASS: " if ok else "FAIL: ") + pre + what + (" (" + extra + ")" if extra else ""))

# "from everyone" as fwaudit writes it: every source, and on the IPv6
# forward path every source but link-local (ip6_forward() never forwards
# those; multicast and the unspecified address are martian, counted in)
V6_FORWARD_ANY = ["::/1", "8000::/2", "c000::/3", "e000::/4", "f000::/5",
                  "f800::/6", "fc00::/7", "fe00::/9", "fec0::/10", "ff00::/8"]

def everyone(sources, path="local"):
    s = sorted(sources)
    return s in (["0.0.0.0/0"], ["::/0"]) or \
        (path == "forward" and s == sorted(V6_FORWARD_ANY))

def expect(what, cond, detail=None):
    extra = ""
    try:
        ok = bool(cond() if callable(cond) else cond)
    except Exception as e:
        ok = False
        extra = "%s: %s" % (type(e).__name__, e)
    if not ok and detail is not None:
        try:
            d = detail() if callable(detail) else detail
        except Exception as e:
            d = "%s: %s" % (type(e).__name__, e)
        extra = (extra + "; " if extra else "") + str(d)
    _say(ok, what, extra)
    return ok

def chains(**kw):
    return [c for c in J.get("chains", []) if all(c.get(k) == v for k, v in kw.items())]

def chain(**kw):
    cs = chains(**kw)
    if len(cs) != 1:
        _say(False, "exactly one chain %s" % kw, "found %d" % len(cs))
        return None
    return cs[0]

def rules_with(c, pred):
    if c is None:
        return []
    out = []
    for r in c.get("rules", []):
        try:
            if pred(r):
                out.append(r)
        except (KeyError, TypeError, IndexError, AttributeError):
            pass
    return out

def matches(r, field):
    return [m for m in r.get("matches", []) if m.get("field") == field]

def values(m):
    v = m.get("value")
    return v if isinstance(v, list) else ([] if v is None else [v])

def has(r, field, op=None, value=None):
    """rule r has a match on field (with op, and value equal as a string or
    as a list compared as sets)"""
    for m in matches(r, field):
        if op is not None and m.get("op") != op:
            continue
        if value is not None:
            if isinstance(value, list):
                if sorted(values(m)) != sorted(value):
                    continue
            elif m.get("value") != value:
                continue
        return True
    return False

def rule_text(r):
    return r.get("text", "")

def show(c):
    if c is None:
        return "no chain"
    return " | ".join(rule_text(r) for r in c.get("rules", []))

def _fwa_done():
    sys.exit(1 if _fails else 0)
'
