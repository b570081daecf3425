# SPDX-License-Identifier: GPL-2.0-or-later
# bench/gen-ruleset.py KIND N - a synthetic ruleset as iptables-restore
# input: KIND docker, docker-scattered or kube (see bench/audit.sh).  Used by
# bench/audit.sh and bench/daemon-changes.sh.
import sys

def docker(n, scattered=False):
    per = 1                      # one published port per container
    out = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
           ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ":DOCKER - [0:0]",
           "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
           "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
           "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
           "-A DOCKER -i docker0 -j RETURN"]
    filt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":DOCKER - [0:0]", ":DOCKER-FORWARD - [0:0]", ":DOCKER-ISOLATION-STAGE-1 - [0:0]",
            ":DOCKER-ISOLATION-STAGE-2 - [0:0]", ":DOCKER-USER - [0:0]",
            "-A FORWARD -j DOCKER-USER", "-A FORWARD -j DOCKER-FORWARD",
            "-A DOCKER-FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1",
            "-A DOCKER-FORWARD -o docker0 -j DOCKER",
            "-A DOCKER-FORWARD -i docker0 -j ACCEPT",
            "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2",
            "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP",
            "-A DOCKER-USER -j RETURN"]
    for i in range(n):
        ip = "172.17.%d.%d" % (2 + i // 250, 2 + i % 250)
        hp = 10000 + (i * 7919 % 50000 if scattered else i)
        cp = 80 if i % 3 else 6379
        out.append("-A DOCKER ! -i docker0 -p tcp -m tcp --dport %d -j DNAT --to-destination %s:%d" % (hp, ip, cp))
        filt.append("-A DOCKER -d %s/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport %d -j ACCEPT" % (ip, cp))
    filt.append("-A DOCKER ! -i docker0 -o docker0 -j DROP")
    return "\n".join(out + ["COMMIT"] + filt + ["COMMIT"]) + "\n"

def kube(n):
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]", ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]",
           ":KUBE-MARK-MASQ - [0:0]", ":KUBE-POSTROUTING - [0:0]"]
    rules = ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
             "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
             "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
             "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
             '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    chains = []
    nodeports = []
    for i in range(n):
        h = "%016X" % (i * 2654435761 % (1 << 64))
        svc, ext = "KUBE-SVC-" + h, "KUBE-EXT-" + h
        cip = "10.96.%d.%d" % (i // 250, 1 + i % 250)
        name = "ns%d/svc%d:http" % (i % 50, i)
        chains.append(svc)
        rules.append('-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment "%s cluster IP" -m tcp --dport 80 -j %s' % (cip, name, svc))
        # kube-proxy without --cluster-cidr: no per-service
        # "! -s <cluster cidr> -j KUBE-MARK-MASQ"; one service in three
        # has two endpoints (a statistic split)
        neps = 2 if i % 3 == 0 else 1
        for e in range(neps):
            sep = "KUBE-SEP-%016X" % ((i * 7 + e) * 2654435761 % (1 << 64))
            pod = "10.244.%d.%d" % ((i * 2 + e) // 250 % 256, 1 + (i * 2 + e) % 250)
            chains.append(sep)
            stat = ""
            if e < neps - 1:
                stat = " -m statistic --mode random --probability %.11f" % (1.0 / (neps - e))
            rules.append('-A %s -m comment --comment "%s -> %s:8080"%s -j %s' % (svc, name, pod, stat, sep))
            rules.append('-A %s -s %s/32 -m comment --comment "%s" -j KUBE-MARK-MASQ' % (sep, pod, name))
            rules.append('-A %s -p tcp -m comment --comment "%s" -m tcp -j DNAT --to-destination %s:8080' % (sep, name, pod))
        if i % 10 == 0:
            chains.append(ext)
            nodeports.append('-A KUBE-NODEPORTS -p tcp -m comment --comment "%s" -m tcp --dport %d -j %s' % (name, 30000 + i // 10, ext))
            rules.append('-A %s -m comment --comment "masquerade traffic for %s external destinations" -j KUBE-MARK-MASQ' % (ext, name))
            rules.append("-A %s -j %s" % (ext, svc))
    rules += nodeports
    rules.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    nat += [":%s - [0:0]" % c for c in chains] + rules + ["COMMIT"]
    filt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":KUBE-FORWARD - [0:0]",
            '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
            '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
            "COMMIT"]
    return "\n".join(nat + filt) + "\n"

kind, n = sys.argv[1], int(sys.argv[2])
sys.stdout.write(kube(n) if kind == "kube" else docker(n, kind == "docker-scattered"))
