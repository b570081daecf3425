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
for a in "$MV_OPEN4" "$MV_FW4"; do
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$OUT" "$PYTHON" -c 'import socket,sys
socket.create_connection((sys.argv[1], 80), 0.5).close()' "$a" \
			2>/dev/null && break
		sleep 0.2
	done
done

mv_probes "$PT/probes"
pl_check "macvlan instances under LXD 5.0" "$PT/probes" || true
pl_audit "$PT/after.json"
mv_rows "$PT/after.json" "$PT/before.json"
mv_text
mv_explain
mv_fix 8000 "$PT/probes"
fwa_finish
