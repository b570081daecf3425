#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# containerd-task.sh - containerd's own API is gRPC over HTTP/2 (with
# protobuf) on /run/containerd/containerd.sock: fwaudit does not speak it.
# What it reads instead is the spec a real containerd (1.6) writes for
# each running task, <state>/io.containerd.runtime.v2.task/NS/ID/config.json,
# whose "annotations" carry nerdctl's labels (nerdctl copies them there,
# pkg/cmd/container/create.go).  nerdctl does not run here: ctr run
# --annotation sets what nerdctl would.  containerd runs in a namespace of
# the test's own with its state under FWAUDIT_STATE_ROOT/run/containerd;
# fwaudit's snapshot must name the published ports of the nerdctl task
# (runtime nerdctl), and skip a task that is not nerdctl's.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/runtime-lib.sh
. "$(dirname "$0")/runtime-lib.sh"

fwa_require_root
fwa_require_tools containerd ctr runc nsenter unshare timeout
fwa_require_fwaudit
_rt_busybox
fwa_tmpdir T
fwa_ns_new NS ctd
mkdir -p "$T/root" "$T/run/containerd" "$T/rootfs/bin"
cp "$BUSYBOX" "$T/rootfs/bin/busybox"
cat > "$T/config.toml" <<EOS
version = 2
root = "$T/root"
state = "$T/run/containerd"
[grpc]
  address = "$T/ctd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
EOS
CTR=(ctr -a "$T/ctd.sock")
fwa_at_cleanup "for c in fwa-web fwa-other; do timeout 10 ${CTR[*]} task kill -s KILL \$c; sleep 0.5; timeout 10 ${CTR[*]} task delete -f \$c; timeout 10 ${CTR[*]} container delete \$c; done"
fwa_bg CTD_PID nsenter --net="/run/netns/$NS" \
	unshare --mount --propagation private \
	containerd --config "$T/config.toml" > "$T/containerd.log" 2>&1
for ((i = 0; i < 100; i++)); do
	timeout 5 "${CTR[@]}" version >/dev/null 2>&1 && break
	kill -0 "$CTD_PID" 2>/dev/null || fwa_skip "containerd did not start: $(tail -2 "$T/containerd.log")"
	sleep 0.1
done
timeout 30 "${CTR[@]}" run -d --annotation nerdctl/name=fwa-web \
	--annotation 'nerdctl/ports=[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":"0.0.0.0"},{"HostPort":5353,"ContainerPort":53,"Protocol":"udp","HostIP":"127.0.0.1"}]' \
	--annotation nerdctl/ip-address=10.4.0.7 \
	--rootfs "$T/rootfs" fwa-web /bin/busybox sleep 600 >/dev/null ||
	fwa_die "ctr run fwa-web failed"
timeout 30 "${CTR[@]}" run -d --annotation io.kubernetes.cri.container-type=sandbox \
	--rootfs "$T/rootfs" fwa-other /bin/busybox sleep 600 >/dev/null ||
	fwa_die "ctr run fwa-other failed"
f=$T/run/containerd/io.containerd.runtime.v2.task/default/fwa-web/config.json
if [ -f "$f" ]; then
	fwa_pass "containerd wrote the task's spec where fwaudit reads it"
else
	fwa_fail "no $f"
fi
ip netns exec "$NS" env FWAUDIT_STATE_ROOT="$T" "$FWAUDIT" snapshot \
	-o "$T/snap.json" 2> "$T/snap.err" || fwa_die "fwaudit snapshot: $(head -3 "$T/snap.err")"
fwa_check "$T/snap.json" "containerd tasks" <<'PY' || _fwa_failures=$((_fwa_failures + 1))
d = J["docker"]
p = sorted((x["protocol"], x["first"], x["addr"], x["name"], x["runtime"]) for x in d.get("ports", []))
expect("nerdctl's published ports named from the task's annotations",
       p == [(6, 8080, "0.0.0.0", "fwa-web", "nerdctl"), (17, 5353, "127.0.0.1", "fwa-web", "nerdctl")], p)
c = [(x["addr"], x["name"], x["runtime"]) for x in d["containers"]]
expect("its --ip address named too, nothing of the other task",
       c == [("10.4.0.7", "fwa-web", "nerdctl")], c)
PY
fwa_finish
