#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# macvlan-lxd.sh - LXD's macvlan instances take packets past the host's
# netfilter (issue 10): a real LXD 5.0 in the node namespace
# (tests/netns/runtime-lib.sh) and two busybox instances whose eth0 is a
# macvlan link of v0, the node's link to the outside, in both ways LXD
# makes one:
#	lx-open  a nic device nictype=macvlan parent=v0; no rules of its own
#	lx-fw    a nic on the managed network fwa-mv (type macvlan, parent v0),
#		 and iptables-nft / ip6tables-nft rules loaded into its
#		 namespace from outside: INPUT drops all but tcp/80, and
#		 tcp/9000 from 198.51.100.3 (2001:db8:1::3)
# Both serve httpd on 80 and 8000; lx-fw also on 9000 (lx_image's init:
# environment.FWA_ADDR4 ... set their addresses, FWA_EXTRA the third
# listener).  fwaudit, run in the node and asking LXD's API (LXD_DIR),
# finds each instance's namespace through its init's PID
# (/proc/PID/ns/net), must report its exposures under its name with
# runtime "lxd", agree with every probe from the outside, IPv4 and IPv6,
# keep the node's own rows, and its snapshot must audit the same;
# `explain --to` an instance's address walks its namespace
# (tests/netns/macvlan-lib.sh).
# Then a third instance, lx-p2, of a second project fwa-p2 (nictype
# macvlan): the CLI knows it only with --project.  Its rows name the
# project (JSON namespace.project, the text's "project fwa-p2"; live and
# from a snapshot alike), the others' do not, and the commands that close
# its tcp/8000 carry --project: they run, and then its 8000 gets nothing
# while its 80 connects (IPv4 and IPv6); every probe of it agrees.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/macvlan-lib.sh
. "$(dirname "$0")/macvlan-lib.sh"

lx_require
fwa_require_tools iptables-nft ip6tables-nft
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1
pl_init
mv_node
lx_start "$NODE"
lx_image
# the node's own rows before any instance: they must stay the same
pl_audit "$PT/before.json"
MV_OPEN=lx-open MV_FW=lx-fw MV_RUNTIME=lxd
MV_IMAGE="busybox httpd" MV_PORTS=80,8000
MV_OPEN4=198.51.100.74 MV_OPEN6=2001:db8:1::74
MV_FW4=198.51.100.75 MV_FW6=2001:db8:1::75
lxc network create fwa-mv --type=macvlan parent=v0 >/dev/null ||
	fwa_die "lxc network create --type=macvlan failed"
for c in lx-open lx-fw; do
	if [ "$c" = lx-open ]; then a4=$MV_OPEN4 a6=$MV_OPEN6; else a4=$MV_FW4 a6=$MV_FW6; fi
	lxc init fwa-bb "$c" -c "environment.FWA_ADDR4=$a4/24" \
		-c environment.FWA_GW4=198.51.100.2 \
		-c "environment.FWA_ADDR6=$a6/64" \
		-c environment.FWA_GW6=2001:db8:1::2 >/dev/null 2>&1 ||
		fwa_die "lxc init $c failed"
done
lxc config device add lx-open eth0 nic nictype=macvlan parent=v0 \
	name=eth0 >/dev/null
lxc config device add lx-fw eth0 nic network=fwa-mv name=eth0 >/dev/null
lxc config set lx-fw environment.FWA_EXTRA=9000
for c in lx-open lx-fw; do
	timeout 60 lxc start "$c" >/dev/null ||
		fwa_skip "lxd: the instance $c did not start"
done
openpid=$(lxc info lx-open | awk '/^PID:/ { print $2 }')
fwpid=$(lxc info lx-fw | awk '/^PID:/ { print $2 }')
fwa_log "lx-open: pid $openpid, lx-fw: pid $fwpid"
mv_fw_rules "$fwpid" iptables
mv_settle "$openpid" "$fwpid"
# their listeners bound before the first probe
mv_wait80 "$MV_OPEN4" "$MV_FW4"

mv_probes "$PT/probes"
pl_check "macvlan instances under LXD 5.0" "$PT/probes" || true
pl_audit "$PT/after.json"
mv_rows "$PT/after.json" "$PT/before.json"
mv_text
mv_explain
mv_fix 8000 "$PT/probes"

