"""Every route's inputs judged by its row's field table before the handler runs (issue 12).

A string that holds a NUL, escaped ("\\u0000") or raw, would be read by the JSON parser cut short
at it ("ab\\u0000cd" as "ab"): in whatever JSON body it comes, a declared member holding one, in
its key or anywhere in its value, is refused as INVALID_CHARACTERS, and the refused call records
nothing. A NUL in a member the route does not read is no reason to refuse it."""
import hashlib
import hmac
import re
import secrets
import time

import pytest
import requests

import helpers as h
import scanning

NUL = "\\u0000"  # an escaped NUL as JSON text
JSON = {"Content-Type": "application/json"}


def bearer(token):
    return {"Authorization": "Bearer " + token, **JSON}


def refused(r, field):
    body = h.assert_error(r, 422, "VALIDATION_FAILED")
    assert body["error"]["fields"] == [{"field": field, "code": "INVALID_CHARACTERS"}], body


def count(stack, query):
    return int(stack.sql(query)[0][0])


@pytest.fixture(scope="module")
def person(stack):
    return scanning.Person(stack)


def test_a_verification_name_with_a_nul_is_refused_and_not_started(stack):
    s = h.login_mp(stack)
    rid = scanning.fresh_id()
    before = count(stack, "SELECT COUNT(*) FROM verifications")
    rest = f'"id_type":"resident_id","id_number":"{rid}","next":"/"'
    for text, field in [('{"name":"张三%sx",%s}' % (NUL, rest), "name"),
                        ('{"name":"张三\x00x",%s}' % rest, "name"),  # a raw NUL byte
                        ('{"name%sx":"张三",%s}' % (NUL, rest), "name"),  # read as "name"
                        ('{"name":"张三","id_type":"resident_id","id_number":"%s%s","next":"/"}' % (rid, NUL),
                         "id_number"),
                        ('{"name":"张三",%s}' % rest.replace('"/"', '"/%s/x"' % NUL), "next")]:
        refused(s.post(stack.url("/api/v1/verifications"), data=text.encode(), headers=JSON, timeout=10), field)
    assert count(stack, "SELECT COUNT(*) FROM verifications") == before


def test_a_report_with_a_nul_is_refused_and_not_filed(stack, person):
    url = stack.url(f"/api/v1/persons/{person.pid}/reports")
    for text, field in [('{"temperature":"36.5%s9","symptoms":["none"]}' % NUL, "temperature"),
                        ('{"temperature":36.5,"symptoms":["none%scough"]}' % NUL, "symptoms")]:
        refused(person.session.post(url, data=text.encode(), headers=JSON, timeout=10), field)
    assert count(stack, f"SELECT COUNT(*) FROM health_reports WHERE person_id = {person.db_id}") == 0


def test_a_declaration_with_a_nul_is_refused_and_changes_nothing(stack, person):
    url = stack.url(f"/api/v1/persons/{person.pid}/declarations")
    declarations = f"SELECT COUNT(*) FROM declarations WHERE person_id = {person.db_id}"
    before = count(stack, declarations)
    text = '{"symptoms":["cough"],"contact":"no%sx","declaration":true}' % NUL
    refused(person.session.post(url, data=text.encode(), headers=JSON, timeout=10), "contact")
    assert count(stack, declarations) == before


def test_a_scan_with_a_nul_is_refused_and_not_recorded(stack, person):
    cp = h.checkpoint(stack)
    _, token = scanning.device_add(stack, cp)
    qr = person.qr()
    scans = f"SELECT COUNT(*) FROM scans WHERE checkpoint_id = {cp}"
    rest = '"temperature":36.5'
    for text, field in [('{"qr":"%s%stail","direction":"in",%s}' % (qr, NUL, rest), "qr"),
                        ('{"qr":"%s","direction":"in%sout",%s}' % (qr, NUL, rest), "direction"),
                        ('{"qr":"%s","direction":"in",%s,"visitor":{"purpose":"探亲%s","host":"王五"}}'
                         % (qr, rest, NUL), "visitor")]:
        refused(requests.post(stack.url("/api/v1/scans"), data=text.encode(), headers=bearer(token), timeout=10),
                field)
    assert count(stack, scans) == 0
    # The same code without the NUL is a scan like any other: the refusals were the NUL's.
    r = h.scan(stack, token, qr)
    assert r.status_code == 200, r.text
    h.wait_until(lambda: count(stack, scans) == 1, 10, "the scan recorded")


