#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon-macvlan.sh - fwauditd's kept snapshot (snapshot_file, issue 19)
# holds the own namespaces of macvlan containers (container_netns) as the
# daemon's audit read them.  A real dockerd (20.10) in the node namespace
# makes a macvlan network on v0 and a container mv-d on it (httpd on 80 and
# 6379); the node's own ruleset drops all but tcp/22 and never sees the
# container's packets.  fwauditd watches the node with a policy that
# forbids tcp/6379:
#   - with its default privileges it cannot enter mv-d's namespace: its
#     kept snapshot records that (error, why) and replays the daemon's note;
#   - with container_namespaces = yes (CAP_SYS_ADMIN, CAP_SYS_PTRACE) it
#     journals mv-d's tcp/6379 at the container's addresses on v0, IPv4 and
#     IPv6; its kept snapshot holds mv-d's namespace, and `fwaudit audit
#     --snapshot KEPT --json` gives the live one-shot audit's JSON (every
#     row, the container's included); `explain --snapshot` the live explain
#     (of the node's own namespace: explain does not walk containers');
#   - an nft drop of tcp/6379 loaded into the container's own namespace
#     sends the daemon no event (its watches are the node's): nothing is
#     journaled for it while the node stays as it is; the next audit the
#     node triggers (here an address added to the node's lo) reads the
#     container again and resolves the violation, and that audit's kept
#     snapshot replays the new state; the cross-check, when on
#     (crosscheck_interval_s = 1 here), finds such a change by itself;
#   - Swarm's ingress sandbox (FWAUDIT_SWARM_SBOX: a namespace of the
#     test's), which the read of mv-d's namespace finds too: recorded in
#     mv-d's container_netns entry, the snapshot's audit and its redacted
#     copy's are the live audit's;
#   - a macvlan container whose namespace cannot be entered (a Docker API
#     that names a sandbox key which is no namespace, and no process): the
#     one-shot audit's note, the snapshot's entry with error and why, and
#     the replay's note are the same.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/probe-lib.sh
. "$(dirname "$0")/probe-lib.sh"
# shellcheck source=tests/netns/docker-lib.sh
. "$(dirname "$0")/docker-lib.sh"
# shellcheck source=tests/netns/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"
# shellcheck source=tests/netns/macvlan-lib.sh
. "$(dirname "$0")/macvlan-lib.sh"

fwa_once "a real dockerd and fwauditd take a minute; the snapshot's container_netns runs under ASan in test_snapfile and test_nsaudit"
dmn_require
dk_require
fwa_require_tools nsenter
pl_init
T=$PT
dmn_journald
BOUND=${DAEMON_EVENT_BOUND:-10}

mv_node_ssh_only
pl_serve 'tcp:[::]:22'
dk_start "$NODE" nft '{ "userland-proxy": false }' --bip=10.66.0.1/24
dk_image
dk_macvlan fwa-mvd
MV4=198.51.100.72 MV6=2001:db8:1::72
dk_run mv-d --network fwa-mvd --ip "$MV4" --ip6 "$MV6" \
	fwa-busybox:test /bin/busybox sh -c \
	'/bin/busybox httpd -p 6379; exec /bin/busybox httpd -f -p 80'
mvpid=$(timeout 30 "${DK[@]}" inspect -f '{{.State.Pid}}' mv-d)
mv_settle_v6 "$mvpid"
export DOCKER_HOST="unix://$DK_SOCK"

cat > "$T/rules" <<'EOF'
allow tcp 22 from any "SSH"
alert critical tcp 6379 from any "redis must never be reachable"
default alert warning
EOF
# conf EXTRA [CROSSCHECK_S]: by default no cross-check: what the daemon
# notices of the container by itself
conf() {
	cat > "$T/fwauditd.conf" <<EOF
rules = $T/rules
interfaces = v0
docker = yes
debounce_ms = 50
poll_interval_ms = 300
crosscheck_interval_s = ${2:-0}
snapshot_file = $T/last.snap
user = root
$1
EOF
}

