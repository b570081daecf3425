#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape-docker20.sh - Docker's iptables backend as a real dockerd 20.10
# writes it, IPv4 and IPv6 (issue 9): a private dockerd in the node
# namespace (tests/netns/docker-lib.sh, iptables-nft by default) with
#	--ipv6 --fixed-cidr-v6 2001:db8:66::/64 --ip6tables --experimental
# (Docker's ip6tables DNAT rules), run twice: "userland-proxy": false (DNAT
# alone serves a published port) and true (docker-proxy also listens).
# Containers (busybox httpd):
#	fwa-redis -p 6379:6379		everyone, IPv4 and IPv6
#	fwa-web   -p 127.0.0.1:8080:80	nobody from outside
#	fwa-v6    -p [::]:8443:8443	IPv6 only
#	fwa-db    -p 5432:5432		IPv4: DOCKER-USER lets only 10.9.0.0/24
#					in (--ctorigdstport, --ctdir ORIGINAL);
#					IPv6: Docker 20.10 makes no IPv6
#					DOCKER-USER chain, so open to all
#					(the finding docker-user-ipv4-only)
# A host sshd stand-in listens on 22.  Then, without the proxy, the
# fail-open states of failopen_case below, each a finding.  Every probe from the outside
# namespace must agree with fwaudit; no exposure may be "possible"; the text
# output of fwaudit audit is compared with tests/golden/shape-docker20-
# {noproxy,proxy}.text (GOLDEN=update rewrites them).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

dk_require
pl_init
export DOCKER_HOST
# FWA_DOCKER_BACKEND=legacy runs dockerd with iptables-legacy (the golden
# files are those of the default, nft).  Measured here: with legacy and
# "userland-proxy": false, dockerd 20.10 writes the IPv6 DNAT of the first
# published container only (the others get their filter ACCEPT and
# MASQUERADE but no DNAT), so IPv6 5432 and 8443 end at dockerd's own
# port-reserving socket, which completes the handshake and never answers:
# fwaudit says exposed (a listener), the probe sees "halfopen".
be=${FWA_DOCKER_BACKEND:-nft}

run_case() {
	local label=$1 proxy=$2 c

	dk_start "$NODE" "$be" "{ \"userland-proxy\": $proxy, \"ipv6\": true,
	  \"fixed-cidr-v6\": \"2001:db8:66::/64\", \"ip6tables\": true,
	  \"experimental\": true }" --bip=10.66.0.1/24
	DOCKER_HOST="unix://$DK_SOCK"
	dk_image
	dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
	dk_run fwa-web -p 127.0.0.1:8080:80 fwa-busybox:test /bin/busybox httpd -f -p 80
	dk_run fwa-v6 -p '[::]:8443:8443' fwa-busybox:test /bin/busybox httpd -f -p 8443
	dk_run fwa-db -p 5432:5432 fwa-busybox:test /bin/busybox httpd -f -p 5432
	ip netns exec "$NODE" "iptables-$be" -I DOCKER-USER -p tcp -m conntrack \
		--ctorigdstport 5432 --ctdir ORIGINAL ! -s 10.9.0.0/24 -j DROP
	if ip netns exec "$NODE" "ip6tables-$be" -n -L DOCKER-USER >/dev/null 2>&1; then
		fwa_log "$label: this dockerd made an IPv6 DOCKER-USER chain"
	fi
	pl_serve 'tcp:[::]:22'
	pl_std_probes "$PT/probes.$label" 22,80,5432,6379,8080,8443 tcp
	PL_TIMEOUT=1.5 pl_check "docker 20.10 $label" "$PT/probes.$label" || true
	sh_possible "docker 20.10 $label"
	sh_finding "docker 20.10 $label" forward-no-docker-user no
	# the IPv4 DOCKER-USER rule does nothing for IPv6's 5432
	sh_finding "docker 20.10 $label" docker-user-ipv4-only
	fwa_check "$SH_AUDIT" "$label" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1] and r["state"] != "closed"
            and "127.0.0.1" not in r["address"] and r["address"] != "::1"
            and r.get("route") != "direct"]
for fam in ("ipv4", "ipv6"):
    r = rows(fam, 6379)
    expect(fam + " tcp/6379 exposed on path forward to fwa-redis, from everyone",
           r and all(x["path"] == "forward" and x["state"] == "exposed"
                     and (x["backend"] or {}).get("container") in ("fwa-redis", "/fwa-redis")
                     for x in r)
           and everyone([s for x in r for s in x["sources"]], "forward"), r)
    r = [x for x in rows(fam, 8080) if x["path"] != "local" or x["state"] != "open"]
    expect(fam + " tcp/8080 (published on 127.0.0.1) not forwarded (the host's own port is open)",
           r == [], r)
