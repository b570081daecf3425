#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcinject.py SNAPSHOT IFINDEX SPEC.json > EDITED

Put ingress tc filters into a snapshot's rtnetlink recording: the answer to
the recorded RTM_GETTFILTER request of link IFINDEX is replaced by the
RTM_NEWTFILTER messages the kernel would dump for the filters of SPEC, built
attribute by attribute as net/sched/cls_u32.c, cls_flower.c,
cls_matchall.c and act_gact.c dump them.  This kernel has none of those
classifiers, so tc-filters.sh compares fwaudit's audit of the edited
snapshot with real packets meeting the same filters written as an nftables
netdev ingress chain.

SPEC: a list of filters, in the order tc runs them:
  {"kind": "u32", "proto": "ip", "prio": 1, "action": "drop",
   "keys": [[12, "ff000000", "0a000000"]]}          off, mask, val (hex)
  {"kind": "flower", "proto": "ipv6", "prio": 2, "action": "pass",
   "ip_proto": 6, "src": "2001:db8:2::/64", "dst": "...", "dst_port": 22}
  {"kind": "matchall", "proto": "all", "prio": 3, "action": "drop"}
proto: ip, ipv6, all, arp; action: drop, pass, continue.
"""
import base64
import ipaddress
import json
import struct
import sys

RTM_NEWTFILTER, RTM_GETTFILTER = 44, 46
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_MULTI = 2
ETH = {"ip": 0x0800, "ipv6": 0x86DD, "all": 0x0003, "arp": 0x0806}
ACT = {"drop": 2, "pass": 0, "continue": -1}   # TC_ACT_SHOT, _OK, _UNSPEC
TCA_KIND, TCA_OPTIONS = 1, 2
TCA_U32_SEL, TCA_U32_ACT = 5, 7
TCA_FLOWER_ACT, TCA_FLOWER_FLAGS = 3, 22
TCA_FLOWER_KEY_ETH_TYPE, TCA_FLOWER_KEY_IP_PROTO = 8, 9
TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK = 10, 11
TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK = 12, 13
TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK = 14, 15
TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK = 16, 17
TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK = 19, 36
TCA_MATCHALL_ACT = 2
TCA_ACT_KIND, TCA_ACT_OPTIONS = 1, 2
TCA_GACT_PARMS = 2
TC_U32_TERMINAL = 1
TC_H_CLSACT_INGRESS = 0xFFFFFFF2


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def gact(action):
    parms = struct.pack("=IIiii", 0, 0, ACT[action], 1, 1)
    opts = attr(TCA_GACT_PARMS, parms)
    return attr(1, attr(TCA_ACT_KIND, b"gact\0") + attr(TCA_ACT_OPTIONS, opts))


def prefix(text):
    net = ipaddress.ip_network(text, strict=False)
    return net.network_address.packed, net.netmask.packed


def options(f):
    kind = f["kind"]
    if kind == "u32":
        keys = b"".join(struct.pack("!II", int(m, 16), int(v, 16)) +
                        struct.pack("=ii", off, 0)
                        for off, m, v in f.get("keys", []))
        sel = struct.pack("=BBBxHHhhI", TC_U32_TERMINAL, 0,
                          len(f.get("keys", [])), 0, 0, 0, 0, 0)
        return attr(TCA_U32_SEL, sel + keys) + attr(TCA_U32_ACT, gact(f["action"]))
    if kind == "flower":
        out = b""
        if "eth_type" in f:
            out += attr(TCA_FLOWER_KEY_ETH_TYPE, struct.pack("!H", ETH[f["eth_type"]]))
        if "ip_proto" in f:
            out += attr(TCA_FLOWER_KEY_IP_PROTO, struct.pack("=B", f["ip_proto"]))
        for side in ("src", "dst"):
            if side not in f:
                continue
            a, m = prefix(f[side])
            v6 = len(a) == 16
            base = {("src", False): TCA_FLOWER_KEY_IPV4_SRC,
                    ("dst", False): TCA_FLOWER_KEY_IPV4_DST,
                    ("src", True): TCA_FLOWER_KEY_IPV6_SRC,
                    ("dst", True): TCA_FLOWER_KEY_IPV6_DST}[(side, v6)]
            out += attr(base, a) + attr(base + 1, m)
        if "dst_port" in f:
            out += attr(TCA_FLOWER_KEY_TCP_DST, struct.pack("!H", f["dst_port"]))
            out += attr(TCA_FLOWER_KEY_TCP_DST_MASK, b"\xff\xff")
        out += attr(TCA_FLOWER_FLAGS, struct.pack("=I", 8))  # not in hw
        return out + attr(TCA_FLOWER_ACT, gact(f["action"]))
    if kind == "matchall":
        return attr(TCA_MATCHALL_ACT, gact(f["action"]))
    raise SystemExit("tcinject: unknown kind " + kind)


def filter_msg(f, ifindex, seq, pid, handle):
    tcm = struct.pack("=BxxxiIII", 0, ifindex, handle, TC_H_CLSACT_INGRESS,
                      (f["prio"] << 16) | struct.unpack("=H", struct.pack("!H", ETH[f["proto"]]))[0])
    body = tcm + attr(TCA_KIND, f["kind"].encode() + b"\0") + \
        attr(TCA_OPTIONS, options(f))
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWTFILTER, NLM_F_MULTI,
                       seq, pid) + body


def main():
    snap_path, ifindex, spec_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    snap = json.load(open(snap_path))
    spec = json.load(open(spec_path))
    rec = base64.b64decode(snap["rtnetlink"]["recording"])
    out, i, done = b"", 0, False
    while i < len(rec):
        n, t, flags, seq, pid = struct.unpack_from("=IHHII", rec, i)
        msg = rec[i:i + ((n + 3) & ~3)]
        i += (n + 3) & ~3
        out += msg
        if t != RTM_GETTFILTER or done:
            continue
        (ifi,) = struct.unpack_from("=i", msg, 16 + 4)
        if ifi != ifindex:
            continue
        # skip the recorded answer, up to its DONE or ERROR
        while i < len(rec):
            n2, t2, _, seq2, pid2 = struct.unpack_from("=IHHII", rec, i)
            i += (n2 + 3) & ~3
            if t2 in (NLMSG_DONE, NLMSG_ERROR):
                break
        for k, f in enumerate(spec):
            out += filter_msg(f, ifindex, seq, pid, k + 1)
        out += struct.pack("=IHHIIi", 20, NLMSG_DONE, NLM_F_MULTI, seq, pid, 0)
        done = True
    if not done:
        raise SystemExit("tcinject: no RTM_GETTFILTER request for ifindex %d" % ifindex)
    snap["rtnetlink"]["recording"] = base64.b64encode(out).decode()
    json.dump(snap, sys.stdout, indent=1)


main()
