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
# the containers, and print the golden text naming the containers.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

fwa_once "a real dockerd and 100 probes take minutes; the namespace walk and its rows run under ASan in test_nsaudit and test_gwmode"
dk_require
fwa_require_tools nsenter
# every audit is also made of a snapshot and of its redacted copy: the
# containers' own namespaces are in it ("container_netns"), so their rows
# must come back the same (issue 19)
export FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1
pl_init
# a second on-link source for the rules of mv-fw
ip -n "$OUT" addr add 198.51.100.3/24 dev v1
ip -n "$OUT" addr add 2001:db8:1::3/64 dev v1 nodad
dk_node_ssh_only
pl_serve 'tcp:[::]:22' 'tcp:[::]:80'

dk_start "$NODE" nft '{ "userland-proxy": false }' --bip=10.66.0.1/24
dk_image
dk_macvlan fwa-mv
# the node's own rows before any container: they must stay the same
export DOCKER_HOST="unix://$DK_SOCK"
pl_audit "$PT/before.json"
OPEN4=198.51.100.70 OPEN6=2001:db8:1::70
FW4=198.51.100.71 FW6=2001:db8:1::71
dk_run mv-open --network fwa-mv --ip "$OPEN4" --ip6 "$OPEN6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; exec /bin/busybox httpd -f -p 80'
dk_run mv-fw --network fwa-mv --ip "$FW4" --ip6 "$FW6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 8081; /bin/busybox httpd -p 9000; exec /bin/busybox httpd -f -p 80'
fwpid=$(timeout 30 "${DK[@]}" inspect -f '{{.State.Pid}}' mv-fw)
key=$(timeout 30 "${DK[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' mv-fw)
fwa_log "mv-fw: pid $fwpid, sandbox key $key (bound in dockerd's mount namespace)"
# busybox has no nft: the rules go into its namespace from outside
nsenter --net="/proc/$fwpid/ns/net" nft -f - <<'EOF'
table inet ctr {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport 80 accept
		ip saddr 198.51.100.3 tcp dport 9000 accept
		ip6 saddr 2001:db8:1::3 tcp dport 9000 accept
	}
}
EOF
# the containers' IPv6 addresses past duplicate address detection, and
# the outside's neighbour entries of all four warm
dk_settle_v6 "$fwpid"
for a in "$OPEN4" "$FW4"; do
	ip netns exec "$OUT" ping -c1 -W2 "$a" >/dev/null 2>&1 || fwa_log "warning: no ping answer from $a"
done
for a in "$OPEN6" "$FW6"; do
	ip netns exec "$OUT" ping -6 -c1 -W2 "$a" >/dev/null 2>&1 || fwa_log "warning: no ping answer from $a"
done

pl_gen "$PT/c4" --proto tcp --dst "$OPEN4,$FW4" --src "$OUT4,198.51.100.3" \
	--ports 22,80,8081,9000,9001
pl_gen "$PT/c6" --proto tcp --dst "$OPEN6,$FW6" --src "$OUT6,2001:db8:1::3" \
	--ports 22,80,8081,9000,9001
pl_gen "$PT/u" --proto udp --dst "$OPEN4,$FW4,$OPEN6,$FW6" --src "$OUT4,$OUT6" \
	--ports 53
pl_gen "$PT/n" --proto tcp --dst "$NODE4,$NODE6" --src "$OUT4,$OUT6" \
	--ports 22,80,8081
pl_merge "$PT/probes" "$PT/c4" "$PT/c6" "$PT/u" "$PT/n"
pl_check "macvlan containers under dockerd 20.10" "$PT/probes" || true

pl_audit "$PT/after.json"
export OPEN4 OPEN6 FW4 FW6 PT
fwa_check "$PT/after.json" "macvlan rows" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
import json, os
o4, o6, f4, f6 = (os.environ[k] for k in ("OPEN4", "OPEN6", "FW4", "FW6"))
before = json.load(open(os.path.join(os.environ["PT"], "before.json")))
ns = [x for x in J["exposures"] if x.get("namespace")]
host = [x for x in J["exposures"] if not x.get("namespace")]
expect("the node's own rows are those without the containers",
       host == before["exposures"], (host, before["exposures"]))
def rows(name, addr, port, proto="tcp"):
    return [x for x in ns if x["namespace"]["container"] == name
            and addr in x["address"].split(",") and x["protocol"] == proto
            and x["ports"][0] <= port <= x["ports"][1]]
