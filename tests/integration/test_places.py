"""Place codes (DESIGN §11): operators make them (HTTP and hqrctl), residents scan them with the
chat app's camera and check in the persons their account holds; every check-in is a scan row with
the place code as its source, durable before the answer. Also as an attacker: someone else's
persons, revoked codes, door screens' codes replayed after two minutes, forged screen codes, the
rate limit, cross-site writes."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import subprocess
import tempfile
import threading
import time

import pytest
import requests

import helpers as h

URL_RE = re.compile(r"^http://127\.0\.0\.1:\d+/p/([A-Za-z0-9_-]{22})$")


def bearer(token):
    return {"Authorization": "Bearer " + token}


@pytest.fixture(scope="module")
def operator(stack):
    return h.admin_token(stack, "operator")


def make_code(stack, operator, cp, label=""):
    r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/place-codes"), json={"label": label},
                      headers=bearer(operator), timeout=10)
    assert r.status_code == 201, r.text
    body = r.json()
    m = URL_RE.match(body["url"])
    assert m, body
    return body, m.group(1)


def decode_qr(png_bytes):
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png_bytes)
        f.flush()
        p = subprocess.run(["zbarimg", "--raw", "-q", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def data_url_png(data_url):
    head = "data:image/png;base64,"
    assert data_url.startswith(head), data_url[:40]
    return base64.b64decode(data_url[len(head):])


def holder(stack, relative=False, red=False):
    """A logged-in account (a web session, as the chat app's browser has) with its own person and,
    when asked, a relative; returns (session, self id, relative id or None)."""
    s = h.login_web(stack)
    r = h.apply(s, stack, symptoms="cough" if red else "none", name="张三")
    assert r.status_code == 201, r.text
    me = r.json()["person"]["id"]
    rel = None
    if relative:
        r = h.apply(s, stack, for_="relative", relationship="grandparent", name="李四")
        assert r.status_code == 201, r.text
        rel = r.json()["person"]["id"]
    return s, me, rel


def checkin(session, stack, token, persons, direction="in", visitor=None):
    body = {"persons": persons, "direction": direction}
    if visitor is not None:
        body["visitor"] = visitor
    return session.post(stack.url(f"/api/v1/places/{token}/checkins"), json=body, timeout=15)


def scan_row(stack, scan_id):
    rows = stack.sql("SELECT checkpoint_id, IFNULL(device_id, 0), IFNULL(integrator_id, 0), IFNULL(place_code_id, 0), "
                     "p.public_id, direction, IFNULL(temperature_tenths, -1), verdict, reasons, "
                     f"IF(visitor_enc IS NULL, 0, 1) FROM scans s JOIN persons p ON p.id = s.person_id "
                     f"WHERE s.id = {int(scan_id)}")
    assert len(rows) == 1, rows
    r = rows[0]
    return {"checkpoint": int(r[0]), "device": int(r[1]), "integrator": int(r[2]), "place_code": int(r[3]),
            "person": r[4], "direction": int(r[5]), "temperature": int(r[6]), "verdict": int(r[7]),
            "reasons": int(r[8]), "visitor": int(r[9])}


def rows_at(stack, place_code_id):
    return int(stack.sql(f"SELECT COUNT(*) FROM scans WHERE place_code_id = {int(place_code_id)}")[0][0])


@pytest.fixture(scope="module")
def taxi(stack, operator):
    cp = h.checkpoint(stack, kind="transport", type_="taxi", name=h.unique("出租车"))
    body, token = make_code(stack, operator, cp, label="京B·12345")
    return {"cp": cp, "id": body["id"], "token": token, "url": body["url"]}


@pytest.fixture(scope="module")
def community(stack, operator):
    cp = h.checkpoint(stack, kind="community", type_="community", name=h.unique("幸福小区"))
    body, token = make_code(stack, operator, cp, label="东门")
    return {"cp": cp, "id": body["id"], "token": token, "url": body["url"]}


# --- operators ------------------------------------------------------------------------------

def test_an_operator_makes_lists_reads_and_revokes_place_codes(stack, operator):
    cp = h.checkpoint(stack, kind="public_place", type_="supermarket", name=h.unique("超市"))
    body, token = make_code(stack, operator, cp, label="正门 Main door")
    assert body["checkpoint_id"] == cp and body["label"] == "正门 Main door" and body["revoked"] is False, body
    assert body["place"]["type"] == "supermarket" and body["place"]["kind"] == "public_place", body
    assert body["poster"] == f"/place-poster.html?id={body['id']}", body
    # Only the token's hash is looked up; the token itself is never stored in the clear.
    stored = stack.sql(f"SELECT HEX(token_hash), HEX(token_enc) FROM place_codes WHERE id = {body['id']}")[0]
    assert stored[0].lower() == hashlib.sha256(token.encode()).hexdigest(), stored
    assert token.encode().hex().upper() not in stored[1], stored
    # Read back: the same URL, and a poster QR that decodes to it.
    r = requests.get(stack.url(f"/api/v1/admin/place-codes/{body['id']}"), headers=bearer(operator), timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", r.text
    got = r.json()
    assert got["url"] == body["url"], got
    assert decode_qr(data_url_png(got["qr_png"])) == body["url"]
    # Listed under its checkpoint.
    r = requests.get(stack.url("/api/v1/admin/place-codes"), params={"checkpoint_id": cp}, headers=bearer(operator),
                     timeout=10)
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["place_codes"]] == [body["id"]], r.text
    # Revoked: the API and the page answer 410, a second revoke 404; every call was audited.
    r = requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/revoke"), headers=bearer(operator), timeout=10)
    assert r.status_code == 200 and r.json()["revoked"] is True, r.text
    r = requests.get(stack.url(f"/api/v1/places/{token}"), timeout=10)
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text
    r = requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/revoke"), headers=bearer(operator), timeout=10)
    assert r.status_code == 404, r.text
    actions = {a for (a,) in stack.sql("SELECT action FROM audit_log WHERE action LIKE 'admin_place_code%'")}
    assert {"admin_place_code_create", "admin_place_code", "admin_place_code_revoke"} <= actions, actions


def test_other_staff_and_strangers_cannot_make_place_codes(stack):
    cp = h.checkpoint(stack)
    for role in ("officer", "investigator"):
        r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/place-codes"), json={"label": "x"},
                          headers=bearer(h.admin_token(stack, role)), timeout=10)
        assert r.status_code == 403, r.text
    r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/place-codes"), json={"label": "x"}, timeout=10)
    assert r.status_code == 401, r.text
    s = h.login_web(stack)
    r = s.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/place-codes"), json={"label": "x"}, timeout=10)
    assert r.status_code == 401, r.text


def test_bad_place_code_requests_are_clear_errors(stack, operator):
    cp = h.checkpoint(stack)
    url = f"/api/v1/admin/checkpoints/{cp}/place-codes"
    for label, code in [(123, "NOT_A_STRING"), ("a\u0000b", "INVALID_CHARACTERS"), ("x" * 101, "TOO_LONG"),
                        ("\u200bhidden", "INVALID_CHARACTERS")]:
        r = requests.post(stack.url(url), json={"label": label}, headers=bearer(operator), timeout=10)
        assert r.status_code == 422, (label, r.text)
        assert r.json()["error"]["fields"] == [{"field": "label", "code": code}], r.text
    # An escaped NUL elsewhere in the body is no reason to refuse the label; one in the label's key
    # (the parser reads "label\u0000x" as "label") is.
    r = requests.post(stack.url(url), data='{"label":"东门","note":"a\\u0000b"}'.encode(),
                      headers={**bearer(operator), "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 201 and r.json()["label"] == "东门", r.text
    r = requests.post(stack.url(url), data='{"label\\u0000x":"东门"}'.encode(),
                      headers={**bearer(operator), "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 422 and r.json()["error"]["fields"] == [{"field": "label", "code": "INVALID_CHARACTERS"}], \
        r.text
    r = requests.post(stack.url("/api/v1/admin/checkpoints/999999999/place-codes"), json={"label": "x"},
                      headers=bearer(operator), timeout=10)
    assert r.status_code == 404, r.text
    for target in ("/api/v1/admin/place-codes/0", "/api/v1/admin/place-codes/99999999999",
                   "/api/v1/admin/place-codes/abc"):
        r = requests.get(stack.url(target), headers=bearer(operator), timeout=10)
        assert r.status_code == 404, (target, r.text)
    r = requests.get(stack.url("/api/v1/admin/place-codes"), params={"limit": "0"}, headers=bearer(operator),
                     timeout=10)
    assert r.status_code == 422, r.text
    # The list's query: every failing field at once, in the words it always had.
    r = requests.get(stack.url("/api/v1/admin/place-codes"), params={"checkpoint_id": "007", "after": "-1",
                     "limit": "abc"}, headers=bearer(operator), timeout=10)
    assert r.status_code == 422, r.text
    assert {(f["field"], f["code"]) for f in r.json()["error"]["fields"]} == {
        ("checkpoint_id", "NOT_AN_INTEGER"), ("after", "NOT_AN_INTEGER"), ("limit", "OUT_OF_RANGE")}, r.text
    for params in ({"after": "0", "limit": "200"}, {"checkpoint_id": str(cp), "limit": "1"}):
        r = requests.get(stack.url("/api/v1/admin/place-codes"), params=params, headers=bearer(operator), timeout=10)
        assert r.status_code == 200, (params, r.text)
    # A label is taken from a JSON body only: a call without one makes a code without a label.
    r = requests.post(stack.url(url), params={"label": "东门"}, headers=bearer(operator), timeout=10)
    assert r.status_code == 201 and r.json()["label"] == "", r.text


def test_hqrctl_place_code_add_list_display_revoke(stack):
    cp = h.checkpoint(stack, kind="transport", type_="bus", name=h.unique("公交"))
    p = h.hqrctl(stack, "place-code", "add", "--checkpoint", str(cp), "--label", "18路 前门")
    url = h.last_line(p)
    m = URL_RE.match(url)
    assert m, p.stdout
    pid = int(re.search(r"place code (\d+) of checkpoint", p.stdout).group(1))
    assert f"/place-poster.html?id={pid}" in p.stdout
    r = requests.get(stack.url(f"/api/v1/places/{m.group(1)}"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["place"]["label"] == "18路 前门" and r.json()["place"]["type"] == "bus", r.text
    listed = h.hqrctl(stack, "place-code", "list", "--checkpoint", str(cp)).stdout.strip().splitlines()
    assert len(listed) == 1 and listed[0].startswith(f"{pid}\t") and "active" in listed[0] and url in listed[0], listed
    display = h.last_line(h.hqrctl(stack, "place-code", "display", "--id", str(pid)))
    r = requests.get(stack.url("/api/v1/place-display"), headers=bearer(display), timeout=10)
    assert r.status_code == 200, r.text
    h.hqrctl(stack, "place-code", "revoke", "--id", str(pid))
    listed = h.hqrctl(stack, "place-code", "list", "--checkpoint", str(cp)).stdout
    assert "revoked" in listed, listed
    r = requests.get(stack.url(f"/api/v1/places/{m.group(1)}"), timeout=10)
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text
    r = requests.get(stack.url("/api/v1/place-display"), headers=bearer(display), timeout=10)
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text
    assert h.hqrctl(stack, "place-code", "revoke", "--id", str(pid), check=False).returncode == 1
    assert h.hqrctl(stack, "place-code", "add", "--checkpoint", "999999999", check=False).returncode == 1
    assert h.hqrctl(stack, "place-code", "add", "--checkpoint", str(cp), "--label", "x" * 101,
                    check=False).returncode == 2


# --- the place's page and API ------------------------------------------------------------------

def test_the_place_page_carries_the_place_codes_status(stack, operator, taxi):
    r = requests.get(stack.url(f"/p/{taxi['token']}"), timeout=10)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"], r.text
    assert "/place.js" in r.text and "Content-Security-Policy" in r.headers, r.headers
    for bad in ("AAAAAAAAAAAAAAAAAAAAAA", "short", "x" * 38, "x" * 65, "a.b"):
        r = requests.get(stack.url(f"/p/{bad}"), timeout=10)
        assert r.status_code == 404 and "/place.js" in r.text, (bad, r.status_code)
    assert stack.raw("GET", "/p/%00").status_code == 400  # nginx refuses a NUL in a path itself
    cp = h.checkpoint(stack)
    body, token = make_code(stack, operator, cp)
    requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/revoke"), headers=bearer(operator), timeout=10)
    r = requests.get(stack.url(f"/p/{token}"), timeout=10)
    assert r.status_code == 410 and "/place.js" in r.text, r.status_code


def test_the_place_api_shows_the_place_to_anyone_and_the_persons_to_their_holder(stack, taxi):
    r = requests.get(stack.url(f"/api/v1/places/{taxi['token']}"), timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["place"] == {"name": body["place"]["name"], "kind": "transport", "type": "taxi",
                             "label": "京B·12345"}, body
    assert body["logged_in"] is False and body["persons"] == [], body
    s, me, rel = holder(stack, relative=True)
    body = s.get(stack.url(f"/api/v1/places/{taxi['token']}"), timeout=10).json()
    assert body["logged_in"] is True, body
    # The account's own person first (the page preselects it), then the relative.
    assert [(p["id"], p["self"], p["relationship"]) for p in body["persons"]] == \
        [(me, True, "self"), (rel, False, "grandparent")], body
    assert all(p["name_masked"] and "张三" not in p["name_masked"] for p in body["persons"]), body


# --- check-ins -----------------------------------------------------------------------------------

def test_a_green_passenger_checks_in_to_a_taxi_and_it_is_recorded_like_a_scan(stack, taxi):
    s, me, _ = holder(stack)
    before = time.time()
    r = checkin(s, stack, taxi["token"], [me], direction="out")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", r.text
    body = r.json()
    assert body["place"]["type"] == "taxi" and body["place"]["label"] == "京B·12345", body
    (c,) = body["checkins"]
    assert c["person_id"] == me and c["verdict"] == "allow" and c["reasons"] == [] and c["color"] == "green", c
    assert c["checks"] == ["TEMPERATURE"] and c["repeat"] is False, c
    assert c["person"]["name_masked"] == "张*" and "*" in c["person"]["id_masked"], c
    # Durable before the answer: the row is there, from the place code, an entry (a taxi's
    # passengers check in before the car moves, whatever the page sent), with no temperature.
    row = scan_row(stack, c["scan_id"])
    assert row == {"checkpoint": taxi["cp"], "device": 0, "integrator": 0, "place_code": taxi["id"], "person": me,
                   "direction": 0, "temperature": -1, "verdict": 0, "reasons": 0, "visitor": 0}, row
    t = time.mktime(time.strptime(body["server_time"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before - 2 <= t <= time.time() + 2, body["server_time"]


def test_a_red_holder_is_denied_and_the_denial_recorded(stack, taxi):
    s, me, _ = holder(stack, red=True)
    r = checkin(s, stack, taxi["token"], [me])
    assert r.status_code == 200, r.text
    (c,) = r.json()["checkins"]
    assert c["verdict"] == "deny" and c["reasons"] == ["RED_CODE"] and c["color"] == "red", c
    row = scan_row(stack, c["scan_id"])
    assert row["verdict"] == 1 and row["place_code"] == taxi["id"] and row["person"] == me, row


def test_a_holder_checks_in_with_a_relative_in_the_order_asked(stack, taxi):
    s, me, rel = holder(stack, relative=True)
    r = checkin(s, stack, taxi["token"], [rel, me])
    assert r.status_code == 200, r.text
    got = r.json()["checkins"]
    assert [c["person_id"] for c in got] == [rel, me], got
    assert [c["verdict"] for c in got] == ["allow", "allow"], got
    assert got[0]["person"]["name_masked"] == "李*", got
    assert len({c["scan_id"] for c in got}) == 2
    for c, who in zip(got, (rel, me)):
        assert scan_row(stack, c["scan_id"])["person"] == who


def test_a_visitor_is_asked_to_register_then_registered(stack, community):
    s, me, _ = holder(stack)
    r = checkin(s, stack, community["token"], [me])
    assert r.status_code == 200, r.text
    (c,) = r.json()["checkins"]
    assert c["verdict"] == "register" and c["reasons"] == ["VISITOR_REGISTRATION"], c
    first = scan_row(stack, c["scan_id"])
    assert first["verdict"] == 2 and first["visitor"] == 0, first
    bad = checkin(s, stack, community["token"], [me], visitor={"purpose": "探亲"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "visitor", bad.text
    r = checkin(s, stack, community["token"], [me], visitor={"purpose": "探亲", "host": "王五", "address": "3号楼"})
    assert r.status_code == 200, r.text
    (c,) = r.json()["checkins"]
    assert c["verdict"] == "allow" and c["repeat"] is False, c
    row = scan_row(stack, c["scan_id"])
    assert row["verdict"] == 0 and row["visitor"] == 1, row
    # Sealed: the visit's words are not in the row.
    raw = stack.sql(f"SELECT HEX(visitor_enc) FROM scans WHERE id = {int(c['scan_id'])}")[0][0]
    assert "探亲".encode().hex().upper() not in raw


def test_a_resident_enters_the_community_without_registering(stack, community):
    s, me, _ = holder(stack)
    h.hqrctl(stack, "resident", "add", "--checkpoint", str(community["cp"]), "--person", me)
    (c,) = checkin(s, stack, community["token"], [me]).json()["checkins"]
    assert c["verdict"] == "allow" and c["checks"] == ["TEMPERATURE"], c
    # Leaving the community from the same page.
    (c,) = checkin(s, stack, community["token"], [me], direction="out").json()["checkins"]
    assert c["verdict"] == "allow" and c["checks"] == [], c
    assert scan_row(stack, c["scan_id"])["direction"] == 1


def test_the_same_person_within_five_minutes_gets_the_earlier_answer_and_no_new_row(stack, operator):
    cp = h.checkpoint(stack, kind="public_place", type_="mall")
    body, token = make_code(stack, operator, cp)
    s, me, _ = holder(stack)
    first = checkin(s, stack, token, [me]).json()["checkins"][0]
    again = checkin(s, stack, token, [me]).json()["checkins"][0]
    assert again["scan_id"] == first["scan_id"] and again["repeat"] is True, (first, again)
    assert again["verdict"] == first["verdict"] == "allow"
    assert rows_at(stack, body["id"]) == 1
    # Leaving is another answer: a row of its own.
    out = checkin(s, stack, token, [me], direction="out").json()["checkins"][0]
    assert out["scan_id"] != first["scan_id"] and out["repeat"] is False
    assert rows_at(stack, body["id"]) == 2
    # Six minutes later the entry is recorded anew (the row and the place's latest check-in aged).
    stack.sql(f"UPDATE scans SET scanned_at = scanned_at - INTERVAL 6 MINUTE WHERE id = {int(first['scan_id'])}")
    stack.sql(f"UPDATE place_last SET at_ms = at_ms - 360000 WHERE scan_id = {int(first['scan_id'])}")
    later = checkin(s, stack, token, [me]).json()["checkins"][0]
    assert later["scan_id"] != first["scan_id"] and later["repeat"] is False
    assert rows_at(stack, body["id"]) == 3


def taps(stack, session, token, persons, n):
    """n check-ins sent at once, each on its own connection opened beforehand: (status, body) each."""
    body = json.dumps({"persons": persons, "direction": "in"})
    headers = {"Content-Type": "application/json", "X-Requested-With": "hqr",
               "Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}
    host, port = stack.url("/").split("/")[2].split(":")
    conns = [http.client.HTTPConnection(host, int(port), timeout=15) for _ in range(n)]
    for c in conns:
        c.connect()
    start = threading.Barrier(n)
    got = [None] * n

    def tap(i):
        start.wait()
        conns[i].request("POST", f"/api/v1/places/{token}/checkins", body=body, headers=headers)
        r = conns[i].getresponse()
        got[i] = (r.status, r.read())
        conns[i].close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_a_double_tap_of_two_concurrent_requests_writes_one_row(stack, operator):
    """Check-ins of the same persons sent at once (a double tap, the page sent twice), on both
    workers or in one group: one row per person, every answer names it, all but one as the
    earlier answer."""
    cp = h.checkpoint(stack, kind="public_place", type_="mall")
    body, token = make_code(stack, operator, cp)
    for _round in range(8):
        s, me, rel = holder(stack, relative=True)
        got = taps(stack, s, token, [me, rel], 2 + _round % 3)
        assert all(status == 200 for status, _ in got), got
        answers = [json.loads(text)["checkins"] for _, text in got]
        for who, k in ((me, 0), (rel, 1)):
            n = stack.sql(f"SELECT COUNT(*) FROM scans s JOIN persons p ON p.id = s.person_id "
                          f"WHERE s.place_code_id = {body['id']} AND p.public_id = '{who}'")[0][0]
            assert int(n) == 1, (who, n, answers)
            ids = {a[k]["scan_id"] for a in answers}
            assert len(ids) == 1, answers
            assert sorted(a[k]["repeat"] for a in answers) == [False] + [True] * (len(got) - 1), answers
            assert scan_row(stack, ids.pop())["person"] == who


def test_device_scans_and_check_ins_sent_at_once_are_each_recorded_as_they_came(stack, operator):
    """A worker writes the scans and check-ins that arrive together in one group (one call of the
    database): each row is still its own, a device's scan with its device and temperature and no
    place code, a check-in with its place code and neither."""
    cp = h.checkpoint(stack, kind="public_place", type_="mall")
    body, token = make_code(stack, operator, cp)
    dev = h.device_token(stack, cp)
    dev_id = int(stack.sql(f"SELECT id FROM devices WHERE checkpoint_id = {cp}")[0][0])
    ds, dp = h.new_person(stack)
    qr = h.qr_text(ds, stack, dp)
    holders = [holder(stack) for _ in range(3)]
    for _round in range(3):
        start = threading.Barrier(2 * len(holders))
        got = {}

        def send(i):
            start.wait()
            if i < len(holders):
                s, me, _ = holders[i]
                got[i] = ("checkin", me, checkin(s, stack, token, [me]))
            else:
                got[i] = ("scan", dp, h.scan(stack, dev, qr, temperature=36.0 + i / 10))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2 * len(holders))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i, (kind, who, r) in got.items():
            assert r.status_code == 200, r.text
            if kind == "checkin":
                (c,) = r.json()["checkins"]
                assert c["repeat"] is (_round > 0), c
                row = scan_row(stack, c["scan_id"])
                assert (row["device"], row["place_code"], row["temperature"]) == (0, body["id"], -1), row
            else:
                row = scan_row(stack, r.json()["scan_id"])
                assert (row["device"], row["place_code"], row["temperature"]) == (dev_id, 0, 360 + i), row
            assert (row["person"], row["checkpoint"], row["verdict"]) == (who, cp, 0), row
    # Within five minutes each holder's later check-ins were the first one's answer.
    assert rows_at(stack, body["id"]) == len(holders)


def test_a_changed_color_within_five_minutes_is_a_new_answer(stack, operator):
    cp = h.checkpoint(stack, kind="public_place", type_="bank")
    body, token = make_code(stack, operator, cp)
    s, me, _ = holder(stack)
    first = checkin(s, stack, token, [me]).json()["checkins"][0]
    assert first["verdict"] == "allow"
    officer = h.admin_token(stack, "officer")
    r = requests.post(stack.url(f"/api/v1/admin/persons/{me}/orders"),
                      json={"color": "red", "reason": "CONTACT", "observation_days": 14},
                      headers=bearer(officer), timeout=10)
    assert r.status_code == 200, r.text
    again = checkin(s, stack, token, [me]).json()["checkins"][0]
    assert again["verdict"] == "deny" and again["reasons"] == ["RED_CODE"] and again["repeat"] is False, again
    assert rows_at(stack, body["id"]) == 2


def test_an_investigators_trace_finds_the_taxi_passenger(stack, operator):
    cp = h.checkpoint(stack, kind="transport", type_="taxi", name=h.unique("出租车"))
    _, token = make_code(stack, operator, cp, label="京A·00001")
    case_s, case, _ = holder(stack)
    pass_s, passenger, _ = holder(stack)
    _, other, _ = holder(stack)
    t0 = time.time()
    assert checkin(case_s, stack, token, [case]).status_code == 200
    assert checkin(pass_s, stack, token, [passenger]).status_code == 200
    inv = h.admin_token(stack, "investigator")
    r = requests.get(stack.url("/api/v1/admin/trace"),
                     params={"person": case, "from": str(int(t0 - 600)), "to": str(int(time.time() + 60)),
                             "window_minutes": "30"}, headers=bearer(inv), timeout=10)
    assert r.status_code == 200, r.text
    found = {x["person_id"]: x for x in r.json()["contacts"]}
    assert set(found) == {passenger}, r.text
    assert found[passenger]["checkpoint_id"] == cp
    assert other not in found
    # The passenger's history names the check-in's source.
    r = requests.get(stack.url(f"/api/v1/admin/persons/{passenger}/history"), headers=bearer(inv), timeout=10)
    assert r.status_code == 200, r.text
    assert [(x["checkpoint_id"], x["source"], x["direction"]) for x in r.json()["scans"]] == [(cp, "place", "in")], r.text


# --- the attacker ------------------------------------------------------------------------------

def test_someone_elses_person_is_403_for_that_person_and_records_nothing(stack, operator):
    cp = h.checkpoint(stack)
    body, token = make_code(stack, operator, cp)
    s, me, _ = holder(stack)
    _, stranger, _ = holder(stack)
    r = checkin(s, stack, token, [stranger, me])
    assert r.status_code == 200, r.text
    got = r.json()["checkins"]
    assert got[0] == {"person_id": stranger, "error": {"code": "PERSON_NOT_HELD", "status": 403,
                                                        "message": got[0]["error"]["message"]}}, got
    assert got[1]["person_id"] == me and got[1]["verdict"] == "allow", got
    ids = stack.sql(f"SELECT p.public_id FROM scans s JOIN persons p ON p.id = s.person_id "
                    f"WHERE s.place_code_id = {body['id']}")
    assert ids == [[me]], ids
    # Only strangers: the whole request is refused, nothing written.
    r = checkin(s, stack, token, [stranger])
    assert r.status_code == 403 and r.json()["error"]["code"] == "PERSON_NOT_HELD", r.text
    r = checkin(s, stack, token, ["A" * 22])
    assert r.status_code == 403 and r.json()["error"]["code"] == "PERSON_NOT_HELD", r.text
    assert rows_at(stack, body["id"]) == 1


def test_check_ins_need_a_login_and_the_csrf_header(stack, taxi):
    s, me, _ = holder(stack)
    r = requests.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"),
                      json={"persons": [me], "direction": "in"}, timeout=10)
    assert r.status_code == 401, r.text
    bare = requests.Session()
    bare.cookies.update(s.cookies)
    r = bare.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"), json={"persons": [me], "direction": "in"},
                  timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF", r.text


def test_a_stranger_hears_401_before_anything_about_its_check_in_body(stack, taxi):
    """A check-in reads its session with the place (AUTH_HOLDER): an unknown token hears 401 for a
    member given twice, a body that is not JSON or a bad one, never what is wrong with it; a
    holder hears that."""
    url = stack.url(f"/api/v1/places/{taxi['token']}/checkins")
    twice = '{"persons":[],"persons":[],"direction":"in"}'
    for data in (twice, "[1", '{"persons":"x","direction":"up"}'):
        r = requests.post(url, data=data, timeout=10,
                          headers={"Authorization": "Bearer " + "B" * 43, "Content-Type": "application/json"})
        body = h.assert_error(r, 401, "UNAUTHENTICATED")
        assert "fields" not in body["error"], (data, body)
    s, _, _ = holder(stack)
    r = s.post(url, data=twice, headers={"Content-Type": "application/json"}, timeout=10)
    assert h.assert_error(r, 400, "DUPLICATE_FIELD")["error"]["fields"] == \
        [{"field": "persons", "code": "DUPLICATE_FIELD"}], r.text


def test_bad_check_in_bodies_are_422_with_every_field(stack, taxi):
    s, me, _ = holder(stack)
    cases = [
        ({}, {("persons", "REQUIRED"), ("direction", "REQUIRED")}),
        ({"persons": [], "direction": "sideways"}, {("persons", "NOT_A_LIST"), ("direction", "NOT_ALLOWED")}),
        ({"persons": "x", "direction": "in"}, {("persons", "NOT_A_LIST")}),
        ({"persons": [me, me], "direction": "in"}, {("persons[1]", "DUPLICATE_PERSON")}),
        ({"persons": [me, 7, "../etc"], "direction": "in"},
         {("persons[1]", "NOT_A_PERSON_ID"), ("persons[2]", "NOT_A_PERSON_ID")}),
        ({"persons": [me] * 17, "direction": "in"}, {("persons", "TOO_MANY")}),
        ({"persons": [me], "direction": "in", "visitor": "yes"}, {("visitor", "VISITOR_REGISTRATION_INVALID")}),
        # An escaped NUL would cut a string short (an id with a tail, "in" and more): refused.
        ({"persons": [me + "\u0000tail"], "direction": "in"}, {("persons", "INVALID_CHARACTERS")}),
        ({"persons": [me], "direction": "in\u0000out"}, {("direction", "INVALID_CHARACTERS")}),
        ({"persons": [me], "direction": "in", "visitor": {"purpose": "探亲\u0000", "host": "王五"}},
         {("visitor", "INVALID_CHARACTERS")}),
        ({"persons": [me], "direction": 1}, {("direction", "REQUIRED")}),
        ({"persons": [me], "direction": ""}, {("direction", "NOT_ALLOWED")}),
    ]
    for body, want in cases:
        r = s.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"), json=body, timeout=10)
        assert r.status_code == 422, (body, r.text)
        assert {(f["field"], f["code"]) for f in r.json()["error"]["fields"]} == want, (body, r.text)
    # A refused body still hears first that the place code is unknown, or that nobody is logged in.
    r = s.post(stack.url("/api/v1/places/AAAAAAAAAAAAAAAAAAAAAA/checkins"), json={}, timeout=10)
    assert r.status_code == 404, r.text
    r = requests.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"), json={}, timeout=10)
    assert r.status_code == 401, r.text
    r = s.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"), data="[1,2]",
               headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_JSON", r.text
    r = s.post(stack.url(f"/api/v1/places/{taxi['token']}/checkins"), data="x" * 5000,
               headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413, r.text


def test_a_revoked_place_code_refuses_check_ins(stack, operator):
    cp = h.checkpoint(stack)
    body, token = make_code(stack, operator, cp)
    s, me, _ = holder(stack)
    assert checkin(s, stack, token, [me]).status_code == 200
    h.hqrctl(stack, "place-code", "revoke", "--id", str(body["id"]))
    r = checkin(s, stack, token, [me], direction="out")
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text
    assert rows_at(stack, body["id"]) == 1


def upstream_hosts(stack):
    """The application hosts in nginx's upstream (one, or the cluster's two)."""
    with open(os.path.join(stack.dir, "nginx", "nginx.conf"), encoding="utf-8") as f:
        upstream = re.search(r"upstream hqr_app \{(.*?)\}", f.read(), re.S).group(1)
    return re.findall(r"server (unix:[^ ;]+)", upstream)


def served_by(stack, request_id):
    """The host nginx passed a request to, from its access log."""
    return h.access_line(stack, request_id)["upstream"]


def test_check_ins_per_account_and_minute_are_bounded(stack, operator):
    """20 check-in requests per account and minute, counted in a MEMORY table of the database node
    the request's host writes to (README, Limits): on one stack 20 in all; on the cluster, whose
    hosts each write to their own node, 20 through each host. Check-ins go on until every host has
    refused one; each host's answers, in order, are twenty 200s and then 429s."""
    cp = h.checkpoint(stack)
    _, token = make_code(stack, operator, cp)
    s, me, _ = holder(stack)
    hosts = upstream_hosts(stack)
    for _attempt in range(2):
        minute = int(time.time()) // 60
        by_host = {host: [] for host in hosts}
        for _ in range(30 * len(hosts)):
            r = checkin(s, stack, token, [me])
            by_host[served_by(stack, r.headers["X-Request-Id"])].append(r.status_code)
            if all(429 in codes for codes in by_host.values()):
                break
        if int(time.time()) // 60 == minute:
            break
        time.sleep(max(0.0, 61 - time.time() % 60))  # crossed a minute: once more in a fresh one
    for host, codes in by_host.items():
        assert codes[:21] == [200] * 20 + [429] and set(codes[21:]) <= {429}, (host, codes)
    r = checkin(s, stack, token, [me])
    assert r.status_code == 429 and r.json()["error"]["code"] == "RATE_LIMITED", r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60, r.headers
    # Another account is not limited by this one.
    s2, me2, _ = holder(stack)
    assert checkin(s2, stack, token, [me2]).status_code == 200


