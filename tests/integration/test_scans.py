"""At the checkpoint (DESIGN §1, §6; issue 6) over real HTTP: the verdict table with codes read
back from real images by zbarimg, every scan in the scans table, device tokens, integrator
signatures and offline batches, and a load test that finds every acknowledged scan in the database.
The staff's side (orders, tracing, admin roles, devices and residents through the admin API,
nginx's admin allow list) is test_admin.py.

Each test makes its own persons, checkpoints, devices and staff (unique names): none depends on
another's state or order.
"""
import concurrent.futures
import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
import uuid

import pytest
import requests

import helpers as h
import hqr1
from hqr1 import b45encode, token_raw
from helpers import assert_error
from scanning import (ANSWER_KEYS, DIR_NUM, KIND_PAPER, KIND_PHONE, Person, assert_row, assert_verdict,
                      bearer, check_answer, device_add, row, scan_time, scans_of_device,
                      scans_of_integrator, staff)

# --- HQR1 texts built in Python (DESIGN §5) -----------------------------------------------------

def key_file(stack, name):
    with open(os.path.join(stack.dir, "keys", name), "rb") as f:
        return f.read()


def seal(stack, kind, color, kid, code_ref, t):
    """An HQR1 text sealed as the service seals one: the mac under keys/mac.key, the Ed25519
    signature with the seed of key kid."""
    return hqr1.seal(key_file(stack, "mac.key"), key_file(stack, f"sign-{kid:04d}.seed"), kind, color, kid,
                     code_ref, t)


def phone_code_at(stack, person, t):
    """The person's phone code as it was (or will be) issued at unix time t."""
    raw = token_raw(person.qr())
    _, kind, color, kid = struct.unpack(">BBBH", raw[:5])
    assert kind == KIND_PHONE
    return seal(stack, kind, color, kid, int.from_bytes(raw[5:13], "big"), t)


# --- integrators --------------------------------------------------------------------------------

def signature(secret, method, target, ts, nonce, body):
    canon = f"{method}\n{target}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(secret.encode("ascii"), canon.encode("utf-8"), hashlib.sha256).hexdigest()


class Integrator:
    def __init__(self, stack, *checkpoints):
        self.stack = stack
        args = ["integrator", "add", "--name", h.unique("integ")]
        for cp in checkpoints:
            args += ["--checkpoint", str(cp)]
        p = h.hqrctl(stack, *args)
        m = re.search(r"^key_id: (\S+)$", p.stdout, re.M)
        assert m, p.stdout
        self.key = m.group(1)
        self.secret = h.last_line(p)
        assert re.fullmatch(r"[0-9a-f]{64}", self.secret), p.stdout
        self.id = int(stack.sql(f"SELECT id FROM integrators WHERE key_id = '{self.key}'")[0][0])

    def signed(self, target, obj, ts=None, nonce=None, secret=None):
        """(headers, body) of a signed POST."""
        body = json.dumps(obj).encode("utf-8")
        ts = str(int(time.time()) if ts is None else ts)
        nonce = nonce or "n-" + uuid.uuid4().hex
        headers = {"Content-Type": "application/json", "X-HQR-Key": self.key, "X-HQR-Timestamp": ts,
                   "X-HQR-Nonce": nonce,
                   "X-HQR-Signature": signature(secret or self.secret, "POST", target, ts, nonce, body)}
        return headers, body

    def post(self, target, obj, **kw):
        headers, body = self.signed(target, obj, **kw)
        return self.stack.raw("POST", target, headers, body)




# === the verdict table through HTTP ============================================================

def test_green_entering_is_allowed_and_recorded(stack, mall, green):
    cp, dev, token = mall
    body = check_answer(h.scan(stack, token, green.qr(), "in", 36.5), green)
    assert_verdict(body, "allow")
    assert body["checks"] == [], body
    d = green.details()
    assert body["person"] == {"name_masked": d["name_masked"], "id_masked": d["id_masked"]}, (body, d)
    assert_row(stack, body, person_id=green.db_id, checkpoint_id=cp, device_id=dev, integrator_id=None,
               token_kind=KIND_PHONE, direction=0, temperature_tenths=365, visitor_enc=None)


def test_green_leaving_is_allowed(stack, mall, green):
    cp, dev, token = mall
    body = check_answer(h.scan(stack, token, green.qr(), "out", None), green)
    assert_verdict(body, "allow")
    assert_row(stack, body, person_id=green.db_id, direction=1, temperature_tenths=None)


def test_red_by_declaration_is_denied_entering(stack, mall):
    p = Person(stack)
    p.declare_cough()
    body = check_answer(h.scan(stack, mall[2], p.qr(), "in", 36.5), p)
    assert_verdict(body, "deny", ["RED_CODE"], color="red")
    assert body["person"] is not None, body
    assert_row(stack, body, person_id=p.db_id, direction=0)


def test_red_is_allowed_leaving(stack, mall):
    p = Person(stack)
    p.declare_cough()
    body = check_answer(h.scan(stack, mall[2], p.qr(), "out", None), p)
    assert_verdict(body, "allow", color="red")
    assert_row(stack, body, person_id=p.db_id, direction=1)


