#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-view-docker.sh - what an operator reads on a Docker host with a
# ufw-style INPUT policy (drop by default, 22 allowed, 6379 denied) whose
# only routes are on-link (198.51.100.0/24) and one to 10.1.0.0/16, with
# `docker run -p 6379:6379` (userland proxy on: docker-proxy listens on
# 6379 behind the DNAT) and `-p 127.0.0.1:8080:80`.  Default policy.
# The text is compared with tests/golden/audit-view-docker.text
# (GOLDEN=update rewrites it).  It must name the published port as one
# finding with its DOCKER-USER fix, write the sources as the two networks
# they are (issue 11: it once read "any except 0.0.0.0/0"), and say that
# DNAT bypasses docker-proxy instead of "no probe reaches it".
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

fwa_require_root
dk_require
fwa_require_tools "$PYTHON" ip iptables-nft
fwa_require_fwaudit

GOLDEN_DIR=$top_srcdir/tests/golden
fwa_tmpdir T
PT=$T

fwa_ns_new NODE dview
fwa_dummy "$NODE" eth0 198.51.100.2/24
# a fixed IPv6 address and no link-local one (it would come from a random
# MAC): Docker's iptables rules leave IPv6 unfiltered, which is a finding
ip -n "$NODE" link set eth0 addrgenmode none
ip -n "$NODE" -6 addr flush dev eth0 scope link
ip -n "$NODE" addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n "$NODE" route add 10.1.0.0/16 via 198.51.100.1
dk_start "$NODE" nft '{}' --bip=203.0.113.1/24
dk_image
dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
dk_run fwa-web -p 127.0.0.1:8080:80 fwa-busybox:test /bin/busybox httpd -f -p 80
ipt() { ip netns exec "$NODE" iptables-nft "$@"; }
ipt -A INPUT -i lo -j ACCEPT
ipt -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A INPUT -p tcp --dport 22 -j ACCEPT
ipt -A INPUT -p tcp --dport 6379 -j DROP
ipt -P INPUT DROP
pl_serve tcp:0.0.0.0:22
export DOCKER_HOST="unix://$DK_SOCK"

RC=0
ip netns exec "$NODE" "$FWAUDIT" audit > "$T/out" 2> "$T/err" || RC=$?
ip netns exec "$NODE" "$FWAUDIT" audit --format json > "$T/json" 2>&1 || true
sed -E -e 's/\[[0-9]+\]( +)/[PID] /g' -e 's/\[[0-9]+\]/[PID]/g' \
		-e 's/\(nothing yet\) +/(nothing yet) /' \
		-e "s|$FWAUDIT_RULES_DIR/|rules/|g" \
	"$T/out" > "$T/got"
g=$GOLDEN_DIR/audit-view-docker.text
if [ "${GOLDEN:-}" = update ]; then
	cp "$T/got" "$g"
	fwa_log "updated $g"
elif diff -u "$g" "$T/got" > "$T/diff"; then
	fwa_pass "text: output equals $(basename "$g")"
else
	fwa_fail "text: output differs from $(basename "$g"):"
	head -60 "$T/diff"
fi
[ "$RC" -eq 2 ] && fwa_pass "exit 2: Redis published to 198.51.100.0/24" ||
	fwa_fail "exit $RC, expected 2: $(head -3 "$T/err")"
grep -q 'any except 0.0.0.0/0' "$T/got" &&
	fwa_fail "the sources read 'any except 0.0.0.0/0'"
# the text means what the JSON says: each SOURCES cell, read with the
# policy's zones, is exactly the exposure's sources
if "$PYTHON" "$top_srcdir/tests/netns/text-vs-json.py" "$T/got" "$T/json" \
	> "$T/tvj" 2>&1; then
	fwa_pass "text: every SOURCES cell denotes the JSON's sources"
else
	fwa_fail "text: SOURCES cells that are not the JSON's: $(head -5 "$T/tvj")"
fi
fwa_check "$T/json" "docker view" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
c = [x for x in J["causes"] if x["kind"] == "published"]
expect("one published cause with the tcp/6379 exposure",
       len(c) == 1 and [J["exposures"][i]["ports"] for i in c[0]["exposures"]] == [[6379, 6379]], c)
f = [x for x in J["filtered"] if x["port"] == 6379]
expect("docker-proxy on 6379: bypassed by DNAT, pointing at the exposure",
       f and all("exposure" in x and J["exposures"][x["exposure"]]["ports"] == [6379, 6379]
                 for x in f), f)
PY
fwa_finish
