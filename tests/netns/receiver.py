# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/receiver.py - a Standard Webhooks receiver for the tests
# (webhook.sh, daemon-webhook.sh): verifies webhook-signature with the key
# file, logs one JSON line per request (id, attempt, status, sig_ok, ...)
# so that the test can check delivery and count duplicates by webhook-id.
#   receiver.py key=FILE log=FILE portfile=FILE [port=N] [mode=ok|fail-first|
#               429|slow|slowall|status] [arg=X] [cert=F certkey=F]
import base64, hashlib, hmac, http.server, json, socketserver, sys, threading, time

args = dict(a.split("=", 1) for a in sys.argv[1:])
key = open(args["key"], "rb").read().split(b"\n")[0].rstrip()
if key.startswith(b"whsec_"):
    key = base64.b64decode(key[6:])
mode = args.get("mode", "ok")
arg = float(args.get("arg", "0"))
attempts = {}
lock = threading.Lock()
log = open(args["log"], "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 1 << 20))
        wid = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp", "")
        sigs = self.headers.get("webhook-signature", "").split()
        want = "v1," + base64.b64encode(hmac.new(
            key, wid.encode() + b"." + ts.encode() + b"." + body,
            hashlib.sha256).digest()).decode()
        sig_ok = any(hmac.compare_digest(s, want) for s in sigs)
        try:
            ts_ok = abs(time.time() - int(ts)) < 300
        except ValueError:
            ts_ok = False
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        with lock:
            attempts[wid] = attempts.get(wid, 0) + 1
            a = attempts[wid]
        status, extra = 200, {}
        if mode == "fail-first" and a <= arg:
            status = 500
        elif mode == "429" and a == 1:
            status, extra = 429, {"Retry-After": "1"}
        elif mode == "slow" and a == 1:
            time.sleep(arg)
        elif mode == "slowall":
            time.sleep(arg)
        elif mode == "status":
            status = int(arg)
        if not sig_ok or not ts_ok:
            status = 401
        rec = {"id": wid, "t": time.time(), "attempt": a, "status": status,
               "sig_ok": sig_ok, "ts_ok": ts_ok, "path": self.path,
               "ctype": self.headers.get("Content-Type", ""),
               "body": "list" if isinstance(doc, list) else
                       "object" if isinstance(doc, dict) else "bad",
               "body_id": doc.get("id") if isinstance(doc, dict) else None}
        try:
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            rec["answered"] = True
        except OSError:
            rec["answered"] = False
        log.write(json.dumps(rec) + "\n")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

srv = S(("127.0.0.1", int(args.get("port", "0"))), H)
if "cert" in args:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args["cert"], args["certkey"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(args["portfile"] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args["portfile"] + ".tmp", args["portfile"])
srv.serve_forever()