expect("ipv4 tcp/5432 only from 10.9.0.0/24 (DOCKER-USER)",
       rows("ipv4", 5432) and all(x["sources"] == ["10.9.0.0/24"] for x in rows("ipv4", 5432)),
       rows("ipv4", 5432))
expect("ipv6 tcp/5432 from everyone (no IPv6 DOCKER-USER in 20.10)",
       everyone([s for x in rows("ipv6", 5432) for s in x["sources"]], "forward"),
       rows("ipv6", 5432))
expect("ipv6 tcp/8443 exposed ([::] publish)", rows("ipv6", 8443) != [], rows("ipv6", 8443))
PY
	[ "$be" != nft ] || sh_golden "shape-docker20-$label"
	[ "$label" = noproxy ] && failopen_case
	timeout 60 "${DK[@]}" rm -f fwa-redis fwa-web fwa-v6 fwa-db >/dev/null 2>&1 || true
	fwa_stop "$DK_PID" 20
}

# fail-open states on the same host (issue 9 item 4), each named as a
# finding while the probes keep agreeing:
#  - FORWARD loses its jump to DOCKER-USER: IPv4 5432 opens to everyone;
#  - the jump comes back below Docker's rules (what a dockerd restart does
#    to a hand-made jump): still open to everyone;
#  - an iptables-legacy FORWARD rule beside Docker's iptables-nft ones
#    (drops 6379 from 203.0.113.0/24; iptables-nft with
#    FWA_DOCKER_BACKEND=legacy).
failopen_case() {
	local ipt="ip netns exec $NODE iptables-$be"

	$ipt -D FORWARD -j DOCKER-USER
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
	pl_check "no jump to DOCKER-USER" "$PT/probes.noproxy" || true
	sh_possible "no jump to DOCKER-USER"
	sh_finding "no jump to DOCKER-USER" forward-no-docker-user
	fwa_check "$SH_AUDIT" "no jump" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
r = [x for x in J["exposures"] if x["family"] == "ipv4" and x["protocol"] == "tcp"
     and x["ports"][0] <= 5432 <= x["ports"][1] and x["path"] == "forward"
     and x.get("route") != "direct"]
expect("ipv4 tcp/5432 now from everyone", [s for x in r for s in x["sources"]] == ["0.0.0.0/0"], r)
f = [x for x in J["findings"] if x["kind"] == "forward-no-docker-user"]
expect("the finding names filter/FORWARD, critical (DOCKER-USER holds a rule)",
       f and f[0]["table"] == "filter" and f[0]["chain"] == "FORWARD"
       and f[0]["severity"] == "critical" and f[0]["family"] == "ipv4", f)
PY
	[ "$be" != nft ] || sh_golden shape-docker20-no-docker-user
	$ipt -A FORWARD -j DOCKER-USER
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
	pl_check "DOCKER-USER jump last" "$PT/probes.noproxy" || true
	sh_possible "DOCKER-USER jump last"
	sh_finding "DOCKER-USER jump last" docker-user-late
	sh_finding "DOCKER-USER jump last" forward-no-docker-user no
	$ipt -D FORWARD -j DOCKER-USER
	$ipt -I FORWARD -j DOCKER-USER
	# a FORWARD rule of the other iptables, invisible to the one
	# Docker uses, that still drops what Docker's rules accept
	local other=legacy
	[ "$be" = nft ] || other=nft
	ip netns exec "$NODE" "iptables-$other" -A FORWARD -s 203.0.113.0/24 \
		-p tcp --dport 6379 -j DROP
	ip netns exec "$NODE" "$PYTHON" "$PROBE_PY" ctflush >/dev/null 2>&1 || true
	pl_check "x_tables beside nftables" "$PT/probes.noproxy" || true
	sh_possible "x_tables beside nftables"
	sh_finding "x_tables beside nftables" xtables-and-nftables
	sh_finding "x_tables beside nftables" docker-user-late no
	fwa_check "$SH_AUDIT" "x_tables" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
r = [x for x in J["exposures"] if x["family"] == "ipv4" and x["protocol"] == "tcp"
     and x["ports"][0] <= 6379 <= x["ports"][1] and x["path"] == "forward"
     and x.get("route") != "direct"]
expect("ipv4 tcp/6379 no longer from 203.0.113.0/24",
       r and not any(s == "0.0.0.0/0" for x in r for s in x["sources"]), r)
PY
	ip netns exec "$NODE" "iptables-$other" -D FORWARD -s 203.0.113.0/24 \
		-p tcp --dport 6379 -j DROP
}

run_case noproxy false
pl_pair
run_case proxy true
fwa_finish
