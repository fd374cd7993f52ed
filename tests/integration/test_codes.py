"""The QR code (DESIGN §5, issue 5) over real HTTP: images decoded by a real reader (zbarimg),
tokens checked offline twice (hqrctl verify-token, and an independent Python reader with its own
Base45 decoder, Ed25519 and HMAC), refusals each with its own reason, key rotation and retirement.

Tests run in file order on the shared session stack. The key tests come last: rotation leaves a
second key signing (new codes keep working), and the retirement test puts kid 1's metadata back
and reloads in a finally, so the files that run after this one see a consistent stack.
"""
import base64
import datetime
import concurrent.futures
import hashlib
import json
import threading
import hmac
import io
import os
import random
import re
import struct
import subprocess
import tempfile
import time

import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.exceptions import InvalidSignature
from PIL import Image

import helpers as h
from hqr1 import mac_of, parse, reencode, seal

PNG_SIG = b"\x89PNG\r\n\x1a\n"
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
TEXT_RE = re.compile(r"^HQR1:[0-9A-Z $%*+\-./:]{146}$")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# --- the stack's key files ------------------------------------------------------------------

def keys_dir(stack):
    return os.path.join(stack.dir, "keys")


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def mac_key(stack):
    k = read_file(os.path.join(keys_dir(stack), "mac.key"))
    assert len(k) == 32
    return k


def seed_of(stack, kid):
    s = read_file(os.path.join(keys_dir(stack), f"sign-{kid:04d}.seed"))
    assert len(s) == 32
    return s


def meta_path(stack, kid):
    return os.path.join(keys_dir(stack), f"sign-{kid:04d}.meta")


