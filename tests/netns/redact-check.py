#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# redact-check.py - checks of `fwaudit snapshot --redact` for
# tests/netns/snapshot-redact.sh and snapshot.sh:
#   same MAP LIVE_MAPPED REDACTED
#	the live audit's JSON, its addresses mapped (redact_map MAP), equals
#	the redacted snapshot's audit once the names are replaced as MAP says;
#	lists compare as sets (a map reorders what is sorted by address);
#	"time", "duration_seconds" and "host" (this machine) are left out
#   leak SNAPSHOT TOKEN...
#	no TOKEN (an address, "A/LEN", or a name) is anywhere in SNAPSHOT:
#	its JSON text, every base64 text decoded, and, for addresses, their
#	bytes in the decoded netlink recordings; bounds the file's
#	"redaction" notes name as kept are allowed (and must be tokens)
#   finds SNAPSHOT TOKEN...
#	the same search finds every TOKEN (in the unredacted snapshot: proof
#	that "leak" can see what it looks for)
import base64
import ipaddress
import json
import re
import sys


TOKEN = r"[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*(?:/\d+)?"
LIST = re.compile(TOKEN + r"(?:," + TOKEN + r")+")


def canon(x, names):
    if isinstance(x, dict):
        return {k: canon(v, names) for k, v in x.items()
                if k not in ("time", "duration_seconds", "host")}
    if isinstance(x, list):
        return sorted((canon(v, names) for v in x),
                      key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(x, str):
        # lists of addresses inside a string ("from A,B to C,D") are sorted
        # by address too
        x = LIST.sub(lambda m: ",".join(sorted(m.group(0).split(","))), x)
        # a fix's commands insert one rule per source, numbered in the
        # order of the sources' addresses
        x = re.sub(r"(-I \S+) \d+ ", r"\1 # ", x)
        # longest first: a name holding another ("busybox httpd", an LXD
        # image's description, holds the process busybox) is one name
        for a, b in sorted(names.items(), key=lambda n: -len(n[0])):
            x = re.sub(r"(?<![\w.-])" + re.escape(a) + r"(?![\w.-])", b, x)
        return x
    return x


def deref(d):
    """causes[].exposures are indices into exposures, which the map
    reorders: each replaced by the exposure it names"""
    exp = d.get("exposures") if isinstance(d, dict) else None
    for c in d.get("causes", []) if isinstance(exp, list) else []:
        if isinstance(c, dict) and isinstance(c.get("exposures"), list):
            c["exposures"] = [exp[i] if isinstance(i, int) and
                              0 <= i < len(exp) else i
                              for i in c["exposures"]]
    return d


def same(mapf, live, red):
    names = json.load(open(mapf)).get("names", {})
    a = canon(deref(json.load(open(live))), names)
    b = canon(deref(json.load(open(red))), names)
    if a == b:
        return 0
    la = json.dumps(a, indent=1, sort_keys=True).splitlines()
    lb = json.dumps(b, indent=1, sort_keys=True).splitlines()
    import difflib
    for line in list(difflib.unified_diff(la, lb, "live (mapped)",
                                          "redacted", lineterm=""))[:40]:
        print(line)
    return 1


def blobs(d, path=""):
    """(path, bytes) of every base64 member."""
    if isinstance(d, dict):
        for k, v in d.items():
            p = path + "." + k if path else k
            if isinstance(v, str) and (k in ("recording", "save") or
                                       path == "ruleset_text"):
                yield p, base64.b64decode(v)
            else:
                yield from blobs(v, p)


def search(snap, tokens):
    text = open(snap).read()
    d = json.loads(text)
    kept = set(d.get("redaction", {}).get("bounds", []))
    found = {}
    parts = [("(json)", text.encode())] + list(blobs(d))
    for t in tokens:
        if t in kept:
            continue
        addr = t.split("/")[0]
        try:
            packed = ipaddress.ip_address(addr).packed
        except ValueError:
            packed = None
        # an IPv4 address may be followed by ":PORT"; an IPv6 one by
        # neither ":" nor a hex digit (it would be a longer address)
        after = rb"(?![\w:]|\.\d)" if ":" in t else rb"(?!\w|\.\d)"
        pat = re.compile(rb"(?<![\w.:])" + re.escape(t.encode()) + after)
        for p, b in parts:
            binary = p.endswith("recording")
            if (not binary and pat.search(b)) or \
               (binary and packed and "/" not in t and packed in b):
                found.setdefault(t, []).append(p)
    return found, kept


def main():
    op = sys.argv[1]
    if op == "same":
        return same(*sys.argv[2:5])
    found, kept = search(sys.argv[2], sys.argv[3:])
    if op == "leak":
        for t, where in found.items():
            print("%s left in %s" % (t, ", ".join(where)))
        bad = [k for k in kept if k not in sys.argv[3:]]
        if bad:
            print("kept bounds that are no test's: %s" % bad)
        return 1 if found or bad else 0
    missing = [t for t in sys.argv[3:] if t not in found]
    if missing:
        print("not found: %s" % " ".join(missing))
    return 1 if missing else 0


sys.exit(main())
