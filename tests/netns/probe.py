#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""probe.py - real probes for the engine tests (stdlib only).

Run inside the namespace the probes leave from (tests/netns/probe-lib.sh):

  probe.py tcp DST PORT [--src A] [--sport P] [--timeout S] [HEADER...]
  probe.py udp DST PORT [--src A] [--sport P] [--timeout S] [HEADER...]
      one probe; prints its outcome:
        tcp: connected (the listener's answer was read: the handshake
             and the connection's data got through both ways)
             | halfopen (a SYN-ACK, but no answer after it: the rest of
             the connection is dropped) | reset (a RST after the
             SYN-ACK, before any answer) | eof (a FIN without an answer)
             | refused (RST, or ICMP port unreachable, to the SYN)
             | unreachable (other ICMP) | timeout
        udp: reply | refused (ICMP port unreachable)
             | unreachable (other ICMP) | timeout (nothing came back)
      HEADER: --ttl N (IP_TTL / IPV6_UNICAST_HOPS), --tos N (IP_TOS /
      IPV6_TCLASS), --length N (udp: the IP packet's total length, by the
      payload's size); every packet of the probe carries them.
  probe.py batch [--parallel N] [--timeout S] [--budget S] < probes.json
      probes: [{"proto":"tcp","dst":..,"dport":..,"src":..,"sport":..}, ...]
      (src/sport optional; "ttl", "tos", "length" as HEADER above); writes
      the same list with "outcome" added, as JSON on stdout.  At most N
      sockets are open at once; the whole batch ends within --budget
      seconds (unfinished probes: "timeout").
      "variants": {"ttl": [1, 64, 255], "tos": [0, 184]} makes a probe a
      group: one probe per combination of the values (the sender's choice
      of header fields), each from its own ephemeral source port (a fixed
      source port: one after the other), and the group's outcome is its
      best one (connected/reply, refused, halfopen, ... timeout; once one
      gets through, the rest are not sent).  The result keeps the asked
      source port in "sport_asked", the sport and values of the best
      variant in "sport" and "variant", and every variant's outcome in
      "tried".
  probe.py serve SPEC...
      listeners, run in the node namespace: SPEC is tcp:ADDR:PORT (each
      connection gets an answer line at once), udp:ADDR:PORT (an echo),
      with ADDR "0.0.0.0", "[::]" (dual stack),
      "[::only]" ([::] with IPV6_V6ONLY) or one address ([...] for IPv6); PORT may be a
      range a-b.  Prints "ready" when every socket is bound.
  probe.py check AUDIT.json RESULTS.json [--reset-rejects]
      compares every probe's outcome with fwaudit's verdict; prints one
      JSON line per disagreement; exit 1 when there is one.
  probe.py gen --proto tcp,udp --dst A,B --src X,Y --sport 0,53 --ports 22,80-90
      the cross product as a probe list (sport 0: an ephemeral port;
      "--sample N --seed S" keeps N of them at random).
  probe.py ctflush
      empty this namespace's conntrack table (ctnetlink), so that one
      ruleset's connections do not make the next one's probes ESTABLISHED.
  probe.py verdict AUDIT.json FAMILY PROTO DST DPORT SRC SPORT IFACE
      the row of fwaudit's audit a probe falls in (debugging).
"""
import errno
import ipaddress
import json
import os
import random
import select
import selectors
import socket
import sys
import time

UNREACH = (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES,
           errno.EPERM, errno.EHOSTDOWN, errno.ENONET, errno.EPROTO)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sockaddr(addr, port):
    """(addr, port) for connect/bind; an IPv6 link-local address with a
    zone ("fe80::1%v1") gets its interface index as the scope id"""
    if ":" in addr and "%" in addr:
        host, _, zone = addr.partition("%")
        return (host, port, 0, socket.if_nametoindex(zone))
    return (addr, port)


def classify(err):
    if err == 0:
        return "connected"
    if err == errno.ECONNREFUSED:
        return "refused"
    if err in UNREACH:
        return "unreachable"
    if err in (errno.ETIMEDOUT,):
        return "timeout"
    return "error:" + errno.errorcode.get(err, str(err))


# the header fields a probe may set (its sender's choice), in the order
# the variants of a group are combined
HEADERS = ("ttl", "tos", "length")
IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)


class Probe:
    def __init__(self, spec):
        self.spec = spec
        self.proto = spec["proto"]
        self.dst = spec["dst"]
        self.dport = int(spec["dport"])
        self.src = spec.get("src")
        self.sport = int(spec.get("sport") or 0)
        self.hdr = {k: int(spec[k]) for k in HEADERS if spec.get(k) is not None}
        self.sock = None
        self.deadline = 0.0
        self.outcome = None
        self.payload = b""
        self.sent = False
        self.timeout = 0.0

    def start(self, timeout):
        fam = family_of(self.dst)
        typ = socket.SOCK_STREAM if self.proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(fam, typ)
        self.sock = s
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.proto == "tcp":
            # close with RST: no TIME_WAIT blocks the next probe from
            # the same source port
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
            # one SYN is enough: a retransmission would only stretch
            # the timeout
            try:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 1)
            except OSError:
                pass
        self.set_headers(fam)
        if self.src or self.sport:
            s.bind(sockaddr(self.src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"),
                            self.sport))
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        if self.proto == "tcp":
            err = s.connect_ex(sockaddr(self.dst, self.dport))
            self.record_sport()
            if err not in (0, errno.EINPROGRESS):
                self.finish(classify(err))
                return
            if err == 0:
                self.finish("connected")
        else:
            err = s.connect_ex(sockaddr(self.dst, self.dport))
            self.record_sport()
            if err:
                self.finish(classify(err))
                return
            self.payload = self.udp_payload(fam)
            try:
                s.send(self.payload)
            except OSError as e:
                self.finish(classify(e.errno))

    def set_headers(self, fam):
        # every packet of the socket carries them: a TCP probe's ACK and
        # data too, as a stranger's would
        v6 = fam == socket.AF_INET6
        if "ttl" in self.hdr:
            if v6:
                self.sock.setsockopt(socket.IPPROTO_IPV6,
                                     socket.IPV6_UNICAST_HOPS, self.hdr["ttl"])
            else:
                self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL,
                                     self.hdr["ttl"])
        if "tos" in self.hdr:
            if v6:
                self.sock.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS,
                                     self.hdr["tos"])
            else:
                self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS,
                                     self.hdr["tos"])

    def udp_payload(self, fam):
        tag = "fwa %s %d %d" % (self.dst, self.dport, random.getrandbits(32))
        if "length" not in self.hdr:
            return tag.encode()
        # the IP packet's total length: IP and UDP headers, then the
        # payload, padded (a short tag keeps small lengths possible)
        size = self.hdr["length"] - (48 if fam == socket.AF_INET6 else 28)
        tag = "fwa%08x" % random.getrandbits(32)
        if size < len(tag):
            raise ValueError("length %d is too short for a probe" % self.hdr["length"])
        return (tag + "." * (size - len(tag))).encode()

    def record_sport(self):
        # an ephemeral source port decides a sport match too: the
        # verdict is looked up with the one the kernel chose
        try:
            self.sport = self.sock.getsockname()[1]
        except OSError:
            pass

    def event(self):
        s = self.sock
        if self.proto == "tcp" and not self.sent:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.finish(classify(err))
                return
            # a SYN-ACK only says the SYN got in: the server has the
            # connection once our ACK and data get through too, and then
            # it answers (data, FIN or RST)
            try:
                s.send(b"GET / HTTP/1.0\r\n\r\n")
            except OSError as e:
                self.finish("halfopen" if e.errno == errno.EPIPE else classify(e.errno))
                return
            self.sent = True
            self.deadline = time.monotonic() + self.timeout
            return
        if self.proto == "tcp":
            # the listener's answer must be read: a SYN-ACK alone, or a
            # connection whose ACK or data the firewall drops, is not a
            # reached service
            try:
                data = s.recv(256)
            except OSError as e:
                self.finish("reset" if e.errno in (errno.ECONNRESET, errno.EPIPE)
                            else "halfopen")
                return
            self.finish("connected" if data else "eof")
            return
        try:
            data = s.recv(2048)
        except OSError as e:
            self.finish(classify(e.errno))
            return
        if data == self.payload:
            self.finish("reply")

    def finish(self, outcome):
        if self.outcome is None:
            self.outcome = outcome
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


# a group's outcome is its best variant's; from these on, the others
# need not be sent
RANK = {"connected": 6, "reply": 6, "refused": 5, "eof": 4, "reset": 3,
        "halfopen": 2, "unreachable": 1, "timeout": 0}
REACHED = ("connected", "reply", "refused")


def expand(specs):
    """The probes of a batch: one per spec, or one per combination of a
    spec's variants (same group), the first variants of every group
    first."""
    import itertools
    rounds = []
    for g, spec in enumerate(specs):
        var = spec.get("variants")
        base = {k: v for k, v in spec.items() if k != "variants"}
        if not var:
            combos = [{}]
        else:
            keys = [k for k in HEADERS if k in var]
            combos = [dict(zip(keys, vals)) for vals in
                      itertools.product(*[var[k] for k in keys])]
        for i, c in enumerate(combos):
            while len(rounds) <= i:
                rounds.append([])
            rounds[i].append((g, dict(base, **c)))
    return [x for r in rounds for x in r]


def run_batch(specs, parallel=256, timeout=1.0, budget=120.0):
    subs = expand(specs)
    probes = [Probe(sp) for _, sp in subs]
    group = [g for g, _ in subs]
    decided = set()
    busy = set()
    todo = list(range(len(probes)))
    active = {}
    sel = selectors.DefaultSelector()
    end = time.monotonic() + budget

    def key(p):
        # two probes from one fixed source port to one destination
        # cannot be open at once (and must not share a conntrack entry)
        return None if not p.sport else \
            (p.proto, p.src, p.sport, p.dst, p.dport)

    def done(i):
        p = probes[i]
        busy.discard(key(p))
        if p.outcome in REACHED:
            decided.add(group[i])

    def next_todo():
        for n, i in enumerate(todo):
            if group[i] in decided:
                continue
            if key(probes[i]) not in busy:
                del todo[n]
                return i
        return None

    while (todo or active) and time.monotonic() < end:
        todo[:] = [i for i in todo if group[i] not in decided]
        while todo and len(active) < parallel:
            i = next_todo()
            if i is None:
                break
            p = probes[i]
            try:
                p.start(timeout)
            except OSError as e:
                p.finish(classify(e.errno))
            if p.outcome is None:
                busy.add(key(p))
                ev = selectors.EVENT_WRITE if p.proto == "tcp" else selectors.EVENT_READ
                sel.register(p.sock, ev, i)
                active[p.sock.fileno()] = i
            else:
                done(i)
        now = time.monotonic()
        wait = min([probes[i].deadline for i in active.values()] + [end]) - now
        for k, _ in sel.select(max(0.0, min(wait, 0.2))):
            i = k.data
            p = probes[i]
            fd = k.fd
            sel.unregister(p.sock)
            p.event()
            if p.outcome is None:
                sel.register(p.sock, selectors.EVENT_READ, i)
            else:
                active.pop(fd, None)
                done(i)
        now = time.monotonic()
        for fd, i in list(active.items()):
            p = probes[i]
            if p.outcome is None and now >= p.deadline:
                sel.unregister(p.sock)
                p.finish("halfopen" if p.sent else "timeout")
            if p.outcome is not None:
                active.pop(fd, None)
                done(i)
    out = []
    for g, spec in enumerate(specs):
        best = None
        tried = []
        for i in range(len(probes)):
            p = probes[i]
            if group[i] != g or (p.outcome is None and not p.sent and
                                 p.sock is None and g in decided):
                continue
            if p.outcome is None:
                p.finish("halfopen" if p.sent else "timeout")
            tried.append((p, p.outcome))
            if best is None or RANK.get(p.outcome, -1) > RANK.get(best.outcome, -1):
                best = p
        d = dict(spec)
        d["sport"] = best.sport
        d["outcome"] = best.outcome
        if spec.get("variants"):
            d["sport_asked"] = int(spec.get("sport") or 0)
            d["variant"] = best.hdr
            d["tried"] = [",".join("%s=%d" % kv for kv in sorted(p.hdr.items())) +
                          ":" + o for p, o in tried]
        out.append(d)
    return out


# ---------------------------------------------------------------------
# listeners

LENIENT = False
ANSWER = b"fwa probe.py\r\n"


def serve(specs):
    socks = []
    for spec in specs:
        proto, rest = spec.split(":", 1)
        addr, ports = rest.rsplit(":", 1)
        addr = addr.strip("[]")
        v6only = None
        if addr == "::only":
            addr, v6only = "::", 1
        elif addr == "::":
            v6only = 0
        lo, _, hi = ports.partition("-")
        for port in range(int(lo), int(hi or lo) + 1):
            fam = family_of(addr)
            s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp"
                              else socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6 and v6only is not None:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
            try:
                s.bind(sockaddr(addr, port))
            except OSError as e:
                if not LENIENT:
                    raise
                print("unbound %s %s %d: %s" % (proto, addr, port, e), flush=True)
                s.close()
                continue
            if proto == "tcp":
                s.listen(512)
            s.setblocking(False)
            socks.append((proto, s))
    print("ready", flush=True)
    sel = selectors.DefaultSelector()
    for proto, s in socks:
        sel.register(s, selectors.EVENT_READ, proto)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == "tcp":
                    # the answer a client must read: the connection is
                    # only reached when it gets back (the firewall may
                    # drop the handshake's ACK or the data)
                    c, _ = s.accept()
                    c.setblocking(False)
                    c.send(ANSWER)
                    sel.register(c, selectors.EVENT_READ, "conn")
                elif key.data == "conn":
                    # read the request until the client goes (closing
                    # with unread data would answer with a RST)
                    if not s.recv(4096):
                        raise OSError(errno.ECONNRESET, "closed")
                else:
                    data, peer = s.recvfrom(4096)
                    s.sendto(data, peer)
            except BlockingIOError:
                pass
            except OSError:
                if key.data == "conn":
                    sel.unregister(s)
                    s.close()


# ---------------------------------------------------------------------
# fwaudit's verdict for one probe

# the node's own addresses (check --node-addrs): a row's "*" means every
# one of them, and a probe to another address (a container's, reached by
# direct routing) is in no such row; None: every address
NODE_ADDRS = None


def _in_addrs(text, addr):
    # a link-local destination carries its scope ("fe80::1%v1"): the
    # address compared is the one before it
    addr = addr.split("%")[0]
    if text == "*":
        if NODE_ADDRS is None:
            return True
        a = ipaddress.ip_address(addr)
        return a in NODE_ADDRS or a.is_loopback
    a = ipaddress.ip_address(addr)
    for p in text.split(","):
        p = p.strip()
        if not p:
            continue
        try:
            if a in ipaddress.ip_network(p, strict=False):
                return True
        except ValueError:
            pass
    return False


def _in_ifaces(names, iface):
    for n in names:
        if n == "*" or n == iface:
            return True
        if n.endswith("*") and iface.startswith(n[:-1]):
            return True
    return False


def row_matches(row, probe, iface):
    fam = "ipv6" if ":" in probe["dst"] else "ipv4"
    if row["family"] != fam or row["protocol"] != probe["proto"]:
        return False
    lo, hi = row["ports"]
    if not lo <= int(probe["dport"]) <= hi:
        return False
    if not _in_addrs(row["address"], probe["dst"]):
        return False
    # a direct-routing row's container network holds the node's own
    # address on the bridge, which is the node's, not the network's
    if row.get("route") == "direct" and NODE_ADDRS is not None and \
            ipaddress.ip_address(probe["dst"]) in NODE_ADDRS:
        return False
    src = probe.get("src")
    if src and not any(_in_addrs(p, src) for p in row["sources"]):
        return False
    sp = row.get("source_ports")
    if sp:
        sport = int(probe.get("sport") or 0)
        if not any(a <= sport <= b for a, b in sp):
            return False
    return _in_ifaces(row.get("interfaces") or ["*"], iface)


def verdict(audit, probe, iface):
    rows = [r for r in audit.get("exposures", []) if row_matches(r, probe, iface)]
    return rows


def split_rows(rows):
    """rows that only differ by their DNAT backend, each definite and in
    one state: a random split between backends (kube-proxy's statistic /
    numgen), where the kernel picks one of them for each connection and
    every one of them is a verdict on the probe"""
    keys = {(r["state"], r["path"], r.get("certainty")) for r in rows}
    backends = [json.dumps(r.get("backend"), sort_keys=True) for r in rows]
    return (len(keys) == 1 and next(iter(keys))[1] == "forward"
            and next(iter(keys))[2] == "definite"
            and len(set(backends)) == len(backends))


def check(audit, results, iface, reset_rejects=False, recheck=None):
    """Disagreements of results with audit.  With recheck (a list), the
    probes whose first outcome cannot tell are added to it instead: a
    refused TCP probe fwaudit calls closed (the SYN got in, a later packet
    of the connection would not), and each probe of an "open" row; they
    are sent again with a listener on their port (check_second).  A
    refused UDP probe fwaudit calls closed (a ruleset that rejects with
    port unreachable) is sent again the same way: with a listener it must
    still get no answer."""
    bad = []
    for p in results:
        rows = verdict(audit, p, iface)
        out = p["outcome"]
        if len(rows) > 1 and split_rows(rows):
            rows = rows[:1]
        if len(rows) > 1:
            bad.append({"probe": p, "why": "probe falls in %d rows" % len(rows),
                        "rows": rows})
            continue
        row = rows[0] if rows else None
        if row and row.get("certainty") == "possible":
            continue
        got = "connected" if out in ("connected", "reply") else out
        if recheck is not None and (
                (row is None and got == "refused") or
                (row is not None and row["state"] == "open" and got == "refused")):
            q = dict(p, fwaudit="closed" if row is None else "open")
            if "sport_asked" in q:
                # a group's variants again from their own ports
                q["sport"] = q.pop("sport_asked")
            recheck.append(q)
            continue
        if row is None:
            # closed: dropped (timeout) or rejected; a RST/port
            # unreachable only where the ruleset rejects that way
            ok = got in ("timeout", "unreachable", "halfopen") or \
                (reset_rejects and got in ("refused", "reset"))
            want = "closed"
        elif row["state"] == "exposed":
            ok = got == "connected"
            want = "exposed"
        else:
            ok = got == "refused"
            want = "open"
        if not ok:
            bad.append({"probe": p, "fwaudit": want, "kernel": out, "row": row})
    return bad


def ctflush():
    import struct
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    for seq, fam in enumerate((socket.AF_INET, socket.AF_INET6), 1):
        # IPCTNL_MSG_CT_DELETE of ctnetlink without a tuple: flush
        msg = struct.pack("=IHHII", 20, (1 << 8) | 2, 1 | 4, seq, 0) + \
            struct.pack("=BBH", fam, 0, 0)
        s.send(msg)
        data = s.recv(4096)
        err = struct.unpack_from("=i", data, 16)[0]
        if err and err != -errno.ENOENT:
            raise OSError(-err, "conntrack flush: " + os.strerror(-err))
    s.close()


def _ports(text):
    out = []
    for part in text.split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def gen(args):
    out = []
    srcs = [s for s in args.src.split(",") if s] or [None]
    for proto in args.proto.split(","):
        for dst in args.dst.split(","):
            for src in srcs:
                if src and (":" in src) != (":" in dst):
                    continue
                for sport in _ports(args.sport):
                    for dport in _ports(args.ports):
                        p = {"proto": proto, "dst": dst, "dport": dport,
                             "sport": sport}
                        if src:
                            p["src"] = src
                        out.append(p)
    if args.sample and args.sample < len(out):
        out = random.Random(args.seed).sample(out, args.sample)
    return out


def check_second(audit, results, iface):
    """The second round: a listener now answers on each probe's port; a
    probe of an "open" row must connect, a "closed" one must not."""
    bad = []
    for p in results:
        got = "connected" if p["outcome"] in ("connected", "reply") else p["outcome"]
        if p.get("unbound"):
            continue
        if (p["fwaudit"] == "open") != (got == "connected"):
            rows = verdict(audit, p, iface)
            bad.append({"probe": p, "fwaudit": p["fwaudit"],
                        "kernel": "with a listener: " + p["outcome"],
                        "row": rows[0] if rows else None})
    return bad


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="probe.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for proto in ("tcp", "udp"):
        a = sub.add_parser(proto)
        a.add_argument("dst")
        a.add_argument("dport", type=int)
        a.add_argument("--src")
        a.add_argument("--sport", type=int, default=0)
        a.add_argument("--timeout", type=float, default=1.5)
        for h in HEADERS:
            a.add_argument("--" + h, type=int)
    a = sub.add_parser("batch")
    a.add_argument("--parallel", type=int, default=256)
    a.add_argument("--timeout", type=float, default=1.0)
    a.add_argument("--budget", type=float, default=120.0)
    a = sub.add_parser("serve")
    a.add_argument("spec", nargs="+")
    a.add_argument("--lenient", action="store_true",
                   help="skip a port already in use")
    a = sub.add_parser("check")
    a.add_argument("audit")
    a.add_argument("results")
    a.add_argument("--iface", default="v0")
    a.add_argument("--reset-rejects", action="store_true")
    a.add_argument("--recheck", help="write the probes to send again here")
    a.add_argument("--second", action="store_true",
                   help="RESULTS are the second round's")
    a.add_argument("--node-addrs", default=None,
                   help="the node's own addresses, comma separated: "
                   "rows for \"*\" hold only those")
    sub.add_parser("ctflush")
    a = sub.add_parser("gen")
    a.add_argument("--proto", default="tcp")
    a.add_argument("--dst", required=True)
    a.add_argument("--src", default="")
    a.add_argument("--sport", default="0")
    a.add_argument("--ports", required=True)
    a.add_argument("--sample", type=int, default=0)
    a.add_argument("--seed", type=int, default=0)
    a = sub.add_parser("verdict")
    a.add_argument("audit")
    a.add_argument("proto")
    a.add_argument("dst")
    a.add_argument("dport", type=int)
    a.add_argument("src")
    a.add_argument("sport", type=int)
    a.add_argument("--iface", default="v0")
    args = ap.parse_args(argv)

    if args.cmd in ("tcp", "udp"):
        spec = {"proto": args.cmd, "dst": args.dst, "dport": args.dport,
                "src": args.src, "sport": args.sport}
        spec.update({h: getattr(args, h) for h in HEADERS
                     if getattr(args, h) is not None})
        r = run_batch([spec], 1, args.timeout, args.timeout + 1)
        print(r[0]["outcome"])
        return 0
    if args.cmd == "batch":
        specs = json.load(sys.stdin)
        json.dump(run_batch(specs, args.parallel, args.timeout, args.budget),
                  sys.stdout)
        sys.stdout.write("\n")
        return 0
    if args.cmd == "serve":
        global LENIENT
        LENIENT = args.lenient
        serve(args.spec)
        return 0
    if args.cmd == "check":
        global NODE_ADDRS
        if args.node_addrs is not None:
            NODE_ADDRS = {ipaddress.ip_address(a)
                          for a in args.node_addrs.split(",") if a}
        with open(args.audit) as f:
            audit = json.load(f)
        with open(args.results) as f:
            results = json.load(f)
        if args.second:
            bad = check_second(audit, results, args.iface)
        else:
            again = [] if args.recheck else None
            bad = check(audit, results, args.iface, args.reset_rejects, again)
            if args.recheck:
                with open(args.recheck, "w") as f:
                    json.dump(again, f)
        for b in bad:
            print(json.dumps(b, sort_keys=True))
        return 1 if bad else 0
    if args.cmd == "ctflush":
        ctflush()
        return 0
    if args.cmd == "gen":
        print(json.dumps(gen(args)))
        return 0
    if args.cmd == "verdict":
        with open(args.audit) as f:
            audit = json.load(f)
        p = {"proto": args.proto, "dst": args.dst, "dport": args.dport,
             "src": args.src, "sport": args.sport}
        print(json.dumps(verdict(audit, p, args.iface), indent=1))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
