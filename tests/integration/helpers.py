"""Shared steps of the integration suites: logging in through the platform simulator, building
applications with real images and valid resident IDs, staff and device tokens from hqrctl.
Everything goes over real HTTP to the stack of conftest.py; nothing here fakes a server."""
import contextlib
import io
import itertools
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import time
import urllib.parse

import requests
import requests.adapters
from PIL import Image

_counter = itertools.count(1)

JSON_TYPE = "application/json; charset=utf-8"


def assert_error(r, status, code):
    """The service's error answer as a client reads it: the status, a JSON
    {"error": {"code", "message"}, "request_id"} whose request id is the X-Request-Id header's.
    Returns the body."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"] == JSON_TYPE, dict(r.headers)
    body = r.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    assert body["request_id"] == r.headers["X-Request-Id"], (body, dict(r.headers))
    return body


def access_line(stack, request_id, timeout=5.0):
    """The nginx access log's line of a request, by its X-Request-Id, as a dict (nginx writes it
    once the answer is sent: waited for up to timeout seconds)."""
    path = os.path.join(stack.dir, "nginx", "access.log")

    def line():
        with open(path, encoding="utf-8") as f:
            for ln in f:
                if f'"rid":"{request_id}"' in ln:
                    return json.loads(ln)
        return None
    return wait_until(line, timeout, f"the access log line of {request_id}")


def wait_until(pred, seconds, what, step=0.05, streak=1, fail=True):
    """Polls pred every step seconds until it returns a true value streak times in a row (a
    reload's old workers may still answer between new ones), and returns that value. After the
    given seconds, fails the test naming what was awaited (what: a text, or a function giving it,
    called then to tell what was seen); with fail=False returns pred's last value instead (a
    wait for the best case, whose caller checks what it got)."""
    end = time.monotonic() + seconds
    run = 0
    while True:
        v = pred()
        run = run + 1 if v else 0
        if run >= streak:
            return v
        if time.monotonic() >= end:
            if not fail:
                return v
            raise AssertionError(f"timed out after {seconds} s waiting for {what() if callable(what) else what}")
        time.sleep(step)


def nginx_counts(stack):
    """nginx's connection counts (its stub_status on the stack's own unix socket, which
    scripts/stack.sh renders): active, reading (headers being read), writing (requests past their
    headers: held, reading a body, passed on or answering; this one too), waiting (idle)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(os.path.join(stack.dir, "nginx", "status.sock"))
        s.sendall(b"GET /status HTTP/1.0\r\nHost: status\r\n\r\n")
        buf = b""
        while chunk := s.recv(4096):
            buf += chunk
    head, _, body = buf.decode("latin-1").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200"), buf[:200]
    m = re.search(r"Active connections:\s*(\d+).*Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)",
                  body, re.S)
    assert m, body
    return dict(zip(("active", "reading", "writing", "waiting"), map(int, m.groups())))


def wait_nginx_holds(stack, n, what, seconds=10):
    """Waits until nginx holds at least n requests past their headers besides its own status
    request, i.e. until it has read the headers of the n requests a test holds open; fails naming
    what was awaited and the last counts."""
    last = {}

    def holds():
        last.update(nginx_counts(stack))
        return dict(last) if last["writing"] - 1 >= n else None
    return wait_until(holds, seconds, lambda: f"nginx to hold {what} ({n} requests past their headers): "
                      f"its counts {last}", step=0.02)


def fcgi_record(rtype, body, request_id=1):
    return struct.pack("!BBHHBB", 1, rtype, request_id, len(body), 0, 0) + body


def fcgi_pair(name, value):
    name, value = name.encode(), value.encode()
    assert len(name) < 128 and len(value) < 128
    return bytes([len(name), len(value)]) + name + value


def fcgi_get(path):
    """A complete FastCGI responder request for GET path, as nginx would send it."""
    params = (fcgi_pair("REQUEST_METHOD", "GET") + fcgi_pair("REQUEST_URI", path) +
              fcgi_pair("QUERY_STRING", "") + fcgi_pair("REMOTE_ADDR", "127.0.0.1"))
    return (fcgi_record(1, struct.pack("!HB5x", 1, 0)) + fcgi_record(4, params) +
            fcgi_record(4, b"") + fcgi_record(5, b""))


def fcgi_exchange(conn, path):
    """Sends a GET of path on a connected FastCGI socket; returns every byte answered until the
    responder closes it (the raw records: b"Status: 200 OK" is in a successful answer)."""
    conn.sendall(fcgi_get(path))
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    return data


