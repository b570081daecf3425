#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# macvlan.sh - macvlan containers take packets past the host's netfilter
# (issue 10): a real dockerd (20.10) in the node namespace makes a macvlan
# network on v0, the node's link to the outside, and two containers on it
# with their own IPv4 and IPv6 addresses there:
#   mv-open  httpd on 80 and 8081, no rules of its own: every port is
#            reachable (open where nothing listens)
#   mv-fw    httpd on 80, 8081 and 9000, and an nft ruleset loaded into its
#            namespace from outside (nsenter --net): input drops all but
#            tcp/80 and tcp/9000 from 198.51.100.3 (2001:db8:1::3)
# The node's own ruleset drops everything in input but tcp/22: it never
# sees the containers' packets.  fwaudit, run in the node, must report each
# container's exposures under its name, on v0, at the container's
# addresses, agree with every probe sent from the outside namespace on the
# parent link, IPv4 and IPv6, keep the node's own rows as they are without
# the containers, print the golden text naming the containers, explain
# the walk through mv-fw's namespace (explain --to) and fix mv-open's
# tcp/8081 in its namespace (tests/netns/macvlan-lib.sh, which the Podman
# and LXD tests share).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/macvlan-lib.sh
. "$(dirname "$0")/macvlan-lib.sh"

fwa_once "a real dockerd and 100 probes take minutes; the namespace walk and its rows run under ASan in test_nsaudit and test_gwmode"
dk_require
fwa_require_tools nsenter
# every audit is also made of a snapshot and of its redacted copy: the
# containers' own namespaces are in it ("container_netns"), so their rows
# must come back the same (issue 19)
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1
pl_init
mv_node

dk_start "$NODE" nft '{ "userland-proxy": false }' --bip=10.66.0.1/24
dk_image
dk_macvlan fwa-mv
# the node's own rows before any container: they must stay the same
export DOCKER_HOST="unix://$DK_SOCK"
pl_audit "$PT/before.json"
MV_OPEN=mv-open MV_FW=mv-fw MV_RUNTIME=docker
MV_IMAGE=fwa-busybox:test MV_PORTS=80,8081
MV_OPEN4=198.51.100.70 MV_OPEN6=2001:db8:1::70
MV_FW4=198.51.100.71 MV_FW6=2001:db8:1::71
dk_run mv-open --network fwa-mv --ip "$MV_OPEN4" --ip6 "$MV_OPEN6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; exec /bin/busybox httpd -f -p 80'
dk_run mv-fw --network fwa-mv --ip "$MV_FW4" --ip6 "$MV_FW6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; /bin/busybox httpd -p 9000; exec /bin/busybox httpd -f -p 80'
openpid=$(timeout 30 "${DK[@]}" inspect -f '{{.State.Pid}}' mv-open)
fwpid=$(timeout 30 "${DK[@]}" inspect -f '{{.State.Pid}}' mv-fw)
key=$(timeout 30 "${DK[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' mv-fw)
fwa_log "mv-fw: pid $fwpid, sandbox key $key (bound in dockerd's mount namespace)"
# busybox has no nft: the rules go into its namespace from outside
mv_fw_rules "$fwpid" nft
mv_settle "$openpid" "$fwpid"

mv_probes "$PT/probes"
pl_check "macvlan containers under dockerd 20.10" "$PT/probes" || true
pl_audit "$PT/after.json"
mv_rows "$PT/after.json" "$PT/before.json"
# the golden text: the containers by name, the node's rows first
sc_golden macvlan
mv_explain
# a policy that forbids tcp/8081: the violation of mv-open's rows has a
# fix in the container's own namespace
mv_fix 8081 "$PT/probes"
fwa_finish
