#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-docker.sh - the story fwaudit exists for, told to
# fwauditd: a node with the real ufw (its default configuration: deny
# incoming; then `ufw allow 22/tcp` and `ufw deny 6379/tcp`) and a real
# dockerd (tests/netns/docker-lib.sh, iptables-nft, IPv6 on), watched by
# fwauditd with the shipped default policy and `docker = yes` (the Docker
# API through the libcurl the daemon loads on first use).  Then
# `docker run -p 6379:6379` a Redis stand-in:
#   - the daemon journals a critical violation for tcp/6379, IPv4 and IPv6,
#     path forward, to the container named fwa-redis, within a bound;
#   - real packets from outside agree with the one-shot audit (every probe,
#     IPv4 and IPv6: ufw's deny does not stop them);
#   - `docker rm -f` closes it again (violation_resolved, both families).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"
# shellcheck source=tests/netns/ufw-lib.sh
. "$(dirname "$0")/ufw-lib.sh"

fwa_once "a real dockerd, ufw and fwauditd take a minute; the Docker reader and the daemon's libcurl run under ASan in test_runtimes and daemon-webhook.sh"
dmn_require
dk_require
fwa_require_tools ufw
pl_init
T=$PT
dmn_journald
BOUND=${DAEMON_EVENT_BOUND:-10}	# seconds from docker run to its entry

# -- ufw, default configuration, in the node (private copies of its files) --
# ufw's own defaults (deny incoming, IPV6=yes)
ufw_private
ufw_node ufw --force enable > /dev/null
ufw_node ufw allow 22/tcp > /dev/null
ufw_node ufw deny 6379/tcp > /dev/null
ufw_node ufw status verbose > "$T/ufw.status"
grep -q '^6379/tcp (v6) *DENY IN' "$T/ufw.status" &&
	grep -q '^Default: deny (incoming)' "$T/ufw.status" ||
	fwa_die "ufw did not take its rules: $(cat "$T/ufw.status")"

dk_start "$NODE" nft '{ "userland-proxy": false, "ipv6": true,
  "fixed-cidr-v6": "2001:db8:66::/64", "ip6tables": true,
  "experimental": true }' --bip=10.66.0.1/24
dk_image
pl_serve 'tcp:[::]:22'

cat > "$T/fwauditd.conf" <<EOF
# fwauditd test configuration: the shipped policy, Docker's API read
rules = $FWAUDIT_RULES_DIR/default.rules
interfaces = v0
docker = yes
debounce_ms = 50
poll_interval_ms = 60000
user = root
EOF
dmn_notify_listen "$T/notify"
dmn_start DPID "$NODE" "$T/fwauditd.conf" DOCKER_HOST="unix://$DK_SOCK"
dmn_wait_notify "$T/notify" '^READY=1' 20 ||
	fwa_die "no READY=1 in 20 s: $(cat "$T/daemon.err")"
sleep 0.5
n=$(dmn_events "$DPID" FWAUDIT_PORTS=6379 | grep -c . || true)
[ "$n" -eq 0 ] && fwa_pass "at start: nothing on tcp/6379 (ufw denies it)" ||
	fwa_fail "at start: $n entries for tcp/6379: $(dmn_events "$DPID" FWAUDIT_PORTS=6379)"

# -- docker run -p 6379:6379 -------------------------------------------------
t0=$(date +%s.%N)
dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_opened FWAUDIT_PORTS=6379)
t1=$(date +%s.%N)
sleep 1	# a later audit (the container's name arriving) would show here
dmn_events "$DPID" FWAUDIT_EVENT=violation_opened FWAUDIT_PORTS=6379 > "$T/open.json"
if "$PYTHON" - "$T/open.json" <<'PYEOF'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fam = {}
for e in es:
    if (e.get("FWAUDIT_SEVERITY") == "critical" and e.get("PRIORITY") == "2"
            and e.get("FWAUDIT_PROTOCOL") == "tcp"
            and e.get("FWAUDIT_PATH") == "forward"
            and "fwa-redis" in e.get("FWAUDIT_BACKEND", "")):
        fam[e.get("FWAUDIT_FAMILY")] = e
if set(fam) != {"ipv4", "ipv6"}:
    print("want a critical forward violation naming fwa-redis per family: %s"
          % [(e.get("FWAUDIT_FAMILY"), e.get("FWAUDIT_PATH"),
              e.get("FWAUDIT_BACKEND"), e.get("MESSAGE")) for e in es])
    sys.exit(1)
print(fam["ipv4"]["FWAUDIT_BACKEND"], "|", fam["ipv6"]["FWAUDIT_BACKEND"])
PYEOF
then
	fwa_pass "docker run -p 6379:6379: critical violation_opened, IPv4 and IPv6, to fwa-redis ($(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s)"
else
	fwa_fail "docker run: no critical violation naming fwa-redis per family in $BOUND s"
fi
if grep -q 'libcurl' "/proc/$DPID/maps"; then
	fwa_pass "the daemon loaded libcurl to ask the Docker API"
else
	fwa_fail "docker = yes, yet no libcurl mapped in the daemon"
fi

# -- real packets: ufw's deny does not stop them ----------------------------
export DOCKER_HOST="unix://$DK_SOCK"
pl_gen "$T/p4" --proto tcp --dst "$NODE4" --src "$OUT4,$PUB4" --ports 22,80,6379
pl_gen "$T/p6" --proto tcp --dst "$NODE6" --src "$OUT6,$PUB6" --ports 22,80,6379
pl_merge "$T/probes" "$T/p4" "$T/p6"
pl_check "ufw + docker run, IPv4 and IPv6" "$T/probes"
pl_audit "$T/a.json"
fwa_check "$T/a.json" "the one-shot audit" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
for fam in ("ipv4", "ipv6"):
    r = [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
         and r["ports"][0] <= 6379 <= r["ports"][1] and r["state"] == "exposed"
         and r.get("route") != "direct"]
    expect("%s tcp/6379 exposed on path forward to fwa-redis" % fam,
           len(r) == 1 and r[0]["path"] == "forward" and r[0]["backend"]
           and r[0]["backend"].get("container") in ("fwa-redis", "/fwa-redis"), r)
EOF2

# -- docker rm -f: closed again ---------------------------------------------
timeout 60 "${DK[@]}" rm -f fwa-redis > /dev/null
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_resolved FWAUDIT_PORTS=6379)
[ "$n" -ge 2 ] && fwa_pass "docker rm -f: violation_resolved for tcp/6379 ($n entries)" ||
	fwa_fail "docker rm -f: $n violation_resolved entries in $BOUND s: $(dmn_events "$DPID" | tail -3)"

kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
fwa_finish