# --- the door screen --------------------------------------------------------------------------

def display_token(stack, display_id, shown_at):
    """A door screen's code as the service seals one: display id, window start, and the mac under a
    key derived from keys/mac.key."""
    with open(os.path.join(stack.dir, "keys", "mac.key"), "rb") as f:
        mac_key = f.read()
    key = hmac.new(mac_key, b"hqr-place-display-v1", hashlib.sha256).digest()
    head = display_id.to_bytes(8, "big") + shown_at.to_bytes(4, "big")
    raw = head + hmac.new(key, head, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_the_door_screen_shows_a_code_that_changes_every_30_s_and_expires_after_two_minutes(stack, operator):
    cp = h.checkpoint(stack, kind="public_place", type_="hospital", name=h.unique("医院"))
    body, poster_token = make_code(stack, operator, cp, label="门诊楼")
    r = requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/displays"), headers=bearer(operator),
                      timeout=10)
    assert r.status_code == 201, r.text
    screen, did = r.json()["token"], r.json()["display_id"]
    r = requests.get(stack.url("/api/v1/place-display"), headers=bearer(screen), timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", r.text
    d = r.json()
    m = re.match(r"^http://127\.0\.0\.1:\d+/p/([A-Za-z0-9_-]{38})$", d["url"])
    assert m and d["place"]["label"] == "门诊楼", d
    assert decode_qr(data_url_png(d["qr_png"])) == d["url"]
    assert 1 <= d["refresh_after_s"] <= 30, d
    now = int(time.time())
    window = now - now % 30
    # The code is the one of this 30-second window (the next window's differs).
    assert m.group(1) in (display_token(stack, did, window), display_token(stack, did, window - 30)), d
    assert display_token(stack, did, window) != display_token(stack, did, window + 30)
    s, me, _ = holder(stack)
    # Shown a minute ago: still taken. Shown two minutes ago or more: refused, nothing written.
    r = checkin(s, stack, display_token(stack, did, window - 60), [me])
    assert r.status_code == 200 and r.json()["checkins"][0]["verdict"] == "allow", r.text
    assert requests.get(stack.url(f"/api/v1/places/{display_token(stack, did, window - 60)}"), timeout=10).status_code == 200
    for stale in (now - 120, now - 150, now - 86400):
        t = display_token(stack, did, stale - stale % 30)
        r = checkin(s, stack, t, [me], direction="out")
        assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_EXPIRED", r.text
        assert requests.get(stack.url(f"/p/{t}"), timeout=10).status_code == 410
    assert rows_at(stack, body["id"]) == 1
    # A code from a screen whose clock runs far ahead, a forged mac, another screen's id: refused.
    assert requests.get(stack.url(f"/api/v1/places/{display_token(stack, did, window + 300)}"),
                        timeout=10).status_code == 410
    forged = list(base64.urlsafe_b64decode(display_token(stack, did, window) + "=="))
    forged[-1] ^= 1
    ft = base64.urlsafe_b64encode(bytes(forged)).decode().rstrip("=")
    assert requests.get(stack.url(f"/api/v1/places/{ft}"), timeout=10).status_code == 404
    assert requests.get(stack.url(f"/api/v1/places/{display_token(stack, did + 1000, window)}"),
                        timeout=10).status_code == 404
    # A wrong screen token is a 401; revoking the place code ends the screen too.
    r = requests.get(stack.url("/api/v1/place-display"), headers=bearer("A" * 43), timeout=10)
    assert r.status_code == 401, r.text
    requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/revoke"), headers=bearer(operator), timeout=10)
    r = requests.get(stack.url("/api/v1/place-display"), headers=bearer(screen), timeout=10)
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text
    r = checkin(s, stack, display_token(stack, did, window), [me], direction="out")
    assert r.status_code == 410 and r.json()["error"]["code"] == "PLACE_CODE_REVOKED", r.text


# --- the pages in Chromium -----------------------------------------------------------------------

def test_a_resident_scans_a_taxis_poster_logs_in_and_checks_in_two_persons_in_the_browser(stack, operator,
                                                                                             tmp_path):
    name = h.unique("出租车")
    cp = h.checkpoint(stack, kind="transport", type_="taxi", name=name)
    body, _ = make_code(stack, operator, cp, label="京C·54321")
    openid = h.unique("oPlace")
    s = h.login_web(stack, openid)
    me = h.apply(s, stack, name="王小明").json()["person"]["id"]
    rel = h.apply(s, stack, for_="relative", relationship="grandparent", name="王奶奶").json()["person"]["id"]
    masked = {p["id"]: p["name_masked"] for p in s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]}
    screen = requests.post(stack.url(f"/api/v1/admin/place-codes/{body['id']}/displays"), headers=bearer(operator),
                           timeout=10).json()["token"]
    shot = tmp_path / "poster.png"
    out = h.run_node("place.mjs", BASE=stack.base, PLACE_URL=body["url"], OPENID=openid, SELF_ID=me,
                   SELF_NAME=masked[me], REL_ID=rel, REL_NAME=masked[rel], PLACE_NAME=name, PLACE_LABEL="京C·54321",
                   POSTER_ID=str(body["id"]), OPERATOR=operator, DISPLAY=screen, SHOT=str(shot),
                   VERDICT_SHOT=os.environ.get("HQR_VERDICT_SHOT", ""))
    # Both verdicts the page showed are recorded check-ins through this place code, in that order.
    assert [scan_row(stack, sid)["person"] for sid in out["scans"]] == [me, rel]
    assert all(scan_row(stack, sid)["place_code"] == body["id"] for sid in out["scans"])
    # The poster's QR, read from a screenshot of the page as printed, is the place's URL.
    assert out["poster_url"] == body["url"]
    assert decode_qr(shot.read_bytes()) == body["url"]
    # The door screen's code opens the same place.
    token = out["screen_url"].rsplit("/", 1)[1]
    r = requests.get(stack.url(f"/api/v1/places/{token}"), timeout=10)
    assert r.status_code == 200 and r.json()["place"]["name"] == name, r.text
