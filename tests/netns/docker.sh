#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docker.sh - real Docker rules.  For each iptables backend (nft, legacy),
# a private dockerd is started inside a fresh network namespace (its own
# data root, exec root, socket and containerd; nothing of the host's network
# or of a system dockerd is touched), a busybox image is made with
# docker import, and two containers are published:
#	-p 6379:6379		(busybox httpd on 6379)
#	-p 127.0.0.1:8080:80	(busybox httpd on 80)
# fwaudit ruleset --format json inside the namespace must then show:
#  - nat/DOCKER: DNAT to <container1>:6379 for tcp dport 6379, and DNAT to
#    <container2>:80 for ip daddr 127.0.0.1 tcp dport 8080;
#  - nat/PREROUTING jumps to DOCKER for fib daddr type local (addrtype);
#  - filter/DOCKER: ACCEPT to <container1> tcp dport 6379 out docker0;
#  - filter/DOCKER-USER exists; filter/FORWARD jumps to DOCKER-USER first;
#  - per chain, the number of rules iptables-{nft,legacy}-save prints, from
#    the source (nftables / iptables-legacy) that backend writes to
#    (iptables-nft-save also prints built-in chains that do not exist in
#    the kernel: an empty one that nft does not list is not expected);
#  - no unknown match.
# Backend choice (measured with Debian 12's docker.io 20.10.24): dockerd
# runs whatever "iptables" its PATH finds.  On Debian 12 that is
# /usr/sbin/iptables -> /etc/alternatives/iptables -> xtables-nft-multi, so
# by default Docker's rules land in nf_tables (tables "ip filter"/"ip nat"
# written by iptables-nft, with x_tables compat expressions), and
# iptables-legacy-save shows nothing.  update-alternatives --set iptables
# /usr/sbin/iptables-legacy would switch it, but for the whole host; this
# test instead puts a private directory first in dockerd's PATH, with
# iptables{,-save,-restore} and ip6tables{,-save,-restore} symlinked to
# xtables-legacy-multi (or, explicitly, to xtables-nft-multi), and checks
# that the rules land only in the backend chosen.  Both are covered.
# FWA_DOCKER_BACKENDS="nft legacy" (default) selects the runs.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"

fwa_require_root
dk_require
fwa_require_tools "$PYTHON" nft iptables-nft-save iptables-legacy-save
fwa_require_fwaudit
fwa_log "host default iptables: $(readlink -f "$(command -v iptables)" 2>/dev/null || echo none)"

