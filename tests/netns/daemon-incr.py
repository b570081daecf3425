#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/daemon-incr.py - the driver of daemon-incr.sh, run inside the
# daemon's namespace: random bursts of nftables changes (rules in reached
# and unreached chains, jumps and verdict maps that link chains and unlink
# them, sets used and unused and their elements, chains and tables made and
# deleted, counters; rules at PREROUTING (nat redirects, raw drops) alone,
# together with one at LOCAL_IN in one transaction, and in the batches
# that lose events; rules in the forward chain daemon-incr.sh made), and
# after each burst the daemon's result
# (FWAUDITD_RESULT_FILE) must equal a fresh `fwaudit audit`.
#
# Usage: daemon-incr.py SEED BURSTS RESULT_FILE BIG FWAUDIT AUDIT-ARGS...
#   BIG: each burst may also carry one batch of BIG rules (lost events).
# Prints "checks N" and exits 0, or prints the first difference, the seed
# and the burst that led to it, and exits 1.  BURSTS 0: no changes, one
# comparison (daemon-ufw.sh).
import json
import os
import random
import subprocess
import sys
import time

seed, bursts, result, big = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
audit = sys.argv[5:]
rnd = random.Random(seed)
log = []
history = []


def nft(cmd, echo=False):
    """one nftables transaction; with echo the handle of the rule added"""
    argv = ["nft"] + (["-e", "-a"] if echo else []) + ["-f", "-"]
    for _ in range(50):
        p = subprocess.run(argv, input=cmd, text=True, capture_output=True)
        # a deleted rule's references (a verdict map's jumps, a set) are
        # released after its commit, by the kernel's deferred destroy
        # work: the chain or set is busy for a moment
        if p.returncode == 0 or "resource busy" not in p.stderr:
            break
        time.sleep(0.2)
    log.append(cmd.strip())
    history.append((cmd.strip()[:120], p.stdout.strip()[:200], p.returncode))
    if p.returncode != 0:
        name = cmd.split()[-1]
        refs = [l.strip() for l in subprocess.run(["nft", "-a", "list", "table", "inet", "f"],
                capture_output=True, text=True).stdout.splitlines()
                if name in l and "tcp dport 30" not in l]
        sys.exit("nft failed (%s): %s\nseed %d; where %s appears: %s" % (
            p.stderr.strip(), cmd, seed, name, "; ".join(refs[:10])) + "\n" + "\n".join(repr(h) for h in history if name in h[0]))
    if echo:
        for line in p.stdout.splitlines():
            if "# handle" in line:
                return int(line.rsplit(" ", 1)[1])
        sys.exit("no handle echoed: %s" % cmd)
    return None


def port():
    # not adjacent (adjacent ports merge into one row) and some repeated
    return 20000 + 2 * rnd.randrange(60)


chains = {}     # name -> set of references (handles in input)
sets = {}       # name -> (elements, references)
links = {}      # handle in input -> (kind, target)
nextid = [0]
othertable = [False]


def fresh(prefix):
    nextid[0] += 1
    return "%s%d" % (prefix, nextid[0])


def rule_body():
    p = port()
    v = rnd.choice(["accept", "accept", "drop", "reject"])
    src = rnd.choice(["", "", "ip saddr 198.51.100.0/25 ", "ip6 saddr 2001:db8::/64 ",
                      "meta l4proto udp udp dport %d " % p])
    return "%s%s %s" % (src, "tcp dport %d" % p if "udp" not in src else "", v)


# table inet p: base chains at PREROUTING (nat: redirects; raw: drops),
# so that bursts change PREROUTING only, LOCAL_IN only, or both at once
pre = {"made": False, "rules": []}   # rules: (chain, handle)


def pre_table():
    if not pre["made"]:
        nft("add table inet p\n"
            "add chain inet p nat { type nat hook prerouting priority -100; }\n"
            "add chain inet p raw { type filter hook prerouting priority -300; policy accept; }\n")
        pre["made"] = True


def pre_rule():
    p = port()
    return rnd.choice([("nat", "tcp dport %d redirect to :%d" % (p, port())),
                       ("nat", "tcp dport %d accept" % p),
                       ("raw", "tcp dport %d drop" % p),
                       ("raw", "ip saddr 198.51.100.0/25 tcp dport %d drop" % p)])


fwd_rules = []   # handles of the rules added to daemon-incr.sh's forward chain


def fwd_op():
    """a rule in or out of the forward chain daemon-incr.sh made (the
    service DNATed to 198.51.100.50/.51 port 8080): walks start at
    FORWARD"""
    if fwd_rules and rnd.randrange(2):
        nft("delete rule inet f forward handle %d\n" %
            fwd_rules.pop(rnd.randrange(len(fwd_rules))))
        return
    fwd_rules.append(nft("insert rule inet f forward %s\n" % rnd.choice(
        ["tcp dport 8080 ip daddr 198.51.100.50 drop",
         "ip saddr 198.51.100.0/25 tcp dport 8080 drop",
         "tcp dport 8080 meta l4proto tcp accept",
         "ip daddr 198.51.100.51 reject"]), echo=True))


