#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dashboard.sh - contrib/grafana/fwaudit-dashboard.json and
# contrib/prometheus/fwaudit-alerts.yml against a real Prometheus that
# scrapes real node_exporters reading fwaudit's textfiles (Debian's
# prometheus and prometheus-node-exporter, on the loopback of a namespace
# of this test).  Two hosts: node-a runs fwauditd (its textfile, the daemon
# metrics included) with Redis's port open; node-b is audited by
# `fwaudit audit --format prometheus` (the timer way) behind a firewall
# that lets SSH only.  Every query of every panel, with Grafana's variables
# filled in, must return series over the last seconds (range query) that
# carry the labels its legend names; the numbers must be the audits':
# violations by host and severity, exposures by host and port; and the
# critical-violation alert must fire for node-a only.  About 30 s.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"

dmn_require
fwa_require_tools prometheus prometheus-node-exporter promtool socat
fwa_require_fwaudit
fwa_tmpdir T
dmn_journald

# node-a: nothing filters, SSH and Redis listen; fwauditd writes A/
fwa_ns_new NODEA node-a
fwa_ns_new PEERA peer
fwa_veth "$NODEA" eth0 198.51.100.1/24 "$PEERA" eth0 198.51.100.2/24
fwa_bg L ip netns exec "$NODEA" socat TCP-LISTEN:6379,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
fwa_bg L ip netns exec "$NODEA" socat TCP-LISTEN:22,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
mkdir -p "$T/A" "$T/B"
cat >"$T/fwauditd.conf" <<EOC
rules = $top_srcdir/rules/default.rules
interfaces = eth0
docker = no
debounce_ms = 20
poll_interval_ms = 500
prometheus_textfile = $T/A/fwaudit.prom
user = root
EOC
dmn_notify_listen "$T/notify"
dmn_start DPID "$NODEA" "$T/fwauditd.conf"
dmn_wait_notify "$T/notify" '^READY=1' 15 ||
	fwa_die "fwauditd: no READY=1 in 15 s: $(cat "$T/daemon.err")"

# node-b: SSH only, audited once
fwa_ns_new NODEB node-b
fwa_ns_new PEERB peer
fwa_veth "$NODEB" eth0 203.0.113.1/24 "$PEERB" eth0 203.0.113.2/24
ip netns exec "$NODEB" nft -f - <<'EON'
table inet f {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		ct state established,related accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
		tcp dport 22 accept
	}
}
EON
fwa_bg L ip netns exec "$NODEB" socat TCP-LISTEN:22,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
sleep 0.3
rc=0
ip netns exec "$NODEB" "$FWAUDIT" audit --format prometheus \
	>"$T/B/fwaudit.prom.tmp" 2>"$T/b.err" || rc=$?
mv "$T/B/fwaudit.prom.tmp" "$T/B/fwaudit.prom"
[ "$rc" -eq 0 ] || fwa_die "node-b audit: exit $rc, $(cat "$T/b.err")"

# the monitoring side, on the loopback of its own namespace
fwa_ns_new MON mon
for n in A B; do
	port=$([ $n = A ] && echo 9101 || echo 9102)
	fwa_bg L ip netns exec "$MON" prometheus-node-exporter \
		--web.listen-address=127.0.0.1:$port \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/$n" >"$T/node-exporter-$n.log" 2>&1
done
cp "$top_srcdir/contrib/prometheus/fwaudit-alerts.yml" "$T/"
cat >"$T/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $T/fwaudit-alerts.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9101']
        labels: {instance: node-a}
      - targets: ['127.0.0.1:9102']
        labels: {instance: node-b}
EOC
promtool check config "$T/prometheus.yml" >/dev/null
fwa_bg P ip netns exec "$MON" prometheus --config.file="$T/prometheus.yml" \
	--storage.tsdb.path="$T/tsdb" --web.listen-address=127.0.0.1:9090 \
	>"$T/prometheus.log" 2>&1

# node-a's audit is critical: tcp/6379 from anywhere; node-b's is clean.
# The expected numbers come from each host's own textfile.
ip netns exec "$MON" "$PYTHON" - "$top_srcdir/contrib/grafana/fwaudit-dashboard.json" \
	"$T/A/fwaudit.prom" "$T/B/fwaudit.prom" <<'PYEOF'
import json, re, sys, time, urllib.parse, urllib.request

dash_path, prom_a, prom_b = sys.argv[1:4]
API = "http://127.0.0.1:9090/api/v1/"
fails = 0

def check(what, ok, detail=""):
    global fails
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok else ": " + detail))
    fails += not ok

def get(path, **params):
    url = API + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)["data"]

