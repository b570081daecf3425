#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""random-ruleset.py - one random ruleset and its probes, for
tests/netns/engine-random.sh (stdlib only).

  random-ruleset.py SEED RULES PROBES
      writes the ruleset of SEED to RULES (nft -f, or iptables-restore;
      the ip6tables-restore half to RULES.6) and a probe list
      (probe.py batch) to PROBES; prints the backend (nft, iptables-nft,
      iptables-legacy) and then the listeners the second round adds
      (probe.py serve specs: the REDIRECT targets without a listener).

A ruleset: filter chains at the input hook (accept/drop/reject/jump/
goto/return/policies, port ranges and sets, verdict maps, prefixes around
the outside addresses, negations, source ports, ct state, ct status dnat /
--ctstate DNAT / --ctstatus DNAT, ct original / --ctorigdstport, interface
names and wildcards), REDIRECTs (to a port, or none) and DNATs to the
node's own address at nat prerouting (nft: in the inet table, or in an ip
and an ip6 one), more base chains at
input and prerouting (nft: other tables and priorities; iptables: mangle
and security), and header fields the sender chooses (TTL / hop limit,
DSCP / TOS, UDP length).  Every header-field bound comes from a small
fixed set, so the values that decide them fall in fixed classes: each
probe is a group (probe.py "variants") with one value of each class
the ruleset's bounds make.  The listeners (engine-random.sh) are
LISTEN_TCP and LISTEN_UDP, on both families.
"""
import json
import os
import random
import sys

PORTS = list(range(1000, 1016))
# REDIRECT targets: 2000-2001 have a TCP listener, 2000 a UDP one
TARGETS = [2000, 2001, 2002, 2003]
LISTEN_TCP = list(range(1000, 1012)) + [2000, 2001]
LISTEN_UDP = list(range(1000, 1008)) + [2000]
PROBE_PORTS = list(range(999, 1017)) + TARGETS
PREFIXES4 = ["198.51.100.2/32", "198.51.100.0/24", "198.51.100.0/30",
             "203.0.113.0/24", "203.0.113.7/32", "203.0.113.0/25",
             "203.0.113.128/25", "10.9.0.0/24", "10.0.0.0/8", "0.0.0.0/1",
             "128.0.0.0/1", "192.0.2.0/24"]
PREFIXES6 = ["2001:db8:1::2/128", "2001:db8:1::/64", "2001:db8:1::/126",
             "2001:db8:2::/64", "2001:db8:2::7/128", "2001:db8::/32",
             "2001:db8:2::/120", "::/1", "8000::/1", "2001:db8:3::/64"]
NODE4, NODE6 = "198.51.100.1", "2001:db8:1::1"
DADDR4 = ["198.51.100.1/32", "198.51.100.0/24", "198.51.100.9/32"]
DADDR6 = ["2001:db8:1::1/128", "2001:db8:1::/64", "2001:db8:1::9/128"]
# the header fields' bounds: values the rules compare with (length: the
# IP packet's total length, both families)
BOUNDS = {"ttl": [5, 64, 128, 200], "dscp": [0, 10, 46],
          "length": [100, 200, 500]}
# the prober's lengths stay between these (its tag, the MTU)
LEN_MIN, LEN_MAX = 80, 1000


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.R = random.Random(seed)
        self.backend = ["nft", "iptables-nft", "iptables-legacy"][seed % 3]
        self.nft = self.backend == "nft"
        # RANDOM_LEGACY6=0: legacy rulesets without IPv6 (engine-random.sh)
        self.v6 = self.backend != "iptables-legacy" or \
            os.environ.get("RANDOM_LEGACY6", "1") == "1"
        R = self.R
        # the header fields this ruleset compares, and with which bounds
        self.hdr = {}
        if R.random() < 0.6:
            for k in R.sample(sorted(BOUNDS), R.randint(1, 2)):
                self.hdr[k] = sorted(R.sample(BOUNDS[k], R.randint(1, 2)))
        self.used = {k: set() for k in BOUNDS}

    # -- matches --------------------------------------------------------

    def portmatch(self, ports=PORTS):
        R = self.R
        if R.random() < 0.2:
            ports = ports + TARGETS
        k = R.random()
        if k < 0.45:
            return ("one", R.choice(ports))
        if k < 0.8:
            a = R.choice(ports)
            return ("range", a, a + R.randint(1, 6))
        return ("set", sorted(set(R.sample(ports, R.randint(2, 4)))))

    def sportmatch(self):
        k = self.R.random()
        if k < 0.5:
            return ("one", 53)
        if k < 0.8:
            return ("range", 50, 60)
        return ("range", 0, 1023)

    def hdrmatch(self, r):
        """A header-field match for rule r, or None."""
        R = self.R
        kinds = [k for k in self.hdr if k != "length" or r.get("proto") == "udp"]
        if not kinds:
            return None
        k = R.choice(kinds)
        b = self.hdr[k]
        if k == "dscp":
            op = R.choice(["eq", "eq", "ne"] + (["set"] if len(b) > 1 else []))
            return (k, op, b if op == "set" else [R.choice(b)])
        ops = ["eq", "ne", "lt", "gt", "lt", "gt"]
        if len(b) > 1:
            ops += ["range", "range", "nrange"]
        op = R.choice(ops)
        return (k, op, b if "range" in op else [R.choice(b)])

    def rule(self, chain_idx, nchains, user, where="input"):
        R = self.R
        r = {}
        later = list(range(chain_idx + 1, nchains))
        vmap = self.nft and R.random() < 0.12
        if vmap or R.random() < 0.7:
            # UDP more often where a length decides
            r["proto"] = R.choice(["tcp", "udp"] +
                                  ["udp"] * ("length" in self.hdr))
            if not vmap and R.random() < 0.8:
                r["dport"] = self.portmatch()
            if R.random() < 0.25:
                r["sport"] = self.sportmatch()
        # the family of the rule's addresses (and nft's header fields)
        v6 = self.v6 and R.random() < 0.4
        if R.random() < 0.4:
            r["saddr"] = (R.choice(PREFIXES6 if v6 else PREFIXES4),
                          R.random() < 0.25)
        if R.random() < 0.1:
            r["daddr"] = (R.choice(DADDR6 if v6 else DADDR4), R.random() < 0.3)
        if R.random() < 0.2:
            r["ct"] = R.choice(["new", "established,related", "new,established",
                                "invalid"])
        if R.random() < 0.15:
            # iptables: --ctstate DNAT alone or with another state (any
            # of them); --ctstatus has no DNAT
            r["ctnat"] = (R.choice(["DNAT", "DNAT", "NEW,DNAT", "ESTABLISHED,DNAT"]),
                          R.random() < 0.3)
        if "proto" in r and R.random() < 0.1:
            r["ctorig"] = (R.choice(PORTS), R.random() < 0.3)
        if R.random() < 0.15:
            r["iif"] = R.choice([("v0", False), ("v+", False), ("lo", True),
                                 ("v1", False), ("eth+", False), ("v0", True)])
        if self.nft and R.random() < 0.1 and "saddr" not in r:
            r["saddrset"] = True
        if "saddr" in r or "daddr" in r or "saddrset" in r:
            r["fam"] = 6 if v6 else 4
        if self.hdr and R.random() < 0.5:
            m = self.hdrmatch(r)
            if m:
                r["hdr"] = m
                self.used[m[0]].update(m[2])
        if vmap:
            # a verdict map instead of a verdict
            keys = R.sample(PORTS + TARGETS, R.randint(2, 4))
            vm = []
            for p in sorted(keys):
                vs = ["accept", "drop"] + (["jump"] if later and where == "input" else [])
                v = R.choice(vs)
                vm.append((p, v, "c%d" % R.choice(later) if v == "jump" else None))
            r["vmap"] = vm
            r["verdict"] = "vmap"
            return r
        vs = ["accept"] * 4 + ["drop"] * 3 + ["reject"] * 2 + [None]
        if where != "input":
            vs = ["accept"] * 3 + ["drop"] * 3 + [None]
        if later and where == "input":
            vs += ["jump"] * 3 + ["goto"]
        if user:
            vs += ["return"] * 2
        if "hdr" in r:
            # a header field that ends nothing decides nothing
            vs = [v for v in vs if v is not None]
        v = R.choice(vs)
        r["verdict"] = v
        if v in ("jump", "goto"):
            r["target"] = "c%d" % R.choice(later)
        return r

    def redirect(self):
        """A REDIRECT (or, sometimes, a DNAT to the node's own address)."""
        R = self.R
        r = {"proto": R.choice(["tcp", "tcp", "udp"]), "dport": R.choice(PORTS),
             "dnat": R.random() < 0.2}
        k = R.random()
        if k < 0.65:
            r["to"] = R.choice(TARGETS)
        elif k < 0.8:
            r["to"] = r["dport"]
        elif k < 0.9 and not r["dnat"]:
            # no port: only the address changes (to the one it has)
            r["to"] = None
        else:
            r["to"] = R.choice(PORTS)
        if R.random() < 0.25:
            v6 = self.v6 and R.random() < 0.4
            r["saddr"] = (R.choice(PREFIXES6 if v6 else PREFIXES4), R.random() < 0.25)
        return r

    def make(self):
        R = self.R
        nuser = R.randint(0, 3)
        self.chains = {"input": [self.rule(0, nuser + 1, False)
                                 for _ in range(R.randint(2, 9))]}
        for i in range(nuser):
            self.chains["c%d" % (i + 1)] = [self.rule(i + 1, nuser + 1, True)
                                            for _ in range(R.randint(1, 6))]
        self.policy = R.choice(["accept", "drop", "drop"])
        self.redirects = [self.redirect() for _ in range(R.choice([0, 1, 2, 3, 4]))]
        # nft: the NAT chain in the inet table, or in an ip and an ip6 one
        self.natsplit = R.random() < 0.35
        # more base chains: (family, hook, priority, policy, rules)
        self.extra = []
        for _ in range(R.choice([0, 0, 1, 1, 2, 3])):
            hook = R.choice(["input", "input", "prerouting"])
            if self.nft:
                fam = R.choice(["ip", "inet", "ip6"] if self.v6 else ["ip"])
                prio = R.choice([-10, 10, 20] if hook == "input" else [-150, -50, 0])
            else:
                fam = "ip"
                table = R.choice(["mangle", "security"] if hook == "input" else ["mangle"])
                prio = {"mangle": -150, "security": 50}[table]
            if any(e[1] == hook and e[2] == prio for e in self.extra):
                continue
            pol = "drop" if R.random() < 0.15 else "accept"
            rules = [self.rule(0, 0, False, hook) for _ in range(R.randint(1, 3))]
            for r in rules:
                r.pop("saddrset", None)
                if fam != "inet" and r.get("fam") != (4 if fam == "ip" else 6):
                    for k in ("saddr", "daddr", "fam"):
                        r.pop(k, None)
            self.extra.append((fam, hook, prio, pol, rules))
        self.saddrset = sorted(R.sample(PREFIXES4, 3))
        self.saddrset6 = sorted(R.sample(PREFIXES6, 3))

    # -- nft ------------------------------------------------------------

    @staticmethod
    def nft_ports(m):
        if m[0] == "one":
            return str(m[1])
        if m[0] == "range":
            return "%d-%d" % (m[1], m[2])
        return "{ %s }" % ", ".join(str(p) for p in m[1])

    def nft_hdr(self, r, fam):
        k, op, b = r["hdr"]
        R = self.R
        if fam == "inet":
            v6 = r["fam"] == 6 if "fam" in r else self.v6 and R.random() < 0.4
        else:
            v6 = fam == "ip6"
        if k == "ttl":
            f = "ip6 hoplimit" if v6 else "ip ttl"
        elif k == "dscp":
            f = "ip6 dscp" if v6 else "ip dscp"
        else:
            f = R.choice(["meta length", "ip6 length" if v6 else "ip length"])
            if f == "ip6 length":
                # the payload's length: the total less the fixed header
                b = [x - 40 for x in b]
        if op == "eq":
            return "%s %d" % (f, b[0])
        if op == "ne":
            return "%s != %d" % (f, b[0])
        if op == "lt":
            return "%s < %d" % (f, b[0])
        if op == "gt":
            return "%s > %d" % (f, b[0])
        if op == "set":
            return "%s { %s }" % (f, ", ".join(str(x) for x in b))
        return "%s %s%d-%d" % (f, "!= " if op == "nrange" else "", b[0], b[1])

    def nft_rule(self, r, fam="inet"):
        w = []
        if "iif" in r:
            n, neg = r["iif"]
            w.append('iifname %s"%s"' % ("!= " if neg else "", n.replace("+", "*")))
        for k in ("saddr", "daddr"):
            if k in r:
                a, neg = r[k]
                w.append("%s %s %s%s" % ("ip6" if ":" in a else "ip", k,
                                        "!= " if neg else "", a))
        if r.get("saddrset"):
            w.append("ip6 saddr @srcs6" if r["fam"] == 6 else "ip saddr @srcs")
        if "proto" in r:
            if "dport" in r:
                w.append("%s dport %s" % (r["proto"], self.nft_ports(r["dport"])))
            if "sport" in r:
                w.append("%s sport %s" % (r["proto"], self.nft_ports(r["sport"])))
            if "dport" not in r and "sport" not in r:
                w.append("meta l4proto %s" % r["proto"])
        if "ct" in r:
            w.append("ct state %s" % r["ct"])
        if "ctnat" in r:
            states, neg = r["ctnat"]
            if states != "DNAT":
                w.append("ct state %s%s" % ("!= " if neg else "",
                                            states.split(",")[0].lower()))
            w.append("ct status %sdnat" % ("!= " if neg else ""))
        if "ctorig" in r:
            # after the protocol: nft needs it to read the port
            p, neg = r["ctorig"]
            w.append("ct original proto-dst %s%d" % ("!= " if neg else "", p))
        if "hdr" in r:
            w.append(self.nft_hdr(r, fam))
        v = r["verdict"]
        if v is None:
            w.append("counter")
        elif v == "vmap":
            w.append("%s dport vmap { %s }" % (r["proto"], ", ".join(
                "%d : %s" % (p, "jump " + t if vv == "jump" else vv)
                for p, vv, t in r["vmap"])))
        elif v == "reject":
            w.append({"inet": "reject with icmpx admin-prohibited",
                      "ip": "reject with icmp type admin-prohibited",
                      "ip6": "reject with icmpv6 type admin-prohibited"}[fam])
        elif v in ("jump", "goto"):
            w.append("%s %s" % (v, r["target"]))
        else:
            w.append(v)
        return " ".join(w)

    def nft_nat(self, fam):
        L = ["\tchain pre {",
             "\t\ttype nat hook prerouting priority dstnat; policy accept;"]
        for d in self.redirects:
            w = []
            if "saddr" in d:
                a, neg = d["saddr"]
                if fam != "inet" and (":" in a) != (fam == "ip6"):
                    continue
                w.append("%s saddr %s%s" % ("ip6" if ":" in a else "ip",
                                            "!= " if neg else "", a))
            w.append("%s dport %d" % (d["proto"], d["dport"]))
            if not d["dnat"]:
                L.append("\t\t" + " ".join(w + ["redirect" if d["to"] is None
                                                  else "redirect to :%d" % d["to"]]))
                continue
            # a DNAT names its family; in inet the other one goes on
            for f in ("ip", "ip6"):
                if fam not in ("inet", f):
                    continue
                if "saddr" in d and (":" in d["saddr"][0]) != (f == "ip6"):
                    continue
                L.append("\t\t" + " ".join(w + ["dnat %s to %s:%d" % (
                    f, "[%s]" % NODE6 if f == "ip6" else NODE4, d["to"])]))
        L.append("\t}")
        return L

    def nft_lines(self):
        L = ["table inet r {"]
        L.append("\tset srcs { type ipv4_addr; flags interval; auto-merge; elements = { %s } }"
                 % ", ".join(self.saddrset))
        L.append("\tset srcs6 { type ipv6_addr; flags interval; auto-merge; elements = { %s } }"
                 % ", ".join(self.saddrset6))
        if self.redirects and not self.natsplit:
            L += self.nft_nat("inet")
        for name, rules in self.chains.items():
            L.append("\tchain %s {" % name)
            if name == "input":
                L.append("\t\ttype filter hook input priority 0; policy %s;" % self.policy)
                L.append("\t\tmeta l4proto ipv6-icmp accept")
            for r in rules:
                L.append("\t\t" + self.nft_rule(r))
            L.append("\t}")
        L.append("}")
        if self.redirects and self.natsplit:
            for fam in ("ip", "ip6"):
                L.append("table %s n%s {" % (fam, fam))
                L += self.nft_nat(fam)
                L.append("}")
        for i, (fam, hook, prio, pol, rules) in enumerate(self.extra):
            L.append("table %s x%d {" % (fam, i))
            L.append("\tchain %s {" % hook)
            L.append("\t\ttype filter hook %s priority %d; policy %s;" % (hook, prio, pol))
            if fam != "ip":
                L.append("\t\tmeta l4proto ipv6-icmp accept")
            for r in rules:
                L.append("\t\t" + self.nft_rule(r, fam))
            L.append("\t}")
            L.append("}")
        return L

    # -- iptables -------------------------------------------------------

    @staticmethod
    def ipt_ports(m):
        if m[0] == "one":
            return str(m[1])
        if m[0] == "range":
            return "%d:%d" % (m[1], m[2])
        return ",".join(str(p) for p in m[1])

    def ipt_hdr(self, h, v6):
        k, op, b = h
        if k == "ttl":
            m = "hl" if v6 else "ttl"
            if op in ("eq", "ne", "lt", "gt"):
                return ["-m", m] + (["!"] if op == "ne" else []) + \
                    ["--%s-%s" % (m, "eq" if op == "ne" else op), str(b[0])]
            # a range: two matches (the ttl match has no range)
            if op == "range":
                return ["-m", m, "--%s-gt" % m, str(b[0] - 1),
                        "-m", m, "--%s-lt" % m, str(b[1] + 1)]
            return None
        if k == "dscp":
            # no sets here: the first value
            neg = ["!"] if op == "ne" else []
            if self.R.random() < 0.5:
                return ["-m", "dscp"] + neg + ["--dscp", str(b[0])]
            return ["-m", "tos"] + neg + ["--tos", "0x%02x/0xfc" % (b[0] << 2)]
        lo, hi = {"eq": (b[0], b[0]), "ne": (b[0], b[0]), "lt": (0, b[0] - 1),
                  "gt": (b[0] + 1, 65535), "range": (b[0], b[-1]),
                  "nrange": (b[0], b[-1])}[op]
        return ["-m", "length"] + (["!"] if op in ("ne", "nrange") else []) + \
            ["--length", "%d:%d" % (lo, hi) if lo != hi else str(lo)]

    def ipt_rule(self, chain, r, v6, table="filter"):
        """One rule of r for one family; None when r's addresses are of
        the other family."""
        w = ["-A", chain]
        for k in ("saddr", "daddr"):
            if k in r and (":" in r[k][0]) != v6:
                return None
        if "iif" in r:
            n, neg = r["iif"]
            w += (["!"] if neg else []) + ["-i", n]
        if "saddr" in r:
            w += (["!"] if r["saddr"][1] else []) + ["-s", r["saddr"][0]]
        if "daddr" in r:
            w += (["!"] if r["daddr"][1] else []) + ["-d", r["daddr"][0]]
        if "proto" in r:
            w += ["-p", r["proto"]]
            # --sport first: multiport's options must not follow tcp's
            if "sport" in r:
                w += ["--sport", self.ipt_ports(r["sport"])]
            if "dport" in r:
                if r["dport"][0] == "set":
                    w += ["-m", "multiport", "--dports", self.ipt_ports(r["dport"])]
                else:
                    w += ["--dport", self.ipt_ports(r["dport"])]
        if "ct" in r:
            w += ["-m", "conntrack", "--ctstate", r["ct"].upper()]
        if "ctnat" in r:
            states, neg = r["ctnat"]
            w += ["-m", "conntrack"] + (["!"] if neg else []) + \
                ["--ctstate", states]
        if "ctorig" in r:
            p, neg = r["ctorig"]
            w += ["-m", "conntrack"] + (["!"] if neg else []) + \
                ["--ctorigdstport", str(p)]
        if "hdr" in r:
            h = self.ipt_hdr(r["hdr"], v6)
            if h is None:
                return None
            w += h
        v = r["verdict"]
        if v == "reject":
            if table != "filter":
                # REJECT is for the filter table only
                w += ["-j", "DROP"]
            else:
                w += ["-j", "REJECT", "--reject-with",
                      "icmp6-adm-prohibited" if v6 else "icmp-admin-prohibited"]
        elif v == "jump":
            w += ["-j", r["target"]]
        elif v == "goto":
            w += ["-g", r["target"]]
        elif v:
            w += ["-j", v.upper()]
        return " ".join(w)

    def ipt_lines(self, v6):
        L = []
        icmp6 = ["-p", "ipv6-icmp", "-j", "ACCEPT"]
        if self.redirects:
            L += ["*nat", ":PREROUTING ACCEPT [0:0]"]
            for d in self.redirects:
                if "saddr" in d and (":" in d["saddr"][0]) != v6:
                    continue
                w = ["-A", "PREROUTING"]
                if "saddr" in d:
                    w += (["!"] if d["saddr"][1] else []) + ["-s", d["saddr"][0]]
                w += ["-p", d["proto"], "--dport", str(d["dport"])]
                if d["dnat"]:
                    w += ["-j", "DNAT", "--to-destination", "%s:%d" % (
                        "[%s]" % NODE6 if v6 else NODE4, d["to"])]
                else:
                    w += ["-j", "REDIRECT"]
                    if d["to"] is not None:
                        w += ["--to-ports", str(d["to"])]
                L.append(" ".join(w))
            L.append("COMMIT")
        tables = {}
        for fam, hook, prio, pol, rules in self.extra:
            t = "security" if prio == 50 else "mangle"
            c = hook.upper()
            tables.setdefault(t, []).append((c, pol, rules))
        for t, chains in tables.items():
            L.append("*" + t)
            for c, pol, rules in chains:
                L.append(":%s %s [0:0]" % (c, pol.upper()))
            for c, pol, rules in chains:
                if v6:
                    L.append(" ".join(["-A", c] + icmp6))
                for r in rules:
                    x = self.ipt_rule(c, r, v6, t)
                    if x:
                        L.append(x)
            L.append("COMMIT")
        L += ["*filter", ":INPUT %s [0:0]" % self.policy.upper()]
        for name in self.chains:
            if name != "input":
                L.append(":%s - [0:0]" % name)
        if v6:
            L.append(" ".join(["-A", "INPUT"] + icmp6))
        for name, rules in self.chains.items():
            for r in rules:
                x = self.ipt_rule("INPUT" if name == "input" else name, r, v6)
                if x:
                    L.append(x)
        L.append("COMMIT")
        return L

    # -- probes ---------------------------------------------------------

    def reps(self, k):
        """One value of each class the ruleset's bounds of k make."""
        b = sorted(self.used[k])
        if not b:
            return None
        if k == "dscp":
            other = next(x for x in (1, 2, 3) if x not in b)
            return [x << 2 for x in sorted(b + [other])]
        lo, hi = (1, 255) if k == "ttl" else (LEN_MIN, LEN_MAX)
        out = []
        prev = lo - 1
        for x in b + [hi + 1]:
            if x - prev > 1:
                out.append((prev + x) // 2 if prev >= lo else lo)
            if x <= hi:
                out.append(x)
            prev = x
        if b[-1] < hi:
            out[-1] = hi
        return sorted(set(out))

    def probes(self):
        R = self.R
        out = []
        for proto in ("tcp", "udp"):
            for src in ("198.51.100.2", "203.0.113.7", "10.9.0.7"):
                for sport in (0, 53, 55):
                    for dport in PROBE_PORTS:
                        out.append({"proto": proto, "dst": "198.51.100.1",
                                    "src": src, "sport": sport, "dport": dport})
            if self.v6:
                for src in ("2001:db8:1::2", "2001:db8:2::7"):
                    for sport in (0, 53):
                        for dport in PROBE_PORTS:
                            out.append({"proto": proto, "dst": "2001:db8:1::1",
                                        "src": src, "sport": sport, "dport": dport})
        var = {}
        for k, f in (("ttl", "ttl"), ("dscp", "tos"), ("length", "length")):
            v = self.reps(k)
            if v:
                var[f] = v
        pick = R.sample(out, 70 if not var else 60)
        # more to the REDIRECTs' ports, and straight to their targets
        for d in self.redirects:
            want = [p for p in out if p["proto"] == d["proto"] and
                    p["dport"] == d["dport"] and p not in pick]
            pick += R.sample(want, min(3, len(want)))
            want = [p for p in out if p["proto"] == d["proto"] and
                    p["dport"] == (d["to"] or d["dport"]) and p not in pick]
            pick += R.sample(want, min(1, len(want)))
        out = pick
        for p in out:
            v = {k: x for k, x in var.items() if k != "length" or p["proto"] == "udp"}
            if v:
                p["variants"] = v
        return out

    def second_serve(self):
        specs = []
        for d in self.redirects:
            ls = LISTEN_TCP if d["proto"] == "tcp" else LISTEN_UDP
            if d["to"] is None:
                continue
            s = "%s:[::]:%d" % (d["proto"], d["to"])
            if d["to"] not in ls and s not in specs:
                specs.append(s)
        return specs


def main(argv):
    seed, out_rules, out_probes = int(argv[1]), argv[2], argv[3]
    g = Gen(seed)
    g.make()
    if g.nft:
        lines = g.nft_lines()
    else:
        lines = g.ipt_lines(False)
        if g.v6:
            with open(out_rules + ".6", "w") as f:
                f.write("\n".join(g.ipt_lines(True)) + "\n")
    with open(out_rules, "w") as f:
        f.write("\n".join(lines) + "\n")
    probes = g.probes()
    with open(out_probes, "w") as f:
        json.dump(probes, f)
    print(" ".join([g.backend] + g.second_serve()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