def test_fever_is_denied(stack, mall, green):
    body = check_answer(h.scan(stack, mall[2], green.qr(), "in", 38.0), green)
    assert_verdict(body, "deny", ["FEVER"])
    assert_row(stack, body, person_id=green.db_id, temperature_tenths=380)


def test_fever_threshold_is_inclusive(stack, mall, green):
    body = check_answer(h.scan(stack, mall[2], green.qr(), "in", 37.3), green)
    assert_verdict(body, "deny", ["FEVER"])
    body = check_answer(h.scan(stack, mall[2], green.qr(), "in", 37.2), green)
    assert_verdict(body, "allow")


def test_entering_without_temperature_is_422_and_records_nothing(stack, mall, green):
    cp, dev, token = mall
    qr = green.qr()
    before = scans_of_device(stack, dev)
    r = h.scan(stack, token, qr, "in", None)
    assert_error(r, 422, "VALIDATION_FAILED")
    assert {"field": "temperature", "code": "REQUIRED"} in r.json()["error"]["fields"], r.text
    assert scans_of_device(stack, dev) == before


@pytest.mark.parametrize("how", ["hqrctl", "api_person_id", "api_id_number"])
def test_community_resident_is_allowed(stack, how):
    cp = h.checkpoint(stack, kind="community", type_="community")
    _, token = device_add(stack, cp)
    p = Person(stack)
    if how == "hqrctl":
        h.hqrctl(stack, "resident", "add", "--checkpoint", str(cp), "--person", p.pid)
    else:
        _, op = staff(stack, "operator")
        payload = ({"person_id": p.pid} if how == "api_person_id"
                   else {"id_type": "resident_id", "id_number": p.id_number})
        r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/residents"), json=payload,
                          headers=bearer(op), timeout=10)
        assert r.status_code == 201, r.text
        assert r.json()["person_id"] == p.pid, r.text
    body = check_answer(h.scan(stack, token, p.qr(), "in", 36.4), p)
    assert_verdict(body, "allow")
    assert_row(stack, body, person_id=p.db_id, visitor_enc=None)


def test_community_visitor_without_registration_must_register(stack, community, green):
    body = check_answer(h.scan(stack, community[2], green.qr(), "in", 36.5), green)
    assert_verdict(body, "register", ["VISITOR_REGISTRATION"])
    assert_row(stack, body, person_id=green.db_id, visitor_enc=None)


def test_community_visitor_with_registration_is_allowed_and_sealed(stack, community, green):
    host = "Room 301"
    body = check_answer(h.scan(stack, community[2], green.qr(), "in", 36.5,
                               visitor={"purpose": "visit", "host": host}), green)
    assert_verdict(body, "allow")
    r = assert_row(stack, body, person_id=green.db_id)
    assert r["visitor_enc"] is not None and len(r["visitor_enc"]) > len(host), r
    assert host.encode() not in r["visitor_enc"] and b"visit" not in r["visitor_enc"], r


def test_community_visitor_registration_at_its_field_limits_is_accepted(stack, community, green):
    visitor = {"purpose": "探" * 60, "host": "张" * 60, "address": "北京市朝阳区建国路一号院" * 10}
    assert len(visitor["address"]) == 120
    r = h.scan(stack, community[2], green.qr(), "in", 36.5, visitor=visitor)
    body = check_answer(r, green)
    assert_verdict(body, "allow")
    assert row(stack, body["scan_id"])["visitor_enc"] is not None


def test_community_visitor_registration_over_its_limits_is_422(stack, community, green):
    before = scans_of_device(stack, community[1])
    for visitor in ({"purpose": "visit"}, {"purpose": "", "host": "Room 301"},
                    {"purpose": "v" * 61, "host": "Room 301"}, {"purpose": "visit", "host": "h" * 61}):
        r = h.scan(stack, community[2], green.qr(), "in", 36.5, visitor=visitor)
        assert_error(r, 422, "VALIDATION_FAILED")
        assert r.json()["error"]["fields"][0]["field"] == "visitor", r.text
    assert scans_of_device(stack, community[1]) == before


def test_paper_code_is_allowed_with_id_document_check(stack, mall):
    p = Person(stack)
    body = check_answer(h.scan(stack, mall[2], p.qr(paper=True), "in", 36.5), p)
    assert_verdict(body, "allow")
    assert body["checks"] == ["ID_DOCUMENT"], body
    d = p.details()
    assert body["person"] == {"name_masked": d["name_masked"], "id_masked": d["id_masked"]}, (body, d)
    assert body["person"]["name_masked"] != p.name, body
    assert_row(stack, body, person_id=p.db_id, token_kind=KIND_PAPER)


def test_stale_phone_code_is_denied_expired(stack, mall, green):
    text = phone_code_at(stack, green, int(time.time()) - 200)
    body = check_answer(h.scan(stack, mall[2], text, "in", 36.5), green)
    assert_verdict(body, "deny", ["EXPIRED_CODE"], color=None)
    assert body["person"] is None, body
    assert_row(stack, body, token_kind=KIND_PHONE)


