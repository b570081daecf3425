# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/receiver.py - a Standard Webhooks receiver for the tests
# (webhook.sh, daemon-webhook.sh): verifies webhook-signature with the key
# file, logs one JSON line per request (id, attempt, status, sig_ok, ...)
# so that the test can check delivery and count duplicates by webhook-id.
#   receiver.py key=FILE log=FILE portfile=FILE [port=N] [mode=ok|fail-first|
#               429|slow|slowall|status] [arg=X] [cert=F certkey=F]
#               [bearer=FILE] [oauth_id=FILE oauth_secret=FILE [ttl=S]
#               [token_down=FLAGFILE] [revoke=FLAGFILE]]
# Credentials (issue 20): with bearer=FILE a request without
# "Authorization: Bearer <first line of FILE>" gets 401.  With oauth_*, it
# is also an OAuth 2.0 token endpoint at POST /token (client credentials
# grant, client_secret_basic or _post checked against the files); it issues
# random tokens valid ttl seconds (default 60), and a hook request needs one
# of those, unexpired.  While token_down exists /token answers 503; when
# revoke appears, every token issued so far is forgotten (once).  Token
# requests are logged as {"token": ...} lines, without any secret.
import base64, hashlib, hmac, http.server, json, os, secrets, socketserver, sys, threading, time
import urllib.parse

args = dict(a.split("=", 1) for a in sys.argv[1:])
key = open(args["key"], "rb").read().split(b"\n")[0].rstrip()
if key.startswith(b"whsec_"):
    key = base64.b64decode(key[6:])
mode = args.get("mode", "ok")
arg = float(args.get("arg", "0"))
attempts = {}
lock = threading.Lock()
def first_line(path):
    return open(path, "rb").read().split(b"\n")[0].rstrip().decode()
bearer = first_line(args["bearer"]) if "bearer" in args else None
oauth = (first_line(args["oauth_id"]), first_line(args["oauth_secret"])) \
    if "oauth_id" in args else None
ttl = int(args.get("ttl", "60"))
tokens = {}     # token -> expiry
revoked = [False]
log = open(args["log"], "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body=b"ok", ctype="text/plain", extra=None):
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def token_endpoint(self, body):
        rec = {"token": True, "t": time.time()}
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        auth = self.headers.get("Authorization", "")
        if "token_down" in args and os.path.exists(args["token_down"]):
            rec["status"] = 503
            self.answer(503, b'{"error":"temporarily_unavailable"}',
                        "application/json")
        else:
            if auth.startswith("Basic "):
                rec["client_auth"] = "basic"
                try:
                    u, p = base64.b64decode(auth[6:]).decode().split(":", 1)
                    cid, csec = urllib.parse.unquote(u), urllib.parse.unquote(p)
                except ValueError:
                    cid = csec = None
            else:
                rec["client_auth"] = "post"
                cid = form.get("client_id", [None])[0]
                csec = form.get("client_secret", [None])[0]
            rec["grant_ok"] = form.get("grant_type") == ["client_credentials"]
            rec["scope"] = form.get("scope", [None])[0]
            rec["client_ok"] = (cid, csec) == oauth
            if not rec["client_ok"]:
                rec["status"] = 401
                self.answer(401, b'{"error":"invalid_client"}',
                            "application/json")
            elif not rec["grant_ok"]:
                rec["status"] = 400
                self.answer(400, b'{"error":"unsupported_grant_type"}',
                            "application/json")
            else:
                tok = "fwatok-" + secrets.token_urlsafe(16)
                with lock:
                    tokens[tok] = time.time() + ttl
                rec["status"] = 200
                self.answer(200, json.dumps({
                    "access_token": tok, "token_type": "Bearer",
                    "expires_in": ttl}).encode(), "application/json")
        log.write(json.dumps(rec) + "\n")

    def auth_ok(self):
        auth = self.headers.get("Authorization", "")
        if bearer is not None:
            return auth == "Bearer " + bearer
        if oauth is not None:
            if "revoke" in args and os.path.exists(args["revoke"]) and \
                    not revoked[0]:
                with lock:
                    tokens.clear()
                    revoked[0] = True
            tok = auth[7:] if auth.startswith("Bearer ") else ""
            with lock:
                return tokens.get(tok, 0) > time.time()
        return True

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 1 << 20))
        if oauth is not None and self.path == "/token":
            return self.token_endpoint(body)
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
        auth_ok = self.auth_ok()
        if not auth_ok:
            status = 401
        rec = {"auth_ok": auth_ok,"id": wid, "t": time.time(), "attempt": a, "status": status,
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