# -- the default privileges: the container is not entered -------------------
# without CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (/proc/PID/ns/net) the
# daemon's audit notes mv-d as not audited; its kept snapshot says so and
# replays that note
conf ""
dmn_notify_listen "$T/notify"
dmn_start DPID "$NODE" "$T/fwauditd.conf" DOCKER_HOST="unix://$DK_SOCK"
dmn_wait_notify "$T/notify" '^READY=1' 20 ||
	fwa_die "no READY=1 in 20 s: $(cat "$T/daemon.err")"
for ((i = 0; i < 50; i++)); do
	[ -s "$T/last.snap" ] && break
	sleep 0.1
done
kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
"$FWAUDIT" audit --rules "$T/rules" --format json --snapshot "$T/last.snap" \
	> "$T/noadmin.json" 2>"$T/noadmin.err" || true
if "$PYTHON" - "$T/last.snap" "$T/noadmin.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
ns = snap.get("container_netns", [])
if len(ns) != 1 or ns[0].get("name") != "mv-d" or ns[0].get("error") != 13 \
        or ns[0].get("why") != "entering its namespace":
    print("container_netns: %s" % ns)
    sys.exit(1)
note = ("container mv-d (macvlan): entering its namespace: Permission "
        "denied: packets to it pass no netfilter of this host and were "
        "not audited")
if note not in rep["notes"] or any(x.get("namespace") for x in rep["exposures"]):
    print("replay: %s" % rep["notes"])
    sys.exit(1)
print(note)
PY
then
	fwa_pass "default privileges: the kept snapshot records mv-d as not entered (EACCES) and replays the daemon's note"
else
	fwa_fail "default privileges: the kept snapshot does not say mv-d was not entered"
fi
rm -f "$T/last.snap"
: > "$T/notify"

# -- container_namespaces = yes ---------------------------------------------
conf "container_namespaces = yes"
dmn_start DPID "$NODE" "$T/fwauditd.conf" DOCKER_HOST="unix://$DK_SOCK"
dmn_wait_notify "$T/notify" '^READY=1' 20 ||
	fwa_die "no READY=1 in 20 s: $(cat "$T/daemon.err")"

# -- the daemon journals the container's exposure ---------------------------
# mv-d runs before the daemon starts: its first audit tells it as found
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=6379)
dmn_events "$DPID" FWAUDIT_EVENT=state_at_start FWAUDIT_PORTS=6379 > "$T/open.json"
export MV4 MV6
if "$PYTHON" - "$T/open.json" <<'PY'
import json, os, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = {os.environ["MV4"]: "ipv4", os.environ["MV6"]: "ipv6"}
got = {}
for e in es:
    if (e.get("FWAUDIT_SEVERITY") == "critical"
            and e.get("FWAUDIT_INTERFACES") == "v0"
            and e.get("FWAUDIT_FAMILY") in want.values()):
        # the container's IPv6 rows hold its link-local address too
        for a in e.get("FWAUDIT_ADDRESS", "").split(","):
            if want.get(a) == e["FWAUDIT_FAMILY"]:
                got[a] = e
if set(got) != set(want):
    print("want a critical violation at each of mv-d's addresses on v0: %s"
          % [(e.get("FWAUDIT_ADDRESS"), e.get("FWAUDIT_INTERFACES"),
              e.get("MESSAGE")) for e in es])
    sys.exit(1)
print(" | ".join(e["MESSAGE"] for e in got.values()))
PY
then
	fwa_pass "the daemon journals mv-d's tcp/6379 on v0, IPv4 and IPv6 ($n entries)"
else
	fwa_fail "no critical violation at mv-d's addresses: $(cat "$T/daemon.err" | tail -3)"
fi

