#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ipvsinject.py SNAPSHOT SPEC.json > EDITED

Put IPVS virtual services into a snapshot: its "ipvs" recording becomes the
conversation auditd/readers/ipvs.c has with a kernel that has them (the
IPVS_CMD_GET_SERVICE dump, then one IPVS_CMD_GET_DEST dump per service
naming the service in its request), each message built attribute by
attribute as net/netfilter/ipvs/ip_vs_ctl.c fills it
(ip_vs_genl_fill_service(), ip_vs_genl_fill_dest()).  This kernel has no
IPVS (CONFIG_IP_VS is not set), so ipvs-snapshot.sh audits such snapshots.
Nests carry no NLA_F_NESTED, as nla_nest_start_noflag() makes them.

SPEC: a list of services:
  {"proto": "tcp", "addr": "198.51.100.1", "port": 80, "sched": "rr",
   "dests": [{"addr": "10.23.0.2", "port": 8080, "fwd": "masq",
              "weight": 1}]}
  {"fwmark": 7, "family": "ipv4", "dests": [...]}
fwd: masq, local, tunnel, route.  A tunnel real server may say
"tun_type": "ipip", "gue" or "gre" (and "tun_port", "tun_flags"): its
IPVS_DEST_ATTR_TUN_* as Linux 5.3 and later dump them; without, the
real server is dumped as older kernels do.  An empty list: an empty IPVS
table.
{"refused": 1} (the whole SPEC): the service dump refused with EPERM, as
the kernel answers a caller without CAP_NET_ADMIN.
{"swarm": {"addrs": ["10.18.0.2"], "marks_exact": true,
           "marks": [{"protocol": 6, "ports": [8080, 8080], "mark": 256}],
           "services": [SERVICE...]}} (the whole SPEC): Swarm's ingress
sandbox as swarm.c reads it, its IPVS services recorded as above; addrs,
marks and marks_exact default to what the snapshot already has.
"""
import base64
import ipaddress
import json
import socket
import struct
import sys

FAMILY_ID = 0x1C
NLMSG_DONE = 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 1, 2, 0x300
CMD_NEW_SERVICE, CMD_GET_SERVICE, CMD_NEW_DEST, CMD_GET_DEST = 1, 4, 5, 8
ATTR_SERVICE, ATTR_DEST = 1, 2
SVC_AF, SVC_PROTO, SVC_ADDR, SVC_PORT, SVC_FWMARK = 1, 2, 3, 4, 5
SVC_SCHED, SVC_FLAGS, SVC_TIMEOUT, SVC_NETMASK = 6, 7, 8, 9
DEST_ADDR, DEST_PORT, DEST_FWD, DEST_WEIGHT = 1, 2, 3, 4
DEST_AF = 11
DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS = 13, 14, 15
TUN = {"ipip": 0, "gue": 1, "gre": 2}
PROTO = {"tcp": 6, "udp": 17, "sctp": 132}
FWD = {"masq": 0, "local": 1, "tunnel": 2, "route": 3}


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def u16(t, v):
    return attr(t, struct.pack("=H", v))


def be16(t, v):
    return attr(t, struct.pack("!H", v))


def u8(t, v):
    return attr(t, struct.pack("=B", v))


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def msg(flags, cmd, payload):
    body = struct.pack("=BBH", cmd, 1, 0) + payload
    return struct.pack("=IHHII", 16 + len(body), FAMILY_ID, flags, 0, 0) + body


def done():
    return struct.pack("=IHHIIi", 20, NLMSG_DONE, NLM_F_MULTI, 0, 0, 0)


def inet(text):
    a = ipaddress.ip_address(text)
    af = socket.AF_INET6 if a.version == 6 else socket.AF_INET
    return af, a.packed + b"\0" * (16 - len(a.packed))


def service(s, answer):
    if "fwmark" in s:
        af = socket.AF_INET6 if s.get("family") == "ipv6" else socket.AF_INET
        inner = u16(SVC_AF, af) + u32(SVC_FWMARK, s["fwmark"])
    else:
        af, addr = inet(s["addr"])
        inner = (u16(SVC_AF, af) + u16(SVC_PROTO, PROTO[s["proto"]]) +
                 attr(SVC_ADDR, addr) + be16(SVC_PORT, s["port"]))
    if answer:
        inner += (attr(SVC_SCHED, s.get("sched", "wlc").encode() + b"\0") +
                  attr(SVC_FLAGS, struct.pack("=II", 0, 0xFFFFFFFF)) +
                  u32(SVC_TIMEOUT, 0) + u32(SVC_NETMASK, 0xFFFFFFFF))
    return attr(ATTR_SERVICE, inner)


def dest(d):
    af, addr = inet(d["addr"])
    inner = (attr(DEST_ADDR, addr) + be16(DEST_PORT, d.get("port", 0)) +
             u32(DEST_FWD, FWD[d.get("fwd", "masq")]) +
             u32(DEST_WEIGHT, d.get("weight", 1)) + u16(DEST_AF, af))
    if "tun_type" in d:
        inner += (u8(DEST_TUN_TYPE, TUN[d["tun_type"]]) +
                  be16(DEST_TUN_PORT, d.get("tun_port", 0)) +
                  u16(DEST_TUN_FLAGS, d.get("tun_flags", 0)))
    return attr(ATTR_DEST, inner)


def refused():
    req = msg(NLM_F_REQUEST | NLM_F_DUMP, CMD_GET_SERVICE, b"")
    err = struct.pack("=i", -1) + req[:16]      # -EPERM, the request's header
    return req + struct.pack("=IHHII", 16 + len(err), 2, 0, 0, 0) + err


def recording(spec):
    if isinstance(spec, dict) and spec.get("refused"):
        return refused()
    out = msg(NLM_F_REQUEST | NLM_F_DUMP, CMD_GET_SERVICE, b"")
    for s in spec:
        out += msg(NLM_F_MULTI, CMD_NEW_SERVICE, service(s, True))
    out += done()
    for s in spec:
        out += msg(NLM_F_REQUEST | NLM_F_DUMP, CMD_GET_DEST,
                   service(s, False))
        for d in s.get("dests", []):
            out += msg(NLM_F_MULTI, CMD_NEW_DEST, dest(d))
        out += done()
    return out


def main():
    with open(sys.argv[1]) as f:
        snap = json.load(f)
    with open(sys.argv[2]) as f:
        spec = json.load(f)
    if isinstance(spec, dict) and "swarm" in spec:
        sw = spec["swarm"]
        old = snap.get("swarm_ingress_sbox", {})
        snap["swarm_ingress_sbox"] = {
            "error": 0, "addrs": sw.get("addrs", old.get("addrs")),
            "marks": [dict(m, daddr=m.get("daddr", ["0.0.0.0", "255.255.255.255"]))
                      for m in sw.get("marks", old.get("marks"))],
            "marks_exact": sw.get("marks_exact", old.get("marks_exact", True)),
            "ipvs": {"recording": base64.b64encode(
                recording(sw["services"])).decode("ascii")}}
    else:
        snap["ipvs"] = {"recording":
                        base64.b64encode(recording(spec)).decode("ascii")}
    json.dump(snap, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