def textfile(path):
    vals = {}
    for line in open(path):
        m = re.match(r'^(fwaudit_\w+)(\{.*\})? (\S+)$', line)
        if m:
            vals.setdefault(m.group(1), []).append((m.group(2) or "", float(m.group(3))))
    return vals

# ready, and both hosts scraped for a few seconds
deadline = time.time() + 60
while True:
    try:
        r = get("query", query='count_over_time(fwaudit_audit_success[1m])')
        if len(r["result"]) == 2 and all(float(x["value"][1]) >= 5 for x in r["result"]):
            break
    except Exception:
        pass
    if time.time() > deadline:
        check("Prometheus scraped both node_exporters", False, "not within 60 s")
        sys.exit(1)
    time.sleep(0.5)
check("Prometheus scrapes fwaudit's textfiles from both hosts' node_exporters", True)

ta, tb = textfile(prom_a), textfile(prom_b)
crit_a = sum(v for l, v in ta["fwaudit_violations"] if 'severity="critical"' in l)
crit_b = sum(v for l, v in tb["fwaudit_violations"] if 'severity="critical"' in l)
check("node-a's audit has critical violations, node-b's none (%d, %d)" % (crit_a, crit_b),
      crit_a > 0 and crit_b == 0)

dash = json.load(open(dash_path))
inst = [v for v in dash["templating"]["list"] if v["name"] == "instance"][0]
r = get("query", query=inst["definition"].replace("label_values(", "group by (instance) (").replace(", instance)", ")"))
hosts = sorted(x["metric"]["instance"] for x in r["result"])
check("the Host variable's query lists both hosts", hosts == ["node-a", "node-b"], str(hosts))

now = time.time()
results = {}
for p in dash["panels"]:
    for t in p.get("targets", []):
        expr = (t["expr"].replace("$instance", "node-a|node-b")
                .replace("$__rate_interval", "1m"))
        labels = re.findall(r"\{\{(\w+)\}\}", t.get("legendFormat", ""))
        try:
            rr = get("query_range", query=expr, start=now - 20, end=now, step=1)["result"]
        except Exception as e:
            check("panel %r: %s" % (p["title"], expr), False, str(e))
            continue
        got_hosts = sorted({s["metric"].get("instance") for s in rr})
        missing = [l for l in labels if any(l not in s["metric"] for s in rr)]
        check("panel %r: %d series over 20 s, hosts %s, legend labels %s" %
              (p["title"], len(rr), ",".join(map(str, got_hosts)), labels),
              rr and not missing and "node-a" in got_hosts,
              "no data" if not rr else "series without %s" % missing)
        results[p["title"]] = rr

def last(series):
    return float(series["values"][-1][1])

v = results.get("Violations by host and severity", [])
got = {(s["metric"]["instance"], s["metric"]["severity"]): last(s) for s in v}
check("violations by host and severity are the audits' (node-a critical %d, node-b critical %d)" %
      (got.get(("node-a", "critical"), -1), got.get(("node-b", "critical"), -1)),
      got.get(("node-a", "critical")) == crit_a and got.get(("node-b", "critical")) == 0, str(got))
ports = results.get("Violating exposures by port", [])
check("violating exposures by port: tcp/6379 critical on node-a, nothing on node-b",
      any(s["metric"] == {"instance": "node-a", "protocol": "tcp", "ports": "6379-6379", "severity": "critical"} for s in ports)
      and not any(s["metric"]["instance"] == "node-b" for s in ports),
      str([s["metric"] for s in ports][:10]))
ex = results.get("Exposures by host and state", [])
nb = sum(last(s) for s in ex if s["metric"]["instance"] == "node-b")
nb_file = sum(v for l, v in tb["fwaudit_exposures"])
check("exposures of node-b: %d, as its textfile says" % nb, nb == nb_file and nb > 0, "file says %d" % nb_file)
table = results.get("Exposures now", [])
check("the exposures table has node-b's tcp/22 (allowed)",
      any(s["metric"].get("instance") == "node-b" and s["metric"].get("ports") == "22-22"
          and s["metric"].get("verdict") == "allowed" for s in table))

# the alerting rules, evaluated by this Prometheus on the same data
deadline = time.time() + 20
while True:
    al = [a for a in get("alerts")["alerts"] if a["labels"]["alertname"] == "FwauditCriticalViolation"]
    if al or time.time() > deadline:
        break
    time.sleep(0.5)
check("FwauditCriticalViolation fires for node-a only",
      [a["labels"]["instance"] for a in al] == ["node-a"] and al[0]["state"] == "firing", str(al))
others = {a["labels"]["alertname"] for a in get("alerts")["alerts"]} - {"FwauditCriticalViolation"}
check("no other fwaudit alert fires on fresh, healthy hosts", not others, str(others))
sys.exit(1 if fails else 0)
PYEOF
fwa_finish