# snap_check TAG: the kept snapshot holds mv-d's namespace, and its audit
# and explain are the live one-shot's
snap_check() {
	local tag=$1 s="$T/$1.snap"

	cp "$T/last.snap" "$s"
	ip netns exec "$NODE" "$FWAUDIT" audit --rules "$T/rules" \
		--format json > "$T/$tag.live.json" 2>"$T/$tag.live.err" || true
	"$FWAUDIT" audit --rules "$T/rules" --format json --snapshot "$s" \
		> "$T/$tag.snap.json" 2>"$T/$tag.snap.err" || true
	ip netns exec "$NODE" "$FWAUDIT" explain tcp/6379 -i v0 \
		> "$T/$tag.live.explain" 2>&1 || true
	"$FWAUDIT" explain tcp/6379 -i v0 --snapshot "$s" \
		> "$T/$tag.snap.explain" 2>&1 || true
	if "$PYTHON" - "$s" "$T/$tag.live.json" "$T/$tag.snap.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
live, rep = (json.load(open(p)) for p in sys.argv[2:4])
ns = snap.get("container_netns", [])
if [e.get("name") for e in ns] != ["mv-d"] or "error" in ns[0] \
        or not ns[0].get("nftables"):
    print("container_netns: %s" % [(e.get("name"), e.get("error"))
                                   for e in ns])
    sys.exit(1)
for j in (live, rep):
    j.pop("time", None)
    j.pop("duration_seconds", None)
rows = [x for x in live["exposures"] if x.get("namespace")]
if not rows or any(x["namespace"]["container"] != "mv-d" for x in rows):
    print("live: no rows of mv-d: %s" % live["exposures"])
    sys.exit(1)
if live != rep:
    for k in live:
        if live[k] != rep.get(k):
            print("%s differs: live %s / snapshot %s"
                  % (k, live[k], rep.get(k)))
    sys.exit(1)
print("%d rows of mv-d" % len(rows))
PY
	then
		fwa_pass "$tag: the kept snapshot holds mv-d's namespace; audit --snapshot = the live audit"
	else
		fwa_fail "$tag: the kept snapshot does not replay mv-d (above)"
	fi
	# explain walks the node's own namespace only (live and replayed)
	if cmp -s "$T/$tag.live.explain" "$T/$tag.snap.explain" &&
		grep -q "v0" "$T/$tag.snap.explain"; then
		fwa_pass "$tag: explain tcp/6379 --snapshot = the live explain"
	else
		fwa_fail "$tag: explain differs: $(diff "$T/$tag.live.explain" "$T/$tag.snap.explain" | head -5)"
	fi
}
snap_check first
grep -q '"state": "exposed"' "$T/first.snap.json" &&
	grep -q '"container": "mv-d"' "$T/first.snap.json" ||
	fwa_fail "first: mv-d's rows are not in the replay"

# -- a change inside the container's own namespace --------------------------
stamp=$(stat -c %Y.%s "$T/last.snap")
sleep 1.1	# a new mtime second
nsenter --net="/proc/$mvpid/ns/net" nft -f - <<'EOF'
table inet ctr {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 6379 drop
	}
}
EOF
sleep 3	# ten polls
n=$(dmn_events "$DPID" FWAUDIT_EVENT=violation_resolved FWAUDIT_PORTS=6379 | grep -c . || true)
if [ "$n" -eq 0 ] && [ "$(stat -c %Y.%s "$T/last.snap")" = "$stamp" ]; then
	fwa_pass "an nft drop inside mv-d's namespace: no event, no new snapshot (the daemon watches the node only)"
else
	fwa_fail "the daemon noticed the container's change by itself ($n entries): the documentation says it does not"
fi
# the node changes: its next audit reads the container again
ip -n "$NODE" addr add 203.0.113.250/32 dev lo
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_resolved FWAUDIT_PORTS=6379)
if [ "$n" -ge 2 ]; then
	fwa_pass "the node's next audit resolves mv-d's tcp/6379 ($n entries)"