def test_sealed_code_of_no_person_is_denied(stack, mall, green):
    """A code with a right mac and signature but a code_ref nobody holds."""
    raw = token_raw(green.qr())
    kid = struct.unpack(">H", raw[3:5])[0]
    text = seal(stack, KIND_PHONE, 1, kid, random.randrange(1, 1 << 63), int(time.time()))
    body = check_answer(h.scan(stack, mall[2], text, "in", 36.5))
    assert_verdict(body, "deny", ["NO_VALID_CODE"], color=None)
    assert body["person"] is None, body
    assert_row(stack, body, person_id=None)


def test_python_sealed_fresh_phone_code_is_allowed(stack, mall, green):
    """The control of the stale test: the same construction with t = now is accepted."""
    body = check_answer(h.scan(stack, mall[2], phone_code_at(stack, green, int(time.time())), "in", 36.5))
    assert_verdict(body, "allow")


def test_phone_code_from_the_future_is_denied(stack, mall, green):
    body = check_answer(h.scan(stack, mall[2], phone_code_at(stack, green, int(time.time()) + 120), "in", 36.5))
    assert_verdict(body, "deny", ["NO_VALID_CODE"], color=None)


@pytest.mark.parametrize("byte,bit", [(8, 2), (20, 0)], ids=["code_ref", "mac"])
def test_forged_code_is_denied_with_nothing_shown(stack, mall, green, byte, bit):
    raw = bytearray(token_raw(green.qr()))
    raw[byte] ^= 1 << bit
    body = check_answer(h.scan(stack, mall[2], "HQR1:" + b45encode(bytes(raw)), "in", 36.5), green)
    assert_verdict(body, "deny", ["NO_VALID_CODE"], color=None)
    assert body["person"] is None and body["checks"] == [], body
    assert_row(stack, body, person_id=None, device_id=mall[1])


def test_revoked_paper_serial_is_denied(stack, mall):
    p = Person(stack)
    old = p.qr(paper=True)
    r = p.session.post(stack.url(f"/api/v1/persons/{p.pid}/paper-code/reissue"), timeout=10)
    assert r.status_code == 200, r.text
    body = check_answer(h.scan(stack, mall[2], old, "in", 36.5), p)
    assert_verdict(body, "deny", ["NO_VALID_CODE"], color=None)
    assert body["person"] is None, body
    assert_row(stack, body, token_kind=KIND_PAPER)
    new = p.qr(paper=True)
    assert new != old
    body = check_answer(h.scan(stack, mall[2], new, "in", 36.5), p)
    # (What the store holds, to tell a stale image from a stale lookup should this ever fail.)
    assert body["verdict"] == "allow", (body, r.json(), stack.sql(
        f"SELECT paper_serial FROM persons WHERE id = {p.db_id}"))
    assert_verdict(body, "allow")


@pytest.mark.parametrize("type_", ["taxi", "ride_hailing"])
def test_taxi_out_is_an_entry(stack, type_):
    cp = h.checkpoint(stack, kind="transport", type_=type_)
    dev, token = device_add(stack, cp)
    p = Person(stack)
    qr = p.qr()
    before = scans_of_device(stack, dev)
    r = h.scan(stack, token, qr, "out", None)
    assert_error(r, 422, "VALIDATION_FAILED")
    assert {"field": "temperature", "code": "REQUIRED"} in r.json()["error"]["fields"], r.text
    assert scans_of_device(stack, dev) == before
    body = check_answer(h.scan(stack, token, qr, "out", 36.5), p)
    assert_verdict(body, "allow")
    assert_row(stack, body, person_id=p.db_id, checkpoint_id=cp)
    # A red passenger is refused a ride whatever the device's direction.
    p.declare_cough()
    body = check_answer(h.scan(stack, token, p.qr(), "out", 36.5), p)
    assert_verdict(body, "deny", ["RED_CODE"], color="red")


def test_bus_out_is_a_leaving(stack):
    """Only taxis and ride-hailing turn "out" into an entry: a bus lets a red passenger off."""
    cp = h.checkpoint(stack, kind="transport", type_="bus")
    _, token = device_add(stack, cp)
    p = Person(stack)
    p.declare_cough()
    body = check_answer(h.scan(stack, token, p.qr(), "out", None), p)
    assert_verdict(body, "allow", color="red")


# === every scan is in the table ================================================================