for name, addrs in (("mv-open", (o4, o6)), ("mv-fw", (f4, f6))):
    for a in addrs:
        r = rows(name, a, 80)
        expect("%s %s tcp/80: exposed, definite, on v0, httpd listening, "
               "macvlan, from any source" % (name, a),
               len(r) == 1 and r[0]["state"] == "exposed"
               and r[0]["certainty"] == "definite" and r[0]["interfaces"] == ["v0"]
               and r[0]["path"] == "local" and r[0]["listener"]
               and r[0]["listener"]["port"] == 80
               and r[0]["namespace"]["link"] == "macvlan"
               and r[0]["namespace"]["runtime"] == "docker"
               and r[0]["namespace"]["image"] == "fwa-busybox:test"
               and any(s in ("0.0.0.0/0", "::/0") for s in r[0]["sources"]), r)
for a in (o4, o6):
    r = rows("mv-open", a, 9001)
    expect("mv-open %s tcp/9001: open (no rules, nothing listens)" % a,
           len(r) == 1 and r[0]["state"] == "open", r)
for a, src in ((f4, "198.51.100.3"), (f6, "2001:db8:1::3")):
    r = rows("mv-fw", a, 9000)
    expect("mv-fw %s tcp/9000: only from %s" % (a, src),
           len(r) == 1 and r[0]["sources"] == [src] and r[0]["state"] == "exposed", r)
    expect("mv-fw %s tcp/8081, tcp/9001, udp/53: closed by its own rules" % a,
           not rows("mv-fw", a, 8081) and not rows("mv-fw", a, 9001)
           and not rows("mv-fw", a, 53, "udp"))
expect("a note names each container's macvlan link on v0",
       all(any(n.startswith("container %s: its macvlan link" % c) and " on v0 " in n
               for n in J["notes"]) for c in ("mv-open", "mv-fw")), J["notes"])
PY
# the golden text: the containers by name, the node's rows first
sc_golden macvlan

# a policy that forbids tcp/8081: the violation of mv-open's rows has a
# fix in the container's own namespace; applied, 8081 is closed there,
# 80 stays reachable, and fwaudit agrees with every probe again
printf 'alert critical tcp 8081 from any "no 8081"\n' > "$PT/8081.rules"
ip netns exec "$NODE" "$FWAUDIT" audit --rules "$PT/8081.rules" \
	--format json > "$PT/v.json" 2> "$PT/v.err" || true
"$PYTHON" - "$PT/v.json" > "$PT/fix.sh" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
seen = set()
for v in j["violations"]:
    x = j["exposures"][v["exposure"]] if v.get("exposure") is not None else {}
    # the policy's default alerts on every other exposure too: only the
    # violations of tcp/8081 are closed here
    if (x.get("namespace") or {}).get("container") == "mv-open" and v.get("fix") \
            and v["protocol"] == "tcp" and v["ports"][0] <= 8081 <= v["ports"][1]:
        for c in v["fix"]["commands"]:
            if c not in seen:
                seen.add(c)
                print(c)
PY
if [ "$(grep -c 'nsenter' "$PT/fix.sh")" -ge 4 ] &&
	[ "$(grep -c 'dport 8081 drop' "$PT/fix.sh")" -eq 2 ]; then
	fwa_pass "a fix in mv-open's namespace for each family: $(tail -1 "$PT/fix.sh")"
	while IFS= read -r cmd; do
		ip netns exec "$NODE" sh -c "$cmd" ||
			fwa_fail "the fix's command failed: $cmd"
	done < "$PT/fix.sh"
	for a in "$OPEN4" "$OPEN6"; do
		o=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$a" 8081 --timeout 2)
		o80=$(ip netns exec "$OUT" "$PYTHON" "$PROBE_PY" tcp "$a" 80 --timeout 2)
		if [ "$o" = timeout ] && [ "$o80" = connected ]; then
			fwa_pass "after the fix $a:8081 gets nothing, $a:80 connects"
		else
			fwa_fail "after the fix $a:8081 got $o, $a:80 got $o80"
		fi
	done
	pl_check "macvlan containers after the fix" "$PT/probes" || true
else
	fwa_fail "no fix in mv-open's namespace: $(head -3 "$PT/v.err") $(cat "$PT/fix.sh")"
fi
fwa_finish