def fcgi_ask(sock_path, path, timeout=10):
    """A GET of path straight to a FastCGI responder's unix socket (no nginx): its raw answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(timeout)
        c.connect(sock_path)
        return fcgi_exchange(c, path)


def sim_base(stack):
    return f"http://127.0.0.1:{stack.env['SIM_PORT']}"


def unique(prefix="t"):
    """A value unique within this test run (openids, names of checkpoints...)."""
    return f"{prefix}{os.getpid()}x{next(_counter)}x{random.randrange(10**6)}"


def pid_alive(pid):
    """True when pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the command name, which is in parentheses and may hold spaces.
    state = data[data.rindex(b")") + 2:].split()[0]
    return state != b"Z"


def live_pids(directory, rels):
    """The pids the pid files rels (relative to directory) name, for the processes still alive."""
    pids = []
    for rel in rels:
        try:
            with open(os.path.join(directory, rel)) as f:
                txt = f.read().strip()
        except FileNotFoundError:
            continue
        if txt.isdigit() and pid_alive(int(txt)):
            pids.append(int(txt))
    return pids


@contextlib.contextmanager
def foreground(cmd, env, out_path, limit, what):
    """cmd (run.sh or run-cluster.sh) as a terminal starts it: in its own process group, SIGINT at
    its default (a suite started in the background has SIGINT ignored, which its children
    inherit, and a shell cannot trap a signal ignored when it started), its output in out_path, up
    to "Press Ctrl-C to stop." within limit seconds. Yields the process; afterwards kills its
    group if it still runs."""
    with open(out_path, "w") as out:
        run = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_until(lambda: "Press Ctrl-C to stop." in open(out_path).read() or run.poll() is not None,
                   limit, what)
        assert run.poll() is None, open(out_path).read()
        yield run
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)


def http_port(stack_env):
    """HTTP_PORT of a stack.env file."""
    with open(stack_env) as f:
        return [ln.split("=", 1)[1].strip().strip("'\"") for ln in f if ln.startswith("HTTP_PORT=")][0]


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections from a loopback address of the test's own: its rate limit's bucket (nginx's
    limits are per address) is not the one the session's other tests use from 127.0.0.1."""

    def __init__(self, source):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source):
    """A requests.Session whose connections come from the loopback address source."""
    s = requests.Session()
    s.mount("http://", FromAddress(source))
    return s


def published_kids(stack):
    """The key ids /api/v1/keys lists, sorted."""
    r = requests.get(stack.url("/api/v1/keys"), timeout=10)
    assert r.status_code == 200, r.text
    return sorted(k["kid"] for k in r.json()["keys"])


def reload_keys_until(stack, kids, seconds=20):
    """Every host reloads its keys (stack.reload_keys: SIGHUP; in the cluster after host 1's keys
    are distributed), then waits until /api/v1/keys lists exactly kids, five times in a row (the
    old workers drain while the new ones start)."""
    stack.reload_keys()
    want = sorted(kids)
    wait_until(lambda: published_kids(stack) == want, seconds,
               lambda: f"/api/v1/keys to list {want} after SIGHUP: it lists {published_kids(stack)}", streak=5)


# --- logging in -------------------------------------------------------------------------------

def login_web(stack, openid=None, next_path="/"):
    """Follows the whole redirect chain as a browser does (cookie jar, sim_user consent) and
    returns a requests.Session holding the session cookie, sending X-Requested-With: hqr."""
    openid = openid or unique("o")
    s = requests.Session()
    r = s.get(stack.url("/api/v1/login"), params={"next": next_path}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    authorize = r.headers["Location"]
    url, _, fragment = authorize.partition("#")
    r = s.get(url + "&sim_user=" + urllib.parse.quote(openid), allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    callback = r.headers["Location"]
    r = s.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    assert "login_error" not in r.headers["Location"], r.headers["Location"]
    s.headers["X-Requested-With"] = "hqr"
    s.openid = openid
    s.last_callback = callback
    return s


def login_mp(stack, openid=None):
    """Mini-program login: a code from the simulator, exchanged at the service for a bearer token.
    Returns a requests.Session sending Authorization: Bearer."""
    openid = openid or unique("m")
    r = requests.post(sim_base(stack) + "/sim/jscode", json={"openid": openid}, timeout=10)
    assert r.status_code in (200, 201), r.text
    code = r.json()["code"]
    r = requests.post(stack.url("/api/v1/login/miniprogram"), json={"code": code}, timeout=10)
    assert r.status_code == 200, r.text
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + r.json()["token"]
    s.openid = openid
    return s


# --- applications -----------------------------------------------------------------------------

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def resident_id(region="110101", birth=None, seq=None):
    """A valid 18-character resident ID (ISO 7064 MOD 11-2 check character); a random birth date
    and sequence unless given, so that the suites sharing one stack never collide."""
    if birth is None:
        birth = f"{random.randrange(1940, 2010)}{random.randrange(1, 13):02d}{random.randrange(1, 29):02d}"
    seq = seq if seq is not None else f"{random.randrange(1000):03d}"
    body = region + birth + seq
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS))
    return body + _CHECK[total % 11]