def test_every_scan_is_recorded_denials_and_invalid_codes_included(stack, community):
    cp, dev, token = community
    g, red = Person(stack), Person(stack)
    red.declare_cough()
    gq, rq = g.qr(), red.qr()
    forged = bytearray(token_raw(gq))
    forged[25] ^= 0x40
    cases = [
        # (qr, direction, temperature, visitor, verdict, reasons, person)
        (gq, "in", 36.5, None, "register", ["VISITOR_REGISTRATION"], g),
        (gq, "in", 36.5, {"purpose": "delivery", "address": "Building 4"}, "allow", [], g),
        (gq, "out", None, None, "allow", [], g),
        (gq, "in", 39.1, None, "deny", ["FEVER"], g),
        (rq, "in", 36.5, None, "deny", ["RED_CODE"], red),
        (rq, "in", 38.5, None, "deny", ["RED_CODE", "FEVER"], red),
        (rq, "out", None, None, "allow", [], red),
        ("HQR1:" + b45encode(bytes(forged)), "in", 36.5, None, "deny", ["NO_VALID_CODE"], None),
        ("HQR1:NOT-A-CODE", "in", 36.5, None, "deny", ["NO_VALID_CODE"], None),
        ("hello", "out", None, None, "deny", ["NO_VALID_CODE"], None),
        (phone_code_at(stack, g, int(time.time()) - 1000), "in", 36.5, None, "deny", ["EXPIRED_CODE"], g),
    ]
    before = scans_of_device(stack, dev)
    ids = []
    for qr, d, t, vis, verdict, reasons, who in cases:
        body = check_answer(h.scan(stack, token, qr, d, t, visitor=vis))
        assert (body["verdict"], body["reasons"]) == (verdict, reasons), (qr, d, t, body)
        r = assert_row(stack, body, checkpoint_id=cp, device_id=dev, direction=DIR_NUM[d],
                       temperature_tenths=None if t is None else round(t * 10),
                       person_id=None if who is None else who.db_id)
        assert (r["visitor_enc"] is not None) == (vis is not None and verdict == "allow"), r
        ids.append(body["scan_id"])
    assert len(set(ids)) == len(ids)
    assert scans_of_device(stack, dev) == before + len(cases)


# === device tokens =============================================================================

@pytest.mark.parametrize("how", ["hqrctl", "api"])
def test_revoked_device_token_is_refused_on_the_next_scan(stack, green, how):
    cp = h.checkpoint(stack)
    if how == "hqrctl":
        dev, token = device_add(stack, cp)
    else:
        _, op = staff(stack, "operator")
        r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/devices"), headers=bearer(op), timeout=10)
        assert r.status_code == 201, r.text
        dev, token = r.json()["device_id"], r.json()["token"]
    qr = green.qr()
    assert check_answer(h.scan(stack, token, qr))["verdict"] == "allow"
    if how == "hqrctl":
        h.hqrctl(stack, "device", "revoke", "--id", str(dev))
    else:
        r = requests.post(stack.url(f"/api/v1/admin/devices/{dev}/revoke"), headers=bearer(op), timeout=10)
        assert r.status_code == 200 and r.json()["revoked"] is True, r.text
    before = scans_of_device(stack, dev)
    assert_error(h.scan(stack, token, qr), 401, "UNAUTHENTICATED")
    assert scans_of_device(stack, dev) == before


@pytest.mark.parametrize("auth", [None, "Bearer ", "Bearer not-a-device-token", "Basic abc"])
def test_scan_without_a_device_token_is_401(stack, green, auth):
    headers = {} if auth is None else {"Authorization": auth}
    r = requests.post(stack.url("/api/v1/scans"), json={"qr": green.qr(), "direction": "in", "temperature": 36.5},
                      headers=headers, timeout=10)
    assert_error(r, 401, "UNAUTHENTICATED")


def test_a_bad_scan_body_is_401_for_an_unknown_device_and_422_or_400_for_a_known_one(stack, mall, green):
    """The router judges a scan's body by its field table before the handler; a device whose token
    the committer was to look up is looked up first, so a stranger learns nothing of its body."""
    gone_cp = h.checkpoint(stack)
    gone_dev, gone_tok = device_add(stack, gone_cp)
    h.hqrctl(stack, "device", "revoke", "--id", str(gone_dev))
    qr = green.qr()
    bad = [({"direction": "in", "temperature": 36.5}, [("qr", "REQUIRED")]),
           ({"qr": 12, "direction": "up", "temperature": True},
            [("qr", "REQUIRED"), ("direction", "NOT_ALLOWED"), ("temperature", "TEMPERATURE_FORMAT")]),
           ({"qr": qr, "direction": "in", "temperature": 36.5, "visitor": "me"},
            [("visitor", "VISITOR_REGISTRATION_INVALID")])]
    before = scans_of_device(stack, mall[1])
    for body, fields in bad:
        for token in (gone_tok, "x" * 43):
            r = requests.post(stack.url("/api/v1/scans"), json=body, headers=bearer(token), timeout=10)
            assert "fields" not in assert_error(r, 401, "UNAUTHENTICATED")["error"], r.text
        r = requests.post(stack.url("/api/v1/scans"), json=body, headers=bearer(mall[2]), timeout=10)
        assert_error(r, 422, "VALIDATION_FAILED")
        got = [(f["field"], f["code"]) for f in r.json()["error"]["fields"]]
        assert got == fields, r.text
    twice = '{"qr":"%s","qr":"x","direction":"in","temperature":36.5}' % qr
    for token, status, code in ((gone_tok, 401, "UNAUTHENTICATED"), (mall[2], 400, "DUPLICATE_FIELD")):
        r = requests.post(stack.url("/api/v1/scans"), data=twice, timeout=10,
                          headers=dict(bearer(token), **{"Content-Type": "application/json"}))
        assert ("fields" in assert_error(r, status, code)["error"]) == (status == 400), r.text
    # Nor does a body that is not JSON, or not of JSON's type, tell a stranger what the route takes.
    for data, ctype in (("[1", "application/json"), ('{"qr":"x"}', "text/plain")):
        r = requests.post(stack.url("/api/v1/scans"), data=data, timeout=10,
                          headers=dict(bearer(gone_tok), **{"Content-Type": ctype}))
        assert_error(r, 401, "UNAUTHENTICATED")
    assert scans_of_device(stack, mall[1]) == before


