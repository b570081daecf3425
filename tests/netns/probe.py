#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""probe.py - real probes for the engine tests (stdlib only).

Run inside the namespace the probes leave from (tests/netns/probe-lib.sh):

  probe.py tcp DST PORT [--src A] [--sport P] [--timeout S]
  probe.py udp DST PORT [--src A] [--sport P] [--timeout S]
      one probe; prints its outcome:
        tcp: connected (the server answered a request: the handshake
             completed) | halfopen (a SYN-ACK, but nothing after it: the
             rest of the connection is dropped) | refused (RST, or ICMP
             port unreachable) | unreachable (other ICMP) | timeout
        udp: reply | refused (ICMP port unreachable)
             | unreachable (other ICMP) | timeout (nothing came back)
  probe.py batch [--parallel N] [--timeout S] [--budget S] < probes.json
      probes: [{"proto":"tcp","dst":..,"dport":..,"src":..,"sport":..}, ...]
      (src/sport optional); writes the same list with "outcome" added, as
      JSON on stdout.  At most N sockets are open at once; the whole batch
      ends within --budget seconds (unfinished probes: "timeout").
  probe.py serve SPEC...
      listeners, run in the node namespace: SPEC is tcp:ADDR:PORT,
      udp:ADDR:PORT (an echo), with ADDR "0.0.0.0", "[::]" (dual stack),
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


class Probe:
    def __init__(self, spec):
        self.spec = spec
        self.proto = spec["proto"]
        self.dst = spec["dst"]
        self.dport = int(spec["dport"])
        self.src = spec.get("src")
        self.sport = int(spec.get("sport") or 0)
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
            self.payload = ("fwa %s %d %d" % (self.dst, self.dport,
                                              random.getrandbits(32))).encode()
            try:
                s.send(self.payload)
            except OSError as e:
                self.finish(classify(e.errno))

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
            try:
                s.recv(1)
            except OSError as e:
                if e.errno not in (errno.ECONNRESET, errno.EPIPE):
                    self.finish("halfopen")
                    return
            self.finish("connected")
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


def run_batch(specs, parallel=256, timeout=1.0, budget=120.0):
    probes = [Probe(s) for s in specs]
    todo = list(reversed(probes))
    active = {}
    sel = selectors.DefaultSelector()
    end = time.monotonic() + budget
    while (todo or active) and time.monotonic() < end:
        while todo and len(active) < parallel:
            p = todo.pop()
            try:
                p.start(timeout)
            except OSError as e:
                p.finish(classify(e.errno))
            if p.outcome is None:
                ev = selectors.EVENT_WRITE if p.proto == "tcp" else selectors.EVENT_READ
                sel.register(p.sock, ev, p)
                active[p.sock.fileno()] = p
        now = time.monotonic()
        wait = min([p.deadline for p in active.values()] + [end]) - now
        for key, _ in sel.select(max(0.0, min(wait, 0.2))):
            p = key.data
            fd = key.fd
            sel.unregister(p.sock)
            p.event()
            if p.outcome is None:
                sel.register(p.sock, selectors.EVENT_READ, p)
            else:
                active.pop(fd, None)
        now = time.monotonic()
        for fd, p in list(active.items()):
            if p.outcome is None and now >= p.deadline:
                sel.unregister(p.sock)
                p.finish("halfopen" if p.sent else "timeout")
            if p.outcome is not None:
                active.pop(fd, None)
    for p in probes:
        if p.outcome is None:
            p.finish("halfopen" if p.sent else "timeout")
    out = []
    for p in probes:
        d = dict(p.spec)
        d["sport"] = p.sport
        d["outcome"] = p.outcome
        out.append(d)
    return out


# ---------------------------------------------------------------------
# listeners

LENIENT = False


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
                    c, _ = s.accept()
                    c.close()
                else:
                    data, peer = s.recvfrom(4096)
                    s.sendto(data, peer)
            except OSError:
                pass


# ---------------------------------------------------------------------
# fwaudit's verdict for one probe

def _in_addrs(text, addr):
    if text == "*":
        return True
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
            recheck.append(dict(p, fwaudit="closed" if row is None else "open"))
            continue
        if row is None:
            # closed: dropped (timeout) or rejected; a RST/port
            # unreachable only where the ruleset rejects that way
            ok = got in ("timeout", "unreachable", "halfopen") or \
                (reset_rejects and got == "refused")
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
        r = run_batch([{"proto": args.cmd, "dst": args.dst, "dport": args.dport,
                        "src": args.src, "sport": args.sport}],
                      1, args.timeout, args.timeout + 1)
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
