#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-docker.sh - the engine against real packets on a real Docker host:
# a private dockerd in the node namespace (tests/netns/docker-lib.sh) with
# "userland-proxy": false (no host socket: DNAT alone serves a published
# port) and three busybox httpd containers:
#	-p 6379:6379		exposed to everyone, although ufw-style INPUT
#				rules (policy drop, "deny 6379") say otherwise
#	-p 127.0.0.1:8080:80	not reachable from outside
#	-p 5432:5432		restricted in DOCKER-USER to 10.9.0.0/24 as
#				Docker documents it: -m conntrack
#				--ctorigdstport 5432 --ctdir ORIGINAL
#	-p 5433:5433		the same without --ctdir ORIGINAL: the rule
#				then also drops the container's answers (their
#				source is not in 10.9.0.0/24): closed to all
# fwaudit must report 6379 exposed on path forward to the container, named
# (the Docker socket is given with DOCKER_HOST), and every probe must agree.
# FWA_DOCKER_BACKEND=nft|legacy (default nft) chooses dockerd's iptables.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

dk_require
pl_init
be=${FWA_DOCKER_BACKEND:-nft}
ipt=iptables-$be
dk_start "$NODE" "$be" '{ "userland-proxy": false }' --bip=10.66.0.1/24
dk_image
dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
dk_run fwa-web -p 127.0.0.1:8080:80 fwa-busybox:test /bin/busybox httpd -f -p 80
dk_run fwa-db -p 5432:5432 fwa-busybox:test /bin/busybox httpd -f -p 5432
dk_run fwa-db2 -p 5433:5433 fwa-busybox:test /bin/busybox httpd -f -p 5433
ip netns exec "$NODE" "$ipt" -I DOCKER-USER -p tcp -m conntrack \
	--ctorigdstport 5432 --ctdir ORIGINAL ! -s 10.9.0.0/24 -j DROP
ip netns exec "$NODE" "$ipt" -I DOCKER-USER -p tcp -m conntrack \
	--ctorigdstport 5433 ! -s 10.9.0.0/24 -j DROP
# the host's own rules, ufw style: they do not see forwarded packets
ip netns exec "$NODE" "$ipt" -N ufw-user-input
ip netns exec "$NODE" "$ipt" -A INPUT -i lo -j ACCEPT
ip netns exec "$NODE" "$ipt" -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec "$NODE" "$ipt" -A INPUT -j ufw-user-input
ip netns exec "$NODE" "$ipt" -A ufw-user-input -p tcp --dport 22 -j ACCEPT
ip netns exec "$NODE" "$ipt" -A ufw-user-input -p tcp --dport 6379 -j DROP
ip netns exec "$NODE" "$ipt" -P INPUT DROP
pl_serve tcp:0.0.0.0:22
# (dockerd itself may hold 0.0.0.0:6379 open to reserve the port, without
# a proxy behind it: the DNAT at prerouting takes every probe first, and
# the probes below show where they end)

pl_gen "$PT/probes" --proto tcp --dst "$NODE4" --src "$OUT4,$PUB4,$PRIV4" \
	--sport 0,53 --ports 22,80,5432-5433,6379,8080
export DOCKER_HOST="unix://$DK_SOCK"
pl_check "docker ($be)" "$PT/probes"
pl_audit "$PT/a.json"
fwa_check "$PT/a.json" "docker ($be)" <<'EOF2' || _fwa_failures=$((_fwa_failures + 1))
def rows(port):
    return [r for r in J["exposures"] if r["family"] == "ipv4" and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["state"] != "closed"
            and r.get("route") != "direct"]
r = rows(6379)
expect("tcp/6379 exposed, path forward, from everyone",
       len(r) == 1 and r[0]["path"] == "forward" and r[0]["state"] == "exposed"
       and r[0]["sources"] == ["0.0.0.0/0"], r)
expect("  ... to the container fwa-redis port 6379", r and r[0]["backend"]
       and r[0]["backend"].get("container") in ("fwa-redis", "/fwa-redis")
       and r[0]["backend"]["ports"] == [6379, 6379], r)
r = rows(5432)
expect("tcp/5432 only from 10.9.0.0/24", r and all(x["sources"] == ["10.9.0.0/24"] for x in r), r)
expect("tcp/5433 closed to everyone (the answers are dropped)", rows(5433) == [], rows(5433))
r = [x for x in rows(8080) if "127.0.0.1" not in x["address"]]
expect("tcp/8080 (published on 127.0.0.1) not reachable from outside", r == [], r)
EOF2
fwa_finish