def test_a_device_scans_only_for_its_own_checkpoint(stack, mall, green):
    other = h.checkpoint(stack)
    r = requests.post(stack.url("/api/v1/scans"), headers=bearer(mall[2]), timeout=10,
                      json={"qr": green.qr(), "direction": "in", "temperature": 36.5, "checkpoint_id": other})
    body = check_answer(r)
    assert_row(stack, body, checkpoint_id=mall[0], device_id=mall[1])


def test_an_officer_token_is_not_a_device_token(stack, green):
    _, officer = staff(stack, "officer")
    assert_error(h.scan(stack, officer, green.qr()), 401, "UNAUTHENTICATED")


# === integrators ===============================================================================

@pytest.fixture
def integ(stack):
    """An integrator for one fresh transport checkpoint: (integrator, checkpoint id)."""
    cp = h.checkpoint(stack, kind="transport", type_="subway")
    return Integrator(stack, cp), cp


def test_integrator_signed_scan_is_answered_and_recorded(stack, integ, green):
    it, cp = integ
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp})
    body = check_answer(r, green)
    assert_verdict(body, "allow")
    assert_row(stack, body, checkpoint_id=cp, integrator_id=it.id, device_id=None, person_id=green.db_id)


def test_integrator_checkpoint_id_may_be_a_string(stack, integ, green):
    it, cp = integ
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "out", "checkpoint_id": str(cp)})
    assert_verdict(check_answer(r), "allow")


def test_integrator_wrong_secret_is_403(stack, integ, green):
    it, cp = integ
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp},
                secret=hashlib.sha256(b"not the secret").hexdigest())
    assert_error(r, 403, "SIGNATURE_INVALID")
    assert scans_of_integrator(stack, it.id) == before


def test_integrator_other_integrators_secret_is_403(stack, integ, green):
    it, cp = integ
    other = Integrator(stack, cp)
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp},
                secret=other.secret)
    assert_error(r, 403, "SIGNATURE_INVALID")


@pytest.mark.parametrize("skew", [-400, 400])
def test_integrator_skewed_time_is_401(stack, integ, green, skew):
    it, cp = integ
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp},
                ts=int(time.time()) + skew)
    assert_error(r, 401, "SIGNATURE_EXPIRED")


def test_integrator_time_within_skew_is_accepted(stack, integ, green):
    it, cp = integ
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp},
                ts=int(time.time()) - 250)
    assert_verdict(check_answer(r), "allow")


def test_integrator_replayed_nonce_is_401(stack, integ, green):
    it, cp = integ
    headers, body = it.signed("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6,
                                                "checkpoint_id": cp})
    first = stack.raw("POST", "/api/v1/scans", headers, body)
    assert_verdict(check_answer(first), "allow")
    before = scans_of_integrator(stack, it.id)
    again = stack.raw("POST", "/api/v1/scans", headers, body)
    assert_error(again, 401, "NONCE_REUSED")
    # The same nonce with a fresh timestamp and signature is still a replay.
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "out", "checkpoint_id": cp},
                nonce=headers["X-HQR-Nonce"])
    assert_error(r, 401, "NONCE_REUSED")
    assert scans_of_integrator(stack, it.id) == before


def test_integrator_altered_body_is_403(stack, integ, green):
    it, cp = integ
    headers, body = it.signed("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 38.5,
                                                "checkpoint_id": cp})
    altered = body.replace(b"38.5", b"36.5")
    assert altered != body and len(altered) == len(body)
    assert_error(stack.raw("POST", "/api/v1/scans", headers, altered), 403, "SIGNATURE_INVALID")


def test_integrator_altered_query_is_403(stack, integ, green):
    it, cp = integ
    headers, body = it.signed("/api/v1/scans", {"qr": green.qr(), "direction": "out", "checkpoint_id": cp})
    assert_error(stack.raw("POST", "/api/v1/scans?x=1", headers, body), 403, "SIGNATURE_INVALID")


def test_integrator_checkpoint_not_granted_is_403(stack, integ, green):
    it, cp = integ
    other = h.checkpoint(stack, kind="transport", type_="bus")
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": other})
    assert_error(r, 403, "CHECKPOINT_NOT_ALLOWED")
    assert scans_of_integrator(stack, it.id) == before


def test_revoked_integrator_key_is_401_on_the_next_request(stack, green):
    cp = h.checkpoint(stack, kind="transport", type_="coach")
    it = Integrator(stack, cp)
    body = {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp}
    assert it.post("/api/v1/scans", body).status_code == 200
    p = h.hqrctl(stack, "integrator", "revoke", "--key", it.key)
    assert f"integrator key {it.key} revoked" in p.stdout, p.stdout
    before = scans_of_integrator(stack, it.id)
    assert_error(it.post("/api/v1/scans", body), 401, "UNAUTHENTICATED")
    assert scans_of_integrator(stack, it.id) == before
    # Revoking again, or a key that never was, says so and fails.
    assert h.hqrctl(stack, "integrator", "revoke", "--key", it.key, check=False).returncode == 1
    assert h.hqrctl(stack, "integrator", "revoke", "--key", "ik_0000000000000000", check=False).returncode == 1