def png_photo(w=240, h=320, seed=1):
    img = Image.new("RGB", (w, h), ((seed * 40) % 256, 120, 200))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def jpeg_photo(w=240, h=320, seed=2, size_kb=None):
    """A real JPEG; with size_kb, noisy content of about that size."""
    img = Image.new("RGB", (w, h), (200, (seed * 50) % 256, 90))
    if size_kb:
        rnd = random.Random(seed)
        img = Image.frombytes("RGB", (w, h), bytes(rnd.randrange(256) for _ in range(w * h * 3)))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90)
    return out.getvalue()


def application_fields(for_="self", relationship=None, name="张三", id_type="resident_id", id_number=None,
                       phone="13800138000", address="北京市朝阳区建国路1号院", travel=None, symptoms="none",
                       temperature="36.5", contact="no", declaration="true"):
    fields = {
        "for": for_, "name": name, "id_type": id_type,
        "id_number": id_number or resident_id(), "phone": phone, "address": address,
        "travel": json.dumps(travel or [], ensure_ascii=False), "symptoms": symptoms,
        "contact": contact, "declaration": declaration,
    }
    if temperature is not None:
        fields["temperature"] = temperature
    if relationship is not None:
        fields["relationship"] = relationship
    return fields


def _rid_ok(number):
    if not isinstance(number, str) or len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17].upper()


def set_identity(stack, openid, name, id_number):
    """Tells the simulator who really is behind a test user (the face check compares with it)."""
    r = requests.post(sim_base(stack) + "/sim/users",
                      json={"openid": openid, "real_name": name, "id_number": id_number}, timeout=10)
    assert r.status_code in (200, 201), r.text


def start_verification(session, stack, name, id_number, next_path="/"):
    """POST /api/v1/verifications; returns the response."""
    return session.post(stack.url("/api/v1/verifications"), timeout=30,
                        json={"name": name, "id_type": "resident_id", "id_number": id_number, "next": next_path})