else
	fwa_fail "no violation_resolved after the node's change: $(dmn_events "$DPID" | tail -3)"
fi
for ((i = 0; i < 50; i++)); do
	[ "$(stat -c %Y.%s "$T/last.snap")" != "$stamp" ] && break
	sleep 0.1
done
snap_check dropped
if grep -q '"container": "mv-d"' "$T/dropped.snap.json" &&
	! "$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if any(x.get("namespace") and x["ports"][0] <= 6379 <= x["ports"][1]
                  and x["protocol"] == "tcp" for x in j["exposures"]) else 1)
' "$T/dropped.snap.json"; then
	fwa_pass "dropped: the kept snapshot's replay has mv-d's tcp/80 and no tcp/6379"
else
	fwa_fail "dropped: the replay still has tcp/6379 of mv-d, or no mv-d row"
fi
# the cross-check (a full audit of an idle daemon compared with its own
# result) reads the containers too: with it on, a change inside mv-d is
# found by itself within crosscheck_interval_s
conf "container_namespaces = yes" 1
: > "$T/notify"
kill -HUP "$DPID"
dmn_wait_notify "$T/notify" '^READY=1' 20 ||
	fwa_die "no READY=1 after the reload: $(tail -3 "$T/daemon.err")"
sleep 0.5
nsenter --net="/proc/$mvpid/ns/net" nft add rule inet ctr input tcp dport 80 drop
n=$(dmn_wait_events 2 "$BOUND" "$DPID" FWAUDIT_EVENT=violation_resolved FWAUDIT_PORTS=80)
if [ "$n" -ge 2 ] && grep -q "Cross-check: a full read gives" "$T/daemon.err"; then
	fwa_pass "with crosscheck_interval_s = 1 the cross-check finds mv-d's tcp/80 drop ($n entries)"
else
	fwa_fail "the cross-check did not find mv-d's change: $n entries; $(tail -3 "$T/daemon.err")"
fi
kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true

# -- Swarm's ingress sandbox, read from inside mv-d's namespace too ---------
# swarm.c opens the sandbox by its path, from any namespace: the read of
# mv-d's namespace finds it again (here a namespace of the test's, with no
# IPVS in this kernel: a note in the host's rows and in mv-d's); the
# snapshot records it in mv-d's entry and replays it, redacted too
# First a namespace (read: its addresses, no marks, no IPVS), then a plain
# file (cannot be entered: the note, in the host's notes and in mv-d's).
fwa_ns_new SBOX sbox
ip -n "$SBOX" addr add 10.255.0.2/16 dev lo
: > "$T/not-a-netns"
for sb in "/run/netns/$SBOX" "$T/not-a-netns"; do
	tag=swarm-$(basename "$sb")
	export FWAUDIT_SWARM_SBOX=$sb
	FWA_SNAPSHOT_CHECK=1 FWA_REDACT_CHECK=1 pl_audit "$T/$tag.json"
	unset FWAUDIT_SWARM_SBOX
	if "$PYTHON" - "$T/$tag.json" "$T/$tag.json.snap" "$sb" <<'PY'
import json, sys
live = json.load(open(sys.argv[1]))
snap = json.load(open(sys.argv[2]))
plain = not sys.argv[3].startswith("/run/netns/")
ns = snap.get("container_netns", [])
top = snap.get("swarm_ingress_sbox")
if len(ns) != 1 or ns[0].get("swarm_ingress_sbox") != top or not top:
    print("swarm_ingress_sbox: top %s, mv-d's %s"
          % (top, ns and ns[0].get("swarm_ingress_sbox")))
    sys.exit(1)
if plain != (top["error"] == -22) or (not plain and top["addrs"] != ["10.255.0.2"]):
    print("swarm_ingress_sbox: %s" % top)
    sys.exit(1)
n = [x for x in live["notes"]
     if x.startswith("container mv-d: Swarm's routing mesh")]
if len(n) != plain:
    print("live notes: %s" % live["notes"])
    sys.exit(1)