def test_integrator_unknown_key_is_401(stack, integ, green):
    it, cp = integ
    it2 = Integrator.__new__(Integrator)
    it2.stack, it2.key, it2.secret = stack, "ik_" + "0" * 16, it.secret
    r = it2.post("/api/v1/scans", {"qr": green.qr(), "direction": "in", "temperature": 36.6, "checkpoint_id": cp})
    assert_error(r, 401, "UNAUTHENTICATED")


# === offline batches ===========================================================================

def item(qr, cp, client_id=None, direction="in", temperature=36.5, at=None):
    return {"client_id": client_id or h.unique("c"), "qr": qr, "direction": direction,
            "temperature": temperature, "scanned_at": int(time.time()) - 10 if at is None else at,
            "checkpoint_id": cp}


def test_batch_results_per_item_and_idempotent_resend(stack, integ):
    it, cp = integ
    g, red = Person(stack), Person(stack)
    red.declare_cough()
    gq, rq = g.qr(), red.qr()
    items = [item(gq, cp), item(gq, cp, direction="out", temperature=None), item(gq, cp, temperature=38.2),
             item(rq, cp), item("HQR1:GARBAGE", cp), item(g.qr(paper=True), cp)]
    want = [("allow", []), ("allow", []), ("deny", ["FEVER"]), ("deny", ["RED_CODE"]),
            ("deny", ["NO_VALID_CODE"]), ("allow", [])]
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans/batch", {"scans": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert len(results) == len(items), results
    for res, it_, (verdict, reasons) in zip(results, items, want):
        assert res["status"] == "recorded" and res["client_id"] == it_["client_id"], res
        a = res["result"]
        assert set(a) == ANSWER_KEYS, a
        assert (a["verdict"], a["reasons"]) == (verdict, reasons), (it_, a)
        assert_row(stack, a, checkpoint_id=cp, integrator_id=it.id, device_id=None,
                   direction=DIR_NUM[it_["direction"]])
    assert results[5]["result"]["checks"] == ["ID_DOCUMENT"], results[5]
    # The scan keeps the device's time, not the server's.
    at = scan_time(stack, results[0]["result"]["scan_id"])
    assert int(at) == items[0]["scanned_at"], at
    assert scans_of_integrator(stack, it.id) == before + len(items)

    # The same batch again (a new request: a new nonce): every item a duplicate, nothing new stored.
    r2 = it.post("/api/v1/scans/batch", {"scans": items})
    assert r2.status_code == 200, r2.text
    again = r2.json()["results"]
    assert len(again) == len(items), again
    for first, dup in zip(results, again):
        assert dup["status"] == "duplicate" and dup["client_id"] == first["client_id"], dup
        assert dup["result"] == first["result"], (first, dup)
    assert scans_of_integrator(stack, it.id) == before + len(items)


def test_batch_client_ids_are_per_integrator(stack):
    cp = h.checkpoint(stack, kind="transport", type_="coach")
    a, b = Integrator(stack, cp), Integrator(stack, cp)
    p = Person(stack)
    one = item(p.qr(), cp)
    ra = a.post("/api/v1/scans/batch", {"scans": [one]})
    rb = b.post("/api/v1/scans/batch", {"scans": [one]})
    assert ra.status_code == rb.status_code == 200, (ra.text, rb.text)
    assert ra.json()["results"][0]["status"] == rb.json()["results"][0]["status"] == "recorded"
    assert ra.json()["results"][0]["result"]["scan_id"] != rb.json()["results"][0]["result"]["scan_id"]


def test_batch_offline_scan_is_judged_at_its_own_time(stack, integ, green):
    """A phone code shown two hours ago is fresh at its scan time; the same text scanned ten
    minutes after it was issued is stale; today's code cannot have been shown two hours ago."""
    it, cp = integ
    at = int(time.time()) - 7200
    then = phone_code_at(stack, green, at)
    r = it.post("/api/v1/scans/batch", {"scans": [item(then, cp, at=at), item(then, cp, at=at + 600),
                                                  item(green.qr(), cp, at=at)]})
    assert r.status_code == 200, r.text
    got = [(x["status"], x["result"]["verdict"], x["result"]["reasons"]) for x in r.json()["results"]]
    assert got == [("recorded", "allow", []), ("recorded", "deny", ["EXPIRED_CODE"]),
                   ("recorded", "deny", ["NO_VALID_CODE"])], r.text
    first = r.json()["results"][0]["result"]["scan_id"]
    assert_row(stack, r.json()["results"][0]["result"], person_id=green.db_id)
    assert int(scan_time(stack, first)) == at


def test_batch_of_501_is_422_and_records_nothing(stack, integ, green):
    it, cp = integ
    qr = green.qr()
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans/batch", {"scans": [item(qr, cp) for _ in range(501)]})
    assert_error(r, 422, "VALIDATION_FAILED")
    assert {"field": "scans", "code": "TOO_MANY"} in r.json()["error"]["fields"], r.text
    assert scans_of_integrator(stack, it.id) == before