def finish_face(session, stack, face_url, outcome="pass"):
    """Goes through the simulator's face page (a browser would) and back to the service's
    callback; returns the callback's response (a 302 to the page's next path)."""
    r = requests.get(face_url + "&sim_face=" + outcome, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    back = r.headers["Location"]
    assert back.startswith(stack.base + "/api/v1/verifications/callback?"), back
    return session.get(back, allow_redirects=False, timeout=30)


def verify(session, stack, name, id_number, outcome="pass", identity=True):
    """A real-name verification of name/id_number by the session's account, the face check run
    by the person behind its test user (made that person unless identity=False). Returns the
    verification id."""
    if identity:
        set_identity(stack, session.openid, name, id_number)
    r = start_verification(session, stack, name, id_number)
    assert r.status_code == 201, r.text
    body = r.json()
    cb = finish_face(session, stack, body["face_url"], outcome)
    assert cb.status_code == 302, cb.text
    assert "verification=" + body["verification_id"] in cb.headers["Location"], cb.headers["Location"]
    return body["verification_id"]


def prepare_application(session, stack, fields, verify_self=True):
    """What an application needs since owners and accountable delegates (DESIGN §10), done as
    the family would: a self application for a valid resident ID gets a passed verification of
    that identity (the account's test user is made that person) unless fields carry one; a
    relative application is made by an account that owns its own verified person (one is made
    first if needed). Mutates fields."""
    if not verify_self or not getattr(session, "openid", None):
        return fields
    number = str(fields.get("id_number", "")).replace(" ", "").upper()
    if fields.get("for") == "self" and fields.get("id_type") == "resident_id" \
            and "verification_id" not in fields and _rid_ok(number) and fields.get("name"):
        set_identity(stack, session.openid, fields["name"], number)
        for _ in range(3):  # a platform slowed by a loaded machine: the family tries again
            r = start_verification(session, stack, fields["name"], number)
            if r.status_code != 201:
                break
            body = r.json()
            cb = finish_face(session, stack, body["face_url"])
            assert cb.status_code == 302, cb.text
            fields["verification_id"] = body["verification_id"]
            if "verify_error=" not in cb.headers["Location"]:
                break
    if fields.get("for") == "relative" and not getattr(session, "own_person", None):
        me = session.get(stack.url("/api/v1/me"), timeout=10)
        if me.status_code == 200 and not me.json()["account"].get("verified"):
            own = apply(session, stack, name="李四", id_number=resident_id())
            assert own.status_code == 201, own.text
        session.own_person = True
    return fields


def apply(session, stack, photo=None, photo_name="id.jpg", headers=None, verification_id=None, verify_self=True,
          **kw):
    """POSTs a multipart application; returns the response (see prepare_application)."""
    fields = application_fields(**kw)
    if verification_id is not None:
        fields["verification_id"] = verification_id
    prepare_application(session, stack, fields, verify_self)
    files = {k: (None, v) for k, v in fields.items()}
    files["photo"] = (photo_name, photo if photo is not None else jpeg_photo(), "image/jpeg")
    r = session.post(stack.url("/api/v1/applications"), files=files, headers=headers or {}, timeout=30)
    if r.status_code == 201 and fields["for"] == "self":
        session.own_person = True
    return r


def approve_pending(owner, stack, delegation_id):
    r = owner.post(stack.url(f"/api/v1/delegations/{delegation_id}/approve"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def new_person(stack, session=None, **kw):
    """Logs in (unless given a session) and applies for oneself; returns (session, person id)."""
    session = session or login_mp(stack)
    r = apply(session, stack, **kw)
    assert r.status_code == 201, r.text
    return session, r.json()["person"]["id"]


# --- staff, checkpoints, devices --------------------------------------------------------------

def hqrctl(stack, *args, check=True):
    p = stack.run_bin("hqrctl", "-c", stack.conf_path, *args)
    if check:
        assert p.returncode == 0, f"hqrctl {' '.join(args)} failed: {p.stdout}\n{p.stderr}"
    return p


def last_line(p):
    return p.stdout.strip().splitlines()[-1].strip()


def admin_token(stack, role):
    return last_line(hqrctl(stack, "admin", "add", "--role", role, "--name", unique(role)))


def checkpoint(stack, kind="public_place", type_="mall", name=None, district="Test District"):
    return int(last_line(hqrctl(stack, "checkpoint", "add", "--kind", kind, "--type", type_, "--name",
                                name or unique("cp"), "--district", district)))


def device_token(stack, checkpoint_id):
    return last_line(hqrctl(stack, "device", "add", "--checkpoint", str(checkpoint_id)))


def qr_text(session, stack, person_id, paper=False):
    """The text of a person's current code, read back from the PNG with zbarimg."""
    import subprocess
    import tempfile
    path = f"/api/v1/persons/{person_id}/{'paper-code' if paper else 'code'}.png"
    r = session.get(stack.url(path), timeout=10)
    assert r.status_code == 200, r.text
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(r.content)
        f.flush()
        p = subprocess.run(["zbarimg", "--raw", "-q", f.name], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def scan(stack, device, qr, direction="in", temperature=36.5, visitor=None):
    body = {"qr": qr, "direction": direction}
    if temperature is not None:
        body["temperature"] = temperature
    if visitor is not None:
        body["visitor"] = visitor
    return requests.post(stack.url("/api/v1/scans"), json=body,
                         headers={"Authorization": "Bearer " + device}, timeout=10)


# What the harness's stack, the benchmarks' and the bad day's share.

def run_bin(build, name, *args, timeout=600):
    """Runs one of the project's programs from the build directory; stdout and stderr as text."""
    return subprocess.run([os.path.join(build, name), *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def sql_rows(db_cnf, query, timeout=600):
    """Runs a query as root against the hqr database; rows as lists of strings."""
    p = subprocess.run(["mariadb", f"--defaults-file={db_cnf}", "-uroot", "-N", "-B", "hqr", "-e", query],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines()]


def wrk_figures(out):
    """(served requests/s, p99 as wrk prints it, non-2xx answers) of a `wrk --latency` run's output.
    The rate counts only the 2xx answers: wrk's own Requests/sec counts a refusal (a 503 of the
    door's cap) as much as a served request."""
    rps, p99, bad, total = 0.0, "?", 0, 0
    for line in out.splitlines():
        parts = line.split()
        if line.strip().startswith("Requests/sec"):
            rps = float(parts[1])
        elif parts[:1] == ["99%"]:
            p99 = parts[1]
        elif "Non-2xx" in line:
            bad = int(parts[-1])
        elif len(parts) >= 3 and parts[1:3] == ["requests", "in"] and parts[0].isdigit():
            total = int(parts[0])
    if total > 0:
        rps = rps * (total - min(bad, total)) / total
    return rps, p99, bad


# --- the browser scripts ------------------------------------------------------------------------

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(ROOT, os.environ.get("HQR_BUILD", "build"), "screenshots")


def run_node(script, timeout=240, **env):
    """Runs tests/browser/SCRIPT under node with env added to this process's environment (SHOTS,
    where its screenshots go, is $HQR_BUILD/screenshots/ unless env says otherwise); it must exit
    0 and end its output with a JSON line whose ok is true, which is returned."""
    p = subprocess.run(["node", os.path.join(ROOT, "tests", "browser", script)],
                       env=dict(os.environ, **{"SHOTS": SHOTS, **env}),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0 and lines, (p.returncode, p.stdout[-3000:], p.stderr[-3000:])
    out = json.loads(lines[-1])
    assert out["ok"] is True, out
    return out
