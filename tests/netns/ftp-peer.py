#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ftp-peer.py - the two ends of a passive FTP data connection, for
tests/netns/ct-helper.sh (the kernel's nf_conntrack_ftp reads the server's
227/229 answers and expects the client's data connection).

  ftp-peer.py server             listen on [::]:21; to PASV (IPv4) or EPSV
                                 answer with a data port of our own, serve
                                 "data" on it; prints "ready"
  ftp-peer.py client SRC DST     from SRC, the control connection to DST:21,
                                 PASV or EPSV, then the data connection;
                                 prints JSON {"control", "data", "port"}:
                                 each "ok" or why not
  ftp-peer.py stranger SRC DST PORT
                                 a new connection from SRC to DST:PORT:
                                 prints "ok" or why not
Every wait is bounded (4 s); nothing runs forever but the server, which
the test ends by PID.
"""
import json
import socket
import sys
import threading

TIMEOUT = 4


def serve_data(ls):
    try:
        ls.settimeout(30)
        c, _ = ls.accept()
        c.sendall(b"data\r\n")
        c.close()
    except OSError:
        pass
    ls.close()


def serve_control(c):
    c.settimeout(30)
    try:
        c.sendall(b"220 fwaudit test\r\n")
        buf = b""
        while b"\n" not in buf:
            d = c.recv(512)
            if not d:
                return
            buf += d
        cmd = buf.split(b"\r\n")[0].strip().upper()
        local = c.getsockname()[0]
        fam = socket.AF_INET6 if ":" in local and not local.startswith("::ffff:") else socket.AF_INET
        addr = local[7:] if local.startswith("::ffff:") else local
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.bind((addr, 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        threading.Thread(target=serve_data, args=(ls,), daemon=True).start()
        if cmd == b"PASV":
            h = addr.replace(".", ",")
            c.sendall(b"227 Entering Passive Mode (%s,%d,%d)\r\n" %
                      (h.encode(), port >> 8, port & 255))
        else:
            c.sendall(b"229 Entering Extended Passive Mode (|||%d|)\r\n" % port)
        c.recv(512)
    except OSError:
        pass
    finally:
        c.close()


def server():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 21))
    s.listen(16)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_control, args=(c,), daemon=True).start()


def connect(src, dst, port):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.bind((src, 0))
    s.connect((dst, port))
    return s


def readline(s):
    buf = b""
    while b"\n" not in buf:
        d = s.recv(512)
        if not d:
            break
        buf += d
    return buf.decode(errors="replace")


def client(src, dst):
    out = {"control": "?", "data": "?", "port": None}
    try:
        c = connect(src, dst, 21)
        readline(c)
        out["control"] = "ok"
    except OSError as e:
        out["control"] = str(e)
        print(json.dumps(out))
        return
    try:
        c.sendall(b"EPSV\r\n" if ":" in dst else b"PASV\r\n")
        line = readline(c)
        if line.startswith("227"):
            n = line[line.index("(") + 1:line.index(")")].split(",")
            port = int(n[4]) * 256 + int(n[5])
        else:
            port = int(line.split("|||")[1].split("|")[0])
        out["port"] = port
        d = connect(src, dst, port)
        out["data"] = "ok" if readline(d).startswith("data") else "no data"
        d.close()
    except (OSError, ValueError, IndexError) as e:
        out["data"] = str(e) or type(e).__name__
    c.close()
    print(json.dumps(out))


def stranger(src, dst, port):
    try:
        connect(src, dst, int(port)).close()
        print("ok")
    except OSError as e:
        print(str(e) or type(e).__name__)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server()
    elif sys.argv[1] == "client":
        client(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "stranger":
        stranger(sys.argv[2], sys.argv[3], sys.argv[4])
