#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-podman.sh - a real rootful Podman 4.3 (netavark, NETAVARK-* chains
# of iptables-nft) in the node namespace (tests/netns/runtime-lib.sh), its
# API service on a socket of the test's own (CONTAINER_HOST):
#	fwa-redis	-p 6379:6379			the default network
#	fwa-web		-p 127.0.0.1:8080:80		not reachable from outside
#	fwa-v6		-p 8443:8443 on a dual-stack network fwa6
# Podman's default configuration first (no firewall of the host: FORWARD
# policy ACCEPT), then ufw-style INPUT rules (policy drop, "deny 6379")
# that forwarded packets never see.  Real probes from the outside, IPv4
# and IPv6, must agree with fwaudit each time; every backend is named by
# its container with runtime "podman", conmon's port-holding sockets by
# the container they hold the port for (text and JSON), and the text
# equals tests/golden/engine-podman.text (GOLDEN=update rewrites it).
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"
# shellcheck source=tests/netns/shape-lib.sh
. "$(dirname "$0")/shape-lib.sh"

pm_require
pl_init
pm_start "$NODE"
pm_image
timeout 60 "${PM[@]}" network create --ipv6 --subnet 10.89.0.0/24 \
	--subnet fd00:89::/64 fwa6 >/dev/null
pm_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
pm_run fwa-web -p 127.0.0.1:8080:80 fwa-busybox:test /bin/busybox httpd -f -p 80
pm_run fwa-v6 --network fwa6 -p 8443:8443 fwa-busybox:test \
	/bin/busybox httpd -f -p 8443
export CONTAINER_HOST="unix://$PM_SOCK"
pl_serve tcp:0.0.0.0:22

pl_std_probes "$PT/probes" 22,80,6379,8080,8443 tcp
pl_check "podman, its defaults" "$PT/probes" || true
pl_audit "$PT/d.json"
fwa_check "$PT/d.json" "podman defaults" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
f = sorted(x["family"] for x in J["findings"] if x["kind"] == "container-forward-open")
expect("finding container-forward-open: the ports are open only because FORWARD accepts, IPv4 and IPv6",
       f == ["ipv4", "ipv6"], J["findings"])
PY
ipt() { ip netns exec "$NODE" iptables-nft "$@"; }
ipt -A INPUT -i lo -j ACCEPT
ipt -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A INPUT -p tcp --dport 22 -j ACCEPT
ipt -A INPUT -p tcp --dport 6379 -j DROP
ipt -P INPUT DROP
pl_check "podman, INPUT policy drop" "$PT/probes" || true

pl_audit "$PT/a.json"
fwa_check "$PT/a.json" "podman names" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
def rows(fam, port):
    return [r for r in J["exposures"] if r["family"] == fam and r["protocol"] == "tcp"
            and r["ports"][0] <= port <= r["ports"][1]]
def backend(r):
    return (r["backend"] or {}).get("container"), (r["backend"] or {}).get("runtime")
r = rows("ipv4", 6379)
expect("tcp/6379 forwarded to fwa-redis (podman), although INPUT denies it",
       len(r) == 1 and r[0]["path"] == "forward" and r[0]["state"] == "exposed"
       and backend(r[0]) == ("fwa-redis", "podman")
       and r[0]["backend"]["image"] == "localhost/fwa-busybox:test", r)
r = rows("ipv4", 8443) + rows("ipv6", 8443)
expect("tcp/8443 forwarded to fwa-v6 (podman), IPv4 and IPv6",
       sorted(x["family"] for x in r) == ["ipv4", "ipv6"]
       and all(backend(x) == ("fwa-v6", "podman") for x in r), r)
expect("tcp/8080 (published on 127.0.0.1) not reachable from outside",
       rows("ipv4", 8080) == [], rows("ipv4", 8080))
held = {(f["port"], f.get("container"), f.get("runtime")) for f in J["filtered"]
        if f["process"] == "conmon"}
expect("conmon's sockets name the container they hold the port for",
       {(6379, "fwa-redis", "podman"), (8080, "fwa-web", "podman"),
        (8443, "fwa-v6", "podman")} <= held, held)