def write_meta(stack, kid, text):
    """Rewrites a key's metadata atomically, mode 0600 (the service refuses looser modes)."""
    path = meta_path(stack, kid)
    tmp = path + ".tmp-test"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def keys_doc(stack):
    r = requests.get(stack.url("/api/v1/keys"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def current_signer(stack):
    """(kid, seed) of the key that signs now: the newest published key."""
    kid = max(h.published_kids(stack))
    return kid, seed_of(stack, kid)


# --- service and offline reader ---------------------------------------------------------------

def verify_offline(stack, text):
    """hqrctl verify-token against the published keys document; (exit code, output line)."""
    p = h.hqrctl(stack, "verify-token", "--keys-url", stack.url("/api/v1/keys"), text, check=False)
    return p.returncode, p.stdout.strip()


def offline_fields(line):
    assert line.startswith("valid: "), line
    return dict(kv.split("=", 1) for kv in line[len("valid: "):].split())


def decode_png(content):
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(content)
        f.flush()
        p = subprocess.run(["zbarimg", "--raw", "-q", f.name], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def get_png(session, stack, pid, paper=False, params=None):
    path = f"/api/v1/persons/{pid}/{'paper-code' if paper else 'code'}.png"
    r = session.get(stack.url(path), params=params, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png", r.headers
    assert r.content.startswith(PNG_SIG)
    return r


def png_chunks(content):
    out, pos = [], 8
    while pos < len(content):
        n, ctype = struct.unpack(">I4s", content[pos:pos + 8])
        out.append((ctype.decode("ascii"), content[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def colors_used(content):
    """The RGB colours actually painted in a palette PNG."""
    img = Image.open(io.BytesIO(content))
    assert img.mode in ("P", "1"), img.mode
    if img.mode == "1":
        return {BLACK if v == 0 else WHITE for _, v in img.getcolors()}
    pal = img.getpalette()
    return {tuple(pal[3 * i:3 * i + 3]) for _, i in img.getcolors()}


def ink(content):
    """The one non-white colour of a two-colour code image."""
    used = colors_used(content)
    assert WHITE in used and len(used) == 2, used
    return (used - {WHITE}).pop()


def is_green(rgb):
    r, g, b = rgb
    return g > r + 60 and g > b + 40


def is_red(rgb):
    r, g, b = rgb
    return r > g + 100 and r > b + 100


# --- the QR matrix read back from pixels --------------------------------------------------------

def qr_geometry(content):
    """(dark(x, y) on modules, modules per side, pixels per module, image width) of a code
    image with a 4-module quiet zone, measured on the top-left finder pattern."""
    img = Image.open(io.BytesIO(content)).convert("RGB")
    w, hgt = img.size
    px = img.load()
    dark = lambda x, y: px[x, y] != WHITE  # noqa: E731
    y0 = next(y for y in range(hgt) if any(dark(x, y) for x in range(w)))
    x0 = next(x for x in range(w) if dark(x, y0))
    run = 0
    while dark(x0 + run, y0):
        run += 1
    assert run % 7 == 0, run
    scale = run // 7
    assert x0 == y0 == 4 * scale, (x0, y0, scale)
    assert w % scale == 0, (w, scale)
    n = w // scale - 8
    return (lambda cx, cy: dark(x0 + cx * scale + scale // 2, y0 + cy * scale + scale // 2)), n, scale, w


def ec_level(content):
    """The error correction level read from the image's format information (ISO 18004 §7.9)."""
    mod, n, _, _ = qr_geometry(content)
    bits = 0
    for i in range(6):
        bits |= mod(8, i) << i
    bits |= mod(8, 7) << 6
    bits |= mod(8, 8) << 7
    bits |= mod(7, 8) << 8
    for i in range(9, 15):
        bits |= mod(14 - i, 8) << i
    for ec, word in ((1, "L"), (0, "M"), (3, "Q"), (2, "H")):
        for mask in range(8):
            data = ec << 3 | mask
            rem = data
            for _ in range(10):
                rem = (rem << 1) ^ ((rem >> 9) * 0x537)
            if ((data << 10 | rem) ^ 0x5412) == bits:
                return word
    raise AssertionError(f"no valid format information in the image: {bits:015b}")


# --- fixtures ---------------------------------------------------------------------------------

def new_person(stack, session=None, **kw):
    """helpers.new_person with an ID number drawn from a wide space (a random birth date and
    sequence) so that it never collides with the IDs other files create."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=random.randrange(20000))
    kw.setdefault("id_number", h.resident_id(birth=birth.strftime("%Y%m%d"),
                                             seq=f"{random.randrange(1000):03d}"))
    return h.new_person(stack, session=session, **kw)


@pytest.fixture(scope="module")
def person(stack):
    """A green person and its holder's (bearer) session."""
    return new_person(stack)


@pytest.fixture(scope="module")
def device(stack):
    return h.device_token(stack, h.checkpoint(stack))


def code_ref_of(stack, pid):
    return int(stack.sql(f"SELECT code_ref FROM persons WHERE public_id = '{pid}'")[0][0])


def assert_deny(r, reason):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "deny" and body["reasons"] == [reason], body
    assert body["person"] is None and body["color"] is None, body
    return body


# === the published keys ========================================================================

def test_keys_document_is_public_cacheable_and_well_formed(stack):
    r = requests.get(stack.url("/api/v1/keys"), timeout=10)  # anonymous: no cookie, no bearer
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    cc = [p.strip() for p in r.headers["Cache-Control"].split(",")]
    assert "public" in cc, cc
    age = [p for p in cc if p.startswith("max-age=")]
    assert age and int(age[0].split("=", 1)[1]) > 0, cc
    body = r.json()
    assert list(body) == ["keys"] and len(body["keys"]) >= 1, body
    for k in body["keys"]:
        assert set(k) == {"kid", "alg", "public_key", "not_before", "not_after"}, k
        assert isinstance(k["kid"], int) and k["kid"] >= 1
        assert k["alg"] == "Ed25519"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", k["public_key"]), k
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", k["not_before"]), k
        assert k["not_after"] is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", k["not_after"])
    # The published key is the public half of the seed on disk.
    k1 = next(k for k in body["keys"] if k["kid"] == 1)
    pub = Ed25519PrivateKey.from_private_bytes(seed_of(stack, 1)).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert b64url_decode(k1["public_key"]) == pub


# === the phone code image ======================================================================

def test_phone_code_png_is_small_uncached_palette_png(stack, person):
    s, pid = person
    r = get_png(s, stack, pid)
    assert r.headers["Cache-Control"] == "no-store", r.headers
    assert len(r.content) < 2048, len(r.content)
    img = Image.open(io.BytesIO(r.content))
    assert img.format == "PNG" and img.mode == "P", (img.format, img.mode)
    assert img.size[0] == img.size[1], img.size
    chunks = [c for c, _ in png_chunks(r.content)]
    assert chunks[0] == "IHDR" and chunks[-1] == "IEND", chunks
    assert set(chunks) == {"IHDR", "PLTE", "IDAT", "IEND"}, chunks  # no needless chunks
    ihdr = png_chunks(r.content)[0][1]
    assert ihdr[8] == 1 and ihdr[9] == 3, "bit depth 1, colour type palette"
    _, n, scale, w = qr_geometry(r.content)
    assert w == (n + 8) * scale, "a quiet zone of 4 modules on every side"
    assert ec_level(r.content) == "M"


def test_phone_code_round_trip_verifies_offline_with_hqrctl(stack, person):
    s, pid = person
    text = h.qr_text(s, stack, pid)
    assert TEXT_RE.match(text), text
    rc, line = verify_offline(stack, text)
    assert rc == 0, line
    f = offline_fields(line)
    assert f["kind"] == "phone" and f["color"] == "green", f
    assert int(f["code_ref"], 16) == code_ref_of(stack, pid), f
    assert abs(int(f["t"]) - time.time()) < 30, f


def test_verify_token_with_a_keys_file_offline(stack, person, tmp_path):
    """A device without coverage: the keys document saved earlier, no network at verify time."""
    s, pid = person
    doc = tmp_path / "keys.json"
    doc.write_text(json.dumps(keys_doc(stack)), encoding="utf-8")
    text = h.qr_text(s, stack, pid)
    p = h.hqrctl(stack, "verify-token", "--keys-file", str(doc), text, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert offline_fields(p.stdout.strip())["kind"] == "phone"
    # The same document with the key replaced by another one: the signature no longer verifies.
    other = json.loads(doc.read_text(encoding="utf-8"))
    for k in other["keys"]:
        k["public_key"] = base64.urlsafe_b64encode(
            Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        ).decode().rstrip("=")
    doc.write_text(json.dumps(other), encoding="utf-8")
    p = h.hqrctl(stack, "verify-token", "--keys-file", str(doc), text, check=False)
    assert (p.returncode, p.stdout.strip()) == (1, "invalid: BAD_SIGNATURE"), p.stdout + p.stderr


def test_phone_code_round_trip_python_reader(stack, person):
    s, pid = person
    before = int(time.time())
    text = h.qr_text(s, stack, pid)
    after = int(time.time())
    tok = parse(text)
    assert len(tok["raw"]) == 97
    assert (tok["version"], tok["kind"], tok["color"]) == (1, 1, 1), tok
    assert before - 1 <= tok["t"] <= after + 1, (before, tok["t"], after)
    assert tok["code_ref"] == code_ref_of(stack, pid)
    published = {k["kid"]: k for k in keys_doc(stack)["keys"]}
    assert tok["kid"] in published, (tok["kid"], published)
    pub = Ed25519PublicKey.from_public_bytes(b64url_decode(published[tok["kid"]]["public_key"]))
    pub.verify(tok["sig"], b"HQR1" + tok["raw"][:33])  # raises InvalidSignature when wrong
    assert hmac.compare_digest(tok["mac"], mac_of(mac_key(stack), tok["raw"][:17]))
    # The signature covers the mac: a signature over the header alone does not verify.
    with pytest.raises(InvalidSignature):
        pub.verify(tok["sig"], b"HQR1" + tok["raw"][:17])


def test_phone_code_carries_no_personal_data(stack):
    s, pid = new_person(stack, name="李四", phone="13912345678")
    text = h.qr_text(s, stack, pid)
    tok = parse(text)
    assert pid not in text and pid.encode() not in tok["raw"]
    assert set(tok) == {"version", "kind", "color", "kid", "code_ref", "t", "mac", "sig", "raw"}


def test_two_persons_have_distinct_code_refs(stack, person):
    s, pid = person
    s2, pid2 = new_person(stack)
    a, b = parse(h.qr_text(s, stack, pid)), parse(h.qr_text(s2, stack, pid2))
    assert a["code_ref"] != b["code_ref"]
    assert a["code_ref"] == parse(h.qr_text(s, stack, pid))["code_ref"], "stable per person"


def test_status_tells_the_client_to_refresh_every_30_s(stack, person):
    s, pid = person
    r = s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["refresh_after_s"] == 30, r.json()


def test_fresh_phone_code_is_allowed_at_a_scan(stack, person, device):
    s, pid = person
    r = h.scan(stack, device, h.qr_text(s, stack, pid))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "allow" and body["reasons"] == [] and body["checks"] == [], body
    assert body["color"] == "green" and body["person"]["name_masked"], body


# === colors ====================================================================================

def test_image_color_follows_the_code_green_then_red(stack, device):
    s, pid = new_person(stack)
    green = get_png(s, stack, pid).content
    assert is_green(ink(green)), ink(green)
    assert parse(decode_png(green))["color"] == 1
    r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
               json={"symptoms": ["cough"], "contact": "no", "declaration": True}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["code"]["color"] == "red", r.json()
    red = get_png(s, stack, pid).content
    assert is_red(ink(red)), ink(red)
    text = decode_png(red)
    assert parse(text)["color"] == 2
    rc, line = verify_offline(stack, text)
    assert rc == 0 and offline_fields(line)["color"] == "red", line
    body = h.scan(stack, device, text).json()
    assert body["verdict"] == "deny" and body["reasons"] == ["RED_CODE"], body


def test_every_thread_shows_red_at_once(stack):
    """Every thread of every worker has shown the person green (its signing key, the day's colour
    and its statements are warm), then the code turns red: the next answers of every thread, the
    status and the image, are red. Nothing a worker keeps can show a colour that has changed."""
    s, pid = new_person(stack)
    token = s.headers["Authorization"]
    status_url, png_url = stack.url(f"/api/v1/persons/{pid}/code"), stack.url(f"/api/v1/persons/{pid}/code.png")
    n = 96  # several requests for each of the stack's threads (2 workers x 16), at once

    def read(_):
        with requests.Session() as one:
            one.headers["Authorization"] = token
            st = one.get(status_url, timeout=30)
            img = one.get(png_url, timeout=30)
            assert st.status_code == 200 and img.status_code == 200, (st.text, img.status_code)
            return st.json()["color"], ink(img.content)

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        before = list(pool.map(read, range(n)))
        assert all(c == "green" and is_green(i) for c, i in before), before
        r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
                   json={"symptoms": ["cough"], "contact": "no", "declaration": True}, timeout=10)
        assert r.status_code == 201 and r.json()["code"]["color"] == "red", r.text
        after = list(pool.map(read, range(n)))
    assert all(c == "red" and is_red(i) for c, i in after), [x for x in after if x[0] != "red" or not is_red(x[1])]


# === the paper code ============================================================================

def test_paper_code_is_black_on_white_print_sized_ec_q(stack, person):
    s, pid = person
    r = get_png(s, stack, pid, paper=True)
    assert r.headers["Cache-Control"] == "no-store", r.headers
    img = Image.open(io.BytesIO(r.content))
    assert img.mode == "P", img.mode
    assert colors_used(r.content) == {BLACK, WHITE}
    assert img.size[0] == img.size[1] >= 473, img.size  # 40 mm at 300 dpi
    _, n, scale, w = qr_geometry(r.content)
    assert w == (n + 8) * scale
    assert ec_level(r.content) == "Q"
    # Q needs a larger symbol than the phone code's M for the same 151 characters.
    _, n_phone, _, _ = qr_geometry(get_png(s, stack, pid).content)
    assert n > n_phone, (n, n_phone)


def test_paper_code_token_is_kind_paper_no_color_serial_1(stack):
    s, pid = new_person(stack)
    text = h.qr_text(s, stack, pid, paper=True)
    tok = parse(text)
    assert (tok["version"], tok["kind"], tok["color"], tok["t"]) == (1, 2, 0, 1), tok
    assert tok["code_ref"] == code_ref_of(stack, pid)
    assert hmac.compare_digest(tok["mac"], mac_of(mac_key(stack), tok["raw"][:17]))
    rc, line = verify_offline(stack, text)
    assert rc == 0, line
    f = offline_fields(line)
    assert (f["kind"], f["color"], f["t"]) == ("paper", "none", "1"), f
    # The same paper serial gives the same token, whenever it is printed.
    assert h.qr_text(s, stack, pid, paper=True) == text


def test_paper_reissue_bumps_the_serial(stack):
    s, pid = new_person(stack)
    r = s.post(stack.url(f"/api/v1/persons/{pid}/paper-code/reissue"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["paper_serial"] == 2, r.json()
    assert parse(h.qr_text(s, stack, pid, paper=True))["t"] == 2


def test_paper_reissue_from_a_cookie_session_needs_x_requested_with(stack):
    web = h.login_web(stack)
    _, pid = new_person(stack, session=web)
    url = stack.url(f"/api/v1/persons/{pid}/paper-code/reissue")
    r = web.post(url, headers={"X-Requested-With": None}, timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF", r.text
    assert parse(h.qr_text(web, stack, pid, paper=True))["t"] == 1
    r = web.post(url, timeout=10)  # the session sends X-Requested-With: hqr
    assert r.status_code == 200 and r.json()["paper_serial"] == 2, r.text
    assert parse(h.qr_text(web, stack, pid, paper=True))["t"] == 2


def test_concurrent_reissues_each_report_the_serial_they_set(stack):
    s, pid = new_person(stack)
    url = stack.url(f"/api/v1/persons/{pid}/paper-code/reissue")
    auth = {"Authorization": s.headers["Authorization"]}
    n, serial = 12, 1
    for _ in range(3):
        gate = threading.Barrier(n)

        def reissue(_):
            gate.wait(10)
            r = requests.post(url, headers=auth, timeout=10)
            assert r.status_code == 200, r.text
            return r.json()["paper_serial"]

        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            got = sorted(ex.map(reissue, range(n)))
        assert got == list(range(serial + 1, serial + n + 1)), got
        serial += n
    assert stack.sql(f"SELECT paper_serial FROM persons WHERE public_id = '{pid}'") == [[str(serial)]]


def test_superseded_paper_serial_is_refused_and_the_new_one_allowed(stack, device):
    s, pid = new_person(stack, name="王小明")
    old = h.qr_text(s, stack, pid, paper=True)
    r = s.post(stack.url(f"/api/v1/persons/{pid}/paper-code/reissue"), timeout=10)
    assert r.status_code == 200, r.text
    new = h.qr_text(s, stack, pid, paper=True)
    assert parse(old)["t"] == 1 and parse(new)["t"] == 2
    assert_deny(h.scan(stack, device, old), "NO_VALID_CODE")
    r = h.scan(stack, device, new)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "allow" and body["reasons"] == [], body
    assert body["checks"] == ["ID_DOCUMENT"], body
    p = s.get(stack.url(f"/api/v1/persons/{pid}"), timeout=10).json()
    assert body["person"]["name_masked"] == p["name_masked"] != "王小明", (body, p)
    assert body["person"]["id_masked"] == p["id_masked"], (body, p)
    # An integrator's offline reader cannot know the serial: the old paper still verifies there.
    assert verify_offline(stack, old)[0] == 0


# === refusals, each with its own reason ========================================================

@pytest.mark.parametrize("byte,bit", [(7, 0), (14, 3), (16, 0), (20, 5)],
                         ids=["code_ref", "t-high", "t-low", "mac"])
def test_flipped_bit_is_refused_by_the_service_and_offline(stack, person, device, byte, bit):
    s, pid = person
    raw = bytearray(parse(h.qr_text(s, stack, pid))["raw"])
    raw[byte] ^= 1 << bit
    text = reencode(raw)
    assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")
    rc, line = verify_offline(stack, text)
    assert (rc, line) == (1, "invalid: BAD_SIGNATURE"), line


def test_flipped_signature_bit_is_refused_offline(stack, person):
    s, pid = person
    raw = bytearray(parse(h.qr_text(s, stack, pid))["raw"])
    raw[60] ^= 0x10
    assert verify_offline(stack, reencode(raw)) == (1, "invalid: BAD_SIGNATURE")


def test_flipped_kind_bit_is_unparsable(stack, person, device):
    s, pid = person
    raw = bytearray(parse(h.qr_text(s, stack, pid))["raw"])
    raw[1] ^= 0x04  # kind 1 -> 5
    text = reencode(raw)
    assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")
    assert verify_offline(stack, text) == (1, "invalid: BAD_KIND")


def test_unknown_kid_is_refused(stack, person, device):
    s, pid = person
    raw = bytearray(parse(h.qr_text(s, stack, pid))["raw"])
    raw[3:5] = (0x7FFF).to_bytes(2, "big")
    text = reencode(raw)
    assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")
    assert verify_offline(stack, text) == (1, "invalid: UNKNOWN_KEY")


def test_python_sealed_fresh_token_is_accepted(stack, person, device):
    """The control for the stale and future cases: the same sealing, at the current time."""
    s, pid = person
    kid, seed = current_signer(stack)
    text = seal(mac_key(stack), seed, 1, 1, kid, code_ref_of(stack, pid), int(time.time()) - 150)
    r = h.scan(stack, device, text)
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
    assert verify_offline(stack, text)[0] == 0


def test_stale_phone_token_is_expired(stack, person, device):
    s, pid = person
    kid, seed = current_signer(stack)
    text = seal(mac_key(stack), seed, 1, 1, kid, code_ref_of(stack, pid), int(time.time()) - 200)
    r = h.scan(stack, device, text)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "deny" and body["reasons"] == ["EXPIRED_CODE"], body
    assert verify_offline(stack, text) == (1, "invalid: EXPIRED")


def test_future_phone_token_is_refused(stack, person, device):
    s, pid = person
    kid, seed = current_signer(stack)
    text = seal(mac_key(stack), seed, 1, 1, kid, code_ref_of(stack, pid), int(time.time()) + 60)
    assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")
    assert verify_offline(stack, text) == (1, "invalid: FROM_THE_FUTURE")


def test_phone_token_slightly_ahead_is_accepted(stack, person, device):
    """Within the 30 s of clock skew allowed: the control for the future case."""
    s, pid = person
    kid, seed = current_signer(stack)
    text = seal(mac_key(stack), seed, 1, 1, kid, code_ref_of(stack, pid), int(time.time()) + 15)
    r = h.scan(stack, device, text)
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
    assert verify_offline(stack, text)[0] == 0


def test_token_for_an_unknown_person_is_refused(stack, device):
    kid, seed = current_signer(stack)
    text = seal(mac_key(stack), seed, 1, 1, kid, 0x0123456789ABCDEF, int(time.time()))
    assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")


# === only holders get images =================================================================

def test_only_holders_get_images_or_reissue(stack, person):
    s, pid = person
    other = h.login_mp(stack)
    new_person(stack, session=other)
    for path in ("code.png", "paper-code.png"):
        r = other.get(stack.url(f"/api/v1/persons/{pid}/{path}"), timeout=10)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert not r.content.startswith(PNG_SIG)
    serial = stack.sql(f"SELECT paper_serial FROM persons WHERE public_id = '{pid}'")[0][0]
    r = other.post(stack.url(f"/api/v1/persons/{pid}/paper-code/reissue"), timeout=10)
    assert r.status_code == 404, r.text
    assert stack.sql(f"SELECT paper_serial FROM persons WHERE public_id = '{pid}'")[0][0] == serial
    # Nor does anyone anonymous, nor a person id that does not exist.
    r = requests.get(stack.url(f"/api/v1/persons/{pid}/code.png"), timeout=10)
    assert r.status_code == 401, r.text
    r = s.get(stack.url("/api/v1/persons/AAAAAAAAAAAAAAAAAAAAAA/code.png"), timeout=10)
    assert r.status_code == 404, r.text


# === scale ===================================================================================

def test_scale_two_gives_a_smaller_image(stack, person):
    s, pid = person
    default = get_png(s, stack, pid)
    small = get_png(s, stack, pid, params={"scale": "2"})
    wd = Image.open(io.BytesIO(default.content)).size[0]
    ws = Image.open(io.BytesIO(small.content)).size[0]
    _, n, scale, _ = qr_geometry(small.content)
    assert scale == 2 and ws == (n + 8) * 2, (scale, ws, n)
    assert ws < wd and len(small.content) < len(default.content), (ws, wd)
    assert parse(decode_png(small.content))["kind"] == 1


@pytest.mark.parametrize("value", ["0", "33", "abc", "-1", ""])
def test_scale_out_of_bounds_is_422(stack, person, value):
    s, pid = person
    r = s.get(stack.url(f"/api/v1/persons/{pid}/code.png"), params={"scale": value}, timeout=10)
    assert r.status_code == 422, (value, r.status_code, r.headers.get("Content-Type"))
    assert r.headers["Content-Type"].startswith("application/json")


def test_a_stranger_hears_401_before_anything_about_its_query(stack, person):
    """The image's route reads its session with the person (AUTH_HOLDER): a caller that is not
    logged in (an unknown token, a session logged out, none at all) hears 401 for a bad or repeated
    scale, never the field error that tells what the route takes; the holder hears that error."""
    s, pid = person
    url = stack.url(f"/api/v1/persons/{pid}/code.png")
    gone = h.login_mp(stack)
    assert gone.post(stack.url("/api/v1/logout"), timeout=10).status_code == 204
    callers = [{"Authorization": "Bearer " + "B" * 43}, dict(gone.headers), {}]
    queries = ["scale=abc", "scale=0", "scale=", "scale=2&scale=3"]
    for query in queries:
        for headers in callers:
            r = requests.get(f"{url}?{query}", headers=headers, timeout=10)
            body = h.assert_error(r, 401, "UNAUTHENTICATED")
            assert "fields" not in body["error"], (query, headers, body)
    for query, status, code in [("scale=abc", 422, "VALIDATION_FAILED"), ("scale=2&scale=3", 400, "DUPLICATE_FIELD")]:
        body = h.assert_error(s.get(f"{url}?{query}", timeout=10), status, code)
        assert body["error"]["fields"][0]["field"] == "scale", body
    # The stranger's token is refused as a token, whatever the query: the same answer as without one.
    assert requests.get(url, headers=callers[0], timeout=10).status_code == 401


# === key rotation and retirement (last: they change the stack's keys) ========================

# --- the colour of the day: its own key, not the mac key ----------------------------------------

def day_color_of(key, day):
    """The day's colour as DESIGN §12 derives it (fcgi/model/daycolor.c), computed here on its own:
    HMAC-SHA256 of "day-color|base|0" and "day-color|day|D" under the key, HSL 85 %/40 %."""
    def keyed(what, d):
        return int.from_bytes(hmac.new(key, f"day-color|{what}|{d}".encode(), hashlib.sha256).digest()[:4], "big")
    h = (keyed("base", 0) % 265 + (day + 1000000) * 110 + keyed("day", day) % 45) % 265
    hue = 20 + h if h < 70 else 150 + h - 70
    c, hp, m = 680, hue % 120, 60
    x = c * (60 - abs(hp - 60)) // 60
    rgb = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][hue // 60]
    return "#%02x%02x%02x" % tuple((v + m) * 255 // 1000 for v in rgb)


def local_days(zone):
    """The days (since 1970-01-01) in the city's zone now; two around a midnight."""
    from zoneinfo import ZoneInfo
    return datetime.datetime.now(ZoneInfo(zone)).date().toordinal() - datetime.date(1970, 1, 1).toordinal()


def write_key(stack, name, data):
    path = os.path.join(keys_dir(stack), name)
    tmp = path + ".tmp-test"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def mac_in_effect(stack, s, pid, key, streak=1, limit=20):
    """Every host reloads its keys (SIGHUP; in the cluster after host 1's keys are distributed),
    then waits until freshly issued codes carry a mac under key (streak times in a row: the old
    workers drain while the new ones start)."""
    stack.reload_keys()

    def sealed_under_key():
        tok = parse(h.qr_text(s, stack, pid))
        return hmac.compare_digest(tok["mac"], mac_of(key, tok["raw"][:17]))
    h.wait_until(sealed_under_key, limit, "the codes to be sealed under the expected mac key after SIGHUP",
                 streak=streak)


def test_day_color_is_keyed_on_its_own_key_and_a_new_mac_key_leaves_it(stack, person):
    s, pid = person
    day_key = read_file(os.path.join(keys_dir(stack), "day.key"))
    assert len(day_key) == 32 and day_key != mac_key(stack)
    conf = stack.conf()
    zone = conf["app"]["timezone"]

    def day_color():
        before = local_days(zone)
        r = s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10)
        assert r.status_code == 200, r.text
        after = local_days(zone)
        got = r.json()["day_color"]
        # The colour is the day key's for the city's day (a midnight between the two readings
        # allows either day).
        assert got in {day_color_of(day_key, d) for d in (before, after)}, (got, before, after)
        return got, after

    first, day = day_color()
    old_mac = mac_key(stack)
    new_mac = os.urandom(32)
    try:
        write_key(stack, "mac.key", new_mac)
        mac_in_effect(stack, s, pid, new_mac)
        # The mac key is new (codes are sealed under it); the day's colour is the same.
        second, day2 = day_color()
        if day2 == day:
            assert second == first, (first, second)
    finally:
        write_key(stack, "mac.key", old_mac)
        mac_in_effect(stack, s, pid, old_mac, streak=5)


def test_a_keys_directory_without_a_day_key_still_starts_and_gets_one(stack, tmp_path):
    """A machine set up before the day key existed: the service's check (`hqr-fcgi -t`, the unit's
    ExecStartPre) and start create day.key, mode 0600, and keep the other keys as they were."""
    import shutil
    keys = tmp_path / "keys"
    shutil.copytree(keys_dir(stack), keys)
    os.chmod(keys, 0o700)
    os.unlink(keys / "day.key")
    before = {n: (keys / n).read_bytes() for n in os.listdir(keys)}
    with open(stack.conf_path, encoding="utf-8") as f:
        text = f.read()
    conf = tmp_path / "hqr.conf"
    conf.write_text(re.sub(r"(?m)^keys_dir = .*$", f"keys_dir = {keys}", text), encoding="utf-8")
    os.chmod(conf, 0o600)
    p = stack.run_bin("hqr-fcgi", "-c", str(conf), "-t")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "configuration" in p.stdout and "valid" in p.stdout, p.stdout
    assert f"created the day colour's key {keys}/day.key" in p.stderr, p.stderr
    day = (keys / "day.key").read_bytes()
    assert len(day) == 32 and day not in before.values()
    assert os.stat(keys / "day.key").st_mode & 0o777 == 0o600
    assert {n: (keys / n).read_bytes() for n in os.listdir(keys) if n != "day.key"} == before
    # The second start finds it and keeps it.
    p = stack.run_bin("hqr-fcgi", "-c", str(conf), "-t")
    assert p.returncode == 0 and "created" not in p.stderr, p.stdout + p.stderr
    assert (keys / "day.key").read_bytes() == day


def test_key_rotation_keeps_old_codes_verifying(stack, person, device):
    s, pid = person
    before_kids = h.published_kids(stack)
    old_kid = max(before_kids)
    old_text = h.qr_text(s, stack, pid)
    old_paper = h.qr_text(s, stack, pid, paper=True)
    assert parse(old_text)["kid"] == old_kid
    p = h.hqrctl(stack, "keys", "rotate")
    new_kid = old_kid + 1
    assert f"signing key {new_kid}" in p.stdout, p.stdout
    h.reload_keys_until(stack, before_kids + [new_kid])

    doc = keys_doc(stack)
    assert {k["kid"]: k["not_after"] for k in doc["keys"]}[old_kid] is not None, doc  # overlap end
    # Codes signed before the rotation still verify, offline with the new document and at a scan.
    rc, line = verify_offline(stack, old_text)
    assert rc == 0 and offline_fields(line)["kid"] == str(old_kid), line
    assert verify_offline(stack, old_paper)[0] == 0
    r = h.scan(stack, device, old_text)
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
    # New codes carry the new kid, and verify with its published key.
    for paper in (False, True):
        text = h.qr_text(s, stack, pid, paper=paper)
        tok = parse(text)
        assert tok["kid"] == new_kid, tok
        pub = next(k for k in doc["keys"] if k["kid"] == new_kid)["public_key"]
        Ed25519PublicKey.from_public_bytes(b64url_decode(pub)).verify(tok["sig"], b"HQR1" + tok["raw"][:33])
        assert verify_offline(stack, text)[0] == 0
    r = h.scan(stack, device, h.qr_text(s, stack, pid))
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
    # The operator's view.
    states = {}
    for line in h.hqrctl(stack, "keys", "list").stdout.splitlines()[1:]:
        cols = line.split()
        states[int(cols[0])] = cols[4]
    assert states[old_kid] == "verifying" and states[new_kid] == "signing", states


def test_wrong_kid_signature_is_refused_offline(stack, person, device):
    """After the rotation: kid 1 in the token but signed with kid 2's seed."""
    s, pid = person
    kids = h.published_kids(stack)
    assert len(kids) >= 2, kids
    old, new = kids[-2], kids[-1]
    text = seal(mac_key(stack), seed_of(stack, new), 1, 1, old, code_ref_of(stack, pid), int(time.time()))
    assert verify_offline(stack, text) == (1, "invalid: BAD_SIGNATURE")
    good = seal(mac_key(stack), seed_of(stack, old), 1, 1, old, code_ref_of(stack, pid), int(time.time()))
    assert verify_offline(stack, good)[0] == 0


def test_retired_key_is_unpublished_and_refused(stack, person, device):
    s, pid = person
    kids = h.published_kids(stack)
    assert 1 in kids and len(kids) >= 2, kids
    original = read_file(meta_path(stack, 1)).decode("ascii")
    nb = re.search(r"not_before=(\d+)", original).group(1)
    try:
        write_meta(stack, 1, f"not_before={nb}\nnot_after={int(time.time()) - 10}\n")
        assert os.stat(meta_path(stack, 1)).st_mode & 0o777 == 0o600
        h.reload_keys_until(stack, [k for k in kids if k != 1])
        text = seal(mac_key(stack), seed_of(stack, 1), 1, 1, 1, code_ref_of(stack, pid), int(time.time()))
        assert_deny(h.scan(stack, device, text), "NO_VALID_CODE")
        assert verify_offline(stack, text) == (1, "invalid: UNKNOWN_KEY")
        states = {int(l.split()[0]): l.split()[4]
                  for l in h.hqrctl(stack, "keys", "list").stdout.splitlines()[1:]}
        assert states[1] == "retired", states
        # New codes keep working under the newer key.
        fresh = h.qr_text(s, stack, pid)
        assert parse(fresh)["kid"] != 1
        r = h.scan(stack, device, fresh)
        assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
    finally:
        write_meta(stack, 1, original)
        h.reload_keys_until(stack, kids)
    r = h.scan(stack, device, h.qr_text(s, stack, pid))
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text


# === who may read a code (the session is read with the person and code) ============================

@pytest.mark.parametrize("path", ["/code", "/code.png"])
def test_code_routes_check_the_session_with_the_person(stack, path):
    """The code routes read the session, the person and the code in one statement: each way of
    not being the holder is refused as on every other route (401 before 404; ids reveal nothing)."""
    s, pid = h.new_person(stack)
    token = s.headers["Authorization"].split(" ", 1)[1]
    url = stack.url(f"/api/v1/persons/{pid}{path}")

    def status(headers=None, cookies=None, u=url):
        r = requests.get(u, headers=headers or {}, cookies=cookies or {}, timeout=10)
        code = r.json()["error"]["code"] if r.status_code >= 400 else None
        return r.status_code, code

    assert status({"Authorization": "Bearer " + token}) == (200, None)
    # No token, a malformed one, an unknown one, a bearer token carried as a cookie: 401.
    assert status() == (401, "UNAUTHENTICATED")
    assert status({"Authorization": "Bearer short"}) == (401, "UNAUTHENTICATED")
    assert status({"Authorization": "Bearer " + "B" * 43}) == (401, "UNAUTHENTICATED")
    assert status(cookies={"hqr_session": token}) == (401, "UNAUTHENTICATED")
    # Another account's session: 404, as for a person that does not exist; a malformed id too.
    other = h.login_mp(stack).headers
    assert status(other) == (404, "NOT_FOUND")
    assert status(other, u=stack.url(f"/api/v1/persons/{'A' * 22}{path}")) == (404, "NOT_FOUND")
    assert status(other, u=stack.url(f"/api/v1/persons/short{path}")) == (404, "NOT_FOUND")
    assert status({"Authorization": "Bearer " + "B" * 43}, u=stack.url(f"/api/v1/persons/short{path}")) == \
        (401, "UNAUTHENTICATED")
    # An idle session is over; a use more than a minute after the last moves last_seen on.
    hashed = hashlib.sha256(token.encode()).hexdigest()
    stack.sql(f"UPDATE sessions SET last_seen = NOW() - INTERVAL 2 MINUTE WHERE id_hash = UNHEX('{hashed}')")
    assert status({"Authorization": "Bearer " + token}) == (200, None)
    moved = stack.sql(f"SELECT last_seen > NOW() - INTERVAL 30 SECOND FROM sessions WHERE id_hash = UNHEX('{hashed}')")
    assert moved == [["1"]], moved
    stack.sql(f"UPDATE sessions SET last_seen = NOW() - INTERVAL 8 DAY WHERE id_hash = UNHEX('{hashed}')")
    assert status({"Authorization": "Bearer " + token}) == (401, "UNAUTHENTICATED")
