#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# text-vs-json.py TEXT JSON [POLICY]: the SOURCES cell of every row of
# `fwaudit audit`'s table must denote exactly the sources of the same
# exposure in `--format json` (the rows are printed in the same order).
# The zones are the built-in ones and the `zone` lines of POLICY.  Exit 0
# when all agree, 1 with the rows that do not.
import ipaddress
import re
import sys

BUILTIN = {
    "private": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
    "loopback": ["127.0.0.0/8", "::1/128"],
    "link-local": ["169.254.0.0/16", "fe80::/10"],
    "any": ["0.0.0.0/0", "::/0"],
}


def zones(policy):
    z = dict(BUILTIN)
    if policy:
        for line in open(policy):
            m = re.match(r"\s*zone\s+(\S+)\s*=\s*([^#]*)", line)
            if m:
                z[m.group(1)] = [w.strip() for w in m.group(2).split(",") if w.strip()]
    return z


def nets(words, fam, z):
    out = []
    for w in words:
        for p in z.get(w, [w]):
            n = ipaddress.ip_network(p, strict=False)
            if n.version == fam:
                out.append(n)
    return list(ipaddress.collapse_addresses(out))


def denote(text, fam, z):
    full = ipaddress.ip_network("0.0.0.0/0" if fam == 4 else "::/0")
    if text == "none":
        return []
    if text.startswith("any except "):
        rest = [full]
        for n in nets(text[len("any except "):].split(","), fam, z):
            rest = [r for x in rest for r in (x.address_exclude(n) if n.subnet_of(x) else
                                               ([] if x.subnet_of(n) else [x]))]
        return list(ipaddress.collapse_addresses(rest))
    return nets(text.split(","), fam, z)


def main():
    import json
    text, j = open(sys.argv[1]).read().split("\n"), json.load(open(sys.argv[2]))
    z = zones(sys.argv[3] if len(sys.argv) > 3 else None)
    rows = [l for l in text if re.match(r"(exposed|open) ", l)]
    exp = j["exposures"]
    bad = []
    if len(rows) != len(exp):
        print("%d table rows, %d exposures" % (len(rows), len(exp)))
        return 1
    for line, e in zip(rows, exp):
        t = line.split()
        cell = t[6]
        if cell == "any" and len(t) > 8 and t[7] == "except":
            cell = "any except " + t[8]
        fam = 6 if e["family"] == "ipv6" else 4
        want = list(ipaddress.collapse_addresses(ipaddress.ip_network(s) for s in e["sources"]))
        if denote(cell, fam, z) != want:
            bad.append("%r means %s, the JSON says %s" % (cell, denote(cell, fam, z), e["sources"]))
    for b in bad:
        print(b)
    return 1 if bad else 0


sys.exit(main())