now() { date +%s.%N; }
elapsed() { "$PYTHON" -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# scenario BACKEND
scenario() {
	local be=$1 ns d t0 t1 t2 t3 t4 ip1 ip2 src rc

	t0=$(now)
	fwa_ns_new ns dock
	fwa_dummy "$ns" fwa0 198.51.100.2/24
	ip -n "$ns" route add default via 198.51.100.1
	dk_start "$ns" "$be" '{}' --bip=203.0.113.1/24
	d=$DK_DIR
	t1=$(now)
	dk_image
	dk_run fwa-redis -p 6379:6379 fwa-busybox:test /bin/busybox httpd -f -p 6379
	dk_run fwa-web -p 127.0.0.1:8080:80 fwa-busybox:test /bin/busybox httpd -f -p 80
	ip1=$(timeout 30 "${DK[@]}" inspect -f '{{.NetworkSettings.IPAddress}}' fwa-redis)
	ip2=$(timeout 30 "${DK[@]}" inspect -f '{{.NetworkSettings.IPAddress}}' fwa-web)
	t2=$(now)
	fwa_log "$be: dockerd up in $(elapsed "$t0" "$t1")s, image + 2 containers in $(elapsed "$t1" "$t2")s ($ip1, $ip2)"

	fwa_nsx "$ns" iptables-"$be"-save > "$d/save"
	fwa_nsx "$ns" nft -j list chains > "$d/nftchains.json"
	if [ "$be" = nft ]; then
		src=nftables
		[ "$(fwa_nsx "$ns" iptables-legacy-save | grep -c '^-A' || true)" -eq 0 ] ||
			fwa_fail "$be: Docker wrote legacy rules although iptables -> xtables-nft-multi"
	else
		src=iptables-legacy
		[ "$(fwa_nsx "$ns" iptables-nft-save 2>/dev/null | grep -c '^-A' || true)" -eq 0 ] ||
			fwa_fail "$be: Docker wrote nft rules although iptables -> xtables-legacy-multi"
	fi
	rc=0
	fw_json "$ns" > "$d/out.json" 2> "$d/err" || rc=$?
	t3=$(now)
	if [ "$rc" -ne 0 ]; then
		fwa_fail "$be: fwaudit ruleset --format json exited $rc: $(head -3 "$d/err")"
	else
		SRC=$src IP1=$ip1 IP2=$ip2 SAVE="$d/save" NFTCHAINS="$d/nftchains.json" \
			fwa_check "$d/out.json" "docker/$be" <<'EOF' || _fwa_failures=$((_fwa_failures + 1))
import os
SRC, IP1, IP2 = os.environ["SRC"], os.environ["IP1"], os.environ["IP2"]

def vk(r):
    return (r.get("verdict") or {}).get("kind")

def mine(**kw):
    return chain(family="ip", source=SRC, **kw)

# counts against iptables-save
want, table = {}, None
for line in open(os.environ["SAVE"]):
    if line.startswith("*"):
        table = line[1:].strip()
    elif line.startswith(":"):
        want.setdefault((table, line[1:].split()[0]), 0)
    elif line.startswith("-A "):
        k = (table, line.split()[1])
        want[k] = want.get(k, 0) + 1
if SRC == "nftables":
    # iptables-nft-save prints every built-in chain of a table, also those
    # iptables-nft never created in the kernel: those do not exist
    real = {(o["chain"]["table"], o["chain"]["name"])
            for o in json.load(open(os.environ["NFTCHAINS"]))["nftables"]
            if "chain" in o and o["chain"]["family"] == "ip"}
    want = {k: v for k, v in want.items() if v or k in real}
got = {(c["table"], c["chain"]): len(c["rules"]) for c in chains(family="ip", source=SRC)}
expect("per-chain rule counts equal iptables-save (%d chains, %d rules)"
       % (len(want), sum(want.values())), want == got,
       lambda: ["%s/%s save=%s fwaudit=%s" % (k[0], k[1], want.get(k), got.get(k))
                for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)])

ndocker = mine(table="nat", chain="DOCKER")
r = rules_with(ndocker, lambda r: vk(r) == "dnat" and r["verdict"].get("to") == IP1 + ":6379")
expect("nat/DOCKER: one DNAT to %s:6379" % IP1, len(r) == 1, lambda: show(ndocker))
if r:
    r = r[0]
    expect("  ... for tcp dport 6379", has(r, "dport", "==", "6379") and has(r, "l4proto", "==", "tcp"),
           lambda: rule_text(r))
    expect("  ... not from docker0", has(r, "iifname", "!=", "docker0"), lambda: rule_text(r))
    expect("  ... for any destination address", not matches(r, "ip daddr"), lambda: rule_text(r))
r = rules_with(ndocker, lambda r: vk(r) == "dnat" and r["verdict"].get("to") == IP2 + ":80")
expect("nat/DOCKER: one DNAT to %s:80" % IP2, len(r) == 1, lambda: show(ndocker))
if r:
    r = r[0]
    expect("  ... only for ip daddr 127.0.0.1", has(r, "ip daddr", "==", "127.0.0.1"), lambda: rule_text(r))
    expect("  ... for tcp dport 8080", has(r, "dport", "==", "8080"), lambda: rule_text(r))

pre = mine(table="nat", chain="PREROUTING")
if pre:
    expect("nat/PREROUTING: hook prerouting, priority -100",
           (pre.get("hook"), pre.get("priority")) == ("prerouting", -100))
r = rules_with(pre, lambda r: r["verdict"] == {"kind": "jump", "chain": "DOCKER"})
expect("nat/PREROUTING jumps to DOCKER", len(r) == 1, lambda: show(pre))
if r:
    expect("  ... for fib daddr type local (-m addrtype --dst-type LOCAL)",
           has(r[0], "fib daddr type", "==", "local"), lambda: r[0]["matches"])

fdocker = mine(table="filter", chain="DOCKER")
r = rules_with(fdocker, lambda r: vk(r) == "accept" and has(r, "ip daddr", "==", IP1))
expect("filter/DOCKER: ACCEPT to %s" % IP1, len(r) == 1, lambda: show(fdocker))
if r:
    expect("  ... tcp dport 6379 out docker0",
           has(r[0], "dport", "==", "6379") and has(r[0], "oifname", "==", "docker0"),
           lambda: rule_text(r[0]))
r = rules_with(fdocker, lambda r: vk(r) == "accept" and has(r, "ip daddr", "==", IP2))
expect("filter/DOCKER: ACCEPT to %s tcp dport 80" % IP2,
       len(r) == 1 and has(r[0], "dport", "==", "80"), lambda: show(fdocker))

user = mine(table="filter", chain="DOCKER-USER")
if user:
    expect("filter/DOCKER-USER is a regular chain ending in RETURN",
           user.get("hook") is None and user["rules"] and vk(user["rules"][-1]) == "return",
           lambda: show(user))
fwd = mine(table="filter", chain="FORWARD")
if fwd:
    expect("filter/FORWARD: hook forward, priority 0, policy drop",
           (fwd.get("hook"), fwd.get("priority"), fwd.get("policy")) == ("forward", 0, "drop"),
           lambda: (fwd.get("hook"), fwd.get("priority"), fwd.get("policy")))
    expect("filter/FORWARD: first rule jumps to DOCKER-USER",
           fwd["rules"] and fwd["rules"][0]["verdict"] == {"kind": "jump", "chain": "DOCKER-USER"}
           and not fwd["rules"][0]["matches"], lambda: show(fwd))
    r = rules_with(fwd, lambda r: vk(r) == "accept" and matches(r, "ct state"))
    expect("filter/FORWARD: conntrack RELATED,ESTABLISHED accept decoded as ct state",
           len(r) == 1, lambda: show(fwd))

unk = [(c["table"], c["chain"], m.get("name")) for c in J["chains"] for r in c["rules"]
       for m in r["matches"] if m.get("field") == "unknown"]
expect("no unknown match in Docker's rules", not unk, lambda: unk)
EOF
	fi
	# teardown, timed
	timeout 60 "${DK[@]}" rm -f fwa-redis fwa-web >/dev/null 2>&1 || true
	fwa_stop "$DK_PID" 20
	fwa_ns_del "$ns"
	t4=$(now)
	fwa_log "$be: fwaudit $(elapsed "$t2" "$t3")s, teardown $(elapsed "$t3" "$t4")s, scenario $(elapsed "$t0" "$t4")s"
}

start=$(now)
for be in ${FWA_DOCKER_BACKENDS:-nft legacy}; do
	case "$be" in
	nft|legacy) scenario "$be" ;;
	*) fwa_die "unknown backend '$be' in FWA_DOCKER_BACKENDS" ;;
	esac
done
fwa_log "total $(elapsed "$start" "$(now)")s"
fwa_finish