def test_batch_of_500_is_accepted(stack, integ, green):
    it, cp = integ
    qr = green.qr()
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans/batch", {"scans": [item(qr, cp, direction="out", temperature=None)
                                                  for _ in range(500)]})
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["recorded"] * 500
    assert scans_of_integrator(stack, it.id) == before + 500


def test_batch_invalid_items_do_not_stop_the_others(stack, integ, green):
    it, cp = integ
    qr = green.qr()
    other_cp = h.checkpoint(stack, kind="transport", type_="bus")
    now = int(time.time())
    items = [item(qr, cp), item(qr, cp, client_id="bad id!"), item(qr, cp, at=now + 3600),
             item(qr, cp, temperature=None), item(qr, other_cp), item(qr, cp, client_id="x" * 65),
             item(qr, cp, at=now - 40 * 86400), item(qr, cp)]
    want = ["recorded", ("invalid", "CLIENT_ID_INVALID"), ("invalid", "SCANNED_AT_OUT_OF_RANGE"),
            ("invalid", "TEMPERATURE_REQUIRED"), ("invalid", "CHECKPOINT_NOT_ALLOWED"),
            ("invalid", "CLIENT_ID_INVALID"), ("invalid", "SCANNED_AT_OUT_OF_RANGE"), "recorded"]
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans/batch", {"scans": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert len(results) == len(items), results
    for res, w in zip(results, want):
        if w == "recorded":
            assert res["status"] == "recorded", res
            assert_row(stack, res["result"], integrator_id=it.id, checkpoint_id=cp)
        else:
            assert (res["status"], res["error"]) == w, res
            assert "result" not in res, res
    assert scans_of_integrator(stack, it.id) == before + 2


def test_batch_repeated_client_id_within_one_batch_is_a_duplicate(stack, integ, green):
    it, cp = integ
    qr = green.qr()
    first = item(qr, cp)
    second = dict(first, direction="out", temperature=None)
    before = scans_of_integrator(stack, it.id)
    r = it.post("/api/v1/scans/batch", {"scans": [first, second]})
    assert r.status_code == 200, r.text
    a, b = r.json()["results"]
    assert (a["status"], b["status"]) == ("recorded", "duplicate"), r.text
    assert b["result"] == a["result"], r.text
    assert scans_of_integrator(stack, it.id) == before + 1


def test_batch_concurrent_identical_batches_record_each_item_once(stack, integ, green):
    it, cp = integ
    qr = green.qr()
    items = [item(qr, cp, direction="out", temperature=None) for _ in range(20)]
    before = scans_of_integrator(stack, it.id)
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        answers = list(ex.map(lambda _: it.post("/api/v1/scans/batch", {"scans": items}), range(6)))
    assert [r.status_code for r in answers] == [200] * 6, [r.text for r in answers if r.status_code != 200]
    for i in range(len(items)):
        per_item = [r.json()["results"][i] for r in answers]
        assert sorted(x["status"] for x in per_item) == ["duplicate"] * 5 + ["recorded"], per_item
        assert len({x["result"]["scan_id"] for x in per_item}) == 1, per_item
    assert scans_of_integrator(stack, it.id) == before + len(items)


def test_batch_needs_an_integrator_signature(stack, mall, green):
    r = requests.post(stack.url("/api/v1/scans/batch"), json={"scans": [item(green.qr(), mall[0])]},
                      headers=bearer(mall[2]), timeout=10)
    assert_error(r, 401, "UNAUTHENTICATED")


# === load ======================================================================================

def test_load_every_acknowledged_scan_is_in_the_database(stack):
    cp = h.checkpoint(stack, type_="station")
    dev, token = device_add(stack, cp)
    p = Person(stack)
    qr = p.qr()
    threads, per_thread = 8, 150
    before = scans_of_device(stack, dev)

    def worker(n):
        acked, failed = [], 0
        with requests.Session() as s:
            s.headers.update(bearer(token))
            for i in range(per_thread):
                body = {"qr": qr, "direction": "in" if i % 2 == 0 else "out"}
                if i % 2 == 0:
                    body["temperature"] = 36.5
                try:
                    r = s.post(stack.url("/api/v1/scans"), json=body, timeout=15)
                except requests.RequestException:
                    failed += 1
                    continue
                if r.status_code == 200:
                    acked.append(r.json()["scan_id"])
                else:
                    failed += 1
        return acked, failed

    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        results = list(ex.map(worker, range(threads)))
    elapsed = time.monotonic() - t
    acked = [x for a, _ in results for x in a]
    failed = sum(f for _, f in results)
    assert elapsed < 30, f"{threads * per_thread} scans took {elapsed:.1f} s"
    assert len(set(acked)) == len(acked), "a scan id was answered twice"
    assert len(acked) >= 0.99 * threads * per_thread, f"only {len(acked)} acknowledged, {failed} failed"
    found = 0
    for i in range(0, len(acked), 400):
        chunk = ",".join(str(int(x)) for x in acked[i:i + 400])
        found += int(stack.sql(f"SELECT COUNT(*) FROM scans WHERE id IN ({chunk})")[0][0])
    assert found == len(acked), f"{len(acked) - found} acknowledged scans are missing"
    if failed == 0:  # and nothing was written that was not acknowledged
        assert scans_of_device(stack, dev) - before == len(acked)


