"""Shared steps of the integration suites: logging in through the platform simulator, building
applications with real images and valid resident IDs, staff and device tokens from hqrctl.
Everything goes over real HTTP to the stack of conftest.py; nothing here fakes a server."""
import io
import itertools
import json
import os
import random
import urllib.parse

import requests
from PIL import Image

_counter = itertools.count(1)


def sim_base(stack):
    return f"http://127.0.0.1:{stack.env['SIM_PORT']}"


def unique(prefix="t"):
    """A value unique within this test run (openids, names of checkpoints...)."""
    return f"{prefix}{os.getpid()}x{next(_counter)}x{random.randrange(10**6)}"


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


def apply(session, stack, photo=None, photo_name="id.jpg", headers=None, **kw):
    """POSTs a multipart application; returns the response."""
    fields = application_fields(**kw)
    files = {k: (None, v) for k, v in fields.items()}
    files["photo"] = (photo_name, photo if photo is not None else jpeg_photo(), "image/jpeg")
    return session.post(stack.url("/api/v1/applications"), files=files, headers=headers or {}, timeout=30)


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
