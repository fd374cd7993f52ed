"""test_sim.py: hqr-platform-sim on its own, behind a throwaway nginx, against PLATFORM.md's rules.

Self-contained: a module fixture starts the simulator on a unix socket in a temporary directory,
a private nginx in front of it on a free loopback port (and a second server that presents callers
as a foreign address), and a small stand-in for the service's server URL that records pushes.
Everything is stopped at the end, whatever happens. HQR_BUILD picks the build directory
(default "build"); HQR_SIM_BIN overrides the binary.
"""
import base64
import concurrent.futures
import hashlib
import http.server
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import children_of, pid_alive
from helpers import fcgi_ask, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("HQR_BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
SIM_BIN = os.environ.get("HQR_SIM_BIN") or os.path.join(BUILD, "hqr-platform-sim")

APPID = "wx5im0a1b2c3d4e5f6"
SECRET = "0123456789abcdef0123456789abcdef"
PUSH_TOKEN = "pushT0ken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
AUTH_DOMAIN = "auth.example.test:8443"
FOREIGN_IP = "203.0.113.9"

RID = re.compile(r", rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
CODE = re.compile(r"^[0-9A-Za-z]{32}$")
TYPE = "application/json; encoding=utf-8"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def stop(proc, sig=signal.SIGTERM, seconds=10):
    """Stops one process we started, by its pid only."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# ---- the safe-mode cipher, through the openssl command (no Python crypto package needed) ----

AES_RAW = base64.b64decode(AES_KEY + "=")


def _openssl(mode, data):
    p = subprocess.run(["openssl", "enc", mode, "-aes-256-cbc", "-nopad", "-K", AES_RAW.hex(),
                        "-iv", AES_RAW[:16].hex()], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    return p.stdout


def wx_decrypt(b64):
    plain = _openssl("-d", base64.b64decode(b64))
    pad = plain[-1]
    assert 1 <= pad <= 32 and plain.endswith(bytes([pad]) * pad)
    plain = plain[:-pad]
    n = struct.unpack(">I", plain[16:20])[0]
    return plain[20:20 + n], plain[20 + n:]


def wx_encrypt(msg, appid=APPID):
    plain = os.urandom(16) + struct.pack(">I", len(msg)) + msg + appid.encode()
    pad = 32 - len(plain) % 32
    return base64.b64encode(_openssl("-e", plain + bytes([pad]) * pad)).decode()


def sha1_sorted(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


# ---- a stand-in for the service's server URL ----

class FakeService:
    """Records every push and answers like the service: a text reply, optionally slow once."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.slow_next = 0          # how many coming requests sleep past the platform's 5 s
        self.reply = "success"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                with outer.lock:
                    outer.requests.append({"path": self.path, "query": q, "body": body})
                    slow = outer.slow_next > 0
                    if slow:
                        outer.slow_next -= 1
                if slow:
                    time.sleep(6)
                reply = outer.reply.encode()
                if q.get("encrypt_type") == "aes" and outer.reply != "success":
                    enc = wx_encrypt(reply)
                    ts, nonce = "1700000000", "778899"
                    sig = sha1_sorted(PUSH_TOKEN, ts, nonce, enc)
                    reply = (f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt><MsgSignature><![CDATA[{sig}]]>"
                             f"</MsgSignature><TimeStamp>{ts}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce>"
                             "</xml>").encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the platform gave up on this try

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/platform/callback"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


NGINX_CONF = """\
daemon off;
worker_processes 1;
{user}
pid {d}/nginx.pid;
error_log {d}/nginx-error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {d}/nginx-access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    fastcgi_read_timeout 60s;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            fastcgi_pass unix:{sock};
            include /etc/nginx/fastcgi_params;
            fastcgi_param REQUEST_URI $request_uri;
        }}
    }}
    # The same simulator as seen from a non-loopback caller.
    server {{
        listen 127.0.0.1:{foreign_port};
        location / {{
            fastcgi_pass unix:{sock};
            fastcgi_param QUERY_STRING $query_string;
            fastcgi_param REQUEST_METHOD $request_method;
            fastcgi_param CONTENT_TYPE $content_type;
            fastcgi_param CONTENT_LENGTH $content_length;
            fastcgi_param REQUEST_URI $request_uri;
            fastcgi_param REMOTE_ADDR {foreign_ip};
        }}
    }}
}}
"""


class Sim:
    def __init__(self, base, foreign, service, tmp):
        self.base, self.foreign, self.service, self.tmp = base, foreign, service, tmp
        self.http = requests.Session()

    def get(self, path, **kw):
        kw.setdefault("timeout", 30)
        return self.http.get(self.base + path, **kw)

    def post(self, path, **kw):
        kw.setdefault("timeout", 30)
        return self.http.post(self.base + path, **kw)

    def ctl(self, method, path, body=None, status=None):
        r = self.http.request(method, self.base + "/sim/" + path, json=body, timeout=30)
        if status is not None:
            assert r.status_code == status, r.text
        return r

    def user(self, openid, **fields):
        r = self.ctl("POST", "users", dict(openid=openid, **fields))
        assert r.status_code in (200, 201), r.text
        return r.json()

    def advance(self, seconds):
        self.ctl("POST", "clock", {"advance_s": seconds}, 200)

    def fault(self, endpoint, kind, **kw):
        self.ctl("POST", "faults", dict(endpoint=endpoint, kind=kind, **kw), 201)

    def token(self):
        r = self.get("/cgi-bin/token", params=[("grant_type", "client_credential"), ("appid", APPID),
                                               ("secret", SECRET)])
        return r.json()["access_token"]

    def authorize(self, openid, scope="snsapi_base", state="st4te",
                  redirect=f"https://{AUTH_DOMAIN}/api/v1/login/callback"):
        params = [("appid", APPID), ("redirect_uri", redirect), ("response_type", "code"),
                  ("scope", scope), ("state", state), ("sim_user", openid)]
        r = self.get("/connect/oauth2/authorize", params=params, allow_redirects=False)
        assert r.status_code == 302, r.text
        loc = r.headers["Location"]
        return urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["code"][0]

    def exchange(self, code, secret=SECRET, appid=APPID):
        return self.get("/sns/oauth2/access_token", params=[
            ("appid", appid), ("secret", secret), ("code", code),
            ("grant_type", "authorization_code")]).json()

    def jscode(self, openid):
        return self.ctl("POST", "jscode", {"openid": openid}, 201).json()["code"]

    def session(self, code, secret=SECRET):
        return self.get("/sns/jscode2session", params=[
            ("appid", APPID), ("secret", secret), ("js_code", code),
            ("grant_type", "authorization_code")]).json()

    def api(self, path, token, body):
        return self.post(path, params={"access_token": token}, json=body).json()

    def token_state(self, token):
        """The errcode the platform gives this token (0: it works), through a send to nobody."""
        r = self.api("/cgi-bin/message/template/send", token,
                     {"touser": "nobody-here", "template_id": "tmpl_reminder", "data": {}})
        return 0 if r["errcode"] == 40003 else r["errcode"]


@pytest.fixture(scope="module")
def sim():
    if not os.access(SIM_BIN, os.X_OK):
        pytest.fail(f"{SIM_BIN} is not built (make build/hqr-platform-sim)")
    if shutil.which("nginx") is None:
        pytest.fail("nginx is not installed")
    tmp = tempfile.mkdtemp(prefix="hqr-sim-test-")
    service = FakeService()
    sim_proc = nginx = None
    sim_log = open(os.path.join(tmp, "sim.log"), "wb")
    try:
        sock = os.path.join(tmp, "sim.sock")
        sim_proc = subprocess.Popen(
            [SIM_BIN, "serve", "-s", sock, "-a", APPID, "-k", SECRET, "-t", PUSH_TOKEN, "-e", AES_KEY,
             "-d", AUTH_DOMAIN, "-u", service.url(), "-n", "32"],
            stdout=sim_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_until(lambda: os.path.exists(sock) or sim_proc.poll() is not None, 10, "the simulator's socket")
        assert sim_proc.poll() is None, open(os.path.join(tmp, "sim.log")).read()
        port, foreign_port = free_port(), free_port()
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(tmp, "tmp", sub))
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(user="user root root;" if os.geteuid() == 0 else "", d=tmp,
                                      port=port, foreign_port=foreign_port, sock=sock,
                                      foreign_ip=FOREIGN_IP))
        nginx = subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "nginx-error.log")],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: (port_open(port) and port_open(foreign_port)) or nginx.poll() is not None, 10, "nginx")
        assert nginx.poll() is None, open(os.path.join(tmp, "nginx-error.log")).read()
        yield Sim(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{foreign_port}", service, tmp)
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(sim_proc)
        sim_log.close()
        service.close()
        if os.environ.get("HQR_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
    # A clean stop: the simulator drained and exited by itself.
    assert sim_proc.returncode == 0, f"simulator exited with {sim_proc.returncode}"


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.ctl("POST", "reset", status=200)
    with sim.service.lock:
        sim.service.requests.clear()
        sim.service.slow_next = 0
        sim.service.reply = "success"
    yield


def assert_err(r, code):
    """A platform error: HTTP 200, the JSON type, errcode, and errmsg ending with a rid."""
    if isinstance(r, requests.Response):
        assert r.status_code == 200
        assert r.headers["Content-Type"] == TYPE
        r = r.json()
    assert r["errcode"] == code, r
    assert RID.search(r["errmsg"]), r["errmsg"]


# ---- web OAuth ----

def authorize_raw(sim, query):
    return sim.get("/connect/oauth2/authorize?" + query, allow_redirects=False)


def q(**kw):
    return "&".join(f"{k}={v}" for k, v in kw.items())


ENC_CB = urllib.parse.quote(f"https://{AUTH_DOMAIN}/api/v1/login/callback", safe="")


def test_authorize_sim_user_redirects_with_code_and_state(sim):
    r = authorize_raw(sim, q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base",
                             state="abc123", sim_user="oSimRedirect0001"))
    assert r.status_code == 302
    loc = r.headers["Location"]
    m = re.fullmatch(rf"https://{re.escape(AUTH_DOMAIN)}/api/v1/login/callback\?code=([0-9A-Za-z]{{32}})&state=abc123", loc)
    assert m, loc
    # An unknown sim_user became a plain test user with a unionid.
    users = {u["openid"]: u for u in sim.ctl("GET", "users", status=200).json()}
    assert users["oSimRedirect0001"]["unionid"]


def test_authorize_appends_before_fragment_and_after_query(sim):
    cb = urllib.parse.quote(f"https://{AUTH_DOMAIN}/cb?x=1#top", safe="")
    r = authorize_raw(sim, q(appid=APPID, redirect_uri=cb, response_type="code", scope="snsapi_userinfo",
                             state="", sim_user="oSimFragment0001"))
    assert r.status_code == 302
    assert re.fullmatch(rf"https://{re.escape(AUTH_DOMAIN)}/cb\?x=1&code=[0-9A-Za-z]{{32}}&state=#top",
                        r.headers["Location"]), r.headers["Location"]


def test_authorize_page_lists_test_users(sim):
    sim.user("oSimListed000001", nickname="Listed <b>")
    r = authorize_raw(sim, q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base",
                             state="s1"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "sim_user=oSimListed000001" in r.text
    assert "Listed &lt;b&gt;" in r.text and "<b>" not in r.text
    # The consent link works as it stands.
    href = re.search(r'href="([^"]*sim_user=oSimListed000001)"', r.text).group(1).replace("&amp;", "&")
    r2 = sim.get(href, allow_redirects=False)
    assert r2.status_code == 302 and "code=" in r2.headers["Location"]


@pytest.mark.parametrize("query,errcode", [
    # parameters out of order, or one too many
    (q(redirect_uri=ENC_CB, appid=APPID, response_type="code", scope="snsapi_base", state="s"), 10001),
    (q(appid=APPID, redirect_uri=ENC_CB, scope="snsapi_base", response_type="code", state="s"), 10001),
    (q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base", state="s", x="1"), 10001),
    # the redirect_uri's host is not the authorization domain
    (q(appid=APPID, redirect_uri=urllib.parse.quote("https://evil.example/cb", safe=""), response_type="code",
       scope="snsapi_base", state="s"), 10003),
    (q(appid=APPID, redirect_uri=urllib.parse.quote("https://auth.example.test/cb", safe=""),
       response_type="code", scope="snsapi_base", state="s"), 10003),
    (q(appid=APPID, redirect_uri=urllib.parse.quote(f"https://{AUTH_DOMAIN}.evil.example/cb", safe=""),
       response_type="code", scope="snsapi_base", state="s"), 10003),
    (q(appid=APPID, redirect_uri=urllib.parse.quote(f"https://x@{AUTH_DOMAIN}/cb", safe=""),
       response_type="code", scope="snsapi_base", state="s"), 10003),
    # not encoded, or encoded twice
    (q(appid=APPID, redirect_uri=f"https://{AUTH_DOMAIN}/cb", response_type="code", scope="snsapi_base",
       state="s"), 10003),
    (q(appid=APPID, redirect_uri=urllib.parse.quote(ENC_CB, safe=""), response_type="code",
       scope="snsapi_base", state="s"), 10003),
    (q(appid="wxnottheone", redirect_uri=ENC_CB, response_type="code", scope="snsapi_base", state="s"), 10016),
    (q(redirect_uri=ENC_CB, response_type="code", scope="snsapi_base", state="s"), 10012),
    (q(appid=APPID, redirect_uri=ENC_CB, response_type="token", scope="snsapi_base", state="s"), 10002),
    (q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_login", state="s"), 10005),
    (q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base", state="a-b"), 10013),
    (q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base", state="a" * 129), 10013),
])
def test_authorize_refuses(sim, query, errcode):
    r = authorize_raw(sim, query + "&sim_user=oSimRefused00001")
    assert r.status_code == 200
    assert r.headers.get("X-Sim-Errcode") == str(errcode), r.text
    assert f'<p class="errcode">{errcode}</p>' in r.text


def test_authorize_state_of_128_is_fine(sim):
    r = authorize_raw(sim, q(appid=APPID, redirect_uri=ENC_CB, response_type="code", scope="snsapi_base",
                             state="Z9" * 64, sim_user="oSimState1280001"))
    assert r.status_code == 302 and r.headers["Location"].endswith("&state=" + "Z9" * 64)


def test_code_exchange_then_reuse_is_40163(sim):
    code = sim.authorize("oSimExchange0001", scope="snsapi_userinfo")
    assert CODE.match(code)
    r = sim.get("/sns/oauth2/access_token", params=[("appid", APPID), ("secret", SECRET), ("code", code),
                                                   ("grant_type", "authorization_code")])
    assert r.status_code == 200 and r.headers["Content-Type"] == TYPE
    body = r.json()
    assert "errcode" not in body
    assert body["expires_in"] == 7200 and body["openid"] == "oSimExchange0001"
    assert body["scope"] == "snsapi_userinfo" and body["unionid"] and body["refresh_token"]
    assert "is_snapshotuser" not in body
    assert_err(sim.exchange(code), 40163)


def test_code_dies_after_five_minutes(sim):
    a = sim.authorize("oSimExpiry000001")
    b = sim.authorize("oSimExpiry000001")
    sim.advance(299)
    assert sim.exchange(a)["openid"] == "oSimExpiry000001"
    sim.advance(2)
    assert_err(sim.exchange(b), 40029)


def test_code_exchange_errors(sim):
    code = sim.authorize("oSimErrors000001")
    assert_err(sim.exchange(code, secret="wrong"), 40125)
    assert_err(sim.exchange(code, appid="wx0000000000000000"), 40013)
    assert_err(sim.exchange("A" * 32), 40029)
    r = sim.get("/sns/oauth2/access_token", params=[("appid", APPID), ("secret", SECRET),
                                                   ("grant_type", "authorization_code")])
    assert_err(r, 41008)
    # Failed attempts did not use the code up.
    assert sim.exchange(code)["openid"] == "oSimErrors000001"


def test_snapshot_and_unionless_users(sim):
    sim.user("oSimSnapshot0001", snapshot=True)
    sim.user("oSimNoUnion00001")
    snap = sim.exchange(sim.authorize("oSimSnapshot0001"))
    assert snap["is_snapshotuser"] == 1
    plain = sim.exchange(sim.authorize("oSimNoUnion00001"))
    assert "unionid" not in plain and "is_snapshotuser" not in plain


def test_userinfo_nickname_bytes_and_escaped_slashes(sim):
    sim.user("oSimNick00000001", nickname="Ann \U0001F600\ue001\x01", unionid="oUnionNick0001")
    tok = sim.exchange(sim.authorize("oSimNick00000001", scope="snsapi_userinfo"))
    r = sim.get("/sns/userinfo", params=[("access_token", tok["access_token"]), ("openid", "oSimNick00000001"),
                                        ("lang", "zh_CN")])
    assert r.headers["Content-Type"] == TYPE
    raw = r.content
    assert b"\\u0001" in raw and b"\x01" not in raw          # the control byte only escaped
    assert "\U0001F600".encode() in raw and "\ue001".encode() in raw
    assert b"https:\\/\\/thirdwx.qlogo.cn\\/" in raw            # slashes escaped like the platform
    info = r.json()
    assert info["nickname"] == "Ann \U0001F600\ue001\x01"
    assert info["headimgurl"].startswith("https://thirdwx.qlogo.cn/")
    assert info["unionid"] == "oUnionNick0001"


def test_userinfo_needs_userinfo_scope_and_sns_auth(sim):
    tok = sim.exchange(sim.authorize("oSimBase00000001", scope="snsapi_base"))
    at = tok["access_token"]
    assert_err(sim.get("/sns/userinfo", params={"access_token": at, "openid": "oSimBase00000001"}), 48001)
    r = sim.get("/sns/auth", params={"access_token": at, "openid": "oSimBase00000001"}).json()
    assert r == {"errcode": 0, "errmsg": "ok"}
    assert_err(sim.get("/sns/auth", params={"access_token": at, "openid": "someoneelse"}), 40003)
    assert_err(sim.get("/sns/auth", params={"access_token": "86_" + "x" * 40, "openid": "o"}), 40001)
    # refresh_token gives a new working access token; a bad one is 40030
    r = sim.get("/sns/oauth2/refresh_token", params=[("appid", APPID), ("grant_type", "refresh_token"),
                                                    ("refresh_token", tok["refresh_token"])]).json()
    assert r["access_token"] != at and r["expires_in"] == 7200 and r["openid"] == "oSimBase00000001"
    assert sim.get("/sns/auth", params={"access_token": r["access_token"],
                                        "openid": "oSimBase00000001"}).json()["errcode"] == 0
    bad = sim.get("/sns/oauth2/refresh_token", params=[("appid", APPID), ("grant_type", "refresh_token"),
                                                      ("refresh_token", "86_" + "y" * 40)])
    assert_err(bad, 40030)


# ---- mini-program ----

def test_jscode2session(sim):
    code = sim.jscode("oSimMini00000001")
    assert CODE.match(code)
    body = sim.session(code)
    assert "errcode" not in body
    assert body["openid"] == "oSimMini00000001" and body["unionid"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{22}==", body["session_key"])
    assert_err(sim.session(code), 40163)
    assert_err(sim.session("B" * 32), 40029)
    assert_err(sim.session(sim.jscode("oSimMini00000001"), secret="nope"), 40125)
    late = sim.jscode("oSimMini00000001")
    sim.advance(301)
    assert_err(sim.session(late), 40029)


def test_jscode2session_high_risk_and_busy(sim):
    sim.user("oSimRisky0000001", high_risk=True)
    assert_err(sim.session(sim.jscode("oSimRisky0000001")), 40226)
    sim.fault("/sns/jscode2session", "errcode", errcode=-1)
    code = sim.jscode("oSimMini00000002")
    assert_err(sim.session(code), -1)
    assert sim.session(code)["openid"] == "oSimMini00000002"   # -1 did not use the code


def test_jscode2session_minute_quota_45011(sim):
    codes = [sim.jscode("oSimRate00000001") for _ in range(101)]
    for c in codes[:100]:
        assert "session_key" in sim.session(c)
    assert_err(sim.session(codes[100]), 45011)
    sim.advance(61)
    assert "session_key" in sim.session(codes[100])   # the refused code was not used up


# ---- the global access token ----

def test_token_shape_and_supersede_with_grace(sim):
    r = sim.get("/cgi-bin/token", params=[("grant_type", "client_credential"), ("appid", APPID),
                                          ("secret", SECRET)])
    assert r.headers["Content-Type"] == TYPE
    body = r.json()
    assert set(body) == {"access_token", "expires_in"} and body["expires_in"] == 7200
    a = body["access_token"]
    assert 100 <= len(a) <= 512 and re.fullmatch(r"[A-Za-z0-9_-]+", a)
    b = sim.token()
    assert b != a
    assert sim.token_state(a) == 0 and sim.token_state(b) == 0
    sim.advance(299)
    assert sim.token_state(a) == 0
    sim.advance(2)
    assert sim.token_state(a) == 40001
    assert sim.token_state(b) == 0
    sim.advance(7200)
    assert sim.token_state(b) == 42001


def test_token_errors(sim):
    def call(**over):
        p = dict(grant_type="client_credential", appid=APPID, secret=SECRET)
        p.update(over)
        return sim.get("/cgi-bin/token", params=list(p.items()))
    assert_err(call(secret="bad"), 40125)
    assert_err(call(appid="wx1111111111111111"), 40013)
    assert_err(call(grant_type="password"), 40002)
    assert sim.token_state("short") == 40014
    assert sim.token_state("86_" + "a" * 133) == 40001
    r = sim.post("/cgi-bin/menu/create", json={"button": []})
    assert_err(r, 41001)


def test_token_ip_whitelist(sim):
    sim.ctl("POST", "whitelist", {"ips": ["127.0.0.1"]}, 200)
    assert sim.token()
    r = requests.get(sim.foreign + "/cgi-bin/token", params=[("grant_type", "client_credential"),
                                                            ("appid", APPID), ("secret", SECRET)], timeout=10)
    assert_err(r, 40164)
    assert FOREIGN_IP in r.json()["errmsg"]
    sim.ctl("POST", "whitelist", {"ips": []}, 200)
    r = requests.get(sim.foreign + "/cgi-bin/token", params=[("grant_type", "client_credential"),
                                                            ("appid", APPID), ("secret", SECRET)], timeout=10)
    assert "access_token" in r.json()


def test_control_surface_is_loopback_only(sim):
    assert requests.get(sim.foreign + "/sim/users", timeout=10).status_code == 404
    assert requests.post(sim.foreign + "/sim/reset", timeout=10).status_code == 404


def test_token_daily_quota(sim):
    assert sim.ctl("GET", "quota", status=200).json()["/cgi-bin/token"]["limit"] == 2000
    sim.ctl("POST", "quota", {"endpoint": "/cgi-bin/token", "limit": 2}, 200)
    sim.token()
    sim.token()
    r = sim.get("/cgi-bin/token", params=[("grant_type", "client_credential"), ("appid", APPID),
                                          ("secret", SECRET)])
    assert_err(r, 45009)


def stable(sim, force=None, secret=SECRET):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": secret}
    if force is not None:
        body["force_refresh"] = force
    return sim.post("/cgi-bin/stable_token", json=body).json()


def test_stable_token(sim):
    first = stable(sim)
    assert first["expires_in"] == 7200 and "errcode" not in first
    t = first["access_token"]
    sim.advance(100)
    again = stable(sim, force=False)
    assert again["access_token"] == t and 7090 <= again["expires_in"] <= 7100
    # cgi-bin/token does not disturb the stable token
    sim.token()
    sim.advance(400)
    assert sim.token_state(t) == 0
    forced = stable(sim, force=True)
    assert forced["access_token"] != t and forced["expires_in"] == 7200
    assert sim.token_state(t) == 40001                  # invalidated at once
    assert_err(stable(sim, force=True), 45011)          # 30 s apart
    sim.advance(31)
    assert stable(sim, force=True)["access_token"] != forced["access_token"]
    assert_err(stable(sim, secret="bad"), 40125)
    r = sim.post("/cgi-bin/stable_token", data="not json", headers={"Content-Type": "text/plain"})
    assert_err(r, 47001)


def test_stable_token_renewed_in_its_last_five_minutes(sim):
    t = stable(sim)["access_token"]
    sim.advance(7200 - 301)
    assert stable(sim)["access_token"] == t
    sim.advance(2)
    renewed = stable(sim)
    assert renewed["access_token"] != t and renewed["expires_in"] == 7200
    assert sim.token_state(t) == 0                      # the old one lives out its time
    sim.advance(300)
    assert sim.token_state(t) == 42001


def test_stable_token_force_refresh_20_a_day(sim):
    now = sim.ctl("GET", "clock", status=200).json()["now"]
    sim.advance(86400 - now % 86400 + 60)               # early in a fresh day
    for _ in range(20):
        assert "access_token" in stable(sim, force=True)
        sim.advance(31)
    assert_err(stable(sim, force=True), 45009)


# ---- messages ----

TEMPLATE = "/cgi-bin/message/template/send"
BIZSEND = "/cgi-bin/message/subscribe/bizsend"


def test_template_send_int64_msgid_and_client_msg_id_dedup(sim):
    sim.user("oSimTmpl00000001")
    tok = sim.token()
    body = {"touser": "oSimTmpl00000001", "template_id": "tmpl_code_changed", "client_msg_id": "chg-42",
            "url": "https://h.example/code", "data": {"first": {"value": "Your code is green"}}}
    r = sim.post(TEMPLATE, params={"access_token": tok}, json=body)
    m = re.fullmatch(r'\{"errcode":0,"errmsg":"ok","msgid":(\d+)\}', r.text)
    assert m, r.text
    msgid = int(m.group(1))
    assert msgid > 2 ** 53
    again = sim.post(TEMPLATE, params={"access_token": tok}, json=body)
    assert re.search(r'"msgid":(\d+)', again.text).group(1) == m.group(1)
    other = dict(body, client_msg_id="chg-43")
    third = re.search(r'"msgid":(\d+)', sim.post(TEMPLATE, params={"access_token": tok}, json=other).text).group(1)
    assert third != m.group(1)
    msgs = sim.ctl("GET", "messages", status=200).json()
    assert [x["msgid"] for x in msgs] == [m.group(1), third]
    assert msgs[0]["touser"] == "oSimTmpl00000001" and msgs[0]["template_id"] == "tmpl_code_changed"
    assert msgs[0]["client_msg_id"] == "chg-42" and msgs[0]["kind"] == "template"
    assert msgs[0]["data"] == {"first": {"value": "Your code is green"}}


def test_template_send_errors(sim):
    sim.user("oSimTmpl00000002", subscribed=False)
    sim.user("oSimTmpl00000003")
    tok = sim.token()

    def send(**b):
        base = {"touser": "oSimTmpl00000003", "template_id": "tmpl_reminder", "data": {"k": {"value": "v"}}}
        base.update(b)
        return sim.post(TEMPLATE, params={"access_token": tok}, json=base)
    assert_err(send(touser="oNobody"), 40003)
    assert_err(send(template_id="tmpl_unknown"), 40037)
    assert_err(send(touser="oSimTmpl00000002"), 43004)
    assert_err(send(data={"k": "v"}), 47003)
    assert_err(send(data=None), 47003)
    assert_err(sim.post(TEMPLATE, params={"access_token": tok}, data="{oops"), 47001)
    assert_err(sim.post(TEMPLATE, params={"access_token": tok}, data=""), 44002)
    sim.ctl("POST", "templates", {"template_id": "tmpl_unknown"}, 201)
    assert send(template_id="tmpl_unknown").json()["errcode"] == 0
    assert len(sim.ctl("GET", "messages", status=200).json()) == 1


def test_bizsend(sim):
    sim.user("oSimBiz000000001")
    sim.user("oSimBiz000000002", refused=True)
    tok = sim.token()

    def send(touser="oSimBiz000000001", value="Appointment at 10:00"):
        return sim.post(BIZSEND, params={"access_token": tok}, json={
            "touser": touser, "template_id": "tmpl_reminder", "page": "pages/code/index",
            "data": {"thing1": {"value": value}, "time2": {"value": "2024-01-01 10:00"}}}).json()
    ok = send(value="\u5065" * 20)                      # 20 characters (60 bytes) is fine
    assert ok["errcode"] == 0 and ok["msgid"] > 2 ** 53
    assert_err(send(value="x" * 21), 47003)
    assert_err(send(touser="oSimBiz000000002"), 43101)
    msgs = sim.ctl("GET", "messages", status=200).json()
    assert len(msgs) == 1 and msgs[0]["kind"] == "bizsend" and msgs[0]["client_msg_id"] is None


# ---- menus ----

MENU_OK = {"button": [
    {"type": "view", "name": "Health Code", "url": f"https://{AUTH_DOMAIN}/api/v1/login"},
    {"name": "More", "sub_button": [
        {"type": "click", "name": "My code", "key": "HQR_CODE"},
        {"type": "view", "name": "Help", "url": "https://h.example/help"}]},
    {"type": "click", "name": "Hi", "key": "HI"}]}


def sub(*buttons):
    return {"name": "Sub", "sub_button": list(buttons)}


@pytest.mark.parametrize("menu,errcode", [
    ({"button": []}, 40016),
    ({"button": [{"type": "click", "name": "a", "key": "k"}] * 4}, 40016),
    ({"nobutton": 1}, 40016),
    ({"button": [{"type": "click", "name": "", "key": "k"}]}, 40018),
    ({"button": [{"type": "click", "name": "n" * 17, "key": "k"}]}, 40018),
    ({"button": [{"type": "bogus", "name": "a"}]}, 40017),
    ({"button": [{"type": "click", "name": "a"}]}, 40019),
    ({"button": [{"type": "click", "name": "a", "key": "k" * 129}]}, 40019),
    ({"button": [{"type": "view", "name": "a", "url": "https://x/" + "u" * 1015}]}, 40020),
    ({"button": [sub(*[{"type": "click", "name": "s", "key": "k"}] * 6)]}, 40023),
    ({"button": [sub({"type": "nope", "name": "s"})]}, 40024),
    ({"button": [sub({"type": "click", "name": "s" * 61, "key": "k"})]}, 40025),
    ({"button": [sub({"type": "click", "name": "s"})]}, 40026),
    ({"button": [sub({"type": "view", "name": "s", "url": ""})]}, 40027),
])
def test_menu_create_refuses(sim, menu, errcode):
    tok = sim.token()
    assert_err(sim.post("/cgi-bin/menu/create", params={"access_token": tok}, json=menu), errcode)
    assert sim.ctl("GET", "menus", status=200).json() == []


def test_menu_create_keeps_the_menu(sim):
    tok = sim.token()
    edge = {"button": [{"type": "click", "name": "n" * 16, "key": "k" * 128},
                       sub({"type": "view", "name": "s" * 60, "url": "https://x/" + "u" * 1014},
                           *[{"type": "click", "name": "s", "key": "k"}] * 4)]}
    for menu in (MENU_OK, edge):
        r = sim.post("/cgi-bin/menu/create", params={"access_token": tok}, json=menu)
        assert r.json() == {"errcode": 0, "errmsg": "ok"}
    assert sim.ctl("GET", "menus", status=200).json() == [MENU_OK, edge]


# ---- faults, counters ----

def test_fault_errcode_applies_to_the_next_n_calls(sim):
    sim.fault("/cgi-bin/token", "errcode", errcode=-1, count=2)
    assert len(sim.ctl("GET", "faults", status=200).json()) == 1
    for _ in range(2):
        r = sim.get("/cgi-bin/token", params=[("grant_type", "client_credential"), ("appid", APPID),
                                              ("secret", SECRET)])
        assert_err(r, -1)
    assert sim.token()
    calls = sim.ctl("GET", "calls", status=200).json()
    assert calls["/cgi-bin/token"] == 3 and calls["/sns/jscode2session"] == 0
    assert sim.ctl("GET", "faults", status=200).json() == []


def test_fault_drop_cuts_the_connection(sim):
    sim.fault("/cgi-bin/token", "drop")
    url = f"{sim.base}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}"
    try:
        r = requests.get(url, timeout=10)
        # urllib3 1.x does not enforce Content-Length: the cut shows as a short body.
        assert len(r.content) < int(r.headers["Content-Length"])
        with pytest.raises(ValueError):
            r.json()
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        pass
    assert sim.token()                                   # the next call is normal again


def test_fault_drop_seen_by_curl(sim):
    sim.fault("/cgi-bin/token", "drop")
    p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        f"{sim.base}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10)
    assert p.returncode == 18, (p.returncode, p.stderr)  # CURLE_PARTIAL_FILE


def test_fault_delay_and_timeout(sim):
    sim.fault("/cgi-bin/token", "delay", delay_ms=1500)
    t0 = time.monotonic()
    assert sim.token()
    assert time.monotonic() - t0 >= 1.5
    sim.fault("/cgi-bin/token", "delay", delay_ms=3000)
    with pytest.raises(requests.Timeout):
        sim.get("/cgi-bin/token", params=[("grant_type", "client_credential"), ("appid", APPID),
                                          ("secret", SECRET)], timeout=0.5)
    # A slow endpoint does not slow the others.
    t0 = time.monotonic()
    assert sim.jscode("oSimFast00000001")
    assert time.monotonic() - t0 < 1.0


def test_fault_wrong_body_and_clear(sim):
    sim.fault("/cgi-bin/message/template/send", "wrong_body", count=5)
    r = sim.post(TEMPLATE, params={"access_token": "x"}, json={})
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    sim.ctl("DELETE", "faults", status=200)
    assert_err(sim.post(TEMPLATE, params={"access_token": "x"}, json={}), 40014)


def test_control_validation(sim):
    assert sim.ctl("POST", "faults", {"endpoint": "/nope", "kind": "drop"}).status_code == 422
    assert sim.ctl("POST", "faults", {"endpoint": "/cgi-bin/token", "kind": "explode"}).status_code == 422
    assert sim.ctl("POST", "users", {"openid": "bad openid!"}).status_code == 422
    assert sim.ctl("POST", "users", {"openid": "oSimUser00000001"}).status_code == 201
    assert sim.ctl("POST", "users", {"openid": "oSimUser00000001", "subscribed": False}).status_code == 200
    u = [x for x in sim.ctl("GET", "users", status=200).json() if x["openid"] == "oSimUser00000001"][0]
    assert u["subscribed"] is False and u["unionid"] is None
    assert sim.ctl("POST", "clock", {"advance_s": -5}).status_code == 422


def test_concurrent_calls_are_all_counted(sim):
    def one(_):
        return sim.token_state(sim.token()) in (0, 40001)
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        assert all(ex.map(one, range(200)))
    calls = sim.ctl("GET", "calls", status=200).json()
    assert calls["/cgi-bin/token"] == 200 and calls[TEMPLATE] == 200


# ---- pushes to the service ----

def check_signed(req, safe):
    qd = req["query"]
    assert qd["signature"] == sha1_sorted(PUSH_TOKEN, qd["timestamp"], qd["nonce"])
    if not safe:
        assert "encrypt_type" not in qd
        return req["body"].decode()
    assert qd["encrypt_type"] == "aes"
    enc = re.search(rb"<Encrypt><!\[CDATA\[([^\]]+)\]\]></Encrypt>", req["body"]).group(1).decode()
    assert qd["msg_signature"] == sha1_sorted(PUSH_TOKEN, qd["timestamp"], qd["nonce"], enc)
    msg, appid = wx_decrypt(enc)
    assert appid == APPID.encode()
    return msg.decode()


def test_push_subscribe_plain(sim):
    sim.service.reply = "<xml><Content><![CDATA[welcome]]></Content></xml>"
    r = sim.ctl("POST", "push", {"type": "subscribe", "openid": "oSimPush00000001"}, 200).json()
    assert r == {"status": 200, "tries": 1, "reply": "<xml><Content><![CDATA[welcome]]></Content></xml>"}
    (req,) = sim.service.requests
    assert req["query"]["openid"] == "oSimPush00000001"
    xml = check_signed(req, safe=False)
    assert "<FromUserName><![CDATA[oSimPush00000001]]></FromUserName>" in xml
    assert "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>" in xml


def test_push_click_and_text_safe_mode(sim):
    sim.service.reply = "<xml><Content><![CDATA[your code]]></Content></xml>"
    r = sim.ctl("POST", "push", {"type": "click", "openid": "oSimPush00000002", "key": "HQR_CODE",
                                 "safe_mode": True}, 200).json()
    assert r["status"] == 200 and r["reply"] == "<xml><Content><![CDATA[your code]]></Content></xml>"
    xml = check_signed(sim.service.requests[-1], safe=True)
    assert "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[HQR_CODE]]></EventKey>" in xml
    sim.service.reply = "success"
    r = sim.ctl("POST", "push", {"type": "text", "openid": "oSimPush00000002", "content": "hi ]]> there",
                                 "msgid": "9717005636572528642", "safe_mode": True}, 200).json()
    assert r["reply"] == "success"
    xml = check_signed(sim.service.requests[-1], safe=True)
    assert "<MsgId>9717005636572528642</MsgId>" in xml
    assert "<Content><![CDATA[hi ]]]]><![CDATA[> there]]></Content>" in xml


def test_push_retried_after_five_silent_seconds(sim):
    sim.service.slow_next = 1
    t0 = time.monotonic()
    r = sim.ctl("POST", "push", {"type": "text", "openid": "oSimPush00000003", "content": "x"}, 200).json()
    assert r["status"] == 200 and r["tries"] == 2
    assert 4.5 <= time.monotonic() - t0 < 12
    wait_until(lambda: len(sim.service.requests) == 2, 5, "two tries")
    a, b = sim.service.requests
    assert a["body"] == b["body"]                       # same MsgId and CreateTime


def test_push_command_line(sim):
    sim.service.reply = "<xml><Content><![CDATA[cli]]></Content></xml>"
    p = subprocess.run([SIM_BIN, "push", "-u", sim.service.url(), "-t", PUSH_TOKEN, "-a", APPID, "-e", AES_KEY,
                        "--type", "subscribe", "--openid", "oSimPush00000004", "--key", "scene7",
                        "--create-time", "1700000123"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "<xml><Content><![CDATA[cli]]></Content></xml>"
    xml = check_signed(sim.service.requests[-1], safe=True)
    assert "<CreateTime>1700000123</CreateTime>" in xml
    assert "<EventKey><![CDATA[qrscene_scene7]]></EventKey><Ticket>" in xml
    bad = subprocess.run([SIM_BIN, "push", "-u", "http://127.0.0.1:1/cb", "-t", PUSH_TOKEN, "-a", APPID,
                          "--type", "text", "--openid", "o"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=30)
    assert bad.returncode == 1


# ---- the process ----

def test_serve_outlives_the_shell_that_started_it(sim):
    """A launcher that exits at once (scripts/stack.sh start) must not take the simulator with it."""
    sock = os.path.join(sim.tmp, "second.sock")
    log = os.path.join(sim.tmp, "second.log")
    cmd = (f"'{SIM_BIN}' serve -s '{sock}' -a {APPID} -k {SECRET} -t {PUSH_TOKEN} -e {AES_KEY} "
           f"-d {AUTH_DOMAIN} -u http://127.0.0.1:1/cb -n 2 </dev/null >'{log}' 2>&1 & echo $!; "
           # like stack.sh: the launcher lives until the simulator is up, then exits
           f"while [ ! -S '{sock}' ]; do sleep 0.05; done")
    pid = int(subprocess.run(["sh", "-c", cmd], stdout=subprocess.PIPE, text=True, timeout=20).stdout)
    try:
        # The launcher has exited (run waited for it). Had its exit taken the simulator down, the
        # serving process (whose parent's death sends it SIGTERM) would have had SIGTERM pending
        # since then. Its signal loop goes round twice after that exit (each SIGUSR1 is a log
        # reopen, logged): a pending SIGTERM would have ended the loop ("worker draining") first.
        wait_until(lambda: "worker ready" in open(log).read(), 10, "the simulator's serving process")
        workers = children_of(pid)
        assert pid_alive(pid) and len(workers) == 1, (workers, open(log).read())
        for k in (1, 2):
            os.kill(workers[0], signal.SIGUSR1)
            wait_until(lambda: open(log).read().count("log file reopened") >= k or not pid_alive(workers[0]), 10,
                       "the simulator's signal loop to answer SIGUSR1")
        answer = fcgi_ask(sock, "/sim/calls")
        assert b"Status: 200" in answer and b'"/sns/oauth2/access_token"' in answer, (answer, open(log).read())
        text = open(log).read()
        assert text.count("log file reopened") == 2 and "worker draining" not in text, text
        assert pid_alive(pid) and pid_alive(workers[0]) and os.path.exists(sock), text
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 10, "the second simulator to stop")
    assert not os.path.exists(sock)


def test_command_line_is_checked():
    assert subprocess.run([SIM_BIN], stderr=subprocess.DEVNULL, timeout=10).returncode == 2
    assert subprocess.run([SIM_BIN, "serve", "-s", "/tmp/x.sock"], stderr=subprocess.DEVNULL,
                          timeout=10).returncode == 2
    assert subprocess.run([SIM_BIN, "serve", "-s", "/tmp/x.sock", "-a", APPID, "-k", SECRET, "-t", PUSH_TOKEN,
                           "-e", "short", "-d", AUTH_DOMAIN, "-u", "http://127.0.0.1:1/"],
                          stderr=subprocess.DEVNULL, timeout=10).returncode == 2
    assert subprocess.run([SIM_BIN, "push", "-u", "http://127.0.0.1:1/", "-t", "t", "-a", APPID,
                           "--type", "shout", "--openid", "o"], stderr=subprocess.DEVNULL,
                          timeout=10).returncode == 2


# ---- real-name face verification ----

GETVERIFYID = "/cityservice/face/identify/getverifyid"
QUERYVERIFY = "/cityservice/face/identify/queryverifyinfo"
FACE_CB = urllib.parse.quote(f"https://{AUTH_DOMAIN}/api/v1/verifications/callback", safe="")


def cert_hash(name, no):
    return hashlib.sha256(f"cert_type=IDENTITY_CARD&cert_name={name}&cert_no={no}".encode()).hexdigest()


def verify_id(sim, tok, openid, name="张三", no="11010519491231002X", seq="seq-1"):
    r = sim.api(GETVERIFYID, tok, {"out_seq_no": seq, "openid": openid,
                                   "cert_info": {"cert_type": "IDENTITY_CARD", "cert_name": name, "cert_no": no}})
    assert r["errcode"] == 0 and r["expires_in"] == 3600 and re.fullmatch(r"[0-9A-Za-z]{64}", r["verify_id"]), r
    return r["verify_id"]


def face(sim, vid, extra=""):
    return sim.get(f"/cityservice/face/verify?verify_id={vid}&redirect_uri={FACE_CB}{extra}", allow_redirects=False)


def query(sim, tok, vid, openid, name="张三", no="11010519491231002X", seq="seq-1"):
    return sim.api(QUERYVERIFY, tok, {"verify_id": vid, "out_seq_no": seq, "openid": openid,
                                      "cert_hash": cert_hash(name, no)})


def test_face_check_passes_only_for_the_users_real_identity(sim):
    sim.user("oFace0001", real_name="张三", id_number="11010519491231002x")
    assert sim.ctl("GET", "users", status=200).json()[-1]["id_number"] == "11010519491231002X"
    tok = sim.token()
    vid = verify_id(sim, tok, "oFace0001")
    # Not finished yet: 10002, and the check stays open.
    assert query(sim, tok, vid, "oFace0001")["verify_ret"] == 10002
    r = face(sim, vid)
    assert r.status_code == 200 and "张三" in r.text and "Start the face check" in r.text, r.text
    r = face(sim, vid, "&sim_face=pass")
    assert r.status_code == 302, r.text
    assert r.headers["Location"] == f"https://{AUTH_DOMAIN}/api/v1/verifications/callback?verify_id={vid}&verify_ret=10000"
    # The answer goes to its openid and sequence number only, once.
    assert query(sim, tok, vid, "oOther")["verify_ret"] == 10001
    assert query(sim, tok, vid, "oFace0001", seq="seq-2")["verify_ret"] == 10001
    r = query(sim, tok, vid, "oFace0001")
    assert r["errcode"] == 0 and r["verify_ret"] == 10000, r
    assert query(sim, tok, vid, "oFace0001")["verify_ret"] == 10001
    # A cert_hash that is not the checked identity's: 10003 (and the answer is spent).
    vid3 = verify_id(sim, tok, "oFace0001")
    assert face(sim, vid3, "&sim_face=pass").headers["Location"].endswith("verify_ret=10000")
    assert query(sim, tok, vid3, "oFace0001", name="李四")["verify_ret"] == 10003
    assert query(sim, tok, vid3, "oFace0001")["verify_ret"] == 10001
    # Someone else's identity fails the face check: 10003.
    vid2 = verify_id(sim, tok, "oFace0001", name="王五", no="110101199003074477")
    assert face(sim, vid2, "&sim_face=pass").headers["Location"].endswith("verify_ret=10003")
    assert query(sim, tok, vid2, "oFace0001", name="王五", no="110101199003074477")["verify_ret"] == 10003
    faces = sim.ctl("GET", "faces", status=200).json()
    assert [(f["cert_name"], f["verify_ret"], f["queried"]) for f in faces] == \
        [("张三", 10000, True), ("张三", 10000, True), ("王五", 10003, True)]


@pytest.mark.parametrize("outcome,ret", [("cancel", 90002), ("timeout", 90017), ("fail", 10004)])
def test_face_page_outcomes(sim, outcome, ret):
    sim.user("oFace0002", real_name="张三", id_number="11010519491231002X")
    tok = sim.token()
    vid = verify_id(sim, tok, "oFace0002")
    r = face(sim, vid, "&sim_face=" + outcome)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"verify_ret={ret}"), r.headers
    assert query(sim, tok, vid, "oFace0002")["verify_ret"] == ret
    # A finished check cannot run again.
    assert face(sim, vid, "&sim_face=pass").headers["X-Sim-Errcode"] == "10001"


def test_face_page_takes_the_real_identity_typed_once(sim):
    sim.user("oFace0003")
    tok = sim.token()
    vid = verify_id(sim, tok, "oFace0003")
    r = face(sim, vid)
    assert 'name="real_name"' in r.text and 'name="id_number"' in r.text, r.text
    r = face(sim, vid, "&sim_face=pass&real_name=" + urllib.parse.quote("张三") + "&id_number=11010519491231002X")
    assert r.headers["Location"].endswith("verify_ret=10000"), r.headers
    # Typed once: another identity typed later does not replace it.
    vid2 = verify_id(sim, tok, "oFace0003", name="王五", no="110101199003074477")
    r = face(sim, vid2, "&sim_face=pass&real_name=" + urllib.parse.quote("王五") + "&id_number=110101199003074477")
    assert r.headers["Location"].endswith("verify_ret=10003"), r.headers
    users = {u["openid"]: u for u in sim.ctl("GET", "users", status=200).json()}
    assert (users["oFace0003"]["real_name"], users["oFace0003"]["id_number"]) == ("张三", "11010519491231002X")


def test_face_endpoints_refuse_bad_calls_and_take_faults(sim):
    sim.user("oFace0004", real_name="张三", id_number="11010519491231002X")
    tok = sim.token()
    good = {"out_seq_no": "s1", "openid": "oFace0004",
            "cert_info": {"cert_type": "IDENTITY_CARD", "cert_name": "张三", "cert_no": "11010519491231002X"}}
    assert_err(sim.post(GETVERIFYID, json=good), 41001)
    assert_err(sim.api(GETVERIFYID, "x" * 40, good), 40001)
    assert_err(sim.api(GETVERIFYID, tok, dict(good, openid="oNobodyHere")), 40003)
    assert_err(sim.api(GETVERIFYID, tok, dict(good, cert_info=dict(good["cert_info"], cert_type="PASSPORT"))), 47001)
    assert_err(sim.api(GETVERIFYID, tok, dict(good, cert_info=dict(good["cert_info"], cert_no="123"))), 47001)
    assert_err(sim.api(GETVERIFYID, tok, dict(good, out_seq_no="a b")), 47001)
    assert_err(sim.api(QUERYVERIFY, tok, {"verify_id": "v"}), 47001)
    vid = verify_id(sim, tok, "oFace0004")
    # The face page: a redirect_uri not encoded once, or on another domain; an unknown check.
    raw = f"https://{AUTH_DOMAIN}/cb"
    assert sim.get(f"/cityservice/face/verify?verify_id={vid}&redirect_uri={raw}").headers["X-Sim-Errcode"] == "10003"
    other = urllib.parse.quote("https://evil.example/cb", safe="")
    assert sim.get(f"/cityservice/face/verify?verify_id={vid}&redirect_uri={other}").headers["X-Sim-Errcode"] == "10003"
    assert face(sim, "A" * 64).headers["X-Sim-Errcode"] == "10001"
    # Expired after an hour.
    sim.advance(3601)
    assert face(sim, vid).headers["X-Sim-Errcode"] == "10001"
    assert query(sim, tok, vid, "oFace0004")["verify_ret"] == 10001
    # Faults, as for every endpoint.
    sim.fault(GETVERIFYID, "errcode", errcode=-1, count=1)
    assert_err(sim.api(GETVERIFYID, tok, good), -1)
    sim.fault(QUERYVERIFY, "errcode", errcode=-1, count=1)
    assert_err(sim.api(QUERYVERIFY, tok, {"verify_id": "v", "out_seq_no": "s", "cert_hash": "h", "openid": "o"}), -1)