# --- an instance of a second project ----------------------------------
P2=fwa-p2 P2_4=198.51.100.76 P2_6=2001:db8:1::76
lxc project create "$P2" -c features.images=false \
	-c features.profiles=false >/dev/null ||
	fwa_die "lxc project create $P2 failed"
fwa_at_cleanup "LXD_DIR=$LX_DIR timeout 30 lxc stop -f lx-p2 --project $P2"
lxc init fwa-bb lx-p2 --project "$P2" -c "environment.FWA_ADDR4=$P2_4/24" \
	-c environment.FWA_GW4=198.51.100.2 \
	-c "environment.FWA_ADDR6=$P2_6/64" \
	-c environment.FWA_GW6=2001:db8:1::2 >/dev/null 2>&1 ||
	fwa_die "lxc init lx-p2 --project $P2 failed"
lxc config device add lx-p2 eth0 nic nictype=macvlan parent=v0 name=eth0 \
	--project "$P2" >/dev/null
timeout 60 lxc start lx-p2 --project "$P2" >/dev/null ||
	fwa_die "lxd: the instance lx-p2 of project $P2 did not start"
p2pid=$(lxc info lx-p2 --project "$P2" | awk '/^PID:/ { print $2 }')
if lxc info lx-p2 > /dev/null 2>&1; then
	fwa_fail "lxc info lx-p2 without --project found it"
else
	fwa_pass "lxc info lx-p2 needs --project $P2"
fi
mv_settle_v6 "$p2pid"
mv_wait80 "$P2_4" "$P2_6"
pl_gen "$PT/p2a" --proto tcp --dst "$P2_4" --src "$OUT4,198.51.100.3" \
	--ports 22,80,8000,9001
pl_gen "$PT/p2b" --proto tcp --dst "$P2_6" --src "$OUT6,2001:db8:1::3" \
	--ports 22,80,8000,9001
pl_merge "$PT/p2.probes" "$PT/p2a" "$PT/p2b"
pl_check "an instance of project $P2" "$PT/p2.probes" || true
pl_audit "$PT/p2.json"
export P2 P2_4 P2_6
fwa_check "$PT/p2.json" "project $P2" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import os
e = os.environ
ns = [x for x in J["exposures"] if x.get("namespace")]
mine = [x for x in ns if x["namespace"]["container"] == "lx-p2"]
for a in (e["P2_4"], e["P2_6"]):
    r = [x for x in mine if a in x["address"].split(",") and x["protocol"] == "tcp"
         and x["ports"][0] <= 8000 <= x["ports"][1]]
    expect("lx-p2 %s tcp/8000: exposed, named with its project" % a,
           len(r) == 1 and r[0]["state"] == "exposed" and
           r[0]["namespace"] == {"container": "lx-p2", "image": "busybox httpd",
                                 "runtime": "lxd", "link": "macvlan",
                                 "project": e["P2"]}, r)
expect("the default project's instances name no project",
       ns and all("project" not in x["namespace"] for x in ns
                  if x["namespace"]["container"] != "lx-p2"))
PY
ip netns exec "$NODE" "$FWAUDIT" audit --no-rules > "$PT/p2.text" 2>&1 || true
if grep -q "in container lx-p2 (macvlan, project $P2)" "$PT/p2.text"; then
	fwa_pass "text: lx-p2's rows name project $P2"
else
	fwa_fail "text: lx-p2's project not named: $(grep lx-p2 "$PT/p2.text" | head -3)"
fi
# mv_fix's commands for lx-p2 (it closes 8000 with them and probes), each
# with --project
MV_OPEN=lx-p2 MV_OPEN4=$P2_4 MV_OPEN6=$P2_6 mv_fix 8000 "$PT/p2.probes"
if [ "$(grep -c "lxc info lx-p2 --project $P2 |" "$PT/fix.sh")" -ge 4 ] &&
   ! grep -v -- "--project $P2" "$PT/fix.sh" | grep -q .; then
	fwa_pass "the fix's commands for lx-p2 carry --project $P2"
else
	fwa_fail "lx-p2's fix lacks --project: $(cat "$PT/fix.sh")"
fi
fwa_finish