def op():
    k = rnd.randrange(22)
    if k == 0:
        nft("add rule inet f input %s\n" % rule_body())
    elif k in (1, 2):
        c = fresh("c")
        body = "add chain inet f %s\n" % c
        for _ in range(rnd.randrange(4)):
            body += "add rule inet f %s %s\n" % (c, rule_body())
        nft(body)
        chains[c] = set()
    elif k in (3, 4) and chains:
        c = rnd.choice(sorted(chains))
        nft("add rule inet f %s %s\n" % (c, rule_body()))
    elif k == 5 and chains:
        c = rnd.choice(sorted(chains))
        h = nft("add rule inet f input %s\n" % rnd.choice(
            ["jump %s" % c, "goto %s" % c, "tcp dport %d jump %s" % (port(), c)]), echo=True)
        chains[c].add(h)
        links[h] = ("chain", c)
    elif k == 6 and chains:
        c = rnd.choice(sorted(chains))
        p = port()
        h = nft("add rule inet f input tcp dport vmap { %d : jump %s, %d : drop }\n" % (
            p, c, p + 1), echo=True)
        chains[c].add(h)
        links[h] = ("chain", c)
    elif k == 7 and links:
        h = rnd.choice(sorted(links))
        kind, t = links.pop(h)
        (chains[t] if kind == "chain" else sets[t][1]).discard(h)
        nft("delete rule inet f input handle %d\n" % h)
    elif k == 8 and chains:
        c = rnd.choice(sorted(chains))
        nft("flush chain inet f %s\n" % c)
    elif k == 9 and chains:
        c = rnd.choice(sorted(chains))
        if not chains[c]:
            nft("flush chain inet f %s\ndelete chain inet f %s\n" % (c, c))
            del chains[c]
    elif k == 10:
        s = fresh("s")
        elems = {port() for _ in range(rnd.randrange(1, 4))}
        nft("add set inet f %s { type inet_service; }\nadd element inet f %s { %s }\n" % (
            s, s, ", ".join(map(str, sorted(elems)))))
        sets[s] = (elems, set())
    elif k == 11 and sets:
        s = rnd.choice(sorted(sets))
        p = port()
        if p in sets[s][0]:
            nft("delete element inet f %s { %d }\n" % (s, p))
            sets[s][0].discard(p)
        else:
            nft("add element inet f %s { %d }\n" % (s, p))
            sets[s][0].add(p)
    elif k == 12 and sets:
        s = rnd.choice(sorted(sets))
        h = nft("add rule inet f input tcp dport @%s %s\n" % (s, rnd.choice(["accept", "drop"])),
                echo=True)
        sets[s][1].add(h)
        links[h] = ("set", s)
    elif k == 13 and sets:
        s = rnd.choice(sorted(sets))
        if not sets[s][1]:
            nft("delete set inet f %s\n" % s)
            del sets[s]
    elif k == 14:
        if othertable[0]:
            nft("delete table inet o\n")
        else:
            nft("add table inet o\nadd chain inet o x\nadd rule inet o x tcp dport %d accept\n"
                "add chain inet o y { type filter hook input priority 10; policy accept; }\n"
                "add rule inet o y counter\n" % port() if rnd.randrange(3) == 0 else
                "add table inet o\nadd chain inet o x\nadd rule inet o x tcp dport %d accept\n" % port())
        othertable[0] = not othertable[0]
    elif k == 15 and chains:
        c = rnd.choice(sorted(chains))
        nft("add rule inet f %s counter\n" % c)
    elif k == 16:
        # PREROUTING only
        pre_table()
        c, body = pre_rule()
        pre["rules"].append((c, nft("add rule inet p %s %s\n" % (c, body), echo=True)))
    elif k == 17 and pre["rules"]:
        c, h = pre["rules"].pop(rnd.randrange(len(pre["rules"])))
        nft("delete rule inet p %s handle %d\n" % (c, h))
    elif k == 18:
        # PREROUTING and LOCAL_IN in one transaction
        pre_table()
        c, body = pre_rule()
        h = nft("add rule inet p %s %s\nadd rule inet f input %s\n" % (c, body, rule_body()),
                echo=True)
        pre["rules"].append((c, h))
    elif k in (20, 21):
        fwd_op()
    elif k == 19 and pre["made"]:
        if rnd.randrange(2):
            nft("flush chain inet p raw\n")
            pre["rules"] = [r for r in pre["rules"] if r[0] != "raw"]
        else:
            nft("delete table inet p\n")
            pre["made"] = False
            pre["rules"] = []