def test_scans_arriving_together_each_get_their_own_verdict(stack, mall, community, integ):
    """Concurrent scans are looked up and written in groups: every answer and every row must still
    be its own device's (or integrator's), person's and checkpoint's, and a refused request must
    write nothing."""
    cp_m, dev_m, tok_m = mall
    cp_c, dev_c, tok_c = community
    it, cp_i = integ
    bus = h.checkpoint(stack, kind="transport", type_="bus")  # not granted to the integrator
    green, red, resident = Person(stack), Person(stack), Person(stack)
    red.declare_cough()
    h.hqrctl(stack, "resident", "add", "--checkpoint", str(cp_c), "--person", resident.pid)
    gone_cp = h.checkpoint(stack)
    gone_dev, gone_tok = device_add(stack, gone_cp)
    h.hqrctl(stack, "device", "revoke", "--id", str(gone_dev))
    codes = {p.pid: p.qr() for p in (green, red, resident)}
    # (token, person, direction, temperature) -> (status, verdict or error code, checkpoint, device, person)
    cases = [
        ((tok_m, green, "in", 36.5), (200, "allow", cp_m, dev_m, green)),
        ((tok_m, red, "in", 36.5), (200, "deny", cp_m, dev_m, red)),
        ((tok_m, red, "out", None), (200, "allow", cp_m, dev_m, red)),
        ((tok_c, resident, "in", 36.5), (200, "allow", cp_c, dev_c, resident)),
        ((tok_c, green, "in", 36.5), (200, "register", cp_c, dev_c, green)),
        ((tok_m, green, "in", 38.1), (200, "deny", cp_m, dev_m, green)),
        ((tok_m, green, "in", None), (422, "VALIDATION_FAILED", None, None, None)),
        ((gone_tok, green, "in", 36.5), (401, "UNAUTHENTICATED", None, None, None)),
        (("x" * 43, green, "in", 36.5), (401, "UNAUTHENTICATED", None, None, None)),
        ((("integ", cp_i), green, "in", 36.5), (200, "allow", cp_i, None, green)),
        ((("integ", cp_i), red, "in", 36.5), (200, "deny", cp_i, None, red)),
        ((("integ", bus), green, "in", 36.5), (403, "CHECKPOINT_NOT_ALLOWED", None, None, None)),
    ]
    shown = {p.pid: {k: p.details()[k] for k in ("name_masked", "id_masked")} for p in (green, red, resident)}
    before = {d: scans_of_device(stack, d) for d in (dev_m, dev_c, gone_dev)}
    before_i = scans_of_integrator(stack, it.id)
    rounds = 12

    def one(i):
        (token, person, direction, temp), want = cases[i % len(cases)]
        body = {"qr": codes[person.pid], "direction": direction}
        if temp is not None:
            body["temperature"] = temp
        if isinstance(token, tuple):  # an integrator's signed scan at a checkpoint
            return i % len(cases), it.post("/api/v1/scans", dict(body, checkpoint_id=token[1]))
        r = requests.post(stack.url("/api/v1/scans"), json=body, headers=bearer(token), timeout=15)
        return i % len(cases), r

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        results = list(ex.map(one, range(rounds * len(cases))))
    written = {dev_m: 0, dev_c: 0, gone_dev: 0, None: 0}
    for k, r in results:
        status, what, cp, dev, person = cases[k][1]
        assert r.status_code == status, (cases[k][0][1:], r.text)
        if status != 200:
            assert r.json()["error"]["code"] == what, r.text
            continue
        body = check_answer(r, person)
        assert body["verdict"] == what, (cases[k][0][1:], body)
        assert body["person"] == shown[person.pid], (cases[k][0][1:], body)
        rw = row(stack, body["scan_id"])
        assert (rw["checkpoint_id"], rw["device_id"], rw["person_id"]) == (cp, dev, person.db_id), (k, rw)
        written[dev] += 1
    for d, n in written.items():
        if d is None:
            assert scans_of_integrator(stack, it.id) - before_i == n, n
        else:
            assert scans_of_device(stack, d) - before[d] == n, (d, n)


def test_scans_during_a_database_outage_are_a_fast_503_and_recover_without_restart(stack, mall, green):
    cp, dev, token = mall
    qr = green.qr()
    assert h.scan(stack, token, qr).status_code == 200
    before = scans_of_device(stack, dev)
    workers = stack.worker_pids()
    stack.sh("db-stop")
    try:
        for _ in range(12):  # more than one group's worth on each worker
            t = time.monotonic()
            r = h.scan(stack, token, qr)
            assert_error(r, 503, "UNAVAILABLE")
            assert time.monotonic() - t < 2.5, time.monotonic() - t
    finally:
        stack.sh("db-start")
    r = h.wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(h.scan(stack, token, qr)), 10,
                     "a scan answered 200 once the database is back", step=0.1)
    body = check_answer(r, green)
    assert_verdict(body, "allow")
    assert_row(stack, body, device_id=dev, checkpoint_id=cp)
    # Nothing refused was written; every worker's committer is back (each answers).
    for _ in range(8):
        assert h.scan(stack, token, qr).status_code == 200
    assert scans_of_device(stack, dev) - before == 9
    assert stack.worker_pids() == workers