print(n[0] if n else top)
PY
	then
		fwa_pass "$tag: Swarm's ingress sandbox read from mv-d's namespace is in its entry, replayed"
	else
		fwa_fail "$tag: Swarm's ingress sandbox inside mv-d's namespace is not recorded as read"
	fi
done

# -- a container namespace that cannot be read ------------------------------
# A Docker API of our own: a running container on a macvlan network whose
# sandbox key is a plain file and whose process is unknown.
FAKE=$T/fake-docker.sock
cat > "$T/fake-docker.py" <<'PY'
import json, os, socket, sys
path, key = sys.argv[1:3]
cid = "ab" * 32
nets = [{"Id": "n1", "Name": "fwa-mvx", "Driver": "macvlan"}]
ctr = {"Id": cid, "Name": "/mv-gone", "Config": {"Image": "busybox"},
       "State": {"Running": True, "Pid": 0},
       "NetworkSettings": {"SandboxKey": key, "Networks": {
           "fwa-mvx": {"NetworkID": "n1", "IPAddress": "198.51.100.73"}}}}
answers = {"/networks": nets, "/containers/json": [{"Id": cid, "Names": ["/mv-gone"]}],
           "/containers/%s/json" % cid: ctr}
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
while True:
    c, _ = s.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        d = c.recv(4096)
        if not d:
            break
        req += d
    target = req.split(b" ")[1].decode() if b" " in req else "/"
    target = target.split("?")[0]
    for p in list(answers):
        if target.endswith(p):
            body, st = json.dumps(answers[p]).encode(), "200 OK"
            break
    else:
        body, st = b'{"message":"page not found"}', "404 Not Found"
    c.sendall(("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\nConnection: close\r\n\r\n"
               % (st, len(body))).encode() + body)
    c.close()
PY
fwa_bg FPID "$PYTHON" "$T/fake-docker.py" "$FAKE" "$T/not-a-netns"
for ((i = 0; i < 50; i++)); do
	[ -S "$FAKE" ] && break
	sleep 0.1
done
[ -S "$FAKE" ] || fwa_die "the fake Docker API did not start"
export DOCKER_HOST="unix://$FAKE"
ip netns exec "$NODE" "$FWAUDIT" audit --no-rules --format json \
	> "$T/gone.live.json" 2>"$T/gone.live.err" || true
ip netns exec "$NODE" "$FWAUDIT" snapshot -o "$T/gone.snap" 2>"$T/gone.snap.err" ||
	fwa_fail "fwaudit snapshot with an unreadable container: $(head -3 "$T/gone.snap.err")"
"$FWAUDIT" audit --no-rules --format json --snapshot "$T/gone.snap" \
	> "$T/gone.rep.json" 2>"$T/gone.rep.err" || true
if "$PYTHON" - "$T/gone.snap" "$T/gone.live.json" "$T/gone.rep.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
live, rep = (json.load(open(p)) for p in sys.argv[2:4])
ns = snap.get("container_netns", [])
want = {"name": "mv-gone", "image": "busybox", "runtime": 0,
        "driver": "macvlan", "error": 22, "why": "entering its namespace"}
if ns != [want]:
    print("container_netns: %s" % ns)
    sys.exit(1)
note = [n for n in live["notes"] if n.startswith("container mv-gone")]
exp = ("container mv-gone (macvlan): entering its namespace: Invalid "
       "argument: packets to it pass no netfilter of this host and were "
       "not audited")
if note != [exp]:
    print("live notes: %s" % live["notes"])
    sys.exit(1)
if rep["notes"] != live["notes"]:
    print("replay notes: %s / live %s" % (rep["notes"], live["notes"]))
    sys.exit(1)
print(exp)
PY
then
	fwa_pass "an unreadable container namespace: the live note, the snapshot's error/why and the replay's note agree"
else
	fwa_fail "an unreadable container namespace is not told the same (above)"
fi
fwa_finish