# DRIVER_MODE=legacy: iptables-legacy / ip6tables-legacy changes instead
# (no events: the daemon's poll finds them; only the changed tables are read)
legacy_rules = {"iptables-legacy": 0, "ip6tables-legacy": 0}
legacy_chains = {}   # (tool, name) -> linked


def run(argv):
    p = subprocess.run(argv, text=True, capture_output=True)
    log.append(" ".join(argv))
    if p.returncode != 0:
        sys.exit("%s failed (%s)\nseed %d" % (" ".join(argv), p.stderr.strip(), seed))


def legacy_op():
    tool = rnd.choice(sorted(legacy_rules))
    k = rnd.randrange(9)
    p = str(rnd.choice([22, port(), port()]))
    if k in (0, 1):
        run([tool, "-A", "INPUT", "-p", "tcp", "--dport", p, "-j", rnd.choice(["ACCEPT", "DROP", "REJECT"])])
        legacy_rules[tool] += 1
    elif k == 2:
        run([tool, "-I", "INPUT", "1", "-p", "tcp", "--dport", p, "-j", "DROP"])
        legacy_rules[tool] += 1
    elif k == 3 and legacy_rules[tool]:
        run([tool, "-D", "INPUT", str(rnd.randrange(1, legacy_rules[tool] + 1))])
        legacy_rules[tool] -= 1
    elif k == 4:
        c = fresh("L")
        run([tool, "-N", c])
        run([tool, "-A", c, "-p", "tcp", "--dport", p, "-j", "DROP"])
        legacy_chains[(tool, c)] = False
    elif k == 5:
        free = [c for (t, c), linked in legacy_chains.items() if t == tool and not linked]
        if free:
            c = rnd.choice(sorted(free))
            run([tool, "-I", "INPUT", "1", "-j", c])
            legacy_rules[tool] += 1
            legacy_chains[(tool, c)] = True
    elif k == 6:
        run([tool, "-P", "INPUT", rnd.choice(["ACCEPT", "DROP"])])
    elif k == 7:
        run([tool, "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", p, "-j", "REDIRECT",
             "--to-ports", "22"])
    elif k == 8:
        run([tool, "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "--dport", p, "-j", "MARK",
             "--set-mark", "1"])


def normal(text):
    d = json.loads(text)
    for k in ("time", "duration_seconds"):
        d.pop(k, None)
    return d


def fresh_audit():
    p = subprocess.run(audit, capture_output=True, text=True)
    if p.returncode >= 3:
        sys.exit("fwaudit audit failed: %s" % p.stderr)
    return normal(p.stdout)


def daemon_result():
    try:
        with open(result) as f:
            return normal(f.read())
    except (OSError, ValueError):
        return None


def first_diff(a, b, path=""):
    if type(a) is not type(b):
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s only on one side" % (path, k)
            d = first_diff(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d != %d items" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)


def agree(what):
    """wait until the daemon's result equals a fresh audit, or exit 1"""
    # the daemon's debounce is 50 ms; an audit of this ruleset a few ms,
    # seconds under sanitizers: wait until it agrees, at most 20 s
    time.sleep(0.3)
    want = fresh_audit()
    for _ in range(40):
        got = daemon_result()
        if got == want:
            return
        time.sleep(0.5)
        want = fresh_audit()
    print("%s: the daemon's result differs from a fresh audit: %s" % (
        what, first_diff(got, want) if got is not None else "no result file"))
    print("seed %d; the burst:\n  %s" % (seed, "\n  ".join(log)))
    sys.exit(1)


checks = 0
legacy = os.environ.get("DRIVER_MODE") == "legacy"
if legacy:
    # what the legacy rules decide must not be decided by nft already
    nft("add rule inet f input tcp dport 20000-20200 accept\n")
for b in range(bursts):
    log.clear()
    if not legacy and b % 6 == 5:
        fwd_op()    # a burst of the forward chain alone
    else:
        for _ in range(rnd.randrange(1, 6)):
            legacy_op() if legacy else op()
    if big and not legacy and rnd.randrange(3) == 0:
        # one batch of many messages into a chain nothing reaches, with one
        # port opened: the receive buffer overflows, the daemon must read
        # everything
        c = fresh("big")
        body = "add chain inet f %s\n" % c
        body += "".join("add rule inet f %s tcp dport %d accept\n" % (c, 30000 + i)
                        for i in range(big))
        body += "add rule inet f input tcp dport %d accept\n" % port()
        if pre["made"] and rnd.randrange(2):
            # lost events with a PREROUTING change in the same batch
            body += "add rule inet p raw tcp dport %d drop\n" % port()
        nft(body)
        chains[c] = set()
    agree("burst %d" % b)
    checks += 1
# BURSTS 0: no change of its own, one comparison of what is there
# (daemon-ufw.sh, after each of ufw's commands)
if not bursts:
    agree("now")
    checks += 1
print("checks %d" % checks)