def signed(key, secret, method, path, body):
    """An integrator's headers for a request (openapi.json, "Who may call")."""
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    canon = "\n".join([method, path, ts, nonce, hashlib.sha256(body).hexdigest()])
    sig = hmac.new(secret.encode(), canon.encode(), hashlib.sha256).hexdigest()
    return {"X-HQR-Key": key, "X-HQR-Timestamp": ts, "X-HQR-Nonce": nonce, "X-HQR-Signature": sig, **JSON}


def test_a_batch_item_with_a_nul_is_refused_alone(stack, person):
    cp = h.checkpoint(stack, kind="transport", type_="coach")
    p = h.hqrctl(stack, "integrator", "add", "--name", h.unique("integ"), "--checkpoint", str(cp))
    key, secret = re.search(r"^key_id: (\S+)$", p.stdout, re.M).group(1), h.last_line(p)
    now, qr = int(time.time()), person.qr()
    item = '{"client_id":"%s","scanned_at":%d,"qr":"%s","direction":"in","temperature":36.4,"checkpoint_id":%d}'
    body = ('{"scans":[%s,%s]}' % (item % ("nul-1", now - 5, qr + NUL + "tail", cp),
                                   item % ("nul-2", now - 2, qr, cp))).encode()
    r = requests.post(stack.url("/api/v1/scans/batch"), data=body,
                      headers=signed(key, secret, "POST", "/api/v1/scans/batch", body), timeout=30)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(x["client_id"], x["status"], x.get("error")) for x in results] == \
        [("nul-1", "invalid", "INVALID_CHARACTERS"), ("nul-2", "recorded", None)], results
    assert count(stack, f"SELECT COUNT(*) FROM scans WHERE checkpoint_id = {cp}") == 1


def test_an_admin_body_with_a_nul_is_refused_and_changes_nothing(stack):
    operator, officer = h.admin_token(stack, "operator"), h.admin_token(stack, "officer")
    name = h.unique("门")
    checkpoints = f"SELECT COUNT(*) FROM checkpoints WHERE name LIKE '{name}%'"
    body = '{"kind":"public_place","type":"mall","name":"%s","district":"D"%s}'
    r = requests.post(stack.url("/api/v1/admin/checkpoints"), data=(body % (name + NUL + "x", "")).encode(),
                      headers=bearer(operator), timeout=10)
    refused(r, "name")
    assert count(stack, checkpoints) == 0
    # A NUL in a member the route does not read is nobody's business.
    r = requests.post(stack.url("/api/v1/admin/checkpoints"),
                      data=(body % (name, ',"note":"a%sb"' % NUL)).encode(), headers=bearer(operator), timeout=10)
    assert r.status_code == 201, r.text
    assert count(stack, checkpoints) == 1
    # The risk areas: a name of the list, refused whole; the list stays as it was.
    url = stack.url("/api/v1/admin/risk-areas")
    areas = requests.get(url, headers=bearer(officer), timeout=10)
    assert areas.status_code == 200, areas.text
    r = requests.put(url, data=('{"areas":["武汉%s市"]}' % NUL).encode(), headers=bearer(officer), timeout=10)
    refused(r, "areas")
    after = requests.get(url, headers=bearer(officer), timeout=10)
    assert after.status_code == 200 and after.json() == areas.json(), after.text