expect("no note: Podman answered", J["notes"] == [], J["notes"])
PY

# the text for people (PIDs and link-local addresses normalized)
sh_golden engine-podman
for c in fwa-redis fwa-web fwa-v6; do
	if grep -q "conmon for $c " "$PT/golden.engine-podman"; then
		fwa_pass "text: conmon named by $c"
	else
		fwa_fail "text: conmon not named by $c"
	fi
done
for c in fwa-redis fwa-v6; do
	if grep -q -- "-> .* ($c)" "$PT/golden.engine-podman"; then
		fwa_pass "text: the backend $c named"
	else
		fwa_fail "text: the backend $c not named"
	fi
done

# a host firewall with FORWARD policy DROP: netavark accepts no new
# connection to its containers, so their published ports close; its
# "-s 10.88.0.0/16 -j ACCEPT" still lets forged container sources through
ipt -P FORWARD DROP
ip netns exec "$NODE" ip6tables-nft -P FORWARD DROP
# a stranger forging a source in the container network: its SYN is
# forwarded, the container answers on podman0 and the connection never
# completes (TCP: not an exposure)
FORGED4=10.88.77.7
FORGED6=fd00:89::77:7
ip -n "$OUT" addr add "$FORGED4/32" dev lo
ip -n "$OUT" addr add "$FORGED6/128" dev lo nodad
pl_gen "$PT/forged4" --proto tcp --dst "$NODE4" --src "$FORGED4" --sport 0 \
	--ports 6379,8443
pl_gen "$PT/forged6" --proto tcp --dst "$NODE6" --src "$FORGED6" --sport 0 \
	--ports 8443
pl_merge "$PT/probes.drop" "$PT/probes" "$PT/forged4" "$PT/forged6"
pl_check "podman, FORWARD policy drop, forged container sources" \
	"$PT/probes.drop" || true
pl_audit "$PT/f.json"
fwa_check "$PT/f.json" "podman FORWARD drop" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
k = [x["kind"] for x in J["findings"]]
expect("finding container-subnet-forged, no container-forward-open",
       "container-subnet-forged" in k and "container-forward-open" not in k, J["findings"])
r = [x for x in J["exposures"] if x["path"] == "forward" and x["protocol"] == "tcp"]
expect("no TCP exposure from forged container sources (the answer stays on the bridge)",
       r == [], r)
PY
ipt -P FORWARD ACCEPT
ip netns exec "$NODE" ip6tables-nft -P FORWARD ACCEPT

# a runtime whose socket is there but does not answer: a note, and the
# audit goes on
fwa_bg STUCK "$PYTHON" -c 'import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
c = [s.accept() for _ in range(4)]; time.sleep(60)' "$PT/stuck.sock"
for ((i = 0; i < 50; i++)); do [ -S "$PT/stuck.sock" ] && break; sleep 0.1; done
t0=$(date +%s%N)
RC=0
CONTAINER_HOST="unix://$PT/stuck.sock" ip netns exec "$NODE" "$FWAUDIT" audit \
	--no-rules --format json > "$PT/stuck.json" 2> "$PT/stuck.err" || RC=$?
t1=$(date +%s%N)
fwa_check "$PT/stuck.json" "podman not answering" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
expect("a note names podman", any(n.startswith("podman did not answer") for n in J["notes"]), J["notes"])
expect("the audit went on: 6379 still exposed, unnamed",
       any(r["ports"] == [6379, 6379] and r["state"] == "exposed"
           and r["backend"]["container"] is None for r in J["exposures"]), "")
PY
[ "$RC" -lt 3 ] && [ $(( (t1 - t0) / 1000000 )) -lt 5000 ] &&
	fwa_pass "not answering costs $(( (t1 - t0) / 1000000 )) ms, exit $RC" ||
	fwa_fail "exit $RC after $(( (t1 - t0) / 1000000 )) ms: $(head -3 "$PT/stuck.err")"
fwa_finish
