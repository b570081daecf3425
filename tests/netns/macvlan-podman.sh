#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# macvlan-podman.sh - Podman's macvlan containers take packets past the
# host's netfilter (issue 10): a real rootful Podman 4.3 (netavark) in the
# node namespace (tests/netns/runtime-lib.sh) makes a macvlan network on
# v0, the node's link to the outside (`podman network create -d macvlan
# -o parent=v0`, an IPv4 and an IPv6 subnet), and two containers on it:
#	pm-open  httpd on 80 and 8081, no rules of its own
#	pm-fw    httpd on 80, 8081 and 9000, and an nft ruleset loaded into
#		 its namespace from outside: input drops all but tcp/80, and
#		 tcp/9000 from 198.51.100.3 (2001:db8:1::3)
# (tests/netns/macvlan-lib.sh).  fwaudit, run in the node and asking
# Podman's API (CONTAINER_HOST), must report each container's exposures
# under its name with runtime "podman", on v0, at its addresses, agree
# with every probe sent from the outside on the parent link, IPv4 and
# IPv6, keep the node's own rows, and its snapshot must audit the same;
# `explain --to` a container's address walks that container's namespace.
# Rootless Podman has no macvlan containers: its netavark runs in the
# user's rootless network namespace, where no host link is (tried here:
# `podman network create -d macvlan -o parent=v0` succeeds, `podman run`
# on it fails with "netavark: Netlink error: No such device"), so fwaudit
# does not ask its users' sockets for them and there is no case to test.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/macvlan-lib.sh
. "$(dirname "$0")/macvlan-lib.sh"

pm_require
# every audit is also made of a snapshot and of its redacted copy: the
# containers' own namespaces are in it, with their runtime
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1
pl_init
mv_node
pm_start "$NODE"
pm_image
timeout 60 "${PM[@]}" network create -d macvlan -o parent=v0 \
	--subnet 198.51.100.0/24 --gateway 198.51.100.1 \
	--ip-range 198.51.100.64/28 --ipv6 --subnet 2001:db8:1::/64 \
	--gateway 2001:db8:1::1 fwa-mv >/dev/null ||
	fwa_die "podman network create -d macvlan failed"
export CONTAINER_HOST="unix://$PM_SOCK"
# the node's own rows before any container: they must stay the same
pl_audit "$PT/before.json"
MV_OPEN=pm-open MV_FW=pm-fw MV_RUNTIME=podman
MV_IMAGE=localhost/fwa-busybox:test MV_PORTS=80,8081
MV_OPEN4=198.51.100.72 MV_OPEN6=2001:db8:1::72
MV_FW4=198.51.100.73 MV_FW6=2001:db8:1::73
pm_run pm-open --network fwa-mv --ip "$MV_OPEN4" --ip6 "$MV_OPEN6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; exec /bin/busybox httpd -f -p 80'
pm_run pm-fw --network fwa-mv --ip "$MV_FW4" --ip6 "$MV_FW6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; /bin/busybox httpd -p 9000; exec /bin/busybox httpd -f -p 80'
openpid=$(timeout 30 "${PM[@]}" inspect -f '{{.State.Pid}}' pm-open)
fwpid=$(timeout 30 "${PM[@]}" inspect -f '{{.State.Pid}}' pm-fw)
fwa_log "pm-fw: pid $fwpid, sandbox key $(timeout 30 "${PM[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' pm-fw) (in Podman's own /run)"
mv_fw_rules "$fwpid" nft
mv_settle "$openpid" "$fwpid"

mv_probes "$PT/probes"
pl_check "macvlan containers under Podman 4.3" "$PT/probes" || true
pl_audit "$PT/after.json"
mv_rows "$PT/after.json" "$PT/before.json"
mv_text
mv_explain
mv_fix 8081 "$PT/probes"
fwa_finish
